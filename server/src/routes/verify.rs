//! "Verify a badge", for anyone: the public page at [`PAGE`] (a plain form that works
//! without JavaScript; `/verify.js` adds drag and drop and an instant result by posting
//! the same form with `fetch` and swapping in the result the server rendered) and the
//! JSON API at [`API`], usable from any origin.
//!
//! Both take a baked PNG or SVG, credential JSON, a VC-JWT or a URL, and an optional
//! e-mail address to compare with the hashed recipient; both go through the server's one
//! verification entry point (`app::server::verification`), are rate limited per client
//! and read at most [`MAX_VERIFY_BODY_BYTES`]. The page shows the badge as a displayer
//! must (image, name, description, criteria, issuer, recipient as far as the credential
//! discloses it, dates and standing) above the report: verdict and standing in plain
//! words, who signed in checkable terms, and the checks folded away.
//!
//! The API reads no cookies and sets none, answers `Access-Control-Allow-Origin: *`
//! (see [`cors`]), and is exempt from the cross-site check that guards every other
//! mutation (`security::origin_check`): a cross-site caller can do nothing with it that
//! it could not do from its own server.
//!
//! Nothing a visitor sends is echoed as markup: text is escaped, an uploaded SVG is
//! never shown (only a PNG, as a `data:` image, which the CSP's `img-src` allows and
//! which cannot run script), and image addresses from a credential are shown only when
//! they are `https:` (or ours) or a `data:image/…`.

use std::{fmt::Write as _, net::IpAddr, sync::Arc};

use axum::{
    Extension, Json, Router,
    body::{Body, to_bytes},
    extract::{FromRequest, Multipart, Request, State},
    http::{HeaderMap, HeaderValue, StatusCode, header, request::Parts},
    middleware::Next,
    response::{Html, IntoResponse, Response},
    routing::get,
};
use base64::{Engine as _, engine::general_purpose::STANDARD};
use openbadges::{
    baking,
    input::{self, Input, ReadError},
    verify::{self, Report, Standing, Verdict},
};
use serde::Serialize;
use serde_json::Value;

use app::server::{
    AppState, ServerError, Settings, catalog::institutions, client_addr, urls, verification,
};

/// The public page.
pub const PAGE: &str = "/verify";
/// The JSON API.
pub const API: &str = "/api/v1/verify";
/// Largest request either takes: a baked image of up to 8 MiB (badge images are far
/// smaller; `openbadges::input::MAX_INPUT_BYTES` is the reader's own, larger cap) plus
/// the form around it.
pub const MAX_VERIFY_BODY_BYTES: usize = 8 * 1024 * 1024 + 64 * 1024;
/// Longest URL taken.
const MAX_URL_LEN: usize = 2048;
/// Largest uploaded PNG shown back (as a `data:` image) on the result page.
const MAX_SHOWN_UPLOAD_BYTES: usize = 1024 * 1024;
/// Longest `data:` image address from a credential that is shown.
const MAX_DATA_IMAGE_LEN: usize = 512 * 1024;
/// Longest text shown for one field of a credential (the rest is cut).
const MAX_FIELD_CHARS: usize = 4000;

/// The routes, to merge into the main router.
pub fn router(state: &AppState) -> Router<AppState> {
    let shell = Arc::new(Shell {
        stylesheet: stylesheet_link(&state.leptos_options),
    });
    Router::new()
        .route(PAGE, get(page).post(page_post))
        .route(API, axum::routing::post(api).options(preflight))
        .layer(Extension(shell))
}

/// Whether a path is one that takes a verification upload (its body limit is
/// [`MAX_VERIFY_BODY_BYTES`]).
pub fn takes_upload(path: &str) -> bool {
    path == PAGE || path == API
}

/// CORS for the API only: every answer of [`API`] (errors from outer layers, such as
/// 413 for a body too large, included) may be read by any origin. No credentials are
/// allowed, so a browser never sends cookies along.
pub async fn cors(req: Request, next: Next) -> Response {
    let is_api = req.uri().path() == API;
    let mut res = next.run(req).await;
    if is_api {
        let h = res.headers_mut();
        h.insert(
            header::ACCESS_CONTROL_ALLOW_ORIGIN,
            HeaderValue::from_static("*"),
        );
        h.insert(
            header::ACCESS_CONTROL_EXPOSE_HEADERS,
            HeaderValue::from_static("Retry-After"),
        );
    }
    res
}

/// The answer to a CORS preflight.
async fn preflight() -> Response {
    (
        StatusCode::NO_CONTENT,
        [
            (header::ACCESS_CONTROL_ALLOW_METHODS, "POST, OPTIONS"),
            (header::ACCESS_CONTROL_ALLOW_HEADERS, "Content-Type"),
            (header::ACCESS_CONTROL_MAX_AGE, "86400"),
        ],
    )
        .into_response()
}

// ---------------------------------------------------------------------------------
// What was sent, and what can go wrong with it

/// One thing to verify.
#[derive(Debug)]
enum Given {
    /// A file: baked PNG/SVG, credential JSON or a JWT.
    Bytes(Vec<u8>),
    /// Pasted text: credential JSON or a JWT.
    Text(String),
    Url(String),
    Credential(Value),
    Jwt(String),
}

#[derive(Debug)]
struct Submission {
    given: Given,
    recipient: Option<String>,
}

