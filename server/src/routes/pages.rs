//! Public pages that are the same for every signed-out visitor (landing, sign-in,
//! sign-up) are rendered once per build and served from memory, already compressed.
//!
//! The public catalog (`/programs`, `/programs/{slug}`, competency pages) is the same for
//! every signed-out visitor too, but changes with the database: its renders are kept
//! while no write has committed in this process since they were made, and for at most
//! [`CATALOG_REVALIDATE_AFTER`] (so a change made by another process, such as a second
//! server, shows within that bound).
//!
//! A per-request CSP nonce cannot go into bytes made once, so these pages carry a CSP
//! that allows exactly their inline scripts by hash instead (as strict as the nonce:
//! nothing else inline can run). Anyone with a session cookie, or a query string, gets a
//! fresh render as before.

use std::{
    collections::HashMap,
    io::Write as _,
    sync::{Arc, PoisonError, RwLock},
};

use axum::{
    body::{Body, to_bytes},
    extract::{Request, State},
    http::{HeaderValue, Method, StatusCode, header},
    middleware::Next,
    response::Response,
};
use base64::{Engine as _, engine::general_purpose::STANDARD};
use sha2::{Digest, Sha256};

use app::server::sessions;

use crate::routes::assets::Precompressed;
use crate::security::{CspNonce, content_security_policy_hashed};

/// The pages rendered once: they show nothing that depends on the visitor.
pub const CACHED_PAGES: [&str; 3] = ["/", "/signin", "/signup"];
/// How long a catalog page rendered here is served without rendering it again (changes
/// committed by this process invalidate it at once).
pub const CATALOG_REVALIDATE_AFTER: std::time::Duration = std::time::Duration::from_secs(1);
/// Most catalog pages kept at once (each program has one; beyond this, pages are
/// rendered per request).
const MAX_CATALOG_PAGES: usize = 2048;

/// Whether a path is a public catalog page (kept while fresh).
fn is_catalog_page(path: &str) -> bool {
    let Some(rest) = path.strip_prefix('/') else {
        return false;
    };
    let segments: Vec<&str> = rest.split('/').collect();
    matches!(
        segments.as_slice(),
        ["programs"] | ["programs", _] | ["competencies", _] | ["issuers", _, "competencies", _]
    ) && segments.iter().all(|s| !s.is_empty())
}

/// Largest page kept.
const MAX_PAGE_BYTES: usize = 1024 * 1024;
/// The placeholder nonce the cached render is made with (then removed).
const PLACEHOLDER: &str = "cached-page-no-nonce";

/// The CSP a response must carry instead of the nonce one.
#[derive(Debug, Clone)]
pub struct PageCsp(pub HeaderValue);

#[derive(Debug)]
struct Page {
    /// For catalog pages: the write generation and time it was rendered at (`None`: a
    /// page of the build, kept for good).
    made: Option<(u64, std::time::Instant)>,
    csp: HeaderValue,
    content_type: HeaderValue,
    identity: bytes::Bytes,
    br: bytes::Bytes,
    gzip: bytes::Bytes,
}

/// The rendered pages of this build.
#[derive(Debug, Clone, Default)]
pub struct PageCache(Arc<RwLock<HashMap<String, Arc<Page>>>>);

/// `'sha256-…'` of every inline script (one without `src`) in the page.
pub fn inline_script_hashes(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find("<script") {
        rest = &rest[start..];
        let Some(tag_end) = rest.find('>') else { break };
        let tag = &rest[..tag_end];
        let body_start = tag_end + 1;
        let Some(close) = rest[body_start..].find("</script>") else {
            break;
        };
        let body = &rest[body_start..body_start + close];
        if !tag.contains(" src=") {
            out.push(format!(
                "'sha256-{}'",
                STANDARD.encode(Sha256::digest(body.as_bytes()))
            ));
        }
        rest = &rest[body_start + close..];
    }
    out.sort();
    out.dedup();
    out
}

fn accepts(req: &Request, encoding: &str) -> bool {
    req.headers()
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|item| {
            let mut parts = item.split(';');
            let name = parts.next().unwrap_or_default().trim();
            let refused = parts.any(|p| {
                p.trim()
                    .strip_prefix("q=")
                    .and_then(|q| q.trim().parse::<f32>().ok())
                    .is_some_and(|q| q <= 0.0)
            });
            name.eq_ignore_ascii_case(encoding) && !refused
        })
}

fn compress(html: &[u8]) -> (Vec<u8>, Vec<u8>) {
    let mut br = Vec::new();
    let params = brotli::enc::BrotliEncoderParams {
        quality: 11,
        ..Default::default()
    };
    let _ = brotli::BrotliCompress(&mut &html[..], &mut br, &params);
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let _ = gz.write_all(html);
    (br, gz.finish().unwrap_or_default())
}

