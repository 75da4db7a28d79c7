//! Transactions that write.
//!
//! SQLite starts a plain `BEGIN` as a read transaction; if another connection commits
//! before this one's first write, the upgrade fails with `SQLITE_BUSY_SNAPSHOT` (517),
//! which no busy timeout cures. A transaction that will write therefore starts as a
//! write (`BEGIN IMMEDIATE`). SQLite's busy handler is not fair either: a connection
//! that sleeps between retries can lose the lock to busier ones until its timeout ends.
//! So the writers of one process also take turns on a first-come-first-served queue,
//! and the busy timeout only arbitrates between processes (the CLI beside the server).
//!
//! On PostgreSQL this is a plain `BEGIN`; there, writers that must not interleave take
//! a row lock (an `UPDATE … RETURNING` on the row they change).

use std::{
    future::Future,
    ops::Deref,
    sync::atomic::{AtomicU64, Ordering},
};

use sea_orm::{
    ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr,
    SqliteTransactionMode, TransactionOptions, TransactionTrait,
};
use tokio::sync::{Mutex, MutexGuard};

/// Longest wait for a write turn.
const WRITE_TURN_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// The queue SQLite writers of this process wait in.
static SQLITE_WRITERS: Mutex<()> = Mutex::const_new(());

/// How many write transactions (and savepoints) this process has committed, or tried
/// to: a cache of anything read from the database (served issuer documents) that was
/// filled at generation `g` is out of date once this is past `g`. Bumped after the
/// commit returns, so a reader that sees the new value reads the committed data.
static COMMITS: AtomicU64 = AtomicU64::new(0);

/// The current write generation of this process (see [`WriteTxn::commit`]). Read it
/// *before* reading what you cache, and compare it again before serving the cached
/// copy. Writes by other processes (the `badgefolio` command beside the server) are
/// not counted: caches must bound how long they trust a copy.
pub fn write_generation() -> u64 {
    COMMITS.load(Ordering::Acquire)
}

/// Counts a write that committed outside [`begin_write`] (an auto-committed statement,
/// such as ending a session), so this process's caches see it at once. Call it after
/// the statement returns, never inside a transaction that has yet to commit (the
/// transaction's own commit counts then).
pub fn note_write() {
    COMMITS.fetch_add(1, Ordering::AcqRel);
}

/// Options for a transaction that will write.
pub fn write_options() -> TransactionOptions {
    TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..TransactionOptions::default()
    }
}

/// A transaction that will write (with its turn in the SQLite writers' queue).
pub struct WriteTxn {
    txn: DatabaseTransaction,
    _turn: Option<MutexGuard<'static, ()>>,
}

impl Deref for WriteTxn {
    type Target = DatabaseTransaction;

    fn deref(&self) -> &DatabaseTransaction {
        &self.txn
    }
}

impl WriteTxn {
    /// Commits (and gives the next writer its turn).
    ///
    /// # Errors
    /// When the commit fails.
    pub async fn commit(self) -> Result<(), DbErr> {
        let result = self.txn.commit().await;
        // After the commit (also after a failed one: nothing is lost by an extra bump),
        // while this writer still holds its turn.
        COMMITS.fetch_add(1, Ordering::AcqRel);
        result
    }
}

/// Something a write transaction can begin on: a connection (a new transaction) or a
/// transaction (a savepoint inside it; pass a [`WriteTxn`] as `&*txn`).
pub trait BeginWrite: ConnectionTrait + Sync {
    /// Begins a transaction that will write.
    fn begin_write(&self) -> impl Future<Output = Result<WriteTxn, DbErr>> + Send;
}

impl BeginWrite for DatabaseConnection {
    async fn begin_write(&self) -> Result<WriteTxn, DbErr> {
        let turn = match self.get_database_backend() {
            // Bounded, so a bug that waits for its own turn fails instead of hanging
            // every writer of the process; too long a queue is an overload, answered
            // like a pool that has no connection to give (503 with Retry-After).
            DbBackend::Sqlite => Some(
                tokio::time::timeout(WRITE_TURN_TIMEOUT, SQLITE_WRITERS.lock())
                    .await
                    .map_err(|_| DbErr::ConnectionAcquire(sea_orm::ConnAcquireErr::Timeout))?,
            ),
            _ => None,
        };
        let txn = self.begin_with_options(write_options()).await?;
        Ok(WriteTxn { txn, _turn: turn })
    }
}

impl BeginWrite for DatabaseTransaction {
    async fn begin_write(&self) -> Result<WriteTxn, DbErr> {
        // A savepoint: the outer transaction already holds the write lock or the turn.
        Ok(WriteTxn {
            txn: self.begin().await?,
            _turn: None,
        })
    }
}

/// Begins a transaction that will write on `db` (a savepoint inside a transaction).
///
/// # Errors
/// When the database cannot start it.
pub async fn begin_write<C: BeginWrite>(db: &C) -> Result<WriteTxn, DbErr> {
    db.begin_write().await
}
