//! The institution staff's screens: the institutions one works for, an institution's
//! profile, staff, competencies, badges and programs, and the badge and program forms.
//! Platform admins also create institutions here.

pub mod awards;
pub mod badge_form;
pub mod bulk;
pub mod institution;
pub mod overview;
pub mod program_form;
pub mod transcripts;

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use crate::api::catalog::get_institution_admin;
use crate::error::AppError;
use crate::model::catalog::InstitutionAdmin;

/// The institution named in the URL (`:inst`), loaded for its staff; `refresh` reloads it.
pub fn institution_resource(
    refresh: impl Fn() -> usize + Send + Sync + 'static,
) -> Resource<Result<InstitutionAdmin, AppError>> {
    let params = use_params_map();
    Resource::new(
        move || (params.get().get("inst").unwrap_or_default(), refresh()),
        |(slug, _)| get_institution_admin(slug),
    )
}
