//! Reading an evidence upload: a `multipart/form-data` form with text fields and one
//! file, streamed to the [`EvidenceStore`] as it arrives.
//!
//! - The kind of file is judged by its content (magic bytes, with the `infer` crate)
//!   against [`ALLOWED`], before a byte is stored; a renamed program is refused
//!   whatever its name says. Legacy Office files (OLE compound files) say what they are
//!   only in a directory that may sit anywhere in the file, so they are checked again
//!   once the whole file is stored, and removed when they turn out to be anything else.
//! - The file is cut off as soon as it passes the smaller of the per-file cap and what
//!   is left of the learner's total, and its upload is aborted: nothing is stored.
//! - Its SHA-256 and size are computed on the way through.

use leptos::server_fn::codec::MultipartData;
use sha2::{Digest, Sha256};

use super::EvidenceError;
use super::storage::{EvidenceStore, Upload};
use crate::error::AppError;
use crate::server::error::{ServerError, ServerResult};
use crate::server::uploads::MAX_TEXT_BYTES;

/// Largest evidence file (bytes).
pub const MAX_FILE_BYTES: usize = 25 * 1024 * 1024;

/// Bytes looked at to tell a file's kind.
const SNIFF_BYTES: usize = 64 * 1024;

/// Accepted kinds of evidence by their (sniffed) media type.
pub const ALLOWED: &[&str] = &[
    "application/pdf",
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "video/mp4",
    "video/webm",
    "video/quicktime",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.spreadsheet",
    "application/vnd.oasis.opendocument.presentation",
    "application/msword",
    "application/vnd.ms-excel",
    "application/vnd.ms-powerpoint",
];

/// The magic bytes of an OLE compound file (legacy Office documents, but also
/// installers and other things).
const OLE_MAGIC: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// What the first bytes of a file say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sniffed {
    /// An accepted kind, with its media type.
    Allowed(&'static str),
    /// An OLE compound file: the whole file must be read to tell.
    NeedsWholeFile,
    /// Not accepted; what it seems to be, if anything is known.
    Refused(Option<String>),
}

/// The accepted media type of these bytes, if any.
pub fn accepted_type(bytes: &[u8]) -> Option<&'static str> {
    let kind = infer::get(bytes)?;
    ALLOWED.iter().copied().find(|m| *m == kind.mime_type())
}

/// Judges a file by its first bytes; `complete` says whether `prefix` is the whole file.
pub fn sniff(prefix: &[u8], complete: bool) -> Sniffed {
    if let Some(m) = accepted_type(prefix) {
        return Sniffed::Allowed(m);
    }
    if !complete && prefix.starts_with(&OLE_MAGIC) {
        return Sniffed::NeedsWholeFile;
    }
    Sniffed::Refused(infer::get(prefix).map(|k| k.mime_type().to_string()))
}

/// Whether a file of this type can be shown inline in a browser.
pub fn preview_kind(content_type: &str) -> &'static str {
    if content_type.starts_with("image/") {
        "image"
    } else if content_type.starts_with("video/") {
        "video"
    } else if content_type == "application/pdf" {
        "pdf"
    } else {
        ""
    }
}

/// A file now in the store.
#[derive(Debug, Clone)]
pub struct StoredFile {
    pub key: String,
    /// The name the browser gave (not trusted for anything but display).
    pub file_name: String,
    pub content_type: &'static str,
    pub size: u64,
    pub sha256: String,
}

/// A read evidence form.
#[derive(Debug, Default)]
pub struct EvidenceForm {
    fields: Vec<(String, String)>,
    /// The stored file, when one was sent.
    pub file: Option<StoredFile>,
}

impl EvidenceForm {
    /// The first value of a text field, or empty.
    pub fn text(&self, name: &str) -> String {
        self.fields
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }

    /// Whether a checkbox was ticked.
    pub fn checked(&self, name: &str) -> bool {
        matches!(self.text(name).as_str(), "on" | "true" | "1" | "yes")
    }
}

