//! healthsites.io CSV exports: OpenStreetMap health facilities of a whole region.

mod common;

use std::path::{Path, PathBuf};
use std::time::Instant;

use common::no_progress;
use njia_import::{read_path, Format, Imported, Progress};

/// The header of the healthsites.io export, as it is in the file.
const HEADER: &str = "iso3c,country,osm_id,osm_type,name,amenity,healthcare,health_amenity_type,speciality,operator,operator_type,operational_status,opening_hours,contact_number,addr_full,emergency,wheelchair,insurance,beds,staff_doctors,staff_nurses,dispensing,electricity,water_source,is_in_health_area,is_in_health_zone,url,source,completeness,uuid,changeset_id,changeset_version,changeset_timestamp,latitude,longitude";

/// One CSV line in header order from the named values; the rest empty.
fn line(values: &[(&str, &str)]) -> String {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let record: Vec<&str> = HEADER
        .split(',')
        .map(|column| {
            values
                .iter()
                .find(|(c, _)| *c == column)
                .map_or("", |(_, v)| *v)
        })
        .collect();
    writer.write_record(&record).unwrap();
    String::from_utf8(writer.into_inner().unwrap()).unwrap()
}

fn facility(osm_id: &str, name: &str, amenity: &str, lat: &str, lon: &str) -> String {
    line(&[
        ("iso3c", "KEN"),
        ("osm_id", osm_id),
        ("osm_type", "node"),
        ("name", name),
        ("amenity", amenity),
        ("latitude", lat),
        ("longitude", lon),
    ])
}

fn write(dir: &Path, lines: &[String]) -> PathBuf {
    let path = dir.join("healthsites.csv");
    std::fs::write(&path, format!("{HEADER}\n{}", lines.concat())).unwrap();
    path
}

fn read(lines: &[String]) -> Result<Imported, njia_import::ImportError> {
    let dir = tempfile::tempdir().unwrap();
    read_path(&write(dir.path(), lines), &mut no_progress())
}

