//! Issuer documents (status lists, DID documents) are served from memory, already
//! encoded; a change committed by this server shows in the very next answer, on both
//! encodings and through the fast path, also when readers race the change; a change by
//! another process (written past this process's transactions) shows within
//! `REVALIDATE_AFTER`.

#![allow(clippy::unwrap_used)]

mod common;

use std::time::{Duration, Instant};

use axum::{
    body::Body,
    http::{Request, header},
};
use http_body_util::BodyExt as _;
use sea_orm::ConnectionTrait as _;
use serde_json::Value;
use tower::ServiceExt as _;

use app::server::issuing;
use openbadges::{status_list::Bitstring, verify::identity_hash};

const LIST: &str = "/issuers/demo/status/revocation";
const DID: &str = "/issuers/demo/did.json";
const UNSIGNED: &str = include_str!("fixtures/unsigned-credential.json");

async fn seeded(app: &common::TestApp) {
    server::seed::seed_demo(&app.state.db, &app.state.settings)
        .await
        .unwrap();
}

async fn sign(app: &common::TestApp) -> issuing::Issued {
    let mut v: Value = serde_json::from_str(UNSIGNED).unwrap();
    v["credentialSubject"]["identifier"][0]["identityHash"] =
        identity_hash("ada@example.org", "Pr0gram-Salt").into();
    issuing::sign_credential(&app.state.db, &app.state.settings, "demo", v)
        .await
        .unwrap()
}

/// `GET path` with `Accept-Encoding: encoding`: status, headers, decoded JSON.
async fn fetch(
    router: &axum::Router,
    path: &str,
    encoding: &str,
) -> (u16, axum::http::HeaderMap, Value) {
    let req = Request::get(path)
        .header(header::ACCEPT_ENCODING, encoding)
        .body(Body::empty())
        .unwrap();
    let res = router.clone().oneshot(req).await.unwrap();
    let status = res.status().as_u16();
    let headers = res.headers().clone();
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    let plain = match headers
        .get(header::CONTENT_ENCODING)
        .and_then(|v| v.to_str().ok())
    {
        Some("br") => {
            let mut out = Vec::new();
            brotli::BrotliDecompress(&mut &bytes[..], &mut out).unwrap();
            out
        }
        Some("gzip") => {
            use std::io::Read as _;
            let mut out = Vec::new();
            flate2::read::GzDecoder::new(&bytes[..])
                .read_to_end(&mut out)
                .unwrap();
            out
        }
        None => bytes.to_vec(),
        Some(other) => panic!("unexpected encoding {other}"),
    };
    (
        status,
        headers,
        serde_json::from_slice(&plain).unwrap_or(Value::Null),
    )
}

fn bit(list: &Value, index: i32) -> Option<bool> {
    Bitstring::decode(list["credentialSubject"]["encodedList"].as_str()?)
        .ok()?
        .get(usize::try_from(index).ok()?)
}

