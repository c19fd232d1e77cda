//! The demo directory as the README demo, the benchmarks and the screenshots use it: same
//! seed, same rows; every row valid; services where people are, speaking their languages.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::OnceLock;
use std::time::Instant;

use njia_demo::{nearest_place, places, services, PlaceKind, OPENING_HOURS, SOURCE};
use njia_model::geo::{distance_m, Point};
use njia_model::service::Service;
use njia_model::taxonomy::parse_language;

/// The benchmark-sized directory, made once for the tests that need all of it.
fn hundred_k() -> &'static [Service] {
    static ALL: OnceLock<Vec<Service>> = OnceLock::new();
    ALL.get_or_init(|| services(100_000, 1).collect())
}

fn json(services: &[Service]) -> String {
    serde_json::to_string(services).unwrap()
}

#[test]
fn the_same_seed_gives_the_same_directory_byte_for_byte() {
    let a: Vec<Service> = services(5_000, 42).collect();
    let b: Vec<Service> = services(5_000, 42).collect();
    assert_eq!(json(&a), json(&b));

    let other: Vec<Service> = services(5_000, 43).collect();
    let same_id = a.iter().zip(&other).filter(|(x, y)| x.id == y.id).count();
    let same_spot = a
        .iter()
        .zip(&other)
        .filter(|(x, y)| (x.lat, x.lon) == (y.lat, y.lon))
        .count();
    assert_eq!(same_id, 0, "another seed must give other ids");
    assert_eq!(same_spot, 0, "another seed must give another directory");
}

#[test]
fn ids_stay_the_same_across_releases_so_reimports_update() {
    // Ids come from (seed, index) alone. Changing these breaks every directory that imported
    // demo data before: the next import would duplicate instead of update.
    let ids: Vec<String> = services(3, 1).map(|s| s.id).collect();
    assert_eq!(
        ids,
        [
            "b1ea6bd8-6503-42dc-a553-583617e08e42",
            "e7550689-a637-47c8-b36e-4cb1710336f3",
            "367ed5e7-5796-49d9-a474-65b2081ba84e",
        ]
    );
}

#[test]
fn a_short_demo_is_the_start_of_the_benchmark_directory() {
    let short: Vec<Service> = services(1_000, 1).collect();
    assert_eq!(json(&short), json(&hundred_k()[..1_000]));
    assert_eq!(
        services(1_000, 1).len(),
        1_000,
        "the iterator knows its length"
    );
}

#[test]
fn every_service_is_already_normalized() {
    for s in services(20_000, 7) {
        let normalized = s
            .clone()
            .normalize()
            .unwrap_or_else(|e| panic!("{} is invalid: {e}", s.name));
        assert_eq!(normalized, s, "normalize() changed {}", s.name);
        assert!(
            !s.categories.is_empty() && !s.languages.is_empty(),
            "{}",
            s.name
        );
        assert_eq!(s.source.as_deref(), Some(SOURCE));
        assert!(s.country.is_some() && s.timezone.is_some() && s.address.is_some());
        assert_eq!(
            s.fees.is_some(),
            !s.free_of_charge,
            "fees in words exactly when not free: {}",
            s.name
        );
        assert_eq!(
            s.documents.is_some(),
            !s.no_documents_required,
            "{}",
            s.name
        );
        for v in [s.lat, s.lon] {
            assert_eq!((v * 1e6).round() / 1e6, v, "coordinates have six decimals");
        }
    }
}

#[test]
fn ids_and_names_are_unique_over_100k_services() {
    let mut ids = HashSet::new();
    let mut names = HashSet::new();
    for s in hundred_k() {
        let id = uuid::Uuid::parse_str(&s.id).expect("ids are UUIDs");
        assert!(ids.insert(id), "duplicate id {id}");
        assert!(names.insert(s.name.as_str()), "duplicate name {}", s.name);
    }
}

#[test]
fn a_branch_is_where_its_name_says() {
    // "Baraka Pharmacy – Moi Avenue, Kibera" is on Moi Avenue in Kibera.
    let branches: Vec<&Service> = hundred_k()
        .iter()
        .filter(|s| s.name.contains(" – "))
        .collect();
    assert!(branches.len() > 10_000);
    for s in branches {
        let label = s.name.rsplit(" – ").next().unwrap();
        let address = s.address.as_deref().unwrap();
        for part in label.split(", ") {
            assert!(address.contains(part), "{} is at {address}", s.name);
        }
    }
}

