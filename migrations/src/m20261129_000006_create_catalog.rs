//! The catalog: uploaded images, the competency framework, badges (OB 3.0
//! Achievements, versioned), micro-credential programs with their stacks, enrollments,
//! and staff invitations. Institutions gain a description, a logo and a LinkedIn id.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Most credits a program may carry (the institution's own rule, kept by the database too).
const MAX_PROGRAM_CREDITS: i32 = 11;

fn fk(
    name: &str,
    from: (impl IntoIden, impl IntoIden),
    to: (impl IntoIden, impl IntoIden),
    on_delete: ForeignKeyAction,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(name)
        .from(from.0, from.1)
        .to(to.0, to.1)
        .on_delete(on_delete)
        .to_owned()
}

/// The seeded framework: slug, name, description.
const FRAMEWORK: &[(&str, &str, &str)] = &[
    (
        "critical-thinking",
        "Critical thinking",
        "Identify and respond to needs based upon an understanding of situational context and logical analysis of relevant information.",
    ),
    (
        "professionalism",
        "Professionalism",
        "Know work environments differ greatly, understand and demonstrate effective work habits, and act in the interest of the larger community and workplace.",
    ),
    (
        "intercultural-fluency",
        "Intercultural fluency",
        "Value, respect and learn from diverse cultures, races, ages, genders, sexual orientations and religions; demonstrate openness, inclusiveness and the ability to interact respectfully with all people.",
    ),
    (
        "digital-technology",
        "Digital technology",
        "Understand and leverage technologies ethically to enhance efficiencies, complete tasks and accomplish goals.",
    ),
    (
        "communication",
        "Communication",
        "Clearly and effectively exchange information, ideas, facts and perspectives with persons inside and outside of an organization, in writing and speech.",
    ),
    (
        "teamwork",
        "Teamwork",
        "Build and maintain collaborative relationships to work effectively toward common goals, while appreciating diverse viewpoints and shared responsibilities.",
    ),
    (
        "leadership",
        "Leadership",
        "Recognize and capitalize on personal and team strengths to achieve organizational goals; motivate, plan and organize others.",
    ),
    (
        "career-and-self-development",
        "Career and self-development",
        "Proactively develop oneself and one's career through continual personal and professional learning, awareness of one's strengths and weaknesses, and networking.",
    ),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // Institutions: one column per statement (SQLite alters one at a time).
        for col in [
            text(Institutions::Description).default("").to_owned(),
            integer_null(Institutions::LogoImageId),
            string_len_null(Institutions::LinkedinOrgId, 40),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Institutions::Table)
                        .add_column(col)
                        .to_owned(),
                )
                .await?;
        }

        manager
            .create_table(
                Table::create()
                    .table(Images::Table)
                    .col(pk_auto(Images::Id))
                    // Content address: the same bytes are stored once.
                    .col(string_len_uniq(Images::Sha256, 64))
                    .col(string_len(Images::ContentType, 32))
                    .col(blob(Images::Bytes))
                    .col(timestamp_with_time_zone(Images::CreatedAt))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Competencies::Table)
                    .col(pk_auto(Competencies::Id))
                    // Part of the competency's permanent public URL (unique per owner).
                    .col(string_len(Competencies::Slug, 80))
                    .col(string_len(Competencies::Name, 120))
                    .col(text(Competencies::Description))
                    // None: the platform's shared framework.
                    .col(integer_null(Competencies::InstitutionId))
                    .col(timestamp_with_time_zone(Competencies::CreatedAt))
                    .foreign_key(&mut fk(
                        "fk_competencies_institution",
                        (Competencies::Table, Competencies::InstitutionId),
                        (Institutions::Table, Institutions::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_competencies_institution_slug")
                    .table(Competencies::Table)
                    .col(Competencies::InstitutionId)
                    .col(Competencies::Slug)
                    .unique()
                    .to_owned(),
            )
            .await?;
        // The shared framework: the competencies of the 21st-century workforce. Their
        // URLs (`/competencies/{slug}`) go into signed credentials: never rename a slug.
        let mut seed = Query::insert()
            .into_table(Competencies::Table)
            .columns([
                Competencies::Slug,
                Competencies::Name,
                Competencies::Description,
                Competencies::CreatedAt,
            ])
            .to_owned();
        for (slug, name, description) in FRAMEWORK {
            seed.values([
                (*slug).into(),
                (*name).into(),
                (*description).into(),
                Expr::current_timestamp(),
            ])
            .map_err(|e| DbErr::Migration(e.to_string()))?;
        }
        manager.exec_stmt(seed).await?;

        manager
            .create_table(
                Table::create()
                    .table(Badges::Table)
                    .col(pk_auto(Badges::Id))
                    // Never changes: part of every version's Achievement id.
                    .col(uuid_uniq(Badges::PublicId))
                    .col(integer(Badges::InstitutionId))
                    .col(integer(Badges::CurrentVersion))
                    .col(timestamp_with_time_zone(Badges::CreatedAt))
                    .col(timestamp_with_time_zone(Badges::UpdatedAt))
                    .foreign_key(&mut fk(
                        "fk_badges_institution",
                        (Badges::Table, Badges::InstitutionId),
                        (Institutions::Table, Institutions::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(BadgeVersions::Table)
                    .col(pk_auto(BadgeVersions::Id))
                    .col(integer(BadgeVersions::BadgeId))
                    .col(integer(BadgeVersions::Version))
                    .col(string_len(BadgeVersions::Name, 120))
                    .col(text(BadgeVersions::Description))
                    .col(integer(BadgeVersions::ImageId))
                    .col(text(BadgeVersions::Criteria))
                    .col(string_len(BadgeVersions::AchievementType, 40))
                    // JSON array of strings.
                    .col(text(BadgeVersions::Tags))
                    .col(
                        integer(BadgeVersions::Credits).check(
                            Expr::col(BadgeVersions::Credits).between(0, MAX_PROGRAM_CREDITS),
                        ),
                    )
                    .col(text(BadgeVersions::EvidenceRequired))
                    // JSON: [{criterion, description, levels: [{name, points}]}], or null.
                    .col(text_null(BadgeVersions::Rubric))
                    // None: never expires.
                    .col(integer_null(BadgeVersions::ValidityMonths))
                    .col(integer_null(BadgeVersions::CreatedBy))
                    .col(timestamp_with_time_zone(BadgeVersions::CreatedAt))
                    .foreign_key(&mut fk(
                        "fk_badge_versions_badge",
                        (BadgeVersions::Table, BadgeVersions::BadgeId),
                        (Badges::Table, Badges::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "fk_badge_versions_image",
                        (BadgeVersions::Table, BadgeVersions::ImageId),
                        (Images::Table, Images::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_badge_versions_badge_version")
                    .table(BadgeVersions::Table)
                    .col(BadgeVersions::BadgeId)
                    .col(BadgeVersions::Version)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(BadgeAlignments::Table)
                    .col(integer(BadgeAlignments::BadgeVersionId))
                    .col(integer(BadgeAlignments::CompetencyId))
                    .primary_key(
                        Index::create()
                            .col(BadgeAlignments::BadgeVersionId)
                            .col(BadgeAlignments::CompetencyId),
                    )
                    .foreign_key(&mut fk(
                        "fk_badge_alignments_version",
                        (BadgeAlignments::Table, BadgeAlignments::BadgeVersionId),
                        (BadgeVersions::Table, BadgeVersions::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "fk_badge_alignments_competency",
                        (BadgeAlignments::Table, BadgeAlignments::CompetencyId),
                        (Competencies::Table, Competencies::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Programs::Table)
                    .col(pk_auto(Programs::Id))
                    .col(uuid_uniq(Programs::PublicId))
                    .col(integer(Programs::InstitutionId))
                    // The catalog URL: `/programs/{slug}`.
                    .col(string_len_uniq(Programs::Slug, 80))
                    .col(string_len(Programs::Name, 120))
                    .col(text(Programs::Description))
                    .col(
                        integer(Programs::Credits)
                            .check(Expr::col(Programs::Credits).between(0, MAX_PROGRAM_CREDITS)),
                    )
                    .col(boolean(Programs::CreditBearing))
                    .col(string_len(Programs::Terms, 200))
                    .col(integer_null(Programs::ProgramBadgeId))
                    .col(text(Programs::CapstoneEvidence))
                    .col(boolean(Programs::EnrollmentOpen))
                    .col(string_len(Programs::Cost, 200))
                    .col(timestamp_with_time_zone(Programs::CreatedAt))
                    .col(timestamp_with_time_zone(Programs::UpdatedAt))
                    .foreign_key(&mut fk(
                        "fk_programs_institution",
                        (Programs::Table, Programs::InstitutionId),
                        (Institutions::Table, Institutions::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut fk(
                        "fk_programs_badge",
                        (Programs::Table, Programs::ProgramBadgeId),
                        (Badges::Table, Badges::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(ProgramBadges::Table)
                    .col(integer(ProgramBadges::ProgramId))
                    .col(integer(ProgramBadges::BadgeId))
                    .col(integer(ProgramBadges::Position))
                    .primary_key(
                        Index::create()
                            .col(ProgramBadges::ProgramId)
                            .col(ProgramBadges::BadgeId),
                    )
                    .foreign_key(&mut fk(
                        "fk_program_badges_program",
                        (ProgramBadges::Table, ProgramBadges::ProgramId),
                        (Programs::Table, Programs::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "fk_program_badges_badge",
                        (ProgramBadges::Table, ProgramBadges::BadgeId),
                        (Badges::Table, Badges::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Enrollments::Table)
                    .col(pk_auto(Enrollments::Id))
                    .col(integer(Enrollments::UserId))
                    .col(integer(Enrollments::ProgramId))
                    // `enrolled` or `withdrawn` (later: `completed`).
                    .col(string_len(Enrollments::Status, 16))
                    .col(timestamp_with_time_zone(Enrollments::EnrolledAt))
                    .col(timestamp_with_time_zone_null(Enrollments::WithdrawnAt))
                    .foreign_key(&mut fk(
                        "fk_enrollments_user",
                        (Enrollments::Table, Enrollments::UserId),
                        (Users::Table, Users::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "fk_enrollments_program",
                        (Enrollments::Table, Enrollments::ProgramId),
                        (Programs::Table, Programs::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_enrollments_user_program")
                    .table(Enrollments::Table)
                    .col(Enrollments::UserId)
                    .col(Enrollments::ProgramId)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(StaffInvitations::Table)
                    .col(pk_auto(StaffInvitations::Id))
                    .col(integer(StaffInvitations::InstitutionId))
                    .col(string_len(StaffInvitations::Email, 254))
                    .col(string_len(StaffInvitations::Role, 16))
                    // SHA-256 of the token in the link; the token itself is never stored.
                    .col(string_len_uniq(StaffInvitations::TokenHash, 64))
                    .col(integer_null(StaffInvitations::InvitedBy))
                    .col(timestamp_with_time_zone(StaffInvitations::ExpiresAt))
                    .col(timestamp_with_time_zone_null(StaffInvitations::AcceptedAt))
                    .col(integer_null(StaffInvitations::AcceptedBy))
                    .col(timestamp_with_time_zone(StaffInvitations::CreatedAt))
                    .foreign_key(&mut fk(
                        "fk_staff_invitations_institution",
                        (StaffInvitations::Table, StaffInvitations::InstitutionId),
                        (Institutions::Table, Institutions::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            StaffInvitations::Table.into_iden(),
            Enrollments::Table.into_iden(),
            ProgramBadges::Table.into_iden(),
            Programs::Table.into_iden(),
            BadgeAlignments::Table.into_iden(),
            BadgeVersions::Table.into_iden(),
            Badges::Table.into_iden(),
            Competencies::Table.into_iden(),
            Images::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        for col in [
            Institutions::LinkedinOrgId,
            Institutions::LogoImageId,
            Institutions::Description,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Institutions::Table)
                        .drop_column(col)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Institutions {
    Table,
    Id,
    Description,
    LogoImageId,
    LinkedinOrgId,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Images {
    Table,
    Id,
    Sha256,
    ContentType,
    Bytes,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Competencies {
    Table,
    Id,
    Slug,
    Name,
    Description,
    InstitutionId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Badges {
    Table,
    Id,
    PublicId,
    InstitutionId,
    CurrentVersion,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum BadgeVersions {
    Table,
    Id,
    BadgeId,
    Version,
    Name,
    Description,
    ImageId,
    Criteria,
    AchievementType,
    Tags,
    Credits,
    EvidenceRequired,
    Rubric,
    ValidityMonths,
    CreatedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum BadgeAlignments {
    Table,
    BadgeVersionId,
    CompetencyId,
}

#[derive(DeriveIden)]
enum Programs {
    Table,
    Id,
    PublicId,
    InstitutionId,
    Slug,
    Name,
    Description,
    Credits,
    CreditBearing,
    Terms,
    ProgramBadgeId,
    CapstoneEvidence,
    EnrollmentOpen,
    Cost,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ProgramBadges {
    Table,
    ProgramId,
    BadgeId,
    Position,
}

#[derive(DeriveIden)]
enum Enrollments {
    Table,
    Id,
    UserId,
    ProgramId,
    Status,
    EnrolledAt,
    WithdrawnAt,
}

#[derive(DeriveIden)]
enum StaffInvitations {
    Table,
    Id,
    InstitutionId,
    Email,
    Role,
    TokenHash,
    InvitedBy,
    ExpiresAt,
    AcceptedAt,
    AcceptedBy,
    CreatedAt,
}
