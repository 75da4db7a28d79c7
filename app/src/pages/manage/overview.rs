//! `/manage`: the institutions the user works for; platform admins see every
//! institution and create new ones.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::catalog::{CreateInstitution, list_institutions, my_institutions};
use crate::components::form::{FormError, SubmitButton, last_error};
use crate::components::signed_in::SignedIn;
use crate::model::Role;

/// The overview page.
#[component]
pub fn ManageOverview() -> impl IntoView {
    let create = ServerAction::<CreateInstitution>::new();
    let mine = Resource::new(move || create.version().get(), |_| my_institutions());
    view! {
        <Title text="Manage · Badgefolio" />
        <SignedIn children=move |user| {
            let is_admin = user.role == Role::PlatformAdmin;
            view! {
                <section class="manage">
                    <h1>"Institutions you manage"</h1>
                    <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                        {move || Suspend::new(async move {
                            match mine.await {
                                Err(e) => view! { <p role="alert">{e.to_string()}</p> }.into_any(),
                                Ok(list) if list.is_empty() => view! {
                                    <p>"You are not on the staff of any institution. An institution's admin can invite you."</p>
                                }.into_any(),
                                Ok(list) => view! {
                                    <ul class="link-list">
                                        {list.into_iter().map(|i| view! {
                                            <li><a href=format!("/manage/{}", i.slug)>{i.name}</a> <span class="meta">" · " {i.role}</span></li>
                                        }).collect_view()}
                                    </ul>
                                }.into_any(),
                            }
                        })}
                    </Suspense>
                    {is_admin.then(|| view! { <PlatformAdmin create=create /> })}
                </section>
            }
        } />
    }
}

/// Every institution, and the form that creates one and invites its first admin.
#[component]
fn PlatformAdmin(create: ServerAction<CreateInstitution>) -> impl IntoView {
    let all = Resource::new(move || create.version().get(), |_| list_institutions());
    let created = move || match create.value().get() {
        Some(Ok(slug)) => Some(format!(
            "Created. The first admin was sent an invitation; the institution is at /manage/{slug}."
        )),
        _ => None,
    };
    view! {
        <p><a href="/admin/outbox">"Outbox: every mail the platform sent"</a></p>
        <section class="card" aria-labelledby="all-heading">
            <h2 id="all-heading">"All institutions"</h2>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match all.await {
                        Err(e) => view! { <p role="alert">{e.to_string()}</p> }.into_any(),
                        Ok(list) => view! {
                            <table class="data-table">
                                <thead><tr><th scope="col">"Institution"</th><th scope="col">"Programs"</th><th scope="col">"Staff"</th></tr></thead>
                                <tbody>
                                    {list.into_iter().map(|i| view! {
                                        <tr><td><a href=format!("/manage/{}", i.slug)>{i.name}</a></td><td>{i.programs}</td><td>{i.staff}</td></tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        }.into_any(),
                    }
                })}
            </Suspense>
        </section>
        <section class="card narrow" aria-labelledby="new-inst-heading">
            <h2 id="new-inst-heading">"New institution"</h2>
            <ActionForm action=create attr:class="stack-form" attr:novalidate="">
                <label for="inst-name">"Name"</label>
                <input id="inst-name" name="name" required />
                <label for="inst-slug">"Short name for web addresses"</label>
                <input id="inst-slug" name="slug" required aria-describedby="inst-slug-hint" />
                <p id="inst-slug-hint" class="hint">"Lower-case letters, digits and dashes. It becomes part of every badge's address and never changes."</p>
                <label for="inst-url">"Web site"</label>
                <input id="inst-url" name="url" type="url" placeholder="https://" />
                <label for="inst-email">"Contact e-mail"</label>
                <input id="inst-email" name="email" type="email" />
                <label for="inst-description">"Description"</label>
                <textarea id="inst-description" name="description" rows="3"></textarea>
                <label for="inst-admin">"E-mail of its first admin"</label>
                <input id="inst-admin" name="admin_email" type="email" required aria-describedby="inst-admin-hint" />
                <p id="inst-admin-hint" class="hint">"They receive an invitation link by e-mail."</p>
                <FormError error=last_error(create.value()) />
                <p role="status" class="form-success">{created}</p>
                <SubmitButton label="Create institution" busy_label="Creating…" pending=create.pending() />
            </ActionForm>
        </section>
    }
}
