//! HSDS 3.0 tabular data packages: what other directories exchange, and what Njia exports.

mod common;

use std::path::Path;

use common::no_progress;
use njia_import::{read_path, write_hsds, Format, ImportError, Imported, Service};
use proptest::prelude::*;

fn package(dir: &Path, files: &[(&str, &str)]) {
    std::fs::write(
        dir.join("datapackage.json"),
        "{\"profile\": \"tabular-data-package\"}",
    )
    .unwrap();
    for (name, text) in files {
        std::fs::write(dir.join(name), text).unwrap();
    }
}

/// A small directory of two organisations, four services and three locations, with every
/// join Njia makes: phones, languages, schedules, attributes, addresses, documents, costs.
const SMALL: &[(&str, &str)] = &[
    (
        "organizations.csv",
        "id,name,description\n\
         o1,Kenya Red Cross,Humanitarian\n\
         o2,Eastleigh Community Health,Local\n",
    ),
    (
        "services.csv",
        "id,organization_id,name,description,url,email,status,interpretation_services,fees_description,fees\n\
         s1,o1,Migrant Health Desk,Primary care for new arrivals,https://redcross.example/desk,desk@redcross.example,active,\"Somali, Oromo and Amharic interpreters on Tuesdays\",,\n\
         s2,o2,Mobile HIV testing,,,,active,,,Free\n\
         s3,o2,Night clinic,,,,active,,,\n\
         s4,o1,Closed programme,,,,defunct,,,\n",
    ),
    (
        "locations.csv",
        "id,location_type,name,latitude,longitude\n\
         l1,physical,Eastleigh centre,-1.2741,36.8516\n\
         l2,physical,Kakuma camp,3.7167,34.8667\n\
         l3,virtual,Hotline,,\n",
    ),
    (
        "service_at_location.csv",
        "id,service_id,location_id,description\n\
         sal1,s1,l1,\n\
         sal2,s1,l2,Desk in the reception area of Kakuma\n\
         sal3,s2,l3,\n\
         sal4,s4,l1,\n",
    ),
    (
        "addresses.csv",
        "id,location_id,attention,address_1,address_2,city,region,state_province,postal_code,country,address_type\n\
         a1,l1,,PO Box 12,,Nairobi,,,00100,ke,postal\n\
         a2,l1,,1st Avenue,Section 3,Nairobi,,Nairobi County,,KE,physical\n",
    ),
    (
        "phones.csv",
        "id,location_id,service_id,organization_id,contact_id,service_at_location_id,number,extension,type,description\n\
         p1,,,,,sal1,+254 700 000001,,voice,Desk\n\
         p2,,s1,,,,+254 700 000002,12,voice,Programme line\n\
         p3,l2,,,,,+254 700 000003,,voice,Camp reception\n\
         p4,,,o1,,,+254 700 999999,,voice,Head office\n",
    ),
    (
        "languages.csv",
        "id,service_id,location_id,phone_id,name,code,note\n\
         g1,s1,,,Swahili,sw,\n\
         g2,,l2,,Somali,so,\n\
         g3,s1,,,English,en-KE,\n\
         g4,,,p1,Oromo,om,Phone line only\n\
         g5,,l1,,Unspecified,,\n",
    ),
    (
        "schedules.csv",
        "id,service_id,location_id,service_at_location_id,timezone,freq,interval,byday,opens_at,closes_at,byweekno,description\n\
         h1,s1,,,Africa/Nairobi,WEEKLY,,\"MO,TU,WE,TH,FR\",08:00:00,17:00:00,,Weekdays\n\
         h2,s1,,,Africa/Nairobi,WEEKLY,1,SA,09:00,12:00,,Saturday mornings\n\
         h3,,,sal2,,WEEKLY,,\"MO,WE\",10:00,14:00,,Kakuma desk days\n\
         h4,s3,,,,MONTHLY,,1MO,18:00,22:00,,First Monday\n",
    ),
    (
        "taxonomy_terms.csv",
        "id,code,name,description,taxonomy,taxonomy_id\n\
         t1,primary_care,Primary care,,Njia,\n\
         t2,free_of_charge,Free,,Njia,\n\
         t3,migrant_friendly,Migrant friendly,,Njia,\n\
         t4,tb,TB,,Njia,\n\
         t5,HIV,HIV,,Njia,\n\
         t6,12345,Something in another taxonomy,,Other,\n",
    ),
    (
        "attributes.csv",
        "id,link_id,taxonomy_term_id,link_type,link_entity,value\n\
         at1,s1,t1,,service,\n\
         at2,s1,t2,,service,\n\
         at3,s1,t3,,service,yes\n\
         at4,sal2,t4,,service_at_location,\n\
         at5,s1,t6,,service,\n\
         at6,s2,t5,,service,\n",
    ),
    (
        "required_documents.csv",
        "id,service_id,document,uri\n\
         d1,s1,None for emergencies,\n\
         d2,s1,UNHCR registration if you have it,\n",
    ),
    (
        "cost_options.csv",
        "id,service_id,valid_from,valid_to,option,currency,amount,amount_description\n\
         c1,s1,,,Consultation,kes,0,\n\
         c2,s1,,,Lab tests,kes,200,per test\n",
    ),
];

