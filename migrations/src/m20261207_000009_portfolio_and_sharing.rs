//! The rest of the portfolio and sharing, in one schema so the features built on it
//! agree: extra e-mail addresses, imported badges, endorsements, collections, share
//! links, view counts, and the tombstone of a deleted account.
//!
//! - `users.deleted_at`: the account was deleted. The row stays as a tombstone (its
//!   address, name, handle and password are wiped) so the credentials issued to it stay
//!   verifiable and its permanent pages answer 410 rather than 404.
//! - `awards.allow_indexing` / `imported_badges.allow_indexing`: the learner lets search
//!   engines list the public page (`noindex` otherwise).
//! - `user_emails`: addresses beyond the sign-in one (`users.email`), each confirmed by
//!   a link; import and claims match against every confirmed one.
//! - `imported_badges`: a badge earned elsewhere, kept as the exact bytes imported and
//!   re-verified when shown, with the same visibility and verdict columns as `awards`.
//! - `endorsements`: a request to a peer, mentor or employer, their statement, the
//!   learner's decision, and the signed `EndorsementCredential` once approved.
//! - `collections` / `collection_items`: named, ordered collections of badges.
//! - `share_links`: a named, revocable, optionally expiring link to one badge, a
//!   collection or a program's stack (`kind`), by a random token.
//! - `view_counts`: views per day and source of a public page or share link, counted
//!   without anything about the viewer.

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

