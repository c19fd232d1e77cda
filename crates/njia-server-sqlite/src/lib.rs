//! The SQLite backend of the Njia server's storage ([`njia_server_database::Database`]):
//! one file in the data folder, in WAL mode, with one writer connection (writes serialise on
//! it, which is also what keeps the global sequence visible in order) and a few reader
//! connections, so feeds and lists are served while a push is being written.
//!
//! ```no_run
//! # async fn demo() -> Result<(), njia_server_database::DbError> {
//! use njia_server_database::Database;
//! use njia_server_sqlite::SqliteDatabase;
//!
//! let db = SqliteDatabase::open(std::path::Path::new("/var/lib/njia/server.db"))?;
//! let services = db.services().await?;
//! # Ok(()) }
//! ```
//!
//! Every method runs its SQLite work on tokio's blocking pool, so callers never block the
//! runtime. The schema is `migrations/server/sqlite/`, applied on open.

mod codec;
mod corrections;
mod devices;
mod directory;
mod error;
mod feed;
mod history;
mod outreach;
pub mod schema;
mod workers;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use njia_model::ops::Operation;
use njia_model::service::Service;
use njia_model::wire::{Correction, ServiceVersion};
use njia_server_database::{
    CorrectionRecord, CorrectionStatus, CorrectionsResult, Database, DbError, DbResult,
    DeviceRecord, FeedPage, Fork, ImportSummary, NewDevice, NewEnrollment, NewFork, NewWorker,
    OutreachRecord, PushResult, RestoredDevice, StoredOperation, Usage, WorkerChoice, WorkerEdit,
    WorkerRecord,
};
use rusqlite::{Connection, OpenFlags};
use uuid::Uuid;

pub use corrections::FIELDS as CORRECTION_FIELDS;
use error::{Error, Result};

/// Reader connections kept open between reads; more are opened when reads overlap.
const IDLE_READERS: usize = 4;

/// The server's storage in one SQLite file. Cheap to clone: clones share the connections.
#[derive(Clone)]
pub struct SqliteDatabase {
    inner: Arc<Inner>,
}

struct Inner {
    path: PathBuf,
    /// Writers queue here, on the runtime, and only the one holding the lock occupies a
    /// blocking thread: a hundred devices pushing at once do not park a hundred threads.
    writer: Arc<tokio::sync::Mutex<Connection>>,
    readers: Mutex<Vec<Connection>>,
}

impl std::fmt::Debug for SqliteDatabase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteDatabase")
            .field("path", &self.inner.path)
            .finish_non_exhaustive()
    }
}

impl SqliteDatabase {
    /// Opens the database file, creating it and bringing its schema up to date.
    pub fn open(path: &Path) -> DbResult<Self> {
        let open = || -> Result<Connection> {
            let mut conn = Connection::open(path)?;
            schema::configure(&conn)?;
            schema::migrate(&mut conn)?;
            Ok(conn)
        };
        let writer = open().map_err(|e| match DbError::from(e) {
            DbError::Backend(m) => DbError::Backend(format!("{}: {m}", path.display())),
            other => other,
        })?;
        Ok(Self {
            inner: Arc::new(Inner {
                path: path.to_path_buf(),
                writer: Arc::new(tokio::sync::Mutex::new(writer)),
                readers: Mutex::new(Vec::new()),
            }),
        })
    }

    /// Where the database file is.
    pub fn path(&self) -> &Path {
        &self.inner.path
    }

    /// Runs `f` on the writer connection, on the blocking pool.
    async fn write<T, F>(&self, f: F) -> DbResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T> + Send + 'static,
    {
        let mut conn = self.inner.writer.clone().lock_owned().await;
        // If the caller's future is dropped while this runs, the task still finishes and
        // commits or rolls back before the lock is released.
        tokio::task::spawn_blocking(move || {
            let out = f(&mut conn).map_err(DbError::from)?;
            // Every write, even one that took no sequence value, seals what is unsealed:
            // a seal lost to a crash is made by the next write.
            history::seal(&conn).map_err(DbError::from)?;
            Ok(out)
        })
        .await
        .map_err(|e| DbError::Backend(format!("storage task failed: {e}")))?
    }

    /// Runs `f` on a reader connection, on the blocking pool.
    async fn read<T, F>(&self, f: F) -> DbResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T> + Send + 'static,
    {
        let inner = self.inner.clone();
        tokio::task::spawn_blocking(move || {
            let idle = inner
                .readers
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .pop();
            let mut conn = match idle {
                Some(c) => c,
                None => open_reader(&inner.path).map_err(DbError::from)?,
            };
            let out = f(&mut conn).map_err(DbError::from);
            // A connection left inside a transaction by an error is not reused.
            if conn.is_autocommit() {
                let mut idle = inner.readers.lock().unwrap_or_else(|p| p.into_inner());
                if idle.len() < IDLE_READERS {
                    idle.push(conn);
                }
            }
            out
        })
        .await
        .map_err(|e| DbError::Backend(format!("storage task failed: {e}")))?
    }
}

fn open_reader(path: &Path) -> Result<Connection> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| Error::backend(format!("{}: {e}", path.display())))?;
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    conn.pragma_update(None, "cache_size", -16_384)?;
    conn.set_prepared_statement_cache_capacity(32);
    Ok(conn)
}

