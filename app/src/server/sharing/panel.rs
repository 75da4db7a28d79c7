//! The share panel of one of the learner's badges: the permanent link and whether it
//! answers, LinkedIn, embeds, the e-mail signature (this badge, and a row of up to four
//! public badges) and the badge's share links with their view counts.

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, sea_query::Expr};

use super::{links, snippets};
use crate::error::AppError;
use crate::model::sharing::{MAX_LIVE_LINKS, SharePanel, ShareTarget, Snippet};
use crate::server::db::{BeginWrite, begin_write};
use crate::server::entities::{award, view_count};
use crate::server::error::ServerResult;
use crate::server::portfolio::{Held, detail::own_award, held_from};
use crate::server::state::Settings;

/// The snippets' view of a held badge.
pub fn card(h: &Held) -> snippets::Card {
    snippets::Card {
        public_id: h.award.public_id,
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
        linkedin_org_id: h.issuer.as_ref().and_then(|i| i.linkedin_org_id.clone()),
        image_url: h.image_url.clone(),
        issued_at: h.award.awarded_at,
        expires_at: h.award.expires_at,
    }
}

/// The learner's public, unrevoked badges for a signature row: `first` (when public)
/// and then the newest, at most [`snippets::SIGNATURE_ROW_MAX`].
///
/// # Errors
/// Database errors.
pub async fn signature_row<C: BeginWrite>(
    db: &C,
    settings: &Settings,
    user_id: i32,
    first: Option<i32>,
) -> ServerResult<Vec<Held>> {
    let mut awards = award::Entity::find()
        .filter(award::Column::UserId.eq(user_id))
        .filter(award::Column::IsPublic.eq(true))
        .filter(award::Column::RevokedAt.is_null())
        .filter(award::Column::ReplacedBy.is_null())
        .order_by_desc(award::Column::AwardedAt)
        .order_by_desc(award::Column::Id)
        .limit(u64::try_from(snippets::SIGNATURE_ROW_MAX + 1).unwrap_or(5))
        .all(db)
        .await?;
    if let Some(f) = first
        && let Some(pos) = awards.iter().position(|a| a.id == f)
    {
        let a = awards.remove(pos);
        awards.insert(0, a);
    }
    awards.truncate(snippets::SIGNATURE_ROW_MAX);
    held_from(db, settings, awards).await
}

/// The learner's public, unrevoked badges, newest first (at most 50), to choose from.
///
/// # Errors
/// Database errors.
pub async fn public_badges<C: BeginWrite>(
    db: &C,
    settings: &Settings,
    user_id: i32,
) -> ServerResult<Vec<ShareTarget>> {
    let awards = award::Entity::find()
        .filter(award::Column::UserId.eq(user_id))
        .filter(award::Column::IsPublic.eq(true))
        .filter(award::Column::RevokedAt.is_null())
        .filter(award::Column::ReplacedBy.is_null())
        .order_by_desc(award::Column::AwardedAt)
        .order_by_desc(award::Column::Id)
        .limit(50)
        .all(db)
        .await?;
    Ok(held_from(db, settings, awards)
        .await?
        .iter()
        .map(|h| ShareTarget {
            kind: "badge".into(),
            target: h.award.public_id.to_string(),
            name: h
                .version
                .as_ref()
                .map(|v| v.name.clone())
                .unwrap_or_default(),
        })
        .collect())
}

/// The signature for badges the learner chose by public id (up to four of their own
/// public badges, in the order given).
///
/// # Errors
/// `Invalid` for more than four or none; `NotFound` for a badge that is not theirs or
/// not public; database errors.
pub async fn chosen_signature<C: BeginWrite>(
    db: &C,
    settings: &Settings,
    user_id: i32,
    public_ids: &[String],
) -> ServerResult<Snippet> {
    if public_ids.is_empty() || public_ids.len() > snippets::SIGNATURE_ROW_MAX {
        return Err(AppError::invalid(format!(
            "Choose one to {} public badges for the signature.",
            snippets::SIGNATURE_ROW_MAX
        ))
        .into());
    }
    let mut awards = Vec::new();
    for id in public_ids {
        let a = own_award(db, user_id, id).await?;
        if !a.is_public || a.revoked_at.is_some() {
            return Err(AppError::invalid(
                "Only public badges go into a signature: make it public first.",
            )
            .into());
        }
        awards.push(a);
    }
    let held = held_from(db, settings, awards).await?;
    let cards: Vec<_> = held.iter().map(card).collect();
    let (html, text) = snippets::signature(&settings.public_url, &cards);
    Ok(Snippet { html, text })
}

/// Everything the share panel of one of the learner's awards shows.
///
/// # Errors
/// `NotFound` for an award that is not theirs; database errors.
pub async fn share_panel<C: BeginWrite>(
    db: &C,
    settings: &Settings,
    user_id: i32,
    award_public_id: &str,
    now: DateTime<Utc>,
) -> ServerResult<SharePanel> {
    let a = own_award(db, user_id, award_public_id).await?;
    let h = held_from(db, settings, vec![a.clone()])
        .await?
        .into_iter()
        .next()
        .ok_or(AppError::NotFound)?;
    let base = settings.public_url.as_str();
    let c = card(&h);
    let (sig_html, sig_text) = snippets::signature(base, std::slice::from_ref(&c));
    let row = signature_row(db, settings, user_id, Some(a.id)).await?;
    let row_cards: Vec<_> = row.iter().map(card).collect();
    let signature_row = if row_cards.is_empty() {
        Snippet::default()
    } else {
        let (html, text) = snippets::signature(base, &row_cards);
        Snippet { html, text }
    };
    let permanent_views = links::views_by_source(db, view_count::SUBJECT_AWARD, &[a.id])
        .await?
        .remove(&a.id)
        .unwrap_or_default();
    Ok(SharePanel {
        public_id: a.public_id.to_string(),
        name: c.name.clone(),
        is_public: a.is_public,
        allow_indexing: a.allow_indexing,
        permanent_url: crate::server::urls::credential_url(base, a.public_id),
        permanent_views,
        linkedin_add_url: snippets::linkedin_add_url(base, &c),
        linkedin_share_url: snippets::linkedin_share_url(base, a.public_id),
        cert_id: snippets::cert_id(a.public_id),
        embed_iframe: snippets::embed_iframe(base, &c),
        embed_link: snippets::embed_link(base, &c),
        embed_image: snippets::embed_image(base, &c),
        signature: Snippet {
            html: sig_html,
            text: sig_text,
        },
        signature_row,
        signature_row_names: row_cards.iter().map(|c| c.name.clone()).collect(),
        public_badges: public_badges(db, settings, user_id).await?,
        links: links::list(db, base, user_id, Some(a.id), now).await?,
        live_links: links::live_count(db, user_id, now).await?,
        max_links: MAX_LIVE_LINKS,
    })
}

/// Lets search engines list the badge's public page, or asks them not to.
///
/// # Errors
/// `NotFound` for an award that is not theirs; database errors.
pub async fn set_allow_indexing<C: BeginWrite>(
    db: &C,
    user_id: i32,
    award_public_id: &str,
    allow: bool,
) -> ServerResult<bool> {
    let a = own_award(db, user_id, award_public_id).await?;
    let txn = begin_write(db).await?;
    award::Entity::update_many()
        .col_expr(award::Column::AllowIndexing, Expr::value(allow))
        .filter(award::Column::Id.eq(a.id))
        .filter(award::Column::UserId.eq(user_id))
        .exec(&*txn)
        .await?;
    txn.commit().await?;
    Ok(allow)
}
