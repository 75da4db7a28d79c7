//! What an anonymous visitor gets (issue 12): the permanent credential page `/c/{id}`,
//! the share-link pages `/b/{token}` and `/s/{token}`, the downloads under a badge page
//! (`badge.png`, `badge.svg`, `credential.json`, `qr.svg`, `qr.png`, `og.png`,
//! `signature.png`, `certificate`), the embed cards `/embed/c/{id}` and
//! `/embed/b/{token}` (the only routes other sites may frame), and `/oembed`.
//!
//! Everything is plain server-rendered HTML or bytes made by
//! `app::server::public_pages`, kept in a [`cache::PublicCache`] (fresh while no write
//! committed here since, at most 30 s), with an ETag, `Cache-Control: public,
//! max-age=30` (`public, no-cache` under a share link, which its owner may revoke at
//! any moment), and no cookie. A 404 or 410 is never cached (`no-store`).
//!
//! Views are counted per page view (see `app::server::public_pages::views`) and
//! written in batches by a background task ([`spawn_view_flusher`]).

pub mod cache;

use std::sync::{Arc, LazyLock};

use axum::{
    Extension, Json, Router,
    extract::{Path, Query, State},
    http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header},
    response::{IntoResponse, Response},
    routing::get,
};
use base64::{Engine as _, engine::general_purpose::STANDARD};
use chrono::Utc;
use serde::Deserialize;
use sha2::{Digest as _, Sha256};

use app::server::entities::imported_badge;
use app::server::{
    AppState,
    authz::{self, Action, Actor},
    public_pages::{
        PublicError, Resolved,
        html::{self, Ctx, Downloads, Paper},
        images,
        resolve::{self, Holder},
        source_of,
        views::FLUSH_EVERY,
    },
};

use cache::{Entry, PublicCache};

/// The routes' shared parts.
#[derive(Debug)]
struct Shell {
    stylesheet: String,
    cache: PublicCache,
}

fn hash_source(s: &str) -> String {
    format!("'sha256-{}'", STANDARD.encode(Sha256::digest(s.as_bytes())))
}

/// The CSP of a badge or shared page: our stylesheet and its one inline style; images
/// from us or `https:`; no script at all; no framing.
static PAGE_CSP: LazyLock<HeaderValue> = LazyLock::new(|| {
    HeaderValue::from_str(&format!(
        "default-src 'none'; style-src 'self' {}; img-src 'self' https: data:; font-src 'self'; \
         base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
        hash_source(html::PAGE_STYLE)
    ))
    .unwrap_or(HeaderValue::from_static("default-src 'none'"))
});

/// The embed card's CSP: its one style and its one script (the height message) by hash;
/// any site may frame it.
pub static EMBED_CSP: LazyLock<HeaderValue> = LazyLock::new(|| {
    HeaderValue::from_str(&format!(
        "default-src 'none'; style-src {}; script-src {}; img-src 'self' https: data:; \
         base-uri 'none'; form-action 'none'; frame-ancestors *",
        hash_source(html::EMBED_STYLE),
        hash_source(html::EMBED_SCRIPT)
    ))
    .unwrap_or(HeaderValue::from_static("default-src 'none'"))
});

static CERT_CSP: LazyLock<HeaderValue> = LazyLock::new(|| {
    HeaderValue::from_str(&format!(
        "default-src 'none'; style-src {} {} {}; img-src 'self' https: data:; \
         base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
        hash_source(html::CERT_STYLE),
        hash_source(html::CERT_STYLE_A4),
        hash_source(html::CERT_STYLE_LETTER)
    ))
    .unwrap_or(HeaderValue::from_static("default-src 'none'"))
});

/// Files: nothing runs (an SVG opened directly included).
const FILE_CSP: &str =
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox; frame-ancestors 'none'";

