//! Accounts under abuse: client addresses behind trusted proxies.

#![allow(clippy::unwrap_used)]

mod common;

use app::server::{Settings, client_addr};
use common::PUBLIC_URL;

const PW: &str = "correct horse battery";

/// Settings that believe forwarding headers from the test peer's network (203.0.113.0/24).
fn behind_proxy() -> Settings {
    Settings::for_public_url(PUBLIC_URL)
        .with_trusted_proxies(client_addr::parse_cidrs("203.0.113.0/24").unwrap())
}

on_both_backends! {
    async fn sign_in_limits_follow_the_forwarded_client(app) {
        app.sign_up("ada@example.org", "Ada", PW).await;
        let app = app.sibling_with(behind_proxy());
        // Per-client budget: 20 attempts on different accounts from one client...
        let c = [("origin", PUBLIC_URL), ("x-forwarded-for", "198.51.100.7")];
        let mut limited = false;
        for i in 0..=app::server::rate_limit::CLIENT_BURST {
            let r = app
                .call_with("sign_in", &[("email", &format!("nobody{i}@example.org")), ("password", PW)], None, &c)
                .await;
            if r.status == 429 {
                limited = true;
                break;
            }
            assert_eq!(r.status, 401, "{}", r.body);
        }
        assert!(limited, "one client is limited across accounts");
        // ...and another client behind the same proxy still signs in.
        let d = [("origin", PUBLIC_URL), ("x-forwarded-for", "198.51.100.8")];
        let r = app.call_with("sign_in", &[("email", "ada@example.org"), ("password", PW)], None, &d).await;
        assert_eq!(r.status, 200, "{}", r.body);
    }
}
