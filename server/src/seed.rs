//! Demo data: one institution and one account of each kind, for local trials.
//!
//! The demo accounts share a published password, so they must never reach a real
//! installation. The first run marks the database as a demo database (`app_meta`
//! `demo = true`) and later runs change nothing there; a database that is not marked and
//! already holds accounts is refused.

use app::error::AppError;
use app::model::Role;
use app::server::{
    ServerError, Settings,
    accounts::{self, NewAccount},
    entities::{app_meta, user},
    issuing::{self, NewInstitution},
};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait,
    PaginatorTrait, QueryFilter, sea_query::OnConflict,
};

/// The password of every demo account.
pub const DEMO_PASSWORD: &str = "badgefolio-demo";

/// Slug of the demo institution (scripts and docs rely on it).
pub const DEMO_INSTITUTION: &str = "demo";

/// The demo accounts: email, name, role.
pub const DEMO_ACCOUNTS: [(&str, &str, Role); 5] = [
    ("admin@example.edu", "Pat Admin", Role::PlatformAdmin),
    ("issuer@example.edu", "Ida Issuer", Role::IssuerAdmin),
    ("reviewer@example.edu", "Rui Reviewer", Role::Reviewer),
    ("ada@example.org", "Ada Lovelace", Role::Learner),
    ("grace@example.org", "Grace Hopper", Role::Learner),
];

/// Why demo data was not loaded.
#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    /// The database has real accounts: demo accounts with a published password would
    /// be a way in.
    #[error(
        "refusing to load demo data: this database already has {accounts} account(s) and is \
         not a demo database. The demo accounts have a published password; use seed-demo \
         only on a new, empty database for local trials. (A demo database made before \
         demo databases were marked counts as real: start the trial on a new one.)"
    )]
    NotADemoDatabase { accounts: u64 },
    #[error(transparent)]
    Server(#[from] ServerError),
}

impl From<DbErr> for SeedError {
    fn from(e: DbErr) -> Self {
        Self::Server(e.into())
    }
}

/// Whether the database was marked as a demo database by [`seed_demo`].
///
/// # Errors
/// Database errors.
pub async fn is_demo_database(db: &impl ConnectionTrait) -> Result<bool, DbErr> {
    Ok(app_meta::Entity::find_by_id(app_meta::DEMO_KEY)
        .one(db)
        .await?
        .is_some_and(|m| m.value == "true"))
}

