//! The background re-check of stored verdicts: the wall renders from the verdict and
//! standing stored on each award and imported badge, so a revocation made elsewhere
//! (the `badgefolio credential revoke` command, another issuer's status list) or an
//! expiry must reach them without anyone opening the badge's page.
//!
//! Every [`RecheckConfig::every`] a [`tick`] takes the [`RecheckConfig::batch`] awards
//! and the same number of imported badges checked longest ago (never checked first),
//! runs the verification core on each (our own status lists are read from the database;
//! an import's exact original bytes are verified again, its issuer's documents fetched
//! through the guarded fetcher) and stores what it found, with the rules of the badge
//! page ([`super::portfolio::detail`]): a revocation once seen is never undone by a
//! later answer, and a revoked award is left alone. A credential whose stored expiry has
//! passed is stored as expired.
//!
//! Tests call [`tick`] directly; the server starts the loop with [`spawn`].

use std::time::Duration;

use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, DatabaseConnection, EntityTrait, Order, QueryFilter, QueryOrder, QuerySelect,
    sea_query::{Expr, NullOrdering},
};

use super::db::begin_write;
use super::entities::{award, credential, imported_badge};
use super::error::ServerResult;
use super::portfolio::detail;
use super::state::Settings;
use super::verification;

/// How often and how much.
#[derive(Debug, Clone, Copy)]
pub struct RecheckConfig {
    /// Time between ticks.
    pub every: Duration,
    /// Awards (and, separately, imported badges) re-checked per tick; 0 turns it off.
    pub batch: u64,
}

impl Default for RecheckConfig {
    fn default() -> Self {
        Self {
            every: Duration::from_secs(60),
            batch: 50,
        }
    }
}

/// What one tick did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Rechecked {
    pub awards: usize,
    pub imports: usize,
}

const REVOKED: &str = "revoked";
const ACTIVE: &str = "active";
const EXPIRED: &str = "expired";

/// The standing to store: an active credential whose expiry has passed is expired.
fn with_expiry(standing: &str, expires_at: Option<DateTime<Utc>>, now: DateTime<Utc>) -> &str {
    if standing == ACTIVE && expires_at.is_some_and(|t| t <= now) {
        EXPIRED
    } else {
        standing
    }
}

/// Re-checks up to `batch` awards and `batch` imported badges, longest unchecked first.
///
/// # Errors
/// Database errors (a credential that fails to verify is stored as such, not an error).
pub async fn tick(
    db: &DatabaseConnection,
    settings: &Settings,
    batch: u64,
    now: DateTime<Utc>,
) -> ServerResult<Rechecked> {
    let mut done = Rechecked::default();
    if batch == 0 {
        return Ok(done);
    }
    let awards = award::Entity::find()
        .filter(award::Column::UserId.is_not_null())
        .filter(award::Column::RevokedAt.is_null())
        .filter(award::Column::Standing.ne(REVOKED))
        .order_by_with_nulls(award::Column::CheckedAt, Order::Asc, NullOrdering::First)
        .order_by_asc(award::Column::Id)
        .limit(batch)
        .all(db)
        .await?;
    for a in awards {
        let Some(cred) = credential::Entity::find_by_id(a.credential_id)
            .one(db)
            .await?
        else {
            continue;
        };
        let found = detail::verify_award(db, settings, &a, &cred.json, now).await?;
        // The badge page stores what the verifier said; the stored expiry also counts.
        let standing = with_expiry(&found.standing, a.expires_at, now);
        let txn = begin_write(db).await?;
        let mut update = award::Entity::update_many()
            .col_expr(award::Column::CheckedAt, Expr::value(now))
            .filter(award::Column::Id.eq(a.id))
            .filter(award::Column::RevokedAt.is_null())
            .filter(award::Column::Standing.ne(REVOKED));
        if standing != found.standing {
            update = update.col_expr(award::Column::Standing, Expr::value(standing));
        }
        update.exec(&*txn).await?;
        txn.commit().await?;
        done.awards += 1;
    }

    let imports = imported_badge::Entity::find()
        .filter(imported_badge::Column::Standing.ne(REVOKED))
        .order_by_with_nulls(
            imported_badge::Column::CheckedAt,
            Order::Asc,
            NullOrdering::First,
        )
        .order_by_asc(imported_badge::Column::Id)
        .limit(batch)
        .all(db)
        .await?;
    for i in imports {
        recheck_import(db, settings, &i, now).await?;
        done.imports += 1;
    }
    Ok(done)
}

/// Verifies an imported badge's original bytes again and stores the verdict and
/// standing (a revocation once seen stays).
///
/// # Errors
/// Database errors.
pub async fn recheck_import(
    db: &DatabaseConnection,
    settings: &Settings,
    i: &imported_badge::Model,
    now: DateTime<Utc>,
) -> ServerResult<()> {
    use openbadges::verify::{Standing, Verdict};
    let found = verification::verify_bytes(db, settings, i.original.clone(), None).await?;
    let (verdict, standing) = match &found {
        Ok(report) => (report.verdict.as_str(), report.standing.as_str()),
        Err(_) => (Verdict::Unverifiable.as_str(), Standing::Unknown.as_str()),
    };
    let standing = with_expiry(standing, i.expires_at, now);
    let txn = begin_write(db).await?;
    imported_badge::Entity::update_many()
        .col_expr(imported_badge::Column::Verdict, Expr::value(verdict))
        .col_expr(imported_badge::Column::Standing, Expr::value(standing))
        .col_expr(imported_badge::Column::CheckedAt, Expr::value(now))
        .filter(imported_badge::Column::Id.eq(i.id))
        .filter(imported_badge::Column::Standing.ne(REVOKED))
        .exec(&*txn)
        .await?;
    txn.commit().await?;
    Ok(())
}

/// Starts the re-check loop (nothing when `config.batch` is 0).
pub fn spawn(db: DatabaseConnection, settings: Settings, config: RecheckConfig) {
    if config.batch == 0 {
        tracing::info!("background re-check of stored verdicts is off");
        return;
    }
    tokio::spawn(async move {
        let mut every = tokio::time::interval(config.every);
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            every.tick().await;
            match tick(&db, &settings, config.batch, Utc::now()).await {
                Ok(n) if n.awards + n.imports > 0 => {
                    tracing::debug!(
                        awards = n.awards,
                        imports = n.imports,
                        "verdicts re-checked"
                    );
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "background re-check failed"),
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_passed_expiry_makes_an_active_credential_expired_only() {
        let now = Utc::now();
        let past = Some(now - chrono::Duration::days(1));
        let future = Some(now + chrono::Duration::days(1));
        assert_eq!(with_expiry("active", past, now), "expired");
        assert_eq!(with_expiry("active", future, now), "active");
        assert_eq!(with_expiry("active", None, now), "active");
        assert_eq!(with_expiry("revoked", past, now), "revoked");
    }
}
