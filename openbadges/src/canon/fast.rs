//! The fast path of [`super::canonical_nquads`]: JSON-LD 1.1 expansion straight to RDF
//! for the documents we see every day (credentials and proof configurations whose
//! contexts are all bundled), with every processed context cached and shared.
//!
//! It covers a deliberately small part of JSON-LD: node objects, `@id`, `@type` (and
//! aliases), type-scoped and property-scoped contexts, `@protected`, `@set` containers,
//! `@id` / `@vocab` / datatype coercion, strings, integers and booleans. Anything else —
//! an inline or unknown context, `@value`, `@list`, `@graph`, `@json`, languages, a key
//! or value only `@vocab` would expand (an undefined term), blank node identifiers,
//! relative or invalid IRIs, non-integer numbers, an error of any kind — makes it answer
//! [`Unsupported`], and the caller runs the full `json-ld` processor, which then gives
//! the answer (or the error) it always gave. So this path never decides an error and
//! never widens what is accepted; tests compare both paths' N-Quads.
//!
//! Contexts: each bundled context is parsed once; every active context derived from
//! another one (a document's `@context`, a type-scoped or property-scoped context) is
//! processed once and kept in a bounded global cache of immutable `Arc`s. The cache's
//! lock is only held to look up or insert an entry, never while canonicalising.

use std::{
    cell::RefCell,
    collections::HashMap,
    sync::{
        Arc, OnceLock, RwLock,
        atomic::{AtomicU64, Ordering},
    },
};

use serde_json::{Map, Value};

/// The document needs something this path does not do; use the full processor.
/// (The line that gave up, for tests and debugging.)
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unsupported(pub u32);

macro_rules! unsupported {
    () => {
        Unsupported(line!())
    };
}

type R<T> = Result<T, Unsupported>;

const XSD_STRING: &str = "http://www.w3.org/2001/XMLSchema#string";
const XSD_INTEGER: &str = "http://www.w3.org/2001/XMLSchema#integer";
const XSD_BOOLEAN: &str = "http://www.w3.org/2001/XMLSchema#boolean";
const XSD_DOUBLE: &str = "http://www.w3.org/2001/XMLSchema#double";
const RDF_TYPE: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type";

/// Most derived contexts kept; beyond it new ones are processed but not kept.
const CACHE_LIMIT: usize = 1024;

/// JSON-LD 1.1 keywords.
const KEYWORDS: &[&str] = &[
    "@base",
    "@container",
    "@context",
    "@direction",
    "@graph",
    "@id",
    "@import",
    "@included",
    "@index",
    "@json",
    "@language",
    "@list",
    "@nest",
    "@none",
    "@prefix",
    "@propagate",
    "@protected",
    "@reverse",
    "@set",
    "@type",
    "@value",
    "@version",
    "@vocab",
];

fn is_keyword(s: &str) -> bool {
    KEYWORDS.contains(&s)
}

/// `@` followed by letters only: reserved, ignored by processors; we give up on it.
fn looks_like_keyword(s: &str) -> bool {
    s.len() > 1 && s.starts_with('@') && s[1..].bytes().all(|b| b.is_ascii_alphabetic())
}

fn next_id() -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

/// A scoped context stored in a term definition, with an identity for cache keys.
#[derive(Debug)]
struct Scoped {
    id: u64,
    value: Value,
    /// The context document it came from: its terms' base URL.
    base: Option<&'static str>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Container {
    None,
    Set,
    /// Anything else (`@list`, `@graph`, `@language`, `@index`, maps, arrays…).
    Other,
}

#[derive(Debug, Clone)]
struct TermDef {
    /// The IRI or keyword the term maps to.
    iri: String,
    prefix: bool,
    protected: bool,
    /// `@id`, `@vocab`, `@json`, `@none` or a datatype IRI.
    type_mapping: Option<String>,
    container: Container,
    context: Option<Arc<Scoped>>,
    /// A feature we do not handle (`@language`, `@direction`, `@nest`, `@index`).
    unsupported: bool,
    /// `iri` is a valid absolute IRI (checked once, here, rather than per triple).
    iri_valid: bool,
    /// The context document that defined it, when it has a scoped context (compared
    /// when a protected term is redefined, as the `json-ld` crate does).
    base_url: Option<&'static str>,
}

