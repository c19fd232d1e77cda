//! Near-me search: the services closest to a point that pass the CHW's filters.
//!
//! The R*Tree returns the services inside a bounding box of a circle, already filtered on
//! the category, language and attribute masks held beside each point; the exact great-circle
//! distance then decides. The circle starts small and grows from what it found, so a query
//! in a dense city reads a few hundred index entries, not the ten thousand within 10 km.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, FixedOffset};
use njia_model::geo::{bounding_boxes, distance_m, Point, MAX_DISTANCE_M};
use njia_model::taxonomy::{parse_category, parse_language};
use njia_model::ValidationError;
use opening_hours::OpeningHours;
use rusqlite::{params, OptionalExtension};

use crate::directory::{
    category_mask, hit_from_row, split_list, ServiceHit, FLAG_FREE, FLAG_INTERPRETER,
    FLAG_NO_DOCUMENTS, HIT_COLUMNS, SHARED_LANGUAGE_BIT,
};
use crate::{Result, Store};

/// Default number of results, as in the CLI contract.
pub const DEFAULT_LIMIT: usize = 20;
/// Radius of the first look: in a city it already holds the 20 nearest.
const FIRST_RADIUS_M: f64 = 2_000.0;
/// Bound on the difference between the distance to an R*Tree box's centre and to the point
/// it holds: boxes are float32 rounded outwards, a few metres across at most.
const BOX_SLACK_M: f64 = 10.0;

/// What the walk reads of a service to decide on it.
pub(crate) struct PointRow {
    lat: f64,
    lon: f64,
    cat_mask: i64,
    lang_mask: i64,
    flags: i64,
}

/// Which services qualify, whatever their distance.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filter {
    /// Any of these categories (empty: any).
    pub categories: Vec<String>,
    /// Any of these languages (empty: any).
    pub languages: Vec<String>,
    pub free: bool,
    pub no_documents: bool,
    pub interpreter: bool,
    /// Open at this moment, in the service's own time zone.
    pub open_at: Option<DateTime<FixedOffset>>,
}

/// A near-me query.
#[derive(Debug, Clone, PartialEq)]
pub struct NearQuery {
    pub point: Point,
    /// Only services within this distance; `None`: the nearest, however far.
    pub radius_m: Option<f64>,
    pub limit: usize,
    pub filter: Filter,
}

impl NearQuery {
    pub fn new(point: Point) -> Self {
        Self {
            point,
            radius_m: None,
            limit: DEFAULT_LIMIT,
            filter: Filter::default(),
        }
    }
}

/// A filter turned into the masks the index holds.
pub(crate) struct Compiled {
    cat_mask: i64,
    lang_mask: i64,
    flags: i64,
    /// Languages that need an exact check (they share the overflow bit).
    exact_languages: Option<Vec<String>>,
    open_at: Option<DateTime<FixedOffset>>,
    /// A requested language no service speaks: nothing can match.
    impossible: bool,
}

impl Store {
    pub(crate) fn compile(&self, f: &Filter) -> Result<Compiled> {
        let mut categories = Vec::new();
        for c in &f.categories {
            categories.push(parse_category(c).map_err(|m| ValidationError::new("category", m))?);
        }
        let mut lang_mask = 0i64;
        let mut exact = false;
        let mut languages = Vec::new();
        for l in &f.languages {
            let l = parse_language(l).map_err(|m| ValidationError::new("language", m))?;
            // Read in the query's snapshot, not from a copy: another connection (the sync
            // task) may have added the language since this one opened.
            if let Some(bit) = self.language_bit(&l)? {
                lang_mask |= 1i64 << bit;
                exact |= bit == SHARED_LANGUAGE_BIT;
            }
            languages.push(l);
        }
        let flags = [
            (f.free, FLAG_FREE),
            (f.no_documents, FLAG_NO_DOCUMENTS),
            (f.interpreter, FLAG_INTERPRETER),
        ]
        .iter()
        .filter(|(on, _)| *on)
        .fold(0, |m, (_, b)| m | b);
        Ok(Compiled {
            cat_mask: category_mask(&categories),
            lang_mask,
            flags,
            exact_languages: exact.then_some(languages.clone()),
            open_at: f.open_at,
            impossible: !languages.is_empty() && lang_mask == 0,
        })
    }

