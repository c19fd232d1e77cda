//! The sync protocol's messages (DESIGN §3, docs/sync.md): what a device and the server send
//! each other over HTTP. Shared by both sides so they cannot drift; a change here is a
//! protocol change and needs a golden test update and a note in docs/sync.md.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::ops::Operation;
use crate::service::Service;

/// Every path of the HTTP API starts with this.
pub const API_PREFIX: &str = "/api/v1";

/// The version of the sync protocol this build speaks (docs/sync.md, "Versions"). A request
/// without `protocol` is version 1: no per-item results, no history tags.
pub const PROTOCOL: u32 = 2;

/// Codes of a refused item ([`RefusedOp`], [`RefusedCorrection`]). A device shows the words
/// (`reason`); the code is for programs, and a device must accept codes it does not know.
pub mod refusal {
    /// The item breaks a rule of the record (types, ranges, lengths, names where codes
    /// belong, a change of a record that does not exist).
    pub const INVALID: &str = "invalid";
    /// Its clock stamp or its session's start is too far ahead of the server's clock.
    pub const CLOCK_AHEAD: &str = "clock_ahead";
    /// The device may not change that record (another worker's, another team's).
    pub const FORBIDDEN: &str = "forbidden";
    /// A correction or a new referral names a service the directory does not hold.
    pub const UNKNOWN_SERVICE: &str = "unknown_service";
    /// Sent by a revoked device: kept for the office to review, not applied.
    pub const REVOKED: &str = "revoked";
}

/// What a device may see and do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// A CHW: sees the directory of their regions and their own outreach.
    Worker,
    /// Also sees, and may edit, the outreach of their team.
    Supervisor,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Worker => "worker",
            Self::Supervisor => "supervisor",
        }
    }
}

/// `POST /api/v1/enroll`: a device trades a one-time code for its identity and token.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnrollRequest {
    pub code: String,
    /// A label for the office's device list ("Amina's tablet" is fine: staff are named,
    /// migrants never are).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_label: Option<String>,
    /// Re-enrolment: the device this store already is. A store whose operations may have
    /// reached the server must keep its id, or its records there would be orphaned and its
    /// next push refused ("operation id … is already used"). Sent with `device_token`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_id: Option<Uuid>,
    /// The token the store holds for `device_id`, as proof that it is that device; the
    /// server replaces it with the one it answers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_token: Option<String>,
}

/// The answer to an enrolment: keep the token secret; the server keeps only its hash.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EnrollResponse {
    pub device_id: Uuid,
    pub token: String,
    /// The worker the device belongs to (absent from servers older than protocol 3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub worker_id: Option<Uuid>,
    pub worker: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub team: Option<String>,
    pub role: Role,
    /// ISO 3166 country codes whose directory the device receives.
    pub regions: Vec<String>,
    pub server_time: DateTime<Utc>,
}

/// A CHW's proposal to fix a directory entry. Never an edit: staff accept or reject it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Correction {
    /// Chosen by the device: the idempotency key.
    pub id: Uuid,
    pub service_id: String,
    /// The field of the service the correction is about (`phone`, `opening_hours`…), or
    /// `closed` when the service no longer exists.
    pub field: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    #[serde(default)]
    pub note: String,
    /// The service version the CHW was looking at: a correction of an old version is
    /// flagged for review, never merged blindly.
    pub based_on_version: i64,
    pub created_at: DateTime<Utc>,
}

/// `POST /api/v1/sync`: one round of push and pull in a single exchange, so a sync with
/// nothing to do costs one small request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SyncRequest {
    /// This device's operations after the last idx the server acknowledged, in idx order.
    #[serde(default)]
    pub ops: Vec<Operation>,
    /// Where this device's copy of the change feed stands (0 for nothing yet).
    #[serde(default)]
    pub cursor: i64,
    /// Corrections not yet acknowledged.
    #[serde(default)]
    pub corrections: Vec<Correction>,
    /// Largest response the device wants, in uncompressed bytes of JSON (the server caps it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_bytes: Option<u64>,
    /// The device understands [`Changes::patches`]: a service it already holds may come as
    /// only its changed fields. Off by default, so a client that predates patches keeps
    /// receiving whole services.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub patches: bool,
    /// The protocol version the device speaks ([`PROTOCOL`]); absent means 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protocol: Option<u32>,
    /// The tag of the server's history that `cursor` stands on, as the last answer gave it
    /// ([`SyncResponse::cursor_tag`]). A server whose history at that point has another tag,
    /// or that has not reached the cursor, answers `history_unknown` (it was restored from
    /// a copy): the device then reads the feed again from 0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor_tag: Option<String>,
}

