//! The controlled vocabularies: service categories, outreach activities and the
//! disaggregation axes of people reached. One list each, so the CLI, the store, the server and
//! the UI agree on spelling.

use serde::{Deserialize, Serialize};

/// Service categories of DESIGN §2, in a fixed order: a category's position is its bit in the
/// store's category mask, so new ones are only ever appended.
pub const CATEGORIES: &[&str] = &[
    "primary_care",
    "hiv",
    "tb",
    "malaria",
    "maternal",
    "child_health",
    "immunization",
    "srh",
    "gbv",
    "mental_health",
    "psychosocial",
    "nutrition",
    "emergency",
    "pharmacy",
    "laboratory",
    "disability",
    "harm_reduction",
    "legal_aid",
    "shelter",
];

/// The position of a known category, which is also its bit in masks.
pub fn category_index(code: &str) -> Option<usize> {
    CATEGORIES.iter().position(|c| *c == code)
}

/// Normalises a category code (trimmed, lower case) and checks it is in the taxonomy.
pub fn parse_category(raw: &str) -> Result<String, String> {
    let code = raw.trim().to_lowercase().replace(['-', ' '], "_");
    if category_index(&code).is_some() {
        Ok(code)
    } else {
        Err(format!(
            "unknown category \"{}\" (known: {})",
            raw.trim(),
            CATEGORIES.join(", ")
        ))
    }
}

/// Normalises a language code: ISO 639-1 (two letters) or 639-3 (three letters), lower case.
pub fn parse_language(raw: &str) -> Result<String, String> {
    let code = raw.trim().to_lowercase();
    let ok = (2..=3).contains(&code.len()) && code.bytes().all(|b| b.is_ascii_lowercase());
    if ok {
        Ok(code)
    } else {
        Err(format!(
            "\"{}\" is not an ISO 639 language code (two or three letters, like sw or som)",
            raw.trim()
        ))
    }
}

/// What kind of outreach a session was.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum Activity {
    HealthTalk,
    DoorToDoor,
    CommunityDialogue,
    Screening,
    MobileClinic,
    Distribution,
    Other,
}

/// Sex as recorded for disaggregated counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum Sex {
    Female,
    Male,
    Other,
}

/// Age bands of the reporting standard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum AgeBand {
    #[serde(rename = "0-4")]
    Under5,
    #[serde(rename = "5-17")]
    From5To17,
    #[serde(rename = "18-49")]
    From18To49,
    #[serde(rename = "50+")]
    From50,
}

/// Whether the people reached are migrants or members of the host community.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum Group {
    Migrant,
    Host,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn categories_normalise_and_refuse_unknown_codes_in_words() {
        assert_eq!(parse_category(" HIV ").unwrap(), "hiv");
        assert_eq!(parse_category("mental-health").unwrap(), "mental_health");
        let err = parse_category("hvi").unwrap_err();
        assert!(err.starts_with("unknown category \"hvi\""), "{err}");
    }

    #[test]
    fn languages_are_iso_639_codes() {
        assert_eq!(parse_language("SW").unwrap(), "sw");
        assert_eq!(parse_language("som").unwrap(), "som");
        assert!(parse_language("Swahili").is_err());
        assert!(parse_language("s1").is_err());
    }

    #[test]
    fn age_bands_serialise_as_written_on_forms() {
        assert_eq!(serde_json::to_string(&AgeBand::From50).unwrap(), "\"50+\"");
        let band: AgeBand = serde_json::from_str("\"0-4\"").unwrap();
        assert_eq!(band, AgeBand::Under5);
    }
}
