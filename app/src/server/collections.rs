//! The learner's collections: named (≤ 80 characters), described (≤ 500), ordered
//! groups of their own badges, awards and imports alike. Every function takes the
//! owner's id and finds only their rows: another learner's collection is "not found",
//! and only the owner's own badges can go in. Changes run in one write transaction
//! with the collection's row locked (PostgreSQL), so concurrent reorders take turns.

use std::collections::HashMap;

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set, sea_query::Expr,
};

use crate::api::collections::{
    CollectionBadge, CollectionView, CollectionsPage, DESCRIPTION_MAX_CHARS, NAME_MAX_CHARS,
};
use crate::error::AppError;
use crate::model::portfolio::badge_path;
use crate::server::db::begin_write;
use crate::server::entities::{award, collection, collection_item, imported_badge};
use crate::server::error::ServerResult;
use crate::server::portfolio::held;
use crate::server::state::Settings;

/// Most collections per learner.
pub const MAX_COLLECTIONS: u64 = 100;
/// Most badges per collection.
pub const MAX_ITEMS: u64 = 200;

/// A badge reference: `a:{uuid}` (an award) or `i:{uuid}` (an import).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum BadgeRef {
    Award(uuid::Uuid),
    Import(uuid::Uuid),
}

impl BadgeRef {
    fn parse(s: &str) -> Result<Self, AppError> {
        let s = s.trim();
        let (kind, id) = s.split_once(':').ok_or(AppError::NotFound)?;
        let id = uuid::Uuid::try_parse(id).map_err(|_| AppError::NotFound)?;
        match kind {
            "a" => Ok(Self::Award(id)),
            "i" => Ok(Self::Import(id)),
            _ => Err(AppError::NotFound),
        }
    }

    fn text(self) -> String {
        match self {
            Self::Award(id) => format!("a:{id}"),
            Self::Import(id) => format!("i:{id}"),
        }
    }
}

/// `up` → true, `down` → false.
///
/// # Errors
/// `Invalid` for anything else.
pub fn parse_direction(s: &str) -> Result<bool, AppError> {
    match s.trim() {
        "up" => Ok(true),
        "down" => Ok(false),
        _ => Err(AppError::invalid("Move up or down.")),
    }
}

fn check_name(name: &str) -> Result<String, AppError> {
    let name = name.trim();
    if name.is_empty()
        || name.chars().count() > NAME_MAX_CHARS
        || name.chars().any(char::is_control)
    {
        return Err(AppError::invalid(format!(
            "Give the collection a name: one line of 1 to {NAME_MAX_CHARS} characters."
        )));
    }
    Ok(name.to_string())
}

fn check_description(d: &str) -> Result<String, AppError> {
    let d = d.trim();
    if d.chars().count() > DESCRIPTION_MAX_CHARS {
        return Err(AppError::invalid(format!(
            "Keep the description under {DESCRIPTION_MAX_CHARS} characters."
        )));
    }
    if d.chars()
        .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
    {
        return Err(AppError::invalid(
            "The description contains control characters.",
        ));
    }
    Ok(d.replace("\r\n", "\n"))
}

/// The learner's collection by public id, locked for the transaction (PostgreSQL).
async fn own(
    db: &impl ConnectionTrait,
    user_id: i32,
    public_id: &str,
) -> ServerResult<collection::Model> {
    let id = uuid::Uuid::try_parse(public_id.trim()).map_err(|_| AppError::NotFound)?;
    collection::Entity::find()
        .filter(collection::Column::PublicId.eq(id))
        .filter(collection::Column::UserId.eq(user_id))
        .lock_exclusive()
        .one(db)
        .await?
        .ok_or_else(|| AppError::NotFound.into())
}

/// Every badge the learner holds, as collection entries, by reference: awards (not
/// replaced by a re-issue) newest first, then imports.
async fn badges_of(
    db: &impl ConnectionTrait,
    settings: &Settings,
    user_id: i32,
) -> ServerResult<(
    Vec<CollectionBadge>,
    HashMap<i32, String>,
    HashMap<i32, String>,
)> {
    let mut out = Vec::new();
    let mut awards = HashMap::new();
    let mut imports = HashMap::new();
    for h in held(db, settings, user_id).await? {
        let r = BadgeRef::Award(h.award.public_id).text();
        awards.insert(h.award.id, r.clone());
        out.push(CollectionBadge {
            badge: r,
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
            image_url: h.image_url,
            href: Some(badge_path(&h.award.public_id.to_string())),
        });
    }
    // Not the stored bytes: only what a card shows.
    let rows: Vec<(i32, uuid::Uuid, String, String, Option<String>)> =
        imported_badge::Entity::find()
            .select_only()
            .column(imported_badge::Column::Id)
            .column(imported_badge::Column::PublicId)
            .column(imported_badge::Column::Name)
            .column(imported_badge::Column::IssuerName)
            .column(imported_badge::Column::ImageUrl)
            .filter(imported_badge::Column::UserId.eq(user_id))
            .order_by_desc(imported_badge::Column::ImportedAt)
            .into_tuple()
            .all(db)
            .await?;
    for (id, public_id, name, issuer, image) in rows {
        let r = BadgeRef::Import(public_id).text();
        imports.insert(id, r.clone());
        out.push(CollectionBadge {
            badge: r,
            name,
            issuer,
            image_url: image
                .filter(|u| {
                    u.starts_with("https://") || u.starts_with("http://") || u.starts_with('/')
                })
                .unwrap_or_default(),
            href: None,
        });
    }
    Ok((out, awards, imports))
}

