//! Validation errors that read as sentences, because they are shown to a CHW or a data
//! officer as they are.

/// A value that Njia refuses, with the field it concerns and the reason in words.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ValidationError {
    /// Where the bad value is, as a dotted path (`reached[2].count`, `lat`).
    pub field: String,
    /// What is wrong with it, for a person; it names the field in words, so it reads alone.
    pub message: String,
}

impl ValidationError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// Checks a latitude, naming the field on error.
pub fn check_lat(field: &str, lat: f64) -> Result<(), ValidationError> {
    if !lat.is_finite() || !(-90.0..=90.0).contains(&lat) {
        return Err(ValidationError::new(
            field,
            format!("latitude {lat} is outside -90..90"),
        ));
    }
    Ok(())
}

/// Checks a longitude, naming the field on error.
pub fn check_lon(field: &str, lon: f64) -> Result<(), ValidationError> {
    if !lon.is_finite() || !(-180.0..=180.0).contains(&lon) {
        return Err(ValidationError::new(
            field,
            format!("longitude {lon} is outside -180..180"),
        ));
    }
    Ok(())
}
