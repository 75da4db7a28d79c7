//! The unsigned OB 3.0 `OpenBadgeCredential` of an award, built from the badge's
//! current version, the recipient and the evidence. `issuing::sign_credential` adds the
//! issuer, the status entry and the proof.

use base64::Engine;
use chrono::{DateTime, Months, SecondsFormat, Utc};
use rand::RngCore;
use sea_orm::ConnectionTrait;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::AwardRequest;
use crate::error::AppError;
use crate::model::catalog::BadgeView;
use crate::server::catalog::badges;
use crate::server::entities::{badge, badge_version, institution};
use crate::server::error::ServerResult;
use crate::server::state::Settings;

/// One rubric criterion as the reviewer scored it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RubricScore {
    pub criterion: String,
    pub level: String,
    pub points: u32,
}

/// A piece of evidence to embed: its name, and for a file its size and digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvidencePiece {
    pub name: String,
    /// "File" or "Link".
    pub genre: String,
    /// The piece's address, embedded only when the learner made the piece public
    /// (a file's stable, unguessable URL, or the link itself).
    pub public_url: Option<String>,
    /// Hex SHA-256 of a file's bytes.
    pub sha256: Option<String>,
    pub size_bytes: Option<i64>,
}

/// `sha256$…` of the address with a fresh salt, as OB 3.0 `IdentityObject`s want.
fn hashed_email(email: &str) -> Value {
    let mut salt = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut salt);
    let salt: String = salt.iter().map(|b| format!("{b:02x}")).collect();
    json!({
        "type": "IdentityObject",
        "hashed": true,
        "identityHash": openbadges::verify::identity_hash(email, &salt),
        "identityType": "emailAddress",
        "salt": salt,
    })
}

/// The digest as Subresource Integrity wants it (`sha256-` + base64), from hex.
fn sri(hex_digest: &str) -> Option<String> {
    if hex_digest.len() != 64 {
        return None;
    }
    let bytes = (0..hex_digest.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(hex_digest.get(i..i + 2)?, 16).ok())
        .collect::<Option<Vec<u8>>>()?;
    Some(format!(
        "sha256-{}",
        base64::engine::general_purpose::STANDARD.encode(bytes)
    ))
}

fn timestamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// The id of a rubric criterion's `ResultDescription` inside an achievement.
fn criterion_id(achievement_id: &str, i: usize) -> String {
    format!("{achievement_id}#rubric-{}", i + 1)
}

/// The id of a criterion's level.
fn level_id(achievement_id: &str, i: usize, j: usize) -> String {
    format!("{}-level-{}", criterion_id(achievement_id, i), j + 1)
}

/// One version of a badge as an OB 3.0 `Achievement` (what credentials embed and what
/// its permanent id answers): criteria, image, type, credits, tags, alignments, and the
/// rubric as `resultDescription`s.
pub fn achievement(achievement_id: &str, view: &BadgeView) -> Value {
    let mut achievement = json!({
        "id": achievement_id,
        "type": ["Achievement"],
        "name": view.name,
        "description": view.description,
        "criteria": { "narrative": view.criteria },
        "image": { "id": view.image_url, "type": "Image" },
        "achievementType": view.achievement_type,
        "creditsAvailable": view.credits,
    });
    if !view.alignments.is_empty() {
        achievement["alignment"] = view
            .alignments
            .iter()
            .map(|c| {
                json!({
                    "type": ["Alignment"],
                    "targetName": c.name,
                    "targetUrl": c.url,
                    "targetDescription": c.description,
                    "targetType": "CFItem",
                })
            })
            .collect();
    }
    if !view.tags.is_empty() {
        achievement["tag"] = json!(view.tags);
    }
    if !view.rubric.is_empty() {
        achievement["resultDescription"] = view
            .rubric
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let levels: Vec<Value> = c
                    .levels
                    .iter()
                    .enumerate()
                    .map(|(j, l)| {
                        json!({
                            "id": level_id(achievement_id, i, j),
                            "type": ["RubricCriterionLevel"],
                            "name": l.name,
                            "points": l.points.to_string(),
                        })
                    })
                    .collect();
                json!({
                    "id": criterion_id(achievement_id, i),
                    "type": ["ResultDescription"],
                    "name": c.name,
                    "resultType": "RubricCriterionLevel",
                    "rubricCriterionLevel": levels,
                })
            })
            .collect();
    }
    achievement
}

