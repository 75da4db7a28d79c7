//! The endorsements panel of a badge page: ask someone (a link to copy, mailed when an
//! address is given), see what came back, approve, decline or withdraw.

use leptos::prelude::*;

use crate::api::endorsements::{
    DecideEndorsement, EndorsementView, NAME_MAX_CHARS, RequestEndorsement, badge_endorsements,
};
use crate::components::form::{FormError, SubmitButton, last_error};

/// The panel for one of the learner's awards.
#[component]
pub fn Endorsements(award: String) -> impl IntoView {
    let ask = ServerAction::<RequestEndorsement>::new();
    let decide = ServerAction::<DecideEndorsement>::new();
    let award_key = award.clone();
    let list = Resource::new(
        move || (ask.version().get(), decide.version().get()),
        move |_| badge_endorsements(award_key.clone()),
    );
    view! {
        <section class="card" aria-labelledby="endorsements-heading" data-testid="endorsements">
            <h2 id="endorsements-heading">"Endorsements"</h2>
            <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match list.await {
                        Err(e) => view! { <p role="alert">{e.to_string()}</p> }.into_any(),
                        Ok(items) => view! { <EndorsementList items=items decide=decide /> }.into_any(),
                    }
                })}
            </Suspense>
            <FormError error=last_error(decide.value()) />
            <h3>"Ask someone to endorse this badge"</h3>
            <p class="hint">"A peer, mentor or employer writes a few words about what you can do. You decide whether it is shown; once you approve it, Badgefolio signs it as an Open Badges endorsement."</p>
            <ActionForm action=ask attr:class="stacked-form" attr:data-testid="ask-endorsement">
                <input type="hidden" name="award" value=award.clone() />
                <label>"Their name"
                    <input type="text" name="name" required maxlength=NAME_MAX_CHARS.to_string() autocomplete="off" />
                </label>
                <label>"Their e-mail address (optional: we mail them the link)"
                    <input type="email" name="email" maxlength="254" autocomplete="off" />
                </label>
                <SubmitButton label="Create the link" busy_label="Creating…" pending=ask.pending() />
                <FormError error=last_error(ask.value()) />
            </ActionForm>
            {move || ask.value().get().and_then(Result::ok).map(|l| view! {
                <div class="notice" role="status">
                    <p>{if l.mailed { "We mailed them this link. You can also pass it on yourself:" } else { "Send them this link (it works for 30 days, once):" }}</p>
                    <input type="text" readonly class="copy-field" aria-label="Endorsement link" value=l.link.clone() data-testid="endorsement-link" />
                </div>
            })}
        </section>
    }
}

/// Approved first, then those waiting for the learner, then open requests.
#[component]
fn EndorsementList(
    items: Vec<EndorsementView>,
    decide: ServerAction<DecideEndorsement>,
) -> impl IntoView {
    let by = |s: &str| {
        items
            .iter()
            .filter(|e| e.status == s)
            .cloned()
            .collect::<Vec<_>>()
    };
    let approved = by("approved");
    let submitted = by("submitted");
    let requested = by("requested");
    let closed: Vec<EndorsementView> = items
        .iter()
        .filter(|e| matches!(e.status.as_str(), "declined" | "withdrawn" | "expired"))
        .cloned()
        .collect();
    view! {
        {(approved.is_empty() && submitted.is_empty()).then(|| view! { <p>"No endorsements yet."</p> })}
        {(!approved.is_empty()).then(|| view! {
            <ul class="endorsement-list" data-testid="approved-endorsements">
                {approved.into_iter().map(|e| view! {
                    <li>
                        <blockquote class="prose">{e.statement.clone().unwrap_or_default()}</blockquote>
                        <p class="meta">"— " {e.endorser_name.clone().unwrap_or_default()}
                            {e.endorser_email.clone().map(|m| view! { " · " {m} " (confirmed)" })}
                            {e.signed.then_some(" · signed endorsement credential")}
                        </p>
                        <DecisionButton decide=decide id=e.public_id.clone() decision="withdraw" label="Withdraw" />
                    </li>
                }).collect_view()}
            </ul>
        })}
        {(!submitted.is_empty()).then(|| view! {
            <h3>"Waiting for your decision"</h3>
            <ul class="endorsement-list" data-testid="pending-endorsements">
                {submitted.into_iter().map(|e| view! {
                    <li>
                        <blockquote class="prose">{e.statement.clone().unwrap_or_default()}</blockquote>
                        <p class="meta">"— " {e.endorser_name.clone().unwrap_or_default()}
                            {e.endorser_email.clone().map(|m| view! { " · " {m} " (confirmed)" })}
                        </p>
                        <DecisionButton decide=decide id=e.public_id.clone() decision="approve" label="Approve and show it" />
                        " "
                        <DecisionButton decide=decide id=e.public_id.clone() decision="decline" label="Decline" />
                    </li>
                }).collect_view()}
            </ul>
        })}
        {(!requested.is_empty()).then(|| view! {
            <h3>"Asked, no answer yet"</h3>
            <ul class="link-list" data-testid="open-requests">
                {requested.into_iter().map(|e| view! {
                    <li>
                        {e.invitee_name.clone().unwrap_or_default()}
                        {e.invitee_email.clone().map(|m| view! { <span class="meta">" · " {m}</span> })}
                        <span class="meta">" · until " {e.expires_at.clone()}</span>
                        " "
                        <DecisionButton decide=decide id=e.public_id.clone() decision="withdraw" label="Withdraw" />
                    </li>
                }).collect_view()}
            </ul>
        })}
        {(!closed.is_empty()).then(|| view! {
            <details>
                <summary>{format!("Closed requests ({})", closed.len())}</summary>
                <ul class="link-list">
                    {closed.into_iter().map(|e| view! {
                        <li>
                            {e.endorser_name.clone().or(e.invitee_name.clone()).unwrap_or_default()}
                            <span class="meta">" · " {e.status.clone()}</span>
                        </li>
                    }).collect_view()}
                </ul>
            </details>
        })}
    }
}

#[component]
fn DecisionButton(
    decide: ServerAction<DecideEndorsement>,
    id: String,
    decision: &'static str,
    label: &'static str,
) -> impl IntoView {
    view! {
        <ActionForm action=decide attr:class="inline-form">
            <input type="hidden" name="endorsement" value=id />
            <input type="hidden" name="decision" value=decision />
            <button type="submit" class="button secondary" data-decision=decision disabled=move || decide.pending().get()>{label}</button>
        </ActionForm>
    }
}
