//! The issuing core of awards on SQLite and PostgreSQL: the credential an award signs
//! (recipient, achievement, alignments, credits, validity, rubric, evidence), that it
//! verifies, that a recipient never holds two unrevoked credentials for one badge (also
//! when awards race), and that an award inside a transaction that rolls back leaves
//! nothing behind.

#![allow(clippy::unwrap_used)]

mod common;

use sea_orm::{ConnectionTrait, EntityTrait, PaginatorTrait};
use serde_json::Value;

use app::server::awards::{self, AwardRequest, EvidencePiece, Issued, Recipient, RubricScore};
use app::server::catalog::badges::{self, BadgeInput};
use app::server::db::begin_write;
use app::server::entities::{award, badge, credential};
use app::server::{issuing, verification};
use common::TestApp;
use openbadges::verify::{Standing, Verdict};

async fn badge(app: &TestApp, validity: &str) -> badge::Model {
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
    let competency = format!("{}/competencies/teamwork", app.state.settings.public_url);
    badges::create(
        &app.state.db,
        &app.state.settings,
        &inst,
        None,
        BadgeInput {
            name: "Team Player".into(),
            description: "Works well with others.".into(),
            criteria: "Finish a team project.".into(),
            achievement_type: "Badge".into(),
            credits: "3".into(),
            rubric: "Teamwork: Strong (2), Weak (1)".into(),
            validity_months: validity.into(),
            competencies: vec![competency],
            ..Default::default()
        },
    )
    .await
    .unwrap()
}

fn request(badge_id: i32, email: &str) -> AwardRequest {
    AwardRequest {
        badge_id,
        recipient: Recipient::Email {
            email: email.into(),
            name: "Ada Lovelace".into(),
        },
        narrative: Some("We built a bridge together.".into()),
        rubric: vec![RubricScore {
            criterion: "Teamwork".into(),
            level: "Strong".into(),
            points: 2,
        }],
        evidence: vec![
            EvidencePiece {
                name: "report.pdf".into(),
                genre: "File".into(),
                public_url: None,
                sha256: Some(
                    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855".into(),
                ),
                size_bytes: Some(0),
            },
            EvidencePiece {
                name: "Project site".into(),
                genre: "Link".into(),
                public_url: Some("https://project.example/bridge".into()),
                sha256: None,
                size_bytes: None,
            },
        ],
        program_id: None,
        submission_id: None,
        bulk_row_id: None,
        source: award::SOURCE_REVIEW,
        awarded_by: None,
    }
}

async fn stored_json(app: &TestApp, a: &award::Model) -> Value {
    let row = credential::Entity::find_by_id(a.credential_id)
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap();
    serde_json::from_str(&row.json).unwrap()
}

