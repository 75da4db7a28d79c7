//! The one entry point for "here is something that should be a badge": credential JSON,
//! a compact JWS/JWT, or a baked PNG or SVG. Reading sniffs the bytes and says what they
//! hold; [`verify()`] then runs the checks that fit. The CLI, the server functions and the
//! public pages all go through here, so they all give the same answer.

use serde_json::Value;

use crate::{
    baking::{self, BadgeVersion, Limits},
    jwt, proof,
    verify::{self, Options, Report, Resolver},
};

/// Largest input accepted, in bytes (a baked image may be this large).
pub const MAX_INPUT_BYTES: usize = 16 * 1024 * 1024;

/// What some bytes hold.
#[derive(Debug, Clone, PartialEq)]
pub enum Input {
    /// Credential JSON with an embedded proof (or none).
    Credential(Value),
    /// A compact JWS (VC-JWT).
    Jwt(String),
    /// The address of a credential or an Open Badges 2.0 hosted assertion, to be
    /// fetched through the resolver.
    Url(String),
    /// Something we recognise but cannot verify yet; the sentence says what.
    Unsupported(String),
}

/// Why the bytes could not be read as anything badge-like.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReadError {
    #[error("the input is larger than {MAX_INPUT_BYTES} bytes")]
    TooLarge,
    #[error("this image does not contain a badge: no badge data is baked into it")]
    NoBadgeInImage,
    #[error("the image cannot be read: {0}")]
    Image(#[from] baking::BakingError),
    #[error(
        "this is not a badge: expected badge JSON, a signed badge (JWT/JWS), a badge's web address, or a PNG/SVG image with a badge baked into it"
    )]
    NotACredential,
    #[error("the credential is not valid JSON: {0}")]
    BadJson(String),
}

/// Reads bytes as a credential, a JWT, or a baked image holding either.
///
/// # Errors
/// When the bytes hold nothing badge-like (see [`ReadError`]).
pub fn read(bytes: &[u8]) -> Result<Input, ReadError> {
    if bytes.len() > MAX_INPUT_BYTES {
        return Err(ReadError::TooLarge);
    }
    let text = match baking::sniff(bytes) {
        // OB 3.0: credential JSON or a VC-JWT; OB 2.0: assertion JSON, a signed
        // assertion (JWS), or the hosted assertion's URL. `read_text` tells them apart.
        Some(_) => match baking::extract(bytes, &Limits::default())? {
            Some(found) if found.version == BadgeVersion::V2 && found.payload.trim().is_empty() => {
                return Err(ReadError::NoBadgeInImage);
            }
            Some(found) => found.payload,
            None => return Err(ReadError::NoBadgeInImage),
        },
        None => String::from_utf8(bytes.to_vec()).map_err(|_| ReadError::NotACredential)?,
    };
    read_text(&text)
}

/// Longest web address accepted as input.
const MAX_URL_BYTES: usize = 2048;

/// Reads text as credential JSON (OB 3.0 credential or OB 2.0 assertion), a compact
/// JWS (VC-JWT or signed OB 2.0 assertion), or a lone http(s) address.
///
/// # Errors
/// When it is none of these.
pub fn read_text(text: &str) -> Result<Input, ReadError> {
    let text = text.trim().trim_start_matches('\u{feff}');
    if crate::ob2::is_http_url(text) {
        if text.len() > MAX_URL_BYTES {
            return Err(ReadError::NotACredential);
        }
        return Ok(Input::Url(text.to_string()));
    }
    if jwt::looks_like_jwt(text) {
        // Only a token whose payload reads as a credential.
        return jwt::credential_of(text)
            .map(|_| Input::Jwt(text.to_string()))
            .ok_or(ReadError::NotACredential);
    }
    if !text.starts_with('{') {
        return Err(ReadError::NotACredential);
    }
    let value: Value = serde_json::from_str(text).map_err(|e| ReadError::BadJson(e.to_string()))?;
    Ok(Input::Credential(value))
}

impl Input {
    /// The credential inside (for a JWT, its payload, unverified).
    pub fn credential(&self) -> Option<Value> {
        match self {
            Self::Credential(v) => Some(v.clone()),
            Self::Jwt(token) => jwt::credential_of(token).map(|(c, _)| c),
            Self::Url(_) | Self::Unsupported(_) => None,
        }
    }

