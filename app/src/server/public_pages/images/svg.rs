//! SVG badge images drawn as pixels (resvg), for the Open Graph preview, the e-mail
//! signature image and `badge.png`.
//!
//! The source is either a catalogue image (cleaned from an allow-list at upload) or the
//! original of an imported baked SVG (not cleaned), so drawing is bounded on its own:
//!
//! - at most [`MAX_SVG_BYTES`], parsed without a DTD (no entities) and with at most
//!   [`MAX_XML_NODES`] XML nodes;
//! - before drawing, a walk that follows `<use>` references and markers refuses an
//!   image that would expand past [`MAX_EXPANDED`] elements, nest deeper than
//!   [`MAX_DEPTH`], nest more than [`MAX_LAYERS`] offscreen layers (opacity, masks,
//!   clips, filters), hold more than [`MAX_IMAGES`] embedded images or a filter of more
//!   than [`MAX_FILTER_PRIMITIVES`] steps;
//! - a width or height outside [`MIN_SIDE`]…[`MAX_SIDE`] or a shape longer than
//!   [`MAX_ASPECT`]:1 is refused; the output is always drawn to fit the size asked for
//!   (never at the SVG's own size), and pattern tiles larger than [`MAX_TILE_PIXELS`]
//!   or filters costing more than [`MAX_FILTER_PASSES`] passes over the output are
//!   refused;
//! - nothing is ever fetched or read: `<image>` draws only `data:image/png` of at most
//!   [`MAX_EMBEDDED_PNG_SIDE`] pixels a side (no files, no URLs, no nested SVG, no
//!   JPEG/GIF/WebP);
//! - text is drawn with a few fonts Debian ships (`fonts-dejavu-core`,
//!   `fonts-liberation`), read once from fixed paths; when none is installed, text is
//!   left out (the rest of the badge is still drawn). Generic families map to DejaVu.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use image::RgbaImage;
use resvg::{tiny_skia, usvg};
use usvg::{fontdb, roxmltree};

/// Largest SVG drawn, in bytes.
pub const MAX_SVG_BYTES: usize = 2 * 1024 * 1024;
/// Most XML nodes parsed (the upload cleaner's limit is 20 000 elements).
pub const MAX_XML_NODES: u32 = 50_000;
/// Most elements once `<use>` references and markers are expanded.
pub const MAX_EXPANDED: u32 = 100_000;
/// Deepest element nesting (following `<use>`).
pub const MAX_DEPTH: u32 = 64;
/// Most nested offscreen layers (each can cost a canvas-sized buffer).
pub const MAX_LAYERS: u32 = 8;
/// Most embedded images drawn (each is decoded when drawn).
pub const MAX_IMAGES: u32 = 8;
/// Most steps in one filter (each keeps a buffer while the filter runs).
pub const MAX_FILTER_PRIMITIVES: usize = 8;
/// Largest side of an embedded PNG, in pixels.
pub const MAX_EMBEDDED_PNG_SIDE: u32 = 2048;
/// Accepted width and height of the SVG, in its own units.
pub const MIN_SIDE: f32 = 0.01;
pub const MAX_SIDE: f32 = 100_000.0;
/// Longest side over shortest side.
pub const MAX_ASPECT: f32 = 50.0;
/// Largest pattern tile drawn, in pixels.
pub const MAX_TILE_PIXELS: f32 = 2048.0 * 2048.0;
/// Most filter work, in passes over the whole output: the sum over every filtered
/// group of its filter region (in output pixels, at most 25 outputs: resvg's own
/// bound) times its steps. A three-step drop shadow on the whole badge costs about 3 to
/// 5 (at most about 0.3 s on this machine under load).
pub const MAX_FILTER_PASSES: f32 = 8.0;

