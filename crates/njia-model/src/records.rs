//! The rules a merged outreach record keeps on every replica. Operations are merged field by
//! field (`ops::apply_patch`), so an update that is harmless alone can still leave a record
//! no report or editor can read (`lat: "garbage"`, a referral without a service). The server
//! checks the merged result of every pushed operation with these functions and refuses the
//! operation when it fails; devices check what they receive with the same ones. One
//! implementation, so a record the server holds is always one a device can show.

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::ops::{OpKind, Operation};
use crate::outreach::{check_client_code, SessionInput};
use crate::service::MAX_ID_LEN;
use crate::taxonomy::parse_category;

/// Fields a session operation may set.
pub const SESSION_FIELDS: &[&str] = &[
    "started_at",
    "ended_at",
    "place",
    "lat",
    "lon",
    "accuracy_m",
    "admin_area",
    "activity",
    "topics",
    "reached",
    "materials",
    "notes",
    "status",
    "void_reason",
];

/// Fields a referral operation may set. `service_name`, `service_phone` and
/// `service_address` keep the service as it was when the referral was made, so a referral
/// still says where the client went after the service left the directory.
pub const REFERRAL_FIELDS: &[&str] = &[
    "session_id",
    "service_id",
    "reason",
    "urgency",
    "client_code",
    "follow_up_on",
    "status",
    "service_name",
    "service_phone",
    "service_address",
];

/// A void's reason longer than this is a note, not a reason.
pub const MAX_VOID_REASON_LEN: usize = 500;
/// Longest copy of a service's name, phone or address kept on a referral.
pub const MAX_SNAPSHOT_LEN: usize = 500;

/// Checks what an operation may carry before it is merged: field names of its kind, and a
/// create that names what a new record needs. The merged result is checked by
/// [`check_session`] / [`check_referral`].
pub fn check_operation(op: &Operation) -> Result<(), String> {
    let allowed = if op.kind.is_session() {
        SESSION_FIELDS
    } else {
        REFERRAL_FIELDS
    };
    let what = if op.kind.is_session() {
        "a session"
    } else {
        "a referral"
    };
    for k in op.payload.keys() {
        if !allowed.contains(&k.as_str()) {
            return Err(format!("\"{}\" is not a field of {what}", clip(k)));
        }
    }
    if op.kind == OpKind::SessionVoid
        && op.payload.get("status").and_then(Value::as_str) != Some("voided")
    {
        return Err("a void must set the status to voided".into());
    }
    Ok(())
}

/// Checks the merged state of a session. `now` is the checking clock's time for the rule
/// that a session cannot start more than a day ahead; `None` skips that rule (a device
/// merging what the server already accepted by its own clock).
pub fn check_session(doc: &Map<String, Value>, now: Option<DateTime<Utc>>) -> Result<(), String> {
    for k in doc.keys() {
        if !SESSION_FIELDS.contains(&k.as_str()) {
            return Err(format!("\"{}\" is not a field of a session", clip(k)));
        }
    }
    let mut fields = doc.clone();
    let status = fields.remove("status");
    let void_reason = fields.remove("void_reason");
    let status = match status.as_ref().and_then(Value::as_str) {
        Some(s @ ("draft" | "final" | "voided")) => s,
        Some(other) => {
            return Err(format!(
                "status \"{}\" is not draft, final or voided",
                clip(other)
            ))
        }
        None => return Err("a session needs a status: draft, final or voided".into()),
    };
    match void_reason {
        None | Some(Value::Null) if status == "voided" => {
            return Err("a voided session needs its reason".into())
        }
        None | Some(Value::Null) => {}
        Some(Value::String(r)) if r.chars().count() > MAX_VOID_REASON_LEN => {
            return Err(format!(
                "the void reason is longer than {MAX_VOID_REASON_LEN} characters"
            ))
        }
        Some(Value::String(r)) if status == "voided" && r.trim().is_empty() => {
            return Err("a voided session needs its reason".into())
        }
        Some(Value::String(_)) => {}
        Some(_) => return Err("void_reason is not text".into()),
    }
    let as_input = if status == "voided" { "final" } else { status };
    fields.insert("status".into(), Value::String(as_input.into()));
    let input = SessionInput::from_value(Value::Object(fields)).map_err(|e| e.message)?;
    match now {
        Some(now) => input.validate(now),
        None => input.validate_ignoring_future(),
    }
    .map(|_| ())
    .map_err(|e| e.message)
}

