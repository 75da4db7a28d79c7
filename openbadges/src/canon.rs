//! JSON-LD → RDF → RDFC-1.0 canonical N-Quads, offline.
//!
//! Built on `sophia_jsonld` (the `json-ld` processor) and `sophia_c14n` (RDFC-1.0):
//! maintained crates made for exactly this (see the crate docs for the choice). The
//! expansion policy is strict: a term no context defines is an error, as in the
//! reference verifiers' "safe mode", so nothing a signature does not cover can slip in.

use futures_util::FutureExt as _;
use sophia_api::source::QuadSource as _;
use sophia_inmem::dataset::LightDataset;
use sophia_jsonld::{JsonLdOptions, JsonLdParser, loader::ClosureLoader, options::Policy};

use crate::contexts;

mod fast;

/// Why a document could not be canonicalised.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CanonError {
    #[error("the document is not valid JSON-LD: {0}")]
    JsonLd(String),
    #[error("the document could not be canonicalised: {0}")]
    Canonicalize(String),
}

/// Canonical N-Quads of a JSON-LD document.
///
/// Credentials and proof configurations whose contexts we bundle go through
/// a fast path (contexts processed once and cached); anything it does not cover goes
/// through the full `json-ld` processor, with identical results (see the tests).
///
/// # Errors
/// Unknown contexts, undefined terms, invalid JSON-LD, or pathological blank-node graphs.
pub fn canonical_nquads(doc: &serde_json::Value) -> Result<String, CanonError> {
    match fast::to_rdf(doc) {
        Ok(triples) => normalize_triples(triples),
        Err(fast::Unsupported(_)) => canonical_nquads_reference(doc),
    }
}

/// RDFC-1.0 of the fast path's triples, through the same canonicaliser (`sophia_c14n`) as
/// the full processor's output.
fn normalize_triples(triples: Vec<[fast::Term; 3]>) -> Result<String, CanonError> {
    use sophia_api::term::{BnodeId, IriRef, SimpleTerm};
    fn term(t: &fast::Term) -> SimpleTerm<'_> {
        match t {
            fast::Term::Iri(i) => SimpleTerm::Iri(IriRef::new_unchecked(i.as_str().into())),
            fast::Term::Blank(n) => {
                SimpleTerm::BlankNode(BnodeId::new_unchecked(format!("b{n}").into()))
            }
            fast::Term::Literal(v, dt) => SimpleTerm::LiteralDatatype(
                v.as_str().into(),
                IriRef::new_unchecked(dt.as_str().into()),
            ),
        }
    }
    // A set, as RDF datasets are (duplicates merge), without the indexes a
    // `LightDataset` would build for queries this never makes.
    let dataset: std::collections::BTreeSet<([SimpleTerm<'_>; 3], Option<SimpleTerm<'_>>)> =
        triples
            .iter()
            .map(|[s, p, o]| ([term(s), term(p), term(o)], None))
            .collect();
    let mut out = Vec::new();
    sophia_c14n::rdfc10::normalize(&dataset, &mut out)
        .map_err(|e| CanonError::Canonicalize(e.to_string()))?;
    String::from_utf8(out).map_err(|e| CanonError::Canonicalize(e.to_string()))
}

/// [`canonical_nquads`] through the full `json-ld` processor only: the reference the
/// fast path is tested against.
///
/// # Errors
/// As [`canonical_nquads`].
#[doc(hidden)]
pub fn canonical_nquads_reference(doc: &serde_json::Value) -> Result<String, CanonError> {
    let options = JsonLdOptions::new()
        .with_expansion_policy(Policy::Strict)
        .with_document_loader_closure(|| {
            ClosureLoader::new(|url| {
                async move {
                    contexts::get(url.as_str())
                        .map(str::to_string)
                        .ok_or_else(|| format!("the context {} is not one we know", url.as_str()))
                }
                .boxed()
            })
        });
    let parser = JsonLdParser::new_with_options(options);
    let json = doc.to_string();
    // The loader answers from memory, so the parser's future never waits on I/O: drive it
    // here rather than through `parse_str`, which would start a tokio runtime (and panic
    // inside one).
    let source = futures_executor::block_on(parser.async_parse_str(&json));
    let dataset: LightDataset = source
        .collect_quads()
        .map_err(|e| CanonError::JsonLd(e.to_string()))?;
    let mut out = Vec::new();
    sophia_c14n::rdfc10::normalize(&dataset, &mut out)
        .map_err(|e| CanonError::Canonicalize(e.to_string()))?;
    String::from_utf8(out).map_err(|e| CanonError::Canonicalize(e.to_string()))
}

