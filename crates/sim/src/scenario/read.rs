//! Reading and writing scenarios: TOML text and files in (bounded in bytes, CSV sources loaded
//! relative to the file), TOML and JSON out with every default filled in.

use super::error::{parse_error, ScenarioError};
use super::limits::MAX_SCENARIO_BYTES;
use super::types::Scenario;

/// Refuses anything but a regular file (a folder, a FIFO, a device, a socket), from its metadata
/// before it is opened: opening a FIFO blocks until a writer comes, and a device may never end.
/// Symbolic links are followed (a link to a regular file is fine).
pub fn check_regular(path: &std::path::Path) -> Result<(), String> {
    let t = std::fs::metadata(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?
        .file_type();
    match not_regular(t) {
        None => Ok(()),
        Some(kind) => Err(format!("{}: not a regular file ({kind})", path.display())),
    }
}

/// What a file type is if it is not a regular file (`a folder`, `a FIFO`, …), for messages.
pub fn not_regular(t: std::fs::FileType) -> Option<&'static str> {
    use std::os::unix::fs::FileTypeExt;
    Some(if t.is_file() {
        return None;
    } else if t.is_dir() {
        "a folder"
    } else if t.is_fifo() {
        "a FIFO"
    } else if t.is_char_device() {
        "a character device"
    } else if t.is_block_device() {
        "a block device"
    } else if t.is_socket() {
        "a socket"
    } else {
        "not a file"
    })
}

/// Reads at most `limit` bytes of the regular file `path` (see [`check_regular`]) as UTF-8
/// text; a longer file is refused before more than `limit + 1` bytes are read.
pub fn read_limited(path: &std::path::Path, limit: u64) -> Result<String, String> {
    use std::io::Read;
    check_regular(path)?;
    let file =
        std::fs::File::open(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let mut bytes = Vec::new();
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    if bytes.len() as u64 > limit {
        return Err(format!(
            "{} is larger than the {limit}-byte limit",
            path.display()
        ));
    }
    String::from_utf8(bytes).map_err(|e| format!("{} is not UTF-8 text: {e}", path.display()))
}

impl Scenario {
    /// Parses TOML text (unknown and duplicate keys are errors).
    pub fn from_toml(text: &str) -> Result<Self, ScenarioError> {
        if text.len() as u64 > MAX_SCENARIO_BYTES {
            return Err(ScenarioError::new(
                "(file)",
                format!(
                    "{} bytes is larger than the {MAX_SCENARIO_BYTES}-byte limit",
                    text.len()
                ),
            ));
        }
        toml::from_str(text).map_err(|e| parse_error(text, &e))
    }

    /// The whole scenario as JSON, every default filled in (unset optional keys left out):
    /// what a report records as its input.
    pub fn to_json(&self) -> Result<serde_json::Value, ScenarioError> {
        let mut v = serde_json::to_value(self)
            .map_err(|e| ScenarioError::new("(file)", format!("cannot serialise: {e}")))?;
        crate::schema::strip_nulls(&mut v);
        Ok(v)
    }

    /// The whole scenario as TOML, every default filled in; it parses back to `self` (CSV
    /// sources by their paths).
    pub fn to_toml(&self) -> Result<String, ScenarioError> {
        toml::to_string(&self.to_json()?)
            .map_err(|e| ScenarioError::new("(file)", format!("cannot write TOML: {e}")))
    }

    /// Reads a scenario file (at most [`MAX_SCENARIO_BYTES`]): parses it and loads the CSV
    /// sources it names, relative to the file's folder.
    pub fn from_file(path: &std::path::Path) -> Result<Self, ScenarioError> {
        let text = read_limited(path, MAX_SCENARIO_BYTES)
            .map_err(|problem| ScenarioError::new("(file)", problem))?;
        let mut s = Self::from_toml(&text)?;
        let base = path.parent().unwrap_or(std::path::Path::new("."));
        s.load_files(base)?;
        Ok(s)
    }

    /// Loads every CSV source the scenario names, relative to `base`.
    pub fn load_files(&mut self, base: &std::path::Path) -> Result<(), ScenarioError> {
        self.traffic.load("traffic", base)?;
        self.prices.zk.load("prices.zk", base)?;
        self.prices.eth.load("prices.eth", base)?;
        crate::prividium::load_files(self, base)
    }
}
