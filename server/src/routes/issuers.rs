//! What verifiers fetch about an institution: its DID document (every key it ever used),
//! its Profile, and its revocation status lists. Paths come from `app::server::urls`;
//! serving only reads.
//!
//! DID documents and status lists are fetched by every verifier of every credential, so
//! they are served from memory, already encoded (JSON, brotli, gzip), by the
//! [`DocumentCache`]. A cached copy is served only while both hold:
//!
//! - no write transaction of this process has committed since it was read
//!   ([`app::server::db::write_generation`], bumped after every commit): a revocation,
//!   key rotation or compromise made by this server is visible to the very next request,
//!   browsers' and verifiers' alike (the lists still go out as `no-store`);
//! - it was read from the database less than [`REVALIDATE_AFTER`] ago: another process
//!   sharing the database (the `badgefolio credential revoke` command, a second server
//!   behind a load balancer) cannot bump our counter, so its changes show here at most
//!   that long after they commit. Re-reading is cheap (one or two indexed rows, no
//!   compression unless the document changed), so the bound is kept short.

use std::{
    collections::HashMap,
    io::Write as _,
    sync::{Arc, PoisonError, RwLock},
    time::{Duration, Instant},
};

use axum::{
    Extension, Json, Router,
    body::Body,
    extract::{Path, Request, State},
    http::{HeaderMap, HeaderValue, Method, header},
    response::{IntoResponse, Response},
    routing::get,
};
use serde_json::Value;

use app::{
    error::AppError,
    server::{
        AppState, ServerError,
        authz::{self, Action, Actor},
        awards, catalog,
        db::write_generation,
        issuing, sessions,
        urls::{self, routes},
    },
};

use crate::api_error::ApiError;
use crate::routes::assets::{Precompressed, quality};

/// How long a cached document is served without reading the database again, for
/// changes made by *other* processes (this process's own commits invalidate at once).
/// The trade-off: at most this much staleness after `badgefolio credential revoke` run
/// beside the server, against one database read per document per interval.
pub const REVALIDATE_AFTER: Duration = Duration::from_secs(1);

/// The routes, to merge into the main router; `cache` is the one the fast path
/// ([`crate::fast`]) answers from.
pub fn router(cache: DocumentCache) -> Router<AppState> {
    Router::new()
        .route(routes::ISSUER_PROFILE, get(profile))
        .route(routes::ISSUER_DID_DOCUMENT, get(did_document))
        .route(routes::STATUS_LIST_FIRST, get(first_status_list))
        .route(routes::STATUS_LIST_NUMBERED, get(numbered_status_list))
        .route(routes::ACHIEVEMENT, get(achievement))
        .layer(Extension(cache))
}

/// One document, encoded every way it is served.
#[derive(Debug)]
pub struct Doc {
    /// `write_generation()` before it was read.
    generation: u64,
    /// When it was read from the database.
    read_at: Instant,
    content_type: HeaderValue,
    cache_control: HeaderValue,
    identity: bytes::Bytes,
    br: Option<bytes::Bytes>,
    gzip: Option<bytes::Bytes>,
}

impl Doc {
    fn is_fresh(&self) -> bool {
        self.generation == write_generation() && self.read_at.elapsed() < REVALIDATE_AFTER
    }

    /// The response for a request with these headers (content negotiation; `HEAD`
    /// without a body). A request with a session cookie gets `private, no-store` like
    /// every other answer to one.
    pub fn respond(&self, method: &Method, headers: &HeaderMap) -> Response {
        let (body, encoding) = match (&self.br, &self.gzip) {
            (Some(br), _) if quality(headers, "br") > 0.0 => (br, Some("br")),
            (_, Some(gz)) if quality(headers, "gzip") > 0.0 => (gz, Some("gzip")),
            _ => (&self.identity, None),
        };
        let len = body.len();
        let mut res = if *method == Method::HEAD {
            Response::new(Body::empty())
        } else {
            Response::new(Body::from(body.clone()))
        };
        let h = res.headers_mut();
        h.insert(header::CONTENT_TYPE, self.content_type.clone());
        h.insert(header::CONTENT_LENGTH, HeaderValue::from(len));
        h.insert(header::VARY, HeaderValue::from_static("Accept-Encoding"));
        h.insert(
            header::ACCESS_CONTROL_ALLOW_ORIGIN,
            HeaderValue::from_static("*"),
        );
        if sessions::has_session_cookie(headers) {
            h.insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static("private, no-store"),
            );
        } else {
            h.insert(header::CACHE_CONTROL, self.cache_control.clone());
        }
        if let Some(enc) = encoding {
            h.insert(header::CONTENT_ENCODING, HeaderValue::from_static(enc));
        }
        res.extensions_mut().insert(Precompressed);
        res
    }
}

