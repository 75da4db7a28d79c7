//! Badge images and institution logos: checked by content (never by name), PNG
//! re-encoded (which drops every metadata chunk), SVG refused when it carries active
//! content and rewritten from an allow-list, stored once per content and served under
//! their SHA-256 (`/images/{sha256}`).

use std::io::Cursor;

use chrono::Utc;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set, sea_query::OnConflict};
use sha2::{Digest, Sha256};

use crate::error::AppError;
use crate::server::entities::image;
use crate::server::error::ServerResult;

/// Largest image accepted, in bytes.
pub const MAX_IMAGE_BYTES: usize = 1024 * 1024;
/// Largest width or height of a PNG, in pixels.
pub const MAX_IMAGE_SIDE: u32 = 2048;
/// Content type of a PNG.
pub const PNG: &str = "image/png";
/// Content type of an SVG.
pub const SVG: &str = "image/svg+xml";

/// Why an upload is not an image we keep.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ImageError {
    #[error("The image is larger than 1 MB.")]
    TooLarge,
    #[error("The file is not a PNG or SVG image.")]
    NotAnImage,
    #[error("The PNG image could not be read: {0}.")]
    BadPng(String),
    #[error("The PNG image is larger than 2048 × 2048 pixels.")]
    TooManyPixels,
    #[error("The SVG image could not be read: {0}.")]
    BadSvg(String),
    #[error(
        "The SVG image contains {0}, which is not allowed in a badge image. Remove it and upload the image again."
    )]
    ActiveSvg(String),
}

impl From<ImageError> for AppError {
    fn from(e: ImageError) -> Self {
        AppError::invalid(e.to_string())
    }
}

/// A cleaned image, ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CleanImage {
    pub content_type: &'static str,
    pub bytes: Vec<u8>,
}

/// Checks an upload by its content and cleans it.
///
/// # Errors
/// [`ImageError`] saying what is wrong, in words for the uploader.
pub fn clean(bytes: &[u8]) -> Result<CleanImage, ImageError> {
    if bytes.len() > MAX_IMAGE_BYTES {
        return Err(ImageError::TooLarge);
    }
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        return clean_png(bytes);
    }
    let text = std::str::from_utf8(bytes).map_err(|_| ImageError::NotAnImage)?;
    let head = text.trim_start_matches('\u{feff}').trim_start();
    if head.starts_with('<') && text.contains("<svg") {
        return clean_svg(text);
    }
    Err(ImageError::NotAnImage)
}

fn clean_png(bytes: &[u8]) -> Result<CleanImage, ImageError> {
    let mut reader =
        ::image::ImageReader::with_format(Cursor::new(bytes), ::image::ImageFormat::Png);
    let mut limits = ::image::Limits::default();
    limits.max_image_width = Some(MAX_IMAGE_SIDE);
    limits.max_image_height = Some(MAX_IMAGE_SIDE);
    limits.max_alloc = Some(64 * 1024 * 1024);
    reader.limits(limits);
    let decoded = reader.decode().map_err(|e| match e {
        ::image::ImageError::Limits(_) => ImageError::TooManyPixels,
        other => ImageError::BadPng(other.to_string()),
    })?;
    let mut out = Vec::new();
    decoded
        .write_to(&mut Cursor::new(&mut out), ::image::ImageFormat::Png)
        .map_err(|e| ImageError::BadPng(e.to_string()))?;
    Ok(CleanImage {
        content_type: PNG,
        bytes: out,
    })
}

/// Elements a badge SVG may use: shapes, text, paint servers, structure. Anything else
/// (`script`, `foreignObject`, `iframe`, animation, `style` sheets…) is refused.
const SVG_ELEMENTS: &[&str] = &[
    "svg",
    "g",
    "defs",
    "title",
    "desc",
    "metadata",
    "symbol",
    "use",
    "path",
    "rect",
    "circle",
    "ellipse",
    "line",
    "polyline",
    "polygon",
    "text",
    "tspan",
    "textPath",
    "linearGradient",
    "radialGradient",
    "stop",
    "clipPath",
    "mask",
    "pattern",
    "image",
    "filter",
    "feGaussianBlur",
    "feOffset",
    "feBlend",
    "feColorMatrix",
    "feComposite",
    "feFlood",
    "feMerge",
    "feMergeNode",
    "feDropShadow",
    "marker",
];

