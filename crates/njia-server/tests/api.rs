//! The HTTP API against real SQLite storage, in process: every bad input gets a 4xx with a
//! JSON body in words and stores nothing; auth, enrolment, push and pull behave.

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use chrono::Utc;
use njia_model::hlc::Hlc;
use njia_model::ops::{OpKind, Operation};
use njia_model::service::Service;
use njia_model::wire::{EnrollResponse, Role, SyncResponse};
use njia_server::auth::{hash, normalize_code};
use njia_server::{router, AppState, Config};
use njia_server_database::{Database, NewEnrollment};
use njia_server_sqlite::SqliteDatabase;
use serde_json::{json, Value};
use tower::ServiceExt;
use uuid::Uuid;

struct TestApp {
    _dir: tempfile::TempDir,
    db: SqliteDatabase,
    app: Router,
}

impl TestApp {
    fn new() -> Self {
        Self::with(Config {
            max_request_bytes: 256 * 1024,
            ..Config::default()
        })
    }

    fn with(config: Config) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let db = SqliteDatabase::open(&dir.path().join("server.db")).unwrap();
        let app = router(AppState::new(db.clone(), config));
        Self { _dir: dir, db, app }
    }

    async fn call(&self, req: Request<Body>) -> (StatusCode, Vec<u8>, Option<String>) {
        let resp = self.app.clone().oneshot(req).await.unwrap();
        let status = resp.status();
        let encoding = resp
            .headers()
            .get(header::CONTENT_ENCODING)
            .map(|v| v.to_str().unwrap().to_string());
        let bytes = axum::body::to_bytes(resp.into_body(), usize::MAX)
            .await
            .unwrap();
        (status, bytes.to_vec(), encoding)
    }

    async fn json(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Value,
    ) -> (StatusCode, Value) {
        let mut req = Request::builder()
            .method(method)
            .uri(path)
            .header(header::CONTENT_TYPE, "application/json");
        if let Some(t) = token {
            req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        let (status, bytes, _) = self
            .call(req.body(Body::from(body.to_string())).unwrap())
            .await;
        let v = serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| panic!("not JSON ({status}): {}", String::from_utf8_lossy(&bytes)));
        (status, v)
    }

    async fn enrolled(&self, worker: &str) -> EnrollResponse {
        let code = self.code_for(worker).await;
        let (status, body) = self
            .json("POST", "/api/v1/enroll", None, json!({"code": code}))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        serde_json::from_value(body).unwrap()
    }

    /// An unused enrolment code for `worker`.
    async fn code_for(&self, worker: &str) -> String {
        let code = format!("CODE{worker}12345").to_uppercase();
        self.db
            .create_enrollment(NewEnrollment {
                code_hash: hash(&normalize_code(&code)),
                worker_id: self
                    .db
                    .choose_worker(njia_server_database::WorkerChoice::Named(
                        njia_server_database::NewWorker::new(
                            worker,
                            Some("eastleigh".into()),
                            Role::Worker,
                            Vec::new(),
                            chrono::Utc::now(),
                        ),
                    ))
                    .await
                    .expect("worker")
                    .id,
                role: Role::Worker,
                regions: vec!["KE".into()],
                created_at: Utc::now(),
                expires_at: Utc::now() + chrono::Duration::hours(1),
            })
            .await
            .unwrap();
        code
    }
}

fn session_op(device: Uuid, idx: i64) -> Operation {
    let payload = json!({"started_at": "2026-11-20T09:30:00+03:00", "ended_at": null, "place": "Market",
        "lat": -1.27, "lon": 36.85, "accuracy_m": null, "admin_area": null, "activity": "health_talk",
        "topics": ["hiv"], "reached": [{"sex": "female", "age": "18-49", "group": "migrant", "count": 3}],
        "materials": {}, "notes": "", "status": "final"});
    Operation {
        device_id: device,
        idx,
        op_id: Uuid::now_v7(),
        hlc: Hlc {
            wall_ms: 1_764_000_000_000 + idx as u64,
            counter: 0,
            node: device,
        },
        kind: OpKind::SessionCreate,
        entity_id: Uuid::now_v7(),
        payload: payload.as_object().cloned().unwrap(),
        seen: None,
    }
}

