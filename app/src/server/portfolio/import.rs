//! Importing a badge earned elsewhere: a baked PNG or SVG, a JSON file, pasted JSON or
//! a JWT, or a web address. It is verified first by the same core as `/verify`
//! (`server::verification`); it is refused, with the reason, when it is not verified,
//! revoked or suspended, when its recipient is not one of the learner's *confirmed*
//! addresses, when it names its recipient only by a DID, or when this site issued it.
//! The original bytes are kept verbatim (`imported_badges.original`, with their media
//! type and SHA-256) and re-verified whenever the badge's page is opened; the wall shows
//! the verdict stored then.
//!
//! Recipient matching: a hashed identity (`sha256$…` or `md5$…`, with the credential's
//! salt) is compared with each confirmed address both lower-cased and as the learner
//! typed it (a hash cannot be compared case-insensitively any other way); a plain one
//! case-insensitively.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use openbadges::{
    baking::{self, ImageFormat},
    input::{self, Input},
    verify::{Options, Report, Resolver, Standing, Verdict},
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    Set, SqlErr, sea_query::Expr,
};
use serde_json::Value;
use sha2::{Digest as _, Sha256};

use crate::error::AppError;
use crate::model::import::Imported;
use crate::model::portfolio::{CheckLine, Verification};
use crate::server::db::BeginWrite;
use crate::server::entities::{award, credential, imported_badge};
use crate::server::error::ServerResult;
use crate::server::state::Settings;
use crate::server::{addresses, verification};

/// Largest file accepted: the cap of `/verify`'s uploads (whose router limit, the
/// file plus the form's text, the import endpoint shares).
pub const MAX_FILE_BYTES: usize = 8 * 1024 * 1024;

/// Longest name or issuer name kept.
const MAX_NAME_CHARS: usize = 200;
/// Longest description kept.
const MAX_DESCRIPTION_CHARS: usize = 4_000;
/// Longest image address kept (a `data:` image may be inlined; larger ones are dropped).
const MAX_IMAGE_URL_BYTES: usize = 64 * 1024;

/// What the learner handed over.
#[derive(Debug, Clone)]
pub enum Upload {
    /// A file (baked PNG/SVG, JSON, JWT) as uploaded.
    File(Vec<u8>),
    /// Text pasted into the form (JSON or a JWT).
    Pasted(String),
    /// A web address to fetch the badge from.
    Url(String),
}

/// How the documents a verification needs are found: the site's own and the network
/// (production), or a fixed set (tests with fixtures from independent tools).
#[derive(Clone, Default)]
pub enum Documents {
    #[default]
    Network,
    Fixed(Arc<dyn Resolver + Send + Sync>),
}

impl std::fmt::Debug for Documents {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Network => f.write_str("Network"),
            Self::Fixed(_) => f.write_str("Fixed"),
        }
    }
}

/// Why an import was refused (each a sentence for the learner).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    #[error("Choose a file, paste a badge, or give its web address.")]
    Nothing,
    #[error("{0}")]
    Unreadable(String),
    #[error("This badge did not pass verification, so it cannot be imported: {0}")]
    NotVerified(String),
    #[error("This badge could not be verified, so it cannot be imported: {0}")]
    Unverifiable(String),
    #[error("This badge was revoked by its issuer, so it cannot be imported.{0}")]
    Revoked(String),
    #[error("This badge is suspended by its issuer, so it cannot be imported.")]
    Suspended,
    #[error(
        "This badge names its recipient only by a decentralized identifier (DID), not by an email address, so it cannot be matched to your account."
    )]
    DidOnly,
    #[error(
        "This badge was issued to a {0}, not to an email address, so it cannot be matched to your account."
    )]
    NotEmail(String),
    #[error(
        "This badge was issued to an address you have added but not confirmed yet. Confirm it with the link we mailed, then import the badge again."
    )]
    Unconfirmed,
    #[error(
        "This badge was not issued to any of your confirmed email addresses. If it was sent to another address of yours, add and confirm that address in your account settings, then import it again."
    )]
    WrongRecipient,
    #[error("This badge was issued here and is already on your wall.")]
    AlreadyOnWall,
    #[error(
        "This badge was issued on this site; it appears on the wall of the account it was awarded to."
    )]
    IssuedHere,
    #[error("You have already imported this badge.")]
    Duplicate,
    #[error(
        "This copy of the badge differs from the one its issuer hosts, and only the issuer's copy is verified (an Open Badges 2.0 hosted badge has no signature). Import it by its web address instead."
    )]
    CopyDiffers,
}

