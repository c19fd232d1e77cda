//! HTTP handlers of `/api/v1`, one module per endpoint.

pub mod enroll;
pub mod fork;
pub mod health;
pub mod sync;

use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use serde::de::DeserializeOwned;

use crate::error::HttpError;

/// JSON body extractor whose rejections are [`HttpError`]s (a JSON body in words).
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = HttpError;

    async fn from_request(req: Request, state: &S) -> Result<Self, HttpError> {
        let axum::Json(value) = axum::Json::<T>::from_request(req, state).await?;
        Ok(ApiJson(value))
    }
}

/// Unknown paths: a JSON 404.
pub async fn not_found() -> HttpError {
    HttpError::new(
        StatusCode::NOT_FOUND,
        "not_found",
        "no such path in the Njia API",
    )
}
