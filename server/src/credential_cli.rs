//! `badgefolio credential verify|sign|revoke` and `badgefolio institution …`: the Open
//! Badges core for operators and scripts, against the configured database like the
//! server.

use std::path::Path;

use anyhow::{Context as _, bail};
use app::server::{
    ServerError, Settings,
    issuing::{self, NewInstitution},
    verification,
};
use openbadges::verify::{Outcome, Report, Standing, Verdict};
use sea_orm::DatabaseConnection;
use serde_json::Value;

use crate::config::{CredentialCommand, InstitutionCommand};

/// Largest file read.
const MAX_FILE_BYTES: u64 = openbadges::input::MAX_INPUT_BYTES as u64;

/// Exit status of `credential verify`, as `--help` lists them.
pub mod exit {
    /// Verified and active.
    pub const GOOD: i32 = 0;
    /// Not verified: a check failed.
    pub const NOT_VERIFIED: i32 = 1;
    /// Could not be verified, or its standing is unknown.
    pub const UNVERIFIABLE: i32 = 2;
    /// Verified, but expired, not yet valid, revoked or suspended.
    pub const NOT_IN_GOOD_STANDING: i32 = 3;
    /// The input could not be read.
    pub const UNREADABLE: i32 = 4;
}

/// The exit status for a report.
pub fn exit_code(report: &Report) -> i32 {
    match (report.verdict, report.standing) {
        (Verdict::NotVerified, _) => exit::NOT_VERIFIED,
        (Verdict::Unverifiable, _) | (Verdict::Verified, Standing::Unknown) => exit::UNVERIFIABLE,
        (Verdict::Verified, Standing::Active) => exit::GOOD,
        (Verdict::Verified, _) => exit::NOT_IN_GOOD_STANDING,
    }
}

/// Turns a user-facing error into a plain message, keeping server faults as errors.
fn user_message<T>(result: Result<T, ServerError>) -> anyhow::Result<T> {
    match result {
        Ok(v) => Ok(v),
        Err(ServerError::User(e)) => bail!("{e}"),
        Err(e) => Err(e.into()),
    }
}

/// Runs a credential command; returns the process exit code.
///
/// # Errors
/// Database errors, invalid input for `sign`.
pub async fn run(
    db: &DatabaseConnection,
    settings: &Settings,
    cmd: CredentialCommand,
) -> anyhow::Result<i32> {
    match cmd {
        CredentialCommand::Verify {
            file,
            json,
            recipient,
        } => {
            let read = read_limited(&file)
                .map_err(|e| format!("{e:#}"))
                .map(|bytes| async move {
                    verification::verify_bytes(db, settings, bytes, recipient).await
                });
            let outcome = match read {
                Ok(fut) => match fut.await {
                    Ok(result) => result.map_err(|e| e.to_string()),
                    // Our own failure is no verdict on the badge: it could not be verified.
                    Err(e) => {
                        eprintln!("error: verification could not be completed: {e}");
                        return Ok(exit::UNVERIFIABLE);
                    }
                },
                Err(e) => Err(e),
            };
            let report = match outcome {
                Ok(r) => r,
                Err(message) => {
                    if json {
                        println!("{}", serde_json::json!({"error": message}));
                    } else {
                        println!("✘ Unreadable: {message}");
                    }
                    return Ok(exit::UNREADABLE);
                }
            };
            if json {
                println!("{}", serde_json::to_string_pretty(&report)?);
            } else {
                print!("{}", human_report(&report));
            }
            Ok(exit_code(&report))
        }
        CredentialCommand::Sign { institution, file } => {
            let bytes = read_limited(&file)?;
            let unsigned: Value = serde_json::from_slice(&bytes).context("the file is not JSON")?;
            let issued =
                user_message(issuing::sign_credential(db, settings, &institution, unsigned).await)?;
            println!("{}", serde_json::to_string_pretty(&issued.json)?);
            Ok(0)
        }
        CredentialCommand::Revoke { id, reason } => {
            user_message(issuing::revoke(db, settings, &id, &reason).await)?;
            println!("revoked {id}");
            Ok(0)
        }
    }
}

