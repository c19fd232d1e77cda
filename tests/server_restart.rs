//! A server killed with SIGKILL in the middle of a push, then started again on the same
//! storage: the devices' next syncs leave the server and the devices identical, with every
//! session once (DESIGN §7: "a server restarted mid-push. Nothing lost, nothing duplicated").

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use njia_e2e::proxy::{Faults, FaultyProxy};
use njia_e2e::{Device, PostgresDatabase, Server};
use serde_json::{json, Value};

fn session(service_id: &str, place: &str, count: i64) -> String {
    json!({"started_at": "2026-11-21T08:00:00+03:00", "ended_at": "2026-11-21T09:30:00+03:00",
      "place": place, "lat": -1.2741, "lon": 36.8516, "activity": "door_to_door",
      "topics": ["tb", "hiv"], "materials": {"leaflets": 30},
      "reached": [{"sex": "female", "age": "18-49", "group": "migrant", "count": count},
                  {"sex": "male", "age": "50+", "group": "host", "count": 2}],
      "notes": "Water point behind the mosque; follow up on Friday", "status": "final",
      "referrals": [{"service_id": service_id, "reason": "tb", "urgency": "urgent", "client_code": "Q4K-81"}]})
    .to_string()
}

fn by_id(list: &Value) -> std::collections::BTreeMap<String, Value> {
    list.as_array()
        .expect("a JSON array")
        .iter()
        .map(|s| (s["id"].as_str().expect("id").to_string(), s.clone()))
        .collect()
}

/// When to kill the server during a sync.
#[derive(Debug, Clone, Copy)]
enum KillAt {
    /// Once this many bytes of the sync's requests went through: mid-request.
    Sent(u64),
    /// As the server's answer starts coming back: it has stored the push, the device does
    /// not know yet.
    Answering,
}