on_both_backends! {
    async fn a_revocation_shows_in_the_next_answer_in_every_encoding(app) {
        seeded(&app).await;
        let issued = sign(&app).await;
        let id = issued.json["id"].as_str().unwrap().to_string();
        for enc in ["br, gzip", "gzip", "identity"] {
            let (status, h, list) = fetch(&app.router, LIST, enc).await;
            assert_eq!(status, 200);
            assert_eq!(bit(&list, issued.status_index), Some(false), "{enc}");
            assert_eq!(h.get("cache-control").unwrap(), "no-store");
        }
        // Now cached: the second answer comes from the fast path (no nonce in its CSP:
        // the full stack would have put one there), with the security headers.
        let (_, h, _) = fetch(&app.router, LIST, "br").await;
        assert_eq!(h.get("content-encoding").unwrap(), "br");
        let csp = h.get("content-security-policy").unwrap().to_str().unwrap();
        assert!(!csp.contains("nonce-") && csp.contains("frame-ancestors 'none'"), "{csp}");
        assert_eq!(h.get("x-content-type-options").unwrap(), "nosniff");
        assert_eq!(h.get("access-control-allow-origin").unwrap(), "*");

        issuing::revoke(&app.state.db, &app.state.settings, &id, "test").await.unwrap();
        for enc in ["br, gzip", "gzip", "identity"] {
            let (status, _, list) = fetch(&app.router, LIST, enc).await;
            assert_eq!(status, 200);
            assert_eq!(bit(&list, issued.status_index), Some(true), "{enc} after revocation");
        }
    }

    async fn readers_racing_a_revocation_never_keep_the_old_list(app) {
        seeded(&app).await;
        let issued: Vec<_> = {
            let mut v = Vec::new();
            for _ in 0..4 {
                v.push(sign(&app).await);
            }
            v
        };
        let _ = fetch(&app.router, LIST, "br").await;
        for cred in &issued {
            // Readers hammer the list while the revocation commits.
            let readers: Vec<_> = (0..4)
                .map(|_| {
                    let router = app.router.clone();
                    tokio::spawn(async move {
                        for _ in 0..10 {
                            let (status, _, _) = fetch(&router, LIST, "br, gzip").await;
                            assert_eq!(status, 200);
                            tokio::task::yield_now().await;
                        }
                    })
                })
                .collect();
            let id = cred.json["id"].as_str().unwrap();
            issuing::revoke(&app.state.db, &app.state.settings, id, "race").await.unwrap();
            // From the moment it returned, every answer shows it.
            for _ in 0..5 {
                let (_, _, list) = fetch(&app.router, LIST, "br").await;
                assert_eq!(bit(&list, cred.status_index), Some(true));
                tokio::task::yield_now().await;
            }
            for r in readers {
                r.await.unwrap();
            }
            let (_, _, list) = fetch(&app.router, LIST, "identity").await;
            assert_eq!(bit(&list, cred.status_index), Some(true));
        }
    }

    async fn a_rotated_key_shows_in_the_next_did_document(app) {
        seeded(&app).await;
        let (status, h, before) = fetch(&app.router, DID, "br").await;
        assert_eq!(status, 200);
        assert_eq!(h.get("content-type").unwrap(), "application/did+json");
        let keys = |doc: &Value| doc["verificationMethod"].as_array().map_or(0, Vec::len);
        let _ = fetch(&app.router, DID, "br").await;
        issuing::rotate_key(&app.state.db, &app.state.settings, "demo").await.unwrap();
        let (_, _, after) = fetch(&app.router, DID, "br").await;
        assert_eq!(keys(&after), keys(&before) + 1, "{after:#}");
    }

    async fn another_process_change_shows_within_the_revalidation_bound(app) {
        seeded(&app).await;
        let (_, _, before) = fetch(&app.router, LIST, "br").await;
        assert_eq!(before["type"][1], "BitstringStatusListCredential");
        // Another process (the command line) writes: this process's counter does not move.
        app.state
            .db
            .execute_unprepared(
                "UPDATE status_lists SET signed = '{\"changed\":\"elsewhere\"}' WHERE list_number = 0",
            )
            .await
            .unwrap();
        let written = Instant::now();
        let bound = server::routes::issuers::REVALIDATE_AFTER;
        loop {
            let (_, _, now) = fetch(&app.router, LIST, "br").await;
            if now["changed"] == "elsewhere" {
                break;
            }
            assert!(
                written.elapsed() < bound + Duration::from_millis(500),
                "still the old list {:?} after the change",
                written.elapsed()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    async fn missing_documents_are_404_and_a_vanished_one_stops_being_served(app) {
        seeded(&app).await;
        for path in [
            "/issuers/nobody/did.json",
            "/issuers/nobody/status/revocation",
            "/issuers/demo/status/suspension",
            "/issuers/demo/status/revocation/7",
            "/issuers/demo/status/revocation/01",
        ] {
            for _ in 0..2 {
                let (status, _, _) = fetch(&app.router, path, "br").await;
                assert_eq!(status, 404, "{path}");
            }
        }
        // Another spelling of a real path is the same document (cached under the
        // canonical path only).
        let (status, _, did) = fetch(&app.router, "/issuers/d%65mo/did.json", "br").await;
        assert_eq!(status, 200);
        assert_eq!(did, fetch(&app.router, DID, "gzip").await.2);
        // A list that can no longer be read (changed by another process) goes too.
        let _ = fetch(&app.router, LIST, "br").await;
        app.state
            .db
            .execute_unprepared("UPDATE status_lists SET signed = NULL WHERE list_number = 0")
            .await
            .unwrap();
        let start = Instant::now();
        loop {
            let (status, _, _) = fetch(&app.router, LIST, "br").await;
            if status == 404 {
                break;
            }
            assert!(start.elapsed() < server::routes::issuers::REVALIDATE_AFTER + Duration::from_millis(500));
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}
