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
/// # Errors
/// Unknown contexts, undefined terms, invalid JSON-LD, or pathological blank-node graphs.
pub fn canonical_nquads(doc: &serde_json::Value) -> Result<String, CanonError> {
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
