//! `near` must equal a brute force over the same services, wherever the point is (the
//! antimeridian, the poles), whatever the radius and filters.

mod common;

use chrono::{DateTime, FixedOffset};
use njia_model::geo::{distance_m, Point};
use njia_model::service::Service;
use njia_store::near::{is_open, Filter, NearQuery};
use proptest::prelude::*;

const CATS: &[&str] = &["hiv", "tb", "gbv", "maternal", "mental_health", "pharmacy"];
const LANGS: &[&str] = &["en", "sw", "so", "am", "fr", "pt"];
const HOURS: &[&str] = &[
    "24/7",
    "Mo-Fr 08:00-17:00",
    "Mo-Sa 07:00-13:00",
    "Sa,Su 10:00-16:00",
];
const TZS: &[&str] = &["Africa/Nairobi", "Africa/Johannesburg", "Pacific/Fiji"];

/// Centre, offsets, categories, languages, flag bits, opening hours, time zone.
type Spec = (
    usize,
    f64,
    f64,
    Vec<usize>,
    Vec<usize>,
    u8,
    Option<usize>,
    usize,
);

fn wrap_lon(lon: f64) -> f64 {
    if lon > 180.0 {
        lon - 360.0
    } else if lon < -180.0 {
        lon + 360.0
    } else {
        lon
    }
}

/// Centres that stress the geometry: East Africa, both sides of the antimeridian, both poles.
const CENTRES: &[(f64, f64)] = &[
    (-1.28, 36.82),
    (-17.0, 179.9),
    (-16.5, -179.95),
    (89.95, 0.0),
    (-89.9, 120.0),
    (0.0, 0.0),
];

fn service_strategy() -> impl Strategy<Value = Spec> {
    (
        0..CENTRES.len(),
        -0.5f64..0.5,
        -0.5f64..0.5,
        proptest::collection::vec(0..CATS.len(), 0..3),
        proptest::collection::vec(0..LANGS.len(), 0..3),
        any::<u8>(),
        proptest::option::of(0..HOURS.len()),
        0..TZS.len(),
    )
}

fn build(i: usize, s: &Spec) -> Service {
    let (c, dlat, dlon, cats, langs, flags, hours, tz) = s;
    let (clat, clon) = CENTRES[*c];
    let mut svc = Service::new(
        format!("svc-{i}"),
        format!("Service {i}"),
        (clat + dlat).clamp(-90.0, 90.0),
        wrap_lon(clon + dlon),
    );
    svc.categories = cats.iter().map(|&k| CATS[k].to_string()).collect();
    svc.languages = langs.iter().map(|&k| LANGS[k].to_string()).collect();
    svc.free_of_charge = flags & 1 != 0;
    svc.no_documents_required = flags & 2 != 0;
    svc.interpreter_available = flags & 4 != 0;
    svc.opening_hours = hours.map(|h| HOURS[h].to_string());
    svc.timezone = Some(TZS[*tz].to_string());
    svc.normalize().expect("valid test service")
}

fn brute_force(services: &[Service], q: &NearQuery) -> Vec<(String, f64)> {
    let f = &q.filter;
    let mut hits: Vec<(usize, f64)> = services
        .iter()
        .enumerate()
        .filter(|(_, s)| {
            f.categories.is_empty() || s.categories.iter().any(|c| f.categories.contains(c))
        })
        .filter(|(_, s)| {
            f.languages.is_empty() || s.languages.iter().any(|l| f.languages.contains(l))
        })
        .filter(|(_, s)| !f.free || s.free_of_charge)
        .filter(|(_, s)| !f.no_documents || s.no_documents_required)
        .filter(|(_, s)| !f.interpreter || s.interpreter_available)
        .filter(|(_, s)| match f.open_at {
            Some(at) => {
                is_open(s.opening_hours.as_deref(), s.timezone.as_deref(), at) == Some(true)
            }
            None => true,
        })
        .map(|(i, s)| {
            (
                i,
                distance_m(
                    q.point,
                    Point {
                        lat: s.lat,
                        lon: s.lon,
                    },
                ),
            )
        })
        .filter(|(_, d)| q.radius_m.is_none_or(|r| *d <= r))
        .collect();
    hits.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
    hits.truncate(q.limit);
    hits.into_iter()
        .map(|(i, d)| (services[i].id.clone(), d))
        .collect()
}