impl From<Refused> for crate::server::ServerError {
    fn from(r: Refused) -> Self {
        AppError::invalid(r.to_string()).into()
    }
}

/// What is kept of an upload, before verification.
struct Original {
    bytes: Vec<u8>,
    format: &'static str,
    media_type: &'static str,
    source_url: Option<String>,
    input: Input,
}

fn digest(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn is_ob2(input: &Input) -> bool {
    input
        .credential()
        .is_some_and(|c| openbadges::ob2::is_assertion(&c))
}

/// Reads an upload (CPU work off the async threads).
async fn read(upload: Upload) -> ServerResult<Original> {
    let (bytes, url) = match upload {
        Upload::File(b) if b.is_empty() => return Err(Refused::Nothing.into()),
        Upload::File(b) => (b, None),
        Upload::Pasted(t) if t.trim().is_empty() => return Err(Refused::Nothing.into()),
        Upload::Pasted(t) => (t.trim().as_bytes().to_vec(), None),
        Upload::Url(u) if u.trim().is_empty() => return Err(Refused::Nothing.into()),
        Upload::Url(u) => {
            let u = u.trim().to_string();
            if !openbadges::ob2::is_http_url(&u) {
                return Err(Refused::Unreadable(
                    "Give the badge's web address, starting with https://.".into(),
                )
                .into());
            }
            (u.as_bytes().to_vec(), Some(u))
        }
    };
    tokio::task::spawn_blocking(move || {
        let input =
            input::read(&bytes).map_err(|e| Refused::Unreadable(capitalised(&e.to_string())))?;
        let (format, media_type) = match (&input, baking::sniff(&bytes)) {
            (Input::Url(_), None) if url.is_some() => (imported_badge::FORMAT_URL, "text/uri-list"),
            (Input::Url(_), None) => {
                return Err(Refused::Unreadable(
                    "Give a web address in the address field, or paste the badge itself.".into(),
                ));
            }
            (_, Some(ImageFormat::Png)) => (imported_badge::FORMAT_BAKED_PNG, "image/png"),
            (_, Some(ImageFormat::Svg)) => (imported_badge::FORMAT_BAKED_SVG, "image/svg+xml"),
            (Input::Jwt(_), None) if is_ob2(&input) => {
                (imported_badge::FORMAT_OB2, "application/jwt")
            }
            (Input::Jwt(_), None) => (imported_badge::FORMAT_OB3_JWT, "application/jwt"),
            (Input::Credential(_), None) if is_ob2(&input) => {
                (imported_badge::FORMAT_OB2, "application/json")
            }
            (Input::Credential(_), None) => (imported_badge::FORMAT_OB3_JSON, "application/json"),
            (Input::Unsupported(why), None) => return Err(Refused::Unverifiable(why.clone())),
        };
        Ok(Original {
            bytes,
            format,
            media_type,
            source_url: url,
            input,
        })
    })
    .await?
    .map_err(Into::into)
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => {
            let mut out: String = f.to_uppercase().collect();
            out.push_str(c.as_str());
            if !out.ends_with('.') {
                out.push('.');
            }
            out
        }
        None => String::new(),
    }
}

/// Verifies what was read, recipient unchecked (matched here against every address).
async fn verify(
    db: &impl ConnectionTrait,
    settings: &Settings,
    input: Input,
    docs: &Documents,
) -> ServerResult<Report> {
    match docs {
        Documents::Network => verification::verify_input(db, settings, input, None).await,
        Documents::Fixed(r) => {
            let r = r.clone();
            Ok(tokio::task::spawn_blocking(move || {
                input::verify(
                    &input,
                    &*r,
                    &Options {
                        now: None,
                        recipient_email: None,
                    },
                )
            })
            .await?)
        }
    }
}

/// The credential as checked: for OB 2.0 the assertion (hosted copy or signed
/// payload), for a badge given by its address the document fetched, else the input's.
fn checked_credential(input: &Input, report: &Report) -> Option<Value> {
    if let Some(ob2) = &report.ob2 {
        return Some(ob2.assertion.clone());
    }
    report.fetched.clone().or_else(|| input.credential())
}

