//! The site header: brand and navigation that follows the signed-in state.

use leptos::{ev::SubmitEvent, prelude::*, server_fn::ServerFn};
use leptos_router::components::A;

use crate::api::auth::SignOut;
use crate::auth::use_auth;

/// Header with navigation.
#[component]
pub fn SiteHeader() -> impl IntoView {
    let auth = use_auth();
    // A plain form rather than `ActionForm`: sign-out has no fields, and `ActionForm`
    // would put the form-data decoder (serde_qs) into the first-load bundle of every
    // page. Without JavaScript the form posts to the server function as before.
    let sign_out = move |ev: SubmitEvent| {
        ev.prevent_default();
        auth.sign_out.dispatch(SignOut {});
    };
    view! {
        <header class="site-header">
            <A href="/" attr:class="brand">
                <span class="brand-mark" aria-hidden="true">
                    "◆"
                </span>
                " Badgefolio"
            </A>
            <nav aria-label="Main">
                <Transition fallback=|| ()>
                    {move || Suspend::new(async move {
                        match auth.user.await {
                            Ok(Some(user)) => {
                                let settings_label = format!("Account settings for {}", user.display_name);
                                view! {
                                    <ul class="nav-list">
                                        <li>
                                            <A href="/programs" attr:class="nav-link">"Programs"</A>
                                        </li>
                                        <li>
                                            <A href="/portfolio" attr:class="nav-link">"My portfolio"</A>
                                        </li>
                                        <li>
                                            <crate::components::notifications_link::NotificationsLink />
                                        </li>
                                        {(user.role != crate::model::Role::Learner).then(|| view! {
                                            <li>
                                                <A href="/manage" attr:class="nav-link">"Manage"</A>
                                            </li>
                                        })}
                                        <li>
                                            <A
                                                href="/settings"
                                                attr:class="nav-link"
                                                attr:aria-label=settings_label
                                            >
                                                {user.display_name}
                                            </A>
                                        </li>
                                        <li>
                                            <form
                                                action=SignOut::url()
                                                method="post"
                                                class="inline-form"
                                                on:submit=sign_out
                                            >
                                                <button type="submit" class="link-button" data-testid="sign-out">
                                                    "Sign out"
                                                </button>
                                            </form>
                                        </li>
                                    </ul>
                                }
                                    .into_any()
                            }
                            _ => {
                                view! {
                                    <ul class="nav-list">
                                        <li>
                                            <A href="/programs" attr:class="nav-link">"Programs"</A>
                                        </li>
                                        <li>
                                            <A href="/signin" attr:class="nav-link">"Sign in"</A>
                                        </li>
                                        <li>
                                            <A href="/signup" attr:class="button button-small">
                                                "Sign up"
                                            </A>
                                        </li>
                                    </ul>
                                }
                                    .into_any()
                            }
                        }
                    })}
                </Transition>
            </nav>
        </header>
    }
}
