//! Workers: records with server-issued ids (the rules are `njia_server_database::workers`).

use chrono::{DateTime, Utc};
use njia_server_database::workers::{choose, WorkerChoice, WorkerEdit, WorkerRecord};
use njia_server_database::{DbError, NewWorker};
use rusqlite::{params, Connection, OptionalExtension, Row, Transaction, TransactionBehavior};
use uuid::Uuid;

use crate::codec::{parse_role, parse_strings, parse_ts, parse_uuid, to_json, ts};
use crate::error::Result;

const COLUMNS: &str = "id, name, team, role, regions, created_at, updated_at";

type WorkerRow = (
    String,
    String,
    Option<String>,
    String,
    String,
    String,
    String,
);

fn row(r: &Row<'_>) -> rusqlite::Result<WorkerRow> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
        r.get(6)?,
    ))
}

fn decode((id, name, team, role, regions, created, updated): WorkerRow) -> Result<WorkerRecord> {
    Ok(WorkerRecord {
        id: parse_uuid(&id)?,
        name,
        team,
        role: parse_role(&role)?,
        regions: parse_strings("worker regions", &regions)?,
        created_at: parse_ts(&created)?,
        updated_at: parse_ts(&updated)?,
    })
}

pub(crate) fn all(conn: &Connection) -> Result<Vec<WorkerRecord>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM worker ORDER BY name, team, id"
    ))?;
    let rows = stmt
        .query_map([], row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    rows.into_iter().map(decode).collect()
}

fn by_id(conn: &Connection, id: Uuid) -> Result<Option<WorkerRecord>> {
    let found = conn
        .prepare_cached(&format!("SELECT {COLUMNS} FROM worker WHERE id = ?1"))?
        .query_row([id.to_string()], row)
        .optional()?;
    found.map(decode).transpose()
}

fn insert(tx: &Transaction<'_>, w: &WorkerRecord) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO worker (id, name, team, role, regions, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (id) DO NOTHING",
    )?
    .execute(params![
        w.id.to_string(),
        w.name,
        w.team,
        w.role.as_str(),
        to_json(&w.regions)?,
        ts(w.created_at),
        ts(w.updated_at)
    ])?;
    Ok(())
}

pub(crate) fn add(conn: &mut Connection, w: &NewWorker) -> Result<WorkerRecord> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    insert(&tx, &w.record())?;
    let held = by_id(&tx, w.id)?.ok_or_else(|| crate::error::Error::backend("worker vanished"))?;
    tx.commit()?;
    Ok(held)
}

pub(crate) fn choose_worker(conn: &mut Connection, choice: &WorkerChoice) -> Result<WorkerRecord> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let (worker, new) = choose(&all(&tx)?, choice)?;
    if new {
        insert(&tx, &worker)?;
    }
    tx.commit()?;
    Ok(worker)
}

pub(crate) fn edit(
    conn: &mut Connection,
    id: Uuid,
    edit: &WorkerEdit,
    now: DateTime<Utc>,
) -> Result<WorkerRecord> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let Some(held) = by_id(&tx, id)? else {
        return Err(DbError::NotFound {
            what: "worker",
            id: id.to_string(),
        }
        .into());
    };
    let after = edit.apply(&held, now);
    let id = id.to_string();
    tx.prepare_cached(
        "UPDATE worker SET name = ?2, team = ?3, role = ?4, regions = ?5, updated_at = ?6
          WHERE id = ?1",
    )?
    .execute(params![
        id,
        after.name,
        after.team,
        after.role.as_str(),
        to_json(&after.regions)?,
        ts(now)
    ])?;
    if after.name != held.name {
        for sql in [
            "UPDATE device SET worker = ?2 WHERE worker_id = ?1",
            "UPDATE outreach_record SET worker = ?2 WHERE worker_id = ?1",
            "UPDATE outreach_op SET owner_worker = ?2 WHERE owner_worker_id = ?1",
            "UPDATE correction SET worker = ?2
              WHERE device_id IN (SELECT id FROM device WHERE worker_id = ?1)",
        ] {
            tx.prepare_cached(sql)?.execute(params![id, after.name])?;
        }
    }
    tx.commit()?;
    Ok(after)
}
