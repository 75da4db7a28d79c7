//! Sharing, the learner's side, on SQLite and PostgreSQL: share links are created,
//! listed with their view counts by source, renamed and revoked by their owner only;
//! another learner and anonymous callers are refused; nobody shares another's badge,
//! collection or program; a link's expiry in the past is refused; a learner holds at
//! most 100 live links; the share panel builds LinkedIn URLs and the e-mail signature;
//! the institution's LinkedIn id travels inside new credentials, which still verify.

#![allow(clippy::unwrap_used)]

mod common;

use chrono::Utc;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use serde_json::Value;

use app::server::catalog::enrollment;
use app::server::entities::{
    award, collection, credential, institution, share_link, user, view_count,
};
use common::TestApp;
use common::setup::{badge, give, institution, learner, program};

/// Ada with two badges of North (which stack into the program `data`, so she holds
/// its credential too), Grace with one; both signed in.
struct World {
    north: institution::Model,
    ada: user::Model,
    ada_s: String,
    grace: user::Model,
    grace_s: String,
    wrangling: award::Model,
    graces: award::Model,
    program_id: String,
}

async fn world(app: &TestApp) -> World {
    let north = institution(app, "north", "North University").await;
    let a = badge(app, &north, "Data Wrangling", 2, &[]).await;
    let b = badge(app, &north, "Visualisation", 3, &[]).await;
    let slug = program(app, &north, "data", &[a, b], true).await;
    let (ada, ada_s) = learner(app, "ada@example.org", "Ada Lovelace").await;
    let (grace, grace_s) = learner(app, "grace@example.org", "Grace Hopper").await;
    let wrangling = give(app, a, &ada).await;
    give(app, b, &ada).await;
    let graces = give(app, a, &grace).await;
    let program_id = app::server::entities::program::Entity::find()
        .filter(app::server::entities::program::Column::Slug.eq(slug))
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap()
        .public_id
        .to_string();
    World {
        north,
        ada,
        ada_s,
        grace,
        grace_s,
        wrangling,
        graces,
        program_id,
    }
}

fn json(r: &common::Reply) -> Value {
    serde_json::from_str(&r.body).unwrap_or_else(|e| panic!("{e}: {} {}", r.status, r.body))
}

async fn create(
    app: &TestApp,
    s: &str,
    kind: &str,
    target: &str,
    name: &str,
    expires: &str,
) -> common::Reply {
    app.call(
        "create_share_link",
        &[
            ("kind", kind),
            ("target", target),
            ("name", name),
            ("expires_on", expires),
        ],
        Some(s),
    )
    .await
}

async fn link_row(app: &TestApp, id: i64) -> share_link::Model {
    share_link::Entity::find_by_id(i32::try_from(id).unwrap())
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap()
}

