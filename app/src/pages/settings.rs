//! Account settings: who you are, and changing your password.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::account_mail::{ChangeEmail, ResendConfirmation};
use crate::api::auth::ChangePassword;
use crate::api::portfolio::SetHandle;
use crate::components::addresses::AddressesSection;
use crate::components::form::{FormError, SubmitButton, last_error};
use crate::components::signed_in::SignedIn;
use crate::model::PASSWORD_RULE;

/// The settings page.
#[component]
pub fn Settings() -> impl IntoView {
    let change = ServerAction::<ChangePassword>::new();
    let done = move || matches!(change.value().get(), Some(Ok(())));
    let resend = ServerAction::<ResendConfirmation>::new();
    let resent = move || matches!(resend.value().get(), Some(Ok(())));
    let change_email = ServerAction::<ChangeEmail>::new();
    let email_requested = move || matches!(change_email.value().get(), Some(Ok(())));
    let set_handle = ServerAction::<SetHandle>::new();
    view! {
        <Title text="Account settings · Badgefolio" />
        <SignedIn children=move |user| {
            let confirmed = user.email_confirmed;
            view! {
                <section class="card narrow">
                    <h1>"Account settings"</h1>
                    <dl class="facts">
                        <dt>"Name"</dt>
                        <dd>{user.display_name}</dd>
                        <dt>"Email"</dt>
                        <dd>
                            {user.email}
                            {(!confirmed)
                                .then(|| {
                                    view! {
                                        <span class="status-note" data-testid="email-unconfirmed">
                                            "not confirmed"
                                        </span>
                                    }
                                })}
                        </dd>
                        <dt>"Role"</dt>
                        <dd>{user.role.label()} {user.institution.map(|i| format!(" at {i}"))}</dd>
                    </dl>
                    {(!confirmed)
                        .then(|| {
                            view! {
                                <h2>"Confirm your email address"</h2>
                                <p>
                                    "We mailed a confirmation link to your address. You can use Badgefolio meanwhile; "
                                    "confirming shows that mail about your badges reaches you."
                                </p>
                                <ActionForm action=resend attr:class="stack-form" attr:novalidate="">
                                    <FormError error=last_error(resend.value()) />
                                    <p aria-live="polite" class="form-success">
                                        {move || resent().then_some("A new link is on its way. Earlier links no longer work.")}
                                    </p>
                                    <SubmitButton label="Resend confirmation" busy_label="Sending…" pending=resend.pending() />
                                </ActionForm>
                            }
                        })}
                    <AddressesSection />
                    <h2 id="public-profile">"Public profile"</h2>
                    <p>
                        "Your badges are private until you show them. Choose a handle for your public profile at "
                        <code>"/p/your-handle"</code>
                        "; it shows only the badges you make public, one by one, on each badge's page."
                    </p>
                    <ActionForm action=set_handle attr:class="stack-form" attr:novalidate="">
                        <label for="handle">"Handle"</label>
                        <input id="handle" name="handle" type="text" autocomplete="username" minlength="3" maxlength="30"
                            pattern="[a-z0-9]+(-[a-z0-9]+)*" value=user.handle.clone().unwrap_or_default()
                            aria-describedby="handle-hint" />
                        <p class="hint" id="handle-hint">"3 to 30 characters: letters a–z, digits and single hyphens. Leave empty to have no public profile."</p>
                        <FormError error=last_error(set_handle.value()) />
                        <p aria-live="polite" class="form-success" data-testid="handle-saved">
                            {move || match set_handle.value().get() {
                                Some(Ok(Some(h))) => Some(view! { "Saved. Your profile: " <a href=format!("/p/{h}")>{format!("/p/{h}")}</a> }.into_any()),
                                Some(Ok(None)) => Some(view! { "Saved: you have no public profile." }.into_any()),
                                _ => None,
                            }}
                        </p>
                        <SubmitButton label="Save handle" busy_label="Saving…" pending=set_handle.pending() />
                    </ActionForm>
                    <h2>"Change email address"</h2>
                    <ActionForm action=change_email attr:class="stack-form" attr:novalidate="">
                        <label for="new-email">"New email address"</label>
                        <input id="new-email" name="new_email" type="email" autocomplete="email" required />
                        <label for="email-current-password">"Your password, to confirm it is you"</label>
                        <input id="email-current-password" name="current_password" type="password" autocomplete="current-password" required />
                        <p class="hint">"We mail a link to the new address. Your address changes when you open it."</p>
                        <FormError error=last_error(change_email.value()) />
                        <p aria-live="polite" class="form-success">
                            {move || email_requested().then_some("Check the new address's inbox for the link.")}
                        </p>
                        <SubmitButton label="Change email address" busy_label="Sending…" pending=change_email.pending() />
                    </ActionForm>
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
                    <h2>"Your data"</h2>
                    <p>
                        <a href=crate::model::account_data::PAGE_URL>"Download everything or delete your account"</a>
                    </p>
                </section>
            }
        } />
    }
}
