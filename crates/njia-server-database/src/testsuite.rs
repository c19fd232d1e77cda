//! The conformance suite: every backend's tests call [`run_all`] on a fresh, empty database,
//! so SQLite and PostgreSQL are held to the same behaviour.
//!
//! Each check is a user story and can also run alone on an empty database. Checks use their
//! own workers, teams, countries and ids, and read the change feed from where it stood when
//! they started, so they do not see each other's data when [`run_all`] runs them in turn.
//! The suite needs no runtime of its own: it only awaits the backend's futures.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, Duration, TimeZone, Utc};
use njia_model::hlc::Hlc;
use njia_model::ops::{apply_patch, OpKind, Operation};
use njia_model::service::Service;
use njia_model::wire::{Correction, Role, ServiceVersion};
use serde_json::{json, Map, Value};
use uuid::Uuid;

use crate::{
    CorrectionStatus, Database, DbError, DbResult, DeviceRecord, FeedPage, NewDevice,
    NewEnrollment, NewFork, NewWorker, RecordKind, Usage, WorkerChoice, OFFICE_DEVICE_ID,
};

/// Runs every check of the suite against `db`, which must be empty.
pub async fn run_all<D: Database>(db: D) {
    an_enrolment_code_works_once_and_expires(&db).await;
    a_revoked_device_is_reported_revoked(&db).await;
    a_device_enrols_again_as_itself_with_its_token_and_its_workers_code(&db).await;
    a_resent_batch_changes_nothing(&db).await;
    a_batch_after_a_gap_is_refused_with_the_acked_idx(&db).await;
    operations_of_another_device_are_refused(&db).await;
    edits_merge_field_by_field_whatever_order_they_arrive_in(&db).await;
    the_feed_pages_by_bytes_and_resumes_from_its_cursor(&db).await;
    devices_get_their_regions_and_hear_when_a_service_leaves(&db).await;
    a_worker_sees_their_own_records_and_a_supervisor_the_teams(&db).await;
    an_edit_of_another_workers_record_is_kept_but_not_applied(&db).await;
    importing_the_same_directory_twice_changes_nothing(&db).await;
    a_changed_service_goes_down_as_its_changed_fields(&db).await;
    office_edits_merge_by_hlc_and_the_losing_values_are_listed(&db).await;
    corrections_are_flagged_when_stale_and_an_accepted_one_goes_down_the_feed(&db).await;
    refused_operations_are_held_answered_again_and_never_fed(&db).await;
    a_log_that_differs_from_the_held_one_diverges_and_forks(&db).await;
    history_tags_name_the_stretch_a_cursor_stands_on(&db).await;
    two_workers_of_one_name_are_two_people(&db).await;
    a_devices_usage_counts_what_it_stored_in_the_window(&db).await;
}

// ---------------------------------------------------------------------------------------
// Helpers: devices, operations, the device's merge rule, the feed.
// ---------------------------------------------------------------------------------------

/// Names the suite's devices, operations and records, so ids are stable and never collide.
const SUITE: Uuid = Uuid::from_u128(0x6e6a_6961_0000_4000_8000_7375_6974_6501);

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 20, 8, 0, 0).unwrap()
}

fn named(name: &str) -> Uuid {
    Uuid::new_v5(&SUITE, name.as_bytes())
}

fn obj(v: Value) -> Map<String, Value> {
    v.as_object().cloned().expect("a JSON object")
}

/// The worker of this name in this team, made when there is none (as `enroll --worker`).
async fn worker_of<D: Database>(
    db: &D,
    name: &str,
    team: Option<&str>,
    role: Role,
    regions: &[&str],
) -> Uuid {
    db.choose_worker(WorkerChoice::Named(NewWorker {
        id: named(&format!("worker-{name}-{team:?}")),
        name: name.into(),
        team: team.map(Into::into),
        role,
        regions: regions.iter().map(|r| r.to_string()).collect(),
        now: t0() - Duration::hours(2),
    }))
    .await
    .expect("choose worker")
    .id
}

/// Enrols a device the way the server does: a code is issued, then redeemed.
async fn enrol<D: Database>(
    db: &D,
    key: &str,
    worker: &str,
    team: Option<&str>,
    role: Role,
    regions: &[&str],
) -> DeviceRecord {
    let code_hash = format!("suite-code-{key}");
    let worker_id = worker_of(db, worker, team, role, regions).await;
    db.create_enrollment(NewEnrollment {
        code_hash: code_hash.clone(),
        worker_id,
        role,
        regions: regions.iter().map(|r| r.to_string()).collect(),
        created_at: t0() - Duration::hours(1),
        expires_at: t0() + Duration::days(7),
    })
    .await
    .expect("create enrolment");
    db.redeem_enrollment(
        &code_hash,
        NewDevice {
            id: named(&format!("device-{key}")),
            token_hash: format!("suite-token-{key}"),
            label: Some(format!("{worker}'s phone")),
            now: t0(),
            proof: None,
        },
    )
    .await
    .expect("redeem enrolment")
}

/// A device's operation log, written as the device store writes it: idx 1, 2, 3… and HLC
/// stamps that only go forward.
struct Log {
    device: DeviceRecord,
    next_idx: i64,
    last_ms: u64,
}

impl Log {
    fn new(device: &DeviceRecord) -> Self {
        Self {
            device: device.clone(),
            next_idx: 1,
            last_ms: 0,
        }
    }

    /// The next operation, stamped at `wall_ms` (or just after the last stamp if the clock
    /// went backwards, as an HLC does).
    fn op(&mut self, kind: OpKind, entity: Uuid, payload: Value, wall_ms: u64) -> Operation {
        let wall_ms = wall_ms.max(self.last_ms + 1);
        self.last_ms = wall_ms;
        let idx = self.next_idx;
        self.next_idx += 1;
        Operation {
            device_id: self.device.id,
            idx,
            op_id: Uuid::new_v5(&self.device.id, idx.to_string().as_bytes()),
            hlc: Hlc {
                wall_ms,
                counter: 0,
                node: self.device.id,
            },
            kind,
            entity_id: entity,
            payload: obj(payload),
            seen: None,
        }
    }
}

/// The fields of a session as the device's session file has them.
fn session_fields(place: &str, count: i64) -> Value {
    json!({
        "started_at": "2026-11-20T09:30:00+03:00",
        "ended_at": "2026-11-20T11:00:00+03:00",
        "place": place,
        "lat": -1.2741, "lon": 36.8516, "accuracy_m": 25.0, "admin_area": null,
        "activity": "health_talk",
        "topics": ["hiv", "tb"],
        "reached": [
            {"sex": "female", "age": "18-49", "group": "migrant", "count": count},
            {"sex": "male", "age": "18-49", "group": "host", "count": 5}
        ],
        "materials": {"condoms": 100, "leaflets": 40},
        "notes": "",
        "status": "final"
    })
}

fn referral_fields(session: Uuid, service_id: &str) -> Value {
    json!({
        "session_id": session,
        "service_id": service_id,
        "reason": "hiv",
        "urgency": "routine",
        "client_code": "A7X-22",
        "follow_up_on": null,
        "status": "issued"
    })
}

/// Puts a service in the directory for referrals to name (a new referral must name a
/// service the directory holds), in a country no check's devices receive.
async fn referable<D: Database>(db: &D, id: &str) {
    let mut s = Service::new(id, format!("Referral target {id}"), 0.5, 0.5);
    s.country = Some("ZZ".into());
    db.import_services(vec![s], t0())
        .await
        .expect("import a referable service");
}

/// A record as a device holds it: fields, per-field clocks, version.
#[derive(Debug, Clone, PartialEq)]
struct Replica {
    fields: Map<String, Value>,
    clocks: Map<String, Value>,
    version: i64,
}

/// What a device that applied these operations in this order holds (the device store's
/// rule): the first operation on an entity creates the record at version 1; each later one
/// is merged field by field by HLC and adds 1 to the version only if a value changed.
fn replay<'a>(ops: impl IntoIterator<Item = &'a Operation>) -> HashMap<Uuid, Replica> {
    let mut out: HashMap<Uuid, Replica> = HashMap::new();
    for op in ops {
        match out.get_mut(&op.entity_id) {
            None => {
                let mut r = Replica {
                    fields: Map::new(),
                    clocks: Map::new(),
                    version: 1,
                };
                apply_patch(&mut r.fields, &mut r.clocks, &op.payload, &op.hlc);
                out.insert(op.entity_id, r);
            }
            Some(r) => {
                if !apply_patch(&mut r.fields, &mut r.clocks, &op.payload, &op.hlc).is_empty() {
                    r.version += 1;
                }
            }
        }
    }
    out
}

/// Last writer wins, field by field: each field's value from the newest operation setting it.
fn newest_values<'a>(ops: impl IntoIterator<Item = &'a Operation>) -> Map<String, Value> {
    let mut best: BTreeMap<String, (Hlc, Value)> = BTreeMap::new();
    for op in ops {
        for (k, v) in &op.payload {
            if best.get(k).is_none_or(|(h, _)| op.hlc > *h) {
                best.insert(k.clone(), (op.hlc, v.clone()));
            }
        }
    }
    best.into_iter().map(|(k, (_, v))| (k, v)).collect()
}

async fn record<D: Database>(db: &D, id: Uuid) -> Option<crate::OutreachRecord> {
    db.outreach()
        .await
        .expect("outreach records")
        .into_iter()
        .find(|r| r.id == id)
}

async fn stored_device<D: Database>(db: &D, token_key: &str) -> DeviceRecord {
    db.device_by_token(&format!("suite-token-{token_key}"))
        .await
        .expect("device lookup")
        .expect("device exists")
}

fn items(p: &FeedPage) -> usize {
    p.changes.services.len()
        + p.changes.patches.len()
        + p.changes.removed.len()
        + p.changes.ops.len()
}

fn page_bytes(p: &FeedPage) -> usize {
    serde_json::to_vec(&p.changes).expect("page JSON").len()
}

/// Everything a device received reading the feed to its end.
#[derive(Debug, Default)]
struct Feed {
    services: Vec<ServiceVersion>,
    removed: Vec<String>,
    ops: Vec<Operation>,
    pages: usize,
    cursor: i64,
}

impl Feed {
    fn service_ids(&self) -> BTreeSet<String> {
        self.services.iter().map(|s| s.service.id.clone()).collect()
    }

    fn removed_ids(&self) -> BTreeSet<String> {
        self.removed.iter().cloned().collect()
    }

    fn op_ids(&self) -> Vec<Uuid> {
        self.ops.iter().map(|o| o.op_id).collect()
    }

    fn is_empty(&self) -> bool {
        self.services.is_empty() && self.removed.is_empty() && self.ops.is_empty()
    }
}

