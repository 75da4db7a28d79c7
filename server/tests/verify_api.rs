//! The public "Verify a badge" page (`/verify`, no JavaScript needed) and the
//! verification API (`POST /api/v1/verify`): inputs, verdicts, limits, CORS, and that the
//! API's exemption from the cross-site check is its alone.

#![allow(clippy::unwrap_used)]

mod common;

use axum::{
    body::Body,
    extract::connect_info::MockConnectInfo,
    http::{Request, header},
};
use openbadges::baking::{self, Limits};
use serde_json::{Value, json};
use tower::ServiceExt as _;

use app::server::issuing;
use common::{Reply, TestApp};

const UNSIGNED: &str = include_str!("fixtures/unsigned-credential.json");
const PNG: &[u8] = include_bytes!("fixtures/badge.png");
const API: &str = "/api/v1/verify";
const BOUNDARY: &str = "----badgefolio-test-boundary";

/// A credential signed by the demo institution, issued to ada@example.org, with markup in
/// its description (which must come out escaped).
async fn issued(app: &TestApp) -> Value {
    server::seed::seed_demo(&app.state.db, &app.state.settings)
        .await
        .unwrap();
    let mut v: Value = serde_json::from_str(UNSIGNED).unwrap();
    v["credentialSubject"]["identifier"][0]["identityHash"] =
        openbadges::verify::identity_hash("ada@example.org", "Pr0gram-Salt").into();
    v["credentialSubject"]["achievement"]["description"] =
        "Reads data <img src=x onerror=alert(1)> responsibly.".into();
    issuing::sign_credential(&app.state.db, &app.state.settings, "demo", v)
        .await
        .unwrap()
        .json
}

fn post_json(body: &Value, headers: &[(&str, &str)]) -> Request<Body> {
    let mut req = Request::post(API).header(header::CONTENT_TYPE, "application/json");
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    req.body(Body::from(body.to_string())).unwrap()
}

/// A `multipart/form-data` body: `(name, file name if a file, bytes)`.
fn multipart(fields: &[(&str, Option<&str>, &[u8])]) -> Vec<u8> {
    let mut out = Vec::new();
    for (name, file, bytes) in fields {
        out.extend_from_slice(format!("--{BOUNDARY}\r\n").as_bytes());
        match file {
            Some(f) => out.extend_from_slice(
                format!("Content-Disposition: form-data; name=\"{name}\"; filename=\"{f}\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes(),
            ),
            None => out.extend_from_slice(
                format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes(),
            ),
        }
        out.extend_from_slice(bytes);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    out
}

fn post_multipart(path: &str, body: Vec<u8>, headers: &[(&str, &str)]) -> Request<Body> {
    let mut req = Request::post(path).header(
        header::CONTENT_TYPE,
        format!("multipart/form-data; boundary={BOUNDARY}"),
    );
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    req.body(Body::from(body)).unwrap()
}

/// The page's form posted from our own origin, as a browser does.
fn page_post(body: Vec<u8>) -> Request<Body> {
    post_multipart(
        "/verify",
        body,
        &[
            ("origin", common::PUBLIC_URL),
            ("sec-fetch-site", "same-origin"),
        ],
    )
}

fn json_of(r: &Reply) -> Value {
    serde_json::from_str(&r.body).unwrap_or_else(|_| panic!("not JSON: {}", r.body))
}

fn check<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("no check {id}: {report:#}"))
}

fn baked_png(credential: &Value) -> Vec<u8> {
    baking::bake(PNG, &credential.to_string(), &Limits::default()).unwrap()
}

