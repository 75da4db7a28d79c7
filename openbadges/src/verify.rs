//! Verifying a credential: each check with an outcome and a sentence a non-expert
//! understands, and two answers drawn from them:
//!
//! - **verdict**, is it authentic? `verified` only when a proof passed with a key that
//!   the issuer's own documents list for issuing (for an Open Badges 2.0 *hosted*
//!   assertion, which has no signature: when the copy fetched from its own address is
//!   the one asked for, `proof`, and that address is one the issuer's fetched profile
//!   authorises, `issuer_key`; [`Report::checked_by`] then says `hosting`, see
//!   [`crate::ob2`]); `not_verified` when a check failed
//!   (the report names it); `unverifiable` when a document we needed could not be had
//!   or the format is not supported. Anything not checked is never "verified".
//! - **standing**, is it in good standing? `active`, `expired`, `not_yet_valid`,
//!   `revoked`, `suspended`, or `unknown` when a status list it names could not be had.
//!
//! Documents the verifier needs from elsewhere (the issuer's DID or controller document,
//! status lists) come through a [`Resolver`], which answers with a typed
//! [`Resolution`] so the report can say why a document is missing. Nothing here touches
//! the network. Keys that come inside the thing being verified are never trusted.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::{
    keys::PublicKey,
    proof::{self, CRYPTOSUITE, LEGACY_CRYPTOSUITE, LEGACY_PROOF_TYPE},
    status_list::Bitstring,
};

/// How one check went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Pass,
    /// The check was made and failed (for `validity` and `status`, the credential is
    /// expired, not yet valid, revoked or suspended: see [`Report::standing`]).
    Fail,
    /// The check could not be made: a document could not be had, or the format or
    /// method is not supported.
    Unavailable,
    /// Information that changes no answer (e.g. the issuer offers no revocation check).
    Warning,
    NotChecked,
}

/// Is it authentic?
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// The proof passed with a key the issuer's own documents list for issuing.
    Verified,
    /// A check failed; the report names it.
    NotVerified,
    /// A needed document could not be had, or the format is not supported.
    Unverifiable,
}

/// Is it in good standing?
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Standing {
    // Ordered by precedence: the first that applies is reported.
    Revoked,
    Suspended,
    Expired,
    NotYetValid,
    Unknown,
    Active,
}

impl Standing {
    /// The stable name (`not_yet_valid`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Revoked => "revoked",
            Self::Suspended => "suspended",
            Self::Expired => "expired",
            Self::NotYetValid => "not_yet_valid",
            Self::Unknown => "unknown",
            Self::Active => "active",
        }
    }
}

impl Verdict {
    /// The stable name (`not_verified`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Verified => "verified",
            Self::NotVerified => "not_verified",
            Self::Unverifiable => "unverifiable",
        }
    }
}

/// One line of the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    /// Stable id: `format`, `json_ld`, `proof`, `issuer_key`, `validity`, `status`, `recipient`.
    pub id: &'static str,
    pub outcome: Outcome,
    pub message: String,
    /// Set when a failure is about standing (expired, revoked…), not authenticity.
    #[serde(skip)]
    standing: Option<Standing>,
}

/// The result of verifying one credential.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    pub verdict: Verdict,
    pub standing: Standing,
    pub checks: Vec<Check>,
    pub credential_id: Option<String>,
    pub issuer_id: Option<String>,
    pub issuer_name: Option<String>,
    pub achievement_name: Option<String>,
    /// Who signed, in terms a person can check: a web domain, or "a self-made key".
    /// Only set when the verdict is `verified`.
    pub signer: Option<String>,
    /// How authenticity was established when the verdict is `verified`: by a
    /// signature, or (Open Badges 2.0 hosted assertions) by fetching the badge from
    /// the issuer's own website.
    pub checked_by: Option<CheckedBy>,
    /// For an Open Badges 2.0 badge, the documents as checked: show these, not the
    /// input (a hosted badge's local copy may say anything; the copy fetched from the
    /// issuer's website is the badge).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ob2: Option<Ob2Documents>,
    /// For a badge given by its address, the OB 3.0 credential fetched from there (what
    /// a page shows; the input held only the address).
    #[serde(skip)]
    pub fetched: Option<Value>,
}

/// The Open Badges 2.0 documents behind a report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Ob2Documents {
    /// The assertion: the hosted copy as fetched, or the signed payload.
    pub assertion: Value,
    /// Its BadgeClass (name, description, image, criteria), when it could be had.
    pub badge_class: Option<Value>,
    /// The issuer's Profile as fetched from its own address, when it could be had.
    pub issuer: Option<Value>,
}

/// How a verified badge was shown to be authentic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckedBy {
    /// A cryptographic signature with a key the issuer publishes.
    Signature,
    /// An Open Badges 2.0 hosted assertion: the copy served by the issuer's own
    /// website is the badge; no signature is involved.
    Hosting,
}

impl CheckedBy {
    /// The stable name (`signature`, `hosting`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Signature => "signature",
            Self::Hosting => "hosting",
        }
    }
}

impl Report {
    /// The check with this id.
    pub fn check(&self, id: &str) -> Option<&Check> {
        self.checks.iter().find(|c| c.id == id)
    }

    /// The outcome of the check with this id.
    pub fn outcome(&self, id: &str) -> Option<Outcome> {
        self.check(id).map(|c| c.outcome)
    }

    /// Verified and active: the only state that earns a check mark.
    pub fn is_good(&self) -> bool {
        self.verdict == Verdict::Verified && self.standing == Standing::Active
    }

    /// One sentence a person understands: the verdict, the standing and, when it is
    /// not good, why.
    pub fn summary(&self) -> String {
        let verdict = match (self.verdict, self.checked_by) {
            (Verdict::Verified, Some(CheckedBy::Hosting)) => format!(
                "This badge is authentic: it was checked by fetching it from the issuer's own website ({}), not by a signature.",
                self.signer.as_deref().unwrap_or("the issuer")
            ),
            (Verdict::Verified, _) => format!(
                "This badge is authentic: it was signed by {} and has not been changed since.",
                self.signer.as_deref().unwrap_or("its issuer")
            ),
            (Verdict::NotVerified, _) => format!(
                "This badge could not be verified. {}",
                self.reason()
                    .map_or("a check failed.", |c| c.message.as_str())
            ),
            (Verdict::Unverifiable, _) => format!(
                "This badge could not be checked. {}",
                self.reason()
                    .map_or("something it needs could not be had.", |c| c
                        .message
                        .as_str())
            ),
        };
        let standing = match self.standing {
            Standing::Active => String::new(),
            other => self
                .checks
                .iter()
                .find(|c| c.standing == Some(other))
                .map(|c| format!(" {}", c.message))
                .unwrap_or_default(),
        };
        format!("{verdict}{standing}")
    }

    /// The first check that explains a verdict other than `verified`.
    pub fn reason(&self) -> Option<&Check> {
        let wanted = match self.verdict {
            Verdict::Verified => return None,
            Verdict::NotVerified => Outcome::Fail,
            Verdict::Unverifiable => Outcome::Unavailable,
        };
        self.checks
            .iter()
            .find(|c| c.outcome == wanted && c.standing.is_none())
    }

    /// A report for input that holds no credential we can read in a supported form.
    pub fn unsupported(message: impl Into<String>) -> Self {
        let mut b = Builder::default();
        b.add("format", Outcome::Unavailable, message);
        b.finish(Facts::default())
    }
}

