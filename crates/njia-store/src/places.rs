//! The directory's places: the neighbourhoods, camps, estates and towns its addresses name,
//! each at the median point of its services. A CHW in Nairobi types "Eastleigh" or "Kibera";
//! no gazetteer of towns lists them, but the directory's addresses do.
//!
//! # Which address parts are places
//!
//! An address is one free-text line, most specific part first ("Juja Road, Eastleigh North,
//! Eastleigh"; "Block 12, Kakuma"). It is split on commas; parts with no letter (postal
//! codes, bare numbers) are dropped, and so is a part that repeats the one before it.
//!
//! - A part's *context* is the part after it, or the service's country code after the last
//!   one. Places are told apart by name *and* context: "Majengo, Mombasa" and "Majengo,
//!   Nairobi" are two places, never one point halfway between.
//! - Every part after the first names an area (a ward, an estate, a camp, a town): it is
//!   evidence of a place.
//! - The first part is mostly a street, a plot, a building or a block, and sometimes an area
//!   when the street was left out ("Eastleigh North, Eastleigh"). It counts towards a place
//!   only when the same name and context also come after the first part of some address; on
//!   its own it never makes one. So "Moi Avenue" (a street in every Kenyan town) or "Near the
//!   border post" never become places, while "Eastleigh North" gathers all its services.
//! - A place has at least [`MIN_SERVICES`] services and they are compact: at least two thirds
//!   of them within [`COMPACT_KM`] of their median point. A name spread wider (a region, a
//!   road between towns, one name reused far apart under the same context) is dropped: a
//!   point in the middle of nowhere is worse than no suggestion.
//! - One name under two contexts whose services' medians lie within [`SAME_PLACE_KM`] is one
//!   place ("Kakuma, KE" and "Kakuma, Turkana"), under the context most of its services give.
//!
//! # Kept true
//!
//! The list is the derived table `place` (migration 0005). Triggers on `service` mark it
//! stale in the same transaction as any change of an address, a position or a country. An
//! import and the last page of a sync round rebuild it inside their own transaction, and a
//! read that finds it stale (a sync cut halfway, another connection's change) rebuilds it
//! before answering: nobody sees the places of a directory that is no longer there.

use std::collections::HashMap;

use njia_model::geo::{distance_m, Point};
use njia_model::ValidationError;
use rusqlite::{params, Connection, Transaction, TransactionBehavior};
use serde::{Deserialize, Serialize};
use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

use crate::{Result, Store};

/// Fewest services that make a place: one service's address proves nothing about an area.
pub const MIN_SERVICES: usize = 2;
/// How far from the median point most of a place's services must be, in km: a large
/// neighbourhood or a camp fits, two towns do not.
pub const COMPACT_KM: f64 = 15.0;
/// One name under two contexts this close (km between their medians) is one place.
pub const SAME_PLACE_KM: f64 = 5.0;

/// A place named in the directory's addresses.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Place {
    /// As most of its services spell it.
    pub name: String,
    /// What tells it from a place of the same name elsewhere: the address part after the
    /// name ("Nairobi"), or the country code ("KE") when the name came last; none when the
    /// services name no country either.
    pub context: Option<String>,
    /// Median latitude of its services.
    pub lat: f64,
    /// Median longitude of its services.
    pub lon: f64,
    /// How many services the directory lists there.
    pub services: u32,
}

/// Lower case, accents and punctuation removed, words split by one space: "Moçâmedes" →
/// "mocamedes". The same folding as the app's place box (`normalize` in
/// `ui/src/lib/gazetteer.ts`), so both rank a typed name alike.
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    fold_into(s, &mut out);
    out
}

/// [`fold`], appended to `out`; plain ASCII (most addresses) skips the decomposition.
fn fold_into(s: &str, out: &mut String) {
    let start = out.len();
    let mut gap = false;
    let mut push = |c: char, out: &mut String| {
        if c.is_alphanumeric() {
            if gap && out.len() > start {
                out.push(' ');
            }
            gap = false;
            out.extend(c.to_lowercase());
        } else {
            gap = true;
        }
    };
    if s.is_ascii() {
        for c in s.chars() {
            push(c, out);
        }
    } else {
        for c in s.nfd().filter(|c| !is_combining_mark(*c)) {
            push(c, out);
        }
    }
}

