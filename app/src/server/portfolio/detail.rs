//! One badge in full, for its holder: what the signed credential says (evidence,
//! rubric result), what the catalog knows (alignments, credits) and a verification
//! report run on view, which also refreshes the verdict and standing the wall shows.

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, sea_query::Expr};
use serde_json::Value;

use super::{date, held_from};
use crate::error::AppError;
use crate::model::awards::credential_download_url;
use crate::model::portfolio::{
    BadgeDetail, CheckLine, EvidenceEntry, RubricLine, Verification, profile_path,
};
use crate::server::catalog::competencies;
use crate::server::db::BeginWrite;
use crate::server::entities::{
    award, badge_alignment, competency, credential, evidence_item, institution, user,
};
use crate::server::error::ServerResult;
use crate::server::state::Settings;
use crate::server::{urls, verification};

/// One of the learner's awards by its public id; someone else's is not found.
///
/// # Errors
/// `NotFound`; database errors.
pub async fn own_award(
    db: &impl ConnectionTrait,
    user_id: i32,
    award_public_id: &str,
) -> ServerResult<award::Model> {
    let id = uuid::Uuid::try_parse(award_public_id.trim()).map_err(|_| AppError::NotFound)?;
    award::Entity::find()
        .filter(award::Column::PublicId.eq(id))
        .filter(award::Column::UserId.eq(user_id))
        .one(db)
        .await?
        .ok_or_else(|| AppError::NotFound.into())
}

pub(crate) fn outcome_name(o: openbadges::verify::Outcome) -> &'static str {
    use openbadges::verify::Outcome;
    match o {
        Outcome::Pass => "pass",
        Outcome::Fail => "fail",
        Outcome::Unavailable => "unavailable",
        Outcome::Warning => "warning",
        Outcome::NotChecked => "not_checked",
    }
}

/// Verifies the stored credential of `a` and stores what was found.
///
/// # Errors
/// Database errors.
pub async fn verify_award<C: BeginWrite>(
    db: &C,
    settings: &Settings,
    a: &award::Model,
    json: &str,
    now: DateTime<Utc>,
) -> ServerResult<Verification> {
    use openbadges::verify::{Standing, Verdict};
    let found = verification::verify_bytes(
        db,
        settings,
        json.as_bytes().to_vec(),
        Some(a.recipient_email.clone()),
    )
    .await?;
    let (verdict, standing, reason, signer, checks) = match found {
        Ok(report) => {
            let reason = report.reason().map(|c| c.message.clone()).or_else(|| {
                // Authentic but not in good standing: the check that says why.
                (report.standing != Standing::Active)
                    .then(|| {
                        report
                            .checks
                            .iter()
                            .find(|c| c.outcome == openbadges::verify::Outcome::Fail)
                            .map(|c| c.message.clone())
                    })
                    .flatten()
            });
            let checks = report
                .checks
                .iter()
                .map(|c| CheckLine {
                    id: c.id.to_string(),
                    outcome: outcome_name(c.outcome).to_string(),
                    message: c.message.clone(),
                })
                .collect();
            (
                report.verdict.as_str(),
                report.standing.as_str(),
                reason,
                report.signer.clone(),
                checks,
            )
        }
        // Our own stored credential should always read; if not, say so (fail closed).
        Err(e) => (
            Verdict::Unverifiable.as_str(),
            Standing::Unknown.as_str(),
            Some(format!("The stored credential could not be read: {e}")),
            None,
            Vec::new(),
        ),
    };
    // The wall shows this from now on (a revocation recorded meanwhile stays). The same
    // answer found again within a minute is not written again: a page opened often
    // costs no write each time.
    let fresh = a.verdict == verdict
        && a.standing == standing
        && a.checked_at
            .is_some_and(|t| now - t < chrono::Duration::seconds(60));
    if !fresh {
        let txn = crate::server::db::begin_write(db).await?;
        award::Entity::update_many()
            .col_expr(award::Column::Verdict, Expr::value(verdict))
            .col_expr(award::Column::Standing, Expr::value(standing))
            .col_expr(award::Column::CheckedAt, Expr::value(now))
            .filter(award::Column::Id.eq(a.id))
            .filter(award::Column::RevokedAt.is_null())
            // A revocation, once seen, is never undone by a later answer.
            .filter(award::Column::Standing.ne(Standing::Revoked.as_str()))
            .exec(&*txn)
            .await?;
        txn.commit().await?;
    }
    let mark = super::mark(a.revoked_at.is_some(), verdict, standing, a.expires_at, now);
    Ok(Verification {
        mark,
        verdict: verdict.to_string(),
        standing: standing.to_string(),
        reason,
        signer,
        checks,
    })
}

/// Text of a JSON string field.
fn text(v: &Value, key: &str) -> Option<String> {
    v.get(key)
        .and_then(Value::as_str)
        .map(str::to_string)
        .filter(|s| !s.trim().is_empty())
}