/// Expression indexes (both backends know them; the query builder does not).
const INDEXES: &[&str] = &[
    // One account per confirmed address, whichever way it was typed. Unconfirmed rows do
    // not count: adding someone else's address without confirming it must not lock its
    // owner out of it.
    "CREATE UNIQUE INDEX ux_user_emails_email ON user_emails (LOWER(email)) WHERE confirmed_at IS NOT NULL",
    // An account lists an address once.
    "CREATE UNIQUE INDEX ux_user_emails_user_email ON user_emails (user_id, LOWER(email))",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    #[allow(clippy::too_many_lines)]
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Users::Table)
                    .add_column(timestamp_with_time_zone_null(Users::DeletedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Awards::Table)
                    .add_column(boolean(Awards::AllowIndexing).default(false))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(UserEmails::Table)
                    .col(pk_auto(UserEmails::Id))
                    .col(integer(UserEmails::UserId))
                    // As typed; compared lower-cased.
                    .col(string_len(UserEmails::Email, 254))
                    .col(timestamp_with_time_zone_null(UserEmails::ConfirmedAt))
                    .col(timestamp_with_time_zone(UserEmails::CreatedAt))
                    .foreign_key(&mut fk(
                        "fk_user_emails_user",
                        (UserEmails::Table, UserEmails::UserId),
                        (Users::Table, Users::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_user_emails_user")
                    .table(UserEmails::Table)
                    .col(UserEmails::UserId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(ImportedBadges::Table)
                    .col(pk_auto(ImportedBadges::Id))
                    .col(uuid_uniq(ImportedBadges::PublicId))
                    .col(integer(ImportedBadges::UserId))
                    // How it came: ob3_json, ob3_jwt, ob2, baked_png, baked_svg, url.
                    .col(string_len(ImportedBadges::Format, 16))
                    // The exact bytes imported (a baked image, a JSON file, a JWT).
                    .col(blob(ImportedBadges::Original))
                    .col(string_len(ImportedBadges::MediaType, 64))
                    // SHA-256 of `original`, hex: the same bytes are imported once.
                    .col(string_len(ImportedBadges::Digest, 64))
                    // Where it was fetched from, when given as a URL.
                    .col(text_null(ImportedBadges::SourceUrl))
                    // What the wall shows without re-reading the original.
                    .col(string_len(ImportedBadges::Name, 200))
                    .col(text(ImportedBadges::Description))
                    .col(string_len(ImportedBadges::IssuerName, 200))
                    .col(text_null(ImportedBadges::IssuerUrl))
                    .col(text_null(ImportedBadges::ImageUrl))
                    .col(timestamp_with_time_zone_null(ImportedBadges::IssuedAt))
                    .col(timestamp_with_time_zone_null(ImportedBadges::ExpiresAt))
                    .col(boolean(ImportedBadges::IsPublic).default(false))
                    .col(boolean(ImportedBadges::AllowIndexing).default(false))
                    .col(string_len(ImportedBadges::Verdict, 16).default("unverifiable"))
                    .col(string_len(ImportedBadges::Standing, 16).default("unknown"))
                    .col(timestamp_with_time_zone_null(ImportedBadges::CheckedAt))
                    .col(timestamp_with_time_zone(ImportedBadges::ImportedAt))
                    .foreign_key(&mut fk(
                        "fk_imported_badges_user",
                        (ImportedBadges::Table, ImportedBadges::UserId),
                        (Users::Table, Users::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_imported_badges_user_digest")
                    .table(ImportedBadges::Table)
                    .col(ImportedBadges::UserId)
                    .col(ImportedBadges::Digest)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Endorsements::Table)
                    .col(pk_auto(Endorsements::Id))
                    .col(uuid_uniq(Endorsements::PublicId))
                    // The learner who asked, and the badge it is about.
                    .col(integer(Endorsements::UserId))
                    .col(integer(Endorsements::AwardId))
                    // SHA-256 (hex) of the token in the link sent to the endorser.
                    .col(string_len_uniq(Endorsements::TokenHash, 64))
                    // Who the learner asked (as the learner typed it).
                    .col(string_len_null(Endorsements::InviteeEmail, 254))
                    .col(string_len_null(Endorsements::InviteeName, 120))
                    // What the endorser confirmed.
                    .col(string_len_null(Endorsements::EndorserName, 120))
                    .col(string_len_null(Endorsements::EndorserEmail, 254))
                    .col(boolean(Endorsements::EndorserEmailVerified).default(false))
                    .col(integer_null(Endorsements::EndorserUserId))
                    .col(text_null(Endorsements::Statement))
                    // requested, submitted, approved, declined, withdrawn.
                    .col(string_len(Endorsements::Status, 16))
                    // The signed EndorsementCredential (`credentials.id`) once approved.
                    .col(integer_null(Endorsements::CredentialId))
                    .col(timestamp_with_time_zone(Endorsements::CreatedAt))
                    .col(timestamp_with_time_zone(Endorsements::ExpiresAt))
                    .col(timestamp_with_time_zone_null(Endorsements::SubmittedAt))
                    .col(timestamp_with_time_zone_null(Endorsements::DecidedAt))
                    .foreign_key(&mut fk(
                        "fk_endorsements_user",
                        (Endorsements::Table, Endorsements::UserId),
                        (Users::Table, Users::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "fk_endorsements_award",
                        (Endorsements::Table, Endorsements::AwardId),
                        (Awards::Table, Awards::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "fk_endorsements_endorser",
                        (Endorsements::Table, Endorsements::EndorserUserId),
                        (Users::Table, Users::Id),
                        ForeignKeyAction::SetNull,
                    ))
                    .foreign_key(&mut fk(
                        "fk_endorsements_credential",
                        (Endorsements::Table, Endorsements::CredentialId),
                        (Credentials::Table, Credentials::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_endorsements_award")
                    .table(Endorsements::Table)
                    .col(Endorsements::AwardId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Collections::Table)
                    .col(pk_auto(Collections::Id))
                    .col(uuid_uniq(Collections::PublicId))
                    .col(integer(Collections::UserId))
                    .col(string_len(Collections::Name, 80))
                    .col(text(Collections::Description))
                    // The learner's order of their collections.
                    .col(integer(Collections::Position))
                    .col(timestamp_with_time_zone(Collections::CreatedAt))
                    .col(timestamp_with_time_zone(Collections::UpdatedAt))
                    .foreign_key(&mut fk(
                        "fk_collections_user",
                        (Collections::Table, Collections::UserId),
                        (Users::Table, Users::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_collections_user")
                    .table(Collections::Table)
                    .col(Collections::UserId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(CollectionItems::Table)
                    .col(pk_auto(CollectionItems::Id))
                    .col(integer(CollectionItems::CollectionId))
                    // Exactly one of the two.
                    .col(integer_null(CollectionItems::AwardId))
                    .col(integer_null(CollectionItems::ImportedBadgeId))
                    .col(integer(CollectionItems::Position))
                    .foreign_key(&mut fk(
                        "fk_collection_items_collection",
                        (CollectionItems::Table, CollectionItems::CollectionId),
                        (Collections::Table, Collections::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "fk_collection_items_award",
                        (CollectionItems::Table, CollectionItems::AwardId),
                        (Awards::Table, Awards::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "fk_collection_items_import",
                        (CollectionItems::Table, CollectionItems::ImportedBadgeId),
                        (ImportedBadges::Table, ImportedBadges::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_collection_items_collection")
                    .table(CollectionItems::Table)
                    .col(CollectionItems::CollectionId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(ShareLinks::Table)
                    .col(pk_auto(ShareLinks::Id))
                    // 32 random bytes, base64url (43 characters): the link's secret.
                    .col(string_len_uniq(ShareLinks::Token, 64))
                    .col(integer(ShareLinks::UserId))
                    // badge, collection, stack.
                    .col(string_len(ShareLinks::Kind, 16))
                    // What it shows: one of these, by kind (badge: an award or an import).
                    .col(integer_null(ShareLinks::AwardId))
                    .col(integer_null(ShareLinks::ImportedBadgeId))
                    .col(integer_null(ShareLinks::CollectionId))
                    .col(integer_null(ShareLinks::ProgramId))
                    // The learner's name for it ("LinkedIn", "CV 2027").
                    .col(string_len(ShareLinks::Name, 60))
                    .col(boolean(ShareLinks::ShowEvidence).default(false))
                    .col(timestamp_with_time_zone_null(ShareLinks::ExpiresAt))
                    .col(timestamp_with_time_zone_null(ShareLinks::RevokedAt))
                    .col(timestamp_with_time_zone(ShareLinks::CreatedAt))
                    .foreign_key(&mut fk(
                        "fk_share_links_user",
                        (ShareLinks::Table, ShareLinks::UserId),
                        (Users::Table, Users::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "fk_share_links_award",
                        (ShareLinks::Table, ShareLinks::AwardId),
                        (Awards::Table, Awards::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "fk_share_links_import",
                        (ShareLinks::Table, ShareLinks::ImportedBadgeId),
                        (ImportedBadges::Table, ImportedBadges::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "fk_share_links_collection",
                        (ShareLinks::Table, ShareLinks::CollectionId),
                        (Collections::Table, Collections::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "fk_share_links_program",
                        (ShareLinks::Table, ShareLinks::ProgramId),
                        (Programs::Table, Programs::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_share_links_user")
                    .table(ShareLinks::Table)
                    .col(ShareLinks::UserId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(ViewCounts::Table)
                    .col(pk_auto(ViewCounts::Id))
                    // What was viewed: award, import (a permanent page), link (a share
                    // link), and its row id.
                    .col(string_len(ViewCounts::SubjectKind, 16))
                    .col(integer(ViewCounts::SubjectId))
                    // direct, linkedin, email, qr, embed.
                    .col(string_len(ViewCounts::Source, 16))
                    // The UTC day, YYYY-MM-DD.
                    .col(string_len(ViewCounts::Day, 10))
                    .col(big_integer(ViewCounts::Views))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_view_counts_key")
                    .table(ViewCounts::Table)
                    .col(ViewCounts::SubjectKind)
                    .col(ViewCounts::SubjectId)
                    .col(ViewCounts::Source)
                    .col(ViewCounts::Day)
                    .unique()
                    .to_owned(),
            )
            .await?;

        let db = manager.get_connection();
        for sql in INDEXES {
            db.execute_unprepared(sql).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            ViewCounts::Table.into_iden(),
            ShareLinks::Table.into_iden(),
            CollectionItems::Table.into_iden(),
            Collections::Table.into_iden(),
            Endorsements::Table.into_iden(),
            ImportedBadges::Table.into_iden(),
            UserEmails::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(Awards::Table)
                    .drop_column(Awards::AllowIndexing)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Users::Table)
                    .drop_column(Users::DeletedAt)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
    DeletedAt,
}

#[derive(DeriveIden)]
enum Awards {
    Table,
    Id,
    AllowIndexing,
}

#[derive(DeriveIden)]
enum Credentials {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Programs {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum UserEmails {
    Table,
    Id,
    UserId,
    Email,
    ConfirmedAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum ImportedBadges {
    Table,
    Id,
    PublicId,
    UserId,
    Format,
    Original,
    MediaType,
    Digest,
    SourceUrl,
    Name,
    Description,
    IssuerName,
    IssuerUrl,
    ImageUrl,
    IssuedAt,
    ExpiresAt,
    IsPublic,
    AllowIndexing,
    Verdict,
    Standing,
    CheckedAt,
    ImportedAt,
}

#[derive(DeriveIden)]
enum Endorsements {
    Table,
    Id,
    PublicId,
    UserId,
    AwardId,
    TokenHash,
    InviteeEmail,
    InviteeName,
    EndorserName,
    EndorserEmail,
    EndorserEmailVerified,
    EndorserUserId,
    Statement,
    Status,
    CredentialId,
    CreatedAt,
    ExpiresAt,
    SubmittedAt,
    DecidedAt,
}

#[derive(DeriveIden)]
enum Collections {
    Table,
    Id,
    PublicId,
    UserId,
    Name,
    Description,
    Position,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum CollectionItems {
    Table,
    Id,
    CollectionId,
    AwardId,
    ImportedBadgeId,
    Position,
}

#[derive(DeriveIden)]
enum ShareLinks {
    Table,
    Id,
    Token,
    UserId,
    Kind,
    AwardId,
    ImportedBadgeId,
    CollectionId,
    ProgramId,
    Name,
    ShowEvidence,
    ExpiresAt,
    RevokedAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum ViewCounts {
    Table,
    Id,
    SubjectKind,
    SubjectId,
    Source,
    Day,
    Views,
}
