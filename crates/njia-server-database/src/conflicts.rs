//! Conflicts: values that lost to a write made without seeing them (DESIGN §3: "nothing is
//! silently dropped"). Records merge field by field, last writer by HLC wins; this finds,
//! for every field, the values other devices last wrote that the kept value replaced
//! although its author had not received them.
//!
//! Whether an author had seen a value is known from the feed: devices exchange operations
//! only through the server, and each pushed operation carries the feed cursor its device
//! had ([`StoredOperation::seen_seq`]); the office sees everything stored. A later value from
//! someone who had seen the earlier one is a correction, not a conflict, and is not listed.

use std::collections::{BTreeMap, HashMap};

use njia_model::hlc::Hlc;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use crate::{OutreachRecord, RecordKind, StoredOperation};

/// One write of a field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldWrite {
    pub value: Value,
    pub device_id: Uuid,
    pub op_id: Uuid,
    pub hlc: Hlc,
    /// Its place in the server's sequence (when it reached the server).
    pub seq: i64,
}

/// A value that lost: `lost` was replaced by `kept`, whose author had not seen it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Conflict {
    pub record_id: Uuid,
    pub record_kind: RecordKind,
    /// The record's owner.
    pub worker: String,
    pub field: String,
    pub kept: FieldWrite,
    pub lost: FieldWrite,
}

struct Write<'a> {
    op: &'a StoredOperation,
    value: &'a Value,
}

impl Write<'_> {
    fn to_field_write(&self) -> FieldWrite {
        FieldWrite {
            value: self.value.clone(),
            device_id: self.op.op.device_id,
            op_id: self.op.op.op_id,
            hlc: self.op.op.hlc,
            seq: self.op.seq,
        }
    }
}

/// The conflicts among `ops` (applied ones; the others never merged), for the records in
/// `records`, ordered by record and field.
pub fn find(records: &[OutreachRecord], ops: &[StoredOperation]) -> Vec<Conflict> {
    let by_id: HashMap<Uuid, &OutreachRecord> = records.iter().map(|r| (r.id, r)).collect();
    let mut writes: BTreeMap<(Uuid, &str), Vec<Write<'_>>> = BTreeMap::new();
    for op in ops.iter().filter(|o| o.applied) {
        for (field, value) in &op.op.payload {
            writes
                .entry((op.op.entity_id, field.as_str()))
                .or_default()
                .push(Write { op, value });
        }
    }
    let mut out = Vec::new();
    for ((record_id, field), ws) in writes {
        let Some(record) = by_id.get(&record_id) else {
            continue;
        };
        let Some(kept) = ws.iter().max_by_key(|w| w.op.op.hlc) else {
            continue;
        };
        // Each other device's last word on the field.
        let mut last: BTreeMap<Uuid, &Write<'_>> = BTreeMap::new();
        for w in ws
            .iter()
            .filter(|w| w.op.op.device_id != kept.op.op.device_id)
        {
            let slot = last.entry(w.op.op.device_id).or_insert(w);
            if w.op.op.hlc > slot.op.op.hlc {
                *slot = w;
            }
        }
        for lost in last.into_values() {
            let seen = lost.op.seq <= kept.op.seen_seq;
            if lost.value != kept.value && !seen {
                out.push(Conflict {
                    record_id,
                    record_kind: record.kind,
                    worker: record.worker.clone(),
                    field: field.to_string(),
                    kept: kept.to_field_write(),
                    lost: lost.to_field_write(),
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;
    use njia_model::ops::{OpKind, Operation};
    use serde_json::json;

    fn op(device: u128, wall: u64, seq: i64, seen: i64, payload: Value) -> StoredOperation {
        StoredOperation {
            op: Operation {
                device_id: Uuid::from_u128(device),
                idx: seq,
                op_id: Uuid::from_u128(1000 + seq as u128),
                hlc: Hlc {
                    wall_ms: wall,
                    counter: 0,
                    node: Uuid::from_u128(device),
                },
                kind: OpKind::SessionUpdate,
                entity_id: Uuid::from_u128(7),
                payload: payload.as_object().cloned().unwrap(),
                seen: None,
            },
            seq,
            seen_seq: seen,
            applied: true,
            refusal: None,
            received_at: Utc::now(),
        }
    }

    fn record() -> OutreachRecord {
        OutreachRecord {
            id: Uuid::from_u128(7),
            kind: RecordKind::Session,
            device_id: Uuid::from_u128(1),
            worker_id: Uuid::from_u128(2),
            worker: "Amina".into(),
            team: None,
            version: 1,
            fields: serde_json::Map::new(),
            updated_at: Utc::now(),
        }
    }

    #[test]
    fn a_value_replaced_unseen_is_a_conflict_and_a_correction_is_not() {
        let create = op(1, 10, 1, 0, json!({"notes": "", "place": "Market"}));
        // The supervisor saw the create (seen 1) and corrected the place: no conflict.
        let fix = op(2, 20, 2, 1, json!({"place": "Bus park"}));
        // The CHW, offline since the create (seen 0), changed the place again later.
        let offline = op(1, 30, 3, 0, json!({"place": "Mosque", "notes": "moved"}));
        let found = find(&[record()], &[create.clone(), fix.clone()]);
        assert!(found.is_empty(), "{found:?}");
        let found = find(&[record()], &[create, fix, offline]);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].field, "place");
        assert_eq!(found[0].kept.value, json!("Mosque"));
        assert_eq!(found[0].lost.value, json!("Bus park"));
        assert_eq!(found[0].lost.device_id, Uuid::from_u128(2));
    }

    #[test]
    fn an_older_value_arriving_late_is_listed_as_lost() {
        let create = op(1, 10, 1, 0, json!({"notes": ""}));
        let office = op(9, 50, 2, 1, json!({"notes": "office"}));
        // Written at 40, before the office's edit, pushed after it.
        let late = op(1, 40, 3, 1, json!({"notes": "chw"}));
        let found = find(&[record()], &[create, office, late]);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(
            (found[0].kept.value.clone(), found[0].lost.value.clone()),
            (json!("office"), json!("chw"))
        );
    }
}
