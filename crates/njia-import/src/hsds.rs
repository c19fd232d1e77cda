//! Open Referral HSDS 3.0 tabular data packages: a folder of CSVs named as in the HSDS
//! `datapackage.json`. One Njia service per `service_at_location` row; see the crate docs for
//! every join and for the conventions [`write`] uses.

use std::collections::{HashMap, HashSet};
use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::rc::Rc;

use njia_model::error::{check_lat, check_lon};
use njia_model::service::Service;
use njia_model::taxonomy::{parse_category, parse_language, CATEGORIES};

use crate::error::ImportError;
use crate::hours::{self, Span};
use crate::place::Place;
use crate::{csv_error, derived_id, finish, timezone, Format, Imported, Progress, Row, Skipped};

/// The file that marks a folder as a data package.
pub(crate) const DESCRIPTOR: &str = "datapackage.json";

/// Attribute codes that set the migration-sensitive flags of DESIGN §2.
const FLAGS: [&str; 5] = [
    "free_of_charge",
    "no_documents_required",
    "interpreter_available",
    "migrant_friendly",
    "mobile_outreach",
];
/// Attribute codes of Njia fields that HSDS has no column for.
const OPENING_HOURS: &str = "njia:opening_hours";
const TIMEZONE: &str = "njia:timezone";
const SOURCE: &str = "njia:source";

/// The columns without which a table's rows mean nothing to Njia. A package whose columns were
/// renamed (`title` for `name`, `lat` for `latitude`) would otherwise read as services with no
/// name, or as every service skipped for having no coordinates, with no word of why. Checked
/// in the three tables every package has, and in the others when they hold rows.
const NEEDED_COLUMNS: [(&str, &[&str]); 11] = [
    ("services.csv", &["id", "name"]),
    ("locations.csv", &["id", "latitude", "longitude"]),
    (
        "service_at_location.csv",
        &["id", "service_id", "location_id"],
    ),
    ("organizations.csv", &["id", "name"]),
    ("addresses.csv", &["location_id"]),
    ("phones.csv", &["number"]),
    ("languages.csv", &["code"]),
    ("attributes.csv", &["link_id", "taxonomy_term_id"]),
    ("taxonomy_terms.csv", &["id", "code"]),
    ("required_documents.csv", &["service_id", "document"]),
    ("cost_options.csv", &["service_id"]),
];

/// One CSV of the package, held in memory (directories are thousands of rows, not millions).
struct Table {
    file: Rc<str>,
    cols: HashMap<String, usize>,
    rows: Vec<csv::StringRecord>,
}

impl Table {
    /// Reads `dir/name`; a missing optional table reads as empty.
    fn load(dir: &Path, name: &str, required: bool) -> Result<Table, ImportError> {
        let file: Rc<str> = name.into();
        let path = dir.join(name);
        let bytes = match crate::limit::read_file(&path) {
            Ok(bytes) => bytes,
            Err(ImportError::Read { source, .. })
                if !required && source.kind() == std::io::ErrorKind::NotFound =>
            {
                return Ok(Table {
                    file,
                    cols: HashMap::new(),
                    rows: Vec::new(),
                })
            }
            Err(e) => return Err(e),
        };
        let mut reader = csv::ReaderBuilder::new().from_reader(crate::strip_bom(&bytes));
        let header = reader
            .headers()
            .map_err(|e| csv_error(&file, 1, e))?
            .clone();
        let cols = header
            .iter()
            .enumerate()
            .map(|(i, h)| (h.trim().to_ascii_lowercase(), i))
            .collect();
        let mut rows = Vec::new();
        for (i, record) in reader.records().enumerate() {
            rows.push(record.map_err(|e| csv_error(&file, i as u64 + 2, e))?);
        }
        let table = Table { file, cols, rows };
        if required || !table.rows.is_empty() {
            table.check_columns(&header)?;
        }
        Ok(table)
    }

    fn check_columns(&self, header: &csv::StringRecord) -> Result<(), ImportError> {
        let Some((_, needed)) = NEEDED_COLUMNS.iter().find(|(f, _)| **f == *self.file) else {
            return Ok(());
        };
        let missing: Vec<String> = needed
            .iter()
            .filter(|c| self.col(c).is_none())
            .map(|c| c.to_string())
            .collect();
        if missing.is_empty() {
            return Ok(());
        }
        Err(ImportError::MissingColumns {
            file: self.file.to_string(),
            missing,
            needed: needed.iter().map(|c| c.to_string()).collect(),
            header: header.iter().map(|h| h.trim().to_string()).collect(),
        })
    }

