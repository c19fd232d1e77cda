//! An office database from before workers were records (schema 0004: a worker was a name and
//! a team) brought to the current schema by opening it: each (name, team) becomes one
//! worker, two Aminas of two teams stay two people, every device, code, record and operation
//! points at its worker, and each phone is still fed its own records only.

use njia_server_database::Database;
use njia_server_sqlite::schema::scripts;
use njia_server_sqlite::SqliteDatabase;
use rusqlite::{params, Connection};
use uuid::Uuid;

const T: &str = "2026-11-20T08:00:00.000000Z";

fn device(n: u128) -> String {
    Uuid::from_u128(0xd000 + n).to_string()
}

fn record(n: u128) -> String {
    Uuid::from_u128(0xe000 + n).to_string()
}

/// A database at schema 0004 holding two Aminas (east, west), Baraka (east), their
/// supervisor Wanjiru (east), a code not yet used for Amina east, and one session each.
fn version_4_database(path: &std::path::Path) {
    let mut conn = Connection::open(path).expect("open");
    conn.pragma_update(None, "foreign_keys", "ON").expect("fk");
    let all = scripts();
    assert!(all.len() >= 5, "migration 0005 exists");
    for (name, sql) in &all[..4] {
        let tx = conn.transaction().expect("tx");
        tx.execute_batch(sql)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        tx.commit().expect("commit");
    }
    conn.pragma_update(None, "user_version", 4)
        .expect("user_version");
    let people = [
        (1, "Amina", "east", "worker", r#"["KE"]"#),
        (2, "Amina", "west", "worker", r#"["KE"]"#),
        (3, "Baraka", "east", "worker", r#"["KE"]"#),
        (4, "Wanjiru", "east", "supervisor", r#"["KE","SO"]"#),
    ];
    for (n, worker, team, role, regions) in people {
        conn.execute(
            "INSERT INTO device (id, worker, team, role, regions, token_hash, enrolled_at, acked_idx)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 1)",
            params![device(n), worker, team, role, regions, format!("token-{n}"), T],
        )
        .expect("device");
    }
    conn.execute(
        "INSERT INTO enrollment (code_hash, worker, team, role, regions, created_at, expires_at)
         VALUES ('unused-code', 'Amina', 'east', 'worker', '[\"KE\"]', ?1, '2099-01-01T00:00:00.000000Z')",
        params![T],
    )
    .expect("enrollment");
    for (n, worker, team, _, _) in people.iter().take(3) {
        let doc = format!(
            r#"{{"started_at":"2026-11-20T09:30:00+03:00","ended_at":null,"place":"Place {n}","lat":-1.27,"lon":36.85,"accuracy_m":null,"admin_area":null,"activity":"health_talk","topics":["hiv"],"reached":[{{"sex":"female","age":"18-49","group":"migrant","count":{n}}}],"materials":{{}},"notes":"","status":"final"}}"#
        );
        let node = Uuid::from_u128(0xd000 + n).simple().to_string();
        let hlc = format!("{:015}-{:010}-{node}", 1_763_625_000_000u64 + *n as u64, 0);
        conn.execute(
            "INSERT INTO outreach_record (id, kind, device_id, worker, team, version, doc, clocks, created_at, updated_at)
             VALUES (?1, 'session', ?2, ?3, ?4, 1, ?5, '{}', ?6, ?6)",
            params![record(*n), device(*n), worker, team, doc, T],
        )
        .expect("record");
        conn.execute(
            "INSERT INTO outreach_op (device_id, idx, op_id, hlc, kind, entity_id, payload, received_at, owner_worker, owner_team, applied)
             VALUES (?1, 1, ?2, ?3, 'session.create', ?4, ?5, ?6, ?7, ?8, 1)",
            params![device(*n), Uuid::from_u128(0xf000 + n).to_string(), hlc, record(*n), doc, T, worker, team],
        )
        .expect("operation");
    }
}

#[tokio::test]
async fn a_database_of_named_workers_becomes_one_of_worker_records() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("njia-server.db");
    version_4_database(&path);
    let db = SqliteDatabase::open(&path).expect("the migration runs on open");

    let workers = db.workers().await.expect("workers");
    let named = |name: &str, team: &str| {
        workers
            .iter()
            .find(|w| w.name == name && w.team.as_deref() == Some(team))
            .unwrap_or_else(|| panic!("no worker {name} of {team}: {workers:?}"))
    };
    let (amina_east, amina_west) = (named("Amina", "east"), named("Amina", "west"));
    assert_ne!(
        amina_east.id, amina_west.id,
        "one name in two teams is two people"
    );
    let wanjiru = named("Wanjiru", "east");
    assert_eq!(
        wanjiru.role.as_str(),
        "supervisor",
        "a supervisor's device made one"
    );
    assert_eq!(wanjiru.regions, vec!["KE".to_string(), "SO".to_string()]);

    let devices = db.devices().await.expect("devices");
    let of = |n: u128| {
        devices
            .iter()
            .find(|d| d.id.to_string() == device(n))
            .expect("device kept")
    };
    assert_eq!(of(1).worker_id, amina_east.id);
    assert_eq!(of(2).worker_id, amina_west.id);
    assert_eq!(of(4).worker_id, wanjiru.id);
    assert_eq!(of(1).acked_idx, 1, "the log is kept");

    let records = db.outreach().await.expect("outreach");
    assert_eq!(records.len(), 3, "nothing lost");
    for r in &records {
        let owner = devices
            .iter()
            .find(|d| d.id == r.device_id)
            .expect("its device");
        assert_eq!(
            r.worker_id, owner.worker_id,
            "record {} owned by its worker",
            r.id
        );
    }

    // The unused code enrols Amina east's next phone.
    let new_phone = db
        .redeem_enrollment(
            "unused-code",
            njia_server_database::NewDevice {
                id: Uuid::from_u128(0xd999),
                token_hash: "token-new".into(),
                label: None,
                now: chrono::Utc::now(),
                proof: None,
            },
        )
        .await
        .expect("the old code still works");
    assert_eq!(new_phone.worker_id, amina_east.id);

    // A device is fed the others' operations it may see (never its own): Amina east's new
    // phone gets her session and not the other Amina's; the supervisor, the east team's.
    let fed = |d: njia_server_database::DeviceRecord| {
        let db = db.clone();
        async move {
            let page = db.changes_since(&d, 0, 1 << 20, false).await.expect("feed");
            let mut ids: Vec<String> = page
                .changes
                .ops
                .iter()
                .map(|op| op.entity_id.to_string())
                .collect();
            ids.sort();
            ids.dedup();
            ids
        }
    };
    assert_eq!(
        fed(new_phone).await,
        vec![record(1)],
        "Amina east's new phone"
    );
    assert_eq!(fed(of(2).clone()).await, Vec::<String>::new(), "Amina west");
    assert_eq!(fed(of(3).clone()).await, Vec::<String>::new(), "Baraka");
    let mut east = vec![record(1), record(3)];
    east.sort();
    assert_eq!(fed(of(4).clone()).await, east, "the east supervisor");
}