/// One service as the derivation reads it.
#[derive(Debug, Clone, Copy)]
pub struct Located<'a> {
    pub address: &'a str,
    pub lat: f64,
    pub lon: f64,
    pub country: Option<&'a str>,
}

/// Everything known of one (name, context) while reading the directory.
#[derive(Default)]
struct Group {
    /// Spellings of the name and of the context, with how many services use each.
    names: HashMap<String, u32>,
    contexts: HashMap<String, u32>,
    points: Vec<(f64, f64)>,
    /// Seen after the first part of an address at least once.
    area: bool,
}

impl Group {
    fn median(&self) -> (f64, f64) {
        let mut lats: Vec<f64> = self.points.iter().map(|p| p.0).collect();
        let mut lons: Vec<f64> = self.points.iter().map(|p| p.1).collect();
        (median(&mut lats), median(&mut lons))
    }

    fn absorb(&mut self, other: Group) {
        for (k, n) in other.names {
            *self.names.entry(k).or_default() += n;
        }
        for (k, n) in other.contexts {
            *self.contexts.entry(k).or_default() += n;
        }
        self.points.extend(other.points);
    }
}

/// One more use of a spelling, allocating only for a spelling not seen before.
fn count(spellings: &mut HashMap<String, u32>, s: &str) {
    match spellings.get_mut(s) {
        Some(n) => *n += 1,
        None => {
            spellings.insert(s.to_string(), 1);
        }
    }
}

/// The median, found by selection (linear) rather than a sort: a city has thousands.
fn median(v: &mut [f64]) -> f64 {
    let n = v.len();
    if n == 0 {
        return f64::NAN;
    }
    let (_, &mut upper, _) = v.select_nth_unstable_by(n / 2, f64::total_cmp);
    if n % 2 == 1 {
        return upper;
    }
    // The largest of the lower half.
    let lower = v[..n / 2].iter().copied().fold(f64::NEG_INFINITY, f64::max);
    (lower + upper) / 2.0
}

/// The spelling most services use; the smallest on a tie, so a rebuild gives the same answer.
fn most_used(spellings: &HashMap<String, u32>) -> Option<String> {
    spellings
        .iter()
        .max_by(|a, b| a.1.cmp(b.1).then_with(|| b.0.cmp(a.0)))
        .map(|(s, _)| s.clone())
}

fn km_between(a: (f64, f64), b: (f64, f64)) -> f64 {
    distance_m(Point { lat: a.0, lon: a.1 }, Point { lat: b.0, lon: b.1 }) / 1000.0
}

