//! Outreach: the devices' operation logs and the records they build.
//!
//! A push is one transaction with a handful of statements whatever its size: lock the
//! device's row (two pushes of one device queue there), lock the records the operations
//! touch, merge in memory with `apply_patch`, write the records with one array statement,
//! and last take the change counter and store the operations in one more, so writers hold
//! the counter only for that statement and the commit.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use deadpool_postgres::{Client, Transaction};
use njia_model::ops::Operation;
use njia_model::wire::RefusedOp;
use njia_server_database::merge::{self, Outcome, Owner, RecordState, Refusal};
use njia_server_database::{
    DbError, DbResult, DeviceRecord, OutreachRecord, PushResult, RecordKind, StoredOperation,
    StoredRefusal,
};
use serde_json::{Map, Value};
use tokio_postgres::error::SqlState;
use tokio_postgres::Row;
use uuid::Uuid;

use crate::{backend, corrupt};

fn kind_str(kind: RecordKind) -> &'static str {
    match kind {
        RecordKind::Session => "session",
        RecordKind::Referral => "referral",
    }
}

fn kind_from(text: &str) -> DbResult<RecordKind> {
    match text {
        "session" => Ok(RecordKind::Session),
        "referral" => Ok(RecordKind::Referral),
        other => Err(DbError::Backend(format!(
            "unknown record kind \"{other}\" stored"
        ))),
    }
}

fn object(what: &str, id: Uuid, v: Value) -> DbResult<Map<String, Value>> {
    match v {
        Value::Object(m) => Ok(m),
        other => Err(corrupt(
            &format!("{what} of record {id}"),
            format!("not an object: {other}"),
        )),
    }
}

/// Checks a batch and puts it in idx order: every operation must be the pushing device's,
/// idx counts from 1, and two different operations cannot share an idx (the same one twice
/// is kept once).
fn check_batch(device: &DeviceRecord, mut ops: Vec<Operation>) -> DbResult<Vec<Operation>> {
    for op in &ops {
        if op.device_id != device.id {
            return Err(DbError::Invalid(format!(
                "operation {} (idx {}) was written by device {}, not by the pushing device {}",
                op.op_id, op.idx, op.device_id, device.id
            )));
        }
        if op.idx < 1 {
            return Err(DbError::Invalid(format!(
                "operation {} has idx {}; a log counts from 1",
                op.op_id, op.idx
            )));
        }
    }
    ops.sort_by_key(|op| op.idx);
    for w in ops.windows(2) {
        if w[0].idx == w[1].idx && w[0] != w[1] {
            return Err(DbError::Invalid(format!(
                "two different operations have idx {}",
                w[0].idx
            )));
        }
    }
    ops.dedup_by_key(|op| op.idx);
    Ok(ops)
}

pub(crate) async fn push_ops(
    client: &mut Client,
    device: &DeviceRecord,
    ops: Vec<Operation>,
    now: DateTime<Utc>,
    seen_seq: i64,
) -> DbResult<PushResult> {
    let ops = check_batch(device, ops)?;
    let tx = client.transaction().await.map_err(backend)?;
    let stmt = tx
        .prepare_cached("SELECT acked_idx FROM device WHERE id = $1 FOR UPDATE")
        .await
        .map_err(backend)?;
    let acked: i64 = tx
        .query_opt(&stmt, &[&device.id])
        .await
        .map_err(backend)?
        .ok_or_else(|| DbError::NotFound {
            what: "device",
            id: device.id.to_string(),
        })?
        .get(0);
    let (held, new): (Vec<Operation>, Vec<Operation>) =
        ops.into_iter().partition(|op| op.idx <= acked);
    let mut refused = check_resent(&tx, device, &held, acked).await?;
    // The first new one must follow the last held, and the rest follow it.
    if new.first().is_some_and(|op| op.idx != acked + 1) {
        return Err(DbError::Gap { acked });
    }
    for w in new.windows(2) {
        if w[1].idx != w[0].idx + 1 {
            return Err(DbError::Invalid(format!(
                "operations must follow each other: idx {} comes after {}",
                w[1].idx, w[0].idx
            )));
        }
    }
    let last = new.last().map_or(acked, |op| op.idx);
    let outcomes = if new.is_empty() {
        Vec::new()
    } else {
        apply(&tx, device, &new, now).await?
    };
    let stmt = tx
        .prepare_cached("UPDATE device SET acked_idx = $2, last_seen_at = $3 WHERE id = $1")
        .await
        .map_err(backend)?;
    tx.execute(&stmt, &[&device.id, &last, &now])
        .await
        .map_err(backend)?;
    if !new.is_empty() {
        store_ops(&tx, device.id, &new, &outcomes, now, seen_seq).await?;
    }
    tx.commit().await.map_err(backend)?;
    for (op, outcome) in new.iter().zip(&outcomes) {
        if let Some(r) = &outcome.refusal {
            refused.push(r.to_wire(op));
        }
    }
    Ok(PushResult {
        acked_idx: last,
        refused,
    })
}

