//! Reading awards: the issuer admin's list (filtered by badge, program, address), the
//! institution's transcript notations and their CSV export for the registrar, and the
//! learner's own credentials and notations. Each list is a fixed number of queries.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use crate::error::AppError;
use crate::model::awards::{
    AwardRow, AwardsAdmin, AwardsFilter, DependentProgram, FilterOption, MyBadge, MyBadges,
    NotationRow, STATUS_ACTIVE, STATUS_EXPIRED, STATUS_REPLACED, STATUS_REVOKED, Transcripts,
    credential_download_url,
};
use crate::server::entities::{
    award, badge, badge_version, credential, image, institution, program, program_badge,
    transcript_notation,
};
use crate::server::error::ServerResult;
use crate::server::state::Settings;

/// Most awards one admin list shows.
pub const MAX_ROWS: u64 = 500;

fn date(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d").to_string()
}

/// `validUntil` of a signed credential.
fn valid_until(json: &str) -> Option<DateTime<Utc>> {
    let v: serde_json::Value = serde_json::from_str(json).ok()?;
    let s = v.get("validUntil")?.as_str()?;
    DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// Where an award stands: replaced (re-issued), revoked, expired or active.
fn status(a: &award::Model, until: Option<DateTime<Utc>>, now: DateTime<Utc>) -> &'static str {
    match (a.revoked_at, a.replaced_by) {
        (Some(_), Some(_)) => STATUS_REPLACED,
        (Some(_), None) => STATUS_REVOKED,
        _ if until.is_some_and(|u| u <= now) => STATUS_EXPIRED,
        _ => STATUS_ACTIVE,
    }
}

/// These badge versions, by version id.
async fn version_names(
    db: &impl ConnectionTrait,
    ids: Vec<i32>,
) -> ServerResult<HashMap<i32, badge_version::Model>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(badge_version::Entity::find()
        .filter(badge_version::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|v| (v.id, v))
        .collect())
}

async fn program_names(
    db: &impl ConnectionTrait,
    ids: Vec<i32>,
) -> ServerResult<HashMap<i32, program::Model>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(program::Entity::find()
        .filter(program::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|p| (p.id, p))
        .collect())
}

/// `validUntil` of these credentials, by credential row id.
async fn expiries(
    db: &impl ConnectionTrait,
    ids: Vec<i32>,
) -> ServerResult<HashMap<i32, Option<DateTime<Utc>>>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<(i32, String)> = credential::Entity::find()
        .select_only()
        .column(credential::Column::Id)
        .column(credential::Column::Json)
        .filter(credential::Column::Id.is_in(ids))
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(id, json)| (id, valid_until(&json)))
        .collect())
}