/// The routes, to merge into the main router; starts the view-count writer.
pub fn router(state: &AppState, cache: PublicCache) -> Router<AppState> {
    let shell = Arc::new(Shell {
        stylesheet: stylesheet_link(&state.leptos_options),
        cache,
    });
    spawn_view_flusher(state);
    // A share link can be revoked at any moment: browsers ask again on every view (a
    // 304 while nothing changed) instead of keeping it for `max-age`.
    let links = Router::new()
        .route("/b/{token}", get(link_page))
        .route("/b/{token}/{file}", get(link_file))
        .route("/s/{token}", get(shared_page))
        .route("/embed/b/{token}", get(embed_link))
        .layer(axum::middleware::map_response(revalidate_every_view));
    Router::new()
        .route("/c/{id}", get(permanent_page))
        .route("/c/{id}/{file}", get(permanent_file))
        .route("/embed/c/{id}", get(embed_permanent))
        .route("/oembed", get(oembed))
        .merge(links)
        .layer(Extension(shell))
}

/// Whether `path` is under a share link (`/b/`, `/s/`, `/embed/b/`).
fn is_link_path(path: &str) -> bool {
    path.starts_with("/b/") || path.starts_with("/s/") || path.starts_with("/embed/b/")
}

/// The answer to a request for a public page or file that is in the cache already,
/// for the outermost layer (`crate::fast`): the same entry, headers and view count as
/// the handlers give, without the layers an uncached answer needs. `None` when it is
/// not cached (or the request carries a session or asks for a variant), so the full
/// stack answers and fills the cache.
pub fn fast_answer(
    cache: &PublicCache,
    views: &app::server::public_pages::views::ViewCounter,
    req: &axum::extract::Request,
) -> Option<Response> {
    let uri = req.uri();
    let path = uri.path();
    let (key, embed) = if let Some(rest) = path.strip_prefix("/embed") {
        (format!("embed:{rest}"), true)
    } else {
        (path.to_string(), false)
    };
    let page_like = key.starts_with("/c/")
        || key.starts_with("/b/")
        || key.starts_with("/s/")
        || key.starts_with("embed:/c/")
        || key.starts_with("embed:/b/");
    // A query other than the view source picks a variant (`paper=`): the full stack.
    let plain_query = uri
        .query()
        .is_none_or(|q| q.split('&').all(|kv| kv.starts_with("src=")));
    if !page_like || !plain_query || app::server::sessions::has_session_cookie(req.headers()) {
        return None;
    }
    // The same authorization as the handlers (one layer decides).
    authz::authorize(&Actor::Anonymous, Action::ReadPublicProfiles).ok()?;
    let entry = cache.get(&key)?;
    let method = req.method();
    let mut res = entry.respond(method, req.headers());
    if let Some(view) = view_of(&entry)
        && *method == Method::GET
        && matches!(res.status(), StatusCode::OK | StatusCode::NOT_MODIFIED)
    {
        let src = if embed {
            "embed"
        } else {
            source_of(uri.query())
        };
        views.count(view, src, Utc::now());
    }
    if is_link_path(path) {
        res.headers_mut().insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static(cache::CACHE_CONTROL_LINK),
        );
    }
    Some(res)
}

/// Turns the cacheable answer of a share-link route into one a cache must revalidate.
async fn revalidate_every_view(mut res: Response) -> Response {
    let h = res.headers_mut();
    if h.get(header::CACHE_CONTROL)
        .is_some_and(|v| v == cache::CACHE_CONTROL)
    {
        h.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static(cache::CACHE_CONTROL_LINK),
        );
    }
    res
}

/// Writes the counted views every few seconds, off the request path, while the server
/// runs (see also [`flush_views`] at shutdown).
fn spawn_view_flusher(state: &AppState) {
    let Ok(rt) = tokio::runtime::Handle::try_current() else {
        return;
    };
    let views = Arc::downgrade(&state.views);
    let db = state.db.clone();
    rt.spawn(async move {
        let mut tick = tokio::time::interval(FLUSH_EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            let Some(views) = views.upgrade() else { break };
            if let Err(e) = views.flush(&db).await {
                tracing::warn!(error = %e, "view counts not written yet");
            }
        }
    });
}

/// Writes the views counted and not yet written (at shutdown).
pub async fn flush_views(state: &AppState) {
    if let Err(e) = state.views.flush(&state.db).await {
        tracing::warn!(error = %e, "view counts lost at shutdown");
    }
}

