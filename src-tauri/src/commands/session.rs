//! Unlocking and locking the encrypted store, and locking it by itself after idle time.
//!
//! The passphrase crosses from the UI once, is held in zeroizing memory while Argon2id
//! derives the store's key, and is dropped; the app then holds the key ([`StoreKey`]) to open
//! its other connections. A new store's passphrase must meet the store's rule
//! ([`njia_store::passphrase::check`], the same as the CLI's). After
//! [`AppState::idle`]'s time without the user touching the app, the store locks: the sync
//! task stops, both connections and the key are dropped, and a [`LOCKED_EVENT`] sends the UI
//! back to the unlock screen.

use std::sync::Arc;
use std::time::{Duration, Instant};

use njia_store::{passphrase, Store};
use serde::Serialize;
use tauri::{AppHandle, Emitter, Manager, State};
use ts_rs::TS;
use zeroize::Zeroizing;

use crate::background::SyncTask;
use crate::error::{AppError, Result};
use crate::state::{auto_lock_minutes, blocking, AppState, AUTO_LOCK_CHOICES, AUTO_LOCK_SETTING};

/// Event emitted (no payload) when the app locked itself after idle time.
pub const LOCKED_EVENT: &str = "locked";

/// What the first screen needs to know.
#[derive(Debug, Clone, Serialize, TS)]
pub struct AppInfo {
    pub version: String,
    /// No store yet: the unlock screen asks to choose a passphrase (twice).
    pub first_run: bool,
    pub unlocked: bool,
    pub db_path: String,
    /// The fewest characters a new passphrase may have (the store's rule).
    pub min_passphrase: u32,
}

/// The store as it opened.
#[derive(Debug, Clone, Serialize, TS)]
pub struct Unlocked {
    pub enrolled: bool,
    pub worker: Option<String>,
    pub server: Option<String>,
    #[ts(type = "number")]
    pub services: u64,
    /// Minutes without use after which the app locks itself.
    pub auto_lock_minutes: u32,
}

#[tauri::command]
pub async fn app_info(state: State<'_, AppState>) -> Result<AppInfo> {
    Ok(AppInfo {
        version: env!("CARGO_PKG_VERSION").to_string(),
        first_run: Store::kdf_params(&state.db_path)?.is_none(),
        unlocked: state.store.lock().await.is_some(),
        db_path: state.db_path.display().to_string(),
        min_passphrase: passphrase::MIN_CHARS as u32,
    })
}

/// Opens (or, on first run, creates) the store and starts the background sync and the idle
/// timer.
#[tauri::command]
pub async fn unlock(
    app: AppHandle,
    state: State<'_, AppState>,
    passphrase: String,
) -> Result<Unlocked> {
    let secret = Zeroizing::new(passphrase);
    if Store::kdf_params(&state.db_path)?.is_none() {
        passphrase::check(&secret).map_err(njia_store::StoreError::from)?;
        if let Some(dir) = state.db_path.parent() {
            njia_store::create_private_dir(dir)?;
        }
    }
    let path = state.db_path.clone();
    let (store, key) = blocking(move || {
        let key = Store::derive_key(&path, &secret)?;
        drop(secret);
        let store = Store::open_with_key(&path, &key)?;
        store.set_page_cache_kib(crate::state::APP_PAGE_CACHE_KIB)?;
        Ok((store, Arc::new(key)))
    })
    .await?;
    let enrollment = store.enrollment()?;
    let minutes = auto_lock_minutes(&store)?;
    let unlocked = Unlocked {
        enrolled: enrollment.is_some(),
        worker: enrollment.as_ref().map(|e| e.worker.clone()),
        server: enrollment.map(|e| e.server),
        services: store.service_count()?,
        auto_lock_minutes: minutes,
    };
    *state.store.lock().await = Some(store);
    *state.key.lock().await = Some(key.clone());
    {
        let mut sync = state.sync.lock().await;
        if let Some(old) = sync.take() {
            old.stop();
        }
        *sync = Some(SyncTask::spawn(app.clone(), state.db_path.clone(), key));
    }
    state
        .idle
        .set_limit(Duration::from_secs(u64::from(minutes) * 60));
    state.idle.touch();
    let mut idle = state.idle_task.lock().await;
    if let Some(old) = idle.take() {
        old.abort();
    }
    *idle = Some(tauri::async_runtime::spawn(lock_when_idle(app)));
    Ok(unlocked)
}

/// Closes the store and stops the sync; the passphrase is needed again.
#[tauri::command]
pub async fn lock(state: State<'_, AppState>) -> Result<()> {
    if let Some(task) = state.idle_task.lock().await.take() {
        task.abort();
    }
    state.close().await;
    Ok(())
}

/// The user did something: the idle timer starts again. The UI calls it on touches and
/// key presses (at most every few seconds).
#[tauri::command]
pub async fn still_here(state: State<'_, AppState>) -> Result<()> {
    if state.store.lock().await.is_none() {
        return Err(AppError::Locked);
    }
    state.idle.touch();
    Ok(())
}

/// Chooses the minutes of idle time after which the app locks (one of
/// [`AUTO_LOCK_CHOICES`]), kept in the store.
#[tauri::command]
pub async fn set_auto_lock(state: State<'_, AppState>, minutes: u32) -> Result<u32> {
    if !AUTO_LOCK_CHOICES.contains(&minutes) {
        return Err(AppError::Invalid {
            message: format!("auto-lock must be one of {AUTO_LOCK_CHOICES:?} minutes"),
        });
    }
    state
        .with_store(|s| Ok(s.set_setting(AUTO_LOCK_SETTING, &minutes.to_string())?))
        .await?;
    state
        .idle
        .set_limit(Duration::from_secs(u64::from(minutes) * 60));
    state.idle.touch();
    Ok(minutes)
}

/// Sleeps until the idle time runs out (a touch pushes it back), then locks the store and
/// tells the UI.
async fn lock_when_idle(app: AppHandle) {
    let state = app.state::<AppState>();
    // Wake at the deadline, or within a minute to see a shorter limit chosen since.
    while let Some(left) = state.idle.remaining(Instant::now()) {
        tokio::time::sleep(left.min(Duration::from_secs(60))).await;
    }
    // This task is the one in `idle_task`: take it out rather than abort itself.
    drop(state.idle_task.lock().await.take());
    state.close().await;
    tracing::info!("locked after idle time");
    if let Err(e) = app.emit(LOCKED_EVENT, ()) {
        tracing::warn!("emitting the locked event: {e}");
    }
}
