//! One authorization layer: every registered server function has an entry in the
//! access list, and those for signed-in users refuse anonymous callers before their
//! handler runs. The feature issues extend this matrix per role.

#![allow(clippy::unwrap_used)]

mod common;

use app::server::authz::{self, FnAccess};

/// The matrix as the product intends it. Adding a server function without adding it
/// here (and to `authz::SERVER_FUNCTIONS`) fails this test.
const EXPECTED: &[(&str, FnAccess)] = &[
    ("accept_invitation", FnAccess::SignedIn),
    ("add_address", FnAccess::SignedIn),
    ("add_competency", FnAccess::SignedIn),
    ("add_evidence_link", FnAccess::SignedIn),
    ("add_to_collection", FnAccess::SignedIn),
    ("badge_endorsements", FnAccess::SignedIn),
    ("bulk_page", FnAccess::SignedIn),
    ("bulk_preview", FnAccess::SignedIn),
    ("bulk_run", FnAccess::SignedIn),
    ("bulk_start", FnAccess::SignedIn),
    ("catalog", FnAccess::Anyone),
    ("change_email", FnAccess::SignedIn),
    ("change_evidence_item", FnAccess::SignedIn),
    ("change_password", FnAccess::SignedIn),
    ("competency", FnAccess::Anyone),
    ("confirm_email", FnAccess::Anyone),
    ("create_collection", FnAccess::SignedIn),
    ("create_institution", FnAccess::SignedIn),
    ("create_share_link", FnAccess::SignedIn),
    ("current_user", FnAccess::Anyone),
    ("decide_endorsement", FnAccess::SignedIn),
    ("decide_submission", FnAccess::SignedIn),
    ("delete_account", FnAccess::SignedIn),
    ("delete_collection", FnAccess::SignedIn),
    ("delete_import", FnAccess::SignedIn),
    ("edit_collection", FnAccess::SignedIn),
    ("email_signature", FnAccess::SignedIn),
    ("endorsement_invitation", FnAccess::Anyone),
    ("enroll", FnAccess::SignedIn),
    ("export_contents", FnAccess::SignedIn),
    ("give_endorsement", FnAccess::Anyone),
    ("import_badge", FnAccess::SignedIn),
    ("institution_admin", FnAccess::SignedIn),
    ("institution_awards", FnAccess::SignedIn),
    ("institution_transcripts", FnAccess::SignedIn),
    ("institutions", FnAccess::SignedIn),
    ("invitation", FnAccess::SignedIn),
    ("invite_staff", FnAccess::SignedIn),
    ("learn_program", FnAccess::SignedIn),
    ("list_outbox", FnAccess::SignedIn),
    ("list_share_links", FnAccess::SignedIn),
    ("mark_notifications_read", FnAccess::SignedIn),
    ("move_collection", FnAccess::SignedIn),
    ("move_collection_item", FnAccess::SignedIn),
    ("my_addresses", FnAccess::SignedIn),
    ("my_badges", FnAccess::SignedIn),
    ("my_collections", FnAccess::SignedIn),
    ("my_enrollments", FnAccess::SignedIn),
    ("my_evidence", FnAccess::SignedIn),
    ("my_institutions", FnAccess::SignedIn),
    ("notifications", FnAccess::SignedIn),
    ("portfolio_badge", FnAccess::SignedIn),
    ("portfolio_overview", FnAccess::SignedIn),
    ("portfolio_wall", FnAccess::SignedIn),
    ("program", FnAccess::Anyone),
    ("public_profile", FnAccess::Anyone),
    ("reissue_award", FnAccess::SignedIn),
    ("remove_address", FnAccess::SignedIn),
    ("remove_from_collection", FnAccess::SignedIn),
    ("remove_staff", FnAccess::SignedIn),
    ("rename_share_link", FnAccess::SignedIn),
    ("request_endorsement", FnAccess::SignedIn),
    ("request_password_reset", FnAccess::Anyone),
    ("resend_address", FnAccess::SignedIn),
    ("resend_confirmation", FnAccess::SignedIn),
    ("reset_password", FnAccess::Anyone),
    ("review_queue", FnAccess::SignedIn),
    ("review_submission", FnAccess::SignedIn),
    ("revoke_award", FnAccess::SignedIn),
    ("revoke_invitation", FnAccess::SignedIn),
    ("revoke_share_link", FnAccess::SignedIn),
    ("save_badge", FnAccess::SignedIn),
    ("save_narrative", FnAccess::SignedIn),
    ("save_profile", FnAccess::SignedIn),
    ("save_program", FnAccess::SignedIn),
    ("set_allow_indexing", FnAccess::SignedIn),
    ("set_badge_visibility", FnAccess::SignedIn),
    ("set_handle", FnAccess::SignedIn),
    ("share_links_page", FnAccess::SignedIn),
    ("share_panel", FnAccess::SignedIn),
    ("sign_in", FnAccess::Anyone),
    ("sign_out", FnAccess::Anyone),
    ("sign_up", FnAccess::Anyone),
    ("submit_evidence", FnAccess::SignedIn),
    ("unread_notifications", FnAccess::Anyone),
    ("upload_evidence", FnAccess::SignedIn),
    ("withdraw", FnAccess::SignedIn),
];

fn registered() -> Vec<String> {
    let mut names: Vec<String> = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, _)| {
            path.strip_prefix(server::access::API_PREFIX)
                .unwrap_or_else(|| panic!("{path} is not under /api/"))
                .to_string()
        })
        .collect();
    names.sort();
    names
}

#[test]
fn every_registered_server_function_is_in_the_access_list() {
    let names = registered();
    assert!(!names.is_empty(), "server functions are registered");
    let expected: Vec<String> = EXPECTED.iter().map(|(n, _)| (*n).to_string()).collect();
    assert_eq!(
        names, expected,
        "registered server functions vs. the matrix"
    );
    for (name, access) in EXPECTED {
        assert_eq!(authz::server_fn_access(name), Some(*access), "{name}");
    }
    assert_eq!(
        authz::SERVER_FUNCTIONS.len(),
        EXPECTED.len(),
        "no stale entries"
    );
}

on_both_backends! {
    async fn anonymous_callers_are_refused_where_the_matrix_says(app) {
        for name in registered() {
            let access = authz::server_fn_access(&name).unwrap();
            let r = app.call(&name, &[], None).await;
            match access {
                FnAccess::SignedIn => {
                    assert_eq!(r.status, 401, "{name}: {}", r.body);
                    assert_eq!(r.code(), "unauthenticated", "{name}");
                }
                FnAccess::Anyone => assert_ne!(r.code(), "unauthenticated", "{name}: {}", r.body),
            }
        }
        // A stale or forged session is anonymous too.
        let r = app.call("change_password", &[("current_password", "x"), ("new_password", "y")], Some("not-a-session")).await;
        assert_eq!(r.status, 401, "{}", r.body);
    }

    async fn unknown_server_functions_are_refused(app) {
        let r = app.call("no_such_function", &[], None).await;
        assert_eq!(r.status, 404, "{}", r.body);
        assert_eq!(r.code(), "not_found");
    }

    async fn a_signed_in_caller_reaches_the_handler(app) {
        let session = app.sign_up("ada@example.org", "Ada", "correct horse battery").await;
        let r = app.call(
            "change_password",
            &[("current_password", "wrong password!"), ("new_password", "another long passphrase")],
            Some(&session),
        ).await;
        // The handler ran: the refusal is about the password, not about signing in.
        assert_eq!(r.status, 422, "{}", r.body);
        assert_eq!(r.code(), "invalid");
    }
}
