//! What can go wrong with the device store, in words a CHW can act on.

use std::path::PathBuf;

use njia_model::ValidationError;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The passphrase does not open this store.
    #[error("wrong passphrase: it does not open this store")]
    WrongPassphrase,
    #[error("the passphrase is empty")]
    EmptyPassphrase,
    /// A new store's passphrase fails the rule of [`crate::passphrase::check`]; nothing was
    /// created.
    #[error("{0}; nothing was created")]
    WeakPassphrase(#[from] crate::passphrase::PassphraseError),
    /// A key derived for another store file (the file was replaced while it was unlocked).
    #[error("{0} is not the store this key was made for; unlock it again")]
    KeyMismatch(PathBuf),
    #[error("{0} is not a Njia store (it is a plain, unencrypted SQLite database)")]
    Unencrypted(PathBuf),
    #[error("cannot read {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    /// Input refused by a rule; nothing was stored.
    #[error(transparent)]
    Invalid(#[from] ValidationError),
    #[error("no outreach session with id {0}")]
    SessionNotFound(String),
    #[error("no referral with id {0}")]
    ReferralNotFound(String),
    #[error("no service with id {0} in this device's directory")]
    ServiceNotFound(String),
    #[error("session {id} is at version {current}, but the edit was based on version {based_on}: show it again and redo the edit")]
    StaleEdit {
        id: String,
        current: i64,
        based_on: i64,
    },
    #[error("session {0} is voided; a voided session cannot be changed")]
    Voided(String),
    /// A store that has synced (or sent its log) belongs to its device id on that server
    /// for good.
    #[error("this device has already synced with {server}, so it cannot take another device id: its records there belong to its id. It can be enrolled again as itself with a code for the same worker; to enrol for another worker or server, start a new store (--db PATH) once everything here is synced")]
    AlreadySynced { server: String },
    #[error("the store's schema could not be upgraded: {0}")]
    Migration(#[from] rusqlite_migration::Error),
    #[error("the store holds damaged data: {0}")]
    Corrupt(String),
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
}
