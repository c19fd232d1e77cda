//! The device side of sync on real store files: answers of the server applied in one
//! transaction, replays that change nothing, pages cut anywhere that converge, operations of
//! other devices merged field by field by HLC, enrolment rules and the sync status.

mod common;

use common::page;

use chrono::{Duration, Utc};
use njia_model::ops::{OpKind, Operation};
use njia_model::outreach::{Referral, Session, SessionInput};
use njia_model::service::Service;
use njia_model::wire::{Changes, EnrollResponse, Role, ServiceVersion, SyncResponse};
use njia_store::outreach::ReferralFilter;
use njia_store::search::SearchQuery;
use njia_store::sync::{SyncEnd, SyncStatus};
use njia_store::{OpLogStatus, Store, StoreError};
use proptest::prelude::*;
use serde_json::{json, Value};
use uuid::Uuid;

fn session_json(place: &str, service_id: &str) -> Value {
    json!({"started_at": "2026-11-20T09:30:00+03:00", "ended_at": "2026-11-20T11:00:00+03:00",
      "place": place, "lat": -1.2741, "lon": 36.8516, "accuracy_m": 25,
      "activity": "health_talk", "topics": ["hiv", "tb"],
      "reached": [{"sex": "female", "age": "18-49", "group": "migrant", "count": 12},
                  {"sex": "male", "age": "18-49", "group": "host", "count": 5}],
      "materials": {"condoms": 100, "leaflets": 40}, "notes": "", "status": "final",
      "referrals": [{"service_id": service_id, "reason": "hiv", "urgency": "routine",
                     "client_code": "A7X-22"}]})
}

fn input(v: &Value) -> SessionInput {
    SessionInput::from_json(&v.to_string()).unwrap()
}

fn service(id: &str, name: &str, version: i64) -> ServiceVersion {
    let mut s = Service::new(id, name, -1.27, 36.85);
    s.categories = vec!["hiv".into()];
    s.languages = vec!["sw".into(), "so".into()];
    s.phone = Some(format!("+254 700 {version:06}"));
    s.free_of_charge = true;
    ServiceVersion {
        service: s,
        version,
    }
}

fn find(text: &str) -> SearchQuery {
    SearchQuery {
        text: text.into(),
        near: None,
        limit: 5,
    }
}

fn open(dir: &tempfile::TempDir, name: &str) -> Store {
    Store::open(&dir.path().join(name), common::PASSPHRASE).unwrap()
}

/// A store with one service, used by the devices that record outreach.
fn field_store(dir: &tempfile::TempDir, name: &str) -> Store {
    let mut s = open(dir, name);
    let p = page(
        0,
        1,
        changes_of(vec![service("svc-1", "Eastleigh Health Centre", 1)]),
        false,
    );
    s.apply_sync_page(&p).unwrap();
    s
}

fn changes_of(services: Vec<ServiceVersion>) -> Changes {
    Changes {
        services,
        ..Changes::default()
    }
}

fn ops_of(store: &Store) -> Vec<Operation> {
    store.operations_after(0, 10_000).unwrap()
}

/// Everything a device shows, for comparing two stores or one store before and after.
#[derive(Debug, PartialEq)]
struct Snapshot {
    services: Vec<(String, Option<Service>, Option<i64>)>,
    sessions: Vec<Value>,
    referrals: Vec<Value>,
    log: OpLogStatus,
    cursor: i64,
    received: Vec<(Operation, bool)>,
    corrections: Vec<Value>,
}

/// Sessions and referrals without the device's own bookkeeping times.
fn record(v: impl serde::Serialize) -> Value {
    let mut v = serde_json::to_value(v).unwrap();
    for key in ["created_at", "updated_at"] {
        v.as_object_mut().unwrap().remove(key);
    }
    if let Some(refs) = v.get_mut("referrals").and_then(Value::as_array_mut) {
        for r in refs {
            for key in ["created_at", "updated_at"] {
                r.as_object_mut().unwrap().remove(key);
            }
        }
    }
    v
}

fn snapshot(store: &Store, service_ids: &[&str]) -> Snapshot {
    let mut received = store.received_operations().unwrap();
    received.sort_by_key(|(op, _)| (op.device_id, op.idx));
    let mut sessions: Vec<Session> = store.sessions(None).unwrap();
    sessions.sort_by_key(|s| s.id);
    let mut referrals: Vec<Referral> = store.referrals(&ReferralFilter::default()).unwrap();
    referrals.sort_by_key(|r| r.id);
    Snapshot {
        services: service_ids
            .iter()
            .map(|id| {
                (
                    id.to_string(),
                    store.service(id).unwrap(),
                    store.service_version(id).unwrap(),
                )
            })
            .collect(),
        sessions: sessions.into_iter().map(record).collect(),
        referrals: referrals.into_iter().map(record).collect(),
        log: store.op_log_status().unwrap(),
        cursor: store.sync_cursor().unwrap(),
        received,
        corrections: store
            .corrections()
            .unwrap()
            .into_iter()
            .map(|c| serde_json::to_value(c).unwrap())
            .collect(),
    }
}

fn enroll_response(device_id: Uuid) -> EnrollResponse {
    EnrollResponse {
        device_id,
        token: "secret-token-of-the-device-0123456789".into(),
        worker_id: None,
        worker: "Amina Yusuf".into(),
        team: Some("Eastleigh".into()),
        role: Role::Worker,
        regions: vec!["KE".into(), "SO".into()],
        server_time: Utc::now(),
    }
}

