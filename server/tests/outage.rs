//! The database going away: requests that need it are answered 503 with `Retry-After`
//! and the code `unavailable` within a few seconds (never a 500, never a hang), pages
//! that need no database keep working, and everything recovers by itself.
//!
//! PostgreSQL: the shared cluster cannot be stopped, so the app reaches it through a
//! TCP proxy owned by the test; stopping the proxy (closing its port and cutting every
//! live connection) is the database going away. SQLite: the database file is swapped
//! for one that is not a database (`SQLITE_NOTADB`), then for a directory
//! (`SQLITE_CANTOPEN`), under a pool that keeps no idle connection, so every request
//! really opens the file.

#![allow(clippy::unwrap_used)]

mod common;

use std::{
    net::SocketAddr,
    time::{Duration, Instant},
};

use app::server::Settings;
use common::{PUBLIC_URL, Reply, TestApp};
use tokio::{net::TcpListener, task::JoinSet};

const PW: &str = "correct horse battery";

/// Longest a request may take while the database is unreachable: the pool gives up
/// after 2 s; this guards against hangs, it is not a benchmark.
const HANG_GUARD: Duration = Duration::from_secs(5);

async fn timed<F: std::future::Future<Output = Reply>>(what: &str, f: F) -> Reply {
    let start = Instant::now();
    let r = f.await;
    let took = start.elapsed();
    assert!(took < HANG_GUARD, "{what} took {took:?}");
    r
}

fn assert_unavailable(r: &Reply, what: &str) {
    assert_eq!(r.status, 503, "{what}: {}", r.body);
    let retry: u64 = r
        .header("retry-after")
        .unwrap_or_else(|| panic!("{what}: no Retry-After"))
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry), "{what}: {retry}");
}

/// Everything works (and a session is valid).
async fn assert_up(app: &TestApp, session: &str) {
    let r = app.get("/healthz", None).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let r = app.get("/portfolio", Some(session)).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("My portfolio"), "{}", r.body);
    assert_eq!(app.whoami(Some(session)).await["email"], "ada@example.org");
    let r = app.sign_in("ada@example.org", PW, None).await;
    assert_eq!(r.status, 200, "{}", r.body);
}

/// The database is out of reach: fast 503s where it is needed, the rest still served.
/// `n` keeps the emails of each round apart (sign-in is limited per account).
async fn assert_down(app: &TestApp, session: &str, n: u32) {
    let r = timed("healthz", app.get("/healthz", None)).await;
    assert_unavailable(&r, "healthz");
    assert!(r.body.contains("\"unavailable\""), "{}", r.body);

    let r = timed("portfolio", app.get("/portfolio", Some(session))).await;
    assert_unavailable(&r, "portfolio page");
    assert!(r.body.contains("try again in a moment"), "{}", r.body);
    assert!(!r.body.contains("Something went wrong"), "{}", r.body);

    let r = timed("current_user", app.call("current_user", &[], Some(session))).await;
    assert_unavailable(&r, "current_user");
    assert_eq!(r.code(), "unavailable");

    let email = format!("someone{n}@example.org");
    let r = timed("sign_in", app.sign_in(&email, PW, None)).await;
    assert_unavailable(&r, "sign_in");
    assert_eq!(r.code(), "unavailable");

    let r = timed(
        "sign_up",
        app.try_sign_up(&format!("new{n}@example.org"), "New", PW, &[]),
    )
    .await;
    assert_unavailable(&r, "sign_up");
    assert_eq!(r.code(), "unavailable");

    // The guard in front of signed-in server functions, and the issuer routes (what
    // verifiers poll) answer the same way.
    let r = timed(
        "change_password",
        app.call(
            "change_password",
            &[
                ("current_password", PW),
                ("new_password", "another long passphrase"),
            ],
            Some(session),
        ),
    )
    .await;
    assert_unavailable(&r, "change_password");
    assert_eq!(r.code(), "unavailable");
    let r = timed("did.json", app.get("/issuers/demo/did.json", None)).await;
    assert_unavailable(&r, "did.json");

    // What needs no database keeps working.
    let r = timed("landing", app.get("/", None)).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("Micro-credentials you own"));
    let r = timed("404", app.get("/no/such/page", None)).await;
    assert_eq!(r.status, 404, "{}", r.body);
    let r = timed("signed-out portfolio", app.get("/portfolio", None)).await;
    assert_eq!(r.status, 200, "{}", r.body);
}

/// A TCP proxy that can be stopped (port closed, live connections cut) and resumed
/// on the same port.
struct Proxy {
    port: u16,
    upstream: SocketAddr,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl Proxy {
    async fn start(upstream: SocketAddr) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let mut proxy = Proxy {
            port,
            upstream,
            task: None,
        };
        proxy.serve(listener);
        proxy
    }

