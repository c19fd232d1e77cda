//! Outreach records: sessions with people reached counted by sex × age band × group, and
//! referrals to services identified only by a pseudonymous client code. No names, ever.
//!
//! The input shape is the JSON of DESIGN §5 (`njia log add`). Parsing and validation live
//! here so the CLI, the app and the server refuse the same things with the same words.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, FixedOffset, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::error::{check_lat, check_lon, ValidationError};
use crate::taxonomy::{parse_category, Activity, AgeBand, Group, Sex};

/// More people than this in one cell of one session is a typing mistake, not outreach.
pub const MAX_CELL_COUNT: i64 = 10_000;
/// More items of one material than this in one session is a typing mistake.
pub const MAX_MATERIAL_COUNT: i64 = 1_000_000;
/// A session longer than this was left running by mistake.
pub const MAX_SESSION_HOURS: i64 = 24;
/// How far ahead of the checking clock a start time may be, for clocks a little off: the
/// same window as for clock stamps (`hlc::MAX_SKEW_MS`).
pub const MAX_FUTURE_HOURS: i64 = (crate::hlc::MAX_SKEW_MS / 3_600_000) as i64;
pub const MAX_PLACE_LEN: usize = 200;
pub const MAX_NOTES_LEN: usize = 4_000;
pub const MAX_CLIENT_CODE_LEN: usize = 32;

/// Where a session stands. `Voided` is reached only through a void with a reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum SessionStatus {
    Draft,
    Final,
    Voided,
}

impl SessionStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Final => "final",
            Self::Voided => "voided",
        }
    }
}

/// How soon the referred person should be seen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum Urgency {
    Routine,
    Urgent,
    Emergency,
}

/// What became of a referral.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum ReferralStatus {
    Issued,
    Completed,
    NotCompleted,
}

impl ReferralStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Issued => "issued",
            Self::Completed => "completed",
            Self::NotCompleted => "not_completed",
        }
    }
}

/// One cell of the people-reached grid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Reached {
    pub sex: Sex,
    pub age: AgeBand,
    pub group: Group,
    /// Signed on input so that a negative count is refused in words, not by a parser.
    pub count: i64,
}

/// A referral as written in a session file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ReferralInput {
    /// Present when editing a referral that already exists.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<Uuid>,
    pub service_id: String,
    /// A category of the taxonomy: why the person is referred.
    pub reason: String,
    #[serde(default = "default_urgency")]
    pub urgency: Urgency,
    /// A pseudonymous code the CHW and the service share; never a name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub follow_up_on: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<ReferralStatus>,
    // Read-only fields of `njia log show` output, tolerated so a shown session can be edited
    // and fed back as it is.
    #[serde(default, skip_serializing)]
    #[cfg_attr(feature = "ts", ts(skip))]
    pub session_id: Option<Value>,
    #[serde(default, skip_serializing)]
    #[cfg_attr(feature = "ts", ts(skip))]
    pub service_name: Option<Value>,
    #[serde(default, skip_serializing)]
    #[cfg_attr(feature = "ts", ts(skip))]
    pub version: Option<Value>,
    #[serde(default, skip_serializing)]
    #[cfg_attr(feature = "ts", ts(skip))]
    pub created_at: Option<Value>,
    #[serde(default, skip_serializing)]
    #[cfg_attr(feature = "ts", ts(skip))]
    pub updated_at: Option<Value>,
}

fn default_urgency() -> Urgency {
    Urgency::Routine
}

/// The status a session file may ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum InputStatus {
    Draft,
    Final,
}

