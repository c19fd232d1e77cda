//! One error type for every handler: a status, a stable code and a sentence, always as a
//! JSON [`ApiError`] body. Storage failures are logged and shown as a generic 500.

use axum::extract::rejection::JsonRejection;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use http_body_util::LengthLimitError;
use njia_model::wire::ApiError;
use njia_server_database::DbError;
use tower_http::timeout::TimeoutError;

/// An error answered to a client.
#[derive(Debug)]
pub struct HttpError {
    pub status: StatusCode,
    pub body: ApiError,
    /// Sent as `Retry-After` (whole seconds): when a refused client may try again.
    pub retry_after: Option<std::time::Duration>,
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
            retry_after: None,
        }
    }

    /// The same error, telling the client when to try again.
    pub fn retry_after(mut self, wait: std::time::Duration) -> Self {
        self.retry_after = Some(wait);
        self
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
        let mut response = (self.status, Json(self.body)).into_response();
        if let Some(wait) = self.retry_after {
            let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs.max(1)));
        }
        response
    }
}

impl From<DbError> for HttpError {
    fn from(e: DbError) -> Self {
        match e {
            // One answer for a code that is unknown, used or expired: the answer must not
            // tell a guesser which codes exist. The handler logs which it was.
            DbError::CodeUnknown | DbError::CodeUsed | DbError::CodeExpired(_) => code_refused(),
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

/// The answer to an enrolment code that cannot be redeemed, whatever the reason.
pub fn code_refused() -> HttpError {
    HttpError::new(
        StatusCode::UNAUTHORIZED,
        "code_unknown",
        "this enrolment code cannot be used: it is not known, was already used (perhaps by an attempt whose answer was lost) or has expired; check it, or ask the field office for a new one",
    )
}

impl From<JsonRejection> for HttpError {
    fn from(r: JsonRejection) -> Self {
        match &r {
            JsonRejection::MissingJsonContentType(_) => {
                Self::new(StatusCode::UNSUPPORTED_MEDIA_TYPE, "invalid", r.body_text())
            }
            // Reading the body failed: past the size limit (413, the device sends less),
            // stalled (408, it retries), or a body that does not decode — a damaged zstd
            // stream is the request's fault (400), not its size.
            JsonRejection::BytesRejection(_) => {
                if r.status() == StatusCode::PAYLOAD_TOO_LARGE || caused_by::<LengthLimitError>(&r)
                {
                    Self::new(StatusCode::PAYLOAD_TOO_LARGE, "too_large", r.body_text())
                } else if caused_by::<TimeoutError>(&r) {
                    Self::new(
                        StatusCode::REQUEST_TIMEOUT,
                        "timeout",
                        "the request body stopped arriving; send it again",
                    )
                } else {
                    Self::new(
                        StatusCode::BAD_REQUEST,
                        "invalid",
                        format!("the request body could not be read: {}", r.body_text()),
                    )
                }
            }
            _ => Self::new(StatusCode::BAD_REQUEST, "invalid", r.body_text()),
        }
    }
}

/// Whether a body failed for this reason: past a size limit, or stalled past the body
/// timeout. Each body layer boxes the error of the one beneath, so the cause is looked for
/// down the chain.
fn caused_by<E: std::error::Error + 'static>(r: &JsonRejection) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(r);
    while let Some(e) = source {
        if e.is::<E>() {
            return true;
        }
        source = e.source();
    }
    false
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
        StatusCode::REQUEST_TIMEOUT => ("timeout", "the request took too long to arrive or to answer; send it again"),
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