/// Why a request got no report. Everything but `Server` is the sender's to fix.
#[derive(Debug, thiserror::Error)]
enum VerifyError {
    #[error("Nothing to verify: choose a file, paste a credential, or give its address.")]
    Empty,
    #[error("Give one thing to verify at a time: a file, pasted text, or an address.")]
    TooMany,
    #[error("That is too large to be a badge: the limit is {} MiB.", MAX_VERIFY_BODY_BYTES / (1024 * 1024))]
    TooLarge,
    #[error("The request could not be read: {0}")]
    BadRequest(String),
    #[error(
        "Send JSON (`{{\"credential\": …}}`, `{{\"jwt\": …}}` or `{{\"url\": …}}`), a multipart form, or the credential itself."
    )]
    BadBody,
    #[error("This could not be read as a badge: {0}.")]
    Read(#[from] ReadError),
    #[error("Give the badge's full address, starting with https:// (or http://).")]
    BadUrl,
    #[error("“Issued to” must be an e-mail address.")]
    BadRecipient,
    #[error("Too many verifications. Please wait {0} seconds and try again.")]
    RateLimited(u64),
    #[error(
        "The badge could not be checked right now because of a problem on our side. Please try again."
    )]
    Server(#[from] ServerError),
}

impl VerifyError {
    fn status(&self) -> StatusCode {
        match self {
            Self::Empty
            | Self::TooMany
            | Self::Read(_)
            | Self::BadUrl
            | Self::BadRecipient
            | Self::BadBody => StatusCode::UNPROCESSABLE_ENTITY,
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::RateLimited(_) => StatusCode::TOO_MANY_REQUESTS,
            Self::Server(ServerError::User(e)) => {
                StatusCode::from_u16(e.status()).unwrap_or(StatusCode::UNPROCESSABLE_ENTITY)
            }
            Self::Server(e) if e.is_db_unavailable() => StatusCode::SERVICE_UNAVAILABLE,
            Self::Server(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn code(&self) -> &'static str {
        match self {
            Self::Empty => "empty",
            Self::TooMany => "too_many_inputs",
            Self::TooLarge => "too_large",
            Self::BadRequest(_) | Self::BadBody => "bad_request",
            Self::Read(_) => "unreadable",
            Self::BadUrl => "bad_url",
            Self::BadRecipient => "bad_recipient",
            Self::RateLimited(_) => "rate_limited",
            Self::Server(_) => "unavailable",
        }
    }

    fn retry_after(&self) -> Option<u64> {
        match self {
            Self::RateLimited(s) => Some(*s),
            _ => None,
        }
    }

    /// The message, with the first letter up (reader errors start lower case).
    fn message(&self) -> String {
        if let Self::Server(e) = self {
            tracing::error!(error = %e, "verification failed on our side");
        }
        let text = self.to_string();
        let mut chars = text.chars();
        match chars.next() {
            Some(first) => first.to_uppercase().chain(chars).collect(),
            None => text,
        }
    }
}

/// The client of a request: the TCP peer, or whom our trusted proxy forwarded for.
fn client_ip(parts: &Parts, settings: &Settings) -> Option<IpAddr> {
    let peer = app::server::request::peer_ip(parts)?;
    Some(client_addr::resolve_with(
        peer,
        &parts.headers,
        &settings.trusted_proxies,
        settings.forwarding_header,
    ))
}

fn is_length_limit(e: &(dyn std::error::Error + 'static)) -> bool {
    let mut cur = Some(e);
    while let Some(err) = cur {
        if err.is::<http_body_util::LengthLimitError>() {
            return true;
        }
        cur = err.source();
    }
    false
}

fn content_type(headers: &HeaderMap) -> String {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase()
}

/// Rate limit, then read the whole body (at most [`MAX_VERIFY_BODY_BYTES`]).
async fn admit(state: &AppState, req: Request) -> Result<(Parts, bytes::Bytes), VerifyError> {
    let (parts, body) = req.into_parts();
    // Refused up front by its declared length (the router's body limit leaves that to
    // us, so the answer says why); a body without one is cut off while read.
    let declared = parts
        .headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|len| len > MAX_VERIFY_BODY_BYTES) {
        return Err(VerifyError::TooLarge);
    }
    state
        .login_limiter
        .check_verify(client_ip(&parts, &state.settings))
        .map_err(VerifyError::RateLimited)?;
    let bytes = to_bytes(body, MAX_VERIFY_BODY_BYTES).await.map_err(|e| {
        if is_length_limit(&e) {
            VerifyError::TooLarge
        } else {
            VerifyError::BadRequest("the body ended early".into())
        }
    })?;
    Ok((parts, bytes))
}

fn text_field(bytes: &[u8]) -> Result<Option<String>, VerifyError> {
    let text = std::str::from_utf8(bytes)
        .map_err(|_| VerifyError::BadRequest("a text field is not UTF-8".into()))?;
    let text = text.trim();
    Ok((!text.is_empty()).then(|| text.to_string()))
}

/// Reads a `multipart/form-data` body: fields `file`, `text`, `url`, `recipient`.
async fn from_multipart(parts: Parts, body: bytes::Bytes) -> Result<Submission, VerifyError> {
    let req = Request::from_parts(parts, Body::from(body));
    let mut form = Multipart::from_request(req, &())
        .await
        .map_err(|e| VerifyError::BadRequest(e.body_text()))?;
    let (mut file, mut text, mut url, mut recipient) = (None, None, None, None);
    while let Some(field) = form
        .next_field()
        .await
        .map_err(|e| VerifyError::BadRequest(e.body_text()))?
    {
        let name = field.name().unwrap_or_default().to_string();
        let data = field
            .bytes()
            .await
            .map_err(|e| VerifyError::BadRequest(e.body_text()))?;
        match name.as_str() {
            "file" if !data.is_empty() => file = Some(data.to_vec()),
            "text" => text = text_field(&data)?,
            "url" => url = text_field(&data)?,
            "recipient" => recipient = text_field(&data)?,
            _ => {}
        }
    }
    let mut given: Vec<Given> = Vec::new();
    given.extend(file.map(Given::Bytes));
    given.extend(text.map(Given::Text));
    given.extend(url.map(Given::Url));
    one_of(given, recipient)
}

fn one_of(mut given: Vec<Given>, recipient: Option<String>) -> Result<Submission, VerifyError> {
    match given.len() {
        0 => Err(VerifyError::Empty),
        1 => Ok(Submission {
            given: given.remove(0),
            recipient,
        }),
        _ => Err(VerifyError::TooMany),
    }
}

/// Reads an API body: multipart, the JSON wrapper
/// (`{"credential"|"jwt"|"url": …, "recipient": …}`), or the thing itself (credential
/// JSON, a JWT, a baked image).
async fn from_api_body(parts: Parts, body: bytes::Bytes) -> Result<Submission, VerifyError> {
    let ct = content_type(&parts.headers);
    if ct.starts_with("multipart/form-data") {
        return from_multipart(parts, body).await;
    }
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(VerifyError::Empty);
    }
    let json: Option<Value> = if ct.contains("json") || body.first() == Some(&b'{') {
        Some(serde_json::from_slice(&body).map_err(|e| ReadError::BadJson(e.to_string()))?)
    } else {
        None
    };
    let Some(Value::Object(obj)) = json else {
        if json.is_some() {
            return Err(VerifyError::BadBody);
        }
        return Ok(Submission {
            given: Given::Bytes(body.to_vec()),
            recipient: None,
        });
    };
    let wrapped = ["credential", "jwt", "url"]
        .iter()
        .any(|k| obj.contains_key(*k));
    if !wrapped {
        // The credential itself.
        return Ok(Submission {
            given: Given::Credential(Value::Object(obj)),
            recipient: None,
        });
    }
    let recipient = match obj.get("recipient") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.trim().to_string()).filter(|s| !s.is_empty()),
        Some(_) => return Err(VerifyError::BadRecipient),
    };
    let mut given = Vec::new();
    match obj.get("credential") {
        None | Some(Value::Null) => {}
        Some(Value::String(s)) => given.push(Given::Text(s.clone())),
        Some(v @ Value::Object(_)) => given.push(Given::Credential(v.clone())),
        Some(_) => return Err(VerifyError::BadBody),
    }
    match obj.get("jwt") {
        None | Some(Value::Null) => {}
        Some(Value::String(s)) => given.push(Given::Jwt(s.trim().to_string())),
        Some(_) => return Err(VerifyError::BadBody),
    }
    match obj.get("url") {
        None | Some(Value::Null) => {}
        Some(Value::String(s)) => given.push(Given::Url(s.trim().to_string())),
        Some(_) => return Err(VerifyError::BadUrl),
    }
    one_of(given, recipient)
}

