//! Workers: records with server-issued ids (the rules are `njia_server_database::workers`).

use chrono::{DateTime, Utc};
use deadpool_postgres::{Client, GenericClient};
use njia_server_database::workers::{choose, WorkerChoice, WorkerEdit, WorkerRecord};
use njia_server_database::{DbError, DbResult, NewWorker};
use tokio_postgres::Row;
use uuid::Uuid;

use crate::backend;
use crate::devices::role_from;

const COLUMNS: &str = "id, name, team, role, regions, created_at, updated_at";

fn decode(row: &Row) -> DbResult<WorkerRecord> {
    Ok(WorkerRecord {
        id: row.get("id"),
        name: row.get("name"),
        team: row.get("team"),
        role: role_from(row.get("role"))?,
        regions: row.get("regions"),
        created_at: row.get("created_at"),
        updated_at: row.get("updated_at"),
    })
}

async fn all_in(client: &impl GenericClient) -> DbResult<Vec<WorkerRecord>> {
    client
        .query(
            &format!("SELECT {COLUMNS} FROM worker ORDER BY name, team, id"),
            &[],
        )
        .await
        .map_err(backend)?
        .iter()
        .map(decode)
        .collect()
}

pub(crate) async fn all(client: &Client) -> DbResult<Vec<WorkerRecord>> {
    all_in(client).await
}

async fn insert(client: &impl GenericClient, w: &WorkerRecord) -> DbResult<()> {
    client
        .execute(
            "INSERT INTO worker (id, name, team, role, regions, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (id) DO NOTHING",
            &[
                &w.id,
                &w.name,
                &w.team,
                &w.role.as_str(),
                &w.regions,
                &w.created_at,
                &w.updated_at,
            ],
        )
        .await
        .map_err(backend)?;
    Ok(())
}

pub(crate) async fn add(client: &Client, w: NewWorker) -> DbResult<WorkerRecord> {
    insert(client, &w.record()).await?;
    let row = client
        .query_one(
            &format!("SELECT {COLUMNS} FROM worker WHERE id = $1"),
            &[&w.id],
        )
        .await
        .map_err(backend)?;
    decode(&row)
}

pub(crate) async fn choose_worker(
    client: &mut Client,
    choice: WorkerChoice,
) -> DbResult<WorkerRecord> {
    let tx = client.transaction().await.map_err(backend)?;
    // Two enrolments of one new name at once: the second waits, then finds the first's.
    tx.batch_execute("LOCK TABLE worker IN SHARE ROW EXCLUSIVE MODE")
        .await
        .map_err(backend)?;
    let (worker, new) = choose(&all_in(&tx).await?, &choice)?;
    if new {
        insert(&tx, &worker).await?;
    }
    tx.commit().await.map_err(backend)?;
    Ok(worker)
}

pub(crate) async fn edit(
    client: &mut Client,
    id: Uuid,
    edit: WorkerEdit,
    now: DateTime<Utc>,
) -> DbResult<WorkerRecord> {
    let tx = client.transaction().await.map_err(backend)?;
    let held = tx
        .query_opt(
            &format!("SELECT {COLUMNS} FROM worker WHERE id = $1 FOR UPDATE"),
            &[&id],
        )
        .await
        .map_err(backend)?
        .ok_or_else(|| DbError::NotFound {
            what: "worker",
            id: id.to_string(),
        })?;
    let held = decode(&held)?;
    let after = edit.apply(&held, now);
    tx.execute(
        "UPDATE worker SET name = $2, team = $3, role = $4, regions = $5, updated_at = $6
          WHERE id = $1",
        &[
            &id,
            &after.name,
            &after.team,
            &after.role.as_str(),
            &after.regions,
            &now,
        ],
    )
    .await
    .map_err(backend)?;
    if after.name != held.name {
        for sql in [
            "UPDATE device SET worker = $2 WHERE worker_id = $1",
            "UPDATE outreach_record SET worker = $2 WHERE worker_id = $1",
            "UPDATE operation SET owner_worker = $2 WHERE owner_worker_id = $1",
            "UPDATE correction SET worker = $2
              WHERE device_id IN (SELECT id FROM device WHERE worker_id = $1)",
        ] {
            tx.execute(sql, &[&id, &after.name])
                .await
                .map_err(backend)?;
        }
    }
    tx.commit().await.map_err(backend)?;
    Ok(after)
}
