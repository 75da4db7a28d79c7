//! Learners enroll in open programs and withdraw; their enrollments show on the portfolio.

use chrono::{SecondsFormat, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, JoinType,
    QueryFilter, QueryOrder, QuerySelect, Set, SqlErr,
    prelude::DateTimeUtc,
    sea_query::{Expr, Func, Query},
};

use super::programs;
use crate::error::AppError;
use crate::model::catalog::EnrollmentView;
use crate::server::db::begin_write;
use crate::server::entities::{badge, enrollment, institution, program, program_badge};
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

/// The number of badges a program stacks, as a correlated subquery on `programs.id`
/// (the links to badges that exist, as [`programs::components`] lists them).
fn badge_count_of_program() -> Expr {
    use sea_orm::sea_query::ExprTrait as _;
    let links = Query::select()
        .expr(Func::count(Expr::col((
            program_badge::Entity,
            program_badge::Column::BadgeId,
        ))))
        .from(program_badge::Entity)
        .inner_join(
            badge::Entity,
            Expr::col((badge::Entity, badge::Column::Id))
                .equals((program_badge::Entity, program_badge::Column::BadgeId)),
        )
        .and_where(
            Expr::col((program_badge::Entity, program_badge::Column::ProgramId))
                .equals((program::Entity, program::Column::Id)),
        )
        .to_owned();
    Expr::SubQuery(None, Box::new(links.into()))
}

/// Program slug, name, credits, credit-bearing, institution name, enrolled at, badges.
type EnrollmentRow = (String, String, i32, bool, Option<String>, DateTimeUtc, i64);

/// The user's current enrollments, newest first, with their programs, institutions and
/// badge counts: one query whatever their number.
///
/// # Errors
/// Database errors.
pub async fn list_for_user(
    db: &impl ConnectionTrait,
    user_id: i32,
) -> ServerResult<Vec<EnrollmentView>> {
    let rows: Vec<EnrollmentRow> = enrollment::Entity::find()
        .select_only()
        .column(program::Column::Slug)
        .column(program::Column::Name)
        .column(program::Column::Credits)
        .column(program::Column::CreditBearing)
        .column(institution::Column::Name)
        .column(enrollment::Column::EnrolledAt)
        .expr_as(badge_count_of_program(), "badge_count")
        .join(
            JoinType::InnerJoin,
            enrollment::Entity::belongs_to(program::Entity)
                .from(enrollment::Column::ProgramId)
                .to(program::Column::Id)
                .into(),
        )
        .join(
            JoinType::LeftJoin,
            program::Entity::belongs_to(institution::Entity)
                .from(program::Column::InstitutionId)
                .to(institution::Column::Id)
                .into(),
        )
        .filter(enrollment::Column::UserId.eq(user_id))
        .filter(enrollment::Column::Status.eq(enrollment::ENROLLED))
        .order_by_desc(enrollment::Column::EnrolledAt)
        .order_by_desc(enrollment::Column::Id)
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(
            |(slug, name, credits, credit_bearing, inst, enrolled_at, badges)| EnrollmentView {
                program_slug: slug,
                program_name: name,
                institution: inst.unwrap_or_default(),
                credits,
                credit_bearing,
                badge_count: usize::try_from(badges).unwrap_or(0),
                enrolled_at: enrolled_at.to_rfc3339_opts(SecondsFormat::Secs, true),
            },
        )
        .collect())
}
