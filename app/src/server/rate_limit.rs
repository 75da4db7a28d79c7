//! Sign-in, sign-up and verification rate limiting, per account and per client address (GCRA, from
//! `governor`). A client address is keyed by [`client_addr::rate_key`]: an IPv4 address
//! or an IPv6 /64, so rotating through one's own IPv6 addresses does not help.
//!
//! The limiters live in each server's memory. Behind a load balancer each server limits
//! on its own, so an attacker gets at most `servers ×` the budget; that is accepted for
//! now and noted in the README.

use std::{net::IpAddr, num::NonZeroU32, time::Duration};

use governor::{
    DefaultKeyedRateLimiter, Quota, RateLimiter,
    clock::{Clock, DefaultClock},
};

use super::client_addr;

/// Attempts allowed at once for one account, then one more per minute.
pub const ACCOUNT_BURST: u32 = 5;
/// Attempts allowed at once from one client address, then one more every 6 seconds.
pub const CLIENT_BURST: u32 = 20;
/// Sign-ups allowed at once from one client address, then one more every 30 seconds.
pub const SIGN_UP_BURST: u32 = 10;

/// Verifications (the public page and `POST /api/v1/verify`) allowed at once from one
/// client address, then one more every [`VERIFY_PERIOD`].
pub const VERIFY_BURST: u32 = 30;
/// How often one client address earns another verification once its burst is spent.
pub const VERIFY_PERIOD: Duration = Duration::from_secs(2);

/// Account mails (reset links, confirmation links, changes of address) allowed at once
/// for one address, then one more every 5 minutes.
pub const MAIL_ACCOUNT_BURST: u32 = 3;
/// Account mails asked for at once from one client address, then one more every 30 s.
pub const MAIL_CLIENT_BURST: u32 = 10;

/// The limiters that guard sign-in (per account and per client), sign-up (per client)
/// and the forms that send account mail (per address and per client).
pub struct LoginLimiter {
    per_account: DefaultKeyedRateLimiter<String>,
    per_client: DefaultKeyedRateLimiter<IpAddr>,
    sign_up_per_client: DefaultKeyedRateLimiter<IpAddr>,
    mail_per_address: DefaultKeyedRateLimiter<String>,
    mail_per_client: DefaultKeyedRateLimiter<IpAddr>,
    verify_per_client: DefaultKeyedRateLimiter<IpAddr>,
}

impl Default for LoginLimiter {
    fn default() -> Self {
        Self::new(ACCOUNT_BURST, CLIENT_BURST).with_sign_up_burst(SIGN_UP_BURST)
    }
}

fn wait_secs(not_until: governor::NotUntil<<DefaultClock as Clock>::Instant>) -> u64 {
    not_until
        .wait_time_from(DefaultClock::default().now())
        .as_secs()
        .max(1)
}

fn quota(period: Duration, burst: u32) -> Quota {
    let burst = NonZeroU32::new(burst.max(1)).unwrap_or(NonZeroU32::MIN);
    Quota::with_period(period)
        .unwrap_or_else(|| Quota::per_minute(NonZeroU32::MIN))
        .allow_burst(burst)
}

impl LoginLimiter {
    /// Limiters allowing `account_burst` sign-in attempts per account and
    /// `client_burst` per address, and [`SIGN_UP_BURST`] sign-ups per address.
    pub fn new(account_burst: u32, client_burst: u32) -> Self {
        Self {
            per_account: RateLimiter::keyed(quota(Duration::from_secs(60), account_burst)),
            per_client: RateLimiter::keyed(quota(Duration::from_secs(6), client_burst)),
            sign_up_per_client: RateLimiter::keyed(quota(Duration::from_secs(30), SIGN_UP_BURST)),
            mail_per_address: RateLimiter::keyed(quota(
                Duration::from_secs(300),
                MAIL_ACCOUNT_BURST,
            )),
            mail_per_client: RateLimiter::keyed(quota(Duration::from_secs(30), MAIL_CLIENT_BURST)),
            verify_per_client: RateLimiter::keyed(quota(VERIFY_PERIOD, VERIFY_BURST)),
        }
    }

    /// Records one request for an account mail to `email` (a reset link, say). Counted
    /// for any well-formed address, whether or not it has an account, so the limit
    /// itself tells nothing. `Err(seconds)` says how long to wait when over the limit.
    pub fn check_mail(&self, email: &str, client: Option<IpAddr>) -> Result<(), u64> {
        if let Some(ip) = client {
            self.mail_per_client
                .check_key(&client_addr::rate_key(ip))
                .map_err(wait_secs)?;
        }
        match super::accounts::normalize_email(email) {
            Ok(email) => self.mail_per_address.check_key(&email).map_err(wait_secs),
            Err(_) => Ok(()),
        }
    }

    /// The same limiters, allowing `burst` sign-ups at once per address.
    #[must_use]
    pub fn with_sign_up_burst(mut self, burst: u32) -> Self {
        self.sign_up_per_client = RateLimiter::keyed(quota(Duration::from_secs(30), burst));
        self
    }

