//! Reports for a field office's data officer over the outreach the server holds
//! (`njia-server report reached|referrals`), computed from the records' current state.
//!
//! What counts:
//! - A session counts when it is `final`. Drafts are not counted as reached (the CHW may
//!   still change them) and voided sessions never are; both are tallied in
//!   [`Excluded`] so the officer can see what is waiting.
//! - A referral counts when its session counts (final), or when it has no session. The
//!   referrals of draft and voided sessions are tallied in [`Excluded`].
//! - Dates are the session's own calendar date, in the UTC offset of the device that
//!   recorded it (a session at 01:00 in Nairobi on the 1st is in that month, whatever UTC
//!   says). `--from` and `--to` are inclusive. A referral without a session is dated by the
//!   clock of the operation that created it (UTC).
//! - "Area" is the session's `admin_area` when the CHW recorded one, else the place name as
//!   typed (spelling differences of case and spaces merged); `area_source` says which. The
//!   team of the recording device is its own key, `team`.
//!
//! With `--json` each report prints a JSON array, one object per row; these shapes are a
//! contract (tests outside this crate read them):
//! - `report reached`: one field per `--by` key (`month` as `YYYY-MM`,
//!   `area` with `area_source` beside it, `activity`, `team`; `null` when the sessions have
//!   none), then `sessions`, `reached` (the total), `by_sex` {female, male, other},
//!   `by_age` {0-4, 5-17, 18-49, 50+}, `by_group` {migrant, host}, and `cells`: all 24
//!   `{sex, age, group, count}`, zeros included, sex × age × group in that order.
//! - `report referrals`: `service_id`, `service_name` (`null` when no longer in the
//!   directory), `referrals`, `by_status` {issued, completed, not_completed}, `by_urgency`
//!   {routine, urgent, emergency}; most referred first.
//!
//! What was left out goes to stderr beside JSON, under the table otherwise.

use std::collections::{BTreeMap, HashMap};
use std::str::FromStr;

use chrono::{DateTime, FixedOffset, NaiveDate};
use njia_model::outreach::Reached;
use njia_model::taxonomy::{AgeBand, Group, Sex};
use njia_server_database::{OutreachRecord, RecordKind};
use serde::Serialize;
use serde_json::{json, Map, Value};
use uuid::Uuid;

/// Bad input to a report: nothing is printed.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ReportError {
    #[error("--by {0} is not a report key: use month, area, activity or team")]
    UnknownKey(String),
    #[error("--by {0} is given twice")]
    RepeatedKey(String),
    #[error("--{flag} {value} is not a date: write it YYYY-MM-DD, like 2026-11-01")]
    BadDate { flag: &'static str, value: String },
    #[error("--from {from} is after --to {to}: the period is empty")]
    EmptyPeriod { from: NaiveDate, to: NaiveDate },
}

/// What rows of `report reached` are grouped by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum GroupKey {
    /// `YYYY-MM` of the session's date.
    Month,
    /// The session's admin area, else its place name.
    Area,
    /// The session's activity code (`health_talk` …).
    Activity,
    /// The team of the device that recorded the session.
    Team,
}

impl GroupKey {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Month => "month",
            Self::Area => "area",
            Self::Activity => "activity",
            Self::Team => "team",
        }
    }
}

impl FromStr for GroupKey {
    type Err = ReportError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_lowercase().as_str() {
            "month" => Ok(Self::Month),
            "area" => Ok(Self::Area),
            "activity" => Ok(Self::Activity),
            "team" => Ok(Self::Team),
            _ => Err(ReportError::UnknownKey(s.to_string())),
        }
    }
}

/// The keys of `--by`, in the order given, `month` when none is.
pub fn parse_keys(raw: &[String]) -> Result<Vec<GroupKey>, ReportError> {
    let mut keys = Vec::new();
    for r in raw.iter().filter(|r| !r.trim().is_empty()) {
        let key: GroupKey = r.parse()?;
        if keys.contains(&key) {
            return Err(ReportError::RepeatedKey(key.as_str().into()));
        }
        keys.push(key);
    }
    if keys.is_empty() {
        keys.push(GroupKey::Month);
    }
    Ok(keys)
}

