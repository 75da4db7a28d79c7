//! Evidence and review on SQLite and PostgreSQL, with evidence files on the local
//! filesystem: the state machine and its audit log, uploads refused by content and by
//! size with nothing stored, links other than http(s) refused, reviewers kept to their
//! institution and learners to their own evidence (server functions and direct URLs),
//! files served with their headers to those allowed only, one award for two approvals
//! racing, and the credential embedding the evidence by name and digest.

#![allow(clippy::unwrap_used)]

mod common;

use axum::{
    body::Body,
    http::{Request, header},
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, Set,
};

use app::model::Role;
use app::model::evidence::{LearnView, MAX_EVIDENCE_TOTAL_BYTES, SubmissionView};
use app::server::{accounts, entities, issuing};
use common::{Reply, TestApp};

const PASSWORD: &str = "correct horse battery";

fn png() -> Vec<u8> {
    let img = image::RgbaImage::from_pixel(4, 4, image::Rgba([0, 128, 0, 255]));
    let mut out = Vec::new();
    image::DynamicImage::ImageRgba8(img)
        .write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
        .unwrap();
    out
}

const PDF: &[u8] =
    b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";

/// An institution with an admin and a reviewer; returns their sessions.
async fn institution(app: &TestApp, slug: &str) -> (String, String) {
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
    let mut sessions = Vec::new();
    for (who, role) in [("admin", Role::IssuerAdmin), ("reviewer", Role::Reviewer)] {
        let email = format!("{who}@{slug}.example");
        accounts::create(
            &app.state.db,
            accounts::NewAccount {
                email: email.clone(),
                display_name: format!("{who} of {slug}"),
                password: PASSWORD.into(),
                role,
                institution: Some(slug.into()),
            },
        )
        .await
        .unwrap();
        sessions.push(app.sign_in(&email, PASSWORD, None).await.session().unwrap());
    }
    (sessions.remove(0), sessions.remove(0))
}

/// Posts a multipart form (text fields, then one file) to a server function.
async fn multipart(
    app: &TestApp,
    name: &str,
    fields: &[(&str, &str)],
    file: Option<(&str, &str, &[u8])>,
    session: Option<&str>,
) -> Reply {
    let boundary = "XbadgefolioBoundaryX";
    let mut body = Vec::new();
    for (k, v) in fields {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .as_bytes(),
        );
    }
    if let Some((field, filename, bytes)) = file {
        body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{filename}\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes());
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    let mut req = Request::post(format!("/api/{name}"))
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={boundary}"),
        )
        .header(header::ACCEPT, "application/json")
        .header("origin", app.state.settings.public_url.clone());
    if let Some(s) = session {
        req = req.header(header::COOKIE, app.session_cookie(s));
    }
    app.send(req.body(Body::from(body)).unwrap()).await
}