    /// The same limiters, allowing `burst` verifications at once per address.
    #[must_use]
    pub fn with_verify_burst(mut self, burst: u32) -> Self {
        self.verify_per_client = RateLimiter::keyed(quota(VERIFY_PERIOD, burst));
        self
    }

    /// Records one verification (page or API). `Err(seconds)` says how long to wait
    /// when over the limit. A request without a known client address is not limited
    /// (only tests and in-process callers have none).
    pub fn check_verify(&self, client: Option<IpAddr>) -> Result<(), u64> {
        match client {
            Some(ip) => self
                .verify_per_client
                .check_key(&client_addr::rate_key(ip))
                .map_err(wait_secs),
            None => Ok(()),
        }
    }

    /// Records one sign-in attempt. `Err(seconds)` says how long to wait when over the limit.
    pub fn check(&self, email: &str, client: Option<IpAddr>) -> Result<(), u64> {
        if let Some(ip) = client {
            self.per_client
                .check_key(&client_addr::rate_key(ip))
                .map_err(wait_secs)?;
        }
        // Only well-formed addresses (at most 254 bytes) become keys: arbitrary input
        // must not grow the limiter. A malformed one cannot match an account anyway.
        match super::accounts::normalize_email(email) {
            Ok(email) => self.per_account.check_key(&email).map_err(wait_secs),
            Err(_) => Ok(()),
        }
    }

    /// Records one sign-up attempt. `Err(seconds)` says how long to wait when over the limit.
    pub fn check_sign_up(&self, client: Option<IpAddr>) -> Result<(), u64> {
        match client {
            Some(ip) => self
                .sign_up_per_client
                .check_key(&client_addr::rate_key(ip))
                .map_err(wait_secs),
            None => Ok(()),
        }
    }

    /// Forgets keys that are back to a full budget (called periodically).
    pub fn shrink(&self) {
        self.per_account.retain_recent();
        self.per_client.retain_recent();
        self.sign_up_per_client.retain_recent();
        self.mail_per_address.retain_recent();
        self.mail_per_client.retain_recent();
        self.verify_per_client.retain_recent();
        self.verify_per_client.shrink_to_fit();
        self.mail_per_address.shrink_to_fit();
        self.mail_per_client.shrink_to_fit();
        self.per_account.shrink_to_fit();
        self.per_client.shrink_to_fit();
        self.sign_up_per_client.shrink_to_fit();
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

    #[test]
    fn ipv6_clients_share_a_budget_per_slash_64() {
        let l = LoginLimiter::new(100, 2);
        let ip = |s: &str| Some(s.parse::<IpAddr>().expect("ip"));
        assert!(l.check("a@x.org", ip("2001:db8:1:1::1")).is_ok());
        assert!(l.check("b@x.org", ip("2001:db8:1:1::2")).is_ok());
        assert!(
            l.check("c@x.org", ip("2001:db8:1:1:ffff::3")).is_err(),
            "same /64"
        );
        assert!(
            l.check("c@x.org", ip("2001:db8:1:2::1")).is_ok(),
            "next /64"
        );
    }

    #[test]
    fn verifications_are_limited_per_client() {
        let l = LoginLimiter::default().with_verify_burst(2);
        let a = Some(IpAddr::from([198, 51, 100, 9]));
        assert!(l.check_verify(a).is_ok());
        assert!(l.check_verify(a).is_ok());
        let wait = l.check_verify(a).expect_err("limited");
        assert!((1..=2).contains(&wait), "{wait}");
        assert!(
            l.check_verify(Some(IpAddr::from([198, 51, 100, 10])))
                .is_ok()
        );
        assert!(l.check_sign_up(a).is_ok(), "budgets are separate");
    }

    #[test]
    fn sign_ups_are_limited_per_client() {
        let l = LoginLimiter::new(100, 100).with_sign_up_burst(3);
        let a = Some(IpAddr::from([198, 51, 100, 1]));
        for _ in 0..3 {
            assert!(l.check_sign_up(a).is_ok());
        }
        let wait = l.check_sign_up(a).expect_err("limited");
        assert!((1..=30).contains(&wait), "{wait}");
        assert!(
            l.check_sign_up(Some(IpAddr::from([198, 51, 100, 2])))
                .is_ok()
        );
        // Mapped IPv6 is the same client.
        assert!(
            l.check_sign_up(Some("::ffff:198.51.100.1".parse().expect("ip")))
                .is_err()
        );
        // Sign-in has its own budget.
        assert!(l.check("a@x.org", a).is_ok());
    }

    #[test]
    fn account_mails_are_limited_per_address_whether_or_not_it_has_an_account() {
        let l = LoginLimiter::default();
        let a = Some(IpAddr::from([198, 51, 100, 9]));
        for _ in 0..MAIL_ACCOUNT_BURST {
            assert!(l.check_mail("nobody@example.org", a).is_ok());
        }
        let wait = l.check_mail("NOBODY@example.org", a).expect_err("limited");
        assert!((1..=300).contains(&wait), "{wait}");
        assert!(l.check_mail("other@example.org", a).is_ok());
        // Sign-in keeps its own budget.
        assert!(l.check("nobody@example.org", a).is_ok());
    }
}
