//! Corrections (DESIGN §2, §3): a CHW who finds a service closed or a phone wrong files a
//! proposal that syncs up for review. Devices never edit directory rows: the service stays as
//! the server sent it until a curator accepts the correction and the change comes back down.

use chrono::{DateTime, SecondsFormat, SubsecRound, Utc};
use njia_model::service::MAX_TEXT_LEN;
use njia_model::taxonomy::{parse_category, parse_language};
use njia_model::wire::Correction;
use njia_model::ValidationError;
use opening_hours::OpeningHours;
use rusqlite::{params, OptionalExtension};
use serde::Serialize;
use uuid::Uuid;

use crate::{Result, Store, StoreError};

/// The fields a correction may be about; `closed` says the service no longer exists.
pub use njia_model::correction::FIELDS as CORRECTION_FIELDS;

/// Longest note accepted with a correction.
pub const MAX_NOTE_LEN: usize = 2_000;

/// A correction as the device holds it: what goes to the server, and whether it has arrived.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredCorrection {
    #[serde(flatten)]
    pub correction: Correction,
    /// The server holds it (a curator will review it there).
    pub acked: bool,
}

impl Store {
    /// Files a correction of a service of the device's directory, based on the version the
    /// device holds. `value` is the proposed value (required for every field but `closed`);
    /// lists (`languages`, `categories`) are comma-separated. Refused in words, and nothing
    /// stored, when the service is unknown, the field is not one of [`CORRECTION_FIELDS`], or
    /// the value is not valid for the field or is what the directory already says.
    pub fn add_correction(
        &mut self,
        service_id: &str,
        field: &str,
        value: Option<&str>,
        note: &str,
    ) -> Result<Correction> {
        let service_id = service_id.trim();
        let field = field.trim().to_lowercase().replace('-', "_");
        if !CORRECTION_FIELDS.contains(&field.as_str()) {
            return Err(ValidationError::new(
                "field",
                format!(
                    "\"{field}\" is not a field a correction can be about (one of: {})",
                    CORRECTION_FIELDS.join(", ")
                ),
            )
            .into());
        }
        let note = note.trim().to_string();
        if note.chars().count() > MAX_NOTE_LEN {
            return Err(ValidationError::new(
                "note",
                format!("the note is longer than {MAX_NOTE_LEN} characters"),
            )
            .into());
        }
        let value = value.map(str::trim).filter(|v| !v.is_empty());
        let value = match (field.as_str(), value) {
            ("closed", v) => v.map(str::to_string),
            (_, None) => {
                return Err(ValidationError::new(
                    "value",
                    format!(
                        "give the correct {field} (--value); to say the service no longer exists, use the field closed"
                    ),
                )
                .into())
            }
            (f, Some(v)) => Some(check_value(f, v)?),
        };
        // One transaction: the version read is the one the correction is filed against.
        let tx = crate::write_tx(&self.conn)?;
        let version: i64 = tx
            .query_row(
                "SELECT version FROM service WHERE id = ?1",
                [service_id],
                |r| r.get(0),
            )
            .optional()?
            .ok_or_else(|| StoreError::ServiceNotFound(service_id.to_string()))?;
        if let (Some(v), Some(current)) = (&value, self.current_value(service_id, &field)?) {
            if *v == current {
                return Err(ValidationError::new(
                    "value",
                    format!(
                        "the directory already says {field} is \"{current}\": nothing to correct"
                    ),
                )
                .into());
            }
        }
        let c = Correction {
            id: Uuid::now_v7(),
            service_id: service_id.to_string(),
            field,
            value,
            note,
            based_on_version: version,
            // Stored to the microsecond: the returned value equals what is read back.
            created_at: Utc::now().trunc_subsecs(6),
        };
        tx.execute(
            "INSERT INTO correction (id, service_id, field, value, note, based_on_version, created_at, acked)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 0)",
            params![
                c.id.to_string(),
                c.service_id,
                c.field,
                c.value,
                c.note,
                c.based_on_version,
                c.created_at.to_rfc3339_opts(SecondsFormat::Micros, true)
            ],
        )?;
        tx.commit()?;
        Ok(c)
    }

