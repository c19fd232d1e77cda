//! Two connections to one store file, as the app's background sync and `njia sync` hold:
//! each writes what the other added since it opened, and neither reads a stale copy of it.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use njia_model::geo::Point;
use njia_model::outreach::SessionInput;
use njia_model::service::Service;
use njia_model::wire::{Changes, ServiceVersion};
use njia_store::near::NearQuery;
use njia_store::Store;
use serde_json::json;

/// A distinct three-letter code per number: `qaa`, `qab`, … (ISO 639's private-use range).
fn language(n: usize) -> String {
    let letter = |i: usize| char::from(b'a' + (i % 26) as u8);
    format!("q{}{}", letter(n / 26), letter(n))
}

fn service(id: &str, languages: &[String]) -> Service {
    let mut s = Service::new(id, format!("Clinic {id}"), -1.2741, 36.8516);
    s.languages = languages.to_vec();
    s
}

fn speaking(store: &Store, code: &str) -> BTreeSet<String> {
    let mut q = NearQuery::new(Point::new(-1.2741, 36.8516).unwrap());
    q.limit = 10_000;
    q.filter.languages = vec![code.to_string()];
    store
        .near(&q)
        .unwrap_or_else(|e| panic!("near --language {code}: {e}"))
        .into_iter()
        .map(|h| h.id)
        .collect()
}

fn session() -> SessionInput {
    SessionInput::from_json(
        &json!({"started_at": "2026-11-20T09:30:00+03:00", "place": "Eastleigh market",
                "lat": -1.2741, "lon": 36.8516, "activity": "health_talk",
                "reached": [{"sex": "female", "age": "18-49", "group": "migrant", "count": 3}],
                "status": "final"})
        .to_string(),
    )
    .unwrap()
}

/// Connection A imports, connection B applies sync pages, turn by turn, each bringing new
/// languages (80 in all, past the 62 bits of the mask) and a language the other added just
/// before; each also records a session. Every language then finds exactly its services from
/// either connection and from a fresh one, and the log counts 1, 2, 3… with no gap.
#[test]
fn two_connections_add_languages_and_log_operations_in_turn() {
    let (dir, mut a) = common::temp_store();
    let path = dir.path().join("njia.db");
    let mut b = Store::open(&path, common::PASSPHRASE).unwrap();
    let mut expected: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let rounds = 40;
    for i in 0..rounds {
        let mut langs_a = vec![language(2 * i)];
        if i > 0 {
            langs_a.push(language(2 * i - 1));
        }
        let id_a = format!("a{i}");
        a.import_services(&[service(&id_a, &langs_a)], |_, _| {})
            .unwrap_or_else(|e| panic!("round {i}: connection A's import: {e}"));
        a.add_session(session()).unwrap();
        let langs_b = vec![language(2 * i + 1), language(2 * i)];
        let id_b = format!("b{i}");
        let changes = Changes {
            services: vec![ServiceVersion {
                service: service(&id_b, &langs_b),
                version: 1,
            }],
            ..Changes::default()
        };
        b.apply_sync_page(&common::page(0, i as i64 + 1, changes, false))
            .unwrap_or_else(|e| panic!("round {i}: connection B's sync page: {e}"));
        b.add_session(session()).unwrap();
        for (id, langs) in [(&id_a, &langs_a), (&id_b, &langs_b)] {
            for l in langs {
                expected.entry(l.clone()).or_default().insert(id.clone());
            }
        }
    }
    assert_eq!(expected.len(), 2 * rounds);
    let fresh = Store::open(&path, common::PASSPHRASE).unwrap();
    for (code, ids) in &expected {
        for (name, store) in [("A", &a), ("B", &b), ("a fresh connection", &fresh)] {
            assert_eq!(
                &speaking(store, code),
                ids,
                "services speaking {code}, read by {name}"
            );
        }
    }
    let ops = fresh.operations_after(0, 1_000).unwrap();
    let idx: Vec<i64> = ops.iter().map(|o| o.idx).collect();
    assert_eq!(idx, (1..=2 * rounds as i64).collect::<Vec<_>>());
}

/// Two syncs sent the same cursor; the one whose answer is newer applied first. The older
/// answer must not put back an older copy of a service or move the cursor back: only its
/// acknowledgement is taken.
#[test]
fn an_answer_to_an_older_cursor_only_acknowledges() {
    let (dir, mut a) = common::temp_store();
    let mut b = Store::open(&dir.path().join("njia.db"), common::PASSPHRASE).unwrap();
    a.add_session(session()).unwrap();
    let with = |name: &str, version| Changes {
        services: vec![ServiceVersion {
            service: Service::new("svc", name, -1.2741, 36.8516),
            version,
        }],
        ..Changes::default()
    };
    let newer = b
        .apply_sync_answer(0, None, &common::page(0, 9, with("Renamed", 2), false))
        .unwrap();
    assert!(!newer.stale);
    let older = a
        .apply_sync_answer(0, None, &common::page(1, 4, with("Old name", 1), false))
        .unwrap();
    assert!(older.stale, "the cursor moved under this answer");
    assert_eq!(older.ops_acked, 1);
    assert_eq!(older.services_upserted, 0);
    assert_eq!(a.service("svc").unwrap().unwrap().name, "Renamed");
    assert_eq!(a.service_version("svc").unwrap(), Some(2));
    assert_eq!(a.sync_cursor().unwrap(), 9);
    assert_eq!(a.op_log_status().unwrap().pending, 0);
}
