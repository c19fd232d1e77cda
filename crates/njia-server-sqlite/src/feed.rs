//! The change feed: what changed after a device's cursor that the device may see, in
//! sequence order, one page at a time.
//!
//! Two sources, each read with one query ordered by sequence and merged as they stream (no
//! lookup per row): services of the device's regions (with removals and services that left
//! them), and the applied operations of the records the device may see, written by other
//! devices. Everything is read in one read transaction, so the page and the sequence value
//! it ends at agree.

use njia_model::ops::Operation;
use njia_model::wire::{Role, ServiceVersion};
use njia_server_database::delta::{feed_service, FeedService};
use njia_server_database::{DeviceRecord, FeedPage};
use rusqlite::{params, Connection, Row};

use crate::codec::{parse_object, parse_uuid, to_json};
use crate::directory::{current_seq, decode_service, parse_field_seqs};
use crate::error::{Error, Result};

/// Bytes of the page's JSON outside its items (`{"services":[],"patches":[],"removed":[],
/// "ops":[]}` and commas), counted generously so a page never exceeds the size asked for.
const ENVELOPE_BYTES: usize = 52;

/// Services changed after the cursor that the device holds or should hold: those it sees
/// (no regions, no country, or a country of its regions) and those that were, before a move,
/// in a country it sees (it must be told they left).
const SERVICES_SQL: &str = "
    SELECT change_seq, id, doc, version, removed, country, previous_countries, base_seq,
           field_seqs
      FROM service
     WHERE change_seq > ?1
       AND (?2 = 0
            OR country IS NULL
            OR country IN (SELECT value FROM json_each(?3))
            OR EXISTS (SELECT 1 FROM json_each(service.previous_countries) p
                        WHERE p.value = '' OR p.value IN (SELECT value FROM json_each(?3))))
     ORDER BY change_seq";

/// Applied operations after the cursor on the records the device may see (its worker's; its
/// team's for a supervisor), written by other devices.
const OPS_SQL: &str = "
    SELECT seq, device_id, idx, op_id, hlc, kind, entity_id, payload
      FROM outreach_op
     WHERE seq > ?1
       AND applied = 1
       AND device_id <> ?2
       AND (owner_worker_id = ?3 OR owner_team = ?4)
     ORDER BY seq";

enum Item {
    /// Decoded only once it goes into the page.
    Service {
        doc: String,
        version: i64,
    },
    /// Decoded already: its size is that of the patch.
    Patch(njia_model::wire::ServicePatch),
    Removed(String),
    Op(Operation),
}

/// One item of a source, with its sequence value and its size in the page's JSON.
struct Next {
    seq: i64,
    bytes: usize,
    item: Item,
}

fn digits(n: i64) -> usize {
    n.to_string().len()
}

/// A service row as a feed item: removed (or out of the device's regions), whole, or, for
/// a device that asked for patches and holds it, a patch against its copy at `cursor`.
fn service_item(r: &Row<'_>, regions: &[String], cursor: i64, want_patches: bool) -> Result<Next> {
    let seq: i64 = r.get(0)?;
    let id: String = r.get(1)?;
    let removed: bool = r.get(4)?;
    let country: Option<String> = r.get(5)?;
    let sees = regions.is_empty() || country.as_ref().is_none_or(|c| regions.contains(c));
    if removed || !sees {
        let bytes = to_json(&id)?.len() + 1;
        return Ok(Next {
            seq,
            bytes,
            item: Item::Removed(id),
        });
    }
    let doc: String = r.get(2)?;
    let version: i64 = r.get(3)?;
    let base_seq: i64 = r.get(7)?;
    if want_patches && cursor > 0 && base_seq <= cursor {
        let field_seqs = parse_field_seqs(&r.get::<_, String>(8)?)?;
        let service = decode_service(&doc)?;
        if let FeedService::Patch(p) =
            feed_service(service, version, base_seq, &field_seqs, cursor, true)
        {
            return Ok(Next {
                seq,
                bytes: to_json(&p)?.len() + 1,
                item: Item::Patch(p),
            });
        }
    }
    // The service's JSON is the stored document with `,"version":N` before its last brace.
    let bytes = doc.len() + r#","version":"#.len() + digits(version) + 1;
    Ok(Next {
        seq,
        bytes,
        item: Item::Service { doc, version },
    })
}

