//! Issuing Open Badges: each institution's did:web identity and keys, its revocation
//! status lists, signing credentials, revoking them, and answering for our own
//! documents when verifying. The cryptography and formats live in the `openbadges`
//! crate; this module stores and finds things.
//!
//! Signing and revoking run inside the caller's connection or transaction, so an
//! approval, the signature, the award and a transcript notation can commit together.
//! A caller's transaction must be opened with [`crate::server::db::begin_write`] (SQLite
//! needs write transactions to start as writes).
//! Serving DID documents and status lists never writes: an institution's first key and
//! status list are made with the institution ([`create_institution`], and at start-up
//! for institutions from earlier versions, [`prepare`]).

pub mod documents;
pub mod keys;
pub mod secrets;
pub mod status;

use chrono::{SecondsFormat, Utc};
use openbadges::{keys::SigningKey, proof, status_list};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QuerySelect, Set, SqlErr,
};
use serde_json::{Value, json};

pub use documents::own_documents;
pub use keys::{active_key, did_document, mark_compromised, rotate_key};
pub use status::signed_list;

use super::db::{BeginWrite, begin_write};
use super::entities::{credential, institution};
use super::error::{ServerError, ServerResult};
use super::state::Settings;
use super::urls;
use crate::error::AppError;

/// The one status purpose we use.
pub const REVOCATION: &str = "revocation";

/// The institution with this slug.
///
/// # Errors
/// `NotFound` when there is none.
pub async fn institution(
    db: &impl ConnectionTrait,
    slug: &str,
) -> ServerResult<institution::Model> {
    institution::Entity::find()
        .filter(institution::Column::Slug.eq(slug))
        .one(db)
        .await?
        .ok_or_else(|| AppError::NotFound.into())
}

/// The institution with this slug, its row locked until the transaction ends
/// (PostgreSQL; SQLite write transactions are exclusive anyway): signing, revoking and
/// key changes of one institution take turns, so none uses a key another just retired.
///
/// # Errors
/// `NotFound` when there is none.
pub async fn institution_for_update(
    db: &impl ConnectionTrait,
    slug: &str,
) -> ServerResult<institution::Model> {
    institution::Entity::find()
        .filter(institution::Column::Slug.eq(slug))
        .lock_exclusive()
        .one(db)
        .await?
        .ok_or_else(|| AppError::NotFound.into())
}

/// The institution as an OB 3.0 `Profile` (embedded as `issuer` in every credential).
/// Its LinkedIn organization id, when set, travels as an `otherIdentifier` so other
/// wallets can build LinkedIn "Add to profile" links too.
pub fn profile(settings: &Settings, inst: &institution::Model) -> Value {
    let mut p = json!({
        "id": urls::issuer_did(&settings.public_url, &inst.slug),
        "type": ["Profile"],
        "name": inst.name,
        "url": inst.url,
        "email": inst.email,
    });
    if let Some(id) = inst.linkedin_org_id.as_deref().filter(|s| !s.is_empty())
        && let Some(obj) = p.as_object_mut()
    {
        obj.insert(
            "otherIdentifier".into(),
            json!([{
                "type": "IdentifierEntry",
                "identifier": id,
                "identifierType": "ext:LinkedIn:organizationId",
            }]),
        );
    }
    p
}

/// Signs on the blocking pool: canonicalisation is CPU work (milliseconds), kept off the
/// threads that serve requests.
async fn sign_off_thread(
    mut doc: Value,
    key: SigningKey,
    verification_method: String,
) -> ServerResult<Result<Value, proof::SignError>> {
    let created = now_string();
    Ok(tokio::task::spawn_blocking(move || {
        proof::sign(&mut doc, &key, &verification_method, &created).map(|()| doc)
    })
    .await?)
}

