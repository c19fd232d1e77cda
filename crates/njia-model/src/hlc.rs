//! Hybrid logical clocks: timestamps that follow wall time when clocks are sane and still
//! order events causally when a phone says it is 2019 or 2031.
//!
//! A stamp is `(wall_ms, counter, node)`. Its text form is fixed-width so that comparing two
//! strings (in SQL, in JSON) orders them exactly like comparing the tuples.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// How far ahead of the clock that receives it a stamp (or a session's start) may be: phone
/// clocks a little off are normal, a phone three years fast is not. One bound for the device
/// and the server, so both refuse the same things ([`Hlc::check_against`]).
pub const MAX_SKEW_MS: u64 = 24 * 60 * 60 * 1000;

/// The largest wall time the fixed-width text form holds (15 digits: year 33658).
pub const MAX_WALL_MS: u64 = 999_999_999_999_999;

/// A counter this high means a clock was fed a forged stamp: refused, so nobody can push a
/// record to the edge of the counter and make the next stamps overflow.
pub const MAX_COUNTER: u32 = u32::MAX / 2;

/// One HLC timestamp. Ordered by wall time, then counter, then node (the device id breaks
/// ties, so two devices never produce equal stamps).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Hlc {
    pub wall_ms: u64,
    pub counter: u32,
    pub node: Uuid,
}

/// The state a node keeps between stamps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Clock {
    last: Hlc,
}

impl Clock {
    /// A clock for `node` that has issued nothing yet.
    pub fn new(node: Uuid) -> Self {
        Self {
            last: Hlc {
                wall_ms: 0,
                counter: 0,
                node,
            },
        }
    }

    /// Resumes a clock from the last stamp it issued or observed (kept in the store).
    pub fn resume(node: Uuid, last: Option<Hlc>) -> Self {
        match last {
            Some(l) => Self {
                last: Hlc { node, ..l },
            },
            None => Self::new(node),
        }
    }

    /// The last stamp issued or observed, for persisting.
    pub fn last(&self) -> Hlc {
        self.last
    }

    /// A stamp for a local event at wall time `now_ms`: later than everything seen, even if
    /// the wall clock went backwards — unless the last stamp is more than [`MAX_SKEW_MS`]
    /// ahead of `now_ms`. Then the clock that made it was wrong (a phone set years ahead,
    /// since corrected), every stamp it would go on making would be refused by the server,
    /// and the clock starts again from `now_ms`.
    pub fn tick(&mut self, now_ms: u64) -> Hlc {
        if self.last.wall_ms > now_ms.saturating_add(MAX_SKEW_MS) {
            self.last.wall_ms = now_ms;
            self.last.counter = 0;
            return self.last;
        }
        if now_ms > self.last.wall_ms {
            self.last.wall_ms = now_ms;
            self.last.counter = 0;
        } else {
            self.bump_counter();
        }
        self.last
    }

    /// Folds in a stamp received from elsewhere, so the next local stamp orders after it.
    /// A remote wall time beyond `now_ms +` [`MAX_SKEW_MS`] is taken only up to that bound:
    /// a phone whose clock is years fast cannot drag every clock it touches along with it.
    pub fn observe(&mut self, remote: Hlc, now_ms: u64) {
        let bound = now_ms.saturating_add(MAX_SKEW_MS).min(MAX_WALL_MS);
        let remote = if remote.wall_ms > bound {
            Hlc {
                wall_ms: bound,
                counter: 0,
                ..remote
            }
        } else {
            remote
        };
        let wall = now_ms.max(self.last.wall_ms).max(remote.wall_ms);
        if wall == self.last.wall_ms && wall == remote.wall_ms {
            self.last.counter = self.last.counter.max(remote.counter);
            self.bump_counter();
        } else if wall == self.last.wall_ms {
            self.bump_counter();
        } else if wall == remote.wall_ms {
            self.last.wall_ms = wall;
            self.last.counter = remote.counter;
            self.bump_counter();
        } else {
            self.last.wall_ms = wall;
            self.last.counter = 0;
        }
    }

    fn bump_counter(&mut self) {
        if self.last.counter >= MAX_COUNTER {
            self.last.wall_ms = self.last.wall_ms.saturating_add(1).min(MAX_WALL_MS);
            self.last.counter = 0;
        } else {
            self.last.counter += 1;
        }
    }
}

impl Hlc {
    /// Whether a stamp received from elsewhere is one this clock may take: at most
    /// [`MAX_SKEW_MS`] ahead of `now_ms` and with a counter below [`MAX_COUNTER`]. The words
    /// say what to fix, for the CHW whose phone wrote it.
    pub fn check_against(&self, now_ms: u64) -> Result<(), String> {
        if self.counter > MAX_COUNTER {
            return Err(format!(
                "its clock stamp has a counter of {}, which no real clock reaches",
                self.counter
            ));
        }
        if self.wall_ms > now_ms.saturating_add(MAX_SKEW_MS) {
            let ahead_h = (self.wall_ms - now_ms) / 3_600_000;
            let ahead = if ahead_h >= 48 {
                format!("{} days", ahead_h / 24)
            } else {
                format!("{ahead_h} hours")
            };
            return Err(format!(
                "it was written by a clock {ahead} ahead of this one: check the phone's date and time"
            ));
        }
        Ok(())
    }
}

impl fmt::Display for Hlc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:015}-{:010}-{}",
            self.wall_ms,
            self.counter,
            self.node.simple()
        )
    }
}

