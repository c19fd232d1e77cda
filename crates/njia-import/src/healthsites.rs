//! The healthsites.io CSV export: OpenStreetMap health facilities, one row each. See the crate
//! docs for the mapping; the category table is [`categories`].

use std::collections::HashMap;
use std::path::Path;
use std::rc::Rc;

use njia_model::service::Service;

use crate::error::ImportError;
use crate::place::Place;
use crate::{csv_error, finish, Format, Imported, Progress, Row, Skipped};

/// Columns that make a CSV a healthsites.io export.
const REQUIRED: [&str; 6] = [
    "osm_id",
    "osm_type",
    "name",
    "amenity",
    "latitude",
    "longitude",
];

/// Whether the header of this CSV is the healthsites.io layout.
pub(crate) fn looks_like(bytes: &[u8]) -> bool {
    let mut reader = csv::ReaderBuilder::new().from_reader(crate::strip_bom(bytes));
    match reader.headers() {
        Ok(headers) => {
            let names: Vec<&str> = headers.iter().map(str::trim).collect();
            REQUIRED.iter().all(|c| names.contains(c))
        }
        Err(_) => false,
    }
}

/// Column positions, looked up once from the header.
struct Cols {
    osm_id: usize,
    osm_type: usize,
    name: usize,
    amenity: usize,
    latitude: usize,
    longitude: usize,
    uuid: Option<usize>,
    iso3c: Option<usize>,
    healthcare: Option<usize>,
    health_amenity_type: Option<usize>,
    speciality: Option<usize>,
    operator: Option<usize>,
    operational_status: Option<usize>,
    opening_hours: Option<usize>,
    contact_number: Option<usize>,
    addr_full: Option<usize>,
    emergency: Option<usize>,
    url: Option<usize>,
    completeness: Option<usize>,
}

impl Cols {
    fn new(headers: &csv::StringRecord) -> Option<Self> {
        let find = |name: &str| headers.iter().position(|h| h.trim() == name);
        Some(Cols {
            osm_id: find("osm_id")?,
            osm_type: find("osm_type")?,
            name: find("name")?,
            amenity: find("amenity")?,
            latitude: find("latitude")?,
            longitude: find("longitude")?,
            uuid: find("uuid"),
            iso3c: find("iso3c"),
            healthcare: find("healthcare"),
            health_amenity_type: find("health_amenity_type"),
            speciality: find("speciality"),
            operator: find("operator"),
            operational_status: find("operational_status"),
            opening_hours: find("opening_hours"),
            contact_number: find("contact_number"),
            addr_full: find("addr_full"),
            emergency: find("emergency"),
            url: find("url"),
            completeness: find("completeness"),
        })
    }
}

/// A row kept so far, with what is needed to choose between two export rows of one object.
struct Kept {
    row: Row,
    osm: String,
    completeness: f64,
}

