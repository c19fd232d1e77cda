//! Time zones of services: opening hours mean nothing without one, and most sources do not
//! say it, so it is looked up from the coordinates.

use njia_model::service::Service;

/// Whether `name` is a time zone of the IANA tz database (`Africa/Nairobi`, `UTC`).
pub(crate) fn is_iana(name: &str) -> bool {
    name.parse::<chrono_tz::Tz>().is_ok()
}

/// Fills `timezone` from the coordinates where it is missing. The finder takes a noticeable
/// moment to build, so it is built once, and only when some service needs it.
pub(crate) fn fill_missing(services: &mut [Service]) {
    if services.iter().all(|s| s.timezone.is_some()) {
        return;
    }
    let finder = tzf_rs::DefaultFinder::new();
    for service in services.iter_mut().filter(|s| s.timezone.is_none()) {
        let name = finder.get_tz_name(service.lon, service.lat);
        if !name.is_empty() {
            service.timezone = Some(name.to_string());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_zones_come_from_the_map_and_given_ones_stay() {
        let mut services = vec![
            Service::new("a", "Eastleigh clinic", -1.2741, 36.8516),
            Service::new("b", "Hargeisa", 9.56, 44.06),
        ];
        services[1].timezone = Some("Africa/Nairobi".into());
        fill_missing(&mut services);
        assert_eq!(services[0].timezone.as_deref(), Some("Africa/Nairobi"));
        assert_eq!(services[1].timezone.as_deref(), Some("Africa/Nairobi"));
    }

    #[test]
    fn iana_names_are_checked_against_the_database() {
        assert!(is_iana("Africa/Addis_Ababa"));
        assert!(is_iana("UTC"));
        assert!(!is_iana("Africa/Wakanda"));
        assert!(!is_iana("3"));
        assert!(!is_iana("EAT"));
    }
}