/// The learner's collections in order with their badges, and the badges they hold.
///
/// # Errors
/// Database errors.
pub async fn mine(
    db: &DatabaseConnection,
    settings: &Settings,
    user_id: i32,
) -> ServerResult<CollectionsPage> {
    let list = collection::Entity::find()
        .filter(collection::Column::UserId.eq(user_id))
        .order_by_asc(collection::Column::Position)
        .order_by_asc(collection::Column::Id)
        .all(db)
        .await?;
    let items = if list.is_empty() {
        Vec::new()
    } else {
        collection_item::Entity::find()
            .filter(collection_item::Column::CollectionId.is_in(list.iter().map(|c| c.id)))
            .order_by_asc(collection_item::Column::Position)
            .order_by_asc(collection_item::Column::Id)
            .all(db)
            .await?
    };
    let (badges, awards, imports) = badges_of(db, settings, user_id).await?;
    let by_ref: HashMap<&str, &CollectionBadge> =
        badges.iter().map(|b| (b.badge.as_str(), b)).collect();
    let collections = list
        .into_iter()
        .map(|c| CollectionView {
            public_id: c.public_id.to_string(),
            name: c.name,
            description: c.description,
            badges: items
                .iter()
                .filter(|i| i.collection_id == c.id)
                .filter_map(|i| {
                    let r = match (i.award_id, i.imported_badge_id) {
                        (Some(a), _) => awards.get(&a),
                        (None, Some(m)) => imports.get(&m),
                        _ => None,
                    }?;
                    by_ref.get(r.as_str()).map(|b| (*b).clone())
                })
                .collect(),
        })
        .collect();
    Ok(CollectionsPage {
        collections,
        badges,
    })
}

/// Creates a collection; its public id.
///
/// # Errors
/// `Invalid` for a bad name or description, or too many collections; database errors.
pub async fn create(
    db: &DatabaseConnection,
    user_id: i32,
    name: &str,
    description: &str,
) -> ServerResult<String> {
    let name = check_name(name)?;
    let description = check_description(description)?;
    let txn = begin_write(db).await?;
    // The learner's row, locked: the limit holds under concurrency and a deleted
    // account gets nothing new.
    crate::server::account_data::deletion::lock_live_user(&*txn, user_id).await?;
    let count = collection::Entity::find()
        .filter(collection::Column::UserId.eq(user_id))
        .count(&*txn)
        .await?;
    if count >= MAX_COLLECTIONS {
        return Err(AppError::invalid(format!(
            "You can have up to {MAX_COLLECTIONS} collections."
        ))
        .into());
    }
    let last: Option<i32> = collection::Entity::find()
        .select_only()
        .column_as(collection::Column::Position.max(), "m")
        .filter(collection::Column::UserId.eq(user_id))
        .into_tuple::<Option<i32>>()
        .one(&*txn)
        .await?
        .flatten();
    let now = Utc::now();
    let c = collection::ActiveModel {
        public_id: Set(uuid::Uuid::new_v4()),
        user_id: Set(user_id),
        name: Set(name),
        description: Set(description),
        position: Set(last.map_or(0, |p| p + 1)),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&*txn)
    .await?;
    txn.commit().await?;
    Ok(c.public_id.to_string())
}

/// Renames a collection and sets its description.
///
/// # Errors
/// `NotFound` for another's collection; `Invalid` input; database errors.
pub async fn edit(
    db: &DatabaseConnection,
    user_id: i32,
    public_id: &str,
    name: &str,
    description: &str,
) -> ServerResult<()> {
    let name = check_name(name)?;
    let description = check_description(description)?;
    let txn = begin_write(db).await?;
    let c = own(&*txn, user_id, public_id).await?;
    let mut m: collection::ActiveModel = c.into();
    m.name = Set(name);
    m.description = Set(description);
    m.updated_at = Set(Utc::now());
    m.update(&*txn).await?;
    txn.commit().await?;
    Ok(())
}