/// Attributes of presentation and geometry. Others are dropped when the image is
/// rewritten; event handlers and external references refuse the image outright.
const SVG_ATTRIBUTES: &[&str] = &[
    "id",
    "class",
    "viewBox",
    "width",
    "height",
    "x",
    "y",
    "x1",
    "y1",
    "x2",
    "y2",
    "cx",
    "cy",
    "r",
    "rx",
    "ry",
    "fx",
    "fy",
    "d",
    "points",
    "transform",
    "fill",
    "fill-opacity",
    "fill-rule",
    "stroke",
    "stroke-width",
    "stroke-opacity",
    "stroke-linecap",
    "stroke-linejoin",
    "stroke-dasharray",
    "stroke-dashoffset",
    "stroke-miterlimit",
    "opacity",
    "offset",
    "stop-color",
    "stop-opacity",
    "gradientUnits",
    "gradientTransform",
    "spreadMethod",
    "patternUnits",
    "patternTransform",
    "patternContentUnits",
    "clipPathUnits",
    "clip-path",
    "clip-rule",
    "mask",
    "maskUnits",
    "maskContentUnits",
    "filter",
    "filterUnits",
    "primitiveUnits",
    "stdDeviation",
    "dx",
    "dy",
    "in",
    "in2",
    "result",
    "mode",
    "values",
    "type",
    "operator",
    "k1",
    "k2",
    "k3",
    "k4",
    "flood-color",
    "flood-opacity",
    "font-family",
    "font-size",
    "font-weight",
    "font-style",
    "text-anchor",
    "dominant-baseline",
    "letter-spacing",
    "word-spacing",
    "text-decoration",
    "preserveAspectRatio",
    "style",
    "visibility",
    "display",
    "color",
    "markerWidth",
    "markerHeight",
    "refX",
    "refY",
    "orient",
    "markerUnits",
    "startOffset",
    "lengthAdjust",
    "textLength",
    "href",
    "version",
    "role",
    "aria-label",
    "aria-hidden",
    "xml:space",
];

/// Deepest nesting of elements accepted (real badge artwork stays far below).
pub const MAX_SVG_DEPTH: usize = 32;
/// Most nodes (elements, attributes' owners, text) an SVG may have.
pub const MAX_SVG_NODES: u32 = 20_000;

const SVG_NS: &str = "http://www.w3.org/2000/svg";
const XLINK_NS: &str = "http://www.w3.org/1999/xlink";
const XML_NS: &str = "http://www.w3.org/XML/1998/namespace";

fn clean_svg(text: &str) -> Result<CleanImage, ImageError> {
    // roxmltree refuses DTDs (and so entity expansion) by default; the node limit
    // bounds the work.
    let options = roxmltree::ParsingOptions {
        allow_dtd: false,
        nodes_limit: MAX_SVG_NODES,
        ..Default::default()
    };
    let doc = roxmltree::Document::parse_with_options(text, options)
        .map_err(|e| ImageError::BadSvg(e.to_string()))?;
    let root = doc.root_element();
    if root.tag_name().name() != "svg" || root.tag_name().namespace() != Some(SVG_NS) {
        return Err(ImageError::NotAnImage);
    }
    let mut out = String::with_capacity(text.len());
    write_element(root, &mut out, 0)?;
    Ok(CleanImage {
        content_type: SVG,
        bytes: out.into_bytes(),
    })
}

/// Whether a reference stays inside the image: a fragment, or an embedded PNG/JPEG.
fn is_internal_reference(value: &str) -> bool {
    let v = value.trim();
    v.starts_with('#')
        || v.starts_with("data:image/png;base64,")
        || v.starts_with("data:image/jpeg;base64,")
}

