//! SIGINT and SIGTERM: remove the staging folders of the `--out` sets being written, then exit
//! with the conventional status (130, 143). Without this the default action would kill the
//! process and leave `.DIR.flywheel-tmp-…` behind until the next run swept it.
//!
//! The handlers are tokio's (a safe API; tokio is compiled for the devnet anyway), watched from
//! a thread of their own and registered before any command starts.

use tokio::signal::unix::{signal, SignalKind};

/// Installs the watcher and returns once the handlers are registered. If they cannot be, the
/// command runs with the default actions (the next run sweeps what a killed one leaves).
pub fn remove_staging_on_signal() {
    let (ready, registered) = std::sync::mpsc::channel::<()>();
    let spawned = std::thread::Builder::new()
        .name("signals".into())
        .spawn(move || {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                .enable_io()
                .build()
            else {
                return;
            };
            let code = rt.block_on(async {
                let (Ok(mut interrupt), Ok(mut terminate)) = (
                    signal(SignalKind::interrupt()),
                    signal(SignalKind::terminate()),
                ) else {
                    return None;
                };
                let _ = ready.send(());
                tokio::select! {
                    _ = interrupt.recv() => Some(130),
                    _ = terminate.recv() => Some(143),
                }
            });
            if let Some(code) = code {
                // Held until exit: no staging folder is created or committed after this.
                let _held = flywheel_report::out_dir::abandon_all();
                std::process::exit(code);
            }
        });
    if spawned.is_ok() {
        // An error here means the thread gave up before registering: the defaults stand.
        let _ = registered.recv();
    }
}
