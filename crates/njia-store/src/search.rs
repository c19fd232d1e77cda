//! Search by name: full text over names, organisations and addresses, folded for case and
//! accents ("sao jose" finds "Clínica São José"), every word a prefix ("gasaman" finds
//! "CDS GASAMANZUKI"), words split on punctuation, ranked by relevance or by distance.

use std::collections::HashSet;

use njia_model::geo::{distance_m, Point};
use njia_model::ValidationError;
use rusqlite::params;

use crate::directory::ServiceHit;
use crate::{Result, Store};

/// Words beyond this many are ignored: nobody types a paragraph into a search box.
const MAX_WORDS: usize = 12;
/// Relevance is computed over at most this many matches (the first by rowid).
const RANKED_MAX: usize = 500;

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
        self.read(|| self.search_in_snapshot(q))
    }

    fn search_in_snapshot(&self, q: &SearchQuery) -> Result<Vec<ServiceHit>> {
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
        let matches = |limit: i64| -> Result<Vec<i64>> {
            let mut stmt = self.conn.prepare_cached(
                "SELECT rowid FROM service_fts WHERE service_fts MATCH ?1 LIMIT ?2",
            )?;
            let rows = stmt.query_map(params![fts, limit], |r| r.get::<_, i64>(0))?;
            Ok(rows.collect::<rusqlite::Result<Vec<i64>>>()?)
        };
        match q.near {
            Some(p) => {
                // Every match, unranked: reading a doclist is cheap, ranking thousands is not.
                // Reading each match's position costs one lookup per match; walking the
                // R*Tree about limit × services / matches. Take the cheaper.
                let matches = matches(-1)?;
                if matches.len().pow(2) > q.limit * self.max_rowid()? as usize {
                    let set: HashSet<i64> = matches.into_iter().collect();
                    let nearest = self.nearest_of(p, &set, q.limit)?;
                    return self.hits(&nearest, false);
                }
                let mut stmt = self
                    .conn
                    .prepare_cached("SELECT lat, lon FROM service_point WHERE rowid = ?1")?;
                let mut all = Vec::with_capacity(matches.len());
                for id in matches {
                    let (lat, lon) = stmt.query_row([id], |r| Ok((r.get(0)?, r.get(1)?)))?;
                    all.push((id, distance_m(p, Point { lat, lon })));
                }
                all.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
                all.truncate(q.limit);
                self.hits(&all, false)
            }
            None => {
                // Rank by relevance (bm25, name first) among at most RANKED_MAX matches: when
                // more match, the words are too common for their scores to differ usefully.
                let mut stmt = self.conn.prepare_cached(
                    "SELECT rowid FROM service_fts WHERE service_fts MATCH ?1
                        AND rowid <= ?2 ORDER BY rank, rowid LIMIT ?3",
                )?;
                let ceiling = matches(RANKED_MAX as i64)?
                    .get(RANKED_MAX - 1)
                    .copied()
                    .unwrap_or(i64::MAX);
                let found = stmt
                    .query_map(params![fts, ceiling, q.limit as i64], |r| {
                        Ok((r.get::<_, i64>(0)?, None))
                    })?
                    .collect::<rusqlite::Result<Vec<_>>>()?;
                self.rows_as_hits(&found, false)
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
