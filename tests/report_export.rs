//! A field office's data officer, after a month of outreach synced from two CHWs' phones,
//! reports people reached (`njia-server report reached`) and referrals by service
//! (`njia-server report referrals`), and exports the directory as FHIR R4
//! (`njia-server export --format fhir`). Only final sessions count: a draft and a voided
//! session, with their referrals, are left out.

use std::collections::BTreeMap;

use njia_e2e::{on_postgresql, Device, Server};
use serde_json::{json, Value};

fn directory() -> String {
    json!({"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [36.8516, -1.2741]},
         "properties": {"id": "svc-eastleigh", "name": "Eastleigh Health Centre",
            "organization": "Nairobi County", "categories": ["hiv", "tb"],
            "languages": ["sw", "so", "en"], "free_of_charge": true,
            "no_documents_required": true, "interpreter_available": true,
            "phone": "+254 20 111 2222", "address": "1st Avenue, Eastleigh", "country": "KE",
            "opening_hours": "Mo-Fr 08:00-17:00; Sa 09:00-13:00"}},
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [36.8350, -1.2800]},
         "properties": {"id": "svc-pumwani", "name": "Pumwani Maternity",
            "organization": "Pumwani Hospital Trust", "categories": ["maternal"],
            "languages": ["sw"], "phone": "+254 20 333 4444", "country": "KE",
            "opening_hours": "Mo-Fr 08:00-17:00; PH off"}},
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [36.7400, -1.2830]},
         "properties": {"id": "svc-mobile", "name": "Kawangware mobile clinic",
            "categories": ["primary_care"], "country": "KE"}}
    ]})
    .to_string()
}

fn cell(sex: &str, age: &str, group: &str, count: i64) -> Value {
    json!({"sex": sex, "age": age, "group": group, "count": count})
}

fn referral(service: &str, urgency: &str, code: &str) -> Value {
    json!({"service_id": service, "reason": "hiv", "urgency": urgency, "client_code": code})
}

/// The referral of a session to a service, on the device.
fn referral_id(device: &Device, session: &str) -> String {
    let list = device
        .run(&["refer", "list", "--session", session, "--json"])
        .ok()
        .json();
    list[0]["id"].as_str().expect("a referral id").to_string()
}

/// `njia-server report <args> --json` (`args` split at spaces), its rows by the values of
/// `keys` (comma-separated) joined with `|`.
fn report(server: &Server, args: &str, keys: &str) -> BTreeMap<String, Value> {
    let args: Vec<&str> = ["report"]
        .into_iter()
        .chain(args.split(' '))
        .chain(["--json"])
        .collect();
    server
        .admin(&args)
        .rows()
        .into_iter()
        .map(|r| {
            let k: Vec<&str> = keys
                .split(',')
                .map(|k| r[k].as_str().unwrap_or("-"))
                .collect();
            (k.join("|"), r)
        })
        .collect()
}

fn assert_keys(rows: &BTreeMap<String, Value>, want: &[&str]) {
    assert_eq!(rows.keys().collect::<Vec<_>>(), want, "{rows:#?}");
}

/// Asserts the text has each of `words`.
fn says(text: &str, words: &[&str]) {
    for w in words {
        assert!(text.contains(w), "wanted {w:?} in:\n{text}");
    }
}

fn count(row: &Value, sex: &str, age: &str, group: &str) -> i64 {
    row["cells"]
        .as_array()
        .expect("cells")
        .iter()
        .find(|c| c["sex"] == sex && c["age"] == age && c["group"] == group)
        .and_then(|c| c["count"].as_i64())
        .expect("the cell")
}

#[test]
fn a_data_officer_reports_a_month_of_outreach_and_exports_fhir() {
    a_month_of_outreach(&Server::start(None));
}

#[test]
fn the_reports_and_the_fhir_export_work_on_postgresql() {
    on_postgresql("report", a_month_of_outreach);
}

