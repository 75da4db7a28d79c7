//! Images made for a public page: the baked badge (PNG or SVG with the credential
//! inside), the Open Graph preview (1200×627 PNG), the e-mail signature image (96×96
//! PNG, the badge at 2× for a 48×48 display, marked when the badge is not in good
//! standing), and the QR code of the page (SVG and PNG).
//!
//! A badge image is either a PNG (decoded with limits) or an SVG, drawn by [`svg`]
//! (resvg, bounded, never fetching anything). One that cannot be drawn (malformed, too
//! large, too complex) gets a plain disc in the badge's status colour instead: a
//! preview is never an error. `badge.png` of an SVG badge is the SVG drawn at
//! [`BADGE_PNG_SIDE`] pixels, so it can be baked like a PNG badge ([`badge_png`]).

use base64::{Engine as _, engine::general_purpose::STANDARD};
use image::{DynamicImage, ImageFormat, Rgba, RgbaImage, imageops};
use openbadges::baking;

use crate::model::portfolio::Mark;

pub mod svg;

pub use svg::SvgError;

/// Open Graph preview size (LinkedIn's recommended 1.91:1).
pub const OG_WIDTH: u32 = 1200;
pub const OG_HEIGHT: u32 = 627;
/// The signature image's side (2× its 48 px display).
pub const SIGNATURE_SIDE: u32 = 96;
/// The longer side of `badge.png` made from an SVG badge.
pub const BADGE_PNG_SIDE: u32 = 512;
/// Largest badge image decoded (bytes and pixels).
const MAX_SOURCE_BYTES: usize = 8 * 1024 * 1024;
const MAX_SOURCE_SIDE: u32 = 4096;

