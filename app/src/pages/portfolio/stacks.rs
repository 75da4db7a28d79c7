//! The stacks of the learner's programs: each drawn as a row of component badges
//! (filled when earned) leading to the program badge, with the same facts in words
//! ("2 of 3 badges · 7 of 11 credits", what is still needed).

use leptos::prelude::*;

use crate::model::portfolio::{Stack, StackPart, badge_path};

/// The stacks section (nothing when the learner has no program).
#[component]
pub fn Stacks(stacks: Vec<Stack>) -> impl IntoView {
    (!stacks.is_empty()).then(|| {
        view! {
            <section class="card" aria-labelledby="stacks-heading">
                <h2 id="stacks-heading">"Stacks"</h2>
                <p class="meta">"The badges each of your programs stacks, and how far you are."</p>
                <ul class="stacks" data-testid="stacks">
                    {stacks.into_iter().map(|s| view! { <StackItem s=s /> }).collect_view()}
                </ul>
            </section>
        }
    })
}

/// "2 of 3 badges · 7 of 11 credits".
pub fn progress_line(s: &Stack) -> String {
    let badges = if s.total == 1 { "badge" } else { "badges" };
    let mut line = format!("{} of {} {badges}", s.held, s.total);
    if s.credits_total > 0 {
        line.push_str(&format!(
            " · {} of {} credits",
            s.credits_held, s.credits_total
        ));
    }
    line
}

#[component]
fn StackItem(s: Stack) -> impl IntoView {
    let progress = progress_line(&s);
    let needed: Vec<String> = s
        .components
        .iter()
        .filter(|c| c.award.is_none())
        .map(|c| c.name.clone())
        .collect();
    let id = format!("stack-{}", s.program_slug);
    let title_id = format!("{id}-title");
    let desc_id = format!("{id}-desc");
    let summary = format!(
        "{}: {progress}{}",
        s.program_name,
        if s.completed {
            "; program badge earned"
        } else {
            ""
        }
    );
    view! {
        <li class="stack" data-testid="stack" data-program=s.program_slug.clone()>
            <h3>
                <a href=format!("/programs/{}", s.program_slug)>{s.program_name.clone()}</a>
                <span class="meta">" · " {s.issuer.clone()} {s.credit_bearing.then_some(" · credit-bearing")}</span>
            </h3>
            <StackSvg s=s.clone() title_id=title_id.clone() desc_id=desc_id.clone() summary=summary />
            <p data-testid="stack-progress"><strong>{progress}</strong></p>
            <ul class="stack-parts">
                {s.components.iter().map(|c| view! { <PartLine c=c.clone() program=false /> }).collect_view()}
                {s.program_badge.clone().map(|c| view! { <PartLine c=c program=true /> })}
            </ul>
            {if s.completed {
                view! { <p class="form-success" data-testid="stack-done">"Completed: you hold the program badge."</p> }.into_any()
            } else if needed.is_empty() {
                view! { <p data-testid="stack-needed">"All badges earned; the program badge follows."</p> }.into_any()
            } else {
                view! { <p data-testid="stack-needed">{format!("Still needed: {}", needed.join(", "))}</p> }.into_any()
            }}
        </li>
    }
}

#[component]
fn PartLine(c: StackPart, program: bool) -> impl IntoView {
    let earned = c.award.is_some();
    let state = if earned { "Earned" } else { "Not yet" };
    let credits = (c.credits > 0).then(|| format!(" · {} credits", c.credits));
    view! {
        <li data-earned=earned.to_string()>
            <span aria-hidden="true">{if earned { "● " } else { "○ " }}</span>
            {match c.award {
                Some(a) => view! { <a href=badge_path(&a)>{c.name}</a> }.into_any(),
                None => view! { <span>{c.name}</span> }.into_any(),
            }}
            {program.then_some(" (program badge)")}
            <span class="meta">" · " {state} {credits}</span>
        </li>
    }
}

/// The stack at a glance: one node per component (filled when earned) on a line
/// that leads to the program badge (a larger node), and a progress bar.
#[component]
fn StackSvg(s: Stack, title_id: String, desc_id: String, summary: String) -> impl IntoView {
    const STEP: f64 = 56.0;
    const R: f64 = 16.0;
    let n = s.components.len();
    let width = 24.0 + STEP * (n as f64) + 64.0;
    let cy = 28.0;
    let program_x = 24.0 + STEP * (n as f64) + 8.0;
    let fraction = if s.total == 0 {
        0.0
    } else {
        f64::from(s.held) / f64::from(s.total)
    };
    let bar = (width - 24.0) * fraction;
    let labelled_by = format!("{title_id} {desc_id}");
    let desc = s
        .components
        .iter()
        .map(|c| {
            format!(
                "{}: {}",
                c.name,
                if c.award.is_some() {
                    "earned"
                } else {
                    "not yet"
                }
            )
        })
        .collect::<Vec<_>>()
        .join("; ");
    view! {
        <svg
            class="stack-svg"
            role="img"
            aria-labelledby=labelled_by
            viewBox=format!("0 0 {width} 70")
            width=width.to_string()
            height="70"
            preserveAspectRatio="xMinYMid meet"
        >
            <title id=title_id>{summary}</title>
            <desc id=desc_id>{desc}</desc>
            <line x1="24" y1=cy.to_string() x2=program_x.to_string() y2=cy.to_string() class="stack-line" />
            {s.components.iter().enumerate().map(|(i, c)| {
                let x = 24.0 + STEP * (i as f64);
                let earned = c.award.is_some();
                view! {
                    <circle cx=x.to_string() cy=cy.to_string() r=R.to_string()
                        class=if earned { "stack-node earned" } else { "stack-node" } />
                    <text x=x.to_string() y=(cy + 5.0).to_string() text-anchor="middle" class="stack-node-label">
                        {if earned { "✓".to_string() } else { (i + 1).to_string() }}
                    </text>
                }
            }).collect_view()}
            <rect x=(program_x - 2.0).to_string() y=(cy - 22.0).to_string() width="44" height="44" rx="10"
                class=if s.completed { "stack-program earned" } else { "stack-program" } />
            <text x=(program_x + 20.0).to_string() y=(cy + 5.0).to_string() text-anchor="middle" class="stack-node-label">
                {if s.completed { "★" } else { "☆" }}
            </text>
            <rect x="12" y="60" width=(width - 24.0).to_string() height="6" rx="3" class="stack-bar" />
            <rect x="12" y="60" width=bar.to_string() height="6" rx="3" class="stack-bar-done" />
        </svg>
    }
}