/// Reads the feed from `cursor` to its end, `max_bytes` a page, checking on the way what
/// every page promises: within its size unless it is one item, never empty while more
/// waits, a cursor that moves forward, and a count of what remains that the later pages
/// bear out (nothing is written while it reads).
async fn read_feed<D: Database>(
    db: &D,
    device: &DeviceRecord,
    cursor: i64,
    max_bytes: usize,
) -> Feed {
    let mut feed = Feed {
        cursor,
        ..Feed::default()
    };
    // Each page's (items, remaining).
    let mut counts: Vec<(usize, u64)> = Vec::new();
    for _ in 0..100_000 {
        let page = db
            .changes(device, feed.cursor, max_bytes)
            .await
            .expect("changes");
        assert!(
            page_bytes(&page) <= max_bytes || items(&page) == 1,
            "a page of {} items is {} bytes, over the {max_bytes} asked for",
            items(&page),
            page_bytes(&page)
        );
        if page.more {
            assert!(items(&page) > 0, "an empty page says more waits");
            assert!(page.cursor > feed.cursor, "the cursor did not move");
        }
        if !page.more {
            assert_eq!(page.remaining, 0, "the last page says items remain");
        }
        counts.push((items(&page), page.remaining));
        feed.pages += 1;
        feed.cursor = page.cursor;
        feed.services.extend(page.changes.services);
        feed.removed.extend(page.changes.removed);
        feed.ops.extend(page.changes.ops);
        if !page.more {
            let mut later = 0u64;
            for (i, (items, remaining)) in counts.iter().enumerate().rev() {
                assert_eq!(
                    *remaining,
                    later,
                    "page {} of {} said {remaining} items remain; the pages after it held {later}",
                    i + 1,
                    counts.len()
                );
                later += *items as u64;
            }
            return feed;
        }
    }
    panic!("the feed never ended");
}

/// Where the feed ends now for this device: a check's starting point.
async fn caught_up<D: Database>(db: &D, device: &DeviceRecord) -> i64 {
    read_feed(db, device, 0, 1 << 24).await.cursor
}

fn service(id: &str, name: &str, country: Option<&str>) -> Service {
    let mut s = Service::new(id, name, -1.28, 36.82);
    s.country = country.map(Into::into);
    s.categories = vec!["primary_care".into()];
    s.languages = vec!["sw".into(), "en".into()];
    s.phone = Some("+254 700 000000".into());
    s.opening_hours = Some("Mo-Fr 08:00-17:00".into());
    s
}

// ---------------------------------------------------------------------------------------
// Enrolment and devices.
// ---------------------------------------------------------------------------------------

/// A code redeems once; a second use, an unknown code and an expired code are refused.
pub async fn an_enrolment_code_works_once_and_expires<D: Database>(db: &D) {
    let t0 = Utc.with_ymd_and_hms(2026, 11, 20, 8, 0, 0).unwrap();
    let amina = worker_of(db, "Amina", Some("eastleigh"), Role::Worker, &["KE"]).await;
    for (hash, expires) in [
        ("code-a", t0 + Duration::hours(24)),
        ("code-b", t0 - Duration::hours(1)),
    ] {
        db.create_enrollment(NewEnrollment {
            code_hash: hash.into(),
            worker_id: amina,
            role: Role::Worker,
            regions: vec!["KE".into()],
            created_at: t0 - Duration::hours(2),
            expires_at: expires,
        })
        .await
        .expect("create enrolment");
    }
    let device = |n: u128| NewDevice {
        id: Uuid::from_u128(n),
        token_hash: format!("token-{n}"),
        label: None,
        now: t0,
        proof: None,
    };
    let d = db
        .redeem_enrollment("code-a", device(1))
        .await
        .expect("first use");
    assert_eq!(
        (d.worker.as_str(), d.role, d.regions.clone()),
        ("Amina", Role::Worker, vec!["KE".to_string()])
    );
    assert!(matches!(
        db.redeem_enrollment("code-a", device(2)).await,
        Err(DbError::CodeUsed)
    ));
    assert!(matches!(
        db.redeem_enrollment("code-b", device(3)).await,
        Err(DbError::CodeExpired(_))
    ));
    assert!(matches!(
        db.redeem_enrollment("nope", device(4)).await,
        Err(DbError::CodeUnknown)
    ));
    let found = db
        .device_by_token("token-1")
        .await
        .expect("lookup")
        .expect("device");
    assert_eq!(found.id, Uuid::from_u128(1));
    assert!(db
        .device_by_token("token-2")
        .await
        .expect("lookup")
        .is_none());
}

/// A store whose first sync's answer was lost enrols again with a new code: with the token
/// it holds as proof and a code for the same worker, it stays the same device with a new
/// token (the old one stops working) and the code's role and regions. A wrong token,
/// another worker's code, an unknown or revoked device are refused in words, and the code
/// stays unused.
pub async fn a_device_enrols_again_as_itself_with_its_token_and_its_workers_code<D: Database>(
    db: &D,
) {
    let first = enrol(
        db,
        "again",
        "again-zawadi",
        Some("again-team"),
        Role::Worker,
        &["KE"],
    )
    .await;
    let zawadi = worker_of(db, "again-zawadi", Some("again-team"), Role::Worker, &[]).await;
    let baraka = worker_of(db, "again-baraka", Some("again-team"), Role::Worker, &[]).await;
    let elsewhere = worker_of(db, "again-zawadi", Some("other-team"), Role::Worker, &[]).await;
    let code = |hash: &str, worker_id: Uuid, role| NewEnrollment {
        code_hash: hash.into(),
        worker_id,
        role,
        regions: vec!["KE".into(), "SO".into()],
        created_at: t0() - Duration::hours(1),
        expires_at: t0() + Duration::days(3),
    };
    for c in [
        code("again-code", zawadi, Role::Supervisor),
        code("again-baraka", baraka, Role::Worker),
        code("again-elsewhere", elsewhere, Role::Worker),
        code("again-late", zawadi, Role::Worker),
    ] {
        db.create_enrollment(c).await.expect("create enrolment");
    }
    let again = |id: Uuid, token: &str, proof: &str| NewDevice {
        id,
        token_hash: token.into(),
        label: None,
        now: t0(),
        proof: Some(proof.into()),
    };
    let refused = |r: DbResult<DeviceRecord>, words: &str| match r {
        Err(DbError::Invalid(m)) => assert!(m.contains(words), "{m}"),
        other => panic!("wanted a refusal saying {words:?}, got {other:?}"),
    };
    refused(
        db.redeem_enrollment("again-code", again(first.id, "again-t2", "not-its-token"))
            .await,
        "is not device",
    );
    refused(
        db.redeem_enrollment(
            "again-baraka",
            again(first.id, "again-t2", "suite-token-again"),
        )
        .await,
        "this code is for again-baraka (worker",
    );
    refused(
        db.redeem_enrollment(
            "again-elsewhere",
            again(first.id, "again-t2", "suite-token-again"),
        )
        .await,
        "holds the records of again-zawadi (worker",
    );
    refused(
        db.redeem_enrollment(
            "again-code",
            again(named("again-nobody"), "again-t2", "suite-token-again"),
        )
        .await,
        "is not known to this server",
    );
    refused(
        db.redeem_enrollment(
            "again-code",
            again(OFFICE_DEVICE_ID, "again-t2", "suite-token-again"),
        )
        .await,
        "office",
    );
    assert!(
        db.device_by_token("again-t2")
            .await
            .expect("lookup")
            .is_none(),
        "a refusal stores nothing"
    );

    let renewed = db
        .redeem_enrollment(
            "again-code",
            again(first.id, "again-t2", "suite-token-again"),
        )
        .await
        .expect("enrolled again: the refusals left the code unused");
    assert_eq!(renewed.id, first.id);
    assert_eq!(
        (renewed.worker.as_str(), renewed.team.as_deref()),
        ("again-zawadi", Some("again-team"))
    );
    assert_eq!(renewed.role, Role::Supervisor);
    assert_eq!(renewed.regions, vec!["KE".to_string(), "SO".to_string()]);
    assert_eq!(renewed.label.as_deref(), Some("again-zawadi's phone"));
    assert_eq!(renewed.enrolled_at, first.enrolled_at);
    let found = db
        .device_by_token("again-t2")
        .await
        .expect("lookup")
        .expect("the new token finds the device");
    assert_eq!(found.id, first.id);
    assert!(
        db.device_by_token("suite-token-again")
            .await
            .expect("lookup")
            .is_none(),
        "the old token no longer works"
    );
    let same = db
        .devices()
        .await
        .expect("devices")
        .into_iter()
        .filter(|d| d.worker == "again-zawadi")
        .count();
    assert_eq!(same, 1, "no second device for the worker");
    assert!(matches!(
        db.redeem_enrollment("again-code", again(first.id, "again-t3", "again-t2"))
            .await,
        Err(DbError::CodeUsed)
    ));

    db.revoke_device(first.id, t0()).await.expect("revoke");
    refused(
        db.redeem_enrollment("again-late", again(first.id, "again-t3", "again-t2"))
            .await,
        "was revoked",
    );
    // The other worker's code, refused above, still enrols a new device of its own.
    let baraka = db
        .redeem_enrollment(
            "again-baraka",
            NewDevice {
                id: named("again-baraka-phone"),
                token_hash: "again-baraka-token".into(),
                label: None,
                now: t0(),
                proof: None,
            },
        )
        .await
        .expect("the refused code is still unused");
    assert_eq!(baraka.worker, "again-baraka");
}

/// The office revokes a lost phone: its token still finds it, marked revoked (so the server
/// can answer "revoked" rather than "unknown"); revoking again changes nothing.
pub async fn a_revoked_device_is_reported_revoked<D: Database>(db: &D) {
    let lost = enrol(
        db,
        "revoke-lost",
        "revoke-baraka",
        Some("revoke-team"),
        Role::Worker,
        &["KE"],
    )
    .await;
    let kept = enrol(
        db,
        "revoke-kept",
        "revoke-baraka",
        Some("revoke-team"),
        Role::Worker,
        &["KE"],
    )
    .await;
    assert_eq!(lost.team.as_deref(), Some("revoke-team"));
    assert_eq!(lost.label.as_deref(), Some("revoke-baraka's phone"));
    assert_eq!((lost.acked_idx, lost.revoked_at), (0, None));
    let when = t0() + Duration::hours(3);
    assert!(db.revoke_device(lost.id, when).await.expect("revoke"));
    assert!(!db
        .revoke_device(lost.id, when + Duration::hours(1))
        .await
        .expect("revoke again"));
    let found = stored_device(db, "revoke-lost").await;
    assert_eq!(found.id, lost.id);
    assert_eq!(
        found.revoked_at,
        Some(when),
        "the first revocation time stays"
    );
    assert_eq!(stored_device(db, "revoke-kept").await.revoked_at, None);
    let listed = db.devices().await.expect("devices");
    let listed_lost = listed.iter().find(|d| d.id == lost.id).expect("listed");
    assert_eq!(listed_lost.revoked_at, Some(when));
    assert!(listed
        .iter()
        .any(|d| d.id == kept.id && d.revoked_at.is_none()));
    assert!(matches!(
        db.revoke_device(named("revoke-nobody"), when).await,
        Err(DbError::NotFound { .. })
    ));
}

// ---------------------------------------------------------------------------------------
// Pushing operations.
// ---------------------------------------------------------------------------------------

