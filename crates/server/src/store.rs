//! The run store: one SQLite file holding every stored run (its scenario, seed, fidelity,
//! version, status and, once done, its summary, bands, report and optionally its steps) and the
//! named saved scenarios. `flywheel serve` and `flywheel runs` open the same file.
//!
//! The file is opened in WAL mode, so a reader (`flywheel runs list`) never waits for the
//! server's writes, and a run's row changes status in its own transactions: `queued` →
//! `running` → `done` or `failed`. A process killed mid-run leaves its rows `queued` or
//! `running`; the next [`Store::open`] marks them `interrupted`, and every finished run is
//! untouched: its results were committed in one transaction.
//!
//! Which unfinished runs are dead is decided by a lock, not a guess: every open store is an
//! *owner* (a unique id) holding an exclusive lock on `DB.work/OWNER.lock` for as long as it is
//! open, and its runs record that owner. The kernel drops the lock when the process dies, even
//! by `kill -9`, so an owner whose lock can be taken is gone: its runs are marked interrupted
//! and its scratch folder (`DB.work/OWNER/`, where a run's files are written before they are
//! stored) is removed. A second process opening the same file (a `flywheel runs list` while
//! `flywheel serve` runs) leaves the live owner's runs alone.
//!
//! Migrations are numbered and recorded in SQLite's `user_version`: [`Store::open`] applies
//! those the file has not seen, each in one transaction, and refuses a file written by a newer
//! flywheel.

use crate::error::StoreError;
use crate::limits::{MAX_NAME_CHARS, MAX_SCENARIO_BYTES};
use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The schema, one migration per entry; entry `i` takes `user_version` from `i` to `i + 1`.
const MIGRATIONS: [&str; 1] = ["
CREATE TABLE runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    scenario TEXT NOT NULL,
    seed TEXT NOT NULL,
    runs INTEGER NOT NULL,
    days INTEGER NOT NULL,
    fidelity TEXT NOT NULL,
    version TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed', 'interrupted')),
    owner TEXT NOT NULL,
    created INTEGER NOT NULL,
    finished INTEGER,
    summary TEXT,
    bands TEXT,
    steps TEXT,
    report TEXT,
    error TEXT
);
CREATE INDEX runs_status ON runs (status);
CREATE TABLE scenarios (
    name TEXT PRIMARY KEY,
    toml TEXT NOT NULL,
    saved INTEGER NOT NULL
);
"];

/// Where a run is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Accepted, waiting for a worker.
    Queued,
    /// Being simulated.
    Running,
    /// Finished; its results are stored.
    Done,
    /// The simulation failed; `error` says why.
    Failed,
    /// The process that was running it stopped (killed, crashed) before it finished.
    Interrupted,
}

impl Status {
    /// The name stored in the file.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Running => "running",
            Self::Done => "done",
            Self::Failed => "failed",
            Self::Interrupted => "interrupted",
        }
    }

    fn parse(s: &str) -> Result<Self, StoreError> {
        Ok(match s {
            "queued" => Self::Queued,
            "running" => Self::Running,
            "done" => Self::Done,
            "failed" => Self::Failed,
            "interrupted" => Self::Interrupted,
            other => return Err(StoreError::Corrupt(format!("unknown run status `{other}`"))),
        })
    }
}

/// What a new run records before it starts.
#[derive(Debug, Clone)]
pub struct NewRun {
    /// The scenario's name.
    pub name: String,
    /// The resolved scenario, as TOML (overrides applied).
    pub scenario: String,
    /// Base seed.
    pub seed: u64,
    /// Monte Carlo paths.
    pub runs: u32,
    /// Horizon, days.
    pub days: u32,
    /// `flow` or `event`.
    pub fidelity: String,
}

/// A stored run without its large results: what lists and status queries return.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct RunInfo {
    /// Run id.
    pub id: i64,
    /// The scenario's name.
    pub name: String,
    /// Base seed (a string: it may exceed 2^53).
    pub seed: String,
    /// Monte Carlo paths.
    pub runs: u32,
    /// Horizon, days.
    pub days: u32,
    /// `flow` or `event`.
    pub fidelity: String,
    /// The flywheel version that ran it.
    pub version: String,
    /// Where it is.
    pub status: Status,
    /// When it was accepted, Unix seconds.
    pub created: i64,
    /// When it finished (done, failed), Unix seconds.
    pub finished: Option<i64>,
    /// Why it failed.
    pub error: Option<String>,
    /// Whether its per-step CSV was kept.
    pub has_steps: bool,
}