/// Fonts read for `<text>`, when present (Debian's `fonts-dejavu-core` and
/// `fonts-liberation`; the Liberation faces match Arial, Helvetica and Times metrics).
const FONT_FILES: &[&str] = &[
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSerif-Bold.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSerif-Regular.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSerif-Bold.ttf",
];
/// Largest font file read.
const MAX_FONT_BYTES: u64 = 4 * 1024 * 1024;

/// Why an SVG was not drawn.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SvgError {
    #[error("the SVG is larger than {MAX_SVG_BYTES} bytes")]
    TooLarge,
    #[error("the SVG could not be read: {0}")]
    Malformed(String),
    #[error("the SVG is too complex to draw: {0}")]
    TooComplex(&'static str),
    #[error("the SVG's size is out of bounds")]
    AbsurdSize,
}

/// The fonts for `<text>`, read once.
fn fonts() -> Arc<fontdb::Database> {
    static FONTS: OnceLock<Arc<fontdb::Database>> = OnceLock::new();
    FONTS
        .get_or_init(|| {
            let mut db = fontdb::Database::new();
            for path in FONT_FILES {
                let small = std::fs::metadata(path).is_ok_and(|m| m.len() <= MAX_FONT_BYTES);
                if let Some(data) = small.then(|| std::fs::read(path).ok()).flatten() {
                    db.load_font_data(data);
                }
            }
            if db.is_empty() {
                tracing::warn!("no fonts found: text in SVG badge images is not drawn");
            }
            db.set_sans_serif_family("DejaVu Sans");
            db.set_serif_family("DejaVu Serif");
            db.set_monospace_family("DejaVu Sans Mono");
            db.set_cursive_family("DejaVu Sans");
            db.set_fantasy_family("DejaVu Sans");
            Arc::new(db)
        })
        .clone()
}

/// Width and height of a PNG from its header, without decoding it.
fn png_size(data: &[u8]) -> Option<(u32, u32)> {
    let sig = data.get(..8)?;
    if sig != b"\x89PNG\r\n\x1a\n" || data.get(12..16)? != b"IHDR" {
        return None;
    }
    let w = u32::from_be_bytes(data.get(16..20)?.try_into().ok()?);
    let h = u32::from_be_bytes(data.get(20..24)?.try_into().ok()?);
    Some((w, h))
}

fn options() -> usvg::Options<'static> {
    let mut opt = usvg::Options {
        resources_dir: None,
        font_family: "DejaVu Sans".to_owned(),
        fontdb: fonts(),
        ..usvg::Options::default()
    };
    opt.image_href_resolver = usvg::ImageHrefResolver {
        // Only an embedded PNG of bounded size; never a nested SVG or another format.
        resolve_data: Box::new(|mime, data, _| {
            let (w, h) = png_size(&data)?;
            (matches!(mime, "image/png" | "text/plain")
                && (1..=MAX_EMBEDDED_PNG_SIDE).contains(&w)
                && (1..=MAX_EMBEDDED_PNG_SIDE).contains(&h))
            .then_some(usvg::ImageKind::PNG(data))
        }),
        // Never a file or a URL.
        resolve_string: Box::new(|_, _| None),
    };
    opt
}

/// The expansion walk over the XML (see the module header).
struct Walk<'a, 'input> {
    ids: HashMap<&'a str, roxmltree::Node<'a, 'input>>,
    /// Elements inside all `<marker>`s (drawn again at every vertex of a shape).
    marker_elements: u32,
    elements: u32,
    images: u32,
}

const LAYER_PROPERTIES: &[&str] = &[
    "opacity",
    "mask",
    "clip-path",
    "filter",
    "mix-blend-mode",
    "isolation",
];

fn makes_layer(n: roxmltree::Node<'_, '_>) -> bool {
    n.attributes().any(|a| {
        let name = a.name();
        LAYER_PROPERTIES.contains(&name)
            || (name == "style" && LAYER_PROPERTIES.iter().any(|p| a.value().contains(p)))
    })
}

