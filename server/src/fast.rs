//! The fast path: answers that are already made (static files, pages rendered once,
//! issuer documents in the [`DocumentCache`], public badge pages and their files in
//! the [`PublicCache`]) go out from the outermost layer, with
//! their security headers, without passing through the layers the application needs
//! (tracing, compression, the nonce CSP, the actor, the body limit, routing to a
//! handler). Everything else, and anything not ready yet, goes on to the full stack,
//! which makes it ready: the same code answers both ways (`answer` methods of
//! [`Assets`], [`PageCache`], [`crate::routes::issuers::Doc`]).
//!
//! Measured with `scripts/bench` (64 connections, keep-alive): the layers cost more per
//! request than sending a small file does.

use std::{
    convert::Infallible,
    future::Future,
    pin::Pin,
    sync::Arc,
    task::{Context, Poll},
};

use axum::{
    extract::Request,
    http::{Method, header},
    response::Response,
};
use tower::{Layer, Service};

use app::server::authz::{self, Action, Actor};
use app::server::public_pages::views::ViewCounter;

use crate::routes::{
    assets::Assets,
    issuers::DocumentCache,
    pages::{PageCache, PageCsp},
    public::{self, cache::PublicCache},
};
use crate::security;

/// What the fast path answers from.
#[derive(Debug)]
pub struct Ready {
    /// The site's static files.
    pub assets: Assets,
    /// Pages rendered once.
    pub pages: PageCache,
    /// Issuer documents.
    pub documents: DocumentCache,
    /// Public badge pages, shared pages, embeds and their files.
    pub public: PublicCache,
    /// Where views of public pages are counted.
    pub views: Arc<ViewCounter>,
}

/// Marks a response this layer gave (for tests: which way an answer went).
#[derive(Debug, Clone, Copy)]
pub struct Answered;

/// The layer (outermost in [`crate::router::build`]).
#[derive(Debug, Clone)]
pub struct FastPath {
    ready: Arc<Ready>,
    hsts: bool,
}

impl FastPath {
    /// A fast path answering from these; `hsts` as for every response.
    pub fn new(ready: Ready, hsts: bool) -> Self {
        Self {
            ready: Arc::new(ready),
            hsts,
        }
    }

    /// The finished answer to `req`, if one is ready.
    pub fn answer(&self, req: &Request) -> Option<Response> {
        let method = req.method();
        if !matches!(*method, Method::GET | Method::HEAD) {
            return None;
        }
        let path = req.uri().path();
        let headers = req.headers();
        let ready = &self.ready;
        // A public page carries its own policy (no script; the embed card's own
        // `frame-ancestors`) and may be framed when it is an embed card.
        if let Some(mut res) = public::fast_answer(&ready.public, &ready.views, req) {
            let csp = res
                .headers()
                .get(header::CONTENT_SECURITY_POLICY)
                .cloned()
                .unwrap_or_else(security::content_security_policy_static);
            security::add_headers(res.headers_mut(), csp, false, self.hsts);
            if res.extensions().get::<security::Frameable>().is_some() {
                res.headers_mut().remove(header::X_FRAME_OPTIONS);
            }
            return Some(res);
        }
        let mut res = if let Some(res) = ready.assets.answer(method, path, headers, true) {
            res
        } else if let Some(res) = ready.pages.answer(req) {
            res
        } else {
            let doc = ready.documents.fresh(path)?;
            // The same check as the handlers (one authorization layer).
            authz::authorize(&Actor::Anonymous, Action::ReadIssuerDocuments).ok()?;
            doc.respond(method, headers)
        };
        // Pages rendered once carry their hash CSP; files and JSON documents run no
        // inline script at all. None of these answers is personal: static files are
        // the same for everyone, cached pages are only for requests without a session,
        // documents mark themselves `private, no-store` for a request with one.
        let csp = res
            .extensions()
            .get::<PageCsp>()
            .map_or_else(security::content_security_policy_static, |c| c.0.clone());
        security::add_headers(res.headers_mut(), csp, false, self.hsts);
        Some(res)
    }
}

impl<S> Layer<S> for FastPath {
    type Service = FastService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        FastService {
            fast: self.clone(),
            inner,
        }
    }
}

/// The service of [`FastPath`].
#[derive(Debug, Clone)]
pub struct FastService<S> {
    fast: FastPath,
    inner: S,
}

pin_project_lite::pin_project! {
    /// Either a finished answer or the full stack's.
    #[project = FastFutureProj]
    pub enum FastFuture<F> {
        /// Answered here.
        Done { res: Option<Response> },
        /// Answered by the full stack.
        Inner { #[pin] future: F },
    }
}

impl<F> Future for FastFuture<F>
where
    F: Future<Output = Result<Response, Infallible>>,
{
    type Output = Result<Response, Infallible>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.project() {
            FastFutureProj::Done { res } => match res.take() {
                Some(r) => Poll::Ready(Ok(r)),
                None => Poll::Pending,
            },
            FastFutureProj::Inner { future } => future.poll(cx),
        }
    }
}

impl<S> Service<Request> for FastService<S>
where
    S: Service<Request, Response = Response, Error = Infallible>,
{
    type Response = Response;
    type Error = Infallible;
    type Future = FastFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request) -> Self::Future {
        match self.fast.answer(&req) {
            Some(mut res) => {
                res.extensions_mut().insert(Answered);
                FastFuture::Done { res: Some(res) }
            }
            None => FastFuture::Inner {
                future: self.inner.call(req),
            },
        }
    }
}