/// Who a credential was issued to.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Recipient {
    Emails(Vec<Identity>),
    DidOnly,
    Other(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Identity {
    value: String,
    hashed: bool,
    salt: String,
}

fn str_of<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}

fn recipient_of(cred: &Value) -> Recipient {
    if openbadges::ob2::is_assertion(cred) {
        let r = cred.get("recipient").cloned().unwrap_or(Value::Null);
        let kind = str_of(&r, "type").unwrap_or("email");
        if kind != "email" {
            return Recipient::Other(kind.to_string());
        }
        return Recipient::Emails(vec![Identity {
            value: str_of(&r, "identity").unwrap_or_default().to_string(),
            hashed: r.get("hashed").and_then(Value::as_bool) == Some(true),
            salt: str_of(&r, "salt").unwrap_or_default().to_string(),
        }]);
    }
    let subject = match cred.get("credentialSubject") {
        Some(Value::Array(a)) => a.first().cloned().unwrap_or(Value::Null),
        Some(s) => s.clone(),
        None => Value::Null,
    };
    let ids = match subject.get("identifier") {
        Some(Value::Array(a)) => a.clone(),
        Some(o @ Value::Object(_)) => vec![o.clone()],
        _ => Vec::new(),
    };
    let emails: Vec<Identity> = ids
        .iter()
        .filter(|id| str_of(id, "identityType") == Some("emailAddress"))
        .map(|id| Identity {
            value: str_of(id, "identityHash").unwrap_or_default().to_string(),
            hashed: id.get("hashed").and_then(Value::as_bool) == Some(true),
            salt: str_of(id, "salt").unwrap_or_default().to_string(),
        })
        .collect();
    if !emails.is_empty() {
        return Recipient::Emails(emails);
    }
    if let Some(kind) = ids.iter().find_map(|id| str_of(id, "identityType")) {
        return Recipient::Other(kind.to_string());
    }
    if str_of(&subject, "id").is_some_and(|id| id.starts_with("did:")) {
        return Recipient::DidOnly;
    }
    Recipient::Other("recipient it does not name".into())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Whether `identity` names `email` (as typed and lower-cased for a hash).
fn identity_matches(identity: &Identity, email: &str) -> bool {
    let typed = email.trim();
    if !identity.hashed {
        return identity.value.trim().eq_ignore_ascii_case(typed);
    }
    let Some((algo, want)) = identity.value.split_once('$') else {
        return false;
    };
    let lower = typed.to_lowercase();
    [typed, lower.as_str()].iter().any(|e| {
        let input = format!("{e}{}", identity.salt);
        let got = match algo.to_ascii_lowercase().as_str() {
            "sha256" => hex(&Sha256::digest(input.as_bytes())),
            "md5" => hex(<md5::Md5 as md5::Digest>::digest(input.as_bytes()).as_slice()),
            _ => return false,
        };
        got.eq_ignore_ascii_case(want.trim())
    })
}

/// Text of a JSON string field, trimmed, at most `max` characters.
fn text_of(v: Option<&Value>, key: &str, max: usize) -> Option<String> {
    let s = v?.get(key)?.as_str()?.trim();
    (!s.is_empty()).then(|| s.chars().take(max).collect())
}

/// An image address fit to show: https, or an inlined raster/SVG image.
fn image_of(v: Option<&Value>) -> Option<String> {
    let img = v?.get("image")?;
    let url = match img {
        Value::String(s) => s.clone(),
        Value::Object(o) => o.get("id").and_then(Value::as_str)?.to_string(),
        _ => return None,
    };
    let ok = url.starts_with("https://")
        || ["png", "jpeg", "gif", "webp", "svg+xml"]
            .iter()
            .any(|t| url.starts_with(&format!("data:image/{t};base64,")));
    (ok && url.len() <= MAX_IMAGE_URL_BYTES).then_some(url)
}

fn time_of(v: Option<&Value>, keys: &[&str]) -> Option<DateTime<Utc>> {
    let v = v?;
    keys.iter().find_map(|k| {
        v.get(*k)
            .and_then(Value::as_str)
            .and_then(|s| DateTime::parse_from_rfc3339(s.trim()).ok())
            .map(|t| t.with_timezone(&Utc))
    })
}

/// What the wall shows of a badge.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Shown {
    name: String,
    description: String,
    issuer_name: String,
    issuer_url: Option<String>,
    image_url: Option<String>,
    issued_at: Option<DateTime<Utc>>,
    expires_at: Option<DateTime<Utc>>,
}

