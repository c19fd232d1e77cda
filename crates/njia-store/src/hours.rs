//! A service's opening hours as a week ahead: the OpenStreetMap `opening_hours` rule read by
//! [`njia_model::hours`], the same reading the server's FHIR export makes, in the service's own
//! time zone, so the UI shows days and times instead of "Mo-Fr 08:00-17:00; Sa 09:00-13:00"
//! and never needs a parser of its own that could disagree.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime};
use rusqlite::OptionalExtension;
use serde::{Deserialize, Serialize};

pub use njia_model::hours::{DayHours, Interval};

use crate::{Result, Store, StoreError};

/// How many days the week ahead shows, today included.
pub const DAYS: usize = 7;

/// A service's hours from today for [`DAYS`] days, in the service's own local time: a CHW
/// reads the times written on the door, whatever the phone's clock says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct WeekHours {
    /// The IANA zone the times are in; none when the directory does not say (the times are
    /// then read in the device's offset).
    pub time_zone: Option<String>,
    /// Today first.
    pub days: Vec<DayHours>,
    pub open_now: bool,
    /// When it closes, if open now; none when it stays open past the week shown.
    pub closes_at: Option<LocalTime>,
    /// When it next opens, if closed now; none when it does not open in the week shown.
    pub opens_at: Option<LocalTime>,
}

/// A moment local to the service, split as the UI says it ("Mon 08:00").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct LocalTime {
    pub date: NaiveDate,
    /// `HH:MM`.
    pub time: String,
}

impl LocalTime {
    fn new(t: NaiveDateTime) -> Self {
        Self {
            date: t.date(),
            time: hhmm(t),
        }
    }
}

fn hhmm(t: NaiveDateTime) -> String {
    t.format("%H:%M").to_string()
}

/// The week ahead of `at` for a service with these hours, read in its time zone `tz` (or in
/// the offset `at` was given in, when it has none — as [`crate::near::is_open`] reads them).
///
/// `None` when the hours are missing, cannot be parsed, or say only "unknown" for the whole
/// week: a table of "closed" days would then be a guess, and the UI shows the rule as written.
pub fn week_ahead(
    hours: Option<&str>,
    tz: Option<&str>,
    at: DateTime<FixedOffset>,
) -> Option<WeekHours> {
    let zone = tz.and_then(|t| t.parse::<chrono_tz::Tz>().ok());
    let now = match zone {
        Some(z) => at.with_timezone(&z).naive_local(),
        None => at.naive_local(),
    };
    let njia_model::hours::Days { days, open, until } =
        njia_model::hours::days(hours?, now.date(), DAYS)?;

    let current = open.iter().find(|(s, e)| *s <= now && now < *e);
    Some(WeekHours {
        time_zone: zone.map(|z| z.name().to_string()),
        days,
        open_now: current.is_some(),
        closes_at: current
            .filter(|(_, e)| *e < until)
            .map(|&(_, e)| LocalTime::new(e)),
        opens_at: match current {
            Some(_) => None,
            None => open
                .iter()
                .find(|(s, _)| *s > now)
                .map(|&(s, _)| LocalTime::new(s)),
        },
    })
}