/// A phone loses the acknowledgement and sends the same batch again, then a batch that
/// overlaps what the server holds: nothing is stored or applied twice.
pub async fn a_resent_batch_changes_nothing<D: Database>(db: &D) {
    let phone = enrol(
        db,
        "resend-a",
        "resend-amina",
        Some("resend-team"),
        Role::Worker,
        &["AQ"],
    )
    .await;
    let new_phone = enrol(
        db,
        "resend-b",
        "resend-amina",
        Some("resend-team"),
        Role::Worker,
        &["AQ"],
    )
    .await;
    referable(db, "svc-1").await;
    let start = caught_up(db, &new_phone).await;
    let mut log = Log::new(&phone);
    let session = named("resend-session");
    let referral = named("resend-referral");
    let batch = vec![
        log.op(
            OpKind::SessionCreate,
            session,
            session_fields("Eastleigh market", 12),
            1_000,
        ),
        log.op(
            OpKind::ReferralCreate,
            referral,
            referral_fields(session, "svc-1"),
            1_001,
        ),
        log.op(
            OpKind::SessionUpdate,
            session,
            json!({"notes": "rain"}),
            1_002,
        ),
    ];
    let now = t0() + Duration::hours(2);
    assert_eq!(
        db.push_ops(&phone, batch.clone(), now)
            .await
            .expect("push")
            .acked_idx,
        3
    );
    let first = db.outreach().await.expect("outreach");
    let stored = stored_device(db, "resend-a").await;
    assert_eq!(stored.acked_idx, 3);
    assert_eq!(stored.last_seen_at, Some(now));

    assert_eq!(
        db.push_ops(&phone, batch.clone(), now + Duration::minutes(1))
            .await
            .expect("resend")
            .acked_idx,
        3
    );
    assert_eq!(
        db.outreach().await.expect("outreach"),
        first,
        "a resend changed records"
    );
    let expected = replay(&batch);
    let s = record(db, session).await.expect("session stored");
    assert_eq!((s.version, &s.fields), (2, &expected[&session].fields));
    assert_eq!(s.fields["notes"], "rain");
    let r = record(db, referral).await.expect("referral stored");
    assert_eq!((r.kind, r.version), (RecordKind::Referral, 1));

    // The worker's other phone gets each operation once.
    let feed = read_feed(db, &new_phone, start, 1 << 20).await;
    assert_eq!(
        feed.op_ids(),
        batch.iter().map(|o| o.op_id).collect::<Vec<_>>()
    );

    // An overlapping batch stores only what is new.
    let fourth = log.op(
        OpKind::SessionUpdate,
        session,
        json!({"notes": "rain, then sun"}),
        1_003,
    );
    let overlap = vec![batch[1].clone(), batch[2].clone(), fourth.clone()];
    assert_eq!(
        db.push_ops(&phone, overlap, now)
            .await
            .expect("overlap")
            .acked_idx,
        4
    );
    let after = read_feed(db, &new_phone, feed.cursor, 1 << 20).await;
    assert_eq!(after.op_ids(), vec![fourth.op_id]);
    assert_eq!(record(db, session).await.expect("session").version, 3);

    // An empty batch answers where the log stands.
    assert_eq!(
        db.push_ops(&phone, vec![], now)
            .await
            .expect("empty")
            .acked_idx,
        4
    );
}

/// A batch that does not continue the stored log is refused whole, with the idx the server
/// holds, so the device resends from there.
pub async fn a_batch_after_a_gap_is_refused_with_the_acked_idx<D: Database>(db: &D) {
    let phone = enrol(
        db,
        "gap-a",
        "gap-juma",
        Some("gap-team"),
        Role::Worker,
        &["AQ"],
    )
    .await;
    let mut log = Log::new(&phone);
    let a = named("gap-session-a");
    let b = named("gap-session-b");
    let ops = [
        log.op(
            OpKind::SessionCreate,
            a,
            session_fields("Bus park", 3),
            2_000,
        ),
        log.op(OpKind::SessionUpdate, a, json!({"notes": "short"}), 2_001),
        log.op(
            OpKind::SessionCreate,
            b,
            session_fields("Clinic gate", 7),
            2_002,
        ),
        log.op(OpKind::SessionUpdate, b, json!({"notes": "long"}), 2_003),
        log.op(OpKind::SessionUpdate, a, json!({"status": "draft"}), 2_004),
    ];
    let now = t0() + Duration::hours(4);
    assert_eq!(
        db.push_ops(&phone, ops[..2].to_vec(), now)
            .await
            .expect("push")
            .acked_idx,
        2
    );
    match db.push_ops(&phone, ops[3..].to_vec(), now).await {
        Err(DbError::Gap { acked }) => assert_eq!(acked, 2),
        other => panic!("expected a gap at 2, got {other:?}"),
    }
    // Resent operations before the gap do not hide it.
    match db
        .push_ops(
            &phone,
            vec![ops[0].clone(), ops[1].clone(), ops[3].clone()],
            now,
        )
        .await
    {
        Err(DbError::Gap { acked }) => assert_eq!(acked, 2),
        other => panic!("expected a gap at 2, got {other:?}"),
    }
    assert!(
        record(db, b).await.is_none(),
        "a refused batch stored something"
    );
    assert_eq!(record(db, a).await.expect("a").fields["status"], "final");
    assert_eq!(stored_device(db, "gap-a").await.acked_idx, 2);

    assert_eq!(
        db.push_ops(&phone, ops[2..].to_vec(), now)
            .await
            .expect("resume")
            .acked_idx,
        5
    );
    assert_eq!(record(db, b).await.expect("b").fields["notes"], "long");
    assert_eq!(record(db, a).await.expect("a").fields["status"], "draft");
    assert_eq!(stored_device(db, "gap-a").await.acked_idx, 5);
}

/// A device cannot push operations of another device's log.
pub async fn operations_of_another_device_are_refused<D: Database>(db: &D) {
    let mine = enrol(db, "forge-a", "forge-neema", None, Role::Worker, &["AQ"]).await;
    let other = enrol(db, "forge-b", "forge-peter", None, Role::Worker, &["AQ"]).await;
    let mut theirs = Log::new(&other);
    let mut own = Log::new(&mine);
    let entity = named("forge-session");
    let batch = vec![
        own.op(
            OpKind::SessionCreate,
            entity,
            session_fields("Ferry", 2),
            3_000,
        ),
        theirs.op(
            OpKind::SessionUpdate,
            entity,
            json!({"notes": "forged"}),
            3_001,
        ),
    ];
    assert!(matches!(
        db.push_ops(&mine, batch, t0()).await,
        Err(DbError::Invalid(_))
    ));
    assert!(record(db, entity).await.is_none());
    assert_eq!(stored_device(db, "forge-a").await.acked_idx, 0);
    assert_eq!(stored_device(db, "forge-b").await.acked_idx, 0);
}

/// A CHW's two phones and their supervisor edit the same records offline and sync in every
/// order: the server ends with each field's newest value, and with the fields and versions a
/// device holds that applied the same operations in the same order.
pub async fn edits_merge_field_by_field_whatever_order_they_arrive_in<D: Database>(db: &D) {
    let team = Some("merge-team");
    let a = enrol(db, "merge-a", "merge-wanjiru", team, Role::Worker, &["AQ"]).await;
    let a2 = enrol(db, "merge-a2", "merge-wanjiru", team, Role::Worker, &["AQ"]).await;
    let sup = enrol(
        db,
        "merge-s",
        "merge-grace",
        team,
        Role::Supervisor,
        &["AQ"],
    )
    .await;
    let (mut la, mut la2, mut ls) = (Log::new(&a), Log::new(&a2), Log::new(&sup));
    let now = t0() + Duration::hours(5);
    let mut arrived: Vec<Operation> = Vec::new();
    let push = |device: DeviceRecord, batch: Vec<Operation>| async move {
        db.push_ops(&device, batch, now).await.expect("push")
    };

    // Told as a story: the CHW, offline, changed the place early and the notes late; the
    // supervisor fixed both in between. e1 gets the supervisor's edit last, e2 first; both
    // end the same, each field with its newest value.
    let e1 = named("merge-e1");
    let e2 = named("merge-e2");
    let creates = vec![
        la.op(
            OpKind::SessionCreate,
            e1,
            session_fields("Market", 10),
            10_000,
        ),
        la.op(
            OpKind::SessionCreate,
            e2,
            session_fields("Market", 10),
            10_000,
        ),
    ];
    let chw_edits = vec![
        la.op(
            OpKind::SessionUpdate,
            e1,
            json!({"place": "A place"}),
            15_000,
        ),
        la.op(
            OpKind::SessionUpdate,
            e2,
            json!({"place": "A place"}),
            15_001,
        ),
        la.op(
            OpKind::SessionUpdate,
            e1,
            json!({"notes": "A late"}),
            30_000,
        ),
        la.op(
            OpKind::SessionUpdate,
            e2,
            json!({"notes": "A late"}),
            30_001,
        ),
    ];
    let sup_e2 = ls.op(
        OpKind::SessionUpdate,
        e2,
        json!({"place": "S place", "notes": "S"}),
        20_000,
    );
    let sup_e1 = ls.op(
        OpKind::SessionUpdate,
        e1,
        json!({"place": "S place", "notes": "S"}),
        20_001,
    );
    push(a.clone(), creates.clone()).await;
    push(sup.clone(), vec![sup_e2.clone()]).await;
    push(a.clone(), chw_edits.clone()).await;
    push(sup.clone(), vec![sup_e1.clone()]).await;
    arrived.extend(creates);
    arrived.push(sup_e2);
    arrived.extend(chw_edits);
    arrived.push(sup_e1);
    let r1 = record(db, e1).await.expect("e1");
    let r2 = record(db, e2).await.expect("e2");
    for r in [&r1, &r2] {
        assert_eq!(r.fields["place"], "S place");
        assert_eq!(r.fields["notes"], "A late");
        assert_eq!(r.fields["reached"], session_fields("Market", 10)["reached"]);
    }
    // e1: created, place, notes, then the supervisor's place (its notes are older): 4.
    // e2: created, the supervisor's edit, the CHW's older place (no change), notes: 3.
    assert_eq!((r1.version, r2.version), (4, 3));
    assert_eq!(
        (
            r1.kind,
            r1.device_id,
            r1.worker.as_str(),
            r1.team.as_deref()
        ),
        (RecordKind::Session, a.id, "merge-wanjiru", team)
    );

    // Then many entities, each edited by the three devices in random interleavings.
    let mut rng = 0x2545_f491_4f6c_dd1du64;
    let mut next = move |n: u64| {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng % n
    };
    let fields = ["notes", "place", "status", "materials"];
    for round in 0..8 {
        let entity = named(&format!("merge-random-{round}"));
        let create = la.op(
            OpKind::SessionCreate,
            entity,
            session_fields("Start", 1),
            50_000,
        );
        push(a.clone(), vec![create.clone()]).await;
        let mut ops_of_entity = vec![create.clone()];
        arrived.push(create);
        // Each device writes a few edits, stamped on its own clock (never backwards).
        let mut queues: Vec<(DeviceRecord, Vec<Operation>)> = Vec::new();
        for (device, log) in [(&a, &mut la), (&a2, &mut la2), (&sup, &mut ls)] {
            let mut wall = 50_000 + next(40);
            let mut q = Vec::new();
            for _ in 0..(1 + next(4)) {
                wall += 1 + next(30);
                let field = fields[next(fields.len() as u64) as usize];
                let value = match field {
                    "status" => json!(["draft", "final"][next(2) as usize]),
                    "materials" => json!({"leaflets": next(5)}),
                    _ => json!(format!("v{}", next(3))),
                };
                q.push(log.op(OpKind::SessionUpdate, entity, json!({ field: value }), wall));
            }
            queues.push((device.clone(), q));
        }
        // Devices sync in a random order, a batch of one or two operations at a time.
        while queues.iter().any(|(_, q)| !q.is_empty()) {
            let (device, q) = &mut queues[next(3) as usize];
            if q.is_empty() {
                continue;
            }
            let n = (1 + next(2) as usize).min(q.len());
            let batch: Vec<Operation> = q.drain(..n).collect();
            push(device.clone(), batch.clone()).await;
            ops_of_entity.extend(batch.iter().cloned());
            arrived.extend(batch);
        }
        let got = record(db, entity).await.expect("random entity");
        let newest = newest_values(&ops_of_entity);
        for (k, v) in &newest {
            assert_eq!(got.fields.get(k), Some(v), "round {round}: field {k}");
        }
        let device_view = replay(&ops_of_entity);
        assert_eq!(got.fields, device_view[&entity].fields, "round {round}");
        assert_eq!(got.version, device_view[&entity].version, "round {round}");
    }

    // Every record equals what a device holds after applying the same operations.
    let expected = replay(&arrived);
    for (id, rep) in &expected {
        let got = record(db, *id).await.expect("record");
        assert_eq!((&got.fields, got.version), (&rep.fields, rep.version));
    }

    // A referral is a record of its own kind, merged the same way.
    referable(db, "svc-9").await;
    let referral = named("merge-referral");
    let create = la.op(
        OpKind::ReferralCreate,
        referral,
        referral_fields(e1, "svc-9"),
        60_000,
    );
    push(a.clone(), vec![create]).await;
    let done = ls.op(
        OpKind::ReferralUpdate,
        referral,
        json!({"status": "completed"}),
        60_100,
    );
    push(sup.clone(), vec![done]).await;
    let r = record(db, referral).await.expect("referral");
    assert_eq!(
        (r.kind, r.version, r.fields["status"].as_str()),
        (RecordKind::Referral, 2, Some("completed"))
    );
    assert_eq!(r.fields["client_code"], "A7X-22");
}