    fn serve(&mut self, listener: TcpListener) {
        let upstream = self.upstream;
        self.task = Some(tokio::spawn(async move {
            // Dropping the set (when this task is aborted) aborts every connection.
            let mut conns = JoinSet::new();
            loop {
                let Ok((mut client, _)) = listener.accept().await else {
                    continue;
                };
                conns.spawn(async move {
                    if let Ok(mut server) = tokio::net::TcpStream::connect(upstream).await {
                        let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                    }
                });
                while conns.try_join_next().is_some() {}
            }
        }));
    }

    async fn stop(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
            let _ = task.await;
        }
    }

    async fn resume(&mut self) {
        let socket = tokio::net::TcpSocket::new_v4().unwrap();
        socket.set_reuseaddr(true).unwrap();
        socket
            .bind(SocketAddr::from(([127, 0, 0, 1], self.port)))
            .unwrap();
        self.serve(socket.listen(64).unwrap());
    }
}

/// `postgres://user:pw@host:port/db` → (`host:port`, resolved address).
async fn pg_host_port(url: &str) -> (String, SocketAddr) {
    let after_scheme = url.split_once("://").unwrap().1;
    let after_user = after_scheme
        .rsplit_once('@')
        .map_or(after_scheme, |(_, h)| h);
    let host_port = after_user.split(['/', '?']).next().unwrap().to_string();
    let with_port = if host_port.contains(':') {
        host_port.clone()
    } else {
        format!("{host_port}:5432")
    };
    let addr = tokio::net::lookup_host(with_port)
        .await
        .unwrap()
        .next()
        .unwrap();
    (host_port, addr)
}

#[tokio::test]
async fn postgres_going_away_is_a_fast_503_and_recovers() {
    let dir = tempfile::tempdir().unwrap();
    let Some(url) = common::database_url(common::Backend::Postgres, &dir).await else {
        return;
    };
    let direct = server::db::connect(&url).await.unwrap();
    server::db::migrate(&direct).await.unwrap();
    direct.close().await.unwrap();

    let (host_port, upstream) = pg_host_port(&url).await;
    let mut proxy = Proxy::start(upstream).await;
    let proxied = url.replacen(&host_port, &format!("127.0.0.1:{}", proxy.port), 1);
    let db = server::db::connect(&proxied).await.unwrap();
    let app = TestApp::on_database(db, Settings::for_public_url(PUBLIC_URL), dir);

    let session = app.sign_up("ada@example.org", "Ada", PW).await;
    assert_up(&app, &session).await;

    proxy.stop().await;
    assert_down(&app, &session, 1).await;

    proxy.resume().await;
    assert_up(&app, &session).await;

    // A second outage while requests are being served behaves the same.
    proxy.stop().await;
    assert_down(&app, &session, 2).await;
    proxy.resume().await;
    assert_up(&app, &session).await;
}

#[tokio::test]
async fn sqlite_file_becoming_unreadable_is_a_503_and_recovers() {
    let dir = tempfile::tempdir().unwrap();
    let url = common::database_url(common::Backend::Sqlite, &dir)
        .await
        .unwrap();
    let file = dir.path().join("test.db");
    // The production settings, except that no connection is kept between requests:
    // each one opens the file, as a new connection after a restart or under load would.
    let mut opts = server::db::options(&url);
    opts.min_connections(0).map_sqlx_sqlite_pool_opts(|o| {
        o.after_release(|_conn, _meta| Box::pin(async { Ok(false) }))
    });
    let db = sea_orm::Database::connect(opts).await.unwrap();
    server::db::migrate(&db).await.unwrap();
    let app = TestApp::on_database(db, Settings::for_public_url(PUBLIC_URL), dir);

    let session = app.sign_up("ada@example.org", "Ada", PW).await;
    assert_up(&app, &session).await;

    let aside = file.with_extension("db.aside");
    // 1. The file is replaced by something that is not a database.
    std::fs::rename(&file, &aside).unwrap();
    std::fs::write(&file, vec![0x5a_u8; 8192]).unwrap();
    assert_down(&app, &session, 1).await;
    std::fs::remove_file(&file).unwrap();
    std::fs::rename(&aside, &file).unwrap();
    assert_up(&app, &session).await;

    // 2. The file cannot be opened at all (a directory stands in its place).
    std::fs::rename(&file, &aside).unwrap();
    std::fs::create_dir(&file).unwrap();
    assert_down(&app, &session, 2).await;
    std::fs::remove_dir(&file).unwrap();
    std::fs::rename(&aside, &file).unwrap();
    assert_up(&app, &session).await;
}

/// Closing the pool (what a server does on shutdown) is answered the same way.
#[tokio::test]
async fn a_closed_pool_is_a_503_not_a_500() {
    for backend in common::backends() {
        let Some(app) = TestApp::new(backend).await else {
            continue;
        };
        let session = app.sign_up("ada@example.org", "Ada", PW).await;
        app.state.db.clone().close().await.unwrap();
        assert_down(&app, &session, 1).await;
    }
}
