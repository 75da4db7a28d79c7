//! The learner's own data: what the export holds, and the account deletion form.

use serde::{Deserialize, Serialize};

/// Where the signed-in learner downloads everything.
pub const EXPORT_URL: &str = "/account/export.zip";
/// The page with the download and the deletion form.
pub const PAGE_URL: &str = "/account/data";

/// What the export of the signed-in learner holds (shown before downloading).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportSummary {
    /// Badges issued here (each as its credential JSON and a baked image).
    pub awards: u64,
    /// Badges imported from elsewhere (each as the exact bytes imported).
    pub imports: u64,
    /// Approved endorsements (each as its signed credential).
    pub endorsements: u64,
    /// Evidence files the learner uploaded.
    pub evidence_files: u64,
    /// Their total size in bytes.
    pub evidence_bytes: u64,
    pub collections: u64,
    pub share_links: u64,
}
