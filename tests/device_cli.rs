//! The `njia` command end to end, on real encrypted store files: the contracts of DESIGN §5.

use njia_e2e::Device;
use serde_json::{json, Value};

const R: f64 = 6_371_008.8;

fn haversine(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let a = ((p2 - p1) / 2.0).sin().powi(2)
        + p1.cos() * p2.cos() * ((lon2 - lon1).to_radians() / 2.0).sin().powi(2);
    2.0 * R * a.sqrt().min(1.0).asin()
}

/// A small directory around Nairobi, with a deterministic spread of attributes.
fn directory() -> Vec<Value> {
    let cats = ["hiv", "tb", "gbv", "maternal"];
    let langs = ["en", "sw", "so", "am"];
    (0..60)
        .map(|i: usize| {
            let lat = -1.28 + ((i * 37) % 41) as f64 / 100.0 - 0.2;
            let lon = 36.82 + ((i * 53) % 43) as f64 / 100.0 - 0.2;
            json!({"id": format!("svc-{i}"), "name": format!("Kliniki ya Afya {i}"), "lat": lat, "lon": lon,
                   "categories": [cats[i % 4], cats[(i / 4) % 4]], "languages": [langs[i % 4], langs[(i / 3) % 4]],
                   "free_of_charge": i.is_multiple_of(2), "no_documents_required": i.is_multiple_of(3),
                   "interpreter_available": i.is_multiple_of(5), "opening_hours": if i.is_multiple_of(2) { "24/7" } else { "Mo-Fr 08:00-17:00" }})
        })
        .collect()
}

fn geojson(services: &[Value]) -> String {
    let features: Vec<Value> = services
        .iter()
        .map(|s| {
            let mut props = s.as_object().unwrap().clone();
            let lat = props.remove("lat").unwrap();
            let lon = props.remove("lon").unwrap();
            json!({"type": "Feature", "geometry": {"type": "Point", "coordinates": [lon, lat]}, "properties": props})
        })
        .collect();
    json!({"type": "FeatureCollection", "features": features}).to_string()
}

fn loaded() -> (Device, Vec<Value>) {
    let d = Device::new();
    let services = directory();
    let path = d.file("dir.geojson", &geojson(&services));
    d.run(&["import", path.to_str().unwrap()]).ok();
    (d, services)
}

fn session(service_id: &str) -> Value {
    json!({"started_at": "2026-11-20T09:30:00+03:00", "ended_at": "2026-11-20T11:00:00+03:00",
      "place": "Eastleigh market", "lat": -1.2741, "lon": 36.8516, "accuracy_m": 25,
      "activity": "health_talk", "topics": ["hiv", "tb"],
      "reached": [{"sex": "female", "age": "18-49", "group": "migrant", "count": 12},
                  {"sex": "male", "age": "18-49", "group": "host", "count": 5}],
      "materials": {"condoms": 100, "leaflets": 40}, "notes": "", "status": "final",
      "referrals": [{"service_id": service_id, "reason": "hiv", "urgency": "routine", "client_code": "A7X-22"}]})
}

#[test]
fn near_lists_what_a_brute_force_finds_in_order() {
    let (d, services) = loaded();
    let got = d
        .run(&[
            "near",
            "--lat",
            "-1.28",
            "--lon",
            "36.82",
            "--radius-km",
            "15",
            "--category",
            "hiv",
            "--category",
            "gbv",
            "--language",
            "sw",
            "--free",
            "--limit",
            "10",
            "--json",
        ])
        .ok()
        .json();
    let mut want: Vec<(f64, String)> = services
        .iter()
        .filter(|s| {
            s["categories"]
                .as_array()
                .unwrap()
                .iter()
                .any(|c| c == "hiv" || c == "gbv")
        })
        .filter(|s| s["languages"].as_array().unwrap().iter().any(|l| l == "sw"))
        .filter(|s| s["free_of_charge"] == true)
        .map(|s| {
            (
                haversine(
                    -1.28,
                    36.82,
                    s["lat"].as_f64().unwrap(),
                    s["lon"].as_f64().unwrap(),
                ),
                s["id"].as_str().unwrap().to_string(),
            )
        })
        .filter(|(dist, _)| *dist <= 15_000.0)
        .collect();
    want.sort_by(|a, b| a.0.total_cmp(&b.0));
    want.truncate(10);
    let items = got.as_array().unwrap();
    assert!(!items.is_empty());
    let ids: Vec<&str> = items.iter().map(|i| i["id"].as_str().unwrap()).collect();
    let want_ids: Vec<&str> = want.iter().map(|w| w.1.as_str()).collect();
    assert_eq!(ids, want_ids);
    for (item, (dist, _)) in items.iter().zip(&want) {
        assert!((item["distance_m"].as_f64().unwrap() - dist).abs() < 0.01);
        for key in [
            "name",
            "lat",
            "lon",
            "categories",
            "languages",
            "free_of_charge",
            "no_documents_required",
            "interpreter_available",
        ] {
            assert!(item.get(key).is_some(), "{key} missing");
        }
    }
}

