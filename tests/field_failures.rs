//! The failures a field programme meets every month, with real processes: a phone restored
//! from an older copy of its store, a server restored from last night's copy, items the
//! server refuses, clocks years off. Each ends with the server and the devices holding the
//! same records, and no sync claiming a completeness that did not happen.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use chrono::{Duration, Utc};
use njia_e2e::restore::on_postgresql_mut;
use njia_e2e::{on_postgresql, Device, Run, Server};
use serde_json::{json, Value};

fn session(place: &str, count: i64) -> Value {
    session_at("2026-11-20T09:30:00+03:00", place, count)
}

fn session_at(started_at: &str, place: &str, count: i64) -> Value {
    json!({"started_at": started_at, "place": place, "lat": -1.2741, "lon": 36.8516,
      "activity": "health_talk", "topics": ["hiv"],
      "reached": [{"sex": "female", "age": "18-49", "group": "migrant", "count": count}],
      "status": "final"})
}

/// A few services of Kenya, the region the tests' devices are enrolled for.
fn directory(ids: &[&str]) -> String {
    let features: Vec<Value> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| {
            json!({"type": "Feature",
                   "geometry": {"type": "Point", "coordinates": [36.85 + i as f64 * 0.001, -1.27]},
                   "properties": {"id": id, "name": format!("Kliniki {id}"), "country": "KE",
                                  "categories": ["hiv"], "languages": ["sw"]}})
        })
        .collect();
    json!({"type": "FeatureCollection", "features": features}).to_string()
}

fn import(server: &Server, name: &str, ids: &[&str]) {
    let path = server.dir.path().join(name);
    std::fs::write(&path, directory(ids)).expect("write directory");
    server
        .admin(&["import", path.to_str().expect("a UTF-8 path")])
        .ok();
}

fn ids(rows: &[Value]) -> BTreeSet<String> {
    rows.iter()
        .map(|r| r["id"].as_str().expect("an id").to_string())
        .collect()
}

fn device_sessions(d: &Device) -> BTreeSet<String> {
    ids(&d.run(&["log", "list", "--json"]).rows())
}

fn server_sessions(server: &Server) -> BTreeSet<String> {
    let rows = server.admin(&["outreach", "list", "--json"]).rows();
    let listed = ids(&rows);
    assert_eq!(listed.len(), rows.len(), "a session listed twice: {rows:?}");
    listed
}

fn device_services(d: &Device) -> BTreeSet<String> {
    ids(&d
        .run(&[
            "near", "--lat", "-1.27", "--lon", "36.85", "--limit", "100000", "--json",
        ])
        .rows())
}

fn sync(d: &Device) -> Value {
    let report = d.run(&["sync", "--json"]).ok().json();
    assert_eq!(report["complete"], true, "{report}");
    report
}

fn status(d: &Device) -> Value {
    d.run(&["status", "--json"]).ok().json()
}

/// Copies a device's store files aside, as a phone backup would.
fn backup(d: &Device) -> tempfile::TempDir {
    let copy = tempfile::tempdir().expect("tempdir");
    copy_store(d.dir.path(), copy.path());
    copy
}

/// Puts a copy back over the device's store: everything written since is gone.
fn restore(d: &Device, copy: &tempfile::TempDir) {
    for entry in std::fs::read_dir(d.dir.path()).expect("device folder") {
        let path = entry.expect("entry").path();
        if path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with("njia.db"))
        {
            std::fs::remove_file(&path).expect("remove store file");
        }
    }
    copy_store(copy.path(), d.dir.path());
}

fn copy_store(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).expect("folder") {
        let path = entry.expect("entry").path();
        let name = path.file_name().expect("a name").to_owned();
        if name.to_str().is_some_and(|n| n.starts_with("njia.db")) {
            std::fs::copy(&path, to.join(name)).expect("copy store file");
        }
    }
}

#[test]
fn a_phone_restored_from_an_older_copy_forks_and_loses_nothing() {
    a_restored_phone(&Server::start(None));
}

#[test]
fn a_restored_phone_on_postgresql() {
    on_postgresql("restored_phone", a_restored_phone);
}

