//! Everything a learner holds, as one zip:
//!
//! - `credentials/…json`: every credential issued here, exactly as signed, and
//!   `credentials/…png` (or `.svg`): the badge image baked with that credential;
//! - `imports/…`: every imported badge, the exact bytes imported (`.png`, `.svg`,
//!   `.json` or `.jwt` by how it came);
//! - `endorsements/…json`: the signed `EndorsementCredential` of every approved
//!   endorsement of the learner's badges;
//! - `evidence/…`: the evidence files the learner uploaded;
//! - `collections.json`, `share_links.json`: the learner's collections and links;
//! - `index.json` and `index.html`: what is where, readable by programs and people.
//!
//! Only the learner's own rows are read (every query is scoped to `user_id`). The zip
//! is written to an anonymous temporary file (gone when closed) by a blocking thread
//! fed one entry at a time, so at most one evidence file (25 MB) is in memory at once,
//! and served from there with its length (the page's progress bar reads it). The whole
//! export is capped at [`MAX_EXPORT_BYTES`] of input.

use std::collections::HashMap;
use std::io::{Read as _, Seek as _, SeekFrom, Write as _};

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};
use serde_json::{Value, json};

use crate::error::AppError;
use crate::model::account_data::ExportSummary;
use crate::server::entities::{
    award, badge_version, collection, collection_item, credential, endorsement, evidence_item,
    image, imported_badge, institution, share_link, user,
};
use crate::server::error::{ServerError, ServerResult};
use crate::server::evidence::storage::EvidenceStore;

/// Largest export (the sum of what goes in, before compression). A learner's evidence
/// is capped at 250 MB, so this is reached only by an unusual portfolio; it is then
/// refused with a message rather than filling the server's disk.
pub const MAX_EXPORT_BYTES: u64 = 1024 * 1024 * 1024;

/// Bytes per chunk when the finished zip is streamed out.
pub const CHUNK_BYTES: usize = 64 * 1024;

/// What the export holds, counted without reading any of it.
///
/// # Errors
/// Database errors.
pub async fn summary(db: &impl ConnectionTrait, user_id: i32) -> ServerResult<ExportSummary> {
    let awards = award::Entity::find()
        .filter(award::Column::UserId.eq(user_id))
        .count(db)
        .await?;
    let imports = imported_badge::Entity::find()
        .filter(imported_badge::Column::UserId.eq(user_id))
        .count(db)
        .await?;
    let endorsements = endorsement::Entity::find()
        .filter(endorsement::Column::UserId.eq(user_id))
        .filter(endorsement::Column::Status.eq("approved"))
        .filter(endorsement::Column::CredentialId.is_not_null())
        .count(db)
        .await?;
    let files: Vec<evidence_item::Model> = evidence_item::Entity::find()
        .filter(evidence_item::Column::UserId.eq(user_id))
        .filter(evidence_item::Column::Kind.eq(evidence_item::KIND_FILE))
        .all(db)
        .await?;
    let collections = collection::Entity::find()
        .filter(collection::Column::UserId.eq(user_id))
        .count(db)
        .await?;
    let share_links = share_link::Entity::find()
        .filter(share_link::Column::UserId.eq(user_id))
        .count(db)
        .await?;
    Ok(ExportSummary {
        awards,
        imports,
        endorsements,
        evidence_files: files.len() as u64,
        evidence_bytes: files
            .iter()
            .map(|f| u64::try_from(f.size_bytes).unwrap_or(0))
            .sum(),
        collections,
        share_links,
    })
}

/// A finished export: an anonymous temporary file holding the zip.
#[derive(Debug)]
pub struct Export {
    pub file: std::fs::File,
    pub len: u64,
    /// The file name to offer (`badgefolio-export-YYYY-MM-DD.zip`).
    pub file_name: String,
}

impl Export {
    /// The zip as a stream of chunks (read on blocking threads).
    pub fn into_stream(
        self,
    ) -> impl futures_util::Stream<Item = std::io::Result<bytes::Bytes>> + Send + 'static {
        futures_util::stream::try_unfold(Some(self.file), |file| async move {
            let Some(mut file) = file else {
                return Ok(None);
            };
            let (file, chunk) = tokio::task::spawn_blocking(move || {
                let mut buf = vec![0u8; CHUNK_BYTES];
                let n = file.read(&mut buf)?;
                buf.truncate(n);
                Ok::<_, std::io::Error>((file, buf))
            })
            .await
            .map_err(std::io::Error::other)??;
            if chunk.is_empty() {
                Ok(None)
            } else {
                Ok(Some((bytes::Bytes::from(chunk), Some(file))))
            }
        })
    }
}

