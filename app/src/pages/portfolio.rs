//! The learner's home: the programs they are enrolled in, their badges (each with its
//! status and a download of the signed credential) and their transcript notations. The
//! full badge wall comes with the portfolio feature.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::awards::get_my_badges;
use crate::api::catalog::my_enrollments;
use crate::components::signed_in::SignedIn;
use crate::model::awards::{MyBadge, MyBadges};
use crate::pages::catalog::credit_line;
use crate::pages::manage::{awards::status_label, transcripts::NotationTable};

/// "My portfolio".
#[component]
pub fn Portfolio() -> impl IntoView {
    // Blocking, like the user: the page is sent once both are read, so a database that
    // fails the enrollments query (the user may come from the actor cache) still makes
    // the page's status a 503 with `Retry-After`, not a 200 with an error inside.
    let enrollments = Resource::new_blocking(|| (), |()| my_enrollments());
    let badges = Resource::new_blocking(|| (), |()| get_my_badges());
    view! {
        <Title text="My portfolio · Badgefolio" />
        <SignedIn children=move |user| {
            view! {
                <section class="portfolio">
                    <h1>"My portfolio"</h1>
                    <p class="lead" data-testid="welcome">"Welcome, " {user.display_name} "."</p>
                    <section class="card" aria-labelledby="programs-heading">
                        <h2 id="programs-heading">"My programs"</h2>
                        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                            {move || Suspend::new(async move {
                                match enrollments.await {
                                    Err(e) => view! { <p role="alert">{e.to_string()}</p> }.into_any(),
                                    Ok(list) if list.is_empty() => view! {
                                        <p>"You are not enrolled in a program yet. " <a href="/programs">"Browse the programs"</a></p>
                                    }.into_any(),
                                    Ok(list) => view! {
                                        <ul class="link-list" data-testid="enrollments">
                                            {list.into_iter().map(|e| view! {
                                                <li>
                                                    <a href=format!("/programs/{}", e.program_slug)>{e.program_name}</a>
                                                    <span class="meta">" · " {e.institution} " · " {credit_line(e.credits, e.credit_bearing)} " · " {format!("{} badges", e.badge_count)}</span>
                                                    " · " <a href=format!("/learn/{}", e.program_slug)>"Work on badges"</a>
                                                </li>
                                            }).collect_view()}
                                        </ul>
                                    }.into_any(),
                                }
                            })}
                        </Suspense>
                    </section>
                    <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                        {move || Suspend::new(async move {
                            match badges.await {
                                Err(e) => view! { <p role="alert">{e.to_string()}</p> }.into_any(),
                                Ok(b) => view! { <Badges b=b /> }.into_any(),
                            }
                        })}
                    </Suspense>
                </section>
            }
        } />
    }
}

/// "My badges" and "My transcript notations".
#[component]
fn Badges(b: MyBadges) -> impl IntoView {
    if b.badges.is_empty() {
        return view! {
            <div class="card empty-state">
                <h2>"No badges yet"</h2>
                <p>
                    "Badges you earn will appear here. Each one is yours: private until you share it, "
                    "and verifiable by anyone you show it to."
                </p>
            </div>
        }
        .into_any();
    }
    view! {
        <section class="card" aria-labelledby="badges-heading">
            <h2 id="badges-heading">"My badges"</h2>
            <ul class="link-list" data-testid="my-badges">
                {b.badges.into_iter().map(|x| view! { <BadgeItem b=x /> }).collect_view()}
            </ul>
        </section>
        {(!b.notations.is_empty()).then(|| view! {
            <section class="card" aria-labelledby="notations-heading">
                <h2 id="notations-heading">"My transcript notations"</h2>
                <NotationTable rows=b.notations learner=true />
            </section>
        })}
    }
    .into_any()
}

#[component]
fn BadgeItem(b: MyBadge) -> impl IntoView {
    let alt = format!("Badge image: {}", b.badge_name);
    let status = status_label(&b.status, b.revocation_reason.as_deref());
    let until = b.valid_until.clone().map(|d| format!(" · valid until {d}"));
    view! {
        <li data-testid="my-badge" data-status=b.status.clone()>
            {(!b.image_url.is_empty()).then(|| view! { <img src=b.image_url.clone() alt=alt width="48" height="48" /> })}
            " "
            <strong>{b.badge_name.clone()}</strong>
            {b.program.clone().map(|p| view! { <span class="meta">{format!(" · program credential: {p}")}</span> })}
            <span class="meta">" · " {b.issuer.clone()} " · awarded " {b.awarded_at.clone()} {until}</span>
            <br />
            <span data-testid="my-badge-status">{status}</span>
            " · "
            <a href=b.download_url.clone() download="" rel="external">"Download credential (JSON)"</a>
        </li>
    }
}