fn check_url(url: &str) -> Result<(), VerifyError> {
    let ok = url.len() <= MAX_URL_LEN
        && (url.starts_with("https://") || url.starts_with("http://"))
        && url.len() > "https://".len()
        && !url.chars().any(|c| c.is_whitespace() || c.is_control());
    if ok { Ok(()) } else { Err(VerifyError::BadUrl) }
}

fn check_recipient(recipient: Option<&str>) -> Result<(), VerifyError> {
    match recipient {
        None => Ok(()),
        Some(r) => {
            let ok = r.len() <= 254
                && r.split_once('@')
                    .is_some_and(|(local, domain)| !local.is_empty() && !domain.is_empty())
                && !r.chars().any(|c| c.is_whitespace() || c.is_control());
            if ok {
                Ok(())
            } else {
                Err(VerifyError::BadRecipient)
            }
        }
    }
}

// ---------------------------------------------------------------------------------
// Verifying, and what a displayer shows

/// A report with what the credential says about itself.
struct Verified {
    report: Report,
    shown: Shown,
    /// The issuer is one of this site's institutions, and the proof checked out.
    on_this_platform: bool,
}

/// What the credential says about itself, as a displayer shows it (unverified facts:
/// the report says whether to believe them).
#[derive(Debug, Default, Serialize)]
struct Shown {
    /// Shown image: an uploaded PNG as `data:`, or the credential's own image address.
    #[serde(skip)]
    image: Option<String>,
    /// The credential's own image address (https or `data:image/…`).
    image_url: Option<String>,
    name: Option<String>,
    description: Option<String>,
    criteria: Option<String>,
    criteria_url: Option<String>,
    credential_name: Option<String>,
    issuer_id: Option<String>,
    issuer_name: Option<String>,
    issuer_url: Option<String>,
    recipient: Option<String>,
    issued: Option<String>,
    expires: Option<String>,
}

fn clip(s: &str) -> String {
    if s.chars().count() <= MAX_FIELD_CHARS {
        s.to_string()
    } else {
        let mut out: String = s.chars().take(MAX_FIELD_CHARS).collect();
        out.push('…');
        out
    }
}

fn text_at(v: &Value, key: &str) -> Option<String> {
    match v.get(key)? {
        Value::String(s) if !s.trim().is_empty() => Some(clip(s.trim())),
        // Language maps (`{"en": "…"}`) as some issuers send them: the first value.
        Value::Object(m) => m.values().find_map(|x| x.as_str()).map(clip),
        _ => None,
    }
}

fn id_of(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) => Some(s.clone()),
        Value::Object(m) => m.get("id").and_then(Value::as_str).map(str::to_string),
        _ => None,
    }
}

/// An image address fit to show: `https:`, ours, or a bounded `data:image/…`.
fn safe_image(url: &str, settings: &Settings) -> Option<String> {
    let lower = url.get(..32).unwrap_or(url).to_ascii_lowercase();
    let ok = if lower.starts_with("data:") {
        url.len() <= MAX_DATA_IMAGE_LEN
            && ["png", "jpeg", "gif", "webp", "svg+xml"]
                .iter()
                .any(|t| lower.starts_with(&format!("data:image/{t}")))
    } else {
        url.len() <= MAX_URL_LEN
            && (lower.starts_with("https://")
                || url.starts_with(&format!("{}/", settings.public_url)))
    };
    ok.then(|| url.to_string())
}

