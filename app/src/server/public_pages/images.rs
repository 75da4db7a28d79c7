//! Images made for a public page: the baked badge (PNG or SVG with the credential
//! inside), the Open Graph preview (1200×627 PNG), the e-mail signature image (96×96
//! PNG, the badge at 2× for a 48×48 display, marked when the badge is not in good
//! standing), and the QR code of the page (SVG and PNG).
//!
//! Only PNG badge images can be drawn from (there is no SVG rasteriser here): a badge
//! whose image is an SVG gets a plain preview and signature image in the badge's status
//! colour, and `badge.png` answers 404 while `badge.svg` is baked.

use base64::{Engine as _, engine::general_purpose::STANDARD};
use image::{DynamicImage, ImageFormat, Rgba, RgbaImage, imageops};
use openbadges::baking;

use crate::model::portfolio::Mark;

/// Open Graph preview size (LinkedIn's recommended 1.91:1).
pub const OG_WIDTH: u32 = 1200;
pub const OG_HEIGHT: u32 = 627;
/// The signature image's side (2× its 48 px display).
pub const SIGNATURE_SIDE: u32 = 96;
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

fn decode(png: Option<&[u8]>) -> Option<DynamicImage> {
    let bytes = png.filter(|b| b.len() <= MAX_SOURCE_BYTES && is_png(b))?;
    let mut reader = image::ImageReader::with_format(std::io::Cursor::new(bytes), ImageFormat::Png);
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(MAX_SOURCE_SIDE);
    limits.max_image_height = Some(MAX_SOURCE_SIDE);
    limits.max_alloc = Some(256 * 1024 * 1024);
    reader.limits(limits);
    reader.decode().ok()
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

/// The Open Graph preview: the badge centred on a plain background, with a band along
/// the bottom in the status colour when the badge is not in good standing.
///
/// # Errors
/// Encoding errors.
pub fn og_png(badge_png: Option<&[u8]>, mark: Mark) -> Result<Vec<u8>, ImageError> {
    let mut canvas = RgbaImage::from_pixel(OG_WIDTH, OG_HEIGHT, Rgba([0xf4, 0xf6, 0xfb, 0xff]));
    let band = band_colour(mark);
    let side = 460;
    let badge = match decode(badge_png) {
        Some(img) => img
            .resize(side, side, imageops::FilterType::Triangle)
            .to_rgba8(),
        None => placeholder(side, band.unwrap_or(Rgba([0x1d, 0x4e, 0xd8, 0xff]))),
    };
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

/// The e-mail signature image: the badge at 96×96, greyed with a status bar when it is
/// not in good standing (a revoked badge stops advertising itself).
///
/// # Errors
/// Encoding errors.
pub fn signature_png(badge_png: Option<&[u8]>, mark: Mark) -> Result<Vec<u8>, ImageError> {
    let band = band_colour(mark);
    let mut img = match decode(badge_png) {
        Some(img) => {
            let img = img.resize(
                SIGNATURE_SIDE,
                SIGNATURE_SIDE,
                imageops::FilterType::Triangle,
            );
            let mut canvas = RgbaImage::new(SIGNATURE_SIDE, SIGNATURE_SIDE);
            let small = img.to_rgba8();
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
