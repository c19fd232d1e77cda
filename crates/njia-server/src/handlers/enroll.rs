//! `POST /api/v1/enroll`: a device trades a one-time code for an id and a token.

use axum::extract::State;
use axum::Json;
use chrono::Utc;
use njia_model::wire::{EnrollRequest, EnrollResponse};
use njia_server_database::{Database, NewDevice};
use uuid::Uuid;

use crate::auth::{hash, new_token, normalize_code};
use crate::error::HttpError;
use crate::handlers::ApiJson;
use crate::AppState;

#[utoipa::path(post, path = "/api/v1/enroll", tag = "devices",
    request_body(content = Object, description = "EnrollRequest: {code, device_label?, device_id?, device_token?} (the last two together: enrol again as that device)"),
    responses(
        (status = 200, description = "EnrollResponse: device id, token (shown once), worker, team, role, regions", body = Object),
        (status = 401, description = "Unknown code", body = Object),
        (status = 410, description = "Code used or expired", body = Object),
        (status = 422, description = "Malformed request", body = Object)))]
pub async fn enroll<D: Database>(
    State(state): State<AppState<D>>,
    ApiJson(req): ApiJson<EnrollRequest>,
) -> Result<Json<EnrollResponse>, HttpError> {
    let code = normalize_code(&req.code);
    if code.len() < 8 || code.len() > 32 {
        return Err(HttpError::invalid(
            "an enrolment code has 10 letters and digits, like K7QM-3XPA-9D",
        ));
    }
    let label = req
        .device_label
        .map(|l| l.trim().to_string())
        .filter(|l| !l.is_empty());
    if label.as_ref().is_some_and(|l| l.chars().count() > 100) {
        return Err(HttpError::invalid(
            "the device label is longer than 100 characters",
        ));
    }
    // A store whose operations may already be here enrols again as the device it is,
    // proving it with the token it holds.
    let (id, proof) = match (req.device_id, req.device_token.as_deref().map(str::trim)) {
        (None, None) => (Uuid::now_v7(), None),
        (Some(id), Some(token)) if !token.is_empty() => (id, Some(hash(token))),
        _ => {
            return Err(HttpError::invalid(
                "to enrol again as the same device, give both device_id and device_token",
            ))
        }
    };
    let again = proof.is_some();
    let token = new_token();
    let now = Utc::now();
    let device = state
        .db
        .redeem_enrollment(
            &hash(&code),
            NewDevice {
                id,
                token_hash: hash(&token),
                label,
                now,
                proof,
            },
        )
        .await?;
    tracing::info!(device = %device.id, worker = %device.worker, again, "device enrolled");
    Ok(Json(EnrollResponse {
        device_id: device.id,
        token,
        worker_id: Some(device.worker_id),
        worker: device.worker,
        team: device.team,
        role: device.role,
        regions: device.regions,
        server_time: now,
    }))
}