#[test]
fn an_export_maps_to_njia_services_and_skips_what_cannot_be_placed() {
    let rows = vec![
        // row 2
        line(&[
            ("iso3c", "KEN"),
            ("osm_id", "101"),
            ("osm_type", "node"),
            ("name", "Pumwani Maternity Hospital"),
            ("amenity", "hospital"),
            ("healthcare", "hospital"),
            ("speciality", "maternity;paediatrics"),
            ("operator", "Nairobi City County"),
            ("emergency", "yes"),
            ("opening_hours", "24/7"),
            ("contact_number", "+254 20 2222 181"),
            ("addr_full", "Pumwani Road, Nairobi"),
            ("uuid", "5a1d0c8e9b7f4d2a8c3e6f1a2b3c4d5e"),
            ("completeness", "40"),
            ("latitude", "-1.2833"),
            ("longitude", "36.8417"),
        ]),
        // row 3: no uuid, no name: id from OSM, name from its kind
        line(&[
            ("iso3c", "UGA"),
            ("osm_id", "202"),
            ("osm_type", "way"),
            ("amenity", "pharmacy"),
            ("emergency", "yes"),
            ("latitude", "0.3476"),
            ("longitude", "32.5825"),
        ]),
        // row 4: not on the map
        line(&[
            ("osm_id", "303"),
            ("osm_type", "node"),
            ("name", "Somewhere"),
            ("amenity", "clinic"),
        ]),
        // row 5: closed
        line(&[
            ("osm_id", "404"),
            ("osm_type", "node"),
            ("name", "Old dispensary"),
            ("amenity", "clinic"),
            ("operational_status", "non operational"),
            ("latitude", "-1.3"),
            ("longitude", "36.8"),
        ]),
        // row 6: a specialist Njia has no category for
        line(&[
            ("iso3c", "TZA"),
            ("osm_id", "505"),
            ("osm_type", "node"),
            ("name", "Smile Dental"),
            ("amenity", "dentist"),
            ("speciality", "dentistry"),
            ("latitude", "-6.8"),
            ("longitude", "39.28"),
        ]),
        // row 7: the same OSM object as row 2 again, less complete: skipped
        line(&[
            ("iso3c", "KEN"),
            ("osm_id", "101"),
            ("osm_type", "node"),
            ("name", "Pumwani"),
            ("amenity", "hospital"),
            ("uuid", "5a1d0c8e9b7f4d2a8c3e6f1a2b3c4d5e"),
            ("completeness", "10"),
            ("latitude", "-1.2833"),
            ("longitude", "36.8417"),
        ]),
        // row 8: a poorer first row of object 606, row 9 the fuller one that wins
        line(&[
            ("iso3c", "SOM"),
            ("osm_id", "606"),
            ("osm_type", "node"),
            ("name", "Banadir MCH"),
            ("amenity", "clinic"),
            ("uuid", "u-606"),
            ("completeness", "10"),
            ("latitude", "2.03"),
            ("longitude", "45.33"),
        ]),
        line(&[
            ("iso3c", "SOM"),
            ("osm_id", "606"),
            ("osm_type", "node"),
            ("name", "Banadir MCH"),
            ("amenity", "clinic"),
            ("speciality", "vaccination, HIV"),
            ("uuid", "u-606"),
            ("completeness", "30"),
            ("latitude", "2.03"),
            ("longitude", "45.33"),
        ]),
    ];
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), &rows);
    let mut last = None;
    let imported = read_path(&path, &mut |p| last = Some(p)).unwrap();
    assert_eq!(imported.format, Format::Healthsites);
    let total = std::fs::metadata(&path).unwrap().len();
    assert_eq!(last, Some(Progress { done: total, total }));

    let ids: Vec<&str> = imported.services.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "5a1d0c8e9b7f4d2a8c3e6f1a2b3c4d5e",
            "way/202",
            "node/505",
            "u-606"
        ]
    );
    let [pumwani, pharmacy, dentist, banadir] = &imported.services[..] else {
        unreachable!()
    };
    assert_eq!(pumwani.name, "Pumwani Maternity Hospital");
    assert_eq!(
        pumwani.categories,
        ["primary_care", "emergency", "maternal", "child_health"]
    );
    assert_eq!(pumwani.country.as_deref(), Some("KE"));
    assert_eq!(pumwani.organization.as_deref(), Some("Nairobi City County"));
    assert_eq!(pumwani.phone.as_deref(), Some("+254 20 2222 181"));
    assert_eq!(pumwani.address.as_deref(), Some("Pumwani Road, Nairobi"));
    assert_eq!(pumwani.opening_hours.as_deref(), Some("24/7"));
    assert_eq!(pumwani.source.as_deref(), Some("healthsites.io"));
    assert_eq!(pumwani.timezone.as_deref(), Some("Africa/Nairobi"));
    assert_eq!((pumwani.lat, pumwani.lon), (-1.2833, 36.8417));

    assert_eq!(pharmacy.name, "Unnamed pharmacy");
    assert_eq!(
        pharmacy.categories,
        ["pharmacy"],
        "emergency=yes on a pharmacy is not an emergency service"
    );
    assert_eq!(pharmacy.country.as_deref(), Some("UG"));
    assert_eq!(pharmacy.timezone.as_deref(), Some("Africa/Kampala"));

    assert!(dentist.categories.is_empty());
    assert_eq!(dentist.country.as_deref(), Some("TZ"));

    assert_eq!(banadir.categories, ["primary_care", "immunization", "hiv"]);
    assert_eq!(banadir.country.as_deref(), Some("SO"));

    let skipped: Vec<(&str, &str)> = imported
        .skipped
        .iter()
        .map(|s| (s.location.as_str(), s.reason.as_str()))
        .collect();
    assert_eq!(
        skipped,
        [
            ("healthsites.csv row 4", "no latitude/longitude"),
            (
                "healthsites.csv row 5",
                "operational_status says \"non operational\""
            ),
            (
                "healthsites.csv row 7",
                "same OpenStreetMap object (node/101) as row 2, which was kept (more complete)"
            ),
            (
                "healthsites.csv row 8",
                "same OpenStreetMap object (node/606) as row 9, which was kept (more complete)"
            ),
        ]
    );
}

#[test]
fn bad_rows_are_refused_with_their_spreadsheet_row_number() {
    let mut rows: Vec<String> = (0..12)
        .map(|i| {
            facility(
                &format!("{i}"),
                &format!("Clinic {i}"),
                "clinic",
                "-1.3",
                "36.8",
            )
        })
        .collect();
    rows.push(facility("99", "Far away", "clinic", "-1.3", "200"));
    assert_eq!(
        read(&rows).unwrap_err().to_string(),
        "healthsites.csv row 14: longitude 200 is outside -180..180"
    );
    assert_eq!(
        read(&[facility("1", "A", "clinic", "-91", "36.8")])
            .unwrap_err()
            .to_string(),
        "healthsites.csv row 2: latitude -91 is outside -90..90"
    );
    assert_eq!(
        read(&[
            facility("1", "A", "clinic", "-1", "36.8"),
            facility("2", "B", "clinic", "1°S", "36.8"),
        ])
        .unwrap_err()
        .to_string(),
        "healthsites.csv row 3: latitude \"1°S\" is not a number"
    );
    // One uuid on two different OpenStreetMap objects: not a duplicate export row but a clash.
    let with_uuid = |osm_id: &str| {
        line(&[
            ("osm_id", osm_id),
            ("osm_type", "node"),
            ("name", "X"),
            ("amenity", "clinic"),
            ("uuid", "same"),
            ("latitude", "-1"),
            ("longitude", "36"),
        ])
    };
    assert_eq!(
        read(&[
            with_uuid("1"),
            facility("5", "B", "clinic", "-1", "36"),
            with_uuid("2")
        ])
        .unwrap_err()
        .to_string(),
        "healthsites.csv row 4 and row 2 share the id \"same\""
    );
    assert_eq!(
        read(&[
            facility("1", "A", "clinic", "-1", "36"),
            "KEN,Kenya,2\n".to_string()
        ])
        .unwrap_err()
        .to_string(),
        "healthsites.csv row 3: has 3 fields where the header has 35"
    );
}

