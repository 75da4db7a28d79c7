//! Sharing, the learner's side: share links (create, list with view counts, rename,
//! revoke), the share panel of one badge (permanent link, LinkedIn, embeds, e-mail
//! signature) and the allow-indexing choice. The public pages these point at (`/c/`,
//! `/b/`, `/s/`, `/embed/`, images) are served elsewhere (`server/src/routes/public/`).
//!
//! - [`links`]: share links, always scoped to their owner (another learner's link is
//!   not found); a learner holds at most [`MAX_LIVE_LINKS`] live links.
//! - [`snippets`]: LinkedIn URLs, the credential number, embed code and the e-mail
//!   signature, built and escaped here so the browser gets finished strings.
//! - [`panel`]: everything the share panel on a badge's page shows.
//!
//! [`MAX_LIVE_LINKS`]: crate::model::sharing::MAX_LIVE_LINKS

pub mod links;
pub mod panel;
pub mod snippets;
