//! Opening hours in OpenStreetMap's `opening_hours` syntax, read by one parser (the
//! `opening-hours` crate) for everyone who shows or exports them: the device's week ahead and
//! the server's FHIR export would otherwise each carry a reader of their own, and two readers
//! of the same rule end up disagreeing about it.
//!
//! Times are local to the service and naive: the caller picks the days in the service's own
//! time zone, so nothing here needs a clock or a zone database.

use chrono::{Duration, NaiveDate, NaiveDateTime, NaiveTime, Timelike};
use opening_hours::{OpeningHours, RuleKind};
use opening_hours_syntax::rules::day::WeekDayRange;
use opening_hours_syntax::rules::time::Time;
use serde::{Deserialize, Serialize};

/// A stretch of time, from its start (included) to its end (excluded).
pub type Span = (NaiveDateTime, NaiveDateTime);

/// One day's opening, local to the service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DayHours {
    pub date: NaiveDate,
    /// Open from midnight to midnight: shown as "open 24 hours", not as "00:00–00:00".
    pub all_day: bool,
    /// In order. Empty on a day that is not `all_day`: closed.
    pub intervals: Vec<Interval>,
}

/// A stretch of opening that starts on its day; one that runs past midnight stays on the day
/// it starts, as the sign on the door says ("22:00–06:00"), instead of being cut in two.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Interval {
    /// `HH:MM`.
    pub from: String,
    /// `HH:MM`; `00:00` with `ends_next_day` when it closes at midnight.
    pub to: String,
    pub ends_next_day: bool,
}

/// What a rule says about a run of days: the days as a door sign shows them, and the open
/// stretches themselves, which answer "open now?" and "opens when?" without reading the rule
/// again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Days {
    /// One per day asked for, the first day first.
    pub days: Vec<DayHours>,
    /// In order, merged where one ends as the next starts, cut at [`Days::until`].
    pub open: Vec<Span>,
    /// The end of the stretch read: the midnight after the day after the last day asked for
    /// (one day more, to see where the last day's night ends).
    pub until: NaiveDateTime,
}

/// The days from `first` for `count` days under an OSM `opening_hours` rule.
///
/// `None` when the rule cannot be parsed, or says only "unknown" for the whole stretch: a
/// table of "closed" days would then be a guess, and the rule is better shown as written.
pub fn days(rule: &str, first: NaiveDate, count: usize) -> Option<Days> {
    let oh: OpeningHours = rule.parse().ok()?;
    let start = first.and_time(NaiveTime::MIN);
    let until = start + Duration::days(count as i64 + 1);
    let (open, unknown) = open_spans(&oh, start, until);
    if open.is_empty() && unknown {
        return None;
    }

    let day_start = |i: usize| start + Duration::days(i as i64);
    let mut by_day: Vec<Vec<Span>> = (0..=count)
        .map(|i| clip(&open, day_start(i), day_start(i + 1)))
        .collect();
    let all_day: Vec<bool> = (0..=count)
        .map(|i| by_day[i] == [(day_start(i), day_start(i + 1))])
        .collect();

    let mut days = Vec::with_capacity(count);
    for i in 0..count {
        let spans = std::mem::take(&mut by_day[i]);
        let mut intervals = Vec::with_capacity(spans.len());
        if !all_day[i] {
            let midnight = day_start(i + 1);
            for (s, mut e) in spans {
                // Carry a night across midnight into the next day's first stretch, unless the
                // next day is open round the clock (it shows as such).
                if e == midnight && !all_day[i + 1] {
                    if let Some(&(ns, ne)) = by_day[i + 1].first() {
                        if ns == midnight {
                            e = ne;
                            by_day[i + 1].remove(0);
                        }
                    }
                }
                intervals.push(Interval {
                    from: hhmm(s),
                    to: hhmm(e),
                    ends_next_day: e.date() > s.date(),
                });
            }
        }
        days.push(DayHours {
            date: day_start(i).date(),
            all_day: all_day[i],
            intervals,
        });
    }
    Some(Days { days, open, until })
}

/// Minutes after a day's midnight, `0..=1440`: `1440` is the midnight that ends the day.
pub type Minute = u16;

