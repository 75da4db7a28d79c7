//! Open Badges 3.0 data model (serde), following the spec's serialisation rules.
//!
//! Properties of cardinality 0..* are written as JSON arrays and read from either an
//! array or a single value ([`OneOrMany`]); absent values are omitted. Unknown
//! properties are kept in `extra` so a credential read and written again keeps
//! everything it carried (signatures cover every property).
//! Legacy OB 3.0 credentials built on VCDM 1.1 (`issuanceDate`/`expirationDate`) read
//! into the same types.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The W3C Verifiable Credentials 2.0 context (first in every OB 3.0 credential).
pub const CONTEXT_VC_V2: &str = "https://www.w3.org/ns/credentials/v2";
/// The VCDM 1.1 context of legacy OB 3.0 credentials.
pub const CONTEXT_VC_V1: &str = "https://www.w3.org/2018/credentials/v1";
/// The current OB 3.0 context.
pub const CONTEXT_OB_V3: &str = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json";
/// The 1EdTech extensions context (needed for `1EdTech*` types).
pub const CONTEXT_OB_EXTENSIONS: &str = "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json";

/// A value the spec allows as one item or an array; always written as an array.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum OneOrMany<T> {
    One(T),
    Many(Vec<T>),
}

impl<T> Default for OneOrMany<T> {
    fn default() -> Self {
        Self::Many(Vec::new())
    }
}

impl<T> OneOrMany<T> {
    /// The values as a slice.
    pub fn as_slice(&self) -> &[T] {
        match self {
            Self::One(v) => std::slice::from_ref(v),
            Self::Many(v) => v,
        }
    }

    /// Whether there is no value.
    pub fn is_empty(&self) -> bool {
        self.as_slice().is_empty()
    }
}

impl<T> From<Vec<T>> for OneOrMany<T> {
    fn from(v: Vec<T>) -> Self {
        Self::Many(v)
    }
}

impl<T: Serialize> Serialize for OneOrMany<T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.as_slice().serialize(s)
    }
}

/// `["VerifiableCredential", "OpenBadgeCredential"]`.
pub fn credential_types() -> OneOrMany<String> {
    vec!["VerifiableCredential".into(), "OpenBadgeCredential".into()].into()
}

/// An OB 3.0 `OpenBadgeCredential` (alias `AchievementCredential`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OpenBadgeCredential {
    #[serde(rename = "@context")]
    pub context: Vec<Value>,
    pub id: String,
    #[serde(rename = "type")]
    pub types: OneOrMany<String>,
    pub issuer: Issuer,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_from: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_until: Option<String>,
    /// VCDM 1.1 name of `validFrom`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuance_date: Option<String>,
    /// VCDM 1.1 name of `validUntil`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expiration_date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<Image>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub awarded_date: Option<String>,
    pub credential_subject: AchievementSubject,
    #[serde(default, skip_serializing_if = "OneOrMany::is_empty")]
    pub evidence: OneOrMany<Evidence>,
    #[serde(default, skip_serializing_if = "OneOrMany::is_empty")]
    pub credential_status: OneOrMany<StatusEntry>,
    #[serde(default, skip_serializing_if = "OneOrMany::is_empty")]
    pub credential_schema: OneOrMany<Value>,
    #[serde(default, skip_serializing_if = "OneOrMany::is_empty")]
    pub proof: OneOrMany<Proof>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl OpenBadgeCredential {
    /// Whether this is the legacy VCDM 1.1 form (first context is the v1 one).
    pub fn is_legacy(&self) -> bool {
        self.context.first().and_then(Value::as_str) == Some(CONTEXT_VC_V1)
    }

    /// Start of validity, under either name.
    pub fn valid_from(&self) -> Option<&str> {
        self.valid_from.as_deref().or(self.issuance_date.as_deref())
    }

    /// End of validity, under either name.
    pub fn valid_until(&self) -> Option<&str> {
        self.valid_until
            .as_deref()
            .or(self.expiration_date.as_deref())
    }
}

/// The issuer: a URI, or the embedded `Profile` (preferred: wallets show its name).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Issuer {
    Uri(String),
    Profile(Box<Profile>),
}

impl Issuer {
    /// The issuer's id either way.
    pub fn id(&self) -> &str {
        match self {
            Self::Uri(id) => id,
            Self::Profile(p) => &p.id,
        }
    }
}

/// An organisation or person (issuer, creator, endorser).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Profile {
    pub id: String,
    #[serde(rename = "type")]
    pub types: OneOrMany<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<Image>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// An image: URL or `data:` URI, `type: "Image"`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Image {
    Uri(String),
    Object {
        id: String,
        #[serde(rename = "type")]
        kind: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        caption: Option<String>,
    },
}

