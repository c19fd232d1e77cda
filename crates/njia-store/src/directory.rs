//! The service directory on the device: loading services in bulk and reading one whole.

use std::collections::HashMap;

use chrono::Utc;
use njia_model::service::Service;
use njia_model::taxonomy::category_index;
use rusqlite::{params, Connection, OptionalExtension, Row, Transaction};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::{Result, Store, StoreError};

/// Bits of `service.flags`.
pub(crate) const FLAG_FREE: i64 = 1;
pub(crate) const FLAG_NO_DOCUMENTS: i64 = 2;
pub(crate) const FLAG_INTERPRETER: i64 = 4;
pub(crate) const FLAG_MIGRANT_FRIENDLY: i64 = 8;
pub(crate) const FLAG_MOBILE: i64 = 16;
/// Languages past the 62nd share this bit and get an exact check at query time.
pub(crate) const SHARED_LANGUAGE_BIT: u8 = 62;

/// What an import changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportSummary {
    pub inserted: u64,
    pub updated: u64,
    pub unchanged: u64,
}

/// A service as listed in results: what a CHW needs to choose one, plus the distance when a
/// point was given and whether it is open when a time was given.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ServiceHit {
    pub id: String,
    pub name: String,
    pub lat: f64,
    pub lon: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub distance_m: Option<f64>,
    pub categories: Vec<String>,
    pub languages: Vec<String>,
    pub free_of_charge: bool,
    pub no_documents_required: bool,
    pub interpreter_available: bool,
    pub migrant_friendly: bool,
    pub mobile_outreach: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub organization: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub opening_hours: Option<String>,
    /// Open at the requested time; absent when no time was asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub open: Option<bool>,
}

/// Columns read to build a [`ServiceHit`], in the order [`hit_from_row`] expects.
pub(crate) const HIT_COLUMNS: &str =
    "s.id, s.name, s.lat, s.lon, s.categories, s.languages, s.flags, s.organization, s.address, s.opening_hours, s.detail";

pub(crate) fn hit_from_row(r: &Row<'_>) -> rusqlite::Result<ServiceHit> {
    let flags: i64 = r.get(6)?;
    let detail: String = r.get(10)?;
    let phone = serde_json::from_str::<Map<String, Value>>(&detail)
        .ok()
        .and_then(|d| d.get("phone").and_then(Value::as_str).map(str::to_string));
    Ok(ServiceHit {
        id: r.get(0)?,
        name: r.get(1)?,
        lat: r.get(2)?,
        lon: r.get(3)?,
        distance_m: None,
        categories: split_list(&r.get::<_, String>(4)?),
        languages: split_list(&r.get::<_, String>(5)?),
        free_of_charge: flags & FLAG_FREE != 0,
        no_documents_required: flags & FLAG_NO_DOCUMENTS != 0,
        interpreter_available: flags & FLAG_INTERPRETER != 0,
        migrant_friendly: flags & FLAG_MIGRANT_FRIENDLY != 0,
        mobile_outreach: flags & FLAG_MOBILE != 0,
        organization: r.get(7)?,
        address: r.get(8)?,
        phone,
        opening_hours: r.get(9)?,
        open: None,
    })
}

pub(crate) fn split_list(s: &str) -> Vec<String> {
    s.split(',')
        .filter(|x| !x.is_empty())
        .map(str::to_string)
        .collect()
}

pub(crate) fn category_mask(categories: &[String]) -> i64 {
    categories
        .iter()
        .filter_map(|c| category_index(c))
        .fold(0i64, |m, i| m | (1i64 << i))
}

fn flags_of(s: &Service) -> i64 {
    [
        (s.free_of_charge, FLAG_FREE),
        (s.no_documents_required, FLAG_NO_DOCUMENTS),
        (s.interpreter_available, FLAG_INTERPRETER),
        (s.migrant_friendly, FLAG_MIGRANT_FRIENDLY),
        (s.mobile_outreach, FLAG_MOBILE),
    ]
    .iter()
    .filter(|(on, _)| *on)
    .fold(0, |m, (_, bit)| m | bit)
}

