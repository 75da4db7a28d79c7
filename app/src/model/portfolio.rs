//! Portfolio types both sides share: the badge wall and its query, stacks with
//! progress, competencies, one badge in detail, and the public profile.

use serde::{Deserialize, Serialize};

use super::awards::{FilterOption, NotationRow};

/// Cards on one screenful of the wall; "Show more" adds another.
pub const PAGE_SIZE: u32 = 48;
/// The most cards one answer holds, however often "Show more" was pressed.
pub const MAX_LIMIT: u32 = 2_000;
/// How close an expiry is "expiring soon".
pub const EXPIRING_SOON_DAYS: i64 = 30;

/// The mark a badge carries on the wall, from its stored verdict and standing (and
/// its expiry, which passes without anyone checking). Only `Verified` and
/// `ExpiringSoon` mean "verified and active".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mark {
    Verified,
    ExpiringSoon,
    Expired,
    Revoked,
    Suspended,
    NotYetValid,
    NotVerified,
    Unverifiable,
}

impl Mark {
    /// Every mark, in the order the status filter offers them.
    pub const ALL: [Mark; 8] = [
        Mark::Verified,
        Mark::ExpiringSoon,
        Mark::Expired,
        Mark::Revoked,
        Mark::Suspended,
        Mark::NotYetValid,
        Mark::NotVerified,
        Mark::Unverifiable,
    ];

    /// The stable name (query parameter, `data-mark`).
    pub fn as_str(self) -> &'static str {
        match self {
            Mark::Verified => "verified",
            Mark::ExpiringSoon => "expiring_soon",
            Mark::Expired => "expired",
            Mark::Revoked => "revoked",
            Mark::Suspended => "suspended",
            Mark::NotYetValid => "not_yet_valid",
            Mark::NotVerified => "not_verified",
            Mark::Unverifiable => "unverifiable",
        }
    }

    /// The words shown (the colour only repeats them).
    pub fn label(self) -> &'static str {
        match self {
            Mark::Verified => "Verified",
            Mark::ExpiringSoon => "Expiring soon",
            Mark::Expired => "Expired",
            Mark::Revoked => "Revoked",
            Mark::Suspended => "Suspended",
            Mark::NotYetValid => "Not yet valid",
            Mark::NotVerified => "Not verified",
            Mark::Unverifiable => "Could not be verified",
        }
    }

    /// The symbol before the words (decorative: the words carry the meaning).
    pub fn symbol(self) -> &'static str {
        match self {
            Mark::Verified => "✓",
            Mark::ExpiringSoon => "⏳",
            Mark::Expired | Mark::NotYetValid => "⌛",
            Mark::Revoked | Mark::Suspended | Mark::NotVerified => "✗",
            Mark::Unverifiable => "?",
        }
    }

    /// Parses [`Mark::as_str`].
    pub fn parse(s: &str) -> Option<Mark> {
        Mark::ALL.into_iter().find(|m| m.as_str() == s)
    }

    /// Verified and in good standing.
    pub fn is_good(self) -> bool {
        matches!(self, Mark::Verified | Mark::ExpiringSoon)
    }
}

/// The wall's query (`/portfolio?q=…&sort=…`): a GET form without JavaScript, the
/// same parameters with it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WallQuery {
    /// Words in the badge's name, issuer or tags.
    #[serde(default)]
    pub q: String,
    /// `date` (newest first, the default), `name` or `issuer`.
    #[serde(default)]
    pub sort: String,
    /// A program's slug.
    #[serde(default)]
    pub program: String,
    /// A competency's slug.
    #[serde(default)]
    pub competency: String,
    /// An issuer's slug.
    #[serde(default)]
    pub issuer: String,
    /// A [`Mark::as_str`].
    #[serde(default)]
    pub status: String,
    /// `yes`: only badges of credit-bearing programs.
    #[serde(default)]
    pub credit: String,
    /// How many cards to show (a multiple of [`PAGE_SIZE`]; empty: one page).
    #[serde(default)]
    pub limit: String,
}

impl WallQuery {
    /// The parameters that are set, in a stable order (for links and the URL).
    pub fn pairs(&self) -> Vec<(&'static str, String)> {
        [
            ("q", &self.q),
            ("sort", &self.sort),
            ("program", &self.program),
            ("competency", &self.competency),
            ("issuer", &self.issuer),
            ("status", &self.status),
            ("credit", &self.credit),
            ("limit", &self.limit),
        ]
        .into_iter()
        .filter(|(_, v)| !v.trim().is_empty())
        .map(|(k, v)| (k, v.trim().to_string()))
        .collect()
    }

    /// Whether any filter or search narrows the wall.
    pub fn narrows(&self) -> bool {
        [
            &self.q,
            &self.program,
            &self.competency,
            &self.issuer,
            &self.status,
            &self.credit,
        ]
        .iter()
        .any(|v| !v.trim().is_empty())
    }

    /// The number of cards asked for, within bounds.
    pub fn limit(&self) -> u32 {
        self.limit
            .trim()
            .parse::<u32>()
            .unwrap_or(PAGE_SIZE)
            .clamp(PAGE_SIZE, MAX_LIMIT)
    }
}

/// One card on the wall.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WallCard {
    /// The award's public id (`/portfolio/badges/{id}`).
    pub public_id: String,
    pub name: String,
    pub issuer: String,
    pub image_url: String,
    /// `YYYY-MM-DD`.
    pub awarded_at: String,
    /// `YYYY-MM-DD`, when it expires (or expired).
    pub expires_at: Option<String>,
    pub mark: Mark,
    /// Why it was revoked, when it was.
    pub revocation_reason: Option<String>,
    pub is_public: bool,
    /// The program, for a program's own credential.
    pub program: Option<String>,
    pub credits: i32,
    /// Earned elsewhere and imported (not issued here).
    #[serde(default)]
    pub imported: bool,
}

