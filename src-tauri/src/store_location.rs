//! Where the app keeps its store, and carrying a store over from the app's first identifier.
//!
//! The platform's data folder is named for the app's identifier. Up to 0.1 that was
//! `org.njia.app`, which Tauri warns against (on macOS `.app` is a bundle's extension); the
//! identifier is now `org.njia.field`. A CHW who updates must find their sessions and
//! referrals where they left them, so on start a store still in the old folder is moved into
//! the new one before it is opened.

use std::io;
use std::path::{Path, PathBuf};

/// The store's file name in the app's data folder.
pub const DB_FILE: &str = "njia.db";

/// The data folder's name under the first identifier.
pub const LEGACY_IDENTIFIER: &str = "org.njia.app";

/// SQLite's companions of a store in WAL mode: the log holds commits not yet copied into the
/// file, so it must travel with it.
const COMPANIONS: [&str; 2] = ["-wal", "-shm"];

/// Moves `legacy/njia.db` (with its WAL and shared-memory files) into `current` when
/// `current` holds no store yet. Returns whether a store was moved.
///
/// Safe to repeat after a crash part-way: the companions go first and the store file last,
/// and nothing moves once `current` has a store, so a store is never separated from its
/// log and never overwritten.
pub fn adopt_legacy_store(legacy: &Path, current: &Path) -> io::Result<bool> {
    let from = legacy.join(DB_FILE);
    let to = current.join(DB_FILE);
    if to.exists() || !from.exists() {
        return Ok(false);
    }
    std::fs::create_dir_all(current)?;
    for suffix in COMPANIONS {
        let name = format!("{DB_FILE}{suffix}");
        let companion = legacy.join(&name);
        if companion.exists() {
            std::fs::rename(&companion, current.join(&name))?;
        }
    }
    std::fs::rename(&from, &to)?;
    Ok(true)
}

/// The legacy data folder beside `current` (same parent, the first identifier's name).
pub fn legacy_dir(current: &Path) -> Option<PathBuf> {
    Some(current.parent()?.join(LEGACY_IDENTIFIER))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(path: &Path, text: &str) {
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("mkdir");
        std::fs::write(path, text).expect("write");
    }

    fn read(path: &Path) -> String {
        std::fs::read_to_string(path).expect("read")
    }

    /// A temporary data root holding the legacy folder's path and the current one's, side by
    /// side; the root must outlive the test.
    fn folders() -> (tempfile::TempDir, PathBuf, PathBuf) {
        let root = tempfile::tempdir().expect("tempdir");
        let (legacy, current) = (root.path().join("org.njia.app"), root.path().join("new"));
        (root, legacy, current)
    }

    #[test]
    fn moves_the_store_with_its_log() {
        let (_root, legacy, current) = folders();
        write(&legacy.join("njia.db"), "store");
        write(&legacy.join("njia.db-wal"), "log");
        assert!(adopt_legacy_store(&legacy, &current).expect("adopt"));
        assert_eq!(read(&current.join("njia.db")), "store");
        assert_eq!(read(&current.join("njia.db-wal")), "log");
        assert!(!legacy.join("njia.db").exists());
        assert!(!legacy.join("njia.db-wal").exists());
        // A second start finds the store where it now is and moves nothing.
        assert!(!adopt_legacy_store(&legacy, &current).expect("again"));
    }

    #[test]
    fn never_overwrites_a_store_already_in_place() {
        let (_root, legacy, current) = folders();
        write(&legacy.join("njia.db"), "old");
        write(&current.join("njia.db"), "new");
        assert!(!adopt_legacy_store(&legacy, &current).expect("adopt"));
        assert_eq!(read(&current.join("njia.db")), "new");
        assert_eq!(read(&legacy.join("njia.db")), "old");
    }

    #[test]
    fn finishes_a_move_cut_off_after_the_log() {
        let (_root, legacy, current) = folders();
        // The log already moved, the store not yet.
        write(&legacy.join("njia.db"), "store");
        write(&current.join("njia.db-wal"), "log");
        assert!(adopt_legacy_store(&legacy, &current).expect("adopt"));
        assert_eq!(read(&current.join("njia.db")), "store");
        assert_eq!(read(&current.join("njia.db-wal")), "log");
    }

    #[test]
    fn nothing_to_move_on_a_first_run() {
        let (_root, legacy, current) = folders();
        assert!(!adopt_legacy_store(&legacy, &current).expect("adopt"));
        assert!(!current.join("njia.db").exists());
    }

    #[test]
    fn the_legacy_folder_is_a_sibling() {
        let current = Path::new("/home/chw/.local/share/org.njia.field");
        assert_eq!(
            legacy_dir(current),
            Some(PathBuf::from("/home/chw/.local/share/org.njia.app"))
        );
    }
}
