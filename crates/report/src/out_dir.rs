//! Output folders, all or nothing. `--out DIR` writes its whole set of files into a fresh
//! hidden folder beside DIR (`.DIR.flywheel-tmp-PID-N`) and puts it in place only once every
//! file is complete, so DIR is always absent, wholly the previous results or wholly the new:
//!
//! - DIR does not exist: the staging folder is renamed to DIR (one atomic rename). Missing
//!   parents are created, and removed again on failure.
//! - DIR is an existing folder (a run writing over its previous results): whatever DIR holds
//!   besides the set's names (the user's own files) is carried over into the staging folder as
//!   hard links (copies across filesystems), then the folders are swapped: DIR is renamed aside
//!   to `.DIR.flywheel-old-PID-N`, the staging folder is renamed to DIR, and the old one is
//!   removed. Names of the set the new run does not write are not carried over: they belong to
//!   the previous results. DIR is resolved through symbolic links first (the link keeps
//!   pointing at the results).
//! - DIR is a mount point or holds the current folder (it cannot be renamed, or renaming it
//!   would pull the folder from under the shell): the one exception. The set is staged inside
//!   DIR (`DIR/.out.flywheel-tmp-PID-N`, on DIR's own filesystem) and each file is renamed
//!   over its namesake, the files already moved put back if a rename fails. A failure or a
//!   signal still leaves the previous results whole; only a `kill -9` during those renames
//!   can leave a mix.
//!
//! If the process dies between the two renames, DIR is missing and `.DIR.flywheel-old-PID-N`
//! holds the previous results whole. The next [`OutDir::begin`] or [`write_file`] for the same
//! path repairs it: the previous results are renamed back to DIR (the new set cannot be told
//! complete, so the old one wins), and every other hidden `.DIR.flywheel-tmp-…`/`-old-…` entry
//! of a dead process is removed. A process is alive while `/proc/PID` exists; where there is no
//! `/proc` nothing is ever removed (a live run's folder must never go).
//!
//! Staging folders are registered while they exist, so a front end that catches SIGINT or
//! SIGTERM can call [`abandon_all`] before exiting; the `flywheel` CLI does.
//!
//! Before anything is computed, [`OutDir::begin`] checks that DIR is a folder (or can become
//! one), that none of the set's names is taken by something other than a file, and that the
//! folder beside it can be written, so most problems cost no simulation time. On any failure,
//! or if the command stops early, nothing new is left behind: no half set, no hidden files.
//! Errors name `--out` and the file or folder at fault (exit 2: the destination is the user's
//! choice).
//!
//! Test hook: `FLYWHEEL_TEST_SLOW_RENAME_MS`, read only here, sleeps that many milliseconds
//! before each rename that puts results in place, so tests can kill a run mid-commit.

use crate::error::ReportError;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Mutex, MutexGuard};

/// A set of output files being written; see the module docs.
pub struct OutDir {
    /// DIR as given (for messages).
    target: PathBuf,
    /// DIR resolved: where the results go.
    dest: PathBuf,
    /// The hidden folder the files are written into.
    staging: PathBuf,
    /// Whether DIR existed (the folders are swapped) or not (the folder is renamed to it).
    existed: bool,
    /// DIR cannot be swapped: the files are moved into it one by one (see the module docs).
    in_place: bool,
    /// Names written so far.
    written: Vec<String>,
    /// The names of the set (not carried over from the previous results).
    names: Vec<String>,
    /// Parents of DIR this run created, outermost first.
    created: Vec<PathBuf>,
    /// Set once the files are in place: nothing to clean up.
    done: bool,
}

/// Staging folders and files that exist now, for [`abandon_all`].
static ACTIVE: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// The registry, even if a thread panicked holding it (a list of paths stays usable).
fn active() -> MutexGuard<'static, Vec<PathBuf>> {
    ACTIVE.lock().unwrap_or_else(|e| e.into_inner())
}

fn forget(path: &Path) {
    active().retain(|p| p != path);
}

