//! Issuing and verifying Open Badges through the server: keys, DID documents, status
//! lists, signing, revocation, baking, and the `badgefolio credential` command.

#![allow(clippy::unwrap_used)]

mod common;

use app::server::issuing;
use openbadges::{
    baking::{self, Limits},
    verify::{Outcome, identity_hash},
};
use serde_json::Value;

const UNSIGNED: &str = include_str!("fixtures/unsigned-credential.json");

fn unsigned_for(email: &str) -> Value {
    let mut v: Value = serde_json::from_str(UNSIGNED).unwrap();
    v["credentialSubject"]["identifier"][0]["identityHash"] =
        identity_hash(email, "Pr0gram-Salt").into();
    v
}

async fn seeded(app: &common::TestApp) {
    server::seed::seed_demo(&app.state.db).await.unwrap();
}

async fn sign(app: &common::TestApp) -> issuing::Issued {
    issuing::sign_credential(
        &app.state.db,
        &app.state.settings,
        "demo",
        unsigned_for("ada@example.org"),
    )
    .await
    .unwrap()
}

async fn verify(
    app: &common::TestApp,
    cred: &Value,
    email: Option<&str>,
) -> openbadges::verify::Report {
    let bytes = cred.to_string().into_bytes();
    server::credential_cli::verify_bytes(
        &app.state.db,
        &app.state.settings,
        &bytes,
        email.map(str::to_string),
    )
    .await
    .unwrap()
}

fn outcome(r: &openbadges::verify::Report, id: &str) -> Outcome {
    r.check(id).unwrap().outcome
}

