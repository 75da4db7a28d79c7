//! A competency's permanent public page (badges align to it by this URL).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use super::LoadError;
use crate::api::catalog::get_competency;

/// `/competencies/{slug}` and `/issuers/{issuer}/competencies/{slug}`.
#[component]
pub fn CompetencyPage() -> impl IntoView {
    let params = use_params_map();
    let key = Memo::new(move |_| {
        let p = params.get();
        (
            p.get("issuer").unwrap_or_default(),
            p.get("slug").unwrap_or_default(),
        )
    });
    let competency = Resource::new(
        move || key.get(),
        |(issuer, slug)| get_competency(issuer, slug),
    );
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match competency.await {
                    Err(e) => view! { <LoadError error=e /> }.into_any(),
                    Ok(c) => view! {
                        <Title text=format!("{} · Competency · Badgefolio", c.name) />
                        <section class="card narrow">
                            <p class="meta">{c.institution.clone().unwrap_or_else(|| "21st-century workforce competencies".into())}</p>
                            <h1>{c.name.clone()}</h1>
                            <p class="prose">{c.description.clone()}</p>
                            <p><a href=format!("/programs?competency={}", urlencode(&c.url))>"Programs that build this competency"</a></p>
                        </section>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
