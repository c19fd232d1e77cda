//! How values are written to and read from SQLite columns: times as fixed-width RFC 3339 UTC
//! text, ids as hyphenated UUID text, lists and documents as JSON text.

use chrono::{DateTime, SecondsFormat, Utc};
use njia_model::wire::Role;
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::error::{Error, Result};

pub(crate) fn ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

pub(crate) fn parse_ts(s: &str) -> Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| Error::corrupt("time", format!("{s:?}: {e}")))
}

pub(crate) fn parse_opt_ts(s: Option<String>) -> Result<Option<DateTime<Utc>>> {
    s.as_deref().map(parse_ts).transpose()
}

pub(crate) fn parse_uuid(s: &str) -> Result<Uuid> {
    Uuid::parse_str(s).map_err(|e| Error::corrupt("id", format!("{s:?}: {e}")))
}

pub(crate) fn parse_role(s: &str) -> Result<Role> {
    match s {
        "worker" => Ok(Role::Worker),
        "supervisor" => Ok(Role::Supervisor),
        other => Err(Error::corrupt("role", other)),
    }
}

pub(crate) fn to_json(v: &impl serde::Serialize) -> Result<String> {
    serde_json::to_string(v).map_err(|e| Error::backend(format!("cannot encode JSON: {e}")))
}

pub(crate) fn parse_object(what: &str, s: &str) -> Result<Map<String, Value>> {
    serde_json::from_str(s).map_err(|e| Error::corrupt(what, e))
}

pub(crate) fn parse_strings(what: &str, s: &str) -> Result<Vec<String>> {
    serde_json::from_str(s).map_err(|e| Error::corrupt(what, e))
}
