//! GeoJSON FeatureCollections of points, read and written with the property names of
//! DESIGN §5. Parsed with serde into typed structs (unknown properties are skipped without
//! being kept), which is several times faster than going through a generic JSON tree.

use std::io::{BufWriter, Write};
use std::path::Path;

use njia_model::service::Service;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::ImportError;
use crate::place::Place;
use crate::{finish, timezone, Format, Imported, Progress, Row};

/// Just enough to tell a FeatureCollection from other JSON without building the features.
#[derive(Deserialize)]
struct Probe {
    #[serde(rename = "type", default)]
    kind: Option<Value>,
    /// The 2008 GeoJSON spec's coordinate reference system, gone from RFC 7946 but still
    /// written by GIS tools; a file in another projection would put every clinic in the sea.
    #[serde(default)]
    crs: Option<Value>,
}

/// Names of WGS84 longitude/latitude, as GIS tools write them in a `crs` member. EPSG:4326
/// says latitude first, but GeoJSON writers that name it still put longitude first, which is
/// how Njia reads every point.
const WGS84_NAMES: [&str; 9] = [
    "urn:ogc:def:crs:OGC:1.3:CRS84",
    "urn:ogc:def:crs:OGC::CRS84",
    "OGC:CRS84",
    "CRS84",
    "EPSG:4326",
    "urn:ogc:def:crs:EPSG::4326",
    "urn:ogc:def:crs:EPSG:4326",
    "http://www.opengis.net/def/crs/OGC/1.3/CRS84",
    "http://www.opengis.net/def/crs/EPSG/0/4326",
];

/// `Ok` when the `crs` member is absent or names WGS84; otherwise what it says, for the
/// message.
fn check_crs(crs: Option<&Value>) -> Result<(), String> {
    let Some(crs) = crs.filter(|c| !c.is_null()) else {
        return Ok(());
    };
    // The spec's shape is {"type": "name", "properties": {"name": …}}; a bare name is not
    // in it, but it is just as clear.
    let name = match crs {
        Value::String(name) => Some(name.as_str()),
        _ if crs.get("type").and_then(Value::as_str) == Some("name") => crs
            .get("properties")
            .and_then(|p| p.get("name"))
            .and_then(Value::as_str),
        _ => None,
    };
    match name {
        Some(name)
            if WGS84_NAMES
                .iter()
                .any(|w| w.eq_ignore_ascii_case(name.trim())) =>
        {
            Ok(())
        }
        Some(name) => Err(format!("\"{name}\"")),
        None => Err(crs.to_string()),
    }
}

#[derive(Deserialize)]
struct Collection {
    features: Vec<RawFeature>,
}

#[derive(Deserialize)]
struct RawFeature {
    #[serde(default)]
    id: Option<Value>,
    #[serde(default)]
    geometry: Option<RawGeometry>,
    #[serde(default)]
    properties: Option<Props>,
}

#[derive(Deserialize)]
struct RawGeometry {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    coordinates: Option<Value>,
}

/// The properties Njia reads; each is kept as raw JSON so a wrong type becomes a sentence
/// naming the feature, not a serde message about line 1, column 80,412.
#[derive(Deserialize, Default)]
#[serde(default)]
struct Props {
    id: Option<Value>,
    name: Option<Value>,
    organization: Option<Value>,
    description: Option<Value>,
    categories: Option<Value>,
    languages: Option<Value>,
    free_of_charge: Option<Value>,
    no_documents_required: Option<Value>,
    interpreter_available: Option<Value>,
    migrant_friendly: Option<Value>,
    mobile_outreach: Option<Value>,
    phone: Option<Value>,
    email: Option<Value>,
    website: Option<Value>,
    address: Option<Value>,
    country: Option<Value>,
    opening_hours: Option<Value>,
    timezone: Option<Value>,
    fees: Option<Value>,
    documents: Option<Value>,
    source: Option<Value>,
}