/// A link fit to show: http(s) only.
fn safe_link(url: &str) -> Option<String> {
    let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
    (url.len() <= MAX_URL_LEN && (lower.starts_with("https://") || lower.starts_with("http://")))
        .then(|| url.to_string())
}

impl Shown {
    fn of(credential: &Value, settings: &Settings) -> Self {
        let subject = match credential.get("credentialSubject") {
            Some(Value::Array(a)) => a.first().cloned().unwrap_or_default(),
            Some(v) => v.clone(),
            None => Value::Null,
        };
        let achievement = subject.get("achievement").cloned().unwrap_or_default();
        let issuer = credential.get("issuer").cloned().unwrap_or_default();
        let criteria = achievement.get("criteria").cloned().unwrap_or_default();
        let image_url = id_of(achievement.get("image"))
            .or_else(|| id_of(credential.get("image")))
            .and_then(|u| safe_image(&u, settings));
        Self {
            image: image_url.clone(),
            image_url,
            name: text_at(&achievement, "name").or_else(|| text_at(credential, "name")),
            description: text_at(&achievement, "description")
                .or_else(|| text_at(credential, "description")),
            criteria: text_at(&criteria, "narrative"),
            criteria_url: criteria
                .get("id")
                .and_then(Value::as_str)
                .and_then(safe_link),
            credential_name: text_at(credential, "name"),
            issuer_id: verify::issuer_id(credential).map(clip),
            issuer_name: text_at(&issuer, "name"),
            issuer_url: issuer
                .get("url")
                .and_then(Value::as_str)
                .and_then(safe_link),
            recipient: recipient_of(&subject),
            issued: ["validFrom", "issuanceDate", "awardedDate"]
                .iter()
                .find_map(|k| text_at(credential, k)),
            expires: ["validUntil", "expirationDate"]
                .iter()
                .find_map(|k| text_at(credential, k)),
        }
    }
}

impl Shown {
    /// An Open Badges 2.0 badge: the assertion, its BadgeClass and its issuer's Profile.
    fn of_ob2(docs: &openbadges::verify::Ob2Documents, settings: &Settings) -> Self {
        let assertion = &docs.assertion;
        let class = docs.badge_class.clone().unwrap_or_default();
        let issuer = docs.issuer.clone().unwrap_or_default();
        let criteria = class.get("criteria").cloned().unwrap_or_default();
        let image_url = id_of(assertion.get("image"))
            .or_else(|| id_of(class.get("image")))
            .and_then(|u| safe_image(&u, settings));
        let recipient = assertion.get("recipient").map(|r| {
            if r.get("hashed").and_then(Value::as_bool) == Some(false) {
                text_at(r, "identity").unwrap_or_default()
            } else {
                "an e-mail address or other identity, kept private as a hash (give it above to check it)"
                    .to_string()
            }
        });
        Self {
            image: image_url.clone(),
            image_url,
            name: text_at(&class, "name"),
            description: text_at(&class, "description"),
            criteria: text_at(&criteria, "narrative"),
            criteria_url: id_of(class.get("criteria")).as_deref().and_then(safe_link),
            credential_name: None,
            issuer_id: id_of(class.get("issuer")).map(|i| clip(&i)),
            issuer_name: text_at(&issuer, "name"),
            issuer_url: issuer
                .get("url")
                .and_then(Value::as_str)
                .and_then(safe_link),
            recipient: recipient.filter(|r| !r.is_empty()),
            issued: text_at(assertion, "issuedOn"),
            expires: text_at(assertion, "expires"),
        }
    }
}

/// Who it was issued to, as far as the credential discloses it.
fn recipient_of(subject: &Value) -> Option<String> {
    let mut out = Vec::new();
    if let Some(name) = text_at(subject, "name") {
        out.push(name);
    }
    let identifiers = match subject.get("identifier") {
        Some(Value::Array(a)) => a.clone(),
        Some(v) => vec![v.clone()],
        None => Vec::new(),
    };
    for id in &identifiers {
        let kind = match id.get("identityType").and_then(Value::as_str) {
            Some("emailAddress") => "an e-mail address",
            Some("url") => "a web address",
            Some("phoneNumber") => "a phone number",
            _ => "an identifier",
        };
        if id.get("hashed").and_then(Value::as_bool) == Some(false) {
            if let Some(plain) = text_at(id, "identityHash") {
                out.push(plain);
            }
        } else {
            out.push(format!(
                "{kind}, kept private as a hash (give it above to check it)"
            ));
        }
    }
    if out.is_empty()
        && let Some(id) = subject.get("id").and_then(Value::as_str)
    {
        out.push(clip(id));
    }
    (!out.is_empty()).then(|| out.join("; "))
}

/// A PNG as a `data:` image, when small enough to show back.
fn png_data_url(bytes: &[u8]) -> Option<String> {
    (bytes.len() <= MAX_SHOWN_UPLOAD_BYTES && bytes.starts_with(b"\x89PNG\r\n\x1a\n"))
        .then(|| format!("data:image/png;base64,{}", STANDARD.encode(bytes)))
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, VerifyError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| VerifyError::Server(e.into()))
}