#[test]
fn a_page_applied_twice_equals_once() {
    let dir = tempfile::tempdir().unwrap();
    // The CHW's old phone wrote the history this new phone receives.
    let mut old_phone = field_store(&dir, "old.db");
    let s = old_phone
        .add_session(input(&session_json("Eastleigh market", "svc-1")))
        .unwrap();
    let mut edited = serde_json::to_value(&s).unwrap();
    edited["notes"] = json!("moved under the roof");
    old_phone
        .edit_session(&s.id.to_string(), input(&edited))
        .unwrap();

    let mut phone = field_store(&dir, "new.db");
    phone
        .add_session(input(&session_json("Bus park", "svc-1")))
        .unwrap();
    let correction = phone
        .add_correction("svc-1", "phone", Some("+254 711 111111"), "called it")
        .unwrap();
    let mut resp = page(
        2,
        17,
        Changes {
            services: vec![
                service("svc-1", "Eastleigh Health Centre", 4),
                service("svc-2", "Kliniki ya Mama", 2),
            ],
            removed: vec!["svc-gone".into()],
            ops: ops_of(&old_phone),
            ..Changes::default()
        },
        false,
    );
    resp.corrections_acked = vec![correction.id];
    let ids = ["svc-1", "svc-2", "svc-gone"];

    let first = phone.apply_sync_page(&resp).unwrap();
    assert_eq!(first.ops_acked, 2);
    assert_eq!(first.corrections_acked, 1);
    assert_eq!(first.ops_received, 3);
    assert_eq!(first.ops_applied, 3);
    let once = snapshot(&phone, &ids);
    assert_eq!(once.log.pending, 0);
    assert_eq!(once.cursor, 17);
    assert_eq!(once.sessions.len(), 2);
    assert_eq!(phone.service_version("svc-1").unwrap(), Some(4));

    let again = phone.apply_sync_page(&resp).unwrap();
    assert_eq!(
        (
            again.ops_acked,
            again.corrections_acked,
            again.ops_received,
            again.services_upserted,
            again.services_removed
        ),
        (0, 0, 0, 0, 0),
        "a replay finds nothing new"
    );
    assert_eq!(again.services_unchanged, 2);
    assert_eq!(snapshot(&phone, &ids), once);
}

#[test]
fn a_replaced_phone_gets_its_history_back_and_can_edit_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut old_phone = field_store(&dir, "old.db");
    let a = old_phone
        .add_session(input(&session_json("Eastleigh market", "svc-1")))
        .unwrap();
    old_phone
        .add_session(input(&session_json("Garissa road", "svc-1")))
        .unwrap();
    old_phone
        .void_session(&a.id.to_string(), "entered twice")
        .unwrap();
    let referral = old_phone.referrals(&ReferralFilter::default()).unwrap()[0].id;
    old_phone
        .update_referral(
            &referral.to_string(),
            &njia_store::outreach::ReferralUpdate {
                status: Some(njia_model::outreach::ReferralStatus::Completed),
                follow_up_on: None,
            },
        )
        .unwrap();

    let mut new_phone = field_store(&dir, "new.db");
    new_phone
        .apply_sync_page(&page(
            0,
            9,
            Changes {
                ops: ops_of(&old_phone),
                ..Changes::default()
            },
            false,
        ))
        .unwrap();
    let ids = ["svc-1"];
    let (had, got) = (snapshot(&old_phone, &ids), snapshot(&new_phone, &ids));
    assert_eq!(got.sessions, had.sessions, "same records, same versions");
    assert_eq!(got.referrals, had.referrals);
    assert!(new_phone
        .sessions(None)
        .unwrap()
        .iter()
        .all(|s| s.device_id == old_phone.device_id()));
    assert_eq!(
        new_phone.op_log_status().unwrap().last_idx,
        0,
        "receiving writes no operation"
    );

    // The new phone edits a received session: its own operation, its own device id.
    let garissa = new_phone
        .sessions(None)
        .unwrap()
        .into_iter()
        .find(|s| s.place.as_deref() == Some("Garissa road"))
        .unwrap();
    let mut v = serde_json::to_value(&garissa).unwrap();
    v["notes"] = json!("follow-up visit planned");
    let edited = new_phone
        .edit_session(&garissa.id.to_string(), input(&v))
        .unwrap();
    assert_eq!(edited.version, garissa.version + 1);
    let ops = ops_of(&new_phone);
    assert_eq!(ops.len(), 1);
    assert_eq!(ops[0].device_id, new_phone.device_id());
    assert_eq!(ops[0].kind, OpKind::SessionUpdate);
    assert!(
        ops[0].hlc
            > old_phone
                .operations_after(0, 100)
                .unwrap()
                .last()
                .unwrap()
                .hlc
    );
}

