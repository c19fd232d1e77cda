//! The device's side of sync (DESIGN §3, docs/sync.md): enrolment, the change-feed cursor,
//! the sync status, and applying one response of the server in one transaction.
//!
//! The network belongs to `njia-sync`; everything here is a plain, synchronous store write,
//! so a response is either applied whole or not at all, and a cut between two responses
//! loses nothing.

use chrono::{DateTime, SecondsFormat, Utc};
use njia_model::hlc::{Clock, Hlc};
use njia_model::ops::{apply_patch, OpKind, Operation};
use njia_model::records::{check_referral, check_session};
use njia_model::service::Service;
use njia_model::taxonomy::category_index;
use njia_model::wire::{EnrollResponse, ForkResponse, Role, SyncResponse};
use rusqlite::{params, OptionalExtension, Transaction, TransactionBehavior};
use serde::Serialize;
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::directory::{upsert_services, Versions};
use crate::oplog::{acknowledge_in, rewind_in, set_acked_in, status_in};
use crate::outreach::{load, save, status_of, to_json, Record};
use crate::{meta_get, meta_set, Result, Store, StoreError};

/// A named step of the apply path where a test may make the sync crash (`fail::cfg(name,
/// "panic")`), with the `failpoints` feature; nothing at all without it. The names are
/// listed in [`FAILPOINTS`].
macro_rules! failpoint {
    ($name:literal) => {
        #[cfg(feature = "failpoints")]
        fail::fail_point!($name);
    };
}

/// Every failpoint of the store's sync path, in the order a sync passes them.
pub const FAILPOINTS: &[&str] = &[
    "store::apply::begin",
    "store::apply::after_ack",
    "store::apply::after_services",
    "store::apply::after_ops",
    "store::apply::before_commit",
    "store::apply::after_commit",
    "store::sync_end::before_commit",
];

/// Keys of the `meta` table this module owns. `server`, `last_sync` and `last_error` are
/// also what `njia status` shows.
mod key {
    pub const SERVER: &str = "server";
    pub const TOKEN: &str = "token";
    pub const WORKER: &str = "worker";
    pub const TEAM: &str = "team";
    pub const ROLE: &str = "role";
    pub const REGIONS: &str = "regions";
    pub const ENROLLED_AT: &str = "enrolled_at";
    pub const CURSOR: &str = "sync_cursor";
    /// The tag of the server's history at the cursor (protocol 2).
    pub const CURSOR_TAG: &str = "sync_cursor_tag";
    /// How far the server's clock was ahead of this device's at the last answer, in ms.
    pub const CLOCK_OFFSET: &str = "clock_offset_ms";
    /// The id of a fork asked for and not yet answered: asked again with the same id.
    pub const PENDING_FORK: &str = "pending_fork";
    /// Set before the first request that carries operations, and by the first response
    /// applied: from then on the device's id and operations may be on a server, so the
    /// store never takes another id (it enrols again only as itself).
    pub const SYNCED_WITH: &str = "synced_with";
    pub const LAST_SYNC: &str = "last_sync";
    pub const LAST_ATTEMPT: &str = "last_attempt";
    pub const LAST_ERROR: &str = "last_error";
}

/// Who this device is to the server. The token is never printed or serialised.
#[derive(Clone, PartialEq, Serialize)]
pub struct Enrollment {
    /// Base address of the server, without a trailing slash (`https://njia.example.org`).
    pub server: String,
    #[serde(skip)]
    pub token: String,
    pub device_id: Uuid,
    pub worker: String,
    pub team: Option<String>,
    pub role: Role,
    pub regions: Vec<String>,
    pub enrolled_at: String,
}

impl std::fmt::Debug for Enrollment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Enrollment")
            .field("server", &self.server)
            .field("token", &"…")
            .field("device_id", &self.device_id)
            .field("worker", &self.worker)
            .field("team", &self.team)
            .field("role", &self.role)
            .field("regions", &self.regions)
            .field("enrolled_at", &self.enrolled_at)
            .finish()
    }
}

/// What the device can say about sync without a network: it never claims more than it knows.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SyncStatus {
    /// The enrolled server, if any.
    pub server: Option<String>,
    /// Operations of this device the server has not acknowledged.
    pub pending: i64,
    /// Corrections the server has not acknowledged.
    pub pending_corrections: i64,
    /// Position in the server's change feed.
    pub cursor: i64,
    /// When a sync last *completed*: every operation acknowledged and the feed read to its
    /// end. RFC 3339, UTC.
    pub last_sync: Option<String>,
    /// When a sync was last tried, whatever came of it.
    pub last_attempt: Option<String>,
    /// Why the last sync did not complete, in words; cleared by a complete sync.
    pub last_error: Option<String>,
    /// Records and corrections the server received but refused ([`Store::refused_items`]).
    pub refused: i64,
    /// How far the server's clock was from this device's at the last answer, in
    /// milliseconds (positive: the server is ahead). `None` before any answer.
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub clock_offset_ms: Option<i64>,
    /// Set when the device's clock differs from the server's by more than
    /// [`CLOCK_WARNING_MS`]: words for the CHW.
    pub clock_warning: Option<String>,
}

/// A clock further than this from the server's is worth telling the CHW about: sessions get
/// the wrong date, and a clock a day off has its records refused.
pub const CLOCK_WARNING_MS: i64 = 5 * 60 * 1000;

/// The words of the clock warning for an offset (server minus device) in milliseconds.
pub fn clock_warning(offset_ms: i64) -> Option<String> {
    if offset_ms.abs() <= CLOCK_WARNING_MS {
        return None;
    }
    let minutes = offset_ms.abs() / 60_000;
    let amount = if minutes >= 2 * 24 * 60 {
        format!("{} days", minutes / (24 * 60))
    } else if minutes >= 120 {
        format!("{} hours", minutes / 60)
    } else {
        format!("{minutes} minutes")
    };
    let way = if offset_ms > 0 { "behind" } else { "ahead of" };
    Some(format!(
        "this device's clock is {amount} {way} the server's: set the date and time in the phone's settings"
    ))
}