/// Reads what was sent and verifies it through the server's one entry point.
async fn run(state: &AppState, sub: Submission) -> Result<Verified, VerifyError> {
    check_recipient(sub.recipient.as_deref())?;
    let mut uploaded_image = None;
    let input = match sub.given {
        Given::Bytes(bytes) => {
            if baking::sniff(&bytes).is_some() {
                uploaded_image = png_data_url(&bytes);
            }
            blocking(move || input::read(&bytes)).await??
        }
        Given::Text(text) => blocking(move || input::read_text(&text)).await??,
        Given::Jwt(token) => match input::read_text(&token)? {
            jwt @ Input::Jwt(_) => jwt,
            _ => return Err(ReadError::NotACredential.into()),
        },
        Given::Credential(v) => Input::Credential(v),
        Given::Url(url) => {
            check_url(&url)?;
            Input::Url(url)
        }
    };
    let given = input.credential();
    let report =
        verification::verify_input(&state.db, &state.settings, input, sub.recipient).await?;
    // Show what was checked: an OB 2.0 badge's documents as fetched (a hosted badge's
    // local copy may say anything), a credential fetched from its address, or the input.
    let mut shown = if let Some(docs) = &report.ob2 {
        Shown::of_ob2(docs, &state.settings)
    } else {
        given
            .as_ref()
            .or(report.fetched.as_ref())
            .map(|c| Shown::of(c, &state.settings))
            .unwrap_or_default()
    };
    if uploaded_image.is_some() {
        shown.image = uploaded_image;
    }
    let on_this_platform = report.verdict == Verdict::Verified
        && is_our_institution(state, report.issuer_id.as_deref()).await?;
    Ok(Verified {
        report,
        shown,
        on_this_platform,
    })
}

async fn is_our_institution(state: &AppState, issuer: Option<&str>) -> Result<bool, VerifyError> {
    let Some(issuer) = issuer else {
        return Ok(false);
    };
    let Some(urls::PublicUrl::IssuerDidDocument { slug }) =
        urls::parse_did(&state.settings.public_url, issuer)
    else {
        return Ok(false);
    };
    match institutions::by_slug(&state.db, &slug).await {
        Ok(_) => Ok(true),
        Err(ServerError::User(app::error::AppError::NotFound)) => Ok(false),
        Err(e) => Err(e.into()),
    }
}

// ---------------------------------------------------------------------------------
// Plain language

/// The headline: verdict and standing in one sentence.
fn headline(report: &Report) -> &'static str {
    match (report.verdict, report.standing) {
        (Verdict::Verified, Standing::Active) => {
            "Verified: this badge is authentic and in good standing."
        }
        (Verdict::Verified, Standing::Revoked) => {
            "Authentic, but revoked: the issuer has withdrawn this badge."
        }
        (Verdict::Verified, Standing::Suspended) => {
            "Authentic, but suspended: the issuer has put this badge on hold."
        }
        (Verdict::Verified, Standing::Expired) => "Authentic, but expired.",
        (Verdict::Verified, Standing::NotYetValid) => "Authentic, but not valid yet.",
        (Verdict::Verified, Standing::Unknown) => {
            "Authentic, but its standing is unknown: whether it was revoked could not be checked."
        }
        (Verdict::NotVerified, _) => "Not verified: this badge failed a check.",
        (Verdict::Unverifiable, _) => "Could not be verified.",
    }
}

fn standing_words(s: Standing) -> &'static str {
    match s {
        Standing::Active => "Active",
        Standing::Revoked => "Revoked",
        Standing::Suspended => "Suspended",
        Standing::Expired => "Expired",
        Standing::NotYetValid => "Not valid yet",
        Standing::Unknown => "Unknown (could not be checked)",
    }
}

fn verdict_words(v: Verdict) -> &'static str {
    match v {
        Verdict::Verified => "Verified",
        Verdict::NotVerified => "Not verified",
        Verdict::Unverifiable => "Could not be verified",
    }
}

/// The sentences under the headline: why (when not verified), and what standing says.
fn explanations(report: &Report) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(reason) = report.reason() {
        out.push(reason.message.clone());
    }
    // Standing lines only for an authentic badge: an unverified badge's dates, flags and
    // revocation reasons are anybody's words (they stay in the technical detail).
    if report.verdict == Verdict::Verified && report.standing != Standing::Active {
        for c in &report.checks {
            if matches!(c.id, "validity" | "status")
                && c.outcome != verify::Outcome::Pass
                && !out.contains(&c.message)
            {
                out.push(c.message.clone());
            }
        }
    }
    if let Some(c) = report.check("recipient")
        && c.outcome != verify::Outcome::NotChecked
        && !out.contains(&c.message)
    {
        out.push(c.message.clone());
    }
    out
}

/// Who signed, in terms a person can check.
fn signer_sentence(v: &Verified) -> String {
    match (&v.report.signer, v.report.verdict) {
        (Some(signer), Verdict::Verified) => {
            let mut s = format!("Signed by {signer}.");
            if v.on_this_platform {
                s.push_str(" The issuer is an institution of this Badgefolio site.");
            } else {
                s.push_str(
                    " The issuer is not an institution of this site: “verified” proves who signed, not who they claim to be, so check that this is who you expect.",
                );
            }
            s
        }
        _ => "No signature could be confirmed, so nothing is known about who made this.".into(),
    }
}

// ---------------------------------------------------------------------------------
// The API

#[derive(Serialize)]
struct ApiIssuer<'a> {
    id: Option<&'a str>,
    name: Option<&'a str>,
    /// One of this site's institutions (and the proof checked out).
    on_this_platform: bool,
}

fn api_json(v: &Verified) -> Value {
    let mut body = serde_json::to_value(&v.report).unwrap_or_default();
    if let Some(obj) = body.as_object_mut() {
        obj.insert("good".into(), v.report.is_good().into());
        obj.insert("summary".into(), headline(&v.report).into());
        obj.insert("explanation".into(), explanations(&v.report).into());
        obj.insert(
            "issuer".into(),
            serde_json::to_value(ApiIssuer {
                id: v.report.issuer_id.as_deref(),
                name: v
                    .report
                    .issuer_name
                    .as_deref()
                    .or(v.shown.issuer_name.as_deref()),
                on_this_platform: v.on_this_platform,
            })
            .unwrap_or_default(),
        );
        obj.insert(
            "badge".into(),
            serde_json::to_value(&v.shown).unwrap_or_default(),
        );
    }
    body
}

