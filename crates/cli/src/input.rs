//! Bounded reads of what users point `flywheel` at. A file or stdin is read up to its limit
//! plus one byte, so `yes |` or a huge file is refused after a bounded read instead of growing
//! memory without end; a path that is not a regular file (a folder, a FIFO, `/dev/zero`) is
//! refused from its metadata before it is opened.

use crate::error::CliError;
use std::io::Read;
use std::path::Path;

/// Reads `path` (or stdin for `-`) as bytes, at most `limit`. Returns the name to use in
/// errors (`<stdin>` for `-`) and the bytes.
pub fn read(path: &Path, limit: u64) -> Result<(String, Vec<u8>), CliError> {
    let (name, reader): (String, Box<dyn Read>) = if path.as_os_str() == "-" {
        ("<stdin>".to_string(), Box::new(std::io::stdin()))
    } else {
        let name = path.display().to_string();
        let meta = std::fs::metadata(path).map_err(|source| CliError::Read {
            path: name.clone(),
            source,
        })?;
        if let Some(kind) = flywheel_sim::scenario::not_regular(meta.file_type()) {
            return Err(CliError::field(
                name,
                format!("not a regular file ({kind})"),
            ));
        }
        let file = std::fs::File::open(path).map_err(|source| CliError::Read {
            path: name.clone(),
            source,
        })?;
        (name, Box::new(file))
    };
    let bytes = read_at_most(reader, limit).map_err(|source| CliError::Read {
        path: name.clone(),
        source,
    })?;
    if bytes.len() as u64 > limit {
        return Err(CliError::field(
            name,
            format!("larger than the {limit}-byte input limit"),
        ));
    }
    Ok((name, bytes))
}

/// Up to `limit + 1` bytes of `reader`: one more than allowed tells "too large" apart.
fn read_at_most(reader: impl Read, limit: u64) -> std::io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    reader
        .take(limit.saturating_add(1))
        .read_to_end(&mut bytes)?;
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endless_input_is_cut_off_and_devices_refused() {
        let e = read(Path::new("/dev/zero"), 4096).unwrap_err();
        assert_eq!(e.exit_code(), 2);
        assert!(
            e.to_string()
                .contains("not a regular file (a character device)"),
            "{e}"
        );
        let bytes = read_at_most(std::io::repeat(b'y'), 10).unwrap();
        assert_eq!(bytes.len(), 11);
    }
}
