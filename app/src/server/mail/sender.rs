//! Where mail goes: an SMTP server (`BADGEFOLIO_SMTP_URL`), or the log.

use std::time::Duration;

use lettre::{
    AsyncSmtpTransport, AsyncTransport as _, Message, Tokio1Executor,
    message::{Mailbox, header::ContentType},
};

use crate::server::entities::outbox;

/// How long one SMTP delivery may take (connect, greet, send) before it counts as failed.
pub const SMTP_TIMEOUT: Duration = Duration::from_secs(20);

/// How mail is delivered, as configured.
#[derive(Clone, PartialEq, Eq)]
pub struct MailSettings {
    /// `smtp://`, `smtp://…?tls=required` or `smtps://` URL (may hold a password);
    /// `None`: mail is written to the log.
    pub smtp_url: Option<String>,
    /// The `From` of every mail, e.g. `Badgefolio <noreply@badges.example.edu>`.
    pub from: String,
}

impl std::fmt::Debug for MailSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MailSettings")
            .field("smtp_url", &self.smtp_url.as_ref().map(|_| "[redacted]"))
            .field("from", &self.from)
            .finish()
    }
}

impl MailSettings {
    /// `"smtp"` when an SMTP URL is set, else `"log"`.
    pub fn mode(&self) -> &'static str {
        if self
            .smtp_url
            .as_deref()
            .is_some_and(|u| !u.trim().is_empty())
        {
            "smtp"
        } else {
            "log"
        }
    }

    /// Log mode, with a `From` address at the public URL's host.
    pub fn log_only(public_url: &str) -> Self {
        Self {
            smtp_url: None,
            from: default_from(public_url),
        }
    }
}

/// `Badgefolio <noreply@HOST>` for the public URL's host (`localhost` when the host is
/// an IP address).
pub fn default_from(public_url: &str) -> String {
    let host = public_url
        .split_once("://")
        .map_or(public_url, |(_, rest)| rest)
        .split(['/', ':'])
        .next()
        .unwrap_or_default();
    let is_name = !host.is_empty()
        && host.contains('.')
        && host.parse::<std::net::IpAddr>().is_err()
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.');
    let host = if is_name { host } else { "localhost" };
    format!("Badgefolio <noreply@{host}>")
}

/// Why the mail settings cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum MailConfigError {
    #[error("BADGEFOLIO_SMTP_URL is not a usable SMTP URL: {0}")]
    SmtpUrl(String),
    #[error(
        "BADGEFOLIO_MAIL_FROM is not a usable address ({0}); write e.g. `Badgefolio <noreply@example.edu>`"
    )]
    From(String),
}

/// Delivers mails.
#[derive(Clone)]
pub enum Sender {
    /// No mail server: each mail is written to the log (and stays on the outbox page).
    Log,
    /// An SMTP server.
    Smtp(Box<SmtpSender>),
}

/// An SMTP transport and the sender address it writes.
#[derive(Clone)]
pub struct SmtpSender {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl std::fmt::Debug for Sender {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.mode())
    }
}

impl Sender {
    /// The sender the settings describe.
    ///
    /// # Errors
    /// A malformed SMTP URL or `From` address.
    pub fn from_settings(settings: &MailSettings) -> Result<Self, MailConfigError> {
        let Some(url) = settings
            .smtp_url
            .as_deref()
            .filter(|u| !u.trim().is_empty())
        else {
            return Ok(Self::Log);
        };
        let from: Mailbox = settings
            .from
            .parse()
            .map_err(|e: lettre::address::AddressError| MailConfigError::From(e.to_string()))?;
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url.trim())
            // The error may quote the URL (and its password): say only what kind it is.
            .map_err(|e| {
                MailConfigError::SmtpUrl(if e.is_client() {
                    "unsupported scheme or tls mode (use smtp://, smtp://…?tls=required or smtps://)".into()
                } else {
                    "malformed URL".into()
                })
            })?
            .timeout(Some(SMTP_TIMEOUT))
            .build();
        Ok(Self::Smtp(Box::new(SmtpSender { transport, from })))
    }

    /// `"smtp"` or `"log"`.
    pub fn mode(&self) -> &'static str {
        match self {
            Self::Log => "log",
            Self::Smtp(_) => "smtp",
        }
    }

    /// Delivers one mail.
    ///
    /// # Errors
    /// Why it could not be delivered, as text for the outbox's `last_error`.
    pub async fn send(&self, mail: &outbox::Model) -> Result<(), String> {
        match self {
            Self::Log => {
                tracing::info!(
                    mail_id = mail.id,
                    to = %mail.recipient,
                    subject = %mail.subject,
                    body = %mail.body,
                    "mail (no SMTP server configured: written to the log)"
                );
                Ok(())
            }
            Self::Smtp(smtp) => {
                let SmtpSender { transport, from } = smtp.as_ref();
                let to: Mailbox = mail
                    .recipient
                    .parse()
                    .map_err(|e| format!("recipient: {e}"))?;
                let message = Message::builder()
                    .from(from.clone())
                    .to(to)
                    .subject(mail.subject.clone())
                    .header(ContentType::TEXT_PLAIN)
                    .body(mail.body.clone())
                    .map_err(|e| format!("building the message: {e}"))?;
                transport
                    .send(message)
                    .await
                    .map(|_| ())
                    .map_err(|e| format!("SMTP: {e}"))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_from_uses_the_public_host() {
        assert_eq!(
            default_from("https://badges.example.edu/x"),
            "Badgefolio <noreply@badges.example.edu>"
        );
        assert_eq!(
            default_from("http://127.0.0.1:3000"),
            "Badgefolio <noreply@localhost>"
        );
    }

    #[test]
    fn settings_pick_the_mode_and_never_show_the_password() {
        let log = MailSettings::log_only("http://127.0.0.1:3000");
        assert_eq!(Sender::from_settings(&log).expect("log").mode(), "log");
        let smtp = MailSettings {
            smtp_url: Some("smtp://user:s3cret@127.0.0.1:2525".into()),
            from: "Badgefolio <noreply@example.edu>".into(),
        };
        assert_eq!(Sender::from_settings(&smtp).expect("smtp").mode(), "smtp");
        assert!(!format!("{smtp:?}").contains("s3cret"));
        let bad = MailSettings {
            smtp_url: Some("ftp://user:s3cret@host".into()),
            ..smtp.clone()
        };
        let err = Sender::from_settings(&bad)
            .expect_err("bad scheme")
            .to_string();
        assert!(!err.contains("s3cret"), "{err}");
        let bad_from = MailSettings {
            from: "not an address".into(),
            ..smtp
        };
        assert!(Sender::from_settings(&bad_from).is_err());
    }
}
