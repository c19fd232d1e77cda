//! Reading a file with a bound, so that a wrong path (`/dev/zero`, a disk image, an endless
//! pipe) fails in words instead of filling the memory of a phone or of the office server
//! until the kernel kills the process.

use std::fs::File;
use std::io::Read;
use std::path::Path;

use crate::error::ImportError;

/// The largest file Njia reads, per file (a GeoJSON file, a healthsites.io CSV, each CSV of
/// an HSDS package): 512 MiB. Every reader holds its file in memory, and an import peaks at
/// about four times the file's size, so this bounds an import near 2 GiB. Real directories
/// are far smaller: the 100,000-service demo directory is 80 MiB of GeoJSON (an import of it
/// peaks at 330 MiB), the healthsites.io export of East and Southern Africa 3.6 MB.
pub const MAX_FILE_BYTES: u64 = 512 * 1024 * 1024;

/// The whole of `path`, refused when it is past [`MAX_FILE_BYTES`] (by its length, or by
/// what a read of it gives for files that do not know their length, like pipes and `/proc`)
/// or when it is a device or a socket, which has no end to read to.
pub(crate) fn read_file(path: &Path) -> Result<Vec<u8>, ImportError> {
    read_file_within(path, MAX_FILE_BYTES)
}

fn read_file_within(path: &Path, limit: u64) -> Result<Vec<u8>, ImportError> {
    let file = File::open(path).map_err(|e| ImportError::read(path, e))?;
    let meta = file.metadata().map_err(|e| ImportError::read(path, e))?;
    if let Some(kind) = unreadable_kind(&meta.file_type()) {
        return Err(ImportError::NotAFile {
            path: path.into(),
            kind,
            limit,
        });
    }
    if meta.len() > limit {
        return Err(ImportError::TooLarge {
            path: path.into(),
            size: Some(meta.len()),
            limit,
        });
    }
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    // One byte past the limit is enough to know the file is too large, and a file that grows
    // while it is read, or does not know its length, is cut there.
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| ImportError::read(path, e))?;
    if bytes.len() as u64 > limit {
        return Err(ImportError::TooLarge {
            path: path.into(),
            size: None,
            limit,
        });
    }
    Ok(bytes)
}

/// What a file is when it is not something with an end: `None` for regular files and pipes
/// (a pipe ends when its writer does, and the read is bounded anyway).
fn unreadable_kind(kind: &std::fs::FileType) -> Option<&'static str> {
    if kind.is_file() {
        return None;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_fifo() {
            return None;
        }
        if kind.is_char_device() {
            return Some("a character device");
        }
        if kind.is_block_device() {
            return Some("a block device");
        }
        if kind.is_socket() {
            return Some("a socket");
        }
    }
    if kind.is_dir() {
        return Some("a folder");
    }
    Some("not a regular file")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pipe_past_the_limit_is_cut_and_refused() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("endless");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(made.success());
        let writer_path = fifo.clone();
        let writer = std::thread::spawn(move || {
            use std::io::Write;
            let mut w = std::fs::OpenOptions::new()
                .write(true)
                .open(writer_path)
                .unwrap();
            // Far more than the limit; the reader stops early and the writer sees a broken
            // pipe.
            let chunk = [b' '; 4096];
            for _ in 0..1024 {
                if w.write_all(&chunk).is_err() {
                    return;
                }
            }
        });
        let err = read_file_within(&fifo, 64 * 1024).unwrap_err();
        drop(writer);
        assert!(
            matches!(err, ImportError::TooLarge { size: None, .. }),
            "{err}"
        );
        assert!(err.to_string().contains("64 KiB"), "{err}");
    }

    #[test]
    fn a_file_at_the_limit_reads_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("exact");
        std::fs::write(&path, vec![b'x'; 1024]).unwrap();
        assert_eq!(read_file_within(&path, 1024).unwrap().len(), 1024);
        let err = read_file_within(&path, 1023).unwrap_err();
        assert!(
            matches!(
                err,
                ImportError::TooLarge {
                    size: Some(1024),
                    ..
                }
            ),
            "{err}"
        );
    }
}
