//! Reads directory data that field offices already have — an Open Referral HSDS 3.0 data
//! package, a GeoJSON FeatureCollection of points, or a healthsites.io CSV export — into Njia
//! [`Service`]s, and writes services back out as GeoJSON or HSDS.
//!
//! The device (`njia import FILE|DIR`) and the server (`njia-server import`, `export`) both
//! call it, so it touches no store and no network: it turns files into validated,
//! normalised services, or into one error that says where and what is wrong.
//!
//! ```
//! # fn main() -> Result<(), njia_import::ImportError> {
//! let dir = tempfile::tempdir().unwrap();
//! let file = dir.path().join("clinics.geojson");
//! std::fs::write(&file, r#"{"type": "FeatureCollection", "features": [
//!   {"type": "Feature", "geometry": {"type": "Point", "coordinates": [36.8516, -1.2741]},
//!    "properties": {"id": "eastleigh-1", "name": "Eastleigh Health Centre",
//!                   "categories": "primary_care, hiv", "languages": ["sw", "so"],
//!                   "free_of_charge": "yes", "opening_hours": "Mo-Fr 08:00-17:00"}}]}"#).unwrap();
//!
//! let imported = njia_import::read_path(&file, &mut |_progress| {})?;
//! assert_eq!(imported.format, njia_import::Format::GeoJson);
//! let clinic = &imported.services[0];
//! assert_eq!(clinic.categories, ["primary_care", "hiv"]);
//! assert!(clinic.free_of_charge);
//! // No time zone in the file: it is looked up from the coordinates.
//! assert_eq!(clinic.timezone.as_deref(), Some("Africa/Nairobi"));
//! # Ok(()) }
//! ```
//!
//! # Rules shared by every format
//! - **Bounded.** Each file is read whole into memory, so a file past [`MAX_FILE_BYTES`]
//!   (512 MiB) is refused in words before it is parsed: by its length, or, for a pipe or a
//!   file that grows, as soon as the read passes the limit. Devices (`/dev/zero`) and
//!   sockets are refused outright.
//! - **All or nothing.** Any bad row or feature makes [`read_path`] return an error and no
//!   services, so the caller stores nothing. Rows that are not wrong but cannot be placed on a
//!   map (no coordinates, a closed facility) are *skipped* and listed in
//!   [`Imported::skipped`] with the reason.
//! - **Errors name the place and the problem**: `feature 4: latitude 123.4 is outside -90..90`,
//!   `healthsites.csv row 14: longitude 200 is outside -180..180`. CSV rows are numbered as a
//!   spreadsheet shows them (the header is row 1); features count from 1.
//! - **Ids are stable**, so a re-import updates rather than duplicates. Two rows or features of
//!   one input with the same id are an error (`feature 9 and feature 3 share the id "abc"`).
//! - Every service goes through [`Service::normalize`]. A service without a time zone gets one
//!   from its coordinates (tzf-rs, built once per import and only when needed).
//!
//! # GeoJSON (DESIGN §5)
//! A FeatureCollection of `Point`s (`[lon, lat]`, WGS84 as RFC 7946 says). A `crs` member
//! (from the 2008 spec, still written by GIS tools) must name WGS84
//! (`urn:ogc:def:crs:OGC:1.3:CRS84`, `EPSG:4326`, `urn:ogc:def:crs:EPSG::4326`...); a file
//! in any other projection (`EPSG:3857`...) is refused, since its coordinates would be read
//! as degrees. Properties use the names of the Njia model:
//! `name` (required); `id`, else the feature's own `id` (string or number), else a UUIDv5 of
//! the name and coordinates; `categories` and `languages` as arrays or comma-separated text;
//! `free_of_charge`, `no_documents_required`, `interpreter_available`, `migrant_friendly`,
//! `mobile_outreach` as booleans or `"yes"`/`"no"`/`"true"`/`"false"`; `organization`,
//! `description`, `phone`, `email`, `website`, `address`, `country` (ISO 3166 alpha-2),
//! `opening_hours` (OSM syntax), `timezone` (IANA), `fees`, `documents`, `source` as text.
//! Other properties are ignored. [`write_geojson`] writes the same names.
//!
//! # healthsites.io CSV
//! The layout of the healthsites.io export (`osm_id`, `osm_type`, `name`, `amenity`,
//! `healthcare`, `speciality`, ..., `latitude`, `longitude`). The id is `uuid`, else
//! `osm_type/osm_id`; `country` comes from `iso3c`, `phone` from `contact_number`, `address`
//! from `addr_full`, `organization` from `operator`, `opening_hours` is copied as it is, and
//! `source` is `healthsites.io`. Rows without coordinates and rows whose
//! `operational_status` says the facility is closed are skipped. The export lists some
//! OpenStreetMap objects twice (same `uuid` and `osm_id`, different tags): the more complete
//! row (`completeness`) is kept and the other is skipped; two *different* objects with one id
//! are an error. A row without a name is named after its kind (`Unnamed pharmacy`), because
//! a CHW can still use a pharmacy whose name nobody mapped.
//!
//! Categories come from `amenity`, `healthcare`, `health_amenity_type`, `speciality` and
//! `emergency`:
//!
//! | source value | category |
//! |---|---|
//! | hospital, clinic, doctors, doctor, health_post, centre, general_practitioner, dispensary, nurse; speciality general/gp | `primary_care` |
//! | pharmacy, chemist; speciality pharmac… | `pharmacy` |
//! | laboratory, medical_laboratory; speciality laborat…, patholog…, biolog…, blood… | `laboratory` |
//! | birthing_center; speciality matern…, obst…, gyn…, midwi…, perinat…, antenat…, accouch…, sage(-femme), doula, birth… | `maternal` |
//! | speciality paediatr…, pediatr…, pédiatr…, neonat…, child… | `child_health` |
//! | speciality vaccin…, immuni… | `immunization` |
//! | speciality hiv, aids, pmtct, vct, antiretro… | `hiv` |
//! | speciality tb, tubercul… | `tb` |
//! | speciality malaria | `malaria` |
//! | speciality psychiatr…, mental…, dementia | `mental_health` |
//! | speciality psycholog…, counsel… | `psychosocial` |
//! | speciality sexual…, contracept…, fertility, reproduct…, (family) planning | `srh` |
//! | speciality nutrition, malnutri… | `nutrition` |
//! | `emergency=yes` on a hospital, clinic or doctors; speciality/health_amenity_type emergency…, urgence…, trauma, casualty | `emergency` |
//! | rehabilitation, physiotherapist, occupational_therapist, audiologist, speech_therapist; speciality rehab…, physiother…, kinesi…, audiolog…, speech/speach, appareillage, prosthe…, disab… | `disability` |
//! | speciality gbv, violence… | `gbv` |
//! | speciality harm (reduction), methadone | `harm_reduction` |
//!
//! Specialities are split into words; `…` marks a word prefix. Anything else (dentists,
//! optometrists, surgery, radiology...) is not mapped: Njia has no category for it, and
//! filing a dentist under `primary_care` would send a feverish child there.
//!
//! # HSDS 3.0 tabular data package
//! A folder with `datapackage.json` (which only marks the folder: files are found by their
//! HSDS names, `services.csv`, `locations.csv`, ...). `services.csv` needs the columns `id`
//! and `name`, `locations.csv` `id`, `latitude` and `longitude`, `service_at_location.csv`
//! `id`, `service_id` and `location_id`; the other tables, when they hold rows, the columns
//! they are read for (`phones.csv` `number`, `languages.csv` `code`...). A missing column is
//! an error naming the file, the columns and the header the file has. Each `service_at_location` row whose
//! location has coordinates becomes one service: id = `service_at_location.id`, name =
//! service name, organization = organization name, description = service description
//! (else the service-at-location one), email and website from the service. Joined on the
//! service-at-location, else the service, else the location (else, for phones, the
//! organization): `phones.csv` (numbers joined with `, `, with their extension) and
//! `schedules.csv` (weekly rows converted to OSM `opening_hours`, e.g.
//! `Mo-Fr 08:00-17:00; Sa 09:00-12:00`; rows that are not plain weekly hours leave
//! `opening_hours` empty rather than half-true). `languages.csv` codes of
//! the service or location; `addresses.csv` (the physical address first) gives `address` and
//! `country`; `required_documents.csv` gives `documents`; `fees_description` (else `fees`)
//! and `cost_options.csv` give `fees`; a time zone from `schedules.timezone` is used when it
//! is an IANA name. `attributes.csv` rows linked to the service or the service-at-location
//! whose taxonomy term `code` is a Njia category set `categories`; codes `free_of_charge`,
//! `no_documents_required`, `interpreter_available`, `migrant_friendly`, `mobile_outreach`
//! set those flags (value empty, `true` or `yes`); a non-empty `interpretation_services`
//! also sets `interpreter_available`. Services that are `inactive` or `defunct`, or have no
//! geocoded location, are skipped.
//!
//! [`write_hsds`] writes the same conventions back: `organizations.csv`, `services.csv`,
//! `locations.csv`, `service_at_location.csv`, `addresses.csv`, `phones.csv`,
//! `languages.csv`, `schedules.csv`, `required_documents.csv`, `attributes.csv`,
//! `taxonomies.csv`, `taxonomy_terms.csv` and a `datapackage.json` describing them. Ids of
//! the HSDS service, location and organization are UUIDv5s derived from the Njia id (or the
//! organization name), so an export is reproducible; the service-at-location id is the Njia
//! id. A service without an organization gets one named after itself (HSDS requires one),
//! whose id (a UUIDv5 of the service id) tells [`read_path`] that it stands in for none.
//! Opening hours go to `schedules.csv` when they are plain weekly hours that read back
//! identically; otherwise they are kept verbatim in an attribute with the term
//! `njia:opening_hours`. The time zone (HSDS `schedules.timezone` is a UTC offset, which
//! cannot express daylight saving) and `source` travel as `njia:timezone` and `njia:source`
//! attributes. [`read_path`] of a folder written by [`write_hsds`] gives back the same
//! services.