fn assert_error(status: StatusCode, body: &Value, want_status: StatusCode, code: &str) {
    assert_eq!(status, want_status, "{body}");
    assert_eq!(body["code"], code, "{body}");
    assert!(
        body["error"].as_str().is_some_and(|e| e.len() > 10),
        "an error in words: {body}"
    );
}

#[tokio::test]
async fn health_needs_no_auth_and_unknown_paths_are_json() {
    let t = TestApp::new();
    let (status, body) = t.json("GET", "/api/v1/health", None, json!(null)).await;
    assert_eq!(
        (status, body["status"].as_str()),
        (StatusCode::OK, Some("ok"))
    );
    let (status, body) = t.json("GET", "/api/v1/nope", None, json!(null)).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");
}

#[tokio::test]
async fn the_openapi_document_lists_every_operation() {
    let t = TestApp::new();
    let (status, doc) = t
        .json("GET", "/api/v1/openapi.json", None, json!(null))
        .await;
    assert_eq!(status, StatusCode::OK);
    for (path, method) in [
        ("/api/v1/health", "get"),
        ("/api/v1/enroll", "post"),
        ("/api/v1/sync", "post"),
        ("/api/v1/openapi.json", "get"),
    ] {
        assert!(
            doc["paths"][path][method].is_object(),
            "{method} {path} missing"
        );
    }
}

#[tokio::test]
async fn enrolment_codes_work_once() {
    let t = TestApp::new();
    let e = t.enrolled("amina").await;
    assert_eq!(e.worker, "amina");
    assert!(e.token.len() >= 43);
    let (status, body) = t
        .json(
            "POST",
            "/api/v1/enroll",
            None,
            json!({"code": "CODEAMINA12345"}),
        )
        .await;
    // Used and unknown codes get one answer: a guesser learns nothing of which exist.
    assert_error(status, &body, StatusCode::UNAUTHORIZED, "code_unknown");
    let used_message = body["error"].clone();
    let (status, body) = t
        .json(
            "POST",
            "/api/v1/enroll",
            None,
            json!({"code": "ZZZZ-ZZZZ-ZZ"}),
        )
        .await;
    assert_error(status, &body, StatusCode::UNAUTHORIZED, "code_unknown");
    assert_eq!(body["error"], used_message, "one answer, word for word");
    let (status, body) = t
        .json("POST", "/api/v1/enroll", None, json!({"code": 5}))
        .await;
    assert_eq!(status.as_u16() / 100, 4, "{body}");
    assert!(body["error"].is_string());
}

#[tokio::test]
async fn sync_refuses_bad_input_in_words_and_stores_nothing() {
    let t = TestApp::new();
    let e = t.enrolled("amina").await;
    let token = Some(e.token.as_str());
    let (status, body) = t
        .json("POST", "/api/v1/sync", None, json!({"cursor": 0}))
        .await;
    assert_error(status, &body, StatusCode::UNAUTHORIZED, "unauthorized");
    let (status, body) = t
        .json("POST", "/api/v1/sync", Some("forged"), json!({"cursor": 0}))
        .await;
    assert_error(status, &body, StatusCode::UNAUTHORIZED, "unauthorized");
    let cases = [
        json!({"cursor": -1}),
        json!({"cursor": 0, "surprise": true}),
        json!({"cursor": "zero"}),
        json!({"ops": [session_op(Uuid::now_v7(), 1)]}),
        json!({"ops": [session_op(e.device_id, 1), session_op(e.device_id, 3)]}),
        json!({"ops": [{"idx": 1}]}),
    ];
    for body in cases {
        let (status, resp) = t.json("POST", "/api/v1/sync", token, body.clone()).await;
        assert!(status.is_client_error(), "{body} → {status}");
        assert!(
            resp["error"].as_str().is_some_and(|e| !e.is_empty()),
            "{resp}"
        );
    }
    let mut bad_lat = session_op(e.device_id, 1);
    bad_lat.payload.insert("lat".into(), json!(123.4));
    let (status, resp) = t
        .json("POST", "/api/v1/sync", token, json!({"ops": [bad_lat]}))
        .await;
    assert_error(status, &resp, StatusCode::UNPROCESSABLE_ENTITY, "invalid");
    assert!(
        resp["error"].as_str().unwrap().contains("latitude 123.4"),
        "{resp}"
    );
    // Malformed JSON and an oversized body.
    let req = Request::post("/api/v1/sync")
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::AUTHORIZATION, format!("Bearer {}", e.token))
        .body(Body::from("{\"cursor\": "))
        .unwrap();
    let (status, bytes, _) = t.call(req).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(serde_json::from_slice::<Value>(&bytes).unwrap()["error"].is_string());
    let huge = format!(
        "{{\"cursor\": 0, \"corrections\": [], \"pad\": \"{}\"}}",
        "x".repeat(300 * 1024)
    );
    let req = Request::post("/api/v1/sync")
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::AUTHORIZATION, format!("Bearer {}", e.token))
        .body(Body::from(huge))
        .unwrap();
    let (status, bytes, _) = t.call(req).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(
        serde_json::from_slice::<Value>(&bytes).unwrap()["code"],
        "too_large"
    );
    assert!(t.db.outreach().await.unwrap().is_empty(), "nothing stored");
    assert_eq!(t.db.devices().await.unwrap()[0].acked_idx, 0);
}

