//! In-app notifications: written in the transaction of the change they tell about
//! (a review decision), listed on `/notifications`, counted in the navigation, and
//! marked read by their owner only.

use chrono::{SecondsFormat, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set, sea_query::Expr,
};

use super::entities::notification;
use super::error::ServerResult;
use crate::model::evidence::NotificationView;

/// Most notifications listed.
const LIST_LIMIT: u64 = 100;

/// A notification to write.
#[derive(Debug, Clone)]
pub struct NewNotification<'a> {
    pub user_id: i32,
    pub kind: &'a str,
    pub title: &'a str,
    pub body: &'a str,
    /// A path inside the app.
    pub link: &'a str,
}

/// Writes a notification (in the caller's transaction).
///
/// # Errors
/// Database errors.
pub async fn notify(db: &impl ConnectionTrait, n: NewNotification<'_>) -> ServerResult<()> {
    notification::ActiveModel {
        user_id: Set(n.user_id),
        kind: Set(n.kind.chars().take(32).collect()),
        title: Set(n.title.chars().take(200).collect()),
        body: Set(n.body.to_string()),
        link: Set(n.link.chars().take(300).collect()),
        read_at: Set(None),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

/// The user's notifications, newest first.
///
/// # Errors
/// Database errors.
pub async fn list(db: &impl ConnectionTrait, user_id: i32) -> ServerResult<Vec<NotificationView>> {
    Ok(notification::Entity::find()
        .filter(notification::Column::UserId.eq(user_id))
        .order_by_desc(notification::Column::Id)
        .limit(LIST_LIMIT)
        .all(db)
        .await?
        .into_iter()
        .map(|n| NotificationView {
            id: n.id,
            title: n.title,
            body: n.body,
            link: n.link,
            at: n.created_at.to_rfc3339_opts(SecondsFormat::Secs, true),
            read: n.read_at.is_some(),
        })
        .collect())
}

/// How many of the user's notifications are unread.
///
/// # Errors
/// Database errors.
pub async fn unread(db: &impl ConnectionTrait, user_id: i32) -> ServerResult<u64> {
    Ok(notification::Entity::find()
        .filter(notification::Column::UserId.eq(user_id))
        .filter(notification::Column::ReadAt.is_null())
        .count(db)
        .await?)
}

/// Marks one of the user's notifications read (`None`: all of them). Someone else's
/// notification is left alone, as if it did not exist.
///
/// # Errors
/// Database errors.
pub async fn mark_read(
    db: &impl ConnectionTrait,
    user_id: i32,
    id: Option<i32>,
) -> ServerResult<u64> {
    let mut q = notification::Entity::update_many()
        .col_expr(notification::Column::ReadAt, Expr::value(Utc::now()))
        .filter(notification::Column::UserId.eq(user_id))
        .filter(notification::Column::ReadAt.is_null());
    if let Some(id) = id {
        q = q.filter(notification::Column::Id.eq(id));
    }
    let res = q.exec(db).await?;
    super::db::note_write();
    Ok(res.rows_affected)
}
