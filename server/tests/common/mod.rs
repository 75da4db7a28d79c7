//! The test world: a real router on a real database (a fresh SQLite file, or a fresh
//! PostgreSQL database when `BADGEFOLIO_TEST_DATABASE_URL` names a server).

#![allow(dead_code, clippy::unwrap_used)]

use std::net::SocketAddr;

use axum::{
    Router,
    body::Body,
    extract::connect_info::MockConnectInfo,
    http::{Request, Response, header},
};
use http_body_util::BodyExt as _;
use sea_orm::{ConnectionTrait, DatabaseConnection};
use tower::ServiceExt as _;

use app::server::{AppState, Settings};

pub mod setup;

/// Which database a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A running app for one test.
pub struct TestApp {
    pub router: Router,
    pub state: AppState,
    _dir: tempfile::TempDir,
}

/// The public URL the tests pretend to be served at.
pub const PUBLIC_URL: &str = "http://127.0.0.1:3000";

/// A fresh, migrated database of the given kind; `None` when PostgreSQL is not
/// configured (and not required).
pub async fn database(backend: Backend, dir: &tempfile::TempDir) -> Option<DatabaseConnection> {
    let url = database_url(backend, dir).await?;
    let db = server::db::connect(&url).await.unwrap();
    server::db::migrate(&db).await.unwrap();
    Some(db)
}

/// The URL of a fresh, empty database of the given kind (a SQLite file in `dir`, or a
/// new PostgreSQL database); `None` when PostgreSQL is not configured (and not required).
pub async fn database_url(backend: Backend, dir: &tempfile::TempDir) -> Option<String> {
    let url = match backend {
        Backend::Sqlite => format!("sqlite://{}?mode=rwc", dir.path().join("test.db").display()),
        Backend::Postgres => {
            let Ok(admin_url) = std::env::var("BADGEFOLIO_TEST_DATABASE_URL") else {
                assert!(
                    std::env::var_os("BADGEFOLIO_REQUIRE_POSTGRES").is_none(),
                    "BADGEFOLIO_REQUIRE_POSTGRES is set but BADGEFOLIO_TEST_DATABASE_URL is not"
                );
                eprintln!("skipped: set BADGEFOLIO_TEST_DATABASE_URL to run on PostgreSQL");
                return None;
            };
            let name = format!("bf_test_{}", uuid::Uuid::new_v4().simple());
            let admin = server::db::connect(&admin_url).await.unwrap();
            admin
                .execute_unprepared(&format!("CREATE DATABASE {name}"))
                .await
                .unwrap();
            admin.close().await.unwrap();
            let (base, _) = admin_url.rsplit_once('/').unwrap();
            format!("{base}/{name}")
        }
    };
    Some(url)
}

impl TestApp {
    /// A new app, or `None` when the backend is not available.
    pub async fn new(backend: Backend) -> Option<Self> {
        Self::with_public_url(backend, PUBLIC_URL).await
    }

    /// A new app served at another public URL.
    pub async fn with_public_url(backend: Backend, public_url: &str) -> Option<Self> {
        Self::with_settings(backend, Settings::for_public_url(public_url)).await
    }

    /// A new app with these settings.
    pub async fn with_settings(backend: Backend, settings: Settings) -> Option<Self> {
        let dir = tempfile::tempdir().unwrap();
        let db = database(backend, &dir).await?;
        Some(Self::on_database(db, settings, dir))
    }

    /// An app on an existing database (kept in `dir`, if it is a SQLite file).
    pub fn on_database(db: DatabaseConnection, settings: Settings, dir: tempfile::TempDir) -> Self {
        let state = AppState::new(
            db,
            server::leptos_options(&dir.path().join("site"), "127.0.0.1:3000".parse().unwrap()),
            settings,
        );
        Self::from_state(state, dir)
    }

    /// The `Cookie` header that carries a session token to this app (the cookie's name
    /// follows the public URL's scheme).
    pub fn session_cookie(&self, token: &str) -> String {
        let name = app::server::sessions::cookie_name(self.state.settings.secure_cookies);
        format!("{name}={token}")
    }

    /// Another server sharing this one's database (as behind a load balancer).
    pub fn sibling(&self) -> TestApp {
        let state = AppState::new(
            self.state.db.clone(),
            self.state.leptos_options.clone(),
            (*self.state.settings).clone(),
        );
        Self::from_state(state, tempfile::tempdir().unwrap())
    }

