//! Enrolment and sync: what is pending, the last complete sync, the last error, "Sync now".

use njia_store::sync::{RefusedItem, SyncStatus};
use njia_sync::pin::{BadPin, CertPin};
use njia_sync::{SyncClient, SyncOptions};
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
/// It runs on a connection of its own, so searches go on while the network is slow. `pin`,
/// when the office gives one, is its server certificate's SHA-256: the device then trusts
/// that certificate and no other (a self-signed office), for this and every later sync.
#[tauri::command]
pub async fn enroll(
    state: State<'_, AppState>,
    server: String,
    code: String,
    pin: Option<String>,
) -> Result<SyncView> {
    let client = SyncClient::with_options(SyncOptions {
        pin: parse_pin(pin.as_deref())?,
        ..SyncOptions::default()
    })
    .map_err(AppError::from)?;
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

/// The pin as typed: blank is none; anything else must be a SHA-256 fingerprint.
fn parse_pin(pin: Option<&str>) -> Result<Option<CertPin>> {
    match pin.map(str::trim).filter(|p| !p.is_empty()) {
        None => Ok(None),
        Some(p) => p.parse().map(Some).map_err(|e: BadPin| AppError::Invalid {
            message: e.to_string(),
        }),
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_typed_pin_is_read_and_a_blank_one_is_none() {
        assert_eq!(parse_pin(None).expect("none"), None);
        assert_eq!(parse_pin(Some("  ")).expect("blank"), None);
        let hex = "40:77:88:2A:25:30:19:C9:AE:B2:9C:E3:42:9F:69:B0:6C:06:02:E0:06:AA:C4:C3:E6:E2:FD:C0:2F:7B:F5:83";
        assert_eq!(
            parse_pin(Some(hex)).expect("a pin").map(|p| p.to_string()),
            Some(hex.to_string())
        );
        assert!(matches!(
            parse_pin(Some("40:77")),
            Err(AppError::Invalid { .. })
        ));
    }
}
