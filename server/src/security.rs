//! Security layers around every response: headers (CSP with a per-request nonce) and
//! the cross-site check for mutating requests.

use axum::{
    extract::{Request, State},
    http::{HeaderMap, HeaderValue, Method, StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Response},
};
use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};
use rand::RngCore as _;

use app::server::{AppState, sessions};

/// Marks a response that any site may frame (the embed cards): it goes out without
/// `X-Frame-Options` and with its own CSP (`frame-ancestors *`). Every other response
/// denies framing.
#[derive(Debug, Clone, Copy)]
pub struct Frameable;

/// The CSP nonce of one response, shared with the Leptos renderer through the request.
#[derive(Debug, Clone)]
pub struct CspNonce(pub String);

/// Makes the request's nonce the one Leptos puts on its inline hydration scripts.
/// Called inside the Leptos context of every render.
pub fn provide_csp_nonce() {
    use leptos::prelude::{provide_context, use_context};
    if let Some(parts) = use_context::<http::request::Parts>()
        && let Some(CspNonce(nonce)) = parts.extensions.get::<CspNonce>()
    {
        provide_context(leptos::nonce::Nonce::from_value(nonce.as_str()));
    }
}

/// The Content-Security-Policy for a nonce. Scripts run only from our origin or with
/// the nonce; WASM may be compiled; nothing may frame us.
pub fn content_security_policy(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self'; img-src 'self' data: https:; font-src 'self'; connect-src 'self'; \
         object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
}

/// Whether the answer to a request may show personal data, and so must not be stored
/// by any cache (`Cache-Control: private, no-store`): every server-function call, and
/// every request with a session cookie except the static files under `/pkg/`, and every
/// page opened from an account link (a `token=` in the query).
pub fn may_be_personal(req: &Request, pkg_dir: &str) -> bool {
    let path = req.uri().path();
    let is_static = path
        .strip_prefix('/')
        .and_then(|p| p.strip_prefix(pkg_dir))
        .is_some_and(|rest| rest.starts_with('/'));
    // A page opened from an account link carries its single-use token in the query.
    let carries_token = req
        .uri()
        .query()
        .is_some_and(|q| q.split('&').any(|kv| kv.starts_with("token=")));
    path.starts_with("/api/")
        || carries_token
        || (!is_static && sessions::has_session_cookie(req.headers()))
}

/// The same policy for a page made once: its inline scripts are allowed by hash
/// instead of by a nonce.
pub fn content_security_policy_hashed(script_hashes: &[String]) -> String {
    format!(
        "default-src 'self'; script-src 'self' {} 'wasm-unsafe-eval'; \
         style-src 'self'; img-src 'self' data: https:; font-src 'self'; connect-src 'self'; \
         object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
        script_hashes.join(" ")
    )
}

/// The policy for answers that carry no page of ours (static files, JSON documents):
/// no inline script may run at all, which is stricter than any nonce.
pub fn content_security_policy_static() -> HeaderValue {
    static CSP: std::sync::LazyLock<HeaderValue> = std::sync::LazyLock::new(|| {
        HeaderValue::from_static(
            "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; \
             style-src 'self'; img-src 'self' data: https:; font-src 'self'; connect-src 'self'; \
             object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
        )
    });
    CSP.clone()
}

/// The security headers every response carries, with its CSP; `private, no-store`
/// when the answer may be personal; HSTS on https.
pub fn add_headers(h: &mut HeaderMap, csp: HeaderValue, personal: bool, hsts: bool) {
    h.insert(header::CONTENT_SECURITY_POLICY, csp);
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("strict-origin-when-cross-origin"),
    );
    // A route that lets our own pages frame it (an evidence PDF in the review page)
    // says so itself; everything else may not be framed at all.
    if !h.contains_key(header::X_FRAME_OPTIONS) {
        h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    }
    h.insert(
        "cross-origin-opener-policy",
        HeaderValue::from_static("same-origin"),
    );
    h.insert(
        "permissions-policy",
        HeaderValue::from_static("camera=(), microphone=(), geolocation=(), interest-cohort=()"),
    );
    if personal {
        h.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("private, no-store"),
        );
    }
    if hsts {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
    }
}

/// Adds the security headers to every response.
pub async fn headers(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let personal = may_be_personal(&req, &state.leptos_options.site_pkg_dir);
    let mut bytes = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let nonce = URL_SAFE_NO_PAD.encode(bytes);
    req.extensions_mut().insert(CspNonce(nonce.clone()));

    let mut res = next.run(req).await;
    // The site's static files are the same bytes for everyone: their caching stands.
    let personal = personal
        && res
            .extensions()
            .get::<crate::routes::assets::StaticAsset>()
            .is_none();
    let csp = match res.extensions().get::<crate::routes::pages::PageCsp>() {
        Some(c) => c.0.clone(),
        // A route that set a stricter policy of its own (uploaded images) keeps it.
        None => match res.headers().get(header::CONTENT_SECURITY_POLICY) {
            Some(own) => own.clone(),
            None => HeaderValue::from_str(&content_security_policy(&nonce))
                .unwrap_or_else(|_| content_security_policy_static()),
        },
    };
    add_headers(
        res.headers_mut(),
        csp,
        personal,
        state.settings.secure_cookies,
    );
    if res.extensions().get::<Frameable>().is_some() {
        res.headers_mut().remove(header::X_FRAME_OPTIONS);
    }
    res
}