on_both_backends! {
    async fn signed_credentials_verify_with_every_check(app) {
        seeded(&app).await;
        let issued = sign(&app).await;
        let c = &issued.json;
        assert!(c["id"].as_str().unwrap().starts_with("urn:uuid:"));
        assert!(c["validFrom"].is_string());
        assert_eq!(c["issuer"]["id"], "did:web:127.0.0.1%3A3000:issuers:demo");
        assert_eq!(c["issuer"]["name"], "Demo University");
        assert_eq!(c["credentialStatus"]["type"], "BitstringStatusListEntry");
        assert!(c["proof"].is_array());
        let report = verify(&app, c, Some("ada@example.org")).await;
        assert!(report.valid, "{report:#?}");
        for id in ["format", "json_ld", "proof", "issuer_key", "validity", "status", "recipient"] {
            assert_eq!(outcome(&report, id), Outcome::Pass, "{id}: {report:#?}");
        }
        assert_eq!(outcome(&verify(&app, c, Some("eve@example.org")).await, "recipient"), Outcome::Fail);
        // Each credential gets its own status index.
        assert_eq!(sign(&app).await.status_index, issued.status_index + 1);
    }

    async fn tampering_and_foreign_keys_fail_with_the_right_check(app) {
        seeded(&app).await;
        let c = sign(&app).await.json;
        let mut tampered = c.clone();
        tampered["credentialSubject"]["achievement"]["name"] = "Data Wizardry".into();
        let r = verify(&app, &tampered, None).await;
        assert!(!r.valid);
        assert_eq!(outcome(&r, "proof"), Outcome::Fail);

        // Signed by a key the institution never published.
        let mut forged = c.clone();
        forged.as_object_mut().unwrap().remove("proof");
        let rogue = openbadges::keys::SigningKey::generate();
        let vm = format!("did:web:127.0.0.1%3A3000:issuers:demo#{}", rogue.public_multibase());
        openbadges::proof::sign(&mut forged, &rogue, &vm, "2026-01-01T00:00:00Z").unwrap();
        let r = verify(&app, &forged, None).await;
        assert!(!r.valid);
        assert_eq!(outcome(&r, "issuer_key"), Outcome::Fail);
    }

    async fn revocation_flips_the_served_list_at_once(app) {
        seeded(&app).await;
        let issued = sign(&app).await;
        let id = issued.json["id"].as_str().unwrap().to_string();
        let before = app.get("/issuers/demo/status/revocation", None).await;
        assert_eq!(before.status, 200);
        assert_eq!(before.header("cache-control"), Some("no-store"));
        let list: Value = serde_json::from_str(&before.body).unwrap();
        assert_eq!(list["type"][1], "BitstringStatusListCredential");
        // Signed once, then served as stored.
        assert_eq!(app.get("/issuers/demo/status/revocation", None).await.body, before.body);
        let bits = openbadges::status_list::Bitstring::decode(list["credentialSubject"]["encodedList"].as_str().unwrap()).unwrap();
        assert!(bits.len() >= 131_072);
        assert_eq!(bits.get(issued.status_index as usize), Some(false));

        issuing::revoke(&app.state.db, &id, "issued in error").await.unwrap();
        let after: Value = serde_json::from_str(&app.get("/issuers/demo/status/revocation", None).await.body).unwrap();
        let bits = openbadges::status_list::Bitstring::decode(after["credentialSubject"]["encodedList"].as_str().unwrap()).unwrap();
        assert_eq!(bits.get(issued.status_index as usize), Some(true));
        let r = verify(&app, &issued.json, None).await;
        assert!(!r.valid);
        assert_eq!(outcome(&r, "status"), Outcome::Fail);
        assert_eq!(outcome(&r, "proof"), Outcome::Pass);
    }

    async fn rotated_keys_keep_old_credentials_verifiable(app) {
        seeded(&app).await;
        let old = sign(&app).await.json;
        let inst = issuing::institution(&app.state.db, "demo").await.unwrap();
        issuing::rotate_key(&app.state.db, inst.id).await.unwrap();
        let new = sign(&app).await.json;
        assert_ne!(old["proof"][0]["verificationMethod"], new["proof"][0]["verificationMethod"]);
        let doc: Value = serde_json::from_str(&app.get("/issuers/demo/did.json", None).await.body).unwrap();
        assert_eq!(doc["verificationMethod"].as_array().unwrap().len(), 2);
        assert!(verify(&app, &old, None).await.valid);
        assert!(verify(&app, &new, None).await.valid);
    }

    async fn issuer_documents_are_public_and_hold_no_secrets(app) {
        seeded(&app).await;
        sign(&app).await;
        let did = app.get("/issuers/demo/did.json", None).await;
        assert_eq!(did.status, 200);
        let doc: Value = serde_json::from_str(&did.body).unwrap();
        assert_eq!(doc["id"], "did:web:127.0.0.1%3A3000:issuers:demo");
        assert_eq!(doc["assertionMethod"][0], doc["verificationMethod"][0]["id"]);
        let profile = app.get("/issuers/demo", None).await;
        assert_eq!(profile.status, 200);
        assert!(profile.body.contains("Demo University"));
        use sea_orm::EntityTrait;
        let keys = app::server::entities::issuer_key::Entity::find().all(&app.state.db).await.unwrap();
        for k in keys {
            for body in [&did.body, &profile.body, &app.get("/issuers/demo/status/revocation", None).await.body] {
                assert!(!body.contains(&k.secret_key), "secret key leaked");
            }
            assert!(!format!("{k:?}").contains(&k.secret_key));
        }
        let missing = app.get("/issuers/nope/did.json", None).await;
        assert_eq!(missing.status, 404);
        assert_eq!(missing.code(), "not_found");
    }

    async fn baked_png_and_svg_verify(app) {
        seeded(&app).await;
        let c = sign(&app).await.json.to_string();
        let svg = br#"<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"><circle r="4" cx="4" cy="4"/></svg>"#;
        let baked = baking::bake(svg, &c, &Limits::default()).unwrap();
        let r = server::credential_cli::verify_bytes(&app.state.db, &app.state.settings, &baked, None).await.unwrap();
        assert!(r.valid, "{r:#?}");
        let png = include_bytes!("fixtures/badge.png");
        let baked = baking::bake(png, &c, &Limits::default()).unwrap();
        let r = server::credential_cli::verify_bytes(&app.state.db, &app.state.settings, &baked, None).await.unwrap();
        assert!(r.valid, "{r:#?}");
        let plain = server::credential_cli::verify_bytes(&app.state.db, &app.state.settings, png, None).await;
        assert!(plain.unwrap_err().contains("does not contain a badge"));
    }

    async fn signing_rejects_bad_input_clearly(app) {
        seeded(&app).await;
        let err = issuing::sign_credential(&app.state.db, &app.state.settings, "demo", serde_json::json!([1])).await.unwrap_err();
        assert!(matches!(err, app::server::ServerError::User(_)), "{err:?}");
        let mut undefined = unsigned_for("ada@example.org");
        undefined["favouriteColour"] = "blue".into();
        let err = issuing::sign_credential(&app.state.db, &app.state.settings, "demo", undefined).await.unwrap_err();
        assert!(err.to_string().contains("cannot be signed") || format!("{err:?}").contains("Invalid"), "{err:?}");
        let err = issuing::sign_credential(&app.state.db, &app.state.settings, "nope", unsigned_for("a@b.org")).await.unwrap_err();
        assert!(matches!(err, app::server::ServerError::User(app::error::AppError::NotFound)));
    }
}

