//! The directory as a FHIR R4 `Bundle` of type `collection`, for health information systems
//! that read FHIR rather than HSDS (`njia-server export --format fhir`).
//!
//! Each service becomes a `Location` (where: position, address, telecom, opening hours) and
//! a `HealthcareService` (what: kinds of care, languages, conditions of access) that points
//! at it; each distinct organisation name becomes one `Organization` that both point at.
//! Services without an organisation have no `providedBy`.
//!
//! Where each Njia field goes:
//! - `categories` → `HealthcareService.type` (Njia's category code system; searchable as
//!   `service-type`);
//! - `languages` → `HealthcareService.communication`, BCP-47 codes (ISO 639-3 codes that have
//!   a two-letter ISO 639-1 form are shortened, as BCP-47 asks);
//! - the migration-sensitive flags → `HealthcareService.characteristic` (Njia's attribute
//!   code system; searchable as `characteristic`), and also in the standard elements that
//!   fit: `free_of_charge` → `serviceProvisionCode` `free` (HL7's service-provision-conditions;
//!   `cost` when fees are written and the service is not free), `no_documents_required` and
//!   `documents` → `eligibility`, all of them in words in `extraDetails`;
//! - `opening_hours` (OpenStreetMap syntax) → `Location.hoursOfOperation` and
//!   `HealthcareService.availableTime` when it is a plain weekly timetable (`Mo-Fr
//!   08:00-17:00; Sa 09:00-13:00`, `24/7`, `off` days, nights past midnight), as read by
//!   [`njia_model::hours::plain_weekly`] — the reading the device shows; FHIR's slots are
//!   per day, so a night is cut at midnight (`Fr 20:00-02:00`: Friday 20:00:00–23:59:59,
//!   Saturday 00:00:00–02:00:00). Anything else (holidays, months, comments, sunrise, hours
//!   never open) is written as it is in `availabilityExceptions`.
//!
//! Ids are UUIDv5 of the resource type and the service id (or the organisation name), so the
//! same directory always exports the same bundle, byte for byte.

use std::collections::BTreeMap;

use njia_model::hours::{self, Minute};
use njia_model::service::Service;
use serde_json::{json, Map, Value};
use uuid::Uuid;

/// Njia's service categories (DESIGN §2) as a code system.
pub const CATEGORY_SYSTEM: &str = "urn:njia:fhir:CodeSystem:service-category";
/// Njia's migration-sensitive attributes as a code system.
pub const ATTRIBUTE_SYSTEM: &str = "urn:njia:fhir:CodeSystem:service-attribute";
/// The system of `identifier`s holding the service's Njia id (the id of its source).
pub const SERVICE_ID_SYSTEM: &str = "urn:njia:service-id";
/// HL7's conditions under which a service is offered (free, disc, cost).
pub const PROVISION_SYSTEM: &str =
    "http://terminology.hl7.org/CodeSystem/service-provision-conditions";
/// Languages in `communication` are BCP-47 tags.
pub const LANGUAGE_SYSTEM: &str = "urn:ietf:bcp:47";

/// The namespace of the bundle's UUIDv5 ids, so they never collide with another system's.
const NAMESPACE: Uuid = Uuid::from_u128(0x6e6a_6961_2d66_6869_7200_0000_0000_0001);

/// The stable id of a resource of `kind` derived from `key` (a service id or an
/// organisation name).
pub fn resource_id(kind: &str, key: &str) -> Uuid {
    Uuid::new_v5(&NAMESPACE, format!("{kind}\u{1f}{key}").as_bytes())
}

fn reference(kind: &str, key: &str) -> Value {
    json!({"reference": format!("urn:uuid:{}", resource_id(kind, key))})
}

/// The directory as a FHIR R4 collection bundle; services in id order, organisations first.
pub fn bundle(services: &[Service]) -> Value {
    let mut services: Vec<&Service> = services.iter().collect();
    services.sort_by(|a, b| a.id.cmp(&b.id));
    let organizations: BTreeMap<&str, ()> = services
        .iter()
        .filter_map(|s| s.organization.as_deref())
        .map(|o| (o, ()))
        .collect();
    let mut entries = Vec::with_capacity(organizations.len() + 2 * services.len());
    for name in organizations.keys() {
        entries.push(entry(organization(name)));
    }
    for s in services {
        let hours = Hours::of(s);
        entries.push(entry(location(s, &hours)));
        entries.push(entry(healthcare_service(s, &hours)));
    }
    json!({"resourceType": "Bundle", "type": "collection", "entry": entries})
}

