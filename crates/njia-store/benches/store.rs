//! Store benchmarks on a generated directory (DESIGN §6), printing percentiles and the ratio
//! of the R*Tree near-me search against a full scan measured in the same run.
//!
//! `cargo bench -p njia-store --bench store` (100k services); `NJIA_BENCH_SERVICES=20000` for
//! a quicker run. Results are printed, not asserted: timings belong in docs/benchmarks.md.

use std::time::{Duration, Instant};

use njia_model::geo::Point;
use njia_model::outreach::SessionInput;
use njia_model::wire::{Changes, ServiceVersion, SyncResponse};
use njia_store::near::{Filter, NearQuery};
use njia_store::search::SearchQuery;
use njia_store::Store;
use rand::{Rng, SeedableRng};

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn report(name: &str, mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    let p50 = percentile(&samples, 0.50);
    let p99 = percentile(&samples, 0.99);
    println!(
        "{name:<40} n={:<6} p50 {:>9.3} ms  p99 {:>9.3} ms  max {:>9.3} ms",
        samples.len(),
        p50.as_secs_f64() * 1e3,
        p99.as_secs_f64() * 1e3,
        samples[samples.len() - 1].as_secs_f64() * 1e3
    );
    p50
}

fn main() {
    // `cargo bench` passes --bench; `cargo test --all-targets` runs this as a quick smoke test.
    let benching = std::env::args().any(|a| a == "--bench");
    let n: usize = std::env::var("NJIA_BENCH_SERVICES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(if benching { 100_000 } else { 2_000 });
    // On the target's disk, not a RAM-backed /tmp, so the durable save pays a real fsync.
    let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).expect("tempdir");
    let path = dir.path().join("bench.db");
    let mut store = Store::open(&path, "benchmark passphrase").expect("open");
    let services: Vec<_> = njia_demo::services(n, 1).collect();
    let t = Instant::now();
    store.import_services(&services, |_, _| {}).expect("import");
    println!(
        "imported {n} services in {:.2} s",
        t.elapsed().as_secs_f64()
    );
    drop(store);
    let bytes: u64 = std::fs::read_dir(dir.path())
        .expect("dir")
        .filter_map(|e| e.ok()?.metadata().ok())
        .map(|m| m.len())
        .sum();
    println!(
        "store on disk: {:.1} MB, {:.0} bytes per service",
        bytes as f64 / 1e6,
        bytes as f64 / n as f64
    );
    let mut store = Store::open(&path, "benchmark passphrase").expect("reopen");

    // Query points: near the places the directory clusters around, where CHWs stand.
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(42);
    let places = njia_demo::places();
    let points: Vec<Point> = (0..2_000)
        .map(|_| {
            let p = &places[rng.gen_range(0..places.len())];
            Point::new(
                p.lat + rng.gen_range(-0.05..0.05),
                p.lon + rng.gen_range(-0.05..0.05),
            )
            .expect("point")
        })
        .collect();
    let query = |p: Point| NearQuery {
        point: p,
        radius_m: Some(10_000.0),
        limit: 20,
        filter: Filter {
            categories: vec!["hiv".into()],
            free: true,
            ..Filter::default()
        },
    };
    for p in points.iter().take(100) {
        store.near(&query(*p)).expect("warm");
    }
    let mut near = Vec::new();
    let mut found = 0usize;
    for p in &points {
        let t = Instant::now();
        found += store.near(&query(*p)).expect("near").len();
        near.push(t.elapsed());
    }
    let near_p50 = report("near: 20 within 10 km, hiv + free", near);
    println!(
        "  (average {:.1} results per query)",
        found as f64 / points.len() as f64
    );
    let mut scan = Vec::new();
    for p in points.iter().take(100) {
        let t = Instant::now();
        store.near_by_scan(&query(*p)).expect("scan");
        scan.push(t.elapsed());
    }
    let scan_p50 = report("baseline: full scan, same query", scan);
    println!(
        "  R*Tree vs scan: {:.0}x faster (p50)",
        scan_p50.as_secs_f64() / near_p50.as_secs_f64()
    );

    let words: Vec<String> = services
        .iter()
        .flat_map(|s| {
            s.name
                .split_whitespace()
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .filter(|w| w.chars().count() >= 4)
        .collect();
    let mut search = Vec::new();
    for _ in 0..2_000 {
        let w = &words[rng.gen_range(0..words.len())];
        let cut = rng.gen_range(3..=w.chars().count().min(6));
        let prefix: String = w.chars().take(cut).collect();
        let t = Instant::now();
        store
            .search(&SearchQuery {
                text: prefix,
                near: None,
                limit: 20,
            })
            .expect("search");
        search.push(t.elapsed());
    }
    report("search: one-word prefix, top 20", search);
    let mut search_near = Vec::new();
    for p in points.iter().take(1_000) {
        let w = &words[rng.gen_range(0..words.len())];
        let cut = rng.gen_range(3..=w.chars().count().min(6));
        let prefix: String = w.chars().take(cut).collect();
        let t = Instant::now();
        store
            .search(&SearchQuery {
                text: prefix,
                near: Some(*p),
                limit: 20,
            })
            .expect("search");
        search_near.push(t.elapsed());
    }
    report("search: one-word prefix, nearest 20", search_near);

    // The directory's places: a full rebuild (what an import or the last page of a sync round
    // pays once when the directory changed), then queries as a CHW types a place's first
    // letters. A sync page in the middle of a round marks them stale without rebuilding.
    let all = store.places("", usize::MAX).expect("places");
    assert!(!all.is_empty(), "a demo directory names places");
    let mut rebuild = Vec::new();
    for i in 0..3 {
        let mut moved = services[0].clone();
        moved.address = Some(format!("Bench Road, Bench Estate {i}, Nairobi"));
        let page = SyncResponse {
            acked_idx: 0,
            corrections_acked: vec![],
            changes: Changes {
                services: vec![ServiceVersion {
                    service: moved,
                    version: 10 + i,
                }],
                ..Changes::default()
            },
            cursor: 1 + i,
            more: true,
            remaining: None,
            refused: vec![],
            corrections_refused: vec![],
            cursor_tag: None,
            server_time: chrono::Utc::now(),
        };
        store.apply_sync_page(&page).expect("page");
        let t = Instant::now();
        let rebuilt = store.refresh_places().expect("rebuild");
        rebuild.push(t.elapsed());
        assert!(
            rebuilt.is_some(),
            "the page should have marked the places stale"
        );
    }
    report("places: rebuild from the directory", rebuild);
    println!("  ({} places)", all.len());
    let mut typed = Vec::new();
    for _ in 0..2_000 {
        let name = &all[rng.gen_range(0..all.len())].name;
        let cut = rng.gen_range(1..=name.chars().count().min(5));
        let prefix: String = name.chars().take(cut).collect();
        if njia_store::places::fold(&prefix).is_empty() {
            continue;
        }
        let t = Instant::now();
        store.places(&prefix, 8).expect("places");
        typed.push(t.elapsed());
    }
    report("places: first letters of a name, top 8", typed);

    let session = r#"{"started_at": "2026-11-20T09:30:00+03:00", "ended_at": "2026-11-20T11:00:00+03:00",
       "place": "Eastleigh market", "lat": -1.2741, "lon": 36.8516, "accuracy_m": 25,
       "activity": "health_talk", "topics": ["hiv", "tb"],
       "reached": [{"sex": "female", "age": "18-49", "group": "migrant", "count": 12},
                   {"sex": "male", "age": "18-49", "group": "host", "count": 5}],
       "materials": {"condoms": 100, "leaflets": 40}, "notes": "", "status": "final"}"#;
    let mut save = Vec::new();
    for _ in 0..500 {
        let input = SessionInput::from_json(session).expect("session");
        let t = Instant::now();
        store.add_session(input).expect("save");
        save.push(t.elapsed());
    }
    report("save: one session, durable (fsync)", save);
}
