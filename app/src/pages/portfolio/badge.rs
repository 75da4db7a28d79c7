//! `/portfolio/badges/{award}`: one of the learner's badges in full, with the
//! verification report run on view and the choice to show it on the public profile.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use super::MarkLabel;
use crate::api::import::DeleteImport;
use crate::api::portfolio::{SetBadgeVisibility, portfolio_badge};
use crate::components::form::{FormError, SubmitButton, last_error};
use crate::components::signed_in::SignedIn;
use crate::model::portfolio::{BadgeDetail, Verification};
use crate::pages::catalog::LoadError;

/// The badge page.
#[component]
pub fn PortfolioBadgePage() -> impl IntoView {
    let params = use_params_map();
    let toggle = ServerAction::<SetBadgeVisibility>::new();
    let detail = Resource::new_blocking(
        move || {
            (
                params.get().get("award").unwrap_or_default(),
                toggle.version().get(),
            )
        },
        |(award, _)| portfolio_badge(award),
    );
    view! {
        <SignedIn children=move |_| view! {
            <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match detail.await {
                        Err(e) => view! { <Title text="Badge · Badgefolio" /> <LoadError error=e /> }.into_any(),
                        Ok(d) => view! { <Detail d=d toggle=toggle /> }.into_any(),
                    }
                })}
            </Transition>
        } />
    }
}

#[component]
fn Detail(d: BadgeDetail, toggle: ServerAction<SetBadgeVisibility>) -> impl IntoView {
    let alt = format!("Badge image: {}", d.name);
    let share_award = d.public_id.clone();
    let delete = ServerAction::<DeleteImport>::new();
    let import_id = d.public_id.clone();
    let award = d.public_id.clone();
    view! {
        <Title text=format!("{} · My portfolio · Badgefolio", d.name) />
        <article class="portfolio badge-detail" data-testid="badge-detail">
            <p class="meta"><a href="/portfolio">"← My portfolio"</a></p>
            <header class="badge-detail-head">
                {(!d.image_url.is_empty()).then(|| view! { <img src=d.image_url.clone() alt=alt width="160" height="160" /> })}
                <div>
                    <h1>{d.name.clone()}</h1>
                    <p class="lead">
                        {match d.issuer_url.clone() {
                            Some(u) => view! { <a href=u rel="external">{d.issuer.clone()}</a> }.into_any(),
                            None => view! { <span>{d.issuer.clone()}</span> }.into_any(),
                        }}
                    </p>
                    {d.imported.then(|| view! { <p class="meta tag-imported" data-testid="imported">"Imported"</p> })}
                    <p><MarkLabel mark=d.verification.mark testid="badge-mark" /></p>
                    <dl class="facts">
                        <dt>"Earned"</dt><dd><time datetime=d.awarded_at.clone()>{d.awarded_at.clone()}</time></dd>
                        <dt>"Expires"</dt><dd>{d.expires_at.clone().unwrap_or_else(|| "Never".into())}</dd>
                        {(d.credits > 0).then(|| view! { <dt>"Credits"</dt><dd>{d.credits.to_string()}</dd> })}
                        {d.program.clone().map(|p| view! { <dt>"Program credential"</dt><dd>{p}</dd> })}
                    </dl>
                </div>
            </header>
            <section class="card" aria-labelledby="visibility-heading">
                <h2 id="visibility-heading">"Who can see it"</h2>
                <p data-testid="visibility">
                    {if d.is_public {
                        "Public: it is on your public profile."
                    } else {
                        "Private: only you see it."
                    }}
                    {d.profile_url.clone().map(|u| view! { " " <a href=u.clone()>"View your public profile"</a> })}
                </p>
                {d.profile_url.is_none().then(|| view! {
                    <p class="hint">"You have no public profile yet: " <a href="/settings#public-profile">"choose a handle"</a> " first to share it there."</p>
                })}
                <ActionForm action=toggle attr:class="inline-form">
                    <input type="hidden" name="award" value=d.public_id.clone() />
                    <input type="hidden" name="public" value=if d.is_public { "no" } else { "yes" } />
                    <SubmitButton
                        label=if d.is_public { "Hide from my public profile" } else { "Show on my public profile" }
                        busy_label="Saving…"
                        pending=toggle.pending()
                    />
                    <FormError error=last_error(toggle.value()) />
                </ActionForm>
            </section>
            <super::share::ShareSection award=share_award toggle=toggle />
            <VerificationReport v=d.verification.clone() />
            <section class="card" aria-labelledby="about-heading">
                <h2 id="about-heading">"About this badge"</h2>
                <p class="prose">{d.description.clone()}</p>
                <h3>"Criteria"</h3>
                <p class="prose">{d.criteria.clone()}</p>
                {(!d.alignments.is_empty()).then(|| view! {
                    <h3>"Competencies"</h3>
                    <ul class="link-list" data-testid="alignments">
                        {d.alignments.clone().into_iter().map(|(name, url)| view! { <li><a href=url>{name}</a></li> }).collect_view()}
                    </ul>
                })}
            </section>
            <section class="card" aria-labelledby="evidence-heading">
                <h2 id="evidence-heading">"Evidence in the credential"</h2>
                {(d.narrative.is_none() && d.evidence.is_empty() && d.rubric.is_empty()).then(|| view! {
                    <p>"This credential embeds no evidence."</p>
                })}
                {d.narrative.clone().map(|n| view! { <h3>"Narrative"</h3> <p class="prose" data-testid="narrative">{n}</p> })}
                {(!d.evidence.is_empty()).then(|| view! {
                    <h3>"Links and files"</h3>
                    <ul class="link-list" data-testid="evidence">
                        {d.evidence.clone().into_iter().map(|e| view! {
                            <li>
                                {match e.url {
                                    Some(u) => view! { <a href=u rel="external nofollow">{e.name}</a> }.into_any(),
                                    None => view! { <span>{e.name}</span> }.into_any(),
                                }}
                                {e.description.map(|x| view! { <span class="meta">" · " {x}</span> })}
                            </li>
                        }).collect_view()}
                    </ul>
                })}
                {(!d.rubric.is_empty()).then(|| view! {
                    <h3>"Rubric result"</h3>
                    <table class="data-table" data-testid="rubric">
                        <thead><tr><th scope="col">"Criterion"</th><th scope="col">"Level"</th></tr></thead>
                        <tbody>
                            {d.rubric.clone().into_iter().map(|r| view! { <tr><th scope="row">{r.criterion}</th><td>{r.level}</td></tr> }).collect_view()}
                        </tbody>
                    </table>
                })}
            </section>
            {if d.imported {
                view! {
                    <section class="card" aria-labelledby="import-heading">
                        <h2 id="import-heading">"Imported badge"</h2>
                        <p>"You imported this badge; we keep it exactly as you gave it and check it again each time this page opens."</p>
                        <ActionForm action=delete attr:class="inline-form">
                            <input type="hidden" name="badge" value=import_id.clone() />
                            <SubmitButton label="Delete this imported badge" busy_label="Deleting…" pending=delete.pending() />
                            <FormError error=last_error(delete.value()) />
                        </ActionForm>
                    </section>
                }
                    .into_any()
            } else {
                view! { <p><a href=d.download_url.clone() download="" rel="external">"Download credential (JSON)"</a></p> }
                    .into_any()
            }}
            // Endorsements are asked for on badges issued here (an import's issuer is elsewhere).
            {(!d.imported).then(|| view! { <super::endorsements::Endorsements award=award.clone() /> })}
            <super::collections::AddToCollection badge=if d.imported { format!("i:{award}") } else { format!("a:{award}") } />
        </article>
    }
}

