//! Recording outreach: sessions with their people-reached grid and referrals, edits, voids,
//! and referral follow-up.

use chrono::NaiveDate;
use njia_model::outreach::{Referral, ReferralStatus, Session, SessionInput, SessionStatus};
use njia_store::outreach::{ReferralFilter, ReferralUpdate};
use serde::Deserialize;
use tauri::State;
use ts_rs::TS;

use crate::error::{AppError, Result};
use crate::state::AppState;

/// Which referrals to list.
#[derive(Debug, Clone, Default, Deserialize, TS)]
pub struct ReferralQuery {
    pub status: Option<ReferralStatus>,
    pub session_id: Option<String>,
    /// Only those with a follow-up due on or before this day (`YYYY-MM-DD`).
    pub due_by: Option<String>,
}

/// A referral's new outcome or follow-up date.
#[derive(Debug, Clone, Deserialize, TS)]
pub struct ReferralChange {
    pub status: Option<ReferralStatus>,
    /// Set (`YYYY-MM-DD`) or clear (`null`) the follow-up date; absent: leave it.
    #[serde(default, deserialize_with = "present")]
    #[ts(optional, type = "string | null")]
    pub follow_up_on: Option<Option<String>>,
}

/// Tells a field sent as `null` (clear it) from a field left out (keep it).
fn present<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> std::result::Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

fn day(field: &str, s: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|_| AppError::Invalid {
        message: format!("{field}: \"{s}\" is not a date (YYYY-MM-DD)"),
    })
}

#[tauri::command]
pub async fn save_session(state: State<'_, AppState>, input: SessionInput) -> Result<Session> {
    state.with_store(|s| Ok(s.add_session(input)?)).await
}

/// Saves an edit made on `input.version`; refused if the session changed since.
#[tauri::command]
pub async fn edit_session(
    state: State<'_, AppState>,
    id: String,
    input: SessionInput,
) -> Result<Session> {
    state.with_store(|s| Ok(s.edit_session(&id, input)?)).await
}

#[tauri::command]
pub async fn void_session(
    state: State<'_, AppState>,
    id: String,
    reason: String,
) -> Result<Session> {
    state
        .with_store(|s| Ok(s.void_session(&id, &reason)?))
        .await
}

#[tauri::command]
pub async fn session(state: State<'_, AppState>, id: String) -> Result<Session> {
    state.with_store(|s| Ok(s.session(&id)?)).await
}

/// Sessions newest first; voided ones included (they stay, with their reason).
#[tauri::command]
pub async fn sessions(
    state: State<'_, AppState>,
    status: Option<SessionStatus>,
) -> Result<Vec<Session>> {
    state.with_store(|s| Ok(s.sessions(status)?)).await
}

/// Referrals, each with its service's name (none once the service has left the directory).
#[tauri::command]
pub async fn referrals(state: State<'_, AppState>, query: ReferralQuery) -> Result<Vec<Referral>> {
    let filter = ReferralFilter {
        status: query.status,
        session_id: query.session_id,
        due_by: query
            .due_by
            .as_deref()
            .map(|d| day("due_by", d))
            .transpose()?,
    };
    state.with_store(|s| Ok(s.referrals(&filter)?)).await
}

#[tauri::command]
pub async fn update_referral(
    state: State<'_, AppState>,
    id: String,
    change: ReferralChange,
) -> Result<Referral> {
    let update = ReferralUpdate {
        status: change.status,
        follow_up_on: change
            .follow_up_on
            .map(|d| d.as_deref().map(|d| day("follow_up_on", d)).transpose())
            .transpose()?,
    };
    state
        .with_store(|s| Ok(s.update_referral(&id, &update)?))
        .await
}
