//! A wrong path handed to an import — a device, a huge file — fails in words, quickly, instead
//! of being read until the machine runs out of memory.

mod common;

use std::fs::File;
use std::path::Path;
use std::time::{Duration, Instant};

use common::no_progress;
use njia_import::{read_path, ImportError, MAX_FILE_BYTES};

/// A sparse file of `len` bytes: it takes no disk, but its length says it is huge.
fn sparse(path: &Path, len: u64) {
    File::create(path).unwrap().set_len(len).unwrap();
}

fn refused_quickly(path: &Path) -> ImportError {
    let started = Instant::now();
    let err = read_path(path, &mut no_progress()).unwrap_err();
    let took = started.elapsed();
    assert!(
        took < Duration::from_secs(2),
        "{} took {took:?} to be refused",
        path.display()
    );
    err
}

#[test]
fn the_limit_is_512_mib() {
    assert_eq!(MAX_FILE_BYTES, 512 * 1024 * 1024);
}

#[test]
fn dev_zero_is_refused_as_a_device_naming_the_limit() {
    let err = refused_quickly(Path::new("/dev/zero"));
    assert!(matches!(err, ImportError::NotAFile { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        "cannot import /dev/zero: it is a character device, not a file; Njia imports files \
         (or pipes) of at most 512 MiB"
    );
}

#[test]
fn a_file_past_the_limit_is_refused_by_its_length_before_it_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("huge.geojson");
    sparse(&path, 600 * 1024 * 1024);
    let err = refused_quickly(&path);
    assert!(
        matches!(err, ImportError::TooLarge { size: Some(s), .. } if s == 600 * 1024 * 1024),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        format!(
            "cannot import {}: it is 600 MiB, past the 512 MiB Njia reads per file; split it \
             into smaller files",
            path.display()
        )
    );
}

#[test]
fn one_byte_past_the_limit_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let over = dir.path().join("over.csv");
    sparse(&over, MAX_FILE_BYTES + 1);
    assert!(matches!(
        refused_quickly(&over),
        ImportError::TooLarge { size: Some(s), .. } if s == MAX_FILE_BYTES + 1
    ));
}

#[test]
fn a_huge_table_in_an_hsds_package_is_refused_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("datapackage.json"), "{}").unwrap();
    std::fs::write(dir.path().join("services.csv"), "id,name\n").unwrap();
    std::fs::write(dir.path().join("locations.csv"), "id,latitude,longitude\n").unwrap();
    std::fs::write(
        dir.path().join("service_at_location.csv"),
        "id,service_id,location_id\n",
    )
    .unwrap();
    sparse(&dir.path().join("phones.csv"), 2 * 1024 * 1024 * 1024);
    let err = refused_quickly(dir.path());
    let text = err.to_string();
    assert!(text.contains("phones.csv: it is 2 GiB"), "{text}");
    assert!(text.contains("512 MiB"), "{text}");
}
