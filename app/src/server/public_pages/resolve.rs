//! From a public URL to what may be shown, or why not.
//!
//! | URL | shown while | otherwise |
//! |---|---|---|
//! | `/c/{public_id}` | the award or imported badge `is_public` | 404 (unknown, private); 410 once the holder's account is deleted |
//! | `/b/{token}` | the link (kind `badge`) is neither revoked nor expired | 404 (unknown, malformed, another kind); 410 (revoked, expired, account deleted) |
//! | `/s/{token}` | the same, kinds `collection` and `stack` | the same |
//!
//! Evidence: a share link shows it when the learner said so (`show_evidence`). The
//! permanent page shows the evidence the signed credential itself embeds (narrative and
//! web links), since that credential is published at the same address
//! (`…/credential.json`, the baked images, the page's JSON-LD) for anyone to read;
//! uploaded files are never linked from a public page.

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::Value;

use crate::model::portfolio::{Mark, Stack};
use crate::server::catalog::competencies;
use crate::server::entities::{
    award, badge_alignment, badge_version, collection, collection_item, competency, credential,
    endorsement, image, imported_badge, institution, program, share_link, user, view_count,
};
use crate::server::error::ServerError;
use crate::server::portfolio::{self, mark};
use crate::server::state::Settings;
use crate::server::urls;

/// Why a page is gone for good (410).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gone {
    /// The holder deleted their account.
    AccountDeleted,
    /// The learner withdrew the share link.
    LinkRevoked,
    /// The share link's own expiry passed (not the badge's).
    LinkExpired,
}

/// Why nothing is shown.
#[derive(Debug, thiserror::Error)]
pub enum PublicError {
    #[error("not found")]
    NotFound,
    #[error("gone: {0:?}")]
    Gone(Gone),
    /// Too many images are being drawn: try again shortly.
    #[error("busy")]
    Busy,
    #[error(transparent)]
    Server(#[from] ServerError),
}

impl From<sea_orm::DbErr> for PublicError {
    fn from(e: sea_orm::DbErr) -> Self {
        Self::Server(e.into())
    }
}

/// The badge behind a page.
#[derive(Debug, Clone)]
pub enum Holder {
    Award(award::Model),
    Import(imported_badge::Model),
}

/// One piece of evidence as shown.
#[derive(Debug, Clone)]
pub struct Evidence {
    pub name: String,
    /// A web address only.
    pub url: Option<String>,
    pub description: Option<String>,
}

/// One approved endorsement.
#[derive(Debug, Clone)]
pub struct Endorsement {
    pub endorser: String,
    pub statement: String,
    pub date: Option<DateTime<Utc>>,
}

/// Everything a public badge page shows.
#[derive(Debug, Clone)]
pub struct Badge {
    pub holder: Holder,
    pub name: String,
    pub description: String,
    /// Shown in the page (ours or `https:`).
    pub image_url: Option<String>,
    /// Our stored image, for the images made from it.
    pub image_id: Option<i32>,
    pub issuer_name: String,
    pub issuer_url: Option<String>,
    pub recipient_name: String,
    pub issued_at: Option<DateTime<Utc>>,
    pub expires_at: Option<DateTime<Utc>>,
    pub criteria: String,
    /// Name and address of each aligned competency.
    pub alignments: Vec<(String, String)>,
    pub credits: i32,
    pub narrative: Option<String>,
    pub evidence: Vec<Evidence>,
    pub endorsements: Vec<Endorsement>,
    pub mark: Mark,
    /// Why not verified, or the issuer's reason for a revocation.
    pub reason: Option<String>,
    /// The credential as published: JSON text, or a JWT for an imported one.
    pub credential: Option<String>,
    /// The credential embeds evidence and the share link hides evidence: the signed
    /// credential (JSON, baked images, JSON-LD) is not handed out through this link.
    pub credential_withheld: bool,
    pub allow_indexing: bool,
}

impl Badge {
    /// The public id of the badge (`/c/{id}`).
    pub fn public_id(&self) -> uuid::Uuid {
        match &self.holder {
            Holder::Award(a) => a.public_id,
            Holder::Import(i) => i.public_id,
        }
    }