/// Something the server received from this device and refused, with why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RefusedItem {
    /// `operation` (a change of a session or referral) or `correction`.
    pub item: String,
    /// The session or referral the operation changes, or the correction's id.
    pub id: String,
    /// For an operation: its kind (`session.create`…) and idx in this device's log.
    pub kind: Option<String>,
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub idx: Option<i64>,
    /// A refusal code (`invalid`, `clock_ahead`, `forbidden`, `unknown_service`…).
    pub code: String,
    pub reason: String,
}

/// How a sync round ended, for [`Store::record_sync_end`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyncEnd<'a> {
    /// The last response was applied; `more` is what it said.
    Finished { more: bool },
    /// The round stopped on an error, in words.
    Failed(&'a str),
}

/// What applying one response changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct PageApplied {
    /// Operations of this device newly acknowledged by this response.
    pub ops_acked: i64,
    pub corrections_acked: u64,
    /// Services added or changed.
    pub services_upserted: u64,
    /// Services received that the device already held in that version.
    pub services_unchanged: u64,
    /// Services the server sent that this device cannot store (logged and skipped, so a bad
    /// directory row never blocks the upload of outreach).
    pub services_skipped: u64,
    /// Services removed from the device's directory.
    pub services_removed: u64,
    /// Operations of other devices received for the first time.
    pub ops_received: u64,
    /// Received operations now merged into their record (including ones that were waiting).
    pub ops_applied: u64,
    /// Received operations still waiting for their record to arrive.
    pub ops_waiting: u64,
    /// Operations of this device the server received and refused.
    pub ops_refused: u64,
    /// Corrections the server refused.
    pub corrections_refused: u64,
    /// Operations the device believed acknowledged that the server no longer holds (it was
    /// restored from a copy): pending again.
    pub ops_rewound: i64,
    /// Services removed because a re-read of a restored server's feed did not bring them.
    pub services_reconciled: u64,
    /// Another sync of this store moved its cursor while this answer was on its way: only
    /// its acknowledgements were applied ([`Store::apply_sync_answer`]).
    pub stale: bool,
}

