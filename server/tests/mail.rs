//! The outbox and the account mail flows through the real router, on both backends:
//! confirmation on sign-up, forgotten-password reset, change of address, the outbox
//! page's authorization, and the worker's delivery, retries and claims.

#![allow(clippy::unwrap_used)]

mod common;

use std::time::Duration;

use app::server::{
    account_tokens::{self, Purpose},
    db::begin_write,
    entities::{account_token, outbox, user},
    mail::{
        self, Mail,
        sender::{MailSettings, Sender},
        worker::{self, Outcome, WorkerConfig},
    },
};
use common::TestApp;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, Set,
};

const PW: &str = "correct horse battery";
const NEW_PW: &str = "a brand new passphrase";

/// Every mail in the outbox, oldest first.
async fn mails(app: &TestApp) -> Vec<outbox::Model> {
    outbox::Entity::find()
        .order_by_asc(outbox::Column::Id)
        .all(&app.state.db)
        .await
        .unwrap()
}

/// Mails to one address, oldest first.
async fn mails_to(app: &TestApp, to: &str) -> Vec<outbox::Model> {
    mails(app)
        .await
        .into_iter()
        .filter(|m| m.recipient == to)
        .collect()
}

/// The token of the (first) account link in a mail body, checking the link is absolute
/// under the public URL.
fn token_in(body: &str, path: &str) -> String {
    let prefix = format!("{}{path}?token=", common::PUBLIC_URL);
    let start = body
        .find(&prefix)
        .unwrap_or_else(|| panic!("no {prefix} link in {body}"))
        + prefix.len();
    body[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect()
}

/// The token of the latest mail to `to` linking to `path`.
async fn latest_token(app: &TestApp, to: &str, path: &str) -> String {
    let all = mails_to(app, to).await;
    let last = all.last().unwrap_or_else(|| panic!("no mail to {to}"));
    token_in(&last.body, path)
}

async fn user_by_email(app: &TestApp, email: &str) -> Option<user::Model> {
    user::Entity::find()
        .filter(user::Column::Email.eq(email))
        .one(&app.state.db)
        .await
        .unwrap()
}

async fn confirm(app: &TestApp, token: &str, session: Option<&str>) -> common::Reply {
    app.call("confirm_email", &[("token", token)], session)
        .await
}

async fn reset(app: &TestApp, token: &str, password: &str) -> common::Reply {
    app.call(
        "reset_password",
        &[("token", token), ("new_password", password)],
        None,
    )
    .await
}

async fn forgot(app: &TestApp, email: &str) -> common::Reply {
    app.call("request_password_reset", &[("email", email)], None)
        .await
}

/// A platform admin's session.
async fn admin_session(app: &TestApp) -> String {
    server::seed::seed_demo(&app.state.db, &app.state.settings)
        .await
        .unwrap();
    app.sign_in("admin@example.edu", server::seed::DEMO_PASSWORD, None)
        .await
        .session()
        .unwrap()
}

on_both_backends! {
    async fn sign_up_mails_a_confirmation_link_that_works_once(app) {
        let s = app.sign_up("ada@example.org", "Ada", PW).await;
        let me = app.whoami(Some(&s)).await;
        assert_eq!(me["email_confirmed"], false, "{me}");
        // Unconfirmed, yet signed in; the settings page says so and offers a new link.
        let page = app.get("/settings", Some(&s)).await;
        assert!(page.body.contains("not confirmed"), "{}", page.body);
        assert!(page.body.contains("Resend confirmation"), "{}", page.body);

        let sent = mails_to(&app, "ada@example.org").await;
        assert_eq!(sent.len(), 1);
        assert_eq!(sent[0].status, "queued");
        assert_eq!(sent[0].subject, "Confirm your email address for Badgefolio");
        let token = token_in(&sent[0].body, "/account/confirm");
        assert!(token.len() >= 43, "at least 256 bits: {token}");
        // Only a hash of the token is stored.
        let stored = account_token::Entity::find().one(&app.state.db).await.unwrap().unwrap();
        assert_ne!(stored.token_hash, token);
        assert_eq!(stored.token_hash, app::server::sessions::token_hash(&token));

        // Opening the link changes nothing (mail scanners open links); the button does.
        let page = app.get(&format!("/account/confirm?token={token}"), None).await;
        assert_eq!(page.status, 200);
        assert!(page.body.contains("Confirm my email address"), "{}", page.body);
        assert_eq!(app.whoami(Some(&s)).await["email_confirmed"], false);

        let r = confirm(&app, &token, None).await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(r.header("location"), Some("/account/confirm?done=address"));
        assert_eq!(app.whoami(Some(&s)).await["email_confirmed"], true);
        let page = app.get("/settings", Some(&s)).await;
        assert!(!page.body.contains("not confirmed"), "{}", page.body);

        let again = confirm(&app, &token, None).await;
        assert_eq!(again.status, 422, "{}", again.body);
        assert!(again.body.contains("expired or was already used"), "{}", again.body);
        // Once confirmed, there is nothing to resend.
        let r = app.call("resend_confirmation", &[], Some(&s)).await;
        assert_eq!(r.status, 422, "{}", r.body);
    }

    async fn a_resent_confirmation_link_replaces_the_earlier_one(app) {
        let s = app.sign_up("ada@example.org", "Ada", PW).await;
        let first = latest_token(&app, "ada@example.org", "/account/confirm").await;
        let r = app.call("resend_confirmation", &[], Some(&s)).await;
        assert_eq!(r.status, 200, "{}", r.body);
        let second = latest_token(&app, "ada@example.org", "/account/confirm").await;
        assert_ne!(first, second);
        assert_eq!(confirm(&app, &first, None).await.status, 422);
        assert_eq!(confirm(&app, &second, None).await.status, 200);
        assert_eq!(app.whoami(Some(&s)).await["email_confirmed"], true);
        assert_eq!(app.call("resend_confirmation", &[], None).await.status, 401);
    }

    async fn forgot_password_answers_the_same_and_queues_nothing_for_unknown_addresses(app) {
        app.sign_up("ada@example.org", "Ada", PW).await;
        let before = mails(&app).await.len();
        let floor = app::api::account_mail::RESET_ANSWER_FLOOR;
        let t = std::time::Instant::now();
        let unknown = forgot(&app, "nobody@example.org").await;
        let unknown_took = t.elapsed();
        assert_eq!(mails(&app).await.len(), before, "no mail for an unknown address");
        assert_eq!(
            account_token::Entity::find()
                .filter(account_token::Column::Purpose.eq("reset_password"))
                .count(&app.state.db)
                .await
                .unwrap(),
            0
        );
        let t = std::time::Instant::now();
        let known = forgot(&app, " ADA@example.org ").await;
        let known_took = t.elapsed();
        // Both answers take at least the same floor, so timing does not tell them apart.
        assert!(unknown_took >= floor && known_took >= floor, "{unknown_took:?} / {known_took:?}");
        eprintln!("forgot-password answer: unknown {unknown_took:?}, known {known_took:?}");
        assert_eq!((unknown.status, known.status), (200, 200), "{} / {}", unknown.body, known.body);
        assert_eq!(unknown.body, known.body);
        assert_eq!(unknown.header("location"), Some("/forgot?sent=1"));
        assert_eq!(known.header("location"), unknown.header("location"));
        assert_eq!(unknown.set_cookies(), known.set_cookies());
        let sent = mails_to(&app, "ada@example.org").await;
        assert_eq!(sent.len(), 2, "the confirmation and the reset link");
        assert_eq!(sent[1].subject, "Reset your Badgefolio password");
        token_in(&sent[1].body, "/account/reset");
        // A malformed address is a plain input error (it says nothing about accounts).
        assert_eq!(forgot(&app, "not-an-address").await.status, 422);
        // The page links from sign-in, and shows the same note after either answer.
        assert!(app.get("/signin", None).await.body.contains("href=\"/forgot\""));
        let page = app.get("/forgot?sent=1", None).await;
        assert!(page.body.contains("a reset link is on its way"), "{}", page.body);
    }

    async fn a_reset_link_sets_the_password_once_and_signs_out_everywhere(app) {
        let here = app.sign_up("ada@example.org", "Ada", PW).await;
        let elsewhere = app.sign_in("ada@example.org", PW, None).await.session().unwrap();
        assert_eq!(forgot(&app, "ada@example.org").await.status, 200);
        let token = latest_token(&app, "ada@example.org", "/account/reset").await;
        let page = app.get(&format!("/account/reset?token={token}"), None).await;
        assert_eq!(page.status, 200);
        assert_eq!(page.header("cache-control"), Some("private, no-store"), "no cache keeps the token");
        assert!(page.body.contains("New password"), "{}", page.body);

        // A weak password is refused and the link stays usable.
        let weak = reset(&app, &token, "short").await;
        assert_eq!(weak.status, 422, "{}", weak.body);
        assert!(weak.body.contains("At least 10 characters"), "{}", weak.body);

        let ok = reset(&app, &token, NEW_PW).await;
        assert_eq!(ok.status, 200, "{}", ok.body);
        assert_eq!(ok.header("location"), Some("/signin?reset=done"));
        assert!(app.whoami(Some(&here)).await.is_null(), "sessions end");
        assert!(app.whoami(Some(&elsewhere)).await.is_null(), "sessions end");
        assert_eq!(app.sign_in("ada@example.org", PW, None).await.status, 401);
        assert_eq!(app.sign_in("ada@example.org", NEW_PW, None).await.status, 200);

        let again = reset(&app, &token, "yet another passphrase").await;
        assert_eq!(again.status, 422, "{}", again.body);
        assert_eq!(app.sign_in("ada@example.org", NEW_PW, None).await.status, 200);
        let page = app.get("/signin?reset=done", None).await;
        assert!(page.body.contains("Your password was changed"), "{}", page.body);
    }

    async fn reset_links_expire(app) {
        app.sign_up("ada@example.org", "Ada", PW).await;
        forgot(&app, "ada@example.org").await;
        let token = latest_token(&app, "ada@example.org", "/account/reset").await;
        let stored = account_token::Entity::find()
            .filter(account_token::Column::Purpose.eq("reset_password"))
            .one(&app.state.db)
            .await
            .unwrap()
            .unwrap();
        let lifetime = stored.expires_at - stored.created_at;
        assert_eq!(lifetime, chrono::Duration::hours(1));
        let mut expired: account_token::ActiveModel = stored.into();
        expired.expires_at = Set(chrono::Utc::now() - chrono::Duration::seconds(1));
        expired.update(&app.state.db).await.unwrap();
        let r = reset(&app, &token, NEW_PW).await;
        assert_eq!(r.status, 422, "{}", r.body);
        assert_eq!(app.sign_in("ada@example.org", PW, None).await.status, 200);
    }

    async fn a_reset_link_is_void_once_the_password_changes(app) {
        let s = app.sign_up("ada@example.org", "Ada", PW).await;
        forgot(&app, "ada@example.org").await;
        let token = latest_token(&app, "ada@example.org", "/account/reset").await;
        let r = app
            .call("change_password", &[("current_password", PW), ("new_password", NEW_PW)], Some(&s))
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        let r = reset(&app, &token, "an attacker's passphrase").await;
        assert_eq!(r.status, 422, "{}", r.body);
        assert_eq!(app.sign_in("ada@example.org", NEW_PW, None).await.status, 200);

        // So is one of two reset links once the other was used.
        forgot(&app, "ada@example.org").await;
        let first = latest_token(&app, "ada@example.org", "/account/reset").await;
        forgot(&app, "ada@example.org").await;
        let second = latest_token(&app, "ada@example.org", "/account/reset").await;
        assert_eq!(reset(&app, &second, "third passphrase here").await.status, 200);
        assert_eq!(reset(&app, &first, "fourth passphrase here").await.status, 422);
    }

    async fn tokens_act_only_on_their_account_and_for_their_purpose(app) {
        let ada = app.sign_up("ada@example.org", "Ada", PW).await;
        let grace = app.sign_up("grace@example.org", "Grace", PW).await;
        let ada_confirm = latest_token(&app, "ada@example.org", "/account/confirm").await;
        // A confirmation token is no reset token.
        assert_eq!(reset(&app, &ada_confirm, NEW_PW).await.status, 422);
        // Grace, signed in, follows Ada's link: Ada is confirmed, Grace is not.
        assert_eq!(confirm(&app, &ada_confirm, Some(&grace)).await.status, 200);
        assert_eq!(app.whoami(Some(&ada)).await["email_confirmed"], true);
        assert_eq!(app.whoami(Some(&grace)).await["email_confirmed"], false);

        forgot(&app, "ada@example.org").await;
        let ada_reset = latest_token(&app, "ada@example.org", "/account/reset").await;
        // A reset token is no confirmation token.
        assert_eq!(confirm(&app, &ada_reset, Some(&grace)).await.status, 422);
        // Used from Grace's browser, it changes Ada's password only.
        let r = app
            .call("reset_password", &[("token", &ada_reset), ("new_password", NEW_PW)], Some(&grace))
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(app.sign_in("ada@example.org", NEW_PW, None).await.status, 200);
        assert_eq!(app.sign_in("grace@example.org", NEW_PW, None).await.status, 401);
        assert_eq!(app.whoami(Some(&grace)).await["email"], "grace@example.org", "Grace stays signed in");

        // Forged and malformed tokens are nothing.
        for bad in ["", "x", "not a token", &"A".repeat(43), &"A".repeat(500)] {
            assert_eq!(confirm(&app, bad, None).await.status, 422, "{bad}");
            assert_eq!(reset(&app, bad, NEW_PW).await.status, 422, "{bad}");
        }
    }

    async fn of_concurrent_uses_of_one_token_exactly_one_wins(app) {
        app.sign_up("ada@example.org", "Ada", PW).await;
        let ada = user_by_email(&app, "ada@example.org").await.unwrap();
        // Directly: eight transactions race to consume one token.
        let token = account_tokens::issue(&app.state.db, ada.id, Purpose::ResetPassword, &ada.email)
            .await
            .unwrap();
        let mut tasks = Vec::new();
        for _ in 0..8 {
            let db = app.state.db.clone();
            let token = token.clone();
            tasks.push(tokio::spawn(async move {
                let txn = begin_write(&db).await.unwrap();
                let won = account_tokens::consume(&*txn, &token, &[Purpose::ResetPassword])
                    .await
                    .unwrap();
                txn.commit().await.unwrap();
                won.map(|t| t.user_id)
            }));
        }
        let mut winners = Vec::new();
        for t in tasks {
            if let Some(user_id) = t.await.unwrap() {
                winners.push(user_id);
            }
        }
        assert_eq!(winners, vec![ada.id]);

        // Through the router: two resets with one link, at once.
        forgot(&app, "ada@example.org").await;
        let token = latest_token(&app, "ada@example.org", "/account/reset").await;
        let (a, b) = tokio::join!(
            reset(&app, &token, "first racing passphrase"),
            reset(&app, &token, "second racing passphrase"),
        );
        let mut statuses = [a.status, b.status];
        statuses.sort_unstable();
        assert_eq!(statuses, [200, 422], "{} / {}", a.body, b.body);
        let winner = if a.status == 200 { "first racing passphrase" } else { "second racing passphrase" };
        assert_eq!(app.sign_in("ada@example.org", winner, None).await.status, 200);
    }

    async fn a_new_address_takes_effect_only_once_its_link_is_used(app) {
        let s = app.sign_up("ada@example.org", "Ada", PW).await;
        let change = |email: &'static str, password: &'static str| {
            let app = &app;
            let s = s.clone();
            async move {
                app.call("change_email", &[("new_email", email), ("current_password", password)], Some(&s)).await
            }
        };
        let wrong = change("ada@new.example.org", "not my password").await;
        assert_eq!(wrong.status, 422, "{}", wrong.body);
        assert!(mails_to(&app, "ada@new.example.org").await.is_empty());
        assert_eq!(change("ADA@example.org", PW).await.status, 422, "the same address");
        assert_eq!(change("nonsense", PW).await.status, 422);

        let ok = change("Ada@New.example.org", PW).await;
        assert_eq!(ok.status, 200, "{}", ok.body);
        // Nothing changed yet.
        assert_eq!(app.whoami(Some(&s)).await["email"], "ada@example.org");
        assert_eq!(app.sign_in("ada@new.example.org", PW, None).await.status, 401);
        let token = latest_token(&app, "ada@new.example.org", "/account/confirm").await;
        let r = confirm(&app, &token, None).await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(r.header("location"), Some("/account/confirm?done=changed"));
        let me = app.whoami(Some(&s)).await;
        assert_eq!((me["email"].as_str(), me["email_confirmed"].as_bool()), (Some("ada@new.example.org"), Some(true)));
        assert_eq!(app.sign_in("ada@example.org", PW, None).await.status, 401);
        assert_eq!(app.sign_in("ada@new.example.org", PW, None).await.status, 200);
        // The old address was told.
        let old = mails_to(&app, "ada@example.org").await;
        let notice = old.last().unwrap();
        assert_eq!(notice.subject, "Your Badgefolio sign-in address was changed");
        assert!(notice.body.contains("ada@new.example.org"), "{}", notice.body);
        assert_eq!(confirm(&app, &token, None).await.status, 422, "single use");
    }

    async fn an_address_with_an_account_gets_a_notice_not_a_link(app) {
        let ada = app.sign_up("ada@example.org", "Ada", PW).await;
        app.sign_up("grace@example.org", "Grace", PW).await;
        let grace_before = mails_to(&app, "grace@example.org").await.len();
        let r = app
            .call("change_email", &[("new_email", "grace@example.org"), ("current_password", PW)], Some(&ada))
            .await;
        assert_eq!(r.status, 200, "the same answer as for a free address: {}", r.body);
        let grace_mails = mails_to(&app, "grace@example.org").await;
        assert_eq!(grace_mails.len(), grace_before + 1);
        let notice = grace_mails.last().unwrap();
        assert!(!notice.body.contains("token="), "{}", notice.body);
        assert_eq!(
            account_token::Entity::find()
                .filter(account_token::Column::Purpose.eq("change_email"))
                .count(&app.state.db)
                .await
                .unwrap(),
            0
        );
        assert_eq!(app.whoami(Some(&ada)).await["email"], "ada@example.org");
    }

    async fn a_change_link_fails_cleanly_if_the_address_was_taken_meanwhile(app) {
        let ada = app.sign_up("ada@example.org", "Ada", PW).await;
        let r = app
            .call("change_email", &[("new_email", "shared@example.org"), ("current_password", PW)], Some(&ada))
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        let token = latest_token(&app, "shared@example.org", "/account/confirm").await;
        app.sign_up("shared@example.org", "Someone", PW).await;
        let r = confirm(&app, &token, None).await;
        assert_eq!(r.status, 422, "{}", r.body);
        assert!(r.body.contains("belongs to another account"), "{}", r.body);
        assert_eq!(app.whoami(Some(&ada)).await["email"], "ada@example.org");
    }

    async fn account_mail_requests_are_rate_limited_per_address(app) {
        app.sign_up("ada@example.org", "Ada", PW).await;
        let mut limited = None;
        for _ in 0..6 {
            let r = forgot(&app, "ada@example.org").await;
            if r.status == 429 {
                limited = Some(r);
                break;
            }
            assert_eq!(r.status, 200, "{}", r.body);
        }
        let r = limited.expect("no 429 after 6 reset requests for one address");
        assert_eq!(r.code(), "rate_limited");
        assert!(r.header("retry-after").is_some());
        // The same for an address without an account (the limit tells nothing either).
        let mut statuses = Vec::new();
        for _ in 0..4 {
            statuses.push(forgot(&app, "nobody@example.org").await.status);
        }
        assert_eq!(statuses, [200, 200, 200, 429]);
    }

    async fn the_outbox_is_for_platform_admins_only(app) {
        let admin = admin_session(&app).await;
        let learner = app.sign_up("lin@example.org", "Lin", PW).await;

        let anonymous = app.get("/admin/outbox", None).await;
        assert_eq!(anonymous.status, 401, "{}", anonymous.body);
        assert!(anonymous.body.contains("Please sign in"), "{}", anonymous.body);
        assert!(!anonymous.body.contains("Confirm your email address for Badgefolio"));
        let page = app.get("/admin/outbox", Some(&learner)).await;
        assert_eq!(page.status, 403, "{}", page.body);
        assert!(page.body.contains("You do not have permission"), "{}", page.body);
        assert!(!page.body.contains("/account/confirm?token="), "{}", page.body);

        let r = app.call("list_outbox", &[], Some(&learner)).await;
        assert_eq!((r.status, r.code().as_str()), (403, "forbidden"), "{}", r.body);
        let r = app.call("list_outbox", &[], None).await;
        assert_eq!((r.status, r.code().as_str()), (401, "unauthenticated"), "{}", r.body);

        let page = app.get("/admin/outbox", Some(&admin)).await;
        assert_eq!(page.status, 200, "{}", page.body);
        assert!(page.body.contains("Confirm your email address for Badgefolio"), "{}", page.body);
        assert!(page.body.contains("/account/confirm?token="), "{}", page.body);
        assert!(page.body.contains("written to the server log"), "{}", page.body);
        let r = app.call("list_outbox", &[], Some(&admin)).await;
        assert_eq!(r.status, 200, "{}", r.body);
        let listed: serde_json::Value = serde_json::from_str(&r.body).unwrap();
        assert_eq!(listed["mode"], "log");
        assert_eq!(listed["mails"][0]["recipient"], "lin@example.org");
        assert_eq!(listed["mails"][0]["status"], "queued");
    }

    async fn the_outbox_page_escapes_what_mails_contain(app) {
        let admin = admin_session(&app).await;
        mail::enqueue(&app.state.db, Mail {
            to: "x@example.org".into(),
            subject: "<b>subject</b>".into(),
            text: "<script>alert(1)</script>".into(),
        })
        .await
        .unwrap();
        let page = app.get("/admin/outbox", Some(&admin)).await;
        assert_eq!(page.status, 200);
        assert!(!page.body.contains("<script>alert(1)"), "{}", page.body);
        assert!(page.body.contains("&lt;script&gt;alert(1)"), "{}", page.body);
        assert!(!page.body.contains("<b>subject</b>"));
    }

    async fn demo_accounts_are_confirmed(app) {
        server::seed::seed_demo(&app.state.db, &app.state.settings).await.unwrap();
        for (email, _, _) in server::seed::DEMO_ACCOUNTS {
            let r = app.sign_in(email, server::seed::DEMO_PASSWORD, None).await;
            assert_eq!(app.whoami(r.session().as_deref()).await["email_confirmed"], true, "{email}");
        }
        assert!(mails(&app).await.is_empty(), "seeding mails nobody");
    }

    async fn mail_is_queued_only_if_its_transaction_commits(app) {
        let mail = || Mail { to: "a@example.org".into(), subject: "Hi".into(), text: "Body".into() };
        {
            let txn = begin_write(&app.state.db).await.unwrap();
            mail::enqueue(&*txn, mail()).await.unwrap();
            // Dropped without commit: rolled back.
        }
        assert!(mails(&app).await.is_empty());
        let txn = begin_write(&app.state.db).await.unwrap();
        mail::enqueue(&*txn, mail()).await.unwrap();
        txn.commit().await.unwrap();
        assert_eq!(mails(&app).await.len(), 1);
        // Header injection and bad recipients are refused.
        let bad = Mail { subject: "Hi\r\nBcc: x@evil.example".into(), ..mail() };
        assert!(mail::enqueue(&app.state.db, bad).await.is_err());
        assert!(mail::enqueue(&app.state.db, Mail { to: "nope".into(), ..mail() }).await.is_err());
        assert_eq!(mails(&app).await.len(), 1);
    }

    async fn the_log_sender_delivers_and_the_mail_stays_visible(app) {
        app.sign_up("ada@example.org", "Ada", PW).await;
        let done = worker::deliver_due(&app.state.db, &Sender::Log, &WorkerConfig::default()).await.unwrap();
        assert_eq!(done.len(), 1);
        assert_eq!(done[0].1, Outcome::Sent);
        let m = &mails(&app).await[0];
        assert_eq!((m.status.as_str(), m.attempts), ("sent", 1));
        assert!(m.sent_at.is_some() && m.last_error.is_none());
        assert!(worker::deliver_due(&app.state.db, &Sender::Log, &WorkerConfig::default()).await.unwrap().is_empty());
    }

    async fn a_failing_smtp_server_is_retried_with_backoff_then_given_up(app) {
        // A closed local port: connections are refused.
        let port = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            l.local_addr().unwrap().port()
        };
        let sender = Sender::from_settings(&MailSettings {
            smtp_url: Some(format!("smtp://127.0.0.1:{port}")),
            from: "Badgefolio <noreply@example.edu>".into(),
        })
        .unwrap();
        let admin = admin_session(&app).await;
        app.sign_up("lin@example.org", "Lin", PW).await;

        let patient = WorkerConfig { max_attempts: 3, first_retry: Duration::from_secs(60), ..WorkerConfig::default() };
        let done = worker::deliver_due(&app.state.db, &sender, &patient).await.unwrap();
        assert_eq!(done.iter().map(|d| d.1.clone()).collect::<Vec<_>>(), [Outcome::Retry]);
        let m = &mails(&app).await[0];
        assert_eq!((m.status.as_str(), m.attempts), ("queued", 1));
        let error = m.last_error.clone().unwrap();
        assert!(error.contains("SMTP"), "{error}");
        let wait = m.next_attempt_at - chrono::Utc::now();
        assert!(wait > chrono::Duration::seconds(50) && wait <= chrono::Duration::seconds(60), "{wait}");
        // Not due yet: nothing happens.
        assert!(worker::deliver_due(&app.state.db, &sender, &patient).await.unwrap().is_empty());

        // With no wait between attempts, the rest are used up and the mail fails.
        let hasty = WorkerConfig { first_retry: Duration::ZERO, ..patient };
        let mut due: outbox::ActiveModel = mails(&app).await.remove(0).into();
        due.next_attempt_at = Set(chrono::Utc::now());
        due.update(&app.state.db).await.unwrap();
        let done = worker::deliver_due(&app.state.db, &sender, &hasty).await.unwrap();
        assert_eq!(done.iter().map(|d| d.1.clone()).collect::<Vec<_>>(), [Outcome::Retry, Outcome::Failed]);
        let m = &mails(&app).await[0];
        assert_eq!((m.status.as_str(), m.attempts), ("failed", 3));
        assert!(m.last_error.is_some() && m.sent_at.is_none());
        assert!(worker::deliver_due(&app.state.db, &sender, &hasty).await.unwrap().is_empty());
        // The admin sees it.
        let page = app.get("/admin/outbox", Some(&admin)).await;
        assert!(page.body.contains("data-status=\"failed\""), "{}", page.body);
    }

    async fn mail_is_delivered_to_an_smtp_server(app) {
        let (port, received) = tiny_smtp_server().await;
        let sender = Sender::from_settings(&MailSettings {
            smtp_url: Some(format!("smtp://127.0.0.1:{port}")),
            from: "Badgefolio <noreply@example.edu>".into(),
        })
        .unwrap();
        forgot(&app, "nobody@example.org").await;
        app.sign_up("ada@example.org", "Ada", PW).await;
        let done = worker::deliver_due(&app.state.db, &sender, &WorkerConfig::default()).await.unwrap();
        assert_eq!(done.len(), 1);
        assert_eq!(done[0].1, Outcome::Sent);
        let session = tokio::time::timeout(Duration::from_secs(10), received).await.unwrap().unwrap();
        assert!(session.contains("MAIL FROM:<noreply@example.edu>"), "{session}");
        assert!(session.contains("RCPT TO:<ada@example.org>"), "{session}");
        assert!(session.contains("Subject: Confirm your email address for Badgefolio"), "{session}");
        assert!(session.contains("/account/confirm?token="), "{session}");
        let m = &mails(&app).await[0];
        assert_eq!((m.status.as_str(), m.attempts), ("sent", 1));
    }

    async fn concurrent_workers_deliver_each_mail_once(app) {
        for i in 0..20 {
            mail::enqueue(&app.state.db, Mail {
                to: format!("user{i}@example.org"),
                subject: format!("Mail {i}"),
                text: "Body".into(),
            })
            .await
            .unwrap();
        }
        let config = WorkerConfig::default();
        let run = |db: sea_orm::DatabaseConnection| async move {
            worker::deliver_due(&db, &Sender::Log, &config).await.unwrap()
        };
        let (a, b, c) = tokio::join!(
            tokio::spawn(run(app.state.db.clone())),
            tokio::spawn(run(app.state.db.clone())),
            tokio::spawn(run(app.state.db.clone())),
        );
        let mut ids: Vec<i32> = [a.unwrap(), b.unwrap(), c.unwrap()]
            .into_iter()
            .flatten()
            .map(|(id, outcome)| {
                assert_eq!(outcome, Outcome::Sent);
                id
            })
            .collect();
        ids.sort_unstable();
        let all: Vec<i32> = mails(&app).await.iter().map(|m| m.id).collect();
        assert_eq!(ids, all, "every mail delivered, none twice");
        assert!(mails(&app).await.iter().all(|m| m.status == "sent" && m.attempts == 1));
    }

    async fn a_claim_whose_lease_ran_out_is_taken_over(app) {
        mail::enqueue(&app.state.db, Mail { to: "a@example.org".into(), subject: "Hi".into(), text: "B".into() })
            .await
            .unwrap();
        let config = WorkerConfig::default();
        let first = worker::claim_next(&app.state.db, Duration::ZERO).await.unwrap().unwrap();
        // Another worker takes it over once the (zero) lease is over…
        let second = worker::claim_next(&app.state.db, config.lease).await.unwrap().unwrap();
        assert_eq!((first.id, second.id, second.attempts), (first.id, first.id, 2));
        // …but not while its lease holds.
        assert!(worker::claim_next(&app.state.db, config.lease).await.unwrap().is_none());
        // The first worker's late result is not recorded.
        assert_eq!(worker::record(&app.state.db, &first, Ok(()), &config).await.unwrap(), Outcome::Lost);
        assert_eq!(worker::record(&app.state.db, &second, Ok(()), &config).await.unwrap(), Outcome::Sent);
    }
}

