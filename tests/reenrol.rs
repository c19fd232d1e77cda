//! A device whose first sync's answer was lost, enrolled again with a new code: it stays
//! the same device, and its next sync completes with every session on the server once.
//! Real `njia` and `njia-server` processes; the answer is lost in a real TCP proxy.

use std::collections::BTreeMap;

use njia_e2e::proxy::{Faults, FaultyProxy};
use njia_e2e::{on_postgresql, Device, Server};
use serde_json::{json, Value};

fn session(place: &str) -> Value {
    json!({"started_at": "2026-11-20T09:30:00+03:00", "place": place, "lat": -1.2741, "lon": 36.8516,
      "activity": "health_talk", "topics": ["hiv"],
      "reached": [{"sex": "female", "age": "18-49", "group": "migrant", "count": 7}],
      "status": "final"})
}

fn device_id(d: &Device) -> String {
    d.run(&["status", "--json"]).ok().json()["device_id"]
        .as_str()
        .expect("a device id")
        .to_string()
}

/// Session id → (how many times the server holds it, the device it holds it under).
fn on_server(server: &Server) -> BTreeMap<String, (usize, String)> {
    let mut out = BTreeMap::<String, (usize, String)>::new();
    for row in server.admin(&["outreach", "list", "--json"]).rows() {
        let e = out
            .entry(row["id"].as_str().expect("an id").to_string())
            .or_insert((0, String::new()));
        e.0 += 1;
        e.1 = row["device_id"].as_str().expect("a device id").to_string();
    }
    out
}

fn enrolling_again_after_a_lost_answer_keeps_the_device(server: &Server) {
    server.import_demo(50, 3);
    let amina = server.enrolled("amina", "eastleigh", "worker");
    let first_id = device_id(&amina);
    let sessions: Vec<String> = (0..3)
        .map(|k| amina.log(&session(&format!("Eastleigh market, day {k}"))))
        .collect();

    // The first sync reaches the server, which stores the sessions; its answer never
    // comes back.
    let upstream = server
        .url
        .trim_start_matches("http://")
        .parse()
        .expect("address");
    let proxy = FaultyProxy::start(
        upstream,
        Faults {
            drop_answers: true,
            ..Faults::default()
        },
    );
    amina
        .run(&["sync", "--server", &proxy.url()])
        .fails_with("the connection broke during the exchange");
    let held = on_server(server);
    assert_eq!(held.len(), sessions.len(), "the server stored the push");
    let status = amina.run(&["status", "--json"]).ok().json();
    assert_eq!(
        status["pending"], 3,
        "the device never heard of it: {status:#}"
    );

    // Another worker's code cannot take the device over; nothing changes, and that code is
    // not spent.
    let baraka = server.enrollment_code("baraka", "eastleigh", "KE", "worker");
    amina
        .run(&["enroll", "--server", &server.url, "--code", &baraka])
        .fails_with("this code is for baraka (worker");
    assert_eq!(device_id(&amina), first_id);

    // The CHW, told the phone "did not sync", asks the office for a new code.
    let code = server.enrollment_code("amina", "eastleigh", "KE", "worker");
    amina
        .run(&["enroll", "--server", &server.url, "--code", &code])
        .ok();
    assert_eq!(device_id(&amina), first_id, "the same device");
    amina.run(&["sync"]).ok();
    let status = amina.run(&["status", "--json"]).ok().json();
    assert_eq!(status["pending"], 0, "{status:#}");
    assert!(status["last_sync"].is_string(), "{status:#}");

    let held = on_server(server);
    let expected: BTreeMap<String, (usize, String)> = sessions
        .iter()
        .map(|s| (s.clone(), (1, first_id.clone())))
        .collect();
    assert_eq!(held, expected, "every session once, under the one device");
    let devices = server.admin(&["devices", "list", "--json"]).rows();
    let amina_devices: Vec<&Value> = devices.iter().filter(|d| d["worker"] == "amina").collect();
    assert_eq!(amina_devices.len(), 1, "{devices:#?}");

    // Baraka's code, refused for Amina's phone, still enrols a phone of his own.
    Device::new()
        .run(&["enroll", "--server", &server.url, "--code", &baraka])
        .ok();
}

#[test]
fn enrolling_again_after_a_lost_answer_on_sqlite() {
    let server = Server::start(None);
    enrolling_again_after_a_lost_answer_keeps_the_device(&server);
}

#[test]
fn enrolling_again_after_a_lost_answer_on_postgresql() {
    on_postgresql(
        "reenrol",
        enrolling_again_after_a_lost_answer_keeps_the_device,
    );
}
