//! The schema migrates up and down on both backends, and every entity reads back.

#![allow(clippy::unwrap_used)]

mod common;

use app::model::Role;
use app::server::{
    accounts::{self, NewAccount},
    entities::{
        account_token, credential, institution, issuer_key, membership, outbox, session,
        status_list, user,
    },
    issuing::{self, NewInstitution},
    sessions,
};
use migrations::{Migrator, MigratorTrait};
use sea_orm::{EntityTrait, PaginatorTrait};

async fn up_down_up_and_read_back(backend: common::Backend) {
    let dir = tempfile::tempdir().unwrap();
    let Some(db) = common::database(backend, &dir).await else {
        return;
    };
    assert!(
        Migrator::get_pending_migrations(&db)
            .await
            .unwrap()
            .is_empty()
    );
    Migrator::down(&db, None).await.unwrap();
    assert_eq!(
        Migrator::get_pending_migrations(&db).await.unwrap().len(),
        Migrator::migrations().len()
    );
    assert!(
        user::Entity::find().all(&db).await.is_err(),
        "tables are gone after down"
    );
    assert!(outbox::Entity::find().all(&db).await.is_err());
    assert!(account_token::Entity::find().all(&db).await.is_err());
    Migrator::up(&db, None).await.unwrap();

    let settings = app::server::Settings::for_public_url("https://badges.example.edu");
    issuing::ensure_institution(
        &db,
        &settings,
        NewInstitution {
            slug: "demo".into(),
            name: "Demo University".into(),
            url: "https://www.example.edu".into(),
            email: "badges@example.edu".into(),
        },
    )
    .await
    .unwrap();
    let reviewer = accounts::create(
        &db,
        NewAccount {
            email: "rui@example.edu".into(),
            display_name: "Rui".into(),
            password: "correct horse battery".into(),
            role: Role::Reviewer,
            institution: Some("demo".into()),
        },
    )
    .await
    .unwrap();
    sessions::create(&db, reviewer.id).await.unwrap();

    let inst = institution::Entity::find().all(&db).await.unwrap();
    assert_eq!(inst[0].slug, "demo");
    let users = user::Entity::find().all(&db).await.unwrap();
    assert_eq!(users[0].email, "rui@example.edu");
    assert!(!users[0].is_platform_admin);
    let m = membership::Entity::find().all(&db).await.unwrap();
    assert_eq!(
        (m[0].user_id, m[0].institution_id, m[0].role.as_str()),
        (users[0].id, inst[0].id, "reviewer")
    );
    assert_eq!(session::Entity::find().count(&db).await.unwrap(), 1);

    // Issuing tables: a key, the status list and a credential, read back.
    let unsigned: serde_json::Value =
        serde_json::from_str(include_str!("fixtures/unsigned-credential.json")).unwrap();
    let issued = app::server::issuing::sign_credential(&db, &settings, "demo", unsigned)
        .await
        .unwrap();
    let key = issuer_key::Entity::find().one(&db).await.unwrap().unwrap();
    assert!(key.public_key.starts_with("z6Mk") && key.retired_at.is_none());
    assert!(key.compromised_at.is_none());
    assert!(
        key.secret_key.starts_with("sealed-v1:"),
        "secret keys are sealed at rest"
    );
    let list = status_list::Entity::find().one(&db).await.unwrap().unwrap();
    assert_eq!((list.next_index, list.bits.len()), (1, 131_072 / 8));
    assert_eq!((list.list_number, list.capacity), (0, 131_072));
    assert!(list.signed.is_some(), "lists are stored signed");
    let stored = credential::Entity::find().one(&db).await.unwrap().unwrap();
    assert_eq!(stored.public_id, issued.public_id);
    assert_eq!(stored.status_list_id, Some(list.id));
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&stored.json).unwrap(),
        issued.json
    );

    // Mail and account tokens: queued, read back; new accounts start unconfirmed.
    assert!(users[0].email_confirmed_at.is_none());
    app::server::mail::enqueue(
        &db,
        app::server::mail::Mail {
            to: "rui@example.edu".into(),
            subject: "Hello".into(),
            text: "Body".into(),
        },
    )
    .await
    .unwrap();
    let queued = outbox::Entity::find().one(&db).await.unwrap().unwrap();
    assert_eq!(
        (queued.status.as_str(), queued.attempts, queued.sent_at),
        ("queued", 0, None)
    );
    let token = app::server::account_tokens::issue(
        &db,
        users[0].id,
        app::server::account_tokens::Purpose::ResetPassword,
        &users[0].email,
    )
    .await
    .unwrap();
    let stored = account_token::Entity::find()
        .one(&db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.token_hash, sessions::token_hash(&token));
    assert_eq!(stored.purpose, "reset_password");
    // The database refuses statuses and purposes it does not know.
    {
        use sea_orm::ConnectionTrait;
        assert!(
            db.execute_unprepared("UPDATE outbox SET status = 'lost'")
                .await
                .is_err()
        );
        assert!(
            db.execute_unprepared("UPDATE account_tokens SET purpose = 'anything'")
                .await
                .is_err()
        );
    }
    // The portfolio migration goes down and up again with an award and a handle in
    // place; coming back up, the award is verified and active as of its award, with its
    // expiry read from the credential, private, and the handle is gone.
    let awarded = portfolio_round_trip(&db, &settings, &inst[0], &users[0]).await;
    // The sharing, earning, catalog and mail migrations go down and up again with data in place.
    Migrator::down(&db, Some(5)).await.unwrap();
    assert!(outbox::Entity::find().all(&db).await.is_err());
    assert!(
        app::server::entities::award::Entity::find()
            .all(&db)
            .await
            .is_err()
    );
    {
        use sea_orm::{ConnectionTrait, Statement};
        let row = db
            .query_one_raw(Statement::from_string(
                db.get_database_backend(),
                "SELECT COUNT(*) AS n FROM users".to_string(),
            ))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(row.try_get::<i64>("", "n").unwrap(), 1);
    }
    assert!(awarded > 0);
    Migrator::up(&db, None).await.unwrap();
    // The competency framework is seeded again, once.
    {
        use sea_orm::PaginatorTrait;
        let framework = app::server::entities::competency::Entity::find()
            .count(&db)
            .await
            .unwrap();
        assert_eq!(framework, 8, "the 21st-century workforce competencies");
    }
    app::server::account_tokens::issue(
        &db,
        users[0].id,
        app::server::account_tokens::Purpose::ConfirmEmail,
        &users[0].email,
    )
    .await
    .unwrap();

    // Deleting a user takes its memberships, sessions and tokens with it (foreign keys on).
    user::Entity::delete_by_id(users[0].id)
        .exec(&db)
        .await
        .unwrap();
    assert_eq!(membership::Entity::find().count(&db).await.unwrap(), 0);
    assert_eq!(session::Entity::find().count(&db).await.unwrap(), 0);
    assert_eq!(account_token::Entity::find().count(&db).await.unwrap(), 0);
}

