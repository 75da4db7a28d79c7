//! Data Integrity proofs with the `eddsa-rdfc-2022` cryptosuite.
//!
//! hashData = SHA-256(canonical proof configuration) ‖ SHA-256(canonical document);
//! the Ed25519 signature of those 64 bytes, base58btc with the multibase `z` prefix, is
//! the `proofValue`. The proof configuration is the proof without `proofValue`, given
//! the document's `@context`.

use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::canon::{CanonError, canonical_nquads};

/// The cryptosuite we issue and verify.
pub const CRYPTOSUITE: &str = "eddsa-rdfc-2022";
/// The earlier name of the same suite (`DataIntegrityProof`, URDNA2015 = RDFC-1.0),
/// still found in credentials issued in 2022–2023: verified, never issued.
pub const LEGACY_CRYPTOSUITE: &str = "eddsa-2022";
/// The proof type before Data Integrity (`Ed25519Signature2020`, with its own JSON-LD
/// context and an `Ed25519VerificationKey2020` key): verified, never issued. Same
/// hashing and signature; its proof options may carry their own `@context`.
pub const LEGACY_PROOF_TYPE: &str = "Ed25519Signature2020";

/// The two hashes a proof signs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HashData {
    pub proof_config: [u8; 32],
    pub document: [u8; 32],
}

impl HashData {
    /// The 64 signed bytes.
    pub fn bytes(&self) -> [u8; 64] {
        let mut out = [0u8; 64];
        out[..32].copy_from_slice(&self.proof_config);
        out[32..].copy_from_slice(&self.document);
        out
    }
}

/// Hashes a credential (its `proof` is ignored) and a proof (its `proofValue` is ignored).
///
/// # Errors
/// When either cannot be canonicalised.
pub fn hash_data(credential: &Value, proof: &Value) -> Result<HashData, CanonError> {
    hash_data_with(document_hash(credential)?, credential, proof)
}

/// SHA-256 of the canonical credential without its proofs: computed once per credential
/// and shared by every proof (and by the verifier's JSON-LD check).
///
/// # Errors
/// When the credential cannot be canonicalised.
pub fn document_hash(credential: &Value) -> Result<[u8; 32], CanonError> {
    let mut document = credential.clone();
    if let Some(obj) = document.as_object_mut() {
        obj.remove("proof");
    }
    Ok(Sha256::digest(canonical_nquads(&document)?.as_bytes()).into())
}