/// The places of a directory, by the rule of the module's documentation, most services first.
pub fn derive<'a>(services: impl IntoIterator<Item = Located<'a>>) -> Vec<Place> {
    // Keyed by the folded name and context joined by SEP, which folding never leaves.
    const SEP: char = '\u{1f}';
    let mut groups: HashMap<String, Group> = HashMap::new();
    // This address's parts kept: as written, and where its folded form sits in `folded`.
    let mut parts: Vec<(&str, std::ops::Range<usize>)> = Vec::new();
    let mut folded = String::new();
    let mut country = String::new();
    let mut key = String::new();
    let mut seen: Vec<(usize, usize)> = Vec::new();
    for s in services {
        parts.clear();
        folded.clear();
        for part in s.address.split(',').map(str::trim) {
            if !part.chars().any(char::is_alphabetic) {
                continue;
            }
            let start = folded.len();
            fold_into(part, &mut folded);
            let repeat = parts
                .last()
                .is_some_and(|(_, r)| folded[r.clone()] == folded[start..]);
            if repeat {
                folded.truncate(start);
            } else {
                parts.push((part, start..folded.len()));
            }
        }
        country.clear();
        if let Some(c) = s.country {
            fold_into(c, &mut country);
        }
        seen.clear();
        for (i, (name, range)) in parts.iter().enumerate() {
            let (context, context_key) = match parts.get(i + 1) {
                Some((c, r)) => (Some(*c), &folded[r.clone()]),
                None => (s.country, country.as_str()),
            };
            let name_key = &folded[range.clone()];
            // A name and context twice in one address count the service once.
            let twice = seen.iter().any(|&(j, k)| {
                let (_, rj) = &parts[j];
                let ck = match parts.get(k) {
                    Some((_, rk)) => &folded[rk.clone()],
                    None => country.as_str(),
                };
                folded[rj.clone()] == *name_key && ck == context_key
            });
            if twice {
                continue;
            }
            seen.push((i, i + 1));
            key.clear();
            key.push_str(name_key);
            key.push(SEP);
            key.push_str(context_key);
            if !groups.contains_key(key.as_str()) {
                groups.insert(key.clone(), Group::default());
            }
            let Some(g) = groups.get_mut(key.as_str()) else {
                continue;
            };
            g.area |= i > 0;
            count(&mut g.names, name);
            if let Some(c) = context {
                count(&mut g.contexts, c);
            }
            g.points.push((s.lat, s.lon));
        }
    }

    // Same name, nearby: one place. Bigger groups first, so each absorbs its smaller twins.
    let mut by_name: HashMap<String, Vec<Group>> = HashMap::new();
    for (key, g) in groups {
        if g.area {
            let name = key.split(SEP).next().unwrap_or_default().to_string();
            by_name.entry(name).or_default().push(g);
        }
    }
    let mut places = Vec::new();
    for (_, mut same) in by_name {
        same.sort_by(|a, b| {
            b.points
                .len()
                .cmp(&a.points.len())
                .then_with(|| most_used(&a.contexts).cmp(&most_used(&b.contexts)))
        });
        let mut kept: Vec<(Group, (f64, f64))> = Vec::new();
        for g in same {
            let m = g.median();
            match kept
                .iter_mut()
                .find(|(_, km)| km_between(*km, m) <= SAME_PLACE_KM)
            {
                Some((k, _)) => k.absorb(g),
                None => kept.push((g, m)),
            }
        }
        for (g, _) in kept {
            if let Some(p) = place_of(&g) {
                places.push(p);
            }
        }
    }
    places.sort_by(|a, b| {
        b.services
            .cmp(&a.services)
            .then_with(|| a.name.cmp(&b.name))
            .then_with(|| a.context.cmp(&b.context))
    });
    places
}

/// The place a group makes, if it is big and compact enough.
fn place_of(g: &Group) -> Option<Place> {
    let n = g.points.len();
    if n < MIN_SERVICES {
        return None;
    }
    let (lat, lon) = g.median();
    let near = g
        .points
        .iter()
        .filter(|p| km_between((lat, lon), **p) <= COMPACT_KM)
        .count();
    // At least two thirds, in integers.
    if near * 3 < n * 2 {
        return None;
    }
    // To 6 decimals (a decimetre): the same list from the same directory, on any machine.
    let round = |x: f64| (x * 1e6).round() / 1e6;
    Some(Place {
        name: most_used(&g.names)?,
        context: most_used(&g.contexts),
        lat: round(lat),
        lon: round(lon),
        services: u32::try_from(n).unwrap_or(u32::MAX),
    })
}

