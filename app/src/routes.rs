//! Every URL of the Leptos app, in one table.
//!
//! The first load stays small: the main WASM bundle holds only the shell (header, footer,
//! router, the session resource) and the two static pages (landing, not found); every
//! other page, sign-in and sign-up included, is a lazy route, split by `cargo leptos build --split` into its own WASM chunk (plus chunks of
//! code shared between lazy pages) that the browser loads when the page is first shown.
//! On the server a lazy route renders as before and names its chunks in
//! `<link rel="preload">` tags, so a visitor landing on such a page fetches them along
//! with the main bundle and hydrates once they are in.

use leptos::prelude::*;
use leptos_router::{
    Lazy, LazyRoute, SsrMode,
    components::{Route, Routes},
    lazy_route, path,
};

use crate::pages::{
    account_data::AccountDataPage,
    account_links::{ConfirmPage, ForgotPage, ResetPage},
    catalog::{competency::CompetencyPage, program::ProgramPage, programs::Programs},
    endorse::EndorsePage,
    evidence::{
        editor::EvidenceEditorPage, learn::LearnPage, queue::ReviewQueuePage, review::ReviewPage,
    },
    invitation::InvitationPage,
    landing::Landing,
    manage::{
        awards::AwardsPage,
        badge_form::BadgeFormPage,
        bulk::{BulkRunPage, BulkUploadPage},
        institution::ManageInstitution,
        overview::ManageOverview,
        program_form::ProgramFormPage,
        transcripts::TranscriptsPage,
    },
    not_found::NotFound,
    notifications::NotificationsPage,
    outbox::OutboxPage,
    portfolio::{
        Portfolio, badge::PortfolioBadgePage, collections::CollectionsPage, import::ImportPage,
        links::ShareLinksPage, profile::PublicProfilePage,
    },
    settings::Settings,
    sign_in::SignInPage,
    sign_up::SignUpPage,
};

