//! `badgefolio credential verify|sign|revoke`: the Open Badges core for operators and
//! scripts, against the configured database like the server.

use std::path::Path;

use anyhow::{Context as _, bail};
use app::server::{Settings, issuing};
use openbadges::{
    baking::{self, Limits},
    verify::{self, Outcome, Report},
};
use sea_orm::DatabaseConnection;
use serde_json::Value;

use crate::config::CredentialCommand;

/// Largest file read.
const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// Runs a credential command; returns the process exit code.
///
/// # Errors
/// Unreadable files, database errors, invalid input for `sign`.
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
            let bytes = read_limited(&file)?;
            let report = match verify_bytes(db, settings, &bytes, recipient).await {
                Ok(r) => r,
                Err(message) => {
                    if json {
                        println!("{}", serde_json::json!({"valid": false, "error": message}));
                    } else {
                        println!("✘ Not valid: {message}");
                    }
                    return Ok(1);
                }
            };
            if json {
                println!("{}", serde_json::to_string_pretty(&report)?);
            } else {
                print!("{}", human_report(&report));
            }
            Ok(if report.valid { 0 } else { 1 })
        }
        CredentialCommand::Sign { institution, file } => {
            let bytes = read_limited(&file)?;
            let unsigned: Value = serde_json::from_slice(&bytes).context("the file is not JSON")?;
            let issued = match issuing::sign_credential(db, settings, &institution, unsigned).await
            {
                Ok(i) => i,
                Err(app::server::ServerError::User(e)) => bail!("{e}"),
                Err(e) => return Err(e.into()),
            };
            println!("{}", serde_json::to_string_pretty(&issued.json)?);
            Ok(0)
        }
        CredentialCommand::Revoke { id, reason } => match issuing::revoke(db, &id, &reason).await {
            Ok(()) => {
                println!("revoked {id}");
                Ok(0)
            }
            Err(app::server::ServerError::User(e)) => bail!("{e}"),
            Err(e) => Err(e.into()),
        },
    }
}

fn read_limited(file: &Path) -> anyhow::Result<Vec<u8>> {
    let meta = std::fs::metadata(file).with_context(|| format!("reading {}", file.display()))?;
    if meta.len() > MAX_FILE_BYTES {
        bail!("{} is larger than {MAX_FILE_BYTES} bytes", file.display());
    }
    std::fs::read(file).with_context(|| format!("reading {}", file.display()))
}

/// Verifies a credential given as bytes: JSON, or a baked PNG/SVG.
///
/// # Errors
/// A sentence saying why nothing could be verified (no credential found, unreadable).
pub async fn verify_bytes(
    db: &DatabaseConnection,
    settings: &Settings,
    bytes: &[u8],
    recipient: Option<String>,
) -> Result<Report, String> {
    let text = match baking::sniff(bytes) {
        Some(_) => match baking::extract(bytes, &Limits::default()) {
            Ok(Some(found)) if found.version == baking::BadgeVersion::V3 => found.payload,
            Ok(Some(_)) => return Err("the image holds an Open Badges 2.0 assertion, which this command does not verify yet".into()),
            Ok(None) => return Err("the image does not contain a badge".into()),
            Err(e) => return Err(e.to_string()),
        },
        None => String::from_utf8(bytes.to_vec()).map_err(|_| "the file is neither JSON nor a PNG or SVG image".to_string())?,
    };
    let text = text.trim().to_string();
    let options = verify::Options {
        now: None,
        recipient_email: recipient,
    };
    if openbadges::jwt::looks_like_jwt(&text) {
        let (credential, _) = openbadges::jwt::credential_of(&text)
            .ok_or_else(|| "the token's payload is not a credential".to_string())?;
        let kids: Vec<String> = openbadges::jwt::key_id(&text).into_iter().collect();
        let resolver = issuing::own_documents(db, settings, &credential, &kids)
            .await
            .map_err(|e| format!("could not look up the issuer: {e}"))?;
        return tokio::task::spawn_blocking(move || {
            openbadges::jwt::verify_jwt(&text, &resolver, &options)
        })
        .await
        .map_err(|e| format!("verification was interrupted: {e}"));
    }
    if !text.starts_with('{') {
        return Err(
            "the file is not a credential: expected JSON, a VC-JWT, or a baked PNG/SVG".into(),
        );
    }
    let credential: Value = serde_json::from_str(&text)
        .map_err(|e| format!("the credential is not valid JSON: {e}"))?;
    let resolver = issuing::own_documents(db, settings, &credential, &[])
        .await
        .map_err(|e| format!("could not look up the issuer: {e}"))?;
    // Canonicalisation is CPU work: keep it off the async threads.
    tokio::task::spawn_blocking(move || verify::verify(&credential, &resolver, &options))
        .await
        .map_err(|e| format!("verification was interrupted: {e}"))
}

/// The report as a person reads it.
pub fn human_report(report: &Report) -> String {
    let mut out = String::new();
    if report.valid {
        out.push_str("✔ Valid");
    } else {
        out.push_str("✘ Not valid");
    }
    if let Some(name) = &report.achievement_name {
        out.push_str(&format!(": {name}"));
    }
    if let Some(issuer) = report.issuer_name.as_ref().or(report.issuer_id.as_ref()) {
        out.push_str(&format!(" (issued by {issuer})"));
    }
    out.push('\n');
    for c in &report.checks {
        let mark = match c.outcome {
            Outcome::Pass => "pass",
            Outcome::Fail => "FAIL",
            Outcome::Warning => "warn",
            Outcome::NotChecked => " -- ",
        };
        out.push_str(&format!("  [{mark}] {:<10} {}\n", c.id, c.message));
    }
    out
}