mod error;
mod geojson;
mod healthsites;
mod hours;
mod hsds;
mod limit;
mod place;
mod timezone;

use std::collections::HashMap;
use std::fmt;
use std::io::Write;
use std::path::Path;

pub use error::ImportError;
pub use limit::MAX_FILE_BYTES;
pub use njia_model::service::Service;

use place::Place;

/// The formats Njia reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// An Open Referral HSDS 3.0 tabular data package (a folder with `datapackage.json`).
    Hsds,
    /// A GeoJSON FeatureCollection of points.
    GeoJson,
    /// The healthsites.io CSV export.
    Healthsites,
}

impl Format {
    /// A short name for messages and `--json` output.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Hsds => "hsds",
            Format::GeoJson => "geojson",
            Format::Healthsites => "healthsites",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Format::Hsds => "HSDS 3.0 data package",
            Format::GeoJson => "GeoJSON",
            Format::Healthsites => "healthsites.io CSV",
        })
    }
}

/// How far a read has come, for a progress bar. `total` is whatever is cheap to know up front
/// (bytes of a file, rows of a table); `done` counts in the same unit and reaches `total` at
/// the end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    pub done: u64,
    pub total: u64,
}

/// A successful read: every service valid and normalised, ids unique.
#[derive(Debug, Clone, PartialEq)]
pub struct Imported {
    pub format: Format,
    pub services: Vec<Service>,
    /// Rows left out on purpose (no coordinates, closed, duplicate export rows), so the
    /// caller can tell the user how many and why.
    pub skipped: Vec<Skipped>,
}

