//! Open Badges 2.0 assertions, hosted and signed (reference/openbadges.md §8).
//!
//! - **Hosted**: the assertion lives at its `id` on the issuer's website. We fetch it
//!   (a local copy only tells us the address), then its BadgeClass and the issuer's
//!   Profile; the assertion's address must be within the issuer's scope (the origin of
//!   the issuer's Profile, or its `verification.allowedOrigins` / `startsWith`). Such a
//!   badge counts as verified *by hosting*: nothing is signed, and the report says so
//!   ([`CheckedBy::Hosting`]).
//! - **Signed**: a compact JWS (RS256) whose payload is the assertion, signed with a
//!   CryptographicKey the issuer's Profile lists (`publicKey`) and whose `owner` is
//!   the issuer; `verification.creator`, when given, names the key and must be listed.
//!
//! In both, revocation comes from the assertion's `revoked` flag, HTTP 410 Gone on the
//! hosted assertion, and the issuer's `revocationList`; expiry from `expires`; the
//! recipient from the (possibly hashed, `sha256$`/`md5$`) `recipient.identity`.
//!
//! How the two map onto the report's checks (so "verified" still needs `proof` and
//! `issuer_key` to pass, see [`crate::verify`]):
//!
//! | check | hosted | signed |
//! |---|---|---|
//! | `proof` | the assertion was fetched from its own address and is the one asked for | the JWS signature is valid |
//! | `issuer_key` | that address is one the issuer's Profile authorises | the key is listed by the issuer and owned by it |
//! | `json_ld` | not checked (OB 2.0 is read as plain JSON) | same |

use chrono::{DateTime, NaiveDateTime, Utc};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::verify::{
    Builder, CheckedBy, Facts, KeyProblem, Ob2Documents, Options, Outcome, Report, Resolution,
    Resolver, Standing, parse_date, resolution_problem, signer_label, str_at, types,
};

/// The JSON-LD context of Open Badges 2.0.
pub const CONTEXT_V2: &str = "https://w3id.org/openbadges/v2";

/// Most entries of a revocation list looked at (a list is bounded by the fetcher's
/// size cap anyway; this keeps the scan cheap).
const MAX_REVOKED_ENTRIES: usize = 100_000;

/// Most keys of an issuer tried for one signature.
const MAX_KEYS: usize = 8;

/// Whether a JSON value is an Open Badges 2.0 (or 1.x) assertion.
pub fn is_assertion(v: &Value) -> bool {
    let context_v2 = match v.get("@context") {
        Some(Value::String(s)) => s.contains("w3id.org/openbadges/v2"),
        Some(Value::Array(a)) => a.iter().any(|c| {
            c.as_str()
                .is_some_and(|s| s.contains("w3id.org/openbadges/v2"))
        }),
        _ => false,
    };
    let t = types(v);
    context_v2
        || t.contains(&"Assertion")
        || t.contains(&"https://w3id.org/openbadges#Assertion")
        || (v.get("recipient").is_some()
            && v.get("badge").is_some()
            && v.get("credentialSubject").is_none())
}

/// The assertion inside a compact JWS, unverified, if its payload is one.
pub fn signed_assertion_of(token: &str) -> Option<Value> {
    let claims = jsonwebtoken::dangerous::insecure_decode::<Value>(token.trim())
        .ok()?
        .claims;
    is_assertion(&claims).then_some(claims)
}

/// An http(s) URL as a browser (and our fetcher) reads it, refused unless it reads the
/// same way to everyone: no backslashes, spaces or control characters (which parsers
/// disagree on), no user name or password, a host.
fn parsed(s: &str) -> Option<url::Url> {
    if s.len() > 4096 || s.contains('\\') || s.chars().any(|c| c.is_whitespace() || c.is_control())
    {
        return None;
    }
    let u = url::Url::parse(s).ok()?;
    (matches!(u.scheme(), "http" | "https")
        && u.username().is_empty()
        && u.password().is_none()
        && u.host_str().is_some_and(|h| !h.is_empty()))
    .then_some(u)
}

/// Whether a URL is https (what keys and the profiles listing them must use).
fn is_https(s: &str) -> bool {
    parsed(s).is_some_and(|u| u.scheme() == "https")
}

/// Whether text is an http(s) URL (nothing else can be fetched for OB 2.0).
pub fn is_http_url(s: &str) -> bool {
    parsed(s).is_some()
}

fn verification_type(assertion: &Value) -> Option<String> {
    str_at(assertion, &["verification", "type"])
        .or_else(|| str_at(assertion, &["verify", "type"]))
        .map(str::to_ascii_lowercase)
}

fn is_signed_type(t: Option<&str>) -> bool {
    matches!(t, Some("signed" | "signedbadge"))
}

fn is_hosted_type(t: Option<&str>) -> bool {
    matches!(t, Some("hosted" | "hostedbadge"))
}

