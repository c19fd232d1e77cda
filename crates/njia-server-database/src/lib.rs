//! What the Njia server needs from its storage, as one trait, so the HTTP layer is written
//! once and SQLite (the default, one file in the data folder) and PostgreSQL (a field office
//! with many devices) are interchangeable. The server is generic over it
//! (`router::<D: Database>`); `main` picks the backend from the database URL.
//!
//! The rules every backend keeps (and the conformance suite in [`testsuite`] checks):
//! - pushes are idempotent on `(device_id, idx)`; a batch is stored and applied in one
//!   transaction; the acknowledged idx is the highest with no gap before it;
//! - every directory change and every stored operation gets the next value of one global
//!   sequence, and sequence values become visible in order (writers serialise on it), so a
//!   device's cursor never skips a change;
//! - outreach records are their operations merged field by field by HLC
//!   (`njia_model::ops::apply_patch`), whatever order operations arrive in;
//! - tokens and enrolment codes are stored only as hashes (callers pass hashes).

use std::future::Future;

use chrono::{DateTime, Utc};
use njia_model::ops::Operation;
use njia_model::service::Service;
use njia_model::wire::{Changes, Correction, RefusedCorrection, RefusedOp, Role, ServiceVersion};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use uuid::Uuid;

pub mod conflicts;
pub mod delta;
pub mod merge;
mod office;
#[cfg(feature = "testsuite")]
pub mod testsuite;
pub mod workers;

/// What can go wrong in storage, in words the HTTP layer can pass on.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("this enrolment code is not known")]
    CodeUnknown,
    #[error("this enrolment code was already used")]
    CodeUsed,
    #[error("this enrolment code expired at {0}")]
    CodeExpired(DateTime<Utc>),
    /// The pushed operations do not continue the stored log.
    #[error("operations must continue from idx {}", acked + 1)]
    Gap { acked: i64 },
    /// The device's log differs from what the server holds for it at `at` (its store was
    /// restored from an older copy, or copied to another phone): it must fork.
    #[error("the server holds another operation {at} of this device: its log was restored from an older copy; the device must take a new id (fork) to send its new records")]
    Diverged { acked: i64, at: i64 },
    #[error("{0}")]
    Invalid(String),
    #[error("no {what} with id {id}")]
    NotFound { what: &'static str, id: String },
    /// A failure of the backend itself (I/O, connection, constraint), logged by the server
    /// and never shown to clients.
    #[error("storage failure: {0}")]
    Backend(String),
}

pub type DbResult<T> = Result<T, DbError>;

/// An enrolled device.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeviceRecord {
    pub id: Uuid,
    /// The worker it belongs to: what its ownership and visibility key on.
    pub worker_id: Uuid,
    /// The worker's name and team, for people reading lists.
    pub worker: String,
    pub team: Option<String>,
    pub role: Role,
    /// ISO 3166 country codes; empty means every region.
    pub regions: Vec<String>,
    pub label: Option<String>,
    pub enrolled_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub last_seen_at: Option<DateTime<Utc>>,
    /// The highest idx of its log the server holds.
    pub acked_idx: i64,
    /// The device it was forked from: a restored copy of that device's store took this new
    /// id, and its log up to `fork_base` is the parent's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub forked_from: Option<Uuid>,
}

/// What a push did: how far the log is held, and the operations held but not applied.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PushResult {
    pub acked_idx: i64,
    /// Refused operations of the push, including ones held from an earlier push of the
    /// same operations (a resend after a lost answer gets the same refusals).
    pub refused: Vec<RefusedOp>,
}

/// What a device has stored on the server over a stretch of time: what the per-device
/// quota is measured against, so one device cannot fill the office's disk.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Usage {
    /// Operations held (applied or refused) and corrections received.
    pub items: i64,
    /// Their bytes as stored: operation payloads and correction text.
    pub bytes: i64,
}

/// What restoring a device did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RestoredDevice {
    /// It was revoked (false: nothing to restore).
    pub was_revoked: bool,
    /// Operations it pushed while revoked, released to be sent again.
    pub released: u64,
}

