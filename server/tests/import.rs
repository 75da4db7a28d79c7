//! Extra e-mail addresses and importing badges earned elsewhere, on SQLite and
//! PostgreSQL.
//!
//! The badges imported are fixtures made by independent tools
//! (`openbadges/tests/fixtures/independent/`: Digital Bazaar's libraries, `jose`,
//! 1EdTech's bakery; see `openbadges/interop/make-fixtures.sh` and
//! `make-import-fixtures.mjs`), never by our own code. Their issuers' documents come
//! from the fixtures' `documents.json` (the import core takes a fixed resolver for
//! that; the network one otherwise). They are issued to ada@example.org, so the test
//! learner signs in with another address and adds ada@example.org as an extra one.

#![allow(clippy::unwrap_used)]

mod common;

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::Arc;

use axum::{
    body::Body,
    http::{Request, header},
};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::Value;

use app::model::import::Imported;
use app::server::accounts;
use app::server::awards::{self, AwardRequest, Recipient};
use app::server::catalog::badges::{self, BadgeInput};
use app::server::entities::{award, imported_badge, outbox, user};
use app::server::issuing;
use app::server::portfolio::import::{self, Documents, Upload};
use common::TestApp;
use openbadges::verify::{Resolution, Resolver};

const PW: &str = "correct horse battery";
const ADA: &str = "ada@example.org";
const BOUNDARY: &str = "----badgefolio-import-boundary";

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../openbadges/tests/fixtures/independent")
}

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(dir().join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// The fixtures' documents; `gone` answer HTTP 410.
struct Fixtures {
    documents: HashMap<String, Value>,
    gone: HashSet<String>,
}

impl Resolver for Fixtures {
    fn resolve(&self, url: &str) -> Resolution {
        if self.gone.contains(url) {
            return Resolution::Gone("HTTP 410".into());
        }
        self.documents.resolve(url)
    }
}

fn docs(gone: &[&str]) -> Documents {
    let documents: HashMap<String, Value> =
        serde_json::from_slice(&fixture("documents.json")).unwrap();
    Documents::Fixed(Arc::new(Fixtures {
        documents,
        gone: gone.iter().map(|s| (*s).to_string()).collect(),
    }))
}

/// Signs up a learner with a confirmed sign-in address: (session, user id).
async fn learner(app: &TestApp, email: &str) -> (String, i32) {
    let session = app.sign_up(email, "Test Learner", PW).await;
    let u = user::Entity::find()
        .filter(user::Column::Email.eq(email))
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap();
    accounts::mark_confirmed(&app.state.db, u.id).await.unwrap();
    (session, u.id)
}

/// The token of the latest confirmation link mailed to `to`.
async fn latest_token(app: &TestApp, to: &str) -> String {
    let mails = outbox::Entity::find()
        .all(&app.state.db)
        .await
        .unwrap()
        .into_iter()
        .filter(|m| m.recipient.eq_ignore_ascii_case(to))
        .collect::<Vec<_>>();
    let body = &mails
        .last()
        .unwrap_or_else(|| panic!("no mail to {to}"))
        .body;
    let prefix = "/account/confirm?token=";
    let start = body.find(prefix).unwrap() + prefix.len();
    body[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect()
}

async fn add(app: &TestApp, session: &str, email: &str) -> common::Reply {
    app.call("add_address", &[("email", email)], Some(session))
        .await
}

/// Adds `email` to the account and follows the link mailed to it.
async fn add_and_confirm(app: &TestApp, session: &str, email: &str) {
    let r = add(app, session, email).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let token = latest_token(app, email).await;
    let r = app.call("confirm_email", &[("token", &token)], None).await;
    assert!(
        r.status == 200 || r.status == 302 || r.status == 303,
        "{}: {}",
        r.status,
        r.body
    );
}

async fn addresses(app: &TestApp, session: &str) -> Value {
    let r = app.call("my_addresses", &[], Some(session)).await;
    assert_eq!(r.status, 200, "{}", r.body);
    serde_json::from_str(&r.body).unwrap()
}

async fn import_file(
    app: &TestApp,
    user_id: i32,
    name: &str,
    docs: &Documents,
) -> Result<Imported, String> {
    import::import(
        &app.state.db,
        &app.state.settings,
        user_id,
        Upload::File(fixture(name)),
        docs,
    )
    .await
    .map_err(|e| app::error::AppError::from(e).to_string())
}

fn multipart(fields: &[(&str, Option<&str>, &[u8])]) -> Vec<u8> {
    let mut out = Vec::new();
    for (name, file, bytes) in fields {
        out.extend_from_slice(format!("--{BOUNDARY}\r\n").as_bytes());
        match file {
            Some(f) => out.extend_from_slice(
                format!("Content-Disposition: form-data; name=\"{name}\"; filename=\"{f}\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes(),
            ),
            None => out.extend_from_slice(
                format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes(),
            ),
        }
        out.extend_from_slice(bytes);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    out
}

async fn post_import(app: &TestApp, session: Option<&str>, body: Vec<u8>) -> common::Reply {
    let mut req = Request::post("/api/import_badge")
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .header(header::ACCEPT, "application/json")
        .header("origin", app.state.settings.public_url.as_str());
    if let Some(s) = session {
        req = req.header(header::COOKIE, app.session_cookie(s));
    }
    app.send(req.body(Body::from(body)).unwrap()).await
}

async fn imports_of(app: &TestApp, user_id: i32) -> Vec<imported_badge::Model> {
    imported_badge::Entity::find()
        .filter(imported_badge::Column::UserId.eq(user_id))
        .all(&app.state.db)
        .await
        .unwrap()
}

on_both_backends! {
    async fn extra_addresses_are_confirmed_by_link_and_unique_across_accounts(app) {
        let (s1, _) = learner(&app, "learner@example.net").await;
        let (s2, _) = learner(&app, "other@example.net").await;

        let r = add(&app, &s1, "Ada@Example.org").await;
        assert_eq!(r.status, 200, "{}", r.body);
        let a = addresses(&app, &s1).await;
        assert_eq!(a["sign_in"], "learner@example.net");
        assert_eq!(a["extra"][0]["email"], "Ada@Example.org");
        assert_eq!(a["extra"][0]["confirmed"], false);

        // Again, in another case: refused for this account.
        let r = add(&app, &s1, "ada@example.ORG").await;
        assert_eq!(r.status, 422, "{}", r.body);
        assert!(r.body.contains("already added"), "{}", r.body);
        let token = latest_token(&app, "Ada@Example.org").await;
        // While unconfirmed, another account may add it too: adding someone else's
        // address without confirming it must not lock its owner out of it.
        let r = add(&app, &s2, "ADA@example.org").await;
        assert_eq!(r.status, 200, "{}", r.body);
        let s2_token = latest_token(&app, "ADA@example.org").await;
        assert_ne!(s2_token, token);
        // Someone's sign-in address is in use too; one's own is refused as such.
        let r = add(&app, &s2, "Learner@Example.net").await;
        assert!(r.body.contains("This address is already in use."), "{}", r.body);
        let r = add(&app, &s2, "other@example.net").await;
        assert_eq!(r.status, 422);
        let r = add(&app, &s2, "not an address").await;
        assert_eq!(r.status, 422);

        // The link confirms it (whoever follows it, for the account it was made for).
        let r = app.call("confirm_email", &[("token", &token)], Some(&s2)).await;
        assert!(r.status < 400, "{}: {}", r.status, r.body);
        let a = addresses(&app, &s1).await;
        assert_eq!(a["extra"][0]["confirmed"], true);
        // Confirmed, it is taken: the other account's link no longer confirms it, and
        // the refusal does not say whose it is.
        let r = app.call("confirm_email", &[("token", &s2_token)], None).await;
        assert_eq!(r.status, 422, "{}", r.body);
        assert!(!r.body.contains("learner@example.net"), "{}", r.body);
        assert_eq!(addresses(&app, &s2).await["extra"][0]["confirmed"], false);
        // Used once.
        let r = app.call("confirm_email", &[("token", &token)], None).await;
        assert_eq!(r.status, 422, "{}", r.body);

        // Another learner cannot remove it; anonymous cannot list or add.
        let id = a["extra"][0]["id"].as_i64().unwrap().to_string();
        let r = app.call("remove_address", &[("id", &id)], Some(&s2)).await;
        assert_eq!(r.status, 404, "{}", r.body);
        let r = app.call("resend_address", &[("id", &id)], Some(&s2)).await;
        assert_eq!(r.status, 404, "{}", r.body);
        assert_eq!(app.call("my_addresses", &[], None).await.status, 401);
        assert_eq!(app.call("add_address", &[("email", "x@example.com")], None).await.status, 401);
        // Its owner removes it; a link mailed before then no longer confirms anything.
        let r = add(&app, &s1, "school@example.edu").await;
        assert_eq!(r.status, 200, "{}", r.body);
        let school_token = latest_token(&app, "school@example.edu").await;
        let school_id = addresses(&app, &s1).await["extra"][1]["id"].as_i64().unwrap().to_string();
        let r = app.call("remove_address", &[("id", &school_id)], Some(&s1)).await;
        assert_eq!(r.status, 200, "{}", r.body);
        let r = app.call("confirm_email", &[("token", &school_token)], None).await;
        assert_eq!(r.status, 422, "{}", r.body);
        assert_eq!(addresses(&app, &s1).await["extra"].as_array().unwrap().len(), 1);
    }

    async fn awards_waiting_for_an_address_are_claimed_when_it_is_confirmed_as_an_extra_one(app) {
        let inst = issuing::ensure_institution(
            &app.state.db,
            &app.state.settings,
            issuing::NewInstitution {
                slug: "north".into(),
                name: "North College".into(),
                url: "https://north.example".into(),
                email: String::new(),
            },
        )
        .await
        .unwrap();
        let b = badges::create(
            &app.state.db,
            &app.state.settings,
            &inst,
            None,
            BadgeInput {
                name: "Team Player".into(),
                description: "Works well with others.".into(),
                criteria: "Finish a team project.".into(),
                achievement_type: "Badge".into(),
                credits: "1".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let req = AwardRequest {
            badge_id: b.id,
            recipient: Recipient::Email { email: "grace@navy.example".into(), name: "Grace".into() },
            narrative: None,
            rubric: Vec::new(),
            evidence: Vec::new(),
            program_id: None,
            submission_id: None,
            bulk_row_id: None,
            source: award::SOURCE_REVIEW,
            awarded_by: None,
        };
        awards::issue(&app.state.db, &app.state.settings, req).await.unwrap();
        let (s, uid) = learner(&app, "grace@example.net").await;
        // Added but not confirmed: nothing is claimed.
        let r = add(&app, &s, "Grace@Navy.example").await;
        assert_eq!(r.status, 200, "{}", r.body);
        let pending = award::Entity::find().one(&app.state.db).await.unwrap().unwrap();
        assert_eq!(pending.user_id, None);
        // Confirmed: claimed, whatever the case it was typed in.
        let token = latest_token(&app, "Grace@Navy.example").await;
        let r = app.call("confirm_email", &[("token", &token)], None).await;
        assert!(r.status < 400, "{}", r.body);
        let claimed = award::Entity::find().one(&app.state.db).await.unwrap().unwrap();
        assert_eq!(claimed.user_id, Some(uid));
        assert!(claimed.claimed_at.is_some());
        // And a later award to that address goes straight to the account.
        let to = awards::claims::recipient_for(&app.state.db, "GRACE@navy.example", "Grace").await.unwrap();
        assert!(matches!(to, Recipient::User { user_id, .. } if user_id == uid), "{to:?}");
    }

    async fn independent_badges_import_only_through_a_confirmed_address(app) {
        let (s, uid) = learner(&app, "learner@example.net").await;
        let d = docs(&[]);
        // Issued to ada@example.org, which is not (yet) the learner's.
        let e = import_file(&app, uid, "ob3-didweb.json", &d).await.unwrap_err();
        assert!(e.contains("not issued to any of your confirmed email addresses"), "{e}");
        // Added but unconfirmed: still no match, and the learner is told why.
        let r = add(&app, &s, ADA).await;
        assert_eq!(r.status, 200, "{}", r.body);
        let e = import_file(&app, uid, "ob3-didweb.json", &d).await.unwrap_err();
        assert!(e.contains("not confirmed yet"), "{e}");
        assert!(imports_of(&app, uid).await.is_empty());
        // Confirmed: imported.
        let token = latest_token(&app, ADA).await;
        assert!(app.call("confirm_email", &[("token", &token)], None).await.status < 400);
        let done = import_file(&app, uid, "ob3-didweb.json", &d).await.unwrap();
        assert_eq!(done.name, "Independent Teamwork");
        assert_eq!(done.issuer, "Independent Issuer");
        let rows = imports_of(&app, uid).await;
        assert_eq!(rows.len(), 1);
        let row = &rows[0];
        assert_eq!(row.original, fixture("ob3-didweb.json"), "kept verbatim");
        assert_eq!(row.media_type, "application/json");
        assert_eq!(row.format, imported_badge::FORMAT_OB3_JSON);
        assert_eq!(row.verdict, "verified");
        assert_eq!(row.standing, "active");
        assert!(!row.is_public, "private by default");
        assert_eq!(row.digest.len(), 64);
        // The same bytes again: refused.
        let e = import_file(&app, uid, "ob3-didweb.json", &d).await.unwrap_err();
        assert!(e.contains("already imported"), "{e}");
        assert_eq!(imports_of(&app, uid).await.len(), 1);

        // Other formats made by other tools: a PNG and an SVG baked by 1EdTech's bakery
        // (OB 2.0 hosted and signed), a VC-JWT by jose, an OB 2.0 md5 recipient.
        for (file, format, media) in [
            ("ob2-hosted.png", imported_badge::FORMAT_BAKED_PNG, "image/png"),
            ("ob2-signed.svg", imported_badge::FORMAT_BAKED_SVG, "image/svg+xml"),
            ("jwt-valid.jwt", imported_badge::FORMAT_OB3_JWT, "application/jwt"),
            ("ob2-hosted-md5.json", imported_badge::FORMAT_OB2, "application/json"),
            ("ob3-expired.json", imported_badge::FORMAT_OB3_JSON, "application/json"),
            // Baked by hand with Node (make-import-fixtures.mjs), an OB 3.0 did:key credential.
            ("import-baked.png", imported_badge::FORMAT_BAKED_PNG, "image/png"),
        ] {
            let done = import_file(&app, uid, file, &d).await.unwrap_or_else(|e| panic!("{file}: {e}"));
            let row = imported_badge::Entity::find()
                .filter(imported_badge::Column::PublicId.eq(uuid::Uuid::parse_str(&done.public_id).unwrap()))
                .one(&app.state.db)
                .await
                .unwrap()
                .unwrap();
            assert_eq!(row.format, format, "{file}");
            assert_eq!(row.media_type, media, "{file}");
            assert_eq!(row.original, fixture(file), "{file}");
            assert_eq!(row.verdict, "verified", "{file}");
        }
        // Pasted JWT text works too (the same token as the file: already imported).
        let pasted = String::from_utf8(fixture("jwt-valid.jwt")).unwrap();
        let e = import::import(&app.state.db, &app.state.settings, uid, Upload::Pasted(format!("  {pasted}\n")), &d)
            .await
            .map_err(|e| app::error::AppError::from(e).to_string())
            .unwrap_err();
        assert!(e.contains("already imported"), "{e}");
        let expired = imports_of(&app, uid).await.into_iter().find(|r| r.name.contains("Teamwork") && r.standing == "expired");
        assert!(expired.is_some(), "an expired badge is imported and marked expired");
    }

    async fn tampered_revoked_and_unverifiable_badges_are_refused_with_the_reason(app) {
        let (s, uid) = learner(&app, "learner@example.net").await;
        add_and_confirm(&app, &s, ADA).await;
        let d = docs(&[]);
        for (file, says) in [
            ("ob3-tampered.json", "did not pass verification"),
            ("jwt-altered.jwt", "did not pass verification"),
            ("ob2-signed-tampered.jws", "did not pass verification"),
            ("ob3-wrong-key.json", "did not pass verification"),
            ("ob3-revoked.json", "was revoked by its issuer"),
            ("ob2-revoked-flag.png", "was revoked by its issuer"),
            ("ob2-signed-revoked.svg", "was revoked by its issuer"),
        ] {
            let e = import_file(&app, uid, file, &d).await.unwrap_err();
            assert!(e.contains(says), "{file}: {e}");
        }
        let gone = docs(&["https://ob2.independent.example/assertions/gone"]);
        let e = import_file(&app, uid, "ob2-gone.json", &gone).await.unwrap_err();
        assert!(e.contains("could not be verified"), "{e}");
        // Not a badge at all.
        let e = import::import(&app.state.db, &app.state.settings, uid, Upload::Pasted("hello".into()), &d)
            .await
            .map_err(|e| app::error::AppError::from(e).to_string())
            .unwrap_err();
        assert!(e.contains("not a badge"), "{e}");
        let e = import::import(&app.state.db, &app.state.settings, uid, Upload::File(Vec::new()), &d)
            .await
            .map_err(|e| app::error::AppError::from(e).to_string())
            .unwrap_err();
        assert!(e.contains("Choose a file"), "{e}");
        assert!(imports_of(&app, uid).await.is_empty(), "nothing refused was kept");
    }

    async fn a_did_only_subject_is_refused_and_a_hash_matches_the_address_as_typed(app) {
        let (s, uid) = learner(&app, "learner@example.net").await;
        let d = docs(&[]);
        let e = import_file(&app, uid, "import-did-only.json", &d).await.unwrap_err();
        assert!(e.contains("only by a decentralized identifier (DID)"), "{e}");
        // Hashed as typed, "Grace.Hopper@Example.org": matches when the learner typed it so.
        add_and_confirm(&app, &s, "Grace.Hopper@Example.org").await;
        let done = import_file(&app, uid, "import-hashed-typed.json", &d).await.unwrap();
        assert_eq!(done.issuer, "Elsewhere Academy");
        // Another learner who typed it lower-case: the lower-cased hash does not match.
        let (s2, uid2) = learner(&app, "other@example.net").await;
        add_and_confirm(&app, &s2, "ada@example.org").await;
        let e = import_file(&app, uid2, "import-hashed-typed.json", &d).await.unwrap_err();
        assert!(e.contains("not issued to any of your confirmed"), "{e}");
    }

    async fn imports_join_the_wall_detail_and_profile_and_only_their_owner_touches_them(app) {
        let (s, uid) = learner(&app, "learner@example.net").await;
        let (other, _) = learner(&app, "other@example.net").await;
        add_and_confirm(&app, &s, ADA).await;
        // Through the endpoint: a did:key credential (verifies with no network document).
        let body = multipart(&[
            ("file", Some("badge.json"), &fixture("ob3-didkey.json")),
            ("text", None, b""),
            ("url", None, b""),
        ]);
        assert_eq!(post_import(&app, None, body.clone()).await.status, 401);
        let r = post_import(&app, Some(&s), body.clone()).await;
        assert_eq!(r.status, 200, "{}", r.body);
        let id: String = serde_json::from_str(&r.body).unwrap();
        let r = post_import(&app, Some(&s), body).await;
        assert_eq!(r.status, 422, "{}", r.body);
        assert!(r.body.contains("already imported"), "{}", r.body);

        // The wall: an imported card with its mark; the issuer filter finds it.
        let r = app.call("portfolio_wall", &[], Some(&s)).await;
        assert_eq!(r.status, 200, "{}", r.body);
        let w: Value = serde_json::from_str(&r.body).unwrap();
        let card = w["cards"].as_array().unwrap().iter().find(|c| c["public_id"] == id.as_str()).unwrap().clone();
        assert_eq!(card["imported"], true);
        assert_eq!(card["mark"], "verified");
        assert_eq!(card["issuer"], "Independent Issuer");
        let r = app.call("portfolio_wall", &[("query[issuer]", "imported-independent-issuer")], Some(&s)).await;
        let w: Value = serde_json::from_str(&r.body).unwrap();
        assert_eq!(w["cards"].as_array().unwrap().len(), 1, "{w}");
        let r = app.call("portfolio_wall", &[("query[issuer]", "north")], Some(&s)).await;
        let w: Value = serde_json::from_str(&r.body).unwrap();
        assert_eq!(w["cards"].as_array().unwrap().len(), 0, "{w}");
        let r = app.call("portfolio_overview", &[], Some(&s)).await;
        assert!(r.body.contains("imported-independent-issuer"), "{}", r.body);

        // The detail page re-verifies the original bytes.
        let r = app.call("portfolio_badge", &[("award", &id)], Some(&s)).await;
        assert_eq!(r.status, 200, "{}", r.body);
        let dtl: Value = serde_json::from_str(&r.body).unwrap();
        assert_eq!(dtl["imported"], true);
        assert_eq!(dtl["verification"]["verdict"], "verified", "{dtl}");
        assert_eq!(dtl["name"], "Independent Teamwork");

        // Another learner and anonymous visitors: not found / not signed in.
        for (name, fields) in [
            ("portfolio_badge", vec![("award", id.as_str())]),
            ("set_badge_visibility", vec![("award", id.as_str()), ("public", "yes")]),
            ("delete_import", vec![("badge", id.as_str())]),
        ] {
            let r = app.call(name, &fields, Some(&other)).await;
            assert_eq!(r.status, 404, "{name}: {}", r.body);
            let r = app.call(name, &fields, None).await;
            assert_eq!(r.status, 401, "{name}: {}", r.body);
        }
        assert!(!imports_of(&app, uid).await[0].is_public);

        // Public only when made so, and then on the profile.
        assert_eq!(app.call("set_handle", &[("handle", "learner-one")], Some(&s)).await.status, 200);
        let r = app.get("/p/learner-one", None).await;
        assert!(!r.body.contains("Independent Teamwork"), "private stays off the profile");
        let r = app.call("set_badge_visibility", &[("award", &id), ("public", "yes")], Some(&s)).await;
        assert_eq!(r.status, 200, "{}", r.body);
        let r = app.get("/p/learner-one", None).await;
        assert!(r.body.contains("Independent Teamwork"), "{}", r.body);
        // Once found revoked (stored), it leaves the profile, and a later check never
        // turns it back.
        imported_badge::Entity::update_many()
            .col_expr(imported_badge::Column::Standing, sea_orm::sea_query::Expr::value("revoked"))
            .filter(imported_badge::Column::UserId.eq(uid))
            .exec(&app.state.db)
            .await
            .unwrap();
        let r = app.get("/p/learner-one", None).await;
        assert!(!r.body.contains("Independent Teamwork"), "revoked leaves the profile");
        let r = app.call("portfolio_badge", &[("award", &id)], Some(&s)).await;
        let dtl: Value = serde_json::from_str(&r.body).unwrap();
        assert_eq!(dtl["verification"]["mark"], "revoked", "{dtl}");
        assert_eq!(imports_of(&app, uid).await[0].standing, "revoked");

        // Its owner deletes it.
        let r = app.call("delete_import", &[("badge", &id)], Some(&s)).await;
        assert!(r.status < 400, "{}: {}", r.status, r.body);
        assert!(imports_of(&app, uid).await.is_empty());
        let r = app.call("portfolio_badge", &[("award", &id)], Some(&s)).await;
        assert_eq!(r.status, 404);
    }

    async fn the_demo_learner_holds_a_badge_imported_from_another_issuer(app) {
        server::seed::seed_demo(&app.state.db, &app.state.settings).await.unwrap();
        // Seeding again changes nothing.
        server::seed::seed_demo(&app.state.db, &app.state.settings).await.unwrap();
        let ada = user::Entity::find()
            .filter(user::Column::Email.eq(ADA))
            .one(&app.state.db)
            .await
            .unwrap()
            .unwrap();
        let rows = imports_of(&app, ada.id).await;
        assert_eq!(rows.len(), 1);
        let row = &rows[0];
        assert_eq!(row.issuer_name, server::seed::DEMO_IMPORT_ISSUER);
        assert_eq!(row.name, server::seed::DEMO_IMPORT_BADGE);
        assert_eq!((row.verdict.as_str(), row.standing.as_str()), ("verified", "active"));
        assert!(!row.is_public);
        // Hashed with a salt, signed by a did:key that is not ours.
        let cred: Value = serde_json::from_slice(&row.original).unwrap();
        assert!(cred["issuer"]["id"].as_str().unwrap().starts_with("did:key:z"));
        assert_eq!(cred["credentialSubject"]["identifier"][0]["hashed"], true);
        assert!(!row.original.windows(ADA.len()).any(|w| w == ADA.as_bytes()));
        // Its page re-verifies it.
        let detail = import::detail(
            &app.state.db,
            &app.state.settings,
            ada.id,
            &row.public_id.to_string(),
            &Documents::Network,
            chrono::Utc::now(),
        )
        .await
        .unwrap();
        assert_eq!(detail.verification.verdict, "verified", "{:?}", detail.verification);
        assert!(detail.imported);
    }
}
