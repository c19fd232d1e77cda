//! The rule a new store's passphrase must meet, one for every front end (the `njia` CLI, the
//! app): the passphrase is the only secret between a lost phone and every record on it, and
//! anyone holding the file can try guesses offline, as fast as Argon2id lets them (see
//! [`crate::crypto`]). The rule refuses what such an attacker tries first.
//!
//! It applies when a store is created ([`crate::Store::derive_key`] checks it then); a store
//! that exists keeps opening with the passphrase it has.
//!
//! ```
//! use njia_store::passphrase::{check, PassphraseError};
//! assert!(check("maji ya kunywa karibu").is_ok());
//! assert_eq!(check("1234567890"), Err(PassphraseError::Sequence));
//! ```

use std::collections::HashSet;
use std::sync::OnceLock;

/// The fewest characters (not bytes: "é" is one) a new passphrase may have.
pub const MIN_CHARS: usize = 10;

/// The commonest passphrases, one a line, `#` for comments: checked case-insensitively.
const COMMON: &str = include_str!("passphrase/common.txt");

/// Why a passphrase was refused, in words a CHW can act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PassphraseError {
    #[error(
        "the passphrase has {chars} characters; choose one of at least {min}, such as a few words"
    )]
    TooShort { chars: usize, min: usize },
    #[error("the passphrase repeats one short pattern over and over; choose a few words instead")]
    Repeated,
    #[error("the passphrase is a simple run of letters or digits (like 1234567890 or abcdefghij); choose a few words instead")]
    Sequence,
    #[error("the passphrase is one of the most common ones, which are tried first; choose a few words of your own")]
    Common,
}

impl PassphraseError {
    /// A short code for the reason (`too_short`, `repeated`, `sequence`, `common`), for a
    /// front end that says it in the user's language.
    pub fn code(&self) -> &'static str {
        match self {
            Self::TooShort { .. } => "too_short",
            Self::Repeated => "repeated",
            Self::Sequence => "sequence",
            Self::Common => "common",
        }
    }
}

/// Checks a new passphrase against the rule: at least [`MIN_CHARS`] characters, not one
/// short pattern repeated (`aaaaaaaaaa`, `1212121212`), not a run of consecutive characters
/// (`1234567890`, `abcdefghij`, `9876543210`), not one of the commonest passphrases.
pub fn check(passphrase: &str) -> Result<(), PassphraseError> {
    let chars: Vec<char> = passphrase.chars().collect();
    if chars.len() < MIN_CHARS {
        return Err(PassphraseError::TooShort {
            chars: chars.len(),
            min: MIN_CHARS,
        });
    }
    let lower: Vec<char> = passphrase.to_lowercase().chars().collect();
    if is_repeated(&lower) {
        return Err(PassphraseError::Repeated);
    }
    if is_run(&lower) {
        return Err(PassphraseError::Sequence);
    }
    if common().contains(passphrase.trim().to_lowercase().as_str()) {
        return Err(PassphraseError::Common);
    }
    Ok(())
}

/// One unit of at most three characters, over and over (a partial last unit allowed).
fn is_repeated(chars: &[char]) -> bool {
    (1..=3).any(|period| {
        chars.len() > period && chars.iter().skip(period).zip(chars).all(|(a, b)| a == b)
    })
}

/// Each character one more (or one less) than the one before: `0123456789`, `zyxw…`; digits
/// go round as on a keyboard's top row (`1234567890`, `7890123456`).
fn is_run(chars: &[char]) -> bool {
    let digits = chars.iter().all(char::is_ascii_digit);
    let steps: Vec<i64> = chars
        .windows(2)
        .map(|w| {
            let step = i64::from(u32::from(w[1])) - i64::from(u32::from(w[0]));
            match (digits, step) {
                (true, -9) => 1,
                (true, 9) => -1,
                _ => step,
            }
        })
        .collect();
    steps.iter().all(|&s| s == 1) || steps.iter().all(|&s| s == -1)
}

fn common() -> &'static HashSet<&'static str> {
    static SET: OnceLock<HashSet<&'static str>> = OnceLock::new();
    SET.get_or_init(|| {
        COMMON
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_passphrases_the_test_suites_use_stay_valid() {
        for p in [
            "e2e passphrase",
            "failpoint passphrase",
            "smoke test passphrase",
            "progress passphrase",
            "correct horse battery staple",
            "njia demo passphrase",
            "benchmark passphrase",
            "a long passphrase",
            "maji ya kunywa karibu",
        ] {
            assert_eq!(check(p), Ok(()), "{p}");
        }
    }

    #[test]
    fn length_counts_characters_not_bytes() {
        // Nine characters of two bytes each: 18 bytes, still too short.
        assert_eq!(
            check("éàüöçñßøå"),
            Err(PassphraseError::TooShort { chars: 9, min: 10 })
        );
        assert_eq!(check("éàüöçñßøåî"), Ok(()));
        assert!(matches!(check(""), Err(PassphraseError::TooShort { .. })));
        assert!(matches!(
            check("12345678"),
            Err(PassphraseError::TooShort { .. })
        ));
    }

    #[test]
    fn one_character_or_a_short_pattern_repeated_is_refused() {
        for p in [
            "aaaaaaaaaa",
            "0000000000000",
            "1212121212",
            "abcabcabcab",
            "ÉÉÉÉÉÉÉÉÉÉ",
        ] {
            assert_eq!(check(p), Err(PassphraseError::Repeated), "{p}");
        }
        assert_eq!(
            check("abcdabcdab"),
            Ok(()),
            "a four-character unit is not caught here"
        );
    }

    #[test]
    fn a_simple_run_is_refused() {
        for p in [
            "1234567890",
            "7890123456",
            "abcdefghij",
            "ABCDEFGHIJKL",
            "9876543210",
            "zyxwvutsrq",
        ] {
            assert_eq!(check(p), Err(PassphraseError::Sequence), "{p}");
        }
    }

    #[test]
    fn the_commonest_are_refused_whatever_their_case() {
        for p in [
            "qwertyuiop",
            "Password123",
            "IloveYou123",
            "  1q2w3e4r5t  ",
            "motdepasse123",
        ] {
            assert_eq!(check(p), Err(PassphraseError::Common), "{p}");
        }
        assert!(common().len() >= 300, "{} entries", common().len());
        assert!(common().iter().all(|w| *w == w.to_lowercase()));
    }

    #[test]
    fn every_reason_says_what_to_do() {
        for e in [
            PassphraseError::TooShort { chars: 3, min: 10 },
            PassphraseError::Repeated,
            PassphraseError::Sequence,
            PassphraseError::Common,
        ] {
            assert!(e.to_string().contains("choose"), "{e}");
        }
    }
}