// ---------------------------------------------------------------------------------------
// The change feed.
// ---------------------------------------------------------------------------------------

/// A first sync over a slow link reads the feed in small pages across several connections:
/// each page keeps to the size asked for, and resuming from any page's cursor gives the rest
/// with nothing lost or repeated; a sync with nothing new costs nothing.
pub async fn the_feed_pages_by_bytes_and_resumes_from_its_cursor<D: Database>(db: &D) {
    let reader = enrol(
        db,
        "feed-a",
        "feed-otieno",
        Some("feed-team"),
        Role::Worker,
        &["RW"],
    )
    .await;
    let writer = enrol(
        db,
        "feed-b",
        "feed-otieno",
        Some("feed-team"),
        Role::Worker,
        &["RW"],
    )
    .await;
    let start = caught_up(db, &reader).await;
    let now = t0() + Duration::hours(6);
    let svc = |i: usize| {
        service(
            &format!("feed-svc-{i:03}"),
            &format!("Centre de santé {i}"),
            Some("RW"),
        )
    };
    let mut log = Log::new(&writer);
    db.import_services((0..60).map(svc).collect(), now)
        .await
        .expect("import");
    let mut ops = Vec::new();
    for i in 0..10 {
        let s = named(&format!("feed-session-{i}"));
        ops.push(log.op(
            OpKind::SessionCreate,
            s,
            session_fields("Kigali", i),
            70_000 + i as u64,
        ));
        ops.push(log.op(
            OpKind::ReferralCreate,
            named(&format!("feed-ref-{i}")),
            referral_fields(s, "feed-svc-001"),
            70_100 + i as u64,
        ));
    }
    db.push_ops(&writer, ops.clone(), now).await.expect("push");
    let mut more_services: Vec<Service> = (60..90).map(svc).collect();
    for i in 0..10 {
        let mut s = svc(i);
        s.phone = Some(format!("+250 788 000 {i:03}"));
        more_services.push(s);
    }
    db.import_services(more_services, now)
        .await
        .expect("import more");
    let tail: Vec<Operation> = (0..10)
        .map(|i| {
            log.op(
                OpKind::SessionUpdate,
                named(&format!("feed-session-{i}")),
                json!({"notes": "checked"}),
                80_000 + i as u64,
            )
        })
        .collect();
    db.push_ops(&writer, tail.clone(), now)
        .await
        .expect("push tail");
    ops.extend(tail);

    let whole = read_feed(db, &reader, start, 1 << 24).await;
    assert_eq!(whole.pages, 1);
    let expected_ids: BTreeSet<String> = (0..90).map(|i| format!("feed-svc-{i:03}")).collect();
    assert_eq!(whole.service_ids(), expected_ids);
    assert_eq!(whole.services.len(), 90, "a service came twice");
    for s in &whole.services {
        let n: usize = s.service.id[9..].parse().expect("number");
        assert_eq!(s.version, if n < 10 { 2 } else { 1 }, "{}", s.service.id);
    }
    assert_eq!(
        whole.op_ids(),
        ops.iter().map(|o| o.op_id).collect::<Vec<_>>()
    );
    assert!(whole.removed.is_empty());

    // Small pages: the same items, each once, in the same order.
    let max = 1_500;
    let paged = read_feed(db, &reader, start, max).await;
    assert!(
        paged.pages > 10,
        "only {} pages of {max} bytes",
        paged.pages
    );
    assert_eq!(paged.services, whole.services);
    assert_eq!(paged.ops, whole.ops);
    assert_eq!(paged.cursor, whole.cursor);

    // A cut download resumes from the cursor of the last page it applied.
    let mut cursor = start;
    let mut first_part = Feed::default();
    for _ in 0..3 {
        let page = db.changes(&reader, cursor, max).await.expect("page");
        assert!(page.more);
        cursor = page.cursor;
        first_part.services.extend(page.changes.services);
        first_part.ops.extend(page.changes.ops);
    }
    let rest = read_feed(db, &reader, cursor, max).await;
    let mut services = first_part.services.clone();
    services.extend(rest.services.iter().cloned());
    let mut joined_ops = first_part.ops.clone();
    joined_ops.extend(rest.ops.iter().cloned());
    assert_eq!(services, whole.services);
    assert_eq!(joined_ops, whole.ops);

    // A page of one byte still carries one item, so any size makes progress.
    let one = db.changes(&reader, start, 1).await.expect("tiny page");
    assert_eq!((items(&one), one.more), (1, true));

    // Nothing new: an empty page at the same cursor.
    let idle = db.changes(&reader, whole.cursor, max).await.expect("idle");
    assert!(idle.changes.is_empty() && !idle.more);
    assert_eq!(idle.cursor, whole.cursor);

    // Changes the device may not see still move its cursor, so it never scans them again.
    db.import_services(
        vec![service("feed-elsewhere", "Elsewhere", Some("BI"))],
        now,
    )
    .await
    .expect("import elsewhere");
    let skipped = db
        .changes(&reader, whole.cursor, max)
        .await
        .expect("skipped");
    assert!(skipped.changes.is_empty() && !skipped.more);
    assert!(skipped.cursor > whole.cursor);
    let again = db
        .changes(&reader, skipped.cursor, max)
        .await
        .expect("again");
    assert!(again.changes.is_empty() && !again.more);
    assert_eq!(again.cursor, skipped.cursor);

    // A service changed while a device is half-way through comes again in its new version,
    // and nothing else is repeated.
    let page = db.changes(&reader, start, max).await.expect("first page");
    let seen = page.changes.services[0].service.clone();
    let mut changed = seen.clone();
    changed.phone = Some("+250 788 999 999".into());
    db.import_services(vec![changed], now)
        .await
        .expect("change");
    let after = read_feed(db, &reader, page.cursor, max).await;
    let again: Vec<&ServiceVersion> = after
        .services
        .iter()
        .filter(|s| s.service.id == seen.id)
        .collect();
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].service.phone.as_deref(), Some("+250 788 999 999"));
    let before_ids: BTreeSet<String> = page
        .changes
        .services
        .iter()
        .map(|s| s.service.id.clone())
        .collect();
    let repeated: Vec<String> = after
        .service_ids()
        .into_iter()
        .filter(|id| before_ids.contains(id))
        .collect();
    assert_eq!(repeated, vec![seen.id.clone()]);
    assert_eq!(after.services.len() + page.changes.services.len(), 91);
}

/// Devices pull only their region's directory (services without a country go to everyone),
/// and hear of a service that moved out of their region or was removed, however many moves
/// happened since they last synced.
pub async fn devices_get_their_regions_and_hear_when_a_service_leaves<D: Database>(db: &D) {
    let ke = enrol(
        db,
        "region-ke",
        "region-achieng",
        None,
        Role::Worker,
        &["KE"],
    )
    .await;
    let ug = enrol(
        db,
        "region-ug",
        "region-okello",
        None,
        Role::Worker,
        &["UG"],
    )
    .await;
    let both = enrol(
        db,
        "region-keug",
        "region-sarah",
        None,
        Role::Worker,
        &["KE", "UG"],
    )
    .await;
    let all = enrol(db, "region-all", "region-office", None, Role::Worker, &[]).await;
    let mut cursors = HashMap::new();
    for d in [&ke, &ug, &both, &all] {
        cursors.insert(d.id, caught_up(db, d).await);
    }
    let now = t0() + Duration::hours(7);
    let ids = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<BTreeSet<_>>();
    db.import_services(
        vec![
            service("region-k1", "Nairobi clinic", Some("KE")),
            service("region-k2", "Mombasa clinic", Some("KE")),
            service("region-u1", "Kampala clinic", Some("UG")),
            service("region-t1", "Arusha clinic", Some("TZ")),
            service("region-n1", "Helpline", None),
        ],
        now,
    )
    .await
    .expect("import");
    // Reads each device's feed from its cursor and moves the cursor on.
    let mut sync = async |d: &DeviceRecord| {
        let feed = read_feed(db, d, cursors[&d.id], 700).await;
        cursors.insert(d.id, feed.cursor);
        feed
    };
    let f = sync(&ke).await;
    assert_eq!(
        (f.service_ids(), f.removed_ids()),
        (ids(&["region-k1", "region-k2", "region-n1"]), ids(&[]))
    );
    let f = sync(&ug).await;
    assert_eq!(
        (f.service_ids(), f.removed_ids()),
        (ids(&["region-u1", "region-n1"]), ids(&[]))
    );
    let f = sync(&both).await;
    assert_eq!(
        f.service_ids(),
        ids(&["region-k1", "region-k2", "region-u1", "region-n1"])
    );
    let f = sync(&all).await;
    assert_eq!(
        f.service_ids(),
        ids(&[
            "region-k1",
            "region-k2",
            "region-u1",
            "region-t1",
            "region-n1"
        ])
    );

    // k1 moves to Uganda; u1 closes.
    db.import_services(
        vec![service("region-k1", "Nairobi clinic", Some("UG"))],
        now,
    )
    .await
    .expect("move");
    assert_eq!(
        db.remove_services(vec!["region-u1".into()], now)
            .await
            .expect("remove"),
        1
    );
    let f = sync(&ke).await;
    assert_eq!(
        (f.service_ids(), f.removed_ids()),
        (ids(&[]), ids(&["region-k1"]))
    );
    let f = sync(&ug).await;
    assert_eq!(
        (f.service_ids(), f.removed_ids()),
        (ids(&["region-k1"]), ids(&["region-u1"]))
    );
    let moved = f
        .services
        .iter()
        .find(|s| s.service.id == "region-k1")
        .expect("k1");
    assert_eq!(
        (moved.version, moved.service.country.as_deref()),
        (2, Some("UG"))
    );
    let f = sync(&both).await;
    assert_eq!(
        (f.service_ids(), f.removed_ids()),
        (ids(&["region-k1"]), ids(&["region-u1"]))
    );
    let f = sync(&all).await;
    assert_eq!(
        (f.service_ids(), f.removed_ids()),
        (ids(&["region-k1"]), ids(&["region-u1"]))
    );

    // k2 moves twice before the Kenyan phone syncs again: it still hears that k2 left.
    db.import_services(
        vec![service("region-k2", "Mombasa clinic", Some("UG"))],
        now,
    )
    .await
    .expect("first move");
    db.import_services(
        vec![service("region-k2", "Mombasa clinic", Some("TZ"))],
        now,
    )
    .await
    .expect("second move");
    let f = sync(&ke).await;
    assert_eq!(
        (f.service_ids(), f.removed_ids()),
        (ids(&[]), ids(&["region-k2"]))
    );

    // The helpline gets a country: the other region's devices drop it.
    db.import_services(vec![service("region-n1", "Helpline", Some("KE"))], now)
        .await
        .expect("helpline");
    let f = sync(&ke).await;
    assert_eq!(
        (f.service_ids(), f.removed_ids()),
        (ids(&["region-n1"]), ids(&[]))
    );
    let f = sync(&ug).await;
    assert!(f.removed_ids().contains("region-n1"), "{:?}", f.removed);
    assert!(!f.service_ids().contains("region-n1"));

    // u1 reopens: it comes back at a version above the one removed.
    db.import_services(
        vec![service("region-u1", "Kampala clinic", Some("UG"))],
        now,
    )
    .await
    .expect("reopen");
    let f = sync(&ug).await;
    let back = f
        .services
        .iter()
        .find(|s| s.service.id == "region-u1")
        .expect("u1 back");
    assert!(back.version >= 2, "version {}", back.version);
    assert!(db.service("region-u1").await.expect("service").is_some());
    let f = sync(&ke).await;
    assert!(f.is_empty(), "{f:?}");
}

