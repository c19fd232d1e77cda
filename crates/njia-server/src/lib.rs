//! The Njia server: an axum application generic over its storage
//! ([`njia_server_database::Database`]), so the same handlers serve SQLite and PostgreSQL.
//!
//! Devices enrol once with a one-time code, then sync with one request per round
//! (`POST /api/v1/sync`: push operations, pull the change feed). Staff curate the directory
//! and enrol devices with the `njia-server` command on the same storage.

pub mod auth;
pub mod error;
pub mod fhir;
pub mod handlers;
pub mod openapi;
pub mod report;

use std::sync::Arc;
use std::time::Duration;

use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use axum::Router;
use njia_model::wire::API_PREFIX;
use njia_server_database::Database;
use tower_http::compression::CompressionLayer;
use tower_http::decompression::RequestDecompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::CompressionLevel;

/// Limits and settings of a running server.
#[derive(Debug, Clone)]
pub struct Config {
    /// Largest request body on the wire (compressed), in bytes.
    pub max_request_bytes: usize,
    /// Largest request body once decompressed, in bytes.
    pub max_decompressed_bytes: usize,
    /// Largest page of the change feed, in bytes of JSON before compression.
    pub max_page_bytes: usize,
    /// Most operations accepted in one sync request.
    pub max_ops_per_request: usize,
    /// How long an enrolment code stays valid.
    pub enrollment_ttl: Duration,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            max_request_bytes: 4 * 1024 * 1024,
            max_decompressed_bytes: 16 * 1024 * 1024,
            max_page_bytes: 8 * 1024 * 1024,
            max_ops_per_request: 20_000,
            enrollment_ttl: Duration::from_secs(72 * 3600),
        }
    }
}

/// What every handler sees.
#[derive(Clone)]
pub struct AppState<D> {
    pub db: D,
    pub config: Arc<Config>,
}

/// The HTTP API under `/api/v1`.
pub fn router<D: Database>(state: AppState<D>) -> Router {
    let config = state.config.clone();
    let api = Router::new()
        .route("/health", get(handlers::health::health))
        .route("/openapi.json", get(openapi::document))
        .route("/enroll", post(handlers::enroll::enroll::<D>))
        .route("/sync", post(handlers::sync::sync::<D>))
        .route("/fork", post(handlers::fork::fork::<D>))
        .fallback(handlers::not_found);
    Router::new()
        .nest(API_PREFIX, api)
        .fallback(handlers::not_found)
        .with_state(state)
        .layer(DefaultBodyLimit::max(config.max_decompressed_bytes))
        .layer(RequestDecompressionLayer::new())
        // zstd level 9: a first sync's pages shrink by a quarter over the default for a few
        // tens of milliseconds of server time.
        .layer(CompressionLayer::new().quality(CompressionLevel::Precise(9)))
        .layer(RequestBodyLimitLayer::new(config.max_request_bytes))
        .layer(axum::middleware::map_response(error::json_errors))
}
