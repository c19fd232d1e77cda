//! What the app holds while it runs: where the store is, the open store once unlocked, and
//! the handle of the background sync task.

use std::path::PathBuf;

use njia_store::Store;
use tokio::sync::Mutex;

use crate::background::SyncTask;
use crate::error::{AppError, Result};

/// A new store needs at least this many characters of passphrase: the key of every record on
/// a phone that may be lost.
pub const MIN_PASSPHRASE_LEN: usize = 8;

/// The page cache each of the app's store connections keeps between operations, in KiB. A
/// near-me search reads a few dozen pages; the default cache (64 MiB, for imports) would
/// fill with the directory over a day and stay full, on a phone, once per connection.
pub const APP_PAGE_CACHE_KIB: u32 = 4 * 1024;

pub struct AppState {
    pub db_path: PathBuf,
    /// The UI's connection. The sync task has its own, so a slow network never holds this
    /// lock: a search answers while a sync runs.
    pub store: Mutex<Option<Store>>,
    pub sync: Mutex<Option<SyncTask>>,
    /// Kept while unlocked to open more connections (enrolment, the sync task) without
    /// asking again; dropped on lock.
    pub passphrase: Mutex<Option<String>>,
}

impl AppState {
    pub fn new(db_path: PathBuf) -> Self {
        Self {
            db_path,
            store: Mutex::new(None),
            sync: Mutex::new(None),
            passphrase: Mutex::new(None),
        }
    }

    /// A second connection to the unlocked store, for work that waits on the network.
    pub async fn open_another(&self) -> Result<Store> {
        let pass = self
            .passphrase
            .lock()
            .await
            .clone()
            .ok_or(AppError::Locked)?;
        open_capped(self.db_path.clone(), pass).await
    }

    /// Runs `f` on the unlocked store.
    pub async fn with_store<T>(&self, f: impl FnOnce(&mut Store) -> Result<T>) -> Result<T> {
        let mut guard = self.store.lock().await;
        let store = guard.as_mut().ok_or(AppError::Locked)?;
        f(store)
    }
}

/// Opens the store for the app, off the async workers (Argon2id takes a moment on purpose),
/// with its page cache capped: the default is for bulk work ([`APP_PAGE_CACHE_KIB`]).
pub async fn open_capped(path: PathBuf, passphrase: String) -> Result<Store> {
    tokio::task::spawn_blocking(move || {
        let store = Store::open(&path, &passphrase)?;
        store.set_page_cache_kib(APP_PAGE_CACHE_KIB)?;
        Ok(store)
    })
    .await
    .map_err(|e| AppError::Internal {
        message: e.to_string(),
    })?
}
