//! `/portfolio/collections`: the learner's collections of badges. Create, rename,
//! describe, delete and reorder them; add, remove and reorder their badges. Every
//! change is a small form with a button (keyboard and screen-reader friendly, and it
//! works before the page's code has loaded). [`AddToCollection`] is the same "add"
//! from a badge's page.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::collections::{
    AddToCollection as AddItem, CollectionBadge, CollectionView, CreateCollection,
    DESCRIPTION_MAX_CHARS, DeleteCollection, EditCollection, MoveCollection, MoveCollectionItem,
    NAME_MAX_CHARS, RemoveFromCollection, my_collections,
};
use crate::components::form::{FormError, SubmitButton, last_error};
use crate::components::signed_in::SignedIn;

/// Every action of the page, so one resource reloads after any of them.
#[derive(Clone, Copy)]
struct Actions {
    create: ServerAction<CreateCollection>,
    edit: ServerAction<EditCollection>,
    delete: ServerAction<DeleteCollection>,
    move_collection: ServerAction<MoveCollection>,
    add: ServerAction<AddItem>,
    remove: ServerAction<RemoveFromCollection>,
    move_item: ServerAction<MoveCollectionItem>,
}

impl Actions {
    fn new() -> Self {
        Self {
            create: ServerAction::new(),
            edit: ServerAction::new(),
            delete: ServerAction::new(),
            move_collection: ServerAction::new(),
            add: ServerAction::new(),
            remove: ServerAction::new(),
            move_item: ServerAction::new(),
        }
    }

    fn version(&self) -> usize {
        self.create.version().get()
            + self.edit.version().get()
            + self.delete.version().get()
            + self.move_collection.version().get()
            + self.add.version().get()
            + self.remove.version().get()
            + self.move_item.version().get()
    }

    /// The last error of any of them.
    fn error(&self) -> Signal<Option<String>> {
        let a = *self;
        Signal::derive(move || {
            [
                last_error(a.edit.value()).get(),
                last_error(a.delete.value()).get(),
                last_error(a.move_collection.value()).get(),
                last_error(a.add.value()).get(),
                last_error(a.remove.value()).get(),
                last_error(a.move_item.value()).get(),
            ]
            .into_iter()
            .flatten()
            .next()
        })
    }
}

/// The collections page.
#[component]
pub fn CollectionsPage() -> impl IntoView {
    view! {
        <Title text="My collections · Badgefolio" />
        <SignedIn children=move |_| view! { <Collections /> } />
    }
}