fn query_strategy() -> impl Strategy<Value = NearQuery> {
    (
        0..CENTRES.len(),
        -0.6f64..0.6,
        -0.6f64..0.6,
        proptest::option::of(prop_oneof![Just(0.0), 0.0f64..80_000.0, 1e6f64..3e7]),
        0usize..30,
        proptest::collection::vec(0..CATS.len(), 0..3),
        proptest::collection::vec(0..LANGS.len(), 0..2),
        any::<(bool, bool, bool)>(),
        proptest::option::of(0i64..(14 * 24)),
    )
        .prop_map(
            |(c, dlat, dlon, radius, limit, cats, langs, (free, docs, interp), hour)| {
                let (clat, clon) = CENTRES[c];
                let point =
                    Point::new((clat + dlat).clamp(-90.0, 90.0), wrap_lon(clon + dlon)).unwrap();
                let base: DateTime<FixedOffset> =
                    DateTime::parse_from_rfc3339("2026-11-23T00:00:00+03:00").unwrap();
                NearQuery {
                    point,
                    radius_m: radius,
                    limit,
                    filter: Filter {
                        categories: cats.iter().map(|&k| CATS[k].to_string()).collect(),
                        languages: langs.iter().map(|&k| LANGS[k].to_string()).collect(),
                        free,
                        no_documents: docs,
                        interpreter: interp,
                        open_at: hour.map(|h| base + chrono::Duration::hours(h)),
                    },
                }
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn near_equals_brute_force(
        specs in proptest::collection::vec(service_strategy(), 0..250),
        queries in proptest::collection::vec(query_strategy(), 12),
    ) {
        let services: Vec<Service> = specs.iter().enumerate().map(|(i, s)| build(i, s)).collect();
        let (_dir, mut store) = common::temp_store();
        store.import_services(&services, |_, _| {}).unwrap();
        for q in &queries {
            let want = brute_force(&services, q);
            for got in [store.near(q).unwrap(), store.near_by_scan(q).unwrap()] {
                let got: Vec<(String, f64)> = got.into_iter().map(|h| (h.id, h.distance_m.unwrap())).collect();
                prop_assert_eq!(&got, &want, "query {:?}", q);
            }
        }
    }
}

#[test]
fn an_empty_store_answers_with_nothing() {
    let (_dir, store) = common::temp_store();
    let q = NearQuery::new(Point::new(-1.28, 36.82).unwrap());
    assert!(store.near(&q).unwrap().is_empty());
}

#[test]
fn without_a_radius_the_nearest_are_found_however_far() {
    let (_dir, mut store) = common::temp_store();
    // 14,170 km and 14,276 km from Nairobi.
    let far = Service::new("far", "Far away clinic", 50.0, -120.0);
    let farther = Service::new("farther", "Farther clinic", -50.0, -150.0);
    store.import_services(&[far, farther], |_, _| {}).unwrap();
    let mut q = NearQuery::new(Point::new(-1.28, 36.82).unwrap());
    q.limit = 1;
    let hits = store.near(&q).unwrap();
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].id, "far");
    assert!(hits[0].distance_m.unwrap() > 10_000_000.0);
}

#[test]
fn radius_zero_finds_only_what_stands_on_the_point() {
    let (_dir, mut store) = common::temp_store();
    let here = Service::new("here", "Here", -1.28, 36.82);
    let next = Service::new("next", "Next door", -1.28001, 36.82);
    store.import_services(&[here, next], |_, _| {}).unwrap();
    let mut q = NearQuery::new(Point::new(-1.28, 36.82).unwrap());
    q.radius_m = Some(0.0);
    let ids: Vec<String> = store.near(&q).unwrap().into_iter().map(|h| h.id).collect();
    assert_eq!(ids, vec!["here"]);
}

#[test]
fn a_service_across_the_antimeridian_is_near() {
    let (_dir, mut store) = common::temp_store();
    let east = Service::new("east", "Levuka east", -17.0, 179.999);
    let west = Service::new("west", "Over the line", -17.0, -179.999);
    store.import_services(&[east, west], |_, _| {}).unwrap();
    let mut q = NearQuery::new(Point::new(-17.0, -179.9995).unwrap());
    q.radius_m = Some(1_000.0);
    let ids: Vec<String> = store.near(&q).unwrap().into_iter().map(|h| h.id).collect();
    assert_eq!(ids, vec!["west", "east"]);
}

#[test]
fn bad_filters_are_refused_in_words() {
    let (_dir, store) = common::temp_store();
    let mut q = NearQuery::new(Point::new(0.0, 0.0).unwrap());
    q.filter.categories = vec!["dentistry".into()];
    let err = store.near(&q).unwrap_err().to_string();
    assert!(err.contains("unknown category \"dentistry\""), "{err}");
    let mut q = NearQuery::new(Point::new(0.0, 0.0).unwrap());
    q.radius_m = Some(-1.0);
    assert!(store
        .near(&q)
        .unwrap_err()
        .to_string()
        .contains("is not a distance"));
    q.radius_m = Some(f64::NAN);
    assert!(store.near(&q).is_err());
}