fn web(url: Option<String>) -> Option<String> {
    url.filter(|u| u.starts_with("https://") || u.starts_with("http://"))
}

fn shown(cred: &Value, report: &Report) -> Shown {
    if let Some(ob2) = &report.ob2 {
        let class = ob2.badge_class.as_ref();
        let issuer = ob2.issuer.as_ref();
        return Shown {
            name: text_of(class, "name", MAX_NAME_CHARS).unwrap_or_else(|| "Badge".into()),
            description: text_of(class, "description", MAX_DESCRIPTION_CHARS).unwrap_or_default(),
            issuer_name: text_of(issuer, "name", MAX_NAME_CHARS)
                .or_else(|| report.issuer_name.clone())
                .unwrap_or_else(|| "Unknown issuer".into()),
            issuer_url: web(text_of(issuer, "url", 2048)),
            image_url: image_of(Some(&ob2.assertion)).or_else(|| image_of(class)),
            issued_at: time_of(Some(&ob2.assertion), &["issuedOn"]),
            expires_at: time_of(Some(&ob2.assertion), &["expires"]),
        };
    }
    let subject = match cred.get("credentialSubject") {
        Some(Value::Array(a)) => a.first(),
        s => s,
    };
    let achievement = subject.and_then(|s| s.get("achievement"));
    let issuer = cred.get("issuer");
    let issuer_obj = issuer.filter(|i| i.is_object());
    Shown {
        name: text_of(achievement, "name", MAX_NAME_CHARS)
            .or_else(|| text_of(Some(cred), "name", MAX_NAME_CHARS))
            .unwrap_or_else(|| "Badge".into()),
        description: text_of(achievement, "description", MAX_DESCRIPTION_CHARS)
            .or_else(|| text_of(Some(cred), "description", MAX_DESCRIPTION_CHARS))
            .unwrap_or_default(),
        issuer_name: text_of(issuer_obj, "name", MAX_NAME_CHARS)
            .or_else(|| report.issuer_name.clone())
            .unwrap_or_else(|| "Unknown issuer".into()),
        issuer_url: web(text_of(issuer_obj, "url", 2048)).or_else(|| web(report.issuer_id.clone())),
        image_url: image_of(achievement).or_else(|| image_of(Some(cred))),
        issued_at: time_of(Some(cred), &["validFrom", "issuanceDate", "awardedDate"]),
        expires_at: time_of(Some(cred), &["validUntil", "expirationDate"]),
    }
}

/// The reason a report gives for not being verified and active.
fn reason(report: &Report) -> String {
    report
        .reason()
        .map(|c| c.message.clone())
        .or_else(|| {
            report
                .checks
                .iter()
                .find(|c| c.outcome == openbadges::verify::Outcome::Fail)
                .map(|c| c.message.clone())
        })
        .unwrap_or_else(|| report.summary())
}

/// Refuses what verification does not accept: not verified, unverifiable, revoked,
/// suspended. Expired and not-yet-valid badges are imported (and marked so).
fn accept(report: &Report) -> Result<(), Refused> {
    match report.verdict {
        Verdict::Verified => {}
        Verdict::NotVerified => return Err(Refused::NotVerified(reason(report))),
        Verdict::Unverifiable => return Err(Refused::Unverifiable(reason(report))),
    }
    match report.standing {
        Standing::Revoked => {
            let why = report
                .check("status")
                .map(|c| format!(" {}", c.message))
                .unwrap_or_default();
            Err(Refused::Revoked(why))
        }
        Standing::Suspended => Err(Refused::Suspended),
        _ => Ok(()),
    }
}

/// Whether this site issued the credential: then it is an award, not an import.
async fn issued_here(
    db: &impl ConnectionTrait,
    user_id: i32,
    cred: &Value,
    report: &Report,
) -> ServerResult<Option<Refused>> {
    let Some(id) = report
        .credential_id
        .clone()
        .or_else(|| str_of(cred, "id").map(str::to_string))
    else {
        return Ok(None);
    };
    let Some(ours) = credential::Entity::find()
        .filter(credential::Column::CredentialId.eq(id))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let mine = award::Entity::find()
        .filter(award::Column::CredentialId.eq(ours.id))
        .filter(award::Column::UserId.eq(user_id))
        .one(db)
        .await?;
    Ok(Some(if mine.is_some() {
        Refused::AlreadyOnWall
    } else {
        Refused::IssuedHere
    }))
}