/// Checks the merged state of a referral: a service id that can be one, a reason of the
/// taxonomy, known urgency and status, a pseudonymous client code, a date for the
/// follow-up. Whether the service is in the directory is the caller's check, made only for
/// new referrals (a service may leave the directory after a referral to it).
pub fn check_referral(doc: &Map<String, Value>) -> Result<(), String> {
    for k in doc.keys() {
        if !REFERRAL_FIELDS.contains(&k.as_str()) {
            return Err(format!("\"{}\" is not a field of a referral", clip(k)));
        }
    }
    match doc.get("service_id") {
        Some(Value::String(id)) => check_service_id(id)?,
        Some(Value::Null) | None => return Err("a referral needs a service_id".into()),
        Some(_) => return Err("service_id is not text".into()),
    }
    match doc.get("reason") {
        Some(Value::String(r)) => {
            parse_category(r).map_err(|m| format!("reason: {m}"))?;
        }
        Some(Value::Null) | None => return Err("a referral needs a reason".into()),
        Some(_) => return Err("reason is not text".into()),
    }
    match doc.get("urgency") {
        None | Some(Value::Null) => {}
        Some(Value::String(u)) if matches!(u.as_str(), "routine" | "urgent" | "emergency") => {}
        Some(u) => {
            return Err(format!(
                "urgency {} is not routine, urgent or emergency",
                clip(&u.to_string())
            ))
        }
    }
    match doc.get("status") {
        Some(Value::String(s))
            if matches!(s.as_str(), "issued" | "completed" | "not_completed") => {}
        None | Some(Value::Null) => {
            return Err("a referral needs a status: issued, completed or not_completed".into())
        }
        Some(s) => {
            return Err(format!(
                "status {} is not issued, completed or not_completed",
                clip(&s.to_string())
            ))
        }
    }
    match doc.get("client_code") {
        None | Some(Value::Null) => {}
        Some(Value::String(c)) => check_client_code(c).map_err(|m| format!("client_code: {m}"))?,
        Some(_) => return Err("client_code is not text".into()),
    }
    match doc.get("follow_up_on") {
        None | Some(Value::Null) => {}
        Some(Value::String(d)) if NaiveDate::parse_from_str(d, "%Y-%m-%d").is_ok() => {}
        Some(d) => {
            return Err(format!(
                "follow_up_on {} is not a date like 2026-12-01",
                clip(&d.to_string())
            ))
        }
    }
    match doc.get("session_id") {
        None | Some(Value::Null) => {}
        Some(Value::String(s)) if Uuid::try_parse(s).is_ok() => {}
        Some(s) => {
            return Err(format!(
                "session_id {} is not a session's id",
                clip(&s.to_string())
            ))
        }
    }
    for k in ["service_name", "service_phone", "service_address"] {
        match doc.get(k) {
            None | Some(Value::Null) => {}
            Some(Value::String(s)) if s.chars().count() <= MAX_SNAPSHOT_LEN => {}
            Some(Value::String(_)) => {
                return Err(format!("{k} is longer than {MAX_SNAPSHOT_LEN} characters"))
            }
            Some(_) => return Err(format!("{k} is not text")),
        }
    }
    Ok(())
}

/// A service id as the directory has them: trimmed, not empty, not too long, no control
/// characters.
pub fn check_service_id(id: &str) -> Result<(), String> {
    if id.trim().is_empty() {
        return Err("service_id is empty".into());
    }
    if id.len() > MAX_ID_LEN {
        return Err(format!("service_id is longer than {MAX_ID_LEN} characters"));
    }
    if id.trim() != id || id.chars().any(char::is_control) {
        return Err(format!(
            "service_id \"{}\" is not an id of the directory",
            clip(id)
        ));
    }
    Ok(())
}

/// Checks the stamp of an operation received at `now` (see `Hlc::check_against`).
pub fn check_stamp(op: &Operation, now: DateTime<Utc>) -> Result<(), String> {
    let now_ms = u64::try_from(now.timestamp_millis()).unwrap_or(0);
    op.hlc.check_against(now_ms)
}