fn now_string() -> String {
    Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// An institution to create.
#[derive(Debug, Clone)]
pub struct NewInstitution {
    pub slug: String,
    pub name: String,
    pub url: String,
    pub email: String,
}

/// Creates an institution with its first signing key and its first (signed) status
/// list, in one transaction.
///
/// # Errors
/// `Invalid` for a bad slug or name, or a slug in use; database errors.
pub async fn create_institution(
    db: &DatabaseConnection,
    settings: &Settings,
    new: NewInstitution,
) -> ServerResult<institution::Model> {
    let txn = begin_write(db).await?;
    let inst = create_institution_in(&*txn, settings, new).await?;
    txn.commit().await?;
    Ok(inst)
}

/// [`create_institution`] inside the caller's write transaction (so more can be added
/// to the same commit, such as the first admin's invitation).
///
/// # Errors
/// As [`create_institution`].
pub async fn create_institution_in(
    txn: &impl ConnectionTrait,
    settings: &Settings,
    new: NewInstitution,
) -> ServerResult<institution::Model> {
    let slug = new.slug.trim().to_string();
    if !urls::is_valid_slug(&slug) {
        return Err(AppError::invalid(
            "The slug must be 2 to 64 lower-case letters, digits or dashes (it becomes part of every badge's address).",
        )
        .into());
    }
    let name = new.name.trim().to_string();
    if name.is_empty() || name.chars().count() > 200 || name.chars().any(char::is_control) {
        return Err(AppError::invalid(
            "The institution needs a name: one line of up to 200 characters.",
        )
        .into());
    }
    let inserted = institution::ActiveModel {
        public_id: Set(uuid::Uuid::new_v4()),
        slug: Set(slug),
        name: Set(name),
        url: Set(new.url.trim().to_string()),
        email: Set(new.email.trim().to_string()),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(txn)
    .await;
    let inst = match inserted {
        Ok(inst) => inst,
        Err(e) if matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
            return Err(AppError::invalid("An institution with this slug already exists.").into());
        }
        Err(e) => return Err(e.into()),
    };
    let key = keys::create_key(txn, settings, inst.id).await?;
    status::create_list(txn, settings, &inst, &key, 0).await?;
    Ok(inst)
}

/// The institution with this slug, created (with its key and status list) if there is
/// none. For demo data and scripts that run more than once.
///
/// # Errors
/// As [`create_institution`].
pub async fn ensure_institution(
    db: &DatabaseConnection,
    settings: &Settings,
    new: NewInstitution,
) -> ServerResult<institution::Model> {
    match institution(db, new.slug.trim()).await {
        Ok(found) => Ok(found),
        Err(ServerError::User(AppError::NotFound)) => {
            match create_institution(db, settings, new.clone()).await {
                // Created by someone else meanwhile; any other refusal stands.
                Err(e @ ServerError::User(AppError::Invalid { .. })) => {
                    match institution(db, new.slug.trim()).await {
                        Ok(found) => Ok(found),
                        Err(_) => Err(e),
                    }
                }
                other => other,
            }
        }
        Err(e) => Err(e),
    }
}

/// Start-up work, safe to run from several processes at once: seal keys stored in
/// plain text by earlier versions, check the key-encryption key opens every stored key,
/// and give every institution an active key and a signed first status list.
///
/// # Errors
/// `ServerError::Key` when the key-encryption key does not open the stored keys;
/// database errors.
pub async fn prepare(db: &DatabaseConnection, settings: &Settings) -> ServerResult<()> {
    keys::seal_and_check(db, settings).await?;
    for inst in institution::Entity::find().all(db).await? {
        keys::ensure_key(db, settings, inst.id).await?;
        let txn = begin_write(db).await?;
        let key = active_key(&*txn, settings, inst.id).await?;
        status::ensure_first_list(&*txn, settings, &inst, &key).await?;
        txn.commit().await?;
    }
    Ok(())
}

/// A credential we signed, as stored.
#[derive(Debug, Clone)]
pub struct Issued {
    pub public_id: uuid::Uuid,
    pub status_list_url: String,
    pub status_index: i32,
    pub json: Value,
}

/// Signs an unsigned OB 3.0 credential as the institution: `issuer` becomes its Profile,
/// a fresh status-list entry is assigned, `id` and `validFrom` are filled in if absent.
/// Runs in a transaction of its own, or as a savepoint of the caller's (`db` may be a
/// transaction begun with [`crate::server::db::begin_write`]).
///
/// # Errors
/// `Invalid` when the input is not an object or not valid OB 3.0 JSON-LD, or its id was
/// issued before; `NotFound` for an unknown institution; database errors.
pub async fn sign_credential<C>(
    db: &C,
    settings: &Settings,
    slug: &str,
    mut unsigned: Value,
) -> ServerResult<Issued>
where
    C: BeginWrite,
{
    let Some(obj) = unsigned.as_object_mut() else {
        return Err(AppError::invalid("The credential must be a JSON object.").into());
    };
    obj.remove("proof");
    let public_id = uuid::Uuid::new_v4();
    obj.entry("@context").or_insert_with(|| {
        json!([
            openbadges::model::CONTEXT_VC_V2,
            openbadges::model::CONTEXT_OB_V3
        ])
    });
    obj.entry("type")
        .or_insert_with(|| json!(["VerifiableCredential", "OpenBadgeCredential"]));
    obj.entry("id")
        .or_insert_with(|| Value::String(format!("urn:uuid:{public_id}")));
    obj.entry("validFrom")
        .or_insert_with(|| Value::String(now_string()));
    let credential_id = obj
        .get("id")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();

    let txn = begin_write(db).await?;
    let inst = institution_for_update(&*txn, slug).await?;
    let key = active_key(&*txn, settings, inst.id).await?;
    let (list, index) = status::allocate(&*txn, settings, &inst, &key).await?;
    let list_url = status::list_url(settings, slug, &list);
    if let Some(obj) = unsigned.as_object_mut() {
        obj.insert("issuer".into(), profile(settings, &inst));
        obj.insert(
            "credentialStatus".into(),
            status_list::entry(
                &list_url,
                usize::try_from(index).unwrap_or_default(),
                REVOCATION,
            ),
        );
    }
    let vm = urls::issuer_key_id(&settings.public_url, slug, &key.public_multibase());
    let signed = sign_off_thread(unsigned, key, vm)
        .await?
        .map_err(|e| AppError::invalid(format!("The credential cannot be signed: {e}")))?;

    let inserted = credential::ActiveModel {
        public_id: Set(public_id),
        credential_id: Set(credential_id),
        institution_id: Set(inst.id),
        status_list_id: Set(Some(list.id)),
        status_index: Set(index),
        json: Set(signed.to_string()),
        issued_at: Set(Utc::now()),
        revoked_at: Set(None),
        revocation_reason: Set(None),
        ..Default::default()
    }
    .insert(&*txn)
    .await;
    match inserted {
        Ok(_) => {}
        Err(e) if matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
            return Err(AppError::invalid("A credential with this id was already issued.").into());
        }
        Err(e) => return Err(e.into()),
    }
    txn.commit().await?;
    Ok(Issued {
        public_id,
        status_list_url: list_url,
        status_index: index,
        json: signed,
    })
}

