//! The password-hashing queue is bounded: when it is full, sign-up and sign-in are
//! answered 503 with `Retry-After` at once, and a taken email is refused before any
//! hashing. Alone in its own test binary, because the queue is one per process.

#![allow(clippy::unwrap_used)]

mod common;

use app::server::passwords;
use common::TestApp;

const PW: &str = "correct horse battery";

#[tokio::test]
async fn a_full_hashing_queue_answers_503_and_duplicates_are_refused_before_hashing() {
    for backend in common::backends() {
        let Some(app) = TestApp::new(backend).await else {
            continue;
        };
        app.sign_up("ada@example.org", "Ada", PW).await;

        // Take every place in the queue (running and waiting).
        let gate = passwords::gate();
        let places: Vec<_> = (0..gate.capacity())
            .map(|_| gate.try_admit().unwrap())
            .collect();
        assert!(gate.try_admit().is_err(), "the queue is full");

        // A taken email is answered without hashing: 409, not 503.
        let r = app
            .try_sign_up("ADA@example.org", "Ada again", PW, &[])
            .await;
        assert_eq!(r.status, 409, "{backend:?}: {}", r.body);
        assert_eq!(r.code(), "email_taken");

        // A new account needs a hash: refused at once with a time to come back.
        let r = app.try_sign_up("grace@example.org", "Grace", PW, &[]).await;
        assert_eq!(r.status, 503, "{backend:?}: {}", r.body);
        assert_eq!(r.code(), "unavailable");
        assert_eq!(
            r.header("retry-after"),
            Some(passwords::BUSY_RETRY_AFTER_SECS.to_string().as_str())
        );
        assert!(r.session().is_none());
        // Sign-in verifies a hash: the same.
        let r = app.sign_in("ada@example.org", PW, None).await;
        assert_eq!(r.status, 503, "{backend:?}: {}", r.body);
        assert_eq!(r.code(), "unavailable");
        assert!(r.header("retry-after").is_some());

        // Places free again: everything works, and nothing was half-created.
        drop(places);
        let r = app.try_sign_up("grace@example.org", "Grace", PW, &[]).await;
        assert_eq!(r.status, 200, "{backend:?}: {}", r.body);
        assert_eq!(app.sign_in("ada@example.org", PW, None).await.status, 200);
    }
}