on_both_backends! {
    async fn an_award_signs_a_complete_credential_that_verifies(app) {
        let b = badge(&app, "24").await;
        let issued = awards::issue(&app.state.db, &app.state.settings, request(b.id, "Ada@Example.org "))
            .await
            .unwrap();
        let Issued::New(a) = issued else { panic!("a new award") };
        assert_eq!(a.recipient_email, "ada@example.org");
        assert_eq!(a.user_id, None, "waits for an account");
        let c = stored_json(&app, &a).await;

        let subject = &c["credentialSubject"];
        let ids = subject["identifier"].as_array().unwrap();
        assert_eq!(ids[0]["identityType"], "emailAddress");
        assert_eq!(ids[0]["hashed"], true);
        assert_eq!(
            ids[0]["identityHash"].as_str().unwrap(),
            openbadges::verify::identity_hash("ada@example.org", ids[0]["salt"].as_str().unwrap())
        );
        assert_eq!(ids[1]["identityType"], "name");
        assert_eq!(ids[1]["identityHash"], "Ada Lovelace");
        let achievement = &subject["achievement"];
        assert!(
            achievement["id"].as_str().unwrap().ends_with(&format!("/achievements/{}/v1", b.public_id)),
            "{achievement}"
        );
        assert_eq!(achievement["creditsAvailable"], 3);
        assert_eq!(subject["creditsEarned"], 3);
        assert_eq!(achievement["alignment"][0]["targetName"], "Teamwork");
        assert_eq!(subject["result"][0]["value"], "Strong (2 points)");
        assert!(subject["result"][0]["achievedLevel"].as_str().unwrap().ends_with("-level-1"));
        assert!(c["validUntil"].as_str().is_some(), "24 months of validity");
        assert!(c["credentialStatus"]["statusListIndex"].is_string());

        // Evidence: the narrative, the private file by name and digest only, the public link by its URL.
        let evidence = c["evidence"].as_array().unwrap();
        assert_eq!(evidence[0]["narrative"], "We built a bridge together.");
        assert_eq!(evidence[1]["name"], "report.pdf");
        assert!(evidence[1].get("id").is_none(), "a private piece has no URL");
        assert_eq!(evidence[1]["digestSRI"], "sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
        assert_eq!(evidence[2]["id"], "https://project.example/bridge");

        let report = verification::verify_bytes(
            &app.state.db,
            &app.state.settings,
            c.to_string().into_bytes(),
            Some("ada@example.org".into()),
        )
        .await
        .unwrap()
        .unwrap();
        assert_eq!(report.verdict, Verdict::Verified, "{report:?}");
        assert_eq!(report.standing, Standing::Active, "{report:?}");

        // The achievement's permanent id answers with what the credential embeds.
        let url = achievement["id"].as_str().unwrap();
        let path = url.strip_prefix(&app.state.settings.public_url).unwrap();
        let r = app.get(path, None).await;
        assert_eq!(r.status, 200, "{}", r.body);
        let mut served: Value = serde_json::from_str(&r.body).unwrap();
        assert_eq!(served["creator"]["name"], "North College");
        let obj = served.as_object_mut().unwrap();
        obj.remove("@context");
        obj.remove("creator");
        assert_eq!(&served, achievement);
        assert_eq!(app.get(&path.replace("/v1", "/v2"), None).await.status, 404);
        assert_eq!(app.get(&path.replace("/v1", "/v01"), None).await.status, 404);
    }

    async fn a_recipient_never_holds_two_unrevoked_credentials_for_one_badge(app) {
        let b = badge(&app, "").await;
        let first = awards::issue(&app.state.db, &app.state.settings, request(b.id, "ada@example.org"))
            .await
            .unwrap();
        assert!(matches!(first, Issued::New(_)));
        assert!(stored_json(&app, first.award()).await.get("validUntil").is_none(), "never expires");
        // The same address, typed differently: already held, nothing signed.
        let again = awards::issue(&app.state.db, &app.state.settings, request(b.id, " ADA@example.org"))
            .await
            .unwrap();
        assert!(matches!(again, Issued::AlreadyHeld(ref a) if a.id == first.award().id));
        assert_eq!(credential::Entity::find().count(&app.state.db).await.unwrap(), 1);

        // Once revoked, the badge can be awarded again.
        let cred = credential::Entity::find_by_id(first.award().credential_id)
            .one(&app.state.db).await.unwrap().unwrap();
        issuing::revoke(&app.state.db, &app.state.settings, &cred.credential_id, "test").await.unwrap();
        app.state
            .db
            .execute_unprepared(&format!(
                "UPDATE awards SET revoked_at = CURRENT_TIMESTAMP WHERE id = {}",
                first.award().id
            ))
            .await
            .unwrap();
        let third = awards::issue(&app.state.db, &app.state.settings, request(b.id, "ada@example.org"))
            .await
            .unwrap();
        assert!(matches!(third, Issued::New(_)));
    }

    async fn racing_awards_of_one_badge_to_one_recipient_sign_once(app) {
        let b = badge(&app, "").await;
        let mut tasks = Vec::new();
        for _ in 0..6 {
            let db = app.state.db.clone();
            let settings = app.state.settings.clone();
            let req = request(b.id, "grace@example.org");
            tasks.push(tokio::spawn(async move { awards::issue(&db, &settings, req).await }));
        }
        let mut new = 0;
        for t in tasks {
            match t.await.unwrap().unwrap() {
                Issued::New(_) => new += 1,
                Issued::AlreadyHeld(_) => {}
            }
        }
        assert_eq!(new, 1);
        assert_eq!(award::Entity::find().count(&app.state.db).await.unwrap(), 1);
        assert_eq!(credential::Entity::find().count(&app.state.db).await.unwrap(), 1);
    }

    async fn an_award_in_a_transaction_that_rolls_back_leaves_nothing(app) {
        let b = badge(&app, "").await;
        let txn = begin_write(&app.state.db).await.unwrap();
        let issued = awards::issue(&*txn, &app.state.settings, request(b.id, "ada@example.org"))
            .await
            .unwrap();
        assert!(matches!(issued, Issued::New(_)));
        drop(txn);
        assert_eq!(award::Entity::find().count(&app.state.db).await.unwrap(), 0);
        assert_eq!(credential::Entity::find().count(&app.state.db).await.unwrap(), 0);
    }
}

on_both_backends! {
    async fn the_demo_learners_hold_every_state_of_earning(app) {
        use app::server::entities::{submission, transcript_notation};
        use sea_orm::{ColumnTrait, QueryFilter};
        server::seed::seed_demo(&app.state.db, &app.state.settings).await.unwrap();
        let awards = award::Entity::find().all(&app.state.db).await.unwrap();
        // Ada: two component badges, the Data Literacy credential they stack into, and a
        // yearly badge that expires soon.
        let ada = app::server::accounts::find_by_email(&app.state.db, "ada@example.org")
            .await.unwrap().unwrap();
        let adas: Vec<_> = awards.iter().filter(|a| a.user_id == Some(ada.id)).collect();
        assert_eq!(adas.len(), 4, "{adas:?}");
        assert!(adas.iter().all(|a| a.revoked_at.is_none()));
        assert_eq!(adas.iter().filter(|a| a.program_id.is_some()).count(), 1, "the program credential");
        let notations = transcript_notation::Entity::find().all(&app.state.db).await.unwrap();
        assert_eq!(notations.len(), 1);
        assert_eq!((notations[0].user_id, notations[0].credits), (Some(ada.id), 3));
        // Grace: a revoked badge, and the one-badge program's credential revoked with it.
        let grace = app::server::accounts::find_by_email(&app.state.db, "grace@example.org")
            .await.unwrap().unwrap();
        let graces: Vec<_> = awards.iter().filter(|a| a.user_id == Some(grace.id)).collect();
        assert_eq!(graces.len(), 2, "{graces:?}");
        assert!(graces.iter().all(|a| a.revoked_at.is_some()), "{graces:?}");
        // Every state of a submission is there to see.
        let states: Vec<String> = submission::Entity::find()
            .all(&app.state.db).await.unwrap()
            .into_iter().map(|s| s.state).collect();
        for state in ["draft", "submitted", "changes_requested", "approved"] {
            assert!(states.iter().any(|s| s == state), "{state}: {states:?}");
        }
        // The revoked one verifies as revoked; Ada's program credential as verified and active.
        for (a, standing) in [(graces[0], Standing::Revoked), (*adas.iter().find(|a| a.program_id.is_some()).unwrap(), Standing::Active)] {
            let json = stored_json(&app, a).await;
            let report = verification::verify_bytes(
                &app.state.db, &app.state.settings, json.to_string().into_bytes(), None,
            ).await.unwrap().unwrap();
            assert_eq!(report.verdict, Verdict::Verified, "{report:?}");
            assert_eq!(report.standing, standing, "{report:?}");
        }
        // Seeding again changes nothing.
        server::seed::seed_demo(&app.state.db, &app.state.settings).await.unwrap();
        assert_eq!(award::Entity::find().count(&app.state.db).await.unwrap(), awards.len() as u64);
        let submitted = submission::Entity::find()
            .filter(submission::Column::UserId.eq(grace.id))
            .count(&app.state.db).await.unwrap();
        assert_eq!(submitted, 2);
    }
}

/// The cards of the signed-in learner's wall for `fields` (`query[...]` pairs).
async fn wall_cards(app: &TestApp, s: &str, fields: &[(&str, &str)]) -> Vec<Value> {
    let r = app.call("portfolio_wall", fields, Some(s)).await;
    assert_eq!(r.status, 200, "{}", r.body);
    serde_json::from_str::<Value>(&r.body).unwrap()["cards"]
        .as_array()
        .unwrap()
        .clone()
}

on_both_backends! {
    async fn the_demo_learners_wall_shows_a_badge_expiring_soon(app) {
        use chrono::{Duration, Utc};
        server::seed::seed_demo(&app.state.db, &app.state.settings).await.unwrap();
        let s = app
            .sign_in("ada@example.org", server::seed::DEMO_PASSWORD, None)
            .await
            .session()
            .unwrap();
        // Exactly one card on her wall is marked expiring soon: the yearly badge, which
        // lapses within the next three weeks (the seed signed it as of almost a year ago).
        let cards = wall_cards(&app, &s, &[]).await;
        let soon: Vec<&Value> = cards.iter().filter(|c| c["mark"] == "expiring_soon").collect();
        assert_eq!(soon.len(), 1, "{cards:?}");
        let card = soon[0];
        assert_eq!(card["name"], "Research Data Handling");
        assert_eq!(card["is_public"], false, "private, like every new badge");
        let today = Utc::now().date_naive();
        let expires = chrono::NaiveDate::parse_from_str(card["expires_at"].as_str().unwrap(), "%Y-%m-%d").unwrap();
        let days = server::seed::DEMO_EXPIRES_IN_DAYS;
        assert!(
            expires > today + Duration::days(days - 2) && expires <= today + Duration::days(days),
            "expires {expires}, today {today}"
        );
        // The status filter finds it, and only it.
        let filtered = wall_cards(&app, &s, &[("query[status]", "expiring_soon")]).await;
        let names: Vec<&str> = filtered.iter().map(|c| c["name"].as_str().unwrap()).collect();
        assert_eq!(names, ["Research Data Handling"]);
        // Its signed credential is a real one: valid from almost a year ago until the
        // expiry shown, verified and active by our verifier.
        let a = award::Entity::find()
            .all(&app.state.db).await.unwrap()
            .into_iter()
            .find(|a| a.public_id.to_string() == card["public_id"].as_str().unwrap())
            .unwrap();
        let json = stored_json(&app, &a).await;
        let from = chrono::DateTime::parse_from_rfc3339(json["validFrom"].as_str().unwrap()).unwrap();
        let until = chrono::DateTime::parse_from_rfc3339(json["validUntil"].as_str().unwrap()).unwrap();
        assert!(from < Utc::now() - Duration::days(300), "{json}");
        assert_eq!(until.date_naive(), expires, "{json}");
        assert_eq!(a.expires_at.unwrap(), until);
        let report = verification::verify_bytes(
            &app.state.db, &app.state.settings, json.to_string().into_bytes(), None,
        ).await.unwrap().unwrap();
        assert_eq!((report.verdict, report.standing), (Verdict::Verified, Standing::Active), "{report:?}");
        // Its page, verified on view, says the same.
        let r = app.call("portfolio_badge", &[("award", card["public_id"].as_str().unwrap())], Some(&s)).await;
        assert_eq!(r.status, 200, "{}", r.body);
        let d: Value = serde_json::from_str(&r.body).unwrap();
        assert_eq!(d["verification"]["mark"], "expiring_soon", "{d}");
        // Seeding again awards nothing new and keeps the date it expires.
        server::seed::seed_demo(&app.state.db, &app.state.settings).await.unwrap();
        let again = wall_cards(&app, &s, &[("query[status]", "expiring_soon")]).await;
        assert_eq!(again.len(), 1);
        assert_eq!(again[0]["public_id"], card["public_id"]);
        assert_eq!(again[0]["expires_at"], card["expires_at"]);
        // It stays off her public profile, which still shows her two public badges.
        let profile = app.get("/p/ada", None).await;
        assert_eq!(profile.status, 200);
        assert!(!profile.body.contains("Research Data Handling"));
        assert!(profile.body.contains("Data Analysis Foundations"));
    }
}

on_both_backends! {
    async fn an_award_dated_in_the_past_is_valid_from_then_and_one_in_the_future_is_refused(app) {
        use chrono::{Duration, Months, Utc};
        let b = badge(&app, "12").await;
        let then = Utc::now() - Duration::days(100);
        // In the future: refused, nothing signed or recorded.
        let err = awards::issue_at(&app.state.db, &app.state.settings, request(b.id, "ada@example.org"), Utc::now() + Duration::days(1))
            .await
            .unwrap_err();
        assert!(err.to_string().contains("future"), "{err}");
        assert_eq!(award::Entity::find().count(&app.state.db).await.unwrap(), 0);
        assert_eq!(credential::Entity::find().count(&app.state.db).await.unwrap(), 0);
        // In the past: valid from then until the badge's 12 months after, dated then.
        let Issued::New(a) = awards::issue_at(&app.state.db, &app.state.settings, request(b.id, "ada@example.org"), then)
            .await
            .unwrap()
        else {
            panic!("a new award");
        };
        let json = stored_json(&app, &a).await;
        let from = chrono::DateTime::parse_from_rfc3339(json["validFrom"].as_str().unwrap()).unwrap();
        let until = chrono::DateTime::parse_from_rfc3339(json["validUntil"].as_str().unwrap()).unwrap();
        assert_eq!(from.timestamp(), then.timestamp());
        assert_eq!(until.timestamp(), then.checked_add_months(Months::new(12)).unwrap().timestamp());
        assert_eq!(a.awarded_at.timestamp(), then.timestamp());
        assert_eq!(a.expires_at.map(|t| t.timestamp()), Some(until.timestamp()));
        let report = verification::verify_bytes(
            &app.state.db, &app.state.settings, json.to_string().into_bytes(), None,
        ).await.unwrap().unwrap();
        assert_eq!((report.verdict, report.standing), (Verdict::Verified, Standing::Active), "{report:?}");
    }
}
