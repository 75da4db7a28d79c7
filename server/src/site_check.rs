//! Checks a built site before it is served: every file that the rendered pages, the
//! JS glue, the split loader, the split manifest and the WASM chunks name must exist and
//! be served.
//!
//! Hashed names are cached by browsers for a year as `immutable`: a loader that names a
//! chunk the server does not have would break every client that cached it, for a year.
//! So a release site (one with `hash.txt`) that fails this check is not served at all.
//!
//! What names what in a `cargo leptos build --release --split` site (`hash-files`):
//! - `hash.txt` (beside the binary) gives the hashes of `pkg/<output>.<hash>.{js,wasm,css}`,
//!   of the split manifest `pkg/__wasm_split_manifest.<hash>.json` and of the loader
//!   `pkg/__wasm_split.<hash>.js`: the pages name these;
//! - the manifest maps every lazy function to the chunks it needs (`chunk_N.<hash>`, no
//!   `.wasm`): pages preload them;
//! - the JS files (glue and loader) import and fetch files by relative name
//!   (`"./chunk_7.<hash>.wasm"`, `"./badgefolio.<hash>.js"`);
//! - the WASM files may name the loader (`__wasm_split.<hash>.js`).

use std::{
    collections::{BTreeMap, BTreeSet},
    path::Path,
};

use crate::routes::assets::{Assets, is_hashed};

/// The split loader's name before cargo-leptos puts its hash in.
const LOADER_PLACEHOLDER: &str = "__wasm_split.______________________.js";

/// The file names (under the pkg folder) that the pages name, read from `hash.txt`, or
/// the unhashed names when there is no hash file. The manifest and the loader are only
/// listed when the build made them.
pub fn entry_files(pkg: &Path, output_name: &str, hash_txt: Option<&str>) -> Vec<String> {
    let mut out = Vec::new();
    match hash_txt {
        Some(text) => {
            for line in text.lines() {
                let Some((kind, hash)) = line.split_once(':') else {
                    continue;
                };
                let hash = hash.trim();
                match kind.trim() {
                    kind @ ("js" | "wasm" | "css") => {
                        out.push(format!("{output_name}.{hash}.{kind}"));
                    }
                    "manifest" => out.push(format!("__wasm_split_manifest.{hash}.json")),
                    "split" => out.push(format!("__wasm_split.{hash}.js")),
                    _ => {}
                }
            }
        }
        None => {
            for ext in ["js", "wasm", "css"] {
                out.push(format!("{output_name}.{ext}"));
            }
            for name in ["__wasm_split_manifest.json", LOADER_PLACEHOLDER] {
                if pkg.join(name).is_file() {
                    out.push(name.to_string());
                }
            }
        }
    }
    out
}

/// The chunks (file names, with `.wasm`) a split manifest names, by lazy function.
///
/// # Errors
/// When the manifest is not the JSON object of string lists cargo-leptos writes.
pub fn manifest_chunks(json: &str) -> Result<BTreeMap<String, Vec<String>>, String> {
    let map: BTreeMap<String, Vec<String>> =
        serde_json::from_str(json).map_err(|e| format!("unreadable split manifest: {e}"))?;
    Ok(map
        .into_iter()
        .map(|(k, v)| (k, v.into_iter().map(|c| format!("{c}.wasm")).collect()))
        .collect())
}

/// The files a JS module names by relative path: string literals `"./name.js"` or
/// `"./name.wasm"` (either quote), as the wasm-bindgen glue and the split loader write
/// their imports and fetches; object keys (`"./name_bg.js": {…}`) are not files.
pub fn js_references(js: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for quote in ['"', '\''] {
        let mut rest = js;
        while let Some(start) = rest.find(quote) {
            let after = &rest[start + 1..];
            let Some(end) = after.find(quote) else { break };
            let literal = &after[..end];
            // `"./x_bg.js": {…}` is the key of wasm-bindgen's imports object, no file.
            let is_key = after[end + 1..].trim_start().starts_with(':');
            if !is_key
                && let Some(name) = literal.strip_prefix("./")
                && !name.contains('/')
                && (name.ends_with(".js") || name.ends_with(".wasm"))
            {
                out.insert(name.to_string());
            }
            rest = &after[end + 1..];
        }
    }
    out
}

