//! Two syncs of one store at the same moment — the app's background task and `njia sync`,
//! two processes on one SQLCipher file — against a real `njia-server`, while the server
//! publishes services in languages the device has never seen.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Barrier;

use njia_e2e::{on_postgresql, Device, Run, Server};
use serde_json::{json, Value};

const ROUNDS: usize = 5;
const SERVICES_PER_ROUND: usize = 24;
const NEW_LANGUAGES_PER_ROUND: usize = 18;

/// A distinct three-letter code per number: `qaa`, `qab`, … (ISO 639's private-use range).
fn language(n: usize) -> String {
    let letter = |i: usize| char::from(b'a' + (i % 26) as u8);
    format!("q{}{}", letter(n / 26), letter(n))
}

/// The services of round `round`, each speaking many of the round's new languages and a few
/// of the earlier rounds', with the languages each speaks.
fn round_services(round: usize) -> Vec<(String, Vec<String>)> {
    let first_new = round * NEW_LANGUAGES_PER_ROUND;
    (0..SERVICES_PER_ROUND)
        .map(|j| {
            let mut langs: Vec<String> = (0..NEW_LANGUAGES_PER_ROUND)
                .filter(|k| (j + k) % 3 != 0)
                .map(|k| language(first_new + k))
                .collect();
            if first_new > 0 {
                langs.extend((0..4).map(|k| language((j * 7 + k * 11) % first_new)));
            }
            langs.sort();
            langs.dedup();
            (format!("svc-r{round}-{j}"), langs)
        })
        .collect()
}

fn publish(server: &Server, round: usize, services: &[(String, Vec<String>)]) {
    let features: Vec<Value> = services
        .iter()
        .enumerate()
        .map(|(i, (id, langs))| {
            json!({"type": "Feature",
                   "geometry": {"type": "Point",
                                "coordinates": [36.85 + i as f64 * 0.001, -1.27 - round as f64 * 0.001]},
                   "properties": {"id": id, "name": format!("Kliniki {id}"), "country": "KE",
                                  "categories": ["hiv"], "languages": langs}})
        })
        .collect();
    let path = server.dir.path().join(format!("round-{round}.geojson"));
    std::fs::write(
        &path,
        json!({"type": "FeatureCollection", "features": features}).to_string(),
    )
    .expect("write directory");
    server
        .admin(&["import", path.to_str().expect("a UTF-8 path")])
        .ok();
}

fn session(place: &str) -> Value {
    json!({"started_at": "2026-11-20T09:30:00+03:00", "place": place, "lat": -1.2741, "lon": 36.8516,
      "activity": "health_talk", "topics": ["hiv"],
      "reached": [{"sex": "female", "age": "18-49", "group": "migrant", "count": 4}],
      "status": "final"})
}

/// Starts two `njia sync` processes on the device's store at the same moment and waits for
/// both.
fn two_syncs(device: &Device) -> [Run; 2] {
    let start = Barrier::new(2);
    std::thread::scope(|s| {
        let sync = || {
            start.wait();
            device.run(&["sync", "--json"])
        };
        let a = s.spawn(sync);
        let b = s.spawn(sync);
        [
            a.join().expect("first sync"),
            b.join().expect("second sync"),
        ]
    })
}

fn ids(rows: &[Value]) -> BTreeSet<String> {
    rows.iter()
        .map(|r| r["id"].as_str().expect("an id").to_string())
        .collect()
}

fn concurrent_syncs_keep_the_store_whole(server: &Server) {
    let device = server.enrolled("amina", "nairobi", "worker");
    let mut published: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut sessions = Vec::new();
    let mut failures = 0;
    for round in 0..ROUNDS {
        let services = round_services(round);
        publish(server, round, &services);
        published.extend(services);
        for k in 0..3 {
            sessions.push(device.log(&session(&format!("round {round}, session {k}"))));
        }
        let runs = two_syncs(&device);
        for r in runs.iter().filter(|r| r.code != 0) {
            failures += 1;
            // Words for a CHW: not a panic, and not the store's own constraint tripping
            // (what two syncs did before the language table was read inside the write).
            assert!(
                r.stderr.trim().len() > 10
                    && !r.stderr.contains("panicked")
                    && !r.stderr.contains("constraint")
                    && !r.stderr.contains("database error"),
                "round {round}: a sync failed without words: {}",
                r.stderr
            );
            eprintln!(
                "round {round}: one sync failed in words: {}",
                r.stderr.trim()
            );
        }
        if runs.iter().any(|r| r.code != 0) {
            device.run(&["sync", "--json"]).ok();
        }
        let status = device.run(&["status", "--json"]).ok().json();
        assert_eq!(status["pending"], 0, "round {round}: {status:#}");
        assert_eq!(
            status["services"],
            published.len(),
            "round {round}: {status:#}"
        );
    }
    eprintln!("{ROUNDS} rounds of two syncs at once: {failures} sync(s) failed in words");

    let mut speakers: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
    for (id, langs) in &published {
        for l in langs {
            speakers.entry(l).or_default().insert(id.clone());
        }
    }
    assert_eq!(speakers.len(), ROUNDS * NEW_LANGUAGES_PER_ROUND);
    for (code, expected) in &speakers {
        let found = device
            .run(&[
                "near",
                "--lat",
                "-1.27",
                "--lon",
                "36.85",
                "--language",
                code,
                "--limit",
                "1000",
                "--json",
            ])
            .rows();
        assert_eq!(&ids(&found), expected, "near --language {code}");
    }

    let on_server = server.admin(&["outreach", "list", "--json"]).rows();
    let mut counted = BTreeMap::<String, usize>::new();
    for row in &on_server {
        *counted
            .entry(row["id"].as_str().expect("an id").to_string())
            .or_default() += 1;
    }
    let expected: BTreeMap<String, usize> = sessions.iter().map(|s| (s.clone(), 1)).collect();
    assert_eq!(
        counted, expected,
        "every session on the server exactly once"
    );
}

#[test]
fn two_syncs_of_one_store_at_once_on_sqlite() {
    let server = Server::start(None);
    concurrent_syncs_keep_the_store_whole(&server);
}

#[test]
fn two_syncs_of_one_store_at_once_on_postgresql() {
    on_postgresql("concurrent_sync", concurrent_syncs_keep_the_store_whole);
}