impl SyncRequest {
    /// The protocol version of the request (1 when the device did not say).
    pub fn protocol(&self) -> u32 {
        self.protocol.unwrap_or(1)
    }
}

/// An operation the server holds but did not apply, with why in words. It counts as
/// received (`acked_idx` passes it), so one bad item never blocks the items after it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefusedOp {
    pub idx: i64,
    pub op_id: Uuid,
    /// A [`refusal`] code.
    pub code: String,
    pub reason: String,
}

/// A correction the server did not take, with why in words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefusedCorrection {
    pub id: Uuid,
    /// A [`refusal`] code.
    pub code: String,
    pub reason: String,
}

/// A directory service as the feed carries it: the service and its server version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServiceVersion {
    #[serde(flatten)]
    pub service: Service,
    pub version: i64,
}

/// The fields of a service that changed after the device's cursor, for a device that holds
/// the service as it stood at its cursor: applied to that copy, they give `version`.
/// A field set to `null` was cleared.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServicePatch {
    pub id: String,
    /// The service's version once the patch is applied.
    pub version: i64,
    /// Field name (as in `Service`'s JSON) to its new value.
    pub fields: serde_json::Map<String, serde_json::Value>,
}

impl ServicePatch {
    /// The service `base` (the device's copy) with this patch applied. Fails in words when
    /// the result is not a service (a field of the wrong type).
    pub fn apply_to(&self, base: &Service) -> Result<Service, String> {
        let serde_json::Value::Object(mut doc) =
            serde_json::to_value(base).map_err(|e| e.to_string())?
        else {
            return Err("a service is not a JSON object".into());
        };
        for (k, v) in &self.fields {
            if v.is_null() {
                doc.remove(k);
            } else {
                doc.insert(k.clone(), v.clone());
            }
        }
        doc.insert("id".into(), serde_json::Value::String(self.id.clone()));
        serde_json::from_value(serde_json::Value::Object(doc))
            .map_err(|e| format!("patch of service {}: {e}", self.id))
    }
}

/// One page of the change feed: everything the device may see that changed after its
/// cursor, up to the page's size.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Changes {
    /// Services added or changed, each in its latest version. On the wire they travel as
    /// columns (see [`service_columns`]), which compress far better than rows.
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        with = "service_columns"
    )]
    pub services: Vec<ServiceVersion>,
    /// Services the device already holds (it asked with [`SyncRequest::patches`]), as their
    /// fields changed after its cursor: a renamed clinic costs its name, not its whole row.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub patches: Vec<ServicePatch>,
    /// Ids of services removed from the directory (or out of the device's regions).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub removed: Vec<String>,
    /// Outreach operations of other devices (and supervisors) this device may see.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ops: Vec<Operation>,
}

impl Changes {
    pub fn is_empty(&self) -> bool {
        self.services.is_empty()
            && self.patches.is_empty()
            && self.removed.is_empty()
            && self.ops.is_empty()
    }
}

/// The answer to a sync round.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SyncResponse {
    /// The highest idx of this device's log the server holds, with no gap before it. The
    /// device may forget everything up to here.
    pub acked_idx: i64,
    /// Ids of the corrections of the request that the server holds.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub corrections_acked: Vec<Uuid>,
    /// Operations of this request (or held from an earlier one) that the server keeps but
    /// did not apply. Only for requests of protocol 2 or later.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub refused: Vec<RefusedOp>,
    /// Corrections of this request the server did not take.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub corrections_refused: Vec<RefusedCorrection>,
    pub changes: Changes,
    /// The cursor to send next time; apply `changes` and store it in one transaction.
    pub cursor: i64,
    /// More changes wait: ask again right away.
    pub more: bool,
    /// How many items (services, patches, removals, operations) wait after this page, as
    /// the feed stood when the page was read: the device's progress bar during a pull.
    /// Absent from servers older than this field; 0 when `more` is false.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remaining: Option<u64>,
    /// The tag of the server's history at `cursor`: send it back with the cursor. Absent
    /// when the cursor is 0, or from servers older than protocol 2.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor_tag: Option<String>,
    pub server_time: DateTime<Utc>,
}

