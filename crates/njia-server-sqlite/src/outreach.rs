//! Outreach: devices' operations stored in their logs and merged into records.
//!
//! A record is created by the first operation on its entity, at version 1, owned by the
//! worker and team of the device that pushed it; every later operation is merged field by
//! field with [`apply_patch`] and raises the version only when a field's value changed, as
//! on the device, so both end with the same fields and versions.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use njia_model::ops::Operation;
use njia_model::wire::RefusedOp;
use njia_server_database::merge::{self, Owner, RecordState, Refusal};
use njia_server_database::{
    DbError, DeviceRecord, OutreachRecord, PushResult, RecordKind, StoredOperation, StoredRefusal,
};
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use uuid::Uuid;

use crate::codec::{parse_object, parse_ts, parse_uuid, to_json, ts};
use crate::directory::next_seq;
use crate::error::{is_unique_violation, Error, Result};

/// What the operation's device had seen of the feed when it wrote it: its own word if it
/// says (never past the cursor of the request carrying it), else that cursor.
fn op_seen(op: &Operation, request_cursor: i64) -> i64 {
    op.seen
        .map_or(request_cursor, |s| s.min(request_cursor))
        .max(0)
}

fn load(conn: &Connection, id: Uuid) -> Result<Option<RecordState>> {
    let row = conn
        .prepare_cached(
            "SELECT worker, team, doc, clocks, version, kind, device_id, updated_at, worker_id
               FROM outreach_record WHERE id = ?1",
        )?
        .query_row([id.to_string()], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, Option<String>>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, i64>(4)?,
                r.get::<_, String>(5)?,
                r.get::<_, String>(6)?,
                r.get::<_, String>(7)?,
                r.get::<_, Option<String>>(8)?,
            ))
        })
        .optional()?;
    let Some((worker, team, doc, clocks, version, kind, device_id, updated_at, worker_id)) = row
    else {
        return Ok(None);
    };
    Ok(Some(RecordState {
        kind: parse_kind(&kind)?,
        device_id: parse_uuid(&device_id)?,
        owner: Owner {
            worker_id: owner_id(&id, worker_id)?,
            worker,
            team,
        },
        version,
        doc: parse_object("outreach record", &doc)?,
        clocks: parse_object("outreach clocks", &clocks)?,
        updated_at: parse_ts(&updated_at)?,
        fresh: false,
        dirty: false,
    }))
}

fn owner_id(record: &Uuid, worker_id: Option<String>) -> Result<Uuid> {
    parse_uuid(
        worker_id
            .as_deref()
            .ok_or_else(|| Error::corrupt("outreach record", format!("{record} has no worker")))?,
    )
}

fn parse_kind(s: &str) -> Result<RecordKind> {
    match s {
        "session" => Ok(RecordKind::Session),
        "referral" => Ok(RecordKind::Referral),
        other => Err(Error::corrupt("record kind", other)),
    }
}

fn kind_str(k: RecordKind) -> &'static str {
    match k {
        RecordKind::Session => "session",
        RecordKind::Referral => "referral",
    }
}

/// Checks a batch and puts it in idx order: every operation must be the pushing device's,
/// and two operations cannot share an idx.
fn check_batch(device: &DeviceRecord, mut ops: Vec<Operation>) -> Result<Vec<Operation>> {
    for op in &ops {
        if op.device_id != device.id {
            return Err(Error::invalid(format!(
                "operation {} (idx {}) was written by device {}, not by the pushing device {}",
                op.op_id, op.idx, op.device_id, device.id
            )));
        }
        if op.idx < 1 {
            return Err(Error::invalid(format!(
                "operation {} has idx {}; a log counts from 1",
                op.op_id, op.idx
            )));
        }
    }
    ops.sort_by_key(|o| o.idx);
    for w in ops.windows(2) {
        if w[0].idx == w[1].idx && w[0] != w[1] {
            return Err(Error::invalid(format!(
                "two different operations have idx {}",
                w[0].idx
            )));
        }
    }
    ops.dedup_by_key(|o| o.idx);
    Ok(ops)
}