fn read_small() -> (tempfile::TempDir, Imported) {
    let dir = tempfile::tempdir().unwrap();
    package(dir.path(), SMALL);
    let imported = read_path(dir.path(), &mut no_progress()).unwrap();
    (dir, imported)
}

#[test]
fn a_small_package_joins_every_table_into_services() {
    let (_dir, imported) = read_small();
    assert_eq!(imported.format, Format::Hsds);
    let [desk, kakuma] = &imported.services[..] else {
        panic!("two placed services expected: {:?}", imported.services);
    };

    assert_eq!(desk.id, "sal1");
    assert_eq!(desk.name, "Migrant Health Desk");
    assert_eq!(desk.organization.as_deref(), Some("Kenya Red Cross"));
    assert_eq!(
        desk.description.as_deref(),
        Some("Primary care for new arrivals")
    );
    assert_eq!((desk.lat, desk.lon), (-1.2741, 36.8516));
    assert_eq!(
        desk.website.as_deref(),
        Some("https://redcross.example/desk")
    );
    assert_eq!(desk.email.as_deref(), Some("desk@redcross.example"));
    // The service-at-location's own phone wins over the service's and the location's.
    assert_eq!(desk.phone.as_deref(), Some("+254 700 000001"));
    assert_eq!(desk.languages, ["sw", "en"]);
    assert_eq!(desk.categories, ["primary_care"]);
    assert!(desk.free_of_charge && desk.migrant_friendly && desk.interpreter_available);
    assert!(!desk.no_documents_required && !desk.mobile_outreach);
    assert_eq!(
        desk.opening_hours.as_deref(),
        Some("Mo-Fr 08:00-17:00; Sa 09:00-12:00")
    );
    assert_eq!(desk.timezone.as_deref(), Some("Africa/Nairobi"));
    assert_eq!(
        desk.address.as_deref(),
        Some("1st Avenue, Section 3, Nairobi, Nairobi County")
    );
    assert_eq!(desk.country.as_deref(), Some("KE"));
    assert_eq!(
        desk.documents.as_deref(),
        Some("None for emergencies; UNHCR registration if you have it")
    );
    assert_eq!(
        desk.fees.as_deref(),
        Some("Consultation: 0 KES; Lab tests: 200 KES per test")
    );

    assert_eq!(kakuma.id, "sal2");
    assert_eq!(kakuma.name, "Migrant Health Desk");
    assert_eq!(
        kakuma.description.as_deref(),
        Some("Primary care for new arrivals")
    );
    // No phone of its own: the service's line, with its extension.
    assert_eq!(kakuma.phone.as_deref(), Some("+254 700 000002 ext. 12"));
    assert_eq!(kakuma.languages, ["sw", "so", "en"]);
    assert_eq!(kakuma.categories, ["primary_care", "tb"]);
    assert_eq!(kakuma.opening_hours.as_deref(), Some("Mo,We 10:00-14:00"));
    // Its own schedule names no zone: the map says Kakuma keeps Nairobi time.
    assert_eq!(kakuma.timezone.as_deref(), Some("Africa/Nairobi"));
    assert_eq!(kakuma.address, None);

    let skipped: Vec<(&str, &str)> = imported
        .skipped
        .iter()
        .map(|s| (s.location.as_str(), s.reason.as_str()))
        .collect();
    assert_eq!(
        skipped,
        [
            (
                "service_at_location.csv row 4",
                "location \"l3\" has no latitude/longitude"
            ),
            (
                "service_at_location.csv row 5",
                "the service's status is defunct"
            ),
            (
                "services.csv row 4",
                "service \"Night clinic\" has no location (no row in service_at_location.csv)"
            ),
        ]
    );
}