/// Whether a presentation value can only point inside the image: every `url(…)` is
/// `url(#id)`, and nothing CSS could turn into a load (escapes, `image-set`, `image()`,
/// `element()`, `src()`, `@import`, `expression()`, `javascript:`) appears. Inline
/// `style` is kept under the same rule (drawing tools write their colours there).
fn urls_are_internal(value: &str) -> bool {
    let lower = value.to_ascii_lowercase();
    if lower.contains('\\')
        || [
            "@import",
            "expression(",
            "javascript:",
            "image-set",
            "image(",
            "element(",
            "src(",
        ]
        .iter()
        .any(|bad| lower.contains(bad))
    {
        return false;
    }
    lower.match_indices("url(").all(|(i, _)| {
        let rest = lower[i + 4..].trim_start().trim_start_matches(['\'', '"']);
        rest.starts_with('#')
    })
}

fn write_element(
    node: roxmltree::Node<'_, '_>,
    out: &mut String,
    depth: usize,
) -> Result<(), ImageError> {
    if depth > MAX_SVG_DEPTH {
        return Err(ImageError::BadSvg(format!(
            "its elements are nested more than {MAX_SVG_DEPTH} levels deep"
        )));
    }
    let is_root = depth == 0;
    let tag = node.tag_name();
    let name = tag.name();
    if tag.namespace() != Some(SVG_NS) {
        return Err(ImageError::ActiveSvg(format!(
            "an element from another vocabulary (<{name}>)"
        )));
    }
    if !SVG_ELEMENTS.contains(&name) {
        return Err(ImageError::ActiveSvg(format!("a <{name}> element")));
    }
    out.push('<');
    out.push_str(name);
    if is_root {
        out.push_str(" xmlns=\"http://www.w3.org/2000/svg\"");
    }
    for attr in node.attributes() {
        let local = attr.name();
        let value = attr.value();
        if local.to_ascii_lowercase().starts_with("on") {
            return Err(ImageError::ActiveSvg(format!(
                "an event handler ({local}=\"…\")"
            )));
        }
        let is_href = local == "href" && matches!(attr.namespace(), None | Some(XLINK_NS));
        if is_href && !is_internal_reference(value) {
            return Err(ImageError::ActiveSvg(format!(
                "a reference to something outside the image ({value})"
            )));
        }
        if !urls_are_internal(value) {
            return Err(ImageError::ActiveSvg(format!(
                "a reference to something outside the image (in {local})"
            )));
        }
        let qualified = match attr.namespace() {
            None => local.to_string(),
            Some(XML_NS) if local == "space" => "xml:space".to_string(),
            // xlink:href is written as plain `href` (SVG 2).
            Some(XLINK_NS) if local == "href" => "href".to_string(),
            Some(_) => continue,
        };
        if !SVG_ATTRIBUTES.contains(&qualified.as_str()) {
            continue;
        }
        out.push(' ');
        out.push_str(&qualified);
        out.push_str("=\"");
        escape_into(value, out);
        out.push('"');
    }
    out.push('>');
    for child in node.children() {
        if child.is_element() {
            write_element(child, out, depth + 1)?;
        } else if child.is_text() {
            escape_into(child.text().unwrap_or_default(), out);
        }
        // Comments and processing instructions are dropped.
    }
    out.push_str("</");
    out.push_str(name);
    out.push('>');
    Ok(())
}

fn escape_into(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

/// A plain badge image for a badge without one: a hexagon in a colour taken from the
/// name, with the name's initials.
pub fn default_badge_svg(name: &str) -> CleanImage {
    let digest = Sha256::digest(name.as_bytes());
    let hue = u32::from(u16::from_be_bytes([digest[0], digest[1]])) % 360;
    let initials: String = name
        .split_whitespace()
        .filter_map(|w| w.chars().find(|c| c.is_alphanumeric()))
        .take(2)
        .flat_map(char::to_uppercase)
        .collect();
    let mut label = String::new();
    escape_into(&initials, &mut label);
    let mut title = String::new();
    escape_into(name, &mut title);
    let svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 200 200\" width=\"200\" height=\"200\" role=\"img\">\
<title>{title}</title>\
<polygon points=\"100,8 180,54 180,146 100,192 20,146 20,54\" fill=\"hsl({hue},55%,42%)\" stroke=\"hsl({hue},60%,28%)\" stroke-width=\"8\"/>\
<text x=\"100\" y=\"118\" text-anchor=\"middle\" font-family=\"sans-serif\" font-size=\"56\" font-weight=\"bold\" fill=\"#fff\">{label}</text>\
</svg>"
    );
    CleanImage {
        content_type: SVG,
        bytes: svg.into_bytes(),
    }
}