/// Marks the database as a demo database (idempotent).
async fn mark_demo_database(db: &impl ConnectionTrait) -> Result<(), DbErr> {
    app_meta::Entity::insert(app_meta::ActiveModel {
        key: Set(app_meta::DEMO_KEY.to_string()),
        value: Set("true".to_string()),
    })
    .on_conflict(
        OnConflict::column(app_meta::Column::Key)
            .update_column(app_meta::Column::Value)
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// Loads the demo data into a new database, or again into a demo database (changing
/// nothing there).
///
/// # Errors
/// `NotADemoDatabase` when the database is not marked as a demo database and already
/// has accounts; database errors.
pub async fn seed_demo(db: &DatabaseConnection, settings: &Settings) -> Result<(), SeedError> {
    if !is_demo_database(db).await? {
        let accounts = user::Entity::find().count(db).await?;
        if accounts > 0 {
            return Err(SeedError::NotADemoDatabase { accounts });
        }
        mark_demo_database(db).await?;
    }
    issuing::ensure_institution(
        db,
        settings,
        NewInstitution {
            slug: DEMO_INSTITUTION.into(),
            name: "Demo University".into(),
            url: "https://www.example.edu".into(),
            email: "badges@example.edu".into(),
        },
    )
    .await?;
    for (email, name, role) in DEMO_ACCOUNTS {
        let new = NewAccount {
            email: email.into(),
            display_name: name.into(),
            password: DEMO_PASSWORD.into(),
            role,
            institution: matches!(role, Role::Reviewer | Role::IssuerAdmin)
                .then(|| DEMO_INSTITUTION.to_string()),
        };
        match accounts::create(db, new).await {
            Ok(_) | Err(ServerError::User(AppError::EmailTaken)) => {}
            Err(e) => return Err(e.into()),
        }
        // Demo addresses count as confirmed (example.edu/.org mail goes nowhere).
        if let Some(user) = accounts::find_by_email(db, email).await? {
            accounts::mark_confirmed(db, user.id).await?;
        }
    }
    seed_catalog(db, settings).await?;
    seed_earning(db, settings).await?;
    seed_portfolio(db).await?;
    seed_sharing(db).await?;
    seed_import(db, settings).await?;
    seed_endorsements_and_collections(db, settings).await?;
    seed_renewable(db, settings).await?;
    Ok(())
}

/// A demo badge that lapses a year after it is earned (renewed by retaking the course);
/// not part of any program.
const DEMO_RENEWABLE: DemoBadge = (
    "Research Data Handling",
    "Handle personal and sensitive research data safely and lawfully. Renewed every year.",
    "Complete the year's research data handling course and pass its assessment with 80 % or more.",
    "The course's assessment result.",
    "",
    &["professionalism"],
    0,
);

/// How long [`DEMO_RENEWABLE`] stays valid.
const DEMO_RENEWABLE_MONTHS: u32 = 12;

/// How many days after the first seeding Ada's [`DEMO_RENEWABLE`] badge expires: within
/// the wall's "expiring soon" window, so her wall shows that mark.
pub const DEMO_EXPIRES_IN_DAYS: i64 = 18;

/// Ada's badge that expires soon: [`DEMO_RENEWABLE`], awarded to her through the normal
/// issuing path (signed, with a status entry) as of almost a year ago, so its
/// `validUntil` falls [`DEMO_EXPIRES_IN_DAYS`] days after the first seeding. The badge
/// class is made once; the award only when Ada has never held it (later runs change
/// nothing, and the date it expires stays the one first signed).
async fn seed_renewable(db: &DatabaseConnection, settings: &Settings) -> Result<(), SeedError> {
    use app::server::awards::{self, AwardRequest, Recipient};
    use app::server::catalog::{
        badges::{self, BadgeInput},
        institutions,
    };
    use app::server::entities::{award, badge, badge_version};
    use chrono::{Duration, Months, Utc};

    let Some(ada) = accounts::find_by_email(db, "ada@example.org").await? else {
        return Ok(());
    };
    let inst = institutions::by_slug(db, DEMO_INSTITUTION).await?;
    let (name, description, criteria, evidence, rubric, comps, credits) = DEMO_RENEWABLE;
    let mut existing = None;
    for v in badge_version::Entity::find()
        .filter(badge_version::Column::Name.eq(name))
        .all(db)
        .await?
    {
        if let Some(b) = badge::Entity::find_by_id(v.badge_id).one(db).await?
            && b.institution_id == inst.id
        {
            existing = Some(b);
            break;
        }
    }
    let b = match existing {
        Some(b) => b,
        None => {
            badges::create(
                db,
                settings,
                &inst,
                None,
                BadgeInput {
                    name: name.into(),
                    description: description.into(),
                    criteria: criteria.into(),
                    achievement_type: "Badge".into(),
                    tags: "demo".into(),
                    credits: credits.to_string(),
                    evidence_required: evidence.into(),
                    rubric: rubric.into(),
                    validity_months: DEMO_RENEWABLE_MONTHS.to_string(),
                    competencies: comps
                        .iter()
                        .map(|c| format!("{}/competencies/{c}", settings.public_url))
                        .collect(),
                    ..Default::default()
                },
            )
            .await?
        }
    };
    let held = award::Entity::find()
        .filter(award::Column::UserId.eq(ada.id))
        .filter(award::Column::BadgeId.eq(b.id))
        .count(db)
        .await?;
    if held > 0 {
        return Ok(());
    }
    let now = Utc::now();
    let Some(issued_at) = (now + Duration::days(DEMO_EXPIRES_IN_DAYS))
        .checked_sub_months(Months::new(DEMO_RENEWABLE_MONTHS))
    else {
        return Ok(());
    };
    awards::issue_at(
        db,
        settings,
        AwardRequest {
            badge_id: b.id,
            recipient: Recipient::User {
                user_id: ada.id,
                email: ada.email.clone(),
                name: ada.display_name.clone(),
            },
            narrative: Some("Passed the research data handling assessment with 92 %.".into()),
            rubric: Vec::new(),
            evidence: Vec::new(),
            program_id: None,
            submission_id: None,
            bulk_row_id: None,
            source: award::SOURCE_DEMO,
            awarded_by: None,
        },
        issued_at,
    )
    .await?;
    Ok(())
}

/// The issuer of Ada's imported badge: another platform, not this one.
pub const DEMO_IMPORT_ISSUER: &str = "Open Learning Collective";
/// The name of Ada's imported badge.
pub const DEMO_IMPORT_BADGE: &str = "Open Source Contributor";

/// An OB 3.0 credential for ada@example.org (hashed with a salt) signed by a did:key
/// made now: another issuer, as if from another platform.
fn foreign_credential() -> Result<serde_json::Value, SeedError> {
    use openbadges::keys::{SigningKey, verification_method};
    use rand::RngCore as _;
    let key = SigningKey::generate();
    let did = format!("did:key:{}", key.public_multibase());
    let vm = verification_method(&did, &key.public_multibase());
    let mut salt = [0u8; 12];
    rand::rngs::OsRng.fill_bytes(&mut salt);
    let salt: String = salt.iter().map(|b| format!("{b:02x}")).collect();
    let mut cred = serde_json::json!({
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
        ],
        "id": format!("urn:uuid:{}", uuid::Uuid::new_v4()),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": { "id": did, "type": ["Profile"], "name": DEMO_IMPORT_ISSUER },
        "validFrom": "2026-03-01T00:00:00Z",
        "name": DEMO_IMPORT_BADGE,
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [{
                "type": "IdentityObject",
                "identityType": "emailAddress",
                "hashed": true,
                "salt": salt,
                "identityHash": openbadges::verify::identity_hash("ada@example.org", &salt)
            }],
            "achievement": {
                "id": format!("urn:uuid:{}", uuid::Uuid::new_v4()),
                "type": ["Achievement"],
                "name": DEMO_IMPORT_BADGE,
                "description": "Contributed reviewed changes to an open-source project.",
                "criteria": { "narrative": "Three merged pull requests, each reviewed by a maintainer." }
            }
        }
    });
    openbadges::proof::sign(&mut cred, &key, &vm, "2026-03-01T00:00:00Z")
        .map_err(|e| SeedError::Server(ServerError::Sign(e)))?;
    Ok(cred)
}

