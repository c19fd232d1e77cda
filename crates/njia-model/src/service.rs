//! A service of the directory as a device holds it: one service at one location, flattened
//! from HSDS (organization, service, location, phone, schedule, language, cost, documents)
//! into the fields a CHW filters and reads.

use serde::{Deserialize, Serialize};

use crate::error::{check_lat, check_lon, ValidationError};
use crate::taxonomy::{parse_category, parse_language};

/// Longest id accepted: ids come from other systems (UUIDs, `node/123` OSM ids).
pub const MAX_ID_LEN: usize = 128;
/// Longest free-text field accepted; anything longer is a mistake in the source data.
pub const MAX_TEXT_LEN: usize = 4000;

/// One service at one place.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Service {
    /// Stable id from the source (UUID for HSDS, `osm_type/osm_id` for healthsites); re-import
    /// of the same id updates the row.
    pub id: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub lat: f64,
    pub lon: f64,
    #[serde(default)]
    pub categories: Vec<String>,
    #[serde(default)]
    pub languages: Vec<String>,
    #[serde(default)]
    pub free_of_charge: bool,
    #[serde(default)]
    pub no_documents_required: bool,
    #[serde(default)]
    pub interpreter_available: bool,
    /// Staff trained to serve migrants.
    #[serde(default)]
    pub migrant_friendly: bool,
    /// The service goes out to communities.
    #[serde(default)]
    pub mobile_outreach: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub website: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// ISO 3166-1 alpha-2 country code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// Opening hours in OpenStreetMap `opening_hours` syntax.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opening_hours: Option<String>,
    /// IANA time zone the opening hours are written in (`Africa/Nairobi`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
    /// What it costs, in words, when it is not free.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fees: Option<String>,
    /// Documents asked for, in words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub documents: Option<String>,
    /// Where the record came from, for attribution (`healthsites.io`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

impl Service {
    /// A service with just the required fields, for builders and tests.
    pub fn new(id: impl Into<String>, name: impl Into<String>, lat: f64, lon: f64) -> Self {
        Self {
            id: id.into(),
            name: name.into(),
            organization: None,
            description: None,
            lat,
            lon,
            categories: Vec::new(),
            languages: Vec::new(),
            free_of_charge: false,
            no_documents_required: false,
            interpreter_available: false,
            migrant_friendly: false,
            mobile_outreach: false,
            phone: None,
            email: None,
            website: None,
            address: None,
            country: None,
            opening_hours: None,
            timezone: None,
            fees: None,
            documents: None,
            source: None,
        }
    }

    /// Trims and normalises every field, then checks it; the result is what the store keeps.
    /// Errors name the field and say what is wrong.
    pub fn normalize(mut self) -> Result<Self, ValidationError> {
        self.id = self.id.trim().to_string();
        if self.id.is_empty() {
            return Err(ValidationError::new("id", "id is empty"));
        }
        if self.id.len() > MAX_ID_LEN {
            return Err(ValidationError::new(
                "id",
                format!("id is longer than {MAX_ID_LEN} characters"),
            ));
        }
        self.name = self.name.split_whitespace().collect::<Vec<_>>().join(" ");
        if self.name.is_empty() {
            return Err(ValidationError::new("name", "name is missing or empty"));
        }
        check_lat("latitude", self.lat)?;
        check_lon("longitude", self.lon)?;
        let mut categories = Vec::with_capacity(self.categories.len());
        for c in &self.categories {
            if c.trim().is_empty() {
                continue;
            }
            let c = parse_category(c).map_err(|m| ValidationError::new("categories", m))?;
            if !categories.contains(&c) {
                categories.push(c);
            }
        }
        self.categories = categories;
        let mut languages = Vec::with_capacity(self.languages.len());
        for l in &self.languages {
            if l.trim().is_empty() {
                continue;
            }
            let l = parse_language(l).map_err(|m| ValidationError::new("languages", m))?;
            if !languages.contains(&l) {
                languages.push(l);
            }
        }
        self.languages = languages;
        for (field, value) in [
            ("name", Some(&mut self.name)),
            ("organization", self.organization.as_mut()),
            ("description", self.description.as_mut()),
            ("phone", self.phone.as_mut()),
            ("email", self.email.as_mut()),
            ("website", self.website.as_mut()),
            ("address", self.address.as_mut()),
            ("opening_hours", self.opening_hours.as_mut()),
            ("timezone", self.timezone.as_mut()),
            ("fees", self.fees.as_mut()),
            ("documents", self.documents.as_mut()),
            ("source", self.source.as_mut()),
        ] {
            if let Some(v) = value {
                *v = v.trim().to_string();
                if v.chars().count() > MAX_TEXT_LEN {
                    return Err(ValidationError::new(
                        field,
                        format!("{field} is longer than {MAX_TEXT_LEN} characters"),
                    ));
                }
            }
        }
        for opt in [
            &mut self.organization,
            &mut self.description,
            &mut self.phone,
            &mut self.email,
            &mut self.website,
            &mut self.address,
            &mut self.opening_hours,
            &mut self.timezone,
            &mut self.fees,
            &mut self.documents,
            &mut self.source,
        ] {
            if opt.as_deref() == Some("") {
                *opt = None;
            }
        }
        if let Some(cc) = &mut self.country {
            *cc = cc.trim().to_uppercase();
            if cc.is_empty() {
                self.country = None;
            } else if cc.len() != 2 || !cc.bytes().all(|b| b.is_ascii_uppercase()) {
                return Err(ValidationError::new(
                    "country",
                    format!("\"{cc}\" is not an ISO 3166 two-letter country code"),
                ));
            }
        }
        Ok(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalize_cleans_and_dedups() {
        let mut s = Service::new(" a1 ", "  Clínica   São José ", -1.0, 36.0);
        s.categories = vec!["HIV".into(), "hiv".into(), " ".into(), "tb".into()];
        s.languages = vec!["SW".into(), "en".into()];
        s.phone = Some("  ".into());
        let s = s.normalize().unwrap();
        assert_eq!(s.id, "a1");
        assert_eq!(s.name, "Clínica São José");
        assert_eq!(s.categories, vec!["hiv", "tb"]);
        assert_eq!(s.languages, vec!["sw", "en"]);
        assert_eq!(s.phone, None);
    }

    #[test]
    fn normalize_refuses_bad_values_in_words() {
        let err = Service::new("x", "A", 123.4, 0.0).normalize().unwrap_err();
        assert_eq!(err.to_string(), "latitude 123.4 is outside -90..90");
        assert!(Service::new("x", " ", 0.0, 0.0).normalize().is_err());
        assert!(Service::new("", "A", 0.0, 0.0).normalize().is_err());
        let mut s = Service::new("x", "A", 0.0, 0.0);
        s.categories = vec!["dentistry".into()];
        assert!(s
            .normalize()
            .unwrap_err()
            .message
            .contains("unknown category"));
    }
}
