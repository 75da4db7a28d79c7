//! `/manage/{inst}/bulk`: award badges from a CSV file (upload, then a preview that
//! lists every invalid row), and `/manage/{inst}/bulk/{run}`: the preview, the progress
//! of a running award (refreshing itself, with or without JavaScript) and the final
//! report.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_params_map};

use crate::api::bulk::{BulkStart, bulk_preview, get_bulk_page, get_bulk_run};
use crate::components::form::{FormError, SubmitButton, last_error};
use crate::components::signed_in::SignedIn;
use crate::components::upload_form::{UploadAction, UploadForm};
use crate::model::bulk::{BulkPage, BulkRunView, COLUMNS, thousands};
use crate::pages::catalog::LoadError;

/// The upload page.
#[component]
pub fn BulkUploadPage() -> impl IntoView {
    let params = use_params_map();
    let upload: UploadAction = Action::new_local(|data: &leptos::web_sys::FormData| {
        let data = data.clone();
        async move { bulk_preview(data.into()).await }
    });
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(run)) = upload.value().get() {
            let inst = params.get_untracked().get("inst").unwrap_or_default();
            navigate(&format!("/manage/{inst}/bulk/{run}"), Default::default());
        }
    });
    let page = Resource::new(
        move || params.get().get("inst").unwrap_or_default(),
        get_bulk_page,
    );
    view! {
        <SignedIn children=move |_| view! {
            <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match page.await {
                        Err(e) => view! { <LoadError error=e /> }.into_any(),
                        Ok(p) => view! { <Upload p=p upload=upload /> }.into_any(),
                    }
                })}
            </Suspense>
        } />
    }
}

#[component]
fn Upload(p: BulkPage, upload: UploadAction) -> impl IntoView {
    let error = Signal::derive(move || {
        upload
            .value()
            .get()
            .and_then(Result::err)
            .map(|e| e.to_string())
    });
    let slug = p.institution.clone();
    view! {
        <Title text=format!("Bulk award · {} · Badgefolio", p.institution_name) />
        <section class="manage">
            <p class="meta"><a href=format!("/manage/{slug}")>{p.institution_name.clone()}</a></p>
            <h1>"Award badges from a file"</h1>
            <section class="card" aria-labelledby="upload-heading">
                <h2 id="upload-heading">"Upload a CSV file"</h2>
                <p>
                    "One row per award, below a header row naming the columns "
                    <code>"email"</code> " and " <code>"badge"</code>
                    " (the badge's exact name or its id), and optionally "
                    <code>"name"</code> " (the learner's name as you record it), "
                    <code>"evidence_url"</code> " (an https:// link) and "
                    <code>"narrative"</code> "."
                </p>
                <p class="hint">{format!("Columns: {}. Up to 5 MB and 50,000 rows. Nothing is awarded until you have checked the preview.", COLUMNS.join(", "))}</p>
                <UploadForm endpoint="bulk_preview" action=upload>
                    <input type="hidden" name="institution" value=p.institution.clone() />
                    <label for="bulk-file">"CSV file"</label>
                    <input id="bulk-file" name="file" type="file" accept=".csv,text/csv" required />
                    <FormError error=error />
                    <SubmitButton label="Check the file" busy_label="Checking…" pending=upload.pending() />
                </UploadForm>
            </section>
            <section class="card" aria-labelledby="runs-heading">
                <h2 id="runs-heading">"Earlier files"</h2>
                {if p.runs.is_empty() {
                    view! { <p>"No file uploaded yet."</p> }.into_any()
                } else {
                    view! {
                        <ul class="link-list">
                            {p.runs.iter().map(|r| view! {
                                <li>
                                    <a href=format!("/manage/{slug}/bulk/{}", r.public_id)>{r.file_name.clone()}</a>
                                    <span class="meta">{format!(" · {} rows · {} · {}", thousands(r.total), state_label(&r.state), r.created_at)}</span>
                                </li>
                            }).collect_view()}
                        </ul>
                    }.into_any()
                }}
            </section>
        </section>
    }
}

fn state_label(state: &str) -> &'static str {
    match state {
        "previewed" => "checked, not started",
        "running" => "awarding",
        _ => "finished",
    }
}

/// The run page: preview, progress, report.
#[component]
pub fn BulkRunPage() -> impl IntoView {
    let params = use_params_map();
    let start = ServerAction::<BulkStart>::new();
    let tick = RwSignal::new(0usize);
    let run = Resource::new(
        move || {
            let p = params.get();
            (
                p.get("inst").unwrap_or_default(),
                p.get("run").unwrap_or_default(),
                tick.get(),
                start.version().get(),
            )
        },
        |(inst, run, _, _)| get_bulk_run(inst, run),
    );
    // With JavaScript: ask again every second while the run is under way.
    Effect::new(move |_| {
        if let Ok(handle) = set_interval_with_handle(
            move || {
                let running = run
                    .get_untracked()
                    .and_then(Result::ok)
                    .is_some_and(|r| r.state == "running");
                if running {
                    tick.update(|t| *t += 1);
                }
            },
            std::time::Duration::from_secs(1),
        ) {
            on_cleanup(move || handle.clear());
        }
    });
    view! {
        <SignedIn children=move |_| view! {
            <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match run.await {
                        Err(e) => view! { <LoadError error=e /> }.into_any(),
                        Ok(r) => view! { <Run r=r start=start /> }.into_any(),
                    }
                })}
            </Transition>
        } />
    }
}

