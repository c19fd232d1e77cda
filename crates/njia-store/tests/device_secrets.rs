//! Issue 11, on the device: what a lost phone's store gives way to. A new store needs a
//! passphrase that survives the first guesses, its key costs Argon2id at the raised price
//! while old stores keep opening at theirs, wrong passphrases wait longer each time, and the
//! files are the user's alone.

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use argon2::{Algorithm, Argon2, Params, Version};
use njia_store::passphrase::PassphraseError;
use njia_store::{unlock, KdfParams, Store, StoreError};

/// A store as the first builds made it, derived here by hand so the old cost is frozen in
/// the test and not read from the code under test: Argon2id 19 MiB, t=2, p=1, a salt of
/// 16 random bytes, a short passphrase the old rule let through.
fn legacy_store(path: &Path, passphrase: &str) -> [u8; 16] {
    let salt: [u8; 16] = *b"\x8a\x11old-salt\x00\x01\x02\x03\x04\x05";
    let params = Params::new(19 * 1024, 2, 1, Some(32)).unwrap();
    let mut key = [0u8; 32];
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password_into(passphrase.as_bytes(), &salt, &mut key)
        .unwrap();
    let hex: String = key
        .iter()
        .chain(&salt)
        .map(|b| format!("{b:02x}"))
        .collect();
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.pragma_update(None, "key", format!("x'{hex}'"))
        .unwrap();
    conn.execute_batch(
        "CREATE TABLE made_by_an_old_build(x); INSERT INTO made_by_an_old_build VALUES (1);",
    )
    .unwrap();
    salt
}

fn header(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap()[..16].to_vec()
}

#[test]
fn a_store_made_with_the_old_cost_and_a_short_passphrase_still_opens() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.db");
    let salt = legacy_store(&path, "1234");
    assert_eq!(Store::kdf_params(&path).unwrap(), Some(KdfParams::V1));
    let key = Store::derive_key(&path, "1234").unwrap();
    assert_eq!(key.params(), KdfParams::V1);
    let store = Store::open_with_key(&path, &key).unwrap();
    assert_eq!(store.service_count().unwrap(), 0);
    drop(store);
    // Upgraded in place, same salt, same cost: it opens again, and not with another passphrase.
    assert_eq!(header(&path), salt);
    assert!(Store::open(&path, "1234").is_ok());
    assert!(matches!(
        Store::open(&path, "12345"),
        Err(StoreError::WrongPassphrase)
    ));
}

#[test]
fn a_new_store_is_made_with_the_raised_cost() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("njia.db");
    assert_eq!(Store::kdf_params(&path).unwrap(), None);
    drop(Store::open(&path, common::PASSPHRASE).unwrap());
    assert_eq!(&header(&path)[..4], b"NjK2");
    assert_eq!(Store::kdf_params(&path).unwrap(), Some(KdfParams::V2));
    assert_eq!(KdfParams::CURRENT, KdfParams::V2);
    let key = Store::derive_key(&path, common::PASSPHRASE).unwrap();
    assert_eq!(key.params(), KdfParams::V2);
    assert!(key.params().memory_kib >= 64 * 1024 && key.params().passes >= 3);
    // Two new stores never share a salt.
    let other = dir.path().join("other.db");
    drop(Store::open(&other, common::PASSPHRASE).unwrap());
    assert_ne!(header(&path), header(&other));
}

#[test]
fn a_weak_passphrase_creates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("njia.db");
    for (weak, why) in [
        ("x", PassphraseError::TooShort { chars: 1, min: 10 }),
        ("12345678", PassphraseError::TooShort { chars: 8, min: 10 }),
        ("1234567890", PassphraseError::Sequence),
        ("zzzzzzzzzzzz", PassphraseError::Repeated),
        ("Password123", PassphraseError::Common),
    ] {
        match Store::open(&path, weak) {
            Err(StoreError::WeakPassphrase(e)) => assert_eq!(e, why, "{weak}"),
            other => panic!(
                "{weak}: expected a weak passphrase error, got {:?}",
                other.err()
            ),
        }
        assert!(!path.exists(), "{weak} created a store");
    }
    let msg = Store::open(&path, "abc").err().unwrap().to_string();
    assert!(
        msg.contains("at least 10") && msg.contains("nothing was created"),
        "{msg}"
    );
}

