//! The pages of the account links sent by mail: asking for a reset link, setting a new
//! password with one, and confirming an address. None acts on a GET (mail scanners open
//! links): each shows a form whose button posts the token. All work without JavaScript.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{components::A, hooks::use_query_map};

use crate::api::account_mail::{ConfirmEmail, RequestPasswordReset, ResetPassword};
use crate::components::form::{FormError, SubmitButton, last_error};
use crate::model::PASSWORD_RULE;

/// "Forgot your password?": asks for the address, always answers the same.
#[component]
pub fn ForgotPage() -> impl IntoView {
    let action = ServerAction::<RequestPasswordReset>::new();
    let query = use_query_map();
    let sent =
        move || query.read().get("sent").is_some() || matches!(action.value().get(), Some(Ok(())));
    view! {
        <Title text="Forgot your password? · Badgefolio" />
        <section class="card narrow">
            <h1>"Forgot your password?"</h1>
            <p>
                "Enter the address you sign in with. If it belongs to an account, we mail it a link "
                "to choose a new password. The link works once, for one hour."
            </p>
            <ActionForm action=action attr:class="stack-form" attr:novalidate="">
                <label for="forgot-email">"Email address"</label>
                <input id="forgot-email" name="email" type="email" autocomplete="username" required />
                <FormError error=last_error(action.value()) />
                <p role="status" class="form-success" data-testid="forgot-sent">
                    {move || {
                        sent()
                            .then_some(
                                "If an account uses that address, a reset link is on its way. Check your mail.",
                            )
                    }}
                </p>
                <SubmitButton label="Send reset link" busy_label="Sending…" pending=action.pending() />
            </ActionForm>
            <p>
                <A href="/signin">"Back to sign in"</A>
            </p>
        </section>
    }
}

/// Sets a new password with the token of a reset link.
#[component]
pub fn ResetPage() -> impl IntoView {
    let action = ServerAction::<ResetPassword>::new();
    let query = use_query_map();
    let token = move || query.read().get("token").unwrap_or_default();
    view! {
        <Title text="Choose a new password · Badgefolio" />
        <section class="card narrow">
            <h1>"Choose a new password"</h1>
            <Show
                when=move || !token().is_empty()
                fallback=|| {
                    view! {
                        <p>"This page needs the link from the reset mail. "</p>
                        <p>
                            <A href="/forgot">"Ask for a reset link"</A>
                        </p>
                    }
                }
            >
                <p>"Signing in on your other devices ends when the password changes."</p>
                <ActionForm action=action attr:class="stack-form" attr:novalidate="">
                    <input type="hidden" name="token" value=token />
                    <label for="reset-password">"New password"</label>
                    <input
                        id="reset-password"
                        name="new_password"
                        type="password"
                        autocomplete="new-password"
                        required
                        aria-describedby="reset-password-rule"
                    />
                    <p id="reset-password-rule" class="hint">
                        {PASSWORD_RULE}
                    </p>
                    <FormError error=last_error(action.value()) />
                    <SubmitButton label="Set new password" busy_label="Saving…" pending=action.pending() />
                </ActionForm>
                <p>
                    <A href="/forgot">"Ask for a new link"</A>
                </p>
            </Show>
        </section>
    }
}

/// Confirms an address with the token of a confirmation link (a new account's, or the
/// new address of a change).
#[component]
pub fn ConfirmPage() -> impl IntoView {
    let action = ServerAction::<ConfirmEmail>::new();
    let query = use_query_map();
    let token = move || query.read().get("token").unwrap_or_default();
    let done = move || query.read().get("done");
    view! {
        <Title text="Confirm your email address · Badgefolio" />
        <section class="card narrow">
            {move || match done().as_deref() {
                Some("address") => {
                    view! {
                        <h1>"Address confirmed"</h1>
                        <p role="status" class="form-success" data-testid="confirmed">
                            "Thank you: your email address is confirmed."
                        </p>
                        <p>
                            <A href="/portfolio">"Go to your portfolio"</A>
                        </p>
                    }
                        .into_any()
                }
                Some("extra") => {
                    view! {
                        <h1>"Address confirmed"</h1>
                        <p role="status" class="form-success" data-testid="confirmed">
                            "Thank you: the additional address is confirmed. Badges sent to it now reach your portfolio."
                        </p>
                        <p>
                            <A href="/settings#addresses">"Your addresses"</A>
                        </p>
                    }
                        .into_any()
                }
                Some("changed") => {
                    view! {
                        <h1>"Address changed"</h1>
                        <p role="status" class="form-success" data-testid="confirmed">
                            "Your account now signs in with its new address. We told the old address too."
                        </p>
                        <p>
                            <A href="/settings">"Account settings"</A>
                        </p>
                    }
                        .into_any()
                }
                _ if token().is_empty() => {
                    view! {
                        <h1>"Confirm your email address"</h1>
                        <p>"This page needs the link from the confirmation mail."</p>
                    }
                        .into_any()
                }
                _ => {
                    view! {
                        <h1>"Confirm your email address"</h1>
                        <p>"One click, and the address this link was mailed to is confirmed."</p>
                        <ActionForm action=action attr:class="stack-form" attr:novalidate="">
                            <input type="hidden" name="token" value=token />
                            <FormError error=last_error(action.value()) />
                            <SubmitButton
                                label="Confirm my email address"
                                busy_label="Confirming…"
                                pending=action.pending()
                            />
                        </ActionForm>
                    }
                        .into_any()
                }
            }}
        </section>
    }
}
