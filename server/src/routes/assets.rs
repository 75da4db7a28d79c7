//! The built site's static files (`/pkg/…` and files at the site root such as the
//! favicon), served from memory like a CDN would:
//!
//! - read once at start-up, with the brotli and gzip versions cargo-leptos made at build
//!   time (`precompress`): no compression work per request;
//! - content negotiation on `Accept-Encoding` (brotli, then gzip, then identity);
//! - hashed names (`badgefolio.<hash>.wasm`, cargo-leptos `hash-files`) are cached for a
//!   year as `immutable`, but only when the hash in the name is that of the content
//!   (MD5, base64url, as cargo-leptos computes it); other files for five minutes; both
//!   with `ETag` and `Last-Modified`, answering `304 Not Modified` to a matching
//!   revalidation.
//! - with `--split`, cargo-leptos 0.3.11 hashes the JS glue and the main WASM *before*
//!   writing the split loader's final name into them: the next build can give a changed
//!   file the same name. Cached for a year, the old file would import a loader that no
//!   longer exists. A file whose name does not match its content is therefore served
//!   `no-cache` (revalidated with its ETag on every use, a 304 when unchanged).

use std::{collections::HashMap, path::Path, sync::Arc, time::SystemTime};

use axum::{
    body::Body,
    extract::{Request, State},
    http::{HeaderMap, HeaderValue, Method, StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Response},
};
use sha2::{Digest, Sha256};

/// Largest file kept in memory (the WASM bundle is well below).
const MAX_ASSET_BYTES: u64 = 32 * 1024 * 1024;
/// Cache lifetime of files whose name carries their content hash.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// Cache lifetime of other static files (revalidated with the ETag afterwards).
const SHORT: &str = "public, max-age=300";
/// Files whose name carries a hash that is not that of their content.
const REVALIDATE: &str = "no-cache";

/// Marks a response as one of the site's static files: the same bytes for everyone,
/// so its caching headers stand even for a signed-in browser.
#[derive(Debug, Clone, Copy)]
pub struct StaticAsset;

/// Marks a response whose body is already encoded as it should go out, so the
/// response-compression layer leaves it alone.
#[derive(Debug, Clone, Copy)]
pub struct Precompressed;

/// One encoding of a file.
#[derive(Debug, Clone)]
struct Variant {
    bytes: bytes::Bytes,
    etag: HeaderValue,
}

/// One static file.
#[derive(Debug, Clone)]
struct Asset {
    content_type: HeaderValue,
    cache_control: HeaderValue,
    last_modified: Option<HeaderValue>,
    last_modified_at: Option<SystemTime>,
    identity: Variant,
    br: Option<Variant>,
    gzip: Option<Variant>,
}

/// Every static file by URL path.
#[derive(Debug, Clone, Default)]
pub struct Assets(Arc<HashMap<String, Asset>>);

fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next().unwrap_or_default() {
        "wasm" => "application/wasm",
        "js" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "json" => "application/json",
        "txt" => "text/plain; charset=utf-8",
        "html" => "text/html; charset=utf-8",
        "woff2" => "font/woff2",
        _ => "application/octet-stream",
    }
}

/// Whether a file name carries a content hash: `name.<hash>.ext` as cargo-leptos writes it.
pub fn is_hashed(file_name: &str) -> bool {
    let parts: Vec<&str> = file_name.split('.').collect();
    parts.len() >= 3
        && parts[parts.len() - 2].len() >= 16
        && parts[parts.len() - 2]
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Whether the hash in a hashed name is the content's: base64url (unpadded) of its MD5,
/// as cargo-leptos names files.
pub fn hash_matches(file_name: &str, bytes: &[u8]) -> bool {
    use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};
    use md5::Digest as _;
    let parts: Vec<&str> = file_name.split('.').collect();
    parts.len() >= 3 && parts[parts.len() - 2] == URL_SAFE_NO_PAD.encode(md5::Md5::digest(bytes))
}

/// The `Cache-Control` of a static file.
fn cache_control_for(file_name: &str, bytes: &[u8]) -> &'static str {
    if !is_hashed(file_name) {
        SHORT
    } else if hash_matches(file_name, bytes) {
        IMMUTABLE
    } else {
        REVALIDATE
    }
}

