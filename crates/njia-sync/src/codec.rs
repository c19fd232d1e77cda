//! Bodies on the wire: JSON compressed with zstd in both directions (DESIGN §3). Done here
//! rather than by reqwest's features so the bytes counted are the bytes sent, and so a
//! response too large to be honest is refused before it fills the phone's memory.

use std::io::Read;

use serde::de::DeserializeOwned;
use serde::Serialize;

/// zstd level for requests: level 3 is zstd's default, fast on a phone and within a few
/// percent of the higher levels on JSON like ours.
pub const LEVEL: i32 = 3;

/// Largest decompressed body accepted (the device asks for pages of 4 MB).
pub const MAX_DECODED: u64 = 64 * 1024 * 1024;

/// Serialises a value to JSON and compresses it; returns the compressed bytes and the
/// length of the JSON.
pub fn encode<T: Serialize>(value: &T) -> std::io::Result<(Vec<u8>, usize)> {
    let json = serde_json::to_vec(value)?;
    let body = zstd::encode_all(json.as_slice(), LEVEL)?;
    Ok((body, json.len()))
}

/// Why a body could not be read.
#[derive(Debug, thiserror::Error)]
pub enum DecodeError {
    /// The zstd stream is cut short or damaged: most likely the connection was cut.
    #[error("the compressed answer is cut short or damaged ({0})")]
    Damaged(std::io::Error),
    #[error("the answer is larger than {} MB once decompressed", MAX_DECODED / 1024 / 1024)]
    TooLarge,
    /// The JSON ends before it is complete: most likely the connection was cut.
    #[error("the answer is cut short ({0})")]
    Truncated(serde_json::Error),
    /// Complete JSON that is not what the protocol says.
    #[error("{0}")]
    Invalid(serde_json::Error),
}

impl DecodeError {
    /// Whether trying again may help (the body was cut), rather than a server speaking
    /// another protocol.
    pub fn is_cut(&self) -> bool {
        matches!(self, Self::Damaged(_) | Self::Truncated(_))
    }
}

/// Decompresses a zstd body, refusing more than [`MAX_DECODED`] bytes.
pub fn decompress(body: &[u8]) -> Result<Vec<u8>, DecodeError> {
    let decoder = zstd::stream::read::Decoder::new(body).map_err(DecodeError::Damaged)?;
    let mut out = Vec::with_capacity(body.len().saturating_mul(4).min(1 << 24));
    decoder
        .take(MAX_DECODED + 1)
        .read_to_end(&mut out)
        .map_err(DecodeError::Damaged)?;
    if out.len() as u64 > MAX_DECODED {
        return Err(DecodeError::TooLarge);
    }
    Ok(out)
}

/// Reads a JSON body, decompressing it first when `zstd` says it is compressed.
pub fn decode<T: DeserializeOwned>(body: &[u8], zstd: bool) -> Result<T, DecodeError> {
    let owned;
    let json = if zstd {
        owned = decompress(body)?;
        owned.as_slice()
    } else {
        body
    };
    serde_json::from_slice(json).map_err(|e| {
        if e.is_eof() {
            DecodeError::Truncated(e)
        } else {
            DecodeError::Invalid(e)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;
    use njia_model::wire::{Changes, SyncRequest, SyncResponse};
    use uuid::Uuid;

    #[test]
    fn a_request_round_trips_through_zstd_and_shrinks() {
        let req = SyncRequest {
            ops: vec![],
            cursor: 42,
            corrections: (0..50)
                .map(|i| njia_model::wire::Correction {
                    id: Uuid::from_u128(i),
                    service_id: format!("svc-{i}"),
                    field: "phone".into(),
                    value: Some("+254 700 000 000".into()),
                    note: "the number on the door".into(),
                    based_on_version: 3,
                    created_at: Utc::now(),
                })
                .collect(),
            max_bytes: Some(4 << 20),
            patches: true,
            protocol: None,
            cursor_tag: None,
        };
        let (body, json_len) = encode(&req).unwrap();
        assert!(body.len() * 4 < json_len, "{} of {json_len}", body.len());
        assert_eq!(&body[..4], &[0x28, 0xb5, 0x2f, 0xfd], "zstd magic number");
        let back: SyncRequest = decode(&body, true).unwrap();
        assert_eq!(back, req);
    }

    #[test]
    fn a_cut_body_is_told_apart_from_a_wrong_one() {
        let resp = SyncResponse {
            acked_idx: 7,
            corrections_acked: vec![],
            changes: Changes::default(),
            cursor: 9,
            more: false,
            remaining: None,
            refused: vec![],
            corrections_refused: vec![],
            cursor_tag: None,
            server_time: Utc::now(),
        };
        let (body, _) = encode(&resp).unwrap();
        let cut = decode::<SyncResponse>(&body[..body.len() / 2], true).unwrap_err();
        assert!(cut.is_cut(), "{cut}");
        let json = serde_json::to_vec(&resp).unwrap();
        let cut = decode::<SyncResponse>(&json[..json.len() - 3], false).unwrap_err();
        assert!(cut.is_cut(), "{cut}");
        let wrong = decode::<SyncResponse>(br#"{"hello": "world"}"#, false).unwrap_err();
        assert!(!wrong.is_cut(), "{wrong}");
        assert_eq!(
            decode::<SyncResponse>(&json, false).unwrap(),
            resp,
            "an uncompressed answer is read too"
        );
    }

    #[test]
    fn a_decompression_bomb_is_refused() {
        let zeros = vec![b' '; (MAX_DECODED + 10) as usize];
        let bomb = zstd::encode_all(zeros.as_slice(), 1).unwrap();
        assert!(bomb.len() < 100_000);
        assert!(matches!(decompress(&bomb), Err(DecodeError::TooLarge)));
    }
}