/// Why a text is not an HLC stamp.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("\"{0}\" is not a clock stamp (expected WALLMS-COUNTER-NODE)")]
pub struct ParseHlcError(String);

impl FromStr for Hlc {
    type Err = ParseHlcError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || ParseHlcError(s.chars().take(80).collect());
        // Only the fixed-width form orders as text: `15 digits-10 digits-32 hex`.
        let b = s.as_bytes();
        let fixed = b.len() == 15 + 1 + 10 + 1 + 32
            && b[15] == b'-'
            && b[26] == b'-'
            && b[..15].iter().all(u8::is_ascii_digit)
            && b[16..26].iter().all(u8::is_ascii_digit)
            && b[27..]
                .iter()
                .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase());
        if !fixed {
            return Err(err());
        }
        let mut parts = s.splitn(3, '-');
        let wall_ms = parts.next().and_then(|p| p.parse().ok()).ok_or_else(err)?;
        let counter = parts.next().and_then(|p| p.parse().ok()).ok_or_else(err)?;
        let node = parts
            .next()
            .and_then(|p| Uuid::try_parse(p).ok())
            .ok_or_else(err)?;
        Ok(Hlc {
            wall_ms,
            counter,
            node,
        })
    }
}

impl Serialize for Hlc {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Hlc {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn node(n: u128) -> Uuid {
        Uuid::from_u128(n)
    }

    #[test]
    fn a_clock_that_goes_backwards_still_moves_forward() {
        let mut c = Clock::new(node(1));
        let a = c.tick(1_000);
        let b = c.tick(500);
        let d = c.tick(1_000);
        assert!(a < b && b < d);
        assert_eq!(b.wall_ms, 1_000);
    }

    #[test]
    fn observing_a_future_stamp_orders_later_events_after_it() {
        let mut c = Clock::new(node(1));
        c.tick(1_000);
        let remote = Hlc {
            wall_ms: 9_000_000,
            counter: 7,
            node: node(2),
        };
        c.observe(remote, 1_001);
        let next = c.tick(1_002);
        assert!(next > remote);
    }

    #[test]
    fn text_form_round_trips() {
        let h = Hlc {
            wall_ms: 1_764_000_000_000,
            counter: 3,
            node: node(42),
        };
        let s = h.to_string();
        assert_eq!(s.parse::<Hlc>().unwrap(), h);
        assert!("nonsense".parse::<Hlc>().is_err());
        assert!("1-2".parse::<Hlc>().is_err());
        // Other widths would sort wrongly as text: refused.
        let short = format!("1764000000000-0000000003-{}", node(42).simple());
        assert!(short.parse::<Hlc>().is_err());
        let wide = format!("18446744073709551615-0000000003-{}", node(42).simple());
        assert!(wide.parse::<Hlc>().is_err());
    }

    #[test]
    fn stamps_far_ahead_are_refused_and_never_drag_a_clock() {
        let now = 1_764_000_000_000;
        let year = 365 * 24 * 3_600_000;
        let fast = Hlc {
            wall_ms: now + 3 * year,
            counter: 0,
            node: node(2),
        };
        let err = fast.check_against(now).unwrap_err();
        assert!(err.contains("1095 days ahead"), "{err}");
        let slightly = Hlc {
            wall_ms: now + 60_000,
            ..fast
        };
        assert!(slightly.check_against(now).is_ok());
        let forged = Hlc {
            wall_ms: now,
            counter: u32::MAX,
            node: node(2),
        };
        assert!(forged.check_against(now).is_err());

        let mut c = Clock::new(node(1));
        c.observe(fast, now);
        assert!(c.last().wall_ms <= now + MAX_SKEW_MS);
        let max = Hlc {
            wall_ms: u64::MAX,
            counter: u32::MAX,
            node: node(3),
        };
        c.observe(max, now);
        let next = c.tick(now + 1);
        assert!(next.wall_ms <= now + MAX_SKEW_MS + 1, "{next}");
        assert!(next.to_string().parse::<Hlc>().is_ok());

        // A clock left years ahead by a phone set wrong starts again from the wall clock.
        let mut poisoned = Clock::resume(node(4), Some(fast));
        assert_eq!(poisoned.tick(now).wall_ms, now);
    }

    proptest! {
        /// The text form sorts exactly like the stamps, so SQL can compare them as text.
        #[test]
        fn text_order_is_stamp_order(
            a in (0u64..10u64.pow(14), any::<u32>(), any::<u128>()),
            b in (0u64..10u64.pow(14), any::<u32>(), any::<u128>()),
        ) {
            let ha = Hlc { wall_ms: a.0, counter: a.1, node: Uuid::from_u128(a.2) };
            let hb = Hlc { wall_ms: b.0, counter: b.1, node: Uuid::from_u128(b.2) };
            prop_assert_eq!(ha.cmp(&hb), ha.to_string().cmp(&hb.to_string()));
        }

        /// Whatever the wall clock does, every stamp a clock issues is greater than the last.
        #[test]
        fn stamps_are_strictly_increasing(walls in proptest::collection::vec(0u64..5_000, 1..50)) {
            let mut c = Clock::new(node(9));
            let mut prev = None;
            for w in walls {
                let h = c.tick(w);
                if let Some(p) = prev { prop_assert!(h > p); }
                prev = Some(h);
            }
        }
    }
}
