//! Enrolment codes and devices. Codes and tokens are held only as hashes.

use chrono::{DateTime, Utc};
use deadpool_postgres::Client;
use njia_model::wire::Role;
use njia_server_database::{
    DbError, DbResult, DeviceRecord, Fork, HeldDevice, NewDevice, NewEnrollment, NewFork,
    RestoredDevice, Usage,
};
use tokio_postgres::error::SqlState;
use tokio_postgres::Row;
use uuid::Uuid;

use crate::backend;

const DEVICE_COLUMNS: &str = "id, worker, team, role, regions, label, enrolled_at, revoked_at, \
                              last_seen_at, acked_idx, forked_from, worker_id";

pub(crate) fn role_from(text: &str) -> DbResult<Role> {
    match text {
        "worker" => Ok(Role::Worker),
        "supervisor" => Ok(Role::Supervisor),
        other => Err(DbError::Backend(format!("unknown role \"{other}\" stored"))),
    }
}

pub(crate) fn device_row(row: &Row) -> DbResult<DeviceRecord> {
    Ok(DeviceRecord {
        id: row.get("id"),
        worker_id: row
            .get::<_, Option<Uuid>>("worker_id")
            .ok_or_else(|| DbError::Backend("a device without a worker is stored".into()))?,
        worker: row.get("worker"),
        team: row.get("team"),
        role: role_from(row.get("role"))?,
        regions: row.get("regions"),
        label: row.get("label"),
        enrolled_at: row.get("enrolled_at"),
        revoked_at: row.get("revoked_at"),
        last_seen_at: row.get("last_seen_at"),
        acked_idx: row.get("acked_idx"),
        forked_from: row.get("forked_from"),
    })
}

pub(crate) async fn create_enrollment(client: &Client, e: NewEnrollment) -> DbResult<()> {
    let stmt = client
        .prepare_cached(
            "INSERT INTO enrollment (code_hash, worker, team, role, regions, created_at, expires_at,
                                     worker_id)
             SELECT $1, name, team, $3, $4, $5, $6, id FROM worker WHERE id = $2",
        )
        .await
        .map_err(backend)?;
    let inserted = client
        .execute(
            &stmt,
            &[
                &e.code_hash,
                &e.worker_id,
                &e.role.as_str(),
                &e.regions,
                &e.created_at,
                &e.expires_at,
            ],
        )
        .await
        .map_err(|err| {
            if err.code() == Some(&SqlState::UNIQUE_VIOLATION) {
                DbError::Invalid("this enrolment code exists already".into())
            } else {
                backend(err)
            }
        })?;
    if inserted == 0 {
        return Err(DbError::NotFound {
            what: "worker",
            id: e.worker_id.to_string(),
        });
    }
    Ok(())
}