/// A finished run's results, as files.
#[derive(Debug, Clone, PartialEq)]
pub struct Results {
    /// `summary.json`.
    pub summary: String,
    /// `bands.csv`.
    pub bands: String,
    /// `steps.csv`, when asked for.
    pub steps: Option<String>,
    /// `report.html`.
    pub report: String,
}

/// Which of a run's stored files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// The resolved scenario (TOML).
    Scenario,
    /// `summary.json`.
    Summary,
    /// `bands.csv`.
    Bands,
    /// `steps.csv`.
    Steps,
    /// `report.html`.
    Report,
}

impl Part {
    fn column(self) -> &'static str {
        match self {
            Self::Scenario => "scenario",
            Self::Summary => "summary",
            Self::Bands => "bands",
            Self::Steps => "steps",
            Self::Report => "report",
        }
    }
}

/// A saved scenario's entry in a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct SavedInfo {
    /// Its name.
    pub name: String,
    /// When it was last saved, Unix seconds.
    pub saved: i64,
}

/// The run store; see the module docs.
pub struct Store {
    conn: Connection,
    path: PathBuf,
    /// This store's owner id, and the lock that says it is alive (held until drop).
    owner: String,
    _lock: std::fs::File,
}

impl Drop for Store {
    /// A closed store's owner is gone: its lock file and scratch folder go too (a killed
    /// process leaves them to the next [`Store::open`]).
    fn drop(&mut self) {
        let root = work_root(&self.path);
        let _ = std::fs::remove_dir_all(root.join(&self.owner));
        let _ = std::fs::remove_file(root.join(format!("{}.lock", self.owner)));
    }
}

/// `DB.work`: the owners' lock files and scratch folders.
fn work_root(db: &Path) -> PathBuf {
    let mut name = db.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(".work");
    db.with_file_name(name)
}