/// Deletes a collection (its items go with it; the badges stay).
///
/// # Errors
/// `NotFound` for another's collection; database errors.
pub async fn delete(db: &DatabaseConnection, user_id: i32, public_id: &str) -> ServerResult<()> {
    let txn = begin_write(db).await?;
    let c = own(&*txn, user_id, public_id).await?;
    collection_item::Entity::delete_many()
        .filter(collection_item::Column::CollectionId.eq(c.id))
        .exec(&*txn)
        .await?;
    collection::Entity::delete_by_id(c.id).exec(&*txn).await?;
    txn.commit().await?;
    Ok(())
}

/// Moves a collection one place up or down (swapping with its neighbour).
///
/// # Errors
/// `NotFound` for another's collection; database errors.
pub async fn move_collection(
    db: &DatabaseConnection,
    user_id: i32,
    public_id: &str,
    up: bool,
) -> ServerResult<()> {
    let txn = begin_write(db).await?;
    let c = own(&*txn, user_id, public_id).await?;
    let list = collection::Entity::find()
        .filter(collection::Column::UserId.eq(user_id))
        .order_by_asc(collection::Column::Position)
        .order_by_asc(collection::Column::Id)
        .all(&*txn)
        .await?;
    let ids: Vec<i32> = list.iter().map(|x| x.id).collect();
    if let Some(order) = swapped(&ids, c.id, up) {
        for (pos, id) in order.iter().enumerate() {
            collection::Entity::update_many()
                .col_expr(
                    collection::Column::Position,
                    Expr::value(i32::try_from(pos).unwrap_or(i32::MAX)),
                )
                .filter(collection::Column::Id.eq(*id))
                .exec(&*txn)
                .await?;
        }
    }
    txn.commit().await?;
    Ok(())
}

/// `ids` with `id` moved one place up or down; `None` when it cannot move.
fn swapped(ids: &[i32], id: i32, up: bool) -> Option<Vec<i32>> {
    let i = ids.iter().position(|x| *x == id)?;
    let j = if up { i.checked_sub(1)? } else { i + 1 };
    if j >= ids.len() {
        return None;
    }
    let mut out = ids.to_vec();
    out.swap(i, j);
    Some(out)
}

/// The row id of one of the learner's own badges.
async fn own_badge(
    db: &impl ConnectionTrait,
    user_id: i32,
    r: BadgeRef,
) -> ServerResult<(Option<i32>, Option<i32>)> {
    match r {
        BadgeRef::Award(id) => {
            let a = award::Entity::find()
                .filter(award::Column::PublicId.eq(id))
                .filter(award::Column::UserId.eq(user_id))
                .one(db)
                .await?
                .ok_or(AppError::NotFound)?;
            Ok((Some(a.id), None))
        }
        BadgeRef::Import(id) => {
            let found: Option<i32> = imported_badge::Entity::find()
                .select_only()
                .column(imported_badge::Column::Id)
                .filter(imported_badge::Column::PublicId.eq(id))
                .filter(imported_badge::Column::UserId.eq(user_id))
                .into_tuple()
                .one(db)
                .await?;
            Ok((None, Some(found.ok_or(AppError::NotFound)?)))
        }
    }
}

fn item_filter(
    q: sea_orm::Select<collection_item::Entity>,
    (award_id, import_id): (Option<i32>, Option<i32>),
) -> sea_orm::Select<collection_item::Entity> {
    match (award_id, import_id) {
        (Some(a), _) => q.filter(collection_item::Column::AwardId.eq(a)),
        (None, Some(i)) => q.filter(collection_item::Column::ImportedBadgeId.eq(i)),
        (None, None) => q.filter(collection_item::Column::Id.eq(-1)),
    }
}

/// Adds one of the learner's badges at the end of their collection (once).
///
/// # Errors
/// `NotFound` for another's collection or badge; `Invalid` when it is already there or
/// the collection is full; database errors.
pub async fn add(
    db: &DatabaseConnection,
    user_id: i32,
    collection_id: &str,
    badge: &str,
) -> ServerResult<()> {
    let r = BadgeRef::parse(badge)?;
    let txn = begin_write(db).await?;
    let c = own(&*txn, user_id, collection_id).await?;
    let target = own_badge(&*txn, user_id, r).await?;
    let present = item_filter(
        collection_item::Entity::find().filter(collection_item::Column::CollectionId.eq(c.id)),
        target,
    )
    .count(&*txn)
    .await?;
    if present > 0 {
        return Err(AppError::invalid("This badge is already in the collection.").into());
    }
    let count = collection_item::Entity::find()
        .filter(collection_item::Column::CollectionId.eq(c.id))
        .count(&*txn)
        .await?;
    if count >= MAX_ITEMS {
        return Err(
            AppError::invalid(format!("A collection holds up to {MAX_ITEMS} badges.")).into(),
        );
    }
    let last: Option<i32> = collection_item::Entity::find()
        .select_only()
        .column_as(collection_item::Column::Position.max(), "m")
        .filter(collection_item::Column::CollectionId.eq(c.id))
        .into_tuple::<Option<i32>>()
        .one(&*txn)
        .await?
        .flatten();
    collection_item::ActiveModel {
        collection_id: Set(c.id),
        award_id: Set(target.0),
        imported_badge_id: Set(target.1),
        position: Set(last.map_or(0, |p| p + 1)),
        ..Default::default()
    }
    .insert(&*txn)
    .await?;
    touch(&*txn, c.id).await?;
    txn.commit().await?;
    Ok(())
}

