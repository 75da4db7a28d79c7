//! Each institution's Ed25519 signing keys: created with the institution, sealed at rest
//! (see [`super::secrets`]), at most one active at a time (a partial unique index),
//! rotated keys kept listed so old badges verify, compromised keys withdrawn from
//! `assertionMethod` so what they signed stops verifying.

use chrono::Utc;
use openbadges::keys::{self, SigningKey};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, Set, SqlErr,
};
use serde_json::Value;

use crate::error::AppError;
use crate::server::db::begin_write;
use crate::server::entities::issuer_key;
use crate::server::error::{ServerError, ServerResult};
use crate::server::state::Settings;
use crate::server::urls;

/// Creates a new active key for an institution (the caller retires the old one first).
///
/// # Errors
/// Database errors; a unique violation when another key is already active.
pub(super) async fn create_key(
    db: &impl ConnectionTrait,
    settings: &Settings,
    institution_id: i32,
) -> ServerResult<SigningKey> {
    let key = SigningKey::generate();
    let public = key.public_multibase();
    issuer_key::ActiveModel {
        institution_id: Set(institution_id),
        secret_key: Set(settings.secrets.seal(&key.secret_multibase(), &public)),
        public_key: Set(public),
        created_at: Set(Utc::now()),
        retired_at: Set(None),
        compromised_at: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(key)
}

fn open(settings: &Settings, row: &issuer_key::Model) -> ServerResult<SigningKey> {
    let secret = settings
        .secrets
        .open(&row.secret_key, &row.public_key)
        .map_err(|e| ServerError::Key(e.to_string()))?;
    SigningKey::from_secret_multibase(&secret).map_err(|e| ServerError::Key(e.to_string()))
}

/// The institution's active signing key. Never creates one: keys are made with the
/// institution (and at start-up for institutions from earlier versions).
///
/// # Errors
/// `ServerError::Key` when there is none or it does not open; database errors.
pub async fn active_key(
    db: &impl ConnectionTrait,
    settings: &Settings,
    institution_id: i32,
) -> ServerResult<SigningKey> {
    let row = issuer_key::Entity::find()
        .filter(issuer_key::Column::InstitutionId.eq(institution_id))
        .filter(issuer_key::Column::RetiredAt.is_null())
        .one(db)
        .await?
        .ok_or_else(|| ServerError::Key("the institution has no active signing key".into()))?;
    open(settings, &row)
}

/// Makes sure the institution has an active key (start-up, institution creation).
/// Safe when several processes do it at once.
///
/// # Errors
/// Database errors.
pub(super) async fn ensure_key(
    db: &DatabaseConnection,
    settings: &Settings,
    institution_id: i32,
) -> ServerResult<()> {
    let txn = begin_write(db).await?;
    let found = issuer_key::Entity::find()
        .filter(issuer_key::Column::InstitutionId.eq(institution_id))
        .filter(issuer_key::Column::RetiredAt.is_null())
        .one(&*txn)
        .await?;
    if found.is_some() {
        return Ok(());
    }
    match create_key(&*txn, settings, institution_id).await {
        Ok(_) => Ok(txn.commit().await?),
        // Another process made it between our look and our insert.
        Err(ServerError::Db(e))
            if matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) =>
        {
            Ok(())
        }
        Err(e) => Err(e),
    }
}

/// Retires the active key and makes a new one. Old credentials keep verifying: the
/// retired key stays in the DID document.
///
/// # Errors
/// `NotFound` for an unknown institution; database errors.
pub async fn rotate_key(
    db: &DatabaseConnection,
    settings: &Settings,
    slug: &str,
) -> ServerResult<String> {
    let txn = begin_write(db).await?;
    let inst = super::institution_for_update(&*txn, slug).await?;
    retire_active(&*txn, inst.id).await?;
    let key = create_key(&*txn, settings, inst.id).await?;
    // Status lists are re-signed with the new key, so the old one can be withdrawn later.
    super::status::resign_all(&*txn, settings, &inst, &key).await?;
    txn.commit().await?;
    Ok(key.public_multibase())
}