/// A CHW's phone gets back their own records written on another phone, never those of
/// other workers; a supervisor gets the whole team's; no device gets its own operations back.
pub async fn a_worker_sees_their_own_records_and_a_supervisor_the_teams<D: Database>(db: &D) {
    let team = Some("vis-team");
    let w1 = enrol(db, "vis-w1", "vis-mary", team, Role::Worker, &["AQ"]).await;
    let w1_new = enrol(db, "vis-w1b", "vis-mary", team, Role::Worker, &["AQ"]).await;
    let w2 = enrol(db, "vis-w2", "vis-john", team, Role::Worker, &["AQ"]).await;
    let w3 = enrol(
        db,
        "vis-w3",
        "vis-fatuma",
        Some("vis-other"),
        Role::Worker,
        &["AQ"],
    )
    .await;
    let sup = enrol(db, "vis-s", "vis-rose", team, Role::Supervisor, &["AQ"]).await;
    let other_sup = enrol(
        db,
        "vis-s2",
        "vis-ali",
        Some("vis-other"),
        Role::Supervisor,
        &["AQ"],
    )
    .await;
    referable(db, "svc-1").await;
    let devices = [&w1, &w1_new, &w2, &w3, &sup, &other_sup];
    let mut starts = HashMap::new();
    for d in devices {
        starts.insert(d.id, caught_up(db, d).await);
    }
    let now = t0() + Duration::hours(8);
    let mut ops_by: HashMap<Uuid, Vec<Operation>> = HashMap::new();
    for (d, key) in [(&w1, "w1"), (&w2, "w2"), (&w3, "w3"), (&sup, "s")] {
        let mut log = Log::new(d);
        let s = named(&format!("vis-session-{key}"));
        let batch = vec![
            log.op(
                OpKind::SessionCreate,
                s,
                session_fields("Somewhere", 4),
                90_000,
            ),
            log.op(
                OpKind::ReferralCreate,
                named(&format!("vis-ref-{key}")),
                referral_fields(s, "svc-1"),
                90_001,
            ),
        ];
        db.push_ops(d, batch.clone(), now).await.expect("push");
        ops_by.insert(d.id, batch);
    }
    let ids_of = |ds: &[&DeviceRecord]| -> BTreeSet<Uuid> {
        ds.iter()
            .flat_map(|d| ops_by[&d.id].iter().map(|o| o.op_id))
            .collect()
    };
    for (d, expected) in [
        (&w1, ids_of(&[])),
        (&w1_new, ids_of(&[&w1])),
        (&w2, ids_of(&[])),
        (&w3, ids_of(&[])),
        (&sup, ids_of(&[&w1, &w2])),
        (&other_sup, ids_of(&[&w3])),
    ] {
        let feed = read_feed(db, d, starts[&d.id], 1 << 20).await;
        let got: BTreeSet<Uuid> = feed.op_ids().into_iter().collect();
        assert_eq!(got, expected, "feed of {} ({})", d.worker, d.id);
        assert_eq!(feed.ops.len(), got.len(), "an operation came twice");
    }
}

/// A worker's phone pushes an edit of a colleague's record (a bug, or a shared phone): it is
/// kept for audit but changes nothing and goes to nobody. Their supervisor's edit applies and
/// reaches the author's phones.
pub async fn an_edit_of_another_workers_record_is_kept_but_not_applied<D: Database>(db: &D) {
    let team = Some("auth-team");
    let author = enrol(db, "auth-w1", "auth-esther", team, Role::Worker, &["AQ"]).await;
    let author_new = enrol(db, "auth-w1b", "auth-esther", team, Role::Worker, &["AQ"]).await;
    let colleague = enrol(db, "auth-w2", "auth-david", team, Role::Worker, &["AQ"]).await;
    let sup = enrol(db, "auth-s", "auth-lucy", team, Role::Supervisor, &["AQ"]).await;
    let stranger = enrol(
        db,
        "auth-s2",
        "auth-musa",
        Some("auth-other"),
        Role::Supervisor,
        &["AQ"],
    )
    .await;
    let lone = enrol(
        db,
        "auth-s3",
        "auth-nobody",
        None,
        Role::Supervisor,
        &["AQ"],
    )
    .await;
    let start_author = caught_up(db, &author).await;
    let start_new = caught_up(db, &author_new).await;
    let start_sup = caught_up(db, &sup).await;
    let now = t0() + Duration::hours(9);
    let entity = named("auth-session");
    let mut la = Log::new(&author);
    let create = la.op(
        OpKind::SessionCreate,
        entity,
        session_fields("Mosque", 9),
        100_000,
    );
    db.push_ops(&author, vec![create.clone()], now)
        .await
        .expect("create");

    for (d, key) in [
        (&colleague, "auth-w2"),
        (&stranger, "auth-s2"),
        (&lone, "auth-s3"),
    ] {
        let mut log = Log::new(d);
        let edit = log.op(
            OpKind::SessionUpdate,
            entity,
            json!({"notes": "not mine to change"}),
            200_000,
        );
        let pushed = db.push_ops(d, vec![edit], now).await.expect("stored");
        assert_eq!(pushed.acked_idx, 1, "{key}");
        assert_eq!(
            pushed
                .refused
                .iter()
                .map(|r| r.code.as_str())
                .collect::<Vec<_>>(),
            ["forbidden"],
            "{key}"
        );
        assert_eq!(stored_device(db, key).await.acked_idx, 1, "{key}");
        let r = record(db, entity).await.expect("record");
        assert_eq!(
            (r.version, r.fields["notes"].as_str()),
            (1, Some("")),
            "{key} changed it"
        );
        assert_eq!(r.worker, "auth-esther");
    }
    let feed = read_feed(db, &author_new, start_new, 1 << 20).await;
    assert_eq!(
        feed.op_ids(),
        vec![create.op_id],
        "an edit that was not applied went out"
    );

    let mut ls = Log::new(&sup);
    let fix = ls.op(
        OpKind::SessionUpdate,
        entity,
        json!({"notes": "supervisor fix"}),
        150_000,
    );
    db.push_ops(&sup, vec![fix.clone()], now)
        .await
        .expect("supervisor");
    let r = record(db, entity).await.expect("record");
    assert_eq!(
        (r.version, r.fields["notes"].as_str()),
        (2, Some("supervisor fix"))
    );
    let mut ln = Log::new(&author_new);
    let own = ln.op(
        OpKind::SessionUpdate,
        entity,
        json!({"place": "Mosque gate"}),
        160_000,
    );
    db.push_ops(&author_new, vec![own.clone()], now)
        .await
        .expect("own phone");
    let r = record(db, entity).await.expect("record");
    assert_eq!(
        (r.version, r.fields["place"].as_str()),
        (3, Some("Mosque gate"))
    );

    let to_author = read_feed(db, &author, start_author, 1 << 20).await;
    assert_eq!(to_author.op_ids(), vec![fix.op_id, own.op_id]);
    let to_new = read_feed(db, &author_new, start_new, 1 << 20).await;
    assert_eq!(to_new.op_ids(), vec![create.op_id, fix.op_id]);
    let to_sup = read_feed(db, &sup, start_sup, 1 << 20).await;
    assert_eq!(to_sup.op_ids(), vec![create.op_id, own.op_id]);
}

// ---------------------------------------------------------------------------------------
// The directory.
// ---------------------------------------------------------------------------------------

/// The office imports the same file every night: unchanged services keep their version and
/// send nothing; a changed one goes up one version; a file with a bad row changes nothing;
/// a removed service leaves a tombstone.
pub async fn importing_the_same_directory_twice_changes_nothing<D: Database>(db: &D) {
    let d = enrol(db, "import-a", "import-tigist", None, Role::Worker, &["ET"]).await;
    let start = caught_up(db, &d).await;
    let now = t0() + Duration::hours(10);
    let mut e1 = service("import-e1", "  Clinic   One ", Some("et"));
    e1.phone = Some("  +251 11 000 0000 ".into());
    let file = vec![
        e1,
        service("import-e2", "Clinic Two", Some("ET")),
        service("import-e3", "Clinic Three", Some("ET")),
    ];
    let s = db.import_services(file.clone(), now).await.expect("import");
    assert_eq!((s.inserted, s.updated, s.unchanged), (3, 0, 0));
    let one = db.service("import-e1").await.expect("read").expect("e1");
    assert_eq!((one.service.name.as_str(), one.version), ("Clinic One", 1));
    assert_eq!(one.service.country.as_deref(), Some("ET"));
    assert_eq!(one.service.phone.as_deref(), Some("+251 11 000 0000"));
    let first = read_feed(db, &d, start, 1 << 20).await;
    assert_eq!(first.services.len(), 3);

    let s = db
        .import_services(file.clone(), now + Duration::days(1))
        .await
        .expect("again");
    assert_eq!((s.inserted, s.updated, s.unchanged), (0, 0, 3));
    let idle = db.changes(&d, first.cursor, 1 << 20).await.expect("idle");
    assert!(idle.changes.is_empty());
    assert_eq!(
        idle.cursor, first.cursor,
        "an unchanged import took sequence values"
    );
    assert_eq!(
        db.service("import-e1")
            .await
            .expect("read")
            .expect("e1")
            .version,
        1
    );

    let mut changed = file.clone();
    changed[1].phone = Some("+251 11 222 2222".into());
    let s = db.import_services(changed, now).await.expect("change");
    assert_eq!((s.inserted, s.updated, s.unchanged), (0, 1, 2));
    let f = read_feed(db, &d, first.cursor, 1 << 20).await;
    assert_eq!(f.services.len(), 1);
    assert_eq!(
        (f.services[0].service.id.as_str(), f.services[0].version),
        ("import-e2", 2)
    );
    assert_eq!(
        f.services[0].service.phone.as_deref(),
        Some("+251 11 222 2222")
    );

    // One bad row: nothing of the file is kept, and the error names the row's service.
    let bad = vec![
        service("import-e4", "Clinic Four", Some("ET")),
        Service::new("import-bad", "Nowhere", 123.4, 0.0),
    ];
    match db.import_services(bad, now).await {
        Err(DbError::Invalid(msg)) => assert!(msg.contains("import-bad"), "{msg}"),
        other => panic!("expected invalid, got {other:?}"),
    }
    assert!(db.service("import-e4").await.expect("read").is_none());
    let idle = db.changes(&d, f.cursor, 1 << 20).await.expect("idle");
    assert!(idle.changes.is_empty());

    assert_eq!(
        db.remove_services(vec!["import-e3".into(), "import-unknown".into()], now)
            .await
            .expect("remove"),
        1
    );
    assert!(db.service("import-e3").await.expect("read").is_none());
    let listed = db.services().await.expect("services");
    assert!(listed.iter().any(|s| s.service.id == "import-e1"));
    assert!(!listed.iter().any(|s| s.service.id == "import-e3"));
    let f2 = read_feed(db, &d, f.cursor, 1 << 20).await;
    assert_eq!(
        (f2.removed.clone(), f2.services.len()),
        (vec!["import-e3".to_string()], 0)
    );
    assert_eq!(
        db.remove_services(vec!["import-e3".into()], now)
            .await
            .expect("again"),
        0
    );
    let idle = db.changes(&d, f2.cursor, 1 << 20).await.expect("idle");
    assert!(idle.changes.is_empty() && idle.cursor == f2.cursor);

    let s = db
        .import_services(vec![file[2].clone()], now)
        .await
        .expect("reopen");
    assert_eq!(s.inserted + s.updated, 1);
    let back = db.service("import-e3").await.expect("read").expect("back");
    assert!(
        back.version >= 2,
        "a re-added service went back to version {}",
        back.version
    );
}

