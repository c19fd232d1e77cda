//! `POST /api/v1/fork`: a device whose log no longer matches the server's (its store was
//! restored from an older copy, or copied to a second phone) takes a new id for the same
//! worker, so its new records are not mistaken for resends of the ones the server holds.

use axum::extract::State;
use axum::Json;
use chrono::Utc;
use njia_model::wire::{ForkRequest, ForkResponse};
use njia_server_database::{Database, NewFork};
use uuid::Uuid;

use crate::auth::{hash, new_token, DeviceAuth};
use crate::error::HttpError;
use crate::handlers::ApiJson;
use crate::AppState;

/// More op ids than a device can have waiting is a broken client.
const MAX_OP_IDS: usize = 1_000_000;

#[utoipa::path(post, path = "/api/v1/fork", tag = "sync",
    request_body(content = Object, description = "ForkRequest: {fork_id, after, op_ids}"),
    responses(
        (status = 200, description = "ForkResponse: the new device id and token (shown once), base_idx, worker, team, role, regions", body = Object),
        (status = 401, description = "No, unknown or revoked token", body = Object),
        (status = 422, description = "Malformed request", body = Object)),
    security(("device_token" = [])))]
pub async fn fork<D: Database>(
    State(state): State<AppState<D>>,
    DeviceAuth(parent): DeviceAuth,
    ApiJson(req): ApiJson<ForkRequest>,
) -> Result<Json<ForkResponse>, HttpError> {
    if req.after < 0 {
        return Err(HttpError::invalid(format!(
            "after {} is negative",
            req.after
        )));
    }
    if req.op_ids.len() > MAX_OP_IDS {
        return Err(HttpError::invalid(format!(
            "{} op ids; a fork names at most {MAX_OP_IDS}",
            req.op_ids.len()
        )));
    }
    let token = new_token();
    let now = Utc::now();
    let fork = state
        .db
        .fork_device(
            &parent,
            NewFork {
                fork_id: req.fork_id,
                id: Uuid::now_v7(),
                token_hash: hash(&token),
                after: req.after,
                op_ids: req.op_ids,
                now,
            },
        )
        .await?;
    tracing::warn!(parent = %parent.id, device = %fork.device.id, base = fork.base_idx,
        "a restored copy of a device's store took a new id");
    Ok(Json(ForkResponse {
        device_id: fork.device.id,
        token,
        base_idx: fork.base_idx,
        worker_id: Some(fork.device.worker_id),
        worker: fork.device.worker,
        team: fork.device.team,
        role: fork.device.role,
        regions: fork.device.regions,
        server_time: now,
    }))
}
