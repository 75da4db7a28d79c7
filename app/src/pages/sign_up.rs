//! Create an account.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use crate::auth::use_auth;
use crate::components::form::{FormError, SubmitButton, last_error};
use crate::model::PASSWORD_RULE;

/// The sign-up form.
#[component]
pub fn SignUpPage() -> impl IntoView {
    let action = use_auth().sign_up;
    view! {
        <Title text="Sign up · Badgefolio" />
        <section class="card narrow">
            <h1>"Create your portfolio"</h1>
            <ActionForm action=action attr:class="stack-form" attr:novalidate="">
                <label for="signup-name">"Your name"</label>
                <input id="signup-name" name="display_name" type="text" autocomplete="name" required maxlength="100" />
                <label for="signup-email">"Email address"</label>
                <input id="signup-email" name="email" type="email" autocomplete="email" required />
                <label for="signup-password">"Password"</label>
                <input
                    id="signup-password"
                    name="password"
                    type="password"
                    autocomplete="new-password"
                    required
                    aria-describedby="password-rule"
                />
                <p id="password-rule" class="hint">
                    {PASSWORD_RULE}
                </p>
                <FormError error=last_error(action.value()) />
                <SubmitButton label="Create account" busy_label="Creating your account…" pending=action.pending() />
            </ActionForm>
            <p>"Already have an account? " <A href="/signin">"Sign in"</A></p>
        </section>
    }
}
