//! Bulk awards from CSV on SQLite and PostgreSQL: the preview names every bad row and
//! awards nothing; the run awards the valid rows with credentials that verify; the same
//! file twice awards nothing twice; a run left behind by a crashed worker resumes
//! without duplicates; two workers racing over one run award each row once; and only
//! the admins of the run's institution may upload, start, follow or download a run.

#![allow(clippy::unwrap_used)]

mod common;

use std::time::Duration;

use axum::{
    body::Body,
    http::{Request, header},
};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};
use serde_json::Value;

use app::model::Role;
use app::model::bulk::BulkRunView;
use app::server::awards::bulk::{self, WorkerConfig};
use app::server::entities::{award, bulk_row, bulk_run, credential};
use app::server::{accounts, issuing};
use common::{Reply, TestApp};

const PASSWORD: &str = "correct horse battery";

async fn institution_with_admin(app: &TestApp, slug: &str) -> String {
    issuing::create_institution(
        &app.state.db,
        &app.state.settings,
        issuing::NewInstitution {
            slug: slug.into(),
            name: format!("{slug} University"),
            url: "https://example.edu".into(),
            email: String::new(),
        },
    )
    .await
    .unwrap();
    staff(app, slug, "admin", Role::IssuerAdmin).await
}

/// A staff member of an institution; returns their session.
async fn staff(app: &TestApp, slug: &str, who: &str, role: Role) -> String {
    let email = format!("{who}@{slug}.example");
    accounts::create(
        &app.state.db,
        accounts::NewAccount {
            email: email.clone(),
            display_name: who.into(),
            password: PASSWORD.into(),
            role,
            institution: Some(slug.into()),
        },
    )
    .await
    .unwrap();
    app.sign_in(&email, PASSWORD, None).await.session().unwrap()
}

async fn multipart(
    app: &TestApp,
    name: &str,
    fields: &[(&str, &str)],
    file: Option<(&str, &[u8])>,
    session: &str,
) -> Reply {
    let boundary = "XbadgefolioBoundaryX";
    let mut body = Vec::new();
    for (k, v) in fields {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .as_bytes(),
        );
    }
    if let Some((field, bytes)) = file {
        body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"awards.csv\"\r\nContent-Type: text/csv\r\n\r\n").as_bytes());
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    let req = Request::post(format!("/api/{name}"))
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={boundary}"),
        )
        .header(header::ACCEPT, "application/json")
        .header("origin", app.state.settings.public_url.clone())
        .header(header::COOKIE, app.session_cookie(session))
        .body(Body::from(body))
        .unwrap();
    app.send(req).await
}