/// A minimal SMTP server on a free local port that takes one mail and returns the whole
/// conversation (what the client sent).
async fn tiny_smtp_server() -> (u16, tokio::task::JoinHandle<String>) {
    use tokio::io::{AsyncBufReadExt as _, AsyncWriteExt as _, BufReader};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let task = tokio::spawn(async move {
        let (stream, _) = listener.accept().await.unwrap();
        let (read, mut write) = stream.into_split();
        let mut lines = BufReader::new(read).lines();
        let mut seen = String::new();
        write.write_all(b"220 tiny ESMTP\r\n").await.unwrap();
        let mut in_data = false;
        while let Some(line) = lines.next_line().await.unwrap() {
            seen.push_str(&line);
            seen.push('\n');
            if in_data {
                if line == "." {
                    in_data = false;
                    write.write_all(b"250 queued\r\n").await.unwrap();
                }
                continue;
            }
            let verb = line.get(..4).unwrap_or_default().to_ascii_uppercase();
            let reply: &[u8] = match verb.as_str() {
                "EHLO" | "HELO" => b"250 tiny\r\n",
                "MAIL" | "RCPT" | "RSET" | "NOOP" => b"250 ok\r\n",
                "DATA" => {
                    in_data = true;
                    b"354 go ahead\r\n"
                }
                "QUIT" => {
                    write.write_all(b"221 bye\r\n").await.unwrap();
                    break;
                }
                _ => b"502 not implemented\r\n",
            };
            write.write_all(reply).await.unwrap();
        }
        seen
    });
    (port, task)
}