#[test]
fn near_without_a_radius_gives_the_default_twenty_and_open_at_filters() {
    let (d, _) = loaded();
    let all = d
        .run(&["near", "--lat", "-1.28", "--lon", "36.82", "--json"])
        .ok()
        .json();
    assert_eq!(all.as_array().unwrap().len(), 20);
    // Sunday 10:00 in Nairobi: only the 24/7 services (even ids) are open.
    let open = d
        .run(&[
            "near",
            "--lat",
            "-1.28",
            "--lon",
            "36.82",
            "--open-at",
            "2026-11-22T10:00:00+03:00",
            "--limit",
            "100",
            "--json",
        ])
        .ok()
        .json();
    let open = open.as_array().unwrap();
    assert_eq!(open.len(), 30);
    assert!(open.iter().all(|s| s["id"]
        .as_str()
        .unwrap()
        .trim_start_matches("svc-")
        .parse::<usize>()
        .unwrap()
        % 2
        == 0));
}

#[test]
fn bad_near_arguments_fail_in_words() {
    let (d, _) = loaded();
    d.run(&["near", "--lat", "123.4", "--lon", "36.8", "--json"])
        .fails_with("latitude 123.4 is outside -90..90");
    d.run(&["near", "--lat", "1", "--lon", "36.8", "--category", "hvi"])
        .fails_with("unknown category \"hvi\"");
    d.run(&["near", "--lat", "1", "--lon", "36.8", "--radius-km", "-2"])
        .fails_with("not a distance");
    d.run(&[
        "near",
        "--lat",
        "1",
        "--lon",
        "36.8",
        "--open-at",
        "tomorrow",
    ])
    .fails_with("not an RFC 3339 time");
}

#[test]
fn search_folds_accents_and_case_and_matches_prefixes() {
    let d = Device::new();
    let services = json!([
        {"id": "sj", "name": "Clínica São José", "lat": -25.9, "lon": 32.5},
        {"id": "gas", "name": "CDS GASAMANZUKI", "lat": -3.3, "lon": 29.4}]);
    let path = d.file("two.geojson", &geojson(services.as_array().unwrap()));
    d.run(&["import", path.to_str().unwrap()]).ok();
    let hits = d.run(&["search", "sao jose", "--json"]).ok().json();
    assert_eq!(hits[0]["id"], "sj");
    let hits = d
        .run(&[
            "search", "gasaman", "--lat", "-3.3", "--lon", "29.4", "--json",
        ])
        .ok()
        .json();
    assert_eq!(hits[0]["id"], "gas");
    assert!(hits[0]["distance_m"].as_f64().unwrap() < 1.0);
    let shown = d.run(&["service", "sj", "--json"]).ok().json();
    assert_eq!(shown["name"], "Clínica São José");
    d.run(&["service", "nope"])
        .fails_with("no service with id nope");
}