/// A clinic is renamed and loses its phone: a device that holds it receives those two
/// fields, not the whole row, and applying them to its copy gives the server's version. A
/// service new to the device (created, moved or revived after its cursor) still comes
/// whole, and so does everything for a client that did not ask for patches.
pub async fn a_changed_service_goes_down_as_its_changed_fields<D: Database>(db: &D) {
    let d = enrol(db, "patch-a", "patch-okello", None, Role::Worker, &["UG"]).await;
    let start = caught_up(db, &d).await;
    let now = t0() + Duration::hours(11);
    let patched_page = |cursor| db.changes_since(&d, cursor, 1 << 20, true);
    db.import_services(
        vec![
            service("patch-u1", "Mulago Clinic", Some("UG")),
            service("patch-u2", "Kisenyi Health Unit", Some("UG")),
        ],
        now,
    )
    .await
    .expect("import");
    let first = patched_page(start).await.expect("first page");
    assert!(
        first.changes.patches.is_empty(),
        "services new to the device came as patches"
    );
    assert_eq!(first.changes.services.len(), 2);
    let held: HashMap<String, Service> = first
        .changes
        .services
        .iter()
        .map(|s| (s.service.id.clone(), s.service.clone()))
        .collect();

    let mut renamed = service("patch-u1", "Mulago Clinic (renovated)", Some("UG"));
    renamed.phone = None;
    let s = db
        .import_services(
            vec![
                renamed,
                service("patch-u2", "Kisenyi Health Unit", Some("UG")),
            ],
            now,
        )
        .await
        .expect("change");
    assert_eq!((s.updated, s.unchanged), (1, 1));
    let delta = patched_page(first.cursor).await.expect("delta");
    assert!(delta.changes.services.is_empty(), "{:?}", delta.changes);
    assert_eq!(delta.changes.patches.len(), 1);
    let p = &delta.changes.patches[0];
    assert_eq!((p.id.as_str(), p.version), ("patch-u1", 2));
    assert_eq!(
        Value::Object(p.fields.clone()),
        json!({"name": "Mulago Clinic (renovated)", "phone": null})
    );
    let server = db.service("patch-u1").await.expect("read").expect("u1");
    assert_eq!(
        p.apply_to(&held["patch-u1"]).expect("apply"),
        server.service
    );
    // The same change, for a client without patches or a device that never held the
    // service, is the whole service.
    let whole = db.changes(&d, first.cursor, 1 << 20).await.expect("whole");
    assert!(whole.changes.patches.is_empty());
    assert_eq!(whole.changes.services, vec![server.clone()]);
    let fresh = patched_page(start).await.expect("from before creation");
    assert!(fresh.changes.patches.is_empty());
    assert_eq!(fresh.changes.services.len(), 2);

    // Two changes of different fields after the cursor: both fields, once.
    let mut v3 = server.service.clone();
    v3.opening_hours = Some("Mo-Su 00:00-24:00".into());
    db.import_services(vec![v3.clone()], now).await.expect("v3");
    let mut v4 = v3.clone();
    v4.languages = vec!["lg".into(), "en".into()];
    db.import_services(vec![v4.clone()], now).await.expect("v4");
    let two = patched_page(delta.cursor).await.expect("two changes");
    assert_eq!(two.changes.patches.len(), 1);
    let mut fields: Vec<&str> = two.changes.patches[0]
        .fields
        .keys()
        .map(String::as_str)
        .collect();
    fields.sort();
    assert_eq!(fields, ["languages", "opening_hours"]);
    let v4 = db.service("patch-u1").await.expect("read").expect("v4");
    assert_eq!(
        two.changes.patches[0]
            .apply_to(&server.service)
            .expect("apply"),
        v4.service
    );
    assert_eq!(two.changes.patches[0].version, v4.version);

    // Removed and back: the device deleted it, so it comes whole again.
    db.remove_services(vec!["patch-u1".into()], now)
        .await
        .expect("remove");
    db.import_services(vec![v4.service.clone()], now)
        .await
        .expect("revive");
    let revived = patched_page(two.cursor).await.expect("revived");
    assert!(revived.changes.patches.is_empty());
    assert_eq!(revived.changes.services.len(), 1);

    // A move to "no country" keeps it in the device's view, but it may be new to devices
    // of the other regions that now see it: whole.
    let mut moved = service("patch-u2", "Kisenyi Health Unit", None);
    moved.phone = Some("+256 41 000 0000".into());
    db.import_services(vec![moved], now).await.expect("move");
    let after_move = patched_page(revived.cursor).await.expect("moved");
    assert!(after_move.changes.patches.is_empty());
    assert_eq!(after_move.changes.services.len(), 1);
    assert!(patched_page(after_move.cursor)
        .await
        .expect("idle")
        .changes
        .is_empty());
}

/// A supervisor fixes a session at the office while its CHW, offline, edits it too. The
/// office's edit is an operation of the server's own device that reaches the CHW's phones;
/// edits merge field by field by HLC; a value that lost to an edit made without seeing it is
/// listed as a conflict, a correction made after seeing it is not.
pub async fn office_edits_merge_by_hlc_and_the_losing_values_are_listed<D: Database>(db: &D) {
    let team = Some("office-team");
    let chw = enrol(
        db,
        "office-chw",
        "office-halima",
        team,
        Role::Worker,
        &["DJ"],
    )
    .await;
    let other_phone = enrol(
        db,
        "office-chw2",
        "office-halima",
        team,
        Role::Worker,
        &["DJ"],
    )
    .await;
    let start = caught_up(db, &other_phone).await;
    let now = t0() + Duration::hours(12);
    let now_ms = u64::try_from(now.timestamp_millis()).expect("a time after 1970");
    let hour = 3_600_000;
    let s = named("office-session");
    let mut log = Log::new(&chw);
    let create = log.op(
        OpKind::SessionCreate,
        s,
        session_fields("Ali Sabieh", 7),
        now_ms - hour,
    );
    let before = caught_up(db, &chw).await;
    db.push_ops_seen(&chw, vec![create.clone()], now, before)
        .await
        .expect("push the session");
    // Offline, half an hour before the office's edit; pushed only later.
    let offline_notes = log.op(
        OpKind::SessionUpdate,
        s,
        json!({"notes": "chw notes"}),
        now_ms - hour / 2,
    );

    let edit = db
        .office_edit(
            s,
            obj(json!({"place": "Ali Sabieh market", "notes": "office notes"})),
            now,
        )
        .await
        .expect("office edit");
    assert_eq!(edit.op.device_id, OFFICE_DEVICE_ID);
    assert!(
        edit.op.hlc > create.hlc,
        "the office's clock did not observe the log"
    );
    assert_eq!(edit.record.version, 2);
    assert_eq!(edit.record.fields["notes"], json!("office notes"));
    let feed = read_feed(db, &other_phone, start, 1 << 20).await;
    assert!(
        feed.op_ids().contains(&edit.op.op_id),
        "the office's edit did not go down to the author's phone"
    );
    let conflicts_of = || async {
        db.conflicts()
            .await
            .expect("conflicts")
            .into_iter()
            .filter(|c| c.record_id == s)
            .collect::<Vec<_>>()
    };
    assert!(
        conflicts_of().await.is_empty(),
        "the office saw what it replaced: a correction, not a conflict"
    );

    // The CHW's older, unseen edit arrives: it loses, and is listed.
    db.push_ops_seen(&chw, vec![offline_notes], now + Duration::hours(1), before)
        .await
        .expect("push the offline edit");
    let r = record(db, s).await.expect("the session");
    assert_eq!(r.fields["notes"], json!("office notes"));
    let found = conflicts_of().await;
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].field, "notes");
    assert_eq!(
        (&found[0].kept.value, found[0].kept.device_id),
        (&json!("office notes"), OFFICE_DEVICE_ID)
    );
    assert_eq!(
        (&found[0].lost.value, found[0].lost.device_id),
        (&json!("chw notes"), chw.id)
    );
    assert_eq!(found[0].worker, "office-halima");

    // A newer offline edit of the place, made without seeing the office's: it wins, and the
    // office's value is listed as lost.
    let late_place = log.op(
        OpKind::SessionUpdate,
        s,
        json!({"place": "Tadjourah road"}),
        now_ms + 2 * hour,
    );
    db.push_ops_seen(&chw, vec![late_place], now + Duration::hours(2), before)
        .await
        .expect("push the later edit");
    let r = record(db, s).await.expect("the session");
    assert_eq!(r.fields["place"], json!("Tadjourah road"));
    let found = conflicts_of().await;
    let place: Vec<_> = found.iter().filter(|c| c.field == "place").collect();
    assert_eq!(place.len(), 1, "{found:?}");
    assert_eq!(place[0].lost.value, json!("Ali Sabieh market"));
    assert_eq!(place[0].lost.device_id, OFFICE_DEVICE_ID);

    // Having synced (its cursor past the office's edit), the CHW sets the notes again: a
    // correction of what it saw, so the notes are no longer in conflict.
    let seen_all = caught_up(db, &chw).await;
    let agreed = log.op(
        OpKind::SessionUpdate,
        s,
        json!({"notes": "agreed notes"}),
        now_ms + 3 * hour,
    );
    db.push_ops_seen(&chw, vec![agreed], now + Duration::hours(3), seen_all)
        .await
        .expect("push the correction");
    let found = conflicts_of().await;
    assert_eq!(
        found.iter().map(|c| c.field.as_str()).collect::<Vec<_>>(),
        ["place"],
        "{found:?}"
    );

    // The office changes the materials; the CHW, not having synced, changes them too, and
    // her phone pushes that edit only in a later request, after it received the office's
    // edit. The operation says what its phone had seen when it was written: still a conflict.
    db.office_edit(
        s,
        obj(json!({"materials": {"leaflets": 10}})),
        now + Duration::hours(4),
    )
    .await
    .expect("office edit of the materials");
    let mut backlog = log.op(
        OpKind::SessionUpdate,
        s,
        json!({"materials": {"leaflets": 60}}),
        now_ms + 5 * hour,
    );
    backlog.seen = Some(seen_all);
    let later_cursor = caught_up(db, &chw).await;
    db.push_ops_seen(&chw, vec![backlog], now + Duration::hours(5), later_cursor)
        .await
        .expect("push the backlog");
    let found = conflicts_of().await;
    let materials: Vec<_> = found.iter().filter(|c| c.field == "materials").collect();
    assert_eq!(materials.len(), 1, "{found:?}");
    assert_eq!(materials[0].lost.device_id, OFFICE_DEVICE_ID);
    assert_eq!(materials[0].kept.value, json!({"leaflets": 60}));

    match db
        .office_edit(named("office-nothing"), obj(json!({"notes": "x"})), now)
        .await
    {
        Err(DbError::NotFound { .. }) => {}
        other => panic!("an edit of an unknown record: {other:?}"),
    }
    match db.office_edit(s, Map::new(), now).await {
        Err(DbError::Invalid(_)) => {}
        other => panic!("an edit of nothing: {other:?}"),
    }
}

