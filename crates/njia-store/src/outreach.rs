//! Outreach sessions and referrals on the device. Every change is validated, written, and
//! logged as an operation in one transaction: either all three happen or none.

use chrono::{NaiveDate, Utc};
use njia_model::hlc::Hlc;
use njia_model::ops::{apply_patch, diff, OpKind};
use njia_model::outreach::{
    validate_referral, Referral, ReferralInput, ReferralStatus, Session, SessionInput,
    SessionStatus,
};
use njia_model::ValidationError;
use rusqlite::{params, OptionalExtension, Transaction};
use serde_json::{json, Map, Value};
use uuid::Uuid;

use crate::oplog::append;
use crate::{current_device, stamp, write_tx, Result, Store, StoreError};

/// Longest reason accepted for voiding a session.
pub const MAX_VOID_REASON_LEN: usize = 500;

/// Which referrals to list.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReferralFilter {
    pub status: Option<ReferralStatus>,
    pub session_id: Option<String>,
    /// Only those with a follow-up due on or before this day.
    pub due_by: Option<NaiveDate>,
}

/// A change to a referral's outcome.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReferralUpdate {
    pub status: Option<ReferralStatus>,
    /// `Some(None)` clears the follow-up date.
    pub follow_up_on: Option<Option<NaiveDate>>,
}

/// A record row as stored: fields, per-field clocks and bookkeeping.
pub(crate) struct Record {
    pub(crate) doc: Map<String, Value>,
    pub(crate) clocks: Map<String, Value>,
    pub(crate) version: i64,
}

fn parse_id(id: &str, not_found: fn(String) -> StoreError) -> Result<Uuid> {
    Uuid::parse_str(id.trim()).map_err(|_| not_found(id.to_string()))
}

pub(crate) fn to_json(v: &impl serde::Serialize) -> Result<String> {
    serde_json::to_string(v).map_err(|e| StoreError::Corrupt(e.to_string()))
}

fn from_json(what: &str, s: &str) -> Result<Map<String, Value>> {
    serde_json::from_str(s).map_err(|e| StoreError::Corrupt(format!("{what}: {e}")))
}

fn referral_fields(
    session_id: Option<Uuid>,
    r: &ReferralInput,
    status: ReferralStatus,
) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("session_id".into(), json!(session_id));
    m.insert("service_id".into(), json!(r.service_id));
    m.insert("reason".into(), json!(r.reason));
    m.insert("urgency".into(), json!(r.urgency));
    m.insert("client_code".into(), json!(r.client_code));
    m.insert("follow_up_on".into(), json!(r.follow_up_on));
    m.insert("status".into(), json!(status));
    m
}

impl Store {
    /// Records a new session with its referrals and returns it as stored.
    pub fn add_session(&mut self, input: SessionInput) -> Result<Session> {
        let input = input.validate(Utc::now())?;
        if input.id.is_some() || input.version.is_some() {
            return Err(ValidationError::new(
                "id",
                "a new session cannot carry an id or a version; use `njia log edit` to change a session",
            )
            .into());
        }
        self.check_referred_services(&input.referrals)?;
        let id = Uuid::now_v7();
        let now = Utc::now().to_rfc3339();
        let tx = write_tx(&self.conn)?;
        let device = current_device(&tx, &mut self.device_id, &mut self.clock)?;
        let hlc = stamp(&mut self.clock, &tx)?;
        let fields = input.fields();
        let mut doc = Map::new();
        let mut clocks = Map::new();
        apply_patch(&mut doc, &mut clocks, &fields, &hlc);
        tx.prepare_cached(
            "INSERT INTO outreach_session (id, device_id, started_utc, status, version, doc, clocks, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, 1, ?5, ?6, ?7, ?7)",
        )?
        .execute(params![
            id.to_string(),
            device.to_string(),
            input.started_at.with_timezone(&Utc).to_rfc3339(),
            status_of(&doc),
            to_json(&doc)?,
            to_json(&clocks)?,
            now
        ])?;
        append(&tx, device, &hlc, OpKind::SessionCreate, id, &fields)?;
        for r in &input.referrals {
            if r.id.is_some() {
                return Err(ValidationError::new(
                    "referrals",
                    "a referral of a new session cannot carry an id",
                )
                .into());
            }
            let hlc = stamp(&mut self.clock, &tx)?;
            insert_referral(&tx, device, &hlc, Some(id), r, &now)?;
        }
        tx.commit()?;
        self.session(&id.to_string())
    }