    /// Another server sharing this one's database, with other settings.
    pub fn sibling_with(&self, settings: Settings) -> TestApp {
        let state = AppState::new(
            self.state.db.clone(),
            self.state.leptos_options.clone(),
            settings,
        );
        Self::from_state(state, tempfile::tempdir().unwrap())
    }

    fn from_state(state: AppState, dir: tempfile::TempDir) -> Self {
        let peer: SocketAddr = "203.0.113.7:40000".parse().unwrap();
        let router = server::router::build(state.clone()).layer(MockConnectInfo(peer));
        TestApp {
            router,
            state,
            _dir: dir,
        }
    }

    /// Sends a request.
    pub async fn send(&self, req: Request<Body>) -> Reply {
        let res = self.router.clone().oneshot(req).await.unwrap();
        Reply::read(res).await
    }

    /// `GET path`, with a session cookie if given.
    pub async fn get(&self, path: &str, session: Option<&str>) -> Reply {
        let mut req = Request::get(path).header(header::ACCEPT, "text/html");
        if let Some(s) = session {
            req = req.header(header::COOKIE, self.session_cookie(s));
        }
        self.send(req.body(Body::empty()).unwrap()).await
    }

    /// Calls a server function the way the hydrated app does (form-encoded, JSON back),
    /// from our own origin.
    pub async fn call(&self, name: &str, fields: &[(&str, &str)], session: Option<&str>) -> Reply {
        let origin = self.state.settings.public_url.clone();
        self.call_with(name, fields, session, &[("origin", &origin)])
            .await
    }

    /// Calls a server function with extra headers.
    pub async fn call_with(
        &self,
        name: &str,
        fields: &[(&str, &str)],
        session: Option<&str>,
        headers: &[(&str, &str)],
    ) -> Reply {
        let body = serde_urlencoded::to_string(fields).unwrap();
        let mut req = Request::post(format!("/api/{name}"))
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::ACCEPT, "application/json");
        if let Some(s) = session {
            req = req.header(header::COOKIE, self.session_cookie(s));
        }
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        self.send(req.body(Body::from(body)).unwrap()).await
    }

    /// Signs up a learner and returns the session token.
    pub async fn sign_up(&self, email: &str, name: &str, password: &str) -> String {
        let r = self.try_sign_up(email, name, password, &[]).await;
        assert_eq!(r.status, 200, "sign up failed: {}", r.body);
        r.session().expect("sign up sets a session cookie")
    }

    /// Calls `sign_up` with extra headers and returns the reply, whatever it is.
    pub async fn try_sign_up(
        &self,
        email: &str,
        name: &str,
        password: &str,
        headers: &[(&str, &str)],
    ) -> Reply {
        let origin = self.state.settings.public_url.clone();
        let mut all = vec![("origin", origin.as_str())];
        all.extend_from_slice(headers);
        self.call_with(
            "sign_up",
            &[
                ("email", email),
                ("display_name", name),
                ("password", password),
            ],
            None,
            &all,
        )
        .await
    }

    /// Signs in and returns the reply.
    pub async fn sign_in(&self, email: &str, password: &str, session: Option<&str>) -> Reply {
        self.call(
            "sign_in",
            &[("email", email), ("password", password)],
            session,
        )
        .await
    }

    /// The `current_user` server function's JSON for a session.
    pub async fn whoami(&self, session: Option<&str>) -> serde_json::Value {
        let r = self.call("current_user", &[], session).await;
        assert_eq!(r.status, 200, "{}", r.body);
        serde_json::from_str(&r.body).unwrap()
    }
}

impl TestApp {
    /// Makes new status lists of this app hand out `n` indexes each.
    pub fn set_status_list_capacity(&mut self, n: i32) {
        let mut settings = (*self.state.settings).clone();
        settings.status_list_capacity = n;
        self.state.settings = std::sync::Arc::new(settings);
        let peer: SocketAddr = "203.0.113.7:40000".parse().unwrap();
        self.router = server::router::build(self.state.clone()).layer(MockConnectInfo(peer));
    }

