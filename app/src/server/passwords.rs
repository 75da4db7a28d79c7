//! Password rules and Argon2id hashing.
//!
//! Hashing costs ~20 ms of CPU and 19 MiB of memory by design, so it runs on the
//! blocking pool (never stalling the async threads that serve other requests) and goes
//! through a bounded queue, the [`HashGate`]: as many hashes at once as the machine has
//! cores, a few times that many waiting, and everyone beyond that is told to come back
//! in a moment (503 with `Retry-After`) at once. A flood of sign-ups or sign-ins can
//! therefore neither exhaust memory nor queue up unboundedly.

use std::sync::{
    Arc,
    atomic::{AtomicUsize, Ordering},
};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use argon2::{
    Argon2,
    password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng},
};

use super::error::{ServerError, ServerResult};
use crate::error::AppError;
use crate::model::{PASSWORD_MAX_CHARS, PASSWORD_MIN_CHARS, PASSWORD_RULE};

/// Checks a new password against the stated rule.
///
/// # Errors
/// `AppError::Invalid` with the rule when the password is too short, too long or the email.
pub fn check_rule(password: &str, email: &str) -> Result<(), AppError> {
    let chars = password.chars().count();
    if !(PASSWORD_MIN_CHARS..=PASSWORD_MAX_CHARS).contains(&chars) {
        return Err(AppError::invalid(format!(
            "This password is not allowed. {PASSWORD_RULE}"
        )));
    }
    if password.trim().eq_ignore_ascii_case(email.trim()) {
        return Err(AppError::invalid(
            "Your password must not be your email address.",
        ));
    }
    Ok(())
}

/// Seconds a client is asked to wait when the hashing queue is full.
pub const BUSY_RETRY_AFTER_SECS: u64 = 2;

/// A bounded queue in front of the blocking pool: `permits` jobs run at once, at most
/// `max_waiting` more wait for their turn, and anyone beyond is refused immediately.
pub struct HashGate {
    permits: Arc<Semaphore>,
    /// Admitted jobs: running plus waiting.
    admitted: Arc<AtomicUsize>,
    capacity: usize,
}

/// A place in the queue; wait for a turn with [`Ticket::turn`]. Dropping it (or the
/// permit it becomes) gives the place back.
pub struct Ticket {
    permits: Arc<Semaphore>,
    place: Place,
}

/// The right to run one job, held while it runs.
pub struct Turn {
    _permit: OwnedSemaphorePermit,
    _place: Place,
}

struct Place(Arc<AtomicUsize>);

impl Drop for Place {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

impl HashGate {
    /// A gate running `permits` jobs at once with up to `max_waiting` waiting.
    pub fn new(permits: usize, max_waiting: usize) -> Self {
        let permits = permits.max(1);
        Self {
            permits: Arc::new(Semaphore::new(permits)),
            admitted: Arc::new(AtomicUsize::new(0)),
            capacity: permits + max_waiting,
        }
    }

    /// A gate sized to this machine: one job per core, eight waiting per core.
    pub fn for_this_machine() -> Self {
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        Self::new(cores, cores * 8)
    }

    /// Jobs running plus waiting that the gate admits.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Takes a place in the queue, or refuses at once when the queue is full.
    ///
    /// # Errors
    /// `AppError::Unavailable` when running and waiting jobs fill the gate.
    pub fn try_admit(&self) -> Result<Ticket, AppError> {
        let admitted = self
            .admitted
            .try_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                (n < self.capacity).then_some(n + 1)
            });
        match admitted {
            Ok(_) => Ok(Ticket {
                permits: Arc::clone(&self.permits),
                place: Place(Arc::clone(&self.admitted)),
            }),
            Err(_) => {
                tracing::warn!(
                    capacity = self.capacity,
                    "password hashing queue full: answering 503"
                );
                Err(AppError::Unavailable {
                    retry_after_secs: BUSY_RETRY_AFTER_SECS,
                })
            }
        }
    }

    /// Runs `job` on the blocking pool when its turn comes.
    ///
    /// # Errors
    /// `Unavailable` when the queue is full; a join error if the job panicked.
    pub async fn run<T, F>(&self, job: F) -> ServerResult<T>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        let turn = self.try_admit()?.turn().await?;
        // The turn moves into the job: if the caller goes away, the job still holds its
        // permit until it really ends, so no more than `permits` ever run.
        Ok(tokio::task::spawn_blocking(move || {
            let _turn = turn;
            job()
        })
        .await?)
    }
}

