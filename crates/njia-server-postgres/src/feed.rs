//! The change feed: what a device may see after its cursor, in sequence order, in pages of
//! about `max_bytes` of JSON.
//!
//! A page is read in one `REPEATABLE READ` snapshot. Since writers take sequence values
//! under the change counter's row lock and hold it until they commit, every value up to the
//! counter read in that snapshot is visible in it: when nothing is left, the counter is a
//! cursor that skips nothing.

use deadpool_postgres::Client;
use njia_model::ops::Operation;
use njia_model::service::Service;
use njia_model::wire::{Role, ServiceVersion};
use njia_server_database::delta::{feed_service, FeedService, FieldSeqs};
use njia_server_database::{DbResult, DeviceRecord, FeedPage};
use serde_json::Value;
use tokio_postgres::{IsolationLevel, Row};

use crate::{backend, corrupt};

/// Rows read per query while filling a page.
const BATCH: i64 = 500;

/// What a device may see of the service table (alias `s`), after `change_seq > $1`: services
/// whose country is one of its regions `$2` (or that have none, or for a device of every
/// region), and services that left one of its regions after the cursor given as the
/// argument. One text for the page and for the count of what remains, so the two cannot
/// disagree.
macro_rules! services_seen {
    ($left_after:literal) => {
        concat!(
            "s.change_seq > $1
    AND (cardinality($2::text[]) = 0 OR s.country IS NULL OR s.country = ANY($2)
         OR EXISTS (SELECT 1 FROM jsonb_each_text(s.left_at) AS l(region, seq)
                     WHERE (l.region = ANY($2) OR l.region = '*') AND l.seq::int8 > ",
            $left_after,
            "))"
        )
    };
}

/// What a device may see of the operation table (alias `o`), after `seq > $1`: applied
/// operations of records its worker `$4` owns (its team's `$5` for a supervisor) that other
/// devices than itself (`$3`) wrote.
macro_rules! ops_seen {
    () => {
        "o.seq > $1 AND o.applied AND o.device_id <> $3
    AND (o.owner_worker_id = $4 OR o.owner_team = $5)"
    };
}

/// The services and operations the device may see, in sequence order, `$6` at most; `$7` is
/// the request's cursor.
const FEED: &str = concat!(
    "
(SELECT s.change_seq AS seq, s.id, s.doc, s.version, s.removed, s.country, s.base_seq,
        s.field_seqs,
        NULL::uuid AS op_device, NULL::int8 AS op_idx, NULL::uuid AS op_id, NULL::text AS hlc,
        NULL::text AS kind, NULL::uuid AS entity_id, NULL::json AS payload
   FROM service s
  WHERE ",
    services_seen!("$7"),
    "
  ORDER BY s.change_seq
  LIMIT $6)
UNION ALL
(SELECT o.seq, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
        o.device_id, o.idx, o.op_id, o.hlc, o.kind, o.entity_id, o.payload
   FROM operation o
  WHERE ",
    ops_seen!(),
    "
  ORDER BY o.seq
  LIMIT $6)
ORDER BY seq
LIMIT $6"
);

/// How many rows [`FEED`] holds after a cursor `$1`, without its limits: the items of the
/// next pages, whose request will carry `$1` as its cursor.
const REMAINING: &str = concat!(
    "SELECT (SELECT count(*) FROM service s WHERE ",
    services_seen!("$1"),
    ") + (SELECT count(*) FROM operation o WHERE ",
    ops_seen!(),
    ")"
);

/// One entry of a page.
enum Item {
    Service(Box<ServiceVersion>),
    Patch(njia_model::wire::ServicePatch),
    Removed(String),
    Op(Operation),
}

/// The exact size of a page's JSON (`Changes` as the server sends it) as items are added:
/// `{"services":[…],"patches":[…],"removed":[…],"ops":[…]}`, empty lists left out.
#[derive(Default)]
struct PageSize {
    /// Items so far in each list, and their bytes.
    counts: [usize; 4],
    items: usize,
}

impl PageSize {
    const KEYS: [usize; 4] = [
        "services".len(),
        "patches".len(),
        "removed".len(),
        "ops".len(),
    ];

    fn list(item: &Item) -> usize {
        match item {
            Item::Service(_) => 0,
            Item::Patch(_) => 1,
            Item::Removed(_) => 2,
            Item::Op(_) => 3,
        }
    }

    fn json_len(item: &Item) -> DbResult<usize> {
        Ok(match item {
            Item::Service(s) => serde_json::to_vec(s).map_err(backend)?.len(),
            Item::Patch(p) => serde_json::to_vec(p).map_err(backend)?.len(),
            Item::Removed(id) => serde_json::to_vec(id).map_err(backend)?.len(),
            Item::Op(op) => serde_json::to_vec(op).map_err(backend)?.len(),
        })
    }

    /// The page's size in bytes with these counts.
    fn total(counts: &[usize; 4], items: usize) -> usize {
        let lists: Vec<usize> = (0..4).filter(|&i| counts[i] > 0).collect();
        let mut n = 2 + items + lists.len().saturating_sub(1);
        for i in lists {
            // "key":[ ] and the commas between its items.
            n += Self::KEYS[i] + 5 + (counts[i] - 1);
        }
        n
    }

    /// The size the page would have with `item` added.
    fn with(&self, list: usize, len: usize) -> usize {
        let mut counts = self.counts;
        counts[list] += 1;
        Self::total(&counts, self.items + len)
    }

    fn add(&mut self, list: usize, len: usize) {
        self.counts[list] += 1;
        self.items += len;
    }
}

/// A row of the feed as an item; a service the device holds as it stood at `cursor` comes
/// as a patch when it asked for patches.
fn item(row: &Row, regions: &[String], cursor: i64, patches: bool) -> DbResult<Item> {
    if let Some(id) = row.get::<_, Option<String>>("id") {
        let country: Option<String> = row.get("country");
        let in_region = regions.is_empty()
            || country
                .as_ref()
                .is_none_or(|c| regions.iter().any(|r| r == c));
        if row.get::<_, bool>("removed") || !in_region {
            return Ok(Item::Removed(id));
        }
        let service: Service = serde_json::from_value(row.get("doc"))
            .map_err(|e| corrupt(&format!("service {id}"), e))?;
        let field_seqs: FieldSeqs = serde_json::from_value(row.get("field_seqs"))
            .map_err(|e| corrupt(&format!("field_seqs of service {id}"), e))?;
        return Ok(
            match feed_service(
                service,
                row.get("version"),
                row.get("base_seq"),
                &field_seqs,
                cursor,
                patches,
            ) {
                FeedService::Whole(sv) => Item::Service(sv),
                FeedService::Patch(p) => Item::Patch(p),
            },
        );
    }
    let idx: i64 = row.get("op_idx");
    let what = || format!("operation {idx}");
    let hlc: String = row.get("hlc");
    let kind: String = row.get("kind");
    let payload = match row.get::<_, Value>("payload") {
        Value::Object(m) => m,
        other => return Err(corrupt(&what(), format!("payload {other}"))),
    };
    Ok(Item::Op(Operation {
        device_id: row.get("op_device"),
        idx,
        op_id: row.get("op_id"),
        hlc: hlc.parse().map_err(|e| corrupt(&what(), e))?,
        kind: kind.parse().map_err(|e| corrupt(&what(), e))?,
        entity_id: row.get("entity_id"),
        payload,
        seen: None,
    }))
}

/// Items the next pages hold, read in the page's snapshot (the next request's cursor is
/// `cursor`).
async fn remaining(
    tx: &tokio_postgres::Transaction<'_>,
    device: &DeviceRecord,
    cursor: i64,
    team: Option<&str>,
) -> DbResult<u64> {
    let count: i64 = tx
        .query_one(
            REMAINING,
            &[
                &cursor,
                &device.regions,
                &device.id,
                &device.worker_id,
                &team,
            ],
        )
        .await
        .map_err(backend)?
        .get(0);
    Ok(count.unsigned_abs())
}

pub(crate) async fn changes(
    client: &mut Client,
    device: &DeviceRecord,
    cursor: i64,
    max_bytes: usize,
    patches: bool,
) -> DbResult<FeedPage> {
    let tx = client
        .build_transaction()
        .isolation_level(IsolationLevel::RepeatableRead)
        .read_only(true)
        .start()
        .await
        .map_err(backend)?;
    let counter: i64 = tx
        .query_one("SELECT value FROM change_counter", &[])
        .await
        .map_err(backend)?
        .get(0);
    let team = match device.role {
        Role::Supervisor => device.team.as_deref(),
        Role::Worker => None,
    };
    let stmt = tx.prepare_cached(FEED).await.map_err(backend)?;
    let mut page = FeedPage::default();
    let mut size = PageSize::default();
    let mut pos = cursor;
    loop {
        let rows = tx
            .query(
                &stmt,
                &[
                    &pos,
                    &device.regions,
                    &device.id,
                    &device.worker_id,
                    &team,
                    &BATCH,
                    &cursor,
                ],
            )
            .await
            .map_err(backend)?;
        for row in &rows {
            let seq: i64 = row.get("seq");
            let item = item(row, &device.regions, cursor, patches)?;
            let (list, len) = (PageSize::list(&item), PageSize::json_len(&item)?);
            if !page.changes.is_empty() && size.with(list, len) > max_bytes {
                page.cursor = pos;
                page.more = true;
                page.remaining = remaining(&tx, device, pos, team).await?;
                tx.commit().await.map_err(backend)?;
                return Ok(page);
            }
            size.add(list, len);
            pos = seq;
            match item {
                Item::Service(s) => page.changes.services.push(*s),
                Item::Patch(p) => page.changes.patches.push(p),
                Item::Removed(id) => page.changes.removed.push(id),
                Item::Op(op) => page.changes.ops.push(op),
            }
        }
        if (rows.len() as i64) < BATCH {
            break;
        }
    }
    tx.commit().await.map_err(backend)?;
    page.cursor = counter;
    Ok(page)
}