fn op_item(r: &Row<'_>) -> Result<Next> {
    let corrupt = |what: &str, e: &dyn std::fmt::Display| Error::corrupt(what, e);
    let op = Operation {
        device_id: parse_uuid(&r.get::<_, String>(1)?)?,
        idx: r.get(2)?,
        op_id: parse_uuid(&r.get::<_, String>(3)?)?,
        hlc: r
            .get::<_, String>(4)?
            .parse()
            .map_err(|e| corrupt("operation clock", &e))?,
        kind: r
            .get::<_, String>(5)?
            .parse()
            .map_err(|e: String| corrupt("operation kind", &e))?,
        entity_id: parse_uuid(&r.get::<_, String>(6)?)?,
        payload: parse_object("operation payload", &r.get::<_, String>(7)?)?,
        seen: None,
    };
    Ok(Next {
        seq: r.get(0)?,
        bytes: to_json(&op)?.len() + 1,
        item: Item::Op(op),
    })
}

pub(crate) fn changes(
    conn: &mut Connection,
    device: &DeviceRecord,
    cursor: i64,
    max_bytes: usize,
    patches: bool,
) -> Result<FeedPage> {
    let tx = conn.transaction()?;
    let head = current_seq(&tx)?;
    let regions = &device.regions;
    let team = match device.role {
        Role::Supervisor => device.team.clone(),
        Role::Worker => None,
    };
    let mut page = FeedPage::default();
    {
        let mut svc_stmt = tx.prepare_cached(SERVICES_SQL)?;
        let mut svc_rows =
            svc_stmt.query(params![cursor, !regions.is_empty(), to_json(regions)?])?;
        let mut op_stmt = tx.prepare_cached(OPS_SQL)?;
        let mut op_rows = op_stmt.query(params![
            cursor,
            device.id.to_string(),
            device.worker_id.to_string(),
            team
        ])?;
        let mut next_svc = svc_rows
            .next()?
            .map(|r| service_item(r, regions, cursor, patches))
            .transpose()?;
        let mut next_op = op_rows.next()?.map(op_item).transpose()?;
        let mut bytes = ENVELOPE_BYTES;
        let mut items = 0usize;
        let mut last_seq = cursor;
        loop {
            let take_service = match (&next_svc, &next_op) {
                (None, None) => break,
                (Some(_), None) => true,
                (None, Some(_)) => false,
                (Some(s), Some(o)) => s.seq < o.seq,
            };
            let size = if take_service {
                next_svc.as_ref().map_or(0, |n| n.bytes)
            } else {
                next_op.as_ref().map_or(0, |n| n.bytes)
            };
            if items > 0 && bytes + size > max_bytes {
                page.more = true;
                break;
            }
            let next = if take_service {
                let taken = next_svc.take();
                next_svc = svc_rows
                    .next()?
                    .map(|r| service_item(r, regions, cursor, patches))
                    .transpose()?;
                taken
            } else {
                let taken = next_op.take();
                next_op = op_rows.next()?.map(op_item).transpose()?;
                taken
            };
            let Some(next) = next else { break };
            bytes += size;
            items += 1;
            last_seq = next.seq;
            match next.item {
                Item::Service { doc, version } => page.changes.services.push(ServiceVersion {
                    service: decode_service(&doc)?,
                    version,
                }),
                Item::Patch(p) => page.changes.patches.push(p),
                Item::Removed(id) => page.changes.removed.push(id),
                Item::Op(op) => page.changes.ops.push(op),
            }
        }
        page.cursor = if page.more { last_seq } else { head };
    }
    if page.more {
        page.remaining = remaining(&tx, device, page.cursor, team.as_deref())?;
    }
    tx.commit()?;
    Ok(page)
}

/// Items the next pages hold: the rows the same two queries find after `cursor`.
fn remaining(
    tx: &rusqlite::Transaction<'_>,
    device: &DeviceRecord,
    cursor: i64,
    team: Option<&str>,
) -> Result<u64> {
    let regions = &device.regions;
    let services: i64 = tx
        .prepare_cached(&format!("SELECT count(*) FROM ({SERVICES_SQL})"))?
        .query_row(
            params![cursor, !regions.is_empty(), to_json(regions)?],
            |r| r.get(0),
        )?;
    let ops: i64 = tx
        .prepare_cached(&format!("SELECT count(*) FROM ({OPS_SQL})"))?
        .query_row(
            params![
                cursor,
                device.id.to_string(),
                device.worker_id.to_string(),
                team
            ],
            |r| r.get(0),
        )?;
    Ok((services + ops).unsigned_abs())
}