#[test]
fn remote_edits_merge_field_by_field_with_local_ones_by_hlc() {
    let dir = tempfile::tempdir().unwrap();
    let mut chw = field_store(&dir, "chw.db");
    let mut supervisor = field_store(&dir, "supervisor.db");
    let s = chw
        .add_session(input(&session_json("Eastleigh market", "svc-1")))
        .unwrap();
    let id = s.id.to_string();
    let mut v = serde_json::to_value(&s).unwrap();
    v["notes"] = json!("chw: counted twice?");
    chw.edit_session(&id, input(&v)).unwrap();

    // The supervisor receives both, then overrides the notes: a later stamp than what it saw.
    supervisor
        .apply_sync_page(&page(
            0,
            5,
            Changes {
                ops: ops_of(&chw),
                ..Changes::default()
            },
            false,
        ))
        .unwrap();
    let mut sv = serde_json::to_value(supervisor.session(&id).unwrap()).unwrap();
    sv["notes"] = json!("supervisor: counts checked");
    supervisor.edit_session(&id, input(&sv)).unwrap();
    let supervisor_ops = ops_of(&supervisor);
    assert_eq!(supervisor_ops.len(), 1);

    // Meanwhile, offline, the CHW changed the place (a field the supervisor did not touch).
    let mut v = serde_json::to_value(chw.session(&id).unwrap()).unwrap();
    v["place"] = json!("Bus park");
    chw.edit_session(&id, input(&v)).unwrap();
    let before = chw.session(&id).unwrap();

    chw.apply_sync_page(&page(
        3,
        6,
        Changes {
            ops: supervisor_ops.clone(),
            ..Changes::default()
        },
        false,
    ))
    .unwrap();
    let merged = chw.session(&id).unwrap();
    assert_eq!(
        merged.notes, "supervisor: counts checked",
        "the later writer of notes wins"
    );
    assert_eq!(
        merged.place.as_deref(),
        Some("Bus park"),
        "the CHW's place survives"
    );
    assert_eq!(merged.version, before.version + 1);

    // The supervisor receives the CHW's place edit: both replicas hold the same record.
    supervisor
        .apply_sync_page(&page(
            1,
            7,
            Changes {
                ops: ops_of(&chw),
                ..Changes::default()
            },
            false,
        ))
        .unwrap();
    assert_eq!(
        record(supervisor.session(&id).unwrap()),
        record(chw.session(&id).unwrap())
    );

    // Replaying the supervisor's operation changes nothing, not even the version.
    chw.apply_sync_page(&page(
        3,
        6,
        Changes {
            ops: supervisor_ops,
            ..Changes::default()
        },
        false,
    ))
    .unwrap();
    assert_eq!(chw.session(&id).unwrap(), merged);
}

/// A CHW's session, and the supervisor's edit of its notes as the CHW's device receives it,
/// stamped by a tablet whose clock is `ahead` fast (the edit's operation is returned, not yet
/// applied on the CHW's store).
fn supervisor_edit_from_a_fast_clock(
    dir: &tempfile::TempDir,
    notes: &str,
    ahead: Duration,
) -> (Store, String, Operation) {
    let mut chw = field_store(dir, "chw.db");
    let mut supervisor = field_store(dir, "supervisor.db");
    let s = chw
        .add_session(input(&session_json("Eastleigh market", "svc-1")))
        .unwrap();
    supervisor
        .apply_sync_page(&page(
            0,
            5,
            Changes {
                ops: ops_of(&chw),
                ..Changes::default()
            },
            false,
        ))
        .unwrap();
    let id = s.id.to_string();
    let mut sv = serde_json::to_value(supervisor.session(&id).unwrap()).unwrap();
    sv["notes"] = json!(notes);
    supervisor.edit_session(&id, input(&sv)).unwrap();
    let mut op = ops_of(&supervisor).remove(0);
    op.hlc.wall_ms += ahead.num_milliseconds() as u64;
    (chw, id, op)
}

fn receive(store: &mut Store, op: &Operation) {
    store
        .apply_sync_page(&page(
            2,
            6,
            Changes {
                ops: vec![op.clone()],
                ..Changes::default()
            },
            false,
        ))
        .unwrap();
}

#[test]
fn a_remote_stamp_a_little_ahead_is_observed_so_later_local_edits_win() {
    let dir = tempfile::tempdir().unwrap();
    let (mut chw, id, op) = supervisor_edit_from_a_fast_clock(
        &dir,
        "from a tablet whose clock is two hours fast",
        Duration::hours(2),
    );
    receive(&mut chw, &op);
    assert_eq!(
        chw.session(&id).unwrap().notes,
        "from a tablet whose clock is two hours fast"
    );
    let mut v = serde_json::to_value(chw.session(&id).unwrap()).unwrap();
    v["notes"] = json!("the CHW's correction, made after reading the supervisor's");
    chw.edit_session(&id, input(&v)).unwrap();
    assert_eq!(
        chw.session(&id).unwrap().notes,
        "the CHW's correction, made after reading the supervisor's"
    );
    let mine = chw.operations_after(2, 10).unwrap();
    assert!(
        mine[0].hlc > op.hlc,
        "the local stamp orders after the remote one"
    );

    // The clock survives reopening the store.
    drop(chw);
    let mut chw = open(&dir, "chw.db");
    let mut v = serde_json::to_value(chw.session(&id).unwrap()).unwrap();
    v["notes"] = json!("and again after a restart");
    chw.edit_session(&id, input(&v)).unwrap();
    assert!(chw.operations_after(3, 10).unwrap()[0].hlc > op.hlc);
}

