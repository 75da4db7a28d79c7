//! The learner's home: the programs they are enrolled in (badges arrive with awarding).

use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::catalog::my_enrollments;
use crate::components::signed_in::SignedIn;
use crate::pages::catalog::credit_line;

/// "My portfolio".
#[component]
pub fn Portfolio() -> impl IntoView {
    // Blocking, like the user: the page is sent once both are read, so a database that
    // fails the enrollments query (the user may come from the actor cache) still makes
    // the page's status a 503 with `Retry-After`, not a 200 with an error inside.
    let enrollments = Resource::new_blocking(|| (), |()| my_enrollments());
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
                    <div class="card empty-state">
                        <h2>"No badges yet"</h2>
                        <p>
                            "Badges you earn will appear here. Each one is yours: private until you share it, "
                            "and verifiable by anyone you show it to."
                        </p>
                    </div>
                </section>
            }
        } />
    }
}
