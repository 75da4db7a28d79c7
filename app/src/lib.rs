//! Badgefolio's Leptos app, shared by the browser (feature `hydrate`, compiled to WASM)
//! and the server (feature `ssr`).
//!
//! - `routes`: every URL of the app in one table;
//! - `pages/`: one file per screen; `components/`: reusable views;
//! - `api/`: server functions by domain; `model/`: types both sides share;
//! - `error`: the one error type that crosses the wire;
//! - `server/` (ssr only): entities, accounts, sessions, limits: everything that touches
//!   the database or secrets.

pub mod api;
pub mod auth;
pub mod components;
pub mod error;
pub mod model;
pub mod pages;
pub mod routes;
#[cfg(feature = "ssr")]
pub mod server;

use leptos::prelude::*;
use leptos_meta::{HashedStylesheet, MetaTags, Title, provide_meta_context};
use leptos_router::components::Router;

/// The HTML document around the app (rendered on the server only).
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="color-scheme" content="light" />
                <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
                // The stylesheet under its hashed name when the build hashes file names.
                <HashedStylesheet options=options.clone() id="leptos" />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// The whole app: header, routed page, footer.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    provide_context(auth::Auth::new());

    view! {
        <Title text="Badgefolio" />
        <Router>
            <a class="skip-link" href="#main">
                "Skip to content"
            </a>
            <components::header::SiteHeader />
            <main id="main" tabindex="-1">
                <routes::AppRoutes />
            </main>
            <components::footer::SiteFooter />
        </Router>
    }
}