/// The `badgefolio credential` command, end to end on a SQLite data directory.
#[test]
fn credential_command_signs_verifies_and_revokes() {
    use std::process::Command;
    let dir = tempfile::tempdir().unwrap();
    let bin = env!("CARGO_BIN_EXE_badgefolio");
    let run = |args: &[&str]| {
        Command::new(bin)
            .args(args)
            .env("BADGEFOLIO_DATA_DIR", dir.path())
            .env_remove("BADGEFOLIO_DATABASE_URL")
            .env("RUST_LOG", "warn")
            .output()
            .unwrap()
    };
    let seeded = run(&["seed-demo"]);
    assert!(seeded.status.success());
    assert!(
        String::from_utf8_lossy(&seeded.stdout).contains("ada@example.org"),
        "logins are printed"
    );

    // create-user: a reviewer of the demo institution; the same email twice is refused.
    let create = |email: &str| {
        Command::new(bin)
            .args([
                "create-user",
                "--email",
                email,
                "--name",
                "Rita Reviewer",
                "--role",
                "reviewer",
                "--institution",
                "demo",
            ])
            .env("BADGEFOLIO_DATA_DIR", dir.path())
            .env_remove("BADGEFOLIO_DATABASE_URL")
            .env("BADGEFOLIO_NEW_USER_PASSWORD", "a long enough passphrase")
            .output()
            .unwrap()
    };
    assert!(create("rita@example.edu").status.success());
    let again = create("RITA@example.edu");
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));
    let unsigned = dir.path().join("unsigned.json");
    std::fs::write(&unsigned, unsigned_for("ada@example.org").to_string()).unwrap();
    let signed = run(&[
        "credential",
        "sign",
        "--institution",
        "demo",
        unsigned.to_str().unwrap(),
    ]);
    assert!(
        signed.status.success(),
        "{}",
        String::from_utf8_lossy(&signed.stderr)
    );
    let signed_path = dir.path().join("signed.json");
    std::fs::write(&signed_path, &signed.stdout).unwrap();
    let cred: Value = serde_json::from_slice(&signed.stdout).unwrap();

    let ok = run(&[
        "credential",
        "verify",
        signed_path.to_str().unwrap(),
        "--recipient",
        "ada@example.org",
    ]);
    let text = String::from_utf8_lossy(&ok.stdout);
    assert_eq!(ok.status.code(), Some(0), "{text}");
    assert!(text.starts_with("✔ Valid: Data Literacy"), "{text}");

    let json = run(&[
        "credential",
        "verify",
        "--json",
        signed_path.to_str().unwrap(),
    ]);
    let report: Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(report["valid"], true);

    let revoked = run(&["credential", "revoke", cred["id"].as_str().unwrap()]);
    assert!(revoked.status.success());
    let bad = run(&["credential", "verify", signed_path.to_str().unwrap()]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&bad.stdout).contains("revoked"));

    let garbage = dir.path().join("garbage.bin");
    std::fs::write(&garbage, b"\x00\x01garbage").unwrap();
    assert_eq!(
        run(&["credential", "verify", garbage.to_str().unwrap()])
            .status
            .code(),
        Some(1)
    );
}