    /// Replaces a session's fields with those of `input`, logging only what changed. A
    /// version in the input must be the current one: an edit based on an old copy is refused
    /// rather than silently overwriting the newer one.
    pub fn edit_session(&mut self, id: &str, input: SessionInput) -> Result<Session> {
        let uuid = parse_id(id, StoreError::SessionNotFound)?;
        let input = input.validate(Utc::now())?;
        if let Some(given) = input.id {
            if given != uuid {
                return Err(ValidationError::new(
                    "id",
                    format!("the file is for session {given}, not {uuid}"),
                )
                .into());
            }
        }
        self.check_referred_services(&input.referrals)?;
        let now = Utc::now().to_rfc3339();
        let tx = write_tx(&self.conn)?;
        let device = current_device(&tx, &mut self.device_id, &mut self.clock)?;
        let mut rec = load(&tx, "outreach_session", uuid)?
            .ok_or_else(|| StoreError::SessionNotFound(uuid.to_string()))?;
        if status_of(&rec.doc) == "voided" {
            return Err(StoreError::Voided(uuid.to_string()));
        }
        if let Some(based_on) = input.version {
            if based_on != rec.version {
                return Err(StoreError::StaleEdit {
                    id: uuid.to_string(),
                    current: rec.version,
                    based_on,
                });
            }
        }
        let patch = diff(&rec.doc, &input.fields());
        if !patch.is_empty() {
            let hlc = stamp(&mut self.clock, &tx)?;
            apply_patch(&mut rec.doc, &mut rec.clocks, &patch, &hlc);
            save(&tx, "outreach_session", uuid, &rec, &now)?;
            append(&tx, device, &hlc, OpKind::SessionUpdate, uuid, &patch)?;
        }
        for r in &input.referrals {
            match r.id {
                None => {
                    let hlc = stamp(&mut self.clock, &tx)?;
                    insert_referral(&tx, device, &hlc, Some(uuid), r, &now)?;
                }
                Some(rid) => {
                    let mut rrec = load(&tx, "referral", rid)?
                        .ok_or_else(|| StoreError::ReferralNotFound(rid.to_string()))?;
                    if rrec.doc.get("session_id") != Some(&json!(uuid)) {
                        return Err(ValidationError::new(
                            "referrals",
                            format!("referral {rid} belongs to another session"),
                        )
                        .into());
                    }
                    let status = r.status.unwrap_or_else(|| {
                        serde_json::from_value(rrec.doc["status"].clone())
                            .unwrap_or(ReferralStatus::Issued)
                    });
                    let patch = diff(&rrec.doc, &referral_fields(Some(uuid), r, status));
                    if !patch.is_empty() {
                        let hlc = stamp(&mut self.clock, &tx)?;
                        apply_patch(&mut rrec.doc, &mut rrec.clocks, &patch, &hlc);
                        save(&tx, "referral", rid, &rrec, &now)?;
                        append(&tx, device, &hlc, OpKind::ReferralUpdate, rid, &patch)?;
                    }
                }
            }
        }
        tx.commit()?;
        self.session(&uuid.to_string())
    }

