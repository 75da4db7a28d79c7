//! Demo data: one institution and one account of each kind. Running it twice changes
//! nothing the second time.

use app::error::AppError;
use app::model::Role;
use app::server::{
    ServerError, Settings,
    accounts::{self, NewAccount},
    issuing::{self, NewInstitution},
};
use sea_orm::DatabaseConnection;

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

/// Loads the demo data.
///
/// # Errors
/// Database errors.
pub async fn seed_demo(db: &DatabaseConnection, settings: &Settings) -> Result<(), ServerError> {
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
            Err(e) => return Err(e),
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
