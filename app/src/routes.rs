//! Every URL of the Leptos app, in one table.

use leptos::prelude::*;
use leptos_router::{
    SsrMode,
    components::{Route, Routes},
    path,
};

use crate::pages::{
    account_links::{ConfirmPage, ForgotPage, ResetPage},
    catalog::{competency::CompetencyPage, program::ProgramPage, programs::Programs},
    invitation::InvitationPage,
    landing::Landing,
    manage::{
        badge_form::BadgeFormPage, institution::ManageInstitution, overview::ManageOverview,
        program_form::ProgramFormPage,
    },
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
            // Public catalog pages are sent whole (not streamed), so they read complete
            // without JavaScript and to crawlers.
            <Route path=path!("/programs") view=Programs ssr=SsrMode::Async />
            <Route path=path!("/programs/:slug") view=ProgramPage ssr=SsrMode::Async />
            <Route path=path!("/competencies/:slug") view=CompetencyPage ssr=SsrMode::Async />
            <Route
                path=path!("/issuers/:issuer/competencies/:slug")
                view=CompetencyPage
                ssr=SsrMode::Async
            />
            <Route path=path!("/manage") view=ManageOverview />
            <Route path=path!("/manage/:inst") view=ManageInstitution />
            <Route path=path!("/manage/:inst/badges/:badge") view=BadgeFormPage />
            <Route path=path!("/manage/:inst/programs/:program") view=ProgramFormPage />
            <Route path=path!("/invitations/accept") view=InvitationPage />
            <Route path=path!("/forgot") view=ForgotPage />
            <Route path=path!("/account/reset") view=ResetPage />
            <Route path=path!("/account/confirm") view=ConfirmPage />
            <Route path=path!("/admin/outbox") view=OutboxPage />
        </Routes>
    }
}