#[test]
fn the_datapackage_file_itself_opens_its_folder() {
    let dir = tempfile::tempdir().unwrap();
    package(dir.path(), SMALL);
    let imported = read_path(&dir.path().join("datapackage.json"), &mut no_progress()).unwrap();
    assert_eq!(imported.services.len(), 2);
}

/// The package with one file replaced.
fn error_with(file: &str, text: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    package(dir.path(), SMALL);
    std::fs::write(dir.path().join(file), text).unwrap();
    read_path(dir.path(), &mut no_progress())
        .unwrap_err()
        .to_string()
}

#[test]
fn bad_packages_are_refused_naming_file_and_row() {
    assert_eq!(
        error_with(
            "locations.csv",
            "id,location_type,latitude,longitude\nl1,physical,-1.2,36.8\nl2,physical,100,36\nl3,virtual,,\n"
        ),
        "locations.csv row 3: latitude 100 is outside -90..90"
    );
    assert_eq!(
        error_with(
            "locations.csv",
            "id,location_type,latitude,longitude\nl1,physical,-1.2,\nl2,physical,1,36\nl3,virtual,,\n"
        ),
        "locations.csv row 2: latitude is given but longitude is empty"
    );
    assert_eq!(
        error_with(
            "locations.csv",
            "id,location_type,latitude,longitude\nl1,physical,-1.2,36.8E\nl2,physical,1,36\nl3,virtual,,\n"
        ),
        "locations.csv row 2: longitude \"36.8E\" is not a number"
    );
    assert_eq!(
        error_with(
            "service_at_location.csv",
            "id,service_id,location_id\nsal1,s1,l1\nsal2,s9,l1\n"
        ),
        "service_at_location.csv row 3: service_id \"s9\" is not in services.csv"
    );
    assert_eq!(
        error_with(
            "service_at_location.csv",
            "id,service_id,location_id\nsal1,s1,l1\nsal2,s1,l9\n"
        ),
        "service_at_location.csv row 3: location_id \"l9\" is not in locations.csv"
    );
    assert_eq!(
        error_with(
            "service_at_location.csv",
            "id,service_id,location_id\nx,s1,l1\nsal2,s1,l2\nx,s2,l2\n"
        ),
        "service_at_location.csv row 4 and row 2 share the id \"x\""
    );
    assert_eq!(
        error_with(
            "services.csv",
            "id,organization_id,name,status\ns1,o1,A,active\ns2,o1,B,active\ns4,o1,D,active\ns1,o2,C,active\n"
        ),
        "services.csv row 5 and row 2 share the id \"s1\""
    );
    assert_eq!(
        error_with(
            "services.csv",
            "id,organization_id,name,status\ns1,o7,A,active\ns2,o1,B,active\ns4,o1,D,active\n"
        ),
        "services.csv row 2: organization_id \"o7\" is not in organizations.csv"
    );
    assert_eq!(
        error_with(
            "services.csv",
            "id,organization_id,name,status\ns1,o1,,active\ns2,o1,B,active\ns4,o1,D,active\n"
        ),
        "service_at_location.csv row 2: name is missing or empty"
    );
    assert_eq!(
        error_with("languages.csv", "id,service_id,code\ng1,s1,sw\ng2,s1,English\n"),
        "languages.csv row 3: \"English\" is not an ISO 639 language code (two or three letters, like sw or som)"
    );
    assert_eq!(
        error_with(
            "attributes.csv",
            "id,link_id,taxonomy_term_id,link_entity,value\nat1,s1,t2,service,sometimes\n"
        ),
        "attributes.csv row 2: value \"sometimes\" of free_of_charge is not true or false (or yes/no)"
    );
    assert_eq!(
        error_with(
            "addresses.csv",
            "id,location_id,address_1,city,country,address_type\na1,l1,1st Avenue,Nairobi,Kenya,physical\n"
        ),
        "addresses.csv row 2: country \"Kenya\" is not an ISO 3166 two-letter country code"
    );
    assert_eq!(
        error_with("phones.csv", "id,number\np1,1\np2,2,3\n"),
        "phones.csv row 3: has 3 fields where the header has 2"
    );

    let dir = tempfile::tempdir().unwrap();
    package(dir.path(), SMALL);
    let services = dir.path().join("services.csv");
    std::fs::remove_file(&services).unwrap();
    let err = read_path(dir.path(), &mut no_progress()).unwrap_err();
    assert!(matches!(err, ImportError::Read { .. }), "{err}");
    assert!(
        err.to_string()
            .starts_with(&format!("cannot read {}: ", services.display())),
        "{err}"
    );
}