/// Ada's imported badge: a credential from another issuer, imported through the same
/// path a learner's upload takes (verified, recipient matched). Skipped once she has one.
async fn seed_import(db: &DatabaseConnection, settings: &Settings) -> Result<(), SeedError> {
    use app::server::entities::imported_badge;
    use app::server::portfolio::import::{self, Documents, Upload};
    let Some(ada) = accounts::find_by_email(db, "ada@example.org").await? else {
        return Ok(());
    };
    let held = imported_badge::Entity::find()
        .filter(imported_badge::Column::UserId.eq(ada.id))
        .count(db)
        .await?;
    if held > 0 {
        return Ok(());
    }
    let cred = foreign_credential()?;
    let text = serde_json::to_string_pretty(&cred)
        .map_err(|_| SeedError::Server(ServerError::Context("serialising the demo import")))?;
    import::import(
        db,
        settings,
        ada.id,
        Upload::Pasted(text),
        &Documents::Network,
    )
    .await?;
    Ok(())
}

/// Ada's endorsements and collection: an approved (signed) endorsement from Grace
/// Hopper and one waiting for her decision, both on "Data Analysis Foundations", and the
/// collection "Data skills" with two badges. Skipped once she has any endorsement or
/// collection.
async fn seed_endorsements_and_collections(
    db: &DatabaseConnection,
    settings: &Settings,
) -> Result<(), SeedError> {
    use app::server::entities::{award, badge_version, collection, endorsement};
    use app::server::{collections, endorsements};
    let (Some(ada), Some(grace)) = (
        accounts::find_by_email(db, "ada@example.org").await?,
        accounts::find_by_email(db, "grace@example.org").await?,
    ) else {
        return Ok(());
    };
    let started = endorsement::Entity::find()
        .filter(endorsement::Column::UserId.eq(ada.id))
        .count(db)
        .await?
        + collection::Entity::find()
            .filter(collection::Column::UserId.eq(ada.id))
            .count(db)
            .await?;
    if started > 0 {
        return Ok(());
    }
    let mut by_name = std::collections::HashMap::new();
    for a in award::Entity::find()
        .filter(award::Column::UserId.eq(ada.id))
        .filter(award::Column::RevokedAt.is_null())
        .all(db)
        .await?
    {
        if let Some(v) = badge_version::Entity::find_by_id(a.badge_version_id)
            .one(db)
            .await?
        {
            by_name.insert(v.name, a.public_id.to_string());
        }
    }
    let token_of = |link: &str| link.rsplit('/').next().unwrap_or_default().to_string();
    if let Some(award) = by_name.get("Data Analysis Foundations") {
        let asked = endorsements::request(db, settings, &ada, award, "Grace Hopper", "").await?;
        endorsements::submit(
            db,
            &token_of(&asked.link),
            "Grace Hopper, mentor",
            "Ada turned a messy city cycling data set into a clear, honest analysis, and explained every choice she made. I would trust her with our data.",
            Some(&grace),
            chrono::Utc::now(),
        )
        .await?;
        endorsements::decide(
            db,
            settings,
            ada.id,
            &asked.public_id,
            endorsements::Decision::Approve,
        )
        .await?;
        let pending = endorsements::request(db, settings, &ada, award, "Alan Turing", "").await?;
        endorsements::submit(
            db,
            &token_of(&pending.link),
            "Alan Turing, employer",
            "Ada's analysis work during her internship was careful and well documented.",
            None,
            chrono::Utc::now(),
        )
        .await?;
    }
    let data_skills = collections::create(
        db,
        ada.id,
        "Data skills",
        "What I can do with data: analysis and the program that stacks it.",
    )
    .await?;
    for name in ADA_PUBLIC {
        if let Some(award) = by_name.get(*name) {
            collections::add(db, ada.id, &data_skills, &format!("a:{award}")).await?;
        }
    }
    Ok(())
}