#[cfg(test)]
mod tests {
    //! The fast path against the full processor: same N-Quads (or both errors) on the
    //! fixtures and on thousands of edits of them.

    use serde_json::{Value, json};

    use super::{canonical_nquads, canonical_nquads_reference, fast};

    const VECTOR: &str = include_str!("../tests/fixtures/1edtech-ob3-test-vector.json");
    const ISSUER: &str = include_str!("../tests/fixtures/1edtech-test-vector-issuer.json");

    /// A credential shaped like the ones `awards` issues, with most OB 3.0 parts.
    fn rich() -> Value {
        json!({
            "@context": ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
            "id": "urn:uuid:2f1e4c55-8a1d-4e1b-9a3f-6f6c2b7e9d10",
            "type": ["VerifiableCredential", "OpenBadgeCredential"],
            "issuer": {"id": "did:web:issuer.example:issuers:bench", "type": ["Profile"], "name": "Bench University", "url": "https://issuer.example", "image": {"id": "https://issuer.example/logo.png", "type": "Image"}},
            "validFrom": "2026-01-05T10:00:00Z",
            "validUntil": "2036-01-05T10:00:00Z",
            "name": "Data Literacy",
            "credentialStatus": {"id": "https://issuer.example/status/1#94567", "type": "BitstringStatusListEntry", "statusPurpose": "revocation", "statusListIndex": "94567", "statusListCredential": "https://issuer.example/status/1"},
            "credentialSubject": {
                "type": ["AchievementSubject"],
                "identifier": [
                    {"type": "IdentityObject", "hashed": true, "identityHash": "sha256$abc", "identityType": "emailAddress", "salt": "pepper"},
                    {"type": "IdentityObject", "hashed": false, "identityHash": "Ada Lovelace", "identityType": "name"}
                ],
                "creditsEarned": 3,
                "result": [{"type": ["Result"], "value": "Good (3 points)", "resultDescription": "https://issuer.example/achievements/a/v/1#rubric-1", "achievedLevel": "https://issuer.example/achievements/a/v/1#rubric-1-level-2"}],
                "achievement": {
                    "id": "https://issuer.example/achievements/a/v/1", "type": ["Achievement"],
                    "achievementType": "MicroCredential", "name": "Data Literacy",
                    "description": "Reads, questions and presents data responsibly.",
                    "criteria": {"narrative": "Complete three component badges and a capstone."},
                    "image": {"id": "https://issuer.example/badge.png", "type": "Image"},
                    "creditsAvailable": 3, "tag": ["data", "literacy"],
                    "alignment": [{"type": ["Alignment"], "targetName": "Stats", "targetUrl": "https://example.org/cf/1", "targetDescription": "Statistics", "targetType": "CFItem"}],
                    "resultDescription": [{"id": "https://issuer.example/achievements/a/v/1#rubric-1", "type": ["ResultDescription"], "name": "Quality", "resultType": "RubricCriterionLevel",
                        "rubricCriterionLevel": [{"id": "https://issuer.example/achievements/a/v/1#rubric-1-level-1", "type": ["RubricCriterionLevel"], "name": "Fair", "points": "1"}, {"id": "https://issuer.example/achievements/a/v/1#rubric-1-level-2", "type": ["RubricCriterionLevel"], "name": "Good", "points": "3"}]}]
                }
            },
            "evidence": [
                {"type": ["Evidence"], "name": "Narrative", "narrative": "An analysis of open data.\nWith \"quotes\" and ünïcödé."},
                {"id": "https://issuer.example/evidence/x", "type": ["Evidence"], "name": "Report", "genre": "File", "digestSRI": "sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=", "description": "A file."}
            ]
        })
    }