/// One file of the zip.
struct Entry {
    name: String,
    bytes: Vec<u8>,
    /// Already compressed (images): stored as is.
    stored: bool,
}

/// The zip writer on its blocking thread, fed through a bounded channel.
struct ZipSink {
    tx: tokio::sync::mpsc::Sender<Entry>,
    done: tokio::task::JoinHandle<std::io::Result<std::fs::File>>,
    names: HashMap<String, u32>,
    total: u64,
}

impl ZipSink {
    fn start() -> ServerResult<Self> {
        let file = tempfile::tempfile().map_err(|e| ServerError::Context(leak_io(&e)))?;
        let (tx, mut rx) = tokio::sync::mpsc::channel::<Entry>(2);
        let done = tokio::task::spawn_blocking(move || {
            use zip::{CompressionMethod, write::SimpleFileOptions};
            let mut zip = zip::ZipWriter::new(file);
            while let Some(e) = rx.blocking_recv() {
                let method = if e.stored {
                    CompressionMethod::Stored
                } else {
                    CompressionMethod::Deflated
                };
                let options = SimpleFileOptions::default()
                    .compression_method(method)
                    .unix_permissions(0o644);
                zip.start_file(e.name.as_str(), options)
                    .map_err(std::io::Error::other)?;
                zip.write_all(&e.bytes)?;
            }
            let mut file = zip.finish().map_err(std::io::Error::other)?;
            file.seek(SeekFrom::Start(0))?;
            Ok(file)
        });
        Ok(Self {
            tx,
            done,
            names: HashMap::new(),
            total: 0,
        })
    }

    /// Adds a file under `dir/` with a unique name made from `stem` and `ext`; returns
    /// the path in the zip.
    async fn add(
        &mut self,
        dir: &str,
        stem: &str,
        ext: &str,
        bytes: Vec<u8>,
        stored: bool,
    ) -> ServerResult<String> {
        self.total += bytes.len() as u64;
        if self.total > MAX_EXPORT_BYTES {
            return Err(AppError::invalid(
                "Your portfolio is too large to download as one file. Please contact the platform administrator.",
            )
            .into());
        }
        let base = if dir.is_empty() {
            // The export's own files, named exactly.
            stem.to_string()
        } else {
            format!("{dir}{}", safe_stem(stem))
        };
        let n = self.names.entry(format!("{base}{ext}")).or_insert(0);
        *n += 1;
        let name = if *n == 1 {
            format!("{base}{ext}")
        } else {
            format!("{base}-{n}{ext}")
        };
        self.tx
            .send(Entry {
                name: name.clone(),
                bytes,
                stored,
            })
            .await
            .map_err(|_| ServerError::Context("the export writer stopped"))?;
        Ok(name)
    }

    async fn finish(self) -> ServerResult<(std::fs::File, u64)> {
        drop(self.tx);
        let mut file = self
            .done
            .await?
            .map_err(|e| ServerError::Context(leak_io(&e)))?;
        let len = file
            .seek(SeekFrom::End(0))
            .and_then(|len| file.seek(SeekFrom::Start(0)).map(|_| len))
            .map_err(|e| ServerError::Context(leak_io(&e)))?;
        Ok((file, len))
    }
}

/// An I/O error as the static text `ServerError::Context` takes (logged, never shown).
fn leak_io(e: &std::io::Error) -> &'static str {
    tracing::error!(error = %e, "export file");
    "the export file could not be written"
}

/// A file name stem from any text: ASCII letters, digits and `-`, at most 60 of them.
pub fn safe_stem(s: &str) -> String {
    let mut out = String::new();
    let mut dash = false;
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
            dash = false;
        } else if !dash && !out.is_empty() {
            out.push('-');
            dash = true;
        }
        if out.len() >= 60 {
            break;
        }
    }
    let out = out.trim_end_matches('-').to_string();
    if out.is_empty() { "file".into() } else { out }
}

/// The extension of an imported badge's original bytes, by how it came.
pub fn import_extension(format: &str, media_type: &str, bytes: &[u8]) -> &'static str {
    match format {
        "baked_png" => ".png",
        "baked_svg" => ".svg",
        "ob3_jwt" => ".jwt",
        "ob3_json" | "ob2" => ".json",
        _ => match openbadges::baking::sniff(bytes) {
            Some(openbadges::baking::ImageFormat::Png) => ".png",
            Some(openbadges::baking::ImageFormat::Svg) => ".svg",
            None if media_type.contains("jwt") => ".jwt",
            None if bytes.first() == Some(&b'{') => ".json",
            None => ".txt",
        },
    }
}

