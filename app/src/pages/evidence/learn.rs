//! `/learn/{program}`: the badges of a program the learner is enrolled in, each with
//! where its evidence stands and a link to work on it.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use super::StateTag;
use crate::api::evidence::learn_program;
use crate::components::signed_in::SignedIn;
use crate::pages::catalog::LoadError;

/// The learner's program page.
#[component]
pub fn LearnPage() -> impl IntoView {
    let params = use_params_map();
    let view_data = Resource::new(
        move || params.get().get("program").unwrap_or_default(),
        learn_program,
    );
    view! {
        <SignedIn children=move |_| view! {
            <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match view_data.await {
                        Err(e) => view! { <Title text="Work on badges · Badgefolio" /> <LoadError error=e /> }.into_any(),
                        Ok(l) => {
                            let slug = l.program_slug.clone();
                            view! {
                                <Title text=format!("{} · Work on badges · Badgefolio", l.program_name) />
                                <section class="learn">
                                    <p class="meta">{l.institution.clone()}</p>
                                    <h1>"Work on badges: " {l.program_name.clone()}</h1>
                                    <p>"Add evidence for each badge and submit it for review. "
                                        <a href=format!("/programs/{slug}")>"About the program"</a></p>
                                    <ul class="badge-list" data-testid="learn-badges">
                                        {l.badges.into_iter().map(|b| {
                                            let href = format!("/learn/{}/{}", slug, b.badge_id);
                                            let label = if b.is_capstone { format!("Capstone: {}", b.name) } else { b.name.clone() };
                                            view! {
                                                <li class="card badge-row">
                                                    <img src=b.image_url.clone() alt="" width="48" height="48" />
                                                    <div>
                                                        <h2><a href=href>{label}</a></h2>
                                                        <StateTag state=b.state.clone() />
                                                    </div>
                                                </li>
                                            }
                                        }).collect_view()}
                                    </ul>
                                </section>
                            }.into_any()
                        }
                    }
                })}
            </Suspense>
        } />
    }
}