    fn proof_config(credential: &Value) -> Value {
        json!({
            "@context": credential["@context"].clone(),
            "type": "DataIntegrityProof",
            "cryptosuite": "eddsa-rdfc-2022",
            "created": "2026-01-05T10:00:00Z",
            "verificationMethod": "did:web:issuer.example:issuers:bench#z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi",
            "proofPurpose": "assertionMethod",
        })
    }

    fn status_list() -> Value {
        json!({
            "@context": ["https://www.w3.org/ns/credentials/v2"],
            "id": "https://issuer.example/status/1",
            "type": ["VerifiableCredential", "BitstringStatusListCredential"],
            "issuer": "did:web:issuer.example",
            "validFrom": "2026-01-05T10:00:00Z",
            "credentialSubject": {"id": "https://issuer.example/status/1#list", "type": "BitstringStatusList", "statusPurpose": "revocation", "encodedList": "uH4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA"}
        })
    }

    fn vc1() -> Value {
        json!({
            "@context": ["https://www.w3.org/2018/credentials/v1", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json", "https://w3id.org/security/data-integrity/v2"],
            "id": "urn:uuid:1",
            "type": ["VerifiableCredential", "OpenBadgeCredential"],
            "issuer": {"id": "https://example.edu/issuers/1", "type": "Profile", "name": "Old U"},
            "issuanceDate": "2020-01-01T00:00:00Z",
            "expirationDate": "2030-01-01T00:00:00Z",
            "name": "Old badge",
            "credentialSubject": {"type": "AchievementSubject", "achievement": {"id": "urn:uuid:2", "type": "Achievement", "name": "A", "description": "d", "criteria": {"id": "https://example.edu/c"}}}
        })
    }

    fn fixtures() -> Vec<(&'static str, Value)> {
        let mut vector: Value = serde_json::from_str(VECTOR).expect("json");
        let vector_proof = vector["proof"].clone();
        vector.as_object_mut().expect("object").remove("proof");
        let mut vector_config = vector_proof;
        vector_config
            .as_object_mut()
            .expect("object")
            .remove("proofValue");
        vector_config["@context"] = vector["@context"].clone();
        let issuer: Value = serde_json::from_str(ISSUER).expect("json");
        let rich = rich();
        vec![
            ("1EdTech vector", vector.clone()),
            ("1EdTech vector proof configuration", vector_config),
            ("1EdTech issuer profile", issuer),
            ("rich credential", rich.clone()),
            ("rich proof configuration", proof_config(&rich)),
            ("status list", status_list()),
            (
                "status list proof configuration",
                proof_config(&status_list()),
            ),
            ("VCDM 1.1 credential", vc1()),
            ("VCDM 1.1 proof configuration", proof_config(&vc1())),
        ]
    }

    /// The other OB 3.0 context versions: the fast path may leave them to the full
    /// processor (3.0.1 redefines terms VCDM 2.0 protects), but both must agree.
    #[test]
    fn other_context_versions_agree() {
        let rich = rich();
        for url in [
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.1.json",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json",
            "https://purl.imsglobal.org/spec/ob/v3p0/context.json",
        ] {
            for base in [rich.clone(), vc1()] {
                let mut c = base;
                c["@context"][1] = url.into();
                let _ = assert_same(url, &c);
                let _ = assert_same(url, &proof_config(&c));
                eprintln!(
                    "{url}: fast {:?}, reference ok {}",
                    fast::to_rdf(&c).err(),
                    canonical_nquads_reference(&c).is_ok()
                );
            }
        }
    }

    /// Both paths agree. When the fast path gives up, `canonical_nquads` *is* the full
    /// processor, so only the documents it takes need the (slow, in debug builds) check.
    /// `true` when the fast path took the document.
    fn assert_same(what: &str, doc: &Value) -> bool {
        if fast::to_rdf(doc).is_err() {
            return false;
        }
        let fast = canonical_nquads(doc);
        let reference = canonical_nquads_reference(doc);
        match (&fast, &reference) {
            (Ok(a), Ok(b)) => assert_eq!(a, b, "{what}: {doc}"),
            (Err(_), Err(_)) => {}
            _ => panic!("{what}: fast {fast:?}, reference {reference:?}: {doc}"),
        }
        true
    }

    #[test]
    fn the_fast_path_takes_the_fixtures_and_matches_the_full_processor() {
        for (name, doc) in fixtures() {
            let triples = fast::to_rdf(&doc);
            assert!(triples.is_ok(), "{name}: fast path gave up: {triples:?}");
            let fast = canonical_nquads(&doc).expect(name);
            let reference = canonical_nquads_reference(&doc).expect(name);
            assert_eq!(fast, reference, "{name}");
            assert!(!fast.is_empty(), "{name}");
        }
    }

    /// Threads canonicalising at once (sharing and racing to fill the context cache)
    /// get what one thread gets.
    #[test]
    fn threads_sharing_the_cache_agree() {
        let docs: Vec<Value> = fixtures().into_iter().map(|(_, d)| d).collect();
        let expected: Vec<String> = docs
            .iter()
            .map(|d| canonical_nquads_reference(d).expect("reference"))
            .collect();
        std::thread::scope(|scope| {
            for t in 0..4 {
                let (docs, expected) = (&docs, &expected);
                scope.spawn(move || {
                    for round in 0..3 {
                        for i in 0..docs.len() {
                            let i = (i + t * 3 + round) % docs.len();
                            assert_eq!(canonical_nquads(&docs[i]).as_ref(), Ok(&expected[i]));
                        }
                    }
                });
            }
        });
    }

    /// Random node trees built from OB 3.0 / VCDM 2.0 terms, types and values of every
    /// kind (seeded, so reproducible): both paths agree on each.
    #[test]
    fn random_documents_give_the_same_nquads_on_both_paths() {
        use rand::{Rng, SeedableRng, rngs::StdRng, seq::SliceRandom};

        const KEYS: &[&str] = &[
            "name",
            "description",
            "achievement",
            "criteria",
            "narrative",
            "image",
            "issuer",
            "validFrom",
            "validUntil",
            "evidence",
            "alignment",
            "targetUrl",
            "targetType",
            "creditsAvailable",
            "creditsEarned",
            "identifier",
            "hashed",
            "identityHash",
            "result",
            "resultDescription",
            "achievedLevel",
            "tag",
            "url",
            "credentialStatus",
            "statusListIndex",
            "proofPurpose",
            "verificationMethod",
            "cryptosuite",
            "created",
            "email",
            "credentialSubject",
            "source",
            "genre",
        ];
        const ODD_KEYS: &[&str] = &[
            "undefinedTerm",
            "ex:thing",
            "https://example.org/p",
            "@id",
            "@type",
            "@value",
            "jsonSchema",
            "_sd",
            "termsOfUse",
            "credentialSchema",
            "@reverse",
        ];
        const TYPES: &[&str] = &[
            "Achievement",
            "Profile",
            "Image",
            "Evidence",
            "Alignment",
            "Result",
            "ResultDescription",
            "IdentityObject",
            "AchievementSubject",
            "Criteria",
            "DataIntegrityProof",
            "BitstringStatusListEntry",
            "VerifiableCredential",
            "OpenBadgeCredential",
            "EndorsementCredential",
            "https://example.org/T",
        ];
        const ODD_TYPES: &[&str] = &["Unknown", "ex:T", "_:t"];
        const STRINGS: &[&str] = &[
            "https://example.org/a",
            "urn:uuid:1",
            "did:example:1",
            "assertionMethod",
            "2026-01-01T00:00:00Z",
            "plain text",
            "",
            "Achievement",
            "xsd:string",
            "ünïcödé \"quoted\"\n",
        ];
        const ODD_STRINGS: &[&str] = &["rel/ative", "_:b1", "not an iri", "http://[bad"];

        fn pick(rng: &mut StdRng, good: &[&'static str], odd: &[&'static str]) -> &'static str {
            let from = if rng.gen_bool(0.05) { odd } else { good };
            from.choose(rng).copied().expect("some")
        }

        fn value(rng: &mut StdRng, depth: u32) -> Value {
            match rng.gen_range(0..if depth > 2 { 7 } else { 11 }) {
                0..=2 => json!(pick(rng, STRINGS, ODD_STRINGS)),
                3 => json!(rng.gen_range(-5..50)),
                4 => json!(rng.gen_bool(0.5)),
                5 if rng.gen_bool(0.2) => json!(f64::from(rng.gen_range(0..20)) / 4.0),
                5 => Value::Null,
                6 => json!([pick(rng, STRINGS, ODD_STRINGS), rng.gen_range(0..3)]),
                7..=9 => node(rng, depth + 1),
                _ => json!([node(rng, depth + 1), node(rng, depth + 1)]),
            }
        }

        fn node(rng: &mut StdRng, depth: u32) -> Value {
            let mut m = serde_json::Map::new();
            if rng.gen_bool(0.7) {
                let types: Vec<&str> = (0..rng.gen_range(1..3))
                    .map(|_| pick(rng, TYPES, ODD_TYPES))
                    .collect();
                m.insert("type".into(), json!(types));
            }
            if rng.gen_bool(0.5) {
                m.insert("id".into(), json!(pick(rng, STRINGS, ODD_STRINGS)));
            }
            for _ in 0..rng.gen_range(0..5) {
                let key = pick(rng, KEYS, ODD_KEYS);
                m.insert(key.into(), value(rng, depth));
            }
            Value::Object(m)
        }

        let contexts = [
            json!([
                "https://www.w3.org/ns/credentials/v2",
                "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
            ]),
            json!([
                "https://www.w3.org/2018/credentials/v1",
                "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
            ]),
            json!("https://www.w3.org/ns/credentials/v2"),
            json!([
                "https://www.w3.org/ns/credentials/v2",
                "https://w3id.org/security/data-integrity/v2"
            ]),
        ];
        let mut rng = StdRng::seed_from_u64(20_261_129);
        let (mut checked, mut taken) = (0, 0);
        for i in 0..2000 {
            let mut doc = node(&mut rng, 0);
            doc["@context"] = contexts[i % contexts.len()].clone();
            taken += usize::from(assert_same(&format!("random document {i}"), &doc));
            checked += 1;
        }
        // Most random documents use a term where no context in scope defines it, which
        // the fast path leaves to the full processor; the rest must agree.
        eprintln!("{checked} random documents, {taken} taken by the fast path");
        assert!(taken > 60, "{taken}");
    }