#[test]
fn services_cluster_around_real_places_in_every_country() {
    let all = hundred_k();
    let near = all
        .iter()
        .filter(|s| {
            let p = nearest_place(s.lat, s.lon).unwrap();
            distance_m(
                Point {
                    lat: s.lat,
                    lon: s.lon,
                },
                Point {
                    lat: p.lat,
                    lon: p.lon,
                },
            ) <= 50_000.0
        })
        .count();
    assert!(
        near as f64 >= 0.99 * all.len() as f64,
        "{near} of 100,000 within 50 km of a place"
    );

    let countries: BTreeSet<&str> = all.iter().filter_map(|s| s.country.as_deref()).collect();
    let gazetteer: BTreeSet<&str> = places().iter().map(|p| p.country).collect();
    assert_eq!(countries, gazetteer);
    assert_eq!(gazetteer.len(), 20);

    // Cities get more services than towns, and towns more than border posts.
    let in_country = |cc: &str| {
        all.iter()
            .filter(|s| s.country.as_deref() == Some(cc))
            .count()
    };
    assert!(in_country("KE") > 5 * in_country("DJ"));
    let around = |name: &str| {
        let p = places().iter().find(|p| p.name == name).unwrap();
        all.iter()
            .filter(|s| {
                distance_m(
                    Point {
                        lat: s.lat,
                        lon: s.lon,
                    },
                    Point {
                        lat: p.lat,
                        lon: p.lon,
                    },
                ) < 10_000.0
            })
            .count()
    };
    assert!(
        around("Nairobi") > 10 * around("Taveta"),
        "Nairobi {} Taveta {}",
        around("Nairobi"),
        around("Taveta")
    );
}

#[test]
fn services_stay_in_their_own_country_and_time_zone() {
    let finder = tzf_rs::DefaultFinder::new();
    for p in places() {
        assert_eq!(
            finder.get_tz_name(p.lon, p.lat),
            p.timezone,
            "{} ({}) is not where its zone says",
            p.name,
            p.country
        );
    }
    // Border posts sit within metres of the line; a few may spill over by the map's
    // precision, no more.
    let all = hundred_k();
    let astray: Vec<&Service> = all
        .iter()
        .filter(|s| finder.get_tz_name(s.lon, s.lat) != s.timezone.as_deref().unwrap())
        .collect();
    assert!(
        astray.len() <= 50,
        "{} services outside their country's zone, e.g. {:?}",
        astray.len(),
        astray.first().map(|s| (&s.name, s.lat, s.lon))
    );
}

#[test]
fn somali_speaking_places_list_somali() {
    let all = hundred_k();
    let somali: Vec<&Service> = all
        .iter()
        .filter(|s| {
            s.country.as_deref() == Some("SO")
                || s.address
                    .as_deref()
                    .is_some_and(|a| a.ends_with("Eastleigh") || a.ends_with("Dadaab"))
        })
        .collect();
    assert!(somali.len() > 5_000);
    for s in somali {
        assert!(
            s.languages.iter().any(|l| l == "so"),
            "{} at {:?} lists {:?}",
            s.name,
            s.address,
            s.languages
        );
    }
    // Services in Rwanda speak Kinyarwanda, in Mozambique Portuguese, in Madagascar Malagasy.
    for (cc, lang) in [
        ("RW", "rw"),
        ("MZ", "pt"),
        ("MG", "mg"),
        ("ET", "am"),
        ("SS", "pga"),
    ] {
        let of = all.iter().filter(|s| s.country.as_deref() == Some(cc));
        let (speaks, total) = of.fold((0, 0), |(y, n), s| {
            (
                y + usize::from(s.languages.iter().any(|l| l == lang)),
                n + 1,
            )
        });
        assert!(
            speaks * 10 >= total * 7,
            "{cc}: {speaks} of {total} speak {lang}"
        );
    }
}