fn now_text() -> String {
    Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn now_ms() -> u64 {
    u64::try_from(Utc::now().timestamp_millis()).unwrap_or(0)
}

impl Store {
    /// The enrolment of this device, or `None` before `njia enroll`.
    pub fn enrollment(&self) -> Result<Option<Enrollment>> {
        let get = |k| meta_get(&self.conn, k);
        let (Some(server), Some(token)) = (get(key::SERVER)?, get(key::TOKEN)?) else {
            return Ok(None);
        };
        let corrupt = |what: &str| StoreError::Corrupt(format!("enrolment: {what}"));
        let role = get(key::ROLE)?.unwrap_or_default();
        let role: Role = serde_json::from_value(Value::String(role.clone()))
            .map_err(|_| corrupt(&format!("unknown role \"{role}\"")))?;
        let regions = get(key::REGIONS)?.unwrap_or_else(|| "[]".into());
        Ok(Some(Enrollment {
            server,
            token,
            device_id: self.device_id,
            worker: get(key::WORKER)?.unwrap_or_default(),
            team: get(key::TEAM)?,
            role,
            regions: serde_json::from_str(&regions).map_err(|_| corrupt("regions"))?,
            enrolled_at: get(key::ENROLLED_AT)?.unwrap_or_default(),
        }))
    }

    /// Refuses with [`StoreError::AlreadySynced`] when this store may no longer take a new
    /// device id: it has synced, or sent operations whose answer it may not have received.
    /// Its id may then be known to a server and its records there belong to it. Such a
    /// store enrols again only as itself ([`Store::reenrollment`]).
    pub fn check_can_enroll(&self) -> Result<()> {
        if let Some(server) = meta_get(&self.conn, key::SYNCED_WITH)? {
            return Err(StoreError::AlreadySynced { server });
        }
        Ok(())
    }

    /// How this store asks to be enrolled: `None` for a new identity (nothing left it yet,
    /// so its log can be rewritten to the id the server chooses), or its device id and
    /// token, with which the server enrols it again as the same device — what a CHW
    /// expects of a phone given a new code after a failed or lost first sync: same phone,
    /// same records. A store that may have sent its log but holds no token to prove it is
    /// refused ([`StoreError::AlreadySynced`]).
    pub fn reenrollment(&self) -> Result<Option<(Uuid, String)>> {
        let Some(server) = meta_get(&self.conn, key::SYNCED_WITH)? else {
            return Ok(None);
        };
        match meta_get(&self.conn, key::TOKEN)? {
            Some(token) => Ok(Some((self.device_id, token))),
            None => Err(StoreError::AlreadySynced { server }),
        }
    }

    /// Records, before a request that carries operations is sent, that this store's log
    /// may leave the device for `server`: if the answer is lost, the server may hold the
    /// operations under this device id, so the id must never be rewritten
    /// ([`Store::enroll`]).
    pub fn record_log_may_have_left(&self, server: &str) -> Result<()> {
        self.conn.execute(
            "INSERT INTO meta(key, value) VALUES (?1, ?2) ON CONFLICT(key) DO NOTHING",
            [key::SYNCED_WITH, server],
        )?;
        Ok(())
    }

    /// Records the server's answer to an enrolment: the server address (normalised by the
    /// caller), the token and who the device works for, all in the encrypted store.
    ///
    /// Nothing has left a device that never sent its log, so its operation log and
    /// sessions are rewritten from the local device id to the one the server chose (clock
    /// stamps included), in one transaction. A store whose log may have left keeps its id
    /// and log: it takes only an answer for its own id (an enrolment again,
    /// [`Store::reenrollment`]) and refuses any other ([`StoreError::AlreadySynced`]).
    pub fn enroll(&mut self, server: &str, e: &EnrollResponse) -> Result<Enrollment> {
        let tx = crate::write_tx(&self.conn)?;
        let old = crate::current_device(&tx, &mut self.device_id, &mut self.clock)?;
        let new = e.device_id;
        if let Some(server) = meta_get(&tx, key::SYNCED_WITH)? {
            if new != old {
                return Err(StoreError::AlreadySynced { server });
            }
        }
        let mut clock_text = meta_get(&tx, "hlc")?;
        if old != new {
            let (o, n) = (old.to_string(), new.to_string());
            let (os, ns) = (old.simple().to_string(), new.simple().to_string());
            // The node of a stamp is its last part, the only 32-hex-digit run in it, so
            // replacing the text is exact; all stamps here are this device's own.
            tx.execute(
                "UPDATE op_log SET device_id = ?2, hlc = replace(hlc, ?3, ?4) WHERE device_id = ?1",
                params![o, n, os, ns],
            )?;
            tx.execute(
                "UPDATE outreach_session SET device_id = ?2 WHERE device_id = ?1",
                params![o, n],
            )?;
            tx.execute(
                "UPDATE outreach_session SET clocks = replace(clocks, ?1, ?2)",
                params![os, ns],
            )?;
            tx.execute(
                "UPDATE referral SET clocks = replace(clocks, ?1, ?2)",
                params![os, ns],
            )?;
            clock_text = clock_text.map(|c| c.replace(&os, &ns));
            if let Some(c) = &clock_text {
                meta_set(&tx, "hlc", c)?;
            }
            meta_set(&tx, "device_id", &n)?;
        }
        let enrolled_at = now_text();
        meta_set(&tx, key::SERVER, server)?;
        write_identity(
            &tx,
            &e.token,
            &e.worker,
            e.team.as_deref(),
            e.role,
            &e.regions,
        )?;
        meta_set(&tx, key::ENROLLED_AT, &enrolled_at)?;
        tx.commit()?;
        let last = clock_text
            .map(|c| c.parse::<Hlc>())
            .transpose()
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        self.device_id = new;
        self.clock = Clock::resume(new, last);
        Ok(self.enrollment()?.expect("the enrolment was just written"))
    }

    /// Where this device stands in the server's change feed (0: nothing received yet).
    pub fn sync_cursor(&self) -> Result<i64> {
        Ok(meta_get(&self.conn, key::CURSOR)?
            .and_then(|v| v.parse().ok())
            .unwrap_or(0))
    }

    /// Pending work and the outcome of the last sync, as `njia status` and the app show it.
    pub fn sync_status(&self) -> Result<SyncStatus> {
        self.read(|| {
            let get = |k| meta_get(&self.conn, k);
            Ok(SyncStatus {
                server: get(key::SERVER)?,
                pending: status_in(&self.conn)?.pending,
                pending_corrections: self.conn.query_row(
                    "SELECT count(*) FROM correction WHERE acked = 0",
                    [],
                    |r| r.get(0),
                )?,
                cursor: self.sync_cursor()?,
                last_sync: get(key::LAST_SYNC)?,
                last_attempt: get(key::LAST_ATTEMPT)?,
                last_error: get(key::LAST_ERROR)?,
                refused: self.conn.query_row(
                    "SELECT (SELECT count(*) FROM op_log WHERE refusal IS NOT NULL)
                          + (SELECT count(*) FROM correction WHERE refusal IS NOT NULL)",
                    [],
                    |r| r.get(0),
                )?,
                clock_offset_ms: get(key::CLOCK_OFFSET)?.and_then(|v| v.parse().ok()),
                clock_warning: get(key::CLOCK_OFFSET)?
                    .and_then(|v| v.parse().ok())
                    .and_then(clock_warning),
            })
        })
    }

    /// Records how a sync round ended and returns whether it was *complete*: it finished,
    /// the feed has no more, and nothing (operation or correction) is pending — checked here,
    /// so the status never claims a sync that left work behind. A complete round sets
    /// `last_sync` and clears `last_error`; any other end keeps `last_sync` and says why in
    /// `last_error`.
    pub fn record_sync_end(&self, at: DateTime<Utc>, end: SyncEnd<'_>) -> Result<bool> {
        let at = at.to_rfc3339_opts(SecondsFormat::Millis, true);
        let tx = crate::write_tx(&self.conn)?;
        meta_set(&tx, key::LAST_ATTEMPT, &at)?;
        let pending = status_in(&tx)?.pending;
        let pending_corrections: i64 =
            tx.query_row("SELECT count(*) FROM correction WHERE acked = 0", [], |r| {
                r.get(0)
            })?;
        let why = match end {
            SyncEnd::Failed(e) => Some(e.to_string()),
            SyncEnd::Finished { more: true } => Some(
                "the sync stopped before the end of the server's changes; sync again".into(),
            ),
            SyncEnd::Finished { more: false } if pending > 0 || pending_corrections > 0 => {
                Some(format!(
                    "the sync stopped with {pending} operation(s) and {pending_corrections} correction(s) not yet acknowledged; sync again"
                ))
            }
            SyncEnd::Finished { more: false } => None,
        };
        let complete = why.is_none();
        match why {
            None => {
                meta_set(&tx, key::LAST_SYNC, &at)?;
                tx.execute("DELETE FROM meta WHERE key = ?1", [key::LAST_ERROR])?;
            }
            Some(why) => meta_set(&tx, key::LAST_ERROR, &why)?,
        }
        failpoint!("store::sync_end::before_commit");
        tx.commit()?;
        Ok(complete)
    }

    /// Applies one response of `POST /api/v1/sync` in ONE transaction: the acknowledged idx,
    /// the acknowledged corrections, the directory changes (services at their server
    /// version, whole or as patches of the copy held; removals), the operations of other devices merged into their records, the
    /// HLC observed, the new cursor and, on the round's last page, the directory's places
    /// rebuilt. A cut before the commit leaves the store as it was;
    /// applying the same response twice equals applying it once.
    pub fn apply_sync_page(&mut self, resp: &SyncResponse) -> Result<PageApplied> {
        self.apply_page(None, resp)
    }

    /// [`Store::apply_sync_page`] for the answer to a request sent with `cursor` and
    /// `cursor_tag`, as the sync engine calls it. Two syncs of one store may run at once (the
    /// app's background task and `njia sync`): when the store's cursor is no longer the one
    /// the request carried, the other sync applied a page of the feed meanwhile, and this
    /// page may be older than what the store holds now. Its acknowledgements and refusals
    /// are still applied (they only ever move forward); its feed part is dropped, the cursor
    /// stays, and [`PageApplied::stale`] says to ask again from the store's cursor.
    pub fn apply_sync_answer(
        &mut self,
        cursor: i64,
        cursor_tag: Option<&str>,
        resp: &SyncResponse,
    ) -> Result<PageApplied> {
        self.apply_page(Some((cursor, cursor_tag)), resp)
    }

    fn apply_page(
        &mut self,
        sent: Option<(i64, Option<&str>)>,
        resp: &SyncResponse,
    ) -> Result<PageApplied> {
        let mut out = PageApplied::default();
        let now = now_text();
        // Services first, outside the transaction: pure validation, nothing written.
        let mut services = Vec::with_capacity(resp.changes.services.len());
        let mut versions = Vec::with_capacity(resp.changes.services.len());
        let mut seen = std::collections::HashSet::new();
        for sv in &resp.changes.services {
            match service_for_device(&sv.service) {
                Ok(s) if seen.insert(s.id.clone()) => {
                    services.push(s);
                    versions.push(sv.version);
                }
                Ok(s) => {
                    tracing::warn!(id = %s.id, "the server sent service twice in one page; kept the first");
                    out.services_skipped += 1;
                }
                Err(why) => {
                    tracing::warn!(id = %sv.service.id, %why, "service from the server skipped");
                    out.services_skipped += 1;
                }
            }
        }
        let mut clock = self.clock;
        // Immediate: the patches below read the directory, and the writes that follow must
        // not find another writer slipped in between.
        let tx = Transaction::new_unchecked(&self.conn, TransactionBehavior::Immediate)?;
        failpoint!("store::apply::begin");
        let me = crate::current_device(&tx, &mut self.device_id, &mut clock)?;
        if let Some((cursor, tag)) = sent {
            let held = meta_get(&tx, key::CURSOR)?
                .and_then(|v| v.parse::<i64>().ok())
                .unwrap_or(0);
            let held_tag = meta_get(&tx, key::CURSOR_TAG)?;
            out.stale = held != cursor || held_tag.as_deref() != tag;
        }
        if out.stale {
            tracing::info!(
                "another sync of this store moved its cursor meanwhile: the feed part of this answer is dropped"
            );
            services.clear();
            versions.clear();
        }
        let patches = if out.stale {
            &[][..]
        } else {
            &resp.changes.patches[..]
        };
        // Patches: the device's copy of each service with the changed fields applied, read
        // inside the transaction so the copy cannot change under them.
        for p in patches {
            if !seen.insert(p.id.clone()) {
                tracing::warn!(id = %p.id, "the server sent a service twice in one page; kept the first");
                out.services_skipped += 1;
                continue;
            }
            let Some(base) = self.service(&p.id)? else {
                tracing::warn!(id = %p.id, "the server sent changes of a service this device does not hold: skipped");
                out.services_skipped += 1;
                continue;
            };
            match p.apply_to(&base).and_then(|s| service_for_device(&s)) {
                Ok(s) => {
                    services.push(s);
                    versions.push(p.version);
                }
                Err(why) => {
                    tracing::warn!(id = %p.id, %why, "changes of a service from the server skipped");
                    out.services_skipped += 1;
                }
            }
        }
        // A server that holds less of this log than the device believed lost operations
        // (it was restored from a copy): they are sent again.
        out.ops_rewound = rewind_in(&tx, resp.acked_idx)?;
        if out.ops_rewound == 0 {
            out.ops_acked = acknowledge_in(&tx, resp.acked_idx)?;
        }
        failpoint!("store::apply::after_ack");
        {
            let mut ack =
                tx.prepare_cached("UPDATE correction SET acked = 1 WHERE id = ?1 AND acked = 0")?;
            for id in &resp.corrections_acked {
                out.corrections_acked += ack.execute([id.to_string()])? as u64;
            }
            let mut refuse = tx.prepare_cached(
                "UPDATE correction SET acked = 1, refusal = ?2 WHERE id = ?1 AND refusal IS NULL",
            )?;
            for r in &resp.corrections_refused {
                out.corrections_refused += refuse.execute(params![
                    r.id.to_string(),
                    refusal_json(&r.code, &r.reason, &now)
                ])? as u64;
            }
            let mut refuse = tx.prepare_cached(
                "UPDATE op_log SET refusal = ?3 WHERE idx = ?1 AND op_id = ?2 AND refusal IS NULL",
            )?;
            let mut newly = Vec::new();
            for r in &resp.refused {
                let n = refuse.execute(params![
                    r.idx,
                    r.op_id.to_string(),
                    refusal_json(&r.code, &r.reason, &now)
                ])?;
                if n > 0 {
                    newly.push(r.idx);
                }
                out.ops_refused += n as u64;
            }
            drop(refuse);
            for idx in newly {
                undo_refused(&tx, idx, &now)?;
            }
        }
        let summary = upsert_services(
            &tx,
            &services,
            Versions::Set(&versions),
            &now,
            &mut |_, _| {},
        )?;
        out.services_upserted = summary.inserted + summary.updated;
        out.services_unchanged = summary.unchanged;
        let (removed, ops) = if out.stale {
            (&[][..], &[][..])
        } else {
            (&resp.changes.removed[..], &resp.changes.ops[..])
        };
        {
            let mut remove = tx.prepare_cached("DELETE FROM service WHERE id = ?1")?;
            for id in removed {
                out.services_removed += remove.execute([id])? as u64;
            }
        }
        failpoint!("store::apply::after_services");
        let mut observed = false;
        for op in ops {
            if op.device_id == me {
                // This device's own operation: already applied when it was written.
                continue;
            }
            if !insert_received(&tx, op, &now)? {
                continue;
            }
            out.ops_received += 1;
            if let Err(why) = op.hlc.check_against(now_ms()) {
                // The server's rule, here too: a stamp from a clock far ahead is not taken
                // (an older server may still pass one on). It waits, unmerged.
                tracing::warn!(device = %op.device_id, idx = op.idx, %why, "received operation not applied");
                continue;
            }
            clock.observe(op.hlc, now_ms());
            observed = true;
            match merge(&tx, op, &now)? {
                Merged::Applied(n) => out.ops_applied += n,
                Merged::Waiting => {}
            }
        }
        if observed {
            meta_set(&tx, "hlc", &clock.last().to_string())?;
        }
        failpoint!("store::apply::after_ops");
        out.ops_waiting = tx.query_row(
            "SELECT count(*) FROM received_op WHERE applied = 0",
            [],
            |r| r.get::<_, i64>(0),
        )? as u64;
        if !out.stale {
            meta_set(&tx, key::CURSOR, &resp.cursor.to_string())?;
            match &resp.cursor_tag {
                Some(tag) => meta_set(&tx, key::CURSOR_TAG, tag)?,
                None => {
                    tx.execute("DELETE FROM meta WHERE key = ?1", [key::CURSOR_TAG])?;
                }
            }
            out.services_reconciled = reconcile(&tx, resp)?;
        }
        if meta_get(&tx, key::SYNCED_WITH)?.is_none() {
            let server = meta_get(&tx, key::SERVER)?.unwrap_or_else(|| "a server".into());
            meta_set(&tx, key::SYNCED_WITH, &server)?;
        }
        if !resp.more && !out.stale {
            // The round's last page: rebuild the places once, not after every page of a
            // first sync (a read rebuilds them if the round is cut before this).
            crate::places::refresh(&tx)?;
        }
        failpoint!("store::apply::before_commit");
        tx.commit()?;
        failpoint!("store::apply::after_commit");
        self.clock = clock;
        Ok(out)
    }

    /// Operations received from the server, in the order they arrived, for the audit trail
    /// and tests; `waiting` are those whose record has not arrived yet.
    pub fn received_operations(&self) -> Result<Vec<(Operation, bool)>> {
        let mut stmt = self.conn.prepare(
            "SELECT device_id, idx, op_id, hlc, kind, entity_id, payload, applied
               FROM received_op ORDER BY received_at, device_id, idx",
        )?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    StoredOp {
                        device_id: r.get(0)?,
                        idx: r.get(1)?,
                        op_id: r.get(2)?,
                        hlc: r.get(3)?,
                        kind: r.get(4)?,
                        entity_id: r.get(5)?,
                        payload: r.get(6)?,
                    },
                    r.get::<_, i64>(7)? == 1,
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        rows.into_iter()
            .map(|(op, applied)| Ok((op.parse()?, applied)))
            .collect()
    }

    /// The version of a service as the device holds it: the server's version for a service
    /// received by sync (a local import counts its own, from 1). `None` if unknown.
    pub fn service_version(&self, id: &str) -> Result<Option<i64>> {
        Ok(self
            .conn
            .prepare_cached("SELECT version FROM service WHERE id = ?1")?
            .query_row([id], |r| r.get(0))
            .optional()?)
    }

    /// Re-reads what a `Store` keeps in memory — device id, clock — after
    /// another connection to the same file (the app's sync task) enrolled or synced.
    pub fn reload(&mut self) -> Result<()> {
        let device_id = meta_get(&self.conn, "device_id")?
            .map(|id| Uuid::parse_str(&id))
            .transpose()
            .map_err(|e| StoreError::Corrupt(format!("device id: {e}")))?
            .unwrap_or(self.device_id);
        let last = meta_get(&self.conn, "hlc")?
            .map(|s| s.parse::<Hlc>())
            .transpose()
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        self.device_id = device_id;
        self.clock = Clock::resume(device_id, last);
        Ok(())
    }
}

impl Store {
    /// The tag of the server's history at this device's cursor, if the server gave one.
    pub fn sync_cursor_tag(&self) -> Result<Option<String>> {
        meta_get(&self.conn, key::CURSOR_TAG)
    }

    /// The server's history is not the one this device read (it was restored from a copy):
    /// read the feed again from 0, remove at its end the services it no longer brings, and
    /// send every correction again (the server keeps one per id, so those it still holds
    /// are not doubled). Operations the server lost are sent again when it says how far it
    /// holds the log ([`Store::apply_sync_page`]).
    pub fn reset_history(&self) -> Result<()> {
        let tx = crate::write_tx(&self.conn)?;
        meta_set(&tx, key::CURSOR, "0")?;
        tx.execute("DELETE FROM meta WHERE key = ?1", [key::CURSOR_TAG])?;
        tx.execute(
            "INSERT OR IGNORE INTO reconcile_service (id) SELECT id FROM service",
            [],
        )?;
        tx.execute(
            "UPDATE correction SET acked = 0 WHERE acked = 1 AND refusal IS NULL",
            [],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// The id to ask a fork with: the one already asked for if its answer was lost, else a
    /// new one, kept until [`Store::fork`] succeeds.
    pub fn fork_id(&self) -> Result<Uuid> {
        if let Some(id) =
            meta_get(&self.conn, key::PENDING_FORK)?.and_then(|v| Uuid::try_parse(&v).ok())
        {
            return Ok(id);
        }
        let id = Uuid::now_v7();
        meta_set(&self.conn, key::PENDING_FORK, &id.to_string())?;
        Ok(id)
    }

    /// Takes the new identity of a fork (`POST /api/v1/fork`): the operations after the
    /// answer's `base_idx` become the new device's (id and clock stamps rewritten, as at
    /// enrolment: none of them reached the server), those up to it stay the old device's
    /// and are acknowledged, the new token replaces the old one. One transaction.
    pub fn fork(&mut self, e: &ForkResponse) -> Result<Enrollment> {
        let new = e.device_id;
        let base = e.base_idx.max(0);
        let tx = crate::write_tx(&self.conn)?;
        let tail: Vec<(i64, String, String, String, String)> = tx
            .prepare("SELECT idx, device_id, hlc, kind, entity_id FROM op_log WHERE idx > ?1")?
            .query_map([base], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
            })?
            .collect::<rusqlite::Result<_>>()?;
        let new_node = new.simple().to_string();
        for (idx, device, hlc, kind, entity) in &tail {
            // A stamp's node is its last 32 hex digits.
            let Some(cut) = hlc.len().checked_sub(32) else {
                return Err(StoreError::Corrupt(format!("operation {idx}: clock {hlc}")));
            };
            let stamp = format!("{}{new_node}", &hlc[..cut]);
            tx.execute(
                "UPDATE op_log SET device_id = ?2, hlc = ?3 WHERE idx = ?1",
                params![idx, new.to_string(), stamp],
            )?;
            let table = if kind.starts_with("session.") {
                "outreach_session"
            } else {
                "referral"
            };
            tx.execute(
                &format!("UPDATE {table} SET clocks = replace(clocks, ?2, ?3) WHERE id = ?1"),
                params![entity, hlc, stamp],
            )?;
            if kind == "session.create" {
                tx.execute(
                    "UPDATE outreach_session SET device_id = ?2 WHERE id = ?1 AND device_id = ?3",
                    params![entity, new.to_string(), device],
                )?;
            }
        }
        set_acked_in(&tx, base)?;
        let clock_text = meta_get(&tx, "hlc")?.map(|c| match c.len().checked_sub(32) {
            Some(cut) => format!("{}{new_node}", &c[..cut]),
            None => c,
        });
        if let Some(c) = &clock_text {
            meta_set(&tx, "hlc", c)?;
        }
        meta_set(&tx, "device_id", &new.to_string())?;
        write_identity(
            &tx,
            &e.token,
            &e.worker,
            e.team.as_deref(),
            e.role,
            &e.regions,
        )?;
        tx.execute("DELETE FROM meta WHERE key = ?1", [key::PENDING_FORK])?;
        tx.commit()?;
        let last = clock_text
            .map(|c| c.parse::<Hlc>())
            .transpose()
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        self.device_id = new;
        self.clock = Clock::resume(new, last);
        tracing::warn!(device = %new, base, "this store was restored from an older copy: it took a new device id");
        Ok(self.enrollment()?.expect("the store is enrolled"))
    }

    /// Records how far the server's clock is from this device's (server minus device, in
    /// ms), for [`SyncStatus::clock_warning`].
    pub fn record_clock_offset(&self, offset_ms: i64) -> Result<()> {
        meta_set(&self.conn, key::CLOCK_OFFSET, &offset_ms.to_string())
    }

    /// Everything the server received from this device and refused, newest first.
    pub fn refused_items(&self) -> Result<Vec<RefusedItem>> {
        let mut out = Vec::new();
        let mut stmt = self.conn.prepare(
            "SELECT idx, kind, entity_id, refusal FROM op_log WHERE refusal IS NOT NULL
              ORDER BY idx DESC",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
            ))
        })?;
        for row in rows {
            let (idx, kind, entity, refusal) = row?;
            let (code, reason) = parse_refusal(&refusal);
            out.push(RefusedItem {
                item: "operation".into(),
                id: entity,
                kind: Some(kind),
                idx: Some(idx),
                code,
                reason,
            });
        }
        let mut stmt = self.conn.prepare(
            "SELECT id, refusal FROM correction WHERE refusal IS NOT NULL ORDER BY created_at DESC",
        )?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
        for row in rows {
            let (id, refusal) = row?;
            let (code, reason) = parse_refusal(&refusal);
            out.push(RefusedItem {
                item: "correction".into(),
                id,
                kind: None,
                idx: None,
                code,
                reason,
            });
        }
        Ok(out)
    }
}

