//! Baking credentials into badge images, and extracting them again.
//!
//! PNG (OB 3.0 docformat): one uncompressed `iTXt` chunk with keyword
//! `openbadgecredential` whose text is the credential JSON or a compact JWS. OB 2.0 used
//! the keyword `openbadges` (assertion JSON, JWS or, pre-2.0, a URL in `tEXt`).
//!
//! SVG: `<openbadges:credential>` (namespace `https://purl.imsglobal.org/ob/v3p0`) holding
//! the JSON in CDATA or a JWS in its `verify` attribute; OB 2.0 used
//! `<openbadges:assertion verify="…">` (namespace `http://openbadges.org`).
//!
//! Images come from strangers, so every limit is explicit ([`Limits`]): input size,
//! number of PNG chunks, credential size, decompressed size, XML depth. DTDs are refused
//! outright (no entity expansion).

use std::io::Read as _;

use quick_xml::{events::Event, reader::Reader};

/// PNG file signature.
const PNG_SIGNATURE: &[u8; 8] = b"\x89PNG\r\n\x1a\n";
/// `iTXt` keyword of an OB 3.0 credential.
pub const PNG_KEYWORD_OB3: &str = "openbadgecredential";
/// `iTXt`/`tEXt` keyword of an OB 2.0 assertion.
pub const PNG_KEYWORD_OB2: &str = "openbadges";
/// XML namespace of OB 3.0 SVG baking.
pub const SVG_NS_OB3: &str = "https://purl.imsglobal.org/ob/v3p0";

/// What went wrong with an image.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum BakingError {
    #[error("the file is larger than {0} bytes")]
    TooLarge(usize),
    #[error("this is not a PNG image")]
    NotPng,
    #[error("the PNG image is damaged: {0}")]
    CorruptPng(&'static str),
    #[error("the PNG image has more than {0} chunks")]
    TooManyChunks(usize),
    #[error("the image holds more than one credential")]
    Duplicate,
    #[error("the baked credential is compressed, which Open Badges 3.0 forbids")]
    Compressed,
    #[error("the baked credential is larger than {0} bytes")]
    CredentialTooLarge(usize),
    #[error("the baked credential is not valid UTF-8 text")]
    NotUtf8,
    #[error("this is not an SVG image")]
    NotSvg,
    #[error("the SVG image is not well-formed XML: {0}")]
    BadXml(String),
    #[error("the SVG image nests elements deeper than {0} levels")]
    TooDeep(usize),
    #[error("the SVG image declares a DTD, which is not accepted")]
    Dtd,
    #[error("the image is neither PNG nor SVG")]
    UnknownFormat,
}

/// Bounds on untrusted input.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Largest image accepted.
    pub max_image_bytes: usize,
    /// Most PNG chunks walked.
    pub max_chunks: usize,
    /// Largest credential text (after decompression for OB 2.0).
    pub max_credential_bytes: usize,
    /// Deepest SVG element nesting.
    pub max_depth: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_image_bytes: 16 * 1024 * 1024,
            max_chunks: 4096,
            max_credential_bytes: 1024 * 1024,
            max_depth: 256,
        }
    }
}

/// Which generation of Open Badges the baked data belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BadgeVersion {
    /// OB 3.0: credential JSON or VC-JWT.
    V3,
    /// OB 2.0: assertion JSON, signed JWS, or hosted assertion URL.
    V2,
}

/// Data found in a baked image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Extracted {
    pub version: BadgeVersion,
    /// JSON text, a compact JWS, or (OB 2.0) an assertion URL.
    pub payload: String,
}

/// The image formats we bake.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageFormat {
    Png,
    Svg,
}

/// Guesses the format from the first bytes.
pub fn sniff(bytes: &[u8]) -> Option<ImageFormat> {
    if bytes.starts_with(PNG_SIGNATURE) {
        return Some(ImageFormat::Png);
    }
    let head = &bytes[..bytes.len().min(1024)];
    let text = String::from_utf8_lossy(head);
    text.contains("<svg").then_some(ImageFormat::Svg)
}

