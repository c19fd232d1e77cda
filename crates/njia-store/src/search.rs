//! Search by name: full text over names, organisations and addresses, folded for case and
//! accents ("sao jose" finds "Clínica São José"), every word a prefix ("gasaman" finds
//! "CDS GASAMANZUKI"), words split on punctuation, ranked by relevance or by distance.

use njia_model::geo::{distance_m, Point};
use njia_model::ValidationError;
use rusqlite::params;

use crate::directory::{hit_from_row, ServiceHit, HIT_COLUMNS};
use crate::{Result, Store};

/// Words beyond this many are ignored: nobody types a paragraph into a search box.
const MAX_WORDS: usize = 12;

/// A text search.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchQuery {
    pub text: String,
    /// Rank by distance from here instead of by relevance, and report `distance_m`.
    pub near: Option<Point>,
    pub limit: usize,
}

/// The FTS5 query for what a person typed: each word quoted (so punctuation and FTS syntax in
/// the input mean nothing) and made a prefix, all words required.
pub fn fts_query(text: &str) -> Option<String> {
    let words: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(MAX_WORDS)
        .map(|w| format!("\"{w}\"*"))
        .collect();
    (!words.is_empty()).then(|| words.join(" "))
}

impl Store {
    /// Services matching the text, best first (or nearest first when a point is given).
    pub fn search(&self, q: &SearchQuery) -> Result<Vec<ServiceHit>> {
        let Some(fts) = fts_query(&q.text) else {
            return Err(ValidationError::new(
                "text",
                "the search text has no letters or digits to look for",
            )
            .into());
        };
        if q.limit == 0 {
            return Ok(Vec::new());
        }
        match q.near {
            None => {
                let mut stmt = self.conn.prepare_cached(&format!(
                    "SELECT {HIT_COLUMNS} FROM service_fts f JOIN service s ON s.rowid = f.rowid
                      WHERE service_fts MATCH ?1
                      ORDER BY bm25(service_fts, 10.0, 3.0, 1.0), s.rowid
                      LIMIT ?2"
                ))?;
                let hits = stmt.query_map(params![fts, q.limit as i64], hit_from_row)?;
                Ok(hits.collect::<rusqlite::Result<_>>()?)
            }
            Some(p) => {
                let mut stmt = self.conn.prepare_cached(
                    "SELECT s.rowid, s.lat, s.lon FROM service_fts f JOIN service s ON s.rowid = f.rowid
                      WHERE service_fts MATCH ?1",
                )?;
                let rows = stmt.query_map([&fts], |r| {
                    Ok((
                        r.get::<_, i64>(0)?,
                        r.get::<_, f64>(1)?,
                        r.get::<_, f64>(2)?,
                    ))
                })?;
                let mut all = Vec::new();
                for row in rows {
                    let (id, lat, lon) = row?;
                    all.push((id, distance_m(p, Point { lat, lon })));
                }
                all.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
                all.truncate(q.limit);
                self.hits(&all, false)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_text_becomes_quoted_prefixes() {
        assert_eq!(fts_query("sao jose").unwrap(), "\"sao\"* \"jose\"*");
        assert_eq!(fts_query("St.Mary's").unwrap(), "\"St\"* \"Mary\"* \"s\"*");
        assert_eq!(fts_query("\" OR * NEAR(").unwrap(), "\"OR\"* \"NEAR\"*");
        assert_eq!(fts_query(" -- "), None);
    }
}
