//! Data ownership, on SQLite and PostgreSQL: deleting an account leaves nothing
//! readable (portfolio, imports, evidence, profile, sessions) while the credentials
//! issued to it keep verifying; the zip export holds exactly the learner's own files
//! (credentials as signed and baked, imports byte for byte, evidence, endorsements)
//! and is refused to anyone else; the background re-check refreshes stored standings
//! (a revocation and an expiry reach the wall; a revocation is never undone).

#![allow(clippy::unwrap_used)]

mod common;

use std::io::Read as _;

use axum::{
    body::Body,
    http::{Request, header},
};
use chrono::{Duration, Utc};
use http_body_util::BodyExt as _;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, Set};
use sha2::Digest as _;
use tower::ServiceExt as _;

use app::server::entities::{
    account_token, award, collection, collection_item, credential, endorsement, enrollment,
    evidence_item, imported_badge, membership, notification, session, share_link, submission, user,
    user_email,
};
use app::server::{accounts, issuing, recheck, verification};
use common::TestApp;
use common::setup::{
    PASSWORD, badge, credential_json, give, institution, learner, program, public_id, reload,
};

/// An imported badge row with these exact bytes (the import feature is another's; the
/// table is what deletion and export read).
async fn import(
    app: &TestApp,
    u: &user::Model,
    name: &str,
    original: &[u8],
) -> imported_badge::Model {
    imported_badge::ActiveModel {
        public_id: Set(uuid::Uuid::new_v4()),
        user_id: Set(u.id),
        format: Set("ob3_json".into()),
        original: Set(original.to_vec()),
        media_type: Set("application/json".into()),
        digest: Set(format!("{:x}", sha2::Sha256::digest(original))),
        source_url: Set(None),
        name: Set(name.into()),
        description: Set("Earned elsewhere.".into()),
        issuer_name: Set("Elsewhere".into()),
        issuer_url: Set(None),
        image_url: Set(None),
        issued_at: Set(Some(Utc::now())),
        expires_at: Set(None),
        is_public: Set(true),
        allow_indexing: Set(false),
        verdict: Set("verified".into()),
        standing: Set("active".into()),
        checked_at: Set(Some(Utc::now())),
        imported_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(&app.state.db)
    .await
    .unwrap()
}

/// Posts a multipart form with one file to a server function.
async fn upload_evidence(
    app: &TestApp,
    s: &str,
    program: &str,
    badge: &str,
    filename: &str,
    bytes: &[u8],
) {
    let boundary = "XbadgefolioBoundaryX";
    let mut body = Vec::new();
    for (k, v) in [("program", program), ("badge", badge)] {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .as_bytes(),
        );
    }
    body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes());
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let req = Request::post("/api/upload_evidence")
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={boundary}"),
        )
        .header(header::ACCEPT, "application/json")
        .header("origin", app.state.settings.public_url.clone())
        .header(header::COOKIE, app.session_cookie(s))
        .body(Body::from(body))
        .unwrap();
    let r = app.send(req).await;
    assert_eq!(r.status, 200, "{}", r.body);
}

const PDF: &[u8] =
    b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";

/// Everything a learner can hold, for `u`: an award made public, a handle, an import,
/// an evidence file, a collection, a share link, an endorsement request (approved, its
/// signed credential `endorsement_credential`), an extra address.
struct Holdings {
    award: award::Model,
    import: imported_badge::Model,
    evidence_key: String,
}