/// A CHW reports a wrong phone number and a closed clinic. A report about an old version
/// is flagged for review; an accepted one changes the directory and reaches every phone of
/// the region; a rejected one changes nothing.
pub async fn corrections_are_flagged_when_stale_and_an_accepted_one_goes_down_the_feed<
    D: Database,
>(
    db: &D,
) {
    let d = enrol(db, "corr-a", "corr-halima", None, Role::Worker, &["SO"]).await;
    let now = t0() + Duration::hours(11);
    let services = vec![
        service("corr-s1", "Hodan clinic", Some("SO")),
        service("corr-s2", "Banadir hospital", Some("SO")),
        service("corr-s3", "Waberi MCH", Some("SO")),
    ];
    db.import_services(services.clone(), now)
        .await
        .expect("import");
    let correction =
        |key: &str, service: &str, field: &str, value: Option<&str>, based_on: i64| Correction {
            id: named(&format!("corr-{key}")),
            service_id: service.into(),
            field: field.into(),
            value: value.map(Into::into),
            note: format!("seen on {key}"),
            based_on_version: based_on,
            created_at: now - Duration::hours(1),
        };
    let c1 = correction("c1", "corr-s1", "phone", Some("+252 61 555 0101"), 1);
    assert_eq!(
        db.add_corrections(&d, vec![c1.clone()], now)
            .await
            .expect("add")
            .acked,
        vec![c1.id]
    );

    let mut s1 = services[0].clone();
    s1.address = Some("Maka Al Mukarama road".into());
    db.import_services(vec![s1], now)
        .await
        .expect("office edit");
    let c2 = correction(
        "c2",
        "corr-s1",
        "opening_hours",
        Some("Mo-Sa 07:00-19:00"),
        1,
    );
    let c3 = correction("c3", "corr-s2", "languages", Some("so, ar"), 1);
    let c4 = correction("c4", "corr-s3", "closed", None, 1);
    let held = db
        .add_corrections(
            &d,
            vec![c1.clone(), c2.clone(), c3.clone(), c4.clone()],
            now,
        )
        .await
        .expect("add more");
    assert_eq!(held.acked, vec![c1.id, c2.id, c3.id, c4.id]);
    assert!(held.refused.is_empty());
    let pending = db
        .corrections(Some(CorrectionStatus::Pending))
        .await
        .expect("list");
    let find = |id: Uuid| {
        pending
            .iter()
            .find(|c| c.correction.id == id)
            .expect("held")
            .clone()
    };
    assert_eq!(
        pending.iter().filter(|c| c.correction.id == c1.id).count(),
        1,
        "c1 held twice"
    );
    let r1 = find(c1.id);
    assert!(!r1.stale, "c1 was about the current version");
    assert_eq!(
        (r1.device_id, r1.worker.as_str(), &r1.correction),
        (d.id, "corr-halima", &c1)
    );
    assert_eq!(
        (r1.status, r1.received_at, r1.decided_at),
        (CorrectionStatus::Pending, now, None)
    );
    assert!(
        find(c2.id).stale,
        "c2 was about version 1 of a service now at 2"
    );
    assert!(!find(c3.id).stale);

    // Bad corrections are refused one by one, in words; the good one beside them is held.
    let good = correction("c5", "corr-s2", "phone", Some("+252 61 555 0202"), 1);
    let unknown_service = correction("c6", "corr-nowhere", "phone", Some("1"), 1);
    let unknown_field = correction("c7", "corr-s2", "colour", Some("blue"), 1);
    let out = db
        .add_corrections(
            &d,
            vec![unknown_service.clone(), good.clone(), unknown_field.clone()],
            now,
        )
        .await
        .expect("add with bad ones");
    assert_eq!(out.acked, vec![good.id]);
    let refused: Vec<(Uuid, &str)> = out
        .refused
        .iter()
        .map(|r| (r.id, r.code.as_str()))
        .collect();
    assert_eq!(
        refused,
        [
            (unknown_service.id, "unknown_service"),
            (unknown_field.id, "invalid")
        ]
    );
    assert!(out.refused.iter().all(|r| !r.reason.is_empty()));
    let all = db.corrections(None).await.expect("list");
    assert!(all.iter().any(|c| c.correction.id == good.id));
    assert!(
        !all.iter()
            .any(|c| c.correction.id == unknown_service.id || c.correction.id == unknown_field.id),
        "a refused correction was stored"
    );

    let start = read_feed(db, &d, 0, 1 << 24).await.cursor;
    let later = now + Duration::hours(2);
    let decided = db
        .decide_correction(c1.id, true, later)
        .await
        .expect("accept");
    assert_eq!(
        (decided.status, decided.decided_at),
        (CorrectionStatus::Accepted, Some(later))
    );
    let s1 = db.service("corr-s1").await.expect("read").expect("s1");
    assert_eq!(
        (s1.service.phone.as_deref(), s1.version),
        (Some("+252 61 555 0101"), 3)
    );
    assert_eq!(s1.service.address.as_deref(), Some("Maka Al Mukarama road"));
    let f = read_feed(db, &d, start, 1 << 20).await;
    assert_eq!(f.services.len(), 1);
    assert_eq!(
        (f.services[0].service.id.as_str(), f.services[0].version),
        ("corr-s1", 3)
    );
    assert_eq!(
        f.services[0].service.phone.as_deref(),
        Some("+252 61 555 0101")
    );

    let rejected = db
        .decide_correction(c2.id, false, later)
        .await
        .expect("reject");
    assert_eq!(rejected.status, CorrectionStatus::Rejected);
    let s1_after = db.service("corr-s1").await.expect("read").expect("s1");
    assert_eq!(
        (s1_after.version, &s1_after.service.opening_hours),
        (3, &s1.service.opening_hours)
    );
    assert!(
        db.decide_correction(c1.id, false, later).await.is_err(),
        "decided twice"
    );
    assert!(matches!(
        db.decide_correction(named("corr-none"), true, later).await,
        Err(DbError::NotFound { .. })
    ));

    db.decide_correction(c3.id, true, later)
        .await
        .expect("languages");
    let s2 = db.service("corr-s2").await.expect("read").expect("s2");
    assert_eq!(
        (s2.service.languages.clone(), s2.version),
        (vec!["so".to_string(), "ar".to_string()], 2)
    );
    db.decide_correction(c4.id, true, later)
        .await
        .expect("closed");
    assert!(db.service("corr-s3").await.expect("read").is_none());
    let f2 = read_feed(db, &d, f.cursor, 1 << 20).await;
    assert_eq!(f2.service_ids(), BTreeSet::from(["corr-s2".to_string()]));
    assert_eq!(f2.removed, vec!["corr-s3".to_string()]);

    let rejected: Vec<Uuid> = db
        .corrections(Some(CorrectionStatus::Rejected))
        .await
        .expect("list")
        .into_iter()
        .map(|c| c.correction.id)
        .collect();
    assert!(rejected.contains(&c2.id) && !rejected.contains(&c1.id));
}

// ---------------------------------------------------------------------------------------
// Protocol 2: refusals per item, divergence and forks, history tags.
// ---------------------------------------------------------------------------------------

/// One bad item of a push is refused on its own, in words: it is held (the log has no
/// gaps), answered again on a resend, never merged and never sent to other devices; the
/// items after it are applied.
pub async fn refused_operations_are_held_answered_again_and_never_fed<D: Database>(db: &D) {
    let phone = enrol(
        db,
        "refuse-a",
        "refuse-amina",
        Some("refuse-team"),
        Role::Worker,
        &["AQ"],
    )
    .await;
    let other_phone = enrol(
        db,
        "refuse-b",
        "refuse-amina",
        Some("refuse-team"),
        Role::Worker,
        &["AQ"],
    )
    .await;
    referable(db, "svc-refuse").await;
    let start = caught_up(db, &other_phone).await;
    let now = t0() + Duration::hours(30);
    let now_ms = u64::try_from(now.timestamp_millis()).expect("a time after 1970");
    let mut log = Log::new(&phone);
    let session = named("refuse-session");
    let years_ahead = now_ms + 3 * 365 * 24 * 3_600_000;
    let batch = vec![
        log.op(
            OpKind::SessionCreate,
            session,
            session_fields("Market", 5),
            now_ms,
        ),
        log.op(
            OpKind::SessionUpdate,
            session,
            json!({"lat": "garbage"}),
            now_ms + 1,
        ),
        log.op(
            OpKind::SessionUpdate,
            session,
            json!({"notes": "from the future"}),
            now_ms + 2,
        ),
        log.op(
            OpKind::SessionUpdate,
            named("refuse-nothing"),
            json!({"notes": "x"}),
            now_ms + 3,
        ),
        log.op(
            OpKind::ReferralCreate,
            named("refuse-ref-ghost"),
            referral_fields(session, "svc-nowhere"),
            now_ms + 4,
        ),
        log.op(
            OpKind::ReferralCreate,
            named("refuse-ref-ok"),
            referral_fields(session, "svc-refuse"),
            now_ms + 5,
        ),
        log.op(
            OpKind::SessionUpdate,
            session,
            json!({"notes": "checked"}),
            now_ms + 6,
        ),
    ];
    // Written by a phone whose clock is three years fast (a Log's stamps follow its last
    // one, so this one is set by hand).
    let mut batch = batch;
    batch[2].hlc.wall_ms = years_ahead;
    let pushed = db.push_ops(&phone, batch.clone(), now).await.expect("push");
    assert_eq!(pushed.acked_idx, 7, "every item held, refused or not");
    let refused: Vec<(i64, &str)> = pushed
        .refused
        .iter()
        .map(|r| (r.idx, r.code.as_str()))
        .collect();
    assert_eq!(
        refused,
        [
            (2, "invalid"),
            (3, "clock_ahead"),
            (4, "invalid"),
            (5, "unknown_service")
        ]
    );
    assert!(
        pushed.refused[0].reason.contains("lat"),
        "{:?}",
        pushed.refused[0]
    );
    assert!(
        pushed.refused[1].reason.contains("ahead"),
        "{:?}",
        pushed.refused[1]
    );
    let s = record(db, session).await.expect("the session");
    assert_eq!(s.fields["notes"], "checked");
    assert_eq!(s.fields["lat"], json!(-1.2741));
    assert!(
        record(db, named("refuse-nothing")).await.is_none(),
        "no create by update"
    );
    assert!(record(db, named("refuse-ref-ghost")).await.is_none());
    assert!(record(db, named("refuse-ref-ok")).await.is_some());

    // A resend after a lost answer gets the same refusals, and changes nothing.
    let again = db
        .push_ops(&phone, batch.clone(), now)
        .await
        .expect("resend");
    assert_eq!(again.acked_idx, 7);
    assert_eq!(again.refused, pushed.refused);

    // Only applied operations go down the feed; the audit trail keeps every one, with why.
    let feed = read_feed(db, &other_phone, start, 1 << 20).await;
    let applied: Vec<Uuid> = [0, 5, 6].iter().map(|&i| batch[i].op_id).collect();
    assert_eq!(feed.op_ids(), applied);
    let log = db.operations().await.expect("operations");
    let held: Vec<_> = log.iter().filter(|o| o.op.device_id == phone.id).collect();
    assert_eq!(held.len(), 7);
    assert_eq!(
        held.iter().filter(|o| o.refusal.is_some()).count(),
        4,
        "refusals kept in the audit trail"
    );
    assert!(held.iter().all(|o| o.applied == o.refusal.is_none()));
}

