//! `/learn/{program}/{badge}`: the learner's evidence for one badge: files, links and a
//! narrative, in order, each with the choice to include it in the credential and to
//! make it public; submit and resubmit; the state, the reviewer's feedback and the
//! history.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use super::{History, ItemPreview, StateTag, size_text};
use crate::api::evidence::{
    AddEvidenceLink, ChangeEvidenceItem, SaveNarrative, SubmitEvidence, my_evidence,
    upload_evidence,
};
use crate::components::form::{FormError, SubmitButton, last_error};
use crate::components::signed_in::SignedIn;
use crate::components::upload_form::{UploadAction, UploadForm};
use crate::model::evidence::{EVIDENCE_ACCEPT, EVIDENCE_FILE_RULE, ItemView, SubmissionView};
use crate::pages::catalog::LoadError;

/// The actions of the editor.
#[derive(Clone, Copy)]
struct Actions {
    upload: UploadAction,
    link: ServerAction<AddEvidenceLink>,
    narrative: ServerAction<SaveNarrative>,
    change: ServerAction<ChangeEvidenceItem>,
    submit: ServerAction<SubmitEvidence>,
}

/// The evidence editor page.
#[component]
pub fn EvidenceEditorPage() -> impl IntoView {
    let params = use_params_map();
    let actions = Actions {
        upload: Action::new_local(|data: &leptos::web_sys::FormData| {
            let data = data.clone();
            async move { upload_evidence(data.into()).await }
        }),
        link: ServerAction::new(),
        narrative: ServerAction::new(),
        change: ServerAction::new(),
        submit: ServerAction::new(),
    };
    let data = Resource::new(
        move || {
            (
                params.get().get("program").unwrap_or_default(),
                params.get().get("badge").unwrap_or_default(),
                actions.upload.version().get()
                    + actions.link.version().get()
                    + actions.narrative.version().get()
                    + actions.change.version().get()
                    + actions.submit.version().get(),
            )
        },
        |(program, badge, _)| my_evidence(program, badge),
    );
    view! {
        <SignedIn children=move |_| view! {
            <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Err(e) => view! { <Title text="Evidence · Badgefolio" /> <LoadError error=e /> }.into_any(),
                        Ok(v) => view! { <Editor v=v actions=actions /> }.into_any(),
                    }
                })}
            </Transition>
        } />
    }
}