    /// Voids a session: it stays, with its reason, but no longer counts.
    pub fn void_session(&mut self, id: &str, reason: &str) -> Result<Session> {
        let uuid = parse_id(id, StoreError::SessionNotFound)?;
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(
                ValidationError::new("reason", "say why the session is voided (--reason)").into(),
            );
        }
        if reason.chars().count() > MAX_VOID_REASON_LEN {
            return Err(ValidationError::new(
                "reason",
                format!("the reason is longer than {MAX_VOID_REASON_LEN} characters"),
            )
            .into());
        }
        let now = Utc::now().to_rfc3339();
        let tx = write_tx(&self.conn)?;
        let device = current_device(&tx, &mut self.device_id, &mut self.clock)?;
        let mut rec = load(&tx, "outreach_session", uuid)?
            .ok_or_else(|| StoreError::SessionNotFound(uuid.to_string()))?;
        if status_of(&rec.doc) == "voided" {
            return Err(StoreError::Voided(uuid.to_string()));
        }
        let mut patch = Map::new();
        patch.insert("status".into(), json!("voided"));
        patch.insert("void_reason".into(), json!(reason));
        let hlc = stamp(&mut self.clock, &tx)?;
        apply_patch(&mut rec.doc, &mut rec.clocks, &patch, &hlc);
        save(&tx, "outreach_session", uuid, &rec, &now)?;
        append(&tx, device, &hlc, OpKind::SessionVoid, uuid, &patch)?;
        tx.commit()?;
        self.session(&uuid.to_string())
    }

    /// One session with its referrals.
    pub fn session(&self, id: &str) -> Result<Session> {
        let uuid = parse_id(id, StoreError::SessionNotFound)?;
        let row = self
            .conn
            .prepare_cached(
                "SELECT id, device_id, version, doc, created_at, updated_at
                   FROM outreach_session WHERE id = ?1",
            )?
            .query_row([uuid.to_string()], session_row)
            .optional()?
            .ok_or_else(|| StoreError::SessionNotFound(uuid.to_string()))?;
        let referrals = self.referrals(&ReferralFilter {
            session_id: Some(uuid.to_string()),
            ..Default::default()
        })?;
        build_session(row, referrals)
    }

    /// Sessions, most recent first, optionally only those in one status.
    pub fn sessions(&self, status: Option<SessionStatus>) -> Result<Vec<Session>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, device_id, version, doc, created_at, updated_at FROM outreach_session
              WHERE ?1 IS NULL OR status = ?1
              ORDER BY started_utc DESC, id DESC",
        )?;
        let rows = stmt
            .query_map([status.map(SessionStatus::as_str)], session_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        // Every referral read once and grouped by session, not scanned again per session.
        let mut by_session: std::collections::HashMap<Option<Uuid>, Vec<Referral>> =
            std::collections::HashMap::new();
        for r in self.referrals(&ReferralFilter::default())? {
            by_session.entry(r.session_id).or_default().push(r);
        }
        rows.into_iter()
            .map(|row| {
                let mine = Uuid::parse_str(&row.0)
                    .ok()
                    .and_then(|id| by_session.remove(&Some(id)))
                    .unwrap_or_default();
                build_session(row, mine)
            })
            .collect()
    }

    /// Referrals, oldest first, each with its service's name as the directory has it now.
    pub fn referrals(&self, f: &ReferralFilter) -> Result<Vec<Referral>> {
        self.referrals_where(f, None)
    }

    /// Referrals matching the filter and, when given, with this id.
    fn referrals_where(&self, f: &ReferralFilter, id: Option<&str>) -> Result<Vec<Referral>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT r.id, r.version, r.doc, r.created_at, r.updated_at, s.name
               FROM referral r LEFT JOIN service s ON s.id = r.service_id
              WHERE (?1 IS NULL OR r.status = ?1)
                AND (?2 IS NULL OR r.session_id = ?2)
                AND (?3 IS NULL OR (r.follow_up_on IS NOT NULL AND r.follow_up_on <= ?3))
                AND (?4 IS NULL OR r.id = ?4)
              ORDER BY r.created_at, r.id",
        )?;
        let rows = stmt.query_map(
            params![
                f.status.map(ReferralStatus::as_str),
                f.session_id,
                f.due_by.map(|d| d.to_string()),
                id
            ],
            |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, Option<String>>(5)?,
                ))
            },
        )?;
        let mut out = Vec::new();
        for row in rows {
            let (id, version, doc, created, updated, service_name) = row?;
            let mut m = from_json("referral", &doc)?;
            m.insert("id".into(), json!(id));
            m.insert("service_name".into(), json!(service_name));
            m.insert("version".into(), json!(version));
            m.insert("created_at".into(), json!(created));
            m.insert("updated_at".into(), json!(updated));
            out.push(
                serde_json::from_value(Value::Object(m))
                    .map_err(|e| StoreError::Corrupt(format!("referral {id}: {e}")))?,
            );
        }
        Ok(out)
    }

    /// One referral.
    pub fn referral(&self, id: &str) -> Result<Referral> {
        let uuid = parse_id(id, StoreError::ReferralNotFound)?;
        self.referrals_where(&ReferralFilter::default(), Some(&uuid.to_string()))?
            .pop()
            .ok_or_else(|| StoreError::ReferralNotFound(uuid.to_string()))
    }

    /// Records what became of a referral (completed, not completed) or moves its follow-up.
    pub fn update_referral(&mut self, id: &str, u: &ReferralUpdate) -> Result<Referral> {
        let uuid = parse_id(id, StoreError::ReferralNotFound)?;
        if u.status.is_none() && u.follow_up_on.is_none() {
            return Err(ValidationError::new(
                "status",
                "nothing to update: give a status or a follow-up date",
            )
            .into());
        }
        let now = Utc::now().to_rfc3339();
        let tx = write_tx(&self.conn)?;
        let device = current_device(&tx, &mut self.device_id, &mut self.clock)?;
        let mut rec = load(&tx, "referral", uuid)?
            .ok_or_else(|| StoreError::ReferralNotFound(uuid.to_string()))?;
        let mut fields = Map::new();
        if let Some(s) = u.status {
            fields.insert("status".into(), json!(s));
        }
        if let Some(d) = u.follow_up_on {
            fields.insert("follow_up_on".into(), json!(d));
        }
        let patch = diff(&rec.doc, &fields);
        if !patch.is_empty() {
            let hlc = stamp(&mut self.clock, &tx)?;
            apply_patch(&mut rec.doc, &mut rec.clocks, &patch, &hlc);
            save(&tx, "referral", uuid, &rec, &now)?;
            append(&tx, device, &hlc, OpKind::ReferralUpdate, uuid, &patch)?;
        }
        tx.commit()?;
        self.referral(&uuid.to_string())
    }

    fn check_referred_services(&self, referrals: &[ReferralInput]) -> Result<()> {
        for (i, r) in referrals.iter().enumerate() {
            let mut r = r.clone();
            validate_referral(i, &mut r)?;
            if !self.has_service(&r.service_id)? {
                return Err(ValidationError::new(
                    format!("referrals[{i}].service_id"),
                    format!(
                        "referrals[{i}].service_id: no service with id \"{}\" in this device's directory",
                        r.service_id
                    ),
                )
                .into());
            }
        }
        Ok(())
    }
}

