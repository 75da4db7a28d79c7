//! Sign in.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{components::A, hooks::use_query_map};

use crate::auth::use_auth;
use crate::components::form::{FormError, SubmitButton, last_error};

/// The sign-in form.
#[component]
pub fn SignInPage() -> impl IntoView {
    let action = use_auth().sign_in;
    let query = use_query_map();
    let after_reset = move || query.read().get("reset").is_some_and(|v| v == "done");
    view! {
        <Title text="Sign in · Badgefolio" />
        <section class="card narrow">
            <h1>"Sign in"</h1>
            <Show when=after_reset>
                <p role="status" class="form-success" data-testid="reset-done">
                    "Your password was changed. Sign in with the new one."
                </p>
            </Show>
            <ActionForm action=action attr:class="stack-form" attr:novalidate="">
                <label for="signin-email">"Email address"</label>
                <input id="signin-email" name="email" type="email" autocomplete="username" required />
                <label for="signin-password">"Password"</label>
                <input id="signin-password" name="password" type="password" autocomplete="current-password" required />
                <FormError error=last_error(action.value()) />
                <SubmitButton label="Sign in" busy_label="Signing in…" pending=action.pending() />
            </ActionForm>
            <p><A href="/forgot">"Forgot your password?"</A></p>
            <p>"New here? " <A href="/signup">"Create an account"</A></p>
        </section>
    }
}
