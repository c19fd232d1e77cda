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
pub mod limits;
pub mod openapi;
pub mod report;

use std::sync::Arc;
use std::time::Duration;

use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::middleware;
use axum::routing::{get, post};
use axum::Router;
use limits::{EnrollThrottle, SyncGate};
use njia_model::wire::API_PREFIX;
use njia_server_database::Database;
use tower_http::compression::CompressionLayer;
use tower_http::decompression::RequestDecompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::{RequestBodyTimeoutLayer, TimeoutLayer};
use tower_http::CompressionLevel;

/// Limits and settings of a running server. Every limit is a flag of `njia-server serve`;
/// `docs/security.md` says what each protects against.
#[derive(Debug, Clone)]
pub struct Config {
    /// Largest request body on the wire (compressed), in bytes.
    pub max_request_bytes: usize,
    /// Largest request body once decompressed, in bytes. Devices send about 512 KB of JSON
    /// per request; eight times that leaves room and keeps a compressed bomb small.
    pub max_decompressed_bytes: usize,
    /// Largest page of the change feed, in bytes of JSON before compression.
    pub max_page_bytes: usize,
    /// Most operations accepted in one sync request.
    pub max_ops_per_request: usize,
    /// How long an enrolment code stays valid.
    pub enrollment_ttl: Duration,
    /// How long a client may take to send a request's headers (and how long an idle
    /// connection stays open).
    pub header_read_timeout: Duration,
    /// How long a request body may pause between two pieces.
    pub body_idle_timeout: Duration,
    /// How long a whole request may take, body and answer.
    pub request_timeout: Duration,
    /// Open connections in all.
    pub max_connections: usize,
    /// Open connections from one address (0: no cap; set it so behind a proxy).
    pub max_connections_per_address: usize,
    /// Sync rounds decoded and answered at once; more wait their turn.
    pub max_concurrent_syncs: usize,
    /// How long a sync round waits for its turn before `503 busy`.
    pub sync_queue_timeout: Duration,
    /// Operations and corrections one device may have stored in any 24 hours.
    pub quota_items_per_day: i64,
    /// Bytes of operations and corrections one device may have stored in any 24 hours.
    pub quota_bytes_per_day: i64,
    /// Wrong enrolment codes from one address before it is refused for a while.
    pub enroll_failures: u32,
    /// The while.
    pub enroll_failure_window: Duration,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            max_request_bytes: 4 * 1024 * 1024,
            max_decompressed_bytes: 4 * 1024 * 1024,
            max_page_bytes: 8 * 1024 * 1024,
            max_ops_per_request: 20_000,
            enrollment_ttl: Duration::from_secs(72 * 3600),
            header_read_timeout: Duration::from_secs(15),
            body_idle_timeout: Duration::from_secs(30),
            request_timeout: Duration::from_secs(300),
            max_connections: 1024,
            max_connections_per_address: 128,
            max_concurrent_syncs: 8,
            sync_queue_timeout: Duration::from_secs(30),
            quota_items_per_day: 20_000,
            quota_bytes_per_day: 64 * 1024 * 1024,
            enroll_failures: 10,
            enroll_failure_window: Duration::from_secs(15 * 60),
        }
    }
}

/// What every handler sees.
#[derive(Clone)]
pub struct AppState<D> {
    pub db: D,
    pub config: Arc<Config>,
    pub sync_gate: SyncGate,
    pub enroll_throttle: Arc<EnrollThrottle>,
}

impl<D> AppState<D> {
    pub fn new(db: D, config: Config) -> Self {
        Self {
            db,
            sync_gate: SyncGate::new(config.max_concurrent_syncs, config.sync_queue_timeout),
            enroll_throttle: Arc::new(EnrollThrottle::new(
                config.enroll_failures,
                config.enroll_failure_window,
            )),
            config: Arc::new(config),
        }
    }
}

/// The HTTP API under `/api/v1`.
pub fn router<D: Database>(state: AppState<D>) -> Router {
    let config = state.config.clone();
    let api = Router::new()
        .route("/health", get(handlers::health::health))
        .route("/openapi.json", get(openapi::document))
        .route("/enroll", post(handlers::enroll::enroll::<D>))
        .route(
            "/sync",
            post(handlers::sync::sync::<D>).route_layer(middleware::from_fn_with_state(
                state.sync_gate.clone(),
                limits::sync_gate,
            )),
        )
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
        .layer(RequestBodyTimeoutLayer::new(config.body_idle_timeout))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            config.request_timeout,
        ))
        .layer(middleware::map_response(error::json_errors))
}