fn respond(req: &Request, page: &Page) -> Response {
    let (body, encoding) = if accepts(req, "br") {
        (page.br.clone(), Some("br"))
    } else if accepts(req, "gzip") {
        (page.gzip.clone(), Some("gzip"))
    } else {
        (page.identity.clone(), None)
    };
    let len = body.len();
    let mut res = if req.method() == Method::HEAD {
        Response::new(Body::empty())
    } else {
        Response::new(Body::from(body))
    };
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, page.content_type.clone());
    h.insert(header::CONTENT_LENGTH, HeaderValue::from(len));
    h.insert(header::VARY, HeaderValue::from_static("Accept-Encoding"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    if let Some(enc) = encoding {
        h.insert(header::CONTENT_ENCODING, HeaderValue::from_static(enc));
    }
    res.extensions_mut().insert(PageCsp(page.csp.clone()));
    res.extensions_mut().insert(Precompressed);
    res
}

fn eligible(req: &Request) -> bool {
    let path = req.uri().path();
    matches!(*req.method(), Method::GET | Method::HEAD)
        && (CACHED_PAGES.contains(&path) || is_catalog_page(path))
        && req.uri().query().is_none()
        && !sessions::has_session_cookie(req.headers())
}

impl Page {
    /// Whether the page may still be served.
    fn fresh(&self) -> bool {
        self.made.is_none_or(|(generation, at)| {
            generation == app::server::db::write_generation()
                && at.elapsed() < CATALOG_REVALIDATE_AFTER
        })
    }
}

impl PageCache {
    fn get(&self, path: &str) -> Option<Arc<Page>> {
        self.0
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(path)
            .filter(|page| page.fresh())
            .cloned()
    }

    /// The answer from a page already rendered, if this request may have it (its CSP
    /// rides along as [`PageCsp`]).
    pub fn answer(&self, req: &Request) -> Option<Response> {
        if !eligible(req) {
            return None;
        }
        self.get(req.uri().path()).map(|page| respond(req, &page))
    }
}

/// Serves the cached pages, rendering each once.
pub async fn serve(State(cache): State<PageCache>, mut req: Request, next: Next) -> Response {
    if !eligible(&req) {
        return next.run(req).await;
    }
    let path = req.uri().path().to_string();
    if let Some(page) = cache.get(&path) {
        return respond(&req, &page);
    }
    // Read before rendering: a commit during the render makes the result stale at once.
    let made = is_catalog_page(&path).then(|| {
        (
            app::server::db::write_generation(),
            std::time::Instant::now(),
        )
    });
    // Render with a placeholder nonce, then make the page nonce-free.
    req.extensions_mut()
        .insert(CspNonce(PLACEHOLDER.to_string()));
    let head_only = req.method() == Method::HEAD;
    let (accept_br, accept_gz) = (accepts(&req, "br"), accepts(&req, "gzip"));
    let res = next.run(req).await;
    let is_html = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("text/html"));
    if res.status() != StatusCode::OK || !is_html || head_only {
        return res;
    }
    let (parts, body) = res.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_PAGE_BYTES).await else {
        return Response::from_parts(parts, Body::empty());
    };
    let html = String::from_utf8_lossy(&bytes)
        .replace(&format!(" nonce=\"{PLACEHOLDER}\""), "")
        .replace(
            &format!("crossorigin=\"{PLACEHOLDER}\""),
            "crossorigin=\"\"",
        );
    let hashes = inline_script_hashes(&html);
    let Ok(csp) = HeaderValue::from_str(&content_security_policy_hashed(&hashes)) else {
        return Response::from_parts(parts, Body::from(bytes));
    };
    let content_type = parts
        .headers
        .get(header::CONTENT_TYPE)
        .cloned()
        .unwrap_or(HeaderValue::from_static("text/html; charset=utf-8"));
    let identity = html.into_bytes();
    let for_compression = identity.clone();
    let Ok((br, gzip)) = tokio::task::spawn_blocking(move || compress(&for_compression)).await
    else {
        return Response::from_parts(parts, Body::from(bytes));
    };
    let page = Arc::new(Page {
        made,
        csp,
        content_type,
        identity: identity.into(),
        br: br.into(),
        gzip: gzip.into(),
    });
    {
        let mut pages = cache.0.write().unwrap_or_else(PoisonError::into_inner);
        if made.is_some() {
            // Drop stale catalog pages; keep the number bounded.
            pages.retain(|_, p| p.fresh());
        }
        if pages.len() < MAX_CATALOG_PAGES + CACHED_PAGES.len() {
            pages.insert(path, page.clone());
        }
    }
    let mut probe = Request::new(Body::empty());
    if accept_br {
        probe
            .headers_mut()
            .insert(header::ACCEPT_ENCODING, HeaderValue::from_static("br"));
    } else if accept_gz {
        probe
            .headers_mut()
            .insert(header::ACCEPT_ENCODING, HeaderValue::from_static("gzip"));
    }
    respond(&probe, &page)
}