async fn retire_active(db: &impl ConnectionTrait, institution_id: i32) -> ServerResult<()> {
    issuer_key::Entity::update_many()
        .col_expr(
            issuer_key::Column::RetiredAt,
            sea_orm::sea_query::Expr::value(Utc::now()),
        )
        .filter(issuer_key::Column::InstitutionId.eq(institution_id))
        .filter(issuer_key::Column::RetiredAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}

/// Marks a key compromised: it leaves the DID document's `assertionMethod`, so what it
/// signed no longer verifies. If it was the active key a new one takes over, and the
/// status lists are re-signed with it.
///
/// # Errors
/// `NotFound` for an unknown institution or key; database errors.
pub async fn mark_compromised(
    db: &DatabaseConnection,
    settings: &Settings,
    slug: &str,
    public_key: &str,
) -> ServerResult<()> {
    let txn = begin_write(db).await?;
    let inst = super::institution_for_update(&*txn, slug).await?;
    let row = issuer_key::Entity::find()
        .filter(issuer_key::Column::InstitutionId.eq(inst.id))
        .filter(issuer_key::Column::PublicKey.eq(public_key))
        .one(&*txn)
        .await?
        .ok_or(AppError::NotFound)?;
    let was_active = row.retired_at.is_none();
    let now = Utc::now();
    let mut active: issuer_key::ActiveModel = row.clone().into();
    active.compromised_at = Set(Some(row.compromised_at.unwrap_or(now)));
    active.retired_at = Set(Some(row.retired_at.unwrap_or(now)));
    active.update(&*txn).await?;
    let key = if was_active {
        create_key(&*txn, settings, inst.id).await?
    } else {
        active_key(&*txn, settings, inst.id).await?
    };
    super::status::resign_all(&*txn, settings, &inst, &key).await?;
    txn.commit().await?;
    Ok(())
}

/// The DID document of an institution: every key it ever used, the compromised ones
/// withdrawn from `assertionMethod`. Only reads.
///
/// # Errors
/// `NotFound` for an unknown slug; database errors.
pub async fn did_document(
    db: &impl ConnectionTrait,
    settings: &Settings,
    slug: &str,
) -> ServerResult<Value> {
    let inst = super::institution(db, slug).await?;
    let rows = issuer_key::Entity::find()
        .filter(issuer_key::Column::InstitutionId.eq(inst.id))
        .order_by_asc(issuer_key::Column::Id)
        .all(db)
        .await?;
    let all: Vec<String> = rows.iter().map(|k| k.public_key.clone()).collect();
    let withdrawn: Vec<String> = rows
        .iter()
        .filter(|k| k.compromised_at.is_some())
        .map(|k| k.public_key.clone())
        .collect();
    Ok(keys::did_document_withdrawing(
        &urls::issuer_did(&settings.public_url, slug),
        &all,
        &withdrawn,
    ))
}

/// Whether any issuer key is stored sealed (then a key-encryption key must not be
/// made up: it would not open them).
///
/// # Errors
/// Database errors.
pub async fn has_sealed_keys(db: &impl ConnectionTrait) -> ServerResult<bool> {
    Ok(issuer_key::Entity::find()
        .filter(issuer_key::Column::SecretKey.starts_with("sealed-"))
        .one(db)
        .await?
        .is_some())
}

/// Start-up: seals keys stored in plain text by earlier versions, then checks that the
/// configured key-encryption key opens every stored key.
///
/// # Errors
/// `ServerError::Key` with an explanation when a stored key does not open.
pub(super) async fn seal_and_check(
    db: &DatabaseConnection,
    settings: &Settings,
) -> ServerResult<()> {
    let rows = issuer_key::Entity::find().all(db).await?;
    for row in rows {
        if !super::secrets::is_sealed(&row.secret_key) {
            let sealed = settings.secrets.seal(&row.secret_key, &row.public_key);
            // Only if nobody else sealed it meanwhile.
            issuer_key::Entity::update_many()
                .col_expr(
                    issuer_key::Column::SecretKey,
                    sea_orm::sea_query::Expr::value(sealed),
                )
                .filter(issuer_key::Column::Id.eq(row.id))
                .filter(issuer_key::Column::SecretKey.eq(row.secret_key.as_str()))
                .exec(db)
                .await?;
            continue;
        }
        if let Err(e) = open(settings, &row) {
            return Err(ServerError::Key(format!(
                "the configured secret key (BADGEFOLIO_SECRET_KEY or BADGEFOLIO_SECRET_KEY_FILE) does not open the \
                 issuer keys stored in this database ({e}); start with the secret key this database was created with"
            )));
        }
    }
    Ok(())
}
