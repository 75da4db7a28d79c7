//! Open Badges as pure logic, apart from the database and the web app so it can be
//! tested (and fuzzed) in isolation.
//!
//! - [`model`]: serde types for OB 3.0 credentials (`OpenBadgeCredential`,
//!   `AchievementSubject`, `Achievement`, `Profile`, `Evidence`, …), faithful to the
//!   spec's serialisation rules (0..* values are arrays, `proof` is an array), also
//!   reading the legacy VCDM 1.1 variant (`issuanceDate`, `expirationDate`).
//! - [`baking`]: putting a credential into a PNG (`iTXt`, keyword `openbadgecredential`)
//!   or SVG (`openbadges:credential`) and getting OB 3.0 or OB 2.0 data back out. Input
//!   is untrusted: every size, count and depth is bounded, and malformed images give an
//!   error, never a panic.
//!
//! Signing and verification (Data Integrity `eddsa-rdfc-2022`) build on these types and
//! come next; see the crate's issue notes.

pub mod baking;
pub mod canon;
pub mod contexts;
pub mod jwt;
pub mod keys;
pub mod model;
pub mod proof;
pub mod status_list;
pub mod verify;
