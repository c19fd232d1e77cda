//! What the sync engine does when the network or the server fails: each test talks real HTTP
//! to a tiny TCP listener that plays back fixed answers (401 revoked, 409 gap, 413, 5xx, an
//! answer cut mid-body, silence), then checks what the device says and what its store holds.
//! The happy path is tested end to end against the real server (tests/ at the workspace root).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::Utc;
use njia_model::service::Service;
use njia_model::wire::{Changes, EnrollResponse, Role, ServiceVersion, SyncRequest, SyncResponse};
use njia_store::Store;
use njia_sync::{codec, Backoff, SyncClient, SyncError, SyncOptions, SyncReport};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use uuid::Uuid;

const PASSPHRASE: &str = "correct horse battery staple";
const TOKEN: &str = "tok_0123456789abcdef";

/// What the listener does with one connection.
enum Reply {
    /// A whole answer: status, extra headers, body.
    Answer(u16, Vec<(&'static str, String)>, Vec<u8>),
    /// Headers promising `promised` bytes, part of the body, then the connection closes.
    Cut { promised: usize, sent: Vec<u8> },
    /// Reads the request and says nothing for a long time.
    Silent,
}

fn api_error(status: u16, code: &str, error: &str, acked_idx: Option<i64>) -> Reply {
    let mut body = json!({"error": error, "code": code});
    if let Some(a) = acked_idx {
        body["acked_idx"] = json!(a);
    }
    Reply::Answer(
        status,
        vec![("Content-Type", "application/json".into())],
        body.to_string().into_bytes(),
    )
}

fn ok(acked_idx: i64, cursor: i64, more: bool, changes: Changes) -> Reply {
    let resp = SyncResponse {
        acked_idx,
        corrections_acked: vec![],
        changes,
        cursor,
        more,
        remaining: None,
        refused: vec![],
        corrections_refused: vec![],
        cursor_tag: None,
        server_time: server_time(),
    };
    let (body, _) = codec::encode(&resp).unwrap();
    Reply::Answer(
        200,
        vec![
            ("Content-Type", "application/json".into()),
            ("Content-Encoding", "zstd".into()),
        ],
        body,
    )
}

/// One request as the listener received it.
#[derive(Debug, Clone)]
struct Received {
    head: String,
    body: Vec<u8>,
}

impl Received {
    fn header(&self, name: &str) -> Option<String> {
        self.head.lines().find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.trim()
                .eq_ignore_ascii_case(name)
                .then(|| v.trim().to_string())
        })
    }

    fn sync_request(&self) -> SyncRequest {
        assert_eq!(self.header("content-encoding").as_deref(), Some("zstd"));
        codec::decode(&self.body, true).unwrap()
    }

    fn op_idx(&self) -> Vec<i64> {
        self.sync_request().ops.iter().map(|o| o.idx).collect()
    }
}

/// A listener on 127.0.0.1 that plays `replies`, one connection each, then stops listening.
struct Playback {
    url: String,
    received: Arc<Mutex<Vec<Received>>>,
}

impl Playback {
    async fn start(replies: Vec<Reply>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let received = Arc::new(Mutex::new(Vec::new()));
        let log = received.clone();
        tokio::spawn(async move {
            for reply in replies {
                let Ok((mut sock, _)) = listener.accept().await else {
                    return;
                };
                let Some(req) = read_request(&mut sock).await else {
                    continue;
                };
                log.lock().unwrap().push(req);
                match reply {
                    Reply::Answer(status, headers, body) => {
                        let mut head = format!(
                            "HTTP/1.1 {status} X\r\nContent-Length: {}\r\nConnection: close\r\n",
                            body.len()
                        );
                        for (k, v) in headers {
                            head.push_str(&format!("{k}: {v}\r\n"));
                        }
                        head.push_str("\r\n");
                        let _ = sock.write_all(head.as_bytes()).await;
                        let _ = sock.write_all(&body).await;
                    }
                    Reply::Cut { promised, sent } => {
                        let head = format!(
                            "HTTP/1.1 200 OK\r\nContent-Length: {promised}\r\nContent-Encoding: zstd\r\nConnection: close\r\n\r\n"
                        );
                        let _ = sock.write_all(head.as_bytes()).await;
                        let _ = sock.write_all(&sent).await;
                    }
                    Reply::Silent => tokio::time::sleep(Duration::from_secs(30)).await,
                }
                let _ = sock.shutdown().await;
            }
        });
        Self { url, received }
    }

    fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }
}

async fn read_request(sock: &mut tokio::net::TcpStream) -> Option<Received> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        if let Some(p) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break p + 4;
        }
        let n = sock.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
    let len: usize = head
        .lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case("content-length")
                .then(|| v.trim().parse().ok())?
        })
        .unwrap_or(0);
    while buf.len() < head_end + len {
        let n = sock.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    Some(Received {
        head,
        body: buf[head_end..head_end + len].to_vec(),
    })
}

/// A fixed server time, so the same reply always encodes to the same bytes.
fn server_time() -> chrono::DateTime<Utc> {
    chrono::DateTime::parse_from_rfc3339("2026-11-25T10:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

fn fast(retries: u32) -> SyncOptions {
    SyncOptions {
        retries,
        retry_backoff: Backoff {
            base: Duration::from_millis(5),
            cap: Duration::from_millis(20),
        },
        ..SyncOptions::default()
    }
}

/// An enrolled store whose CHW recorded `sessions` sessions (two operations each).
fn enrolled_store(dir: &tempfile::TempDir, server: &str, sessions: usize) -> Store {
    let mut store = Store::open(&dir.path().join("njia.db"), PASSPHRASE).unwrap();
    store
        .import_services(
            &[Service::new(
                "svc-1",
                "Eastleigh Health Centre",
                -1.27,
                36.85,
            )],
            |_, _| {},
        )
        .unwrap();
    for i in 0..sessions {
        let v = json!({"started_at": "2026-11-20T09:30:00+03:00", "place": format!("Stop {i}"),
            "activity": "health_talk", "topics": ["hiv"], "notes": "x".repeat(200),
            "reached": [{"sex": "female", "age": "18-49", "group": "migrant", "count": 3}],
            "referrals": [{"service_id": "svc-1", "reason": "hiv"}]});
        store
            .add_session(njia_model::outreach::SessionInput::from_json(&v.to_string()).unwrap())
            .unwrap();
    }
    store
        .enroll(
            server,
            &EnrollResponse {
                device_id: Uuid::now_v7(),
                token: TOKEN.into(),
                worker_id: None,
                worker: "Amina".into(),
                team: None,
                role: Role::Worker,
                regions: vec!["KE".into()],
                server_time: server_time(),
            },
        )
        .unwrap();
    store
}

#[tokio::test]
async fn a_revoked_device_is_told_so_in_words_and_keeps_its_records() {
    let server = Playback::start(vec![api_error(
        401,
        "revoked",
        "this device was revoked on 2026-11-20",
        None,
    )])
    .await;
    let dir = tempfile::tempdir().unwrap();
    let mut store = enrolled_store(&dir, &server.url, 2);
    let err = SyncClient::with_options(fast(3))
        .unwrap()
        .sync(&mut store, None, |_| {})
        .await
        .unwrap_err();
    assert!(
        matches!(err, SyncError::Revoked { pending: 4, .. }),
        "{err:?}"
    );
    let text = err.to_string();
    assert!(
        text.contains("this device was revoked by the office") && text.contains("ask the office"),
        "{text}"
    );
    assert!(!err.is_transient(), "a person has to act, not the timer");
    assert_eq!(server.received().len(), 1, "not retried");

    let status = store.sync_status().unwrap();
    assert_eq!(status.last_error.as_deref(), Some(text.as_str()));
    assert_eq!(status.last_sync, None);
    assert_eq!(status.pending, 4, "nothing is lost");

    // The request carried the contract's headers and this device's whole log.
    let req = &server.received()[0];
    assert!(
        req.head.starts_with("POST /api/v1/sync HTTP/1.1"),
        "{}",
        req.head
    );
    assert_eq!(req.header("authorization"), Some(format!("Bearer {TOKEN}")));
    assert_eq!(
        req.header("content-type").as_deref(),
        Some("application/json")
    );
    assert_eq!(req.header("accept-encoding").as_deref(), Some("zstd"));
    let body = req.sync_request();
    assert_eq!(req.op_idx(), [1, 2, 3, 4]);
    assert!(body.ops.iter().all(|o| o.device_id == store.device_id()));
    assert_eq!((body.cursor, body.max_bytes), (0, Some(8 * 1024 * 1024)));
}

#[tokio::test]
async fn a_gap_resends_from_the_idx_the_server_holds() {
    let server = Playback::start(vec![
        api_error(409, "gap", "operations must continue from idx 2", Some(1)),
        ok(4, 8, false, Changes::default()),
    ])
    .await;
    let dir = tempfile::tempdir().unwrap();
    let mut store = enrolled_store(&dir, &server.url, 2);
    // An earlier sync had 3 acknowledged; the server has since lost 2 and 3 (a restore).
    store
        .apply_sync_page(&SyncResponse {
            acked_idx: 3,
            corrections_acked: vec![],
            changes: Changes::default(),
            cursor: 5,
            more: false,
            remaining: None,
            refused: vec![],
            corrections_refused: vec![],
            cursor_tag: None,
            server_time: server_time(),
        })
        .unwrap();
    let mut seen = Vec::new();
    let report = SyncClient::with_options(fast(0))
        .unwrap()
        .sync(&mut store, None, |r: &SyncReport| seen.push(r.ops_pending))
        .await
        .unwrap();
    let sent: Vec<Vec<i64>> = server.received().iter().map(Received::op_idx).collect();
    assert_eq!(sent, [vec![4], vec![2, 3, 4]]);
    assert_eq!(server.received()[1].sync_request().cursor, 5);
    assert!(report.complete);
    assert_eq!(
        (report.requests, report.ops_pushed, report.cursor),
        (2, 1, 8)
    );
    assert_eq!(seen, [0], "progress after each applied answer");
    let status = store.sync_status().unwrap();
    assert_eq!((status.pending, status.last_error), (0, None));
    assert!(status.last_sync.is_some());
}

#[tokio::test]
async fn an_answer_cut_mid_body_is_retried_and_applied_once() {
    let full = SyncResponse {
        acked_idx: 2,
        corrections_acked: vec![],
        changes: Changes {
            services: vec![ServiceVersion {
                service: Service::new("svc-9", "Pumwani Dispensary", -1.28, 36.84),
                version: 3,
            }],
            ..Changes::default()
        },
        cursor: 11,
        more: false,
        remaining: None,
        refused: vec![],
        corrections_refused: vec![],
        cursor_tag: None,
        server_time: server_time(),
    };
    let (body, _) = codec::encode(&full).unwrap();
    let server = Playback::start(vec![
        Reply::Cut {
            promised: body.len(),
            sent: body[..body.len() / 2].to_vec(),
        },
        ok(2, 11, false, full.changes.clone()),
    ])
    .await;
    let dir = tempfile::tempdir().unwrap();
    let mut store = enrolled_store(&dir, &server.url, 1);
    let report = SyncClient::with_options(fast(2))
        .unwrap()
        .sync(&mut store, None, |_| {})
        .await
        .unwrap();
    assert!(report.complete);
    assert_eq!(
        (report.requests, report.retries, report.ops_pushed),
        (2, 1, 2)
    );
    assert_eq!(report.services_received, 1);
    let sent: Vec<Vec<i64>> = server.received().iter().map(Received::op_idx).collect();
    assert_eq!(
        sent,
        [vec![1, 2], vec![1, 2]],
        "the same batch again, safely"
    );
    assert_eq!(store.service_version("svc-9").unwrap(), Some(3));
    assert!(report.bytes_received >= body.len() as u64);
    assert!(report.bytes_sent > 0);
}

#[tokio::test]
async fn a_link_that_keeps_breaking_ends_in_words_after_a_few_tries() {
    let cut = || Reply::Cut {
        promised: 500,
        sent: vec![0x28, 0xb5, 0x2f, 0xfd],
    };
    let server = Playback::start(vec![cut(), cut(), cut()]).await;
    let dir = tempfile::tempdir().unwrap();
    let mut store = enrolled_store(&dir, &server.url, 1);
    let err = SyncClient::with_options(fast(2))
        .unwrap()
        .sync(&mut store, None, |_| {})
        .await
        .unwrap_err();
    assert_eq!(server.received().len(), 3);
    let text = err.to_string();
    assert!(
        text.starts_with(&format!("no connection to {}/api/v1/sync:", server.url)),
        "{text}"
    );
    assert!(err.is_transient());
    let status = store.sync_status().unwrap();
    assert_eq!(status.last_error.as_deref(), Some(text.as_str()));
    assert!(status.last_attempt.is_some() && status.last_sync.is_none());
    assert_eq!(status.pending, 2);
}

#[tokio::test]
async fn nothing_listening_is_no_connection_in_words() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let dir = tempfile::tempdir().unwrap();
    let mut store = enrolled_store(&dir, &url, 1);
    let err = SyncClient::with_options(fast(1))
        .unwrap()
        .sync(&mut store, None, |_| {})
        .await
        .unwrap_err();
    let text = err.to_string();
    assert!(
        text.starts_with(&format!(
            "no connection to {url}/api/v1/sync: cannot connect"
        )),
        "{text}"
    );
    assert_eq!(err.kind(), "unreachable");
}

#[tokio::test]
async fn a_silent_server_times_out_in_words() {
    let server = Playback::start(vec![Reply::Silent]).await;
    let dir = tempfile::tempdir().unwrap();
    let mut store = enrolled_store(&dir, &server.url, 1);
    let options = SyncOptions {
        request_timeout: Duration::from_millis(300),
        ..fast(0)
    };
    let started = std::time::Instant::now();
    let err = SyncClient::with_options(options)
        .unwrap()
        .sync(&mut store, None, |_| {})
        .await
        .unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(5));
    assert!(matches!(err, SyncError::TimedOut { .. }), "{err:?}");
    assert!(err.to_string().contains("did not answer in time"), "{err}");
    assert!(store.sync_status().unwrap().last_error.is_some());
}