/// A refused change must not stay in this device's copy of its record, or the device and
/// the server would show different values: the record is rebuilt from the operations that
/// still count (this device's not refused, and those it received and merged). A refused
/// create leaves the record as it is: it exists only here, and the CHW sees it listed as
/// refused.
fn undo_refused(tx: &Transaction<'_>, idx: i64, now: &str) -> Result<()> {
    let Some((kind, entity)) = tx
        .prepare_cached("SELECT kind, entity_id FROM op_log WHERE idx = ?1")?
        .query_row([idx], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
        })
        .optional()?
    else {
        return Ok(());
    };
    if kind.ends_with(".create") {
        return Ok(());
    }
    let table = if kind.starts_with("session.") {
        "outreach_session"
    } else {
        "referral"
    };
    let Ok(id) = Uuid::parse_str(&entity) else {
        return Ok(());
    };
    let Some(mut rec) = load(tx, table, id)? else {
        return Ok(());
    };
    let mut ops: Vec<(Hlc, String, Map<String, Value>)> = Vec::new();
    {
        let mut stmt = tx.prepare_cached(
            "SELECT hlc, kind, payload FROM op_log WHERE entity_id = ?1 AND refusal IS NULL
             UNION ALL
             SELECT hlc, kind, payload FROM received_op WHERE entity_id = ?1 AND applied = 1",
        )?;
        let rows = stmt.query_map([&entity], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
            ))
        })?;
        for row in rows {
            let (hlc, kind, payload) = row?;
            let corrupt = |e: &dyn std::fmt::Display| {
                StoreError::Corrupt(format!("operation of {entity}: {e}"))
            };
            ops.push((
                hlc.parse().map_err(|e| corrupt(&e))?,
                kind,
                serde_json::from_str(&payload).map_err(|e| corrupt(&e))?,
            ));
        }
    }
    if !ops.iter().any(|(_, k, _)| k.ends_with(".create")) {
        return Ok(());
    }
    ops.sort_by_key(|(h, _, _)| *h);
    let mut doc = Map::new();
    let mut clocks = Map::new();
    for (hlc, _, payload) in &ops {
        apply_patch(&mut doc, &mut clocks, payload, hlc);
    }
    if doc == rec.doc && clocks == rec.clocks || check_record(table, &doc).is_err() {
        return Ok(());
    }
    rec.doc = doc;
    rec.clocks = clocks;
    save(tx, table, id, &rec, now)
}