#[derive(Debug)]
struct Slot {
    doc: RwLock<Arc<Doc>>,
    /// One re-read at a time per document (the others wait, then find it fresh).
    refresh: tokio::sync::Mutex<()>,
}

/// The served DID documents and status lists, by their canonical path. Only documents
/// that exist are kept (so the map is bounded by what the database holds); a document
/// that cannot be read again is dropped.
#[derive(Debug, Clone, Default)]
pub struct DocumentCache(Arc<RwLock<HashMap<String, Arc<Slot>>>>);

impl DocumentCache {
    fn slot(&self, path: &str) -> Option<Arc<Slot>> {
        self.0
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(path)
            .cloned()
    }

    /// The cached document at `path` if it may be served as it is.
    pub fn fresh(&self, path: &str) -> Option<Arc<Doc>> {
        let slot = self.slot(path)?;
        let doc = slot
            .doc
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        doc.is_fresh().then_some(doc)
    }

    /// Number of documents kept.
    pub fn len(&self) -> usize {
        self.0.read().unwrap_or_else(PoisonError::into_inner).len()
    }

    /// Whether no document is kept.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The document at canonical path `path`: the cached copy when fresh, else read
    /// (with `load`) and encoded again.
    async fn get_or_load<F, Fut>(
        &self,
        path: &str,
        content_type: &'static str,
        cache_control: &'static str,
        load: F,
    ) -> Result<Arc<Doc>, ApiError>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<Value, ApiError>>,
    {
        if let Some(doc) = self.fresh(path) {
            return Ok(doc);
        }
        let slot = self.slot(path);
        let _turn = match &slot {
            Some(s) => Some(s.refresh.lock().await),
            None => None,
        };
        if let Some(doc) = self.fresh(path) {
            return Ok(doc);
        }
        // Read the generation first: a commit during the read makes this copy stale.
        let generation = write_generation();
        let value = match load().await {
            Ok(v) => v,
            Err(e) => {
                // Gone (or unreadable): never serve the old copy again.
                self.0
                    .write()
                    .unwrap_or_else(PoisonError::into_inner)
                    .remove(path);
                return Err(e);
            }
        };
        let identity = serde_json::to_vec(&value)
            .map_err(|e| ServerError::Key(format!("encoding a served document: {e}")))?;
        let previous = slot
            .as_ref()
            .map(|s| s.doc.read().unwrap_or_else(PoisonError::into_inner).clone());
        let (br, gzip) = match previous {
            Some(p) if p.identity[..] == identity[..] => (p.br.clone(), p.gzip.clone()),
            _ => {
                let input = identity.clone();
                tokio::task::spawn_blocking(move || compress(&input))
                    .await
                    .map_err(ServerError::from)?
            }
        };
        let doc = Arc::new(Doc {
            generation,
            read_at: Instant::now(),
            content_type: HeaderValue::from_static(content_type),
            cache_control: HeaderValue::from_static(cache_control),
            identity: identity.into(),
            br,
            gzip,
        });
        let mut map = self.0.write().unwrap_or_else(PoisonError::into_inner);
        match map.get(path) {
            Some(slot) => {
                let mut current = slot.doc.write().unwrap_or_else(PoisonError::into_inner);
                // Two first reads can race; the one read later (or equal) wins.
                if current.generation <= generation {
                    *current = doc.clone();
                }
            }
            None => {
                map.insert(
                    path.to_string(),
                    Arc::new(Slot {
                        doc: RwLock::new(doc.clone()),
                        refresh: tokio::sync::Mutex::new(()),
                    }),
                );
            }
        }
        Ok(doc)
    }
}

/// Brotli (quality 11) and gzip (best) of a small document; `None` for an encoding
/// that failed (then it is not offered).
fn compress(data: &[u8]) -> (Option<bytes::Bytes>, Option<bytes::Bytes>) {
    let br = crate::routes::pages::brotli_fitted(data, 11);
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let gzip = gz.write_all(data).and_then(|()| gz.finish()).ok();
    (
        (!br.is_empty()).then(|| br.into()),
        gzip.filter(|g| !g.is_empty()).map(Into::into),
    )
}

/// Issuer documents are public: anyone may read them.
fn public() -> Result<(), ApiError> {
    authz::authorize(&Actor::Anonymous, Action::ReadIssuerDocuments).map_err(ApiError)
}

