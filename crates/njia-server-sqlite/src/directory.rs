//! The service directory: imports, removals and reads. Every change takes the next value of
//! the global sequence, so it goes down the change feed exactly once in its latest version.

use chrono::{DateTime, Utc};
use njia_model::service::Service;
use njia_model::wire::ServiceVersion;
use njia_server_database::delta::{record_change, FieldSeqs};
use njia_server_database::ImportSummary;
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};

use crate::codec::{parse_strings, to_json, ts};
use crate::error::{Error, Result};

/// Takes the next value of the one global sequence; call it only inside a write transaction,
/// whose lock keeps values visible in the order they were taken.
pub(crate) fn next_seq(conn: &Connection) -> Result<i64> {
    Ok(conn
        .prepare_cached("UPDATE sequence SET value = value + 1 WHERE id = 1 RETURNING value")?
        .query_row([], |r| r.get(0))?)
}

/// The last value the global sequence handed out.
pub(crate) fn current_seq(conn: &Connection) -> Result<i64> {
    Ok(conn
        .prepare_cached("SELECT value FROM sequence WHERE id = 1")?
        .query_row([], |r| r.get(0))?)
}

/// What writing a service did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Put {
    Inserted,
    Updated,
    Unchanged,
}

/// A service row as stored.
pub(crate) struct StoredService {
    pub doc: String,
    pub country: Option<String>,
    pub version: i64,
    pub removed: bool,
    pub previous_countries: Vec<String>,
    /// Fields changed since the service was last new to devices ([`njia_server_database::delta`]).
    pub field_seqs: FieldSeqs,
}

pub(crate) fn load(conn: &Connection, id: &str) -> Result<Option<StoredService>> {
    let row = conn
        .prepare_cached(
            "SELECT doc, country, version, removed, previous_countries, field_seqs
               FROM service WHERE id = ?1",
        )?
        .query_row([id], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, Option<String>>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, bool>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, String>(5)?,
            ))
        })
        .optional()?;
    row.map(|(doc, country, version, removed, prev, field_seqs)| {
        Ok(StoredService {
            doc,
            country,
            version,
            removed,
            previous_countries: parse_strings("previous countries", &prev)?,
            field_seqs: parse_field_seqs(&field_seqs)?,
        })
    })
    .transpose()
}

pub(crate) fn parse_field_seqs(text: &str) -> Result<FieldSeqs> {
    serde_json::from_str(text).map_err(|e| Error::corrupt("field sequence values", e))
}

pub(crate) fn decode_service(doc: &str) -> Result<Service> {
    serde_json::from_str(doc).map_err(|e| Error::corrupt("service", e))
}

/// Writes a normalised service: inserted at version 1, or, if it differs from the stored one
/// (or was removed), updated at the next version; an identical service is left untouched.
pub(crate) fn put_service(conn: &Connection, s: &Service, now: DateTime<Utc>) -> Result<Put> {
    let doc = to_json(s)?;
    let Some(old) = load(conn, &s.id)? else {
        let seq = next_seq(conn)?;
        conn.prepare_cached(
            "INSERT INTO service (id, doc, country, version, change_seq, removed, updated_at,
                                  base_seq, field_seqs)
             VALUES (?1, ?2, ?3, 1, ?4, 0, ?5, ?4, '{}')",
        )?
        .execute(params![s.id, doc, s.country, seq, ts(now)])?;
        return Ok(Put::Inserted);
    };
    if !old.removed && old.doc == doc {
        return Ok(Put::Unchanged);
    }
    let mut previous = old.previous_countries;
    if old.country != s.country {
        let left = old.country.unwrap_or_default();
        if !previous.contains(&left) {
            previous.push(left);
        }
    }
    let seq = next_seq(conn)?;
    // A revived service is new to devices again (they deleted it): its history restarts.
    let (base_seq, field_seqs) = if old.removed {
        (Some(seq), FieldSeqs::new())
    } else {
        let mut seqs = old.field_seqs;
        record_change(&mut seqs, &decode_service(&old.doc)?, s, seq);
        (None, seqs)
    };
    conn.prepare_cached(
        "UPDATE service SET doc = ?2, country = ?3, version = version + 1, change_seq = ?4,
                removed = 0, previous_countries = ?5, updated_at = ?6,
                base_seq = coalesce(?7, base_seq), field_seqs = ?8
          WHERE id = ?1",
    )?
    .execute(params![
        s.id,
        doc,
        s.country,
        seq,
        to_json(&previous)?,
        ts(now),
        base_seq,
        to_json(&field_seqs)?
    ])?;
    Ok(if old.removed {
        Put::Inserted
    } else {
        Put::Updated
    })
}

/// Turns a service into a tombstone at the next version; false if unknown or already removed.
pub(crate) fn remove_service(conn: &Connection, id: &str, now: DateTime<Utc>) -> Result<bool> {
    match load(conn, id)? {
        Some(old) if !old.removed => {
            let seq = next_seq(conn)?;
            conn.prepare_cached(
                "UPDATE service SET removed = 1, version = version + 1, change_seq = ?2,
                        updated_at = ?3
                  WHERE id = ?1",
            )?
            .execute(params![id, seq, ts(now)])?;
            Ok(true)
        }
        _ => Ok(false),
    }
}

pub(crate) fn import_services(
    conn: &mut Connection,
    services: Vec<Service>,
    now: DateTime<Utc>,
) -> Result<ImportSummary> {
    let services = services
        .into_iter()
        .enumerate()
        .map(|(i, s)| {
            let id = s.id.trim().to_string();
            s.normalize().map_err(|e| {
                let which = if id.is_empty() {
                    format!("service #{} (no id)", i + 1)
                } else {
                    format!("service \"{id}\"")
                };
                Error::invalid(format!("{which}: {e}"))
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let mut summary = ImportSummary::default();
    for s in &services {
        match put_service(&tx, s, now)? {
            Put::Inserted => summary.inserted += 1,
            Put::Updated => summary.updated += 1,
            Put::Unchanged => summary.unchanged += 1,
        }
    }
    tx.commit()?;
    Ok(summary)
}

pub(crate) fn remove_services(
    conn: &mut Connection,
    ids: Vec<String>,
    now: DateTime<Utc>,
) -> Result<u64> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let mut removed = 0;
    for id in &ids {
        if remove_service(&tx, id.trim(), now)? {
            removed += 1;
        }
    }
    tx.commit()?;
    Ok(removed)
}

pub(crate) fn service(conn: &Connection, id: &str) -> Result<Option<ServiceVersion>> {
    match load(conn, id.trim())? {
        Some(s) if !s.removed => Ok(Some(ServiceVersion {
            service: decode_service(&s.doc)?,
            version: s.version,
        })),
        _ => Ok(None),
    }
}

pub(crate) fn services(conn: &mut Connection) -> Result<Vec<ServiceVersion>> {
    let tx = conn.transaction()?;
    let mut out = Vec::new();
    {
        let mut stmt =
            tx.prepare_cached("SELECT doc, version FROM service WHERE removed = 0 ORDER BY id")?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            out.push(ServiceVersion {
                service: decode_service(&r.get::<_, String>(0)?)?,
                version: r.get(1)?,
            });
        }
    }
    tx.commit()?;
    Ok(out)
}
