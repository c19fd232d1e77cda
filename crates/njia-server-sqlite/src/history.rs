//! The history of the global sequence in tagged stretches (`Database::history_tag`,
//! migration 0004). Writes go through the one writer connection, so sealing right after
//! each write covers every value it took before the next write starts.

use rusqlite::{Connection, OptionalExtension};

use crate::error::Result;

/// Seals the values handed out since the last stretch into a new one with a random tag.
/// A crash between a write's commit and its seal leaves its values unsealed until the
/// next write seals them (a device then gets no tag for a cursor there, and checks
/// nothing with it): never a wrong tag.
pub(crate) fn seal(conn: &Connection) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO history (first_seq, last_seq, tag)
         SELECT h.sealed + 1, s.value, lower(hex(randomblob(8)))
           FROM sequence s,
                (SELECT coalesce(max(last_seq), 0) AS sealed FROM history) h
          WHERE s.id = 1 AND s.value > h.sealed",
    )?
    .execute([])?;
    Ok(())
}

pub(crate) fn tag(conn: &Connection, seq: i64) -> Result<Option<String>> {
    if seq <= 0 {
        return Ok(None);
    }
    Ok(conn
        .prepare_cached(
            "SELECT tag FROM history WHERE first_seq <= ?1 AND last_seq >= ?1
              ORDER BY first_seq DESC LIMIT 1",
        )?
        .query_row([seq], |r| r.get(0))
        .optional()?)
}
