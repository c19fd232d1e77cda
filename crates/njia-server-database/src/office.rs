//! Supervisors' edits made at the office (`njia-server outreach edit`): DESIGN §3 wants them
//! to be "one more operation in the same log (the server's own device id), merged by the
//! same HLC rule", so they are exactly that — the server has a device of its own, and its
//! edits go through [`Database::push_ops_seen`] like any device's.

use chrono::{DateTime, Duration, Utc};
use njia_model::hlc::Clock;
use njia_model::ops::{OpKind, Operation};
use njia_model::wire::Role;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::{
    Database, DbError, DbResult, DeviceRecord, NewDevice, NewEnrollment, NewWorker, OutreachRecord,
    RecordKind, OFFICE_WORKER_ID,
};

/// The server's own device: the author of office edits. It has no token (nothing can sync
/// as it) and may write every record.
pub const OFFICE_DEVICE_ID: Uuid = Uuid::from_u128(0x6e6a_6961_0ff1_7ce0_8000_0000_0000_0001);

/// The worker name office edits carry in lists and reports.
pub const OFFICE_WORKER: &str = "office";

/// What an office edit did: the operation written and the record after it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OfficeEdit {
    pub op: Operation,
    pub record: OutreachRecord,
}

/// Tries of an edit that lost its place in the office's log to another edit made at the same
/// moment.
const TRIES: usize = 5;

async fn record<D: Database>(db: &D, id: Uuid) -> DbResult<OutreachRecord> {
    db.outreach()
        .await?
        .into_iter()
        .find(|r| r.id == id)
        .ok_or_else(|| DbError::NotFound {
            what: "outreach record",
            id: id.to_string(),
        })
}

/// The office's device, created on first use.
async fn office_device<D: Database>(db: &D, now: DateTime<Utc>) -> DbResult<DeviceRecord> {
    let find = || async {
        Ok::<_, DbError>(
            db.devices()
                .await?
                .into_iter()
                .find(|d| d.id == OFFICE_DEVICE_ID),
        )
    };
    if let Some(d) = find().await? {
        return Ok(d);
    }
    // A code nobody is ever given, redeemed at once for the office's device; its "token
    // hash" is no SHA-256 of anything, so no request can authenticate as the office.
    let code_hash = format!("office-code-{}", Uuid::new_v4());
    db.add_worker(NewWorker {
        id: OFFICE_WORKER_ID,
        name: OFFICE_WORKER.into(),
        team: None,
        role: Role::Supervisor,
        regions: Vec::new(),
        now,
    })
    .await?;
    db.create_enrollment(NewEnrollment {
        code_hash: code_hash.clone(),
        worker_id: OFFICE_WORKER_ID,
        role: Role::Supervisor,
        regions: Vec::new(),
        created_at: now,
        expires_at: now + Duration::minutes(1),
    })
    .await?;
    let created = db
        .redeem_enrollment(
            &code_hash,
            NewDevice {
                id: OFFICE_DEVICE_ID,
                token_hash: format!("office-has-no-token-{}", Uuid::new_v4()),
                label: Some("njia-server: edits made at the office".into()),
                now,
                proof: None,
            },
        )
        .await;
    match created {
        Ok(d) => Ok(d),
        // Created by another edit at the same moment.
        Err(e) => find().await?.ok_or(e),
    }
}

pub(crate) async fn edit<D: Database>(
    db: &D,
    id: Uuid,
    fields: Map<String, Value>,
    now: DateTime<Utc>,
) -> DbResult<OfficeEdit> {
    if fields.is_empty() {
        return Err(DbError::Invalid("an edit needs at least one field".into()));
    }
    let before = record(db, id).await?;
    let kind = match before.kind {
        RecordKind::Session if fields.get("status").and_then(Value::as_str) == Some("voided") => {
            OpKind::SessionVoid
        }
        RecordKind::Session => OpKind::SessionUpdate,
        RecordKind::Referral => OpKind::ReferralUpdate,
    };
    let now_ms = u64::try_from(now.timestamp_millis()).unwrap_or(0);
    for _ in 0..TRIES {
        let office = office_device(db, now).await?;
        let log = db.operations().await?;
        // The office has seen every stored operation: its stamp orders after all of them,
        // and every value it replaces was in front of the person editing. Refused ones do
        // not count (a forged stamp far ahead is refused, and must not win over the office).
        let last = log.iter().filter(|o| o.applied).map(|o| o.op.hlc).max();
        let mut clock = Clock::new(OFFICE_DEVICE_ID);
        if let Some(last) = last {
            clock.observe(last, now_ms);
        }
        let seen = log.iter().map(|o| o.seq).max().unwrap_or(0);
        let op = Operation {
            device_id: OFFICE_DEVICE_ID,
            idx: office.acked_idx + 1,
            op_id: Uuid::now_v7(),
            hlc: clock.tick(now_ms),
            kind,
            entity_id: id,
            payload: fields.clone(),
            seen: None,
        };
        match db.push_ops_seen(&office, vec![op.clone()], now, seen).await {
            Ok(pushed) => {
                if let Some(r) = pushed.refused.iter().find(|r| r.op_id == op.op_id) {
                    return Err(DbError::Invalid(r.reason.clone()));
                }
            }
            // Another edit took this idx first.
            Err(DbError::Gap { .. } | DbError::Diverged { .. }) => {}
            Err(e) => return Err(e),
        }
        // Another edit may have taken this idx first: then ours was ignored as a resend.
        if db
            .operations()
            .await?
            .iter()
            .any(|o| o.op.op_id == op.op_id)
        {
            return Ok(OfficeEdit {
                op,
                record: record(db, id).await?,
            });
        }
    }
    Err(DbError::Backend(
        "other office edits kept taking this edit's place in the office's log".into(),
    ))
}