/// The operations of a resend (idx at or below what is held) must be the ones held: the
/// refusals they got are answered again; another op id at an idx means the device's log
/// diverged from the server's ([`DbError::Diverged`]).
async fn check_resent(
    tx: &Transaction<'_>,
    device: &DeviceRecord,
    held: &[Operation],
    acked: i64,
) -> DbResult<Vec<RefusedOp>> {
    if held.is_empty() {
        return Ok(Vec::new());
    }
    let idx: Vec<i64> = held.iter().map(|op| op.idx).collect();
    let stmt = tx
        .prepare_cached(
            "SELECT idx, op_id, refusal FROM operation WHERE device_id = $1 AND idx = ANY($2)",
        )
        .await
        .map_err(backend)?;
    let stored: HashMap<i64, (Uuid, Option<Value>)> = tx
        .query(&stmt, &[&device.id, &idx])
        .await
        .map_err(backend)?
        .iter()
        .map(|r| (r.get(0), (r.get(1), r.get(2))))
        .collect();
    let mut refused = Vec::new();
    for op in held {
        let text = stored
            .get(&op.idx)
            .map(|(id, r)| (*id, r.as_ref().map(Value::to_string)));
        let held = text.as_ref().map(|(id, r)| (*id, r.as_deref()));
        refused.extend(merge::resent(op, held, acked)?);
    }
    Ok(refused)
}

/// Decides the operations with [`merge::apply_batch`] on the records they touch (locked in
/// id order, so pushes touching the same records cannot deadlock) and writes the records
/// back.
async fn apply(
    tx: &Transaction<'_>,
    device: &DeviceRecord,
    ops: &[Operation],
    now: DateTime<Utc>,
) -> DbResult<Vec<Outcome>> {
    let ids = merge::records_to_load(ops);
    let stmt = tx
        .prepare_cached(
            "SELECT id, kind, device_id, worker, team, version, doc, clocks, updated_at, worker_id
               FROM outreach_record WHERE id = ANY($1) ORDER BY id FOR UPDATE",
        )
        .await
        .map_err(backend)?;
    let mut records = HashMap::with_capacity(ids.len());
    for row in tx.query(&stmt, &[&ids]).await.map_err(backend)? {
        let id: Uuid = row.get("id");
        records.insert(
            id,
            RecordState {
                kind: kind_from(row.get("kind"))?,
                device_id: row.get("device_id"),
                owner: Owner {
                    worker_id: owner_id(id, &row)?,
                    worker: row.get("worker"),
                    team: row.get("team"),
                },
                version: row.get("version"),
                doc: object("doc", id, row.get("doc"))?,
                clocks: object("clocks", id, row.get("clocks"))?,
                updated_at: row.get("updated_at"),
                fresh: false,
                dirty: false,
            },
        );
    }
    let wanted = merge::services_to_check(ops);
    let services: HashSet<String> = if wanted.is_empty() {
        HashSet::new()
    } else {
        tx.query(
            "SELECT id FROM service WHERE id = ANY($1) AND NOT removed",
            &[&wanted],
        )
        .await
        .map_err(backend)?
        .iter()
        .map(|r| r.get(0))
        .collect()
    };
    let outcomes = merge::apply_batch(device, &mut records, ops, &services, now);

    let mut dirty: Vec<(Uuid, RecordState)> =
        records.into_iter().filter(|(_, r)| r.dirty).collect();
    dirty.sort_by_key(|(id, _)| *id);
    let n = dirty.len();
    let mut worker_id = Vec::with_capacity(n);
    let (mut rid, mut kind, mut dev, mut worker, mut team) = (
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
    );
    let (mut version, mut doc, mut clocks, mut updated) = (
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
    );
    for (id, r) in dirty {
        rid.push(id);
        kind.push(kind_str(r.kind));
        dev.push(r.device_id);
        worker_id.push(r.owner.worker_id);
        worker.push(r.owner.worker);
        team.push(r.owner.team);
        version.push(r.version);
        doc.push(Value::Object(r.doc));
        clocks.push(Value::Object(r.clocks));
        updated.push(r.updated_at);
    }
    if !rid.is_empty() {
        let stmt = tx
            .prepare_cached(
                "INSERT INTO outreach_record (id, kind, device_id, worker, team, version, doc, clocks,
                                              updated_at, worker_id, created_at)
                 SELECT *, $11 FROM UNNEST($1::uuid[], $2::text[], $3::uuid[], $4::text[], $5::text[],
                                           $6::int8[], $7::json[], $8::json[], $9::timestamptz[],
                                           $10::uuid[])
                 ON CONFLICT (id) DO UPDATE SET
                     version = EXCLUDED.version, doc = EXCLUDED.doc, clocks = EXCLUDED.clocks,
                     updated_at = EXCLUDED.updated_at",
            )
            .await
            .map_err(backend)?;
        tx.execute(
            &stmt,
            &[
                &rid, &kind, &dev, &worker, &team, &version, &doc, &clocks, &updated, &worker_id,
                &now,
            ],
        )
        .await
        .map_err(backend)?;
    }
    Ok(outcomes)
}

