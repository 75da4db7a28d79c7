//! The learner's portfolio, on SQLite and PostgreSQL: the badge wall's filters, sorts,
//! search and marks; stack progress; competency aggregation; the badge page verified on
//! view (refreshing the stored verdict); privacy (a private badge never reaches the
//! public profile, another learner or an anonymous visitor); authorization (nobody
//! reads or toggles another's badge, by URL or server function); handles (validated,
//! unique case-insensitively, also when asked for at once).

#![allow(clippy::unwrap_used)]

mod common;

use chrono::{Duration, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use serde_json::Value;

use app::server::awards::lifecycle;
use app::server::catalog::enrollment;
use app::server::entities::{award, credential, institution, user};
use common::TestApp;
use common::setup::{badge, give, institution, learner, program, reload};

async fn set_expiry(app: &TestApp, a: &award::Model, at: chrono::DateTime<Utc>) {
    let mut m: award::ActiveModel = reload(app, a).await.into();
    m.expires_at = Set(Some(at));
    m.update(&app.state.db).await.unwrap();
}

/// The wall as JSON for `fields` (`query[...]` pairs).
async fn wall(app: &TestApp, session: &str, fields: &[(&str, &str)]) -> Value {
    let r = app.call("portfolio_wall", fields, Some(session)).await;
    assert_eq!(r.status, 200, "{fields:?}: {}", r.body);
    serde_json::from_str(&r.body).unwrap()
}

/// The names on the wall, in order.
async fn names(app: &TestApp, session: &str, fields: &[(&str, &str)]) -> Vec<String> {
    wall(app, session, fields).await["cards"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap().to_string())
        .collect()
}

/// Ada's world: north (Data Wrangling → leadership, Visualisation → leadership and
/// teamwork, both in the credit-bearing program `data`, which stacks into its program
/// badge) and south (Zeta Ethics, no competency, in no program).
struct World {
    north: institution::Model,
    ada_s: String,
    wrangling: award::Model,
    visual: award::Model,
    ethics: award::Model,
}

async fn world(app: &TestApp) -> World {
    let north = institution(app, "north", "North University").await;
    let south = institution(app, "south", "South College").await;
    let a = badge(app, &north, "Data Wrangling", 2, &["leadership"]).await;
    let b = badge(app, &north, "Visualisation", 3, &["leadership", "teamwork"]).await;
    let c = badge(app, &south, "Zeta Ethics", 0, &[]).await;
    program(app, &north, "data", &[a, b], true).await;
    let (ada, ada_s) = learner(app, "ada@example.org", "Ada Lovelace").await;
    let wrangling = give(app, a, &ada).await;
    let visual = give(app, b, &ada).await;
    let ethics = give(app, c, &ada).await;
    World {
        north,
        ada_s,
        wrangling,
        visual,
        ethics,
    }
}

on_both_backends! {
    async fn the_wall_filters_sorts_searches_and_marks(app) {
        let w = world(&app).await;
        let s = w.ada_s.as_str();
        // Newest first: the program credential (stacked with Visualisation), then back.
        let all = wall(&app, s, &[]).await;
        assert_eq!((all["held"].as_u64(), all["matched"].as_u64()), (Some(4), Some(4)), "{all}");
        assert_eq!(
            names(&app, s, &[]).await,
            ["Zeta Ethics", "Program data", "Visualisation", "Data Wrangling"]
        );
        for c in all["cards"].as_array().unwrap() {
            assert_eq!(c["mark"], "verified", "our own awards are verified and active: {c}");
            assert_eq!(c["is_public"], false, "private by default: {c}");
        }
        assert_eq!(
            names(&app, s, &[("query[sort]", "name")]).await,
            ["Data Wrangling", "Program data", "Visualisation", "Zeta Ethics"]
        );
        assert_eq!(
            names(&app, s, &[("query[sort]", "issuer")]).await,
            ["Data Wrangling", "Program data", "Visualisation", "Zeta Ethics"],
            "North University before South College, then by name"
        );
        assert_eq!(names(&app, s, &[("query[competency]", "teamwork")]).await, ["Visualisation"]);
        assert_eq!(
            names(&app, s, &[("query[competency]", "leadership"), ("query[sort]", "name")]).await,
            ["Data Wrangling", "Visualisation"]
        );
        assert_eq!(names(&app, s, &[("query[issuer]", "south")]).await, ["Zeta Ethics"]);
        assert_eq!(
            names(&app, s, &[("query[program]", "data"), ("query[sort]", "name")]).await,
            ["Data Wrangling", "Program data", "Visualisation"]
        );
        assert_eq!(
            names(&app, s, &[("query[credit]", "yes"), ("query[sort]", "name")]).await,
            ["Data Wrangling", "Program data", "Visualisation"]
        );
        assert_eq!(names(&app, s, &[("query[q]", "VISUAL")]).await, ["Visualisation"]);
        assert_eq!(names(&app, s, &[("query[q]", "south coll")]).await, ["Zeta Ethics"]);
        let none = wall(&app, s, &[("query[q]", "nothing like this")]).await;
        assert_eq!((none["matched"].as_u64(), none["held"].as_u64()), (Some(0), Some(4)));

        // Marks: expiring within 30 days, expired, revoked (with its reason).
        set_expiry(&app, &w.wrangling, Utc::now() + Duration::days(10)).await;
        set_expiry(&app, &w.ethics, Utc::now() - Duration::days(1)).await;
        let inst = w.north.clone();
        lifecycle::revoke(&app.state.db, &app.state.settings, &inst, None, &w.visual.public_id.to_string(), "Plagiarised evidence", Some(false))
            .await
            .unwrap();
        assert_eq!(reload(&app, &w.visual).await.standing, "revoked", "revocation updates the stored standing");
        let by_name = wall(&app, s, &[("query[sort]", "name")]).await;
        let marks: Vec<(&str, &str)> = by_name["cards"].as_array().unwrap().iter()
            .map(|c| (c["name"].as_str().unwrap(), c["mark"].as_str().unwrap()))
            .collect();
        assert_eq!(marks, [
            ("Data Wrangling", "expiring_soon"),
            ("Program data", "verified"),
            ("Visualisation", "revoked"),
            ("Zeta Ethics", "expired"),
        ]);
        assert_eq!(names(&app, s, &[("query[status]", "revoked")]).await, ["Visualisation"]);
        assert_eq!(names(&app, s, &[("query[status]", "expiring_soon")]).await, ["Data Wrangling"]);
        assert_eq!(names(&app, s, &[("query[status]", "expired")]).await, ["Zeta Ethics"]);

        // Mistakes are clear 4xx answers.
        for bad in [("query[sort]", "price"), ("query[status]", "fine"), ("query[credit]", "maybe")] {
            let r = app.call("portfolio_wall", &[bad], Some(s)).await;
            assert_eq!((r.status, r.code()), (422, "invalid".to_string()), "{bad:?}: {}", r.body);
        }
        let long = "x".repeat(201);
        let r = app.call("portfolio_wall", &[("query[q]", long.as_str())], Some(s)).await;
        assert_eq!(r.status, 422, "{}", r.body);

        // Without JavaScript: the page answers the same query string, marks in words.
        let page = app.get("/portfolio?competency=teamwork", Some(s)).await;
        assert_eq!(page.status, 200, "{}", page.body);
        assert_eq!(page.body.matches("data-testid=\"my-badge\"").count(), 1, "{}", page.body);
        assert!(page.body.contains("Revoked: Plagiarised evidence"), "{}", page.body);
        let page = app.get("/portfolio", Some(s)).await;
        assert_eq!(page.body.matches("data-testid=\"my-badge\"").count(), 4);
        assert!(page.body.contains("Expiring soon") && page.body.contains("Expired"), "{}", page.body);
    }

    async fn the_wall_shows_a_screenful_and_more(app) {
        let inst = institution(&app, "north", "North University").await;
        let (ada, s) = learner(&app, "ada@example.org", "Ada").await;
        for i in 0..50 {
            let b = badge(&app, &inst, &format!("Badge {i:02}"), 0, &[]).await;
            give(&app, b, &ada).await;
        }
        let first = wall(&app, &s, &[]).await;
        assert_eq!(first["cards"].as_array().unwrap().len(), 48);
        assert_eq!((first["held"].as_u64(), first["matched"].as_u64()), (Some(50), Some(50)));
        let more = wall(&app, &s, &[("query[limit]", "96")]).await;
        assert_eq!(more["cards"].as_array().unwrap().len(), 50);
        let page = app.get("/portfolio", Some(&s)).await;
        assert!(page.body.contains("/portfolio?limit=96"), "a no-JS link to more");
    }

    async fn stacks_count_badges_and_credits_and_say_what_is_needed(app) {
        let inst = institution(&app, "north", "North University").await;
        let a = badge(&app, &inst, "Alpha", 1, &[]).await;
        let b = badge(&app, &inst, "Beta", 2, &[]).await;
        let c = badge(&app, &inst, "Gamma", 4, &[]).await;
        let slug = program(&app, &inst, "trio", &[a, b, c], true).await;
        let (ada, s) = learner(&app, "ada@example.org", "Ada").await;
        let overview = |s: String| {
            let app = &app;
            async move {
                let r = app.call("portfolio_overview", &[], Some(&s)).await;
                assert_eq!(r.status, 200, "{}", r.body);
                serde_json::from_str::<Value>(&r.body).unwrap()
            }
        };
        assert_eq!(overview(s.clone()).await["stacks"], serde_json::json!([]), "no program yet");
        enrollment::enroll(&app.state.db, ada.id, &slug).await.unwrap();
        let o = overview(s.clone()).await;
        let st = &o["stacks"][0];
        assert_eq!((st["held"].as_u64(), st["total"].as_u64()), (Some(0), Some(3)), "{o}");
        give(&app, a, &ada).await;
        give(&app, c, &ada).await;
        let o = overview(s.clone()).await;
        let st = &o["stacks"][0];
        assert_eq!(st["program_name"], "Program trio");
        assert_eq!((st["held"].as_u64(), st["total"].as_u64()), (Some(2), Some(3)));
        assert_eq!((st["credits_held"].as_i64(), st["credits_total"].as_i64()), (Some(5), Some(7)));
        assert_eq!(st["completed"], false);
        let needed: Vec<&str> = st["components"].as_array().unwrap().iter()
            .filter(|c| c["award"].is_null())
            .map(|c| c["name"].as_str().unwrap())
            .collect();
        assert_eq!(needed, ["Beta"]);
        let page = app.get("/portfolio", Some(&s)).await;
        assert!(page.body.contains("2 of 3 badges · 5 of 7 credits"), "{}", page.body);
        assert!(page.body.contains("Still needed: Beta"), "{}", page.body);
        assert!(page.body.contains("<title"), "the stack's SVG has a title");

        give(&app, b, &ada).await;
        let o = overview(s.clone()).await;
        let st = &o["stacks"][0];
        assert_eq!((st["held"].as_u64(), st["credits_held"].as_i64()), (Some(3), Some(7)));
        assert_eq!(st["completed"], true, "{o}");
        assert!(st["program_badge"]["award"].is_string());
        // Completed and withdrawn: still shown, because the credential is held.
        enrollment::withdraw(&app.state.db, ada.id, &slug).await.unwrap();
        assert_eq!(overview(s.clone()).await["stacks"].as_array().unwrap().len(), 1);
    }

    async fn competencies_add_up_across_badges(app) {
        let w = world(&app).await;
        let r = app.call("portfolio_overview", &[], Some(&w.ada_s)).await;
        let o: Value = serde_json::from_str(&r.body).unwrap();
        let rows: Vec<(String, Vec<String>)> = o["competencies"].as_array().unwrap().iter()
            .map(|c| (
                c["slug"].as_str().unwrap().to_string(),
                c["badges"].as_array().unwrap().iter().map(|b| b[1].as_str().unwrap().to_string()).collect(),
            ))
            .collect();
        assert_eq!(rows, [
            ("leadership".to_string(), vec!["Visualisation".to_string(), "Data Wrangling".to_string()]),
            ("teamwork".to_string(), vec!["Visualisation".to_string()]),
        ], "{o}");
        // A revoked badge backs nothing.
        lifecycle::revoke(&app.state.db, &app.state.settings, &w.north, None, &w.visual.public_id.to_string(), "Mistake", Some(false))
            .await
            .unwrap();
        let r = app.call("portfolio_overview", &[], Some(&w.ada_s)).await;
        let o: Value = serde_json::from_str(&r.body).unwrap();
        assert_eq!(o["competencies"].as_array().unwrap().len(), 1, "{o}");
        assert_eq!(o["competencies"][0]["badges"].as_array().unwrap().len(), 1);
        let page = app.get("/portfolio", Some(&w.ada_s)).await;
        assert!(page.body.contains("data-testid=\"competencies\""), "{}", page.body);
    }

    async fn the_badge_page_verifies_on_view_and_stores_the_verdict(app) {
        let w = world(&app).await;
        let id = w.wrangling.public_id.to_string();
        // A stale stored verdict is corrected by the page's own verification.
        let mut m: award::ActiveModel = reload(&app, &w.wrangling).await.into();
        m.verdict = Set("unverifiable".into());
        m.update(&app.state.db).await.unwrap();
        assert_eq!(wall(&app, &w.ada_s, &[("query[q]", "wrangling")]).await["cards"][0]["mark"], "unverifiable");
        let r = app.call("portfolio_badge", &[("award", id.as_str())], Some(&w.ada_s)).await;
        assert_eq!(r.status, 200, "{}", r.body);
        let d: Value = serde_json::from_str(&r.body).unwrap();
        assert_eq!(d["verification"]["verdict"], "verified", "{d}");
        assert_eq!(d["verification"]["mark"], "verified");
        assert_eq!(d["narrative"], "I did it.");
        assert_eq!(d["alignments"][0][0], "Leadership");
        assert_eq!(d["credits"], 2);
        assert_eq!(reload(&app, &w.wrangling).await.verdict, "verified");
        assert!(reload(&app, &w.wrangling).await.checked_at.unwrap() > w.wrangling.checked_at.unwrap());
        let page = app.get(&format!("/portfolio/badges/{id}"), Some(&w.ada_s)).await;
        assert_eq!(page.status, 200, "{}", page.body);
        assert!(page.body.contains("Verified") && page.body.contains("Technical detail"), "{}", page.body);

        // A tampered credential is not verified, with the reason, and the wall says so.
        let cred = credential::Entity::find_by_id(w.ethics.credential_id).one(&app.state.db).await.unwrap().unwrap();
        let tampered = cred.json.replace("Zeta Ethics", "Zeta Ethics (with honours)");
        assert_ne!(tampered, cred.json);
        let mut c: credential::ActiveModel = cred.into();
        c.json = Set(tampered);
        c.update(&app.state.db).await.unwrap();
        let id = w.ethics.public_id.to_string();
        let d: Value = serde_json::from_str(&app.call("portfolio_badge", &[("award", id.as_str())], Some(&w.ada_s)).await.body).unwrap();
        assert_eq!(d["verification"]["verdict"], "not_verified", "{d}");
        assert!(d["verification"]["reason"].as_str().is_some_and(|r| !r.is_empty()), "{d}");
        assert_eq!(wall(&app, &w.ada_s, &[("query[issuer]", "south")]).await["cards"][0]["mark"], "not_verified");

        // A revoked one is verified but revoked.
        lifecycle::revoke(&app.state.db, &app.state.settings, &w.north, None, &w.visual.public_id.to_string(), "Mistake", Some(false))
            .await
            .unwrap();
        let id = w.visual.public_id.to_string();
        let d: Value = serde_json::from_str(&app.call("portfolio_badge", &[("award", id.as_str())], Some(&w.ada_s)).await.body).unwrap();
        assert_eq!((d["verification"]["verdict"].as_str(), d["verification"]["standing"].as_str()), (Some("verified"), Some("revoked")), "{d}");
        assert_eq!(d["verification"]["mark"], "revoked");
    }

    async fn private_badges_never_leave_their_owner(app) {
        let w = world(&app).await;
        let (bob, bob_s) = learner(&app, "bob@example.org", "Bob").await;
        let r = app.call("set_handle", &[("handle", "ada")], Some(&w.ada_s)).await;
        assert_eq!(r.status, 200, "{}", r.body);
        let public = w.wrangling.public_id.to_string();
        let private = w.visual.public_id.to_string();
        let r = app.call("set_badge_visibility", &[("award", public.as_str()), ("public", "yes")], Some(&w.ada_s)).await;
        assert_eq!((r.status, r.body.as_str()), (200, "true"));
        assert!(reload(&app, &w.wrangling).await.is_public);

        // The profile: the public badge, nothing private, no address.
        for session in [None, Some(bob_s.as_str())] {
            let page = app.get("/p/ada", session).await;
            assert_eq!(page.status, 200, "{}", page.body);
            assert!(page.body.contains("Data Wrangling") && page.body.contains("Ada Lovelace"), "{}", page.body);
            for secret in ["Visualisation", "Zeta Ethics", "Program data", "ada@example.org", private.as_str(), public.as_str()] {
                assert!(!page.body.contains(secret), "{secret} leaked: {}", page.body);
            }
            let r = app.call("public_profile", &[("handle", "ADA")], session).await;
            assert_eq!(r.status, 200, "{}", r.body);
            let p: Value = serde_json::from_str(&r.body).unwrap();
            assert_eq!(p["badges"].as_array().unwrap().len(), 1, "{p}");
            for secret in ["Visualisation", "Zeta Ethics", "ada@example.org", private.as_str()] {
                assert!(!r.body.contains(secret), "{secret} leaked: {}", r.body);
            }
        }
        assert_eq!(app.get("/p/nobody-here", None).await.status, 404);
        assert_eq!(app.call("public_profile", &[("handle", "nobody-here")], None).await.status, 404);

        // Bob's own views hold nothing of Ada's.
        for (name, fields) in [("portfolio_wall", vec![]), ("portfolio_overview", vec![]), ("my_badges", vec![])] {
            let r = app.call(name, &fields, Some(&bob_s)).await;
            assert_eq!(r.status, 200, "{name}: {}", r.body);
            for secret in ["Data Wrangling", "Visualisation", "Zeta Ethics", private.as_str()] {
                assert!(!r.body.contains(secret), "{name}: {secret} leaked: {}", r.body);
            }
        }
        // Bob cannot read or toggle Ada's badges, by server function or URL.
        for id in [&private, &public] {
            let r = app.call("portfolio_badge", &[("award", id.as_str())], Some(&bob_s)).await;
            assert_eq!((r.status, r.code()), (404, "not_found".to_string()), "{}", r.body);
            let r = app.call("set_badge_visibility", &[("award", id.as_str()), ("public", "yes")], Some(&bob_s)).await;
            assert_eq!(r.status, 404, "{}", r.body);
            let r = app.call("set_badge_visibility", &[("award", id.as_str()), ("public", "no")], Some(&bob_s)).await;
            assert_eq!(r.status, 404, "{}", r.body);
            let page = app.get(&format!("/portfolio/badges/{id}"), Some(&bob_s)).await;
            assert_eq!(page.status, 404, "{}", page.body);
            assert!(!page.body.contains("Data Wrangling") && !page.body.contains("Visualisation"), "{}", page.body);
            let page = app.get(&format!("/portfolio/badges/{id}"), None).await;
            assert!(page.body.contains("Please sign in"), "{}", page.body);
            assert!(!page.body.contains("Data Wrangling") && !page.body.contains("Visualisation"), "{}", page.body);
            // Anonymous callers are refused before the handler.
            let r = app.call("portfolio_badge", &[("award", id.as_str())], None).await;
            assert_eq!(r.status, 401, "{}", r.body);
            let r = app.call("set_badge_visibility", &[("award", id.as_str()), ("public", "yes")], None).await;
            assert_eq!(r.status, 401, "{}", r.body);
        }
        assert!(reload(&app, &w.wrangling).await.is_public, "Bob's 'no' changed nothing");
        assert!(!reload(&app, &w.visual).await.is_public, "Bob's 'yes' changed nothing");
        let _ = bob;

        // Public, but last found revoked by a status list (nothing recorded here) or not
        // authentic: not on the profile either.
        for (verdict, standing, shown) in [
            ("verified", "revoked", false),
            ("verified", "suspended", false),
            ("not_verified", "unknown", false),
            ("unverifiable", "unknown", false),
            ("verified", "active", true),
        ] {
            let mut m: award::ActiveModel = reload(&app, &w.wrangling).await.into();
            m.verdict = Set(verdict.into());
            m.standing = Set(standing.into());
            m.update(&app.state.db).await.unwrap();
            let page = app.get("/p/ada", None).await.body;
            assert_eq!(page.contains("Data Wrangling"), shown, "{verdict}/{standing}");
        }

        // Hidden again, or revoked: gone from the profile.
        let r = app.call("set_badge_visibility", &[("award", public.as_str()), ("public", "no")], Some(&w.ada_s)).await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert!(!app.get("/p/ada", None).await.body.contains("Data Wrangling"));
        app.call("set_badge_visibility", &[("award", private.as_str()), ("public", "yes")], Some(&w.ada_s)).await;
        assert!(app.get("/p/ada", None).await.body.contains("Visualisation"));
        lifecycle::revoke(&app.state.db, &app.state.settings, &w.north, None, &private, "Mistake", Some(false))
            .await
            .unwrap();
        assert!(!app.get("/p/ada", None).await.body.contains("Visualisation"), "a revoked badge leaves the profile");
        let r = app.call("set_badge_visibility", &[("award", public.as_str()), ("public", "perhaps")], Some(&w.ada_s)).await;
        assert_eq!(r.status, 422, "{}", r.body);
    }

    async fn handles_are_validated_and_unique_under_concurrency(app) {
        let (_ada, ada_s) = learner(&app, "ada@example.org", "Ada").await;
        for bad in ["ab", "admin", "API", "verify", "a_b", "-ada", "ada--l", "ädä", "<script>x", &"a".repeat(31)] {
            let r = app.call("set_handle", &[("handle", bad)], Some(&ada_s)).await;
            assert_eq!((r.status, r.code()), (422, "invalid".to_string()), "{bad:?}: {}", r.body);
        }
        let r = app.call("set_handle", &[("handle", "  Ada-L ")], Some(&ada_s)).await;
        assert_eq!((r.status, r.body.as_str()), (200, "\"ada-l\""), "{}", r.body);
        assert_eq!(app.whoami(Some(&ada_s)).await["handle"], "ada-l");
        // Setting it again is fine; someone else, in any case, is refused.
        assert_eq!(app.call("set_handle", &[("handle", "ada-l")], Some(&ada_s)).await.status, 200);
        let (_bob, bob_s) = learner(&app, "bob@example.org", "Bob").await;
        let r = app.call("set_handle", &[("handle", "ADA-L")], Some(&bob_s)).await;
        assert_eq!(r.status, 422, "{}", r.body);
        assert!(r.body.contains("taken"), "{}", r.body);

        // Eight learners ask for the same handle at once: exactly one gets it.
        let mut sessions = Vec::new();
        for i in 0..8 {
            sessions.push(learner(&app, &format!("l{i}@example.org"), "L").await.1);
        }
        let replies = futures_util::future::join_all(
            sessions.iter().map(|s| app.call("set_handle", &[("handle", "popular")], Some(s))),
        )
        .await;
        let won = replies.iter().filter(|r| r.status == 200).count();
        let refused = replies.iter().filter(|r| r.status == 422 && r.body.contains("taken")).count();
        assert_eq!((won, refused), (1, 7), "{:?}", replies.iter().map(|r| (r.status, r.body.clone())).collect::<Vec<_>>());
        let holders = user::Entity::find()
            .filter(user::Column::Handle.eq("popular"))
            .all(&app.state.db)
            .await
            .unwrap();
        assert_eq!(holders.len(), 1);
        // Clearing frees it.
        assert_eq!(app.call("set_handle", &[("handle", "")], Some(&ada_s)).await.body, "null");
        assert_eq!(app.call("set_handle", &[("handle", "ada-l")], Some(&bob_s)).await.status, 200);
    }
}