fn stylesheet_link(options: &leptos::config::LeptosOptions) -> String {
    use leptos::prelude::*;
    let options = options.clone();
    let owner = Owner::new();
    owner.with(|| view! { <leptos_meta::HashedStylesheet options id="leptos" /> }.to_html())
}

fn ctx<'a>(state: &'a AppState, shell: &'a Shell) -> Ctx<'a> {
    Ctx {
        base: state.settings.public_url.trim_end_matches('/'),
        stylesheet: &shell.stylesheet,
    }
}

/// A page not worth keeping: 404, 410, 5xx.
fn uncached(status: StatusCode, body: String) -> Response {
    let mut res = (status, body).into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(header::CONTENT_SECURITY_POLICY, PAGE_CSP.clone());
    res
}

fn error_page(state: &AppState, shell: &Shell, e: &PublicError) -> Response {
    let c = ctx(state, shell);
    match e {
        PublicError::NotFound => uncached(
            StatusCode::NOT_FOUND,
            html::simple_page(
                &c,
                "Page not found",
                "There is no public badge at this address. It may be private, or the address may be mistyped.",
            ),
        ),
        PublicError::Gone(g) => uncached(StatusCode::GONE, html::gone_page(&c, *g)),
        PublicError::Busy => {
            let mut res = uncached(
                StatusCode::SERVICE_UNAVAILABLE,
                html::simple_page(
                    &c,
                    "Busy",
                    "Many images are being made right now. Please try again in a moment.",
                ),
            );
            res.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
            res
        }
        PublicError::Server(err) => {
            tracing::error!(error = %err, "public page failed");
            let status = if err.is_db_unavailable() {
                StatusCode::SERVICE_UNAVAILABLE
            } else {
                StatusCode::INTERNAL_SERVER_ERROR
            };
            uncached(
                status,
                html::simple_page(
                    &c,
                    "Something went wrong",
                    "This page could not be shown because of a problem on our side. Please try again in a moment.",
                ),
            )
        }
    }
}

/// Which page a request is for.
#[derive(Debug, Clone, Copy)]
enum Page<'a> {
    Permanent(&'a str),
    Link(&'a str),
}

impl Page<'_> {
    fn path(&self) -> String {
        match self {
            Page::Permanent(id) => format!("/c/{id}"),
            Page::Link(t) => format!("/b/{t}"),
        }
    }
}

async fn resolve_page(state: &AppState, page: Page<'_>) -> Result<Resolved, PublicError> {
    // The one authorization layer: anyone may read what the learner made public or
    // shared; what that is, `resolve` decides.
    authz::authorize(&Actor::Anonymous, Action::ReadPublicProfiles)
        .map_err(|_| PublicError::NotFound)?;
    let now = Utc::now();
    match page {
        Page::Permanent(id) => resolve::permanent(&state.db, &state.settings, id, now).await,
        Page::Link(t) => resolve::badge_link(&state.db, &state.settings, t, now).await,
    }
}

/// The badge image's bytes (our stored image, or the imported baked original).
async fn source_image(state: &AppState, r: &Resolved) -> Result<Option<Vec<u8>>, PublicError> {
    match &r.badge.holder {
        Holder::Award(_) => match r.badge.image_id {
            Some(id) => Ok(resolve::image_bytes(&state.db, id).await?.map(|(_, b)| b)),
            None => Ok(None),
        },
        Holder::Import(i) => Ok(matches!(
            i.format.as_str(),
            imported_badge::FORMAT_BAKED_PNG | imported_badge::FORMAT_BAKED_SVG
        )
        .then(|| i.original.clone())),
    }
}

/// Images drawn at once, at most (each is CPU work of up to a few hundred ms; the
/// blocking pool would otherwise run hundreds side by side). A turn is held until the
/// drawing ends, even when the client has gone.
static DRAWING: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(2);
/// Longest wait for a turn before answering "try again".
const DRAWING_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

