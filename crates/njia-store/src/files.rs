//! File modes: what Njia creates on a device is readable by its user alone (unix only).
//!
//! The store is encrypted, but a world-readable file lets any other account or app on the
//! machine copy it and guess its passphrase offline, and its name and size say what it is.
//! So the store is created 0600 (SQLite gives its `-wal` and `-shm` files the store's own
//! mode), the side file of failed unlocks 0600, and the folders Njia creates 0700. A store
//! made before this rule is narrowed to 0600 when it opens; folders that already exist are
//! left alone (`--db /tmp/x.db` must not change `/tmp`).

use std::path::Path;

use crate::{Result, StoreError};

/// The suffixes of the files SQLite keeps beside a store.
const SQLITE_SIDE_FILES: [&str; 2] = ["-wal", "-shm"];

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> StoreError + '_ {
    move |source| StoreError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Creates `dir` and any missing parents, each new one 0700 on unix.
pub fn create_private_dir(dir: &Path) -> Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir).map_err(io(dir))
}

/// Creates `path` empty with mode 0600 (or opens it if it exists, empty), before SQLite
/// opens it: SQLite would create it with the umask's mode, usually 0644.
pub(crate) fn create_private_file(path: &Path) -> Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(false);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path).map_err(io(path))?;
    tighten(path);
    Ok(())
}

/// Narrows an existing store and SQLite's files beside it to 0600. A failure (a file owned
/// by another user) is logged, not fatal: the store still opens as it did.
pub(crate) fn tighten(path: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mut paths = vec![path.to_path_buf()];
        for suffix in SQLITE_SIDE_FILES {
            let mut p = path.as_os_str().to_owned();
            p.push(suffix);
            paths.push(p.into());
        }
        for p in paths {
            let Ok(meta) = std::fs::metadata(&p) else {
                continue;
            };
            if meta.permissions().mode() & 0o077 != 0 {
                if let Err(e) = std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600))
                {
                    tracing::warn!("cannot make {} private: {e}", p.display());
                }
            }
        }
    }
    #[cfg(not(unix))]
    let _ = (path, SQLITE_SIDE_FILES);
}

/// Writes `contents` to `path` through a temporary file renamed over it (a cut leaves the old
/// contents or the new, never half), the file 0600.
pub(crate) fn write_private(path: &Path, contents: &[u8]) -> Result<()> {
    use std::io::Write;
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = std::path::PathBuf::from(tmp);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(&tmp).map_err(io(&tmp))?;
    file.write_all(contents).map_err(io(&tmp))?;
    file.sync_all().map_err(io(&tmp))?;
    drop(file);
    std::fs::rename(&tmp, path).map_err(io(path))
}
