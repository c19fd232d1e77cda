//! Operations: the unit of change of outreach records, and the merge rule that makes every
//! replica that has applied the same operations hold the same record.
//!
//! A record is a JSON object of fields plus, per field, the HLC stamp of its last write. An
//! operation carries a patch (some fields) and a stamp; a field takes the patch's value only
//! when the patch is newer than that field's last write (last writer wins, field by field),
//! so a supervisor's fix of `notes` and a CHW's fix of `reached` made offline both survive.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::hlc::Hlc;

/// What an operation does; also what the audit trail shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum OpKind {
    #[serde(rename = "session.create")]
    SessionCreate,
    #[serde(rename = "session.update")]
    SessionUpdate,
    #[serde(rename = "session.void")]
    SessionVoid,
    #[serde(rename = "referral.create")]
    ReferralCreate,
    #[serde(rename = "referral.update")]
    ReferralUpdate,
}

impl OpKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SessionCreate => "session.create",
            Self::SessionUpdate => "session.update",
            Self::SessionVoid => "session.void",
            Self::ReferralCreate => "referral.create",
            Self::ReferralUpdate => "referral.update",
        }
    }

    /// Whether the operation concerns a session (else a referral).
    pub fn is_session(self) -> bool {
        matches!(
            self,
            Self::SessionCreate | Self::SessionUpdate | Self::SessionVoid
        )
    }
}

impl std::str::FromStr for OpKind {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        serde_json::from_value(Value::String(s.to_string()))
            .map_err(|_| format!("\"{s}\" is not an operation kind"))
    }
}

/// One entry of a device's operation log, as stored and as sent to the server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Operation {
    pub device_id: Uuid,
    /// Position in the device's log: 1, 2, 3… with no gaps.
    pub idx: i64,
    /// Globally unique id of this operation.
    pub op_id: Uuid,
    pub hlc: Hlc,
    pub kind: OpKind,
    pub entity_id: Uuid,
    pub payload: Map<String, Value>,
    /// The device's feed cursor when it wrote the operation: the operations of others it
    /// had received. The server lists a value replaced without having been seen as a
    /// conflict. Absent from operations the server sends, and from older clients.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seen: Option<i64>,
}

/// Applies a patch written at `stamp` to a record, field by field, and returns the fields
/// whose value changed. Replaying an operation, or applying operations in another order,
/// gives the same record.
pub fn apply_patch(
    doc: &mut Map<String, Value>,
    clocks: &mut Map<String, Value>,
    patch: &Map<String, Value>,
    stamp: &Hlc,
) -> Vec<String> {
    let stamp_text = stamp.to_string();
    let mut changed = Vec::new();
    for (field, value) in patch {
        let newer = match clocks.get(field).and_then(Value::as_str) {
            Some(last) => stamp_text.as_str() > last,
            None => true,
        };
        if !newer {
            continue;
        }
        clocks.insert(field.clone(), Value::String(stamp_text.clone()));
        if doc.get(field) != Some(value) {
            doc.insert(field.clone(), value.clone());
            changed.push(field.clone());
        }
    }
    changed
}

/// The fields of `new` that differ from `old`: what an edit has to write.
pub fn diff(old: &Map<String, Value>, new: &Map<String, Value>) -> Map<String, Value> {
    new.iter()
        .filter(|(k, v)| old.get(*k).unwrap_or(&Value::Null) != *v)
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    fn stamp(wall: u64, node: u128) -> Hlc {
        Hlc {
            wall_ms: wall,
            counter: 0,
            node: Uuid::from_u128(node),
        }
    }

    fn obj(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap()
    }

    #[test]
    fn concurrent_edits_of_different_fields_both_survive() {
        let mut doc = obj(json!({"notes": "", "place": "Market"}));
        let mut clocks = Map::new();
        let initial = doc.clone();
        apply_patch(&mut doc, &mut clocks, &initial, &stamp(1, 1));
        apply_patch(
            &mut doc,
            &mut clocks,
            &obj(json!({"notes": "supervisor"})),
            &stamp(5, 2),
        );
        apply_patch(
            &mut doc,
            &mut clocks,
            &obj(json!({"place": "Bus park", "notes": "old"})),
            &stamp(3, 1),
        );
        assert_eq!(doc["notes"], "supervisor");
        assert_eq!(doc["place"], "Bus park");
    }

    #[test]
    fn diff_lists_only_changed_fields() {
        let old = obj(json!({"a": 1, "b": "x"}));
        let new = obj(json!({"a": 1, "b": "y", "c": null}));
        assert_eq!(diff(&old, &new), obj(json!({"b": "y"})));
    }

    proptest! {
        /// Any order of the same operations, with replays, gives the same record.
        #[test]
        fn order_and_replay_do_not_matter(
            ops in proptest::collection::vec((0u64..20, 0u128..3, 0usize..3, 0i64..5), 1..12),
            seed in any::<u64>(),
        ) {
            let fields = ["a", "b", "c"];
            let ops: Vec<(Map<String, Value>, Hlc)> = ops
                .into_iter()
                .enumerate()
                .map(|(i, (w, n, f, v))| {
                    let mut m = Map::new();
                    m.insert(fields[f].into(), json!(v));
                    (m, Hlc { wall_ms: w, counter: i as u32, node: Uuid::from_u128(n) })
                })
                .collect();
            let run = |order: &[usize]| {
                let mut doc = Map::new();
                let mut clocks = Map::new();
                for &i in order {
                    apply_patch(&mut doc, &mut clocks, &ops[i].0, &ops[i].1);
                }
                doc
            };
            let forward: Vec<usize> = (0..ops.len()).collect();
            let mut shuffled: Vec<usize> = forward.iter().chain(forward.iter()).copied().collect();
            let mut s = seed;
            for i in (1..shuffled.len()).rev() {
                s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                shuffled.swap(i, (s >> 33) as usize % (i + 1));
            }
            prop_assert_eq!(run(&forward), run(&shuffled));
        }
    }
}
