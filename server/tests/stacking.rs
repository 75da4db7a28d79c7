//! After an award, on SQLite and PostgreSQL: stacking into program credentials and
//! transcript notations (exactly when the last component arrives, capstone when asked,
//! once under concurrency), revocation (the served status list bit, the learner told,
//! the cascade question), re-issue (same evidence, `replaced_by`), pending awards
//! claimed only by a confirmed address, the registrar's CSV, and who may do what.

#![allow(clippy::unwrap_used)]

mod common;

use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, Set};
use serde_json::Value;

use app::model::Role;
use app::server::awards::{
    self, AwardRequest, EvidencePiece, Issued, Recipient, claims, lifecycle, stacking,
};
use app::server::catalog::{badges, programs};
use app::server::entities::{
    award, credential, institution, notification, outbox, submission, transcript_notation, user,
};
use app::server::{accounts, issuing};
use common::TestApp;
use common::setup::{PASSWORD, award_request, give, learner, public_id};

struct World {
    inst: institution::Model,
    admin: String,
    a: i32,
    b: i32,
    a_public: String,
}

async fn institution(app: &TestApp, slug: &str) -> (institution::Model, String) {
    let inst = issuing::create_institution(
        &app.state.db,
        &app.state.settings,
        issuing::NewInstitution {
            slug: slug.into(),
            name: format!("{slug} University"),
            url: "https://example.edu".into(),
            email: String::new(),
        },
    )
    .await
    .unwrap();
    let email = format!("admin@{slug}.example");
    staff(app, slug, &email, Role::IssuerAdmin).await;
    let session = app.sign_in(&email, PASSWORD, None).await.session().unwrap();
    (inst, session)
}

async fn staff(app: &TestApp, slug: &str, email: &str, role: Role) -> user::Model {
    accounts::create(
        &app.state.db,
        accounts::NewAccount {
            email: email.into(),
            display_name: "Staff".into(),
            password: PASSWORD.into(),
            role,
            institution: Some(slug.into()),
        },
    )
    .await
    .unwrap()
}

fn badge_input(name: &str) -> badges::BadgeInput {
    badges::BadgeInput {
        name: name.into(),
        description: format!("{name}: a component."),
        criteria: "Do the work.".into(),
        achievement_type: "Badge".into(),
        tags: String::new(),
        credits: "1".into(),
        evidence_required: String::new(),
        rubric: String::new(),
        validity_months: String::new(),
        competencies: Vec::new(),
        image: None,
    }
}

async fn badge(app: &TestApp, inst: &institution::Model, name: &str) -> i32 {
    badges::create(
        &app.state.db,
        &app.state.settings,
        inst,
        None,
        badge_input(name),
    )
    .await
    .unwrap()
    .id
}

/// A program stacking `components`; returns (program id, program badge id).
async fn program(
    app: &TestApp,
    inst: &institution::Model,
    slug: &str,
    components: &[i32],
    credit_bearing: bool,
    capstone: &str,
) -> (i32, i32) {
    let mut ids = Vec::new();
    for c in components {
        ids.push(public_id(app, *c).await);
    }
    let p = programs::create(
        &app.state.db,
        &app.state.settings,
        inst,
        None,
        programs::ProgramInput {
            slug: slug.into(),
            name: format!("Program {slug}"),
            description: "A stack.".into(),
            credits: if credit_bearing { "3" } else { "0" }.into(),
            credit_bearing,
            terms: "Fall 2026".into(),
            badges: ids,
            program_badge: String::new(),
            capstone_evidence: capstone.into(),
            enrollment_open: true,
            cost: String::new(),
        },
    )
    .await
    .unwrap();
    (p.id, p.program_badge_id.unwrap())
}

async fn world(app: &TestApp) -> World {
    let (inst, admin) = institution(app, "north").await;
    let a = badge(app, &inst, "Data Wrangling").await;
    let b = badge(app, &inst, "Visualisation").await;
    let a_public = public_id(app, a).await;
    World {
        inst,
        admin,
        a,
        b,
        a_public,
    }
}

