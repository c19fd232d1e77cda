//! The device store: one encrypted SQLite file that holds a worker's offline copy of the
//! service directory and the outreach they record, with the operation log that sync ships.
//!
//! Everything a CHW does on a device goes through [`Store`], so the CLI and the app stay thin
//! and every rule is tested here.
//!
//! ```no_run
//! use njia_store::{Store, near::NearQuery};
//! use njia_model::geo::Point;
//! let store = Store::open("njia.db".as_ref(), "a long passphrase").unwrap();
//! let hits = store.near(&NearQuery::new(Point::new(-1.2741, 36.8516).unwrap())).unwrap();
//! for hit in hits {
//!     println!("{} {:.0} m", hit.name, hit.distance_m.unwrap_or_default());
//! }
//! ```

pub mod corrections;
mod crypto;
pub mod directory;
mod error;
mod files;
pub mod hours;
pub mod near;
mod oplog;
pub mod outreach;
pub mod passphrase;
pub mod places;
mod schema;
pub mod search;
pub mod sync;
pub mod unlock;

use std::path::{Path, PathBuf};

use chrono::Utc;
use njia_model::hlc::{Clock, Hlc};
use rusqlite::{Connection, OptionalExtension, Transaction, TransactionBehavior};
use uuid::Uuid;

pub use crypto::{KdfParams, StoreKey};
pub use error::StoreError;
pub use files::create_private_dir;
pub use oplog::OpLogStatus;

/// The page cache a connection opens with, in KiB: enough for an import or a first sync of a
/// region to keep its indexes in memory.
pub const DEFAULT_PAGE_CACHE_KIB: u32 = 64 * 1024;

/// Result of store operations.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// An open device store.
pub struct Store {
    conn: Connection,
    path: PathBuf,
    device_id: Uuid,
    clock: Clock,
}

impl Store {
    /// Opens the store at `path`, creating it (and its encryption salt) if it does not exist,
    /// and upgrades its schema: [`Store::derive_key`] then [`Store::open_with_key`]. A wrong
    /// passphrase is [`StoreError::WrongPassphrase`]; a new store's passphrase must meet
    /// [`passphrase::check`].
    pub fn open(path: &Path, passphrase: &str) -> Result<Self> {
        let key = Self::derive_key(path, passphrase)?;
        Self::open_with_key(path, &key)
    }

    /// Derives the key of the store at `path` from its passphrase (Argon2id at the cost the
    /// store was made with, see [`KdfParams`]), first waiting what earlier wrong passphrases
    /// call for ([`unlock`]). If there is no store yet, the passphrase must meet
    /// [`passphrase::check`] ([`StoreError::WeakPassphrase`]) and the key gets a fresh salt;
    /// [`Store::open_with_key`] then creates the store. Whether the passphrase is right is
    /// known only when the key is used.
    pub fn derive_key(path: &Path, passphrase: &str) -> Result<StoreKey> {
        crypto::derive_key(path, passphrase)
    }

    /// Opens (or creates) the store at `path` with a key from [`Store::derive_key`], so an
    /// app can open more connections without keeping the passphrase. A wrong key counts as a
    /// failed unlock ([`unlock`]); a key derived for another file is
    /// [`StoreError::KeyMismatch`].
    pub fn open_with_key(path: &Path, key: &StoreKey) -> Result<Self> {
        let mut conn = crypto::open_encrypted(path, key)?;
        schema::configure(&conn)?;
        schema::migrate(&mut conn)?;
        let device_id = match meta_get(&conn, "device_id")? {
            Some(id) => Uuid::parse_str(&id)
                .map_err(|_| StoreError::Corrupt(format!("device id \"{id}\" is not a UUID")))?,
            None => {
                let id = Uuid::now_v7();
                meta_set(&conn, "device_id", &id.to_string())?;
                id
            }
        };
        let last = meta_get(&conn, "hlc")?
            .map(|s| s.parse::<Hlc>())
            .transpose()
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        Ok(Self {
            conn,
            path: path.to_path_buf(),
            device_id,
            clock: Clock::resume(device_id, last),
        })
    }

    /// The wait the next unlock of the store at `path` makes before deriving its key, after
    /// wrong passphrases in a row (zero at first): for a front end to say why it waits.
    pub fn unlock_delay(path: &Path) -> Result<std::time::Duration> {
        unlock::delay(path)
    }

    /// The Argon2id cost the key of the store at `path` is derived with (read from its salt,
    /// no key needed); `None` if there is no store there yet.
    pub fn kdf_params(path: &Path) -> Result<Option<KdfParams>> {
        crypto::params_of(path)
    }

    /// The file this store lives in.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The id this device writes its operations under.
    pub fn device_id(&self) -> Uuid {
        self.device_id
    }