fn variant(bytes: Vec<u8>, suffix: &str) -> Variant {
    let digest = Sha256::digest(&bytes);
    let hex: String = digest[..12].iter().map(|b| format!("{b:02x}")).collect();
    Variant {
        etag: HeaderValue::from_str(&format!("\"{hex}{suffix}\""))
            .unwrap_or_else(|_| HeaderValue::from_static("\"0\"")),
        bytes: bytes.into(),
    }
}

fn read_small(path: &Path) -> Option<Vec<u8>> {
    let meta = std::fs::metadata(path).ok()?;
    (meta.is_file() && meta.len() <= MAX_ASSET_BYTES)
        .then(|| std::fs::read(path).ok())
        .flatten()
}

impl Assets {
    /// Loads the site: every file under `site_root` (one level of folders deep, where
    /// `pkg/` is), with its `.br` and `.gz` versions when they are smaller.
    pub fn load(site_root: &Path) -> Self {
        let mut map = HashMap::new();
        let mut dirs = vec![(site_root.to_path_buf(), String::new(), 0)];
        while let Some((dir, prefix, depth)) = dirs.pop() {
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            for entry in entries.flatten() {
                let path = entry.path();
                let Some(name) = path
                    .file_name()
                    .and_then(|n| n.to_str())
                    .map(str::to_string)
                else {
                    continue;
                };
                if path.is_dir() {
                    if depth < 2 {
                        dirs.push((path, format!("{prefix}/{name}"), depth + 1));
                    }
                    continue;
                }
                if name.ends_with(".br") || name.ends_with(".gz") || name.starts_with('.') {
                    continue;
                }
                let Some(bytes) = read_small(&path) else {
                    continue;
                };
                let smaller = |ext: &str, suffix: &str| {
                    read_small(&path.with_file_name(format!("{name}.{ext}")))
                        .filter(|b| b.len() < bytes.len())
                        .map(|b| variant(b, suffix))
                };
                let modified = std::fs::metadata(&path).and_then(|m| m.modified()).ok();
                let url = format!("{prefix}/{name}");
                let asset = Asset {
                    content_type: HeaderValue::from_static(content_type(&name)),
                    cache_control: HeaderValue::from_static(cache_control_for(&name, &bytes)),
                    last_modified: modified
                        .and_then(|t| HeaderValue::from_str(&httpdate::fmt_http_date(t)).ok()),
                    last_modified_at: modified,
                    br: smaller("br", "-br"),
                    gzip: smaller("gz", "-gz"),
                    identity: variant(bytes, ""),
                };
                map.insert(url, asset);
            }
        }
        Self(Arc::new(map))
    }

    /// Number of files served.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether no file is served.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The `Cache-Control` a served file goes out with; `None` when it is not served.
    pub fn cache_control(&self, path: &str) -> Option<&str> {
        self.0.get(path).and_then(|a| a.cache_control.to_str().ok())
    }
}

/// How much the client wants an encoding (`q` value, 0 when refused or not named;
/// `*` counts for unnamed encodings).
pub fn quality(headers: &HeaderMap, encoding: &str) -> f32 {
    let mut star = 0.0;
    for value in headers.get_all(header::ACCEPT_ENCODING) {
        let Ok(text) = value.to_str() else { continue };
        for item in text.split(',') {
            let mut parts = item.split(';');
            let name = parts.next().unwrap_or_default().trim();
            let q = parts
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            if name.eq_ignore_ascii_case(encoding) {
                return q;
            }
            if name == "*" {
                star = q;
            }
        }
    }
    star
}

fn not_modified(req_headers: &HeaderMap, asset: &Asset, etag: &HeaderValue) -> bool {
    if let Some(inm) = req_headers.get(header::IF_NONE_MATCH) {
        let Ok(inm) = inm.to_str() else { return false };
        let etag = etag.to_str().unwrap_or_default();
        return inm
            .split(',')
            .map(|t| t.trim().trim_start_matches("W/"))
            .any(|t| t == "*" || t == etag);
    }
    match (
        req_headers
            .get(header::IF_MODIFIED_SINCE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| httpdate::parse_http_date(v).ok()),
        asset.last_modified_at,
    ) {
        (Some(since), Some(modified)) => modified
            .duration_since(SystemTime::UNIX_EPOCH)
            .ok()
            .zip(since.duration_since(SystemTime::UNIX_EPOCH).ok())
            .is_some_and(|(m, s)| m.as_secs() <= s.as_secs()),
        _ => false,
    }
}

