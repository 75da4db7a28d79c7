//! The fetcher against a real HTTP server on 127.0.0.1 (and a fixed name table for host
//! names), checking what is refused, what is followed and what is cached. No request
//! here ever leaves the machine: every non-loopback address is refused before sending.

use std::{
    collections::HashMap,
    convert::Infallible,
    net::{IpAddr, SocketAddr},
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
    time::Duration,
};

use axum::{
    Router,
    body::{Body, Bytes},
    extract::{Path, Query, State},
    http::{StatusCode, header},
    response::{IntoResponse, Response},
    routing::get,
};
use fetcher::{
    DocumentKind, ErrorKind, FetchError, FetchSettings, Fetcher, Lookup, NetworkResolver,
    address::AddressClass, dns::LookupFuture,
};
use openbadges::verify::{Resolution, Resolver};
use serde_json::json;

#[derive(Clone, Default)]
struct Hits(Arc<HashMap<&'static str, AtomicUsize>>);

impl Hits {
    fn new() -> Self {
        let mut m = HashMap::new();
        for k in ["cached", "nostore", "stale", "target", "counted-missing"] {
            m.insert(k, AtomicUsize::new(0));
        }
        Self(Arc::new(m))
    }
    fn hit(&self, k: &str) {
        if let Some(c) = self.0.get(k) {
            c.fetch_add(1, Ordering::SeqCst);
        }
    }
    fn get(&self, k: &str) -> usize {
        self.0.get(k).map_or(0, |c| c.load(Ordering::SeqCst))
    }
}

fn json_response(body: serde_json::Value, cache_control: Option<&'static str>) -> Response {
    let mut r = (
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response();
    if let Some(cc) = cache_control {
        r.headers_mut()
            .insert(header::CACHE_CONTROL, header::HeaderValue::from_static(cc));
    }
    r
}

fn redirect(to: String) -> Response {
    (StatusCode::FOUND, [(header::LOCATION, to)]).into_response()
}

async fn serve() -> (SocketAddr, Hits) {
    let hits = Hits::new();
    let app = Router::new()
        .route("/doc.json", get(|| async { json_response(json!({"ok": true}), None) }))
        .route(
            "/cached.json",
            get(|State(h): State<Hits>| async move {
                h.hit("cached");
                json_response(json!({"n": h.get("cached")}), Some("max-age=600"))
            }),
        )
        .route(
            "/nostore.json",
            get(|State(h): State<Hits>| async move {
                h.hit("nostore");
                json_response(json!({"n": h.get("nostore")}), Some("no-store"))
            }),
        )
        .route(
            "/stale.json",
            get(|State(h): State<Hits>| async move {
                h.hit("stale");
                json_response(json!({"n": h.get("stale")}), Some("max-age=0"))
            }),
        )
        .route(
            "/target.json",
            get(|State(h): State<Hits>| async move {
                h.hit("target");
                json_response(json!({"target": true}), None)
            }),
        )
        .route(
            "/counted-missing",
            get(|State(h): State<Hits>| async move {
                h.hit("counted-missing");
                StatusCode::NOT_FOUND
            }),
        )
        // An open redirect, as many websites have one.
        .route(
            "/redirect",
            get(|Query(q): Query<HashMap<String, String>>| async move {
                redirect(q.get("to").cloned().unwrap_or_default())
            }),
        )
        .route("/gone", get(|| async { StatusCode::GONE }))
        .route("/missing", get(|| async { StatusCode::NOT_FOUND }))
        .route("/broken", get(|| async { StatusCode::INTERNAL_SERVER_ERROR }))
        .route(
            "/page.html",
            get(|| async { ([(header::CONTENT_TYPE, "text/html")], "<p>hi</p>") }),
        )
        .route(
            "/token.jwt",
            get(|| async {
                (
                    [(header::CONTENT_TYPE, "application/vc+jwt")],
                    "eyJhbGciOiJFZERTQSJ9.eyJpc3MiOiJ4In0.c2ln\n",
                )
            }),
        )
        .route(
            "/notjson.json",
            get(|| async { ([(header::CONTENT_TYPE, "application/json")], "{not json") }),
        )
        .route(
            "/big.json",
            get(|| async {
                let body = format!("[{}0]", "0,".repeat(100_000));
                ([(header::CONTENT_TYPE, "application/json")], body)
            }),
        )
        .route(
            "/endless.json",
            get(|| async {
                // No length, never ends: only a reader that stops at the cap gets an answer.
                let chunks = futures_stream();
                (
                    [(header::CONTENT_TYPE, "application/json")],
                    Body::from_stream(chunks),
                )
            }),
        )
        .route(
            "/hop/{n}",
            get(|Path(n): Path<u32>| async move {
                if n == 0 {
                    redirect("/doc.json".into())
                } else {
                    redirect(format!("/hop/{}", n - 1))
                }
            }),
        )
        .route("/to-private", get(|| async { redirect("http://10.0.0.1/doc.json".into()) }))
        .route(
            "/to-metadata",
            get(|| async { redirect("http://169.254.169.254/latest/meta-data/".into()) }),
        )
        .route(
            "/to-mapped",
            get(|| async { redirect("http://[::ffff:127.0.0.1]/doc.json".into()) }),
        )
        .route(
            "/to-intranet",
            get(|| async { redirect("http://intranet.example/doc.json".into()) }),
        )
        .route(
            "/.well-known/did.json",
            get(|| async { json_response(json!({"id": "did:web:root"}), None) }),
        )
        .route(
            "/issuers/a/did.json",
            get(|| async { json_response(json!({"id": "did:web:a"}), None) }),
        )
        .route(
            "/ob2/assertion.json",
            get(|| async {
                json_response(
                    json!({"@context": "https://w3id.org/openbadges/v2", "type": "Assertion", "id": "x"}),
                    None,
                )
            }),
        )
        .route(
            "/ob2/key.json",
            get(|| async {
                json_response(
                    json!({"@context": "https://w3id.org/openbadges/v2", "type": "CryptographicKey", "publicKeyPem": "-----BEGIN"}),
                    None,
                )
            }),
        )
        .with_state(hits.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (addr, hits)
}

fn futures_stream() -> impl futures_util::Stream<Item = Result<Bytes, Infallible>> + Send + 'static
{
    futures_util::stream::repeat_with(|| Ok(Bytes::from_static(&[b' '; 8192])))
}

/// A fixed name table instead of DNS.
struct Table(HashMap<&'static str, Vec<IpAddr>>);

impl Lookup for Table {
    fn lookup(&self, host: &str) -> LookupFuture {
        let found = self.0.get(host).cloned();
        Box::pin(async move {
            found.ok_or_else(|| std::io::Error::new(std::io::ErrorKind::NotFound, "no such name"))
        })
    }
}

fn table(entries: &[(&'static str, &str)]) -> Arc<Table> {
    let mut m: HashMap<&'static str, Vec<IpAddr>> = HashMap::new();
    for (name, ip) in entries {
        m.entry(name).or_default().push(ip.parse().expect("ip"));
    }
    Arc::new(Table(m))
}

fn loopback_on() -> Fetcher {
    Fetcher::new(FetchSettings::with_allow_loopback(true))
}

fn refused_as(result: Result<Arc<serde_json::Value>, FetchError>, class: AddressClass) {
    match result {
        Err(FetchError::RefusedAddress { class: c, .. }) => assert_eq!(c, class),
        other => panic!("expected a refusal as {class:?}, got {other:?}"),
    }
}

#[tokio::test]
async fn loopback_is_refused_by_default() {
    let (addr, _) = serve().await;
    let fetcher = Fetcher::new(FetchSettings::default());
    let url = format!("http://{addr}/doc.json");
    // As an OB 2.0 object plain http would be fine: the address is what is refused.
    refused_as(
        fetcher.get_json(&url, DocumentKind::Ob2Hosted).await,
        AddressClass::Loopback,
    );
    // As a DID document too: the address is named, before the scheme.
    refused_as(
        fetcher.get_json(&url, DocumentKind::DidDocument).await,
        AddressClass::Loopback,
    );
    let port = addr.port();
    for url in [
        format!("https://localhost:{port}/doc.json"),
        format!("https://[::1]:{port}/doc.json"),
    ] {
        let e = fetcher
            .get_json(&url, DocumentKind::Document)
            .await
            .expect_err(&url);
        assert_eq!(e.kind(), ErrorKind::Refused, "{url}: {e}");
    }
}

#[tokio::test]
async fn loopback_is_allowed_with_the_setting_over_plain_http_too() {
    let (addr, _) = serve().await;
    let fetcher = loopback_on();
    for kind in [
        DocumentKind::DidDocument,
        DocumentKind::Jwks,
        DocumentKind::Document,
        DocumentKind::Ob2Hosted,
    ] {
        let v = fetcher
            .get_json(&format!("http://{addr}/doc.json"), kind)
            .await
            .expect("loopback allowed");
        assert_eq!(*v, json!({"ok": true}));
    }
    // `localhost` is looked up by the system resolver, and its addresses checked.
    let v = fetcher
        .get_json(
            &format!("http://localhost:{}/doc.json", addr.port()),
            DocumentKind::Document,
        )
        .await
        .expect("localhost allowed");
    assert_eq!(*v, json!({"ok": true}));
}

#[tokio::test]
async fn private_metadata_and_mapped_addresses_are_refused_even_with_loopback_allowed() {
    let fetcher = loopback_on();
    for (url, class) in [
        ("http://10.0.0.1/doc.json", AddressClass::Private),
        (
            "http://169.254.169.254/latest/meta-data/",
            AddressClass::Metadata,
        ),
        ("http://[::ffff:127.0.0.1]/doc.json", AddressClass::Reserved),
        ("http://[::ffff:10.0.0.1]/doc.json", AddressClass::Private),
        ("http://[fd00:ec2::254]/doc.json", AddressClass::Metadata),
        ("http://[fe80::1]/doc.json", AddressClass::LinkLocal),
        ("http://0.0.0.0/doc.json", AddressClass::Unspecified),
    ] {
        refused_as(fetcher.get_json(url, DocumentKind::Ob2Hosted).await, class);
    }
    let e = fetcher
        .get_json("http://10.0.0.1/doc.json", DocumentKind::Ob2Hosted)
        .await
        .expect_err("private");
    assert_eq!(
        e.to_string(),
        "10.0.0.1 is a private network address, which we never fetch from"
    );
    let e = fetcher
        .get_json(
            "https://metadata.google.internal/computeMetadata/v1/",
            DocumentKind::Document,
        )
        .await
        .expect_err("metadata host");
    assert!(matches!(e, FetchError::RefusedName { .. }), "{e:?}");
}

#[tokio::test]
async fn ipv6_loopback_is_loopback_allowed_only_with_the_setting() {
    // Something may or may not listen on [::1] here; with the setting the policy lets the
    // request through (found, or the connection fails), without it the request is refused.
    let listener = tokio::net::TcpListener::bind("[::1]:0").await;
    let port = listener
        .as_ref()
        .ok()
        .and_then(|l| l.local_addr().ok())
        .map_or(9, |a| a.port());
    if let Ok(listener) = listener {
        let app = Router::new().route(
            "/doc.json",
            get(|| async { json_response(json!({"v6": true}), None) }),
        );
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
    }
    let url = format!("http://[::1]:{port}/doc.json");
    refused_as(
        Fetcher::new(FetchSettings::default())
            .get_json(&url, DocumentKind::Ob2Hosted)
            .await,
        AddressClass::Loopback,
    );
    match loopback_on().get_json(&url, DocumentKind::Ob2Hosted).await {
        Ok(v) => assert_eq!(*v, json!({"v6": true})),
        Err(e) => assert_eq!(e.kind(), ErrorKind::Unreachable, "{e}"),
    }
}

#[tokio::test]
async fn a_name_that_resolves_to_a_private_address_is_refused_after_lookup() {
    let fetcher = Fetcher::with_lookup(
        FetchSettings::with_allow_loopback(true),
        table(&[
            ("intranet.example", "10.1.2.3"),
            ("metadata.example", "169.254.169.254"),
            ("sneaky.example", "::ffff:192.168.1.1"),
            ("both.example", "fd00::1"),
            ("both.example", "10.0.0.9"),
        ]),
    );
    for (host, class) in [
        ("intranet.example", AddressClass::Private),
        ("metadata.example", AddressClass::Metadata),
        ("sneaky.example", AddressClass::Private),
        ("both.example", AddressClass::Private),
    ] {
        refused_as(
            fetcher
                .get_json(
                    &format!("https://{host}/did.json"),
                    DocumentKind::DidDocument,
                )
                .await,
            class,
        );
    }
    let e = fetcher
        .get_json("https://unknown.example/x", DocumentKind::Document)
        .await
        .expect_err("no such name");
    assert_eq!(e.kind(), ErrorKind::Unreachable, "{e}");
    // `localhost` is refused without the setting, before any lookup.
    let off = Fetcher::new(FetchSettings::default());
    refused_as(
        off.get_json("https://localhost/x", DocumentKind::Document)
            .await,
        AddressClass::Loopback,
    );
}

#[tokio::test]
async fn a_name_resolving_to_loopback_is_connected_to_at_the_checked_address() {
    let (addr, _) = serve().await;
    // `public.example` resolves (in the table) to the test server: the connection goes to
    // the address our resolver handed on, and only with loopback allowed.
    let lookup = table(&[("public.example", "127.0.0.1")]);
    let url = format!("http://public.example:{}/doc.json", addr.port());
    let on = Fetcher::with_lookup(FetchSettings::with_allow_loopback(true), lookup.clone());
    let v = on
        .get_json(&url, DocumentKind::Ob2Hosted)
        .await
        .expect("allowed");
    assert_eq!(*v, json!({"ok": true}));
    let off = Fetcher::with_lookup(FetchSettings::default(), lookup);
    refused_as(
        off.get_json(&url, DocumentKind::Ob2Hosted).await,
        AddressClass::Loopback,
    );
}

#[tokio::test]
async fn redirects_to_private_addresses_are_refused() {
    let (addr, _) = serve().await;
    let fetcher = Fetcher::with_lookup(
        FetchSettings::with_allow_loopback(true),
        table(&[("intranet.example", "10.1.2.3")]),
    );
    for (path, class) in [
        ("to-private", AddressClass::Private),
        ("to-metadata", AddressClass::Metadata),
        ("to-mapped", AddressClass::Reserved),
    ] {
        refused_as(
            fetcher
                .get_json(&format!("http://{addr}/{path}"), DocumentKind::Ob2Hosted)
                .await,
            class,
        );
    }
    // A name that only turns out private once looked up: the redirect goes to another
    // website, so it is refused before any lookup.
    let e = fetcher
        .get_json(
            &format!("http://{addr}/to-intranet"),
            DocumentKind::Ob2Hosted,
        )
        .await
        .expect_err("to-intranet");
    assert!(matches!(e, FetchError::OtherWebsite { .. }), "{e:?}");
}

#[tokio::test]
async fn at_most_three_redirects_are_followed() {
    let (addr, _) = serve().await;
    let fetcher = loopback_on();
    // /hop/2 → /hop/1 → /hop/0 → /doc.json: three redirects.
    let v = fetcher
        .get_json(&format!("http://{addr}/hop/2"), DocumentKind::Document)
        .await
        .expect("three redirects");
    assert_eq!(*v, json!({"ok": true}));
    let e = fetcher
        .get_json(&format!("http://{addr}/hop/3"), DocumentKind::Document)
        .await
        .expect_err("four redirects");
    assert!(
        matches!(e, FetchError::TooManyRedirects { max: 3, .. }),
        "{e:?}"
    );
    assert_eq!(e.kind(), ErrorKind::Refused);
}

#[tokio::test]
async fn responses_over_the_size_cap_are_refused() {
    let (addr, _) = serve().await;
    let fetcher = Fetcher::new(FetchSettings {
        max_bytes: 64 * 1024,
        ..FetchSettings::with_allow_loopback(true)
    });
    for path in ["big.json", "endless.json"] {
        let e = fetcher
            .get_json(&format!("http://{addr}/{path}"), DocumentKind::Document)
            .await
            .expect_err(path);
        assert!(
            matches!(e, FetchError::TooLarge { limit: 65536, .. }),
            "{path}: {e:?}"
        );
        assert_eq!(e.kind(), ErrorKind::Malformed);
    }
}

#[tokio::test]
async fn only_json_is_read() {
    let (addr, _) = serve().await;
    let fetcher = loopback_on();
    let e = fetcher
        .get_json(&format!("http://{addr}/page.html"), DocumentKind::Document)
        .await
        .expect_err("html");
    assert!(matches!(e, FetchError::NotJson { .. }), "{e:?}");
    let e = fetcher
        .get_json(
            &format!("http://{addr}/notjson.json"),
            DocumentKind::Document,
        )
        .await
        .expect_err("bad json");
    assert!(matches!(e, FetchError::BadJson { .. }), "{e:?}");
    // A VC-JWT served as one comes back as a JSON string.
    let v = fetcher
        .get_json(&format!("http://{addr}/token.jwt"), DocumentKind::Document)
        .await
        .expect("jwt");
    assert_eq!(*v, json!("eyJhbGciOiJFZERTQSJ9.eyJpc3MiOiJ4In0.c2ln"));
}

#[tokio::test]
async fn a_server_that_never_answers_times_out() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    // Accepts connections and holds them without a word.
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    let fetcher = Fetcher::new(FetchSettings {
        timeout: Duration::from_millis(300),
        connect_timeout: Duration::from_millis(300),
        ..FetchSettings::with_allow_loopback(true)
    });
    let e = fetcher
        .get_json(&format!("http://{addr}/doc.json"), DocumentKind::Document)
        .await
        .expect_err("silence");
    assert!(matches!(e, FetchError::Timeout { .. }), "{e:?}");
    assert_eq!(e.kind(), ErrorKind::Unreachable);
}

#[tokio::test]
async fn the_cache_honours_max_age_and_no_store() {
    let (addr, hits) = serve().await;
    let fetcher = loopback_on();
    for _ in 0..3 {
        let v = fetcher
            .get_json(
                &format!("http://{addr}/cached.json"),
                DocumentKind::Document,
            )
            .await
            .expect("cached");
        assert_eq!(*v, json!({"n": 1}));
    }
    assert_eq!(hits.get("cached"), 1);
    for i in 1..=3 {
        let v = fetcher
            .get_json(
                &format!("http://{addr}/nostore.json"),
                DocumentKind::Document,
            )
            .await
            .expect("no-store");
        assert_eq!(*v, json!({"n": i}));
    }
    assert_eq!(hits.get("nostore"), 3);
    for _ in 0..2 {
        fetcher
            .get_json(&format!("http://{addr}/stale.json"), DocumentKind::Document)
            .await
            .expect("max-age=0");
    }
    assert_eq!(hits.get("stale"), 2);
    assert_eq!(fetcher.cached(), 1);
}

/// The resolver blocks on the fetcher, as it does inside `spawn_blocking` in the server.
async fn resolve(fetcher: Arc<Fetcher>, reference: String) -> Resolution {
    let handle = tokio::runtime::Handle::current();
    tokio::task::spawn_blocking(move || NetworkResolver::new(fetcher, handle).resolve(&reference))
        .await
        .expect("resolver thread")
}

#[tokio::test]
async fn the_resolver_maps_answers_to_resolutions() {
    let (addr, _) = serve().await;
    let on = Arc::new(loopback_on());
    let port = addr.port();
    let cases: Vec<(String, &str)> = vec![
        (format!("http://{addr}/gone"), "gone"),
        (format!("http://{addr}/missing"), "not_found"),
        (format!("http://{addr}/broken"), "unreachable"),
        (format!("http://{addr}/page.html"), "malformed"),
        (format!("http://{addr}/hop/5"), "refused"),
        ("https://10.0.0.1/x".to_string(), "refused"),
        // Plain http to an allowed loopback host: as good as https.
        (format!("http://{addr}/ob2/assertion.json"), "found"),
        (format!("http://{addr}/ob2/key.json"), "found"),
        (format!("http://{addr}/doc.json"), "found"),
        // Elsewhere plain http is for OB 2.0 objects only, never keys (see below).
        // did:web on a loopback host, over http with the setting.
        (format!("did:web:127.0.0.1%3A{port}"), "found"),
        (format!("did:web:127.0.0.1%3A{port}:issuers:a"), "found"),
        (format!("did:web:localhost%3A{port}:issuers:a"), "found"),
        (format!("did:web:127.0.0.1%3A{port}:issuers:b"), "not_found"),
        (
            "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK".to_string(),
            "unreachable",
        ),
    ];
    for (reference, want) in cases {
        let got = match resolve(on.clone(), reference.clone()).await {
            Resolution::Found(_) => "found",
            Resolution::NotFound(_) => "not_found",
            Resolution::Gone(_) => "gone",
            Resolution::Unreachable(_) => "unreachable",
            Resolution::Refused(_) => "refused",
            Resolution::Malformed(_) => "malformed",
        };
        assert_eq!(got, want, "{reference}");
    }
    // A public-looking name over plain http (the table points it at the test server):
    // OB 2.0 objects only, never keys or other documents.
    let named = Arc::new(Fetcher::with_lookup(
        FetchSettings::with_allow_loopback(true),
        table(&[("ob2.example", "127.0.0.1")]),
    ));
    for (path, want) in [
        ("ob2/assertion.json", true),
        ("ob2/key.json", false),
        ("doc.json", false),
    ] {
        let r = resolve(named.clone(), format!("http://ob2.example:{port}/{path}")).await;
        if want {
            assert!(matches!(r, Resolution::Found(_)), "{path}: {r:?}");
        } else {
            assert!(matches!(r, Resolution::Refused(_)), "{path}: {r:?}");
        }
    }
    // One verification fetches a bounded number of documents; asking again for one
    // already fetched costs nothing.
    let handle = tokio::runtime::Handle::current();
    let urls = ["doc.json", "doc.json", "missing", "gone"].map(|p| format!("http://{addr}/{p}"));
    let answers = tokio::task::spawn_blocking({
        let on = on.clone();
        move || {
            let r = NetworkResolver::with_budget(on, handle, 2);
            urls.iter().map(|u| r.resolve(u)).collect::<Vec<_>>()
        }
    })
    .await
    .expect("resolver thread");
    assert!(matches!(answers[0], Resolution::Found(_)));
    assert!(matches!(answers[1], Resolution::Found(_)));
    assert!(
        matches!(answers[2], Resolution::NotFound(_)),
        "{:?}",
        answers[2]
    );
    assert!(
        matches!(answers[3], Resolution::Refused(_)),
        "{:?}",
        answers[3]
    );
    // Without the setting, the same did:web is refused (https to a loopback address).
    let off = Arc::new(Fetcher::new(FetchSettings::default()));
    let r = resolve(off, format!("did:web:127.0.0.1%3A{port}")).await;
    assert!(matches!(r, Resolution::Refused(_)), "{r:?}");
}

#[tokio::test]
async fn https_goes_through_tls_and_fails_closed_on_a_plain_server() {
    // The TLS stack is set up (ring, webpki roots) and used: a plain-http server on the
    // other end is a failed handshake, reported as unreachable, never read as a document.
    let (addr, _) = serve().await;
    let e = loopback_on()
        .get_json(
            &format!("https://{addr}/doc.json"),
            DocumentKind::DidDocument,
        )
        .await
        .expect_err("no TLS on the other end");
    assert_eq!(e.kind(), ErrorKind::Unreachable, "{e:?}");
}

#[tokio::test]
async fn redirects_to_another_website_are_refused() {
    let (addr, _) = serve().await;
    let (other, other_hits) = serve().await;
    let fetcher = loopback_on();
    let port = addr.port();
    let via = |to: String| {
        format!(
            "http://{addr}/redirect?to={}",
            percent_encoding::utf8_percent_encode(&to, percent_encoding::NON_ALPHANUMERIC)
        )
    };
    for to in [
        // Another port on the same machine: another website.
        format!("http://{other}/target.json"),
        // The same server under another name: another website too.
        format!("http://localhost:{}/target.json", other.port()),
        format!("http://localhost:{port}/doc.json"),
    ] {
        let e = fetcher
            .get_json(&via(to.clone()), DocumentKind::Document)
            .await
            .expect_err(&to);
        assert!(matches!(e, FetchError::OtherWebsite { .. }), "{to}: {e:?}");
        assert_eq!(e.kind(), ErrorKind::Refused);
        let said = e.to_string();
        assert!(
            said.contains("redirected to another website")
                && said.contains("which we do not follow for badge documents"),
            "{said}"
        );
    }
    // Nothing was asked of the other website.
    assert_eq!(other_hits.get("target"), 0);
    // The other website itself is fine, and so are redirects on the same one.
    fetcher
        .get_json(
            &format!("http://{other}/target.json"),
            DocumentKind::Document,
        )
        .await
        .expect("the other website directly");
    assert_eq!(other_hits.get("target"), 1);
    for to in ["/doc.json".to_string(), format!("http://{addr}/doc.json")] {
        let v = fetcher
            .get_json(&via(to.clone()), DocumentKind::Document)
            .await
            .expect(&to);
        assert_eq!(*v, json!({"ok": true}), "{to}");
    }
    // A badge document redirected elsewhere is refused, not shown as found.
    let r = resolve(
        Arc::new(loopback_on()),
        via(format!("http://{other}/target.json")),
    )
    .await;
    match r {
        Resolution::Refused(m) => assert!(m.contains("another website"), "{m}"),
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert_eq!(other_hits.get("target"), 1);
}

#[tokio::test]
async fn one_verification_fetches_each_address_once() {
    let (addr, hits) = serve().await;
    let on = Arc::new(loopback_on());
    let handle = tokio::runtime::Handle::current();
    // Neither answer is cached by the fetcher (no-store, and an error): only the
    // resolver's memory keeps them from being fetched twice.
    let urls = [
        "nostore.json",
        "counted-missing",
        "nostore.json",
        "counted-missing",
    ]
    .map(|p| format!("http://{addr}/{p}"));
    let answers = tokio::task::spawn_blocking({
        let on = on.clone();
        move || {
            let r = NetworkResolver::new(on, handle);
            urls.iter().map(|u| r.resolve(u)).collect::<Vec<_>>()
        }
    })
    .await
    .expect("resolver thread");
    assert_eq!(answers[0], Resolution::Found(json!({"n": 1})));
    assert_eq!(answers[2], answers[0]);
    assert!(
        matches!(answers[1], Resolution::NotFound(_)),
        "{:?}",
        answers[1]
    );
    assert_eq!(answers[3], answers[1]);
    assert_eq!(hits.get("nostore"), 1);
    assert_eq!(hits.get("counted-missing"), 1);
    // Another verification asks again.
    let r = resolve(on, format!("http://{addr}/counted-missing")).await;
    assert!(matches!(r, Resolution::NotFound(_)), "{r:?}");
    assert_eq!(hits.get("counted-missing"), 2);
}

#[tokio::test]
async fn a_resolver_past_its_deadline_fetches_nothing() {
    let (addr, hits) = serve().await;
    let on = Arc::new(loopback_on());
    let handle = tokio::runtime::Handle::current();
    let url = format!("http://{addr}/nostore.json");
    let r = tokio::task::spawn_blocking(move || {
        NetworkResolver::with_limits(on, handle, 16, Duration::ZERO).resolve(&url)
    })
    .await
    .expect("resolver thread");
    match r {
        Resolution::Unreachable(m) => assert!(m.contains("took too long"), "{m}"),
        other => panic!("expected unreachable, got {other:?}"),
    }
    assert_eq!(hits.get("nostore"), 0);
}

#[tokio::test]
async fn a_fetch_running_into_the_deadline_is_cut_short() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    // Accepts connections and holds them without a word.
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    // The fetcher would wait its own (long) timeout; the verification's deadline is short.
    let on = Arc::new(loopback_on());
    let handle = tokio::runtime::Handle::current();
    let url = format!("http://{addr}/doc.json");
    let r = tokio::task::spawn_blocking(move || {
        NetworkResolver::with_limits(on, handle, 16, Duration::from_millis(200)).resolve(&url)
    })
    .await
    .expect("resolver thread");
    match r {
        Resolution::Unreachable(m) => assert!(m.contains("took too long"), "{m}"),
        other => panic!("expected unreachable, got {other:?}"),
    }
}
