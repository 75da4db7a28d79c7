//! A small in-process cache of resolved actors, so that a signed-in page does not read
//! the session, the user and their memberships from the database on every request.
//!
//! Entries are keyed by the SHA-256 of the session token (what the database stores; the
//! token itself is never kept) and hold only sessions that were valid when read. An
//! entry is used only while all of these hold:
//!
//! - no write of this process has committed since it was read
//!   ([`super::db::write_generation`], bumped after every write transaction and after
//!   the auto-committed session and account writes: [`super::db::note_write`]): a
//!   sign-out, a password change, a removed membership or a changed role made by this
//!   server is seen by the very next request;
//! - it was read less than [`REVALIDATE_AFTER`] ago: another process sharing the
//!   database (a second server behind a load balancer, the `badgefolio` command, an
//!   operator's SQL) cannot bump our counter, so a session it ends keeps working here at
//!   most that long after the change commits;
//! - the session has not expired (checked against the stored `expires_at` on every use).
//!
//! The trade-off: up to [`REVALIDATE_AFTER`] of staleness for changes made elsewhere,
//! against two indexed reads per second per active session instead of two per request.
//! Only this process's own writes are seen at once.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex, PoisonError},
    time::{Duration, Instant},
};

use chrono::{DateTime, Utc};

use super::authz::Actor;
use crate::model::SessionUser;

/// How long a resolved actor is trusted without reading the database again, for changes
/// made by *other* processes (this process's own writes invalidate at once).
pub const REVALIDATE_AFTER: Duration = Duration::from_secs(1);

/// At most this many sessions are cached; when full, stale entries are dropped, and if
/// none is stale the cache starts over (a burst of distinct valid sessions costs
/// database reads, never unbounded memory).
pub const MAX_ENTRIES: usize = 10_000;

/// Who is asking, with what the pages show about them.
#[derive(Debug, Clone)]
pub struct Resolved {
    pub actor: Actor,
    /// The signed-in person as the header and pages show them (`None` when anonymous).
    pub profile: Option<SessionUser>,
    /// When the session ends (`None` when anonymous).
    pub session_expires_at: Option<DateTime<Utc>>,
}

impl Resolved {
    /// Nobody signed in.
    pub fn anonymous() -> Self {
        Self {
            actor: Actor::Anonymous,
            profile: None,
            session_expires_at: None,
        }
    }
}

#[derive(Debug)]
struct Entry {
    resolved: Arc<Resolved>,
    /// `write_generation()` before it was read.
    generation: u64,
    /// When the read started.
    read_at: Instant,
}

impl Entry {
    fn usable(&self, generation: u64, now: Instant, now_utc: DateTime<Utc>) -> bool {
        self.generation == generation
            && now.saturating_duration_since(self.read_at) < REVALIDATE_AFTER
            && self
                .resolved
                .session_expires_at
                .is_some_and(|expires| expires > now_utc)
    }
}

/// The cache (cheap to clone: one per server, in [`super::AppState`]).
#[derive(Debug, Clone, Default)]
pub struct ActorCache(Arc<Mutex<HashMap<String, Entry>>>);

impl ActorCache {
    /// The cached actor of a session (by token hash), if it may still be used at
    /// `generation`, `now` and `now_utc`.
    pub fn get(
        &self,
        token_hash: &str,
        generation: u64,
        now: Instant,
        now_utc: DateTime<Utc>,
    ) -> Option<Arc<Resolved>> {
        let map = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        map.get(token_hash)
            .filter(|e| e.usable(generation, now, now_utc))
            .map(|e| Arc::clone(&e.resolved))
    }

    /// Keeps a signed-in actor read at `generation` from `read_at` on (anonymous ones
    /// are not kept: random cookies must not fill the cache).
    pub fn put(
        &self,
        token_hash: String,
        resolved: Arc<Resolved>,
        generation: u64,
        read_at: Instant,
    ) {
        if resolved.session_expires_at.is_none() || !resolved.actor.is_signed_in() {
            return;
        }
        let mut map = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if map.len() >= MAX_ENTRIES && !map.contains_key(&token_hash) {
            let now = Instant::now();
            let now_utc = Utc::now();
            map.retain(|_, e| e.usable(generation, now, now_utc));
            if map.len() >= MAX_ENTRIES {
                map.clear();
            }
        }
        map.insert(
            token_hash,
            Entry {
                resolved,
                generation,
                read_at,
            },
        );
    }

    /// How many sessions are cached.
    pub fn len(&self) -> usize {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).len()
    }

    /// Whether none is.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::entities::user;

    fn signed_in(expires_at: DateTime<Utc>) -> Arc<Resolved> {
        let now = Utc::now();
        Arc::new(Resolved {
            actor: Actor::User {
                user: Box::new(user::Model {
                    id: 1,
                    public_id: uuid::Uuid::nil(),
                    email: "a@example.org".into(),
                    display_name: "A".into(),
                    password_hash: String::new(),
                    is_platform_admin: false,
                    email_confirmed_at: None,
                    created_at: now,
                    updated_at: now,
                    handle: None,
                    deleted_at: None,
                }),
                memberships: Vec::new(),
            },
            profile: None,
            session_expires_at: Some(expires_at),
        })
    }

    #[test]
    fn an_entry_serves_only_at_its_generation_within_the_bound_and_before_expiry() {
        let cache = ActorCache::default();
        let t0 = Instant::now();
        let now = Utc::now();
        let expires = now + chrono::Duration::seconds(10);
        cache.put("h".into(), signed_in(expires), 7, t0);
        assert!(cache.get("h", 7, t0, now).is_some(), "fresh");
        assert!(cache.get("other", 7, t0, now).is_none(), "another session");
        assert!(
            cache.get("h", 8, t0, now).is_none(),
            "a write committed since"
        );
        let almost = t0 + REVALIDATE_AFTER - Duration::from_millis(1);
        assert!(
            cache.get("h", 7, almost, now).is_some(),
            "just inside the bound"
        );
        assert!(
            cache.get("h", 7, t0 + REVALIDATE_AFTER, now).is_none(),
            "bound reached"
        );
        assert!(cache.get("h", 7, t0, expires).is_none(), "session expired");
        assert!(
            cache
                .get("h", 7, t0, expires + chrono::Duration::seconds(1))
                .is_none()
        );
    }

    #[test]
    fn anonymous_actors_are_not_kept_and_the_size_is_bounded() {
        let cache = ActorCache::default();
        cache.put(
            "nobody".into(),
            Arc::new(Resolved::anonymous()),
            0,
            Instant::now(),
        );
        assert!(cache.is_empty(), "random cookies must not fill the cache");
        let expires = Utc::now() + chrono::Duration::seconds(10);
        for i in 0..MAX_ENTRIES + 5 {
            cache.put(format!("h{i}"), signed_in(expires), 0, Instant::now());
        }
        assert!(cache.len() <= MAX_ENTRIES, "{}", cache.len());
        assert!(!cache.is_empty());
    }
}
