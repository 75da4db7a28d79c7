//! Static files like a CDN serves them: precompressed variants by content negotiation,
//! year-long immutable caching for hashed names, validators and 304s, security headers.

#![allow(clippy::unwrap_used)]

mod common;

use axum::{
    body::Body,
    http::{Request, header},
};
use http_body_util::BodyExt as _;
use tower::ServiceExt as _;

/// Named as cargo-leptos names it: base64url of the MD5 of its content (`[7; 4000]`).
const WASM: &str = "/pkg/badgefolio.jNZgySpoEivN04j2QSykag.wasm";

struct Site {
    router: axum::Router,
    _dir: tempfile::TempDir,
}

async fn site() -> Site {
    let dir = tempfile::tempdir().unwrap();
    let pkg = dir.path().join("site/pkg");
    std::fs::create_dir_all(&pkg).unwrap();
    let name = WASM.rsplit('/').next().unwrap();
    std::fs::write(pkg.join(name), vec![7u8; 4000]).unwrap();
    std::fs::write(pkg.join(format!("{name}.br")), b"brotli bytes").unwrap();
    std::fs::write(pkg.join(format!("{name}.gz")), b"gzip bytes!!").unwrap();
    std::fs::write(dir.path().join("site/favicon.svg"), "<svg/>".repeat(100)).unwrap();
    // A "compressed" version that is larger than the file is not used.
    std::fs::write(dir.path().join("site/favicon.svg.br"), vec![1u8; 5000]).unwrap();
    let db = common::database(common::Backend::Sqlite, &dir)
        .await
        .unwrap();
    let state = app::server::AppState::new(
        db,
        server::leptos_options(&dir.path().join("site"), "127.0.0.1:3000".parse().unwrap()),
        app::server::Settings::for_public_url(common::PUBLIC_URL),
    );
    Site {
        router: server::router::build(state),
        _dir: dir,
    }
}