fn bad(e: impl std::fmt::Display) -> ServerError {
    AppError::BadRequest {
        message: format!("the form could not be read ({e})"),
    }
    .into()
}

/// How much may still be stored.
#[derive(Debug, Clone, Copy)]
pub struct Allowance {
    /// The per-file cap.
    pub file_cap: u64,
    /// What is left of the learner's total.
    pub remaining: u64,
    /// What the learner stores already.
    pub used: u64,
}

/// Whose upload it is.
#[derive(Debug, Clone, Copy)]
pub struct Owner<'a> {
    pub db: &'a sea_orm::DatabaseConnection,
    pub user_id: i32,
}

/// Reads the form; the field `file_field` is streamed to `store` under `key`, once the
/// fields sent before it (`program`, `badge`) name evidence the owner may add to.
///
/// # Errors
/// `BadRequest` for a malformed body; `Invalid` for a file of a refused kind, too
/// large, past the learner's total, or text too long (nothing is stored then);
/// storage errors.
pub async fn read_form(
    data: MultipartData,
    file_field: &str,
    store: &EvidenceStore,
    key: &str,
    allowance: Allowance,
    owner: Owner<'_>,
) -> ServerResult<EvidenceForm> {
    let mut form = EvidenceForm::default();
    let read = read_fields(data, file_field, store, key, allowance, &mut form, owner).await;
    if let Err(e) = read {
        // A stored file of a form that failed later is removed: nothing stays behind.
        if let Some(f) = form.file.take() {
            store.delete(&f.key).await?;
        }
        return Err(e);
    }
    Ok(form)
}

async fn read_fields(
    data: MultipartData,
    file_field: &str,
    store: &EvidenceStore,
    key: &str,
    allowance: Allowance,
    form: &mut EvidenceForm,
    owner: Owner<'_>,
) -> ServerResult<()> {
    let mut multipart = data
        .into_inner()
        .ok_or_else(|| bad("not multipart/form-data"))?;
    let mut text_bytes = 0usize;
    while let Some(mut field) = multipart.next_field().await.map_err(bad)? {
        let name = field.name().unwrap_or_default().to_string();
        if name == file_field {
            if form.file.is_some() {
                return Err(AppError::invalid("Upload one file at a time.").into());
            }
            // The fields before the file (where it goes) are checked before a byte of
            // it is read.
            super::submissions::check_can_add(
                owner.db,
                owner.user_id,
                &form.text("program"),
                &form.text("badge"),
            )
            .await?;
            let file_name = field.file_name().unwrap_or_default().to_string();
            if let Some((content_type, size, sha256)) =
                stream_file(&mut field, store, key, allowance).await?
            {
                form.file = Some(StoredFile {
                    key: key.to_string(),
                    file_name,
                    content_type,
                    size,
                    sha256,
                });
            }
            continue;
        }
        let cap = MAX_TEXT_BYTES - text_bytes.min(MAX_TEXT_BYTES);
        let mut bytes = Vec::new();
        while let Some(chunk) = field.chunk().await.map_err(bad)? {
            if bytes.len() + chunk.len() > cap {
                return Err(AppError::invalid("The form's text is too long.").into());
            }
            bytes.extend_from_slice(&chunk);
        }
        text_bytes += bytes.len();
        let value = String::from_utf8(bytes).map_err(bad)?;
        form.fields.push((name, value));
    }
    Ok(())
}

