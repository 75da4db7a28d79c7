//! Revocation status lists (W3C Bitstring Status List), numbered per institution.
//!
//! - A list is signed whenever it changes and stored signed, so serving it only reads.
//! - Handing out an index is one atomic `UPDATE … RETURNING` on the list's row (it also
//!   row-locks it on PostgreSQL until the caller's transaction ends); when the list is
//!   full the next list starts.
//! - Setting a bit first locks the row (`UPDATE … RETURNING`), then changes the bits and
//!   signs, so concurrent revocations serialise and no bit is lost.

use chrono::{SecondsFormat, Utc};
use openbadges::{keys::SigningKey, status_list, status_list::Bitstring};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
    sea_query::{Expr, ExprTrait as _, Query},
};
use serde_json::Value;

use super::{REVOCATION, institution as institution_by_slug, sign_off_thread};
use crate::error::AppError;
use crate::server::entities::{institution, status_list as status_row};
use crate::server::error::{ServerError, ServerResult};
use crate::server::state::Settings;
use crate::server::urls;

fn list_number(row: &status_row::Model) -> u32 {
    u32::try_from(row.list_number).unwrap_or_default()
}

/// The URL of a stored list.
pub fn list_url(settings: &Settings, slug: &str, row: &status_row::Model) -> String {
    urls::status_list(&settings.public_url, slug, &row.purpose, list_number(row))
}

/// Signs the list credential for these bits.
async fn signed_json(
    settings: &Settings,
    inst: &institution::Model,
    key: &SigningKey,
    url: &str,
    bits: &Bitstring,
) -> ServerResult<String> {
    let did = urls::issuer_did(&settings.public_url, &inst.slug);
    let now = Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true);
    let list =
        status_list::list_credential(url, Value::String(did.clone()), REVOCATION, bits, &now);
    let vm = urls::issuer_key_id(&settings.public_url, &inst.slug, &key.public_multibase());
    Ok(sign_off_thread(list, key.clone(), vm).await??.to_string())
}

