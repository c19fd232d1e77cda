//! Why an import or an export failed, in words a data officer can act on: every message names
//! the place (file, row or feature) and the problem.

use std::io;
use std::path::PathBuf;

/// An import that stored nothing, or an export that did not finish.
///
/// Each variant's `Display` is one self-contained sentence, so the CLI and the server can show
/// it as it is; callers that need to react differently match on the variant.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ImportError {
    /// A file or folder could not be read.
    #[error("cannot read {}: {source}", .path.display())]
    Read { path: PathBuf, source: io::Error },

    /// An output file, folder or stream could not be written.
    #[error("cannot write {what}: {source}")]
    Write { what: String, source: io::Error },

    /// A file past the bound of what an import reads ([`crate::MAX_FILE_BYTES`]), refused
    /// before it fills the memory.
    #[error("{}", too_large(path, *size, *limit))]
    TooLarge {
        path: PathBuf,
        /// Its length when the file says it up front; `None` for a pipe or a file that grew
        /// past the limit while it was read.
        size: Option<u64>,
        limit: u64,
    },

    /// A device, a socket or anything else that has no end to read to (`/dev/zero`).
    #[error(
        "cannot import {}: it is {kind}, not a file; Njia imports files (or pipes) of at most {}",
        .path.display(),
        bytes_in_words(*limit)
    )]
    NotAFile {
        path: PathBuf,
        kind: &'static str,
        limit: u64,
    },

    /// The input is none of the formats Njia reads.
    #[error(
        "cannot tell the format of {}: expected a folder with datapackage.json, a GeoJSON \
         FeatureCollection, or a healthsites.io CSV",
        .path.display()
    )]
    UnknownFormat { path: PathBuf },

    /// The file is not JSON at all (a syntax error or a cut-off file).
    #[error("{}: malformed JSON at line {line}, column {column}: {message}", .path.display())]
    Json {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },

    /// The file is JSON and a FeatureCollection, but a value has the wrong shape for GeoJSON
    /// (`features` that is not a list, a feature that is a string...).
    #[error(
        "{}: not a valid GeoJSON FeatureCollection at line {line}, column {column}: {message}",
        .path.display()
    )]
    GeoJsonShape {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },

    /// A GeoJSON file whose `crs` member names a projection other than WGS84
    /// longitude/latitude, whose coordinates Njia would misplace.
    #[error(
        "{}: the coordinate reference system (crs) is {crs}; Njia reads GeoJSON in WGS84 \
         longitude/latitude only (RFC 7946, urn:ogc:def:crs:OGC:1.3:CRS84 or EPSG:4326): \
         reproject it first, e.g. `ogr2ogr -t_srs EPSG:4326 out.geojson in.geojson`",
        .path.display()
    )]
    UnsupportedCrs { path: PathBuf, crs: String },

    /// A CSV file that cannot be read as a table (uneven rows, bad quoting, not UTF-8).
    #[error("{location}: {message}")]
    Csv { location: String, message: String },

    /// A CSV of an HSDS package lacks columns Njia reads (renamed, or from another schema).
    #[error("{}", missing_columns(file, missing, needed, header))]
    MissingColumns {
        /// `services.csv`.
        file: String,
        missing: Vec<String>,
        /// Every column Njia needs in this file, for the message.
        needed: Vec<String>,
        /// The file's own header, so the person can see what was renamed.
        header: Vec<String>,
    },

    /// One row or feature holds a value Njia refuses.
    #[error("{location}: {message}")]
    Invalid {
        /// `feature 4`, `locations.csv row 2`.
        location: String,
        /// The Njia field concerned (`latitude`, `categories`...), when there is one.
        field: Option<String>,
        /// What is wrong, as a sentence that names the field.
        message: String,
    },

    /// Two rows or features of one input claim the same id, so one would silently overwrite
    /// the other.
    #[error("{location} and {earlier} share the id \"{id}\"")]
    DuplicateId {
        /// The later one, in full (`feature 9`, `services.csv row 9`).
        location: String,
        /// The earlier one, short (`feature 3`, `row 3`).
        earlier: String,
        id: String,
    },
}

impl ImportError {
    pub(crate) fn invalid(location: impl ToString, message: impl Into<String>) -> Self {
        ImportError::Invalid {
            location: location.to_string(),
            field: None,
            message: message.into(),
        }
    }

    pub(crate) fn read(path: impl Into<PathBuf>, source: io::Error) -> Self {
        ImportError::Read {
            path: path.into(),
            source,
        }
    }
}

fn too_large(path: &std::path::Path, size: Option<u64>, limit: u64) -> String {
    let what = match size {
        Some(size) => format!("is {}", bytes_in_words(size)),
        None => "goes on".to_string(),
    };
    format!(
        "cannot import {}: it {what}, past the {} Njia reads per file; split it into smaller files",
        path.display(),
        bytes_in_words(limit)
    )
}

/// `512 MiB`, `1.5 GiB`, `700 bytes`: sizes as a person reads them.
fn bytes_in_words(bytes: u64) -> String {
    const UNITS: [(u64, &str); 3] = [(1 << 30, "GiB"), (1 << 20, "MiB"), (1 << 10, "KiB")];
    for (unit, name) in UNITS {
        if bytes >= unit {
            return if bytes.is_multiple_of(unit) {
                format!("{} {name}", bytes / unit)
            } else {
                format!("{:.1} {name}", bytes as f64 / unit as f64)
            };
        }
    }
    format!("{bytes} bytes")
}

fn missing_columns(file: &str, missing: &[String], needed: &[String], header: &[String]) -> String {
    let quoted = |names: &[String]| {
        names
            .iter()
            .map(|n| format!("\"{n}\""))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let what = match missing {
        [one] => format!("the column \"{one}\" is missing"),
        _ => format!("the columns {} are missing", quoted(missing)),
    };
    let header = if header.iter().all(String::is_empty) {
        "it has no header".to_string()
    } else {
        format!("its header has {}", header.join(", "))
    };
    format!(
        "{file}: {what} (Njia needs {}); {header}",
        needed.join(", ")
    )
}