pub(crate) fn read(
    path: &Path,
    bytes: &[u8],
    progress: &mut dyn FnMut(Progress),
) -> Result<Imported, ImportError> {
    let file: Rc<str> = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
        .into();
    let total = bytes.len() as u64;
    progress(Progress { done: 0, total });
    let mut reader = csv::ReaderBuilder::new().from_reader(crate::strip_bom(bytes));
    let headers = reader
        .headers()
        .map_err(|e| csv_error(&file, 1, e))?
        .clone();
    let cols =
        Cols::new(&headers).ok_or_else(|| ImportError::UnknownFormat { path: path.into() })?;

    let mut kept: Vec<Kept> = Vec::new();
    let mut by_id: HashMap<String, usize> = HashMap::new();
    let mut skipped = Vec::new();
    let mut record = csv::StringRecord::new();
    let mut index = 0usize;
    loop {
        match reader.read_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => return Err(csv_error(&file, index as u64 + 2, e)),
        }
        let place = Place::record(&file, index);
        index += 1;
        if index.is_multiple_of(2048) {
            progress(Progress {
                done: reader.position().byte(),
                total,
            });
        }
        let get = |i: usize| record.get(i).unwrap_or("").trim();
        let opt = |i: Option<usize>| i.map_or("", get);

        let (lat, lon) = (get(cols.latitude), get(cols.longitude));
        if lat.is_empty() || lon.is_empty() {
            skipped.push(Skipped {
                location: place.to_string(),
                reason: "no latitude/longitude".into(),
            });
            continue;
        }
        let lat = number(&place, "latitude", lat)?;
        let lon = number(&place, "longitude", lon)?;
        let status = opt(cols.operational_status);
        if is_closed(status) {
            skipped.push(Skipped {
                location: place.to_string(),
                reason: format!("operational_status says \"{status}\""),
            });
            continue;
        }

        let osm = format!("{}/{}", get(cols.osm_type), get(cols.osm_id));
        let id = match opt(cols.uuid) {
            "" => osm.clone(),
            uuid => uuid.to_string(),
        };
        let amenity = get(cols.amenity);
        let healthcare = opt(cols.healthcare);
        let name = match get(cols.name) {
            "" => unnamed(amenity, healthcare).to_string(),
            name => name.to_string(),
        };
        let mut service = Service::new(id, name, lat, lon);
        service.categories = categories(
            amenity,
            healthcare,
            opt(cols.health_amenity_type),
            opt(cols.speciality),
            opt(cols.emergency),
        )
        .into_iter()
        .map(String::from)
        .collect();
        service.organization = some(opt(cols.operator));
        service.country = iso2(opt(cols.iso3c)).map(String::from);
        service.phone = some(opt(cols.contact_number));
        service.address = some(opt(cols.addr_full));
        service.opening_hours = some(opt(cols.opening_hours));
        // Some imports put the import's wiki page in `url`: that is not the facility's site.
        service.website = some(opt(cols.url)).filter(|u| !u.contains("wiki.openstreetmap.org"));
        service.source = Some("healthsites.io".into());
        let completeness = opt(cols.completeness).parse().unwrap_or(0.0);

        let candidate = Kept {
            row: Row { place, service },
            osm,
            completeness,
        };
        match by_id.get(&candidate.row.service.id) {
            None => {
                by_id.insert(candidate.row.service.id.clone(), kept.len());
                kept.push(candidate);
            }
            Some(&at) => {
                let earlier = &mut kept[at];
                if earlier.osm != candidate.osm {
                    return Err(ImportError::DuplicateId {
                        location: candidate.row.place.to_string(),
                        earlier: earlier.row.place.short(),
                        id: candidate.row.service.id,
                    });
                }
                // The export lists some objects twice with different tags: keep the fuller row.
                let tie = candidate.completeness == earlier.completeness;
                let dropped = if candidate.completeness > earlier.completeness {
                    std::mem::replace(earlier, candidate)
                } else {
                    candidate
                };
                let keep = &kept[at];
                skipped.push(Skipped {
                    location: dropped.row.place.to_string(),
                    reason: format!(
                        "same OpenStreetMap object ({}) as {}, which was kept ({})",
                        keep.osm,
                        keep.row.place.short(),
                        if tie { "listed first" } else { "more complete" }
                    ),
                });
            }
        }
    }
    let rows = kept.into_iter().map(|k| k.row).collect();
    let imported = finish(Format::Healthsites, rows, skipped)?;
    progress(Progress { done: total, total });
    Ok(imported)
}

fn some(value: &str) -> Option<String> {
    (!value.is_empty()).then(|| value.to_string())
}

fn number(place: &Place, field: &str, value: &str) -> Result<f64, ImportError> {
    value.parse().map_err(|_| ImportError::Invalid {
        location: place.to_string(),
        field: Some(field.into()),
        message: format!("{field} \"{value}\" is not a number"),
    })
}

fn is_closed(status: &str) -> bool {
    let s = status.to_ascii_lowercase().replace(['_', '-'], " ");
    matches!(
        s.as_str(),
        "non operational" | "closed" | "abandoned" | "disused"
    )
}

/// A name for a facility nobody named, from what it is.
fn unnamed(amenity: &str, healthcare: &str) -> &'static str {
    let kind = if amenity.is_empty() {
        healthcare
    } else {
        amenity
    };
    match kind.split(';').next().unwrap_or("").trim() {
        "pharmacy" => "Unnamed pharmacy",
        "hospital" => "Unnamed hospital",
        "clinic" | "centre" => "Unnamed clinic",
        "doctors" | "doctor" => "Unnamed doctors' practice",
        "dentist" => "Unnamed dental practice",
        "laboratory" | "medical_laboratory" => "Unnamed laboratory",
        _ => "Unnamed health facility",
    }
}