/// Revokes a credential (by its `id`, e.g. `urn:uuid:…`, or its public id): the bit is
/// set and the list re-signed in the same transaction, so the served list changes at
/// once. Revoking twice changes nothing. Runs in a transaction of its own, or as a
/// savepoint of the caller's.
///
/// # Errors
/// `NotFound` for an unknown credential; database errors.
pub async fn revoke<C>(
    db: &C,
    settings: &Settings,
    credential_id: &str,
    reason: &str,
) -> ServerResult<()>
where
    C: BeginWrite,
{
    let txn = begin_write(db).await?;
    // The credential's own id exactly; failing that, our public id (a bare UUID).
    let mut cred = credential::Entity::find()
        .filter(credential::Column::CredentialId.eq(credential_id))
        .one(&*txn)
        .await?;
    if cred.is_none()
        && let Ok(public_id) = uuid::Uuid::try_parse(credential_id)
    {
        cred = credential::Entity::find()
            .filter(credential::Column::PublicId.eq(public_id))
            .one(&*txn)
            .await?;
    }
    let cred = cred.ok_or(AppError::NotFound)?;
    let inst = institution::Entity::find_by_id(cred.institution_id)
        .lock_exclusive()
        .one(&*txn)
        .await?
        .ok_or(AppError::NotFound)?;
    let list_id = cred
        .status_list_id
        .ok_or_else(|| ServerError::Key("the credential has no status list entry".into()))?;
    let key = active_key(&*txn, settings, inst.id).await?;
    status::set_bit(
        &*txn,
        settings,
        &inst,
        &key,
        list_id,
        cred.status_index,
        true,
    )
    .await?;
    if cred.revoked_at.is_none() {
        let mut c: credential::ActiveModel = cred.into();
        c.revoked_at = Set(Some(Utc::now()));
        c.revocation_reason = Set(Some(reason.to_string()));
        c.update(&*txn).await?;
    }
    txn.commit().await?;
    Ok(())
}