/// A badge with a one-criterion rubric; returns its public id.
async fn badge(app: &TestApp, admin: &str, inst: &str, name: &str) -> String {
    let r = multipart(
        app,
        "save_badge",
        &[
            ("institution", inst),
            ("badge", ""),
            ("name", name),
            ("description", "Show your work."),
            ("criteria", "A finished analysis."),
            ("achievement_type", "Badge"),
            ("credits", "1"),
            ("rubric", "Analysis: Strong (2), Weak (1)"),
        ],
        None,
        Some(admin),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    serde_json::from_str(&r.body).unwrap()
}

/// A program of these badges (and capstone evidence when given).
async fn program(
    app: &TestApp,
    admin: &str,
    inst: &str,
    slug: &str,
    badges: &[&str],
    capstone: &str,
) {
    let mut fields = vec![
        ("institution", inst.to_string()),
        ("original", String::new()),
        ("slug", slug.to_string()),
        ("name", format!("Program {slug}")),
        ("description", "Learn.".to_string()),
        ("credits", "3".to_string()),
        ("credit_bearing", "true".to_string()),
        ("terms", "Fall 2027".to_string()),
        ("enrollment_open", "true".to_string()),
        ("capstone_evidence", capstone.to_string()),
    ];
    for (i, b) in badges.iter().enumerate() {
        fields.push((["badges[0]", "badges[1]", "badges[2]"][i], (*b).to_string()));
    }
    let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = app.call("save_program", &pairs, Some(admin)).await;
    assert_eq!(r.status, 200, "{}", r.body);
}

/// A learner enrolled in a program; returns the session.
/// A learner with a confirmed address, enrolled in `program`.
async fn learner(app: &TestApp, email: &str, name: &str, program: &str) -> String {
    let s = app.sign_up(email, name, PASSWORD).await;
    let u = accounts::find_by_email(&app.state.db, email)
        .await
        .unwrap()
        .unwrap();
    accounts::mark_confirmed(&app.state.db, u.id).await.unwrap();
    let r = app.call("enroll", &[("slug", program)], Some(&s)).await;
    assert_eq!(r.status, 200, "{}", r.body);
    s
}

async fn upload(
    app: &TestApp,
    s: &str,
    program: &str,
    badge: &str,
    filename: &str,
    bytes: &[u8],
    public: bool,
) -> Reply {
    let mut fields = vec![
        ("program", program),
        ("badge", badge),
        ("include_in_credential", "on"),
    ];
    if public {
        fields.push(("is_public", "on"));
    }
    multipart(
        app,
        "upload_evidence",
        &fields,
        Some(("file", filename, bytes)),
        Some(s),
    )
    .await
}

async fn link(app: &TestApp, s: &str, program: &str, badge: &str, url: &str) -> Reply {
    app.call(
        "add_evidence_link",
        &[
            ("program", program),
            ("badge", badge),
            ("url", url),
            ("name", "My repository"),
            ("include_in_credential", "true"),
            ("is_public", "true"),
        ],
        Some(s),
    )
    .await
}

async fn mine(app: &TestApp, s: &str, program: &str, badge: &str) -> SubmissionView {
    let r = app
        .call(
            "my_evidence",
            &[("program", program), ("badge", badge)],
            Some(s),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    serde_json::from_str(&r.body).unwrap()
}

async fn decide(
    app: &TestApp,
    s: &str,
    inst: &str,
    sub: &str,
    decision: &str,
    feedback: &str,
    score: Option<&str>,
) -> Reply {
    let mut fields = vec![
        ("institution", inst),
        ("submission", sub),
        ("decision", decision),
        ("feedback", feedback),
    ];
    if let Some(level) = score {
        fields.push(("scores[0]", level));
    }
    app.call("decide_submission", &fields, Some(s)).await
}

async fn count<E>(app: &TestApp, _: E) -> u64
where
    E: EntityTrait,
    E::Model: Sync,
{
    E::find().count(&app.state.db).await.unwrap()
}

/// A learner with evidence submitted for review: (learner session, badge id,
/// submission public id, file piece id (public), file piece id (private)).
async fn submitted(app: &TestApp, admin: &str) -> (String, String, String, String, String) {
    let b = badge(app, admin, "north", "Data Analysis").await;
    program(app, admin, "north", "data", &[&b], "").await;
    let ada = learner(app, "ada@example.org", "Ada Lovelace", "data").await;
    let r = upload(app, &ada, "data", &b, "chart.png", &png(), true).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let public_piece: String = serde_json::from_str(&r.body).unwrap();
    let r = upload(app, &ada, "data", &b, "notes.pdf", PDF, false).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let private_piece: String = serde_json::from_str(&r.body).unwrap();
    let r = app
        .call(
            "save_narrative",
            &[
                ("program", "data"),
                ("badge", &b),
                ("narrative", "I analysed the data."),
            ],
            Some(&ada),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let r = app
        .call(
            "submit_evidence",
            &[("program", "data"), ("badge", &b)],
            Some(&ada),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let sub = mine(app, &ada, "data", &b).await.public_id;
    (ada, b, sub, public_piece, private_piece)
}

with_files_on_both_backends! {
    async fn evidence_moves_through_review_with_an_audit_log(app, store) {
        let (admin, reviewer) = institution(&app, "north").await;
        let b = badge(&app, &admin, "north", "Data Analysis").await;
        program(&app, &admin, "north", "data", &[&b], "").await;
        let ada = learner(&app, "ada@example.org", "Ada Lovelace", "data").await;

        // The program page for the learner lists the badge, not started.
        let r = app.call("learn_program", &[("program", "data")], Some(&ada)).await;
        assert_eq!(r.status, 200, "{}", r.body);
        let learn: LearnView = serde_json::from_str(&r.body).unwrap();
        assert_eq!((learn.badges.len(), learn.badges[0].state.as_str()), (1, ""));

        // Nothing to submit yet.
        let r = app.call("submit_evidence", &[("program", "data"), ("badge", &b)], Some(&ada)).await;
        assert_eq!(r.status, 422, "{}", r.body);

        let r = upload(&app, &ada, "data", &b, "chart.png", &png(), true).await;
        assert_eq!(r.status, 200, "{}", r.body);
        let r = link(&app, &ada, "data", &b, "https://example.org/ada/analysis").await;
        assert_eq!(r.status, 200, "{}", r.body);
        let link_id: String = serde_json::from_str(&r.body).unwrap();
        let r = app.call("save_narrative", &[("program", "data"), ("badge", &b), ("narrative", "I analysed the data.")], Some(&ada)).await;
        assert_eq!(r.status, 200, "{}", r.body);
        // Reordered: the link first.
        let r = app.call("change_evidence_item", &[("item", &link_id), ("move_to", "up")], Some(&ada)).await;
        assert_eq!(r.status, 200, "{}", r.body);
        let v = mine(&app, &ada, "data", &b).await;
        assert_eq!(v.state, "draft");
        assert_eq!(v.items.iter().map(|i| i.kind.as_str()).collect::<Vec<_>>(), ["link", "file"]);
        let file = v.items[1].clone();
        assert_eq!((file.content_type.as_str(), file.preview.as_str(), file.size_bytes), ("image/png", "image", i64::try_from(png().len()).unwrap()));
        assert_eq!(file.sha256.len(), 64);
        assert_eq!(store.keys().await.unwrap().len(), 1, "the file is in the store");

        // Reviewers never see drafts.
        let r = app.call("review_submission", &[("institution", "north"), ("submission", &v.public_id)], Some(&reviewer)).await;
        assert_eq!(r.status, 404, "{}", r.body);

        let r = app.call("submit_evidence", &[("program", "data"), ("badge", &b)], Some(&ada)).await;
        assert_eq!(r.status, 200, "{}", r.body);
        // Under review, nothing changes.
        let r = link(&app, &ada, "data", &b, "https://example.org/late").await;
        assert_eq!(r.status, 422, "{}", r.body);
        assert!(r.body.contains("can no longer be changed"), "{}", r.body);
        let r = app.call("change_evidence_item", &[("item", &link_id), ("remove", "true")], Some(&ada)).await;
        assert_eq!(r.status, 422, "{}", r.body);
        let r = app.call("submit_evidence", &[("program", "data"), ("badge", &b)], Some(&ada)).await;
        assert_eq!(r.status, 422, "submitting twice: {}", r.body);
        let r = upload(&app, &ada, "data", &b, "late.pdf", PDF, false).await;
        assert_eq!(r.status, 422, "{}", r.body);
        assert_eq!(store.keys().await.unwrap().len(), 1, "the refused upload left nothing");

        // The queue shows it; changes are requested (feedback required).
        let r = app.call("review_queue", &[("institution", "north")], Some(&reviewer)).await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert!(r.body.contains("Ada Lovelace") && r.body.contains("\"state\":\"submitted\""), "{}", r.body);
        let r = app.call("review_queue", &[("institution", "north"), ("program", "data"), ("badge", &b)], Some(&reviewer)).await;
        assert!(r.body.contains(&v.public_id), "filtered: {}", r.body);
        let r = decide(&app, &reviewer, "north", &v.public_id, "request_changes", "", None).await;
        assert_eq!(r.status, 422, "{}", r.body);
        let r = decide(&app, &reviewer, "north", &v.public_id, "request_changes", "Add your data source.", None).await;
        assert_eq!(r.status, 200, "{}", r.body);
        let v = mine(&app, &ada, "data", &b).await;
        assert_eq!((v.state.as_str(), v.feedback.as_str(), v.editable), ("changes_requested", "Add your data source.", true));

        // The learner is told in the app and by mail.
        let r = app.call("unread_notifications", &[], Some(&ada)).await;
        assert_eq!(r.body, "1");
        let mails = entities::outbox::Entity::find().filter(entities::outbox::Column::Recipient.eq("ada@example.org")).all(&app.state.db).await.unwrap();
        assert!(mails.iter().any(|m| m.subject == "Changes requested: Data Analysis" && m.body.contains("Add your data source.") && m.body.contains(&format!("/learn/data/{b}"))), "{mails:?}");

        // Approving needs a rubric score; a decided submission cannot be decided again
        // until resubmitted.
        let r = decide(&app, &reviewer, "north", &v.public_id, "approve", "", None).await;
        assert_eq!(r.status, 422, "{}", r.body);
        let r = link(&app, &ada, "data", &b, "https://example.org/source").await;
        assert_eq!(r.status, 200, "{}", r.body);
        let r = app.call("submit_evidence", &[("program", "data"), ("badge", &b)], Some(&ada)).await;
        assert_eq!(r.status, 200, "{}", r.body);
        let r = decide(&app, &reviewer, "north", &v.public_id, "approve", "", None).await;
        assert_eq!(r.status, 422, "no score: {}", r.body);
        assert!(r.body.contains("Score"), "{}", r.body);
        let r = decide(&app, &reviewer, "north", &v.public_id, "approve", "Well done.", Some("Strong")).await;
        assert_eq!(r.status, 200, "{}", r.body);
        let r = decide(&app, &reviewer, "north", &v.public_id, "reject", "Changed my mind.", None).await;
        assert_eq!(r.status, 422, "{}", r.body);

        let v = mine(&app, &ada, "data", &b).await;
        assert_eq!(v.state, "approved");
        assert_eq!((v.scores[0].level.as_str(), v.scores[0].points), ("Strong", 2));
        let actions: Vec<(&str, &str, &str)> = v.events.iter().map(|e| (e.action.as_str(), e.from_state.as_str(), e.to_state.as_str())).collect();
        assert_eq!(actions, [
            ("started", "", ""),
            ("file_added", "", ""),
            ("link_added", "", ""),
            ("narrative_saved", "", ""),
            ("item_moved", "", ""),
            ("submitted", "Draft", "Submitted for review"),
            ("changes_requested", "Submitted for review", "Changes requested"),
            ("link_added", "", ""),
            ("resubmitted", "Changes requested", "Resubmitted for review"),
            ("approved", "Resubmitted for review", "Approved"),
        ]);
        assert_eq!(v.events.last().unwrap().actor, "reviewer of north");

        // One award, its credential embedding the evidence: the narrative, the file by
        // name and digest with its public URL, the links by their address.
        // (The program stacks this one badge: its credential is awarded too, by stacking.)
        let awards = entities::award::Entity::find().filter(entities::award::Column::ProgramId.is_null()).all(&app.state.db).await.unwrap();
        assert_eq!(awards.len(), 1);
        let cred = entities::credential::Entity::find_by_id(awards[0].credential_id).one(&app.state.db).await.unwrap().unwrap();
        let json: serde_json::Value = serde_json::from_str(&cred.json).unwrap();
        let evidence = json["evidence"].as_array().unwrap();
        assert_eq!(evidence[0]["narrative"], "I analysed the data.");
        let piece = evidence.iter().find(|e| e["name"] == "chart.png").unwrap();
        assert!(piece["digestSRI"].as_str().unwrap().starts_with("sha256-"), "{piece}");
        assert_eq!(piece["id"], format!("{}/evidence/{}", common::PUBLIC_URL, file.public_id));
        assert!(evidence.iter().any(|e| e["id"] == "https://example.org/ada/analysis"));
        assert_eq!(json["credentialSubject"]["result"].as_array().map(Vec::len), Some(1), "{json}");

        // Notifications: two decisions, both unread until marked.
        let r = app.call("notifications", &[], Some(&ada)).await;
        assert!(r.body.contains("Approved: Data Analysis"), "{}", r.body);
        assert_eq!(app.call("unread_notifications", &[], Some(&ada)).await.body, "2");
        let r = app.call("mark_notifications_read", &[], Some(&ada)).await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(app.call("unread_notifications", &[], Some(&ada)).await.body, "0");
        let learn: LearnView = serde_json::from_str(&app.call("learn_program", &[("program", "data")], Some(&ada)).await.body).unwrap();
        assert_eq!(learn.badges[0].state, "approved");

        // The screens render on the server, without JavaScript.
        let page = app.get("/learn/data", Some(&ada)).await;
        assert!(page.body.contains("Data Analysis") && page.body.contains("Approved"), "{}", page.body);
        let page = app.get(&format!("/learn/data/{b}"), Some(&ada)).await;
        assert!(page.body.contains("Feedback from the reviewer") && page.body.contains("Well done."), "{}", page.body);
        let page = app.get("/manage/north/review", Some(&reviewer)).await;
        assert!(page.body.contains("Ada Lovelace") && page.body.contains(&v.public_id), "{}", page.body);
        let page = app.get(&format!("/manage/north/review/{}", v.public_id), Some(&reviewer)).await;
        assert!(page.body.contains("I analysed the data.") && page.body.contains(&format!("/evidence/{}", file.public_id)), "{}", page.body);
        let page = app.get("/notifications", Some(&ada)).await;
        assert!(page.body.contains("Approved: Data Analysis"), "{}", page.body);
        // Another learner's editor shows nothing of Ada's.
        let bob = learner(&app, "bob@example.org", "Bob", "data").await;
        let page = app.get(&format!("/learn/data/{b}"), Some(&bob)).await;
        assert!(!page.body.contains("I analysed the data.") && !page.body.contains(&file.public_id), "{}", page.body);
    }

    async fn bad_uploads_and_links_are_refused_and_nothing_is_stored(app, store) {
        let (admin, _) = institution(&app, "north").await;
        let b = badge(&app, &admin, "north", "Data Analysis").await;
        program(&app, &admin, "north", "data", &[&b], "").await;
        let ada = learner(&app, "ada@example.org", "Ada", "data").await;

        // Programs renamed to look like documents.
        let mut elf = b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x02\0\x3e\0\x01\0\0\0".to_vec();
        elf.resize(4096, 0);
        let mut pe = b"MZ\x90\0\x03\0\0\0\x04\0\0\0\xff\xff\0\0".to_vec();
        pe.resize(4096, 0);
        for (name, bytes) in [("report.pdf", &elf), ("photo.png", &pe)] {
            let r = upload(&app, &ada, "data", &b, name, bytes, false).await;
            assert_eq!(r.status, 422, "{name}: {}", r.body);
            assert!(r.body.contains("cannot be evidence") && r.body.contains("Nothing was saved"), "{}", r.body);
        }
        let r = upload(&app, &ada, "data", &b, "page.html", b"<html><script>alert(1)</script></html>", false).await;
        assert_eq!(r.status, 422, "{}", r.body);

        // One byte over the per-file cap.
        let mut big = PDF.to_vec();
        big.resize(usize::try_from(app::model::evidence::MAX_EVIDENCE_FILE_BYTES).unwrap() + 1, b' ');
        let r = upload(&app, &ada, "data", &b, "big.pdf", &big, false).await;
        assert_eq!(r.status, 422, "{}", r.body);
        assert!(r.body.contains("larger than 25 MB"), "{}", r.body);
        drop(big);

        // Links other than http(s).
        for bad in ["javascript:alert(document.cookie)", "data:text/html,<script>alert(1)</script>", "file:///etc/passwd"] {
            let r = link(&app, &ada, "data", &b, bad).await;
            assert_eq!(r.status, 422, "{bad}: {}", r.body);
            assert!(r.body.contains("Only web links"), "{}", r.body);
        }
        assert_eq!(count(&app, entities::evidence_item::Entity).await, 0, "no rows");
        assert!(store.keys().await.unwrap().is_empty(), "no files");

        // A file for a program the learner is not enrolled in is not kept either.
        let r = upload(&app, &ada, "other", &b, "a.pdf", PDF, false).await;
        assert_eq!(r.status, 404, "{}", r.body);
        assert!(store.keys().await.unwrap().is_empty(), "no files");

        // The learner's total: with nearly 250 MB stored, a small file is refused.
        let r = link(&app, &ada, "data", &b, "https://example.org").await;
        assert_eq!(r.status, 200, "{}", r.body);
        let item = entities::evidence_item::Entity::find().one(&app.state.db).await.unwrap().unwrap();
        let mut a: entities::evidence_item::ActiveModel = item.into();
        a.size_bytes = Set(i64::try_from(MAX_EVIDENCE_TOTAL_BYTES).unwrap() - 50);
        a.update(&app.state.db).await.unwrap();
        let r = upload(&app, &ada, "data", &b, "notes.pdf", PDF, false).await;
        assert_eq!(r.status, 422, "{}", r.body);
        assert!(r.body.contains("past 250 MB"), "{}", r.body);
        assert_eq!(count(&app, entities::evidence_item::Entity).await, 1);
        assert!(store.keys().await.unwrap().is_empty(), "no files");

        // An empty file field, and an upload without signing in.
        let r = multipart(&app, "upload_evidence", &[("program", "data"), ("badge", &b)], Some(("file", "", b"")), Some(&ada)).await;
        assert_eq!(r.status, 422, "{}", r.body);
        let r = multipart(&app, "upload_evidence", &[("program", "data"), ("badge", &b)], Some(("file", "a.pdf", PDF)), None).await;
        assert_eq!(r.status, 401, "{}", r.body);
    }

    async fn reviewers_and_learners_stay_in_their_lane(app, store) {
        let (north_admin, north_reviewer) = institution(&app, "north").await;
        let (_south_admin, south_reviewer) = institution(&app, "south").await;
        let (ada, b, sub, public_piece, private_piece) = submitted(&app, &north_admin).await;
        assert_eq!(store.keys().await.unwrap().len(), 2);
        let bob = learner(&app, "bob@example.org", "Bob", "data").await;

        // South's reviewer: not North's queue, submission, decision, or files.
        let r = app.call("review_queue", &[("institution", "north")], Some(&south_reviewer)).await;
        assert_eq!(r.status, 403, "{}", r.body);
        let r = app.call("review_queue", &[("institution", "south")], Some(&south_reviewer)).await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert!(!r.body.contains(&sub), "{}", r.body);
        let r = app.call("review_submission", &[("institution", "north"), ("submission", &sub)], Some(&south_reviewer)).await;
        assert_eq!(r.status, 403, "{}", r.body);
        let r = app.call("review_submission", &[("institution", "south"), ("submission", &sub)], Some(&south_reviewer)).await;
        assert_eq!(r.status, 404, "{}", r.body);
        for inst in ["north", "south"] {
            let r = decide(&app, &south_reviewer, inst, &sub, "approve", "", Some("Strong")).await;
            assert!(r.status == 403 || r.status == 404, "{inst}: {}", r.body);
        }
        for piece in [&public_piece, &private_piece] {
            let r = app.get(&format!("/evidence/{piece}"), Some(&south_reviewer)).await;
            assert_eq!(r.status, 404, "{}", r.body);
        }

        // Another learner: not Ada's evidence, by server function or URL.
        let r = app.call("change_evidence_item", &[("item", &private_piece), ("remove", "true")], Some(&bob)).await;
        assert_eq!(r.status, 404, "{}", r.body);
        let r = app.call("review_submission", &[("institution", "north"), ("submission", &sub)], Some(&bob)).await;
        assert_eq!(r.status, 403, "{}", r.body);
        let v = mine(&app, &bob, "data", &b).await;
        assert!(v.items.is_empty() && v.public_id.is_empty() && v.narrative.is_empty(), "Bob sees his own (empty) evidence: {v:?}");
        let r = app.get(&format!("/evidence/{private_piece}"), Some(&bob)).await;
        assert_eq!(r.status, 404);
        // Not awarded yet: the public piece is not public yet.
        for piece in [&public_piece, &private_piece] {
            let r = app.get(&format!("/evidence/{piece}"), None).await;
            assert_eq!(r.status, 404, "{}", r.body);
        }
        let r = app.get("/evidence/not-a-uuid", None).await;
        assert_eq!(r.status, 404);
        // A learner who is not enrolled does not reach the program's evidence.
        let eve = app.sign_up("eve@example.org", "Eve", PASSWORD).await;
        let r = app.call("my_evidence", &[("program", "data"), ("badge", &b)], Some(&eve)).await;
        assert_eq!(r.status, 404, "{}", r.body);
        let r = app.call("learn_program", &[("program", "data")], Some(&eve)).await;
        assert_eq!(r.status, 404, "{}", r.body);
        let r = app.call("decide_submission", &[("institution", "north"), ("submission", &sub), ("decision", "approve"), ("scores[0]", "Strong")], Some(&eve)).await;
        assert_eq!(r.status, 403, "{}", r.body);
        // Someone else's notifications cannot be marked.
        let r = decide(&app, &north_reviewer, "north", &sub, "request_changes", "More, please.", None).await;
        assert_eq!(r.status, 200, "{}", r.body);
        let n = entities::notification::Entity::find().one(&app.state.db).await.unwrap().unwrap();
        let r = app.call("mark_notifications_read", &[("id", &n.id.to_string())], Some(&bob)).await;
        assert_eq!(r.status, 200);
        assert_eq!(app.call("unread_notifications", &[], Some(&ada)).await.body, "1");
        assert_eq!(app.call("notifications", &[], Some(&bob)).await.body, "[]");

        // The owner and North's staff open the files.
        for s in [&ada, &north_reviewer, &north_admin] {
            let r = app.get(&format!("/evidence/{private_piece}"), Some(s)).await;
            assert_eq!(r.status, 200, "{}", r.body);
        }
    }

    async fn files_are_served_with_safe_headers_and_public_ones_once_awarded(app, _store) {
        let (admin, reviewer) = institution(&app, "north").await;
        let (ada, _b, sub, public_piece, private_piece) = submitted(&app, &admin).await;
        let r = app.get(&format!("/evidence/{private_piece}"), Some(&ada)).await;
        assert_eq!(r.status, 200);
        assert_eq!(r.header("content-type"), Some("application/pdf"));
        assert_eq!(r.header("x-content-type-options"), Some("nosniff"));
        assert!(r.header("content-disposition").unwrap().starts_with("inline; filename=\"notes.pdf\""));
        let csp = r.header("content-security-policy").unwrap();
        assert!(csp.starts_with("sandbox;") && csp.contains("default-src 'none'") && csp.contains("frame-ancestors 'self'"), "{csp}");
        assert_eq!(r.header("x-frame-options"), Some("SAMEORIGIN"));
        assert_eq!(r.body.as_bytes(), PDF);

        let r = decide(&app, &reviewer, "north", &sub, "approve", "", Some("Weak")).await;
        assert_eq!(r.status, 200, "{}", r.body);
        // Anyone opens the public piece of the awarded credential; not the private one.
        let r = app.get(&format!("/evidence/{public_piece}"), None).await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(r.header("content-type"), Some("image/png"));
        let csp = r.header("content-security-policy").unwrap();
        assert!(csp.starts_with("sandbox") && csp.contains("default-src 'none'"), "{csp}");
        assert_eq!(r.header("x-content-type-options"), Some("nosniff"));
        assert!(r.header("content-disposition").unwrap().starts_with("inline; filename=\"chart.png\""));
        assert_eq!(r.header("accept-ranges"), Some("bytes"));
        let r = app.get(&format!("/evidence/{private_piece}"), None).await;
        assert_eq!(r.status, 404);

        // A range of it (video seeking).
        let req = Request::get(format!("/evidence/{public_piece}")).header(header::RANGE, "bytes=1-3").body(Body::empty()).unwrap();
        let r = app.send(req).await;
        assert_eq!(r.status, 206);
        assert_eq!(r.header("content-range"), Some(format!("bytes 1-3/{}", png().len()).as_str()));
        assert_eq!(r.body, "PNG");
        let req = Request::get(format!("/evidence/{public_piece}")).header(header::RANGE, "bytes=99999-").body(Body::empty()).unwrap();
        assert_eq!(app.send(req).await.status, 416);
    }

    async fn two_reviewers_approving_at_once_award_once(app, _store) {
        let (admin, reviewer) = institution(&app, "north").await;
        let (_ada, _b, sub, _, _) = submitted(&app, &admin).await;
        let (a, b) = tokio::join!(
            decide(&app, &reviewer, "north", &sub, "approve", "Yes.", Some("Strong")),
            decide(&app, &admin, "north", &sub, "approve", "Yes!", Some("Weak")),
        );
        let mut statuses = [a.status, b.status];
        statuses.sort_unstable();
        assert_eq!(statuses, [200, 422], "{} / {}", a.body, b.body);
        let awards = entities::award::Entity::find().all(&app.state.db).await.unwrap();
        assert_eq!(awards.iter().filter(|a| a.program_id.is_none()).count(), 1, "one award");
        // The one-badge program completes once too (stacking).
        assert_eq!(awards.iter().filter(|a| a.program_id.is_some()).count(), 1, "one program credential");
        assert_eq!(count(&app, entities::credential::Entity).await, 2, "one signed credential each");
        let approvals = entities::submission_event::Entity::find().filter(entities::submission_event::Column::Action.eq("approved")).count(&app.state.db).await.unwrap();
        assert_eq!(approvals, 1);
        assert_eq!(count(&app, entities::notification::Entity).await, 1);
    }

    async fn capstones_are_reviewed_but_awarded_by_stacking(app, _store) {
        let (admin, reviewer) = institution(&app, "north").await;
        let b = badge(&app, &admin, "north", "Data Analysis").await;
        program(&app, &admin, "north", "data", &[&b], "A final project report.").await;
        let ada = learner(&app, "ada@example.org", "Ada", "data").await;
        let learn: LearnView = serde_json::from_str(&app.call("learn_program", &[("program", "data")], Some(&ada)).await.body).unwrap();
        assert_eq!(learn.badges.len(), 2, "the badge and the capstone");
        let capstone = learn.badges.iter().find(|x| x.is_capstone).unwrap().badge_id.clone();
        let v = mine(&app, &ada, "data", &capstone).await;
        assert!(v.is_capstone && v.capstone_evidence == "A final project report.", "{v:?}");
        let r = upload(&app, &ada, "data", &capstone, "report.pdf", PDF, true).await;
        assert_eq!(r.status, 200, "{}", r.body);
        let r = app.call("submit_evidence", &[("program", "data"), ("badge", &capstone)], Some(&ada)).await;
        assert_eq!(r.status, 200, "{}", r.body);
        let sub = mine(&app, &ada, "data", &capstone).await.public_id;
        let r = decide(&app, &reviewer, "north", &sub, "approve", "Great project.", None).await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(mine(&app, &ada, "data", &capstone).await.state, "approved");
        // Not awarded by the approval itself: the component badge is not held yet.
        let direct = entities::award::Entity::find().filter(entities::award::Column::SubmissionId.is_not_null()).count(&app.state.db).await.unwrap();
        assert_eq!(direct, 0);
    }
}

with_files_on_both_backends! {
    async fn an_unconfirmed_address_gets_a_pending_award_claimed_once_confirmed(app, _store) {
        let (admin, reviewer) = institution(&app, "north").await;
        let (_ada, _b, sub, _, _) = submitted(&app, &admin).await;
        let ada = accounts::find_by_email(&app.state.db, "ada@example.org").await.unwrap().unwrap();
        app.state.db.execute_unprepared(&format!("UPDATE users SET email_confirmed_at = NULL WHERE id = {}", ada.id)).await.unwrap();
        let r = decide(&app, &reviewer, "north", &sub, "approve", "Yes.", Some("Strong")).await;
        assert_eq!(r.status, 200, "{}", r.body);
        // Nobody holds a credential naming an address they have not proven is theirs.
        let awards = entities::award::Entity::find().all(&app.state.db).await.unwrap();
        assert_eq!(awards.len(), 1, "{awards:?}");
        assert_eq!((awards[0].user_id, awards[0].recipient_email.as_str()), (None, "ada@example.org"));
        // Confirming the address claims it, and the one-badge program stacks.
        app::server::awards::claims::claim_pending(&app.state.db, &app.state.settings, ada.id, "ada@example.org").await.unwrap();
        let awards = entities::award::Entity::find().all(&app.state.db).await.unwrap();
        assert!(awards.iter().all(|a| a.user_id == Some(ada.id)), "{awards:?}");
        assert_eq!(awards.len(), 2, "the program credential too: {awards:?}");
    }
}
