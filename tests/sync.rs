//! Two CHWs and a supervisor against a real `njia-server` over HTTP on loopback: enrol,
//! work offline, sync, and end with the same data on the server and the devices.

use njia_e2e::{Device, Server};
use serde_json::{json, Value};

fn session(service_id: &str, place: &str, count: i64) -> String {
    json!({"started_at": "2026-11-20T09:30:00+03:00", "ended_at": "2026-11-20T11:00:00+03:00",
      "place": place, "lat": -1.2741, "lon": 36.8516, "activity": "health_talk", "topics": ["hiv"],
      "reached": [{"sex": "female", "age": "18-49", "group": "migrant", "count": count}],
      "status": "final",
      "referrals": [{"service_id": service_id, "reason": "hiv", "urgency": "routine", "client_code": "A7X-22"}]})
    .to_string()
}

fn by_id(list: &Value) -> std::collections::BTreeMap<String, Value> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|s| (s["id"].as_str().unwrap().to_string(), s.clone()))
        .collect()
}

#[test]
fn two_chws_and_a_supervisor_end_with_the_same_data_as_the_server() {
    a_day_of_work(&Server::start(None));
}

/// The same day against a server on PostgreSQL (a fresh database on the server of
/// `NJIA_TEST_DATABASE_URL`, dropped afterwards).
#[test]
fn the_same_day_works_on_postgresql() {
    njia_e2e::on_postgresql("sync_day", a_day_of_work);
}

fn a_day_of_work(server: &Server) {
    server.import_demo(400, 3);

    let amina = server.enrolled("Amina", "eastleigh", "worker");
    let baraka = server.enrolled("Baraka", "eastleigh", "worker");
    let supervisor = server.enrolled("Wanjiru", "eastleigh", "supervisor");
    for d in [&amina, &baraka, &supervisor] {
        let report = d.run(&["sync", "--json"]).ok().json();
        assert_eq!(report["complete"], true, "{report}");
    }
    // The directory arrived: the KE services of the demo directory, searchable offline.
    let near = amina
        .run(&[
            "near", "--lat", "-1.2741", "--lon", "36.8516", "--limit", "3", "--json",
        ])
        .ok()
        .json();
    let service_id = near[0]["id"].as_str().unwrap().to_string();

    // A day of offline work.
    let a1 = amina
        .run_with(
            &["log", "add", "--file", "-"],
            Some(&session(&service_id, "Market", 12)),
            &amina.passphrase,
        )
        .ok()
        .stdout
        .trim()
        .to_string();
    amina
        .run_with(
            &["log", "add", "--file", "-"],
            Some(&session(&service_id, "Mosque", 4)),
            &amina.passphrase,
        )
        .ok();
    let b1 = baraka
        .run_with(
            &["log", "add", "--file", "-"],
            Some(&session(&service_id, "Bus park", 7)),
            &baraka.passphrase,
        )
        .ok()
        .stdout
        .trim()
        .to_string();
    amina
        .run(&["log", "void", &a1, "--reason", "Entered twice"])
        .ok();
    assert_eq!(amina.run(&["status", "--json"]).ok().json()["pending"], 5);

    for d in [&amina, &baraka, &supervisor, &amina, &baraka] {
        assert_eq!(d.run(&["sync", "--json"]).ok().json()["complete"], true);
    }
    assert_eq!(amina.run(&["status", "--json"]).ok().json()["pending"], 0);

    let on_server = by_id(&server.admin(&["outreach", "list", "--json"]).ok().json());
    assert_eq!(on_server.len(), 3);
    assert_eq!(on_server[&a1]["status"], "voided");
    assert_eq!(on_server[&b1]["reached"][0]["count"], 7);
    // Each CHW holds exactly their own sessions, as the server has them.
    for (device, ids) in [(&amina, 2), (&baraka, 1)] {
        let local = by_id(&device.run(&["log", "list", "--json"]).ok().json());
        assert_eq!(local.len(), ids);
        for (id, s) in &local {
            for key in ["version", "status", "place", "reached", "notes"] {
                assert_eq!(s[key], on_server[id][key], "{key} of {id}");
            }
        }
    }
    // The supervisor sees the team's sessions.
    assert_eq!(
        by_id(&supervisor.run(&["log", "list", "--json"]).ok().json()).len(),
        3
    );
    // A sync with nothing to do is complete at once.
    assert_eq!(
        baraka.run(&["sync", "--json"]).ok().json()["complete"],
        true
    );
}

