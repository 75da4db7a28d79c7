//! The learner's own data: everything as one zip ([`export`]) and deleting the account
//! ([`deletion`]). Both read or change only the signed-in user's rows.

pub mod deletion;
pub mod export;
