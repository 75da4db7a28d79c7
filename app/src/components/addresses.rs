//! The settings page's "Your email addresses": the sign-in address and the extra ones
//! (a school address that will close, a work address), which is confirmed, adding one
//! (a confirmation link is mailed to it), sending the link again, removing one. Badges
//! sent to any confirmed address reach the portfolio.

use leptos::prelude::*;

use crate::api::import::{AddAddress, RemoveAddress, ResendAddress, my_addresses};
use crate::components::form::{FormError, SubmitButton, last_error};
use crate::model::import::MAX_EXTRA_ADDRESSES;

/// The addresses section.
#[component]
pub fn AddressesSection() -> impl IntoView {
    let add = ServerAction::<AddAddress>::new();
    let remove = ServerAction::<RemoveAddress>::new();
    let resend = ServerAction::<ResendAddress>::new();
    let list = Resource::new(
        move || {
            (
                add.version().get(),
                remove.version().get(),
                resend.version().get(),
            )
        },
        |_| my_addresses(),
    );
    let added = move || matches!(add.value().get(), Some(Ok(_)));
    view! {
        <h2 id="addresses">"Your email addresses"</h2>
        <p>
            "Badges sent to any of your confirmed addresses reach your portfolio, and you can import badges "
            "issued to them. Add the addresses schools and employers know you by, so no badge is lost when one closes."
        </p>
        <Suspense fallback=|| view! { <p>"Loading your addresses…"</p> }>
            {move || {
                list.get()
                    .map(|r| match r {
                        Err(e) => view! { <p class="form-error" role="alert">{e.to_string()}</p> }.into_any(),
                        Ok(a) => {
                            view! {
                                <ul class="address-list" data-testid="addresses">
                                    <li>
                                        <span class="address">{a.sign_in.clone()}</span>
                                        " (sign-in address) "
                                        <span class="status-note">
                                            {if a.sign_in_confirmed { "confirmed" } else { "not confirmed" }}
                                        </span>
                                    </li>
                                    {a.extra
                                        .into_iter()
                                        .map(|e| {
                                            let id = e.id.to_string();
                                            let id2 = id.clone();
                                            let label = format!("Remove {}", e.email);
                                            view! {
                                                <li data-address=e.email.clone()>
                                                    <span class="address">{e.email.clone()}</span>
                                                    " "
                                                    <span class="status-note" data-confirmed=e.confirmed.to_string()>
                                                        {if e.confirmed { "confirmed" } else { "waiting for confirmation" }}
                                                    </span>
                                                    {(!e.confirmed)
                                                        .then(|| {
                                                            view! {
                                                                <ActionForm action=resend attr:class="inline-form">
                                                                    <input type="hidden" name="id" value=id2.clone() />
                                                                    <button type="submit" class="link-button">"Send the link again"</button>
                                                                </ActionForm>
                                                            }
                                                        })}
                                                    <ActionForm action=remove attr:class="inline-form">
                                                        <input type="hidden" name="id" value=id.clone() />
                                                        <button type="submit" class="link-button" aria-label=label>"Remove"</button>
                                                    </ActionForm>
                                                </li>
                                            }
                                        })
                                        .collect_view()}
                                </ul>
                            }
                                .into_any()
                        }
                    })
            }}
        </Suspense>
        <FormError error=last_error(remove.value()) />
        <FormError error=last_error(resend.value()) />
        <p aria-live="polite" class="form-success">
            {move || matches!(resend.value().get(), Some(Ok(()))).then_some("A new link is on its way.")}
        </p>
        <ActionForm action=add attr:class="stack-form" attr:novalidate="">
            <label for="extra-email">"Add an email address"</label>
            <input id="extra-email" name="email" type="email" autocomplete="email" required
                aria-describedby="extra-email-hint" />
            <p class="hint" id="extra-email-hint">
                {format!(
                    "We mail a confirmation link to it; it counts once you open the link. Up to {MAX_EXTRA_ADDRESSES} addresses.",
                )}
            </p>
            <FormError error=last_error(add.value()) />
            <p aria-live="polite" class="form-success" data-testid="address-added">
                {move || added().then_some("Added. Check that address's inbox for the confirmation link.")}
            </p>
            <SubmitButton label="Add address" busy_label="Adding…" pending=add.pending() />
        </ActionForm>
    }
}
