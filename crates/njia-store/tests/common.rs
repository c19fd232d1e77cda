//! Shared test helpers: a fresh store in a temporary directory.
#![allow(dead_code)]

use njia_store::Store;
use tempfile::TempDir;

pub const PASSPHRASE: &str = "correct horse battery staple";

pub fn temp_store() -> (TempDir, Store) {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(&dir.path().join("njia.db"), PASSPHRASE).expect("open store");
    (dir, store)
}
