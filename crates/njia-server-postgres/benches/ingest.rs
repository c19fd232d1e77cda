//! Server ingest on PostgreSQL (DESIGN §6): 100 devices push 50 outreach sessions each at
//! once, every session a `session.create` and a `referral.create` operation with the payloads
//! a device sends, in batches as a sync round sends them. Prints sessions per second and
//! this process's peak memory; results are printed, not asserted.
//!
//! `cargo bench -p njia-server-postgres --bench ingest` on the server of
//! `NJIA_TEST_DATABASE_URL` (a fresh database is created and dropped). `NJIA_BENCH_DEVICES`,
//! `NJIA_BENCH_SESSIONS` and `NJIA_BENCH_BATCH` (operations per push) change the load.
//! Without `--bench` (`cargo test --all-targets`) it runs a tiny load as a smoke test.

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::Instant;

use chrono::{Duration, TimeZone, Utc};
use njia_model::hlc::Hlc;
use njia_model::ops::{OpKind, Operation};
use njia_model::wire::Role;
use njia_server_database::{Database, NewDevice, NewEnrollment};
use serde_json::{json, Map, Value};
use uuid::Uuid;

fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// This process's peak resident memory, from `/proc/self/status` (Linux).
fn peak_rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

fn obj(v: Value) -> Map<String, Value> {
    v.as_object().cloned().expect("object")
}

/// The operations of one device's day in the field: `sessions` sessions, each with a
/// referral, as the device store logs them.
fn device_log(device: Uuid, sessions: usize, services: &[String], seed: usize) -> Vec<Operation> {
    let places = njia_demo::places();
    let activities = [
        "health_talk",
        "door_to_door",
        "community_dialogue",
        "screening",
    ];
    let reasons = ["hiv", "tb", "maternal", "mental_health", "gbv"];
    let mut ops = Vec::with_capacity(sessions * 2);
    let mut wall = 1_764_000_000_000u64 + seed as u64 * 1_000;
    let mut next = |kind: OpKind, entity: Uuid, payload: Value, ops: &mut Vec<Operation>| {
        wall += 1_000;
        ops.push(Operation {
            device_id: device,
            idx: ops.len() as i64 + 1,
            op_id: Uuid::now_v7(),
            hlc: Hlc {
                wall_ms: wall,
                counter: 0,
                node: device,
            },
            kind,
            entity_id: entity,
            payload: obj(payload),
            seen: None,
        });
    };
    for i in 0..sessions {
        let n = seed * 31 + i * 7;
        let place = &places[n % places.len()];
        let session = Uuid::now_v7();
        let day = 1 + (i % 28);
        next(
            OpKind::SessionCreate,
            session,
            json!({
                "started_at": format!("2026-11-{day:02}T09:30:00+03:00"),
                "ended_at": format!("2026-11-{day:02}T11:00:00+03:00"),
                "place": format!("{} market", place.name),
                "lat": place.lat + (n % 100) as f64 * 1e-4,
                "lon": place.lon - (n % 97) as f64 * 1e-4,
                "accuracy_m": 25.0,
                "admin_area": null,
                "activity": activities[n % activities.len()],
                "topics": ["hiv", "tb"],
                "reached": [
                    {"sex": "female", "age": "18-49", "group": "migrant", "count": 5 + n % 20},
                    {"sex": "male", "age": "18-49", "group": "migrant", "count": 3 + n % 11},
                    {"sex": "female", "age": "5-17", "group": "host", "count": n % 6},
                    {"sex": "male", "age": "50+", "group": "host", "count": n % 4}
                ],
                "materials": {"condoms": 50 + n % 100, "leaflets": 20 + n % 40},
                "notes": "Good turnout; many asked about testing days.",
                "status": "final"
            }),
            &mut ops,
        );
        next(
            OpKind::ReferralCreate,
            Uuid::now_v7(),
            json!({
                "session_id": session,
                "service_id": services[n % services.len()],
                "reason": reasons[n % reasons.len()],
                "urgency": "routine",
                "client_code": format!("A{:02}-{:03}", n % 100, i),
                "follow_up_on": format!("2026-12-{day:02}"),
                "status": "issued"
            }),
            &mut ops,
        );
    }
    ops
}

fn main() {
    // `cargo bench` passes --bench; `cargo test --all-targets` runs this as a quick smoke test.
    let benching = std::env::args().any(|a| a == "--bench");
    let devices = env_or("NJIA_BENCH_DEVICES", if benching { 100 } else { 4 });
    let sessions = env_or("NJIA_BENCH_SESSIONS", if benching { 50 } else { 5 });
    let batch = env_or("NJIA_BENCH_BATCH", 50).max(1);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let Some(test_db) = common::TestDatabase::create().await else {
            return;
        };
        let db = test_db.connect().await;
        let t0 = Utc.with_ymd_and_hms(2026, 11, 20, 8, 0, 0).unwrap();
        let directory: Vec<_> = njia_demo::services(500, 1).collect();
        let service_ids: Vec<String> = directory.iter().map(|s| s.id.clone()).collect();
        db.import_services(directory, t0).await.expect("import");
        let mut enrolled = Vec::with_capacity(devices);
        for d in 0..devices {
            let code = format!("bench-code-{d}");
            db.create_enrollment(NewEnrollment {
                code_hash: code.clone(),
                worker_id: db
                    .choose_worker(njia_server_database::WorkerChoice::Named(
                        njia_server_database::NewWorker::new(
                            format!("chw-{d:03}"),
                            Some(format!("team-{}", d % 10)),
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
                created_at: t0,
                expires_at: t0 + Duration::days(1),
            })
            .await
            .expect("enrolment");
            let device = db
                .redeem_enrollment(
                    &code,
                    NewDevice {
                        id: Uuid::now_v7(),
                        token_hash: format!("bench-token-{d}"),
                        label: None,
                        now: t0,
                        proof: None,
                    },
                )
                .await
                .expect("redeem");
            let log = device_log(device.id, sessions, &service_ids, d);
            enrolled.push((device, log));
        }
        let bytes: usize = enrolled
            .iter()
            .flat_map(|(_, log)| log.iter())
            .map(|op| serde_json::to_vec(op).expect("json").len())
            .sum();

        let start = Instant::now();
        let mut tasks = Vec::with_capacity(devices);
        for (device, log) in enrolled {
            let db = db.clone();
            tasks.push(tokio::spawn(async move {
                let mut acked = 0;
                for chunk in log.chunks(batch) {
                    let pushed = db
                        .push_ops(&device, chunk.to_vec(), Utc::now())
                        .await
                        .expect("push");
                    assert!(pushed.refused.is_empty(), "{:?}", pushed.refused);
                    acked = pushed.acked_idx;
                }
                acked
            }));
        }
        for t in tasks {
            assert_eq!(t.await.expect("device task") as usize, sessions * 2);
        }
        let took = start.elapsed().as_secs_f64();

        let total = devices * sessions;
        let records = db.outreach().await.expect("outreach").len();
        assert_eq!(records, total * 2, "every session and referral stored");
        println!(
            "ingest (PostgreSQL): {devices} devices x {sessions} sessions (+1 referral each), \
             {batch} operations per push, {:.0} bytes of JSON per operation",
            bytes as f64 / (total * 2) as f64
        );
        println!(
            "  {total} sessions in {took:.2} s: {:.0} sessions/s ({:.0} operations/s)",
            total as f64 / took,
            (total * 2) as f64 / took
        );
        if let Some(mb) = peak_rss_mb() {
            println!("  peak RSS of this process: {mb:.1} MB (the PostgreSQL server not included)");
        }
    });
}
