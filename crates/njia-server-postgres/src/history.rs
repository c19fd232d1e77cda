//! The history of the change counter in tagged stretches (`Database::history_tag`,
//! migration 0004), sealed after every write.

use deadpool_postgres::Client;
use njia_server_database::DbResult;

use crate::backend;

/// Seals the values handed out since the last stretch into a new one with a random tag. It
/// takes the counter's lock first, so no writer is between taking values and committing
/// them, and a second statement then reads the stretches as they are after that wait.
pub(crate) async fn seal(client: &mut Client) -> DbResult<()> {
    let tx = client.transaction().await.map_err(backend)?;
    tx.execute("SELECT value FROM change_counter FOR UPDATE", &[])
        .await
        .map_err(backend)?;
    tx.execute(
        "INSERT INTO history (first_seq, last_seq, tag)
         SELECT h.sealed + 1, c.value, md5(random()::text || clock_timestamp()::text)
           FROM change_counter c,
                (SELECT coalesce(max(last_seq), 0) AS sealed FROM history) h
          WHERE c.value > h.sealed
         ON CONFLICT (first_seq) DO NOTHING",
        &[],
    )
    .await
    .map_err(backend)?;
    tx.commit().await.map_err(backend)
}

pub(crate) async fn tag(client: &Client, seq: i64) -> DbResult<Option<String>> {
    if seq <= 0 {
        return Ok(None);
    }
    let stmt = client
        .prepare_cached(
            "SELECT tag FROM history WHERE first_seq <= $1 AND last_seq >= $1
              ORDER BY first_seq DESC LIMIT 1",
        )
        .await
        .map_err(backend)?;
    Ok(client
        .query_opt(&stmt, &[&seq])
        .await
        .map_err(backend)?
        .map(|r| r.get(0)))
}

pub(crate) async fn head(client: &Client) -> DbResult<i64> {
    Ok(client
        .query_one("SELECT value FROM change_counter", &[])
        .await
        .map_err(backend)?
        .get(0))
}