/// The operations of a resend (idx at or below what is held) must be the ones held: the
/// refusals they got are answered again; another op id at an idx means the device's log
/// diverged from the server's ([`DbError::Diverged`]).
fn check_resent(
    conn: &Connection,
    device: &DeviceRecord,
    held: &[&Operation],
    acked: i64,
) -> Result<Vec<RefusedOp>> {
    let mut refused = Vec::new();
    let mut stmt = conn.prepare_cached(
        "SELECT op_id, refusal FROM outreach_op WHERE device_id = ?1 AND idx = ?2",
    )?;
    for op in held {
        let row: Option<(String, Option<String>)> = stmt
            .query_row(params![device.id.to_string(), op.idx], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()?;
        let held = match &row {
            Some((id, refusal)) => Some((parse_uuid(id)?, refusal.as_deref())),
            None => None,
        };
        refused.extend(merge::resent(op, held, acked)?);
    }
    Ok(refused)
}

/// Which of `ids` the directory holds (not removed).
fn services_held(conn: &Connection, ids: &[String]) -> Result<HashSet<String>> {
    let mut stmt = conn.prepare_cached("SELECT 1 FROM service WHERE id = ?1 AND removed = 0")?;
    let mut held = HashSet::new();
    for id in ids {
        if stmt.exists([id])? {
            held.insert(id.clone());
        }
    }
    Ok(held)
}

pub(crate) fn push_ops(
    conn: &mut Connection,
    device: &DeviceRecord,
    ops: Vec<Operation>,
    now: DateTime<Utc>,
    seen_seq: i64,
) -> Result<PushResult> {
    let ops = check_batch(device, ops)?;
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let acked: i64 = tx
        .prepare_cached("SELECT acked_idx FROM device WHERE id = ?1")?
        .query_row([device.id.to_string()], |r| r.get(0))
        .optional()?
        .ok_or_else(|| DbError::NotFound {
            what: "device",
            id: device.id.to_string(),
        })?;
    let (held, new): (Vec<&Operation>, Vec<&Operation>) = ops.iter().partition(|o| o.idx <= acked);
    let mut refused = check_resent(&tx, device, &held, acked)?;
    if let Some(first) = new.first() {
        if first.idx != acked + 1 {
            return Err(DbError::Gap { acked }.into());
        }
    }
    for w in new.windows(2) {
        if w[1].idx != w[0].idx + 1 {
            return Err(Error::invalid(format!(
                "operations must follow each other: idx {} comes after {}",
                w[1].idx, w[0].idx
            )));
        }
    }
    let new: Vec<Operation> = new.into_iter().cloned().collect();
    let received = ts(now);
    let mut records: HashMap<Uuid, RecordState> = HashMap::new();
    for id in merge::records_to_load(&new) {
        if let Some(rec) = load(&tx, id)? {
            records.insert(id, rec);
        }
    }
    let services = services_held(&tx, &merge::services_to_check(&new))?;
    let outcomes = merge::apply_batch(device, &mut records, &new, &services, now);
    for (op, outcome) in new.iter().zip(&outcomes) {
        let seq = next_seq(&tx)?;
        let stored = tx
            .prepare_cached(
                "INSERT INTO outreach_op (seq, device_id, idx, op_id, hlc, kind, entity_id, payload,
                                          received_at, owner_worker, owner_team, applied,
                                          seen_seq, refusal, owner_worker_id)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
            )?
            .execute(params![
                seq,
                device.id.to_string(),
                op.idx,
                op.op_id.to_string(),
                op.hlc.to_string(),
                op.kind.as_str(),
                op.entity_id.to_string(),
                to_json(&op.payload)?,
                received,
                outcome.owner.worker,
                outcome.owner.team,
                outcome.applied(),
                op_seen(op, seen_seq),
                outcome.refusal.as_ref().map(Refusal::to_json),
                outcome.owner.worker_id.to_string()
            ]);
        match stored {
            Ok(_) => {}
            Err(e) if is_unique_violation(&e) => {
                return Err(Error::invalid(format!(
                    "operation id {} (idx {}) is already used by another operation",
                    op.op_id, op.idx
                )))
            }
            Err(e) => return Err(e.into()),
        }
        if let Some(r) = &outcome.refusal {
            refused.push(r.to_wire(op));
        }
    }
    for (id, rec) in &records {
        if !rec.dirty {
            continue;
        }
        if rec.fresh {
            tx.prepare_cached(
                "INSERT INTO outreach_record (id, kind, device_id, worker, team, version, doc,
                                              clocks, created_at, updated_at, worker_id)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9, ?10)",
            )?
            .execute(params![
                id.to_string(),
                kind_str(rec.kind),
                rec.device_id.to_string(),
                rec.owner.worker,
                rec.owner.team,
                rec.version,
                to_json(&rec.doc)?,
                to_json(&rec.clocks)?,
                ts(rec.updated_at),
                rec.owner.worker_id.to_string()
            ])?;
        } else {
            tx.prepare_cached(
                "UPDATE outreach_record SET version = ?2, doc = ?3, clocks = ?4, updated_at = ?5
                  WHERE id = ?1",
            )?
            .execute(params![
                id.to_string(),
                rec.version,
                to_json(&rec.doc)?,
                to_json(&rec.clocks)?,
                ts(rec.updated_at)
            ])?;
        }
    }
    let new_acked = new.last().map_or(acked, |o| o.idx);
    tx.prepare_cached("UPDATE device SET acked_idx = ?2, last_seen_at = ?3 WHERE id = ?1")?
        .execute(params![device.id.to_string(), new_acked, received])?;
    tx.commit()?;
    Ok(PushResult {
        acked_idx: new_acked,
        refused,
    })
}

