//! The unsigned OB 3.0 `EndorsementCredential` of an approved endorsement.
//! `issuing::sign_credential` adds `id`, `validFrom`, the issuer, the status entry and
//! the proof.

use serde_json::{Value, json};

/// What is endorsed, by whom, and what they said.
#[derive(Debug, Clone, Copy)]
pub struct Endorsed<'a> {
    /// The endorsed credential's own `id` (the learner's badge).
    pub credential_id: &'a str,
    pub badge_name: &'a str,
    /// As the endorser stated it.
    pub endorser_name: &'a str,
    /// Only a confirmed address.
    pub endorser_email: Option<&'a str>,
    pub statement: &'a str,
}

/// The credential: `credentialSubject` is an `EndorsementSubject` naming the learner's
/// credential, with the statement as `endorsementComment`; `name` and `description`
/// say who endorsed (the signer is the platform on the endorser's behalf).
pub fn build(e: &Endorsed<'_>) -> Value {
    let who = match e.endorser_email {
        Some(email) => format!(
            "{} (whose e-mail address {email} was confirmed by the platform)",
            e.endorser_name
        ),
        None => format!("{} (name as they stated it)", e.endorser_name),
    };
    json!({
        "@context": [
            openbadges::model::CONTEXT_VC_V2,
            openbadges::model::CONTEXT_OB_V3
        ],
        "type": ["VerifiableCredential", "EndorsementCredential"],
        "name": format!("Endorsement of \"{}\" by {}", e.badge_name, e.endorser_name),
        "description": format!(
            "{who} endorsed this credential through Badgefolio; the platform signs it on their behalf after the learner approved it."
        ),
        "credentialSubject": {
            "id": e.credential_id,
            "type": ["EndorsementSubject"],
            "endorsementComment": e.statement,
        },
    })
}
