//! Verifying a credential: each check with an outcome and a sentence a non-expert
//! understands.
//!
//! Documents the verifier needs from elsewhere (the issuer's DID or controller document,
//! status lists) come through a [`Resolver`], so the server can answer for its own
//! issuers from the database and tests can answer from fixtures; nothing here touches
//! the network.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::{
    keys::PublicKey,
    proof::{self, CRYPTOSUITE},
    status_list::Bitstring,
};

/// How one check went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Pass,
    Fail,
    Warning,
    NotChecked,
}

/// One line of the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    /// Stable id: `format`, `json_ld`, `proof`, `issuer_key`, `validity`, `status`, `recipient`.
    pub id: &'static str,
    pub outcome: Outcome,
    pub message: String,
}

/// The result of verifying one credential.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    /// True when no check failed.
    pub valid: bool,
    pub checks: Vec<Check>,
    pub credential_id: Option<String>,
    pub issuer_id: Option<String>,
    pub issuer_name: Option<String>,
    pub achievement_name: Option<String>,
}

impl Report {
    /// The check with this id.
    pub fn check(&self, id: &str) -> Option<&Check> {
        self.checks.iter().find(|c| c.id == id)
    }
}

/// Supplies documents by URL or DID: controller/DID documents and status list credentials.
pub trait Resolver {
    /// The JSON document at `url`, if it can be had.
    fn resolve(&self, url: &str) -> Option<Value>;
}

/// A resolver with nothing: every external check becomes "not checked".
pub struct NoResolver;

impl Resolver for NoResolver {
    fn resolve(&self, _url: &str) -> Option<Value> {
        None
    }
}

impl Resolver for std::collections::HashMap<String, Value> {
    fn resolve(&self, url: &str) -> Option<Value> {
        self.get(url).cloned()
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

struct Builder(Vec<Check>);

impl Builder {
    fn add(&mut self, id: &'static str, outcome: Outcome, message: impl Into<String>) {
        self.0.push(Check {
            id,
            outcome,
            message: message.into(),
        });
    }
}

fn str_at<'a>(v: &'a Value, path: &[&str]) -> Option<&'a str> {
    let mut cur = v;
    for p in path {
        cur = cur.get(p)?;
    }
    cur.as_str()
}