fn a_month_of_outreach(server: &Server) {
    let file = server.dir.path().join("directory.geojson");
    std::fs::write(&file, directory()).expect("write the directory");
    server.admin(&["import", file.to_str().expect("path")]).ok();
    let amina = server.enrolled("Amina", "eastleigh", "worker");
    let baraka = server.enrolled("Baraka", "kawangware", "worker");
    amina.run(&["sync"]).ok();
    baraka.run(&["sync"]).ok();

    let [s1, s2, _, _, voided] = [
        json!({"started_at": "2026-10-05T10:00:00+03:00", "place": "Market",
            "admin_area": "Eastleigh North", "activity": "health_talk", "status": "final",
            "reached": [cell("female", "18-49", "migrant", 12), cell("male", "18-49", "host", 5)],
            "referrals": [referral("svc-eastleigh", "routine", "A1-01")]}),
        // Late on 31 October in UTC, but 1 November where it was held: a November session.
        json!({"started_at": "2026-11-01T01:00:00+03:00", "place": "Eastleigh market",
            "activity": "door_to_door", "status": "final",
            "reached": [cell("female", "0-4", "migrant", 3), cell("other", "50+", "migrant", 1)],
            "referrals": [referral("svc-eastleigh", "emergency", "A1-02")]}),
        json!({"started_at": "2026-10-06T10:00:00+03:00", "place": "Market",
            "admin_area": "Eastleigh North", "activity": "health_talk", "status": "final",
            "reached": [], "referrals": [referral("svc-pumwani", "urgent", "A1-03")]}),
        json!({"started_at": "2026-11-03T10:00:00+03:00", "place": "Market",
            "activity": "health_talk", "status": "draft",
            "reached": [cell("female", "5-17", "host", 7)],
            "referrals": [referral("svc-eastleigh", "routine", "A1-04")]}),
        json!({"started_at": "2026-11-04T10:00:00+03:00", "place": "Market",
            "activity": "screening", "status": "final",
            "reached": [cell("male", "50+", "migrant", 100)],
            "referrals": [referral("svc-mobile", "routine", "A1-05")]}),
    ]
    .map(|session| amina.log(&session));
    amina
        .run(&["log", "void", &voided, "--reason", "typed twice"])
        .ok();
    for (session, status) in [(&s1, "completed"), (&s2, "not_completed")] {
        let referral = referral_id(&amina, session);
        amina
            .run(&["refer", "update", &referral, "--status", status])
            .ok();
    }
    baraka.log(
        &json!({"started_at": "2026-11-10T14:00:00+03:00", "place": "Chief's camp",
        "admin_area": "Kawangware", "activity": "health_talk", "status": "final",
        "reached": [cell("male", "5-17", "host", 4), cell("female", "18-49", "migrant", 6)],
        "referrals": [referral("svc-eastleigh", "routine", "B2-01")]}),
    );
    amina.run(&["sync"]).ok();
    baraka.run(&["sync"]).ok();

    // By month (the default): the draft's 7 and the voided session's 100 are left out.
    let by_month = report(server, "reached", "month");
    assert_keys(&by_month, &["2026-10", "2026-11"]);
    let (october, november) = (&by_month["2026-10"], &by_month["2026-11"]);
    assert_eq!(october["sessions"], 2);
    assert_eq!(october["reached"], 17);
    assert_eq!(october["by_group"], json!({"migrant": 12, "host": 5}));
    assert_eq!(october["cells"].as_array().map(Vec::len), Some(24));
    assert_eq!(november["sessions"], 2);
    assert_eq!(november["reached"], 3 + 1 + 4 + 6);
    assert_eq!(
        november["by_sex"],
        json!({"female": 9, "male": 4, "other": 1})
    );
    assert_eq!(
        november["by_age"],
        json!({"0-4": 3, "5-17": 4, "18-49": 6, "50+": 1})
    );
    for (row, sex, age, group, want, why) in [
        (october, "female", "18-49", "migrant", 12, ""),
        (october, "male", "18-49", "host", 5, ""),
        (november, "female", "0-4", "migrant", 3, ""),
        (november, "other", "50+", "migrant", 1, ""),
        (november, "male", "50+", "migrant", 0, "voided"),
        (november, "female", "5-17", "host", 0, "draft"),
    ] {
        let month = &row["month"];
        assert_eq!(
            count(row, sex, age, group),
            want,
            "{month} {sex} {age} {group} {why}"
        );
    }

    // By team; by area (the admin area when recorded, else the place); by two keys; over a
    // period (November by the sessions' own dates): every group, and what some of them count.
    for (args, keys, want) in [
        (
            "reached --by team",
            "team",
            json!({
            "eastleigh": {"reached": 21, "sessions": 3}, "kawangware": {"reached": 10}}),
        ),
        (
            "reached --by area",
            "area,area_source",
            json!({
            "Eastleigh North|admin_area": {"reached": 17}, "Eastleigh market|place": {"reached": 4},
            "Kawangware|admin_area": {}}),
        ),
        (
            "reached --by month --by activity",
            "month,activity",
            json!({
            "2026-10|health_talk": {}, "2026-11|door_to_door": {},
            "2026-11|health_talk": {"reached": 10}}),
        ),
        (
            "reached --from 2026-11-01 --to 2026-11-30 --by month,team",
            "month,team",
            json!({
            "2026-11|eastleigh": {"reached": 4}, "2026-11|kawangware": {}}),
        ),
        (
            "referrals --from 2026-11-01",
            "service_id",
            json!({
            "svc-eastleigh": {"referrals": 2}}),
        ),
    ] {
        let rows = report(server, args, keys);
        let want = want.as_object().expect("groups");
        assert_keys(&rows, &want.keys().map(String::as_str).collect::<Vec<_>>());
        for (group, fields) in want {
            for (field, value) in fields.as_object().expect("fields") {
                assert_eq!(&rows[group][field], value, "{args}: {group} {field}");
            }
        }
    }

    // The table says what it left out.
    says(
        &server.admin(&["report", "reached"]).ok().stdout,
        &[
            "2026-10",
            "Not counted: 1 draft session (7 people",
            "1 voided session (100 people)",
        ],
    );

    // Bad input: a clear message, non-zero exit, nothing on stdout.
    for (args, words) in [
        ("reached --by colour", "--by colour is not a report key"),
        ("reached --by month,month", "given twice"),
        (
            "reached --from 2026-02-30 --json",
            "--from 2026-02-30 is not a date",
        ),
        ("referrals --to yesterday", "YYYY-MM-DD"),
        (
            "referrals --from 2026-12-01 --to 2026-11-01",
            "the period is empty",
        ),
    ] {
        let args: Vec<&str> = ["report"].into_iter().chain(args.split(' ')).collect();
        let run = server.admin(&args).fails_with(words);
        assert!(run.stdout.is_empty(), "{args:?} printed {}", run.stdout);
    }

    // Referrals by service: the draft's and the voided session's are left out.
    let referrals = report(server, "referrals", "service_id");
    assert_keys(&referrals, &["svc-eastleigh", "svc-pumwani"]);
    let eastleigh = &referrals["svc-eastleigh"];
    assert_eq!(eastleigh["service_name"], "Eastleigh Health Centre");
    assert_eq!(eastleigh["referrals"], 3);
    assert_eq!(
        eastleigh["by_status"],
        json!({"issued": 1, "completed": 1, "not_completed": 1})
    );
    assert_eq!(
        eastleigh["by_urgency"],
        json!({"routine": 2, "urgent": 0, "emergency": 1})
    );
    assert_eq!(referrals["svc-pumwani"]["by_urgency"]["urgent"], 1);
    says(
        &server.admin(&["report", "referrals"]).ok().stdout,
        &["Pumwani Maternity", "1 referral of draft sessions"],
    );

    fhir_export(server);
}