/// Checks the recipient against the learner's addresses.
async fn check_recipient(
    db: &impl ConnectionTrait,
    user_id: i32,
    cred: &Value,
) -> ServerResult<()> {
    let ids = match recipient_of(cred) {
        Recipient::Emails(ids) => ids,
        Recipient::DidOnly => return Err(Refused::DidOnly.into()),
        Recipient::Other(kind) => return Err(Refused::NotEmail(kind).into()),
    };
    let confirmed = addresses::confirmed(db, user_id).await?;
    if confirmed
        .iter()
        .any(|e| ids.iter().any(|id| identity_matches(id, e)))
    {
        return Ok(());
    }
    let unconfirmed: Vec<String> = crate::server::entities::user_email::Entity::find()
        .filter(crate::server::entities::user_email::Column::UserId.eq(user_id))
        .filter(crate::server::entities::user_email::Column::ConfirmedAt.is_null())
        .all(db)
        .await?
        .into_iter()
        .map(|e| e.email)
        .collect();
    if unconfirmed
        .iter()
        .any(|e| ids.iter().any(|id| identity_matches(id, e)))
    {
        return Err(Refused::Unconfirmed.into());
    }
    Err(Refused::WrongRecipient.into())
}

/// Imports a badge for `user_id`.
///
/// # Errors
/// `Invalid` with the reason when refused (see [`Refused`]); database errors.
pub async fn import(
    db: &DatabaseConnection,
    settings: &Settings,
    user_id: i32,
    upload: Upload,
    docs: &Documents,
) -> ServerResult<Imported> {
    let original = read(upload).await?;
    let dig = digest(&original.bytes);
    let already = imported_badge::Entity::find()
        .filter(imported_badge::Column::UserId.eq(user_id))
        .filter(imported_badge::Column::Digest.eq(dig.clone()))
        .one(db)
        .await?;
    if already.is_some() {
        return Err(Refused::Duplicate.into());
    }
    let report = verify(db, settings, original.input.clone(), docs).await?;
    let cred = checked_credential(&original.input, &report).unwrap_or(Value::Null);
    if let Some(refused) = issued_here(db, user_id, &cred, &report).await? {
        return Err(refused.into());
    }
    accept(&report)?;
    // A hosted Open Badges 2.0 badge is checked by fetching the issuer's copy; a local
    // copy that says anything else (evidence, narrative, expiry) would be kept and shown
    // later as if checked. Only a copy equal to the issuer's is imported.
    if report.checked_by == Some(openbadges::verify::CheckedBy::Hosting)
        && original
            .input
            .credential()
            .is_some_and(|local| local != cred)
    {
        return Err(Refused::CopyDiffers.into());
    }
    check_recipient(db, user_id, &cred).await?;
    let s = shown(&cred, &report);
    let now = Utc::now();
    let public_id = uuid::Uuid::new_v4();
    let row = imported_badge::ActiveModel {
        public_id: Set(public_id),
        user_id: Set(user_id),
        format: Set(original.format.to_string()),
        original: Set(original.bytes),
        media_type: Set(original.media_type.to_string()),
        digest: Set(dig),
        source_url: Set(original.source_url),
        name: Set(s.name.clone()),
        description: Set(s.description),
        issuer_name: Set(s.issuer_name.clone()),
        issuer_url: Set(s.issuer_url),
        image_url: Set(s.image_url),
        issued_at: Set(s.issued_at),
        expires_at: Set(s.expires_at),
        is_public: Set(false),
        allow_indexing: Set(false),
        verdict: Set(report.verdict.as_str().to_string()),
        standing: Set(report.standing.as_str().to_string()),
        checked_at: Set(Some(now)),
        imported_at: Set(now),
        ..Default::default()
    };
    let txn = crate::server::db::begin_write(db).await?;
    // Not for an account deleted meanwhile (the deletion holds this row's lock).
    crate::server::account_data::deletion::lock_live_user(&*txn, user_id).await?;
    match row.insert(&*txn).await {
        Ok(_) => {}
        Err(e) if matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
            return Err(Refused::Duplicate.into());
        }
        Err(e) => return Err(e.into()),
    }
    txn.commit().await?;
    Ok(Imported {
        public_id: public_id.to_string(),
        name: s.name,
        issuer: s.issuer_name,
    })
}

