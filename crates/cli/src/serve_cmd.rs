//! `flywheel serve`: the dashboard and the HTTP API (`flywheel-server`) over the run store,
//! with the CLI's own writer for stored runs' files.

use crate::error::CliError;
use crate::runs_cmd::{db_path, store_err};
use crate::term::safe;
use clap::Args;
use flywheel_server::api::{self, AppState};
use flywheel_server::store::Store;
use std::io::Write;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;

/// `flywheel serve` options.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// TCP port, 0 to 65,535 (0 picks a free one; the address is printed).
    #[arg(long, default_value_t = 8080, value_name = "P", allow_negative_numbers = true,
          value_parser = crate::limits::whole::<u16>(0, 65_535))]
    port: u16,
    /// Address to listen on. The API has no authentication: keep it on loopback unless the
    /// network is yours (another address is warned about; requests must then name it, or
    /// localhost, as their Host).
    #[arg(long, default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST), value_name = "ADDR")]
    bind: IpAddr,
    /// The run store, an SQLite file (created if missing) [default: $XDG_DATA_HOME/flywheel/runs.db,
    /// else ~/.local/share/flywheel/runs.db].
    #[arg(long, value_name = "PATH")]
    db: Option<PathBuf>,
}

/// Runs `flywheel serve` until Ctrl-C.
pub fn run(args: &ServeArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let path = db_path(args.db.as_deref())?;
    let (store, interrupted) = Store::open(&path).map_err(store_err)?;
    let state = AppState::new(store);
    if !args.bind.is_loopback() {
        // The checks stay (Host, Origin, JSON bodies), but anyone who can reach the address
        // can read, start and delete runs.
        let _ = writeln!(
            std::io::stderr(),
            "warning: --bind {}: the API has no authentication; anyone who can reach this address can start, read and delete stored runs",
            args.bind
        );
    }
    let mut ready_err = None;
    api::serve(SocketAddr::new(args.bind, args.port), state, |addr| {
        // Printed and flushed at once: scripts (CI, tests) wait for this line.
        let r = writeln!(
            out,
            "flywheel serve: dashboard at http://{addr}/ , API at http://{addr}/api/openapi.json\nrun store {}{}",
            safe(&path.display().to_string()),
            if interrupted > 0 {
                format!(" ({interrupted} unfinished runs of a stopped process marked interrupted)")
            } else {
                String::new()
            }
        )
        .and_then(|()| out.flush());
        ready_err = r.err();
    })
    .map_err(|e| CliError::field("--port", format!("cannot serve on {}:{}: {e}", args.bind, args.port)))?;
    match ready_err {
        Some(e) => Err(CliError::Output(e)),
        None => Ok(()),
    }
}