#[test]
fn wrong_passphrases_wait_longer_each_time_and_the_right_one_starts_again() {
    let (dir, store) = common::temp_store();
    drop(store);
    let path = dir.path().join("njia.db");
    let side = unlock::side_file(&path);
    for n in 1..=3u32 {
        assert!(matches!(
            Store::open(&path, "not the passphrase"),
            Err(StoreError::WrongPassphrase)
        ));
        assert_eq!(unlock::failures(&path).unwrap(), n);
    }
    // Three mistakes are free; the fourth attempt waits a second before it derives.
    assert_eq!(Store::unlock_delay(&path).unwrap(), Duration::from_secs(1));
    let started = Instant::now();
    assert!(Store::open(&path, "still not it").is_err());
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(unlock::failures(&path).unwrap(), 4);
    assert_eq!(Store::unlock_delay(&path).unwrap(), Duration::from_secs(2));
    assert!(unlock::delay_after(20) == unlock::MAX_DELAY);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&side).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "{mode:o}");
    }
    // The right passphrase (after its two seconds) clears the count.
    assert!(Store::open(&path, common::PASSPHRASE).is_ok());
    assert_eq!(unlock::failures(&path).unwrap(), 0);
    assert!(!side.exists());
    assert_eq!(Store::unlock_delay(&path).unwrap(), Duration::ZERO);
}

#[test]
fn a_key_opens_more_connections_without_the_passphrase_and_never_shows_itself() {
    let (dir, store) = common::temp_store();
    drop(store);
    let path = dir.path().join("njia.db");
    let key = Store::derive_key(&path, common::PASSPHRASE).unwrap();
    let a = Store::open_with_key(&path, &key).unwrap();
    let b = Store::open_with_key(&path, &key).unwrap();
    assert_eq!(a.device_id(), b.device_id());
    let shown = format!("{key:?}");
    assert!(
        shown.starts_with("StoreKey") && !shown.contains("key:"),
        "{shown}"
    );
    // A key is for its own file: another store (another salt) refuses it in words.
    let other = dir.path().join("other.db");
    drop(Store::open(&other, common::PASSPHRASE).unwrap());
    assert!(matches!(
        Store::open_with_key(&other, &key),
        Err(StoreError::KeyMismatch(_))
    ));
}

#[cfg(unix)]
#[test]
fn the_store_and_the_files_beside_it_are_the_users_alone() {
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("data").join("njia");
    njia_store::create_private_dir(&folder).unwrap();
    assert_eq!(mode(&folder), 0o700);
    assert_eq!(mode(&dir.path().join("data")), 0o700);
    let path = folder.join("njia.db");
    let store = Store::open(&path, common::PASSPHRASE).unwrap();
    store.set_setting("written", "so the WAL exists").unwrap();
    for suffix in ["", "-wal", "-shm"] {
        let p = std::path::PathBuf::from(format!("{}{suffix}", path.display()));
        assert!(p.exists(), "{}", p.display());
        assert_eq!(mode(&p), 0o600, "{}", p.display());
    }
    drop(store);
    // A store made world-readable by an old build is narrowed when it opens.
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    drop(Store::open(&path, common::PASSPHRASE).unwrap());
    assert_eq!(mode(&path), 0o600);
    // A folder that exists is left as it is.
    let shared = dir.path().join("shared");
    std::fs::create_dir(&shared).unwrap();
    std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o755)).unwrap();
    njia_store::create_private_dir(&shared).unwrap();
    assert_eq!(mode(&shared), 0o755);
}