impl TermDef {
    /// Equal apart from `protected`, as the protected-term check compares them.
    fn same_as(&self, other: &Self) -> bool {
        self.iri == other.iri
            && self.prefix == other.prefix
            && self.type_mapping == other.type_mapping
            && self.container == other.container
            && self.unsupported == other.unsupported
            && self.iri_valid == other.iri_valid
            && self.base_url == other.base_url
            && match (&self.context, &other.context) {
                (None, None) => true,
                (Some(a), Some(b)) => a.value == b.value,
                _ => false,
            }
    }
}

/// An active context: immutable once built, shared through `Arc`.
#[derive(Debug, Clone)]
struct Ctx {
    id: u64,
    terms: HashMap<Arc<str>, Arc<TermDef>>,
    vocab: Option<String>,
    previous: Option<&'static Ctx>,
}

/// What a derived context was derived with: its parent, the local context (a
/// document's list of bundled URLs, or a scoped context by its id), and the flags.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct DeriveKey {
    parent: u64,
    local: LocalKey,
    override_protected: bool,
    propagate: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum LocalKey {
    Urls(Vec<String>),
    Scoped(u64),
}

/// Derived contexts are leaked once processed: they are immutable, bounded in number
/// ([`CACHE_LIMIT`]; past it the full processor takes over), and so can be shared by
/// plain `&'static` references, with no reference counts for threads to contend on.
type Cache = RwLock<HashMap<DeriveKey, &'static Ctx>>;

fn cache() -> &'static Cache {
    static CACHE: OnceLock<Cache> = OnceLock::new();
    CACHE.get_or_init(|| RwLock::new(HashMap::new()))
}

thread_local! {
    /// Each thread's copy of the entries it used, so that the shared map's lock is
    /// only touched the first time a thread meets a context.
    static LOCAL: RefCell<HashMap<DeriveKey, &'static Ctx>> = RefCell::new(HashMap::new());
}

fn empty_ctx() -> &'static Ctx {
    static EMPTY: OnceLock<Ctx> = OnceLock::new();
    EMPTY.get_or_init(|| Ctx {
        id: next_id(),
        terms: HashMap::new(),
        vocab: None,
        previous: None,
    })
}

/// The `@context` value of a bundled context document, parsed once.
fn bundled(url: &str) -> Option<(&'static str, &'static Value)> {
    static PARSED: OnceLock<HashMap<&'static str, Option<Value>>> = OnceLock::new();
    PARSED
        .get_or_init(|| {
            crate::contexts::URLS
                .iter()
                .map(|u| {
                    let doc = crate::contexts::get(u)
                        .and_then(|text| serde_json::from_str::<Value>(text).ok())
                        .and_then(|mut v| v.get_mut("@context").map(Value::take));
                    (*u, doc)
                })
                .collect()
        })
        .get_key_value(url)
        .and_then(|(k, v)| Some((*k, v.as_ref()?)))
}

/// `parent` with `local` applied, from the cache or processed now.
fn derive(
    parent: &'static Ctx,
    local_key: LocalKey,
    (local, base): (&Value, Option<&'static str>),
    override_protected: bool,
    propagate: bool,
) -> R<&'static Ctx> {
    let key = DeriveKey {
        parent: parent.id,
        local: local_key,
        override_protected,
        propagate,
    };
    if let Some(hit) = LOCAL.with_borrow(|m| m.get(&key).copied()) {
        return Ok(hit);
    }
    let shared = cache()
        .read()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .get(&key)
        .copied();
    let ctx = match shared {
        Some(hit) => hit,
        None => {
            let ctx = process(parent, local, base, override_protected, propagate)?;
            let mut map = cache()
                .write()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            match map.get(&key) {
                Some(raced) => raced,
                None if map.len() < CACHE_LIMIT => {
                    let leaked: &'static Ctx = Box::leak(Box::new(ctx));
                    map.insert(key.clone(), leaked);
                    leaked
                }
                None => return Err(unsupported!()),
            }
        }
    };
    LOCAL.with_borrow_mut(|m| m.insert(key, ctx));
    Ok(ctx)
}

