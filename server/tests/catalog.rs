//! The catalog on SQLite and PostgreSQL: the 0–11 credit rule (form, server function and
//! database), image checks, versioned badges, staff of one institution kept out of
//! another's catalog, invitations that work once, enrollment, and the public catalog.

#![allow(clippy::unwrap_used)]

mod common;

use axum::{
    body::Body,
    http::{Request, header},
};
use sea_orm::{ConnectionTrait, EntityTrait, PaginatorTrait};

use app::model::Role;
use app::server::{accounts, catalog, entities, issuing};
use common::{Reply, TestApp};

const PASSWORD: &str = "correct horse battery";

/// An institution with an admin; returns the admin's session.
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
    let email = format!("admin@{slug}.example");
    accounts::create(
        &app.state.db,
        accounts::NewAccount {
            email: email.clone(),
            display_name: "Admin".into(),
            password: PASSWORD.into(),
            role: Role::IssuerAdmin,
            institution: Some(slug.into()),
        },
    )
    .await
    .unwrap();
    app.sign_in(&email, PASSWORD, None).await.session().unwrap()
}

/// Posts a multipart form (text fields and one file) to a server function.
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
        body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"upload\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes());
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

async fn new_badge(
    app: &TestApp,
    session: &str,
    inst: &str,
    name: &str,
    image: Option<&[u8]>,
) -> Reply {
    let competency = format!("{}/competencies/teamwork", app.state.settings.public_url);
    multipart(
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
            ("rubric", "Teamwork: Strong (2), Weak (1)"),
            ("competencies", &competency),
        ],
        image.map(|b| ("image", b)),
        session,
    )
    .await
}

fn badge_id(r: &Reply) -> String {
    assert_eq!(r.status, 200, "{}", r.body);
    serde_json::from_str::<String>(&r.body).unwrap()
}

async fn count<E>(app: &TestApp, _: E) -> u64
where
    E: EntityTrait,
    E::Model: Sync,
{
    E::find().count(&app.state.db).await.unwrap()
}

async fn save_program(
    app: &TestApp,
    session: &str,
    inst: &str,
    slug: &str,
    credits: &str,
    badge: &str,
) -> Reply {
    app.call(
        "save_program",
        &[
            ("institution", inst),
            ("original", ""),
            ("slug", slug),
            ("name", "Data Literacy"),
            ("description", "Read and present data."),
            ("credits", credits),
            ("credit_bearing", "true"),
            ("terms", "Fall 2027"),
            ("badges[0]", badge),
            ("enrollment_open", "true"),
        ],
        Some(session),
    )
    .await
}

