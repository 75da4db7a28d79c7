//! Earning: evidence submissions and their pieces, the review audit log, in-app
//! notifications, awards (who holds which signed credential), transcript notations,
//! and bulk award runs from CSV.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

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

/// Partial unique indexes (SQLite and PostgreSQL both know `WHERE` on an index; the
/// query builder does not), so "at most one unrevoked award of a badge per recipient"
/// holds under any concurrency.
const PARTIAL_INDEXES: &[&str] = &[
    "CREATE UNIQUE INDEX ux_awards_active_user_badge ON awards (user_id, badge_id) WHERE revoked_at IS NULL",
    "CREATE UNIQUE INDEX ux_awards_active_email_badge ON awards (recipient_email, badge_id) WHERE revoked_at IS NULL",
    "CREATE UNIQUE INDEX ux_notations_active ON transcript_notations (user_id, program_id) WHERE revoked_at IS NULL",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    #[allow(clippy::too_many_lines)]
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Submissions::Table)
                    .col(pk_auto(Submissions::Id))
                    .col(uuid_uniq(Submissions::PublicId))
                    .col(integer(Submissions::UserId))
                    .col(integer(Submissions::BadgeId))
                    // The program the learner works on it for (the reviewer's filter).
                    .col(integer_null(Submissions::ProgramId))
                    // draft, submitted, changes_requested, resubmitted, approved, rejected.
                    .col(string_len(Submissions::State, 24))
                    .col(text(Submissions::Narrative))
                    // The reviewer's rubric scores, JSON [{criterion, level, points}].
                    .col(text_null(Submissions::RubricResult))
                    .col(text_null(Submissions::Feedback))
                    .col(timestamp_with_time_zone_null(Submissions::SubmittedAt))
                    .col(timestamp_with_time_zone_null(Submissions::DecidedAt))
                    .col(integer_null(Submissions::DecidedBy))
                    .col(timestamp_with_time_zone(Submissions::CreatedAt))
                    .col(timestamp_with_time_zone(Submissions::UpdatedAt))
                    .foreign_key(&mut fk(
                        "fk_submissions_user",
                        (Submissions::Table, Submissions::UserId),
                        (Users::Table, Users::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "fk_submissions_badge",
                        (Submissions::Table, Submissions::BadgeId),
                        (Badges::Table, Badges::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut fk(
                        "fk_submissions_program",
                        (Submissions::Table, Submissions::ProgramId),
                        (Programs::Table, Programs::Id),
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_submissions_user_badge")
                    .table(Submissions::Table)
                    .col(Submissions::UserId)
                    .col(Submissions::BadgeId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_submissions_state")
                    .table(Submissions::Table)
                    .col(Submissions::State)
                    .col(Submissions::BadgeId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(EvidenceItems::Table)
                    .col(pk_auto(EvidenceItems::Id))
                    // The stable, unguessable id in the public URL of a public piece.
                    .col(uuid_uniq(EvidenceItems::PublicId))
                    .col(integer(EvidenceItems::SubmissionId))
                    // Owner, kept here so quotas and access checks need no join.
                    .col(integer(EvidenceItems::UserId))
                    // file or link.
                    .col(string_len(EvidenceItems::Kind, 8))
                    .col(string_len(EvidenceItems::Name, 200))
                    .col(text_null(EvidenceItems::Url))
                    // Key in the object store (files only).
                    .col(string_len_null(EvidenceItems::ObjectKey, 200))
                    .col(string_len_null(EvidenceItems::ContentType, 100))
                    .col(big_integer(EvidenceItems::SizeBytes))
                    .col(string_len_null(EvidenceItems::Sha256, 64))
                    .col(boolean(EvidenceItems::IncludeInCredential))
                    .col(boolean(EvidenceItems::IsPublic))
                    .col(integer(EvidenceItems::Position))
                    .col(timestamp_with_time_zone(EvidenceItems::CreatedAt))
                    .foreign_key(&mut fk(
                        "fk_evidence_items_submission",
                        (EvidenceItems::Table, EvidenceItems::SubmissionId),
                        (Submissions::Table, Submissions::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "fk_evidence_items_user",
                        (EvidenceItems::Table, EvidenceItems::UserId),
                        (Users::Table, Users::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_evidence_items_submission")
                    .table(EvidenceItems::Table)
                    .col(EvidenceItems::SubmissionId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_evidence_items_user")
                    .table(EvidenceItems::Table)
                    .col(EvidenceItems::UserId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(SubmissionEvents::Table)
                    .col(pk_auto(SubmissionEvents::Id))
                    .col(integer(SubmissionEvents::SubmissionId))
                    // Who did it; `None` for the system (or a deleted account).
                    .col(integer_null(SubmissionEvents::ActorId))
                    .col(string_len(SubmissionEvents::Action, 32))
                    .col(string_len_null(SubmissionEvents::FromState, 24))
                    .col(string_len_null(SubmissionEvents::ToState, 24))
                    .col(text(SubmissionEvents::Detail))
                    .col(timestamp_with_time_zone(SubmissionEvents::CreatedAt))
                    .foreign_key(&mut fk(
                        "fk_submission_events_submission",
                        (SubmissionEvents::Table, SubmissionEvents::SubmissionId),
                        (Submissions::Table, Submissions::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "fk_submission_events_actor",
                        (SubmissionEvents::Table, SubmissionEvents::ActorId),
                        (Users::Table, Users::Id),
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_submission_events_submission")
                    .table(SubmissionEvents::Table)
                    .col(SubmissionEvents::SubmissionId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Notifications::Table)
                    .col(pk_auto(Notifications::Id))
                    .col(integer(Notifications::UserId))
                    .col(string_len(Notifications::Kind, 32))
                    .col(string_len(Notifications::Title, 200))
                    .col(text(Notifications::Body))
                    // A path inside the app ("/evidence/…").
                    .col(string_len(Notifications::Link, 300))
                    .col(timestamp_with_time_zone_null(Notifications::ReadAt))
                    .col(timestamp_with_time_zone(Notifications::CreatedAt))
                    .foreign_key(&mut fk(
                        "fk_notifications_user",
                        (Notifications::Table, Notifications::UserId),
                        (Users::Table, Users::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_notifications_user")
                    .table(Notifications::Table)
                    .col(Notifications::UserId)
                    .col(Notifications::CreatedAt)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(BulkRuns::Table)
                    .col(pk_auto(BulkRuns::Id))
                    .col(uuid_uniq(BulkRuns::PublicId))
                    .col(integer(BulkRuns::InstitutionId))
                    .col(integer_null(BulkRuns::CreatedBy))
                    .col(string_len(BulkRuns::FileName, 200))
                    // previewed, running, finished.
                    .col(string_len(BulkRuns::State, 16))
                    .col(integer(BulkRuns::TotalRows))
                    .col(timestamp_with_time_zone(BulkRuns::CreatedAt))
                    .col(timestamp_with_time_zone_null(BulkRuns::StartedAt))
                    .col(timestamp_with_time_zone_null(BulkRuns::FinishedAt))
                    // A worker holds a running run until then (renewed while it works);
                    // after that another worker (another process) may take it over.
                    .col(timestamp_with_time_zone_null(BulkRuns::LeaseUntil))
                    .foreign_key(&mut fk(
                        "fk_bulk_runs_institution",
                        (BulkRuns::Table, BulkRuns::InstitutionId),
                        (Institutions::Table, Institutions::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "fk_bulk_runs_creator",
                        (BulkRuns::Table, BulkRuns::CreatedBy),
                        (Users::Table, Users::Id),
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(BulkRows::Table)
                    .col(pk_auto(BulkRows::Id))
                    .col(integer(BulkRows::RunId))
                    // The line in the file (1 = the header).
                    .col(integer(BulkRows::Line))
                    .col(string_len(BulkRows::Email, 254))
                    .col(string_len(BulkRows::Name, 200))
                    .col(integer_null(BulkRows::BadgeId))
                    .col(string_len(BulkRows::BadgeRef, 200))
                    .col(text_null(BulkRows::EvidenceUrl))
                    .col(text(BulkRows::Narrative))
                    // pending, invalid, awarded, duplicate, failed.
                    .col(string_len(BulkRows::State, 16))
                    .col(text(BulkRows::Message))
                    .col(integer_null(BulkRows::AwardId))
                    .col(timestamp_with_time_zone_null(BulkRows::ProcessedAt))
                    .foreign_key(&mut fk(
                        "fk_bulk_rows_run",
                        (BulkRows::Table, BulkRows::RunId),
                        (BulkRuns::Table, BulkRuns::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_bulk_rows_run_line")
                    .table(BulkRows::Table)
                    .col(BulkRows::RunId)
                    .col(BulkRows::Line)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Awards::Table)
                    .col(pk_auto(Awards::Id))
                    .col(uuid_uniq(Awards::PublicId))
                    // `None` while the award waits for its address to be confirmed by an account.
                    .col(integer_null(Awards::UserId))
                    // The address the credential's identity hash was made from (lower-cased).
                    .col(string_len(Awards::RecipientEmail, 254))
                    // The learner's name as the institution recorded it.
                    .col(string_len(Awards::RecipientName, 200))
                    .col(integer(Awards::InstitutionId))
                    .col(integer(Awards::BadgeId))
                    .col(integer(Awards::BadgeVersionId))
                    // Set when this is a program's credential (awarded by stacking).
                    .col(integer_null(Awards::ProgramId))
                    .col(integer_uniq(Awards::CredentialId))
                    .col(integer_null(Awards::SubmissionId))
                    .col(integer_null(Awards::BulkRowId))
                    // review, bulk, stacking, reissue, demo.
                    .col(string_len(Awards::Source, 16))
                    .col(integer_null(Awards::AwardedBy))
                    .col(timestamp_with_time_zone(Awards::AwardedAt))
                    .col(timestamp_with_time_zone_null(Awards::ClaimedAt))
                    .col(timestamp_with_time_zone_null(Awards::RevokedAt))
                    .col(text_null(Awards::RevocationReason))
                    // The corrected award that replaced this one (re-issue).
                    .col(integer_null(Awards::ReplacedBy))
                    // The issuer admin who revoked it (the audit trail beside when and why).
                    .col(integer_null(Awards::RevokedBy))
                    .foreign_key(&mut fk(
                        "fk_awards_user",
                        (Awards::Table, Awards::UserId),
                        (Users::Table, Users::Id),
                        ForeignKeyAction::SetNull,
                    ))
                    .foreign_key(&mut fk(
                        "fk_awards_institution",
                        (Awards::Table, Awards::InstitutionId),
                        (Institutions::Table, Institutions::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut fk(
                        "fk_awards_badge",
                        (Awards::Table, Awards::BadgeId),
                        (Badges::Table, Badges::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut fk(
                        "fk_awards_badge_version",
                        (Awards::Table, Awards::BadgeVersionId),
                        (BadgeVersions::Table, BadgeVersions::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut fk(
                        "fk_awards_credential",
                        (Awards::Table, Awards::CredentialId),
                        (Credentials::Table, Credentials::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut fk(
                        "fk_awards_submission",
                        (Awards::Table, Awards::SubmissionId),
                        (Submissions::Table, Submissions::Id),
                        ForeignKeyAction::SetNull,
                    ))
                    .foreign_key(&mut fk(
                        "fk_awards_bulk_row",
                        (Awards::Table, Awards::BulkRowId),
                        (BulkRows::Table, BulkRows::Id),
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_awards_user")
                    .table(Awards::Table)
                    .col(Awards::UserId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_awards_email")
                    .table(Awards::Table)
                    .col(Awards::RecipientEmail)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(TranscriptNotations::Table)
                    .col(pk_auto(TranscriptNotations::Id))
                    .col(integer_null(TranscriptNotations::UserId))
                    .col(integer(TranscriptNotations::ProgramId))
                    .col(integer(TranscriptNotations::InstitutionId))
                    .col(integer(TranscriptNotations::AwardId))
                    .col(string_len(TranscriptNotations::LearnerName, 200))
                    .col(string_len(TranscriptNotations::LearnerEmail, 254))
                    .col(integer(TranscriptNotations::Credits))
                    // The program's term as it stood when the notation was recorded.
                    .col(string_len(TranscriptNotations::Term, 200))
                    .col(timestamp_with_time_zone(TranscriptNotations::RecordedAt))
                    .col(timestamp_with_time_zone_null(
                        TranscriptNotations::RevokedAt,
                    ))
                    .col(text_null(TranscriptNotations::RevocationReason))
                    .foreign_key(&mut fk(
                        "fk_notations_user",
                        (TranscriptNotations::Table, TranscriptNotations::UserId),
                        (Users::Table, Users::Id),
                        ForeignKeyAction::SetNull,
                    ))
                    .foreign_key(&mut fk(
                        "fk_notations_program",
                        (TranscriptNotations::Table, TranscriptNotations::ProgramId),
                        (Programs::Table, Programs::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut fk(
                        "fk_notations_award",
                        (TranscriptNotations::Table, TranscriptNotations::AwardId),
                        (Awards::Table, Awards::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await?;

        let db = manager.get_connection();
        for sql in PARTIAL_INDEXES {
            db.execute_unprepared(sql).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            TranscriptNotations::Table.into_iden(),
            Awards::Table.into_iden(),
            BulkRows::Table.into_iden(),
            BulkRuns::Table.into_iden(),
            Notifications::Table.into_iden(),
            SubmissionEvents::Table.into_iden(),
            EvidenceItems::Table.into_iden(),
            Submissions::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Institutions {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Badges {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum BadgeVersions {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Programs {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Credentials {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Submissions {
    Table,
    Id,
    PublicId,
    UserId,
    BadgeId,
    ProgramId,
    State,
    Narrative,
    RubricResult,
    Feedback,
    SubmittedAt,
    DecidedAt,
    DecidedBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum EvidenceItems {
    Table,
    Id,
    PublicId,
    SubmissionId,
    UserId,
    Kind,
    Name,
    Url,
    ObjectKey,
    ContentType,
    SizeBytes,
    Sha256,
    IncludeInCredential,
    IsPublic,
    Position,
    CreatedAt,
}

#[derive(DeriveIden)]
enum SubmissionEvents {
    Table,
    Id,
    SubmissionId,
    ActorId,
    Action,
    FromState,
    ToState,
    Detail,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Notifications {
    Table,
    Id,
    UserId,
    Kind,
    Title,
    Body,
    Link,
    ReadAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum BulkRuns {
    Table,
    Id,
    PublicId,
    InstitutionId,
    CreatedBy,
    FileName,
    State,
    TotalRows,
    CreatedAt,
    StartedAt,
    FinishedAt,
    LeaseUntil,
}

#[derive(DeriveIden)]
enum BulkRows {
    Table,
    Id,
    RunId,
    Line,
    Email,
    Name,
    BadgeId,
    BadgeRef,
    EvidenceUrl,
    Narrative,
    State,
    Message,
    AwardId,
    ProcessedAt,
}

#[derive(DeriveIden)]
enum Awards {
    Table,
    Id,
    PublicId,
    UserId,
    RecipientEmail,
    RecipientName,
    InstitutionId,
    BadgeId,
    BadgeVersionId,
    ProgramId,
    CredentialId,
    SubmissionId,
    BulkRowId,
    Source,
    AwardedBy,
    AwardedAt,
    ClaimedAt,
    RevokedAt,
    RevocationReason,
    ReplacedBy,
    RevokedBy,
}

#[derive(DeriveIden)]
enum TranscriptNotations {
    Table,
    Id,
    UserId,
    ProgramId,
    InstitutionId,
    AwardId,
    LearnerName,
    LearnerEmail,
    Credits,
    Term,
    RecordedAt,
    RevokedAt,
    RevocationReason,
}
