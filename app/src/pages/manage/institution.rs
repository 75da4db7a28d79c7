//! `/manage/{inst}`: an institution's profile, staff, competencies, badges and programs.

use leptos::prelude::*;
use leptos_meta::Title;

use super::institution_resource;
use crate::api::catalog::{
    AddCompetency, InviteStaff, RemoveStaff, RevokeInvitation, save_profile,
};
use crate::components::form::{FormError, SubmitButton, last_error};
use crate::components::signed_in::SignedIn;
use crate::components::upload_form::{UploadAction, UploadForm};
use crate::model::catalog::InstitutionAdmin;
use crate::pages::catalog::credit_line;

/// The institution's screen.
#[component]
pub fn ManageInstitution() -> impl IntoView {
    let invite = ServerAction::<InviteStaff>::new();
    let remove = ServerAction::<RemoveStaff>::new();
    let revoke = ServerAction::<RevokeInvitation>::new();
    let add_competency = ServerAction::<AddCompetency>::new();
    let profile: UploadAction = Action::new_local(|data: &leptos::web_sys::FormData| {
        let data = data.clone();
        async move { save_profile(data.into()).await.map(|()| String::new()) }
    });
    let inst = institution_resource(move || {
        invite.version().get()
            + remove.version().get()
            + revoke.version().get()
            + add_competency.version().get()
            + profile.version().get()
    });
    view! {
        <SignedIn children=move |_| view! {
            <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match inst.await {
                        Err(e) => view! { <crate::pages::catalog::LoadError error=e /> }.into_any(),
                        Ok(i) => view! { <Screen i=i invite=invite remove=remove revoke=revoke add_competency=add_competency profile=profile /> }.into_any(),
                    }
                })}
            </Suspense>
        } />
    }
}