    /// Every JSON path in a document (objects' keys and arrays' indexes).
    fn paths(v: &Value, prefix: &mut Vec<Value>, out: &mut Vec<Vec<Value>>) {
        match v {
            Value::Object(m) => {
                for (k, child) in m {
                    prefix.push(Value::String(k.clone()));
                    out.push(prefix.clone());
                    paths(child, prefix, out);
                    prefix.pop();
                }
            }
            Value::Array(list) => {
                for (i, child) in list.iter().enumerate() {
                    prefix.push(json!(i));
                    out.push(prefix.clone());
                    paths(child, prefix, out);
                    prefix.pop();
                }
            }
            _ => {}
        }
    }

    fn at<'a>(v: &'a mut Value, path: &[Value]) -> &'a mut Value {
        path.iter().fold(v, |v, step| match step {
            Value::String(k) => &mut v[k.as_str()],
            Value::Number(i) => &mut v[usize::try_from(i.as_u64().expect("index")).expect("index")],
            _ => unreachable!(),
        })
    }

    /// Replacements tried at every path: other kinds of values, IRIs of every sort,
    /// terms, keywords, value objects, nested nodes and undefined terms.
    fn replacements() -> Vec<Value> {
        vec![
            Value::Null,
            json!("plain"),
            json!(""),
            json!("https://example.org/x"),
            json!("urn:uuid:0"),
            json!("relative/path"),
            json!("_:b7"),
            json!("xsd:string"),
            json!("not an iri"),
            json!("did:example:x#k-1"),
            json!("Achievement"),
            json!("assertionMethod"),
            json!("@id"),
            json!(0),
            json!(-42),
            json!(3.5),
            json!(1e21),
            json!(true),
            json!([]),
            json!(["a", "b"]),
            json!([["nested"]]),
            json!({}),
            json!({"id": "https://example.org/n"}),
            json!({"id": "_:b1", "name": "blank"}),
            json!({"type": "Image", "id": "https://example.org/i.png"}),
            json!({"type": ["Achievement", "Undefined"], "name": "n"}),
            json!({"@value": "v", "@language": "en"}),
            json!({"@value": "2026-01-01", "@type": "xsd:date"}),
            json!({"@list": ["a"]}),
            json!({"@context": {"ex": "https://example.org/#"}, "ex:p": "v"}),
            json!({"@context": "https://www.w3.org/ns/did/v1", "id": "https://example.org/d"}),
            json!({"undefinedTerm": 1}),
            json!({"@graph": [{"id": "https://example.org/g"}]}),
        ]
    }

    #[test]
    fn edits_of_the_fixtures_give_the_same_nquads_on_both_paths() {
        let (mut checked, mut taken) = (0, 0);
        // The fixtures that differ in shape (the others are variants of these; each
        // edit checked costs a full-processor run, slow in debug builds).
        let shapes = [
            "1EdTech vector",
            "rich credential",
            "rich proof configuration",
            "status list",
            "VCDM 1.1 credential",
        ];
        for (name, doc) in fixtures().into_iter().filter(|(n, _)| shapes.contains(n)) {
            let mut all = Vec::new();
            paths(&doc, &mut Vec::new(), &mut all);
            for path in &all {
                // Remove the entry.
                let mut edited = doc.clone();
                let (last, parent) = path.split_last().expect("non-empty");
                match (at(&mut edited, parent), last) {
                    (Value::Object(m), Value::String(k)) => {
                        m.remove(k);
                    }
                    (Value::Array(list), Value::Number(i)) => {
                        list.remove(usize::try_from(i.as_u64().expect("i")).expect("i"));
                    }
                    _ => unreachable!(),
                }
                taken += usize::from(assert_same(&format!("{name} without {path:?}"), &edited));
                checked += 1;
                for replacement in replacements() {
                    let mut edited = doc.clone();
                    *at(&mut edited, path) = replacement;
                    taken += usize::from(assert_same(
                        &format!("{name} with {path:?} replaced"),
                        &edited,
                    ));
                    checked += 1;
                }
            }
            // Extra keys on every object: undefined terms, IRIs, keywords, known terms.
            let mut objects = vec![Vec::new()];
            objects.extend(all);
            for path in objects {
                let mut probe = doc.clone();
                if !at(&mut probe, &path).is_object() {
                    continue;
                }
                for (k, v) in [
                    ("notDefinedAnywhere", json!("x")),
                    ("https://example.org/p", json!("x")),
                    ("ex:p", json!("x")),
                    ("@id", json!("https://example.org/other")),
                    ("@type", json!("Profile")),
                    ("@reverse", json!({})),
                    ("@included", json!([])),
                    ("@foo", json!("x")),
                    ("description", json!("d")),
                    ("type", json!(["Endorsement"])),
                    ("image", json!("https://example.org/img.png")),
                    ("_sd", json!({"a": [1, "b"]})),
                    ("_sd", json!("literal")),
                ] {
                    let mut edited = doc.clone();
                    if let Value::Object(m) = at(&mut edited, &path) {
                        m.insert(k.into(), v);
                    }
                    taken += usize::from(assert_same(
                        &format!("{name} with {k} at {path:?}"),
                        &edited,
                    ));
                    checked += 1;
                }
            }
        }
        eprintln!("{checked} edited documents, {taken} taken by the fast path");
        // The comparison means something only if the fast path takes many of them.
        assert!(checked > 1000 && taken > checked / 4, "{checked} / {taken}");
    }
}