    /// Another server on the same database through a read-only connection: anything it
    /// tries to write fails.
    pub async fn read_only_sibling(&self) -> Option<TestApp> {
        use sea_orm::{DbBackend, Statement};
        let db = &self.state.db;
        let url = match db.get_database_backend() {
            DbBackend::Sqlite => {
                let row = db
                    .query_one_raw(Statement::from_string(
                        DbBackend::Sqlite,
                        "PRAGMA database_list",
                    ))
                    .await
                    .unwrap()
                    .unwrap();
                let file: String = row.try_get_by_index(2).unwrap();
                format!("sqlite://{file}?mode=ro")
            }
            _ => {
                let row = db
                    .query_one_raw(Statement::from_string(
                        DbBackend::Postgres,
                        "SELECT current_database()",
                    ))
                    .await
                    .unwrap()
                    .unwrap();
                let name: String = row.try_get_by_index(0).unwrap();
                let admin_url = std::env::var("BADGEFOLIO_TEST_DATABASE_URL").ok()?;
                let (base, _) = admin_url.rsplit_once('/').unwrap();
                format!("{base}/{name}?options=-c%20default_transaction_read_only%3Don")
            }
        };
        let ro = server::db::connect(&url).await.unwrap();
        let state = AppState::new(
            ro,
            self.state.leptos_options.clone(),
            (*self.state.settings).clone(),
        );
        Some(Self::from_state(state, tempfile::tempdir().unwrap()))
    }
}

/// A response, read whole.
pub struct Reply {
    pub status: u16,
    pub headers: axum::http::HeaderMap,
    pub body: String,
}

impl Reply {
    async fn read(res: Response<Body>) -> Self {
        let status = res.status().as_u16();
        let headers = res.headers().clone();
        let bytes = res.into_body().collect().await.unwrap().to_bytes();
        Reply {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    /// A header as text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Every `Set-Cookie` value.
    pub fn set_cookies(&self) -> Vec<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok().map(str::to_string))
            .collect()
    }

    /// The session token set by this response, if any (under either cookie name).
    pub fn session(&self) -> Option<String> {
        self.set_cookies().iter().find_map(|c| {
            let v = c
                .strip_prefix("badgefolio_session=")
                .or_else(|| c.strip_prefix("__Host-badgefolio_session="))?;
            let v = v.split(';').next()?;
            (!v.is_empty()).then(|| v.to_string())
        })
    }

    /// The error `code` of a JSON error body.
    pub fn code(&self) -> String {
        serde_json::from_str::<serde_json::Value>(&self.body)
            .ok()
            .and_then(|v| v["code"].as_str().map(str::to_string))
            .unwrap_or_default()
    }
}

/// The backends to run on: SQLite always, PostgreSQL when configured.
pub fn backends() -> [Backend; 2] {
    [Backend::Sqlite, Backend::Postgres]
}

/// Runs each test body on SQLite and on PostgreSQL (`<name>::sqlite`, `<name>::postgres`).
#[macro_export]
macro_rules! on_both_backends {
    ($(async fn $name:ident($app:ident) $body:block)*) => {
        $(
            mod $name {
                #[allow(unused_imports)]
                use super::*;
                async fn run($app: $crate::common::TestApp) $body

                #[tokio::test]
                async fn sqlite() {
                    let app = $crate::common::TestApp::new($crate::common::Backend::Sqlite).await.unwrap();
                    run(app).await;
                }

                #[tokio::test]
                async fn postgres() {
                    if let Some(app) = $crate::common::TestApp::new($crate::common::Backend::Postgres).await {
                        run(app).await;
                    }
                }
            }
        )*
    };
}

/// Runs each test body on SQLite and on PostgreSQL with evidence files in a temporary
/// folder: `async fn name(app, store) { … }`, `store` being the app's evidence store.
#[macro_export]
macro_rules! with_files_on_both_backends {
    ($(async fn $name:ident($app:ident, $store:ident) $body:block)*) => {
        $(
            mod $name {
                #[allow(unused_imports)]
                use super::*;
                async fn run(
                    $app: $crate::common::TestApp,
                    $store: app::server::evidence::storage::EvidenceStore,
                ) $body

                async fn on(backend: $crate::common::Backend) {
                    let files = tempfile::tempdir().unwrap();
                    let store = app::server::evidence::storage::EvidenceStore::local(files.path()).unwrap();
                    let settings = app::server::Settings::for_public_url($crate::common::PUBLIC_URL)
                        .with_evidence_store(store.clone());
                    if let Some(app) = $crate::common::TestApp::with_settings(backend, settings).await {
                        run(app, store).await;
                    }
                }

                #[tokio::test]
                async fn sqlite() {
                    on($crate::common::Backend::Sqlite).await;
                }

                #[tokio::test]
                async fn postgres() {
                    on($crate::common::Backend::Postgres).await;
                }
            }
        )*
    };
}