#[test]
fn opening_hours_come_from_a_set_the_parser_accepts() {
    for oh in OPENING_HOURS {
        oh.parse::<opening_hours::OpeningHours>()
            .unwrap_or_else(|e| panic!("{oh:?} does not parse: {e}"));
    }
    let mut seen = HashSet::new();
    for s in hundred_k() {
        if let Some(oh) = &s.opening_hours {
            assert!(
                OPENING_HOURS.contains(&oh.as_str()),
                "{oh:?} is not in the checked set"
            );
            seen.insert(oh.as_str());
        }
    }
    assert_eq!(seen.len(), OPENING_HOURS.len(), "every pattern is used");
    // Only hospitals offer both outpatient and emergency care; they never close.
    let offers = |s: &Service, c: &str| s.categories.iter().any(|x| x == c);
    let hospitals: Vec<&Service> = hundred_k()
        .iter()
        .filter(|s| offers(s, "emergency") && offers(s, "primary_care"))
        .collect();
    assert!(hospitals.len() > 1_000);
    for s in hospitals {
        assert_eq!(s.opening_hours.as_deref(), Some("24/7"), "{}", s.name);
    }
}

#[test]
fn the_gazetteer_is_real_places_with_codes_that_exist() {
    let all = places();
    assert!((100..=130).contains(&all.len()), "{} places", all.len());
    let mut seen = HashSet::new();
    for p in all {
        assert!(seen.insert((p.name, p.country)), "{} twice", p.name);
        assert!(p.weight > 0);
        for v in [p.lat, p.lon] {
            assert!(
                ((v * 1e4).round() - v * 1e4).abs() < 1e-6,
                "{}: four decimals",
                p.name
            );
        }
        assert!(
            (-35.0..15.0).contains(&p.lat) && (15.0..52.0).contains(&p.lon),
            "{} is not in the region",
            p.name
        );
        p.timezone
            .parse::<chrono_tz::Tz>()
            .unwrap_or_else(|_| panic!("{}: unknown zone {}", p.name, p.timezone));
        assert!(!p.languages.is_empty());
        for l in p.languages {
            assert_eq!(parse_language(l).as_deref(), Ok(*l), "{}: {l}", p.name);
            assert!(
                njia_demo::language_name(l).is_some(),
                "{}: {l} has no name",
                p.name
            );
        }
    }
    for kind in [
        PlaceKind::City,
        PlaceKind::Town,
        PlaceKind::BorderCrossing,
        PlaceKind::Camp,
    ] {
        assert!(
            all.iter().filter(|p| p.kind == kind).count() >= 8,
            "{kind:?}"
        );
    }
    for name in [
        "Eastleigh",
        "Kakuma",
        "Kalobeyei",
        "Dadaab",
        "Moyale",
        "Beitbridge",
        "Musina",
        "Kasumbalesa",
        "Dzaleka",
        "Ressano Garcia",
    ] {
        assert!(all.iter().any(|p| p.name == name), "{name} is missing");
    }
    // One zone per country.
    let mut zones: HashMap<&str, &str> = HashMap::new();
    for p in all {
        assert_eq!(
            *zones.entry(p.country).or_insert(p.timezone),
            p.timezone,
            "{}",
            p.name
        );
    }
    assert_eq!(zones["CD"], "Africa/Lubumbashi");
    assert_eq!(zones["MG"], "Indian/Antananarivo");
}