fn a_restored_phone(server: &Server) {
    import(server, "dir.geojson", &["svc-a", "svc-b"]);
    let phone = server.enrolled("Amina", "eastleigh", "worker");
    let first = phone.log(&session("Market", 3));
    sync(&phone);
    let copy = backup(&phone);

    // After the backup the CHW records two sessions and syncs them.
    let lost = [
        phone.log(&session("Mosque", 4)),
        phone.log(&session("Bus park", 5)),
    ];
    sync(&phone);

    // The phone is restored from the backup; the CHW goes on recording.
    restore(&phone, &copy);
    assert_eq!(device_sessions(&phone), BTreeSet::from([first.clone()]));
    let new = phone.log(&session("Clinic gate", 6));
    let report = sync(&phone);
    assert_eq!(report["forks"], 1, "{report}");

    // Every record is on the server once, and back on the phone.
    let all: BTreeSet<String> = [first, lost[0].clone(), lost[1].clone(), new]
        .into_iter()
        .collect();
    assert_eq!(server_sessions(server), all);
    assert_eq!(device_sessions(&phone), all);
    assert_eq!(status(&phone)["pending"], 0);
    // The office sees that it happened: the restored copy is a device of its own.
    let devices = server.admin(&["devices", "list", "--json"]).rows();
    let forked: Vec<&Value> = devices
        .iter()
        .filter(|d| d["forked_from"].is_string())
        .collect();
    assert_eq!(forked.len(), 1, "{devices:?}");
    assert_eq!(forked[0]["worker"], "Amina");
    assert_eq!(status(&phone)["device_id"], forked[0]["id"]);

    // A second restore of the same copy, which records nothing, also gets everything back.
    restore(&phone, &copy);
    let report = sync(&phone);
    assert_eq!(report["forks"], 1, "{report}");
    assert_eq!(device_sessions(&phone), all);
    assert_eq!(server_sessions(server), all);
    // Quiet afterwards: nothing pending, no more forks.
    let report = sync(&phone);
    assert_eq!(
        (report["forks"].clone(), report["ops_pushed"].clone()),
        (json!(0), json!(0))
    );
}

#[test]
fn a_server_restored_from_a_copy_is_recognised_and_loses_nothing() {
    a_restored_server(&mut Server::start(None));
}

#[test]
fn a_restored_server_on_postgresql() {
    on_postgresql_mut("restored_server", a_restored_server);
}

