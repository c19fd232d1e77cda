//! The service directory: imports, removals and reads. Every change of a service takes the
//! next value of the change sequence, so it goes down the feed to the devices of its region.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, Utc};
use deadpool_postgres::{Client, Transaction};
use njia_model::service::Service;
use njia_model::wire::ServiceVersion;
use njia_server_database::delta::{record_change, FieldSeqs};
use njia_server_database::{DbError, DbResult, ImportSummary};
use serde_json::Value;
use tokio_postgres::Row;

use crate::{backend, corrupt};

/// The key of `left_at` for a service without a country: it was every region's.
pub(crate) const NO_COUNTRY: &str = "*";

/// A service row as the write paths need it.
#[derive(Debug, Clone)]
pub(crate) struct Stored {
    pub service: Service,
    pub version: i64,
    pub removed: bool,
    /// Regions the service left, with the sequence value of each move.
    pub left_at: BTreeMap<String, i64>,
    /// From this sequence value on, devices hold the service and need only patches
    /// ([`njia_server_database::delta`]).
    pub base_seq: i64,
    /// Fields changed since `base_seq`, with the sequence value of their last change.
    pub field_seqs: FieldSeqs,
}

impl Stored {
    /// A service new to the directory, written at sequence value `seq`.
    pub fn new(service: Service, seq: i64) -> Stored {
        Stored {
            service,
            version: 1,
            removed: false,
            left_at: BTreeMap::new(),
            base_seq: seq,
            field_seqs: FieldSeqs::new(),
        }
    }

    /// The row after `service` replaces this one at sequence value `seq` (a change: the
    /// version goes up one). When the country changes, the region it leaves remembers when,
    /// so that region's devices get a removal. A removed service coming back is new to
    /// devices again (they deleted it), so its field history restarts.
    pub fn replaced_by(&self, service: Service, seq: i64) -> Stored {
        let mut left_at = self.left_at.clone();
        if self.service.country != service.country {
            let from = self.service.country.as_deref().unwrap_or(NO_COUNTRY);
            left_at.insert(from.to_string(), seq);
        }
        let (base_seq, field_seqs) = if self.removed {
            (seq, FieldSeqs::new())
        } else {
            let mut seqs = self.field_seqs.clone();
            record_change(&mut seqs, &self.service, &service, seq);
            (self.base_seq, seqs)
        };
        Stored {
            service,
            version: self.version + 1,
            removed: false,
            left_at,
            base_seq,
            field_seqs,
        }
    }
}

/// Takes the change counter's row lock and returns its value: from here to commit, this
/// transaction is the only writer of the feed, and its values follow the returned one.
/// For directory writes, which read rows they then change.
pub(crate) async fn lock_counter(tx: &Transaction<'_>) -> DbResult<i64> {
    let stmt = tx
        .prepare_cached("SELECT value FROM change_counter FOR UPDATE")
        .await
        .map_err(backend)?;
    Ok(tx.query_one(&stmt, &[]).await.map_err(backend)?.get(0))
}

/// Sets the counter (locked by [`lock_counter`]) to the last value used.
pub(crate) async fn set_counter(tx: &Transaction<'_>, value: i64) -> DbResult<()> {
    let stmt = tx
        .prepare_cached("UPDATE change_counter SET value = $1")
        .await
        .map_err(backend)?;
    tx.execute(&stmt, &[&value]).await.map_err(backend)?;
    Ok(())
}

fn to_doc(s: &Service) -> DbResult<Value> {
    serde_json::to_value(s).map_err(backend)
}

fn from_doc(id: &str, doc: Value) -> DbResult<Service> {
    serde_json::from_value(doc).map_err(|e| corrupt(&format!("service {id}"), e))
}

fn stored_row(row: &Row) -> DbResult<(String, Stored)> {
    let id: String = row.get("id");
    let service = from_doc(&id, row.get("doc"))?;
    let left_at = serde_json::from_value(row.get("left_at"))
        .map_err(|e| corrupt(&format!("left_at of service {id}"), e))?;
    let field_seqs = serde_json::from_value(row.get("field_seqs"))
        .map_err(|e| corrupt(&format!("field_seqs of service {id}"), e))?;
    Ok((
        id,
        Stored {
            service,
            version: row.get("version"),
            removed: row.get("removed"),
            left_at,
            base_seq: row.get("base_seq"),
            field_seqs,
        },
    ))
}