/// A phone restored from an older copy of its store writes new operations at idx the
/// server already holds: the server answers `Diverged` instead of taking them for resends,
/// and a fork gives the copy a new device id whose log starts after what both share.
pub async fn a_log_that_differs_from_the_held_one_diverges_and_forks<D: Database>(db: &D) {
    let phone = enrol(
        db,
        "fork-a",
        "fork-juma",
        Some("fork-team"),
        Role::Worker,
        &["AQ"],
    )
    .await;
    let now = t0() + Duration::hours(31);
    let mut log = Log::new(&phone);
    let ops: Vec<Operation> = (0..3)
        .map(|i| {
            log.op(
                OpKind::SessionCreate,
                named(&format!("fork-session-{i}")),
                session_fields("Ferry", i),
                10_000 + i as u64,
            )
        })
        .collect();
    db.push_ops(&phone, ops.clone(), now).await.expect("push");
    // The restored copy had idx 1 only, and wrote another operation as idx 2.
    let mut restored = Log::new(&phone);
    restored.next_idx = 2;
    restored.last_ms = 20_000;
    let mut other = restored.op(
        OpKind::SessionCreate,
        named("fork-new-session"),
        session_fields("Clinic", 9),
        20_000,
    );
    other.op_id = named("fork-new-op");
    match db
        .push_ops(&phone, vec![ops[0].clone(), other.clone()], now)
        .await
    {
        Err(DbError::Diverged { acked, at }) => assert_eq!((acked, at), (3, 2)),
        got => panic!("expected a divergence at 2, got {got:?}"),
    }
    assert!(record(db, named("fork-new-session")).await.is_none());

    let fork_id = named("fork-1");
    let ask = |token: &str| NewFork {
        fork_id,
        id: named("fork-device"),
        token_hash: token.to_string(),
        after: 0,
        op_ids: vec![ops[0].op_id, other.op_id],
        now,
    };
    let fork = db
        .fork_device(&phone, ask("fork-token-1"))
        .await
        .expect("fork");
    assert_eq!(fork.base_idx, 1, "the copy shares idx 1 with the server");
    assert_eq!(
        (
            fork.device.worker.as_str(),
            fork.device.team.as_deref(),
            fork.device.forked_from
        ),
        ("fork-juma", Some("fork-team"), Some(phone.id))
    );
    assert_eq!(fork.device.acked_idx, 1);
    // Asked again (the answer was lost): the same device, with the new token.
    let again = db
        .fork_device(&phone, ask("fork-token-2"))
        .await
        .expect("fork again");
    assert_eq!((again.device.id, again.base_idx), (fork.device.id, 1));
    assert!(db
        .device_by_token("fork-token-1")
        .await
        .expect("lookup")
        .is_none());
    let forked = db
        .device_by_token("fork-token-2")
        .await
        .expect("lookup")
        .expect("the fork holds the new token");
    // The copy's new operations go in under the new id, from the base on.
    let mut moved = other.clone();
    moved.device_id = forked.id;
    moved.hlc.node = forked.id;
    let pushed = db
        .push_ops(&forked, vec![moved], now)
        .await
        .expect("push as the fork");
    assert_eq!((pushed.acked_idx, pushed.refused.len()), (2, 0));
    let rec = record(db, named("fork-new-session")).await.expect("stored");
    assert_eq!(
        (rec.worker.as_str(), rec.device_id),
        ("fork-juma", forked.id)
    );
    // Both histories are kept.
    assert_eq!(stored_device(db, "fork-a").await.acked_idx, 3);
}

/// The tag of the stretch a cursor stands on changes with nothing that comes after it, and
/// a value never handed out has none.
pub async fn history_tags_name_the_stretch_a_cursor_stands_on<D: Database>(db: &D) {
    let now = t0() + Duration::hours(32);
    db.import_services(vec![service("tag-svc-1", "Tagged 1", Some("TG"))], now)
        .await
        .expect("import");
    let head = db.head().await.expect("head");
    assert!(head > 0);
    let tag = db.history_tag(head).await.expect("tag");
    assert!(tag.is_some(), "the last write was sealed");
    assert_eq!(db.history_tag(0).await.expect("tag of 0"), None);
    assert_eq!(db.history_tag(head + 1_000).await.expect("tag ahead"), None);
    db.import_services(vec![service("tag-svc-2", "Tagged 2", Some("TG"))], now)
        .await
        .expect("import");
    let later = db.head().await.expect("head");
    assert!(later > head);
    assert_eq!(
        db.history_tag(head).await.expect("tag"),
        tag,
        "a later write changed it"
    );
    let new_tag = db.history_tag(later).await.expect("tag").expect("sealed");
    assert_ne!(Some(new_tag), tag, "each stretch has its own tag");
}

// ---------------------------------------------------------------------------------------
// Workers are records with ids.
// ---------------------------------------------------------------------------------------

/// Two people of one name in two teams are two workers: neither receives nor may change the
/// other's outreach; a second phone of one of them is hers; a name that fits two workers of
/// one team is refused in words; a new name shows on her records and devices.
pub async fn two_workers_of_one_name_are_two_people<D: Database>(db: &D) {
    let east = enrol(
        db,
        "twin-a",
        "twin-amina",
        Some("twin-east"),
        Role::Worker,
        &["AQ"],
    )
    .await;
    let west = enrol(
        db,
        "twin-b",
        "Twin-Amina",
        Some("twin-west"),
        Role::Worker,
        &["AQ"],
    )
    .await;
    let east2 = enrol(
        db,
        "twin-a2",
        "twin-amina",
        Some("twin-east"),
        Role::Worker,
        &["AQ"],
    )
    .await;
    assert_ne!(
        east.worker_id, west.worker_id,
        "one name in two teams is two people"
    );
    assert_eq!(east.worker_id, east2.worker_id, "her second phone is hers");
    let start_west = caught_up(db, &west).await;
    let start_east2 = caught_up(db, &east2).await;
    let now = t0() + Duration::hours(9);
    let entity = named("twin-session");
    let mut log = Log::new(&east);
    let create = log.op(
        OpKind::SessionCreate,
        entity,
        session_fields("Bus park", 7),
        100_000,
    );
    db.push_ops(&east, vec![create.clone()], now)
        .await
        .expect("create");
    assert!(
        read_feed(db, &west, start_west, 1 << 20)
            .await
            .op_ids()
            .is_empty(),
        "the other Amina received this Amina's session"
    );
    assert_eq!(
        read_feed(db, &east2, start_east2, 1 << 20).await.op_ids(),
        vec![create.op_id],
        "her second phone did not receive her session"
    );
    let mut other = Log::new(&west);
    let edit = other.op(
        OpKind::SessionUpdate,
        entity,
        json!({"notes": "not mine"}),
        200_000,
    );
    let pushed = db.push_ops(&west, vec![edit], now).await.expect("stored");
    assert_eq!(
        pushed
            .refused
            .iter()
            .map(|r| r.code.as_str())
            .collect::<Vec<_>>(),
        ["forbidden"]
    );
    let r = record(db, entity).await.expect("record");
    assert_eq!((r.version, r.worker_id), (1, east.worker_id));

    let juma = || {
        NewWorker::new(
            "twin-juma",
            Some("twin-east".into()),
            Role::Worker,
            vec![],
            now,
        )
    };
    for _ in 0..2 {
        db.add_worker(juma()).await.expect("add worker");
    }
    match db.choose_worker(WorkerChoice::Named(juma())).await {
        Err(DbError::Invalid(m)) => assert!(m.contains("2 workers are named"), "{m}"),
        other => panic!("a name that fits two workers was taken: {other:?}"),
    }
    let before = db.workers().await.expect("workers").len();
    let renamed = db
        .edit_worker(
            east.worker_id,
            crate::WorkerEdit {
                name: Some("twin-amina-yusuf".into()),
                ..Default::default()
            },
            now,
        )
        .await
        .expect("rename");
    assert_eq!(renamed.name, "twin-amina-yusuf");
    assert_eq!(db.workers().await.expect("workers").len(), before);
    assert_eq!(
        record(db, entity).await.expect("record").worker,
        "twin-amina-yusuf"
    );
    let devices = db.devices().await.expect("devices");
    for d in devices.iter().filter(|d| d.worker_id == east.worker_id) {
        assert_eq!(d.worker, "twin-amina-yusuf");
    }
    assert!(devices
        .iter()
        .any(|d| d.id == west.id && d.worker == "Twin-Amina"));
}

/// The quota's measure: what one device stored since a time, operations (applied or held
/// refused) and corrections, and nothing of another device's or from before the window.
pub async fn a_devices_usage_counts_what_it_stored_in_the_window<D: Database>(db: &D) {
    let phone = enrol(
        db,
        "usage-a",
        "usage-amina",
        Some("usage-team"),
        Role::Worker,
        &["AQ"],
    )
    .await;
    let other = enrol(
        db,
        "usage-b",
        "usage-baraka",
        Some("usage-team"),
        Role::Worker,
        &["AQ"],
    )
    .await;
    let since = t0() + Duration::days(30);
    assert_eq!(
        db.device_usage(phone.id, since).await.expect("usage"),
        Usage::default(),
        "nothing stored yet"
    );
    let mut log = Log::new(&phone);
    let old = named("usage-old");
    let early = vec![log.op(
        OpKind::SessionCreate,
        old,
        session_fields("Before the window", 3),
        1_000,
    )];
    db.push_ops(&phone, early, since - Duration::hours(1))
        .await
        .expect("push before the window");
    let session = named("usage-session");
    let batch = vec![
        log.op(
            OpKind::SessionCreate,
            session,
            session_fields("Eastleigh market", 12),
            2_000,
        ),
        log.op(
            OpKind::SessionUpdate,
            session,
            json!({"notes": "rain all morning"}),
            2_001,
        ),
    ];
    let bytes: i64 = batch
        .iter()
        .map(|op| serde_json::to_string(&op.payload).expect("json").len() as i64)
        .sum();
    db.push_ops(&phone, batch, since + Duration::hours(1))
        .await
        .expect("push in the window");
    let mut other_log = Log::new(&other);
    let theirs = vec![other_log.op(
        OpKind::SessionCreate,
        named("usage-theirs"),
        session_fields("Someone else's", 4),
        3_000,
    )];
    db.push_ops(&other, theirs, since + Duration::hours(1))
        .await
        .expect("other device's push");
    let usage = db.device_usage(phone.id, since).await.expect("usage");
    assert_eq!(usage.items, 2, "two operations in the window: {usage:?}");
    // Backends store the payload as they like (PostgreSQL's JSON keeps spaces); the count
    // is within a small factor of the JSON's size, never zero.
    assert!(
        usage.bytes >= bytes / 2 && usage.bytes <= bytes * 2,
        "{} bytes counted for {bytes} of JSON",
        usage.bytes
    );
    assert_eq!(
        db.device_usage(phone.id, since - Duration::days(1))
            .await
            .expect("usage")
            .items,
        3,
        "a wider window holds the earlier operation too"
    );
}
