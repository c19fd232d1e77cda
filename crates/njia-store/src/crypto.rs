//! Encryption at rest: SQLCipher keyed with Argon2id of the passphrase.
//!
//! # The salt, and where the cost of the key lives
//!
//! The Argon2 salt is SQLCipher's own database salt, the first 16 bytes of the file: a new
//! store gets a fresh salt passed to SQLCipher with the raw key (`x'<key><salt>'`), an
//! existing one is read back from its header. Those 16 bytes are the only part of the file
//! readable before the key is known, so they also say which Argon2id cost made the key:
//!
//! * **version 2** (stores made since issue 11): the salt starts with the four bytes `NjK2`,
//!   then 12 random bytes (96 bits; RFC 9106 asks 64 at least, 128 where space allows).
//!   The key costs [`KdfParams::V2`].
//! * **version 1** (every store made before): a salt of 16 random bytes, which begins with
//!   `NjK2` by chance once in 2³² stores. The key costs [`KdfParams::V1`] (19 MiB, 2 passes).
//!
//! Reserving salt bytes rather than writing a side file means there is nothing to lose or
//! copy apart from the store: a backup of the one file opens anywhere. A later cost is a new
//! version (`NjK3`…) added to [`KdfParams::for_salt`]; a store keeps the cost it was made
//! with (raising it means rekeying, which SQLCipher's `PRAGMA rekey` can do with a new salt).
//!
//! # Key material
//!
//! The derived key lives in a [`StoreKey`], zeroed when dropped and never printed; the
//! `PRAGMA key` statement that carries it in hex is built in a zeroizing buffer. The app keeps
//! the `StoreKey` (not the passphrase) to open its second connection. Argon2's own working
//! memory is zeroed by the `argon2` crate (its `zeroize` feature).

use std::fmt::Write as _;
use std::fs::File;
use std::io::Read;
use std::path::Path;
use std::time::Duration;

use argon2::{Algorithm, Argon2, Params, Version};
use rand::RngCore;
use rusqlite::{Connection, ErrorCode};
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::{files, passphrase, unlock, Result, StoreError};

const SALT_LEN: usize = 16;
const KEY_LEN: usize = 32;
const PLAIN_SQLITE_HEADER: &[u8; 16] = b"SQLite format 3\0";
/// The first bytes of a version 2 salt (see the module doc).
const V2_MAGIC: &[u8; 4] = b"NjK2";

/// An Argon2id cost: memory, passes, lanes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KdfParams {
    /// The version the salt carries (1: none, 2: `NjK2`).
    pub version: u8,
    pub memory_kib: u32,
    pub passes: u32,
    pub lanes: u32,
}

impl KdfParams {
    /// The first stores: 19 MiB, 2 passes, 1 lane (OWASP's minimum). Opened, never made.
    pub const V1: KdfParams = KdfParams {
        version: 1,
        memory_kib: 19 * 1024,
        passes: 2,
        lanes: 1,
    };
    /// New stores: 64 MiB, 5 passes, 1 lane. Measured with `cargo bench -p njia-store
    /// --bench kdf` on the development machine: 255 ms (V1: 25–30 ms, ten times less), so
    /// about a second on a 2 GB phone (3–5× slower), which a CHW waits once per unlock and
    /// an attacker with the file pays on every guess. Memory rather than passes was capped:
    /// 64 MiB sits beside the webview on such a phone (128 MiB t=3 costs about the same
    /// time); one lane because the app derives on one blocking thread.
    pub const V2: KdfParams = KdfParams {
        version: 2,
        memory_kib: 64 * 1024,
        passes: 5,
        lanes: 1,
    };
    /// What a new store is made with.
    pub const CURRENT: KdfParams = Self::V2;

    /// The cost that made the key of a store whose salt is `salt`.
    pub fn for_salt(salt: &[u8; SALT_LEN]) -> KdfParams {
        if salt.starts_with(V2_MAGIC) {
            Self::V2
        } else {
            Self::V1
        }
    }

