//! Corrections: a CHW's proposals about a service, kept until the server holds them, checked
//! in words before they are stored, never edits of the directory.

mod common;

use chrono::Utc;
use njia_model::service::Service;
use njia_model::wire::{Changes, ServiceVersion, SyncResponse};
use njia_store::{Store, StoreError};

fn store_with_service(version: i64) -> (tempfile::TempDir, Store) {
    let (dir, mut store) = common::temp_store();
    let mut s = Service::new("svc-1", "Eastleigh Health Centre", -1.27, 36.85);
    s.phone = Some("+254 700 000000".into());
    s.categories = vec!["hiv".into()];
    s.languages = vec!["sw".into()];
    store
        .apply_sync_page(&answer(
            vec![ServiceVersion {
                service: s,
                version,
            }],
            vec![],
        ))
        .unwrap();
    (dir, store)
}

fn answer(services: Vec<ServiceVersion>, acked: Vec<uuid::Uuid>) -> SyncResponse {
    SyncResponse {
        acked_idx: 0,
        corrections_acked: acked,
        changes: Changes {
            services,
            ..Changes::default()
        },
        cursor: 1,
        more: false,
        remaining: None,
        refused: vec![],
        corrections_refused: vec![],
        cursor_tag: None,
        server_time: Utc::now(),
    }
}

#[test]
fn a_correction_is_based_on_the_version_the_chw_saw_and_waits_for_the_server() {
    let (_d, mut store) = store_with_service(7);
    let c = store
        .add_correction(
            "svc-1",
            "phone",
            Some(" +254 711 222333 "),
            "the number on the door",
        )
        .unwrap();
    assert_eq!(c.based_on_version, 7);
    assert_eq!(c.value.as_deref(), Some("+254 711 222333"));
    assert_eq!(c.id.get_version_num(), 7, "a UUIDv7");
    let closed = store
        .add_correction("svc-1", "closed", None, "boarded up since October")
        .unwrap();
    assert_eq!(
        store.pending_corrections(10).unwrap(),
        vec![c.clone(), closed.clone()]
    );
    assert_eq!(store.pending_corrections(1).unwrap(), vec![c.clone()]);
    assert_eq!(store.sync_status().unwrap().pending_corrections, 2);
    // The directory is untouched: a correction is a proposal.
    assert_eq!(
        store.service("svc-1").unwrap().unwrap().phone.as_deref(),
        Some("+254 700 000000")
    );

    // The server holds the first: it is no longer sent, but still listed.
    let applied = store.apply_sync_page(&answer(vec![], vec![c.id])).unwrap();
    assert_eq!(applied.corrections_acked, 1);
    assert_eq!(store.pending_corrections(10).unwrap(), vec![closed.clone()]);
    let all = store.corrections().unwrap();
    assert_eq!(all.len(), 2);
    assert!(all[0].acked && !all[1].acked);
    // A replayed acknowledgement and an unknown id change nothing.
    let again = store
        .apply_sync_page(&answer(vec![], vec![c.id, uuid::Uuid::now_v7()]))
        .unwrap();
    assert_eq!(again.corrections_acked, 0);

    // A correction outlives the service's removal: the office still gets it.
    let mut removal = answer(vec![], vec![]);
    removal.changes.removed = vec!["svc-1".into()];
    store.apply_sync_page(&removal).unwrap();
    assert_eq!(store.pending_corrections(10).unwrap(), vec![closed]);
}

#[test]
fn a_bad_correction_is_refused_in_words_and_stores_nothing() {
    let (_d, mut store) = store_with_service(2);
    let refuse = |store: &mut Store, service: &str, field: &str, value: Option<&str>| {
        store
            .add_correction(service, field, value, "")
            .unwrap_err()
            .to_string()
    };
    assert!(matches!(
        store.add_correction("svc-404", "phone", Some("+254 1"), ""),
        Err(StoreError::ServiceNotFound(_))
    ));
    let e = refuse(&mut store, "svc-1", "colour", Some("blue"));
    assert!(
        e.contains("\"colour\" is not a field") && e.contains("opening_hours"),
        "{e}"
    );
    let e = refuse(&mut store, "svc-1", "phone", None);
    assert!(e.contains("give the correct phone"), "{e}");
    let e = refuse(&mut store, "svc-1", "phone", Some("   "));
    assert!(e.contains("give the correct phone"), "{e}");
    let e = refuse(&mut store, "svc-1", "phone", Some("call the nurse"));
    assert!(e.contains("not a phone number"), "{e}");
    let e = refuse(
        &mut store,
        "svc-1",
        "opening_hours",
        Some("weekdays 8 to 5"),
    );
    assert!(e.contains("OpenStreetMap opening_hours syntax"), "{e}");
    let e = refuse(&mut store, "svc-1", "categories", Some("hiv, dentistry"));
    assert!(e.contains("unknown category \"dentistry\""), "{e}");
    let e = refuse(&mut store, "svc-1", "languages", Some("Swahili"));
    assert!(e.contains("not an ISO 639 language code"), "{e}");
    let e = refuse(&mut store, "svc-1", "phone", Some("+254 700 000000"));
    assert!(
        e.contains("already says phone is \"+254 700 000000\""),
        "{e}"
    );
    let long_note = "x".repeat(2_001);
    assert!(store
        .add_correction("svc-1", "closed", None, &long_note)
        .is_err());
    assert!(store.corrections().unwrap().is_empty());
}

#[test]
fn lists_and_hours_are_normalised_for_the_office() {
    let (_d, mut store) = store_with_service(1);
    let c = store
        .add_correction(
            "svc-1",
            "Categories",
            Some("HIV, tb ,hiv, mental-health"),
            "",
        )
        .unwrap();
    assert_eq!(c.field, "categories");
    assert_eq!(c.value.as_deref(), Some("hiv,tb,mental_health"));
    let c = store
        .add_correction(
            "svc-1",
            "opening-hours",
            Some("Mo-Fr 08:00-17:00; Sa 09:00-13:00"),
            "",
        )
        .unwrap();
    assert_eq!(c.field, "opening_hours");
    let c = store
        .add_correction("svc-1", "languages", Some("SW, so, prs"), "")
        .unwrap();
    assert_eq!(c.value.as_deref(), Some("sw,so,prs"));
    // Kept across reopening, in order.
    let path = store.path().to_path_buf();
    drop(store);
    let store = Store::open(&path, common::PASSPHRASE).unwrap();
    let fields: Vec<String> = store
        .pending_corrections(10)
        .unwrap()
        .into_iter()
        .map(|c| c.field)
        .collect();
    assert_eq!(fields, ["categories", "opening_hours", "languages"]);
}
