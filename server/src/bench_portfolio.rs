//! `badgefolio bench-portfolio`: the portfolio benchmark (run by `scripts/bench`, never
//! by the tests). On the configured database (which should be a scratch one: it creates
//! an institution, `badges` badges and a learner holding all of them) it renders the
//! learner's badge wall through the real router, in process, and prints the server time
//! per render (median and slowest of the timed runs) and the page's HTML size; then the
//! same for one badge page (which verifies the credential on view) and the public
//! profile.

use std::time::{Duration, Instant};

use anyhow::Context as _;
use app::model::Role;
use app::server::{
    AppState, Settings, accounts,
    awards::{self, AwardRequest, Issued, Recipient},
    catalog::badges::{self, BadgeInput},
    entities::award,
    issuing,
    portfolio::profile,
    sessions,
};
use axum::{
    body::Body,
    extract::connect_info::MockConnectInfo,
    http::{Request, header},
};
use http_body_util::BodyExt as _;
use leptos::config::LeptosOptions;
use sea_orm::DatabaseConnection;
use tower::Service as _;

/// Timed renders per page (after two untimed ones).
const RUNS: usize = 15;

/// One page's figures.
#[derive(Debug, Clone)]
pub struct PageFigures {
    pub path: String,
    pub status: u16,
    pub median: Duration,
    pub slowest: Duration,
    pub html_bytes: usize,
}

/// Renders `path` `RUNS` times (plus two to warm up) and measures.
async fn measure(
    router: &mut axum::Router,
    cookie: &str,
    path: &str,
) -> anyhow::Result<PageFigures> {
    let mut times = Vec::with_capacity(RUNS);
    let mut status = 0;
    let mut size = 0;
    for i in 0..RUNS + 2 {
        let req = Request::get(path)
            .header(header::ACCEPT, "text/html")
            .header(header::COOKIE, cookie)
            .body(Body::empty())?;
        let t = Instant::now();
        let res = router.call(req).await?;
        status = res.status().as_u16();
        let body = res.into_body().collect().await?.to_bytes();
        let took = t.elapsed();
        size = body.len();
        if i >= 2 {
            times.push(took);
        }
    }
    times.sort();
    Ok(PageFigures {
        path: path.to_string(),
        status,
        median: times[times.len() / 2],
        slowest: times[times.len() - 1],
        html_bytes: size,
    })
}

/// Seeds and measures (see the module documentation).
///
/// # Errors
/// When seeding or a request fails.
pub async fn run(
    db: &DatabaseConnection,
    settings: &Settings,
    leptos_options: LeptosOptions,
    count: usize,
) -> anyhow::Result<(usize, Duration, Vec<PageFigures>)> {
    let tag = uuid::Uuid::new_v4().simple().to_string()[..8].to_string();
    let inst = issuing::create_institution(
        db,
        settings,
        issuing::NewInstitution {
            slug: format!("bench-{tag}"),
            name: "Bench University".into(),
            url: "https://bench.example".into(),
            email: String::new(),
        },
    )
    .await
    .context("creating the bench institution")?;
    let learner = accounts::create(
        db,
        accounts::NewAccount {
            email: format!("learner-{tag}@bench.example"),
            display_name: "Bench Learner".into(),
            password: "correct horse battery staple".into(),
            role: Role::Learner,
            institution: None,
        },
    )
    .await
    .context("creating the learner")?;
    accounts::mark_confirmed(db, learner.id).await?;
    let t = Instant::now();
    let mut first = None;
    for i in 0..count {
        let b = badges::create(
            db,
            settings,
            &inst,
            None,
            BadgeInput {
                name: format!("Skill {i:04}"),
                description: "A skill shown with evidence.".into(),
                criteria: "Show the skill.".into(),
                achievement_type: "Badge".into(),
                tags: "bench".into(),
                credits: (i % 4).to_string(),
                evidence_required: String::new(),
                rubric: String::new(),
                validity_months: if i % 3 == 0 {
                    "24".into()
                } else {
                    String::new()
                },
                competencies: Vec::new(),
                image: None,
            },
        )
        .await
        .with_context(|| format!("creating badge {i}"))?;
        let issued = awards::issue(
            db,
            settings,
            AwardRequest {
                badge_id: b.id,
                recipient: Recipient::User {
                    user_id: learner.id,
                    email: learner.email.clone(),
                    name: learner.display_name.clone(),
                },
                narrative: Some("I showed it.".into()),
                rubric: Vec::new(),
                evidence: Vec::new(),
                program_id: None,
                submission_id: None,
                bulk_row_id: None,
                source: award::SOURCE_DEMO,
                awarded_by: None,
            },
        )
        .await?;
        let a = match issued {
            Issued::New(a) | Issued::AlreadyHeld(a) => a,
        };
        if i % 10 == 0 {
            profile::set_visibility(db, learner.id, &a.public_id.to_string(), true).await?;
        }
        first.get_or_insert(a.public_id.to_string());
    }
    let seed_time = t.elapsed();
    let handle = format!("bench-{tag}");
    profile::set_handle(db, learner.id, &handle).await?;
    let token = sessions::create(db, learner.id).await?;
    let state = AppState::new(db.clone(), leptos_options, settings.clone());
    let cookie = format!(
        "{}={token}",
        sessions::cookie_name(state.settings.secure_cookies)
    );
    let peer: std::net::SocketAddr = "127.0.0.1:40000".parse()?;
    let mut router = crate::router::build(state).layer(MockConnectInfo(peer));
    let mut pages = vec![
        measure(&mut router, &cookie, "/portfolio").await?,
        measure(&mut router, &cookie, "/portfolio?sort=name&q=skill%200").await?,
    ];
    if let Some(id) = first {
        pages.push(measure(&mut router, &cookie, &format!("/portfolio/badges/{id}")).await?);
    }
    pages.push(measure(&mut router, "", &format!("/p/{handle}")).await?);
    Ok((count, seed_time, pages))
}

/// The figures as the benchmark script prints them.
pub fn report(backend: &str, count: usize, seed: Duration, pages: &[PageFigures]) -> String {
    let mut out = format!(
        "portfolio on {backend}: a learner with {count} badges (seeded in {:.1} s); server render time over {RUNS} runs",
        seed.as_secs_f64()
    );
    for p in pages {
        out.push_str(&format!(
            "\n  {path:<40} {status}  median {median:>6.1} ms  slowest {slowest:>6.1} ms  HTML {kb:.1} KB{target}",
            path = p.path,
            status = p.status,
            median = p.median.as_secs_f64() * 1000.0,
            slowest = p.slowest.as_secs_f64() * 1000.0,
            kb = p.html_bytes as f64 / 1024.0,
            target = if p.path == "/portfolio" { "  (target: < 50 ms)" } else { "" },
        ));
    }
    out
}