fn entry(resource: Value) -> Value {
    let id = resource["id"].as_str().unwrap_or_default().to_string();
    json!({"fullUrl": format!("urn:uuid:{id}"), "resource": resource})
}

fn organization(name: &str) -> Value {
    json!({"resourceType": "Organization", "id": resource_id("Organization", name),
        "active": true, "name": name})
}

fn identifier(s: &Service) -> Value {
    json!([{"system": SERVICE_ID_SYSTEM, "value": s.id}])
}

fn telecom(s: &Service) -> Vec<Value> {
    let mut t = Vec::new();
    if let Some(phone) = &s.phone {
        t.push(json!({"system": "phone", "value": phone, "use": "work"}));
    }
    if let Some(email) = &s.email {
        t.push(json!({"system": "email", "value": email, "use": "work"}));
    }
    if let Some(url) = &s.website {
        t.push(json!({"system": "url", "value": url}));
    }
    t
}

/// Puts `value` under `key` unless it is an empty array.
fn put(m: &mut Map<String, Value>, key: &str, value: Value) {
    if value.as_array().is_some_and(Vec::is_empty) {
        return;
    }
    m.insert(key.to_string(), value);
}

fn location(s: &Service, hours: &Hours) -> Value {
    let mut m = Map::new();
    m.insert("resourceType".into(), json!("Location"));
    m.insert("id".into(), json!(resource_id("Location", &s.id)));
    m.insert("identifier".into(), identifier(s));
    m.insert("status".into(), json!("active"));
    m.insert("name".into(), json!(s.name));
    m.insert("mode".into(), json!("instance"));
    put(&mut m, "telecom", json!(telecom(s)));
    if s.address.is_some() || s.country.is_some() {
        let mut address = Map::new();
        if let Some(text) = &s.address {
            address.insert("text".into(), json!(text));
        }
        if let Some(cc) = &s.country {
            address.insert("country".into(), json!(cc));
        }
        m.insert("address".into(), Value::Object(address));
    }
    m.insert(
        "position".into(),
        json!({"longitude": s.lon, "latitude": s.lat}),
    );
    if let Some(org) = &s.organization {
        m.insert(
            "managingOrganization".into(),
            reference("Organization", org),
        );
    }
    hours.put(&mut m, "hoursOfOperation", "openingTime", "closingTime");
    Value::Object(m)
}

/// The flags of a service as `(code, words)`, in a fixed order.
fn attributes(s: &Service) -> Vec<(&'static str, &'static str)> {
    [
        (s.free_of_charge, "free-of-charge", "Free of charge"),
        (
            s.no_documents_required,
            "no-documents-required",
            "No identity documents required",
        ),
        (
            s.interpreter_available,
            "interpreter-available",
            "Interpreter available",
        ),
        (
            s.migrant_friendly,
            "migrant-friendly",
            "Staff trained to serve migrants",
        ),
        (
            s.mobile_outreach,
            "mobile-outreach",
            "Goes out to communities (mobile outreach)",
        ),
    ]
    .into_iter()
    .filter(|(on, _, _)| *on)
    .map(|(_, code, words)| (code, words))
    .collect()
}

fn coded(system: &str, code: &str, display: &str) -> Value {
    json!({"coding": [{"system": system, "code": code, "display": display}], "text": display})
}