async fn get(
    site: &Site,
    path: &str,
    headers: &[(&str, &str)],
    method: &str,
) -> (u16, axum::http::HeaderMap, Vec<u8>) {
    let mut req = Request::builder().method(method).uri(path);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let res = site
        .router
        .clone()
        .oneshot(req.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = res.status().as_u16();
    let headers = res.headers().clone();
    let body = res.into_body().collect().await.unwrap().to_bytes().to_vec();
    (status, headers, body)
}

fn h(headers: &axum::http::HeaderMap, name: header::HeaderName) -> Option<&str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

#[tokio::test]
async fn hashed_files_are_negotiated_precompressed_and_immutable() {
    let site = site().await;
    let (status, hd, body) = get(
        &site,
        WASM,
        &[("accept-encoding", "gzip, deflate, br")],
        "GET",
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(body, b"brotli bytes");
    assert_eq!(h(&hd, header::CONTENT_ENCODING), Some("br"));
    assert_eq!(h(&hd, header::CONTENT_TYPE), Some("application/wasm"));
    assert_eq!(
        h(&hd, header::CACHE_CONTROL),
        Some("public, max-age=31536000, immutable")
    );
    assert_eq!(h(&hd, header::VARY), Some("Accept-Encoding"));
    assert!(h(&hd, header::LAST_MODIFIED).is_some());
    assert_eq!(
        h(&hd, header::X_CONTENT_TYPE_OPTIONS),
        Some("nosniff"),
        "security headers stay"
    );
    let br_etag = h(&hd, header::ETAG).unwrap().to_string();

    let (_, hd, body) = get(&site, WASM, &[("accept-encoding", "gzip, br;q=0")], "GET").await;
    assert_eq!(
        (body.as_slice(), h(&hd, header::CONTENT_ENCODING)),
        (&b"gzip bytes!!"[..], Some("gzip"))
    );
    assert_ne!(
        h(&hd, header::ETAG),
        Some(br_etag.as_str()),
        "each encoding has its own ETag"
    );

    let (_, hd, body) = get(&site, WASM, &[], "GET").await;
    assert_eq!(body, vec![7u8; 4000]);
    assert_eq!(h(&hd, header::CONTENT_ENCODING), None);
    let (_, hd, body) = get(&site, WASM, &[("accept-encoding", "identity")], "GET").await;
    assert_eq!((body.len(), h(&hd, header::CONTENT_ENCODING)), (4000, None));

    // Revalidation: 304 without a body.
    let (status, hd, body) = get(
        &site,
        WASM,
        &[("accept-encoding", "br"), ("if-none-match", &br_etag)],
        "GET",
    )
    .await;
    assert_eq!(status, 304);
    assert!(body.is_empty());
    assert_eq!(h(&hd, header::ETAG), Some(br_etag.as_str()));
    assert_eq!(
        h(&hd, header::CONTENT_ENCODING),
        None,
        "a 304 carries validators only"
    );
    let lm = {
        let (_, hd, _) = get(&site, WASM, &[], "GET").await;
        h(&hd, header::LAST_MODIFIED).unwrap().to_string()
    };
    let (status, _, _) = get(&site, WASM, &[("if-modified-since", &lm)], "GET").await;
    assert_eq!(status, 304);
    let (status, _, _) = get(&site, WASM, &[("if-none-match", "\"other\"")], "GET").await;
    assert_eq!(status, 200);

    // HEAD: the length, no body.
    let (status, hd, body) = get(&site, WASM, &[("accept-encoding", "br")], "HEAD").await;
    assert_eq!((status, body.len()), (200, 0));
    assert_eq!(h(&hd, header::CONTENT_LENGTH), Some("12"));
}

#[tokio::test]
async fn unhashed_files_get_a_short_lifetime_and_useless_variants_are_skipped() {
    let site = site().await;
    let (status, hd, body) = get(&site, "/favicon.svg", &[("accept-encoding", "br")], "GET").await;
    assert_eq!(status, 200);
    assert_eq!(h(&hd, header::CACHE_CONTROL), Some("public, max-age=300"));
    assert!(h(&hd, header::ETAG).is_some());
    // The .br made at build time is larger than the file, so it is not sent (the
    // file is compressed on the way out instead).
    assert_eq!(h(&hd, header::CONTENT_ENCODING), Some("br"));
    assert_ne!(body, vec![1u8; 5000]);
    // A signed-in browser gets the same caching for static files.
    let (_, hd, _) = get(
        &site,
        "/favicon.svg",
        &[("cookie", "badgefolio_session=abc")],
        "GET",
    )
    .await;
    assert_eq!(h(&hd, header::CACHE_CONTROL), Some("public, max-age=300"));
    let (_, hd, _) = get(&site, WASM, &[("cookie", "badgefolio_session=abc")], "GET").await;
    assert_eq!(
        h(&hd, header::CACHE_CONTROL),
        Some("public, max-age=31536000, immutable")
    );
    // A file without a build-time variant may still be compressed on the way out.
    let (_, hd, _) = get(&site, "/favicon.svg", &[("accept-encoding", "gzip")], "GET").await;
    assert_eq!(h(&hd, header::CONTENT_ENCODING), Some("gzip"));
    // Anything else goes on to the app.
    let (status, _, _) = get(&site, "/pkg/missing.js", &[], "GET").await;
    assert_eq!(status, 404);
}

/// A split release site as `cargo leptos build --release --split --precompress` writes it:
/// returns its root and the content of its `hash.txt`.
fn split_site(dir: &std::path::Path) -> (std::path::PathBuf, String) {
    let root = dir.join("split-site");
    let pkg = root.join("pkg");
    std::fs::create_dir_all(&pkg).unwrap();
    let w = |name: &str, body: &[u8]| std::fs::write(pkg.join(name), body).unwrap();
    let js = "badgefolio.JsJsJsJsJsJsJsJsJsJsJs.js";
    let loader = "__wasm_split.LoLoLoLoLoLoLoLoLoLoLo.js";
    w(
        js,
        format!("import * as s from \"./{loader}\";\nconst u = new URL('badgefolio_bg.wasm', import.meta.url);\nfunction w(){{return {{\"./badgefolio_bg.js\" : {{}}}}}}").as_bytes(),
    );
    w("badgefolio.WaWaWaWaWaWaWaWaWaWaWa.wasm", b"\0asm main");
    w("badgefolio.CsCsCsCsCsCsCsCsCsCsCs.css", b"body{}");
    w(
        loader,
        b"import { initSync } from \"./badgefolio.JsJsJsJsJsJsJsJsJsJsJs.js\";\n\
          const a = makeLoad(() => fetch(\"./chunk_1.AaAaAaAaAaAaAaAaAaAaAa.wasm\"));\n\
          const b = makeLoad(() => fetch('./split___page_view_1.BbBbBbBbBbBbBbBbBbBbBb.wasm'));",
    );
    w(
        "__wasm_split_manifest.MaMaMaMaMaMaMaMaMaMaMa.json",
        br#"{"__page_view_1": ["chunk_1.AaAaAaAaAaAaAaAaAaAaAa", "split___page_view_1.BbBbBbBbBbBbBbBbBbBbBb"]}"#,
    );
    w(
        "chunk_1.AaAaAaAaAaAaAaAaAaAaAa.wasm",
        b"\0asm imports __wasm_split.LoLoLoLoLoLoLoLoLoLoLo.js end",
    );
    w(
        "split___page_view_1.BbBbBbBbBbBbBbBbBbBbBb.wasm",
        b"\0asm page",
    );
    let hash_txt = "js: JsJsJsJsJsJsJsJsJsJsJs\nwasm: WaWaWaWaWaWaWaWaWaWaWa\ncss: CsCsCsCsCsCsCsCsCsCsCs\n\
                    manifest: MaMaMaMaMaMaMaMaMaMaMa\nsplit: LoLoLoLoLoLoLoLoLoLoLo\n";
    (root, hash_txt.to_string())
}

fn check(root: &std::path::Path, hash_txt: &str) -> Vec<String> {
    let assets = server::routes::assets::Assets::load(root);
    server::site_check::check(root, "pkg", "badgefolio", Some(hash_txt), &assets)
}

#[test]
fn a_whole_split_site_passes_and_the_check_follows_every_name() {
    let dir = tempfile::tempdir().unwrap();
    let (root, hash_txt) = split_site(dir.path());
    assert_eq!(check(&root, &hash_txt), Vec::<String>::new());
    // What the check follows: the pages' files, the manifest's chunks, the loader's
    // fetches, the chunks' loader name.
    let pkg = root.join("pkg");
    let named = server::site_check::entry_files(&pkg, "badgefolio", Some(&hash_txt));
    assert_eq!(named.len(), 5, "{named:?}");
    let loader =
        std::fs::read_to_string(pkg.join("__wasm_split.LoLoLoLoLoLoLoLoLoLoLo.js")).unwrap();
    let refs = server::site_check::js_references(&loader);
    assert!(
        refs.contains("chunk_1.AaAaAaAaAaAaAaAaAaAaAa.wasm"),
        "{refs:?}"
    );
    assert!(
        refs.contains("split___page_view_1.BbBbBbBbBbBbBbBbBbBbBb.wasm"),
        "{refs:?}"
    );
    assert!(
        refs.contains("badgefolio.JsJsJsJsJsJsJsJsJsJsJs.js"),
        "{refs:?}"
    );
    let chunk = std::fs::read(pkg.join("chunk_1.AaAaAaAaAaAaAaAaAaAaAa.wasm")).unwrap();
    assert_eq!(
        server::site_check::wasm_references(&chunk)
            .into_iter()
            .collect::<Vec<_>>(),
        ["__wasm_split.LoLoLoLoLoLoLoLoLoLoLo.js"]
    );
}

#[tokio::test]
async fn split_files_are_immutable_only_when_their_name_is_their_content_hash() {
    let dir = tempfile::tempdir().unwrap();
    let (root, _) = split_site(dir.path());
    // A chunk named by the MD5 of its content, with a brotli version.
    let chunk = root.join("pkg/chunk_2.VmkZjBeWM_2RygzaryiqrQ.wasm");
    std::fs::write(&chunk, vec![9u8; 3000]).unwrap();
    std::fs::write(chunk.with_extension("wasm.br"), b"tiny").unwrap();
    let db = common::database(common::Backend::Sqlite, &dir)
        .await
        .unwrap();
    let state = app::server::AppState::new(
        db,
        server::leptos_options(&root, "127.0.0.1:3000".parse().unwrap()),
        app::server::Settings::for_public_url(common::PUBLIC_URL),
    );
    let site = Site {
        router: server::router::build(state),
        _dir: dir,
    };
    let (status, hd, body) = get(
        &site,
        "/pkg/chunk_2.VmkZjBeWM_2RygzaryiqrQ.wasm",
        &[("accept-encoding", "gzip, br")],
        "GET",
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        h(&hd, header::CACHE_CONTROL),
        Some("public, max-age=31536000, immutable")
    );
    assert_eq!(h(&hd, header::CONTENT_ENCODING), Some("br"));
    assert_eq!(h(&hd, header::CONTENT_TYPE), Some("application/wasm"));
    assert_eq!(body, b"tiny");
    // Names whose hash is not the content's (cargo-leptos --split writes the loader's
    // name into the JS glue after naming it): served, but revalidated on every use,
    // so a later build that reuses the name is never hidden behind a year of cache.
    for path in [
        "/pkg/chunk_1.AaAaAaAaAaAaAaAaAaAaAa.wasm",
        "/pkg/split___page_view_1.BbBbBbBbBbBbBbBbBbBbBb.wasm",
        "/pkg/__wasm_split.LoLoLoLoLoLoLoLoLoLoLo.js",
        "/pkg/badgefolio.JsJsJsJsJsJsJsJsJsJsJs.js",
    ] {
        let (status, hd, _) = get(&site, path, &[("accept-encoding", "br")], "GET").await;
        assert_eq!(status, 200, "{path}");
        assert_eq!(h(&hd, header::CACHE_CONTROL), Some("no-cache"), "{path}");
        let etag = h(&hd, header::ETAG).unwrap().to_string();
        let (status, _, body) = get(
            &site,
            path,
            &[("accept-encoding", "br"), ("if-none-match", &etag)],
            "GET",
        )
        .await;
        assert_eq!((status, body.len()), (304, 0), "{path}");
    }
}

#[test]
fn a_chunk_the_manifest_names_that_is_missing_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let (root, hash_txt) = split_site(dir.path());
    std::fs::remove_file(root.join("pkg/split___page_view_1.BbBbBbBbBbBbBbBbBbBbBb.wasm")).unwrap();
    let problems = check(&root, &hash_txt);
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(problems[0].contains("split___page_view_1.BbBbBbBbBbBbBbBbBbBbBb.wasm"));
    assert!(problems[0].contains("does not exist"));
}

#[test]
fn a_chunk_only_the_loader_names_that_is_missing_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let (root, hash_txt) = split_site(dir.path());
    let loader = root.join("pkg/__wasm_split.LoLoLoLoLoLoLoLoLoLoLo.js");
    let mut js = std::fs::read_to_string(&loader).unwrap();
    js.push_str("\nconst c = makeLoad(() => fetch(\"./chunk_9.ZzZzZzZzZzZzZzZzZzZzZz.wasm\"));");
    std::fs::write(&loader, js).unwrap();
    let problems = check(&root, &hash_txt);
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(problems[0].contains("/pkg/chunk_9.ZzZzZzZzZzZzZzZzZzZzZz.wasm is named by __wasm_split.LoLoLoLoLoLoLoLoLoLoLo.js"));
}

