//! Sign in.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use crate::auth::use_auth;
use crate::components::form::{FormError, SubmitButton, last_error};

/// The sign-in form.
#[component]
pub fn SignInPage() -> impl IntoView {
    let action = use_auth().sign_in;
    view! {
        <Title text="Sign in · Badgefolio" />
        <section class="card narrow">
            <h1>"Sign in"</h1>
            <ActionForm action=action attr:class="stack-form" attr:novalidate="">
                <label for="signin-email">"Email address"</label>
                <input id="signin-email" name="email" type="email" autocomplete="username" required />
                <label for="signin-password">"Password"</label>
                <input id="signin-password" name="password" type="password" autocomplete="current-password" required />
                <FormError error=last_error(action.value()) />
                <SubmitButton label="Sign in" busy_label="Signing in…" pending=action.pending() />
            </ActionForm>
            <p>"New here? " <A href="/signup">"Create an account"</A></p>
        </section>
    }
}