/// A stamp years ahead (a phone set to 2031) is the server's to refuse; a device that is
/// handed one anyway does not merge it and does not let it drag its clock, so the CHW's
/// later edits still count.
#[test]
fn a_remote_stamp_years_ahead_is_not_taken_and_does_not_drag_the_clock() {
    let dir = tempfile::tempdir().unwrap();
    let (mut chw, id, op) = supervisor_edit_from_a_fast_clock(
        &dir,
        "from a tablet whose clock says 2031",
        Duration::days(5 * 365),
    );
    receive(&mut chw, &op);
    assert_eq!(chw.session(&id).unwrap().notes, "");
    let mut v = serde_json::to_value(chw.session(&id).unwrap()).unwrap();
    v["notes"] = json!("the CHW's edit");
    chw.edit_session(&id, input(&v)).unwrap();
    assert_eq!(chw.session(&id).unwrap().notes, "the CHW's edit");
    let mine = chw.operations_after(2, 10).unwrap();
    let year = Duration::days(365).num_milliseconds() as u64;
    assert!(
        mine[0].hlc.wall_ms + year < op.hlc.wall_ms,
        "the clock was not dragged years ahead"
    );
}

#[test]
fn a_second_connection_to_the_same_file_stamps_after_what_the_first_observed() {
    let dir = tempfile::tempdir().unwrap();
    let mut sync_side = field_store(&dir, "chw.db");
    let mut ui_side = open(&dir, "chw.db");
    let s = ui_side
        .add_session(input(&session_json("Eastleigh market", "svc-1")))
        .unwrap();
    let mut remote = ops_of(&ui_side).remove(0);
    remote.device_id = Uuid::now_v7();
    remote.idx = 1;
    remote.kind = OpKind::SessionUpdate;
    remote.payload = json!({"notes": "future"}).as_object().cloned().unwrap();
    remote.hlc.wall_ms += 10_000_000;
    remote.hlc.node = remote.device_id;
    sync_side
        .apply_sync_page(&page(
            0,
            2,
            Changes {
                ops: vec![remote.clone()],
                ..Changes::default()
            },
            false,
        ))
        .unwrap();
    let mut v = serde_json::to_value(ui_side.session(&s.id.to_string()).unwrap()).unwrap();
    v["notes"] = json!("local, later");
    let after = ui_side.edit_session(&s.id.to_string(), input(&v)).unwrap();
    assert_eq!(after.notes, "local, later");
    assert!(ops_of(&ui_side).last().unwrap().hlc > remote.hlc);
}

#[test]
fn an_edit_that_arrives_before_its_record_waits_for_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut old_phone = field_store(&dir, "old.db");
    let s = old_phone
        .add_session(input(&session_json("Eastleigh market", "svc-1")))
        .unwrap();
    let mut v = serde_json::to_value(&s).unwrap();
    v["notes"] = json!("edited");
    old_phone
        .edit_session(&s.id.to_string(), input(&v))
        .unwrap();
    let ops = ops_of(&old_phone); // session.create, referral.create, session.update
    let mut phone = field_store(&dir, "new.db");
    let p1 = phone
        .apply_sync_page(&page(
            0,
            2,
            Changes {
                ops: vec![ops[2].clone(), ops[1].clone()],
                ..Changes::default()
            },
            true,
        ))
        .unwrap();
    assert_eq!((p1.ops_received, p1.ops_applied, p1.ops_waiting), (2, 0, 2));
    assert!(phone.sessions(None).unwrap().is_empty());
    let p2 = phone
        .apply_sync_page(&page(
            0,
            3,
            Changes {
                ops: vec![ops[0].clone()],
                ..Changes::default()
            },
            false,
        ))
        .unwrap();
    assert_eq!((p2.ops_received, p2.ops_applied, p2.ops_waiting), (1, 3, 0));
    assert_eq!(
        record(phone.session(&s.id.to_string()).unwrap()),
        record(old_phone.session(&s.id.to_string()).unwrap())
    );
}

#[test]
fn directory_changes_keep_the_servers_versions() {
    let (_d, mut store) = common::temp_store();
    let mut odd = service("svc-odd", "Clinic with a new category", 3);
    odd.service.categories = vec!["hiv".into(), "dentistry".into()];
    let mut broken = service("svc-broken", "Nowhere", 1);
    broken.service.lat = 123.0;
    let p = store
        .apply_sync_page(&page(
            0,
            10,
            changes_of(vec![
                service("svc-1", "Eastleigh Health Centre", 7),
                odd,
                broken,
            ]),
            false,
        ))
        .unwrap();
    assert_eq!((p.services_upserted, p.services_skipped), (2, 1));
    assert_eq!(store.service_version("svc-1").unwrap(), Some(7));
    assert_eq!(
        store.service("svc-odd").unwrap().unwrap().categories,
        vec!["hiv"],
        "a category this app does not know is left out, the service kept"
    );
    assert_eq!(store.service("svc-broken").unwrap(), None);
    // Found by the indexes, not just stored.
    assert_eq!(store.search(&find("eastleigh")).unwrap()[0].id, "svc-1");

    // Same content, same version: nothing written. New version: written as the server says.
    let p = store
        .apply_sync_page(&page(
            0,
            11,
            changes_of(vec![service("svc-1", "Eastleigh Health Centre", 7)]),
            false,
        ))
        .unwrap();
    assert_eq!((p.services_upserted, p.services_unchanged), (0, 1));
    let p = store
        .apply_sync_page(&page(
            0,
            12,
            changes_of(vec![service("svc-1", "Eastleigh Health Centre II", 9)]),
            false,
        ))
        .unwrap();
    assert_eq!(p.services_upserted, 1);
    assert_eq!(store.service_version("svc-1").unwrap(), Some(9));
    assert_eq!(
        store.search(&find("eastleigh")).unwrap()[0].name,
        "Eastleigh Health Centre II"
    );
    let p = store
        .apply_sync_page(&page(
            0,
            13,
            Changes {
                removed: vec!["svc-1".into()],
                ..Changes::default()
            },
            false,
        ))
        .unwrap();
    assert_eq!(p.services_removed, 1);
    assert_eq!(store.service("svc-1").unwrap(), None);
    assert!(store.search(&find("eastleigh")).unwrap().is_empty());
    assert_eq!(store.sync_cursor().unwrap(), 13);
}

