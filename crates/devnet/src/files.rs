//! The devnet's own files: `--config` and `--state` are read only if they are regular files
//! and within a size cap (a FIFO would block the start forever, `/dev/zero` would fill the
//! memory), and where `--state` / `--dump-state` will be written is checked at start, so a
//! typo costs one error line rather than the session's state at Ctrl-C.

use crate::limits::{MAX_CONFIG_BYTES, MAX_STATE_BYTES};
use std::io::Read;
use std::path::Path;

/// Why a file cannot be read, or a state cannot be written where asked.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    /// Not a regular file (a directory, FIFO, device or socket).
    #[error("is a {0}, not a regular file")]
    NotRegular(&'static str),
    /// Larger than the cap for its kind of file.
    #[error("is {size} bytes, more than the limit of {max} bytes")]
    TooLarge {
        /// Its size (or the bytes read before giving up, if it grew).
        size: u64,
        /// The cap.
        max: u64,
    },
    /// Opening or reading failed (missing, no permission).
    #[error("cannot read: {0}")]
    Read(std::io::Error),
    /// A configuration file that is not UTF-8 text.
    #[error("is not UTF-8 text")]
    NotText,
    /// The folder a state is to be written in does not exist or is not a folder.
    #[error("folder {folder} {problem}")]
    Folder {
        /// The folder, as derived from the path given.
        folder: String,
        /// "does not exist" or "is not a directory".
        problem: &'static str,
    },
    /// The folder exists but a file cannot be created in it.
    #[error("cannot write in folder {folder}: {source}")]
    NotWritable {
        /// The folder.
        folder: String,
        /// Why.
        source: std::io::Error,
    },
}

/// What kind of non-regular file `t` is, for the error.
fn kind(t: std::fs::FileType) -> &'static str {
    if t.is_dir() {
        return "directory";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "FIFO";
        }
        if t.is_char_device() {
            return "character device";
        }
        if t.is_block_device() {
            return "block device";
        }
        if t.is_socket() {
            return "socket";
        }
    }
    "special file"
}

/// The bytes of `path` if it is a regular file (symbolic links followed) of at most `max`
/// bytes. The type and size are checked before opening (opening a FIFO would wait for a
/// writer) and again on the open file, and at most `max + 1` bytes are ever read.
pub fn read_regular(path: &Path, max: u64) -> Result<Vec<u8>, FileError> {
    let meta = std::fs::metadata(path).map_err(FileError::Read)?;
    if !meta.is_file() {
        return Err(FileError::NotRegular(kind(meta.file_type())));
    }
    if meta.len() > max {
        return Err(FileError::TooLarge {
            size: meta.len(),
            max,
        });
    }
    let file = std::fs::File::open(path).map_err(FileError::Read)?;
    let meta = file.metadata().map_err(FileError::Read)?;
    if !meta.is_file() {
        return Err(FileError::NotRegular(kind(meta.file_type())));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len().min(max)).unwrap_or(0));
    file.take(max.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(FileError::Read)?;
    let size = bytes.len() as u64;
    if size > max {
        return Err(FileError::TooLarge { size, max });
    }
    Ok(bytes)
}

/// A `devnet.toml`: a regular UTF-8 file of at most [`MAX_CONFIG_BYTES`].
pub fn read_config(path: &Path) -> Result<String, FileError> {
    String::from_utf8(read_regular(path, MAX_CONFIG_BYTES)?).map_err(|_| FileError::NotText)
}

/// A state file's bytes: a regular file of at most [`MAX_STATE_BYTES`].
pub fn read_state(path: &Path) -> Result<Vec<u8>, FileError> {
    read_regular(path, MAX_STATE_BYTES)
}

/// Checks at start that a state can be written to `path` at exit: its folder exists, is a
/// directory and takes a new file (a probe file is created and removed), and `path` itself,
/// if it exists, is a regular file (it will be replaced).
pub fn check_writable(path: &Path) -> Result<(), FileError> {
    match std::fs::metadata(path) {
        Ok(m) if !m.is_file() => return Err(FileError::NotRegular(kind(m.file_type()))),
        _ => {}
    }
    let folder = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or_else(|| Path::new("."));
    let shown = || folder.display().to_string();
    match std::fs::metadata(folder) {
        Err(_) => {
            return Err(FileError::Folder {
                folder: shown(),
                problem: "does not exist",
            })
        }
        Ok(m) if !m.is_dir() => {
            return Err(FileError::Folder {
                folder: shown(),
                problem: "is not a directory",
            })
        }
        Ok(_) => {}
    }
    let probe = folder.join(format!(".flywheel-devnet-probe-{}", std::process::id()));
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&probe)
        .map_err(|source| FileError::NotWritable {
            folder: shown(),
            source,
        })?;
    let _ = std::fs::remove_file(&probe);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_dir(tag: &str) -> std::path::PathBuf {
        let d = std::env::temp_dir().join(format!("flywheel-files-{tag}-{}", std::process::id()));
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    fn only_small_regular_files_are_read() {
        let dir = temp_dir("read");
        let ok = dir.join("ok.toml");
        std::fs::write(&ok, "port = 1\n").unwrap();
        assert_eq!(read_config(&ok).unwrap(), "port = 1\n");
        let e = read_regular(&dir, 10).unwrap_err();
        assert!(matches!(e, FileError::NotRegular("directory")), "{e}");
        let e = read_regular(&ok, 3).unwrap_err();
        assert!(matches!(e, FileError::TooLarge { size: 9, max: 3 }), "{e}");
        let e = read_regular(&dir.join("missing"), 10).unwrap_err();
        assert!(e.to_string().starts_with("cannot read"), "{e}");
        std::fs::write(&ok, [0xff, 0xfe]).unwrap();
        assert!(matches!(read_config(&ok), Err(FileError::NotText)));
        #[cfg(unix)]
        {
            let e = read_regular(Path::new("/dev/zero"), 10).unwrap_err();
            assert!(
                matches!(e, FileError::NotRegular("character device")),
                "{e}"
            );
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn where_a_state_goes_is_checked() {
        let dir = temp_dir("write");
        assert!(check_writable(&dir.join("s.json")).is_ok());
        // The probe is gone again.
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 0);
        let e = check_writable(&dir).unwrap_err();
        assert!(matches!(e, FileError::NotRegular("directory")), "{e}");
        let e = check_writable(&dir.join("none").join("s.json")).unwrap_err();
        assert!(e.to_string().contains("does not exist"), "{e}");
        let file = dir.join("f");
        std::fs::write(&file, "").unwrap();
        let e = check_writable(&file.join("s.json")).unwrap_err();
        assert!(e.to_string().contains("is not a directory"), "{e}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