/// The institution's awards for its admin, newest first, at most [`MAX_ROWS`].
///
/// # Errors
/// `Invalid` for an unknown badge or program in the filter; database errors.
pub async fn admin_awards(
    db: &impl ConnectionTrait,
    inst: &institution::Model,
    filter: &AwardsFilter,
) -> ServerResult<AwardsAdmin> {
    // The filter's choices: the institution's badges and programs.
    let badges = badge::Entity::find()
        .filter(badge::Column::InstitutionId.eq(inst.id))
        .all(db)
        .await?;
    let current: Vec<i32> = {
        let versions = badge_version::Entity::find()
            .filter(badge_version::Column::BadgeId.is_in(badges.iter().map(|b| b.id)))
            .all(db)
            .await?;
        badges
            .iter()
            .filter_map(|b| {
                versions
                    .iter()
                    .find(|v| v.badge_id == b.id && v.version == b.current_version)
                    .map(|v| v.id)
            })
            .collect()
    };
    let current_names = version_names(db, current).await?;
    let mut badge_options: Vec<FilterOption> = badges
        .iter()
        .filter_map(|b| {
            current_names
                .values()
                .find(|v| v.badge_id == b.id)
                .map(|v| FilterOption {
                    value: b.public_id.to_string(),
                    label: v.name.clone(),
                })
        })
        .collect();
    badge_options.sort_by(|a, b| a.label.cmp(&b.label));
    let programs = program::Entity::find()
        .filter(program::Column::InstitutionId.eq(inst.id))
        .order_by_asc(program::Column::Name)
        .all(db)
        .await?;
    let program_options = programs
        .iter()
        .map(|p| FilterOption {
            value: p.slug.clone(),
            label: p.name.clone(),
        })
        .collect();
    let stacks: Vec<program_badge::Model> = program_badge::Entity::find()
        .filter(program_badge::Column::ProgramId.is_in(programs.iter().map(|p| p.id)))
        .all(db)
        .await?;

    let mut q = award::Entity::find().filter(award::Column::InstitutionId.eq(inst.id));
    if !filter.badge.trim().is_empty() {
        let b = badges
            .iter()
            .find(|b| b.public_id.to_string() == filter.badge.trim())
            .ok_or_else(|| AppError::invalid("Choose one of your institution's badges."))?;
        q = q.filter(award::Column::BadgeId.eq(b.id));
    }
    if !filter.program.trim().is_empty() {
        let p = programs
            .iter()
            .find(|p| p.slug == filter.program.trim())
            .ok_or_else(|| AppError::invalid("Choose one of your institution's programs."))?;
        let ids: Vec<i32> = stacks
            .iter()
            .filter(|s| s.program_id == p.id)
            .map(|s| s.badge_id)
            .chain(p.program_badge_id)
            .collect();
        q = q.filter(award::Column::BadgeId.is_in(ids));
    }
    let needle = filter.q.trim().to_lowercase();
    if !needle.is_empty() {
        if needle.chars().count() > 254 {
            return Err(AppError::invalid("Search for at most 254 characters.").into());
        }
        q = q.filter(award::Column::RecipientEmail.contains(needle.as_str()));
    }
    let mut rows = q
        .order_by_desc(award::Column::AwardedAt)
        .order_by_desc(award::Column::Id)
        .limit(MAX_ROWS + 1)
        .all(db)
        .await?;
    let truncated = rows.len() as u64 > MAX_ROWS;
    rows.truncate(usize::try_from(MAX_ROWS).unwrap_or(usize::MAX));

    let names = version_names(db, rows.iter().map(|a| a.badge_version_id).collect()).await?;
    let until = expiries(db, rows.iter().map(|a| a.credential_id).collect()).await?;
    // Unrevoked program credentials of these learners, for the cascade question.
    let learners: HashSet<i32> = rows.iter().filter_map(|a| a.user_id).collect();
    let program_awards = if learners.is_empty() {
        Vec::new()
    } else {
        award::Entity::find()
            .filter(award::Column::UserId.is_in(learners))
            .filter(award::Column::ProgramId.is_not_null())
            .filter(award::Column::RevokedAt.is_null())
            .all(db)
            .await?
    };
    let now = Utc::now();
    let awards = rows
        .iter()
        .map(|a| {
            let dependents = if a.revoked_at.is_none() && a.user_id.is_some() {
                program_awards
                    .iter()
                    .filter(|pa| pa.user_id == a.user_id && pa.id != a.id)
                    .filter_map(|pa| programs.iter().find(|p| Some(p.id) == pa.program_id))
                    .filter(|p| {
                        stacks
                            .iter()
                            .any(|s| s.program_id == p.id && s.badge_id == a.badge_id)
                    })
                    .map(|p| DependentProgram {
                        program: p.name.clone(),
                        credit_bearing: p.credit_bearing,
                    })
                    .collect()
            } else {
                Vec::new()
            };
            AwardRow {
                public_id: a.public_id.to_string(),
                badge_name: names
                    .get(&a.badge_version_id)
                    .map(|v| v.name.clone())
                    .unwrap_or_default(),
                program: a
                    .program_id
                    .and_then(|id| programs.iter().find(|p| p.id == id))
                    .map(|p| p.name.clone()),
                recipient_name: a.recipient_name.clone(),
                recipient_email: a.recipient_email.clone(),
                pending: a.user_id.is_none(),
                awarded_at: date(a.awarded_at),
                status: status(a, until.get(&a.credential_id).copied().flatten(), now).to_string(),
                revocation_reason: a.revocation_reason.clone(),
                source: a.source.clone(),
                dependents,
            }
        })
        .collect();
    Ok(AwardsAdmin {
        institution: inst.name.clone(),
        slug: inst.slug.clone(),
        awards,
        truncated,
        badges: badge_options,
        programs: program_options,
    })
}

