//! `/p/{handle}`: a learner's public profile. Server-rendered and readable without
//! JavaScript by anyone; it holds only the badges the learner made public.

use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use leptos_router::hooks::use_params_map;

use super::MarkLabel;
use crate::api::portfolio::read_public_profile;
use crate::model::portfolio::PublicProfile;
use crate::pages::catalog::LoadError;

/// The public profile page.
#[component]
pub fn PublicProfilePage() -> impl IntoView {
    let params = use_params_map();
    let profile = Resource::new_blocking(
        move || params.get().get("handle").unwrap_or_default(),
        read_public_profile,
    );
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match profile.await {
                    Err(e) => view! { <Title text="Profile · Badgefolio" /> <LoadError error=e /> }.into_any(),
                    Ok(p) => view! { <Profile p=p /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Profile(p: PublicProfile) -> impl IntoView {
    let count = p.badges.len();
    view! {
        <Title text=format!("{} · Badgefolio", p.display_name) />
        <Meta name="description" content=format!("Badges {} chose to share on Badgefolio.", p.display_name) />
        <section class="portfolio public-profile" data-testid="public-profile">
            <h1>{p.display_name.clone()}</h1>
            <p class="meta">{format!("@{} · ", p.handle)} {match count { 0 => "No public badges yet.".to_string(), 1 => "1 badge".to_string(), n => format!("{n} badges") }}</p>
            {(count > 0).then(|| view! {
                <ul class="wall" data-testid="public-badges">
                    {p.badges.into_iter().map(|b| view! {
                        <li class="wall-card" data-testid="public-badge" data-mark=b.mark.as_str()>
                            {(!b.image_url.is_empty()).then(|| view! {
                                <img src=b.image_url.clone() alt="" width="96" height="96" loading="lazy" />
                            })}
                            <div class="wall-card-body">
                                <h2 class="wall-card-title">{b.name}</h2>
                                <p class="meta">{b.issuer}</p>
                                <p class="meta">"Earned " <time datetime=b.awarded_at.clone()>{b.awarded_at.clone()}</time></p>
                                <p><MarkLabel mark=b.mark /></p>
                            </div>
                        </li>
                    }).collect_view()}
                </ul>
            })}
        </section>
    }
}
