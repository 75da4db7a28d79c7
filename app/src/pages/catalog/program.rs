//! `/programs/{slug}`: a program's page, its stack of badges, and enrollment.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use super::{BadgeCard, LoadError, credit_line};
use crate::api::catalog::{Enroll, Withdraw, get_program};
use crate::components::form::{FormError, last_error};

/// The program page.
#[component]
pub fn ProgramPage() -> impl IntoView {
    let params = use_params_map();
    let slug = Memo::new(move |_| params.get().get("slug").unwrap_or_default());
    let enroll = ServerAction::<Enroll>::new();
    let withdraw = ServerAction::<Withdraw>::new();
    let program = Resource::new(
        move || (slug.get(), enroll.version().get(), withdraw.version().get()),
        |(slug, _, _)| get_program(slug),
    );
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match program.await {
                    Err(e) => view! { <Title text="Program · Badgefolio" /> <LoadError error=e /> }.into_any(),
                    Ok(p) => {
                        let title = format!("{} · Badgefolio", p.name);
                        let slug = p.slug.clone();
                        let count = p.badges.len();
                        view! {
                            <Title text=title />
                            <article class="program">
                                <header class="card">
                                    <p class="meta">{p.institution.clone()}</p>
                                    <h1>{p.name.clone()}</h1>
                                    <p class="meta" data-testid="program-credits">{credit_line(p.credits, p.credit_bearing)} " · " {format!("{} in the stack", super::badge_count(count))}</p>
                                    <p class="prose">{p.description.clone()}</p>
                                    <dl class="facts">
                                        {(!p.terms.is_empty()).then(|| view! { <dt>"Runs"</dt><dd>{p.terms.clone()}</dd> })}
                                        <dt>"Cost"</dt><dd>{p.cost.clone()}</dd>
                                        {p.credit_bearing.then(|| view! { <dt>"Transcript"</dt><dd>"Completing the program adds a notation to your academic transcript."</dd> })}
                                    </dl>
                                    {match p.enrolled {
                                        None => view! {
                                            <p><a class="button" href="/signin">"Sign in to enroll"</a></p>
                                        }.into_any(),
                                        Some(true) => view! {
                                            <p class="form-success" data-testid="enrolled">"You are enrolled in this program."</p>
                                            <p><a class="button" href=format!("/learn/{slug}") data-testid="work-on-badges">"Work on badges"</a></p>
                                            <ActionForm action=withdraw attr:class="inline-form">
                                                <input type="hidden" name="slug" value=slug.clone() />
                                                <button type="submit" class="link-button">"Withdraw"</button>
                                            </ActionForm>
                                            <FormError error=last_error(withdraw.value()) />
                                        }.into_any(),
                                        Some(false) if p.enrollment_open => view! {
                                            <ActionForm action=enroll attr:class="inline-form">
                                                <input type="hidden" name="slug" value=slug.clone() />
                                                <button type="submit" class="button" data-testid="enroll">"Enroll"</button>
                                            </ActionForm>
                                            <FormError error=last_error(enroll.value()) />
                                        }.into_any(),
                                        Some(false) => view! { <p>"This program is closed for enrollment."</p> }.into_any(),
                                    }}
                                </header>
                                <section aria-labelledby="stack-heading">
                                    <h2 id="stack-heading">"The stack"</h2>
                                    <p>"Earn these badges, in any order; together they earn the program's own credential."</p>
                                    {p.badges.into_iter().enumerate().map(|(i, b)| view! { <BadgeCard badge=b position=i + 1 /> }).collect_view()}
                                    {(!p.capstone_evidence.is_empty()).then(|| view! {
                                        <h3>"Capstone evidence"</h3>
                                        <p class="prose">{p.capstone_evidence.clone()}</p>
                                    })}
                                    {p.program_badge.map(|b| view! {
                                        <h2>"The program credential"</h2>
                                        <BadgeCard badge=b />
                                    })}
                                </section>
                            </article>
                        }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}
