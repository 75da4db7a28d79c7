//! `/manage/{inst}/programs/new` and `/manage/{inst}/programs/{slug}`: a program's form.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_params_map};

use super::institution_resource;
use crate::api::catalog::SaveProgram;
use crate::components::form::{FormError, SubmitButton, last_error};
use crate::components::signed_in::SignedIn;
use crate::model::catalog::{BadgeView, CREDITS_RULE, DEFAULT_COST, ProgramAdminView};

/// Stack slots on the form.
const SLOTS: usize = 6;

/// The program form page.
#[component]
pub fn ProgramFormPage() -> impl IntoView {
    let params = use_params_map();
    let save = ServerAction::<SaveProgram>::new();
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
                    let program = params.get_untracked().get("program").unwrap_or_default();
                    match inst.await {
                        Err(e) => view! { <crate::pages::catalog::LoadError error=e /> }.into_any(),
                        Ok(i) => {
                            let existing = i.programs.iter().find(|p| p.slug == program).cloned();
                            if program != "new" && existing.is_none() {
                                return view! { <crate::pages::catalog::LoadError error=crate::error::AppError::NotFound /> }.into_any();
                            }
                            view! { <ProgramForm slug=i.slug.clone() existing=existing badges=i.badges.clone() save=save /> }.into_any()
                        }
                    }
                })}
            </Suspense>
        } />
    }
}

#[component]
fn ProgramForm(
    slug: String,
    existing: Option<ProgramAdminView>,
    badges: Vec<BadgeView>,
    save: ServerAction<SaveProgram>,
) -> impl IntoView {
    let heading = existing
        .as_ref()
        .map_or_else(|| "New program".to_string(), |p| format!("Edit {}", p.name));
    let p = existing.clone().unwrap_or(ProgramAdminView {
        slug: String::new(),
        name: String::new(),
        description: String::new(),
        credits: 3,
        credit_bearing: true,
        terms: String::new(),
        cost: DEFAULT_COST.into(),
        capstone_evidence: String::new(),
        enrollment_open: true,
        badges: Vec::new(),
        program_badge: None,
        enrolled: 0,
    });
    let components: Vec<BadgeView> = badges
        .iter()
        .filter(|b| b.achievement_type != "MicroCredential")
        .cloned()
        .collect();
    let credentials: Vec<BadgeView> = badges
        .iter()
        .filter(|b| b.achievement_type == "MicroCredential")
        .cloned()
        .collect();
    let original = existing.map(|e| e.slug).unwrap_or_default();
    view! {
        <Title text=format!("{heading} · Badgefolio") />
        <section class="card narrow">
            <h1>{heading.clone()}</h1>
            <ActionForm action=save attr:class="stack-form" attr:novalidate="">
                <input type="hidden" name="institution" value=slug />
                <input type="hidden" name="original" value=original />
                <label for="pr-name">"Name"</label>
                <input id="pr-name" name="name" value=p.name.clone() required />
                <label for="pr-slug">"Web address name (/programs/…)"</label>
                <input id="pr-slug" name="slug" value=p.slug.clone() required aria-describedby="pr-slug-hint" />
                <p id="pr-slug-hint" class="hint">"Lower-case letters, digits and dashes."</p>
                <label for="pr-description">"Description"</label>
                <textarea id="pr-description" name="description" rows="4" required>{crate::components::form::textarea_text(p.description.clone())}</textarea>
                <label for="pr-credits">"Credits"</label>
                <input id="pr-credits" name="credits" type="number" min="0" max="11" value=p.credits.to_string() required aria-describedby="pr-credits-hint" />
                <p id="pr-credits-hint" class="hint">{CREDITS_RULE}</p>
                <div class="check">
                    <input id="pr-credit-bearing" name="credit_bearing" type="checkbox" value="true" checked=p.credit_bearing />
                    <label for="pr-credit-bearing">"Credit-bearing (completion adds a transcript notation)"</label>
                </div>
                <label for="pr-terms">"Terms it runs"</label>
                <input id="pr-terms" name="terms" value=p.terms.clone() placeholder="Fall 2027, Spring 2028" />
                <fieldset>
                    <legend>"The stack: component badges in order"</legend>
                    {(0..SLOTS).map(|n| {
                        let id = format!("pr-badge-{n}");
                        let chosen = p.badges.get(n).cloned().unwrap_or_default();
                        view! {
                            <label for=id.clone()>{format!("Badge {}", n + 1)}</label>
                            <select id=id name=format!("badges[{n}]")>
                                <option value="">"—"</option>
                                {components.iter().map(|b| view! {
                                    <option value=b.public_id.clone() selected={b.public_id == chosen}>{b.name.clone()}</option>
                                }).collect_view()}
                            </select>
                        }
                    }).collect_view()}
                </fieldset>
                <label for="pr-program-badge">"The program's own credential"</label>
                <select id="pr-program-badge" name="program_badge">
                    <option value="">{if p.program_badge.is_some() { "Keep the current one" } else { "Make one for me (a MicroCredential badge)" }}</option>
                    {credentials.iter().map(|b| view! {
                        <option value=b.public_id.clone() selected={Some(&b.public_id) == p.program_badge.as_ref()}>{b.name.clone()}</option>
                    }).collect_view()}
                </select>
                <label for="pr-capstone">"Capstone evidence (optional)"</label>
                <textarea id="pr-capstone" name="capstone_evidence" rows="2">{crate::components::form::textarea_text(p.capstone_evidence.clone())}</textarea>
                <label for="pr-cost">"Cost"</label>
                <input id="pr-cost" name="cost" value=p.cost.clone() />
                <div class="check">
                    <input id="pr-open" name="enrollment_open" type="checkbox" value="true" checked=p.enrollment_open />
                    <label for="pr-open">"Open for enrollment"</label>
                </div>
                <FormError error=last_error(save.value()) />
                <SubmitButton label="Save program" busy_label="Saving…" pending=save.pending() />
            </ActionForm>
        </section>
    }
}
