//! Badges (OB 3.0 Achievements). A badge's public id never changes; every edit writes
//! a new version and leaves the old ones as they were, so credentials already issued
//! keep naming (and meaning) exactly what they were issued for.

use std::collections::HashMap;

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};

use super::{competencies, images, limited, one_line, required};
use crate::error::AppError;
use crate::model::catalog::{
    ACHIEVEMENT_TYPES, BadgeView, MAX_PROGRAM_CREDITS, RubricCriterion, RubricLevel,
};
use crate::server::Settings;
use crate::server::db::begin_write;
use crate::server::entities::{
    badge, badge_alignment, badge_version, competency, image, institution,
};
use crate::server::error::ServerResult;
use crate::server::urls::PublicUrl;

/// Longest validity a badge may have, in months (50 years).
pub const MAX_VALIDITY_MONTHS: i32 = 600;

/// A badge as typed into the form.
#[derive(Debug, Clone, Default)]
pub struct BadgeInput {
    pub name: String,
    pub description: String,
    pub criteria: String,
    pub achievement_type: String,
    /// Comma-separated.
    pub tags: String,
    pub credits: String,
    pub evidence_required: String,
    /// See [`parse_rubric`].
    pub rubric: String,
    /// Empty: never expires.
    pub validity_months: String,
    /// Public URLs of the competencies the badge aligns to.
    pub competencies: Vec<String>,
    /// The uploaded image, if any (checked by [`images::clean`]).
    pub image: Option<Vec<u8>>,
}

/// A badge's checked content.
struct Checked {
    name: String,
    description: String,
    criteria: String,
    achievement_type: String,
    tags: Vec<String>,
    credits: i32,
    evidence_required: String,
    rubric: Vec<RubricCriterion>,
    validity_months: Option<i32>,
    image: Option<images::CleanImage>,
}

fn check(input: &BadgeInput) -> Result<Checked, AppError> {
    let name = one_line(&input.name, "The badge's name", 120)?;
    let description = required(&input.description, "The description", 4000)?;
    let criteria = required(&input.criteria, "The criteria", 8000)?;
    let achievement_type = if input.achievement_type.trim().is_empty() {
        "Badge".to_string()
    } else {
        input.achievement_type.trim().to_string()
    };
    if !ACHIEVEMENT_TYPES.contains(&achievement_type.as_str()) {
        return Err(AppError::invalid(
            "Choose one of the listed achievement types.",
        ));
    }
    let mut tags: Vec<String> = Vec::new();
    for tag in input
        .tags
        .split(',')
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        let tag = one_line(tag, "A tag", 40)?;
        if !tags.contains(&tag) {
            tags.push(tag);
        }
    }
    if tags.len() > 20 {
        return Err(AppError::invalid("A badge has at most 20 tags."));
    }
    let credits = match input.credits.trim() {
        "" => 0,
        c => c
            .parse::<i32>()
            .ok()
            .filter(|c| (0..=MAX_PROGRAM_CREDITS).contains(c))
            .ok_or_else(|| AppError::invalid("A badge carries 0 to 11 credits."))?,
    };
    let evidence_required = limited(&input.evidence_required, "The required evidence", 4000)?;
    let rubric = parse_rubric(&input.rubric)?;
    let validity_months = match input.validity_months.trim() {
        "" | "0" => None,
        m => Some(
            m.parse::<i32>()
                .ok()
                .filter(|m| (1..=MAX_VALIDITY_MONTHS).contains(m))
                .ok_or_else(|| {
                    AppError::invalid(
                        "Validity is a number of months (1 to 600), or empty for a badge that never expires.",
                    )
                })?,
        ),
    };
    Ok(Checked {
        name,
        description,
        criteria,
        achievement_type,
        tags,
        credits,
        evidence_required,
        rubric,
        validity_months,
        image: None,
    })
}

/// Reads a rubric typed one criterion per line:
/// `Analysis: Exemplary (3), Proficient (2), Developing (1)`.
///
/// # Errors
/// `Invalid`, naming the line that cannot be read.
pub fn parse_rubric(text: &str) -> Result<Vec<RubricCriterion>, AppError> {
    let mut out = Vec::new();
    for (n, line) in text.lines().map(str::trim).enumerate() {
        if line.is_empty() {
            continue;
        }
        let bad = || {
            AppError::invalid(format!(
                "Rubric line {} should read like \"Analysis: Exemplary (3), Proficient (2)\".",
                n + 1
            ))
        };
        let (name, levels) = line.split_once(':').ok_or_else(bad)?;
        let name = limited(name, "A rubric criterion", 120)?;
        if name.is_empty() {
            return Err(bad());
        }
        let mut parsed = Vec::new();
        for level in levels.split(',').map(str::trim).filter(|l| !l.is_empty()) {
            let (level_name, rest) = level.rsplit_once('(').ok_or_else(bad)?;
            let points = rest
                .strip_suffix(')')
                .and_then(|p| p.trim().parse::<u32>().ok())
                .filter(|p| *p <= 1000)
                .ok_or_else(bad)?;
            let level_name = limited(level_name, "A rubric level", 60)?;
            if level_name.is_empty() {
                return Err(bad());
            }
            parsed.push(RubricLevel {
                name: level_name,
                points,
            });
        }
        if parsed.is_empty() || parsed.len() > 10 {
            return Err(bad());
        }
        out.push(RubricCriterion {
            name,
            levels: parsed,
        });
    }
    if out.len() > 20 {
        return Err(AppError::invalid("A rubric has at most 20 criteria."));
    }
    Ok(out)
}

