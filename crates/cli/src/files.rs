//! Output files, written atomically: each goes to a hidden temporary file in the same folder
//! and is renamed into place once complete, so a reader (or a crash) never sees half a file.

use crate::error::CliError;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// Creates the output folder (and its parents) if missing.
pub fn out_dir(dir: &Path) -> Result<(), CliError> {
    std::fs::create_dir_all(dir).map_err(|e| {
        CliError::field(
            "--out",
            format!("cannot create folder {}: {e}", dir.display()),
        )
    })?;
    if !dir.is_dir() {
        return Err(CliError::field(
            "--out",
            format!("{} is not a folder", dir.display()),
        ));
    }
    Ok(())
}

/// A file being written: buffered into a temporary sibling, renamed on [`AtomicFile::commit`],
/// removed if dropped uncommitted.
pub struct AtomicFile {
    target: PathBuf,
    temp: PathBuf,
    writer: Option<BufWriter<File>>,
}

impl AtomicFile {
    /// Starts writing `dir/name`.
    pub fn create(dir: &Path, name: &str) -> Result<Self, CliError> {
        let target = dir.join(name);
        let temp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
        let file = File::create(&temp).map_err(|e| write_err(&temp, e))?;
        Ok(Self {
            target,
            temp,
            writer: Some(BufWriter::with_capacity(1 << 20, file)),
        })
    }

    /// The writer (for streaming rows).
    pub fn writer(&mut self) -> &mut BufWriter<File> {
        // invariant: only `commit` (which consumes self) takes the writer.
        self.writer
            .as_mut()
            .expect("an AtomicFile's writer lives until commit") // invariant: see above
    }

    /// An error about this file.
    pub fn error(&self, e: std::io::Error) -> CliError {
        write_err(&self.target, e)
    }

    /// Flushes, syncs and renames the file into place.
    pub fn commit(mut self) -> Result<(), CliError> {
        let writer = self.writer.take().expect("an AtomicFile is committed once"); // invariant: commit consumes self
        let file = writer
            .into_inner()
            .map_err(|e| write_err(&self.target, e.into_error()))?;
        file.sync_all().map_err(|e| write_err(&self.target, e))?;
        drop(file);
        std::fs::rename(&self.temp, &self.target).map_err(|e| write_err(&self.target, e))
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if self.writer.take().is_some() {
            let _ = std::fs::remove_file(&self.temp);
        }
    }
}

fn write_err(path: &Path, source: std::io::Error) -> CliError {
    CliError::WriteFile {
        path: path.display().to_string(),
        source,
    }
}

/// Writes `dir/name` atomically with `bytes`.
pub fn write(dir: &Path, name: &str, bytes: &[u8]) -> Result<(), CliError> {
    let mut f = AtomicFile::create(dir, name)?;
    f.writer().write_all(bytes).map_err(|e| f.error(e))?;
    f.commit()
}
