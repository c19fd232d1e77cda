//! The OpenAPI document of the HTTP API, served at `/api/v1/openapi.json`, so a second
//! client can be written from it (with docs/sync.md for the protocol's rules).

use axum::Json;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::handlers;

#[derive(OpenApi)]
#[openapi(
    info(title = "Njia API", description = "Sync and enrolment for Njia devices. See docs/sync.md."),
    paths(handlers::health::health, handlers::enroll::enroll, handlers::sync::sync, handlers::fork::fork, document),
    modifiers(&DeviceToken)
)]
pub struct ApiDoc;

struct DeviceToken;

impl Modify for DeviceToken {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "device_token",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "meta",
    responses((status = 200, description = "This document", body = Object)))]
pub async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