on_both_backends! {
    async fn the_owner_creates_lists_renames_and_revokes_a_link(app) {
        let w = world(&app).await;
        let target = w.wrangling.public_id.to_string();
        let r = app
            .call(
                "create_share_link",
                &[("kind", "badge"), ("target", &target), ("name", "  LinkedIn "), ("show_evidence", "on")],
                Some(&w.ada_s),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        let l = json(&r);
        assert_eq!(l["name"], "LinkedIn");
        assert_eq!(l["state"], "live");
        assert_eq!(l["show_evidence"], true);
        assert_eq!(l["target"], target.as_str());
        assert_eq!(l["target_name"], "Data Wrangling");
        let url = l["url"].as_str().unwrap();
        let token = url.rsplit('/').next().unwrap();
        assert!(url.starts_with(&format!("{}/b/", app.state.settings.public_url)), "{url}");
        assert_eq!(token.len(), 43, "32 bytes, base64url, no padding");
        let id = l["id"].as_i64().unwrap();
        let row = link_row(&app, id).await;
        assert_eq!(row.token, token);
        assert_eq!(row.user_id, w.ada.id);
        assert_eq!(row.award_id, Some(w.wrangling.id));

        // A second link has a different token.
        let r2 = create(&app, &w.ada_s, "badge", &target, "CV 2027", "").await;
        assert_eq!(r2.status, 200, "{}", r2.body);
        assert_ne!(json(&r2)["url"], l["url"]);

        let list = json(&app.call("list_share_links", &[], Some(&w.ada_s)).await);
        let names: Vec<&str> = list.as_array().unwrap().iter().map(|x| x["name"].as_str().unwrap()).collect();
        assert_eq!(names, ["CV 2027", "LinkedIn"], "newest first");

        let r = app.call("rename_share_link", &[("link", &id.to_string()), ("name", "LinkedIn profile")], Some(&w.ada_s)).await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(link_row(&app, id).await.name, "LinkedIn profile");
        let r = app.call("rename_share_link", &[("link", &id.to_string()), ("name", &"x".repeat(61))], Some(&w.ada_s)).await;
        assert_eq!((r.status, r.code()), (422, "invalid".to_string()), "{}", r.body);

        let before = Utc::now();
        let r = app.call("revoke_share_link", &[("link", &id.to_string())], Some(&w.ada_s)).await;
        assert_eq!(r.status, 200, "{}", r.body);
        let revoked_at = link_row(&app, id).await.revoked_at.expect("revoked_at is set");
        assert!(revoked_at >= before - chrono::Duration::seconds(1));
        // Revoking again keeps the first moment.
        app.call("revoke_share_link", &[("link", &id.to_string())], Some(&w.ada_s)).await;
        assert_eq!(link_row(&app, id).await.revoked_at, Some(revoked_at));
        let list = json(&app.call("list_share_links", &[], Some(&w.ada_s)).await);
        let revoked = list.as_array().unwrap().iter().find(|x| x["id"].as_i64() == Some(id)).unwrap();
        assert_eq!(revoked["state"], "revoked");
    }

    async fn another_learner_and_anonymous_are_refused(app) {
        let w = world(&app).await;
        let adas = w.wrangling.public_id.to_string();
        let l = json(&create(&app, &w.ada_s, "badge", &adas, "LinkedIn", "").await);
        let id = l["id"].as_i64().unwrap().to_string();

        // Grace cannot share Ada's badge, see its panel, rename or revoke Ada's link.
        let r = create(&app, &w.grace_s, "badge", &adas, "Mine now", "").await;
        assert_eq!((r.status, r.code()), (404, "not_found".to_string()), "{}", r.body);
        let r = app.call("share_panel", &[("award", &adas)], Some(&w.grace_s)).await;
        assert_eq!(r.status, 404, "{}", r.body);
        let r = app.call("rename_share_link", &[("link", &id), ("name", "pwned")], Some(&w.grace_s)).await;
        assert_eq!(r.status, 404, "{}", r.body);
        let r = app.call("revoke_share_link", &[("link", &id)], Some(&w.grace_s)).await;
        assert_eq!(r.status, 404, "{}", r.body);
        let r = app.call("set_allow_indexing", &[("award", &adas), ("allow", "yes")], Some(&w.grace_s)).await;
        assert_eq!(r.status, 404, "{}", r.body);
        let r = app.call("email_signature", &[("awards", &adas)], Some(&w.grace_s)).await;
        assert_eq!(r.status, 404, "{}", r.body);
        let row = link_row(&app, id.parse().unwrap()).await;
        assert_eq!((row.name.as_str(), row.revoked_at), ("LinkedIn", None));
        assert!(!award::Entity::find_by_id(w.wrangling.id).one(&app.state.db).await.unwrap().unwrap().allow_indexing);
        // Grace's list holds none of Ada's links.
        let list = json(&app.call("list_share_links", &[], Some(&w.grace_s)).await);
        assert_eq!(list.as_array().unwrap().len(), 0, "{list}");

        // Anonymous callers are asked to sign in, whatever they name.
        for (name, fields) in [
            ("create_share_link", vec![("kind", "badge"), ("target", adas.as_str()), ("name", "x")]),
            ("list_share_links", vec![]),
            ("share_panel", vec![("award", adas.as_str())]),
            ("rename_share_link", vec![("link", id.as_str()), ("name", "x")]),
            ("revoke_share_link", vec![("link", id.as_str())]),
            ("set_allow_indexing", vec![("award", adas.as_str()), ("allow", "yes")]),
            ("email_signature", vec![("awards", adas.as_str())]),
        ] {
            let r = app.call(name, &fields, None).await;
            assert_eq!((r.status, r.code()), (401, "unauthenticated".to_string()), "{name}: {}", r.body);
        }
        assert_eq!(link_row(&app, id.parse().unwrap()).await.revoked_at, None);
    }

    async fn nobody_shares_another_learners_collection_or_a_program_they_do_not_follow(app) {
        let w = world(&app).await;
        let now = Utc::now();
        let graces = collection::ActiveModel {
            public_id: Set(uuid::Uuid::new_v4()),
            user_id: Set(w.grace.id),
            name: Set("Grace's best".into()),
            description: Set(String::new()),
            position: Set(0),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(&app.state.db)
        .await
        .unwrap();
        let gid = graces.public_id.to_string();
        let r = create(&app, &w.ada_s, "collection", &gid, "Peek", "").await;
        assert_eq!(r.status, 404, "{}", r.body);
        let r = create(&app, &w.grace_s, "collection", &gid, "My collection", "").await;
        assert_eq!(r.status, 200, "{}", r.body);
        let l = json(&r);
        assert!(l["url"].as_str().unwrap().contains("/s/"), "{l}");
        assert_eq!(l["target_name"], "Grace's best");

        // Ada completed the program (she holds its credential): she may share its stack.
        let r = create(&app, &w.ada_s, "stack", &w.program_id, "My stack", "").await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(json(&r)["kind"], "stack");
        // Grace neither enrolled nor completed it.
        let r = create(&app, &w.grace_s, "stack", &w.program_id, "Not mine", "").await;
        assert_eq!(r.status, 404, "{}", r.body);
        // Once enrolled she may.
        enrollment::enroll(&app.state.db, w.grace.id, "data").await.unwrap();
        let r = create(&app, &w.grace_s, "stack", &w.program_id, "Now mine", "").await;
        assert_eq!(r.status, 200, "{}", r.body);

        // Grace's own badge, yes; an unknown kind or a malformed id, no.
        let r = create(&app, &w.grace_s, "badge", &w.graces.public_id.to_string(), "Mine", "").await;
        assert_eq!(r.status, 200, "{}", r.body);
        let r = create(&app, &w.grace_s, "profile", &w.graces.public_id.to_string(), "x", "").await;
        assert_eq!(r.status, 422, "{}", r.body);
        let r = create(&app, &w.grace_s, "badge", "not-a-uuid", "x", "").await;
        assert_eq!(r.status, 404, "{}", r.body);
    }

    async fn link_expiry_in_the_past_and_bad_names_are_refused(app) {
        let w = world(&app).await;
        let t = w.wrangling.public_id.to_string();
        let yesterday = (Utc::now() - chrono::Duration::days(1)).format("%Y-%m-%d").to_string();
        let r = create(&app, &w.ada_s, "badge", &t, "Old", &yesterday).await;
        assert_eq!((r.status, r.code()), (422, "invalid".to_string()), "{}", r.body);
        assert!(r.body.contains("past"), "{}", r.body);
        for bad in ["", "   ", &"é".repeat(61)] {
            let r = create(&app, &w.ada_s, "badge", &t, bad, "").await;
            assert_eq!(r.status, 422, "{bad:?}: {}", r.body);
        }
        let r = create(&app, &w.ada_s, "badge", &t, "Soon", "31/12/2030").await;
        assert_eq!(r.status, 422, "{}", r.body);
        assert_eq!(share_link::Entity::find().all(&app.state.db).await.unwrap().len(), 0);

        let next_month = (Utc::now() + chrono::Duration::days(30)).format("%Y-%m-%d").to_string();
        let l = json(&create(&app, &w.ada_s, "badge", &t, "Recruiter", &next_month).await);
        assert_eq!(l["expires_on"], next_month.as_str());
        let row = link_row(&app, l["id"].as_i64().unwrap()).await;
        assert!(row.expires_at.unwrap() > Utc::now() + chrono::Duration::days(29));
    }

    async fn a_learner_holds_at_most_100_live_links(app) {
        let w = world(&app).await;
        let t = w.wrangling.public_id.to_string();
        let now = Utc::now();
        // 99 live links, plus expired and revoked ones that do not count.
        for i in 0..101 {
            share_link::ActiveModel {
                token: Set(format!("seeded-token-{i:03}-{}", w.ada.id)),
                user_id: Set(w.ada.id),
                kind: Set("badge".into()),
                award_id: Set(Some(w.wrangling.id)),
                name: Set(format!("Link {i}")),
                show_evidence: Set(false),
                expires_at: Set((i == 99).then(|| now - chrono::Duration::hours(1))),
                revoked_at: Set((i == 100).then_some(now)),
                created_at: Set(now),
                ..Default::default()
            }
            .insert(&app.state.db)
            .await
            .unwrap();
        }
        let r = create(&app, &w.ada_s, "badge", &t, "Hundredth", "").await;
        assert_eq!(r.status, 200, "{}", r.body);
        let r = create(&app, &w.ada_s, "badge", &t, "One too many", "").await;
        assert_eq!((r.status, r.code()), (422, "invalid".to_string()), "{}", r.body);
        assert!(r.body.contains("100 live share links"), "{}", r.body);
        // Another learner is not limited by Ada's links.
        let r = create(&app, &w.grace_s, "badge", &w.graces.public_id.to_string(), "Mine", "").await;
        assert_eq!(r.status, 200, "{}", r.body);
        // Revoking one makes room.
        let first = share_link::Entity::find()
            .filter(share_link::Column::UserId.eq(w.ada.id))
            .filter(share_link::Column::Name.eq("Link 0"))
            .one(&app.state.db).await.unwrap().unwrap();
        let r = app.call("revoke_share_link", &[("link", &first.id.to_string())], Some(&w.ada_s)).await;
        assert_eq!(r.status, 200, "{}", r.body);
        let r = create(&app, &w.ada_s, "badge", &t, "Now it fits", "").await;
        assert_eq!(r.status, 200, "{}", r.body);
    }

    async fn views_are_listed_by_source(app) {
        let w = world(&app).await;
        let t = w.wrangling.public_id.to_string();
        let l = json(&create(&app, &w.ada_s, "badge", &t, "LinkedIn", "").await);
        let id = i32::try_from(l["id"].as_i64().unwrap()).unwrap();
        for (source, day, views) in [("linkedin", "2026-12-01", 5), ("linkedin", "2026-12-02", 7), ("email", "2026-12-02", 3), ("direct", "2026-12-03", 1)] {
            view_count::ActiveModel {
                subject_kind: Set("link".into()),
                subject_id: Set(id),
                source: Set(source.into()),
                day: Set(day.into()),
                views: Set(views),
                ..Default::default()
            }
            .insert(&app.state.db)
            .await
            .unwrap();
        }
        // A permanent-page view of the same row id is not the link's.
        view_count::ActiveModel {
            subject_kind: Set("award".into()),
            subject_id: Set(id),
            source: Set("qr".into()),
            day: Set("2026-12-03".into()),
            views: Set(100),
            ..Default::default()
        }
        .insert(&app.state.db)
        .await
        .unwrap();
        let list = json(&app.call("list_share_links", &[], Some(&w.ada_s)).await);
        let l = &list[0];
        assert_eq!(l["total_views"], 16, "{l}");
        assert_eq!(l["views"], serde_json::json!([
            {"source": "linkedin", "views": 12},
            {"source": "email", "views": 3},
            {"source": "direct", "views": 1},
        ]));
        let panel = json(&app.call("share_panel", &[("award", &t)], Some(&w.ada_s)).await);
        assert_eq!(panel["links"][0]["total_views"], 16);
    }

    async fn the_share_panel_builds_linkedin_links_and_signatures(app) {
        let w = world(&app).await;
        let t = w.wrangling.public_id.to_string();
        let base = app.state.settings.public_url.clone();
        let p = json(&app.call("share_panel", &[("award", &t)], Some(&w.ada_s)).await);
        assert_eq!(p["is_public"], false);
        assert_eq!(p["permanent_url"], format!("{base}/c/{t}"));
        let add = url::Url::parse(p["linkedin_add_url"].as_str().unwrap()).unwrap();
        let q: std::collections::HashMap<String, String> = add.query_pairs().into_owned().collect();
        assert_eq!(q["name"], "Data Wrangling");
        assert_eq!(q["organizationName"], "North University");
        assert_eq!(q["certUrl"], format!("{base}/c/{t}?src=linkedin"));
        assert_eq!(q["certId"], p["cert_id"].as_str().unwrap());
        assert!(p["signature"]["html"].as_str().unwrap().contains(&format!("{base}/c/{t}/signature.png")));
        assert_eq!(p["signature_row"]["html"], "", "no public badges yet");
        assert!(p["embed_iframe"].as_str().unwrap().contains(&format!("{base}/embed/c/{t}?src=embed")));

        // With a LinkedIn id the organization is named by it.
        let mut inst: institution::ActiveModel = w.north.clone().into();
        inst.linkedin_org_id = Set(Some("1337".into()));
        inst.update(&app.state.db).await.unwrap();
        // Two public badges make a row.
        for a in award::Entity::find().filter(award::Column::UserId.eq(w.ada.id)).all(&app.state.db).await.unwrap() {
            let r = app.call("set_badge_visibility", &[("award", &a.public_id.to_string()), ("public", "yes")], Some(&w.ada_s)).await;
            assert_eq!(r.status, 200, "{}", r.body);
        }
        let p = json(&app.call("share_panel", &[("award", &t)], Some(&w.ada_s)).await);
        assert_eq!(p["is_public"], true);
        let add = url::Url::parse(p["linkedin_add_url"].as_str().unwrap()).unwrap();
        let q: std::collections::HashMap<String, String> = add.query_pairs().into_owned().collect();
        assert_eq!(q["organizationId"], "1337");
        assert!(!q.contains_key("organizationName"));
        let names = p["signature_row_names"].as_array().unwrap();
        assert_eq!(names.len(), 3, "{names:?}");
        assert_eq!(names[0], "Data Wrangling", "this badge first");
        let row = p["signature_row"]["html"].as_str().unwrap();
        assert_eq!(row.matches("<img ").count(), 3);
        assert!(row.len() < 10_000);

        // A chosen row: only public badges of one's own.
        let r = app.call("email_signature", &[("awards", &t)], Some(&w.ada_s)).await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert!(json(&r)["text"].as_str().unwrap().contains(&format!("Verify: {base}/c/{t}?src=email")));
        let five = [t.as_str(); 5].join(",");
        let r = app.call("email_signature", &[("awards", &five)], Some(&w.ada_s)).await;
        assert_eq!(r.status, 422, "{}", r.body);

        // Search engines: off by default, the owner turns it on and off.
        assert_eq!(p["allow_indexing"], false);
        let r = app.call("set_allow_indexing", &[("award", &t), ("allow", "yes")], Some(&w.ada_s)).await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert!(award::Entity::find_by_id(w.wrangling.id).one(&app.state.db).await.unwrap().unwrap().allow_indexing);
        let r = app.call("set_allow_indexing", &[("award", &t), ("allow", "maybe")], Some(&w.ada_s)).await;
        assert_eq!(r.status, 422, "{}", r.body);
    }

    async fn the_linkedin_id_travels_in_new_credentials_which_still_verify(app) {
        let north = institution(&app, "north", "North University").await;
        let mut inst: institution::ActiveModel = north.clone().into();
        inst.linkedin_org_id = Set(Some("424242".into()));
        inst.update(&app.state.db).await.unwrap();
        let b = badge(&app, &north, "Data Wrangling", 1, &[]).await;
        let (ada, ada_s) = learner(&app, "ada@example.org", "Ada Lovelace").await;
        let a = give(&app, b, &ada).await;
        let cred = credential::Entity::find_by_id(a.credential_id).one(&app.state.db).await.unwrap().unwrap();
        let json_cred: Value = serde_json::from_str(&cred.json).unwrap();
        assert_eq!(
            json_cred["issuer"]["otherIdentifier"],
            serde_json::json!([{
                "type": "IdentifierEntry",
                "identifier": "424242",
                "identifierType": "ext:LinkedIn:organizationId",
            }])
        );
        // Verified on view by our verifier, with the JSON-LD proof over the new terms.
        let r = app.call("portfolio_badge", &[("award", &a.public_id.to_string())], Some(&ada_s)).await;
        assert_eq!(r.status, 200, "{}", r.body);
        let d = json(&r);
        assert_eq!(d["verification"]["verdict"], "verified", "{d}");
        assert_eq!(d["verification"]["standing"], "active", "{d}");
    }
}
