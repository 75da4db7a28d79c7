//! The catalog: public program pages, enrollment, and the institution admin's screens
//! (profile, competencies, badges, programs). Forms with files (badge image, logo) are
//! sent as `multipart/form-data`; the others as plain forms.

// A plain form posts one field per argument.
#![allow(clippy::too_many_arguments)]

use leptos::prelude::*;
use leptos::server_fn::codec::{MultipartData, MultipartFormData};

use crate::error::AppError;
use crate::model::catalog::{
    Catalog, CatalogFilter, CompetencyView, EnrollmentView, InstitutionAdmin, InstitutionSummary,
    ManagedInstitution, ProgramDetail,
};

/// The public catalog, filtered. (`default`: with no filter set the URL-encoded
/// arguments are empty, which would otherwise fail to parse.)
#[server(endpoint = "catalog")]
pub async fn get_catalog(#[server(default)] filter: CatalogFilter) -> Result<Catalog, AppError> {
    use crate::server::{authz::Action, catalog::programs, request};
    let run = async {
        let state = request::state()?;
        request::authorize(&state, Action::ReadCatalog).await?;
        programs::catalog(&state.db, &state.settings, &filter).await
    };
    run.await.map_err(AppError::from)
}

/// A program's public page.
#[server(endpoint = "program")]
pub async fn get_program(slug: String) -> Result<ProgramDetail, AppError> {
    use crate::server::{authz::Action, catalog::programs, request};
    let run = async {
        let state = request::state()?;
        let actor = request::authorize(&state, Action::ReadCatalog).await?;
        let viewer = actor.user().map(|u| u.id);
        programs::detail(&state.db, &state.settings, &slug, viewer).await
    };
    run.await.map_err(AppError::from)
}

/// A competency's public page (`issuer` empty for the shared framework).
#[server(endpoint = "competency")]
pub async fn get_competency(issuer: String, slug: String) -> Result<CompetencyView, AppError> {
    use crate::server::{ServerError, authz::Action, catalog::competencies, request};
    let run = async {
        let state = request::state()?;
        request::authorize(&state, Action::ReadCatalog).await?;
        let issuer = (!issuer.is_empty()).then_some(issuer.as_str());
        let (c, owner) = competencies::find(&state.db, issuer, &slug).await?;
        Ok::<_, ServerError>(competencies::view(&state.settings, &c, owner.as_ref()))
    };
    run.await.map_err(AppError::from)
}

/// Enrolls the signed-in learner.
#[server(endpoint = "enroll")]
pub async fn enroll(slug: String) -> Result<(), AppError> {
    use crate::server::{ServerError, authz::Action, catalog::enrollment, request};
    let run = async {
        let state = request::state()?;
        let actor = request::authorize(&state, Action::Enroll).await?;
        let user = actor.user().ok_or(AppError::Unauthenticated)?;
        enrollment::enroll(&state.db, user.id, &slug).await?;
        Ok::<_, ServerError>(())
    };
    run.await.map_err(AppError::from)
}

/// Withdraws the signed-in learner.
#[server(endpoint = "withdraw")]
pub async fn withdraw(slug: String) -> Result<(), AppError> {
    use crate::server::{ServerError, authz::Action, catalog::enrollment, request};
    let run = async {
        let state = request::state()?;
        let actor = request::authorize(&state, Action::Enroll).await?;
        let user = actor.user().ok_or(AppError::Unauthenticated)?;
        enrollment::withdraw(&state.db, user.id, &slug).await?;
        Ok::<_, ServerError>(())
    };
    run.await.map_err(AppError::from)
}

/// The signed-in learner's enrollments.
#[server(endpoint = "my_enrollments")]
pub async fn my_enrollments() -> Result<Vec<EnrollmentView>, AppError> {
    use crate::server::{authz::Action, catalog::enrollment, request};
    let run = async {
        let state = request::state()?;
        let actor = request::authorize(&state, Action::ReadOwnAccount).await?;
        let user = actor.user().ok_or(AppError::Unauthenticated)?;
        enrollment::list_for_user(&state.db, user.id).await
    };
    run.await.map_err(AppError::from)
}

/// Institutions the signed-in user works for.
#[server(endpoint = "my_institutions")]
pub async fn my_institutions() -> Result<Vec<ManagedInstitution>, AppError> {
    use crate::server::{authz::Action, catalog::institutions, request};
    let run = async {
        let state = request::state()?;
        let actor = request::authorize(&state, Action::ReadOwnAccount).await?;
        institutions::managed(&state.db, &actor).await
    };
    run.await.map_err(AppError::from)
}

