//! What can stop a sync or an enrolment, in words a CHW can act on, with a stable kind the
//! app matches on.

use njia_store::StoreError;
use serde::ser::SerializeStruct;
use serde::{Serialize, Serializer};

/// Why a sync or an enrolment did not go through.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error("this device is not enrolled: run `njia enroll --server URL --code CODE` with a code from the office")]
    NotEnrolled,
    /// The office revoked this device: every request is refused from now on.
    #[error("this device was revoked by the office, so {server} no longer accepts it: ask the office what to do ({pending} change(s) recorded on this device are not in the office's records; what reached the server is kept for the office to review, and is sent again if the office restores the device)")]
    Revoked { server: String, pending: i64 },
    /// The server does not know this device's token.
    #[error("{server} does not accept this device's credentials ({message}): ask the office to check its enrolment")]
    Unauthorized { server: String, message: String },
    /// The one-time code was refused (`code_used`, `code_expired`, `code_unknown`).
    #[error("the enrolment code was refused: {message}; ask the office for a new code")]
    EnrollRefused { code: String, message: String },
    /// The server could not be reached, or the connection broke mid-answer.
    #[error("no connection to {url}: {reason}")]
    Unreachable { url: String, reason: String },
    #[error("{url} did not answer in time ({seconds} s): the connection is too slow or the server is stuck; try again later")]
    TimedOut { url: String, seconds: u64 },
    /// The server failed (5xx) and kept failing on retries.
    #[error("the server at {url} failed ({status}): {message}")]
    Server {
        url: String,
        status: u16,
        message: String,
    },
    /// The server refused the request as invalid (4xx): a bug on one side, not a network
    /// problem; trying again will not help.
    #[error("the server at {url} refused the request ({status} {code}): {message}")]
    Refused {
        url: String,
        status: u16,
        code: String,
        message: String,
    },
    /// The server answered something this app does not understand.
    #[error("the server at {url} answered in a way this app does not understand: {message}")]
    Protocol { url: String, message: String },
    #[error("\"{address}\" is not a server address: {reason}")]
    BadAddress { address: String, reason: String },
    /// Plain `http://` to a host that is not this machine or a private address.
    #[error("{address} is plain http://, which would send this device's token and outreach unencrypted over the network: use its https:// address, or an http:// address on this machine or a private network (localhost, 10.x, 172.16–31.x, 192.168.x, 169.254.x, fc00::/7, fe80::/10); to accept the risk anyway, pass --insecure")]
    Insecure { address: String },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl SyncError {
    /// A stable name of the kind of error, for programs (the app, `--json`).
    pub fn kind(&self) -> &'static str {
        match self {
            Self::NotEnrolled => "not_enrolled",
            Self::Revoked { .. } => "revoked",
            Self::Unauthorized { .. } => "unauthorized",
            Self::EnrollRefused { .. } => "enroll_refused",
            Self::Unreachable { .. } => "unreachable",
            Self::TimedOut { .. } => "timed_out",
            Self::Server { .. } => "server_error",
            Self::Refused { .. } => "refused",
            Self::Protocol { .. } => "protocol",
            Self::BadAddress { .. } => "bad_address",
            Self::Insecure { .. } => "insecure",
            Self::Store(StoreError::AlreadySynced { .. }) => "already_synced",
            Self::Store(_) => "store",
        }
    }

    /// Whether the same request may succeed later without anyone doing anything (network,
    /// server overload): what the app's timer retries with backoff. Revocation, a refused
    /// code or a protocol mismatch need a person.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            Self::Unreachable { .. } | Self::TimedOut { .. } | Self::Server { .. }
        )
    }
}

/// `{"type": "revoked", "message": "this device was revoked…"}`: the app matches on the type
/// and shows the message.
impl Serialize for SyncError {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("SyncError", 2)?;
        st.serialize_field("type", self.kind())?;
        st.serialize_field("message", &self.to_string())?;
        st.end()
    }
}