    /// The services nearest to the query point that pass its filters, nearest first, with
    /// `distance_m` set.
    pub fn near(&self, q: &NearQuery) -> Result<Vec<ServiceHit>> {
        self.read(|| self.near_in_snapshot(q))
    }

    fn near_in_snapshot(&self, q: &NearQuery) -> Result<Vec<ServiceHit>> {
        let max_r = check_radius(q.radius_m)?;
        let c = self.compile(&q.filter)?;
        if q.limit == 0 || c.impossible {
            return Ok(Vec::new());
        }
        let found = self.walk(q.point, max_r, q.limit, &|_| true, &mut |rowid, row| {
            if (c.cat_mask != 0 && row.cat_mask & c.cat_mask == 0)
                || (c.lang_mask != 0 && row.lang_mask & c.lang_mask == 0)
                || row.flags & c.flags != c.flags
            {
                return Ok(false);
            }
            self.passes_post_filters(rowid, &c)
        })?;
        self.hits(&found, c.open_at.is_some())
    }

    /// The `limit` services of `among` nearest to `p`, nearest first: text matches ranked by
    /// distance without reading the position of every match.
    pub(crate) fn nearest_of(
        &self,
        p: Point,
        among: &HashSet<i64>,
        limit: usize,
    ) -> Result<Vec<(i64, f64)>> {
        self.walk(
            p,
            MAX_DISTANCE_M,
            limit,
            &|rowid| among.contains(&rowid),
            &mut |_, _| Ok(true),
        )
    }

    /// The core of near-me: R*Tree boxes in a circle that grows until `limit` services are
    /// accepted (or the circle reaches `max_r`). Boxes are ordered by the distance of their
    /// centre, which is within [`BOX_SLACK_M`] of the exact one, so only the services that
    /// could still make the list are read and decided on; each is decided once. `eligible`
    /// is asked before the row is read, `accept` after.
    fn walk(
        &self,
        p: Point,
        max_r: f64,
        limit: usize,
        eligible: &dyn Fn(i64) -> bool,
        accept: &mut dyn FnMut(i64, &PointRow) -> Result<bool>,
    ) -> Result<Vec<(i64, f64)>> {
        let mut point_stmt = self.conn.prepare_cached(
            "SELECT lat, lon, cat_mask, lang_mask, flags FROM service_point WHERE rowid = ?1",
        )?;
        let mut decided: HashMap<i64, Option<f64>> = HashMap::new();
        let mut r = FIRST_RADIUS_M.min(max_r);
        loop {
            let mut found: Vec<(i64, f64)> = Vec::with_capacity(limit + 1);
            for (rowid, approx) in self.boxes_within(p, r)? {
                if found.len() == limit && approx - BOX_SLACK_M > found[limit - 1].1 {
                    break;
                }
                let exact = match decided.get(&rowid) {
                    Some(d) => *d,
                    None if !eligible(rowid) => {
                        decided.insert(rowid, None);
                        None
                    }
                    None => {
                        let row = point_stmt.query_row([rowid], |r| {
                            Ok(PointRow {
                                lat: r.get(0)?,
                                lon: r.get(1)?,
                                cat_mask: r.get(2)?,
                                lang_mask: r.get(3)?,
                                flags: r.get(4)?,
                            })
                        })?;
                        let d = accept(rowid, &row)?.then(|| {
                            distance_m(
                                p,
                                Point {
                                    lat: row.lat,
                                    lon: row.lon,
                                },
                            )
                        });
                        decided.insert(rowid, d);
                        d
                    }
                };
                let Some(d) = exact.filter(|d| *d <= r) else {
                    continue;
                };
                let at = found.partition_point(|&(id, fd)| (fd, id) < (d, rowid));
                found.insert(at, (rowid, d));
                found.truncate(limit);
            }
            if found.len() >= limit || r >= max_r {
                return Ok(found);
            }
            // Grow the circle by what its density suggests, at least doubling it.
            let factor = if found.is_empty() {
                4.0
            } else {
                ((limit as f64 / found.len() as f64).sqrt() * 1.3).max(2.0)
            };
            r = (r * factor).min(max_r);
        }
    }