/// The first characters of a value for a message: a 10 MB note must not come back whole in
/// an error.
fn clip(s: &str) -> String {
    const MAX: usize = 60;
    if s.chars().count() <= MAX {
        s.to_string()
    } else {
        let head: String = s.chars().take(MAX).collect();
        format!("{head}…")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hlc::Hlc;
    use serde_json::json;

    fn obj(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap()
    }

    fn session() -> Map<String, Value> {
        obj(
            json!({"started_at": "2026-11-20T09:30:00+03:00", "ended_at": null, "place": "Eastleigh",
            "lat": -1.27, "lon": 36.85, "accuracy_m": 25.0, "admin_area": null,
            "activity": "health_talk", "topics": ["hiv"],
            "reached": [{"sex": "female", "age": "18-49", "group": "migrant", "count": 12}],
            "materials": {"leaflets": 4}, "notes": "", "status": "final"}),
        )
    }

    fn referral() -> Map<String, Value> {
        obj(
            json!({"session_id": "0190f5c2-5f7e-7c3e-8a3b-2b7f6c1d9e01", "service_id": "svc-1",
            "reason": "hiv", "urgency": "routine", "client_code": "A7X-22",
            "follow_up_on": "2026-12-01", "status": "issued"}),
        )
    }

    fn now() -> DateTime<Utc> {
        "2026-11-25T12:00:00Z".parse().unwrap()
    }

    #[test]
    fn valid_records_pass() {
        assert_eq!(check_session(&session(), Some(now())), Ok(()));
        let mut voided = session();
        voided.insert("status".into(), json!("voided"));
        voided.insert("void_reason".into(), json!("entered twice"));
        assert_eq!(check_session(&voided, Some(now())), Ok(()));
        assert_eq!(check_referral(&referral()), Ok(()));
    }

    /// Every value a hostile update could merge into a record is refused in words.
    #[test]
    fn broken_merges_are_refused_in_words() {
        let session_cases: Vec<(Value, &str)> = vec![
            (json!({"lat": "garbage"}), "lat"),
            (json!({"reached": "x"}), "reached"),
            (
                json!({"reached": [{"sex": "female", "age": "18-49", "group": "migrant", "count": -3}]}),
                "cannot be negative",
            ),
            (json!({"activity": "dancing"}), "dancing"),
            (json!({"status": "deleted"}), "not draft, final or voided"),
            (json!({"status": "voided"}), "needs its reason"),
            (json!({"notes": "x".repeat(10_000)}), "notes is longer"),
            (json!({"started_at": null}), "started_at"),
            (
                json!({"started_at": "2029-01-01T00:00:00Z"}),
                "is in the future",
            ),
            (json!({"service_id": "svc-1"}), "not a field of a session"),
            (json!({"void_reason": 7}), "not text"),
        ];
        for (patch, want) in session_cases {
            let mut doc = session();
            for (k, v) in obj(patch.clone()) {
                doc.insert(k, v);
            }
            let err = check_session(&doc, Some(now())).expect_err(&patch.to_string());
            assert!(err.contains(want), "{patch}: wanted {want:?} in {err:?}");
            assert!(err.len() < 400, "a short message: {err}");
        }
        let referral_cases: Vec<(Value, &str)> = vec![
            (json!({"service_id": null}), "needs a service_id"),
            (json!({"service_id": " Amina Yusuf "}), "not an id"),
            (json!({"service_id": "x".repeat(200)}), "longer than"),
            (json!({"follow_up_on": "Amina"}), "not a date"),
            (json!({"client_code": "Amina"}), "no digit"),
            (json!({"reason": "x"}), "reason"),
            (json!({"urgency": "soon"}), "urgency"),
            (json!({"status": "lost"}), "status"),
            (json!({"session_id": "Amina"}), "not a session's id"),
            (json!({"notes": "x"}), "not a field of a referral"),
            (json!({"service_name": 3}), "not text"),
        ];
        for (patch, want) in referral_cases {
            let mut doc = referral();
            for (k, v) in obj(patch.clone()) {
                doc.insert(k, v);
            }
            let err = check_referral(&doc).expect_err(&patch.to_string());
            assert!(err.contains(want), "{patch}: wanted {want:?} in {err:?}");
        }
    }

    #[test]
    fn the_future_rule_is_the_checking_clocks() {
        let mut doc = session();
        doc.insert("started_at".into(), json!("2026-11-26T18:00:00Z"));
        assert!(check_session(&doc, Some(now())).is_err());
        assert_eq!(check_session(&doc, None), Ok(()));
        doc.insert("started_at".into(), json!("2026-11-26T11:00:00Z"));
        assert_eq!(check_session(&doc, Some(now())), Ok(()));
    }

    #[test]
    fn operations_carry_only_their_kinds_fields() {
        let op = |kind, payload: Value| Operation {
            device_id: Uuid::from_u128(1),
            idx: 1,
            op_id: Uuid::from_u128(2),
            hlc: Hlc {
                wall_ms: 1,
                counter: 0,
                node: Uuid::from_u128(1),
            },
            kind,
            entity_id: Uuid::from_u128(3),
            payload: obj(payload),
            seen: None,
        };
        assert!(check_operation(&op(OpKind::SessionUpdate, json!({"notes": "ok"}))).is_ok());
        assert!(check_operation(&op(OpKind::SessionUpdate, json!({"client_name": "x"}))).is_err());
        assert!(check_operation(&op(OpKind::ReferralUpdate, json!({"notes": "x"}))).is_err());
        assert!(check_operation(&op(OpKind::SessionVoid, json!({"notes": "x"}))).is_err());
        assert!(check_operation(&op(
            OpKind::SessionVoid,
            json!({"status": "voided", "void_reason": "x"})
        ))
        .is_ok());
    }
}
