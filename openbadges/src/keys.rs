//! Ed25519 issuer keys as Multikey, and did:web identifiers for institutions.

use ed25519_dalek::{Signer as _, Verifier as _};
use serde_json::{Value, json};

/// Multicodec prefix of an Ed25519 public key.
const ED25519_PUB: [u8; 2] = [0xed, 0x01];
/// Multicodec prefix of an Ed25519 secret key (seed).
const ED25519_PRIV: [u8; 2] = [0x80, 0x26];

/// Why a key could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error("the key is not base58btc multibase (it must start with 'z')")]
    NotMultibase,
    #[error("the key is not an Ed25519 key of the expected kind")]
    WrongKind,
}

fn decode_multibase(s: &str, prefix: [u8; 2]) -> Result<[u8; 32], KeyError> {
    let body = s.strip_prefix('z').ok_or(KeyError::NotMultibase)?;
    let bytes = bs58::decode(body)
        .into_vec()
        .map_err(|_| KeyError::NotMultibase)?;
    if bytes.len() != 34 || bytes[..2] != prefix {
        return Err(KeyError::WrongKind);
    }
    let mut out = [0u8; 32];
    out.copy_from_slice(&bytes[2..]);
    Ok(out)
}

fn encode_multibase(prefix: [u8; 2], key: &[u8; 32]) -> String {
    let mut bytes = prefix.to_vec();
    bytes.extend_from_slice(key);
    format!("z{}", bs58::encode(bytes).into_string())
}

/// An institution's signing key. Its `Debug` never shows the secret.
#[derive(Clone)]
pub struct SigningKey(ed25519_dalek::SigningKey);

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "SigningKey({}, secret: [redacted])",
            self.public_multibase()
        )
    }
}

impl SigningKey {
    /// A new random key.
    pub fn generate() -> Self {
        Self(ed25519_dalek::SigningKey::generate(&mut rand::rngs::OsRng))
    }

    /// A key from its 32-byte seed.
    pub fn from_seed(seed: [u8; 32]) -> Self {
        Self(ed25519_dalek::SigningKey::from_bytes(&seed))
    }

    /// Reads a secret key stored as Multikey (`z` + base58btc(0x8026 ‖ seed)).
    ///
    /// # Errors
    /// When the text is not such a key.
    pub fn from_secret_multibase(s: &str) -> Result<Self, KeyError> {
        decode_multibase(s, ED25519_PRIV).map(Self::from_seed)
    }

    /// The secret key as Multikey text, for storage on the server only.
    pub fn secret_multibase(&self) -> String {
        encode_multibase(ED25519_PRIV, &self.0.to_bytes())
    }

    /// The public key as Multikey `publicKeyMultibase` (`z6Mk…`).
    pub fn public_multibase(&self) -> String {
        encode_multibase(ED25519_PUB, self.0.verifying_key().as_bytes())
    }

    /// Signs bytes.
    pub fn sign(&self, message: &[u8]) -> [u8; 64] {
        self.0.sign(message).to_bytes()
    }
}

/// A public key read from `publicKeyMultibase`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicKey(ed25519_dalek::VerifyingKey);

impl PublicKey {
    /// Reads a Multikey public key.
    ///
    /// # Errors
    /// When the text is not an Ed25519 Multikey or not a valid curve point.
    pub fn from_multibase(s: &str) -> Result<Self, KeyError> {
        let bytes = decode_multibase(s, ED25519_PUB)?;
        ed25519_dalek::VerifyingKey::from_bytes(&bytes)
            .map(Self)
            .map_err(|_| KeyError::WrongKind)
    }

    /// Reads an Ed25519 public JWK (`{"kty": "OKP", "crv": "Ed25519", "x": …}`). A JWK
    /// that carries a private part (`d`) is refused: a public document must never hold one.
    ///
    /// # Errors
    /// When the JWK is not a public Ed25519 key.
    pub fn from_jwk(jwk: &Value) -> Result<Self, KeyError> {
        use base64::Engine as _;
        if jwk.get("d").is_some()
            || jwk.get("kty").and_then(Value::as_str) != Some("OKP")
            || jwk.get("crv").and_then(Value::as_str) != Some("Ed25519")
        {
            return Err(KeyError::WrongKind);
        }
        let x = jwk.get("x").and_then(Value::as_str).unwrap_or_default();
        let bytes: [u8; 32] = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(x)
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or(KeyError::WrongKind)?;
        ed25519_dalek::VerifyingKey::from_bytes(&bytes)
            .map(Self)
            .map_err(|_| KeyError::WrongKind)
    }

    /// Whether `signature` signs `message` under this key.
    pub fn verify(&self, message: &[u8], signature: &[u8]) -> bool {
        ed25519_dalek::Signature::from_slice(signature)
            .is_ok_and(|sig| self.0.verify(message, &sig).is_ok())
    }
}

/// Most bytes of a did:jwk identifier (an RSA-4096 JWK is about 1 KB).
const MAX_DID_JWK: usize = 4096;

/// The public JWK a `did:jwk:<base64url(JWK)>` names, resolved locally like did:key.
/// Only public keys are accepted.
///
/// # Errors
/// When the identifier is not a did:jwk holding a public JWK.
pub fn did_jwk_key(did: &str) -> Result<Value, KeyError> {
    use base64::Engine as _;
    let body = did
        .strip_prefix("did:jwk:")
        .filter(|b| b.len() <= MAX_DID_JWK)
        .ok_or(KeyError::WrongKind)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(body.trim_end_matches('='))
        .map_err(|_| KeyError::WrongKind)?;
    let jwk: Value = serde_json::from_slice(&bytes).map_err(|_| KeyError::WrongKind)?;
    if !jwk.is_object()
        || jwk.get("kty").and_then(Value::as_str).is_none()
        || ["d", "p", "q", "dp", "dq", "qi", "k"]
            .iter()
            .any(|k| jwk.get(k).is_some())
    {
        return Err(KeyError::WrongKind);
    }
    Ok(jwk)
}