pub(crate) async fn redeem_enrollment(
    client: &mut Client,
    code_hash: &str,
    device: NewDevice,
) -> DbResult<DeviceRecord> {
    let tx = client.transaction().await.map_err(backend)?;
    // Taking the code and creating the device are one transaction: a failed insert leaves
    // the code unused, and two devices racing for one code cannot both win.
    let taken = tx
        .query_opt(
            "UPDATE enrollment SET used_at = $2, device_id = $3
              WHERE code_hash = $1 AND used_at IS NULL AND expires_at > $2
              RETURNING worker_id, role, regions",
            &[&code_hash, &device.now, &device.id],
        )
        .await
        .map_err(backend)?;
    let Some(code) = taken else {
        let row = tx
            .query_opt(
                "SELECT used_at, expires_at FROM enrollment WHERE code_hash = $1",
                &[&code_hash],
            )
            .await
            .map_err(backend)?;
        return Err(match row {
            None => DbError::CodeUnknown,
            Some(r) if r.get::<_, Option<DateTime<Utc>>>(0).is_some() => DbError::CodeUsed,
            Some(r) => DbError::CodeExpired(r.get(1)),
        });
    };
    let worker_id = code
        .get::<_, Option<Uuid>>("worker_id")
        .ok_or_else(|| DbError::Backend("an enrolment code without a worker is stored".into()))?;
    let worker = tx
        .query_one("SELECT name, team FROM worker WHERE id = $1", &[&worker_id])
        .await
        .map_err(backend)?;
    let (name, team) = (
        worker.get::<_, String>(0),
        worker.get::<_, Option<String>>(1),
    );
    if let Some(proof) = &device.proof {
        let held = tx
            .query_opt(
                "SELECT worker_id, worker, token_hash, revoked_at FROM device WHERE id = $1
                    FOR UPDATE",
                &[&device.id],
            )
            .await
            .map_err(backend)?;
        let held = held.as_ref().and_then(|r| {
            Some((
                r.get::<_, Option<Uuid>>(0)?,
                r.get::<_, String>(1),
                r.get::<_, String>(2) == *proof,
                r.get::<_, Option<DateTime<Utc>>>(3).is_some(),
            ))
        });
        njia_server_database::check_reenrollment(
            device.id,
            held.as_ref()
                .map(|(id, w, proof_matches, revoked)| HeldDevice {
                    worker_id: *id,
                    worker: w,
                    proof_matches: *proof_matches,
                    revoked: *revoked,
                }),
            (worker_id, &name),
        )?;
        let row = tx
            .query_one(
                &format!(
                    "UPDATE device SET token_hash = $2, role = $3, regions = $4,
                            label = coalesce($5, label), worker = $6, team = $7
                      WHERE id = $1
                      RETURNING {DEVICE_COLUMNS}"
                ),
                &[
                    &device.id,
                    &device.token_hash,
                    &code.get::<_, String>("role"),
                    &code.get::<_, Vec<String>>("regions"),
                    &device.label,
                    &name,
                    &team,
                ],
            )
            .await
            .map_err(backend)?;
        let record = device_row(&row)?;
        tx.commit().await.map_err(backend)?;
        return Ok(record);
    }
    let row = tx
        .query_one(
            &format!(
                "INSERT INTO device (id, worker, team, role, regions, label, token_hash, enrolled_at,
                                     worker_id)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
                 RETURNING {DEVICE_COLUMNS}"
            ),
            &[
                &device.id,
                &name,
                &team,
                &code.get::<_, String>("role"),
                &code.get::<_, Vec<String>>("regions"),
                &device.label,
                &device.token_hash,
                &device.now,
                &worker_id,
            ],
        )
        .await
        .map_err(|err| {
            if err.code() == Some(&SqlState::UNIQUE_VIOLATION) {
                DbError::Invalid(format!(
                    "a device with id {} or with this token exists already",
                    device.id
                ))
            } else {
                backend(err)
            }
        })?;
    let record = device_row(&row)?;
    tx.commit().await.map_err(backend)?;
    Ok(record)
}

pub(crate) async fn device_by_token(
    client: &Client,
    token_hash: &str,
) -> DbResult<Option<DeviceRecord>> {
    let stmt = client
        .prepare_cached(&format!(
            "SELECT {DEVICE_COLUMNS} FROM device WHERE token_hash = $1"
        ))
        .await
        .map_err(backend)?;
    client
        .query_opt(&stmt, &[&token_hash])
        .await
        .map_err(backend)?
        .as_ref()
        .map(device_row)
        .transpose()
}

pub(crate) async fn devices(client: &Client) -> DbResult<Vec<DeviceRecord>> {
    let stmt = client
        .prepare_cached(&format!(
            "SELECT {DEVICE_COLUMNS} FROM device ORDER BY enrolled_at, id"
        ))
        .await
        .map_err(backend)?;
    client
        .query(&stmt, &[])
        .await
        .map_err(backend)?
        .iter()
        .map(device_row)
        .collect()
}

pub(crate) async fn usage(client: &Client, device: Uuid, since: DateTime<Utc>) -> DbResult<Usage> {
    let row = client
        .query_one(
            "SELECT (SELECT count(*) FROM operation WHERE device_id = $1 AND received_at >= $2) \
                  + (SELECT count(*) FROM correction WHERE device_id = $1 AND received_at >= $2), \
                    (SELECT coalesce(sum(octet_length(payload::text)), 0) FROM operation \
                      WHERE device_id = $1 AND received_at >= $2)::bigint \
                  + (SELECT coalesce(sum(octet_length(coalesce(value, '') || note)), 0) \
                       FROM correction WHERE device_id = $1 AND received_at >= $2)::bigint",
            &[&device, &since],
        )
        .await
        .map_err(backend)?;
    Ok(Usage {
        items: row.get(0),
        bytes: row.get(1),
    })
}

pub(crate) async fn revoke_device(client: &Client, id: Uuid, now: DateTime<Utc>) -> DbResult<bool> {
    let revoked = client
        .execute(
            "UPDATE device SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL",
            &[&id, &now],
        )
        .await
        .map_err(backend)?;
    if revoked > 0 {
        return Ok(true);
    }
    let known = client
        .query_opt("SELECT 1 FROM device WHERE id = $1", &[&id])
        .await
        .map_err(backend)?;
    match known {
        Some(_) => Ok(false),
        None => Err(DbError::NotFound {
            what: "device",
            id: id.to_string(),
        }),
    }
}

