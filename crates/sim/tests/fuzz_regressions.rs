//! Inputs the fuzz targets (`/fuzz`) found to break a property, kept as regression tests: each
//! file under `tests/fuzz_regressions/` is checked for the property that failed.

// A test crate: a panic is how a check fails (the workspace denies these outside tests).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use flywheel_sim::scenario::Scenario;

/// `scenario_toml`: a refusal names a key. A malformed table header once gave an empty key
/// (an error reading "scenario key ``: …").
#[test]
fn scenario_errors_always_name_a_key() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz_regressions");
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).expect("the regression folder") {
        let path = entry.expect("an entry").path();
        if !path
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with("scenario_toml-"))
        {
            continue;
        }
        seen += 1;
        let text = String::from_utf8_lossy(&std::fs::read(&path).expect("readable")).into_owned();
        let errors = match Scenario::from_toml(&text) {
            Ok(s) => s.validate().err().into_iter().collect(),
            Err(e) => vec![e],
        };
        for e in errors {
            assert!(!e.key.trim().is_empty(), "{}: {e}", path.display());
        }
    }
    assert!(
        seen > 0,
        "no scenario_toml regression inputs in {}",
        dir.display()
    );
    for text in ["[\nname = 1", "[\"\"]\n", "[ ]\n", "[[]]\n", "[.]\n"] {
        let e = Scenario::from_toml(text).unwrap_err();
        assert!(!e.key.trim().is_empty(), "{text:?}: {e}");
    }
}
