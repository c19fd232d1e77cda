//! A generated attack on the push: operations of every kind with arbitrary JSON in their
//! fields (wrong types, huge and negative numbers, unknown fields, names where codes
//! belong, stamps at the edges of time), and bodies that are not operations at all, sent
//! over the real router to real SQLite storage. Whatever arrives, the server never answers
//! 5xx, and every record it holds afterwards passes the rules devices apply
//! (`njia_model::records`), so no replica can be handed a record it cannot show.

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use chrono::Utc;
use njia_model::records::{check_referral, check_session, REFERRAL_FIELDS, SESSION_FIELDS};
use njia_model::service::Service;
use njia_model::wire::Role;
use njia_server::auth::{hash, normalize_code};
use njia_server::{router, AppState, Config};
use njia_server_database::{Database, NewEnrollment, NewWorker, RecordKind, WorkerChoice};
use njia_server_sqlite::SqliteDatabase;
use proptest::prelude::*;
use serde_json::{json, Map, Value};
use tower::ServiceExt;
use uuid::Uuid;

const KINDS: &[&str] = &[
    "session.create",
    "session.update",
    "session.void",
    "referral.create",
    "referral.update",
    "session.delete",
];

/// Any JSON value, small.
fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        prop_oneof![Just(-1i64), Just(0), Just(1), Just(1_000_000_000)].prop_map(|n| json!(n)),
        any::<f64>()
            .prop_filter("JSON numbers", |f| f.is_finite())
            .prop_map(|f| json!(f)),
        ".{0,24}".prop_map(Value::String),
        Just(json!("x".repeat(20_000))),
        Just(json!("Amina Yusuf")),
        Just(json!("\u{1b}[2J")),
    ];
    leaf.prop_recursive(2, 12, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(".{0,8}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// A value that is plausible for `field` (so operations get past the first checks and
/// reach the merge), or anything at all.
fn value_for(field: &'static str) -> BoxedStrategy<Value> {
    let plausible: Vec<Value> = match field {
        "started_at" => vec![
            json!("2026-11-20T09:30:00+03:00"),
            json!("2099-01-01T00:00:00Z"),
            json!("yesterday"),
        ],
        "ended_at" => vec![
            json!("2026-11-20T11:00:00+03:00"),
            json!("2026-11-19T00:00:00Z"),
        ],
        "lat" => vec![json!(-1.27), json!(91.0), json!("garbage")],
        "lon" => vec![json!(36.85), json!(-181.0)],
        "activity" => vec![json!("health_talk"), json!("outreach"), json!("mystery")],
        "topics" => vec![json!(["hiv", "tb"]), json!(["made-up"])],
        "reached" => vec![
            json!([{"sex": "female", "age": "18-49", "group": "migrant", "count": 12}]),
            json!([{"sex": "female", "age": "18-49", "group": "migrant", "count": -5}]),
            json!([{"sex": "x", "age": "18-49", "group": "migrant", "count": "x"}]),
        ],
        "status" => vec![
            json!("draft"),
            json!("final"),
            json!("voided"),
            json!("open"),
            json!("pending"),
            json!("done"),
        ],
        "void_reason" => vec![json!("entered twice"), json!("")],
        "service_id" => vec![json!("svc-1"), json!("svc-404"), json!("Amina Yusuf")],
        "session_id" => vec![json!(Uuid::from_u128(1).to_string()), json!("not-a-uuid")],
        "reason" => vec![json!("hiv"), json!("gbv"), json!("whatever")],
        "urgency" => vec![json!("routine"), json!("urgent"), json!("whenever")],
        "client_code" => vec![json!("A7X-22"), json!("Amina Yusuf")],
        "follow_up_on" => vec![json!("2026-12-01"), json!("Amina")],
        _ => vec![json!("text")],
    };
    prop_oneof![
        6 => proptest::sample::select(plausible),
        1 => any_json(),
    ]
    .boxed()
}

/// Fields for an operation of `kind`: mostly its own, sometimes the other kind's or none.
fn payload(kind: &str) -> impl Strategy<Value = Map<String, Value>> {
    let own: Vec<&'static str> = if kind.starts_with("referral") {
        REFERRAL_FIELDS.to_vec()
    } else {
        SESSION_FIELDS.to_vec()
    };
    let any_field: Vec<&'static str> = SESSION_FIELDS
        .iter()
        .chain(REFERRAL_FIELDS.iter())
        .copied()
        .chain(["name", "junk"])
        .collect();
    let field = prop_oneof![
        8 => proptest::sample::select(own),
        1 => proptest::sample::select(any_field),
    ];
    prop::collection::vec(field.prop_flat_map(|f| (Just(f), value_for(f))), 0..4).prop_map(
        |pairs| {
            let mut m = Map::new();
            for (k, v) in pairs {
                m.insert(k.to_string(), v);
            }
            m
        },
    )
}

#[derive(Debug, Clone)]
struct RawOp {
    kind: &'static str,
    entity: u128,
    wall_ms: Value,
    payload: Map<String, Value>,
    /// Start from a valid session (so updates of real records are tried), then overlay.
    from_valid: bool,
}

fn raw_op() -> impl Strategy<Value = RawOp> {
    prop_oneof![
        12 => proptest::sample::select(&KINDS[..5]),
        1 => Just(KINDS[5]),
    ]
    .prop_flat_map(|kind| {
        (
            Just(kind),
            // Sessions are mostly 1 and 2 (a valid referral names session 1), referrals 3 and 4.
            if kind.starts_with("referral") {
                prop_oneof![4 => 3u128..5, 1 => 1u128..3].boxed()
            } else {
                prop_oneof![4 => 1u128..3, 1 => 3u128..5].boxed()
            },
            prop_oneof![
                16 => Just(json!("recent")),
                1 => Just(json!(u64::MAX)),
                1 => Just(json!(0)),
                1 => Just(json!("ahead")),
                1 => any_json(),
            ],
            payload(kind),
            proptest::bool::weighted(0.8),
        )
    })
    .prop_map(|(kind, entity, wall_ms, payload, from_valid)| RawOp {
        kind,
        entity,
        wall_ms,
        payload,
        from_valid,
    })
}

fn valid_session() -> Map<String, Value> {
    json!({"started_at": "2026-11-20T09:30:00+03:00", "ended_at": null, "place": "Market",
        "lat": -1.27, "lon": 36.85, "accuracy_m": null, "admin_area": null,
        "activity": "health_talk", "topics": ["hiv"],
        "reached": [{"sex": "female", "age": "18-49", "group": "migrant", "count": 3}],
        "materials": {}, "notes": "", "status": "final"})
    .as_object()
    .cloned()
    .expect("object")
}

fn valid_referral() -> Map<String, Value> {
    json!({"session_id": Uuid::from_u128(1).to_string(), "service_id": "svc-1",
        "reason": "hiv", "urgency": "routine", "client_code": "A7X-22", "status": "issued"})
    .as_object()
    .cloned()
    .expect("object")
}

/// The operation as JSON: fields of the wrong type stay wrong (the decoder must refuse them
/// in words, not fail).
fn to_json(device: Uuid, idx: i64, op: &RawOp) -> Value {
    let now_ms = Utc::now().timestamp_millis() as u64;
    let wall = match &op.wall_ms {
        Value::String(s) if s == "recent" => json!(now_ms - 3_600_000 + idx as u64),
        Value::String(s) if s == "ahead" => json!(now_ms + 3 * 86_400_000),
        other => other.clone(),
    };
    let hlc = match wall.as_u64() {
        Some(ms) if ms < 1_000_000_000_000_000 => {
            json!(format!("{ms:015}-{:010}-{}", 0, device.simple()))
        }
        Some(ms) => json!(format!("{ms}-0000000000-{}", device.simple())),
        None => wall,
    };
    let mut payload = if op.from_valid {
        if op.kind.starts_with("referral") {
            valid_referral()
        } else {
            valid_session()
        }
    } else {
        Map::new()
    };
    payload.extend(op.payload.clone());
    json!({
        "device_id": device,
        "idx": idx,
        "op_id": Uuid::new_v4(),
        "hlc": hlc,
        "kind": op.kind,
        "entity_id": Uuid::from_u128(op.entity),
        "payload": payload,
    })
}

struct Office {
    _dir: tempfile::TempDir,
    db: SqliteDatabase,
    app: Router,
    token: String,
    device: Uuid,
}

async fn office() -> Office {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = SqliteDatabase::open(&dir.path().join("server.db")).expect("open");
    db.import_services(
        vec![Service::new(
            "svc-1",
            "Eastleigh Health Centre",
            -1.27,
            36.85,
        )],
        Utc::now(),
    )
    .await
    .expect("import");
    let worker = db
        .choose_worker(WorkerChoice::Named(NewWorker::new(
            "amina",
            Some("eastleigh".into()),
            Role::Worker,
            Vec::new(),
            Utc::now(),
        )))
        .await
        .expect("worker");
    let code = "FUZZCODE12345";
    db.create_enrollment(NewEnrollment {
        code_hash: hash(&normalize_code(code)),
        worker_id: worker.id,
        role: Role::Worker,
        regions: vec!["KE".into()],
        created_at: Utc::now(),
        expires_at: Utc::now() + chrono::Duration::hours(1),
    })
    .await
    .expect("code");
    let app = router(AppState::new(db.clone(), Config::default()));
    let (status, body) = call(
        &app,
        None,
        json!({ "code": code }).to_string(),
        "/api/v1/enroll",
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    Office {
        _dir: dir,
        db,
        app,
        token: body["token"].as_str().expect("token").to_string(),
        device: body["device_id"]
            .as_str()
            .and_then(|d| d.parse().ok())
            .expect("device_id"),
    }
}

async fn call(app: &Router, token: Option<&str>, body: String, path: &str) -> (StatusCode, Value) {
    let mut req = Request::post(path).header(header::CONTENT_TYPE, "application/json");
    if let Some(t) = token {
        req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    let resp = app
        .clone()
        .oneshot(req.body(Body::from(body)).expect("request"))
        .await
        .expect("infallible");
    let status = resp.status();
    let bytes = axum::body::to_bytes(resp.into_body(), usize::MAX)
        .await
        .expect("body");
    let value = serde_json::from_slice(&bytes)
        .unwrap_or_else(|_| panic!("not JSON ({status}): {}", String::from_utf8_lossy(&bytes)));
    (status, value)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn no_push_gets_a_5xx_or_leaves_a_record_devices_would_refuse(
        batches in prop::collection::vec(prop::collection::vec(raw_op(), 1..6), 1..4),
        junk in any_json(),
    ) {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        runtime.block_on(async {
            let o = office().await;
            // A session and a referral the random operations can then update and void.
            let seed = vec![
                RawOp { kind: "session.create", entity: 1, wall_ms: json!("recent"), payload: Map::new(), from_valid: true },
                RawOp { kind: "referral.create", entity: 3, wall_ms: json!("recent"), payload: Map::new(), from_valid: true },
            ];
            for batch in std::iter::once(&seed).chain(&batches) {
                // Consecutive idx from what the server holds, as a device sends them.
                let mut idx = o.db.devices().await.expect("devices")[0].acked_idx;
                let ops: Vec<Value> = batch
                    .iter()
                    .map(|op| {
                        idx += 1;
                        to_json(o.device, idx, op)
                    })
                    .collect();
                let body = json!({"ops": ops, "cursor": 0, "protocol": 2}).to_string();
                let (status, answer) = call(&o.app, Some(&o.token), body, "/api/v1/sync").await;
                assert!(status.is_success() || status.is_client_error(), "{status}: {answer}");
                assert!(answer.is_object(), "{answer}");
            }
            // Bodies that are not a sync request at all.
            for body in [junk.to_string(), json!({"ops": junk, "cursor": 0}).to_string()] {
                let (status, answer) = call(&o.app, Some(&o.token), body, "/api/v1/sync").await;
                assert!(status.is_success() || status.is_client_error(), "{status}: {answer}");
            }
            let held = o.db.outreach().await.expect("outreach");
            for record in held {
                let checked = match record.kind {
                    RecordKind::Session => check_session(&record.fields, None),
                    RecordKind::Referral => check_referral(&record.fields),
                };
                assert!(
                    checked.is_ok(),
                    "the server holds a {:?} devices refuse ({}): {}",
                    record.kind,
                    checked.unwrap_err(),
                    Value::Object(record.fields.clone())
                );
            }
        });
    }
}