#[test]
fn languages_beyond_the_sixty_second_are_still_matched_exactly() {
    let (_dir, mut store) = common::temp_store();
    // 80 made-up three-letter codes: the last 18 share one bit of the mask.
    let codes: Vec<String> = (0..80)
        .map(|i| {
            format!(
                "q{}{}",
                (b'a' + (i / 26) as u8) as char,
                (b'a' + (i % 26) as u8) as char
            )
        })
        .collect();
    let services: Vec<Service> = codes
        .iter()
        .enumerate()
        .map(|(i, code)| {
            let mut s = Service::new(format!("s{i}"), format!("S {i}"), 0.001 * i as f64, 0.0);
            s.languages = vec![code.clone()];
            s
        })
        .collect();
    store.import_services(&services, |_, _| {}).unwrap();
    for probe in [0usize, 61, 62, 70, 79] {
        let mut q = NearQuery::new(Point::new(0.0, 0.0).unwrap());
        q.filter.languages = vec![codes[probe].clone()];
        let ids: Vec<String> = store.near(&q).unwrap().into_iter().map(|h| h.id).collect();
        assert_eq!(ids, vec![format!("s{probe}")], "language {}", codes[probe]);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    /// Geometry alone (no filters), where it is hardest: services straddling the antimeridian
    /// and around both poles, queried from both sides with radii that cross the line.
    #[test]
    fn near_equals_brute_force_across_the_antimeridian_and_near_the_poles(
        points in proptest::collection::vec((0usize..3, -1.0f64..1.0, -1.5f64..1.5), 1..120),
        queries in proptest::collection::vec((0usize..3, -1.0f64..1.0, -1.5f64..1.5, proptest::option::of(0.0f64..250_000.0), 1usize..25), 16),
    ) {
        const HOT: &[(f64, f64)] = &[(-17.0, 180.0), (89.5, 45.0), (-89.5, -135.0)];
        let services: Vec<Service> = points
            .iter()
            .enumerate()
            .map(|(i, &(c, dlat, dlon))| {
                let (lat, lon) = HOT[c];
                // Around a pole, spread over every longitude: neighbours across the pole.
                let spread = if c == 0 { 1.0 } else { 120.0 };
                Service::new(format!("g{i}"), format!("G {i}"), (lat + dlat).clamp(-90.0, 90.0), wrap_lon(lon + dlon * spread))
            })
            .collect();
        let (_dir, mut store) = common::temp_store();
        store.import_services(&services, |_, _| {}).unwrap();
        for &(c, dlat, dlon, radius, limit) in &queries {
            let (lat, lon) = HOT[c];
            let spread = if c == 0 { 1.0 } else { 120.0 };
            let q = NearQuery {
                point: Point::new((lat + dlat).clamp(-90.0, 90.0), wrap_lon(lon + dlon * spread)).unwrap(),
                radius_m: radius,
                limit,
                filter: Filter::default(),
            };
            let got: Vec<(String, f64)> = store.near(&q).unwrap().into_iter().map(|h| (h.id, h.distance_m.unwrap())).collect();
            prop_assert_eq!(got, brute_force(&services, &q), "query {:?}", q);
        }
    }
}

#[test]
fn results_say_open_or_closed_without_dropping_the_closed_ones() {
    let (_dir, mut store) = common::temp_store();
    let mut weekdays = Service::new("weekdays", "Weekday clinic", -1.28, 36.82);
    weekdays.opening_hours = Some("Mo-Fr 08:00-17:00".into());
    weekdays.timezone = Some("Africa/Nairobi".into());
    let mut always = Service::new("always", "Always open", -1.281, 36.821);
    always.opening_hours = Some("24/7".into());
    let unknown = Service::new("unknown", "Hours unknown", -1.282, 36.822);
    store
        .import_services(&[weekdays, always, unknown], |_, _| {})
        .unwrap();
    let mut hits = store
        .near(&NearQuery::new(Point::new(-1.28, 36.82).unwrap()))
        .unwrap();
    // Saturday 2026-11-28, 10:00 in Nairobi: the weekday clinic is shut.
    let saturday: DateTime<FixedOffset> =
        DateTime::parse_from_rfc3339("2026-11-28T07:00:00Z").unwrap();
    store.mark_open_at(&mut hits, saturday).unwrap();
    let open: Vec<(&str, Option<bool>)> = hits.iter().map(|h| (h.id.as_str(), h.open)).collect();
    assert_eq!(
        open,
        [
            ("weekdays", Some(false)),
            ("always", Some(true)),
            ("unknown", None)
        ]
    );
    // Monday 10:00 in Nairobi: open.
    let monday = DateTime::parse_from_rfc3339("2026-11-30T07:00:00Z").unwrap();
    store.mark_open_at(&mut hits, monday).unwrap();
    assert_eq!(hits[0].open, Some(true));
}

#[test]
fn the_directory_names_its_sources_once_each() {
    let (_dir, mut store) = common::temp_store();
    assert!(store.directory_sources().unwrap().is_empty());
    let mut a = Service::new("a", "A", -1.0, 36.0);
    a.source = Some("healthsites.io".into());
    let mut b = Service::new("b", "B", -1.1, 36.1);
    b.source = Some("healthsites.io".into());
    let mut c = Service::new("c", "C", -1.2, 36.2);
    c.source = Some("Field office survey".into());
    let d = Service::new("d", "D", -1.3, 36.3);
    store.import_services(&[a, b, c, d], |_, _| {}).unwrap();
    assert_eq!(
        store.directory_sources().unwrap(),
        ["Field office survey", "healthsites.io"]
    );
}