    fn col(&self, name: &str) -> Option<usize> {
        self.cols.get(name).copied()
    }

    /// The trimmed value of column `name` in row `i`; empty when the column is absent.
    fn get(&self, i: usize, name: &str) -> &str {
        self.col(name)
            .and_then(|c| self.rows[i].get(c))
            .map_or("", str::trim)
    }

    fn place(&self, i: usize) -> Place {
        Place::record(&self.file, i)
    }

    /// Row indices by their unique, non-empty `id`.
    fn index_by_id(&self) -> Result<HashMap<&str, usize>, ImportError> {
        if !self.rows.is_empty() && self.col("id").is_none() {
            return Err(ImportError::invalid(
                format!("{} row 1", self.file),
                "there is no id column",
            ));
        }
        let mut index: HashMap<&str, usize> = HashMap::with_capacity(self.rows.len());
        for i in 0..self.rows.len() {
            let id = self.get(i, "id");
            if id.is_empty() {
                return Err(ImportError::invalid(self.place(i), "id is empty"));
            }
            if let Some(&earlier) = index.get(id) {
                return Err(ImportError::DuplicateId {
                    location: self.place(i).to_string(),
                    earlier: self.place(earlier).short(),
                    id: id.to_string(),
                });
            }
            index.insert(id, i);
        }
        Ok(index)
    }

    /// Row indices grouped by a non-empty foreign key, in file order.
    fn group_by(&self, column: &str) -> HashMap<&str, Vec<usize>> {
        let mut groups: HashMap<&str, Vec<usize>> = HashMap::new();
        for i in 0..self.rows.len() {
            let key = self.get(i, column);
            if !key.is_empty() {
                groups.entry(key).or_default().push(i);
            }
        }
        groups
    }
}

fn rows_of<'a>(groups: &'a HashMap<&str, Vec<usize>>, key: &str) -> &'a [usize] {
    groups.get(key).map_or(&[], Vec::as_slice)
}

/// The tables of a package and their indexes, built once per import.
struct Package {
    organizations: Table,
    services: Table,
    locations: Table,
    service_at_location: Table,
    addresses: Table,
    phones: Table,
    languages: Table,
    schedules: Table,
    attributes: Table,
    taxonomy_terms: Table,
    required_documents: Table,
    cost_options: Table,
}