/// `/portfolio`'s wall: a screenful of cards.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Wall {
    pub cards: Vec<WallCard>,
    /// Badges the learner holds.
    pub held: u32,
    /// Badges the query matches (`cards` holds at most the limit of them).
    pub matched: u32,
}

/// The wall filters' choices: only what the learner's badges have.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WallFilters {
    pub programs: Vec<FilterOption>,
    pub competencies: Vec<FilterOption>,
    pub issuers: Vec<FilterOption>,
    /// The marks present on the learner's badges.
    pub statuses: Vec<FilterOption>,
}

/// One badge of a program's stack.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StackPart {
    pub name: String,
    pub credits: i32,
    /// The learner's award of it, when held in good standing.
    pub award: Option<String>,
    pub image_url: String,
}

/// A program the learner is enrolled in or completed, with progress.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stack {
    pub program_slug: String,
    pub program_name: String,
    pub issuer: String,
    pub credit_bearing: bool,
    pub components: Vec<StackPart>,
    /// The program's own badge; its `award` is set once earned.
    pub program_badge: Option<StackPart>,
    pub held: u32,
    pub total: u32,
    pub credits_held: i32,
    pub credits_total: i32,
    pub completed: bool,
}

/// One competency the learner's badges back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompetencyRow {
    pub slug: String,
    pub name: String,
    /// The competency's public page.
    pub url: String,
    /// The badges that back it: (award public id, badge name).
    pub badges: Vec<(String, String)>,
}

/// `/portfolio`'s overview: stacks, competencies, notations and the handle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Overview {
    pub stacks: Vec<Stack>,
    pub competencies: Vec<CompetencyRow>,
    pub notations: Vec<NotationRow>,
    /// The public profile's handle, once chosen.
    pub handle: Option<String>,
    pub filters: WallFilters,
}

/// A line of the verification report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckLine {
    pub id: String,
    /// `pass`, `fail`, `skip`, … as the verifier names it.
    pub outcome: String,
    pub message: String,
}

/// The verification report run when the badge page is opened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verification {
    pub mark: Mark,
    /// `verified`, `not_verified`, `unverifiable`.
    pub verdict: String,
    /// `active`, `revoked`, …
    pub standing: String,
    /// Why not, when the verdict is not "verified" or the standing not "active".
    pub reason: Option<String>,
    /// Who signed, when verified.
    pub signer: Option<String>,
    pub checks: Vec<CheckLine>,
}

/// A link or file embedded as evidence in the credential.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvidenceEntry {
    pub name: String,
    /// Where it can be opened, if anywhere.
    pub url: Option<String>,
    pub description: Option<String>,
}

/// A rubric line of the evidence's result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RubricLine {
    pub criterion: String,
    pub level: String,
}

/// `/portfolio/badges/{award}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BadgeDetail {
    pub public_id: String,
    pub name: String,
    pub description: String,
    pub image_url: String,
    pub issuer: String,
    pub issuer_url: Option<String>,
    /// `YYYY-MM-DD`.
    pub awarded_at: String,
    pub expires_at: Option<String>,
    pub criteria: String,
    /// Competencies (name, public page).
    pub alignments: Vec<(String, String)>,
    pub credits: i32,
    pub program: Option<String>,
    pub narrative: Option<String>,
    pub evidence: Vec<EvidenceEntry>,
    pub rubric: Vec<RubricLine>,
    pub verification: Verification,
    pub is_public: bool,
    pub download_url: String,
    /// The public profile's URL when the learner has a handle.
    pub profile_url: Option<String>,
    /// Earned elsewhere and imported: the page offers deleting it, not downloads.
    #[serde(default)]
    pub imported: bool,
}

/// A badge on the public profile: only what the learner made public.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicBadge {
    pub name: String,
    pub issuer: String,
    pub image_url: String,
    /// `YYYY-MM-DD`.
    pub awarded_at: String,
    pub mark: Mark,
    /// Earned elsewhere and imported.
    #[serde(default)]
    pub imported: bool,
}

/// `/p/{handle}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicProfile {
    pub handle: String,
    pub display_name: String,
    pub badges: Vec<PublicBadge>,
}

/// The public profile's path.
pub fn profile_path(handle: &str) -> String {
    format!("/p/{handle}")
}

/// A badge's page in the portfolio.
pub fn badge_path(award_public_id: &str) -> String {
    format!("/portfolio/badges/{award_public_id}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_round_trip_and_only_two_are_good() {
        for m in Mark::ALL {
            assert_eq!(Mark::parse(m.as_str()), Some(m));
        }
        assert_eq!(Mark::parse("fine"), None);
        let good: Vec<_> = Mark::ALL.into_iter().filter(|m| m.is_good()).collect();
        assert_eq!(good, [Mark::Verified, Mark::ExpiringSoon]);
    }

    #[test]
    fn the_limit_stays_in_bounds() {
        let q = |l: &str| WallQuery {
            limit: l.into(),
            ..WallQuery::default()
        };
        assert_eq!(q("").limit(), PAGE_SIZE);
        assert_eq!(q("1").limit(), PAGE_SIZE);
        assert_eq!(q("96").limit(), 96);
        assert_eq!(q("999999").limit(), MAX_LIMIT);
        assert_eq!(q("-3").limit(), PAGE_SIZE);
    }
}
