//! A mail in the outbox: queued with the change that caused it, delivered by the worker.

use sea_orm::entity::prelude::*;

/// Waiting for (another) delivery attempt.
pub const STATUS_QUEUED: &str = "queued";
/// Delivered to the SMTP server (or, without one, written to the log).
pub const STATUS_SENT: &str = "sent";
/// Given up after the last attempt; `last_error` says why.
pub const STATUS_FAILED: &str = "failed";

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "outbox")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub recipient: String,
    pub subject: String,
    /// Plain text.
    pub body: String,
    pub status: String,
    /// Delivery attempts started (a claim counts as one).
    pub attempts: i32,
    /// Not to be tried before this time (also the lease of a claimed mail).
    pub next_attempt_at: DateTimeUtc,
    pub last_error: Option<String>,
    pub created_at: DateTimeUtc,
    pub sent_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
