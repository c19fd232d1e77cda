//! `GET /api/v1/health`: is the server up (no auth, for devices probing the connection).

use axum::Json;
use njia_model::wire::{Health, PROTOCOL};

#[utoipa::path(get, path = "/api/v1/health", tag = "sync",
    responses((status = 200, description = "The server is up", body = Object)))]
pub async fn health() -> Json<Health> {
    Json(Health {
        status: "ok".into(),
        version: env!("CARGO_PKG_VERSION").into(),
        protocol: Some(PROTOCOL),
    })
}