    /// R*Tree entries whose box may hold a point within `r` of `p`, with the distance to the
    /// box centre, nearest first. Reads only the index, never a row.
    fn boxes_within(&self, p: Point, r: f64) -> Result<Vec<(i64, f64)>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, min_lat, max_lat, min_lon, max_lon FROM service_geo
              WHERE max_lat >= ?1 AND min_lat <= ?2 AND max_lon >= ?3 AND min_lon <= ?4",
        )?;
        let boxes = bounding_boxes(p, r);
        let mut seen = HashSet::new();
        let mut out = Vec::new();
        for b in &boxes {
            let rows =
                stmt.query_map(params![b.min_lat, b.max_lat, b.min_lon, b.max_lon], |row| {
                    Ok((
                        row.get::<_, i64>(0)?,
                        (row.get::<_, f64>(1)? + row.get::<_, f64>(2)?) / 2.0,
                        (row.get::<_, f64>(3)? + row.get::<_, f64>(4)?) / 2.0,
                    ))
                })?;
            for row in rows {
                let (id, lat, lon) = row?;
                let d = distance_m(p, Point { lat, lon });
                if d <= r + BOX_SLACK_M && (boxes.len() == 1 || seen.insert(id)) {
                    out.push((id, d));
                }
            }
        }
        out.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
        Ok(out)
    }

    /// The checks the masks cannot make: languages sharing a bit, and opening hours.
    fn passes_post_filters(&self, rowid: i64, c: &Compiled) -> Result<bool> {
        if c.exact_languages.is_none() && c.open_at.is_none() {
            return Ok(true);
        }
        let (languages, hours, tz): (String, Option<String>, Option<String>) = self
            .conn
            .prepare_cached(
                "SELECT languages, opening_hours, timezone FROM service WHERE rowid = ?1",
            )?
            .query_row([rowid], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        let mut ok = true;
        if let Some(wanted) = &c.exact_languages {
            let have = split_list(&languages);
            ok &= wanted.iter().any(|w| have.contains(w));
        }
        if let Some(at) = c.open_at {
            ok &= is_open(hours.as_deref(), tz.as_deref(), at) == Some(true);
        }
        Ok(ok)
    }

    /// Full rows for the chosen services, in the given order, with their distance if known.
    pub(crate) fn hits(&self, found: &[(i64, f64)], with_open: bool) -> Result<Vec<ServiceHit>> {
        let rows: Vec<(i64, Option<f64>)> = found.iter().map(|&(id, d)| (id, Some(d))).collect();
        self.rows_as_hits(&rows, with_open)
    }

    /// Full rows for the chosen services, in the given order.
    pub(crate) fn rows_as_hits(
        &self,
        found: &[(i64, Option<f64>)],
        with_open: bool,
    ) -> Result<Vec<ServiceHit>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {HIT_COLUMNS} FROM service s WHERE s.rowid = ?1"
        ))?;
        let mut out = Vec::with_capacity(found.len());
        for &(rowid, d) in found {
            let mut hit = stmt.query_row([rowid], hit_from_row)?;
            hit.distance_m = d;
            // Every hit passed the opening-hours filter when one was asked for.
            hit.open = with_open.then_some(true);
            out.push(hit);
        }
        Ok(out)
    }

    /// Says for each hit whether it is open at `at`, in its own time zone, without
    /// filtering: a result list shows closed services too, marked closed, so a CHW can
    /// still refer someone for tomorrow. `open` stays `None` where the hours are unknown.
    pub fn mark_open_at(&self, hits: &mut [ServiceHit], at: DateTime<FixedOffset>) -> Result<()> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT opening_hours, timezone FROM service WHERE id = ?1")?;
        for hit in hits.iter_mut() {
            let row: Option<(Option<String>, Option<String>)> = stmt
                .query_row([&hit.id], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()?;
            hit.open = row.and_then(|(hours, tz)| is_open(hours.as_deref(), tz.as_deref(), at));
        }
        Ok(())
    }

    /// The same query answered by reading every service: the baseline the benchmarks
    /// compare [`Store::near`] against, and the oracle of the tests.
    pub fn near_by_scan(&self, q: &NearQuery) -> Result<Vec<ServiceHit>> {
        self.read(|| self.scan_in_snapshot(q))
    }

    fn scan_in_snapshot(&self, q: &NearQuery) -> Result<Vec<ServiceHit>> {
        let max_r = check_radius(q.radius_m)?;
        let c = self.compile(&q.filter)?;
        if q.limit == 0 || c.impossible {
            return Ok(Vec::new());
        }
        let mut stmt = self.conn.prepare_cached(
            "SELECT rowid, lat, lon FROM service
              WHERE (?1 = 0 OR (cat_mask & ?1) != 0)
                AND (?2 = 0 OR (lang_mask & ?2) != 0)
                AND (flags & ?3) = ?3",
        )?;
        let rows = stmt.query_map(params![c.cat_mask, c.lang_mask, c.flags], |row| {
            Ok((
                row.get::<_, i64>(0)?,
                row.get::<_, f64>(1)?,
                row.get::<_, f64>(2)?,
            ))
        })?;
        let mut all = Vec::new();
        for row in rows {
            let (id, lat, lon) = row?;
            let d = distance_m(q.point, Point { lat, lon });
            if d <= max_r {
                all.push((id, d));
            }
        }
        all.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
        let mut found = Vec::new();
        for (id, d) in all {
            if self.passes_post_filters(id, &c)? {
                found.push((id, d));
                if found.len() == q.limit {
                    break;
                }
            }
        }
        self.hits(&found, c.open_at.is_some())
    }
}

