//! How a pushed operation is decided, once for every backend: each backend loads the
//! records a batch touches (and the sessions its new referrals name), asks [`apply_batch`]
//! what to do with each operation, and writes the result. Deciding here, not in SQL, keeps
//! SQLite and PostgreSQL from ever disagreeing about what a push may do.
//!
//! An operation of a revoked device is kept, refused (`revoked`): the office sees it in
//! quarantine, and restoring the device releases it to be sent again (`restore_device`).
//! Any other operation is either applied or refused. A refused one is still stored (the log has
//! no gaps, the office can review it, nothing is lost) but never merged and never sent to
//! other devices, and the device is told why in words (`wire::RefusedOp`). The rules:
//!
//! - its clock stamp is at most `hlc::MAX_SKEW_MS` ahead of the server's clock
//!   (`clock_ahead`);
//! - it sets only fields of its kind, and every value it carries is valid for the record it
//!   changes (checked by forcing the whole payload onto the record), and the record merged
//!   by the HLC rule is valid too (`njia_model::records`): a bad value can never reach a
//!   replica, whatever order replicas merge in (`invalid`; a session starting more than a day
//!   after the server's clock is `clock_ahead`);
//! - only a create makes a record, of its own kind (`invalid`);
//! - the device may change the record: its worker's own records, its team's for a
//!   supervisor, every record for the office (`forbidden`);
//! - a referral belongs to its session's owner, whoever wrote it, so a referral a supervisor
//!   adds to a worker's session reaches that worker;
//! - a new referral, or one moved to another service, names a service the directory holds
//!   (`unknown_service`); an existing referral stays valid when its service leaves.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use njia_model::ops::{apply_patch, OpKind, Operation};
use njia_model::records::{check_operation, check_referral, check_session, check_stamp};
use njia_model::wire::{refusal, RefusedOp, Role};
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::{DbError, DeviceRecord, RecordKind, OFFICE_DEVICE_ID};

/// Who a record belongs to: ownership, visibility and edit rights key on the worker's id
/// and the team (two workers of one name are two owners).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Owner {
    pub worker_id: Uuid,
    /// The worker's name, stored beside the id for people reading lists.
    pub worker: String,
    pub team: Option<String>,
}

impl Owner {
    /// The owner of what `device` creates.
    pub fn of(device: &DeviceRecord) -> Self {
        Self {
            worker_id: device.worker_id,
            worker: device.worker.clone(),
            team: device.team.clone(),
        }
    }
}

/// A record as a backend loaded it (or as [`apply_batch`] created it).
#[derive(Debug, Clone, PartialEq)]
pub struct RecordState {
    pub kind: RecordKind,
    /// The device that created it.
    pub device_id: Uuid,
    pub owner: Owner,
    pub version: i64,
    pub doc: Map<String, Value>,
    pub clocks: Map<String, Value>,
    pub updated_at: DateTime<Utc>,
    /// Not stored yet: created by this batch.
    pub fresh: bool,
    /// Changed by this batch (values or clocks): to be written back.
    pub dirty: bool,
}

/// What became of one operation of a batch.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// The owner of the record it concerns, stored with it: the feed sends applied
    /// operations to the owner's devices.
    pub owner: Owner,
    /// Why it was not applied; `None` when it was.
    pub refusal: Option<Refusal>,
}

impl Outcome {
    pub fn applied(&self) -> bool {
        self.refusal.is_none()
    }
}

/// Why an operation was not applied: a `wire::refusal` code and words for the CHW.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub code: &'static str,
    pub reason: String,
}

impl Refusal {
    fn new(code: &'static str, reason: impl Into<String>) -> Self {
        Self {
            code,
            reason: reason.into(),
        }
    }

    /// As the device is told it.
    pub fn to_wire(&self, op: &Operation) -> RefusedOp {
        RefusedOp {
            idx: op.idx,
            op_id: op.op_id,
            code: self.code.to_string(),
            reason: self.reason.clone(),
        }
    }

    /// The stored form (a JSON object `{"code", "reason"}`), so a resent operation is
    /// answered with the same refusal.
    pub fn to_json(&self) -> String {
        serde_json::json!({"code": self.code, "reason": self.reason}).to_string()
    }