/// A rule that says the same every week, as one week, Monday first: each day's opening cut
/// at midnight into `(from, to)` minutes, in order, `from < to`. A night from Friday 20:00 to
/// 02:00 is Friday `(1200, 1440)` and Saturday `(0, 120)`: the shape of timetables that
/// speak of days (FHIR's `availableTime`), which have no "next day".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Weekly {
    pub days: [Vec<(Minute, Minute)>; 7],
}

impl Weekly {
    /// Whether the rule never opens: a week of closed days, which a list of slots cannot say.
    pub fn never_open(&self) -> bool {
        self.days.iter().all(Vec::is_empty)
    }
}

/// The week a rule repeats, when it is a plain weekly timetable: two successive weeks read
/// by the crate give the same stretches on each weekday, and nothing in it depends on what
/// two weeks cannot show — public or school holidays (no holiday calendar is loaded, so they
/// never match), months, week numbers, years or "the first Monday" (two weeks inside one
/// month agree), sunrise or sunset (no place is loaded). A comment or an "unknown" is not a
/// timetable either. `None` for all of these and for rules that do not parse: the caller
/// keeps such a rule as written.
pub fn plain_weekly(rule: &str) -> Option<Weekly> {
    let oh: OpeningHours = rule.parse().ok()?;
    if !only_weekly_selectors(&oh) {
        return None;
    }
    // Any Monday will do: the selectors above cannot tell one week from another.
    let monday = NaiveDate::from_isoywd_opt(2024, 1, chrono::Weekday::Mon)?;
    let start = monday.and_time(NaiveTime::MIN);
    let mut open = Vec::new();
    for r in oh.iter_range(start, start + Duration::days(14)) {
        if !r.comment.is_empty() {
            return None;
        }
        match r.kind {
            RuleKind::Open => push_merged(&mut open, (r.range.start, r.range.end)),
            RuleKind::Unknown => return None,
            RuleKind::Closed => {}
        }
    }
    let week = |w: i64| -> [Vec<(Minute, Minute)>; 7] {
        std::array::from_fn(|d| {
            let lo = start + Duration::days(7 * w + d as i64);
            clip(&open, lo, lo + Duration::days(1))
                .into_iter()
                .map(|(s, e)| (minute(s, lo), minute(e, lo)))
                .collect()
        })
    };
    let first = week(0);
    (first == week(1)).then_some(Weekly { days: first })
}

/// Whether every selector of the rule repeats each week: weekdays (no holidays, no "n-th
/// weekday of the month", no offsets) and fixed times (no sunrise, no "open end", no
/// repetition), with no year, month, date or week number.
fn only_weekly_selectors(oh: &OpeningHours) -> bool {
    let fixed = |t: &Time| matches!(t, Time::Fixed(_));
    oh.get_expression().rules.iter().all(|r| {
        let d = &r.day_selector;
        d.year.is_empty()
            && d.monthday.is_empty()
            && d.week.is_empty()
            && d.weekday.iter().all(|w| match w {
                WeekDayRange::Fixed {
                    offset,
                    nth_from_start,
                    nth_from_end,
                    ..
                } => {
                    *offset == 0
                        && !nth_from_start.contains(&false)
                        && !nth_from_end.contains(&false)
                }
                WeekDayRange::Holiday { .. } => false,
            })
            && r.time_selector.spans.iter().all(|s| {
                fixed(&s.range.start) && fixed(&s.range.end) && !s.open_end && s.repeats.is_none()
            })
    })
}

/// The open stretches of `from..to`, merged, and whether any part of it is "unknown".
fn open_spans(oh: &OpeningHours, from: NaiveDateTime, to: NaiveDateTime) -> (Vec<Span>, bool) {
    let mut open = Vec::new();
    let mut unknown = false;
    for r in oh.iter_range(from, to) {
        match r.kind {
            RuleKind::Open => push_merged(&mut open, (r.range.start, r.range.end)),
            RuleKind::Unknown => unknown = true,
            RuleKind::Closed => {}
        }
    }
    (open, unknown)
}