/// OSM facility kinds (`amenity`, `healthcare`) and the category each one gives.
const FACILITY: &[(&str, &str)] = &[
    ("hospital", "primary_care"),
    ("clinic", "primary_care"),
    ("doctors", "primary_care"),
    ("doctor", "primary_care"),
    ("health_post", "primary_care"),
    ("centre", "primary_care"),
    ("general_practitioner", "primary_care"),
    ("dispensary", "primary_care"),
    ("dispensory", "primary_care"),
    ("nurse", "primary_care"),
    ("pharmacy", "pharmacy"),
    ("chemist", "pharmacy"),
    ("laboratory", "laboratory"),
    ("medical_laboratory", "laboratory"),
    ("birthing_center", "maternal"),
    ("rehabilitation", "disability"),
    ("physiotherapist", "disability"),
    ("occupational_therapist", "disability"),
    ("audiologist", "disability"),
    ("speech_therapist", "disability"),
];

/// Words in `speciality` and `health_amenity_type`: (word, whole word only?, category). A
/// word matches when it starts with the key, or equals it where whole-word is set (short keys
/// that would otherwise match inside unrelated words).
const SPECIALITY: &[(&str, bool, &str)] = &[
    ("general", false, "primary_care"),
    ("gp", true, "primary_care"),
    ("pharmac", false, "pharmacy"),
    ("chemist", false, "pharmacy"),
    ("laborat", false, "laboratory"),
    ("patholog", false, "laboratory"),
    ("biolog", false, "laboratory"),
    ("blood", false, "laboratory"),
    ("matern", false, "maternal"),
    ("obst", false, "maternal"),
    ("gyn", false, "maternal"),
    ("midwi", false, "maternal"),
    ("perinat", false, "maternal"),
    ("antenat", false, "maternal"),
    ("prenat", false, "maternal"),
    ("accouch", false, "maternal"),
    ("sage", true, "maternal"),
    ("doula", true, "maternal"),
    ("birth", false, "maternal"),
    ("paediatr", false, "child_health"),
    ("pediatr", false, "child_health"),
    ("pédiatr", false, "child_health"),
    ("neonat", false, "child_health"),
    ("child", false, "child_health"),
    ("vaccin", false, "immunization"),
    ("immuni", false, "immunization"),
    ("hiv", true, "hiv"),
    ("aids", true, "hiv"),
    ("pmtct", true, "hiv"),
    ("vct", true, "hiv"),
    ("antiretro", false, "hiv"),
    ("tb", true, "tb"),
    ("tubercul", false, "tb"),
    ("malaria", false, "malaria"),
    ("psychiatr", false, "mental_health"),
    ("mental", false, "mental_health"),
    ("dementia", false, "mental_health"),
    ("psycholog", false, "psychosocial"),
    ("counsel", false, "psychosocial"),
    ("sexual", false, "srh"),
    ("contracept", false, "srh"),
    ("fertility", false, "srh"),
    ("reproduct", false, "srh"),
    ("planning", true, "srh"),
    ("nutrition", false, "nutrition"),
    ("malnutri", false, "nutrition"),
    ("emergency", false, "emergency"),
    ("urgence", false, "emergency"),
    ("trauma", false, "emergency"),
    ("casualty", false, "emergency"),
    ("rehab", false, "disability"),
    ("physiother", false, "disability"),
    ("kinesi", false, "disability"),
    ("audiolog", false, "disability"),
    ("speech", false, "disability"),
    ("speach", false, "disability"),
    ("appareillage", false, "disability"),
    ("prosthe", false, "disability"),
    ("disab", false, "disability"),
    ("gbv", true, "gbv"),
    ("violence", false, "gbv"),
    ("harm", true, "harm_reduction"),
    ("methadone", false, "harm_reduction"),
];

/// The Njia categories of a healthsites row (see the table in the crate docs).
pub(crate) fn categories(
    amenity: &str,
    healthcare: &str,
    health_amenity_type: &str,
    speciality: &str,
    emergency: &str,
) -> Vec<&'static str> {
    let mut out: Vec<&'static str> = Vec::new();
    let mut add = |c: &'static str| {
        if !out.contains(&c) {
            out.push(c);
        }
    };
    let mut treats_patients = false;
    for kind in amenity.split(';').chain(healthcare.split(';')) {
        let kind = kind.trim().to_ascii_lowercase();
        if let Some((_, c)) = FACILITY.iter().find(|(k, _)| *k == kind) {
            treats_patients |= *c == "primary_care";
            add(c);
        }
    }
    if treats_patients && emergency.trim().eq_ignore_ascii_case("yes") {
        add("emergency");
    }
    let text = format!("{health_amenity_type};{speciality}").to_lowercase();
    for word in text.split(|c: char| !c.is_alphanumeric()) {
        if word.is_empty() {
            continue;
        }
        for (key, whole, c) in SPECIALITY {
            if (*whole && word == *key) || (!*whole && word.starts_with(key)) {
                add(c);
            }
        }
    }
    out
}