/// The badges on Ada's public profile (`/p/ada`): one component and the program
/// credential; the rest of her badges stay private.
const ADA_PUBLIC: &[&str] = &["Data Analysis Foundations", "Data Literacy"];

/// Ada's public profile: the handle `ada` and two public badges. Skipped once she has a
/// handle (so a learner's later choices on a demo database are kept).
async fn seed_portfolio(db: &DatabaseConnection) -> Result<(), SeedError> {
    use app::server::entities::{award, badge_version};
    use app::server::portfolio::profile;
    let Some(ada) = accounts::find_by_email(db, "ada@example.org").await? else {
        return Ok(());
    };
    if ada.handle.is_some() {
        return Ok(());
    }
    profile::set_handle(db, ada.id, "ada").await?;
    let held = award::Entity::find()
        .filter(award::Column::UserId.eq(ada.id))
        .filter(award::Column::RevokedAt.is_null())
        .all(db)
        .await?;
    for a in held {
        let name = badge_version::Entity::find_by_id(a.badge_version_id)
            .one(db)
            .await?
            .map(|v| v.name)
            .unwrap_or_default();
        if ADA_PUBLIC.contains(&name.as_str()) {
            profile::set_visibility(db, ada.id, &a.public_id.to_string(), true).await?;
        }
    }
    Ok(())
}

