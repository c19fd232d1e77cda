//! Weekly opening hours between HSDS schedules (RRULE-like rows: `freq=WEEKLY`, `byday`,
//! `opens_at`, `closes_at`) and OpenStreetMap `opening_hours` strings.
//!
//! Only the plain weekly subset of OSM syntax is handled here: day ranges and lists followed by
//! time spans, rules separated by `; `, and `24/7`. That is what HSDS schedules can say and what
//! most directories hold; anything richer (public holidays, months, week numbers) is kept as
//! text by the callers instead of being approximated.

/// Two-letter day names of OSM, Monday first.
const OSM_DAYS: [&str; 7] = ["Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"];
/// Day codes of RFC 5545 `BYDAY`, Monday first.
const RRULE_DAYS: [&str; 7] = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"];
const MIDNIGHT_END: u16 = 24 * 60;

/// One opening span in minutes since midnight; `close` may be 1440 (`24:00`) or earlier than
/// `open` (open over midnight).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Span {
    pub open: u16,
    pub close: u16,
}

/// The spans of each day of the week, Monday first.
pub(crate) type Week = [Vec<Span>; 7];

pub(crate) fn empty_week() -> Week {
    Default::default()
}

/// Writes a week in canonical OSM syntax (`Mo-Fr 08:00-17:00; Sa 09:00-12:00`), or `None`
/// when no day has any span.
pub(crate) fn to_osm(week: &Week) -> Option<String> {
    let groups = groups(week);
    if groups.is_empty() {
        return None;
    }
    let full = [Span {
        open: 0,
        close: MIDNIGHT_END,
    }];
    if groups.len() == 1 && groups[0].0.len() == 7 && groups[0].1[..] == full[..] {
        return Some("24/7".to_string());
    }
    let rules: Vec<String> = groups
        .iter()
        .map(|(days, spans)| {
            let times: Vec<String> = spans
                .iter()
                .map(|s| format!("{}-{}", fmt_time(s.open), fmt_time(s.close)))
                .collect();
            format!("{} {}", day_selector(days), times.join(","))
        })
        .collect();
    Some(rules.join("; "))
}

/// Days that share the same (sorted) spans, in order of their first day; closed days left out.
fn groups(week: &Week) -> Vec<(Vec<usize>, Vec<Span>)> {
    let mut groups: Vec<(Vec<usize>, Vec<Span>)> = Vec::new();
    for (day, spans) in week.iter().enumerate() {
        let mut spans = spans.clone();
        spans.sort();
        spans.dedup();
        if spans.is_empty() {
            continue;
        }
        match groups.iter_mut().find(|(_, s)| *s == spans) {
            Some((days, _)) => days.push(day),
            None => groups.push((vec![day], spans)),
        }
    }
    groups
}

/// `Mo-We,Fr` for days 0,1,2,4: runs of three or more days become ranges.
fn day_selector(days: &[usize]) -> String {
    let mut parts = Vec::new();
    let mut i = 0;
    while i < days.len() {
        let mut j = i;
        while j + 1 < days.len() && days[j + 1] == days[j] + 1 {
            j += 1;
        }
        if j - i >= 2 {
            parts.push(format!("{}-{}", OSM_DAYS[days[i]], OSM_DAYS[days[j]]));
        } else {
            parts.extend(days[i..=j].iter().map(|d| OSM_DAYS[*d].to_string()));
        }
        i = j + 1;
    }
    parts.join(",")
}

