//! Server ingest on SQLite (DESIGN §6: ≥ 5,000 outreach sessions/s with 100 devices pushing
//! at once). Each device holds 50 sessions, each a `session.create` with a full payload and a
//! `referral.create`, and pushes them, all devices at once on tokio tasks, into a fresh file
//! in a temporary folder: once in batches of 10 operations (a phone syncing after every few
//! sessions), once as one batch of 100 (the whole day in one request, as the reference client
//! does when it has been offline).
//!
//! `cargo bench -p njia-server-sqlite --bench ingest` runs the full size and prints
//! sessions/s; without `--bench` (as under `cargo test --all-targets`) a tiny run checks
//! that the benchmark works.

use std::time::Instant;

use chrono::{Duration, TimeZone, Utc};
use njia_model::hlc::Hlc;
use njia_model::ops::{OpKind, Operation};
use njia_model::wire::Role;
use njia_server_database::{Database, DeviceRecord, NewDevice, NewEnrollment};
use njia_server_sqlite::SqliteDatabase;
use serde_json::{json, Map, Value};
use uuid::Uuid;

fn obj(v: Value) -> Map<String, Value> {
    v.as_object().cloned().expect("object")
}

/// One device's log: `sessions` sessions, each with one referral.
fn log_of(device: Uuid, sessions: usize) -> Vec<Operation> {
    let base_ms = 1_764_000_000_000u64;
    let mut ops = Vec::with_capacity(sessions * 2);
    for s in 0..sessions {
        // Devices name records with UUIDv7, ordered by creation time.
        let session = Uuid::now_v7();
        let referral = Uuid::now_v7();
        let started = Utc.timestamp_millis_opt(base_ms as i64).unwrap() + Duration::hours(s as i64);
        let payloads = [
            (
                OpKind::SessionCreate,
                session,
                json!({
                    "started_at": started.to_rfc3339(),
                    "ended_at": (started + Duration::minutes(90)).to_rfc3339(),
                    "place": format!("Eastleigh market, stall {s}"),
                    "lat": -1.2741 + s as f64 * 1e-4, "lon": 36.8516, "accuracy_m": 25.0,
                    "admin_area": "Kamukunji",
                    "activity": "health_talk",
                    "topics": ["hiv", "tb", "srh"],
                    "reached": [
                        {"sex": "female", "age": "18-49", "group": "migrant", "count": 12 + s % 7},
                        {"sex": "male", "age": "18-49", "group": "migrant", "count": 8},
                        {"sex": "female", "age": "5-17", "group": "host", "count": 3},
                        {"sex": "male", "age": "50+", "group": "host", "count": 2}
                    ],
                    "materials": {"condoms": 100, "leaflets": 40},
                    "notes": "Rain in the afternoon; many asked about the new clinic hours.",
                    "status": "final"
                }),
            ),
            (
                OpKind::ReferralCreate,
                referral,
                json!({
                    "session_id": session,
                    "service_id": "ke-nairobi-0042",
                    "reason": "hiv",
                    "urgency": "routine",
                    "client_code": format!("A7X-{s:02}"),
                    "follow_up_on": null,
                    "status": "issued"
                }),
            ),
        ];
        for (i, (kind, entity, payload)) in payloads.into_iter().enumerate() {
            let idx = ops.len() as i64 + 1;
            ops.push(Operation {
                device_id: device,
                idx,
                op_id: Uuid::new_v5(&device, &idx.to_be_bytes()),
                hlc: Hlc {
                    wall_ms: base_ms + (s * 2 + i) as u64 * 1_000,
                    counter: 0,
                    node: device,
                },
                kind,
                entity_id: entity,
                payload: obj(payload),
                seen: None,
            });
        }
    }
    ops
}

async fn enrol(db: &SqliteDatabase, n: usize) -> DeviceRecord {
    let now = Utc::now();
    let code = format!("code-{n}");
    db.create_enrollment(NewEnrollment {
        code_hash: code.clone(),
        worker_id: db
            .choose_worker(njia_server_database::WorkerChoice::Named(
                njia_server_database::NewWorker::new(
                    format!("chw-{n}"),
                    Some(format!("team-{}", n % 10)),
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
        created_at: now,
        expires_at: now + Duration::hours(72),
    })
    .await
    .expect("enrolment");
    db.redeem_enrollment(
        &code,
        NewDevice {
            id: Uuid::new_v5(&Uuid::NAMESPACE_OID, code.as_bytes()),
            token_hash: format!("token-{n}"),
            label: None,
            now,
            proof: None,
        },
    )
    .await
    .expect("redeem")
}

async fn run(devices: usize, sessions: usize, batch_ops: usize) {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = SqliteDatabase::open(&dir.path().join("ingest.db")).expect("open");
    // The referrals' service, so they are applied, not refused as naming no service.
    db.import_services(
        vec![njia_model::service::Service::new(
            "ke-nairobi-0042",
            "Eastleigh Health Centre",
            -1.2741,
            36.8516,
        )],
        Utc::now(),
    )
    .await
    .expect("import");
    let mut work = Vec::with_capacity(devices);
    for n in 0..devices {
        let d = enrol(&db, n).await;
        let ops = log_of(d.id, sessions);
        work.push((d, ops));
    }
    let start = Instant::now();
    let tasks: Vec<_> = work
        .into_iter()
        .map(|(d, ops)| {
            let db = db.clone();
            tokio::spawn(async move {
                let mut acked = 0;
                for batch in ops.chunks(batch_ops) {
                    let pushed = db
                        .push_ops(&d, batch.to_vec(), Utc::now())
                        .await
                        .expect("push");
                    assert!(pushed.refused.is_empty(), "{:?}", pushed.refused);
                    acked = pushed.acked_idx;
                }
                acked
            })
        })
        .collect();
    for t in tasks {
        assert_eq!(t.await.expect("task"), (sessions * 2) as i64);
    }
    let elapsed = start.elapsed().as_secs_f64();
    let records = db.outreach().await.expect("records");
    assert_eq!(records.len(), devices * sessions * 2, "records lost");
    let total = devices * sessions;
    println!(
        "ingest: {devices} devices x {sessions} sessions (+1 referral each), {batch_ops} ops a push: \
         {total} sessions in {:.3} s = {:.0} sessions/s ({:.0} ops/s)",
        elapsed,
        total as f64 / elapsed,
        (total * 2) as f64 / elapsed
    );
}

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    if full {
        rt.block_on(run(100, 50, 10));
        rt.block_on(run(100, 50, 100));
    } else {
        rt.block_on(run(4, 3, 2));
    }
}