/// Context processing (JSON-LD 1.1 API §4.1) for the features we support.
fn process(
    active: &'static Ctx,
    local: &Value,
    base: Option<&'static str>,
    override_protected: bool,
    propagate: bool,
) -> R<Ctx> {
    let mut result = Ctx {
        id: next_id(),
        terms: active.terms.clone(),
        vocab: active.vocab.clone(),
        previous: active.previous,
    };
    let propagate = match local.get("@propagate") {
        None => propagate,
        Some(Value::Bool(b)) => *b,
        Some(_) => return Err(unsupported!()),
    };
    if !propagate && result.previous.is_none() {
        result.previous = Some(active);
    }
    process_into(&mut result, local, base, override_protected, 0)?;
    Ok(result)
}

fn process_into(
    result: &mut Ctx,
    local: &Value,
    base: Option<&'static str>,
    override_protected: bool,
    depth: u8,
) -> R<()> {
    if depth > 8 {
        return Err(unsupported!());
    }
    let list: &[Value] = match local {
        Value::Array(list) => list,
        other => std::slice::from_ref(other),
    };
    for context in list {
        match context {
            Value::String(url) => {
                let (url, loaded) = bundled(url).ok_or(unsupported!())?;
                process_into(result, loaded, Some(url), false, depth + 1)?;
            }
            Value::Object(map) => process_object(result, map, base, override_protected, depth)?,
            // `null` resets to the initial context, unless that drops protected terms.
            Value::Null if override_protected || !result.terms.values().any(|d| d.protected) => {
                result.terms.clear();
                result.vocab = None;
                result.previous = None;
            }
            _ => return Err(unsupported!()),
        }
    }
    Ok(())
}

fn process_object(
    result: &mut Ctx,
    map: &Map<String, Value>,
    base: Option<&'static str>,
    override_protected: bool,
    depth: u8,
) -> R<()> {
    if let Some(version) = map.get("@version")
        && version.as_f64() != Some(1.1)
    {
        return Err(unsupported!());
    }
    for k in ["@import", "@base", "@language", "@direction"] {
        if map.contains_key(k) {
            return Err(unsupported!());
        }
    }
    if let Some(vocab) = map.get("@vocab") {
        match vocab {
            Value::Null => result.vocab = None,
            Value::String(v)
                if is_plain_absolute(v)
                    && !map.contains_key(prefix_of(v))
                    && !result.terms.contains_key(prefix_of(v)) =>
            {
                result.vocab = Some(v.clone());
            }
            _ => return Err(unsupported!()),
        }
    }
    let protected = match map.get("@protected") {
        None => false,
        Some(Value::Bool(b)) => *b,
        Some(_) => return Err(unsupported!()),
    };
    let mut defined: HashMap<&str, bool> = HashMap::new();
    let mut definer = Definer {
        local: map,
        defined: &mut defined,
        protected,
        override_protected,
        base,
        depth,
    };
    for key in map.keys() {
        if matches!(
            key.as_str(),
            "@version" | "@vocab" | "@protected" | "@propagate"
        ) {
            continue;
        }
        definer.define(result, key)?;
    }
    Ok(())
}

fn prefix_of(s: &str) -> &str {
    s.split_once(':').map_or("", |(p, _)| p)
}

