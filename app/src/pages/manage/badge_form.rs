//! `/manage/{inst}/badges/new` and `/manage/{inst}/badges/{id}`: a badge's form. Saving
//! an existing badge makes a new version; credentials already issued keep theirs.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_params_map};

use super::institution_resource;
use crate::api::catalog::save_badge;
use crate::components::form::{FormError, SubmitButton};
use crate::components::signed_in::SignedIn;
use crate::components::upload_form::{UploadAction, UploadForm};
use crate::model::catalog::{
    ACHIEVEMENT_TYPES, BadgeView, CompetencyView, RUBRIC_RULE, rubric_text,
};

/// The badge form page.
#[component]
pub fn BadgeFormPage() -> impl IntoView {
    let params = use_params_map();
    let save: UploadAction = Action::new_local(|data: &leptos::web_sys::FormData| {
        let data = data.clone();
        async move { save_badge(data.into()).await }
    });
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(_)) = save.value().get() {
            let inst = params.get_untracked().get("inst").unwrap_or_default();
            navigate(&format!("/manage/{inst}"), Default::default());
        }
    });
    let inst = institution_resource(|| 0);
    view! {
        <SignedIn children=move |_| view! {
            <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    let badge_id = params.get_untracked().get("badge").unwrap_or_default();
                    match inst.await {
                        Err(e) => view! { <crate::pages::catalog::LoadError error=e /> }.into_any(),
                        Ok(i) => {
                            let existing = i.badges.iter().find(|b| b.public_id == badge_id).cloned();
                            if badge_id != "new" && existing.is_none() {
                                return view! { <crate::pages::catalog::LoadError error=crate::error::AppError::NotFound /> }.into_any();
                            }
                            view! { <BadgeForm slug=i.slug.clone() existing=existing competencies=i.competencies.clone() save=save /> }.into_any()
                        }
                    }
                })}
            </Suspense>
        } />
    }
}

#[component]
fn BadgeForm(
    slug: String,
    existing: Option<BadgeView>,
    competencies: Vec<CompetencyView>,
    save: UploadAction,
) -> impl IntoView {
    let heading = existing
        .as_ref()
        .map_or_else(|| "New badge".to_string(), |b| format!("Edit {}", b.name));
    let b = existing.clone().unwrap_or(BadgeView {
        public_id: String::new(),
        version: 0,
        name: String::new(),
        description: String::new(),
        image_url: String::new(),
        criteria: String::new(),
        achievement_type: "Badge".into(),
        tags: Vec::new(),
        credits: 0,
        evidence_required: String::new(),
        rubric: Vec::new(),
        validity_months: None,
        alignments: Vec::new(),
    });
    let error = Signal::derive(move || {
        save.value()
            .get()
            .and_then(Result::err)
            .map(|e| e.to_string())
    });
    let aligned: Vec<String> = b.alignments.iter().map(|a| a.url.clone()).collect();
    view! {
        <Title text=format!("{heading} · Badgefolio") />
        <section class="card narrow">
            <h1>{heading.clone()}</h1>
            {existing.as_ref().map(|e| view! {
                <p class="hint">{format!("Saving makes version {}. Badges already awarded keep version {} and its image.", e.version + 1, e.version)}</p>
                <img src=e.image_url.clone() alt="Current badge image" width="96" height="96" />
            })}
            <UploadForm endpoint="save_badge" action=save>
                <input type="hidden" name="institution" value=slug />
                <input type="hidden" name="badge" value=b.public_id.clone() />
                <label for="b-name">"Name"</label>
                <input id="b-name" name="name" value=b.name.clone() required />
                <label for="b-description">"Description"</label>
                <textarea id="b-description" name="description" rows="3" required>{crate::components::form::textarea_text(b.description.clone())}</textarea>
                <label for="b-image">"Image (PNG or SVG, up to 1 MB; leave empty for a generated one)"</label>
                <input id="b-image" name="image" type="file" accept="image/png,image/svg+xml" />
                <label for="b-criteria">"Criteria: what earns the badge"</label>
                <textarea id="b-criteria" name="criteria" rows="4" required>{crate::components::form::textarea_text(b.criteria.clone())}</textarea>
                <label for="b-evidence">"Evidence the learner must provide"</label>
                <textarea id="b-evidence" name="evidence_required" rows="2">{crate::components::form::textarea_text(b.evidence_required.clone())}</textarea>
                <label for="b-rubric">"Rubric (optional)"</label>
                <textarea id="b-rubric" name="rubric" rows="3" aria-describedby="b-rubric-hint">{crate::components::form::textarea_text(rubric_text(&b.rubric))}</textarea>
                <p id="b-rubric-hint" class="hint">{RUBRIC_RULE}</p>
                <label for="b-type">"Achievement type"</label>
                <select id="b-type" name="achievement_type">
                    {ACHIEVEMENT_TYPES.iter().map(|t| view! { <option value=*t selected={*t == b.achievement_type}>{*t}</option> }).collect_view()}
                </select>
                <label for="b-credits">"Credits (0 to 11)"</label>
                <input id="b-credits" name="credits" type="number" min="0" max="11" value=b.credits.to_string() />
                <label for="b-validity">"Valid for (months; empty: never expires)"</label>
                <input id="b-validity" name="validity_months" type="number" min="1" max="600" value=b.validity_months.map(|m| m.to_string()).unwrap_or_default() />
                <label for="b-tags">"Tags (comma-separated)"</label>
                <input id="b-tags" name="tags" value=b.tags.join(", ") />
                <fieldset>
                    <legend>"Competencies it aligns to"</legend>
                    {competencies.into_iter().enumerate().map(|(n, c)| {
                        let id = format!("b-comp-{n}");
                        let checked = aligned.contains(&c.url);
                        view! {
                            <div class="check">
                                <input type="checkbox" id=id.clone() name="competencies" value=c.url.clone() checked=checked />
                                <label for=id>{c.name.clone()}</label>
                            </div>
                        }
                    }).collect_view()}
                </fieldset>
                <FormError error=error />
                <SubmitButton label="Save badge" busy_label="Saving…" pending=save.pending() />
            </UploadForm>
        </section>
    }
}
