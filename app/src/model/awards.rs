//! Award types both sides share: the issuer admin's award and transcript lists, and the
//! learner's "My badges".

use serde::{Deserialize, Serialize};

/// Where an award stands, as shown to people.
pub const STATUS_ACTIVE: &str = "active";
pub const STATUS_REVOKED: &str = "revoked";
pub const STATUS_REPLACED: &str = "replaced";
pub const STATUS_EXPIRED: &str = "expired";

/// The admin's award filters (query string of `/manage/{inst}/awards`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AwardsFilter {
    /// A badge's public id.
    #[serde(default)]
    pub badge: String,
    /// A program's slug (its component badges and its credential).
    #[serde(default)]
    pub program: String,
    /// Part of the recipient's e-mail address.
    #[serde(default)]
    pub q: String,
}

/// A program credential that stacks an award's badge (what revoking it may take along).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DependentProgram {
    pub program: String,
    /// Whether a transcript notation goes with it.
    pub credit_bearing: bool,
}

/// One award in the admin's list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AwardRow {
    pub public_id: String,
    pub badge_name: String,
    /// The program, for a program credential.
    pub program: Option<String>,
    pub recipient_name: String,
    pub recipient_email: String,
    /// Awarded to an address no account has confirmed yet.
    pub pending: bool,
    /// `YYYY-MM-DD`.
    pub awarded_at: String,
    /// One of the `STATUS_*` constants.
    pub status: String,
    pub revocation_reason: Option<String>,
    pub source: String,
    /// Unrevoked program credentials of the same learner built on this badge.
    pub dependents: Vec<DependentProgram>,
}

/// A choice in a filter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FilterOption {
    pub value: String,
    pub label: String,
}

/// `/manage/{inst}/awards`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AwardsAdmin {
    pub institution: String,
    pub slug: String,
    pub awards: Vec<AwardRow>,
    /// More awards matched than are shown.
    pub truncated: bool,
    pub badges: Vec<FilterOption>,
    pub programs: Vec<FilterOption>,
}

/// A transcript notation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotationRow {
    pub learner_name: String,
    pub learner_email: String,
    pub program: String,
    pub institution: String,
    pub credits: i32,
    pub term: String,
    /// `YYYY-MM-DD`.
    pub date: String,
    /// `active` or `revoked`.
    pub status: String,
    pub revocation_reason: Option<String>,
}

/// `/manage/{inst}/transcripts`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transcripts {
    pub institution: String,
    pub slug: String,
    pub notations: Vec<NotationRow>,
}

/// One of the learner's credentials.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyBadge {
    pub public_id: String,
    pub badge_name: String,
    pub issuer: String,
    pub image_url: String,
    pub program: Option<String>,
    /// `YYYY-MM-DD`.
    pub awarded_at: String,
    /// One of the `STATUS_*` constants.
    pub status: String,
    pub revocation_reason: Option<String>,
    /// `YYYY-MM-DD`, when the credential expires (or expired).
    pub valid_until: Option<String>,
    /// The credential JSON, exactly as signed.
    pub download_url: String,
}

/// The learner's "My badges" section.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyBadges {
    pub badges: Vec<MyBadge>,
    pub notations: Vec<NotationRow>,
}

/// The learner's download of a credential: `/portfolio/credentials/{award}.json`.
pub fn credential_download_url(award_public_id: &str) -> String {
    format!("/portfolio/credentials/{award_public_id}.json")
}

/// The registrar's CSV: `/manage/{inst}/transcripts.csv`.
pub fn transcripts_csv_url(institution: &str) -> String {
    format!("/manage/{institution}/transcripts.csv")
}
