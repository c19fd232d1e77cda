//! The device's sync engine (DESIGN §3, docs/sync.md): enrol a device with a one-time code,
//! then sync — push the operation log, send corrections, pull the change feed — over HTTP,
//! compressed with zstd, one store transaction per answer, so a cut anywhere loses nothing
//! and sends nothing twice.
//!
//! ```no_run
//! # async fn run() -> Result<(), njia_sync::SyncError> {
//! use njia_store::Store;
//! use njia_sync::SyncClient;
//!
//! let mut store = Store::open("njia.db".as_ref(), "a long passphrase")?;
//! let client = SyncClient::new()?;
//! client.enroll(&mut store, "https://njia.example.org", "K7QM-3XPA-9D", Some("Amina's tablet")).await?;
//! let report = client.sync(&mut store, None, |r| eprintln!("{} sent", r.ops_pushed)).await?;
//! assert!(report.complete, "say \"synced\" only when this is true");
//! # Ok(()) }
//! ```
//!
//! # Threads and the store
//!
//! The store is a rusqlite connection: it lives on one thread at a time and is written only
//! between awaits, so the API takes `&mut Store` and is `async` (the HTTP runs on tokio).
//! The future is `Send` when the progress callback is, so the app can run it on a tokio
//! task. [`blocking`] wraps the same calls in a small runtime for the CLI.
//!
//! The app should give its background sync task **its own** [`Store`] (a second connection
//! to the same file, opened with the same passphrase) rather than lock the UI's store for
//! the length of a sync on a slow network: SQLite's WAL lets the UI read while a page is
//! applied, and each write is one short transaction. After a sync or an enrolment on that
//! connection, call [`Store::reload`] on the UI's store (device id, clock, language bits);
//! local writes already take the newest clock stamp from the file.
//!
//! Cancelling (dropping the future) is safe at any point: the store only ever holds whole
//! answers.
//!
//! # Retries
//!
//! Within one call, transient failures (no connection, timeout, 5xx, an answer cut short)
//! are retried [`SyncOptions::retries`] times with [`Backoff::RETRY`]; a timeout or a cut
//! also halves the next page and batch, so a 2G link keeps moving forward instead of
//! restarting the same large request. Between calls, the app's timer waits
//! [`Backoff::TIMER`] (see [`backoff_delay`]) after a failure for which
//! [`SyncError::is_transient`] is true; the other errors need a person.

mod backoff;
pub mod blocking;
mod client;
pub mod codec;
mod error;
pub mod pin;

pub use backoff::{backoff_delay, Backoff};
pub use client::{normalize_server, SyncClient, SyncOptions, SyncReport, FAILPOINTS};
pub use error::SyncError;
pub use njia_store::sync::{Enrollment, SyncStatus};
