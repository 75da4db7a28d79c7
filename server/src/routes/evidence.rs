//! Evidence files: `GET /evidence/{public id}`.
//!
//! Served only to those allowed (see `app::server::evidence::access`; everyone else gets
//! 404, so nobody learns the piece exists), with the type sniffed at upload, `nosniff`,
//! `Content-Disposition` (inline for images, video and PDF, a download for the rest,
//! under a safe name), a sandboxing CSP, and single byte ranges (video seeking).
//!
//! The CSP: `sandbox` makes the file a document of an opaque origin without scripts,
//! forms or plugins, and `default-src 'none'` lets it load nothing, so an uploaded file
//! can never act as our site even when opened directly. Checked in Chromium 156: images
//! and video shown by `<img>`/`<video>` in the review page are not affected (a
//! response's CSP governs documents only), and Chromium's PDF viewer renders a PDF
//! under this policy both opened directly and framed by the review page, so PDFs need
//! no weaker policy. `frame-ancestors 'self'` with `X-Frame-Options: SAMEORIGIN` lets
//! our own pages frame a file for the preview, and nobody else's.

use axum::{
    Extension, Router,
    body::Body,
    extract::{Path, State},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
    routing::get,
};

use app::{
    error::AppError,
    server::{
        AppState,
        authz::{self, ActorCell},
        entities::evidence_item,
        evidence::{access, upload::preview_kind},
    },
};

use crate::api_error::ApiError;

/// The route pattern.
pub const EVIDENCE: &str = "/evidence/{public_id}";

/// The policy of every evidence file: an opaque, script-less sandbox that loads nothing.
pub const SANDBOX_CSP: &str = "sandbox; default-src 'none'; img-src 'self' data:; media-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'self'; base-uri 'none'; form-action 'none'";

/// The routes, to merge into the main router.
pub fn router() -> Router<AppState> {
    Router::new().route(EVIDENCE, get(file))
}

async fn file(
    State(state): State<AppState>,
    Path(public_id): Path<String>,
    cell: Option<Extension<ActorCell>>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let actor = match cell {
        Some(Extension(cell)) => cell.get(&state, &headers).await?,
        None => authz::resolve(&state, &headers).await?.actor.clone(),
    };
    let item = access::openable_file(&state.db, &actor, &public_id).await?;
    let key = item.object_key.clone().ok_or(AppError::NotFound)?;
    let size = u64::try_from(item.size_bytes).unwrap_or(0);
    let store = &state.settings.evidence;
    let range = headers
        .get(header::RANGE)
        .and_then(|v| v.to_str().ok())
        .map_or(RangeAnswer::Whole, |v| parse_range(v, size));
    let mut res = match range {
        RangeAnswer::Unsatisfiable => {
            let mut res = StatusCode::RANGE_NOT_SATISFIABLE.into_response();
            if let Ok(v) = HeaderValue::from_str(&format!("bytes */{size}")) {
                res.headers_mut().insert(header::CONTENT_RANGE, v);
            }
            return Ok(res);
        }
        RangeAnswer::Part(start, end) => {
            let bytes = store
                .get_range(&key, start..end + 1)
                .await
                .map_err(|e| ApiError::from(app::server::ServerError::from(e)))?;
            let mut res = (StatusCode::PARTIAL_CONTENT, bytes).into_response();
            if let Ok(v) = HeaderValue::from_str(&format!("bytes {start}-{end}/{size}")) {
                res.headers_mut().insert(header::CONTENT_RANGE, v);
            }
            res
        }
        RangeAnswer::Whole => {
            let stream = store
                .stream(&key)
                .await
                .map_err(|e| ApiError::from(app::server::ServerError::from(e)))?;
            let mut res = Body::from_stream(stream).into_response();
            res.headers_mut()
                .insert(header::CONTENT_LENGTH, HeaderValue::from(size));
            res
        }
    };
    add_file_headers(res.headers_mut(), &item);
    Ok(res)
}