    /// Corrections the server has not acknowledged yet, oldest first, at most `limit`.
    pub fn pending_corrections(&self, limit: usize) -> Result<Vec<Correction>> {
        Ok(self
            .list_corrections(true, limit)?
            .into_iter()
            .map(|c| c.correction)
            .collect())
    }

    /// Every correction filed on this device, oldest first, sent or not.
    pub fn corrections(&self) -> Result<Vec<StoredCorrection>> {
        self.list_corrections(false, usize::MAX)
    }

    fn list_corrections(&self, pending_only: bool, limit: usize) -> Result<Vec<StoredCorrection>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, service_id, field, value, note, based_on_version, created_at, acked
               FROM correction WHERE (?1 = 0 OR acked = 0)
              ORDER BY created_at, id LIMIT ?2",
        )?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = stmt
            .query_map(params![pending_only, limit], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, Option<String>>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, i64>(5)?,
                    r.get::<_, String>(6)?,
                    r.get::<_, i64>(7)?,
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        rows.into_iter()
            .map(
                |(id, service_id, field, value, note, version, created, acked)| {
                    let corrupt = |e: &dyn std::fmt::Display| {
                        StoreError::Corrupt(format!("correction {id}: {e}"))
                    };
                    Ok(StoredCorrection {
                        correction: Correction {
                            id: Uuid::parse_str(&id).map_err(|e| corrupt(&e))?,
                            service_id,
                            field,
                            value,
                            note,
                            based_on_version: version,
                            created_at: DateTime::parse_from_rfc3339(&created)
                                .map_err(|e| corrupt(&e))?
                                .with_timezone(&Utc),
                        },
                        acked: acked == 1,
                    })
                },
            )
            .collect()
    }

    /// What the directory says for a correctable field, in the form a correction gives it.
    fn current_value(&self, service_id: &str, field: &str) -> Result<Option<String>> {
        let Some(s) = self.service(service_id)? else {
            return Ok(None);
        };
        Ok(match field {
            "name" => Some(s.name),
            "phone" => s.phone,
            "address" => s.address,
            "opening_hours" => s.opening_hours,
            "email" => s.email,
            "website" => s.website,
            "fees" => s.fees,
            "documents" => s.documents,
            "languages" => Some(s.languages.join(",")),
            "categories" => Some(s.categories.join(",")),
            _ => None,
        })
    }
}

/// Checks and normalises a proposed value for a field, so the office receives something it
/// can accept as it is.
fn check_value(field: &str, value: &str) -> Result<String> {
    let bad = |m: String| -> StoreError { ValidationError::new("value", m).into() };
    if value.chars().count() > MAX_TEXT_LEN {
        return Err(bad(format!(
            "the value is longer than {MAX_TEXT_LEN} characters"
        )));
    }
    Ok(match field {
        "languages" | "categories" => {
            let mut out: Vec<String> = Vec::new();
            for item in value.split(',').map(str::trim).filter(|i| !i.is_empty()) {
                let code = if field == "languages" {
                    parse_language(item)
                } else {
                    parse_category(item)
                }
                .map_err(bad)?;
                if !out.contains(&code) {
                    out.push(code);
                }
            }
            if out.is_empty() {
                return Err(bad(format!(
                    "give at least one of the {field}, comma-separated"
                )));
            }
            out.join(",")
        }
        "opening_hours" => {
            value.parse::<OpeningHours>().map_err(|e| {
                bad(format!(
                    "\"{value}\" is not in OpenStreetMap opening_hours syntax (like Mo-Fr 08:00-17:00; Sa 09:00-13:00): {e}"
                ))
            })?;
            value.to_string()
        }
        "phone" if !value.chars().any(|c| c.is_ascii_digit()) => {
            return Err(bad(format!("\"{value}\" is not a phone number")));
        }
        "email" if !value.contains('@') || value.contains(char::is_whitespace) => {
            return Err(bad(format!("\"{value}\" is not an email address")));
        }
        "name" => value.split_whitespace().collect::<Vec<_>>().join(" "),
        _ => value.to_string(),
    })
}
