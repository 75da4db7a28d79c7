//! Sign-up, sign-in, sessions and passwords through the real router, on both backends.

#![allow(clippy::unwrap_used)]

mod common;

use common::TestApp;

const PW: &str = "correct horse battery";

on_both_backends! {
    async fn sign_up_signs_in_with_a_safe_cookie(app) {
        let r = app
            .call("sign_up", &[("email", " Ada@Example.org "), ("display_name", "Ada"), ("password", PW)], None)
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(r.header("location"), Some("/portfolio"));
        let cookie = r.set_cookies().join("\n");
        assert!(cookie.contains("HttpOnly"), "{cookie}");
        assert!(cookie.contains("SameSite=Lax"), "{cookie}");
        assert!(!cookie.contains("Secure"), "plain http must not set Secure: {cookie}");
        let me = app.whoami(r.session().as_deref()).await;
        assert_eq!(me["email"], "ada@example.org");
        assert_eq!(me["display_name"], "Ada");
        assert_eq!(me["role"], "learner");
    }

    async fn duplicate_email_is_a_409_with_a_message(app) {
        app.sign_up("ada@example.org", "Ada", PW).await;
        let r = app
            .call("sign_up", &[("email", "ADA@example.org"), ("display_name", "Other"), ("password", PW)], None)
            .await;
        assert_eq!(r.status, 409, "{}", r.body);
        assert_eq!(r.code(), "email_taken");
        assert!(r.session().is_none());
    }

    async fn weak_password_is_refused_with_the_rule(app) {
        let r = app
            .call("sign_up", &[("email", "ada@example.org"), ("display_name", "Ada"), ("password", "short")], None)
            .await;
        assert_eq!(r.status, 422, "{}", r.body);
        assert_eq!(r.code(), "invalid");
        assert!(r.body.contains("At least 10 characters"), "{}", r.body);
        // Nothing was created: the email is still free.
        app.sign_up("ada@example.org", "Ada", PW).await;
    }

    async fn bad_email_and_missing_fields_are_client_errors(app) {
        let r = app
            .call("sign_up", &[("email", "not-an-email"), ("display_name", "Ada"), ("password", PW)], None)
            .await;
        assert_eq!(r.status, 422, "{}", r.body);
        let r = app.call("sign_up", &[("email", "ada@example.org")], None).await;
        assert_eq!(r.status, 400, "{}", r.body);
        assert_eq!(r.code(), "bad_request");
    }

    async fn wrong_password_and_unknown_email_get_the_same_answer(app) {
        app.sign_up("ada@example.org", "Ada", PW).await;
        let wrong = app.sign_in("ada@example.org", "not the password", None).await;
        let unknown = app.sign_in("nobody@example.org", "not the password", None).await;
        assert_eq!(wrong.status, 401);
        assert_eq!(unknown.status, 401);
        assert_eq!(wrong.body, unknown.body);
        assert_eq!(wrong.code(), "invalid_credentials");
        assert!(wrong.session().is_none());
    }

    async fn sign_in_starts_a_fresh_session(app) {
        let first = app.sign_up("ada@example.org", "Ada", PW).await;
        let r = app.sign_in("ada@example.org", PW, Some(&first)).await;
        assert_eq!(r.status, 200, "{}", r.body);
        let second = r.session().unwrap();
        assert_ne!(first, second, "session id must be renewed on login");
        assert!(app.whoami(Some(&first)).await.is_null(), "old session ended");
        assert_eq!(app.whoami(Some(&second)).await["email"], "ada@example.org");
    }

    async fn session_persists_across_requests_and_servers(app) {
        let s = app.sign_up("ada@example.org", "Ada", PW).await;
        for _ in 0..3 {
            assert_eq!(app.whoami(Some(&s)).await["display_name"], "Ada");
        }
        let other_server = app.sibling();
        assert_eq!(other_server.whoami(Some(&s)).await["display_name"], "Ada");
        let page = other_server.get("/portfolio", Some(&s)).await;
        assert_eq!(page.status, 200);
        assert!(page.body.contains("Welcome, <!>Ada") || page.body.contains("Welcome, Ada"), "{}", page.body);
    }

    async fn sign_out_ends_the_session(app) {
        let s = app.sign_up("ada@example.org", "Ada", PW).await;
        let r = app.call("sign_out", &[], Some(&s)).await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert!(r.set_cookies().join(";").contains("Max-Age=0"));
        assert!(app.whoami(Some(&s)).await.is_null());
        assert!(app.whoami(None).await.is_null());
    }

    async fn forged_session_tokens_are_nobody(app) {
        app.sign_up("ada@example.org", "Ada", PW).await;
        assert!(app.whoami(Some("forged-token")).await.is_null());
        let page = app.get("/portfolio", Some("forged-token")).await;
        assert!(page.body.contains("Please sign in"), "{}", page.body);
    }

    async fn repeated_failed_logins_get_429_with_retry_time(app) {
        app.sign_up("ada@example.org", "Ada", PW).await;
        let mut limited = None;
        for _ in 0..10 {
            let r = app.sign_in("ada@example.org", "wrong password!", None).await;
            if r.status == 429 {
                limited = Some(r);
                break;
            }
            assert_eq!(r.status, 401);
        }
        let r = limited.expect("no 429 after 10 failed attempts");
        assert_eq!(r.code(), "rate_limited");
        let retry: u64 = r.header("retry-after").unwrap().parse().unwrap();
        assert!((1..=60).contains(&retry), "{retry}");
        // Even the right password waits now.
        assert_eq!(app.sign_in("ada@example.org", PW, None).await.status, 429);
    }

    async fn change_password_requires_the_current_one_and_signs_out_elsewhere(app) {
        let here = app.sign_up("ada@example.org", "Ada", PW).await;
        let elsewhere = app.sign_in("ada@example.org", PW, None).await.session().unwrap();
        let wrong = app
            .call("change_password", &[("current_password", "nope nope nope"), ("new_password", "a brand new passphrase")], Some(&here))
            .await;
        assert_eq!(wrong.status, 422, "{}", wrong.body);
        let weak = app
            .call("change_password", &[("current_password", PW), ("new_password", "short")], Some(&here))
            .await;
        assert_eq!(weak.status, 422, "{}", weak.body);
        let ok = app
            .call("change_password", &[("current_password", PW), ("new_password", "a brand new passphrase")], Some(&here))
            .await;
        assert_eq!(ok.status, 200, "{}", ok.body);
        assert_eq!(app.whoami(Some(&here)).await["email"], "ada@example.org");
        assert!(app.whoami(Some(&elsewhere)).await.is_null());
        assert_eq!(app.sign_in("ada@example.org", PW, None).await.status, 401);
        assert_eq!(app.sign_in("ada@example.org", "a brand new passphrase", None).await.status, 200);
    }

    async fn change_password_needs_a_session(app) {
        let r = app
            .call("change_password", &[("current_password", PW), ("new_password", "a brand new passphrase")], None)
            .await;
        assert_eq!(r.status, 401, "{}", r.body);
        assert_eq!(r.code(), "unauthenticated");
    }

    async fn demo_seed_is_idempotent_and_its_logins_work(app) {
        server::seed::seed_demo(&app.state.db, &app.state.settings).await.unwrap();
        server::seed::seed_demo(&app.state.db, &app.state.settings).await.unwrap();
        let expected = [
            ("admin@example.edu", "platform_admin"),
            ("issuer@example.edu", "issuer_admin"),
            ("reviewer@example.edu", "reviewer"),
            ("ada@example.org", "learner"),
            ("grace@example.org", "learner"),
        ];
        for (email, role) in expected {
            let r = app.sign_in(email, server::seed::DEMO_PASSWORD, None).await;
            assert_eq!(r.status, 200, "{email}: {}", r.body);
            let me = app.whoami(r.session().as_deref()).await;
            assert_eq!(me["role"], role, "{email}");
        }
    }
}

#[tokio::test]
async fn cookies_are_secure_and_hsts_is_sent_when_public_url_is_https() {
    let app = TestApp::with_public_url(common::Backend::Sqlite, "https://badges.example.edu")
        .await
        .unwrap();
    let r = app
        .call_with(
            "sign_up",
            &[
                ("email", "ada@example.org"),
                ("display_name", "Ada"),
                ("password", PW),
            ],
            None,
            &[("origin", "https://badges.example.edu")],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.set_cookies().join(";").contains("Secure"));
    assert!(r.header("strict-transport-security").is_some());
}
