//! Plain data types shared by the browser and the server.

use serde::{Deserialize, Serialize};

pub mod account_data;
pub mod awards;
pub mod bulk;
pub mod catalog;
pub mod evidence;
pub mod import;
pub mod portfolio;
pub mod sharing;

/// What a person may do on the platform.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Anyone with an account: enrolls, earns and shares badges.
    Learner,
    /// Issuer staff who review evidence for an institution.
    Reviewer,
    /// Issuer staff who administer an institution.
    IssuerAdmin,
    /// Operates the whole platform.
    PlatformAdmin,
}

impl Role {
    /// The name shown to people.
    pub fn label(self) -> &'static str {
        match self {
            Role::Learner => "Learner",
            Role::Reviewer => "Reviewer",
            Role::IssuerAdmin => "Issuer admin",
            Role::PlatformAdmin => "Platform admin",
        }
    }
}

/// The signed-in person, as the pages see them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionUser {
    /// Random public id (never the database key).
    pub id: String,
    pub email: String,
    pub display_name: String,
    /// The most powerful role the person holds.
    pub role: Role,
    /// Name of the institution a staff member works for.
    pub institution: Option<String>,
    /// Whether the person confirmed their address (followed the link mailed to it).
    pub email_confirmed: bool,
    /// The public profile's handle (`/p/{handle}`), once chosen.
    #[serde(default)]
    pub handle: Option<String>,
}

/// One mail of the outbox, as platform admins see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxMail {
    pub id: i32,
    pub recipient: String,
    pub subject: String,
    pub body: String,
    /// `queued`, `sent` or `failed`.
    pub status: String,
    pub attempts: i32,
    pub last_error: Option<String>,
    /// RFC 3339, UTC.
    pub created_at: String,
    /// When the next attempt is due (for a queued mail), RFC 3339.
    pub next_attempt_at: String,
    pub sent_at: Option<String>,
}

/// The outbox page: how mail leaves the platform, and the recent mails.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outbox {
    /// `smtp`, or `log` when no mail server is configured.
    pub mode: String,
    /// Newest first.
    pub mails: Vec<OutboxMail>,
}

/// Rules for a new password, stated once for the form and the check.
pub const PASSWORD_MIN_CHARS: usize = 10;
/// Argon2 input is bounded so a huge password cannot be used to burn CPU.
pub const PASSWORD_MAX_CHARS: usize = 128;
/// The rule as shown on every form that sets a password.
pub const PASSWORD_RULE: &str =
    "At least 10 characters (up to 128). A passphrase of a few unrelated words works well.";