pub(crate) fn read(
    dir: &Path,
    progress: &mut dyn FnMut(Progress),
) -> Result<Imported, ImportError> {
    let p = Package {
        organizations: Table::load(dir, "organizations.csv", false)?,
        services: Table::load(dir, "services.csv", true)?,
        locations: Table::load(dir, "locations.csv", true)?,
        service_at_location: Table::load(dir, "service_at_location.csv", true)?,
        addresses: Table::load(dir, "addresses.csv", false)?,
        phones: Table::load(dir, "phones.csv", false)?,
        languages: Table::load(dir, "languages.csv", false)?,
        schedules: Table::load(dir, "schedules.csv", false)?,
        attributes: Table::load(dir, "attributes.csv", false)?,
        taxonomy_terms: Table::load(dir, "taxonomy_terms.csv", false)?,
        required_documents: Table::load(dir, "required_documents.csv", false)?,
        cost_options: Table::load(dir, "cost_options.csv", false)?,
    };
    let total = p.service_at_location.rows.len() as u64;
    progress(Progress { done: 0, total });

    let organizations = p.organizations.index_by_id()?;
    let services = p.services.index_by_id()?;
    let locations = p.locations.index_by_id()?;
    let coordinates = location_coordinates(&p.locations)?;
    let addresses = p.addresses.group_by("location_id");
    let languages = language_codes(&p.languages)?;
    let languages_by_service = p.languages.group_by("service_id");
    let languages_by_location = p.languages.group_by("location_id");
    let phones = Links::new(&p.phones);
    let schedules = Links::new(&p.schedules);
    let attributes = p.attributes.group_by("link_id");
    let terms: HashMap<&str, &str> = (0..p.taxonomy_terms.rows.len())
        .map(|i| {
            (
                p.taxonomy_terms.get(i, "id"),
                p.taxonomy_terms.get(i, "code"),
            )
        })
        .collect();
    let documents = p.required_documents.group_by("service_id");
    let costs = p.cost_options.group_by("service_id");

    let sal = &p.service_at_location;
    let mut rows = Vec::with_capacity(sal.rows.len());
    let mut skipped = Vec::new();
    let mut placed: HashSet<usize> = HashSet::new();
    for i in 0..sal.rows.len() {
        if i > 0 && i.is_multiple_of(1024) {
            progress(Progress {
                done: i as u64,
                total,
            });
        }
        let place = sal.place(i);
        let sal_id = sal.get(i, "id");
        let service_id = sal.get(i, "service_id");
        let location_id = sal.get(i, "location_id");
        let s = *services.get(service_id).ok_or_else(|| {
            ImportError::invalid(
                &place,
                format!("service_id \"{service_id}\" is not in services.csv"),
            )
        })?;
        let l = *locations.get(location_id).ok_or_else(|| {
            ImportError::invalid(
                &place,
                format!("location_id \"{location_id}\" is not in locations.csv"),
            )
        })?;
        placed.insert(s);
        let svc = &p.services;
        let status = svc.get(s, "status");
        if status.eq_ignore_ascii_case("inactive") || status.eq_ignore_ascii_case("defunct") {
            skipped.push(Skipped {
                location: place.to_string(),
                reason: format!("the service's status is {status}"),
            });
            continue;
        }
        let Some((lat, lon)) = coordinates[l] else {
            skipped.push(Skipped {
                location: place.to_string(),
                reason: format!("location \"{location_id}\" has no latitude/longitude"),
            });
            continue;
        };

        let name = svc.get(s, "name");
        let mut service = Service::new(sal_id, name, lat, lon);
        let org_id = svc.get(s, "organization_id");
        if !org_id.is_empty() && !p.organizations.rows.is_empty() {
            let o = *organizations.get(org_id).ok_or_else(|| {
                ImportError::invalid(
                    p.services.place(s),
                    format!("organization_id \"{org_id}\" is not in organizations.csv"),
                )
            })?;
            // write() makes up an organization, named after the service, for a service that
            // has none; its id says so.
            if org_id != stand_in_organization_id(sal_id) {
                service.organization = non_empty(p.organizations.get(o, "name"));
            }
        }
        service.description =
            non_empty(svc.get(s, "description")).or_else(|| non_empty(sal.get(i, "description")));
        service.email = non_empty(svc.get(s, "email"));
        service.website = non_empty(svc.get(s, "url"));
        service.interpreter_available = !svc.get(s, "interpretation_services").is_empty();

        // Languages of the service or of the location, where a row names both they must match.
        let mut language_rows: Vec<usize> = rows_of(&languages_by_service, service_id)
            .iter()
            .chain(rows_of(&languages_by_location, location_id))
            .copied()
            .filter(|&r| {
                let (rs, rl) = (
                    p.languages.get(r, "service_id"),
                    p.languages.get(r, "location_id"),
                );
                (rs.is_empty() || rs == service_id) && (rl.is_empty() || rl == location_id)
            })
            .collect();
        language_rows.sort_unstable();
        language_rows.dedup();
        service.languages = language_rows
            .iter()
            .filter_map(|&r| languages[r].clone())
            .collect();

        let phone_rows = phones.best(sal_id, service_id, location_id, org_id);
        let mut numbers: Vec<String> = Vec::new();
        for &r in &phone_rows {
            let number = phone_number(&p.phones, r);
            if !number.is_empty() && !numbers.contains(&number) {
                numbers.push(number);
            }
        }
        service.phone = (!numbers.is_empty()).then(|| numbers.join(", "));

        let schedule_rows = schedules.best(sal_id, service_id, location_id, "");
        service.opening_hours = opening_hours(&p.schedules, &schedule_rows);
        service.timezone = schedule_rows
            .iter()
            .map(|&r| p.schedules.get(r, "timezone"))
            .find(|tz| !tz.is_empty() && timezone::is_iana(tz))
            .map(String::from);

        if let Some((address, country)) = address(&p.addresses, rows_of(&addresses, location_id))? {
            service.address = address;
            service.country = country;
        }

        let docs: Vec<&str> = rows_of(&documents, service_id)
            .iter()
            .map(|&r| p.required_documents.get(r, "document"))
            .filter(|d| !d.is_empty())
            .collect();
        service.documents = (!docs.is_empty()).then(|| docs.join("; "));
        service.fees = fees(&p, s, rows_of(&costs, service_id));

        for &r in rows_of(&attributes, service_id)
            .iter()
            .chain(rows_of(&attributes, sal_id))
        {
            apply_attribute(&p.attributes, r, &terms, &mut service)?;
        }

        rows.push(Row { place, service });
    }
    for s in 0..p.services.rows.len() {
        if !placed.contains(&s) {
            skipped.push(Skipped {
                location: p.services.place(s).to_string(),
                reason: format!(
                    "service \"{}\" has no location (no row in service_at_location.csv)",
                    p.services.get(s, "name")
                ),
            });
        }
    }
    let imported = finish(Format::Hsds, rows, skipped)?;
    progress(Progress { done: total, total });
    Ok(imported)
}

