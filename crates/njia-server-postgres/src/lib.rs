//! The Njia server's storage on PostgreSQL, for a field office with many devices: the
//! [`Database`] trait of `njia-server-database`, with the same behaviour as the SQLite backend
//! (both pass the same conformance suite).
//!
//! ```no_run
//! # async fn run() -> njia_server_database::DbResult<()> {
//! use njia_server_database::Database;
//! use njia_server_postgres::PostgresDatabase;
//!
//! let db = PostgresDatabase::connect("postgres://njia@127.0.0.1:5432/njia").await?;
//! let everything = db.services().await?;
//! # Ok(()) }
//! ```
//!
//! How it keeps the trait's rules:
//! - one global change sequence, taken from a one-row counter table that every writing
//!   transaction updates (`change_counter`): the row lock serialises writers until they
//!   commit, so sequence values become visible in order and a device's cursor never skips a
//!   change (see `migrations/server/postgres/0001_initial.sql`);
//! - a push locks its device's row, so two pushes of one device serialise, and stores and
//!   applies its operations with a few array (`UNNEST`) statements in one transaction;
//! - a page of the change feed is read in one `REPEATABLE READ` snapshot, so the cursor it
//!   returns never runs ahead of what it has shown.
//!
//! Migrations are the SQL files of `migrations/server/postgres/`, embedded at build time and
//! applied by [`PostgresDatabase::connect`].

use chrono::{DateTime, Utc};
use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use njia_model::ops::Operation;
use njia_model::service::Service;
use njia_model::wire::{Correction, ServiceVersion};
use njia_server_database::{
    CorrectionRecord, CorrectionStatus, CorrectionsResult, Database, DbError, DbResult,
    DeviceRecord, FeedPage, Fork, ImportSummary, NewDevice, NewEnrollment, NewFork, NewWorker,
    OutreachRecord, PushResult, RestoredDevice, StoredOperation, Usage, WorkerChoice, WorkerEdit,
    WorkerRecord,
};
use tokio_postgres::NoTls;
use uuid::Uuid;

mod corrections;
mod devices;
mod directory;
mod feed;
mod history;
pub mod migrate;
mod outreach;
mod workers;

/// Connections kept open at most: enough for many devices syncing at once on a small
/// machine (writers queue on the change counter anyway).
const POOL_SIZE: usize = 16;

/// The PostgreSQL backend: a pool of connections. Cloning it shares the pool.
#[derive(Clone)]
pub struct PostgresDatabase {
    pool: Pool,
}

impl std::fmt::Debug for PostgresDatabase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostgresDatabase")
            .field("pool", &self.pool.status())
            .finish()
    }
}

impl PostgresDatabase {
    /// Connects to `url` (`postgres://user:password@host:port/database`, or the key=value
    /// form) and brings the schema up to date. Fails if the server cannot be reached.
    pub async fn connect(url: &str) -> DbResult<Self> {
        let config: tokio_postgres::Config = url
            .parse()
            .map_err(|e| DbError::Backend(format!("the database URL is not valid: {e}")))?;
        let manager = Manager::from_config(
            config,
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(POOL_SIZE)
            .build()
            .map_err(backend)?;
        migrate::migrate(&pool).await?;
        Ok(Self { pool })
    }

    async fn client(&self) -> DbResult<deadpool_postgres::Client> {
        self.pool.get().await.map_err(backend)
    }
}

/// A failure of PostgreSQL or of the pool, for the server's log, with its causes
/// ("error connecting to server: Connection refused").
pub(crate) fn backend(e: impl std::error::Error) -> DbError {
    DbError::Backend(describe(&e))
}

/// An error and its chain of causes, in one line.
pub fn describe(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        let more = cause.to_string();
        if !text.contains(&more) {
            text.push_str(": ");
            text.push_str(&more);
        }
        source = cause.source();
    }
    text
}

/// A stored JSON document that does not read back is a backend failure.
pub(crate) fn corrupt(what: &str, e: impl std::fmt::Display) -> DbError {
    DbError::Backend(format!("{what} does not read back: {e}"))
}

impl Database for PostgresDatabase {
    async fn import_services(
        &self,
        services: Vec<Service>,
        now: DateTime<Utc>,
    ) -> DbResult<ImportSummary> {
        let mut client = self.client().await?;
        let out = directory::import_services(&mut client, services, now).await?;
        history::seal(&mut client).await?;
        Ok(out)
    }

    async fn remove_services(&self, ids: Vec<String>, now: DateTime<Utc>) -> DbResult<u64> {
        let mut client = self.client().await?;
        let out = directory::remove_services(&mut client, ids, now).await?;
        history::seal(&mut client).await?;
        Ok(out)
    }

