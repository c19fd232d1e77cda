//! Enrolment codes and devices.

use chrono::{DateTime, Utc};
use njia_server_database::{
    DbError, DeviceRecord, Fork, HeldDevice, NewDevice, NewEnrollment, NewFork, RestoredDevice,
    Usage,
};
use rusqlite::{params, Connection, OptionalExtension, Row, TransactionBehavior};
use uuid::Uuid;

use crate::codec::{parse_opt_ts, parse_role, parse_strings, parse_ts, parse_uuid, to_json, ts};
use crate::error::{is_unique_violation, Error, Result};

const DEVICE_COLUMNS: &str = "id, worker, team, role, regions, label, enrolled_at, revoked_at, \
                              last_seen_at, acked_idx, forked_from, worker_id";

/// A device row as stored, before decoding (rusqlite's row closures cannot return our errors).
type DeviceRow = (
    String,
    String,
    Option<String>,
    String,
    String,
    Option<String>,
    String,
    Option<String>,
    Option<String>,
    i64,
    Option<String>,
    Option<String>,
);

fn device_row(r: &Row<'_>) -> rusqlite::Result<DeviceRow> {
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
    ))
}

fn decode(row: DeviceRow) -> Result<DeviceRecord> {
    let (id, worker, team, role, regions, label, enrolled, revoked, seen, acked_idx, parent, wid) =
        row;
    Ok(DeviceRecord {
        id: parse_uuid(&id)?,
        worker_id: parse_uuid(
            wid.as_deref()
                .ok_or_else(|| Error::corrupt("device", format!("{id} has no worker")))?,
        )?,
        worker,
        team,
        role: parse_role(&role)?,
        regions: parse_strings("device regions", &regions)?,
        label,
        enrolled_at: parse_ts(&enrolled)?,
        revoked_at: parse_opt_ts(revoked)?,
        last_seen_at: parse_opt_ts(seen)?,
        acked_idx,
        forked_from: parent.as_deref().map(parse_uuid).transpose()?,
    })
}

pub(crate) fn create_enrollment(conn: &mut Connection, e: &NewEnrollment) -> Result<()> {
    let inserted = conn
        .prepare_cached(
            "INSERT INTO enrollment (code_hash, worker, team, role, regions, created_at, expires_at,
                                     worker_id)
             SELECT ?1, name, team, ?3, ?4, ?5, ?6, id FROM worker WHERE id = ?2",
        )?
        .execute(params![
            e.code_hash,
            e.worker_id.to_string(),
            e.role.as_str(),
            to_json(&e.regions)?,
            ts(e.created_at),
            ts(e.expires_at)
        ]);
    match inserted {
        Ok(0) => Err(DbError::NotFound {
            what: "worker",
            id: e.worker_id.to_string(),
        }
        .into()),
        Ok(_) => Ok(()),
        Err(err) if is_unique_violation(&err) => Err(Error::invalid(
            "an enrolment code with this hash already exists",
        )),
        Err(err) => Err(err.into()),
    }
}

pub(crate) fn redeem_enrollment(
    conn: &mut Connection,
    code_hash: &str,
    d: &NewDevice,
) -> Result<DeviceRecord> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let code = tx
        .prepare_cached(
            "SELECT w.id, w.name, w.team, e.role, e.regions, e.expires_at, e.used_at
               FROM enrollment e JOIN worker w ON w.id = e.worker_id
              WHERE e.code_hash = ?1",
        )?
        .query_row([code_hash], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<String>>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, String>(5)?,
                r.get::<_, Option<String>>(6)?,
            ))
        })
        .optional()?;
    let Some((worker_id, worker, team, role, regions, expires_at, used_at)) = code else {
        return Err(DbError::CodeUnknown.into());
    };
    if used_at.is_some() {
        return Err(DbError::CodeUsed.into());
    }
    let expires_at = parse_ts(&expires_at)?;
    if d.now >= expires_at {
        return Err(DbError::CodeExpired(expires_at).into());
    }
    if let Some(proof) = &d.proof {
        let held = tx
            .prepare_cached(
                "SELECT worker_id, worker, token_hash, revoked_at FROM device WHERE id = ?1",
            )?
            .query_row([d.id.to_string()], |r| {
                Ok((
                    r.get::<_, Option<String>>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, Option<String>>(3)?,
                ))
            })
            .optional()?;
        let held_worker = match &held {
            Some((Some(w), ..)) => Some(parse_uuid(w)?),
            _ => None,
        };
        njia_server_database::check_reenrollment(
            d.id,
            held.as_ref()
                .zip(held_worker)
                .map(|((_, name, token, revoked), worker_id)| HeldDevice {
                    worker_id,
                    worker: name,
                    proof_matches: token == proof,
                    revoked: revoked.is_some(),
                }),
            (parse_uuid(&worker_id)?, &worker),
        )?;
        tx.prepare_cached(
            "UPDATE device SET token_hash = ?2, role = ?3, regions = ?4, label = coalesce(?5, label),
                               worker = ?6, team = ?7
              WHERE id = ?1",
        )?
        .execute(params![
            d.id.to_string(),
            d.token_hash,
            role,
            regions,
            d.label,
            worker,
            team
        ])?;
    } else {
        insert_device(
            &tx,
            d,
            (&worker_id, &worker, team.as_deref(), &role, &regions),
        )?;
    }
    tx.prepare_cached("UPDATE enrollment SET used_at = ?2, device_id = ?3 WHERE code_hash = ?1")?
        .execute(params![code_hash, ts(d.now), d.id.to_string()])?;
    let device = by_id(&tx, d.id)?.ok_or_else(|| Error::backend("enrolled device vanished"))?;
    tx.commit()?;
    Ok(device)
}