/// The loader names a WASM file carries (`__wasm_split.<hash>.js`).
pub fn wasm_references(bytes: &[u8]) -> BTreeSet<String> {
    const PREFIX: &[u8] = b"__wasm_split.";
    let len = LOADER_PLACEHOLDER.len();
    let mut out = BTreeSet::new();
    let mut i = 0;
    while i + len <= bytes.len() {
        if bytes[i..].starts_with(PREFIX) {
            let candidate = &bytes[i..i + len];
            if candidate.ends_with(b".js")
                && candidate[PREFIX.len()..len - 3]
                    .iter()
                    .all(|b| b.is_ascii_alphanumeric() || *b == b'-' || *b == b'_')
                && let Ok(name) = std::str::from_utf8(candidate)
            {
                out.insert(name.to_string());
            }
            i += PREFIX.len();
        } else {
            i += 1;
        }
    }
    out
}

/// Every problem with the site at `site_root` (pkg folder `pkg_dir`): files named by the
/// pages (`hash_txt`, the content of `hash.txt`, or `None` for an unhashed build), the
/// manifest, the JS or the WASM that are missing or not served, or named without a
/// hash in a hashed build. Empty when the site is whole.
pub fn check(
    site_root: &Path,
    pkg_dir: &str,
    output_name: &str,
    hash_txt: Option<&str>,
    assets: &Assets,
) -> Vec<String> {
    let pkg = site_root.join(pkg_dir);
    let mut problems = Vec::new();
    // Which file named which, to report where a missing name came from.
    let mut named: BTreeMap<String, String> = BTreeMap::new();
    let source = if hash_txt.is_some() {
        "hash.txt"
    } else {
        "the page"
    };
    for name in entry_files(&pkg, output_name, hash_txt) {
        named.entry(name).or_insert_with(|| source.to_string());
    }
    if hash_txt.is_some_and(|t| !t.lines().any(|l| l.trim_start().starts_with("wasm:"))) {
        problems.push("hash.txt names no WASM bundle".to_string());
    }
    let manifests: Vec<String> = named
        .keys()
        .filter(|n| n.starts_with("__wasm_split_manifest"))
        .cloned()
        .collect();
    for manifest in manifests {
        let Ok(json) = std::fs::read_to_string(pkg.join(&manifest)) else {
            continue; // reported below as missing
        };
        match manifest_chunks(&json) {
            Ok(map) => {
                for (lazy, chunks) in map {
                    for chunk in chunks {
                        named
                            .entry(chunk)
                            .or_insert_with(|| format!("{manifest} ({lazy})"));
                    }
                }
            }
            Err(e) => problems.push(format!("{manifest}: {e}")),
        }
    }
    // Follow the JS and WASM files transitively: whatever they name must exist too.
    let mut queue: Vec<String> = named.keys().cloned().collect();
    let mut seen = BTreeSet::new();
    while let Some(name) = queue.pop() {
        if !seen.insert(name.clone()) {
            continue;
        }
        let path = pkg.join(&name);
        let refs = if name.ends_with(".js") {
            std::fs::read_to_string(&path)
                .map(|js| js_references(&js))
                .unwrap_or_default()
        } else if name.ends_with(".wasm") {
            std::fs::read(&path)
                .map(|b| wasm_references(&b))
                .unwrap_or_default()
        } else {
            BTreeSet::new()
        };
        for r in refs {
            if !named.contains_key(&r) {
                named.insert(r.clone(), name.clone());
                queue.push(r);
            }
        }
    }
    for (name, by) in &named {
        let url = format!("/{pkg_dir}/{name}");
        if !pkg.join(name).is_file() {
            problems.push(format!("{url} is named by {by} but does not exist"));
            continue;
        }
        // Served, and in a hashed build under a hashed name (cached for a year when the
        // hash is the content's, else revalidated: see `routes::assets`), never under a
        // plain name that a later build could reuse for other content.
        match assets.cache_control(&url) {
            None => problems.push(format!("{url} (named by {by}) is not served")),
            Some(_) if hash_txt.is_some() && !is_hashed(name) => {
                problems.push(format!(
                    "{url} (named by {by}) has no content hash in its name"
                ));
            }
            Some(_) => {}
        }
    }
    problems
}