#[component]
fn Editor(v: SubmissionView, actions: Actions) -> impl IntoView {
    let program = StoredValue::new(v.program_slug.clone());
    let badge = StoredValue::new(v.badge_id.clone());
    let editable = v.editable;
    let heading = if v.is_capstone {
        format!("Capstone evidence: {}", v.badge_name)
    } else {
        format!("Evidence: {}", v.badge_name)
    };
    let submit_label = if v.state == "changes_requested" {
        "Resubmit for review"
    } else {
        "Submit for review"
    };
    let count = v.items.len();
    let narrative = StoredValue::new(v.narrative.clone());
    view! {
        <Title text=format!("{heading} · Badgefolio") />
        <section class="evidence-editor">
            <p class="meta"><a href=format!("/learn/{}", v.program_slug)>{format!("← {}", v.program_name)}</a></p>
            <h1>{heading}</h1>
            <p>"State: " <StateTag state=v.state.clone() /></p>
            {(!v.feedback.is_empty()).then(|| view! {
                <section class="card feedback" aria-labelledby="feedback-heading" data-testid="feedback">
                    <h2 id="feedback-heading">"Feedback from the reviewer"</h2>
                    <p class="prose">{v.feedback.clone()}</p>
                    {(!v.scores.is_empty()).then(|| view! {
                        <ul>{v.scores.iter().map(|s| view! { <li>{format!("{}: {} ({} points)", s.criterion, s.level, s.points)}</li> }).collect_view()}</ul>
                    })}
                </section>
            })}
            <section class="card" aria-labelledby="asks-heading">
                <h2 id="asks-heading">"What the badge asks"</h2>
                <p class="prose">{v.criteria.clone()}</p>
                {(!v.evidence_required.is_empty()).then(|| view! { <p class="prose"><strong>"Evidence: "</strong>{v.evidence_required.clone()}</p> })}
                {(!v.capstone_evidence.is_empty()).then(|| view! { <p class="prose"><strong>"Capstone: "</strong>{v.capstone_evidence.clone()}</p> })}
            </section>

            <section class="card" aria-labelledby="pieces-heading">
                <h2 id="pieces-heading">"Your evidence"</h2>
                {(count == 0).then(|| view! { <p>"No files or links yet."</p> })}
                <ol class="evidence-items" data-testid="evidence-items">
                    {v.items.iter().cloned().enumerate().map(|(n, item)| view! {
                        <Piece item=item n=n last=n + 1 == count editable=editable change=actions.change />
                    }).collect_view()}
                </ol>
                <FormError error=last_error(actions.change.value()) />
            </section>

            {editable.then(|| view! {
                <section class="card" aria-labelledby="upload-heading">
                    <h2 id="upload-heading">"Upload a file"</h2>
                    <UploadForm endpoint="upload_evidence" action=actions.upload>
                        <input type="hidden" name="program" value=program.get_value() />
                        <input type="hidden" name="badge" value=badge.get_value() />
                        <label for="ev-file-name">"Name (optional; the file's name otherwise)"</label>
                        <input id="ev-file-name" name="name" maxlength="200" />
                        <label for="ev-file">"File"</label>
                        <input id="ev-file" name="file" type="file" accept=EVIDENCE_ACCEPT aria-describedby="ev-file-hint" required />
                        <p id="ev-file-hint" class="hint">{EVIDENCE_FILE_RULE}</p>
                        <Choices prefix="ev-file" />
                        <FormError error=Signal::derive(move || actions.upload.value().get().and_then(Result::err).map(|e| e.to_string())) />
                        <SubmitButton label="Upload" busy_label="Uploading…" pending=actions.upload.pending() />
                    </UploadForm>
                </section>

                <section class="card" aria-labelledby="link-heading">
                    <h2 id="link-heading">"Add a link"</h2>
                    <ActionForm action=actions.link attr:class="stack-form">
                        <input type="hidden" name="program" value=program.get_value() />
                        <input type="hidden" name="badge" value=badge.get_value() />
                        <label for="ev-link-url">"Web address (http:// or https://)"</label>
                        <input id="ev-link-url" name="url" type="url" required />
                        <label for="ev-link-name">"Name (optional)"</label>
                        <input id="ev-link-name" name="name" maxlength="200" />
                        <Choices prefix="ev-link" />
                        <FormError error=last_error(actions.link.value()) />
                        <SubmitButton label="Add link" busy_label="Adding…" pending=actions.link.pending() />
                    </ActionForm>
                </section>

                <section class="card" aria-labelledby="narrative-heading">
                    <h2 id="narrative-heading">"Narrative"</h2>
                    <ActionForm action=actions.narrative attr:class="stack-form">
                        <input type="hidden" name="program" value=program.get_value() />
                        <input type="hidden" name="badge" value=badge.get_value() />
                        <label for="ev-narrative">"Tell the reviewer what you did and how the evidence shows it"</label>
                        <textarea id="ev-narrative" name="narrative" rows="6" maxlength="20000">{crate::components::form::textarea_text(narrative.get_value())}</textarea>
                        <FormError error=last_error(actions.narrative.value()) />
                        <SubmitButton label="Save narrative" busy_label="Saving…" pending=actions.narrative.pending() />
                    </ActionForm>
                </section>

                <section class="card" aria-labelledby="submit-heading">
                    <h2 id="submit-heading">"Ready?"</h2>
                    <p>"Once submitted, your evidence is locked until the reviewer decides."</p>
                    <ActionForm action=actions.submit attr:class="inline-form">
                        <input type="hidden" name="program" value=program.get_value() />
                        <input type="hidden" name="badge" value=badge.get_value() />
                        <SubmitButton label=submit_label busy_label="Submitting…" pending=actions.submit.pending() />
                    </ActionForm>
                    <FormError error=last_error(actions.submit.value()) />
                </section>
            })}
            {(!editable && !narrative.get_value().is_empty()).then(|| view! {
                <section class="card" aria-labelledby="narrative-heading">
                    <h2 id="narrative-heading">"Narrative"</h2>
                    <p class="prose">{narrative.get_value()}</p>
                </section>
            })}
            <History events=v.events.clone() />
        </section>
    }
}