#[test]
fn a_stale_hash_file_or_loader_name_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let (root, hash_txt) = split_site(dir.path());
    // hash.txt from another build: the pages would name a WASM that is not there.
    let stale = hash_txt.replace("WaWaWaWaWaWaWaWaWaWaWa", "OldOldOldOldOldOldOldO");
    let problems = check(&root, &stale);
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(problems[0].contains("badgefolio.OldOldOldOldOldOldOldO.wasm"));
    // A chunk naming a loader that is not there.
    std::fs::write(
        root.join("pkg/chunk_1.AaAaAaAaAaAaAaAaAaAaAa.wasm"),
        b"\0asm __wasm_split.GoneGoneGoneGoneGoneGo.js",
    )
    .unwrap();
    let problems = check(&root, &hash_txt);
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(problems[0].contains("__wasm_split.GoneGoneGoneGoneGoneGo.js"));
    // An unreadable manifest.
    std::fs::write(
        root.join("pkg/__wasm_split_manifest.MaMaMaMaMaMaMaMaMaMaMa.json"),
        "[",
    )
    .unwrap();
    assert!(
        check(&root, &hash_txt)
            .iter()
            .any(|p| p.contains("unreadable split manifest"))
    );
}

#[test]
fn a_hashed_build_must_not_name_unhashed_files() {
    let dir = tempfile::tempdir().unwrap();
    let (root, hash_txt) = split_site(dir.path());
    let loader = root.join("pkg/__wasm_split.LoLoLoLoLoLoLoLoLoLoLo.js");
    let mut js = std::fs::read_to_string(&loader).unwrap();
    js.push_str("\nfetch(\"./plain.wasm\");");
    std::fs::write(&loader, js).unwrap();
    std::fs::write(root.join("pkg/plain.wasm"), b"\0asm").unwrap();
    let problems = check(&root, &hash_txt);
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(problems[0].contains("/pkg/plain.wasm") && problems[0].contains("no content hash"));
}
