//! An increasing wait after failed unlocks.
//!
//! With the `njia` binary or the app as the oracle, guesses cost one Argon2id derivation each
//! (about a second on a phone). After [`FREE_ATTEMPTS`] wrong passphrases in a row, every
//! further attempt first waits [`delay_after`]: 1 s, 2 s, 4 s… doubling up to [`MAX_DELAY`]
//! (60 s), so a 4-digit PIN takes days instead of hours, while a CHW who mistypes twice
//! waits nothing. The count lives in a side file beside the store, `<store>-unlock` (0600),
//! because every `njia` command is a new process; the right passphrase removes it.
//!
//! This slows guessing through Njia only: whoever copies the store file guesses offline at
//! the cost of Argon2id alone (see `crypto.rs`), and may delete the side file. A side file
//! whose contents cannot be read as a count is taken as the largest count (the longest wait,
//! once): breaking it must not be a way to skip the wait.

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::{files, Result, StoreError};

/// Wrong passphrases in a row that cost no wait.
pub const FREE_ATTEMPTS: u32 = 3;
/// The longest wait before an attempt.
pub const MAX_DELAY: Duration = Duration::from_secs(60);

/// The wait before an attempt after `failures` wrong passphrases in a row: 0, 0, 0, 1 s,
/// 2 s, 4 s, 8 s, 16 s, 32 s, 60 s, 60 s…
pub fn delay_after(failures: u32) -> Duration {
    if failures < FREE_ATTEMPTS {
        return Duration::ZERO;
    }
    let doublings = (failures - FREE_ATTEMPTS).min(6);
    Duration::from_secs(1 << doublings).min(MAX_DELAY)
}

/// The side file that counts failed unlocks of the store at `db`.
pub fn side_file(db: &Path) -> PathBuf {
    let mut p = db.as_os_str().to_owned();
    p.push("-unlock");
    p.into()
}

/// Wrong passphrases in a row recorded for the store at `db`.
pub fn failures(db: &Path) -> Result<u32> {
    let path = side_file(db);
    match std::fs::read_to_string(&path) {
        Ok(text) => Ok(text.trim().parse().unwrap_or(u32::MAX)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(0),
        Err(source) => Err(StoreError::Io { path, source }),
    }
}

/// The wait the next attempt on the store at `db` makes before deriving its key.
pub fn delay(db: &Path) -> Result<Duration> {
    Ok(delay_after(failures(db)?))
}

/// Counts one more wrong passphrase.
pub(crate) fn failed(db: &Path) -> Result<()> {
    let n = failures(db)?.saturating_add(1);
    files::write_private(&side_file(db), n.to_string().as_bytes())
}

/// The right passphrase: the count starts again.
pub(crate) fn succeeded(db: &Path) -> Result<()> {
    let path = side_file(db);
    match std::fs::remove_file(&path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(source) => Err(StoreError::Io { path, source }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wait_grows_after_three_free_attempts_and_stops_at_a_minute() {
        let secs: Vec<u64> = (0..12).map(|n| delay_after(n).as_secs()).collect();
        assert_eq!(secs, [0, 0, 0, 1, 2, 4, 8, 16, 32, 60, 60, 60]);
        assert_eq!(delay_after(u32::MAX), MAX_DELAY);
    }

    #[test]
    fn a_damaged_count_waits_the_longest() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("njia.db");
        assert_eq!(failures(&db).unwrap(), 0);
        std::fs::write(side_file(&db), "garbage").unwrap();
        assert_eq!(delay(&db).unwrap(), MAX_DELAY);
        succeeded(&db).unwrap();
        assert_eq!(failures(&db).unwrap(), 0);
    }
}
