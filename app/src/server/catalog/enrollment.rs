//! Learners enroll in open programs and withdraw; their enrollments show on the portfolio.

use chrono::{SecondsFormat, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, Set, SqlErr,
};

use super::programs;
use crate::error::AppError;
use crate::model::catalog::EnrollmentView;
use crate::server::db::begin_write;
use crate::server::entities::{enrollment, institution, program};
use crate::server::error::ServerResult;

/// Enrolls a user in the program with this slug (again, after a withdrawal).
///
/// # Errors
/// `NotFound`; `Invalid` when the program is closed for enrollment; database errors.
pub async fn enroll(db: &DatabaseConnection, user_id: i32, slug: &str) -> ServerResult<()> {
    let txn = begin_write(db).await?;
    let (p, _) = programs::by_slug(&*txn, slug).await?;
    if !p.enrollment_open {
        return Err(AppError::invalid("This program is closed for enrollment.").into());
    }
    let existing = enrollment::Entity::find()
        .filter(enrollment::Column::UserId.eq(user_id))
        .filter(enrollment::Column::ProgramId.eq(p.id))
        .one(&*txn)
        .await?;
    match existing {
        Some(e) if e.status == enrollment::ENROLLED => {}
        Some(e) => {
            let mut a: enrollment::ActiveModel = e.into();
            a.status = Set(enrollment::ENROLLED.into());
            a.enrolled_at = Set(Utc::now());
            a.withdrawn_at = Set(None);
            a.update(&*txn).await?;
        }
        None => {
            let inserted = enrollment::ActiveModel {
                user_id: Set(user_id),
                program_id: Set(p.id),
                status: Set(enrollment::ENROLLED.into()),
                enrolled_at: Set(Utc::now()),
                withdrawn_at: Set(None),
                ..Default::default()
            }
            .insert(&*txn)
            .await;
            match inserted {
                Ok(_) => {}
                // A second click that raced the first: already enrolled.
                Err(e) if matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {}
                Err(e) => return Err(e.into()),
            }
        }
    }
    txn.commit().await?;
    Ok(())
}

/// Withdraws a user from a program (nothing happens when not enrolled).
///
/// # Errors
/// `NotFound` for an unknown program; database errors.
pub async fn withdraw(db: &DatabaseConnection, user_id: i32, slug: &str) -> ServerResult<()> {
    let txn = begin_write(db).await?;
    let (p, _) = programs::by_slug(&*txn, slug).await?;
    enrollment::Entity::update_many()
        .col_expr(
            enrollment::Column::Status,
            sea_orm::sea_query::Expr::value(enrollment::WITHDRAWN),
        )
        .col_expr(
            enrollment::Column::WithdrawnAt,
            sea_orm::sea_query::Expr::value(Utc::now()),
        )
        .filter(enrollment::Column::UserId.eq(user_id))
        .filter(enrollment::Column::ProgramId.eq(p.id))
        .filter(enrollment::Column::Status.eq(enrollment::ENROLLED))
        .exec(&*txn)
        .await?;
    txn.commit().await?;
    Ok(())
}

/// The user's current enrollments, newest first.
///
/// # Errors
/// Database errors.
pub async fn list_for_user(
    db: &impl ConnectionTrait,
    user_id: i32,
) -> ServerResult<Vec<EnrollmentView>> {
    let list = enrollment::Entity::find()
        .filter(enrollment::Column::UserId.eq(user_id))
        .filter(enrollment::Column::Status.eq(enrollment::ENROLLED))
        .order_by_desc(enrollment::Column::EnrolledAt)
        .all(db)
        .await?;
    let mut out = Vec::new();
    for e in list {
        let Some(p) = program::Entity::find_by_id(e.program_id).one(db).await? else {
            continue;
        };
        let inst = institution::Entity::find_by_id(p.institution_id)
            .one(db)
            .await?
            .map(|i| i.name)
            .unwrap_or_default();
        let badge_count = programs::components(db, p.id).await?.len();
        out.push(EnrollmentView {
            program_slug: p.slug,
            program_name: p.name,
            institution: inst,
            credits: p.credits,
            credit_bearing: p.credit_bearing,
            badge_count,
            enrolled_at: e.enrolled_at.to_rfc3339_opts(SecondsFormat::Secs, true),
        });
    }
    Ok(out)
}