fn api_error(e: &VerifyError) -> Response {
    let mut res = (
        e.status(),
        Json(serde_json::json!({ "code": e.code(), "message": e.message() })),
    )
        .into_response();
    if let Some(secs) = e.retry_after() {
        res.headers_mut().insert(header::RETRY_AFTER, secs.into());
    }
    res
}

/// `POST /api/v1/verify`.
async fn api(State(state): State<AppState>, req: Request) -> Response {
    let result = async {
        let (parts, body) = admit(&state, req).await?;
        let sub = from_api_body(parts, body).await?;
        run(&state, sub).await
    }
    .await;
    match result {
        Ok(v) => Json(api_json(&v)).into_response(),
        Err(e) => api_error(&e),
    }
}

// ---------------------------------------------------------------------------------
// The page

/// What every page around the form needs from the build.
#[derive(Debug)]
struct Shell {
    /// The site's stylesheet `<link>`, under its hashed name when the build hashes.
    stylesheet: String,
}

fn stylesheet_link(options: &leptos::config::LeptosOptions) -> String {
    use leptos::prelude::*;
    let options = options.clone();
    let owner = Owner::new();
    owner.with(|| view! { <leptos_meta::HashedStylesheet options id="leptos" /> }.to_html())
}

/// Escapes text for HTML content and attribute values.
fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A date as people read it ("29 November 2026"), or the text as given.
fn date(text: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(text).map_or_else(
        |_| text.to_string(),
        |d| {
            d.with_timezone(&chrono::Utc)
                .format("%-d %B %Y")
                .to_string()
        },
    )
}