/// A row that was left out without failing the import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// Where it is, as a person would look for it: `services.csv row 7`, `feature 3`.
    pub location: String,
    /// Why, in words.
    pub reason: String,
}

/// Reads a file or folder, telling its format from its content: a folder with
/// `datapackage.json` (or that file itself) is HSDS, a JSON FeatureCollection is GeoJSON, a
/// CSV with the healthsites.io columns is healthsites.
///
/// `progress` is called now and then, and once at the end with `done == total`.
///
/// # Errors
/// Any unreadable file, malformed content or invalid row; a file past [`MAX_FILE_BYTES`], or
/// a device like `/dev/zero`, which has no end. Nothing is returned then, so the caller
/// stores nothing (DESIGN §5: all-or-nothing).
pub fn read_path(path: &Path, progress: &mut dyn FnMut(Progress)) -> Result<Imported, ImportError> {
    let meta = std::fs::metadata(path).map_err(|e| ImportError::read(path, e))?;
    if meta.is_dir() {
        if path.join(hsds::DESCRIPTOR).is_file() {
            return hsds::read(path, progress);
        }
        return Err(ImportError::UnknownFormat { path: path.into() });
    }
    if path.file_name().is_some_and(|n| n == hsds::DESCRIPTOR) {
        let dir = path.parent().unwrap_or_else(|| Path::new("."));
        let dir = if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        };
        return hsds::read(dir, progress);
    }
    let bytes = limit::read_file(path)?;
    let start = strip_bom(&bytes).trim_ascii_start();
    match start.first() {
        Some(b'{') => geojson::read(path, &bytes, progress),
        Some(_) if healthsites::looks_like(&bytes) => healthsites::read(path, &bytes, progress),
        _ => Err(ImportError::UnknownFormat { path: path.into() }),
    }
}

