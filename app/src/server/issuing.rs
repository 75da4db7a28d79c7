//! Issuing Open Badges: each institution's did:web identity and keys, its revocation
//! status list, signing credentials, revoking them, and resolving our own documents for
//! the verifier. The cryptography and formats live in the `openbadges` crate; this module
//! only stores and finds things.

use std::collections::HashMap;

use chrono::{SecondsFormat, Utc};
use openbadges::{
    keys::{self, SigningKey},
    proof, status_list,
    status_list::Bitstring,
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, Set, TransactionTrait,
};
use serde_json::{Value, json};

use super::entities::{credential, institution, issuer_key, status_list as status_row};
use super::error::{ServerError, ServerResult};
use super::state::Settings;
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

/// The institution's DID.
pub fn did(settings: &Settings, slug: &str) -> String {
    keys::did_web(&settings.public_url, slug)
}

/// Where the institution's DID document is served.
pub fn did_document_url(settings: &Settings, slug: &str) -> String {
    format!("{}/issuers/{slug}/did.json", settings.public_url)
}

/// Where the institution's revocation list is served.
pub fn status_list_url(settings: &Settings, slug: &str) -> String {
    format!("{}/issuers/{slug}/status/{REVOCATION}", settings.public_url)
}

/// The institution as an OB 3.0 `Profile` (embedded as `issuer` in every credential).
pub fn profile(settings: &Settings, inst: &institution::Model) -> Value {
    json!({
        "id": did(settings, &inst.slug),
        "type": ["Profile"],
        "name": inst.name,
        "url": inst.url,
        "email": inst.email,
    })
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

/// The institution's current signing key, created on first use.
///
/// # Errors
/// Database errors, or a stored key that cannot be read.
pub async fn current_key(
    db: &impl ConnectionTrait,
    institution_id: i32,
) -> ServerResult<SigningKey> {
    let found = issuer_key::Entity::find()
        .filter(issuer_key::Column::InstitutionId.eq(institution_id))
        .filter(issuer_key::Column::RetiredAt.is_null())
        .order_by_desc(issuer_key::Column::Id)
        .one(db)
        .await?;
    if let Some(row) = found {
        return SigningKey::from_secret_multibase(&row.secret_key)
            .map_err(|e| ServerError::Key(e.to_string()));
    }
    let key = SigningKey::generate();
    issuer_key::ActiveModel {
        institution_id: Set(institution_id),
        public_key: Set(key.public_multibase()),
        secret_key: Set(key.secret_multibase()),
        created_at: Set(Utc::now()),
        retired_at: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(key)
}

/// Retires the current key and makes a new one. Old credentials keep verifying: the
/// retired key stays in the DID document.
///
/// # Errors
/// Database errors.
pub async fn rotate_key(db: &DatabaseConnection, institution_id: i32) -> ServerResult<SigningKey> {
    let txn = db.begin().await?;
    issuer_key::Entity::update_many()
        .col_expr(
            issuer_key::Column::RetiredAt,
            sea_orm::sea_query::Expr::value(Utc::now()),
        )
        .filter(issuer_key::Column::InstitutionId.eq(institution_id))
        .filter(issuer_key::Column::RetiredAt.is_null())
        .exec(&txn)
        .await?;
    let key = current_key(&txn, institution_id).await?;
    txn.commit().await?;
    Ok(key)
}

/// The DID document of an institution: every key it ever used.
///
/// # Errors
/// `NotFound` for an unknown slug; database errors.
pub async fn did_document(
    db: &impl ConnectionTrait,
    settings: &Settings,
    slug: &str,
) -> ServerResult<Value> {
    let inst = institution(db, slug).await?;
    current_key(db, inst.id).await?;
    let keys: Vec<String> = issuer_key::Entity::find()
        .filter(issuer_key::Column::InstitutionId.eq(inst.id))
        .order_by_asc(issuer_key::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|k| k.public_key)
        .collect();
    Ok(keys::did_document(&did(settings, slug), &keys))
}

async fn list_row(
    db: &impl ConnectionTrait,
    institution_id: i32,
) -> ServerResult<status_row::Model> {
    if let Some(row) = status_row::Entity::find()
        .filter(status_row::Column::InstitutionId.eq(institution_id))
        .filter(status_row::Column::Purpose.eq(REVOCATION))
        .one(db)
        .await?
    {
        return Ok(row);
    }
    Ok(status_row::ActiveModel {
        institution_id: Set(institution_id),
        purpose: Set(REVOCATION.into()),
        bits: Set(Bitstring::default().as_bytes().to_vec()),
        next_index: Set(0),
        signed: Set(None),
        updated_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(db)
    .await?)
}

/// The institution's signed revocation list as it stands now. Signed once per change
/// and kept with the list, so serving it costs a read, not a signature.
///
/// # Errors
/// `NotFound` for an unknown slug; database or signing errors.
pub async fn signed_status_list(
    db: &impl ConnectionTrait,
    settings: &Settings,
    slug: &str,
) -> ServerResult<Value> {
    let inst = institution(db, slug).await?;
    let row = list_row(db, inst.id).await?;
    if let Some(signed) = row
        .signed
        .as_deref()
        .and_then(|s| serde_json::from_str(s).ok())
    {
        return Ok(signed);
    }
    let key = current_key(db, inst.id).await?;
    let did = did(settings, slug);
    let list = status_list::list_credential(
        &status_list_url(settings, slug),
        Value::String(did.clone()),
        REVOCATION,
        &Bitstring::from_bytes(row.bits.clone()),
        &row.updated_at.to_rfc3339_opts(SecondsFormat::Secs, true),
    );
    let vm = keys::verification_method(&did, &key.public_multibase());
    let signed = sign_off_thread(list, key, vm).await??;
    // Store it unless the list changed meanwhile (then the next request signs the new one).
    status_row::Entity::update_many()
        .col_expr(
            status_row::Column::Signed,
            sea_orm::sea_query::Expr::value(signed.to_string()),
        )
        .filter(status_row::Column::Id.eq(row.id))
        .filter(status_row::Column::UpdatedAt.eq(row.updated_at))
        .exec(db)
        .await?;
    Ok(signed)
}

/// A credential we signed, as stored.
#[derive(Debug, Clone)]
pub struct Issued {
    pub public_id: uuid::Uuid,
    pub status_index: i32,
    pub json: Value,
}

/// Signs an unsigned OB 3.0 credential as the institution: `issuer` becomes its Profile,
/// a fresh status-list entry is assigned, `id` and `validFrom` are filled in if absent.
///
/// # Errors
/// `Invalid` when the input is not an object or not valid OB 3.0 JSON-LD; `NotFound` for
/// an unknown institution; database errors.
pub async fn sign_credential(
    db: &DatabaseConnection,
    settings: &Settings,
    slug: &str,
    mut unsigned: Value,
) -> ServerResult<Issued> {
    let Some(obj) = unsigned.as_object_mut() else {
        return Err(AppError::invalid("The credential must be a JSON object.").into());
    };
    obj.remove("proof");
    let txn = db.begin().await?;
    let inst = institution(&txn, slug).await?;
    let key = current_key(&txn, inst.id).await?;
    let row = list_row(&txn, inst.id).await?;
    let index = row.next_index;
    if usize::try_from(index).unwrap_or(usize::MAX) >= row.bits.len() * 8 {
        return Err(AppError::invalid("This institution's status list is full.").into());
    }
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
    obj.insert("issuer".into(), profile(settings, &inst));
    obj.insert(
        "credentialStatus".into(),
        status_list::entry(
            &status_list_url(settings, slug),
            usize::try_from(index).unwrap_or_default(),
            REVOCATION,
        ),
    );
    let vm = keys::verification_method(&did(settings, slug), &key.public_multibase());
    let unsigned = sign_off_thread(unsigned, key, vm)
        .await?
        .map_err(|e| AppError::invalid(format!("The credential cannot be signed: {e}")))?;

    let mut next: status_row::ActiveModel = row.into();
    next.next_index = Set(index + 1);
    next.updated_at = Set(Utc::now());
    next.update(&txn).await?;
    let credential_id = unsigned["id"].as_str().unwrap_or_default().to_string();
    if credential::Entity::find()
        .filter(credential::Column::CredentialId.eq(credential_id.as_str()))
        .one(&txn)
        .await?
        .is_some()
    {
        return Err(AppError::invalid("A credential with this id was already issued.").into());
    }
    credential::ActiveModel {
        public_id: Set(public_id),
        credential_id: Set(credential_id),
        institution_id: Set(inst.id),
        status_index: Set(index),
        json: Set(unsigned.to_string()),
        issued_at: Set(Utc::now()),
        revoked_at: Set(None),
        revocation_reason: Set(None),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    txn.commit().await?;
    Ok(Issued {
        public_id,
        status_index: index,
        json: unsigned,
    })
}

/// Revokes a credential (by its `id`, e.g. `urn:uuid:…`, or its public id): the bit
/// flips in the same transaction, so the served list changes at once.
///
/// # Errors
/// `NotFound` for an unknown credential; database errors.
pub async fn revoke(
    db: &DatabaseConnection,
    credential_id: &str,
    reason: &str,
) -> ServerResult<()> {
    let txn = db.begin().await?;
    let public_id = uuid::Uuid::parse_str(credential_id.trim_start_matches("urn:uuid:")).ok();
    let cred = credential::Entity::find()
        .filter(
            sea_orm::Condition::any()
                .add(credential::Column::CredentialId.eq(credential_id))
                .add_option(public_id.map(|id| credential::Column::PublicId.eq(id))),
        )
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    let row = list_row(&txn, cred.institution_id).await?;
    let mut bits = Bitstring::from_bytes(row.bits.clone());
    bits.set(
        usize::try_from(cred.status_index).unwrap_or(usize::MAX),
        true,
    );
    let mut list: status_row::ActiveModel = row.into();
    list.bits = Set(bits.as_bytes().to_vec());
    list.signed = Set(None);
    list.updated_at = Set(Utc::now());
    list.update(&txn).await?;
    let mut c: credential::ActiveModel = cred.into();
    c.revoked_at = Set(Some(Utc::now()));
    c.revocation_reason = Set(Some(reason.to_string()));
    c.update(&txn).await?;
    txn.commit().await?;
    Ok(())
}

/// `None` for an unknown institution (not ours to answer), the error for anything else:
/// a database failure must not pass for "issuer not found".
fn unless_unknown<T>(result: ServerResult<T>) -> ServerResult<Option<T>> {
    match result {
        Ok(v) => Ok(Some(v)),
        Err(ServerError::User(AppError::NotFound)) => Ok(None),
        Err(e) => Err(e),
    }
}

/// The documents a credential refers to that we host ourselves (issuer DID documents,
/// status lists, also those the status list's own proof needs), ready for the verifier.
///
/// # Errors
/// Database errors.
pub async fn own_documents(
    db: &impl ConnectionTrait,
    settings: &Settings,
    credential: &Value,
    extra_key_ids: &[String],
) -> ServerResult<HashMap<String, Value>> {
    let mut out = HashMap::new();
    let did_prefix = keys::did_web(&settings.public_url, "");
    let list_prefix = format!("{}/issuers/", settings.public_url);
    let mut wanted: Vec<String> = proof::proofs(credential)
        .iter()
        .filter_map(|p| p["verificationMethod"].as_str())
        .chain(extra_key_ids.iter().map(String::as_str))
        .map(|vm| vm.split('#').next().unwrap_or(vm).to_string())
        .collect();
    if let Some(url) = credential
        .pointer("/credentialStatus/statusListCredential")
        .and_then(Value::as_str)
    {
        wanted.push(url.to_string());
    }
    for url in wanted {
        if out.contains_key(&url) {
            continue;
        }
        if let Some(slug) = url.strip_prefix(&did_prefix) {
            if let Some(doc) = unless_unknown(did_document(db, settings, slug).await)? {
                out.insert(url.clone(), doc);
            }
            continue;
        }
        let Some(slug) = url
            .strip_prefix(&list_prefix)
            .and_then(|rest| rest.strip_suffix(&format!("/status/{REVOCATION}")))
            .map(str::to_string)
        else {
            continue;
        };
        if let Some(list) = unless_unknown(signed_status_list(db, settings, &slug).await)? {
            out.insert(url, list);
            if let std::collections::hash_map::Entry::Vacant(e) = out.entry(did(settings, &slug)) {
                e.insert(did_document(db, settings, &slug).await?);
            }
        }
    }
    Ok(out)
}
