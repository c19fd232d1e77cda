//! A field office's data officer, after a month of outreach synced from two CHWs' phones,
//! reports people reached (`njia-server report reached`) and referrals by service
//! (`njia-server report referrals`), and exports the directory as FHIR R4
//! (`njia-server export --format fhir`). Only final sessions count: a draft and a voided
//! session, with their referrals, are left out.

use std::collections::BTreeMap;

use njia_e2e::{Device, PostgresDatabase, Run, Server};
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

fn enrolled(server: &Server, worker: &str, team: &str) -> Device {
    let d = Device::new();
    let code = server.enrollment_code(worker, team, "KE", "worker");
    d.run(&["enroll", "--server", &server.url, "--code", &code])
        .ok();
    d.run(&["sync"]).ok();
    d
}

fn cell(sex: &str, age: &str, group: &str, count: i64) -> Value {
    json!({"sex": sex, "age": age, "group": group, "count": count})
}

/// Logs a session on a device and returns its id.
fn log(device: &Device, session: Value) -> String {
    device
        .run_with(
            &["log", "add", "--file", "-"],
            Some(&session.to_string()),
            &device.passphrase,
        )
        .ok()
        .stdout
        .trim()
        .to_string()
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

fn rows(run: Run) -> Vec<Value> {
    run.ok()
        .json()
        .as_array()
        .expect("an array of rows")
        .clone()
}

/// Rows by the values of their keys, joined with `|`.
fn keyed(rows: &[Value], keys: &[&str]) -> BTreeMap<String, Value> {
    rows.iter()
        .map(|r| {
            let k: Vec<String> = keys
                .iter()
                .map(|k| r[*k].as_str().unwrap_or("-").to_string())
                .collect();
            (k.join("|"), r.clone())
        })
        .collect()
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
    let Some(db) = PostgresDatabase::fresh("report") else {
        return;
    };
    let server = Server::start(Some(&db.url));
    a_month_of_outreach(&server);
    drop(server);
}

fn a_month_of_outreach(server: &Server) {
    let file = server.dir.path().join("directory.geojson");
    std::fs::write(&file, directory()).expect("write the directory");
    server.admin(&["import", file.to_str().expect("path")]).ok();
    let amina = enrolled(server, "Amina", "eastleigh");
    let baraka = enrolled(server, "Baraka", "kawangware");

    let s1 = log(
        &amina,
        json!({"started_at": "2026-10-05T10:00:00+03:00", "place": "Market",
        "admin_area": "Eastleigh North", "activity": "health_talk", "status": "final",
        "reached": [cell("female", "18-49", "migrant", 12), cell("male", "18-49", "host", 5)],
        "referrals": [referral("svc-eastleigh", "routine", "A1-01")]}),
    );
    // Late on 31 October in UTC, but 1 November where it was held: a November session.
    let s2 = log(
        &amina,
        json!({"started_at": "2026-11-01T01:00:00+03:00", "place": "Eastleigh market",
        "activity": "door_to_door", "status": "final",
        "reached": [cell("female", "0-4", "migrant", 3), cell("other", "50+", "migrant", 1)],
        "referrals": [referral("svc-eastleigh", "emergency", "A1-02")]}),
    );
    log(
        &amina,
        json!({"started_at": "2026-10-06T10:00:00+03:00", "place": "Market",
        "admin_area": "Eastleigh North", "activity": "health_talk", "status": "final",
        "reached": [], "referrals": [referral("svc-pumwani", "urgent", "A1-03")]}),
    );
    log(
        &amina,
        json!({"started_at": "2026-11-03T10:00:00+03:00", "place": "Market",
        "activity": "health_talk", "status": "draft",
        "reached": [cell("female", "5-17", "host", 7)],
        "referrals": [referral("svc-eastleigh", "routine", "A1-04")]}),
    );
    let voided = log(
        &amina,
        json!({"started_at": "2026-11-04T10:00:00+03:00", "place": "Market",
        "activity": "screening", "status": "final",
        "reached": [cell("male", "50+", "migrant", 100)],
        "referrals": [referral("svc-mobile", "routine", "A1-05")]}),
    );
    amina
        .run(&["log", "void", &voided, "--reason", "typed twice"])
        .ok();
    let r1 = referral_id(&amina, &s1);
    amina
        .run(&["refer", "update", &r1, "--status", "completed"])
        .ok();
    let r2 = referral_id(&amina, &s2);
    amina
        .run(&["refer", "update", &r2, "--status", "not_completed"])
        .ok();
    log(
        &baraka,
        json!({"started_at": "2026-11-10T14:00:00+03:00", "place": "Chief's camp",
        "admin_area": "Kawangware", "activity": "health_talk", "status": "final",
        "reached": [cell("male", "5-17", "host", 4), cell("female", "18-49", "migrant", 6)],
        "referrals": [referral("svc-eastleigh", "routine", "B2-01")]}),
    );
    amina.run(&["sync"]).ok();
    baraka.run(&["sync"]).ok();

    // By month (the default): the draft's 7 and the voided session's 100 are left out.
    let by_month = keyed(
        &rows(server.admin(&["report", "reached", "--json"])),
        &["month"],
    );
    assert_eq!(
        by_month.keys().collect::<Vec<_>>(),
        ["2026-10", "2026-11"],
        "{by_month:#?}"
    );
    let october = &by_month["2026-10"];
    assert_eq!(october["sessions"], 2);
    assert_eq!(october["reached"], 17);
    assert_eq!(count(october, "female", "18-49", "migrant"), 12);
    assert_eq!(count(october, "male", "18-49", "host"), 5);
    assert_eq!(october["by_group"], json!({"migrant": 12, "host": 5}));
    assert_eq!(october["cells"].as_array().map(Vec::len), Some(24));
    let november = &by_month["2026-11"];
    assert_eq!(november["sessions"], 2);
    assert_eq!(november["reached"], 3 + 1 + 4 + 6);
    assert_eq!(count(november, "female", "0-4", "migrant"), 3);
    assert_eq!(count(november, "other", "50+", "migrant"), 1);
    assert_eq!(count(november, "male", "50+", "migrant"), 0, "voided");
    assert_eq!(count(november, "female", "5-17", "host"), 0, "draft");
    assert_eq!(
        november["by_sex"],
        json!({"female": 9, "male": 4, "other": 1})
    );
    assert_eq!(
        november["by_age"],
        json!({"0-4": 3, "5-17": 4, "18-49": 6, "50+": 1})
    );

    // By team, and by area: the admin area when recorded, else the place.
    let by_team = keyed(
        &rows(server.admin(&["report", "reached", "--by", "team", "--json"])),
        &["team"],
    );
    assert_eq!(by_team["eastleigh"]["reached"], 21);
    assert_eq!(by_team["eastleigh"]["sessions"], 3);
    assert_eq!(by_team["kawangware"]["reached"], 10);
    assert_eq!(by_team.len(), 2);
    let by_area = keyed(
        &rows(server.admin(&["report", "reached", "--by", "area", "--json"])),
        &["area", "area_source"],
    );
    assert_eq!(
        by_area.keys().collect::<Vec<_>>(),
        [
            "Eastleigh North|admin_area",
            "Eastleigh market|place",
            "Kawangware|admin_area"
        ]
    );
    assert_eq!(by_area["Eastleigh North|admin_area"]["reached"], 17);
    assert_eq!(by_area["Eastleigh market|place"]["reached"], 4);
    let by_two = rows(server.admin(&[
        "report", "reached", "--by", "month", "--by", "activity", "--json",
    ]));
    let by_two = keyed(&by_two, &["month", "activity"]);
    assert_eq!(
        by_two.keys().collect::<Vec<_>>(),
        [
            "2026-10|health_talk",
            "2026-11|door_to_door",
            "2026-11|health_talk"
        ]
    );
    assert_eq!(by_two["2026-11|health_talk"]["reached"], 10);

    // A period: November by the sessions' own dates.
    let nov = rows(server.admin(&[
        "report",
        "reached",
        "--from",
        "2026-11-01",
        "--to",
        "2026-11-30",
        "--by",
        "month,team",
        "--json",
    ]));
    let nov = keyed(&nov, &["month", "team"]);
    assert_eq!(
        nov.keys().collect::<Vec<_>>(),
        ["2026-11|eastleigh", "2026-11|kawangware"]
    );
    assert_eq!(nov["2026-11|eastleigh"]["reached"], 4);

    // The table says what it left out.
    let text = server.admin(&["report", "reached"]).ok().stdout;
    assert!(text.contains("2026-10"), "{text}");
    assert!(
        text.contains("Not counted: 1 draft session (7 people"),
        "{text}"
    );
    assert!(text.contains("1 voided session (100 people)"), "{text}");

    // Bad input: a clear message, non-zero exit, nothing on stdout.
    for (args, words) in [
        (
            vec!["report", "reached", "--by", "colour"],
            "--by colour is not a report key",
        ),
        (
            vec!["report", "reached", "--by", "month,month"],
            "given twice",
        ),
        (
            vec!["report", "reached", "--from", "2026-02-30", "--json"],
            "--from 2026-02-30 is not a date",
        ),
        (
            vec!["report", "referrals", "--to", "last week"],
            "YYYY-MM-DD",
        ),
        (
            vec![
                "report",
                "referrals",
                "--from",
                "2026-12-01",
                "--to",
                "2026-11-01",
            ],
            "the period is empty",
        ),
    ] {
        let run = server.admin(&args).fails_with(words);
        assert!(run.stdout.is_empty(), "{args:?} printed {}", run.stdout);
    }

    // Referrals by service: the draft's and the voided session's are left out.
    let referrals = keyed(
        &rows(server.admin(&["report", "referrals", "--json"])),
        &["service_id"],
    );
    assert_eq!(
        referrals.keys().collect::<Vec<_>>(),
        ["svc-eastleigh", "svc-pumwani"],
        "{referrals:#?}"
    );
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
    let in_november =
        rows(server.admin(&["report", "referrals", "--from", "2026-11-01", "--json"]));
    assert_eq!(in_november.len(), 1);
    assert_eq!(in_november[0]["service_id"], "svc-eastleigh");
    assert_eq!(in_november[0]["referrals"], 2);
    let text = server.admin(&["report", "referrals"]).ok().stdout;
    assert!(text.contains("Pumwani Maternity"), "{text}");
    assert!(text.contains("1 referral of draft sessions"), "{text}");

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
    let of = |kind: &str| -> Vec<&Value> {
        entries
            .iter()
            .map(|e| &e["resource"])
            .filter(|r| r["resourceType"] == kind)
            .collect()
    };
    assert_eq!(of("HealthcareService").len(), 3);
    assert_eq!(of("Location").len(), 3);
    assert_eq!(of("Organization").len(), 2, "two distinct organisations");

    let service = of("HealthcareService")
        .into_iter()
        .find(|s| s["identifier"][0]["value"] == "svc-eastleigh")
        .expect("the Eastleigh service");
    assert_eq!(service["name"], "Eastleigh Health Centre");
    let langs: Vec<&str> = service["communication"]
        .as_array()
        .expect("communication")
        .iter()
        .filter_map(|c| c["coding"][0]["code"].as_str())
        .collect();
    assert_eq!(langs, ["sw", "so", "en"]);
    assert_eq!(
        service["communication"][0]["coding"][0]["system"],
        "urn:ietf:bcp:47"
    );
    assert_eq!(service["telecom"][0]["value"], "+254 20 111 2222");
    assert_eq!(
        service["serviceProvisionCode"][0]["coding"][0]["code"],
        "free"
    );
    let location_ref = service["location"][0]["reference"]
        .as_str()
        .expect("a location reference");
    let location = entries
        .iter()
        .find(|e| e["fullUrl"] == location_ref)
        .map(|e| &e["resource"])
        .expect("the service's location in the bundle");
    assert_eq!(location["resourceType"], "Location");
    assert_eq!(location["position"]["longitude"], 36.8516);
    assert_eq!(location["position"]["latitude"], -1.2741);
    assert_eq!(location["telecom"][0]["system"], "phone");
    assert_eq!(location["telecom"][0]["value"], "+254 20 111 2222");
    assert_eq!(location["address"]["country"], "KE");
    assert_eq!(
        location["hoursOfOperation"][0]["daysOfWeek"],
        json!(["mon", "tue", "wed", "thu", "fri"])
    );
    let org_ref = service["providedBy"]["reference"]
        .as_str()
        .expect("providedBy");
    let org = entries
        .iter()
        .find(|e| e["fullUrl"] == org_ref)
        .map(|e| &e["resource"])
        .expect("the organisation in the bundle");
    assert_eq!(org["name"], "Nairobi County");
    let pumwani = of("HealthcareService")
        .into_iter()
        .find(|s| s["identifier"][0]["value"] == "svc-pumwani")
        .expect("Pumwani");
    assert_eq!(
        pumwani["availabilityExceptions"],
        "Mo-Fr 08:00-17:00; PH off"
    );

    // Reproducible: the same directory, the same bundle (to stdout this time).
    let again = server.admin(&["export", "--format", "fhir"]).ok().stdout;
    assert_eq!(again.trim(), text.trim());
    server
        .admin(&["export", "--format", "fhirr"])
        .fails_with("--format fhirr is not geojson, hsds or fhir");
}