/// An absolute IRI with a scheme made of the usual characters and nothing that could be
/// read as a compact IRI with a term prefix (checked by the callers).
fn is_plain_absolute(s: &str) -> bool {
    matches!(s.split_once(':'), Some((scheme, _)) if !scheme.is_empty()
        && scheme.bytes().next().is_some_and(|b| b.is_ascii_alphabetic())
        && scheme.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.')))
        && iref::Iri::new(s).is_ok()
}

struct Definer<'a, 'd> {
    local: &'a Map<String, Value>,
    defined: &'d mut HashMap<&'a str, bool>,
    protected: bool,
    override_protected: bool,
    base: Option<&'static str>,
    depth: u8,
}

impl<'a> Definer<'a, '_> {
    /// Create Term Definition (JSON-LD 1.1 API §4.2).
    fn define(&mut self, active: &mut Ctx, term: &'a str) -> R<()> {
        match self.defined.get(term) {
            Some(true) => return Ok(()),
            Some(false) => return Err(unsupported!()),
            None => {}
        }
        if term.is_empty() || is_keyword(term) || looks_like_keyword(term) {
            return Err(unsupported!());
        }
        self.defined.insert(term, false);
        let value = self.local.get(term).ok_or(unsupported!())?;
        let previous = active.terms.remove(term);
        let (map, simple) = match value {
            Value::String(_) => (None, true),
            Value::Object(m) => (Some(m), false),
            _ => return Err(unsupported!()),
        };
        let get = |k: &str| map.and_then(|m| m.get(k));
        if let Some(m) = map {
            for k in m.keys() {
                if !matches!(
                    k.as_str(),
                    "@id"
                        | "@type"
                        | "@container"
                        | "@context"
                        | "@protected"
                        | "@prefix"
                        | "@language"
                        | "@direction"
                        | "@nest"
                        | "@index"
                ) {
                    return Err(unsupported!());
                }
            }
        }
        let protected = match get("@protected") {
            None => self.protected,
            Some(Value::Bool(b)) => *b,
            Some(_) => return Err(unsupported!()),
        };
        let type_mapping = match get("@type") {
            None => None,
            Some(Value::String(t)) => {
                let t = self.expand(active, t, true)?;
                if !(matches!(t.as_str(), "@id" | "@vocab" | "@json" | "@none")
                    || (!t.starts_with('@') && is_plain_absolute(&t)))
                {
                    return Err(unsupported!());
                }
                Some(t)
            }
            Some(_) => return Err(unsupported!()),
        };
        let id = match value {
            Value::String(s) => Some(s.as_str()),
            _ => match get("@id") {
                None => None,
                Some(Value::String(s)) => Some(s.as_str()),
                Some(_) => return Err(unsupported!()),
            },
        };
        let mut prefix = false;
        let iri = match id {
            Some(id) if id != term => {
                if !is_keyword(id) && looks_like_keyword(id) {
                    return Err(unsupported!());
                }
                let iri = self.expand(active, id, true)?;
                if iri == "@context" || (!is_keyword(&iri) && !iri.contains(':')) {
                    return Err(unsupported!());
                }
                if iri.starts_with("_:") {
                    return Err(unsupported!());
                }
                let inner_colon = term
                    .char_indices()
                    .any(|(i, c)| c == ':' && i > 0 && i + 1 < term.len());
                if inner_colon || term.contains('/') {
                    // A term that looks like an IRI must expand to itself.
                    self.defined.insert(term, true);
                    if self.expand(active, term, true)? != iri {
                        return Err(unsupported!());
                    }
                } else if simple && iri.ends_with([':', '/', '?', '#', '[', ']', '@']) {
                    prefix = true;
                }
                iri
            }
            _ => {
                if let Some((p, suffix)) = term.split_once(':').filter(|(p, _)| !p.is_empty()) {
                    if self.local.contains_key(p) {
                        self.define(active, p)?;
                    }
                    match active.terms.get(p) {
                        Some(def) => format!("{}{suffix}", def.iri),
                        None => term.to_string(),
                    }
                } else if term.contains('/') {
                    return Err(unsupported!());
                } else {
                    let vocab = active.vocab.as_ref().ok_or(unsupported!())?;
                    format!("{vocab}{term}")
                }
            }
        };
        let container = match get("@container") {
            None => Container::None,
            Some(Value::String(c)) if c == "@set" => Container::Set,
            Some(Value::String(c)) if is_keyword(c) => Container::Other,
            Some(Value::Array(list)) if list.iter().all(Value::is_string) => Container::Other,
            Some(_) => return Err(unsupported!()),
        };
        if let Some(p) = get("@prefix") {
            if term.contains(':') || term.contains('/') {
                return Err(unsupported!());
            }
            prefix = p.as_bool().ok_or(unsupported!())?;
        }
        let context = match get("@context") {
            None => None,
            Some(v) => {
                // A scoped context must process against the context being defined (the
                // `json-ld` crate checks this here, with protection overridden).
                let mut probe = active.clone();
                process_into(&mut probe, v, self.base, true, self.depth + 1)?;
                Some(Arc::new(Scoped {
                    id: next_id(),
                    value: v.clone(),
                    base: self.base,
                }))
            }
        };
        let unsupported = ["@language", "@direction", "@nest", "@index"]
            .iter()
            .any(|k| get(k).is_some());
        let def = TermDef {
            prefix,
            protected,
            type_mapping,
            container,
            unsupported,
            iri_valid: !iri.starts_with('@') && iref::Iri::new(&iri).is_ok(),
            base_url: context.as_ref().and(self.base),
            context,
            iri,
        };
        let def = match previous {
            Some(prev) if prev.protected && !self.override_protected => {
                if !prev.same_as(&def) {
                    return Err(unsupported!());
                }
                prev
            }
            _ => Arc::new(def),
        };
        active.terms.insert(Arc::from(term), def);
        self.defined.insert(term, true);
        Ok(())
    }

    /// IRI expansion while defining terms (vocab-relative, may define terms it needs).
    fn expand(&mut self, active: &mut Ctx, value: &'a str, vocab: bool) -> R<String> {
        if is_keyword(value) {
            return Ok(value.to_string());
        }
        if looks_like_keyword(value) {
            return Err(unsupported!());
        }
        if self.local.contains_key(value) && self.defined.get(value) != Some(&true) {
            self.define(active, value)?;
        }
        if vocab && let Some(def) = active.terms.get(value) {
            return Ok(def.iri.clone());
        }
        if let Some((p, suffix)) = value.split_once(':').filter(|(p, _)| !p.is_empty()) {
            if p == "_" || suffix.starts_with("//") {
                return Ok(value.to_string());
            }
            if self.local.contains_key(p) && self.defined.get(p) != Some(&true) {
                self.define(active, p)?;
            }
            if let Some(def) = active.terms.get(p)
                && def.prefix
            {
                return Ok(format!("{}{suffix}", def.iri));
            }
            return Ok(value.to_string());
        }
        if vocab && let Some(v) = &active.vocab {
            return Ok(format!("{v}{value}"));
        }
        Err(unsupported!())
    }
}

