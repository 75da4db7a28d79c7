//! Issuing and verifying Open Badges through the server: keys, DID documents, status
//! lists, signing, revocation, baking, and the `badgefolio credential` command.

#![allow(clippy::unwrap_used)]

mod common;

use app::server::issuing;
use openbadges::{
    baking::{self, Limits},
    verify::{Outcome, Report, Standing, Verdict, identity_hash},
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
    server::seed::seed_demo(&app.state.db, &app.state.settings)
        .await
        .unwrap();
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

async fn verify_raw(
    app: &common::TestApp,
    bytes: &[u8],
    email: Option<&str>,
) -> Result<Report, String> {
    app::server::verification::verify_bytes(
        &app.state.db,
        &app.state.settings,
        bytes.to_vec(),
        email.map(str::to_string),
    )
    .await
    .unwrap()
    .map_err(|e| e.to_string())
}

async fn verify(app: &common::TestApp, cred: &Value, email: Option<&str>) -> Report {
    verify_raw(app, cred.to_string().as_bytes(), email)
        .await
        .unwrap()
}

fn outcome(r: &Report, id: &str) -> Outcome {
    r.check(id).unwrap().outcome
}

async fn revoke(app: &common::TestApp, id: &str) {
    issuing::revoke(&app.state.db, &app.state.settings, id, "issued in error")
        .await
        .unwrap();
}

/// A credential signed with a key we never published, as if by another library.
fn forged(issuer: &str, name: &str) -> Value {
    let mut c = unsigned_for("ada@example.org");
    c["id"] = "urn:uuid:3f5b6d0e-9a51-4a35-9d6b-4b7c1c2d3e4f".into();
    c["validFrom"] = "2026-01-01T00:00:00Z".into();
    c["issuer"] = serde_json::json!({"id": issuer, "type": ["Profile"], "name": "Somewhere"});
    let key = openbadges::keys::SigningKey::generate();
    let vm = openbadges::keys::verification_method(issuer, &key.public_multibase());
    openbadges::proof::sign(&mut c, &key, &vm, "2026-01-01T00:00:00Z").unwrap();
    // Changed after signing.
    c["credentialSubject"]["achievement"]["name"] = name.into();
    c
}

/// An EdDSA VC-JWT signed with a key that only its own `jwk` header vouches for.
fn jwt_with_its_own_key(credential: &Value) -> String {
    use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};
    let key = openbadges::keys::SigningKey::generate();
    let multikey = bs58::decode(&key.public_multibase()[1..])
        .into_vec()
        .unwrap();
    let x = URL_SAFE_NO_PAD.encode(&multikey[2..]);
    let header = serde_json::json!({"alg": "EdDSA", "typ": "JWT",
        "jwk": {"kty": "OKP", "crv": "Ed25519", "x": x}});
    let mut claims = credential.clone();
    claims["iss"] = credential["issuer"]["id"].clone();
    let signing_input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    let sig = key.sign(signing_input.as_bytes());
    format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(sig))
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
        assert_eq!((report.verdict, report.standing), (Verdict::Verified, Standing::Active), "{report:#?}");
        assert_eq!(report.signer.as_deref(), Some("the web domain 127.0.0.1:3000 (/issuers/demo)"));
        for id in ["format", "json_ld", "proof", "issuer_key", "validity", "status", "recipient"] {
            assert_eq!(outcome(&report, id), Outcome::Pass, "{id}: {report:#?}");
        }
        let wrong = verify(&app, c, Some("eve@example.org")).await;
        assert_eq!(outcome(&wrong, "recipient"), Outcome::Fail);
        assert_eq!(wrong.verdict, Verdict::NotVerified);
        // Each credential gets its own status index.
        assert_eq!(sign(&app).await.status_index, issued.status_index + 1);
    }

    async fn tampering_and_foreign_keys_are_not_verified(app) {
        seeded(&app).await;
        let c = sign(&app).await.json;
        let mut tampered = c.clone();
        tampered["credentialSubject"]["achievement"]["name"] = "Data Wizardry".into();
        let r = verify(&app, &tampered, None).await;
        assert_eq!(r.verdict, Verdict::NotVerified);
        assert_eq!(r.reason().map(|c| c.id), Some("proof"));

        // Signed by a key the institution never published.
        let mut forged = c.clone();
        forged.as_object_mut().unwrap().remove("proof");
        let rogue = openbadges::keys::SigningKey::generate();
        let vm = format!("did:web:127.0.0.1%3A3000:issuers:demo#{}", rogue.public_multibase());
        openbadges::proof::sign(&mut forged, &rogue, &vm, "2026-01-01T00:00:00Z").unwrap();
        let r = verify(&app, &forged, None).await;
        assert_eq!(r.verdict, Verdict::NotVerified);
        assert_eq!(r.reason().map(|c| c.id), Some("issuer_key"));
    }

    async fn forgeries_from_unknown_issuers_are_never_verified(app) {
        seeded(&app).await;
        // An issuer on another site: its documents cannot be had, so it is unverifiable.
        let r = verify(&app, &forged("did:web:elsewhere.example", "PhD in Everything"), None).await;
        assert_eq!(r.verdict, Verdict::Unverifiable, "{r:#?}");
        assert!(r.reason().unwrap().message.contains("could not be retrieved"), "{r:#?}");
        assert!(!r.is_good());
        // An unknown institution on our own host: it does not exist, so not verified.
        let r = verify(&app, &forged("did:web:127.0.0.1%3A3000:issuers:ghost", "PhD in Everything"), None).await;
        assert_eq!(r.verdict, Verdict::NotVerified, "{r:#?}");
        assert_eq!(r.reason().map(|c| c.id), Some("issuer_key"));
        // A JWT that vouches for itself with the key it carries.
        let unsigned = forged("did:web:127.0.0.1%3A3000:issuers:demo", "Teamwork");
        let r = verify_raw(&app, jwt_with_its_own_key(&unsigned).as_bytes(), None).await.unwrap();
        assert_eq!(r.verdict, Verdict::NotVerified, "{r:#?}");
        assert!(r.reason().unwrap().message.contains("carries its own key"), "{r:#?}");
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
        // Served as stored.
        assert_eq!(app.get("/issuers/demo/status/revocation", None).await.body, before.body);
        let bits = openbadges::status_list::Bitstring::decode(list["credentialSubject"]["encodedList"].as_str().unwrap()).unwrap();
        assert!(bits.len() >= 131_072);
        assert_eq!(bits.get(issued.status_index as usize), Some(false));

        revoke(&app, &id).await;
        let after: Value = serde_json::from_str(&app.get("/issuers/demo/status/revocation", None).await.body).unwrap();
        let bits = openbadges::status_list::Bitstring::decode(after["credentialSubject"]["encodedList"].as_str().unwrap()).unwrap();
        assert_eq!(bits.get(issued.status_index as usize), Some(true));
        let r = verify(&app, &issued.json, None).await;
        assert_eq!((r.verdict, r.standing), (Verdict::Verified, Standing::Revoked), "{r:#?}");
        assert_eq!(outcome(&r, "status"), Outcome::Fail);
        assert_eq!(outcome(&r, "proof"), Outcome::Pass);
        // Revoking again changes nothing and is no error.
        revoke(&app, &id).await;
    }

    async fn rotated_keys_keep_old_credentials_verifiable(app) {
        seeded(&app).await;
        let old = sign(&app).await.json;
        issuing::rotate_key(&app.state.db, &app.state.settings, "demo").await.unwrap();
        let new = sign(&app).await.json;
        assert_ne!(old["proof"][0]["verificationMethod"], new["proof"][0]["verificationMethod"]);
        let doc: Value = serde_json::from_str(&app.get("/issuers/demo/did.json", None).await.body).unwrap();
        assert_eq!(doc["verificationMethod"].as_array().unwrap().len(), 2);
        assert_eq!(doc["assertionMethod"].as_array().unwrap().len(), 2);
        assert!(verify(&app, &old, None).await.is_good());
        assert!(verify(&app, &new, None).await.is_good());
    }

    async fn a_compromised_key_stops_verifying_what_it_signed(app) {
        seeded(&app).await;
        let old = sign(&app).await.json;
        let vm = old["proof"][0]["verificationMethod"].as_str().unwrap();
        let public = vm.split('#').nth(1).unwrap();
        issuing::mark_compromised(&app.state.db, &app.state.settings, "demo", public).await.unwrap();
        let r = verify(&app, &old, None).await;
        assert_eq!(r.verdict, Verdict::NotVerified, "{r:#?}");
        assert!(r.reason().unwrap().message.contains("not authorised"), "{r:#?}");
        // Still listed (so reports can say what happened), no longer for issuing.
        let doc: Value = serde_json::from_str(&app.get("/issuers/demo/did.json", None).await.body).unwrap();
        assert_eq!(doc["verificationMethod"].as_array().unwrap().len(), 2);
        assert!(!doc["assertionMethod"].to_string().contains(public));
        // A new key took over, and the status list was re-signed with it.
        let new = sign(&app).await.json;
        let r = verify(&app, &new, None).await;
        assert!(r.is_good(), "{r:#?}");
        let err = issuing::mark_compromised(&app.state.db, &app.state.settings, "demo", "z6MkNope").await.unwrap_err();
        assert!(matches!(err, app::server::ServerError::User(app::error::AppError::NotFound)));
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
            let secret = app.state.settings.secrets.open(&k.secret_key, &k.public_key).unwrap();
            assert!(!k.secret_key.contains(&secret), "sealed at rest");
            for body in [&did.body, &profile.body, &app.get("/issuers/demo/status/revocation", None).await.body] {
                assert!(!body.contains(&k.secret_key) && !body.contains(&secret), "secret key leaked");
            }
            assert!(!format!("{k:?}").contains(&k.secret_key));
        }
        let missing = app.get("/issuers/nope/did.json", None).await;
        assert_eq!(missing.status, 404);
        assert_eq!(missing.code(), "not_found");
        for path in ["/issuers/demo/status/revocation/0", "/issuers/demo/status/revocation/01",
                     "/issuers/demo/status/revocation/1", "/issuers/demo/status/other"] {
            assert_eq!(app.get(path, None).await.status, 404, "{path}");
        }
    }

    async fn every_url_we_emit_is_served_and_recognised(app) {
        use app::server::urls::{self, PublicUrl};
        seeded(&app).await;
        let mut small = app.sibling();
        small.set_status_list_capacity(1);
        issuing::create_institution(&small.state.db, &small.state.settings, issuing::NewInstitution {
            slug: "tiny".into(), name: "Tiny College".into(), url: String::new(), email: String::new(),
        }).await.unwrap();
        let sign_tiny = || issuing::sign_credential(&small.state.db, &small.state.settings, "tiny", unsigned_for("ada@example.org"));
        let first = sign_tiny().await.unwrap().json;
        let second = sign_tiny().await.unwrap().json;
        sign(&app).await;
        let base = app.state.settings.public_url.clone();
        let mut emitted: Vec<String> = Vec::new();
        for c in [&first, &second] {
            let did = c["issuer"]["id"].as_str().unwrap();
            emitted.push(urls::did_document_url(&base, did).expect("our DID resolves to our URL"));
            emitted.push(c["credentialStatus"]["statusListCredential"].as_str().unwrap().to_string());
            let vm = c["proof"][0]["verificationMethod"].as_str().unwrap();
            assert_eq!(vm.split('#').next(), Some(did), "keys live in the issuer's DID document");
        }
        emitted.push(PublicUrl::IssuerProfile { slug: "tiny".into() }.to_url(&base));
        for path in ["/issuers/tiny/status/revocation", "/issuers/tiny/status/revocation/1"] {
            let list: Value = serde_json::from_str(&app.get(path, None).await.body).unwrap();
            emitted.push(list["id"].as_str().unwrap().to_string());
            emitted.push(urls::did_document_url(&base, list["issuer"].as_str().unwrap()).unwrap());
        }
        emitted.sort();
        emitted.dedup();
        assert!(emitted.iter().any(|u| u.ends_with("/status/revocation/1")), "{emitted:?}");
        for url in &emitted {
            let kind = PublicUrl::parse(&base, url).unwrap_or_else(|| panic!("{url} is not recognised"));
            assert_eq!(&kind.to_url(&base), url);
            let path = url.strip_prefix(&base).unwrap();
            let r = app.get(path, None).await;
            assert_eq!(r.status, 200, "{url}: {}", r.body);
        }
        // The verifier's resolver answers for every document these credentials name.
        let refs = openbadges::input::read(first.to_string().as_bytes()).unwrap().references();
        let docs = issuing::own_documents(&app.state.db, &app.state.settings, &refs).await.unwrap();
        use openbadges::verify::{Resolution, Resolver};
        for r in refs {
            assert!(matches!(docs.resolve(&r), Resolution::Found(_)), "{r}");
        }
    }

    async fn full_lists_roll_over_and_both_lists_verify_and_revoke(app) {
        seeded(&app).await;
        let mut small = app.sibling();
        small.set_status_list_capacity(3);
        let mut issued = Vec::new();
        for _ in 0..7 {
            issued.push(sign(&small).await);
        }
        let lists: Vec<String> = issued.iter().map(|i| i.status_list_url.clone()).collect();
        // The first list was created with the default capacity by the seed.
        let first_list = &lists[0];
        assert!(first_list.ends_with("/status/revocation"));
        let default_capacity = issued.iter().filter(|i| &i.status_list_url == first_list).count();
        assert_eq!(default_capacity, 7, "the seeded list still has room");

        // A fresh institution created with the small capacity rolls over every 3.
        issuing::create_institution(&small.state.db, &small.state.settings, issuing::NewInstitution {
            slug: "tiny".into(), name: "Tiny College".into(), url: String::new(), email: String::new(),
        }).await.unwrap();
        let mut tiny = Vec::new();
        for _ in 0..7 {
            tiny.push(issuing::sign_credential(&small.state.db, &small.state.settings, "tiny", unsigned_for("ada@example.org")).await.unwrap());
        }
        let urls: Vec<&str> = tiny.iter().map(|i| i.status_list_url.as_str()).collect();
        assert!(urls[..3].iter().all(|u| u.ends_with("/issuers/tiny/status/revocation")), "{urls:?}");
        assert!(urls[3..6].iter().all(|u| u.ends_with("/issuers/tiny/status/revocation/1")), "{urls:?}");
        assert!(urls[6].ends_with("/issuers/tiny/status/revocation/2"), "{urls:?}");
        assert_eq!(tiny.iter().map(|i| i.status_index).collect::<Vec<_>>(), vec![0, 1, 2, 0, 1, 2, 0]);
        // Revoke one on each list; the others stay active.
        for i in [1, 4, 6] {
            revoke(&small, tiny[i].json["id"].as_str().unwrap()).await;
        }
        for (i, t) in tiny.iter().enumerate() {
            let r = verify(&small, &t.json, None).await;
            let expected = if [1, 4, 6].contains(&i) { Standing::Revoked } else { Standing::Active };
            assert_eq!((r.verdict, r.standing), (Verdict::Verified, expected), "credential {i}: {r:#?}");
        }
    }

    async fn concurrent_signing_and_revocation_lose_nothing(app) {
        use futures_util::{StreamExt as _, stream};
        seeded(&app).await;
        // 50 credentials signed concurrently, then 150 more signed while those 50 are
        // revoked, 8 at a time (signings and revocations interleave; half the PostgreSQL
        // pool, so a loaded test machine does not starve the pool past its 2 s timeout).
        let first: Vec<issuing::Issued> = stream::iter(0..50)
            .map(|_| {
                let (db, settings) = (app.state.db.clone(), app.state.settings.clone());
                async move { issuing::sign_credential(&db, &settings, "demo", unsigned_for("ada@example.org")).await.unwrap() }
            })
            .buffer_unordered(8)
            .collect()
            .await;
        enum Job { Sign, Revoke(String) }
        let jobs: Vec<Job> = (0..150)
            .map(|n| if n % 3 == 0 { Job::Revoke(first[n / 3].json["id"].as_str().unwrap().to_string()) } else { Job::Sign })
            .chain((0..50).map(|_| Job::Sign))
            .collect();
        let started = std::time::Instant::now();
        let results: Vec<Result<Option<issuing::Issued>, String>> = stream::iter(jobs)
            .map(|job| {
                let (db, settings) = (app.state.db.clone(), app.state.settings.clone());
                async move {
                    match job {
                        Job::Sign => issuing::sign_credential(&db, &settings, "demo", unsigned_for("ada@example.org"))
                            .await.map(Some).map_err(|e| e.to_string()),
                        Job::Revoke(id) => issuing::revoke(&db, &settings, &id, "bulk test")
                            .await.map(|()| None).map_err(|e| e.to_string()),
                    }
                }
            })
            .buffer_unordered(8)
            .collect()
            .await;
        let elapsed = started.elapsed();
        let errors: Vec<&String> = results.iter().filter_map(|r| r.as_ref().err()).collect();
        assert!(errors.is_empty(), "{} errors: {errors:?}", errors.len());
        let later: Vec<issuing::Issued> = results.into_iter().filter_map(|r| r.unwrap()).collect();
        assert_eq!(later.len(), 150);
        let mut indexes: Vec<i32> = first.iter().chain(&later).map(|i| i.status_index).collect();
        indexes.sort_unstable();
        // After the demo's own credentials: every index once, none skipped.
        let start = indexes[0];
        assert_eq!(indexes, (start..start + 200).collect::<Vec<_>>(), "every index once, none skipped");
        let list: Value = serde_json::from_str(&app.get("/issuers/demo/status/revocation", None).await.body).unwrap();
        let bits = openbadges::status_list::Bitstring::decode(list["credentialSubject"]["encodedList"].as_str().unwrap()).unwrap();
        for (n, i) in first.iter().enumerate() {
            assert_eq!(bits.get(i.status_index as usize), Some(true), "bit of revoked credential {n}");
        }
        for i in &later {
            assert_eq!(bits.get(i.status_index as usize), Some(false), "bit of active credential");
        }
        // The served list is validly signed: a revoked credential reports revoked.
        let r = verify(&app, &first[7].json, None).await;
        assert_eq!((r.verdict, r.standing), (Verdict::Verified, Standing::Revoked), "{r:#?}");
        assert!(verify(&app, &later[0].json, None).await.is_good());
        eprintln!("concurrency figures: 150 signings and 50 revocations interleaved, 16 at a time, in {elapsed:?}, 0 errors");
    }

    async fn serving_issuer_documents_never_writes(app) {
        seeded(&app).await;
        let issued = sign(&app).await;
        let Some(read_only) = app.read_only_sibling().await else { return };
        for path in ["/issuers/demo/did.json", "/issuers/demo/status/revocation", "/issuers/demo"] {
            let r = read_only.get(path, None).await;
            assert_eq!(r.status, 200, "{path}: {}", r.body);
        }
        // Verification only reads as well.
        let r = verify(&read_only, &issued.json, None).await;
        assert!(r.is_good(), "{r:#?}");
    }

    async fn the_wrong_secret_key_refuses_to_start_and_plain_keys_get_sealed(app) {
        seeded(&app).await;
        let issued = sign(&app).await;
        let other = app::server::Settings::for_public_url(&app.state.settings.public_url);
        let err = issuing::prepare(&app.state.db, &other).await.unwrap_err();
        assert!(err.to_string().contains("does not open the issuer keys"), "{err}");
        // A key stored in plain text (earlier versions) is sealed at start-up.
        use sea_orm::{ActiveModelTrait, EntityTrait, Set};
        use app::server::entities::issuer_key;
        let row = issuer_key::Entity::find().one(&app.state.db).await.unwrap().unwrap();
        let plain = app.state.settings.secrets.open(&row.secret_key, &row.public_key).unwrap();
        let mut active: issuer_key::ActiveModel = row.clone().into();
        active.secret_key = Set(plain.clone());
        active.update(&app.state.db).await.unwrap();
        issuing::prepare(&app.state.db, &app.state.settings).await.unwrap();
        let row = issuer_key::Entity::find_by_id(row.id).one(&app.state.db).await.unwrap().unwrap();
        assert!(row.secret_key.starts_with("sealed-v1:") && !row.secret_key.contains(&plain));
        revoke(&app, issued.json["id"].as_str().unwrap()).await;
        assert_eq!(verify(&app, &issued.json, None).await.standing, Standing::Revoked);
    }

    async fn baked_png_and_svg_verify(app) {
        seeded(&app).await;
        let c = sign(&app).await.json.to_string();
        let svg = br#"<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"><circle r="4" cx="4" cy="4"/></svg>"#;
        let baked = baking::bake(svg, &c, &Limits::default()).unwrap();
        let r = verify_raw(&app, &baked, None).await.unwrap();
        assert!(r.is_good(), "{r:#?}");
        let png = include_bytes!("fixtures/badge.png");
        let baked = baking::bake(png, &c, &Limits::default()).unwrap();
        let r = verify_raw(&app, &baked, None).await.unwrap();
        assert!(r.is_good(), "{r:#?}");
        let plain = verify_raw(&app, png, None).await;
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
        let mut twice = unsigned_for("a@b.org");
        twice["id"] = "urn:uuid:0d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d".into();
        issuing::sign_credential(&app.state.db, &app.state.settings, "demo", twice.clone()).await.unwrap();
        let err = issuing::sign_credential(&app.state.db, &app.state.settings, "demo", twice).await.unwrap_err();
        assert!(err.to_string().contains("already issued"), "{err}");
        let err = issuing::create_institution(&app.state.db, &app.state.settings, issuing::NewInstitution {
            slug: "Not A Slug".into(), name: "X".into(), url: String::new(), email: String::new(),
        }).await.unwrap_err();
        assert!(matches!(err, app::server::ServerError::User(_)), "{err:?}");
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
    assert!(
        text.starts_with("✔ Verified and active: Data Literacy"),
        "{text}"
    );

    let json = run(&[
        "credential",
        "verify",
        "--json",
        signed_path.to_str().unwrap(),
    ]);
    let report: Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(report["verdict"], "verified");
    assert_eq!(report["standing"], "active");

    // Forgeries exit non-zero and say why: an unknown institution on our host (1), an
    // issuer elsewhere whose documents cannot be had (2), a JWT with its own key (1).
    let write = |name: &str, text: String| {
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p
    };
    for (name, text, code, why) in [
        (
            "ghost.json",
            forged(
                "did:web:127.0.0.1%3A3000:issuers:ghost",
                "PhD in Everything",
            )
            .to_string(),
            1,
            "does not exist",
        ),
        (
            "elsewhere.json",
            forged("did:web:elsewhere.example", "PhD in Everything").to_string(),
            2,
            "could not be retrieved",
        ),
        (
            "self.jwt",
            jwt_with_its_own_key(&forged("did:web:127.0.0.1%3A3000:issuers:demo", "Teamwork")),
            1,
            "carries its own key",
        ),
    ] {
        let out = run(&["credential", "verify", write(name, text).to_str().unwrap()]);
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(code), "{name}: {stdout}");
        assert!(!stdout.contains('✔'), "{name}: {stdout}");
        assert!(stdout.contains(why), "{name}: {stdout}");
    }

    let revoked = run(&["credential", "revoke", cred["id"].as_str().unwrap()]);
    assert!(revoked.status.success());
    let bad = run(&["credential", "verify", signed_path.to_str().unwrap()]);
    assert_eq!(bad.status.code(), Some(3), "verified but revoked");
    assert!(String::from_utf8_lossy(&bad.stdout).contains("revoked"));

    let garbage = dir.path().join("garbage.bin");
    std::fs::write(&garbage, b"\x00\x01garbage").unwrap();
    assert_eq!(
        run(&["credential", "verify", garbage.to_str().unwrap()])
            .status
            .code(),
        Some(4)
    );

    // --help lists the exit codes.
    let help = run(&["credential", "verify", "--help"]);
    let help = String::from_utf8_lossy(&help.stdout);
    assert!(
        help.contains("3 verified but expired") && help.contains("4 unreadable"),
        "{help}"
    );
}