/// One of the learner's imports by its public id; someone else's is not found.
///
/// # Errors
/// `NotFound`; database errors.
pub async fn own_import(
    db: &impl ConnectionTrait,
    user_id: i32,
    public_id: &str,
) -> ServerResult<imported_badge::Model> {
    let id = uuid::Uuid::try_parse(public_id.trim()).map_err(|_| AppError::NotFound)?;
    imported_badge::Entity::find()
        .filter(imported_badge::Column::PublicId.eq(id))
        .filter(imported_badge::Column::UserId.eq(user_id))
        .one(db)
        .await?
        .ok_or_else(|| AppError::NotFound.into())
}

/// Deletes one of the learner's imports.
///
/// # Errors
/// `NotFound` for someone else's; database errors.
pub async fn delete(db: &DatabaseConnection, user_id: i32, public_id: &str) -> ServerResult<()> {
    let row = own_import(db, user_id, public_id).await?;
    let txn = crate::server::db::begin_write(db).await?;
    imported_badge::Entity::delete_many()
        .filter(imported_badge::Column::Id.eq(row.id))
        .filter(imported_badge::Column::UserId.eq(user_id))
        .exec(&*txn)
        .await?;
    txn.commit().await?;
    Ok(())
}

/// The mark of an import as stored.
pub fn import_mark(i: &imported_badge::Model, now: DateTime<Utc>) -> crate::model::portfolio::Mark {
    super::mark(false, &i.verdict, &i.standing, i.expires_at, now)
}

/// Re-verifies the original bytes of an import and stores what was found (a
/// revocation once seen is never undone). Returns the report as the page shows it.
///
/// # Errors
/// Database errors.
pub async fn reverify<C: BeginWrite>(
    db: &C,
    settings: &Settings,
    row: &imported_badge::Model,
    docs: &Documents,
    now: DateTime<Utc>,
) -> ServerResult<Verification> {
    let bytes = row.original.clone();
    let read = tokio::task::spawn_blocking(move || input::read(&bytes)).await?;
    let (verdict, standing, why, signer, checks) = match read {
        Ok(input) => {
            let report = verify(db, settings, input, docs).await?;
            let why = (!report.is_good()).then(|| reason(&report));
            let checks = report
                .checks
                .iter()
                .map(|c| CheckLine {
                    id: c.id.to_string(),
                    outcome: super::detail::outcome_name(c.outcome).to_string(),
                    message: c.message.clone(),
                })
                .collect();
            (
                report.verdict.as_str(),
                report.standing.as_str(),
                why,
                report.signer.clone(),
                checks,
            )
        }
        Err(e) => (
            Verdict::Unverifiable.as_str(),
            Standing::Unknown.as_str(),
            Some(format!("The imported badge could not be read: {e}")),
            None,
            Vec::new(),
        ),
    };
    let fresh = row.verdict == verdict
        && row.standing == standing
        && row
            .checked_at
            .is_some_and(|t| now - t < chrono::Duration::seconds(60));
    if !fresh {
        let txn = crate::server::db::begin_write(db).await?;
        imported_badge::Entity::update_many()
            .col_expr(imported_badge::Column::Verdict, Expr::value(verdict))
            .col_expr(imported_badge::Column::Standing, Expr::value(standing))
            .col_expr(imported_badge::Column::CheckedAt, Expr::value(now))
            .filter(imported_badge::Column::Id.eq(row.id))
            // A revocation, once seen, is never undone by a later answer.
            .filter(imported_badge::Column::Standing.ne(Standing::Revoked.as_str()))
            .exec(&*txn)
            .await?;
        txn.commit().await?;
    }
    // What the page shows: a revocation seen before stays.
    let standing = if row.standing == Standing::Revoked.as_str() {
        Standing::Revoked.as_str()
    } else {
        standing
    };
    let mark = super::mark(false, verdict, standing, row.expires_at, now);
    Ok(Verification {
        mark,
        verdict: verdict.to_string(),
        standing: standing.to_string(),
        reason: why,
        signer,
        checks,
    })
}