/// What a resolver found at a URL or DID.
#[derive(Debug, Clone, PartialEq)]
pub enum Resolution {
    /// The document.
    Found(Value),
    /// It does not exist (e.g. an unknown issuer; HTTP 404).
    NotFound(String),
    /// It existed and was withdrawn on purpose (HTTP 410 Gone): for an Open Badges 2.0
    /// hosted assertion this means revoked.
    Gone(String),
    /// It could not be had right now (network, timeout, server error, or no way to
    /// fetch it from here).
    Unreachable(String),
    /// Fetching it was refused by policy (e.g. a private address, plain http).
    Refused(String),
    /// Something came back, but not a usable document.
    Malformed(String),
}

/// Supplies documents by URL or DID: controller/DID documents and status list credentials.
pub trait Resolver {
    /// The JSON document at `url`.
    fn resolve(&self, url: &str) -> Resolution;
}

/// A resolver with nothing: every document is unreachable, so nothing can be verified.
pub struct NoResolver;

impl Resolver for NoResolver {
    fn resolve(&self, _url: &str) -> Resolution {
        Resolution::Unreachable("no documents can be fetched here".into())
    }
}

impl Resolver for std::collections::HashMap<String, Value> {
    fn resolve(&self, url: &str) -> Resolution {
        match self.get(url) {
            Some(v) => Resolution::Found(v.clone()),
            None => Resolution::NotFound(format!("{url} is not known")),
        }
    }
}

/// What to verify against.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The moment to judge validity at (now if `None`).
    pub now: Option<DateTime<Utc>>,
    /// An email the recipient should have.
    pub recipient_email: Option<String>,
}

#[derive(Default)]
pub(crate) struct Builder(Vec<Check>);

impl Builder {
    pub(crate) fn add(&mut self, id: &'static str, outcome: Outcome, message: impl Into<String>) {
        self.0.push(Check {
            id,
            outcome,
            message: message.into(),
            standing: None,
        });
    }

    /// A line that is about standing: `Fail` with the standing it implies, or
    /// `Unavailable` for an unknown standing.
    pub(crate) fn standing(
        &mut self,
        id: &'static str,
        standing: Standing,
        message: impl Into<String>,
    ) {
        let outcome = if standing == Standing::Unknown {
            Outcome::Unavailable
        } else {
            Outcome::Fail
        };
        self.0.push(Check {
            id,
            outcome,
            message: message.into(),
            standing: Some(standing),
        });
    }

    pub(crate) fn outcome(&self, id: &str) -> Option<Outcome> {
        self.0.iter().find(|c| c.id == id).map(|c| c.outcome)
    }

    pub(crate) fn finish(self, facts: Facts) -> Report {
        let mut checks = self.0;
        for id in CHECK_IDS {
            if !checks.iter().any(|c| c.id == id) {
                checks.push(Check {
                    id,
                    outcome: Outcome::NotChecked,
                    message: "Not checked because an earlier check did not pass.".into(),
                    standing: None,
                });
            }
        }
        let outcome = |id: &str| checks.iter().find(|c| c.id == id).map(|c| c.outcome);
        let failed = checks
            .iter()
            .any(|c| c.outcome == Outcome::Fail && c.standing.is_none());
        // Fail closed: only a proof that passed with the issuer's own key is authentic.
        let verdict = if failed {
            Verdict::NotVerified
        } else if outcome("proof") == Some(Outcome::Pass)
            && outcome("issuer_key") == Some(Outcome::Pass)
        {
            Verdict::Verified
        } else {
            Verdict::Unverifiable
        };
        // Standing is only known for a badge known to be authentic: an unverified badge's
        // dates, flags and revocation reasons are anybody's words.
        let standing = if verdict == Verdict::Verified {
            checks
                .iter()
                .filter_map(|c| c.standing)
                .min()
                .unwrap_or(Standing::Active)
        } else {
            Standing::Unknown
        };
        Report {
            verdict,
            standing,
            checks,
            signer: facts.signer.filter(|_| verdict == Verdict::Verified),
            checked_by: (verdict == Verdict::Verified)
                .then_some(facts.checked_by.unwrap_or(CheckedBy::Signature)),
            ob2: facts.ob2,
            fetched: None,
            credential_id: facts.credential_id,
            issuer_id: facts.issuer_id,
            issuer_name: facts.issuer_name,
            achievement_name: facts.achievement_name,
        }
    }
}

/// Most proofs one credential may carry.
pub const MAX_PROOFS: usize = 4;

/// Most status entries one credential may name (revocation, suspension, a few more).
pub const MAX_STATUS_ENTRIES: usize = 4;

/// Every check, in report order.
pub const CHECK_IDS: [&str; 7] = [
    "format",
    "json_ld",
    "proof",
    "issuer_key",
    "validity",
    "status",
    "recipient",
];

#[derive(Default)]
pub(crate) struct Facts {
    pub(crate) credential_id: Option<String>,
    pub(crate) issuer_id: Option<String>,
    pub(crate) issuer_name: Option<String>,
    pub(crate) achievement_name: Option<String>,
    pub(crate) signer: Option<String>,
    pub(crate) checked_by: Option<CheckedBy>,
    pub(crate) ob2: Option<Ob2Documents>,
}

pub(crate) fn str_at<'a>(v: &'a Value, path: &[&str]) -> Option<&'a str> {
    let mut cur = v;
    for p in path {
        cur = cur.get(p)?;
    }
    cur.as_str()
}