impl Assets {
    /// The answer for a static file at `path`, or `None` when there is no such file.
    /// With `only_final`, also `None` when the answer would still be compressed on the
    /// way out (a file without a build-time variant, to a client that accepts one): the
    /// fast path ([`crate::fast`]) leaves those to the full stack.
    pub fn answer(
        &self,
        method: &Method,
        path: &str,
        headers: &HeaderMap,
        only_final: bool,
    ) -> Option<Response> {
        if !matches!(*method, Method::GET | Method::HEAD) {
            return None;
        }
        let asset = self.0.get(path)?;
        let (variant, encoding) = match (&asset.br, &asset.gzip) {
            (Some(br), _) if quality(headers, "br") > 0.0 => (br, Some("br")),
            (_, Some(gz)) if quality(headers, "gzip") > 0.0 => (gz, Some("gzip")),
            _ => (&asset.identity, None),
        };
        let modified = not_modified(headers, asset, &variant.etag);
        if only_final
            && encoding.is_none()
            && !modified
            && (quality(headers, "br") > 0.0 || quality(headers, "gzip") > 0.0)
        {
            return None;
        }
        let mut res = if modified {
            StatusCode::NOT_MODIFIED.into_response()
        } else if *method == Method::HEAD {
            let mut r = Response::new(Body::empty());
            r.headers_mut().insert(
                header::CONTENT_LENGTH,
                HeaderValue::from(variant.bytes.len()),
            );
            r
        } else {
            Response::new(Body::from(variant.bytes.clone()))
        };
        let h = res.headers_mut();
        // A 304 carries the validators only: a cache keeps its own stored headers.
        if !modified {
            h.insert(header::CONTENT_TYPE, asset.content_type.clone());
            if let Some(enc) = encoding {
                h.insert(header::CONTENT_ENCODING, HeaderValue::from_static(enc));
            }
        }
        h.insert(header::ETAG, variant.etag.clone());
        h.insert(header::CACHE_CONTROL, asset.cache_control.clone());
        h.insert(header::VARY, HeaderValue::from_static("Accept-Encoding"));
        if let Some(lm) = &asset.last_modified {
            h.insert(header::LAST_MODIFIED, lm.clone());
        }
        h.insert(
            header::ACCESS_CONTROL_ALLOW_ORIGIN,
            HeaderValue::from_static("*"),
        );
        // Encoded at build time, or a 304: nothing for the compression layer. A plain
        // variant (a build without `--precompress`) may still be compressed on the way out.
        if encoding.is_some() || modified {
            res.extensions_mut().insert(Precompressed);
        }
        res.extensions_mut().insert(StaticAsset);
        Some(res)
    }
}

/// Answers requests for static files that the fast path left (see [`Assets::answer`]);
/// everything else goes on.
pub async fn serve(State(assets): State<Assets>, req: Request, next: Next) -> Response {
    match assets.answer(req.method(), req.uri().path(), req.headers(), false) {
        Some(res) => res,
        None => next.run(req).await,
    }
}

/// Lets the response-compression layer skip what is already encoded.
#[derive(Debug, Clone, Copy, Default)]
pub struct NotPrecompressed;

impl tower_http::compression::Predicate for NotPrecompressed {
    fn should_compress<B>(&self, response: &http::Response<B>) -> bool
    where
        B: http_body::Body,
    {
        response.extensions().get::<Precompressed>().is_none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashed_names_are_recognised() {
        assert!(is_hashed("badgefolio.Zx3mQ0b1c2d3e4f5g6h7i8.wasm"));
        assert!(!is_hashed("badgefolio.wasm"));
        assert!(!is_hashed("favicon.svg"));
        assert!(!is_hashed("badgefolio_bg.wasm.d.ts"));
    }

    #[test]
    fn accept_encoding_quality_values_are_read() {
        let mut h = HeaderMap::new();
        h.insert(
            header::ACCEPT_ENCODING,
            HeaderValue::from_static("gzip, br;q=0"),
        );
        assert_eq!(quality(&h, "br"), 0.0);
        assert_eq!(quality(&h, "gzip"), 1.0);
        h.insert(header::ACCEPT_ENCODING, HeaderValue::from_static("*;q=0.5"));
        assert_eq!(quality(&h, "br"), 0.5);
        assert_eq!(quality(&HeaderMap::new(), "br"), 0.0);
    }
}