#[tokio::test]
async fn every_kind_of_token_is_stored_only_as_a_hash_and_bound_to_one_user() {
    let app = TestApp::new(common::Backend::Sqlite).await.unwrap();
    app.sign_up("ada@example.org", "Ada", PW).await;
    let ada = user_by_email(&app, "ada@example.org").await.unwrap();
    for purpose in [
        Purpose::ConfirmEmail,
        Purpose::ResetPassword,
        Purpose::ChangeEmail,
    ] {
        let token = account_tokens::issue(&app.state.db, ada.id, purpose, "x@example.org")
            .await
            .unwrap();
        let rows = app
            .state
            .db
            .query_all_raw(sea_orm::Statement::from_string(
                app.state.db.get_database_backend(),
                "SELECT * FROM account_tokens".to_string(),
            ))
            .await
            .unwrap();
        for row in rows {
            let hash: String = row.try_get("", "token_hash").unwrap();
            assert_ne!(hash, token);
        }
        let found = account_tokens::peek(&app.state.db, &token, &[purpose])
            .await
            .unwrap()
            .unwrap();
        assert_eq!(found.user_id, ada.id);
    }
}

on_both_backends! {
    async fn the_worker_delivers_soon_after_a_commit_without_waiting_for_its_sweep(app) {
        // A sweep far away: only the wake-up can explain a quick delivery.
        let config = WorkerConfig { sweep_every: Duration::from_secs(3600), ..WorkerConfig::default() };
        let worker = worker::spawn(app.state.db.clone(), Sender::Log, config);
        tokio::time::sleep(Duration::from_millis(100)).await;
        let started = std::time::Instant::now();
        let txn = begin_write(&app.state.db).await.unwrap();
        mail::enqueue(&*txn, Mail { to: "a@example.org".into(), subject: "Hi".into(), text: "Body".into() })
            .await
            .unwrap();
        // The worker is woken before the commit; it looks again shortly after.
        tokio::time::sleep(Duration::from_millis(50)).await;
        txn.commit().await.unwrap();
        loop {
            let m = &mails(&app).await[0];
            if m.status == "sent" {
                break;
            }
            assert!(started.elapsed() < Duration::from_secs(5), "not delivered within 5 s: {m:?}");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        eprintln!("queued to sent: {:?}", started.elapsed());
        worker.abort();
    }
}