/// Ada's sharing, filled in: a share link named "LinkedIn" on her first public badge
/// with views from several sources, and views of that badge's permanent page. Skipped
/// once she has any share link.
async fn seed_sharing(db: &DatabaseConnection) -> Result<(), SeedError> {
    use app::server::entities::{award, badge_version, share_link, view_count};
    use app::server::sharing::links::new_token;
    use sea_orm::{ActiveModelTrait, QueryOrder, Set};
    let Some(ada) = accounts::find_by_email(db, "ada@example.org").await? else {
        return Ok(());
    };
    let has_links = share_link::Entity::find()
        .filter(share_link::Column::UserId.eq(ada.id))
        .count(db)
        .await?
        > 0;
    if has_links {
        return Ok(());
    }
    let public = award::Entity::find()
        .filter(award::Column::UserId.eq(ada.id))
        .filter(award::Column::IsPublic.eq(true))
        .filter(award::Column::RevokedAt.is_null())
        .order_by_asc(award::Column::Id)
        .all(db)
        .await?;
    let mut chosen = None;
    for a in public {
        let name = badge_version::Entity::find_by_id(a.badge_version_id)
            .one(db)
            .await?
            .map(|v| v.name)
            .unwrap_or_default();
        if name == ADA_PUBLIC[0] {
            chosen = Some(a);
            break;
        }
    }
    let Some(a) = chosen else {
        return Ok(());
    };
    let now = chrono::Utc::now();
    let link = share_link::ActiveModel {
        token: Set(new_token()),
        user_id: Set(ada.id),
        kind: Set(share_link::KIND_BADGE.into()),
        award_id: Set(Some(a.id)),
        name: Set("LinkedIn".into()),
        show_evidence: Set(true),
        created_at: Set(now - chrono::Duration::days(6)),
        ..Default::default()
    }
    .insert(db)
    .await?;
    let views: &[(&str, i32, &str, i64)] = &[
        (view_count::SUBJECT_LINK, link.id, "linkedin", 14),
        (view_count::SUBJECT_LINK, link.id, "direct", 5),
        (view_count::SUBJECT_LINK, link.id, "email", 3),
        (view_count::SUBJECT_LINK, link.id, "qr", 2),
        (view_count::SUBJECT_AWARD, a.id, "linkedin", 9),
        (view_count::SUBJECT_AWARD, a.id, "email", 6),
        (view_count::SUBJECT_AWARD, a.id, "embed", 4),
        (view_count::SUBJECT_AWARD, a.id, "direct", 2),
    ];
    for (i, (kind, id, source, n)) in views.iter().enumerate() {
        // Spread over the last few days, as real visits are.
        let day = (now - chrono::Duration::days(i64::try_from(i % 4).unwrap_or(0)))
            .format("%Y-%m-%d")
            .to_string();
        view_count::ActiveModel {
            subject_kind: Set((*kind).into()),
            subject_id: Set(*id),
            source: Set((*source).into()),
            day: Set(day),
            views: Set(*n),
            ..Default::default()
        }
        .insert(db)
        .await?;
    }
    Ok(())
}

/// A demo badge: name, description, criteria, evidence, rubric, competencies, credits.
type DemoBadge = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static [&'static str],
    u8,
);

/// The demo programs: slug, name, description, credits, credit-bearing, badges, learners enrolled.
type DemoProgram = (
    &'static str,
    &'static str,
    &'static str,
    u8,
    bool,
    &'static [DemoBadge],
    &'static [&'static str],
);