/// What storing corrections did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CorrectionsResult {
    /// Ids now held (new or already held).
    pub acked: Vec<Uuid>,
    /// Ids refused, with why: nothing was stored for them.
    pub refused: Vec<RefusedCorrection>,
}

/// A new device for a restored copy of an existing device's store (`POST /api/v1/fork`).
#[derive(Debug, Clone, PartialEq)]
pub struct NewFork {
    pub fork_id: Uuid,
    /// The id the new device gets, unless a fork of this `fork_id` exists.
    pub id: Uuid,
    pub token_hash: String,
    pub after: i64,
    pub op_ids: Vec<Uuid>,
    pub now: DateTime<Utc>,
}

/// A fork made (or found again): the new device and where its log starts.
#[derive(Debug, Clone, PartialEq)]
pub struct Fork {
    pub device: DeviceRecord,
    pub base_idx: i64,
}

/// A one-time enrolment code being issued (its hash; the code itself is shown once).
#[derive(Debug, Clone, PartialEq)]
pub struct NewEnrollment {
    pub code_hash: String,
    /// The worker (held: see [`Database::choose_worker`]) the device will belong to; the
    /// device takes the worker's name and team as they are when the code is redeemed.
    pub worker_id: Uuid,
    pub role: Role,
    pub regions: Vec<String>,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// A device being created by redeeming a code, or enrolled again as itself.
#[derive(Debug, Clone, PartialEq)]
pub struct NewDevice {
    pub id: Uuid,
    pub token_hash: String,
    pub label: Option<String>,
    pub now: DateTime<Utc>,
    /// Re-enrolment of the existing device `id`: the hash of the token that device holds,
    /// as proof. A store whose operations may be on the server keeps its id when its CHW
    /// enrols it again (a lost answer, a new code), so its records stay its own.
    pub proof: Option<String>,
}

/// A device as a re-enrolment finds it stored ([`check_reenrollment`]).
#[derive(Debug, Clone, Copy)]
pub struct HeldDevice<'a> {
    pub worker_id: Uuid,
    /// The worker's name, for the words of a refusal.
    pub worker: &'a str,
    /// The proof is the hash of the token stored for it.
    pub proof_matches: bool,
    pub revoked: bool,
}

/// The rule of a re-enrolment ([`NewDevice::proof`]), for every backend: `held` is the
/// device as stored (`None`: no such device), `code` the worker (id, name) the code was
/// issued for.
pub fn check_reenrollment(
    id: Uuid,
    held: Option<HeldDevice<'_>>,
    code: (Uuid, &str),
) -> DbResult<()> {
    if id == OFFICE_DEVICE_ID {
        return Err(DbError::Invalid(
            "the office's own device cannot be enrolled".into(),
        ));
    }
    let Some(held) = held else {
        return Err(DbError::Invalid(format!(
            "device {id} is not known to this server: enrol this store as a new device only once everything in it is synced elsewhere"
        )));
    };
    if !held.proof_matches {
        return Err(DbError::Invalid(format!(
            "the token this store holds is not device {id}'s: it cannot be enrolled again as that device"
        )));
    }
    if held.revoked {
        return Err(DbError::Invalid(format!(
            "device {id} was revoked: the office must enrol this phone as a new device"
        )));
    }
    if held.worker_id != code.0 {
        return Err(DbError::Invalid(format!(
            "this code is for {} (worker {}), but this device holds the records of {} (worker {}): enrol it again with a code for worker {}",
            code.1, code.0, held.worker, held.worker_id, held.worker_id
        )));
    }
    Ok(())
}

/// What an import changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportSummary {
    pub inserted: u64,
    pub updated: u64,
    pub unchanged: u64,
}

/// Kind of outreach record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordKind {
    Session,
    Referral,
}

/// An outreach record in its current, merged state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutreachRecord {
    pub id: Uuid,
    pub kind: RecordKind,
    /// The device that created it.
    pub device_id: Uuid,
    /// The worker it belongs to (of the creating device; of its session, for a referral).
    pub worker_id: Uuid,
    /// That worker's name, and the team the record belongs to (the worker's when the
    /// record was made).
    pub worker: String,
    pub team: Option<String>,
    /// How many operations changed it.
    pub version: i64,
    /// Its fields, as the device's session file has them (DESIGN §5).
    pub fields: Map<String, Value>,
    pub updated_at: DateTime<Utc>,
}