/// What the page shows under the form's heading.
enum Outcome<'a> {
    Nothing,
    Error(&'a VerifyError),
    Report(&'a Verified),
}

fn render_page(shell: &Shell, signed_in: bool, outcome: &Outcome<'_>) -> String {
    let mut h = String::with_capacity(16 * 1024);
    let title = match outcome {
        Outcome::Report(v) => format!(
            "{} · Verify a badge · Badgefolio",
            verdict_words(v.report.verdict)
        ),
        Outcome::Error(_) => "Not a badge · Verify a badge · Badgefolio".into(),
        Outcome::Nothing => "Verify a badge · Badgefolio".into(),
    };
    let _ = write!(
        h,
        r##"<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="color-scheme" content="light"><link rel="icon" href="/favicon.svg" type="image/svg+xml">{css}<title>{title}</title><meta name="description" content="Check any Open Badge: a baked badge image, credential JSON, a VC-JWT or its address."><script src="/verify.js" defer></script></head><body><a class="skip-link" href="#main">Skip to content</a><header class="site-header"><a href="/" class="brand"><span class="brand-mark" aria-hidden="true">◆</span> Badgefolio</a><nav aria-label="Main"><ul class="nav-list"><li><a href="/programs" class="nav-link">Programs</a></li>"##,
        css = shell.stylesheet,
        title = esc(&title),
    );
    if signed_in {
        h.push_str(r#"<li><a href="/portfolio" class="nav-link">My portfolio</a></li><li><a href="/settings" class="nav-link">Account</a></li>"#);
    } else {
        h.push_str(r#"<li><a href="/signin" class="nav-link">Sign in</a></li><li><a href="/signup" class="button button-small">Sign up</a></li>"#);
    }
    h.push_str(r#"</ul></nav></header><main id="main" tabindex="-1" class="verify"><h1>Verify a badge</h1><p class="lead">Check any Open Badge, from any issuer: drop in a baked badge image (PNG or SVG), a credential file, pasted credential JSON or a VC-JWT, or the badge’s address. Nothing you check is stored.</p><div id="verify-result">"#);
    match outcome {
        Outcome::Nothing => {}
        Outcome::Error(e) => {
            let _ = write!(
                h,
                r#"<section class="card verify-error" aria-labelledby="result-heading"><h2 id="result-heading" tabindex="-1">Nothing was verified</h2><div class="form-error" role="alert"><p>{}</p></div></section>"#,
                esc(&e.message())
            );
        }
        Outcome::Report(v) => render_result(&mut h, v),
    }
    h.push_str(r##"</div><form id="verify-form" class="card stack-form verify-form" method="post" action="/verify" enctype="multipart/form-data"><h2>What to check</h2><div class="drop-zone" id="drop-zone"><label for="verify-file">A baked badge image or a credential file</label><input id="verify-file" name="file" type="file" accept=".png,.svg,.json,.jwt,.txt,image/png,image/svg+xml,application/json,application/ld+json,text/plain" aria-describedby="verify-file-hint"><p class="hint" id="verify-file-hint">PNG or SVG with a badge baked in, or a JSON or JWT file. <span class="js-only">You can also drop a file anywhere on this page.</span></p></div><label for="verify-text">Or paste the credential JSON or VC-JWT</label><textarea id="verify-text" name="text" rows="5" spellcheck="false" autocomplete="off"></textarea><label for="verify-url">Or give the badge’s address</label><input id="verify-url" name="url" type="url" inputmode="url" placeholder="https://" autocomplete="off"><label for="verify-recipient">Check that it was issued to (optional)</label><input id="verify-recipient" name="recipient" type="email" autocomplete="email" aria-describedby="verify-recipient-hint"><p class="hint" id="verify-recipient-hint">An e-mail address, compared with the recipient the badge names (most badges keep it private as a hash).</p><button type="submit" class="button">Verify</button><p class="hint" id="verify-status" role="status" aria-live="polite"></p></form><p class="hint">Developers: the same check is available as <code>POST /api/v1/verify</code>, from any origin; see the README.</p></main><footer class="site-footer"><p>Badgefolio is open source. Every badge is a signed Open Badges 3.0 credential that anyone can verify. <a href="/verify" aria-current="page">Verify a badge</a></p></footer></body></html>"##);
    h
}

fn fact(h: &mut String, label: &str, value_html: &str) {
    let _ = write!(h, "<dt>{}</dt><dd>{value_html}</dd>", esc(label));
}

fn render_result(h: &mut String, v: &Verified) {
    let r = &v.report;
    let s = &v.shown;
    let good = r.is_good();
    let class = if good {
        "verdict-good"
    } else if r.verdict == Verdict::Verified {
        "verdict-warn"
    } else {
        "verdict-bad"
    };
    let _ = write!(
        h,
        r#"<section class="card verify-report {class}" aria-labelledby="result-heading" data-testid="verify-result" data-verdict="{}" data-standing="{}"><h2 id="result-heading" tabindex="-1">"#,
        r.verdict.as_str(),
        r.standing.as_str()
    );
    if good {
        h.push_str(r#"<span class="verdict-mark" aria-hidden="true">✓</span> "#);
    }
    let _ = write!(h, "{}</h2>", esc(headline(r)));
    for line in explanations(r) {
        let _ = write!(h, "<p>{}</p>", esc(&line));
    }
    let _ = write!(h, r#"<p class="signer">{}</p>"#, esc(&signer_sentence(v)));

    // The badge, as the credential describes it.
    h.push_str(r#"<div class="badge-shown">"#);
    if let Some(img) = &s.image {
        let alt = s.name.as_deref().map_or_else(
            || "The badge image".to_string(),
            |n| format!("Badge image: {n}"),
        );
        let _ = write!(
            h,
            r#"<img class="badge-image" src="{}" alt="{}" width="160" height="160" referrerpolicy="no-referrer">"#,
            esc(img),
            esc(&alt)
        );
    }
    h.push_str("<div>");
    let name = s
        .name
        .clone()
        .or_else(|| r.achievement_name.clone())
        .unwrap_or_else(|| "An unnamed badge".into());
    let _ = write!(h, r#"<h3 class="badge-name">{}</h3>"#, esc(&name));
    if let Some(d) = &s.description {
        let _ = write!(h, r#"<p class="prose">{}</p>"#, esc(d));
    }
    h.push_str(r#"<dl class="facts">"#);
    let issuer_name = r.issuer_name.as_ref().or(s.issuer_name.as_ref());
    let issuer_id = r.issuer_id.as_ref().or(s.issuer_id.as_ref());
    if issuer_name.is_some() || issuer_id.is_some() {
        let mut value = String::new();
        if let Some(n) = issuer_name {
            value.push_str(&esc(n));
        }
        if let Some(url) = &s.issuer_url {
            let _ = write!(
                value,
                r#" (<a href="{}" rel="noopener noreferrer nofollow">{}</a>)"#,
                esc(url),
                esc(url)
            );
        }
        if let Some(id) = issuer_id {
            let _ = write!(value, r#" <span class="meta">{}</span>"#, esc(id));
        }
        if v.on_this_platform {
            value.push_str(r#" <span class="status-note">An institution of this site</span>"#);
        }
        fact(h, "Issuer", value.trim());
    }
    if let Some(c) = &s.criteria {
        fact(
            h,
            "Criteria",
            &format!(r#"<span class="prose">{}</span>"#, esc(c)),
        );
    } else if let Some(u) = &s.criteria_url {
        fact(
            h,
            "Criteria",
            &format!(
                r#"<a href="{}" rel="noopener noreferrer nofollow">{}</a>"#,
                esc(u),
                esc(u)
            ),
        );
    }
    if let Some(rcp) = &s.recipient {
        fact(h, "Issued to", &esc(rcp));
    }
    if let Some(d) = &s.issued {
        fact(h, "Issued on", &esc(&date(d)));
    }
    fact(
        h,
        "Expires",
        &s.expires
            .as_deref()
            .map_or_else(|| "Never".to_string(), |d| esc(&date(d))),
    );
    // Fail closed: what an unauthenticated credential says about itself is no standing.
    let standing = if r.verdict == Verdict::Verified {
        standing_words(r.standing)
    } else {
        "Not established, since the badge is not verified"
    };
    fact(h, "Standing", &esc(standing));
    fact(h, "Authenticity", &esc(verdict_words(r.verdict)));
    h.push_str("</dl></div></div>");

    // The technical detail, folded away.
    h.push_str(
        r#"<details class="verify-details"><summary>Technical details</summary><dl class="facts">"#,
    );
    if let Some(id) = &r.credential_id {
        fact(h, "Credential id", &format!("<code>{}</code>", esc(id)));
    }
    if let Some(id) = issuer_id {
        fact(h, "Issuer id", &format!("<code>{}</code>", esc(id)));
    }
    fact(
        h,
        "Verdict",
        &format!(
            "<code>{}</code>, standing <code>{}</code>",
            r.verdict.as_str(),
            r.standing.as_str()
        ),
    );
    h.push_str(r#"</dl><table class="data-table"><caption class="visually-hidden">Every check</caption><thead><tr><th scope="col">Check</th><th scope="col">Outcome</th><th scope="col">What it found</th></tr></thead><tbody>"#);
    for c in &r.checks {
        let outcome = serde_json::to_value(c.outcome)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        let _ = write!(
            h,
            r#"<tr data-check="{id}"><td><code>{id}</code></td><td>{outcome}</td><td>{msg}</td></tr>"#,
            id = esc(c.id),
            outcome = esc(&outcome),
            msg = esc(&c.message)
        );
    }
    h.push_str("</tbody></table></details></section>");
}

fn html_response(status: StatusCode, body: String, retry_after: Option<u64>) -> Response {
    let mut res = (status, Html(body)).into_response();
    // A result is about what one visitor sent: never kept by a shared cache.
    res.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    if let Some(secs) = retry_after {
        res.headers_mut().insert(header::RETRY_AFTER, secs.into());
    }
    res
}

fn signed_in(headers: &HeaderMap) -> bool {
    app::server::sessions::has_session_cookie(headers)
}

/// `GET /verify`: the form.
async fn page(Extension(shell): Extension<Arc<Shell>>, headers: HeaderMap) -> Response {
    let mut res = Html(render_page(&shell, signed_in(&headers), &Outcome::Nothing)).into_response();
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    res
}

/// `POST /verify`: the form posted; the page with the result (or what was wrong).
async fn page_post(
    State(state): State<AppState>,
    Extension(shell): Extension<Arc<Shell>>,
    req: Request,
) -> Response {
    let is_signed_in = signed_in(req.headers());
    let result = async {
        let (parts, body) = admit(&state, req).await?;
        if !content_type(&parts.headers).starts_with("multipart/form-data") {
            return Err(VerifyError::BadRequest(
                "send the form as multipart/form-data".into(),
            ));
        }
        let sub = from_multipart(parts, body).await?;
        run(&state, sub).await
    }
    .await;
    match result {
        Ok(v) => html_response(
            StatusCode::OK,
            render_page(&shell, is_signed_in, &Outcome::Report(&v)),
            None,
        ),
        Err(e) => html_response(
            e.status(),
            render_page(&shell, is_signed_in, &Outcome::Error(&e)),
            e.retry_after(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn open_badges_2_badges_show_what_was_fetched() {
        let s = Settings::for_public_url("http://127.0.0.1:3000");
        let docs = openbadges::verify::Ob2Documents {
            assertion: serde_json::json!({
                "id": "https://issuer.example/a/1", "type": "Assertion",
                "recipient": {"type": "email", "hashed": true, "identity": "sha256$00"},
                "issuedOn": "2024-05-01T00:00:00Z", "expires": "2030-01-01T00:00:00Z",
                "badge": "https://issuer.example/b/1",
            }),
            badge_class: Some(serde_json::json!({
                "id": "https://issuer.example/b/1", "type": "BadgeClass",
                "name": "Welding <1>", "description": "Joins metal.",
                "image": "https://issuer.example/b/1.png",
                "criteria": {"narrative": "Weld a seam."},
                "issuer": "https://issuer.example/i",
            })),
            issuer: Some(serde_json::json!({
                "id": "https://issuer.example/i", "type": "Issuer",
                "name": "Trade School", "url": "https://issuer.example",
            })),
        };
        let shown = Shown::of_ob2(&docs, &s);
        assert_eq!(shown.name.as_deref(), Some("Welding <1>"));
        assert_eq!(shown.description.as_deref(), Some("Joins metal."));
        assert_eq!(shown.criteria.as_deref(), Some("Weld a seam."));
        assert_eq!(shown.issuer_name.as_deref(), Some("Trade School"));
        assert_eq!(shown.issuer_id.as_deref(), Some("https://issuer.example/i"));
        assert_eq!(
            shown.image.as_deref(),
            Some("https://issuer.example/b/1.png")
        );
        assert_eq!(shown.issued.as_deref(), Some("2024-05-01T00:00:00Z"));
        assert_eq!(shown.expires.as_deref(), Some("2030-01-01T00:00:00Z"));
        assert!(
            shown
                .recipient
                .as_deref()
                .is_some_and(|r| r.contains("hash"))
        );
    }

    #[test]
    fn text_is_escaped_for_content_and_attributes() {
        assert_eq!(
            esc(r#"<script>alert("x")</script>&'"#),
            "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;"
        );
    }

    #[test]
    fn only_safe_images_and_links_are_shown() {
        let s = Settings::for_public_url("http://127.0.0.1:3000");
        assert!(safe_image("https://example.org/b.png", &s).is_some());
        assert!(safe_image("http://127.0.0.1:3000/images/b.png", &s).is_some());
        assert!(safe_image("http://example.org/b.png", &s).is_none());
        assert!(safe_image("javascript:alert(1)", &s).is_none());
        assert!(safe_image("data:image/png;base64,AAAA", &s).is_some());
        assert!(safe_image("data:text/html;base64,AAAA", &s).is_none());
        assert!(safe_link("javascript:alert(1)").is_none());
        assert!(safe_link("https://example.org/criteria").is_some());
    }

    #[test]
    fn only_pngs_are_shown_back() {
        assert!(png_data_url(b"\x89PNG\r\n\x1a\nrest").is_some());
        assert!(png_data_url(b"<svg><script>alert(1)</script></svg>").is_none());
    }

    #[test]
    fn hidden_recipients_are_said_to_be_hidden() {
        let subject = serde_json::json!({"identifier": [{"hashed": true, "identityType": "emailAddress", "identityHash": "sha256$00"}]});
        let r = recipient_of(&subject).expect("recipient");
        assert!(r.contains("an e-mail address, kept private"), "{r}");
        assert!(!r.contains("sha256"));
        let plain =
            serde_json::json!({"identifier": {"hashed": false, "identityHash": "ada@example.org"}});
        assert_eq!(recipient_of(&plain).as_deref(), Some("ada@example.org"));
    }

    #[test]
    fn urls_and_recipients_are_checked() {
        assert!(check_url("https://example.org/a").is_ok());
        assert!(check_url("ftp://example.org/a").is_err());
        assert!(check_url("https://").is_err());
        assert!(check_url("https://exa mple.org").is_err());
        assert!(check_recipient(Some("ada@example.org")).is_ok());
        assert!(check_recipient(Some("ada")).is_err());
        assert!(check_recipient(None).is_ok());
    }

    #[test]
    fn dates_read_as_people_read_them() {
        assert_eq!(date("2026-11-29T15:00:00Z"), "29 November 2026");
        assert_eq!(date("soon"), "soon");
    }
}
