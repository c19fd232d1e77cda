//! Recording outreach: every write and its log entry land together, every rule refuses in
//! words and stores nothing, edits bump versions, voids keep the row.

mod common;

use njia_model::ops::OpKind;
use njia_model::outreach::{ReferralStatus, SessionInput, SessionStatus};
use njia_model::service::Service;
use njia_store::outreach::{ReferralFilter, ReferralUpdate};
use njia_store::{Store, StoreError};
use serde_json::{json, Value};

fn example(service_id: &str) -> Value {
    json!({"started_at": "2026-11-20T09:30:00+03:00", "ended_at": "2026-11-20T11:00:00+03:00",
      "place": "Eastleigh market", "lat": -1.2741, "lon": 36.8516, "accuracy_m": 25,
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

fn store_with_service() -> (tempfile::TempDir, Store) {
    let (dir, mut store) = common::temp_store();
    store
        .import_services(
            &[Service::new(
                "svc-1",
                "Eastleigh Health Centre",
                -1.27,
                36.85,
            )],
            |_, _| {},
        )
        .unwrap();
    (dir, store)
}

/// Idx values of the log: 1..=n with no gaps.
fn assert_log_has_no_gaps(store: &Store) {
    let ops = store.operations_after(0, 10_000).unwrap();
    let idx: Vec<i64> = ops.iter().map(|o| o.idx).collect();
    let want: Vec<i64> = (1..=ops.len() as i64).collect();
    assert_eq!(idx, want);
    assert!(ops.iter().all(|o| o.device_id == store.device_id()));
}

#[test]
fn a_session_and_its_referral_are_stored_with_their_operations() {
    let (_d, mut store) = store_with_service();
    let s = store.add_session(input(&example("svc-1"))).unwrap();
    assert_eq!(s.version, 1);
    assert_eq!(s.total_reached, 17);
    assert_eq!(s.status, SessionStatus::Final);
    assert_eq!(s.referrals.len(), 1);
    assert_eq!(s.referrals[0].status, ReferralStatus::Issued);
    assert_eq!(s.referrals[0].session_id, Some(s.id));
    let ops = store.operations_after(0, 100).unwrap();
    let kinds: Vec<OpKind> = ops.iter().map(|o| o.kind).collect();
    assert_eq!(kinds, vec![OpKind::SessionCreate, OpKind::ReferralCreate]);
    assert_eq!(ops[0].entity_id, s.id);
    assert_eq!(ops[0].payload["place"], "Eastleigh market");
    assert!(ops[0].hlc < ops[1].hlc);
    assert_eq!(store.op_log_status().unwrap().pending, 2);
    assert_log_has_no_gaps(&store);
    assert_eq!(store.sessions(None).unwrap(), vec![s]);
}

#[test]
fn refused_input_stores_nothing() {
    let (_d, mut store) = store_with_service();
    let good = store.add_session(input(&example("svc-1"))).unwrap();
    let before = store.op_log_status().unwrap();
    let mut bad_service = example("svc-1");
    bad_service["referrals"][0]["service_id"] = json!("no-such-service");
    let err = store
        .add_session(input(&bad_service))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("no service with id \"no-such-service\""),
        "{err}"
    );
    let mut negative = example("svc-1");
    negative["reached"][0]["count"] = json!(-1);
    assert!(matches!(
        store.add_session(input(&negative)),
        Err(StoreError::Invalid(_))
    ));
    let mut backwards = example("svc-1");
    backwards["ended_at"] = json!("2026-11-20T08:00:00+03:00");
    assert!(store.add_session(input(&backwards)).is_err());
    assert_eq!(store.op_log_status().unwrap(), before);
    assert_eq!(store.sessions(None).unwrap(), vec![good]);
    assert_eq!(
        store.referrals(&ReferralFilter::default()).unwrap().len(),
        1
    );
}

#[test]
fn an_edit_bumps_the_version_and_logs_only_what_changed() {
    let (_d, mut store) = store_with_service();
    let s = store.add_session(input(&example("svc-1"))).unwrap();
    let mut edited = serde_json::to_value(&s).unwrap();
    edited["notes"] = json!("Rain; moved under the market roof");
    edited["reached"][1]["count"] = json!(7);
    let after = store
        .edit_session(&s.id.to_string(), input(&edited))
        .unwrap();
    assert_eq!(after.version, 2);
    assert_eq!(after.notes, "Rain; moved under the market roof");
    assert_eq!(after.total_reached, 19);
    let ops = store.operations_after(2, 10).unwrap();
    assert_eq!(ops.len(), 1);
    assert_eq!(ops[0].kind, OpKind::SessionUpdate);
    let mut fields: Vec<&String> = ops[0].payload.keys().collect();
    fields.sort();
    assert_eq!(fields, vec!["notes", "reached"]);
    // The same edit again changes nothing and logs nothing.
    let mut again = serde_json::to_value(&after).unwrap();
    again["version"] = json!(2);
    let same = store
        .edit_session(&s.id.to_string(), input(&again))
        .unwrap();
    assert_eq!(same.version, 2);
    assert_eq!(store.op_log_status().unwrap().last_idx, 3);
    assert_log_has_no_gaps(&store);
}

#[test]
fn an_edit_based_on_an_old_version_is_refused() {
    let (_d, mut store) = store_with_service();
    let s = store.add_session(input(&example("svc-1"))).unwrap();
    let mut first = serde_json::to_value(&s).unwrap();
    first["notes"] = json!("first");
    store
        .edit_session(&s.id.to_string(), input(&first))
        .unwrap();
    let mut stale = serde_json::to_value(&s).unwrap();
    stale["notes"] = json!("stale");
    let err = store
        .edit_session(&s.id.to_string(), input(&stale))
        .unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::StaleEdit {
                current: 2,
                based_on: 1,
                ..
            }
        ),
        "{err}"
    );
    assert_eq!(store.session(&s.id.to_string()).unwrap().notes, "first");
}

