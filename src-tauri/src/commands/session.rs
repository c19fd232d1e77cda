//! Unlocking and locking the encrypted store.

use serde::Serialize;
use tauri::{AppHandle, State};
use ts_rs::TS;

use crate::background::SyncTask;
use crate::error::{AppError, Result};
use crate::state::{AppState, MIN_PASSPHRASE_LEN};

/// What the first screen needs to know.
#[derive(Debug, Clone, Serialize, TS)]
pub struct AppInfo {
    pub version: String,
    /// No store yet: the unlock screen asks to choose a passphrase (twice).
    pub first_run: bool,
    pub unlocked: bool,
    pub db_path: String,
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
}

#[tauri::command]
pub async fn app_info(state: State<'_, AppState>) -> Result<AppInfo> {
    Ok(AppInfo {
        version: env!("CARGO_PKG_VERSION").to_string(),
        first_run: !state.db_path.exists(),
        unlocked: state.store.lock().await.is_some(),
        db_path: state.db_path.display().to_string(),
        min_passphrase: MIN_PASSPHRASE_LEN as u32,
    })
}

/// Opens (or, on first run, creates) the store and starts the background sync.
#[tauri::command]
pub async fn unlock(
    app: AppHandle,
    state: State<'_, AppState>,
    passphrase: String,
) -> Result<Unlocked> {
    if !state.db_path.exists() && passphrase.chars().count() < MIN_PASSPHRASE_LEN {
        return Err(AppError::PassphraseTooShort {
            min: MIN_PASSPHRASE_LEN as u32,
        });
    }
    if let Some(dir) = state.db_path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| AppError::Internal {
            message: format!("cannot create {}: {e}", dir.display()),
        })?;
    }
    let store = crate::state::open_capped(state.db_path.clone(), passphrase.clone()).await?;
    let enrollment = store.enrollment()?;
    let unlocked = Unlocked {
        enrolled: enrollment.is_some(),
        worker: enrollment.as_ref().map(|e| e.worker.clone()),
        server: enrollment.map(|e| e.server),
        services: store.service_count()?,
    };
    *state.store.lock().await = Some(store);
    *state.passphrase.lock().await = Some(passphrase.clone());
    let mut sync = state.sync.lock().await;
    if let Some(old) = sync.take() {
        old.stop();
    }
    *sync = Some(SyncTask::spawn(app, state.db_path.clone(), passphrase));
    Ok(unlocked)
}

/// Closes the store and stops the sync; the passphrase is needed again.
#[tauri::command]
pub async fn lock(state: State<'_, AppState>) -> Result<()> {
    if let Some(task) = state.sync.lock().await.take() {
        task.stop();
    }
    *state.store.lock().await = None;
    *state.passphrase.lock().await = None;
    Ok(())
}
