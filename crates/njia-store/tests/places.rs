//! The directory's places on real store files: found by what a CHW types (accents, case, word
//! starts), ranked, and never outliving the directory they came from — after an import,
//! after a sync page that removes services, after another connection's change.

mod common;

use common::page;

use njia_model::service::Service;
use njia_model::wire::{Changes, ServiceVersion};
use njia_store::places::Place;
use njia_store::{Store, StoreError};

fn at(id: &str, address: &str, lat: f64, lon: f64) -> Service {
    let mut s = Service::new(id, format!("Clinic {id}"), lat, lon);
    s.categories = vec!["primary_care".into()];
    s.address = Some(address.into());
    s.country = Some("KE".into());
    s
}

/// Eastleigh's services in Nairobi, Kibera's, and two in a Mozambican bairro with accents.
fn directory() -> Vec<Service> {
    vec![
        at("e1", "Juja Road, Eastleigh North, Nairobi", -1.270, 36.850),
        at(
            "e2",
            "First Avenue, Eastleigh North, Nairobi",
            -1.272,
            36.852,
        ),
        at(
            "e3",
            "Second Avenue, Eastleigh North, Nairobi",
            -1.274,
            36.848,
        ),
        at("k1", "Olympic, Kibera, Nairobi", -1.312, 36.785),
        at("k2", "Laini Saba, Kibera, Nairobi", -1.315, 36.790),
        at("j1", "Rua 5, São José, Maputo", -25.950, 32.570),
        at("j2", "Rua 9, São José, Maputo", -25.952, 32.574),
    ]
}

fn names(places: &[Place]) -> Vec<(&str, Option<&str>, u32)> {
    places
        .iter()
        .map(|p| (p.name.as_str(), p.context.as_deref(), p.services))
        .collect()
}

#[test]
fn places_are_found_by_word_starts_ignoring_case_and_accents() {
    let (_dir, mut store) = common::temp_store();
    store.import_services(&directory(), |_, _| {}).unwrap();

    let jose = store.places("sao jo", 5).unwrap();
    assert_eq!(names(&jose), vec![("São José", Some("Maputo"), 2)]);
    assert_eq!(names(&store.places("JOSÉ", 5).unwrap()), names(&jose));
    // Between the two services.
    assert!((jose[0].lat - -25.951).abs() < 1e-9, "{jose:?}");
    assert!((jose[0].lon - 32.572).abs() < 1e-9, "{jose:?}");

    let east = store.places("eastl", 5).unwrap();
    assert_eq!(names(&east), vec![("Eastleigh North", Some("Nairobi"), 3)]);
    // Word starts only: the middle of a word is no match.
    assert!(store.places("leigh", 5).unwrap().is_empty());
    assert!(store.places("north", 5).unwrap().len() == 1);
    // A street that only comes first is no place.
    assert!(store.places("juja", 5).unwrap().is_empty());
}

#[test]
fn the_whole_name_ranks_before_its_start_and_more_services_break_ties() {
    let (_dir, mut store) = common::temp_store();
    let mut services = directory();
    services.extend([
        at("n1", "Plot 1, Kibera Nyayo, Nairobi", -1.318, 36.780),
        at("n2", "Plot 2, Kibera Nyayo, Nairobi", -1.318, 36.781),
        at("n3", "Plot 3, Kibera Nyayo, Nairobi", -1.319, 36.781),
        at("o1", "Plot 4, Old Kibera, Nairobi", -1.309, 36.786),
        at("o2", "Plot 5, Old Kibera, Nairobi", -1.309, 36.787),
        at("o3", "Plot 6, Old Kibera, Nairobi", -1.308, 36.786),
        at("o4", "Plot 7, Old Kibera, Nairobi", -1.308, 36.787),
    ]);
    store.import_services(&services, |_, _| {}).unwrap();
    let found = store.places("kibera", 10).unwrap();
    assert_eq!(
        names(&found),
        vec![
            ("Kibera", Some("Nairobi"), 2),
            ("Kibera Nyayo", Some("Nairobi"), 3),
            ("Old Kibera", Some("Nairobi"), 4),
        ]
    );
    // Among names that start with what was typed, more services first; a word's start after.
    assert_eq!(
        names(&store.places("kib", 10).unwrap()),
        vec![
            ("Kibera Nyayo", Some("Nairobi"), 3),
            ("Kibera", Some("Nairobi"), 2),
            ("Old Kibera", Some("Nairobi"), 4),
        ]
    );
    assert_eq!(store.places("kibera", 2).unwrap().len(), 2);
    assert!(store.places("kibera", 0).unwrap().is_empty());

    // No query: all of them, most services first.
    let all = store.places("", 100).unwrap();
    assert_eq!(all[0].name, "Nairobi");
    assert!(all.windows(2).all(|w| w[0].services >= w[1].services));
}