/// The report: the mark, the two answers (authentic? in good standing?), the reason
/// when not fine, the checks folded away.
#[component]
fn VerificationReport(v: Verification) -> impl IntoView {
    let authentic = match v.verdict.as_str() {
        "verified" => "Yes: the signature checks out with a key the issuer lists.",
        "not_verified" => "No: a check failed.",
        _ => "Could not be checked.",
    };
    let standing = match v.standing.as_str() {
        "active" => "Active",
        "revoked" => "Revoked by the issuer",
        "suspended" => "Suspended by the issuer",
        "expired" => "Expired",
        "not_yet_valid" => "Not yet valid",
        _ => "Unknown",
    };
    view! {
        <section class="card" aria-labelledby="verification-heading" data-testid="verification">
            <h2 id="verification-heading">"Verification"</h2>
            <p class="verification-mark"><MarkLabel mark=v.mark testid="verification-mark" /></p>
            <dl class="facts">
                <dt>"Authentic"</dt><dd data-testid="verdict" data-verdict=v.verdict.clone()>{authentic}</dd>
                <dt>"Standing"</dt><dd data-testid="standing" data-standing=v.standing.clone()>{standing}</dd>
                {v.signer.clone().map(|s| view! { <dt>"Signed by"</dt><dd>{s}</dd> })}
            </dl>
            {v.reason.clone().map(|r| view! { <p role="note" data-testid="verification-reason">{r}</p> })}
            {(!v.checks.is_empty()).then(|| view! {
                <details>
                    <summary>"Technical detail"</summary>
                    <ul class="checks">
                        {v.checks.clone().into_iter().map(|c| view! {
                            <li data-check=c.id.clone() data-outcome=c.outcome.clone()>
                                <strong>{c.id.clone()}</strong> " · " {c.outcome.clone()} " · " {c.message}
                            </li>
                        }).collect_view()}
                    </ul>
                </details>
            })}
        </section>
    }
}