/// The extension of an uploaded evidence file (its name's, if harmless).
fn evidence_extension(name: &str) -> String {
    name.rsplit_once('.')
        .map(|(_, ext)| ext)
        .filter(|ext| {
            (1..=8).contains(&ext.len()) && ext.chars().all(|c| c.is_ascii_alphanumeric())
        })
        .map_or_else(String::new, |ext| format!(".{}", ext.to_ascii_lowercase()))
}

fn date(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// Builds the export of `user_id`.
///
/// # Errors
/// `Invalid` when it would exceed [`MAX_EXPORT_BYTES`]; database, storage and file
/// errors.
#[allow(clippy::too_many_lines)]
pub async fn build(
    db: &impl ConnectionTrait,
    store: &EvidenceStore,
    public_url: &str,
    user_id: i32,
    now: DateTime<Utc>,
) -> ServerResult<Export> {
    let u = user::Entity::find_by_id(user_id)
        .filter(user::Column::DeletedAt.is_null())
        .one(db)
        .await?
        .ok_or(AppError::Unauthenticated)?;
    let mut sink = ZipSink::start()?;
    let mut index_awards = Vec::new();
    let mut index_imports = Vec::new();
    let mut index_endorsements = Vec::new();
    let mut index_evidence = Vec::new();

    // Badges issued here: one at a time (the credential and the image), newest first.
    let awards = award::Entity::find()
        .filter(award::Column::UserId.eq(user_id))
        .order_by_desc(award::Column::AwardedAt)
        .order_by_desc(award::Column::Id)
        .all(db)
        .await?;
    let mut institution_names: HashMap<i32, String> = HashMap::new();
    let mut award_public: HashMap<i32, String> = HashMap::new();
    for a in &awards {
        award_public.insert(a.id, a.public_id.to_string());
        let Some(cred) = credential::Entity::find_by_id(a.credential_id)
            .one(db)
            .await?
        else {
            continue;
        };
        let version = badge_version::Entity::find_by_id(a.badge_version_id)
            .one(db)
            .await?;
        let name = version
            .as_ref()
            .map_or_else(|| "badge".to_string(), |v| v.name.clone());
        if let std::collections::hash_map::Entry::Vacant(slot) =
            institution_names.entry(a.institution_id)
        {
            let n = institution::Entity::find_by_id(a.institution_id)
                .one(db)
                .await?
                .map(|i| i.name)
                .unwrap_or_default();
            slot.insert(n);
        }
        let stem = format!("{name}-{}", &a.public_id.simple().to_string()[..8]);
        let json_path = sink
            .add(
                "credentials/",
                &stem,
                ".json",
                cred.json.clone().into_bytes(),
                false,
            )
            .await?;
        // The badge image baked with the credential (PNG or SVG, as the image is).
        let mut baked_path = None;
        if let Some(v) = &version
            && let Some(img) = image::Entity::find_by_id(v.image_id).one(db).await?
        {
            let json = cred.json.clone();
            let bytes = img.bytes;
            let baked = tokio::task::spawn_blocking(move || {
                openbadges::baking::bake(&bytes, &json, &openbadges::baking::Limits::default())
            })
            .await?;
            match baked {
                Ok(b) => {
                    let ext = match openbadges::baking::sniff(&b) {
                        Some(openbadges::baking::ImageFormat::Svg) => ".svg",
                        _ => ".png",
                    };
                    baked_path = Some(
                        sink.add("credentials/", &stem, ext, b, ext == ".png")
                            .await?,
                    );
                }
                Err(e) => {
                    tracing::warn!(award = %a.public_id, error = %e, "badge image could not be baked for the export");
                }
            }
        }
        index_awards.push(json!({
            "id": a.public_id.to_string(),
            "name": name,
            "issuer": institution_names.get(&a.institution_id).cloned().unwrap_or_default(),
            "awarded": date(a.awarded_at),
            "expires": a.expires_at.map(date),
            "revoked": a.revoked_at.is_some(),
            "public": a.is_public,
            "credential": json_path,
            "baked_image": baked_path,
            "page": format!("{public_url}/c/{}", a.public_id),
        }));
    }

    // Imports: the exact bytes, one at a time.
    let import_ids: Vec<imported_badge::Model> = imported_badge::Entity::find()
        .filter(imported_badge::Column::UserId.eq(user_id))
        .order_by_desc(imported_badge::Column::ImportedAt)
        .order_by_desc(imported_badge::Column::Id)
        .all(db)
        .await?;
    let mut import_public: HashMap<i32, String> = HashMap::new();
    for i in import_ids {
        import_public.insert(i.id, i.public_id.to_string());
        let ext = import_extension(&i.format, &i.media_type, &i.original);
        let stem = format!("{}-{}", i.name, &i.public_id.simple().to_string()[..8]);
        let is_image = matches!(ext, ".png");
        let path = sink
            .add("imports/", &stem, ext, i.original, is_image)
            .await?;
        index_imports.push(json!({
            "id": i.public_id.to_string(),
            "name": i.name,
            "issuer": i.issuer_name,
            "format": i.format,
            "imported": date(i.imported_at),
            "issued": i.issued_at.map(date),
            "expires": i.expires_at.map(date),
            "source_url": i.source_url,
            "public": i.is_public,
            "file": path,
            "sha256": i.digest,
        }));
    }

    // Approved endorsements of the learner's badges: the signed credentials.
    let endorsements = endorsement::Entity::find()
        .filter(endorsement::Column::UserId.eq(user_id))
        .filter(endorsement::Column::Status.eq("approved"))
        .filter(endorsement::Column::CredentialId.is_not_null())
        .order_by_asc(endorsement::Column::Id)
        .all(db)
        .await?;
    for e in endorsements {
        let Some(cid) = e.credential_id else { continue };
        let Some(cred) = credential::Entity::find_by_id(cid).one(db).await? else {
            continue;
        };
        let who = e.endorser_name.clone().unwrap_or_default();
        let path = sink
            .add(
                "endorsements/",
                &format!("{who}-{}", &e.public_id.simple().to_string()[..8]),
                ".json",
                cred.json.into_bytes(),
                false,
            )
            .await?;
        index_endorsements.push(json!({
            "id": e.public_id.to_string(),
            "badge": award_public.get(&e.award_id),
            "endorser": e.endorser_name,
            "statement": e.statement,
            "file": path,
        }));
    }

    // Evidence files the learner uploaded, one at a time.
    let files = evidence_item::Entity::find()
        .filter(evidence_item::Column::UserId.eq(user_id))
        .filter(evidence_item::Column::Kind.eq(evidence_item::KIND_FILE))
        .order_by_asc(evidence_item::Column::Id)
        .all(db)
        .await?;
    for f in files {
        let Some(key) = f.object_key.clone() else {
            continue;
        };
        let bytes = match store.get(&key).await {
            Ok(b) => b.to_vec(),
            Err(e) => {
                tracing::warn!(item = %f.public_id, error = %e, "evidence file missing from the store");
                continue;
            }
        };
        let stem_name = f
            .name
            .rsplit_once('.')
            .map_or(f.name.as_str(), |(stem, _)| stem);
        let ext = evidence_extension(&f.name);
        let compressed = f
            .content_type
            .as_deref()
            .is_some_and(|t| t.starts_with("image/") || t.starts_with("video/"));
        let path = sink
            .add("evidence/", stem_name, &ext, bytes, compressed)
            .await?;
        index_evidence.push(json!({
            "name": f.name,
            "type": f.content_type,
            "bytes": f.size_bytes,
            "sha256": f.sha256,
            "uploaded": date(f.created_at),
            "file": path,
        }));
    }

    // Collections and share links: listings.
    let collections = collection::Entity::find()
        .filter(collection::Column::UserId.eq(user_id))
        .order_by_asc(collection::Column::Position)
        .order_by_asc(collection::Column::Id)
        .all(db)
        .await?;
    let mut listed_collections = Vec::new();
    let mut collection_public: HashMap<i32, String> = HashMap::new();
    for c in &collections {
        collection_public.insert(c.id, c.public_id.to_string());
        let items = collection_item::Entity::find()
            .filter(collection_item::Column::CollectionId.eq(c.id))
            .order_by_asc(collection_item::Column::Position)
            .all(db)
            .await?;
        let items: Vec<Value> = items
            .iter()
            .map(|it| match (it.award_id, it.imported_badge_id) {
                (Some(a), _) => json!({"badge": award_public.get(&a)}),
                (_, Some(i)) => json!({"import": import_public.get(&i)}),
                _ => Value::Null,
            })
            .collect();
        listed_collections.push(json!({
            "id": c.public_id.to_string(),
            "name": c.name,
            "description": c.description,
            "items": items,
        }));
    }
    let links = share_link::Entity::find()
        .filter(share_link::Column::UserId.eq(user_id))
        .order_by_asc(share_link::Column::Id)
        .all(db)
        .await?;
    let listed_links: Vec<Value> = links
        .iter()
        .map(|l| {
            let path = if l.kind == "badge" { "b" } else { "s" };
            json!({
                "name": l.name,
                "kind": l.kind,
                "url": format!("{public_url}/{path}/{}", l.token),
                "badge": l.award_id.and_then(|a| award_public.get(&a)),
                "import": l.imported_badge_id.and_then(|i| import_public.get(&i)),
                "collection": l.collection_id.and_then(|c| collection_public.get(&c)),
                "show_evidence": l.show_evidence,
                "created": date(l.created_at),
                "expires": l.expires_at.map(date),
                "revoked": l.revoked_at.map(date),
            })
        })
        .collect();
    sink.add(
        "",
        "collections",
        ".json",
        pretty(&Value::Array(listed_collections.clone())),
        false,
    )
    .await?;
    sink.add(
        "",
        "share_links",
        ".json",
        pretty(&Value::Array(listed_links.clone())),
        false,
    )
    .await?;

    let index = json!({
        "exported": date(now),
        "site": public_url,
        "account": {
            "name": u.display_name,
            "email": u.email,
            "handle": u.handle,
        },
        "badges": index_awards,
        "imports": index_imports,
        "endorsements": index_endorsements,
        "evidence": index_evidence,
        "collections": listed_collections,
        "share_links": listed_links,
    });
    let html = index_html(&index);
    sink.add("", "index", ".json", pretty(&index), false)
        .await?;
    sink.add("", "index", ".html", html.into_bytes(), false)
        .await?;
    let (file, len) = sink.finish().await?;
    Ok(Export {
        file,
        len,
        file_name: format!("badgefolio-export-{}.zip", now.format("%Y-%m-%d")),
    })
}

fn pretty(v: &Value) -> Vec<u8> {
    serde_json::to_vec_pretty(v).unwrap_or_default()
}

/// HTML text with `&`, `<`, `>`, `"` and `'` escaped.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn s<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or("")
}