pub(crate) fn read(
    path: &Path,
    bytes: &[u8],
    progress: &mut dyn FnMut(Progress),
) -> Result<Imported, ImportError> {
    let bytes = crate::strip_bom(bytes);
    let json_error = |e: serde_json::Error| {
        let position = format!(" at line {} column {}", e.line(), e.column());
        let text = e.to_string();
        let message = text.strip_suffix(&position).unwrap_or(&text).to_string();
        if e.is_data() {
            ImportError::GeoJsonShape {
                path: path.into(),
                line: e.line(),
                column: e.column(),
                message,
            }
        } else {
            ImportError::Json {
                path: path.into(),
                line: e.line(),
                column: e.column(),
                message,
            }
        }
    };
    let probe: Probe = serde_json::from_slice(bytes).map_err(json_error)?;
    if probe.kind.as_ref().and_then(Value::as_str) != Some("FeatureCollection") {
        return Err(ImportError::UnknownFormat { path: path.into() });
    }
    if let Err(crs) = check_crs(probe.crs.as_ref()) {
        return Err(ImportError::UnsupportedCrs {
            path: path.into(),
            crs,
        });
    }
    let collection: Collection = serde_json::from_slice(bytes).map_err(json_error)?;
    let total = collection.features.len() as u64;
    progress(Progress { done: 0, total });
    let mut rows = Vec::with_capacity(collection.features.len());
    for (i, feature) in collection.features.into_iter().enumerate() {
        let place = Place::Feature(i + 1);
        let service = feature_to_service(&place, feature)?;
        rows.push(Row { place, service });
        if (i + 1).is_multiple_of(4096) {
            progress(Progress {
                done: i as u64 + 1,
                total,
            });
        }
    }
    let imported = finish(Format::GeoJson, rows, Vec::new())?;
    progress(Progress { done: total, total });
    Ok(imported)
}

fn feature_to_service(place: &Place, feature: RawFeature) -> Result<Service, ImportError> {
    let (lon, lat) = point(place, feature.geometry.as_ref())?;
    let p = feature.properties.unwrap_or_default();
    let name = text(place, "name", &p.name)?.unwrap_or_default();
    let id = match id(place, "id", &p.id)? {
        Some(id) => id,
        None => match id(place, "id", &feature.id)? {
            Some(id) => id,
            None => generated_id(&name, lat, lon),
        },
    };
    let mut service = Service::new(id, name, lat, lon);
    service.organization = text(place, "organization", &p.organization)?;
    service.description = text(place, "description", &p.description)?;
    service.categories = list(place, "categories", &p.categories)?;
    service.languages = list(place, "languages", &p.languages)?;
    service.free_of_charge = flag(place, "free_of_charge", &p.free_of_charge)?;
    service.no_documents_required = flag(place, "no_documents_required", &p.no_documents_required)?;
    service.interpreter_available = flag(place, "interpreter_available", &p.interpreter_available)?;
    service.migrant_friendly = flag(place, "migrant_friendly", &p.migrant_friendly)?;
    service.mobile_outreach = flag(place, "mobile_outreach", &p.mobile_outreach)?;
    service.phone = text(place, "phone", &p.phone)?;
    service.email = text(place, "email", &p.email)?;
    service.website = text(place, "website", &p.website)?;
    service.address = text(place, "address", &p.address)?;
    service.country = text(place, "country", &p.country)?;
    service.opening_hours = text(place, "opening_hours", &p.opening_hours)?;
    service.timezone = text(place, "timezone", &p.timezone)?;
    if let Some(tz) = service.timezone.as_deref().map(str::trim) {
        if !tz.is_empty() && !timezone::is_iana(tz) {
            return Err(ImportError::Invalid {
                location: place.to_string(),
                field: Some("timezone".into()),
                message: format!(
                    "timezone \"{tz}\" is not an IANA time zone name (like Africa/Nairobi)"
                ),
            });
        }
    }
    service.fees = text(place, "fees", &p.fees)?;
    service.documents = text(place, "documents", &p.documents)?;
    service.source = text(place, "source", &p.source)?;
    Ok(service)
}

/// A deterministic id for a feature that has none, so importing the same file twice updates
/// the same services instead of adding copies.
fn generated_id(name: &str, lat: f64, lon: f64) -> String {
    let name = name.split_whitespace().collect::<Vec<_>>().join(" ");
    crate::derived_id(&["geojson", &name, &lat.to_string(), &lon.to_string()])
}

fn point(place: &Place, geometry: Option<&RawGeometry>) -> Result<(f64, f64), ImportError> {
    let geometry = geometry.ok_or_else(|| {
        ImportError::invalid(place, "geometry is missing; only Point is supported")
    })?;
    if geometry.kind != "Point" {
        return Err(ImportError::invalid(
            place,
            format!("geometry is a {}; only Point is supported", geometry.kind),
        ));
    }
    let bad = || {
        ImportError::invalid(
            place,
            "Point coordinates must be [longitude, latitude] in numbers",
        )
    };
    match geometry.coordinates.as_ref().and_then(Value::as_array) {
        Some(c) if c.len() >= 2 => match (c[0].as_f64(), c[1].as_f64()) {
            (Some(lon), Some(lat)) => Ok((lon, lat)),
            _ => Err(bad()),
        },
        _ => Err(bad()),
    }
}