/// The scheme, host and port of a URL (default ports left out), as the fetcher
/// connects to it.
fn origin(url: &str) -> Option<String> {
    parsed(url).map(|u| u.origin().ascii_serialization())
}

/// The host a URL names (lower-cased, punycode for international names).
fn host(url: &str) -> Option<String> {
    parsed(url)?.host_str().map(str::to_string)
}

fn strings(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect(),
        _ => Vec::new(),
    }
}

/// Whether the issuer's verification policy covers an assertion address: by default
/// the same origin as the issuer's Profile; `allowedOrigins` (host names) replaces
/// that, and `startsWith` further requires one of its prefixes.
fn in_scope(assertion_url: &str, issuer: &Value, issuer_url: &str) -> bool {
    let policy = issuer.get("verification");
    let allowed = strings(policy.and_then(|p| p.get("allowedOrigins")));
    let starts = strings(policy.and_then(|p| p.get("startsWith")));
    let origin_ok = if allowed.is_empty() {
        origin(assertion_url).is_some() && origin(assertion_url) == origin(issuer_url)
    } else {
        host(assertion_url).is_some_and(|h| allowed.iter().any(|a| a.eq_ignore_ascii_case(&h)))
    };
    origin_ok
        && (starts.is_empty()
            || starts
                .iter()
                .any(|p| !p.is_empty() && assertion_url.starts_with(p.as_str())))
}