/// Stores the operations with the next values of the change sequence, in idx order, in
/// one statement. The counter's row stays locked until commit, so no later value can
/// become visible before these; it is the last statement before the commit, so writers
/// hold the lock briefly.
async fn store_ops(
    tx: &Transaction<'_>,
    device_id: Uuid,
    ops: &[Operation],
    outcomes: &[Outcome],
    now: DateTime<Utc>,
    seen_seq: i64,
) -> DbResult<()> {
    let n = ops.len() as i64;
    let idx: Vec<i64> = ops.iter().map(|op| op.idx).collect();
    let op_id: Vec<Uuid> = ops.iter().map(|op| op.op_id).collect();
    let hlc: Vec<String> = ops.iter().map(|op| op.hlc.to_string()).collect();
    let kind: Vec<&str> = ops.iter().map(|op| op.kind.as_str()).collect();
    let entity: Vec<Uuid> = ops.iter().map(|op| op.entity_id).collect();
    let payload: Vec<Value> = ops
        .iter()
        .map(|op| Value::Object(op.payload.clone()))
        .collect();
    let owner_worker: Vec<&str> = outcomes.iter().map(|o| o.owner.worker.as_str()).collect();
    let owner_worker_id: Vec<Uuid> = outcomes.iter().map(|o| o.owner.worker_id).collect();
    let owner_team: Vec<Option<&str>> = outcomes.iter().map(|o| o.owner.team.as_deref()).collect();
    let applied: Vec<bool> = outcomes.iter().map(Outcome::applied).collect();
    let refusal: Vec<Option<Value>> = outcomes
        .iter()
        .map(|o| {
            o.refusal
                .as_ref()
                .map(|r| serde_json::json!({"code": r.code, "reason": r.reason}))
        })
        .collect();
    // What each operation's device had seen of the feed when it wrote it: its own word if it
    // says (never past the cursor of the request carrying it), else that cursor.
    let seen: Vec<i64> = ops
        .iter()
        .map(|op| op.seen.map_or(seen_seq, |s| s.min(seen_seq)).max(0))
        .collect();
    let stmt = tx
        .prepare_cached(
            "WITH counter AS (UPDATE change_counter SET value = value + $12 RETURNING value)
             INSERT INTO operation (device_id, idx, op_id, hlc, kind, entity_id, payload, received_at,
                                    seq, owner_worker, owner_team, applied, seen_seq, refusal,
                                    owner_worker_id)
             SELECT $1, u.idx, u.op_id, u.hlc, u.kind, u.entity_id, u.payload, $2,
                    counter.value - $12 + u.n, u.owner_worker, u.owner_team, u.applied, u.seen,
                    u.refusal, u.owner_worker_id
               FROM counter,
                    UNNEST($3::int8[], $4::uuid[], $5::text[], $6::text[], $7::uuid[], $8::json[],
                           $9::text[], $10::text[], $11::bool[], $13::int8[], $14::json[],
                           $15::uuid[])
                    WITH ORDINALITY
                    AS u(idx, op_id, hlc, kind, entity_id, payload, owner_worker, owner_team, applied,
                         seen, refusal, owner_worker_id, n)
             ON CONFLICT (device_id, idx) DO NOTHING",
        )
        .await
        .map_err(backend)?;
    tx.execute(
        &stmt,
        &[
            &device_id,
            &now,
            &idx,
            &op_id,
            &hlc,
            &kind,
            &entity,
            &payload,
            &owner_worker,
            &owner_team,
            &applied,
            &n,
            &seen,
            &refusal,
            &owner_worker_id,
        ],
    )
    .await
    .map_err(|e| match e.as_db_error() {
        Some(db) if db.code() == &SqlState::UNIQUE_VIOLATION => DbError::Invalid(format!(
            "an operation id of this batch is already used by another operation ({})",
            db.detail().unwrap_or(db.message())
        )),
        _ => backend(e),
    })?;
    Ok(())
}

