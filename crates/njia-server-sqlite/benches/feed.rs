//! The change feed on SQLite: a device's first sync of a 10,000-service region out of a
//! 20,000-service directory, read in pages of 1 MB of JSON, then a sync with nothing new
//! (DESIGN §6: the whole first sync, network included, within 1.5 s).
//!
//! `cargo bench -p njia-server-sqlite --bench feed` runs the full size; without `--bench`
//! (as under `cargo test --all-targets`) a tiny run checks that the benchmark works.

use std::time::Instant;

use chrono::{Duration, Utc};
use njia_model::service::Service;
use njia_model::wire::Role;
use njia_server_database::{Database, NewDevice, NewEnrollment};
use njia_server_sqlite::SqliteDatabase;
use uuid::Uuid;

const PAGE_BYTES: usize = 1 << 20;

fn service(i: usize, country: &str) -> Service {
    let mut s = Service::new(
        format!("{country}-{i:06}"),
        format!("Dispensary {i}"),
        -1.0 - (i % 1000) as f64 * 1e-3,
        36.0 + (i / 1000) as f64 * 1e-2,
    );
    s.organization = Some("Ministry of Health".into());
    s.country = Some(country.into());
    s.categories = vec![
        "primary_care".into(),
        "maternal".into(),
        "immunization".into(),
    ];
    s.languages = vec!["sw".into(), "en".into()];
    s.free_of_charge = i.is_multiple_of(2);
    s.phone = Some(format!("+254 700 {i:06}"));
    s.address = Some(format!("Plot {i}, Moi Avenue"));
    s.opening_hours = Some("Mo-Fr 08:00-17:00; Sa 08:00-12:00".into());
    s.timezone = Some("Africa/Nairobi".into());
    s.source = Some("healthsites.io".into());
    s
}

async fn run(per_region: usize) {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = SqliteDatabase::open(&dir.path().join("feed.db")).expect("open");
    let now = Utc::now();
    for country in ["KE", "UG"] {
        let all: Vec<Service> = (0..per_region).map(|i| service(i, country)).collect();
        db.import_services(all, now).await.expect("import");
    }
    db.create_enrollment(NewEnrollment {
        code_hash: "code".into(),
        worker_id: db
            .choose_worker(njia_server_database::WorkerChoice::Named(
                njia_server_database::NewWorker::new(
                    "chw",
                    None,
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
        expires_at: now + Duration::hours(1),
    })
    .await
    .expect("enrolment");
    let device = db
        .redeem_enrollment(
            "code",
            NewDevice {
                id: Uuid::from_u128(1),
                token_hash: "token".into(),
                label: None,
                now,
                proof: None,
            },
        )
        .await
        .expect("redeem");

    let start = Instant::now();
    let (mut cursor, mut pages, mut services, mut bytes) = (0, 0, 0, 0);
    loop {
        let page = db.changes(&device, cursor, PAGE_BYTES).await.expect("page");
        pages += 1;
        services += page.changes.services.len();
        bytes += serde_json::to_vec(&page.changes).expect("json").len();
        cursor = page.cursor;
        if !page.more {
            break;
        }
    }
    let first = start.elapsed();
    assert_eq!(services, per_region);
    let start = Instant::now();
    let idle = db.changes(&device, cursor, PAGE_BYTES).await.expect("idle");
    let noop = start.elapsed();
    assert!(idle.changes.is_empty() && idle.cursor == cursor);
    println!(
        "feed: first sync of {services} services (of {}): {pages} pages, {} KB of JSON, \
         {:.0} ms; sync with nothing new: {:.2} ms",
        per_region * 2,
        bytes / 1024,
        first.as_secs_f64() * 1e3,
        noop.as_secs_f64() * 1e3
    );
}

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(run(if full { 10_000 } else { 50 }));
}