    async fn service(&self, id: &str) -> DbResult<Option<ServiceVersion>> {
        directory::service(&self.client().await?, id).await
    }

    async fn services(&self) -> DbResult<Vec<ServiceVersion>> {
        directory::services(&self.client().await?).await
    }

    async fn add_worker(&self, w: NewWorker) -> DbResult<WorkerRecord> {
        workers::add(&self.client().await?, w).await
    }

    async fn choose_worker(&self, choice: WorkerChoice) -> DbResult<WorkerRecord> {
        workers::choose_worker(&mut self.client().await?, choice).await
    }

    async fn workers(&self) -> DbResult<Vec<WorkerRecord>> {
        workers::all(&self.client().await?).await
    }

    async fn edit_worker(
        &self,
        id: Uuid,
        edit: WorkerEdit,
        now: DateTime<Utc>,
    ) -> DbResult<WorkerRecord> {
        workers::edit(&mut self.client().await?, id, edit, now).await
    }

    async fn create_enrollment(&self, e: NewEnrollment) -> DbResult<()> {
        devices::create_enrollment(&self.client().await?, e).await
    }

    async fn revoke_enrollment(&self, code_hash: &str, now: DateTime<Utc>) -> DbResult<bool> {
        devices::revoke_enrollment(&self.client().await?, code_hash, now).await
    }

    async fn redeem_enrollment(
        &self,
        code_hash: &str,
        device: NewDevice,
    ) -> DbResult<DeviceRecord> {
        devices::redeem_enrollment(&mut self.client().await?, code_hash, device).await
    }

    async fn device_by_token(&self, token_hash: &str) -> DbResult<Option<DeviceRecord>> {
        devices::device_by_token(&self.client().await?, token_hash).await
    }

    async fn devices(&self) -> DbResult<Vec<DeviceRecord>> {
        devices::devices(&self.client().await?).await
    }

    async fn device_usage(&self, device: Uuid, since: DateTime<Utc>) -> DbResult<Usage> {
        devices::usage(&self.client().await?, device, since).await
    }

    async fn revoke_device(&self, id: Uuid, now: DateTime<Utc>) -> DbResult<bool> {
        devices::revoke_device(&self.client().await?, id, now).await
    }

    async fn push_ops_seen(
        &self,
        device: &DeviceRecord,
        ops: Vec<Operation>,
        now: DateTime<Utc>,
        seen_seq: i64,
    ) -> DbResult<PushResult> {
        let mut client = self.client().await?;
        let out = outreach::push_ops(&mut client, device, ops, now, seen_seq).await?;
        history::seal(&mut client).await?;
        Ok(out)
    }

    async fn restore_device(&self, id: Uuid, _now: DateTime<Utc>) -> DbResult<RestoredDevice> {
        devices::restore(&mut self.client().await?, id).await
    }

    async fn fork_device(&self, parent: &DeviceRecord, fork: NewFork) -> DbResult<Fork> {
        devices::fork(&mut self.client().await?, parent, fork).await
    }

    async fn history_tag(&self, seq: i64) -> DbResult<Option<String>> {
        history::tag(&self.client().await?, seq).await
    }

    async fn head(&self) -> DbResult<i64> {
        history::head(&self.client().await?).await
    }

    async fn operations(&self) -> DbResult<Vec<StoredOperation>> {
        outreach::operations(&self.client().await?).await
    }

    async fn changes_since(
        &self,
        device: &DeviceRecord,
        cursor: i64,
        max_bytes: usize,
        patches: bool,
    ) -> DbResult<FeedPage> {
        feed::changes(
            &mut self.client().await?,
            device,
            cursor,
            max_bytes,
            patches,
        )
        .await
    }

    async fn outreach(&self) -> DbResult<Vec<OutreachRecord>> {
        outreach::outreach(&self.client().await?).await
    }

    async fn add_corrections(
        &self,
        device: &DeviceRecord,
        corrections: Vec<Correction>,
        now: DateTime<Utc>,
    ) -> DbResult<CorrectionsResult> {
        corrections::add_corrections(&mut self.client().await?, device, corrections, now).await
    }

    async fn corrections(
        &self,
        status: Option<CorrectionStatus>,
    ) -> DbResult<Vec<CorrectionRecord>> {
        corrections::corrections(&self.client().await?, status).await
    }

    async fn decide_correction(
        &self,
        id: Uuid,
        accept: bool,
        now: DateTime<Utc>,
    ) -> DbResult<CorrectionRecord> {
        let mut client = self.client().await?;
        let out = corrections::decide_correction(&mut client, id, accept, now).await?;
        history::seal(&mut client).await?;
        Ok(out)
    }
}