fn healthcare_service(s: &Service, hours: &Hours) -> Value {
    let mut m = Map::new();
    m.insert("resourceType".into(), json!("HealthcareService"));
    m.insert("id".into(), json!(resource_id("HealthcareService", &s.id)));
    m.insert("identifier".into(), identifier(s));
    m.insert("active".into(), json!(true));
    if let Some(org) = &s.organization {
        m.insert("providedBy".into(), reference("Organization", org));
    }
    let types: Vec<Value> = s
        .categories
        .iter()
        .map(|c| coded(CATEGORY_SYSTEM, c, &category_words(c)))
        .collect();
    put(&mut m, "type", json!(types));
    m.insert("location".into(), json!([reference("Location", &s.id)]));
    m.insert("name".into(), json!(s.name));
    if let Some(d) = &s.description {
        m.insert("comment".into(), json!(d));
    }
    let attributes = attributes(s);
    let mut details: Vec<String> = attributes.iter().map(|(_, w)| format!("- {w}")).collect();
    if let Some(fees) = &s.fees {
        details.push(format!("- Fees: {fees}"));
    }
    if let Some(docs) = &s.documents {
        details.push(format!("- Documents asked for: {docs}"));
    }
    if let Some(source) = &s.source {
        details.push(format!("- Source: {source}"));
    }
    if !details.is_empty() {
        m.insert("extraDetails".into(), json!(details.join("\n")));
    }
    put(&mut m, "telecom", json!(telecom(s)));
    if s.free_of_charge {
        m.insert(
            "serviceProvisionCode".into(),
            json!([coded(PROVISION_SYSTEM, "free", "Free")]),
        );
    } else if s.fees.is_some() {
        m.insert(
            "serviceProvisionCode".into(),
            json!([coded(PROVISION_SYSTEM, "cost", "Fees apply")]),
        );
    }
    let mut eligibility = Map::new();
    if s.no_documents_required {
        eligibility.insert(
            "code".into(),
            coded(
                ATTRIBUTE_SYSTEM,
                "no-documents-required",
                "No identity documents required",
            ),
        );
    } else if s.documents.is_some() {
        eligibility.insert("code".into(), json!({"text": "Documents required"}));
    }
    if let Some(docs) = &s.documents {
        eligibility.insert("comment".into(), json!(docs));
    }
    if !eligibility.is_empty() {
        m.insert("eligibility".into(), json!([eligibility]));
    }
    let characteristic: Vec<Value> = attributes
        .iter()
        .map(|(code, words)| coded(ATTRIBUTE_SYSTEM, code, words))
        .collect();
    put(&mut m, "characteristic", json!(characteristic));
    let communication: Vec<Value> = s
        .languages
        .iter()
        .map(|l| json!({"coding": [{"system": LANGUAGE_SYSTEM, "code": bcp47(l)}]}))
        .collect();
    put(&mut m, "communication", json!(communication));
    hours.put(
        &mut m,
        "availableTime",
        "availableStartTime",
        "availableEndTime",
    );
    Value::Object(m)
}

/// `mental_health` → `Mental health`, `hiv` → `HIV`: the display of a category code.
fn category_words(code: &str) -> String {
    match code {
        "hiv" => "HIV".into(),
        "tb" => "TB".into(),
        "srh" => "Sexual and reproductive health".into(),
        "gbv" => "Gender-based violence".into(),
        _ => {
            let words = code.replace('_', " ");
            let mut chars = words.chars();
            match chars.next() {
                Some(first) => first.to_uppercase().chain(chars).collect(),
                None => words,
            }
        }
    }
}

/// ISO 639-2/639-3 codes of languages that also have a two-letter ISO 639-1 code: BCP-47
/// takes the shortest. The languages of the regions Njia serves and the world's widest
/// spoken; other three-letter codes are valid BCP-47 as they are.
const SHORTER: &[(&str, &str)] = &[
    ("afr", "af"),
    ("amh", "am"),
    ("ara", "ar"),
    ("aym", "ay"),
    ("ben", "bn"),
    ("bos", "bs"),
    ("ces", "cs"),
    ("cze", "cs"),
    ("deu", "de"),
    ("ger", "de"),
    ("ell", "el"),
    ("gre", "el"),
    ("eng", "en"),
    ("fas", "fa"),
    ("per", "fa"),
    ("fra", "fr"),
    ("fre", "fr"),
    ("ful", "ff"),
    ("hau", "ha"),
    ("heb", "he"),
    ("hin", "hi"),
    ("hrv", "hr"),
    ("ibo", "ig"),
    ("ind", "id"),
    ("ita", "it"),
    ("jpn", "ja"),
    ("kin", "rw"),
    ("kor", "ko"),
    ("kur", "ku"),
    ("lin", "ln"),
    ("lug", "lg"),
    ("mlg", "mg"),
    ("msa", "ms"),
    ("may", "ms"),
    ("mya", "my"),
    ("bur", "my"),
    ("nep", "ne"),
    ("nld", "nl"),
    ("dut", "nl"),
    ("nya", "ny"),
    ("orm", "om"),
    ("pan", "pa"),
    ("pol", "pl"),
    ("por", "pt"),
    ("pus", "ps"),
    ("que", "qu"),
    ("ron", "ro"),
    ("rum", "ro"),
    ("run", "rn"),
    ("rus", "ru"),
    ("sna", "sn"),
    ("som", "so"),
    ("spa", "es"),
    ("sqi", "sq"),
    ("alb", "sq"),
    ("srp", "sr"),
    ("swa", "sw"),
    ("tam", "ta"),
    ("tha", "th"),
    ("tir", "ti"),
    ("tur", "tr"),
    ("twi", "tw"),
    ("ukr", "uk"),
    ("urd", "ur"),
    ("vie", "vi"),
    ("wol", "wo"),
    ("xho", "xh"),
    ("yor", "yo"),
    ("zho", "zh"),
    ("chi", "zh"),
    ("zul", "zu"),
];

