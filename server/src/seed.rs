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
    ActiveValue::Set, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, PaginatorTrait,
    sea_query::OnConflict,
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