type SessionRow = (String, String, i64, String, String, String);

fn session_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<SessionRow> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
    ))
}

fn build_session(row: SessionRow, referrals: Vec<Referral>) -> Result<Session> {
    let (id, device_id, version, doc, created, updated) = row;
    let mut m = from_json("session", &doc)?;
    let total: i64 = m
        .get("reached")
        .and_then(Value::as_array)
        .map(|cells| cells.iter().filter_map(|c| c["count"].as_i64()).sum())
        .unwrap_or(0);
    m.insert("id".into(), json!(id));
    m.insert("device_id".into(), json!(device_id));
    m.insert("version".into(), json!(version));
    m.insert("total_reached".into(), json!(total));
    m.insert("created_at".into(), json!(created));
    m.insert("updated_at".into(), json!(updated));
    m.insert(
        "referrals".into(),
        serde_json::to_value(referrals).map_err(|e| StoreError::Corrupt(e.to_string()))?,
    );
    serde_json::from_value(Value::Object(m))
        .map_err(|e| StoreError::Corrupt(format!("session {id}: {e}")))
}

pub(crate) fn status_of(doc: &Map<String, Value>) -> String {
    doc.get("status")
        .and_then(Value::as_str)
        .unwrap_or("draft")
        .to_string()
}

fn insert_referral(
    tx: &Transaction<'_>,
    device: Uuid,
    hlc: &Hlc,
    session_id: Option<Uuid>,
    r: &ReferralInput,
    now: &str,
) -> Result<Uuid> {
    let id = Uuid::now_v7();
    let fields = referral_fields(session_id, r, r.status.unwrap_or(ReferralStatus::Issued));
    let mut doc = Map::new();
    let mut clocks = Map::new();
    apply_patch(&mut doc, &mut clocks, &fields, hlc);
    tx.prepare_cached(
        "INSERT INTO referral (id, session_id, service_id, status, follow_up_on, version, doc, clocks, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, 1, ?6, ?7, ?8, ?8)",
    )?
    .execute(params![
        id.to_string(),
        session_id.map(|s| s.to_string()),
        r.service_id,
        status_of(&doc),
        r.follow_up_on.map(|d| d.to_string()),
        to_json(&doc)?,
        to_json(&clocks)?,
        now
    ])?;
    append(tx, device, hlc, OpKind::ReferralCreate, id, &fields)?;
    Ok(id)
}

pub(crate) fn load(tx: &Transaction<'_>, table: &str, id: Uuid) -> Result<Option<Record>> {
    let sql = match table {
        "outreach_session" => "SELECT doc, clocks, version FROM outreach_session WHERE id = ?1",
        _ => "SELECT doc, clocks, version FROM referral WHERE id = ?1",
    };
    let row = tx
        .prepare_cached(sql)?
        .query_row([id.to_string()], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, i64>(2)?,
            ))
        })
        .optional()?;
    let Some((doc, clocks, version)) = row else {
        return Ok(None);
    };
    Ok(Some(Record {
        doc: from_json(table, &doc)?,
        clocks: from_json(table, &clocks)?,
        version,
    }))
}