/// An upper bound on the vertices of a shape (numbers in its geometry).
fn vertices(n: roxmltree::Node<'_, '_>) -> u32 {
    let geometry = n.attribute("d").or_else(|| n.attribute("points"));
    let numbers = geometry.map_or(0, |g| {
        let mut count = 0u32;
        let mut in_number = false;
        for c in g.chars() {
            let digit = c.is_ascii_digit() || c == '.';
            if digit && !in_number {
                count = count.saturating_add(1);
            }
            in_number = digit;
        }
        count
    });
    numbers / 2 + 2
}

impl<'a, 'input> Walk<'a, 'input> {
    fn new(doc: &'a roxmltree::Document<'input>) -> Self {
        let mut ids = HashMap::new();
        let mut marker_elements = 0u32;
        for n in doc.descendants().filter(roxmltree::Node::is_element) {
            if let Some(id) = n.attribute("id") {
                ids.entry(id).or_insert(n);
            }
            if n.tag_name().name() == "marker" {
                let inside = n.descendants().filter(roxmltree::Node::is_element).count();
                marker_elements =
                    marker_elements.saturating_add(u32::try_from(inside).unwrap_or(u32::MAX));
            }
        }
        Walk {
            ids,
            marker_elements,
            elements: 0,
            images: 0,
        }
    }

    fn count(&mut self, n: u32) -> Result<(), SvgError> {
        self.elements = self.elements.saturating_add(n);
        if self.elements > MAX_EXPANDED {
            return Err(SvgError::TooComplex("too many elements"));
        }
        Ok(())
    }

    fn element(
        &mut self,
        n: roxmltree::Node<'a, 'input>,
        depth: u32,
        layers: u32,
    ) -> Result<(), SvgError> {
        self.count(1)?;
        if depth > MAX_DEPTH {
            return Err(SvgError::TooComplex("nested too deeply"));
        }
        let layers = layers + u32::from(makes_layer(n));
        if layers > MAX_LAYERS {
            return Err(SvgError::TooComplex("too many nested layers"));
        }
        match n.tag_name().name() {
            "image" | "feImage" => {
                self.images += 1;
                if self.images > MAX_IMAGES {
                    return Err(SvgError::TooComplex("too many embedded images"));
                }
            }
            "filter" => {
                if n.children().filter(roxmltree::Node::is_element).count() > MAX_FILTER_PRIMITIVES
                {
                    return Err(SvgError::TooComplex("a filter with too many steps"));
                }
            }
            "use" => {
                // Every `href` of the element is followed (plain and `xlink:`, whichever
                // usvg picks), trimmed as usvg trims it; one this walk cannot follow is
                // refused, so the walk never counts less than usvg will expand.
                let hrefs: Vec<&str> = n
                    .attributes()
                    .filter(|a| a.name() == "href")
                    .map(|a| a.value())
                    .collect();
                for h in hrefs {
                    let target = h
                        .trim()
                        .strip_prefix('#')
                        .map(str::trim)
                        .and_then(|id| self.ids.get(id).copied())
                        .ok_or(SvgError::TooComplex("a reference that cannot be followed"))?;
                    self.element(target, depth + 1, layers)?;
                }
            }
            // Style sheets can make layers of any group (`g { opacity: .5 }`), which
            // this walk does not read: not drawn.
            "style" => return Err(SvgError::TooComplex("a style sheet")),
            "path" | "line" | "polyline" | "polygon" if self.marker_elements > 0 => {
                // Markers are drawn at every vertex (they may be inherited: counted for
                // every shape).
                self.count(vertices(n).saturating_mul(self.marker_elements))?;
            }
            _ => {}
        }
        for child in n.children().filter(roxmltree::Node::is_element) {
            self.element(child, depth + 1, layers)?;
        }
        Ok(())
    }
}

fn max_scale(ts: tiny_skia::Transform) -> f32 {
    let (sx, sy) = ts.get_scale();
    sx.max(sy)
}

/// What [`check_tree`] adds up.
struct Cost {
    nodes: u32,
    /// Filter work so far, in output pixels.
    filter_pixels: f32,
    /// Output pixels.
    output: f32,
}

