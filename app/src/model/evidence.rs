//! Evidence and review types both sides share: the learner's program and evidence
//! editor, the reviewer's queue and submission screen, and notifications.

use serde::{Deserialize, Serialize};

use super::catalog::RubricCriterion;

/// Largest evidence file (bytes): 25 MiB.
pub const MAX_EVIDENCE_FILE_BYTES: u64 = 25 * 1024 * 1024;
/// Most evidence one learner may store in all (bytes): 250 MiB.
pub const MAX_EVIDENCE_TOTAL_BYTES: u64 = 250 * 1024 * 1024;
/// What the upload field accepts, as told to people.
pub const EVIDENCE_FILE_RULE: &str = "PDF, PNG, JPEG, GIF, WebP, MP4, WebM or QuickTime video, or an office document (Word, Excel, PowerPoint, OpenDocument); up to 25 MB each and 250 MB in all.";
/// The `accept` attribute of the upload field (a hint to the browser; the server checks
/// the content itself).
pub const EVIDENCE_ACCEPT: &str = ".pdf,.png,.jpg,.jpeg,.gif,.webp,.mp4,.webm,.mov,.docx,.xlsx,.pptx,.odt,.ods,.odp,.doc,.xls,.ppt";

/// The words for a submission state.
pub fn state_label(state: &str) -> &'static str {
    match state {
        "draft" => "Draft",
        "submitted" => "Submitted for review",
        "changes_requested" => "Changes requested",
        "resubmitted" => "Resubmitted for review",
        "approved" => "Approved",
        "rejected" => "Rejected",
        _ => "Not started",
    }
}

/// Whether the learner may still change evidence in this state.
pub fn is_editable(state: &str) -> bool {
    matches!(state, "" | "draft" | "changes_requested")
}

/// A badge of a program as the learner works on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LearnBadge {
    pub badge_id: String,
    pub name: String,
    pub image_url: String,
    /// The program's own badge, earned with capstone evidence.
    pub is_capstone: bool,
    /// The submission's state; empty when nothing was started.
    pub state: String,
}

/// `/learn/{program}`: the badges of an enrolled program with where each stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LearnView {
    pub program_slug: String,
    pub program_name: String,
    pub institution: String,
    pub badges: Vec<LearnBadge>,
}

/// One piece of evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemView {
    pub public_id: String,
    /// `file` or `link`.
    pub kind: String,
    pub name: String,
    /// A link's address, or a file's address on this site (`/evidence/{id}`).
    pub url: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    /// `image`, `video`, `pdf` or empty: how the piece can be shown inline.
    pub preview: String,
    pub include_in_credential: bool,
    pub is_public: bool,
}

/// One entry of a submission's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventView {
    pub at: String,
    pub actor: String,
    pub action: String,
    pub from_state: String,
    pub to_state: String,
    pub detail: String,
}

/// A rubric criterion as scored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScoreView {
    pub criterion: String,
    pub level: String,
    pub points: u32,
}

/// A submission as its learner or a reviewer sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubmissionView {
    /// Empty while nothing was saved.
    pub public_id: String,
    pub program_slug: String,
    pub program_name: String,
    pub institution_slug: String,
    pub badge_id: String,
    pub badge_name: String,
    pub badge_image_url: String,
    pub criteria: String,
    pub evidence_required: String,
    pub rubric: Vec<RubricCriterion>,
    pub is_capstone: bool,
    /// What the program asks as capstone evidence (capstones only).
    pub capstone_evidence: String,
    pub learner_name: String,
    /// Empty while nothing was saved.
    pub state: String,
    pub narrative: String,
    pub feedback: String,
    pub scores: Vec<ScoreView>,
    pub items: Vec<ItemView>,
    pub events: Vec<EventView>,
    pub submitted_at: String,
    /// Whether the learner may change the evidence now.
    pub editable: bool,
}

/// A row of the review queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueRow {
    pub public_id: String,
    pub learner: String,
    pub badge: String,
    pub program: String,
    pub state: String,
    pub submitted_at: String,
}

/// A choice of a filter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FilterChoice {
    pub value: String,
    pub label: String,
}

/// `/manage/{inst}/review`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewQueue {
    pub institution_slug: String,
    pub institution_name: String,
    pub programs: Vec<FilterChoice>,
    pub badges: Vec<FilterChoice>,
    /// Waiting for review first (oldest first), then the decided ones (newest first).
    pub rows: Vec<QueueRow>,
}

/// An in-app notification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotificationView {
    pub id: i32,
    pub title: String,
    pub body: String,
    pub link: String,
    pub at: String,
    pub read: bool,
}