impl Database for SqliteDatabase {
    async fn import_services(
        &self,
        services: Vec<Service>,
        now: DateTime<Utc>,
    ) -> DbResult<ImportSummary> {
        self.write(move |c| directory::import_services(c, services, now))
            .await
    }

    async fn remove_services(&self, ids: Vec<String>, now: DateTime<Utc>) -> DbResult<u64> {
        self.write(move |c| directory::remove_services(c, ids, now))
            .await
    }

    async fn service(&self, id: &str) -> DbResult<Option<ServiceVersion>> {
        let id = id.to_string();
        self.read(move |c| directory::service(c, &id)).await
    }

    async fn services(&self) -> DbResult<Vec<ServiceVersion>> {
        self.read(directory::services).await
    }

    async fn add_worker(&self, w: NewWorker) -> DbResult<WorkerRecord> {
        self.write(move |c| workers::add(c, &w)).await
    }

    async fn choose_worker(&self, choice: WorkerChoice) -> DbResult<WorkerRecord> {
        self.write(move |c| workers::choose_worker(c, &choice))
            .await
    }

    async fn workers(&self) -> DbResult<Vec<WorkerRecord>> {
        self.read(|c| workers::all(c)).await
    }

    async fn edit_worker(
        &self,
        id: Uuid,
        edit: WorkerEdit,
        now: DateTime<Utc>,
    ) -> DbResult<WorkerRecord> {
        self.write(move |c| workers::edit(c, id, &edit, now)).await
    }

    async fn create_enrollment(&self, e: NewEnrollment) -> DbResult<()> {
        self.write(move |c| devices::create_enrollment(c, &e)).await
    }

    async fn revoke_enrollment(&self, code_hash: &str, now: DateTime<Utc>) -> DbResult<bool> {
        let code_hash = code_hash.to_string();
        self.write(move |c| devices::revoke_enrollment(c, &code_hash, now))
            .await
    }

    async fn redeem_enrollment(
        &self,
        code_hash: &str,
        device: NewDevice,
    ) -> DbResult<DeviceRecord> {
        let code_hash = code_hash.to_string();
        self.write(move |c| devices::redeem_enrollment(c, &code_hash, &device))
            .await
    }

    async fn device_by_token(&self, token_hash: &str) -> DbResult<Option<DeviceRecord>> {
        let token_hash = token_hash.to_string();
        self.read(move |c| devices::by_token(c, &token_hash)).await
    }

    async fn devices(&self) -> DbResult<Vec<DeviceRecord>> {
        self.read(|c| devices::all(c)).await
    }

    async fn device_usage(&self, device: Uuid, since: DateTime<Utc>) -> DbResult<Usage> {
        self.read(move |c| devices::usage(c, device, since)).await
    }

    async fn revoke_device(&self, id: Uuid, now: DateTime<Utc>) -> DbResult<bool> {
        self.write(move |c| devices::revoke(c, id, now)).await
    }

    async fn push_ops_seen(
        &self,
        device: &DeviceRecord,
        ops: Vec<Operation>,
        now: DateTime<Utc>,
        seen_seq: i64,
    ) -> DbResult<PushResult> {
        let device = device.clone();
        self.write(move |c| outreach::push_ops(c, &device, ops, now, seen_seq))
            .await
    }

    async fn restore_device(&self, id: Uuid, _now: DateTime<Utc>) -> DbResult<RestoredDevice> {
        self.write(move |c| devices::restore(c, id)).await
    }

    async fn fork_device(&self, parent: &DeviceRecord, fork: NewFork) -> DbResult<Fork> {
        let parent = parent.clone();
        self.write(move |c| devices::fork(c, &parent, &fork)).await
    }

    async fn history_tag(&self, seq: i64) -> DbResult<Option<String>> {
        self.read(move |c| history::tag(c, seq)).await
    }

    async fn head(&self) -> DbResult<i64> {
        self.read(|c| directory::current_seq(c)).await
    }

    async fn operations(&self) -> DbResult<Vec<StoredOperation>> {
        self.read(outreach::operations).await
    }

    async fn changes_since(
        &self,
        device: &DeviceRecord,
        cursor: i64,
        max_bytes: usize,
        patches: bool,
    ) -> DbResult<FeedPage> {
        let device = device.clone();
        self.read(move |c| feed::changes(c, &device, cursor, max_bytes, patches))
            .await
    }

    async fn outreach(&self) -> DbResult<Vec<OutreachRecord>> {
        self.read(outreach::outreach).await
    }

    async fn add_corrections(
        &self,
        device: &DeviceRecord,
        corrections: Vec<Correction>,
        now: DateTime<Utc>,
    ) -> DbResult<CorrectionsResult> {
        let device = device.clone();
        self.write(move |c| corrections::add_corrections(c, &device, corrections, now))
            .await
    }

    async fn corrections(
        &self,
        status: Option<CorrectionStatus>,
    ) -> DbResult<Vec<CorrectionRecord>> {
        self.read(move |c| corrections::corrections(c, status))
            .await
    }

    async fn decide_correction(
        &self,
        id: Uuid,
        accept: bool,
        now: DateTime<Utc>,
    ) -> DbResult<CorrectionRecord> {
        self.write(move |c| corrections::decide(c, id, accept, now))
            .await
    }
}
