//! Secrets and who is calling: random tokens and enrolment codes, stored only as SHA-256
//! hashes, and the extractor that turns a bearer token into an enrolled, unrevoked device.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use base64::Engine;
use njia_server_database::{Database, DeviceRecord};
use rand::Rng;
use sha2::{Digest, Sha256};

use crate::error::HttpError;
use crate::AppState;

/// Letters and digits that cannot be mistaken for one another when read aloud or typed.
const CODE_ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";

/// A new device token: 256 random bits, URL-safe.
pub fn new_token() -> String {
    let bytes: [u8; 32] = rand::thread_rng().gen();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// A new enrolment code like `K7QM-3XPA-9D`: ~50 bits, typed once, valid once.
pub fn new_code() -> String {
    let mut rng = rand::thread_rng();
    let chars: String = (0..10)
        .map(|_| CODE_ALPHABET[rng.gen_range(0..CODE_ALPHABET.len())] as char)
        .collect();
    format!("{}-{}-{}", &chars[0..4], &chars[4..8], &chars[8..10])
}

/// The form a code is hashed in: upper case, without spaces or dashes.
pub fn normalize_code(code: &str) -> String {
    code.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// SHA-256 in hex: tokens and codes are random, so a fast hash is enough to make a stolen
/// database useless for calling the API.
pub fn hash(secret: &str) -> String {
    Sha256::digest(secret.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// An authenticated, unrevoked device.
pub struct DeviceAuth(pub DeviceRecord);

/// An authenticated device, revoked or not: for `/sync`, which keeps a revoked device's
/// operations in quarantine before saying it is revoked.
pub struct AnyDevice(pub DeviceRecord);

/// The refusal a revoked device gets, in words.
pub fn revoked(at: chrono::DateTime<chrono::Utc>) -> HttpError {
    HttpError::new(
        StatusCode::UNAUTHORIZED,
        "revoked",
        format!(
            "this device was revoked on {}: it can no longer sync; what it sent is kept for the office to review; ask the field office",
            at.format("%Y-%m-%d")
        ),
    )
}

async fn device_of<D: Database>(
    parts: &Parts,
    state: &AppState<D>,
) -> Result<DeviceRecord, HttpError> {
    let token = parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| {
            HttpError::unauthorized("no device token: enrol the device first (njia enroll)")
        })?;
    state
        .db
        .device_by_token(&hash(token))
        .await?
        .ok_or_else(|| {
            HttpError::unauthorized(
                "this device token is not known to the server: enrol the device again",
            )
        })
}

impl<D: Database> FromRequestParts<AppState<D>> for DeviceAuth {
    type Rejection = HttpError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState<D>) -> Result<Self, HttpError> {
        let device = device_of(parts, state).await?;
        if let Some(at) = device.revoked_at {
            return Err(revoked(at));
        }
        Ok(DeviceAuth(device))
    }
}

impl<D: Database> FromRequestParts<AppState<D>> for AnyDevice {
    type Rejection = HttpError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState<D>) -> Result<Self, HttpError> {
        Ok(AnyDevice(device_of(parts, state).await?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_readable_and_normalise() {
        let c = new_code();
        assert_eq!(c.len(), 12);
        assert!(c
            .chars()
            .all(|ch| ch == '-' || CODE_ALPHABET.contains(&(ch as u8))));
        assert_eq!(normalize_code(" k7qm-3xpa 9d "), "K7QM3XPA9D");
        assert_ne!(new_code(), new_code());
    }

    #[test]
    fn tokens_are_long_random_and_hashed() {
        let t = new_token();
        assert!(t.len() >= 43);
        assert_ne!(t, new_token());
        assert_eq!(
            hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
