//! Reads a `multipart/form-data` form (text fields and one file) with limits: the file
//! is cut off past the image cap, and text fields are bounded, so an upload cannot
//! exhaust memory. The request body as a whole is bounded by the router too.

use leptos::server_fn::codec::MultipartData;

use super::catalog::images::{ImageError, MAX_IMAGE_BYTES};
use super::error::ServerResult;
use crate::error::AppError;

/// Most bytes of all text fields together.
pub const MAX_TEXT_BYTES: usize = 64 * 1024;

/// A read form.
#[derive(Debug, Default)]
pub struct Form {
    fields: Vec<(String, String)>,
    /// The file's bytes, when one was chosen.
    pub file: Option<Vec<u8>>,
    /// The name the browser gave the file, when it gave one.
    pub file_name: Option<String>,
}

impl Form {
    /// The first value of a text field, or empty.
    pub fn text(&self, name: &str) -> String {
        self.fields
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }

    /// Every value of a repeated field, in order.
    pub fn all(&self, name: &str) -> Vec<String> {
        self.fields
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .collect()
    }
}

fn bad(e: impl std::fmt::Display) -> AppError {
    AppError::BadRequest {
        message: format!("the form could not be read ({e})"),
    }
}

/// Reads every field; `file_field` names the one file input.
///
/// # Errors
/// `BadRequest` for a malformed body; `Invalid` when the file or the text is too large.
pub async fn read_form(data: MultipartData, file_field: &str) -> ServerResult<Form> {
    read_form_with_cap(data, file_field, MAX_IMAGE_BYTES, || {
        AppError::from(ImageError::TooLarge)
    })
    .await
}

/// Reads every field; `file_field` names the one file input, which may hold at most
/// `file_cap` bytes (else `too_large()` is the error).
///
/// # Errors
/// `BadRequest` for a malformed body; `Invalid` when the file or the text is too large.
pub async fn read_form_with_cap(
    data: MultipartData,
    file_field: &str,
    file_cap: usize,
    too_large: impl Fn() -> AppError,
) -> ServerResult<Form> {
    let mut multipart = data
        .into_inner()
        .ok_or_else(|| bad("not multipart/form-data"))?;
    let mut form = Form::default();
    let mut text_bytes = 0usize;
    while let Some(mut field) = multipart.next_field().await.map_err(bad)? {
        let name = field.name().unwrap_or_default().to_string();
        let is_file = name == file_field;
        if is_file {
            form.file_name = field.file_name().map(str::to_string);
        }
        let cap = if is_file {
            file_cap
        } else {
            MAX_TEXT_BYTES - text_bytes.min(MAX_TEXT_BYTES)
        };
        let mut bytes = Vec::new();
        while let Some(chunk) = field.chunk().await.map_err(bad)? {
            if bytes.len() + chunk.len() > cap {
                return Err(if is_file {
                    too_large().into()
                } else {
                    AppError::invalid("The form's text is too long.").into()
                });
            }
            bytes.extend_from_slice(&chunk);
        }
        if is_file {
            // A file input left empty sends an empty part.
            if !bytes.is_empty() {
                form.file = Some(bytes);
            }
        } else {
            text_bytes += bytes.len();
            let value = String::from_utf8(bytes).map_err(bad)?;
            form.fields.push((name, value));
        }
    }
    Ok(form)
}