/// Checks the parsed tree: pattern tiles drawn at `scale` stay bounded, filter work and
/// the node count (patterns counted at each use) too.
fn check_tree(group: &usvg::Group, scale: f32, cost: &mut Cost) -> Result<(), SvgError> {
    for node in group.children() {
        cost.nodes = cost.nodes.saturating_add(1);
        if cost.nodes > MAX_EXPANDED {
            return Err(SvgError::TooComplex("too many elements"));
        }
        let s = scale * max_scale(node.abs_transform());
        match node {
            usvg::Node::Group(g) => {
                for f in g.filters() {
                    let region = f.rect();
                    let area = (region.width() * s * region.height() * s).min(25.0 * cost.output);
                    let steps = f.primitives().len().clamp(1, MAX_FILTER_PRIMITIVES) as f32;
                    cost.filter_pixels += area * steps;
                    if !cost.filter_pixels.is_finite()
                        || cost.filter_pixels > MAX_FILTER_PASSES * cost.output
                    {
                        return Err(SvgError::TooComplex("filters too costly"));
                    }
                }
                check_tree(g, scale, cost)?;
                for sub in [
                    g.clip_path().map(usvg::ClipPath::root),
                    g.mask().map(usvg::Mask::root),
                ]
                .into_iter()
                .flatten()
                {
                    check_tree(sub, s, cost)?;
                }
            }
            usvg::Node::Path(p) => {
                let paints = [
                    p.fill().map(usvg::Fill::paint),
                    p.stroke().map(usvg::Stroke::paint),
                ];
                for paint in paints.into_iter().flatten() {
                    if let usvg::Paint::Pattern(pattern) = paint {
                        let ps = s * max_scale(pattern.transform());
                        let rect = pattern.rect();
                        let tile = rect.width() * ps * rect.height() * ps;
                        if !tile.is_finite() || tile > MAX_TILE_PIXELS {
                            return Err(SvgError::TooComplex("a pattern tile too large"));
                        }
                        check_tree(pattern.root(), ps, cost)?;
                    }
                }
            }
            usvg::Node::Text(t) => check_tree(t.flattened(), scale, cost)?,
            usvg::Node::Image(_) => {}
        }
    }
    Ok(())
}

/// Parses and checks an SVG.
fn parse(svg: &[u8]) -> Result<usvg::Tree, SvgError> {
    if svg.len() > MAX_SVG_BYTES {
        return Err(SvgError::TooLarge);
    }
    let text = std::str::from_utf8(svg).map_err(|e| SvgError::Malformed(e.to_string()))?;
    let doc = roxmltree::Document::parse_with_options(
        text,
        roxmltree::ParsingOptions {
            allow_dtd: false,
            nodes_limit: MAX_XML_NODES,
            ..roxmltree::ParsingOptions::default()
        },
    )
    .map_err(|e| SvgError::Malformed(e.to_string()))?;
    let root = doc.root_element();
    if root.tag_name().name() != "svg" {
        return Err(SvgError::Malformed("the root is not <svg>".into()));
    }
    Walk::new(&doc).element(root, 0, 0)?;
    let tree = usvg::Tree::from_xmltree(&doc, &options())
        .map_err(|e| SvgError::Malformed(e.to_string()))?;
    let size = tree.size();
    let (w, h) = (size.width(), size.height());
    let sides_ok = [w, h]
        .iter()
        .all(|s| s.is_finite() && (MIN_SIDE..=MAX_SIDE).contains(s));
    if !sides_ok || w.max(h) / w.min(h) > MAX_ASPECT {
        return Err(SvgError::AbsurdSize);
    }
    Ok(tree)
}

