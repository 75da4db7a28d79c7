//! What an anonymous visitor gets, on SQLite and PostgreSQL: the permanent page
//! `/c/{id}` (404 while private, 410 after the account is deleted), share links `/b/`
//! and `/s/` (410 once revoked or expired, worded as the link's, not the badge's),
//! every name escaped in HTML, meta tags, JSON-LD and alt text, the downloads (baked
//! image extracts back to the credential), the embed card (the only frameable route),
//! oEmbed, the page cache (a revocation shows once it commits), and view counts by
//! source with nothing about the viewer kept and no cookie set.

#![allow(clippy::unwrap_used)]

mod common;

use axum::{
    body::Body,
    http::{Request, header},
};
use chrono::{Duration, Utc};
use http_body_util::BodyExt as _;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, Iterable, QueryFilter, Set, sea_query::Expr,
};
use serde_json::Value;
use tower::ServiceExt as _;

use app::model::Role;
use app::server::awards::{self, AwardRequest, Issued, Recipient, lifecycle};
use app::server::catalog::badges;
use app::server::entities::{
    award, collection, collection_item, credential, institution, share_link, user, view_count,
};
use app::server::{accounts, issuing};
use common::TestApp;

const PASSWORD: &str = "correct horse battery";
/// A name meant to break out of every context it lands in.
const NASTY: &str = "</script><script>alert(1)</script> \"Q\" 'S' & Co 🎓 שלום";

struct Raw {
    status: u16,
    headers: axum::http::HeaderMap,
    body: Vec<u8>,
}