async fn touch(db: &impl ConnectionTrait, collection_id: i32) -> ServerResult<()> {
    collection::Entity::update_many()
        .col_expr(collection::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(collection::Column::Id.eq(collection_id))
        .exec(db)
        .await?;
    Ok(())
}

/// Takes a badge out of the learner's collection.
///
/// # Errors
/// `NotFound` for another's collection or a badge not in it; database errors.
pub async fn remove(
    db: &DatabaseConnection,
    user_id: i32,
    collection_id: &str,
    badge: &str,
) -> ServerResult<()> {
    let r = BadgeRef::parse(badge)?;
    let txn = begin_write(db).await?;
    let c = own(&*txn, user_id, collection_id).await?;
    let target = own_badge(&*txn, user_id, r).await?;
    let q = collection_item::Entity::delete_many()
        .filter(collection_item::Column::CollectionId.eq(c.id));
    let q = match target {
        (Some(a), _) => q.filter(collection_item::Column::AwardId.eq(a)),
        (None, Some(i)) => q.filter(collection_item::Column::ImportedBadgeId.eq(i)),
        (None, None) => return Err(AppError::NotFound.into()),
    };
    if q.exec(&*txn).await?.rows_affected == 0 {
        return Err(AppError::NotFound.into());
    }
    touch(&*txn, c.id).await?;
    txn.commit().await?;
    Ok(())
}

/// Moves a badge one place up or down inside the learner's collection.
///
/// # Errors
/// `NotFound` for another's collection or a badge not in it; database errors.
pub async fn move_item(
    db: &DatabaseConnection,
    user_id: i32,
    collection_id: &str,
    badge: &str,
    up: bool,
) -> ServerResult<()> {
    let r = BadgeRef::parse(badge)?;
    let txn = begin_write(db).await?;
    let c = own(&*txn, user_id, collection_id).await?;
    let target = own_badge(&*txn, user_id, r).await?;
    let items = collection_item::Entity::find()
        .filter(collection_item::Column::CollectionId.eq(c.id))
        .order_by_asc(collection_item::Column::Position)
        .order_by_asc(collection_item::Column::Id)
        .all(&*txn)
        .await?;
    let item = items
        .iter()
        .find(|i| match target {
            (Some(a), _) => i.award_id == Some(a),
            (None, Some(m)) => i.imported_badge_id == Some(m),
            _ => false,
        })
        .ok_or(AppError::NotFound)?;
    let ids: Vec<i32> = items.iter().map(|i| i.id).collect();
    if let Some(order) = swapped(&ids, item.id, up) {
        for (pos, id) in order.iter().enumerate() {
            collection_item::Entity::update_many()
                .col_expr(
                    collection_item::Column::Position,
                    Expr::value(i32::try_from(pos).unwrap_or(i32::MAX)),
                )
                .filter(collection_item::Column::Id.eq(*id))
                .exec(&*txn)
                .await?;
        }
        touch(&*txn, c.id).await?;
    }
    txn.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moving_swaps_with_the_neighbour_and_stops_at_the_ends() {
        assert_eq!(swapped(&[1, 2, 3], 2, true), Some(vec![2, 1, 3]));
        assert_eq!(swapped(&[1, 2, 3], 2, false), Some(vec![1, 3, 2]));
        assert_eq!(swapped(&[1, 2, 3], 1, true), None);
        assert_eq!(swapped(&[1, 2, 3], 3, false), None);
        assert_eq!(swapped(&[1, 2, 3], 9, false), None);
    }

    #[test]
    fn badge_references_parse_strictly() {
        let id = uuid::Uuid::new_v4();
        assert_eq!(BadgeRef::parse(&format!("a:{id}")), Ok(BadgeRef::Award(id)));
        assert_eq!(
            BadgeRef::parse(&format!("i:{id}")),
            Ok(BadgeRef::Import(id))
        );
        assert!(BadgeRef::parse(&format!("x:{id}")).is_err());
        assert!(BadgeRef::parse("a:1").is_err());
        assert!(check_name(&"x".repeat(81)).is_err());
        assert!(check_description(&"x".repeat(501)).is_err());
        assert!(check_description("").is_ok());
    }
}