on_both_backends! {
    async fn our_credential_verifies_as_json_raw_and_multipart(app) {
        let c = issued(&app).await;

        let r = app.send(post_json(&json!({ "credential": c, "recipient": "ada@example.org" }), &[])).await;
        assert_eq!(r.status, 200, "{}", r.body);
        let v = json_of(&r);
        assert_eq!(v["verdict"], "verified", "{v:#}");
        assert_eq!(v["standing"], "active");
        assert_eq!(v["good"], true);
        assert_eq!(v["signer"], "the web domain 127.0.0.1:3000 (/issuers/demo)");
        assert_eq!(v["issuer"]["id"], "did:web:127.0.0.1%3A3000:issuers:demo");
        assert_eq!(v["issuer"]["name"], "Demo University");
        assert_eq!(v["issuer"]["on_this_platform"], true);
        assert_eq!(v["achievement_name"], "Data Literacy");
        assert_eq!(v["badge"]["name"], "Data Literacy");
        assert_eq!(v["credential_id"], c["id"]);
        for id in ["format", "json_ld", "proof", "issuer_key", "validity", "status", "recipient"] {
            let ch = check(&v, id);
            assert_eq!(ch["outcome"], "pass", "{id}: {v:#}");
            assert!(ch["message"].as_str().is_some_and(|m| !m.is_empty()));
        }

        // The credential itself as the body.
        let r = app.send(post_json(&c, &[])).await;
        assert_eq!(json_of(&r)["verdict"], "verified", "{}", r.body);

        // A baked PNG, uploaded as a form.
        let body = multipart(&[("file", Some("badge.png"), &baked_png(&c)), ("recipient", None, b"ada@example.org")]);
        let r = app.send(post_multipart(API, body, &[])).await;
        assert_eq!(r.status, 200, "{}", r.body);
        let v = json_of(&r);
        assert_eq!((v["verdict"].as_str(), v["standing"].as_str()), (Some("verified"), Some("active")), "{v:#}");
        assert_eq!(check(&v, "recipient")["outcome"], "pass");

        // Pasted text in the form.
        let body = multipart(&[("text", None, c.to_string().as_bytes())]);
        let r = app.send(post_multipart(API, body, &[])).await;
        assert_eq!(json_of(&r)["verdict"], "verified", "{}", r.body);
    }

    async fn tampered_and_misaddressed_credentials_are_not_verified(app) {
        let c = issued(&app).await;
        let mut tampered = c.clone();
        tampered["credentialSubject"]["achievement"]["name"] = "Data Wizardry".into();
        let r = app.send(post_json(&json!({ "credential": tampered }), &[])).await;
        assert_eq!(r.status, 200);
        let v = json_of(&r);
        assert_eq!(v["verdict"], "not_verified");
        assert_eq!(v["good"], false);
        assert_eq!(check(&v, "proof")["outcome"], "fail", "{v:#}");
        assert_eq!(v["signer"], Value::Null, "nobody is named as signer of a forgery");
        assert_eq!(v["issuer"]["on_this_platform"], false, "never claimed unless verified");

        // The recipient check: someone else's address.
        let r = app.send(post_json(&json!({ "credential": c, "recipient": "eve@example.org" }), &[])).await;
        let v = json_of(&r);
        assert_eq!(check(&v, "recipient")["outcome"], "fail", "{v:#}");
        assert_eq!(v["verdict"], "not_verified");
        // Not given: not checked, still verified.
        let r = app.send(post_json(&json!({ "credential": c }), &[])).await;
        let v = json_of(&r);
        assert_eq!(check(&v, "recipient")["outcome"], "not_checked");
        assert_eq!(v["verdict"], "verified");
    }

    async fn garbage_gets_a_clear_4xx(app) {
        let cases: Vec<(Request<Body>, &str)> = vec![
            (Request::post(API).header(header::CONTENT_TYPE, "application/json").body(Body::from("{not json")).unwrap(), "not valid JSON"),
            (Request::post(API).body(Body::from("hello")).unwrap(), "not a badge"),
            (Request::post(API).body(Body::empty()).unwrap(), "Nothing to verify"),
            (post_json(&json!([1, 2]), &[]), "Send JSON"),
            (post_json(&json!({ "jwt": "aaa.bbb.ccc" }), &[]), "not a badge"),
            (post_json(&json!({ "url": "ftp://example.org/a" }), &[]), "full address"),
            (post_json(&json!({ "url": "https://example.org/a", "jwt": "x.y.z" }), &[]), "one thing"),
            (post_json(&json!({ "credential": {"a": 1}, "recipient": "nobody" }), &[]), "e-mail address"),
            (post_multipart(API, multipart(&[("file", Some("plain.png"), PNG)]), &[]), "does not contain a badge"),
            (post_multipart(API, b"--nope".to_vec(), &[]), "could not be read"),
            (Request::post(API).body(Body::from(vec![0x89, b'P', b'N', b'G', 13, 10, 26, 10, 0, 0])).unwrap(), "could not be read"),
        ];
        for (req, words) in cases {
            let r = app.send(req).await;
            assert!((400..500).contains(&r.status), "{} {}", r.status, r.body);
            let v = json_of(&r);
            assert!(v["message"].as_str().unwrap().contains(words), "{words}: {}", r.body);
            assert!(!v["code"].as_str().unwrap().is_empty());
        }
        // A credential that is not ours and not signed is an answer, not an error.
        let r = app.send(post_json(&json!({ "credential": {"@context": ["https://www.w3.org/ns/credentials/v2"], "type": ["VerifiableCredential"]} }), &[])).await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert_ne!(json_of(&r)["verdict"], "verified");
        // An address: answered with a report (verifying by address is another part's
        // work; until then it says it could not be verified), never a 500.
        let r = app.send(post_json(&json!({ "url": "https://example.org/assertion/1" }), &[])).await;
        assert!(r.status < 500, "{} {}", r.status, r.body);
    }

    async fn oversized_bodies_get_413(app) {
        let limit = server::routes::verify::MAX_VERIFY_BODY_BYTES;
        let big = vec![b' '; limit + 1];
        // Declared up front…
        let r = app.send(Request::post(API).header(header::CONTENT_LENGTH, big.len()).body(Body::from(big.clone())).unwrap()).await;
        assert_eq!(r.status, 413);
        assert_eq!(r.header("access-control-allow-origin"), Some("*"), "a cross-origin caller can read the 413");
        assert_eq!(json_of(&r)["code"], "too_large");
        assert!(json_of(&r)["message"].as_str().unwrap().contains("8 MiB"), "{}", r.body);
        // …or found out while reading (no length given).
        let chunks: Vec<Result<Vec<u8>, std::io::Error>> = big.chunks(64 * 1024).map(|c| Ok(c.to_vec())).collect();
        let body = Body::from_stream(futures_util::stream::iter(chunks));
        let r = app.send(Request::post(API).body(body).unwrap()).await;
        assert_eq!(r.status, 413, "{}", r.body);
        // The same on the page's form.
        let r = app.send(Request::post("/verify").header(header::CONTENT_LENGTH, big.len()).header("sec-fetch-site", "same-origin").body(Body::from(big)).unwrap()).await;
        assert_eq!(r.status, 413);
        assert!(r.body.contains("too large to be a badge"), "{}", r.body);
        // Far beyond every limit of the server: refused all the same.
        let huge = 64 * 1024 * 1024;
        let r = app.send(Request::post(API).header(header::CONTENT_LENGTH, huge).body(Body::from(vec![b' '; huge])).unwrap()).await;
        assert_eq!(r.status, 413);
        // Just under the limit is read (and then refused for what it is).
        let r = app.send(Request::post(API).body(Body::from(vec![b'x'; limit - 1])).unwrap()).await;
        assert_eq!(r.status, 422, "{}", r.body);
    }

    async fn the_api_is_open_to_every_origin_and_sets_no_cookie(app) {
        let c = issued(&app).await;
        let token = app.sign_up("reader@example.org", "Reader", "correct horse battery staple").await;
        let cookie = app.session_cookie(&token);
        let cross = [
            ("origin", "https://elsewhere.example"),
            ("sec-fetch-site", "cross-site"),
            ("cookie", cookie.as_str()),
        ];
        let r = app.send(post_json(&json!({ "credential": c }), &cross)).await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(json_of(&r)["verdict"], "verified");
        assert_eq!(r.header("access-control-allow-origin"), Some("*"));
        assert!(r.header("access-control-allow-credentials").is_none());
        assert!(r.set_cookies().is_empty(), "{:?}", r.set_cookies());
        assert_eq!(r.header("cache-control"), Some("private, no-store"));

        // Errors too can be read from anywhere.
        let r = app.send(post_json(&json!([]), &cross)).await;
        assert_eq!(r.status, 422);
        assert_eq!(r.header("access-control-allow-origin"), Some("*"));

        // The preflight a browser sends before a JSON POST.
        let r = app.send(Request::options(API)
            .header("origin", "https://elsewhere.example")
            .header("access-control-request-method", "POST")
            .header("access-control-request-headers", "content-type")
            .body(Body::empty()).unwrap()).await;
        assert!(r.status == 204 || r.status == 200, "{}", r.status);
        assert_eq!(r.header("access-control-allow-origin"), Some("*"));
        assert!(r.header("access-control-allow-methods").unwrap().contains("POST"));
        assert!(r.header("access-control-allow-headers").unwrap().to_ascii_lowercase().contains("content-type"));
        assert!(r.set_cookies().is_empty());

        // CORS is the API's alone.
        let r = app.get("/verify", None).await;
        assert!(r.header("access-control-allow-origin").is_none());
        let r = app.get("/", None).await;
        assert!(r.header("access-control-allow-origin").is_none());
    }

    async fn the_cross_site_check_still_guards_everything_else(app) {
        let cross = [("origin", "https://evil.example"), ("sec-fetch-site", "cross-site")];
        // A server function.
        let r = app.call_with("sign_in", &[("email", "ada@example.org"), ("password", "x")], None, &cross).await;
        assert_eq!(r.status, 403, "{}", r.body);
        // The verify page's own form: a page, not the API.
        let r = app.send(post_multipart("/verify", multipart(&[("text", None, b"{}")]), &cross)).await;
        assert_eq!(r.status, 403, "{}", r.body);
        // Paths that only look like the API.
        for path in ["/api/v1/verify/", "/api/v1/verify2", "/api/v1/other"] {
            let r = app.send(Request::post(path).header("origin", "https://evil.example").header("sec-fetch-site", "cross-site").body(Body::from("{}")).unwrap()).await;
            assert_eq!(r.status, 403, "{path}: {}", r.body);
        }
        // Unknown API paths are still refused by the server-function guard.
        let r = app.send(Request::post("/api/v1/other").body(Body::from("{}")).unwrap()).await;
        assert_eq!(r.status, 404, "{}", r.body);
    }

    async fn the_rate_limit_answers_429_after_the_burst(app) {
        let burst = app::server::rate_limit::VERIFY_BURST;
        for i in 0..burst {
            let r = app.send(post_json(&json!([]), &[])).await;
            assert_eq!(r.status, 422, "request {i}: {}", r.body);
        }
        let r = app.send(post_json(&json!([]), &[])).await;
        assert_eq!(r.status, 429, "{}", r.body);
        assert!(r.header("retry-after").unwrap().parse::<u64>().unwrap() >= 1);
        assert_eq!(r.header("access-control-allow-origin"), Some("*"));
        assert_eq!(json_of(&r)["code"], "rate_limited");
        // The page shares the budget, and says so in words.
        let r = app.send(page_post(multipart(&[("text", None, b"{}")]))).await;
        assert_eq!(r.status, 429);
        assert!(r.body.contains("Too many verifications"), "{}", r.body);
        // Another client is not affected.
        let peer: std::net::SocketAddr = "198.51.100.20:40000".parse().unwrap();
        let other = server::router::build(app.state.clone()).layer(MockConnectInfo(peer));
        let res = other.oneshot(post_json(&json!([]), &[])).await.unwrap();
        assert_eq!(res.status(), 422);
    }

    async fn the_page_works_without_javascript(app) {
        let r = app.get("/verify", None).await;
        assert_eq!(r.status, 200);
        assert!(r.header("content-type").unwrap().starts_with("text/html"));
        for part in [
            r#"<form id="verify-form""#,
            r#"method="post""#,
            r#"action="/verify""#,
            r#"enctype="multipart/form-data""#,
            r#"name="file" type="file""#,
            r#"name="text""#,
            r#"name="url" type="url""#,
            r#"name="recipient" type="email""#,
            r#"<script src="/verify.js" defer></script>"#,
            r#"<header class="site-header">"#,
        ] {
            assert!(r.body.contains(part), "{part}");
        }
        assert!(r.set_cookies().is_empty());
        let csp = r.header("content-security-policy").unwrap();
        assert!(!csp.contains("unsafe-inline"), "{csp}");
        assert!(!r.body.contains("<script>"), "no inline script");

        let c = issued(&app).await;
        // A baked PNG: the verdict in words, the check mark, the badge shown.
        let r = app.send(page_post(multipart(&[("file", Some("badge.png"), &baked_png(&c)), ("recipient", None, b"ada@example.org")]))).await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert!(r.body.contains("Verified: this badge is authentic and in good standing."), "{}", r.body);
        assert!(r.body.contains('✓'));
        assert!(r.body.contains("Signed by the web domain 127.0.0.1:3000 (/issuers/demo)."));
        assert!(r.body.contains("An institution of this site"));
        assert!(r.body.contains("Data Literacy"));
        assert!(r.body.contains("Demo University"));
        assert!(r.body.contains(r#"src="data:image/png;base64,"#), "the uploaded PNG is shown");
        assert!(r.body.contains("<details class=\"verify-details\">"));
        assert!(r.body.contains(r#"data-check="proof""#));
        assert!(r.body.contains("Reads data &lt;img src=x onerror=alert(1)&gt; responsibly."), "text is escaped");
        assert!(!r.body.contains("<img src=x"));
        assert_eq!(r.header("cache-control"), Some("private, no-store"));

        // Tampered: no check mark, the failing check named.
        let mut tampered = c.clone();
        tampered["credentialSubject"]["achievement"]["name"] = "Data Wizardry".into();
        let r = app.send(page_post(multipart(&[("text", None, tampered.to_string().as_bytes())]))).await;
        assert_eq!(r.status, 200);
        assert!(r.body.contains("Not verified: this badge failed a check."), "{}", r.body);
        assert!(!r.body.contains('✓'));
        assert!(r.body.contains(r#"data-verdict="not_verified""#));
        assert!(r.body.contains("Not established, since the badge is not verified"));

        // Garbage: a 4xx page with the message, the form still there.
        let r = app.send(page_post(multipart(&[("text", None, b"hello there")]))).await;
        assert_eq!(r.status, 422);
        assert!(r.body.contains("Nothing was verified"));
        assert!(r.body.contains("not a badge"), "{}", r.body);
        assert!(r.body.contains(r#"<form id="verify-form""#));
        let r = app.send(page_post(multipart(&[]))).await;
        assert_eq!(r.status, 422);
        assert!(r.body.contains("Nothing to verify"));
    }

    async fn an_uploaded_svg_is_never_reflected(app) {
        let c = issued(&app).await;
        let svg = br#"<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8" onload="alert('onload')"><script>alert('svg')</script><circle r="4" cx="4" cy="4"/></svg>"#;
        let baked = baking::bake(svg, &c.to_string(), &Limits::default()).unwrap();
        assert!(String::from_utf8_lossy(&baked).contains("<script>alert('svg')"), "the upload does carry a script");
        let r = app.send(page_post(multipart(&[("file", Some("badge.svg"), &baked)]))).await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert!(r.body.contains("Verified: this badge is authentic and in good standing."), "{}", r.body);
        assert!(!r.body.contains("alert('svg')"));
        assert!(!r.body.contains("onload"));
        assert!(!r.body.contains("<svg"));
        assert!(!r.body.contains("data:image/svg"));
        // The API neither.
        let r = app.send(post_multipart(API, multipart(&[("file", Some("badge.svg"), &baked)]), &[])).await;
        assert_eq!(json_of(&r)["verdict"], "verified");
        assert!(!r.body.contains("alert('svg')") && !r.body.contains("onload"));
    }
}