pub(crate) fn fmt_time(minutes: u16) -> String {
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

/// Reads the plain weekly subset of OSM `opening_hours`, with OSM's rule that a later rule
/// replaces what earlier rules said about the same days. `None` when the string uses anything
/// outside that subset.
///
/// Not a general reader (that is `njia_model::hours`): the HSDS export only turns into
/// schedule rows a string [`to_osm`] itself would write ([`to_schedule_rows`] checks the round
/// trip), and keeps a night such as `Sa 22:00-02:00` as one row closing before it opens, as
/// HSDS allows; `njia_model::hours::plain_weekly` cuts it at midnight for timetables that
/// have no next day.
pub(crate) fn parse_osm(text: &str) -> Option<Week> {
    let text = text.trim();
    if text == "24/7" {
        let mut week = empty_week();
        for day in &mut week {
            day.push(Span {
                open: 0,
                close: MIDNIGHT_END,
            });
        }
        return Some(week);
    }
    let mut week = empty_week();
    for rule in text.split(';') {
        let rule = rule.trim();
        let (selector, times) = match rule.split_once(' ') {
            Some((s, t)) if s.chars().next().is_some_and(|c| c.is_ascii_alphabetic()) => {
                (Some(s), t.trim())
            }
            _ => (None, rule),
        };
        let days = match selector {
            Some(s) => parse_day_selector(s)?,
            None => (0..7).collect(),
        };
        let spans = if times == "off" || times == "closed" {
            Vec::new()
        } else {
            times
                .split(',')
                .map(parse_span)
                .collect::<Option<Vec<_>>>()?
        };
        for day in days {
            week[day] = spans.clone();
        }
    }
    Some(week)
}

fn parse_day_selector(text: &str) -> Option<Vec<usize>> {
    let mut days = Vec::new();
    for part in text.split(',') {
        match part.split_once('-') {
            Some((from, to)) => {
                let from = osm_day(from)?;
                let to = osm_day(to)?;
                let mut d = from;
                loop {
                    days.push(d);
                    if d == to {
                        break;
                    }
                    d = (d + 1) % 7;
                }
            }
            None => days.push(osm_day(part)?),
        }
    }
    Some(days)
}

fn osm_day(text: &str) -> Option<usize> {
    OSM_DAYS.iter().position(|d| *d == text)
}

fn parse_span(text: &str) -> Option<Span> {
    let (open, close) = text.trim().split_once('-')?;
    let open = parse_hh_mm(open)?;
    let close = parse_hh_mm(close)?;
    // `00:00` as an end is written `24:00` in OSM; `24:00` only ends a span.
    if open >= MIDNIGHT_END || close == 0 || open == close {
        return None;
    }
    Some(Span { open, close })
}

/// Strict `HH:MM` as OSM writes it (`24:00` allowed).
fn parse_hh_mm(text: &str) -> Option<u16> {
    let b = text.as_bytes();
    if b.len() != 5
        || b[2] != b':'
        || !b
            .iter()
            .enumerate()
            .all(|(i, c)| i == 2 || c.is_ascii_digit())
    {
        return None;
    }
    let h = u16::from(b[0] - b'0') * 10 + u16::from(b[1] - b'0');
    let m = u16::from(b[3] - b'0') * 10 + u16::from(b[4] - b'0');
    if m >= 60 || h > 24 || (h == 24 && m != 0) {
        return None;
    }
    Some(h * 60 + m)
}

/// An HSDS time: `HH:MM`, optionally `:SS`, optionally a `Z` or `±HH:MM` suffix (dropped: the
/// hours are read as local time, which is what people at the door see).
pub(crate) fn parse_hsds_time(text: &str) -> Option<u16> {
    let text = text.trim();
    let core = text
        .strip_suffix('Z')
        .or_else(|| {
            // `10:00+03:00`, `10:00:00-05:00`
            text.rfind(['+', '-'])
                .filter(|i| *i >= 5)
                .map(|i| &text[..i])
        })
        .unwrap_or(text);
    let hh_mm = match core.len() {
        5 => core,
        8 if core.as_bytes()[5] == b':' => &core[..5],
        _ => return None,
    };
    parse_hh_mm(hh_mm)
}

/// RFC 5545 `BYDAY` of a weekly rule (`MO,TU,FR`); `None` for ordinals like `1MO`.
pub(crate) fn parse_byday(text: &str) -> Option<Vec<usize>> {
    text.split(',')
        .map(|d| {
            let d = d.trim().to_ascii_uppercase();
            RRULE_DAYS.iter().position(|r| *r == d)
        })
        .collect()
}

pub(crate) fn byday(days: &[usize]) -> String {
    days.iter()
        .map(|d| RRULE_DAYS[*d])
        .collect::<Vec<_>>()
        .join(",")
}

/// The groups of days that share spans, as HSDS schedule rows would hold them, for an OSM
/// string that reads back identically. `None` when the string is outside the weekly subset
/// or not in canonical form, so the caller keeps the text instead.
pub(crate) fn to_schedule_rows(osm: &str) -> Option<Vec<(Vec<usize>, Span)>> {
    let week = parse_osm(osm)?;
    if to_osm(&week).as_deref() != Some(osm) {
        return None;
    }
    Some(
        groups(&week)
            .into_iter()
            .flat_map(|(days, spans)| spans.into_iter().map(move |s| (days.clone(), s)))
            .collect(),
    )
}

/// An HSDS `closes_at` of `00:00` ends the day (`24:00`).
pub(crate) fn hsds_close(minutes: u16) -> u16 {
    if minutes == 0 {
        MIDNIGHT_END
    } else {
        minutes
    }
}

/// `24:00` is written `00:00` in HSDS, whose times are times of day.
pub(crate) fn fmt_hsds_time(minutes: u16) -> String {
    fmt_time(minutes % MIDNIGHT_END)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn week_of(rows: &[(&[usize], u16, u16)]) -> Week {
        let mut week = empty_week();
        for (days, open, close) in rows {
            for d in *days {
                week[*d].push(Span {
                    open: *open,
                    close: *close,
                });
            }
        }
        week
    }

    #[test]
    fn weekdays_and_saturday_morning_read_as_people_write_them() {
        let week = week_of(&[(&[0, 1, 2, 3, 4], 480, 1020), (&[5], 540, 720)]);
        assert_eq!(to_osm(&week).unwrap(), "Mo-Fr 08:00-17:00; Sa 09:00-12:00");
    }

    #[test]
    fn short_runs_are_lists_and_split_days_keep_both_spans() {
        let week = week_of(&[(&[0, 1, 3], 480, 720), (&[0, 1, 3], 780, 1020)]);
        assert_eq!(to_osm(&week).unwrap(), "Mo,Tu,Th 08:00-12:00,13:00-17:00");
        let all = week_of(&[(&[0, 1, 2, 3, 4, 5, 6], 0, 1440)]);
        assert_eq!(to_osm(&all).unwrap(), "24/7");
        assert_eq!(to_osm(&empty_week()), None);
    }

    #[test]
    fn later_osm_rules_replace_earlier_ones_for_the_same_days() {
        let week = parse_osm("Mo-Fr 08:00-17:00; Fr 08:00-12:00; Su off").unwrap();
        assert_eq!(to_osm(&week).unwrap(), "Mo-Th 08:00-17:00; Fr 08:00-12:00");
        let wrap = parse_osm("Sa-Mo 10:00-14:00").unwrap();
        assert_eq!(to_osm(&wrap).unwrap(), "Mo,Sa,Su 10:00-14:00");
    }

    #[test]
    fn only_canonical_weekly_strings_become_schedule_rows() {
        let rows = to_schedule_rows("Mo-Fr 08:00-12:00,13:00-17:00; Sa 22:00-24:00").unwrap();
        assert_eq!(
            rows,
            vec![
                (
                    vec![0, 1, 2, 3, 4],
                    Span {
                        open: 480,
                        close: 720
                    }
                ),
                (
                    vec![0, 1, 2, 3, 4],
                    Span {
                        open: 780,
                        close: 1020
                    }
                ),
                (
                    vec![5],
                    Span {
                        open: 1320,
                        close: 1440
                    }
                ),
            ]
        );
        for kept_as_text in [
            "Mo-Fr 08:00-17:00; PH off",
            "Mo-Su 00:00-24:00",
            "mo-fr 08:00-17:00",
            "Mo-Fr 8:00-17:00",
            "07:30 - 16:00",
            "Mo 22:00-00:00",
            "sunrise-sunset",
        ] {
            assert_eq!(to_schedule_rows(kept_as_text), None, "{kept_as_text}");
        }
    }

    #[test]
    fn hsds_times_accept_seconds_and_zones() {
        assert_eq!(parse_hsds_time("10:00:00"), Some(600));
        assert_eq!(parse_hsds_time("10:30"), Some(630));
        assert_eq!(parse_hsds_time("10:30Z"), Some(630));
        assert_eq!(parse_hsds_time("10:30:00+03:00"), Some(630));
        assert_eq!(parse_hsds_time("10h30"), None);
        assert_eq!(parse_hsds_time(""), None);
        assert_eq!(hsds_close(0), 1440);
        assert_eq!(fmt_hsds_time(1440), "00:00");
        assert_eq!(parse_byday("MO, tu,FR"), Some(vec![0, 1, 4]));
        assert_eq!(parse_byday("1MO"), None);
    }
}
