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
//! - [`contexts`]: the JSON-LD contexts, shipped in the binary (nothing is fetched).
//! - [`canon`], [`proof`]: RDFC-1.0 canonicalisation and Data Integrity
//!   `eddsa-rdfc-2022` signatures; [`keys`]: Ed25519 Multikey and did:web.
//! - [`verify`]: every check a verifier makes, as a report a person can read, with a
//!   verdict (verified, not verified, unverifiable) and a standing (active, expired,
//!   revoked…) that fail closed;
//!   [`jwt`]: the same for VC-JWT (RS256, ES256, EdDSA).
//! - [`status_list`]: W3C Bitstring Status Lists for revocation.
//! - [`ob2`]: Open Badges 2.0 hosted and signed assertions (verified, never issued).
//!   Legacy OB 3.0 proofs (`Ed25519Signature2020`, `eddsa-2022`) and `did:jwk` issuers
//!   are verified too; we only ever issue `eddsa-rdfc-2022`.
//! - [`input`]: the one entry point that reads JSON, a JWT/JWS, a badge's web address
//!   or a baked image and verifies what it holds.
//!
//! ## Why these crates
//!
//! JSON-LD and RDFC-1.0 come from `sophia_jsonld` (the `json-ld` processor, with a
//! strict expansion policy and our in-memory context loader) and `sophia_c14n`; Ed25519
//! from `ed25519-dalek`; JWS from `jsonwebtoken` with its pure-Rust backend. We chose
//! them over SpruceID's `ssi` because `ssi` brings ~300 crates including an HTTP client,
//! rustls and aws-lc-rs (a C build), while this crate's whole tree is 231 crates with no
//! network and no C beyond zlib: a clean debug build of `openbadges` takes 61 s on this
//! project's 2-core machines. The choice is checked, not assumed: the 1EdTech test
//! vector's RDFC hashes are reproduced bit for bit (`proof` tests) and credentials go
//! both ways through Digital Bazaar's JavaScript verifier (`interop/`).
//! `json-ld` 0.15 reprocesses the contexts on every canonicalisation (about 3 ms for VC
//! v2 and 5 ms with the OB context), so credentials whose contexts we ship take the fast
//! path in [`canon`] (`canon/fast.rs`) instead; `examples/bench.rs` measures both against
//! Digital Bazaar's verifier.

pub mod baking;
pub mod canon;
pub mod contexts;
pub mod input;
pub mod jwt;
pub mod keys;
pub mod model;
pub mod ob2;
pub mod proof;
pub mod status_list;
pub mod verify;