    /// Reads the stored form; an unreadable one still says the operation was refused.
    pub fn from_json(text: &str) -> (String, String) {
        let v: Value = serde_json::from_str(text).unwrap_or(Value::Null);
        let code = v["code"].as_str().unwrap_or(refusal::INVALID).to_string();
        let reason = v["reason"]
            .as_str()
            .unwrap_or("refused by the server")
            .to_string();
        (code, reason)
    }
}

/// What a resent operation (idx at or below what is held) gets: the refusal it got the
/// first time, nothing when it was applied, and [`DbError::Diverged`] when the operation
/// held at its idx is another one (the device's log was restored from an older copy).
/// `held` is the stored op id and refusal (its stored JSON form) at that idx, `None` where
/// nothing is held (a forked device's log up to its base is its parent's).
pub fn resent(
    op: &Operation,
    held: Option<(Uuid, Option<&str>)>,
    acked: i64,
) -> Result<Option<RefusedOp>, DbError> {
    match held {
        None => Ok(None),
        Some((op_id, _)) if op_id != op.op_id => Err(DbError::Diverged { acked, at: op.idx }),
        Some((_, Some(text))) => {
            let (code, reason) = Refusal::from_json(text);
            Ok(Some(RefusedOp {
                idx: op.idx,
                op_id: op.op_id,
                code,
                reason,
            }))
        }
        Some((_, None)) => Ok(None),
    }
}

/// The ids a backend must load before deciding a batch: the records the operations touch
/// and the sessions their new referrals name.
pub fn records_to_load(ops: &[Operation]) -> Vec<Uuid> {
    let mut ids: Vec<Uuid> = ops.iter().map(|op| op.entity_id).collect();
    ids.extend(ops.iter().filter_map(referred_session));
    ids.sort();
    ids.dedup();
    ids
}

/// The service ids whose presence in the directory a backend must look up: those new
/// referrals name, and those referrals are moved to.
pub fn services_to_check(ops: &[Operation]) -> Vec<String> {
    let mut ids: Vec<String> = ops
        .iter()
        .filter(|op| !op.kind.is_session())
        .filter_map(|op| op.payload.get("service_id").and_then(Value::as_str))
        .map(str::to_string)
        .collect();
    ids.sort();
    ids.dedup();
    ids
}

fn referred_session(op: &Operation) -> Option<Uuid> {
    if op.kind != OpKind::ReferralCreate {
        return None;
    }
    op.payload
        .get("session_id")
        .and_then(Value::as_str)
        .and_then(|s| Uuid::try_parse(s).ok())
}

/// Whether `device` may change a record of `owner`.
pub fn may_write(device: &DeviceRecord, owner: &Owner) -> bool {
    device.id == OFFICE_DEVICE_ID
        || device.worker_id == owner.worker_id
        || (device.role == Role::Supervisor && device.team.is_some() && device.team == owner.team)
}

/// Decides and merges a batch of `device`'s new operations, in idx order, into `records`
/// (loaded by the backend for [`records_to_load`]; records created here are added, marked
/// `fresh`). `services` holds the ids of [`services_to_check`] that the directory holds.
pub fn apply_batch(
    device: &DeviceRecord,
    records: &mut HashMap<Uuid, RecordState>,
    ops: &[Operation],
    services: &HashSet<String>,
    now: DateTime<Utc>,
) -> Vec<Outcome> {
    ops.iter()
        .map(|op| {
            let owner = owner_of(device, records, op);
            let refusal = decide(device, records, op, services, now, &owner).err();
            if refusal.is_none() {
                merge(device, records, op, &owner, now);
            }
            Outcome { owner, refusal }
        })
        .collect()
}

fn owner_of(device: &DeviceRecord, records: &HashMap<Uuid, RecordState>, op: &Operation) -> Owner {
    if let Some(rec) = records.get(&op.entity_id) {
        return rec.owner.clone();
    }
    referred_session(op)
        .and_then(|s| records.get(&s))
        .map(|s| s.owner.clone())
        .unwrap_or_else(|| Owner::of(device))
}

fn kind_of(op: &Operation) -> RecordKind {
    if op.kind.is_session() {
        RecordKind::Session
    } else {
        RecordKind::Referral
    }
}

fn check_doc(
    kind: RecordKind,
    doc: &Map<String, Value>,
    now: Option<DateTime<Utc>>,
) -> Result<(), String> {
    match kind {
        RecordKind::Session => check_session(doc, now),
        RecordKind::Referral => check_referral(doc),
    }
}