/// Removes every staging folder and file of this process and blocks any new one or any commit
/// until the process exits: for a signal handler that is about to exit. A commit under way
/// finishes first (its swap holds the registry), so DIR is never left half swapped.
pub fn abandon_all() -> MutexGuard<'static, Vec<PathBuf>> {
    let mut guard = active();
    for path in guard.drain(..) {
        // Another thread may still be writing a file into a staging folder (writes do not hold
        // the registry), which makes one removal fail with "not empty": try again until it is
        // gone. Bounded, so a folder that cannot be removed is left to the next run's sweep.
        for _ in 0..64 {
            let gone = match std::fs::symlink_metadata(&path) {
                Err(_) => true,
                Ok(m) if m.is_dir() => std::fs::remove_dir_all(&path).is_ok(),
                Ok(_) => std::fs::remove_file(&path).is_ok(),
            };
            if gone && std::fs::symlink_metadata(&path).is_err() {
                break;
            }
        }
    }
    guard
}

/// An `--out` error: exit 2, one line, naming the flag.
fn out_err(message: String) -> ReportError {
    ReportError::field("--out", message)
}

/// A name for a hidden staging entry no other run (or earlier call) uses.
fn hidden_name(base: &str, kind: &str) -> String {
    static N: AtomicU32 = AtomicU32::new(0);
    format!(
        ".{base}.flywheel-{kind}-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}

/// Whether process `pid` may be alive: `/proc/PID` exists, or there is no `/proc` to ask.
fn maybe_alive(pid: u32) -> bool {
    pid == std::process::id()
        || !Path::new("/proc/self").exists()
        || Path::new("/proc").join(pid.to_string()).exists()
}

/// The kind (`tmp` or `old`) and process of a hidden entry of `base`, if `entry` is one.
fn parse_hidden<'a>(entry: &'a str, base: &str) -> Option<(&'a str, u32)> {
    let rest = entry.strip_prefix('.')?.strip_prefix(base)?;
    let rest = rest.strip_prefix(".flywheel-")?;
    let (kind, rest) = rest.split_once('-')?;
    let (pid, n) = rest.split_once('-')?;
    if !matches!(kind, "tmp" | "old") || n.is_empty() || !n.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some((kind, pid.parse().ok()?))
}

/// Repairs what dead runs left beside `parent/base`: restores previous results a run died
/// before putting back (only if `base` is missing), removes every other leftover; see the
/// module docs. Best effort: a leftover that cannot be removed stays for a later run.
fn sweep(parent: &Path, base: &str) {
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    let mut stale = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        if let Some((kind, pid)) = parse_hidden(name, base) {
            if !maybe_alive(pid) {
                stale.push((kind == "old", parent.join(name)));
            }
        }
    }
    let target = parent.join(base);
    for (old, path) in stale {
        if old
            && std::fs::symlink_metadata(&target).is_err()
            && std::fs::rename(&path, &target).is_ok()
        {
            continue;
        }
        if path.is_dir() {
            let _ = std::fs::remove_dir_all(&path);
        } else {
            let _ = std::fs::remove_file(&path);
        }
    }
}

/// Sleeps for the test hook `FLYWHEEL_TEST_SLOW_RENAME_MS` (see the module docs).
fn test_slow_rename() {
    if let Some(ms) = std::env::var("FLYWHEEL_TEST_SLOW_RENAME_MS")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
    {
        std::thread::sleep(std::time::Duration::from_millis(ms));
    }
}

/// Copies the tree `from` into the new folder `to` as hard links (copies where a link cannot
/// be made), leaving out the top-level names `skip` says to.
fn carry_over(from: &Path, to: &Path, skip: &dyn Fn(&str) -> bool) -> std::io::Result<()> {
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let name = entry.file_name();
        if name.to_str().is_some_and(skip) {
            continue;
        }
        let (src, dst) = (entry.path(), to.join(&name));
        let kind = std::fs::symlink_metadata(&src)?;
        if kind.is_symlink() {
            std::os::unix::fs::symlink(std::fs::read_link(&src)?, &dst)?;
        } else if kind.is_dir() {
            std::fs::create_dir(&dst)?;
            carry_over(&src, &dst, &|_| false)?;
            std::fs::set_permissions(&dst, kind.permissions())?;
        } else if kind.is_file() {
            if std::fs::hard_link(&src, &dst).is_err() {
                std::fs::copy(&src, &dst)?;
            }
        } else {
            return Err(std::io::Error::other(format!(
                "{} is neither a file, a folder nor a link, so it cannot be carried over",
                src.display()
            )));
        }
    }
    Ok(())
}

