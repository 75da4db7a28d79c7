//! Compact JWS forms (OB 3.0 VC-JWT and OB 2.0 signed assertions) checked against the
//! independent fixtures' issuers, so arbitrary tokens reach the key lookup and the
//! signature check. Must return a report, never panic.
#![no_main]
use std::collections::HashMap;

use libfuzzer_sys::fuzz_target;
use openbadges::{input, jwt, ob2, verify};
use serde_json::Value;

const DOCUMENTS: &str = include_str!("../../tests/fixtures/independent/documents.json");

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    thread_local! {
        static WORLD: HashMap<String, Value> = serde_json::from_str(DOCUMENTS).unwrap_or_default();
    }
    let options = verify::Options::default();
    let _ = jwt::looks_like_jwt(text);
    let _ = jwt::key_id(text);
    let _ = jwt::credential_of(text);
    let _ = ob2::signed_assertion_of(text);
    WORLD.with(|world| {
        let _ = ob2::verify_signed(text, world, &options);
        let _ = jwt::verify_jwt(text, world, &options);
        if let Ok(read) = input::read_text(text) {
            let _ = read.references();
            let _ = input::verify(&read, world, &options);
        }
    });
});
