//! The one error type every command returns. It crosses into TypeScript as a tagged union
//! (`kind` plus the details a translated message needs), so the UI can say what happened in
//! the user's language and act on it (a revoked device, a wrong passphrase) without parsing
//! English text. `message` always carries the English words as a fallback.

use njia_store::passphrase::PassphraseError;
use njia_store::StoreError;
use njia_sync::SyncError;
use serde::Serialize;
use ts_rs::TS;

#[derive(Debug, Clone, PartialEq, Serialize, TS, thiserror::Error)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AppError {
    /// The store is locked: unlock it first.
    #[error("the store is locked")]
    Locked,
    #[error("wrong passphrase: it does not open this store")]
    WrongPassphrase,
    /// A new store needs a passphrase of at least this many characters.
    #[error("choose a passphrase of at least {min} characters")]
    PassphraseTooShort { min: u32 },
    /// A new store's passphrase is too easy to guess: `reason` is `repeated`, `sequence` or
    /// `common` (the store's rule, `njia_store::passphrase`).
    #[error("{message}")]
    WeakPassphrase { reason: String, message: String },
    /// Input refused by a rule; nothing was stored. `message` says which rule.
    #[error("{message}")]
    Invalid { message: String },
    #[error("{message}")]
    NotFound { message: String },
    /// Someone (a sync) changed the record since it was opened.
    #[error("{message}")]
    StaleEdit {
        current: i64,
        based_on: i64,
        message: String,
    },
    #[error("{message}")]
    Voided { message: String },
    #[error("this device is not enrolled")]
    NotEnrolled,
    /// The office revoked this device; `pending` changes never reached the server.
    #[error("{message}")]
    Revoked { pending: i64, message: String },
    #[error("{message}")]
    Unauthorized { message: String },
    /// The enrolment code was refused (`code_used`, `code_expired`, `code_unknown`).
    #[error("{message}")]
    EnrollRefused { code: String, message: String },
    #[error("{message}")]
    AlreadySynced { server: String, message: String },
    /// No network, or the server could not be reached.
    #[error("{message}")]
    Unreachable { message: String },
    #[error("{message}")]
    TimedOut { message: String },
    #[error("{message}")]
    ServerError { status: u16, message: String },
    #[error("{message}")]
    Refused { message: String },
    #[error("{message}")]
    BadAddress { message: String },
    /// Plain `http://` to a host that is not this machine or a private address.
    #[error("{message}")]
    Insecure { message: String },
    /// Anything else: the store or the app failed in a way the user cannot fix by retyping.
    #[error("{message}")]
    Internal { message: String },
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        let message = e.to_string();
        match e {
            StoreError::WrongPassphrase => Self::WrongPassphrase,
            StoreError::EmptyPassphrase => Self::PassphraseTooShort {
                min: njia_store::passphrase::MIN_CHARS as u32,
            },
            StoreError::WeakPassphrase(PassphraseError::TooShort { min, .. }) => {
                Self::PassphraseTooShort { min: min as u32 }
            }
            StoreError::WeakPassphrase(p) => Self::WeakPassphrase {
                reason: p.code().to_string(),
                message,
            },
            StoreError::Invalid(_) => Self::Invalid { message },
            StoreError::SessionNotFound(_)
            | StoreError::ReferralNotFound(_)
            | StoreError::ServiceNotFound(_) => Self::NotFound { message },
            StoreError::StaleEdit {
                current, based_on, ..
            } => Self::StaleEdit {
                current,
                based_on,
                message,
            },
            StoreError::Voided(_) => Self::Voided { message },
            StoreError::AlreadySynced { server } => Self::AlreadySynced { server, message },
            _ => Self::Internal { message },
        }
    }
}

impl From<SyncError> for AppError {
    fn from(e: SyncError) -> Self {
        let message = e.to_string();
        match e {
            SyncError::NotEnrolled => Self::NotEnrolled,
            SyncError::Revoked { pending, .. } => Self::Revoked { pending, message },
            SyncError::Unauthorized { .. } => Self::Unauthorized { message },
            SyncError::EnrollRefused { code, .. } => Self::EnrollRefused { code, message },
            SyncError::Unreachable { .. } => Self::Unreachable { message },
            SyncError::TimedOut { .. } => Self::TimedOut { message },
            SyncError::Server { status, .. } => Self::ServerError { status, message },
            SyncError::Refused { .. } | SyncError::Protocol { .. } => Self::Refused { message },
            SyncError::BadAddress { .. } => Self::BadAddress { message },
            SyncError::Insecure { .. } => Self::Insecure { message },
            SyncError::Store(s) => s.into(),
        }
    }
}

/// What every command returns.
pub type Result<T> = std::result::Result<T, AppError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_cross_as_a_tagged_union_with_the_details_a_message_needs() {
        let e = AppError::Revoked {
            pending: 3,
            message: "revoked".into(),
        };
        assert_eq!(
            serde_json::to_value(&e).unwrap(),
            serde_json::json!({"kind": "revoked", "pending": 3, "message": "revoked"})
        );
        assert_eq!(
            serde_json::to_value(AppError::Locked).unwrap(),
            serde_json::json!({"kind": "locked"})
        );
    }

    #[test]
    fn store_and_sync_errors_keep_their_kind() {
        assert_eq!(
            AppError::from(StoreError::WrongPassphrase),
            AppError::WrongPassphrase
        );
        let stale = AppError::from(StoreError::StaleEdit {
            id: "s".into(),
            current: 3,
            based_on: 2,
        });
        assert!(matches!(
            stale,
            AppError::StaleEdit {
                current: 3,
                based_on: 2,
                ..
            }
        ));
        let revoked = AppError::from(SyncError::Revoked {
            server: "http://x".into(),
            pending: 4,
        });
        assert!(matches!(revoked, AppError::Revoked { pending: 4, .. }));
        assert!(matches!(
            AppError::from(SyncError::Store(StoreError::ServiceNotFound("x".into()))),
            AppError::NotFound { .. }
        ));
        assert!(matches!(
            AppError::from(SyncError::Insecure {
                address: "http://x.org".into()
            }),
            AppError::Insecure { .. }
        ));
    }

    #[test]
    fn a_weak_passphrase_crosses_with_the_stores_reason() {
        assert_eq!(
            AppError::from(StoreError::WeakPassphrase(PassphraseError::TooShort {
                chars: 8,
                min: 10
            })),
            AppError::PassphraseTooShort { min: 10 }
        );
        for (e, reason) in [
            (PassphraseError::Repeated, "repeated"),
            (PassphraseError::Sequence, "sequence"),
            (PassphraseError::Common, "common"),
        ] {
            let app = AppError::from(StoreError::WeakPassphrase(e));
            let json = serde_json::to_value(&app).unwrap();
            assert_eq!(json["kind"], "weak_passphrase");
            assert_eq!(json["reason"], reason);
            assert!(json["message"].as_str().unwrap().contains("choose"));
        }
    }
}
