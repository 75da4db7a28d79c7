//! Resolved actors are cached per session (`app::server::actor_cache`): a sign-out, a
//! password change or any other write committed by this process is seen by the very
//! next request; a session ended by another process (here: SQL written past this
//! process's transactions) is refused within `REVALIDATE_AFTER`; an expired session is
//! refused even while its actor is cached. On both backends.

#![allow(clippy::unwrap_used)]

mod common;

use std::time::{Duration, Instant};

use chrono::Utc;
use sea_orm::{
    ColumnTrait as _, ConnectionTrait as _, EntityTrait as _, QueryFilter as _, sea_query::Expr,
};

use app::server::{
    actor_cache::REVALIDATE_AFTER,
    db,
    entities::{session, user},
};
use common::TestApp;

const PW: &str = "correct horse battery";

/// Whether `session` is refused everywhere a signed-in user is asked for.
async fn refused(app: &TestApp, session: &str) {
    assert!(app.whoami(Some(session)).await.is_null(), "current_user");
    let r = app.call("my_enrollments", &[], Some(session)).await;
    assert_eq!(r.status, 401, "my_enrollments: {}", r.body);
    let page = app.get("/portfolio", Some(session)).await;
    assert!(page.body.contains("Please sign in"), "{}", page.body);
}

/// Uses `session` everywhere, so its actor is cached.
async fn warm(app: &TestApp, session: &str) {
    assert_eq!(app.whoami(Some(session)).await["display_name"], "Ada");
    let r = app.call("my_enrollments", &[], Some(session)).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let page = app.get("/portfolio", Some(session)).await;
    assert!(page.body.contains("My programs"), "{}", page.body);
}

on_both_backends! {
    async fn a_sign_out_here_is_refused_at_once(app) {
        let s = app.sign_up("ada@example.org", "Ada", PW).await;
        let sibling = app.sibling();
        warm(&app, &s).await;
        warm(&sibling, &s).await;
        assert_eq!(app.state.actors.len(), 1, "the session's actor is cached");
        assert_eq!(app.call("sign_out", &[], Some(&s)).await.status, 200);
        refused(&app, &s).await;
        // Another server of this process (sharing its write counter) too.
        refused(&sibling, &s).await;
    }

    async fn a_password_change_here_ends_other_cached_sessions_at_once(app) {
        let here = app.sign_up("ada@example.org", "Ada", PW).await;
        let elsewhere = app.sign_in("ada@example.org", PW, None).await.session().unwrap();
        warm(&app, &here).await;
        warm(&app, &elsewhere).await;
        let ok = app
            .call("change_password", &[("current_password", PW), ("new_password", "a brand new passphrase")], Some(&here))
            .await;
        assert_eq!(ok.status, 200, "{}", ok.body);
        refused(&app, &elsewhere).await;
        warm(&app, &here).await;
    }

    async fn a_password_changed_elsewhere_is_checked_against_the_database(app) {
        let s = app.sign_up("ada@example.org", "Ada", PW).await;
        warm(&app, &s).await;
        // Another server changes the password: the cached actor (with the old hash)
        // stays in use here for a moment, but not to check the current password.
        let hash = app::server::passwords::hash("changed by another server".into()).await.unwrap();
        user::Entity::update_many()
            .col_expr(user::Column::PasswordHash, Expr::value(hash))
            .exec(&app.state.db)
            .await
            .unwrap();
        let stale = app
            .call("change_password", &[("current_password", PW), ("new_password", "a brand new passphrase")], Some(&s))
            .await;
        assert_eq!(stale.status, 422, "{}", stale.body);
        let ok = app
            .call("change_password", &[("current_password", "changed by another server"), ("new_password", "a brand new passphrase")], Some(&s))
            .await;
        assert_eq!(ok.status, 200, "{}", ok.body);
    }

    async fn a_write_committed_here_is_seen_at_once(app) {
        let s = app.sign_up("ada@example.org", "Ada", PW).await;
        warm(&app, &s).await;
        let txn = db::begin_write(&app.state.db).await.unwrap();
        txn.execute_unprepared("UPDATE users SET display_name = 'Grace'").await.unwrap();
        txn.commit().await.unwrap();
        assert_eq!(app.whoami(Some(&s)).await["display_name"], "Grace");
        let page = app.get("/portfolio", Some(&s)).await;
        assert!(page.body.contains("Grace"), "{}", page.body);
    }

    async fn a_session_ended_by_another_process_is_refused_within_the_bound(app) {
        let s = app.sign_up("ada@example.org", "Ada", PW).await;
        warm(&app, &s).await;
        let filled = Instant::now();
        let generation = db::write_generation();
        // Past this process's write counter, as the `badgefolio` command or a second
        // server would.
        app.state.db.execute_unprepared("DELETE FROM sessions").await.unwrap();
        let still = app.whoami(Some(&s)).await;
        if db::write_generation() == generation && filled.elapsed() < REVALIDATE_AFTER / 2 {
            // The documented trade-off: the cached actor is still used for a moment.
            assert_eq!(still["display_name"], "Ada", "the cache answers within the bound");
        }
        tokio::time::sleep((filled + REVALIDATE_AFTER + Duration::from_millis(50)).saturating_duration_since(Instant::now())).await;
        refused(&app, &s).await;
    }

    async fn an_expired_session_is_refused_while_cached(app) {
        let s = app.sign_up("ada@example.org", "Ada", PW).await;
        let expires_at = Utc::now() + chrono::Duration::milliseconds(700);
        session::Entity::update_many()
            .col_expr(session::Column::ExpiresAt, Expr::value(expires_at))
            .filter(session::Column::TokenHash.eq(app::server::sessions::token_hash(&s)))
            .exec(&app.state.db)
            .await
            .unwrap();
        assert_eq!(app.whoami(Some(&s)).await["display_name"], "Ada");
        let wait = (expires_at - Utc::now()).to_std().unwrap_or_default() + Duration::from_millis(50);
        tokio::time::sleep(wait).await;
        // Well within the revalidation bound (when the machine keeps up): only the
        // expiry check can refuse it.
        refused(&app, &s).await;
    }
}