/// The two choices per piece: in the credential, and public.
#[component]
fn Choices(
    prefix: &'static str,
    #[prop(default = true)] include: bool,
    #[prop(default = false)] public: bool,
) -> impl IntoView {
    let inc = format!("{prefix}-include");
    let pubid = format!("{prefix}-public");
    view! {
        <div class="check">
            <input type="checkbox" id=inc.clone() name="include_in_credential" value="true" checked=include />
            <label for=inc>"Include in my credential (by name and fingerprint)"</label>
        </div>
        <div class="check">
            <input type="checkbox" id=pubid.clone() name="is_public" value="true" checked=public />
            <label for=pubid>"Public: anyone who sees my credential may open it"</label>
        </div>
    }
}

#[component]
fn Piece(
    item: ItemView,
    n: usize,
    last: bool,
    editable: bool,
    change: ServerAction<ChangeEvidenceItem>,
) -> impl IntoView {
    let id = StoredValue::new(item.public_id.clone());
    let label = StoredValue::new(item.name.clone());
    let detail = if item.kind == "file" {
        format!("{} · {}", item.content_type, size_text(item.size_bytes))
    } else {
        "Link".to_string()
    };
    let status = match (item.include_in_credential, item.is_public) {
        (true, true) => "In the credential, public",
        (true, false) => "In the credential, private",
        _ => "Not in the credential",
    };
    let inc = format!("piece-{n}-include");
    let pubid = format!("piece-{n}-public");
    let name = item.name.clone();
    view! {
        <li class="evidence-item" data-testid="evidence-item">
            <ItemPreview item=item.clone() />
            <p class="meta">{detail} " · " {status}</p>
            {editable.then(|| view! {
                <div class="item-actions">
                    <ActionForm action=change attr:class="inline-form">
                        <input type="hidden" name="item" value=id.get_value() />
                        <span class="check">
                            <input type="checkbox" id=inc.clone() name="include_in_credential" value="true" checked=item.include_in_credential />
                            <label for=inc>{format!("Include \u{201c}{name}\u{201d} in my credential")}</label>
                        </span>
                        <span class="check">
                            <input type="checkbox" id=pubid.clone() name="is_public" value="true" checked=item.is_public />
                            <label for=pubid>"Public"</label>
                        </span>
                        <button type="submit" class="link-button">"Save choices"</button>
                    </ActionForm>
                    {(n > 0).then(|| view! {
                        <ActionForm action=change attr:class="inline-form">
                            <input type="hidden" name="item" value=id.get_value() />
                            <input type="hidden" name="move_to" value="up" />
                            <button type="submit" class="link-button" aria-label=format!("Move {} up", label.get_value())>"Move up"</button>
                        </ActionForm>
                    })}
                    {(!last).then(|| view! {
                        <ActionForm action=change attr:class="inline-form">
                            <input type="hidden" name="item" value=id.get_value() />
                            <input type="hidden" name="move_to" value="down" />
                            <button type="submit" class="link-button" aria-label=format!("Move {} down", label.get_value())>"Move down"</button>
                        </ActionForm>
                    })}
                    <ActionForm action=change attr:class="inline-form">
                        <input type="hidden" name="item" value=id.get_value() />
                        <input type="hidden" name="remove" value="true" />
                        <button type="submit" class="link-button" aria-label=format!("Remove {}", label.get_value())>"Remove"</button>
                    </ActionForm>
                </div>
            })}
        </li>
    }
}
