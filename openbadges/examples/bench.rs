//! Benchmark: credentials signed and verified per second on this machine, and a signed
//! credential plus its DID document written to DIR so `interop/bench.mjs` can time
//! Digital Bazaar's verifier on the very same credential and print the ratio.
//!
//! Run with `--release`: `cargo run --release -p openbadges --example bench -- DIR`.

use std::{collections::HashMap, path::Path, time::Instant};

use openbadges::{
    keys::{SigningKey, did_document, verification_method},
    proof,
    verify::{self, Options},
};
use serde_json::json;

const DID: &str = "did:web:issuer.example:issuers:bench";

// The same allocator as the server binary: JSON-LD processing is allocation-bound.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::args().nth(1).ok_or("usage: bench DIR")?;
    let dir = Path::new(&dir);
    std::fs::create_dir_all(dir)?;
    let key = SigningKey::generate();
    let vm = verification_method(DID, &key.public_multibase());
    let unsigned = json!({
        "@context": ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
        "id": "urn:uuid:2f1e4c55-8a1d-4e1b-9a3f-6f6c2b7e9d10",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": DID, "type": ["Profile"], "name": "Bench University", "url": "https://issuer.example"},
        "validFrom": "2026-01-05T10:00:00Z",
        "name": "Data Literacy",
        "credentialSubject": {
            "id": "did:example:learner", "type": ["AchievementSubject"],
            "achievement": {
                "id": "https://issuer.example/achievements/data-literacy", "type": ["Achievement"],
                "achievementType": "MicroCredential", "name": "Data Literacy",
                "description": "Reads, questions and presents data responsibly.",
                "criteria": {"narrative": "Complete three component badges and a capstone."},
                "creditsAvailable": 3, "tag": ["data"]
            }
        },
        "evidence": [{"id": "urn:uuid:6b5a2c3e-7a8f-4d7a-9f50-0d3c1f2a9b11", "type": ["Evidence"], "name": "Capstone", "narrative": "An analysis of open data."}]
    });

    let rounds = 200;
    let start = Instant::now();
    let mut signed = unsigned.clone();
    for _ in 0..rounds {
        signed = unsigned.clone();
        proof::sign(&mut signed, &key, &vm, "2026-01-05T10:00:00Z")?;
    }
    let sign_rate = f64::from(rounds) / start.elapsed().as_secs_f64();

    let mut resolver = HashMap::new();
    let did_doc = did_document(DID, &[key.public_multibase()]);
    resolver.insert(DID.to_string(), did_doc.clone());
    let start = Instant::now();
    for _ in 0..rounds {
        let report = verify::verify(&signed, &resolver, &Options::default());
        if !report.is_good() {
            return Err("benchmark credential did not verify".into());
        }
    }
    let verify_rate = f64::from(rounds) / start.elapsed().as_secs_f64();

    println!(
        "rust (openbadges): {sign_rate:.0} credentials signed/s, {verify_rate:.0} verified/s ({rounds} rounds each, 1 thread)"
    );
    std::fs::write(
        dir.join("bench-credential.json"),
        serde_json::to_string(&signed)?,
    )?;
    std::fs::write(dir.join("bench-did.json"), serde_json::to_string(&did_doc)?)?;
    std::fs::write(
        dir.join("bench-rust.json"),
        serde_json::to_string(&json!({"sign_per_sec": sign_rate, "verify_per_sec": verify_rate}))?,
    )?;
    Ok(())
}