fn decide(
    device: &DeviceRecord,
    records: &HashMap<Uuid, RecordState>,
    op: &Operation,
    services: &HashSet<String>,
    now: DateTime<Utc>,
    owner: &Owner,
) -> Result<(), Refusal> {
    if let Some(at) = device.revoked_at {
        return Err(Refusal::new(
            refusal::REVOKED,
            format!(
                "this device was revoked on {}: kept for the office to review, not applied",
                at.format("%Y-%m-%d")
            ),
        ));
    }
    check_stamp(op, now).map_err(|m| Refusal::new(refusal::CLOCK_AHEAD, m))?;
    check_operation(op).map_err(|m| Refusal::new(refusal::INVALID, m))?;
    let kind = kind_of(op);
    let existing = records.get(&op.entity_id);
    let what = match kind {
        RecordKind::Session => "session",
        RecordKind::Referral => "referral",
    };
    match existing {
        Some(rec) if rec.kind != kind => {
            return Err(Refusal::new(
                refusal::INVALID,
                format!("{} is not a {what}", op.entity_id),
            ))
        }
        None if !matches!(op.kind, OpKind::SessionCreate | OpKind::ReferralCreate) => {
            return Err(Refusal::new(
                refusal::INVALID,
                format!(
                    "{} changes {what} {} that the server does not hold (a record is made only by its create)",
                    op.kind.as_str(),
                    op.entity_id
                ),
            ))
        }
        _ => {}
    }
    if existing.is_none() {
        if let Some(sid) = op.payload.get("session_id").filter(|v| !v.is_null()) {
            let known = referred_session(op).and_then(|s| records.get(&s));
            match known {
                Some(s) if s.kind == RecordKind::Session => {}
                _ => {
                    return Err(Refusal::new(
                        refusal::INVALID,
                        format!("the referral's session {sid} is not known to the server"),
                    ))
                }
            }
        }
    }
    if !may_write(device, owner) {
        return Err(Refusal::new(
            refusal::FORBIDDEN,
            format!(
                "this device may not change {what} {}: it belongs to another worker's records",
                op.entity_id
            ),
        ));
    }
    if let Some(service) = op.payload.get("service_id").and_then(Value::as_str) {
        if kind == RecordKind::Referral && !services.contains(service) {
            return Err(Refusal::new(
                refusal::UNKNOWN_SERVICE,
                format!(
                    "the directory holds no service with id \"{}\"",
                    clip(service)
                ),
            ));
        }
    }
    let empty = Map::new();
    let (doc, clocks) = existing.map_or((&empty, &empty), |r| (&r.doc, &r.clocks));
    // Every value the operation carries, forced onto the record: valid whatever order
    // replicas merge it in.
    let mut forced = doc.clone();
    for (k, v) in &op.payload {
        forced.insert(k.clone(), v.clone());
    }
    check_doc(kind, &forced, None).map_err(|m| Refusal::new(refusal::INVALID, m))?;
    let mut merged = doc.clone();
    let mut merged_clocks = clocks.clone();
    apply_patch(&mut merged, &mut merged_clocks, &op.payload, &op.hlc);
    check_doc(kind, &merged, None).map_err(|m| Refusal::new(refusal::INVALID, m))?;
    if op.payload.contains_key("started_at") {
        check_doc(kind, &merged, Some(now)).map_err(|m| Refusal::new(refusal::CLOCK_AHEAD, m))?;
    }
    Ok(())
}

fn merge(
    device: &DeviceRecord,
    records: &mut HashMap<Uuid, RecordState>,
    op: &Operation,
    owner: &Owner,
    now: DateTime<Utc>,
) {
    let rec = records.entry(op.entity_id).or_insert_with(|| RecordState {
        kind: kind_of(op),
        device_id: device.id,
        owner: owner.clone(),
        version: 0,
        doc: Map::new(),
        clocks: Map::new(),
        updated_at: now,
        fresh: true,
        dirty: false,
    });
    let changed = apply_patch(&mut rec.doc, &mut rec.clocks, &op.payload, &op.hlc);
    if rec.version == 0 || !changed.is_empty() {
        rec.version += 1;
        rec.updated_at = now;
    }
    // Written back even when no value changed: the clocks may have moved, and they decide
    // later merges.
    rec.dirty = true;
}

fn clip(s: &str) -> String {
    s.chars().take(60).collect()
}