/// The fields of a service that have no column of their own.
#[derive(Serialize, Deserialize, Default)]
struct Detail {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    website: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    country: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    fees: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    documents: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    source: Option<String>,
}

fn load_language_bits(conn: &Connection) -> Result<HashMap<String, u8>> {
    let mut stmt = conn.prepare("SELECT code, bit FROM language")?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, u8>(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Normalises every service and refuses the lot if one is invalid or two share an id.
pub(crate) fn normalize_all(services: &[Service]) -> Result<Vec<Service>> {
    let mut clean = Vec::with_capacity(services.len());
    for (i, s) in services.iter().enumerate() {
        let s = s.clone().normalize().map_err(|e| {
            StoreError::Invalid(njia_model::ValidationError::new(
                format!("services[{i}]"),
                format!("service {} (\"{}\"): {}", i + 1, s.id, e.message),
            ))
        })?;
        clean.push(s);
    }
    let mut seen: HashMap<&str, usize> = HashMap::with_capacity(clean.len());
    for (i, s) in clean.iter().enumerate() {
        if let Some(j) = seen.insert(&s.id, i) {
            return Err(StoreError::Invalid(njia_model::ValidationError::new(
                "id",
                format!("services {} and {} share the id \"{}\"", j + 1, i + 1, s.id),
            )));
        }
    }
    Ok(clean)
}

/// How [`upsert_services`] sets `service.version`.
#[derive(Clone, Copy)]
pub(crate) enum Versions<'a> {
    /// A local import: 1 for a new service, one more for each change.
    Bump,
    /// The server's versions, one per service, written as they are: a device never bumps a
    /// version the server owns.
    Set(&'a [i64]),
}

/// Writes normalised services inside the caller's transaction: new ids inserted, known ids
/// updated, identical rows (same content and, with server versions, same version) left alone.
/// New languages get the next free bit.
///
/// The language table is read here, inside the caller's write transaction, never from a
/// copy kept by the connection: another connection to the file (the app's sync task beside
/// the CLI) may have added languages since, and a stale copy would give a second language a
/// bit already taken or insert a code that is already there.
pub(crate) fn upsert_services(
    tx: &Transaction<'_>,
    services: &[Service],
    versions: Versions<'_>,
    now: &str,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<ImportSummary> {
    let total = services.len() as u64;
    let mut summary = ImportSummary::default();
    let mut existing = tx.prepare_cached(
        "SELECT name, organization, address, lat, lon, categories, languages, flags, opening_hours, timezone, detail, version
           FROM service WHERE id = ?1",
    )?;
    let mut insert = tx.prepare_cached(
        "INSERT INTO service (id, name, organization, address, lat, lon, categories, languages,
                              cat_mask, lang_mask, flags, opening_hours, timezone, detail, version, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, coalesce(?16, 1), ?15)",
    )?;
    let mut update = tx.prepare_cached(
        "UPDATE service SET name = ?2, organization = ?3, address = ?4, lat = ?5, lon = ?6,
                categories = ?7, languages = ?8, cat_mask = ?9, lang_mask = ?10, flags = ?11,
                opening_hours = ?12, timezone = ?13, detail = ?14,
                version = coalesce(?16, version + 1), updated_at = ?15
          WHERE id = ?1",
    )?;
    let mut new_language = tx.prepare_cached("INSERT INTO language(code, bit) VALUES (?1, ?2)")?;
    let mut bits = load_language_bits(tx)?;
    for (n, s) in services.iter().enumerate() {
        let version = match versions {
            Versions::Bump => None,
            Versions::Set(v) => Some(v[n]),
        };
        let mut lang_mask = 0i64;
        for l in &s.languages {
            let bit = match bits.get(l) {
                Some(b) => *b,
                None => {
                    let next = bits.len().min(SHARED_LANGUAGE_BIT as usize) as u8;
                    new_language.execute(params![l, next])?;
                    bits.insert(l.clone(), next);
                    next
                }
            };
            lang_mask |= 1i64 << bit;
        }
        let detail = serde_json::to_string(&Detail {
            description: s.description.clone(),
            phone: s.phone.clone(),
            email: s.email.clone(),
            website: s.website.clone(),
            country: s.country.clone(),
            fees: s.fees.clone(),
            documents: s.documents.clone(),
            source: s.source.clone(),
        })
        .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let categories = s.categories.join(",");
        let languages = s.languages.join(",");
        let flags = flags_of(s);
        let row = (
            s.name.as_str(),
            s.organization.as_deref(),
            s.address.as_deref(),
            s.lat,
            s.lon,
            categories.as_str(),
            languages.as_str(),
            flags,
            s.opening_hours.as_deref(),
            s.timezone.as_deref(),
            detail.as_str(),
        );
        let before = existing
            .query_row([&s.id], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, Option<String>>(1)?,
                    r.get::<_, Option<String>>(2)?,
                    r.get::<_, f64>(3)?,
                    r.get::<_, f64>(4)?,
                    r.get::<_, String>(5)?,
                    r.get::<_, String>(6)?,
                    r.get::<_, i64>(7)?,
                    r.get::<_, Option<String>>(8)?,
                    r.get::<_, Option<String>>(9)?,
                    r.get::<_, String>(10)?,
                    r.get::<_, i64>(11)?,
                ))
            })
            .optional()?;
        let values = params![
            s.id,
            s.name,
            s.organization,
            s.address,
            s.lat,
            s.lon,
            categories,
            languages,
            category_mask(&s.categories),
            lang_mask,
            flags,
            s.opening_hours,
            s.timezone,
            detail,
            now,
            version
        ];
        match before {
            None => {
                insert.execute(values)?;
                summary.inserted += 1;
            }
            Some(b)
                if (
                    b.0.as_str(),
                    b.1.as_deref(),
                    b.2.as_deref(),
                    b.3,
                    b.4,
                    b.5.as_str(),
                    b.6.as_str(),
                    b.7,
                    b.8.as_deref(),
                    b.9.as_deref(),
                    b.10.as_str(),
                ) == row
                    && version.is_none_or(|v| v == b.11) =>
            {
                summary.unchanged += 1
            }
            Some(_) => {
                update.execute(values)?;
                summary.updated += 1;
            }
        }
        if n % 500 == 0 {
            progress(n as u64, total);
        }
    }
    Ok(summary)
}