/// Every institution (platform admins).
#[server(endpoint = "institutions")]
pub async fn list_institutions() -> Result<Vec<InstitutionSummary>, AppError> {
    use crate::server::{authz::Action, catalog::institutions, request};
    let run = async {
        let state = request::state()?;
        request::authorize(&state, Action::AdministerPlatform).await?;
        institutions::list_all(&state.db).await
    };
    run.await.map_err(AppError::from)
}

/// An institution's screen for its staff.
#[server(endpoint = "institution_admin")]
pub async fn get_institution_admin(slug: String) -> Result<InstitutionAdmin, AppError> {
    use crate::server::{catalog::institutions, request};
    let run = async {
        let state = request::state()?;
        let actor = request::actor(&state).await?;
        institutions::admin_view(&state.db, &state.settings, &actor, &slug).await
    };
    run.await.map_err(AppError::from)
}

/// Adds one of the institution's own competencies.
#[server(endpoint = "add_competency")]
pub async fn add_competency(
    institution: String,
    name: String,
    description: String,
) -> Result<(), AppError> {
    use crate::server::{ServerError, catalog::competencies, request};
    let run = async {
        let state = request::state()?;
        let inst = request::managed_institution(&state, &institution).await?;
        competencies::add(&state.db, &inst, &name, &description).await?;
        Ok::<_, ServerError>(())
    };
    run.await.map_err(AppError::from)
}

/// Creates or edits (a new version of) a badge. Multipart fields: `institution`,
/// `badge` (public id; empty to create), `name`, `description`, `criteria`,
/// `achievement_type`, `tags`, `credits`, `evidence_required`, `rubric`,
/// `validity_months`, `competencies` (repeated), `image` (file). Returns the badge's
/// public id.
#[server(endpoint = "save_badge", input = MultipartFormData)]
pub async fn save_badge(data: MultipartData) -> Result<String, AppError> {
    use crate::server::{
        ServerError,
        catalog::badges::{self, BadgeInput},
        request, uploads,
    };
    let run = async {
        let state = request::state()?;
        // Only people who manage an institution may make us read an upload at all.
        request::require_institution_admin(&state).await?;
        let mut form = uploads::read_form(data, "image").await?;
        let inst = request::managed_institution(&state, &form.text("institution")).await?;
        let author = request::actor(&state).await?.user().map(|u| u.id);
        let input = BadgeInput {
            name: form.text("name"),
            description: form.text("description"),
            criteria: form.text("criteria"),
            achievement_type: form.text("achievement_type"),
            tags: form.text("tags"),
            credits: form.text("credits"),
            evidence_required: form.text("evidence_required"),
            rubric: form.text("rubric"),
            validity_months: form.text("validity_months"),
            competencies: form.all("competencies"),
            image: form.file.take(),
        };
        let badge_id = form.text("badge");
        let saved = if badge_id.trim().is_empty() {
            badges::create(&state.db, &state.settings, &inst, author, input).await?
        } else {
            badges::update(&state.db, &state.settings, &inst, &badge_id, author, input).await?
        };
        Ok::<_, ServerError>(saved.public_id.to_string())
    };
    run.await.map_err(AppError::from)
}

/// Updates an institution's profile. Multipart fields: `institution` (slug), `name`,
/// `url`, `email`, `description`, `linkedin_org_id`, `logo` (file, optional).
#[server(endpoint = "save_profile", input = MultipartFormData)]
pub async fn save_profile(data: MultipartData) -> Result<(), AppError> {
    use crate::server::{
        ServerError,
        catalog::institutions::{self, ProfileInput},
        request, uploads,
    };
    let run = async {
        let state = request::state()?;
        request::require_institution_admin(&state).await?;
        let mut form = uploads::read_form(data, "logo").await?;
        let inst = request::managed_institution(&state, &form.text("institution")).await?;
        let input = ProfileInput {
            name: form.text("name"),
            url: form.text("url"),
            email: form.text("email"),
            description: form.text("description"),
            linkedin_org_id: form.text("linkedin_org_id"),
            logo: form.file.take(),
        };
        institutions::update_profile(&state.db, &inst, input).await?;
        Ok::<_, ServerError>(())
    };
    run.await.map_err(AppError::from)
}