    /// Every document the verifier may ask the resolver for: the controllers of the
    /// signing keys and the status lists, or for Open Badges 2.0 the assertion's
    /// address, its BadgeClass and the signing key it names (a resolver can fetch
    /// these up front; the issuer's profile and revocation list are only known after).
    pub fn references(&self) -> Vec<String> {
        if let Self::Url(url) = self {
            return vec![url.clone()];
        }
        let Some(credential) = self.credential() else {
            return Vec::new();
        };
        if crate::ob2::is_assertion(&credential) {
            let signed = matches!(self, Self::Jwt(_));
            let mut out: Vec<String> = [
                (!signed).then(|| verify_str(&credential, "/id")).flatten(),
                verify_str(&credential, "/badge"),
                verify_str(&credential, "/badge/issuer"),
                verify_str(&credential, "/verification/creator"),
            ]
            .into_iter()
            .flatten()
            .filter(|u| crate::ob2::is_http_url(u))
            .collect();
            out.sort();
            out.dedup();
            return out;
        }
        let mut keys: Vec<String> = proof::proofs(&credential)
            .iter()
            .filter_map(|p| p.get("verificationMethod").and_then(Value::as_str))
            .map(str::to_string)
            .collect();
        if let Self::Jwt(token) = self
            && let Some(kid) = jwt::key_id(token)
        {
            keys.push(kid);
        }
        let mut out: Vec<String> = keys
            .iter()
            .map(|vm| vm.split('#').next().unwrap_or(vm).to_string())
            .filter(|c| !c.is_empty())
            .collect();
        if let Some(issuer) = verify::issuer_id(&credential) {
            out.push(issuer.to_string());
        }
        let statuses = match credential.get("credentialStatus") {
            Some(Value::Array(a)) => a.clone(),
            Some(v) => vec![v.clone()],
            None => Vec::new(),
        };
        out.extend(
            statuses
                .iter()
                .filter_map(|s| s.get("statusListCredential").and_then(Value::as_str))
                .map(str::to_string),
        );
        out.sort();
        out.dedup();
        out
    }
}

fn verify_str(v: &Value, pointer: &str) -> Option<String> {
    v.pointer(pointer)
        .and_then(Value::as_str)
        .map(str::to_string)
}

/// Verifies what was read.
pub fn verify(input: &Input, resolver: &dyn Resolver, options: &Options) -> Report {
    match input {
        // An OB 2.0 assertion is verified as hosted (`verify::verify` sends it on).
        Input::Credential(v) => verify::verify(v, resolver, options),
        Input::Jwt(token) if crate::ob2::signed_assertion_of(token).is_some() => {
            crate::ob2::verify_signed(token, resolver, options)
        }
        Input::Jwt(token) => jwt::verify_jwt(token, resolver, options),
        Input::Url(url) => verify_url(url, resolver, options),
        Input::Unsupported(why) => Report::unsupported(why.clone()),
    }
}