#[test]
fn a_revoked_device_is_told_so_and_a_code_works_once() {
    let server = Server::start(None);
    let code = server.enrollment_code("Amina", "eastleigh", "KE", "worker");
    let amina = Device::new();
    amina
        .run(&["enroll", "--server", &server.url, "--code", &code])
        .ok();
    Device::new()
        .run(&["enroll", "--server", &server.url, "--code", &code])
        .fails_with("already used");
    amina.run(&["sync"]).ok();
    let devices = server.admin(&["devices", "list", "--json"]).ok().json();
    let id = devices[0]["id"].as_str().unwrap().to_string();
    server.admin(&["devices", "revoke", &id]).ok();
    amina.run(&["sync"]).fails_with("revoked");
    let status = amina.run(&["status", "--json"]).ok().json();
    assert!(
        status["last_error"].as_str().unwrap().contains("revoked"),
        "{status}"
    );
}

/// Syncs through a link that cuts connections at random points, and `njia sync` processes
/// killed mid-round: the next complete sync leaves the server and the device identical,
/// nothing lost and nothing doubled.
#[test]
fn cut_connections_and_killed_syncs_lose_nothing_and_double_nothing() {
    use njia_e2e::proxy::{Faults, FaultyProxy};
    use std::sync::atomic::Ordering;

    let server = Server::start(None);
    server.import_demo(3000, 5);
    let upstream: std::net::SocketAddr = server.url.trim_start_matches("http://").parse().unwrap();
    let proxy = FaultyProxy::start(
        upstream,
        Faults {
            random_cut: 0.5,
            cut_first: 3,
            seed: 11,
            ..Faults::default()
        },
    );

    let amina = server.enrolled("Amina", "eastleigh", "worker");
    let reference = server.enrolled("Reference", "eastleigh", "worker");
    reference.run(&["sync"]).ok();
    let want_services = reference.run(&["status", "--json"]).ok().json()["services"].clone();
    assert!(want_services.as_u64().unwrap() > 100, "{want_services}");
    let service_id = reference
        .run(&[
            "near", "--lat", "-1.2741", "--lon", "36.8516", "--limit", "1", "--json",
        ])
        .ok()
        .json()[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    // The first download of the directory goes through the cutting link too.
    let sync_until_complete =
        |d: &Device| (0..40).any(|_| d.run(&["sync", "--server", &proxy.url()]).code == 0);
    assert!(
        sync_until_complete(&amina),
        "the first sync never completed through the faulty link"
    );
    assert_eq!(
        amina.run(&["status", "--json"]).ok().json()["services"],
        want_services
    );
    let mut ids = Vec::new();
    for i in 0..20 {
        let s = session(&service_id, &format!("Stop {i}"), i + 1);
        ids.push(
            amina
                .run_with(&["log", "add", "--file", "-"], Some(&s), &amina.passphrase)
                .ok()
                .stdout
                .trim()
                .to_string(),
        );
    }
    // Processes killed at arbitrary moments of a round.
    for ms in [5u64, 40, 120, 250] {
        let mut child = std::process::Command::new(njia_e2e::bin("njia"))
            .args([
                "--db",
                amina.db().to_str().unwrap(),
                "sync",
                "--server",
                &proxy.url(),
            ])
            .env("NJIA_PASSPHRASE", &amina.passphrase)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(ms));
        let _ = child.kill();
        let _ = child.wait();
    }
    // Then rounds through the cutting link until one completes.
    assert!(
        sync_until_complete(&amina),
        "no sync completed through the faulty link"
    );
    assert!(
        proxy.cuts.load(Ordering::Relaxed) > 0,
        "the link never cut ({} connections): the test proved nothing",
        proxy.connections.load(Ordering::Relaxed)
    );

    let status = amina.run(&["status", "--json"]).ok().json();
    assert_eq!(status["pending"], 0);
    assert_eq!(
        status["services"], want_services,
        "the directory arrived whole"
    );
    let on_server = by_id(&server.admin(&["outreach", "list", "--json"]).ok().json());
    let local = by_id(&amina.run(&["log", "list", "--json"]).ok().json());
    assert_eq!(
        on_server.len(),
        20,
        "each session exactly once on the server"
    );
    for id in &ids {
        for key in ["version", "status", "place", "reached"] {
            assert_eq!(local[id][key], on_server[id][key], "{key} of {id}");
        }
        assert_eq!(
            on_server[id]["referrals"].as_array().unwrap().len(),
            1,
            "referral of {id} once"
        );
    }
}