/// Who the server says this device is, as enrolment and a fork write it.
fn write_identity(
    tx: &Transaction<'_>,
    token: &str,
    worker: &str,
    team: Option<&str>,
    role: Role,
    regions: &[String],
) -> Result<()> {
    meta_set(tx, key::TOKEN, token)?;
    meta_set(tx, key::WORKER, worker)?;
    match team {
        Some(t) => meta_set(tx, key::TEAM, t)?,
        None => {
            tx.execute("DELETE FROM meta WHERE key = ?1", [key::TEAM])?;
        }
    }
    meta_set(tx, key::ROLE, role.as_str())?;
    meta_set(tx, key::REGIONS, &to_json(&regions)?)?;
    Ok(())
}

fn refusal_json(code: &str, reason: &str, at: &str) -> String {
    serde_json::json!({"code": code, "reason": reason, "at": at}).to_string()
}

fn parse_refusal(text: &str) -> (String, String) {
    let v: Value = serde_json::from_str(text).unwrap_or(Value::Null);
    (
        v["code"].as_str().unwrap_or("invalid").to_string(),
        v["reason"]
            .as_str()
            .unwrap_or("refused by the server")
            .to_string(),
    )
}

/// Crosses off the services a page brings while the device re-reads a restored server's
/// feed; on the feed's last page, removes those it never brought. Returns how many it
/// removed.
fn reconcile(tx: &Transaction<'_>, resp: &SyncResponse) -> Result<u64> {
    let waiting: i64 = tx.query_row("SELECT count(*) FROM reconcile_service", [], |r| r.get(0))?;
    if waiting == 0 {
        return Ok(0);
    }
    {
        let mut cross = tx.prepare_cached("DELETE FROM reconcile_service WHERE id = ?1")?;
        for sv in &resp.changes.services {
            cross.execute([sv.service.id.trim()])?;
        }
        for p in &resp.changes.patches {
            cross.execute([&p.id])?;
        }
        for id in &resp.changes.removed {
            cross.execute([id])?;
        }
    }
    if resp.more {
        return Ok(0);
    }
    let removed = tx.execute(
        "DELETE FROM service WHERE id IN (SELECT id FROM reconcile_service)",
        [],
    )? as u64;
    tx.execute("DELETE FROM reconcile_service", [])?;
    if removed > 0 {
        tracing::warn!(
            removed,
            "services the restored server no longer holds were removed"
        );
    }
    Ok(removed)
}