/// A session as written in a file for `njia log add` / `njia log edit` (DESIGN §5).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SessionInput {
    pub started_at: DateTime<FixedOffset>,
    #[serde(default)]
    pub ended_at: Option<DateTime<FixedOffset>>,
    #[serde(default)]
    pub place: Option<String>,
    #[serde(default)]
    pub lat: Option<f64>,
    #[serde(default)]
    pub lon: Option<f64>,
    #[serde(default)]
    pub accuracy_m: Option<f64>,
    #[serde(default)]
    pub admin_area: Option<String>,
    pub activity: Activity,
    #[serde(default)]
    pub topics: Vec<String>,
    #[serde(default)]
    pub reached: Vec<Reached>,
    #[serde(default)]
    pub materials: BTreeMap<String, i64>,
    #[serde(default)]
    pub notes: String,
    #[serde(default = "default_status")]
    pub status: InputStatus,
    #[serde(default)]
    pub referrals: Vec<ReferralInput>,
    /// When editing: must match the session being edited if given.
    #[serde(default)]
    pub id: Option<Uuid>,
    /// When editing: the version the edit was based on; a stale one is refused.
    #[serde(default)]
    pub version: Option<i64>,
    // Read-only fields of `njia log show` output, tolerated on edit.
    #[serde(default, skip_serializing)]
    #[cfg_attr(feature = "ts", ts(skip))]
    pub device_id: Option<Value>,
    #[serde(default, skip_serializing)]
    #[cfg_attr(feature = "ts", ts(skip))]
    pub created_at: Option<Value>,
    #[serde(default, skip_serializing)]
    #[cfg_attr(feature = "ts", ts(skip))]
    pub updated_at: Option<Value>,
    #[serde(default, skip_serializing)]
    #[cfg_attr(feature = "ts", ts(skip))]
    pub void_reason: Option<Value>,
    #[serde(default, skip_serializing)]
    #[cfg_attr(feature = "ts", ts(skip))]
    pub total_reached: Option<Value>,
}

fn default_status() -> InputStatus {
    InputStatus::Final
}

impl SessionInput {
    /// Parses the JSON of a session file; errors say where (`activity`, `reached[1].sex`) and
    /// what is wrong.
    pub fn from_json(text: &str) -> Result<Self, ValidationError> {
        let value: Value = serde_json::from_str(text).map_err(|e| {
            ValidationError::new(
                ".",
                format!(
                    "the session is not valid JSON: {} (line {}, column {})",
                    strip_position(&e.to_string()),
                    e.line(),
                    e.column()
                ),
            )
        })?;
        Self::from_value(value)
    }

    /// Like [`SessionInput::from_json`] for a value already parsed (the app sends objects).
    pub fn from_value(value: Value) -> Result<Self, ValidationError> {
        if !value.is_object() {
            return Err(ValidationError::new(
                ".",
                "the session file is not a session: expected a JSON object like {\"started_at\": …}",
            ));
        }
        serde_path_to_error::deserialize(value).map_err(|e| {
            let path = e.path().to_string();
            let what = strip_position(&e.into_inner().to_string());
            let message = if path == "." {
                what
            } else {
                format!("{path}: {what}")
            };
            ValidationError::new(path, message)
        })
    }

    /// Checks every rule of an outreach session against the checking clock's time `now`
    /// (the device's when a CHW saves it, the server's when it arrives: the same window of
    /// [`MAX_FUTURE_HOURS`] and the same words on both) and returns the normalised fields.
    /// Whether referred services exist is the store's check.
    pub fn validate(self, now: DateTime<Utc>) -> Result<Self, ValidationError> {
        self.check(Some(now))
    }

    /// [`SessionInput::validate`] without the rule on starts in the future: for a device
    /// merging a session the server already accepted by its own clock.
    pub fn validate_ignoring_future(self) -> Result<Self, ValidationError> {
        self.check(None)
    }

