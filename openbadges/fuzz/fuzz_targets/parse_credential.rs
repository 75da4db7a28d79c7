//! Any text as credential JSON (or a VC-JWT): parsing and verification must return a
//! report, never panic.
#![no_main]
use libfuzzer_sys::fuzz_target;
use openbadges::{jwt, model::OpenBadgeCredential, verify};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let _ = serde_json::from_str::<OpenBadgeCredential>(text);
    if let Ok(value) = serde_json::from_str::<serde_json::Value>(text) {
        let _ = verify::verify(&value, &verify::NoResolver, &verify::Options::default());
    }
    if jwt::looks_like_jwt(text) {
        let _ = jwt::verify_jwt(text, &verify::NoResolver, &verify::Options::default());
    }
});
