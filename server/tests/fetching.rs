//! Verifying credentials whose issuers live on other websites, through the guarded
//! fetcher: a `did:web` issuer (its DID document and status lists) hosted by a test
//! server on 127.0.0.1, which is reachable only with `--fetch-allow-loopback`.

#![allow(clippy::unwrap_used)]

mod common;

use std::{net::SocketAddr, sync::Arc};

use app::server::Settings;
use axum::{Json, Router, routing::get};
use fetcher::{FetchSettings, Fetcher};
use openbadges::{
    keys::{SigningKey, did_document, verification_method},
    proof, status_list,
    verify::{Outcome, Report, Standing, Verdict},
};
use serde_json::{Value, json};

const UNSIGNED: &str = include_str!("fixtures/unsigned-credential.json");
const CREATED: &str = "2026-01-01T00:00:00Z";

/// An issuer on another website: its DID document and two status lists (nothing
/// revoked on one, index 7 revoked on the other), served from 127.0.0.1.
struct FarIssuer {
    addr: SocketAddr,
    did: String,
    key: SigningKey,
}

impl FarIssuer {
    async fn start() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let did = format!("did:web:127.0.0.1%3A{}:issuers:far", addr.port());
        let key = SigningKey::generate();
        let me = Self { addr, did, key };
        let doc = did_document(&me.did, &[me.key.public_multibase()]);
        let active = me.list("active", false);
        let revoked = me.list("revoked", true);
        let hosted = me.credential("active");
        let base = format!("http://{addr}/ob2");
        let ob2 = |kind: &str| -> Value {
            let context = "https://w3id.org/openbadges/v2";
            match kind {
                "assertion" => json!({
                    "@context": context, "type": "Assertion", "id": format!("{base}/assertion"),
                    "recipient": {"type": "email", "hashed": false, "identity": "ada@example.org"},
                    "badge": format!("{base}/badge"), "issuedOn": "2024-05-01T00:00:00Z",
                    "verification": {"type": "hosted"},
                }),
                "badge" => json!({
                    "@context": context, "type": "BadgeClass", "id": format!("{base}/badge"),
                    "name": "Welding", "description": "Joins metal.",
                    "image": format!("{base}/badge.png"),
                    "criteria": {"narrative": "Weld a seam."}, "issuer": format!("{base}/issuer"),
                }),
                _ => json!({
                    "@context": context, "type": "Issuer", "id": format!("{base}/issuer"),
                    "name": "Trade School", "url": format!("http://{addr}"),
                }),
            }
        };
        let (assertion, badge, issuer) = (ob2("assertion"), ob2("badge"), ob2("issuer"));
        let app = Router::new()
            .route("/badges/1", get(move || async move { Json(hosted) }))
            .route(
                "/ob2/assertion",
                get(move || async move { Json(assertion) }),
            )
            .route("/ob2/badge", get(move || async move { Json(badge) }))
            .route("/ob2/issuer", get(move || async move { Json(issuer) }))
            .route(
                "/issuers/far/did.json",
                get(move || async move { Json(doc) }),
            )
            .route("/status/active", get(move || async move { Json(active) }))
            .route("/status/revoked", get(move || async move { Json(revoked) }));
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        me
    }

    fn vm(&self) -> String {
        verification_method(&self.did, &self.key.public_multibase())
    }

    fn list_url(&self, name: &str) -> String {
        format!("http://{}/status/{name}", self.addr)
    }

    fn list(&self, name: &str, revoked: bool) -> Value {
        let mut bits = status_list::Bitstring::default();
        bits.set(7, revoked);
        let mut list = status_list::list_credential(
            &self.list_url(name),
            json!(self.did),
            "revocation",
            &bits,
            CREATED,
        );
        proof::sign(&mut list, &self.key, &self.vm(), CREATED).unwrap();
        list
    }

    /// A credential signed by this issuer, with index 7 of the named list as its status.
    fn credential(&self, list: &str) -> Value {
        let mut cred: Value = serde_json::from_str(UNSIGNED).unwrap();
        let obj = cred.as_object_mut().unwrap();
        obj.insert(
            "id".into(),
            json!("urn:uuid:0f6b0a3e-5f43-4f5b-9a57-6f1f3c1f2a10"),
        );
        obj.insert(
            "issuer".into(),
            json!({"id": self.did, "type": ["Profile"], "name": "Far Away College"}),
        );
        obj.insert("validFrom".into(), json!(CREATED));
        obj.insert(
            "credentialStatus".into(),
            status_list::entry(&self.list_url(list), 7, "revocation"),
        );
        proof::sign(&mut cred, &self.key, &self.vm(), CREATED).unwrap();
        cred
    }
}