pub(crate) fn outreach(conn: &mut Connection) -> Result<Vec<OutreachRecord>> {
    let tx = conn.transaction()?;
    let mut out = Vec::new();
    {
        let mut stmt = tx.prepare_cached(
            "SELECT id, kind, device_id, worker, team, version, doc, updated_at, worker_id
               FROM outreach_record ORDER BY created_at, id",
        )?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let id = parse_uuid(&r.get::<_, String>(0)?)?;
            out.push(OutreachRecord {
                id,
                kind: parse_kind(&r.get::<_, String>(1)?)?,
                device_id: parse_uuid(&r.get::<_, String>(2)?)?,
                worker_id: owner_id(&id, r.get(8)?)?,
                worker: r.get(3)?,
                team: r.get(4)?,
                version: r.get(5)?,
                fields: parse_object("outreach record", &r.get::<_, String>(6)?)?,
                updated_at: parse_ts(&r.get::<_, String>(7)?)?,
            });
        }
    }
    tx.commit()?;
    Ok(out)
}

/// Every stored operation, in sequence order: the audit trail.
pub(crate) fn operations(conn: &mut Connection) -> Result<Vec<StoredOperation>> {
    let tx = conn.transaction()?;
    let mut out = Vec::new();
    {
        let mut stmt = tx.prepare_cached(
            "SELECT seq, device_id, idx, op_id, hlc, kind, entity_id, payload, received_at,
                    applied, seen_seq, refusal
               FROM outreach_op ORDER BY seq",
        )?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let corrupt = |what: &str, e: &dyn std::fmt::Display| Error::corrupt(what, e);
            out.push(StoredOperation {
                op: Operation {
                    device_id: parse_uuid(&r.get::<_, String>(1)?)?,
                    idx: r.get(2)?,
                    op_id: parse_uuid(&r.get::<_, String>(3)?)?,
                    hlc: r
                        .get::<_, String>(4)?
                        .parse()
                        .map_err(|e| corrupt("operation clock", &e))?,
                    kind: r
                        .get::<_, String>(5)?
                        .parse()
                        .map_err(|e: String| corrupt("operation kind", &e))?,
                    entity_id: parse_uuid(&r.get::<_, String>(6)?)?,
                    payload: parse_object("operation payload", &r.get::<_, String>(7)?)?,
                    seen: None,
                },
                seq: r.get(0)?,
                received_at: parse_ts(&r.get::<_, String>(8)?)?,
                applied: r.get(9)?,
                seen_seq: r.get(10)?,
                refusal: r.get::<_, Option<String>>(11)?.map(|t| {
                    let (code, reason) = Refusal::from_json(&t);
                    StoredRefusal { code, reason }
                }),
            });
        }
    }
    tx.commit()?;
    Ok(out)
}
