//! The public pages' cache: rendered bytes (with their brotli and gzip forms for text)
//! kept by path. An entry is served while no write has committed in this process since
//! it was made (a revocation, a visibility change or a revoked link made here shows at
//! once) and for at most [`MAX_AGE`] (so one made on another server shows within that,
//! plus the `max-age` a browser keeps it: within one minute in all).

use std::{
    collections::HashMap,
    sync::{Arc, PoisonError, RwLock},
    time::{Duration, Instant},
};

use axum::{
    body::Body,
    http::{HeaderMap, HeaderValue, Method, StatusCode, header},
    response::Response,
};
use sha2::{Digest as _, Sha256};

use crate::routes::assets::Precompressed;

/// Longest an entry is trusted.
pub const MAX_AGE: Duration = Duration::from_secs(30);
/// What browsers and shared caches are told.
pub const CACHE_CONTROL: &str = "public, max-age=30";
/// What they are told under a share link: ask again every time (cheap: a 304).
pub const CACHE_CONTROL_LINK: &str = "public, no-cache";
/// Most entries kept (then the cache starts over).
const MAX_ENTRIES: usize = 4096;
/// Largest entry kept.
const MAX_ENTRY_BYTES: usize = 2 * 1024 * 1024;

/// A response made once.
#[derive(Debug)]
pub struct Entry {
    made: (u64, Instant),
    pub content_type: &'static str,
    pub csp: HeaderValue,
    pub frameable: bool,
    pub disposition: Option<HeaderValue>,
    pub etag: HeaderValue,
    /// The subject a view of this page counts against (pages only).
    pub view: Option<(&'static str, i32)>,
    identity: bytes::Bytes,
    br: Option<bytes::Bytes>,
    gzip: Option<bytes::Bytes>,
}

impl Entry {
    /// An entry for `body`, made at write generation `generation`; text is compressed
    /// once here.
    pub fn new(
        generation: u64,
        content_type: &'static str,
        csp: HeaderValue,
        body: Vec<u8>,
    ) -> Self {
        let digest = Sha256::digest(&body);
        let etag = format!("\"{}\"", hex(&digest[..12]));
        let text = content_type.starts_with("text/")
            || content_type.contains("json")
            || content_type.starts_with("image/svg");
        let (br, gzip) = if text && body.len() > 256 {
            let br = crate::routes::pages::brotli_fitted(&body, 9);
            let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(9));
            let gzip = std::io::Write::write_all(&mut gz, &body)
                .and_then(|()| gz.finish())
                .ok();
            (Some(br.into()), gzip.map(Into::into))
        } else {
            (None, None)
        };
        Self {
            made: (generation, Instant::now()),
            content_type,
            csp,
            frameable: false,
            disposition: None,
            view: None,
            etag: HeaderValue::from_str(&etag).unwrap_or(HeaderValue::from_static("\"0\"")),
            identity: body.into(),
            br,
            gzip,
        }
    }

    fn fresh(&self) -> bool {
        self.made.0 == app::server::db::write_generation() && self.made.1.elapsed() < MAX_AGE
    }

    /// The answer to a request with these headers: 304 when the browser has it.
    pub fn respond(&self, method: &Method, headers: &HeaderMap) -> Response {
        let not_modified = headers
            .get_all(header::IF_NONE_MATCH)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .any(|t| {
                let t = t.trim();
                t == "*" || t.trim_start_matches("W/") == self.etag.to_str().unwrap_or_default()
            });
        let accepts = |enc: &str| {
            headers
                .get_all(header::ACCEPT_ENCODING)
                .iter()
                .filter_map(|v| v.to_str().ok())
                .flat_map(|v| v.split(','))
                .any(|t| {
                    let mut it = t.split(';');
                    it.next().is_some_and(|n| n.trim() == enc)
                        && it.all(|q| q.trim().replace(' ', "") != "q=0")
                })
        };
        let (status, body, encoding) = if not_modified {
            (StatusCode::NOT_MODIFIED, bytes::Bytes::new(), None)
        } else if let Some(br) = self.br.as_ref().filter(|_| accepts("br")) {
            (StatusCode::OK, br.clone(), Some("br"))
        } else if let Some(gz) = self.gzip.as_ref().filter(|_| accepts("gzip")) {
            (StatusCode::OK, gz.clone(), Some("gzip"))
        } else {
            (StatusCode::OK, self.identity.clone(), None)
        };
        let len = body.len();
        let mut res = Response::new(if *method == Method::HEAD {
            Body::empty()
        } else {
            Body::from(body)
        });
        *res.status_mut() = status;
        let h = res.headers_mut();
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(self.content_type),
        );
        h.insert(header::ETAG, self.etag.clone());
        h.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static(CACHE_CONTROL),
        );
        h.insert(header::CONTENT_SECURITY_POLICY, self.csp.clone());
        if self.br.is_some() {
            h.insert(header::VARY, HeaderValue::from_static("Accept-Encoding"));
        }
        if let Some(enc) = encoding {
            h.insert(header::CONTENT_ENCODING, HeaderValue::from_static(enc));
        }
        if status == StatusCode::OK {
            h.insert(header::CONTENT_LENGTH, HeaderValue::from(len));
        }
        if let Some(d) = &self.disposition {
            h.insert(header::CONTENT_DISPOSITION, d.clone());
        }
        if self.frameable {
            res.extensions_mut().insert(crate::security::Frameable);
        }
        res.extensions_mut().insert(Precompressed);
        res
    }
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// The cache, shared by the public routes of one server.
#[derive(Debug, Clone, Default)]
pub struct PublicCache(Arc<RwLock<HashMap<String, Arc<Entry>>>>);

impl PublicCache {
    /// A fresh entry for `key`.
    pub fn get(&self, key: &str) -> Option<Arc<Entry>> {
        let map = self.0.read().unwrap_or_else(PoisonError::into_inner);
        map.get(key).filter(|e| e.fresh()).cloned()
    }

    /// Keeps an entry (not when too large).
    pub fn put(&self, key: String, entry: Arc<Entry>) {
        if entry.identity.len() > MAX_ENTRY_BYTES {
            return;
        }
        let mut map = self.0.write().unwrap_or_else(PoisonError::into_inner);
        if map.len() >= MAX_ENTRIES {
            map.retain(|_, e| e.fresh());
            if map.len() >= MAX_ENTRIES {
                map.clear();
            }
        }
        map.insert(key, entry);
    }

    /// Forgets everything (tests; an operator's change of mind).
    pub fn clear(&self) {
        self.0
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
    }
}
