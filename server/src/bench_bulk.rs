//! `badgefolio bench-bulk`: the bulk award benchmark (run by `scripts/bench`, never by
//! the tests). On the configured database (which should be empty: it creates an
//! institution and a badge) it previews and runs a bulk award of `rows` rows through
//! the very code the pages use (`awards::bulk`: every credential signed and stored, one
//! row per transaction), then signs the same kind of credential `rows` times on one
//! thread with `openbadges::proof::sign`, and prints credentials per second, the signing
//! rate, their ratio and the peak memory of the process.

use std::time::Instant;

use anyhow::Context as _;
use app::server::{
    Settings,
    awards::bulk,
    catalog::badges::{self, BadgeInput},
    entities::{award, credential},
    issuing, urls,
};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};

/// The figures of one run.
#[derive(Debug, Clone)]
pub struct Figures {
    pub rows: usize,
    pub preview_secs: f64,
    pub run_secs: f64,
    pub awarded: i32,
    pub credentials_per_sec: f64,
    pub signatures_per_sec: f64,
    pub ratio: f64,
    pub peak_rss_kib: Option<u64>,
}

/// The peak resident memory of this process (`VmHWM`), in KiB.
pub fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

/// Runs the benchmark (see the module documentation).
///
/// # Errors
/// When the database is not empty enough (the institution exists) or anything fails.
pub async fn run(
    db: &DatabaseConnection,
    settings: &Settings,
    rows: usize,
) -> anyhow::Result<Figures> {
    let slug = format!("bench-{}", &uuid::Uuid::new_v4().simple().to_string()[..8]);
    let inst = issuing::create_institution(
        db,
        settings,
        issuing::NewInstitution {
            slug: slug.clone(),
            name: "Bench University".into(),
            url: "https://bench.example".into(),
            email: String::new(),
        },
    )
    .await
    .context("creating the bench institution")?;
    badges::create(
        db,
        settings,
        &inst,
        None,
        BadgeInput {
            name: "Data Literacy".into(),
            description: "Reads, questions and presents data responsibly.".into(),
            criteria: "Analyse a public data set and present the findings.".into(),
            achievement_type: "Badge".into(),
            tags: "data, literacy".into(),
            credits: "2".into(),
            evidence_required: String::new(),
            rubric: String::new(),
            validity_months: "24".into(),
            competencies: Vec::new(),
            image: None,
        },
    )
    .await
    .context("creating the bench badge")?;

    let mut csv = String::from("email,badge,name,evidence_url,narrative\n");
    for i in 0..rows {
        csv.push_str(&format!(
            "learner{i}@bench.example,Data Literacy,Learner {i},https://portfolio.example/learner{i}/data,Analysed the city's open transport data and presented it.\n"
        ));
    }

    let t = Instant::now();
    let run = bulk::preview(db, &inst, None, "bench.csv", csv.as_bytes()).await?;
    let preview_secs = t.elapsed().as_secs_f64();
    drop(csv);

    let t = Instant::now();
    bulk::start(db, &inst, &run.public_id.to_string()).await?;
    bulk::work_due(db, settings, &bulk::WorkerConfig::default()).await?;
    let run_secs = t.elapsed().as_secs_f64();
    let view = bulk::view(db, &inst, &run.public_id.to_string()).await?;
    anyhow::ensure!(
        view.state == "finished" && view.awarded as usize == rows,
        "the run did not award every row: {view:?}"
    );

    // The signing rate, on one thread, of the same kind of credential: one of those
    // just issued, its proof removed, signed again and again with the same key.
    let one = award::Entity::find()
        .filter(award::Column::InstitutionId.eq(inst.id))
        .one(db)
        .await?
        .context("no award")?;
    let stored = credential::Entity::find_by_id(one.credential_id)
        .one(db)
        .await?
        .context("no credential")?;
    let mut unsigned: serde_json::Value = serde_json::from_str(&stored.json)?;
    if let Some(obj) = unsigned.as_object_mut() {
        obj.remove("proof");
    }
    let key = issuing::active_key(db, settings, inst.id).await?;
    let vm = urls::issuer_key_id(&settings.public_url, &slug, &key.public_multibase());
    let created = "2026-11-29T12:00:00Z";
    let t = Instant::now();
    for _ in 0..rows {
        let mut doc = unsigned.clone();
        openbadges::proof::sign(&mut doc, &key, &vm, created)?;
        std::hint::black_box(&doc);
    }
    let sign_secs = t.elapsed().as_secs_f64();

    let credentials_per_sec = rows as f64 / run_secs;
    let signatures_per_sec = rows as f64 / sign_secs;
    Ok(Figures {
        rows,
        preview_secs,
        run_secs,
        awarded: view.awarded,
        credentials_per_sec,
        signatures_per_sec,
        ratio: credentials_per_sec / signatures_per_sec,
        peak_rss_kib: peak_rss_kib(),
    })
}

/// The figures as the benchmark script prints them.
pub fn report(backend: &str, f: &Figures) -> String {
    format!(
        "bulk award on {backend}: {rows} rows, preview {preview:.2} s, run {run:.2} s ({awarded} awarded)\n  \
         credentials/s {cps:.0}   single-thread signatures/s {sps:.0}   ratio {ratio:.2} (target >= 0.80)   peak memory {mem}",
        rows = f.rows,
        preview = f.preview_secs,
        run = f.run_secs,
        awarded = f.awarded,
        cps = f.credentials_per_sec,
        sps = f.signatures_per_sec,
        ratio = f.ratio,
        mem = f.peak_rss_kib.map_or_else(
            || "n/a".to_string(),
            |k| format!("{:.1} MiB", k as f64 / 1024.0)
        ),
    )
}
