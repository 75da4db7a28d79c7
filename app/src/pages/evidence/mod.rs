//! Evidence and review screens: the learner's badges of a program and the evidence
//! editor per badge; the institution's review queue and a submission under review.
//! Every form posts to a server function and works without JavaScript.

pub mod editor;
pub mod learn;
pub mod queue;
pub mod review;

use leptos::prelude::*;

use crate::model::evidence::{EventView, ItemView, state_label};

/// A submission's state as a labelled tag.
#[component]
pub fn StateTag(state: String) -> impl IntoView {
    let class = format!(
        "state-tag state-{}",
        if state.is_empty() {
            "none"
        } else {
            state.as_str()
        }
    );
    view! { <span class=class data-testid="state">{state_label(&state)}</span> }
}

/// "1.2 MB", "340 KB".
pub fn size_text(bytes: i64) -> String {
    #[allow(clippy::cast_precision_loss)]
    let b = bytes as f64;
    if b >= 1024.0 * 1024.0 {
        format!("{:.1} MB", b / (1024.0 * 1024.0))
    } else {
        format!("{} KB", (bytes + 1023) / 1024)
    }
}

/// A piece of evidence shown inline where the browser can (image, video, PDF), a link
/// otherwise.
#[component]
pub fn ItemPreview(item: ItemView) -> impl IntoView {
    let name = item.name.clone();
    match item.preview.as_str() {
        "image" => view! {
            <figure class="evidence-preview">
                <img src=item.url.clone() alt=format!("Evidence: {name}") loading="lazy" />
                <figcaption><a href=item.url.clone()>{name.clone()}</a></figcaption>
            </figure>
        }.into_any(),
        "video" => view! {
            <figure class="evidence-preview">
                <video src=item.url.clone() controls=true preload="metadata" aria-label=format!("Evidence video: {name}")></video>
                <figcaption><a href=item.url.clone()>{name.clone()}</a></figcaption>
            </figure>
        }.into_any(),
        "pdf" => view! {
            <figure class="evidence-preview">
                <iframe src=item.url.clone() title=format!("Evidence PDF: {name}") class="pdf-preview"></iframe>
                <figcaption><a href=item.url.clone()>{format!("Open {name}")}</a></figcaption>
            </figure>
        }.into_any(),
        _ if item.kind == "link" => view! {
            <p class="evidence-link">
                "Link: " <a href=item.url.clone() rel="noopener noreferrer nofollow external">{name.clone()}</a>
                <span class="meta">" · " {item.url.clone()}</span>
            </p>
        }.into_any(),
        _ => view! {
            <p class="evidence-link">
                "File: " <a href=item.url.clone() download="">{name.clone()}</a>
                <span class="meta">" · " {size_text(item.size_bytes)}</span>
            </p>
        }.into_any(),
    }
}

/// The history of a submission.
#[component]
pub fn History(events: Vec<EventView>) -> impl IntoView {
    view! {
        <section class="card" aria-labelledby="history-heading">
            <h2 id="history-heading">"History"</h2>
            <ol class="history" data-testid="history">
                {events.into_iter().map(|e| {
                    let change = (!e.to_state.is_empty()).then(|| format!(" ({} → {})", e.from_state, e.to_state));
                    view! {
                        <li>
                            <time datetime=e.at.clone()>{e.at.replace('T', " ").replace('Z', " UTC")}</time>
                            " · " {e.actor} ": " {e.detail} {change}
                        </li>
                    }
                }).collect_view()}
            </ol>
        </section>
    }
}
