//! A small in-memory cache of fetched documents, bounded in entries and bytes, honouring
//! `Cache-Control` within our own bounds. Errors are never cached.
//!
//! Entries are parsed documents, which take several times their size on the wire in
//! memory: each is counted as [`PARSED_FACTOR`] times its body's bytes.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use serde_json::Value;

/// How long a response may be kept, from its `Cache-Control` and `Age` headers:
/// `None` for `no-store`/`no-cache`/`max-age=0`, else the given `max-age` less `Age`
/// (or `default` without one), at most `max`.
pub fn ttl(
    cache_control: Option<&str>,
    age: Option<&str>,
    default: Duration,
    max: Duration,
) -> Option<Duration> {
    let mut max_age = None;
    if let Some(cc) = cache_control {
        for directive in cc.split(',') {
            let directive = directive.trim().to_ascii_lowercase();
            if directive == "no-store" || directive == "no-cache" {
                return None;
            }
            if let Some(v) = directive.strip_prefix("max-age=") {
                // A malformed max-age means "stale" (RFC 9111 §4.2.1).
                max_age = Some(v.trim_matches('"').parse::<u64>().unwrap_or(0));
            }
        }
    }
    let age = age.and_then(|a| a.trim().parse::<u64>().ok()).unwrap_or(0);
    let ttl = match max_age {
        Some(s) => Duration::from_secs(s.saturating_sub(age)),
        None => default,
    };
    let ttl = ttl.min(max);
    (!ttl.is_zero()).then_some(ttl)
}

/// How many bytes of memory one byte of a JSON body is counted as, once parsed into a
/// `serde_json::Value` (a conservative multiple: small strings, numbers and object
/// entries each take tens of bytes).
pub const PARSED_FACTOR: usize = 4;

struct Entry {
    value: Arc<Value>,
    size: usize,
    expires: Instant,
}

#[derive(Default)]
struct Inner {
    entries: HashMap<String, Entry>,
    bytes: usize,
}

/// The cache. Keys are chosen by the fetcher (the URL and whether https was required).
pub struct Cache {
    inner: Mutex<Inner>,
    max_entries: usize,
    max_bytes: usize,
}

impl std::fmt::Debug for Cache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cache")
            .field("max_entries", &self.max_entries)
            .field("max_bytes", &self.max_bytes)
            .finish_non_exhaustive()
    }
}

impl Cache {
    pub fn new(max_entries: usize, max_bytes: usize) -> Self {
        Self {
            inner: Mutex::new(Inner::default()),
            max_entries,
            max_bytes,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // A panic while holding the lock leaves only a cache behind: keep using it.
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// A fresh entry.
    pub fn get(&self, key: &str) -> Option<Arc<Value>> {
        let mut inner = self.lock();
        let now = Instant::now();
        match inner.entries.get(key) {
            Some(e) if e.expires > now => Some(e.value.clone()),
            Some(_) => {
                if let Some(old) = inner.entries.remove(key) {
                    inner.bytes -= old.size;
                }
                None
            }
            None => None,
        }
    }

    /// Keeps `value` (of `body_bytes` bytes on the wire) for `ttl`, evicting what must go.
    /// It is counted as [`PARSED_FACTOR`] times `body_bytes`; nothing over a quarter of
    /// the cache is kept.
    pub fn insert(&self, key: String, value: Arc<Value>, body_bytes: usize, ttl: Duration) {
        let size = body_bytes.saturating_mul(PARSED_FACTOR);
        if self.max_entries == 0 || size > self.max_bytes / 4 {
            return;
        }
        let now = Instant::now();
        let mut inner = self.lock();
        if let Some(old) = inner.entries.remove(&key) {
            inner.bytes -= old.size;
        }
        // Expired entries first, then those closest to expiry.
        let expired: Vec<String> = inner
            .entries
            .iter()
            .filter(|(_, e)| e.expires <= now)
            .map(|(k, _)| k.clone())
            .collect();
        for k in expired {
            if let Some(old) = inner.entries.remove(&k) {
                inner.bytes -= old.size;
            }
        }
        while inner.entries.len() >= self.max_entries || inner.bytes + size > self.max_bytes {
            let Some(k) = inner
                .entries
                .iter()
                .min_by_key(|(_, e)| e.expires)
                .map(|(k, _)| k.clone())
            else {
                break;
            };
            if let Some(old) = inner.entries.remove(&k) {
                inner.bytes -= old.size;
            }
        }
        inner.bytes += size;
        inner.entries.insert(
            key,
            Entry {
                value,
                size,
                expires: now + ttl,
            },
        );
    }

    /// How many entries are held (for tests).
    pub fn len(&self) -> usize {
        self.lock().entries.len()
    }

    /// Whether nothing is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: Duration = Duration::from_secs(60);
    const HOUR: Duration = Duration::from_secs(3600);

    #[test]
    fn cache_control_within_bounds() {
        assert_eq!(ttl(None, None, MIN, HOUR), Some(MIN));
        assert_eq!(
            ttl(Some("max-age=120"), None, MIN, HOUR),
            Some(Duration::from_secs(120))
        );
        assert_eq!(
            ttl(Some("public, max-age=999999"), None, MIN, HOUR),
            Some(HOUR)
        );
        assert_eq!(
            ttl(Some("max-age=120"), Some("100"), MIN, HOUR),
            Some(Duration::from_secs(20))
        );
        assert_eq!(ttl(Some("max-age=120"), Some("500"), MIN, HOUR), None);
        assert_eq!(ttl(Some("max-age=0"), None, MIN, HOUR), None);
        assert_eq!(ttl(Some("max-age=abc"), None, MIN, HOUR), None);
        assert_eq!(ttl(Some("no-store"), None, MIN, HOUR), None);
        assert_eq!(ttl(Some("max-age=60, No-Cache"), None, MIN, HOUR), None);
        assert_eq!(ttl(Some("private"), None, MIN, HOUR), Some(MIN));
    }

    #[test]
    fn bounded_in_entries_and_bytes() {
        let cache = Cache::new(3, 400);
        let v = Arc::new(Value::Null);
        for i in 0..5u64 {
            cache.insert(format!("k{i}"), v.clone(), 10, Duration::from_secs(100 + i));
        }
        assert_eq!(cache.len(), 3);
        // The ones closest to expiry went.
        assert!(cache.get("k0").is_none());
        assert!(cache.get("k4").is_some());
        // Bytes: 400 in all, nothing over a quarter of it, each body counted four times
        // over (parsed documents are larger than their text).
        cache.insert("big".into(), v.clone(), 26, HOUR);
        assert!(cache.get("big").is_none());
        cache.insert("fits".into(), v.clone(), 25, HOUR);
        assert!(cache.get("fits").is_some());
        assert_eq!(cache.lock().bytes, 10 * 4 * 2 + 100);
        for i in 0..4 {
            cache.insert(format!("b{i}"), v.clone(), 25, HOUR);
        }
        assert!(cache.lock().bytes <= 400);
        assert!(cache.len() <= 3);
        // Four quarters of 400 bytes: three entries (the entry bound) of 100 each.
        assert_eq!(cache.lock().bytes, 300);
    }
}
