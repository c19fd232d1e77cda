//! A data officer or a CHW who points `import` at the wrong thing — a device, a file far
//! larger than any directory, a map in another projection, a package whose columns were
//! renamed — gets a sentence that says what is wrong, quickly, and nothing is stored: the
//! device's store and the office's directory stay as they were.

use std::path::Path;
use std::time::{Duration, Instant};

use njia_e2e::{Device, Run, Server};
use serde_json::{json, Value};

/// One clinic, so that "nothing stored" is a count that could change.
fn one_clinic(dir: &Path) -> std::path::PathBuf {
    let path = dir.join("one.geojson");
    let text = json!({"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [36.8516, -1.2741]},
         "properties": {"id": "svc-eastleigh", "name": "Eastleigh Health Centre"}}]});
    std::fs::write(&path, text.to_string()).expect("write the directory");
    path
}

/// A sparse file of 600 MiB: no disk taken, a length past the limit.
fn huge_file(dir: &Path) -> std::path::PathBuf {
    let path = dir.join("huge.geojson");
    std::fs::File::create(&path)
        .and_then(|f| f.set_len(600 * 1024 * 1024))
        .expect("a sparse file");
    path
}

/// Runs `command` and asserts it failed within `within`, returning what it printed.
fn fails_within(within: Duration, command: impl FnOnce() -> Run) -> Run {
    let started = Instant::now();
    let run = command();
    let took = started.elapsed();
    assert_ne!(run.code, 0, "should have failed:\nstdout: {}", run.stdout);
    assert!(took < within, "took {took:?}: {}", run.stderr);
    run
}

fn services_on_device(d: &Device) -> Value {
    d.run(&["status", "--json"]).ok().json()["services"].clone()
}

fn services_on_server(server: &Server) -> usize {
    let out = server.admin(&["export", "--format", "geojson"]).ok();
    serde_json::from_str::<Value>(&out.stdout).expect("GeoJSON")["features"]
        .as_array()
        .expect("features")
        .len()
}

#[test]
fn a_device_refuses_dev_zero_and_a_huge_file_naming_the_limit() {
    let d = Device::new();
    d.run(&["import", one_clinic(d.dir.path()).to_str().unwrap()])
        .ok();

    let r = fails_within(Duration::from_secs(20), || d.run(&["import", "/dev/zero"]));
    assert!(
        r.stderr
            .contains("/dev/zero: it is a character device, not a file")
            && r.stderr.contains("at most 512 MiB"),
        "{}",
        r.stderr
    );

    let huge = huge_file(d.dir.path());
    let r = fails_within(Duration::from_secs(20), || {
        d.run(&["import", huge.to_str().unwrap()])
    });
    assert!(
        r.stderr
            .contains("it is 600 MiB, past the 512 MiB Njia reads per file"),
        "{}",
        r.stderr
    );
    assert_eq!(services_on_device(&d), 1, "nothing stored");
}

#[test]
fn the_office_refuses_dev_zero_and_a_huge_file_naming_the_limit() {
    let server = Server::start(None);
    let clinic = one_clinic(server.dir.path());
    server.admin(&["import", clinic.to_str().unwrap()]).ok();

    let r = fails_within(Duration::from_secs(20), || {
        server.admin(&["import", "/dev/zero"])
    });
    assert!(
        r.stderr.contains("nothing was imported from /dev/zero")
            && r.stderr.contains("at most 512 MiB"),
        "{}",
        r.stderr
    );
    let huge = huge_file(server.dir.path());
    let r = fails_within(Duration::from_secs(20), || {
        server.admin(&["import", huge.to_str().unwrap()])
    });
    assert!(r.stderr.contains("past the 512 MiB"), "{}", r.stderr);
    assert_eq!(services_on_server(&server), 1, "nothing stored");
}

#[test]
fn a_geojson_file_in_web_mercator_is_refused_before_it_puts_clinics_in_the_sea() {
    let d = Device::new();
    d.run(&["import", one_clinic(d.dir.path()).to_str().unwrap()])
        .ok();
    let mercator = d.file(
        "mercator.geojson",
        &json!({"type": "FeatureCollection",
            "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::3857"}},
            "features": [{"type": "Feature",
                "geometry": {"type": "Point", "coordinates": [4_102_340.5, -141_834.2]},
                "properties": {"id": "svc-mercator", "name": "Somewhere in metres"}}]})
        .to_string(),
    );
    d.run(&["import", mercator.to_str().unwrap()]).fails_with(
        "the coordinate reference system (crs) is \"urn:ogc:def:crs:EPSG::3857\"; Njia reads \
         GeoJSON in WGS84 longitude/latitude only",
    );
    assert_eq!(services_on_device(&d), 1, "nothing stored");
}

/// An HSDS package of two services at two locations, the second not geocoded.
fn hsds_package(dir: &Path, locations_header: &str) -> std::path::PathBuf {
    let package = dir.join("hsds");
    std::fs::create_dir_all(&package).expect("mkdir");
    for (name, text) in [
        ("datapackage.json", "{}".to_string()),
        (
            "services.csv",
            "id,name,status\ns1,Migrant Health Desk,active\ns2,Hotline,active\n".to_string(),
        ),
        (
            "locations.csv",
            format!("{locations_header}\nl1,-1.2741,36.8516\nl2,,\n"),
        ),
        (
            "service_at_location.csv",
            "id,service_id,location_id\nsal1,s1,l1\nsal2,s2,l2\n".to_string(),
        ),
    ] {
        std::fs::write(package.join(name), text).expect("write the package");
    }
    package
}

#[test]
fn the_office_names_renamed_columns_and_says_why_rows_were_skipped() {
    let server = Server::start(None);
    let renamed = hsds_package(server.dir.path(), "id,lat,lon");
    server
        .admin(&["import", renamed.to_str().unwrap()])
        .fails_with(
            "locations.csv: the columns \"latitude\", \"longitude\" are missing (Njia needs id, \
             latitude, longitude); its header has id, lat, lon",
        );
    assert_eq!(services_on_server(&server), 0, "nothing stored");

    let fixed = hsds_package(server.dir.path(), "id,latitude,longitude");
    let r = server.admin(&["import", fixed.to_str().unwrap()]).ok();
    assert!(
        r.stdout
            .contains("1 new, 0 updated, 0 unchanged, 1 skipped.")
            && r.stdout.contains(
                "service_at_location.csv row 3: location \"l2\" has no latitude/longitude"
            ),
        "{}",
        r.stdout
    );
    assert_eq!(services_on_server(&server), 1);
}