/// Streams one file: `None` for an empty file input.
async fn stream_file(
    field: &mut multer::Field<'static>,
    store: &EvidenceStore,
    key: &str,
    allowance: Allowance,
) -> ServerResult<Option<(&'static str, u64, String)>> {
    let limit = allowance.file_cap.min(allowance.remaining);
    let too_large = |size: u64| -> ServerError {
        if size > allowance.file_cap {
            EvidenceError::FileTooLarge {
                cap: allowance.file_cap,
            }
            .into()
        } else {
            EvidenceError::OverQuota {
                used: allowance.used,
                total: allowance.used + allowance.remaining,
            }
            .into()
        }
    };
    // The first bytes, to judge the kind before anything is stored.
    let mut head: Vec<u8> = Vec::new();
    let mut ended = false;
    while head.len() < SNIFF_BYTES {
        match field.chunk().await.map_err(bad)? {
            Some(chunk) => {
                head.extend_from_slice(&chunk);
                if head.len() as u64 > limit {
                    return Err(too_large(head.len() as u64));
                }
            }
            None => {
                ended = true;
                break;
            }
        }
    }
    if head.is_empty() {
        return Ok(None);
    }
    let sniffed = sniff(&head, ended);
    let mut content_type = match &sniffed {
        Sniffed::Allowed(m) => Some(*m),
        Sniffed::NeedsWholeFile => None,
        Sniffed::Refused(seen) => {
            return Err(EvidenceError::TypeRefused { seen: seen.clone() }.into());
        }
    };
    let mut upload = store.begin(key).await?;
    let mut hasher = Sha256::new();
    let mut size = head.len() as u64;
    hasher.update(&head);
    if let Err(e) = upload.write(&head).await {
        upload.abort().await;
        return Err(e.into());
    }
    drop(head);
    if !ended {
        loop {
            let chunk = match field.chunk().await.map_err(bad) {
                Ok(Some(c)) => c,
                Ok(None) => break,
                Err(e) => {
                    upload.abort().await;
                    return Err(e);
                }
            };
            size += chunk.len() as u64;
            if size > limit {
                upload.abort().await;
                return Err(too_large(size));
            }
            hasher.update(&chunk);
            if let Err(e) = upload.write(&chunk).await {
                upload.abort().await;
                return Err(e.into());
            }
        }
    }
    finish(upload).await?;
    if content_type.is_none() {
        // A compound file: read it whole to tell a Word file from an installer.
        let whole = store.get(key).await?;
        content_type = accepted_type(&whole);
        if content_type.is_none() {
            store.delete(key).await?;
            let seen = infer::get(&whole).map(|k| k.mime_type().to_string());
            return Err(EvidenceError::TypeRefused { seen }.into());
        }
    }
    let digest = hasher.finalize();
    let sha256 = digest.iter().map(|b| format!("{b:02x}")).collect();
    Ok(content_type.map(|m| (m, size, sha256)))
}

async fn finish(upload: Upload) -> ServerResult<()> {
    upload.finish().await.map_err(ServerError::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_are_told_by_content_not_by_name() {
        assert_eq!(
            sniff(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", true),
            Sniffed::Allowed("application/pdf")
        );
        assert_eq!(
            sniff(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", true),
            Sniffed::Allowed("image/png")
        );
        // An ELF program and a Windows one, whatever they are called.
        let elf = b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x02\0\x3e\0\x01\0\0\0";
        assert!(matches!(sniff(elf, true), Sniffed::Refused(_)));
        let mut pe = b"MZ\x90\0\x03\0\0\0\x04\0\0\0\xff\xff\0\0".to_vec();
        pe.resize(512, 0);
        assert!(matches!(sniff(&pe, true), Sniffed::Refused(_)));
        assert!(matches!(
            sniff(b"<html><script>alert(1)</script>", true),
            Sniffed::Refused(_)
        ));
        // A compound file is judged once whole; a complete one that is no Office file
        // is refused.
        let mut ole = OLE_MAGIC.to_vec();
        ole.resize(SNIFF_BYTES, 0);
        assert_eq!(sniff(&ole, false), Sniffed::NeedsWholeFile);
        assert!(matches!(sniff(&ole, true), Sniffed::Refused(_)));
    }

    #[test]
    fn previews_follow_the_type() {
        assert_eq!(preview_kind("image/png"), "image");
        assert_eq!(preview_kind("video/webm"), "video");
        assert_eq!(preview_kind("application/pdf"), "pdf");
        assert_eq!(preview_kind("application/msword"), "");
    }
}
