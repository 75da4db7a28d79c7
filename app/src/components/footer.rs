//! The site footer.

use leptos::prelude::*;

/// Footer with the project's promise.
#[component]
pub fn SiteFooter() -> impl IntoView {
    view! {
        <footer class="site-footer">
            <p>
                "Badgefolio is open source. Every badge is a signed Open Badges 3.0 credential that anyone can verify. "
                // A page outside the Leptos app (server-rendered): a full page load.
                <a href="/verify" rel="external">"Verify a badge"</a>
            </p>
        </footer>
    }
}
