//! Renders its children only for a signed-in user; asks everyone else to sign in.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::auth::use_auth;
use crate::error::AppError;
use crate::model::SessionUser;

/// Shows `children(user)` when signed in, a sign-in prompt otherwise.
#[component]
pub fn SignedIn<F, V>(children: F) -> impl IntoView
where
    F: Fn(SessionUser) -> V + Send + Sync + Clone + 'static,
    V: IntoView + 'static,
{
    let auth = use_auth();
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || {
                let children = children.clone();
                Suspend::new(async move {
                    match auth.user.await {
                        Ok(Some(user)) => children(user).into_any(),
                        Ok(None) => view! {
                            <section class="card narrow">
                                <h1>"Please sign in"</h1>
                                <p>"This page belongs to a signed-in learner."</p>
                                <p>
                                    <A href="/signin" attr:class="button">"Sign in"</A>
                                    " or "
                                    <A href="/signup">"create an account"</A>
                                </p>
                            </section>
                        }
                        .into_any(),
                        Err(e @ AppError::Unavailable { .. }) => view! {
                            <section class="card narrow" data-testid="unavailable">
                                <h1>"Please try again in a moment"</h1>
                                <p role="alert">{e.to_string()}</p>
                                <p>"Nothing you did caused this. Reload the page in a few seconds."</p>
                            </section>
                        }
                        .into_any(),
                        Err(e) => view! {
                            <p role="alert" class="form-error">{e.to_string()}</p>
                        }
                        .into_any(),
                    }
                })
            }}
        </Suspense>
    }
}
