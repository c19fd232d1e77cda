//! `POST /api/v1/enroll`: a device trades a one-time code for an id and a token.

use std::time::Instant;

use axum::extract::State;
use axum::Json;
use chrono::Utc;
use njia_model::wire::{EnrollRequest, EnrollResponse};
use njia_server_database::{Database, DbError, NewDevice};
use uuid::Uuid;

use crate::auth::{hash, new_token, normalize_code};
use crate::error::HttpError;
use crate::handlers::ApiJson;
use crate::limits::{throttled, PeerAddr};
use crate::AppState;

#[utoipa::path(post, path = "/api/v1/enroll", tag = "devices",
    request_body(content = Object, description = "EnrollRequest: {code, device_label?, device_id?, device_token?} (the last two together: enrol again as that device)"),
    responses(
        (status = 200, description = "EnrollResponse: device id, token (shown once), worker, team, role, regions", body = Object),
        (status = 401, description = "Code unknown, used or expired (one answer for all three, code `code_unknown`)", body = Object),
        (status = 422, description = "Malformed request", body = Object),
        (status = 429, description = "Too many wrong codes from this address (code `too_many_attempts`, with Retry-After)", body = Object)))]
pub async fn enroll<D: Database>(
    State(state): State<AppState<D>>,
    PeerAddr(peer): PeerAddr,
    ApiJson(req): ApiJson<EnrollRequest>,
) -> Result<Json<EnrollResponse>, HttpError> {
    let throttle = &state.enroll_throttle;
    if let Some(wait) = throttle.wait(peer, Instant::now()) {
        tracing::warn!(peer = ?peer, "enrolment refused: too many wrong codes from this address");
        return Err(throttled(wait));
    }
    let code = normalize_code(&req.code);
    if code.len() < 8 || code.len() > 32 {
        throttle.failed(peer, Instant::now());
        tracing::warn!(peer = ?peer, "enrolment with a malformed code");
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
    let redeemed = state
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
        .await;
    let device = match redeemed {
        Ok(d) => d,
        Err(e @ (DbError::CodeUnknown | DbError::CodeUsed | DbError::CodeExpired(_))) => {
            throttle.failed(peer, Instant::now());
            tracing::warn!(peer = ?peer, reason = %e, "enrolment with a code that cannot be used");
            return Err(e.into());
        }
        Err(e) => return Err(e.into()),
    };
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
