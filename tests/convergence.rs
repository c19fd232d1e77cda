//! DESIGN §7: any interleaving of edits, voids, office edits and syncs converges. Generated
//! with proptest over three devices — a CHW's two phones and their supervisor — and the
//! office, each device a real encrypted store and the server the real SQLite backend with
//! the real merge (in-process: the HTTP path is covered by the end-to-end tests). After any
//! sequence, two sync rounds of every device leave every device holding exactly the
//! server's sessions, field for field, with nothing lost or doubled.

use std::collections::BTreeMap;

use chrono::{Duration, Utc};
use njia_model::outreach::SessionInput;
use njia_model::wire::{EnrollResponse, Role, SyncResponse};
use njia_server_database::{Database, DeviceRecord, NewDevice, NewEnrollment};
use njia_server_sqlite::SqliteDatabase;
use njia_store::Store;
use proptest::prelude::*;
use serde_json::{json, Map, Value};
use uuid::Uuid;

#[derive(Debug, Clone)]
enum Step {
    /// Device `d` records a session.
    Add { d: usize, count: i64 },
    /// Device `d` changes the notes (or the count) of the k-th session it holds.
    Edit {
        d: usize,
        k: usize,
        notes: bool,
        n: i64,
    },
    /// Device `d` voids the k-th session it holds.
    Void { d: usize, k: usize },
    /// The office edits the k-th session the server holds.
    Office { k: usize, n: i64 },
    /// Device `d` syncs one round.
    Sync { d: usize },
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        (0..3usize, 1..50i64).prop_map(|(d, count)| Step::Add { d, count }),
        (0..3usize, 0..8usize, any::<bool>(), 1..50i64).prop_map(|(d, k, notes, n)| Step::Edit {
            d,
            k,
            notes,
            n
        }),
        (0..3usize, 0..8usize).prop_map(|(d, k)| Step::Void { d, k }),
        (0..8usize, 1..50i64).prop_map(|(k, n)| Step::Office { k, n }),
        (0..3usize).prop_map(|d| Step::Sync { d }),
        (0..3usize).prop_map(|d| Step::Sync { d }),
    ]
}

struct Phone {
    store: Store,
    device: DeviceRecord,
}

async fn enrol(
    db: &SqliteDatabase,
    n: usize,
    worker: &str,
    role: Role,
    dir: &std::path::Path,
) -> Phone {
    let now = Utc::now();
    let code = format!("code-{n}");
    db.create_enrollment(NewEnrollment {
        code_hash: code.clone(),
        worker_id: db
            .choose_worker(njia_server_database::WorkerChoice::Named(
                njia_server_database::NewWorker::new(
                    worker,
                    Some("team".into()),
                    role,
                    Vec::new(),
                    chrono::Utc::now(),
                ),
            ))
            .await
            .expect("worker")
            .id,
        role,
        regions: vec!["KE".into()],
        created_at: now,
        expires_at: now + Duration::hours(1),
    })
    .await
    .expect("enrolment");
    let device = db
        .redeem_enrollment(
            &code,
            NewDevice {
                id: Uuid::now_v7(),
                token_hash: format!("token-{n}"),
                label: None,
                proof: None,
                now,
            },
        )
        .await
        .expect("redeem");
    let mut store =
        Store::open(&dir.join(format!("phone-{n}.db")), "convergence test").expect("store");
    store
        .enroll(
            "http://in-process",
            &EnrollResponse {
                device_id: device.id,
                token: format!("token-{n}"),
                worker_id: Some(device.worker_id),
                worker: worker.into(),
                team: Some("team".into()),
                role,
                regions: vec!["KE".into()],
                server_time: now,
            },
        )
        .expect("enrol the store");
    Phone { store, device }
}

/// One sync round as `POST /api/v1/sync` does it, without the HTTP: push what is pending,
/// read the feed, apply the answer; again while anything is left.
async fn sync(db: &SqliteDatabase, p: &mut Phone) {
    for _ in 0..20 {
        let acked = p.store.op_log_status().expect("status").acked_idx;
        let ops = p.store.operations_after(acked, 10_000).expect("ops");
        let cursor = p.store.sync_cursor().expect("cursor");
        let now = Utc::now();
        let pushed = db
            .push_ops_seen(&p.device, ops, now, cursor)
            .await
            .expect("push");
        let page = db
            .changes_since(&p.device, cursor, 1 << 20, true)
            .await
            .expect("feed");
        let resp = SyncResponse {
            acked_idx: pushed.acked_idx,
            corrections_acked: vec![],
            refused: pushed.refused,
            corrections_refused: vec![],
            changes: page.changes,
            cursor: page.cursor,
            more: page.more,
            remaining: Some(page.remaining),
            cursor_tag: db.history_tag(page.cursor).await.expect("tag"),
            server_time: now,
        };
        p.store.apply_sync_page(&resp).expect("apply");
        if !resp.more && p.store.op_log_status().expect("status").pending == 0 {
            return;
        }
    }
    panic!("a sync round did not end");
}