#[tokio::test]
async fn too_large_halves_the_batch_until_it_fits() {
    let server = Playback::start(vec![
        api_error(413, "too_large", "the request is larger than 1 MB", None),
        ok(4, 1, false, Changes::default()),
        ok(8, 2, false, Changes::default()),
    ])
    .await;
    let dir = tempfile::tempdir().unwrap();
    let mut store = enrolled_store(&dir, &server.url, 4);
    let report = SyncClient::with_options(fast(0))
        .unwrap()
        .sync(&mut store, None, |_| {})
        .await
        .unwrap();
    let sent: Vec<Vec<i64>> = server.received().iter().map(Received::op_idx).collect();
    assert_eq!(sent[0], (1..=8).collect::<Vec<_>>());
    assert!(sent[1].len() < 8 && sent[1][0] == 1, "{sent:?}");
    assert_eq!(sent[2][0], 5, "then the rest after the server's ack");
    assert!(report.complete);
    assert_eq!(report.ops_pushed, 8);
}

#[tokio::test]
async fn a_failing_server_is_retried_then_reported() {
    let server = Playback::start(vec![
        api_error(503, "internal", "the database is restarting", None),
        ok(2, 1, false, Changes::default()),
    ])
    .await;
    let dir = tempfile::tempdir().unwrap();
    let mut store = enrolled_store(&dir, &server.url, 1);
    let client = SyncClient::with_options(fast(1)).unwrap();
    let report = client.sync(&mut store, None, |_| {}).await.unwrap();
    assert!(report.complete);
    assert_eq!(report.retries, 1);

    let server = Playback::start(vec![
        api_error(500, "internal", "storage failure", None),
        Reply::Answer(502, vec![], b"<html>Bad Gateway</html>".to_vec()),
    ])
    .await;
    store
        .add_session(
            njia_model::outreach::SessionInput::from_json(
                r#"{"started_at": "2026-11-21T09:30:00+03:00", "activity": "screening"}"#,
            )
            .unwrap(),
        )
        .unwrap();
    let err = client
        .sync(&mut store, Some(&server.url), |_| {})
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "the server at {}/api/v1/sync failed (502): HTTP 502 Bad Gateway",
            server.url
        )
    );
    let status = store.sync_status().unwrap();
    assert!(
        status.last_sync.is_some(),
        "the last complete sync is still known"
    );
    assert_eq!(status.last_error, Some(err.to_string()));
    assert_eq!(status.pending, 1);
}