#[test]
fn a_page_that_cannot_be_applied_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = field_store(&dir, "chw.db");
    store
        .add_session(input(&session_json("Eastleigh market", "svc-1")))
        .unwrap();
    let ids = ["svc-1", "svc-2"];
    let before = snapshot(&store, &ids);
    let err = store
        .apply_sync_page(&page(
            5,
            99,
            changes_of(vec![service("svc-2", "New", 1)]),
            false,
        ))
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("acknowledged operation 5, but this device wrote only 2"),
        "{err}"
    );
    assert_eq!(snapshot(&store, &ids), before);
}

#[test]
fn enrolling_a_store_that_never_synced_moves_its_records_to_the_servers_device_id() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open(&dir, "chw.db");
    store
        .import_services(
            &[service("svc-1", "Eastleigh Health Centre", 1).service],
            |_, _| {},
        )
        .unwrap();
    let local = store.device_id();
    let s = store
        .add_session(input(&session_json("Eastleigh market", "svc-1")))
        .unwrap();
    assert_eq!(store.enrollment().unwrap(), None);

    let server_id = Uuid::now_v7();
    let e = store
        .enroll("https://njia.example.org", &enroll_response(server_id))
        .unwrap();
    assert_eq!(e.device_id, server_id);
    assert_eq!(e.worker, "Amina Yusuf");
    assert_eq!(e.regions, ["KE", "SO"]);
    assert!(
        !format!("{e:?}").contains("secret-token"),
        "the token is not printed"
    );
    assert_eq!(store.device_id(), server_id);
    let ops = ops_of(&store);
    assert_eq!(ops.len(), 2);
    for op in &ops {
        assert_eq!(op.device_id, server_id);
        assert_eq!(
            op.hlc.node, server_id,
            "the stamps are the new device's too"
        );
    }
    assert_eq!(
        store.session(&s.id.to_string()).unwrap().device_id,
        server_id
    );
    assert!(!ops.iter().any(|o| o.device_id == local));

    // A later edit logs under the new id, after the earlier stamps, with no gap in the log.
    let mut v = serde_json::to_value(store.session(&s.id.to_string()).unwrap()).unwrap();
    v["notes"] = json!("after enrolment");
    store.edit_session(&s.id.to_string(), input(&v)).unwrap();
    let ops = ops_of(&store);
    assert_eq!(ops.iter().map(|o| o.idx).collect::<Vec<_>>(), [1, 2, 3]);
    assert_eq!(ops[2].device_id, server_id);
    assert!(ops[2].hlc > ops[1].hlc);

    // Everything survives reopening, token included; the file does not show the token.
    drop(store);
    let raw = std::fs::read(dir.path().join("chw.db")).unwrap();
    assert!(!raw.windows(12).any(|w| w == b"secret-token"));
    let mut store = open(&dir, "chw.db");
    let e2 = store.enrollment().unwrap().unwrap();
    assert_eq!(e2.token, "secret-token-of-the-device-0123456789");
    assert_eq!(
        (e2.device_id, e2.role, e2.server.as_str()),
        (server_id, Role::Worker, "https://njia.example.org")
    );

    // Not synced yet: enrolling again (a code for another server) is still allowed.
    let other = Uuid::now_v7();
    store.check_can_enroll().unwrap();
    store
        .enroll("https://other.example.org", &enroll_response(other))
        .unwrap();
    assert!(ops_of(&store)
        .iter()
        .all(|o| o.device_id == other && o.hlc.node == other));
}

#[test]
fn a_store_that_synced_refuses_to_be_enrolled_again() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open(&dir, "chw.db");
    let id = Uuid::now_v7();
    store
        .enroll("https://njia.example.org", &enroll_response(id))
        .unwrap();
    store
        .apply_sync_page(&page(0, 0, Changes::default(), false))
        .unwrap();
    let err = store.check_can_enroll().unwrap_err();
    assert!(matches!(err, StoreError::AlreadySynced { .. }));
    let text = err.to_string();
    assert!(
        text.contains("already synced with https://njia.example.org")
            && text.contains("cannot take another device id"),
        "{text}"
    );
    let err = store
        .enroll(
            "https://other.example.org",
            &enroll_response(Uuid::now_v7()),
        )
        .unwrap_err();
    assert!(matches!(err, StoreError::AlreadySynced { .. }));
    assert_eq!(store.device_id(), id);
    assert_eq!(
        store.enrollment().unwrap().unwrap().server,
        "https://njia.example.org"
    );
    drop(store);
    assert!(open(&dir, "chw.db").check_can_enroll().is_err(), "for good");
}

