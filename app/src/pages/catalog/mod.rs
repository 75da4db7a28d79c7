//! The public catalog: programs, a program's page, a competency's page. Rendered on the
//! server and usable without JavaScript (filters are a plain GET form, enrollment a
//! plain POST form).

pub mod competency;
pub mod program;
pub mod programs;

use leptos::prelude::*;

use crate::error::AppError;
use crate::model::catalog::BadgeView;

/// "3 credits · credit-bearing" or "Not for credit".
pub fn credit_line(credits: i32, credit_bearing: bool) -> String {
    let unit = if credits == 1 { "credit" } else { "credits" };
    if credit_bearing {
        format!("{credits} {unit} · credit-bearing")
    } else {
        "Not for credit".to_string()
    }
}

/// "1 badge", "3 badges".
pub fn badge_count(n: usize) -> String {
    if n == 1 {
        "1 badge".to_string()
    } else {
        format!("{n} badges")
    }
}

/// A load error, in words.
#[component]
pub fn LoadError(error: AppError) -> impl IntoView {
    view! {
        <section class="card narrow">
            <h1>{if error == AppError::NotFound { "Not found" } else { "Something went wrong" }}</h1>
            <p role="alert">{error.to_string()}</p>
        </section>
    }
}

/// A badge of a stack: image, name, criteria, evidence, rubric, alignments.
#[component]
pub fn BadgeCard(badge: BadgeView, #[prop(optional)] position: Option<usize>) -> impl IntoView {
    let alt = format!("Badge image: {}", badge.name);
    view! {
        <article class="badge-card" data-testid="badge-card">
            <img src=badge.image_url alt=alt width="96" height="96" loading="lazy" />
            <div>
                <h3>
                    {position.map(|p| format!("{p}. "))}
                    {badge.name}
                </h3>
                <p>{badge.description}</p>
                <p class="meta">
                    {badge.achievement_type}
                    {(badge.credits > 0).then(|| format!(" · {} credits", badge.credits))}
                    {badge.validity_months.map(|m| format!(" · valid {m} months"))}
                </p>
                <h4>"Criteria"</h4>
                <p class="prose">{badge.criteria}</p>
                {(!badge.evidence_required.is_empty()).then(|| view! {
                    <h4>"Evidence to provide"</h4>
                    <p class="prose">{badge.evidence_required.clone()}</p>
                })}
                {(!badge.rubric.is_empty()).then(|| view! {
                    <h4>"Rubric"</h4>
                    <table class="rubric">
                        <thead><tr><th scope="col">"Criterion"</th><th scope="col">"Levels"</th></tr></thead>
                        <tbody>
                            {badge.rubric.clone().into_iter().map(|c| {
                                let levels = c.levels.iter().map(|l| format!("{} ({})", l.name, l.points)).collect::<Vec<_>>().join(" · ");
                                view! { <tr><th scope="row">{c.name}</th><td>{levels}</td></tr> }
                            }).collect_view()}
                        </tbody>
                    </table>
                })}
                {(!badge.alignments.is_empty()).then(|| view! {
                    <ul class="tags" aria-label="Competencies">
                        {badge.alignments.clone().into_iter().map(|a| {
                            let href = a.url.clone();
                            view! { <li><a href=href rel="external">{a.name}</a></li> }
                        }).collect_view()}
                    </ul>
                })}
            </div>
        </article>
    }
}