impl OutDir {
    /// Prepares to write the files `names` into `target`; see the module docs.
    pub fn begin(target: &Path, names: &[&str]) -> Result<Self, ReportError> {
        let shown = target.display();
        let mut out = Self {
            target: target.to_path_buf(),
            dest: target.to_path_buf(),
            staging: PathBuf::new(),
            existed: false,
            in_place: false,
            written: Vec::new(),
            names: names.iter().map(|n| n.to_string()).collect(),
            created: Vec::new(),
            done: false,
        };
        let (parent, name) = split(target)?;
        sweep(&parent, &name);
        match std::fs::metadata(target) {
            Ok(m) if m.is_dir() => {
                out.existed = true;
                out.dest = std::fs::canonicalize(target)
                    .map_err(|e| out_err(format!("cannot use {shown}: {e}")))?;
                let (parent, name) = split(&out.dest)?;
                sweep(&parent, &name);
                // Previous versions staged inside DIR; a dead one's folder is swept here.
                sweep(&out.dest, "out");
                out.in_place = !out.swappable(&parent, &m)?;
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
                out.staging = if out.in_place {
                    out.dest.join(hidden_name("out", "tmp"))
                } else {
                    parent.join(hidden_name(&name, "tmp"))
                };
            }
            Ok(_) => return Err(out_err(format!("{shown} exists and is not a folder"))),
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::NotFound | std::io::ErrorKind::NotADirectory
                ) =>
            {
                out.create_parents(&parent)?;
                out.staging = parent.join(hidden_name(&name, "tmp"));
            }
            Err(e) => return Err(out_err(format!("cannot use {shown}: {e}"))),
        }
        let mut registry = active();
        std::fs::create_dir(&out.staging).map_err(|e| {
            let folder = out.staging.parent().unwrap_or(&out.staging).display();
            out_err(format!("cannot write in {folder}: {e}"))
        })?;
        registry.push(out.staging.clone());
        Ok(out)
    }

    /// Whether an existing DIR can be swapped whole: not a mount point, and not holding the
    /// current folder.
    fn swappable(&self, parent: &Path, meta: &std::fs::Metadata) -> Result<bool, ReportError> {
        use std::os::unix::fs::MetadataExt;
        let parent_meta = std::fs::metadata(parent)
            .map_err(|e| out_err(format!("cannot use {}: {e}", self.target.display())))?;
        let holds_cwd = std::env::current_dir()
            .and_then(std::fs::canonicalize)
            .is_ok_and(|cwd| cwd.starts_with(&self.dest));
        Ok(parent_meta.dev() == meta.dev() && !holds_cwd)
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

    /// Puts the finished set in place; see the module docs.
    pub fn commit(mut self) -> Result<(), ReportError> {
        let shown = self.target.display().to_string();
        if self.in_place {
            return self.commit_in_place();
        }
        if self.existed {
            let names = self.names.clone();
            let skip =
                move |n: &str| names.iter().any(|s| s == n) || parse_hidden(n, "out").is_some();
            carry_over(&self.dest, &self.staging, &skip)
                .map_err(|e| out_err(format!("cannot carry over the files of {shown}: {e}")))?;
            if let Ok(m) = std::fs::metadata(&self.dest) {
                let _ = std::fs::set_permissions(&self.staging, m.permissions());
            }
        }
        // The swap holds the registry, so a signal handler waits for it to finish.
        let mut registry = active();
        if !self.existed {
            test_slow_rename();
            std::fs::rename(&self.staging, &self.dest)
                .map_err(|e| out_err(format!("cannot create {shown}: {e}")))?;
        } else {
            let (parent, name) = split(&self.dest)?;
            let aside = parent.join(hidden_name(&name, "old"));
            test_slow_rename();
            std::fs::rename(&self.dest, &aside)
                .map_err(|e| out_err(format!("cannot replace {shown}: {e}")))?;
            test_slow_rename();
            if let Err(e) = std::fs::rename(&self.staging, &self.dest) {
                let _ = std::fs::rename(&aside, &self.dest);
                return Err(out_err(format!("cannot replace {shown}: {e}")));
            }
            // Removed while the registry is held, so a signal handler never races this
            // removal (a folder of a few files: the handler waits milliseconds). What a failed
            // removal leaves is swept by the next run, as a dead process's leftovers are.
            let _ = std::fs::remove_dir_all(&aside);
        }
        registry.retain(|p| p != &self.staging);
        self.done = true;
        Ok(())
    }
}

