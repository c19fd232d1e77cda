//! The store is unreadable without the passphrase: a lost phone exposes nothing.

mod common;

use njia_model::outreach::SessionInput;
use njia_model::service::Service;
use njia_store::{Store, StoreError};

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

#[test]
fn the_file_on_disk_holds_none_of_the_text_written() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("njia.db");
    let mut store = Store::open(&path, common::PASSPHRASE).unwrap();
    store
        .import_services(
            &[Service::new(
                "svc-1",
                "Kliniki ya Siri Namanga",
                -2.55,
                36.79,
            )],
            |_, _| {},
        )
        .unwrap();
    let session = r#"{"started_at": "2026-11-20T09:30:00+03:00", "activity": "screening",
        "notes": "Secretnote water point", "referrals": [{"service_id": "svc-1", "reason": "gbv", "client_code": "ZQ9-77"}]}"#;
    store
        .add_session(SessionInput::from_json(session).unwrap())
        .unwrap();
    // Read while open (text may sit in the WAL) and after closing.
    for _ in 0..2 {
        for entry in std::fs::read_dir(dir.path()).unwrap() {
            let bytes = std::fs::read(entry.unwrap().path()).unwrap();
            for secret in ["Siri Namanga", "Secretnote", "ZQ9-77", "SQLite format 3"] {
                assert!(!contains(&bytes, secret), "{secret} readable on disk");
            }
        }
        drop(std::mem::replace(
            &mut store,
            Store::open(&path, common::PASSPHRASE).unwrap(),
        ));
    }
    assert_eq!(store.service_count().unwrap(), 1);
}

#[test]
fn a_wrong_passphrase_says_so() {
    let (dir, store) = common::temp_store();
    drop(store);
    match Store::open(&dir.path().join("njia.db"), "not the passphrase") {
        Err(StoreError::WrongPassphrase) => {}
        other => panic!("expected a wrong passphrase error, got {:?}", other.err()),
    }
    let msg = StoreError::WrongPassphrase.to_string();
    assert!(msg.contains("wrong passphrase") && !msg.contains("not a database"));
    assert!(Store::open(&dir.path().join("njia.db"), common::PASSPHRASE).is_ok());
}

#[test]
fn an_empty_passphrase_and_a_plain_database_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    assert!(matches!(
        Store::open(&dir.path().join("a.db"), ""),
        Err(StoreError::EmptyPassphrase)
    ));
    let plain = dir.path().join("plain.db");
    let conn = rusqlite::Connection::open(&plain).unwrap();
    conn.execute_batch("CREATE TABLE t(x); INSERT INTO t VALUES (1);")
        .unwrap();
    drop(conn);
    assert!(matches!(
        Store::open(&plain, common::PASSPHRASE),
        Err(StoreError::Unencrypted(_))
    ));
}
