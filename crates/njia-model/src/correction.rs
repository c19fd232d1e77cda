//! Corrections of the directory: which fields a CHW may propose to change, and what a
//! service looks like once a correction is accepted. One place for the device's check, both
//! server backends and the review commands.

use crate::service::{Service, MAX_TEXT_LEN};
use crate::wire::Correction;

/// Longest note a CHW may attach to a correction.
pub const MAX_NOTE_LEN: usize = 2_000;

/// Checks a correction as the server receives it: a field that can be corrected, a service
/// id, text of sensible length. Whether the service exists is the server's check.
pub fn check(c: &Correction) -> Result<(), String> {
    let field = c.field.as_str();
    if !FIELDS.contains(&field) {
        return Err(format!(
            "\"{}\" is not a field of a service that can be corrected (one of {})",
            field.chars().take(60).collect::<String>(),
            FIELDS.join(", ")
        ));
    }
    crate::records::check_service_id(c.service_id.as_str())?;
    if c.note.chars().count() > MAX_NOTE_LEN {
        return Err(format!("the note is longer than {MAX_NOTE_LEN} characters"));
    }
    if c.value.as_deref().unwrap_or_default().chars().count() > MAX_TEXT_LEN {
        return Err(format!(
            "the value is longer than {MAX_TEXT_LEN} characters"
        ));
    }
    Ok(())
}

/// The field of a correction that asks for the service to be removed.
pub const CLOSED: &str = "closed";

/// The fields a correction may be about (`closed`: the service no longer exists).
pub const FIELDS: &[&str] = &[
    "name",
    "phone",
    "email",
    "website",
    "address",
    "opening_hours",
    "fees",
    "documents",
    "languages",
    "categories",
    CLOSED,
];

/// The service with the correction's value in `field`, normalised like an import. Lists
/// (`languages`, `categories`) are comma-separated. `closed` is not a value change: the
/// caller removes the service instead.
pub fn apply(mut s: Service, field: &str, value: Option<&str>) -> Result<Service, String> {
    let text = value.map(str::to_string);
    let list = || -> Vec<String> {
        value
            .unwrap_or_default()
            .split(',')
            .map(|p| p.trim().to_string())
            .filter(|p| !p.is_empty())
            .collect()
    };
    match field {
        "name" => s.name = text.unwrap_or_default(),
        "phone" => s.phone = text,
        "email" => s.email = text,
        "website" => s.website = text,
        "address" => s.address = text,
        "opening_hours" => s.opening_hours = text,
        "fees" => s.fees = text,
        "documents" => s.documents = text,
        "languages" => s.languages = list(),
        "categories" => s.categories = list(),
        other => {
            return Err(format!(
                "\"{other}\" is not a field a correction can change"
            ))
        }
    }
    s.normalize().map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_correction_changes_one_field_and_is_validated() {
        let s = Service::new("s", "Old name", -1.0, 36.0);
        let fixed = apply(s.clone(), "phone", Some(" +254 700 ")).unwrap();
        assert_eq!(fixed.phone.as_deref(), Some("+254 700"));
        assert_eq!(fixed.name, "Old name");
        let langs = apply(s.clone(), "languages", Some("SW, so")).unwrap();
        assert_eq!(langs.languages, vec!["sw", "so"]);
        assert!(apply(s.clone(), "categories", Some("hvi")).is_err());
        assert!(apply(s.clone(), "name", Some(" ")).is_err());
        assert!(apply(s, "lat", Some("0")).is_err());
    }
}