/// Rebuilds the table from the directory inside `tx` if it is stale; how many places it
/// holds after, or `None` if it was fresh.
pub(crate) fn refresh(tx: &Connection) -> Result<Option<usize>> {
    if !is_stale(tx)? {
        return Ok(None);
    }
    let started = std::time::Instant::now();
    let mut stmt = tx.prepare(
        "SELECT address, lat, lon, json_extract(detail, '$.country') FROM service
          WHERE address IS NOT NULL",
    )?;
    let rows = stmt
        .query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, f64>(1)?,
                r.get::<_, f64>(2)?,
                r.get::<_, Option<String>>(3)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let read_ms = started.elapsed().as_millis() as u64;
    let places = derive(rows.iter().map(|(address, lat, lon, country)| Located {
        address,
        lat: *lat,
        lon: *lon,
        country: country.as_deref(),
    }));
    tx.execute("DELETE FROM place", [])?;
    let mut insert = tx.prepare_cached(
        "INSERT INTO place (name, context, key, context_key, lat, lon, services)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    for p in &places {
        insert.execute(params![
            p.name,
            p.context,
            fold(&p.name),
            p.context.as_deref().map(fold).unwrap_or_default(),
            p.lat,
            p.lon,
            p.services
        ])?;
    }
    tx.execute("UPDATE place_state SET stale = 0 WHERE id = 1", [])?;
    tracing::debug!(
        places = places.len(),
        services = rows.len(),
        read_ms,
        ms = started.elapsed().as_millis() as u64,
        "places rebuilt from the directory"
    );
    Ok(Some(places.len()))
}

fn is_stale(conn: &Connection) -> Result<bool> {
    Ok(
        conn.query_row("SELECT stale FROM place_state WHERE id = 1", [], |r| {
            r.get::<_, i64>(0)
        })? != 0,
    )
}

/// How well a place answers what was typed: lower is better, `None` not at all. The order of
/// the app's place box: the whole name, its start, a word's start, then every typed word
/// starting a word of the name or of its context ("majengo mombasa").
fn score(key: &str, context_key: &str, q: &str, words: &[&str]) -> Option<u8> {
    if key == q {
        return Some(0);
    }
    if key.starts_with(q) {
        return Some(1);
    }
    if key.split(' ').any(|w| w.starts_with(q)) {
        return Some(2);
    }
    if words.len() > 1
        && words.iter().all(|t| {
            key.split(' ')
                .chain(context_key.split(' '))
                .any(|w| w.starts_with(t))
        })
    {
        return Some(3);
    }
    None
}

impl Store {
    /// Places of the directory matching `query` (case and accents ignored, on word starts),
    /// best first: the whole name, then its start, then a word's start, more services first
    /// among equals. An empty query lists them all, most services first.
    pub fn places(&self, query: &str, limit: usize) -> Result<Vec<Place>> {
        let q = fold(query);
        if q.is_empty() && !query.trim().is_empty() {
            return Err(ValidationError::new(
                "query",
                "the place to look for has no letters or digits",
            )
            .into());
        }
        if limit == 0 {
            return Ok(Vec::new());
        }
        // Fresh (the usual case): a plain read. Stale: rebuild and read in one write
        // transaction, so no other writer can change the directory in between.
        let fresh = self.read(|| {
            if is_stale(&self.conn)? {
                return Ok(None);
            }
            Ok(Some(self.matching_places(&q, limit)?))
        })?;
        if let Some(found) = fresh {
            return Ok(found);
        }
        let tx = Transaction::new_unchecked(&self.conn, TransactionBehavior::Immediate)?;
        refresh(&tx)?;
        let found = self.matching_places(&q, limit)?;
        tx.commit()?;
        Ok(found)
    }