#[test]
fn phone_numbers_follow_the_country_plan() {
    // Country code and the lengths of national numbers (mobile, and landline where it
    // differs).
    let plans: HashMap<&str, (&str, &[usize])> = [
        ("KE", ("+254", &[9][..])),
        ("UG", ("+256", &[9][..])),
        ("TZ", ("+255", &[9][..])),
        ("RW", ("+250", &[9][..])),
        ("BI", ("+257", &[8][..])),
        ("SS", ("+211", &[9][..])),
        ("ET", ("+251", &[9][..])),
        ("SO", ("+252", &[9][..])),
        ("DJ", ("+253", &[8][..])),
        ("CD", ("+243", &[9][..])),
        ("ZM", ("+260", &[9][..])),
        ("MW", ("+265", &[9, 7][..])),
        ("MZ", ("+258", &[9, 8][..])),
        ("ZW", ("+263", &[9][..])),
        ("ZA", ("+27", &[9][..])),
        ("BW", ("+267", &[8, 7][..])),
        ("NA", ("+264", &[9][..])),
        ("LS", ("+266", &[8][..])),
        ("SZ", ("+268", &[8][..])),
        ("MG", ("+261", &[9][..])),
    ]
    .into_iter()
    .collect();
    let mut with_phone = 0;
    for s in services(20_000, 3) {
        let Some(phone) = &s.phone else { continue };
        with_phone += 1;
        let (prefix, digits) = plans[s.country.as_deref().unwrap()];
        let national = phone.strip_prefix(prefix).and_then(|r| r.strip_prefix(' '));
        let national = national.unwrap_or_else(|| panic!("{phone} does not start with {prefix}"));
        let count = national.chars().filter(char::is_ascii_digit).count();
        assert!(
            digits.contains(&count),
            "{phone}: {count} digits after {prefix}, want {digits:?}"
        );
        assert!(
            national.chars().all(|c| c.is_ascii_digit() || c == ' '),
            "{phone}"
        );
    }
    assert!(with_phone > 17_000);
}

#[test]
fn who_runs_a_service_shapes_what_a_migrant_can_expect() {
    let all = hundred_k();
    let share = |set: &[&Service], f: fn(&Service) -> bool| {
        set.iter().filter(|s| f(s)).count() as f64 / set.len() as f64
    };

    let iom: Vec<&Service> = all
        .iter()
        .filter(|s| {
            s.organization
                .as_deref()
                .is_some_and(|o| o.starts_with("IOM"))
        })
        .collect();
    assert!(iom.len() > 500);
    assert!(share(&iom, |s| s.free_of_charge) > 0.99);
    assert!(share(&iom, |s| s.no_documents_required) > 0.9);
    assert!(share(&iom, |s| s.migrant_friendly) > 0.9);

    let private_suffixes = [" Ltd", " SARL", " Lda", " PLC", " SPRL"];
    let private: Vec<&Service> = all
        .iter()
        .filter(|s| {
            s.organization
                .as_deref()
                .is_some_and(|o| private_suffixes.iter().any(|x| o.ends_with(x)))
        })
        .collect();
    assert!(private.len() > 10_000);
    assert!(share(&private, |s| s.free_of_charge) < 0.05);
    assert!(share(&private, |s| s.interpreter_available) < 0.1);

    let at = |kind: PlaceKind| -> Vec<&Service> {
        all.iter()
            .filter(|s| nearest_place(s.lat, s.lon).unwrap().kind == kind)
            .collect()
    };
    let (camps, cities) = (at(PlaceKind::Camp), at(PlaceKind::City));
    assert!(
        share(&camps, |s| s.interpreter_available)
            > 2.0 * share(&cities, |s| s.interpreter_available)
    );
    assert!(share(&camps, |s| s.free_of_charge) > 0.85);
    assert!(
        share(&camps, |s| s.no_documents_required) > share(&cities, |s| s.no_documents_required)
    );

    // Primary care is the most common category; pharmacies and laboratories are services of
    // their own; mobile clinics go out.
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for s in all {
        for c in &s.categories {
            *counts.entry(c.as_str()).or_default() += 1;
        }
    }
    let top = counts.iter().max_by_key(|(_, n)| **n).unwrap();
    assert_eq!(*top.0, "primary_care");
    assert_eq!(
        counts.len(),
        njia_model::taxonomy::CATEGORIES.len(),
        "every category occurs"
    );
    let alone = |c: &str| all.iter().filter(|s| s.categories == [c]).count();
    assert!(alone("pharmacy") > 5_000 && alone("laboratory") > 2_000);
    let mobile = all.iter().filter(|s| s.name.contains("Mobile Clinic"));
    assert!(mobile.clone().count() > 100 && mobile.clone().all(|s| s.mobile_outreach));
}

#[test]
fn generating_100k_services_is_quick() {
    // A measurement, not a bar: `cargo test --release -p njia-demo -- --nocapture` prints it.
    let start = Instant::now();
    let n = services(100_000, 1).count();
    let elapsed = start.elapsed();
    assert_eq!(n, 100_000);
    println!(
        "generated {n} services in {elapsed:.2?} ({:.1} µs each)",
        elapsed.as_secs_f64() * 1e6 / n as f64
    );
}