/// Notations as rows, with their programs' and institutions' names.
pub(crate) async fn notation_rows(
    db: &impl ConnectionTrait,
    list: Vec<transcript_notation::Model>,
) -> ServerResult<Vec<NotationRow>> {
    let programs = program_names(db, list.iter().map(|n| n.program_id).collect()).await?;
    let inst_ids: Vec<i32> = list.iter().map(|n| n.institution_id).collect();
    let institutions: HashMap<i32, String> = if inst_ids.is_empty() {
        HashMap::new()
    } else {
        institution::Entity::find()
            .filter(institution::Column::Id.is_in(inst_ids))
            .all(db)
            .await?
            .into_iter()
            .map(|i| (i.id, i.name))
            .collect()
    };
    Ok(list
        .into_iter()
        .map(|n| NotationRow {
            learner_name: n.learner_name,
            learner_email: n.learner_email,
            program: programs
                .get(&n.program_id)
                .map(|p| p.name.clone())
                .unwrap_or_default(),
            institution: institutions
                .get(&n.institution_id)
                .cloned()
                .unwrap_or_default(),
            credits: n.credits,
            term: n.term,
            date: date(n.recorded_at),
            status: if n.revoked_at.is_some() {
                STATUS_REVOKED
            } else {
                STATUS_ACTIVE
            }
            .to_string(),
            revocation_reason: n.revocation_reason,
        })
        .collect())
}

/// The institution's transcript notations, oldest first.
///
/// # Errors
/// Database errors.
pub async fn transcripts(
    db: &impl ConnectionTrait,
    inst: &institution::Model,
) -> ServerResult<Transcripts> {
    let list = transcript_notation::Entity::find()
        .filter(transcript_notation::Column::InstitutionId.eq(inst.id))
        .order_by_asc(transcript_notation::Column::RecordedAt)
        .order_by_asc(transcript_notation::Column::Id)
        .all(db)
        .await?;
    Ok(Transcripts {
        institution: inst.name.clone(),
        slug: inst.slug.clone(),
        notations: notation_rows(db, list).await?,
    })
}

/// A cell a spreadsheet will not run: text starting with `=`, `+`, `-`, `@` (or a tab
/// or carriage return, which some spreadsheets skip before looking) gets a leading `'`.
pub fn spreadsheet_safe(cell: &str) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}")
    } else {
        cell.to_string()
    }
}

/// The registrar's CSV of these notations: a header, then one row each (learner name,
/// e-mail, program, credits, term, date, status), every text cell spreadsheet-safe.
///
/// # Errors
/// When the CSV writer fails (it writes to memory, so in practice never).
pub fn transcripts_csv(rows: &[NotationRow]) -> ServerResult<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let fail = |e: csv::Error| {
        tracing::error!("writing the CSV: {e}");
        crate::server::ServerError::Context("writing the CSV")
    };
    w.write_record([
        "Learner name",
        "E-mail",
        "Program",
        "Credits",
        "Term",
        "Date",
        "Status",
    ])
    .map_err(fail)?;
    for r in rows {
        let status = match &r.revocation_reason {
            Some(reason) if r.status == STATUS_REVOKED => format!("revoked: {reason}"),
            _ => r.status.clone(),
        };
        w.write_record([
            spreadsheet_safe(&r.learner_name),
            spreadsheet_safe(&r.learner_email),
            spreadsheet_safe(&r.program),
            r.credits.to_string(),
            spreadsheet_safe(&r.term),
            r.date.clone(),
            spreadsheet_safe(&status),
        ])
        .map_err(fail)?;
    }
    w.into_inner().map_err(|e| {
        tracing::error!("writing the CSV: {e}");
        crate::server::ServerError::Context("writing the CSV")
    })
}