/// Extracts baked data from a PNG or SVG.
///
/// # Errors
/// See [`BakingError`]; `Ok(None)` means a valid image without a badge.
pub fn extract(bytes: &[u8], limits: &Limits) -> Result<Option<Extracted>, BakingError> {
    match sniff(bytes) {
        Some(ImageFormat::Png) => png::extract(bytes, limits),
        Some(ImageFormat::Svg) => svg::extract(bytes, limits),
        None => Err(BakingError::UnknownFormat),
    }
}

/// Bakes an OB 3.0 credential (JSON or compact JWS) into a PNG or SVG, replacing any
/// credential baked before.
///
/// # Errors
/// When the image is malformed or over the limits.
pub fn bake(image: &[u8], credential: &str, limits: &Limits) -> Result<Vec<u8>, BakingError> {
    match sniff(image) {
        Some(ImageFormat::Png) => png::bake(image, credential, limits),
        Some(ImageFormat::Svg) => svg::bake(image, credential, limits),
        None => Err(BakingError::UnknownFormat),
    }
}

fn is_jws(s: &str) -> bool {
    let s = s.trim();
    s.split('.').count() == 3
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// PNG chunk walking, reading and writing.
pub mod png {
    use super::*;

    /// One chunk, borrowed from the file.
    struct Chunk<'a> {
        kind: [u8; 4],
        data: &'a [u8],
        /// Byte range of the whole chunk (length, type, data, CRC) in the file.
        start: usize,
        end: usize,
    }

    fn chunks<'a>(bytes: &'a [u8], limits: &Limits) -> Result<Vec<Chunk<'a>>, BakingError> {
        if bytes.len() > limits.max_image_bytes {
            return Err(BakingError::TooLarge(limits.max_image_bytes));
        }
        if !bytes.starts_with(PNG_SIGNATURE) {
            return Err(BakingError::NotPng);
        }
        let mut out = Vec::new();
        let mut pos = PNG_SIGNATURE.len();
        loop {
            if out.len() >= limits.max_chunks {
                return Err(BakingError::TooManyChunks(limits.max_chunks));
            }
            let header = bytes
                .get(pos..pos + 8)
                .ok_or(BakingError::CorruptPng("truncated chunk header"))?;
            let len = u32::from_be_bytes([header[0], header[1], header[2], header[3]]) as usize;
            if len > 0x7fff_ffff {
                return Err(BakingError::CorruptPng("chunk length out of range"));
            }
            let kind = [header[4], header[5], header[6], header[7]];
            let data_start = pos + 8;
            let data_end = data_start
                .checked_add(len)
                .ok_or(BakingError::CorruptPng("chunk length out of range"))?;
            let data = bytes
                .get(data_start..data_end)
                .ok_or(BakingError::CorruptPng("truncated chunk"))?;
            let crc = bytes
                .get(data_end..data_end + 4)
                .ok_or(BakingError::CorruptPng("truncated checksum"))?;
            let mut hasher = crc32fast::Hasher::new();
            hasher.update(&kind);
            hasher.update(data);
            if hasher.finalize().to_be_bytes() != [crc[0], crc[1], crc[2], crc[3]] {
                return Err(BakingError::CorruptPng("checksum mismatch"));
            }
            let end = data_end + 4;
            out.push(Chunk {
                kind,
                data,
                start: pos,
                end,
            });
            pos = end;
            if &kind == b"IEND" {
                break;
            }
        }
        if out.first().map(|c| &c.kind) != Some(b"IHDR") {
            return Err(BakingError::CorruptPng("first chunk is not IHDR"));
        }
        Ok(out)
    }

    /// Parsed `iTXt` fields we care about.
    struct ITxt<'a> {
        keyword: &'a [u8],
        compressed: bool,
        text: &'a [u8],
    }

    fn parse_itxt(data: &[u8]) -> Result<ITxt<'_>, BakingError> {
        let bad = BakingError::CorruptPng("malformed iTXt chunk");
        let nul = data.iter().position(|&b| b == 0).ok_or(bad.clone())?;
        let keyword = &data[..nul];
        let rest = data.get(nul + 1..).ok_or(bad.clone())?;
        let (&flag, rest) = rest.split_first().ok_or(bad.clone())?;
        let (_method, rest) = rest.split_first().ok_or(bad.clone())?;
        let lang_end = rest.iter().position(|&b| b == 0).ok_or(bad.clone())?;
        let rest = &rest[lang_end + 1..];
        let tk_end = rest.iter().position(|&b| b == 0).ok_or(bad)?;
        Ok(ITxt {
            keyword,
            compressed: flag != 0,
            text: &rest[tk_end + 1..],
        })
    }

    fn inflate(data: &[u8], limit: usize) -> Result<Vec<u8>, BakingError> {
        let mut out = Vec::new();
        flate2::read::ZlibDecoder::new(data)
            .take(limit as u64 + 1)
            .read_to_end(&mut out)
            .map_err(|_| BakingError::CorruptPng("compressed text cannot be read"))?;
        if out.len() > limit {
            return Err(BakingError::CredentialTooLarge(limit));
        }
        Ok(out)
    }

    fn text(bytes: Vec<u8>, limit: usize) -> Result<String, BakingError> {
        if bytes.len() > limit {
            return Err(BakingError::CredentialTooLarge(limit));
        }
        String::from_utf8(bytes).map_err(|_| BakingError::NotUtf8)
    }

    /// Finds the OB 3.0 credential (or else OB 2.0 assertion) in a PNG.
    ///
    /// # Errors
    /// Malformed PNG, duplicate or compressed OB 3.0 chunk, oversized text.
    pub fn extract(bytes: &[u8], limits: &Limits) -> Result<Option<Extracted>, BakingError> {
        let mut v3 = None;
        let mut v2 = None;
        for chunk in chunks(bytes, limits)? {
            match &chunk.kind {
                b"iTXt" => {
                    let t = parse_itxt(chunk.data)?;
                    if t.keyword == PNG_KEYWORD_OB3.as_bytes() {
                        if v3.is_some() {
                            return Err(BakingError::Duplicate);
                        }
                        if t.compressed {
                            return Err(BakingError::Compressed);
                        }
                        v3 = Some(text(t.text.to_vec(), limits.max_credential_bytes)?);
                    } else if t.keyword == PNG_KEYWORD_OB2.as_bytes() && v2.is_none() {
                        let raw = if t.compressed {
                            inflate(t.text, limits.max_credential_bytes)?
                        } else {
                            t.text.to_vec()
                        };
                        v2 = Some(text(raw, limits.max_credential_bytes)?);
                    }
                }
                b"tEXt" if v2.is_none() => {
                    // Pre-2.0 hosted badges: `openbadges\0<assertion URL>` in Latin-1.
                    if let Some(url) = chunk.data.strip_prefix(b"openbadges\0") {
                        v2 = Some(url.iter().map(|&b| b as char).collect());
                    }
                }
                _ => {}
            }
        }
        Ok(match (v3, v2) {
            (Some(payload), _) => Some(Extracted {
                version: BadgeVersion::V3,
                payload,
            }),
            (None, Some(payload)) => Some(Extracted {
                version: BadgeVersion::V2,
                payload,
            }),
            _ => None,
        })
    }

    fn write_chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
        // Baked text is bounded by `Limits::max_credential_bytes`, far below u32::MAX.
        out.extend_from_slice(&u32::try_from(data.len()).unwrap_or(u32::MAX).to_be_bytes());
        out.extend_from_slice(kind);
        out.extend_from_slice(data);
        let mut hasher = crc32fast::Hasher::new();
        hasher.update(kind);
        hasher.update(data);
        out.extend_from_slice(&hasher.finalize().to_be_bytes());
    }

    /// Bakes a credential into a PNG: one uncompressed `iTXt` chunk right after `IHDR`;
    /// earlier `openbadgecredential` chunks are removed, everything else is kept as is.
    ///
    /// # Errors
    /// Malformed PNG or oversized credential.
    pub fn bake(image: &[u8], credential: &str, limits: &Limits) -> Result<Vec<u8>, BakingError> {
        if credential.len() > limits.max_credential_bytes {
            return Err(BakingError::CredentialTooLarge(limits.max_credential_bytes));
        }
        let chunks = chunks(image, limits)?;
        let mut out = Vec::with_capacity(image.len() + credential.len() + 64);
        out.extend_from_slice(PNG_SIGNATURE);
        for (i, chunk) in chunks.iter().enumerate() {
            let ours = &chunk.kind == b"iTXt"
                && parse_itxt(chunk.data).is_ok_and(|t| t.keyword == PNG_KEYWORD_OB3.as_bytes());
            if !ours {
                out.extend_from_slice(&image[chunk.start..chunk.end]);
            }
            if i == 0 {
                let mut data = Vec::with_capacity(credential.len() + 24);
                data.extend_from_slice(PNG_KEYWORD_OB3.as_bytes());
                // NUL, compression flag 0, method 0, empty language tag, empty translated keyword.
                data.extend_from_slice(&[0, 0, 0, 0, 0]);
                data.extend_from_slice(credential.as_bytes());
                write_chunk(&mut out, b"iTXt", &data);
            }
        }
        Ok(out)
    }
}