/// The rows of these ids, removed ones included.
pub(crate) async fn load(tx: &Transaction<'_>, ids: &[&str]) -> DbResult<HashMap<String, Stored>> {
    let stmt = tx
        .prepare_cached(
            "SELECT id, doc, version, removed, left_at, base_seq, field_seqs FROM service
              WHERE id = ANY($1)",
        )
        .await
        .map_err(backend)?;
    tx.query(&stmt, &[&ids])
        .await
        .map_err(backend)?
        .iter()
        .map(stored_row)
        .collect()
}

/// Writes services (inserted, changed or revived) with their new sequence values, in one
/// statement however many there are.
pub(crate) async fn write(
    tx: &Transaction<'_>,
    rows: &[(&Stored, i64)],
    now: DateTime<Utc>,
) -> DbResult<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let mut ids = Vec::with_capacity(rows.len());
    let mut docs = Vec::with_capacity(rows.len());
    let mut countries = Vec::with_capacity(rows.len());
    let mut left = Vec::with_capacity(rows.len());
    let mut versions = Vec::with_capacity(rows.len());
    let mut seqs = Vec::with_capacity(rows.len());
    let mut bases = Vec::with_capacity(rows.len());
    let mut field_seqs = Vec::with_capacity(rows.len());
    for (s, seq) in rows {
        ids.push(s.service.id.as_str());
        docs.push(to_doc(&s.service)?);
        countries.push(s.service.country.as_deref());
        left.push(serde_json::to_value(&s.left_at).map_err(backend)?);
        versions.push(s.version);
        seqs.push(*seq);
        bases.push(s.base_seq);
        field_seqs.push(serde_json::to_value(&s.field_seqs).map_err(backend)?);
    }
    let stmt = tx
        .prepare_cached(
            "INSERT INTO service (id, doc, country, left_at, version, change_seq, removed, updated_at,
                                  base_seq, field_seqs)
             SELECT u.id, u.doc, u.country, u.left_at, u.version, u.change_seq, FALSE, $7,
                    u.base_seq, u.field_seqs
               FROM UNNEST($1::text[], $2::json[], $3::text[], $4::jsonb[], $5::int8[], $6::int8[],
                           $8::int8[], $9::jsonb[])
                    AS u(id, doc, country, left_at, version, change_seq, base_seq, field_seqs)
             ON CONFLICT (id) DO UPDATE SET
                 doc = EXCLUDED.doc, country = EXCLUDED.country,
                 left_at = EXCLUDED.left_at, version = EXCLUDED.version,
                 change_seq = EXCLUDED.change_seq, removed = FALSE, updated_at = EXCLUDED.updated_at,
                 base_seq = EXCLUDED.base_seq, field_seqs = EXCLUDED.field_seqs",
        )
        .await
        .map_err(backend)?;
    tx.execute(
        &stmt,
        &[
            &ids,
            &docs,
            &countries,
            &left,
            &versions,
            &seqs,
            &now,
            &bases,
            &field_seqs,
        ],
    )
    .await
    .map_err(backend)?;
    Ok(())
}

/// Turns services into tombstones at their next version, each with its new sequence value.
pub(crate) async fn write_removals(
    tx: &Transaction<'_>,
    ids: &[&str],
    seqs: &[i64],
    now: DateTime<Utc>,
) -> DbResult<()> {
    if ids.is_empty() {
        return Ok(());
    }
    let stmt = tx
        .prepare_cached(
            "UPDATE service SET removed = TRUE, version = version + 1, change_seq = u.seq,
                    updated_at = $3
               FROM UNNEST($1::text[], $2::int8[]) AS u(id, seq)
              WHERE service.id = u.id",
        )
        .await
        .map_err(backend)?;
    tx.execute(&stmt, &[&ids, &seqs, &now])
        .await
        .map_err(backend)?;
    Ok(())
}

