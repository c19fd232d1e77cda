//! The conformance suite: every backend's tests call [`run_all`] on a fresh, empty database,
//! so SQLite and PostgreSQL are held to the same behaviour.

use chrono::{Duration, TimeZone, Utc};
use njia_model::wire::Role;
use uuid::Uuid;

use crate::{Database, DbError, NewDevice, NewEnrollment};

/// Runs every check of the suite against `db`, which must be empty.
pub async fn run_all<D: Database>(db: D) {
    an_enrolment_code_works_once_and_expires(&db).await;
}

/// A code redeems once; a second use, an unknown code and an expired code are refused.
pub async fn an_enrolment_code_works_once_and_expires<D: Database>(db: &D) {
    let t0 = Utc.with_ymd_and_hms(2026, 11, 20, 8, 0, 0).unwrap();
    for (hash, expires) in [
        ("code-a", t0 + Duration::hours(24)),
        ("code-b", t0 - Duration::hours(1)),
    ] {
        db.create_enrollment(NewEnrollment {
            code_hash: hash.into(),
            worker: "Amina".into(),
            team: Some("eastleigh".into()),
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
