//! Hybrid logical clocks: timestamps that follow wall time when clocks are sane and still
//! order events causally when a phone says it is 2019 or 2031.
//!
//! A stamp is `(wall_ms, counter, node)`. Its text form is fixed-width so that comparing two
//! strings (in SQL, in JSON) orders them exactly like comparing the tuples.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

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
    /// the wall clock went backwards.
    pub fn tick(&mut self, now_ms: u64) -> Hlc {
        if now_ms > self.last.wall_ms {
            self.last.wall_ms = now_ms;
            self.last.counter = 0;
        } else {
            self.bump_counter();
        }
        self.last
    }

    /// Folds in a stamp received from elsewhere, so the next local stamp orders after it.
    pub fn observe(&mut self, remote: Hlc, now_ms: u64) {
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
        if self.last.counter == u32::MAX {
            self.last.wall_ms += 1;
            self.last.counter = 0;
        } else {
            self.last.counter += 1;
        }
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
