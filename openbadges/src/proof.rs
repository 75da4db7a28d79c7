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
    let mut document = credential.clone();
    if let Some(obj) = document.as_object_mut() {
        obj.remove("proof");
    }
    let mut config = proof.clone();
    if let Some(obj) = config.as_object_mut() {
        obj.remove("proofValue");
        obj.insert(
            "@context".into(),
            credential.get("@context").cloned().unwrap_or(Value::Null),
        );
    }
    Ok(HashData {
        proof_config: Sha256::digest(canonical_nquads(&config)?.as_bytes()).into(),
        document: Sha256::digest(canonical_nquads(&document)?.as_bytes()).into(),
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