/// The first sync's answer was lost: the store recorded before sending that its log may
/// have left, so enrolling it again with a new code keeps its id and log (the server
/// re-issues a token for the same device) and an answer for another id is refused.
#[test]
fn a_store_whose_log_may_have_left_enrols_again_only_as_itself() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open(&dir, "chw.db");
    store
        .import_services(
            &[service("svc-1", "Eastleigh Health Centre", 1).service],
            |_, _| {},
        )
        .unwrap();
    let id = Uuid::now_v7();
    store
        .enroll("https://njia.example.org", &enroll_response(id))
        .unwrap();
    store
        .add_session(input(&session_json("Eastleigh market", "svc-1")))
        .unwrap();
    assert_eq!(store.reenrollment().unwrap(), None, "nothing left it yet");
    let before = ops_of(&store);

    store
        .record_log_may_have_left("https://njia.example.org")
        .unwrap();
    assert!(matches!(
        store.check_can_enroll(),
        Err(StoreError::AlreadySynced { .. })
    ));
    assert_eq!(
        store.reenrollment().unwrap(),
        Some((id, "secret-token-of-the-device-0123456789".to_string()))
    );
    let err = store
        .enroll("https://njia.example.org", &enroll_response(Uuid::now_v7()))
        .unwrap_err();
    assert!(matches!(err, StoreError::AlreadySynced { .. }));
    assert_eq!(
        ops_of(&store),
        before,
        "a refused enrolment changes nothing"
    );

    let mut again = enroll_response(id);
    again.token = "the-new-token-of-the-same-device-0123".into();
    again.role = Role::Supervisor;
    let e = store.enroll("https://njia.example.org", &again).unwrap();
    assert_eq!((e.device_id, e.role), (id, Role::Supervisor));
    assert_eq!(e.token, "the-new-token-of-the-same-device-0123");
    assert_eq!(ops_of(&store), before, "the log is kept as it was sent");
    drop(store);
    let reopened = open(&dir, "chw.db");
    assert_eq!(reopened.device_id(), id);
    assert_eq!(
        reopened.enrollment().unwrap().unwrap().token,
        "the-new-token-of-the-same-device-0123"
    );
}

fn status_without_times(s: SyncStatus) -> (Option<String>, i64, i64, bool, bool) {
    (
        s.last_error,
        s.pending,
        s.pending_corrections,
        s.last_sync.is_some(),
        s.last_attempt.is_some(),
    )
}

#[test]
fn the_sync_status_claims_a_complete_sync_only_when_nothing_is_left() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = field_store(&dir, "chw.db");
    assert_eq!(
        status_without_times(store.sync_status().unwrap()),
        (None, 0, 0, false, false)
    );
    store
        .add_session(input(&session_json("Eastleigh market", "svc-1")))
        .unwrap();
    let t1 = Utc::now();
    assert!(!store
        .record_sync_end(t1, SyncEnd::Failed("no connection to https://x: timed out"))
        .unwrap());
    let s = store.sync_status().unwrap();
    assert_eq!(
        s.last_error.as_deref(),
        Some("no connection to https://x: timed out")
    );
    assert_eq!((s.pending, s.last_sync), (2, None));

    // The round "finished" but the operations were not acknowledged: not complete.
    assert!(!store
        .record_sync_end(t1, SyncEnd::Finished { more: false })
        .unwrap());
    let s = store.sync_status().unwrap();
    assert!(s.last_error.unwrap().contains("2 operation(s)"));
    assert_eq!(s.last_sync, None);

    store
        .apply_sync_page(&page(2, 3, Changes::default(), true))
        .unwrap();
    assert!(!store
        .record_sync_end(t1, SyncEnd::Finished { more: true })
        .unwrap());
    assert_eq!(
        store.sync_status().unwrap().last_sync,
        None,
        "more changes wait"
    );

    store
        .apply_sync_page(&page(2, 4, Changes::default(), false))
        .unwrap();
    let t2 = Utc::now();
    assert!(store
        .record_sync_end(t2, SyncEnd::Finished { more: false })
        .unwrap());
    let s = store.sync_status().unwrap();
    assert_eq!(s.last_error, None, "a complete sync clears the error");
    assert_eq!(s.last_sync, s.last_attempt);
    let last_sync = s.last_sync.unwrap();
    assert_eq!(s.cursor, 4);

    // A later failure keeps the time of the last complete sync.
    assert!(!store
        .record_sync_end(Utc::now(), SyncEnd::Failed("revoked"))
        .unwrap());
    let s = store.sync_status().unwrap();
    assert_eq!(s.last_sync.as_deref(), Some(last_sync.as_str()));
    assert_eq!(s.last_error.as_deref(), Some("revoked"));
    // `njia status` reads the same keys.
    assert_eq!(store.setting("last_sync").unwrap(), s.last_sync);
    assert_eq!(store.setting("last_error").unwrap(), s.last_error);
}

/// One entry of a simulated change feed.
#[derive(Debug, Clone)]
enum Entry {
    Service(Box<ServiceVersion>),
    Removed(String),
    Op(Operation),
}

/// The server's pages over `entries`, cut before each index of `cuts`, with each page's
/// cursor the index of its last entry.
fn pages(entries: &[Entry], cuts: &[usize], acked: i64) -> Vec<SyncResponse> {
    let mut bounds: Vec<usize> = cuts.iter().map(|c| c % (entries.len() + 1)).collect();
    bounds.push(0);
    bounds.push(entries.len());
    bounds.sort();
    bounds.dedup();
    bounds
        .windows(2)
        .map(|w| {
            let mut changes = Changes::default();
            for e in &entries[w[0]..w[1]] {
                match e.clone() {
                    Entry::Service(s) => changes.services.push(*s),
                    Entry::Removed(id) => changes.removed.push(id),
                    Entry::Op(op) => changes.ops.push(op),
                }
            }
            page(acked, 1_000 + w[1] as i64, changes, w[1] < entries.len())
        })
        .collect()
}

