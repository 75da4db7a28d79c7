//! The learner's home, `/portfolio`: their programs, the badge wall (every badge as a
//! card with its mark; filters, sort and search as a GET form that works without
//! JavaScript and answers at once with it; a screenful at a time), the stacks of their
//! programs with progress, the competencies their badges back, and their transcript
//! notations. One badge in full is `/portfolio/badges/{award}` ([`badge`]); the public
//! profile is `/p/{handle}` ([`profile`]).

pub mod badge;
pub mod collections;
pub mod competencies;
pub mod endorsements;
pub mod import;
pub mod links;
pub mod profile;
pub mod share;
pub mod stacks;

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::params::ParamsMap;

use crate::api::catalog::my_enrollments;
use crate::api::portfolio::{portfolio_overview, portfolio_wall};
use crate::components::signed_in::SignedIn;
use crate::model::awards::{FilterOption, credential_download_url};
use crate::model::portfolio::{
    Mark, PAGE_SIZE, Wall, WallCard, WallFilters, WallQuery, badge_path, profile_path,
};
use crate::pages::catalog::credit_line;
use crate::pages::manage::transcripts::NotationTable;

/// The wall's query, read from the URL.
fn query_of(q: &ParamsMap) -> WallQuery {
    let get = |k: &str| q.get(k).unwrap_or_default();
    WallQuery {
        q: get("q"),
        sort: get("sort"),
        program: get("program"),
        competency: get("competency"),
        issuer: get("issuer"),
        status: get("status"),
        credit: get("credit"),
        limit: get("limit"),
    }
}

/// `/portfolio?…` for a query.
fn wall_href(q: &WallQuery) -> String {
    let mut map = ParamsMap::new();
    for (k, v) in q.pairs() {
        map.insert(k, v);
    }
    let s = map.to_query_string();
    if s.is_empty() || s == "?" {
        "/portfolio".to_string()
    } else {
        format!("/portfolio{s}")
    }
}

/// The words and symbol of a mark, with the reason for a revocation.
#[component]
pub fn MarkLabel(
    mark: Mark,
    #[prop(default = None)] reason: Option<String>,
    #[prop(optional)] testid: Option<&'static str>,
) -> impl IntoView {
    let words = match (mark, reason) {
        (Mark::Revoked, Some(r)) if !r.trim().is_empty() => format!("Revoked: {r}"),
        (m, _) => m.label().to_string(),
    };
    view! {
        <span class=format!("mark mark-{}", mark.as_str()) data-mark=mark.as_str()>
            <span aria-hidden="true" class="mark-symbol">{mark.symbol()}</span>
            " "
            <span data-testid=testid.unwrap_or("mark")>{words}</span>
        </span>
    }
}

/// "My portfolio".
#[component]
pub fn Portfolio() -> impl IntoView {
    let query_map = use_query_map();
    let query = Memo::new(move |_| query_of(&query_map.get()));
    // Blocking: the page is sent once everything is read, so a database that fails a
    // query still makes the page's status a 503 with `Retry-After`.
    let enrollments = Resource::new_blocking(|| (), |()| my_enrollments());
    let overview = Resource::new_blocking(|| (), |()| portfolio_overview());
    let wall = Resource::new_blocking(move || query.get(), portfolio_wall);
    view! {
        <Title text="My portfolio · Badgefolio" />
        <SignedIn children=move |user| {
            view! {
                <section class="portfolio">
                    <h1>"My portfolio"</h1>
                    <p class="lead" data-testid="welcome">"Welcome, " {user.display_name} "."</p>
                    <p class="meta"><a href="/portfolio/collections" data-testid="collections-link">"My collections"</a></p>
                    <p class="meta" data-testid="profile-line">
                        {match user.handle {
                            Some(h) => view! {
                                "Your public profile: " <a href=profile_path(&h)>{format!("/p/{h}")}</a>
                                " (it shows only the badges you make public)."
                            }.into_any(),
                            None => view! {
                                "Every badge is private until you choose. "
                                <a href="/settings#public-profile">"Choose a handle"</a>
                                " to get a public profile."
                            }.into_any(),
                        }}
                    </p>
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
                    <section class="card" aria-labelledby="badges-heading">
                        <h2 id="badges-heading">"My badges"</h2>
                        <p><a href="/portfolio/import" data-testid="import-link">"Import a badge earned elsewhere"</a></p>
                        <Suspense fallback=|| ()>
                            {move || Suspend::new(async move {
                                match overview.await {
                                    Ok(o) => view! { <Filters filters=o.filters query=query /> }.into_any(),
                                    Err(_) => ().into_any(),
                                }
                            })}
                        </Suspense>
                        <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
                            {move || Suspend::new(async move {
                                match wall.await {
                                    Err(e) => view! { <p role="alert">{e.to_string()}</p> }.into_any(),
                                    Ok(w) => view! { <Cards w=w query=query.get_untracked() /> }.into_any(),
                                }
                            })}
                        </Transition>
                    </section>
                    <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                        {move || Suspend::new(async move {
                            match overview.await {
                                Err(e) => view! { <p role="alert">{e.to_string()}</p> }.into_any(),
                                Ok(o) => view! {
                                    <stacks::Stacks stacks=o.stacks />
                                    <competencies::Competencies rows=o.competencies />
                                    {(!o.notations.is_empty()).then(|| view! {
                                        <section class="card" aria-labelledby="notations-heading">
                                            <h2 id="notations-heading">"My transcript notations"</h2>
                                            <NotationTable rows=o.notations learner=true />
                                        </section>
                                    })}
                                }.into_any(),
                            }
                        })}
                    </Suspense>
                </section>
            }
        } />
    }
}