/// Many CLI processes signing at once beside each other, on one SQLite database (the
/// "database is locked" failure of earlier versions).
#[test]
fn concurrent_cli_signing_on_sqlite_never_fails() {
    use std::process::Command;
    let dir = tempfile::tempdir().unwrap();
    let bin = env!("CARGO_BIN_EXE_badgefolio");
    let cmd = |args: &[&str]| {
        let mut c = Command::new(bin);
        c.args(args)
            .env("BADGEFOLIO_DATA_DIR", dir.path())
            .env_remove("BADGEFOLIO_DATABASE_URL")
            .env("RUST_LOG", "warn");
        c
    };
    assert!(cmd(&["seed-demo"]).output().unwrap().status.success());
    let unsigned = dir.path().join("unsigned.json");
    std::fs::write(&unsigned, unsigned_for("ada@example.org").to_string()).unwrap();
    let started = std::time::Instant::now();
    let children: Vec<_> = (0..16)
        .map(|_| {
            cmd(&[
                "credential",
                "sign",
                "--institution",
                "demo",
                unsigned.to_str().unwrap(),
            ])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
        })
        .collect();
    let mut indexes = Vec::new();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let c: Value = serde_json::from_slice(&out.stdout).unwrap();
        indexes.push(
            c["credentialStatus"]["statusListIndex"]
                .as_str()
                .unwrap()
                .parse::<u32>()
                .unwrap(),
        );
    }
    indexes.sort_unstable();
    // After the demo's own credentials: every index once, none skipped.
    let start = indexes[0];
    assert_eq!(indexes, (start..start + 16).collect::<Vec<_>>());
    eprintln!(
        "concurrency figures: 16 CLI signings at once in {:?}, 0 errors",
        started.elapsed()
    );
}