/// A service as the device stores it. Categories this version of the app does not know (the
/// server may extend the taxonomy) are left out rather than refusing the service.
fn service_for_device(s: &Service) -> std::result::Result<Service, String> {
    let mut s = s.clone();
    s.categories.retain(|c| {
        let known = category_index(&c.trim().to_lowercase().replace(['-', ' '], "_")).is_some();
        if !known {
            tracing::info!(category = %c, id = %s.id, "category unknown to this app left out");
        }
        known
    });
    s.normalize().map_err(|e| e.message)
}

/// Stores a received operation unless it is already held; true if it is new.
fn insert_received(tx: &Transaction<'_>, op: &Operation, now: &str) -> Result<bool> {
    let n = tx
        .prepare_cached(
            "INSERT OR IGNORE INTO received_op
                    (device_id, idx, op_id, hlc, kind, entity_id, payload, received_at, applied)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 0)",
        )?
        .execute(params![
            op.device_id.to_string(),
            op.idx,
            op.op_id.to_string(),
            op.hlc.to_string(),
            op.kind.as_str(),
            op.entity_id.to_string(),
            to_json(&op.payload)?,
            now
        ])?;
    Ok(n == 1)
}

/// A received operation as stored, before parsing.
struct StoredOp {
    device_id: String,
    idx: i64,
    op_id: String,
    hlc: String,
    kind: String,
    entity_id: String,
    payload: String,
}

