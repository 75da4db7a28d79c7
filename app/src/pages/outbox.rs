//! The outbox, for platform admins: every recent mail with its status, attempts, last
//! error and text (without a mail server, this is where mail can be read).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use crate::api::outbox::list_outbox;
use crate::error::AppError;
use crate::model::OutboxMail;

fn mail_card(mail: OutboxMail) -> impl IntoView {
    let heading_id = format!("mail-{}", mail.id);
    let labelled_by = heading_id.clone();
    let status = mail.status.clone();
    view! {
        <article class="card mail" data-testid="mail" data-status=status aria-labelledby=labelled_by>
            <h2 id=heading_id>{mail.subject}</h2>
            <dl class="facts">
                <dt>"To"</dt>
                <dd data-testid="mail-to">{mail.recipient}</dd>
                <dt>"Status"</dt>
                <dd data-testid="mail-status">{mail.status}</dd>
                <dt>"Attempts"</dt>
                <dd>{mail.attempts}</dd>
                <dt>"Queued"</dt>
                <dd>{mail.created_at}</dd>
                {mail.sent_at.map(|t| view! { <dt>"Sent"</dt><dd>{t}</dd> })}
                {mail.last_error.map(|e| view! { <dt>"Last error"</dt><dd data-testid="mail-error">{e}</dd> })}
            </dl>
            <pre class="mail-body" data-testid="mail-body">{mail.body}</pre>
        </article>
    }
}

/// `/admin/outbox`.
#[component]
pub fn OutboxPage() -> impl IntoView {
    // Blocking: a refusal is known before the first byte, so the page answers 401/403.
    let outbox = Resource::new_blocking(|| (), |()| list_outbox());
    view! {
        <Title text="Outbox · Badgefolio" />
        <section class="outbox">
            <h1>"Outbox"</h1>
            <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match outbox.await {
                        Ok(o) => {
                            let mode = if o.mode == "smtp" {
                                "Mail is delivered through the configured SMTP server."
                            } else {
                                "No mail server is configured (BADGEFOLIO_SMTP_URL): mails are written to the server log and shown here."
                            };
                            let empty = o.mails.is_empty();
                            view! {
                                <p class="lead" data-testid="mail-mode">{mode}</p>
                                {empty.then(|| view! { <p class="card empty-state">"No mail yet."</p> })}
                                <div class="mail-list">
                                    {o.mails.into_iter().map(mail_card).collect_view()}
                                </div>
                            }
                                .into_any()
                        }
                        Err(AppError::Unauthenticated) => {
                            view! {
                                <div class="card narrow">
                                    <h2>"Please sign in"</h2>
                                    <p>"The outbox is for platform administrators."</p>
                                    <p>
                                        <A href="/signin" attr:class="button">"Sign in"</A>
                                    </p>
                                </div>
                            }
                                .into_any()
                        }
                        Err(e) => view! { <p role="alert" class="form-error">{e.to_string()}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}
