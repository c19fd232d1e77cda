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
//!   08:00-17:00; Sa 09:00-13:00`, `24/7`, `off` days); anything else (holidays, months,
//!   comments, hours past midnight) is written as it is in `availabilityExceptions`.
//!
//! Ids are UUIDv5 of the resource type and the service id (or the organisation name), so the
//! same directory always exports the same bundle, byte for byte.

use std::collections::BTreeMap;

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
        entries.push(entry(location(s)));
        entries.push(entry(healthcare_service(s)));
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

fn location(s: &Service) -> Value {
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
    if let Some(hours) = &s.opening_hours {
        match weekly_hours(hours) {
            Some(slots) => {
                let list: Vec<Value> = slots
                    .iter()
                    .map(|slot| slot.to_json("openingTime", "closingTime"))
                    .collect();
                m.insert("hoursOfOperation".into(), json!(list));
            }
            None => {
                m.insert("availabilityExceptions".into(), json!(hours));
            }
        }
    }
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

fn healthcare_service(s: &Service) -> Value {
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
    if let Some(hours) = &s.opening_hours {
        match weekly_hours(hours) {
            Some(slots) => {
                let list: Vec<Value> = slots
                    .iter()
                    .map(|slot| slot.to_json("availableStartTime", "availableEndTime"))
                    .collect();
                m.insert("availableTime".into(), json!(list));
            }
            None => {
                m.insert("availabilityExceptions".into(), json!(hours));
            }
        }
    }
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

const DAYS: [(&str, &str); 7] = [
    ("Mo", "mon"),
    ("Tu", "tue"),
    ("We", "wed"),
    ("Th", "thu"),
    ("Fr", "fri"),
    ("Sa", "sat"),
    ("Su", "sun"),
];

/// One line of a weekly timetable: these days, from `open` to `close` (minutes after
/// midnight; 0 to 1440 is all day).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WeeklySlot {
    /// FHIR day codes (`mon` … `sun`), in week order.
    pub days: Vec<&'static str>,
    pub open: u16,
    pub close: u16,
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

fn fhir_time(minutes: u16) -> String {
    format!("{:02}:{:02}:00", minutes / 60, minutes % 60)
}

/// OpenStreetMap `opening_hours` as a weekly timetable, when it is one: rules separated by
/// `;`, each `[days] times` or `days off`, days like `Mo-Fr` or `Mo,We,Sa` (ranges may wrap:
/// `Fr-Mo`), times like `08:00-12:00,13:00-17:00`, or `24/7`. A later rule replaces the
/// hours of the days it names, as in OSM. `None` for anything else (public holidays,
/// months, week numbers, comments, times past midnight), which only a full evaluator reads
/// right, and for hours that are never open.
pub fn weekly_hours(osm: &str) -> Option<Vec<WeeklySlot>> {
    let mut week: [Vec<(u16, u16)>; 7] = Default::default();
    let mut any_rule = false;
    for rule in osm.split(';').map(str::trim).filter(|r| !r.is_empty()) {
        any_rule = true;
        if rule == "24/7" {
            for day in &mut week {
                *day = vec![(0, 24 * 60)];
            }
            continue;
        }
        let mut tokens = rule.split_whitespace();
        let first = tokens.next()?;
        let (days, rest) = match parse_days(first) {
            Some(days) => (days, tokens.collect::<String>()),
            None => ([true; 7], rule.split_whitespace().collect::<String>()),
        };
        let hours = match rest.as_str() {
            "off" | "closed" => Vec::new(),
            "" => return None,
            times => parse_times(times)?,
        };
        for (i, on) in days.iter().enumerate() {
            if *on {
                week[i] = hours.clone();
            }
        }
    }
    if !any_rule {
        return None;
    }
    // One slot per distinct interval, listing every day that has it.
    let mut by_interval: BTreeMap<(u16, u16), Vec<&'static str>> = BTreeMap::new();
    for (i, intervals) in week.iter().enumerate() {
        for interval in intervals {
            by_interval.entry(*interval).or_default().push(DAYS[i].1);
        }
    }
    if by_interval.is_empty() {
        return None;
    }
    Some(
        by_interval
            .into_iter()
            .map(|((open, close), days)| WeeklySlot { days, open, close })
            .collect(),
    )
}

fn day_index(token: &str) -> Option<usize> {
    DAYS.iter().position(|(osm, _)| *osm == token)
}

/// `Mo-Fr`, `Sa,Su`, `Mo,We-Fr` as a set of days; `None` if it is not a day list.
fn parse_days(token: &str) -> Option<[bool; 7]> {
    let mut days = [false; 7];
    for part in token.split(',') {
        match part.split_once('-') {
            Some((from, to)) => {
                let (from, to) = (day_index(from)?, day_index(to)?);
                let mut d = from;
                loop {
                    days[d] = true;
                    if d == to {
                        break;
                    }
                    d = (d + 1) % 7;
                }
            }
            None => days[day_index(part)?] = true,
        }
    }
    Some(days)
}

/// `08:00-12:00,13:00-17:00` as minute intervals, each opening before it closes on the
/// same day.
fn parse_times(text: &str) -> Option<Vec<(u16, u16)>> {
    let mut out = Vec::new();
    for range in text.split(',') {
        let (open, close) = range.split_once('-')?;
        let (open, close) = (parse_time(open)?, parse_time(close)?);
        if open >= close || open >= 24 * 60 {
            return None;
        }
        // FHIR times stop at 23:59:59; a close at midnight is only expressible as all day.
        if close == 24 * 60 && open != 0 {
            return None;
        }
        out.push((open, close));
    }
    Some(out)
}

fn parse_time(text: &str) -> Option<u16> {
    let (h, m) = text.split_once(':')?;
    if h.len() != 2 || m.len() != 2 {
        return None;
    }
    let (h, m): (u16, u16) = (h.parse().ok()?, m.parse().ok()?);
    if m > 59 || h > 24 || (h == 24 && m != 0) {
        return None;
    }
    Some(h * 60 + m)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slot(days: &[&'static str], open: u16, close: u16) -> WeeklySlot {
        WeeklySlot {
            days: days.to_vec(),
            open,
            close,
        }
    }

    #[test]
    fn a_plain_weekly_timetable_becomes_slots_later_rules_winning() {
        let got = weekly_hours("Mo-Fr 08:00-17:00; We 08:00-12:00; Sa 09:00-13:00").unwrap();
        assert_eq!(
            got,
            vec![
                slot(&["wed"], 480, 720),
                slot(&["mon", "tue", "thu", "fri"], 480, 1020),
                slot(&["sat"], 540, 780),
            ]
        );
        let got = weekly_hours("Mo-Fr 08:00-12:00, 14:00-18:00; Fr off").unwrap();
        assert_eq!(
            got,
            vec![
                slot(&["mon", "tue", "wed", "thu"], 480, 720),
                slot(&["mon", "tue", "wed", "thu"], 840, 1080),
            ]
        );
        assert_eq!(
            weekly_hours("24/7").unwrap(),
            vec![slot(
                &["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
                0,
                1440
            )]
        );
        assert_eq!(
            weekly_hours("Fr-Mo 00:00-24:00").unwrap(),
            vec![slot(&["mon", "fri", "sat", "sun"], 0, 1440)]
        );
        assert_eq!(
            weekly_hours("07:00-19:00").unwrap()[0].days.len(),
            7,
            "times alone mean every day"
        );
    }

    #[test]
    fn anything_past_a_weekly_timetable_is_not_guessed() {
        for osm in [
            "Mo-Fr 08:00-17:00; PH off",
            "Jan-Mar Mo 08:00-12:00",
            "Mo-Fr 22:00-06:00",
            "Mo-Fr 18:00-24:00",
            "Mo-Fr 08:00-17:00 \"by appointment\"",
            "sunrise-sunset",
            "Mo-Fr",
            "off",
            "",
            "Mo-Fr 8:00-17:00",
        ] {
            assert_eq!(weekly_hours(osm), None, "{osm}");
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