fn settings(allow_loopback: bool) -> Settings {
    Settings::for_public_url(common::PUBLIC_URL).with_fetcher(Arc::new(Fetcher::new(
        FetchSettings::with_allow_loopback(allow_loopback),
    )))
}

async fn verify(app: &common::TestApp, cred: &Value) -> Report {
    app::server::verification::verify_bytes(
        &app.state.db,
        &app.state.settings,
        cred.to_string().into_bytes(),
        None,
    )
    .await
    .unwrap()
    .unwrap()
}

#[tokio::test]
async fn a_did_web_issuer_on_loopback_verifies_only_with_the_setting() {
    let far = FarIssuer::start().await;
    for backend in common::backends() {
        let Some(on) = common::TestApp::with_settings(backend, settings(true)).await else {
            continue;
        };
        let report = verify(&on, &far.credential("active")).await;
        assert_eq!(
            report.verdict,
            Verdict::Verified,
            "{backend:?}: {report:#?}"
        );
        assert_eq!(report.standing, Standing::Active, "{report:#?}");
        assert_eq!(report.outcome("status"), Some(Outcome::Pass), "{report:#?}");
        assert_eq!(
            report.signer.as_deref(),
            Some("the web domain 127.0.0.1:{port} (/issuers/far)")
                .map(|s| s.replace("{port}", &far.addr.port().to_string()))
                .as_deref()
        );
        // The status list is fetched too: revoked there, revoked here.
        let report = verify(&on, &far.credential("revoked")).await;
        assert_eq!(report.verdict, Verdict::Verified, "{report:#?}");
        assert_eq!(report.standing, Standing::Revoked, "{report:#?}");

        // The same credential on a server without the setting: the issuer's document is
        // on a loopback address, which is refused, so nothing is verified.
        let off = on.sibling_with(settings(false));
        let report = verify(&off, &far.credential("active")).await;
        assert_eq!(report.verdict, Verdict::Unverifiable, "{report:#?}");
        assert!(!report.is_good());
        let key = report.check("issuer_key").unwrap();
        assert!(matches!(key.outcome, Outcome::Unavailable), "{report:#?}");
        assert!(
            key.message.contains("which we never fetch from"),
            "{}",
            key.message
        );
        // The default settings are the same as the setting off.
        let plain = on.sibling_with(Settings::for_public_url(common::PUBLIC_URL));
        assert!(!plain.state.settings.fetcher.settings().allow_loopback);
        assert_ne!(
            verify(&plain, &far.credential("active")).await.verdict,
            Verdict::Verified
        );
    }
}

#[tokio::test]
async fn issuers_on_private_or_metadata_addresses_are_refused_even_with_the_setting() {
    let far = FarIssuer::start().await;
    let Some(app) = common::TestApp::with_settings(common::Backend::Sqlite, settings(true)).await
    else {
        return;
    };
    for host in [
        "10.0.0.1",
        "169.254.169.254",
        "[::ffff:127.0.0.1]",
        "localtest.internal",
    ] {
        // The same signature, claimed for an issuer at a private address: the DID
        // document is never fetched.
        let did = format!("did:web:{}:issuers:far", host.replace(':', "%3A"));
        let key = SigningKey::generate();
        let vm = verification_method(&did, &key.public_multibase());
        let mut cred = far.credential("active");
        let obj = cred.as_object_mut().unwrap();
        obj.remove("proof");
        obj.remove("credentialStatus");
        obj.insert(
            "issuer".into(),
            json!({"id": did, "type": ["Profile"], "name": "Inside"}),
        );
        proof::sign(&mut cred, &key, &vm, CREATED).unwrap();
        let report = verify(&app, &cred).await;
        assert_eq!(report.verdict, Verdict::Unverifiable, "{host}: {report:#?}");
        let message = &report.check("issuer_key").unwrap().message;
        assert!(message.contains("never fetch from"), "{host}: {message}");
    }
}

