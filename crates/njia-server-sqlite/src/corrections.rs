//! Corrections: CHWs' proposals to fix the directory, held for the office to decide. An
//! accepted correction is applied to the service as a normal directory change.

use chrono::{DateTime, Utc};
use njia_model::wire::{refusal, Correction, RefusedCorrection};
use njia_server_database::{
    CorrectionRecord, CorrectionStatus, CorrectionsResult, DbError, DeviceRecord,
};
use rusqlite::{params, Connection, OptionalExtension, Row, TransactionBehavior};
use uuid::Uuid;

use crate::codec::{parse_opt_ts, parse_ts, parse_uuid, ts};
use crate::directory::{self, decode_service, put_service, remove_service};
use crate::error::{Error, Result};

/// The fields a correction may be about; `closed` asks for the service to be removed.
pub use njia_model::correction::FIELDS;

const COLUMNS: &str = "id, service_id, field, value, note, based_on_version, created_at, \
                       device_id, worker, status, stale, received_at, decided_at";

fn status_str(s: CorrectionStatus) -> &'static str {
    match s {
        CorrectionStatus::Pending => "pending",
        CorrectionStatus::Accepted => "accepted",
        CorrectionStatus::Rejected => "rejected",
    }
}

fn parse_status(s: &str) -> Result<CorrectionStatus> {
    match s {
        "pending" => Ok(CorrectionStatus::Pending),
        "accepted" => Ok(CorrectionStatus::Accepted),
        "rejected" => Ok(CorrectionStatus::Rejected),
        other => Err(Error::corrupt("correction status", other)),
    }
}

type Raw = (
    String,
    String,
    String,
    Option<String>,
    String,
    i64,
    String,
    String,
    String,
    String,
    bool,
    String,
    Option<String>,
);

fn raw(r: &Row<'_>) -> rusqlite::Result<Raw> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
        r.get(6)?,
        r.get(7)?,
        r.get(8)?,
        r.get(9)?,
        r.get(10)?,
        r.get(11)?,
        r.get(12)?,
    ))
}

fn decode(r: Raw) -> Result<CorrectionRecord> {
    let (
        id,
        service_id,
        field,
        value,
        note,
        based_on,
        created,
        device,
        worker,
        status,
        stale,
        received,
        decided,
    ) = r;
    Ok(CorrectionRecord {
        correction: Correction {
            id: parse_uuid(&id)?,
            service_id,
            field,
            value,
            note,
            based_on_version: based_on,
            created_at: parse_ts(&created)?,
        },
        device_id: parse_uuid(&device)?,
        worker,
        status: parse_status(&status)?,
        stale,
        received_at: parse_ts(&received)?,
        decided_at: parse_opt_ts(decided)?,
    })
}

fn by_id(conn: &Connection, id: Uuid) -> Result<Option<CorrectionRecord>> {
    let row = conn
        .prepare_cached(&format!("SELECT {COLUMNS} FROM correction WHERE id = ?1"))?
        .query_row([id.to_string()], raw)
        .optional()?;
    row.map(decode).transpose()
}

pub(crate) fn add_corrections(
    conn: &mut Connection,
    device: &DeviceRecord,
    corrections: Vec<Correction>,
    now: DateTime<Utc>,
) -> Result<CorrectionsResult> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let mut out = CorrectionsResult::default();
    for c in &corrections {
        if out.acked.contains(&c.id) || out.refused.iter().any(|r| r.id == c.id) {
            continue;
        }
        let refuse = |code: &str, reason: String| RefusedCorrection {
            id: c.id,
            code: code.to_string(),
            reason,
        };
        if let Err(why) = njia_model::correction::check(c) {
            out.refused.push(refuse(refusal::INVALID, why));
            continue;
        }
        // Removed services are known too: a CHW may report a closure the office already saw.
        let Some(service) = directory::load(&tx, c.service_id.trim())? else {
            out.refused.push(refuse(
                refusal::UNKNOWN_SERVICE,
                format!(
                    "the directory holds no service with id \"{}\"",
                    c.service_id.chars().take(60).collect::<String>()
                ),
            ));
            continue;
        };
        tx.prepare_cached(
            "INSERT INTO correction (id, service_id, field, value, note, based_on_version,
                                     created_at, device_id, worker, stale, received_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
             ON CONFLICT (id) DO NOTHING",
        )?
        .execute(params![
            c.id.to_string(),
            c.service_id.trim(),
            c.field,
            c.value,
            c.note,
            c.based_on_version,
            ts(c.created_at),
            device.id.to_string(),
            device.worker,
            c.based_on_version < service.version,
            ts(now)
        ])?;
        out.acked.push(c.id);
    }
    tx.commit()?;
    Ok(out)
}

pub(crate) fn corrections(
    conn: &Connection,
    status: Option<CorrectionStatus>,
) -> Result<Vec<CorrectionRecord>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM correction WHERE ?1 IS NULL OR status = ?1
          ORDER BY received_at, id"
    ))?;
    let rows = stmt
        .query_map([status.map(status_str)], raw)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    rows.into_iter().map(decode).collect()
}

pub(crate) fn decide(
    conn: &mut Connection,
    id: Uuid,
    accept: bool,
    now: DateTime<Utc>,
) -> Result<CorrectionRecord> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let rec = by_id(&tx, id)?.ok_or_else(|| DbError::NotFound {
        what: "correction",
        id: id.to_string(),
    })?;
    if rec.status != CorrectionStatus::Pending {
        return Err(Error::invalid(format!(
            "correction {id} was already {}",
            status_str(rec.status)
        )));
    }
    if accept {
        let c = &rec.correction;
        if c.field == "closed" {
            remove_service(&tx, &c.service_id, now)?;
        } else {
            let stored = directory::load(&tx, &c.service_id)?
                .filter(|s| !s.removed)
                .ok_or_else(|| {
                    Error::invalid(format!(
                        "correction {id}: service \"{}\" was removed from the directory",
                        c.service_id
                    ))
                })?;
            let service = njia_model::correction::apply(
                decode_service(&stored.doc)?,
                &c.field,
                c.value.as_deref(),
            )
            .map_err(|e| Error::invalid(format!("correction {id}: {e}")))?;
            put_service(&tx, &service, now)?;
        }
    }
    let status = if accept {
        CorrectionStatus::Accepted
    } else {
        CorrectionStatus::Rejected
    };
    tx.prepare_cached("UPDATE correction SET status = ?2, decided_at = ?3 WHERE id = ?1")?
        .execute(params![id.to_string(), status_str(status), ts(now)])?;
    let rec = by_id(&tx, id)?.ok_or_else(|| Error::backend("decided correction vanished"))?;
    tx.commit()?;
    Ok(rec)
}