/// The BCP-47 primary language tag of an ISO 639 code.
pub fn bcp47(code: &str) -> String {
    SHORTER
        .iter()
        .find(|(long, _)| *long == code)
        .map(|(_, short)| (*short).to_string())
        .unwrap_or_else(|| code.to_string())
}

/// FHIR's day codes, Monday first as in [`hours::Weekly`].
const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// A service's opening hours as the export writes them, read once for both resources that
/// carry them.
enum Hours<'a> {
    Missing,
    /// A weekly timetable, one slot per distinct stretch with every day that has it.
    Weekly(Vec<WeeklySlot>),
    /// A rule FHIR's slots cannot say, kept in OpenStreetMap's words.
    AsWritten(&'a str),
}

/// One line of a weekly timetable: these days, from `open` to `close` (minutes after
/// midnight; 0 to 1440 is all day).
#[derive(Debug, Clone, PartialEq, Eq)]
struct WeeklySlot {
    /// FHIR day codes, in week order.
    days: Vec<&'static str>,
    open: Minute,
    close: Minute,
}

impl<'a> Hours<'a> {
    fn of(s: &'a Service) -> Self {
        let Some(rule) = s.opening_hours.as_deref() else {
            return Hours::Missing;
        };
        match hours::plain_weekly(rule) {
            Some(week) if !week.never_open() => {
                let mut by_stretch: BTreeMap<(Minute, Minute), Vec<&'static str>> = BTreeMap::new();
                for (day, stretches) in DAYS.iter().zip(&week.days) {
                    for stretch in stretches {
                        by_stretch.entry(*stretch).or_default().push(*day);
                    }
                }
                Hours::Weekly(
                    by_stretch
                        .into_iter()
                        .map(|((open, close), days)| WeeklySlot { days, open, close })
                        .collect(),
                )
            }
            _ => Hours::AsWritten(rule),
        }
    }

    /// Writes the hours into a resource: the slots under `key` (each with its times under
    /// `start` and `end`: `Location` and `HealthcareService` name the same shape
    /// differently), or the rule in `availabilityExceptions`.
    fn put(&self, m: &mut Map<String, Value>, key: &str, start: &str, end: &str) {
        match self {
            Hours::Missing => {}
            Hours::Weekly(slots) => {
                let list: Vec<Value> = slots.iter().map(|s| s.to_json(start, end)).collect();
                m.insert(key.into(), json!(list));
            }
            Hours::AsWritten(rule) => {
                m.insert("availabilityExceptions".into(), json!(rule));
            }
        }
    }
}

impl WeeklySlot {
    fn to_json(&self, start_key: &str, end_key: &str) -> Value {
        let mut m = Map::new();
        m.insert("daysOfWeek".into(), json!(self.days));
        if self.open == 0 && self.close == 24 * 60 {
            m.insert("allDay".into(), json!(true));
        } else {
            m.insert(start_key.into(), json!(fhir_time(self.open)));
            m.insert(end_key.into(), json!(fhir_time(self.close)));
        }
        Value::Object(m)
    }
}