pub(crate) async fn import_services(
    client: &mut Client,
    services: Vec<Service>,
    now: DateTime<Utc>,
) -> DbResult<ImportSummary> {
    let mut normalized = Vec::with_capacity(services.len());
    for (i, s) in services.into_iter().enumerate() {
        let id = s.id.clone();
        let s = s.normalize().map_err(|e| {
            let who = if id.trim().is_empty() {
                format!("service {} of the import", i + 1)
            } else {
                format!("service \"{}\"", id.trim())
            };
            DbError::Invalid(format!("{who}: {e}"))
        })?;
        normalized.push(s);
    }
    let tx = client.transaction().await.map_err(backend)?;
    let mut seq = lock_counter(&tx).await?;
    let start = seq;
    let ids: Vec<&str> = normalized.iter().map(|s| s.id.as_str()).collect();
    let mut current = load(&tx, &ids).await?;
    let mut summary = ImportSummary::default();
    // The same id twice in one import counts as it would one after the other.
    let mut changed: HashMap<String, i64> = HashMap::new();
    for s in normalized {
        let next = match current.get(&s.id) {
            None => {
                summary.inserted += 1;
                Stored::new(s, seq + 1)
            }
            Some(cur) if !cur.removed && cur.service == s => {
                summary.unchanged += 1;
                continue;
            }
            Some(cur) => {
                // A removed service coming back is new to the devices again.
                if cur.removed {
                    summary.inserted += 1;
                } else {
                    summary.updated += 1;
                }
                cur.replaced_by(s, seq + 1)
            }
        };
        seq += 1;
        changed.insert(next.service.id.clone(), seq);
        current.insert(next.service.id.clone(), next);
    }
    let mut rows: Vec<(&Stored, i64)> = changed
        .iter()
        .map(|(id, seq)| (&current[id], *seq))
        .collect();
    rows.sort_by_key(|(_, seq)| *seq);
    write(&tx, &rows, now).await?;
    if seq != start {
        set_counter(&tx, seq).await?;
    }
    tx.commit().await.map_err(backend)?;
    Ok(summary)
}

pub(crate) async fn remove_services(
    client: &mut Client,
    ids: Vec<String>,
    now: DateTime<Utc>,
) -> DbResult<u64> {
    let tx = client.transaction().await.map_err(backend)?;
    let start = lock_counter(&tx).await?;
    let mut seen = HashSet::new();
    let wanted: Vec<&str> = ids
        .iter()
        .map(|id| id.trim())
        .filter(|id| seen.insert(*id))
        .collect();
    let current = load(&tx, &wanted).await?;
    let gone: Vec<&str> = wanted
        .into_iter()
        .filter(|id| current.get(*id).is_some_and(|s| !s.removed))
        .collect();
    let seqs: Vec<i64> = (1..=gone.len() as i64).map(|i| start + i).collect();
    write_removals(&tx, &gone, &seqs, now).await?;
    if let Some(last) = seqs.last() {
        set_counter(&tx, *last).await?;
    }
    tx.commit().await.map_err(backend)?;
    Ok(gone.len() as u64)
}

fn version_row(row: &Row) -> DbResult<ServiceVersion> {
    let id: String = row.get("id");
    Ok(ServiceVersion {
        service: from_doc(&id, row.get("doc"))?,
        version: row.get("version"),
    })
}

pub(crate) async fn service(client: &Client, id: &str) -> DbResult<Option<ServiceVersion>> {
    let stmt = client
        .prepare_cached("SELECT id, doc, version FROM service WHERE id = $1 AND NOT removed")
        .await
        .map_err(backend)?;
    client
        .query_opt(&stmt, &[&id.trim()])
        .await
        .map_err(backend)?
        .as_ref()
        .map(version_row)
        .transpose()
}

pub(crate) async fn services(client: &Client) -> DbResult<Vec<ServiceVersion>> {
    let stmt = client
        .prepare_cached("SELECT id, doc, version FROM service WHERE NOT removed ORDER BY id")
        .await
        .map_err(backend)?;
    client
        .query(&stmt, &[])
        .await
        .map_err(backend)?
        .iter()
        .map(version_row)
        .collect()
}
