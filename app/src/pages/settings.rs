//! Account settings: who you are, and changing your password.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::auth::ChangePassword;
use crate::components::form::{FormError, SubmitButton, last_error};
use crate::components::signed_in::SignedIn;
use crate::model::PASSWORD_RULE;

/// The settings page.
#[component]
pub fn Settings() -> impl IntoView {
    let change = ServerAction::<ChangePassword>::new();
    let done = move || matches!(change.value().get(), Some(Ok(())));
    view! {
        <Title text="Account settings · Badgefolio" />
        <SignedIn children=move |user| {
            view! {
                <section class="card narrow">
                    <h1>"Account settings"</h1>
                    <dl class="facts">
                        <dt>"Name"</dt>
                        <dd>{user.display_name}</dd>
                        <dt>"Email"</dt>
                        <dd>{user.email}</dd>
                        <dt>"Role"</dt>
                        <dd>{user.role.label()} {user.institution.map(|i| format!(" at {i}"))}</dd>
                    </dl>
                    <h2>"Change password"</h2>
                    <ActionForm action=change attr:class="stack-form" attr:novalidate="">
                        <label for="current-password">"Current password"</label>
                        <input id="current-password" name="current_password" type="password" autocomplete="current-password" required />
                        <label for="new-password">"New password"</label>
                        <input id="new-password" name="new_password" type="password" autocomplete="new-password" required aria-describedby="new-password-rule" />
                        <p id="new-password-rule" class="hint">{PASSWORD_RULE}</p>
                        <FormError error=last_error(change.value()) />
                        <p role="status" class="form-success">
                            {move || done().then_some("Your password was changed. Your other devices were signed out.")}
                        </p>
                        <SubmitButton label="Change password" busy_label="Changing password…" pending=change.pending() />
                    </ActionForm>
                </section>
            }
        } />
    }
}
