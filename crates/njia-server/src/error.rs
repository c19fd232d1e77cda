//! One error type for every handler: a status, a stable code and a sentence, always as a
//! JSON [`ApiError`] body. Storage failures are logged and shown as a generic 500.

use axum::extract::rejection::JsonRejection;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use njia_model::wire::ApiError;
use njia_server_database::DbError;

/// An error answered to a client.
#[derive(Debug)]
pub struct HttpError {
    pub status: StatusCode,
    pub body: ApiError,
}

impl HttpError {
    pub fn new(status: StatusCode, code: &str, message: impl Into<String>) -> Self {
        Self {
            status,
            body: ApiError {
                error: message.into(),
                code: code.to_string(),
                acked_idx: None,
            },
        }
    }

    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", message)
    }

    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "unauthorized", message)
    }
}

impl IntoResponse for HttpError {
    fn into_response(self) -> Response {
        (self.status, Json(self.body)).into_response()
    }
}

impl From<DbError> for HttpError {
    fn from(e: DbError) -> Self {
        match e {
            DbError::CodeUnknown => Self::new(
                StatusCode::UNAUTHORIZED,
                "code_unknown",
                "this enrolment code is not known: check it with the field office",
            ),
            DbError::CodeUsed => Self::new(
                StatusCode::GONE,
                "code_used",
                "this enrolment code was already used: ask the field office for a new one",
            ),
            DbError::CodeExpired(at) => Self::new(
                StatusCode::GONE,
                "code_expired",
                format!(
                    "this enrolment code expired at {}: ask the field office for a new one",
                    at.format("%Y-%m-%d %H:%M UTC")
                ),
            ),
            DbError::Gap { acked } => {
                let mut err = Self::new(
                    StatusCode::CONFLICT,
                    "gap",
                    format!(
                        "the server holds this device's operations up to {acked}; send from {}",
                        acked + 1
                    ),
                );
                err.body.acked_idx = Some(acked);
                err
            }
            DbError::Diverged { acked, at } => {
                let mut err = Self::new(
                    StatusCode::CONFLICT,
                    "diverged",
                    format!(
                        "the server holds another operation {at} of this device: the phone's store was restored from an older copy (or copied to another phone); the device takes a new id for its new records and sends them again"
                    ),
                );
                err.body.acked_idx = Some(acked);
                err
            }
            DbError::Invalid(m) => Self::invalid(m),
            DbError::NotFound { what, id } => Self::new(
                StatusCode::NOT_FOUND,
                "not_found",
                format!("no {what} with id {id}"),
            ),
            DbError::Backend(m) => {
                tracing::error!(error = %m, "storage failure");
                Self::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "the server could not complete this request; nothing was lost on the device, try again",
                )
            }
        }
    }
}

impl From<JsonRejection> for HttpError {
    fn from(r: JsonRejection) -> Self {
        let status = match r {
            JsonRejection::MissingJsonContentType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            JsonRejection::BytesRejection(_) => StatusCode::PAYLOAD_TOO_LARGE,
            _ => StatusCode::BAD_REQUEST,
        };
        let code = if status == StatusCode::PAYLOAD_TOO_LARGE {
            "too_large"
        } else {
            "invalid"
        };
        Self::new(status, code, r.body_text())
    }
}

/// Middleware: any error response that is not already JSON (body limits, unsupported
/// encodings, unknown methods) gets a JSON body in words, so clients parse one shape.
pub async fn json_errors(response: Response) -> Response {
    let status = response.status();
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return response;
    }
    let (code, message) = match status {
        StatusCode::PAYLOAD_TOO_LARGE => ("too_large", "the request body is larger than the server accepts; send fewer operations per request"),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => ("invalid", "the request body's encoding or type is not supported: send JSON, optionally zstd-compressed"),
        StatusCode::METHOD_NOT_ALLOWED => ("invalid", "this method is not allowed on this path"),
        StatusCode::NOT_FOUND => ("not_found", "no such path in the Njia API"),
        s if s.is_server_error() => ("internal", "the server could not complete this request; try again"),
        _ => ("invalid", "the request was not understood"),
    };
    let mut out = HttpError::new(status, code, message).into_response();
    out.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    out
}
