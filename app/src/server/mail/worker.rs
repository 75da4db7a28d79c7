//! Delivers queued mail in the background.
//!
//! A mail is claimed with one atomic `UPDATE … WHERE status = 'queued' AND
//! next_attempt_at <= now … RETURNING`: the claim counts an attempt and moves
//! `next_attempt_at` a lease into the future, so no other worker (another server process,
//! or this one) takes it meanwhile, and a worker that dies mid-delivery leaves it to be
//! tried again when the lease ends. PostgreSQL workers skip rows another one has locked
//! (`FOR UPDATE SKIP LOCKED`); SQLite serialises writers anyway. The outcome is written
//! only while the claim still holds (same `attempts`): sent, or back to the queue with
//! exponential backoff and the error, or failed for good after the last attempt.

use std::time::Duration;

use chrono::Utc;
use sea_orm::{
    ColumnTrait, DatabaseConnection, DbBackend, DbErr, EntityTrait, QueryFilter, Statement,
    sea_query::Expr,
};

use super::sender::Sender;
use crate::server::db::begin_write;
use crate::server::entities::outbox;

/// Retry and timing settings of a worker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WorkerConfig {
    /// Attempts before a mail is marked failed.
    pub max_attempts: i32,
    /// Wait before the second attempt; doubled for each further one.
    pub first_retry: Duration,
    /// Longest wait between two attempts.
    pub max_retry: Duration,
    /// How long a claimed mail is left to its worker before another may try it.
    pub lease: Duration,
    /// How often the worker looks for due mail without being woken.
    pub sweep_every: Duration,
}

impl Default for WorkerConfig {
    /// 8 attempts over about an hour (30 s, 1, 2, 4, 8, 16, 32 min apart).
    fn default() -> Self {
        Self {
            max_attempts: 8,
            first_retry: Duration::from_secs(30),
            max_retry: Duration::from_secs(3600),
            lease: Duration::from_secs(300),
            sweep_every: Duration::from_secs(15),
        }
    }
}

impl WorkerConfig {
    /// The wait after failed attempt number `attempts` (1-based).
    pub fn backoff(&self, attempts: i32) -> Duration {
        let doublings = u32::try_from(attempts.saturating_sub(1))
            .unwrap_or(0)
            .min(20);
        self.first_retry
            .saturating_mul(1u32 << doublings)
            .min(self.max_retry)
    }
}

fn after(d: Duration) -> chrono::DateTime<Utc> {
    Utc::now() + chrono::Duration::from_std(d).unwrap_or(chrono::Duration::MAX)
}

/// Claims the next due mail, if any (see the module documentation).
///
/// # Errors
/// Database errors.
pub async fn claim_next(
    db: &DatabaseConnection,
    lease: Duration,
) -> Result<Option<outbox::Model>, DbErr> {
    let backend = db.get_database_backend();
    let sql = match backend {
        DbBackend::Postgres => {
            "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = $1 \
             WHERE id = (SELECT id FROM outbox WHERE status = 'queued' AND next_attempt_at <= $2 \
                         ORDER BY next_attempt_at, id LIMIT 1 FOR UPDATE SKIP LOCKED) \
               AND status = 'queued' AND next_attempt_at <= $2 \
             RETURNING *"
        }
        _ => {
            "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?1 \
             WHERE id = (SELECT id FROM outbox WHERE status = 'queued' AND next_attempt_at <= ?2 \
                         ORDER BY next_attempt_at, id LIMIT 1) \
               AND status = 'queued' AND next_attempt_at <= ?2 \
             RETURNING *"
        }
    };
    let txn = begin_write(db).await?;
    let claimed = outbox::Entity::find()
        .from_raw_sql(Statement::from_sql_and_values(
            backend,
            sql,
            [after(lease).into(), Utc::now().into()],
        ))
        .one(&*txn)
        .await?;
    txn.commit().await?;
    Ok(claimed)
}

/// What became of one claimed mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Sent,
    /// Back in the queue for another attempt.
    Retry,
    /// No attempts left.
    Failed,
    /// The claim had lapsed (another worker took the mail over): nothing recorded.
    Lost,
}