fn push_merged(open: &mut Vec<Span>, (s, e): Span) {
    match open.last_mut() {
        Some(last) if last.1 == s => last.1 = e,
        _ => open.push((s, e)),
    }
}

/// The parts of `spans` inside `lo..hi`.
fn clip(spans: &[Span], lo: NaiveDateTime, hi: NaiveDateTime) -> Vec<Span> {
    spans
        .iter()
        .map(|&(s, e)| (s.max(lo), e.min(hi)))
        .filter(|(s, e)| s < e)
        .collect()
}

/// Minutes from `midnight` to `t`, `t` at most a day later.
fn minute(t: NaiveDateTime, midnight: NaiveDateTime) -> Minute {
    if t.date() > midnight.date() {
        24 * 60
    } else {
        (t.hour() * 60 + t.minute()) as Minute
    }
}

fn hhmm(t: NaiveDateTime) -> String {
    t.format("%H:%M").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    // 2026-11-23 is a Monday.
    fn monday() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
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

    fn week_of(rule: &str) -> Vec<DayHours> {
        days(rule, monday(), 7).expect("readable hours").days
    }

    /// A weekly timetable written as `[(weekday index, from, to)]`, minutes.
    fn weekly(slots: &[(usize, Minute, Minute)]) -> Weekly {
        let mut w = Weekly {
            days: Default::default(),
        };
        for &(d, from, to) in slots {
            w.days[d].push((from, to));
        }
        w
    }

    const H: Minute = 60;

    #[test]
    fn a_weekday_timetable_gives_each_day_its_hours() {
        let d = week_of("Mo-Fr 08:00-17:00; Sa 09:00-13:00");
        assert_eq!(d.len(), 7);
        assert_eq!(d[0].date, monday());
        assert_eq!(d[0].intervals, [iv("08:00", "17:00", false)]);
        assert_eq!(d[4].intervals, [iv("08:00", "17:00", false)]);
        assert_eq!(d[5].intervals, [iv("09:00", "13:00", false)]);
        assert!(closed(&d[6]));
        let lunch = week_of("Mo-Fr 08:00-12:30,14:00-17:00");
        assert_eq!(
            lunch[2].intervals,
            [iv("08:00", "12:30", false), iv("14:00", "17:00", false)]
        );
    }

    #[test]
    fn round_the_clock_and_days_off() {
        assert!(week_of("24/7")
            .iter()
            .all(|d| d.all_day && d.intervals.is_empty()));
        let d = week_of("Mo-Sa 08:00-17:00; We off");
        assert!(closed(&d[2]));
        assert_eq!(d[3].intervals, [iv("08:00", "17:00", false)]);
        assert!(week_of("off").iter().all(closed));
    }

    #[test]
    fn a_night_stays_on_the_day_it_starts() {
        let d = week_of("Fr 22:00-06:00");
        assert_eq!(d[4].intervals, [iv("22:00", "06:00", true)]);
        assert!(closed(&d[5]), "Saturday's early hours are Friday's night");
        let d = week_of("Mo-Su 18:00-24:00");
        assert_eq!(d[6].intervals, [iv("18:00", "00:00", true)]);
        // The last day's night is read to its end, in the day past the days asked for.
        let d = days("Su 20:00-04:00", monday(), 7).unwrap();
        assert_eq!(d.days[6].intervals, [iv("20:00", "04:00", true)]);
        assert_eq!(d.until.date(), monday() + Duration::days(8));
        // Starting on Saturday, Friday's night shows as the morning it leaves.
        let sat = monday() + Duration::days(5);
        let d = days("Fr 22:00-06:00", sat, 7).unwrap();
        assert_eq!(d.days[0].intervals, [iv("00:00", "06:00", false)]);
    }

    #[test]
    fn the_open_stretches_are_merged_across_midnight() {
        let d = days("Fr 22:00-06:00", monday(), 7).unwrap();
        let fri = monday() + Duration::days(4);
        assert_eq!(
            d.open,
            [(
                fri.and_hms_opt(22, 0, 0).unwrap(),
                (fri + Duration::days(1)).and_hms_opt(6, 0, 0).unwrap()
            )]
        );
    }

    #[test]
    fn unknown_or_unreadable_rules_give_no_days() {
        assert_eq!(days("not hours at all", monday(), 7), None);
        assert_eq!(days("Mo-Fr 8am to 5pm", monday(), 7), None);
        assert_eq!(days("Mo-Fr 08:00-17:00 unknown", monday(), 7), None);
    }

    #[test]
    fn a_weekly_rule_is_one_week_of_hours() {
        let office = (8 * H, 17 * H);
        assert_eq!(
            plain_weekly("Mo-Fr 08:00-17:00; Sa 09:00-13:00"),
            Some(weekly(&[
                (0, office.0, office.1),
                (1, office.0, office.1),
                (2, office.0, office.1),
                (3, office.0, office.1),
                (4, office.0, office.1),
                (5, 9 * H, 13 * H),
            ]))
        );
        // A later rule replaces the days it names; a lunch break is two stretches.
        assert_eq!(
            plain_weekly("Mo,We 08:00-12:00,14:00-18:00; We off"),
            Some(weekly(&[(0, 8 * H, 12 * H), (0, 14 * H, 18 * H)]))
        );
        // Day ranges may wrap round the week.
        assert_eq!(
            plain_weekly("Fr-Mo 10:00-14:00"),
            Some(weekly(&[
                (0, 10 * H, 14 * H),
                (4, 10 * H, 14 * H),
                (5, 10 * H, 14 * H),
                (6, 10 * H, 14 * H),
            ]))
        );
    }

    #[test]
    fn round_the_clock_and_off_days_are_weekly() {
        let all_day: Vec<(usize, Minute, Minute)> = (0..7).map(|d| (d, 0, 24 * H)).collect();
        assert_eq!(plain_weekly("24/7"), Some(weekly(&all_day)));
        assert_eq!(plain_weekly("Mo-Su 00:00-24:00"), Some(weekly(&all_day)));
        let w = plain_weekly("Mo-Sa 08:00-17:00; We,Sa off").unwrap();
        assert!(w.days[2].is_empty() && w.days[5].is_empty() && w.days[6].is_empty());
        assert_eq!(w.days[3], [(8 * H, 17 * H)]);
        let off = plain_weekly("off").unwrap();
        assert!(off.never_open());
        assert!(!w.never_open());
    }

    #[test]
    fn a_night_past_midnight_is_cut_at_midnight() {
        assert_eq!(
            plain_weekly("Fr 20:00-02:00"),
            Some(weekly(&[(4, 20 * H, 24 * H), (5, 0, 2 * H)]))
        );
        // Sunday's night runs into Monday, at the start of the week.
        assert_eq!(
            plain_weekly("Su 22:00-06:00"),
            Some(weekly(&[(0, 0, 6 * H), (6, 22 * H, 24 * H)]))
        );
        // Nights every day join the evening to the next morning.
        let w = plain_weekly("Mo-Su 18:00-06:00").unwrap();
        assert!(w.days.iter().all(|d| d == &[(0, 6 * H), (18 * H, 24 * H)]));
        assert_eq!(
            plain_weekly("Mo-Fr 18:00-24:00").unwrap().days[4],
            [(18 * H, 24 * H)]
        );
    }

    #[test]
    fn calendars_comments_and_the_sun_are_not_weekly() {
        for rule in [
            "Mo-Fr 08:00-17:00; PH off",
            "PH 10:00-12:00",
            "Mo-Fr 08:00-17:00; SH off",
            "Jan-Mar Mo 08:00-12:00",
            "Mo-Fr 08:00-17:00; Dec 25 off",
            "week 1-53/2 Mo 08:00-12:00",
            "2026 Mo-Fr 08:00-17:00",
            "Mo[1] 08:00-12:00",
            "easter off",
            "sunrise-sunset",
            "Mo-Fr 08:00-17:00+",
            "Mo-Fr 08:00-17:00 \"by appointment\"",
            "Mo-Fr 08:00-17:00 unknown",
            "Mo-Fr 8am to 5pm",
            "not hours at all",
        ] {
            assert_eq!(plain_weekly(rule), None, "{rule}");
        }
    }
}