/// The learner and what they achieved.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AchievementSubject {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(rename = "type")]
    pub types: OneOrMany<String>,
    pub achievement: Achievement,
    #[serde(default, skip_serializing_if = "OneOrMany::is_empty")]
    pub identifier: OneOrMany<IdentityObject>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credits_earned: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub narrative: Option<String>,
    #[serde(default, skip_serializing_if = "OneOrMany::is_empty")]
    pub result: OneOrMany<ResultEntry>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub activity_start_date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub activity_end_date: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A hashed (or plain) identifier of the recipient.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IdentityObject {
    #[serde(rename = "type")]
    pub kind: String,
    pub hashed: bool,
    pub identity_hash: String,
    pub identity_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub salt: Option<String>,
}

/// What was achieved (the old BadgeClass).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Achievement {
    pub id: String,
    #[serde(rename = "type")]
    pub types: OneOrMany<String>,
    pub name: String,
    pub description: String,
    pub criteria: Criteria,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub achievement_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<Image>,
    #[serde(default, skip_serializing_if = "OneOrMany::is_empty")]
    pub alignment: OneOrMany<Alignment>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credits_available: Option<f64>,
    #[serde(default, skip_serializing_if = "OneOrMany::is_empty")]
    pub tag: OneOrMany<String>,
    #[serde(default, skip_serializing_if = "OneOrMany::is_empty")]
    pub result_description: OneOrMany<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub creator: Option<Box<Profile>>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// How the achievement is earned: a page, a narrative, or both.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Criteria {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub narrative: Option<String>,
}

/// A competency or standard the achievement aligns to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Alignment {
    #[serde(rename = "type")]
    pub types: OneOrMany<String>,
    pub target_name: String,
    pub target_url: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_framework: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_type: Option<String>,
}

/// The learner's work that meets the criteria.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Evidence {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(rename = "type")]
    pub types: OneOrMany<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub narrative: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub genre: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audience: Option<String>,
}

/// A result (grade, level, status) in the subject.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResultEntry {
    #[serde(rename = "type")]
    pub types: OneOrMany<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result_description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub achieved_level: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
}

/// A `credentialStatus` entry (`BitstringStatusListEntry` and friends).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StatusEntry {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_purpose: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_list_index: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_list_credential: Option<String>,
}

/// An embedded proof (Data Integrity).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Proof {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cryptosuite: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verification_method: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proof_purpose: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proof_value: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

#[cfg(test)]
mod tests {
    use super::*;

    const VECTOR: &str = include_str!("../tests/fixtures/1edtech-ob3-test-vector.json");

    #[test]
    fn the_1edtech_test_vector_parses_and_round_trips() {
        let c: OpenBadgeCredential = serde_json::from_str(VECTOR).expect("parse");
        assert!(
            c.types
                .as_slice()
                .iter()
                .any(|t| t == "OpenBadgeCredential")
        );
        assert!(!c.is_legacy());
        assert!(c.valid_from().is_some());
        assert_eq!(c.proof.as_slice().len(), 1);
        let again: Value = serde_json::to_value(&c).expect("write");
        let original: Value = serde_json::from_str(VECTOR).expect("json");
        assert_eq!(
            again["credentialSubject"]["achievement"],
            original["credentialSubject"]["achievement"]
        );
        assert!(again["proof"].is_array(), "proof is written as an array");
    }

    #[test]
    fn legacy_vcdm_1_1_credentials_parse() {
        let legacy = serde_json::json!({
            "@context": [CONTEXT_VC_V1, "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
            "id": "urn:uuid:1", "type": ["VerifiableCredential", "OpenBadgeCredential"],
            "issuer": "https://example.edu/issuer", "issuanceDate": "2022-01-01T00:00:00Z",
            "expirationDate": "2030-01-01T00:00:00Z", "name": "Legacy",
            "credentialSubject": {"type": "AchievementSubject", "achievement": {
                "id": "urn:uuid:2", "type": "Achievement", "name": "A", "description": "D",
                "criteria": {"narrative": "N"}, "achievementType": "MicroCredential", "creditsAvailable": 3.0,
                "tag": "x"}}
        });
        let c: OpenBadgeCredential = serde_json::from_value(legacy).expect("parse");
        assert!(c.is_legacy());
        assert_eq!(c.valid_from(), Some("2022-01-01T00:00:00Z"));
        assert_eq!(c.valid_until(), Some("2030-01-01T00:00:00Z"));
        assert_eq!(c.issuer.id(), "https://example.edu/issuer");
        let a = &c.credential_subject.achievement;
        assert_eq!(a.achievement_type.as_deref(), Some("MicroCredential"));
        assert_eq!(a.credits_available, Some(3.0));
        let out = serde_json::to_value(&c).expect("write");
        assert_eq!(
            out["credentialSubject"]["type"],
            serde_json::json!(["AchievementSubject"])
        );
        assert_eq!(
            out["credentialSubject"]["achievement"]["tag"],
            serde_json::json!(["x"])
        );
    }
}
