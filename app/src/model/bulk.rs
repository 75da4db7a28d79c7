//! Bulk awards from a CSV file, as the issuer admin's pages see them.

use serde::{Deserialize, Serialize};

/// The columns a bulk award file may have (the first two are required).
pub const COLUMNS: &[&str] = &["email", "badge", "name", "evidence_url", "narrative"];

/// Largest bulk award file accepted.
pub const MAX_FILE_BYTES: usize = 5 * 1024 * 1024;
/// Most rows (besides the header) in one file.
pub const MAX_ROWS: usize = 50_000;

/// One row of a file and what became (or will become) of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BulkRowView {
    /// The line in the file (1 is the header).
    pub line: i32,
    pub email: String,
    /// The badge as the file named it.
    pub badge: String,
    /// `pending`, `invalid`, `awarded`, `duplicate` or `failed`.
    pub state: String,
    /// Why a row is invalid, skipped or failed.
    pub message: String,
}

/// A bulk run: its counts, and the rows worth a look (invalid, duplicate, failed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BulkRunView {
    pub public_id: String,
    pub institution: String,
    pub institution_name: String,
    pub file_name: String,
    /// `previewed`, `running` or `finished`.
    pub state: String,
    /// Rows in the file (besides the header).
    pub total: i32,
    /// Valid rows still to award (all valid rows before the run starts).
    pub pending: i32,
    pub invalid: i32,
    pub duplicate: i32,
    pub awarded: i32,
    pub failed: i32,
    /// RFC 3339, UTC.
    pub created_at: String,
    pub finished_at: Option<String>,
    /// Invalid, duplicate and failed rows, by line (at most [`MAX_LISTED_ROWS`]).
    pub problems: Vec<BulkRowView>,
    /// Whether there were more problem rows than listed.
    pub problems_truncated: bool,
}

/// Most problem rows a run's page lists (the CSV report has them all).
pub const MAX_LISTED_ROWS: usize = 500;

impl BulkRunView {
    /// Rows that will be (or were) awarded or skipped: everything but invalid rows.
    pub fn to_run(&self) -> i32 {
        self.pending + self.awarded + self.failed + self.duplicate
    }

    /// Valid rows done so far (awarded, skipped or failed), of [`Self::to_run`].
    pub fn processed(&self) -> i32 {
        self.awarded + self.failed + self.duplicate
    }
}

/// A run in the list of an institution's bulk runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BulkRunSummary {
    pub public_id: String,
    pub file_name: String,
    pub state: String,
    pub total: i32,
    pub created_at: String,
}

/// An institution's bulk award page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BulkPage {
    pub institution: String,
    pub institution_name: String,
    /// Newest first.
    pub runs: Vec<BulkRunSummary>,
}

/// `1234` → `1,234`.
pub fn thousands(n: i32) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_separators() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1234), "1,234");
        assert_eq!(thousands(50_000), "50,000");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }
}