/// `badgefolio credential verify` takes the same setting and uses the same fetcher.
#[tokio::test]
async fn the_credential_command_fetches_with_the_same_setting() {
    let far = FarIssuer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("far.json");
    std::fs::write(&file, far.credential("active").to_string()).unwrap();
    let run = |args: Vec<String>, env: Option<&'static str>| {
        let data = dir.path().to_path_buf();
        // The test server runs on this runtime: wait for the command off it.
        tokio::task::spawn_blocking(move || {
            let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_badgefolio"));
            cmd.args(&args)
                .env("BADGEFOLIO_DATA_DIR", data)
                .env_remove("BADGEFOLIO_DATABASE_URL")
                .env_remove("BADGEFOLIO_FETCH_ALLOW_LOOPBACK")
                .env("RUST_LOG", "warn");
            if let Some(v) = env {
                cmd.env("BADGEFOLIO_FETCH_ALLOW_LOOPBACK", v);
            }
            cmd.output().unwrap()
        })
    };
    let path = file.to_str().unwrap().to_string();
    let args = |flag: bool| {
        let mut a = vec!["credential".to_string(), "verify".into(), path.clone()];
        if flag {
            a.insert(0, "--fetch-allow-loopback".into());
        }
        a
    };
    let on = run(args(true), None).await.unwrap();
    let text = String::from_utf8_lossy(&on.stdout);
    assert_eq!(
        on.status.code(),
        Some(0),
        "{text}{}",
        String::from_utf8_lossy(&on.stderr)
    );
    assert!(text.starts_with("✔ Verified and active"), "{text}");
    let by_env = run(args(false), Some("true")).await.unwrap();
    assert_eq!(
        by_env.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&by_env.stdout)
    );
    let off = run(args(false), None).await.unwrap();
    let text = String::from_utf8_lossy(&off.stdout);
    assert_ne!(off.status.code(), Some(0), "{text}");
    assert!(text.contains("never fetch from"), "{text}");
    let help = run(vec!["--help".into()], None).await.unwrap();
    let help = String::from_utf8_lossy(&help.stdout);
    assert!(help.contains("--fetch-allow-loopback"), "{help}");
    assert!(help.contains("BADGEFOLIO_FETCH_ALLOW_LOOPBACK"), "{help}");
}

/// The verifier's resolver: our own documents from the database, never fetched (even
/// when missing), everything else through the fetcher and its rules.
#[tokio::test]
async fn our_documents_are_answered_locally_and_the_rest_goes_through_the_fetcher() {
    use openbadges::verify::{Resolution, Resolver};
    let far = FarIssuer::start().await;
    for backend in common::backends() {
        let Some(app) = common::TestApp::with_settings(backend, settings(true)).await else {
            continue;
        };
        server::seed::seed_demo(&app.state.db, &app.state.settings)
            .await
            .unwrap();
        let ours = "did:web:127.0.0.1%3A3000:issuers:demo".to_string();
        let missing = "did:web:127.0.0.1%3A3000:issuers:ghost".to_string();
        let refs = vec![ours.clone(), missing.clone()];
        let docs = app::server::verification::documents(&app.state.db, &app.state.settings, &refs)
            .await
            .unwrap();
        let far_did = far.did.clone();
        let answers = tokio::task::spawn_blocking(move || {
            [
                ours,
                missing,
                // On our public URL but never looked up ahead: not found, not fetched
                // (nothing listens on port 3000 here, so a fetch would be "unreachable").
                "http://127.0.0.1:3000/issuers/demo/status/other".to_string(),
                far_did,
                "http://10.0.0.1/assertion".to_string(),
                "https://169.254.169.254/latest/meta-data/".to_string(),
            ]
            .map(|r| docs.resolve(&r))
        })
        .await
        .unwrap();
        assert!(
            matches!(answers[0], Resolution::Found(_)),
            "{:?}",
            answers[0]
        );
        assert!(
            matches!(answers[1], Resolution::NotFound(_)),
            "{:?}",
            answers[1]
        );
        assert!(
            matches!(answers[2], Resolution::NotFound(_)),
            "{:?}",
            answers[2]
        );
        assert!(
            matches!(answers[3], Resolution::Found(_)),
            "{:?}",
            answers[3]
        );
        assert!(
            matches!(answers[4], Resolution::Refused(_)),
            "{:?}",
            answers[4]
        );
        assert!(
            matches!(answers[5], Resolution::Refused(_)),
            "{:?}",
            answers[5]
        );
    }
}