fn non_empty(value: &str) -> Option<String> {
    (!value.is_empty()).then(|| value.to_string())
}

/// Checked coordinates of each location row; `None` when the location is not geocoded.
fn location_coordinates(t: &Table) -> Result<Vec<Option<(f64, f64)>>, ImportError> {
    let number = |i: usize, field: &str| -> Result<Option<f64>, ImportError> {
        let raw = t.get(i, field);
        if raw.is_empty() {
            return Ok(None);
        }
        raw.parse::<f64>()
            .map(Some)
            .map_err(|_| ImportError::Invalid {
                location: t.place(i).to_string(),
                field: Some(field.into()),
                message: format!("{field} \"{raw}\" is not a number"),
            })
    };
    (0..t.rows.len())
        .map(|i| {
            let checked = |e: njia_model::ValidationError| ImportError::Invalid {
                location: t.place(i).to_string(),
                field: Some(e.field),
                message: e.message,
            };
            match (number(i, "latitude")?, number(i, "longitude")?) {
                (Some(lat), Some(lon)) => {
                    check_lat("latitude", lat).map_err(checked)?;
                    check_lon("longitude", lon).map_err(checked)?;
                    Ok(Some((lat, lon)))
                }
                (None, None) => Ok(None),
                (Some(_), None) => Err(ImportError::invalid(
                    t.place(i),
                    "latitude is given but longitude is empty",
                )),
                (None, Some(_)) => Err(ImportError::invalid(
                    t.place(i),
                    "longitude is given but latitude is empty",
                )),
            }
        })
        .collect()
}

/// Each language row's checked code (`None` when it has none). Region subtags (`en-GB`) are
/// dropped: Njia filters on the language alone.
fn language_codes(t: &Table) -> Result<Vec<Option<String>>, ImportError> {
    (0..t.rows.len())
        .map(|i| {
            let raw = t.get(i, "code");
            let code = raw.split(['-', '_']).next().unwrap_or("");
            if code.is_empty() {
                return Ok(None);
            }
            parse_language(code)
                .map(Some)
                .map_err(|message| ImportError::Invalid {
                    location: t.place(i).to_string(),
                    field: Some("languages".into()),
                    message,
                })
        })
        .collect()
}

/// Rows of a table that may be linked to a service-at-location, a service, a location or an
/// organization (phones, schedules).
struct Links<'t> {
    table: &'t Table,
    by_sal: HashMap<&'t str, Vec<usize>>,
    by_service: HashMap<&'t str, Vec<usize>>,
    by_location: HashMap<&'t str, Vec<usize>>,
    by_organization: HashMap<&'t str, Vec<usize>>,
}

impl<'t> Links<'t> {
    fn new(table: &'t Table) -> Self {
        Links {
            table,
            by_sal: table.group_by("service_at_location_id"),
            by_service: table.group_by("service_id"),
            by_location: table.group_by("location_id"),
            by_organization: table.group_by("organization_id"),
        }
    }

