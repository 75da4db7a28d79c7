//! `/manage/{inst}/awards`: the institution's awards for its admins, filtered by badge,
//! program or address; each active award can be revoked (with a reason; for a badge
//! that stacks into a program credential the learner holds, the form asks whether that
//! goes too) or re-issued (a corrected credential replacing the old one).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::api::awards::{ReissueAward, RevokeAward, institution_awards};
use crate::components::form::{FormError, SubmitButton, last_error};
use crate::components::signed_in::SignedIn;
use crate::model::awards::{AwardRow, AwardsAdmin, AwardsFilter, STATUS_ACTIVE, STATUS_EXPIRED};
use crate::pages::catalog::LoadError;

/// The awards page.
#[component]
pub fn AwardsPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let revoke = ServerAction::<RevokeAward>::new();
    let reissue = ServerAction::<ReissueAward>::new();
    let filter = Memo::new(move |_| {
        let q = query.get();
        AwardsFilter {
            badge: q.get("badge").unwrap_or_default(),
            program: q.get("program").unwrap_or_default(),
            q: q.get("q").unwrap_or_default(),
        }
    });
    let awards = Resource::new(
        move || {
            (
                params.get().get("inst").unwrap_or_default(),
                filter.get(),
                revoke.version().get() + reissue.version().get(),
            )
        },
        |(inst, f, _)| institution_awards(inst, f),
    );
    view! {
        <SignedIn children=move |_| view! {
            <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match awards.await {
                        Err(e) => view! { <LoadError error=e /> }.into_any(),
                        Ok(a) => view! { <Screen a=a filter=filter.get_untracked() revoke=revoke reissue=reissue /> }.into_any(),
                    }
                })}
            </Suspense>
        } />
    }
}

#[component]
fn Screen(
    a: AwardsAdmin,
    filter: AwardsFilter,
    revoke: ServerAction<RevokeAward>,
    reissue: ServerAction<ReissueAward>,
) -> impl IntoView {
    let slug = StoredValue::new(a.slug.clone());
    let count = a.awards.len();
    view! {
        <Title text=format!("Awards · {} · Badgefolio", a.institution) />
        <section class="manage">
            <p class="meta"><a href=format!("/manage/{}", a.slug)>{a.institution.clone()}</a></p>
            <h1>"Awards"</h1>
            <p><a href=format!("/manage/{}/transcripts", a.slug)>"Transcript notations"</a></p>
            <form method="get" action=format!("/manage/{}/awards", a.slug) class="filters" role="search" aria-label="Filter awards">
                <div>
                    <label for="f-badge">"Badge"</label>
                    <select id="f-badge" name="badge">
                        <option value="">"Any"</option>
                        {a.badges.iter().map(|o| {
                            let selected = o.value == filter.badge;
                            view! { <option value=o.value.clone() selected=selected>{o.label.clone()}</option> }
                        }).collect_view()}
                    </select>
                </div>
                <div>
                    <label for="f-program">"Program"</label>
                    <select id="f-program" name="program">
                        <option value="">"Any"</option>
                        {a.programs.iter().map(|o| {
                            let selected = o.value == filter.program;
                            view! { <option value=o.value.clone() selected=selected>{o.label.clone()}</option> }
                        }).collect_view()}
                    </select>
                </div>
                <div>
                    <label for="f-q">"E-mail"</label>
                    <input id="f-q" name="q" type="search" value=filter.q.clone() placeholder="Part of an address" />
                </div>
                <button type="submit" class="button">"Show awards"</button>
            </form>
            <p role="status" data-testid="award-count">
                {match count { 0 => "No award matches.".to_string(), 1 => "1 award".to_string(), n => format!("{n} awards") }}
                {a.truncated.then_some(" (the newest shown; narrow the filter to see others)")}
            </p>
            <FormError error=last_error(revoke.value()) />
            <FormError error=last_error(reissue.value()) />
            <p role="status" class="form-success">
                {move || match revoke.value().get() {
                    Some(Ok(1)) => Some("Revoked.".to_string()),
                    Some(Ok(n)) => Some(format!("Revoked {n} credentials.")),
                    _ => None,
                }}
                {move || matches!(reissue.value().get(), Some(Ok(_))).then_some("Re-issued: the learner now holds the corrected credential.")}
            </p>
            {(count > 0).then(|| view! {
                <table class="data-table" data-testid="awards">
                    <thead><tr>
                        <th scope="col">"Badge"</th>
                        <th scope="col">"Recipient"</th>
                        <th scope="col">"Awarded"</th>
                        <th scope="col">"Status"</th>
                        <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                    </tr></thead>
                    <tbody>
                        {a.awards.into_iter().map(|row| view! { <Row row=row slug=slug.get_value() revoke=revoke reissue=reissue /> }).collect_view()}
                    </tbody>
                </table>
            })}
        </section>
    }
}

