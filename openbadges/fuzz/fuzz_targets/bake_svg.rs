//! Baking into any SVG, then extracting, gives back exactly what was baked.
#![no_main]
use libfuzzer_sys::fuzz_target;
use openbadges::baking::{BadgeVersion, Limits, extract, svg};

fuzz_target!(|data: &[u8]| {
    let limits = Limits::default();
    let credential = r#"{"a":"]]> <x>"}"#;
    if let Ok(baked) = svg::bake(data, credential, &limits) {
        let got = extract(&baked, &limits).expect("our own output parses");
        let got = got.expect("our own output has the credential");
        assert_eq!(got.version, BadgeVersion::V3);
        assert_eq!(got.payload, credential);
    }
});