/// IRI expansion in a document: no `@vocab` fallback (that is an undefined term) and no
/// relative IRIs.
fn expand_doc(ctx: &Ctx, value: &str, vocab: bool) -> R<String> {
    if is_keyword(value) {
        return Ok(value.to_string());
    }
    if looks_like_keyword(value) {
        return Err(unsupported!());
    }
    if vocab && let Some(def) = ctx.terms.get(value) {
        if def.unsupported {
            return Err(unsupported!());
        }
        return Ok(def.iri.clone());
    }
    let (p, suffix) = value
        .split_once(':')
        .filter(|(p, _)| !p.is_empty())
        .ok_or(unsupported!())?;
    if p == "_" {
        return Err(unsupported!());
    }
    if !suffix.starts_with("//")
        && let Some(def) = ctx.terms.get(p)
        && def.prefix
    {
        return Ok(format!("{}{suffix}", def.iri));
    }
    Ok(value.to_string())
}

/// An RDF term as this path produces it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Term {
    Iri(String),
    Blank(usize),
    Literal(String, String),
}

/// A valid absolute IRI (as the `json-ld` processor decides), or give up.
fn iri(s: String) -> R<Term> {
    if s.starts_with('@') || iref::Iri::new(&s).is_err() {
        return Err(unsupported!());
    }
    Ok(Term::Iri(s))
}