    /// Whether it is public (has a permanent page).
    pub fn is_public(&self) -> bool {
        match &self.holder {
            Holder::Award(a) => a.is_public,
            Holder::Import(i) => i.is_public,
        }
    }

    /// The credential parsed as JSON (none for a JWT).
    pub fn credential_json(&self) -> Option<Value> {
        self.credential
            .as_deref()
            .and_then(|c| serde_json::from_str::<Value>(c).ok())
            .filter(Value::is_object)
    }
}

/// A badge page resolved.
#[derive(Debug, Clone)]
pub struct Resolved {
    pub badge: Badge,
    /// `/c/{id}` or `/b/{token}` (no base, no trailing slash).
    pub path: String,
    /// The share link it was reached through.
    pub link: Option<share_link::Model>,
    /// What a view is counted against (`view_counts.subject_kind`, `subject_id`).
    pub view: (&'static str, i32),
}

impl Resolved {
    /// Whether search engines may list the page: only a permanent page whose holder
    /// said so (a share link never).
    pub fn indexable(&self) -> bool {
        self.link.is_none() && self.badge.allow_indexing
    }
}

/// One badge on a shared collection or stack.
#[derive(Debug, Clone)]
pub struct Card {
    pub name: String,
    pub issuer: String,
    pub image_url: Option<String>,
    pub mark: Mark,
    pub issued_at: Option<DateTime<Utc>>,
    /// Its permanent page, when the badge is public.
    pub page: Option<String>,
}

/// What a `/s/{token}` link shows.
#[derive(Debug, Clone)]
pub enum Shared {
    Collection {
        link: share_link::Model,
        owner: String,
        name: String,
        description: String,
        cards: Vec<Card>,
    },
    Stack {
        link: share_link::Model,
        owner: String,
        stack: Box<Stack>,
        /// The permanent page of each held part that is public, by award public id.
        pages: Vec<(String, String)>,
    },
}

impl Shared {
    /// The link.
    pub fn link(&self) -> &share_link::Model {
        match self {
            Self::Collection { link, .. } | Self::Stack { link, .. } => link,
        }
    }
}

fn text(v: &Value, key: &str) -> Option<String> {
    v.get(key)
        .and_then(Value::as_str)
        .map(str::to_string)
        .filter(|s| !s.trim().is_empty())
}

/// Only web addresses become links.
pub fn web_link(url: Option<String>) -> Option<String> {
    url.filter(|u| {
        let l = u.get(..8).unwrap_or(u).to_ascii_lowercase();
        u.len() <= 2048 && (l.starts_with("https://") || l.starts_with("http://"))
    })
}

/// An image address fit to show in a public page: ours or `https:`.
fn shown_image(url: Option<String>, settings: &Settings) -> Option<String> {
    url.filter(|u| {
        u.len() <= 2048
            && (u.to_ascii_lowercase().starts_with("https://")
                || u.starts_with(&format!("{}/", settings.public_url)))
    })
}

async fn holder_user(db: &impl ConnectionTrait, id: i32) -> Result<user::Model, PublicError> {
    let u = user::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(PublicError::NotFound)?;
    if u.deleted_at.is_some() {
        return Err(PublicError::Gone(Gone::AccountDeleted));
    }
    Ok(u)
}

/// Whether a credential embeds any evidence.
fn has_evidence(json: &Value) -> bool {
    json.get("evidence").is_some_and(|e| match e {
        Value::Array(a) => !a.is_empty(),
        Value::Null => false,
        _ => true,
    })
}

/// The evidence embedded in a credential (narrative, then web links).
fn evidence_of(json: &Value) -> (Option<String>, Vec<Evidence>) {
    let mut narrative = None;
    let mut out = Vec::new();
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
        out.push(Evidence {
            name: text(e, "name").unwrap_or_else(|| "Evidence".into()),
            url: web_link(text(e, "id")),
            description: text(e, "description"),
        });
    }
    (narrative, out)
}

async fn endorsements_of(
    db: &impl ConnectionTrait,
    award_id: i32,
) -> Result<Vec<Endorsement>, PublicError> {
    Ok(endorsement::Entity::find()
        .filter(endorsement::Column::AwardId.eq(award_id))
        .filter(endorsement::Column::Status.eq(endorsement::STATUS_APPROVED))
        .order_by_asc(endorsement::Column::DecidedAt)
        .order_by_asc(endorsement::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .filter_map(|e| {
            Some(Endorsement {
                endorser: e
                    .endorser_name
                    .clone()
                    .filter(|n| !n.trim().is_empty())
                    .unwrap_or_else(|| "An endorser".into()),
                statement: e.statement.clone().filter(|s| !s.trim().is_empty())?,
                date: e.decided_at.or(e.submitted_at),
            })
        })
        .collect())
}

async fn alignments_of(
    db: &impl ConnectionTrait,
    settings: &Settings,
    version_id: i32,
) -> Result<Vec<(String, String)>, PublicError> {
    let ids: Vec<i32> = badge_alignment::Entity::find()
        .filter(badge_alignment::Column::BadgeVersionId.eq(version_id))
        .all(db)
        .await?
        .into_iter()
        .map(|r| r.competency_id)
        .collect();
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let list = competency::Entity::find()
        .filter(competency::Column::Id.is_in(ids))
        .all(db)
        .await?;
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
    Ok(out)
}

/// The page of an award (any visibility: the caller decides).
async fn award_badge(
    db: &impl ConnectionTrait,
    settings: &Settings,
    a: award::Model,
    owner: &user::Model,
    show_evidence: bool,
    now: DateTime<Utc>,
) -> Result<Badge, PublicError> {
    let cred = credential::Entity::find_by_id(a.credential_id)
        .one(db)
        .await?
        .ok_or(PublicError::NotFound)?;
    let version = badge_version::Entity::find_by_id(a.badge_version_id)
        .one(db)
        .await?;
    let issuer = institution::Entity::find_by_id(a.institution_id)
        .one(db)
        .await?;
    let json: Value = serde_json::from_str(&cred.json).unwrap_or(Value::Null);
    let achievement = json
        .pointer("/credentialSubject/achievement")
        .cloned()
        .unwrap_or(Value::Null);
    let image_url = match &version {
        Some(v) => portfolio::image_urls(db, settings, [v.image_id])
            .await?
            .get(&v.image_id)
            .cloned(),
        None => None,
    };
    let (narrative, evidence) = if show_evidence {
        evidence_of(&json)
    } else {
        (None, Vec::new())
    };
    let withheld = !show_evidence && has_evidence(&json);
    let alignments = alignments_of(db, settings, a.badge_version_id).await?;
    let endorsements = endorsements_of(db, a.id).await?;
    let m = portfolio::award_mark(&a, now);
    let reason = if a.revoked_at.is_some() {
        a.revocation_reason.clone().filter(|r| !r.trim().is_empty())
    } else {
        None
    };
    Ok(Badge {
        name: version
            .as_ref()
            .map(|v| v.name.clone())
            .or_else(|| text(&achievement, "name"))
            .unwrap_or_default(),
        description: version
            .as_ref()
            .map(|v| v.description.clone())
            .or_else(|| text(&achievement, "description"))
            .unwrap_or_default(),
        image_url,
        image_id: version.as_ref().map(|v| v.image_id),
        issuer_name: issuer.as_ref().map(|i| i.name.clone()).unwrap_or_default(),
        issuer_url: issuer.as_ref().map(|i| {
            urls::PublicUrl::IssuerProfile {
                slug: i.slug.clone(),
            }
            .to_url(&settings.public_url)
        }),
        recipient_name: if owner.display_name.trim().is_empty() {
            a.recipient_name.clone()
        } else {
            owner.display_name.clone()
        },
        issued_at: Some(a.awarded_at),
        expires_at: a.expires_at,
        criteria: version
            .as_ref()
            .map(|v| v.criteria.clone())
            .or_else(|| {
                achievement
                    .pointer("/criteria/narrative")
                    .and_then(Value::as_str)
                    .map(str::to_string)
            })
            .unwrap_or_default(),
        alignments,
        credits: version.as_ref().map_or(0, |v| v.credits),
        narrative,
        evidence,
        endorsements,
        mark: m,
        reason,
        credential: (!withheld).then_some(cred.json),
        credential_withheld: withheld,
        allow_indexing: a.allow_indexing,
        holder: Holder::Award(a),
    })
}

/// The credential of an imported badge as published: the JSON or JWT imported, or the
/// one baked into the imported image.
fn import_credential(i: &imported_badge::Model) -> Option<String> {
    match i.format.as_str() {
        imported_badge::FORMAT_BAKED_PNG | imported_badge::FORMAT_BAKED_SVG => {
            openbadges::baking::extract(&i.original, &openbadges::baking::Limits::default())
                .ok()
                .flatten()
                .map(|e| e.payload)
        }
        // A badge imported by its address holds only the address, not a credential.
        imported_badge::FORMAT_URL => None,
        _ => String::from_utf8(i.original.clone()).ok(),
    }
}

fn import_badge(
    settings: &Settings,
    i: imported_badge::Model,
    owner: &user::Model,
    show_evidence: bool,
    now: DateTime<Utc>,
) -> Badge {
    let credential = import_credential(&i);
    let json = credential
        .as_deref()
        .and_then(|c| serde_json::from_str::<Value>(c).ok())
        .unwrap_or(Value::Null);
    let achievement = json
        .pointer("/credentialSubject/achievement")
        .cloned()
        .unwrap_or(Value::Null);
    let (narrative, evidence) = if show_evidence {
        evidence_of(&json)
    } else {
        (None, Vec::new())
    };
    // Fail closed: a credential that cannot be read for evidence is withheld too.
    let withheld = !show_evidence && (has_evidence(&json) || json.is_null());
    Badge {
        name: i.name.clone(),
        description: i.description.clone(),
        image_url: shown_image(i.image_url.clone(), settings),
        image_id: None,
        issuer_name: i.issuer_name.clone(),
        issuer_url: web_link(i.issuer_url.clone()),
        recipient_name: owner.display_name.clone(),
        issued_at: i.issued_at,
        expires_at: i.expires_at,
        criteria: achievement
            .pointer("/criteria/narrative")
            .and_then(Value::as_str)
            .map(str::to_string)
            .unwrap_or_default(),
        alignments: Vec::new(),
        credits: 0,
        narrative,
        evidence,
        endorsements: Vec::new(),
        mark: mark(false, &i.verdict, &i.standing, i.expires_at, now),
        reason: None,
        credential: if withheld { None } else { credential },
        credential_withheld: withheld,
        allow_indexing: i.allow_indexing,
        holder: Holder::Import(i),
    }
}

/// `/c/{public_id}`.
///
/// # Errors
/// `NotFound` (unknown, private, malformed), `Gone` (account deleted); database errors.
pub async fn permanent(
    db: &impl ConnectionTrait,
    settings: &Settings,
    id: &str,
    now: DateTime<Utc>,
) -> Result<Resolved, PublicError> {
    let uuid = uuid::Uuid::try_parse(id).map_err(|_| PublicError::NotFound)?;
    // Only the canonical spelling (lower-case, hyphenated) is a page.
    if uuid.hyphenated().to_string() != id {
        return Err(PublicError::NotFound);
    }
    if let Some(a) = award::Entity::find()
        .filter(award::Column::PublicId.eq(uuid))
        .one(db)
        .await?
    {
        let owner = holder_user(db, a.user_id.ok_or(PublicError::NotFound)?).await?;
        if !a.is_public || a.replaced_by.is_some() {
            return Err(PublicError::NotFound);
        }
        let view = (view_count::SUBJECT_AWARD, a.id);
        return Ok(Resolved {
            badge: award_badge(db, settings, a, &owner, true, now).await?,
            path: urls::credential_path(uuid),
            link: None,
            view,
        });
    }
    let i = imported_badge::Entity::find()
        .filter(imported_badge::Column::PublicId.eq(uuid))
        .one(db)
        .await?
        .ok_or(PublicError::NotFound)?;
    let owner = holder_user(db, i.user_id).await?;
    if !i.is_public {
        return Err(PublicError::NotFound);
    }
    let view = (view_count::SUBJECT_IMPORT, i.id);
    Ok(Resolved {
        badge: import_badge(settings, i, &owner, true, now),
        path: urls::credential_path(uuid),
        link: None,
        view,
    })
}

/// A live share link by its token, of one of `kinds`.
async fn live_link(
    db: &impl ConnectionTrait,
    token: &str,
    kinds: &[&str],
    now: DateTime<Utc>,
) -> Result<(share_link::Model, user::Model), PublicError> {
    if !super::is_token(token) {
        return Err(PublicError::NotFound);
    }
    let link = share_link::Entity::find()
        .filter(share_link::Column::Token.eq(token))
        .one(db)
        .await?
        .ok_or(PublicError::NotFound)?;
    if !kinds.contains(&link.kind.as_str()) {
        return Err(PublicError::NotFound);
    }
    let owner = holder_user(db, link.user_id).await?;
    if link.revoked_at.is_some() {
        return Err(PublicError::Gone(Gone::LinkRevoked));
    }
    if link.expires_at.is_some_and(|t| t <= now) {
        return Err(PublicError::Gone(Gone::LinkExpired));
    }
    Ok((link, owner))
}

/// `/b/{token}`.
///
/// # Errors
/// `NotFound` (unknown, malformed, another kind, a badge not the link owner's), `Gone`
/// (revoked, expired, account deleted); database errors.
pub async fn badge_link(
    db: &impl ConnectionTrait,
    settings: &Settings,
    token: &str,
    now: DateTime<Utc>,
) -> Result<Resolved, PublicError> {
    let (link, owner) = live_link(db, token, &[share_link::KIND_BADGE], now).await?;
    let badge = match (link.award_id, link.imported_badge_id) {
        (Some(id), None) => {
            let a = award::Entity::find_by_id(id)
                .one(db)
                .await?
                .ok_or(PublicError::NotFound)?;
            // Only the holder's own badge, whatever the row says (fail closed).
            if a.user_id != Some(owner.id) {
                return Err(PublicError::NotFound);
            }
            award_badge(db, settings, a, &owner, link.show_evidence, now).await?
        }
        (None, Some(id)) => {
            let i = imported_badge::Entity::find_by_id(id)
                .one(db)
                .await?
                .ok_or(PublicError::NotFound)?;
            if i.user_id != owner.id {
                return Err(PublicError::NotFound);
            }
            import_badge(settings, i, &owner, link.show_evidence, now)
        }
        _ => return Err(PublicError::NotFound),
    };
    Ok(Resolved {
        badge,
        path: urls::badge_link_path(token),
        view: (view_count::SUBJECT_LINK, link.id),
        link: Some(link),
    })
}

/// `/s/{token}`: a collection (its badges in order, private ones too: the learner
/// shared them) or a program's stack with the learner's progress.
///
/// # Errors
/// As [`badge_link`].
pub async fn shared(
    db: &impl ConnectionTrait,
    settings: &Settings,
    token: &str,
    now: DateTime<Utc>,
) -> Result<Shared, PublicError> {
    let (link, owner) = live_link(
        db,
        token,
        &[share_link::KIND_COLLECTION, share_link::KIND_STACK],
        now,
    )
    .await?;
    if link.kind == share_link::KIND_COLLECTION {
        let c = collection::Entity::find_by_id(link.collection_id.ok_or(PublicError::NotFound)?)
            .one(db)
            .await?
            .filter(|c| c.user_id == owner.id)
            .ok_or(PublicError::NotFound)?;
        let items = collection_item::Entity::find()
            .filter(collection_item::Column::CollectionId.eq(c.id))
            .order_by_asc(collection_item::Column::Position)
            .order_by_asc(collection_item::Column::Id)
            .all(db)
            .await?;
        let award_ids: Vec<i32> = items.iter().filter_map(|i| i.award_id).collect();
        let import_ids: Vec<i32> = items.iter().filter_map(|i| i.imported_badge_id).collect();
        let awards = if award_ids.is_empty() {
            Vec::new()
        } else {
            award::Entity::find()
                .filter(award::Column::Id.is_in(award_ids))
                .filter(award::Column::UserId.eq(owner.id))
                .all(db)
                .await?
        };
        let held = portfolio::held_from(db, settings, awards).await?;
        let imports = if import_ids.is_empty() {
            Vec::new()
        } else {
            imported_badge::Entity::find()
                .filter(imported_badge::Column::Id.is_in(import_ids))
                .filter(imported_badge::Column::UserId.eq(owner.id))
                .all(db)
                .await?
        };
        let mut cards = Vec::new();
        for item in &items {
            if let Some(h) = item
                .award_id
                .and_then(|id| held.iter().find(|h| h.award.id == id))
            {
                cards.push(Card {
                    name: h
                        .version
                        .as_ref()
                        .map(|v| v.name.clone())
                        .unwrap_or_default(),
                    issuer: h
                        .issuer
                        .as_ref()
                        .map(|i| i.name.clone())
                        .unwrap_or_default(),
                    image_url: Some(h.image_url.clone()).filter(|u| !u.is_empty()),
                    mark: portfolio::award_mark(&h.award, now),
                    issued_at: Some(h.award.awarded_at),
                    page: h
                        .award
                        .is_public
                        .then(|| urls::credential_path(h.award.public_id)),
                });
            } else if let Some(i) = item
                .imported_badge_id
                .and_then(|id| imports.iter().find(|i| i.id == id))
            {
                cards.push(Card {
                    name: i.name.clone(),
                    issuer: i.issuer_name.clone(),
                    image_url: shown_image(i.image_url.clone(), settings),
                    mark: mark(false, &i.verdict, &i.standing, i.expires_at, now),
                    issued_at: i.issued_at,
                    page: i.is_public.then(|| urls::credential_path(i.public_id)),
                });
            }
        }
        return Ok(Shared::Collection {
            owner: owner.display_name.clone(),
            name: c.name,
            description: c.description,
            cards,
            link,
        });
    }
    let p = program::Entity::find_by_id(link.program_id.ok_or(PublicError::NotFound)?)
        .one(db)
        .await?
        .ok_or(PublicError::NotFound)?;
    let held = portfolio::held(db, settings, owner.id).await?;
    let stack = portfolio::overview::stacks(db, settings, owner.id, &held)
        .await?
        .into_iter()
        .find(|s| s.program_slug == p.slug)
        .ok_or(PublicError::NotFound)?;
    let pages = held
        .iter()
        .filter(|h| h.award.is_public)
        .map(|h| {
            (
                h.award.public_id.to_string(),
                urls::credential_path(h.award.public_id),
            )
        })
        .collect();
    Ok(Shared::Stack {
        owner: owner.display_name.clone(),
        stack: Box::new(stack),
        pages,
        link,
    })
}

/// The bytes and type of a stored image.
///
/// # Errors
/// Database errors.
pub async fn image_bytes(
    db: &impl ConnectionTrait,
    id: i32,
) -> Result<Option<(String, Vec<u8>)>, PublicError> {
    Ok(image::Entity::find_by_id(id)
        .one(db)
        .await?
        .map(|i| (i.content_type, i.bytes)))
}
