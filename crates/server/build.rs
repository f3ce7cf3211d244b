//! Bundles the dashboard's chart library into the binary: runs `npm ci` in `web/` when
//! `web/node_modules` is missing or was installed from another `package-lock.json`, then
//! copies ECharts' minified build into `OUT_DIR`, where `src/web.rs` embeds it. The page then
//! works offline: nothing is fetched from a CDN at run time.

use std::path::Path;
use std::process::Command;

const LIB: &str = "node_modules/echarts/dist/echarts.min.js";
/// The lockfile `npm ci` last installed from, kept inside node_modules.
const STAMP: &str = "node_modules/.flywheel-package-lock.json";

fn main() {
    let manifest = std::env::var("CARGO_MANIFEST_DIR")
        .unwrap_or_else(|_| fail("cargo did not set CARGO_MANIFEST_DIR"));
    let web = Path::new(&manifest).join("web");
    println!("cargo:rerun-if-changed=web/package.json");
    println!("cargo:rerun-if-changed=web/package-lock.json");
    println!("cargo:rerun-if-changed=web/{LIB}");
    let lock = std::fs::read(web.join("package-lock.json"))
        .unwrap_or_else(|e| fail(&format!("cannot read web/package-lock.json: {e}")));
    let installed = std::fs::read(web.join(STAMP)).ok();
    if !web.join(LIB).is_file() || installed.as_deref() != Some(lock.as_slice()) {
        let status = Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund", "--ignore-scripts"])
            .current_dir(&web)
            .status()
            .unwrap_or_else(|e| {
                fail(&format!(
                    "cannot run npm ({e}). The dashboard's chart library (ECharts, pinned in \
                     crates/server/web/package-lock.json) is installed with npm at build time: \
                     install Node.js 20 or later with npm (e.g. `apt-get install nodejs npm`) \
                     and build again"
                ))
            });
        if !status.success() {
            fail(&format!(
                "`npm ci` in crates/server/web failed ({status}); it needs the npm registry \
                 (or a filled npm cache)"
            ));
        }
        std::fs::write(web.join(STAMP), &lock)
            .unwrap_or_else(|e| fail(&format!("cannot write web/{STAMP}: {e}")));
    }
    let out = std::env::var("OUT_DIR").unwrap_or_else(|_| fail("cargo did not set OUT_DIR"));
    std::fs::copy(web.join(LIB), Path::new(&out).join("echarts.min.js"))
        .unwrap_or_else(|e| fail(&format!("cannot copy web/{LIB}: {e}")));
}

fn fail(msg: &str) -> ! {
    // One clear line in cargo's output, then a failed build.
    println!("cargo:warning=flywheel-server: {msg}");
    eprintln!("error: flywheel-server: {msg}");
    std::process::exit(1);
}