#[test]
fn the_real_east_and_southern_africa_export_imports_in_full() {
    let Some(data) = common::shared_data() else {
        return;
    };
    let path = data.join("healthsites_east_southern_africa_2020.csv");
    let started = Instant::now();
    let imported = read_path(&path, &mut no_progress()).unwrap();
    let took = started.elapsed();
    println!(
        "healthsites: {} services, {} skipped, read in {:?}",
        imported.services.len(),
        imported.skipped.len(),
        took
    );
    assert_eq!(imported.format, Format::Healthsites);
    assert!(
        imported.services.len() > 18_000,
        "{}",
        imported.services.len()
    );
    assert_eq!(imported.services.len() + imported.skipped.len(), 18_732);

    let in_country = |cc: &str| {
        imported
            .services
            .iter()
            .filter(|s| s.country.as_deref() == Some(cc))
            .count()
    };
    for (cc, at_least) in [
        ("TZ", 5_500),
        ("UG", 2_500),
        ("ZA", 1_800),
        ("KE", 1_400),
        ("BI", 1_000),
    ] {
        assert!(in_country(cc) >= at_least, "{cc}: {}", in_country(cc));
    }
    assert!(imported.services.iter().all(|s| s.country.is_some()));

    let with_category = |c: &str| {
        imported
            .services
            .iter()
            .filter(|s| s.categories.iter().any(|x| x == c))
            .count()
    };
    println!(
        "categories: primary_care {}, pharmacy {}, emergency {}, maternal {}, laboratory {}, none {}",
        with_category("primary_care"),
        with_category("pharmacy"),
        with_category("emergency"),
        with_category("maternal"),
        with_category("laboratory"),
        imported.services.iter().filter(|s| s.categories.is_empty()).count()
    );
    assert!(with_category("primary_care") > 12_000);
    assert!(with_category("pharmacy") > 4_000);
    assert!(with_category("emergency") > 300);
    assert!(with_category("maternal") > 10);

    let first = &imported.services[0];
    assert_eq!(first.id, "708c11c04cd340dd9bcb931a2f15d3f5");
    assert_eq!(first.name, "CDS GASAMANZUKI");
    assert_eq!(first.country.as_deref(), Some("BI"));
    assert_eq!(first.timezone.as_deref(), Some("Africa/Bujumbura"));

    let kenyan: Vec<_> = imported
        .services
        .iter()
        .filter(|s| s.country.as_deref() == Some("KE"))
        .collect();
    let nairobi_time = kenyan
        .iter()
        .filter(|s| s.timezone.as_deref() == Some("Africa/Nairobi"))
        .count();
    assert!(
        nairobi_time * 100 >= kenyan.len() * 95,
        "{nairobi_time} of {}",
        kenyan.len()
    );
    // The whole region survives both exports Njia offers, unchanged.
    let dir = tempfile::tempdir().unwrap();
    let geojson = dir.path().join("region.geojson");
    njia_import::write_geojson(&imported.services, std::fs::File::create(&geojson).unwrap())
        .unwrap();
    let started = Instant::now();
    let back = read_path(&geojson, &mut no_progress()).unwrap();
    println!(
        "geojson: {} services read back in {:?}",
        back.services.len(),
        started.elapsed()
    );
    assert_same(&back.services, &imported.services);
    let hsds = dir.path().join("hsds");
    njia_import::write_hsds(&imported.services, &hsds).unwrap();
    let started = Instant::now();
    let back = read_path(&hsds, &mut no_progress()).unwrap();
    println!(
        "hsds: {} services read back in {:?}",
        back.services.len(),
        started.elapsed()
    );
    assert_same(&back.services, &imported.services);

    assert!(imported
        .skipped
        .iter()
        .all(|s| s.reason.starts_with("same OpenStreetMap object")
            || s.reason.starts_with("operational_status")));
}

/// Equal lists, reported by their first difference rather than 18,000 services of debug output.
fn assert_same(got: &[njia_import::Service], want: &[njia_import::Service]) {
    if let Some((g, w)) = got.iter().zip(want).find(|(g, w)| g != w) {
        panic!("first difference:\n got {g:?}\nwant {w:?}");
    }
    assert_eq!(got.len(), want.len());
}