/// Makes `$route` a lazy route showing the page component `$page`: the page's code (and
/// what only it uses) goes to a WASM chunk of its own. The route has no data of its own
/// (`data()` is empty): pages load their data themselves, as they would eagerly.
macro_rules! lazy_page {
    ($(#[$doc:meta])* $route:ident => $page:ident) => {
        $(#[$doc])*
        pub struct $route;

        #[lazy_route]
        impl LazyRoute for $route {
            fn data() -> Self {
                Self
            }

            fn view(_this: Self) -> AnyView {
                view! { <$page /> }.into_any()
            }
        }
    };
}

lazy_page!(
    /// `/signin`: its form (and the form decoding an `ActionForm` needs) stays out of the
    /// main bundle.
    SignInRoute => SignInPage
);
lazy_page!(
    /// `/signup`.
    SignUpRoute => SignUpPage
);
lazy_page!(
    /// `/portfolio`.
    PortfolioRoute => Portfolio
);
lazy_page!(
    /// `/portfolio/badges/:award`.
    PortfolioBadgeRoute => PortfolioBadgePage
);
lazy_page!(
    /// `/portfolio/links`.
    ShareLinksRoute => ShareLinksPage
);
lazy_page!(
    /// `/portfolio/import`.
    PortfolioImportRoute => ImportPage
);
lazy_page!(
    /// `/portfolio/collections`.
    CollectionsRoute => CollectionsPage
);
lazy_page!(
    /// `/endorse/:token`.
    EndorseRoute => EndorsePage
);
lazy_page!(
    /// `/p/:handle`.
    PublicProfileRoute => PublicProfilePage
);
lazy_page!(
    /// `/settings`.
    SettingsRoute => Settings
);
lazy_page!(
    /// `/programs`.
    ProgramsRoute => Programs
);
lazy_page!(
    /// `/programs/:slug`.
    ProgramRoute => ProgramPage
);
lazy_page!(
    /// `/competencies/:slug` and `/issuers/:issuer/competencies/:slug`.
    CompetencyRoute => CompetencyPage
);
lazy_page!(
    /// `/manage`.
    ManageOverviewRoute => ManageOverview
);
lazy_page!(
    /// `/manage/:inst`.
    ManageInstitutionRoute => ManageInstitution
);
lazy_page!(
    /// `/manage/:inst/badges/:badge`.
    BadgeFormRoute => BadgeFormPage
);
lazy_page!(
    /// `/manage/:inst/programs/:program`.
    ProgramFormRoute => ProgramFormPage
);
lazy_page!(
    /// `/manage/:inst/awards`.
    AwardsRoute => AwardsPage
);
lazy_page!(
    /// `/manage/:inst/transcripts`.
    TranscriptsRoute => TranscriptsPage
);
lazy_page!(
    /// `/manage/:inst/bulk`.
    BulkUploadRoute => BulkUploadPage
);
lazy_page!(
    /// `/manage/:inst/bulk/:run`.
    BulkRunRoute => BulkRunPage
);
lazy_page!(
    /// `/invitations/accept`.
    InvitationRoute => InvitationPage
);
lazy_page!(
    /// `/forgot`.
    ForgotRoute => ForgotPage
);
lazy_page!(
    /// `/account/reset`.
    ResetRoute => ResetPage
);
lazy_page!(
    /// `/account/confirm`.
    ConfirmRoute => ConfirmPage
);
lazy_page!(
    /// `/admin/outbox`.
    OutboxRoute => OutboxPage
);
lazy_page!(
    /// `/learn/:program`.
    LearnRoute => LearnPage
);
lazy_page!(
    /// `/learn/:program/:badge`.
    EvidenceEditorRoute => EvidenceEditorPage
);
lazy_page!(
    /// `/manage/:inst/review`.
    ReviewQueueRoute => ReviewQueuePage
);
lazy_page!(
    /// `/manage/:inst/review/:submission`.
    ReviewRoute => ReviewPage
);
lazy_page!(
    /// `/notifications`.
    NotificationsRoute => NotificationsPage
);
lazy_page!(
    /// `/account/data`: download everything, delete the account.
    AccountDataRoute => AccountDataPage
);

/// The routed part of the page.
#[component]
pub fn AppRoutes() -> impl IntoView {
    view! {
        <Routes fallback=NotFound>
            <Route path=path!("/") view=Landing />
            <Route path=path!("/signup") view={Lazy::<SignUpRoute>::new()} />
            <Route path=path!("/signin") view={Lazy::<SignInRoute>::new()} />
            // Sent whole: when its data cannot be read (the database is down) the page
            // answers 503, even if the session was still known from memory.
            <Route
                path=path!("/portfolio")
                view={Lazy::<PortfolioRoute>::new()}
                ssr=SsrMode::Async
            />
            <Route path=path!("/portfolio/import") view={Lazy::<PortfolioImportRoute>::new()} />
            <Route
                path=path!("/portfolio/badges/:award")
                view={Lazy::<PortfolioBadgeRoute>::new()}
                ssr=SsrMode::Async
            />
            <Route path=path!("/portfolio/links") view={Lazy::<ShareLinksRoute>::new()} ssr=SsrMode::Async />
            <Route
                path=path!("/portfolio/collections")
                view={Lazy::<CollectionsRoute>::new()}
                ssr=SsrMode::Async
            />
            // Signed in or not; whole, so it works without JavaScript.
            <Route
                path=path!("/endorse/:token")
                view={Lazy::<EndorseRoute>::new()}
                ssr=SsrMode::Async
            />
            // Public and whole: anyone, with or without JavaScript, reads it complete.
            <Route
                path=path!("/p/:handle")
                view={Lazy::<PublicProfileRoute>::new()}
                ssr=SsrMode::Async
            />
            <Route path=path!("/settings") view={Lazy::<SettingsRoute>::new()} />
            // Public catalog pages are sent whole (not streamed), so they read complete
            // without JavaScript and to crawlers.
            <Route
                path=path!("/programs")
                view={Lazy::<ProgramsRoute>::new()}
                ssr=SsrMode::Async
            />
            <Route
                path=path!("/programs/:slug")
                view={Lazy::<ProgramRoute>::new()}
                ssr=SsrMode::Async
            />
            <Route
                path=path!("/competencies/:slug")
                view={Lazy::<CompetencyRoute>::new()}
                ssr=SsrMode::Async
            />
            <Route
                path=path!("/issuers/:issuer/competencies/:slug")
                view={Lazy::<CompetencyRoute>::new()}
                ssr=SsrMode::Async
            />
            <Route path=path!("/manage") view={Lazy::<ManageOverviewRoute>::new()} />
            <Route path=path!("/manage/:inst") view={Lazy::<ManageInstitutionRoute>::new()} />
            <Route
                path=path!("/manage/:inst/badges/:badge")
                view={Lazy::<BadgeFormRoute>::new()}
            />
            <Route
                path=path!("/manage/:inst/programs/:program")
                view={Lazy::<ProgramFormRoute>::new()}
            />
            <Route path=path!("/manage/:inst/awards") view={Lazy::<AwardsRoute>::new()} />
            <Route
                path=path!("/manage/:inst/transcripts")
                view={Lazy::<TranscriptsRoute>::new()}
            />
            <Route path=path!("/manage/:inst/bulk") view={Lazy::<BulkUploadRoute>::new()} />
            <Route path=path!("/manage/:inst/bulk/:run") view={Lazy::<BulkRunRoute>::new()} />
            <Route path=path!("/invitations/accept") view={Lazy::<InvitationRoute>::new()} />
            <Route path=path!("/forgot") view={Lazy::<ForgotRoute>::new()} />
            <Route path=path!("/account/reset") view={Lazy::<ResetRoute>::new()} />
            <Route path=path!("/account/confirm") view={Lazy::<ConfirmRoute>::new()} />
            <Route path=path!("/admin/outbox") view={Lazy::<OutboxRoute>::new()} />
            <Route path=path!("/learn/:program") view={Lazy::<LearnRoute>::new()} />
            <Route path=path!("/learn/:program/:badge") view={Lazy::<EvidenceEditorRoute>::new()} />
            <Route path=path!("/manage/:inst/review") view={Lazy::<ReviewQueueRoute>::new()} />
            <Route
                path=path!("/manage/:inst/review/:submission")
                view={Lazy::<ReviewRoute>::new()}
            />
            <Route path=path!("/notifications") view={Lazy::<NotificationsRoute>::new()} />
            <Route path=path!("/account/data") view={Lazy::<AccountDataRoute>::new()} />
        </Routes>
    }
}