/// The reviewer's scores as `Result`s pointing at the achievement's rubric.
fn results(achievement_id: &str, view: &BadgeView, scores: &[RubricScore]) -> Vec<Value> {
    scores
        .iter()
        .map(|score| {
            let mut result = json!({
                "type": ["Result"],
                "value": format!("{} ({} points)", score.level, score.points),
            });
            if let Some(i) = view.rubric.iter().position(|c| c.name == score.criterion) {
                result["resultDescription"] = json!(criterion_id(achievement_id, i));
                if let Some(j) = view.rubric[i]
                    .levels
                    .iter()
                    .position(|l| l.name == score.level)
                {
                    result["achievedLevel"] = json!(level_id(achievement_id, i, j));
                }
            }
            result
        })
        .collect()
}

/// The unsigned credential, valid from `issued_at` (and until the badge's validity
/// after it).
///
/// # Errors
/// `NotFound` when the badge has no such version; database errors.
#[allow(clippy::too_many_arguments)]
pub(super) async fn build(
    db: &impl ConnectionTrait,
    settings: &Settings,
    inst: &institution::Model,
    b: &badge::Model,
    version: &badge_version::Model,
    req: &AwardRequest,
    email: &str,
    issued_at: DateTime<Utc>,
) -> ServerResult<Value> {
    let view = badges::version_view(db, settings, b, version.version)
        .await?
        .ok_or(AppError::NotFound)?;
    let achievement_id = badges::achievement_id(settings, inst, b, version.version);

    let mut subject = json!({
        "type": ["AchievementSubject"],
        "identifier": [
            hashed_email(email),
            {
                "type": "IdentityObject",
                "hashed": false,
                "identityHash": req.recipient.name(),
                "identityType": "name",
            },
        ],
        "achievement": achievement(&achievement_id, &view),
    });
    if view.credits > 0 {
        subject["creditsEarned"] = json!(view.credits);
    }
    if !req.rubric.is_empty() {
        subject["result"] = json!(results(&achievement_id, &view, &req.rubric));
    }

    let mut evidence = Vec::new();
    if let Some(narrative) = req.narrative.as_deref().map(str::trim)
        && !narrative.is_empty()
    {
        evidence.push(json!({
            "type": ["Evidence"],
            "name": "Narrative",
            "narrative": narrative,
        }));
    }
    for piece in &req.evidence {
        let mut e = json!({
            "type": ["Evidence"],
            "name": piece.name,
            "genre": piece.genre,
        });
        if let Some(url) = &piece.public_url {
            e["id"] = json!(url);
        }
        if let Some(digest) = piece.sha256.as_deref().and_then(sri) {
            e["digestSRI"] = json!(digest);
            let size = piece
                .size_bytes
                .map(|n| format!("{n} bytes, "))
                .unwrap_or_default();
            e["description"] = json!(format!(
                "A file ({size}SHA-256 {}).",
                piece.sha256.as_deref().unwrap_or_default()
            ));
        }
        evidence.push(e);
    }

    let mut credential = json!({
        "name": view.name,
        "validFrom": timestamp(issued_at),
        "credentialSubject": subject,
    });
    if let Some(months) = view
        .validity_months
        .and_then(|m| u32::try_from(m).ok())
        .filter(|m| *m > 0)
        && let Some(until) = issued_at.checked_add_months(Months::new(months))
    {
        credential["validUntil"] = json!(timestamp(until));
    }
    if !evidence.is_empty() {
        credential["evidence"] = json!(evidence);
    }
    Ok(credential)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sri_is_base64_of_the_digest() {
        let hex = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
        assert_eq!(
            sri(hex).as_deref(),
            Some("sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=")
        );
        assert_eq!(sri("zz"), None);
    }

    #[test]
    fn the_email_hash_checks_with_its_salt() {
        let id = hashed_email("ada@example.org");
        let salt = id["salt"].as_str().unwrap_or_default();
        assert_eq!(salt.len(), 32);
        assert_eq!(
            id["identityHash"].as_str(),
            Some(openbadges::verify::identity_hash("ada@example.org", salt).as_str())
        );
        // A fresh salt each time: two awards to one address do not share a hash.
        assert_ne!(hashed_email("ada@example.org")["salt"], id["salt"]);
    }
}
