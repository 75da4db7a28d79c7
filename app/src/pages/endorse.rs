//! `/endorse/{token}`: the person a learner asked gives their endorsement, signed in or
//! not. The link is the only key: the page tells search engines and other sites
//! nothing (no index, no referrer).

use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use leptos_router::hooks::use_params_map;

use crate::api::endorsements::{
    EndorseInvitation, GiveEndorsement, NAME_MAX_CHARS, STATEMENT_MAX_CHARS, endorsement_invitation,
};
use crate::components::form::{FormError, SubmitButton, last_error};
use crate::pages::catalog::LoadError;

/// The endorsement page.
#[component]
pub fn EndorsePage() -> impl IntoView {
    let params = use_params_map();
    let invitation = Resource::new_blocking(
        move || params.get().get("token").unwrap_or_default(),
        endorsement_invitation,
    );
    view! {
        <Title text="Endorse a badge · Badgefolio" />
        <Meta name="robots" content="noindex, nofollow" />
        <Meta name="referrer" content="no-referrer" />
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                let token = params.get_untracked().get("token").unwrap_or_default();
                match invitation.await {
                    Err(e) => view! { <LoadError error=e /> }.into_any(),
                    Ok(inv) => view! { <Form inv=inv token=token /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Form(inv: EndorseInvitation, token: String) -> impl IntoView {
    let give = ServerAction::<GiveEndorsement>::new();
    let alt = format!("Badge image: {}", inv.badge_name);
    let suggested = inv.invitee_name.clone().unwrap_or_default();
    let learner = inv.learner_name.clone();
    let signed_in_as = inv.signed_in_as.clone();
    let expires_at = inv.expires_at.clone();
    let thanked = inv.learner_name.clone();
    view! {
        <article class="card narrow" data-testid="endorse">
            <h1>"Endorse " {inv.learner_name.clone()} "’s badge"</h1>
            <div class="badge-detail-head">
                {(!inv.image_url.is_empty()).then(|| view! { <img src=inv.image_url.clone() alt=alt width="96" height="96" /> })}
                <div>
                    <p class="lead" data-testid="endorse-badge">{inv.badge_name.clone()}</p>
                    <p class="meta">"Issued by " {inv.issuer.clone()} " to " {inv.learner_name.clone()}</p>
                </div>
            </div>
            <Show
                when=move || matches!(give.value().get(), Some(Ok(())))
                fallback=move || {
                    let token = token.clone();
                    let suggested = suggested.clone();
                    let learner = learner.clone();
                    let signed_in_as = signed_in_as.clone();
                    let expires_at = expires_at.clone();
                    view! {
                        <p>{format!("{learner} asked you to endorse this badge: a few words on what they can do. They will see your statement and decide whether to show it; once shown, Badgefolio signs it as an Open Badges endorsement with your name.")}</p>
                        {signed_in_as.map(|n| view! { <p class="meta">"You are signed in as " {n} ": your account and its confirmed address go with your endorsement."</p> })}
                        <ActionForm action=give attr:class="stacked-form">
                            <input type="hidden" name="token" value=token />
                            <label>"Your name (as it will appear)"
                                <input type="text" name="name" required maxlength=NAME_MAX_CHARS.to_string() value=suggested autocomplete="name" />
                            </label>
                            <label>"Your statement"
                                <textarea name="statement" required rows="6" maxlength=STATEMENT_MAX_CHARS.to_string()></textarea>
                            </label>
                            <p class="hint">{format!("Up to {STATEMENT_MAX_CHARS} characters. The link works once, until {expires_at}.")}</p>
                            <SubmitButton label="Give my endorsement" busy_label="Sending…" pending=give.pending() />
                            <FormError error=last_error(give.value()) />
                        </ActionForm>
                    }
                }
            >
                <p role="status" data-testid="endorse-thanks">"Thank you: your endorsement was sent. " {thanked.clone()} " will decide whether to show it."</p>
            </Show>
        </article>
    }
}
