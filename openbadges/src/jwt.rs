//! VC-JWT (OB 3.0 §8.2): a compact JWS whose payload is the credential (VCDM 2.0) or
//! holds it in a `vc` claim (VCDM 1.1). Signatures RS256, ES256 and EdDSA, checked with
//! `jsonwebtoken` (pure-Rust crypto backend). The key comes from the `kid`, a
//! verification method in the issuer's own document, resolved like Data Integrity keys.
//! A key the token carries itself (`jwk`, `x5c`) is never trusted.

use chrono::{DateTime, SecondsFormat, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, Validation, jwk::Jwk};
use serde_json::Value;

use crate::verify::{self, Options, Outcome, Report, Resolver};

/// Claims that belong to the JWT envelope, not the credential.
const JWT_CLAIMS: [&str; 7] = ["iss", "jti", "nbf", "exp", "sub", "iat", "aud"];

/// Whether text looks like a compact JWS (three base64url parts).
pub fn looks_like_jwt(text: &str) -> bool {
    let t = text.trim();
    t.split('.').count() == 3
        && !t.is_empty()
        && t.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

fn epoch_to_rfc3339(v: &Value) -> Option<String> {
    let secs = v.as_i64()?;
    DateTime::<Utc>::from_timestamp(secs, 0).map(|d| d.to_rfc3339_opts(SecondsFormat::Secs, true))
}

/// The credential inside a VC-JWT (unverified), with `nbf`/`exp` carried over as the
/// validity window when the credential itself has none.
pub fn credential_of(token: &str) -> Option<(Value, Value)> {
    let claims: Value = jsonwebtoken::dangerous::insecure_decode::<Value>(token.trim())
        .ok()?
        .claims;
    let mut credential = match claims.get("vc") {
        Some(vc @ Value::Object(_)) => vc.clone(),
        _ => {
            let mut c = claims.clone();
            if let Some(obj) = c.as_object_mut() {
                for k in JWT_CLAIMS {
                    obj.remove(k);
                }
            }
            c
        }
    };
    let obj = credential.as_object_mut()?;
    let legacy = obj
        .get("@context")
        .and_then(|c| c.get(0))
        .and_then(Value::as_str)
        == Some(crate::model::CONTEXT_VC_V1);
    let (from, until) = if legacy {
        ("issuanceDate", "expirationDate")
    } else {
        ("validFrom", "validUntil")
    };
    // The envelope's window and the credential's own: the stricter of the two holds (a
    // token that expired is expired whatever the credential inside says).
    let when = |v: Option<&Value>| {
        v.and_then(Value::as_str)
            .and_then(|d| chrono::DateTime::parse_from_rfc3339(d).ok())
    };
    if let Some(d) = claims.get("nbf").and_then(epoch_to_rfc3339) {
        let later = match (when(obj.get(from)), when(Some(&Value::String(d.clone())))) {
            (Some(own), Some(env)) => env > own,
            (None, _) => !obj.contains_key(from),
            _ => false,
        };
        if later {
            obj.insert(from.into(), Value::String(d));
        }
    }
    if let Some(d) = claims.get("exp").and_then(epoch_to_rfc3339) {
        let earlier = match (when(obj.get(until)), when(Some(&Value::String(d.clone())))) {
            (Some(own), Some(env)) => env < own,
            (None, _) => !obj.contains_key(until),
            _ => false,
        };
        if earlier {
            obj.insert(until.into(), Value::String(d));
        }
    }
    Some((credential, claims))
}

/// The `kid` of a token's header, if any.
pub fn key_id(token: &str) -> Option<String> {
    jsonwebtoken::decode_header(token.trim()).ok()?.kid
}

/// Verifies a VC-JWT.
pub fn verify_jwt(token: &str, resolver: &dyn Resolver, options: &Options) -> Report {
    let token = token.trim();
    let Some((credential, claims)) = credential_of(token) else {
        return verify::verify(&Value::Null, resolver, options);
    };
    verify::run_with(&credential, resolver, options, |add, issuer| {
        check_signature(token, &credential, &claims, issuer, resolver, add)
    })
}

fn check_signature(
    token: &str,
    credential: &Value,
    claims: &Value,
    issuer: Option<&str>,
    resolver: &dyn Resolver,
    add: &mut dyn FnMut(Outcome, String),
) -> (Outcome, String) {
    let Ok(header) = jsonwebtoken::decode_header(token) else {
        add(Outcome::Fail, "The token's header cannot be read.".into());
        return (Outcome::NotChecked, "Not checked.".into());
    };
    if header.typ.as_deref().is_some_and(|t| t != "JWT") {
        add(Outcome::Fail, "The token's type must be JWT.".into());
        return (Outcome::NotChecked, "Not checked.".into());
    }
    if !matches!(
        header.alg,
        Algorithm::RS256 | Algorithm::ES256 | Algorithm::EdDSA
    ) {
        add(
            Outcome::Fail,
            format!(
                "The token is signed with {:?}, which Open Badges does not allow.",
                header.alg
            ),
        );
        return (Outcome::NotChecked, "Not checked.".into());
    }
    // A key that comes inside the token (`jwk`, `x5c`) is never trusted: only a key the
    // issuer's own documents list for issuing counts.
    let embedded = header.jwk.is_some() || header.x5c.is_some() || header.x5u.is_some();
    let ignored = if embedded {
        " The token also carries a key of its own, which was not trusted."
    } else {
        ""
    };
    let Some(kid) = header.kid.as_deref().filter(|k| !k.is_empty()) else {
        add(
            Outcome::NotChecked,
            "The signature was not checked: the token does not name one of the issuer's keys."
                .into(),
        );
        let message = if embedded {
            "The token carries its own key and names none of the issuer's; nothing shows that key belongs to the issuer."
        } else {
            "The token does not say which key signed it."
        };
        return (Outcome::Fail, message.into());
    };
    // A relative key id (`#key-1`) is a key in the issuer's own document.
    let kid = match (kid.strip_prefix('#'), issuer) {
        (Some(_), Some(issuer)) => format!("{issuer}{kid}"),
        _ => kid.to_string(),
    };
    // A key id that is not a key in the issuer's own document (`issuer#…`, a DID URL)
    // is looked up in the JWKS the issuer's web domain publishes.
    let method = match jwks_url(issuer) {
        Some(jwks)
            if !kid.starts_with("did:")
                && issuer.is_some_and(|i| !kid.starts_with(&format!("{i}#"))) =>
        {
            key_from_jwks(&jwks, &kid, issuer, resolver)
        }
        _ => verify::resolve_method(&kid, issuer, resolver),
    };
    let key = match method {
        Ok(method) => match decoding_key(&method) {
            Some(k) => k,
            None => {
                add(
                    Outcome::NotChecked,
                    "The signature was not checked: the issuer's key is in a form we cannot use."
                        .into(),
                );
                return (Outcome::Fail, "The issuer's key cannot be read.".into());
            }
        },
        Err((outcome, message)) => {
            add(
                Outcome::NotChecked,
                "The signature was not checked without the issuer's key.".into(),
            );
            return (outcome, format!("{message}{ignored}"));
        }
    };
    let provenance = (
        Outcome::Pass,
        format!(
            "The token was signed with a key the issuer publishes for issuing credentials.{ignored}"
        ),
    );
    let mut validation = Validation::new(header.alg);
    validation.validate_exp = false;
    validation.validate_nbf = false;
    validation.validate_aud = false;
    validation.required_spec_claims.clear();
    if jsonwebtoken::decode::<Value>(token, &key, &validation).is_err() {
        add(Outcome::Fail, "The signature does not match: the token was changed after it was issued, or signed with another key.".into());
        return (
            Outcome::Pass,
            format!(
                "The key the token names is one the issuer publishes for issuing credentials.{ignored}"
            ),
        );
    }
    // The envelope must describe the credential it carries.
    let claim = |k: &str| claims.get(k).and_then(Value::as_str);
    let consistent = claim("iss").is_none_or(|iss| Some(iss) == issuer)
        && claim("jti").is_none_or(|jti| credential.get("id").and_then(Value::as_str) == Some(jti))
        && claim("sub").is_none_or(|sub| {
            credential
                .pointer("/credentialSubject/id")
                .and_then(Value::as_str)
                .is_none_or(|id| id == sub)
        });
    if consistent {
        add(
            Outcome::Pass,
            "The signature is valid: the credential has not been changed since it was issued."
                .into(),
        );
    } else {
        add(
            Outcome::Fail,
            "The token's claims (iss, jti, sub) do not match the credential inside it.".into(),
        );
    }
    provenance
}

/// Most keys looked at in one JWKS.
const MAX_JWKS_KEYS: usize = 64;

/// Where an https or did:web issuer publishes its JWKS: `https://{host}/.well-known/jwks.json`
/// (OB 3.0 implementation guide, key provenance for VC-JWT).
pub fn jwks_url(issuer: Option<&str>) -> Option<String> {
    let issuer = issuer?;
    let host = if let Some(rest) = issuer.strip_prefix("did:web:") {
        rest.split(':').next()?.replace("%3A", ":")
    } else {
        let rest = issuer.strip_prefix("https://")?;
        rest.split(['/', '?', '#']).next()?.to_string()
    };
    (!host.is_empty()).then(|| format!("https://{host}/.well-known/jwks.json"))
}

/// The key with this `kid` in the issuer's JWKS, as a verification method. A key that
/// says which issuer it is for (`iss`) must say this one.
fn key_from_jwks(
    jwks: &str,
    kid: &str,
    issuer: Option<&str>,
    resolver: &dyn Resolver,
) -> Result<Value, verify::KeyProblem> {
    let set = verify::resolution_problem("key set (JWKS)", resolver.resolve(jwks))?;
    let keys = set.get("keys").and_then(Value::as_array).ok_or((
        Outcome::Fail,
        format!("The issuer's key set at {jwks} is not a JWKS."),
    ))?;
    let found = keys
        .iter()
        .take(MAX_JWKS_KEYS)
        .find(|k| k.get("kid").and_then(Value::as_str) == Some(kid))
        .ok_or((
            Outcome::Fail,
            format!("The key that signed this token ({kid}) is not in the key set the issuer publishes at {jwks}."),
        ))?;
    if found
        .get("iss")
        .and_then(Value::as_str)
        .is_some_and(|i| Some(i) != issuer)
    {
        return Err((
            Outcome::Fail,
            "The issuer's key set says this key is for another issuer.".into(),
        ));
    }
    if found.get("d").is_some() {
        return Err((
            Outcome::Fail,
            "The issuer's key set publishes a private key, so the key cannot be trusted.".into(),
        ));
    }
    Ok(serde_json::json!({"id": kid, "publicKeyJwk": found}))
}

/// A `jsonwebtoken` key from a verification method (`publicKeyJwk`, or an Ed25519
/// `publicKeyMultibase`).
fn decoding_key(method: &Value) -> Option<DecodingKey> {
    if let Some(jwk) = method.get("publicKeyJwk")
        && let Ok(jwk) = serde_json::from_value::<Jwk>(jwk.clone())
    {
        return DecodingKey::from_jwk(&jwk).ok();
    }
    let multibase = method.get("publicKeyMultibase")?.as_str()?;
    let body = bs58::decode(multibase.strip_prefix('z')?).into_vec().ok()?;
    if body.len() != 34 || body[..2] != [0xed, 0x01] {
        return None;
    }
    use base64::Engine as _;
    let x = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&body[2..]);
    DecodingKey::from_ed_components(&x).ok()
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use jsonwebtoken::{EncodingKey, Header, encode};
    use serde_json::json;

    use super::*;
    use crate::verify::{Standing, Verdict};

    const RSA: &[u8] = include_bytes!("../tests/fixtures/jwt/rsa.pem");
    const EC: &[u8] = include_bytes!("../tests/fixtures/jwt/ec.pem");
    const ED: &[u8] = include_bytes!("../tests/fixtures/jwt/ed25519.pem");
    const ISSUER: &str = "did:web:issuer.example:issuers:jwt";

    fn credential() -> Value {
        json!({
            "@context": ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
            "id": "urn:uuid:11111111-2222-4333-8444-555555555555",
            "type": ["VerifiableCredential", "OpenBadgeCredential"],
            "issuer": {"id": ISSUER, "type": ["Profile"], "name": "JWT University"},
            "validFrom": "2026-01-05T10:00:00Z",
            "name": "Teamwork",
            "credentialSubject": {"id": "did:example:learner", "type": ["AchievementSubject"],
                "achievement": {"id": "https://issuer.example/a/1", "type": ["Achievement"], "name": "Teamwork",
                    "description": "Works well in teams.", "criteria": {"narrative": "Peer nominated."}}}
        })
    }

    fn payload(c: &Value) -> Value {
        let mut p = c.clone();
        p["iss"] = ISSUER.into();
        p["jti"] = c["id"].clone();
        p["sub"] = "did:example:learner".into();
        p["nbf"] = 1_767_607_200.into();
        p
    }

    fn signed(alg: Algorithm, pem: &[u8], payload: &Value, kid: bool) -> (String, Jwk) {
        let key = match alg {
            Algorithm::RS256 => EncodingKey::from_rsa_pem(pem),
            Algorithm::ES256 => EncodingKey::from_ec_pem(pem),
            _ => EncodingKey::from_ed_pem(pem),
        }
        .expect("key");
        let jwk = Jwk::from_encoding_key(&key, alg).expect("jwk");
        let mut header = Header::new(alg);
        header.typ = Some("JWT".into());
        if kid {
            header.kid = Some(format!("{ISSUER}#key-1"));
        } else {
            header.jwk = Some(jwk.clone());
        }
        (encode(&header, payload, &key).expect("encode"), jwk)
    }

    fn resolver_for(jwk: &Jwk) -> HashMap<String, Value> {
        let mut r = HashMap::new();
        r.insert(ISSUER.to_string(), json!({
            "@context": ["https://www.w3.org/ns/did/v1"],
            "id": ISSUER,
            "verificationMethod": [{"id": format!("{ISSUER}#key-1"), "type": "JsonWebKey", "controller": ISSUER,
                "publicKeyJwk": serde_json::to_value(jwk).expect("jwk json")}],
            "assertionMethod": [format!("{ISSUER}#key-1")]
        }));
        r
    }

    #[test]
    fn rs256_es256_and_eddsa_tokens_verify_with_the_issuers_key() {
        for (alg, pem) in [
            (Algorithm::RS256, RSA),
            (Algorithm::ES256, EC),
            (Algorithm::EdDSA, ED),
        ] {
            let (token, jwk) = signed(alg, pem, &payload(&credential()), true);
            assert!(looks_like_jwt(&token));
            let report = verify_jwt(&token, &resolver_for(&jwk), &Options::default());
            assert!(report.is_good(), "{alg:?}: {report:#?}");
            assert_eq!(
                report.check("proof").map(|c| c.outcome),
                Some(Outcome::Pass),
                "{alg:?}"
            );
            assert_eq!(
                report.check("issuer_key").map(|c| c.outcome),
                Some(Outcome::Pass),
                "{alg:?}"
            );
        }
    }

    #[test]
    fn a_token_signed_with_a_key_it_carries_itself_is_not_verified() {
        let (token, _) = signed(Algorithm::RS256, RSA, &payload(&credential()), false);
        let report = verify_jwt(&token, &HashMap::new(), &Options::default());
        assert_eq!(report.verdict, Verdict::NotVerified, "{report:#?}");
        assert_eq!(report.outcome("issuer_key"), Some(Outcome::Fail));
        assert_eq!(report.outcome("proof"), Some(Outcome::NotChecked));
        assert!(
            report
                .reason()
                .is_some_and(|c| c.message.contains("carries its own key")),
            "{report:#?}"
        );
        // Even when the issuer's documents cannot be had, the carried key is not used.
        let report = verify_jwt(&token, &crate::verify::NoResolver, &Options::default());
        assert_ne!(report.verdict, Verdict::Verified);
    }

    #[test]
    fn a_carried_key_beside_an_unknown_kid_is_not_trusted() {
        // The kid points at the issuer, whose documents do not list it; the token
        // carries the key that really signed it.
        let key = EncodingKey::from_rsa_pem(RSA).expect("key");
        let jwk = Jwk::from_encoding_key(&key, Algorithm::RS256).expect("jwk");
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some(format!("{ISSUER}#not-listed"));
        header.jwk = Some(jwk.clone());
        let token = encode(&header, &payload(&credential()), &key).expect("encode");
        for resolver in [resolver_for(&jwk), HashMap::new()] {
            let report = verify_jwt(&token, &resolver, &Options::default());
            assert_eq!(report.verdict, Verdict::NotVerified, "{report:#?}");
            assert_eq!(report.reason().map(|c| c.id), Some("issuer_key"));
        }
    }

    #[test]
    fn a_relative_kid_names_a_key_in_the_issuers_document() {
        let key = EncodingKey::from_ed_pem(ED).expect("key");
        let jwk = Jwk::from_encoding_key(&key, Algorithm::EdDSA).expect("jwk");
        let mut header = Header::new(Algorithm::EdDSA);
        header.kid = Some("#key-1".into());
        let token = encode(&header, &payload(&credential()), &key).expect("encode");
        let report = verify_jwt(&token, &resolver_for(&jwk), &Options::default());
        assert!(report.is_good(), "{report:#?}");
    }

    #[test]
    fn tampering_fails_the_signature() {
        let (token, jwk) = signed(Algorithm::RS256, RSA, &payload(&credential()), true);
        let parts: Vec<&str> = token.split('.').collect();
        let mut other = payload(&credential());
        other["name"] = "Leadership".into();
        use base64::Engine as _;
        let forged_payload =
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(other.to_string());
        let forged = format!("{}.{}.{}", parts[0], forged_payload, parts[2]);
        let report = verify_jwt(&forged, &resolver_for(&jwk), &Options::default());
        assert_eq!(report.verdict, Verdict::NotVerified);
        assert_eq!(report.reason().map(|c| c.id), Some("proof"));
    }

    #[test]
    fn mismatched_claims_and_expiry_fail() {
        let mut p = payload(&credential());
        p["iss"] = "did:web:someone-else".into();
        let (token, jwk) = signed(Algorithm::ES256, EC, &p, true);
        let report = verify_jwt(&token, &resolver_for(&jwk), &Options::default());
        assert_eq!(
            report.check("proof").map(|c| c.outcome),
            Some(Outcome::Fail)
        );

        let mut c = credential();
        c.as_object_mut().expect("object").remove("validFrom");
        let mut p = payload(&c);
        p["exp"] = 1_600_000_000.into();
        let (token, jwk) = signed(Algorithm::EdDSA, ED, &p, true);
        let report = verify_jwt(&token, &resolver_for(&jwk), &Options::default());
        assert_eq!(report.standing, Standing::Expired, "{report:#?}");
        assert_eq!(report.verdict, Verdict::Verified);
    }

    #[test]
    fn the_stricter_of_the_token_and_credential_windows_holds() {
        // The credential says 2099, the token expired in 2020: expired.
        let mut c = credential();
        c["validUntil"] = "2099-01-01T00:00:00Z".into();
        let mut p = payload(&c);
        p["exp"] = 1_600_000_000.into();
        let (token, jwk) = signed(Algorithm::EdDSA, ED, &p, true);
        let report = verify_jwt(&token, &resolver_for(&jwk), &Options::default());
        assert_eq!(report.verdict, Verdict::Verified, "{report:#?}");
        assert_eq!(report.standing, Standing::Expired, "{report:#?}");
        // A token not valid before 2098 is not valid yet, whatever the credential says.
        let mut p = payload(&credential());
        p["nbf"] = 4_070_908_800_i64.into();
        let (token, jwk) = signed(Algorithm::EdDSA, ED, &p, true);
        let report = verify_jwt(&token, &resolver_for(&jwk), &Options::default());
        assert_eq!(report.standing, Standing::NotYetValid, "{report:#?}");
        // A later token expiry does not stretch the credential's own.
        let mut c = credential();
        c["validUntil"] = "2021-01-01T00:00:00Z".into();
        let mut p = payload(&c);
        p["exp"] = 4_070_908_800_i64.into();
        let (token, jwk) = signed(Algorithm::EdDSA, ED, &p, true);
        let report = verify_jwt(&token, &resolver_for(&jwk), &Options::default());
        assert_eq!(report.standing, Standing::Expired, "{report:#?}");
    }

    #[test]
    fn legacy_vc_claim_tokens_are_read() {
        let mut c = credential();
        c["@context"][0] = crate::model::CONTEXT_VC_V1.into();
        let obj = c.as_object_mut().expect("object");
        obj.remove("validFrom");
        obj.insert("issuanceDate".into(), "2026-01-05T10:00:00Z".into());
        let p = json!({"iss": ISSUER, "jti": c["id"], "nbf": 1_767_607_200, "vc": c});
        let (token, jwk) = signed(Algorithm::RS256, RSA, &p, true);
        let report = verify_jwt(&token, &resolver_for(&jwk), &Options::default());
        assert!(report.is_good(), "{report:#?}");
    }

    #[test]
    fn garbage_is_not_a_badge() {
        let report = verify_jwt("a.b.c", &HashMap::new(), &Options::default());
        assert_eq!(report.verdict, Verdict::NotVerified);
        assert!(!looks_like_jwt("{\"a\":1}"));
    }
}