/// Runs `njia sync` through `proxy` in the background and kills the server (SIGKILL) at
/// `at`; the server comes back on the same storage and port right after. The sync's own
/// retries may then finish the round, or it fails: both are fine, the next sync must
/// converge. True if the kill came while the sync was running and had sent something.
fn kill_server_during_a_sync(
    server: &mut Server,
    device: &Device,
    proxy: &FaultyProxy,
    at: KillAt,
) -> bool {
    let (up0, down0) = (
        proxy.bytes_up.load(Ordering::Relaxed),
        proxy.bytes_down.load(Ordering::Relaxed),
    );
    let mut child = std::process::Command::new(njia_e2e::bin("njia"))
        .args([
            "--db",
            device.db().to_str().expect("path"),
            "sync",
            "--server",
            &proxy.url(),
        ])
        .env("NJIA_PASSPHRASE", &device.passphrase)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("spawn njia sync");
    let t = Instant::now();
    while t.elapsed() < Duration::from_secs(20) {
        let sent = proxy.bytes_up.load(Ordering::Relaxed) - up0;
        let answered = proxy.bytes_down.load(Ordering::Relaxed) - down0;
        let now = match at {
            KillAt::Sent(n) => sent >= n,
            KillAt::Answering => answered > 0,
        };
        if now || !matches!(child.try_wait(), Ok(None)) {
            break;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    let sent = proxy.bytes_up.load(Ordering::Relaxed) - up0;
    let running = matches!(child.try_wait(), Ok(None));
    eprintln!(
        "{at:?}: server killed after {sent} bytes of the sync's requests; sync running: {running}"
    );
    server.kill_and_restart();
    njia_e2e::wait_within(&mut child, "njia sync", njia_e2e::timeout());
    running && sent > 0
}

#[test]
fn a_server_killed_mid_push_and_restarted_loses_nothing_and_doubles_nothing() {
    killed_mid_push(Server::start(None));
}

#[test]
fn a_server_on_postgresql_killed_mid_push_loses_nothing_and_doubles_nothing() {
    let Some(db) = PostgresDatabase::fresh("restart") else {
        return;
    };
    killed_mid_push(Server::start(Some(&db.url)));
}

fn killed_mid_push(mut server: Server) {
    server.import_demo(300, 9);
    let upstream: std::net::SocketAddr = server
        .url
        .trim_start_matches("http://")
        .parse()
        .expect("address");
    // A slow link (3 kB/s, 100 ms each way), so a push takes long enough to be cut by the
    // server's death at chosen points of it.
    let proxy = FaultyProxy::start(
        upstream,
        Faults {
            latency: Duration::from_millis(100),
            bytes_per_sec: Some(3_000),
            ..Faults::default()
        },
    );
    let amina = Device::new();
    let code = server.enrollment_code("Amina", "eastleigh", "KE", "worker");
    amina
        .run(&["enroll", "--server", &server.url, "--code", &code])
        .ok();
    amina.run(&["sync"]).ok();
    let service_id = amina
        .run(&[
            "near", "--lat", "-1.2741", "--lon", "36.8516", "--limit", "1", "--json",
        ])
        .ok()
        .json()[0]["id"]
        .as_str()
        .expect("a service nearby")
        .to_string();

    let mut ids: Vec<String> = Vec::new();
    let mut kills_mid_push = 0;
    // Each round: more sessions (and an edit and a void of earlier ones), then a sync during
    // which the server dies: early in the request, mid-body, and as it answers (the push
    // stored, the device not told).
    for (round, at) in [KillAt::Sent(200), KillAt::Sent(1_500), KillAt::Answering]
        .into_iter()
        .enumerate()
    {
        for i in 0..20 {
            let s = session(&service_id, &format!("Round {round} stop {i}"), i + 1);
            ids.push(
                amina
                    .run_with(&["log", "add", "--file", "-"], Some(&s), &amina.passphrase)
                    .ok()
                    .stdout
                    .trim()
                    .to_string(),
            );
        }
        if round > 0 {
            let (edited, voided) = (&ids[2 * (round - 1)], &ids[2 * (round - 1) + 1]);
            let mut shown = amina.run(&["log", "show", edited]).ok().json();
            shown["place"] = json!(format!("Round {round} corrected"));
            shown["reached"][0]["count"] = json!(40);
            let file = amina.file("edit.json", &shown.to_string());
            amina
                .run(&[
                    "log",
                    "edit",
                    edited,
                    "--file",
                    file.to_str().expect("path"),
                ])
                .ok();
            amina
                .run(&["log", "void", voided, "--reason", "entered twice"])
                .ok();
        }
        if kill_server_during_a_sync(&mut server, &amina, &proxy, at) {
            kills_mid_push += 1;
        }
    }
    assert!(
        kills_mid_push == 3,
        "the server was never killed while a push was on the wire: the test proved nothing"
    );

    // The restarted server takes the next sync; nothing is left pending.
    let r = amina.run(&["sync", "--json"]);
    assert_eq!(r.code, 0, "sync after the restarts failed: {}", r.stderr);
    let status = amina.run(&["status", "--json"]).ok().json();
    assert_eq!(status["pending"], 0, "{status}");

    let on_server = by_id(&server.admin(&["outreach", "list", "--json"]).ok().json());
    let local = by_id(&amina.run(&["log", "list", "--json"]).ok().json());
    assert_eq!(on_server.len(), ids.len(), "each session exactly once");
    assert_eq!(local.len(), ids.len());
    for id in &ids {
        for key in ["version", "status", "place", "reached", "void_reason"] {
            assert_eq!(local[id][key], on_server[id][key], "{key} of {id}");
        }
        assert_eq!(
            on_server[id]["referrals"]
                .as_array()
                .expect("referrals")
                .len(),
            1,
            "the referral of {id} once"
        );
    }
    // The server holds the device's whole log, no more: its acknowledged idx is the last.
    let devices = server.admin(&["devices", "list", "--json"]).ok().json();
    let acked = devices[0]["acked_idx"].as_i64().expect("acked_idx");
    let local_ops = amina.run(&["status", "--json"]).ok().json();
    assert_eq!(local_ops["pending"], 0);
    assert!(acked > ids.len() as i64, "acked idx {acked}");
    // A second device of the same worker (a replaced phone) rebuilds the same history from
    // the restarted server.
    let new_phone = Device::new();
    let code = server.enrollment_code("Amina", "eastleigh", "KE", "worker");
    new_phone
        .run(&["enroll", "--server", &server.url, "--code", &code])
        .ok();
    new_phone.run(&["sync"]).ok();
    let rebuilt = by_id(&new_phone.run(&["log", "list", "--json"]).ok().json());
    assert_eq!(rebuilt.len(), ids.len());
    for id in &ids {
        for key in ["status", "place", "reached"] {
            assert_eq!(rebuilt[id][key], on_server[id][key], "{key} of {id}");
        }
    }
}