/// [`hash_data`] with the document hash already known.
///
/// # Errors
/// When the proof configuration cannot be canonicalised.
pub fn hash_data_with(
    document: [u8; 32],
    credential: &Value,
    proof: &Value,
) -> Result<HashData, CanonError> {
    let mut config = proof.clone();
    // Ed25519Signature2020 (jsonld-signatures) keeps a context the proof brings itself;
    // Data Integrity proofs always take the document's.
    let own_context = proof.get("type").and_then(Value::as_str) == Some(LEGACY_PROOF_TYPE)
        && proof.get("@context").is_some();
    if let Some(obj) = config.as_object_mut() {
        obj.remove("proofValue");
        if !own_context {
            obj.insert(
                "@context".into(),
                credential.get("@context").cloned().unwrap_or(Value::Null),
            );
        }
    }
    Ok(HashData {
        proof_config: Sha256::digest(canonical_nquads(&config)?.as_bytes()).into(),
        document,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const VECTOR: &str = include_str!("../tests/fixtures/1edtech-ob3-test-vector.json");

    fn hex(b: &[u8]) -> String {
        b.iter().map(|x| format!("{x:02x}")).collect()
    }

    #[test]
    fn the_1edtech_vector_hashes_match_the_published_ones() {
        let cred: Value = serde_json::from_str(VECTOR).expect("json");
        let proof = &cred["proof"];
        let h = hash_data(&cred, proof).expect("hash");
        assert_eq!(
            hex(&h.document),
            "87f65a76d40146205e3b3e06cb0fbd153f97f9ce70372390f52566bb7f9e0773"
        );
        assert_eq!(
            hex(&h.proof_config),
            "d34009cea0dbc1ca941e09dc01c8c9d3e3ce3c5b853f67ee44698dcea10f5d19"
        );
    }
}

/// Why a credential could not be signed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignError {
    #[error("the credential is not a JSON object")]
    NotAnObject,
    #[error(transparent)]
    Canon(#[from] CanonError),
}

/// Adds an `eddsa-rdfc-2022` proof to a credential (after any proofs it already has;
/// `proof` is always written as an array).
///
/// # Errors
/// When the credential is not an object or not valid JSON-LD.
pub fn sign(
    credential: &mut Value,
    key: &crate::keys::SigningKey,
    verification_method: &str,
    created: &str,
) -> Result<(), SignError> {
    if !credential.is_object() {
        return Err(SignError::NotAnObject);
    }
    let mut proof = serde_json::json!({
        "type": "DataIntegrityProof",
        "cryptosuite": CRYPTOSUITE,
        "created": created,
        "verificationMethod": verification_method,
        "proofPurpose": "assertionMethod",
    });
    let hash = hash_data(credential, &proof)?;
    let signature = key.sign(&hash.bytes());
    proof["proofValue"] = Value::String(format!("z{}", bs58::encode(signature).into_string()));
    let obj = credential.as_object_mut().ok_or(SignError::NotAnObject)?;
    let mut proofs = match obj.remove("proof") {
        Some(Value::Array(list)) => list,
        Some(other) => vec![other],
        None => Vec::new(),
    };
    proofs.push(proof);
    obj.insert("proof".into(), Value::Array(proofs));
    Ok(())
}

/// The proofs of a credential, whether written as one object or an array.
pub fn proofs(credential: &Value) -> Vec<&Value> {
    match credential.get("proof") {
        Some(Value::Array(list)) => list.iter().collect(),
        Some(p @ Value::Object(_)) => vec![p],
        _ => Vec::new(),
    }
}

/// Checks one `eddsa-rdfc-2022` proof's signature with a public key.
///
/// # Errors
/// When the documents cannot be canonicalised; `Ok(false)` for a bad signature.
pub fn verify_signature(
    credential: &Value,
    proof: &Value,
    key: &crate::keys::PublicKey,
) -> Result<bool, CanonError> {
    verify_signature_with(document_hash(credential)?, credential, proof, key)
}

/// [`verify_signature`] with the document hash already known.
///
/// # Errors
/// When the proof configuration cannot be canonicalised.
pub fn verify_signature_with(
    document: [u8; 32],
    credential: &Value,
    proof: &Value,
    key: &crate::keys::PublicKey,
) -> Result<bool, CanonError> {
    let Some(sig) = proof
        .get("proofValue")
        .and_then(Value::as_str)
        .and_then(|v| v.strip_prefix('z'))
        .and_then(|v| bs58::decode(v).into_vec().ok())
    else {
        return Ok(false);
    };
    let hash = hash_data_with(document, credential, proof)?;
    Ok(key.verify(&hash.bytes(), &sig))
}

#[cfg(test)]
mod signing_tests {
    use super::*;
    use crate::keys::{PublicKey, SigningKey};

    const VECTOR: &str = include_str!("../tests/fixtures/1edtech-ob3-test-vector.json");

    #[test]
    fn the_1edtech_vector_signature_verifies() {
        let cred: Value = serde_json::from_str(VECTOR).expect("json");
        let key = PublicKey::from_multibase("z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi")
            .expect("key");
        assert_eq!(verify_signature(&cred, &cred["proof"], &key), Ok(true));
        let mut tampered = cred.clone();
        tampered["name"] = "Teamwork Badge!".into();
        assert_eq!(verify_signature(&tampered, &cred["proof"], &key), Ok(false));
    }

    #[test]
    fn sign_then_verify_and_proof_is_an_array() {
        let mut cred: Value = serde_json::from_str(VECTOR).expect("json");
        cred.as_object_mut().expect("object").remove("proof");
        let key = SigningKey::generate();
        sign(&mut cred, &key, "did:example:1#k", "2026-01-01T00:00:00Z").expect("sign");
        assert!(cred["proof"].is_array());
        let public = PublicKey::from_multibase(&key.public_multibase()).expect("pk");
        let proof = proofs(&cred)[0].clone();
        assert_eq!(verify_signature(&cred, &proof, &public), Ok(true));
        let other =
            PublicKey::from_multibase(&SigningKey::generate().public_multibase()).expect("pk");
        assert_eq!(verify_signature(&cred, &proof, &other), Ok(false));
    }

    #[test]
    fn undefined_terms_cannot_be_signed() {
        let mut cred: Value = serde_json::from_str(VECTOR).expect("json");
        cred["notDefinedAnywhere"] = "sneaky".into();
        let err = sign(
            &mut cred,
            &SigningKey::generate(),
            "did:example:1#k",
            "2026-01-01T00:00:00Z",
        );
        assert!(
            matches!(err, Err(SignError::Canon(CanonError::JsonLd(_)))),
            "{err:?}"
        );
    }
}