/// The days a report covers, both ends included; open at an end not given.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Period {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

impl Period {
    /// From `--from` and `--to` as typed.
    pub fn parse(from: Option<&str>, to: Option<&str>) -> Result<Self, ReportError> {
        let date = |flag: &'static str, v: Option<&str>| {
            v.map(|v| {
                NaiveDate::parse_from_str(v.trim(), "%Y-%m-%d").map_err(|_| ReportError::BadDate {
                    flag,
                    value: v.to_string(),
                })
            })
            .transpose()
        };
        let period = Self {
            from: date("from", from)?,
            to: date("to", to)?,
        };
        if let (Some(from), Some(to)) = (period.from, period.to) {
            if from > to {
                return Err(ReportError::EmptyPeriod { from, to });
            }
        }
        Ok(period)
    }

    pub fn contains(&self, day: NaiveDate) -> bool {
        self.from.is_none_or(|f| day >= f) && self.to.is_none_or(|t| day <= t)
    }

    /// `2026-11-01 to 2026-11-30`, `from 2026-11-01`, `all dates`.
    pub fn describe(&self) -> String {
        match (self.from, self.to) {
            (Some(f), Some(t)) => format!("{f} to {t}"),
            (Some(f), None) => format!("from {f}"),
            (None, Some(t)) => format!("up to {t}"),
            (None, None) => "all dates".into(),
        }
    }
}

/// Records of the period left out of a report, and why.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Excluded {
    pub draft_sessions: u64,
    pub draft_reached: i64,
    pub voided_sessions: u64,
    pub voided_reached: i64,
    /// Referrals whose session is a draft.
    pub draft_referrals: u64,
    /// Referrals whose session was voided.
    pub voided_referrals: u64,
    /// Records whose stored fields cannot be read (a date or count that is not one).
    pub unreadable: u64,
}

impl Excluded {
    /// One sentence for the officer, or `None` when nothing was left out.
    pub fn describe(&self) -> Option<String> {
        let mut parts = Vec::new();
        let plural = |n: u64, one: &str| format!("{n} {one}{}", if n == 1 { "" } else { "s" });
        if self.draft_sessions > 0 {
            parts.push(format!(
                "{} ({} people; final once the CHW finishes them)",
                plural(self.draft_sessions, "draft session"),
                self.draft_reached
            ));
        }
        if self.voided_sessions > 0 {
            parts.push(format!(
                "{} ({} people)",
                plural(self.voided_sessions, "voided session"),
                self.voided_reached
            ));
        }
        if self.draft_referrals > 0 {
            parts.push(plural(self.draft_referrals, "referral") + " of draft sessions");
        }
        if self.voided_referrals > 0 {
            parts.push(plural(self.voided_referrals, "referral") + " of voided sessions");
        }
        if self.unreadable > 0 {
            parts.push(plural(self.unreadable, "unreadable record"));
        }
        (!parts.is_empty()).then(|| format!("Not counted: {}.", parts.join(", ")))
    }
}

/// The disaggregation axes, in the order reports show them.
pub const SEXES: [Sex; 3] = [Sex::Female, Sex::Male, Sex::Other];
pub const AGES: [AgeBand; 4] = [
    AgeBand::Under5,
    AgeBand::From5To17,
    AgeBand::From18To49,
    AgeBand::From50,
];
pub const GROUPS: [Group; 2] = [Group::Migrant, Group::Host];