    fn matching_places(&self, q: &str, limit: usize) -> Result<Vec<Place>> {
        let words: Vec<&str> = q.split(' ').filter(|w| !w.is_empty()).collect();
        let mut stmt = self.conn.prepare_cached(
            "SELECT name, context, key, context_key, lat, lon, services FROM place",
        )?;
        let mut found: Vec<(u8, String, Place)> = Vec::new();
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let key: String = r.get(2)?;
            let context_key: String = r.get(3)?;
            let s = if q.is_empty() {
                0
            } else {
                match score(&key, &context_key, q, &words) {
                    Some(s) => s,
                    None => continue,
                }
            };
            found.push((
                s,
                key,
                Place {
                    name: r.get(0)?,
                    context: r.get(1)?,
                    lat: r.get(4)?,
                    lon: r.get(5)?,
                    services: r.get(6)?,
                },
            ));
        }
        found.sort_by(|a, b| {
            a.0.cmp(&b.0)
                .then_with(|| b.2.services.cmp(&a.2.services))
                .then_with(|| a.1.len().cmp(&b.1.len()))
                .then_with(|| a.1.cmp(&b.1))
                .then_with(|| a.2.context.cmp(&b.2.context))
        });
        Ok(found.into_iter().take(limit).map(|f| f.2).collect())
    }

    /// Rebuilds the places now if the directory changed since they were last built, instead
    /// of on the next read; how many there are, or `None` if they were up to date.
    pub fn refresh_places(&self) -> Result<Option<usize>> {
        let tx = Transaction::new_unchecked(&self.conn, TransactionBehavior::Immediate)?;
        let n = refresh(&tx)?;
        tx.commit()?;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at<'a>(address: &'a str, lat: f64, lon: f64) -> Located<'a> {
        Located {
            address,
            lat,
            lon,
            country: Some("KE"),
        }
    }

    fn named<'p>(places: &'p [Place], name: &str) -> Vec<&'p Place> {
        places.iter().filter(|p| p.name == name).collect()
    }

    #[test]
    fn folding_matches_the_place_box() {
        assert_eq!(fold("Moçâmedes"), "mocamedes");
        assert_eq!(fold("  São  José-dos Campos "), "sao jose dos campos");
        assert_eq!(fold("MAJENGO (Old Town)"), "majengo old town");
        assert_eq!(fold(" -- "), "");
    }

    #[test]
    fn areas_after_the_first_part_become_places_at_their_median() {
        let places = derive([
            at("Juja Road, Eastleigh North, Eastleigh", -1.270, 36.850),
            at("First Avenue, Eastleigh North, Eastleigh", -1.272, 36.852),
            at("Second Street, Eastleigh North, Eastleigh", -1.280, 36.860),
        ]);
        let north = named(&places, "Eastleigh North");
        assert_eq!(north.len(), 1);
        assert_eq!(north[0].context.as_deref(), Some("Eastleigh"));
        assert_eq!(north[0].services, 3);
        assert_eq!((north[0].lat, north[0].lon), (-1.272, 36.852));
        let town = named(&places, "Eastleigh");
        assert_eq!(town.len(), 1);
        assert_eq!(town[0].context.as_deref(), Some("KE"));
        // Streets, each once and first, are no places.
        assert!(named(&places, "Juja Road").is_empty());
        assert_eq!(places.len(), 2);
    }

    #[test]
    fn a_first_part_counts_only_for_a_name_known_as_an_area() {
        let places = derive([
            at("Juja Road, Eastleigh North, Nairobi", -1.270, 36.850),
            at("Eastleigh North, Nairobi", -1.271, 36.851),
            at("Moi Avenue, Nairobi", -1.283, 36.822),
            at("Moi Avenue, Nairobi", -1.284, 36.823),
            at("Block 12, Kakuma", 3.72, 34.86),
            at("Block 12, Kakuma", 3.73, 34.87),
        ]);
        assert_eq!(named(&places, "Eastleigh North")[0].services, 2);
        assert!(named(&places, "Moi Avenue").is_empty());
        assert!(named(&places, "Block 12").is_empty());
        assert_eq!(named(&places, "Kakuma")[0].services, 2);
        assert_eq!(named(&places, "Nairobi")[0].services, 4);
    }

    #[test]
    fn one_name_in_two_towns_is_two_places_never_one_between() {
        let places = derive([
            at("Hospital Road, Majengo, Mombasa", -4.05, 39.66),
            at("Market Street, Majengo, Mombasa", -4.06, 39.67),
            at("Station Road, Majengo, Nairobi", -1.28, 36.83),
            at("Mosque Road, Majengo, Nairobi", -1.29, 36.84),
        ]);
        let majengo = named(&places, "Majengo");
        assert_eq!(majengo.len(), 2);
        for p in majengo {
            assert_eq!(p.services, 2);
            let home = if p.context.as_deref() == Some("Mombasa") {
                (-4.05, 39.66)
            } else {
                (-1.28, 36.83)
            };
            assert!(km_between((p.lat, p.lon), home) < 2.0, "{p:?}");
        }
    }

    #[test]
    fn a_name_spread_over_a_wide_area_is_dropped() {
        // "Highway" under one context, in three towns hundreds of km apart.
        let places = derive([
            at("Plot 1, Highway, Rift Valley", 0.52, 35.27),
            at("Plot 2, Highway, Rift Valley", -0.30, 36.07),
            at("Plot 3, Highway, Rift Valley", 1.01, 35.00),
            at("Plot 4, Highway, Rift Valley", -1.10, 36.60),
        ]);
        assert!(named(&places, "Highway").is_empty());
        // Three of four within reach (two thirds and more) still make a place.
        let places = derive([
            at("Plot 1, Camp Road, Kakuma", 3.72, 34.86),
            at("Plot 2, Camp Road, Kakuma", 3.73, 34.87),
            at("Plot 3, Camp Road, Kakuma", 3.74, 34.85),
            at("Plot 4, Camp Road, Kakuma", 2.10, 36.00),
        ]);
        assert_eq!(named(&places, "Camp Road")[0].services, 4);
    }

    #[test]
    fn one_service_is_no_place_and_a_name_twice_in_an_address_counts_once() {
        let places = derive([
            at("Kibera Drive, Kibera, Kibera, Nairobi", -1.31, 36.78),
            at("Olympic, Kibera, Nairobi", -1.32, 36.79),
            at("Ngong Road, Lonely Estate, Nairobi", -1.30, 36.77),
        ]);
        assert_eq!(named(&places, "Kibera")[0].services, 2);
        assert!(named(&places, "Lonely Estate").is_empty());
    }

    #[test]
    fn the_same_name_under_two_contexts_nearby_is_one_place() {
        let places = derive([
            at("Block 3, Kakuma", 3.72, 34.86),
            at("Block 9, Kakuma", 3.73, 34.87),
            at("Block 4, Kakuma", 3.71, 34.86),
            at("Zone 1, Kakuma, Turkana", 3.72, 34.85),
            at("Zone 2, Kakuma, Turkana", 3.74, 34.86),
        ]);
        let kakuma = named(&places, "Kakuma");
        assert_eq!(kakuma.len(), 1);
        assert_eq!(kakuma[0].services, 5);
        assert_eq!(kakuma[0].context.as_deref(), Some("KE"));
    }

    #[test]
    fn postal_codes_are_skipped_and_spellings_resolved_by_use() {
        let places = derive([
            at("Plot 7, Kawangware, Nairobi, 00100", -1.28, 36.75),
            at("Plot 8, KAWANGWARE, Nairobi, 00100", -1.28, 36.75),
            at("Plot 9, Kawangware, Nairobi", -1.29, 36.74),
        ]);
        let k = named(&places, "Kawangware");
        assert_eq!(k.len(), 1);
        assert_eq!(k[0].services, 3);
        assert_eq!(named(&places, "Nairobi")[0].context.as_deref(), Some("KE"));
        assert!(places.iter().all(|p| p.name != "00100"));
    }

    #[test]
    fn ranking_puts_the_whole_name_before_its_start_before_a_word() {
        assert_eq!(score("eastleigh", "", "eastleigh", &["eastleigh"]), Some(0));
        assert_eq!(
            score("eastleigh north", "", "eastleigh", &["eastleigh"]),
            Some(1)
        );
        assert_eq!(
            score("old eastleigh", "", "eastleigh", &["eastleigh"]),
            Some(2)
        );
        assert_eq!(
            score("majengo", "mombasa", "majengo mom", &["majengo", "mom"]),
            Some(3)
        );
        assert_eq!(score("westleigh", "", "leigh", &["leigh"]), None);
    }
}