/// Records the result of delivering a claimed mail.
///
/// # Errors
/// Database errors.
pub async fn record(
    db: &DatabaseConnection,
    claimed: &outbox::Model,
    result: Result<(), String>,
    config: &WorkerConfig,
) -> Result<Outcome, DbErr> {
    let mut update = outbox::Entity::update_many()
        .filter(outbox::Column::Id.eq(claimed.id))
        .filter(outbox::Column::Attempts.eq(claimed.attempts))
        .filter(outbox::Column::Status.eq(outbox::STATUS_QUEUED));
    let outcome = match result {
        Ok(()) => {
            update = update
                .col_expr(outbox::Column::Status, Expr::value(outbox::STATUS_SENT))
                .col_expr(outbox::Column::SentAt, Expr::value(Utc::now()))
                .col_expr(
                    outbox::Column::LastError,
                    Expr::value(Option::<String>::None),
                );
            Outcome::Sent
        }
        Err(error) => {
            let error: String = error.chars().take(2000).collect();
            tracing::warn!(mail_id = claimed.id, attempts = claimed.attempts, %error, "mail delivery failed");
            update = update.col_expr(outbox::Column::LastError, Expr::value(error));
            if claimed.attempts >= config.max_attempts {
                update =
                    update.col_expr(outbox::Column::Status, Expr::value(outbox::STATUS_FAILED));
                Outcome::Failed
            } else {
                update = update.col_expr(
                    outbox::Column::NextAttemptAt,
                    Expr::value(after(config.backoff(claimed.attempts))),
                );
                Outcome::Retry
            }
        }
    };
    let txn = begin_write(db).await?;
    let res = update.exec(&*txn).await?;
    txn.commit().await?;
    Ok(if res.rows_affected == 1 {
        outcome
    } else {
        Outcome::Lost
    })
}

/// Delivers every mail that is due now, one after the other; returns what became of
/// each.
///
/// # Errors
/// Database errors (the mails not reached stay queued).
pub async fn deliver_due(
    db: &DatabaseConnection,
    sender: &Sender,
    config: &WorkerConfig,
) -> Result<Vec<(i32, Outcome)>, DbErr> {
    let mut done = Vec::new();
    while let Some(mail) = claim_next(db, config.lease).await? {
        let result = sender.send(&mail).await;
        let outcome = record(db, &mail, result, config).await?;
        if outcome == Outcome::Sent {
            tracing::info!(mail_id = mail.id, mode = sender.mode(), "mail delivered");
        }
        done.push((mail.id, outcome));
    }
    Ok(done)
}

/// Polls after a wake-up, in case the transaction that queued the mail had not yet
/// committed: this many times…
const FOLLOW_UP_POLLS: u32 = 25;
/// …this far apart.
const FOLLOW_UP_EVERY: Duration = Duration::from_millis(200);

/// The worker loop: delivers due mail when woken ([`super::wake`]) and every
/// `sweep_every` (mail queued by other processes, retries that come due). Never returns.
pub async fn run(db: DatabaseConnection, sender: Sender, config: WorkerConfig) {
    let mut follow_ups = 0u32;
    loop {
        match deliver_due(&db, &sender, &config).await {
            Ok(done) if !done.is_empty() => follow_ups = 0,
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "mail worker: database error, will retry"),
        }
        let wait = if follow_ups > 0 {
            follow_ups -= 1;
            FOLLOW_UP_EVERY
        } else {
            config.sweep_every
        };
        tokio::select! {
            () = super::woken() => follow_ups = FOLLOW_UP_POLLS,
            () = tokio::time::sleep(wait) => {}
        }
    }
}

/// Starts the worker on the current Tokio runtime.
pub fn spawn(
    db: DatabaseConnection,
    sender: Sender,
    config: WorkerConfig,
) -> tokio::task::JoinHandle<()> {
    tracing::info!(mode = sender.mode(), "mail worker started");
    tokio::spawn(run(db, sender, config))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let c = WorkerConfig::default();
        assert_eq!(c.backoff(1), Duration::from_secs(30));
        assert_eq!(c.backoff(2), Duration::from_secs(60));
        assert_eq!(c.backoff(7), Duration::from_secs(30 * 64));
        assert_eq!(c.backoff(100), Duration::from_secs(3600));
    }
}