/// The learner's imports, newest first.
///
/// # Errors
/// Database errors.
pub async fn held(
    db: &impl ConnectionTrait,
    user_id: i32,
) -> ServerResult<Vec<imported_badge::Model>> {
    use sea_orm::QueryOrder;
    Ok(imported_badge::Entity::find()
        .filter(imported_badge::Column::UserId.eq(user_id))
        .order_by_desc(imported_badge::Column::ImportedAt)
        .order_by_desc(imported_badge::Column::Id)
        .all(db)
        .await?)
}

/// How many badges the learner imported.
///
/// # Errors
/// Database errors.
pub async fn count(db: &impl ConnectionTrait, user_id: i32) -> ServerResult<usize> {
    use sea_orm::PaginatorTrait;
    let n = imported_badge::Entity::find()
        .filter(imported_badge::Column::UserId.eq(user_id))
        .count(db)
        .await?;
    Ok(usize::try_from(n).unwrap_or(usize::MAX))
}

/// The issuer filter's value for an imported badge's issuer (`imported-` and its name
/// in lower-case words joined by hyphens), apart from the slugs of our institutions.
pub fn issuer_slug(name: &str) -> String {
    let words: Vec<String> = name
        .to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect();
    format!("imported-{}", words.join("-"))
}

/// The wall's card of an import.
pub fn card(
    i: &imported_badge::Model,
    mark: crate::model::portfolio::Mark,
) -> crate::model::portfolio::WallCard {
    crate::model::portfolio::WallCard {
        public_id: i.public_id.to_string(),
        name: i.name.clone(),
        issuer: i.issuer_name.clone(),
        image_url: i.image_url.clone().unwrap_or_default(),
        awarded_at: super::date(i.issued_at.unwrap_or(i.imported_at)),
        expires_at: i.expires_at.map(super::date),
        mark,
        revocation_reason: None,
        is_public: i.is_public,
        program: None,
        credits: 0,
        imported: true,
    }
}

/// Adds the imports' issuers and marks to the wall's filter choices.
///
/// # Errors
/// Database errors.
pub async fn add_filters(
    db: &impl ConnectionTrait,
    user_id: i32,
    filters: &mut crate::model::portfolio::WallFilters,
    now: DateTime<Utc>,
) -> ServerResult<()> {
    use crate::model::awards::FilterOption;
    use crate::model::portfolio::Mark;
    let imports = held(db, user_id).await?;
    if imports.is_empty() {
        return Ok(());
    }
    for i in &imports {
        let value = issuer_slug(&i.issuer_name);
        if !filters.issuers.iter().any(|o| o.value == value) {
            filters.issuers.push(FilterOption {
                value,
                label: format!("{} (imported)", i.issuer_name),
            });
        }
    }
    filters
        .issuers
        .sort_by_cached_key(|o| o.label.to_lowercase());
    let mut marks: Vec<Mark> = filters
        .statuses
        .iter()
        .filter_map(|o| Mark::parse(&o.value))
        .collect();
    marks.extend(imports.iter().map(|i| import_mark(i, now)));
    filters.statuses = Mark::ALL
        .into_iter()
        .filter(|m| marks.contains(m))
        .map(|m| FilterOption {
            value: m.as_str().to_string(),
            label: m.label().to_string(),
        })
        .collect();
    Ok(())
}

/// The badge page of one of the learner's imports, re-verified now from its original
/// bytes.
///
/// # Errors
/// `NotFound` for an import that is not theirs; database errors.
pub async fn detail<C: BeginWrite>(
    db: &C,
    settings: &Settings,
    user_id: i32,
    public_id: &str,
    docs: &Documents,
    now: DateTime<Utc>,
) -> ServerResult<crate::model::portfolio::BadgeDetail> {
    let row = own_import(db, user_id, public_id).await?;
    let verification = reverify(db, settings, &row, docs, now).await?;
    let handle = crate::server::entities::user::Entity::find_by_id(user_id)
        .one(db)
        .await?
        .and_then(|u| u.handle);
    Ok(crate::model::portfolio::BadgeDetail {
        public_id: row.public_id.to_string(),
        name: row.name.clone(),
        description: row.description.clone(),
        image_url: row.image_url.clone().unwrap_or_default(),
        issuer: row.issuer_name.clone(),
        issuer_url: row.issuer_url.clone(),
        awarded_at: super::date(row.issued_at.unwrap_or(row.imported_at)),
        expires_at: row.expires_at.map(super::date),
        criteria: String::new(),
        alignments: Vec::new(),
        credits: 0,
        program: None,
        narrative: None,
        evidence: Vec::new(),
        rubric: Vec::new(),
        verification,
        is_public: row.is_public,
        download_url: String::new(),
        profile_url: handle.as_deref().map(crate::model::portfolio::profile_path),
        imported: true,
    })
}