fn owner_id(id: Uuid, row: &Row) -> DbResult<Uuid> {
    row.get::<_, Option<Uuid>>("worker_id")
        .ok_or_else(|| DbError::Backend(format!("outreach record {id} has no worker")))
}

fn record_row(row: &Row) -> DbResult<OutreachRecord> {
    let id: Uuid = row.get("id");
    Ok(OutreachRecord {
        id,
        kind: kind_from(row.get("kind"))?,
        device_id: row.get("device_id"),
        worker_id: owner_id(id, row)?,
        worker: row.get("worker"),
        team: row.get("team"),
        version: row.get("version"),
        fields: object("doc", id, row.get("doc"))?,
        updated_at: row.get("updated_at"),
    })
}

pub(crate) async fn outreach(client: &Client) -> DbResult<Vec<OutreachRecord>> {
    let stmt = client
        .prepare_cached(
            "SELECT id, kind, device_id, worker, team, version, doc, updated_at, worker_id
               FROM outreach_record ORDER BY created_at, id",
        )
        .await
        .map_err(backend)?;
    client
        .query(&stmt, &[])
        .await
        .map_err(backend)?
        .iter()
        .map(record_row)
        .collect()
}

/// Every stored operation, in sequence order: the audit trail.
pub(crate) async fn operations(client: &Client) -> DbResult<Vec<StoredOperation>> {
    let stmt = client
        .prepare_cached(
            "SELECT device_id, idx, op_id, hlc, kind, entity_id, payload, received_at, seq,
                    applied, seen_seq, refusal
               FROM operation ORDER BY seq",
        )
        .await
        .map_err(backend)?;
    client
        .query(&stmt, &[])
        .await
        .map_err(backend)?
        .iter()
        .map(|row| {
            let idx: i64 = row.get("idx");
            let what = || format!("operation {idx}");
            let hlc: String = row.get("hlc");
            let kind: String = row.get("kind");
            let entity_id: Uuid = row.get("entity_id");
            Ok(StoredOperation {
                op: Operation {
                    device_id: row.get("device_id"),
                    idx,
                    op_id: row.get("op_id"),
                    hlc: hlc.parse().map_err(|e| corrupt(&what(), e))?,
                    kind: kind.parse().map_err(|e| corrupt(&what(), e))?,
                    entity_id,
                    payload: object("payload", entity_id, row.get("payload"))?,
                    seen: None,
                },
                seq: row.get("seq"),
                seen_seq: row.get("seen_seq"),
                applied: row.get("applied"),
                refusal: row.get::<_, Option<Value>>("refusal").map(|r| {
                    let (code, reason) = Refusal::from_json(&r.to_string());
                    StoredRefusal { code, reason }
                }),
                received_at: row.get("received_at"),
            })
        })
        .collect()
}