#[tokio::test]
async fn a_push_is_idempotent_and_a_gap_says_where_to_resume() {
    let t = TestApp::new();
    let e = t.enrolled("amina").await;
    let token = Some(e.token.as_str());
    let ops = vec![session_op(e.device_id, 1), session_op(e.device_id, 2)];
    for _ in 0..2 {
        let (status, body) = t
            .json(
                "POST",
                "/api/v1/sync",
                token,
                json!({"ops": ops, "cursor": 0}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let resp: SyncResponse = serde_json::from_value(body).unwrap();
        assert_eq!(resp.acked_idx, 2);
    }
    assert_eq!(t.db.outreach().await.unwrap().len(), 2);
    let (status, body) = t
        .json(
            "POST",
            "/api/v1/sync",
            token,
            json!({"ops": [session_op(e.device_id, 5)]}),
        )
        .await;
    assert_error(status, &body, StatusCode::CONFLICT, "gap");
    assert_eq!(body["acked_idx"], 2);
}

#[tokio::test]
async fn zstd_both_ways_and_a_revoked_device_is_told() {
    let t = TestApp::new();
    t.db.import_services(
        vec![Service::new(
            "svc-1",
            "Eastleigh Health Centre",
            -1.27,
            36.85,
        )],
        Utc::now(),
    )
    .await
    .unwrap();
    let e = t.enrolled("amina").await;
    let body = zstd::encode_all(json!({"cursor": 0}).to_string().as_bytes(), 3).unwrap();
    let req = Request::post("/api/v1/sync")
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::CONTENT_ENCODING, "zstd")
        .header(header::ACCEPT_ENCODING, "zstd")
        .header(header::AUTHORIZATION, format!("Bearer {}", e.token))
        .body(Body::from(body))
        .unwrap();
    let (status, bytes, encoding) = t.call(req).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(encoding.as_deref(), Some("zstd"));
    let resp: SyncResponse =
        serde_json::from_slice(&zstd::decode_all(&bytes[..]).unwrap()).unwrap();
    assert_eq!(resp.changes.services.len(), 1);
    assert!(!resp.more);
    t.db.revoke_device(e.device_id, Utc::now()).await.unwrap();
    let (status, body) = t
        .json(
            "POST",
            "/api/v1/sync",
            Some(&e.token),
            json!({"cursor": resp.cursor}),
        )
        .await;
    assert_error(status, &body, StatusCode::UNAUTHORIZED, "revoked");
    assert!(body["error"].as_str().unwrap().contains("revoked"));
}

/// A sync request with this body, already encoded.
fn raw_sync(token: &str, encoding: Option<&str>, body: Vec<u8>) -> Request<Body> {
    let mut req = Request::post("/api/v1/sync")
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::AUTHORIZATION, format!("Bearer {token}"));
    if let Some(e) = encoding {
        req = req.header(header::CONTENT_ENCODING, e);
    }
    req.body(Body::from(body)).unwrap()
}