fn check_radius(radius_m: Option<f64>) -> Result<f64> {
    match radius_m {
        None => Ok(MAX_DISTANCE_M),
        Some(r) if r.is_finite() && r >= 0.0 => Ok(r.min(MAX_DISTANCE_M)),
        Some(r) => Err(ValidationError::new(
            "radius",
            format!(
                "radius {} km is not a distance (it must be 0 or more)",
                r / 1000.0
            ),
        )
        .into()),
    }
}

/// Whether a service with these opening hours is open at `at`, read in the service's time
/// zone (or the offset `at` was given in, when the service has none). `None` when the hours
/// are missing or cannot be read: a CHW should not be sent to a door that may be shut.
pub fn is_open(hours: Option<&str>, tz: Option<&str>, at: DateTime<FixedOffset>) -> Option<bool> {
    let oh: OpeningHours = hours?.parse().ok()?;
    let local = match tz.and_then(|t| t.parse::<chrono_tz::Tz>().ok()) {
        Some(zone) => at.with_timezone(&zone).naive_local(),
        None => at.naive_local(),
    };
    Some(oh.is_open(local))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(s).unwrap()
    }

    #[test]
    fn opening_hours_are_read_in_the_services_time_zone() {
        // 06:30 UTC is 09:30 in Nairobi (UTC+3), 08:30 in Johannesburg (UTC+2).
        let t = at("2026-11-24T06:30:00Z");
        assert_eq!(
            is_open(Some("Mo-Fr 09:00-17:00"), Some("Africa/Nairobi"), t),
            Some(true)
        );
        assert_eq!(
            is_open(Some("Mo-Fr 09:00-17:00"), Some("Africa/Johannesburg"), t),
            Some(false)
        );
        assert_eq!(is_open(Some("24/7"), None, t), Some(true));
        assert_eq!(
            is_open(Some("Sa 08:00-12:00"), Some("Africa/Nairobi"), t),
            Some(false)
        );
        assert_eq!(is_open(None, None, t), None);
        assert_eq!(is_open(Some("not hours at all"), None, t), None);
    }
}
