//! The navigation's link to `/notifications`, with the number of unread ones.
//!
//! The number is fetched by the browser after the page is up (a local resource, read
//! outside any `Suspense`): the header is rendered inside the session's own
//! `Transition`, and a second suspense boundary nested there made hydration fail on
//! streamed pages. Without JavaScript the link is there, and the page marks new ones.

use leptos::prelude::*;
use leptos_router::{components::A, hooks::use_location};

use crate::api::evidence::unread_notifications;

/// "Notifications (2 unread)".
#[component]
pub fn NotificationsLink() -> impl IntoView {
    let location = use_location();
    // Counted again on every navigation, so reading them shows at once.
    let count = LocalResource::new(move || {
        let _ = location.pathname.get();
        unread_notifications()
    });
    let unread = move || {
        count
            .get()
            .and_then(Result::ok)
            .filter(|n| *n > 0)
            .map(|n| {
                view! {
                    <span class="nav-count" data-testid="unread-count">{n}</span>
                    <span class="visually-hidden">" unread"</span>
                }
            })
    };
    view! {
        <A href="/notifications" attr:class="nav-link" attr:data-testid="notifications-link">
            <span>"Notifications"</span>
            {unread}
        </A>
    }
}