    /// The most specific rows: those of this service-at-location, else of the service (not
    /// tied to another location), else of the location, else of the organization.
    fn best(&self, sal: &str, service: &str, location: &str, organization: &str) -> Vec<usize> {
        let t = self.table;
        let unset = |r: usize, column: &str| t.get(r, column).is_empty();
        let own = rows_of(&self.by_sal, sal);
        if !own.is_empty() {
            return own.to_vec();
        }
        let of_service: Vec<usize> = rows_of(&self.by_service, service)
            .iter()
            .copied()
            .filter(|&r| {
                unset(r, "service_at_location_id")
                    && (unset(r, "location_id") || t.get(r, "location_id") == location)
            })
            .collect();
        if !of_service.is_empty() {
            return of_service;
        }
        let of_location: Vec<usize> = rows_of(&self.by_location, location)
            .iter()
            .copied()
            .filter(|&r| unset(r, "service_at_location_id") && unset(r, "service_id"))
            .collect();
        if !of_location.is_empty() {
            return of_location;
        }
        rows_of(&self.by_organization, organization)
            .iter()
            .copied()
            .filter(|&r| {
                unset(r, "service_at_location_id")
                    && unset(r, "service_id")
                    && unset(r, "location_id")
            })
            .collect()
    }
}

fn phone_number(t: &Table, r: usize) -> String {
    let number = t.get(r, "number");
    // Some exports quote the number inside the field: `"+44 1234 234567"`.
    let number = number
        .strip_prefix('"')
        .and_then(|n| n.strip_suffix('"'))
        .unwrap_or(number)
        .trim();
    match t.get(r, "extension") {
        "" => number.to_string(),
        ext if number.is_empty() => format!("ext. {ext}"),
        ext => format!("{number} ext. {ext}"),
    }
}

/// OSM opening hours from weekly schedule rows, or `None` when any row says something else
/// (monthly, every other week, only some weeks): half of a timetable would mislead.
fn opening_hours(t: &Table, rows: &[usize]) -> Option<String> {
    let mut week = hours::empty_week();
    for &r in rows {
        let freq = t.get(r, "freq");
        let interval = t.get(r, "interval");
        let plain = freq.eq_ignore_ascii_case("WEEKLY")
            && (interval.is_empty() || interval == "1")
            && ["byweekno", "bymonthday", "byyearday"]
                .iter()
                .all(|c| t.get(r, c).is_empty());
        if !plain {
            return None;
        }
        let days = hours::parse_byday(t.get(r, "byday"))?;
        let open = hours::parse_hsds_time(t.get(r, "opens_at"))?;
        let close = hours::hsds_close(hours::parse_hsds_time(t.get(r, "closes_at"))?);
        if open == close {
            return None;
        }
        for d in days {
            week[d].push(Span { open, close });
        }
    }
    hours::to_osm(&week)
}

/// The location's address in one line and its country: the physical address if there is one.
#[allow(clippy::type_complexity)]
fn address(
    t: &Table,
    rows: &[usize],
) -> Result<Option<(Option<String>, Option<String>)>, ImportError> {
    let Some(&r) = rows
        .iter()
        .find(|&&r| t.get(r, "address_type").eq_ignore_ascii_case("physical"))
        .or_else(|| rows.first())
    else {
        return Ok(None);
    };
    let parts: Vec<&str> = [
        "address_1",
        "address_2",
        "city",
        "region",
        "state_province",
        "postal_code",
    ]
    .iter()
    .map(|c| t.get(r, c))
    .filter(|v| !v.is_empty())
    .collect();
    let country = t.get(r, "country");
    let two_letters = country.len() == 2 && country.bytes().all(|b| b.is_ascii_alphabetic());
    if !country.is_empty() && !two_letters {
        return Err(ImportError::Invalid {
            location: t.place(r).to_string(),
            field: Some("country".into()),
            message: format!("country \"{country}\" is not an ISO 3166 two-letter country code"),
        });
    }
    Ok(Some((
        (!parts.is_empty()).then(|| parts.join(", ")),
        non_empty(country),
    )))
}

