//! W3C Bitstring Status List: one bit per credential, gzip + base64url multibase.

use std::io::{Read as _, Write as _};

use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};
use serde_json::{Value, json};

/// Entries in every list (the spec's minimum, for herd privacy).
pub const MIN_ENTRIES: usize = 131_072;
/// Largest decoded list accepted from elsewhere (16 Mi entries).
pub const MAX_BYTES: usize = 2 * 1024 * 1024;

/// Why an encoded list could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StatusListError {
    #[error("the status list is not base64url multibase ('u' prefix)")]
    Encoding,
    #[error("the status list is not valid gzip")]
    Gzip,
    #[error("the status list is larger than allowed")]
    TooLarge,
}

/// A list of status bits; index 0 is the most significant bit of byte 0.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bitstring(Vec<u8>);

impl Default for Bitstring {
    fn default() -> Self {
        Self::new(MIN_ENTRIES)
    }
}

impl Bitstring {
    /// All-clear list of at least `entries` bits.
    pub fn new(entries: usize) -> Self {
        Self(vec![0; entries.max(MIN_ENTRIES).div_ceil(8)])
    }

    /// From raw bytes (as stored).
    pub fn from_bytes(bytes: Vec<u8>) -> Self {
        Self(bytes)
    }

    /// Raw bytes (for storage).
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.0.len() * 8
    }

    /// Whether the list has no entries.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The bit at `index` (`None` past the end).
    pub fn get(&self, index: usize) -> Option<bool> {
        let byte = self.0.get(index / 8)?;
        Some(byte & (0x80 >> (index % 8)) != 0)
    }

    /// Sets the bit at `index`; false when past the end.
    pub fn set(&mut self, index: usize, value: bool) -> bool {
        let Some(byte) = self.0.get_mut(index / 8) else {
            return false;
        };
        let mask = 0x80 >> (index % 8);
        if value {
            *byte |= mask;
        } else {
            *byte &= !mask;
        }
        true
    }

    /// `encodedList`: `u` + base64url(gzip(bits)).
    pub fn encode(&self) -> String {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        // Writing to a Vec cannot fail.
        let _ = gz.write_all(&self.0);
        let bytes = gz.finish().unwrap_or_default();
        format!("u{}", URL_SAFE_NO_PAD.encode(bytes))
    }

    /// Reads an `encodedList`, refusing anything that inflates past [`MAX_BYTES`].
    ///
    /// # Errors
    /// Bad encoding, bad gzip, or too large.
    pub fn decode(encoded: &str) -> Result<Self, StatusListError> {
        let body = encoded.strip_prefix('u').ok_or(StatusListError::Encoding)?;
        let gz = URL_SAFE_NO_PAD
            .decode(body.trim_end_matches('='))
            .map_err(|_| StatusListError::Encoding)?;
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(gz.as_slice())
            .take(MAX_BYTES as u64 + 1)
            .read_to_end(&mut out)
            .map_err(|_| StatusListError::Gzip)?;
        if out.len() > MAX_BYTES {
            return Err(StatusListError::TooLarge);
        }
        Ok(Self(out))
    }
}

/// The `credentialStatus` entry for one credential.
pub fn entry(list_url: &str, index: usize, purpose: &str) -> Value {
    json!({
        "id": format!("{list_url}#{index}"),
        "type": "BitstringStatusListEntry",
        "statusPurpose": purpose,
        "statusListIndex": index.to_string(),
        "statusListCredential": list_url,
    })
}

/// The unsigned status list credential.
pub fn list_credential(
    list_url: &str,
    issuer: Value,
    purpose: &str,
    bits: &Bitstring,
    valid_from: &str,
) -> Value {
    json!({
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": list_url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer,
        "validFrom": valid_from,
        "credentialSubject": {
            "id": format!("{list_url}#list"),
            "type": "BitstringStatusList",
            "statusPurpose": purpose,
            "encodedList": bits.encode(),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bits_are_msb_first_and_survive_encoding() {
        let mut b = Bitstring::default();
        assert_eq!(b.len(), MIN_ENTRIES);
        assert!(b.set(0, true) && b.set(94_567, true));
        assert_eq!(b.as_bytes()[0], 0x80);
        let again = Bitstring::decode(&b.encode()).expect("decode");
        assert_eq!(again.get(94_567), Some(true));
        assert_eq!(again.get(94_568), Some(false));
        assert_eq!(again.get(MIN_ENTRIES), None);
        assert!(!b.set(MIN_ENTRIES, true));
        assert!(
            b.encode().len() < 400,
            "an almost empty list compresses well"
        );
    }

    #[test]
    fn hostile_lists_are_refused() {
        assert_eq!(Bitstring::decode("zabc"), Err(StatusListError::Encoding));
        assert_eq!(Bitstring::decode("uAAAA"), Err(StatusListError::Gzip));
        let huge = Bitstring(vec![0; MAX_BYTES + 10]).encode();
        assert_eq!(Bitstring::decode(&huge), Err(StatusListError::TooLarge));
    }
}