    /// The schema version the store is at (the number of migrations applied).
    pub fn schema_version(&self) -> Result<i64> {
        Ok(self
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))?)
    }

    /// Runs a read of several statements inside one read transaction: one consistent
    /// snapshot, and the file locks taken once instead of once per statement.
    pub(crate) fn read<T>(&self, f: impl FnOnce() -> Result<T>) -> Result<T> {
        let tx = self.conn.unchecked_transaction()?;
        let out = f()?;
        tx.finish()?;
        Ok(out)
    }

    /// Sets this connection's cache of decrypted pages to `kib` KiB, giving back what it
    /// holds above that. A store opens with a 64 MiB cache ([`DEFAULT_PAGE_CACHE_KIB`]), which
    /// bulk imports and first syncs want; the app keeps a connection open all day beside a
    /// webview on a phone, where such a cache would fill with the directory and stay full, so
    /// it narrows the cache between operations and widens it again for a sync round.
    pub fn set_page_cache_kib(&self, kib: u32) -> Result<()> {
        self.conn
            .pragma_update(None, "cache_size", -i64::from(kib))?;
        self.conn.execute_batch("PRAGMA shrink_memory")?;
        Ok(())
    }

    /// The cap on this connection's page cache, in KiB (see [`Store::set_page_cache_kib`]).
    pub fn page_cache_kib(&self) -> Result<u32> {
        let size: i64 = self.conn.query_row("PRAGMA cache_size", [], |r| r.get(0))?;
        // Negative is KiB; positive is a count of pages.
        let kib = if size < 0 {
            -size
        } else {
            let page: i64 = self.conn.query_row("PRAGMA page_size", [], |r| r.get(0))?;
            size * page / 1024
        };
        Ok(u32::try_from(kib).unwrap_or(u32::MAX))
    }

    /// Reads a free-form setting kept in the store (server address, cursors…).
    pub fn setting(&self, key: &str) -> Result<Option<String>> {
        meta_get(&self.conn, key)
    }

    /// Writes a free-form setting kept in the store.
    pub fn set_setting(&self, key: &str, value: &str) -> Result<()> {
        meta_set(&self.conn, key, value)
    }
}

/// Starts a write transaction that holds the file's write lock from its first statement.
///
/// The app's sync task and the CLI may write the same file at once. A deferred transaction
/// that reads first (`max(idx)`, the clock, the language table) and writes later cannot take
/// the write lock once another connection committed in between (SQLite answers "database is
/// locked" at once, the busy timeout does not help); an immediate one waits for the lock
/// (the busy timeout) and then reads what the other writer committed.
pub(crate) fn write_tx(conn: &Connection) -> Result<Transaction<'_>> {
    Ok(Transaction::new_unchecked(
        conn,
        TransactionBehavior::Immediate,
    )?)
}

/// The device id the log is written under, read inside the write transaction: another
/// connection to the file may have enrolled or forked since this one opened, and an
/// operation appended under the old id would be refused by the server as another device's.
fn current_device(tx: &Transaction<'_>, device_id: &mut Uuid, clock: &mut Clock) -> Result<Uuid> {
    if let Some(stored) = meta_get(tx, "device_id")? {
        let stored = Uuid::parse_str(&stored)
            .map_err(|_| StoreError::Corrupt(format!("device id \"{stored}\" is not a UUID")))?;
        if stored != *device_id {
            let last = meta_get(tx, "hlc")?.and_then(|s| s.parse::<Hlc>().ok());
            *device_id = stored;
            *clock = Clock::resume(stored, last);
        }
    }
    Ok(*device_id)
}

/// The next HLC stamp for a local write, persisted in `tx` with the write. A free function so
/// it can borrow the clock while the transaction borrows the connection.
fn stamp(clock: &mut Clock, tx: &rusqlite::Transaction<'_>) -> Result<Hlc> {
    // Another connection to the same file (the app's sync task, the CLI) may have issued or
    // observed a later stamp since this one last wrote: start from whichever is newer.
    if let Some(stored) = meta_get(tx, "hlc")?.and_then(|s| s.parse::<Hlc>().ok()) {
        let last = clock.last();
        if (stored.wall_ms, stored.counter) > (last.wall_ms, last.counter) {
            *clock = Clock::resume(last.node, Some(stored));
        }
    }
    let now_ms = u64::try_from(Utc::now().timestamp_millis()).unwrap_or(0);
    let h = clock.tick(now_ms);
    meta_set(tx, "hlc", &h.to_string())?;
    Ok(h)
}

fn meta_get(conn: &Connection, key: &str) -> Result<Option<String>> {
    Ok(conn
        .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
        .optional()?)
}

fn meta_set(conn: &Connection, key: &str, value: &str) -> Result<()> {
    conn.execute(
        "INSERT INTO meta(key, value) VALUES (?1, ?2)
         ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        [key, value],
    )?;
    Ok(())
}