/// `--tls-cert/--tls-key`: the API answers over HTTPS (rustls).
#[test]
fn the_server_speaks_tls() {
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
    let made = njia_e2e::output_within(
        std::process::Command::new("openssl")
            .args([
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-days",
                "2",
                "-subj",
                "/CN=localhost",
                "-keyout",
            ])
            .arg(&key)
            .arg("-out")
            .arg(&cert),
        None,
        njia_e2e::timeout(),
    );
    if !made.is_ok_and(|o| o.status.success()) {
        eprintln!("skipped: no openssl to make a test certificate");
        return;
    }
    let server = Server::start_with(
        None,
        &[
            "--tls-cert",
            cert.to_str().unwrap(),
            "--tls-key",
            key.to_str().unwrap(),
        ],
    );
    assert!(server.url.starts_with("https://"), "{}", server.url);
    let out = njia_e2e::output_within(
        std::process::Command::new("curl").args(["-sk", &format!("{}/api/v1/health", server.url)]),
        None,
        njia_e2e::timeout(),
    )
    .expect("curl (installed by scripts/setup)");
    let health: Value = serde_json::from_slice(&out.stdout).expect("JSON health over TLS");
    assert_eq!(health["status"], "ok");
    let plain = njia_e2e::output_within(
        std::process::Command::new("curl").args([
            "-s",
            "--max-time",
            "5",
            &format!("{}/api/v1/health", server.url.replacen("https", "http", 1)),
        ]),
        None,
        njia_e2e::timeout(),
    )
    .expect("curl");
    assert!(
        serde_json::from_slice::<Value>(&plain.stdout).is_err(),
        "plain HTTP must not be answered"
    );

    // A self-signed office: a phone trusts it only by its pin, and only it.
    let fingerprint = njia_e2e::output_within(
        std::process::Command::new("openssl")
            .args(["x509", "-noout", "-fingerprint", "-sha256", "-in"])
            .arg(&cert),
        None,
        njia_e2e::timeout(),
    )
    .expect("openssl fingerprint");
    let pin = String::from_utf8_lossy(&fingerprint.stdout)
        .trim()
        .to_string();
    assert!(pin.contains('='), "{pin}");
    server.import_demo(30, 6);
    let unpinned = Device::new();
    let code = server.enrollment_code("Amina", "eastleigh", "KE", "worker");
    unpinned
        .run(&["enroll", "--server", &server.url, "--code", &code])
        .fails_with("certificate");
    let wrong = Device::new();
    wrong
        .run(&[
            "enroll",
            "--server",
            &server.url,
            "--code",
            &code,
            "--pin-sha256",
            &format!("{}AB", "AB:".repeat(31)),
        ])
        .fails_with("not the one this device was enrolled with");
    let amina = Device::new();
    amina
        .run(&[
            "enroll",
            "--server",
            &server.url,
            "--code",
            &code,
            "--pin-sha256",
            &pin,
        ])
        .ok();
    amina.log(
        &json!({"started_at": "2026-11-20T09:30:00+03:00", "place": "Over TLS",
        "lat": -1.2741, "lon": 36.8516, "activity": "health_talk", "topics": ["hiv"],
        "reached": [{"sex": "female", "age": "18-49", "group": "migrant", "count": 4}],
        "status": "final"}),
    );
    let report = amina.run(&["sync", "--json"]).ok().json();
    assert_eq!(report["complete"], true, "{report}");
    assert!(
        report["services_received"].as_u64().unwrap_or(0) > 0
            || report["items_received"].as_u64().unwrap_or(0) > 0,
        "{report}"
    );
    let held = server.admin(&["outreach", "list", "--json"]).ok().json();
    assert_eq!(held.as_array().map(Vec::len), Some(1), "{held}");
}

/// What the office loads comes back out as GeoJSON and HSDS, and loads again unchanged.
#[test]
fn the_directory_exports_as_geojson_and_hsds_and_reimports_unchanged() {
    let server = Server::start(None);
    let directory = server.import_demo(200, 9);
    let geojson = server.admin(&["export", "--format", "geojson"]).ok();
    let fc: Value = serde_json::from_str(&geojson.stdout).unwrap();
    assert_eq!(fc["features"].as_array().unwrap().len(), 200);
    let hsds = server.dir.path().join("hsds");
    server
        .admin(&[
            "export",
            "--format",
            "hsds",
            "--out",
            hsds.to_str().unwrap(),
        ])
        .ok();
    for path in [&directory, &hsds] {
        let again = server
            .admin(&["import", path.to_str().unwrap(), "--json"])
            .ok()
            .json();
        assert_eq!(
            (
                again["inserted"].as_u64(),
                again["updated"].as_u64(),
                again["unchanged"].as_u64()
            ),
            (Some(0), Some(0), Some(200)),
            "{}",
            path.display()
        );
    }
    server
        .admin(&["export", "--format", "csv"])
        .fails_with("not geojson, hsds or fhir");
}
