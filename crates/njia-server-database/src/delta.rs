//! Field-level deltas of the directory (docs/sync.md, "Patches"): what each backend keeps per
//! service so the feed can send a device only the fields that changed after its cursor, and
//! the one rule deciding between a whole service and a patch.
//!
//! Per service, the backends keep `base_seq`, the sequence value from which a device needs
//! the service whole (its insertion, or its return after a removal), and `field_seqs`, the
//! sequence value of each field's last change since then. A device whose cursor is at or past
//! `base_seq` received every change up to its cursor, so it holds every field except those
//! changed after it: those, and only those, make its patch. No history of versions is kept,
//! and the cost is one small JSON object per service.

use std::collections::BTreeMap;

use njia_model::service::Service;
use njia_model::wire::{ServicePatch, ServiceVersion};
use serde_json::{Map, Value};

/// Field name (as in `Service`'s JSON) to the sequence value of its last change.
pub type FieldSeqs = BTreeMap<String, i64>;

/// The fields whose JSON differs between two versions of a service (a field present in only
/// one of them counts as changed: it was set or cleared).
pub fn changed_fields(old: &Service, new: &Service) -> Vec<String> {
    let (Ok(Value::Object(old)), Ok(Value::Object(new))) =
        (serde_json::to_value(old), serde_json::to_value(new))
    else {
        // A service always serialises to an object; if not, every field counts as changed.
        return vec!["id".into()];
    };
    let mut keys: Vec<&String> = old.keys().chain(new.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter(|k| old.get(*k) != new.get(*k))
        .cloned()
        .collect()
}

/// Records that `old` became `new` at sequence value `seq`.
pub fn record_change(seqs: &mut FieldSeqs, old: &Service, new: &Service, seq: i64) {
    for field in changed_fields(old, new) {
        seqs.insert(field, seq);
    }
}

/// How a changed, visible service goes down the feed to a device at `cursor`.
#[derive(Debug, Clone, PartialEq)]
pub enum FeedService {
    Whole(Box<ServiceVersion>),
    Patch(ServicePatch),
}

/// Whole when the device may not hold the service as it stood at `cursor` — it asked for no
/// patches, has nothing yet, or the service was created, revived or moved country after its
/// cursor (it may have been outside the device's regions) — else a patch of the fields
/// changed after `cursor`.
pub fn feed_service(
    service: Service,
    version: i64,
    base_seq: i64,
    field_seqs: &FieldSeqs,
    cursor: i64,
    patches: bool,
) -> FeedService {
    let moved = field_seqs.get("country").is_some_and(|s| *s > cursor);
    if !patches || cursor <= 0 || base_seq > cursor || moved {
        return FeedService::Whole(Box::new(ServiceVersion { service, version }));
    }
    let doc = match serde_json::to_value(&service) {
        Ok(Value::Object(doc)) => doc,
        _ => return FeedService::Whole(Box::new(ServiceVersion { service, version })),
    };
    let fields: Map<String, Value> = field_seqs
        .iter()
        .filter(|(_, seq)| **seq > cursor)
        .map(|(k, _)| (k.clone(), doc.get(k).cloned().unwrap_or(Value::Null)))
        .collect();
    FeedService::Patch(ServicePatch {
        id: service.id,
        version,
        fields,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clinic() -> Service {
        let mut s = Service::new("a", "Kliniki A", -1.5, 36.25);
        s.phone = Some("+254 700".into());
        s.country = Some("KE".into());
        s
    }

    #[test]
    fn a_patch_holds_only_what_changed_after_the_cursor() {
        let v1 = clinic();
        let mut v2 = v1.clone();
        v2.name = "Kliniki A (renovated)".into();
        let mut v3 = v2.clone();
        v3.phone = None;
        let mut seqs = FieldSeqs::new();
        record_change(&mut seqs, &v1, &v2, 20);
        record_change(&mut seqs, &v2, &v3, 30);
        // Base at 10: a device at 25 saw v2 and needs only the cleared phone.
        let FeedService::Patch(p) = feed_service(v3.clone(), 3, 10, &seqs, 25, true) else {
            panic!("a patch was expected");
        };
        assert_eq!(
            Value::Object(p.fields.clone()),
            serde_json::json!({"phone": null})
        );
        assert_eq!(p.apply_to(&v2).unwrap(), v3);
        // A device at 15 saw v1: name and phone.
        let FeedService::Patch(p) = feed_service(v3.clone(), 3, 10, &seqs, 15, true) else {
            panic!("a patch was expected");
        };
        assert_eq!(p.apply_to(&v1).unwrap(), v3);
    }

    #[test]
    fn a_service_new_to_the_device_comes_whole() {
        let v1 = clinic();
        let mut moved = v1.clone();
        moved.country = Some("SO".into());
        let mut seqs = FieldSeqs::new();
        record_change(&mut seqs, &v1, &moved, 20);
        let whole = |cursor, base, patches| {
            matches!(
                feed_service(moved.clone(), 2, base, &seqs, cursor, patches),
                FeedService::Whole(_)
            )
        };
        assert!(whole(15, 10, true), "moved country after the cursor");
        assert!(whole(5, 10, true), "created after the cursor");
        assert!(whole(0, 0, true), "nothing held yet");
        assert!(whole(25, 10, false), "the device asked for no patches");
    }
}