#[component]
fn Screen(
    i: InstitutionAdmin,
    invite: ServerAction<InviteStaff>,
    remove: ServerAction<RemoveStaff>,
    revoke: ServerAction<RevokeInvitation>,
    add_competency: ServerAction<AddCompetency>,
    profile: UploadAction,
) -> impl IntoView {
    let slug = StoredValue::new(i.slug.clone());
    let can = i.can_manage;
    let profile_saved =
        move || matches!(profile.value().get(), Some(Ok(_))).then_some("Profile saved.");
    let profile_error = Signal::derive(move || {
        profile
            .value()
            .get()
            .and_then(Result::err)
            .map(|e| e.to_string())
    });
    view! {
        <Title text=format!("{} · Manage · Badgefolio", i.name) />
        <section class="manage">
            <h1>{i.name.clone()}</h1>
            <p class="meta">"Issuer profile: " <a href=format!("/issuers/{}", i.slug)>{format!("/issuers/{}", i.slug)}</a></p>
            {can.then(|| view! {
                <p><a href=format!("/manage/{}/awards", i.slug)>"Awards"</a> " · " <a href=format!("/manage/{}/transcripts", i.slug)>"Transcript notations"</a></p>
            })}
            <p><a class="button" href=format!("/manage/{}/review", i.slug) data-testid="review-queue-link">"Review queue"</a></p>

            <section class="card" aria-labelledby="programs-heading">
                <h2 id="programs-heading">"Programs"</h2>
                <ul class="link-list">
                    {i.programs.iter().map(|p| view! {
                        <li>
                            <a href=format!("/manage/{}/programs/{}", slug.get_value(), p.slug)>{p.name.clone()}</a>
                            <span class="meta">" · " {credit_line(p.credits, p.credit_bearing)} " · " {format!("{} badges · {} enrolled", p.badges.len(), p.enrolled)}</span>
                        </li>
                    }).collect_view()}
                </ul>
                {can.then(|| view! { <p><a class="button" href=format!("/manage/{}/programs/new", slug.get_value())>"New program"</a></p> })}
            </section>

            <section class="card" aria-labelledby="badges-heading">
                <h2 id="badges-heading">"Badges"</h2>
                <ul class="link-list">
                    {i.badges.iter().map(|b| {
                        let alt = format!("Badge image: {}", b.name);
                        view! {
                            <li>
                                <img src=b.image_url.clone() alt=alt width="32" height="32" />
                                " "
                                <a href=format!("/manage/{}/badges/{}", slug.get_value(), b.public_id)>{b.name.clone()}</a>
                                <span class="meta">" · " {b.achievement_type.clone()} " · version " {b.version}</span>
                            </li>
                        }
                    }).collect_view()}
                </ul>
                {can.then(|| view! { <p><a class="button" href=format!("/manage/{}/badges/new", slug.get_value())>"New badge"</a></p> })}
                {can.then(|| view! { <p><a href=format!("/manage/{}/bulk", slug.get_value())>"Award badges from a CSV file"</a></p> })}
            </section>

            <section class="card" aria-labelledby="staff-heading">
                <h2 id="staff-heading">"Staff"</h2>
                <table class="data-table">
                    <thead><tr><th scope="col">"Name"</th><th scope="col">"E-mail"</th><th scope="col">"Role"</th><th scope="col"><span class="visually-hidden">"Actions"</span></th></tr></thead>
                    <tbody>
                        {i.staff.iter().map(|s| {
                            let user = s.user_id.clone();
                            let invitation = s.invitation;
                            view! {
                                <tr>
                                    <td>{if s.pending { "(invited)".to_string() } else { s.name.clone() }}</td>
                                    <td>{s.email.clone()}</td>
                                    <td>{s.role.clone()}</td>
                                    <td>
                                        {(can && invitation.is_some()).then(|| view! {
                                            <ActionForm action=revoke attr:class="inline-form">
                                                <input type="hidden" name="institution" value=slug.get_value() />
                                                <input type="hidden" name="invitation" value=invitation.unwrap_or_default().to_string() />
                                                <button type="submit" class="link-button">"Withdraw invitation"</button>
                                            </ActionForm>
                                        })}
                                        {(can && user.is_some()).then(|| view! {
                                            <ActionForm action=remove attr:class="inline-form">
                                                <input type="hidden" name="institution" value=slug.get_value() />
                                                <input type="hidden" name="user" value=user.clone().unwrap_or_default() />
                                                <button type="submit" class="link-button">"Remove"</button>
                                            </ActionForm>
                                        })}
                                    </td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
                <FormError error=last_error(remove.value()) />
                <FormError error=last_error(revoke.value()) />
                {can.then(|| view! {
                    <h3>"Invite staff"</h3>
                    <ActionForm action=invite attr:class="stack-form" attr:novalidate="">
                        <input type="hidden" name="institution" value=slug.get_value() />
                        <label for="invite-email">"E-mail address"</label>
                        <input id="invite-email" name="email" type="email" required />
                        <label for="invite-role">"Role"</label>
                        <select id="invite-role" name="role">
                            <option value="reviewer">"Reviewer: reviews evidence"</option>
                            <option value="admin">"Admin: manages the profile, staff and catalog"</option>
                        </select>
                        <FormError error=last_error(invite.value()) />
                        <p role="status" class="form-success">{move || matches!(invite.value().get(), Some(Ok(()))).then_some("Invitation sent.")}</p>
                        <SubmitButton label="Send invitation" busy_label="Sending…" pending=invite.pending() />
                    </ActionForm>
                })}
            </section>

            <section class="card" aria-labelledby="comp-heading">
                <h2 id="comp-heading">"Competencies"</h2>
                <p>"Badges align to the 21st-century workforce competencies and to your own."</p>
                <ul class="tags">
                    {i.competencies.iter().map(|c| view! { <li><a href=c.url.clone()>{c.name.clone()}</a></li> }).collect_view()}
                </ul>
                {can.then(|| view! {
                    <h3>"Add a competency of your own"</h3>
                    <ActionForm action=add_competency attr:class="stack-form" attr:novalidate="">
                        <input type="hidden" name="institution" value=slug.get_value() />
                        <label for="comp-name">"Name"</label>
                        <input id="comp-name" name="name" required />
                        <label for="comp-description">"Description"</label>
                        <textarea id="comp-description" name="description" rows="2"></textarea>
                        <FormError error=last_error(add_competency.value()) />
                        <SubmitButton label="Add competency" busy_label="Adding…" pending=add_competency.pending() />
                    </ActionForm>
                })}
            </section>

            {can.then(|| view! {
                <section class="card" aria-labelledby="profile-heading">
                    <h2 id="profile-heading">"Profile"</h2>
                    {i.logo_url.clone().map(|src| view! { <img src=src alt="Current logo" width="96" height="96" /> })}
                    <UploadForm endpoint="save_profile" action=profile>
                        <input type="hidden" name="institution" value=slug.get_value() />
                        <label for="p-name">"Name"</label>
                        <input id="p-name" name="name" value=i.name.clone() required />
                        <label for="p-url">"Web site"</label>
                        <input id="p-url" name="url" type="url" value=i.url.clone() />
                        <label for="p-email">"Contact e-mail"</label>
                        <input id="p-email" name="email" type="email" value=i.email.clone() />
                        <label for="p-description">"Description"</label>
                        <textarea id="p-description" name="description" rows="3">{crate::components::form::textarea_text(i.description.clone())}</textarea>
                        <label for="p-linkedin">"LinkedIn organization id (optional)"</label>
                        <input id="p-linkedin" name="linkedin_org_id" inputmode="numeric" value=i.linkedin_org_id.clone() />
                        <label for="p-logo">"Logo (PNG or SVG, up to 1 MB)"</label>
                        <input id="p-logo" name="logo" type="file" accept="image/png,image/svg+xml" />
                        <FormError error=profile_error />
                        <p role="status" class="form-success">{profile_saved}</p>
                        <SubmitButton label="Save profile" busy_label="Saving…" pending=profile.pending() />
                    </UploadForm>
                </section>
            })}
        </section>
    }
}