async fn program_awards(app: &TestApp, user_id: i32) -> Vec<award::Model> {
    award::Entity::find()
        .filter(award::Column::UserId.eq(user_id))
        .filter(award::Column::ProgramId.is_not_null())
        .all(&app.state.db)
        .await
        .unwrap()
}

async fn notations(app: &TestApp, user_id: i32) -> Vec<transcript_notation::Model> {
    transcript_notation::Entity::find()
        .filter(transcript_notation::Column::UserId.eq(user_id))
        .all(&app.state.db)
        .await
        .unwrap()
}

async fn award_by_id(app: &TestApp, id: i32) -> award::Model {
    award::Entity::find_by_id(id)
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap()
}

async fn credential_of(app: &TestApp, a: &award::Model) -> (credential::Model, Value) {
    let c = credential::Entity::find_by_id(a.credential_id)
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap();
    let json = serde_json::from_str(&c.json).unwrap();
    (c, json)
}

/// The credential's bit in its status list, as the app serves the list.
async fn served_bit(app: &TestApp, a: &award::Model) -> bool {
    let (_, json) = credential_of(app, a).await;
    let status = &json["credentialStatus"];
    let url = status["statusListCredential"].as_str().unwrap();
    let path = url.strip_prefix(&app.state.settings.public_url).unwrap();
    let index: usize = status["statusListIndex"].as_str().unwrap().parse().unwrap();
    let r = app.get(path, None).await;
    assert_eq!(r.status, 200, "{path}: {}", r.body);
    let list: Value = serde_json::from_str(&r.body).unwrap();
    let bits = openbadges::status_list::Bitstring::decode(
        list["credentialSubject"]["encodedList"].as_str().unwrap(),
    )
    .unwrap();
    bits.get(index).unwrap()
}

async fn my_badges(app: &TestApp, session: &str) -> Value {
    let r = app.call("my_badges", &[], Some(session)).await;
    assert_eq!(r.status, 200, "{}", r.body);
    serde_json::from_str(&r.body).unwrap()
}

async fn revoke(
    app: &TestApp,
    session: &str,
    inst: &str,
    a: &award::Model,
    reason: &str,
    also: &str,
) -> common::Reply {
    let id = a.public_id.to_string();
    let mut fields = vec![
        ("institution", inst),
        ("award", id.as_str()),
        ("reason", reason),
    ];
    if !also.is_empty() {
        fields.push(("also_programs", also));
    }
    app.call("revoke_award", &fields, Some(session)).await
}

async fn mails_to(app: &TestApp, to: &str) -> Vec<outbox::Model> {
    outbox::Entity::find()
        .filter(outbox::Column::Recipient.eq(to))
        .all(&app.state.db)
        .await
        .unwrap()
}