#[test]
fn an_edit_can_add_a_referral_and_update_one() {
    let (_d, mut store) = store_with_service();
    let s = store.add_session(input(&example("svc-1"))).unwrap();
    let mut v = serde_json::to_value(&s).unwrap();
    v["referrals"][0]["urgency"] = json!("urgent");
    v["referrals"].as_array_mut().unwrap().push(json!({"service_id": "svc-1", "reason": "gbv", "urgency": "emergency", "client_code": "B22"}));
    let after = store.edit_session(&s.id.to_string(), input(&v)).unwrap();
    assert_eq!(after.referrals.len(), 2);
    assert_eq!(after.version, 1, "only referrals changed");
    let first = after
        .referrals
        .iter()
        .find(|r| r.id == s.referrals[0].id)
        .unwrap();
    assert_eq!(first.version, 2);
    assert_log_has_no_gaps(&store);
}

#[test]
fn a_void_keeps_the_row_with_its_reason_and_freezes_it() {
    let (_d, mut store) = store_with_service();
    let s = store.add_session(input(&example("svc-1"))).unwrap();
    let id = s.id.to_string();
    assert!(store.void_session(&id, "  ").is_err());
    let v = store.void_session(&id, "Entered twice").unwrap();
    assert_eq!(v.status, SessionStatus::Voided);
    assert_eq!(v.void_reason.as_deref(), Some("Entered twice"));
    assert_eq!(v.version, 2);
    assert!(matches!(
        store.void_session(&id, "again"),
        Err(StoreError::Voided(_))
    ));
    let mut edit = serde_json::to_value(&v).unwrap();
    edit["notes"] = json!("x");
    edit["status"] = json!("final");
    assert!(matches!(
        store.edit_session(&id, input(&edit)),
        Err(StoreError::Voided(_))
    ));
    assert_eq!(
        store.sessions(Some(SessionStatus::Voided)).unwrap().len(),
        1
    );
    assert_eq!(
        store.operations_after(0, 10).unwrap().last().unwrap().kind,
        OpKind::SessionVoid
    );
}

#[test]
fn referral_outcomes_are_updated_and_listed_by_status_and_due_date() {
    let (_d, mut store) = store_with_service();
    let mut v = example("svc-1");
    v["referrals"][0]["follow_up_on"] = json!("2026-11-27");
    let s = store.add_session(input(&v)).unwrap();
    let rid = s.referrals[0].id.to_string();
    let due = ReferralFilter {
        due_by: "2026-11-30".parse().ok(),
        ..Default::default()
    };
    assert_eq!(store.referrals(&due).unwrap().len(), 1);
    let not_yet = ReferralFilter {
        due_by: "2026-11-26".parse().ok(),
        ..Default::default()
    };
    assert!(store.referrals(&not_yet).unwrap().is_empty());
    assert!(store
        .update_referral(&rid, &ReferralUpdate::default())
        .is_err());
    let r = store
        .update_referral(
            &rid,
            &ReferralUpdate {
                status: Some(ReferralStatus::Completed),
                follow_up_on: Some(None),
            },
        )
        .unwrap();
    assert_eq!(
        (r.status, r.version, r.follow_up_on),
        (ReferralStatus::Completed, 2, None)
    );
    let issued = ReferralFilter {
        status: Some(ReferralStatus::Issued),
        ..Default::default()
    };
    assert!(store.referrals(&issued).unwrap().is_empty());
    assert!(matches!(
        store.update_referral(
            "nope",
            &ReferralUpdate {
                status: Some(ReferralStatus::Completed),
                ..Default::default()
            }
        ),
        Err(StoreError::ReferralNotFound(_))
    ));
}

#[test]
fn the_log_survives_reopening_and_keeps_counting() {
    let (dir, mut store) = store_with_service();
    store.add_session(input(&example("svc-1"))).unwrap();
    let device = store.device_id();
    let last_hlc = store.operations_after(0, 10).unwrap().last().unwrap().hlc;
    drop(store);
    let mut store = Store::open(&dir.path().join("njia.db"), common::PASSPHRASE).unwrap();
    assert_eq!(store.device_id(), device);
    store.add_session(input(&example("svc-1"))).unwrap();
    let ops = store.operations_after(2, 10).unwrap();
    assert_eq!(ops[0].idx, 3);
    assert!(ops[0].hlc > last_hlc);
    store.acknowledge(3).unwrap();
    assert_eq!(store.op_log_status().unwrap().pending, 1);
    assert!(store.acknowledge(99).is_err());
}