/// Writes services as a GeoJSON FeatureCollection of points, one feature per line, with the
/// property names of DESIGN §5 (see the crate docs); [`read_path`] reads it back unchanged.
///
/// # Errors
/// When `out` cannot be written.
pub fn write_geojson<W: Write>(services: &[Service], out: W) -> Result<(), ImportError> {
    geojson::write(services, out)
}

/// Writes services as an HSDS 3.0 tabular data package into `dir` (created if missing),
/// following the conventions in the crate docs; [`read_path`] reads it back unchanged.
/// Services are expected to be normalised and to have unique ids, as [`read_path`] returns
/// them.
///
/// # Errors
/// When the folder or a file in it cannot be written.
pub fn write_hsds(services: &[Service], dir: &Path) -> Result<(), ImportError> {
    hsds::write(services, dir)
}

fn strip_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)
}

/// A CSV reading error at spreadsheet row `row` (the header is row 1).
pub(crate) fn csv_error(file: &str, row: u64, e: csv::Error) -> ImportError {
    let location = format!("{file} row {row}");
    let message = match e.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => format!("has {len} fields where the header has {expected_len}"),
        csv::ErrorKind::Utf8 { err, .. } => {
            format!("field {} is not valid UTF-8", err.field() + 1)
        }
        _ => format!("cannot be read as CSV: {e}"),
    };
    ImportError::Csv { location, message }
}

/// A service as read, before it is checked, with where it came from.
pub(crate) struct Row {
    pub place: Place,
    pub service: Service,
}

/// Checks and normalises every row, refuses duplicate ids, fills time zones: the part of an
/// import that is the same for every format.
pub(crate) fn finish(
    format: Format,
    rows: Vec<Row>,
    skipped: Vec<Skipped>,
) -> Result<Imported, ImportError> {
    let mut seen: HashMap<String, Place> = HashMap::with_capacity(rows.len());
    let mut services = Vec::with_capacity(rows.len());
    for Row { place, service } in rows {
        let service = service.normalize().map_err(|e| ImportError::Invalid {
            location: place.to_string(),
            field: Some(e.field),
            message: e.message,
        })?;
        if let Some(earlier) = seen.get(&service.id) {
            return Err(ImportError::DuplicateId {
                location: place.to_string(),
                earlier: earlier.short(),
                id: service.id,
            });
        }
        seen.insert(service.id.clone(), place);
        services.push(service);
    }
    timezone::fill_missing(&mut services);
    Ok(Imported {
        format,
        services,
        skipped,
    })
}

/// A namespace for the UUIDv5s this crate derives, so they never collide with another
/// system's v5 ids of the same names.
pub(crate) const NAMESPACE: uuid::Uuid =
    uuid::Uuid::from_u128(0x6e6a_6961_2d69_6d70_6f72_7400_0000_0001);

/// A stable id from parts that identify a thing (`derived_id(&["location", service_id])`).
pub(crate) fn derived_id(parts: &[&str]) -> String {
    uuid::Uuid::new_v5(&NAMESPACE, parts.join("\u{1f}").as_bytes()).to_string()
}
