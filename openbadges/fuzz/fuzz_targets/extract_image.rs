//! Any bytes, as a PNG or SVG: extraction must return, never panic or run away.
#![no_main]
use libfuzzer_sys::fuzz_target;
use openbadges::baking::{Limits, extract, png, svg};

fuzz_target!(|data: &[u8]| {
    let limits = Limits::default();
    let _ = extract(data, &limits);
    let _ = png::extract(data, &limits);
    let _ = svg::extract(data, &limits);
});