/// OB 2.0 dates: ISO 8601 with or without a zone (UTC then), or Unix seconds.
fn parse_ob2_date(v: &Value) -> Option<DateTime<Utc>> {
    match v {
        Value::Number(n) => DateTime::<Utc>::from_timestamp(n.as_i64()?, 0),
        Value::String(s) => parse_date(s)
            .or_else(|| {
                NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f")
                    .ok()
                    .map(|d| d.and_utc())
            })
            .or_else(|| {
                chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
                    .ok()
                    .and_then(|d| d.and_hms_opt(0, 0, 0))
                    .map(|d| d.and_utc())
            })
            .or_else(|| {
                s.parse::<i64>()
                    .ok()
                    .and_then(|n| DateTime::<Utc>::from_timestamp(n, 0))
            }),
        _ => None,
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Starts the report: what is known about the assertion so far.
fn facts_of(assertion: Option<&Value>, url: Option<&str>) -> Facts {
    Facts {
        credential_id: url.map(str::to_string).or_else(|| {
            assertion
                .and_then(|a| str_at(a, &["id"]))
                .map(str::to_string)
        }),
        ..Facts::default()
    }
}

/// Verifies a hosted assertion: from a local copy (its `id` is fetched), or from its
/// address. A local copy that says it is signed cannot be checked without the signature.
pub fn verify_hosted(
    local: Option<&Value>,
    url: Option<&str>,
    resolver: &dyn Resolver,
    options: &Options,
) -> Report {
    if let Some(local) = local
        && is_signed_type(verification_type(local).as_deref())
    {
        let mut b = Builder::default();
        b.add(
            "format",
            Outcome::Unavailable,
            "This Open Badges 2.0 badge is a signed one, but its signature was not given: check the signed form (the baked image, or the text starting with “eyJ”) instead.",
        );
        return b.finish(facts_of(Some(local), None));
    }
    let url = url.or_else(|| local.and_then(|l| str_at(l, &["id"])));
    let Some(url) = url.filter(|u| is_http_url(u)) else {
        let mut b = Builder::default();
        b.add(
            "format",
            Outcome::Fail,
            "This Open Badges 2.0 badge has no web address to check it at, so it cannot be verified.",
        );
        return b.finish(facts_of(local, None));
    };
    verify_hosted_resolved(url, resolver.resolve(url), resolver, options)
}

/// [`verify_hosted`] once the assertion's address has been resolved.
pub fn verify_hosted_resolved(
    url: &str,
    resolution: Resolution,
    resolver: &dyn Resolver,
    options: &Options,
) -> Report {
    let mut b = Builder::default();
    let mut facts = facts_of(None, Some(url));
    let assertion = match resolution {
        Resolution::Found(v) => v,
        Resolution::Gone(why) => {
            b.add(
                "proof",
                Outcome::Unavailable,
                format!("The issuer's website says this badge has been withdrawn ({why}), so there is no badge left to check."),
            );
            b.standing(
                "status",
                Standing::Revoked,
                "The issuer revoked this badge: its website answers that the badge is gone (HTTP 410).",
            );
            return b.finish(facts);
        }
        Resolution::NotFound(why) => {
            b.add(
                "proof",
                Outcome::Fail,
                format!("The issuer's website does not have this badge at {url} ({why}): it may never have been issued there."),
            );
            return b.finish(facts);
        }
        Resolution::Unreachable(why) => {
            b.add(
                "proof",
                Outcome::Unavailable,
                format!("The issuer's website could not be reached ({why}), so the badge could not be checked."),
            );
            return b.finish(facts);
        }
        Resolution::Refused(why) => {
            b.add(
                "proof",
                Outcome::Unavailable,
                format!("The badge's address {url} was not fetched ({why}), so the badge could not be checked."),
            );
            return b.finish(facts);
        }
        Resolution::Malformed(why) => {
            b.add(
                "proof",
                Outcome::Fail,
                format!("The issuer's website did not answer with a badge at {url} ({why})."),
            );
            return b.finish(facts);
        }
    };
    if !check_format(&assertion, false, &mut b) {
        return b.finish(facts);
    }
    facts.ob2 = Some(Ob2Documents {
        assertion: assertion.clone(),
        badge_class: None,
        issuer: None,
    });
    let kind = verification_type(&assertion);
    if !is_hosted_type(kind.as_deref()) {
        b.add(
            "proof",
            Outcome::Unavailable,
            "The badge at this address says it is not a hosted badge, so being on the website proves nothing: check its signed form instead.",
        );
        return b.finish(facts);
    }
    if str_at(&assertion, &["id"]) != Some(url) {
        b.add(
            "proof",
            Outcome::Fail,
            format!(
                "The badge fetched from {url} gives another address as its own ({}), so it is not the badge at that address.",
                str_at(&assertion, &["id"]).unwrap_or("none")
            ),
        );
        return b.finish(facts);
    }
    let world = match issuer_world(&assertion, resolver, &mut facts) {
        Ok(w) => w,
        Err((outcome, message)) => {
            b.add(
                "proof",
                Outcome::NotChecked,
                "The badge was fetched from its own address, but without the issuer's profile we cannot tell whether that website speaks for the issuer.",
            );
            b.add("issuer_key", outcome, message);
            return b.finish(facts);
        }
    };
    b.add(
        "proof",
        Outcome::Pass,
        format!("Checked by hosting, not by a signature: the copy of the badge on the issuer's website ({url}) was used."),
    );
    if in_scope(url, &world.issuer, &world.issuer_url) {
        b.add(
            "issuer_key",
            Outcome::Pass,
            format!(
                "The badge is hosted at {}, which the issuer ({}) uses for its badges.",
                host(url).unwrap_or_default(),
                world.issuer_url
            ),
        );
        facts.checked_by = Some(CheckedBy::Hosting);
    } else {
        b.add(
            "issuer_key",
            Outcome::Fail,
            format!(
                "The badge is hosted at {}, which the issuer ({}) does not name as its own: anyone can host a badge that names a famous issuer.",
                host(url).unwrap_or_default(),
                world.issuer_url
            ),
        );
    }
    finish_checks(&assertion, &world, true, resolver, options, b, facts)
}

/// Verifies a signed assertion (compact JWS, RS256).
pub fn verify_signed(token: &str, resolver: &dyn Resolver, options: &Options) -> Report {
    let token = token.trim();
    let mut b = Builder::default();
    let Some(assertion) = signed_assertion_of(token) else {
        b.add(
            "format",
            Outcome::Fail,
            "The signed text does not hold an Open Badges 2.0 badge.",
        );
        return b.finish(Facts::default());
    };
    let mut facts = facts_of(Some(&assertion), None);
    if !check_format(&assertion, true, &mut b) {
        return b.finish(facts);
    }
    facts.ob2 = Some(Ob2Documents {
        assertion: assertion.clone(),
        badge_class: None,
        issuer: None,
    });
    if !is_signed_type(verification_type(&assertion).as_deref()) {
        b.add(
            "proof",
            Outcome::Fail,
            "The signed badge says it is not a signed badge, so its signature does not vouch for it.",
        );
        return b.finish(facts);
    }
    let header = match jsonwebtoken::decode_header(token) {
        Ok(h) if h.alg == jsonwebtoken::Algorithm::RS256 => h,
        Ok(h) => {
            b.add(
                "proof",
                Outcome::Fail,
                format!(
                    "The badge is signed with {:?}; Open Badges 2.0 signatures use RS256.",
                    h.alg
                ),
            );
            return b.finish(facts);
        }
        Err(_) => {
            b.add(
                "proof",
                Outcome::Fail,
                "The signature's header cannot be read.",
            );
            return b.finish(facts);
        }
    };
    let _ = header;
    let world = match issuer_world(&assertion, resolver, &mut facts) {
        Ok(w) => w,
        Err((outcome, message)) => {
            b.add(
                "proof",
                Outcome::NotChecked,
                "The signature could not be checked without the issuer's profile, which lists its keys.",
            );
            b.add("issuer_key", outcome, message);
            return b.finish(facts);
        }
    };
    // The profile lists the keys: over plain http anyone on the network path could list
    // their own.
    if !is_https(&world.issuer_url) {
        b.add(
            "proof",
            Outcome::NotChecked,
            "The signature was not checked: the issuer's profile, which lists its keys, is not on a secure (https) address.",
        );
        b.add(
            "issuer_key",
            Outcome::Unavailable,
            format!("The issuer's profile {} is on a plain http address, which anyone on the network path can change, so the keys it lists cannot be trusted.", world.issuer_url),
        );
        return b.finish(facts);
    }
    match check_signature(token, &assertion, &world, resolver) {
        Ok(key_id) => {
            b.add(
                "proof",
                Outcome::Pass,
                "The signature is valid: the badge has not been changed since it was issued.",
            );
            b.add(
                "issuer_key",
                Outcome::Pass,
                format!(
                    "The badge was signed with a key the issuer publishes and owns ({key_id})."
                ),
            );
            facts.checked_by = Some(CheckedBy::Signature);
        }
        Err((proof, key)) => {
            b.add("proof", proof.0, proof.1);
            b.add("issuer_key", key.0, key.1);
            return b.finish(facts);
        }
    }
    finish_checks(&assertion, &world, false, resolver, options, b, facts)
}

/// Adds the `format` and `json_ld` lines; false when nothing more can be checked.
fn check_format(assertion: &Value, signed: bool, b: &mut Builder) -> bool {
    if !is_assertion(assertion) {
        b.add(
            "format",
            Outcome::Fail,
            "This is not an Open Badges 2.0 badge.",
        );
        return false;
    }
    let missing: Vec<&str> = ["recipient", "badge", "issuedOn"]
        .into_iter()
        .filter(|k| assertion.get(*k).is_none_or(Value::is_null))
        .collect();
    if !missing.is_empty()
        || !assertion
            .get("badge")
            .is_some_and(|b| b.is_string() || b.is_object())
    {
        b.add(
            "format",
            Outcome::Fail,
            format!(
                "The Open Badges 2.0 badge is missing required information ({}).",
                if missing.is_empty() {
                    "badge".to_string()
                } else {
                    missing.join(", ")
                }
            ),
        );
        return false;
    }
    b.add(
        "format",
        Outcome::Pass,
        if signed {
            "This is a signed Open Badges 2.0 badge."
        } else {
            "This is a hosted Open Badges 2.0 badge."
        },
    );
    b.add(
        "json_ld",
        Outcome::NotChecked,
        "Open Badges 2.0 badges are read as plain JSON; their vocabulary is not part of what is checked.",
    );
    true
}

/// The issuer side of an assertion: BadgeClass and Profile, both as published.
struct World {
    issuer_url: String,
    issuer: Value,
}

fn fetch(what: &str, url: &str, resolver: &dyn Resolver) -> Result<Value, KeyProblem> {
    if !is_http_url(url) {
        return Err((
            Outcome::Fail,
            format!("The {what} has no web address ({url}), so nothing vouches for it."),
        ));
    }
    let doc = resolution_problem(what, resolver.resolve(url))?;
    if str_at(&doc, &["id"]) != Some(url) {
        return Err((
            Outcome::Fail,
            format!(
                "The document at {url} is not the {what} it should be (it names another address)."
            ),
        ));
    }
    Ok(doc)
}

/// Resolves the BadgeClass (unless embedded) and always the issuer's Profile from its
/// own address: an embedded profile is the badge's word, not the issuer's.
fn issuer_world(
    assertion: &Value,
    resolver: &dyn Resolver,
    facts: &mut Facts,
) -> Result<World, KeyProblem> {
    let badge = match assertion.get("badge") {
        Some(Value::String(url)) => fetch("badge description (BadgeClass)", url, resolver)?,
        Some(obj @ Value::Object(_)) => obj.clone(),
        _ => {
            return Err((
                Outcome::Fail,
                "The badge does not say what it is for.".into(),
            ));
        }
    };
    facts.achievement_name = str_at(&badge, &["name"]).map(str::to_string);
    if let Some(docs) = facts.ob2.as_mut() {
        docs.badge_class = Some(badge.clone());
    }
    let issuer_url = match badge.get("issuer") {
        Some(Value::String(s)) => s.clone(),
        Some(obj) => str_at(obj, &["id"]).unwrap_or_default().to_string(),
        None => String::new(),
    };
    if issuer_url.is_empty() {
        return Err((Outcome::Fail, "The badge does not name its issuer.".into()));
    }
    facts.issuer_id = Some(issuer_url.clone());
    let issuer = fetch("profile", &issuer_url, resolver)?;
    facts.issuer_name = str_at(&issuer, &["name"]).map(str::to_string);
    if let Some(docs) = facts.ob2.as_mut() {
        docs.issuer = Some(issuer.clone());
    }
    facts.signer = Some(signer_label(&issuer_url));
    Ok(World { issuer_url, issuer })
}

/// Checks the JWS with the issuer's key: `Ok(key id)`, or the `proof` and `issuer_key`
/// lines explaining why not.
fn check_signature(
    token: &str,
    assertion: &Value,
    world: &World,
    resolver: &dyn Resolver,
) -> Result<String, (KeyProblem, KeyProblem)> {
    let not_checked = |key: KeyProblem| {
        (
            (
                Outcome::NotChecked,
                "The signature was not checked: the key that made it is not shown to be the issuer's."
                    .to_string(),
            ),
            key,
        )
    };
    // Keys the issuer lists: URLs, or embedded CryptographicKeys.
    let listed: Vec<Value> = match world.issuer.get("publicKey") {
        Some(Value::Array(a)) => a.clone(),
        Some(v @ (Value::String(_) | Value::Object(_))) => vec![v.clone()],
        _ => Vec::new(),
    };
    let listed_id = |k: &Value| {
        k.as_str()
            .or_else(|| str_at(k, &["id"]))
            .map(str::to_string)
    };
    if listed.is_empty() {
        return Err(not_checked((
            Outcome::Fail,
            "The issuer publishes no key, so nothing ties this signature to it.".into(),
        )));
    }
    let creator = str_at(assertion, &["verification", "creator"]);
    let candidates: Vec<&Value> = match creator {
        Some(c) => {
            let found: Vec<&Value> = listed
                .iter()
                .filter(|k| listed_id(k).as_deref() == Some(c))
                .collect();
            if found.is_empty() {
                return Err(not_checked((
                    Outcome::Fail,
                    format!(
                        "The badge names a signing key ({c}) that the issuer does not list as its own."
                    ),
                )));
            }
            found
        }
        None => listed.iter().take(MAX_KEYS).collect(),
    };
    let mut problem: Option<KeyProblem> = None;
    let mut bad_signature = false;
    for entry in candidates {
        let key = match entry {
            Value::Object(_) if entry.get("publicKeyPem").is_some() => entry.clone(),
            _ => match listed_id(entry) {
                Some(id) if !is_https(&id) => {
                    problem.get_or_insert((
                        Outcome::Unavailable,
                        format!("The issuer's key {id} is on a plain http address, so it cannot be trusted."),
                    ));
                    continue;
                }
                Some(id) => match fetch("key", &id, resolver) {
                    Ok(k) => k,
                    Err(p) => {
                        if problem.as_ref().is_none_or(|q| q.0 != Outcome::Fail) {
                            problem = Some(p);
                        }
                        continue;
                    }
                },
                None => continue,
            },
        };
        if str_at(&key, &["owner"]) != Some(world.issuer_url.as_str()) {
            problem = Some((
                Outcome::Fail,
                "The signing key is owned by someone other than the issuer.".into(),
            ));
            continue;
        }
        let Some(decoding) = str_at(&key, &["publicKeyPem"])
            .and_then(|pem| jsonwebtoken::DecodingKey::from_rsa_pem(pem.as_bytes()).ok())
        else {
            problem = Some((
                Outcome::Fail,
                "The issuer's key is not a usable RSA public key.".into(),
            ));
            continue;
        };
        let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
        validation.validate_exp = false;
        validation.validate_nbf = false;
        validation.validate_aud = false;
        validation.required_spec_claims.clear();
        if jsonwebtoken::decode::<Value>(token, &decoding, &validation).is_ok() {
            return Ok(listed_id(&key).unwrap_or_default());
        }
        bad_signature = true;
    }
    if bad_signature {
        return Err((
            (
                Outcome::Fail,
                "The signature does not match: the badge was changed after it was issued, or signed with another key.".into(),
            ),
            (Outcome::Pass, "The key named is one the issuer publishes and owns.".into()),
        ));
    }
    Err(not_checked(problem.unwrap_or((
        Outcome::Fail,
        "None of the issuer's keys could be used.".into(),
    ))))
}

/// Validity, revocation and recipient, once authenticity has been looked at.
fn finish_checks(
    assertion: &Value,
    world: &World,
    hosted: bool,
    resolver: &dyn Resolver,
    options: &Options,
    mut b: Builder,
    facts: Facts,
) -> Report {
    let now = options.now.unwrap_or_else(Utc::now);
    check_validity(assertion, now, &mut b);
    check_revocation(assertion, world, hosted, resolver, &mut b);
    check_recipient(assertion, options.recipient_email.as_deref(), &mut b);
    b.finish(facts)
}

fn check_validity(assertion: &Value, now: DateTime<Utc>, b: &mut Builder) {
    let issued = assertion.get("issuedOn").map(parse_ob2_date);
    let expires = assertion
        .get("expires")
        .filter(|v| !v.is_null())
        .map(parse_ob2_date);
    match (issued, expires) {
        (Some(None) | None, _) | (_, Some(None)) => {
            b.add(
                "validity",
                Outcome::Fail,
                "The badge's dates are not valid dates.",
            );
        }
        (Some(Some(f)), _) if now < f => b.standing(
            "validity",
            Standing::NotYetValid,
            format!(
                "The badge is not valid yet: it was dated {}.",
                f.format("%Y-%m-%d")
            ),
        ),
        (_, Some(Some(u))) if now > u => b.standing(
            "validity",
            Standing::Expired,
            format!("The badge expired on {}.", u.format("%Y-%m-%d")),
        ),
        (Some(Some(f)), Some(Some(u))) => b.add(
            "validity",
            Outcome::Pass,
            format!(
                "Issued on {}, valid until {}.",
                f.format("%Y-%m-%d"),
                u.format("%Y-%m-%d")
            ),
        ),
        (Some(Some(f)), None) => b.add(
            "validity",
            Outcome::Pass,
            format!("Issued on {}, with no expiry date.", f.format("%Y-%m-%d")),
        ),
    }
}

fn revoked_because(reason: Option<&str>) -> String {
    match reason.map(str::trim).filter(|r| !r.is_empty()) {
        Some(r) => format!("The issuer revoked this badge. The reason given: “{r}”."),
        None => "The issuer revoked this badge.".into(),
    }
}

fn check_revocation(
    assertion: &Value,
    world: &World,
    hosted: bool,
    resolver: &dyn Resolver,
    b: &mut Builder,
) {
    if assertion.get("revoked").and_then(Value::as_bool) == Some(true) {
        b.standing(
            "status",
            Standing::Revoked,
            revoked_because(str_at(assertion, &["revocationReason"])),
        );
        return;
    }
    let id = str_at(assertion, &["id"]).unwrap_or_default();
    let uid = str_at(assertion, &["uid"]);
    let list_ref = world.issuer.get("revocationList");
    let list = match list_ref {
        None | Some(Value::Null) => None,
        Some(Value::String(url)) => match resolver.resolve(url) {
            Resolution::Found(list) => Some(list),
            Resolution::NotFound(why)
            | Resolution::Gone(why)
            | Resolution::Unreachable(why)
            | Resolution::Refused(why)
            | Resolution::Malformed(why) => {
                b.standing(
                    "status",
                    Standing::Unknown,
                    format!("The issuer's revocation list at {url} could not be had ({why}), so we do not know whether this badge was revoked."),
                );
                return;
            }
        },
        Some(embedded) => Some(embedded.clone()),
    };
    if let Some(list) = list {
        let Some(entries) = list.get("revokedAssertions").and_then(Value::as_array) else {
            b.add(
                "status",
                Outcome::Fail,
                "The issuer's revocation list cannot be read.",
            );
            return;
        };
        for entry in entries.iter().take(MAX_REVOKED_ENTRIES) {
            let (entry_id, reason) = match entry {
                Value::String(s) => (Some(s.as_str()), None),
                obj => (
                    str_at(obj, &["id"]).or_else(|| str_at(obj, &["uid"])),
                    str_at(obj, &["revocationReason"]),
                ),
            };
            if entry_id.is_some_and(|e| (!id.is_empty() && e == id) || Some(e) == uid) {
                b.standing("status", Standing::Revoked, revoked_because(reason));
                return;
            }
        }
        b.add(
            "status",
            Outcome::Pass,
            "The issuer's revocation list does not list this badge: it has not been revoked.",
        );
        return;
    }
    if hosted {
        b.add(
            "status",
            Outcome::Pass,
            "The issuer's website still serves this badge and does not mark it revoked.",
        );
    } else {
        b.add(
            "status",
            Outcome::Warning,
            "The issuer provides no way to check whether this badge was revoked.",
        );
    }
}

fn check_recipient(assertion: &Value, email: Option<&str>, b: &mut Builder) {
    let Some(email) = email else {
        b.add(
            "recipient",
            Outcome::NotChecked,
            "No recipient was given to compare with.",
        );
        return;
    };
    let recipient = assertion.get("recipient");
    let kind = recipient
        .and_then(|r| str_at(r, &["type"]))
        .unwrap_or("email");
    if kind != "email" {
        b.add(
            "recipient",
            Outcome::Fail,
            format!("The badge was issued to a {kind}, not to an email address."),
        );
        return;
    }
    let identity = recipient
        .and_then(|r| str_at(r, &["identity"]))
        .unwrap_or_default();
    let hashed = recipient
        .and_then(|r| r.get("hashed"))
        .and_then(Value::as_bool)
        == Some(true);
    let salt = recipient
        .and_then(|r| str_at(r, &["salt"]))
        .unwrap_or_default();
    let typed = email.trim();
    let lower = typed.to_lowercase();
    let matches = if hashed {
        let (algo, digest) = identity.split_once('$').unwrap_or(("", ""));
        [typed, lower.as_str()].iter().any(|e| {
            let input = format!("{e}{salt}");
            let computed = match algo.to_ascii_lowercase().as_str() {
                "sha256" => hex(&Sha256::digest(input.as_bytes())),
                "md5" => hex(<md5::Md5 as md5::Digest>::digest(input.as_bytes()).as_slice()),
                _ => return false,
            };
            computed.eq_ignore_ascii_case(digest)
        })
    } else {
        identity.trim().eq_ignore_ascii_case(typed)
    };
    if matches {
        b.add(
            "recipient",
            Outcome::Pass,
            "The badge was issued to this email address.",
        );
    } else {
        b.add(
            "recipient",
            Outcome::Fail,
            "The badge was not issued to this email address.",
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scope_follows_the_issuers_policy() {
        let issuer = serde_json::json!({"id": "https://issuer.example/profile"});
        assert!(in_scope(
            "https://issuer.example/a/1",
            &issuer,
            "https://issuer.example/profile"
        ));
        assert!(!in_scope(
            "https://evil.example/a/1",
            &issuer,
            "https://issuer.example/profile"
        ));
        assert!(!in_scope(
            "http://issuer.example/a/1",
            &issuer,
            "https://issuer.example/profile"
        ));
        let issuer = serde_json::json!({"verification": {"allowedOrigins": ["cdn.example"], "startsWith": "https://cdn.example/badges/"}});
        assert!(in_scope(
            "https://cdn.example/badges/1",
            &issuer,
            "https://issuer.example/profile"
        ));
        assert!(!in_scope(
            "https://cdn.example/other/1",
            &issuer,
            "https://issuer.example/profile"
        ));
        assert!(!in_scope(
            "https://issuer.example/badges/1",
            &issuer,
            "https://issuer.example/profile"
        ));
        assert_eq!(
            host("https://Cdn.Example:8443/x").as_deref(),
            Some("cdn.example")
        );
        // Addresses parsers disagree on are no address at all: a backslash reads as a
        // slash to the fetcher (`evil.example` would be the host), userinfo hides hosts.
        let issuer = serde_json::json!({});
        for forged in [
            "https://evil.example\\@issuer.example/badges/1",
            "https://evil.example@issuer.example/badges/1",
            "https://issuer.example@evil.example/badges/1",
            "https://evil.example\t@issuer.example/badges/1",
        ] {
            assert!(!is_http_url(forged), "{forged}");
            assert!(
                !in_scope(forged, &issuer, "https://issuer.example/profile"),
                "{forged}"
            );
        }
        // The default port is the same origin.
        assert!(in_scope(
            "https://issuer.example:443/badges/1",
            &issuer,
            "https://issuer.example/profile"
        ));
        assert!(!in_scope(
            "https://issuer.example.evil.example/badges/1",
            &issuer,
            "https://issuer.example/profile"
        ));
    }

    use std::collections::HashMap;

    use crate::verify::{NoResolver, Verdict};

    const HOST: &str = "https://issuer.example";

    fn world() -> HashMap<String, Value> {
        let mut w = HashMap::new();
        let issuer = serde_json::json!({"@context": CONTEXT_V2, "id": format!("{HOST}/issuer"),
            "type": "Issuer", "name": "Issuer", "url": HOST});
        let badge = serde_json::json!({"@context": CONTEXT_V2, "id": format!("{HOST}/badge"),
            "type": "BadgeClass", "name": "Badge", "issuer": format!("{HOST}/issuer")});
        let assertion = serde_json::json!({"@context": CONTEXT_V2, "id": format!("{HOST}/a/1"),
            "type": "Assertion", "recipient": {"type": "email", "hashed": false, "identity": "ada@example.org"},
            "badge": format!("{HOST}/badge"), "issuedOn": "2026-01-01", "verification": {"type": "HostedBadge"}});
        w.insert(format!("{HOST}/issuer"), issuer);
        w.insert(format!("{HOST}/badge"), badge);
        w.insert(format!("{HOST}/a/1"), assertion);
        w
    }

    fn hosted(w: &dyn Resolver) -> Report {
        verify_hosted(None, Some(&format!("{HOST}/a/1")), w, &Options::default())
    }

    #[test]
    fn a_plain_hosted_badge_is_verified_by_hosting() {
        let report = hosted(&world());
        assert!(report.is_good(), "{report:#?}");
        assert_eq!(report.checked_by, Some(CheckedBy::Hosting));
        assert_eq!(report.achievement_name.as_deref(), Some("Badge"));
        assert_eq!(report.issuer_name.as_deref(), Some("Issuer"));
        assert!(report.summary().contains("not by a signature"));
        let docs = report.ob2.as_ref().expect("documents");
        assert_eq!(docs.assertion["id"], format!("{HOST}/a/1"));
        assert_eq!(
            docs.badge_class.as_ref().map(|b| b["name"].clone()),
            Some("Badge".into())
        );
        assert_eq!(
            docs.issuer.as_ref().map(|i| i["name"].clone()),
            Some("Issuer".into())
        );
        // A local copy that says more is not what the report shows.
        let mut local = world()[&format!("{HOST}/a/1")].clone();
        local["expires"] = "2099-01-01".into();
        local["narrative"] = "Edited".into();
        let report = verify_hosted(Some(&local), None, &world(), &Options::default());
        assert!(report.is_good());
        assert!(
            report
                .ob2
                .as_ref()
                .is_some_and(|d| d.assertion.get("narrative").is_none())
        );
        // Nothing fetched: unverifiable, never verified.
        let report = hosted(&NoResolver);
        assert_eq!(report.verdict, Verdict::Unverifiable);
        assert!(
            report
                .reason()
                .is_some_and(|c| c.message.contains("could not be reached"))
        );
        assert_eq!(report.checked_by, None);
    }

    #[test]
    fn an_embedded_issuer_cannot_widen_its_own_scope() {
        // A badge on evil.example embeds a BadgeClass whose embedded issuer claims to
        // allow evil.example: the issuer's real profile (fetched) does not.
        let mut w = world();
        let url = "https://evil.example/a/1";
        w.insert(
            url.into(),
            serde_json::json!({"@context": CONTEXT_V2, "id": url, "type": "Assertion",
            "recipient": {"type": "email", "identity": "x@example.org"}, "issuedOn": "2026-01-01",
            "verification": {"type": "hosted"},
            "badge": {"id": "urn:uuid:b", "type": "BadgeClass", "name": "Famous",
                "issuer": {"id": format!("{HOST}/issuer"), "type": "Issuer",
                    "verification": {"allowedOrigins": "evil.example"}}}}),
        );
        let report = verify_hosted(None, Some(url), &w, &Options::default());
        assert_eq!(report.verdict, Verdict::NotVerified, "{report:#?}");
        assert_eq!(report.reason().map(|c| c.id), Some("issuer_key"));
        // The issuer itself may allow another origin.
        w.get_mut(&format!("{HOST}/issuer")).expect("issuer")["verification"] =
            serde_json::json!({"allowedOrigins": ["evil.example"]});
        let report = verify_hosted(None, Some(url), &w, &Options::default());
        assert!(report.is_good(), "{report:#?}");
    }

    #[test]
    fn missing_issuer_documents_and_lists_fail_closed() {
        let mut w = world();
        w.remove(&format!("{HOST}/issuer"));
        let report = hosted(&w);
        assert_eq!(report.verdict, Verdict::NotVerified);
        assert_eq!(report.reason().map(|c| c.id), Some("issuer_key"));

        // A revocation list that cannot be had leaves the standing unknown.
        let mut w = world();
        w.get_mut(&format!("{HOST}/issuer")).expect("issuer")["revocationList"] =
            format!("{HOST}/revoked").into();
        let report = hosted(&w);
        assert_eq!(report.verdict, Verdict::Verified);
        assert_eq!(report.standing, Standing::Unknown);
        assert!(!report.is_good());
        // A list that names the badge by id revokes it.
        w.insert(
            format!("{HOST}/revoked"),
            serde_json::json!({"id": format!("{HOST}/revoked"),
            "type": "RevocationList", "revokedAssertions": [{"id": format!("{HOST}/a/1")}]}),
        );
        let report = hosted(&w);
        assert_eq!(report.standing, Standing::Revoked);
        // A hosted copy that says it is signed is not verified by hosting.
        let mut w = world();
        w.get_mut(&format!("{HOST}/a/1")).expect("a")["verification"] =
            serde_json::json!({"type": "signed"});
        assert_eq!(hosted(&w).verdict, Verdict::Unverifiable);
    }

    #[test]
    fn recipients_plain_and_hashed() {
        let w = world();
        let opts = |e: &str| Options {
            recipient_email: Some(e.into()),
            ..Options::default()
        };
        let url = format!("{HOST}/a/1");
        assert_eq!(
            verify_hosted(None, Some(&url), &w, &opts("ADA@example.org")).outcome("recipient"),
            Some(Outcome::Pass)
        );
        assert_eq!(
            verify_hosted(None, Some(&url), &w, &opts("eve@example.org")).outcome("recipient"),
            Some(Outcome::Fail)
        );
        let mut w = world();
        w.get_mut(&url).expect("a")["recipient"] = serde_json::json!({"type": "email", "hashed": true,
            "salt": "x", "identity": format!("sha256${}", hex(&Sha256::digest(b"ada@example.orgx")))});
        assert_eq!(
            verify_hosted(None, Some(&url), &w, &opts("Ada@Example.org")).outcome("recipient"),
            Some(Outcome::Pass)
        );
        w.get_mut(&url).expect("a")["recipient"]["identity"] = "sha1$abc".into();
        assert_eq!(
            verify_hosted(None, Some(&url), &w, &opts("ada@example.org")).outcome("recipient"),
            Some(Outcome::Fail)
        );
    }

    #[test]
    fn dates_in_every_ob2_form() {
        for v in [
            serde_json::json!("2016-12-31T23:59:59Z"),
            serde_json::json!("2016-12-31T23:59:59"),
            serde_json::json!("2016-12-31"),
            serde_json::json!(1_483_228_799),
            serde_json::json!("1483228799"),
        ] {
            assert!(parse_ob2_date(&v).is_some(), "{v}");
        }
        assert!(parse_ob2_date(&serde_json::json!("yesterday")).is_none());
    }
}
