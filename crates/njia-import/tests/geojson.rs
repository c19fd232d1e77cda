//! GeoJSON FeatureCollections as a field office hands them over (DESIGN §5).

mod common;

use std::path::{Path, PathBuf};

use common::no_progress;
use njia_import::{read_path, write_geojson, Format, ImportError, Progress};
use proptest::prelude::*;

fn file_with(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// A FeatureCollection of the given features (JSON text each).
fn collection(features: &[String]) -> String {
    format!(
        "{{\"type\": \"FeatureCollection\", \"features\": [\n{}\n]}}",
        features.join(",\n")
    )
}

fn point(lon: f64, lat: f64, properties: &str) -> String {
    format!(
        r#"{{"type": "Feature", "geometry": {{"type": "Point", "coordinates": [{lon}, {lat}]}}, "properties": {properties}}}"#
    )
}

fn read_text(text: &str) -> Result<njia_import::Imported, ImportError> {
    let dir = tempfile::tempdir().unwrap();
    let path = file_with(dir.path(), "services.geojson", text);
    read_path(&path, &mut no_progress())
}

fn error_of(features: &[String]) -> String {
    read_text(&collection(features)).unwrap_err().to_string()
}

#[test]
fn every_property_shape_of_design_5_is_read() {
    let text = collection(&[
        point(
            36.8516,
            -1.2741,
            r#"{"id": "eastleigh-1", "name": "  Eastleigh   Health Centre ",
                "categories": ["primary_care", "HIV"], "languages": ["sw", "so"],
                "free_of_charge": true, "no_documents_required": "yes",
                "interpreter_available": "TRUE", "migrant_friendly": "no",
                "mobile_outreach": false,
                "organization": "Nairobi County", "description": "Walk-in clinic",
                "phone": "+254 20 123 4567", "email": "info@example.org",
                "website": "https://example.org", "address": "1st Avenue, Eastleigh",
                "country": "ke", "opening_hours": "Mo-Fr 08:00-17:00; Sa 09:00-12:00",
                "timezone": "Africa/Nairobi", "fees": "Free for under-fives",
                "documents": "None", "source": "IOM Kenya", "unrelated": {"x": 1}}"#,
        ),
        point(
            45.3182,
            2.0469,
            r#"{"name": "Hodan MCH", "categories": "maternal, child_health ,immunization",
                "languages": "so, ar", "free_of_charge": "false", "phone": 252612345678,
                "interpreter_available": null}"#,
        ),
        r#"{"type": "Feature", "id": 42, "geometry": {"type": "Point", "coordinates": [38.7469, 9.0227, 2355.0]},
            "properties": {"name": "Addis clinic"}}"#
            .to_string(),
        r#"{"type": "Feature", "id": "feature-own-id", "geometry": {"type": "Point", "coordinates": [38.7, 9.0]},
            "properties": {"id": "property-id", "name": "Prefers the property"}}"#
            .to_string(),
    ]);
    let imported = read_text(&text).unwrap();
    assert_eq!(imported.format, Format::GeoJson);
    assert!(imported.skipped.is_empty());
    let [a, b, c, d] = &imported.services[..] else {
        panic!("four services expected, got {:?}", imported.services);
    };

    assert_eq!(a.id, "eastleigh-1");
    assert_eq!(a.name, "Eastleigh Health Centre");
    assert_eq!((a.lat, a.lon), (-1.2741, 36.8516));
    assert_eq!(a.categories, ["primary_care", "hiv"]);
    assert_eq!(a.languages, ["sw", "so"]);
    assert!(a.free_of_charge && a.no_documents_required && a.interpreter_available);
    assert!(!a.migrant_friendly && !a.mobile_outreach);
    assert_eq!(a.organization.as_deref(), Some("Nairobi County"));
    assert_eq!(a.description.as_deref(), Some("Walk-in clinic"));
    assert_eq!(a.phone.as_deref(), Some("+254 20 123 4567"));
    assert_eq!(a.email.as_deref(), Some("info@example.org"));
    assert_eq!(a.website.as_deref(), Some("https://example.org"));
    assert_eq!(a.address.as_deref(), Some("1st Avenue, Eastleigh"));
    assert_eq!(a.country.as_deref(), Some("KE"));
    assert_eq!(
        a.opening_hours.as_deref(),
        Some("Mo-Fr 08:00-17:00; Sa 09:00-12:00")
    );
    assert_eq!(a.timezone.as_deref(), Some("Africa/Nairobi"));
    assert_eq!(a.fees.as_deref(), Some("Free for under-fives"));
    assert_eq!(a.documents.as_deref(), Some("None"));
    assert_eq!(a.source.as_deref(), Some("IOM Kenya"));

    assert_eq!(b.categories, ["maternal", "child_health", "immunization"]);
    assert_eq!(b.languages, ["so", "ar"]);
    assert!(!b.free_of_charge && !b.interpreter_available);
    assert_eq!(b.phone.as_deref(), Some("252612345678"));
    // Not in the file: looked up from the coordinates (Mogadishu).
    assert_eq!(b.timezone.as_deref(), Some("Africa/Mogadishu"));
    assert_eq!(b.id.len(), 36, "a generated UUID: {}", b.id);

    assert_eq!(c.id, "42");
    assert_eq!((c.lat, c.lon), (9.0227, 38.7469));
    assert_eq!(c.timezone.as_deref(), Some("Africa/Addis_Ababa"));
    assert_eq!(d.id, "property-id");
}