/// The learner's credentials (newest first; a replaced one after its replacement is
/// fine, both are listed with their status) and their transcript notations.
///
/// # Errors
/// Database errors.
pub async fn my_badges(
    db: &impl ConnectionTrait,
    settings: &Settings,
    user_id: i32,
) -> ServerResult<MyBadges> {
    let rows = award::Entity::find()
        .filter(award::Column::UserId.eq(user_id))
        .order_by_desc(award::Column::AwardedAt)
        .order_by_desc(award::Column::Id)
        .all(db)
        .await?;
    let versions = version_names(db, rows.iter().map(|a| a.badge_version_id).collect()).await?;
    let programs = program_names(db, rows.iter().filter_map(|a| a.program_id).collect()).await?;
    let until = expiries(db, rows.iter().map(|a| a.credential_id).collect()).await?;
    let inst_ids: Vec<i32> = rows.iter().map(|a| a.institution_id).collect();
    let institutions: HashMap<i32, String> = if inst_ids.is_empty() {
        HashMap::new()
    } else {
        institution::Entity::find()
            .filter(institution::Column::Id.is_in(inst_ids))
            .all(db)
            .await?
            .into_iter()
            .map(|i| (i.id, i.name))
            .collect()
    };
    let image_ids: Vec<i32> = versions.values().map(|v| v.image_id).collect();
    let images: HashMap<i32, String> = if image_ids.is_empty() {
        HashMap::new()
    } else {
        image::Entity::find()
            .select_only()
            .column(image::Column::Id)
            .column(image::Column::Sha256)
            .filter(image::Column::Id.is_in(image_ids))
            .into_tuple::<(i32, String)>()
            .all(db)
            .await?
            .into_iter()
            .map(|(id, sha)| (id, format!("{}/images/{sha}", settings.public_url)))
            .collect()
    };
    let now = Utc::now();
    let badges = rows
        .iter()
        .map(|a| {
            let v = versions.get(&a.badge_version_id);
            let expires = until.get(&a.credential_id).copied().flatten();
            MyBadge {
                public_id: a.public_id.to_string(),
                badge_name: v.map(|v| v.name.clone()).unwrap_or_default(),
                issuer: institutions
                    .get(&a.institution_id)
                    .cloned()
                    .unwrap_or_default(),
                image_url: v
                    .and_then(|v| images.get(&v.image_id))
                    .cloned()
                    .unwrap_or_default(),
                program: a
                    .program_id
                    .and_then(|id| programs.get(&id))
                    .map(|p| p.name.clone()),
                awarded_at: date(a.awarded_at),
                status: status(a, expires, now).to_string(),
                revocation_reason: a.revocation_reason.clone(),
                valid_until: expires.map(date),
                download_url: credential_download_url(&a.public_id.to_string()),
            }
        })
        .collect();
    let notations = transcript_notation::Entity::find()
        .filter(transcript_notation::Column::UserId.eq(user_id))
        .order_by_asc(transcript_notation::Column::RecordedAt)
        .all(db)
        .await?;
    Ok(MyBadges {
        badges,
        notations: notation_rows(db, notations).await?,
    })
}

/// The signed credential of one of the learner's awards, exactly as stored, and a
/// file name for it. Someone else's award is not found.
///
/// # Errors
/// `NotFound`; database errors.
pub async fn credential_json(
    db: &impl ConnectionTrait,
    user_id: i32,
    award_public_id: &str,
) -> ServerResult<(String, String)> {
    let id = uuid::Uuid::try_parse(award_public_id).map_err(|_| AppError::NotFound)?;
    let a = award::Entity::find()
        .filter(award::Column::PublicId.eq(id))
        .filter(award::Column::UserId.eq(user_id))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let c = credential::Entity::find_by_id(a.credential_id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((c.json, format!("credential-{}.json", a.public_id)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_cells_are_defused() {
        for bad in ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1"] {
            assert!(spreadsheet_safe(bad).starts_with('\''), "{bad:?}");
        }
        assert_eq!(spreadsheet_safe("Ada Lovelace"), "Ada Lovelace");
        assert_eq!(spreadsheet_safe(""), "");
    }

    #[test]
    fn the_csv_quotes_and_escapes() {
        let row = NotationRow {
            learner_name: "=HYPERLINK(\"http://x\")".into(),
            learner_email: "ada@example.org".into(),
            program: "Data, \"Science\"".into(),
            institution: "North".into(),
            credits: 3,
            term: "Fall 2026".into(),
            date: "2026-11-29".into(),
            status: STATUS_ACTIVE.into(),
            revocation_reason: None,
        };
        let csv =
            String::from_utf8(transcripts_csv(&[row]).unwrap_or_default()).unwrap_or_default();
        let mut lines = csv.lines();
        assert_eq!(
            lines.next(),
            Some("Learner name,E-mail,Program,Credits,Term,Date,Status")
        );
        assert_eq!(
            lines.next(),
            Some(
                "\"'=HYPERLINK(\"\"http://x\"\")\",ada@example.org,\"Data, \"\"Science\"\"\",3,Fall 2026,2026-11-29,active"
            )
        );
    }
}