#[component]
fn Run(r: BulkRunView, start: ServerAction<BulkStart>) -> impl IntoView {
    let slug = r.institution.clone();
    let heading = match r.state.as_str() {
        "previewed" => "Check the file",
        "running" => "Awarding badges…",
        _ => "Bulk award report",
    };
    let body = match r.state.as_str() {
        "previewed" => view! { <Preview r=r.clone() start=start /> }.into_any(),
        "running" => view! { <Progress r=r.clone() /> }.into_any(),
        _ => view! { <Report r=r.clone() /> }.into_any(),
    };
    view! {
        <Title text=format!("{heading} · {} · Badgefolio", r.institution_name) />
        <section class="manage">
            <p class="meta">
                <a href=format!("/manage/{slug}")>{r.institution_name.clone()}</a>
                " · "
                <a href=format!("/manage/{slug}/bulk")>"Bulk awards"</a>
            </p>
            <h1>{heading}</h1>
            <p class="meta">{format!("{} · {} rows", r.file_name, thousands(r.total))}</p>
            {body}
        </section>
    }
}

#[component]
fn Preview(r: BulkRunView, start: ServerAction<BulkStart>) -> impl IntoView {
    let n = r.pending;
    let inst = r.institution.clone();
    let run = r.public_id.clone();
    view! {
        <section class="card" aria-labelledby="summary-heading">
            <h2 id="summary-heading">"Summary"</h2>
            <ul class="counts" data-testid="bulk-counts">
                <li>{format!("{} valid: will be awarded", thousands(r.pending))}</li>
                <li>{format!("{} invalid: will not be awarded (see below)", thousands(r.invalid))}</li>
                <li>{format!("{} duplicates: will be skipped", thousands(r.duplicate))}</li>
            </ul>
            {if n > 0 {
                view! {
                    <ActionForm action=start attr:class="stack-form">
                        <input type="hidden" name="institution" value=inst.clone() />
                        <input type="hidden" name="run" value=run.clone() />
                        <FormError error=last_error(start.value()) />
                        <button type="submit" class="button" data-testid="bulk-start" disabled=move || start.pending().get()>
                            {if n == 1 { "Award 1 badge".to_string() } else { format!("Award {} badges", thousands(n)) }}
                        </button>
                        <p class="hint">"Each badge is signed and stored on its own; invalid and duplicate rows are left out."</p>
                    </ActionForm>
                }.into_any()
            } else {
                view! { <p>"No row can be awarded. Correct the file and upload it again."</p> }.into_any()
            }}
        </section>
        <Problems r=r />
    }
}

#[component]
fn Progress(r: BulkRunView) -> impl IntoView {
    let done = r.processed();
    let of = r.to_run();
    let text = format!("{} of {}", thousands(done), thousands(of));
    view! {
        // Without JavaScript the page reloads itself every two seconds (inside
        // <noscript>, browsers that run scripts ignore it; the page polls instead).
        <noscript inner_html=r#"<meta http-equiv="refresh" content="2">"# />
        <section class="card" aria-labelledby="progress-heading">
            <h2 id="progress-heading">"Progress"</h2>
            <label for="bulk-progress">"Rows processed"</label>
            <progress id="bulk-progress" max=of.to_string() value=done.to_string()>{text.clone()}</progress>
            <p role="status" data-testid="bulk-progress-text">{text}</p>
            <p class="hint">
                "You may leave this page: the award goes on, and resumes by itself after a restart. "
                <a href="" rel="external">"Reload"</a>
            </p>
        </section>
    }
}

#[component]
fn Report(r: BulkRunView) -> impl IntoView {
    let csv = format!("/manage/{}/bulk/{}/report.csv", r.institution, r.public_id);
    view! {
        <section class="card" aria-labelledby="report-heading">
            <h2 id="report-heading">"Report"</h2>
            <ul class="counts" data-testid="bulk-report">
                <li>{format!("{} awarded", thousands(r.awarded))}</li>
                <li>{format!("{} skipped as duplicates", thousands(r.duplicate))}</li>
                <li>{format!("{} failed", thousands(r.failed))}</li>
                <li>{format!("{} invalid, not awarded", thousands(r.invalid))}</li>
            </ul>
            {r.finished_at.clone().map(|t| view! { <p class="meta">{format!("Finished {t}")}</p> })}
            <p><a class="button" href=csv rel="external" download="">"Download the report (CSV)"</a></p>
        </section>
        <Problems r=r />
    }
}

/// The invalid, duplicate and failed rows, with their reasons.
#[component]
fn Problems(r: BulkRunView) -> impl IntoView {
    if r.problems.is_empty() {
        return view! { <p>"Every row is fine."</p> }.into_any();
    }
    view! {
        <section class="card" aria-labelledby="problems-heading">
            <h2 id="problems-heading">"Rows left out"</h2>
            <table class="data-table" data-testid="bulk-problems">
                <thead>
                    <tr>
                        <th scope="col">"Line"</th>
                        <th scope="col">"E-mail"</th>
                        <th scope="col">"Badge"</th>
                        <th scope="col">"Outcome"</th>
                        <th scope="col">"Reason"</th>
                    </tr>
                </thead>
                <tbody>
                    {r.problems.iter().map(|p| view! {
                        <tr>
                            <td>{p.line}</td>
                            <td>{p.email.clone()}</td>
                            <td>{p.badge.clone()}</td>
                            <td>{p.state.clone()}</td>
                            <td>{p.message.clone()}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
            {r.problems_truncated.then(|| view! { <p class="hint">"Only the first 500 are listed: download the report for all."</p> })}
        </section>
    }
    .into_any()
}
