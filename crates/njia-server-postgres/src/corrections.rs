//! Corrections: CHWs' proposals to fix the directory. Stored once per id; accepting one
//! applies it to the service as a normal directory change, so it reaches every device.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use deadpool_postgres::{Client, Transaction};
use njia_model::wire::{refusal, Correction, RefusedCorrection};
use njia_server_database::{
    CorrectionRecord, CorrectionStatus, CorrectionsResult, DbError, DbResult, DeviceRecord,
};
use tokio_postgres::Row;
use uuid::Uuid;

use crate::backend;
use crate::directory::{load, lock_counter, set_counter, write, write_removals};

use njia_model::correction::CLOSED;

fn status_str(s: CorrectionStatus) -> &'static str {
    match s {
        CorrectionStatus::Pending => "pending",
        CorrectionStatus::Accepted => "accepted",
        CorrectionStatus::Rejected => "rejected",
    }
}

fn status_from(text: &str) -> DbResult<CorrectionStatus> {
    match text {
        "pending" => Ok(CorrectionStatus::Pending),
        "accepted" => Ok(CorrectionStatus::Accepted),
        "rejected" => Ok(CorrectionStatus::Rejected),
        other => Err(DbError::Backend(format!(
            "unknown correction status \"{other}\" stored"
        ))),
    }
}

pub(crate) async fn add_corrections(
    client: &mut Client,
    device: &DeviceRecord,
    corrections: Vec<Correction>,
    now: DateTime<Utc>,
) -> DbResult<CorrectionsResult> {
    let mut out = CorrectionsResult::default();
    // Refusals are answered in the order of the request, as the SQLite backend does.
    let order: HashMap<Uuid, usize> = corrections
        .iter()
        .enumerate()
        .map(|(i, c)| (c.id, i))
        .rev()
        .collect();
    let mut valid = Vec::with_capacity(corrections.len());
    let mut seen = HashSet::new();
    for c in corrections {
        if !seen.insert(c.id) {
            continue;
        }
        match njia_model::correction::check(&c) {
            Ok(()) => valid.push(c),
            Err(reason) => out.refused.push(RefusedCorrection {
                id: c.id,
                code: refusal::INVALID.into(),
                reason,
            }),
        }
    }
    let tx = client.transaction().await.map_err(backend)?;
    // The version each service has now: a correction based on an older one is stale.
    // Removed services are known too (a CHW may report a closure the office already saw).
    let service_ids: Vec<&str> = valid.iter().map(|c| c.service_id.trim()).collect();
    let versions: HashMap<String, i64> = tx
        .query(
            "SELECT id, version FROM service WHERE id = ANY($1)",
            &[&service_ids],
        )
        .await
        .map_err(backend)?
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    let stmt = tx
        .prepare_cached(
            "INSERT INTO correction (id, service_id, field, value, note, based_on_version, created_at,
                                     device_id, worker, stale, received_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
             ON CONFLICT (id) DO NOTHING",
        )
        .await
        .map_err(backend)?;
    for c in &valid {
        let service_id = c.service_id.trim();
        let Some(version) = versions.get(service_id) else {
            out.refused.push(RefusedCorrection {
                id: c.id,
                code: refusal::UNKNOWN_SERVICE.into(),
                reason: format!(
                    "the directory holds no service with id \"{}\"",
                    service_id.chars().take(60).collect::<String>()
                ),
            });
            continue;
        };
        let stale = c.based_on_version < *version;
        tx.execute(
            &stmt,
            &[
                &c.id,
                &service_id,
                &c.field,
                &c.value,
                &c.note,
                &c.based_on_version,
                &c.created_at,
                &device.id,
                &device.worker,
                &stale,
                &now,
            ],
        )
        .await
        .map_err(backend)?;
        out.acked.push(c.id);
    }
    tx.commit().await.map_err(backend)?;
    out.refused.sort_by_key(|r| order.get(&r.id).copied());
    Ok(out)
}

const SELECT: &str = "
SELECT id, service_id, field, value, note, based_on_version, created_at, device_id, worker,
       status, stale, received_at, decided_at
  FROM correction";