fn json_with_cache(value: Value, content_type: &'static str, cache: &'static str) -> Response {
    let mut res = Json(value).into_response();
    res.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    res.headers_mut().insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    res
}

async fn did_document(
    State(state): State<AppState>,
    Extension(cache): Extension<DocumentCache>,
    Path(slug): Path<String>,
    req: Request,
) -> Result<Response, ApiError> {
    public()?;
    let path = urls::PublicUrl::IssuerDidDocument { slug: slug.clone() }.to_url("");
    let doc = cache
        .get_or_load(
            &path,
            "application/did+json",
            "public, max-age=300",
            || async { Ok(issuing::did_document(&state.db, &state.settings, &slug).await?) },
        )
        .await?;
    Ok(doc.respond(req.method(), req.headers()))
}

async fn profile(
    State(state): State<AppState>,
    Path(slug): Path<String>,
) -> Result<Response, ApiError> {
    public()?;
    let inst = issuing::institution(&state.db, &slug).await?;
    let mut profile = issuing::profile(&state.settings, &inst);
    profile["@context"] = serde_json::json!([
        openbadges::model::CONTEXT_VC_V2,
        openbadges::model::CONTEXT_OB_V3
    ]);
    Ok(json_with_cache(
        profile,
        "application/ld+json",
        "public, max-age=300",
    ))
}

async fn status_list(
    state: &AppState,
    cache: &DocumentCache,
    (method, headers): (&Method, &HeaderMap),
    (slug, purpose, n): (&str, &str, u32),
) -> Result<Response, ApiError> {
    public()?;
    // Only the spellings we issue (list 0 has no number).
    let url = urls::status_list(&state.settings.public_url, slug, purpose, n);
    if urls::PublicUrl::parse(&state.settings.public_url, &url).is_none() {
        return Err(ApiError(AppError::NotFound));
    }
    // The canonical path (the key the fast path finds it under).
    let path = urls::PublicUrl::StatusList {
        slug: slug.into(),
        purpose: purpose.into(),
        list: n,
    }
    .to_url("");
    // Never shared caches' copy: `no-store` (a revocation must show at once).
    let doc = cache
        .get_or_load(&path, "application/vc+ld+json", "no-store", || async {
            Ok(issuing::signed_list(&state.db, slug, purpose, n).await?)
        })
        .await?;
    Ok(doc.respond(method, headers))
}

async fn first_status_list(
    State(state): State<AppState>,
    Extension(cache): Extension<DocumentCache>,
    Path((slug, purpose)): Path<(String, String)>,
    method: Method,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    status_list(&state, &cache, (&method, &headers), (&slug, &purpose, 0)).await
}

async fn numbered_status_list(
    State(state): State<AppState>,
    Extension(cache): Extension<DocumentCache>,
    Path((slug, purpose, n)): Path<(String, String, String)>,
    method: Method,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let n: u32 = n
        .parse()
        .ok()
        .filter(|v: &u32| *v >= 1 && v.to_string() == n)
        .ok_or(ApiError(AppError::NotFound))?;
    status_list(&state, &cache, (&method, &headers), (&slug, &purpose, n)).await
}

/// A badge version as the `Achievement` its credentials embed: the permanent id in a
/// credential answers with what was awarded, however the badge changed since.
async fn achievement(
    State(state): State<AppState>,
    Path((slug, id, version)): Path<(String, String, String)>,
) -> Result<Response, ApiError> {
    public()?;
    let path = format!("/issuers/{slug}/achievements/{id}/{version}");
    let Some(urls::PublicUrl::Achievement { id, version, .. }) = urls::PublicUrl::parse("", &path)
    else {
        return Err(ApiError(AppError::NotFound));
    };
    let inst = issuing::institution(&state.db, &slug).await?;
    let b = catalog::badges::find(&state.db, &inst, &id.to_string()).await?;
    let version = i32::try_from(version).map_err(|_| ApiError(AppError::NotFound))?;
    let view = catalog::badges::version_view(&state.db, &state.settings, &b, version)
        .await?
        .ok_or(ApiError(AppError::NotFound))?;
    let achievement_id = catalog::badges::achievement_id(&state.settings, &inst, &b, version);
    let mut doc = awards::achievement(&achievement_id, &view);
    doc["@context"] = serde_json::json!([
        openbadges::model::CONTEXT_VC_V2,
        openbadges::model::CONTEXT_OB_V3
    ]);
    doc["creator"] = issuing::profile(&state.settings, &inst);
    // A version never changes once written.
    Ok(json_with_cache(
        doc,
        "application/ld+json",
        "public, max-age=86400",
    ))
}