/// A new device row for a redeemed code (the code's worker with their name and team, the
/// code's role and regions).
fn insert_device(
    tx: &rusqlite::Transaction<'_>,
    d: &NewDevice,
    (worker_id, worker, team, role, regions): (&str, &str, Option<&str>, &str, &str),
) -> Result<()> {
    let inserted = tx
        .prepare_cached(
            "INSERT INTO device (id, worker, team, role, regions, label, token_hash, enrolled_at,
                                 worker_id)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        )?
        .execute(params![
            d.id.to_string(),
            worker,
            team,
            role,
            regions,
            d.label,
            d.token_hash,
            ts(d.now),
            worker_id
        ]);
    match inserted {
        Ok(_) => {}
        Err(err) if is_unique_violation(&err) => {
            return Err(Error::invalid(
                "a device with this id or token is already enrolled",
            ))
        }
        Err(err) => return Err(err.into()),
    }
    Ok(())
}

pub(crate) fn by_id(conn: &Connection, id: Uuid) -> Result<Option<DeviceRecord>> {
    let row = conn
        .prepare_cached(&format!(
            "SELECT {DEVICE_COLUMNS} FROM device WHERE id = ?1"
        ))?
        .query_row([id.to_string()], device_row)
        .optional()?;
    row.map(decode).transpose()
}

pub(crate) fn by_token(conn: &Connection, token_hash: &str) -> Result<Option<DeviceRecord>> {
    let row = conn
        .prepare_cached(&format!(
            "SELECT {DEVICE_COLUMNS} FROM device WHERE token_hash = ?1"
        ))?
        .query_row([token_hash], device_row)
        .optional()?;
    row.map(decode).transpose()
}

pub(crate) fn all(conn: &Connection) -> Result<Vec<DeviceRecord>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {DEVICE_COLUMNS} FROM device ORDER BY enrolled_at, id"
    ))?;
    let rows = stmt
        .query_map([], device_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    rows.into_iter().map(decode).collect()
}

pub(crate) fn usage(conn: &Connection, device: Uuid, since: DateTime<Utc>) -> Result<Usage> {
    let (id, since) = (device.to_string(), ts(since));
    let (ops, op_bytes): (i64, i64) = conn
        .prepare_cached(
            "SELECT count(*), coalesce(sum(length(CAST(payload AS BLOB))), 0) FROM outreach_op \
             WHERE device_id = ?1 AND received_at >= ?2",
        )?
        .query_row(params![id, since], |r| Ok((r.get(0)?, r.get(1)?)))?;
    let (corrections, correction_bytes): (i64, i64) = conn
        .prepare_cached(
            "SELECT count(*), coalesce(sum(length(CAST(coalesce(value, '') || note AS BLOB))), 0) \
             FROM correction WHERE device_id = ?1 AND received_at >= ?2",
        )?
        .query_row(params![id, since], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(Usage {
        items: ops + corrections,
        bytes: op_bytes + correction_bytes,
    })
}

pub(crate) fn revoke(conn: &mut Connection, id: Uuid, now: DateTime<Utc>) -> Result<bool> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let revoked: Option<Option<String>> = tx
        .prepare_cached("SELECT revoked_at FROM device WHERE id = ?1")?
        .query_row([id.to_string()], |r| r.get(0))
        .optional()?;
    let changed = match revoked {
        None => {
            return Err(DbError::NotFound {
                what: "device",
                id: id.to_string(),
            }
            .into())
        }
        Some(Some(_)) => false,
        Some(None) => {
            tx.prepare_cached("UPDATE device SET revoked_at = ?2 WHERE id = ?1")?
                .execute(params![id.to_string(), ts(now)])?;
            true
        }
    };
    tx.commit()?;
    Ok(changed)
}