fn describe(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "text",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

fn text(place: &Place, field: &str, value: &Option<Value>) -> Result<Option<String>, ImportError> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        // Phone numbers and house numbers often arrive as JSON numbers.
        Some(Value::Number(n)) => Ok(Some(n.to_string())),
        Some(other) => Err(ImportError::Invalid {
            location: place.to_string(),
            field: Some(field.into()),
            message: format!("{field} must be text, not {}", describe(other)),
        }),
    }
}

fn id(place: &Place, field: &str, value: &Option<Value>) -> Result<Option<String>, ImportError> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(Value::Number(n)) => Ok(Some(n.to_string())),
        Some(other) => Err(ImportError::Invalid {
            location: place.to_string(),
            field: Some(field.into()),
            message: format!(
                "{field} must be a string or a number, not {}",
                describe(other)
            ),
        }),
    }
}

fn list(place: &Place, field: &str, value: &Option<Value>) -> Result<Vec<String>, ImportError> {
    let wrong = |what: &str| ImportError::Invalid {
        location: place.to_string(),
        field: Some(field.into()),
        message: format!("{field} must be a list of codes or comma-separated text, not {what}"),
    };
    match value {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::String(s)) => Ok(s.split(',').map(|c| c.trim().to_string()).collect()),
        Some(Value::Array(items)) => items
            .iter()
            .map(|item| match item {
                Value::String(s) => Ok(s.clone()),
                other => Err(wrong(&format!("a list holding {}", describe(other)))),
            })
            .collect(),
        Some(other) => Err(wrong(describe(other))),
    }
}

fn flag(place: &Place, field: &str, value: &Option<Value>) -> Result<bool, ImportError> {
    let shown = match value {
        None | Some(Value::Null) => return Ok(false),
        Some(Value::Bool(b)) => return Ok(*b),
        Some(Value::String(s)) => match s.trim().to_ascii_lowercase().as_str() {
            "yes" | "true" => return Ok(true),
            "no" | "false" | "" => return Ok(false),
            _ => format!("\"{s}\""),
        },
        Some(other) => other.to_string(),
    };
    Err(ImportError::Invalid {
        location: place.to_string(),
        field: Some(field.into()),
        message: format!("{field} must be true or false (or \"yes\"/\"no\"), not {shown}"),
    })
}

#[derive(Serialize)]
struct OutFeature<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    id: &'a str,
    geometry: OutPoint,
    properties: OutProps<'a>,
}

#[derive(Serialize)]
struct OutPoint {
    #[serde(rename = "type")]
    kind: &'static str,
    coordinates: [f64; 2],
}

#[derive(Serialize)]
struct OutProps<'a> {
    id: &'a str,
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    organization: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'a str>,
    categories: &'a [String],
    languages: &'a [String],
    free_of_charge: bool,
    no_documents_required: bool,
    interpreter_available: bool,
    migrant_friendly: bool,
    mobile_outreach: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    phone: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    email: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    website: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    address: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    country: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    opening_hours: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    timezone: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    fees: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    documents: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    source: Option<&'a str>,
}

impl<'a> OutFeature<'a> {
    fn new(s: &'a Service) -> Self {
        OutFeature {
            kind: "Feature",
            id: &s.id,
            geometry: OutPoint {
                kind: "Point",
                coordinates: [s.lon, s.lat],
            },
            properties: OutProps {
                id: &s.id,
                name: &s.name,
                organization: s.organization.as_deref(),
                description: s.description.as_deref(),
                categories: &s.categories,
                languages: &s.languages,
                free_of_charge: s.free_of_charge,
                no_documents_required: s.no_documents_required,
                interpreter_available: s.interpreter_available,
                migrant_friendly: s.migrant_friendly,
                mobile_outreach: s.mobile_outreach,
                phone: s.phone.as_deref(),
                email: s.email.as_deref(),
                website: s.website.as_deref(),
                address: s.address.as_deref(),
                country: s.country.as_deref(),
                opening_hours: s.opening_hours.as_deref(),
                timezone: s.timezone.as_deref(),
                fees: s.fees.as_deref(),
                documents: s.documents.as_deref(),
                source: s.source.as_deref(),
            },
        }
    }
}

pub(crate) fn write<W: Write>(services: &[Service], out: W) -> Result<(), ImportError> {
    let failed = |source: std::io::Error| ImportError::Write {
        what: "the GeoJSON output".into(),
        source,
    };
    let mut out = BufWriter::new(out);
    out.write_all(b"{\"type\":\"FeatureCollection\",\"features\":[")
        .map_err(failed)?;
    for (i, service) in services.iter().enumerate() {
        out.write_all(if i == 0 { b"\n" } else { b",\n" })
            .map_err(failed)?;
        serde_json::to_writer(&mut out, &OutFeature::new(service)).map_err(|e| failed(e.into()))?;
    }
    out.write_all(b"\n]}\n").map_err(failed)?;
    out.flush().map_err(failed)
}