#[tokio::test]
async fn a_damaged_zstd_body_is_a_bad_request_and_a_bomb_is_too_large() {
    let t = TestApp::with(Config {
        max_request_bytes: 256 * 1024,
        max_decompressed_bytes: 1024 * 1024,
        ..Config::default()
    });
    let e = t.enrolled("amina").await;
    let mut damaged =
        zstd::encode_all(json!({"cursor": 0, "ops": []}).to_string().as_bytes(), 3).unwrap();
    let middle = damaged.len() / 2;
    damaged.truncate(middle);
    damaged.extend_from_slice(&[0xff; 16]);
    let (status, bytes, _) = t.call(raw_sync(&e.token, Some("zstd"), damaged)).await;
    let body: Value = serde_json::from_slice(&bytes).unwrap();
    // 413 would make the device shrink its batches for a stream that is simply damaged.
    assert_error(status, &body, StatusCode::BAD_REQUEST, "invalid");

    // 8 MB of JSON in a few kilobytes of zstd: refused once it passes the decoded limit.
    let bomb = format!(
        "{{\"cursor\": 0, \"pad\": \"{}\"}}",
        "x".repeat(8 * 1024 * 1024)
    );
    let bomb = zstd::encode_all(bomb.as_bytes(), 19).unwrap();
    assert!(bomb.len() < 64 * 1024, "{} bytes", bomb.len());
    let (status, bytes, _) = t.call(raw_sync(&e.token, Some("zstd"), bomb)).await;
    let body: Value = serde_json::from_slice(&bytes).unwrap();
    assert_error(status, &body, StatusCode::PAYLOAD_TOO_LARGE, "too_large");
    assert_eq!(t.db.devices().await.unwrap()[0].acked_idx, 0);
}

#[tokio::test]
async fn a_device_past_its_daily_quota_is_refused_in_words_and_a_resend_is_not() {
    let t = TestApp::with(Config {
        quota_items_per_day: 3,
        ..Config::default()
    });
    let e = t.enrolled("amina").await;
    let token = Some(e.token.as_str());
    let first: Vec<Operation> = (1..=3).map(|i| session_op(e.device_id, i)).collect();
    let (status, body) = t
        .json(
            "POST",
            "/api/v1/sync",
            token,
            json!({"ops": first, "cursor": 0}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // The same three again (an answer was lost): held already, never refused for the quota.
    let (status, body) = t
        .json(
            "POST",
            "/api/v1/sync",
            token,
            json!({"ops": first, "cursor": 0}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // A pull alone still works.
    let (status, body) = t
        .json("POST", "/api/v1/sync", token, json!({"cursor": 0}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = t
        .json(
            "POST",
            "/api/v1/sync",
            token,
            json!({"ops": [session_op(e.device_id, 4)], "cursor": 0}),
        )
        .await;
    assert_error(
        status,
        &body,
        StatusCode::TOO_MANY_REQUESTS,
        "quota_exceeded",
    );
    assert!(
        body["error"].as_str().unwrap().contains("24 hours"),
        "{body}"
    );
    assert_eq!(
        t.db.devices().await.unwrap()[0].acked_idx,
        3,
        "nothing of it stored"
    );
    assert_eq!(t.db.outreach().await.unwrap().len(), 3);
}

#[tokio::test]
async fn wrong_codes_from_one_address_are_throttled_and_others_are_not() {
    let t = TestApp::with(Config {
        enroll_failures: 3,
        ..Config::default()
    });
    let from = |ip: &str, code: &str| {
        let mut req = Request::post("/api/v1/enroll")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(json!({ "code": code }).to_string()))
            .unwrap();
        let addr: std::net::SocketAddr = format!("{ip}:40000").parse().unwrap();
        req.extensions_mut()
            .insert(axum::extract::ConnectInfo(addr));
        req
    };
    for _ in 0..3 {
        let (status, _, _) = t.call(from("198.51.100.7", "ZZZZ-ZZZZ-ZZ")).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    let (status, bytes, _) = t.call(from("198.51.100.7", "ZZZZ-ZZZZ-ZY")).await;
    let body: Value = serde_json::from_slice(&bytes).unwrap();
    assert_error(
        status,
        &body,
        StatusCode::TOO_MANY_REQUESTS,
        "too_many_attempts",
    );
    // Even the right code waits: the throttle answers before the code is looked at.
    let code = t.code_for("omari").await;
    let (status, _, _) = t.call(from("198.51.100.7", &code)).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    let (status, bytes, _) = t.call(from("198.51.100.8", &code)).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&bytes)
    );
}