    fn check(mut self, now: Option<DateTime<Utc>>) -> Result<Self, ValidationError> {
        let floor = DateTime::parse_from_rfc3339("2000-01-01T00:00:00Z").expect("constant");
        if self.started_at < floor {
            return Err(ValidationError::new(
                "started_at",
                format!("started_at {} is before the year 2000", self.started_at),
            ));
        }
        if let Some(now) = now {
            if self.started_at.with_timezone(&Utc) > now + Duration::hours(MAX_FUTURE_HOURS) {
                return Err(ValidationError::new(
                    "started_at",
                    format!(
                        "started_at {} is in the future: the clock that checked it says {}, and a session may start at most {MAX_FUTURE_HOURS} hours ahead (check the phone's date and time)",
                        self.started_at,
                        now.format("%Y-%m-%d %H:%M UTC")
                    ),
                ));
            }
        }
        if let Some(end) = self.ended_at {
            if end < self.started_at {
                return Err(ValidationError::new(
                    "ended_at",
                    format!("ended_at {end} is before started_at {}", self.started_at),
                ));
            }
            if end - self.started_at > Duration::hours(MAX_SESSION_HOURS) {
                return Err(ValidationError::new(
                    "ended_at",
                    format!("the session lasts more than {MAX_SESSION_HOURS} hours"),
                ));
            }
        }
        match (self.lat, self.lon) {
            (Some(lat), Some(lon)) => {
                check_lat("lat", lat)?;
                check_lon("lon", lon)?;
            }
            (None, None) => {}
            _ => {
                return Err(ValidationError::new(
                    "lat",
                    "lat and lon must be given together",
                ))
            }
        }
        if let Some(acc) = self.accuracy_m {
            if !acc.is_finite() || !(0.0..=100_000.0).contains(&acc) {
                return Err(ValidationError::new(
                    "accuracy_m",
                    format!("accuracy_m {acc} is outside 0..100000 metres"),
                ));
            }
        }
        self.place = trim_opt(self.place);
        self.admin_area = trim_opt(self.admin_area);
        check_len("place", self.place.as_deref(), MAX_PLACE_LEN)?;
        check_len("admin_area", self.admin_area.as_deref(), MAX_PLACE_LEN)?;
        self.notes = self.notes.trim().to_string();
        check_len("notes", Some(&self.notes), MAX_NOTES_LEN)?;
        let mut topics = Vec::with_capacity(self.topics.len());
        for (i, t) in self.topics.iter().enumerate() {
            let t = parse_category(t).map_err(|m| {
                ValidationError::new(format!("topics[{i}]"), format!("topics: {m}"))
            })?;
            if !topics.contains(&t) {
                topics.push(t);
            }
        }
        self.topics = topics;
        for (i, r) in self.reached.iter().enumerate() {
            let field = format!("reached[{i}].count");
            if r.count < 0 {
                return Err(ValidationError::new(
                    &field,
                    format!("{field} is {}; a count cannot be negative", r.count),
                ));
            }
            if r.count > MAX_CELL_COUNT {
                return Err(ValidationError::new(
                    &field,
                    format!(
                        "{field} is {}; more than {MAX_CELL_COUNT} people in one cell of one session is not plausible",
                        r.count
                    ),
                ));
            }
            if let Some(j) = self.reached[..i]
                .iter()
                .position(|o| (o.sex, o.age, o.group) == (r.sex, r.age, r.group))
            {
                return Err(ValidationError::new(
                    format!("reached[{i}]"),
                    format!(
                        "reached[{i}] repeats the cell of reached[{j}] (same sex, age and group)"
                    ),
                ));
            }
        }
        let mut materials = BTreeMap::new();
        for (k, v) in &self.materials {
            let key = k.trim();
            if key.is_empty() || key.chars().count() > 64 {
                return Err(ValidationError::new(
                    "materials",
                    format!("material name \"{k}\" must be 1 to 64 characters"),
                ));
            }
            if !(0..=MAX_MATERIAL_COUNT).contains(v) {
                return Err(ValidationError::new(
                    format!("materials.{key}"),
                    format!(
                        "materials.{key} is {v}; it must be between 0 and {MAX_MATERIAL_COUNT}"
                    ),
                ));
            }
            materials.insert(key.to_string(), *v);
        }
        self.materials = materials;
        for (i, r) in self.referrals.iter_mut().enumerate() {
            validate_referral(i, r)?;
        }
        Ok(self)
    }

    /// The session's own fields as a JSON object: the payload of a create operation and the
    /// base an edit is compared with. Referrals are separate records.
    pub fn fields(&self) -> Map<String, Value> {
        let mut m = Map::new();
        m.insert("started_at".into(), json(&self.started_at));
        m.insert("ended_at".into(), json(&self.ended_at));
        m.insert("place".into(), json(&self.place));
        m.insert("lat".into(), json(&self.lat));
        m.insert("lon".into(), json(&self.lon));
        m.insert("accuracy_m".into(), json(&self.accuracy_m));
        m.insert("admin_area".into(), json(&self.admin_area));
        m.insert("activity".into(), json(&self.activity));
        m.insert("topics".into(), json(&self.topics));
        m.insert("reached".into(), json(&self.reached));
        m.insert("materials".into(), json(&self.materials));
        m.insert("notes".into(), json(&self.notes));
        m.insert("status".into(), json(&self.status));
        m
    }
}

/// Checks one referral of a session file, normalising its reason and code.
pub fn validate_referral(i: usize, r: &mut ReferralInput) -> Result<(), ValidationError> {
    r.service_id = r.service_id.trim().to_string();
    if r.service_id.is_empty() {
        return Err(ValidationError::new(
            format!("referrals[{i}].service_id"),
            format!("referrals[{i}].service_id is empty"),
        ));
    }
    r.reason = parse_category(&r.reason).map_err(|m| {
        ValidationError::new(
            format!("referrals[{i}].reason"),
            format!("referrals[{i}].reason: {m}"),
        )
    })?;
    if let Some(code) = r.client_code.take() {
        let code = code.trim().to_string();
        if !code.is_empty() {
            check_client_code(&code).map_err(|m| {
                ValidationError::new(
                    format!("referrals[{i}].client_code"),
                    format!("referrals[{i}].client_code: {m}"),
                )
            })?;
            r.client_code = Some(code);
        }
    }
    Ok(())
}

