//! `/manage/{inst}/review`: the review queue of an institution, filtered by program and
//! badge (a plain GET form), waiting submissions first.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use super::StateTag;
use crate::api::evidence::get_review_queue;
use crate::components::signed_in::SignedIn;
use crate::pages::catalog::LoadError;

/// The review queue.
#[component]
pub fn ReviewQueuePage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let data = Resource::new(
        move || {
            let q = query.get();
            (
                params.get().get("inst").unwrap_or_default(),
                q.get("program").unwrap_or_default(),
                q.get("badge").unwrap_or_default(),
            )
        },
        |(inst, program, badge)| get_review_queue(inst, program, badge),
    );
    view! {
        <SignedIn children=move |_| view! {
            <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    let q = query.get_untracked();
                    let (program, badge) = (q.get("program").unwrap_or_default(), q.get("badge").unwrap_or_default());
                    match data.await {
                        Err(e) => view! { <Title text="Review · Badgefolio" /> <LoadError error=e /> }.into_any(),
                        Ok(r) => {
                            let inst = r.institution_slug.clone();
                            view! {
                                <Title text=format!("Review · {} · Badgefolio", r.institution_name) />
                                <section class="manage">
                                    <p class="meta"><a href=format!("/manage/{inst}")>{format!("← {}", r.institution_name)}</a></p>
                                    <h1>"Review queue"</h1>
                                    <form method="get" class="filters" aria-label="Filter the queue">
                                        <label for="rq-program">"Program"</label>
                                        <select id="rq-program" name="program">
                                            <option value="">"All programs"</option>
                                            {r.programs.iter().map(|c| view! { <option value=c.value.clone() selected={c.value == program}>{c.label.clone()}</option> }).collect_view()}
                                        </select>
                                        <label for="rq-badge">"Badge"</label>
                                        <select id="rq-badge" name="badge">
                                            <option value="">"All badges"</option>
                                            {r.badges.iter().map(|c| view! { <option value=c.value.clone() selected={c.value == badge}>{c.label.clone()}</option> }).collect_view()}
                                        </select>
                                        <button type="submit" class="button button-small">"Filter"</button>
                                    </form>
                                    {if r.rows.is_empty() {
                                        view! { <p>"Nothing to review."</p> }.into_any()
                                    } else {
                                        view! {
                                            <table class="data-table" data-testid="review-queue">
                                                <caption class="visually-hidden">"Submissions, waiting ones first"</caption>
                                                <thead><tr>
                                                    <th scope="col">"Learner"</th><th scope="col">"Badge"</th><th scope="col">"Program"</th>
                                                    <th scope="col">"State"</th><th scope="col">"Submitted"</th>
                                                </tr></thead>
                                                <tbody>
                                                    {r.rows.into_iter().map(|row| view! {
                                                        <tr>
                                                            <td><a href=format!("/manage/{inst}/review/{}", row.public_id)>{row.learner.clone()}</a></td>
                                                            <td>{row.badge}</td>
                                                            <td>{row.program}</td>
                                                            <td><StateTag state=row.state /></td>
                                                            <td>{row.submitted_at.replace('T', " ").replace('Z', " UTC")}</td>
                                                        </tr>
                                                    }).collect_view()}
                                                </tbody>
                                            </table>
                                        }.into_any()
                                    }}
                                </section>
                            }.into_any()
                        }
                    }
                })}
            </Suspense>
        } />
    }
}
