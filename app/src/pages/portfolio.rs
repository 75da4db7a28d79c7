//! The learner's home. Empty for now: badges arrive with the awarding issues.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::signed_in::SignedIn;

/// "My portfolio".
#[component]
pub fn Portfolio() -> impl IntoView {
    view! {
        <Title text="My portfolio · Badgefolio" />
        <SignedIn children=|user| {
            view! {
                <section class="portfolio">
                    <h1>"My portfolio"</h1>
                    <p class="lead" data-testid="welcome">"Welcome, " {user.display_name} "."</p>
                    <div class="card empty-state">
                        <h2>"No badges yet"</h2>
                        <p>
                            "Badges you earn will appear here. Each one is yours: private until you share it, "
                            "and verifiable by anyone you show it to."
                        </p>
                    </div>
                </section>
            }
        } />
    }
}
