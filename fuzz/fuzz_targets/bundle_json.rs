//! The bundle description reader of `flywheel interop bundle-hash`. Properties: nothing
//! panics; a refusal is one line of text; an accepted bundle seals (encodes and hashes).
#![no_main]

use flywheel_cli::{bundle_file, error};
use flywheel_protocol::interop::bundle::SealedBundle;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    match bundle_file::parse_bundle("fuzz.json", data) {
        Ok(bundle) => {
            let calls = bundle.calls.len();
            if let Ok(sealed) = SealedBundle::new(bundle) {
                assert_eq!(sealed.bundle.calls.len(), calls);
            }
        }
        Err(e) => {
            let line = error::one_line(&e);
            assert!(!line.chars().any(char::is_control), "{line:?}");
            assert_eq!(e.exit_code(), 2, "bad input is the user's: {line}");
        }
    }
});