/// The demo programs.
const DEMO_PROGRAMS: &[DemoProgram] = &[
    (
        "data-literacy",
        "Data Literacy",
        "Read, question and present data with confidence: a mini-minor for any major.\n\nTwo badges stack into the Data Literacy micro-credential, which adds a notation to your transcript.",
        3,
        true,
        &[
            (
                "Data Analysis Foundations",
                "Clean, summarise and question a real data set.",
                "Analyse a public data set of your choice: clean it, summarise it, and state three questions it can and cannot answer.",
                "A notebook or spreadsheet with your analysis, and a one-page reflection.",
                "Analysis: Exemplary (3), Proficient (2), Developing (1)\nReflection: Insightful (2), Adequate (1)",
                &["critical-thinking", "digital-technology"],
                2,
            ),
            (
                "Data Storytelling",
                "Turn an analysis into a clear, honest story with charts.",
                "Present a data story of at most five minutes to a non-specialist audience, with charts that follow accessibility guidelines.",
                "A recording or slides of your presentation.",
                "Clarity: Exemplary (3), Proficient (2), Developing (1)",
                &["communication"],
                1,
            ),
        ],
        &["ada@example.org"],
    ),
    (
        "team-leadership",
        "Team Leadership Essentials",
        "Lead a team through a real project: for students and working professionals alike. Not for credit.",
        0,
        false,
        &[
            (
                "Collaborative Project",
                "Deliver a project as a member of a team of three or more.",
                "Complete a team project with shared goals, roles and a retrospective.",
                "The project's outcome and a peer endorsement.",
                "",
                &["teamwork"],
                0,
            ),
            (
                "Leading Meetings",
                "Plan and facilitate meetings that end with decisions.",
                "Facilitate three meetings with an agenda, notes and decisions recorded.",
                "Agendas and notes of the three meetings.",
                "Facilitation: Exemplary (3), Proficient (2), Developing (1)",
                &["leadership", "professionalism"],
                0,
            ),
        ],
        &["ada@example.org", "grace@example.org"],
    ),
    (
        "intercultural-communication",
        "Intercultural Communication",
        "Work and communicate across cultures: a mini concentration for future global professionals.",
        0,
        false,
        &[(
            "Global Perspectives",
            "Understand and respect perspectives from cultures other than your own.",
            "Complete an intercultural exchange project and reflect on what changed in how you work.",
            "A reflective essay of 800 to 1,200 words.",
            "",
            &["intercultural-fluency"],
            0,
        )],
        &["grace@example.org"],
    ),
];

/// The demo institution's catalog: three programs (one credit-bearing) with their
/// badges, rubrics and alignments, and demo learners enrolled in some. Skipped when the
/// institution already has them.
async fn seed_catalog(db: &DatabaseConnection, settings: &Settings) -> Result<(), SeedError> {
    use app::server::catalog::{
        badges::{self, BadgeInput},
        enrollment, institutions,
        programs::{self, ProgramInput},
    };
    let inst = institutions::by_slug(db, DEMO_INSTITUTION).await?;
    for (slug, name, description, credits, credit_bearing, demo_badges, learners) in DEMO_PROGRAMS {
        if programs::by_slug(db, slug).await.is_ok() {
            continue;
        }
        let mut ids = Vec::new();
        for (bname, bdesc, criteria, evidence, rubric, comps, bcredits) in *demo_badges {
            let b = badges::create(
                db,
                settings,
                &inst,
                None,
                BadgeInput {
                    name: (*bname).into(),
                    description: (*bdesc).into(),
                    criteria: (*criteria).into(),
                    achievement_type: "Badge".into(),
                    tags: "demo".into(),
                    credits: bcredits.to_string(),
                    evidence_required: (*evidence).into(),
                    rubric: (*rubric).into(),
                    competencies: comps
                        .iter()
                        .map(|c| format!("{}/competencies/{c}", settings.public_url))
                        .collect(),
                    ..Default::default()
                },
            )
            .await?;
            ids.push(b.public_id.to_string());
        }
        programs::create(
            db,
            settings,
            &inst,
            None,
            ProgramInput {
                slug: (*slug).into(),
                name: (*name).into(),
                description: (*description).into(),
                credits: credits.to_string(),
                credit_bearing: *credit_bearing,
                terms: "Fall 2027, Spring 2028".into(),
                badges: ids,
                enrollment_open: true,
                ..Default::default()
            },
        )
        .await?;
        for email in *learners {
            if let Some(u) = user::Entity::find()
                .filter(user::Column::Email.eq(*email))
                .one(db)
                .await?
            {
                enrollment::enroll(db, u.id, slug).await?;
            }
        }
    }
    Ok(())
}

