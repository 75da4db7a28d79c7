//! What the learner's share panel and share-link list show. Every snippet (embed code,
//! e-mail signature, LinkedIn URLs) is built and escaped on the server and arrives here
//! as a finished string, so the browser bundle carries no HTML builders.

use serde::{Deserialize, Serialize};

/// The most live (not revoked, not expired) share links one learner may hold.
pub const MAX_LIVE_LINKS: usize = 100;

/// The longest share-link name, in characters.
pub const MAX_LINK_NAME: usize = 60;

/// Views from one source (`direct`, `linkedin`, `email`, `qr`, `embed`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceCount {
    pub source: String,
    pub views: i64,
}

/// One of the learner's share links.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShareLinkInfo {
    pub id: i32,
    pub name: String,
    /// `badge`, `collection` or `stack`.
    pub kind: String,
    /// The public id of the badge (award or import), the collection's public id or the
    /// program's slug.
    pub target: String,
    /// What it shows: the badge, collection or program name.
    pub target_name: String,
    /// The absolute URL (`/b/{token}` or `/s/{token}`).
    pub url: String,
    pub show_evidence: bool,
    /// The day the link (not the badge) stops working, `YYYY-MM-DD`, if any.
    pub expires_on: Option<String>,
    pub created_on: String,
    /// `live`, `expired` or `revoked`.
    pub state: String,
    /// Views by source, most first.
    pub views: Vec<SourceCount>,
    pub total_views: i64,
}

/// A snippet in its two forms: rich HTML and plain text.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snippet {
    pub html: String,
    pub text: String,
}

/// Everything the share panel on one badge's page shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SharePanel {
    /// The award's public id.
    pub public_id: String,
    pub name: String,
    pub is_public: bool,
    pub allow_indexing: bool,
    /// `{base}/c/{id}`: the permanent page (answers only while the badge is public).
    pub permanent_url: String,
    /// Views of the permanent page by source.
    pub permanent_views: Vec<SourceCount>,
    /// LinkedIn "Add to profile" (certification) URL.
    pub linkedin_add_url: String,
    /// LinkedIn "Share" (share-offsite) URL.
    pub linkedin_share_url: String,
    /// The short credential number given to LinkedIn (`certId`).
    pub cert_id: String,
    /// `<iframe>` code for the embed card.
    pub embed_iframe: String,
    /// The plain link that oEmbed-aware tools (WordPress, Mahara) turn into a card.
    pub embed_link: String,
    /// An image-and-link HTML snippet for places that strip iframes.
    pub embed_image: String,
    /// The e-mail signature for this badge.
    pub signature: Snippet,
    /// The e-mail signature for a row of up to four public badges (empty when the
    /// learner has none public).
    pub signature_row: Snippet,
    /// The badges in the row, by name.
    pub signature_row_names: Vec<String>,
    /// The learner's public badges (to choose up to four for the signature), newest
    /// first, at most 50.
    pub public_badges: Vec<ShareTarget>,
    /// The learner's share links for this badge (newest first).
    pub links: Vec<ShareLinkInfo>,
    /// How many live links the learner holds in all, and the most allowed.
    pub live_links: usize,
    pub max_links: usize,
}

/// Something the learner may share by link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShareTarget {
    /// `badge`, `collection` or `stack`.
    pub kind: String,
    /// The public id to pass to `create_share_link`.
    pub target: String,
    pub name: String,
}

/// The learner's share links page: every link, and what they may share.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinksPage {
    pub links: Vec<ShareLinkInfo>,
    pub targets: Vec<ShareTarget>,
    pub live_links: usize,
    pub max_links: usize,
}