/// `POST /api/v1/fork`: a device whose log no longer matches what the server holds for it
/// (its store was restored from an older copy, or copied to a second phone) asks for a new
/// device id for the same worker. Its operations after `base_idx` of the answer move to the
/// new id; the server keeps both histories. Authorised by the old device's token.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ForkRequest {
    /// Chosen by the device: asking again with the same id (a lost answer) returns the same
    /// new device, with a fresh token.
    pub fork_id: Uuid,
    /// The highest idx the device believes acknowledged.
    pub after: i64,
    /// The op ids of its log from `after + 1` on, in idx order: the server keeps the new
    /// device's log from the first that differs from its own.
    #[serde(default)]
    pub op_ids: Vec<Uuid>,
}

/// The answer to a fork: the new identity, and from which idx the log is the new device's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ForkResponse {
    pub device_id: Uuid,
    pub token: String,
    /// Operations up to here stay the old device's (the server holds them as they are on
    /// the device); later ones are the new device's, and the server holds none of them yet.
    pub base_idx: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub worker_id: Option<Uuid>,
    pub worker: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub team: Option<String>,
    pub role: Role,
    pub regions: Vec<String>,
    pub server_time: DateTime<Utc>,
}

/// Services as columns: `{"id": [...], "name": [...], "lat": [...], ...}`, one array per
/// field, all of the same length, `null` where a service has no value. Similar values sit
/// next to each other, so zstd brings a first sync of a region to about 55 bytes per service
/// (rows: ~110).
pub mod service_columns {
    use serde::de::Error as _;
    use serde::ser::Error as _;
    use serde::{Deserialize, Deserializer, Serializer};
    use serde_json::{Map, Value};

    use super::ServiceVersion;

    pub fn serialize<S: Serializer>(services: &[ServiceVersion], s: S) -> Result<S::Ok, S::Error> {
        let mut columns: Vec<(String, Vec<Value>)> = Vec::new();
        for (i, service) in services.iter().enumerate() {
            let Value::Object(fields) = serde_json::to_value(service).map_err(S::Error::custom)?
            else {
                return Err(S::Error::custom("a service is not a JSON object"));
            };
            for (k, v) in fields {
                let at = match columns.iter().position(|(name, _)| *name == k) {
                    Some(at) => at,
                    None => {
                        columns.push((k, vec![Value::Null; i]));
                        columns.len() - 1
                    }
                };
                columns[at].1.push(v);
            }
            for (_, column) in columns.iter_mut() {
                column.resize(i + 1, Value::Null);
            }
        }
        s.collect_map(columns.into_iter().map(|(k, v)| (k, Value::Array(v))))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<ServiceVersion>, D::Error> {
        let columns = Map::<String, Value>::deserialize(d)?;
        let mut len = None;
        for (k, v) in &columns {
            let n = v
                .as_array()
                .ok_or_else(|| D::Error::custom(format!("services.{k} is not an array")))?
                .len();
            if *len.get_or_insert(n) != n {
                return Err(D::Error::custom("the service columns differ in length"));
            }
        }
        (0..len.unwrap_or(0))
            .map(|i| {
                let row: Map<String, Value> = columns
                    .iter()
                    .filter(|(_, v)| !v[i].is_null())
                    .map(|(k, v)| (k.clone(), v[i].clone()))
                    .collect();
                serde_json::from_value(Value::Object(row))
                    .map_err(|e| D::Error::custom(format!("service {}: {e}", i + 1)))
            })
            .collect()
    }
}

/// Every 4xx/5xx body: what went wrong in words, and a stable code for programs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiError {
    pub error: String,
    /// `revoked`, `unauthorized`, `invalid`, `gap`, `diverged`, `history_unknown`,
    /// `code_used`, `code_expired`, `too_large`, `not_found`, `internal`.
    pub code: String,
    /// With `gap`: the idx the server holds up to, so the device resends from there. With
    /// `revoked`: the idx up to which the server kept the device's operations for review.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acked_idx: Option<i64>,
}