/// Makes or finds again the fork `f` of `parent` (see `Database::fork_device`).
pub(crate) async fn fork(client: &mut Client, parent: &DeviceRecord, f: NewFork) -> DbResult<Fork> {
    let tx = client.transaction().await.map_err(backend)?;
    // The parent's row, locked: its pushes and other forks of it wait.
    let held: i64 = tx
        .query_one(
            "SELECT acked_idx FROM device WHERE id = $1 FOR UPDATE",
            &[&parent.id],
        )
        .await
        .map_err(backend)?
        .get(0);
    let existing = tx
        .query_opt(
            "UPDATE device SET token_hash = $3 WHERE forked_from = $1 AND fork_id = $2
             RETURNING id, fork_base",
            &[&parent.id, &f.fork_id, &f.token_hash],
        )
        .await
        .map_err(backend)?;
    let (id, base) = match existing {
        // The first answer was lost: same device, a new token.
        Some(row) => (row.get::<_, Uuid>(0), row.get::<_, i64>(1)),
        None => {
            let start = f.after.clamp(0, held);
            let stored: Vec<Uuid> = tx
                .query(
                    "SELECT op_id FROM operation WHERE device_id = $1 AND idx > $2 AND idx <= $3
                      ORDER BY idx",
                    &[&parent.id, &start, &held],
                )
                .await
                .map_err(backend)?
                .iter()
                .map(|r| r.get(0))
                .collect();
            let common = stored
                .iter()
                .zip(&f.op_ids)
                .take_while(|(a, b)| a == b)
                .count() as i64;
            let base = start + common;
            tx.execute(
                "INSERT INTO device (id, worker, team, role, regions, label, token_hash, enrolled_at,
                                     acked_idx, forked_from, fork_id, fork_base, worker_id)
                 SELECT $2, worker, team, role, regions,
                        coalesce(label, 'device') || ' (restored copy)', $3, $4, $5, id, $6, $5,
                        worker_id
                   FROM device WHERE id = $1",
                &[&parent.id, &f.id, &f.token_hash, &f.now, &base, &f.fork_id],
            )
            .await
            .map_err(backend)?;
            (f.id, base)
        }
    };
    let row = tx
        .query_one(
            &format!("SELECT {DEVICE_COLUMNS} FROM device WHERE id = $1"),
            &[&id],
        )
        .await
        .map_err(backend)?;
    let device = device_row(&row)?;
    tx.commit().await.map_err(backend)?;
    Ok(Fork {
        device,
        base_idx: base,
    })
}

/// Lifts a revocation and releases the operations kept while revoked (see
/// `Database::restore_device`).
pub(crate) async fn restore(client: &mut Client, id: Uuid) -> DbResult<RestoredDevice> {
    let tx = client.transaction().await.map_err(backend)?;
    let row = tx
        .query_opt(
            "SELECT revoked_at FROM device WHERE id = $1 FOR UPDATE",
            &[&id],
        )
        .await
        .map_err(backend)?
        .ok_or_else(|| DbError::NotFound {
            what: "device",
            id: id.to_string(),
        })?;
    let was_revoked = row.get::<_, Option<DateTime<Utc>>>(0).is_some();
    let first: Option<i64> = tx
        .query_one(
            "SELECT min(idx) FROM operation WHERE device_id = $1 AND refusal->>'code' = 'revoked'",
            &[&id],
        )
        .await
        .map_err(backend)?
        .get(0);
    let mut released = 0;
    if let Some(first) = first {
        released = tx
            .execute(
                "DELETE FROM operation WHERE device_id = $1 AND idx >= $2",
                &[&id, &first],
            )
            .await
            .map_err(backend)?;
        tx.execute(
            "UPDATE device SET acked_idx = $2 WHERE id = $1",
            &[&id, &(first - 1)],
        )
        .await
        .map_err(backend)?;
    }
    tx.execute("UPDATE device SET revoked_at = NULL WHERE id = $1", &[&id])
        .await
        .map_err(backend)?;
    tx.commit().await.map_err(backend)?;
    Ok(RestoredDevice {
        was_revoked,
        released,
    })
}

/// Cancels an unused code: it expires now (see `Database::revoke_enrollment`).
pub(crate) async fn revoke_enrollment(
    client: &Client,
    code_hash: &str,
    now: DateTime<Utc>,
) -> DbResult<bool> {
    let row = client
        .query_opt(
            "UPDATE enrollment SET expires_at = least(expires_at, $2)
              WHERE code_hash = $1
              RETURNING used_at IS NULL",
            &[&code_hash, &now],
        )
        .await
        .map_err(backend)?;
    match row {
        None => Err(DbError::CodeUnknown),
        Some(r) => Ok(r.get(0)),
    }
}