/// A feed in two rounds, as two syncs would see it: first services and another device's
/// outreach; then new versions, a removal and more edits.
fn two_rounds(dir: &tempfile::TempDir) -> (Vec<Entry>, Vec<Entry>) {
    let mut old_phone = field_store(dir, "source.db");
    let mut round1 = vec![
        Entry::Service(Box::new(service("svc-2", "Kliniki ya Mama", 1))),
        Entry::Service(Box::new(service("svc-3", "Pumwani Dispensary", 5))),
        Entry::Service(Box::new(service("svc-4", "Majengo Clinic", 2))),
    ];
    for place in ["Eastleigh market", "Garissa road"] {
        old_phone
            .add_session(input(&session_json(place, "svc-1")))
            .unwrap();
    }
    round1.extend(ops_of(&old_phone).into_iter().map(Entry::Op));
    let seen = old_phone.op_log_status().unwrap().last_idx;
    let sessions = old_phone.sessions(None).unwrap();
    let mut v = serde_json::to_value(&sessions[0]).unwrap();
    v["notes"] = json!("second visit");
    v["reached"][0]["count"] = json!(14);
    old_phone
        .edit_session(&sessions[0].id.to_string(), input(&v))
        .unwrap();
    old_phone
        .void_session(&sessions[1].id.to_string(), "wrong day")
        .unwrap();
    let mut round2 = vec![
        Entry::Service(Box::new(service("svc-2", "Kliniki ya Mama na Mtoto", 2))),
        Entry::Removed("svc-4".into()),
    ];
    round2.extend(
        old_phone
            .operations_after(seen, 100)
            .unwrap()
            .into_iter()
            .map(Entry::Op),
    );
    round2.push(Entry::Service(Box::new(service(
        "svc-5",
        "Eastleigh Youth Centre",
        1,
    ))));
    (round1, round2)
}

const FEED_IDS: [&str; 5] = ["svc-1", "svc-2", "svc-3", "svc-4", "svc-5"];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(12))]

    /// However the server cuts its pages, and whichever pages are received twice (a lost
    /// answer resent), the device ends with the same directory and the same records as a
    /// device that received each round in one page.
    #[test]
    fn pages_cut_anywhere_converge(
        cuts1 in proptest::collection::vec(0usize..20, 0..6),
        cuts2 in proptest::collection::vec(0usize..20, 0..6),
        replays in proptest::collection::vec(any::<bool>(), 12),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let (round1, round2) = two_rounds(&dir);

        let mut whole = field_store(&dir, "whole.db");
        for p in pages(&round1, &[], 0).iter().chain(&pages(&round2, &[], 0)) {
            whole.apply_sync_page(p).unwrap();
        }
        let want = snapshot(&whole, &FEED_IDS);

        let mut cut = field_store(&dir, "cut.db");
        let all: Vec<SyncResponse> = pages(&round1, &cuts1, 0)
            .into_iter()
            .chain(pages(&round2, &cuts2, 0))
            .collect();
        for (i, p) in all.iter().enumerate() {
            cut.apply_sync_page(p).unwrap();
            if replays[i % replays.len()] {
                cut.apply_sync_page(p).unwrap();
            }
        }
        let got = snapshot(&cut, &FEED_IDS);
        prop_assert_eq!(&got.services, &want.services);
        prop_assert_eq!(&got.sessions, &want.sessions);
        prop_assert_eq!(&got.referrals, &want.referrals);
        prop_assert_eq!(got.cursor, want.cursor);
        prop_assert_eq!(got.received.len(), want.received.len());
        prop_assert!(got.received.iter().all(|(_, applied)| *applied));
    }

    /// Operations in any order (a supervisor's and the author's interleaved) merge to the
    /// same records: the field values do not depend on arrival order.
    #[test]
    fn operations_in_any_order_give_the_same_records(seed in any::<u64>(), cut in 0usize..12) {
        let dir = tempfile::tempdir().unwrap();
        let (round1, round2) = two_rounds(&dir);
        let mut ops: Vec<Operation> = round1
            .into_iter()
            .chain(round2)
            .filter_map(|e| match e { Entry::Op(op) => Some(op), _ => None })
            .collect();
        let mut inorder = field_store(&dir, "inorder.db");
        inorder.apply_sync_page(&page(0, 1, Changes { ops: ops.clone(), ..Changes::default() }, false)).unwrap();
        let mut s = seed;
        for i in (1..ops.len()).rev() {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            ops.swap(i, (s >> 33) as usize % (i + 1));
        }
        let cut = cut.min(ops.len());
        let mut shuffled = field_store(&dir, "shuffled.db");
        shuffled.apply_sync_page(&page(0, 1, Changes { ops: ops[..cut].to_vec(), ..Changes::default() }, true)).unwrap();
        shuffled.apply_sync_page(&page(0, 2, Changes { ops: ops[cut..].to_vec(), ..Changes::default() }, false)).unwrap();
        let strip = |mut v: Value| { v.as_object_mut().unwrap().remove("version"); if let Some(r) = v.get_mut("referrals").and_then(Value::as_array_mut) { for x in r { x.as_object_mut().unwrap().remove("version"); } } v };
        let a: Vec<Value> = snapshot(&inorder, &[]).sessions.into_iter().map(strip).collect();
        let b: Vec<Value> = snapshot(&shuffled, &[]).sessions.into_iter().map(strip).collect();
        prop_assert_eq!(a.len(), 2);
        prop_assert_eq!(a, b);
    }
}