#[test]
fn renamed_columns_are_named_with_their_file_instead_of_skipping_every_service() {
    // Before, a locations.csv with lat/lon read as "every location has no coordinates": five
    // services skipped and nothing imported, with no word of the columns.
    let dir = tempfile::tempdir().unwrap();
    package(dir.path(), SMALL);
    std::fs::write(
        dir.path().join("locations.csv"),
        "id,location_type,name,lat,longitude\nl1,physical,Eastleigh centre,-1.2741,36.8516\n",
    )
    .unwrap();
    let err = read_path(dir.path(), &mut no_progress()).unwrap_err();
    assert!(
        matches!(&err, ImportError::MissingColumns { file, missing, .. }
            if file == "locations.csv" && missing == &["latitude"]),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "locations.csv: the column \"latitude\" is missing (Njia needs id, latitude, longitude); \
         its header has id, location_type, name, lat, longitude"
    );
    assert_eq!(
        error_with(
            "services.csv",
            "id,organization_id,title,status\ns1,o1,Migrant Health Desk,active\n"
        ),
        "services.csv: the column \"name\" is missing (Njia needs id, name); its header has id, \
         organization_id, title, status"
    );
    assert_eq!(
        error_with(
            "service_at_location.csv",
            "id,service,location\nsal1,s1,l1\n"
        ),
        "service_at_location.csv: the columns \"service_id\", \"location_id\" are missing (Njia \
         needs id, service_id, location_id); its header has id, service, location"
    );
    // A table every package has is checked even when it holds no rows; an empty file has no
    // header at all.
    assert_eq!(
        error_with("services.csv", ""),
        "services.csv: the columns \"id\", \"name\" are missing (Njia needs id, name); it has \
         no header"
    );
    // The other tables are checked when they hold rows: a phones.csv whose numbers are under
    // another name would give every service no phone.
    assert_eq!(
        error_with("phones.csv", "id,service_id,phone\np1,s1,+254 700 000001\n"),
        "phones.csv: the column \"number\" is missing (Njia needs number); its header has id, \
         service_id, phone"
    );
    let dir = tempfile::tempdir().unwrap();
    package(dir.path(), SMALL);
    std::fs::write(dir.path().join("phones.csv"), "id,service_id,phone\n").unwrap();
    assert_eq!(
        read_path(dir.path(), &mut no_progress())
            .unwrap()
            .services
            .len(),
        read_small().1.services.len(),
        "a header-only optional table is empty, not wrong"
    );
}

#[test]
fn the_official_hsds_example_is_refused_for_its_latitude_of_100() {
    let Some(data) = common::shared_data() else {
        return;
    };
    let example = data.join("hsds-3.0/examples_csv");
    let err = read_path(&example, &mut no_progress()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "locations.csv row 2: latitude 100 is outside -90..90"
    );
    assert!(matches!(err, ImportError::Invalid { field: Some(ref f), .. } if f == "latitude"));
}

#[test]
fn the_official_hsds_example_with_a_real_place_imports() {
    let Some(data) = common::shared_data() else {
        return;
    };
    let example = data.join("hsds-3.0/examples_csv");
    let dir = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(&example).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), dir.path().join(entry.file_name())).unwrap();
    }
    let locations = dir.path().join("locations.csv");
    let text = std::fs::read_to_string(&locations).unwrap();
    std::fs::write(&locations, text.replace(",100,101,", ",51.5072,-0.1276,")).unwrap();

    let imported = read_path(dir.path(), &mut no_progress()).unwrap();
    let [service] = &imported.services[..] else {
        panic!("{:?}", imported.services);
    };
    assert_eq!(service.id, "e94c9f38-1e8f-4564-91d4-d53501ab1765");
    assert_eq!(service.name, "Community Counselling");
    assert_eq!(
        service.organization.as_deref(),
        Some("Example Organization Inc.")
    );
    assert_eq!(service.phone.as_deref(), Some("+44 1234 234567 ext. 100"));
    assert_eq!(service.languages, ["ur"]);
    assert!(service.interpreter_available);
    assert_eq!(service.country.as_deref(), Some("US"));
    assert_eq!(
        service.address.as_deref(),
        Some("1-30 Main Street, MyVillage, MyCity, MyRegion, MyState, ABC 1234")
    );
    assert!(service
        .fees
        .as_deref()
        .unwrap()
        .ends_with("; Under 18s and Over 60s: 35 GBP per 1 hour session"));
    assert!(service
        .documents
        .as_deref()
        .unwrap()
        .starts_with("Any official identification"));
    // Its schedule is for weeks 41 and 42 only: not plain weekly hours, so none rather than wrong ones.
    assert_eq!(service.opening_hours, None);
    // `timezone` there is the offset 3, not a zone name: the map decides.
    assert_eq!(service.timezone.as_deref(), Some("Europe/London"));
}