#[tokio::test]
async fn a_server_that_says_more_but_sends_nothing_is_a_protocol_error() {
    let server = Playback::start(vec![
        ok(0, 3, true, Changes::default()),
        ok(0, 3, true, Changes::default()),
        ok(0, 3, true, Changes::default()),
        ok(0, 3, true, Changes::default()),
    ])
    .await;
    let dir = tempfile::tempdir().unwrap();
    let mut store = enrolled_store(&dir, &server.url, 0);
    let err = SyncClient::with_options(fast(0))
        .unwrap()
        .sync(&mut store, None, |_| {})
        .await
        .unwrap_err();
    assert_eq!(err.kind(), "protocol");
    assert!(
        err.to_string()
            .contains("says more changes wait but sends none"),
        "{err}"
    );
}

/// A server that holds more of this device's log than the store wrote is talking to an
/// older copy of the store (restored from a backup): the device applies nothing of that
/// answer, takes a new device id (`POST /api/v1/fork`) and sends its log as the new device.
#[tokio::test]
async fn an_ack_beyond_the_log_forks_before_applying_anything() {
    let new_id = Uuid::from_u128(0xf0);
    let fork = json!({"device_id": new_id, "token": "tok_fork", "base_idx": 0,
        "worker": "Amina", "team": "eastleigh", "role": "worker", "regions": ["KE"],
        "server_time": server_time()});
    let server = Playback::start(vec![
        ok(
            99,
            5,
            false,
            Changes {
                removed: vec!["svc-1".into()],
                ..Changes::default()
            },
        ),
        Reply::Answer(
            200,
            vec![("Content-Type", "application/json".into())],
            fork.to_string().into_bytes(),
        ),
        ok(2, 5, false, Changes::default()),
    ])
    .await;
    let dir = tempfile::tempdir().unwrap();
    let mut store = enrolled_store(&dir, &server.url, 1);
    let old_id = store.device_id();
    let report = SyncClient::with_options(fast(0))
        .unwrap()
        .sync(&mut store, None, |_| {})
        .await
        .unwrap();
    assert_eq!((report.forks, report.complete), (1, true), "{report:?}");
    assert!(
        store.has_service("svc-1").unwrap(),
        "nothing of the answer before the fork was applied"
    );
    assert_eq!(store.device_id(), new_id);
    assert_eq!(store.op_log_status().unwrap().pending, 0);
    let received = server.received.lock().unwrap().clone();
    assert!(
        received[1].head.starts_with("POST /api/v1/fork"),
        "{}",
        received[1].head
    );
    assert_eq!(
        received[1].header("authorization").as_deref(),
        Some(format!("Bearer {TOKEN}").as_str())
    );
    let asked: serde_json::Value = serde_json::from_slice(&received[1].body).unwrap();
    assert_eq!(
        (
            asked["after"].clone(),
            asked["op_ids"].as_array().map(Vec::len)
        ),
        (json!(0), Some(2))
    );
    let resent = received[2].sync_request();
    assert_eq!(received[2].op_idx(), vec![1, 2]);
    assert!(resent
        .ops
        .iter()
        .all(|o| o.device_id == new_id && o.hlc.node == new_id));
    assert_ne!(old_id, new_id);
    assert_eq!(
        received[2].header("authorization").as_deref(),
        Some("Bearer tok_fork")
    );
}

