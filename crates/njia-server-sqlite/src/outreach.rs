//! Outreach: devices' operations stored in their logs and merged into records.
//!
//! A record is created by the first operation on its entity, at version 1, owned by the
//! worker and team of the device that pushed it; every later operation is merged field by
//! field with [`apply_patch`] and raises the version only when a field's value changed, as
//! on the device, so both end with the same fields and versions.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use njia_model::ops::{apply_patch, Operation};
use njia_model::wire::Role;
use njia_server_database::{
    DbError, DeviceRecord, OutreachRecord, RecordKind, StoredOperation, OFFICE_DEVICE_ID,
};
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::codec::{parse_object, parse_ts, parse_uuid, to_json, ts};
use crate::directory::next_seq;
use crate::error::{is_unique_violation, Error, Result};

/// A record as loaded for merging, with what the batch did to it.
struct Record {
    worker: String,
    team: Option<String>,
    doc: Map<String, Value>,
    clocks: Map<String, Value>,
    version: i64,
    /// Not yet in the table.
    new: bool,
    /// Touched by an applied operation of the batch.
    dirty: bool,
    updated_at: String,
    kind: RecordKind,
    device_id: Uuid,
}

/// Whether `device` may change a record owned by `worker` of `team`: its own worker's
/// records, a supervisor the records of their team, the office every record.
fn may_write(device: &DeviceRecord, worker: &str, team: Option<&str>) -> bool {
    device.id == OFFICE_DEVICE_ID
        || device.worker == worker
        || (device.role == Role::Supervisor
            && device.team.is_some()
            && device.team.as_deref() == team)
}

/// What the operation's device had seen of the feed when it wrote it: its own word if it
/// says (never past the cursor of the request carrying it), else that cursor.
fn op_seen(op: &Operation, request_cursor: i64) -> i64 {
    op.seen
        .map_or(request_cursor, |s| s.min(request_cursor))
        .max(0)
}

fn load(conn: &Connection, id: Uuid) -> Result<Option<Record>> {
    let row = conn
        .prepare_cached(
            "SELECT worker, team, doc, clocks, version, kind, device_id, updated_at
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
            ))
        })
        .optional()?;
    let Some((worker, team, doc, clocks, version, kind, device_id, updated_at)) = row else {
        return Ok(None);
    };
    Ok(Some(Record {
        worker,
        team,
        doc: parse_object("outreach record", &doc)?,
        clocks: parse_object("outreach clocks", &clocks)?,
        version,
        new: false,
        dirty: false,
        kind: parse_kind(&kind)?,
        device_id: parse_uuid(&device_id)?,
        updated_at,
    }))
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

pub(crate) fn push_ops(
    conn: &mut Connection,
    device: &DeviceRecord,
    ops: Vec<Operation>,
    now: DateTime<Utc>,
    seen_seq: i64,
) -> Result<i64> {
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
    // Operations already held are a resend after a lost acknowledgement: ignored.
    let new: Vec<&Operation> = ops.iter().filter(|o| o.idx > acked).collect();
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
    let received = ts(now);
    let mut records: HashMap<Uuid, Record> = HashMap::new();
    for op in &new {
        if let std::collections::hash_map::Entry::Vacant(slot) = records.entry(op.entity_id) {
            let loaded = load(&tx, op.entity_id)?;
            slot.insert(loaded.unwrap_or_else(|| Record {
                worker: device.worker.clone(),
                team: device.team.clone(),
                doc: Map::new(),
                clocks: Map::new(),
                version: 0,
                new: true,
                dirty: false,
                kind: if op.kind.is_session() {
                    RecordKind::Session
                } else {
                    RecordKind::Referral
                },
                device_id: device.id,
                updated_at: received.clone(),
            }));
        }
        let rec = records.get_mut(&op.entity_id).expect("just inserted");
        let applied = may_write(device, &rec.worker, rec.team.as_deref());
        if applied {
            let changed = apply_patch(&mut rec.doc, &mut rec.clocks, &op.payload, &op.hlc);
            if rec.version == 0 {
                rec.version = 1;
                rec.updated_at.clone_from(&received);
            } else if !changed.is_empty() {
                rec.version += 1;
                rec.updated_at.clone_from(&received);
            }
            // Written back even when no value changed: the clocks may have moved, and they
            // decide later merges.
            rec.dirty = true;
        }
        let seq = next_seq(&tx)?;
        let stored = tx
            .prepare_cached(
                "INSERT INTO outreach_op (seq, device_id, idx, op_id, hlc, kind, entity_id, payload,
                                          received_at, owner_worker, owner_team, applied,
                                          seen_seq)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
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
                rec.worker,
                rec.team,
                applied,
                op_seen(op, seen_seq)
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
    }
    for (id, rec) in &records {
        if !rec.dirty {
            continue;
        }
        if rec.new {
            tx.prepare_cached(
                "INSERT INTO outreach_record (id, kind, device_id, worker, team, version, doc,
                                              clocks, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9)",
            )?
            .execute(params![
                id.to_string(),
                kind_str(rec.kind),
                rec.device_id.to_string(),
                rec.worker,
                rec.team,
                rec.version,
                to_json(&rec.doc)?,
                to_json(&rec.clocks)?,
                rec.updated_at
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
                rec.updated_at
            ])?;
        }
    }
    let new_acked = new.last().map_or(acked, |o| o.idx);
    tx.prepare_cached("UPDATE device SET acked_idx = ?2, last_seen_at = ?3 WHERE id = ?1")?
        .execute(params![device.id.to_string(), new_acked, received])?;
    tx.commit()?;
    Ok(new_acked)
}

pub(crate) fn outreach(conn: &mut Connection) -> Result<Vec<OutreachRecord>> {
    let tx = conn.transaction()?;
    let mut out = Vec::new();
    {
        let mut stmt = tx.prepare_cached(
            "SELECT id, kind, device_id, worker, team, version, doc, updated_at
               FROM outreach_record ORDER BY created_at, id",
        )?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            out.push(OutreachRecord {
                id: parse_uuid(&r.get::<_, String>(0)?)?,
                kind: parse_kind(&r.get::<_, String>(1)?)?,
                device_id: parse_uuid(&r.get::<_, String>(2)?)?,
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
                    applied, seen_seq
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
            });
        }
    }
    tx.commit()?;
    Ok(out)
}