impl Ticket {
    /// Waits until a job may run.
    ///
    /// # Errors
    /// Only if the gate's semaphore was closed, which never happens.
    pub async fn turn(self) -> ServerResult<Turn> {
        let permit = Arc::clone(&self.permits)
            .acquire_owned()
            .await
            .map_err(|_| ServerError::Context("password hashing gate"))?;
        Ok(Turn {
            _permit: permit,
            _place: self.place,
        })
    }
}

/// The gate every password hash and check of this process goes through.
pub fn gate() -> &'static HashGate {
    static GATE: std::sync::OnceLock<HashGate> = std::sync::OnceLock::new();
    GATE.get_or_init(HashGate::for_this_machine)
}

/// Hashes a password with Argon2id (the crate's defaults: m=19 MiB, t=2, p=1).
///
/// # Errors
/// `Unavailable` when the hashing queue is full; a hasher failure, which is a server fault.
pub async fn hash(password: String) -> ServerResult<String> {
    gate()
        .run(move || {
            let salt = SaltString::generate(&mut OsRng);
            Argon2::default()
                .hash_password(password.as_bytes(), &salt)
                .map(|h| h.to_string())
                .map_err(|e| ServerError::Hash(e.to_string()))
        })
        .await?
}

/// Whether `password` matches a stored PHC hash. A malformed hash never matches.
///
/// # Errors
/// `Unavailable` when the hashing queue is full; a join error if the task panicked.
pub async fn verify(password: String, stored_hash: String) -> ServerResult<bool> {
    gate()
        .run(move || {
            PasswordHash::new(&stored_hash).is_ok_and(|parsed| {
                Argon2::default()
                    .verify_password(password.as_bytes(), &parsed)
                    .is_ok()
            })
        })
        .await
}

/// A valid hash of a random password, verified against when an email is unknown, so a
/// wrong email takes as long as a wrong password and timing does not reveal accounts.
///
/// # Errors
/// As [`hash`], the first time only (a failure is not remembered).
pub async fn dummy_hash() -> ServerResult<&'static str> {
    static DUMMY: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();
    DUMMY
        .get_or_try_init(|| hash(uuid::Uuid::new_v4().to_string()))
        .await
        .map(String::as_str)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_rejects_short_long_and_email_passwords() {
        assert!(check_rule("short", "a@b.c").is_err());
        assert!(check_rule(&"x".repeat(129), "a@b.c").is_err());
        assert!(check_rule("ada@example.org", "ada@example.org").is_err());
        assert!(check_rule("correct horse battery", "ada@example.org").is_ok());
    }

    #[tokio::test]
    async fn the_gate_refuses_when_full_and_admits_again_when_freed() {
        let gate = HashGate::new(1, 1);
        assert_eq!(gate.capacity(), 2);
        // One job runs, one waits: the gate is full.
        let running = gate.try_admit().expect("first").turn().await.expect("turn");
        let waiting = gate.try_admit().expect("second waits");
        let refused = gate.try_admit().err().expect("third refused");
        assert_eq!(
            refused,
            AppError::Unavailable {
                retry_after_secs: BUSY_RETRY_AFTER_SECS
            }
        );
        assert!(matches!(
            gate.run(|| ()).await,
            Err(ServerError::User(AppError::Unavailable { .. }))
        ));
        // The running job ends: the waiting one gets its turn, and a place is free.
        drop(running);
        let second = waiting.turn().await.expect("turn after release");
        let third = gate.try_admit().expect("a place is free again");
        drop(second);
        drop(third);
        assert_eq!(gate.run(|| 7).await.expect("runs"), 7);
        // A ticket given up before its turn frees its place too.
        let a = gate.try_admit().expect("a");
        let b = gate.try_admit().expect("b");
        assert!(gate.try_admit().is_err());
        drop(a);
        drop(b);
        assert!(gate.try_admit().is_ok());
    }

    #[test]
    fn the_machine_gate_queues_several_times_its_cores() {
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        assert_eq!(HashGate::for_this_machine().capacity(), cores * 9);
    }

    #[tokio::test]
    async fn hash_then_verify() {
        let h = hash("correct horse battery".into()).await.expect("hash");
        assert!(h.starts_with("$argon2id$"));
        assert!(
            verify("correct horse battery".into(), h.clone())
                .await
                .expect("verify")
        );
        assert!(
            !verify("wrong horse battery".into(), h)
                .await
                .expect("verify")
        );
        assert!(
            !verify("x".into(), "not a hash".into())
                .await
                .expect("verify")
        );
    }
}