struct Expander {
    triples: Vec<[Term; 3]>,
    blanks: usize,
}

/// Expands a document to RDF triples (default graph only).
pub fn to_rdf(doc: &Value) -> R<Vec<[Term; 3]>> {
    let obj = doc.as_object().ok_or(unsupported!())?;
    let mut ex = Expander {
        triples: Vec::new(),
        blanks: 0,
    };
    let before = ex.triples.len();
    ex.node(empty_ctx(), obj, None, true)?;
    if ex.triples.len() == before {
        // A top-level node without statements is dropped by expansion: not our business.
        return Err(unsupported!());
    }
    Ok(ex.triples)
}

/// The document's own `@context`, when it only names bundled contexts.
fn urls_key(value: &Value) -> R<LocalKey> {
    let list: &[Value] = match value {
        Value::Array(list) => list,
        other => std::slice::from_ref(other),
    };
    list.iter()
        .map(|v| match v {
            Value::String(s) if bundled(s).is_some() => Ok(s.clone()),
            _ => Err(unsupported!()),
        })
        .collect::<R<Vec<_>>>()
        .map(LocalKey::Urls)
}

impl Expander {
    fn node(
        &mut self,
        ctx: &'static Ctx,
        obj: &Map<String, Value>,
        property: Option<&'static TermDef>,
        top: bool,
    ) -> R<Term> {
        let mut ctx = ctx;
        // Type-scoped contexts do not reach into nested nodes (unless the node is only a
        // reference).
        if let Some(prev) = ctx.previous {
            let only_id = obj.len() == 1
                && obj
                    .keys()
                    .next()
                    .is_some_and(|k| expand_doc(ctx, k, true).is_ok_and(|e| e == "@id"));
            if !only_id {
                ctx = prev;
            }
        }
        if let Some(scoped) = property.and_then(|p| p.context.as_ref()) {
            ctx = derive(
                ctx,
                LocalKey::Scoped(scoped.id),
                (&scoped.value, scoped.base),
                true,
                true,
            )?;
        }
        if let Some(local) = obj.get("@context") {
            ctx = derive(ctx, urls_key(local)?, (local, None), false, true)?;
        } else if top {
            return Err(unsupported!());
        }
        // Type-scoped contexts, looked up in the context before any of them applies.
        let type_scoped = ctx;
        let mut type_keys: Vec<&String> = obj
            .keys()
            .filter(|k| {
                k.as_str() != "@context"
                    && expand_doc(type_scoped, k, true).is_ok_and(|e| e == "@type")
            })
            .collect();
        type_keys.sort();
        let mut types: Vec<&str> = Vec::new();
        for key in &type_keys {
            let mut values: Vec<&str> = match &obj[key.as_str()] {
                Value::String(s) => vec![s.as_str()],
                Value::Array(list) => list
                    .iter()
                    .map(|v| v.as_str().ok_or(unsupported!()))
                    .collect::<R<_>>()?,
                _ => return Err(unsupported!()),
            };
            values.sort_unstable();
            for v in &values {
                if let Some(def) = type_scoped.terms.get(*v)
                    && let Some(scoped) = &def.context
                {
                    ctx = derive(
                        ctx,
                        LocalKey::Scoped(scoped.id),
                        (&scoped.value, scoped.base),
                        false,
                        false,
                    )?;
                }
            }
            types.extend(values);
        }
        let mut subject = None;
        let mut props: Vec<(&String, String)> = Vec::with_capacity(obj.len());
        for key in obj.keys() {
            if key == "@context" {
                continue;
            }
            let expanded = expand_doc(ctx, key, true)?;
            match expanded.as_str() {
                "@id" => {
                    let id = obj[key.as_str()].as_str().ok_or(unsupported!())?;
                    if subject.is_some() {
                        return Err(unsupported!());
                    }
                    subject = Some(iri(expand_doc(ctx, id, false)?)?);
                }
                "@type" => {}
                e if e.starts_with('@') => return Err(unsupported!()),
                _ => props.push((key, expanded)),
            }
        }
        if top && props.is_empty() && types.is_empty() {
            return Err(unsupported!());
        }
        let subject = match subject {
            Some(s) => s,
            None => {
                self.blanks += 1;
                Term::Blank(self.blanks)
            }
        };
        for t in types {
            let t = match type_scoped.terms.get(t) {
                Some(d) if d.iri_valid && !d.unsupported => Term::Iri(d.iri.clone()),
                _ => iri(expand_doc(type_scoped, t, true)?)?,
            };
            self.triples
                .push([subject.clone(), Term::Iri(RDF_TYPE.into()), t]);
        }
        for (key, predicate) in props {
            let def: Option<&'static TermDef> = ctx.terms.get(key.as_str()).map(|d| &**d);
            let predicate = match def {
                Some(d) if d.iri_valid && d.iri == predicate => Term::Iri(predicate),
                _ => iri(predicate)?,
            };
            // (`@json` makes even an object value a literal.)
            if let Some(d) = def
                && (d.unsupported
                    || d.container == Container::Other
                    || d.type_mapping.as_deref() == Some("@json"))
            {
                return Err(unsupported!());
            }
            let values: &[Value] = match &obj[key.as_str()] {
                Value::Array(list) => list,
                other => std::slice::from_ref(other),
            };
            for value in values {
                let object = match value {
                    Value::Null => continue,
                    Value::Object(child) => self.node(ctx, child, def, false)?,
                    Value::Array(_) => return Err(unsupported!()),
                    scalar => scalar_value(ctx, key, def, scalar)?,
                };
                self.triples
                    .push([subject.clone(), predicate.clone(), object]);
            }
        }
        Ok(subject)
    }
}

