//! Endorsements, on SQLite and PostgreSQL: a learner asks (the link is mailed through
//! the outbox), an endorser gives a statement through the link signed in or not, the
//! learner approves and the platform signs an OB 3.0 `EndorsementCredential` that our
//! verifier finds verified; used, withdrawn and expired links take nothing; two
//! submissions at once on one link store exactly one; another learner can neither see,
//! list nor decide someone's endorsements; the statement is escaped where shown.

#![allow(clippy::unwrap_used)]

mod common;

use chrono::{Duration, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use serde_json::Value;

use app::server::entities::{award, credential, endorsement, outbox, user};
use app::server::{accounts, endorsements, verification};
use common::TestApp;
use common::setup::{badge, give, institution, learner, unconfirmed_learner};

struct World {
    ada: user::Model,
    ada_s: String,
    award: award::Model,
}

async fn world(app: &TestApp) -> World {
    let inst = institution(app, "north", "North University").await;
    let b = badge(app, &inst, "Data Wrangling", 0, &[]).await;
    let (ada, ada_s) = learner(app, "ada@example.org", "Ada Lovelace").await;
    let award = give(app, b, &ada).await;
    World { ada, ada_s, award }
}

/// Asks for an endorsement through the server function; returns (public id, token).
async fn ask(app: &TestApp, w: &World, name: &str, email: &str) -> (String, String) {
    let r = app
        .call(
            "request_endorsement",
            &[
                ("award", &w.award.public_id.to_string()),
                ("name", name),
                ("email", email),
            ],
            Some(&w.ada_s),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let v: Value = serde_json::from_str(&r.body).unwrap();
    let link = v["link"].as_str().unwrap();
    let token = link.rsplit_once("/endorse/").unwrap().1.to_string();
    assert_eq!(token.len(), 43, "32 random bytes, base64url");
    assert_eq!(v["mailed"], !email.is_empty());
    (v["public_id"].as_str().unwrap().to_string(), token)
}

async fn list(app: &TestApp, w: &World) -> Vec<Value> {
    let r = app
        .call(
            "badge_endorsements",
            &[("award", &w.award.public_id.to_string())],
            Some(&w.ada_s),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    serde_json::from_str(&r.body).unwrap()
}

async fn give_statement(
    app: &TestApp,
    token: &str,
    name: &str,
    statement: &str,
    session: Option<&str>,
) -> common::Reply {
    app.call(
        "give_endorsement",
        &[("token", token), ("name", name), ("statement", statement)],
        session,
    )
    .await
}

async fn decide(app: &TestApp, session: &str, id: &str, decision: &str) -> common::Reply {
    app.call(
        "decide_endorsement",
        &[("endorsement", id), ("decision", decision)],
        Some(session),
    )
    .await
}

async fn row(app: &TestApp, public_id: &str) -> endorsement::Model {
    endorsement::Entity::find()
        .filter(endorsement::Column::PublicId.eq(uuid::Uuid::parse_str(public_id).unwrap()))
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap()
}

async fn verify(app: &TestApp, json: &str) -> openbadges::verify::Report {
    verification::verify_bytes(
        &app.state.db,
        &app.state.settings,
        json.as_bytes().to_vec(),
        None,
    )
    .await
    .unwrap()
    .unwrap()
}

/// The fields the OB 3.0 `EndorsementCredential` JSON schema requires (the repository
/// has no JSON Schema validator; this checks the same required properties and types).
fn assert_endorsement_shape(c: &Value) {
    for key in [
        "@context",
        "type",
        "id",
        "name",
        "issuer",
        "validFrom",
        "credentialSubject",
        "proof",
    ] {
        assert!(c.get(key).is_some(), "{key} missing: {c}");
    }
    assert_eq!(c["@context"][0], "https://www.w3.org/ns/credentials/v2");
    assert!(
        c["@context"][1]
            .as_str()
            .unwrap()
            .starts_with("https://purl.imsglobal.org/spec/ob/v3p0/context-3.0")
    );
    assert_eq!(
        c["type"],
        serde_json::json!(["VerifiableCredential", "EndorsementCredential"])
    );
    assert_eq!(
        c["credentialSubject"]["type"],
        serde_json::json!(["EndorsementSubject"])
    );
    assert!(c["issuer"]["id"].as_str().unwrap().starts_with("did:web:"));
    assert_eq!(c["issuer"]["type"], serde_json::json!(["Profile"]));
    assert!(chrono::DateTime::parse_from_rfc3339(c["validFrom"].as_str().unwrap()).is_ok());
    let proof = if c["proof"].is_array() {
        &c["proof"][0]
    } else {
        &c["proof"]
    };
    assert_eq!(proof["type"], "DataIntegrityProof");
    assert_eq!(proof["cryptosuite"], "eddsa-rdfc-2022");
}

on_both_backends! {
    async fn asked_given_approved_and_signed_as_a_verifiable_endorsement_credential(app) {
        let w = world(&app).await;
        let (id, token) = ask(&app, &w, "Grace Hopper", "Grace@Example.org").await;

        // The link went out through the outbox, to the address given.
        let mails = outbox::Entity::find().filter(outbox::Column::Recipient.eq("grace@example.org")).all(&app.state.db).await.unwrap();
        assert_eq!(mails.len(), 1);
        assert!(mails[0].body.contains(&format!("/endorse/{token}")), "{}", mails[0].body);
        assert!(mails[0].subject.contains("Ada Lovelace"));
        // Only the token's hash is stored.
        let stored = row(&app, &id).await;
        assert_ne!(stored.token_hash, token);
        assert_eq!(stored.token_hash.len(), 64);
        assert_eq!(stored.status, "requested");

        // Anyone holding the link sees what it is about, signed out.
        let r = app.call("endorsement_invitation", &[("token", &token)], None).await;
        assert_eq!(r.status, 200, "{}", r.body);
        let inv: Value = serde_json::from_str(&r.body).unwrap();
        assert_eq!(inv["badge_name"], "Data Wrangling");
        assert_eq!(inv["issuer"], "North University");
        assert_eq!(inv["learner_name"], "Ada Lovelace");
        assert_eq!(inv["invitee_name"], "Grace Hopper");
        // The page itself works without an account.
        let page = app.get(&format!("/endorse/{token}"), None).await;
        assert_eq!(page.status, 200);
        assert!(page.body.contains("Data Wrangling") && page.body.contains("Ada Lovelace"), "{}", page.body);

        let statement = "Ada cleaned our messiest data set in a week.";
        let r = give_statement(&app, &token, "Grace Hopper, mentor", statement, None).await;
        assert_eq!(r.status, 200, "{}", r.body);
        let listed = list(&app, &w).await;
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0]["status"], "submitted");
        assert_eq!(listed[0]["statement"], statement);
        assert_eq!(listed[0]["endorser_email"], Value::Null, "no confirmed address: none shown");
        let stored = row(&app, &id).await;
        assert!(!stored.endorser_email_verified);
        assert_eq!(stored.endorser_user_id, None);
        // Not shown anywhere until approved.
        assert!(endorsements::approved_for_award(&app.state.db, w.award.id).await.unwrap().is_empty());

        let r = decide(&app, &w.ada_s, &id, "approve").await;
        assert_eq!(r.status, 200, "{}", r.body);
        let listed = list(&app, &w).await;
        assert_eq!((listed[0]["status"].as_str(), listed[0]["signed"].as_bool()), (Some("approved"), Some(true)));

        let stored = row(&app, &id).await;
        let cred = credential::Entity::find_by_id(stored.credential_id.unwrap()).one(&app.state.db).await.unwrap().unwrap();
        let json: Value = serde_json::from_str(&cred.json).unwrap();
        assert_endorsement_shape(&json);
        let endorsed = credential::Entity::find_by_id(w.award.credential_id).one(&app.state.db).await.unwrap().unwrap();
        assert_eq!(json["credentialSubject"]["id"], endorsed.credential_id.as_str(), "about the learner's credential");
        assert_eq!(json["credentialSubject"]["endorsementComment"], statement);
        assert!(json["name"].as_str().unwrap().contains("Grace Hopper, mentor"), "{json}");
        assert!(!json["description"].as_str().unwrap().contains('@'), "no unconfirmed address in it");
        assert_eq!(json["issuer"]["name"], "North University");

        let report = verify(&app, &cred.json).await;
        assert_eq!(report.verdict, openbadges::verify::Verdict::Verified, "{:?}", report.checks);
        assert_eq!(report.standing, openbadges::verify::Standing::Active, "{:?}", report.checks);
        // A changed statement no longer verifies.
        let mut tampered = json.clone();
        tampered["credentialSubject"]["endorsementComment"] = "Ada is the best programmer ever.".into();
        let report = verify(&app, &tampered.to_string()).await;
        assert_eq!(report.verdict, openbadges::verify::Verdict::NotVerified, "{:?}", report.checks);

        // Shown with the badge, and to the public page's reader.
        let approved = endorsements::approved_for_award(&app.state.db, w.award.id).await.unwrap();
        assert_eq!(approved.len(), 1);
        assert_eq!(approved[0].statement, statement);
        assert_eq!(approved[0].endorser_name, "Grace Hopper, mentor");
        let page = app.get(&format!("/portfolio/badges/{}", w.award.public_id), Some(&w.ada_s)).await;
        assert_eq!(page.status, 200);
        assert!(page.body.contains(statement), "the badge page shows it");

        // The link is spent.
        let r = give_statement(&app, &token, "Mallory", "Again.", None).await;
        assert_eq!((r.status, r.code().as_str()), (422, "invalid"), "{}", r.body);

        // Withdrawing an approved endorsement revokes its credential.
        let r = decide(&app, &w.ada_s, &id, "withdraw").await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert!(endorsements::approved_for_award(&app.state.db, w.award.id).await.unwrap().is_empty());
        let report = verify(&app, &cred.json).await;
        assert_eq!(report.standing, openbadges::verify::Standing::Revoked, "{:?}", report.checks);
        let r = decide(&app, &w.ada_s, &id, "approve").await;
        assert_eq!(r.status, 422, "withdrawn is final: {}", r.body);
    }

    async fn a_signed_in_endorser_brings_their_confirmed_address(app) {
        let w = world(&app).await;
        let (_, grace_s) = learner(&app, "grace@example.org", "Grace Hopper").await;
        let (_, bob_s) = unconfirmed_learner(&app, "bob@example.org", "Bob").await;
        let (id, token) = ask(&app, &w, "Grace", "").await;
        assert_eq!(outbox::Entity::find().filter(outbox::Column::Recipient.eq("grace@example.org")).all(&app.state.db).await.unwrap().len(), 0, "no address: no mail");
        let r = app.call("endorsement_invitation", &[("token", &token)], Some(&grace_s)).await;
        let inv: Value = serde_json::from_str(&r.body).unwrap();
        assert_eq!(inv["signed_in_as"], "Grace Hopper");
        let r = give_statement(&app, &token, "Grace Hopper", "Solid work.", Some(&grace_s)).await;
        assert_eq!(r.status, 200, "{}", r.body);
        let stored = row(&app, &id).await;
        assert!(stored.endorser_email_verified);
        assert_eq!(stored.endorser_email.as_deref(), Some("grace@example.org"));
        assert!(stored.endorser_user_id.is_some());
        assert_eq!(decide(&app, &w.ada_s, &id, "approve").await.status, 200);
        let cred = credential::Entity::find_by_id(row(&app, &id).await.credential_id.unwrap()).one(&app.state.db).await.unwrap().unwrap();
        let json: Value = serde_json::from_str(&cred.json).unwrap();
        assert!(json["description"].as_str().unwrap().contains("grace@example.org"), "{json}");
        let report = verify(&app, &cred.json).await;
        assert_eq!(report.verdict, openbadges::verify::Verdict::Verified, "{:?}", report.checks);

        // An unconfirmed account's address is not vouched for.
        let (id2, token2) = ask(&app, &w, "Bob", "").await;
        assert_eq!(give_statement(&app, &token2, "Bob", "Fine.", Some(&bob_s)).await.status, 200);
        let stored = row(&app, &id2).await;
        assert!(!stored.endorser_email_verified);
        assert_eq!(stored.endorser_email, None);

        // The learner cannot endorse themselves.
        let (_, token3) = ask(&app, &w, "Me", "").await;
        let r = give_statement(&app, &token3, "Ada", "I am great.", Some(&w.ada_s)).await;
        assert_eq!(r.status, 422, "{}", r.body);
    }

    async fn used_withdrawn_expired_and_unknown_links_take_nothing(app) {
        let w = world(&app).await;
        // Unknown and malformed tokens.
        for t in ["AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "../../etc", ""] {
            let r = app.call("endorsement_invitation", &[("token", t)], None).await;
            assert_eq!(r.status, 404, "{t}: {}", r.body);
            let r = give_statement(&app, t, "X", "Y", None).await;
            assert_eq!(r.status, 404, "{t}: {}", r.body);
        }
        // Limits.
        let (_, token) = ask(&app, &w, "Grace", "").await;
        assert_eq!(give_statement(&app, &token, &"x".repeat(121), "Fine.", None).await.status, 422);
        assert_eq!(give_statement(&app, &token, "Grace", &"x".repeat(1_001), None).await.status, 422);
        assert_eq!(give_statement(&app, &token, "Grace", "  ", None).await.status, 422);
        assert_eq!(give_statement(&app, &token, "Grace", &"x".repeat(1_000), None).await.status, 200);
        assert_eq!(give_statement(&app, &token, "Grace", "Twice.", None).await.status, 422, "used");
        let r = app.call("endorsement_invitation", &[("token", &token)], None).await;
        assert_eq!(r.status, 422, "a used link shows nothing: {}", r.body);

        // Withdrawn before an answer.
        let (id, token) = ask(&app, &w, "Alan", "").await;
        assert_eq!(decide(&app, &w.ada_s, &id, "withdraw").await.status, 200);
        assert_eq!(give_statement(&app, &token, "Alan", "Late.", None).await.status, 422);
        assert_eq!(list(&app, &w).await.iter().find(|e| e["public_id"] == id.as_str()).unwrap()["status"], "withdrawn");

        // Expired.
        let (id, token) = ask(&app, &w, "Edsger", "").await;
        let mut m: endorsement::ActiveModel = row(&app, &id).await.into();
        m.expires_at = Set(Utc::now() - Duration::minutes(1));
        m.update(&app.state.db).await.unwrap();
        assert_eq!(app.call("endorsement_invitation", &[("token", &token)], None).await.status, 422);
        assert_eq!(give_statement(&app, &token, "Edsger", "Too late.", None).await.status, 422);
        assert_eq!(list(&app, &w).await.iter().find(|e| e["public_id"] == id.as_str()).unwrap()["status"], "expired");

        // Declined ones are not approved later.
        let (id, token) = ask(&app, &w, "Barbara", "").await;
        assert_eq!(give_statement(&app, &token, "Barbara", "Meh.", None).await.status, 200);
        assert_eq!(decide(&app, &w.ada_s, &id, "decline").await.status, 200);
        assert_eq!(decide(&app, &w.ada_s, &id, "approve").await.status, 422);
        assert!(row(&app, &id).await.credential_id.is_none());
        // A request not yet answered cannot be approved.
        let (id, _) = ask(&app, &w, "Ken", "").await;
        assert_eq!(decide(&app, &w.ada_s, &id, "approve").await.status, 422);
        assert_eq!(decide(&app, &w.ada_s, &id, "celebrate").await.status, 422);
    }

    async fn two_submissions_at_once_store_exactly_one(app) {
        let w = world(&app).await;
        for round in 0..3 {
            let (id, token) = ask(&app, &w, "Grace", "").await;
            let other = app.sibling();
            let (a, b) = tokio::join!(
                give_statement(&app, &token, "Grace", "First statement.", None),
                give_statement(&other, &token, "Mallory", "Second statement.", None),
            );
            let ok: Vec<u16> = [a.status, b.status].into_iter().filter(|s| *s == 200).collect();
            assert_eq!(ok.len(), 1, "round {round}: exactly one wins: {} / {}", a.body, b.body);
            assert!([a.status, b.status].contains(&422), "the other is told the link is used");
            let stored = row(&app, &id).await;
            let winner = if a.status == 200 { ("Grace", "First statement.") } else { ("Mallory", "Second statement.") };
            assert_eq!((stored.endorser_name.as_deref(), stored.statement.as_deref()), (Some(winner.0), Some(winner.1)));
        }
    }

    async fn another_learner_cannot_ask_see_list_or_decide(app) {
        let w = world(&app).await;
        let (_, bob_s) = learner(&app, "bob@example.org", "Bob").await;
        let (id, token) = ask(&app, &w, "Grace", "").await;
        assert_eq!(give_statement(&app, &token, "Grace", "Good.", None).await.status, 200);
        let award = w.award.public_id.to_string();
        let r = app.call("badge_endorsements", &[("award", &award)], Some(&bob_s)).await;
        assert_eq!(r.status, 404, "{}", r.body);
        assert!(!r.body.contains("Good."));
        let r = app.call("request_endorsement", &[("award", &award), ("name", "X"), ("email", "")], Some(&bob_s)).await;
        assert_eq!(r.status, 404, "{}", r.body);
        for d in ["approve", "decline", "withdraw"] {
            let r = decide(&app, &bob_s, &id, d).await;
            assert_eq!(r.status, 404, "{d}: {}", r.body);
        }
        assert_eq!(row(&app, &id).await.status, "submitted", "untouched");
        // Anonymous callers are asked to sign in.
        assert_eq!(app.call("badge_endorsements", &[("award", &award)], None).await.status, 401);
        assert_eq!(app.call("decide_endorsement", &[("endorsement", &id), ("decision", "approve")], None).await.status, 401);
        // Bob's own (empty) list of a badge he does not hold: not found, not empty.
        let _ = w.ada.id;
    }

    async fn endorser_text_is_escaped_on_the_badge_page(app) {
        let w = world(&app).await;
        let (id, token) = ask(&app, &w, "<i>Grace</i>", "").await;
        let evil = "<script>alert('x')</script> & \"quoted\"";
        assert_eq!(give_statement(&app, &token, "<img src=x onerror=alert(1)>", evil, None).await.status, 200);
        assert_eq!(decide(&app, &w.ada_s, &id, "approve").await.status, 200);
        let page = app.get(&format!("/portfolio/badges/{}", w.award.public_id), Some(&w.ada_s)).await;
        assert_eq!(page.status, 200);
        assert!(!page.body.contains("<script>alert('x')</script>"), "raw statement in the page");
        assert!(!page.body.contains("<img src=x onerror"), "raw name in the page");
        assert!(page.body.contains("&lt;script&gt;alert"), "shown escaped");
        // The signed credential still verifies with any text in it.
        let cred = credential::Entity::find_by_id(row(&app, &id).await.credential_id.unwrap()).one(&app.state.db).await.unwrap().unwrap();
        let report = verify(&app, &cred.json).await;
        assert_eq!(report.verdict, openbadges::verify::Verdict::Verified, "{:?}", report.checks);
    }

    async fn the_demo_learner_has_an_approved_and_a_pending_endorsement_and_a_collection(app) {
        server::seed::seed_demo(&app.state.db, &app.state.settings).await.unwrap();
        // Twice changes nothing.
        server::seed::seed_demo(&app.state.db, &app.state.settings).await.unwrap();
        let ada = accounts::find_by_email(&app.state.db, "ada@example.org").await.unwrap().unwrap();
        let rows = endorsement::Entity::find().filter(endorsement::Column::UserId.eq(ada.id)).all(&app.state.db).await.unwrap();
        let mut statuses: Vec<&str> = rows.iter().map(|e| e.status.as_str()).collect();
        statuses.sort_unstable();
        assert_eq!(statuses, ["approved", "submitted"]);
        let approved = rows.iter().find(|e| e.status == "approved").unwrap();
        assert_eq!(approved.endorser_name.as_deref(), Some("Grace Hopper, mentor"));
        assert!(approved.endorser_email_verified);
        let cred = credential::Entity::find_by_id(approved.credential_id.unwrap()).one(&app.state.db).await.unwrap().unwrap();
        let report = verify(&app, &cred.json).await;
        assert_eq!(report.verdict, openbadges::verify::Verdict::Verified, "{:?}", report.checks);
        let collections = app::server::collections::mine(&app.state.db, &app.state.settings, ada.id).await.unwrap();
        assert_eq!(collections.collections.len(), 1);
        assert_eq!(collections.collections[0].name, "Data skills");
        assert_eq!(collections.collections[0].badges.len(), 2);
    }
}
