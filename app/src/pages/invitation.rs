//! `/invitations/accept?token=…`: joining an institution's staff.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::catalog::{AcceptInvitation, get_invitation};
use crate::components::form::{FormError, SubmitButton, last_error};
use crate::components::signed_in::SignedIn;

/// The invitation page.
#[component]
pub fn InvitationPage() -> impl IntoView {
    let query = use_query_map();
    let token = Memo::new(move |_| query.get().get("token").unwrap_or_default());
    let accept = ServerAction::<AcceptInvitation>::new();
    view! {
        <Title text="Invitation · Badgefolio" />
        <SignedIn children=move |user| {
            let offer = Resource::new(move || token.get(), get_invitation);
            view! {
                <section class="card narrow">
                    <h1>"Staff invitation"</h1>
                    <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                        {move || Suspend::new({
                            let user = user.clone();
                            async move {
                            match (offer.await, accept.value().get()) {
                                (_, Some(Ok(slug))) => view! {
                                    <p class="form-success" data-testid="invitation-accepted">"Welcome aboard."</p>
                                    <p><a class="button" href=format!("/manage/{slug}")>"Go to the institution"</a></p>
                                }.into_any(),
                                (Err(e), _) => view! { <p role="alert">{e.to_string()}</p> }.into_any(),
                                (Ok((inst, email, role)), _) => view! {
                                    <p>{format!("{inst} invites {email} to join its staff as {role}.")}</p>
                                    {(email != user.email).then(|| view! {
                                        <p role="alert">{format!("You are signed in as {}. Sign in with {email} to accept.", user.email)}</p>
                                    })}
                                    <ActionForm action=accept attr:class="stack-form">
                                        <input type="hidden" name="token" value=token.get_untracked() />
                                        <FormError error=last_error(accept.value()) />
                                        <SubmitButton label="Accept invitation" busy_label="Accepting…" pending=accept.pending() />
                                    </ActionForm>
                                }.into_any(),
                            }
                        }})}
                    </Suspense>
                </section>
            }
        } />
    }
}