fn types(v: &Value) -> Vec<&str> {
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

/// Verifies a credential with an embedded proof.
pub fn verify(credential: &Value, resolver: &dyn Resolver, options: &Options) -> Report {
    run(credential, resolver, options, |b, document, issuer| {
        check_proof(credential, document, issuer, resolver, b).1
    })
}

/// The checks every credential goes through; `proof_step` checks the proof (embedded or
/// JWT), adds the `proof` line and returns the `issuer_key` outcome.
fn run(
    credential: &Value,
    resolver: &dyn Resolver,
    options: &Options,
    proof_step: impl FnOnce(&mut Builder, [u8; 32], Option<&str>) -> (Outcome, String),
) -> Report {
    let mut b = Builder(Vec::new());
    let now = options.now.unwrap_or_else(Utc::now);
    let issuer = issuer_id(credential).map(str::to_string);
    let report = Report {
        valid: false,
        checks: Vec::new(),
        credential_id: str_at(credential, &["id"]).map(str::to_string),
        issuer_id: issuer.clone(),
        issuer_name: str_at(credential, &["issuer", "name"]).map(str::to_string),
        achievement_name: str_at(credential, &["credentialSubject", "achievement", "name"])
            .map(str::to_string),
    };

    // 1. Is it an Open Badge at all?
    let t = types(credential);
    let is_badge = t.contains(&"VerifiableCredential")
        && (t.contains(&"OpenBadgeCredential") || t.contains(&"AchievementCredential"));
    let parsed = serde_json::from_value::<crate::model::OpenBadgeCredential>(credential.clone());
    match (is_badge, &parsed) {
        (true, Ok(_)) => b.add(
            "format",
            Outcome::Pass,
            "This is an Open Badges 3.0 credential.",
        ),
        (false, _) => {
            b.add(
                "format",
                Outcome::Fail,
                "This is not an Open Badges 3.0 credential (its type is not OpenBadgeCredential).",
            );
            return finish(report, b);
        }
        (true, Err(e)) => {
            b.add(
                "format",
                Outcome::Fail,
                format!("The credential is missing required information: {e}."),
            );
            return finish(report, b);
        }
    }

    // 2. Every term defined by a known context (this also hashes the document once).
    let document = match proof::document_hash(credential) {
        Ok(hash) => hash,
        Err(e) => {
            b.add("json_ld", Outcome::Fail, format!("The credential's data is not well defined, so its signature cannot be trusted: {e}."));
            return finish(report, b);
        }
    };
    b.add(
        "json_ld",
        Outcome::Pass,
        "Every field of the credential is defined by a published vocabulary.",
    );

    // 3 + 4. Proof and the key behind it.
    let (outcome, message) = proof_step(&mut b, document, issuer.as_deref());
    b.add("issuer_key", outcome, message);

    // 5. Validity window.
    check_validity(credential, now, &mut b);

    // 6. Revocation.
    check_status(credential, issuer.as_deref(), resolver, &mut b);

    // 7. Recipient.
    check_recipient(credential, options.recipient_email.as_deref(), &mut b);

    finish(report, b)
}

fn finish(mut report: Report, b: Builder) -> Report {
    let mut checks = b.0;
    for id in [
        "format",
        "json_ld",
        "proof",
        "issuer_key",
        "validity",
        "status",
        "recipient",
    ] {
        if !checks.iter().any(|c| c.id == id) {
            checks.push(Check {
                id,
                outcome: Outcome::NotChecked,
                message: "Not checked because an earlier check failed.".into(),
            });
        }
    }
    report.valid = !checks.iter().any(|c| c.outcome == Outcome::Fail);
    report.checks = checks;
    report
}

/// Runs every check on a credential whose proof is checked by `proof_step`, which is
/// given a way to record the `proof` line and the issuer id, and returns the
/// `issuer_key` outcome. Used for VC-JWT.
pub fn run_with(
    credential: &Value,
    resolver: &dyn Resolver,
    options: &Options,
    proof_step: impl FnOnce(&mut dyn FnMut(Outcome, String), Option<&str>) -> (Outcome, String),
) -> Report {
    run(credential, resolver, options, |b, _document, issuer| {
        let mut add = |outcome, message: String| b.add("proof", outcome, message);
        proof_step(&mut add, issuer)
    })
}

/// Finds a verification method (a JSON object with `publicKeyMultibase` or
/// `publicKeyJwk`) and checks the issuer controls it and authorised it for issuing.
pub(crate) fn resolve_method(
    vm: &str,
    issuer: Option<&str>,
    resolver: &dyn Resolver,
) -> Result<Value, (Outcome, String)> {
    let controller_url = vm.split('#').next().unwrap_or(vm);
    if let Some(multibase) = controller_url.strip_prefix("did:key:") {
        // did:key carries its own key; the issuer must be that did:key.
        if issuer != Some(controller_url) {
            return Err((
                Outcome::Fail,
                "The signing key does not belong to the issuer.".into(),
            ));
        }
        return Ok(
            serde_json::json!({"id": vm, "controller": controller_url, "publicKeyMultibase": multibase}),
        );
    }
    let Some(doc) = resolver.resolve(controller_url) else {
        return Err((
            Outcome::Warning,
            format!(
                "The issuer's key list at {controller_url} could not be retrieved, so we cannot confirm the key is the issuer's."
            ),
        ));
    };
    let methods = doc
        .get("verificationMethod")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let Some(method) = methods.iter().find(|m| str_at(m, &["id"]) == Some(vm)) else {
        return Err((
            Outcome::Fail,
            "The issuer does not list the key that signed this credential.".into(),
        ));
    };
    let listed_for_assertion = doc
        .get("assertionMethod")
        .and_then(Value::as_array)
        .is_some_and(|a| {
            a.iter()
                .any(|x| x.as_str() == Some(vm) || str_at(x, &["id"]) == Some(vm))
        });
    if !listed_for_assertion {
        return Err((
            Outcome::Fail,
            "The issuer has not authorised this key to issue credentials.".into(),
        ));
    }
    let controller = str_at(method, &["controller"]).unwrap_or_default();
    if Some(controller) != issuer {
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
) -> Result<PublicKey, (Outcome, String)> {
    let method = resolve_method(vm, issuer, resolver)?;
    let multibase = str_at(&method, &["publicKeyMultibase"]).unwrap_or_default();
    PublicKey::from_multibase(multibase).map_err(|e| {
        (
            Outcome::Fail,
            format!("The issuer's key is not a valid Ed25519 key: {e}."),
        )
    })
}

fn check_proof(
    credential: &Value,
    document: [u8; 32],
    issuer: Option<&str>,
    resolver: &dyn Resolver,
    b: &mut Builder,
) -> (bool, (Outcome, String)) {
    let proofs = proof::proofs(credential);
    if proofs.is_empty() {
        b.add("proof", Outcome::Fail, "The credential is not signed.");
        return (
            false,
            (
                Outcome::NotChecked,
                "There is no signing key to check.".into(),
            ),
        );
    }
    let mut last_key_problem = (
        Outcome::Fail,
        "No proof uses a supported method.".to_string(),
    );
    for p in proofs {
        let suite = str_at(p, &["cryptosuite"]).unwrap_or_default();
        if str_at(p, &["type"]) != Some("DataIntegrityProof") || suite != CRYPTOSUITE {
            last_key_problem = (
                Outcome::Fail,
                format!(
                    "The proof uses an unsupported method ({}).",
                    if suite.is_empty() {
                        str_at(p, &["type"]).unwrap_or("unknown")
                    } else {
                        suite
                    }
                ),
            );
            continue;
        }
        if str_at(p, &["proofPurpose"]) != Some("assertionMethod") {
            last_key_problem = (
                Outcome::Fail,
                "The proof was not made for issuing credentials.".into(),
            );
            continue;
        }
        let vm = str_at(p, &["verificationMethod"]).unwrap_or_default();
        let key = match resolve_key(vm, issuer, resolver) {
            Ok(key) => key,
            Err(problem) => {
                // Without the issuer's document we can still say nothing about the signature.
                last_key_problem = problem;
                continue;
            }
        };
        match proof::verify_signature_with(document, credential, p, &key) {
            Ok(true) => {
                b.add("proof", Outcome::Pass, "The signature is valid: the credential has not been changed since it was issued.");
                return (true, (Outcome::Pass, "The credential was signed with a key the issuer publishes for issuing credentials.".into()));
            }
            Ok(false) => {
                b.add("proof", Outcome::Fail, "The signature does not match: the credential was changed after it was issued, or signed with another key.");
                return (
                    false,
                    (Outcome::Pass, "The key belongs to the issuer.".into()),
                );
            }
            Err(e) => {
                b.add(
                    "proof",
                    Outcome::Fail,
                    format!("The signature could not be checked: {e}."),
                );
                return (false, (Outcome::NotChecked, "Not checked.".into()));
            }
        }
    }
    let proof_outcome = if last_key_problem.0 == Outcome::Warning {
        Outcome::Warning
    } else {
        Outcome::Fail
    };
    let msg = if proof_outcome == Outcome::Warning {
        "The signature could not be checked because the issuer's key could not be retrieved."
    } else {
        "No valid signature from the issuer was found."
    };
    b.add("proof", proof_outcome, msg);
    (false, last_key_problem)
}

fn parse_date(s: &str) -> Option<DateTime<Utc>> {
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
        (Some(Some(f)), _) if now < f => b.add(
            "validity",
            Outcome::Fail,
            format!(
                "The credential is not valid yet: it becomes valid on {}.",
                f.format("%Y-%m-%d")
            ),
        ),
        (_, Some(Some(u))) if now > u => b.add(
            "validity",
            Outcome::Fail,
            format!("The credential expired on {}.", u.format("%Y-%m-%d")),
        ),
        (None, _) => b.add(
            "validity",
            Outcome::Fail,
            "The credential does not say when it was issued.",
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
    for entry in entries {
        if str_at(entry, &["type"]) != Some("BitstringStatusListEntry") {
            continue;
        }
        let purpose = str_at(entry, &["statusPurpose"]).unwrap_or("revocation");
        let (Some(url), Some(index)) = (
            str_at(entry, &["statusListCredential"]),
            str_at(entry, &["statusListIndex"]).and_then(|i| i.parse::<usize>().ok()),
        ) else {
            b.add(
                "status",
                Outcome::Fail,
                "The credential's status entry is incomplete.",
            );
            return;
        };
        let Some(list) = resolver.resolve(url) else {
            b.add("status", Outcome::Warning, format!("The issuer's status list at {url} could not be retrieved, so revocation was not checked."));
            return;
        };
        // The list must itself be a valid credential from the same issuer.
        let list_issuer = issuer_id(&list);
        if list_issuer != issuer {
            b.add(
                "status",
                Outcome::Fail,
                "The status list was not published by the credential's issuer.",
            );
            return;
        }
        let mut sub = Builder(Vec::new());
        let list_signed = match proof::document_hash(&list) {
            Ok(hash) => check_proof(&list, hash, list_issuer, resolver, &mut sub).0,
            Err(_) => false,
        };
        if !list_signed {
            b.add(
                "status",
                Outcome::Fail,
                "The issuer's status list is not validly signed.",
            );
            return;
        }
        let encoded = str_at(&list, &["credentialSubject", "encodedList"]).unwrap_or_default();
        let bit = Bitstring::decode(encoded)
            .ok()
            .and_then(|bits| bits.get(index));
        match (bit, purpose) {
            (None, _) => b.add(
                "status",
                Outcome::Fail,
                "The issuer's status list cannot be read.",
            ),
            (Some(true), "suspension") => b.add(
                "status",
                Outcome::Fail,
                "The issuer has suspended this credential.",
            ),
            (Some(true), _) => b.add(
                "status",
                Outcome::Fail,
                "The issuer has revoked this credential.",
            ),
            (Some(false), _) => b.add(
                "status",
                Outcome::Pass,
                "The issuer has not revoked this credential.",
            ),
        }
        return;
    }
    b.add(
        "status",
        Outcome::Warning,
        "The credential's status uses a method we do not check.",
    );
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
    let email = email.trim().to_lowercase();
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
            let salt = str_at(id, &["salt"]).unwrap_or_default();
            stored.eq_ignore_ascii_case(&identity_hash(&email, salt))
        } else {
            stored.trim().eq_ignore_ascii_case(&email)
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
        assert!(report.valid, "{report:#?}");
        assert_eq!(
            report.check("proof").map(|c| c.outcome),
            Some(Outcome::Pass)
        );
        assert_eq!(
            report.check("issuer_key").map(|c| c.outcome),
            Some(Outcome::Pass)
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
        assert!(!report.valid);
        assert_eq!(
            report.check("proof").map(|c| c.outcome),
            Some(Outcome::Fail)
        );
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
        assert!(!report.valid);
        assert_eq!(
            report.check("issuer_key").map(|c| c.outcome),
            Some(Outcome::Fail)
        );
    }

    #[test]
    fn unknown_issuer_documents_give_a_warning_not_a_pass() {
        let (cred, _) = vector_world();
        let report = verify(&cred, &NoResolver, &Options::default());
        assert_eq!(
            report.check("proof").map(|c| c.outcome),
            Some(Outcome::Warning)
        );
        assert!(report.valid, "a warning is not a failure");
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
        assert!(report.valid, "{report:#?}");
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
        assert_eq!(
            verify(&cred, &r, &wrong)
                .check("recipient")
                .map(|c| c.outcome),
            Some(Outcome::Fail)
        );
    }

    #[test]
    fn revoked_and_expired_credentials_fail_with_the_right_check() {
        let (cred, r) = issued(true, None);
        let report = verify(&cred, &r, &Options::default());
        assert!(!report.valid);
        assert_eq!(
            report.check("status").map(|c| c.outcome),
            Some(Outcome::Fail)
        );
        assert!(
            report
                .check("status")
                .is_some_and(|c| c.message.contains("revoked"))
        );

        let (cred, r) = issued(false, Some("2020-01-01T00:00:00Z"));
        let report = verify(&cred, &r, &Options::default());
        assert_eq!(
            report.check("validity").map(|c| c.outcome),
            Some(Outcome::Fail)
        );
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
        assert!(report.valid, "{report:#?}");
        assert!(
            report
                .check("validity")
                .is_some_and(|c| c.message.contains("2099"))
        );
    }

    #[test]
    fn not_a_badge_fails_format() {
        let report = verify(
            &serde_json::json!({"hello": "world"}),
            &NoResolver,
            &Options::default(),
        );
        assert!(!report.valid);
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