/// The did:web of an institution, path-based under the public URL:
/// `https://badges.example.edu` + `demo` → `did:web:badges.example.edu:issuers:demo`
/// (a port is written `%3A`), resolving to `…/issuers/demo/did.json`.
pub fn did_web(public_url: &str, slug: &str) -> String {
    let host = public_url
        .trim_end_matches('/')
        .trim_start_matches("https://")
        .trim_start_matches("http://");
    let (authority, path) = host.split_once('/').unwrap_or((host, ""));
    let mut did = format!("did:web:{}", authority.replace(':', "%3A"));
    for segment in path.split('/').filter(|s| !s.is_empty()) {
        did.push(':');
        did.push_str(segment);
    }
    did.push_str(":issuers:");
    did.push_str(slug);
    did
}

/// The verification method id of a key under a DID.
pub fn verification_method(did: &str, public_multibase: &str) -> String {
    format!("{did}#{public_multibase}")
}

/// A DID document listing every key ever used (old credentials keep verifying after a
/// rotation), each as a Multikey usable for `assertionMethod`.
pub fn did_document(did: &str, public_keys: &[String]) -> Value {
    did_document_withdrawing(did, public_keys, &[])
}

/// A DID document listing every key ever used, where the `withdrawn` keys (marked
/// compromised) stay in `verificationMethod` but leave `assertionMethod`, so what they
/// signed no longer verifies.
pub fn did_document_withdrawing(did: &str, public_keys: &[String], withdrawn: &[String]) -> Value {
    let methods: Vec<Value> = public_keys
        .iter()
        .map(|k| {
            json!({
                "id": verification_method(did, k),
                "type": "Multikey",
                "controller": did,
                "publicKeyMultibase": k,
            })
        })
        .collect();
    let ids: Vec<Value> = public_keys
        .iter()
        .filter(|k| !withdrawn.contains(k))
        .map(|k| Value::String(verification_method(did, k)))
        .collect();
    json!({
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
        "id": did,
        "verificationMethod": methods,
        "assertionMethod": ids,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip_through_multibase_and_sign() {
        let k = SigningKey::generate();
        let again = SigningKey::from_secret_multibase(&k.secret_multibase()).expect("secret");
        assert_eq!(k.public_multibase(), again.public_multibase());
        assert!(k.public_multibase().starts_with("z6Mk"));
        let pk = PublicKey::from_multibase(&k.public_multibase()).expect("public");
        let sig = k.sign(b"hello");
        assert!(pk.verify(b"hello", &sig));
        assert!(!pk.verify(b"hellO", &sig));
        assert!(!format!("{k:?}").contains(&k.secret_multibase()));
        assert_eq!(
            PublicKey::from_multibase("abc"),
            Err(KeyError::NotMultibase)
        );
        assert_eq!(
            PublicKey::from_multibase(&k.secret_multibase()),
            Err(KeyError::WrongKind)
        );
    }

    #[test]
    fn did_jwk_names_a_public_key_only() {
        use base64::Engine as _;
        let enc = |v: &Value| {
            format!(
                "did:jwk:{}",
                base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string())
            )
        };
        let k = SigningKey::generate();
        let x = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(
            &bs58::decode(&k.public_multibase()[1..])
                .into_vec()
                .expect("b58")[2..],
        );
        let jwk = json!({"kty": "OKP", "crv": "Ed25519", "x": x});
        let read = did_jwk_key(&enc(&jwk)).expect("did:jwk");
        let pk = PublicKey::from_jwk(&read).expect("ed25519");
        assert!(pk.verify(b"hi", &k.sign(b"hi")));
        let mut private = jwk.clone();
        private["d"] = "secret".into();
        assert_eq!(did_jwk_key(&enc(&private)), Err(KeyError::WrongKind));
        assert_eq!(PublicKey::from_jwk(&private), Err(KeyError::WrongKind));
        assert_eq!(did_jwk_key("did:jwk:!!!"), Err(KeyError::WrongKind));
        assert_eq!(did_jwk_key("did:key:z6Mk"), Err(KeyError::WrongKind));
    }

    #[test]
    fn did_web_is_path_based_and_encodes_the_port() {
        assert_eq!(
            did_web("https://badges.example.edu/", "demo"),
            "did:web:badges.example.edu:issuers:demo"
        );
        assert_eq!(
            did_web("http://127.0.0.1:3000", "demo"),
            "did:web:127.0.0.1%3A3000:issuers:demo"
        );
        assert_eq!(
            did_web("https://example.edu/badges", "x"),
            "did:web:example.edu:badges:issuers:x"
        );
    }

    #[test]
    fn did_document_lists_every_key_for_assertion() {
        let doc = did_document("did:web:x:issuers:a", &["z6Mk1".into(), "z6Mk2".into()]);
        assert_eq!(doc["verificationMethod"].as_array().map(Vec::len), Some(2));
        assert_eq!(doc["assertionMethod"][1], "did:web:x:issuers:a#z6Mk2");
        let doc = did_document_withdrawing(
            "did:web:x:issuers:a",
            &["z6Mk1".into(), "z6Mk2".into()],
            &["z6Mk1".into()],
        );
        assert_eq!(doc["verificationMethod"].as_array().map(Vec::len), Some(2));
        assert_eq!(doc["assertionMethod"], json!(["did:web:x:issuers:a#z6Mk2"]));
    }
}