/// A badge given by its address: private, loopback and metadata addresses are refused
/// for the address itself, and for where it redirects.
#[tokio::test]
async fn badge_addresses_on_private_networks_are_refused() {
    use openbadges::input::Input;
    // A public-looking server (loopback, allowed here) that redirects inwards.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = Router::new().route(
        "/assertions/1",
        get(|| async {
            (
                axum::http::StatusCode::FOUND,
                [(axum::http::header::LOCATION, "http://10.0.0.1/assertions/1")],
            )
        }),
    );
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    for backend in common::backends() {
        let Some(on) = common::TestApp::with_settings(backend, settings(true)).await else {
            continue;
        };
        let off = on.sibling_with(settings(false));
        let cases = [
            (&off, "http://127.0.0.1:9/assertions/1".to_string()),
            (&off, "http://[::1]:9/assertions/1".to_string()),
            (&on, "http://10.0.0.1/assertions/1".to_string()),
            (&on, "https://169.254.169.254/latest/meta-data/".to_string()),
            (&on, "http://[::ffff:127.0.0.1]:9/assertions/1".to_string()),
            (
                &on,
                "https://metadata.google.internal/computeMetadata/v1/".to_string(),
            ),
            (&on, format!("http://{addr}/assertions/1")),
        ];
        for (app, url) in cases {
            let report = app::server::verification::verify_input(
                &app.state.db,
                &app.state.settings,
                Input::Url(url.clone()),
                None,
            )
            .await
            .unwrap();
            assert_eq!(report.verdict, Verdict::Unverifiable, "{url}: {report:#?}");
            assert!(!report.is_good());
            let said = serde_json::to_string(&report).unwrap();
            assert!(said.contains("never fetch from"), "{url}: {said}");
        }
    }
}

/// A badge given by its address: an OB 3.0 credential hosted on the issuer's site and an
/// Open Badges 2.0 hosted assertion; the report carries what was fetched, for the page.
#[tokio::test]
async fn badges_given_by_address_are_fetched_checked_and_shown() {
    use openbadges::{input::Input, verify::CheckedBy};
    let far = FarIssuer::start().await;
    let Some(app) = common::TestApp::with_settings(common::backends()[0], settings(true)).await
    else {
        return;
    };
    let by_url = |url: String, recipient: Option<&str>| {
        app::server::verification::verify_input(
            &app.state.db,
            &app.state.settings,
            Input::Url(url),
            recipient.map(str::to_string),
        )
    };
    let report = by_url(format!("http://{}/badges/1", far.addr), None)
        .await
        .unwrap();
    assert_eq!(report.verdict, Verdict::Verified, "{report:#?}");
    assert_eq!(report.checked_by, Some(CheckedBy::Signature));
    let fetched = report.fetched.as_ref().expect("the fetched credential");
    assert_eq!(fetched, &far.credential("active"));

    let report = by_url(
        format!("http://{}/ob2/assertion", far.addr),
        Some("ada@example.org"),
    )
    .await
    .unwrap();
    assert_eq!(report.verdict, Verdict::Verified, "{report:#?}");
    assert_eq!(report.standing, Standing::Active, "{report:#?}");
    assert_eq!(report.checked_by, Some(CheckedBy::Hosting));
    assert_eq!(
        report.outcome("recipient"),
        Some(Outcome::Pass),
        "{report:#?}"
    );
    let docs = report.ob2.as_ref().expect("the OB 2.0 documents");
    assert_eq!(docs.badge_class.as_ref().unwrap()["name"], "Welding");
    assert_eq!(docs.issuer.as_ref().unwrap()["name"], "Trade School");
}
