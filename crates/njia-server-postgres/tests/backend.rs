//! What only PostgreSQL can get wrong (migrations on a shared server, concurrent writers, the
//! order sequence values become visible in, bulk imports), plus the stories of the trait told
//! end to end on PostgreSQL.

mod common;

use std::collections::BTreeSet;
use std::time::Instant;

use chrono::{DateTime, Duration, TimeZone, Utc};
use njia_model::hlc::Hlc;
use njia_model::ops::{OpKind, Operation};
use njia_model::service::Service;
use njia_model::wire::{Correction, Role};
use njia_server_database::{
    CorrectionStatus, Database, DbError, DeviceRecord, NewDevice, NewEnrollment, RecordKind,
};
use njia_server_postgres::PostgresDatabase;
use serde_json::{json, Map, Value};
use uuid::Uuid;

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 20, 8, 0, 0).unwrap()
}

async fn enroll(
    db: &PostgresDatabase,
    n: u128,
    worker: &str,
    team: Option<&str>,
    role: Role,
    regions: &[&str],
) -> DeviceRecord {
    let code = format!("code-{n}");
    db.create_enrollment(NewEnrollment {
        code_hash: code.clone(),
        worker_id: db
            .choose_worker(njia_server_database::WorkerChoice::Named(
                njia_server_database::NewWorker::new(
                    worker,
                    team.map(Into::into),
                    role,
                    Vec::new(),
                    chrono::Utc::now(),
                ),
            ))
            .await
            .expect("worker")
            .id,
        role,
        regions: regions.iter().map(|r| r.to_string()).collect(),
        created_at: t0(),
        expires_at: t0() + Duration::days(1),
    })
    .await
    .expect("create enrolment");
    db.redeem_enrollment(
        &code,
        NewDevice {
            id: Uuid::from_u128(n),
            token_hash: format!("token-{n}"),
            label: Some(format!("{worker}'s phone")),
            now: t0(),
            proof: None,
        },
    )
    .await
    .expect("redeem")
}

fn obj(v: Value) -> Map<String, Value> {
    v.as_object().cloned().expect("object")
}

fn op(
    device: &DeviceRecord,
    idx: i64,
    kind: OpKind,
    entity: Uuid,
    wall_ms: u64,
    payload: Value,
) -> Operation {
    Operation {
        device_id: device.id,
        idx,
        op_id: Uuid::now_v7(),
        hlc: Hlc {
            wall_ms,
            counter: 0,
            node: device.id,
        },
        kind,
        entity_id: entity,
        payload: obj(payload),
        seen: None,
    }
}

fn session(n: u64) -> Value {
    json!({
        "started_at": "2026-11-20T09:30:00+03:00", "ended_at": "2026-11-20T11:00:00+03:00",
        "place": "Eastleigh market", "lat": -1.2741, "lon": 36.8516, "accuracy_m": 25.0,
        "admin_area": null, "activity": "health_talk", "topics": ["hiv", "tb"],
        "reached": [{"sex": "female", "age": "18-49", "group": "migrant", "count": n}],
        "materials": {"leaflets": 40}, "notes": "", "status": "final"
    })
}

fn service(id: &str, country: Option<&str>) -> Service {
    let mut s = Service::new(id, format!("Clinic {id}"), -1.28, 36.82);
    s.country = country.map(Into::into);
    s.categories = vec!["hiv".into()];
    s
}