#[component]
fn Collections() -> impl IntoView {
    let actions = Actions::new();
    let data = Resource::new(move || actions.version(), |_| my_collections());
    view! {
        <section class="portfolio" data-testid="collections-page">
            <p class="meta"><a href="/portfolio">"← My portfolio"</a></p>
            <h1>"My collections"</h1>
            <p class="lead">"Group your badges for a purpose (a job application, a skill) and put them in the order you want."</p>
            <section class="card" aria-labelledby="new-collection-heading">
                <h2 id="new-collection-heading">"New collection"</h2>
                <ActionForm action=actions.create attr:class="stacked-form" attr:data-testid="new-collection">
                    <label>"Name"
                        <input type="text" name="name" required maxlength=NAME_MAX_CHARS.to_string() />
                    </label>
                    <label>"Description (optional)"
                        <textarea name="description" rows="2" maxlength=DESCRIPTION_MAX_CHARS.to_string()></textarea>
                    </label>
                    <SubmitButton label="Create collection" busy_label="Creating…" pending=actions.create.pending() />
                    <FormError error=last_error(actions.create.value()) />
                </ActionForm>
            </section>
            <FormError error=actions.error() />
            <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Err(e) => view! { <p role="alert">{e.to_string()}</p> }.into_any(),
                        Ok(page) if page.collections.is_empty() => view! {
                            <p data-testid="no-collections">"You have no collections yet."</p>
                        }.into_any(),
                        Ok(page) => {
                            let count = page.collections.len();
                            let badges = page.badges.clone();
                            page.collections.into_iter().enumerate().map(|(i, c)| view! {
                                <CollectionCard c=c first={i == 0} last={i + 1 == count} badges=badges.clone() actions=actions />
                            }).collect_view().into_any()
                        }
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn CollectionCard(
    c: CollectionView,
    first: bool,
    last: bool,
    badges: Vec<CollectionBadge>,
    actions: Actions,
) -> impl IntoView {
    let heading = format!("collection-{}", c.public_id);
    let available: Vec<CollectionBadge> = badges
        .into_iter()
        .filter(|b| !c.badges.iter().any(|x| x.badge == b.badge))
        .collect();
    let n = c.badges.len();
    let id = c.public_id.clone();
    let name = c.name.clone();

    let delete_id = id.clone();
    let delete_label = format!("Delete the collection {name}");
    let delete = view! {
        <ActionForm action=actions.delete attr:class="inline-form">
            <input type="hidden" name="collection" value=delete_id />
            <button type="submit" class="button secondary" aria-label=delete_label>"Delete"</button>
        </ActionForm>
    };
    let items = if c.badges.is_empty() {
        view! { <p>"No badges in it yet."</p> }.into_any()
    } else {
        let rows = c
            .badges
            .iter()
            .enumerate()
            .map(|(i, b)| item_row(actions, &id, &name, b, i == 0, i + 1 == n))
            .collect_view();
        view! { <ol class="collection-items" data-testid="collection-items">{rows}</ol> }.into_any()
    };
    let add = (!available.is_empty()).then(|| {
        let add_id = id.clone();
        let options = available
            .into_iter()
            .map(
                |b| view! { <option value=b.badge>{format!("{} · {}", b.name, b.issuer)}</option> },
            )
            .collect_view();
        view! {
            <ActionForm action=actions.add attr:class="inline-form">
                <input type="hidden" name="collection" value=add_id />
                <label>"Add a badge " <select name="badge" required>{options}</select></label>
                " "
                <button type="submit" class="button">"Add"</button>
            </ActionForm>
        }
    });
    let edit_id = id.clone();
    let edit_name = c.name.clone();
    let edit_description = c.description.clone();
    let edit = view! {
        <ActionForm action=actions.edit attr:class="stacked-form">
            <input type="hidden" name="collection" value=edit_id />
            <label>"Name"
                <input type="text" name="name" required maxlength=NAME_MAX_CHARS.to_string() value=edit_name />
            </label>
            <label>"Description"
                <textarea name="description" rows="2" maxlength=DESCRIPTION_MAX_CHARS.to_string()>{crate::components::form::textarea_text(edit_description)}</textarea>
            </label>
            <button type="submit" class="button">"Save"</button>
        </ActionForm>
    };
    let labelled_by = heading.clone();
    let description =
        (!c.description.is_empty()).then(|| view! { <p class="prose">{c.description.clone()}</p> });
    view! {
        <section class="card collection" aria-labelledby=labelled_by data-testid="collection" data-name=c.name.clone()>
            <h2 id=heading>{c.name.clone()}</h2>
            {description}
            <div class="button-row">
                <MoveCollectionButton actions=actions id=id.clone() name=name.clone() up=true disabled=first />
                <MoveCollectionButton actions=actions id=id.clone() name=name.clone() up=false disabled=last />
                {delete}
            </div>
            {items}
            {add}
            <details>
                <summary>"Rename or describe"</summary>
                {edit}
            </details>
        </section>
    }
}

/// One badge of a collection with its buttons.
fn item_row(
    actions: Actions,
    collection: &str,
    collection_name: &str,
    b: &CollectionBadge,
    first: bool,
    last: bool,
) -> impl IntoView + use<> {
    let label = b.name.clone();
    let link = match b.href.clone() {
        Some(h) => view! { <a href=h>{b.name.clone()}</a> }.into_any(),
        None => view! { <span>{b.name.clone()}</span> }.into_any(),
    };
    let remove_collection = collection.to_string();
    let remove_badge = b.badge.clone();
    let remove_label = format!("Remove {label} from {collection_name}");
    view! {
        <li data-badge=b.badge.clone()>
            {link}
            <span class="meta">" · " {b.issuer.clone()}</span>
            " "
            <ItemButton actions=actions collection=collection.to_string() badge=b.badge.clone() direction="up" label="Up" aria=format!("Move {label} up") disabled=first />
            <ItemButton actions=actions collection=collection.to_string() badge=b.badge.clone() direction="down" label="Down" aria=format!("Move {label} down") disabled=last />
            <ActionForm action=actions.remove attr:class="inline-form">
                <input type="hidden" name="collection" value=remove_collection />
                <input type="hidden" name="badge" value=remove_badge />
                <button type="submit" class="button secondary" aria-label=remove_label>"Remove"</button>
            </ActionForm>
        </li>
    }
}

#[component]
fn MoveCollectionButton(
    actions: Actions,
    id: String,
    name: String,
    up: bool,
    disabled: bool,
) -> impl IntoView {
    view! {
        <ActionForm action=actions.move_collection attr:class="inline-form">
            <input type="hidden" name="collection" value=id />
            <input type="hidden" name="direction" value=if up { "up" } else { "down" } />
            <button type="submit" class="button secondary" disabled=disabled
                aria-label=format!("Move the collection {name} {}", if up { "up" } else { "down" })>
                {if up { "Move up" } else { "Move down" }}
            </button>
        </ActionForm>
    }
}

#[component]
fn ItemButton(
    actions: Actions,
    collection: String,
    badge: String,
    direction: &'static str,
    label: &'static str,
    aria: String,
    disabled: bool,
) -> impl IntoView {
    view! {
        <ActionForm action=actions.move_item attr:class="inline-form">
            <input type="hidden" name="collection" value=collection />
            <input type="hidden" name="badge" value=badge />
            <input type="hidden" name="direction" value=direction />
            <button type="submit" class="button secondary" disabled=disabled aria-label=aria>{label}</button>
        </ActionForm>
    }
}

/// "Add to a collection" on a badge's page (`badge` is `a:{award public id}`).
#[component]
pub fn AddToCollection(badge: String) -> impl IntoView {
    let add = ServerAction::<AddItem>::new();
    let data = Resource::new(move || add.version().get(), |_| my_collections());
    view! {
        <section class="card" aria-labelledby="collections-heading" data-testid="add-to-collection">
            <h2 id="collections-heading">"Collections"</h2>
            <Suspense fallback=|| ()>
                {move || {
                    let badge = badge.clone();
                    Suspend::new(async move {
                        match data.await {
                            Err(e) => view! { <p role="alert">{e.to_string()}</p> }.into_any(),
                            Ok(page) => {
                                let (inside, outside): (Vec<CollectionView>, Vec<CollectionView>) = page
                                    .collections
                                    .into_iter()
                                    .partition(|c| c.badges.iter().any(|b| b.badge == badge));
                                view! {
                                    {(!inside.is_empty()).then(|| view! {
                                        <p>"In: " {inside.iter().map(|c| c.name.clone()).collect::<Vec<_>>().join(", ")}</p>
                                    })}
                                    {if outside.is_empty() {
                                        view! { <p><a href="/portfolio/collections">"Make a collection"</a></p> }.into_any()
                                    } else {
                                        view! {
                                            <ActionForm action=add attr:class="inline-form">
                                                <input type="hidden" name="badge" value=badge.clone() />
                                                <label>"Add to "
                                                    <select name="collection" required>
                                                        {outside.into_iter().map(|c| view! { <option value=c.public_id>{c.name}</option> }).collect_view()}
                                                    </select>
                                                </label>
                                                " "
                                                <button type="submit" class="button">"Add"</button>
                                            </ActionForm>
                                            <p class="meta"><a href="/portfolio/collections">"Manage my collections"</a></p>
                                        }.into_any()
                                    }}
                                }.into_any()
                            }
                        }
                    })
                }}
            </Suspense>
            <FormError error=last_error(add.value()) />
        </section>
    }
}