pub(crate) fn types(v: &Value) -> Vec<&str> {
    match v.get("type") {
        Some(Value::String(s)) => vec![s.as_str()],
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

/// The issuer id of a credential (a string or an object's `id`).
pub fn issuer_id(credential: &Value) -> Option<&str> {
    match credential.get("issuer") {
        Some(Value::String(s)) => Some(s),
        Some(obj) => str_at(obj, &["id"]),
        None => None,
    }
}

/// Who an issuer id names, in terms a person can check.
pub fn signer_label(issuer: &str) -> String {
    if issuer.starts_with("did:key:") || issuer.starts_with("did:jwk:") {
        return "a self-made key that no web domain vouches for".into();
    }
    // Named as the address is fetched: the parsed host (punycode for international
    // names, so look-alike letters show), its port, and the path after dot segments.
    let url = if let Some(rest) = issuer.strip_prefix("did:web:") {
        let mut parts = rest.split(':');
        let host = parts
            .next()
            .unwrap_or_default()
            .replace("%3A", ":")
            .replace("%3a", ":");
        let path: Vec<&str> = parts.collect();
        format!("https://{host}/{}", path.join("/"))
    } else if issuer.starts_with("https://") || issuer.starts_with("http://") {
        issuer.to_string()
    } else {
        return format!("the identifier {issuer}");
    };
    let Some(parsed) = url::Url::parse(&url)
        .ok()
        .filter(|u| u.host_str().is_some() && !url.contains('\\'))
    else {
        return format!("the identifier {issuer}");
    };
    let host = match parsed.port() {
        Some(port) => format!("{}:{port}", parsed.host_str().unwrap_or_default()),
        None => parsed.host_str().unwrap_or_default().to_string(),
    };
    let path = parsed.path().trim_end_matches('/');
    if path.is_empty() {
        format!("the web domain {host}")
    } else {
        format!("the web domain {host} ({path})")
    }
}

/// Verifies a credential with an embedded (Data Integrity) proof, or an Open Badges
/// 2.0 assertion (verified as hosted: the copy at its `id` is fetched and used).
pub fn verify(credential: &Value, resolver: &dyn Resolver, options: &Options) -> Report {
    if crate::ob2::is_assertion(credential) {
        return crate::ob2::verify_hosted(Some(credential), None, resolver, options);
    }
    run(credential, resolver, options, |b, document, issuer| {
        check_proof(credential, document, issuer, resolver, b);
    })
}

/// The checks every credential goes through; `proof_step` checks the proof (embedded or
/// JWT) and adds the `proof` and `issuer_key` lines.
fn run(
    credential: &Value,
    resolver: &dyn Resolver,
    options: &Options,
    proof_step: impl FnOnce(&mut Builder, [u8; 32], Option<&str>),
) -> Report {
    let mut b = Builder::default();
    let now = options.now.unwrap_or_else(Utc::now);
    let issuer = issuer_id(credential).map(str::to_string);
    let facts = Facts {
        credential_id: str_at(credential, &["id"]).map(str::to_string),
        issuer_id: issuer.clone(),
        issuer_name: str_at(credential, &["issuer", "name"]).map(str::to_string),
        achievement_name: str_at(credential, &["credentialSubject", "achievement", "name"])
            .map(str::to_string),
        signer: issuer.as_deref().map(signer_label),
        checked_by: None,
        ob2: None,
    };

    // 1. Is it an Open Badge at all?
    if !check_format(credential, &mut b) {
        return b.finish(facts);
    }

    // 2. Every term defined by a known context (this also hashes the document once).
    let document = match proof::document_hash(credential) {
        Ok(hash) => hash,
        Err(e) => {
            b.add("json_ld", Outcome::Fail, format!("The credential contains information that no published vocabulary defines (a field added or misspelt after issuing), so its signature cannot be trusted (detail: {e})."));
            return b.finish(facts);
        }
    };
    b.add(
        "json_ld",
        Outcome::Pass,
        "Every field of the credential is defined by a published vocabulary.",
    );

    // 3 + 4. Proof and the key behind it.
    proof_step(&mut b, document, issuer.as_deref());

    // 5. Validity window.
    check_validity(credential, now, &mut b);

    // 6. Revocation.
    check_status(credential, issuer.as_deref(), resolver, &mut b);

    // 7. Recipient.
    check_recipient(credential, options.recipient_email.as_deref(), &mut b);

    b.finish(facts)
}

/// Adds the `format` line; false when nothing more can be checked.
fn check_format(credential: &Value, b: &mut Builder) -> bool {
    let t = types(credential);
    let context_has = |needle: &str| match credential.get("@context") {
        Some(Value::String(s)) => s.contains(needle),
        Some(Value::Array(a)) => a
            .iter()
            .any(|c| c.as_str().is_some_and(|s| s.contains(needle))),
        _ => false,
    };
    if context_has("w3id.org/openbadges/v2") || t.contains(&"Assertion") {
        b.add(
            "format",
            Outcome::Unavailable,
            "This is an Open Badges 2.0 assertion inside an Open Badges 3.0 envelope, which is neither: give the assertion itself, its signed form, or its web address.",
        );
        return false;
    }
    let is_badge = t.contains(&"VerifiableCredential")
        && (t.contains(&"OpenBadgeCredential") || t.contains(&"AchievementCredential"));
    if !is_badge && t.contains(&"VerifiableCredential") && t.contains(&"EndorsementCredential") {
        return check_endorsement_format(credential, b);
    }
    if !is_badge {
        b.add(
            "format",
            Outcome::Fail,
            "This is not an Open Badges 3.0 credential (its type is not OpenBadgeCredential).",
        );
        return false;
    }
    if let Err(e) = serde_json::from_value::<crate::model::OpenBadgeCredential>(credential.clone())
    {
        b.add(
            "format",
            Outcome::Fail,
            format!("The credential is missing required information: {e}."),
        );
        return false;
    }
    b.add(
        "format",
        Outcome::Pass,
        "This is an Open Badges 3.0 credential.",
    );
    true
}

/// The `format` line of an OB 3.0 `EndorsementCredential`: an issuer, a validity start,
/// and an `EndorsementSubject` naming what is endorsed.
fn check_endorsement_format(credential: &Value, b: &mut Builder) -> bool {
    let subject = credential.get("credentialSubject");
    let subject_types: Vec<&str> = match subject.and_then(|s| s.get("type")) {
        Some(Value::String(s)) => vec![s.as_str()],
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    let issuer_ok = match credential.get("issuer") {
        Some(Value::String(s)) => !s.is_empty(),
        Some(Value::Object(o)) => o
            .get("id")
            .and_then(Value::as_str)
            .is_some_and(|s| !s.is_empty()),
        _ => false,
    };
    let missing = if !subject_types.contains(&"EndorsementSubject") {
        Some("its subject is not an EndorsementSubject")
    } else if subject
        .and_then(|s| s.get("id"))
        .and_then(Value::as_str)
        .is_none_or(str::is_empty)
    {
        Some("it does not say what it endorses (credentialSubject.id)")
    } else if !issuer_ok {
        Some("it names no issuer")
    } else if credential
        .get("validFrom")
        .and_then(Value::as_str)
        .is_none()
        && credential
            .get("issuanceDate")
            .and_then(Value::as_str)
            .is_none()
    {
        Some("it has no validFrom")
    } else {
        None
    };
    if let Some(why) = missing {
        b.add(
            "format",
            Outcome::Fail,
            format!("The endorsement is missing required information: {why}."),
        );
        return false;
    }
    b.add(
        "format",
        Outcome::Pass,
        "This is an Open Badges 3.0 endorsement (EndorsementCredential).",
    );
    true
}

/// Runs every check on a credential whose proof is checked by `proof_step`, which
/// records the `proof` line and returns the `issuer_key` line. Used for VC-JWT.
pub fn run_with(
    credential: &Value,
    resolver: &dyn Resolver,
    options: &Options,
    proof_step: impl FnOnce(&mut dyn FnMut(Outcome, String), Option<&str>) -> (Outcome, String),
) -> Report {
    run(credential, resolver, options, |b, _document, issuer| {
        let mut proof_line = None;
        let key_line = {
            let mut add = |outcome, message: String| proof_line = Some((outcome, message));
            proof_step(&mut add, issuer)
        };
        let (outcome, message) = proof_line.unwrap_or((
            Outcome::NotChecked,
            "The signature was not checked.".to_string(),
        ));
        b.add("proof", outcome, message);
        b.add("issuer_key", key_line.0, key_line.1);
    })
}

/// Why a key could not be used: the `issuer_key` line to report.
pub(crate) type KeyProblem = (Outcome, String);

pub(crate) fn resolution_problem(what: &str, resolution: Resolution) -> Result<Value, KeyProblem> {
    match resolution {
        Resolution::Found(doc) => Ok(doc),
        Resolution::NotFound(why) | Resolution::Gone(why) => Err((
            Outcome::Fail,
            format!(
                "The issuer's {what} does not exist ({why}), so the key cannot be the issuer's."
            ),
        )),
        Resolution::Unreachable(why) => Err((
            Outcome::Unavailable,
            format!(
                "The issuer's {what} could not be retrieved: the issuer's website could not be reached ({why}), so the signature could not be checked."
            ),
        )),
        // Our policy, not the issuer, kept us from looking: nothing was checked.
        Resolution::Refused(why) => Err((
            Outcome::Unavailable,
            format!(
                "The issuer's {what} was not fetched ({why}), so the signature could not be checked."
            ),
        )),
        Resolution::Malformed(why) => Err((
            Outcome::Fail,
            format!("The issuer's {what} is not a usable document ({why})."),
        )),
    }
}

/// Finds a verification method (a JSON object with `publicKeyMultibase` or
/// `publicKeyJwk`) in the issuer's own document and checks the issuer controls it and
/// authorised it for issuing. The method must live in the issuer's document: a key
/// listed anywhere else is not the issuer's.
pub(crate) fn resolve_method(
    vm: &str,
    issuer: Option<&str>,
    resolver: &dyn Resolver,
) -> Result<Value, KeyProblem> {
    let controller_url = vm.split('#').next().unwrap_or(vm);
    let Some(issuer) = issuer else {
        return Err((
            Outcome::Fail,
            "The credential does not name its issuer.".into(),
        ));
    };
    if controller_url != issuer {
        return Err((
            Outcome::Fail,
            format!("The signing key ({vm}) is not one of the issuer's own keys."),
        ));
    }
    if controller_url.starts_with("did:jwk:") {
        // did:jwk is its own document too: one key, `#0`.
        if vm.split_once('#').map(|(_, f)| f) != Some("0") {
            return Err((
                Outcome::Fail,
                "The signing key does not match the issuer's did:jwk.".into(),
            ));
        }
        let jwk = crate::keys::did_jwk_key(controller_url).map_err(|e| {
            (
                Outcome::Fail,
                format!("The issuer's did:jwk does not hold a usable public key: {e}."),
            )
        })?;
        return Ok(
            serde_json::json!({"id": vm, "controller": controller_url, "publicKeyJwk": jwk}),
        );
    }
    if let Some(multibase) = controller_url.strip_prefix("did:key:") {
        // did:key is its own document: the key is the identifier.
        if vm.split_once('#').is_some_and(|(_, f)| f != multibase) {
            return Err((
                Outcome::Fail,
                "The signing key does not match the issuer's did:key.".into(),
            ));
        }
        return Ok(
            serde_json::json!({"id": vm, "controller": controller_url, "publicKeyMultibase": multibase}),
        );
    }
    let doc = resolution_problem("key list", resolver.resolve(controller_url))?;
    match doc.get("id").and_then(Value::as_str) {
        Some(id) if id == controller_url => {}
        Some(id) => {
            return Err((
                Outcome::Fail,
                format!("The issuer's key list describes someone else ({id})."),
            ));
        }
        None => {
            return Err((
                Outcome::Fail,
                "The issuer's key list does not say whose it is.".into(),
            ));
        }
    }
    // Methods are listed under verificationMethod, or embedded in assertionMethod.
    let methods: Vec<Value> = ["verificationMethod", "assertionMethod"]
        .iter()
        .filter_map(|k| doc.get(*k).and_then(Value::as_array))
        .flatten()
        .filter(|m| m.is_object())
        .cloned()
        .collect();
    let full_id = |m: &Value| {
        str_at(m, &["id"]).map(|id| {
            if id.starts_with('#') {
                format!("{controller_url}{id}")
            } else {
                id.to_string()
            }
        })
    };
    let Some(method) = methods.iter().find(|m| full_id(m).as_deref() == Some(vm)) else {
        return Err((
            Outcome::Fail,
            "The issuer does not list the key that signed this credential.".into(),
        ));
    };
    let listed_for_assertion = doc
        .get("assertionMethod")
        .and_then(Value::as_array)
        .is_some_and(|a| {
            a.iter().any(|x| {
                let id = x.as_str().map(str::to_string).or_else(|| full_id(x));
                id.is_some_and(|id| {
                    id == vm || (id.starts_with('#') && format!("{controller_url}{id}") == vm)
                })
            })
        });
    if !listed_for_assertion {
        return Err((
            Outcome::Fail,
            "The issuer has not authorised this key to issue credentials (it may have been withdrawn).".into(),
        ));
    }
    let controller = str_at(method, &["controller"]).unwrap_or_default();
    if controller != issuer {
        return Err((
            Outcome::Fail,
            "The signing key is controlled by someone other than the issuer.".into(),
        ));
    }
    Ok(method.clone())
}

/// The Ed25519 Multikey of a verification method the issuer controls.
fn resolve_key(
    vm: &str,
    issuer: Option<&str>,
    resolver: &dyn Resolver,
) -> Result<PublicKey, KeyProblem> {
    let method = resolve_method(vm, issuer, resolver)?;
    if let Some(jwk) = method.get("publicKeyJwk") {
        return PublicKey::from_jwk(jwk).map_err(|e| {
            (
                Outcome::Fail,
                format!("The issuer's key is not a valid Ed25519 key: {e}."),
            )
        });
    }
    let multibase = str_at(&method, &["publicKeyMultibase"]).unwrap_or_default();
    PublicKey::from_multibase(multibase).map_err(|e| {
        (
            Outcome::Fail,
            format!("The issuer's key is not a valid Ed25519 key: {e}."),
        )
    })
}

/// Adds the `proof` and `issuer_key` lines for embedded proofs.
fn check_proof(
    credential: &Value,
    document: [u8; 32],
    issuer: Option<&str>,
    resolver: &dyn Resolver,
    b: &mut Builder,
) {
    let proofs = proof::proofs(credential);
    if proofs.is_empty() {
        b.add("proof", Outcome::Fail, "The credential is not signed.");
        b.add(
            "issuer_key",
            Outcome::NotChecked,
            "There is no signing key to check.",
        );
        return;
    }
    // Each proof costs a canonicalisation and maybe fetches: a credential is signed
    // once or twice in practice, so a few are tried and the rest ignored.
    if proofs.len() > MAX_PROOFS {
        b.add(
            "proof",
            Outcome::Fail,
            format!(
                "The credential carries {} proofs; at most {MAX_PROOFS} are checked, so it cannot be trusted.",
                proofs.len()
            ),
        );
        b.add(
            "issuer_key",
            Outcome::NotChecked,
            "The signing keys were not looked up.",
        );
        return;
    }
    // The most telling problem seen: a failure beats an unavailable document.
    let mut problem: Option<(&'static str, KeyProblem)> = None;
    let mut note = |line: &'static str, p: KeyProblem| {
        let worse = match &problem {
            None => true,
            Some((_, (o, _))) => *o != Outcome::Fail && p.0 == Outcome::Fail,
        };
        if worse {
            problem = Some((line, p));
        }
    };
    for p in proofs {
        let suite = str_at(p, &["cryptosuite"]).unwrap_or_default();
        // `eddsa-rdfc-2022` is what we issue; `eddsa-2022` is its earlier name (same
        // algorithm), and `Ed25519Signature2020` the suite before Data Integrity.
        let supported = match str_at(p, &["type"]) {
            Some("DataIntegrityProof") => suite == CRYPTOSUITE || suite == LEGACY_CRYPTOSUITE,
            Some(LEGACY_PROOF_TYPE) => true,
            _ => false,
        };
        if !supported {
            let name = if suite.is_empty() {
                str_at(p, &["type"]).unwrap_or("unknown")
            } else {
                suite
            };
            note(
                "proof",
                (
                    Outcome::Unavailable,
                    format!("The proof uses a method we do not support yet ({name})."),
                ),
            );
            continue;
        }
        if str_at(p, &["proofPurpose"]) != Some("assertionMethod") {
            note(
                "proof",
                (
                    Outcome::Fail,
                    "The proof was not made for issuing credentials.".into(),
                ),
            );
            continue;
        }
        let vm = str_at(p, &["verificationMethod"]).unwrap_or_default();
        let key = match resolve_key(vm, issuer, resolver) {
            Ok(key) => key,
            Err(problem) => {
                note("issuer_key", problem);
                continue;
            }
        };
        match proof::verify_signature_with(document, credential, p, &key) {
            Ok(true) => {
                b.add("proof", Outcome::Pass, "The signature is valid: the credential has not been changed since it was issued.");
                b.add("issuer_key", Outcome::Pass, "The credential was signed with a key the issuer publishes for issuing credentials.");
                return;
            }
            Ok(false) => note(
                "proof",
                (
                    Outcome::Fail,
                    "The signature does not match: the credential was changed after it was issued, or signed with another key.".into(),
                ),
            ),
            Err(e) => note(
                "proof",
                (Outcome::Fail, format!("The signature could not be checked: {e}.")),
            ),
        }
    }
    match problem {
        Some(("issuer_key", (outcome, message))) => {
            let proof_message = if outcome == Outcome::Fail {
                "The signature was not checked: the key that made it is not the issuer's."
            } else {
                "The signature could not be checked without the issuer's key."
            };
            b.add("proof", Outcome::NotChecked, proof_message);
            b.add("issuer_key", outcome, message);
        }
        Some((_, (outcome, message))) => {
            b.add("proof", outcome, message);
            b.add(
                "issuer_key",
                Outcome::NotChecked,
                "No usable proof, so no key was checked.",
            );
        }
        None => {
            b.add(
                "proof",
                Outcome::Fail,
                "No valid signature from the issuer was found.",
            );
            b.add("issuer_key", Outcome::NotChecked, "Not checked.");
        }
    }
}

pub(crate) fn parse_date(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|d| d.with_timezone(&Utc))
}

fn check_validity(credential: &Value, now: DateTime<Utc>, b: &mut Builder) {
    let from = str_at(credential, &["validFrom"]).or(str_at(credential, &["issuanceDate"]));
    let until = str_at(credential, &["validUntil"]).or(str_at(credential, &["expirationDate"]));
    let from_date = from.map(parse_date);
    let until_date = until.map(parse_date);
    match (from_date, until_date) {
        (Some(None), _) | (_, Some(None)) => b.add(
            "validity",
            Outcome::Fail,
            "The credential's dates are not valid dates.",
        ),
        (None, _) => b.add(
            "validity",
            Outcome::Fail,
            "The credential does not say when it was issued.",
        ),
        (Some(Some(f)), _) if now < f => b.standing(
            "validity",
            Standing::NotYetValid,
            format!(
                "The credential is not valid yet: it becomes valid on {}.",
                f.format("%Y-%m-%d")
            ),
        ),
        (_, Some(Some(u))) if now > u => b.standing(
            "validity",
            Standing::Expired,
            format!("The credential expired on {}.", u.format("%Y-%m-%d")),
        ),
        (Some(Some(f)), Some(Some(u))) => b.add(
            "validity",
            Outcome::Pass,
            format!(
                "Valid from {} until {}.",
                f.format("%Y-%m-%d"),
                u.format("%Y-%m-%d")
            ),
        ),
        (Some(Some(f)), None) => b.add(
            "validity",
            Outcome::Pass,
            format!("Valid since {}, with no expiry date.", f.format("%Y-%m-%d")),
        ),
    }
}

fn check_status(
    credential: &Value,
    issuer: Option<&str>,
    resolver: &dyn Resolver,
    b: &mut Builder,
) {
    let Some(status) = credential.get("credentialStatus") else {
        b.add(
            "status",
            Outcome::Warning,
            "The issuer provides no way to check whether this credential was revoked.",
        );
        return;
    };
    let entries: Vec<&Value> = match status {
        Value::Array(a) => a.iter().collect(),
        other => vec![other],
    };
    // Each entry costs a list and a signature check: no credential needs many.
    if entries.len() > MAX_STATUS_ENTRIES {
        b.add(
            "status",
            Outcome::Fail,
            format!("The credential names more than {MAX_STATUS_ENTRIES} statuses."),
        );
        return;
    }
    let mut lines: Vec<(Outcome, Option<Standing>, String)> = Vec::new();
    for entry in entries {
        if str_at(entry, &["type"]) != Some("BitstringStatusListEntry") {
            lines.push((
                Outcome::Unavailable,
                Some(Standing::Unknown),
                format!(
                    "The credential's status uses a method we do not check ({}).",
                    str_at(entry, &["type"]).unwrap_or("unknown")
                ),
            ));
            continue;
        }
        lines.push(check_status_entry(entry, issuer, resolver));
    }
    // Report the line that matters most: a failure, then the worst standing.
    lines.sort_by_key(|(o, s, _)| {
        (
            *o != Outcome::Fail || s.is_some(),
            s.unwrap_or(Standing::Active),
        )
    });
    match lines.into_iter().next() {
        Some((_, Some(standing), message)) => b.standing("status", standing, message),
        Some((outcome, None, message)) => b.add("status", outcome, message),
        None => b.add(
            "status",
            Outcome::Warning,
            "The credential names no status to check.",
        ),
    }
}

/// One `BitstringStatusListEntry`: the outcome, the standing it implies, the sentence.
fn check_status_entry(
    entry: &Value,
    issuer: Option<&str>,
    resolver: &dyn Resolver,
) -> (Outcome, Option<Standing>, String) {
    let purpose = str_at(entry, &["statusPurpose"]).unwrap_or("revocation");
    let (Some(url), Some(index)) = (
        str_at(entry, &["statusListCredential"]),
        str_at(entry, &["statusListIndex"]).and_then(|i| i.parse::<usize>().ok()),
    ) else {
        return (
            Outcome::Fail,
            None,
            "The credential's status entry is incomplete.".into(),
        );
    };
    let list = match resolver.resolve(url) {
        Resolution::Found(list) => list,
        Resolution::NotFound(why)
        | Resolution::Gone(why)
        | Resolution::Unreachable(why)
        | Resolution::Refused(why)
        | Resolution::Malformed(why) => {
            return (
                Outcome::Unavailable,
                Some(Standing::Unknown),
                format!(
                    "The issuer's status list at {url} could not be had ({why}), so we do not know whether the credential was revoked."
                ),
            );
        }
    };
    // The list must itself be a validly signed status list credential from the same
    // issuer, for the same purpose, published at the URL the credential names.
    let list_issuer = issuer_id(&list);
    if list_issuer != issuer {
        return (
            Outcome::Fail,
            None,
            "The status list was not published by the credential's issuer.".into(),
        );
    }
    let list_purpose = str_at(&list, &["credentialSubject", "statusPurpose"]);
    if !types(&list).contains(&"BitstringStatusListCredential")
        || str_at(&list, &["id"]) != Some(url)
        || list_purpose != Some(purpose)
    {
        return (
            Outcome::Fail,
            None,
            format!("The document at {url} is not the issuer's {purpose} status list."),
        );
    }
    let mut sub = Builder::default();
    match proof::document_hash(&list) {
        Ok(hash) => check_proof(&list, hash, list_issuer, resolver, &mut sub),
        Err(_) => sub.add("proof", Outcome::Fail, "unreadable"),
    }
    let list_proof = sub.outcome("proof");
    let list_key = sub.outcome("issuer_key");
    if list_proof != Some(Outcome::Pass) || list_key != Some(Outcome::Pass) {
        let both = [list_proof, list_key];
        let unavailable =
            both.contains(&Some(Outcome::Unavailable)) && !both.contains(&Some(Outcome::Fail));
        if unavailable {
            return (
                Outcome::Unavailable,
                Some(Standing::Unknown),
                "The signature of the issuer's status list could not be checked, so we do not know whether the credential was revoked.".into(),
            );
        }
        return (
            Outcome::Fail,
            None,
            "The issuer's status list is not validly signed.".into(),
        );
    }
    let encoded = str_at(&list, &["credentialSubject", "encodedList"]).unwrap_or_default();
    let bit = Bitstring::decode(encoded)
        .ok()
        .and_then(|bits| bits.get(index));
    match (bit, purpose) {
        (None, _) => (
            Outcome::Fail,
            None,
            "The issuer's status list cannot be read.".into(),
        ),
        (Some(true), "suspension") => (
            Outcome::Fail,
            Some(Standing::Suspended),
            "The issuer has suspended this credential.".into(),
        ),
        (Some(true), _) => (
            Outcome::Fail,
            Some(Standing::Revoked),
            "The issuer has revoked this credential.".into(),
        ),
        (Some(false), "suspension") => (
            Outcome::Pass,
            None,
            "The issuer has not suspended this credential.".into(),
        ),
        (Some(false), _) => (
            Outcome::Pass,
            None,
            "The issuer has not revoked this credential.".into(),
        ),
    }
}

/// `sha256$` + hex(SHA-256(identity + salt)).
pub fn identity_hash(identity: &str, salt: &str) -> String {
    let digest = Sha256::digest(format!("{identity}{salt}").as_bytes());
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256${hex}")
}

fn check_recipient(credential: &Value, email: Option<&str>, b: &mut Builder) {
    let Some(email) = email else {
        b.add(
            "recipient",
            Outcome::NotChecked,
            "No recipient was given to compare with.",
        );
        return;
    };
    let typed = email.trim();
    let lower = typed.to_lowercase();
    let ids = match credential.pointer("/credentialSubject/identifier") {
        Some(Value::Array(a)) => a.clone(),
        Some(o @ Value::Object(_)) => vec![o.clone()],
        _ => Vec::new(),
    };
    let matches = ids.iter().any(|id| {
        if str_at(id, &["identityType"]) != Some("emailAddress") {
            return false;
        }
        let stored = str_at(id, &["identityHash"]).unwrap_or_default();
        if id.get("hashed").and_then(Value::as_bool) == Some(true) {
            // A hash cannot be compared case-insensitively: try as typed and lower-cased.
            let salt = str_at(id, &["salt"]).unwrap_or_default();
            [typed, lower.as_str()]
                .iter()
                .any(|e| stored.eq_ignore_ascii_case(&identity_hash(e, salt)))
        } else {
            stored.trim().eq_ignore_ascii_case(typed)
        }
    });
    if matches {
        b.add(
            "recipient",
            Outcome::Pass,
            "The credential was issued to this email address.",
        );
    } else {
        b.add(
            "recipient",
            Outcome::Fail,
            "The credential was not issued to this email address.",
        );
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;
    use crate::keys::{SigningKey, did_document, verification_method};

    #[test]
    fn too_many_proofs_are_not_tried() {
        let (mut cred, world) = vector_world();
        let proof = cred["proof"].clone();
        let one = match &proof {
            Value::Array(a) => a[0].clone(),
            p => p.clone(),
        };
        cred["proof"] = Value::Array(vec![one; MAX_PROOFS + 1]);
        let report = verify(&cred, &world, &Options::default());
        assert_eq!(report.verdict, Verdict::NotVerified, "{report:#?}");
        assert!(
            report
                .check("proof")
                .is_some_and(|c| c.message.contains("5 proofs"))
        );
    }

    #[test]
    fn signers_are_named_as_their_addresses_are_fetched() {
        assert_eq!(
            signer_label("did:web:uni.example"),
            "the web domain uni.example"
        );
        assert_eq!(
            signer_label("did:web:uni.example%3A8443:issuers:one"),
            "the web domain uni.example:8443 (/issuers/one)"
        );
        // Look-alike letters show as punycode; dot segments as where they lead.
        assert_eq!(
            signer_label("https://h\u{430}rvard.edu/issuer"),
            "the web domain xn--hrvard-3nf.edu (/issuer)"
        );
        assert_eq!(
            signer_label("did:web:host.example:issuers:mit:%2e%2e:attacker"),
            "the web domain host.example (/issuers/attacker)"
        );
        assert_eq!(
            signer_label("did:key:z6Mk"),
            "a self-made key that no web domain vouches for"
        );
        assert_eq!(signer_label("urn:x"), "the identifier urn:x");
    }
    use crate::status_list;

    const VECTOR: &str = include_str!("../tests/fixtures/1edtech-ob3-test-vector.json");
    const ISSUER: &str = include_str!("../tests/fixtures/1edtech-test-vector-issuer.json");

    fn vector_world() -> (Value, HashMap<String, Value>) {
        let cred: Value = serde_json::from_str(VECTOR).expect("json");
        let mut r = HashMap::new();
        r.insert(
            "https://example.edu/issuers/565049".to_string(),
            serde_json::from_str(ISSUER).expect("json"),
        );
        (cred, r)
    }

    #[test]
    fn the_1edtech_vector_verifies() {
        let (cred, r) = vector_world();
        let report = verify(&cred, &r, &Options::default());
        assert_eq!(report.verdict, Verdict::Verified, "{report:#?}");
        assert_eq!(report.standing, Standing::Active);
        assert!(report.is_good());
        assert_eq!(report.outcome("proof"), Some(Outcome::Pass));
        assert_eq!(report.outcome("issuer_key"), Some(Outcome::Pass));
        assert_eq!(
            report.signer.as_deref(),
            Some("the web domain example.edu (/issuers/565049)")
        );
        assert_eq!(
            report.check("status").map(|c| c.outcome),
            Some(Outcome::Warning)
        );
        assert_eq!(report.issuer_name.as_deref(), Some("Example Corp"));
    }

    #[test]
    fn tampering_is_caught_and_named() {
        let (mut cred, r) = vector_world();
        cred["credentialSubject"]["achievement"]["name"] = "Leadership".into();
        let report = verify(&cred, &r, &Options::default());
        assert_eq!(report.verdict, Verdict::NotVerified);
        assert_eq!(report.reason().map(|c| c.id), Some("proof"));
        assert!(report.signer.is_none());
    }

    #[test]
    fn a_key_the_issuer_does_not_list_fails() {
        let (cred, mut r) = vector_world();
        let other = SigningKey::generate().public_multibase();
        r.insert(
            "https://example.edu/issuers/565049".into(),
            did_document("https://example.edu/issuers/565049", &[other]),
        );
        let report = verify(&cred, &r, &Options::default());
        assert_eq!(report.verdict, Verdict::NotVerified);
        assert_eq!(report.reason().map(|c| c.id), Some("issuer_key"));
    }

    #[test]
    fn an_issuer_whose_documents_cannot_be_had_is_unverifiable_not_valid() {
        let (cred, _) = vector_world();
        let report = verify(&cred, &NoResolver, &Options::default());
        assert_eq!(report.verdict, Verdict::Unverifiable, "{report:#?}");
        assert_eq!(report.outcome("issuer_key"), Some(Outcome::Unavailable));
        assert_eq!(report.outcome("proof"), Some(Outcome::NotChecked));
        assert!(!report.is_good());
        assert!(
            report
                .reason()
                .is_some_and(|c| c.message.contains("could not be retrieved"))
        );
    }

    #[test]
    fn an_issuer_that_does_not_exist_is_not_verified() {
        let (mut cred, _) = vector_world();
        // Changed after signing, and the issuer is unknown: never "verified".
        cred["credentialSubject"]["achievement"]["name"] = "PhD in Everything".into();
        let report = verify(&cred, &HashMap::new(), &Options::default());
        assert_eq!(report.verdict, Verdict::NotVerified, "{report:#?}");
        assert_eq!(report.reason().map(|c| c.id), Some("issuer_key"));
    }

    #[test]
    fn each_kind_of_resolution_gives_its_verdict() {
        struct Answer(Resolution);
        impl Resolver for Answer {
            fn resolve(&self, _url: &str) -> Resolution {
                self.0.clone()
            }
        }
        let (cred, _) = vector_world();
        for (answer, verdict) in [
            (Resolution::NotFound("404".into()), Verdict::NotVerified),
            (
                Resolution::Refused("private address".into()),
                Verdict::Unverifiable,
            ),
            (
                Resolution::Malformed("not JSON".into()),
                Verdict::NotVerified,
            ),
            (
                Resolution::Unreachable("timeout".into()),
                Verdict::Unverifiable,
            ),
            (
                Resolution::Found(serde_json::json!({"id": "https://example.edu/issuers/565049"})),
                Verdict::NotVerified,
            ),
        ] {
            let report = verify(&cred, &Answer(answer.clone()), &Options::default());
            assert_eq!(report.verdict, verdict, "{answer:?}: {report:#?}");
        }
    }

    #[test]
    fn a_key_listed_in_someone_elses_document_is_not_the_issuers() {
        // An attacker's document lists a method that claims the victim as controller.
        let key = SigningKey::generate();
        let victim = "did:web:victim.example";
        let attacker = "did:web:attacker.example";
        let vm = verification_method(attacker, &key.public_multibase());
        let (mut cred, _) = vector_world();
        let obj = cred.as_object_mut().expect("object");
        obj.remove("proof");
        obj.insert(
            "issuer".into(),
            serde_json::json!({"id": victim, "type": ["Profile"], "name": "Victim U"}),
        );
        proof::sign(&mut cred, &key, &vm, "2026-01-01T00:00:00Z").expect("sign");
        let mut doc = did_document(attacker, &[key.public_multibase()]);
        doc["verificationMethod"][0]["controller"] = victim.into();
        let mut r = HashMap::new();
        r.insert(attacker.to_string(), doc);
        let report = verify(&cred, &r, &Options::default());
        assert_eq!(report.verdict, Verdict::NotVerified, "{report:#?}");
        assert_eq!(report.reason().map(|c| c.id), Some("issuer_key"));
    }

    #[test]
    fn a_key_withdrawn_from_assertion_method_stops_verifying() {
        let (cred, mut r) = issued(false, None);
        let did = "did:web:badges.example.edu:issuers:demo";
        let mut doc = r[did].clone();
        doc["assertionMethod"] = serde_json::json!([]);
        r.insert(did.to_string(), doc);
        let report = verify(&cred, &r, &Options::default());
        assert_eq!(report.verdict, Verdict::NotVerified, "{report:#?}");
        assert!(
            report
                .reason()
                .is_some_and(|c| c.id == "issuer_key" && c.message.contains("not authorised"))
        );
    }

    #[test]
    fn a_did_key_issuer_is_named_as_a_self_made_key() {
        // did:key is its own document: the signature proves who holds the key, and the
        // report says plainly that no web domain vouches for it.
        let key = SigningKey::generate();
        let did = format!("did:key:{}", key.public_multibase());
        let vm = format!("{did}#{}", key.public_multibase());
        let (mut cred, _) = vector_world();
        let obj = cred.as_object_mut().expect("object");
        obj.remove("proof");
        obj.insert(
            "issuer".into(),
            serde_json::json!({"id": did, "type": ["Profile"], "name": "Harvard University"}),
        );
        proof::sign(&mut cred, &key, &vm, "2026-01-01T00:00:00Z").expect("sign");
        let report = verify(&cred, &NoResolver, &Options::default());
        assert_eq!(report.verdict, Verdict::Verified, "{report:#?}");
        assert_eq!(
            report.signer.as_deref(),
            Some("a self-made key that no web domain vouches for")
        );
        // Another key's fragment under that did:key is not the issuer's.
        let other = SigningKey::generate();
        let mut forged = cred.clone();
        forged.as_object_mut().expect("object").remove("proof");
        proof::sign(
            &mut forged,
            &other,
            &format!("{did}#{}", other.public_multibase()),
            "2026-01-01T00:00:00Z",
        )
        .expect("sign");
        assert_eq!(
            verify(&forged, &NoResolver, &Options::default()).verdict,
            Verdict::NotVerified
        );
    }

    #[test]
    fn a_status_list_that_is_not_the_named_list_is_refused() {
        let (cred, mut r) = issued(true, None);
        let url = "https://badges.example.edu/issuers/demo/status/revocation";
        // The issuer's suspension list served where the revocation list should be.
        let mut list = r[url].clone();
        list["credentialSubject"]["statusPurpose"] = "suspension".into();
        r.insert(url.into(), list);
        let report = verify(&cred, &r, &Options::default());
        assert_eq!(report.verdict, Verdict::NotVerified, "{report:#?}");
        assert!(report.reason().is_some_and(|c| c.id == "status"));
        // Too many statuses are refused before any is fetched.
        let (mut cred, r) = issued(false, None);
        cred["credentialStatus"] = serde_json::json!(vec![
            cred["credentialStatus"].clone();
            MAX_STATUS_ENTRIES + 1
        ]);
        let report = verify(&cred, &r, &Options::default());
        assert_eq!(report.outcome("status"), Some(Outcome::Fail));
    }

    #[test]
    fn unsupported_proof_methods_are_unverifiable() {
        let (mut cred, r) = vector_world();
        cred["proof"]["type"] = "BbsBlsSignature2020".into();
        cred["proof"]
            .as_object_mut()
            .expect("proof")
            .remove("cryptosuite");
        let report = verify(&cred, &r, &Options::default());
        assert_eq!(report.verdict, Verdict::Unverifiable, "{report:#?}");
        assert!(
            report
                .reason()
                .is_some_and(|c| c.message.contains("BbsBlsSignature2020"))
        );
        // An unknown Data Integrity cryptosuite is named too.
        let (mut cred, r) = vector_world();
        cred["proof"]["cryptosuite"] = "ecdsa-sd-2023".into();
        let report = verify(&cred, &r, &Options::default());
        assert_eq!(report.verdict, Verdict::Unverifiable, "{report:#?}");
        assert!(
            report
                .reason()
                .is_some_and(|c| c.message.contains("ecdsa-sd-2023"))
        );
    }

    #[test]
    fn open_badges_2_without_an_address_cannot_be_verified() {
        let report = verify(
            &serde_json::json!({"@context": "https://w3id.org/openbadges/v2", "type": "Assertion"}),
            &NoResolver,
            &Options::default(),
        );
        assert_eq!(report.verdict, Verdict::NotVerified);
        assert_eq!(report.outcome("format"), Some(Outcome::Fail));
        assert!(
            report
                .reason()
                .is_some_and(|c| c.message.contains("no web address"))
        );
        // A local copy that says it is signed needs its signature.
        let report = verify(
            &serde_json::json!({"@context": "https://w3id.org/openbadges/v2", "type": "Assertion",
                "id": "urn:uuid:1", "verification": {"type": "SignedBadge"}}),
            &NoResolver,
            &Options::default(),
        );
        assert_eq!(report.verdict, Verdict::Unverifiable);
    }

    #[test]
    fn a_status_list_that_cannot_be_had_leaves_standing_unknown() {
        let (cred, mut r) = issued(false, None);
        r.remove("https://badges.example.edu/issuers/demo/status/revocation");
        let report = verify(&cred, &r, &Options::default());
        assert_eq!(report.verdict, Verdict::Verified, "{report:#?}");
        assert_eq!(report.standing, Standing::Unknown);
        assert!(!report.is_good());
    }

    /// A world with our own issuer, a status list and a signed credential.
    fn issued(revoked: bool, valid_until: Option<&str>) -> (Value, HashMap<String, Value>) {
        let key = SigningKey::generate();
        let did = "did:web:badges.example.edu:issuers:demo";
        let vm = verification_method(did, &key.public_multibase());
        let list_url = "https://badges.example.edu/issuers/demo/status/revocation";
        let mut bits = status_list::Bitstring::default();
        bits.set(7, revoked);
        let mut list = status_list::list_credential(
            list_url,
            serde_json::json!(did),
            "revocation",
            &bits,
            "2026-01-01T00:00:00Z",
        );
        proof::sign(&mut list, &key, &vm, "2026-01-01T00:00:00Z").expect("sign list");
        let (mut cred, _) = vector_world();
        let obj = cred.as_object_mut().expect("object");
        obj.remove("proof");
        obj.insert(
            "issuer".into(),
            serde_json::json!({"id": did, "type": ["Profile"], "name": "Demo University"}),
        );
        obj.insert(
            "credentialStatus".into(),
            status_list::entry(list_url, 7, "revocation"),
        );
        if let Some(u) = valid_until {
            obj.insert("validUntil".into(), u.into());
        }
        cred["credentialSubject"]["identifier"] = serde_json::json!([{
            "type": "IdentityObject", "hashed": true, "identityType": "emailAddress",
            "salt": "pepper", "identityHash": identity_hash("ada@example.org", "pepper")
        }]);
        proof::sign(&mut cred, &key, &vm, "2026-01-01T00:00:00Z").expect("sign");
        let mut r = HashMap::new();
        r.insert(
            did.to_string(),
            did_document(did, &[key.public_multibase()]),
        );
        r.insert(list_url.to_string(), list);
        (cred, r)
    }

    #[test]
    fn our_own_credentials_verify_with_status_and_recipient() {
        let (cred, r) = issued(false, None);
        let opts = Options {
            recipient_email: Some("Ada@Example.org".into()),
            ..Options::default()
        };
        let report = verify(&cred, &r, &opts);
        assert!(report.is_good(), "{report:#?}");
        for id in [
            "format",
            "json_ld",
            "proof",
            "issuer_key",
            "validity",
            "status",
            "recipient",
        ] {
            assert_eq!(
                report.check(id).map(|c| c.outcome),
                Some(Outcome::Pass),
                "{id}: {report:#?}"
            );
        }
        let wrong = Options {
            recipient_email: Some("eve@example.org".into()),
            ..Options::default()
        };
        let report = verify(&cred, &r, &wrong);
        assert_eq!(report.outcome("recipient"), Some(Outcome::Fail));
        assert_eq!(report.verdict, Verdict::NotVerified);
    }

    #[test]
    fn revoked_and_expired_credentials_fail_with_the_right_check() {
        let (cred, r) = issued(true, None);
        let report = verify(&cred, &r, &Options::default());
        assert_eq!(report.verdict, Verdict::Verified, "revoked is not forged");
        assert_eq!(report.standing, Standing::Revoked);
        assert_eq!(report.outcome("status"), Some(Outcome::Fail));
        assert!(
            report
                .check("status")
                .is_some_and(|c| c.message.contains("revoked"))
        );

        let (cred, r) = issued(false, Some("2020-01-01T00:00:00Z"));
        let report = verify(&cred, &r, &Options::default());
        assert_eq!(report.verdict, Verdict::Verified);
        assert_eq!(report.standing, Standing::Expired);
        assert!(
            report
                .check("validity")
                .is_some_and(|c| c.message.contains("expired"))
        );
        assert_eq!(
            report.check("proof").map(|c| c.outcome),
            Some(Outcome::Pass)
        );
    }

    #[test]
    fn legacy_vcdm_1_1_credentials_sign_and_verify() {
        let key = SigningKey::generate();
        let did = "did:web:legacy.example:issuers:old";
        let vm = verification_method(did, &key.public_multibase());
        let mut cred = serde_json::json!({
            "@context": [
                crate::model::CONTEXT_VC_V1,
                "https://purl.imsglobal.org/spec/ob/v3p0/context.json",
                "https://w3id.org/security/data-integrity/v1"
            ],
            "id": "urn:uuid:7c0e3a52-1e44-4f3c-9c1b-0a3c6c0f4e11",
            "type": ["VerifiableCredential", "OpenBadgeCredential"],
            "issuer": {"id": did, "type": ["Profile"], "name": "Legacy College"},
            "issuanceDate": "2022-01-01T00:00:00Z",
            "expirationDate": "2099-01-01T00:00:00Z",
            "name": "Legacy badge",
            "credentialSubject": {"id": "did:example:learner", "type": ["AchievementSubject"],
                "achievement": {"id": "urn:uuid:5f1c", "type": ["Achievement"], "name": "Old",
                    "description": "From the VCDM 1.1 days.", "criteria": {"narrative": "Done."}}}
        });
        proof::sign(&mut cred, &key, &vm, "2022-01-01T00:00:00Z").expect("sign");
        let mut r = HashMap::new();
        r.insert(
            did.to_string(),
            did_document(did, &[key.public_multibase()]),
        );
        let report = verify(&cred, &r, &Options::default());
        assert!(report.is_good(), "{report:#?}");
        assert!(
            report
                .check("validity")
                .is_some_and(|c| c.message.contains("2099"))
        );
    }

    #[test]
    fn endorsement_credentials_sign_and_verify() {
        let key = SigningKey::generate();
        let did = "did:web:platform.example:issuers:north";
        let vm = verification_method(did, &key.public_multibase());
        let mut cred = serde_json::json!({
            "@context": [crate::model::CONTEXT_VC_V2, crate::model::CONTEXT_OB_V3],
            "id": "urn:uuid:0c7e3a52-1e44-4f3c-9c1b-0a3c6c0f4e12",
            "type": ["VerifiableCredential", "EndorsementCredential"],
            "issuer": {"id": did, "type": ["Profile"], "name": "North University"},
            "validFrom": "2026-01-01T00:00:00Z",
            "name": "Endorsement by Grace Hopper",
            "description": "Grace Hopper endorsed this credential.",
            "credentialSubject": {"id": "urn:uuid:7c0e3a52-1e44-4f3c-9c1b-0a3c6c0f4e11",
                "type": ["EndorsementSubject"], "endorsementComment": "Very good <b>work</b>."}
        });
        proof::sign(&mut cred, &key, &vm, "2026-01-01T00:00:00Z").expect("sign");
        let mut r = HashMap::new();
        r.insert(
            did.to_string(),
            did_document(did, &[key.public_multibase()]),
        );
        let report = verify(&cred, &r, &Options::default());
        assert_eq!(report.verdict, Verdict::Verified, "{report:#?}");
        assert_eq!(report.outcome("format"), Some(Outcome::Pass));
        // Without a subject id it is refused.
        let mut bad = cred.clone();
        bad["credentialSubject"]
            .as_object_mut()
            .map(|o| o.remove("id"));
        assert_eq!(
            verify(&bad, &r, &Options::default()).outcome("format"),
            Some(Outcome::Fail)
        );
    }

    #[test]
    fn not_a_badge_fails_format() {
        let report = verify(
            &serde_json::json!({"hello": "world"}),
            &NoResolver,
            &Options::default(),
        );
        assert_eq!(report.verdict, Verdict::NotVerified);
        assert_eq!(
            report.check("format").map(|c| c.outcome),
            Some(Outcome::Fail)
        );
        assert_eq!(
            report.check("proof").map(|c| c.outcome),
            Some(Outcome::NotChecked)
        );
    }
}