/// `GET /api/v1/health`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Health {
    pub status: String,
    pub version: String,
    /// The newest sync protocol the server speaks; absent from servers of protocol 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protocol: Option<u32>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hlc::Hlc;
    use crate::ops::OpKind;

    /// Frozen wire shape: if this test has to change, the protocol changed.
    #[test]
    fn sync_request_golden() {
        let node = Uuid::from_u128(1);
        let op = Operation {
            device_id: node,
            idx: 1,
            op_id: Uuid::from_u128(2),
            hlc: Hlc {
                wall_ms: 1_764_000_000_000,
                counter: 0,
                node,
            },
            kind: OpKind::SessionVoid,
            entity_id: Uuid::from_u128(3),
            payload: serde_json::json!({"status": "voided"})
                .as_object()
                .cloned()
                .unwrap(),
            seen: None,
        };
        let req = SyncRequest {
            ops: vec![op],
            cursor: 42,
            corrections: vec![],
            max_bytes: None,
            patches: false,
            protocol: None,
            cursor_tag: None,
        };
        assert_eq!(
            serde_json::to_string(&req).unwrap(),
            r#"{"ops":[{"device_id":"00000000-0000-0000-0000-000000000001","idx":1,"op_id":"00000000-0000-0000-0000-000000000002","hlc":"001764000000000-0000000000-00000000000000000000000000000001","kind":"session.void","entity_id":"00000000-0000-0000-0000-000000000003","payload":{"status":"voided"}}],"cursor":42,"corrections":[]}"#
        );
    }

    /// Frozen wire shape of services as columns, and their round trip.
    #[test]
    fn services_travel_as_columns() {
        let mut a = Service::new("a", "Kliniki A", -1.5, 36.25);
        a.phone = Some("+254 700".into());
        let b = Service::new("b", "Kliniki B", -1.0, 36.0);
        let changes = Changes {
            services: vec![
                ServiceVersion {
                    service: a,
                    version: 2,
                },
                ServiceVersion {
                    service: b,
                    version: 1,
                },
            ],
            ..Changes::default()
        };
        let text = serde_json::to_string(&changes).unwrap();
        let want: serde_json::Value = serde_json::from_str(
            r#"{"services":{"id":["a","b"],"name":["Kliniki A","Kliniki B"],"lat":[-1.5,-1.0],"lon":[36.25,36.0],"categories":[[],[]],"languages":[[],[]],"free_of_charge":[false,false],"no_documents_required":[false,false],"interpreter_available":[false,false],"migrant_friendly":[false,false],"mobile_outreach":[false,false],"phone":["+254 700",null],"version":[2,1]}}"#,
        )
        .unwrap();
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&text).unwrap(),
            want
        );
        assert_eq!(serde_json::from_str::<Changes>(&text).unwrap(), changes);
        assert!(serde_json::from_str::<Changes>(r#"{"services":{"id":["a"],"name":[]}}"#).is_err());
    }

    /// Frozen wire shape of a patch, and what applying it does: set, clear, keep the rest.
    #[test]
    fn patches_change_only_their_fields() {
        let mut base = Service::new("a", "Kliniki A", -1.5, 36.25);
        base.phone = Some("+254 700".into());
        base.email = Some("a@example.org".into());
        let changes = Changes {
            patches: vec![ServicePatch {
                id: "a".into(),
                version: 3,
                fields: serde_json::json!({"name": "Kliniki A (renovated)", "email": null})
                    .as_object()
                    .cloned()
                    .unwrap(),
            }],
            ..Changes::default()
        };
        let text = serde_json::to_string(&changes).unwrap();
        assert_eq!(
            text,
            r#"{"patches":[{"id":"a","version":3,"fields":{"email":null,"name":"Kliniki A (renovated)"}}]}"#
        );
        let patched = changes.patches[0].apply_to(&base).unwrap();
        assert_eq!(patched.name, "Kliniki A (renovated)");
        assert_eq!(patched.email, None);
        assert_eq!(patched.phone.as_deref(), Some("+254 700"));
        assert_eq!((patched.lat, patched.lon), (-1.5, 36.25));
        let bad = ServicePatch {
            id: "a".into(),
            version: 4,
            fields: serde_json::json!({"lat": "north"})
                .as_object()
                .cloned()
                .unwrap(),
        };
        assert!(bad.apply_to(&base).is_err());
        let req: SyncRequest = serde_json::from_str(r#"{"cursor":1,"patches":true}"#).unwrap();
        assert!(req.patches);
    }

    /// Frozen wire shape of an answer; an older server's answer, without `remaining`, still
    /// reads.
    #[test]
    fn sync_response_golden() {
        let resp = SyncResponse {
            acked_idx: 3,
            corrections_acked: vec![],
            changes: Changes {
                removed: vec!["x".into()],
                ..Changes::default()
            },
            cursor: 9,
            more: true,
            remaining: Some(1200),
            cursor_tag: None,
            refused: vec![],
            corrections_refused: vec![],
            server_time: DateTime::from_timestamp(1_764_000_000, 0).unwrap(),
        };
        let text = serde_json::to_string(&resp).unwrap();
        assert_eq!(
            text,
            r#"{"acked_idx":3,"changes":{"removed":["x"]},"cursor":9,"more":true,"remaining":1200,"server_time":"2025-11-24T16:00:00Z"}"#
        );
        assert_eq!(serde_json::from_str::<SyncResponse>(&text).unwrap(), resp);
        let older = text.replace(r#""remaining":1200,"#, "");
        let read: SyncResponse = serde_json::from_str(&older).unwrap();
        assert_eq!(read.remaining, None);
    }

    /// Frozen wire shape of protocol 2: per-item refusals and history tags, and a version-2
    /// request read by the rules of version 1 when it says nothing.
    #[test]
    fn protocol_2_golden() {
        let resp = SyncResponse {
            acked_idx: 4,
            corrections_acked: vec![],
            refused: vec![RefusedOp {
                idx: 3,
                op_id: Uuid::from_u128(7),
                code: refusal::CLOCK_AHEAD.into(),
                reason: "it was written by a clock 1095 days ahead of this one".into(),
            }],
            corrections_refused: vec![RefusedCorrection {
                id: Uuid::from_u128(8),
                code: refusal::UNKNOWN_SERVICE.into(),
                reason: "no service svc-9 in the directory".into(),
            }],
            changes: Changes::default(),
            cursor: 9,
            more: false,
            remaining: Some(0),
            cursor_tag: Some("3f2a9c0d1e7b4a55".into()),
            server_time: DateTime::from_timestamp(1_764_000_000, 0).unwrap(),
        };
        let text = serde_json::to_string(&resp).unwrap();
        assert_eq!(
            text,
            r#"{"acked_idx":4,"refused":[{"idx":3,"op_id":"00000000-0000-0000-0000-000000000007","code":"clock_ahead","reason":"it was written by a clock 1095 days ahead of this one"}],"corrections_refused":[{"id":"00000000-0000-0000-0000-000000000008","code":"unknown_service","reason":"no service svc-9 in the directory"}],"changes":{},"cursor":9,"more":false,"remaining":0,"cursor_tag":"3f2a9c0d1e7b4a55","server_time":"2025-11-24T16:00:00Z"}"#
        );
        assert_eq!(serde_json::from_str::<SyncResponse>(&text).unwrap(), resp);
        let req: SyncRequest =
            serde_json::from_str(r#"{"cursor":9,"cursor_tag":"3f2a9c0d1e7b4a55","protocol":2}"#)
                .unwrap();
        assert_eq!(
            (req.protocol(), req.cursor_tag.as_deref()),
            (2, Some("3f2a9c0d1e7b4a55"))
        );
        let old: SyncRequest = serde_json::from_str(r#"{"cursor":9}"#).unwrap();
        assert_eq!(old.protocol(), 1);
        let fork: ForkRequest = serde_json::from_str(
            r#"{"fork_id":"00000000-0000-0000-0000-000000000009","after":8,"op_ids":[]}"#,
        )
        .unwrap();
        assert_eq!(fork.after, 8);
    }

    /// Frozen wire shape of an enrolment, first and again as the same device.
    #[test]
    fn enroll_request_golden() {
        let first = EnrollRequest {
            code: "K7QM-3XPA-9D".into(),
            device_label: None,
            device_id: None,
            device_token: None,
        };
        assert_eq!(
            serde_json::to_string(&first).unwrap(),
            r#"{"code":"K7QM-3XPA-9D"}"#
        );
        let again = EnrollRequest {
            code: "M2PW-7KXR-4C".into(),
            device_label: Some("Amina's tablet".into()),
            device_id: Some(Uuid::from_u128(5)),
            device_token: Some("old-token".into()),
        };
        let text = r#"{"code":"M2PW-7KXR-4C","device_label":"Amina's tablet","device_id":"00000000-0000-0000-0000-000000000005","device_token":"old-token"}"#;
        assert_eq!(serde_json::to_string(&again).unwrap(), text);
        assert_eq!(serde_json::from_str::<EnrollRequest>(text).unwrap(), again);
    }

    #[test]
    fn unknown_request_fields_are_refused() {
        assert!(serde_json::from_str::<SyncRequest>(r#"{"cursor":0,"evil":1}"#).is_err());
        assert!(serde_json::from_str::<EnrollRequest>(r#"{"code":"x"}"#).is_ok());
    }
}
