//! The HTTP surface: pages, 404s, health, security headers and request guards.

#![allow(clippy::unwrap_used)]

mod common;

use axum::{body::Body, http::Request};

on_both_backends! {
    async fn landing_page_is_server_rendered_with_security_headers(app) {
        let r = app.get("/", None).await;
        assert_eq!(r.status, 200);
        assert!(r.body.contains("Micro-credentials you own"), "{}", r.body);
        // Rendered once for every signed-out visitor: its inline scripts are allowed by
        // hash, exactly those and nothing else inline.
        let csp = r.header("content-security-policy").unwrap().to_string();
        assert!(!csp.contains("'nonce-") && !csp.contains("unsafe-inline"), "{csp}");
        let hashes = server::routes::pages::inline_script_hashes(&r.body);
        assert!(!hashes.is_empty());
        for h in &hashes {
            assert!(csp.contains(h.as_str()), "{h} missing from {csp}");
        }
        assert!(!r.body.contains("nonce="), "no nonce left in shared bytes");
        assert_eq!(r.header("x-content-type-options"), Some("nosniff"));
        assert_eq!(r.header("x-frame-options"), Some("DENY"));
        assert!(r.header("referrer-policy").is_some());
        assert!(r.header("strict-transport-security").is_none(), "no HSTS on http");
        // The same bytes again, and compressed once, at build quality.
        let again = app.get("/", None).await;
        assert_eq!(again.body, r.body);
        assert_eq!(again.header("content-security-policy"), Some(csp.as_str()));
        let req = axum::http::Request::get("/signin").header("accept-encoding", "br, gzip").body(Body::empty()).unwrap();
        let br = app.send(req).await;
        assert_eq!(br.header("content-encoding"), Some("br"));
        // Pages rendered per request keep a fresh nonce each time.
        let a = app.get("/no/such/page", None).await;
        let b = app.get("/no/such/page", None).await;
        let csp_a = a.header("content-security-policy").unwrap();
        let nonce = csp_a.split("'nonce-").nth(1).unwrap().split('\'').next().unwrap();
        assert!(a.body.contains(&format!("nonce=\"{nonce}\"")), "hydration script carries the CSP nonce");
        assert_ne!(b.header("content-security-policy"), Some(csp_a));
        // A signed-in visitor gets a page of their own (with a nonce).
        let session = app.sign_up("ada@example.org", "Ada", "correct horse battery").await;
        let mine = app.get("/", Some(&session)).await;
        assert!(mine.header("content-security-policy").unwrap().contains("'nonce-"));
    }

    async fn unknown_routes_get_a_real_404_page(app) {
        let r = app.get("/no/such/page", None).await;
        assert_eq!(r.status, 404);
        assert!(r.body.contains("Page not found"), "{}", r.body);
        assert!(r.header("content-security-policy").is_some());
    }

    async fn healthz_reports_the_database(app) {
        let r = app.get("/healthz", None).await;
        assert_eq!(r.status, 200);
        assert!(r.body.contains("\"database\":\"ok\""), "{}", r.body);
        app.state.db.clone().close().await.unwrap();
        let r = app.get("/healthz", None).await;
        assert_eq!(r.status, 503, "{}", r.body);
    }

    async fn mutations_from_another_site_are_refused(app) {
        let fields = [("email", "ada@example.org"), ("display_name", "Ada"), ("password", "correct horse battery")];
        let r = app.call_with("sign_up", &fields, None, &[("origin", "https://evil.example")]).await;
        assert_eq!(r.status, 403, "{}", r.body);
        let r = app.call_with("sign_up", &fields, None, &[("sec-fetch-site", "cross-site")]).await;
        assert_eq!(r.status, 403, "{}", r.body);
        // Nothing was created by the refused requests.
        let r = app.call("sign_up", &fields, None).await;
        assert_eq!(r.status, 200, "{}", r.body);
    }

    async fn oversized_bodies_get_413(app) {
        let big = "x".repeat(server::router::MAX_BODY_BYTES + 1);
        let req = Request::post("/api/sign_in")
            .header("content-type", "application/x-www-form-urlencoded")
            .header("origin", common::PUBLIC_URL)
            .header("content-length", big.len().to_string())
            .body(Body::from(format!("email={big}")))
            .unwrap();
        let r = app.send(req).await;
        assert_eq!(r.status, 413);
    }

    async fn signed_out_portfolio_asks_to_sign_in(app) {
        let r = app.get("/portfolio", None).await;
        assert_eq!(r.status, 200);
        assert!(r.body.contains("Please sign in"), "{}", r.body);
    }
}

/// Kept-alive connections must not stall on Nagle's algorithm: every socket the server
/// accepts has TCP_NODELAY set (checked on the socket, not by timing).
#[tokio::test]
async fn accepted_connections_have_tcp_nodelay() {
    use axum::serve::Listener as _;
    let mut listener = server::listen("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let addr = listener.local_addr().unwrap();
    let client = tokio::spawn(async move { tokio::net::TcpStream::connect(addr).await.unwrap() });
    let (accepted, _) = listener.accept().await;
    assert!(
        accepted.nodelay().unwrap(),
        "TCP_NODELAY on the accepted socket"
    );
    drop(client.await.unwrap());
}

mod signed_in_pages {
    use super::*;
    use http_body_util::BodyExt as _;
    use tower::ServiceExt as _;

    async fn portfolio(
        app: &common::TestApp,
        token: &str,
        encoding: &str,
    ) -> (axum::http::HeaderMap, Vec<u8>) {
        let req = Request::get("/portfolio")
            .header("cookie", app.session_cookie(token))
            .header("accept-encoding", encoding)
            .body(Body::empty())
            .unwrap();
        let res = app.router.clone().oneshot(req).await.unwrap();
        assert_eq!(res.status(), 200);
        let headers = res.headers().clone();
        (
            headers,
            res.into_body().collect().await.unwrap().to_bytes().to_vec(),
        )
    }

    on_both_backends! {
        async fn signed_in_pages_are_compressed_in_one_piece_and_stay_personal(app) {
            let token = app.sign_up("cleo@example.org", "Cleo Compressed", "correct horse battery").await;
            let (h, plain) = portfolio(&app, &token, "identity").await;
            assert!(h.get("content-encoding").is_none());
            let html = String::from_utf8(plain).unwrap();
            assert!(html.contains("Cleo Compressed"), "{html}");

            let (h, packed) = portfolio(&app, &token, "gzip, br").await;
            assert_eq!(h.get("content-encoding").unwrap(), "br");
            assert_eq!(h.get("content-length").unwrap().to_str().unwrap(), packed.len().to_string());
            assert_eq!(h.get("cache-control").unwrap(), "private, no-store");
            assert!(h.get("content-security-policy").unwrap().to_str().unwrap().contains("'nonce-"));
            let mut out = Vec::new();
            brotli::BrotliDecompress(&mut &packed[..], &mut out).unwrap();
            let text = String::from_utf8(out).unwrap();
            assert!(text.contains("Cleo Compressed") && text.len() > packed.len());

            let (h, packed) = portfolio(&app, &token, "gzip").await;
            assert_eq!(h.get("content-encoding").unwrap(), "gzip");
            let mut text = String::new();
            use std::io::Read as _;
            flate2::read::GzDecoder::new(&packed[..]).read_to_string(&mut text).unwrap();
            assert!(text.contains("Cleo Compressed"));
        }
    }
}