/// Reads a device's whole feed from `cursor`, page by page.
async fn drain(
    db: &PostgresDatabase,
    device: &DeviceRecord,
    mut cursor: i64,
    max_bytes: usize,
) -> (Vec<String>, Vec<String>, Vec<Operation>, i64) {
    let (mut services, mut removed, mut ops) = (vec![], vec![], vec![]);
    loop {
        let page = db
            .changes(device, cursor, max_bytes)
            .await
            .expect("changes");
        assert!(
            page.cursor >= cursor || !page.more,
            "the cursor went backwards"
        );
        services.extend(page.changes.services.into_iter().map(|s| s.service.id));
        removed.extend(page.changes.removed);
        ops.extend(page.changes.ops);
        cursor = page.cursor;
        if !page.more {
            return (services, removed, ops, cursor);
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_server_start_applies_no_migration_twice() {
    let Some(test_db) = common::TestDatabase::create().await else {
        return;
    };
    let (a, b) = tokio::join!(
        PostgresDatabase::connect(&test_db.url),
        PostgresDatabase::connect(&test_db.url)
    );
    let (a, _b) = (a.expect("first"), b.expect("second"));
    a.import_services(vec![service("s1", Some("KE"))], t0())
        .await
        .expect("import");
    let again = test_db.connect().await;
    assert_eq!(again.services().await.expect("services").len(), 1);
    let (client, conn) = tokio_postgres::connect(&test_db.url, tokio_postgres::NoTls)
        .await
        .expect("connect");
    tokio::spawn(conn);
    let applied: i64 = client
        .query_one("SELECT count(*) FROM njia_schema_migration", &[])
        .await
        .expect("count")
        .get(0);
    assert_eq!(
        applied as usize,
        njia_server_postgres::migrate::scripts().len()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_device_sees_its_region_in_pages_and_what_left_it_as_removed() {
    let Some(test_db) = common::TestDatabase::create().await else {
        return;
    };
    let db = test_db.connect().await;
    let ke = enroll(&db, 1, "Amina", Some("east"), Role::Worker, &["KE"]).await;
    let all = enroll(&db, 2, "Zawadi", None, Role::Worker, &[]).await;
    let mut batch: Vec<Service> = (0..30)
        .map(|i| service(&format!("ke-{i:02}"), Some("KE")))
        .collect();
    batch.push(service("tz-1", Some("TZ")));
    batch.push(service("nowhere", None));
    let summary = db
        .import_services(batch.clone(), t0())
        .await
        .expect("import");
    assert_eq!(
        (summary.inserted, summary.updated, summary.unchanged),
        (32, 0, 0)
    );
    let again = db.import_services(batch, t0()).await.expect("re-import");
    assert_eq!((again.inserted, again.updated, again.unchanged), (0, 0, 32));

    let (services, removed, ops, cursor) = drain(&db, &ke, 0, 600).await;
    assert_eq!(
        services.len(),
        31,
        "KE services and the one without a country"
    );
    assert!(!services.contains(&"tz-1".to_string()));
    assert!(removed.is_empty() && ops.is_empty());
    assert_eq!(
        cursor, 32,
        "the cursor ends at the counter, past invisible changes too"
    );
    let page = db.changes(&ke, 0, 1).await.expect("tiny page");
    assert_eq!(
        page.changes.services.len(),
        1,
        "a page holds at least one item"
    );
    assert!(page.more);
    let nothing = db.changes(&ke, cursor, 1 << 20).await.expect("up to date");
    assert!(nothing.changes.is_empty() && !nothing.more);
    assert_eq!(nothing.cursor, cursor);

    // ke-00 moves to Tanzania, ke-01 is removed, ke-02 changes, tz-1 changes (invisible).
    let mut moved = service("ke-00", Some("TZ"));
    moved.phone = Some("+255 700 000000".into());
    let mut changed = service("ke-02", Some("KE"));
    changed.free_of_charge = true;
    let mut tz = service("tz-1", Some("TZ"));
    tz.free_of_charge = true;
    let s = db
        .import_services(vec![moved, changed, tz], t0())
        .await
        .expect("update");
    assert_eq!(s.updated, 3);
    assert_eq!(
        db.remove_services(vec!["ke-01".into(), "ke-01".into(), "unknown".into()], t0())
            .await
            .expect("remove"),
        1
    );
    assert_eq!(
        db.remove_services(vec!["ke-01".into()], t0())
            .await
            .expect("remove again"),
        0
    );
    assert!(db.service("ke-01").await.expect("read").is_none());
    assert_eq!(
        db.service("ke-02")
            .await
            .expect("read")
            .expect("ke-02")
            .version,
        2
    );
    assert_eq!(db.services().await.expect("all").len(), 31);

    let (services, removed, _, end) = drain(&db, &ke, cursor, 1 << 20).await;
    assert_eq!(services, vec!["ke-02"]);
    assert_eq!(removed, vec!["ke-00", "ke-01"]);
    assert_eq!(end, 36);
    let (services, removed, _, _) = drain(&db, &all, cursor, 1 << 20).await;
    assert_eq!(services, vec!["ke-00", "ke-02", "tz-1"]);
    assert_eq!(removed, vec!["ke-01"]);

    // A removed service imported again comes back, new to the devices, at a new version
    // (its removal was version 2).
    let back = db
        .import_services(vec![service("ke-01", Some("KE"))], t0())
        .await
        .expect("revive");
    assert_eq!((back.inserted, back.updated), (1, 0));
    assert_eq!(db.service("ke-01").await.unwrap().unwrap().version, 3);

    let bad = db
        .import_services(
            vec![service("ok", None), Service::new("bad", "B", 99.0, 0.0)],
            t0(),
        )
        .await;
    match bad {
        Err(DbError::Invalid(m)) => assert!(m.contains("bad") && m.contains("latitude"), "{m}"),
        other => panic!("expected Invalid, got {other:?}"),
    }
    assert!(db.service("ok").await.unwrap().is_none(), "all or nothing");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn operations_merge_by_clock_and_reach_the_owners_other_devices() {
    let Some(test_db) = common::TestDatabase::create().await else {
        return;
    };
    let db = test_db.connect().await;
    let amina = enroll(&db, 1, "Amina", Some("east"), Role::Worker, &["KE"]).await;
    let sup = enroll(&db, 2, "Sara", Some("east"), Role::Supervisor, &["KE"]).await;
    let baraka = enroll(&db, 3, "Baraka", Some("east"), Role::Worker, &["KE"]).await;
    let chidi = enroll(&db, 4, "Chidi", Some("west"), Role::Worker, &["KE"]).await;
    let aminas_new_phone = enroll(&db, 5, "Amina", Some("east"), Role::Worker, &["KE"]).await;
    let (s1, r1) = (Uuid::from_u128(100), Uuid::from_u128(101));
    db.import_services(vec![service("svc", Some("KE"))], t0())
        .await
        .unwrap();
    let first = vec![
        op(&amina, 1, OpKind::SessionCreate, s1, 1000, session(12)),
        op(
            &amina,
            2,
            OpKind::ReferralCreate,
            r1,
            1001,
            json!({"session_id": s1, "service_id": "svc", "reason": "hiv", "status": "issued"}),
        ),
    ];
    let t1 = t0() + Duration::minutes(5);
    assert_eq!(
        db.push_ops(&amina, first.clone(), t1)
            .await
            .unwrap()
            .acked_idx,
        2
    );
    assert_eq!(
        db.push_ops(&amina, first.clone(), t1)
            .await
            .unwrap()
            .acked_idx,
        2,
        "a resend"
    );
    let gap = vec![op(
        &amina,
        4,
        OpKind::SessionUpdate,
        s1,
        1002,
        json!({"notes": "x"}),
    )];
    assert!(matches!(
        db.push_ops(&amina, gap, t1).await,
        Err(DbError::Gap { acked: 2 })
    ));
    let foreign = vec![op(
        &chidi,
        3,
        OpKind::SessionUpdate,
        s1,
        1002,
        json!({"notes": "x"}),
    )];
    assert!(matches!(
        db.push_ops(&amina, foreign, t1).await,
        Err(DbError::Invalid(_))
    ));

    let records = db.outreach().await.unwrap();
    assert_eq!(records.len(), 2);
    let session_rec = records.iter().find(|r| r.id == s1).unwrap();
    assert_eq!(session_rec.kind, RecordKind::Session);
    assert_eq!(
        (
            session_rec.worker.as_str(),
            session_rec.team.as_deref(),
            session_rec.version
        ),
        ("Amina", Some("east"), 1)
    );
    assert_eq!(session_rec.fields["place"], "Eastleigh market");
    assert_eq!(session_rec.device_id, amina.id);
    assert_eq!(session_rec.updated_at, t1);

    // The supervisor fixes the notes; another team's worker tries to and is only recorded;
    // Amina's older edit of the notes loses, her edit of the place wins.
    let sup_ops = vec![op(
        &sup,
        1,
        OpKind::SessionUpdate,
        s1,
        5000,
        json!({"notes": "checked"}),
    )];
    assert_eq!(db.push_ops(&sup, sup_ops, t1).await.unwrap().acked_idx, 1);
    let chidi_ops = vec![op(
        &chidi,
        1,
        OpKind::SessionUpdate,
        s1,
        9000,
        json!({"notes": "mine"}),
    )];
    assert_eq!(
        db.push_ops(&chidi, chidi_ops, t1).await.unwrap().acked_idx,
        1
    );
    let late = vec![op(
        &amina,
        3,
        OpKind::SessionUpdate,
        s1,
        4000,
        json!({"notes": "old", "place": "Bus park"}),
    )];
    assert_eq!(db.push_ops(&amina, late, t1).await.unwrap().acked_idx, 3);
    let rec = db
        .outreach()
        .await
        .unwrap()
        .into_iter()
        .find(|r| r.id == s1)
        .unwrap();
    assert_eq!(rec.fields["notes"], "checked");
    assert_eq!(rec.fields["place"], "Bus park");
    assert_eq!(rec.version, 3);
    // A replay of an edit that changes nothing does not count as a version.
    let same = vec![op(
        &amina,
        4,
        OpKind::SessionUpdate,
        s1,
        6000,
        json!({"place": "Bus park"}),
    )];
    db.push_ops(&amina, same, t1).await.unwrap();
    let devices = db.devices().await.unwrap();
    let stored = devices.iter().find(|d| d.id == amina.id).unwrap();
    assert_eq!((stored.acked_idx, stored.last_seen_at), (4, Some(t1)));
    assert_eq!(
        db.outreach()
            .await
            .unwrap()
            .iter()
            .find(|r| r.id == s1)
            .unwrap()
            .version,
        3
    );

    let kinds = |ops: &[Operation]| -> Vec<(Uuid, i64)> {
        ops.iter().map(|o| (o.device_id, o.idx)).collect()
    };
    let (_, _, ops, _) = drain(&db, &amina, 0, 1 << 20).await;
    assert_eq!(
        kinds(&ops),
        vec![(sup.id, 1)],
        "the supervisor's edit, not Chidi's"
    );
    let (_, _, ops, _) = drain(&db, &aminas_new_phone, 0, 1 << 20).await;
    assert_eq!(
        kinds(&ops),
        vec![
            (amina.id, 1),
            (amina.id, 2),
            (sup.id, 1),
            (amina.id, 3),
            (amina.id, 4)
        ]
    );
    assert_eq!(ops[..2], first[..], "operations read back as pushed");
    let (_, _, ops, _) = drain(&db, &sup, 0, 1 << 20).await;
    assert_eq!(ops.len(), 4, "the team's operations, not its own");
    let (_, _, ops, _) = drain(&db, &baraka, 0, 1 << 20).await;
    assert!(ops.is_empty(), "a worker sees only their own records");
    let (_, _, ops, _) = drain(&db, &chidi, 0, 1 << 20).await;
    assert!(ops.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn corrections_are_reviewed_and_accepted_ones_change_the_directory() {
    let Some(test_db) = common::TestDatabase::create().await else {
        return;
    };
    let db = test_db.connect().await;
    let amina = enroll(&db, 1, "Amina", Some("east"), Role::Worker, &["KE"]).await;
    db.import_services(
        vec![service("s1", Some("KE")), service("s2", Some("KE"))],
        t0(),
    )
    .await
    .unwrap();
    let correction =
        |n: u128, service: &str, field: &str, value: Option<&str>, based_on| Correction {
            id: Uuid::from_u128(n),
            service_id: service.into(),
            field: field.into(),
            value: value.map(Into::into),
            note: "seen today".into(),
            based_on_version: based_on,
            created_at: t0(),
        };
    let c1 = correction(1, "s1", "phone", Some("+254 711 000111"), 1);
    let ids = db
        .add_corrections(&amina, vec![c1.clone(), c1.clone()], t0())
        .await
        .unwrap();
    assert_eq!(ids.acked, vec![c1.id]);
    assert_eq!(
        db.add_corrections(&amina, vec![c1.clone()], t0())
            .await
            .unwrap()
            .acked,
        vec![c1.id]
    );
    let colour = correction(9, "s1", "colour", None, 1);
    let out = db
        .add_corrections(&amina, vec![colour.clone()], t0())
        .await
        .unwrap();
    assert_eq!(
        (
            out.acked.len(),
            out.refused[0].id,
            out.refused[0].code.as_str()
        ),
        (0, colour.id, "invalid")
    );
    let mut s1 = service("s1", Some("KE"));
    s1.free_of_charge = true;
    db.import_services(vec![s1], t0()).await.unwrap();
    let c2 = correction(2, "s1", "address", Some("Kimathi St"), 1);
    let c3 = correction(3, "s2", "closed", None, 1);
    db.add_corrections(&amina, vec![c2.clone(), c3.clone()], t0())
        .await
        .unwrap();
    let pending = db
        .corrections(Some(CorrectionStatus::Pending))
        .await
        .unwrap();
    assert_eq!(pending.len(), 3);
    // Stale is judged when the correction arrives: c1 came while s1 was at version 1.
    let stale: Vec<bool> = pending.iter().map(|c| c.stale).collect();
    assert_eq!(stale, vec![false, true, false]);
    assert_eq!(pending[0].worker, "Amina");

    let (_, _, _, cursor) = drain(&db, &amina, 0, 1 << 20).await;
    let t1 = t0() + Duration::hours(1);
    let accepted = db.decide_correction(c1.id, true, t1).await.unwrap();
    assert_eq!(accepted.status, CorrectionStatus::Accepted);
    assert_eq!(accepted.decided_at, Some(t1));
    assert!(!accepted.stale);
    let s1 = db.service("s1").await.unwrap().unwrap();
    assert_eq!(
        (s1.service.phone.as_deref(), s1.version),
        (Some("+254 711 000111"), 3)
    );
    assert!(matches!(
        db.decide_correction(c1.id, false, t1).await,
        Err(DbError::Invalid(_))
    ));
    assert!(matches!(
        db.decide_correction(Uuid::from_u128(77), true, t1).await,
        Err(DbError::NotFound { .. })
    ));
    let rejected = db.decide_correction(c2.id, false, t1).await.unwrap();
    assert_eq!(rejected.status, CorrectionStatus::Rejected);
    assert!(db
        .service("s1")
        .await
        .unwrap()
        .unwrap()
        .service
        .address
        .is_none());
    db.decide_correction(c3.id, true, t1).await.unwrap();
    assert!(db.service("s2").await.unwrap().is_none());
    let (services, removed, _, _) = drain(&db, &amina, cursor, 1 << 20).await;
    assert_eq!(
        (services, removed),
        (vec!["s1".to_string()], vec!["s2".to_string()])
    );

    // A report about a service the server never had is refused; one about a service the
    // office removed meanwhile is kept, and a fix of its fields cannot be accepted.
    let ghost = correction(4, "ghost", "phone", Some("1"), 1);
    let out = db
        .add_corrections(&amina, vec![ghost.clone()], t0())
        .await
        .unwrap();
    assert_eq!(
        (
            out.acked.len(),
            out.refused[0].id,
            out.refused[0].code.as_str()
        ),
        (0, ghost.id, "unknown_service")
    );
    let late = correction(5, "s2", "phone", Some("1"), 1);
    db.add_corrections(&amina, vec![late.clone()], t0())
        .await
        .unwrap();
    assert!(matches!(
        db.decide_correction(late.id, true, t1).await,
        Err(DbError::Invalid(_))
    ));
    assert_eq!(db.corrections(None).await.unwrap().len(), 4);
}

/// Writers commit in any order on the server, but a device following the feed must never
/// skip a change: the sequence values must become visible in order.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reader_following_the_feed_during_concurrent_writes_misses_nothing() {
    let Some(test_db) = common::TestDatabase::create().await else {
        return;
    };
    let db = test_db.connect().await;
    let sup = enroll(&db, 1000, "Sara", Some("east"), Role::Supervisor, &[]).await;
    let mut workers = Vec::new();
    for n in 0..6u128 {
        workers.push(
            enroll(
                &db,
                n + 1,
                &format!("worker-{n}"),
                Some("east"),
                Role::Worker,
                &[],
            )
            .await,
        );
    }
    let reader = {
        let db = db.clone();
        let sup = sup.clone();
        tokio::spawn(async move {
            let (mut cursor, mut seen_services, mut seen_ops) = (0, BTreeSet::new(), 0usize);
            let stop_at = Instant::now() + std::time::Duration::from_secs(60);
            loop {
                let page = db.changes(&sup, cursor, 4096).await.expect("changes");
                for s in page.changes.services {
                    seen_services.insert(s.service.id);
                }
                seen_ops += page.changes.ops.len();
                cursor = page.cursor;
                if seen_services.len() == 120 && seen_ops == 240 {
                    return (seen_services, seen_ops);
                }
                assert!(Instant::now() < stop_at, "the reader missed changes");
                if !page.more {
                    tokio::time::sleep(std::time::Duration::from_millis(2)).await;
                }
            }
        })
    };
    let mut writers = Vec::new();
    for (w, device) in workers.into_iter().enumerate() {
        let db = db.clone();
        writers.push(tokio::spawn(async move {
            for i in 0..20i64 {
                let entity = Uuid::from_u128(((w as u128) << 64) | i as u128);
                let ops = vec![
                    op(
                        &device,
                        2 * i + 1,
                        OpKind::SessionCreate,
                        entity,
                        1 + i as u64,
                        session(3),
                    ),
                    op(
                        &device,
                        2 * i + 2,
                        OpKind::SessionVoid,
                        entity,
                        2 + i as u64,
                        json!({"status": "voided", "void_reason": "entered twice"}),
                    ),
                ];
                db.push_ops(&device, ops, t0()).await.expect("push");
                let id = format!("w{w}-{i:02}");
                db.import_services(vec![service(&id, Some("KE"))], t0())
                    .await
                    .expect("import");
            }
        }));
    }
    for w in writers {
        w.await.expect("writer");
    }
    let (services, ops) = reader.await.expect("reader");
    assert_eq!((services.len(), ops), (120, 240));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_pushes_of_one_device_at_once_store_each_operation_once() {
    let Some(test_db) = common::TestDatabase::create().await else {
        return;
    };
    let db = test_db.connect().await;
    let amina = enroll(&db, 1, "Amina", Some("east"), Role::Worker, &["KE"]).await;
    let ops: Vec<Operation> = (1..=40)
        .map(|i| {
            op(
                &amina,
                i,
                OpKind::SessionCreate,
                Uuid::from_u128(i as u128),
                i as u64,
                session(1),
            )
        })
        .collect();
    let (a, b, c) = tokio::join!(
        db.push_ops(&amina, ops.clone(), t0()),
        db.push_ops(&amina, ops[..25].to_vec(), t0()),
        db.push_ops(&amina, ops.clone(), t0())
    );
    assert_eq!(a.unwrap().acked_idx, 40);
    assert!(b.unwrap().acked_idx >= 25);
    assert_eq!(c.unwrap().acked_idx, 40);
    let records = db.outreach().await.unwrap();
    assert_eq!(records.len(), 40);
    assert!(records.iter().all(|r| r.version == 1));
    let reader = enroll(&db, 2, "Amina", Some("east"), Role::Worker, &["KE"]).await;
    let (_, _, fed, _) = drain(&db, &reader, 0, 1 << 20).await;
    assert_eq!(fed.len(), 40);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_services_import_in_a_few_statements() {
    let Some(test_db) = common::TestDatabase::create().await else {
        return;
    };
    let db = test_db.connect().await;
    let services: Vec<Service> = njia_demo::services(10_000, 7).collect();
    let t = Instant::now();
    let first = db.import_services(services.clone(), t0()).await.unwrap();
    let took = t.elapsed();
    assert_eq!(first.inserted, 10_000);
    let t = Instant::now();
    let again = db.import_services(services, t0()).await.unwrap();
    let took_again = t.elapsed();
    assert_eq!(again.unchanged, 10_000);
    println!(
        "10k services: import {:.2} s, unchanged re-import {:.2} s",
        took.as_secs_f64(),
        took_again.as_secs_f64()
    );
    // Generous: one statement per service would still pass on a fast disk, but not a
    // transaction per service.
    assert!(took.as_secs() < 30, "import took {took:?}");
    let device = enroll(&db, 1, "Amina", None, Role::Worker, &[]).await;
    let page = db.changes(&device, 0, 1 << 20).await.unwrap();
    assert!(page.more && !page.changes.services.is_empty());
}

/// PostgreSQL's JSONB refuses a NUL character in a string; a CHW's notes with one (a paste
/// from another app) must still sync, and read back as written.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn notes_with_any_character_sync_and_read_back() {
    let Some(test_db) = common::TestDatabase::create().await else {
        return;
    };
    let db = test_db.connect().await;
    let amina = enroll(&db, 1, "Amina", Some("east"), Role::Worker, &["KE"]).await;
    let entity = Uuid::from_u128(9);
    let notes = "pasted\u{0}text \u{1f}, emoji 🙂, \"quotes\" and \\ backslash";
    let ops = vec![
        op(&amina, 1, OpKind::SessionCreate, entity, 1, session(2)),
        op(
            &amina,
            2,
            OpKind::SessionUpdate,
            entity,
            2,
            json!({ "notes": notes }),
        ),
    ];
    assert_eq!(
        db.push_ops(&amina, ops.clone(), t0())
            .await
            .unwrap()
            .acked_idx,
        2
    );
    let rec = db.outreach().await.unwrap().pop().unwrap();
    assert_eq!(rec.fields["notes"], notes);
    let other_phone = enroll(&db, 2, "Amina", Some("east"), Role::Worker, &["KE"]).await;
    let (_, _, fed, _) = drain(&db, &other_phone, 0, 1 << 20).await;
    assert_eq!(fed, ops);
}

/// Batches a device store never writes are refused whole, in words, as on SQLite.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_batches_are_refused_and_store_nothing() {
    let Some(test_db) = common::TestDatabase::create().await else {
        return;
    };
    let db = test_db.connect().await;
    let amina = enroll(&db, 1, "Amina", Some("east"), Role::Worker, &["KE"]).await;
    let baraka = enroll(&db, 2, "Baraka", Some("east"), Role::Worker, &["KE"]).await;
    let e = Uuid::from_u128(50);
    let create = op(&amina, 1, OpKind::SessionCreate, e, 1, session(2));
    let update = |idx, wall| {
        op(
            &amina,
            idx,
            OpKind::SessionUpdate,
            e,
            wall,
            json!({"notes": "n"}),
        )
    };
    let invalid = |r: Result<njia_server_database::PushResult, DbError>| match r {
        Err(DbError::Invalid(m)) => m,
        other => panic!("expected Invalid, got {other:?}"),
    };
    let m = invalid(db.push_ops(&amina, vec![update(0, 2)], t0()).await);
    assert!(m.contains("counts from 1"), "{m}");
    let m = invalid(
        db.push_ops(&amina, vec![create.clone(), update(1, 3)], t0())
            .await,
    );
    assert!(m.contains("idx 1"), "{m}");
    let m = invalid(
        db.push_ops(&amina, vec![create.clone(), update(3, 3)], t0())
            .await,
    );
    assert!(m.contains("follow each other"), "{m}");
    assert!(db.outreach().await.unwrap().is_empty());
    // The same operation twice in a batch is kept once.
    assert_eq!(
        db.push_ops(&amina, vec![create.clone(), create.clone()], t0())
            .await
            .unwrap()
            .acked_idx,
        1
    );
    // Another device reusing an operation id is refused, and nothing of its batch is kept.
    let mut copied = op(
        &baraka,
        1,
        OpKind::SessionCreate,
        Uuid::from_u128(51),
        1,
        session(1),
    );
    copied.op_id = create.op_id;
    let m = invalid(db.push_ops(&baraka, vec![copied], t0()).await);
    assert!(m.contains("already used"), "{m}");
    assert_eq!(db.outreach().await.unwrap().len(), 1);
    let stored = db.device_by_token("token-2").await.unwrap().unwrap();
    assert_eq!(stored.acked_idx, 0);
}