/// A learner's work on one demo badge: learner, program, badge, narrative, link, and
/// how far it got.
type DemoWork = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    DemoStage,
);

/// Where a piece of demo work stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DemoStage {
    /// A draft, not yet submitted.
    InProgress,
    /// Submitted and waiting in the reviewer's queue.
    Submitted,
    /// The reviewer asked for changes.
    ChangesRequested,
    /// Approved: the badge is awarded.
    Awarded,
    /// Awarded, then revoked by the issuer.
    Revoked,
}

/// The demo learners' work, in order: Ada completes the credit-bearing Data Literacy
/// stack (so she holds its program credential and a transcript notation), has one badge
/// with changes requested and one in progress; Grace holds a revoked badge and has one
/// submission waiting for review.
const DEMO_WORK: &[DemoWork] = &[
    (
        "ada@example.org",
        "data-literacy",
        "Data Analysis Foundations",
        "I analysed the city's open cycling data: cleaned 2 years of counter readings, summarised them by season and weather, and listed what the data cannot tell us (who cycles, and why).",
        "https://example.org/ada/cycling-analysis",
        DemoStage::Awarded,
    ),
    (
        "ada@example.org",
        "data-literacy",
        "Data Storytelling",
        "A five-minute talk for the student council on where the new bike racks should go, with three accessible charts.",
        "https://example.org/ada/bike-racks-talk",
        DemoStage::Awarded,
    ),
    (
        "ada@example.org",
        "team-leadership",
        "Collaborative Project",
        "Our team of four built a tutoring rota app for the maths department.",
        "https://example.org/ada/tutoring-rota",
        DemoStage::ChangesRequested,
    ),
    (
        "ada@example.org",
        "team-leadership",
        "Leading Meetings",
        "Notes of my first two meetings; the third is next week.",
        "",
        DemoStage::InProgress,
    ),
    (
        "grace@example.org",
        "intercultural-communication",
        "Global Perspectives",
        "Reflections on a semester of exchange with a partner class in Nairobi.",
        "https://example.org/grace/exchange-essay",
        DemoStage::Revoked,
    ),
    (
        "grace@example.org",
        "team-leadership",
        "Collaborative Project",
        "I coordinated a team of five organising the department's open day.",
        "https://example.org/grace/open-day",
        DemoStage::Submitted,
    ),
];