/// The headers of an evidence file.
fn add_file_headers(h: &mut HeaderMap, item: &evidence_item::Model) {
    let content_type = item
        .content_type
        .as_deref()
        .unwrap_or("application/octet-stream");
    let preview = preview_kind(content_type);
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(content_type)
            .unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    h.insert(
        header::CONTENT_DISPOSITION,
        content_disposition(!preview.is_empty(), &item.name),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(SANDBOX_CSP),
    );
    // Our own pages may show it in a frame (the PDF preview); nobody else's.
    h.insert(
        header::X_FRAME_OPTIONS,
        HeaderValue::from_static("SAMEORIGIN"),
    );
    h.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    h.insert(
        "cross-origin-resource-policy",
        HeaderValue::from_static("same-origin"),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-cache"),
    );
}

/// `inline` or `attachment`, with a name that cannot break the header: an ASCII
/// fallback of safe characters and the full name percent-encoded (RFC 6266).
pub fn content_disposition(inline: bool, name: &str) -> HeaderValue {
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | ' ' | '(' | ')') {
                c
            } else {
                '_'
            }
        })
        .collect::<String>()
        .trim()
        .trim_start_matches('.')
        .chars()
        .take(100)
        .collect();
    let ascii = if ascii.is_empty() {
        "evidence".to_string()
    } else {
        ascii
    };
    let encoded: String = name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_') {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    let kind = if inline { "inline" } else { "attachment" };
    HeaderValue::from_str(&format!(
        "{kind}; filename=\"{ascii}\"; filename*=UTF-8''{encoded}"
    ))
    .unwrap_or(HeaderValue::from_static("attachment"))
}

/// What to answer to a `Range` header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RangeAnswer {
    /// The whole file (a header this route does not honour: another unit, several
    /// ranges).
    Whole,
    /// These bytes (inclusive bounds).
    Part(u64, u64),
    /// 416.
    Unsatisfiable,
}

/// Reads `Range: bytes=…` for a file of `size` bytes.
pub fn parse_range(value: &str, size: u64) -> RangeAnswer {
    let Some(spec) = value.trim().strip_prefix("bytes=") else {
        return RangeAnswer::Whole;
    };
    let Some((start, end)) = spec.split_once('-').filter(|_| !spec.contains(',')) else {
        return RangeAnswer::Whole;
    };
    let (start, end) = (start.trim(), end.trim());
    let Some(last) = size.checked_sub(1) else {
        return RangeAnswer::Unsatisfiable;
    };
    let (from, to) = match (start.parse::<u64>().ok(), end.parse::<u64>().ok()) {
        (Some(s), Some(e)) if s <= e => (s, e.min(last)),
        (Some(s), None) if end.is_empty() => (s, last),
        (None, Some(n)) if start.is_empty() && n > 0 => (size.saturating_sub(n), last),
        _ => return RangeAnswer::Whole,
    };
    if from > last {
        RangeAnswer::Unsatisfiable
    } else {
        RangeAnswer::Part(from, to)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges() {
        use RangeAnswer::{Part, Unsatisfiable, Whole};
        assert_eq!(parse_range("bytes=0-9", 100), Part(0, 9));
        assert_eq!(parse_range("bytes=90-", 100), Part(90, 99));
        assert_eq!(parse_range("bytes=-10", 100), Part(90, 99));
        assert_eq!(parse_range("bytes=50-500", 100), Part(50, 99));
        assert_eq!(parse_range("bytes=100-", 100), Unsatisfiable);
        assert_eq!(parse_range("bytes=0-", 0), Unsatisfiable);
        assert_eq!(parse_range("bytes=0-1,5-6", 100), Whole);
        assert_eq!(parse_range("items=0-1", 100), Whole);
    }

    #[test]
    fn names_cannot_break_the_header() {
        let v = content_disposition(false, "a\"b\r\nSet-Cookie: x=1; é.pdf");
        let s = v.to_str().expect("ascii");
        assert!(
            s.starts_with("attachment; filename=\"a_b__Set-Cookie_ x_1_ _.pdf\""),
            "{s}"
        );
        assert!(
            s.contains("filename*=UTF-8''a%22b%0D%0ASet-Cookie%3A%20x%3D1%3B%20%C3%A9.pdf"),
            "{s}"
        );
        let v = content_disposition(true, "..");
        assert!(
            v.to_str()
                .expect("ascii")
                .starts_with("inline; filename=\"evidence\"")
        );
    }
}
