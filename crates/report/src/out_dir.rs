//! Output folders, all or nothing. `--out DIR` writes its whole set of files into a fresh
//! hidden folder first and moves them into place only once every one is complete:
//!
//! - DIR does not exist: the set is written in a hidden sibling folder, which is renamed to DIR
//!   at the end (one atomic rename). Missing parents are created, and removed again on failure.
//! - DIR is an existing folder (a run writing over its previous results): the set is written
//!   in a hidden folder inside DIR (so on DIR's own filesystem, even when DIR is a mount
//!   point), then each file is renamed over its namesake; if a rename fails, the files already
//!   moved are put back as they were.
//!
//! Before anything is computed, [`OutDir::begin`] checks that DIR is a folder (or can become
//! one), that none of the set's names is taken by something other than a file, and that the
//! folder can be written, so most problems cost no simulation time. On any failure, or if the
//! command stops early, nothing new is left behind: no half set, no hidden files. Errors name
//! `--out` and the file or folder at fault (exit 2: the destination is the user's choice).

use crate::error::ReportError;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

/// A set of output files being written; see the module docs.
pub struct OutDir {
    /// DIR as given.
    target: PathBuf,
    /// The hidden folder the files are written into.
    staging: PathBuf,
    /// Whether DIR existed (files are moved into it) or not (the folder is renamed to it).
    existed: bool,
    /// Parents of DIR this run created, outermost first.
    created: Vec<PathBuf>,
    /// Names written so far.
    written: Vec<String>,
    /// Set once the files are in place: nothing to clean up.
    done: bool,
}

/// An `--out` error: exit 2, one line, naming the flag.
fn out_err(message: String) -> ReportError {
    ReportError::field("--out", message)
}