fn session(count: i64) -> SessionInput {
    SessionInput::from_value(
        json!({"started_at": "2026-11-20T09:30:00+03:00", "place": "Market",
        "activity": "health_talk", "topics": ["hiv"],
        "reached": [{"sex": "female", "age": "18-49", "group": "migrant", "count": count}],
        "status": "final"}),
    )
    .expect("a session")
}

/// What a record's fields say, as the server and the devices both can: the merged fields.
fn comparable(v: &Map<String, Value>) -> BTreeMap<&'static str, Value> {
    [
        "notes",
        "place",
        "reached",
        "status",
        "void_reason",
        "started_at",
        "topics",
    ]
    .into_iter()
    .map(|k| (k, v.get(k).cloned().unwrap_or(Value::Null)))
    .map(|(k, v)| match (k, v) {
        ("void_reason", Value::String(s)) if s.is_empty() => (k, Value::Null),
        other => other,
    })
    .collect()
}

async fn run(steps: Vec<Step>) {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = SqliteDatabase::open(&dir.path().join("server.db")).expect("server");
    let mut phones = [
        enrol(&db, 0, "amina", Role::Worker, dir.path()).await,
        enrol(&db, 1, "amina", Role::Worker, dir.path()).await,
        enrol(&db, 2, "grace", Role::Supervisor, dir.path()).await,
    ];
    for s in steps {
        match s {
            Step::Add { d, count } => {
                // A supervisor records for the team too, owned by themself.
                phones[d].store.add_session(session(count)).expect("add");
            }
            Step::Edit { d, k, notes, n } => {
                let held = phones[d].store.sessions(None).expect("sessions");
                let Some(s) = held.get(k % held.len().max(1)) else {
                    continue;
                };
                if s.status == njia_model::outreach::SessionStatus::Voided {
                    continue;
                }
                let mut v = serde_json::to_value(s).expect("json");
                if notes {
                    v["notes"] = json!(format!("note {n} by {d}"));
                } else {
                    v["reached"][0]["count"] = json!(n);
                }
                let input = SessionInput::from_value(v).expect("input");
                phones[d]
                    .store
                    .edit_session(&s.id.to_string(), input)
                    .expect("edit");
            }
            Step::Void { d, k } => {
                let held = phones[d].store.sessions(None).expect("sessions");
                let Some(s) = held.get(k % held.len().max(1)) else {
                    continue;
                };
                if s.status != njia_model::outreach::SessionStatus::Voided {
                    phones[d]
                        .store
                        .void_session(&s.id.to_string(), "entered twice")
                        .expect("void");
                }
            }
            Step::Office { k, n } => {
                let records = db.outreach().await.expect("records");
                let Some(r) = records.get(k % records.len().max(1)) else {
                    continue;
                };
                let mut fields = Map::new();
                fields.insert("notes".into(), json!(format!("office note {n}")));
                db.office_edit(r.id, fields, Utc::now())
                    .await
                    .expect("office edit");
            }
            Step::Sync { d } => sync(&db, &mut phones[d]).await,
        }
    }
    for _ in 0..2 {
        for p in phones.iter_mut() {
            sync(&db, p).await;
        }
    }
    let records = db.outreach().await.expect("records");
    let refused: usize = db
        .operations()
        .await
        .expect("log")
        .iter()
        .filter(|o| o.refusal.is_some())
        .count();
    assert_eq!(
        refused, 0,
        "the devices wrote nothing the server may refuse"
    );
    for (i, p) in phones.iter().enumerate() {
        let held: BTreeMap<Uuid, _> = p
            .store
            .sessions(None)
            .expect("sessions")
            .into_iter()
            .map(|s| {
                let v = serde_json::to_value(&s).expect("json");
                (s.id, comparable(v.as_object().expect("an object")))
            })
            .collect();
        // Each phone of the worker holds the worker's sessions; the supervisor the team's.
        let want: BTreeMap<Uuid, _> = records
            .iter()
            .filter(|r| p.device.role == Role::Supervisor || r.worker == p.device.worker)
            .map(|r| (r.id, comparable(&r.fields)))
            .collect();
        assert_eq!(held, want, "device {i}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn any_interleaving_of_edits_voids_office_edits_and_syncs_converges(
        steps in proptest::collection::vec(step(), 1..40)
    ) {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime")
            .block_on(run(steps));
    }
}
