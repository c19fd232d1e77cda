//! Two workers with one name in two teams are two people: each CHW's phone gets back only her
//! own outreach, neither can change the other's, and the office tells them apart by id.
//! Real `njia` and `njia-server` processes over real HTTP.

use njia_e2e::{on_postgresql, Device, Server};
use serde_json::{json, Value};

fn session(place: &str) -> Value {
    json!({"started_at": "2026-11-20T09:30:00+03:00", "place": place, "lat": -1.2741, "lon": 36.8516,
      "activity": "health_talk", "topics": ["hiv"],
      "reached": [{"sex": "female", "age": "18-49", "group": "migrant", "count": 7}],
      "status": "final"})
}

fn places(d: &Device) -> Vec<String> {
    let mut out: Vec<String> = d
        .run(&["log", "list", "--json"])
        .ok()
        .rows()
        .iter()
        .map(|r| r["place"].as_str().expect("a place").to_string())
        .collect();
    out.sort();
    out
}

fn enrol(server: &Server, args: &[&str]) -> (Device, Value) {
    let mut full = vec!["enroll"];
    full.extend_from_slice(args);
    full.extend_from_slice(&["--region", "KE", "--json"]);
    let answer = server.admin(&full).ok().json();
    let device = Device::new();
    device
        .run(&[
            "enroll",
            "--server",
            &server.url,
            "--code",
            answer["code"].as_str().expect("a code"),
        ])
        .ok();
    (device, answer)
}

fn two_workers_of_one_name_are_two_people(server: &Server) {
    server.import_demo(20, 5);
    let (east, east_code) = enrol(server, &["--worker", "Amina Yusuf", "--team", "eastleigh"]);
    let (west, west_code) = enrol(server, &["--worker", "amina  yusuf", "--team", "kibera"]);
    assert_ne!(
        east_code["worker_id"], west_code["worker_id"],
        "one name in two teams must be two workers"
    );
    east.log(&session("Eastleigh market"));
    west.log(&session("Kibera clinic road"));
    east.run(&["sync"]).ok();
    west.run(&["sync"]).ok();

    // A second phone of the Eastleigh Amina, enrolled by name again, is hers: it gets her
    // session back, and never the other Amina's.
    let (east2, again) = enrol(server, &["--worker", "Amina Yusuf", "--team", "Eastleigh"]);
    assert_eq!(again["worker_id"], east_code["worker_id"]);
    east2.run(&["sync"]).ok();
    west.run(&["sync"]).ok();
    assert_eq!(places(&east2), ["Eastleigh market"]);
    assert_eq!(places(&west), ["Kibera clinic road"]);

    // By id, exactly; a name that now fits two workers of one team is refused in words.
    let id = east_code["worker_id"].as_str().expect("an id");
    let (by_id, answer) = enrol(server, &["--worker-id", id]);
    assert_eq!(answer["worker_id"], east_code["worker_id"]);
    by_id.run(&["sync"]).ok();
    assert_eq!(places(&by_id), ["Eastleigh market"]);
    server
        .admin(&[
            "workers",
            "add",
            "--name",
            "Amina Yusuf",
            "--team",
            "eastleigh",
        ])
        .ok();
    server
        .admin(&["enroll", "--worker", "Amina Yusuf", "--team", "eastleigh"])
        .fails_with("2 workers are named \"Amina Yusuf\"");
    let workers = server.admin(&["workers", "list", "--json"]).ok().rows();
    let aminas: Vec<&Value> = workers
        .iter()
        .filter(|w| {
            w["name"]
                .as_str()
                .unwrap_or("")
                .to_lowercase()
                .contains("amina")
        })
        .collect();
    assert_eq!(aminas.len(), 3, "{workers:#?}");

    // A rename shows on her records at the office.
    server
        .admin(&["workers", "edit", id, "--name", "Amina Yusuf Hassan"])
        .ok();
    let held = server.admin(&["outreach", "list", "--json"]).ok().rows();
    let hers: Vec<&Value> = held
        .iter()
        .filter(|r| r["place"] == "Eastleigh market")
        .collect();
    assert_eq!(hers.len(), 1);
    assert_eq!(hers[0]["worker"], "Amina Yusuf Hassan");
    let code = server
        .admin(&["enroll", "--worker-id", id, "--json"])
        .ok()
        .json()["code"]
        .as_str()
        .expect("a code")
        .to_string();
    server.admin(&["enroll", "revoke", &code]).ok();
    Device::new()
        .run(&["enroll", "--server", &server.url, "--code", &code])
        .fails_with("expired");
}

#[test]
fn two_workers_of_one_name_on_sqlite() {
    let server = Server::start(None);
    two_workers_of_one_name_are_two_people(&server);
}

#[test]
fn two_workers_of_one_name_on_postgresql() {
    on_postgresql("workers", two_workers_of_one_name_are_two_people);
}