/// Awards a badge (valid six months) to `u`, gives `u` a handle, takes the portfolio
/// migration down and up again, and checks what comes back. Returns the award's id.
async fn portfolio_round_trip(
    db: &sea_orm::DatabaseConnection,
    settings: &app::server::Settings,
    inst: &institution::Model,
    u: &user::Model,
) -> i32 {
    use app::server::awards::{self, AwardRequest, Issued, Recipient};
    use app::server::catalog::badges;
    use app::server::entities::award;
    use sea_orm::{ConnectionTrait, Statement};
    let b = badges::create(
        db,
        settings,
        inst,
        None,
        badges::BadgeInput {
            name: "Teamwork".into(),
            description: "Works well with others.".into(),
            criteria: "Do the work.".into(),
            achievement_type: "Badge".into(),
            tags: String::new(),
            credits: "1".into(),
            evidence_required: String::new(),
            rubric: String::new(),
            validity_months: "6".into(),
            competencies: Vec::new(),
            image: None,
        },
    )
    .await
    .unwrap();
    let Issued::New(a) = awards::issue(
        db,
        settings,
        AwardRequest {
            badge_id: b.id,
            recipient: Recipient::User {
                user_id: u.id,
                email: u.email.clone(),
                name: u.display_name.clone(),
            },
            narrative: None,
            rubric: Vec::new(),
            evidence: Vec::new(),
            program_id: None,
            submission_id: None,
            bulk_row_id: None,
            source: award::SOURCE_REVIEW,
            awarded_by: None,
        },
    )
    .await
    .unwrap() else {
        panic!("a new award")
    };
    assert_eq!(
        (a.verdict.as_str(), a.standing.as_str()),
        ("verified", "active")
    );
    assert!(!a.is_public, "private by default");
    let expires = a.expires_at.expect("a six-month badge expires");
    app::server::portfolio::profile::set_handle(db, u.id, "Rui-B")
        .await
        .unwrap();
    app::server::portfolio::profile::set_visibility(db, u.id, &a.public_id.to_string(), true)
        .await
        .unwrap();

    // Back past the portfolio migration (000008), undoing 000009 on the way.
    Migrator::down(db, Some(2)).await.unwrap();
    assert!(
        award::Entity::find().all(db).await.is_err(),
        "the entity knows the new columns"
    );
    let count = |table: &'static str| async move {
        db.query_one_raw(Statement::from_string(
            db.get_database_backend(),
            format!("SELECT COUNT(*) AS n FROM {table}"),
        ))
        .await
        .unwrap()
        .unwrap()
        .try_get::<i64>("", "n")
        .unwrap()
    };
    assert_eq!(count("awards").await, 1);
    Migrator::up(db, None).await.unwrap();

    let back = award::Entity::find_by_id(a.id)
        .one(db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (back.verdict.as_str(), back.standing.as_str()),
        ("verified", "active")
    );
    assert!(!back.is_public, "private again after the round trip");
    assert_eq!(
        back.checked_at.map(|t| t.timestamp()),
        Some(a.awarded_at.timestamp())
    );
    assert_eq!(
        back.expires_at.map(|t| t.timestamp()),
        Some(expires.timestamp()),
        "the expiry is read back from the credential"
    );
    let u2 = user::Entity::find_by_id(u.id)
        .one(db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(u2.handle, None);
    // Handles are unique whatever their case, by the index too.
    app::server::portfolio::profile::set_handle(db, u.id, "rui-b")
        .await
        .unwrap();
    let other = app::server::accounts::create(
        db,
        app::server::accounts::NewAccount {
            email: "other@example.edu".into(),
            display_name: "Other".into(),
            password: "correct horse battery".into(),
            role: app::model::Role::Learner,
            institution: None,
        },
    )
    .await
    .unwrap();
    let clash = db
        .execute_unprepared(&format!(
            "UPDATE users SET handle = 'RUI-B' WHERE id = {}",
            other.id
        ))
        .await;
    assert!(clash.is_err(), "the index compares handles lower-cased");
    user::Entity::delete_by_id(other.id).exec(db).await.unwrap();
    a.id
}