fn a_restored_server(server: &mut Server) {
    import(server, "dir-1.geojson", &["svc-a", "svc-b", "svc-c"]);
    let phone = server.enrolled("Baraka", "kibera", "worker");
    let before = phone.log(&session("Market", 3));
    sync(&phone);
    let copy = server.snapshot();

    // After last night's copy: directory changes, outreach and a correction reach the server.
    import(server, "dir-2.geojson", &["svc-lost-1", "svc-lost-2"]);
    let after = phone.log(&session("Mosque", 4));
    let correction = phone
        .run(&[
            "correct",
            "svc-a",
            "--field",
            "phone",
            "--value",
            "+254 700 000 111",
            "--note",
            "new number",
        ])
        .ok()
        .stdout
        .trim()
        .to_string();
    sync(&phone);
    assert!(device_services(&phone).contains("svc-lost-1"));

    // The office restores last night's copy, then, unaware, publishes other changes: the
    // change numbers the phone already holds are handed out again.
    server.restore(&copy);
    import(
        server,
        "dir-3.geojson",
        &["svc-new-1", "svc-new-2", "svc-new-3"],
    );
    assert_eq!(server_sessions(server), BTreeSet::from([before.clone()]));

    let report = sync(&phone);
    assert_eq!(report["history_resets"], 1, "{report}");
    // The outreach and the correction the restore lost are on the server again.
    let all = BTreeSet::from([before, after]);
    assert_eq!(server_sessions(server), all);
    assert_eq!(device_sessions(&phone), all);
    let corrections = server.admin(&["corrections", "list", "--json"]).rows();
    assert_eq!(ids(&corrections), BTreeSet::from([correction]));
    // The phone's directory is the server's: what the restore lost is gone from it, what
    // was published since has arrived.
    let want: BTreeSet<String> = [
        "svc-a",
        "svc-b",
        "svc-c",
        "svc-new-1",
        "svc-new-2",
        "svc-new-3",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    assert_eq!(device_services(&phone), want);
    let quiet = sync(&phone);
    assert_eq!(quiet["history_resets"], 0, "{quiet}");
    assert_eq!(status(&phone)["pending_corrections"], 0);
}

/// `njia` under libfaketime, its clock moved by `offset` (`+1095d`); `None` where the
/// shim is not installed (CI installs it: there the test must run).
fn faked(d: &Device, offset: &str, args: &[&str], stdin: Option<&str>) -> Option<Run> {
    if Command::new("faketime").arg("--version").output().is_err() {
        assert!(
            std::env::var_os("CI").is_none(),
            "faketime is not installed (scripts/setup installs it)"
        );
        eprintln!("skipped: faketime is not installed");
        return None;
    }
    Some(d.run_wrapped(&["faketime", "-f", offset], args, stdin, &d.passphrase))
}

#[test]
fn refused_items_block_nothing_and_wrong_clocks_win_nothing() {
    refused_items(&Server::start(None));
}

#[test]
fn refused_items_on_postgresql() {
    on_postgresql("refused_items", refused_items);
}

fn refused_items(server: &Server) {
    import(server, "dir.geojson", &["svc-a", "svc-b"]);
    let phone = server.enrolled("Neema", "mathare", "worker");
    let supervisor = server.enrolled("Grace", "mathare", "supervisor");
    sync(&phone);
    sync(&supervisor);

    // A session recorded while the phone's clock was three years fast (the CHW's date was
    // wrong); the phone accepts it by its own clock.
    let fast = (Utc::now() + Duration::days(3 * 365)).to_rfc3339();
    let Some(run) = faked(
        &phone,
        "+1095d",
        &["log", "add", "--file", "-"],
        Some(&session_at(&fast, "Far future", 2).to_string()),
    ) else {
        return;
    };
    let fast_id = run.ok().stdout.trim().to_string();
    // The clock is fixed; the CHW goes on.
    let good = phone.log(&session("Market", 9));
    // A correction of a service only this phone knows (it was imported on the phone).
    let local = phone.file("local.geojson", &directory(&["svc-only-here"]));
    phone
        .run(&["import", local.to_str().expect("a UTF-8 path")])
        .ok();
    phone
        .run(&[
            "correct",
            "svc-only-here",
            "--field",
            "phone",
            "--value",
            "+254 1",
        ])
        .ok();

    let run = phone.run(&["sync", "--json"]);
    assert_ne!(run.code, 0, "a sync with refused items must say so");
    assert!(run.stderr.contains("refused 2 item(s)"), "{}", run.stderr);
    let report = run.json();
    assert_eq!(
        report["refused"].as_array().map(Vec::len),
        Some(2),
        "{report}"
    );
    // Everything after the refused items went through: the good session, the directory.
    assert_eq!(server_sessions(server), BTreeSet::from([good.clone()]));
    let st = status(&phone);
    assert_eq!(
        (st["pending"].clone(), st["pending_corrections"].clone()),
        (json!(0), json!(0))
    );
    let codes: BTreeSet<&str> = st["refused"]
        .as_array()
        .expect("refused items")
        .iter()
        .map(|r| r["code"].as_str().expect("a code"))
        .collect();
    assert_eq!(codes, BTreeSet::from(["clock_ahead", "unknown_service"]));
    assert!(
        st["refused"][0]["reason"]
            .as_str()
            .unwrap_or_default()
            .contains("ahead"),
        "{st}"
    );
    // The office sees the refused session in quarantine, with its reason.
    let quarantine = server.admin(&["quarantine", "list", "--json"]).rows();
    assert_eq!(quarantine.len(), 1, "{quarantine:?}");
    assert_eq!(quarantine[0]["entity_id"], fast_id.as_str());
    assert_eq!(quarantine[0]["code"], "clock_ahead");

    // Not stuck: new directory changes come down, and the next sync is complete.
    import(server, "dir-2.geojson", &["svc-c"]);
    sync(&phone);
    assert!(device_services(&phone).contains("svc-c"));

    // A supervisor's phone three years fast edits the CHW's session: refused, so it wins
    // nothing over later edits.
    sync(&supervisor);
    let shown = supervisor.run(&["log", "show", &good]).ok().json();
    let mut edit = shown.clone();
    edit["notes"] = json!("edited by a clock three years fast");
    let edit_file = supervisor.file("edit.json", &edit.to_string());
    let Some(run) = faked(
        &supervisor,
        "+1095d",
        &[
            "log",
            "edit",
            &good,
            "--file",
            edit_file.to_str().expect("path"),
        ],
        None,
    ) else {
        return;
    };
    run.ok();
    let run = supervisor.run(&["sync", "--json"]);
    assert_ne!(run.code, 0, "{}", run.stdout);
    assert!(run.stderr.contains("ahead"), "{}", run.stderr);
    server
        .admin(&[
            "outreach",
            "edit",
            &good,
            "--set",
            "notes=checked at the office",
        ])
        .ok();
    sync(&phone);
    let mine = phone.run(&["log", "show", &good]).ok().json();
    assert_eq!(mine["notes"], "checked at the office");
    let on_server = server.admin(&["outreach", "list", "--json"]).rows();
    assert_eq!(on_server[0]["notes"], "checked at the office");
    // The supervisor's phone dropped its refused edit and holds what the server holds.
    sync(&supervisor);
    let theirs = supervisor.run(&["log", "show", &good]).ok().json();
    assert_eq!(theirs["notes"], "checked at the office");
}

#[test]
fn a_revoked_device_with_pending_work_loses_nothing_and_can_be_restored() {
    revoked_device(&Server::start(None));
}

#[test]
fn a_revoked_device_on_postgresql() {
    on_postgresql("revoked_device", revoked_device);
}

fn revoked_device(server: &Server) {
    import(server, "dir.geojson", &["svc-a"]);
    let phone = server.enrolled("Juma", "kakuma", "worker");
    let synced = phone.log(&session("Market", 3));
    sync(&phone);
    let device_id = status(&phone)["device_id"]
        .as_str()
        .expect("a device id")
        .to_string();
    // Recorded offline, then the office revokes the phone (reported lost, then found).
    let pending = [
        phone.log(&session("Mosque", 4)),
        phone.log(&session("Bus park", 5)),
    ];
    server.admin(&["devices", "revoke", &device_id]).ok();
    let run = phone.run(&["sync"]);
    run.fails_with("revoked");
    // Kept for review, not applied, not lost.
    assert_eq!(server_sessions(server), BTreeSet::from([synced.clone()]));
    let quarantine = server.admin(&["quarantine", "list", "--json"]).rows();
    let kept: BTreeSet<String> = quarantine
        .iter()
        .filter(|q| q["code"] == "revoked")
        .map(|q| q["entity_id"].as_str().expect("an id").to_string())
        .collect();
    assert_eq!(kept, pending.iter().cloned().collect());
    assert_eq!(
        status(&phone)["pending"],
        2,
        "the phone still holds them as unsent"
    );
    // Still refused, again and again, without doubling what is kept.
    phone.run(&["sync"]).fails_with("revoked");
    assert_eq!(
        server.admin(&["quarantine", "list", "--json"]).rows().len(),
        2
    );

    let restored = server
        .admin(&["devices", "restore", &device_id, "--json"])
        .ok()
        .json();
    assert_eq!(
        (restored["restored"].clone(), restored["released"].clone()),
        (json!(true), json!(2))
    );
    sync(&phone);
    let all: BTreeSet<String> = [synced, pending[0].clone(), pending[1].clone()]
        .into_iter()
        .collect();
    assert_eq!(server_sessions(server), all);
    assert_eq!(device_sessions(&phone), all);
    assert!(server
        .admin(&["quarantine", "list", "--json"])
        .rows()
        .is_empty());
    assert_eq!(status(&phone)["pending"], 0);
}

#[test]
fn corrections_travel_over_http_and_an_accepted_one_reaches_the_device() {
    corrections_round_trip(&Server::start(None));
}

#[test]
fn corrections_round_trip_on_postgresql() {
    on_postgresql("corrections", corrections_round_trip);
}

fn corrections_round_trip(server: &Server) {
    import(server, "dir.geojson", &["svc-a", "svc-b"]);
    let phone = server.enrolled("Halima", "eastleigh", "worker");
    sync(&phone);
    let fix = phone
        .run(&[
            "correct",
            "svc-a",
            "--field",
            "phone",
            "--value",
            "+254 700 000 222",
            "--note",
            "called it",
        ])
        .ok()
        .stdout
        .trim()
        .to_string();
    let wrong = phone
        .run(&[
            "correct",
            "svc-b",
            "--field",
            "name",
            "--value",
            "Kliniki Nyingine",
        ])
        .ok()
        .stdout
        .trim()
        .to_string();
    assert_eq!(status(&phone)["pending_corrections"], 2);
    sync(&phone);
    assert_eq!(status(&phone)["pending_corrections"], 0);
    let pending = server
        .admin(&["corrections", "list", "--status", "pending", "--json"])
        .rows();
    assert_eq!(ids(&pending), BTreeSet::from([fix.clone(), wrong.clone()]));
    server.admin(&["corrections", "accept", &fix]).ok();
    server.admin(&["corrections", "reject", &wrong]).ok();
    assert!(server
        .admin(&["corrections", "list", "--status", "pending", "--json"])
        .rows()
        .is_empty());
    sync(&phone);
    let a = phone.run(&["service", "svc-a", "--json"]).ok().json();
    assert_eq!(a["phone"], "+254 700 000 222", "{a}");
    let b = phone.run(&["service", "svc-b", "--json"]).ok().json();
    assert_eq!(b["name"], "Kliniki svc-b", "{b}");
}
