//! Enrolment and sync: what is pending, the last complete sync, the last error, "Sync now".

use njia_store::sync::{RefusedItem, SyncStatus};
use njia_sync::SyncClient;
use serde::Serialize;
use tauri::State;
use ts_rs::TS;

use crate::background::SyncActivity;
use crate::error::{AppError, Result};
use crate::state::AppState;

/// The sync screen: the store's own record (which never claims more than it knows) and
/// what the background task is doing.
#[derive(Debug, Clone, Serialize, TS)]
pub struct SyncView {
    pub enrolled: bool,
    pub worker: Option<String>,
    pub team: Option<String>,
    pub status: SyncStatus,
    /// What the office's server received from this device and refused, with why.
    pub refused: Vec<RefusedItem>,
    pub activity: SyncActivity,
}

/// Enrols this device with a one-time code from the office, then syncs the directory down.
/// It runs on a connection of its own, so searches go on while the network is slow.
#[tauri::command]
pub async fn enroll(state: State<'_, AppState>, server: String, code: String) -> Result<SyncView> {
    let client = SyncClient::new().map_err(AppError::from)?;
    let mut store = state.open_another().await?;
    client
        .enroll(&mut store, &server, &code, Some("Njia app"))
        .await?;
    drop(store);
    state.with_store(|s| Ok(s.reload()?)).await?;
    if let Some(task) = state.sync.lock().await.as_ref() {
        task.wake();
    }
    sync_status(state).await
}

#[tauri::command]
pub async fn sync_status(state: State<'_, AppState>) -> Result<SyncView> {
    let activity = state
        .sync
        .lock()
        .await
        .as_ref()
        .map(|t| t.activity())
        .unwrap_or_default();
    state
        .with_store(|s| {
            let enrollment = s.enrollment()?;
            Ok(SyncView {
                enrolled: enrollment.is_some(),
                worker: enrollment.as_ref().map(|e| e.worker.clone()),
                team: enrollment.and_then(|e| e.team),
                status: s.sync_status()?,
                refused: s.refused_items()?,
                activity,
            })
        })
        .await
}

/// Starts a round now; progress and the outcome arrive as `sync` events.
#[tauri::command]
pub async fn sync_now(state: State<'_, AppState>) -> Result<()> {
    match state.sync.lock().await.as_ref() {
        Some(task) => {
            task.wake();
            Ok(())
        }
        None => Err(AppError::Locked),
    }
}