/// The word a value of the taxonomy is written as (`female`, `18-49`, `migrant`).
pub fn word<T: Serialize>(v: T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// People reached by sex × age band × group: the 24 cells, in that order.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Grid([i64; 24]);

impl Grid {
    fn index(sex: Sex, age: AgeBand, group: Group) -> usize {
        let s = SEXES.iter().position(|x| *x == sex).unwrap_or(0);
        let a = AGES.iter().position(|x| *x == age).unwrap_or(0);
        let g = GROUPS.iter().position(|x| *x == group).unwrap_or(0);
        (s * AGES.len() + a) * GROUPS.len() + g
    }

    pub fn add(&mut self, r: &Reached) {
        self.0[Self::index(r.sex, r.age, r.group)] += r.count;
    }

    pub fn get(&self, sex: Sex, age: AgeBand, group: Group) -> i64 {
        self.0[Self::index(sex, age, group)]
    }

    pub fn total(&self) -> i64 {
        self.0.iter().sum()
    }

    fn merge(&mut self, other: &Grid) {
        for (a, b) in self.0.iter_mut().zip(other.0.iter()) {
            *a += b;
        }
    }

    /// The people of the cells `keep` selects (a margin of the grid).
    pub fn sum_where(&self, keep: impl Fn(Sex, AgeBand, Group) -> bool) -> i64 {
        let mut n = 0;
        for sex in SEXES {
            for age in AGES {
                for group in GROUPS {
                    if keep(sex, age, group) {
                        n += self.get(sex, age, group);
                    }
                }
            }
        }
        n
    }
}

/// A session's fields as a report reads them.
struct SessionFacts {
    day: NaiveDate,
    status: String,
    activity: String,
    area: Option<(String, &'static str)>,
    reached: Vec<Reached>,
}

fn text_field(fields: &Map<String, Value>, name: &str) -> Option<String> {
    fields
        .get(name)
        .and_then(Value::as_str)
        .map(|s| s.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|s| !s.is_empty())
}

fn session_facts(r: &OutreachRecord) -> Option<SessionFacts> {
    let started: DateTime<FixedOffset> = r
        .fields
        .get("started_at")
        .and_then(Value::as_str)
        .and_then(|s| DateTime::parse_from_rfc3339(s).ok())?;
    let reached: Vec<Reached> = match r.fields.get("reached") {
        None | Some(Value::Null) => Vec::new(),
        Some(v) => serde_json::from_value(v.clone()).ok()?,
    };
    if reached.iter().any(|c| c.count < 0) {
        return None;
    }
    let area = text_field(&r.fields, "admin_area")
        .map(|a| (a, "admin_area"))
        .or_else(|| text_field(&r.fields, "place").map(|p| (p, "place")));
    Some(SessionFacts {
        day: started.date_naive(),
        status: text_field(&r.fields, "status").unwrap_or_else(|| "final".into()),
        activity: text_field(&r.fields, "activity").unwrap_or_else(|| "other".into()),
        area,
        reached,
    })
}

/// One row of `report reached`: the people reached by the final sessions sharing the same
/// values of the chosen keys.
#[derive(Debug, Clone, PartialEq)]
pub struct ReachedRow {
    /// The value of each key, in the order of `--by`; `None` when the sessions have none
    /// (no area recorded, a device with no team).
    pub keys: Vec<(GroupKey, Option<String>)>,
    /// With the `area` key: `admin_area` or `place`, whichever the area came from.
    pub area_source: Option<&'static str>,
    pub sessions: u64,
    pub grid: Grid,
}

impl ReachedRow {
    /// The row as JSON, one object with explicit field names (the shape in the module docs).
    pub fn to_json(&self) -> Value {
        let mut m = Map::new();
        for (key, value) in &self.keys {
            m.insert(key.as_str().into(), json!(value));
            if *key == GroupKey::Area {
                m.insert("area_source".into(), json!(self.area_source));
            }
        }
        m.insert("sessions".into(), json!(self.sessions));
        m.insert("reached".into(), json!(self.grid.total()));
        let g = &self.grid;
        let by_sex: Map<String, Value> = SEXES
            .iter()
            .map(|s| (word(s), json!(g.sum_where(|x, _, _| x == *s))))
            .collect();
        let by_age: Map<String, Value> = AGES
            .iter()
            .map(|a| (word(a), json!(g.sum_where(|_, x, _| x == *a))))
            .collect();
        let by_group: Map<String, Value> = GROUPS
            .iter()
            .map(|gr| (word(gr), json!(g.sum_where(|_, _, x| x == *gr))))
            .collect();
        m.insert("by_sex".into(), Value::Object(by_sex));
        m.insert("by_age".into(), Value::Object(by_age));
        m.insert("by_group".into(), Value::Object(by_group));
        let mut cells = Vec::with_capacity(24);
        for sex in SEXES {
            for age in AGES {
                for group in GROUPS {
                    cells.push(
                        json!({"sex": word(sex), "age": word(age), "group": word(group),
                        "count": g.get(sex, age, group)}),
                    );
                }
            }
        }
        m.insert("cells".into(), json!(cells));
        Value::Object(m)
    }
}

/// People reached by final sessions of the period, one row per distinct value of `keys`,
/// rows in key order (values missing last).
pub fn reached(
    records: &[OutreachRecord],
    period: &Period,
    keys: &[GroupKey],
) -> (Vec<ReachedRow>, Excluded) {
    let mut excluded = Excluded::default();
    // Group key: per key, a value folded for comparison; the row keeps the first spelling
    // in sort order.
    type Key = Vec<Option<String>>;
    let mut rows: BTreeMap<(Key, Option<&'static str>), ReachedRow> = BTreeMap::new();
    for r in records.iter().filter(|r| r.kind == RecordKind::Session) {
        let Some(facts) = session_facts(r) else {
            excluded.unreadable += 1;
            continue;
        };
        if !period.contains(facts.day) {
            continue;
        }
        let people: i64 = facts.reached.iter().map(|c| c.count).sum();
        match facts.status.as_str() {
            "final" => {}
            "draft" => {
                excluded.draft_sessions += 1;
                excluded.draft_reached += people;
                continue;
            }
            _ => {
                excluded.voided_sessions += 1;
                excluded.voided_reached += people;
                continue;
            }
        }
        let mut folded = Vec::with_capacity(keys.len());
        let mut values = Vec::with_capacity(keys.len());
        let mut area_source = None;
        for key in keys {
            let value = match key {
                GroupKey::Month => Some(facts.day.format("%Y-%m").to_string()),
                GroupKey::Activity => Some(facts.activity.clone()),
                GroupKey::Team => r.team.clone().filter(|t| !t.trim().is_empty()),
                GroupKey::Area => {
                    area_source = facts.area.as_ref().map(|(_, source)| *source);
                    facts.area.as_ref().map(|(a, _)| a.clone())
                }
            };
            folded.push(value.as_ref().map(|v| v.to_lowercase()));
            values.push((*key, value));
        }
        let row = rows
            .entry((folded, area_source))
            .or_insert_with(|| ReachedRow {
                keys: values.clone(),
                area_source,
                sessions: 0,
                grid: Grid::default(),
            });
        // The same spelling whichever order records come in.
        for (kept, seen) in row.keys.iter_mut().zip(values) {
            if seen.1 < kept.1 && seen.1.is_some() {
                kept.1 = seen.1;
            }
        }
        row.sessions += 1;
        for cell in &facts.reached {
            row.grid.add(cell);
        }
    }
    let mut rows: Vec<ReachedRow> = rows.into_values().collect();
    // Missing values (no area, no team) after the others.
    rows.sort_by(|a, b| {
        let key = |r: &ReachedRow| {
            r.keys
                .iter()
                .map(|(_, v)| (v.is_none(), v.as_ref().map(|s| s.to_lowercase())))
                .collect::<Vec<_>>()
        };
        key(a).cmp(&key(b)).then(a.area_source.cmp(&b.area_source))
    });
    (rows, excluded)
}

/// The sum of rows, for a table's last line.
pub fn total(rows: &[ReachedRow]) -> (u64, Grid) {
    let mut grid = Grid::default();
    let mut sessions = 0;
    for r in rows {
        sessions += r.sessions;
        grid.merge(&r.grid);
    }
    (sessions, grid)
}

/// Referral statuses and urgencies, in the order reports show them.
pub const STATUSES: [&str; 3] = ["issued", "completed", "not_completed"];
pub const URGENCIES: [&str; 3] = ["routine", "urgent", "emergency"];

/// One row of `report referrals`: the counted referrals to one service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferralRow {
    pub service_id: String,
    /// Its name in the directory; `None` when the service is no longer in it.
    pub service_name: Option<String>,
    pub referrals: u64,
    /// Counts in the order of [`STATUSES`].
    pub by_status: [u64; 3],
    /// Counts in the order of [`URGENCIES`].
    pub by_urgency: [u64; 3],
}

impl ReferralRow {
    /// The row as JSON, one object with explicit field names (the shape in the module docs).
    pub fn to_json(&self) -> Value {
        let obj = |names: &[&str; 3], counts: &[u64; 3]| -> Value {
            Value::Object(
                names
                    .iter()
                    .zip(counts)
                    .map(|(n, c)| (n.to_string(), json!(c)))
                    .collect(),
            )
        };
        json!({"service_id": self.service_id, "service_name": self.service_name,
            "referrals": self.referrals,
            "by_status": obj(&STATUSES, &self.by_status),
            "by_urgency": obj(&URGENCIES, &self.by_urgency)})
    }
}

/// Referrals of the period by service, most referred first. `names` maps service ids to
/// their directory names; `created` dates referrals that have no session.
pub fn referrals(
    records: &[OutreachRecord],
    period: &Period,
    names: &HashMap<String, String>,
    created: &HashMap<Uuid, NaiveDate>,
) -> (Vec<ReferralRow>, Excluded) {
    let mut excluded = Excluded::default();
    let sessions: HashMap<String, Option<SessionFacts>> = records
        .iter()
        .filter(|r| r.kind == RecordKind::Session)
        .map(|r| (r.id.to_string(), session_facts(r)))
        .collect();
    let mut rows: BTreeMap<String, ReferralRow> = BTreeMap::new();
    for r in records.iter().filter(|r| r.kind == RecordKind::Referral) {
        let Some(service_id) = text_field(&r.fields, "service_id") else {
            excluded.unreadable += 1;
            continue;
        };
        let session = text_field(&r.fields, "session_id").and_then(|id| sessions.get(&id));
        let day = match session {
            Some(Some(s)) => s.day,
            Some(None) => {
                excluded.unreadable += 1;
                continue;
            }
            None => match created.get(&r.id) {
                Some(day) => *day,
                None => {
                    excluded.unreadable += 1;
                    continue;
                }
            },
        };
        if !period.contains(day) {
            continue;
        }
        match session.and_then(Option::as_ref).map(|s| s.status.as_str()) {
            None | Some("final") => {}
            Some("draft") => {
                excluded.draft_referrals += 1;
                continue;
            }
            Some(_) => {
                excluded.voided_referrals += 1;
                continue;
            }
        }
        let status = text_field(&r.fields, "status").unwrap_or_else(|| "issued".into());
        let urgency = text_field(&r.fields, "urgency").unwrap_or_else(|| "routine".into());
        let (Some(s), Some(u)) = (
            STATUSES.iter().position(|x| *x == status),
            URGENCIES.iter().position(|x| *x == urgency),
        ) else {
            excluded.unreadable += 1;
            continue;
        };
        let row = rows
            .entry(service_id.clone())
            .or_insert_with(|| ReferralRow {
                service_name: names.get(&service_id).cloned(),
                service_id,
                referrals: 0,
                by_status: [0; 3],
                by_urgency: [0; 3],
            });
        row.referrals += 1;
        row.by_status[s] += 1;
        row.by_urgency[u] += 1;
    }
    let mut rows: Vec<ReferralRow> = rows.into_values().collect();
    rows.sort_by(|a, b| {
        b.referrals
            .cmp(&a.referrals)
            .then(a.service_id.cmp(&b.service_id))
    });
    (rows, excluded)
}

/// Right-aligned numbers, left-aligned text: a plain table for a terminal.
pub fn table(header: &[&str], rows: &[Vec<String>], numeric_from: usize) -> String {
    // Cells come from devices (area names) and the directory: made safe for a terminal.
    let rows: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            r.iter()
                .map(|c| njia_model::printable::printable(c))
                .collect()
        })
        .collect();
    let rows = &rows;
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            if let Some(w) = widths.get_mut(i) {
                *w = (*w).max(cell.chars().count());
            }
        }
    }
    let line = |cells: Vec<&str>| {
        let parts: Vec<String> = cells
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let w = widths.get(i).copied().unwrap_or(0);
                if i >= numeric_from {
                    format!("{c:>w$}")
                } else {
                    format!("{c:<w$}")
                }
            })
            .collect();
        parts.join("  ").trim_end().to_string()
    };
    let mut out = line(header.to_vec());
    out.push('\n');
    for row in rows {
        out.push_str(&line(row.iter().map(String::as_str).collect()));
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;

    fn session(
        status: &str,
        started: &str,
        place: &str,
        team: Option<&str>,
        reached: Value,
    ) -> OutreachRecord {
        let fields = json!({"started_at": started, "place": place, "activity": "health_talk",
            "reached": reached, "status": status});
        OutreachRecord {
            id: Uuid::now_v7(),
            kind: RecordKind::Session,
            device_id: Uuid::nil(),
            worker_id: Uuid::nil(),
            worker: "Amina".into(),
            team: team.map(str::to_string),
            version: 1,
            fields: fields.as_object().cloned().unwrap_or_default(),
            updated_at: Utc::now(),
        }
    }

    fn cell(sex: &str, age: &str, group: &str, count: i64) -> Value {
        json!({"sex": sex, "age": age, "group": group, "count": count})
    }

    #[test]
    fn keys_and_dates_are_checked_in_words() {
        assert_eq!(parse_keys(&[]).unwrap(), vec![GroupKey::Month]);
        assert_eq!(
            parse_keys(&["area".into(), "Month".into()]).unwrap(),
            vec![GroupKey::Area, GroupKey::Month]
        );
        assert_eq!(
            parse_keys(&["colour".into()]).unwrap_err().to_string(),
            "--by colour is not a report key: use month, area, activity or team"
        );
        assert!(parse_keys(&["team".into(), "team".into()]).is_err());
        assert!(Period::parse(Some("2026-13-01"), None)
            .unwrap_err()
            .to_string()
            .contains("YYYY-MM-DD"));
        assert!(Period::parse(Some("2026-11-30"), Some("2026-11-01")).is_err());
        let p = Period::parse(Some("2026-11-01"), Some("2026-11-30")).unwrap();
        assert!(p.contains(NaiveDate::from_ymd_opt(2026, 11, 30).unwrap()));
        assert!(!p.contains(NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()));
    }

    #[test]
    fn only_final_sessions_count_on_their_local_date() {
        let records = vec![
            session(
                "final",
                "2026-11-20T09:30:00+03:00",
                "Market",
                Some("east"),
                json!([
                    cell("female", "18-49", "migrant", 12),
                    cell("male", "0-4", "host", 5)
                ]),
            ),
            // 1 December in Nairobi, still 30 November in UTC: December.
            session(
                "final",
                "2026-12-01T01:00:00+03:00",
                " market ",
                Some("east"),
                json!([cell("female", "18-49", "migrant", 3)]),
            ),
            session(
                "draft",
                "2026-11-21T09:30:00+03:00",
                "Market",
                None,
                json!([cell("female", "50+", "host", 7)]),
            ),
            session(
                "voided",
                "2026-11-22T09:30:00+03:00",
                "Market",
                None,
                json!([cell("other", "5-17", "migrant", 100)]),
            ),
        ];
        let (rows, excluded) = reached(&records, &Period::default(), &[GroupKey::Month]);
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].keys[0].1.as_deref(), Some("2026-11"));
        assert_eq!(rows[0].grid.total(), 17);
        assert_eq!(
            rows[0]
                .grid
                .get(Sex::Female, AgeBand::From18To49, Group::Migrant),
            12
        );
        assert_eq!(rows[1].keys[0].1.as_deref(), Some("2026-12"));
        assert_eq!(excluded.draft_sessions, 1);
        assert_eq!(excluded.draft_reached, 7);
        assert_eq!(excluded.voided_reached, 100);

        let (rows, _) = reached(&records, &Period::default(), &[GroupKey::Area]);
        assert_eq!(rows.len(), 1, "spellings of one place merge");
        assert_eq!(rows[0].keys[0].1.as_deref(), Some("Market"));
        assert_eq!(rows[0].area_source, Some("place"));
        let json = rows[0].to_json();
        assert_eq!(json["reached"], 20);
        assert_eq!(json["by_group"], json!({"migrant": 15, "host": 5}));
        assert_eq!(json["cells"].as_array().unwrap().len(), 24);

        let november = Period::parse(Some("2026-11-01"), Some("2026-11-30")).unwrap();
        let (rows, excluded) = reached(&records, &november, &[GroupKey::Team]);
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].grid.total(), 17);
        assert_eq!(excluded.draft_sessions, 1);
    }
}