/// The status as words.
pub fn status_label(status: &str, reason: Option<&str>) -> String {
    match (status, reason) {
        ("revoked", Some(r)) => format!("Revoked: {r}"),
        ("revoked", None) => "Revoked".into(),
        ("replaced", _) => "Replaced by a re-issued credential".into(),
        ("expired", _) => "Expired".into(),
        _ => "Active".into(),
    }
}

#[component]
fn Row(
    row: AwardRow,
    slug: String,
    revoke: ServerAction<RevokeAward>,
    reissue: ServerAction<ReissueAward>,
) -> impl IntoView {
    let id = row.public_id.clone();
    let award = StoredValue::new(row.public_id.clone());
    let slug = StoredValue::new(slug);
    let open = row.status == STATUS_ACTIVE || row.status == STATUS_EXPIRED;
    let what = match &row.program {
        Some(p) => format!("{} (program credential: {p})", row.badge_name),
        None => row.badge_name.clone(),
    };
    let deps = row.dependents.clone();
    let dep_names = deps
        .iter()
        .map(|d| d.program.clone())
        .collect::<Vec<_>>()
        .join(", ");
    let with_notation = deps.iter().any(|d| d.credit_bearing);
    view! {
        <tr data-testid="award-row" data-award=award.get_value()>
            <td>{what}</td>
            <td>
                {row.recipient_name.clone()} <br />
                <span class="meta">{row.recipient_email.clone()}</span>
                {row.pending.then_some(view! { <span class="meta">" (not yet claimed)"</span> })}
            </td>
            <td>{row.awarded_at.clone()}</td>
            <td data-testid="award-status">{status_label(&row.status, row.revocation_reason.as_deref())}</td>
            <td>
                {open.then(|| {
                    let rid = format!("reason-{id}");
                    let nid = format!("name-{id}");
                    let tid = format!("note-{id}");
                    view! {
                        <details>
                            <summary>"Revoke…"</summary>
                            <ActionForm action=revoke attr:class="stack-form">
                                <input type="hidden" name="institution" value=slug.get_value() />
                                <input type="hidden" name="award" value=award.get_value() />
                                <label for=rid.clone()>"Reason (the learner sees it)"</label>
                                <textarea id=rid name="reason" rows="2" required maxlength="500"></textarea>
                                {(!deps.is_empty()).then(|| view! {
                                    <fieldset>
                                        <legend>
                                            {format!("This badge is part of the program credential the learner holds: {dep_names}. Revoke that too{}?", if with_notation { ", with its transcript notation" } else { "" })}
                                        </legend>
                                        <label><input type="radio" name="also_programs" value="yes" required />" Yes, revoke the program credential too"</label>
                                        <label><input type="radio" name="also_programs" value="no" />" No, only this badge"</label>
                                    </fieldset>
                                })}
                                <SubmitButton label="Revoke" busy_label="Revoking…" pending=revoke.pending() />
                            </ActionForm>
                        </details>
                        <details>
                            <summary>"Re-issue…"</summary>
                            <ActionForm action=reissue attr:class="stack-form">
                                <input type="hidden" name="institution" value=slug.get_value() />
                                <input type="hidden" name="award" value=award.get_value() />
                                <label for=nid.clone()>"Recipient's name (empty: as in their account now)"</label>
                                <input id=nid name="name" value="" maxlength="200" />
                                <label for=tid.clone()>"What it corrects"</label>
                                <textarea id=tid name="note" rows="2" required maxlength="500"></textarea>
                                <SubmitButton label="Re-issue" busy_label="Re-issuing…" pending=reissue.pending() />
                            </ActionForm>
                        </details>
                    }
                })}
            </td>
        </tr>
    }
}
