//! Accounts under abuse: sign-up limits, client addresses behind trusted proxies, the
//! `__Host-` session cookie, no caching of personal pages, and the demo seed's guard.

#![allow(clippy::unwrap_used)]

mod common;

use app::server::{Settings, client_addr, rate_limit::SIGN_UP_BURST};
use common::{PUBLIC_URL, TestApp};

const PW: &str = "correct horse battery";

/// Settings that believe forwarding headers from the test peer's network (203.0.113.0/24).
fn behind_proxy() -> Settings {
    Settings::for_public_url(PUBLIC_URL)
        .with_trusted_proxies(client_addr::parse_cidrs("203.0.113.0/24").unwrap())
}

/// Signs up `SIGN_UP_BURST` fresh accounts with these headers, all of which must pass.
async fn use_up_sign_ups(app: &TestApp, tag: &str, headers: &[(&str, &str)]) {
    for i in 0..SIGN_UP_BURST {
        let r = app
            .try_sign_up(&format!("{tag}{i}@example.org"), "Flood", PW, headers)
            .await;
        assert_eq!(r.status, 200, "sign-up {i} of {tag}: {}", r.body);
    }
}

on_both_backends! {
    async fn sign_ups_from_one_address_are_limited(app) {
        use_up_sign_ups(&app, "flood", &[]).await;
        let r = app.try_sign_up("one-more@example.org", "Flood", PW, &[]).await;
        assert_eq!(r.status, 429, "{}", r.body);
        assert_eq!(r.code(), "rate_limited");
        let retry: u64 = r.header("retry-after").unwrap().parse().unwrap();
        assert!((1..=30).contains(&retry), "{retry}");
        assert!(r.session().is_none());
        // The refused sign-up created nothing.
        assert_eq!(app.sign_in("one-more@example.org", PW, None).await.status, 401);
        // The peer is not a trusted proxy: a forwarding header it sends changes nothing.
        let r = app
            .try_sign_up("spoof@example.org", "Flood", PW, &[("x-forwarded-for", "198.51.100.99")])
            .await;
        assert_eq!(r.status, 429, "{}", r.body);
    }

    async fn behind_a_trusted_proxy_each_client_has_its_own_budget(app) {
        let app = app.sibling_with(behind_proxy());
        let a = [("x-forwarded-for", "198.51.100.1")];
        use_up_sign_ups(&app, "a", &a).await;
        assert_eq!(app.try_sign_up("a-more@example.org", "A", PW, &a).await.status, 429);
        // Another client behind the same proxy is not affected.
        let b = [("x-forwarded-for", "198.51.100.2")];
        let r = app.try_sign_up("b@example.org", "B", PW, &b).await;
        assert_eq!(r.status, 200, "{}", r.body);
        // Client A cannot escape by writing a fresh address in front of what the proxy adds.
        let spoofed = [("x-forwarded-for", "192.0.2.77, 198.51.100.1")];
        assert_eq!(app.try_sign_up("a-spoof@example.org", "A", PW, &spoofed).await.status, 429);
        // A `Forwarded` header is not what this proxy writes: it is not believed, so
        // it cannot move client A into another budget either (the proxy's own is used).
        let fwd = [("forwarded", "for=198.51.100.1;proto=https")];
        let r = app.try_sign_up("a-fwd@example.org", "A", PW, &fwd).await;
        assert_eq!(r.status, 200, "keyed by the proxy, not by the header: {}", r.body);

        // Behind a proxy that writes `Forwarded`, `for=` works the same, and an
        // X-Forwarded-For written by the client and passed on is ignored.
        let app = app.sibling_with(
            behind_proxy().with_forwarding_header(client_addr::ForwardingHeader::Forwarded),
        );
        use_up_sign_ups(&app, "f", &fwd).await;
        let spoof = [("forwarded", "for=198.51.100.1"), ("x-forwarded-for", "192.0.2.99")];
        assert_eq!(app.try_sign_up("f-spoof@example.org", "A", PW, &spoof).await.status, 429);
    }

    async fn ipv6_clients_are_limited_per_slash_64(app) {
        let app = app.sibling_with(behind_proxy());
        for i in 0..SIGN_UP_BURST {
            let from = format!("2001:db8:1:2::{:x}", i + 1);
            let r = app
                .try_sign_up(&format!("v6-{i}@example.org"), "Six", PW, &[("x-forwarded-for", &from)])
                .await;
            assert_eq!(r.status, 200, "{}", r.body);
        }
        let same_64 = [("x-forwarded-for", "2001:db8:1:2:ffff:ffff:ffff:ffff")];
        assert_eq!(app.try_sign_up("v6-more@example.org", "Six", PW, &same_64).await.status, 429);
        let next_64 = [("x-forwarded-for", "2001:db8:1:3::1")];
        assert_eq!(app.try_sign_up("v6-next@example.org", "Six", PW, &next_64).await.status, 200);
    }

    async fn sign_in_limits_follow_the_forwarded_client(app) {
        app.sign_up("ada@example.org", "Ada", PW).await;
        let app = app.sibling_with(behind_proxy());
        // Per-client budget: 20 attempts on different accounts from one client...
        let c = [("origin", PUBLIC_URL), ("x-forwarded-for", "198.51.100.7")];
        let mut limited = false;
        for i in 0..=app::server::rate_limit::CLIENT_BURST {
            let r = app
                .call_with("sign_in", &[("email", &format!("nobody{i}@example.org")), ("password", PW)], None, &c)
                .await;
            if r.status == 429 {
                limited = true;
                break;
            }
            assert_eq!(r.status, 401, "{}", r.body);
        }
        assert!(limited, "one client is limited across accounts");
        // ...and another client behind the same proxy still signs in.
        let d = [("origin", PUBLIC_URL), ("x-forwarded-for", "198.51.100.8")];
        let r = app.call_with("sign_in", &[("email", "ada@example.org"), ("password", PW)], None, &d).await;
        assert_eq!(r.status, 200, "{}", r.body);
    }

    async fn pages_with_personal_data_are_not_stored_by_caches(app) {
        let s = app.sign_up("ada@example.org", "Ada", PW).await;
        for path in ["/portfolio", "/settings", "/"] {
            let r = app.get(path, Some(&s)).await;
            assert_eq!(r.status, 200, "{path}");
            assert_eq!(r.header("cache-control"), Some("private, no-store"), "{path}");
        }
        let r = app.call("current_user", &[], None).await;
        assert_eq!(r.header("cache-control"), Some("private, no-store"));
        let r = app.call("current_user", &[], Some(&s)).await;
        assert_eq!(r.header("cache-control"), Some("private, no-store"));
        // Public pages without a session keep their caching.
        let r = app.get("/", None).await;
        assert_eq!(r.status, 200);
        assert_eq!(r.header("cache-control"), Some("no-cache"));
        // Static files stay cacheable even for a signed-in browser.
        let pkg = std::path::Path::new(&*app.state.leptos_options.site_root).join("pkg");
        std::fs::create_dir_all(&pkg).unwrap();
        std::fs::write(pkg.join("probe.css"), "body{}").unwrap();
        let r = app.get("/pkg/probe.css", Some(&s)).await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert_ne!(r.header("cache-control"), Some("private, no-store"));
    }

    async fn demo_seed_refuses_a_database_with_real_accounts(app) {
        app.sign_up("real@example.org", "Real Person", PW).await;
        let err = server::seed::seed_demo(&app.state.db, &app.state.settings).await.unwrap_err();
        assert!(
            matches!(err, server::seed::SeedError::NotADemoDatabase { accounts: 1 }),
            "{err:?}"
        );
        assert!(err.to_string().contains("published password"), "{err}");
        assert!(!server::seed::is_demo_database(&app.state.db).await.unwrap());
        // No demo login was created.
        let r = app.sign_in("admin@example.edu", server::seed::DEMO_PASSWORD, None).await;
        assert_eq!(r.status, 401, "{}", r.body);
    }

    async fn demo_seed_marks_its_database_and_stays_idempotent_there(app) {
        assert!(!server::seed::is_demo_database(&app.state.db).await.unwrap());
        server::seed::seed_demo(&app.state.db, &app.state.settings).await.unwrap();
        assert!(server::seed::is_demo_database(&app.state.db).await.unwrap());
        // People try the demo and sign up; the demo command seeds again on the next start.
        app.sign_up("visitor@example.org", "Visitor", PW).await;
        server::seed::seed_demo(&app.state.db, &app.state.settings).await.unwrap();
        let r = app.sign_in("ada@example.org", server::seed::DEMO_PASSWORD, None).await;
        assert_eq!(r.status, 200, "{}", r.body);
    }
}

