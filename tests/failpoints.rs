//! A sync crashed at each of its steps (failpoints of the `fail` crate in `njia-sync` and in
//! the store's apply path, DESIGN §7), against a real `njia-server` process: the crashed
//! round changes nothing half-way, and the next sync converges with nothing lost and nothing
//! doubled. The crash is a panic at the failpoint; the store is then dropped and opened
//! again, as a restarted app would.

use std::collections::BTreeMap;
use std::panic::AssertUnwindSafe;

use njia_e2e::{Device, Server};
use njia_model::outreach::SessionInput;
use njia_store::Store;
use njia_sync::blocking::BlockingClient;
use serde_json::{json, Value};

const PASSPHRASE: &str = "failpoint passphrase";

fn session(place: &str, count: i64) -> Value {
    json!({"started_at": "2026-11-22T10:00:00+03:00", "ended_at": "2026-11-22T11:00:00+03:00",
      "place": place, "lat": -1.2741, "lon": 36.8516, "activity": "screening", "topics": ["tb"],
      "reached": [{"sex": "male", "age": "18-49", "group": "migrant", "count": count}],
      "notes": "", "status": "final"})
}

fn directory(path: &std::path::Path, round: usize) {
    let features: Vec<Value> = (0..5)
        .map(|i| {
            json!({"type": "Feature",
              "geometry": {"type": "Point", "coordinates": [36.85 + i as f64 * 0.01, -1.27]},
              "properties": {"id": format!("fp-svc-{i}"), "country": "KE",
                "name": format!("Clinic {i}{}", if i == round % 5 { format!(" (round {round})") } else { String::new() }),
                "categories": ["tb"], "languages": ["sw", "so"], "free_of_charge": true}})
        })
        .collect();
    std::fs::write(
        path,
        json!({"type": "FeatureCollection", "features": features}).to_string(),
    )
    .expect("write directory");
}

fn sessions_on_server(server: &Server) -> BTreeMap<String, Value> {
    server
        .admin(&["outreach", "list", "--json"])
        .ok()
        .json()
        .as_array()
        .expect("a list")
        .iter()
        .map(|s| (s["id"].as_str().expect("id").to_string(), s.clone()))
        .collect()
}

#[test]
fn a_sync_crashed_at_any_step_converges_on_the_next_one() {
    let server = Server::start(None);
    let dir_file = server.dir.path().join("dir.geojson");
    directory(&dir_file, 0);
    server
        .admin(&["import", dir_file.to_str().expect("path")])
        .ok();
    let folder = tempfile::tempdir().expect("tempdir");
    let db = folder.path().join("njia.db");
    let mut store = Store::open(&db, PASSPHRASE).expect("open store");
    let code = server.enrollment_code("Hodan", "eastleigh", "KE", "worker");
    BlockingClient::new()
        .expect("client")
        .enroll(&mut store, &server.url, &code, None)
        .expect("enrol");
    // The same worker's old phone writes too, so every page carries operations to merge.
    let old_phone = Device::new();
    let code = server.enrollment_code("Hodan", "eastleigh", "KE", "worker");
    old_phone
        .run(&["enroll", "--server", &server.url, "--code", &code])
        .ok();

    let points: Vec<&str> = njia_sync::FAILPOINTS
        .iter()
        .chain(njia_store::sync::FAILPOINTS)
        .copied()
        .collect();
    for (round, point) in points.iter().enumerate() {
        // Work for every step of a round: sessions to push, a directory change to pull, and
        // the old phone's session to merge.
        for i in 0..2 {
            let input =
                SessionInput::from_value(session(&format!("{point} {i}"), i + 1)).expect("session");
            store.add_session(input).expect("add session");
        }
        let mut edited = session(&format!("{point} old phone"), 9);
        edited["notes"] = json!("from the old phone");
        old_phone
            .run_with(
                &["log", "add", "--file", "-"],
                Some(&edited.to_string()),
                &old_phone.passphrase,
            )
            .ok();
        old_phone.run(&["sync"]).ok();
        directory(&dir_file, round + 1);
        server
            .admin(&["import", dir_file.to_str().expect("path")])
            .ok();

        fail::cfg(*point, "panic").expect("configure the failpoint");
        let crashed = std::panic::catch_unwind(AssertUnwindSafe(|| {
            let client = BlockingClient::new().expect("client");
            client.sync(&mut store, None, |_| {})
        }));
        fail::remove(*point);
        assert!(
            crashed.is_err(),
            "the sync did not pass the failpoint {point}: it returned {:?}",
            crashed.map(|r| r.map(|r| r.complete))
        );
        // The app starts again.
        drop(store);
        store = Store::open(&db, PASSPHRASE).expect("reopen store");
        let report = BlockingClient::new()
            .expect("client")
            .sync(&mut store, None, |_| {})
            .unwrap_or_else(|e| panic!("the sync after a crash at {point} failed: {e}"));
        assert!(report.complete, "not complete after a crash at {point}");

        let status = store.sync_status().expect("status");
        assert_eq!(status.pending, 0, "after a crash at {point}");
        assert!(status.last_error.is_none(), "{:?}", status.last_error);
        let on_server = sessions_on_server(&server);
        let local = store.sessions(None).expect("sessions");
        assert_eq!(
            local.len(),
            on_server.len(),
            "after a crash at {point}: the device and the server hold different sessions"
        );
        assert_eq!(local.len(), 3 * (round + 1), "after a crash at {point}");
        for s in &local {
            let id = s.id.to_string();
            let there = on_server
                .get(&id)
                .unwrap_or_else(|| panic!("session {id} is not on the server ({point})"));
            assert_eq!(
                there["version"],
                json!(s.version),
                "version of {id} ({point})"
            );
            assert_eq!(there["place"], json!(s.place), "place of {id} ({point})");
        }
        let renamed = store
            .service(&format!("fp-svc-{}", (round + 1) % 5))
            .expect("read service")
            .expect("the service");
        assert!(
            renamed.name.ends_with(&format!("(round {})", round + 1)),
            "the directory change did not arrive after a crash at {point}: {}",
            renamed.name
        );
    }
}