/// SVG reading and writing.
pub mod svg {
    use super::*;

    /// Finds `openbadges:credential` (OB 3.0) or `openbadges:assertion` (OB 2.0).
    ///
    /// # Errors
    /// Not SVG, malformed XML, DTDs, nesting deeper than the limit, duplicates.
    pub fn extract(bytes: &[u8], limits: &Limits) -> Result<Option<Extracted>, BakingError> {
        Ok(scan(bytes, limits)?
            .found
            .map(|(version, payload, _)| Extracted { version, payload }))
    }

    /// What one pass over the document found.
    struct Scan {
        /// Byte offset just before the `>` that ends the root `<svg …>` start tag, and
        /// whether that tag is self-closing and already declares our namespace prefix.
        root_tag_end: usize,
        root_self_closing: bool,
        root_has_ns: bool,
        /// Version, payload and byte range of the baked element.
        found: Option<(BadgeVersion, String, std::ops::Range<usize>)>,
    }

    fn scan(bytes: &[u8], limits: &Limits) -> Result<Scan, BakingError> {
        if bytes.len() > limits.max_image_bytes {
            return Err(BakingError::TooLarge(limits.max_image_bytes));
        }
        let mut reader = Reader::from_reader(bytes);
        let mut buf = Vec::new();
        let mut depth = 0usize;
        let mut root: Option<(usize, bool, bool)> = None;
        let mut found: Option<(BadgeVersion, String, std::ops::Range<usize>)> = None;
        // The baked element being read: version, start offset, its `verify` attribute,
        // text so far.
        let mut open: Option<(BadgeVersion, usize, String, String)> = None;
        loop {
            let before = usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX);
            let event = reader
                .read_event_into(&mut buf)
                .map_err(|e| BakingError::BadXml(e.to_string()))?;
            let after = usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX);
            match event {
                Event::DocType(_) => return Err(BakingError::Dtd),
                Event::Start(ref e) | Event::Empty(ref e) => {
                    let empty = matches!(event, Event::Empty(_));
                    if root.is_none() {
                        if e.local_name().as_ref() != "svg" {
                            return Err(BakingError::NotSvg);
                        }
                        let has_ns = e
                            .attributes()
                            .flatten()
                            .any(|a| a.key.as_ref() == "xmlns:openbadges");
                        let tag_end = if empty {
                            after.saturating_sub(2)
                        } else {
                            after.saturating_sub(1)
                        };
                        root = Some((tag_end, empty, has_ns));
                    }
                    let version = match e.name().as_ref() {
                        "openbadges:credential" => Some(BadgeVersion::V3),
                        "openbadges:assertion" => Some(BadgeVersion::V2),
                        _ => None,
                    };
                    if let Some(version) = version {
                        if found.is_some() || open.is_some() {
                            if version == BadgeVersion::V3 {
                                return Err(BakingError::Duplicate);
                            }
                        } else {
                            let verify = e
                                .attributes()
                                .flatten()
                                .find(|a| a.key.as_ref() == "verify")
                                .and_then(|a| {
                                    a.normalized_value(quick_xml::XmlVersion::Implicit1_0).ok()
                                })
                                .map(|v| v.into_owned())
                                .unwrap_or_default();
                            if empty {
                                found = Some((version, verify, before..after));
                            } else {
                                open = Some((version, before, verify, String::new()));
                            }
                        }
                    }
                    if !empty {
                        depth += 1;
                        if depth > limits.max_depth {
                            return Err(BakingError::TooDeep(limits.max_depth));
                        }
                    }
                }
                Event::CData(ref t) => {
                    if let Some((_, _, _, text)) = open.as_mut() {
                        text.push_str(&t.xml10_content());
                        if text.len() > limits.max_credential_bytes {
                            return Err(BakingError::CredentialTooLarge(
                                limits.max_credential_bytes,
                            ));
                        }
                    }
                }
                Event::Text(ref t) => {
                    if let Some((_, _, _, text)) = open.as_mut() {
                        let s = t.xml10_content();
                        if !s.trim().is_empty() {
                            text.push_str(s.trim());
                        }
                        if text.len() > limits.max_credential_bytes {
                            return Err(BakingError::CredentialTooLarge(
                                limits.max_credential_bytes,
                            ));
                        }
                    }
                }
                Event::End(ref e) => {
                    depth = depth.saturating_sub(1);
                    if matches!(
                        e.name().as_ref(),
                        "openbadges:credential" | "openbadges:assertion"
                    ) && let Some((version, start, verify, text)) = open.take()
                    {
                        // The `verify` attribute (a JWS or, for OB 2.0, the hosted
                        // assertion's URL) wins over the body, as in 1EdTech's bakery,
                        // which writes both.
                        let payload = if verify.trim().is_empty() {
                            text.trim().to_string()
                        } else {
                            verify.trim().to_string()
                        };
                        found = Some((version, payload, start..after));
                    }
                }
                Event::Eof => break,
                _ => {}
            }
            buf.clear();
        }
        let (root_tag_end, root_self_closing, root_has_ns) = root.ok_or(BakingError::NotSvg)?;
        Ok(Scan {
            root_tag_end,
            root_self_closing,
            root_has_ns,
            found,
        })
    }

    /// Bakes a credential into an SVG right after the root start tag (CDATA JSON, or a
    /// `verify` attribute for a JWS), replacing an earlier one.
    ///
    /// # Errors
    /// Not SVG, malformed XML, oversized credential.
    pub fn bake(image: &[u8], credential: &str, limits: &Limits) -> Result<Vec<u8>, BakingError> {
        if credential.len() > limits.max_credential_bytes {
            return Err(BakingError::CredentialTooLarge(limits.max_credential_bytes));
        }
        let scan = scan(image, limits)?;
        let element = if is_jws(credential) {
            format!(
                "<openbadges:credential verify=\"{}\"></openbadges:credential>",
                credential.trim()
            )
        } else {
            // "]]>" cannot appear inside CDATA: split the section around it.
            format!(
                "<openbadges:credential><![CDATA[{}]]></openbadges:credential>",
                credential.replace("]]>", "]]]]><![CDATA[>")
            )
        };
        let mut body = image.to_vec();
        if let Some((_, _, range)) = &scan.found {
            body.drain(range.clone());
        }
        let mut out = Vec::with_capacity(body.len() + element.len() + 64);
        out.extend_from_slice(&body[..scan.root_tag_end]);
        if !scan.root_has_ns {
            out.extend_from_slice(format!(" xmlns:openbadges=\"{SVG_NS_OB3}\"").as_bytes());
        }
        out.push(b'>');
        out.extend_from_slice(element.as_bytes());
        if scan.root_self_closing {
            out.extend_from_slice(b"</svg>");
            out.extend_from_slice(&body[scan.root_tag_end + 2..]);
        } else {
            out.extend_from_slice(&body[scan.root_tag_end + 1..]);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A valid 1×1 PNG.
    fn tiny_png() -> Vec<u8> {
        let mut out = PNG_SIGNATURE.to_vec();
        let ihdr = [0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0];
        chunk(&mut out, b"IHDR", &ihdr);
        // zlib stream of one filter byte + 4 RGBA bytes.
        let mut idat = Vec::new();
        {
            use std::io::Write as _;
            let mut z = flate2::write::ZlibEncoder::new(&mut idat, flate2::Compression::default());
            z.write_all(&[0, 255, 0, 0, 255]).expect("write");
            z.finish().expect("finish");
        }
        chunk(&mut out, b"IDAT", &idat);
        chunk(&mut out, b"IEND", &[]);
        out
    }

    fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        out.extend_from_slice(kind);
        out.extend_from_slice(data);
        let mut h = crc32fast::Hasher::new();
        h.update(kind);
        h.update(data);
        out.extend_from_slice(&h.finalize().to_be_bytes());
    }

    const CRED: &str =
        r#"{"@context":["https://www.w3.org/ns/credentials/v2"],"name":"Café ]]> badge"}"#;

    #[test]
    fn png_bake_then_extract_round_trips() {
        let l = Limits::default();
        let baked = bake(&tiny_png(), CRED, &l).expect("bake");
        let got = extract(&baked, &l).expect("extract").expect("found");
        assert_eq!(
            got,
            Extracted {
                version: BadgeVersion::V3,
                payload: CRED.into()
            }
        );
        // Re-baking replaces, never duplicates.
        let again = bake(&baked, "a.b.c", &l).expect("rebake");
        assert_eq!(
            extract(&again, &l)
                .expect("extract")
                .expect("found")
                .payload,
            "a.b.c"
        );
        // The image itself is untouched: same chunks apart from ours.
        assert_eq!(
            again.len() - (tiny_png().len()),
            12 + PNG_KEYWORD_OB3.len() + 5 + 5
        );
    }

    #[test]
    fn png_without_badge_is_none_and_garbage_is_an_error() {
        let l = Limits::default();
        assert_eq!(extract(&tiny_png(), &l), Ok(None));
        assert_eq!(extract(b"hello", &l), Err(BakingError::UnknownFormat));
        let png = tiny_png();
        for cut in [9, 20, png.len() - 3] {
            assert!(extract(&png[..cut], &l).is_err(), "truncated at {cut}");
        }
        let mut flipped = png.clone();
        flipped[20] ^= 0xff;
        assert_eq!(
            extract(&flipped, &l),
            Err(BakingError::CorruptPng("checksum mismatch"))
        );
    }

    #[test]
    fn png_rejects_duplicates_compression_and_chunk_floods() {
        let l = Limits::default();
        let baked = bake(&tiny_png(), CRED, &l).expect("bake");
        // Insert a second credential chunk by hand.
        let mut dup = baked[..33].to_vec();
        let mut data = b"openbadgecredential\0\0\0\0\0{}".to_vec();
        chunk(&mut dup, b"iTXt", &data);
        dup.extend_from_slice(&baked[33..]);
        assert_eq!(extract(&dup, &l), Err(BakingError::Duplicate));

        data = b"openbadgecredential\0\x01\0\0\0xx".to_vec();
        let mut comp = tiny_png()[..33].to_vec();
        chunk(&mut comp, b"iTXt", &data);
        comp.extend_from_slice(&tiny_png()[33..]);
        assert_eq!(extract(&comp, &l), Err(BakingError::Compressed));

        let mut flood = tiny_png()[..33].to_vec();
        for _ in 0..5000 {
            chunk(&mut flood, b"tEXt", b"a\0b");
        }
        flood.extend_from_slice(&tiny_png()[33..]);
        assert_eq!(extract(&flood, &l), Err(BakingError::TooManyChunks(4096)));
    }

    #[test]
    fn png_ob2_compressed_bomb_is_bounded() {
        use std::io::Write as _;
        let l = Limits {
            max_credential_bytes: 1000,
            ..Limits::default()
        };
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
        z.write_all(&vec![b'a'; 10_000_000]).expect("write");
        let bomb = z.finish().expect("finish");
        let mut data = b"openbadges\0\x01\0\0\0".to_vec();
        data.extend_from_slice(&bomb);
        let mut png = tiny_png()[..33].to_vec();
        chunk(&mut png, b"iTXt", &data);
        png.extend_from_slice(&tiny_png()[33..]);
        assert_eq!(
            extract(&png, &l),
            Err(BakingError::CredentialTooLarge(1000))
        );
    }

    #[test]
    fn png_ob2_legacy_url_is_found() {
        let mut png = tiny_png()[..33].to_vec();
        chunk(&mut png, b"tEXt", b"openbadges\0https://issuer.example/a/1");
        png.extend_from_slice(&tiny_png()[33..]);
        let got = extract(&png, &Limits::default())
            .expect("ok")
            .expect("found");
        assert_eq!(got.version, BadgeVersion::V2);
        assert_eq!(got.payload, "https://issuer.example/a/1");
    }

    const SVG: &str = r#"<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>"#;

    #[test]
    fn svg_bake_then_extract_round_trips_json_and_jws() {
        let l = Limits::default();
        let baked = bake(SVG.as_bytes(), CRED, &l).expect("bake");
        let text = String::from_utf8(baked.clone()).expect("utf8");
        assert!(
            text.contains(r#"xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0""#),
            "{text}"
        );
        assert!(text.contains("<rect width=\"10\" height=\"10\"/>"));
        let got = extract(&baked, &l).expect("extract").expect("found");
        assert_eq!(got.payload, CRED);
        let jws = bake(&baked, "aaa.bbb.ccc", &l).expect("rebake");
        let got = extract(&jws, &l).expect("extract").expect("found");
        assert_eq!(got.payload, "aaa.bbb.ccc");
        assert_eq!(
            String::from_utf8(jws)
                .expect("utf8")
                .matches("openbadges:credential")
                .count(),
            2
        );
    }

    #[test]
    fn svg_self_closing_root_and_ob2_assertions() {
        let l = Limits::default();
        let baked = bake(br#"<svg xmlns="http://www.w3.org/2000/svg"/>"#, "{}", &l).expect("bake");
        assert_eq!(
            extract(&baked, &l).expect("ok").expect("found").payload,
            "{}"
        );
        let ob2 = br#"<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="http://openbadges.org"><openbadges:assertion verify="https://issuer.example/a/1"/></svg>"#;
        let got = extract(ob2, &l).expect("ok").expect("found");
        assert_eq!(
            (got.version, got.payload.as_str()),
            (BadgeVersion::V2, "https://issuer.example/a/1")
        );
    }

    #[test]
    fn svg_hostile_inputs_fail_cleanly() {
        let l = Limits::default();
        let dtd = br#"<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaa">]><svg>&a;</svg>"#;
        assert_eq!(extract(dtd, &l), Err(BakingError::Dtd));
        let deep = format!("<svg>{}{}</svg>", "<g>".repeat(1000), "</g>".repeat(1000));
        assert_eq!(extract(deep.as_bytes(), &l), Err(BakingError::TooDeep(256)));
        assert!(matches!(
            extract(b"<svg><g></svg>", &l),
            Err(BakingError::BadXml(_))
        ));
        assert_eq!(
            extract(b"<html><svg/></html>", &l),
            Err(BakingError::NotSvg)
        );
    }
}