/// With an https public URL the session cookie is `__Host-badgefolio_session` (Secure,
/// Path=/, no Domain), and only that name is read.
#[tokio::test]
async fn https_session_cookie_has_the_host_prefix() {
    for backend in common::backends() {
        let Some(app) = TestApp::with_public_url(backend, "https://badges.example.edu").await
        else {
            continue;
        };
        let r = app.try_sign_up("ada@example.org", "Ada", PW, &[]).await;
        assert_eq!(r.status, 200, "{backend:?}: {}", r.body);
        let cookie = r.set_cookies().join("\n");
        assert!(cookie.starts_with("__Host-badgefolio_session="), "{cookie}");
        assert!(cookie.contains("; Secure"), "{cookie}");
        assert!(cookie.contains("; Path=/"), "{cookie}");
        assert!(cookie.contains("; HttpOnly"), "{cookie}");
        assert!(!cookie.to_lowercase().contains("domain="), "{cookie}");
        let token = r.session().unwrap();

        // The helpers send `__Host-badgefolio_session=` to this app: the session works.
        assert_eq!(app.whoami(Some(&token)).await["email"], "ada@example.org");
        let page = app.get("/portfolio", Some(&token)).await;
        assert_eq!(page.status, 200);
        assert!(page.body.contains("Ada"), "{}", page.body);

        // The unprefixed name (as a plain-http page or a sibling domain could set it)
        // is not a session here.
        let req = axum::http::Request::post("/api/current_user")
            .header("origin", "https://badges.example.edu")
            .header("content-type", "application/x-www-form-urlencoded")
            .header("cookie", format!("badgefolio_session={token}"))
            .body(axum::body::Body::empty())
            .unwrap();
        let r = app.send(req).await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(r.body, "null", "{backend:?}");

        // Signing out clears the prefixed cookie.
        let r = app.call("sign_out", &[], Some(&token)).await;
        let cleared = r.set_cookies().join("\n");
        assert!(
            cleared.starts_with("__Host-badgefolio_session=;"),
            "{cleared}"
        );
        assert!(cleared.contains("Max-Age=0"), "{cleared}");
        assert!(app.whoami(Some(&token)).await.is_null());
    }
}