/// A client code is pseudonymous: letters, digits and dashes, with at least one digit, so a
/// name typed by mistake ("Amina") is refused rather than stored.
pub fn check_client_code(code: &str) -> Result<(), String> {
    if code.len() > MAX_CLIENT_CODE_LEN {
        return Err(format!(
            "\"{code}\" is longer than {MAX_CLIENT_CODE_LEN} characters"
        ));
    }
    if !code
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(format!(
            "\"{code}\" may hold only letters, digits and dashes (a code, never a name)"
        ));
    }
    if !code.chars().any(|c| c.is_ascii_digit()) {
        return Err(format!(
            "\"{code}\" has no digit; a client code is a pseudonymous code like A7X-22, never a name"
        ));
    }
    Ok(())
}

fn json<T: Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

fn trim_opt(v: Option<String>) -> Option<String> {
    v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

fn check_len(field: &str, v: Option<&str>, max: usize) -> Result<(), ValidationError> {
    match v {
        Some(s) if s.chars().count() > max => Err(ValidationError::new(
            field,
            format!("{field} is longer than {max} characters"),
        )),
        _ => Ok(()),
    }
}

/// serde_json appends " at line L column C" to messages; for data errors the path says where.
fn strip_position(msg: &str) -> String {
    match msg.rfind(" at line ") {
        Some(i) => msg[..i].to_string(),
        None => msg.to_string(),
    }
}

/// A session as the store holds it and the CLI prints it: the input fields plus identity,
/// version and lifecycle.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Session {
    pub id: Uuid,
    pub device_id: Uuid,
    pub version: i64,
    pub started_at: DateTime<FixedOffset>,
    pub ended_at: Option<DateTime<FixedOffset>>,
    pub place: Option<String>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub accuracy_m: Option<f64>,
    pub admin_area: Option<String>,
    pub activity: Activity,
    pub topics: Vec<String>,
    pub reached: Vec<Reached>,
    pub total_reached: i64,
    pub materials: BTreeMap<String, i64>,
    pub notes: String,
    pub status: SessionStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub void_reason: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub referrals: Vec<Referral>,
}