/// Competency ids for the URLs chosen on the form; each must be in the framework or
/// the institution's own.
async fn competency_ids(
    db: &impl ConnectionTrait,
    settings: &Settings,
    inst: &institution::Model,
    urls: &[String],
) -> ServerResult<Vec<i32>> {
    let available = competencies::available(db, Some(inst.id)).await?;
    let mut ids = Vec::new();
    for u in urls.iter().map(|u| u.trim()).filter(|u| !u.is_empty()) {
        let found = available.iter().find(|c| {
            let owner = c.institution_id.map(|_| inst.slug.as_str());
            competencies::url(settings, c, owner) == u
        });
        match found {
            Some(c) if !ids.contains(&c.id) => ids.push(c.id),
            Some(_) => {}
            None => {
                return Err(AppError::invalid("Choose competencies from the list.").into());
            }
        }
    }
    Ok(ids)
}

async fn write_version(
    txn: &impl ConnectionTrait,
    badge_id: i32,
    version: i32,
    image_id: i32,
    c: Checked,
    alignments: &[i32],
    author: Option<i32>,
) -> ServerResult<()> {
    let rubric = if c.rubric.is_empty() {
        None
    } else {
        Some(serde_json::to_string(&c.rubric).map_err(|e| AppError::invalid(e.to_string()))?)
    };
    let tags = serde_json::to_string(&c.tags).map_err(|e| AppError::invalid(e.to_string()))?;
    let v = badge_version::ActiveModel {
        badge_id: Set(badge_id),
        version: Set(version),
        name: Set(c.name),
        description: Set(c.description),
        image_id: Set(image_id),
        criteria: Set(c.criteria),
        achievement_type: Set(c.achievement_type),
        tags: Set(tags),
        credits: Set(c.credits),
        evidence_required: Set(c.evidence_required),
        rubric: Set(rubric),
        validity_months: Set(c.validity_months),
        created_by: Set(author),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    for id in alignments {
        badge_alignment::ActiveModel {
            badge_version_id: Set(v.id),
            competency_id: Set(*id),
        }
        .insert(txn)
        .await?;
    }
    Ok(())
}

/// Creates a badge (version 1) for an institution. Without an uploaded image it gets a
/// generated one.
///
/// # Errors
/// `Invalid` naming the field to fix (nothing is saved); database errors.
pub async fn create(
    db: &DatabaseConnection,
    settings: &Settings,
    inst: &institution::Model,
    author: Option<i32>,
    mut input: BadgeInput,
) -> ServerResult<badge::Model> {
    check(&input)?;
    let image = images::clean_upload(input.image.take()).await?;
    let txn = begin_write(db).await?;
    let b = create_in(&*txn, settings, inst, author, input, image).await?;
    txn.commit().await?;
    Ok(b)
}

/// [`create`] inside the caller's write transaction, with the upload already cleaned.
///
/// # Errors
/// As [`create`].
pub async fn create_in(
    txn: &impl ConnectionTrait,
    settings: &Settings,
    inst: &institution::Model,
    author: Option<i32>,
    input: BadgeInput,
    image: Option<images::CleanImage>,
) -> ServerResult<badge::Model> {
    let mut checked = check(&input)?;
    checked.image = image;
    let alignments = competency_ids(txn, settings, inst, &input.competencies).await?;
    let img = checked
        .image
        .take()
        .unwrap_or_else(|| images::default_badge_svg(&checked.name));
    let image = images::store(txn, img).await?;
    let now = Utc::now();
    let b = badge::ActiveModel {
        public_id: Set(uuid::Uuid::new_v4()),
        institution_id: Set(inst.id),
        current_version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    write_version(txn, b.id, 1, image.id, checked, &alignments, author).await?;
    Ok(b)
}

/// Saves an edit as a new version. Without a new image the previous one stays.
///
/// # Errors
/// `NotFound` when the badge is not the institution's; `Invalid`; database errors.
pub async fn update(
    db: &DatabaseConnection,
    settings: &Settings,
    inst: &institution::Model,
    public_id: &str,
    author: Option<i32>,
    mut input: BadgeInput,
) -> ServerResult<badge::Model> {
    let id = uuid::Uuid::parse_str(public_id.trim()).map_err(|_| AppError::NotFound)?;
    let mut checked = check(&input)?;
    checked.image = images::clean_upload(input.image.take()).await?;
    let txn = begin_write(db).await?;
    let alignments = competency_ids(&*txn, settings, inst, &input.competencies).await?;
    // The row lock makes concurrent edits take turns: each gets its own version number.
    let b = badge::Entity::find()
        .filter(badge::Column::PublicId.eq(id))
        .filter(badge::Column::InstitutionId.eq(inst.id))
        .lock_exclusive()
        .one(&*txn)
        .await?
        .ok_or(AppError::NotFound)?;
    let current = current_version(&*txn, &b).await?;
    let image_id = match checked.image.take() {
        Some(img) => images::store(&*txn, img).await?.id,
        None => current.image_id,
    };
    let next = b.current_version + 1;
    write_version(&*txn, b.id, next, image_id, checked, &alignments, author).await?;
    let mut active: badge::ActiveModel = b.into();
    active.current_version = Set(next);
    active.updated_at = Set(Utc::now());
    let b = active.update(&*txn).await?;
    txn.commit().await?;
    Ok(b)
}

async fn current_version(
    db: &impl ConnectionTrait,
    b: &badge::Model,
) -> ServerResult<badge_version::Model> {
    badge_version::Entity::find()
        .filter(badge_version::Column::BadgeId.eq(b.id))
        .filter(badge_version::Column::Version.eq(b.current_version))
        .one(db)
        .await?
        .ok_or_else(|| AppError::NotFound.into())
}

/// The institution's badge with this public id.
///
/// # Errors
/// `NotFound`; database errors.
pub async fn find(
    db: &impl ConnectionTrait,
    inst: &institution::Model,
    public_id: &str,
) -> ServerResult<badge::Model> {
    let id = uuid::Uuid::parse_str(public_id.trim()).map_err(|_| AppError::NotFound)?;
    badge::Entity::find()
        .filter(badge::Column::PublicId.eq(id))
        .filter(badge::Column::InstitutionId.eq(inst.id))
        .one(db)
        .await?
        .ok_or_else(|| AppError::NotFound.into())
}

/// The URL an image is served at.
pub fn image_url(settings: &Settings, img: &image::Model) -> String {
    format!("{}/images/{}", settings.public_url, img.sha256)
}

/// Views of the current versions of these badges, by badge id.
///
/// # Errors
/// Database errors.
pub async fn views(
    db: &impl ConnectionTrait,
    settings: &Settings,
    list: &[badge::Model],
) -> ServerResult<HashMap<i32, BadgeView>> {
    views_of(db, settings, list, |b| b.current_version).await
}

/// A view of one version of a badge (`None` when there is no such version): what a
/// credential signed with that version describes, however the badge changed since.
///
/// # Errors
/// Database errors.
pub async fn version_view(
    db: &impl ConnectionTrait,
    settings: &Settings,
    b: &badge::Model,
    version: i32,
) -> ServerResult<Option<BadgeView>> {
    Ok(views_of(db, settings, std::slice::from_ref(b), |_| version)
        .await?
        .remove(&b.id))
}

async fn views_of(
    db: &impl ConnectionTrait,
    settings: &Settings,
    list: &[badge::Model],
    version_of: impl Fn(&badge::Model) -> i32,
) -> ServerResult<HashMap<i32, BadgeView>> {
    let mut out = HashMap::new();
    if list.is_empty() {
        return Ok(out);
    }
    // A fixed number of queries, however many badges: their current versions, those
    // versions' images (hash only) and alignments, and the competencies' owners.
    let badge_ids: Vec<i32> = list.iter().map(|b| b.id).collect();
    let versions: Vec<badge_version::Model> = badge_version::Entity::find()
        .filter(badge_version::Column::BadgeId.is_in(badge_ids))
        .all(db)
        .await?
        .into_iter()
        .filter(|v| {
            list.iter()
                .any(|b| b.id == v.badge_id && version_of(b) == v.version)
        })
        .collect();
    let image_ids: Vec<i32> = versions.iter().map(|v| v.image_id).collect();
    let image_hashes: HashMap<i32, String> = image::Entity::find()
        .filter(image::Column::Id.is_in(image_ids))
        .select_only()
        .column(image::Column::Id)
        .column(image::Column::Sha256)
        .into_tuple::<(i32, String)>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let version_ids: Vec<i32> = versions.iter().map(|v| v.id).collect();
    let alignments = badge_alignment::Entity::find()
        .filter(badge_alignment::Column::BadgeVersionId.is_in(version_ids))
        .all(db)
        .await?;
    let competency_ids: Vec<i32> = alignments.iter().map(|a| a.competency_id).collect();
    let aligned_competencies = competency::Entity::find()
        .filter(competency::Column::Id.is_in(competency_ids))
        .order_by_asc(competency::Column::Id)
        .all(db)
        .await?;
    let owner_ids: Vec<i32> = aligned_competencies
        .iter()
        .filter_map(|c| c.institution_id)
        .collect();
    let owners = institution::Entity::find()
        .filter(institution::Column::Id.is_in(owner_ids))
        .all(db)
        .await?;
    for b in list {
        let Some(v) = versions
            .iter()
            .find(|v| v.badge_id == b.id && v.version == version_of(b))
            .cloned()
        else {
            continue;
        };
        let Some(sha) = image_hashes.get(&v.image_id) else {
            continue;
        };
        let alignments = aligned_competencies
            .iter()
            .filter(|c| {
                alignments
                    .iter()
                    .any(|a| a.badge_version_id == v.id && a.competency_id == c.id)
            })
            .map(|c| {
                let owner = c
                    .institution_id
                    .and_then(|id| owners.iter().find(|i| i.id == id));
                competencies::view(settings, c, owner)
            })
            .collect();
        let rubric = v
            .rubric
            .as_deref()
            .and_then(|r| serde_json::from_str(r).ok())
            .unwrap_or_default();
        out.insert(
            b.id,
            BadgeView {
                public_id: b.public_id.to_string(),
                version: v.version,
                name: v.name,
                description: v.description,
                image_url: format!("{}/images/{sha}", settings.public_url),
                criteria: v.criteria,
                achievement_type: v.achievement_type,
                tags: serde_json::from_str(&v.tags).unwrap_or_default(),
                credits: v.credits,
                evidence_required: v.evidence_required,
                rubric,
                validity_months: v.validity_months,
                alignments,
            },
        );
    }
    Ok(out)
}

/// An institution's badges, newest first.
///
/// # Errors
/// Database errors.
pub async fn list(
    db: &impl ConnectionTrait,
    settings: &Settings,
    inst: &institution::Model,
) -> ServerResult<Vec<BadgeView>> {
    let list = badge::Entity::find()
        .filter(badge::Column::InstitutionId.eq(inst.id))
        .order_by_desc(badge::Column::Id)
        .all(db)
        .await?;
    let mut views = views(db, settings, &list).await?;
    Ok(list.iter().filter_map(|b| views.remove(&b.id)).collect())
}

/// The permanent id of a badge version as signed into credentials.
pub fn achievement_id(
    settings: &Settings,
    inst: &institution::Model,
    b: &badge::Model,
    version: i32,
) -> String {
    PublicUrl::Achievement {
        slug: inst.slug.clone(),
        id: b.public_id,
        version: u32::try_from(version).unwrap_or_default(),
    }
    .to_url(&settings.public_url)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::model::catalog::rubric_text;

    #[test]
    fn rubric_round_trip() {
        let text = "Analysis: Exemplary (3), Proficient (2), Developing (1)\n\nWriting: Clear (2), Unclear (0)";
        let r = parse_rubric(text).unwrap_or_default();
        assert_eq!(r.len(), 2);
        assert_eq!(
            r[0].levels[1],
            RubricLevel {
                name: "Proficient".into(),
                points: 2
            }
        );
        assert_eq!(rubric_text(&r), text.replace("\n\n", "\n"));
    }

    #[test]
    fn bad_rubric_names_the_line() {
        let err = parse_rubric("Analysis: Good (3)\nWriting good").unwrap_err();
        assert!(err.to_string().contains("line 2"), "{err}");
        assert!(parse_rubric("Analysis: Good").is_err());
        assert!(parse_rubric(": Good (1)").is_err());
    }

    #[test]
    fn credits_and_validity_rules() {
        let base = BadgeInput {
            name: "A".into(),
            description: "B".into(),
            criteria: "C".into(),
            ..Default::default()
        };
        for bad in ["12", "-1", "x"] {
            let input = BadgeInput {
                credits: bad.into(),
                ..base.clone()
            };
            assert!(check(&input).is_err(), "{bad}");
        }
        let ok = check(&BadgeInput {
            credits: "11".into(),
            validity_months: "24".into(),
            ..base.clone()
        });
        assert!(ok.is_ok_and(|c| c.credits == 11 && c.validity_months == Some(24)));
        assert!(
            check(&BadgeInput {
                validity_months: "601".into(),
                ..base.clone()
            })
            .is_err()
        );
        assert!(
            check(&BadgeInput {
                achievement_type: "Hack".into(),
                ..base
            })
            .is_err()
        );
    }
}