/// Fetches what is at a badge's address and verifies it: an OB 2.0 hosted assertion
/// (that copy is the badge), an OB 3.0 credential, or a VC-JWT served as text.
fn verify_url(url: &str, resolver: &dyn Resolver, options: &Options) -> Report {
    match resolver.resolve(url) {
        verify::Resolution::Found(Value::String(text)) if jwt::looks_like_jwt(&text) => {
            let input = Input::Jwt(text.trim().to_string());
            let mut report = verify(&input, resolver, options);
            report.fetched = input.credential();
            report
        }
        verify::Resolution::Found(v) if !crate::ob2::is_assertion(&v) && v.is_object() => {
            let mut report = verify::verify(&v, resolver, options);
            report.fetched = Some(v);
            report
        }
        // Nothing badge-like at the address: nothing was checked (it may be a page about
        // a badge, or a link that broke), so this is no verdict on any badge.
        verify::Resolution::NotFound(why) | verify::Resolution::Malformed(why) => {
            Report::unsupported(format!(
                "No badge was found at {url} ({why}). Give the badge's own address (where its JSON is), the badge file, or its baked image."
            ))
        }
        resolution => crate::ob2::verify_hosted_resolved(url, resolution, resolver, options),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verify::Verdict;

    const VECTOR: &str = include_str!("../tests/fixtures/1edtech-ob3-test-vector.json");

    #[test]
    fn json_jwt_and_garbage_are_told_apart() {
        assert!(matches!(read(VECTOR.as_bytes()), Ok(Input::Credential(_))));
        assert_eq!(read(b"  aaa.bbb.ccc \n"), Err(ReadError::NotACredential));
        assert_eq!(read(b"hello"), Err(ReadError::NotACredential));
        assert_eq!(read(&[0xff, 0xfe, 0x00]), Err(ReadError::NotACredential));
        assert!(matches!(read(b"{not json"), Err(ReadError::BadJson(_))));
    }

    #[test]
    fn references_name_the_issuer_document_and_nothing_invented() {
        let input = read(VECTOR.as_bytes()).expect("read");
        assert_eq!(
            input.references(),
            vec!["https://example.edu/issuers/565049".to_string()]
        );
    }

    #[test]
    fn a_lone_address_is_a_url_and_other_text_is_not() {
        assert_eq!(
            read(b"  https://issuer.example/assertions/1\n"),
            Ok(Input::Url("https://issuer.example/assertions/1".into()))
        );
        assert_eq!(
            read_text("HTTP://issuer.example/a"),
            Ok(Input::Url("HTTP://issuer.example/a".into()))
        );
        for text in [
            "https://",
            "https://a.example/x y",
            "ftp://a.example/x",
            "see https://a.example",
            "javascript:alert(1)",
        ] {
            assert_eq!(read_text(text), Err(ReadError::NotACredential), "{text}");
        }
        let input = read_text("https://issuer.example/assertions/1").expect("url");
        assert_eq!(
            input.references(),
            vec!["https://issuer.example/assertions/1".to_string()]
        );
    }

    #[test]
    fn ob2_references_name_the_assertion_badge_and_key() {
        let hosted = read_text(
            r#"{"@context":"https://w3id.org/openbadges/v2","type":"Assertion","id":"https://i.example/a/1","badge":"https://i.example/b","verification":{"type":"hosted"}}"#,
        )
        .expect("json");
        assert_eq!(
            hosted.references(),
            vec![
                "https://i.example/a/1".to_string(),
                "https://i.example/b".to_string()
            ]
        );
        let embedded = read_text(
            r#"{"@context":"https://w3id.org/openbadges/v2","type":"Assertion","id":"urn:uuid:1","badge":{"issuer":"https://i.example/issuer"},"verification":{"type":"signed","creator":"https://i.example/k"}}"#,
        )
        .expect("json");
        assert_eq!(
            embedded.references(),
            vec![
                "https://i.example/issuer".to_string(),
                "https://i.example/k".to_string()
            ]
        );
    }

    #[test]
    fn a_url_answered_with_an_ob3_credential_verifies_it() {
        let url = "https://example.edu/credentials/1";
        let mut r: std::collections::HashMap<String, Value> = std::collections::HashMap::new();
        r.insert(url.into(), serde_json::from_str(VECTOR).expect("json"));
        r.insert(
            "https://example.edu/issuers/565049".into(),
            serde_json::from_str(include_str!(
                "../tests/fixtures/1edtech-test-vector-issuer.json"
            ))
            .expect("json"),
        );
        let report = verify(&Input::Url(url.into()), &r, &Options::default());
        assert!(report.is_good(), "{report:#?}");
        assert_eq!(report.checked_by, Some(verify::CheckedBy::Signature));
        // Nothing there: no verdict on any badge ("could not be verified"), and the
        // report says where it looked.
        let report = verify(
            &Input::Url("https://example.edu/nothing".into()),
            &r,
            &Options::default(),
        );
        assert_eq!(report.verdict, Verdict::Unverifiable);
        assert!(
            report
                .reason()
                .is_some_and(|c| c.message.contains("https://example.edu/nothing"))
        );
    }

    #[test]
    fn unsupported_input_is_unverifiable() {
        let report = verify(
            &Input::Unsupported("OB 2.0".into()),
            &verify::NoResolver,
            &Options::default(),
        );
        assert_eq!(report.verdict, Verdict::Unverifiable);
    }
}