/// The distinct sources, one index seek each (see [`Store::directory_sources`]).
const SOURCES_SQL: &str = "WITH RECURSIVE src(name) AS ( \
                 SELECT min(json_extract(detail, '$.source')) FROM service \
                 WHERE json_extract(detail, '$.source') IS NOT NULL \
               UNION ALL \
                 SELECT (SELECT min(json_extract(detail, '$.source')) FROM service \
                         WHERE json_extract(detail, '$.source') IS NOT NULL \
                           AND json_extract(detail, '$.source') > src.name) \
                 FROM src WHERE src.name IS NOT NULL) \
             SELECT name FROM src WHERE name IS NOT NULL";

impl Store {
    /// Loads services into the directory in one transaction: new ids are inserted, known ids
    /// updated, identical rows left alone, and the directory's places rebuilt if it changed.
    /// Every service is validated first; one bad service and nothing is stored. `progress(done, total)` is called every few hundred rows.
    pub fn import_services(
        &mut self,
        services: &[Service],
        mut progress: impl FnMut(u64, u64),
    ) -> Result<ImportSummary> {
        let clean = normalize_all(services)?;
        let now = Utc::now().to_rfc3339();
        let tx = crate::write_tx(&self.conn)?;
        let summary = upsert_services(&tx, &clean, Versions::Bump, &now, &mut progress)?;
        crate::places::refresh(&tx)?;
        tx.commit()?;
        let total = clean.len() as u64;
        progress(total, total);
        Ok(summary)
    }