/// The SVG drawn to fit a `side`×`side` square (its own aspect kept; the result is at
/// most `side` wide and high), straight (not premultiplied) RGBA.
///
/// # Errors
/// [`SvgError`]: unreadable, too large or too complex to draw.
pub fn render(svg: &[u8], side: u32) -> Result<RgbaImage, SvgError> {
    let tree = parse(svg)?;
    let size = tree.size();
    // `side` is one of our output sizes (at most a few thousand pixels).
    let target = side.clamp(1, 4096) as f32;
    let k = (target / size.width()).min(target / size.height());
    let mut cost = Cost {
        nodes: 0,
        filter_pixels: 0.0,
        output: (size.width() * k).max(1.0) * (size.height() * k).max(1.0),
    };
    check_tree(tree.root(), k, &mut cost)?;
    let px = |v: f32| ((v * k).round() as u32).clamp(1, side.max(1));
    let (w, h) = (px(size.width()), px(size.height()));
    let mut pixmap = tiny_skia::Pixmap::new(w, h).ok_or(SvgError::AbsurdSize)?;
    resvg::render(
        &tree,
        tiny_skia::Transform::from_scale(k, k),
        &mut pixmap.as_mut(),
    );
    let mut rgba = Vec::with_capacity(pixmap.data().len());
    for p in pixmap.pixels() {
        let c = p.demultiply();
        rgba.extend_from_slice(&[c.red(), c.green(), c.blue(), c.alpha()]);
    }
    RgbaImage::from_raw(w, h, rgba).ok_or(SvgError::AbsurdSize)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use base64::{Engine as _, engine::general_purpose::STANDARD};

    const NS: &str =
        r#"xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink""#;

    fn red_png(side: u32) -> Vec<u8> {
        let img = RgbaImage::from_pixel(side, side, image::Rgba([0xff, 0, 0, 0xff]));
        let mut out = std::io::Cursor::new(Vec::new());
        img.write_to(&mut out, image::ImageFormat::Png).unwrap();
        out.into_inner()
    }

    fn centre(img: &RgbaImage) -> [u8; 4] {
        img.get_pixel(img.width() / 2, img.height() / 2).0
    }

    #[test]
    fn an_embedded_png_is_drawn_and_files_are_never_read() {
        let data = STANDARD.encode(red_png(8));
        let svg = format!(
            r#"<svg {NS} width="100" height="100"><image width="100" height="100" xlink:href="data:image/png;base64,{data}"/></svg>"#
        );
        assert_eq!(
            centre(&render(svg.as_bytes(), 50).unwrap()),
            [0xff, 0, 0, 0xff]
        );

        // The same PNG as a file next to us, by absolute path and as a file: URL.
        let path = std::env::temp_dir().join(format!("h2-svg-{}.png", std::process::id()));
        std::fs::write(&path, red_png(8)).unwrap();
        for href in [
            path.display().to_string(),
            format!("file://{}", path.display()),
        ] {
            let svg = format!(
                r#"<svg {NS} width="100" height="100"><image width="100" height="100" xlink:href="{href}"/><image width="100" height="100" href="{href}"/></svg>"#
            );
            assert_eq!(centre(&render(svg.as_bytes(), 50).unwrap())[3], 0, "{href}");
        }
        std::fs::remove_file(&path).unwrap();

        // A nested SVG, a JPEG or an embedded PNG claiming 30 000 × 30 000 pixels: not drawn.
        let mut huge = red_png(8);
        huge[16..20].copy_from_slice(&30_000u32.to_be_bytes());
        huge[20..24].copy_from_slice(&30_000u32.to_be_bytes());
        let inner = format!(
            r#"<svg {NS} width="10" height="10"><rect width="10" height="10" fill="red"/></svg>"#
        );
        for href in [
            format!("data:image/png;base64,{}", STANDARD.encode(&huge)),
            format!("data:image/svg+xml;base64,{}", STANDARD.encode(inner)),
            format!(
                "data:image/jpeg;base64,{}",
                STANDARD.encode([0xff, 0xd8, 0xff, 0xe0])
            ),
        ] {
            let svg = format!(
                r#"<svg {NS} width="100" height="100"><image width="100" height="100" xlink:href="{href}"/></svg>"#
            );
            assert_eq!(centre(&render(svg.as_bytes(), 50).unwrap())[3], 0);
        }
    }

    #[test]
    fn exponential_use_is_refused() {
        let mut svg = format!(
            r#"<svg {NS} width="10" height="10"><defs><rect id="l0" width="1" height="1"/>"#
        );
        for i in 1..12 {
            svg.push_str(&format!(r#"<g id="l{i}">"#));
            for _ in 0..10 {
                svg.push_str(&format!(r##"<use xlink:href="#l{}"/>"##, i - 1));
            }
            svg.push_str("</g>");
        }
        svg.push_str(r##"</defs><use xlink:href="#l11"/></svg>"##);
        assert_eq!(
            render(svg.as_bytes(), 96).unwrap_err(),
            SvgError::TooComplex("too many elements")
        );
        // A reference to itself.
        let cycle = format!(
            r##"<svg {NS} width="10" height="10"><g id="a"><use xlink:href="#a"/></g></svg>"##
        );
        assert!(matches!(
            render(cycle.as_bytes(), 96),
            Err(SvgError::TooComplex(_))
        ));
    }

    #[test]
    fn markers_on_long_paths_are_counted() {
        let mut marker = String::new();
        for _ in 0..100 {
            marker.push_str(r#"<rect width="1" height="1"/>"#);
        }
        let mut d = String::from("M0 0");
        for i in 0..3000 {
            d.push_str(&format!(" L{} {}", i % 10, i % 7));
        }
        let svg = format!(
            r##"<svg {NS} width="10" height="10"><marker id="m">{marker}</marker><path d="{d}" marker-mid="url(#m)"/></svg>"##
        );
        assert_eq!(
            render(svg.as_bytes(), 96).unwrap_err(),
            SvgError::TooComplex("too many elements")
        );
    }

    #[test]
    fn costly_layers_filters_and_patterns_are_refused() {
        let mut nested = format!(r#"<svg {NS} width="10" height="10">"#);
        for _ in 0..(MAX_LAYERS + 1) {
            nested.push_str(r#"<g opacity="0.9">"#);
        }
        nested.push_str(r#"<rect width="10" height="10"/>"#);
        for _ in 0..(MAX_LAYERS + 1) {
            nested.push_str("</g>");
        }
        nested.push_str("</svg>");
        assert_eq!(
            render(nested.as_bytes(), 96).unwrap_err(),
            SvgError::TooComplex("too many nested layers")
        );

        let steps = "<feFlood flood-color=\"red\"/>".repeat(MAX_FILTER_PRIMITIVES + 1);
        let filter = format!(
            r##"<svg {NS} width="10" height="10"><filter id="f">{steps}</filter><rect width="10" height="10" filter="url(#f)"/></svg>"##
        );
        assert_eq!(
            render(filter.as_bytes(), 96).unwrap_err(),
            SvgError::TooComplex("a filter with too many steps")
        );

        // Nested groups each blurred over a region 5 times the badge's size: refused
        // (this took over 30 s to draw before the filter budget); one drop shadow is fine.
        let blur = "<feGaussianBlur stdDeviation=\"40\"/>".repeat(MAX_FILTER_PRIMITIVES);
        let mut costly = format!(
            r#"<svg {NS} width="200" height="200"><filter id="f" x="-200%" y="-200%" width="500%" height="500%">{blur}</filter>"#
        );
        costly.push_str(&r#"<g filter="url(#f)">"#.repeat(7));
        costly.push_str(r#"<rect width="200" height="200" fill="blue"/>"#);
        costly.push_str(&"</g>".repeat(7));
        costly.push_str("</svg>");
        assert_eq!(
            render(costly.as_bytes(), 460).unwrap_err(),
            SvgError::TooComplex("filters too costly")
        );
        let shadow = format!(
            r##"<svg {NS} width="200" height="200"><filter id="s"><feGaussianBlur in="SourceAlpha" stdDeviation="4"/><feOffset dx="2" dy="2"/><feMerge><feMergeNode/><feMergeNode in="SourceGraphic"/></feMerge></filter><circle cx="100" cy="100" r="80" fill="blue" filter="url(#s)"/></svg>"##
        );
        assert_eq!(
            centre(&render(shadow.as_bytes(), 460).unwrap()),
            [0, 0, 0xff, 0xff]
        );

        let tile = |side: u32| {
            format!(
                r##"<svg {NS} width="10" height="10"><pattern id="p" patternUnits="userSpaceOnUse" width="{side}" height="{side}"><rect width="1" height="1" fill="red"/></pattern><rect width="10" height="10" fill="url(#p)"/></svg>"##
            )
        };
        // At 460 px for 10 units, a 1000-unit tile would be 46 000 px a side.
        assert_eq!(
            render(tile(1000).as_bytes(), 460).unwrap_err(),
            SvgError::TooComplex("a pattern tile too large")
        );
        let small = render(tile(2).as_bytes(), 460).unwrap();
        assert_eq!(small.get_pixel(5, 5).0, [0xff, 0, 0, 0xff]);
    }

    #[test]
    fn the_output_fits_the_size_asked_for() {
        let wide = format!(
            r#"<svg {NS} width="300" height="100"><rect width="300" height="100" fill="blue"/></svg>"#
        );
        let img = render(wide.as_bytes(), 96).unwrap();
        assert_eq!(img.dimensions(), (96, 32));
        assert_eq!(centre(&img), [0, 0, 0xff, 0xff]);
        let tiny = format!(
            r#"<svg {NS} width="0.5" height="0.5"><rect width="1" height="1" fill="blue"/></svg>"#
        );
        assert_eq!(render(tiny.as_bytes(), 96).unwrap().dimensions(), (96, 96));
        assert_eq!(
            render(&vec![b' '; MAX_SVG_BYTES + 1], 96).unwrap_err(),
            SvgError::TooLarge
        );
    }

    #[test]
    fn references_are_followed_as_usvg_follows_them() {
        // Eleven levels of ten `<use>` each: 10^11 elements once expanded, however the
        // reference is written (plain `href` first, spaces around the id).
        for attr in [r##"href=" #l{}""##, r##"xlink:href="#l0" href="#l{}""##] {
            let mut svg = String::from(
                r#"<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="10" height="10"><defs><rect id="l0" width="1" height="1"/>"#,
            );
            for level in 1..=11 {
                svg.push_str(&format!(r#"<g id="l{level}">"#));
                for _ in 0..10 {
                    svg.push_str(&format!(
                        "<use {}/>",
                        attr.replace("{}", &(level - 1).to_string())
                    ));
                }
                svg.push_str("</g>");
            }
            svg.push_str(r##"</defs><use href="#l11"/></svg>"##);
            // Refused by the walk before usvg expands anything.
            assert_eq!(
                render(svg.as_bytes(), 96).unwrap_err(),
                SvgError::TooComplex("too many elements"),
                "{attr}"
            );
        }
        // A reference to nothing is refused rather than left uncounted.
        let svg = br##"<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><use href="#nowhere"/></svg>"##;
        assert_eq!(
            render(svg, 96).unwrap_err(),
            SvgError::TooComplex("a reference that cannot be followed")
        );
    }

    #[test]
    fn style_sheets_are_not_drawn() {
        let mut svg = String::from(
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><style>g{opacity:.5}</style>"#,
        );
        for _ in 0..64 {
            svg.push_str("<g>");
        }
        svg.push_str(r#"<rect width="10" height="10"/>"#);
        for _ in 0..64 {
            svg.push_str("</g>");
        }
        svg.push_str("</svg>");
        assert_eq!(
            render(svg.as_bytes(), 96).unwrap_err(),
            SvgError::TooComplex("a style sheet")
        );
    }
}