/// A learner's public imports last found authentic and not withdrawn.
///
/// # Errors
/// Database errors.
pub async fn public_of(
    db: &impl ConnectionTrait,
    user_id: i32,
) -> ServerResult<Vec<imported_badge::Model>> {
    Ok(imported_badge::Entity::find()
        .filter(imported_badge::Column::UserId.eq(user_id))
        .filter(imported_badge::Column::IsPublic.eq(true))
        .filter(imported_badge::Column::Verdict.eq(Verdict::Verified.as_str()))
        .filter(
            imported_badge::Column::Standing
                .is_not_in([Standing::Revoked.as_str(), Standing::Suspended.as_str()]),
        )
        .all(db)
        .await?
        .into_iter()
        // Belt and braces: only what is public reaches the page.
        .filter(|i| i.is_public && i.user_id == user_id)
        .collect())
}

/// Shows one of the learner's imports on their public profile or hides it.
///
/// # Errors
/// `NotFound` for someone else's; database errors.
pub async fn set_visibility<C: BeginWrite>(
    db: &C,
    user_id: i32,
    public_id: &str,
    public: bool,
) -> ServerResult<bool> {
    let row = own_import(db, user_id, public_id).await?;
    let txn = crate::server::db::begin_write(db).await?;
    imported_badge::Entity::update_many()
        .col_expr(imported_badge::Column::IsPublic, Expr::value(public))
        .filter(imported_badge::Column::Id.eq(row.id))
        .filter(imported_badge::Column::UserId.eq(user_id))
        .exec(&*txn)
        .await?;
    txn.commit().await?;
    Ok(public)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashed_identities_match_as_typed_and_lower_cased() {
        let salted = |e: &str| Identity {
            value: openbadges::verify::identity_hash(e, "pepper"),
            hashed: true,
            salt: "pepper".into(),
        };
        assert!(identity_matches(
            &salted("ada@example.org"),
            "Ada@Example.org"
        ));
        assert!(identity_matches(
            &salted("Ada@Example.org"),
            "Ada@Example.org"
        ));
        assert!(!identity_matches(
            &salted("Ada@Example.org"),
            "ada@example.org"
        ));
        assert!(!identity_matches(
            &salted("eve@example.org"),
            "ada@example.org"
        ));
        let md5 = Identity {
            value: format!(
                "md5${}",
                hex(<md5::Md5 as md5::Digest>::digest(b"ada@example.orgpepper").as_slice())
            ),
            hashed: true,
            salt: "pepper".into(),
        };
        assert!(identity_matches(&md5, "ADA@example.org"));
        let plain = Identity {
            value: "Ada@Example.org".into(),
            hashed: false,
            salt: String::new(),
        };
        assert!(identity_matches(&plain, "ada@example.ORG"));
        let unknown = Identity {
            value: "sha1$abc".into(),
            hashed: true,
            salt: String::new(),
        };
        assert!(!identity_matches(&unknown, "ada@example.org"));
    }

    #[test]
    fn a_did_only_subject_is_told_apart() {
        let c = serde_json::json!({"credentialSubject": {"id": "did:example:123"}});
        assert_eq!(recipient_of(&c), Recipient::DidOnly);
        let c = serde_json::json!({"credentialSubject": {"identifier": [{"identityType": "emailAddress", "identityHash": "a@b.c", "hashed": false}]}});
        assert!(matches!(recipient_of(&c), Recipient::Emails(v) if v.len() == 1));
    }

    #[test]
    fn only_safe_images_are_kept() {
        let v = |s: &str| serde_json::json!({"image": s});
        assert!(image_of(Some(&v("https://x.example/i.png"))).is_some());
        assert!(image_of(Some(&v("data:image/png;base64,AAAA"))).is_some());
        assert!(image_of(Some(&v("javascript:alert(1)"))).is_none());
        assert!(image_of(Some(&v("http://x.example/i.png"))).is_none());
        assert!(image_of(Some(&v("data:text/html;base64,AAAA"))).is_none());
    }
}