/// An owner id no other open store has: the process id and a counter.
fn new_owner() -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    format!(
        "{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}

/// Whether `owner`'s lock is free (its store is closed or its process is dead). Takes and drops
/// the lock to find out.
fn owner_is_gone(root: &Path, owner: &str) -> bool {
    let path = root.join(format!("{owner}.lock"));
    match std::fs::OpenOptions::new().write(true).open(&path) {
        Ok(f) => matches!(f.try_lock(), Ok(())),
        // No lock file: nobody can be holding it.
        Err(_) => true,
    }
}

/// The default store: `$XDG_DATA_HOME/flywheel/runs.db`, else `~/.local/share/flywheel/runs.db`
/// (the XDG base directory rule), or `None` when neither variable is set.
pub fn default_path() -> Option<PathBuf> {
    let base = match std::env::var_os("XDG_DATA_HOME").filter(|v| !v.is_empty()) {
        Some(x) => PathBuf::from(x),
        None => PathBuf::from(std::env::var_os("HOME").filter(|v| !v.is_empty())?)
            .join(".local")
            .join("share"),
    };
    Some(base.join("flywheel").join("runs.db"))
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// Checks a saved scenario's name: 1 to [`MAX_NAME_CHARS`] letters, digits, `-`, `_` or `.`,
/// not starting with a dot (names appear in URLs and file names).
pub fn check_name(name: &str) -> Result<(), StoreError> {
    let n = name.chars().count();
    let ok_chars = name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if n == 0 || n > MAX_NAME_CHARS || !ok_chars || name.starts_with('.') {
        let shown: String = name.chars().take(MAX_NAME_CHARS + 1).collect();
        return Err(StoreError::Invalid {
            field: "name",
            limit: format!(
                "1 to {MAX_NAME_CHARS} characters of A-Z a-z 0-9 - _ . (not starting with a dot)"
            ),
            value: shown,
        });
    }
    Ok(())
}

/// Checks a scenario text's size against [`MAX_SCENARIO_BYTES`].
pub fn check_scenario_size(text: &str) -> Result<(), StoreError> {
    if text.len() as u64 > MAX_SCENARIO_BYTES {
        return Err(StoreError::Invalid {
            field: "scenario",
            limit: format!("at most {MAX_SCENARIO_BYTES} bytes"),
            value: format!("{} bytes", text.len()),
        });
    }
    Ok(())
}

impl Store {
    /// Opens (creating if needed) the store at `path`: missing parent folders are created, the
    /// schema is migrated, this store's owner lock is taken, and runs whose owner is gone (see
    /// the module docs) are marked interrupted. Returns the store and how many runs were
    /// marked.
    pub fn open(path: &Path) -> Result<(Self, usize), StoreError> {
        let open_err = |reason: String| StoreError::Open {
            path: path.display().to_string(),
            reason,
        };
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent)
                .map_err(|e| open_err(format!("cannot create its folder: {e}")))?;
        }
        let conn = Connection::open(path).map_err(|e| open_err(e.to_string()))?;
        let root = work_root(path);
        std::fs::create_dir_all(&root)
            .map_err(|e| open_err(format!("cannot create {}: {e}", root.display())))?;
        let owner = new_owner();
        let lock_path = root.join(format!("{owner}.lock"));
        let lock = std::fs::File::create(&lock_path)
            .map_err(|e| open_err(format!("cannot create {}: {e}", lock_path.display())))?;
        lock.try_lock()
            .map_err(|e| open_err(format!("cannot lock {}: {e}", lock_path.display())))?;
        let mut store = Self {
            conn,
            path: path.to_path_buf(),
            owner,
            _lock: lock,
        };
        store.configure()?;
        store.migrate()?;
        let marked = store.mark_interrupted()?;
        Ok((store, marked))
    }

    /// This store's scratch folder for a run's files (`DB.work/OWNER/ID`), created empty.
    pub fn scratch(&self, id: i64) -> Result<PathBuf, StoreError> {
        let dir = work_root(&self.path).join(&self.owner).join(id.to_string());
        let _ = std::fs::remove_dir_all(&dir);
        if let Some(parent) = dir.parent() {
            std::fs::create_dir_all(parent).map_err(|e| StoreError::Open {
                path: self.path.display().to_string(),
                reason: format!("cannot create {}: {e}", parent.display()),
            })?;
        }
        Ok(dir)
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn configure(&self) -> Result<(), StoreError> {
        self.conn
            .busy_timeout(Duration::from_secs(10))
            .map_err(StoreError::from)?;
        let mode: String = self
            .conn
            .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(StoreError::Open {
                path: self.path.display().to_string(),
                reason: format!("the file cannot use WAL journaling (journal mode is {mode})"),
            });
        }
        self.conn.execute_batch("PRAGMA foreign_keys = ON")?;
        Ok(())
    }

    fn migrate(&mut self) -> Result<(), StoreError> {
        let version: i64 = self
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))?;
        let known = MIGRATIONS.len() as i64;
        if version > known {
            return Err(StoreError::Open {
                path: self.path.display().to_string(),
                reason: format!(
                    "written by a newer flywheel (schema version {version}; this one knows up to {known})"
                ),
            });
        }
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(version.max(0) as usize) {
            let tx = self.conn.transaction()?;
            tx.execute_batch(sql)?;
            tx.execute_batch(&format!("PRAGMA user_version = {}", i + 1))?;
            tx.commit()?;
        }
        Ok(())
    }

    fn mark_interrupted(&self) -> Result<usize, StoreError> {
        let root = work_root(&self.path);
        let owners: Vec<String> = {
            let mut stmt = self
                .conn
                .prepare("SELECT DISTINCT owner FROM runs WHERE status IN ('queued', 'running')")?;
            let rows = stmt.query_map([], |r| r.get(0))?;
            rows.collect::<Result<_, _>>()?
        };
        let mut marked = 0;
        for owner in owners {
            if owner == self.owner || !owner_is_gone(&root, &owner) {
                continue;
            }
            marked += self.conn.execute(
                "UPDATE runs SET status = 'interrupted', finished = ?1,
                     error = 'the process running it stopped before it finished'
                 WHERE status IN ('queued', 'running') AND owner = ?2",
                params![now(), owner],
            )?;
        }
        // Dead owners' lock files and scratch folders (of runs they never finished).
        if let Ok(entries) = std::fs::read_dir(&root) {
            for e in entries.flatten() {
                let name = e.file_name().to_string_lossy().into_owned();
                if let Some(owner) = name.strip_suffix(".lock") {
                    if owner != self.owner && owner_is_gone(&root, owner) {
                        let _ = std::fs::remove_dir_all(root.join(owner));
                        let _ = std::fs::remove_file(e.path());
                    }
                }
            }
        }
        Ok(marked)
    }

    /// Records a new run as queued; returns its id.
    pub fn create_run(&self, run: &NewRun) -> Result<i64, StoreError> {
        check_scenario_size(&run.scenario)?;
        self.conn.execute(
            "INSERT INTO runs (name, scenario, seed, runs, days, fidelity, version, status,
                 created, owner)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'queued', ?8, ?9)",
            params![
                run.name,
                run.scenario,
                run.seed.to_string(),
                run.runs,
                run.days,
                run.fidelity,
                env!("CARGO_PKG_VERSION"),
                now(),
                self.owner
            ],
        )?;
        Ok(self.conn.last_insert_rowid())
    }

    /// Moves a queued run to running.
    pub fn start_run(&self, id: i64) -> Result<(), StoreError> {
        let n = self.conn.execute(
            "UPDATE runs SET status = 'running' WHERE id = ?1 AND status = 'queued' AND owner = ?2",
            params![id, self.owner],
        )?;
        self.expect_one(n, id, "queued")
    }

    /// Stores a running run's results and marks it done, in one transaction.
    pub fn finish_run(&mut self, id: i64, r: &Results) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        let n = tx.execute(
            "UPDATE runs SET status = 'done', finished = ?2, summary = ?3, bands = ?4,
                 steps = ?5, report = ?6
             WHERE id = ?1 AND status = 'running' AND owner = ?7",
            params![id, now(), r.summary, r.bands, r.steps, r.report, self.owner],
        )?;
        if n != 1 {
            return Err(StoreError::NotFound {
                what: "running run",
                id: id.to_string(),
            });
        }
        tx.commit()?;
        Ok(())
    }

    /// Marks a queued or running run failed, with the reason.
    pub fn fail_run(&self, id: i64, error: &str) -> Result<(), StoreError> {
        let n = self.conn.execute(
            "UPDATE runs SET status = 'failed', finished = ?2, error = ?3
             WHERE id = ?1 AND status IN ('queued', 'running') AND owner = ?4",
            params![id, now(), error, self.owner],
        )?;
        self.expect_one(n, id, "unfinished")
    }

    fn expect_one(&self, n: usize, id: i64, what: &'static str) -> Result<(), StoreError> {
        if n == 1 {
            Ok(())
        } else {
            Err(StoreError::NotFound {
                what: match what {
                    "queued" => "queued run",
                    _ => "unfinished run",
                },
                id: id.to_string(),
            })
        }
    }

    const INFO: &'static str = "SELECT id, name, seed, runs, days, fidelity, version, status,
        created, finished, error, steps IS NOT NULL FROM runs";

    fn info_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<(RunInfo, String)> {
        Ok((
            RunInfo {
                id: r.get(0)?,
                name: r.get(1)?,
                seed: r.get(2)?,
                runs: r.get(3)?,
                days: r.get(4)?,
                fidelity: r.get(5)?,
                version: r.get(6)?,
                status: Status::Queued,
                created: r.get(8)?,
                finished: r.get(9)?,
                error: r.get(10)?,
                has_steps: r.get(11)?,
            },
            r.get::<_, String>(7)?,
        ))
    }

    fn with_status((mut info, status): (RunInfo, String)) -> Result<RunInfo, StoreError> {
        info.status = Status::parse(&status)?;
        Ok(info)
    }

    /// Every run, newest first.
    pub fn list_runs(&self) -> Result<Vec<RunInfo>, StoreError> {
        let mut stmt = self
            .conn
            .prepare(&format!("{} ORDER BY id DESC", Self::INFO))?;
        let rows = stmt.query_map([], Self::info_row)?;
        rows.map(|r| Self::with_status(r?)).collect()
    }

    /// One run's entry.
    pub fn run(&self, id: i64) -> Result<RunInfo, StoreError> {
        let row = self
            .conn
            .query_row(
                &format!("{} WHERE id = ?1", Self::INFO),
                params![id],
                Self::info_row,
            )
            .optional()?
            .ok_or(StoreError::NotFound {
                what: "run",
                id: id.to_string(),
            })?;
        Self::with_status(row)
    }

    /// One of a run's files; `NotReady` when the run has not produced it (not done, or its
    /// steps were not kept).
    pub fn part(&self, id: i64, part: Part) -> Result<String, StoreError> {
        let info = self.run(id)?;
        let text: Option<String> = self.conn.query_row(
            &format!("SELECT {} FROM runs WHERE id = ?1", part.column()),
            params![id],
            |r| r.get(0),
        )?;
        text.ok_or(StoreError::NotReady {
            id,
            status: info.status,
            part: part.column(),
        })
    }

    /// Deletes a run that is not queued or running; returns whether it existed.
    pub fn delete_run(&self, id: i64) -> Result<(), StoreError> {
        let info = self.run(id)?;
        if matches!(info.status, Status::Queued | Status::Running) {
            return Err(StoreError::Busy { id });
        }
        self.conn
            .execute("DELETE FROM runs WHERE id = ?1", params![id])?;
        Ok(())
    }

    /// Saves (or replaces) a named scenario.
    pub fn save_scenario(&self, name: &str, toml: &str) -> Result<(), StoreError> {
        check_name(name)?;
        check_scenario_size(toml)?;
        self.conn.execute(
            "INSERT INTO scenarios (name, toml, saved) VALUES (?1, ?2, ?3)
             ON CONFLICT (name) DO UPDATE SET toml = excluded.toml, saved = excluded.saved",
            params![name, toml, now()],
        )?;
        Ok(())
    }

    /// The saved scenarios, by name.
    pub fn list_scenarios(&self) -> Result<Vec<SavedInfo>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT name, saved FROM scenarios ORDER BY name")?;
        let rows = stmt.query_map([], |r| {
            Ok(SavedInfo {
                name: r.get(0)?,
                saved: r.get(1)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// A saved scenario's TOML.
    pub fn scenario(&self, name: &str) -> Result<String, StoreError> {
        check_name(name)?;
        self.conn
            .query_row(
                "SELECT toml FROM scenarios WHERE name = ?1",
                params![name],
                |r| r.get(0),
            )
            .optional()?
            .ok_or_else(|| StoreError::NotFound {
                what: "saved scenario",
                id: name.to_string(),
            })
    }

    /// Deletes a saved scenario.
    pub fn delete_scenario(&self, name: &str) -> Result<(), StoreError> {
        check_name(name)?;
        let n = self
            .conn
            .execute("DELETE FROM scenarios WHERE name = ?1", params![name])?;
        if n == 0 {
            return Err(StoreError::NotFound {
                what: "saved scenario",
                id: name.to_string(),
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(tag: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "flywheel-store-{tag}-{}-{:?}",
            std::process::id(),
            std::thread::current().id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        dir.join("sub").join("runs.db")
    }

    fn new_run() -> NewRun {
        NewRun {
            name: "t".into(),
            scenario: "name = \"t\"\n".into(),
            seed: u64::MAX,
            runs: 2,
            days: 3,
            fidelity: "flow".into(),
        }
    }

    fn results() -> Results {
        Results {
            summary: "{}".into(),
            bands: "day,metric,p5,p50,p95\n".into(),
            steps: None,
            report: "<html></html>".into(),
        }
    }

    #[test]
    fn a_run_goes_from_queued_to_done_and_keeps_its_results() {
        let path = scratch("life");
        let (mut s, marked) = Store::open(&path).unwrap();
        assert_eq!(marked, 0);
        let id = s.create_run(&new_run()).unwrap();
        let info = s.run(id).unwrap();
        assert_eq!(
            (info.status, info.seed.as_str()),
            (Status::Queued, "18446744073709551615")
        );
        assert!(matches!(
            s.part(id, Part::Summary),
            Err(StoreError::NotReady { .. })
        ));
        // Finishing a run that is not running is refused and changes nothing.
        assert!(s.finish_run(id, &results()).is_err());
        assert_eq!(s.run(id).unwrap().status, Status::Queued);
        s.start_run(id).unwrap();
        assert!(s.start_run(id).is_err(), "a run starts once");
        s.finish_run(id, &results()).unwrap();
        assert_eq!(s.run(id).unwrap().status, Status::Done);
        assert_eq!(s.part(id, Part::Report).unwrap(), "<html></html>");
        assert!(matches!(
            s.part(id, Part::Steps),
            Err(StoreError::NotReady { .. })
        ));
        assert_eq!(s.list_runs().unwrap().len(), 1);
        s.delete_run(id).unwrap();
        assert!(matches!(s.run(id), Err(StoreError::NotFound { .. })));
        let _ = std::fs::remove_dir_all(path.parent().unwrap().parent().unwrap());
    }

    #[test]
    fn reopening_marks_unfinished_runs_interrupted_and_keeps_finished_ones() {
        let path = scratch("reopen");
        let (mut s, _) = Store::open(&path).unwrap();
        let done = s.create_run(&new_run()).unwrap();
        s.start_run(done).unwrap();
        s.finish_run(done, &results()).unwrap();
        let running = s.create_run(&new_run()).unwrap();
        s.start_run(running).unwrap();
        let queued = s.create_run(&new_run()).unwrap();
        assert!(matches!(
            s.delete_run(running),
            Err(StoreError::Busy { .. })
        ));
        drop(s);
        let (s, marked) = Store::open(&path).unwrap();
        assert_eq!(marked, 2);
        assert_eq!(s.run(running).unwrap().status, Status::Interrupted);
        assert_eq!(s.run(queued).unwrap().status, Status::Interrupted);
        assert_eq!(s.run(done).unwrap().status, Status::Done);
        assert_eq!(s.part(done, Part::Summary).unwrap(), "{}");
        let _ = std::fs::remove_dir_all(path.parent().unwrap().parent().unwrap());
    }

    #[test]
    fn saved_scenarios_round_trip_and_names_are_checked() {
        let path = scratch("saved");
        let (s, _) = Store::open(&path).unwrap();
        s.save_scenario("low-burn", "a = 1").unwrap();
        s.save_scenario("low-burn", "a = 2").unwrap();
        assert_eq!(s.scenario("low-burn").unwrap(), "a = 2");
        assert_eq!(s.list_scenarios().unwrap().len(), 1);
        for bad in ["", ".hidden", "a/b", &"x".repeat(MAX_NAME_CHARS + 1)] {
            let e = s.save_scenario(bad, "a = 3").unwrap_err();
            assert!(
                matches!(e, StoreError::Invalid { field: "name", .. }),
                "{bad}"
            );
        }
        let big = "#".repeat(MAX_SCENARIO_BYTES as usize + 1);
        assert!(matches!(
            s.save_scenario("big", &big),
            Err(StoreError::Invalid {
                field: "scenario",
                ..
            })
        ));
        assert_eq!(
            s.list_scenarios().unwrap().len(),
            1,
            "refusals store nothing"
        );
        // Still there after a restart.
        drop(s);
        let (s, _) = Store::open(&path).unwrap();
        assert_eq!(s.scenario("low-burn").unwrap(), "a = 2");
        s.delete_scenario("low-burn").unwrap();
        assert!(matches!(
            s.delete_scenario("low-burn"),
            Err(StoreError::NotFound { .. })
        ));
        let _ = std::fs::remove_dir_all(path.parent().unwrap().parent().unwrap());
    }

    #[test]
    fn a_newer_schema_is_refused() {
        let path = scratch("newer");
        drop(Store::open(&path).unwrap());
        let c = Connection::open(&path).unwrap();
        c.execute_batch("PRAGMA user_version = 99").unwrap();
        drop(c);
        let e = Store::open(&path).err().unwrap().to_string();
        assert!(e.contains("newer flywheel"), "{e}");
        let _ = std::fs::remove_dir_all(path.parent().unwrap().parent().unwrap());
    }
}