/// Creates (`original` empty) or edits a program. `badges` are the component badges'
/// public ids in stacking order (empty entries are skipped).
#[server(endpoint = "save_program")]
pub async fn save_program(
    institution: String,
    original: String,
    slug: String,
    name: String,
    description: String,
    credits: String,
    #[server(default)] credit_bearing: Option<String>,
    terms: String,
    #[server(default)] badges: Vec<String>,
    #[server(default)] program_badge: String,
    #[server(default)] capstone_evidence: String,
    #[server(default)] enrollment_open: Option<String>,
    #[server(default)] cost: String,
) -> Result<String, AppError> {
    use crate::server::{
        ServerError,
        catalog::programs::{self, ProgramInput},
        request,
    };
    let run = async {
        let state = request::state()?;
        let inst = request::managed_institution(&state, &institution).await?;
        let author = request::actor(&state).await?.user().map(|u| u.id);
        let input = ProgramInput {
            slug,
            name,
            description,
            credits,
            credit_bearing: credit_bearing.is_some_and(|v| v != "false"),
            terms,
            badges,
            program_badge,
            capstone_evidence,
            enrollment_open: enrollment_open.is_some_and(|v| v != "false"),
            cost,
        };
        let saved = if original.trim().is_empty() {
            programs::create(&state.db, &state.settings, &inst, author, input).await?
        } else {
            programs::update(&state.db, &inst, &original, input).await?
        };
        Ok::<_, ServerError>(saved.slug)
    };
    run.await.map_err(AppError::from)
}

/// Creates an institution and invites its first admin (platform admins). Returns its slug.
#[server(endpoint = "create_institution")]
pub async fn create_institution(
    name: String,
    slug: String,
    #[server(default)] url: String,
    #[server(default)] email: String,
    #[server(default)] description: String,
    admin_email: String,
) -> Result<String, AppError> {
    use crate::server::{
        ServerError, authz::Action, catalog::staff, issuing::NewInstitution, request,
    };
    let run = async {
        let state = request::state()?;
        let actor = request::authorize(&state, Action::AdministerPlatform).await?;
        let creator = actor.user().ok_or(AppError::Unauthenticated)?;
        let new = NewInstitution {
            slug,
            name,
            url,
            email,
        };
        let (inst, _) = staff::create_institution(
            &state.db,
            &state.settings,
            creator,
            new,
            &description,
            &admin_email,
        )
        .await?;
        Ok::<_, ServerError>(inst.slug)
    };
    run.await.map_err(AppError::from)
}

/// Invites a staff member (`role`: `admin` or `reviewer`) by e-mail.
#[server(endpoint = "invite_staff")]
pub async fn invite_staff(
    institution: String,
    email: String,
    role: String,
) -> Result<(), AppError> {
    use crate::server::{ServerError, catalog::staff, request};
    let run = async {
        let state = request::state()?;
        let inst = request::managed_institution(&state, &institution).await?;
        let actor = request::actor(&state).await?;
        let inviter = actor.user().ok_or(AppError::Unauthenticated)?;
        staff::invite(&state.db, &state.settings, &inst, inviter, &email, &role).await?;
        Ok::<_, ServerError>(())
    };
    run.await.map_err(AppError::from)
}

/// Removes a staff member.
#[server(endpoint = "remove_staff")]
pub async fn remove_staff(institution: String, user: String) -> Result<(), AppError> {
    use crate::server::{ServerError, catalog::staff, request};
    let run = async {
        let state = request::state()?;
        let inst = request::managed_institution(&state, &institution).await?;
        staff::remove(&state.db, &inst, &user).await?;
        Ok::<_, ServerError>(())
    };
    run.await.map_err(AppError::from)
}

/// Withdraws a pending staff invitation.
#[server(endpoint = "revoke_invitation")]
pub async fn revoke_invitation(institution: String, invitation: i32) -> Result<(), AppError> {
    use crate::server::{ServerError, catalog::staff, request};
    let run = async {
        let state = request::state()?;
        let inst = request::managed_institution(&state, &institution).await?;
        staff::revoke(&state.db, &inst, invitation).await?;
        Ok::<_, ServerError>(())
    };
    run.await.map_err(AppError::from)
}

/// What an invitation offers: (institution name, invited address, role).
#[server(endpoint = "invitation")]
pub async fn get_invitation(token: String) -> Result<(String, String, String), AppError> {
    use crate::server::{ServerError, authz::Action, catalog::staff, request};
    let run = async {
        let state = request::state()?;
        request::authorize(&state, Action::ReadOwnAccount).await?;
        let offer = staff::offer(&state.db, &token).await?;
        Ok::<_, ServerError>((offer.institution.name, offer.email, offer.role))
    };
    run.await.map_err(AppError::from)
}

/// Accepts an invitation for the signed-in user; returns the institution's slug.
#[server(endpoint = "accept_invitation")]
pub async fn accept_invitation(token: String) -> Result<String, AppError> {
    use crate::server::{ServerError, authz::Action, catalog::staff, request};
    let run = async {
        let state = request::state()?;
        let actor = request::authorize(&state, Action::ReadOwnAccount).await?;
        let user = actor.user().ok_or(AppError::Unauthenticated)?;
        let inst = staff::accept(&state.db, user, &token).await?;
        Ok::<_, ServerError>(inst.slug)
    };
    run.await.map_err(AppError::from)
}