    /// Argon2id of `passphrase` with `salt` at this cost: the raw SQLCipher key. Public for
    /// the benchmark that measures the cost (`benches/kdf.rs`).
    pub fn derive(&self, passphrase: &str, salt: &[u8]) -> Result<Zeroizing<[u8; KEY_LEN]>> {
        let mut key = Zeroizing::new([0u8; KEY_LEN]);
        self.derive_into(passphrase, salt, &mut key)?;
        Ok(key)
    }

    /// [`KdfParams::derive`] straight into `out`, so no copy of the key is left behind.
    fn derive_into(&self, passphrase: &str, salt: &[u8], out: &mut [u8; KEY_LEN]) -> Result<()> {
        let params = Params::new(self.memory_kib, self.passes, self.lanes, Some(KEY_LEN))
            .map_err(|e| StoreError::Corrupt(format!("key derivation parameters: {e}")))?;
        Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
            .hash_password_into(passphrase.as_bytes(), salt, out)
            .map_err(|e| StoreError::Corrupt(format!("key derivation: {e}")))
    }
}

/// The key of one store, derived from its passphrase ([`crate::Store::derive_key`]): what
/// the app holds while unlocked to open more connections, instead of the passphrase. Zeroed
/// when dropped; its `Debug` shows the cost, never the key. Not `Clone`: share it with an
/// `Arc`, so there is one copy to drop on lock.
pub struct StoreKey {
    key: [u8; KEY_LEN],
    salt: [u8; SALT_LEN],
    params: KdfParams,
}

impl StoreKey {
    /// The Argon2id cost the key was derived with.
    pub fn params(&self) -> KdfParams {
        self.params
    }
}

impl Zeroize for StoreKey {
    fn zeroize(&mut self) {
        self.key.zeroize();
    }
}

impl Drop for StoreKey {
    fn drop(&mut self) {
        self.zeroize();
    }
}

impl ZeroizeOnDrop for StoreKey {}

impl std::fmt::Debug for StoreKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoreKey")
            .field("params", &self.params)
            .finish_non_exhaustive()
    }
}

/// Derives the key of the store at `path` (a fresh salt if there is none yet), after the
/// wait that earlier failed unlocks call for. A new store's passphrase must meet
/// [`passphrase::check`].
pub(crate) fn derive_key(path: &Path, passphrase: &str) -> Result<StoreKey> {
    if passphrase.is_empty() {
        return Err(StoreError::EmptyPassphrase);
    }
    let salt = match read_header(path)? {
        Some(header) if &header == PLAIN_SQLITE_HEADER => {
            return Err(StoreError::Unencrypted(path.to_path_buf()))
        }
        Some(header) => {
            let wait = unlock::delay(path)?;
            if wait > Duration::ZERO {
                std::thread::sleep(wait);
            }
            header
        }
        None => {
            passphrase::check(passphrase)?;
            new_salt()
        }
    };
    let params = KdfParams::for_salt(&salt);
    let mut key = StoreKey {
        key: [0u8; KEY_LEN],
        salt,
        params,
    };
    params.derive_into(passphrase, &salt, &mut key.key)?;
    Ok(key)
}

/// A version 2 salt: the magic, then random bytes.
fn new_salt() -> [u8; SALT_LEN] {
    let mut salt = [0u8; SALT_LEN];
    salt[..V2_MAGIC.len()].copy_from_slice(V2_MAGIC);
    rand::thread_rng().fill_bytes(&mut salt[V2_MAGIC.len()..]);
    salt
}