fn token_in(body: &str) -> String {
    let start = body
        .find("token=")
        .unwrap_or_else(|| panic!("no token in {body}"))
        + "token=".len();
    body[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect()
}

on_both_backends! {
    async fn the_program_credential_arrives_exactly_with_the_last_component(app) {
        let w = world(&app).await;
        let (credit, credit_badge) = program(&app, &w.inst, "data", &[w.a, w.b], true, "").await;
        let (plain, plain_badge) = program(&app, &w.inst, "data-lite", &[w.a, w.b], false, "").await;
        let (ada, ada_s) = learner(&app, "ada@example.org", "Ada Lovelace").await;

        give(&app, w.a, &ada).await;
        assert!(program_awards(&app, ada.id).await.is_empty(), "one of two components: no program yet");
        assert!(notations(&app, ada.id).await.is_empty());

        give(&app, w.b, &ada).await;
        let got = program_awards(&app, ada.id).await;
        assert_eq!(got.len(), 2, "both programs complete: {got:?}");
        let cp = got.iter().find(|a| a.program_id == Some(credit)).unwrap();
        assert_eq!(cp.badge_id, credit_badge);
        assert_eq!(cp.source, award::SOURCE_STACKING);
        let pp = got.iter().find(|a| a.program_id == Some(plain)).unwrap();
        assert_eq!(pp.badge_id, plain_badge);
        // The credential names the components.
        let (_, json) = credential_of(&app, cp).await;
        let narrative = json["evidence"][0]["narrative"].as_str().unwrap();
        assert!(narrative.contains("Data Wrangling") && narrative.contains("Visualisation"), "{narrative}");

        // A notation for the credit-bearing program only.
        let n = notations(&app, ada.id).await;
        assert_eq!(n.len(), 1, "{n:?}");
        assert_eq!((n[0].program_id, n[0].award_id, n[0].credits), (credit, cp.id, 3));
        assert_eq!(n[0].term, "Fall 2026");
        assert_eq!((n[0].learner_name.as_str(), n[0].learner_email.as_str()), ("Ada Lovelace", "ada@example.org"));

        // Running stacking again changes nothing.
        assert!(stacking::complete_programs(&app.state.db, &app.state.settings, ada.id).await.unwrap().is_empty());
        assert_eq!(program_awards(&app, ada.id).await.len(), 2);
        assert_eq!(notations(&app, ada.id).await.len(), 1);

        // The learner sees the credentials and the notation.
        let mine = my_badges(&app, &ada_s).await;
        assert_eq!(mine["badges"].as_array().unwrap().len(), 4, "{mine}");
        assert_eq!(mine["notations"][0]["program"], "Program data");
        assert_eq!(mine["notations"][0]["credits"], 3);
        let page = app.get("/portfolio", Some(&ada_s)).await;
        assert_eq!(page.status, 200);
        assert!(page.body.contains("My transcript notations") && page.body.contains("Program data"), "{}", page.body);
    }

    async fn a_configured_capstone_must_be_approved(app) {
        let w = world(&app).await;
        let (_, program_badge) = program(&app, &w.inst, "data", &[w.a, w.b], true, "A final project.").await;
        let (ada, _) = learner(&app, "ada@example.org", "Ada Lovelace").await;
        give(&app, w.a, &ada).await;
        give(&app, w.b, &ada).await;
        assert!(program_awards(&app, ada.id).await.is_empty(), "no capstone yet");

        let now = chrono::Utc::now();
        let capstone = submission::ActiveModel {
            public_id: Set(uuid::Uuid::new_v4()),
            user_id: Set(ada.id),
            badge_id: Set(program_badge),
            program_id: Set(None),
            state: Set(submission::STATE_SUBMITTED.into()),
            narrative: Set("My project.".into()),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(&app.state.db)
        .await
        .unwrap();
        stacking::complete_programs(&app.state.db, &app.state.settings, ada.id).await.unwrap();
        assert!(program_awards(&app, ada.id).await.is_empty(), "submitted is not approved");

        let mut s: submission::ActiveModel = capstone.into();
        s.state = Set(submission::STATE_APPROVED.into());
        let capstone = s.update(&app.state.db).await.unwrap();
        let issued = stacking::complete_programs(&app.state.db, &app.state.settings, ada.id).await.unwrap();
        assert_eq!(issued.len(), 1);
        let got = program_awards(&app, ada.id).await;
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].submission_id, Some(capstone.id));
        assert_eq!(notations(&app, ada.id).await.len(), 1);
    }

    async fn components_approved_at_once_award_one_program_credential(app) {
        let w = world(&app).await;
        let (credit, _) = program(&app, &w.inst, "data", &[w.a, w.b], true, "").await;
        for i in 0..4 {
            let (u, _) = learner(&app, &format!("l{i}@example.org"), &format!("Learner {i}")).await;
            let mut tasks = Vec::new();
            for badge_id in [w.a, w.b] {
                let db = app.state.db.clone();
                let settings = app.state.settings.clone();
                let req = award_request(badge_id, &u);
                tasks.push(tokio::spawn(async move { awards::issue(&db, &settings, req).await.map(|_| ()) }));
            }
            // And stacking itself, racing.
            for _ in 0..2 {
                let db = app.state.db.clone();
                let settings = app.state.settings.clone();
                let id = u.id;
                tasks.push(tokio::spawn(async move {
                    stacking::complete_programs(&db, &settings, id).await.map(|_| ())
                }));
            }
            for t in tasks {
                t.await.unwrap().unwrap();
            }
            let got = program_awards(&app, u.id).await;
            assert_eq!(got.len(), 1, "learner {i}: {got:?}");
            assert_eq!(got[0].program_id, Some(credit));
            assert_eq!(notations(&app, u.id).await.len(), 1, "learner {i}");
        }
    }

    async fn revocation_flips_the_served_bit_and_tells_the_learner(app) {
        let w = world(&app).await;
        let (ada, ada_s) = learner(&app, "ada@example.org", "Ada Lovelace").await;
        let a = give(&app, w.a, &ada).await;
        assert!(!served_bit(&app, &a).await);

        // A reason is required; nothing changes without one.
        let r = revoke(&app, &w.admin, "north", &a, "   ", "").await;
        assert_eq!(r.status, 422, "{}", r.body);
        assert!(!served_bit(&app, &a).await);
        assert!(award_by_id(&app, a.id).await.revoked_at.is_none());

        let r = revoke(&app, &w.admin, "north", &a, "Plagiarised evidence", "").await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert!(served_bit(&app, &a).await, "the served list has the bit at once");
        let after = award_by_id(&app, a.id).await;
        assert!(after.revoked_at.is_some());
        assert_eq!(after.revocation_reason.as_deref(), Some("Plagiarised evidence"));
        assert!(after.revoked_by.is_some(), "who revoked it is kept");

        // The learner sees it: the list, a notification, a mail.
        let mine = my_badges(&app, &ada_s).await;
        assert_eq!(mine["badges"][0]["status"], "revoked");
        assert_eq!(mine["badges"][0]["revocation_reason"], "Plagiarised evidence");
        let notes = notification::Entity::find()
            .filter(notification::Column::UserId.eq(ada.id))
            .all(&app.state.db)
            .await
            .unwrap();
        assert_eq!(notes.len(), 1);
        assert_eq!(notes[0].kind, lifecycle::KIND_REVOKED);
        assert!(notes[0].body.contains("Plagiarised evidence"));
        let mail = mails_to(&app, "ada@example.org").await;
        assert!(mail.iter().any(|m| m.subject.contains("revoked") && m.body.contains("Plagiarised evidence")), "{mail:?}");
        let page = app.get("/portfolio", Some(&ada_s)).await;
        assert!(page.body.contains("Revoked: Plagiarised evidence"), "{}", page.body);

        // Twice is a clear refusal, not a second revocation.
        let r = revoke(&app, &w.admin, "north", &a, "Again", "").await;
        assert_eq!(r.status, 422, "{}", r.body);
        assert_eq!(award_by_id(&app, a.id).await.revocation_reason.as_deref(), Some("Plagiarised evidence"));
    }

    async fn revoking_a_component_takes_the_program_along_only_when_asked(app) {
        let w = world(&app).await;
        let (credit, _) = program(&app, &w.inst, "data", &[w.a, w.b], true, "").await;
        let (ada, _) = learner(&app, "ada@example.org", "Ada Lovelace").await;
        let (bob, _) = learner(&app, "bob@example.org", "Bob Babbage").await;
        let ada_a = give(&app, w.a, &ada).await;
        give(&app, w.b, &ada).await;
        let bob_a = give(&app, w.a, &bob).await;
        give(&app, w.b, &bob).await;

        // The admin's list asks the question for these rows.
        let r = app.call("institution_awards", &[("institution", "north"), ("filter[q]", "ada@")], Some(&w.admin)).await;
        assert_eq!(r.status, 200, "{}", r.body);
        let list: Value = serde_json::from_str(&r.body).unwrap();
        let rows = list["awards"].as_array().unwrap();
        assert_eq!(rows.len(), 3, "Ada's two badges and program credential: {list}");
        let row = rows.iter().find(|r| r["public_id"] == ada_a.public_id.to_string()).unwrap();
        assert_eq!(row["dependents"][0]["program"], "Program data");

        // Unanswered: refused, nothing revoked.
        let r = revoke(&app, &w.admin, "north", &ada_a, "Mistake", "").await;
        assert_eq!(r.status, 422, "{}", r.body);
        assert!(award_by_id(&app, ada_a.id).await.revoked_at.is_none());

        // "No": the component only.
        let r = revoke(&app, &w.admin, "north", &ada_a, "Mistake", "no").await;
        assert_eq!(r.status, 200, "{}", r.body);
        let ada_program = &program_awards(&app, ada.id).await[0];
        assert!(ada_program.revoked_at.is_none());
        assert!(!served_bit(&app, ada_program).await);
        assert!(notations(&app, ada.id).await[0].revoked_at.is_none());

        // "Yes": the program credential and its notation too.
        let r = revoke(&app, &w.admin, "north", &bob_a, "Academic misconduct", "yes").await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(r.body, "2");
        let bob_program = &program_awards(&app, bob.id).await[0];
        assert_eq!(bob_program.program_id, Some(credit));
        assert!(bob_program.revoked_at.is_some());
        assert!(served_bit(&app, bob_program).await);
        let n = &notations(&app, bob.id).await[0];
        assert!(n.revoked_at.is_some());
        assert!(n.revocation_reason.as_deref().unwrap().contains("Academic misconduct"));

        // A revoked program credential is not stacked again on the next award.
        let c = badge(&app, &w.inst, "Unrelated").await;
        give(&app, c, &bob).await;
        assert_eq!(program_awards(&app, bob.id).await.len(), 1);
    }

    async fn reissue_revokes_and_replaces_with_the_same_evidence(app) {
        let w = world(&app).await;
        let (ada, ada_s) = learner(&app, "ada@example.org", "Ada Lovelace").await;
        let mut req = award_request(w.a, &ada);
        req.evidence = vec![EvidencePiece {
            name: "report.pdf".into(),
            genre: "File".into(),
            public_url: None,
            sha256: Some("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855".into()),
            size_bytes: Some(0),
        }];
        let old = match awards::issue(&app.state.db, &app.state.settings, req).await.unwrap() {
            Issued::New(a) => a,
            Issued::AlreadyHeld(_) => unreachable!(),
        };
        let (_, old_json) = credential_of(&app, &old).await;
        assert_eq!(old_json["evidence"].as_array().unwrap().len(), 2);

        // The badge's name had a typo: fixed, a new version.
        badges::update(&app.state.db, &app.state.settings, &w.inst, &w.a_public, None, badge_input("Data Wrangling II")).await.unwrap();

        let r = app.call("reissue_award", &[("institution", "north"), ("award", &old.public_id.to_string()), ("name", "Ada King"), ("note", "Badge name corrected")], Some(&w.admin)).await;
        assert_eq!(r.status, 200, "{}", r.body);
        let new_public: String = serde_json::from_str(&r.body).unwrap();

        let old_after = award_by_id(&app, old.id).await;
        assert_eq!(old_after.revocation_reason.as_deref(), Some("Re-issued: Badge name corrected"));
        assert!(served_bit(&app, &old_after).await);
        let new = award::Entity::find()
            .filter(award::Column::PublicId.eq(uuid::Uuid::parse_str(&new_public).unwrap()))
            .one(&app.state.db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(old_after.replaced_by, Some(new.id));
        assert_eq!(new.source, award::SOURCE_REISSUE);
        assert_eq!(new.recipient_name, "Ada King");
        assert!(new.revoked_at.is_none());
        assert!(!served_bit(&app, &new).await);
        let (_, new_json) = credential_of(&app, &new).await;
        assert_eq!(new_json["evidence"], old_json["evidence"], "the same evidence");
        assert_eq!(new_json["name"], "Data Wrangling II", "the badge's current version");
        let ids = new_json["credentialSubject"]["identifier"].as_array().unwrap();
        assert!(ids.iter().any(|i| i["identityType"] == "name" && i["identityHash"] == "Ada King"), "{ids:?}");

        // The learner sees the new one active, the old one as replaced.
        let mine = my_badges(&app, &ada_s).await;
        let list = mine["badges"].as_array().unwrap();
        let status_of = |id: &str| list.iter().find(|b| b["public_id"] == id).unwrap()["status"].clone();
        assert_eq!(status_of(&new_public), "active");
        assert_eq!(status_of(&old.public_id.to_string()), "replaced");

        // A replaced credential cannot be re-issued or revoked again.
        let r = app.call("reissue_award", &[("institution", "north"), ("award", &old.public_id.to_string()), ("note", "x")], Some(&w.admin)).await;
        assert_eq!(r.status, 422, "{}", r.body);
    }

    async fn reissuing_a_program_credential_moves_its_notation(app) {
        let w = world(&app).await;
        program(&app, &w.inst, "data", &[w.a, w.b], true, "").await;
        let (ada, _) = learner(&app, "ada@example.org", "Ada Lovelace").await;
        give(&app, w.a, &ada).await;
        give(&app, w.b, &ada).await;
        let p = program_awards(&app, ada.id).await.remove(0);
        let new = lifecycle::reissue(&app.state.db, &app.state.settings, &w.inst, None, &p.public_id.to_string(), "", "Key compromised").await.unwrap();
        assert_eq!(new.program_id, p.program_id);
        let n = notations(&app, ada.id).await;
        assert_eq!(n.len(), 1);
        assert_eq!(n[0].award_id, new.id);
        assert!(n[0].revoked_at.is_none());
    }

    async fn pending_awards_are_claimed_only_by_a_confirmed_address(app) {
        let w = world(&app).await;
        program(&app, &w.inst, "data", &[w.a, w.b], true, "").await;
        for badge_id in [w.a, w.b] {
            let r = awards::issue(&app.state.db, &app.state.settings, AwardRequest {
                recipient: Recipient::Email { email: "Grace@Example.org".into(), name: "Grace Hopper".into() },
                ..award_request(badge_id, &ada_placeholder())
            }).await.unwrap();
            assert!(matches!(r, Issued::New(_)));
        }
        let pending = || async {
            award::Entity::find()
                .filter(award::Column::RecipientEmail.eq("grace@example.org"))
                .filter(award::Column::UserId.is_null())
                .count(&app.state.db)
                .await
                .unwrap()
        };
        assert_eq!(pending().await, 2);

        // Signing up with the address claims nothing until it is confirmed.
        let grace_s = app.sign_up("grace@example.org", "Grace", PASSWORD).await;
        assert_eq!(pending().await, 2);
        assert!(my_badges(&app, &grace_s).await["badges"].as_array().unwrap().is_empty());
        let grace = accounts::find_by_email(&app.state.db, "grace@example.org").await.unwrap().unwrap();
        assert!(program_awards(&app, grace.id).await.is_empty());

        // Confirming does: both badges, then the program they complete.
        let mail = mails_to(&app, "grace@example.org").await;
        let token = token_in(&mail.last().unwrap().body);
        let r = app.call("confirm_email", &[("token", &token)], None).await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(pending().await, 0);
        let claimed = award::Entity::find()
            .filter(award::Column::UserId.eq(grace.id))
            .all(&app.state.db)
            .await
            .unwrap();
        assert_eq!(claimed.len(), 3, "{claimed:?}");
        assert!(claimed.iter().all(|a| a.claimed_at.is_some()));
        assert_eq!(program_awards(&app, grace.id).await.len(), 1);
        assert_eq!(notations(&app, grace.id).await.len(), 1);
        assert_eq!(my_badges(&app, &grace_s).await["badges"].as_array().unwrap().len(), 3);

        // A change of address claims what waits for the new one, once it is confirmed.
        awards::issue(&app.state.db, &app.state.settings, AwardRequest {
            recipient: Recipient::Email { email: "grace@navy.example".into(), name: "Grace Hopper".into() },
            ..award_request(badge(&app, &w.inst, "Compilers").await, &ada_placeholder())
        }).await.unwrap();
        let r = app.call("change_email", &[("new_email", "grace@navy.example"), ("current_password", PASSWORD)], Some(&grace_s)).await;
        assert_eq!(r.status, 200, "{}", r.body);
        let navy = |app: &TestApp| {
            let db = app.state.db.clone();
            async move {
                award::Entity::find()
                    .filter(award::Column::RecipientEmail.eq("grace@navy.example"))
                    .one(&db)
                    .await
                    .unwrap()
                    .unwrap()
            }
        };
        assert_eq!(navy(&app).await.user_id, None, "asked, not yet confirmed");
        let token = token_in(&mails_to(&app, "grace@navy.example").await.last().unwrap().body);
        let r = app.call("confirm_email", &[("token", &token)], None).await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(navy(&app).await.user_id, Some(grace.id));
    }

    async fn an_unconfirmed_account_never_gets_someone_elses_pending_award(app) {
        let w = world(&app).await;
        awards::issue(&app.state.db, &app.state.settings, AwardRequest {
            recipient: Recipient::Email { email: "victim@example.org".into(), name: "Victim".into() },
            ..award_request(w.a, &ada_placeholder())
        }).await.unwrap();
        // Someone signs up with the address but cannot confirm it.
        let s = app.sign_up("victim@example.org", "Impostor", PASSWORD).await;
        let r = app.call("resend_confirmation", &[], Some(&s)).await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert!(my_badges(&app, &s).await["badges"].as_array().unwrap().is_empty());
        let a = award::Entity::find().filter(award::Column::RecipientEmail.eq("victim@example.org")).one(&app.state.db).await.unwrap().unwrap();
        assert_eq!(a.user_id, None);
        // And awarding by address picks the account only once it is confirmed.
        let r = claims::recipient_for(&app.state.db, "victim@example.org", "V").await.unwrap();
        assert!(matches!(r, Recipient::Email { .. }), "{r:?}");
    }

    async fn the_registrar_csv_is_safe_and_only_for_the_institutions_admins(app) {
        let w = world(&app).await;
        program(&app, &w.inst, "data", &[w.a, w.b], true, "").await;
        let (eve, eve_s) = learner(&app, "eve@example.org", "=HYPERLINK(\"http://evil\")").await;
        give(&app, w.a, &eve).await;
        give(&app, w.b, &eve).await;

        let r = app.get("/manage/north/transcripts.csv", Some(&w.admin)).await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(r.header("content-type"), Some("text/csv; charset=utf-8"));
        let cd = r.header("content-disposition").unwrap();
        assert!(cd.starts_with("attachment; filename=\"transcript-notations-north-"), "{cd}");
        let mut lines = r.body.lines();
        assert_eq!(lines.next(), Some("Learner name,E-mail,Program,Credits,Term,Date,Status"));
        let row = lines.next().unwrap();
        assert!(row.starts_with("\"'=HYPERLINK(\"\"http://evil\"\")\",eve@example.org,Program data,3,Fall 2026,"), "{row}");
        assert!(row.ends_with(",active"), "{row}");

        // The page lists the notation and links the export.
        let page = app.get("/manage/north/transcripts", Some(&w.admin)).await;
        assert!(page.body.contains("/manage/north/transcripts.csv") && page.body.contains("eve@example.org"), "{}", page.body);

        // Nobody else: another institution's admin, a reviewer, the learner, anonymous.
        let (_south, south_admin) = institution(&app, "south").await;
        staff(&app, "north", "reviewer@north.example", Role::Reviewer).await;
        let reviewer = app.sign_in("reviewer@north.example", PASSWORD, None).await.session().unwrap();
        for (who, session, status) in [("south admin", Some(south_admin.as_str()), 403), ("reviewer", Some(reviewer.as_str()), 403), ("learner", Some(eve_s.as_str()), 403), ("anonymous", None, 401)] {
            let r = app.get("/manage/north/transcripts.csv", session).await;
            assert_eq!(r.status, status, "{who}: {}", r.body);
            assert!(!r.body.contains("eve@example.org"), "{who}");
            if let Some(s) = session {
                for (name, fields) in [
                    ("institution_transcripts", vec![("institution", "north")]),
                    ("institution_awards", vec![("institution", "north")]),
                ] {
                    let r = app.call(name, &fields, Some(s)).await;
                    assert_eq!(r.status, 403, "{who} {name}: {}", r.body);
                    assert!(!r.body.contains("eve@example.org"), "{who} {name}");
                }
            }
        }
    }

    async fn another_institution_cannot_revoke_or_reissue(app) {
        let w = world(&app).await;
        let (_south, south_admin) = institution(&app, "south").await;
        staff(&app, "north", "reviewer@north.example", Role::Reviewer).await;
        let reviewer = app.sign_in("reviewer@north.example", PASSWORD, None).await.session().unwrap();
        let (ada, ada_s) = learner(&app, "ada@example.org", "Ada Lovelace").await;
        let a = give(&app, w.a, &ada).await;
        let id = a.public_id.to_string();
        // Naming north: forbidden for everyone but north's admins.
        for (who, s) in [("south admin", &south_admin), ("reviewer", &reviewer), ("learner", &ada_s)] {
            let r = revoke(&app, s, "north", &a, "No", "").await;
            assert_eq!(r.status, 403, "{who}: {}", r.body);
            let r = app.call("reissue_award", &[("institution", "north"), ("award", &id), ("note", "x")], Some(s)).await;
            assert_eq!(r.status, 403, "{who}: {}", r.body);
        }
        // Naming their own institution with north's award: not found there.
        let r = revoke(&app, &south_admin, "south", &a, "No", "").await;
        assert_eq!(r.status, 404, "{}", r.body);
        let r = app.call("reissue_award", &[("institution", "south"), ("award", &id), ("note", "x")], Some(&south_admin)).await;
        assert_eq!(r.status, 404, "{}", r.body);
        let r = app.call("institution_awards", &[("institution", "south")], Some(&south_admin)).await;
        assert_eq!(r.status, 200);
        assert!(!r.body.contains(&id));
        let after = award_by_id(&app, a.id).await;
        assert!(after.revoked_at.is_none());
        assert!(!served_bit(&app, &after).await);
        // Pages for staff only.
        for path in ["/manage/north/awards", "/manage/north/transcripts"] {
            let page = app.get(path, Some(&south_admin)).await;
            assert!(!page.body.contains("ada@example.org"), "{path}");
        }
    }

    async fn a_learner_downloads_only_their_own_credential_exactly(app) {
        let w = world(&app).await;
        let (ada, ada_s) = learner(&app, "ada@example.org", "Ada Lovelace").await;
        let (_bob, bob_s) = learner(&app, "bob@example.org", "Bob").await;
        let a = give(&app, w.a, &ada).await;
        let (c, _) = credential_of(&app, &a).await;
        let path = format!("/portfolio/credentials/{}.json", a.public_id);
        let r = app.get(&path, Some(&ada_s)).await;
        assert_eq!(r.status, 200);
        assert_eq!(r.body, c.json, "exactly the stored bytes");
        assert!(r.header("content-disposition").unwrap().starts_with("attachment;"));
        assert_eq!(r.header("x-content-type-options"), Some("nosniff"));
        assert_eq!(app.get(&path, Some(&bob_s)).await.status, 404);
        assert_eq!(app.get(&path, Some(&w.admin)).await.status, 404);
        assert_eq!(app.get(&path, None).await.status, 401);
        assert_eq!(app.get("/portfolio/credentials/nonsense.json", Some(&ada_s)).await.status, 404);
        // Bob's list does not show Ada's.
        assert!(my_badges(&app, &bob_s).await["badges"].as_array().unwrap().is_empty());
        let mine = my_badges(&app, &ada_s).await;
        assert_eq!(mine["badges"][0]["download_url"], path);
    }
}

/// A stand-in learner for requests whose recipient is replaced.
fn ada_placeholder() -> user::Model {
    let now = chrono::Utc::now();
    user::Model {
        id: 0,
        public_id: uuid::Uuid::nil(),
        email: String::new(),
        display_name: String::new(),
        password_hash: String::new(),
        is_platform_admin: false,
        email_confirmed_at: None,
        created_at: now,
        updated_at: now,
        handle: None,
        deleted_at: None,
    }
}