pub(crate) fn save(
    tx: &Transaction<'_>,
    table: &str,
    id: Uuid,
    rec: &Record,
    now: &str,
) -> Result<()> {
    if table == "outreach_session" {
        let started = rec
            .doc
            .get("started_at")
            .and_then(Value::as_str)
            .and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok())
            .map(|d| d.with_timezone(&Utc).to_rfc3339())
            .ok_or_else(|| StoreError::Corrupt(format!("session {id} has no start time")))?;
        tx.prepare_cached(
            "UPDATE outreach_session SET started_utc = ?2, status = ?3, version = version + 1,
                    doc = ?4, clocks = ?5, updated_at = ?6 WHERE id = ?1",
        )?
        .execute(params![
            id.to_string(),
            started,
            status_of(&rec.doc),
            to_json(&rec.doc)?,
            to_json(&rec.clocks)?,
            now
        ])?;
    } else {
        tx.prepare_cached(
            "UPDATE referral SET service_id = ?2, status = ?3, follow_up_on = ?4, version = version + 1,
                    doc = ?5, clocks = ?6, updated_at = ?7 WHERE id = ?1",
        )?
        .execute(params![
            id.to_string(),
            rec.doc.get("service_id").and_then(Value::as_str).unwrap_or_default(),
            status_of(&rec.doc),
            rec.doc.get("follow_up_on").and_then(Value::as_str),
            to_json(&rec.doc)?,
            to_json(&rec.clocks)?,
            now
        ])?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use njia_model::service::Service;

    use super::*;

    fn session_referring_to(services: &[&str]) -> SessionInput {
        let referrals: Vec<Value> = services
            .iter()
            .map(|id| json!({"service_id": id, "reason": "hiv", "urgency": "routine"}))
            .collect();
        let session = json!({
            "started_at": "2026-11-20T09:30:00+03:00", "place": "Eastleigh market",
            "activity": "health_talk", "topics": ["hiv"],
            "reached": [{"sex": "female", "age": "18-49", "group": "migrant", "count": 3}],
            "status": "final", "referrals": referrals
        });
        SessionInput::from_json(&session.to_string()).unwrap()
    }

    #[test]
    fn referrals_come_with_their_services_name_while_it_is_in_the_directory() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("njia.db"), "correct horse battery").unwrap();
        store
            .import_services(
                &[
                    Service::new("svc-clinic", "Eastleigh Health Centre", -1.27, 36.85),
                    Service::new("svc-tb", "Pumwani TB Clinic", -1.28, 36.84),
                ],
                |_, _| {},
            )
            .unwrap();
        let session = store
            .add_session(session_referring_to(&["svc-clinic", "svc-tb"]))
            .unwrap();
        let name = |r: &Referral| (r.service_id.clone(), r.service_name.clone());
        let names: Vec<_> = session.referrals.iter().map(name).collect();
        assert_eq!(
            names,
            [
                ("svc-clinic".into(), Some("Eastleigh Health Centre".into())),
                ("svc-tb".into(), Some("Pumwani TB Clinic".into())),
            ]
        );

        // The office takes the TB clinic out of the directory (as a sync page would).
        store
            .conn
            .execute("DELETE FROM service WHERE id = 'svc-tb'", [])
            .unwrap();
        let listed = store.referrals(&ReferralFilter::default()).unwrap();
        let names: Vec<_> = listed.iter().map(name).collect();
        assert_eq!(
            names,
            [
                ("svc-clinic".into(), Some("Eastleigh Health Centre".into())),
                ("svc-tb".into(), None),
            ]
        );
        // Filters still apply to the referral, not to the service it joins.
        let tb = &listed[1];
        assert_eq!(store.referral(&tb.id.to_string()).unwrap(), *tb);
        let issued = ReferralFilter {
            status: Some(ReferralStatus::Issued),
            session_id: Some(session.id.to_string()),
            ..Default::default()
        };
        assert_eq!(store.referrals(&issued).unwrap().len(), 2);
        // The name is read, not stored: the record and its operations do not carry it.
        let doc: String = store
            .conn
            .query_row(
                "SELECT doc FROM referral WHERE id = ?1",
                [tb.id.to_string()],
                |r| r.get(0),
            )
            .unwrap();
        assert!(!doc.contains("service_name"), "{doc}");
        let ops: i64 = store
            .conn
            .query_row(
                "SELECT count(*) FROM op_log WHERE payload LIKE '%service_name%'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(ops, 0);
    }
}
