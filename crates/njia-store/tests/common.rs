//! Shared test helpers: a fresh store in a temporary directory, a server's answer.
#![allow(dead_code)]

use chrono::Utc;
use njia_model::wire::{Changes, SyncResponse};
use njia_store::Store;
use tempfile::TempDir;

pub const PASSPHRASE: &str = "correct horse battery staple";

pub fn temp_store() -> (TempDir, Store) {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(&dir.path().join("njia.db"), PASSPHRASE).expect("open store");
    (dir, store)
}

/// A server's answer carrying `changes`, acknowledging this device's log up to `acked_idx`.
pub fn page(acked_idx: i64, cursor: i64, changes: Changes, more: bool) -> SyncResponse {
    SyncResponse {
        acked_idx,
        corrections_acked: vec![],
        changes,
        cursor,
        more,
        remaining: None,
        refused: vec![],
        corrections_refused: vec![],
        cursor_tag: None,
        server_time: Utc::now(),
    }
}
