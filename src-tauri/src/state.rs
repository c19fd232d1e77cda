//! What the app holds while it runs: where the store is, the open store once unlocked, its
//! key (never the passphrase), the background sync task, and the idle timer that locks the
//! store when nobody has used the app for a while.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex as StdMutex};
use std::time::{Duration, Instant};

use njia_store::{Store, StoreKey};
use tauri::async_runtime::JoinHandle;
use tokio::sync::Mutex;

use crate::background::SyncTask;
use crate::error::{AppError, Result};

/// The page cache each of the app's store connections keeps between operations, in KiB. A
/// near-me search reads a few dozen pages; the default cache (64 MiB, for imports) would
/// fill with the directory over a day and stay full, on a phone, once per connection.
pub const APP_PAGE_CACHE_KIB: u32 = 4 * 1024;

/// Minutes without a touch or a key press after which the app locks itself, unless the user
/// chose otherwise in Settings: short enough that a phone left on a table is closed before
/// someone else picks it up, long enough not to lock during a conversation.
pub const DEFAULT_AUTO_LOCK_MINUTES: u32 = 10;
/// The choices Settings offers, in minutes.
pub const AUTO_LOCK_CHOICES: [u32; 5] = [2, 5, 10, 30, 60];
/// Where the choice is kept: in the encrypted store, so it travels with it.
pub const AUTO_LOCK_SETTING: &str = "app.auto_lock_minutes";

pub struct AppState {
    pub db_path: PathBuf,
    /// The UI's connection. The sync task has its own, so a slow network never holds this
    /// lock: a search answers while a sync runs.
    pub store: Mutex<Option<Store>>,
    pub sync: Mutex<Option<SyncTask>>,
    /// The store's derived key, kept while unlocked to open more connections (enrolment, the
    /// sync task) without asking again and without keeping the passphrase; shared with the
    /// sync task, dropped (and so zeroed) by both on lock.
    pub key: Mutex<Option<Arc<StoreKey>>>,
    /// When the user last did something, and how long the app waits after that to lock.
    pub idle: IdleClock,
    /// The task that locks the store when [`AppState::idle`] runs out.
    pub idle_task: Mutex<Option<JoinHandle<()>>>,
}

impl AppState {
    pub fn new(db_path: PathBuf) -> Self {
        Self {
            db_path,
            store: Mutex::new(None),
            sync: Mutex::new(None),
            key: Mutex::new(None),
            idle: IdleClock::new(Duration::from_secs(
                u64::from(DEFAULT_AUTO_LOCK_MINUTES) * 60,
            )),
            idle_task: Mutex::new(None),
        }
    }

    /// A second connection to the unlocked store, for work that waits on the network.
    pub async fn open_another(&self) -> Result<Store> {
        let key = self.key.lock().await.clone().ok_or(AppError::Locked)?;
        open_capped(self.db_path.clone(), key).await
    }

    /// Runs `f` on the unlocked store.
    pub async fn with_store<T>(&self, f: impl FnOnce(&mut Store) -> Result<T>) -> Result<T> {
        let mut guard = self.store.lock().await;
        let store = guard.as_mut().ok_or(AppError::Locked)?;
        f(store)
    }

    /// Closes the store: stops the sync task (which drops its connection and its share of
    /// the key), drops the UI's connection and the key. The idle task is left to the caller.
    pub async fn close(&self) {
        if let Some(task) = self.sync.lock().await.take() {
            task.stop();
        }
        *self.store.lock().await = None;
        *self.key.lock().await = None;
    }
}

/// Opens the store for the app, off the async workers, with its page cache capped: the
/// default is for bulk work ([`APP_PAGE_CACHE_KIB`]).
pub async fn open_capped(path: PathBuf, key: Arc<StoreKey>) -> Result<Store> {
    blocking(move || {
        let store = Store::open_with_key(&path, &key)?;
        store.set_page_cache_kib(APP_PAGE_CACHE_KIB)?;
        Ok(store)
    })
    .await
}

/// Runs `f` on a blocking thread (Argon2id takes about a second on a phone, on purpose).
pub async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T> + Send + 'static,
) -> Result<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| AppError::Internal {
            message: e.to_string(),
        })?
}

/// The idle timer: the last time the user did something, and the idle time after which the
/// store locks. Kept apart from the task that acts on it so the rule can be tested without a
/// window.
pub struct IdleClock {
    last: StdMutex<Instant>,
    limit_secs: AtomicU32,
}

impl IdleClock {
    pub fn new(limit: Duration) -> Self {
        Self {
            last: StdMutex::new(Instant::now()),
            limit_secs: AtomicU32::new(u32::try_from(limit.as_secs()).unwrap_or(u32::MAX)),
        }
    }

    /// The user did something (or just unlocked).
    pub fn touch(&self) {
        *self
            .last
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Instant::now();
    }

    pub fn set_limit(&self, limit: Duration) {
        self.limit_secs.store(
            u32::try_from(limit.as_secs()).unwrap_or(u32::MAX),
            Ordering::Relaxed,
        );
    }

    pub fn limit(&self) -> Duration {
        Duration::from_secs(u64::from(self.limit_secs.load(Ordering::Relaxed)))
    }

    /// How long until the store locks, seen at `now`; `None` once it is time.
    pub fn remaining(&self, now: Instant) -> Option<Duration> {
        let last = *self
            .last
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let idle = now.saturating_duration_since(last);
        self.limit().checked_sub(idle).filter(|d| !d.is_zero())
    }
}

/// The auto-lock minutes kept in a store, or the default (a value outside the choices, from
/// an older or newer app, falls back to the default rather than to "never").
pub fn auto_lock_minutes(store: &Store) -> Result<u32> {
    Ok(store
        .setting(AUTO_LOCK_SETTING)?
        .and_then(|v| v.parse::<u32>().ok())
        .filter(|m| AUTO_LOCK_CHOICES.contains(m))
        .unwrap_or(DEFAULT_AUTO_LOCK_MINUTES))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_store_locks_once_the_idle_time_runs_out_and_a_touch_starts_it_again() {
        let clock = IdleClock::new(Duration::from_secs(600));
        let start = Instant::now();
        let left = clock.remaining(start).unwrap();
        assert!(left <= Duration::from_secs(600) && left > Duration::from_secs(590));
        assert!(clock.remaining(start + Duration::from_secs(599)).is_some());
        assert_eq!(clock.remaining(start + Duration::from_secs(601)), None);
        clock.set_limit(Duration::from_secs(120));
        assert_eq!(clock.remaining(start + Duration::from_secs(121)), None);
        clock.touch();
        assert!(clock
            .remaining(Instant::now() + Duration::from_secs(60))
            .is_some());
    }

    #[test]
    fn the_auto_lock_setting_defaults_to_ten_minutes_and_keeps_a_choice() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("njia.db"), "app test passphrase").unwrap();
        assert_eq!(auto_lock_minutes(&store).unwrap(), 10);
        store.set_setting(AUTO_LOCK_SETTING, "30").unwrap();
        assert_eq!(auto_lock_minutes(&store).unwrap(), 30);
        store.set_setting(AUTO_LOCK_SETTING, "0").unwrap();
        assert_eq!(
            auto_lock_minutes(&store).unwrap(),
            10,
            "no way to turn it off by hand"
        );
    }
}
