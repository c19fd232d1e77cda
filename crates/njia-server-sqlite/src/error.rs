//! Errors inside the backend: rusqlite's and the trait's, joined so `?` works on both, and
//! turned into [`DbError`] at the trait boundary.

use njia_server_database::DbError;

#[derive(Debug)]
pub(crate) enum Error {
    Db(DbError),
    Sqlite(rusqlite::Error),
}

pub(crate) type Result<T> = std::result::Result<T, Error>;

impl Error {
    pub(crate) fn invalid(msg: impl Into<String>) -> Self {
        Self::Db(DbError::Invalid(msg.into()))
    }

    pub(crate) fn backend(msg: impl Into<String>) -> Self {
        Self::Db(DbError::Backend(msg.into()))
    }

    /// Stored data that does not read back: a bug or a file edited by hand.
    pub(crate) fn corrupt(what: &str, e: impl std::fmt::Display) -> Self {
        Self::backend(format!("stored {what} does not read back: {e}"))
    }
}

impl From<DbError> for Error {
    fn from(e: DbError) -> Self {
        Self::Db(e)
    }
}

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        Self::Sqlite(e)
    }
}

impl From<Error> for DbError {
    fn from(e: Error) -> Self {
        match e {
            Error::Db(e) => e,
            Error::Sqlite(e) => DbError::Backend(e.to_string()),
        }
    }
}

/// Whether an error is a UNIQUE or PRIMARY KEY violation (a client reusing an id).
pub(crate) fn is_unique_violation(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(rusqlite::ErrorCode::ConstraintViolation)
    ) && matches!(
        e,
        rusqlite::Error::SqliteFailure(f, _)
            if f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
                || f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY
    )
}
