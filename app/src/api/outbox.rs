//! The outbox, for platform admins.

use leptos::prelude::*;

use crate::error::AppError;
use crate::model::Outbox;

/// Mails shown on the outbox page.
pub const OUTBOX_PAGE_SIZE: u64 = 100;

/// The most recent mails, newest first, with how mail is delivered.
#[server(endpoint = "list_outbox")]
pub async fn list_outbox() -> Result<Outbox, AppError> {
    use crate::model::OutboxMail;
    use crate::server::{ServerError, authz, authz::Action, mail, request};
    let run = async {
        let state = request::state()?;
        let actor = request::actor(&state).await?;
        if let Err(e) = authz::authorize(&actor, Action::AdministerPlatform) {
            // A page rendered on the server says so in its status too.
            request::set_status(
                http::StatusCode::from_u16(e.status()).unwrap_or(http::StatusCode::FORBIDDEN),
            );
            return Err(ServerError::User(e));
        }
        let rfc = |t: chrono::DateTime<chrono::Utc>| t.to_rfc3339();
        // With a mail server, links that carry a token (reset, confirmation, invitation)
        // went to their recipient only: the page does not show them to admins.
        let withhold_links = state.settings.mail.mode() == "smtp";
        let mails = mail::recent(&state.db, OUTBOX_PAGE_SIZE)
            .await?
            .into_iter()
            .map(|m| OutboxMail {
                id: m.id,
                recipient: m.recipient,
                subject: m.subject,
                body: if withhold_links {
                    mail::withhold_links(&m.body)
                } else {
                    m.body
                },
                status: m.status,
                attempts: m.attempts,
                last_error: m.last_error,
                created_at: rfc(m.created_at),
                next_attempt_at: rfc(m.next_attempt_at),
                sent_at: m.sent_at.map(rfc),
            })
            .collect();
        let mode = state.settings.mail.mode().to_string();
        Ok::<_, ServerError>(Outbox { mode, mails })
    };
    run.await.map_err(AppError::from)
}
