//! The shared conformance suite (`njia_server_database::testsuite`) on a real SQLite file,
//! plus what only this backend can show: data surviving a reopen, concurrent pushes.

use chrono::{TimeZone, Utc};
use njia_model::hlc::Hlc;
use njia_model::ops::{OpKind, Operation};
use njia_model::wire::Role;
use njia_server_database::{testsuite, Database, NewDevice, NewEnrollment};
use njia_server_sqlite::SqliteDatabase;
use serde_json::json;
use uuid::Uuid;

/// A fresh database file in a temporary folder, removed when the test ends.
fn fresh() -> (tempfile::TempDir, SqliteDatabase) {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = SqliteDatabase::open(&dir.path().join("server.db")).expect("open");
    (dir, db)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_passes_the_conformance_suite() {
    let (_dir, db) = fresh();
    testsuite::run_all(db).await;
}

async fn enrol(db: &SqliteDatabase, n: u32, worker: &str) -> njia_server_database::DeviceRecord {
    let t = Utc.with_ymd_and_hms(2026, 11, 20, 8, 0, 0).unwrap();
    db.create_enrollment(NewEnrollment {
        code_hash: format!("code-{n}"),
        worker_id: db
            .choose_worker(njia_server_database::WorkerChoice::Named(
                njia_server_database::NewWorker::new(
                    worker,
                    Some("team".into()),
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
        created_at: t,
        expires_at: t + chrono::Duration::days(1),
    })
    .await
    .unwrap();
    db.redeem_enrollment(
        &format!("code-{n}"),
        NewDevice {
            id: Uuid::from_u128(n as u128 + 1),
            token_hash: format!("token-{n}"),
            label: None,
            now: t,
            proof: None,
        },
    )
    .await
    .unwrap()
}

fn op(device: Uuid, idx: i64, entity: Uuid) -> Operation {
    Operation {
        device_id: device,
        idx,
        op_id: Uuid::new_v5(&device, &idx.to_be_bytes()),
        hlc: Hlc {
            wall_ms: 1_000 + idx as u64,
            counter: 0,
            node: device,
        },
        kind: if idx == 1 {
            OpKind::SessionCreate
        } else {
            OpKind::SessionUpdate
        },
        entity_id: entity,
        payload: if idx == 1 {
            json!({"started_at": "2026-11-20T09:30:00+03:00", "activity": "health_talk",
                   "status": "final", "notes": "edit 1"})
        } else {
            json!({ "notes": format!("edit {idx}") })
        }
        .as_object()
        .cloned()
        .unwrap(),
        seen: None,
    }
}

/// Twenty phones push at once, each several batches: every operation is held once, each
/// device's acknowledgement is its last idx, and the global sequence has no holes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_devices_pushing_at_once_lose_and_duplicate_nothing() {
    let (_dir, db) = fresh();
    let mut devices = Vec::new();
    for n in 0..20 {
        devices.push(enrol(&db, n, &format!("worker-{n}")).await);
    }
    let mut tasks = Vec::new();
    for d in devices.clone() {
        let db = db.clone();
        tasks.push(tokio::spawn(async move {
            let entity = Uuid::new_v5(&d.id, b"session");
            let ops: Vec<Operation> = (1..=30).map(|i| op(d.id, i, entity)).collect();
            let mut acked = 0;
            for chunk in ops.chunks(7) {
                // Every batch is sent twice, as after a lost acknowledgement.
                acked = db
                    .push_ops(&d, chunk.to_vec(), Utc::now())
                    .await
                    .unwrap()
                    .acked_idx;
                assert_eq!(
                    db.push_ops(&d, chunk.to_vec(), Utc::now())
                        .await
                        .unwrap()
                        .acked_idx,
                    acked
                );
            }
            acked
        }));
    }
    for t in tasks {
        assert_eq!(t.await.unwrap(), 30);
    }
    let records = db.outreach().await.unwrap();
    assert_eq!(records.len(), 20);
    assert!(records
        .iter()
        .all(|r| r.version == 30 && r.fields["notes"] == "edit 30"));
    // Each worker's second phone gets the whole log of the first, in order.
    for (n, d) in devices.iter().enumerate() {
        let other = enrol(&db, 100 + n as u32, &d.worker).await;
        let page = db.changes(&other, 0, usize::MAX).await.unwrap();
        assert_eq!(page.changes.ops.len(), 30);
        let idx: Vec<i64> = page.changes.ops.iter().map(|o| o.idx).collect();
        assert_eq!(idx, (1..=30).collect::<Vec<_>>());
    }
}

/// What was written is there after the server restarts, and the schema is not re-applied.
#[tokio::test]
async fn a_reopened_database_keeps_everything() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("server.db");
    let device = {
        let db = SqliteDatabase::open(&path).unwrap();
        let d = enrol(&db, 1, "amina").await;
        let entity = Uuid::from_u128(77);
        db.push_ops(
            &d,
            vec![op(d.id, 1, entity), op(d.id, 2, entity)],
            Utc::now(),
        )
        .await
        .unwrap();
        d
    };
    let db = SqliteDatabase::open(&path).unwrap();
    let stored = db.device_by_token("token-1").await.unwrap().unwrap();
    assert_eq!((stored.id, stored.acked_idx), (device.id, 2));
    assert_eq!(db.outreach().await.unwrap()[0].version, 2);
    assert_eq!(
        db.push_ops(
            &device,
            vec![op(device.id, 3, Uuid::from_u128(77))],
            Utc::now()
        )
        .await
        .unwrap()
        .acked_idx,
        3
    );
}
