//! Static files like a CDN serves them: precompressed variants by content negotiation,
//! year-long immutable caching for hashed names, validators and 304s, security headers.

#![allow(clippy::unwrap_used)]

mod common;

use axum::{
    body::Body,
    http::{Request, header},
};
use http_body_util::BodyExt as _;
use tower::ServiceExt as _;

const WASM: &str = "/pkg/badgefolio.Zx3mQ0b1c2d3e4f5g6h7i8.wasm";

struct Site {
    router: axum::Router,
    _dir: tempfile::TempDir,
}

async fn site() -> Site {
    let dir = tempfile::tempdir().unwrap();
    let pkg = dir.path().join("site/pkg");
    std::fs::create_dir_all(&pkg).unwrap();
    let name = WASM.rsplit('/').next().unwrap();
    std::fs::write(pkg.join(name), vec![7u8; 4000]).unwrap();
    std::fs::write(pkg.join(format!("{name}.br")), b"brotli bytes").unwrap();
    std::fs::write(pkg.join(format!("{name}.gz")), b"gzip bytes!!").unwrap();
    std::fs::write(dir.path().join("site/favicon.svg"), "<svg/>".repeat(100)).unwrap();
    // A "compressed" version that is larger than the file is not used.
    std::fs::write(dir.path().join("site/favicon.svg.br"), vec![1u8; 5000]).unwrap();
    let db = common::database(common::Backend::Sqlite, &dir)
        .await
        .unwrap();
    let state = app::server::AppState::new(
        db,
        server::leptos_options(&dir.path().join("site"), "127.0.0.1:3000".parse().unwrap()),
        app::server::Settings::for_public_url(common::PUBLIC_URL),
    );
    Site {
        router: server::router::build(state),
        _dir: dir,
    }
}

async fn get(
    site: &Site,
    path: &str,
    headers: &[(&str, &str)],
    method: &str,
) -> (u16, axum::http::HeaderMap, Vec<u8>) {
    let mut req = Request::builder().method(method).uri(path);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let res = site
        .router
        .clone()
        .oneshot(req.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = res.status().as_u16();
    let headers = res.headers().clone();
    let body = res.into_body().collect().await.unwrap().to_bytes().to_vec();
    (status, headers, body)
}

fn h(headers: &axum::http::HeaderMap, name: header::HeaderName) -> Option<&str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

#[tokio::test]
async fn hashed_files_are_negotiated_precompressed_and_immutable() {
    let site = site().await;
    let (status, hd, body) = get(
        &site,
        WASM,
        &[("accept-encoding", "gzip, deflate, br")],
        "GET",
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(body, b"brotli bytes");
    assert_eq!(h(&hd, header::CONTENT_ENCODING), Some("br"));
    assert_eq!(h(&hd, header::CONTENT_TYPE), Some("application/wasm"));
    assert_eq!(
        h(&hd, header::CACHE_CONTROL),
        Some("public, max-age=31536000, immutable")
    );
    assert_eq!(h(&hd, header::VARY), Some("Accept-Encoding"));
    assert!(h(&hd, header::LAST_MODIFIED).is_some());
    assert_eq!(
        h(&hd, header::X_CONTENT_TYPE_OPTIONS),
        Some("nosniff"),
        "security headers stay"
    );
    let br_etag = h(&hd, header::ETAG).unwrap().to_string();

    let (_, hd, body) = get(&site, WASM, &[("accept-encoding", "gzip, br;q=0")], "GET").await;
    assert_eq!(
        (body.as_slice(), h(&hd, header::CONTENT_ENCODING)),
        (&b"gzip bytes!!"[..], Some("gzip"))
    );
    assert_ne!(
        h(&hd, header::ETAG),
        Some(br_etag.as_str()),
        "each encoding has its own ETag"
    );

    let (_, hd, body) = get(&site, WASM, &[], "GET").await;
    assert_eq!(body, vec![7u8; 4000]);
    assert_eq!(h(&hd, header::CONTENT_ENCODING), None);
    let (_, hd, body) = get(&site, WASM, &[("accept-encoding", "identity")], "GET").await;
    assert_eq!((body.len(), h(&hd, header::CONTENT_ENCODING)), (4000, None));

    // Revalidation: 304 without a body.
    let (status, hd, body) = get(
        &site,
        WASM,
        &[("accept-encoding", "br"), ("if-none-match", &br_etag)],
        "GET",
    )
    .await;
    assert_eq!(status, 304);
    assert!(body.is_empty());
    assert_eq!(h(&hd, header::ETAG), Some(br_etag.as_str()));
    assert_eq!(
        h(&hd, header::CONTENT_ENCODING),
        None,
        "a 304 carries validators only"
    );
    let lm = {
        let (_, hd, _) = get(&site, WASM, &[], "GET").await;
        h(&hd, header::LAST_MODIFIED).unwrap().to_string()
    };
    let (status, _, _) = get(&site, WASM, &[("if-modified-since", &lm)], "GET").await;
    assert_eq!(status, 304);
    let (status, _, _) = get(&site, WASM, &[("if-none-match", "\"other\"")], "GET").await;
    assert_eq!(status, 200);

    // HEAD: the length, no body.
    let (status, hd, body) = get(&site, WASM, &[("accept-encoding", "br")], "HEAD").await;
    assert_eq!((status, body.len()), (200, 0));
    assert_eq!(h(&hd, header::CONTENT_LENGTH), Some("12"));
}

#[tokio::test]
async fn unhashed_files_get_a_short_lifetime_and_useless_variants_are_skipped() {
    let site = site().await;
    let (status, hd, body) = get(&site, "/favicon.svg", &[("accept-encoding", "br")], "GET").await;
    assert_eq!(status, 200);
    assert_eq!(h(&hd, header::CACHE_CONTROL), Some("public, max-age=300"));
    assert!(h(&hd, header::ETAG).is_some());
    // The .br made at build time is larger than the file, so it is not sent (the
    // file is compressed on the way out instead).
    assert_eq!(h(&hd, header::CONTENT_ENCODING), Some("br"));
    assert_ne!(body, vec![1u8; 5000]);
    // A signed-in browser gets the same caching for static files.
    let (_, hd, _) = get(
        &site,
        "/favicon.svg",
        &[("cookie", "badgefolio_session=abc")],
        "GET",
    )
    .await;
    assert_eq!(h(&hd, header::CACHE_CONTROL), Some("public, max-age=300"));
    let (_, hd, _) = get(&site, WASM, &[("cookie", "badgefolio_session=abc")], "GET").await;
    assert_eq!(
        h(&hd, header::CACHE_CONTROL),
        Some("public, max-age=31536000, immutable")
    );
    // A file without a build-time variant may still be compressed on the way out.
    let (_, hd, _) = get(&site, "/favicon.svg", &[("accept-encoding", "gzip")], "GET").await;
    assert_eq!(h(&hd, header::CONTENT_ENCODING), Some("gzip"));
    // Anything else goes on to the app.
    let (status, _, _) = get(&site, "/pkg/missing.js", &[], "GET").await;
    assert_eq!(status, 404);
}