#[tokio::test]
async fn a_device_that_is_not_enrolled_is_told_how_to_enrol() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("njia.db"), PASSPHRASE).unwrap();
    let err = SyncClient::new()
        .unwrap()
        .sync(&mut store, None, |_| {})
        .await
        .unwrap_err();
    assert!(matches!(err, SyncError::NotEnrolled));
    assert!(err
        .to_string()
        .contains("njia enroll --server URL --code CODE"));
    assert_eq!(
        store.sync_status().unwrap().last_error,
        Some(err.to_string())
    );
}

#[tokio::test]
async fn a_spent_enrolment_code_is_refused_in_words_and_enrols_nothing() {
    let server = Playback::start(vec![api_error(
        410,
        "code_used",
        "this enrolment code was already used",
        None,
    )])
    .await;
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("njia.db"), PASSPHRASE).unwrap();
    let err = SyncClient::with_options(fast(3))
        .unwrap()
        .enroll(
            &mut store,
            &format!("{}/", server.url),
            " K7QM-3XPA-9D ",
            Some("Amina's tablet"),
        )
        .await
        .unwrap_err();
    let text = err.to_string();
    assert!(
        text.starts_with("the enrolment code was refused: this enrolment code was already used")
            && text.contains("ask the office for a new code"),
        "{text}"
    );
    assert_eq!(store.enrollment().unwrap(), None);
    let req = &server.received()[0];
    assert!(req.head.starts_with("POST /api/v1/enroll HTTP/1.1"));
    let body: serde_json::Value = serde_json::from_slice(&req.body).unwrap();
    assert_eq!(
        body,
        json!({"code": "K7QM-3XPA-9D", "device_label": "Amina's tablet"})
    );
}