fn fhir_export(server: &Server) {
    let out = server.dir.path().join("directory.fhir.json");
    server
        .admin(&[
            "export",
            "--format",
            "fhir",
            "--out",
            out.to_str().expect("path"),
        ])
        .ok();
    let text = std::fs::read_to_string(&out).expect("the export");
    let bundle: Value = serde_json::from_str(&text).expect("the export is JSON");
    assert_eq!(bundle["resourceType"], "Bundle");
    assert_eq!(bundle["type"], "collection");
    let entries = bundle["entry"].as_array().expect("entries");
    let resources: Vec<&Value> = entries.iter().map(|e| &e["resource"]).collect();
    let of = |kind: &str| {
        resources
            .iter()
            .filter(|r| r["resourceType"] == kind)
            .count()
    };
    assert_eq!(of("HealthcareService"), 3);
    assert_eq!(of("Location"), 3);
    assert_eq!(of("Organization"), 2, "two distinct organisations");
    // A reference resolves to the entry with that `fullUrl`.
    let resolve = |reference: &Value| -> &Value {
        entries
            .iter()
            .find(|e| e["fullUrl"] == reference["reference"])
            .map(|e| &e["resource"])
            .unwrap_or_else(|| panic!("{reference} is not in the bundle"))
    };
    let service = |id: &str| -> &Value {
        resources
            .iter()
            .find(|r| r["resourceType"] == "HealthcareService" && r["identifier"][0]["value"] == id)
            .unwrap_or_else(|| panic!("no HealthcareService for {id}"))
    };

    let eastleigh = service("svc-eastleigh");
    assert_eq!(eastleigh["name"], "Eastleigh Health Centre");
    let bcp47 = |code: &str| json!({"coding": [{"system": "urn:ietf:bcp:47", "code": code}]});
    assert_eq!(
        eastleigh["communication"],
        json!([bcp47("sw"), bcp47("so"), bcp47("en")])
    );
    assert_eq!(eastleigh["telecom"][0]["value"], "+254 20 111 2222");
    assert_eq!(
        eastleigh["serviceProvisionCode"][0]["coding"][0]["code"],
        "free"
    );
    let location = resolve(&eastleigh["location"][0]);
    assert_eq!(location["resourceType"], "Location");
    assert_eq!(
        location["position"],
        json!({"longitude": 36.8516, "latitude": -1.2741})
    );
    assert_eq!(
        location["telecom"][0],
        json!({"system": "phone", "value": "+254 20 111 2222", "use": "work"})
    );
    assert_eq!(location["address"]["country"], "KE");
    assert_eq!(
        location["hoursOfOperation"],
        json!([
            {"daysOfWeek": ["mon", "tue", "wed", "thu", "fri"],
                "openingTime": "08:00:00", "closingTime": "17:00:00"},
            {"daysOfWeek": ["sat"], "openingTime": "09:00:00", "closingTime": "13:00:00"}
        ])
    );
    assert_eq!(resolve(&eastleigh["providedBy"])["name"], "Nairobi County");
    assert_eq!(
        service("svc-pumwani")["availabilityExceptions"],
        "Mo-Fr 08:00-17:00; PH off"
    );

    // Reproducible: the same directory, the same bundle (to stdout this time).
    let again = server.admin(&["export", "--format", "fhir"]).ok().stdout;
    assert_eq!(again.trim(), text.trim());
    server
        .admin(&["export", "--format", "fhirr"])
        .fails_with("--format fhirr is not geojson, hsds or fhir");
}