impl OutDir {
    /// Moves the files one by one into a DIR that cannot be swapped; see the module docs.
    fn commit_in_place(mut self) -> Result<(), ReportError> {
        let backup = self.staging.join(".previous");
        std::fs::create_dir(&backup).map_err(|e| self.error("the previous files", e))?;
        // The moves hold the registry, so a signal handler waits for them to finish.
        let registry = active();
        // (name, whether a previous file was set aside)
        let mut moved: Vec<(String, bool)> = Vec::new();
        let mut failure = None;
        for name in &self.written {
            let dest = self.dest.join(name);
            let had = dest.exists();
            test_slow_rename();
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
                let dest = self.dest.join(name);
                if *had {
                    let _ = std::fs::rename(backup.join(name), &dest);
                } else {
                    let _ = std::fs::remove_file(&dest);
                }
            }
            drop(registry);
            return Err(self.error(&name, e));
        }
        // Everything is in place; the previous versions go.
        self.done = true;
        drop(registry);
        let _ = std::fs::remove_dir_all(&self.staging);
        forget(&self.staging);
        Ok(())
    }
}

/// The folder holding `path` and `path`'s own name (a name is needed to stage beside it).
fn split(path: &Path) -> Result<(PathBuf, String), ReportError> {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .ok_or_else(|| out_err(format!("{} does not name a folder", path.display())))?;
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    Ok((parent, name.to_string()))
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
            forget(&self.staging);
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
    sweep(&parent, &name);
    let temp = parent.join(hidden_name(&name, "tmp"));
    active().push(temp.clone());
    let written = (|| -> std::io::Result<()> {
        let mut f = File::create(&temp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        test_slow_rename();
        let registry = active();
        let renamed = std::fs::rename(&temp, path);
        drop(registry);
        renamed
    })();
    forget(&temp);
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
    fn leftovers_of_dead_runs_are_repaired_and_live_ones_kept() {
        let root = scratch("leftovers");
        // A process id no system hands out: a dead run.
        let dead = 4_000_000_000u32;
        let live = std::process::id();
        // Died between the two renames of a swap: DIR missing, the previous results aside.
        let old = root.join(format!(".res.flywheel-old-{dead}-0"));
        std::fs::create_dir(&old).unwrap();
        std::fs::write(old.join("x"), b"old").unwrap();
        let dead_tmp = root.join(format!(".res.flywheel-tmp-{dead}-3"));
        std::fs::create_dir(&dead_tmp).unwrap();
        let live_tmp = root.join(format!(".res.flywheel-tmp-{live}-999999"));
        std::fs::create_dir(&live_tmp).unwrap();
        let other = root.join(format!(".resx.flywheel-tmp-{dead}-0"));
        std::fs::create_dir(&other).unwrap();
        let out = OutDir::begin(&root.join("res"), &["x"]).unwrap();
        drop(out);
        assert_eq!(
            std::fs::read(root.join("res/x")).unwrap(),
            b"old",
            "restored"
        );
        assert!(!dead_tmp.exists() && live_tmp.exists() && other.exists());
        let _ = std::fs::remove_dir_all(&root);
    }

    #[test]
    fn a_swap_keeps_the_users_files_and_drops_the_previous_set() {
        let root = scratch("swap");
        let dir = root.join("res");
        std::fs::create_dir_all(dir.join("notes/deep")).unwrap();
        std::fs::write(dir.join("notes/deep/n"), b"mine").unwrap();
        std::fs::write(dir.join("x"), b"old").unwrap();
        std::fs::write(dir.join("y"), b"old, not written this time").unwrap();
        std::os::unix::fs::symlink(&dir, root.join("link")).unwrap();
        let mut out = OutDir::begin(&root.join("link"), &["x", "y"]).unwrap();
        out.write("x", b"new").unwrap();
        out.commit().unwrap();
        assert_eq!(listing(&dir), vec!["notes", "x"]);
        assert_eq!(std::fs::read(dir.join("notes/deep/n")).unwrap(), b"mine");
        assert_eq!(std::fs::read(root.join("link/x")).unwrap(), b"new");
        assert_eq!(listing(&root), vec!["link", "res"], "nothing hidden left");
        assert!(
            !active().iter().any(|p| p.starts_with(&root)),
            "nothing registered"
        );
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