#[test]
fn places_come_from_addresses_and_follow_the_directory() {
    let d = Device::new();
    let services = json!([
        {"id": "e1", "name": "Eastleigh Health Centre", "lat": -1.270, "lon": 36.850, "country": "KE",
         "address": "Juja Road, Eastleigh North, Nairobi"},
        {"id": "e2", "name": "Kliniki ya Mama", "lat": -1.274, "lon": 36.854, "country": "KE",
         "address": "First Avenue, Eastleigh North, Nairobi"},
        {"id": "j1", "name": "Centro de Saúde", "lat": -25.950, "lon": 32.570, "country": "MZ",
         "address": "Rua 5, São José, Maputo"},
        {"id": "j2", "name": "Clínica da Rua 9", "lat": -25.952, "lon": 32.574, "country": "MZ",
         "address": "Rua 9, São José, Maputo"}]);
    let path = d.file("four.geojson", &geojson(services.as_array().unwrap()));
    d.run(&["import", path.to_str().unwrap()]).ok();

    let found = d.run(&["places", "SAO jo", "--json"]).ok().json();
    assert_eq!(
        found,
        json!([{"name": "São José", "context": "Maputo", "lat": -25.951, "lon": 32.572, "services": 2}])
    );
    let all = d.run(&["places", "--json", "--limit", "3"]).ok().json();
    assert_eq!(all.as_array().unwrap().len(), 3);
    let text = d.run(&["places", "eastleigh"]).ok().stdout;
    assert!(text.contains("Eastleigh North, Nairobi"), "{text}");
    assert!(text.contains("2 services"), "{text}");
    // Streets come first in an address: not places.
    assert_eq!(d.run(&["places", "juja", "--json"]).ok().json(), json!([]));
    assert!(d
        .run(&["places", "juja"])
        .ok()
        .stdout
        .contains("No places found"));

    // The directory moves on: the place goes with its services.
    let moved = json!([
        {"id": "e1", "name": "Eastleigh Health Centre", "lat": -1.270, "lon": 36.850, "country": "KE",
         "address": "Juja Road, Pangani, Nairobi"},
        {"id": "e2", "name": "Kliniki ya Mama", "lat": -1.274, "lon": 36.854, "country": "KE",
         "address": "First Avenue, Pangani, Nairobi"}]);
    let path = d.file("moved.geojson", &geojson(moved.as_array().unwrap()));
    d.run(&["import", path.to_str().unwrap()]).ok();
    assert_eq!(
        d.run(&["places", "eastleigh", "--json"]).ok().json(),
        json!([])
    );
    assert_eq!(
        d.run(&["places", "pangani", "--json"]).ok().json()[0]["services"],
        2
    );

    d.run(&["places", " -- "])
        .fails_with("no letters or digits");
    d.run(&["places", "x", "--limit", "0"])
        .fails_with("--limit 0");
    d.run(&["places", "x", "--limit", "many"])
        .fails_with("invalid value");
}

#[test]
fn import_is_idempotent_and_all_or_nothing() {
    let (d, services) = loaded();
    let path = d.file("again.geojson", &geojson(&services));
    let again = d
        .run(&["import", path.to_str().unwrap(), "--json"])
        .ok()
        .json();
    assert_eq!(
        (again["inserted"].as_u64(), again["unchanged"].as_u64()),
        (Some(0), Some(60))
    );
    let mut changed = services.clone();
    changed[0]["name"] = json!("Renamed clinic");
    changed[3]["lat"] = json!(123.4);
    let bad = d.file("bad.geojson", &geojson(&changed));
    d.run(&["import", bad.to_str().unwrap()])
        .fails_with("feature 4: latitude 123.4 is outside -90..90");
    let shown = d.run(&["service", "svc-0", "--json"]).ok().json();
    assert_eq!(
        shown["name"], "Kliniki ya Afya 0",
        "a refused import changed nothing"
    );
    changed[3]["lat"] = json!(-1.3);
    let fixed = d.file("fixed.geojson", &geojson(&changed));
    let r = d
        .run(&["import", fixed.to_str().unwrap(), "--json"])
        .ok()
        .json();
    assert_eq!(
        (r["inserted"].as_u64(), r["updated"].as_u64()),
        (Some(0), Some(2))
    );
    let status = d.run(&["status", "--json"]).ok().json();
    assert_eq!(status["services"], 60);
}

#[test]
fn a_session_is_recorded_listed_edited_and_voided() {
    let (d, _) = loaded();
    let id = d
        .run_with(
            &["log", "add", "--file", "-"],
            Some(&session("svc-1").to_string()),
            &d.passphrase,
        )
        .ok()
        .stdout
        .trim()
        .to_string();
    assert_eq!(id.len(), 36);
    let list = d.run(&["log", "list", "--json"]).ok().json();
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["id"], id.as_str());
    assert_eq!(list[0]["version"], 1);
    assert_eq!(list[0]["place"], "Eastleigh market");
    assert_eq!(list[0]["reached"][0]["count"], 12);
    let mut shown = d.run(&["log", "show", &id]).ok().json();
    shown["notes"] = json!("Moved to the mosque courtyard");
    let file = d.file("edit.json", &shown.to_string());
    let edited = d
        .run(&[
            "log",
            "edit",
            &id,
            "--file",
            file.to_str().unwrap(),
            "--json",
        ])
        .ok()
        .json();
    assert_eq!(edited["version"], 2);
    // The same file again is based on version 1: refused, nothing changes.
    d.run(&["log", "edit", &id, "--file", file.to_str().unwrap()])
        .fails_with("based on version 1");
    d.run(&["log", "void", &id, "--reason", "Entered twice"])
        .ok();
    let voided = d.run(&["log", "show", &id]).ok().json();
    assert_eq!(
        (
            voided["status"].as_str(),
            voided["void_reason"].as_str(),
            voided["version"].as_i64()
        ),
        (Some("voided"), Some("Entered twice"), Some(3))
    );
    let status = d.run(&["status", "--json"]).ok().json();
    assert_eq!(status["pending"], 4, "create, referral, edit, void");
    assert!(status.get("last_sync").is_some() && status.get("server").is_some());
}