/// The demo learners' evidence, reviews and awards (see [`DEMO_WORK`]), made through the
/// same code as the screens: submissions, the reviewer's decisions (which sign the
/// credentials and stack the program credential), and a revocation by the issuer admin.
/// Skipped when the demo institution has awarded anything already.
async fn seed_earning(db: &DatabaseConnection, settings: &Settings) -> Result<(), SeedError> {
    use app::server::authz::{Actor, Membership, StaffRole};
    use app::server::awards::lifecycle;
    use app::server::catalog::institutions;
    use app::server::entities::{award, badge, badge_version, outbox};
    use app::server::evidence::{
        review::{self, Decision},
        submissions::{self, ItemFlags},
    };

    let inst = institutions::by_slug(db, DEMO_INSTITUTION).await?;
    let awarded = award::Entity::find()
        .filter(award::Column::InstitutionId.eq(inst.id))
        .count(db)
        .await?;
    if awarded > 0 {
        return Ok(());
    }
    let staff = |email: &str| {
        let email = email.to_string();
        async move {
            accounts::find_by_email(db, &email)
                .await?
                .ok_or(ServerError::User(AppError::NotFound))
        }
    };
    let reviewer = staff("reviewer@example.edu").await?;
    let reviewer = Actor::User {
        user: Box::new(reviewer),
        memberships: vec![Membership {
            institution_id: inst.id,
            role: StaffRole::Reviewer,
        }],
    };
    let admin = staff("issuer@example.edu").await?;

    for (email, program, badge_name, narrative, link, stage) in DEMO_WORK {
        let learner = staff(email).await?;
        let Some(version) = badge_version::Entity::find()
            .filter(badge_version::Column::Name.eq(*badge_name))
            .one(db)
            .await?
        else {
            continue;
        };
        let Some(b) = badge::Entity::find_by_id(version.badge_id).one(db).await? else {
            continue;
        };
        let badge_id = b.public_id.to_string();
        submissions::save_narrative(db, &learner, program, &badge_id, narrative).await?;
        if !link.is_empty() {
            let flags = ItemFlags {
                include_in_credential: true,
                is_public: true,
            };
            submissions::add_link(
                db,
                &learner,
                program,
                &badge_id,
                link,
                "Project page",
                flags,
            )
            .await?;
        }
        if *stage == DemoStage::InProgress {
            continue;
        }
        submissions::submit(db, &learner, program, &badge_id).await?;
        // The best level of every rubric criterion.
        let levels: Vec<String> = version
            .rubric
            .as_deref()
            .and_then(|r| serde_json::from_str::<Vec<app::model::catalog::RubricCriterion>>(r).ok())
            .unwrap_or_default()
            .iter()
            .filter_map(|c| c.levels.first().map(|l| l.name.clone()))
            .collect();
        let submission = submissions::mine(db, settings, &learner, program, &badge_id).await?;
        let (decision, feedback) = match stage {
            DemoStage::Submitted | DemoStage::InProgress => continue,
            DemoStage::ChangesRequested => (
                Decision::RequestChanges,
                "Good start. Please add the retrospective your team held at the end, and say what your own role was.",
            ),
            DemoStage::Awarded | DemoStage::Revoked => {
                (Decision::Approve, "Clear, well-evidenced work. Well done!")
            }
        };
        review::decide(
            db,
            settings,
            &reviewer,
            DEMO_INSTITUTION,
            &submission.public_id,
            decision,
            feedback,
            &levels,
        )
        .await?;
        if *stage == DemoStage::Revoked
            && let Some(a) = award::Entity::find()
                .filter(award::Column::UserId.eq(learner.id))
                .filter(award::Column::BadgeId.eq(b.id))
                .one(db)
                .await?
        {
            lifecycle::revoke(
                db,
                settings,
                &inst,
                Some(admin.id),
                &a.public_id.to_string(),
                "Issued by mistake: the exchange project was not completed this term.",
                // The one-badge program's credential stacked on it goes too.
                Some(true),
            )
            .await?;
        }
    }
    // The demo's reviews and revocation queued mail to example.org addresses, which go
    // nowhere: seeding sends none (the in-app notifications stay).
    let demo_addresses: Vec<&str> = DEMO_ACCOUNTS.iter().map(|(email, _, _)| *email).collect();
    outbox::Entity::delete_many()
        .filter(outbox::Column::Recipient.is_in(demo_addresses))
        .exec(db)
        .await?;
    Ok(())
}

/// The logins, as printed after seeding.
pub fn demo_logins() -> String {
    let mut out = String::from("Demo logins (password for all: ");
    out.push_str(DEMO_PASSWORD);
    out.push_str(")\n");
    for (email, name, role) in DEMO_ACCOUNTS {
        out.push_str(&format!("  {:<16} {email:<24} {name}\n", role.label()));
    }
    out
}