/// A name for a hidden staging folder no other run (or earlier call) uses.
fn staging_name(base: &str) -> String {
    static N: AtomicU32 = AtomicU32::new(0);
    format!(
        ".{base}.flywheel-tmp-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}

impl OutDir {
    /// Prepares to write the files `names` into `target`; see the module docs.
    pub fn begin(target: &Path, names: &[&str]) -> Result<Self, ReportError> {
        let shown = target.display();
        let mut out = Self {
            target: target.to_path_buf(),
            staging: PathBuf::new(),
            existed: false,
            created: Vec::new(),
            written: Vec::new(),
            done: false,
        };
        match std::fs::metadata(target) {
            Ok(m) if m.is_dir() => {
                out.existed = true;
                for name in names {
                    let path = target.join(name);
                    if let Ok(m) = std::fs::symlink_metadata(&path) {
                        if !m.is_file() {
                            return Err(out_err(format!(
                                "{} exists and is not a file, so {name} cannot be written there",
                                path.display()
                            )));
                        }
                    }
                }
                out.staging = target.join(staging_name("out"));
            }
            Ok(_) => return Err(out_err(format!("{shown} exists and is not a folder"))),
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::NotFound | std::io::ErrorKind::NotADirectory
                ) =>
            {
                let name = target
                    .file_name()
                    .and_then(|n| n.to_str())
                    .ok_or_else(|| out_err(format!("{shown} does not name a folder")))?;
                let parent = match target.parent() {
                    Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
                    _ => PathBuf::from("."),
                };
                out.create_parents(&parent)?;
                out.staging = parent.join(staging_name(name));
            }
            Err(e) => return Err(out_err(format!("cannot use {shown}: {e}"))),
        }
        std::fs::create_dir(&out.staging).map_err(|e| {
            let folder = out.staging.parent().unwrap_or(&out.staging).display();
            out_err(format!("cannot write in {folder}: {e}"))
        })?;
        Ok(out)
    }

    /// Creates the missing ancestors of `dir` (and `dir`), remembering them for cleanup.
    fn create_parents(&mut self, dir: &Path) -> Result<(), ReportError> {
        let mut missing = Vec::new();
        let mut p = dir;
        loop {
            match std::fs::metadata(p) {
                Ok(m) if m.is_dir() => break,
                Ok(_) => {
                    return Err(out_err(format!("{} is not a folder", p.display())));
                }
                Err(_) => {
                    missing.push(p.to_path_buf());
                    match p.parent() {
                        Some(parent) if !parent.as_os_str().is_empty() => p = parent,
                        _ => break,
                    }
                }
            }
        }
        for dir in missing.into_iter().rev() {
            std::fs::create_dir(&dir)
                .map_err(|e| out_err(format!("cannot create folder {}: {e}", dir.display())))?;
            self.created.push(dir);
        }
        Ok(())
    }

    /// An error about writing `name`.
    pub fn error(&self, name: &str, e: std::io::Error) -> ReportError {
        out_err(format!(
            "cannot write {name} in {}: {e}",
            self.target.display()
        ))
    }

    /// Starts writing `name` (streamed; finish it with [`OutFile::finish`]).
    pub fn create(&mut self, name: &str) -> Result<OutFile, ReportError> {
        let file = File::create(self.staging.join(name)).map_err(|e| self.error(name, e))?;
        self.written.push(name.to_string());
        Ok(OutFile {
            name: name.to_string(),
            writer: BufWriter::with_capacity(1 << 20, file),
        })
    }

    /// Writes `name` with `bytes`.
    pub fn write(&mut self, name: &str, bytes: &[u8]) -> Result<(), ReportError> {
        let mut f = self.create(name)?;
        f.writer()
            .write_all(bytes)
            .map_err(|e| self.error(name, e))?;
        f.finish(self)
    }

    /// Moves the finished set into place; see the module docs.
    pub fn commit(mut self) -> Result<(), ReportError> {
        if !self.existed {
            std::fs::rename(&self.staging, &self.target)
                .map_err(|e| out_err(format!("cannot create {}: {e}", self.target.display())))?;
            self.done = true;
            return Ok(());
        }
        let backup = self.staging.join(".previous");
        std::fs::create_dir(&backup).map_err(|e| self.error("the previous files", e))?;
        // (name, whether a previous file was set aside)
        let mut moved: Vec<(String, bool)> = Vec::new();
        let mut failure = None;
        for name in &self.written {
            let dest = self.target.join(name);
            let had = dest.exists();
            if had {
                if let Err(e) = std::fs::rename(&dest, backup.join(name)) {
                    failure = Some((name.clone(), e));
                    break;
                }
            }
            if let Err(e) = std::fs::rename(self.staging.join(name), &dest) {
                if had {
                    let _ = std::fs::rename(backup.join(name), &dest);
                }
                failure = Some((name.clone(), e));
                break;
            }
            moved.push((name.clone(), had));
        }
        if let Some((name, e)) = failure {
            for (name, had) in moved.iter().rev() {
                let dest = self.target.join(name);
                if *had {
                    let _ = std::fs::rename(backup.join(name), &dest);
                } else {
                    let _ = std::fs::remove_file(&dest);
                }
            }
            return Err(self.error(&name, e));
        }
        // Everything is in place; the previous versions go.
        self.done = true;
        let _ = std::fs::remove_dir_all(&self.staging);
        Ok(())
    }
}

impl Drop for OutDir {
    /// An unfinished set leaves nothing: the staging folder goes, and so do the parents this
    /// run created (only if empty: someone else may have used them meanwhile).
    fn drop(&mut self) {
        if self.done {
            return;
        }
        if !self.staging.as_os_str().is_empty() {
            let _ = std::fs::remove_dir_all(&self.staging);
        }
        for dir in self.created.iter().rev() {
            let _ = std::fs::remove_dir(dir);
        }
    }
}

/// One file of an [`OutDir`] being streamed.
pub struct OutFile {
    name: String,
    writer: BufWriter<File>,
}

impl OutFile {
    /// The writer (for streaming rows).
    pub fn writer(&mut self) -> &mut BufWriter<File> {
        &mut self.writer
    }

    /// Flushes and syncs the file, so a full disk shows here and not after the rename.
    pub fn finish(self, dir: &OutDir) -> Result<(), ReportError> {
        let name = self.name;
        let file = self
            .writer
            .into_inner()
            .map_err(|e| dir.error(&name, e.into_error()))?;
        file.sync_all().map_err(|e| dir.error(&name, e))
    }
}

/// Writes one file all or nothing: into a hidden sibling first, synced, then renamed over
/// `path`, so a reader never sees half a file and a failure leaves any previous file as it
/// was. Errors name `flag` (exit 2: the destination is the user's choice).
pub fn write_file(path: &Path, bytes: &[u8], flag: &str) -> Result<(), ReportError> {
    let err = |what: String| ReportError::field(flag, what);
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .ok_or_else(|| err(format!("{} names no file", path.display())))?;
    if path.is_dir() {
        return Err(err(format!("{} is a folder", path.display())));
    }
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let temp = parent.join(staging_name(&name));
    let written = (|| -> std::io::Result<()> {
        let mut f = File::create(&temp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&temp, path)
    })();
    written.map_err(|e| {
        let _ = std::fs::remove_file(&temp);
        err(format!("cannot write {}: {e}", path.display()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(tag: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("flywheel-files-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    fn listing(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn a_new_folder_appears_whole_or_not_at_all() {
        let root = scratch("new");
        let target = root.join("a/b/out");
        {
            let mut out = OutDir::begin(&target, &["x", "y"]).unwrap();
            out.write("x", b"1").unwrap();
            // Dropped before commit: as if the command failed here.
        }
        assert_eq!(listing(&root), Vec::<String>::new(), "parents removed too");
        let mut out = OutDir::begin(&target, &["x", "y"]).unwrap();
        out.write("x", b"1").unwrap();
        out.write("y", b"2").unwrap();
        assert!(!target.exists(), "nothing visible before commit");
        out.commit().unwrap();
        assert_eq!(listing(&target), vec!["x", "y"]);
        let _ = std::fs::remove_dir_all(&root);
    }

    #[test]
    fn an_existing_folder_keeps_its_files_until_the_set_is_complete() {
        let root = scratch("existing");
        std::fs::write(root.join("x"), b"old").unwrap();
        std::fs::write(root.join("mine"), b"keep").unwrap();
        {
            let mut out = OutDir::begin(&root, &["x", "y"]).unwrap();
            out.write("x", b"new").unwrap();
        }
        assert_eq!(listing(&root), vec!["mine", "x"]);
        assert_eq!(std::fs::read(root.join("x")).unwrap(), b"old");
        let mut out = OutDir::begin(&root, &["x", "y"]).unwrap();
        out.write("x", b"new").unwrap();
        out.write("y", b"2").unwrap();
        out.commit().unwrap();
        assert_eq!(listing(&root), vec!["mine", "x", "y"]);
        assert_eq!(std::fs::read(root.join("x")).unwrap(), b"new");
        let _ = std::fs::remove_dir_all(&root);
    }

    #[test]
    fn clashes_are_found_before_anything_is_written() {
        let root = scratch("clash");
        std::fs::create_dir(root.join("y")).unwrap();
        let e = OutDir::begin(&root, &["x", "y"]).err().unwrap().to_string();
        assert!(
            e.starts_with("--out: ") && e.contains("is not a file"),
            "{e}"
        );
        assert_eq!(listing(&root), vec!["y"]);
        std::fs::write(root.join("f"), b"").unwrap();
        let e = OutDir::begin(&root.join("f"), &["x"])
            .err()
            .unwrap()
            .to_string();
        assert!(e.contains("is not a folder"), "{e}");
        let e = OutDir::begin(&root.join("f/sub"), &["x"])
            .err()
            .unwrap()
            .to_string();
        assert!(e.contains("is not a folder"), "{e}");
        assert_eq!(listing(&root), vec!["f", "y"]);
        let _ = std::fs::remove_dir_all(&root);
    }
}
