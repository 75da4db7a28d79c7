//! The navigation's link to `/notifications`, with the number of unread ones.

use leptos::prelude::*;
use leptos_router::{components::A, hooks::use_location};

use crate::api::evidence::unread_notifications;

/// "Notifications (2 unread)".
#[component]
pub fn NotificationsLink() -> impl IntoView {
    let location = use_location();
    // Counted again on every navigation, so reading them shows at once.
    let count = Resource::new(move || location.pathname.get(), |_| unread_notifications());
    view! {
        <A href="/notifications" attr:class="nav-link" attr:data-testid="notifications-link">
            "Notifications"
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    count.await.ok().filter(|n| *n > 0).map(|n| view! {
                        " " <span class="nav-count" data-testid="unread-count">{n}</span>
                        <span class="visually-hidden">" unread"</span>
                    })
                })}
            </Transition>
        </A>
    }
}
