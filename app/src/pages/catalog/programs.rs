//! `/programs`: every program, with filters and search.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::{LoadError, credit_line};
use crate::api::catalog::get_catalog;
use crate::model::catalog::{CatalogFilter, MAX_PROGRAM_CREDITS};

/// The catalog page.
#[component]
pub fn Programs() -> impl IntoView {
    let query = use_query_map();
    let filter = Memo::new(move |_| {
        let q = query.get();
        let text = |k: &str| q.get(k).filter(|v| !v.trim().is_empty());
        CatalogFilter {
            q: text("q"),
            competency: text("competency"),
            credit_bearing: match q.get("credit").as_deref() {
                Some("yes") => Some(true),
                Some("no") => Some(false),
                _ => None,
            },
            max_credits: text("max_credits").and_then(|c| c.parse().ok()),
            institution: text("institution"),
        }
    });
    let catalog = Resource::new(move || filter.get(), get_catalog);
    view! {
        <Title text="Programs · Badgefolio" />
        <section class="catalog">
            <h1>"Micro-credential programs"</h1>
            <p class="lead">"Small programs of at most 11 credits, each a stack of badges you can earn, keep and share."</p>
            <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    let f = filter.get_untracked();
                    match catalog.await {
                        Err(e) => view! { <LoadError error=e /> }.into_any(),
                        Ok(c) => {
                            let count = c.programs.len();
                            let q = f.q.clone().unwrap_or_default();
                            let sel_comp = f.competency.clone().unwrap_or_default();
                            let sel_inst = f.institution.clone().unwrap_or_default();
                            let credit = match f.credit_bearing { Some(true) => "yes", Some(false) => "no", None => "" };
                            let max = f.max_credits.map(|m| m.to_string()).unwrap_or_default();
                            view! {
                                <form method="get" action="/programs" class="filters" role="search" aria-label="Filter programs">
                                    <div>
                                        <label for="f-q">"Search"</label>
                                        <input id="f-q" name="q" type="search" value=q placeholder="Name, topic, institution" />
                                    </div>
                                    <div>
                                        <label for="f-competency">"Competency"</label>
                                        <select id="f-competency" name="competency">
                                            <option value="">"Any"</option>
                                            {c.competencies.into_iter().map(|o| {
                                                let selected = o.value == sel_comp;
                                                view! { <option value=o.value selected=selected>{o.label}</option> }
                                            }).collect_view()}
                                        </select>
                                    </div>
                                    <div>
                                        <label for="f-credit">"Credit"</label>
                                        <select id="f-credit" name="credit">
                                            <option value="" selected={credit.is_empty()}>"Any"</option>
                                            <option value="yes" selected={credit == "yes"}>"Credit-bearing"</option>
                                            <option value="no" selected={credit == "no"}>"Not for credit"</option>
                                        </select>
                                    </div>
                                    <div>
                                        <label for="f-max">"At most (credits)"</label>
                                        <select id="f-max" name="max_credits">
                                            <option value="">"Any"</option>
                                            {(0..=MAX_PROGRAM_CREDITS).map(|n| {
                                                let v = n.to_string();
                                                let selected = v == max;
                                                view! { <option value=v.clone() selected=selected>{v.clone()}</option> }
                                            }).collect_view()}
                                        </select>
                                    </div>
                                    <div>
                                        <label for="f-inst">"Institution"</label>
                                        <select id="f-inst" name="institution">
                                            <option value="">"Any"</option>
                                            {c.institutions.into_iter().map(|o| {
                                                let selected = o.value == sel_inst;
                                                view! { <option value=o.value selected=selected>{o.label}</option> }
                                            }).collect_view()}
                                        </select>
                                    </div>
                                    <button type="submit" class="button">"Show programs"</button>
                                </form>
                                <p role="status" data-testid="program-count">
                                    {match count { 0 => "No program matches.".to_string(), 1 => "1 program".to_string(), n => format!("{n} programs") }}
                                </p>
                                <ul class="program-list">
                                    {c.programs.into_iter().map(|p| {
                                        let href = format!("/programs/{}", p.slug);
                                        let alt = format!("Program badge: {}", p.name);
                                        view! {
                                            <li class="card program-card" data-testid="program-card">
                                                {p.image_url.map(|src| view! { <img src=src alt=alt.clone() width="64" height="64" loading="lazy" /> })}
                                                <div>
                                                    <h2><a href=href>{p.name}</a></h2>
                                                    <p class="meta">{p.institution} " · " {credit_line(p.credits, p.credit_bearing)} " · " {super::badge_count(p.badge_count)}
                                                        {(!p.enrollment_open).then_some(" · closed for enrollment")}
                                                    </p>
                                                    <p>{p.summary}</p>
                                                    {(!p.competencies.is_empty()).then(|| view! {
                                                        <p class="meta">"Competencies: " {p.competencies.join(", ")}</p>
                                                    })}
                                                </div>
                                            </li>
                                        }
                                    }).collect_view()}
                                </ul>
                            }.into_any()
                        }
                    }
                })}
            </Suspense>
        </section>
    }
}