impl StoredOp {
    fn parse(self) -> Result<Operation> {
        let corrupt = |what: &str, e: &dyn std::fmt::Display| {
            StoreError::Corrupt(format!("received operation: {what}: {e}"))
        };
        Ok(Operation {
            device_id: Uuid::parse_str(&self.device_id).map_err(|e| corrupt("device id", &e))?,
            idx: self.idx,
            op_id: Uuid::parse_str(&self.op_id).map_err(|e| corrupt("op id", &e))?,
            hlc: self.hlc.parse().map_err(|e| corrupt("clock", &e))?,
            kind: self.kind.parse().map_err(|e: String| corrupt("kind", &e))?,
            entity_id: Uuid::parse_str(&self.entity_id).map_err(|e| corrupt("entity id", &e))?,
            payload: serde_json::from_str(&self.payload).map_err(|e| corrupt("payload", &e))?,
            seen: None,
        })
    }
}

enum Merged {
    /// Merged; the number of operations applied (this one and any that waited for it).
    Applied(u64),
    /// Its record has not arrived yet (or cannot be built yet): it waits in `received_op`.
    Waiting,
}

fn table_of(kind: OpKind) -> &'static str {
    if kind.is_session() {
        "outreach_session"
    } else {
        "referral"
    }
}

fn mark_applied(tx: &Transaction<'_>, op: &Operation) -> Result<()> {
    tx.prepare_cached("UPDATE received_op SET applied = 1 WHERE device_id = ?1 AND idx = ?2")?
        .execute(params![op.device_id.to_string(), op.idx])?;
    Ok(())
}

/// Merges a received operation into its record exactly like a local write does
/// (`apply_patch`, field by field by HLC), creating the record from a create operation when
/// the device does not hold it (a replaced phone gets its history back). An operation whose
/// record is missing waits; when the record is created, the operations waiting for it are
/// merged in HLC order, and so are referrals that waited for their session — so the result
/// does not depend on where the server cut its pages.
fn merge(tx: &Transaction<'_>, op: &Operation, now: &str) -> Result<Merged> {
    let table = table_of(op.kind);
    if let Some(mut rec) = load(tx, table, op.entity_id)? {
        return Ok(if patch_record(tx, table, op, &mut rec, now)? {
            Merged::Applied(1)
        } else {
            Merged::Waiting
        });
    }
    if !matches!(op.kind, OpKind::SessionCreate | OpKind::ReferralCreate) {
        return Ok(Merged::Waiting);
    }
    let mut doc = Map::new();
    let mut clocks = Map::new();
    apply_patch(&mut doc, &mut clocks, &op.payload, &op.hlc);
    let created = if op.kind == OpKind::SessionCreate {
        insert_session(tx, op, &doc, &clocks, now)?
    } else {
        insert_referral(tx, op, &doc, &clocks, now)?
    };
    if !created {
        return Ok(Merged::Waiting);
    }
    mark_applied(tx, op)?;
    let mut applied = 1;
    // Operations that arrived before their record.
    let mut rec = load(tx, table, op.entity_id)?.expect("the record was just inserted");
    for waiting in waiting_ops(tx, "entity_id = ?1", &op.entity_id.to_string())? {
        if patch_record(tx, table, &waiting, &mut rec, now)? {
            applied += 1;
        }
    }
    // Referrals that arrived before their session.
    if op.kind == OpKind::SessionCreate {
        for waiting in waiting_ops(
            tx,
            "kind = 'referral.create' AND json_extract(payload, '$.session_id') = ?1",
            &op.entity_id.to_string(),
        )? {
            if let Merged::Applied(n) = merge(tx, &waiting, now)? {
                applied += n;
            }
        }
    }
    Ok(Merged::Applied(applied))
}