impl Store {
    /// The week ahead of `at` of one service's hours (see [`week_ahead`]); `Ok(None)` when its
    /// hours are unknown or unreadable.
    pub fn service_hours(&self, id: &str, at: DateTime<FixedOffset>) -> Result<Option<WeekHours>> {
        let row: Option<(Option<String>, Option<String>)> = self
            .conn
            .prepare_cached("SELECT opening_hours, timezone FROM service WHERE id = ?1")?
            .query_row([id], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        let (hours, tz) = row.ok_or_else(|| StoreError::ServiceNotFound(id.to_string()))?;
        Ok(week_ahead(hours.as_deref(), tz.as_deref(), at))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(s).unwrap()
    }

    // 2026-11-23 is a Monday.
    const MONDAY_NOON_NAIROBI: &str = "2026-11-23T12:00:00+03:00";

    fn week(hours: &str, tz: Option<&str>, now: &str) -> WeekHours {
        week_ahead(Some(hours), tz, at(now)).expect("readable hours")
    }

    fn iv(from: &str, to: &str, ends_next_day: bool) -> Interval {
        Interval {
            from: from.into(),
            to: to.into(),
            ends_next_day,
        }
    }

    fn closed(d: &DayHours) -> bool {
        !d.all_day && d.intervals.is_empty()
    }

    fn local(date: &str, time: &str) -> Option<LocalTime> {
        Some(LocalTime {
            date: date.parse().unwrap(),
            time: time.into(),
        })
    }

    #[test]
    fn a_weekday_clinic_shows_its_hours_and_its_closed_weekend() {
        let w = week(
            "Mo-Fr 08:00-17:00; Sa 09:00-13:00",
            Some("Africa/Nairobi"),
            MONDAY_NOON_NAIROBI,
        );
        assert_eq!(w.days.len(), DAYS);
        assert_eq!(w.time_zone.as_deref(), Some("Africa/Nairobi"));
        assert_eq!(w.days[0].date.to_string(), "2026-11-23");
        assert_eq!(w.days[0].intervals, [iv("08:00", "17:00", false)]);
        assert_eq!(w.days[4].intervals, [iv("08:00", "17:00", false)]);
        assert_eq!(w.days[5].intervals, [iv("09:00", "13:00", false)]);
        assert_eq!(w.days[6].date.to_string(), "2026-11-29");
        assert!(closed(&w.days[6]));
        assert!(w.open_now);
        assert_eq!(w.closes_at, local("2026-11-23", "17:00"));
        assert_eq!(w.opens_at, None);
    }

    #[test]
    fn after_closing_it_says_when_it_opens_next() {
        // Friday 18:00: next opening is Saturday morning.
        let w = week(
            "Mo-Fr 08:00-17:00; Sa 09:00-13:00",
            Some("Africa/Nairobi"),
            "2026-11-27T18:00:00+03:00",
        );
        assert!(!w.open_now);
        assert_eq!(w.closes_at, None);
        assert_eq!(w.opens_at, local("2026-11-28", "09:00"));
        // Saturday after 13:00: next is Monday.
        let w = week(
            "Mo-Fr 08:00-17:00; Sa 09:00-13:00",
            Some("Africa/Nairobi"),
            "2026-11-28T14:00:00+03:00",
        );
        assert_eq!(w.opens_at, local("2026-11-30", "08:00"));
    }

    #[test]
    fn a_lunch_break_makes_two_intervals() {
        let w = week("Mo-Fr 08:00-12:30,14:00-17:00", None, MONDAY_NOON_NAIROBI);
        assert_eq!(
            w.days[0].intervals,
            [iv("08:00", "12:30", false), iv("14:00", "17:00", false)]
        );
        assert_eq!(w.closes_at, local("2026-11-23", "12:30"));
    }

    #[test]
    fn open_round_the_clock_is_24_hours_every_day_and_never_closes() {
        let w = week("24/7", Some("Africa/Kampala"), MONDAY_NOON_NAIROBI);
        assert!(w.days.iter().all(|d| d.all_day && d.intervals.is_empty()));
        assert!(w.open_now);
        assert_eq!(w.closes_at, None);
        assert_eq!(w.opens_at, None);
    }

    #[test]
    fn a_night_shift_stays_on_the_day_it_starts() {
        let w = week(
            "Fr 22:00-06:00",
            Some("Africa/Nairobi"),
            MONDAY_NOON_NAIROBI,
        );
        assert!(closed(&w.days[3]));
        assert_eq!(w.days[4].intervals, [iv("22:00", "06:00", true)]);
        // Saturday's early hours belong to Friday's night, not to a row of their own.
        assert!(closed(&w.days[5]));
        assert_eq!(w.opens_at, local("2026-11-27", "22:00"));
        // Saturday 02:00, during the night: open, closes at 06:00 that morning.
        let w = week(
            "Fr 22:00-06:00",
            Some("Africa/Nairobi"),
            "2026-11-28T02:00:00+03:00",
        );
        assert!(w.open_now);
        assert_eq!(w.closes_at, local("2026-11-28", "06:00"));
        // Today's (Saturday's) row shows the morning's part, since Friday is not shown.
        assert_eq!(w.days[0].intervals, [iv("00:00", "06:00", false)]);
    }

    #[test]
    fn unknown_or_unreadable_hours_give_no_week() {
        let t = at(MONDAY_NOON_NAIROBI);
        assert_eq!(week_ahead(None, None, t), None);
        assert_eq!(week_ahead(Some("not hours at all"), None, t), None);
        assert_eq!(week_ahead(Some("Mo-Fr 8am to 5pm"), None, t), None);
        assert_eq!(week_ahead(Some("Mo-Fr 08:00-17:00 unknown"), None, t), None);
    }

    #[test]
    fn the_week_is_in_the_services_time_zone_not_the_devices() {
        // Monday 22:30 UTC is already Tuesday 01:30 in Nairobi, still Monday 23:30 in Lagos.
        let t = "2026-11-23T22:30:00Z";
        let nairobi = week("Mo-Fr 08:00-17:00", Some("Africa/Nairobi"), t);
        assert_eq!(nairobi.days[0].date.to_string(), "2026-11-24");
        assert_eq!(nairobi.opens_at, local("2026-11-24", "08:00"));
        let lagos = week("Mo-Fr 08:00-17:00", Some("Africa/Lagos"), t);
        assert_eq!(lagos.days[0].date.to_string(), "2026-11-23");
        // At 06:30 UTC a 09:00 opening has passed in Nairobi (09:30) but not in Johannesburg.
        let t = "2026-11-24T06:30:00Z";
        assert!(week("Mo-Fr 09:00-17:00", Some("Africa/Nairobi"), t).open_now);
        let jnb = week("Mo-Fr 09:00-17:00", Some("Africa/Johannesburg"), t);
        assert!(!jnb.open_now);
        assert_eq!(jnb.opens_at, local("2026-11-24", "09:00"));
        // No zone: the offset the instant was given in.
        let w = week("Mo-Fr 09:00-17:00", None, "2026-11-24T09:30:00+03:00");
        assert_eq!(w.time_zone, None);
        assert!(w.open_now);
    }

    #[test]
    fn the_store_reads_a_services_hours_in_its_zone() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("njia.db"), "correct horse battery").unwrap();
        let mut clinic = njia_model::service::Service::new("svc-1", "Clinic", -1.27, 36.85);
        clinic.opening_hours = Some("Mo-Fr 08:00-17:00".into());
        clinic.timezone = Some("Africa/Nairobi".into());
        let unknown = njia_model::service::Service::new("svc-2", "Hours unknown", -1.28, 36.85);
        store
            .import_services(&[clinic, unknown], |_, _| {})
            .unwrap();

        let t = at("2026-11-23T06:00:00Z");
        let w = store.service_hours("svc-1", t).unwrap().expect("a week");
        assert!(w.open_now);
        assert_eq!(w.closes_at, local("2026-11-23", "17:00"));
        assert_eq!(store.service_hours("svc-2", t).unwrap(), None);
        let err = store.service_hours("nope", t).unwrap_err();
        assert!(matches!(err, StoreError::ServiceNotFound(_)));
    }
}
