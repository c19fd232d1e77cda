//! A supervisor edits a CHW's session at the office (`njia-server outreach edit`) while the
//! CHW, offline, edits it too: the edits merge field by field by HLC on the server and on
//! every phone, and `njia-server conflicts list` shows each value that lost to an edit made
//! without seeing it (DESIGN §3: "nothing is silently dropped").

use njia_e2e::{on_postgresql, Device, Server};
use serde_json::{json, Value};

/// Edits a session on a device the way a CHW does: show it, change fields, save it.
fn edit(device: &Device, id: &str, change: impl FnOnce(&mut Value)) {
    let mut shown = device.run(&["log", "show", id]).ok().json();
    change(&mut shown);
    let file = device.file("edit.json", &shown.to_string());
    device
        .run(&["log", "edit", id, "--file", file.to_str().expect("path")])
        .ok();
}

/// The fields `conflicts list` shows a losing value of, in its order.
fn conflicted_fields(server: &Server) -> Vec<String> {
    server
        .admin(&["conflicts", "list", "--json"])
        .rows()
        .iter()
        .filter_map(|c| c["field"].as_str().map(str::to_string))
        .collect()
}

fn on_server(server: &Server, id: &str) -> Value {
    server
        .admin(&["outreach", "list", "--json"])
        .rows()
        .into_iter()
        .find(|s| s["id"] == id)
        .expect("the session on the server")
}

#[test]
fn office_edits_merge_with_offline_edits_and_the_losers_are_listed() {
    office_edits_and_conflicts(&Server::start(None));
}

#[test]
fn office_edits_and_conflicts_work_on_postgresql() {
    on_postgresql("office", office_edits_and_conflicts);
}

fn office_edits_and_conflicts(server: &Server) {
    let amina = server.enrolled("Amina", "eastleigh", "worker");
    let rose = server.enrolled("Rose", "eastleigh", "supervisor");
    let session = json!({"started_at": "2026-11-20T09:30:00+03:00", "ended_at": "2026-11-20T11:00:00+03:00",
        "place": "Eastleigh market", "lat": -1.2741, "lon": 36.8516, "activity": "health_talk",
        "topics": ["hiv"], "reached": [{"sex": "female", "age": "18-49", "group": "migrant", "count": 12}],
        "notes": "", "status": "final"});
    let id = amina.log(&session);
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
        conflicted_fields(server).is_empty(),
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
    let mut conflicts: Vec<Value> = server
        .admin(&["conflicts", "list", "--json"])
        .rows()
        .iter()
        .map(|c| {
            assert_eq!(c["record_id"], id.as_str(), "{c:#}");
            assert_eq!(c["record_kind"], "session", "{c:#}");
            json!({"field": c["field"],
                "kept": [c["kept"]["value"], c["kept"]["worker"]],
                "lost": [c["lost"]["value"], c["lost"]["worker"]]})
        })
        .collect();
    conflicts.sort_by_key(|c| c["field"].to_string());
    assert_eq!(
        conflicts,
        [
            json!({"field": "notes", "kept": ["Talk moved indoors: rain", "office"],
                "lost": ["Chai after the talk", "Amina"]}),
            json!({"field": "place", "kept": ["Eastleigh mosque", "Amina"],
                "lost": ["Eastleigh bus park", "office"]}),
        ]
    );
    let text = server.admin(&["conflicts", "list"]).ok().stdout;
    assert!(
        text.contains("lost \"Chai after the talk\" (Amina"),
        "{text}"
    );

    // Having synced, Amina sees the office's notes and settles them: a correction of what
    // she saw, so the notes are no longer in conflict.
    edit(&amina, &id, |s| s["notes"] = json!("Indoors; chai after"));
    amina.run(&["sync"]).ok();
    assert_eq!(conflicted_fields(server), ["place"]);

    // Bad edits are refused in words and change nothing.
    let version = on_server(server, &id)["version"].clone();
    let id = id.as_str();
    for (target, set, words) in [
        (id, "status=lost", "status"),
        (id, "colour=blue", "not a field of a session"),
        (id, "notes", "FIELD=VALUE"),
        (id, "notes=42", "notes"),
        (
            id,
            r#"reached=[{"sex": "female", "age": "18-49", "group": "migrant", "count": -3}]"#,
            "nothing was changed",
        ),
        (
            "0190b6a2-0000-7000-8000-000000000000",
            "notes=x",
            "no session or referral",
        ),
    ] {
        server
            .admin(&["outreach", "edit", target, "--set", set])
            .fails_with(words);
    }
    assert_eq!(on_server(server, id)["version"], version);
}
