//! Bulk awards from a CSV file (issuer admins): upload and preview, start, follow.

use leptos::prelude::*;
use leptos::server_fn::codec::{MultipartData, MultipartFormData};

use crate::error::AppError;
use crate::model::bulk::{BulkPage, BulkRunView};

/// An institution's bulk award page: its recent runs.
#[server(endpoint = "bulk_page")]
pub async fn get_bulk_page(institution: String) -> Result<BulkPage, AppError> {
    use crate::server::{awards::bulk, request};
    let run = async {
        let state = request::state()?;
        let inst = request::managed_institution(&state, &institution).await?;
        bulk::page(&state.db, &inst).await
    };
    run.await.map_err(AppError::from)
}

/// Uploads a bulk award file and checks every row; awards nothing. Multipart fields:
/// `institution` (slug), `file` (the CSV). Returns the run's public id (and, for a form
/// posted without JavaScript, redirects to the run's page).
#[server(endpoint = "bulk_preview", input = MultipartFormData)]
pub async fn bulk_preview(data: MultipartData) -> Result<String, AppError> {
    use crate::model::bulk::MAX_FILE_BYTES;
    use crate::server::{ServerError, awards::bulk, request, uploads};
    let run = async {
        let state = request::state()?;
        // Only people who manage an institution may make us read an upload at all.
        request::require_institution_admin(&state).await?;
        let form = uploads::read_form_with_cap(data, "file", MAX_FILE_BYTES, || {
            AppError::invalid("The file is larger than 5 MB: split it into smaller files.")
        })
        .await?;
        let inst = request::managed_institution(&state, &form.text("institution")).await?;
        let author = request::actor(&state).await?.user().map(|u| u.id);
        let bytes = form.file.clone().unwrap_or_default();
        if bytes.is_empty() {
            return Err(AppError::invalid("Choose a CSV file to upload.").into());
        }
        let file_name = form.file_name.clone().unwrap_or_default();
        let run = bulk::preview(&state.db, &inst, author, &file_name, &bytes).await?;
        let id = run.public_id.to_string();
        leptos_axum::redirect(&format!("/manage/{}/bulk/{id}", inst.slug));
        Ok::<_, ServerError>(id)
    };
    run.await.map_err(AppError::from)
}

/// A run's counts and problem rows (polled while it runs).
#[server(endpoint = "bulk_run")]
pub async fn get_bulk_run(institution: String, run: String) -> Result<BulkRunView, AppError> {
    use crate::server::{awards::bulk, request};
    let result = async {
        let state = request::state()?;
        let inst = request::managed_institution(&state, &institution).await?;
        bulk::view(&state.db, &inst, &run).await
    };
    result.await.map_err(AppError::from)
}

/// Starts awarding a previewed run's valid rows.
#[server(endpoint = "bulk_start")]
pub async fn bulk_start(institution: String, run: String) -> Result<(), AppError> {
    use crate::server::{ServerError, awards::bulk, request};
    let result = async {
        let state = request::state()?;
        let inst = request::managed_institution(&state, &institution).await?;
        let started = bulk::start(&state.db, &inst, &run).await?;
        leptos_axum::redirect(&format!("/manage/{}/bulk/{}", inst.slug, started.public_id));
        Ok::<_, ServerError>(())
    };
    result.await.map_err(AppError::from)
}
