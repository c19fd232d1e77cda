//! Search finds names under changes of case, accents and prefixes, split on punctuation.

mod common;

use njia_model::geo::Point;
use njia_model::service::Service;
use njia_store::search::SearchQuery;
use proptest::prelude::*;

fn q(text: &str) -> SearchQuery {
    SearchQuery {
        text: text.into(),
        near: None,
        limit: 20,
    }
}

fn ids(store: &njia_store::Store, query: &SearchQuery) -> Vec<String> {
    store
        .search(query)
        .unwrap()
        .into_iter()
        .map(|h| h.id)
        .collect()
}

fn directory() -> (tempfile::TempDir, njia_store::Store) {
    let (dir, mut store) = common::temp_store();
    let mut services = vec![
        Service::new("sj", "Clínica São José", -25.97, 32.57),
        Service::new("gas", "CDS GASAMANZUKI", -3.36, 29.41),
        Service::new("mary", "St.Mary's/Kakuma Mission Hospital", 3.71, 34.86),
        Service::new("east", "Eastleigh Health Centre", -1.27, 36.85),
        Service::new("east2", "Ubah Pharmacy", -1.28, 36.84),
    ];
    services[3].organization = Some("Nairobi City County".into());
    services[4].address = Some("1st Avenue, Eastleigh".into());
    store.import_services(&services, |_, _| {}).unwrap();
    (dir, store)
}

#[test]
fn accents_and_case_do_not_matter() {
    let (_d, store) = directory();
    assert_eq!(ids(&store, &q("sao jose")), vec!["sj"]);
    assert_eq!(ids(&store, &q("SÃO JOSÉ")), vec!["sj"]);
    assert_eq!(ids(&store, &q("clinica")), vec!["sj"]);
}

#[test]
fn every_word_is_a_prefix() {
    let (_d, store) = directory();
    assert_eq!(ids(&store, &q("gasaman")), vec!["gas"]);
    assert_eq!(ids(&store, &q("kak miss")), vec!["mary"]);
}

#[test]
fn words_split_on_punctuation() {
    let (_d, store) = directory();
    assert_eq!(ids(&store, &q("mary")), vec!["mary"]);
    assert_eq!(ids(&store, &q("st. mary's")), vec!["mary"]);
    assert_eq!(ids(&store, &q("kakuma/mission")), vec!["mary"]);
}

#[test]
fn names_rank_above_addresses_and_distance_ranks_when_asked() {
    let (_d, store) = directory();
    assert_eq!(ids(&store, &q("eastleigh")), vec!["east", "east2"]);
    assert_eq!(ids(&store, &q("nairobi")), vec!["east"]);
    let near = SearchQuery {
        text: "eastleigh".into(),
        near: Some(Point::new(-1.2801, 36.8401).unwrap()),
        limit: 20,
    };
    let hits = store.search(&near).unwrap();
    assert_eq!(hits[0].id, "east2");
    assert!(hits[0].distance_m.unwrap() < 50.0);
}

#[test]
fn empty_or_symbol_only_text_is_refused_in_words() {
    let (_d, store) = directory();
    let err = store.search(&q(" *** ")).unwrap_err().to_string();
    assert!(err.contains("no letters or digits"), "{err}");
    assert!(ids(&store, &q("\"unbalanced OR NEAR(")).is_empty());
}

fn fold(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            'á' | 'à' | 'ã' | 'â' => 'a',
            'é' | 'ê' => 'e',
            'í' => 'i',
            'ó' | 'õ' | 'ô' => 'o',
            'ú' => 'u',
            'ç' => 'c',
            other => other,
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 16, ..ProptestConfig::default() })]

    /// A name is found by any of its words, folded, in any case, cut to any prefix.
    #[test]
    fn inserted_names_are_found_by_folded_prefixes(
        words in proptest::collection::vec("[a-zçáãéíóõú]{3,10}", 1..4),
        pick in any::<prop::sample::Index>(),
        cut in 1usize..10,
        upper in any::<bool>(),
    ) {
        let (_d, mut store) = common::temp_store();
        let name = words.join(" ");
        let mut services = vec![Service::new("target", name.clone(), 0.0, 0.0)];
        // Other services no prefix of a generated word can match (digits only): with 20 of
        // them matching, the limit of 20 could leave the target out.
        for i in 0..20 {
            services.push(Service::new(format!("other{i}"), format!("{i}00 {i}11"), 1.0, 1.0));
        }
        store.import_services(&services, |_, _| {}).unwrap();
        let word = fold(pick.get::<String>(&words));
        let prefix: String = word.chars().take(cut).collect();
        let typed = if upper { prefix.to_uppercase() } else { prefix };
        prop_assert!(ids(&store, &q(&typed)).contains(&"target".to_string()), "{typed:?} in {name:?}");
    }
}

/// With many matches the nearest are found by walking the R*Tree; with few, by reading each
/// match's position. Both must give what a brute force gives.
#[test]
fn search_near_a_point_equals_a_brute_force_with_many_or_few_matches() {
    let (_d, mut store) = common::temp_store();
    let mut services = Vec::new();
    for i in 0..3_000u32 {
        // A deterministic scatter over a wide area, some of it across the antimeridian.
        let lat = ((i * 7919) % 1_000) as f64 / 10.0 - 50.0;
        let lon = ((i * 104_729) % 3_600) as f64 / 10.0 - 180.0;
        let name = if i % 97 == 0 {
            format!("Rare Kliniki {i}")
        } else {
            format!("Health Post {i}")
        };
        services.push(Service::new(format!("h{i}"), name, lat, lon));
    }
    store.import_services(&services, |_, _| {}).unwrap();
    for (text, lat, lon) in [
        ("health", -1.28, 36.82),
        ("rare", -1.28, 36.82),
        ("health post", 10.0, 179.95),
        ("kliniki", -49.0, -179.0),
    ] {
        let p = Point::new(lat, lon).unwrap();
        let got: Vec<String> = store
            .search(&SearchQuery {
                text: text.into(),
                near: Some(p),
                limit: 20,
            })
            .unwrap()
            .into_iter()
            .map(|h| h.id)
            .collect();
        let first_word = text.split(' ').next().unwrap();
        let mut want: Vec<(f64, usize)> = services
            .iter()
            .enumerate()
            .filter(|(_, s)| s.name.to_lowercase().contains(first_word))
            .map(|(i, s)| {
                (
                    njia_model::geo::distance_m(p, Point::new(s.lat, s.lon).unwrap()),
                    i,
                )
            })
            .collect();
        want.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        let want: Vec<String> = want
            .iter()
            .take(20)
            .map(|(_, i)| services[*i].id.clone())
            .collect();
        assert_eq!(got, want, "{text} near {lat},{lon}");
    }
}