/// Opens (or creates) the encrypted database at `path` with `key`, counting a wrong key as a
/// failed unlock and clearing the count on success.
pub(crate) fn open_encrypted(path: &Path, key: &StoreKey) -> Result<Connection> {
    match read_header(path)? {
        Some(header) if header != key.salt => {
            return Err(StoreError::KeyMismatch(path.to_path_buf()))
        }
        Some(_) => files::tighten(path),
        None => files::create_private_file(path)?,
    }
    let conn = Connection::open(path)?;
    // SQLCipher logs a failed HMAC check to stderr; a wrong passphrase is reported in words
    // below instead.
    conn.pragma_update(None, "cipher_log_level", "NONE")?;
    conn.execute_batch(&key_pragma(key))?;
    // The first read decrypts page 1: a wrong key shows up here as "not a database".
    match conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| {
        r.get::<_, i64>(0)
    }) {
        Ok(_) => {
            unlock::succeeded(path)?;
            Ok(conn)
        }
        Err(rusqlite::Error::SqliteFailure(e, _)) if e.code == ErrorCode::NotADatabase => {
            // The answer stays "wrong passphrase" even where the count cannot be written (a
            // read-only folder): the wait is a brake on guessing through Njia, not the lock.
            if let Err(e) = unlock::failed(path) {
                tracing::warn!("cannot count the failed unlock: {e}");
            }
            Err(StoreError::WrongPassphrase)
        }
        Err(e) => Err(e.into()),
    }
}

/// `PRAGMA key = "x'<key><salt>'"`, in a buffer sized up front (no reallocation leaves a
/// copy behind) and zeroed when dropped.
fn key_pragma(key: &StoreKey) -> Zeroizing<String> {
    let mut sql = Zeroizing::new(String::with_capacity(32 + 2 * (KEY_LEN + SALT_LEN)));
    sql.push_str("PRAGMA key = \"x'");
    for b in key.key.iter().chain(&key.salt) {
        // Writing to a String cannot fail.
        let _ = write!(sql, "{b:02x}");
    }
    sql.push_str("'\"");
    sql
}

/// The first 16 bytes of an existing, non-empty file.
fn read_header(path: &Path) -> Result<Option<[u8; SALT_LEN]>> {
    let io = |source| StoreError::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut file = match File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io(e)),
    };
    if file.metadata().map_err(io)?.len() == 0 {
        return Ok(None);
    }
    let mut header = [0u8; SALT_LEN];
    file.read_exact(&mut header).map_err(io)?;
    Ok(Some(header))
}

/// The Argon2id cost of the store at `path`, read from its salt; `None` if there is no
/// store yet.
pub(crate) fn params_of(path: &Path) -> Result<Option<KdfParams>> {
    Ok(read_header(path)?.map(|salt| KdfParams::for_salt(&salt)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_salt_says_version_2_and_is_random_after_the_magic() {
        let (a, b) = (new_salt(), new_salt());
        assert_eq!(KdfParams::for_salt(&a), KdfParams::V2);
        assert_ne!(a[4..], b[4..]);
        assert_eq!(KdfParams::for_salt(&[7u8; 16]), KdfParams::V1);
    }

    #[test]
    fn the_key_pragma_carries_key_and_salt_in_hex() {
        let key = StoreKey {
            key: [0xab; KEY_LEN],
            salt: [0x01; SALT_LEN],
            params: KdfParams::V2,
        };
        let sql = key_pragma(&key);
        assert_eq!(
            sql.as_str(),
            format!("PRAGMA key = \"x'{}{}'\"", "ab".repeat(32), "01".repeat(16))
        );
        assert!(sql.capacity() >= sql.len());
        let shown = format!("{key:?}");
        assert!(
            !shown.contains("171") && !shown.to_lowercase().contains("ab, "),
            "{shown}"
        );
    }

    #[test]
    fn a_dropped_key_is_zeroed() {
        let mut key = StoreKey {
            key: [0xab; KEY_LEN],
            salt: [0x01; SALT_LEN],
            params: KdfParams::V2,
        };
        key.zeroize();
        assert_eq!(key.key, [0u8; KEY_LEN]);
    }
}
