//! JSON-LD contexts shipped inside the binary; nothing is fetched at run time.
//!
//! The files come from the npm packages the reference verifiers use
//! (`interop/vendor-contexts.cjs` writes them), so both sides read identical contexts.

/// The context document for a URL, if we ship it.
pub fn get(url: &str) -> Option<&'static str> {
    Some(match url {
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.1.json" => {
            include_str!("../contexts/purl.imsglobal.org_spec_ob_v3p0_context-3.0.1.json")
        }
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json" => {
            include_str!("../contexts/purl.imsglobal.org_spec_ob_v3p0_context-3.0.2.json")
        }
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json" => {
            include_str!("../contexts/purl.imsglobal.org_spec_ob_v3p0_context-3.0.3.json")
        }
        "https://purl.imsglobal.org/spec/ob/v3p0/context.json" => {
            include_str!("../contexts/purl.imsglobal.org_spec_ob_v3p0_context.json")
        }
        "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json" => {
            include_str!("../contexts/purl.imsglobal.org_spec_ob_v3p0_extensions.json")
        }
        "https://w3id.org/security/data-integrity/v1" => {
            include_str!("../contexts/w3id.org_security_data-integrity_v1.jsonld")
        }
        "https://w3id.org/security/data-integrity/v2" => {
            include_str!("../contexts/w3id.org_security_data-integrity_v2.jsonld")
        }
        "https://w3id.org/security/multikey/v1" => {
            include_str!("../contexts/w3id.org_security_multikey_v1.jsonld")
        }
        "https://w3id.org/security/suites/ed25519-2020/v1" => {
            include_str!("../contexts/w3id.org_security_suites_ed25519-2020_v1.jsonld")
        }
        "https://www.w3.org/2018/credentials/v1" => {
            include_str!("../contexts/www.w3.org_2018_credentials_v1.jsonld")
        }
        "https://www.w3.org/ns/credentials/undefined-terms/v2" => {
            include_str!("../contexts/www.w3.org_ns_credentials_undefined-terms_v2.jsonld")
        }
        "https://www.w3.org/ns/credentials/v2" => {
            include_str!("../contexts/www.w3.org_ns_credentials_v2.jsonld")
        }
        "https://www.w3.org/ns/did/v1" => include_str!("../contexts/www.w3.org_ns_did_v1.jsonld"),
        _ => return None,
    })
}

/// Every URL we ship a context for.
pub const URLS: &[&str] = &[
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.1.json",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    "https://purl.imsglobal.org/spec/ob/v3p0/context.json",
    "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json",
    "https://w3id.org/security/data-integrity/v1",
    "https://w3id.org/security/data-integrity/v2",
    "https://w3id.org/security/multikey/v1",
    "https://w3id.org/security/suites/ed25519-2020/v1",
    "https://www.w3.org/2018/credentials/v1",
    "https://www.w3.org/ns/credentials/undefined-terms/v2",
    "https://www.w3.org/ns/credentials/v2",
    "https://www.w3.org/ns/did/v1",
];

#[cfg(test)]
mod tests {
    #[test]
    fn every_shipped_context_is_json() {
        for url in super::URLS {
            let text = super::get(url).expect("listed");
            let v: serde_json::Value = serde_json::from_str(text).expect("json");
            assert!(v.get("@context").is_some(), "{url}");
        }
        assert!(super::get("https://example.com/ctx").is_none());
    }
}