/// Creates list `number` (signed, empty) unless it exists. Safe when several
/// transactions try at once (the unique index decides; losers do nothing).
///
/// # Errors
/// Database or signing errors.
pub(super) async fn create_list(
    db: &impl ConnectionTrait,
    settings: &Settings,
    inst: &institution::Model,
    key: &SigningKey,
    number: i32,
) -> ServerResult<()> {
    let bits = Bitstring::default();
    let url = urls::status_list(
        &settings.public_url,
        &inst.slug,
        REVOCATION,
        u32::try_from(number).unwrap_or_default(),
    );
    let signed = signed_json(settings, inst, key, &url, &bits).await?;
    let capacity = settings
        .status_list_capacity
        .clamp(1, i32::try_from(bits.len()).unwrap_or(i32::MAX));
    status_row::Entity::insert(status_row::ActiveModel {
        institution_id: Set(inst.id),
        purpose: Set(REVOCATION.into()),
        list_number: Set(number),
        capacity: Set(capacity),
        bits: Set(bits.as_bytes().to_vec()),
        next_index: Set(0),
        signed: Set(Some(signed)),
        updated_at: Set(Utc::now()),
        ..Default::default()
    })
    .on_conflict_do_nothing_on([
        status_row::Column::InstitutionId,
        status_row::Column::Purpose,
        status_row::Column::ListNumber,
    ])
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// Hands out the next free index: `(list row, index)`. Atomic on both backends; starts
/// a new list when the current one is full.
///
/// # Errors
/// Database or signing errors.
pub(super) async fn allocate(
    db: &impl ConnectionTrait,
    settings: &Settings,
    inst: &institution::Model,
    key: &SigningKey,
) -> ServerResult<(status_row::Model, i32)> {
    for _ in 0..8 {
        // The lowest list with room, re-checked by the outer WHERE after any lock wait.
        let mut with_room = Query::select();
        with_room
            .column(status_row::Column::Id)
            .from(status_row::Entity)
            .and_where(status_row::Column::InstitutionId.eq(inst.id))
            .and_where(status_row::Column::Purpose.eq(REVOCATION))
            .and_where(
                Expr::col(status_row::Column::NextIndex)
                    .lt(Expr::col(status_row::Column::Capacity)),
            )
            .order_by(status_row::Column::ListNumber, sea_orm::Order::Asc)
            .limit(1);
        let updated = status_row::Entity::update_many()
            .col_expr(
                status_row::Column::NextIndex,
                Expr::col(status_row::Column::NextIndex).add(1),
            )
            .filter(status_row::Column::Id.in_subquery(with_room))
            .filter(
                Expr::col(status_row::Column::NextIndex)
                    .lt(Expr::col(status_row::Column::Capacity)),
            )
            .exec_with_returning(db)
            .await?;
        if let Some(row) = updated.into_iter().next() {
            let index = row.next_index - 1;
            return Ok((row, index));
        }
        // Every list is full: start the next one (or use the one a concurrent
        // transaction just started).
        let last = status_row::Entity::find()
            .filter(status_row::Column::InstitutionId.eq(inst.id))
            .filter(status_row::Column::Purpose.eq(REVOCATION))
            .order_by_desc(status_row::Column::ListNumber)
            .limit(1)
            .one(db)
            .await?;
        let next = last.map_or(0, |l| l.list_number + 1);
        create_list(db, settings, inst, key, next).await?;
    }
    Err(ServerError::Key(
        "could not find room in a status list; try again".into(),
    ))
}

/// Sets (or clears) a bit and re-signs the list, inside the caller's transaction.
///
/// # Errors
/// `NotFound` when the list does not exist; database or signing errors.
pub(super) async fn set_bit(
    db: &impl ConnectionTrait,
    settings: &Settings,
    inst: &institution::Model,
    key: &SigningKey,
    list_id: i32,
    index: i32,
    value: bool,
) -> ServerResult<()> {
    // Lock the row first (a write), so concurrent changes of this list serialise.
    let row = status_row::Entity::update_many()
        .col_expr(status_row::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(status_row::Column::Id.eq(list_id))
        .exec_with_returning(db)
        .await?
        .into_iter()
        .next()
        .ok_or(AppError::NotFound)?;
    let mut bits = Bitstring::from_bytes(row.bits.clone());
    if !bits.set(usize::try_from(index).unwrap_or(usize::MAX), value) {
        return Err(ServerError::Key(format!(
            "status index {index} is outside its list"
        )));
    }
    store_signed(db, settings, inst, key, row, &bits).await
}

/// Signs the list for `bits` and stores both with the row.
async fn store_signed(
    db: &impl ConnectionTrait,
    settings: &Settings,
    inst: &institution::Model,
    key: &SigningKey,
    row: status_row::Model,
    bits: &Bitstring,
) -> ServerResult<()> {
    let url = list_url(settings, &inst.slug, &row);
    let signed = signed_json(settings, inst, key, &url, bits).await?;
    let mut active: status_row::ActiveModel = row.into();
    active.bits = Set(bits.as_bytes().to_vec());
    active.signed = Set(Some(signed));
    active.updated_at = Set(Utc::now());
    active.update(db).await?;
    Ok(())
}

/// Re-signs every list of an institution with `key` (after a rotation or a compromise).
///
/// # Errors
/// Database or signing errors.
pub(super) async fn resign_all(
    db: &impl ConnectionTrait,
    settings: &Settings,
    inst: &institution::Model,
    key: &SigningKey,
) -> ServerResult<()> {
    let rows = status_row::Entity::find()
        .filter(status_row::Column::InstitutionId.eq(inst.id))
        .lock_exclusive()
        .all(db)
        .await?;
    for row in rows {
        let bits = Bitstring::from_bytes(row.bits.clone());
        store_signed(db, settings, inst, key, row, &bits).await?;
    }
    Ok(())
}

/// A signed status list, as stored. Only reads.
///
/// # Errors
/// `NotFound` for an unknown institution, purpose or list; database errors.
pub async fn signed_list(
    db: &impl ConnectionTrait,
    slug: &str,
    purpose: &str,
    number: u32,
) -> ServerResult<Value> {
    let inst = institution_by_slug(db, slug).await?;
    let row = status_row::Entity::find()
        .filter(status_row::Column::InstitutionId.eq(inst.id))
        .filter(status_row::Column::Purpose.eq(purpose))
        .filter(status_row::Column::ListNumber.eq(i32::try_from(number).unwrap_or(-1)))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let text = row.signed.ok_or(AppError::NotFound)?;
    serde_json::from_str(&text).map_err(|e| ServerError::Key(format!("stored status list: {e}")))
}

/// Makes sure list 0 exists (start-up, institution creation).
///
/// # Errors
/// Database or signing errors.
pub(super) async fn ensure_first_list(
    db: &impl ConnectionTrait,
    settings: &Settings,
    inst: &institution::Model,
    key: &SigningKey,
) -> ServerResult<()> {
    let found = status_row::Entity::find()
        .filter(status_row::Column::InstitutionId.eq(inst.id))
        .filter(status_row::Column::Purpose.eq(REVOCATION))
        .filter(status_row::Column::ListNumber.eq(0))
        .one(db)
        .await?;
    match found {
        Some(row) if row.signed.is_some() => Ok(()),
        Some(row) => {
            // From an earlier version, which signed on first request.
            let bits = Bitstring::from_bytes(row.bits.clone());
            let signed = signed_json(
                settings,
                inst,
                key,
                &list_url(settings, &inst.slug, &row),
                &bits,
            )
            .await?;
            status_row::Entity::update_many()
                .col_expr(status_row::Column::Signed, Expr::value(signed))
                .filter(status_row::Column::Id.eq(row.id))
                .filter(status_row::Column::Signed.is_null())
                .exec(db)
                .await?;
            Ok(())
        }
        None => create_list(db, settings, inst, key, 0).await,
    }
}