/// Makes or finds again the fork `f` of `parent` (see `Database::fork_device`).
pub(crate) fn fork(conn: &mut Connection, parent: &DeviceRecord, f: &NewFork) -> Result<Fork> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let existing: Option<(String, i64)> = tx
        .prepare_cached("SELECT id, fork_base FROM device WHERE forked_from = ?1 AND fork_id = ?2")?
        .query_row(params![parent.id.to_string(), f.fork_id.to_string()], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .optional()?;
    let (id, base) = match existing {
        Some((id, base)) => {
            // The first answer was lost: same device, a new token (the old one was never
            // received).
            tx.prepare_cached("UPDATE device SET token_hash = ?2 WHERE id = ?1")?
                .execute(params![id, f.token_hash])?;
            (parse_uuid(&id)?, base)
        }
        None => {
            let held: i64 = tx
                .prepare_cached("SELECT acked_idx FROM device WHERE id = ?1")?
                .query_row([parent.id.to_string()], |r| r.get(0))?;
            let mut base = f.after.clamp(0, held);
            let mut stmt = tx.prepare_cached(
                "SELECT op_id FROM outreach_op WHERE device_id = ?1 AND idx = ?2",
            )?;
            for op_id in &f.op_ids {
                if base >= held {
                    break;
                }
                let at: Option<String> = stmt
                    .query_row(params![parent.id.to_string(), base + 1], |r| r.get(0))
                    .optional()?;
                if at.as_deref() != Some(op_id.to_string().as_str()) {
                    break;
                }
                base += 1;
            }
            drop(stmt);
            tx.prepare_cached(
                "INSERT INTO device (id, worker, team, role, regions, label, token_hash,
                                     enrolled_at, acked_idx, forked_from, fork_id, fork_base,
                                     worker_id)
                 SELECT ?2, worker, team, role, regions,
                        coalesce(label, 'device') || ' (restored copy)', ?3, ?4, ?5, id, ?6, ?5,
                        worker_id
                   FROM device WHERE id = ?1",
            )?
            .execute(params![
                parent.id.to_string(),
                f.id.to_string(),
                f.token_hash,
                ts(f.now),
                base,
                f.fork_id.to_string()
            ])?;
            (f.id, base)
        }
    };
    let device = by_id(&tx, id)?.ok_or_else(|| Error::backend("forked device vanished"))?;
    tx.commit()?;
    Ok(Fork {
        base_idx: base,
        device,
    })
}

/// Lifts a revocation and releases the operations kept while revoked (see
/// `Database::restore_device`).
pub(crate) fn restore(conn: &mut Connection, id: Uuid) -> Result<RestoredDevice> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let revoked: Option<Option<String>> = tx
        .prepare_cached("SELECT revoked_at FROM device WHERE id = ?1")?
        .query_row([id.to_string()], |r| r.get(0))
        .optional()?;
    let Some(revoked) = revoked else {
        return Err(DbError::NotFound {
            what: "device",
            id: id.to_string(),
        }
        .into());
    };
    let first: Option<i64> = tx
        .prepare_cached(
            "SELECT min(idx) FROM outreach_op
              WHERE device_id = ?1 AND json_extract(refusal, '$.code') = 'revoked'",
        )?
        .query_row([id.to_string()], |r| r.get(0))?;
    let mut released = 0;
    if let Some(first) = first {
        released = tx
            .prepare_cached("DELETE FROM outreach_op WHERE device_id = ?1 AND idx >= ?2")?
            .execute(params![id.to_string(), first])? as u64;
        tx.prepare_cached("UPDATE device SET acked_idx = ?2 WHERE id = ?1")?
            .execute(params![id.to_string(), first - 1])?;
    }
    tx.prepare_cached("UPDATE device SET revoked_at = NULL WHERE id = ?1")?
        .execute([id.to_string()])?;
    tx.commit()?;
    Ok(RestoredDevice {
        was_revoked: revoked.is_some(),
        released,
    })
}

/// Cancels an unused code: it expires now (see `Database::revoke_enrollment`).
pub(crate) fn revoke_enrollment(
    conn: &mut Connection,
    code_hash: &str,
    now: DateTime<Utc>,
) -> Result<bool> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let used: Option<Option<String>> = tx
        .prepare_cached("SELECT used_at FROM enrollment WHERE code_hash = ?1")?
        .query_row([code_hash], |r| r.get(0))
        .optional()?;
    let cancelled = match used {
        None => return Err(DbError::CodeUnknown.into()),
        Some(Some(_)) => false,
        Some(None) => {
            tx.prepare_cached(
                "UPDATE enrollment SET expires_at = min(expires_at, ?2) WHERE code_hash = ?1",
            )?
            .execute(params![code_hash, ts(now)])?;
            true
        }
    };
    tx.commit()?;
    Ok(cancelled)
}