/// Cleans an upload, if there is one, on the blocking pool (decoding and re-encoding a
/// PNG is CPU work, kept off the threads that serve requests).
///
/// # Errors
/// `Invalid` with the [`ImageError`]; a failed background task.
pub async fn clean_upload(bytes: Option<Vec<u8>>) -> ServerResult<Option<CleanImage>> {
    match bytes {
        Some(bytes) if !bytes.is_empty() => {
            let cleaned = tokio::task::spawn_blocking(move || clean(&bytes)).await?;
            Ok(Some(cleaned.map_err(AppError::from)?))
        }
        _ => Ok(None),
    }
}

/// Stores a cleaned image (once per content) and returns it. Two requests storing the
/// same bytes at once both get the one row.
///
/// # Errors
/// Database errors.
pub async fn store(conn: &impl ConnectionTrait, img: CleanImage) -> ServerResult<image::Model> {
    let sha = hex(&Sha256::digest(&img.bytes));
    image::Entity::insert(image::ActiveModel {
        sha256: Set(sha.clone()),
        content_type: Set(img.content_type.to_string()),
        bytes: Set(img.bytes),
        created_at: Set(Utc::now()),
        ..Default::default()
    })
    .on_conflict(
        OnConflict::column(image::Column::Sha256)
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(conn)
    .await?;
    by_sha256(conn, &sha).await
}

/// The image with this content hash.
///
/// # Errors
/// `NotFound`; database errors.
pub async fn by_sha256(conn: &impl ConnectionTrait, sha: &str) -> ServerResult<image::Model> {
    image::Entity::find()
        .filter(image::Column::Sha256.eq(sha))
        .one(conn)
        .await?
        .ok_or_else(|| AppError::NotFound.into())
}

/// Lower-case hex.
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn png(w: u32, h: u32) -> Vec<u8> {
        let img = ::image::RgbaImage::from_pixel(w, h, ::image::Rgba([10, 20, 30, 255]));
        let mut out = Vec::new();
        ::image::DynamicImage::ImageRgba8(img)
            .write_to(&mut Cursor::new(&mut out), ::image::ImageFormat::Png)
            .unwrap();
        out
    }

    #[test]
    fn png_is_reencoded_without_extra_chunks() {
        let mut bytes = png(4, 4);
        // Append a text chunk before IEND: re-encoding drops it.
        let iend = bytes.len() - 12;
        let mut chunk = Vec::new();
        let data = b"openbadges\0secret";
        chunk.extend_from_slice(&u32::try_from(data.len()).unwrap().to_be_bytes());
        chunk.extend_from_slice(b"tEXt");
        chunk.extend_from_slice(data);
        chunk.extend_from_slice(&[0, 0, 0, 0]);
        bytes.splice(iend..iend, chunk);
        let clean = clean(&bytes).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(clean.content_type, PNG);
        assert!(!clean.bytes.windows(4).any(|w| w == b"tEXt"));
    }

    #[test]
    fn not_images_and_oversize_are_refused() {
        assert_eq!(clean(b"GIF89a...."), Err(ImageError::NotAnImage));
        assert_eq!(clean(b"%PDF-1.4"), Err(ImageError::NotAnImage));
        assert_eq!(
            clean(&vec![b' '; MAX_IMAGE_BYTES + 1]),
            Err(ImageError::TooLarge)
        );
        assert!(matches!(
            clean(b"\x89PNG\r\n\x1a\nbroken"),
            Err(ImageError::BadPng(_))
        ));
        assert_eq!(
            clean(&png(MAX_IMAGE_SIDE + 1, 1)),
            Err(ImageError::TooManyPixels)
        );
    }

    #[test]
    fn active_svg_is_refused() {
        for (svg, what) in [
            (
                "<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>",
                "<script>",
            ),
            (
                "<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>",
                "event handler",
            ),
            (
                "<svg xmlns='http://www.w3.org/2000/svg'><foreignObject/></svg>",
                "<foreignObject>",
            ),
            (
                "<svg xmlns='http://www.w3.org/2000/svg' xmlns:x='http://www.w3.org/1999/xlink'><image x:href='https://evil.example/a.png'/></svg>",
                "outside",
            ),
            (
                "<svg xmlns='http://www.w3.org/2000/svg'><use href='other.svg#a'/></svg>",
                "outside",
            ),
            (
                "<svg xmlns='http://www.w3.org/2000/svg'><rect fill='url(https://evil.example/#a)'/></svg>",
                "outside",
            ),
            (
                "<svg xmlns='http://www.w3.org/2000/svg'><rect style='background:url(//evil.example)'/></svg>",
                "outside",
            ),
            (
                "<svg xmlns='http://www.w3.org/2000/svg'><a href='javascript:alert(1)'><rect/></a></svg>",
                "<a>",
            ),
            (
                "<svg xmlns='http://www.w3.org/2000/svg'><style>@import url(x.css)</style></svg>",
                "<style>",
            ),
            (
                "<svg xmlns='http://www.w3.org/2000/svg'><h:div xmlns:h='http://www.w3.org/1999/xhtml'/></svg>",
                "vocabulary",
            ),
        ] {
            let err = clean(svg.as_bytes()).unwrap_err();
            assert!(
                matches!(&err, ImageError::ActiveSvg(m) if m.contains(what)),
                "{svg}: {err:?}"
            );
        }
        // Entities (billion laughs, external files) never get parsed.
        let dtd = "<!DOCTYPE svg [<!ENTITY x SYSTEM 'file:///etc/passwd'>]><svg xmlns='http://www.w3.org/2000/svg'>&x;</svg>";
        assert!(matches!(clean(dtd.as_bytes()), Err(ImageError::BadSvg(_))));
    }

    #[test]
    fn deep_or_huge_svg_is_refused_without_exhausting_the_stack() {
        let depth = 100_000;
        let svg = format!(
            "<svg xmlns='http://www.w3.org/2000/svg'>{}{}</svg>",
            "<g>".repeat(depth),
            "</g>".repeat(depth)
        );
        assert!(svg.len() < MAX_IMAGE_BYTES);
        assert!(matches!(clean(svg.as_bytes()), Err(ImageError::BadSvg(_))));
        let deep_ok = format!(
            "<svg xmlns='http://www.w3.org/2000/svg'>{}{}</svg>",
            "<g>".repeat(MAX_SVG_DEPTH),
            "</g>".repeat(MAX_SVG_DEPTH)
        );
        assert!(clean(deep_ok.as_bytes()).is_ok());
    }

    #[test]
    fn clean_svg_keeps_drawing_and_drops_the_rest() {
        let svg = "<?xml version='1.0'?><!-- hi --><svg xmlns='http://www.w3.org/2000/svg' xmlns:x='http://www.w3.org/1999/xlink' xmlns:i='http://ns.example/inkscape' i:label='x' viewBox='0 0 10 10' data-x='1'><defs><linearGradient id='g'><stop offset='0' stop-color='red'/></linearGradient></defs><rect width='10' height='10' fill='url(#g)'/><use x:href='#g'/><text x='1'>A &amp; B</text></svg>";
        let clean = clean(svg.as_bytes()).unwrap();
        let out = String::from_utf8(clean.bytes).unwrap();
        assert_eq!(
            out,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 10 10\"><defs><linearGradient id=\"g\"><stop offset=\"0\" stop-color=\"red\"></stop></linearGradient></defs><rect width=\"10\" height=\"10\" fill=\"url(#g)\"></rect><use href=\"#g\"></use><text x=\"1\">A &amp; B</text></svg>"
        );
    }

    #[test]
    fn default_image_escapes_the_name() {
        let img = default_badge_svg("<Data> & \"Ethics\"");
        let text = String::from_utf8(img.bytes.clone()).unwrap();
        assert!(!text.contains("<Data>"));
        // It passes our own SVG check.
        assert_eq!(clean(&img.bytes).unwrap().content_type, SVG);
    }
}
