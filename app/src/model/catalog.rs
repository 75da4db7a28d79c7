//! Catalog types both sides share: what the catalog, program and admin pages show.

use serde::{Deserialize, Serialize};

/// Most credits a micro-credential program may carry.
pub const MAX_PROGRAM_CREDITS: i32 = 11;
/// The credit rule as shown on forms.
pub const CREDITS_RULE: &str =
    "A micro-credential program carries 0 to 11 credits (0 for not-for-credit programs).";
/// The cost line a program gets unless the institution says otherwise.
pub const DEFAULT_COST: &str = "No cost beyond regular tuition.";
/// `achievementType` values an institution may pick for a badge (OB 3.0 vocabulary).
pub const ACHIEVEMENT_TYPES: &[&str] = &[
    "Badge",
    "MicroCredential",
    "Competency",
    "Course",
    "Certificate",
    "Achievement",
    "Assignment",
    "Award",
];
/// How a rubric is typed into the badge form.
pub const RUBRIC_RULE: &str = "One criterion per line: its name, a colon, then its levels with points, e.g. \"Analysis: Exemplary (3), Proficient (2), Developing (1)\".";

/// Catalog filters, as given in the page's query string.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogFilter {
    /// Words to find in a program's name or description.
    pub q: Option<String>,
    /// A competency slug the program's badges align to.
    pub competency: Option<String>,
    /// `Some(true)`: credit-bearing only; `Some(false)`: not-for-credit only.
    pub credit_bearing: Option<bool>,
    /// Programs with at most this many credits.
    pub max_credits: Option<i32>,
    /// An institution slug.
    pub institution: Option<String>,
}

/// A choice in a filter or a form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Choice {
    pub value: String,
    pub label: String,
}

/// One program in the catalog list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProgramCard {
    pub slug: String,
    pub name: String,
    pub summary: String,
    pub institution: String,
    pub credits: i32,
    pub credit_bearing: bool,
    pub badge_count: usize,
    pub competencies: Vec<String>,
    pub enrollment_open: bool,
    pub image_url: Option<String>,
}

/// The catalog page: programs that match, and the filters' choices.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Catalog {
    pub programs: Vec<ProgramCard>,
    pub competencies: Vec<Choice>,
    pub institutions: Vec<Choice>,
}

/// A level of a rubric criterion.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RubricLevel {
    pub name: String,
    pub points: u32,
}

/// A rubric criterion with its levels, best first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RubricCriterion {
    pub name: String,
    pub levels: Vec<RubricLevel>,
}

/// A competency, as linked from badges.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompetencyView {
    pub slug: String,
    pub name: String,
    pub description: String,
    /// Its permanent public URL.
    pub url: String,
    /// `None`: the shared framework.
    pub institution: Option<String>,
}

/// A badge as the catalog and the admin screens show it (its current version).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BadgeView {
    pub public_id: String,
    pub version: i32,
    pub name: String,
    pub description: String,
    pub image_url: String,
    pub criteria: String,
    pub achievement_type: String,
    pub tags: Vec<String>,
    pub credits: i32,
    pub evidence_required: String,
    pub rubric: Vec<RubricCriterion>,
    pub validity_months: Option<i32>,
    pub alignments: Vec<CompetencyView>,
}

/// A program page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProgramDetail {
    pub slug: String,
    pub name: String,
    pub description: String,
    pub institution: String,
    pub institution_url: String,
    pub credits: i32,
    pub credit_bearing: bool,
    pub terms: String,
    pub cost: String,
    pub capstone_evidence: String,
    pub enrollment_open: bool,
    /// The component badges, in stacking order.
    pub badges: Vec<BadgeView>,
    pub program_badge: Option<BadgeView>,
    /// Whether the visitor is enrolled (`None` when not signed in).
    pub enrolled: Option<bool>,
}

/// One of the learner's enrollments, for the portfolio.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrollmentView {
    pub program_slug: String,
    pub program_name: String,
    pub institution: String,
    pub credits: i32,
    pub credit_bearing: bool,
    pub badge_count: usize,
    pub enrolled_at: String,
}

/// An institution in the platform admin's list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstitutionSummary {
    pub slug: String,
    pub name: String,
    pub url: String,
    pub email: String,
    pub programs: usize,
    pub staff: usize,
}

/// A staff member or a pending invitation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffView {
    /// The user's public id; `None` for an invitation not yet accepted.
    pub user_id: Option<String>,
    pub name: String,
    pub email: String,
    /// `admin` or `reviewer`.
    pub role: String,
    pub pending: bool,
    /// The invitation's number, for withdrawing a pending one.
    pub invitation: Option<i32>,
}

/// A program in its institution's admin screen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProgramAdminView {
    pub slug: String,
    pub name: String,
    pub description: String,
    pub credits: i32,
    pub credit_bearing: bool,
    pub terms: String,
    pub cost: String,
    pub capstone_evidence: String,
    pub enrollment_open: bool,
    /// Component badges' public ids, in order.
    pub badges: Vec<String>,
    pub program_badge: Option<String>,
    pub enrolled: usize,
}

/// Everything an institution's admin screen shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstitutionAdmin {
    pub slug: String,
    pub name: String,
    pub url: String,
    pub email: String,
    pub description: String,
    pub linkedin_org_id: String,
    pub logo_url: Option<String>,
    /// Whether the viewer may change the profile, staff and catalog (admins; reviewers
    /// only look).
    pub can_manage: bool,
    pub staff: Vec<StaffView>,
    pub badges: Vec<BadgeView>,
    pub programs: Vec<ProgramAdminView>,
    /// Competencies badges may align to: the shared framework and the institution's own.
    pub competencies: Vec<CompetencyView>,
}

/// An institution the viewer works for (for the header's "Manage" links).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManagedInstitution {
    pub slug: String,
    pub name: String,
    pub role: String,
}

/// A rubric as the badge form shows it (the server reads it back with
/// `catalog::badges::parse_rubric`).
pub fn rubric_text(rubric: &[RubricCriterion]) -> String {
    rubric
        .iter()
        .map(|c| {
            let levels: Vec<String> = c
                .levels
                .iter()
                .map(|l| format!("{} ({})", l.name, l.points))
                .collect();
            format!("{}: {}", c.name, levels.join(", "))
        })
        .collect::<Vec<_>>()
        .join("\n")
}