impl Raw {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// A GET of `path` with these headers, through the whole router.
async fn get(app: &TestApp, path: &str, extra: &[(&str, &str)]) -> axum::response::Response {
    let mut req = Request::get(path);
    for (k, v) in extra {
        req = req.header(*k, *v);
    }
    app.router
        .clone()
        .oneshot(req.body(Body::empty()).unwrap())
        .await
        .unwrap()
}

async fn raw(app: &TestApp, path: &str, extra: &[(&str, &str)]) -> Raw {
    let res = get(app, path, extra).await;
    let status = res.status().as_u16();
    let headers = res.headers().clone();
    let body = res.into_body().collect().await.unwrap().to_bytes().to_vec();
    Raw {
        status,
        headers,
        body,
    }
}

/// Whether the outermost layer answered `path` from the cache (`server::fast`).
async fn answered_fast(app: &TestApp, path: &str, extra: &[(&str, &str)]) -> bool {
    get(app, path, extra)
        .await
        .extensions()
        .get::<server::fast::Answered>()
        .is_some()
}

fn png_image() -> Vec<u8> {
    let img = image::RgbaImage::from_pixel(64, 64, image::Rgba([20, 90, 200, 255]));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

struct World {
    inst: institution::Model,
    learner: user::Model,
    award: award::Model,
    badge_id: i32,
}

async fn world(app: &TestApp, with_png: bool) -> World {
    let inst = issuing::create_institution(
        &app.state.db,
        &app.state.settings,
        issuing::NewInstitution {
            slug: "pub-inst".into(),
            name: format!("Institute {NASTY}"),
            url: "https://example.edu".into(),
            email: String::new(),
        },
    )
    .await
    .unwrap();
    let badge_id = badges::create(
        &app.state.db,
        &app.state.settings,
        &inst,
        None,
        badges::BadgeInput {
            name: format!("Badge {NASTY}"),
            description: format!("About {NASTY}"),
            criteria: "Do the work.".into(),
            achievement_type: "Badge".into(),
            tags: String::new(),
            credits: "2".into(),
            evidence_required: String::new(),
            rubric: String::new(),
            validity_months: String::new(),
            competencies: Vec::new(),
            image: with_png.then(png_image),
        },
    )
    .await
    .unwrap()
    .id;
    let learner = accounts::create(
        &app.state.db,
        accounts::NewAccount {
            email: "pub-learner@example.org".into(),
            display_name: format!("Learner {NASTY}"),
            password: PASSWORD.into(),
            role: Role::Learner,
            institution: None,
        },
    )
    .await
    .unwrap();
    accounts::mark_confirmed(&app.state.db, learner.id)
        .await
        .unwrap();
    let award = give(app, badge_id, &learner).await;
    World {
        inst,
        learner,
        award,
        badge_id,
    }
}

async fn give(app: &TestApp, badge_id: i32, u: &user::Model) -> award::Model {
    let req = AwardRequest {
        badge_id,
        recipient: Recipient::User {
            user_id: u.id,
            email: u.email.clone(),
            name: u.display_name.clone(),
        },
        narrative: Some("Narrative of the work done.".into()),
        rubric: Vec::new(),
        evidence: Vec::new(),
        program_id: None,
        submission_id: None,
        bulk_row_id: None,
        source: award::SOURCE_REVIEW,
        awarded_by: None,
    };
    match awards::issue(&app.state.db, &app.state.settings, req)
        .await
        .unwrap()
    {
        Issued::New(a) => a,
        Issued::AlreadyHeld(a) => panic!("already held: {a:?}"),
    }
}

async fn set_public(app: &TestApp, a: &award::Model, public: bool) {
    award::Entity::update_many()
        .col_expr(award::Column::IsPublic, Expr::value(public))
        .filter(award::Column::Id.eq(a.id))
        .exec(&app.state.db)
        .await
        .unwrap();
    app::server::db::note_write();
}

fn token(n: u8) -> String {
    let mut t = format!("tok{n}");
    while t.len() < 43 {
        t.push('x');
    }
    t
}

async fn link(
    app: &TestApp,
    w: &World,
    n: u8,
    kind: &str,
    show_evidence: bool,
    expires: Option<chrono::DateTime<Utc>>,
    revoked: bool,
) -> share_link::Model {
    share_link::ActiveModel {
        token: Set(token(n)),
        user_id: Set(w.learner.id),
        kind: Set(kind.into()),
        award_id: Set((kind == share_link::KIND_BADGE).then_some(w.award.id)),
        imported_badge_id: Set(None),
        collection_id: Set(None),
        program_id: Set(None),
        name: Set(format!("Link {n}")),
        show_evidence: Set(show_evidence),
        expires_at: Set(expires),
        revoked_at: Set(revoked.then(Utc::now)),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(&app.state.db)
    .await
    .unwrap()
}

/// The JSON-LD block of a page, parsed.
fn json_ld(html: &str) -> Value {
    let start = html.find(r#"<script type="application/ld+json">"#).unwrap()
        + r#"<script type="application/ld+json">"#.len();
    let end = start + html[start..].find("</script>").unwrap();
    serde_json::from_str(&html[start..end]).unwrap()
}

/// The value of `<meta property|name="key" content="…">`, unescaped.
fn meta(html: &str, key: &str) -> Option<String> {
    let at = html
        .find(&format!("property=\"{key}\" content=\""))
        .or_else(|| html.find(&format!("name=\"{key}\" content=\"")))?;
    let rest = &html[at..];
    let start = rest.find("content=\"")? + 9;
    let end = start + rest[start..].find('"')?;
    Some(unescape(&rest[start..end]))
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

fn no_cookie(r: &Raw) {
    assert!(
        r.headers.get(header::SET_COOKIE).is_none(),
        "a public GET set a cookie"
    );
}

on_both_backends! {
    async fn private_badges_are_not_found_and_public_ones_escape_every_name(app) {
        let w = world(&app, false).await;
        let page = format!("/c/{}", w.award.public_id);
        let r = raw(&app, &page, &[]).await;
        assert_eq!(r.status, 404);
        assert!(!r.text().contains("Badge &lt;"), "a private badge leaked its name");
        assert!(!r.text().contains("Learner"));
        assert!(!r.text().contains("Institute"));
        no_cookie(&r);
        for file in ["og.png", "credential.json", "badge.svg", "certificate", "signature.png"] {
            assert_eq!(raw(&app, &format!("{page}/{file}"), &[]).await.status, 404, "{file}");
        }
        assert_eq!(raw(&app, &format!("/embed{page}"), &[]).await.status, 404);
        // Not the canonical spelling, or not an id at all.
        assert_eq!(raw(&app, &page.to_uppercase().replace("/C/", "/c/"), &[]).await.status, 404);
        assert_eq!(raw(&app, "/c/not-a-uuid", &[]).await.status, 404);

        set_public(&app, &w.award, true).await;
        let r = raw(&app, &page, &[]).await;
        assert_eq!(r.status, 200);
        no_cookie(&r);
        let html = r.text();
        assert!(!html.contains("<script>alert(1)"), "raw script in the page");
        assert!(html.contains("Badge &lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt; &quot;Q&quot; &#39;S&#39; &amp; Co 🎓 שלום"));
        assert!(html.contains("Learner &lt;/script&gt;"));
        assert!(html.contains("Institute &lt;/script&gt;"));
        // Exactly one script element: the JSON-LD block.
        assert_eq!(html.matches("<script").count(), 1, "{html}");
        assert_eq!(meta(&html, "og:title").unwrap(), format!("Badge {NASTY}"));
        assert_eq!(meta(&html, "twitter:title").unwrap(), format!("Badge {NASTY}"));
        assert!(meta(&html, "og:description").unwrap().contains(&format!("Learner {NASTY}")));
        assert_eq!(
            meta(&html, "og:image").unwrap(),
            format!("{}{page}/og.png", app.state.settings.public_url)
        );
        assert_eq!(meta(&html, "og:image:width").unwrap(), "1200");
        assert_eq!(meta(&html, "og:image:height").unwrap(), "627");
        assert!(meta(&html, "og:image:alt").unwrap().contains(&format!("Badge {NASTY}")));
        assert_eq!(meta(&html, "robots").unwrap(), "noindex, nofollow");
        assert!(html.contains(r#"type="application/json+oembed""#));
        let ld = json_ld(&html);
        assert_eq!(
            ld.pointer("/credentialSubject/achievement/name").and_then(Value::as_str),
            Some(format!("Badge {NASTY}").as_str())
        );
        let stored = credential::Entity::find_by_id(w.award.credential_id)
            .one(&app.state.db).await.unwrap().unwrap();
        assert_eq!(ld, serde_json::from_str::<Value>(&stored.json).unwrap());
        // The image's alt text, escaped inside its attribute.
        assert!(html.contains("alt=\"The badge “Badge &lt;/script&gt;"));
        assert!(html.contains("Verified"), "{html}");
        assert!(html.contains("data-mark=\"verified\""));
        // Headers: cacheable, no framing, no script allowed.
        assert_eq!(r.header("cache-control"), Some("public, max-age=30"));
        assert_eq!(r.header("x-frame-options"), Some("DENY"));
        let csp = r.header("content-security-policy").unwrap();
        assert!(csp.contains("frame-ancestors 'none'") && !csp.contains("script-src"), "{csp}");
        let etag = r.header("etag").unwrap().to_string();
        let again = raw(&app, &page, &[("if-none-match", &etag)]).await;
        assert_eq!(again.status, 304);
        assert!(again.body.is_empty());

        // Indexing only when the learner allows it.
        award::Entity::update_many()
            .col_expr(award::Column::AllowIndexing, Expr::value(true))
            .filter(award::Column::Id.eq(w.award.id))
            .exec(&app.state.db).await.unwrap();
        app::server::db::note_write();
        let html = raw(&app, &page, &[]).await.text();
        assert_eq!(meta(&html, "robots").unwrap(), "index, follow");

        // The page says when the verdict was last checked (the background re-check).
        let checked = chrono::TimeZone::with_ymd_and_hms(&Utc, 2026, 3, 1, 10, 5, 0).unwrap();
        award::Entity::update_many()
            .col_expr(award::Column::CheckedAt, Expr::value(checked))
            .filter(award::Column::Id.eq(w.award.id))
            .exec(&app.state.db).await.unwrap();
        app::server::db::note_write();
        let html = raw(&app, &page, &[]).await.text();
        assert!(html.contains("Last checked 1 March 2026, 10:05 UTC."), "{html}");
    }

    async fn a_deleted_account_answers_gone(app) {
        let w = world(&app, false).await;
        set_public(&app, &w.award, true).await;
        let page = format!("/c/{}", w.award.public_id);
        assert_eq!(raw(&app, &page, &[]).await.status, 200);
        user::Entity::update_many()
            .col_expr(user::Column::DeletedAt, Expr::value(Utc::now()))
            .filter(user::Column::Id.eq(w.learner.id))
            .exec(&app.state.db).await.unwrap();
        app::server::db::note_write();
        let r = raw(&app, &page, &[]).await;
        assert_eq!(r.status, 410);
        assert!(!r.text().contains("Badge &lt;"));
        assert_eq!(r.header("cache-control"), Some("no-store"));
        assert_eq!(raw(&app, &format!("{page}/og.png"), &[]).await.status, 410);
    }

    async fn share_links_show_private_badges_until_revoked_or_expired(app) {
        let w = world(&app, false).await;
        let live = link(&app, &w, 1, share_link::KIND_BADGE, false, Some(Utc::now() + Duration::days(3)), false).await;
        let with_evidence = link(&app, &w, 2, share_link::KIND_BADGE, true, None, false).await;
        let revoked = link(&app, &w, 3, share_link::KIND_BADGE, true, None, true).await;
        let expired = link(&app, &w, 4, share_link::KIND_BADGE, true, Some(Utc::now() - Duration::hours(1)), false).await;

        // The badge is private, the link shows it; evidence only when the link says so.
        let r = raw(&app, &format!("/b/{}", live.token), &[]).await;
        // Revocable at any moment: browsers revalidate every view.
        assert_eq!(r.header("cache-control"), Some("public, no-cache"));
        assert_eq!(r.status, 200);
        no_cookie(&r);
        let html = r.text();
        assert!(html.contains("Badge &lt;/script&gt;"));
        assert!(html.contains("This link stops working on"));
        assert!(!html.contains("Narrative of the work done."), "evidence hidden, JSON-LD included");
        assert!(!html.contains("rel=\"canonical\""));
        assert!(html.contains("evidence its holder chose not to share"));
        for file in ["credential.json", "badge.svg"] {
            assert_eq!(raw(&app, &format!("/b/{}/{file}", live.token), &[]).await.status, 404, "{file}");
        }
        assert_eq!(raw(&app, &format!("/b/{}/og.png", live.token), &[]).await.status, 200);
        assert_eq!(meta(&html, "robots").unwrap(), "noindex, nofollow");
        let html = raw(&app, &format!("/b/{}", with_evidence.token), &[]).await.text();
        assert!(html.contains("Narrative of the work done."), "{html}");
        assert!(json_ld(&html).to_string().contains("Narrative of the work done."));
        assert_eq!(raw(&app, &format!("/b/{}/credential.json", with_evidence.token), &[]).await.status, 200);

        let r = raw(&app, &format!("/b/{}", revoked.token), &[]).await;
        assert_eq!(r.status, 410);
        assert!(r.text().contains("This share link was withdrawn"));
        assert!(r.text().contains("says nothing about the badge itself"));
        assert!(!r.text().contains("Badge &lt;"));
        let r = raw(&app, &format!("/b/{}", expired.token), &[]).await;
        assert_eq!(r.status, 410);
        assert!(r.text().contains("This share link has expired"));
        assert!(r.text().contains("the link’s expiry, not the badge’s"));
        assert_eq!(raw(&app, &format!("/b/{}/credential.json", revoked.token), &[]).await.status, 410);
        assert_eq!(raw(&app, &format!("/embed/b/{}", expired.token), &[]).await.status, 410);
        // Malformed and unknown tokens.
        assert_eq!(raw(&app, "/b/short", &[]).await.status, 404);
        assert_eq!(raw(&app, &format!("/b/{}", token(99)), &[]).await.status, 404);
        // A badge link is not a collection link.
        assert_eq!(raw(&app, &format!("/s/{}", live.token), &[]).await.status, 404);

        // Revoking a live link shows at once (the write invalidates the page cache).
        share_link::Entity::update_many()
            .col_expr(share_link::Column::RevokedAt, Expr::value(Utc::now()))
            .filter(share_link::Column::Id.eq(live.id))
            .exec(&app.state.db).await.unwrap();
        app::server::db::note_write();
        assert_eq!(raw(&app, &format!("/b/{}", live.token), &[]).await.status, 410);
    }

    async fn a_cached_answer_has_the_same_headers_and_body_as_the_first(app) {
        // The second request is answered from the cache by the outermost layer
        // (`server::fast`); it must say exactly what the full stack said.
        let w = world(&app, true).await;
        set_public(&app, &w.award, true).await;
        let l = link(&app, &w, 6, share_link::KIND_BADGE, false, None, false).await;
        let page = format!("/c/{}", w.award.public_id);
        let names = [
            "content-type", "cache-control", "content-security-policy", "x-frame-options",
            "etag", "vary", "x-content-type-options", "referrer-policy", "cross-origin-opener-policy",
            "content-encoding", "set-cookie",
        ];
        for path in [
            page.clone(),
            format!("/embed{page}"),
            format!("{page}/og.png"),
            format!("/b/{}", l.token),
            format!("/embed/b/{}", l.token),
        ] {
            for enc in [None, Some("br, gzip")] {
                let extra: Vec<(&str, &str)> = enc.map(|e| ("accept-encoding", e)).into_iter().collect();
                let first = raw(&app, &path, &extra).await;
                assert!(answered_fast(&app, &path, &extra).await, "{path}: the second from the outermost layer");
                let again = raw(&app, &path, &extra).await;
                assert_eq!(first.status, 200, "{path}");
                assert_eq!(again.status, 200, "{path}");
                assert_eq!(first.body, again.body, "{path}");
                for n in names {
                    assert_eq!(first.header(n), again.header(n), "{path}: {n}");
                }
            }
        }
        // A request with a session goes through the whole stack (its answer is private).
        let name = app::server::sessions::COOKIE_NAME;
        let cookie = format!("{name}=whatever");
        assert!(!answered_fast(&app, &page, &[("cookie", &cookie)]).await);
        assert_eq!(raw(&app, &page, &[("cookie", &cookie)]).await.header("cache-control"), Some("private, no-store"));
        // The embed card may be framed by anyone; nothing else may.
        let card = raw(&app, &format!("/embed{page}"), &[]).await;
        assert_eq!(card.header("x-frame-options"), None);
        assert!(card.header("content-security-policy").unwrap().contains("frame-ancestors *"));
        assert_eq!(raw(&app, &page, &[]).await.header("x-frame-options"), Some("DENY"));
        // A share link is revalidated on every view, from the cache as well.
        assert_eq!(raw(&app, &format!("/b/{}", l.token), &[]).await.header("cache-control"), Some("public, no-cache"));
        // A revocation made here shows at once (the write empties the cache).
        share_link::Entity::update_many()
            .col_expr(share_link::Column::RevokedAt, Expr::value(Utc::now()))
            .filter(share_link::Column::Id.eq(l.id))
            .exec(&app.state.db).await.unwrap();
        app::server::db::note_write();
        assert_eq!(raw(&app, &format!("/b/{}", l.token), &[]).await.status, 410);
        assert_eq!(raw(&app, &format!("/embed/b/{}", l.token), &[]).await.status, 410);
    }

    async fn views_are_counted_by_source_without_anything_about_the_viewer(app) {
        let w = world(&app, true).await;
        set_public(&app, &w.award, true).await;
        let l = link(&app, &w, 5, share_link::KIND_BADGE, false, None, false).await;
        let page = format!("/c/{}", w.award.public_id);
        for q in ["?src=qr", "?src=qr", "?src=linkedin", "?src=nonsense", "", "?src=email"] {
            let r = raw(&app, &format!("{page}{q}"), &[("x-forwarded-for", "198.51.100.9")]).await;
            assert_eq!(r.status, 200);
            no_cookie(&r);
        }
        raw(&app, &format!("/embed{page}"), &[]).await;
        raw(&app, &format!("/b/{}?src=email", l.token), &[]).await;
        // Images and downloads are not views.
        raw(&app, &format!("{page}/og.png"), &[]).await;
        raw(&app, &format!("{page}/signature.png"), &[]).await;
        app.state.views.flush(&app.state.db).await.unwrap();
        // Flushing again adds nothing; a second batch adds to the first.
        raw(&app, &format!("{page}?src=qr"), &[]).await;
        app.state.views.flush(&app.state.db).await.unwrap();
        app.state.views.flush(&app.state.db).await.unwrap();

        let rows = view_count::Entity::find().all(&app.state.db).await.unwrap();
        let get = |kind: &str, id: i32, src: &str| {
            rows.iter()
                .filter(|r| r.subject_kind == kind && r.subject_id == id && r.source == src)
                .map(|r| r.views)
                .sum::<i64>()
        };
        let a = w.award.id;
        assert_eq!(get("award", a, "qr"), 3);
        assert_eq!(get("award", a, "linkedin"), 1);
        assert_eq!(get("award", a, "email"), 1);
        assert_eq!(get("award", a, "direct"), 2);
        assert_eq!(get("award", a, "embed"), 1);
        assert_eq!(get("link", l.id, "email"), 1);
        assert_eq!(rows.iter().map(|r| r.views).sum::<i64>(), 9);
        assert!(rows.iter().all(|r| r.day == Utc::now().format("%Y-%m-%d").to_string()));
        // The table has nothing that could hold a viewer's address or agent.
        for c in view_count::Column::iter() {
            let name = format!("{c:?}").to_lowercase();
            assert!(!name.contains("ip") && !name.contains("addr") && !name.contains("agent"), "{name}");
        }
    }

    async fn only_embed_cards_may_be_framed(app) {
        let w = world(&app, false).await;
        set_public(&app, &w.award, true).await;
        let l = link(&app, &w, 6, share_link::KIND_BADGE, false, None, false).await;
        for path in [format!("/embed/c/{}", w.award.public_id), format!("/embed/b/{}", l.token)] {
            let r = raw(&app, &path, &[]).await;
            assert_eq!(r.status, 200, "{path}");
            assert!(r.header("x-frame-options").is_none(), "{path}");
            let csp = r.header("content-security-policy").unwrap();
            assert!(csp.contains("frame-ancestors *"), "{csp}");
            assert!(csp.contains("script-src 'sha256-"), "{csp}");
            let html = r.text();
            assert!(html.len() < 10 * 1024, "the card is {} bytes", html.len());
            assert!(html.contains("<title>Badge &lt;/script&gt;"));
            assert!(html.contains("message:\"height\""));
            assert!(html.contains("Verified"));
            assert_eq!(html.matches("<script").count(), 1);
            no_cookie(&r);
        }
        let others = [
            "/".to_string(),
            "/verify".to_string(),
            "/signin".to_string(),
            "/programs".to_string(),
            "/oembed?url=x".to_string(),
            format!("/c/{}", w.award.public_id),
            format!("/c/{}/certificate", w.award.public_id),
            format!("/c/{}/og.png", w.award.public_id),
            format!("/b/{}", l.token),
            format!("/c/{}", uuid::Uuid::new_v4()),
            "/nowhere".to_string(),
        ];
        for path in others {
            let r = raw(&app, &path, &[]).await;
            assert_eq!(r.header("x-frame-options"), Some("DENY"), "{path}");
            let csp = r.header("content-security-policy").unwrap_or_default();
            assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        }
    }

    async fn oembed_answers_for_our_public_pages_only(app) {
        let w = world(&app, false).await;
        let base = app.state.settings.public_url.clone();
        let page = format!("{base}/c/{}", w.award.public_id);
        let enc = |s: &str| serde_urlencoded::to_string([("url", s)]).unwrap();
        // Private: not found.
        assert_eq!(raw(&app, &format!("/oembed?{}", enc(&page)), &[]).await.status, 404);
        set_public(&app, &w.award, true).await;
        let r = raw(&app, &format!("/oembed?{}&maxwidth=1000&format=json", enc(&page)), &[]).await;
        assert_eq!(r.status, 200);
        assert!(r.header("content-type").unwrap().starts_with("application/json"));
        let v: Value = serde_json::from_slice(&r.body).unwrap();
        assert_eq!(v["version"], "1.0");
        assert_eq!(v["type"], "rich");
        assert_eq!(v["width"], 600);
        assert_eq!(v["title"], format!("Badge {NASTY}"));
        assert_eq!(v["thumbnail_url"], format!("{page}/og.png"));
        assert_eq!(v["thumbnail_width"], 1200);
        assert_eq!(v["thumbnail_height"], 627);
        assert_eq!(v["provider_name"], "Badgefolio");
        let html = v["html"].as_str().unwrap();
        assert!(html.starts_with("<blockquote"));
        assert!(html.contains("<iframe") && html.contains("sandbox=\"allow-scripts"));
        assert!(html.contains(&format!("src=\"{base}/embed/c/{}\"", w.award.public_id)));
        assert!(!html.contains("<script"));
        assert!(html.contains("Badge &lt;/script&gt;"));
        let narrow: Value = serde_json::from_slice(
            &raw(&app, &format!("/oembed?{}&maxwidth=100", enc(&page)), &[]).await.body,
        ).unwrap();
        assert_eq!(narrow["width"], 280);
        let plain: Value = serde_json::from_slice(
            &raw(&app, &format!("/oembed?{}&maxwidth=400", enc(&page)), &[]).await.body,
        ).unwrap();
        assert_eq!(plain["width"], 400);
        assert_eq!(raw(&app, &format!("/oembed?{}&format=xml", enc(&page)), &[]).await.status, 501);
        assert_eq!(raw(&app, &format!("/oembed?{}", enc("https://evil.example/c/x")), &[]).await.status, 404);
        assert_eq!(raw(&app, &format!("/oembed?{}", enc(&format!("{base}/portfolio"))), &[]).await.status, 404);
        assert_eq!(raw(&app, "/oembed", &[]).await.status, 400);
    }

    async fn downloads_have_their_types_and_the_baked_badge_extracts_back(app) {
        let w = world(&app, true).await;
        set_public(&app, &w.award, true).await;
        let page = format!("/c/{}", w.award.public_id);
        let stored = credential::Entity::find_by_id(w.award.credential_id)
            .one(&app.state.db).await.unwrap().unwrap();
        let limits = openbadges::baking::Limits::default();

        let png = raw(&app, &format!("{page}/badge.png"), &[]).await;
        assert_eq!(png.status, 200);
        assert_eq!(png.header("content-type"), Some("image/png"));
        assert!(png.header("content-disposition").unwrap().starts_with("attachment"));
        let got = openbadges::baking::extract(&png.body, &limits).unwrap().unwrap();
        assert_eq!(got.payload, stored.json);

        let svg = raw(&app, &format!("{page}/badge.svg"), &[]).await;
        assert_eq!(svg.status, 200);
        assert_eq!(svg.header("content-type"), Some("image/svg+xml"));
        let got = openbadges::baking::extract(&svg.body, &limits).unwrap().unwrap();
        assert_eq!(got.payload, stored.json);

        let json = raw(&app, &format!("{page}/credential.json"), &[]).await;
        assert_eq!(json.header("content-type"), Some("application/vc+ld+json"));
        assert_eq!(json.text(), stored.json);

        let qr = raw(&app, &format!("{page}/qr.svg"), &[]).await;
        assert_eq!(qr.header("content-type"), Some("image/svg+xml"));
        assert!(qr.text().contains("<svg"));
        let qr = raw(&app, &format!("{page}/qr.png"), &[]).await;
        assert_eq!(qr.header("content-type"), Some("image/png"));
        image::load_from_memory(&qr.body).unwrap();

        let og = raw(&app, &format!("{page}/og.png"), &[]).await;
        assert_eq!(og.header("content-type"), Some("image/png"));
        let img = image::load_from_memory(&og.body).unwrap();
        assert_eq!((img.width(), img.height()), (1200, 627));

        let sig = raw(&app, &format!("{page}/signature.png"), &[]).await;
        assert_eq!(sig.header("content-type"), Some("image/png"));
        assert!(sig.header("cache-control").unwrap().contains("max-age=30"));
        let img = image::load_from_memory(&sig.body).unwrap();
        assert_eq!((img.width(), img.height()), (96, 96));
        assert!(sig.body.len() < 40 * 1024);

        let cert = raw(&app, &format!("{page}/certificate"), &[]).await;
        assert_eq!(cert.status, 200);
        assert!(cert.header("content-type").unwrap().starts_with("text/html"));
        assert!(cert.text().contains("@page{size:A4"));
        assert!(cert.text().contains("Learner &lt;/script&gt;"));
        let letter = raw(&app, &format!("{page}/certificate?paper=letter"), &[]).await;
        assert!(letter.text().contains("@page{size:letter"));

        assert_eq!(raw(&app, &format!("{page}/other.txt"), &[]).await.status, 404);
        // An SVG-only badge: badge.png is the SVG drawn as a PNG and baked, badge.svg the
        // SVG baked, and og.png draws the badge (not the plain placeholder disc).
        let other = world_svg_award(&app, &w).await;
        set_public(&app, &other, true).await;
        let other_json = credential::Entity::find_by_id(other.credential_id)
            .one(&app.state.db).await.unwrap().unwrap().json;
        let png = raw(&app, &format!("/c/{}/badge.png", other.public_id), &[]).await;
        assert_eq!(png.status, 200);
        assert_eq!(png.header("content-type"), Some("image/png"));
        let got = openbadges::baking::extract(&png.body, &limits).unwrap().unwrap();
        assert_eq!(got.payload, other_json);
        assert_eq!(image::load_from_memory(&png.body).unwrap().width(), 512);
        assert_eq!(raw(&app, &format!("/c/{}/badge.svg", other.public_id), &[]).await.status, 200);
        let og = raw(&app, &format!("/c/{}/og.png", other.public_id), &[]).await;
        let og = image::load_from_memory(&og.body).unwrap().to_rgba8();
        assert_eq!(og.width(), 1200);
        // Inside the default hexagon, above its initials.
        let inside = og.get_pixel(600, 191).0;
        assert_eq!(inside[3], 0xff);
        assert_ne!(inside[..3], [0x1d, 0x4e, 0xd8], "the placeholder disc");
        assert_ne!(inside[..3], [0xf4, 0xf6, 0xfb], "the background");
    }

    async fn a_revocation_shows_once_it_commits(app) {
        let w = world(&app, true).await;
        set_public(&app, &w.award, true).await;
        let page = format!("/c/{}", w.award.public_id);
        let before = raw(&app, &page, &[]).await;
        assert!(before.text().contains("data-mark=\"verified\""));
        let sig_before = raw(&app, &format!("{page}/signature.png"), &[]).await.body;
        // Served from the cache meanwhile (same ETag).
        let etag = before.header("etag").unwrap().to_string();
        assert_eq!(raw(&app, &page, &[]).await.header("etag"), Some(etag.as_str()));

        lifecycle::revoke(
            &app.state.db,
            &app.state.settings,
            &w.inst,
            None,
            &w.award.public_id.to_string(),
            "Issued by mistake <b>really</b>",
            None,
        ).await.unwrap();
        let after = raw(&app, &page, &[]).await;
        assert_eq!(after.status, 200);
        let html = after.text();
        assert!(html.contains("data-mark=\"revoked\""), "{html}");
        assert!(html.contains("Revoked: the issuer has withdrawn this badge"));
        assert!(html.contains("Issued by mistake &lt;b&gt;really&lt;/b&gt;"));
        assert_ne!(after.header("etag"), Some(etag.as_str()));
        assert_eq!(raw(&app, &page, &[("if-none-match", &etag)]).await.status, 200);
        let sig_after = raw(&app, &format!("{page}/signature.png"), &[]).await.body;
        assert_ne!(sig_before, sig_after, "the signature image shows the revocation");
        let embed = raw(&app, &format!("/embed{page}"), &[]).await.text();
        assert!(embed.contains("Revoked"));
    }

    async fn shared_collections_show_their_badges_in_order(app) {
        let w = world(&app, false).await;
        let second = world_svg_award(&app, &w).await;
        let outside = {
            let id = badges::create(
                &app.state.db, &app.state.settings, &w.inst, None,
                badge_input("Not in the collection"),
            ).await.unwrap().id;
            give(&app, id, &w.learner).await
        };
        let c = collection::ActiveModel {
            public_id: Set(uuid::Uuid::new_v4()),
            user_id: Set(w.learner.id),
            name: Set(format!("Collection {NASTY}")),
            description: Set("My best.".into()),
            position: Set(0),
            created_at: Set(Utc::now()),
            updated_at: Set(Utc::now()),
            ..Default::default()
        }.insert(&app.state.db).await.unwrap();
        for (pos, a) in [(1, &w.award), (0, &second)] {
            collection_item::ActiveModel {
                collection_id: Set(c.id),
                award_id: Set(Some(a.id)),
                imported_badge_id: Set(None),
                position: Set(pos),
                ..Default::default()
            }.insert(&app.state.db).await.unwrap();
        }
        let l = share_link::ActiveModel {
            token: Set(token(7)),
            user_id: Set(w.learner.id),
            kind: Set(share_link::KIND_COLLECTION.into()),
            collection_id: Set(Some(c.id)),
            name: Set("CV".into()),
            show_evidence: Set(false),
            created_at: Set(Utc::now()),
            ..Default::default()
        }.insert(&app.state.db).await.unwrap();
        let r = raw(&app, &format!("/s/{}", l.token), &[]).await;
        assert_eq!(r.status, 200);
        no_cookie(&r);
        let html = r.text();
        assert!(html.contains("<h1>Collection &lt;/script&gt;"));
        let first = html.find("Second badge").unwrap();
        let then = html.find("Badge &lt;/script&gt;").unwrap();
        assert!(first < then, "collection order");
        assert!(!html.contains("Not in the collection"));
        let _ = outside;
        // The badge link views count against the link.
        app.state.views.flush(&app.state.db).await.unwrap();
        let n: i64 = view_count::Entity::find()
            .filter(view_count::Column::SubjectKind.eq("link"))
            .filter(view_count::Column::SubjectId.eq(l.id))
            .all(&app.state.db).await.unwrap().iter().map(|r| r.views).sum();
        assert_eq!(n, 1);
        // Expired: 410.
        share_link::Entity::update_many()
            .col_expr(share_link::Column::ExpiresAt, Expr::value(Utc::now() - Duration::minutes(1)))
            .filter(share_link::Column::Id.eq(l.id))
            .exec(&app.state.db).await.unwrap();
        app::server::db::note_write();
        assert_eq!(raw(&app, &format!("/s/{}", l.token), &[]).await.status, 410);
    }
}

fn badge_input(name: &str) -> badges::BadgeInput {
    badges::BadgeInput {
        name: name.into(),
        description: "Another.".into(),
        criteria: "Do it.".into(),
        achievement_type: "Badge".into(),
        tags: String::new(),
        credits: "1".into(),
        evidence_required: String::new(),
        rubric: String::new(),
        validity_months: String::new(),
        competencies: Vec::new(),
        image: None,
    }
}

/// A second award for the same learner, with the default (SVG) image.
async fn world_svg_award(app: &TestApp, w: &World) -> award::Model {
    let id = badges::create(
        &app.state.db,
        &app.state.settings,
        &w.inst,
        None,
        badge_input("Second badge"),
    )
    .await
    .unwrap()
    .id;
    let _ = w.badge_id;
    give(app, id, &w.learner).await
}