/// Refuses state-changing requests that a browser sent from another site.
///
/// Browsers say where a request comes from (`Sec-Fetch-Site`, `Origin`); a mutation is
/// accepted when it comes from our own origin, or from a client that is not a browser
/// (no such headers, and then no ambient cookies are at stake either since session
/// cookies are `SameSite=Lax`).
///
/// The one exception is the public verification API (`routes::verify::API`): it reads
/// no cookies and changes nothing, so a request from another site can do nothing with
/// it that the site could not do from its own server; it is meant to be called so.
pub async fn origin_check(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if is_safe_method(req.method())
        || req.uri().path() == crate::routes::verify::API
        || is_same_origin(req.headers(), &state.settings.public_url)
    {
        next.run(req).await
    } else {
        tracing::warn!(method = %req.method(), path = %req.uri().path(), "cross-site request refused");
        (
            StatusCode::FORBIDDEN,
            [(header::CONTENT_TYPE, "application/json")],
            r#"{"code":"forbidden","message":"Cross-site requests are not allowed."}"#,
        )
            .into_response()
    }
}

fn is_safe_method(m: &Method) -> bool {
    matches!(
        *m,
        Method::GET | Method::HEAD | Method::OPTIONS | Method::TRACE
    )
}

/// Whether a mutating request may proceed.
pub fn is_same_origin(headers: &HeaderMap, public_url: &str) -> bool {
    let get = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    match get("sec-fetch-site") {
        Some("same-origin" | "none") => return true,
        Some(_) => return false,
        None => {}
    }
    let Some(origin) = get("origin") else {
        return true;
    };
    if origin.eq_ignore_ascii_case(public_url) {
        return true;
    }
    // The site may be reached under another name than the public URL (localhost vs
    // 127.0.0.1): accept an origin whose host is the Host the request was sent to.
    let host = get("host").unwrap_or_default();
    let origin_host = origin
        .strip_prefix("http://")
        .or_else(|| origin.strip_prefix("https://"))
        .unwrap_or_default();
    !host.is_empty() && origin_host.eq_ignore_ascii_case(host)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut m = HeaderMap::new();
        for (k, v) in pairs {
            m.insert(*k, HeaderValue::from_static(v));
        }
        m
    }

    const PUB: &str = "http://127.0.0.1:3000";

    #[test]
    fn same_origin_requests_pass() {
        assert!(is_same_origin(
            &h(&[("origin", "http://127.0.0.1:3000")]),
            PUB
        ));
        assert!(is_same_origin(
            &h(&[("sec-fetch-site", "same-origin")]),
            PUB
        ));
        assert!(is_same_origin(
            &h(&[
                ("origin", "http://localhost:3000"),
                ("host", "localhost:3000")
            ]),
            PUB
        ));
        assert!(is_same_origin(&h(&[]), PUB), "non-browser clients");
    }

    #[test]
    fn cross_site_requests_fail() {
        assert!(!is_same_origin(
            &h(&[("origin", "https://evil.example")]),
            PUB
        ));
        assert!(!is_same_origin(
            &h(&[("sec-fetch-site", "cross-site")]),
            PUB
        ));
        assert!(!is_same_origin(&h(&[("sec-fetch-site", "same-site")]), PUB));
        assert!(!is_same_origin(
            &h(&[
                ("origin", "http://evil.example"),
                ("host", "127.0.0.1:3000")
            ]),
            PUB
        ));
        assert!(!is_same_origin(&h(&[("origin", "null")]), PUB));
    }

    fn req(path: &str, cookie: Option<&'static str>) -> Request {
        let mut r = axum::http::Request::builder().uri(path);
        if let Some(c) = cookie {
            r = r.header(header::COOKIE, c);
        }
        r.body(axum::body::Body::empty()).expect("request")
    }

    #[test]
    fn personal_answers_are_recognised() {
        let s = Some("badgefolio_session=abc");
        let host = Some("__Host-badgefolio_session=abc");
        assert!(may_be_personal(&req("/portfolio", s), "pkg"));
        assert!(may_be_personal(&req("/", host), "pkg"));
        assert!(may_be_personal(&req("/api/current_user", None), "pkg"));
        assert!(!may_be_personal(&req("/", None), "pkg"));
        assert!(!may_be_personal(&req("/portfolio", Some("other=1")), "pkg"));
        assert!(!may_be_personal(&req("/pkg/badgefolio.wasm", s), "pkg"));
        assert!(may_be_personal(&req("/pkgfoo", s), "pkg"));
        assert!(may_be_personal(
            &req("/account/reset?token=abc", None),
            "pkg"
        ));
        assert!(!may_be_personal(&req("/forgot?sent=1", None), "pkg"));
    }

    #[test]
    fn csp_carries_the_nonce_and_forbids_framing() {
        let csp = content_security_policy("abc");
        assert!(csp.contains("'nonce-abc'"));
        assert!(csp.contains("frame-ancestors 'none'"));
        assert!(!csp.contains("unsafe-inline"));
    }
}