/// A store that synced enrols again as itself: the request carries its device id and token,
/// and an answer for another device is refused, storing nothing.
#[tokio::test]
async fn a_store_that_synced_enrols_again_only_as_itself() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = enrolled_store(&dir, "https://njia.example.org", 0);
    store
        .apply_sync_page(&SyncResponse {
            acked_idx: 0,
            corrections_acked: vec![],
            changes: Changes::default(),
            cursor: 1,
            more: false,
            remaining: None,
            refused: vec![],
            corrections_refused: vec![],
            cursor_tag: None,
            server_time: server_time(),
        })
        .unwrap();
    let me = store.device_id();
    let other = EnrollResponse {
        device_id: Uuid::now_v7(),
        token: "a-token-for-another-device".into(),
        worker_id: None,
        worker: "Amina".into(),
        team: None,
        role: Role::Worker,
        regions: vec!["KE".into()],
        server_time: server_time(),
    };
    let server = Playback::start(vec![Reply::Answer(
        200,
        vec![("Content-Type", "application/json".into())],
        serde_json::to_vec(&other).unwrap(),
    )])
    .await;
    let err = SyncClient::new()
        .unwrap()
        .enroll(&mut store, &server.url, "K7QM-3XPA-9D", None)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), "protocol", "{err}");
    assert!(
        err.to_string()
            .contains(&format!("asked to enrol device {me} again")),
        "{err}"
    );
    let body: serde_json::Value = serde_json::from_slice(&server.received()[0].body).unwrap();
    assert_eq!(
        body,
        json!({"code": "K7QM-3XPA-9D", "device_id": me.to_string(), "device_token": TOKEN})
    );
    assert_eq!(store.device_id(), me);
    assert_eq!(store.enrollment().unwrap().unwrap().token, TOKEN);
}

/// The app runs a sync on a tokio task: the future must be `Send`.
#[test]
fn the_sync_future_can_run_on_a_tokio_task() {
    fn assert_send<T: Send>(_: &T) {}
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("njia.db"), PASSPHRASE).unwrap();
    let client = SyncClient::new().unwrap();
    let fut = client.sync(&mut store, None, |_| {});
    assert_send(&fut);
    drop(fut);
    let enroll = client.enroll(&mut store, "http://127.0.0.1:9", "x", None);
    assert_send(&enroll);
}