/// Review state of a correction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CorrectionStatus {
    Pending,
    Accepted,
    Rejected,
}

/// A correction as the office reviews it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CorrectionRecord {
    #[serde(flatten)]
    pub correction: Correction,
    pub device_id: Uuid,
    pub worker: String,
    pub status: CorrectionStatus,
    /// The service changed since the version the CHW saw: review by hand.
    pub stale: bool,
    pub received_at: DateTime<Utc>,
    pub decided_at: Option<DateTime<Utc>>,
}

pub use conflicts::Conflict;
pub use office::{OfficeEdit, OFFICE_DEVICE_ID};
pub use workers::{NewWorker, WorkerChoice, WorkerEdit, WorkerRecord, OFFICE_WORKER_ID};

/// An operation as the server holds it: the audit trail.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredOperation {
    #[serde(flatten)]
    pub op: Operation,
    /// Its value of the global sequence.
    pub seq: i64,
    /// The feed cursor its device had when it pushed it: it had received every operation
    /// up to here that it may see.
    pub seen_seq: i64,
    /// False for an operation that was refused (kept, never merged, never fed).
    pub applied: bool,
    /// Why it was refused: a `wire::refusal` code and words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refusal: Option<StoredRefusal>,
    pub received_at: DateTime<Utc>,
}

/// Why a stored operation was refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredRefusal {
    pub code: String,
    pub reason: String,
}

/// One page of a device's change feed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FeedPage {
    pub changes: Changes,
    pub cursor: i64,
    pub more: bool,
    /// Items the device may see after this page (0 when not `more`), counted in the same
    /// snapshot: what the next pages will bring unless the feed grows meanwhile.
    pub remaining: u64,
}

