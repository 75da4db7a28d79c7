//! Types for the learner's extra e-mail addresses and for importing badges earned
//! elsewhere (both sides share them).

use serde::{Deserialize, Serialize};

/// Most extra addresses one account may hold.
pub const MAX_EXTRA_ADDRESSES: usize = 10;

/// One address beyond the sign-in one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExtraAddress {
    pub id: i32,
    /// As typed.
    pub email: String,
    pub confirmed: bool,
}

/// The learner's addresses: the sign-in one and the extra ones.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Addresses {
    pub sign_in: String,
    pub sign_in_confirmed: bool,
    pub extra: Vec<ExtraAddress>,
}

/// What an import did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Imported {
    /// The new badge's public id (`/portfolio/badges/{id}`).
    pub public_id: String,
    pub name: String,
    pub issuer: String,
}