#[test]
fn an_export_keeps_weekly_hours_in_schedules_and_the_rest_in_attributes() {
    let dir = tempfile::tempdir().unwrap();
    let mut weekly = Service::new("w", "Weekly", -1.0, 36.0);
    weekly.opening_hours = Some("Mo-Fr 08:00-17:00; Sa 09:00-12:00".into());
    weekly.timezone = Some("Africa/Nairobi".into());
    let mut holidays = Service::new("h", "Holidays", -1.0, 36.0);
    holidays.opening_hours = Some("Mo-Fr 08:00-17:00; PH off".into());
    holidays.organization = Some("Kenya Red Cross".into());
    let mut same = Service::new("s", "Kakuma Hospital", 3.7, 34.9);
    same.organization = Some("Kakuma Hospital".into());
    same.timezone = Some("Africa/Nairobi".into());
    write_hsds(
        &[weekly.clone(), holidays.clone(), same.clone()],
        dir.path(),
    )
    .unwrap();

    let schedules = std::fs::read_to_string(dir.path().join("schedules.csv")).unwrap();
    let lines: Vec<&str> = schedules.lines().collect();
    assert_eq!(
        lines[0],
        "id,service_at_location_id,freq,byday,opens_at,closes_at"
    );
    assert_eq!(lines.len(), 3, "{schedules}");
    assert!(
        lines[1].ends_with(",w,WEEKLY,\"MO,TU,WE,TH,FR\",08:00,17:00"),
        "{}",
        lines[1]
    );
    assert!(
        lines[2].ends_with(",w,WEEKLY,SA,09:00,12:00"),
        "{}",
        lines[2]
    );
    let attributes = std::fs::read_to_string(dir.path().join("attributes.csv")).unwrap();
    assert!(
        attributes.contains("Mo-Fr 08:00-17:00; PH off"),
        "{attributes}"
    );

    let descriptor: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("datapackage.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(descriptor["profile"], "tabular-data-package");
    let resources = descriptor["resources"].as_array().unwrap();
    for resource in resources {
        let path = resource["path"].as_str().unwrap();
        let header = std::fs::read_to_string(dir.path().join(path)).unwrap();
        let fields: Vec<&str> = resource["schema"]["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["name"].as_str().unwrap())
            .collect();
        assert_eq!(header.lines().next().unwrap(), fields.join(","), "{path}");
    }

    let back = read_path(dir.path(), &mut no_progress()).unwrap();
    assert_eq!(back.services[0], weekly);
    assert_eq!(back.services[1].opening_hours, holidays.opening_hours);
    assert_eq!(
        back.services[1].organization.as_deref(),
        Some("Kenya Red Cross")
    );
    // Written without a zone, read with the one of its place.
    assert_eq!(back.services[1].timezone.as_deref(), Some("Africa/Nairobi"));
    // An organization named like its service is not mistaken for the stand-in of none.
    assert_eq!(back.services[2], same);

    // An export is reproducible: the same services give the same files.
    let again = tempfile::tempdir().unwrap();
    write_hsds(&[weekly, holidays, same], again.path()).unwrap();
    for resource in resources {
        let path = resource["path"].as_str().unwrap();
        assert_eq!(
            std::fs::read(dir.path().join(path)).unwrap(),
            std::fs::read(again.path().join(path)).unwrap(),
            "{path}"
        );
    }
}

#[test]
fn an_export_of_an_import_is_the_same_directory() {
    let (_dir, imported) = read_small();
    let out = tempfile::tempdir().unwrap();
    write_hsds(&imported.services, out.path()).unwrap();
    let back = read_path(out.path(), &mut no_progress()).unwrap();
    assert_eq!(back.services, imported.services);
    assert!(back.skipped.is_empty());
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn written_hsds_reads_back_unchanged(services in common::services()) {
        let dir = tempfile::tempdir().unwrap();
        write_hsds(&services, dir.path()).unwrap();
        let back = read_path(dir.path(), &mut no_progress()).unwrap();
        prop_assert_eq!(back.format, Format::Hsds);
        prop_assert!(back.skipped.is_empty(), "{:?}", back.skipped);
        prop_assert_eq!(back.services, services);
    }
}
