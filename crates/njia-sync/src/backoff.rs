//! How long to wait before trying again: exponential, capped, with jitter so that the devices
//! of a whole district coming back online do not all knock at the same second.

use std::time::Duration;

use rand::Rng;

/// The delay before retry number `attempt` (0 for the first retry).
///
/// The nominal delay is `base × 2^attempt`, capped at `cap`. Half of it is always waited and
/// the other half is scaled by `jitter` (a draw in `0.0..=1.0`; values outside are clamped):
/// "equal jitter", so a retry never comes sooner than half the nominal delay and never later
/// than the nominal delay. Pure, so the app's timer and the tests can feed their own draws.
///
/// ```
/// use std::time::Duration;
/// use njia_sync::backoff_delay;
/// let base = Duration::from_secs(1);
/// let cap = Duration::from_secs(60);
/// assert_eq!(backoff_delay(3, base, cap, 1.0), Duration::from_secs(8));
/// assert_eq!(backoff_delay(3, base, cap, 0.0), Duration::from_secs(4));
/// assert_eq!(backoff_delay(30, base, cap, 1.0), cap);
/// ```
pub fn backoff_delay(attempt: u32, base: Duration, cap: Duration, jitter: f64) -> Duration {
    let factor = 2u32.saturating_pow(attempt.min(31));
    let nominal = base.saturating_mul(factor).min(cap);
    let jitter = if jitter.is_nan() {
        0.0
    } else {
        jitter.clamp(0.0, 1.0)
    };
    let half = nominal / 2;
    let rest = nominal - half;
    let spread = Duration::try_from_secs_f64(rest.as_secs_f64() * jitter)
        .unwrap_or(rest)
        .min(rest);
    half.saturating_add(spread)
}

/// A backoff schedule: [`backoff_delay`] with a random draw.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    pub base: Duration,
    pub cap: Duration,
}

impl Backoff {
    /// Retries inside one sync call: 0.5 s, 1 s, 2 s, 4 s… up to 8 s (each with jitter).
    pub const RETRY: Backoff = Backoff {
        base: Duration::from_millis(500),
        cap: Duration::from_secs(8),
    };

    /// The app's background timer after failed syncs: 30 s, 1 min, 2 min… up to 30 min.
    /// After a complete sync the app goes back to its regular interval.
    pub const TIMER: Backoff = Backoff {
        base: Duration::from_secs(30),
        cap: Duration::from_secs(30 * 60),
    };

    /// The delay before retry number `attempt` (0 for the first), with a random jitter.
    pub fn delay(&self, attempt: u32) -> Duration {
        backoff_delay(
            attempt,
            self.base,
            self.cap,
            rand::thread_rng().gen_range(0.0..=1.0),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: fn(u64) -> Duration = Duration::from_secs;

    #[test]
    fn the_delay_doubles_from_the_base_until_the_cap() {
        let nominal: Vec<Duration> = (0..8).map(|a| backoff_delay(a, S(1), S(30), 1.0)).collect();
        assert_eq!(
            nominal,
            [S(1), S(2), S(4), S(8), S(16), S(30), S(30), S(30)]
        );
    }

    #[test]
    fn jitter_spreads_between_half_and_all_of_the_nominal_delay() {
        assert_eq!(backoff_delay(2, S(1), S(60), 0.0), S(2));
        assert_eq!(backoff_delay(2, S(1), S(60), 0.5), S(3));
        assert_eq!(backoff_delay(2, S(1), S(60), 1.0), S(4));
        // Draws outside 0..=1 are clamped, not trusted.
        assert_eq!(backoff_delay(2, S(1), S(60), -3.0), S(2));
        assert_eq!(backoff_delay(2, S(1), S(60), 7.0), S(4));
        assert_eq!(backoff_delay(2, S(1), S(60), f64::NAN), S(2));
    }

    #[test]
    fn huge_attempt_counts_neither_overflow_nor_pass_the_cap() {
        for attempt in [31, 32, 64, 1_000, u32::MAX] {
            assert_eq!(backoff_delay(attempt, S(30), S(1800), 1.0), S(1800));
        }
        assert_eq!(
            backoff_delay(u32::MAX, Duration::MAX, Duration::MAX, 1.0),
            Duration::MAX
        );
    }

    #[test]
    fn random_delays_stay_in_their_band() {
        for attempt in 0..12 {
            let nominal = backoff_delay(attempt, Backoff::TIMER.base, Backoff::TIMER.cap, 1.0);
            for _ in 0..50 {
                let d = Backoff::TIMER.delay(attempt);
                assert!(
                    d >= nominal / 2 && d <= nominal,
                    "{d:?} outside {nominal:?}"
                );
            }
        }
    }
}
