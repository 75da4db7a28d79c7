//! `/portfolio/links`: every share link the learner made (badges, collections,
//! stacks), with views by source, copy, rename and revoke; and new links for any of
//! their badges, collections or the stacks of programs they follow. Plain forms: it
//! works without JavaScript too.

use leptos::prelude::*;
use leptos_meta::Title;

use super::share::LinkRow;
use crate::api::sharing::{CreateShareLink, RenameShareLink, RevokeShareLink, share_links_page};
use crate::components::form::{FormError, SubmitButton, last_error};
use crate::components::signed_in::SignedIn;
use crate::model::sharing::{LinksPage, ShareTarget};
use crate::pages::catalog::LoadError;

/// The page.
#[component]
pub fn ShareLinksPage() -> impl IntoView {
    let create = ServerAction::<CreateShareLink>::new();
    let revoke = ServerAction::<RevokeShareLink>::new();
    let rename = ServerAction::<RenameShareLink>::new();
    let data = Resource::new_blocking(
        move || {
            (
                create.version().get(),
                revoke.version().get(),
                rename.version().get(),
            )
        },
        |_| share_links_page(),
    );
    view! {
        <Title text="My share links · Badgefolio" />
        <SignedIn children=move |_| view! {
            <article class="portfolio" data-testid="share-links-page">
                <p class="meta"><a href="/portfolio">"← My portfolio"</a></p>
                <h1>"My share links"</h1>
                <p class="lead">"Named links to a badge, a collection or a program's stack. Revoke one at any time; it then stops working at once. A link's expiry is separate from a badge's own expiry date."</p>
                <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
                    {move || Suspend::new(async move {
                        match data.await {
                            Err(e) => view! { <LoadError error=e /> }.into_any(),
                            Ok(p) => view! { <Body p=p create=create revoke=revoke rename=rename /> }.into_any(),
                        }
                    })}
                </Transition>
            </article>
        } />
    }
}

#[component]
fn Body(
    p: LinksPage,
    create: ServerAction<CreateShareLink>,
    revoke: ServerAction<RevokeShareLink>,
    rename: ServerAction<RenameShareLink>,
) -> impl IntoView {
    let of = |kind: &str| -> Vec<ShareTarget> {
        p.targets
            .iter()
            .filter(|t| t.kind == kind)
            .cloned()
            .collect()
    };
    let badges = of("badge");
    let collections = of("collection");
    let stacks = of("stack");
    view! {
        <section class="card" aria-labelledby="links-heading">
            <h2 id="links-heading">{format!("Links ({} live of at most {})", p.live_links, p.max_links)}</h2>
            {if p.links.is_empty() {
                view! { <p>"You have no share links yet."</p> }.into_any()
            } else {
                view! {
                    <ul class="share-links" data-testid="share-links">
                        {p.links.clone().into_iter().map(|l| view! {
                            <LinkRow l=l revoke=revoke rename=rename show_target=true />
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
        <section class="card" aria-labelledby="new-heading">
            <h2 id="new-heading">"New share link"</h2>
            <NewLink kind="badge" label="Badge" options=badges create=create />
            <NewLink kind="collection" label="Collection" options=collections create=create />
            <NewLink kind="stack" label="Program stack (with your progress)" options=stacks create=create />
            <FormError error=last_error(create.value()) />
        </section>
    }
}

/// A form for a new link to one kind of thing (none when the learner has none).
#[component]
fn NewLink(
    kind: &'static str,
    label: &'static str,
    options: Vec<ShareTarget>,
    create: ServerAction<CreateShareLink>,
) -> impl IntoView {
    if options.is_empty() {
        return ().into_any();
    }
    let select_id = format!("new-{kind}-target");
    let name_id = format!("new-{kind}-name");
    let date_id = format!("new-{kind}-expires");
    view! {
        <details class="new-link">
            <summary>{format!("Share a {}", label.to_lowercase())}</summary>
            <ActionForm action=create attr:class="stack-form">
                <input type="hidden" name="kind" value=kind />
                <label for=select_id.clone()>{label}</label>
                <select id=select_id name="target">
                    {options.into_iter().map(|o| view! { <option value=o.target>{o.name}</option> }).collect_view()}
                </select>
                <label for=name_id.clone()>"Name (for you, up to 60 characters)"</label>
                <input id=name_id name="name" required maxlength="60" placeholder="LinkedIn, CV 2027…" />
                <label for=date_id.clone()>"Link stops working after (optional)"</label>
                <input id=date_id name="expires_on" type="date" />
                <label class="checkbox"><input type="checkbox" name="show_evidence" value="on" />" Show my evidence on this link"</label>
                <SubmitButton label="Create link" busy_label="Creating…" pending=create.pending() />
            </ActionForm>
        </details>
    }
    .into_any()
}