#[allow(clippy::too_many_arguments)]
async fn fill(
    app: &TestApp,
    u: &user::Model,
    s: &str,
    badge_id: i32,
    badge_public: &str,
    program: &str,
    handle: &str,
    endorsement_credential: Option<i32>,
) -> Holdings {
    let r = app.call("enroll", &[("slug", program)], Some(s)).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let evidence_name = format!("{handle}-report.pdf");
    let mut pdf = PDF.to_vec();
    pdf.extend_from_slice(handle.as_bytes());
    upload_evidence(app, s, program, badge_public, &evidence_name, &pdf).await;
    let evidence_key = evidence_item::Entity::find()
        .filter(evidence_item::Column::UserId.eq(u.id))
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap()
        .object_key
        .unwrap();
    let a = give(app, badge_id, u).await;
    let r = app
        .call(
            "set_badge_visibility",
            &[("award", &a.public_id.to_string()), ("public", "yes")],
            Some(s),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let r = app.call("set_handle", &[("handle", handle)], Some(s)).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let original = format!("{{\"imported\":\"{handle}\",\"bytes\":\"\\u00e9 exact\"}}\n");
    let imp = import(app, u, &format!("Import of {handle}"), original.as_bytes()).await;
    let c = collection::ActiveModel {
        public_id: Set(uuid::Uuid::new_v4()),
        user_id: Set(u.id),
        name: Set(format!("{handle}'s best")),
        description: Set("Mine.".into()),
        position: Set(0),
        created_at: Set(Utc::now()),
        updated_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(&app.state.db)
    .await
    .unwrap();
    collection_item::ActiveModel {
        collection_id: Set(c.id),
        award_id: Set(Some(a.id)),
        imported_badge_id: Set(None),
        position: Set(0),
        ..Default::default()
    }
    .insert(&app.state.db)
    .await
    .unwrap();
    share_link::ActiveModel {
        token: Set(format!("{handle}-token-{}", uuid::Uuid::new_v4().simple())),
        user_id: Set(u.id),
        kind: Set("badge".into()),
        award_id: Set(Some(a.id)),
        imported_badge_id: Set(None),
        collection_id: Set(None),
        program_id: Set(None),
        name: Set("LinkedIn".into()),
        show_evidence: Set(true),
        expires_at: Set(None),
        revoked_at: Set(None),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(&app.state.db)
    .await
    .unwrap();
    endorsement::ActiveModel {
        public_id: Set(uuid::Uuid::new_v4()),
        user_id: Set(u.id),
        award_id: Set(a.id),
        token_hash: Set(format!("{:x}", sha2::Sha256::digest(handle.as_bytes()))),
        invitee_email: Set(Some("mentor@example.com".into())),
        invitee_name: Set(Some("Mentor".into())),
        endorser_name: Set(Some(format!("Mentor of {handle}"))),
        endorser_email: Set(None),
        endorser_email_verified: Set(false),
        endorser_user_id: Set(None),
        statement: Set(Some("Excellent work.".into())),
        status: Set(if endorsement_credential.is_some() {
            "approved"
        } else {
            "requested"
        }
        .into()),
        credential_id: Set(endorsement_credential),
        created_at: Set(Utc::now()),
        expires_at: Set(Utc::now() + Duration::days(14)),
        submitted_at: Set(None),
        decided_at: Set(None),
        ..Default::default()
    }
    .insert(&app.state.db)
    .await
    .unwrap();
    user_email::ActiveModel {
        user_id: Set(u.id),
        email: Set(format!("{handle}@school.example.edu")),
        confirmed_at: Set(Some(Utc::now())),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(&app.state.db)
    .await
    .unwrap();
    Holdings {
        award: a,
        import: imp,
        evidence_key,
    }
}

async fn delete(app: &TestApp, s: Option<&str>, password: &str, confirm: &str) -> common::Reply {
    app.call(
        "delete_account",
        &[("password", password), ("confirm", confirm)],
        s,
    )
    .await
}

/// How many rows of `E` belong to `user_id` (by the column given).
async fn rows<E: EntityTrait>(app: &TestApp, col: E::Column, user_id: i32) -> u64
where
    E::Model: Sync,
    E::Column: ColumnTrait,
{
    E::find()
        .filter(col.eq(user_id))
        .count(&app.state.db)
        .await
        .unwrap()
}

/// `GET path` with raw bytes back.
async fn get_bytes(
    app: &TestApp,
    path: &str,
    session: Option<&str>,
    headers: &[(&str, &str)],
) -> (u16, axum::http::HeaderMap, Vec<u8>) {
    let mut req = Request::get(path);
    if let Some(s) = session {
        req = req.header(header::COOKIE, app.session_cookie(s));
    }
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let res = app
        .router
        .clone()
        .oneshot(req.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = res.status().as_u16();
    let h = res.headers().clone();
    let bytes = res.into_body().collect().await.unwrap().to_bytes().to_vec();
    (status, h, bytes)
}

/// Every entry of a zip: name → bytes.
fn unzip(bytes: &[u8]) -> std::collections::BTreeMap<String, Vec<u8>> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut out = std::collections::BTreeMap::new();
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).unwrap();
        let mut buf = Vec::new();
        f.read_to_end(&mut buf).unwrap();
        out.insert(f.name().to_string(), buf);
    }
    out
}

with_files_on_both_backends! {
    async fn a_deleted_account_leaves_nothing_readable_and_its_credentials_still_verify(app, store) {
        let inst = institution(&app, "north", "North University").await;
        let b = badge(&app, &inst, "Data Wrangling", 1, &[]).await;
        let bp = public_id(&app, b).await;
        let prog = program(&app, &inst, "data", &[b], false).await;
        let (ada, s1) = learner(&app, "ada@example.org", "Ada").await;
        let s2 = app.sign_in("ada@example.org", PASSWORD, None).await.session().unwrap();
        let (bob, sb) = learner(&app, "bob@example.org", "Bob").await;
        let mine = fill(&app, &ada, &s1, b, &bp, &prog, "adatest", None).await;
        let his = fill(&app, &bob, &sb, b, &bp, &prog, "bobtest", None).await;
        let json = credential_json(&app, &mine.award).await;
        // The public profile shows Ada's badge before.
        let r = app.call("public_profile", &[("handle", "adatest")], None).await;
        assert_eq!(r.status, 200, "{}", r.body);

        // Refused: anonymous, a wrong password, no confirmation.
        assert_eq!(delete(&app, None, PASSWORD, "yes").await.status, 401);
        let r = delete(&app, Some(&s1), "wrong password!", "yes").await;
        assert_eq!(r.status, 422, "{}", r.body);
        let r = delete(&app, Some(&s1), PASSWORD, "").await;
        assert_eq!(r.status, 422, "{}", r.body);
        assert!(app.whoami(Some(&s1)).await.is_object(), "still signed in");

        let r = delete(&app, Some(&s1), PASSWORD, "yes").await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert!(
            r.set_cookies().iter().any(|c| c.starts_with("badgefolio_session=;")),
            "{:?}",
            r.set_cookies()
        );

        // Both sessions are refused at once (the cached actor included).
        for s in [&s1, &s2] {
            assert!(app.whoami(Some(s)).await.is_null(), "session still works");
            assert_eq!(app.call("portfolio_wall", &[], Some(s)).await.status, 401);
            let (status, _, _) = get_bytes(&app, "/account/export.zip", Some(s), &[]).await;
            assert_eq!(status, 401);
        }
        assert_eq!(delete(&app, Some(&s1), PASSWORD, "yes").await.status, 401);
        // The profile is gone; signing in and resetting the password find no account.
        let r = app.call("public_profile", &[("handle", "adatest")], None).await;
        assert_eq!(r.status, 404, "{}", r.body);
        let refused = accounts::authenticate(&app.state.db, "ada@example.org", PASSWORD).await;
        assert!(refused.is_err(), "a deleted account signed in");
        let tomb = user::Entity::find_by_id(ada.id).one(&app.state.db).await.unwrap().unwrap();
        assert!(accounts::authenticate(&app.state.db, &tomb.email, PASSWORD).await.is_err());
        let mails = app::server::entities::outbox::Entity::find().count(&app.state.db).await.unwrap();
        let r = app.call("request_password_reset", &[("email", "ada@example.org")], None).await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(
            app::server::entities::outbox::Entity::find().count(&app.state.db).await.unwrap(),
            mails,
            "no reset mail for a deleted account"
        );

        // Nothing of Ada's is left but the tombstone and the private award.
        let id = ada.id;
        assert_eq!(rows::<imported_badge::Entity>(&app, imported_badge::Column::UserId, id).await, 0);
        assert_eq!(rows::<collection::Entity>(&app, collection::Column::UserId, id).await, 0);
        assert_eq!(rows::<share_link::Entity>(&app, share_link::Column::UserId, id).await, 0);
        assert_eq!(rows::<endorsement::Entity>(&app, endorsement::Column::UserId, id).await, 0);
        assert_eq!(rows::<user_email::Entity>(&app, user_email::Column::UserId, id).await, 0);
        assert_eq!(rows::<evidence_item::Entity>(&app, evidence_item::Column::UserId, id).await, 0);
        assert_eq!(rows::<submission::Entity>(&app, submission::Column::UserId, id).await, 0);
        assert_eq!(rows::<enrollment::Entity>(&app, enrollment::Column::UserId, id).await, 0);
        assert_eq!(rows::<notification::Entity>(&app, notification::Column::UserId, id).await, 0);
        assert_eq!(rows::<session::Entity>(&app, session::Column::UserId, id).await, 0);
        assert_eq!(rows::<account_token::Entity>(&app, account_token::Column::UserId, id).await, 0);
        assert_eq!(collection_item::Entity::find().count(&app.state.db).await.unwrap(), 1, "Bob's item stays");
        let keys = store.keys().await.unwrap();
        assert!(!keys.contains(&mine.evidence_key), "Ada's file is gone: {keys:?}");
        assert!(keys.contains(&his.evidence_key), "Bob's file stays: {keys:?}");
        let t = user::Entity::find_by_id(id).one(&app.state.db).await.unwrap().unwrap();
        assert!(t.deleted_at.is_some());
        assert_eq!(t.email, format!("deleted+{}@invalid", t.public_id));
        assert_eq!(t.display_name, "Deleted account");
        assert_eq!(t.handle, None);
        assert!(!t.password_hash.starts_with("$argon2"));
        let a = reload(&app, &mine.award).await;
        assert!(!a.is_public, "the award stays, private");
        assert_eq!(a.user_id, Some(id));

        // Bob keeps everything.
        assert_eq!(rows::<imported_badge::Entity>(&app, imported_badge::Column::UserId, bob.id).await, 1);
        assert!(reload(&app, &his.award).await.is_public);
        assert_eq!(app.call("public_profile", &[("handle", "bobtest")], None).await.status, 200);
        assert!(app.whoami(Some(&sb)).await.is_object());
        assert!(imported_badge::Entity::find_by_id(mine.import.id).one(&app.state.db).await.unwrap().is_none());

        // The credential issued to Ada still verifies, and its status list answers.
        let report = verification::verify_bytes(&app.state.db, &app.state.settings, json.clone().into_bytes(), None)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(report.verdict.as_str(), "verified", "{:?}", report.checks);
        assert_eq!(report.standing.as_str(), "active");
        let v: serde_json::Value = serde_json::from_str(&json).unwrap();
        let list = v["credentialStatus"]["statusListCredential"].as_str().unwrap();
        let path = list.strip_prefix(common::PUBLIC_URL).unwrap();
        let r = app.get(path, None).await;
        assert_eq!(r.status, 200, "{path}: {}", r.body);

        // The address is free again: a new, empty account.
        let s3 = app.sign_up("ada@example.org", "Ada again", PASSWORD).await;
        let w = app.call("portfolio_wall", &[], Some(&s3)).await;
        assert_eq!(w.status, 200, "{}", w.body);
        assert!(!w.body.contains("Data Wrangling"), "{}", w.body);
    }

    async fn the_export_holds_exactly_the_learners_own_files(app, _store) {
        let inst = institution(&app, "north", "North University").await;
        let b = badge(&app, &inst, "Data Wrangling", 1, &[]).await;
        let bp = public_id(&app, b).await;
        let b2 = badge(&app, &inst, "Peer Endorsement Stand-in", 1, &[]).await;
        let prog = program(&app, &inst, "data", &[b], false).await;
        let (ada, s) = learner(&app, "ada@example.org", "Ada").await;
        let (bob, sb) = learner(&app, "bob@example.org", "Bob").await;
        // A signed credential to stand for an approved endorsement's (the endorsement
        // feature is another's; the export reads the row and its credential).
        let (carol, _) = learner(&app, "carol@example.org", "Carol").await;
        let stand_in = give(&app, b2, &carol).await;
        let mine = fill(&app, &ada, &s, b, &bp, &prog, "adatest", Some(stand_in.credential_id)).await;
        let his = fill(&app, &bob, &sb, b, &bp, &prog, "bobtest", None).await;
        let my_json = credential_json(&app, &mine.award).await;
        let his_json = credential_json(&app, &his.award).await;
        let endorsement_json = credential_json(&app, &stand_in).await;

        // Refused to anyone else and to other sites.
        let (status, _, _) = get_bytes(&app, "/account/export.zip", None, &[]).await;
        assert_eq!(status, 401);
        let (status, _, _) =
            get_bytes(&app, "/account/export.zip", Some(&s), &[("sec-fetch-site", "cross-site")]).await;
        assert_eq!(status, 403);
        let (status, _, _) =
            get_bytes(&app, "/account/export.zip", Some(&s), &[("origin", "https://evil.example")]).await;
        assert_eq!(status, 403);

        let (status, h, bytes) =
            get_bytes(&app, "/account/export.zip", Some(&s), &[("sec-fetch-site", "same-origin")]).await;
        assert_eq!(status, 200, "{}", String::from_utf8_lossy(&bytes));
        assert_eq!(h.get(header::CONTENT_TYPE).unwrap(), "application/zip");
        let cd = h.get(header::CONTENT_DISPOSITION).unwrap().to_str().unwrap();
        assert!(cd.starts_with("attachment; filename=\"badgefolio-export-"), "{cd}");
        assert_eq!(
            h.get(header::CONTENT_LENGTH).unwrap().to_str().unwrap(),
            bytes.len().to_string()
        );
        let files = unzip(&bytes);
        let names: Vec<&String> = files.keys().collect();
        assert!(files.contains_key("index.json") && files.contains_key("index.html"), "{names:?}");
        assert!(files.contains_key("collections.json") && files.contains_key("share_links.json"));

        // The credential exactly as signed, and baked into the image.
        // (Ada also holds the program's credential: its one badge completes it.)
        let held = award::Entity::find()
            .filter(award::Column::UserId.eq(ada.id))
            .all(&app.state.db)
            .await
            .unwrap();
        assert_eq!(held.len(), 2);
        let creds: Vec<&String> = names.iter().copied().filter(|n| n.starts_with("credentials/") && n.ends_with(".json")).collect();
        assert_eq!(creds.len(), held.len(), "{names:?}");
        let baked: Vec<&String> = names.iter().copied().filter(|n| n.starts_with("credentials/") && !n.ends_with(".json")).collect();
        assert_eq!(baked.len(), held.len(), "{names:?}");
        for a in &held {
            let json = credential_json(&app, a).await;
            let stem = creds
                .iter()
                .find(|n| files[**n] == json.as_bytes())
                .unwrap_or_else(|| panic!("{} is not in the zip as signed", a.public_id))
                .strip_suffix(".json")
                .unwrap();
            let image = baked.iter().find(|n| n.starts_with(stem)).unwrap();
            let extracted = openbadges::baking::extract(&files[*image], &openbadges::baking::Limits::default())
                .unwrap()
                .unwrap();
            assert_eq!(extracted.payload, json, "{image}");
        }
        assert!(creds.iter().any(|n| files[*n] == my_json.as_bytes()));
        // The import byte for byte, the evidence file, the endorsement's credential.
        let imports: Vec<&String> = names.iter().copied().filter(|n| n.starts_with("imports/")).collect();
        assert_eq!(imports.len(), 1, "{names:?}");
        assert_eq!(files[imports[0]], mine.import.original);
        let evidence: Vec<&String> = names.iter().copied().filter(|n| n.starts_with("evidence/")).collect();
        assert_eq!(evidence.len(), 1, "{names:?}");
        assert!(evidence[0].ends_with(".pdf"));
        assert!(files[evidence[0]].ends_with(b"adatest"));
        let endorsements: Vec<&String> = names.iter().copied().filter(|n| n.starts_with("endorsements/")).collect();
        assert_eq!(endorsements.len(), 1, "{names:?}");
        assert_eq!(files[endorsements[0]], endorsement_json.as_bytes());
        assert_eq!(files.len(), 11, "{names:?}");

        // Nothing of Bob's anywhere.
        for (name, content) in &files {
            let text = String::from_utf8_lossy(content);
            assert!(!text.contains("bobtest") && !text.contains("bob@example.org"), "{name}");
            assert!(content.as_slice() != his_json.as_bytes() && content.as_slice() != his.import.original.as_slice(), "{name}");
        }
        let index: serde_json::Value = serde_json::from_slice(&files["index.json"]).unwrap();
        assert_eq!(index["badges"].as_array().unwrap().len(), 2);
        assert!(index["badges"].as_array().unwrap().iter().any(|b| b["id"] == mine.award.public_id.to_string()));
        assert_eq!(index["collections"][0]["name"], "adatest's best");
        assert_eq!(index["share_links"].as_array().unwrap().len(), 1);
        let html = String::from_utf8_lossy(&files["index.html"]);
        assert!(html.contains("Data Wrangling") && html.contains("adatest&#39;s best"), "{html}");

        // The page's counts agree.
        let r = app.call("export_contents", &[], Some(&s)).await;
        assert_eq!(r.status, 200, "{}", r.body);
        let c: serde_json::Value = serde_json::from_str(&r.body).unwrap();
        assert_eq!((c["awards"].as_u64(), c["imports"].as_u64(), c["endorsements"].as_u64(), c["evidence_files"].as_u64()),
            (Some(2), Some(1), Some(1), Some(1)));
        assert_eq!(app.call("export_contents", &[], None).await.status, 401);
    }
}

on_both_backends! {
    async fn the_last_administrator_cannot_leave(app) {
        let inst = institution(&app, "north", "North University").await;
        let (admin, s) = learner(&app, "admin@example.edu", "Admin").await;
        membership::ActiveModel {
            user_id: Set(admin.id),
            institution_id: Set(inst.id),
            role: Set(membership::ROLE_ADMIN.into()),
            created_at: Set(Utc::now()),
            ..Default::default()
        }
        .insert(&app.state.db)
        .await
        .unwrap();
        let r = delete(&app, Some(&s), PASSWORD, "yes").await;
        assert_eq!(r.status, 422, "{}", r.body);
        assert!(r.body.contains("only administrator"), "{}", r.body);
        assert!(app.whoami(Some(&s)).await.is_object());

        let (other, _) = learner(&app, "other@example.edu", "Other").await;
        membership::ActiveModel {
            user_id: Set(other.id),
            institution_id: Set(inst.id),
            role: Set(membership::ROLE_ADMIN.into()),
            created_at: Set(Utc::now()),
            ..Default::default()
        }
        .insert(&app.state.db)
        .await
        .unwrap();
        let r = delete(&app, Some(&s), PASSWORD, "yes").await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(rows::<membership::Entity>(&app, membership::Column::UserId, admin.id).await, 0);
    }

    async fn deleting_while_the_session_is_busy_leaves_the_account_deleted(app) {
        let inst = institution(&app, "north", "North University").await;
        let b = badge(&app, &inst, "Data Wrangling", 1, &[]).await;
        let (ada, s) = learner(&app, "ada@example.org", "Ada").await;
        let a = give(&app, b, &ada).await;
        let id = a.public_id.to_string();
        // Requests that make the badge public race the deletion on the same session.
        let mut tasks = Vec::new();
        for i in 0..8 {
            let router = app.router.clone();
            let cookie = app.session_cookie(&s);
            let origin = app.state.settings.public_url.clone();
            let body = if i == 4 {
                ("/api/delete_account", format!("password={}&confirm=yes", PASSWORD.replace(' ', "+")))
            } else {
                ("/api/set_badge_visibility", format!("award={id}&public=yes"))
            };
            tasks.push(tokio::spawn(async move {
                let req = Request::post(body.0)
                    .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                    .header(header::ACCEPT, "application/json")
                    .header(header::COOKIE, cookie)
                    .header("origin", origin)
                    .body(Body::from(body.1))
                    .unwrap();
                let res = router.oneshot(req).await.unwrap();
                (body.0, res.status().as_u16())
            }));
        }
        let mut deleted = false;
        for t in tasks {
            let (path, status) = t.await.unwrap();
            if path == "/api/delete_account" {
                assert_eq!(status, 200);
                deleted = true;
            } else {
                // 503: the database was busy (every racer waits on the account's row
                // lock) and the request did nothing; what matters is checked below.
                assert!(matches!(status, 200 | 401 | 503), "{path}: {status}");
            }
        }
        assert!(deleted);
        let a = reload(&app, &a).await;
        assert!(!a.is_public, "a racing request made a deleted account's badge public");
        assert!(app.whoami(Some(&s)).await.is_null());
        assert_eq!(rows::<session::Entity>(&app, session::Column::UserId, ada.id).await, 0);
        // And afterwards, the old session cannot change anything.
        let r = app
            .call("set_badge_visibility", &[("award", &id), ("public", "yes")], Some(&s))
            .await;
        assert_eq!(r.status, 401, "{}", r.body);
        assert!(!reload(&app, &a).await.is_public);
    }

    async fn the_recheck_brings_revocations_and_expiries_to_the_wall(app) {
        let inst = institution(&app, "north", "North University").await;
        let b1 = badge(&app, &inst, "Revoked Elsewhere", 1, &[]).await;
        let b2 = badge(&app, &inst, "Expiring", 1, &[]).await;
        let b3 = badge(&app, &inst, "Imported Back", 1, &[]).await;
        let (ada, s) = learner(&app, "ada@example.org", "Ada").await;
        let (bob, _) = learner(&app, "bob@example.org", "Bob").await;
        let revoked = give(&app, b1, &ada).await;
        let expiring = give(&app, b2, &ada).await;
        // Bob's credential, imported by Ada (its status list is ours).
        let bobs = give(&app, b3, &bob).await;
        let bobs_json = credential_json(&app, &bobs).await;
        let imp = import(&app, &ada, "Imported Back", bobs_json.as_bytes()).await;

        // Revoked through the status list only (as `badgefolio credential revoke` does):
        // the award row does not know yet.
        let cred = credential::Entity::find_by_id(revoked.credential_id).one(&app.state.db).await.unwrap().unwrap();
        issuing::revoke(&app.state.db, &app.state.settings, &cred.credential_id, "withdrawn").await.unwrap();
        let bob_cred = credential::Entity::find_by_id(bobs.credential_id).one(&app.state.db).await.unwrap().unwrap();
        issuing::revoke(&app.state.db, &app.state.settings, &bob_cred.credential_id, "withdrawn").await.unwrap();
        assert_eq!(reload(&app, &revoked).await.standing, "active");
        let mut m: award::ActiveModel = reload(&app, &expiring).await.into();
        m.expires_at = Set(Some(Utc::now() - Duration::hours(1)));
        m.update(&app.state.db).await.unwrap();

        let done = recheck::tick(&app.state.db, &app.state.settings, 50, Utc::now()).await.unwrap();
        assert_eq!(done.imports, 1);
        assert!(done.awards >= 2, "{done:?}");
        let r = reload(&app, &revoked).await;
        assert_eq!(r.standing, "revoked");
        assert!(r.checked_at.is_some());
        assert_eq!(reload(&app, &expiring).await.standing, "expired");
        let i = imported_badge::Entity::find_by_id(imp.id).one(&app.state.db).await.unwrap().unwrap();
        assert_eq!(i.standing, "revoked");
        assert!(i.checked_at.unwrap() > imp.checked_at.unwrap());

        // The wall shows it.
        let w = app.call("portfolio_wall", &[], Some(&s)).await;
        assert_eq!(w.status, 200, "{}", w.body);
        let wall: serde_json::Value = serde_json::from_str(&w.body).unwrap();
        let card = wall["cards"].as_array().unwrap().iter().find(|c| c["name"] == "Revoked Elsewhere").unwrap();
        assert_eq!(card["mark"], "revoked", "{card}");

        // A revocation once seen is never undone: the next ticks leave it (and a badge
        // with no bit set that was once seen revoked stays revoked too).
        let mut m: award::ActiveModel = reload(&app, &expiring).await.into();
        m.standing = Set("revoked".into());
        m.expires_at = Set(None);
        m.update(&app.state.db).await.unwrap();
        for _ in 0..2 {
            recheck::tick(&app.state.db, &app.state.settings, 50, Utc::now()).await.unwrap();
        }
        assert_eq!(reload(&app, &revoked).await.standing, "revoked");
        assert_eq!(reload(&app, &expiring).await.standing, "revoked");
        // A batch of 0 does nothing.
        assert_eq!(
            recheck::tick(&app.state.db, &app.state.settings, 0, Utc::now()).await.unwrap(),
            recheck::Rechecked::default()
        );
    }

    async fn the_recheck_takes_the_longest_unchecked_first(app) {
        let inst = institution(&app, "north", "North University").await;
        let (ada, _) = learner(&app, "ada@example.org", "Ada").await;
        let mut awarded = Vec::new();
        for n in 0..3 {
            let b = badge(&app, &inst, &format!("Badge {n}"), 1, &[]).await;
            awarded.push(give(&app, b, &ada).await);
        }
        // Checked long ago, never, recently.
        let stamps = [Some(Utc::now() - Duration::days(3)), None, Some(Utc::now() - Duration::minutes(5))];
        for (a, t) in awarded.iter().zip(stamps) {
            let mut m: award::ActiveModel = reload(&app, a).await.into();
            m.checked_at = Set(t);
            m.update(&app.state.db).await.unwrap();
        }
        let now = Utc::now();
        recheck::tick(&app.state.db, &app.state.settings, 2, now).await.unwrap();
        let after: Vec<_> = {
            let mut v = Vec::new();
            for a in &awarded {
                v.push(reload(&app, a).await.checked_at);
            }
            v
        };
        // (Databases keep microseconds at best.)
        let near_now = |t: Option<chrono::DateTime<Utc>>| t.is_some_and(|t| (t - now).num_milliseconds().abs() < 5);
        assert!(near_now(after[0]), "the oldest is checked");
        assert!(near_now(after[1]), "the never checked is checked");
        assert!(!near_now(after[2]), "the recent one waits");
    }
}