on_both_backends! {
    async fn programs_carry_at_most_eleven_credits(app) {
        let admin = institution_with_admin(&app, "north").await;
        let badge = badge_id(&new_badge(&app, &admin, "north", "Teamwork", None).await);
        let programs_before = count(&app, entities::program::Entity).await;
        for bad in ["12", "-1", "99", "eleven"] {
            let r = save_program(&app, &admin, "north", "data", bad, &badge).await;
            assert_eq!(r.status, 422, "{bad}: {}", r.body);
            assert!(r.body.contains("0 to 11 credits"), "{}", r.body);
        }
        // Nothing saved half-way: no program, and no program badge made for it.
        assert_eq!(count(&app, entities::program::Entity).await, programs_before);
        assert_eq!(count(&app, entities::badge::Entity).await, 1);
        let r = save_program(&app, &admin, "north", "data", "11", &badge).await;
        assert_eq!(r.status, 200, "{}", r.body);
        // The database keeps the rule too, whatever code writes to it.
        let err = app
            .state
            .db
            .execute_unprepared("UPDATE programs SET credits = 12")
            .await;
        assert!(err.is_err(), "the check constraint refuses 12 credits");
        // A duplicate slug is refused with a clear message.
        let r = save_program(&app, &admin, "north", "data", "3", &badge).await;
        assert_eq!(r.status, 422, "{}", r.body);
        assert!(r.body.contains("already uses this web address"), "{}", r.body);
        // The refused program left no program badge behind: Teamwork and the first
        // program's own badge only.
        assert_eq!(count(&app, entities::badge::Entity).await, 2);
    }

    async fn badge_images_are_checked_by_content(app) {
        let admin = institution_with_admin(&app, "north").await;
        let script = b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>";
        let r = new_badge(&app, &admin, "north", "Bad", Some(script)).await;
        assert_eq!(r.status, 422, "{}", r.body);
        assert!(r.body.contains("script"), "{}", r.body);
        let r = new_badge(&app, &admin, "north", "Bad", Some(b"%PDF-1.7 not an image")).await;
        assert_eq!(r.status, 422, "{}", r.body);
        let big = vec![b'a'; catalog::images::MAX_IMAGE_BYTES + 10];
        let r = new_badge(&app, &admin, "north", "Bad", Some(&big)).await;
        assert_eq!(r.status, 422, "{}", r.body);
        assert!(r.body.contains("larger than 1 MB"), "{}", r.body);
        assert_eq!(count(&app, entities::badge::Entity).await, 0, "nothing saved");
        assert_eq!(count(&app, entities::image::Entity).await, 0, "nothing saved");

        // A clean SVG is stored and served with a CSP that forbids scripts.
        let svg = b"<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 4 4'><rect width='4' height='4' fill='red'/></svg>";
        badge_id(&new_badge(&app, &admin, "north", "Good", Some(svg)).await);
        let img = entities::image::Entity::find().one(&app.state.db).await.unwrap().unwrap();
        let r = app.get(&format!("/images/{}", img.sha256), None).await;
        assert_eq!(r.status, 200);
        assert_eq!(r.header("content-type"), Some("image/svg+xml"));
        assert!(r.header("content-security-policy").unwrap().contains("default-src 'none'"));
        assert_eq!(r.header("x-content-type-options"), Some("nosniff"));
        assert!(r.header("cache-control").unwrap().contains("immutable"));

        // Through HTTP too: an SVG whose CSS would load something from elsewhere, and
        // one nested deep enough to exhaust a stack, are refused and the server stays up.
        let beacon = b"<svg xmlns='http://www.w3.org/2000/svg'><rect style=\"mask-image:image-set('https://evil.example/p.png' 1x)\"/></svg>";
        let r = new_badge(&app, &admin, "north", "Beacon", Some(beacon)).await;
        assert_eq!(r.status, 422, "{}", r.body);
        let deep = format!("<svg xmlns='http://www.w3.org/2000/svg'>{}{}</svg>", "<g>".repeat(100_000), "</g>".repeat(100_000));
        let r = new_badge(&app, &admin, "north", "Deep", Some(deep.as_bytes())).await;
        assert_eq!(r.status, 422, "{}", r.body);
        // A drawing tool's SVG keeps its inline colours; comments and metadata go.
        let drawn = b"<svg xmlns='http://www.w3.org/2000/svg' xmlns:inkscape='http://www.inkscape.org/namespaces/inkscape' inkscape:version='1.3'><!-- made by hand --><rect style='fill:#123456' width='4' height='4'/></svg>";
        badge_id(&new_badge(&app, &admin, "north", "Drawn", Some(drawn)).await);
        let stored = entities::image::Entity::find().all(&app.state.db).await.unwrap();
        let text = stored.iter().map(|i| String::from_utf8_lossy(&i.bytes).into_owned()).find(|t| t.contains("#123456")).unwrap();
        assert!(!text.contains("inkscape") && !text.contains("made by hand"), "{text}");
        assert!(text.contains("style=\"fill:#123456\""), "{text}");
        assert_eq!(count(&app, entities::badge::Entity).await, 2);
    }

    async fn profiles_logos_and_staff_are_managed_by_admins_only(app) {
        let north = institution_with_admin(&app, "north").await;
        let south = institution_with_admin(&app, "south").await;
        let png = {
            let img = image::RgbaImage::from_pixel(8, 8, image::Rgba([0, 128, 0, 255]));
            let mut out = Vec::new();
            image::DynamicImage::ImageRgba8(img).write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png).unwrap();
            out
        };
        let profile = |name: &'static str| vec![
            ("institution", "north"), ("name", name), ("url", "https://north.example"),
            ("email", "badges@north.example"), ("description", "We teach."), ("linkedin_org_id", "12345"),
        ];
        let r = multipart(&app, "save_profile", &profile("North University"), Some(("logo", &png)), &north).await;
        assert_eq!(r.status, 200, "{}", r.body);
        let inst = catalog::institutions::by_slug(&app.state.db, "north").await.unwrap();
        assert!(inst.logo_image_id.is_some());
        assert_eq!(inst.linkedin_org_id.as_deref(), Some("12345"));
        // A name with a control character is refused; nothing changes.
        let r = multipart(&app, "save_profile", &profile("North\tUniversity"), None, &north).await;
        assert_eq!(r.status, 422, "{}", r.body);
        // South's admin, a learner and a reviewer of North cannot change North's profile.
        let learner = app.sign_up("ada@example.org", "Ada", PASSWORD).await;
        let r = multipart(&app, "save_profile", &profile("Taken"), None, &south).await;
        assert_eq!(r.status, 403, "{}", r.body);
        let r = multipart(&app, "save_profile", &profile("Taken"), Some(("logo", &png)), &learner).await;
        assert_eq!(r.status, 403, "learners are refused before their upload is read: {}", r.body);
        assert_eq!(catalog::institutions::by_slug(&app.state.db, "north").await.unwrap().name, "North University");

        // Staff: the only admin cannot be removed; South cannot remove North's staff.
        let admin = entities::user::Entity::find().all(&app.state.db).await.unwrap().into_iter().find(|u| u.email == "admin@north.example").unwrap();
        let admin_id = admin.public_id.to_string();
        let r = app.call("remove_staff", &[("institution", "north"), ("user", &admin_id)], Some(&north)).await;
        assert_eq!(r.status, 422, "{}", r.body);
        let r = app.call("remove_staff", &[("institution", "north"), ("user", &admin_id)], Some(&south)).await;
        assert_eq!(r.status, 403, "{}", r.body);

        // A second admin joins; the first invites an accomplice, then is removed: the
        // pending invitation goes with them.
        let inst = catalog::institutions::by_slug(&app.state.db, "north").await.unwrap();
        let token = catalog::staff::invite(&app.state.db, &app.state.settings, &inst, &admin, "second@example.org", "admin").await.unwrap();
        let second = app.sign_up("second@example.org", "Second", PASSWORD).await;
        assert_eq!(app.call("accept_invitation", &[("token", &token)], Some(&second)).await.status, 200);
        let sneaky = catalog::staff::invite(&app.state.db, &app.state.settings, &inst, &admin, "sneaky@example.org", "admin").await.unwrap();
        let r = app.call("remove_staff", &[("institution", "north"), ("user", &admin_id)], Some(&second)).await;
        assert_eq!(r.status, 200, "{}", r.body);
        let sneaky_session = app.sign_up("sneaky@example.org", "Sneaky", PASSWORD).await;
        let r = app.call("accept_invitation", &[("token", &sneaky)], Some(&sneaky_session)).await;
        assert_eq!(r.status, 422, "{}", r.body);
        let r = app.call("institution_admin", &[("slug", "north")], Some(&north)).await;
        assert_eq!(r.status, 403, "the removed admin is out: {}", r.body);

        // A pending invitation can be withdrawn by an admin of the same institution only.
        let pending = catalog::staff::invite(&app.state.db, &app.state.settings, &inst, &admin, "later@example.org", "reviewer").await;
        assert!(pending.is_ok());
        let id = entities::staff_invitation::Entity::find().all(&app.state.db).await.unwrap().into_iter().find(|i| i.email == "later@example.org").unwrap().id.to_string();
        let r = app.call("revoke_invitation", &[("institution", "south"), ("invitation", &id)], Some(&south)).await;
        assert_eq!(r.status, 404, "South cannot reach North's invitation through South: {}", r.body);
        let r = app.call("revoke_invitation", &[("institution", "north"), ("invitation", &id)], Some(&south)).await;
        assert_eq!(r.status, 403, "{}", r.body);
        let r = app.call("revoke_invitation", &[("institution", "north"), ("invitation", &id)], Some(&second)).await;
        assert_eq!(r.status, 200, "{}", r.body);
        let later = app.sign_up("later@example.org", "Later", PASSWORD).await;
        let r = app.call("accept_invitation", &[("token", &pending.unwrap())], Some(&later)).await;
        assert_eq!(r.status, 422, "{}", r.body);
        let _ = learner;
    }

    async fn platform_admins_create_institutions_with_their_first_admin_at_once(app) {
        accounts::create(&app.state.db, accounts::NewAccount {
            email: "root@example.org".into(), display_name: "Root".into(), password: PASSWORD.into(),
            role: Role::PlatformAdmin, institution: None,
        }).await.unwrap();
        let root = app.sign_in("root@example.org", PASSWORD, None).await.session().unwrap();
        let learner = app.sign_up("ada@example.org", "Ada", PASSWORD).await;
        let fields = |name: &'static str, admin: &'static str| vec![
            ("name", name), ("slug", "east"), ("url", "https://east.example"), ("email", ""),
            ("description", "East."), ("admin_email", admin),
        ];
        let r = app.call("create_institution", &fields("East College", "dean@east.example"), Some(&learner)).await;
        assert_eq!(r.status, 403, "{}", r.body);
        for (name, admin) in [("East\tCollege", "dean@east.example"), ("East College", "not an address")] {
            let r = app.call("create_institution", &fields(name, admin), Some(&root)).await;
            assert_eq!(r.status, 422, "{}", r.body);
        }
        assert_eq!(count(&app, entities::institution::Entity).await, 0, "nothing saved half-way");
        assert_eq!(count(&app, entities::outbox::Entity).await, 1, "only Ada's sign-up confirmation");
        let r = app.call("create_institution", &fields("East College", "dean@east.example"), Some(&root)).await;
        assert_eq!(r.status, 200, "{}", r.body);
        let mails = entities::outbox::Entity::find().all(&app.state.db).await.unwrap();
        assert!(mails.iter().any(|m| m.recipient == "dean@east.example" && m.body.contains("/invitations/accept?token=")));
        // Its key and status list came with it.
        let r = app.get("/issuers/east/did.json", None).await;
        assert_eq!(r.status, 200, "{}", r.body);
        let r = app.call("create_institution", &fields("East College", "dean@east.example"), Some(&root)).await;
        assert_eq!(r.status, 422, "a slug in use: {}", r.body);
    }

    async fn reviewers_look_but_do_not_change(app) {
        let admin = institution_with_admin(&app, "north").await;
        let badge = badge_id(&new_badge(&app, &admin, "north", "Teamwork", None).await);
        accounts::create(&app.state.db, accounts::NewAccount {
            email: "rui@example.org".into(), display_name: "Rui".into(), password: PASSWORD.into(),
            role: Role::Reviewer, institution: Some("north".into()),
        }).await.unwrap();
        let rui = app.sign_in("rui@example.org", PASSWORD, None).await.session().unwrap();
        let r = app.call("institution_admin", &[("slug", "north")], Some(&rui)).await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert!(r.body.contains("\"can_manage\":false"));
        assert_eq!(new_badge(&app, &rui, "north", "Mine", None).await.status, 403);
        assert_eq!(save_program(&app, &rui, "north", "mine", "3", &badge).await.status, 403);
        for (name, fields) in [
            ("invite_staff", vec![("institution", "north"), ("email", "x@example.org"), ("role", "admin")]),
            ("add_competency", vec![("institution", "north"), ("name", "Mine"), ("description", "")]),
            ("remove_staff", vec![("institution", "north"), ("user", "00000000-0000-0000-0000-000000000000")]),
            ("revoke_invitation", vec![("institution", "north"), ("invitation", "1")]),
        ] {
            let r = app.call(name, &fields, Some(&rui)).await;
            assert_eq!(r.status, 403, "{name}: {}", r.body);
        }
        let r = multipart(&app, "save_profile", &[("institution", "north"), ("name", "Mine")], None, &rui).await;
        assert_eq!(r.status, 403, "{}", r.body);
    }

    async fn editing_a_badge_makes_a_new_version(app) {
        let admin = institution_with_admin(&app, "north").await;
        let id = badge_id(&new_badge(&app, &admin, "north", "Teamwork", None).await);
        let r = multipart(&app, "save_badge", &[
            ("institution", "north"), ("badge", &id), ("name", "Teamwork II"),
            ("description", "Changed."), ("criteria", "New criteria."), ("credits", "2"),
        ], None, &admin).await;
        assert_eq!(badge_id(&r), id, "the public id never changes");
        let versions = entities::badge_version::Entity::find().all(&app.state.db).await.unwrap();
        assert_eq!(versions.len(), 2);
        let v1 = versions.iter().find(|v| v.version == 1).unwrap();
        assert_eq!((v1.name.as_str(), v1.credits), ("Teamwork", 1), "version 1 is untouched");
        let v2 = versions.iter().find(|v| v.version == 2).unwrap();
        assert_eq!(v2.name, "Teamwork II");
        assert_eq!(v2.image_id, v1.image_id, "the image stays without a new upload");
    }

    async fn staff_of_one_institution_never_touch_another(app) {
        let north = institution_with_admin(&app, "north").await;
        let south = institution_with_admin(&app, "south").await;
        let south_badge = badge_id(&new_badge(&app, &south, "south", "South badge", None).await);
        let learner = app.sign_up("ada@example.org", "Ada", PASSWORD).await;
        for session in [&north, &learner] {
            let r = new_badge(&app, session, "south", "Intruder", None).await;
            assert_eq!(r.status, 403, "{}", r.body);
            let r = save_program(&app, session, "south", "intrude", "3", &south_badge).await;
            assert_eq!(r.status, 403, "{}", r.body);
            let r = app.call("institution_admin", &[("slug", "south")], Some(session)).await;
            assert_eq!(r.status, 403, "{}", r.body);
            let r = app.call("invite_staff", &[("institution", "south"), ("email", "x@example.org"), ("role", "admin")], Some(session)).await;
            assert_eq!(r.status, 403, "{}", r.body);
            let r = app.call("add_competency", &[("institution", "south"), ("name", "Hacking"), ("description", "")], Some(session)).await;
            assert_eq!(r.status, 403, "{}", r.body);
            let r = app.call("institutions", &[], Some(session)).await;
            assert_eq!(r.status, 403, "{}", r.body);
        }
        // North's admin may not stack South's badge into a North program either.
        let r = save_program(&app, &north, "north", "mine", "3", &south_badge).await;
        assert_eq!(r.status, 422, "{}", r.body);
        // Nor edit it through North.
        let r = multipart(&app, "save_badge", &[
            ("institution", "north"), ("badge", &south_badge), ("name", "Stolen"),
            ("description", "x"), ("criteria", "x"),
        ], None, &north).await;
        assert_eq!(r.status, 404, "{}", r.body);
        assert_eq!(count(&app, entities::badge_version::Entity).await, 1);
    }

    async fn invitations_work_once_for_the_invited_address(app) {
        let admin = institution_with_admin(&app, "north").await;
        let inst = catalog::institutions::by_slug(&app.state.db, "north").await.unwrap();
        let inviter = entities::user::Entity::find().one(&app.state.db).await.unwrap().unwrap();
        let token = catalog::staff::invite(&app.state.db, &app.state.settings, &inst, &inviter, "rui@example.org", "reviewer").await.unwrap();
        // The mail is in the outbox, with the link.
        let mails = entities::outbox::Entity::find().all(&app.state.db).await.unwrap();
        assert!(mails.iter().any(|m| m.recipient == "rui@example.org" && m.body.contains(&token)));
        let other = app.sign_up("eve@example.org", "Eve", PASSWORD).await;
        let r = app.call("accept_invitation", &[("token", &token)], Some(&other)).await;
        assert_eq!(r.status, 422, "bound to the invited address: {}", r.body);
        let rui = app.sign_up("rui@example.org", "Rui", PASSWORD).await;
        // Two accepts at once: exactly one wins.
        let fields = [("token", token.as_str())];
        let (a, b) = tokio::join!(
            app.call("accept_invitation", &fields, Some(&rui)),
            app.call("accept_invitation", &fields, Some(&rui)),
        );
        let mut statuses = [a.status, b.status];
        statuses.sort_unstable();
        assert_eq!(statuses, [200, 422], "{} / {}", a.body, b.body);
        let r = app.call("institution_admin", &[("slug", "north")], Some(&rui)).await;
        assert_eq!(r.status, 200, "a reviewer sees the institution: {}", r.body);
        let me = app.whoami(Some(&rui)).await;
        assert_eq!(me["email_confirmed"], true, "the invitation link proved the address: {me}");
        assert!(r.body.contains("\"can_manage\":false"), "{}", r.body);
        let r = new_badge(&app, &rui, "north", "Reviewer badge", None).await;
        assert_eq!(r.status, 403, "reviewers do not change the catalog");
        // An expired invitation does nothing.
        let expired = catalog::staff::invite(&app.state.db, &app.state.settings, &inst, &inviter, "late@example.org", "admin").await.unwrap();
        {
            use sea_orm::{ColumnTrait, QueryFilter, sea_query::Expr};
            use entities::staff_invitation as si;
            let done = si::Entity::update_many()
                .col_expr(si::Column::ExpiresAt, Expr::value(chrono::Utc::now() - chrono::Duration::minutes(1)))
                .filter(si::Column::Email.eq("late@example.org"))
                .exec(&app.state.db)
                .await
                .unwrap();
            assert_eq!(done.rows_affected, 1);
        }
        let late = app.sign_up("late@example.org", "Late", PASSWORD).await;
        let r = app.call("accept_invitation", &[("token", &expired)], Some(&late)).await;
        assert_eq!(r.status, 422, "{}", r.body);
        let _ = admin;
    }

    async fn my_enrollments_name_programs_institutions_and_badge_counts(app) {
        let north = institution_with_admin(&app, "north").await;
        let b1 = badge_id(&new_badge(&app, &north, "north", "Teamwork", None).await);
        let b2 = badge_id(&new_badge(&app, &north, "north", "Statistics", None).await);
        let r = app
            .call(
                "save_program",
                &[
                    ("institution", "north"),
                    ("original", ""),
                    ("slug", "stack"),
                    ("name", "Stacked Skills"),
                    ("description", "Two badges."),
                    ("credits", "3"),
                    ("credit_bearing", "false"),
                    ("terms", "Fall 2027"),
                    ("badges[0]", &b1),
                    ("badges[1]", &b2),
                    ("enrollment_open", "true"),
                ],
                Some(&north),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        let south = institution_with_admin(&app, "south").await;
        let b3 = badge_id(&new_badge(&app, &south, "south", "Teamwork", None).await);
        assert_eq!(save_program(&app, &south, "south", "data", "3", &b3).await.status, 200);
        let learner = app.sign_up("ada@example.org", "Ada", PASSWORD).await;
        for slug in ["stack", "data"] {
            assert_eq!(app.call("enroll", &[("slug", slug)], Some(&learner)).await.status, 200);
        }
        let r = app.call("my_enrollments", &[], Some(&learner)).await;
        assert_eq!(r.status, 200, "{}", r.body);
        let list: Vec<app::model::catalog::EnrollmentView> = serde_json::from_str(&r.body).unwrap();
        let seen: Vec<_> = list
            .iter()
            .map(|e| (e.program_slug.as_str(), e.program_name.as_str(), e.institution.as_str(), e.badge_count, e.credit_bearing))
            .collect();
        assert_eq!(
            seen,
            [
                ("data", "Data Literacy", "south University", 1, true),
                ("stack", "Stacked Skills", "north University", 2, false),
            ],
            "newest first"
        );
        // Another learner's enrollments are not theirs.
        let other = app.sign_up("bob@example.org", "Bob", PASSWORD).await;
        assert_eq!(app.call("my_enrollments", &[], Some(&other)).await.body, "[]");
        let page = app.get("/portfolio", Some(&learner)).await;
        assert!(page.body.contains("Stacked Skills") && page.body.contains("2 badges"), "{}", page.body);
    }

    async fn learners_browse_enroll_and_withdraw(app) {
        let admin = institution_with_admin(&app, "north").await;
        let badge = badge_id(&new_badge(&app, &admin, "north", "Teamwork", None).await);
        assert_eq!(save_program(&app, &admin, "north", "data", "3", &badge).await.status, 200);
        let competency = format!("{}/competencies/teamwork", app.state.settings.public_url);
        // The catalog is public, and its filters work.
        let filter = |k: &'static str, v: String| vec![(format!("filter[{k}]"), v)];
        for (fields, expected) in [
            (filter("q", "data".into()), 1),
            (filter("q", "astronomy".into()), 0),
            (filter("competency", competency.clone()), 1),
            (filter("competency", format!("{}/competencies/leadership", app.state.settings.public_url)), 0),
            (filter("credit_bearing", "true".into()), 1),
            (filter("credit_bearing", "false".into()), 0),
            (filter("max_credits", "2".into()), 0),
            (filter("institution", "north".into()), 1),
        ] {
            let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            let r = app.call("catalog", &pairs, None).await;
            assert_eq!(r.status, 200, "{}", r.body);
            let c: app::model::catalog::Catalog = serde_json::from_str(&r.body).unwrap();
            assert_eq!(c.programs.len(), expected, "{fields:?}");
        }
        let learner = app.sign_up("ada@example.org", "Ada", PASSWORD).await;
        let (a, b) = tokio::join!(
            app.call("enroll", &[("slug", "data")], Some(&learner)),
            app.call("enroll", &[("slug", "data")], Some(&learner)),
        );
        assert_eq!((a.status, b.status), (200, 200), "{} / {}", a.body, b.body);
        assert_eq!(count(&app, entities::enrollment::Entity).await, 1, "one enrollment");
        let r = app.call("my_enrollments", &[], Some(&learner)).await;
        assert!(r.body.contains("Data Literacy"), "{}", r.body);
        let r = app.call("program", &[("slug", "data")], Some(&learner)).await;
        assert!(r.body.contains("\"enrolled\":true"), "{}", r.body);
        assert_eq!(app.call("withdraw", &[("slug", "data")], Some(&learner)).await.status, 200);
        let r = app.call("my_enrollments", &[], Some(&learner)).await;
        assert_eq!(r.body, "[]");
        // A closed program refuses new enrollments.
        app.state.db.execute_unprepared("UPDATE programs SET enrollment_open = false").await.unwrap();
        let r = app.call("enroll", &[("slug", "data")], Some(&learner)).await;
        assert_eq!(r.status, 422, "{}", r.body);
        // The program page renders on the server, without JavaScript.
        let page = app.get("/programs/data", None).await;
        assert_eq!(page.status, 200);
        assert!(page.body.contains("Data Literacy") && page.body.contains("Teamwork"), "{}", page.body);
        let list = app.get("/programs?q=data", None).await;
        assert!(list.body.contains("/programs/data"), "{}", list.body);
    }

    async fn catalog_pages_kept_in_memory_show_changes_at_once(app) {
        let admin = institution_with_admin(&app, "north").await;
        let badge = badge_id(&new_badge(&app, &admin, "north", "Teamwork", None).await);
        assert_eq!(save_program(&app, &admin, "north", "data", "3", &badge).await.status, 200);
        let first = app.get("/programs", None).await;
        assert!(first.body.contains("Data Literacy"), "{}", first.body);
        let again = app.get("/programs", None).await;
        assert_eq!(first.body, again.body, "served from memory");
        assert!(!again.body.contains("nonce="), "no per-request nonce in kept bytes");
        // An edit committed by this server shows in the very next answer.
        let r = app.call("save_program", &[
            ("institution", "north"), ("original", "data"), ("slug", "data"), ("name", "Data Fluency"),
            ("description", "Changed."), ("credits", "3"), ("credit_bearing", "true"), ("terms", ""),
            ("badges[0]", &badge), ("enrollment_open", "true"),
        ], Some(&admin)).await;
        assert_eq!(r.status, 200, "{}", r.body);
        let page = app.get("/programs/data", None).await;
        assert!(page.body.contains("Data Fluency"), "{}", page.body);
        let list = app.get("/programs", None).await;
        assert!(list.body.contains("Data Fluency") && !list.body.contains("Data Literacy"), "{}", list.body);
        // A change by another process (raw SQL here) shows within the bound.
        app.state.db.execute_unprepared("UPDATE programs SET name = 'Data Wisdom'").await.unwrap();
        tokio::time::sleep(server::routes::pages::CATALOG_REVALIDATE_AFTER + std::time::Duration::from_millis(100)).await;
        let list = app.get("/programs", None).await;
        assert!(list.body.contains("Data Wisdom"), "{}", list.body);
        // Signed-in visitors always get a fresh render of their own.
        let learner = app.sign_up("ada@example.org", "Ada", PASSWORD).await;
        let mine = app.get("/programs/data", Some(&learner)).await;
        assert!(mine.body.contains("nonce="), "a per-request render");
    }
}
