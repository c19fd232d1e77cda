//! Connection settings and schema migrations.
//!
//! Migrations are the SQL files of `migrations/server/sqlite/`, embedded at build time and
//! applied in file-name order, each in its own transaction, recorded in `PRAGMA user_version`.
//! Files are never edited once landed: a change is a new file.

use std::time::Duration;

use include_dir::{include_dir, Dir};
use rusqlite::Connection;
use rusqlite_migration::{Migrations, M};

use crate::error::{Error, Result};

static MIGRATIONS: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/../../migrations/server/sqlite");

/// WAL so readers never wait for the writer, `synchronous = FULL` (a commit is on disk
/// before a device is told it was stored: with NORMAL a power cut could lose commits whose
/// acknowledgements and change numbers devices already hold), foreign keys on, and a busy
/// timeout so the CLI can work on the file while the server runs.
pub(crate) fn configure(conn: &Connection) -> Result<()> {
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.pragma_update(None, "cache_size", -32_768)?;
    conn.pragma_update(None, "wal_autocheckpoint", 8_000)?;
    conn.pragma_update(None, "journal_size_limit", 64 * 1024 * 1024)?;
    conn.busy_timeout(Duration::from_secs(10))?;
    conn.set_prepared_statement_cache_capacity(64);
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
    let scripts = scripts();
    let migrations = Migrations::new(scripts.iter().map(|(_, sql)| M::up(sql)).collect());
    let current = conn.query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0))? as usize;
    if current > scripts.len() {
        return Err(Error::backend(format!(
            "the database is at schema version {current}, newer than this server knows ({}): \
             use a newer njia-server",
            scripts.len()
        )));
    }
    for step in current + 1..=scripts.len() {
        migrations
            .to_version(conn, step)
            .map_err(|e| Error::backend(format!("migration {step}: {e}")))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn a_database_migrated_twice_stays_at_the_latest_version() {
        let dir = tempfile::tempdir().unwrap();
        let mut conn = Connection::open(dir.path().join("s.db")).unwrap();
        configure(&conn).unwrap();
        migrate(&mut conn).unwrap();
        migrate(&mut conn).unwrap();
        let v: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(v as usize, scripts().len());
        let seq: i64 = conn
            .query_row("SELECT value FROM sequence", [], |r| r.get(0))
            .unwrap();
        assert_eq!(seq, 0);
    }
}
