//! Interop with Digital Bazaar's JavaScript verifier (run by `scripts/test`).
//!
//! `interop write DIR`: signs credentials with our code (plain, with evidence, active
//! and revoked status, baked PNG and SVG) and writes them with the issuer's DID document,
//! the signed status list and `expected.json` (which must verify).
//! `interop check DIR`: verifies with our verifier what the JavaScript stack signed
//! (`js-signed.json`, its controller document `js-did.json`), and a tampered copy.

use std::{collections::HashMap, path::Path};

use openbadges::{
    baking::{self, Limits},
    keys::{SigningKey, did_document, verification_method},
    proof, status_list,
    verify::{self, Options},
};
use serde_json::{Value, json};

const DID: &str = "did:web:issuer.example:issuers:interop";
const LIST_URL: &str = "https://issuer.example/issuers/interop/status/revocation";
const CREATED: &str = "2026-01-05T10:00:00Z";

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    match (args.get(1).map(String::as_str), args.get(2)) {
        (Some("write"), Some(dir)) => write(Path::new(dir)),
        (Some("check"), Some(dir)) => check(Path::new(dir)),
        _ => Err("usage: interop write|check DIR".into()),
    }
}

fn base(name: &str) -> Value {
    json!({
        "@context": ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
        "id": format!("urn:uuid:00000000-0000-4000-8000-{:012}", name.len()),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": DID, "type": ["Profile"], "name": "Interop University", "url": "https://issuer.example", "email": "badges@issuer.example"},
        "validFrom": "2026-01-05T10:00:00Z",
        "name": name,
        "credentialSubject": {
            "id": "did:example:learner",
            "type": ["AchievementSubject"],
            "achievement": {
                "id": "https://issuer.example/achievements/teamwork",
                "type": ["Achievement"],
                "achievementType": "MicroCredential",
                "name": "Teamwork",
                "description": "Collaborates within a group.",
                "criteria": {"narrative": "Nominated by peers."},
                "creditsAvailable": 3
            }
        }
    })
}

fn write(dir: &Path) -> Result<(), Box<dyn std::error::Error>> {
    std::fs::create_dir_all(dir)?;
    let key = SigningKey::generate();
    let vm = verification_method(DID, &key.public_multibase());
    let save = |name: &str, v: &Value| {
        std::fs::write(
            dir.join(name),
            serde_json::to_string_pretty(v).unwrap_or_default(),
        )
    };

    let mut plain = base("Plain badge");
    proof::sign(&mut plain, &key, &vm, CREATED)?;
    save("plain.json", &plain)?;

    let mut evidence = base("Badge with evidence");
    evidence["evidence"] = json!([{
        "id": "urn:uuid:6b5a2c3e-7a8f-4d7a-9f50-0d3c1f2a9b11", "type": ["Evidence"],
        "name": "Capstone", "narrative": "A **project** with <b>markup</b> & quotes \"here\".", "genre": "Project"
    }]);
    proof::sign(&mut evidence, &key, &vm, CREATED)?;
    save("evidence.json", &evidence)?;

    let mut bits = status_list::Bitstring::default();
    bits.set(3, true);
    let mut list = status_list::list_credential(LIST_URL, json!(DID), "revocation", &bits, CREATED);
    proof::sign(&mut list, &key, &vm, CREATED)?;
    save("status-list.json", &list)?;

    let mut active = base("Active badge");
    active["credentialStatus"] = status_list::entry(LIST_URL, 1, "revocation");
    proof::sign(&mut active, &key, &vm, CREATED)?;
    save("active.json", &active)?;

    let mut revoked = base("Revoked badge");
    revoked["credentialStatus"] = status_list::entry(LIST_URL, 3, "revocation");
    proof::sign(&mut revoked, &key, &vm, CREATED)?;
    save("revoked.json", &revoked)?;

    let mut tampered = plain.clone();
    tampered["name"] = "Plain badge, edited".into();
    save("tampered.json", &tampered)?;

    let png = include_bytes!("../../server/tests/fixtures/badge.png");
    std::fs::write(
        dir.join("baked.png"),
        baking::bake(png, &evidence.to_string(), &Limits::default())?,
    )?;
    let svg = br#"<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"><circle r="4" cx="4" cy="4"/></svg>"#;
    std::fs::write(
        dir.join("baked.svg"),
        baking::bake(svg, &active.to_string(), &Limits::default())?,
    )?;

    save("did.json", &did_document(DID, &[key.public_multibase()]))?;
    save(
        "expected.json",
        &json!({
            "plain.json": "valid", "evidence.json": "valid", "active.json": "valid",
            "revoked.json": "revoked", "tampered.json": "tampered", "baked.png": "valid", "baked.svg": "valid"
        }),
    )?;
    println!("wrote interop fixtures to {}", dir.display());
    Ok(())
}

fn check(dir: &Path) -> Result<(), Box<dyn std::error::Error>> {
    let read = |name: &str| -> Result<Value, Box<dyn std::error::Error>> {
        Ok(serde_json::from_str(&std::fs::read_to_string(
            dir.join(name),
        )?)?)
    };
    let signed = read("js-signed.json")?;
    let controller = read("js-did.json")?;
    let mut resolver = HashMap::new();
    resolver.insert(
        controller["id"].as_str().unwrap_or_default().to_string(),
        controller.clone(),
    );
    let report = verify::verify(&signed, &resolver, &Options::default());
    let mut tampered = signed.clone();
    tampered["credentialSubject"]["achievement"]["name"] = "Leadership".into();
    let bad = verify::verify(&tampered, &resolver, &Options::default());
    let ok = report.is_good()
        && report
            .check("proof")
            .is_some_and(|c| c.outcome == verify::Outcome::Pass)
        && bad.verdict == verify::Verdict::NotVerified;
    println!(
        "rust verifier on JS-signed credential: {} (tampered copy: {})",
        report.verdict.as_str(),
        bad.verdict.as_str()
    );
    if ok {
        println!("interop check: 2 passed, 0 failed");
        Ok(())
    } else {
        println!("{report:#?}");
        Err("our verifier disagrees with the JavaScript signer".into())
    }
}
