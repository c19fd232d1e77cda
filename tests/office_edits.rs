//! A supervisor edits a CHW's session at the office (`njia-server outreach edit`) while the
//! CHW, offline, edits it too: the edits merge field by field by HLC on the server and on
//! every phone, and `njia-server conflicts list` shows each value that lost to an edit made
//! without seeing it (DESIGN §3: "nothing is silently dropped").

use njia_e2e::{Device, PostgresDatabase, Server};
use serde_json::{json, Value};

fn enrolled(server: &Server, worker: &str, role: &str) -> Device {
    let d = Device::new();
    let code = server.enrollment_code(worker, "eastleigh", "KE", role);
    d.run(&["enroll", "--server", &server.url, "--code", &code])
        .ok();
    d
}

/// Edits a session on a device the way a CHW does: show it, change fields, save it.
fn edit(device: &Device, id: &str, change: impl FnOnce(&mut Value)) {
    let mut shown = device.run(&["log", "show", id]).ok().json();
    change(&mut shown);
    let file = device.file("edit.json", &shown.to_string());
    device
        .run(&["log", "edit", id, "--file", file.to_str().expect("path")])
        .ok();
}

fn on_server(server: &Server, id: &str) -> Value {
    server
        .admin(&["outreach", "list", "--json"])
        .ok()
        .json()
        .as_array()
        .expect("a list")
        .iter()
        .find(|s| s["id"] == id)
        .cloned()
        .expect("the session on the server")
}

#[test]
fn office_edits_merge_with_offline_edits_and_the_losers_are_listed() {
    office_edits_and_conflicts(&Server::start(None));
}

#[test]
fn office_edits_and_conflicts_work_on_postgresql() {
    let Some(db) = PostgresDatabase::fresh("office") else {
        return;
    };
    let server = Server::start(Some(&db.url));
    office_edits_and_conflicts(&server);
    drop(server);
}

fn office_edits_and_conflicts(server: &Server) {
    let amina = enrolled(server, "Amina", "worker");
    let rose = enrolled(server, "Rose", "supervisor");
    let session = json!({"started_at": "2026-11-20T09:30:00+03:00", "ended_at": "2026-11-20T11:00:00+03:00",
        "place": "Eastleigh market", "lat": -1.2741, "lon": 36.8516, "activity": "health_talk",
        "topics": ["hiv"], "reached": [{"sex": "female", "age": "18-49", "group": "migrant", "count": 12}],
        "notes": "", "status": "final"});
    let id = amina
        .run_with(
            &["log", "add", "--file", "-"],
            Some(&session.to_string()),
            &amina.passphrase,
        )
        .ok()
        .stdout
        .trim()
        .to_string();
    amina.run(&["sync"]).ok();
    rose.run(&["sync"]).ok();

    // Offline, Amina writes notes; then the office fixes the notes and the place; then,
    // still offline and unaware, Amina moves the session to the mosque.
    edit(&amina, &id, |s| s["notes"] = json!("Chai after the talk"));
    std::thread::sleep(std::time::Duration::from_millis(20));
    let edited = server
        .admin(&[
            "outreach",
            "edit",
            &id,
            "--set",
            "notes=Talk moved indoors: rain",
            "--set",
            "place=Eastleigh bus park",
            "--json",
        ])
        .ok()
        .json();
    assert_eq!(edited["version"], 2);
    assert_eq!(edited["op"]["kind"], "session.update");
    assert_eq!(edited["fields"]["place"], "Eastleigh bus park");
    std::thread::sleep(std::time::Duration::from_millis(20));
    edit(&amina, &id, |s| s["place"] = json!("Eastleigh mosque"));
    assert!(
        server
            .admin(&["conflicts", "list", "--json"])
            .ok()
            .json()
            .as_array()
            .expect("a list")
            .is_empty(),
        "a conflict before the offline edits arrived"
    );

    amina.run(&["sync"]).ok();
    rose.run(&["sync"]).ok();
    // Field by field, the newest write wins: the office's notes, Amina's place.
    let want = [
        ("notes", json!("Talk moved indoors: rain")),
        ("place", json!("Eastleigh mosque")),
    ];
    let server_copy = on_server(server, &id);
    let amina_copy = amina.run(&["log", "show", &id]).ok().json();
    let rose_copy = rose.run(&["log", "show", &id]).ok().json();
    for (field, value) in &want {
        assert_eq!(&server_copy[field], value, "{field} on the server");
        assert_eq!(&amina_copy[field], value, "{field} on Amina's phone");
        assert_eq!(
            &rose_copy[field], value,
            "{field} on the supervisor's phone"
        );
    }
    assert_eq!(amina_copy["reached"], server_copy["reached"]);

    // Both losing values are listed, with who wrote what.
    let conflicts = server.admin(&["conflicts", "list", "--json"]).ok().json();
    let list = conflicts.as_array().expect("a list");
    assert_eq!(list.len(), 2, "{conflicts:#}");
    let by_field = |f: &str| {
        list.iter()
            .find(|c| c["field"] == f)
            .unwrap_or_else(|| panic!("no conflict on {f}: {conflicts:#}"))
    };
    let notes = by_field("notes");
    assert_eq!(notes["record_id"], id.as_str());
    assert_eq!(notes["record_kind"], "session");
    assert_eq!(notes["kept"]["value"], "Talk moved indoors: rain");
    assert_eq!(notes["kept"]["worker"], "office");
    assert_eq!(notes["lost"]["value"], "Chai after the talk");
    assert_eq!(notes["lost"]["worker"], "Amina");
    let place = by_field("place");
    assert_eq!(place["kept"]["value"], "Eastleigh mosque");
    assert_eq!(place["kept"]["worker"], "Amina");
    assert_eq!(place["lost"]["value"], "Eastleigh bus park");
    assert_eq!(place["lost"]["worker"], "office");
    let text = server.admin(&["conflicts", "list"]).ok().stdout;
    assert!(
        text.contains("lost \"Chai after the talk\" (Amina"),
        "{text}"
    );

    // Having synced, Amina sees the office's notes and settles them: a correction of what
    // she saw, so the notes are no longer in conflict.
    edit(&amina, &id, |s| s["notes"] = json!("Indoors; chai after"));
    amina.run(&["sync"]).ok();
    let conflicts = server.admin(&["conflicts", "list", "--json"]).ok().json();
    let fields: Vec<&str> = conflicts
        .as_array()
        .expect("a list")
        .iter()
        .filter_map(|c| c["field"].as_str())
        .collect();
    assert_eq!(fields, ["place"], "{conflicts:#}");

    // Bad edits are refused in words and change nothing.
    let version = on_server(server, &id)["version"].clone();
    server
        .admin(&["outreach", "edit", &id, "--set", "status=lost"])
        .fails_with("status");
    server
        .admin(&["outreach", "edit", &id, "--set", "colour=blue"])
        .fails_with("not a field of a session");
    server
        .admin(&["outreach", "edit", &id, "--set", "notes"])
        .fails_with("FIELD=VALUE");
    server
        .admin(&["outreach", "edit", &id, "--set", "notes=42"])
        .fails_with("notes");
    server
        .admin(&[
            "outreach",
            "edit",
            &id,
            "--set",
            r#"reached=[{"sex": "female", "age": "18-49", "group": "migrant", "count": -3}]"#,
        ])
        .fails_with("nothing was changed");
    server
        .admin(&[
            "outreach",
            "edit",
            "0190b6a2-0000-7000-8000-000000000000",
            "--set",
            "notes=x",
        ])
        .fails_with("no session or referral");
    assert_eq!(on_server(server, &id)["version"], version);
}
