//! The world most tests start from, made through the same code as the screens: an
//! institution, its badges and programs, learners with a confirmed address signed in,
//! and awards to them.

use sea_orm::EntityTrait;

use app::model::Role;
use app::server::awards::{self, AwardRequest, Issued, Recipient};
use app::server::catalog::{badges, programs};
use app::server::entities::{award, badge, credential, institution, user};
use app::server::{accounts, issuing};

use super::TestApp;

/// The password of every learner made here.
pub const PASSWORD: &str = "correct horse battery";

/// An institution (its signing key made).
pub async fn institution(app: &TestApp, slug: &str, name: &str) -> institution::Model {
    issuing::create_institution(
        &app.state.db,
        &app.state.settings,
        issuing::NewInstitution {
            slug: slug.into(),
            name: name.into(),
            url: "https://example.edu".into(),
            email: String::new(),
        },
    )
    .await
    .unwrap()
}

/// A badge of `inst` worth `credits`, aligned to the shared framework's competencies
/// given by slug (no image given: the catalog draws one); returns its id.
pub async fn badge(
    app: &TestApp,
    inst: &institution::Model,
    name: &str,
    credits: i32,
    competencies: &[&str],
) -> i32 {
    badges::create(
        &app.state.db,
        &app.state.settings,
        inst,
        None,
        badges::BadgeInput {
            name: name.into(),
            description: format!("{name}: a badge."),
            criteria: "Do the work.".into(),
            achievement_type: "Badge".into(),
            credits: credits.to_string(),
            competencies: competencies
                .iter()
                .map(|c| format!("{}/competencies/{c}", app.state.settings.public_url))
                .collect(),
            ..Default::default()
        },
    )
    .await
    .unwrap()
    .id
}

/// A badge's public id.
pub async fn public_id(app: &TestApp, badge_id: i32) -> String {
    badge::Entity::find_by_id(badge_id)
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap()
        .public_id
        .to_string()
}

/// A program of `inst` stacking `components`, open for enrollment, credit-bearing (3
/// credits) or not; returns its slug.
pub async fn program(
    app: &TestApp,
    inst: &institution::Model,
    slug: &str,
    components: &[i32],
    credit_bearing: bool,
) -> String {
    let mut ids = Vec::new();
    for c in components {
        ids.push(public_id(app, *c).await);
    }
    programs::create(
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
            enrollment_open: true,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    slug.to_string()
}

/// A learner with a confirmed address, signed in: the account and the session token.
pub async fn learner(app: &TestApp, email: &str, name: &str) -> (user::Model, String) {
    new_learner(app, email, name, true).await
}

/// A learner whose address is not confirmed yet, signed in.
pub async fn unconfirmed_learner(app: &TestApp, email: &str, name: &str) -> (user::Model, String) {
    new_learner(app, email, name, false).await
}

async fn new_learner(
    app: &TestApp,
    email: &str,
    name: &str,
    confirmed: bool,
) -> (user::Model, String) {
    let u = accounts::create(
        &app.state.db,
        accounts::NewAccount {
            email: email.into(),
            display_name: name.into(),
            password: PASSWORD.into(),
            role: Role::Learner,
            institution: None,
        },
    )
    .await
    .unwrap();
    if confirmed {
        accounts::mark_confirmed(&app.state.db, u.id).await.unwrap();
    }
    let s = app.sign_in(email, PASSWORD, None).await.session().unwrap();
    let u = user::Entity::find_by_id(u.id)
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap();
    (u, s)
}

/// An award of a badge to a learner after review, with the narrative "I did it.".
pub fn award_request(badge_id: i32, u: &user::Model) -> AwardRequest {
    AwardRequest {
        badge_id,
        recipient: Recipient::User {
            user_id: u.id,
            email: u.email.clone(),
            name: u.display_name.clone(),
        },
        narrative: Some("I did it.".into()),
        rubric: Vec::new(),
        evidence: Vec::new(),
        program_id: None,
        submission_id: None,
        bulk_row_id: None,
        source: award::SOURCE_REVIEW,
        awarded_by: None,
    }
}

/// Awards a badge to a learner ([`award_request`]); the learner must not hold it already.
pub async fn give(app: &TestApp, badge_id: i32, u: &user::Model) -> award::Model {
    match awards::issue(
        &app.state.db,
        &app.state.settings,
        award_request(badge_id, u),
    )
    .await
    .unwrap()
    {
        Issued::New(a) => a,
        Issued::AlreadyHeld(a) => panic!("already held: {a:?}"),
    }
}

/// An award as stored now.
pub async fn reload(app: &TestApp, a: &award::Model) -> award::Model {
    award::Entity::find_by_id(a.id)
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap()
}

/// The signed credential of an award, as stored.
pub async fn credential_json(app: &TestApp, a: &award::Model) -> String {
    credential::Entity::find_by_id(a.credential_id)
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap()
        .json
}