/// Creates a badge; returns its public id.
async fn badge(app: &TestApp, session: &str, inst: &str, name: &str) -> String {
    let r = multipart(
        app,
        "save_badge",
        &[
            ("institution", inst),
            ("badge", ""),
            ("name", name),
            ("description", "Work well with others."),
            ("criteria", "Finish a team project."),
            ("achievement_type", "Badge"),
            ("credits", "1"),
        ],
        None,
        session,
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    serde_json::from_str::<String>(&r.body).unwrap()
}

/// Uploads a file for preview; returns the reply.
async fn upload(app: &TestApp, session: &str, inst: &str, csv: &str) -> Reply {
    multipart(
        app,
        "bulk_preview",
        &[("institution", inst)],
        Some(("file", csv.as_bytes())),
        session,
    )
    .await
}

/// Uploads a file that must be accepted; returns the run's public id.
async fn preview(app: &TestApp, session: &str, inst: &str, csv: &str) -> String {
    let r = upload(app, session, inst, csv).await;
    assert_eq!(r.status, 200, "{}", r.body);
    serde_json::from_str::<String>(&r.body).unwrap()
}

async fn view(app: &TestApp, session: &str, inst: &str, run: &str) -> BulkRunView {
    let r = app
        .call(
            "bulk_run",
            &[("institution", inst), ("run", run)],
            Some(session),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    serde_json::from_str(&r.body).unwrap()
}

async fn start(app: &TestApp, session: &str, inst: &str, run: &str) {
    let r = app
        .call(
            "bulk_start",
            &[("institution", inst), ("run", run)],
            Some(session),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
}

fn config() -> WorkerConfig {
    WorkerConfig {
        lease: Duration::from_secs(30),
        sweep_every: Duration::from_millis(50),
        batch: 3,
    }
}

/// Works every due run to its end, as the server's worker does.
async fn work(app: &TestApp) {
    bulk::work_due(&app.state.db, &app.state.settings, &config())
        .await
        .unwrap();
}

async fn awards(app: &TestApp) -> Vec<award::Model> {
    award::Entity::find()
        .order_by_asc(award::Column::Id)
        .all(&app.state.db)
        .await
        .unwrap()
}

fn reason(v: &BulkRunView, line: i32) -> String {
    v.problems
        .iter()
        .find(|p| p.line == line)
        .map(|p| format!("{}: {}", p.state, p.message))
        .unwrap_or_else(|| panic!("line {line} is not listed: {:?}", v.problems))
}

async fn credential_json(app: &TestApp, a: &award::Model) -> Value {
    let c = credential::Entity::find_by_id(a.credential_id)
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap();
    serde_json::from_str(&c.json).unwrap()
}

async fn verifies(app: &TestApp, cred: &Value, email: &str) -> bool {
    app::server::verification::verify_bytes(
        &app.state.db,
        &app.state.settings,
        cred.to_string().into_bytes(),
        Some(email.to_string()),
    )
    .await
    .unwrap()
    .unwrap()
    .is_good()
}

/// `n` rows of distinct learners for one badge.
fn many(badge: &str, n: usize) -> String {
    let mut csv = String::from("email,badge\n");
    for i in 0..n {
        csv.push_str(&format!("learner{i}@example.org,{badge}\n"));
    }
    csv
}

on_both_backends! {
    async fn the_preview_names_every_bad_row_and_the_run_awards_the_rest_once(app) {
        let admin = institution_with_admin(&app, "north").await;
        let south = institution_with_admin(&app, "south").await;
        badge(&app, &admin, "north", "Teamwork").await;
        let data = badge(&app, &admin, "north", "Data Literacy").await;
        let foreign = badge(&app, &south, "south", "Elsewhere").await;
        let csv = format!(
            "email,badge,name,evidence_url,narrative\n\
             ada@example.org,Teamwork,Ada Lovelace,https://example.org/ada,Led the analysis team\n\
             not-an-email,Teamwork,,,\n\
             bob@example.org,No Such Badge,,,\n\
             carol@example.org,{foreign},,,\n\
             dan@example.org,Teamwork,,javascript:alert(1),\n\
             ADA@example.org,Teamwork,,,\n\
             eve@example.org,{data},,,\n"
        );
        let run = preview(&app, &admin, "north", &csv).await;
        let v = view(&app, &admin, "north", &run).await;
        assert_eq!(v.state, "previewed");
        assert_eq!((v.total, v.pending, v.invalid, v.duplicate), (7, 2, 4, 1), "{v:?}");
        assert!(reason(&v, 3).contains("invalid: Malformed e-mail address"), "{}", reason(&v, 3));
        assert!(reason(&v, 4).contains("invalid: Unknown badge \"No Such Badge\""), "{}", reason(&v, 4));
        assert!(reason(&v, 5).contains("invalid: The badge belongs to another institution"), "{}", reason(&v, 5));
        assert!(reason(&v, 6).contains("invalid: The evidence URL must be a web address"), "{}", reason(&v, 6));
        assert!(reason(&v, 7).contains("duplicate: Duplicate: the same recipient and badge as line 2"), "{}", reason(&v, 7));
        // Nothing is awarded at preview.
        assert!(awards(&app).await.is_empty());
        assert_eq!(credential::Entity::find().count(&app.state.db).await.unwrap(), 0);

        start(&app, &admin, "north", &run).await;
        assert_eq!(view(&app, &admin, "north", &run).await.state, "running");
        work(&app).await;
        let v = view(&app, &admin, "north", &run).await;
        assert_eq!(v.state, "finished");
        assert_eq!((v.awarded, v.duplicate, v.failed, v.invalid, v.pending), (2, 1, 0, 4, 0), "{v:?}");
        let held = awards(&app).await;
        assert_eq!(held.len(), 2);
        let ada = held.iter().find(|a| a.recipient_email == "ada@example.org").unwrap();
        assert_eq!(ada.source, award::SOURCE_BULK);
        assert_eq!(ada.recipient_name, "Ada Lovelace");
        assert!(ada.bulk_row_id.is_some());
        let cred = credential_json(&app, ada).await;
        assert!(verifies(&app, &cred, "ada@example.org").await, "{cred}");
        assert!(!verifies(&app, &cred, "eve@example.org").await, "the recipient is bound");
        let text = cred.to_string();
        assert!(text.contains("https://example.org/ada"), "{text}");
        assert!(text.contains("Led the analysis team"), "{text}");
        assert!(text.contains("Ada Lovelace"), "{text}");
        let eve = held.iter().find(|a| a.recipient_email == "eve@example.org").unwrap();
        assert!(verifies(&app, &credential_json(&app, eve).await, "eve@example.org").await);

        // The same file again: everything valid is a duplicate, nothing new is signed.
        let again = preview(&app, &admin, "north", &csv).await;
        let v = view(&app, &admin, "north", &again).await;
        assert_eq!((v.pending, v.invalid, v.duplicate), (0, 4, 3), "{v:?}");
        assert!(reason(&v, 2).contains("already holds this badge"), "{}", reason(&v, 2));
        start(&app, &admin, "north", &again).await;
        work(&app).await;
        let v = view(&app, &admin, "north", &again).await;
        assert_eq!((v.state.as_str(), v.awarded), ("finished", 0));
        assert_eq!(awards(&app).await.len(), 2);
        assert_eq!(credential::Entity::find().count(&app.state.db).await.unwrap(), 2);

        // Two previews of one new file, both started before either ran: the second
        // finds the badge held and skips it.
        let csv = "email,badge\nfrank@example.org,Teamwork\n";
        let first = preview(&app, &admin, "north", csv).await;
        let second = preview(&app, &admin, "north", csv).await;
        start(&app, &admin, "north", &first).await;
        start(&app, &admin, "north", &second).await;
        // Starting twice is harmless.
        start(&app, &admin, "north", &first).await;
        work(&app).await;
        let a = view(&app, &admin, "north", &first).await;
        let b = view(&app, &admin, "north", &second).await;
        assert_eq!((a.awarded, a.duplicate), (1, 0), "{a:?}");
        assert_eq!((b.awarded, b.duplicate), (0, 1), "{b:?}");
        assert!(reason(&b, 2).contains("already holds this badge"), "{}", reason(&b, 2));
        assert_eq!(awards(&app).await.len(), 3);

        // The report: every row with its outcome, as CSV.
        let r = app.get(&format!("/manage/north/bulk/{run}/report.csv"), Some(&admin)).await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert!(r.header("content-type").unwrap().starts_with("text/csv"));
        assert!(r.header("content-disposition").unwrap().starts_with("attachment"));
        assert!(r.body.starts_with("line,email,badge,outcome,reason\n"), "{}", r.body);
        assert!(r.body.contains("2,ada@example.org,Teamwork,awarded,"), "{}", r.body);
        assert!(r.body.contains("6,dan@example.org,Teamwork,invalid,"), "{}", r.body);
        assert_eq!(r.body.lines().count(), 8, "{}", r.body);
    }

    async fn accounts_with_a_confirmed_address_hold_the_award_others_wait_for_theirs(app) {
        let admin = institution_with_admin(&app, "north").await;
        badge(&app, &admin, "north", "Teamwork").await;
        app.sign_up("ada@example.org", "Ada L.", PASSWORD).await;
        app.sign_up("bob@example.org", "Bob B.", PASSWORD).await;
        let ada = accounts::find_by_email(&app.state.db, "ada@example.org").await.unwrap().unwrap();
        accounts::mark_confirmed(&app.state.db, ada.id).await.unwrap();
        let run = preview(&app, &admin, "north", "email,badge\nada@example.org,Teamwork\nbob@example.org,Teamwork\nzed@example.org,Teamwork\n").await;
        start(&app, &admin, "north", &run).await;
        work(&app).await;
        let held = awards(&app).await;
        let by = |e: &str| held.iter().find(|a| a.recipient_email == e).unwrap().clone();
        assert_eq!(by("ada@example.org").user_id, Some(ada.id));
        assert!(by("ada@example.org").claimed_at.is_some());
        // The name defaults to the account's.
        assert_eq!(by("ada@example.org").recipient_name, "Ada L.");
        assert_eq!(by("bob@example.org").recipient_name, "Bob B.");
        // Unconfirmed and unknown addresses: awards waiting for a confirmed account.
        assert_eq!(by("bob@example.org").user_id, None);
        assert_eq!(by("zed@example.org").user_id, None);
        assert_eq!(by("zed@example.org").recipient_name, "");
    }

    async fn unusable_files_are_refused_and_nothing_is_saved(app) {
        let admin = institution_with_admin(&app, "north").await;
        badge(&app, &admin, "north", "Teamwork").await;
        for (csv, expected) in [
            ("", "Choose a CSV file"),
            ("mail,badge\nada@example.org,Teamwork\n", "unknown column \\\"mail\\\""),
            ("email\nada@example.org\n", "\\\"badge\\\" is missing"),
            ("email,badge\n", "no rows"),
        ] {
            let r = upload(&app, &admin, "north", csv).await;
            assert_eq!(r.status, 422, "{csv}: {}", r.body);
            assert!(r.body.contains(expected), "{csv}: {}", r.body);
        }
        let mut big = String::from("email,badge\n");
        while big.len() <= app::model::bulk::MAX_FILE_BYTES {
            big.push_str("someone.with.a.long.address@example.org,Teamwork\n");
        }
        let r = upload(&app, &admin, "north", &big).await;
        assert_eq!(r.status, 422, "{}", r.body);
        assert!(r.body.contains("larger than 5 MB"), "{}", r.body);
        assert_eq!(bulk_run::Entity::find().count(&app.state.db).await.unwrap(), 0);
        assert_eq!(bulk_row::Entity::find().count(&app.state.db).await.unwrap(), 0);
    }

    async fn a_run_left_by_a_crashed_worker_resumes_without_duplicates(app) {
        let admin = institution_with_admin(&app, "north").await;
        badge(&app, &admin, "north", "Teamwork").await;
        let run = preview(&app, &admin, "north", &many("Teamwork", 7)).await;
        start(&app, &admin, "north", &run).await;
        let db = &app.state.db;
        let settings = &app.state.settings;

        // A worker claims the run, awards two rows, and dies.
        let claimed = bulk::claim_next(db, Duration::from_secs(30)).await.unwrap().unwrap();
        let rows = bulk_row::Entity::find()
            .filter(bulk_row::Column::RunId.eq(claimed.id))
            .order_by_asc(bulk_row::Column::Line)
            .all(db)
            .await
            .unwrap();
        for row in &rows[..2] {
            let outcome = bulk::process_row(db, settings, &claimed, row, None).await.unwrap();
            assert_eq!(outcome, bulk::RowOutcome::Awarded);
        }
        // A row processed already is never processed again.
        assert_eq!(
            bulk::process_row(db, settings, &claimed, &rows[0], None).await.unwrap(),
            bulk::RowOutcome::Taken
        );
        // While its lease holds, nobody else takes the run over.
        assert!(bulk::claim_next(db, Duration::from_secs(30)).await.unwrap().is_none());
        let v = view(&app, &admin, "north", &run).await;
        assert_eq!((v.state.as_str(), v.awarded, v.pending), ("running", 2, 5));

        // The lease lapses (the process is gone); a restarted server's worker resumes the
        // run at start-up and finishes it.
        bulk_run::Entity::update_many()
            .col_expr(
                bulk_run::Column::LeaseUntil,
                sea_orm::sea_query::Expr::value(chrono::Utc::now() - chrono::Duration::seconds(1)),
            )
            .filter(bulk_run::Column::Id.eq(claimed.id))
            .exec(db)
            .await
            .unwrap();
        let worker = bulk::spawn(db.clone(), (**settings).clone(), config());
        let mut v = view(&app, &admin, "north", &run).await;
        for _ in 0..600 {
            if v.state == "finished" {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
            v = view(&app, &admin, "north", &run).await;
        }
        worker.abort();
        assert_eq!(v.state, "finished", "{v:?}");
        assert_eq!((v.awarded, v.duplicate, v.failed, v.pending), (7, 0, 0, 0), "{v:?}");
        let held = awards(&app).await;
        assert_eq!(held.len(), 7);
        let mut emails: Vec<_> = held.iter().map(|a| a.recipient_email.clone()).collect();
        emails.dedup();
        assert_eq!(emails.len(), 7, "each learner once");
    }

    async fn two_workers_racing_over_one_run_award_each_row_once(app) {
        let admin = institution_with_admin(&app, "north").await;
        badge(&app, &admin, "north", "Teamwork").await;
        let run = preview(&app, &admin, "north", &many("Teamwork", 12)).await;
        start(&app, &admin, "north", &run).await;
        let db = app.state.db.clone();

        // Two claims at once: one gets the run.
        let (a, b) = tokio::join!(
            bulk::claim_next(&db, Duration::from_secs(30)),
            bulk::claim_next(&db, Duration::from_secs(30)),
        );
        let claimed: Vec<_> = [a.unwrap(), b.unwrap()].into_iter().flatten().collect();
        assert_eq!(claimed.len(), 1, "one claim wins");
        let run_model = claimed[0].clone();

        // Two workers (as two server processes whose leases overlapped) work it at once.
        let sibling = app.sibling();
        let tasks: Vec<_> = [&app, &sibling]
            .into_iter()
            .map(|a| {
                let db = a.state.db.clone();
                let settings = a.state.settings.clone();
                let run_model = run_model.clone();
                tokio::spawn(async move {
                    bulk::work_run(&db, &settings, &run_model, &config()).await.unwrap()
                })
            })
            .collect();
        let mut awarded = 0;
        let mut finished = 0;
        for t in tasks {
            let tally = t.await.unwrap();
            awarded += tally.awarded;
            assert_eq!(tally.duplicate, 0);
            finished += u32::from(tally.finished);
        }
        assert_eq!(awarded, 12, "each row awarded by exactly one worker");
        assert_eq!(finished, 1, "the run is finished once");
        assert_eq!(awards(&app).await.len(), 12);
        let v = view(&app, &admin, "north", &run).await;
        assert_eq!((v.state.as_str(), v.awarded, v.pending), ("finished", 12, 0));
        let rows = bulk_row::Entity::find().all(&app.state.db).await.unwrap();
        assert!(rows.iter().all(|r| r.award_id.is_some() && r.processed_at.is_some()));
    }

    async fn only_the_admins_of_the_runs_institution_reach_it(app) {
        let admin = institution_with_admin(&app, "north").await;
        let south = institution_with_admin(&app, "south").await;
        let reviewer = staff(&app, "north", "reviewer", Role::Reviewer).await;
        let learner = app.sign_up("lee@example.org", "Lee", PASSWORD).await;
        badge(&app, &admin, "north", "Teamwork").await;
        let csv = "email,badge\nada@example.org,Teamwork\n";
        let run = preview(&app, &admin, "north", csv).await;
        let report = format!("/manage/north/bulk/{run}/report.csv");

        for (who, session, status) in [("south admin", &south, 403), ("reviewer", &reviewer, 403), ("learner", &learner, 403)] {
            let r = app.call("bulk_page", &[("institution", "north")], Some(session)).await;
            assert_eq!(r.status, status, "{who} page: {}", r.body);
            let r = upload(&app, session, "north", csv).await;
            assert_eq!(r.status, status, "{who} preview: {}", r.body);
            let r = app.call("bulk_run", &[("institution", "north"), ("run", &run)], Some(session)).await;
            assert_eq!(r.status, status, "{who} run: {}", r.body);
            assert!(!r.body.contains("ada@example.org"));
            let r = app.call("bulk_start", &[("institution", "north"), ("run", &run)], Some(session)).await;
            assert_eq!(r.status, status, "{who} start: {}", r.body);
            let r = app.get(&report, Some(session)).await;
            assert_eq!(r.status, status, "{who} report: {}", r.body);
            assert!(!r.body.contains("ada@example.org"));
        }
        // The admin of south, through south's own name: the run is not there.
        let r = app.call("bulk_run", &[("institution", "south"), ("run", &run)], Some(&south)).await;
        assert_eq!(r.status, 404, "{}", r.body);
        let r = app.call("bulk_start", &[("institution", "south"), ("run", &run)], Some(&south)).await;
        assert_eq!(r.status, 404, "{}", r.body);
        let r = app.get(&format!("/manage/south/bulk/{run}/report.csv"), Some(&south)).await;
        assert_eq!(r.status, 404, "{}", r.body);
        let r = app.call("bulk_page", &[("institution", "south")], Some(&south)).await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert!(!r.body.contains(&run), "south's page lists no run of north");
        // Anonymous callers are asked to sign in.
        let r = app.call("bulk_run", &[("institution", "north"), ("run", &run)], None).await;
        assert_eq!(r.status, 401, "{}", r.body);
        let r = app.get(&report, None).await;
        assert_eq!(r.status, 401, "{}", r.body);
        // Nothing was started or awarded by anyone but north's admin.
        let v = view(&app, &admin, "north", &run).await;
        assert_eq!(v.state, "previewed");
        assert_eq!(bulk_run::Entity::find().count(&app.state.db).await.unwrap(), 1);
        let r = app.call("bulk_page", &[("institution", "north")], Some(&admin)).await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert!(r.body.contains(&run));
        // The pages themselves render for the admin.
        let r = app.get("/manage/north/bulk", Some(&admin)).await;
        assert_eq!(r.status, 200);
        let r = app.get(&format!("/manage/north/bulk/{run}"), Some(&admin)).await;
        assert_eq!(r.status, 200);
    }
}