/// What it costs, in words: the fees description, then each cost option
/// (`Under 18s: 35 GBP per session`).
fn fees(p: &Package, s: usize, cost_rows: &[usize]) -> Option<String> {
    let mut parts: Vec<String> = Vec::new();
    let description = match p.services.get(s, "fees_description") {
        "" => p.services.get(s, "fees"),
        d => d,
    };
    if !description.is_empty() {
        parts.push(description.to_string());
    }
    let c = &p.cost_options;
    for &r in cost_rows {
        let currency = c.get(r, "currency").to_uppercase();
        let price: Vec<&str> = [
            c.get(r, "amount"),
            &currency,
            c.get(r, "amount_description"),
        ]
        .into_iter()
        .filter(|v| !v.is_empty())
        .collect();
        let option = c.get(r, "option");
        let text = match (option.is_empty(), price.is_empty()) {
            (true, true) => continue,
            (false, true) => option.to_string(),
            (true, false) => price.join(" "),
            (false, false) => format!("{option}: {}", price.join(" ")),
        };
        parts.push(text);
    }
    (!parts.is_empty()).then(|| parts.join("; "))
}

fn apply_attribute(
    t: &Table,
    r: usize,
    terms: &HashMap<&str, &str>,
    service: &mut Service,
) -> Result<(), ImportError> {
    let Some(code) = terms.get(t.get(r, "taxonomy_term_id")) else {
        return Ok(());
    };
    let value = t.get(r, "value");
    if let Ok(category) = parse_category(code) {
        service.categories.push(category);
        return Ok(());
    }
    let text = || non_empty(value);
    match *code {
        OPENING_HOURS => service.opening_hours = text(),
        TIMEZONE => service.timezone = text().filter(|tz| timezone::is_iana(tz)),
        SOURCE => service.source = text(),
        flag if FLAGS.contains(&flag) => {
            let on = match value.to_ascii_lowercase().as_str() {
                "" | "true" | "yes" | "1" => true,
                "false" | "no" | "0" => false,
                _ => {
                    return Err(ImportError::Invalid {
                        location: t.place(r).to_string(),
                        field: Some(flag.into()),
                        message: format!(
                            "value \"{value}\" of {flag} is not true or false (or yes/no)"
                        ),
                    })
                }
            };
            let field = match flag {
                "free_of_charge" => &mut service.free_of_charge,
                "no_documents_required" => &mut service.no_documents_required,
                "interpreter_available" => &mut service.interpreter_available,
                "migrant_friendly" => &mut service.migrant_friendly,
                _ => &mut service.mobile_outreach,
            };
            *field |= on;
        }
        _ => {}
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Writing

/// A CSV being written, with the header it was opened with.
struct OutTable {
    path: PathBuf,
    writer: csv::Writer<File>,
}

impl OutTable {
    fn create(dir: &Path, name: &str, header: &[&str]) -> Result<Self, ImportError> {
        let path = dir.join(name);
        let writer = csv::Writer::from_path(&path).map_err(|e| write_error(&path, e.into()))?;
        let mut table = OutTable { path, writer };
        table.row(header)?;
        Ok(table)
    }

    fn row(&mut self, fields: &[&str]) -> Result<(), ImportError> {
        self.writer
            .write_record(fields)
            .map_err(|e| write_error(&self.path, e.into()))
    }

    fn finish(mut self) -> Result<(), ImportError> {
        self.writer.flush().map_err(|e| write_error(&self.path, e))
    }
}

fn write_error(path: &Path, source: std::io::Error) -> ImportError {
    ImportError::Write {
        what: path.display().to_string(),
        source,
    }
}

/// The tables written and their columns: one list, used for the CSV headers and for the
/// schemas in `datapackage.json`, so the two cannot disagree.
const TABLES: &[(&str, &str, &[&str])] = &[
    (
        "organization",
        "organizations.csv",
        &["id", "name", "description"],
    ),
    (
        "service",
        "services.csv",
        &[
            "id",
            "organization_id",
            "name",
            "description",
            "url",
            "email",
            "status",
            "fees_description",
        ],
    ),
    (
        "location",
        "locations.csv",
        &["id", "location_type", "name", "latitude", "longitude"],
    ),
    (
        "service_at_location",
        "service_at_location.csv",
        &["id", "service_id", "location_id"],
    ),
    (
        "address",
        "addresses.csv",
        &[
            "id",
            "location_id",
            "address_1",
            "city",
            "state_province",
            "postal_code",
            "country",
            "address_type",
        ],
    ),
    (
        "phone",
        "phones.csv",
        &["id", "service_at_location_id", "number", "type"],
    ),
    ("language", "languages.csv", &["id", "service_id", "code"]),
    (
        "schedule",
        "schedules.csv",
        &[
            "id",
            "service_at_location_id",
            "freq",
            "byday",
            "opens_at",
            "closes_at",
        ],
    ),
    (
        "required_document",
        "required_documents.csv",
        &["id", "service_id", "document"],
    ),
    (
        "attribute",
        "attributes.csv",
        &["id", "link_id", "link_entity", "taxonomy_term_id", "value"],
    ),
    (
        "taxonomy",
        "taxonomies.csv",
        &["id", "name", "description", "version"],
    ),
    (
        "taxonomy_term",
        "taxonomy_terms.csv",
        &["id", "code", "name", "description", "taxonomy_id"],
    ),
];

fn open(dir: &Path, resource: &str) -> Result<OutTable, ImportError> {
    let (_, file, header) = TABLES
        .iter()
        .find(|(name, _, _)| *name == resource)
        .copied()
        .unwrap_or(("", "unknown.csv", &[]));
    OutTable::create(dir, file, header)
}

/// The id of the organization written for a service that has none.
fn stand_in_organization_id(service_at_location_id: &str) -> String {
    derived_id(&["hsds-no-organization", service_at_location_id])
}

fn term_id(code: &str) -> String {
    derived_id(&["hsds-term", code])
}

pub(crate) fn write(services: &[Service], dir: &Path) -> Result<(), ImportError> {
    fs::create_dir_all(dir).map_err(|e| write_error(dir, e))?;
    let mut organizations = open(dir, "organization")?;
    let mut service_table = open(dir, "service")?;
    let mut locations = open(dir, "location")?;
    let mut sal = open(dir, "service_at_location")?;
    let mut addresses = open(dir, "address")?;
    let mut phones = open(dir, "phone")?;
    let mut languages = open(dir, "language")?;
    let mut schedules = open(dir, "schedule")?;
    let mut documents = open(dir, "required_document")?;
    let mut attributes = open(dir, "attribute")?;

    let mut organizations_written: HashSet<String> = HashSet::new();
    for s in services {
        let id = s.id.as_str();
        let service_id = derived_id(&["hsds-service", id]);
        let location_id = derived_id(&["hsds-location", id]);
        // HSDS requires an organization: where there is none, one named after the service
        // stands in, with an id that read() recognises.
        let (org_id, org_name) = match &s.organization {
            Some(name) => (derived_id(&["hsds-organization", name]), name.as_str()),
            None => (stand_in_organization_id(id), s.name.as_str()),
        };
        if organizations_written.insert(org_id.clone()) {
            organizations.row(&[&org_id, org_name, ""])?;
        }
        service_table.row(&[
            &service_id,
            &org_id,
            &s.name,
            s.description.as_deref().unwrap_or(""),
            s.website.as_deref().unwrap_or(""),
            s.email.as_deref().unwrap_or(""),
            "active",
            s.fees.as_deref().unwrap_or(""),
        ])?;
        locations.row(&[
            &location_id,
            "physical",
            &s.name,
            &s.lat.to_string(),
            &s.lon.to_string(),
        ])?;
        sal.row(&[id, &service_id, &location_id])?;
        if s.address.is_some() || s.country.is_some() {
            addresses.row(&[
                &derived_id(&["hsds-address", id]),
                &location_id,
                s.address.as_deref().unwrap_or(""),
                "",
                "",
                "",
                s.country.as_deref().unwrap_or(""),
                "physical",
            ])?;
        }
        if let Some(phone) = &s.phone {
            phones.row(&[&derived_id(&["hsds-phone", id]), id, phone, "voice"])?;
        }
        for code in &s.languages {
            languages.row(&[&derived_id(&["hsds-language", id, code]), &service_id, code])?;
        }
        if let Some(documents_text) = &s.documents {
            documents.row(&[
                &derived_id(&["hsds-document", id]),
                &service_id,
                documents_text,
            ])?;
        }

        let mut attribute = |code: &str, value: &str| {
            attributes.row(&[
                &derived_id(&["hsds-attribute", id, code]),
                &service_id,
                "service",
                &term_id(code),
                value,
            ])
        };
        for category in &s.categories {
            attribute(category, "")?;
        }
        for (flag, on) in [
            ("free_of_charge", s.free_of_charge),
            ("no_documents_required", s.no_documents_required),
            ("interpreter_available", s.interpreter_available),
            ("migrant_friendly", s.migrant_friendly),
            ("mobile_outreach", s.mobile_outreach),
        ] {
            if on {
                attribute(flag, "true")?;
            }
        }
        if let Some(tz) = &s.timezone {
            attribute(TIMEZONE, tz)?;
        }
        if let Some(source) = &s.source {
            attribute(SOURCE, source)?;
        }
        if let Some(osm) = &s.opening_hours {
            match hours::to_schedule_rows(osm) {
                Some(rows) => {
                    for (k, (days, span)) in rows.iter().enumerate() {
                        schedules.row(&[
                            &derived_id(&["hsds-schedule", id, &k.to_string()]),
                            id,
                            "WEEKLY",
                            &hours::byday(days),
                            &hours::fmt_hsds_time(span.open),
                            &hours::fmt_hsds_time(span.close),
                        ])?;
                    }
                }
                None => attribute(OPENING_HOURS, osm)?,
            }
        }
    }
    for table in [
        organizations,
        service_table,
        locations,
        sal,
        addresses,
        phones,
        languages,
        schedules,
        documents,
        attributes,
    ] {
        table.finish()?;
    }
    write_taxonomy(dir)?;
    write_descriptor(dir)
}

/// The Njia taxonomy: every category, flag and carried field as a term, so attributes resolve.
fn write_taxonomy(dir: &Path) -> Result<(), ImportError> {
    let taxonomy_id = derived_id(&["hsds-taxonomy", "njia"]);
    let mut taxonomies = open(dir, "taxonomy")?;
    taxonomies.row(&[
        &taxonomy_id,
        "Njia",
        "Njia service categories and migration-sensitive attributes, and Njia fields that HSDS has no column for",
        "1",
    ])?;
    taxonomies.finish()?;
    let mut terms = open(dir, "taxonomy_term")?;
    let carried = [
        (
            OPENING_HOURS,
            "OpenStreetMap opening_hours that are not plain weekly hours",
        ),
        (TIMEZONE, "IANA time zone of the opening hours"),
        (SOURCE, "Where the record came from, for attribution"),
    ];
    for code in CATEGORIES.iter().chain(FLAGS.iter()) {
        let kind = if FLAGS.contains(code) {
            "Migration-sensitive attribute"
        } else {
            "Service category"
        };
        terms.row(&[
            &term_id(code),
            code,
            &code.replace('_', " "),
            kind,
            &taxonomy_id,
        ])?;
    }
    for (code, description) in carried {
        terms.row(&[&term_id(code), code, code, description, &taxonomy_id])?;
    }
    terms.finish()
}

fn write_descriptor(dir: &Path) -> Result<(), ImportError> {
    let resources: Vec<serde_json::Value> = TABLES
        .iter()
        .map(|(name, path, columns)| {
            let fields: Vec<serde_json::Value> = columns
                .iter()
                .map(|c| {
                    let kind = if matches!(*c, "latitude" | "longitude") {
                        "number"
                    } else {
                        "string"
                    };
                    serde_json::json!({ "name": c, "type": kind })
                })
                .collect();
            serde_json::json!({
                "name": name,
                "path": path,
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "schema": { "fields": fields, "primaryKey": "id" },
            })
        })
        .collect();
    let descriptor = serde_json::json!({
        "name": "njia_directory",
        "title": "Njia service directory",
        "description": "Services exported by Njia, following the Open Referral Human Services \
                        Data Specification 3.0 (HSDS) with the Njia taxonomy in attributes.",
        "profile": "tabular-data-package",
        "version": "3.0.0",
        "resources": resources,
    });
    let path = dir.join(DESCRIPTOR);
    let mut text =
        serde_json::to_string_pretty(&descriptor).map_err(|e| write_error(&path, e.into()))?;
    text.push('\n');
    fs::write(&path, text).map_err(|e| write_error(&path, e))
}
