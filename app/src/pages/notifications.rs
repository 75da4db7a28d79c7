//! `/notifications`: the signed-in user's notifications (review decisions), newest
//! first, marked read one by one or all at once.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::evidence::{MarkNotificationsRead, list_notifications};
use crate::components::form::{FormError, last_error};
use crate::components::signed_in::SignedIn;

/// The notifications page.
#[component]
pub fn NotificationsPage() -> impl IntoView {
    let mark = ServerAction::<MarkNotificationsRead>::new();
    let list = Resource::new(move || mark.version().get(), |_| list_notifications());
    view! {
        <Title text="Notifications · Badgefolio" />
        <SignedIn children=move |_| view! {
            <section class="notifications">
                <h1>"Notifications"</h1>
                <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
                    {move || Suspend::new(async move {
                        match list.await {
                            Err(e) => view! { <p role="alert">{e.to_string()}</p> }.into_any(),
                            Ok(items) if items.is_empty() => view! { <p>"Nothing yet."</p> }.into_any(),
                            Ok(items) => {
                                let unread = items.iter().filter(|n| !n.read).count();
                                view! {
                                    {(unread > 0).then(|| view! {
                                        <ActionForm action=mark attr:class="inline-form">
                                            <button type="submit" class="button button-small">"Mark all as read"</button>
                                        </ActionForm>
                                    })}
                                    <ul class="notification-list" data-testid="notifications">
                                        {items.into_iter().map(|n| {
                                            let class = if n.read { "card notification" } else { "card notification unread" };
                                            view! {
                                                <li class=class>
                                                    <h2><a href=n.link.clone()>{n.title.clone()}</a></h2>
                                                    <p class="prose">{n.body.clone()}</p>
                                                    <p class="meta">
                                                        <time datetime=n.at.clone()>{n.at.replace('T', " ").replace('Z', " UTC")}</time>
                                                        {if n.read { " · read" } else { " · new" }}
                                                    </p>
                                                    {(!n.read).then(|| view! {
                                                        <ActionForm action=mark attr:class="inline-form">
                                                            <input type="hidden" name="id" value=n.id.to_string() />
                                                            <button type="submit" class="link-button" aria-label=format!("Mark \u{201c}{}\u{201d} as read", n.title)>"Mark as read"</button>
                                                        </ActionForm>
                                                    })}
                                                </li>
                                            }
                                        }).collect_view()}
                                    </ul>
                                }.into_any()
                            }
                        }
                    })}
                </Transition>
                <FormError error=last_error(mark.value()) />
            </section>
        } />
    }
}