/// Brotli quality for pages made per request (signed-in pages). Measured on the
/// 3 KB portfolio page with this brotli crate, one piece, fitted window: quality 4 takes
/// ~0.1 ms for 1,394 B (gzip 6: 0.06 ms, 1,449 B); quality 5 switches to a hasher with a
/// 1 MiB table zeroed per call and takes ~0.9 ms for 1,309 B; 11 takes milliseconds.
const DYNAMIC_BROTLI_QUALITY: i32 = 4;

/// Brotli at `quality` with a window no larger than the input: the encoder allocates
/// (and zeroes) a ring buffer of the window's size, 4 MiB at brotli's default `lgwin`
/// of 22, which for a page of a few KiB cost more than compressing it (seen in `perf`:
/// `memset` and page faults under the streaming encoder of the compression layer).
pub fn brotli_fitted(data: &[u8], quality: i32) -> Vec<u8> {
    let mut lgwin = 16;
    while lgwin < 22 && (1usize << lgwin) < data.len() + 16 {
        lgwin += 1;
    }
    let params = brotli::enc::BrotliEncoderParams {
        quality,
        lgwin,
        size_hint: data.len(),
        ..Default::default()
    };
    let mut out = Vec::with_capacity(data.len() / 3 + 64);
    if brotli::BrotliCompress(&mut &data[..], &mut out, &params).is_err() {
        return Vec::new();
    }
    out
}

/// Compresses HTML pages rendered per request in one piece (brotli 4 with a fitted
/// window, else gzip 6), instead of the response-compression layer's streaming encoder.
/// The page is collected first: it is our own render, and the browser needs all of it
/// before hydrating anyway.
pub async fn compress_pages(req: Request, next: Next) -> Response {
    let br = accepts(&req, "br");
    let gz = accepts(&req, "gzip");
    let res = next.run(req).await;
    let is_html = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("text/html"));
    if !(br || gz)
        || !is_html
        || res.headers().contains_key(header::CONTENT_ENCODING)
        || res.extensions().get::<Precompressed>().is_some()
    {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let Ok(bytes) = to_bytes(body, usize::MAX).await else {
        return Response::from_parts(parts, Body::empty());
    };
    let (encoded, encoding) = if br {
        (brotli_fitted(&bytes, DYNAMIC_BROTLI_QUALITY), "br")
    } else {
        let mut gz = flate2::write::GzEncoder::new(
            Vec::with_capacity(bytes.len() / 3 + 64),
            flate2::Compression::new(6),
        );
        let out = gz.write_all(&bytes).and_then(|()| gz.finish());
        (out.unwrap_or_default(), "gzip")
    };
    if encoded.is_empty() {
        return Response::from_parts(parts, Body::from(bytes));
    }
    parts
        .headers
        .insert(header::CONTENT_ENCODING, HeaderValue::from_static(encoding));
    parts
        .headers
        .insert(header::CONTENT_LENGTH, HeaderValue::from(encoded.len()));
    parts
        .headers
        .insert(header::VARY, HeaderValue::from_static("Accept-Encoding"));
    parts.extensions.insert(Precompressed);
    Response::from_parts(parts, Body::from(encoded))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_scripts_are_hashed_and_external_ones_skipped() {
        let html = r#"<head><script type="module">import x</script><script src="/a.js"></script><script>1</script></head>"#;
        let hashes = inline_script_hashes(html);
        assert_eq!(hashes.len(), 2);
        let expected = format!("'sha256-{}'", STANDARD.encode(Sha256::digest(b"1")));
        assert!(hashes.contains(&expected), "{hashes:?}");
    }

    #[test]
    fn catalog_pages_are_recognised() {
        for p in [
            "/programs",
            "/programs/data",
            "/competencies/teamwork",
            "/issuers/demo/competencies/x",
        ] {
            assert!(is_catalog_page(p), "{p}");
        }
        for p in [
            "/programs/",
            "/programs/a/b",
            "/manage",
            "/issuers/demo",
            "/portfolio",
            "//programs",
        ] {
            assert!(!is_catalog_page(p), "{p}");
        }
    }

    #[test]
    fn fitted_brotli_round_trips() {
        let html = "<p>hello</p>".repeat(500);
        let packed = brotli_fitted(html.as_bytes(), DYNAMIC_BROTLI_QUALITY);
        assert!(!packed.is_empty() && packed.len() < html.len() / 10);
        let mut out = Vec::new();
        brotli::BrotliDecompress(&mut &packed[..], &mut out).expect("valid brotli");
        assert_eq!(out, html.as_bytes());
        let mut out = Vec::new();
        brotli::BrotliDecompress(&mut &brotli_fitted(b"", 5)[..], &mut out).expect("empty");
        assert!(out.is_empty());
    }
}