/// Value expansion and conversion to an RDF term for a string, number or boolean.
fn scalar_value(
    ctx: &'static Ctx,
    key: &str,
    def: Option<&'static TermDef>,
    value: &Value,
) -> R<Term> {
    // A property-scoped context applies to the value, and may redefine the property.
    let (ctx, def) = match def.and_then(|d| d.context.as_ref()) {
        Some(scoped) => {
            let c = derive(
                ctx,
                LocalKey::Scoped(scoped.id),
                (&scoped.value, scoped.base),
                true,
                true,
            )?;
            (c, c.terms.get(key).map(|d| &**d))
        }
        None => (ctx, def),
    };
    if let Some(d) = def
        && (d.unsupported || d.container == Container::Other)
    {
        return Err(unsupported!());
    }
    let mapping = def.and_then(|d| d.type_mapping.as_deref());
    let datatype = match mapping {
        Some("@json" | "@none") => return Err(unsupported!()),
        Some("@id") => {
            if let Value::String(s) = value {
                return iri(expand_doc(ctx, s, false)?);
            }
            None
        }
        Some("@vocab") => {
            if let Value::String(s) = value {
                return iri(expand_doc(ctx, s, true)?);
            }
            None
        }
        other => other,
    };
    let (lexical, default) = match value {
        Value::String(s) => (s.clone(), XSD_STRING),
        Value::Bool(b) => (b.to_string(), XSD_BOOLEAN),
        Value::Number(n) if n.is_i64() && datatype != Some(XSD_DOUBLE) => {
            (n.to_string(), XSD_INTEGER)
        }
        _ => return Err(unsupported!()),
    };
    // A datatype is one of ours or a type mapping, checked when its term was defined.
    Ok(Term::Literal(
        lexical,
        datatype.unwrap_or(default).to_string(),
    ))
}
