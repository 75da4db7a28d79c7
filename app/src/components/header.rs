//! The site header: brand and navigation that follows the signed-in state.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::auth::use_auth;

/// Header with navigation.
#[component]
pub fn SiteHeader() -> impl IntoView {
    let auth = use_auth();
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
                                            <ActionForm action=auth.sign_out attr:class="inline-form">
                                                <button type="submit" class="link-button" data-testid="sign-out">
                                                    "Sign out"
                                                </button>
                                            </ActionForm>
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