/// A referral as the store holds it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Referral {
    pub id: Uuid,
    pub session_id: Option<Uuid>,
    pub service_id: String,
    /// The service's name in this device's directory, read when listing so that a list of
    /// referrals needs no lookup per row; none when the service has left the directory. Not
    /// part of the record: never stored with it nor synced.
    #[serde(default)]
    pub service_name: Option<String>,
    pub reason: String,
    pub urgency: Urgency,
    pub client_code: Option<String>,
    pub status: ReferralStatus,
    pub follow_up_on: Option<NaiveDate>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) const EXAMPLE: &str = r#"{"started_at": "2026-11-20T09:30:00+03:00", "ended_at": "2026-11-20T11:00:00+03:00",
   "place": "Eastleigh market", "lat": -1.2741, "lon": 36.8516, "accuracy_m": 25,
   "activity": "health_talk", "topics": ["hiv", "tb"],
   "reached": [{"sex": "female", "age": "18-49", "group": "migrant", "count": 12},
               {"sex": "male", "age": "18-49", "group": "host", "count": 5}],
   "materials": {"condoms": 100, "leaflets": 40}, "notes": "", "status": "final",
   "referrals": [{"service_id": "svc-1", "reason": "hiv", "urgency": "routine",
                  "client_code": "A7X-22"}]}"#;

    fn now() -> DateTime<Utc> {
        "2026-11-25T12:00:00Z".parse().unwrap()
    }

    /// A change to the example session.
    type Edit = Box<dyn FnOnce(&mut Value)>;

    fn refuse(edit: impl FnOnce(&mut Value)) -> String {
        let mut v: Value = serde_json::from_str(EXAMPLE).unwrap();
        edit(&mut v);
        match SessionInput::from_json(&v.to_string()) {
            Err(e) => e.to_string(),
            Ok(s) => s
                .validate(now())
                .expect_err("should be refused")
                .to_string(),
        }
    }

    #[test]
    fn the_design_example_is_accepted() {
        let s = SessionInput::from_json(EXAMPLE)
            .unwrap()
            .validate(now())
            .unwrap();
        assert_eq!(s.activity, Activity::HealthTalk);
        assert_eq!(s.reached.len(), 2);
        assert_eq!(s.referrals[0].client_code.as_deref(), Some("A7X-22"));
    }

    #[test]
    fn every_rule_refuses_in_words() {
        let cases: Vec<(Edit, &str)> = vec![
            (
                Box::new(|v| v["reached"][0]["count"] = (-3).into()),
                "reached[0].count is -3; a count cannot be negative",
            ),
            (
                Box::new(|v| v["reached"][1]["count"] = 50_000.into()),
                "reached[1].count is 50000; more than 10000",
            ),
            (
                Box::new(|v| v["lat"] = 200.0.into()),
                "latitude 200 is outside -90..90",
            ),
            (
                Box::new(|v| v["lon"] = (-181.0).into()),
                "longitude -181 is outside -180..180",
            ),
            (
                Box::new(|v| {
                    v.as_object_mut().unwrap().remove("lon");
                }),
                "lat and lon must be given together",
            ),
            (
                Box::new(|v| v["activity"] = "dancing".into()),
                "activity: unknown variant `dancing`",
            ),
            (
                Box::new(|v| v["reached"][0]["sex"] = "x".into()),
                "reached[0].sex: unknown variant `x`",
            ),
            (
                Box::new(|v| v["reached"][0]["age"] = "18-50".into()),
                "reached[0].age: unknown variant `18-50`",
            ),
            (
                Box::new(|v| v["status"] = "voided".into()),
                "status: unknown variant `voided`",
            ),
            (
                Box::new(|v| v["ended_at"] = "2026-11-20T08:00:00+03:00".into()),
                "ended_at 2026-11-20 08:00:00 +03:00 is before started_at",
            ),
            (
                Box::new(|v| v["ended_at"] = "2026-11-22T08:00:00+03:00".into()),
                "more than 24 hours",
            ),
            (
                Box::new(|v| {
                    v["started_at"] = "2027-06-01T08:00:00+03:00".into();
                    v["ended_at"] = Value::Null;
                }),
                "is in the future",
            ),
            (
                Box::new(|v| v["topics"] = serde_json::json!(["hvi"])),
                "topics: unknown category \"hvi\"",
            ),
            (
                Box::new(|v| v["materials"]["condoms"] = (-1).into()),
                "materials.condoms is -1",
            ),
            (
                Box::new(|v| v["referrals"][0]["reason"] = "x".into()),
                "referrals[0].reason: unknown category",
            ),
            (
                Box::new(|v| v["referrals"][0]["client_code"] = "Amina".into()),
                "has no digit",
            ),
            (
                Box::new(|v| v["referrals"][0]["client_code"] = "Amina 2".into()),
                "only letters, digits and dashes",
            ),
            (
                Box::new(|v| v["referrals"][0]["urgency"] = "soon".into()),
                "referrals[0].urgency: unknown variant `soon`",
            ),
            (
                Box::new(|v| v["accuracy_m"] = (-5).into()),
                "accuracy_m -5 is outside",
            ),
            (
                Box::new(|v| v["client_name"] = "x".into()),
                "unknown field `client_name`",
            ),
            (
                Box::new(
                    |v| v["reached"] = serde_json::json!([{"sex":"female","age":"0-4","group":"host","count":1},{"sex":"female","age":"0-4","group":"host","count":2}]),
                ),
                "reached[1] repeats the cell of reached[0]",
            ),
        ];
        for (edit, want) in cases {
            let got = refuse(edit);
            assert!(got.contains(want), "wanted {want:?} in {got:?}");
        }
    }

    #[test]
    fn malformed_json_is_named_with_its_position() {
        let err = SessionInput::from_json("{\"started_at\": ").unwrap_err();
        assert!(
            err.to_string().starts_with("the session is not valid JSON"),
            "{err}"
        );
        assert!(err.to_string().contains("line 1"), "{err}");
        let err = SessionInput::from_json("[1,2]").unwrap_err();
        assert!(err.to_string().contains("not a session"), "{err}");
    }

    #[test]
    fn missing_required_fields_are_named() {
        let err = SessionInput::from_json("{\"activity\": \"health_talk\"}").unwrap_err();
        assert!(
            err.to_string().contains("missing field `started_at`"),
            "{err}"
        );
    }
}