#[test]
fn an_older_edit_arriving_late_does_not_undo_a_newer_one_that_wrote_the_same_value() {
    let dir = tempfile::tempdir().unwrap();
    let mut chw = field_store(&dir, "chw.db");
    let s = chw
        .add_session(input(&session_json("Eastleigh market", "svc-1")))
        .unwrap();
    let id = s.id.to_string();
    let mut v = serde_json::to_value(&s).unwrap();
    v["notes"] = json!("checked");
    chw.edit_session(&id, input(&v)).unwrap();
    let local = ops_of(&chw).pop().unwrap();

    // A supervisor wrote the same notes later; another wrote other notes in between.
    let supervisor = Uuid::now_v7();
    let op = |idx: i64, dt: u64, notes: &str| {
        let mut o = local.clone();
        o.device_id = supervisor;
        o.idx = idx;
        o.op_id = Uuid::now_v7();
        o.hlc.node = supervisor;
        o.hlc.wall_ms += dt;
        o.payload = json!({ "notes": notes }).as_object().cloned().unwrap();
        o
    };
    let same_but_newer = op(1, 2_000, "checked");
    let older_other = op(2, 1_000, "not yet checked");
    chw.apply_sync_page(&page(
        0,
        1,
        Changes {
            ops: vec![same_but_newer],
            ..Changes::default()
        },
        false,
    ))
    .unwrap();
    assert_eq!(
        chw.session(&id).unwrap().version,
        2,
        "nothing changed: no new version"
    );
    chw.apply_sync_page(&page(
        0,
        2,
        Changes {
            ops: vec![older_other],
            ..Changes::default()
        },
        false,
    ))
    .unwrap();
    assert_eq!(
        chw.session(&id).unwrap().notes,
        "checked",
        "the newest write of the field wins, as on the server"
    );
}

/// A changed service comes as its changed fields: applied to the copy held they give the
/// server's version, found by search under its new name; a replay changes nothing; a patch
/// of a service the device does not hold is skipped without blocking the rest of the page.
#[test]
fn a_patch_changes_only_its_fields_of_the_copy_held() {
    use njia_model::wire::ServicePatch;
    let dir = tempfile::tempdir().unwrap();
    let mut store = field_store(&dir, "patch.db");
    let before = store.service("svc-1").unwrap().unwrap();
    let patch = |fields: Value, version| ServicePatch {
        id: "svc-1".into(),
        version,
        fields: fields.as_object().cloned().unwrap(),
    };
    let p = page(
        0,
        2,
        Changes {
            patches: vec![
                patch(
                    json!({"name": "Eastleigh Clinic (renovated)", "phone": null}),
                    3,
                ),
                ServicePatch {
                    id: "svc-unknown".into(),
                    version: 2,
                    fields: json!({"name": "Nowhere"}).as_object().cloned().unwrap(),
                },
            ],
            ..Changes::default()
        },
        false,
    );
    let applied = store.apply_sync_page(&p).unwrap();
    assert_eq!(
        (applied.services_upserted, applied.services_skipped),
        (1, 1)
    );
    let after = store.service("svc-1").unwrap().unwrap();
    assert_eq!(after.name, "Eastleigh Clinic (renovated)");
    assert_eq!(after.phone, None);
    assert_eq!(
        (after.lat, after.lon, &after.categories, &after.languages),
        (
            before.lat,
            before.lon,
            &before.categories,
            &before.languages
        )
    );
    assert_eq!(store.service_version("svc-1").unwrap(), Some(3));
    assert_eq!(store.search(&find("renovated")).unwrap().len(), 1);
    assert!(!store.has_service("svc-unknown").unwrap());
    let again = store.apply_sync_page(&p).unwrap();
    assert_eq!(
        again.services_upserted, 0,
        "a replayed patch changed the service"
    );
    // A patch that does not make a service (a field of the wrong type) is skipped.
    let bad = page(
        0,
        3,
        Changes {
            patches: vec![patch(json!({"lat": "north"}), 4)],
            ..Changes::default()
        },
        false,
    );
    assert_eq!(store.apply_sync_page(&bad).unwrap().services_skipped, 1);
    assert_eq!(store.service_version("svc-1").unwrap(), Some(3));
}

/// Each operation carries the feed cursor its device had when it was written, however long
/// it waits to be pushed: the server tells corrections from conflicts by it.
#[test]
fn an_operation_says_how_far_the_feed_was_read_when_it_was_written() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = field_store(&dir, "seen.db");
    store
        .add_session(input(&session_json("Before", "svc-1")))
        .unwrap();
    store
        .apply_sync_page(&page(0, 40, Changes::default(), false))
        .unwrap();
    store
        .add_session(input(&session_json("After", "svc-1")))
        .unwrap();
    let seen: Vec<Option<i64>> = store
        .operations_after(0, 100)
        .unwrap()
        .iter()
        .map(|o| o.seen)
        .collect();
    assert_eq!(seen.first(), Some(&Some(1)));
    assert_eq!(seen.last(), Some(&Some(40)));
}
