//! Sync on the wire (issue "Central server and two-way sync", DESIGN §6): real `njia-server`
//! and `njia` processes over loopback through a counting TCP proxy, so every byte is counted,
//! HTTP headers included.
//!
//! `cargo build --release --bins && cargo bench -p njia-e2e --bench wire` (10k services; run
//! with release binaries). Under `cargo test` it runs a small version as a smoke test.

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use njia_e2e::proxy::{Faults, FaultyProxy};
use njia_e2e::{Device, Server};
use serde_json::{json, Value};

struct Counted {
    up: u64,
    down: u64,
    requests: u64,
    seconds: f64,
    report: Value,
}

fn sync_through(device: &Device, proxy: &FaultyProxy) -> Counted {
    let (up0, down0) = (
        proxy.bytes_up.load(Ordering::Relaxed),
        proxy.bytes_down.load(Ordering::Relaxed),
    );
    let t = Instant::now();
    let run = device
        .run(&["sync", "--server", &proxy.url(), "--json"])
        .ok();
    let seconds = t.elapsed().as_secs_f64();
    let report = run.json();
    Counted {
        up: proxy.bytes_up.load(Ordering::Relaxed) - up0,
        down: proxy.bytes_down.load(Ordering::Relaxed) - down0,
        requests: report["requests"].as_u64().unwrap_or(0),
        seconds,
        report,
    }
}

fn main() {
    let benching = std::env::args().any(|a| a == "--bench");
    if benching {
        std::env::set_var("NJIA_E2E_PROFILE", "release");
    }
    let n: usize = std::env::var("NJIA_BENCH_SERVICES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(if benching { 10_000 } else { 500 });

    let server = Server::start(None);
    let geojson = server.dir.path().join("dir.geojson");
    let tool = Device::new();
    tool.run(&[
        "demo-data",
        "--services",
        &n.to_string(),
        "--seed",
        "1",
        "--out",
        geojson.to_str().unwrap(),
    ])
    .ok();
    server.admin(&["import", geojson.to_str().unwrap()]).ok();
    let upstream = server
        .url
        .trim_start_matches("http://")
        .parse()
        .expect("server address");
    let proxy = FaultyProxy::start(upstream, Faults::default());

    let device = Device::new();
    let code = server
        .admin(&["enroll", "--worker", "Amina", "--team", "t", "--json"])
        .ok()
        .json()["code"]
        .as_str()
        .expect("code")
        .to_string();
    device
        .run(&["enroll", "--server", &proxy.url(), "--code", &code])
        .ok();

    let first = sync_through(&device, &proxy);
    assert_eq!(first.report["services_received"].as_u64(), Some(n as u64));
    println!(
        "first sync of {n} services: {:.1} B/service on the wire (up {} B, down {} B, headers included), {} request(s), {:.2} s including the device's indexing",
        (first.up + first.down) as f64 / n as f64,
        first.up,
        first.down,
        first.requests,
        first.seconds
    );

    let noop = sync_through(&device, &proxy);
    println!(
        "no-op sync: {} B on the wire in {} request(s), {:.3} s",
        noop.up + noop.down,
        noop.requests,
        noop.seconds
    );

    // 100 services change at the office (a renamed clinic, a new phone…).
    let text = std::fs::read_to_string(&geojson).expect("read directory");
    let mut dir: Value = serde_json::from_str(&text).expect("geojson");
    let changed = 100.min(n);
    for f in dir["features"]
        .as_array_mut()
        .expect("features")
        .iter_mut()
        .take(changed)
    {
        let name = f["properties"]["name"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        f["properties"]["name"] = json!(format!("{name} (renovated)"));
        f["properties"]["phone"] = json!("+254 700 000 111");
    }
    std::fs::write(&geojson, dir.to_string()).expect("write directory");
    server.admin(&["import", geojson.to_str().unwrap()]).ok();
    let delta = sync_through(&device, &proxy);
    assert_eq!(
        delta.report["services_received"].as_u64(),
        Some(changed as u64)
    );
    println!(
        "{changed} changed services: {:.1} B each on the wire, {} request(s)",
        (delta.up + delta.down) as f64 / changed as f64,
        delta.requests
    );

    // A day's outreach over a 2G-like link: 100 kbit/s, 600 ms round trip, cuts now and then.
    let service_id = device
        .run(&[
            "near", "--lat", "-1.2741", "--lon", "36.8516", "--limit", "1", "--json",
        ])
        .ok()
        .json()[0]["id"]
        .as_str()
        .expect("a service")
        .to_string();
    for i in 0..20 {
        let s = json!({"started_at": "2026-11-20T09:30:00+03:00", "ended_at": "2026-11-20T11:00:00+03:00",
            "place": format!("Stop {i}"), "lat": -1.2741, "lon": 36.8516, "accuracy_m": 20, "activity": "door_to_door",
            "topics": ["hiv", "tb"], "materials": {"leaflets": 20},
            "reached": [{"sex": "female", "age": "18-49", "group": "migrant", "count": 3 + i},
                        {"sex": "male", "age": "18-49", "group": "migrant", "count": 2},
                        {"sex": "female", "age": "5-17", "group": "host", "count": 1}],
            "notes": "Water point; follow up next week", "status": "final",
            "referrals": [{"service_id": service_id, "reason": "hiv", "urgency": "routine", "client_code": format!("K{i}X-7")}]});
        device
            .run_with(
                &["log", "add", "--file", "-"],
                Some(&s.to_string()),
                &device.passphrase,
            )
            .ok();
    }
    let slow = FaultyProxy::start(
        upstream,
        Faults {
            latency: Duration::from_millis(300),
            bytes_per_sec: Some(12_500),
            random_cut: 0.25,
            cut_first: 1,
            seed: 7,
            ..Faults::default()
        },
    );
    let t = Instant::now();
    let mut attempts = 0;
    loop {
        attempts += 1;
        let r = device.run(&["sync", "--server", &slow.url()]);
        if r.code == 0 || attempts >= 30 {
            break;
        }
    }
    let pending = device.run(&["status", "--json"]).ok().json()["pending"].clone();
    assert_eq!(pending, 0, "the day's outreach did not get through");
    println!(
        "a day's outreach (20 sessions with referrals) over 100 kbit/s, 600 ms RTT, random cuts: {:.1} s in {attempts} sync run(s), {} connection(s) cut",
        t.elapsed().as_secs_f64(),
        slow.cuts.load(Ordering::Relaxed)
    );
}
