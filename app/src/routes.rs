//! Every URL of the Leptos app, in one table.

use leptos::prelude::*;
use leptos_router::{
    components::{Route, Routes},
    path,
};

use crate::pages::{
    account_links::{ConfirmPage, ForgotPage, ResetPage},
    landing::Landing,
    not_found::NotFound,
    outbox::OutboxPage,
    portfolio::Portfolio,
    settings::Settings,
    sign_in::SignInPage,
    sign_up::SignUpPage,
};

/// The routed part of the page.
#[component]
pub fn AppRoutes() -> impl IntoView {
    view! {
        <Routes fallback=NotFound>
            <Route path=path!("/") view=Landing />
            <Route path=path!("/signup") view=SignUpPage />
            <Route path=path!("/signin") view=SignInPage />
            <Route path=path!("/portfolio") view=Portfolio />
            <Route path=path!("/settings") view=Settings />
            <Route path=path!("/forgot") view=ForgotPage />
            <Route path=path!("/account/reset") view=ResetPage />
            <Route path=path!("/account/confirm") view=ConfirmPage />
            <Route path=path!("/admin/outbox") view=OutboxPage />
        </Routes>
    }
}
