//! The device's operation log (DESIGN §3): every outreach write appends one entry in the same
//! transaction, numbered 1, 2, 3… with no gaps, so sync only has to ship the entries past
//! what the server acknowledged.

use chrono::Utc;
use njia_model::hlc::Hlc;
use njia_model::ops::{OpKind, Operation};
use rusqlite::{params, Connection, Transaction};
use serde::Serialize;
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::{meta_get, meta_set, Result, Store, StoreError};

const ACKED_KEY: &str = "acked_idx";
/// The change-feed cursor, kept by `sync.rs`.
const SEEN_CURSOR_KEY: &str = "sync_cursor";

/// How far the log is written and acknowledged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct OpLogStatus {
    /// Highest idx written on this device.
    pub last_idx: i64,
    /// Highest idx the server has acknowledged.
    pub acked_idx: i64,
    /// Operations written but not yet acknowledged.
    pub pending: i64,
}

/// Appends one operation inside the caller's transaction and returns its idx.
pub(crate) fn append(
    tx: &Transaction<'_>,
    device_id: Uuid,
    hlc: &Hlc,
    kind: OpKind,
    entity_id: Uuid,
    payload: &Map<String, Value>,
) -> Result<i64> {
    let idx: i64 = tx.query_row("SELECT coalesce(max(idx), 0) + 1 FROM op_log", [], |r| {
        r.get(0)
    })?;
    let payload = serde_json::to_string(payload).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    // What of others' writes this device had received when it wrote this (docs/sync.md,
    // "Office edits and conflicts").
    let seen: Option<i64> = meta_get(tx, SEEN_CURSOR_KEY)?.and_then(|v| v.parse().ok());
    tx.prepare_cached(
        "INSERT INTO op_log (idx, device_id, op_id, hlc, kind, entity_id, payload, created_at,
                             seen_cursor)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?
    .execute(params![
        idx,
        device_id.to_string(),
        Uuid::now_v7().to_string(),
        hlc.to_string(),
        kind.as_str(),
        entity_id.to_string(),
        payload,
        Utc::now().to_rfc3339(),
        seen.unwrap_or(0)
    ])?;
    Ok(idx)
}

impl Store {
    /// Where the operation log stands.
    pub fn op_log_status(&self) -> Result<OpLogStatus> {
        status_in(&self.conn)
    }

    /// Operations with idx greater than `after`, oldest first, at most `limit`.
    pub fn operations_after(&self, after: i64, limit: usize) -> Result<Vec<Operation>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT device_id, idx, op_id, hlc, kind, entity_id, payload, seen_cursor
               FROM op_log WHERE idx > ?1 ORDER BY idx LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![after, limit as i64], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, String>(5)?,
                r.get::<_, String>(6)?,
                r.get::<_, Option<i64>>(7)?,
            ))
        })?;
        let corrupt = |what: &str, e: &dyn std::fmt::Display| {
            StoreError::Corrupt(format!("operation log: {what}: {e}"))
        };
        let mut out = Vec::new();
        for row in rows {
            let (device, idx, op_id, hlc, kind, entity, payload, seen) = row?;
            out.push(Operation {
                device_id: Uuid::parse_str(&device).map_err(|e| corrupt("device id", &e))?,
                idx,
                op_id: Uuid::parse_str(&op_id).map_err(|e| corrupt("op id", &e))?,
                hlc: hlc.parse().map_err(|e| corrupt("clock", &e))?,
                kind: kind.parse().map_err(|e: String| corrupt("kind", &e))?,
                entity_id: Uuid::parse_str(&entity).map_err(|e| corrupt("entity id", &e))?,
                payload: serde_json::from_str(&payload).map_err(|e| corrupt("payload", &e))?,
                seen,
            });
        }
        Ok(out)
    }

    /// The op ids of the log after `after`, in idx order: what a fork compares with the
    /// server's copy of the log.
    pub fn op_ids_after(&self, after: i64) -> Result<Vec<Uuid>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT op_id FROM op_log WHERE idx > ?1 ORDER BY idx")?;
        let rows = stmt
            .query_map([after], |r| r.get::<_, String>(0))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        rows.iter()
            .map(|id| {
                Uuid::parse_str(id)
                    .map_err(|e| StoreError::Corrupt(format!("operation log: op id: {e}")))
            })
            .collect()
    }

    /// Records that the server holds every operation up to `idx`. Never moves backwards.
    pub fn acknowledge(&self, idx: i64) -> Result<()> {
        acknowledge_in(&self.conn, idx).map(|_| ())
    }
}

/// Sets the acknowledged idx back to what a server says it holds, when that is less than
/// this device believed: the server lost operations (it was restored from a copy), and
/// they are sent again. Returns how many operations are pending again.
pub(crate) fn rewind_in(conn: &Connection, idx: i64) -> Result<i64> {
    let status = status_in(conn)?;
    let idx = idx.max(0);
    if idx < status.acked_idx {
        meta_set(conn, ACKED_KEY, &idx.to_string())?;
        return Ok(status.acked_idx - idx);
    }
    Ok(0)
}

/// Sets the acknowledged idx to `idx` whatever it was (a fork moves the log's base).
pub(crate) fn set_acked_in(conn: &Connection, idx: i64) -> Result<()> {
    meta_set(conn, ACKED_KEY, &idx.to_string())
}

/// [`Store::acknowledge`] inside the caller's transaction; returns how many operations the
/// acknowledgement newly covers.
pub(crate) fn acknowledge_in(conn: &Connection, idx: i64) -> Result<i64> {
    let status = status_in(conn)?;
    if idx > status.last_idx {
        return Err(StoreError::Corrupt(format!(
            "the server acknowledged operation {idx}, but this device wrote only {}",
            status.last_idx
        )));
    }
    if idx > status.acked_idx {
        meta_set(conn, ACKED_KEY, &idx.to_string())?;
        return Ok(idx - status.acked_idx);
    }
    Ok(0)
}

pub(crate) fn status_in(conn: &Connection) -> Result<OpLogStatus> {
    let last_idx: i64 =
        conn.query_row("SELECT coalesce(max(idx), 0) FROM op_log", [], |r| r.get(0))?;
    let acked_idx = meta_get(conn, ACKED_KEY)?
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    Ok(OpLogStatus {
        last_idx,
        acked_idx,
        pending: last_idx - acked_idx,
    })
}