/// `badgefolio seed-demo` through the binary: its help says what it is for, it refuses
/// a database with real accounts (non-zero exit, a clear message) and it is idempotent
/// on its own demo database.
#[tokio::test]
async fn seed_demo_command_guards_real_databases() {
    use std::process::Command;
    let bin = env!("CARGO_BIN_EXE_badgefolio");

    let help = Command::new(bin)
        .args(["seed-demo", "--help"])
        .output()
        .unwrap();
    assert!(help.status.success());
    let help = String::from_utf8_lossy(&help.stdout);
    assert!(help.contains("local trials"), "{help}");
    assert!(help.contains("published password"), "{help}");

    for backend in common::backends() {
        for fresh in [true, false] {
            let dir = tempfile::tempdir().unwrap();
            let Some(url) = common::database_url(backend, &dir).await else {
                break;
            };
            let run = |args: &[&str], password: Option<&str>| {
                let mut cmd = Command::new(bin);
                cmd.args(args)
                    .env("BADGEFOLIO_DATA_DIR", dir.path())
                    .env("BADGEFOLIO_DATABASE_URL", &url)
                    .env("RUST_LOG", "warn");
                if let Some(pw) = password {
                    cmd.env("BADGEFOLIO_NEW_USER_PASSWORD", pw);
                }
                cmd.output().unwrap()
            };
            if fresh {
                for round in 0..2 {
                    let out = run(&["seed-demo"], None);
                    assert!(
                        out.status.success(),
                        "{backend:?} round {round}: {}",
                        String::from_utf8_lossy(&out.stderr)
                    );
                    assert!(String::from_utf8_lossy(&out.stdout).contains("ada@example.org"));
                }
            } else {
                let created = run(
                    &[
                        "create-user",
                        "--email",
                        "dean@example.edu",
                        "--name",
                        "Dean",
                    ],
                    Some("a long enough passphrase"),
                );
                assert!(
                    created.status.success(),
                    "{}",
                    String::from_utf8_lossy(&created.stderr)
                );
                let out = run(&["seed-demo"], None);
                assert!(!out.status.success(), "{backend:?}: seed-demo must refuse");
                let stderr = String::from_utf8_lossy(&out.stderr);
                assert!(stderr.contains("not a demo database"), "{stderr}");
                assert!(!String::from_utf8_lossy(&out.stdout).contains("Demo logins"));
            }
        }
    }
}