#[tokio::test]
async fn migrations_round_trip_on_sqlite() {
    up_down_up_and_read_back(common::Backend::Sqlite).await;
}

#[tokio::test]
async fn migrations_round_trip_on_postgres() {
    up_down_up_and_read_back(common::Backend::Postgres).await;
}

#[tokio::test]
async fn sqlite_runs_in_wal_mode_with_foreign_keys() {
    use sea_orm::{ConnectionTrait, Statement};
    let dir = tempfile::tempdir().unwrap();
    let db = common::database(common::Backend::Sqlite, &dir)
        .await
        .unwrap();
    let q = |sql: &str| Statement::from_string(db.get_database_backend(), sql.to_string());
    let mode = db
        .query_one_raw(q("PRAGMA journal_mode"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        mode.try_get_by_index::<String>(0).unwrap().to_lowercase(),
        "wal"
    );
    let fk = db
        .query_one_raw(q("PRAGMA foreign_keys"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(fk.try_get_by_index::<i32>(0).unwrap(), 1);
}

/// A database from before numbered lists and sealed keys (migrations 1–2, with a key in
/// plain text, a list signed on first request and a credential) upgrades: the key is
/// sealed, the credential knows its list, the list is stored signed, and the credential
/// still verifies and revokes.
async fn upgrades_issuing_data_from_earlier_versions(backend: common::Backend) {
    use sea_orm::{ConnectionTrait, Statement};
    let dir = tempfile::tempdir().unwrap();
    let Some(db) = common::database(backend, &dir).await else {
        return;
    };
    Migrator::down(&db, None).await.unwrap();
    Migrator::up(&db, Some(2)).await.unwrap();
    let settings = app::server::Settings::for_public_url("https://badges.example.edu");
    let key = openbadges::keys::SigningKey::generate();
    let sql = |s: &str| Statement::from_string(db.get_database_backend(), s.to_string());
    let now = "2026-01-01T00:00:00+00:00";
    // A row of the schema as it was then (the entity knows later columns).
    let public_id = uuid::Uuid::new_v4();
    let public_id = match backend {
        common::Backend::Sqlite => format!("X'{}'", public_id.simple()),
        common::Backend::Postgres => format!("'{public_id}'"),
    };
    db.execute_raw(sql(&format!(
        "INSERT INTO institutions (public_id, slug, name, url, email, created_at) \
         VALUES ({public_id}, 'old', 'Old College', '', '', '{now}')"
    )))
    .await
    .unwrap();
    for (public, retired) in [
        (openbadges::keys::SigningKey::generate(), true),
        (key.clone(), false),
    ] {
        db.execute_raw(sql(&format!(
            "INSERT INTO issuer_keys (institution_id, public_key, secret_key, created_at, retired_at) \
             VALUES ((SELECT id FROM institutions WHERE slug = 'old'), '{}', '{}', '{now}', {})",
            public.public_multibase(),
            public.secret_multibase(),
            if retired { format!("'{now}'") } else { "NULL".into() }
        )))
        .await
        .unwrap();
    }
    // The credential, signed as the earlier version did (list 0, index 0).
    let did = app::server::urls::issuer_did(&settings.public_url, "old");
    let list_url = app::server::urls::status_list(&settings.public_url, "old", "revocation", 0);
    let mut cred: serde_json::Value =
        serde_json::from_str(include_str!("fixtures/unsigned-credential.json")).unwrap();
    cred["id"] = "urn:uuid:6c9d0a3e-1f2b-4c5d-8e7f-0a1b2c3d4e5f".into();
    cred["validFrom"] = "2026-01-01T00:00:00Z".into();
    cred["issuer"] = serde_json::json!({"id": did, "type": ["Profile"], "name": "Old College"});
    cred["credentialStatus"] = openbadges::status_list::entry(&list_url, 0, "revocation");
    let vm = openbadges::keys::verification_method(&did, &key.public_multibase());
    openbadges::proof::sign(&mut cred, &key, &vm, "2026-01-01T00:00:00Z").unwrap();
    let bits = openbadges::status_list::Bitstring::default();
    let hex: String = bits.as_bytes().iter().map(|b| format!("{b:02x}")).collect();
    let blob = match backend {
        common::Backend::Sqlite => format!("X'{hex}'"),
        common::Backend::Postgres => format!("'\\x{hex}'::bytea"),
    };
    db.execute_raw(sql(&format!(
        "INSERT INTO status_lists (institution_id, purpose, bits, next_index, signed, updated_at) VALUES \
         ((SELECT id FROM institutions WHERE slug = 'old'), 'revocation', {blob}, 1, NULL, '{now}')"
    )))
    .await
    .unwrap();
    db.execute_raw(Statement::from_sql_and_values(
        db.get_database_backend(),
        match backend {
            common::Backend::Sqlite => "INSERT INTO credentials (public_id, credential_id, institution_id, status_index, json, issued_at) VALUES (?, ?, (SELECT id FROM institutions WHERE slug = 'old'), 0, ?, ?)",
            common::Backend::Postgres => "INSERT INTO credentials (public_id, credential_id, institution_id, status_index, json, issued_at) VALUES ($1, $2, (SELECT id FROM institutions WHERE slug = 'old'), 0, $3, $4::timestamptz)",
        },
        [
            uuid::Uuid::new_v4().into(),
            "urn:uuid:6c9d0a3e-1f2b-4c5d-8e7f-0a1b2c3d4e5f".into(),
            cred.to_string().into(),
            now.into(),
        ],
    ))
    .await
    .unwrap();

    Migrator::up(&db, None).await.unwrap();
    app::server::issuing::prepare(&db, &settings).await.unwrap();
    let keys = issuer_key::Entity::find().all(&db).await.unwrap();
    assert!(keys.iter().all(|k| k.secret_key.starts_with("sealed-v1:")));
    let stored = credential::Entity::find().one(&db).await.unwrap().unwrap();
    let list = status_list::Entity::find().one(&db).await.unwrap().unwrap();
    assert_eq!(stored.status_list_id, Some(list.id));
    assert!(list.signed.is_some());
    let bytes = cred.to_string().into_bytes();
    let verify = |db: sea_orm::DatabaseConnection, settings: app::server::Settings| {
        let bytes = bytes.clone();
        async move {
            app::server::verification::verify_bytes(&db, &settings, bytes, None)
                .await
                .unwrap()
                .unwrap()
        }
    };
    let report = verify(db.clone(), settings.clone()).await;
    assert!(report.is_good(), "{report:#?}");
    app::server::issuing::revoke(
        &db,
        &settings,
        "urn:uuid:6c9d0a3e-1f2b-4c5d-8e7f-0a1b2c3d4e5f",
        "test",
    )
    .await
    .unwrap();
    let report = verify(db.clone(), settings.clone()).await;
    assert_eq!(
        report.standing,
        openbadges::verify::Standing::Revoked,
        "{report:#?}"
    );
    // The next credential continues the old list.
    let unsigned: serde_json::Value =
        serde_json::from_str(include_str!("fixtures/unsigned-credential.json")).unwrap();
    let issued = app::server::issuing::sign_credential(&db, &settings, "old", unsigned)
        .await
        .unwrap();
    assert_eq!(
        (issued.status_index, issued.status_list_url.as_str()),
        (1, list_url.as_str())
    );
}

#[tokio::test]
async fn upgrades_issuing_data_on_sqlite() {
    upgrades_issuing_data_from_earlier_versions(common::Backend::Sqlite).await;
}

#[tokio::test]
async fn upgrades_issuing_data_on_postgres() {
    upgrades_issuing_data_from_earlier_versions(common::Backend::Postgres).await;
}
