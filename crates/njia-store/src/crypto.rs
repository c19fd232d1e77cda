//! Encryption at rest: SQLCipher keyed with Argon2id of the passphrase.
//!
//! The Argon2 salt is SQLCipher's own database salt, the first 16 bytes of the file, so no
//! side file can be lost: a new store gets a random salt passed to SQLCipher as a raw key
//! with explicit salt (`x'<key><salt>'`), an existing one is read back from its header.

use std::fs::File;
use std::io::Read;
use std::path::Path;

use argon2::{Algorithm, Argon2, Params, Version};
use rand::RngCore;
use rusqlite::{Connection, ErrorCode};

use crate::{Result, StoreError};

/// Argon2id cost: 19 MiB, 2 passes, 1 lane (OWASP's minimum recommendation). A phone
/// unlocks in a few tens of milliseconds while a stolen file costs an attacker dearly per
/// guess; memory stays well under the 64 MB a CLI query may use.
const KDF_MEMORY_KIB: u32 = 19 * 1024;
const KDF_PASSES: u32 = 2;
const SALT_LEN: usize = 16;
const KEY_LEN: usize = 32;
const PLAIN_SQLITE_HEADER: &[u8; 16] = b"SQLite format 3\0";

/// Opens (or creates) the encrypted database at `path`.
pub(crate) fn open_encrypted(path: &Path, passphrase: &str) -> Result<Connection> {
    if passphrase.is_empty() {
        return Err(StoreError::EmptyPassphrase);
    }
    let salt = match read_header(path)? {
        Some(header) if &header == PLAIN_SQLITE_HEADER => {
            return Err(StoreError::Unencrypted(path.to_path_buf()))
        }
        Some(header) => header,
        None => {
            let mut salt = [0u8; SALT_LEN];
            rand::thread_rng().fill_bytes(&mut salt);
            salt
        }
    };
    let key = derive_key(passphrase, &salt)?;
    let conn = Connection::open(path)?;
    // SQLCipher logs a failed HMAC check to stderr; a wrong passphrase is reported in words
    // below instead.
    conn.pragma_update(None, "cipher_log_level", "NONE")?;
    let raw = format!("x'{}{}'", hex(&key), hex(&salt));
    conn.pragma_update(None, "key", &raw)?;
    // The first read decrypts page 1: a wrong key shows up here as "not a database".
    match conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| {
        r.get::<_, i64>(0)
    }) {
        Ok(_) => Ok(conn),
        Err(rusqlite::Error::SqliteFailure(e, _)) if e.code == ErrorCode::NotADatabase => {
            Err(StoreError::WrongPassphrase)
        }
        Err(e) => Err(e.into()),
    }
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

fn derive_key(passphrase: &str, salt: &[u8]) -> Result<[u8; KEY_LEN]> {
    let params = Params::new(KDF_MEMORY_KIB, KDF_PASSES, 1, Some(KEY_LEN))
        .map_err(|e| StoreError::Corrupt(format!("key derivation parameters: {e}")))?;
    let mut key = [0u8; KEY_LEN];
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password_into(passphrase.as_bytes(), salt, &mut key)
        .map_err(|e| StoreError::Corrupt(format!("key derivation: {e}")))?;
    Ok(key)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