#[test]
fn every_refusal_names_the_feature_and_the_problem() {
    let ok = |name: &str| point(36.8, -1.3, &format!(r#"{{"name": "{name}"}}"#));
    assert_eq!(
        error_of(&[
            ok("a"),
            ok("b"),
            ok("c"),
            point(10.0, 123.4, r#"{"name": "d"}"#)
        ]),
        "feature 4: latitude 123.4 is outside -90..90"
    );
    assert_eq!(
        error_of(&[point(200.0, 1.0, r#"{"name": "a"}"#)]),
        "feature 1: longitude 200 is outside -180..180"
    );
    let polygon = r#"{"type": "Feature", "properties": {"name": "Camp"},
        "geometry": {"type": "Polygon", "coordinates": [[[0,0],[1,0],[1,1],[0,0]]]}}"#;
    assert_eq!(
        error_of(&[ok("a"), polygon.to_string()]),
        "feature 2: geometry is a Polygon; only Point is supported"
    );
    assert_eq!(
        error_of(&[r#"{"type": "Feature", "geometry": null, "properties": {"name": "a"}}"#.into()]),
        "feature 1: geometry is missing; only Point is supported"
    );
    assert_eq!(
        error_of(&[r#"{"type": "Feature", "geometry": {"type": "Point", "coordinates": ["1", 2]}, "properties": {"name": "a"}}"#.into()]),
        "feature 1: Point coordinates must be [longitude, latitude] in numbers"
    );
    let with_id = |id: &str| point(36.8, -1.3, &format!(r#"{{"name": "x", "id": "{id}"}}"#));
    let mut features: Vec<String> = (1..=8).map(|i| with_id(&format!("s{i}"))).collect();
    features[2] = with_id("abc");
    features.push(with_id("abc"));
    assert_eq!(
        error_of(&features),
        "feature 9 and feature 3 share the id \"abc\""
    );
    assert_eq!(
        error_of(&[point(36.8, -1.3, r#"{"name": " "}"#)]),
        "feature 1: name is missing or empty"
    );
    assert_eq!(
        error_of(&[point(36.8, -1.3, r#"{"categories": ["hiv"]}"#)]),
        "feature 1: name is missing or empty"
    );
    assert_eq!(
        error_of(&[
            ok("a"),
            point(36.8, -1.3, r#"{"name": "b", "free_of_charge": "maybe"}"#)
        ]),
        "feature 2: free_of_charge must be true or false (or \"yes\"/\"no\"), not \"maybe\""
    );
    assert_eq!(
        error_of(&[point(36.8, -1.3, r#"{"name": "b", "mobile_outreach": 1}"#)]),
        "feature 1: mobile_outreach must be true or false (or \"yes\"/\"no\"), not 1"
    );
    assert!(
        error_of(&[point(36.8, -1.3, r#"{"name": "b", "categories": "hvi"}"#)])
            .starts_with("feature 1: unknown category \"hvi\" (known: primary_care, hiv,")
    );
    assert_eq!(
        error_of(&[point(36.8, -1.3, r#"{"name": "b", "languages": [1]}"#)]),
        "feature 1: languages must be a list of codes or comma-separated text, not a list holding a number"
    );
    assert_eq!(
        error_of(&[point(36.8, -1.3, r#"{"name": "b", "languages": "Swahili"}"#)]),
        "feature 1: \"Swahili\" is not an ISO 639 language code (two or three letters, like sw or som)"
    );
    assert_eq!(
        error_of(&[point(36.8, -1.3, r#"{"name": "b", "phone": ["1", "2"]}"#)]),
        "feature 1: phone must be text, not a list"
    );
    assert_eq!(
        error_of(&[point(36.8, -1.3, r#"{"name": "b", "id": true}"#)]),
        "feature 1: id must be a string or a number, not a boolean"
    );
    assert_eq!(
        error_of(&[point(36.8, -1.3, r#"{"name": "b", "timezone": "EAT"}"#)]),
        "feature 1: timezone \"EAT\" is not an IANA time zone name (like Africa/Nairobi)"
    );
    assert_eq!(
        error_of(&[point(36.8, -1.3, r#"{"name": "b", "country": "Kenya"}"#)]),
        "feature 1: \"KENYA\" is not an ISO 3166 two-letter country code"
    );
}

#[test]
fn refused_files_say_which_file_and_where() {
    let dir = tempfile::tempdir().unwrap();
    let broken = file_with(
        dir.path(),
        "broken.geojson",
        "{\"type\": \"FeatureCollection\",\n \"features\": [\n  {\"type\": \"Feature\",, }\n]}",
    );
    assert_eq!(
        read_path(&broken, &mut no_progress())
            .unwrap_err()
            .to_string(),
        format!(
            "{}: malformed JSON at line 3, column 22: key must be a string",
            broken.display()
        )
    );
    let cut = file_with(
        dir.path(),
        "cut.geojson",
        "{\"type\": \"FeatureCollection\", \"features\": [",
    );
    let err = read_path(&cut, &mut no_progress()).unwrap_err();
    assert!(matches!(err, ImportError::Json { line: 1, .. }), "{err}");

    let shape = file_with(
        dir.path(),
        "shape.geojson",
        "{\"type\": \"FeatureCollection\", \"features\": \"none\"}",
    );
    let err = read_path(&shape, &mut no_progress())
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with(&format!(
            "{}: not a valid GeoJSON FeatureCollection at line 1, column",
            shape.display()
        )),
        "{err}"
    );

    let unknown = format!(
        "cannot tell the format of {}: expected a folder with datapackage.json, a GeoJSON \
         FeatureCollection, or a healthsites.io CSV",
        dir.path().display()
    );
    assert_eq!(
        read_path(dir.path(), &mut no_progress())
            .unwrap_err()
            .to_string(),
        unknown
    );
    for (name, text) in [
        (
            "feature.json",
            r#"{"type": "Feature", "geometry": null, "properties": {}}"#,
        ),
        ("list.json", "[1, 2]"),
        ("people.csv", "name,phone\nA,1\n"),
        ("empty.csv", ""),
    ] {
        let path = file_with(dir.path(), name, text);
        let err = read_path(&path, &mut no_progress()).unwrap_err();
        assert!(
            matches!(err, ImportError::UnknownFormat { .. }),
            "{name}: {err}"
        );
        assert!(err
            .to_string()
            .starts_with(&format!("cannot tell the format of {}:", path.display())));
    }

    let missing = dir.path().join("nope.geojson");
    let err = read_path(&missing, &mut no_progress())
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with(&format!("cannot read {}: ", missing.display())),
        "{err}"
    );
}

/// A FeatureCollection of one clinic in Eastleigh with `crs` as its crs member.
fn with_crs(crs: &str) -> String {
    format!(
        "{{\"type\": \"FeatureCollection\", \"crs\": {crs}, \"features\": [{}]}}",
        point(
            36.8516,
            -1.2741,
            r#"{"id": "eastleigh-1", "name": "Eastleigh Health Centre"}"#
        )
    )
}

fn named_crs(name: &str) -> String {
    format!(r#"{{"type": "name", "properties": {{"name": "{name}"}}}}"#)
}

#[test]
fn a_crs_naming_wgs84_is_read_as_longitude_latitude() {
    for name in [
        "urn:ogc:def:crs:OGC:1.3:CRS84",
        "EPSG:4326",
        "urn:ogc:def:crs:EPSG::4326",
        "epsg:4326",
    ] {
        let imported =
            read_text(&with_crs(&named_crs(name))).unwrap_or_else(|e| panic!("{name}: {e}"));
        let s = &imported.services[0];
        assert_eq!((s.lat, s.lon), (-1.2741, 36.8516), "{name}");
    }
    read_text(&with_crs("null")).unwrap();
    read_text(&with_crs(r#""EPSG:4326""#)).unwrap();
}

#[test]
fn a_crs_naming_another_projection_is_refused_in_words() {
    let dir = tempfile::tempdir().unwrap();
    let mercator = file_with(
        dir.path(),
        "mercator.geojson",
        &with_crs(&named_crs("urn:ogc:def:crs:EPSG::3857")),
    );
    let err = read_path(&mercator, &mut no_progress()).unwrap_err();
    assert!(matches!(err, ImportError::UnsupportedCrs { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        format!(
            "{}: the coordinate reference system (crs) is \"urn:ogc:def:crs:EPSG::3857\"; Njia \
             reads GeoJSON in WGS84 longitude/latitude only (RFC 7946, \
             urn:ogc:def:crs:OGC:1.3:CRS84 or EPSG:4326): reproject it first, e.g. `ogr2ogr \
             -t_srs EPSG:4326 out.geojson in.geojson`",
            mercator.display()
        )
    );
    // A crs that cannot be checked (a link to a file, a shape of its own) is refused too:
    // Njia cannot tell that it is WGS84.
    for crs in [
        r#"{"type": "link", "properties": {"href": "data.crs", "type": "proj4"}}"#,
        r#""EPSG:3857""#,
        r#"{"type": "name"}"#,
    ] {
        let err = read_text(&with_crs(crs)).unwrap_err();
        assert!(
            matches!(err, ImportError::UnsupportedCrs { .. }),
            "{crs}: {err:?}"
        );
    }
}

#[test]
fn features_without_ids_get_the_same_id_on_every_import() {
    let text = collection(&[
        point(36.8516, -1.2741, r#"{"name": "Eastleigh Health Centre"}"#),
        point(36.8516, -1.2742, r#"{"name": "Eastleigh Health Centre"}"#),
        point(36.8516, -1.2741, r#"{"name": "Eastleigh  Health Centre "}"#),
    ]);
    let first = read_text(&text);
    // Same name and place twice is one service listed twice: refused, not silently merged.
    assert_eq!(
        first.unwrap_err().to_string(),
        format!(
            "feature 3 and feature 1 share the id \"{}\"",
            read_text(&collection(&[point(
                36.8516,
                -1.2741,
                r#"{"name": "Eastleigh Health Centre"}"#
            )]))
            .unwrap()
            .services[0]
                .id
        )
    );
    let two = collection(&[
        point(36.8516, -1.2741, r#"{"name": "Eastleigh Health Centre"}"#),
        point(36.8516, -1.2742, r#"{"name": "Eastleigh Health Centre"}"#),
    ]);
    let a = read_text(&two).unwrap();
    let b = read_text(&two).unwrap();
    assert_eq!(a.services, b.services);
    assert_ne!(
        a.services[0].id, a.services[1].id,
        "a different place is a different service"
    );
    assert_eq!(a.services[0].id.len(), 36);
}

#[test]
fn progress_ends_at_the_total() {
    let dir = tempfile::tempdir().unwrap();
    let features: Vec<String> = (0..5000)
        .map(|i| {
            point(
                36.0 + f64::from(i) / 10000.0,
                -1.0,
                &format!(r#"{{"name": "s{i}", "timezone": "UTC"}}"#),
            )
        })
        .collect();
    let path = file_with(dir.path(), "many.geojson", &collection(&features));
    let mut seen: Vec<Progress> = Vec::new();
    let imported = read_path(&path, &mut |p| seen.push(p)).unwrap();
    assert_eq!(imported.services.len(), 5000);
    assert!(seen.len() >= 2, "{seen:?}");
    assert_eq!(
        seen.last(),
        Some(&Progress {
            done: 5000,
            total: 5000
        })
    );
    assert!(seen.windows(2).all(|w| w[0].done <= w[1].done));
}

#[test]
fn missing_time_zones_are_filled_and_written_ones_kept() {
    let dir = tempfile::tempdir().unwrap();
    let mut service = njia_import::Service::new("k1", "Kakuma clinic", 3.7167, 34.8667);
    service.categories = vec!["primary_care".into()];
    let path = dir.path().join("out.geojson");
    write_geojson(&[service], std::fs::File::create(&path).unwrap()).unwrap();
    let back = read_path(&path, &mut no_progress()).unwrap();
    assert_eq!(back.services[0].timezone.as_deref(), Some("Africa/Nairobi"));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn written_geojson_reads_back_unchanged(services in common::services()) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("directory.geojson");
        write_geojson(&services, std::fs::File::create(&path).unwrap()).unwrap();
        let back = read_path(&path, &mut no_progress()).unwrap();
        prop_assert_eq!(back.format, Format::GeoJson);
        prop_assert_eq!(back.services, services);
    }
}