async fn drawing_turn() -> Result<tokio::sync::SemaphorePermit<'static>, PublicError> {
    // (The semaphore is never closed: an error can only be the wait running out.)
    match tokio::time::timeout(DRAWING_WAIT, DRAWING.acquire()).await {
        Ok(Ok(turn)) => Ok(turn),
        _ => Err(PublicError::Busy),
    }
}

fn downloads_of(r: &Resolved, image: Option<&[u8]>) -> Downloads {
    let png = image.is_some_and(images::is_png);
    let svg = image.is_some_and(images::is_svg);
    match &r.badge.holder {
        // An SVG badge is drawn as a PNG for badge.png (images::badge_png).
        Holder::Award(_) => Downloads {
            png: (png || svg) && r.badge.credential.is_some(),
            svg: (png || svg) && r.badge.credential.is_some(),
        },
        Holder::Import(_) if r.badge.credential_withheld => Downloads::default(),
        Holder::Import(_) => Downloads { png, svg },
    }
}

/// Counts a page view (GET only; 200 and 304).
fn count(
    state: &AppState,
    method: &Method,
    res: &Response,
    view: (&'static str, i32),
    src: &'static str,
) {
    if *method == Method::GET && matches!(res.status(), StatusCode::OK | StatusCode::NOT_MODIFIED) {
        state.views.count(view, src, Utc::now());
    }
}

/// The cached entry for `key`, or one made by `make` (kept when it succeeds).
async fn cached<F, Fut>(shell: &Shell, key: &str, make: F) -> Result<Arc<Entry>, PublicError>
where
    F: FnOnce(u64) -> Fut,
    Fut: std::future::Future<Output = Result<Entry, PublicError>>,
{
    if let Some(e) = shell.cache.get(key) {
        return Ok(e);
    }
    // Read before what is cached (see `write_generation`).
    let generation = app::server::db::write_generation();
    // Boxed: the rendering future is large, and only a miss should pay for it.
    let entry = Arc::new(Box::pin(make(generation)).await?);
    shell.cache.put(key.to_string(), entry.clone());
    Ok(entry)
}

async fn badge_page(
    state: &AppState,
    shell: &Shell,
    page: Page<'_>,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    embed: bool,
) -> Response {
    let key = format!("{}{}", if embed { "embed:" } else { "" }, page.path());
    let entry = cached(shell, &key, |generation| async move {
        let r = resolve_page(state, page).await?;
        let c = ctx(state, shell);
        if embed {
            let mut e = Entry::new(
                generation,
                "text/html; charset=utf-8",
                EMBED_CSP.clone(),
                html::embed_card(&c, &r).into_bytes(),
            );
            e.frameable = true;
            Ok(with_view(e, r.view))
        } else {
            let img = source_image(state, &r).await?;
            let d = downloads_of(&r, img.as_deref());
            Ok(with_view(
                Entry::new(
                    generation,
                    "text/html; charset=utf-8",
                    PAGE_CSP.clone(),
                    html::badge_page(&c, &r, d, Utc::now()).into_bytes(),
                ),
                r.view,
            ))
        }
    })
    .await;
    match entry {
        Ok(e) => {
            let res = e.respond(method, headers);
            if let Some(view) = view_of(&e) {
                let src = if embed {
                    "embed"
                } else {
                    source_of(uri.query())
                };
                count(state, method, &res, view, src);
            }
            res
        }
        Err(e) => error_page(state, shell, &e),
    }
}

/// The subject a cached page counts against, kept in its entry.
fn with_view(mut e: Entry, view: (&'static str, i32)) -> Entry {
    e.view = Some(view);
    e
}

fn view_of(e: &Entry) -> Option<(&'static str, i32)> {
    e.view
}

async fn permanent_page(
    State(state): State<AppState>,
    Extension(shell): Extension<Arc<Shell>>,
    Path(id): Path<String>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    badge_page(
        &state,
        &shell,
        Page::Permanent(&id),
        &method,
        &uri,
        &headers,
        false,
    )
    .await
}

async fn link_page(
    State(state): State<AppState>,
    Extension(shell): Extension<Arc<Shell>>,
    Path(token): Path<String>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    badge_page(
        &state,
        &shell,
        Page::Link(&token),
        &method,
        &uri,
        &headers,
        false,
    )
    .await
}

async fn embed_permanent(
    State(state): State<AppState>,
    Extension(shell): Extension<Arc<Shell>>,
    Path(id): Path<String>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    embed_answer(
        badge_page(
            &state,
            &shell,
            Page::Permanent(&id),
            &method,
            &uri,
            &headers,
            true,
        )
        .await,
    )
}

async fn embed_link(
    State(state): State<AppState>,
    Extension(shell): Extension<Arc<Shell>>,
    Path(token): Path<String>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    embed_answer(
        badge_page(
            &state,
            &shell,
            Page::Link(&token),
            &method,
            &uri,
            &headers,
            true,
        )
        .await,
    )
}

/// An embed's error pages may be framed too (so a revoked link shows its 410 inside
/// the host page rather than a browser error).
fn embed_answer(mut res: Response) -> Response {
    if res
        .extensions()
        .get::<crate::security::Frameable>()
        .is_none()
    {
        res.headers_mut()
            .insert(header::CONTENT_SECURITY_POLICY, EMBED_CSP.clone());
        res.extensions_mut().insert(crate::security::Frameable);
    }
    res
}

#[derive(Debug, Deserialize)]
struct FileQuery {
    paper: Option<String>,
}

async fn permanent_file(
    State(state): State<AppState>,
    Extension(shell): Extension<Arc<Shell>>,
    Path((id, file)): Path<(String, String)>,
    Query(q): Query<FileQuery>,
    method: Method,
    headers: HeaderMap,
) -> Response {
    file_answer(
        &state,
        &shell,
        Page::Permanent(&id),
        &file,
        &q,
        &method,
        &headers,
    )
    .await
}

async fn link_file(
    State(state): State<AppState>,
    Extension(shell): Extension<Arc<Shell>>,
    Path((token, file)): Path<(String, String)>,
    Query(q): Query<FileQuery>,
    method: Method,
    headers: HeaderMap,
) -> Response {
    file_answer(
        &state,
        &shell,
        Page::Link(&token),
        &file,
        &q,
        &method,
        &headers,
    )
    .await
}

/// The files under a page.
const FILES: &[&str] = &[
    "badge.png",
    "badge.svg",
    "credential.json",
    "qr.svg",
    "qr.png",
    "og.png",
    "signature.png",
    "certificate",
];

fn attachment(name: &str) -> Option<HeaderValue> {
    HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")).ok()
}

#[allow(clippy::too_many_arguments)]
async fn file_answer(
    state: &AppState,
    shell: &Shell,
    page: Page<'_>,
    file: &str,
    q: &FileQuery,
    method: &Method,
    headers: &HeaderMap,
) -> Response {
    if !FILES.contains(&file) {
        return error_page(state, shell, &PublicError::NotFound);
    }
    let paper = match q.paper.as_deref() {
        Some("letter") => Paper::Letter,
        _ => Paper::A4,
    };
    let key = format!(
        "{}/{file}{}",
        page.path(),
        if paper == Paper::Letter && file == "certificate" {
            "?letter"
        } else {
            ""
        }
    );
    let entry = cached(shell, &key, |generation| async move {
        let r = resolve_page(state, page).await?;
        let c = ctx(state, shell);
        let page_url = format!("{}{}", c.base, r.path);
        let file_csp = HeaderValue::from_static(FILE_CSP);
        let short_id = r.badge.public_id().simple().to_string();
        let short_id = short_id.get(..8).unwrap_or_default();
        let img_failed = |e: images::ImageError| {
            tracing::warn!(error = %e, "public image not made");
            PublicError::NotFound
        };
        let mut entry = match file {
            "certificate" => Entry::new(
                generation,
                "text/html; charset=utf-8",
                CERT_CSP.clone(),
                html::certificate(&c, &r, paper).into_bytes(),
            ),
            "qr.svg" => Entry::new(
                generation,
                "image/svg+xml",
                file_csp,
                images::qr_svg(&format!("{page_url}?src=qr"))
                    .map_err(img_failed)?
                    .into_bytes(),
            ),
            "qr.png" => Entry::new(
                generation,
                "image/png",
                file_csp,
                images::qr_png(&format!("{page_url}?src=qr")).map_err(img_failed)?,
            ),
            "credential.json" => {
                let cred = r.badge.credential.clone().ok_or(PublicError::NotFound)?;
                let is_json = cred.trim_start().starts_with('{');
                let mut e = Entry::new(
                    generation,
                    if is_json {
                        "application/vc+ld+json"
                    } else {
                        "application/vc+jwt"
                    },
                    file_csp,
                    cred.into_bytes(),
                );
                e.disposition = attachment(&format!(
                    "badge-{short_id}.{}",
                    if is_json { "json" } else { "jwt" }
                ));
                e
            }
            "og.png" | "signature.png" => {
                // PNG or SVG (drawn by resvg); CPU work, kept off the request threads and
                // taking turns. An imported SVG was never cleaned like a catalog image:
                // it is not drawn (the plain preview in its status colour instead).
                let img = source_image(state, &r).await?.filter(|img| {
                    matches!(r.badge.holder, Holder::Award(_)) || images::is_png(img)
                });
                let mark = r.badge.mark;
                let og = file == "og.png";
                let turn = drawing_turn().await?;
                let bytes = tokio::task::spawn_blocking(move || {
                    let _turn = turn;
                    if og {
                        images::og_png(img.as_deref(), mark)
                    } else {
                        images::signature_png(img.as_deref(), mark)
                    }
                })
                .await
                .map_err(|e| PublicError::Server(e.into()))?
                .map_err(img_failed)?;
                Entry::new(generation, "image/png", file_csp, bytes)
            }
            _ => {
                // badge.png / badge.svg
                let want_png = file == "badge.png";
                let img = source_image(state, &r)
                    .await?
                    .ok_or(PublicError::NotFound)?;
                let bytes = match &r.badge.holder {
                    // An imported badge: the original, when it was baked in that format.
                    Holder::Import(_) => {
                        if r.badge.credential_withheld {
                            return Err(PublicError::NotFound);
                        }
                        if (want_png && images::is_png(&img)) || (!want_png && images::is_svg(&img))
                        {
                            img
                        } else {
                            return Err(PublicError::NotFound);
                        }
                    }
                    Holder::Award(_) => {
                        let cred = r.badge.credential.as_deref().ok_or(PublicError::NotFound)?;
                        let source = if want_png {
                            // A PNG as it is; an SVG drawn as a PNG (off the request threads).
                            let turn = drawing_turn().await?;
                            tokio::task::spawn_blocking(move || {
                                let _turn = turn;
                                images::badge_png(&img)
                            })
                            .await
                            .map_err(|e| PublicError::Server(e.into()))?
                            .map_err(img_failed)?
                        } else if images::is_svg(&img) {
                            img
                        } else if images::is_png(&img) {
                            images::svg_wrapping_png(&img)
                        } else {
                            return Err(PublicError::NotFound);
                        };
                        images::bake(&source, cred).map_err(img_failed)?
                    }
                };
                let mut e = Entry::new(
                    generation,
                    if want_png {
                        "image/png"
                    } else {
                        "image/svg+xml"
                    },
                    file_csp,
                    bytes,
                );
                e.disposition = attachment(&format!(
                    "badge-{short_id}.{}",
                    if want_png { "png" } else { "svg" }
                ));
                e
            }
        };
        if file == "signature.png" || file == "og.png" || file.starts_with("qr.") {
            entry.disposition = None;
        }
        Ok(entry)
    })
    .await;
    match entry {
        Ok(e) => e.respond(method, headers),
        Err(e) => error_page(state, shell, &e),
    }
}

async fn shared_page(
    State(state): State<AppState>,
    Extension(shell): Extension<Arc<Shell>>,
    Path(token): Path<String>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let key = format!("/s/{token}");
    let entry = cached(&shell, &key, |generation| {
        let state = &state;
        let shell = &shell;
        let token = &token;
        async move {
            authz::authorize(&Actor::Anonymous, Action::ReadPublicProfiles)
                .map_err(|_| PublicError::NotFound)?;
            let s = resolve::shared(&state.db, &state.settings, token, Utc::now()).await?;
            let view = (app::server::entities::view_count::SUBJECT_LINK, s.link().id);
            Ok(with_view(
                Entry::new(
                    generation,
                    "text/html; charset=utf-8",
                    PAGE_CSP.clone(),
                    html::shared_page(&ctx(state, shell), &s).into_bytes(),
                ),
                view,
            ))
        }
    })
    .await;
    match entry {
        Ok(e) => {
            let res = e.respond(&method, &headers);
            if let Some(view) = view_of(&e) {
                count(&state, &method, &res, view, source_of(uri.query()));
            }
            res
        }
        Err(e) => error_page(&state, &shell, &e),
    }
}

#[derive(Debug, Deserialize)]
struct OembedQuery {
    url: Option<String>,
    maxwidth: Option<String>,
    format: Option<String>,
}

fn json_error(status: StatusCode, message: &str) -> Response {
    let mut res = (status, Json(serde_json::json!({ "error": message }))).into_response();
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res.headers_mut().insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    res
}

/// Which public page a URL is, if it is one of ours.
fn page_of_url<'a>(base: &str, url: &'a str) -> Option<Page<'a>> {
    let rest = url.strip_prefix(base.trim_end_matches('/'))?;
    let path = rest.split(['?', '#']).next()?;
    let path = path.strip_suffix('/').unwrap_or(path);
    if let Some(id) = path.strip_prefix("/c/").filter(|s| !s.contains('/')) {
        return Some(Page::Permanent(id));
    }
    if let Some(t) = path.strip_prefix("/b/").filter(|s| !s.contains('/')) {
        return Some(Page::Link(t));
    }
    None
}

