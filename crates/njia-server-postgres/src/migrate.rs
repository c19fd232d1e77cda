//! Schema migrations: the SQL files of `migrations/server/postgres/`, embedded at build time,
//! applied in file-name order, each in its own transaction, and recorded in
//! `njia_schema_migration`. Files are never edited once landed: a change is a new file.
//!
//! Several servers starting at once on one database take turns on an advisory lock, so
//! each migration runs exactly once.

use deadpool_postgres::Pool;
use include_dir::{include_dir, Dir};
use njia_server_database::{DbError, DbResult};

use crate::backend;

static MIGRATIONS: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/../../migrations/server/postgres");

/// Key of the advisory lock migrations take (`njia` in ASCII).
const LOCK_KEY: i64 = 0x6e6a_6961;

/// The migration scripts in order: `(file name, SQL)`.
pub fn scripts() -> Vec<(&'static str, &'static str)> {
    let mut files: Vec<_> = MIGRATIONS
        .files()
        .filter(|f| f.path().extension().is_some_and(|e| e == "sql"))
        .filter_map(|f| Some((f.path().to_str()?, f.contents_utf8()?)))
        .collect();
    files.sort_by_key(|(name, _)| *name);
    files
}

/// The version a migration file stands for: the number its name starts with.
fn version_of(name: &str) -> DbResult<i64> {
    name.split('_')
        .next()
        .and_then(|n| n.parse().ok())
        .ok_or_else(|| DbError::Backend(format!("migration {name} does not start with a number")))
}

/// Brings the schema to the latest version.
pub(crate) async fn migrate(pool: &Pool) -> DbResult<()> {
    let mut client = pool.get().await.map_err(backend)?;
    let scripts = scripts();
    let latest = match scripts.last() {
        Some((name, _)) => version_of(name)?,
        None => 0,
    };
    for (name, sql) in scripts {
        let version = version_of(name)?;
        let tx = client.transaction().await.map_err(backend)?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&LOCK_KEY])
            .await
            .map_err(backend)?;
        tx.batch_execute(
            "CREATE TABLE IF NOT EXISTS njia_schema_migration (
                 version    BIGINT PRIMARY KEY,
                 name       TEXT NOT NULL,
                 applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
             )",
        )
        .await
        .map_err(backend)?;
        let newest: Option<i64> = tx
            .query_one("SELECT max(version) FROM njia_schema_migration", &[])
            .await
            .map_err(backend)?
            .get(0);
        if newest.is_some_and(|n| n > latest) {
            return Err(DbError::Backend(format!(
                "the database schema is at version {}, newer than this server knows ({latest}): \
                 upgrade the server",
                newest.unwrap_or_default()
            )));
        }
        let applied = tx
            .query_opt(
                "SELECT 1 FROM njia_schema_migration WHERE version = $1",
                &[&version],
            )
            .await
            .map_err(backend)?
            .is_some();
        if !applied {
            tx.batch_execute(sql)
                .await
                .map_err(|e| DbError::Backend(format!("migration {name} failed: {e}")))?;
            tx.execute(
                "INSERT INTO njia_schema_migration (version, name) VALUES ($1, $2)",
                &[&version, &name],
            )
            .await
            .map_err(backend)?;
        }
        tx.commit().await.map_err(backend)?;
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
            assert_eq!(version_of(name).unwrap(), i as i64 + 1);
        }
    }
}
