//! Sign-in rate limiting, per account and per client address (GCRA, from `governor`).
//!
//! The limiters live in each server's memory. Behind a load balancer each server limits
//! on its own, so an attacker gets at most `servers ×` the budget; that is accepted for
//! now and noted in the README.

use std::{net::IpAddr, num::NonZeroU32, time::Duration};

use governor::{
    DefaultKeyedRateLimiter, Quota, RateLimiter,
    clock::{Clock, DefaultClock},
};

/// Attempts allowed at once for one account, then one more per minute.
pub const ACCOUNT_BURST: u32 = 5;
/// Attempts allowed at once from one client address, then one more every 6 seconds.
pub const CLIENT_BURST: u32 = 20;

/// The two limiters that guard sign-in.
pub struct LoginLimiter {
    per_account: DefaultKeyedRateLimiter<String>,
    per_client: DefaultKeyedRateLimiter<IpAddr>,
}

impl Default for LoginLimiter {
    fn default() -> Self {
        Self::new(ACCOUNT_BURST, CLIENT_BURST)
    }
}

fn quota(period: Duration, burst: u32) -> Quota {
    let burst = NonZeroU32::new(burst.max(1)).unwrap_or(NonZeroU32::MIN);
    Quota::with_period(period)
        .unwrap_or_else(|| Quota::per_minute(NonZeroU32::MIN))
        .allow_burst(burst)
}

impl LoginLimiter {
    /// Limiters allowing `account_burst` attempts per account and `client_burst` per address.
    pub fn new(account_burst: u32, client_burst: u32) -> Self {
        Self {
            per_account: RateLimiter::keyed(quota(Duration::from_secs(60), account_burst)),
            per_client: RateLimiter::keyed(quota(Duration::from_secs(6), client_burst)),
        }
    }

    /// Records one attempt. `Err(seconds)` says how long to wait when over the limit.
    pub fn check(&self, email: &str, client: Option<IpAddr>) -> Result<(), u64> {
        let clock = DefaultClock::default();
        let wait = |not_until: governor::NotUntil<_>| {
            not_until.wait_time_from(clock.now()).as_secs().max(1)
        };
        if let Some(ip) = client {
            self.per_client.check_key(&ip).map_err(wait)?;
        }
        self.per_account
            .check_key(&email.trim().to_lowercase())
            .map_err(wait)
    }

    /// Forgets keys that are back to a full budget (called periodically).
    pub fn shrink(&self) {
        self.per_account.retain_recent();
        self.per_client.retain_recent();
        self.per_account.shrink_to_fit();
        self.per_client.shrink_to_fit();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_an_account_after_its_burst_with_a_retry_time() {
        let l = LoginLimiter::new(3, 100);
        let ip = Some(IpAddr::from([127, 0, 0, 1]));
        for _ in 0..3 {
            assert!(l.check("ada@example.org", ip).is_ok());
        }
        let wait = l.check("ADA@example.org ", ip).expect_err("limited");
        assert!((1..=60).contains(&wait), "{wait}");
        assert!(
            l.check("grace@example.org", ip).is_ok(),
            "other accounts unaffected"
        );
    }

    #[test]
    fn blocks_a_client_across_accounts() {
        let l = LoginLimiter::new(100, 2);
        let ip = Some(IpAddr::from([10, 0, 0, 1]));
        assert!(l.check("a@x.org", ip).is_ok());
        assert!(l.check("b@x.org", ip).is_ok());
        assert!(l.check("c@x.org", ip).is_err());
        assert!(
            l.check("c@x.org", Some(IpAddr::from([10, 0, 0, 2])))
                .is_ok()
        );
    }
}