/// The server's storage. Every method is one transaction.
pub trait Database: Clone + Send + Sync + 'static {
    /// Inserts or updates services by id (all or nothing); each changed service gets the
    /// next sequence value and its version goes up by one.
    fn import_services(
        &self,
        services: Vec<Service>,
        now: DateTime<Utc>,
    ) -> impl Future<Output = DbResult<ImportSummary>> + Send;

    /// Removes services from the directory (a tombstone goes down the feed).
    fn remove_services(
        &self,
        ids: Vec<String>,
        now: DateTime<Utc>,
    ) -> impl Future<Output = DbResult<u64>> + Send;

    /// One service in its current version.
    fn service(&self, id: &str) -> impl Future<Output = DbResult<Option<ServiceVersion>>> + Send;

    /// Every service not removed, for exports.
    fn services(&self) -> impl Future<Output = DbResult<Vec<ServiceVersion>>> + Send;

    /// Adds a worker; adding an id already held returns the worker held, unchanged.
    fn add_worker(&self, w: NewWorker) -> impl Future<Output = DbResult<WorkerRecord>> + Send;

    /// The worker an enrolment is for ([`workers::choose`]), made in the same transaction
    /// when a name fits nobody, so two enrolments of one new name at once make one worker.
    /// Errors: [`DbError::NotFound`] for an unknown id, [`DbError::Invalid`] when a name fits
    /// several workers.
    fn choose_worker(
        &self,
        choice: WorkerChoice,
    ) -> impl Future<Output = DbResult<WorkerRecord>> + Send;

    /// Every worker (the office's own included), by name.
    fn workers(&self) -> impl Future<Output = DbResult<Vec<WorkerRecord>>> + Send;

    /// Changes a worker's attributes. A new name is shown everywhere the worker's name is
    /// (devices, records, operations, corrections; a code takes the worker's name and team
    /// when redeemed); team, role and regions are what later codes carry (see [`workers`]).
    /// [`DbError::NotFound`] if unknown.
    fn edit_worker(
        &self,
        id: Uuid,
        edit: WorkerEdit,
        now: DateTime<Utc>,
    ) -> impl Future<Output = DbResult<WorkerRecord>> + Send;

    /// Issues a code for `e.worker_id`, which must be held ([`DbError::NotFound`]).
    fn create_enrollment(&self, e: NewEnrollment) -> impl Future<Output = DbResult<()>> + Send;

    /// Cancels an unused code (`njia-server enroll revoke CODE`): it expires now. False when
    /// it was used already (nothing to cancel); [`DbError::CodeUnknown`] when not held.
    fn revoke_enrollment(
        &self,
        code_hash: &str,
        now: DateTime<Utc>,
    ) -> impl Future<Output = DbResult<bool>> + Send;

    /// Redeems a code once: creates the device of the code's worker (with the worker's
    /// name and team) and the code's role and regions. Errors: [`DbError::CodeUnknown`], [`DbError::CodeUsed`], [`DbError::CodeExpired`].
    ///
    /// With [`NewDevice::proof`], the device `id` is enrolled again instead: it must exist,
    /// not be revoked, hold a token whose hash is the proof, and belong to the code's worker
    /// (same worker id: another worker's code must not take over a device's records);
    /// else [`DbError::Invalid`] in words and the code stays unused. Its token is replaced,
    /// its role, regions (and label, when one is given) become the code's, its team the
    /// worker's; its log is kept.
    fn redeem_enrollment(
        &self,
        code_hash: &str,
        device: NewDevice,
    ) -> impl Future<Output = DbResult<DeviceRecord>> + Send;

    /// The device holding this token (revoked ones included: the caller says "revoked").
    fn device_by_token(
        &self,
        token_hash: &str,
    ) -> impl Future<Output = DbResult<Option<DeviceRecord>>> + Send;

    fn devices(&self) -> impl Future<Output = DbResult<Vec<DeviceRecord>>> + Send;

    /// What `device` has had stored since `since` (by the server's clock when received).
    fn device_usage(
        &self,
        device: Uuid,
        since: DateTime<Utc>,
    ) -> impl Future<Output = DbResult<Usage>> + Send;

    /// Revokes a device; false if it was already revoked. [`DbError::NotFound`] if unknown.
    fn revoke_device(
        &self,
        id: Uuid,
        now: DateTime<Utc>,
    ) -> impl Future<Output = DbResult<bool>> + Send;

    /// Lifts a device's revocation and releases what it pushed while revoked (kept refused
    /// `revoked`): those operations are dropped from the server's log and the device's
    /// acknowledged idx goes back before them, so the device, which was never told they were
    /// taken, sends them again and they are decided like any push. Returns how many were
    /// released; [`DbError::NotFound`] for an unknown device.
    fn restore_device(
        &self,
        id: Uuid,
        now: DateTime<Utc>,
    ) -> impl Future<Output = DbResult<RestoredDevice>> + Send;

    /// [`Database::push_ops_seen`] for a device whose view of the feed is unknown (0: it
    /// saw nothing, so every value its operations replace is listed as a conflict).
    fn push_ops(
        &self,
        device: &DeviceRecord,
        ops: Vec<Operation>,
        now: DateTime<Utc>,
    ) -> impl Future<Output = DbResult<PushResult>> + Send {
        self.push_ops_seen(device, ops, now, 0)
    }

    /// Stores and applies a device's operations (sorted by idx, all of this device) and
    /// returns the acknowledged idx with the refused operations. Operations at or below the
    /// stored idx are a resend and are not applied again, but they must be the ones held
    /// (same op id), else [`DbError::Diverged`]; a batch starting after a gap is
    /// [`DbError::Gap`]. Each new operation is decided by [`merge::apply_batch`]: refused
    /// ones are stored, not applied, and listed. The [`OFFICE_DEVICE_ID`] may write every
    /// record.
    ///
    /// `seen_seq` is the feed cursor the device sent with them: the operations it had
    /// received before. Stored with each operation, it tells a conflict (a value replaced by
    /// a device that had not seen it) from a correction ([`conflicts`]).
    fn push_ops_seen(
        &self,
        device: &DeviceRecord,
        ops: Vec<Operation>,
        now: DateTime<Utc>,
        seen_seq: i64,
    ) -> impl Future<Output = DbResult<PushResult>> + Send;

    /// Makes (or, for a `fork_id` already used by this parent, finds again with a new token)
    /// a device for the same worker as `parent`, whose log is the parent's up to the base:
    /// the longest run of `op_ids` after `after` that the parent's stored log holds in that
    /// order, never past what it holds.
    fn fork_device(
        &self,
        parent: &DeviceRecord,
        fork: NewFork,
    ) -> impl Future<Output = DbResult<Fork>> + Send;

    /// The tag of the server's history at `seq`: the random tag of the stretch of sequence
    /// values that contains it, sealed after the writes that took them. `None` for 0 and for
    /// values not yet sealed or never handed out. A copy restored from before `seq` was
    /// sealed does not hold it, so a device's cursor from a lost history is recognised.
    fn history_tag(&self, seq: i64) -> impl Future<Output = DbResult<Option<String>>> + Send;

    /// The last value of the global sequence handed out.
    fn head(&self) -> impl Future<Output = DbResult<i64>> + Send;

    /// Every stored operation (the audit trail), in sequence order.
    fn operations(&self) -> impl Future<Output = DbResult<Vec<StoredOperation>>> + Send;

    /// A supervisor's edit made at the office (`njia-server outreach edit`): one more
    /// operation on the record, in the log of the server's own device ([`OFFICE_DEVICE_ID`],
    /// created on first use), stamped by an HLC that has observed every stored operation,
    /// and merged by the same field-by-field rule as devices' edits; it goes down the feed
    /// to the record's devices. `fields` must already be valid for the record's kind.
    /// Reads the whole log: an office command, not a hot path.
    fn office_edit(
        &self,
        id: Uuid,
        fields: Map<String, Value>,
        now: DateTime<Utc>,
    ) -> impl Future<Output = DbResult<OfficeEdit>> + Send {
        async move { office::edit(self, id, fields, now).await }
    }

    /// Values that lost to a device's or the office's write it had not seen ([`conflicts`]).
    fn conflicts(&self) -> impl Future<Output = DbResult<Vec<Conflict>>> + Send {
        async move {
            let ops = self.operations().await?;
            let records = self.outreach().await?;
            Ok(conflicts::find(&records, &ops))
        }
    }

    /// The page of the change feed after `cursor` this device may see, services always
    /// whole (for clients that do not ask for patches). See [`Database::changes_since`].
    fn changes(
        &self,
        device: &DeviceRecord,
        cursor: i64,
        max_bytes: usize,
    ) -> impl Future<Output = DbResult<FeedPage>> + Send {
        self.changes_since(device, cursor, max_bytes, false)
    }

    /// The page of the change feed after `cursor` this device may see: services of its
    /// regions, outreach operations of its records (its worker's; its team's for a
    /// supervisor) written by other devices. At most about `max_bytes` of JSON.
    ///
    /// With `patches`, a service the device holds as it stood at `cursor` comes as a
    /// [`njia_model::wire::ServicePatch`] of the fields changed after `cursor` (each field's
    /// last change is kept per service); a service that is new to the device (created,
    /// revived or moved after `cursor`, or `cursor` 0) still comes whole.
    fn changes_since(
        &self,
        device: &DeviceRecord,
        cursor: i64,
        max_bytes: usize,
        patches: bool,
    ) -> impl Future<Output = DbResult<FeedPage>> + Send;

    /// Every outreach record in its current state.
    fn outreach(&self) -> impl Future<Output = DbResult<Vec<OutreachRecord>>> + Send;

    /// Stores corrections (idempotent on id) and returns the ids now held.
    fn add_corrections(
        &self,
        device: &DeviceRecord,
        corrections: Vec<Correction>,
        now: DateTime<Utc>,
    ) -> impl Future<Output = DbResult<CorrectionsResult>> + Send;

    fn corrections(
        &self,
        status: Option<CorrectionStatus>,
    ) -> impl Future<Output = DbResult<Vec<CorrectionRecord>>> + Send;

    /// Accepts (applying the value to the service: a directory change) or rejects a pending
    /// correction.
    fn decide_correction(
        &self,
        id: Uuid,
        accept: bool,
        now: DateTime<Utc>,
    ) -> impl Future<Output = DbResult<CorrectionRecord>> + Send;
}