#[derive(Debug, thiserror::Error)]
pub enum ImageError {
    #[error("baking: {0}")]
    Baking(#[from] baking::BakingError),
    #[error("image: {0}")]
    Image(#[from] image::ImageError),
    #[error("QR code: {0}")]
    Qr(#[from] qrcode::types::QrError),
    #[error("SVG: {0}")]
    Svg(#[from] SvgError),
    #[error("not a PNG or SVG image")]
    NotAnImage,
}

/// Whether bytes are a PNG.
pub fn is_png(bytes: &[u8]) -> bool {
    baking::sniff(bytes) == Some(baking::ImageFormat::Png)
}

/// Whether bytes are an SVG.
pub fn is_svg(bytes: &[u8]) -> bool {
    baking::sniff(bytes) == Some(baking::ImageFormat::Svg)
}

/// The badge image with the credential baked in (PNG in, PNG out; SVG in, SVG out).
///
/// # Errors
/// A malformed image.
pub fn bake(image: &[u8], credential: &str) -> Result<Vec<u8>, ImageError> {
    Ok(baking::bake(image, credential, &baking::Limits::default())?)
}

/// The badge image as a PNG, ready to bake into `badge.png`: a PNG as it is, an SVG
/// drawn with its longer side at [`BADGE_PNG_SIDE`] pixels.
///
/// # Errors
/// Not a PNG or SVG; an SVG that cannot be drawn; encoding errors.
pub fn badge_png(image: &[u8]) -> Result<Vec<u8>, ImageError> {
    if is_png(image) {
        Ok(image.to_vec())
    } else if is_svg(image) {
        encode(&svg::render(image, BADGE_PNG_SIDE)?)
    } else {
        Err(ImageError::NotAnImage)
    }
}

/// A PNG badge wrapped in an SVG (so a PNG badge can be downloaded as a baked SVG too).
pub fn svg_wrapping_png(png: &[u8]) -> Vec<u8> {
    let (w, h) = image::load_from_memory_with_format(png, ImageFormat::Png)
        .map_or((512, 512), |i| (i.width(), i.height()));
    format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="{w}" height="{h}" viewBox="0 0 {w} {h}"><image width="{w}" height="{h}" xlink:href="data:image/png;base64,{}"/></svg>"#,
        STANDARD.encode(png)
    )
    .into_bytes()
}

/// The colour of a status band (none for a badge in good standing).
fn band_colour(mark: Mark) -> Option<Rgba<u8>> {
    match mark {
        Mark::Verified | Mark::ExpiringSoon => None,
        Mark::Expired | Mark::NotYetValid => Some(Rgba([0xb4, 0x6a, 0x00, 0xff])),
        Mark::Revoked | Mark::Suspended | Mark::NotVerified => Some(Rgba([0xb0, 0x1c, 0x1c, 0xff])),
        Mark::Unverifiable => Some(Rgba([0x5f, 0x63, 0x68, 0xff])),
    }
}

fn decode_png(bytes: &[u8]) -> Option<DynamicImage> {
    if bytes.len() > MAX_SOURCE_BYTES || !is_png(bytes) {
        return None;
    }
    let mut reader = image::ImageReader::with_format(std::io::Cursor::new(bytes), ImageFormat::Png);
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(MAX_SOURCE_SIDE);
    limits.max_image_height = Some(MAX_SOURCE_SIDE);
    limits.max_alloc = Some(256 * 1024 * 1024);
    reader.limits(limits);
    reader.decode().ok()
}

/// The badge image (PNG or SVG) drawn to fit a `side`×`side` square, or `None` when
/// there is none or it cannot be drawn (the caller draws a placeholder).
fn draw(badge_image: Option<&[u8]>, side: u32) -> Option<RgbaImage> {
    let bytes = badge_image?;
    if is_png(bytes) {
        return decode_png(bytes).map(|img| {
            img.resize(side, side, imageops::FilterType::Triangle)
                .to_rgba8()
        });
    }
    if is_svg(bytes) {
        return svg::render(bytes, side)
            .inspect_err(|e| tracing::warn!(error = %e, "SVG badge image not drawn"))
            .ok();
    }
    None
}

fn encode(img: &RgbaImage) -> Result<Vec<u8>, ImageError> {
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, ImageFormat::Png)?;
    Ok(out.into_inner())
}

fn fill_rect(img: &mut RgbaImage, x0: u32, y0: u32, w: u32, h: u32, c: Rgba<u8>) {
    for y in y0..(y0 + h).min(img.height()) {
        for x in x0..(x0 + w).min(img.width()) {
            img.put_pixel(x, y, c);
        }
    }
}

/// A circle placeholder for a badge that cannot be drawn.
fn placeholder(side: u32, c: Rgba<u8>) -> RgbaImage {
    let mut img = RgbaImage::new(side, side);
    let r = f64::from(side) / 2.0;
    for (x, y, p) in img.enumerate_pixels_mut() {
        let dx = f64::from(x) + 0.5 - r;
        let dy = f64::from(y) + 0.5 - r;
        if dx * dx + dy * dy <= r * r {
            *p = c;
        }
    }
    img
}

/// The Open Graph preview: the badge (PNG or SVG) centred on a plain background, with a
/// band along the bottom in the status colour when the badge is not in good standing.
///
/// # Errors
/// Encoding errors.
pub fn og_png(badge_image: Option<&[u8]>, mark: Mark) -> Result<Vec<u8>, ImageError> {
    let mut canvas = RgbaImage::from_pixel(OG_WIDTH, OG_HEIGHT, Rgba([0xf4, 0xf6, 0xfb, 0xff]));
    let band = band_colour(mark);
    let side = 460;
    let badge = draw(badge_image, side)
        .unwrap_or_else(|| placeholder(side, band.unwrap_or(Rgba([0x1d, 0x4e, 0xd8, 0xff]))));
    let x = (OG_WIDTH - badge.width()) / 2;
    let y = (OG_HEIGHT - 60 - badge.height()) / 2;
    imageops::overlay(&mut canvas, &badge, i64::from(x), i64::from(y));
    // A thin line in the brand colour at the top; the status band at the bottom.
    fill_rect(
        &mut canvas,
        0,
        0,
        OG_WIDTH,
        8,
        Rgba([0x1d, 0x4e, 0xd8, 0xff]),
    );
    if let Some(c) = band {
        fill_rect(&mut canvas, 0, OG_HEIGHT - 60, OG_WIDTH, 60, c);
    }
    encode(&canvas)
}

/// The e-mail signature image: the badge (PNG or SVG) at 96×96, greyed with a status
/// bar when it is not in good standing (a revoked badge stops advertising itself).
///
/// # Errors
/// Encoding errors.
pub fn signature_png(badge_image: Option<&[u8]>, mark: Mark) -> Result<Vec<u8>, ImageError> {
    let band = band_colour(mark);
    let mut img = match draw(badge_image, SIGNATURE_SIDE) {
        Some(small) => {
            let mut canvas = RgbaImage::new(SIGNATURE_SIDE, SIGNATURE_SIDE);
            let x = (SIGNATURE_SIDE - small.width()) / 2;
            let y = (SIGNATURE_SIDE - small.height()) / 2;
            imageops::overlay(&mut canvas, &small, i64::from(x), i64::from(y));
            canvas
        }
        None => placeholder(
            SIGNATURE_SIDE,
            band.unwrap_or(Rgba([0x1d, 0x4e, 0xd8, 0xff])),
        ),
    };
    if let Some(c) = band {
        for p in img.pixels_mut() {
            let g =
                u8::try_from((u32::from(p[0]) * 3 + u32::from(p[1]) * 6 + u32::from(p[2])) / 10)
                    .unwrap_or(u8::MAX);
            *p = Rgba([g, g, g, p[3] / 2]);
        }
        fill_rect(&mut img, 0, SIGNATURE_SIDE - 18, SIGNATURE_SIDE, 18, c);
    }
    encode(&img)
}

fn qr(url: &str) -> Result<qrcode::QrCode, ImageError> {
    Ok(qrcode::QrCode::with_error_correction_level(
        url.as_bytes(),
        qrcode::EcLevel::M,
    )?)
}

/// The QR code of `url` as SVG.
///
/// # Errors
/// A URL too long for a QR code.
pub fn qr_svg(url: &str) -> Result<String, ImageError> {
    let code = qr(url)?;
    Ok(code
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(256, 256)
        .quiet_zone(true)
        .build())
}

/// The QR code of `url` as PNG (8 pixels a module, 4 modules of quiet zone).
///
/// # Errors
/// A URL too long for a QR code.
pub fn qr_png(url: &str) -> Result<Vec<u8>, ImageError> {
    let code = qr(url)?;
    let n = u32::try_from(code.width()).unwrap_or(0);
    let scale = 8;
    let quiet = 4;
    let side = (n + 2 * quiet) * scale;
    let mut img = RgbaImage::from_pixel(side, side, Rgba([0xff, 0xff, 0xff, 0xff]));
    for (i, c) in code.to_colors().iter().enumerate() {
        if *c == qrcode::Color::Dark {
            let i = u32::try_from(i).unwrap_or(0);
            let (x, y) = (i % n, i / n);
            fill_rect(
                &mut img,
                (x + quiet) * scale,
                (y + quiet) * scale,
                scale,
                scale,
                Rgba([0, 0, 0, 0xff]),
            );
        }
    }
    encode(&img)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn tiny_png() -> Vec<u8> {
        encode(&RgbaImage::from_pixel(40, 30, Rgba([10, 200, 30, 255]))).unwrap()
    }

    #[test]
    fn previews_have_their_sizes() {
        for png in [Some(tiny_png()), None] {
            let og =
                image::load_from_memory(&og_png(png.as_deref(), Mark::Revoked).unwrap()).unwrap();
            assert_eq!((og.width(), og.height()), (OG_WIDTH, OG_HEIGHT));
            let sig =
                image::load_from_memory(&signature_png(png.as_deref(), Mark::Verified).unwrap())
                    .unwrap();
            assert_eq!(
                (sig.width(), sig.height()),
                (SIGNATURE_SIDE, SIGNATURE_SIDE)
            );
        }
    }

    /// A badge like the ones issuers upload: a solid disc, a ring painted with a
    /// gradient (red at the top, yellow at the bottom) and white text below the centre.
    const BADGE_SVG: &str = r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 200 200" width="200" height="200">
<defs><linearGradient id="ring" x1="0" y1="0" x2="0" y2="1">
<stop offset="0" stop-color="#ff0000"/><stop offset="1" stop-color="#ffff00"/></linearGradient></defs>
<circle cx="100" cy="100" r="80" fill="#c81e5a" stroke="url(#ring)" stroke-width="16"/>
<text x="100" y="150" text-anchor="middle" font-family="Helvetica, Arial, sans-serif" font-size="30" font-weight="bold" fill="#ffffff">WW</text>
</svg>"##;
    const DISC: [u8; 3] = [0xc8, 0x1e, 0x5a];
    const PLACEHOLDER: [u8; 3] = [0x1d, 0x4e, 0xd8];

    fn rgba(png: &[u8]) -> RgbaImage {
        image::load_from_memory(png).unwrap().to_rgba8()
    }

    fn near(p: Rgba<u8>, c: [u8; 3]) -> bool {
        p.0.iter().zip(c).all(|(a, b)| a.abs_diff(b) <= 6)
    }

    /// The og.png pixel at (x, y) of the 200-unit badge (drawn 460 px wide, centred
    /// 53 px from the top).
    fn og_at(img: &RgbaImage, x: f32, y: f32) -> Rgba<u8> {
        let k = 460.0 / 200.0;
        *img.get_pixel(370 + (x * k) as u32, 53 + (y * k) as u32)
    }

    #[test]
    fn an_svg_badge_is_drawn_in_the_open_graph_preview() {
        let og = rgba(&og_png(Some(BADGE_SVG.as_bytes()), Mark::Verified).unwrap());
        assert_eq!(og.dimensions(), (OG_WIDTH, OG_HEIGHT));
        let centre = og_at(&og, 100.0, 100.0);
        assert!(near(centre, DISC), "centre {centre:?}");
        // The gradient ring: red at the top, yellow at the bottom.
        let top = og_at(&og, 100.0, 20.5);
        let bottom = og_at(&og, 100.0, 179.5);
        assert!(top[0] > 0xe0 && top[1] < 0x40, "top of the ring {top:?}");
        assert!(
            bottom[0] > 0xe0 && bottom[1] > 0xc0,
            "bottom of the ring {bottom:?}"
        );
        // The text: white pixels where "WW" is written, none on the disc above it.
        let white = |x0: f32, y0: f32, x1: f32, y1: f32| {
            let mut n = 0;
            let mut y = y0;
            while y < y1 {
                let mut x = x0;
                while x < x1 {
                    let p = og_at(&og, x, y);
                    n += usize::from(p[0] > 0xf0 && p[1] > 0xf0 && p[2] > 0xf0);
                    x += 0.5;
                }
                y += 0.5;
            }
            n
        };
        assert!(white(70.0, 125.0, 130.0, 150.0) > 100, "the text is drawn");
        assert_eq!(white(70.0, 60.0, 130.0, 90.0), 0);
        // Outside the badge: the plain background; no status band.
        assert_eq!(og.get_pixel(100, 300).0, [0xf4, 0xf6, 0xfb, 0xff]);
        assert_eq!(
            og.get_pixel(600, OG_HEIGHT - 10).0,
            [0xf4, 0xf6, 0xfb, 0xff]
        );
    }

    #[test]
    fn an_svg_badge_is_drawn_in_the_signature_image() {
        let sig = rgba(&signature_png(Some(BADGE_SVG.as_bytes()), Mark::Verified).unwrap());
        assert_eq!(sig.dimensions(), (SIGNATURE_SIDE, SIGNATURE_SIDE));
        let centre = *sig.get_pixel(48, 40);
        assert!(near(centre, DISC), "centre {centre:?}");
        assert_eq!(centre[3], 0xff);
        // Transparent around the disc.
        assert_eq!(sig.get_pixel(1, 1)[3], 0);
    }

    #[test]
    fn a_revoked_svg_badge_is_greyed_and_banded() {
        let sig = rgba(&signature_png(Some(BADGE_SVG.as_bytes()), Mark::Revoked).unwrap());
        let centre = *sig.get_pixel(48, 40);
        assert!(
            centre[0] == centre[1] && centre[1] == centre[2],
            "greyed: {centre:?}"
        );
        assert!(centre[3] < 0xff, "faded: {centre:?}");
        assert_eq!(
            sig.get_pixel(48, SIGNATURE_SIDE - 5).0,
            [0xb0, 0x1c, 0x1c, 0xff]
        );
        let og = rgba(&og_png(Some(BADGE_SVG.as_bytes()), Mark::Revoked).unwrap());
        assert!(near(og_at(&og, 100.0, 100.0), DISC));
        assert_eq!(
            og.get_pixel(600, OG_HEIGHT - 10).0,
            [0xb0, 0x1c, 0x1c, 0xff]
        );
    }

    #[test]
    fn a_huge_svg_is_clamped_or_refused_and_malformed_ones_get_the_placeholder() {
        // Huge but sane: drawn at the preview's size, not its own.
        let big = BADGE_SVG.replacen(
            r#"width="200" height="200""#,
            r#"width="50000" height="50000""#,
            1,
        );
        let og = rgba(&og_png(Some(big.as_bytes()), Mark::Verified).unwrap());
        assert!(near(og_at(&og, 100.0, 100.0), DISC));
        let png = rgba(&badge_png(big.as_bytes()).unwrap());
        assert_eq!(png.dimensions(), (BADGE_PNG_SIDE, BADGE_PNG_SIDE));
        // Absurd: refused (no gigabyte buffer), the placeholder is drawn.
        let absurd = BADGE_SVG.replacen(
            r#"width="200" height="200""#,
            r#"width="1e9" height="1e9""#,
            1,
        );
        let sliver = BADGE_SVG.replacen(
            r#"width="200" height="200""#,
            r#"width="100000" height="1""#,
            1,
        );
        let entities = r#"<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><text>&b;</text></svg>"#;
        for bad in [
            absurd.as_str(),
            sliver.as_str(),
            entities,
            "<svg xmlns=\"http://www.w3.org/2000/svg\"><circle r=",
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"0\" height=\"0\"/>",
            "<svg\u{0}",
        ] {
            let og = rgba(&og_png(Some(bad.as_bytes()), Mark::Verified).unwrap());
            let centre = og_at(&og, 100.0, 100.0);
            assert!(near(centre, PLACEHOLDER), "{bad}: {centre:?}");
            let sig = rgba(&signature_png(Some(bad.as_bytes()), Mark::Verified).unwrap());
            assert!(near(*sig.get_pixel(48, 48), PLACEHOLDER), "{bad}");
            assert!(badge_png(bad.as_bytes()).is_err(), "{bad}");
        }
        assert!(matches!(
            badge_png(absurd.as_bytes()),
            Err(ImageError::Svg(SvgError::AbsurdSize))
        ));
        assert!(matches!(badge_png(b"GIF89a"), Err(ImageError::NotAnImage)));
    }

    #[test]
    fn an_svg_badge_png_is_drawn_and_bakes() {
        let png = badge_png(BADGE_SVG.as_bytes()).unwrap();
        assert!(is_png(&png));
        let img = rgba(&png);
        assert_eq!(img.dimensions(), (BADGE_PNG_SIDE, BADGE_PNG_SIDE));
        assert!(near(*img.get_pixel(256, 220), DISC));
        let baked = bake(&png, r#"{"id":"urn:x"}"#).unwrap();
        assert!(is_png(&baked));
        let got = baking::extract(&baked, &baking::Limits::default())
            .unwrap()
            .unwrap();
        assert_eq!(got.payload, r#"{"id":"urn:x"}"#);
        // A PNG badge stays the same bytes.
        assert_eq!(badge_png(&tiny_png()).unwrap(), tiny_png());
    }

    #[test]
    fn the_default_badge_image_is_drawn() {
        let img = crate::server::catalog::images::default_badge_svg("Data Literacy");
        let og = rgba(&og_png(Some(&img.bytes), Mark::Verified).unwrap());
        let centre = og_at(&og, 100.0, 60.0);
        assert!(
            !near(centre, PLACEHOLDER) && centre[3] == 0xff,
            "{centre:?}"
        );
        assert_ne!(centre.0, [0xf4, 0xf6, 0xfb, 0xff]);
    }

    /// Figures, not assertions: `cargo test --release -p app --features ssr
    /// svg_render_timings -- --ignored --nocapture`.
    #[test]
    #[ignore = "a timing print; run in release with --nocapture"]
    fn svg_render_timings() {
        let default = crate::server::catalog::images::default_badge_svg("Data Literacy").bytes;
        for (name, svg) in [
            ("gradient+text", BADGE_SVG.as_bytes()),
            ("default hexagon", &default),
        ] {
            for (what, f) in [
                (
                    "og.png",
                    og_png as fn(Option<&[u8]>, Mark) -> Result<Vec<u8>, ImageError>,
                ),
                ("signature.png", signature_png),
            ] {
                let _ = f(Some(svg), Mark::Verified).unwrap();
                let n = 30;
                let start = std::time::Instant::now();
                for _ in 0..n {
                    let _ = f(Some(svg), Mark::Verified).unwrap();
                }
                let each = start.elapsed() / n;
                println!(
                    "{what} from {name} SVG: {:.2} ms",
                    each.as_secs_f64() * 1000.0
                );
            }
            let start = std::time::Instant::now();
            let _ = svg::render(svg, 460).unwrap();
            println!(
                "  of which the SVG drawn at 460 px: {:.2} ms",
                start.elapsed().as_secs_f64() * 1000.0
            );
        }
        let png = tiny_png();
        let start = std::time::Instant::now();
        let _ = og_png(Some(&png), Mark::Verified).unwrap();
        println!(
            "og.png from a PNG badge (for comparison): {:.2} ms",
            start.elapsed().as_secs_f64() * 1000.0
        );
    }

    #[test]
    fn qr_codes_are_made() {
        let svg = qr_svg("https://example.org/c/x?src=qr").unwrap();
        assert!(svg.contains("<svg"));
        let png =
            image::load_from_memory(&qr_png("https://example.org/c/x?src=qr").unwrap()).unwrap();
        assert!(png.width() > 100);
    }

    #[test]
    fn a_png_wrapped_in_svg_bakes() {
        let svg = svg_wrapping_png(&tiny_png());
        let baked = bake(&svg, r#"{"id":"urn:x"}"#).unwrap();
        let got = baking::extract(&baked, &baking::Limits::default())
            .unwrap()
            .unwrap();
        assert_eq!(got.payload, r#"{"id":"urn:x"}"#);
    }
}