/// A link to a file in the zip (relative, so it opens from the unpacked folder).
fn file_link(path: &str, label: &str) -> String {
    if path.is_empty() {
        String::new()
    } else {
        format!("<a href=\"{}\">{}</a>", escape(path), escape(label))
    }
}

/// The human-readable index (no script, no outside resources).
fn index_html(index: &Value) -> String {
    let mut h = String::from(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Badgefolio export</title>\
<style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;line-height:1.5}\
table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid #ccc;padding:.3rem;text-align:left;vertical-align:top}</style>\
</head><body>\n",
    );
    h.push_str(&format!(
        "<h1>Badgefolio export</h1><p>{} &lt;{}&gt; · exported {} from {}</p>\n",
        escape(s(&index["account"], "name")),
        escape(s(&index["account"], "email")),
        escape(s(index, "exported")),
        escape(s(index, "site")),
    ));
    let empty = Vec::new();
    let rows = |key: &str| index[key].as_array().unwrap_or(&empty).clone();

    h.push_str("<h2>Badges issued here</h2>\n");
    let badges = rows("badges");
    if badges.is_empty() {
        h.push_str("<p>None.</p>\n");
    } else {
        h.push_str("<table><thead><tr><th>Badge</th><th>Issuer</th><th>Awarded</th><th>Status</th><th>Files</th></tr></thead><tbody>\n");
        for b in badges {
            let status = if b["revoked"].as_bool() == Some(true) {
                "revoked"
            } else if b["public"].as_bool() == Some(true) {
                "public"
            } else {
                "private"
            };
            h.push_str(&format!(
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{} {}</td></tr>\n",
                escape(s(&b, "name")),
                escape(s(&b, "issuer")),
                escape(s(&b, "awarded")),
                status,
                file_link(s(&b, "credential"), "credential (JSON)"),
                file_link(s(&b, "baked_image"), "baked image"),
            ));
        }
        h.push_str("</tbody></table>\n");
    }

    h.push_str("<h2>Imported badges</h2>\n");
    let imports = rows("imports");
    if imports.is_empty() {
        h.push_str("<p>None.</p>\n");
    } else {
        h.push_str("<table><thead><tr><th>Badge</th><th>Issuer</th><th>Imported</th><th>File (as imported)</th></tr></thead><tbody>\n");
        for i in imports {
            h.push_str(&format!(
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
                escape(s(&i, "name")),
                escape(s(&i, "issuer")),
                escape(s(&i, "imported")),
                file_link(s(&i, "file"), s(&i, "file")),
            ));
        }
        h.push_str("</tbody></table>\n");
    }

    h.push_str("<h2>Endorsements</h2>\n");
    let endorsements = rows("endorsements");
    if endorsements.is_empty() {
        h.push_str("<p>None.</p>\n");
    } else {
        h.push_str("<ul>\n");
        for e in endorsements {
            h.push_str(&format!(
                "<li>{}: “{}” {}</li>\n",
                escape(s(&e, "endorser")),
                escape(s(&e, "statement")),
                file_link(s(&e, "file"), "signed credential"),
            ));
        }
        h.push_str("</ul>\n");
    }

    h.push_str("<h2>Evidence you uploaded</h2>\n");
    let evidence = rows("evidence");
    if evidence.is_empty() {
        h.push_str("<p>None.</p>\n");
    } else {
        h.push_str("<ul>\n");
        for f in evidence {
            h.push_str(&format!(
                "<li>{} ({} bytes)</li>\n",
                file_link(s(&f, "file"), s(&f, "name")),
                f["bytes"].as_i64().unwrap_or(0),
            ));
        }
        h.push_str("</ul>\n");
    }

    h.push_str("<h2>Collections</h2>\n");
    let collections = rows("collections");
    if collections.is_empty() {
        h.push_str("<p>None.</p>\n");
    } else {
        h.push_str("<ul>\n");
        for c in collections {
            h.push_str(&format!(
                "<li>{} ({} badges): {}</li>\n",
                escape(s(&c, "name")),
                c["items"].as_array().map_or(0, Vec::len),
                escape(s(&c, "description")),
            ));
        }
        h.push_str("</ul>\n");
    }

    h.push_str("<h2>Share links</h2>\n");
    let links = rows("share_links");
    if links.is_empty() {
        h.push_str("<p>None.</p>\n");
    } else {
        h.push_str("<ul>\n");
        for l in links {
            let state = if l["revoked"].is_string() {
                " (revoked)"
            } else {
                ""
            };
            h.push_str(&format!(
                "<li>{} ({}){}: {}</li>\n",
                escape(s(&l, "name")),
                escape(s(&l, "kind")),
                state,
                escape(s(&l, "url")),
            ));
        }
        h.push_str("</ul>\n");
    }
    h.push_str("<p>Each credential file is exactly what was signed; any Open Badges 3.0 verifier can check it.</p>\n</body></html>\n");
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stems_are_safe_file_names() {
        assert_eq!(safe_stem("Data Wrangling!"), "data-wrangling");
        assert_eq!(safe_stem("../../etc/passwd"), "etc-passwd");
        assert_eq!(safe_stem("日本"), "file");
        assert!(safe_stem(&"a".repeat(500)).len() <= 60);
    }

    #[test]
    fn imports_keep_their_kind_of_file() {
        assert_eq!(import_extension("baked_png", "image/png", b""), ".png");
        assert_eq!(
            import_extension("ob3_jwt", "application/jwt", b"ey"),
            ".jwt"
        );
        assert_eq!(import_extension("url", "application/json", b"{}"), ".json");
        assert_eq!(
            import_extension("url", "image/png", b"\x89PNG\r\n\x1a\nxxxx"),
            ".png"
        );
    }

    #[test]
    fn evidence_extensions_are_plain() {
        assert_eq!(evidence_extension("report.PDF"), ".pdf");
        assert_eq!(evidence_extension("x.tar.gz"), ".gz");
        assert_eq!(evidence_extension("weird.<script>"), "");
        assert_eq!(evidence_extension("none"), "");
    }

    #[test]
    fn index_escapes_what_people_typed() {
        let index = json!({
            "account": {"name": "<b>Ada</b>", "email": "a@x"},
            "badges": [{"name": "<script>x</script>", "issuer": "I", "credential": "credentials/a.json"}],
            "collections": [{"name": "\"q\"", "items": []}],
        });
        let h = index_html(&index);
        assert!(!h.contains("<script>x"), "{h}");
        assert!(h.contains("&lt;script&gt;"));
        assert!(h.contains("&quot;q&quot;"));
        assert!(!h.contains("<b>Ada"));
    }
}