#[test]
fn refused_sessions_store_nothing_and_say_why() {
    let (d, _) = loaded();
    let cases = [
        (json!({"lat": 200.0}), "latitude 200 is outside -90..90"),
        (
            json!({"reached": [{"sex": "female", "age": "18-49", "group": "migrant", "count": -4}]}),
            "cannot be negative",
        ),
        (json!({"activity": "dancing"}), "unknown variant `dancing`"),
        (
            json!({"ended_at": "2026-11-20T08:00:00+03:00"}),
            "is before started_at",
        ),
        (
            json!({"referrals": [{"service_id": "ghost", "reason": "hiv"}]}),
            "no service with id \"ghost\"",
        ),
    ];
    for (change, words) in cases {
        let mut s = session("svc-1");
        for (k, v) in change.as_object().unwrap() {
            s[k] = v.clone();
        }
        d.run_with(
            &["log", "add", "--file", "-"],
            Some(&s.to_string()),
            &d.passphrase,
        )
        .fails_with(words);
    }
    d.run_with(
        &["log", "add", "--file", "-"],
        Some("{\"started_at\": "),
        &d.passphrase,
    )
    .fails_with("not valid JSON");
    assert_eq!(d.run(&["log", "list", "--json"]).ok().json(), json!([]));
    assert_eq!(d.run(&["status", "--json"]).ok().json()["pending"], 0);
}

#[test]
fn referrals_are_listed_and_their_outcome_recorded() {
    let (d, _) = loaded();
    let mut s = session("svc-1");
    s["referrals"][0]["follow_up_on"] = json!("2026-11-27");
    d.run_with(
        &["log", "add", "--file", "-"],
        Some(&s.to_string()),
        &d.passphrase,
    )
    .ok();
    let due = d
        .run(&["refer", "list", "--due", "2026-11-30", "--json"])
        .ok()
        .json();
    assert_eq!(due.as_array().unwrap().len(), 1);
    let rid = due[0]["id"].as_str().unwrap().to_string();
    d.run(&["refer", "update", &rid, "--status", "done"])
        .fails_with("not one of issued, completed, not_completed");
    let r = d
        .run(&["refer", "update", &rid, "--status", "completed", "--json"])
        .ok()
        .json();
    assert_eq!(
        (r["status"].as_str(), r["version"].as_i64()),
        (Some("completed"), Some(2))
    );
    assert_eq!(
        d.run(&["refer", "list", "--status", "issued", "--json"])
            .ok()
            .json(),
        json!([])
    );
}

#[test]
fn a_wrong_passphrase_is_named_as_such() {
    let (d, _) = loaded();
    let r = d
        .run_with(&["status"], None, "guess")
        .fails_with("wrong passphrase");
    assert!(!r.stderr.contains("not a database"), "{}", r.stderr);
}

#[test]
fn demo_data_is_deterministic_and_loads() {
    let d = Device::new();
    let a = d.dir.path().join("a.geojson");
    let b = d.dir.path().join("b.geojson");
    d.run(&[
        "demo-data",
        "--services",
        "300",
        "--seed",
        "7",
        "--out",
        a.to_str().unwrap(),
    ])
    .ok();
    d.run(&[
        "demo-data",
        "--services",
        "300",
        "--seed",
        "7",
        "--out",
        b.to_str().unwrap(),
    ])
    .ok();
    assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
    d.run(&["demo-data", "--services", "300", "--seed", "7"])
        .ok();
    d.run(&["import", a.to_str().unwrap()]).ok();
    assert_eq!(
        d.run(&["status", "--json"]).ok().json()["services"],
        300,
        "same ids: updated, not duplicated"
    );
}

#[test]
fn the_real_healthsites_file_imports_when_present() {
    let Some(data) = njia_e2e::shared_data() else {
        return;
    };
    let path = data.join("healthsites_east_southern_africa_2020.csv");
    let d = Device::new();
    let r = d
        .run(&["import", path.to_str().unwrap(), "--json"])
        .ok()
        .json();
    assert!(r["inserted"].as_u64().unwrap() > 18_000, "{r}");
    let hits = d.run(&["search", "gasaman", "--json"]).ok().json();
    assert!(hits[0]["name"].as_str().unwrap().contains("GASAMANZUKI"));
    let near = d
        .run(&[
            "near", "--lat", "-1.2741", "--lon", "36.8516", "--limit", "5", "--json",
        ])
        .ok()
        .json();
    assert_eq!(near.as_array().unwrap().len(), 5);
}
