//! `badgefolio award`: an operator awards a badge from the command line (a one-off
//! award, a test or a demo), by the institution's slug, the badge's name or public id,
//! and the recipient's address. An address that no account has confirmed gets a pending
//! award, claimed when an account confirms it.

use anyhow::{Context, bail};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};

use app::server::{
    Settings,
    awards::{self, AwardRequest, Issued, claims},
    catalog::institutions,
    entities::{award, badge, badge_version},
};

use crate::config::AwardArgs;

/// Awards the badge and prints the award's public id (and whether it was new).
///
/// # Errors
/// An unknown institution or badge, a bad address, database or signing errors.
pub async fn run(db: &DatabaseConnection, settings: &Settings, args: AwardArgs) -> anyhow::Result<()> {
    let inst = institutions::by_slug(db, &args.institution)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))
        .with_context(|| format!("institution {}", args.institution))?;
    let wanted = args.badge.trim();
    let mut found = None;
    for b in badge::Entity::find()
        .filter(badge::Column::InstitutionId.eq(inst.id))
        .all(db)
        .await?
    {
        let current = badge_version::Entity::find()
            .filter(badge_version::Column::BadgeId.eq(b.id))
            .filter(badge_version::Column::Version.eq(b.current_version))
            .one(db)
            .await?;
        if b.public_id.to_string() == wanted
            || current.is_some_and(|v| v.name.eq_ignore_ascii_case(wanted))
        {
            found = Some(b);
            break;
        }
    }
    let Some(b) = found else {
        bail!("{} has no badge named or with the id {wanted:?}", inst.slug);
    };
    let email = app::server::accounts::normalize_email(&args.email).map_err(|e| anyhow::anyhow!("{e}"))?;
    let recipient = claims::recipient_for(db, &email, args.name.trim())
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let issued = awards::issue(
        db,
        settings,
        AwardRequest {
            badge_id: b.id,
            recipient,
            narrative: (!args.narrative.trim().is_empty()).then(|| args.narrative.clone()),
            rubric: Vec::new(),
            evidence: Vec::new(),
            program_id: None,
            submission_id: None,
            bulk_row_id: None,
            source: award::SOURCE_BULK,
            awarded_by: None,
        },
    )
    .await
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    match issued {
        Issued::New(a) => println!("awarded {}", a.public_id),
        Issued::AlreadyHeld(a) => println!("already held {}", a.public_id),
    }
    Ok(())
}
