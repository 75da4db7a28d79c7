//! View counting without anything about the viewer: a page view adds one to a counter
//! in memory keyed by (subject, source, UTC day); a background task writes the counters
//! every [`FLUSH_EVERY`] with one atomic upsert per key, so a public GET never waits
//! for a write. No address, agent or cookie is read or kept.
//!
//! What counts as a view: a `GET` of a public page (`/c/`, `/b/`, `/s/`, the embed
//! card) answered 200 or 304 (a reload is a view). Images, downloads, `HEAD`, 404 and
//! 410 do not count.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement, TransactionTrait};

use crate::server::db::write_options;

/// How often the counters are written.
pub const FLUSH_EVERY: std::time::Duration = std::time::Duration::from_secs(5);
/// Most distinct keys kept between flushes (beyond it, new keys are dropped: a flood of
/// made-up subjects cannot grow memory; real subjects resolve before counting anyway).
const MAX_KEYS: usize = 100_000;

type Key = (&'static str, i32, &'static str, String);

/// The counters not yet written.
#[derive(Debug, Default)]
pub struct ViewCounter(Mutex<HashMap<Key, i64>>);

impl ViewCounter {
    /// Counts one view of `subject` from `source`, now.
    pub fn count(&self, subject: (&'static str, i32), source: &'static str, now: DateTime<Utc>) {
        let day = now.format("%Y-%m-%d").to_string();
        let mut map = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        let len = map.len();
        let key = (subject.0, subject.1, source, day);
        if let Some(n) = map.get_mut(&key) {
            *n += 1;
        } else if len < MAX_KEYS {
            map.insert(key, 1);
        }
    }

    /// Views counted and not yet written.
    pub fn pending(&self) -> i64 {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .values()
            .sum()
    }

    /// Writes every counter (in one transaction; on failure the counts go back to be
    /// written next time).
    ///
    /// # Errors
    /// Database errors.
    pub async fn flush(&self, db: &DatabaseConnection) -> Result<usize, sea_orm::DbErr> {
        let taken: HashMap<Key, i64> =
            std::mem::take(&mut *self.0.lock().unwrap_or_else(PoisonError::into_inner));
        if taken.is_empty() {
            return Ok(0);
        }
        let result = write_all(db, &taken).await;
        if result.is_err() {
            let mut map = self.0.lock().unwrap_or_else(PoisonError::into_inner);
            for (k, v) in taken.iter() {
                *map.entry(k.clone()).or_insert(0) += v;
            }
        }
        result.map(|()| taken.len())
    }
}

const SQL_PG: &str = "INSERT INTO view_counts (subject_kind, subject_id, source, day, views) \
    VALUES ($1, $2, $3, $4, $5) ON CONFLICT (subject_kind, subject_id, source, day) \
    DO UPDATE SET views = view_counts.views + excluded.views";
const SQL_SQLITE: &str = "INSERT INTO view_counts (subject_kind, subject_id, source, day, views) \
    VALUES (?, ?, ?, ?, ?) ON CONFLICT (subject_kind, subject_id, source, day) \
    DO UPDATE SET views = view_counts.views + excluded.views";

async fn write_all(
    db: &DatabaseConnection,
    counts: &HashMap<Key, i64>,
) -> Result<(), sea_orm::DbErr> {
    // Not through the process's write queue: off the request path, SQLite's busy
    // timeout is enough, and these rows are no page's cached content.
    let txn = db.begin_with_options(write_options()).await?;
    let backend = txn.get_database_backend();
    let sql = if backend == DbBackend::Postgres {
        SQL_PG
    } else {
        SQL_SQLITE
    };
    for ((kind, id, source, day), n) in counts {
        txn.execute_raw(Statement::from_sql_and_values(
            backend,
            sql,
            [
                (*kind).into(),
                (*id).into(),
                (*source).into(),
                day.clone().into(),
                (*n).into(),
            ],
        ))
        .await?;
    }
    txn.commit().await
}
