//! `flywheel devnet` from start to Ctrl-C: load or create the devnet, listen, print the
//! start-up table, wait for a signal, stop listening, then save the state if asked.

use crate::config::DevnetConfig;
use crate::error::DevnetError;
use crate::node::Devnet;
use crate::server::{serve_on, Shared};
use crate::state_file;
use std::io::Write;
use std::path::PathBuf;

/// What to load and save.
#[derive(Debug, Clone, Default)]
pub struct Persistence {
    /// `--state FILE`: loaded at start if it exists, written at exit.
    pub state: Option<PathBuf>,
    /// `--dump-state FILE`: written at exit.
    pub dump_state: Option<PathBuf>,
    /// Whether the command line or file named the chains (`--chains`, `[[chains]]`, `[l1]`,
    /// `[gateway]`): then a loaded state must have been made with the same chains.
    pub layout_given: bool,
}

impl Persistence {
    /// Checks that the states asked for can be written at exit (their folders exist, are
    /// directories and writable; the paths are not directories), so that a wrong path is
    /// refused now rather than after the session.
    pub fn check(&self) -> Result<(), DevnetError> {
        let targets = [("--state", &self.state), ("--dump-state", &self.dump_state)];
        for (flag, path) in targets {
            if let Some(path) = path {
                crate::files::check_writable(path).map_err(|source| DevnetError::File {
                    flag,
                    path: path.clone(),
                    source,
                })?;
            }
        }
        Ok(())
    }
}

/// The devnet to start with: loaded from `--state` if that file exists, else fresh.
pub fn initial(config: &DevnetConfig, files: &Persistence) -> Result<Devnet, DevnetError> {
    if let Some(path) = files.state.as_ref().filter(|p| p.exists()) {
        let d = state_file::load(path)?;
        if files.layout_given && d.layout() != &config.layout {
            return Err(DevnetError::Config(format!(
                "{} was saved with other chains than the configuration names",
                path.display()
            )));
        }
        return Ok(d);
    }
    let time = config.genesis_time.unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs())
    });
    Devnet::new(config.layout.clone(), time)
}

/// Runs until Ctrl-C (or SIGTERM), writing the start-up table to `out`.
pub fn run(
    config: &DevnetConfig,
    files: &Persistence,
    out: &mut dyn Write,
) -> Result<(), DevnetError> {
    files.check()?;
    let mut devnet = initial(config, files)?;
    devnet.set_automine(config.block_time.is_none());
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    rt.block_on(async {
        let mut stop = StopSignal::install()?;
        let ports = config.ports_for(devnet.chains().len());
        let server = serve_on(Shared::new(devnet), config.host, &ports).await?;
        crate::server::spawn_batch_timer(
            server.devnet.clone(),
            config.batch_interval,
            config.relay,
        );
        if let Some(every) = config.block_time {
            crate::server::spawn_block_timer(server.devnet.clone(), every);
        }
        let table = crate::table::startup_table(&server.devnet.lock(), &server.addrs, config.relay);
        out.write_all(table.as_bytes())?;
        writeln!(out, "\nListening. Ctrl-C stops.")?;
        out.flush()?;
        stop.wait().await?;
        let shared = server.devnet.clone();
        server.shutdown().await?;
        let d = shared.lock();
        for path in [&files.state, &files.dump_state].into_iter().flatten() {
            state_file::save(&d, path)?;
            writeln!(out, "state written to {}", path.display())?;
        }
        Ok(())
    })
}

/// Ctrl-C and SIGTERM, listened for from its creation on, so a signal that arrives as soon as
/// the table is printed is not lost (the default action would kill the process unsaved).
struct StopSignal {
    #[cfg(unix)]
    interrupt: tokio::signal::unix::Signal,
    #[cfg(unix)]
    terminate: tokio::signal::unix::Signal,
}

impl StopSignal {
    fn install() -> Result<Self, DevnetError> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{signal, SignalKind};
            Ok(Self {
                interrupt: signal(SignalKind::interrupt())?,
                terminate: signal(SignalKind::terminate())?,
            })
        }
        #[cfg(not(unix))]
        {
            Ok(Self {})
        }
    }

    async fn wait(&mut self) -> Result<(), DevnetError> {
        #[cfg(unix)]
        {
            tokio::select! {
                _ = self.interrupt.recv() => {}
                _ = self.terminate.recv() => {}
            }
            Ok(())
        }
        #[cfg(not(unix))]
        {
            tokio::signal::ctrl_c().await?;
            Ok(())
        }
    }
}