/// `GET /oembed?url=…&maxwidth=…&format=json`.
async fn oembed(
    State(state): State<AppState>,
    Extension(shell): Extension<Arc<Shell>>,
    Query(q): Query<OembedQuery>,
) -> Response {
    match q.format.as_deref() {
        None | Some("json") => {}
        Some(_) => return json_error(StatusCode::NOT_IMPLEMENTED, "Only format=json is offered."),
    }
    let Some(url) = q.url.as_deref().filter(|u| u.len() <= 2048) else {
        return json_error(StatusCode::BAD_REQUEST, "Give the page's address as url.");
    };
    let Some(page) = page_of_url(&state.settings.public_url, url) else {
        return json_error(
            StatusCode::NOT_FOUND,
            "That is not a public badge page of this site.",
        );
    };
    let maxwidth = q
        .maxwidth
        .as_deref()
        .and_then(|w| w.trim().parse::<u32>().ok());
    let r = match resolve_page(&state, page).await {
        Ok(r) => r,
        Err(PublicError::NotFound) => {
            return json_error(StatusCode::NOT_FOUND, "No public badge at that address.");
        }
        Err(PublicError::Gone(_)) => {
            return json_error(StatusCode::GONE, "That page is no longer available.");
        }
        Err(e) => {
            tracing::error!(error = %e, "oEmbed failed");
            return json_error(StatusCode::SERVICE_UNAVAILABLE, "Please try again.");
        }
    };
    let embed_path = format!("/embed{}", r.path);
    let body = html::oembed(&ctx(&state, &shell), &r, &embed_path, maxwidth);
    let mut res = Json(body).into_response();
    let h = res.headers_mut();
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(cache::CACHE_CONTROL),
    );
    h.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(FILE_CSP),
    );
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_our_badge_pages_are_embeddable() {
        let base = "https://b.example";
        assert!(matches!(
            page_of_url(base, "https://b.example/c/abc?src=x"),
            Some(Page::Permanent("abc"))
        ));
        assert!(matches!(
            page_of_url(base, "https://b.example/b/tok/"),
            Some(Page::Link("tok"))
        ));
        assert!(page_of_url(base, "https://evil.example/c/abc").is_none());
        assert!(page_of_url(base, "https://b.example.evil/c/abc").is_none());
        assert!(page_of_url(base, "https://b.example/c/abc/og.png").is_none());
        assert!(page_of_url(base, "https://b.example/portfolio").is_none());
    }
}