fn record_row(row: &Row) -> DbResult<CorrectionRecord> {
    Ok(CorrectionRecord {
        correction: Correction {
            id: row.get("id"),
            service_id: row.get("service_id"),
            field: row.get("field"),
            value: row.get("value"),
            note: row.get("note"),
            based_on_version: row.get("based_on_version"),
            created_at: row.get("created_at"),
        },
        device_id: row.get("device_id"),
        worker: row.get("worker"),
        status: status_from(row.get("status"))?,
        stale: row.get("stale"),
        received_at: row.get("received_at"),
        decided_at: row.get("decided_at"),
    })
}

pub(crate) async fn corrections(
    client: &Client,
    status: Option<CorrectionStatus>,
) -> DbResult<Vec<CorrectionRecord>> {
    let stmt = client
        .prepare_cached(&format!(
            "{SELECT} WHERE $1::text IS NULL OR status = $1 ORDER BY received_at, id"
        ))
        .await
        .map_err(backend)?;
    client
        .query(&stmt, &[&status.map(status_str)])
        .await
        .map_err(backend)?
        .iter()
        .map(record_row)
        .collect()
}

async fn one(tx: &Transaction<'_>, id: Uuid) -> DbResult<CorrectionRecord> {
    let row = tx
        .query_one(&format!("{SELECT} WHERE id = $1"), &[&id])
        .await
        .map_err(backend)?;
    record_row(&row)
}

pub(crate) async fn decide_correction(
    client: &mut Client,
    id: Uuid,
    accept: bool,
    now: DateTime<Utc>,
) -> DbResult<CorrectionRecord> {
    let tx = client.transaction().await.map_err(backend)?;
    // Accepting writes the directory: take the change counter first, like an import.
    let counter = if accept {
        Some(lock_counter(&tx).await?)
    } else {
        None
    };
    let row = tx
        .query_opt(&format!("{SELECT} WHERE id = $1 FOR UPDATE"), &[&id])
        .await
        .map_err(backend)?
        .ok_or_else(|| DbError::NotFound {
            what: "correction",
            id: id.to_string(),
        })?;
    let before = record_row(&row)?;
    if before.status != CorrectionStatus::Pending {
        return Err(DbError::Invalid(format!(
            "correction {id} was already {}",
            status_str(before.status)
        )));
    }
    if let Some(counter) = counter {
        let c = &before.correction;
        let current = load(&tx, &[c.service_id.as_str()]).await?;
        let stored = current.get(&c.service_id);
        match (c.field.as_str(), stored) {
            (_, None) => {
                return Err(DbError::Invalid(format!(
                    "correction {id}: no service with id \"{}\" in the directory",
                    c.service_id
                )))
            }
            (CLOSED, Some(s)) => {
                if !s.removed {
                    let seq = counter + 1;
                    write_removals(&tx, &[c.service_id.as_str()], &[seq], now).await?;
                    set_counter(&tx, seq).await?;
                }
            }
            (_, Some(s)) if s.removed => {
                return Err(DbError::Invalid(format!(
                    "correction {id}: service \"{}\" was removed from the directory",
                    c.service_id
                )))
            }
            (field, Some(s)) => {
                let fixed =
                    njia_model::correction::apply(s.service.clone(), field, c.value.as_deref())
                        .map_err(|e| DbError::Invalid(format!("correction {id}: {e}")))?;
                if fixed != s.service {
                    let seq = counter + 1;
                    write(&tx, &[(&s.replaced_by(fixed, seq), seq)], now).await?;
                    set_counter(&tx, seq).await?;
                }
            }
        }
    }
    let status = if accept {
        CorrectionStatus::Accepted
    } else {
        CorrectionStatus::Rejected
    };
    tx.execute(
        "UPDATE correction SET status = $2, decided_at = $3 WHERE id = $1",
        &[&id, &status_str(status), &now],
    )
    .await
    .map_err(backend)?;
    let after = one(&tx, id).await?;
    tx.commit().await.map_err(backend)?;
    Ok(after)
}
