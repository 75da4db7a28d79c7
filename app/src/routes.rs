//! Every URL of the Leptos app, in one table.

use leptos::prelude::*;
use leptos_router::{
    components::{Route, Routes},
    path,
};

use crate::pages::{
    landing::Landing, not_found::NotFound, portfolio::Portfolio, settings::Settings,
    sign_in::SignInPage, sign_up::SignUpPage,
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
        </Routes>
    }
}