/// ISO 3166 alpha-3 → alpha-2 for East and Southern Africa and their neighbours; other codes
/// leave `country` empty rather than guessing.
fn iso2(iso3: &str) -> Option<&'static str> {
    const TABLE: &[(&str, &str)] = &[
        ("AGO", "AO"),
        ("BDI", "BI"),
        ("BWA", "BW"),
        ("COD", "CD"),
        ("COG", "CG"),
        ("COM", "KM"),
        ("DJI", "DJ"),
        ("ERI", "ER"),
        ("ETH", "ET"),
        ("KEN", "KE"),
        ("LSO", "LS"),
        ("MDG", "MG"),
        ("MOZ", "MZ"),
        ("MUS", "MU"),
        ("MWI", "MW"),
        ("MYT", "YT"),
        ("NAM", "NA"),
        ("REU", "RE"),
        ("RWA", "RW"),
        ("SDN", "SD"),
        ("SOM", "SO"),
        ("SSD", "SS"),
        ("SWZ", "SZ"),
        ("SYC", "SC"),
        ("TZA", "TZ"),
        ("UGA", "UG"),
        ("YEM", "YE"),
        ("ZAF", "ZA"),
        ("ZMB", "ZM"),
        ("ZWE", "ZW"),
    ];
    let iso3 = iso3.trim().to_ascii_uppercase();
    TABLE.iter().find(|(a3, _)| *a3 == iso3).map(|(_, a2)| *a2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn facility_kinds_and_specialities_map_to_njia_categories() {
        assert_eq!(
            categories("hospital", "", "", "", "yes"),
            ["primary_care", "emergency"]
        );
        assert_eq!(categories("hospital", "", "", "", "no"), ["primary_care"]);
        assert_eq!(categories("pharmacy", "", "", "", "yes"), ["pharmacy"]);
        assert_eq!(
            categories("", "birthing_center;clinic", "", "", ""),
            ["maternal", "primary_care"]
        );
        assert_eq!(
            categories("clinic", "", "", "paediatrics;maternity;vaccination", ""),
            ["primary_care", "child_health", "maternal", "immunization"]
        );
        assert_eq!(
            categories("", "", "", "gynecologie-obstrique", ""),
            ["maternal"]
        );
        assert_eq!(categories("", "", "", "pédiatrie", ""), ["child_health"]);
        assert_eq!(categories("", "", "", "HIV, TB", ""), ["hiv", "tb"]);
        assert_eq!(categories("", "", "", "psychiatry", ""), ["mental_health"]);
        assert_eq!(categories("", "", "", "family_planning", ""), ["srh"]);
        assert_eq!(
            categories("", "", "emergency_department;laboratory", "", ""),
            ["emergency", "laboratory"]
        );
        // No Njia category fits: not mapped rather than mis-filed.
        assert!(categories("dentist", "dentist", "", "dentistry;radiology", "").is_empty());
        // Short keys only match whole words.
        assert!(categories("", "", "", "outbreak_tbd;haemodialysis", "").is_empty());
    }

    #[test]
    fn closed_facilities_and_unnamed_ones_read_as_people_expect() {
        assert!(is_closed("non operational"));
        assert!(is_closed("Non_Operational"));
        assert!(is_closed("closed"));
        assert!(!is_closed("operational"));
        assert!(!is_closed(""));
        assert_eq!(unnamed("pharmacy", ""), "Unnamed pharmacy");
        assert_eq!(unnamed("", "laboratory"), "Unnamed laboratory");
        assert_eq!(unnamed("", ""), "Unnamed health facility");
        assert_eq!(iso2("tza"), Some("TZ"));
        assert_eq!(iso2("COM"), Some("KM"));
        assert_eq!(iso2("XXX"), None);
    }
}
