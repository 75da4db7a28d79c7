//! Open Badges 2.0 hosted verification on arbitrary documents: the input is a JSON
//! object whose `"input"` is what was uploaded (text, or an assertion object) and whose
//! other keys are the documents the resolver answers (URL -> JSON; a URL whose value is
//! `410` answers Gone). Reading and verifying must return a report, never panic.
#![no_main]
use std::collections::HashMap;

use libfuzzer_sys::fuzz_target;
use openbadges::{input, ob2, verify};
use serde_json::Value;

struct World(HashMap<String, Value>);

impl verify::Resolver for World {
    fn resolve(&self, url: &str) -> verify::Resolution {
        match self.0.get(url) {
            Some(Value::Number(n)) if n.as_u64() == Some(410) => verify::Resolution::Gone("410".into()),
            Some(Value::Null) => verify::Resolution::Unreachable("down".into()),
            Some(v) => verify::Resolution::Found(v.clone()),
            None => verify::Resolution::NotFound("404".into()),
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(Value::Object(mut map)) = serde_json::from_slice::<Value>(data) else { return };
    let Some(uploaded) = map.remove("input") else { return };
    let world = World(map.into_iter().collect());
    let options = verify::Options {
        now: None,
        recipient_email: Some("ada@example.org".into()),
    };
    match &uploaded {
        Value::String(text) => {
            if let Ok(read) = input::read_text(text) {
                let _ = read.references();
                let _ = input::verify(&read, &world, &options);
            }
            let _ = ob2::verify_hosted(None, Some(text), &world, &options);
        }
        other => {
            let _ = ob2::is_assertion(other);
            let _ = ob2::verify_hosted(Some(other), None, &world, &options);
            let _ = input::Input::Credential(other.clone()).references();
        }
    }
});
