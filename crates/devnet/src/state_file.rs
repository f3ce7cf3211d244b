//! `--state` / `--dump-state`: the devnet saved as its layout, genesis time, protocol event
//! log, and each chain's block records, transactions with receipts and EVM accounts. Loading replays the log (the protocol's own way to rebuild state), so a
//! saved devnet comes back exactly; saving is atomic (a temporary sibling renamed into place),
//! so a crash or Ctrl-C mid-write never leaves half a file.

use crate::error::DevnetError;
use crate::node::{Devnet, SavedDevnet};
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::Path;

/// The `format` field of a state file.
pub const FORMAT: &str = "flywheel-devnet-state";
/// The version this build writes and reads.
pub const VERSION: u32 = 2;

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct StateFile {
    format: String,
    version: u32,
    devnet: SavedDevnet,
}

fn file_err(path: &Path, message: impl Into<String>) -> DevnetError {
    DevnetError::StateFile {
        path: path.to_path_buf(),
        message: message.into(),
    }
}

/// Writes the devnet to `path` atomically.
pub fn save(devnet: &Devnet, path: &Path) -> Result<(), DevnetError> {
    let file = StateFile {
        format: FORMAT.into(),
        version: VERSION,
        devnet: devnet.saved(),
    };
    let name = path
        .file_name()
        .ok_or_else(|| file_err(path, "not a file name"))?
        .to_string_lossy();
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty());
    let temp = dir
        .unwrap_or_else(|| Path::new("."))
        .join(format!(".{name}.tmp-{}", std::process::id()));
    let write = || -> std::io::Result<()> {
        let f = std::fs::File::create(&temp)?;
        let mut w = std::io::BufWriter::new(f);
        serde_json::to_writer(&mut w, &file)?;
        w.flush()?;
        w.get_ref().sync_all()?;
        std::fs::rename(&temp, path)
    };
    write().map_err(|e| {
        let _ = std::fs::remove_file(&temp);
        file_err(path, format!("cannot write: {e}"))
    })
}

/// Reads a devnet from `path`.
pub fn load(path: &Path) -> Result<Devnet, DevnetError> {
    let text = crate::files::read_state(path).map_err(|source| DevnetError::File {
        flag: "--state",
        path: path.to_path_buf(),
        source,
    })?;
    let file: StateFile =
        serde_json::from_slice(&text).map_err(|e| file_err(path, format!("malformed: {e}")))?;
    if file.format != FORMAT || file.version != VERSION {
        return Err(file_err(
            path,
            format!(
                "format {:?} version {} is not {FORMAT:?} version {VERSION}",
                file.format, file.version
            ),
        ));
    }
    Devnet::restore(file.devnet).map_err(|m| file_err(path, m))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Layout;

    fn temp_dir(tag: &str) -> std::path::PathBuf {
        let d = std::env::temp_dir().join(format!("flywheel-devnet-{tag}-{}", std::process::id()));
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    fn a_saved_devnet_loads_to_the_same_state() {
        let dir = temp_dir("roundtrip");
        let path = dir.join("state.json");
        let mut d = Devnet::new(Layout::with_l2s(1), 1_700_000_123).unwrap();
        let dev = d.accounts()[0].address;
        let send = crate::rpc::Call {
            id: None,
            method: "eth_sendTransaction".into(),
            params: serde_json::json!([{"from": dev, "to": dev, "value": "0x1"}]),
        };
        let hash = d.call(2, &send).unwrap();
        save(&d, &path).unwrap();
        let back = load(&path).unwrap();
        assert_eq!(back.network().state(), d.network().state());
        assert_eq!(back.layout(), d.layout());
        assert_eq!(back.block_records(), d.block_records());
        // Blocks keep their hashes, the receipt and the nonce survive.
        let (a, b) = (back.node(2).unwrap(), d.node(2).unwrap());
        assert_eq!(a.hashes(), b.hashes());
        assert_eq!(a.evm, b.evm);
        let hash: alloy_primitives::B256 = serde_json::from_value(hash).unwrap();
        assert_eq!(a.txs.get(&hash), b.txs.get(&hash));
        assert!(a.txs.contains_key(&hash));
        // Only the file itself is left: no temporary sibling.
        let names: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("state.json")]);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn foreign_or_damaged_files_are_refused() {
        let dir = temp_dir("bad");
        let path = dir.join("s.json");
        std::fs::write(&path, "{\"format\":\"x\"").unwrap();
        assert!(load(&path).unwrap_err().to_string().contains("malformed"));
        let d = Devnet::new(Layout::with_l2s(1), 1).unwrap();
        save(&d, &path).unwrap();
        let text = std::fs::read_to_string(&path)
            .unwrap()
            .replace("\"version\":2", "\"version\":9");
        std::fs::write(&path, text).unwrap();
        assert!(load(&path).unwrap_err().to_string().contains("version 9"));
        assert!(load(&dir.join("missing.json")).is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