/// Runs an institution command.
///
/// # Errors
/// Invalid input, unknown institutions or keys, database errors.
pub async fn institution(
    db: &DatabaseConnection,
    settings: &Settings,
    cmd: InstitutionCommand,
) -> anyhow::Result<()> {
    match cmd {
        InstitutionCommand::Create {
            slug,
            name,
            url,
            email,
        } => {
            let inst = user_message(
                issuing::create_institution(
                    db,
                    settings,
                    NewInstitution {
                        slug,
                        name,
                        url,
                        email,
                    },
                )
                .await,
            )?;
            println!(
                "created {} ({})",
                inst.slug,
                app::server::urls::issuer_did(&settings.public_url, &inst.slug)
            );
        }
        InstitutionCommand::RotateKey { slug } => {
            let key = user_message(issuing::rotate_key(db, settings, &slug).await)?;
            println!("{slug} now signs with {key}");
        }
        InstitutionCommand::CompromiseKey { slug, public_key } => {
            user_message(issuing::mark_compromised(db, settings, &slug, &public_key).await)?;
            println!("{public_key} is marked compromised: what it signed no longer verifies");
        }
    }
    Ok(())
}

fn read_limited(file: &Path) -> anyhow::Result<Vec<u8>> {
    let meta = std::fs::metadata(file).with_context(|| format!("reading {}", file.display()))?;
    if meta.len() > MAX_FILE_BYTES {
        bail!("{} is larger than {MAX_FILE_BYTES} bytes", file.display());
    }
    std::fs::read(file).with_context(|| format!("reading {}", file.display()))
}

/// The first line of a report: the verdict and standing in plain words. A check mark
/// only for verified and active.
pub fn headline(report: &Report) -> String {
    let state = match (report.verdict, report.standing) {
        (Verdict::Verified, Standing::Active) => "✔ Verified and active",
        (Verdict::Verified, Standing::Expired) => "⚠ Verified, but expired",
        (Verdict::Verified, Standing::NotYetValid) => "⚠ Verified, but not valid yet",
        (Verdict::Verified, Standing::Revoked) => "⚠ Verified, but revoked by the issuer",
        (Verdict::Verified, Standing::Suspended) => "⚠ Verified, but suspended by the issuer",
        (Verdict::Verified, Standing::Unknown) => {
            "? Verified, but whether it was revoked could not be checked"
        }
        (Verdict::NotVerified, _) => "✘ Not verified",
        (Verdict::Unverifiable, _) => "? Could not be verified",
    };
    let mut out = state.to_string();
    if let Some(name) = &report.achievement_name {
        out.push_str(&format!(": {name}"));
    }
    if let Some(issuer) = report.issuer_name.as_ref().or(report.issuer_id.as_ref()) {
        let self_made = report
            .issuer_id
            .as_deref()
            .is_some_and(|id| id.starts_with("did:key:") || id.starts_with("did:jwk:"));
        let claim = match report.verdict {
            Verdict::Verified if self_made => "signed by a self-made key under the name",
            Verdict::Verified => "issued by",
            _ => "claims to be issued by",
        };
        out.push_str(&format!(" ({claim} {issuer})"));
    }
    out
}

/// The report as a person reads it.
pub fn human_report(report: &Report) -> String {
    let mut out = headline(report);
    out.push('\n');
    if let Some(signer) = &report.signer {
        out.push_str(&format!("  Signed by {signer}.\n"));
    }
    if let Some(reason) = report.reason() {
        out.push_str(&format!("  Why: {}\n", reason.message));
    }
    for c in &report.checks {
        let mark = match c.outcome {
            Outcome::Pass => "pass",
            Outcome::Fail => "FAIL",
            Outcome::Unavailable => "n/a ",
            Outcome::Warning => "note",
            Outcome::NotChecked => " -- ",
        };
        out.push_str(&format!("  [{mark}] {:<10} {}\n", c.id, c.message));
    }
    out
}