/// The rubric lines of the credential: each result with its criterion's name.
fn rubric(subject: &Value) -> Vec<RubricLine> {
    let descriptions = subject
        .pointer("/achievement/resultDescription")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    subject
        .get("result")
        .and_then(Value::as_array)
        .map(|results| {
            results
                .iter()
                .map(|r| {
                    let criterion = r
                        .get("resultDescription")
                        .and_then(Value::as_str)
                        .and_then(|id| {
                            descriptions
                                .iter()
                                .find(|d| d.get("id").and_then(Value::as_str) == Some(id))
                        })
                        .and_then(|d| text(d, "name"))
                        .unwrap_or_else(|| "Result".into());
                    RubricLine {
                        criterion,
                        level: text(r, "value").unwrap_or_default(),
                    }
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Only web addresses become links.
fn web_link(url: Option<String>) -> Option<String> {
    url.filter(|u| u.starts_with("https://") || u.starts_with("http://"))
}

/// The badge page of one of the learner's awards, verified now.
///
/// # Errors
/// `NotFound` for an award that is not theirs; database errors.
pub async fn badge_detail<C: BeginWrite>(
    db: &C,
    settings: &Settings,
    user_id: i32,
    award_public_id: &str,
    now: DateTime<Utc>,
) -> ServerResult<BadgeDetail> {
    let a = match own_award(db, user_id, award_public_id).await {
        Ok(a) => a,
        // Not an award of theirs: one of their imports, or not found.
        Err(crate::server::ServerError::User(AppError::NotFound)) => {
            return super::import::detail(
                db,
                settings,
                user_id,
                award_public_id,
                &super::import::Documents::Network,
                now,
            )
            .await;
        }
        Err(e) => return Err(e),
    };
    let cred = credential::Entity::find_by_id(a.credential_id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let verification = verify_award(db, settings, &a, &cred.json, now).await?;
    let h = held_from(db, settings, vec![a.clone()])
        .await?
        .into_iter()
        .next()
        .ok_or(AppError::NotFound)?;
    let json: Value = serde_json::from_str(&cred.json).unwrap_or(Value::Null);
    let subject = json
        .get("credentialSubject")
        .cloned()
        .unwrap_or(Value::Null);
    let achievement = subject.get("achievement").cloned().unwrap_or(Value::Null);

    // Evidence as embedded; a file not made public links to the learner's own copy.
    let items = match a.submission_id {
        Some(sid) => {
            evidence_item::Entity::find()
                .filter(evidence_item::Column::SubmissionId.eq(sid))
                .filter(evidence_item::Column::UserId.eq(user_id))
                .all(db)
                .await?
        }
        None => Vec::new(),
    };
    let mut narrative = None;
    let mut evidence = Vec::new();
    for e in json
        .get("evidence")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if let Some(n) = text(e, "narrative") {
            narrative = Some(n);
            continue;
        }
        let name = text(e, "name").unwrap_or_else(|| "Evidence".into());
        let url = web_link(text(e, "id")).or_else(|| {
            items
                .iter()
                .find(|i| i.name == name && i.kind == evidence_item::KIND_FILE)
                .map(|i| format!("/evidence/{}", i.public_id))
        });
        evidence.push(EvidenceEntry {
            name,
            url,
            description: text(e, "description"),
        });
    }

    let alignments = {
        let ids: Vec<i32> = badge_alignment::Entity::find()
            .filter(badge_alignment::Column::BadgeVersionId.eq(a.badge_version_id))
            .all(db)
            .await?
            .into_iter()
            .map(|r| r.competency_id)
            .collect();
        let list = if ids.is_empty() {
            Vec::new()
        } else {
            competency::Entity::find()
                .filter(competency::Column::Id.is_in(ids))
                .all(db)
                .await?
        };
        let mut out = Vec::new();
        for c in &list {
            let owner = match c.institution_id {
                Some(id) => institution::Entity::find_by_id(id)
                    .one(db)
                    .await?
                    .map(|i| i.slug),
                None => None,
            };
            out.push((
                c.name.clone(),
                competencies::url(settings, c, owner.as_deref()),
            ));
        }
        out.sort();
        out
    };
    let handle = user::Entity::find_by_id(user_id)
        .one(db)
        .await?
        .and_then(|u| u.handle);
    let version = h.version.as_ref();
    Ok(BadgeDetail {
        public_id: a.public_id.to_string(),
        name: version
            .map(|v| v.name.clone())
            .or_else(|| text(&achievement, "name"))
            .unwrap_or_default(),
        description: version
            .map(|v| v.description.clone())
            .or_else(|| text(&achievement, "description"))
            .unwrap_or_default(),
        image_url: h.image_url.clone(),
        issuer: h
            .issuer
            .as_ref()
            .map(|i| i.name.clone())
            .unwrap_or_default(),
        issuer_url: h.issuer.as_ref().map(|i| {
            urls::PublicUrl::IssuerProfile {
                slug: i.slug.clone(),
            }
            .to_url(&settings.public_url)
        }),
        awarded_at: date(a.awarded_at),
        expires_at: a.expires_at.map(date),
        criteria: version
            .map(|v| v.criteria.clone())
            .or_else(|| {
                achievement
                    .pointer("/criteria/narrative")
                    .and_then(Value::as_str)
                    .map(str::to_string)
            })
            .unwrap_or_default(),
        alignments,
        credits: version.map_or(0, |v| v.credits),
        program: h.program.as_ref().map(|p| p.name.clone()),
        narrative,
        evidence,
        rubric: rubric(&subject),
        verification,
        is_public: a.is_public,
        download_url: credential_download_url(&a.public_id.to_string()),
        profile_url: handle.as_deref().map(profile_path),
        imported: false,
    })
}
