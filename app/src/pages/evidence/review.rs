//! `/manage/{inst}/review/{submission}`: a submission under review: the evidence
//! inline, the narrative, the badge's rubric to score, feedback, and the decision.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use super::{History, ItemPreview, StateTag};
use crate::api::evidence::{DecideSubmission, review_submission};
use crate::components::form::{FormError, SubmitButton, last_error};
use crate::components::signed_in::SignedIn;
use crate::model::evidence::SubmissionView;
use crate::pages::catalog::LoadError;

/// The review screen.
#[component]
pub fn ReviewPage() -> impl IntoView {
    let params = use_params_map();
    let decide = ServerAction::<DecideSubmission>::new();
    let data = Resource::new(
        move || {
            (
                params.get().get("inst").unwrap_or_default(),
                params.get().get("submission").unwrap_or_default(),
                decide.version().get(),
            )
        },
        |(inst, sub, _)| review_submission(inst, sub),
    );
    view! {
        <SignedIn children=move |_| view! {
            <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Err(e) => view! { <Title text="Review · Badgefolio" /> <LoadError error=e /> }.into_any(),
                        Ok(v) => view! { <Screen v=v decide=decide /> }.into_any(),
                    }
                })}
            </Transition>
        } />
    }
}

#[component]
fn Screen(v: SubmissionView, decide: ServerAction<DecideSubmission>) -> impl IntoView {
    let waiting = matches!(v.state.as_str(), "submitted" | "resubmitted");
    let inst = v.institution_slug.clone();
    let heading = format!("{} · {}", v.learner_name, v.badge_name);
    view! {
        <Title text=format!("Review: {heading} · Badgefolio") />
        <section class="review">
            <p class="meta"><a href=format!("/manage/{inst}/review")>"← Review queue"</a></p>
            <h1>{heading}</h1>
            <p class="meta">
                {if v.is_capstone { "Capstone of " } else { "Program: " }} {v.program_name.clone()}
                " · " <StateTag state=v.state.clone() />
            </p>
            <section class="card" aria-labelledby="criteria-heading">
                <h2 id="criteria-heading">"Criteria"</h2>
                <p class="prose">{v.criteria.clone()}</p>
                {(!v.evidence_required.is_empty()).then(|| view! { <p class="prose"><strong>"Evidence asked: "</strong>{v.evidence_required.clone()}</p> })}
                {(!v.capstone_evidence.is_empty()).then(|| view! { <p class="prose"><strong>"Capstone: "</strong>{v.capstone_evidence.clone()}</p> })}
            </section>
            <section class="card" aria-labelledby="evidence-heading">
                <h2 id="evidence-heading">"Evidence"</h2>
                {v.items.is_empty().then(|| view! { <p>"No files or links."</p> })}
                <ol class="evidence-items">
                    {v.items.iter().cloned().map(|item| view! { <li><ItemPreview item=item /></li> }).collect_view()}
                </ol>
                <h3>"Narrative"</h3>
                <p class="prose" data-testid="narrative">{if v.narrative.is_empty() { "(none)".to_string() } else { v.narrative.clone() }}</p>
            </section>
            {(!waiting && !v.feedback.is_empty()).then(|| view! {
                <section class="card" aria-labelledby="decided-heading">
                    <h2 id="decided-heading">"Feedback given"</h2>
                    <p class="prose">{v.feedback.clone()}</p>
                </section>
            })}
            {waiting.then(|| view! {
                <section class="card" aria-labelledby="decide-heading">
                    <h2 id="decide-heading">"Your decision"</h2>
                    <ActionForm action=decide attr:class="stack-form">
                        <input type="hidden" name="institution" value=v.institution_slug.clone() />
                        <input type="hidden" name="submission" value=v.public_id.clone() />
                        {v.rubric.iter().enumerate().map(|(i, c)| {
                            let field = format!("scores[{i}]");
                            view! {
                                <fieldset class="rubric-score">
                                    <legend>{format!("Rubric: {}", c.name)}</legend>
                                    {c.levels.iter().enumerate().map(|(j, l)| {
                                        let id = format!("score-{i}-{j}");
                                        view! {
                                            <div class="check">
                                                <input type="radio" id=id.clone() name=field.clone() value=l.name.clone() />
                                                <label for=id>{format!("{} ({} points)", l.name, l.points)}</label>
                                            </div>
                                        }
                                    }).collect_view()}
                                </fieldset>
                            }
                        }).collect_view()}
                        <label for="rv-feedback">"Feedback to the learner (required to request changes or reject)"</label>
                        <textarea id="rv-feedback" name="feedback" rows="4" maxlength="10000"></textarea>
                        <fieldset>
                            <legend>"Decision"</legend>
                            <div class="check">
                                <input type="radio" id="rv-approve" name="decision" value="approve" required />
                                <label for="rv-approve">"Approve and award the badge"</label>
                            </div>
                            <div class="check">
                                <input type="radio" id="rv-changes" name="decision" value="request_changes" />
                                <label for="rv-changes">"Request changes"</label>
                            </div>
                            <div class="check">
                                <input type="radio" id="rv-reject" name="decision" value="reject" />
                                <label for="rv-reject">"Reject"</label>
                            </div>
                        </fieldset>
                        <FormError error=last_error(decide.value()) />
                        <SubmitButton label="Record decision" busy_label="Recording…" pending=decide.pending() />
                    </ActionForm>
                </section>
            })}
            <History events=v.events.clone() />
        </section>
    }
}