/// A `<select>` of the filter form.
#[component]
fn Choice(
    id: &'static str,
    name: &'static str,
    label: &'static str,
    options: Vec<FilterOption>,
    selected: String,
    #[prop(into)] current: Signal<String>,
    on_pick: Callback<(&'static str, String)>,
) -> impl IntoView {
    view! {
        <div>
            <label for=id>{label}</label>
            <select
                id=id
                name=name
                prop:value=move || current.get()
                on:change=move |ev| on_pick.run((name, event_target_value(&ev)))
            >
                <option value="">"Any"</option>
                {options.into_iter().map(|o| {
                    let sel = o.value == selected;
                    view! { <option value=o.value selected=sel>{o.label}</option> }
                }).collect_view()}
            </select>
        </div>
    }
}

/// The filter, sort and search form: a plain GET form to `/portfolio`; with
/// JavaScript each change navigates at once (the wall below refreshes in place).
#[component]
fn Filters(filters: WallFilters, query: Memo<WallQuery>) -> impl IntoView {
    let navigate = use_navigate();
    let initial = query.get_untracked();
    let go = Callback::new(move |(field, value): (&'static str, String)| {
        let mut q = query.get_untracked();
        match field {
            "q" => q.q = value,
            "sort" => q.sort = value,
            "program" => q.program = value,
            "competency" => q.competency = value,
            "issuer" => q.issuer = value,
            "status" => q.status = value,
            "credit" => q.credit = value,
            _ => {}
        }
        // A new filter starts again at one screenful.
        q.limit = String::new();
        navigate(
            &wall_href(&q),
            leptos_router::NavigateOptions {
                replace: true,
                scroll: false,
                ..Default::default()
            },
        );
    });
    let sorts = vec![
        FilterOption {
            value: "date".into(),
            label: "Date earned (newest first)".into(),
        },
        FilterOption {
            value: "name".into(),
            label: "Name (A–Z)".into(),
        },
        FilterOption {
            value: "issuer".into(),
            label: "Issuer (A–Z)".into(),
        },
    ];
    let credit_checked = initial.credit == "yes";
    view! {
        <form
            method="get"
            action="/portfolio"
            class="filters wall-filters"
            role="search"
            aria-label="Filter and sort my badges"
            data-testid="wall-filters"
            on:submit=move |ev| {
                ev.prevent_default();
                go.run(("q", query.get_untracked().q));
            }
        >
            <div class="wall-search">
                <label for="w-q">"Search"</label>
                <input
                    id="w-q"
                    name="q"
                    type="search"
                    value=initial.q.clone()
                    prop:value=move || query.get().q
                    placeholder="Name, issuer or tag"
                    maxlength="200"
                    on:input=move |ev| go.run(("q", event_target_value(&ev)))
                />
            </div>
            <div>
                <label for="w-sort">"Sort by"</label>
                <select
                    id="w-sort"
                    name="sort"
                    prop:value=move || { let s = query.get().sort; if s.is_empty() { "date".to_string() } else { s } }
                    on:change=move |ev| go.run(("sort", event_target_value(&ev)))
                >
                    {sorts.into_iter().map(|o| {
                        let sel = o.value == initial.sort || (initial.sort.is_empty() && o.value == "date");
                        view! { <option value=o.value selected=sel>{o.label}</option> }
                    }).collect_view()}
                </select>
            </div>
            <Choice id="w-program" name="program" label="Program" options=filters.programs selected=initial.program.clone()
                current=Signal::derive(move || query.get().program) on_pick=go />
            <Choice id="w-competency" name="competency" label="Competency" options=filters.competencies selected=initial.competency.clone()
                current=Signal::derive(move || query.get().competency) on_pick=go />
            <Choice id="w-issuer" name="issuer" label="Issuer" options=filters.issuers selected=initial.issuer.clone()
                current=Signal::derive(move || query.get().issuer) on_pick=go />
            <Choice id="w-status" name="status" label="Status" options=filters.statuses selected=initial.status.clone()
                current=Signal::derive(move || query.get().status) on_pick=go />
            <div class="checkbox">
                <input
                    id="w-credit"
                    name="credit"
                    type="checkbox"
                    value="yes"
                    checked=credit_checked
                    prop:checked=move || query.get().credit == "yes"
                    on:change=move |ev| go.run(("credit", if event_target_checked(&ev) { "yes".into() } else { String::new() }))
                />
                <label for="w-credit">"Credit-bearing only"</label>
            </div>
            <div class="wall-actions">
                <button type="submit" class="button">"Show badges"</button>
                <a href="/portfolio" class="button button-secondary">"Clear"</a>
            </div>
        </form>
    }
}

/// The count, the cards and "Show more".
#[component]
fn Cards(w: Wall, query: WallQuery) -> impl IntoView {
    let shown = w.cards.len();
    let matched = w.matched as usize;
    let count = if w.held == 0 {
        String::new()
    } else if query.narrows() {
        match matched {
            0 => "No badge matches. Clear the filters to see them all.".to_string(),
            1 => format!("1 of {} badges matches.", w.held),
            n => format!("{n} of {} badges match.", w.held),
        }
    } else if w.held == 1 {
        "1 badge.".to_string()
    } else {
        format!("{} badges.", w.held)
    };
    let more = (shown < matched).then(|| {
        let mut next = query.clone();
        next.limit = (shown + PAGE_SIZE as usize).to_string();
        wall_href(&next)
    });
    view! {
        <p role="status" aria-live="polite" data-testid="wall-count">
            {count}
            {(shown < matched).then(|| format!(" Showing {shown}."))}
        </p>
        {if w.held == 0 {
            view! {
                <div class="empty-state" data-testid="wall-empty">
                    <h3>"No badges yet"</h3>
                    <p>
                        "Badges you earn will appear here. Each one is yours: private until you share it, "
                        "and verifiable by anyone you show it to. "
                        <a href="/programs">"Find a program"</a>
                    </p>
                </div>
            }.into_any()
        } else {
            view! {
                <ul class="wall" data-testid="my-badges">
                    {w.cards.into_iter().map(|c| view! { <Card c=c /> }).collect_view()}
                </ul>
            }.into_any()
        }}
        {more.map(|href| view! {
            <p class="wall-more"><a href=href class="button button-secondary" data-testid="wall-more">
                {format!("Show more ({} more)", (matched - shown).min(PAGE_SIZE as usize))}
            </a></p>
        })}
    }
}

#[component]
fn Card(c: WallCard) -> impl IntoView {
    let href = badge_path(&c.public_id);
    let expiry = c.expires_at.clone().map(|d| {
        if matches!(c.mark, Mark::Expired) {
            format!("Expired {d}")
        } else {
            format!("Valid until {d}")
        }
    });
    view! {
        <li class="wall-card" data-testid="my-badge" data-mark=c.mark.as_str()>
            {(!c.image_url.is_empty()).then(|| view! {
                <img src=c.image_url.clone() alt="" width="96" height="96" loading="lazy" decoding="async" />
            })}
            <div class="wall-card-body">
                <h3><a href=href data-testid="badge-link">{c.name.clone()}</a></h3>
                {c.imported.then(|| view! { <p class="meta tag-imported" data-testid="imported">"Imported"</p> })}
                {c.program.clone().map(|p| view! { <p class="meta">{format!("program credential: {p}")}</p> })}
                <p class="meta">{c.issuer.clone()}</p>
                <p class="meta">"Earned " <time datetime=c.awarded_at.clone()>{c.awarded_at.clone()}</time></p>
                {expiry.map(|e| view! { <p class="meta">{e}</p> })}
                <p><MarkLabel mark=c.mark reason=c.revocation_reason.clone() testid="my-badge-status" /></p>
                <p class="meta visibility" data-testid="visibility">
                    {if c.is_public { "Public: on your profile" } else { "Private" }}
                </p>
                {(!c.imported).then(|| view! {
                    <p class="meta">
                        <a href=credential_download_url(&c.public_id) download="" rel="external">"Download credential (JSON)"</a>
                    </p>
                })}
            </div>
        </li>
    }
}
