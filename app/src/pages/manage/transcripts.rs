//! `/manage/{inst}/transcripts`: the transcript notations of the institution's
//! credit-bearing programs, and their CSV export for the registrar.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::api::awards::institution_transcripts;
use crate::components::signed_in::SignedIn;
use crate::model::awards::{NotationRow, transcripts_csv_url};
use crate::pages::catalog::LoadError;

/// The transcripts page.
#[component]
pub fn TranscriptsPage() -> impl IntoView {
    let params = use_params_map();
    let list = Resource::new(
        move || params.get().get("inst").unwrap_or_default(),
        institution_transcripts,
    );
    view! {
        <SignedIn children=move |_| view! {
            <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match list.await {
                        Err(e) => view! { <LoadError error=e /> }.into_any(),
                        Ok(t) => view! {
                            <Title text=format!("Transcript notations · {} · Badgefolio", t.institution) />
                            <section class="manage">
                                <p class="meta"><a href=format!("/manage/{}", t.slug)>{t.institution.clone()}</a></p>
                                <h1>"Transcript notations"</h1>
                                <p>"Learners who completed a credit-bearing program. The registrar's export lists them all, revoked ones with their reason."</p>
                                <p>
                                    <a class="button" href=transcripts_csv_url(&t.slug) download="" rel="external">"Download CSV"</a>
                                    " "
                                    <a href=format!("/manage/{}/awards", t.slug)>"Awards"</a>
                                </p>
                                <NotationTable rows=t.notations />
                            </section>
                        }.into_any(),
                    }
                })}
            </Suspense>
        } />
    }
}

/// Notations as a table (the admin's and the learner's).
#[component]
pub fn NotationTable(rows: Vec<NotationRow>, #[prop(optional)] learner: bool) -> impl IntoView {
    if rows.is_empty() {
        return view! { <p>"No transcript notations yet."</p> }.into_any();
    }
    view! {
        <table class="data-table" data-testid="notations">
            <thead><tr>
                {(!learner).then(|| view! { <th scope="col">"Learner"</th> })}
                <th scope="col">"Program"</th>
                {learner.then(|| view! { <th scope="col">"Institution"</th> })}
                <th scope="col">"Credits"</th>
                <th scope="col">"Term"</th>
                <th scope="col">"Date"</th>
                <th scope="col">"Status"</th>
            </tr></thead>
            <tbody>
                {rows.into_iter().map(|n| view! {
                    <tr data-testid="notation-row">
                        {(!learner).then(|| view! { <td>{n.learner_name.clone()} <br /><span class="meta">{n.learner_email.clone()}</span></td> })}
                        <td>{n.program.clone()}</td>
                        {learner.then(|| view! { <td>{n.institution.clone()}</td> })}
                        <td>{n.credits}</td>
                        <td>{n.term.clone()}</td>
                        <td>{n.date.clone()}</td>
                        <td>{match n.revocation_reason.clone() { Some(r) if n.status == "revoked" => format!("Revoked: {r}"), _ => "On the transcript".to_string() }}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}
