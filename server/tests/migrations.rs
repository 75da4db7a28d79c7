//! The schema migrates up and down on both backends, and every entity reads back.

#![allow(clippy::unwrap_used)]

mod common;

use app::model::Role;
use app::server::{
    accounts::{self, NewAccount},
    entities::{credential, institution, issuer_key, membership, session, status_list, user},
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

    // Deleting a user takes its memberships and sessions with it (foreign keys on).
    user::Entity::delete_by_id(users[0].id)
        .exec(&db)
        .await
        .unwrap();
    assert_eq!(membership::Entity::find().count(&db).await.unwrap(), 0);
    assert_eq!(session::Entity::find().count(&db).await.unwrap(), 0);
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