    /// The bit of `service.lang_mask` a language code has, if any service speaks it.
    pub(crate) fn language_bit(&self, code: &str) -> Result<Option<u8>> {
        Ok(self
            .conn
            .prepare_cached("SELECT bit FROM language WHERE code = ?1")?
            .query_row([code], |r| r.get(0))
            .optional()?)
    }

    /// One service whole, as the directory holds it.
    pub fn service(&self, id: &str) -> Result<Option<Service>> {
        let row = self
            .conn
            .query_row(
                "SELECT id, name, organization, address, lat, lon, categories, languages, flags,
                        opening_hours, timezone, detail
                   FROM service WHERE id = ?1",
                [id],
                |r| {
                    Ok((
                        Service {
                            id: r.get(0)?,
                            name: r.get(1)?,
                            organization: r.get(2)?,
                            address: r.get(3)?,
                            lat: r.get(4)?,
                            lon: r.get(5)?,
                            categories: split_list(&r.get::<_, String>(6)?),
                            languages: split_list(&r.get::<_, String>(7)?),
                            opening_hours: r.get(9)?,
                            timezone: r.get(10)?,
                            ..Service::new("", "", 0.0, 0.0)
                        },
                        r.get::<_, i64>(8)?,
                        r.get::<_, String>(11)?,
                    ))
                },
            )
            .optional()?;
        let Some((mut s, flags, detail)) = row else {
            return Ok(None);
        };
        let d: Detail = serde_json::from_str(&detail)
            .map_err(|e| StoreError::Corrupt(format!("service {id}: {e}")))?;
        s.free_of_charge = flags & FLAG_FREE != 0;
        s.no_documents_required = flags & FLAG_NO_DOCUMENTS != 0;
        s.interpreter_available = flags & FLAG_INTERPRETER != 0;
        s.migrant_friendly = flags & FLAG_MIGRANT_FRIENDLY != 0;
        s.mobile_outreach = flags & FLAG_MOBILE != 0;
        s.description = d.description;
        s.phone = d.phone;
        s.email = d.email;
        s.website = d.website;
        s.country = d.country;
        s.fees = d.fees;
        s.documents = d.documents;
        s.source = d.source;
        Ok(Some(s))
    }

    /// Whether the directory holds a service with this id.
    pub fn has_service(&self, id: &str) -> Result<bool> {
        Ok(self
            .conn
            .prepare_cached("SELECT 1 FROM service WHERE id = ?1")?
            .exists([id])?)
    }

    /// The highest rowid of the directory: about its size, found in O(log n).
    pub(crate) fn max_rowid(&self) -> Result<i64> {
        Ok(self
            .conn
            .query_row("SELECT coalesce(max(rowid), 0) FROM service", [], |r| {
                r.get(0)
            })?)
    }

    /// The sources the directory's services came from (`healthsites.io`…), for the
    /// attribution their licences ask for on the about screen. A handful of sources among
    /// 100k services: each step seeks the next one in the `service_source` index, so this
    /// neither reads the directory nor sorts it.
    pub fn directory_sources(&self) -> Result<Vec<String>> {
        let mut stmt = self.conn.prepare_cached(SOURCES_SQL)?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// How many services the directory holds.
    pub fn service_count(&self) -> Result<u64> {
        Ok(self
            .conn
            .query_row("SELECT count(*) FROM service", [], |r| r.get::<_, i64>(0))?
            as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::SOURCES_SQL;

    #[test]
    fn listing_sources_seeks_the_index_and_never_scans_the_directory() {
        let dir = tempfile::tempdir().unwrap();
        let store = crate::Store::open(&dir.path().join("s.db"), "a passphrase").unwrap();
        let plan: Vec<String> = store
            .conn
            .prepare(&format!("EXPLAIN QUERY PLAN {SOURCES_SQL}"))
            .unwrap()
            .query_map([], |r| r.get::<_, String>(3))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert!(
            plan.iter().any(|p| p.contains("service_source")),
            "{plan:?}"
        );
        assert!(
            !plan.iter().any(|p| p.starts_with("SCAN service")),
            "{plan:?}"
        );
    }
}