fn waiting_ops(tx: &Transaction<'_>, filter: &str, arg: &str) -> Result<Vec<Operation>> {
    let sql = format!(
        "SELECT device_id, idx, op_id, hlc, kind, entity_id, payload FROM received_op
          WHERE applied = 0 AND {filter} ORDER BY hlc, device_id, idx"
    );
    let mut stmt = tx.prepare_cached(&sql)?;
    let rows = stmt
        .query_map([arg], |r| {
            Ok(StoredOp {
                device_id: r.get(0)?,
                idx: r.get(1)?,
                op_id: r.get(2)?,
                hlc: r.get(3)?,
                kind: r.get(4)?,
                entity_id: r.get(5)?,
                payload: r.get(6)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    rows.into_iter().map(StoredOp::parse).collect()
}

/// Applies an operation's patch to a record that exists: the version goes up only when a
/// value changed; newer clocks are kept even when the value is the same, so later merges
/// order exactly as on the server. An operation that would leave the record invalid (no
/// start time, an unknown status) is not applied: it stays in `received_op`, waiting, and
/// false is returned.
fn patch_record(
    tx: &Transaction<'_>,
    table: &str,
    op: &Operation,
    rec: &mut Record,
    now: &str,
) -> Result<bool> {
    let mut doc = rec.doc.clone();
    let mut clocks = rec.clocks.clone();
    let changed = apply_patch(&mut doc, &mut clocks, &op.payload, &op.hlc);
    if !changed.is_empty() {
        let valid = check_record(table, &doc);
        if let Err(why) = valid {
            tracing::warn!(device = %op.device_id, idx = op.idx, entity = %op.entity_id, %why, "received operation not applied");
            return Ok(false);
        }
        rec.doc = doc;
        rec.clocks = clocks;
        save(tx, table, op.entity_id, rec, now)?;
        rec.version += 1;
    } else if clocks != rec.clocks {
        rec.clocks = clocks;
        let sql = if table == "outreach_session" {
            "UPDATE outreach_session SET clocks = ?2 WHERE id = ?1"
        } else {
            "UPDATE referral SET clocks = ?2 WHERE id = ?1"
        };
        tx.prepare_cached(sql)?
            .execute(params![op.entity_id.to_string(), to_json(&rec.clocks)?])?;
    }
    mark_applied(tx, op)?;
    Ok(true)
}

fn started_utc(doc: &Map<String, Value>) -> Option<String> {
    doc.get("started_at")
        .and_then(Value::as_str)
        .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
        .map(|d| d.with_timezone(&Utc).to_rfc3339())
}

/// The rules the server checked the record by (`njia_model::records`), but the one on
/// starts in the future, which the server decided by its own clock.
fn check_record(table: &str, doc: &Map<String, Value>) -> std::result::Result<(), String> {
    if table == "outreach_session" {
        check_session(doc, None)
    } else {
        check_referral(doc)
    }
}

/// Creates a session from its create operation; false (it waits) if the operation does not
/// make a valid session.
fn insert_session(
    tx: &Transaction<'_>,
    op: &Operation,
    doc: &Map<String, Value>,
    clocks: &Map<String, Value>,
    now: &str,
) -> Result<bool> {
    let Some(started) = started_utc(doc) else {
        tracing::warn!(device = %op.device_id, idx = op.idx, "received session without a start time: waiting");
        return Ok(false);
    };
    if let Err(why) = check_record("outreach_session", doc) {
        tracing::warn!(device = %op.device_id, idx = op.idx, %why, "received session not stored");
        return Ok(false);
    }
    tx.prepare_cached(
        "INSERT INTO outreach_session (id, device_id, started_utc, status, version, doc, clocks, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, 1, ?5, ?6, ?7, ?7)",
    )?
    .execute(params![
        op.entity_id.to_string(),
        op.device_id.to_string(),
        started,
        status_of(doc),
        to_json(doc)?,
        to_json(clocks)?,
        now
    ])?;
    Ok(true)
}

/// Creates a referral from its create operation; false (it waits) while its session has not
/// arrived.
fn insert_referral(
    tx: &Transaction<'_>,
    op: &Operation,
    doc: &Map<String, Value>,
    clocks: &Map<String, Value>,
    now: &str,
) -> Result<bool> {
    let session_id = match doc.get("session_id") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(other) => {
            tracing::warn!(device = %op.device_id, idx = op.idx, session = %other, "received referral with a malformed session id");
            return Ok(false);
        }
    };
    if let Some(sid) = &session_id {
        let exists = tx
            .prepare_cached("SELECT 1 FROM outreach_session WHERE id = ?1")?
            .query_row([sid], |_| Ok(()))
            .optional()?
            .is_some();
        if !exists {
            return Ok(false);
        }
    }
    if let Err(why) = check_record("referral", doc) {
        tracing::warn!(device = %op.device_id, idx = op.idx, %why, "received referral not stored");
        return Ok(false);
    }
    tx.prepare_cached(
        "INSERT INTO referral (id, session_id, service_id, status, follow_up_on, version, doc, clocks, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, 1, ?6, ?7, ?8, ?8)",
    )?
    .execute(params![
        op.entity_id.to_string(),
        session_id,
        doc.get("service_id").and_then(Value::as_str).unwrap_or_default(),
        status_of(doc),
        doc.get("follow_up_on").and_then(Value::as_str),
        to_json(doc)?,
        to_json(clocks)?,
        now
    ])?;
    Ok(true)
}
