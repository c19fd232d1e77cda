//! Connection settings and schema migrations.
//!
//! Migrations are the SQL files of `migrations/device/`, embedded at build time and applied
//! in file-name order, each in its own transaction, recorded in `PRAGMA user_version`.
//! Files are never edited once landed: a change is a new file.

use include_dir::{include_dir, Dir};
use rusqlite::Connection;
use rusqlite_migration::{Migrations, M};

use crate::Result;

static MIGRATIONS: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/../../migrations/device");

/// WAL for readers beside a writer, full sync so a saved session survives a power cut,
/// foreign keys on, and a busy timeout so the app and the CLI can share the file.
pub(crate) fn configure(conn: &Connection) -> Result<()> {
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.pragma_update(
        None,
        "cache_size",
        -i64::from(crate::DEFAULT_PAGE_CACHE_KIB),
    )?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    Ok(())
}

/// The migration scripts in order.
pub fn scripts() -> Vec<(&'static str, &'static str)> {
    let mut files: Vec<_> = MIGRATIONS
        .files()
        .filter(|f| f.path().extension().is_some_and(|e| e == "sql"))
        .filter_map(|f| Some((f.path().to_str()?, f.contents_utf8()?)))
        .collect();
    files.sort_by_key(|(name, _)| *name);
    files
}

/// Brings the schema to the latest version, one migration per transaction.
pub(crate) fn migrate(conn: &mut Connection) -> Result<()> {
    migrate_to(conn, scripts().len())
}

/// Brings the schema to `version` (the count of migrations applied); for upgrade tests.
pub(crate) fn migrate_to(conn: &mut Connection, version: usize) -> Result<()> {
    let scripts = scripts();
    let migrations = Migrations::new(scripts.iter().map(|(_, sql)| M::up(sql)).collect());
    let current = conn.query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0))? as usize;
    for step in current + 1..=version {
        migrations.to_version(conn, step)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Store;

    const PASS: &str = "migration test passphrase";

    /// A store filled at the first schema upgrades through every later migration with
    /// nothing lost: services, sessions, referrals and the operation log all read back.
    #[test]
    fn a_store_filled_at_the_first_migration_upgrades_with_nothing_lost() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.db");
        {
            let key = crate::crypto::derive_key(&path, PASS).unwrap();
            let mut conn = crate::crypto::open_encrypted(&path, &key).unwrap();
            configure(&conn).unwrap();
            migrate_to(&mut conn, 1).unwrap();
            conn.execute_batch(
                r#"
                INSERT INTO meta(key, value) VALUES ('device_id', '0190e3b8-0000-7000-8000-000000000001');
                INSERT INTO service (id, name, lat, lon, categories, languages, cat_mask, lang_mask, flags, detail, version, updated_at)
                VALUES ('svc-1', 'Old Clinic', -1.0, 36.0, 'hiv', '', 2, 0, 1, '{"phone":"+254 700 000000"}', 1, '2026-01-01T00:00:00Z');
                INSERT INTO outreach_session (id, device_id, started_utc, status, version, doc, clocks, created_at, updated_at)
                VALUES ('0190e3b8-0000-7000-8000-0000000000aa', '0190e3b8-0000-7000-8000-000000000001', '2026-01-01T06:00:00+00:00', 'final', 1,
                        '{"started_at":"2026-01-01T09:00:00+03:00","ended_at":null,"place":"Market","lat":null,"lon":null,"accuracy_m":null,"admin_area":null,"activity":"health_talk","topics":["hiv"],"reached":[{"sex":"female","age":"18-49","group":"migrant","count":4}],"materials":{},"notes":"","status":"final"}',
                        '{}', '2026-01-01T06:00:00Z', '2026-01-01T06:00:00Z');
                INSERT INTO op_log (idx, device_id, op_id, hlc, kind, entity_id, payload, created_at)
                VALUES (1, '0190e3b8-0000-7000-8000-000000000001', '0190e3b8-0000-7000-8000-0000000000bb',
                        '001767247200000-0000000000-0190e3b8000070008000000000000001', 'session.create',
                        '0190e3b8-0000-7000-8000-0000000000aa', '{}', '2026-01-01T06:00:00Z');
                "#,
            )
            .unwrap();
        }
        let store = Store::open(&path, PASS).unwrap();
        assert_eq!(store.schema_version().unwrap() as usize, scripts().len());
        let svc = store.service("svc-1").unwrap().unwrap();
        assert_eq!(svc.phone.as_deref(), Some("+254 700 000000"));
        assert!(svc.free_of_charge);
        let sessions = store.sessions(None).unwrap();
        assert_eq!(sessions.len(), 1);
        assert_eq!(sessions[0].total_reached, 4);
        assert_eq!(store.op_log_status().unwrap().last_idx, 1);
        assert_eq!(
            store.device_id().to_string(),
            "0190e3b8-0000-7000-8000-000000000001"
        );
    }

    #[test]
    fn migrations_are_numbered_and_ordered() {
        let names: Vec<&str> = scripts().iter().map(|(n, _)| *n).collect();
        assert!(!names.is_empty());
        for (i, name) in names.iter().enumerate() {
            assert!(
                name.starts_with(&format!("{:04}_", i + 1)),
                "{name} out of sequence"
            );
        }
    }
}