#[test]
fn a_query_without_letters_or_digits_is_refused_in_words() {
    let (_dir, store) = common::temp_store();
    let err = store.places(" -- ", 5).unwrap_err();
    assert!(matches!(err, StoreError::Invalid(_)), "{err:?}");
    assert!(err.to_string().contains("no letters or digits"), "{err}");
}

#[test]
fn an_import_that_moves_services_leaves_no_place_behind() {
    let (_dir, mut store) = common::temp_store();
    store.import_services(&directory(), |_, _| {}).unwrap();
    assert_eq!(store.places("kibera", 5).unwrap().len(), 1);
    // The import rebuilt them already: nothing left to do.
    assert_eq!(store.refresh_places().unwrap(), None);

    // The same services, now in Kawangware.
    let moved: Vec<Service> = directory()
        .into_iter()
        .map(|mut s| {
            if s.id.starts_with('k') {
                s.address = Some(s.address.unwrap().replace("Kibera", "Kawangware"));
            }
            s
        })
        .collect();
    store.import_services(&moved, |_, _| {}).unwrap();
    assert!(store.places("kibera", 5).unwrap().is_empty());
    assert_eq!(
        names(&store.places("kawangware", 5).unwrap()),
        vec![("Kawangware", Some("Nairobi"), 2)]
    );
    // An unchanged import does not even mark them stale.
    store.import_services(&moved, |_, _| {}).unwrap();
    assert_eq!(store.refresh_places().unwrap(), None);
}

#[test]
fn a_sync_page_that_removes_services_takes_their_place_away() {
    let (_dir, mut store) = common::temp_store();
    let services = directory()
        .into_iter()
        .map(|service| ServiceVersion {
            service,
            version: 1,
        })
        .collect();
    let first = Changes {
        services,
        ..Changes::default()
    };
    store.apply_sync_page(&page(0, 10, first, false)).unwrap();
    // The round's last page rebuilt them in its own transaction.
    assert_eq!(store.refresh_places().unwrap(), None);
    assert_eq!(store.places("kibera", 5).unwrap().len(), 1);

    // A page in the middle of a round removes one of Kibera's two services: the places are
    // marked stale with it, and the next read rebuilds them.
    let removal = Changes {
        removed: vec!["k1".into()],
        ..Changes::default()
    };
    store.apply_sync_page(&page(0, 11, removal, true)).unwrap();
    assert!(store.places("kibera", 5).unwrap().is_empty());
    assert_eq!(store.refresh_places().unwrap(), None);

    // A change that leaves addresses and positions alone does not mark them stale.
    let mut renamed = directory().remove(0);
    renamed.name = "Eastleigh Clinic, renamed".into();
    let rename = Changes {
        services: vec![ServiceVersion {
            service: renamed,
            version: 2,
        }],
        ..Changes::default()
    };
    store.apply_sync_page(&page(0, 12, rename, true)).unwrap();
    assert_eq!(store.refresh_places().unwrap(), None);

    // Moving one is a change of the places.
    let mut moved = directory().remove(1);
    moved.lat = -1.300;
    let mv = Changes {
        services: vec![ServiceVersion {
            service: moved,
            version: 2,
        }],
        ..Changes::default()
    };
    store.apply_sync_page(&page(0, 13, mv, true)).unwrap();
    assert!(store.refresh_places().unwrap().is_some());
}

#[test]
fn another_connections_change_is_seen_on_the_next_read() {
    let (dir, mut writer) = common::temp_store();
    let reader = Store::open(&dir.path().join("njia.db"), common::PASSPHRASE).unwrap();
    assert!(reader.places("", 10).unwrap().is_empty());
    writer.import_services(&directory(), |_, _| {}).unwrap();
    assert_eq!(reader.places("eastleigh", 5).unwrap().len(), 1);
}

#[test]
fn a_demo_directory_gives_its_neighbourhoods_and_camps_near_their_town() {
    let (_dir, mut store) = common::temp_store();
    let services: Vec<Service> = njia_demo::services(3_000, 1).collect();
    store.import_services(&services, |_, _| {}).unwrap();
    let all = store.places("", 10_000).unwrap();
    assert!(all.len() > 20, "{} places", all.len());
    let nairobi = store.places("nairobi", 1).unwrap();
    assert_eq!(nairobi[0].name, "Nairobi");
    assert!(
        (nairobi[0].lat - -1.286).abs() < 0.1 && (nairobi[0].lon - 36.817).abs() < 0.1,
        "{nairobi:?}"
    );
    for p in &all {
        assert!(p.services >= 2, "{p:?}");
    }
    // Street names of the generator come first in addresses: none is a place.
    for street in ["Moi Avenue", "Kenyatta Avenue", "Hospital Road"] {
        assert!(
            all.iter().all(|p| p.name != street),
            "{street} became a place"
        );
    }
}