/// A FHIR `time`; midnight at the end of a day, which FHIR's times (00:00:00 to 23:59:59)
/// cannot write, is the day's last second.
fn fhir_time(minutes: Minute) -> String {
    if minutes >= 24 * 60 {
        return "23:59:59".into();
    }
    format!("{:02}:{:02}:00", minutes / 60, minutes % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the export makes of a service with these hours: `HealthcareService.availableTime`,
    /// checked to be the same slots as `Location.hoursOfOperation` under its names, or the
    /// rule as written in both resources' `availabilityExceptions`.
    fn exported(rule: &str) -> Exported {
        let mut s = Service::new("h", "Clinic", 0.0, 0.0);
        s.opening_hours = Some(rule.into());
        let b = bundle(&[s]);
        let (loc, hs) = (&b["entry"][0]["resource"], &b["entry"][1]["resource"]);
        match (hs.get("availableTime"), hs.get("availabilityExceptions")) {
            (Some(slots), None) => {
                let renamed = slots
                    .to_string()
                    .replace("availableStartTime", "openingTime")
                    .replace("availableEndTime", "closingTime");
                let renamed: Value = serde_json::from_str(&renamed).unwrap();
                assert_eq!(loc["hoursOfOperation"], renamed, "{rule}");
                assert!(loc.get("availabilityExceptions").is_none(), "{rule}");
                Exported::Slots(slots.clone())
            }
            (None, Some(text)) => {
                assert_eq!(loc["availabilityExceptions"], *text, "{rule}");
                assert!(loc.get("hoursOfOperation").is_none(), "{rule}");
                Exported::AsWritten(text.as_str().unwrap_or_default().to_string())
            }
            other => panic!("{rule}: {other:?}"),
        }
    }

    #[derive(Debug, PartialEq)]
    enum Exported {
        Slots(Value),
        AsWritten(String),
    }

    fn slot(days: &[&str], start: &str, end: &str) -> Value {
        json!({"daysOfWeek": days, "availableStartTime": start, "availableEndTime": end})
    }

    const WEEK: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

    #[test]
    fn a_plain_weekly_timetable_becomes_slots_later_rules_winning() {
        for (rule, want) in [
            (
                "Mo-Fr 08:00-17:00; We 08:00-12:00; Sa 09:00-13:00",
                json!([
                    slot(&["wed"], "08:00:00", "12:00:00"),
                    slot(&["mon", "tue", "thu", "fri"], "08:00:00", "17:00:00"),
                    slot(&["sat"], "09:00:00", "13:00:00"),
                ]),
            ),
            (
                "Mo-Fr 08:00-12:00, 14:00-18:00; Fr off",
                json!([
                    slot(&["mon", "tue", "wed", "thu"], "08:00:00", "12:00:00"),
                    slot(&["mon", "tue", "wed", "thu"], "14:00:00", "18:00:00"),
                ]),
            ),
            ("24/7", json!([{"daysOfWeek": WEEK, "allDay": true}])),
            (
                "Fr-Mo 00:00-24:00",
                json!([{"daysOfWeek": ["mon", "fri", "sat", "sun"], "allDay": true}]),
            ),
            ("07:00-19:00", json!([slot(&WEEK, "07:00:00", "19:00:00")])),
        ] {
            assert_eq!(exported(rule), Exported::Slots(want), "{rule}");
        }
    }

    #[test]
    fn a_night_past_midnight_is_cut_into_the_days_it_spans() {
        assert_eq!(
            exported("Fr 20:00-02:00"),
            Exported::Slots(json!([
                slot(&["sat"], "00:00:00", "02:00:00"),
                slot(&["fri"], "20:00:00", "23:59:59"),
            ]))
        );
        // Sunday's night ends on Monday; a close at midnight is the day's last second.
        assert_eq!(
            exported("Tu-Fr 08:00-17:00; Sa 18:00-24:00; Su 22:00-06:00"),
            Exported::Slots(json!([
                slot(&["mon"], "00:00:00", "06:00:00"),
                slot(&["tue", "wed", "thu", "fri"], "08:00:00", "17:00:00"),
                slot(&["sat"], "18:00:00", "23:59:59"),
                slot(&["sun"], "22:00:00", "23:59:59"),
            ]))
        );
        // A night that runs into a day open round the clock leaves that day all day.
        assert_eq!(
            exported("Fr 20:00-24:00; Sa 00:00-24:00"),
            Exported::Slots(json!([
                {"daysOfWeek": ["sat"], "allDay": true},
                slot(&["fri"], "20:00:00", "23:59:59"),
            ]))
        );
    }

    #[test]
    fn anything_past_a_weekly_timetable_is_kept_as_written() {
        for rule in [
            "Mo-Fr 08:00-17:00; PH off",
            "Jan-Mar Mo 08:00-12:00",
            "Mo-Fr 08:00-17:00 \"by appointment\"",
            "sunrise-sunset",
            "Mo-Fr 08:00-17:00 unknown",
            "off",
            "not hours",
        ] {
            assert_eq!(exported(rule), Exported::AsWritten(rule.into()), "{rule}");
        }
    }

    fn service() -> Service {
        let mut s = Service::new("node/42", "Eastleigh Health Centre", -1.2741, 36.8516);
        s.organization = Some("Nairobi County".into());
        s.categories = vec!["hiv".into(), "mental_health".into()];
        s.languages = vec!["sw".into(), "som".into(), "prs".into()];
        s.free_of_charge = true;
        s.no_documents_required = true;
        s.interpreter_available = true;
        s.phone = Some("+254 20 123 4567".into());
        s.address = Some("1st Avenue, Eastleigh".into());
        s.country = Some("KE".into());
        s.opening_hours = Some("Mo-Fr 08:00-17:00".into());
        s
    }

    #[test]
    fn a_service_lands_in_the_elements_that_fit() {
        let mut other = Service::new("b", "Mobile clinic", 2.0, 45.0);
        other.opening_hours = Some("Mo-Fr 08:00-17:00; PH off".into());
        other.documents = Some("Refugee ID".into());
        other.fees = Some("KES 200".into());
        let b = bundle(&[other, service()]);
        assert_eq!(b["resourceType"], "Bundle");
        assert_eq!(b["type"], "collection");
        let entries = b["entry"].as_array().unwrap();
        let kinds: Vec<&str> = entries
            .iter()
            .map(|e| e["resource"]["resourceType"].as_str().unwrap())
            .collect();
        assert_eq!(
            kinds,
            [
                "Organization",
                "Location",
                "HealthcareService",
                "Location",
                "HealthcareService"
            ]
        );
        for e in entries {
            assert_eq!(
                e["fullUrl"],
                format!("urn:uuid:{}", e["resource"]["id"].as_str().unwrap())
            );
        }
        // "b" sorts before "node/42".
        let (loc, hs) = (&entries[3]["resource"], &entries[4]["resource"]);
        assert_eq!(
            loc["position"],
            json!({"longitude": 36.8516, "latitude": -1.2741})
        );
        assert_eq!(
            loc["address"],
            json!({"text": "1st Avenue, Eastleigh", "country": "KE"})
        );
        assert_eq!(loc["telecom"][0]["value"], "+254 20 123 4567");
        assert_eq!(
            loc["hoursOfOperation"],
            json!([{"daysOfWeek": ["mon", "tue", "wed", "thu", "fri"],
                "openingTime": "08:00:00", "closingTime": "17:00:00"}])
        );
        assert_eq!(loc["managingOrganization"], hs["providedBy"]);
        assert_eq!(
            hs["providedBy"]["reference"], entries[0]["fullUrl"],
            "points at the organization"
        );
        assert_eq!(hs["location"][0]["reference"], entries[3]["fullUrl"]);
        assert_eq!(hs["identifier"][0]["value"], "node/42");
        let langs: Vec<&str> = hs["communication"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["coding"][0]["code"].as_str().unwrap())
            .collect();
        assert_eq!(langs, ["sw", "so", "prs"]);
        assert_eq!(hs["type"][1]["coding"][0]["code"], "mental_health");
        assert_eq!(hs["type"][1]["text"], "Mental health");
        assert_eq!(hs["serviceProvisionCode"][0]["coding"][0]["code"], "free");
        assert_eq!(
            hs["eligibility"][0]["code"]["coding"][0]["code"],
            "no-documents-required"
        );
        let flags: Vec<&str> = hs["characteristic"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["coding"][0]["code"].as_str().unwrap())
            .collect();
        assert_eq!(
            flags,
            [
                "free-of-charge",
                "no-documents-required",
                "interpreter-available"
            ]
        );
        assert!(hs.get("availabilityExceptions").is_none());
        assert_eq!(hs["availableTime"][0]["availableStartTime"], "08:00:00");

        // The other: hours only OSM can say, documents and fees, no organization.
        let (loc, hs) = (&entries[1]["resource"], &entries[2]["resource"]);
        assert_eq!(hs["availabilityExceptions"], "Mo-Fr 08:00-17:00; PH off");
        assert!(loc.get("hoursOfOperation").is_none());
        assert!(hs.get("providedBy").is_none());
        assert_eq!(hs["eligibility"][0]["comment"], "Refugee ID");
        assert_eq!(hs["serviceProvisionCode"][0]["coding"][0]["code"], "cost");
        assert!(hs.get("characteristic").is_none());
        assert!(hs["extraDetails"].as_str().unwrap().contains("KES 200"));
    }

    #[test]
    fn the_same_directory_exports_the_same_bundle() {
        let a = bundle(&[service(), Service::new("x", "X", 0.0, 0.0)]);
        let b = bundle(&[Service::new("x", "X", 0.0, 0.0), service()]);
        assert_eq!(a, b);
        assert_eq!(
            resource_id("Location", "node/42"),
            resource_id("Location", "node/42")
        );
        assert_ne!(
            resource_id("Location", "node/42"),
            resource_id("HealthcareService", "node/42")
        );
    }
}
