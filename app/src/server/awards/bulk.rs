//! Bulk awards from a CSV file.
//!
//! - [`preview`] reads the file (header `email`, `badge`, optional `name`,
//!   `evidence_url`, `narrative`), checks every row, and stores the run with its rows
//!   (`previewed`): valid rows `pending`, the others `invalid` or `duplicate` with the
//!   reason. Nothing is awarded.
//! - [`start`] marks the run `running` and wakes the worker.
//! - The worker ([`work_due`], [`spawn`]) claims a running run with a lease (one atomic
//!   `UPDATE … RETURNING`, as the mail worker does), so several server processes can run
//!   workers; a worker that dies leaves the run to another once the lease ends, and
//!   `serve` resumes such runs at start-up. It awards the pending rows one by one, each
//!   in a short transaction of its own: the row is claimed (`UPDATE … WHERE state =
//!   'pending'`, which also makes a second worker wait for this one and then skip the
//!   row), the badge awarded ([`super::issue`], signed in that transaction) and the row's
//!   outcome written, all committed together. A crash between award and row update is
//!   thus impossible, and the partial unique indexes on `awards` make a second award of
//!   the same badge to the same recipient a duplicate anyway. SQLite's write lock is held
//!   for one row at a time, never for the run.

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::NotSet, ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, DbErr,
    EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set, Statement,
    sea_query::Expr,
};

use super::{AwardRequest, EvidencePiece, Issued, Recipient};
use crate::error::AppError;
use crate::model::bulk::{
    BulkPage, BulkRowView, BulkRunSummary, BulkRunView, COLUMNS, MAX_FILE_BYTES, MAX_LISTED_ROWS,
    MAX_ROWS, thousands,
};
use crate::server::db::begin_write;
use crate::server::entities::{award, badge, badge_version, bulk_row, bulk_run, institution, user};
use crate::server::error::{ServerError, ServerResult};
use crate::server::state::Settings;
use crate::server::{accounts, catalog};

/// Longest name (as the institution records it) in a row.
const MAX_NAME_CHARS: usize = 200;
/// Longest narrative in a row.
const MAX_NARRATIVE_CHARS: usize = 5000;
/// Longest badge reference kept for a row.
const MAX_BADGE_REF_CHARS: usize = 200;
/// Rows stored per `INSERT`.
const INSERT_CHUNK: usize = 500;
/// Values per `IN (…)` list.
const LOOKUP_CHUNK: usize = 500;

/// A row as read from the file, before it is checked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RawRow {
    /// The line in the file (1 is the header).
    pub line: i32,
    pub email: String,
    pub badge: String,
    pub name: String,
    pub evidence_url: String,
    pub narrative: String,
    /// Set when the row itself is malformed (more fields than the header).
    pub problem: Option<String>,
}

fn invalid(message: impl Into<String>) -> ServerError {
    AppError::invalid(message).into()
}

/// Reads a bulk award file: UTF-8 CSV with a header row naming the columns (any order,
/// any case; `email` and `badge` required). Blank lines are skipped.
///
/// # Errors
/// `Invalid` with a message for the whole file: too large, not UTF-8, no header, a
/// missing, unknown or repeated column, no rows, too many rows.
pub fn parse(bytes: &[u8]) -> ServerResult<Vec<RawRow>> {
    if bytes.len() > MAX_FILE_BYTES {
        return Err(invalid(format!(
            "The file is larger than {} MB: split it into smaller files.",
            MAX_FILE_BYTES / (1024 * 1024)
        )));
    }
    let text = std::str::from_utf8(bytes).map_err(|_| {
        invalid("The file is not UTF-8 text: save it as \"CSV UTF-8\" and upload it again.")
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim().is_empty() {
        return Err(invalid(
            "The file is empty: it needs a header row (email,badge,…) and one row per award.",
        ));
    }
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| invalid(format!("The header row cannot be read: {e}.")))?
        .clone();
    let mut index: HashMap<&str, usize> = HashMap::new();
    for (i, h) in headers.iter().enumerate() {
        let h = h.trim().to_lowercase();
        let Some(known) = COLUMNS.iter().find(|c| **c == h) else {
            return Err(invalid(format!(
                "The header names an unknown column \"{}\": the columns are {}.",
                h.chars().take(40).collect::<String>(),
                COLUMNS.join(", ")
            )));
        };
        if index.insert(known, i).is_some() {
            return Err(invalid(format!(
                "The header names the column \"{known}\" twice."
            )));
        }
    }
    for required in ["email", "badge"] {
        if !index.contains_key(required) {
            return Err(invalid(format!(
                "The header row must name the columns email and badge (and may name name, evidence_url, narrative); \"{required}\" is missing."
            )));
        }
    }
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| invalid(format!("The file cannot be read: {e}.")))?;
        if record.iter().all(str::is_empty) {
            continue;
        }
        if rows.len() >= MAX_ROWS {
            return Err(invalid(format!(
                "The file has more than {} rows: split it into smaller files.",
                thousands(i32::try_from(MAX_ROWS).unwrap_or(i32::MAX))
            )));
        }
        let line = record
            .position()
            .and_then(|p| i32::try_from(p.line()).ok())
            .unwrap_or(0);
        let field = |name: &str| {
            index
                .get(name)
                .and_then(|i| record.get(*i))
                .unwrap_or_default()
                .to_string()
        };
        let problem = (record.len() > headers.len()).then(|| {
            format!(
                "The row has {} fields but the header names {} columns.",
                record.len(),
                headers.len()
            )
        });
        rows.push(RawRow {
            line,
            email: field("email"),
            badge: field("badge"),
            name: field("name"),
            evidence_url: field("evidence_url"),
            narrative: field("narrative"),
            problem,
        });
    }
    if rows.is_empty() {
        return Err(invalid(
            "The file has no rows below its header: add one row per award.",
        ));
    }
    Ok(rows)
}

/// The institution's badges, by public id and by (current) name.
struct Badges {
    by_id: HashMap<String, i32>,
    by_name: HashMap<String, Vec<i32>>,
    /// Public ids (of the file's references) that belong to other institutions.
    foreign: HashSet<String>,
}

impl Badges {
    async fn load(
        db: &impl ConnectionTrait,
        inst: &institution::Model,
        refs: &[&str],
    ) -> ServerResult<Self> {
        let own = badge::Entity::find()
            .filter(badge::Column::InstitutionId.eq(inst.id))
            .all(db)
            .await?;
        let mut by_id = HashMap::new();
        let mut by_name: HashMap<String, Vec<i32>> = HashMap::new();
        if !own.is_empty() {
            let current: HashMap<i32, i32> =
                own.iter().map(|b| (b.id, b.current_version)).collect();
            let versions = badge_version::Entity::find()
                .filter(badge_version::Column::BadgeId.is_in(own.iter().map(|b| b.id)))
                .all(db)
                .await?;
            for v in versions {
                if current.get(&v.badge_id) == Some(&v.version) {
                    by_name
                        .entry(v.name.trim().to_string())
                        .or_default()
                        .push(v.badge_id);
                }
            }
            for b in &own {
                by_id.insert(b.public_id.to_string(), b.id);
            }
        }
        let unknown: Vec<uuid::Uuid> = refs
            .iter()
            .filter(|r| !by_id.contains_key(&r.to_lowercase()))
            .filter_map(|r| uuid::Uuid::parse_str(r).ok())
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        let mut foreign = HashSet::new();
        for chunk in unknown.chunks(LOOKUP_CHUNK) {
            let found: Vec<uuid::Uuid> = badge::Entity::find()
                .select_only()
                .column(badge::Column::PublicId)
                .filter(badge::Column::PublicId.is_in(chunk.iter().copied()))
                .into_tuple()
                .all(db)
                .await?;
            foreign.extend(found.into_iter().map(|u| u.to_string()));
        }
        Ok(Self {
            by_id,
            by_name,
            foreign,
        })
    }

    fn resolve(&self, reference: &str) -> Result<i32, String> {
        if reference.is_empty() {
            return Err("The badge is missing.".into());
        }
        if let Some(id) = self.by_id.get(&reference.to_lowercase()) {
            return Ok(*id);
        }
        if let Ok(u) = uuid::Uuid::parse_str(reference)
            && self.foreign.contains(&u.to_string())
        {
            return Err("The badge belongs to another institution.".into());
        }
        match self.by_name.get(reference).map(Vec::as_slice) {
            Some([id]) => Ok(*id),
            Some([_, ..]) => Err(format!(
                "Several badges are named \"{reference}\": name the badge by its id."
            )),
            _ => Err(format!(
                "Unknown badge \"{}\": use the badge's exact name or its id.",
                reference.chars().take(80).collect::<String>()
            )),
        }
    }
}

/// Accounts by (lower-case) address.
async fn users_by_email(
    db: &impl ConnectionTrait,
    emails: &[String],
) -> ServerResult<HashMap<String, user::Model>> {
    let mut out = HashMap::new();
    let unique: Vec<&String> = emails.iter().collect::<HashSet<_>>().into_iter().collect();
    for chunk in unique.chunks(LOOKUP_CHUNK) {
        let found = user::Entity::find()
            .filter(user::Column::Email.is_in(chunk.iter().map(|e| e.as_str())))
            .all(db)
            .await?;
        for u in found {
            out.insert(u.email.to_lowercase(), u);
        }
    }
    Ok(out)
}

/// Who already holds which of the institution's badges (unrevoked), by address and by
/// account.
struct Held {
    by_email: HashSet<(String, i32)>,
    by_user: HashSet<(i32, i32)>,
}

impl Held {
    async fn load(db: &impl ConnectionTrait, inst: &institution::Model) -> ServerResult<Self> {
        let rows: Vec<(String, Option<i32>, i32)> = award::Entity::find()
            .select_only()
            .column(award::Column::RecipientEmail)
            .column(award::Column::UserId)
            .column(award::Column::BadgeId)
            .filter(award::Column::InstitutionId.eq(inst.id))
            .filter(award::Column::RevokedAt.is_null())
            .into_tuple()
            .all(db)
            .await?;
        let mut held = Self {
            by_email: HashSet::new(),
            by_user: HashSet::new(),
        };
        for (email, user_id, badge_id) in rows {
            held.by_email.insert((email.to_lowercase(), badge_id));
            if let Some(u) = user_id {
                held.by_user.insert((u, badge_id));
            }
        }
        Ok(held)
    }
}

/// A row checked: what will be stored.
fn check_row(
    raw: &RawRow,
    badges: &Badges,
    users: &HashMap<String, user::Model>,
    held: &Held,
    seen: &mut HashMap<(String, i32), i32>,
) -> bulk_row::ActiveModel {
    let clip = |s: &str, n: usize| s.chars().take(n).collect::<String>();
    let mut row = bulk_row::ActiveModel {
        id: NotSet,
        run_id: NotSet,
        line: Set(raw.line),
        email: Set(clip(raw.email.trim(), 254)),
        name: Set(String::new()),
        badge_id: Set(None),
        badge_ref: Set(clip(&raw.badge, MAX_BADGE_REF_CHARS)),
        evidence_url: Set(None),
        narrative: Set(String::new()),
        state: Set(bulk_row::STATE_INVALID.into()),
        message: Set(String::new()),
        award_id: Set(None),
        processed_at: Set(None),
    };
    let outcome = (|| -> Result<(String, Option<String>), String> {
        if let Some(problem) = &raw.problem {
            return Err(problem.clone());
        }
        let email = accounts::normalize_email(&raw.email).map_err(|_| {
            if raw.email.trim().is_empty() {
                "The e-mail address is missing.".to_string()
            } else {
                format!(
                    "Malformed e-mail address \"{}\".",
                    clip(raw.email.trim(), 80)
                )
            }
        })?;
        row.email = Set(email.clone());
        let badge_id = badges.resolve(raw.badge.trim())?;
        row.badge_id = Set(Some(badge_id));
        let name = if raw.name.trim().is_empty() {
            String::new()
        } else {
            catalog::one_line(&raw.name, "The name", MAX_NAME_CHARS).map_err(|e| e.to_string())?
        };
        let name = if name.is_empty() {
            users
                .get(&email)
                .map(|u| clip(&u.display_name, MAX_NAME_CHARS))
                .unwrap_or_default()
        } else {
            name
        };
        row.name = Set(name);
        let url = evidence_url(&raw.evidence_url)?;
        row.evidence_url = Set(url);
        let narrative = catalog::limited(&raw.narrative, "The narrative", MAX_NARRATIVE_CHARS)
            .map_err(|e| e.to_string())?;
        row.narrative = Set(narrative);
        if let Some(first) = seen.get(&(email.clone(), badge_id)) {
            return Ok((
                bulk_row::STATE_DUPLICATE.into(),
                Some(format!(
                    "Duplicate: the same recipient and badge as line {first}; will be skipped."
                )),
            ));
        }
        seen.insert((email.clone(), badge_id), raw.line);
        let holds = held.by_email.contains(&(email.clone(), badge_id))
            || users
                .get(&email)
                .is_some_and(|u| held.by_user.contains(&(u.id, badge_id)));
        if holds {
            return Ok((
                bulk_row::STATE_DUPLICATE.into(),
                Some("Duplicate: already holds this badge; will be skipped.".into()),
            ));
        }
        Ok((bulk_row::STATE_PENDING.into(), None))
    })();
    match outcome {
        Ok((state, message)) => {
            row.state = Set(state);
            row.message = Set(message.unwrap_or_default());
        }
        Err(message) => {
            row.state = Set(bulk_row::STATE_INVALID.into());
            row.message = Set(message);
        }
    }
    row
}

/// An optional evidence link: http or https with a host, no spaces.
fn evidence_url(value: &str) -> Result<Option<String>, String> {
    let v = catalog::web_url(value, "The evidence URL").map_err(|_| {
        "The evidence URL must be a web address starting with https:// or http://.".to_string()
    })?;
    if v.is_empty() {
        return Ok(None);
    }
    let rest = v
        .strip_prefix("https://")
        .or_else(|| v.strip_prefix("http://"))
        .unwrap_or_default();
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if host.is_empty() || v.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("The evidence URL is not a valid web address.".into());
    }
    Ok(Some(v))
}

/// Checks every row of a file and stores the run (`previewed`) with its rows; awards
/// nothing. Returns the run's public id.
///
/// # Errors
/// `Invalid` for a file that cannot be used at all (see [`parse`]); database errors.
pub async fn preview(
    db: &DatabaseConnection,
    inst: &institution::Model,
    created_by: Option<i32>,
    file_name: &str,
    bytes: &[u8],
) -> ServerResult<bulk_run::Model> {
    let raw = parse(bytes)?;
    let refs: Vec<&str> = raw.iter().map(|r| r.badge.trim()).collect();
    let badges = Badges::load(db, inst, &refs).await?;
    let emails: Vec<String> = raw
        .iter()
        .filter_map(|r| accounts::normalize_email(&r.email).ok())
        .collect();
    let users = users_by_email(db, &emails).await?;
    let held = Held::load(db, inst).await?;
    let mut seen = HashMap::new();
    let rows: Vec<bulk_row::ActiveModel> = raw
        .iter()
        .map(|r| check_row(r, &badges, &users, &held, &mut seen))
        .collect();
    let file_name: String = file_name
        .trim()
        .chars()
        .filter(|c| !c.is_control())
        .take(200)
        .collect();
    let file_name = if file_name.is_empty() {
        "awards.csv".to_string()
    } else {
        file_name
    };

    let txn = begin_write(db).await?;
    let run = bulk_run::ActiveModel {
        public_id: Set(uuid::Uuid::new_v4()),
        institution_id: Set(inst.id),
        created_by: Set(created_by),
        file_name: Set(file_name),
        state: Set(bulk_run::STATE_PREVIEWED.into()),
        total_rows: Set(i32::try_from(rows.len()).unwrap_or(i32::MAX)),
        created_at: Set(Utc::now()),
        started_at: Set(None),
        finished_at: Set(None),
        lease_until: Set(None),
        ..Default::default()
    };
    let run = sea_orm::ActiveModelTrait::insert(run, &*txn).await?;
    let mut rows = rows;
    for row in &mut rows {
        row.run_id = Set(run.id);
    }
    while !rows.is_empty() {
        let rest = rows.split_off(rows.len().min(INSERT_CHUNK));
        bulk_row::Entity::insert_many(std::mem::replace(&mut rows, rest))
            .exec(&*txn)
            .await?;
    }
    txn.commit().await?;
    Ok(run)
}

/// A run of this institution, by public id.
///
/// # Errors
/// `NotFound` (also for another institution's run); database errors.
pub async fn find(
    db: &impl ConnectionTrait,
    inst: &institution::Model,
    run: &str,
) -> ServerResult<bulk_run::Model> {
    let id = uuid::Uuid::parse_str(run.trim()).map_err(|_| AppError::NotFound)?;
    bulk_run::Entity::find()
        .filter(bulk_run::Column::PublicId.eq(id))
        .filter(bulk_run::Column::InstitutionId.eq(inst.id))
        .one(db)
        .await?
        .ok_or_else(|| AppError::NotFound.into())
}

/// Starts a previewed run (the worker awards its valid rows). Starting a run that is
/// already running or finished does nothing.
///
/// # Errors
/// `NotFound` (also for another institution's run); database errors.
pub async fn start(
    db: &DatabaseConnection,
    inst: &institution::Model,
    run: &str,
) -> ServerResult<bulk_run::Model> {
    let found = find(db, inst, run).await?;
    let txn = begin_write(db).await?;
    bulk_run::Entity::update_many()
        .col_expr(
            bulk_run::Column::State,
            Expr::value(bulk_run::STATE_RUNNING),
        )
        .col_expr(bulk_run::Column::StartedAt, Expr::value(Utc::now()))
        .filter(bulk_run::Column::Id.eq(found.id))
        .filter(bulk_run::Column::State.eq(bulk_run::STATE_PREVIEWED))
        .exec(&*txn)
        .await?;
    txn.commit().await?;
    wake();
    find(db, inst, run).await
}

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// Rows of a run per state.
async fn counts(db: &impl ConnectionTrait, run_id: i32) -> ServerResult<HashMap<String, i32>> {
    let rows: Vec<(String, i64)> = bulk_row::Entity::find()
        .select_only()
        .column(bulk_row::Column::State)
        .column_as(bulk_row::Column::Id.count(), "n")
        .filter(bulk_row::Column::RunId.eq(run_id))
        .group_by(bulk_row::Column::State)
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(s, n)| (s, i32::try_from(n).unwrap_or(i32::MAX)))
        .collect())
}

fn row_view(r: bulk_row::Model) -> BulkRowView {
    BulkRowView {
        line: r.line,
        email: r.email,
        badge: r.badge_ref,
        state: r.state,
        message: r.message,
    }
}

/// A run's counts and its invalid, duplicate and failed rows.
///
/// # Errors
/// `NotFound` (also for another institution's run); database errors.
pub async fn view(
    db: &impl ConnectionTrait,
    inst: &institution::Model,
    run: &str,
) -> ServerResult<BulkRunView> {
    let run = find(db, inst, run).await?;
    let counts = counts(db, run.id).await?;
    let count = |s: &str| counts.get(s).copied().unwrap_or(0);
    let problems = bulk_row::Entity::find()
        .filter(bulk_row::Column::RunId.eq(run.id))
        .filter(bulk_row::Column::State.is_in([
            bulk_row::STATE_INVALID,
            bulk_row::STATE_DUPLICATE,
            bulk_row::STATE_FAILED,
        ]))
        .order_by_asc(bulk_row::Column::Line)
        .limit(u64::try_from(MAX_LISTED_ROWS + 1).unwrap_or(u64::MAX))
        .all(db)
        .await?;
    let problems_truncated = problems.len() > MAX_LISTED_ROWS;
    Ok(BulkRunView {
        public_id: run.public_id.to_string(),
        institution: inst.slug.clone(),
        institution_name: inst.name.clone(),
        file_name: run.file_name,
        state: run.state,
        total: run.total_rows,
        pending: count(bulk_row::STATE_PENDING),
        invalid: count(bulk_row::STATE_INVALID),
        duplicate: count(bulk_row::STATE_DUPLICATE),
        awarded: count(bulk_row::STATE_AWARDED),
        failed: count(bulk_row::STATE_FAILED),
        created_at: rfc3339(run.created_at),
        finished_at: run.finished_at.map(rfc3339),
        problems: problems
            .into_iter()
            .take(MAX_LISTED_ROWS)
            .map(row_view)
            .collect(),
        problems_truncated,
    })
}

/// The institution's bulk award page: its runs, newest first.
///
/// # Errors
/// Database errors.
pub async fn page(db: &impl ConnectionTrait, inst: &institution::Model) -> ServerResult<BulkPage> {
    let runs = bulk_run::Entity::find()
        .filter(bulk_run::Column::InstitutionId.eq(inst.id))
        .order_by_desc(bulk_run::Column::Id)
        .limit(50)
        .all(db)
        .await?;
    Ok(BulkPage {
        institution: inst.slug.clone(),
        institution_name: inst.name.clone(),
        runs: runs
            .into_iter()
            .map(|r| BulkRunSummary {
                public_id: r.public_id.to_string(),
                file_name: r.file_name,
                state: r.state,
                total: r.total_rows,
                created_at: rfc3339(r.created_at),
            })
            .collect(),
    })
}

/// A run's report as CSV: every row with its line, address, badge, outcome and reason.
///
/// # Errors
/// `NotFound` (also for another institution's run); database errors.
pub async fn report_csv(
    db: &impl ConnectionTrait,
    inst: &institution::Model,
    run: &str,
) -> ServerResult<(String, Vec<u8>)> {
    let run = find(db, inst, run).await?;
    let mut out = csv::Writer::from_writer(Vec::new());
    let csv_err =
        |e: csv::Error| ServerError::Context(if e.is_io_error() { "csv io" } else { "csv" });
    out.write_record(["line", "email", "badge", "outcome", "reason"])
        .map_err(csv_err)?;
    let mut rows = bulk_row::Entity::find()
        .filter(bulk_row::Column::RunId.eq(run.id))
        .order_by_asc(bulk_row::Column::Line)
        .paginate(db, 1000);
    while let Some(page) = rows.fetch_and_next().await? {
        for r in page {
            out.write_record([
                r.line.to_string(),
                defuse(&r.email),
                defuse(&r.badge_ref),
                r.state,
                defuse(&r.message),
            ])
            .map_err(csv_err)?;
        }
    }
    let bytes = out
        .into_inner()
        .map_err(|_| ServerError::Context("csv buffer"))?;
    let stem = run
        .file_name
        .trim_end_matches(".csv")
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .take(80)
        .collect::<String>();
    Ok((format!("{stem}-report.csv"), bytes))
}

/// A cell a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab, CR) gets a
/// leading apostrophe.
fn defuse(cell: &str) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}")
    } else {
        cell.to_string()
    }
}

// ---------------------------------------------------------------------------------
// The worker.

static WAKE: tokio::sync::Notify = tokio::sync::Notify::const_new();

/// Wakes the bulk worker of this process (a run was started).
pub fn wake() {
    WAKE.notify_one();
}

/// Timing of a worker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WorkerConfig {
    /// How long a claimed run is left to its worker before another may take it over;
    /// renewed while the worker works.
    pub lease: Duration,
    /// How often the worker looks for runs without being woken (runs started by
    /// another process, runs whose worker died).
    pub sweep_every: Duration,
    /// Pending rows read at a time.
    pub batch: u64,
}

impl Default for WorkerConfig {
    fn default() -> Self {
        Self {
            lease: Duration::from_secs(30),
            sweep_every: Duration::from_secs(10),
            batch: 200,
        }
    }
}

fn after(d: Duration) -> DateTime<Utc> {
    Utc::now() + chrono::Duration::from_std(d).unwrap_or(chrono::Duration::MAX)
}

/// Claims a running run whose lease is free or has ended (see the module
/// documentation).
///
/// # Errors
/// Database errors.
pub async fn claim_next(
    db: &DatabaseConnection,
    lease: Duration,
) -> Result<Option<bulk_run::Model>, DbErr> {
    let backend = db.get_database_backend();
    let sql = match backend {
        DbBackend::Postgres => {
            "UPDATE bulk_runs SET lease_until = $1 \
             WHERE id = (SELECT id FROM bulk_runs WHERE state = 'running' \
                           AND (lease_until IS NULL OR lease_until <= $2) \
                         ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED) \
               AND state = 'running' AND (lease_until IS NULL OR lease_until <= $2) \
             RETURNING *"
        }
        _ => {
            "UPDATE bulk_runs SET lease_until = ?1 \
             WHERE id = (SELECT id FROM bulk_runs WHERE state = 'running' \
                           AND (lease_until IS NULL OR lease_until <= ?2) \
                         ORDER BY id LIMIT 1) \
               AND state = 'running' AND (lease_until IS NULL OR lease_until <= ?2) \
             RETURNING *"
        }
    };
    let txn = begin_write(db).await?;
    let claimed = bulk_run::Entity::find()
        .from_raw_sql(Statement::from_sql_and_values(
            backend,
            sql,
            [after(lease).into(), Utc::now().into()],
        ))
        .one(&*txn)
        .await?;
    txn.commit().await?;
    Ok(claimed)
}

async fn renew(db: &DatabaseConnection, run_id: i32, lease: Duration) -> Result<(), DbErr> {
    let txn = begin_write(db).await?;
    bulk_run::Entity::update_many()
        .col_expr(bulk_run::Column::LeaseUntil, Expr::value(after(lease)))
        .filter(bulk_run::Column::Id.eq(run_id))
        .filter(bulk_run::Column::State.eq(bulk_run::STATE_RUNNING))
        .exec(&*txn)
        .await?;
    txn.commit().await
}

/// Marks a run finished when no row is pending any more; returns whether it did.
async fn finish(db: &DatabaseConnection, run_id: i32) -> Result<bool, DbErr> {
    let backend = db.get_database_backend();
    let sql = match backend {
        DbBackend::Postgres => {
            "UPDATE bulk_runs SET state = 'finished', finished_at = $1, lease_until = NULL \
             WHERE id = $2 AND state = 'running' \
               AND NOT EXISTS (SELECT 1 FROM bulk_rows WHERE run_id = $2 AND state = 'pending')"
        }
        _ => {
            "UPDATE bulk_runs SET state = 'finished', finished_at = ?1, lease_until = NULL \
             WHERE id = ?2 AND state = 'running' \
               AND NOT EXISTS (SELECT 1 FROM bulk_rows WHERE run_id = ?2 AND state = 'pending')"
        }
    };
    let txn = begin_write(db).await?;
    let res = txn
        .execute_raw(Statement::from_sql_and_values(
            backend,
            sql,
            [Utc::now().into(), run_id.into()],
        ))
        .await?;
    txn.commit().await?;
    Ok(res.rows_affected() == 1)
}

/// What became of one row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowOutcome {
    Awarded,
    Duplicate,
    Failed,
    /// Another worker had processed the row already: nothing done.
    Taken,
}

/// The recipient of a row: the account when its address is confirmed (the credential
/// names the address either way); otherwise an award waiting for that address to be
/// confirmed by an account.
fn recipient(row: &bulk_row::Model, account: Option<&user::Model>) -> Recipient {
    let name = if row.name.trim().is_empty() {
        account.map(|u| u.display_name.clone()).unwrap_or_default()
    } else {
        row.name.clone()
    };
    match account {
        Some(u) if u.email_confirmed_at.is_some() => Recipient::User {
            user_id: u.id,
            email: row.email.clone(),
            name,
        },
        _ => Recipient::Email {
            email: row.email.clone(),
            name,
        },
    }
}

/// Awards one pending row in a transaction of its own (see the module documentation).
///
/// # Errors
/// Database errors (the row stays pending, to be tried again).
pub async fn process_row(
    db: &DatabaseConnection,
    settings: &Settings,
    run: &bulk_run::Model,
    row: &bulk_row::Model,
    account: Option<&user::Model>,
) -> ServerResult<RowOutcome> {
    let txn = begin_write(db).await?;
    let now = Utc::now();
    let claimed = bulk_row::Entity::update_many()
        .col_expr(bulk_row::Column::ProcessedAt, Expr::value(now))
        .filter(bulk_row::Column::Id.eq(row.id))
        .filter(bulk_row::Column::State.eq(bulk_row::STATE_PENDING))
        .exec(&*txn)
        .await?;
    if claimed.rows_affected != 1 {
        return Ok(RowOutcome::Taken);
    }
    let Some(badge_id) = row.badge_id else {
        return write_outcome(
            txn,
            row.id,
            RowOutcome::Failed,
            None,
            "The badge is missing.",
        )
        .await;
    };
    let request = AwardRequest {
        badge_id,
        recipient: recipient(row, account),
        narrative: Some(row.narrative.clone()).filter(|n| !n.trim().is_empty()),
        rubric: Vec::new(),
        evidence: row
            .evidence_url
            .iter()
            .map(|url| EvidencePiece {
                name: "Evidence link".into(),
                genre: "Link".into(),
                public_url: Some(url.clone()),
                sha256: None,
                size_bytes: None,
            })
            .collect(),
        program_id: None,
        submission_id: None,
        bulk_row_id: Some(row.id),
        source: award::SOURCE_BULK,
        awarded_by: run.created_by,
    };
    match super::issue(&*txn, settings, request).await {
        Ok(Issued::New(a)) => write_outcome(txn, row.id, RowOutcome::Awarded, Some(a.id), "").await,
        Ok(Issued::AlreadyHeld(_)) => {
            write_outcome(
                txn,
                row.id,
                RowOutcome::Duplicate,
                None,
                "Duplicate: already holds this badge; skipped.",
            )
            .await
        }
        Err(ServerError::User(e)) => {
            write_outcome(txn, row.id, RowOutcome::Failed, None, &e.to_string()).await
        }
        Err(e @ (ServerError::Sign(_) | ServerError::Key(_))) => {
            tracing::warn!(row_id = row.id, error = %e, "bulk row failed");
            write_outcome(
                txn,
                row.id,
                RowOutcome::Failed,
                None,
                "The credential could not be signed.",
            )
            .await
        }
        Err(e) => Err(e),
    }
}

async fn write_outcome(
    txn: crate::server::db::WriteTxn,
    row_id: i32,
    outcome: RowOutcome,
    award_id: Option<i32>,
    message: &str,
) -> ServerResult<RowOutcome> {
    let state = match outcome {
        RowOutcome::Awarded => bulk_row::STATE_AWARDED,
        RowOutcome::Duplicate => bulk_row::STATE_DUPLICATE,
        RowOutcome::Failed | RowOutcome::Taken => bulk_row::STATE_FAILED,
    };
    bulk_row::Entity::update_many()
        .col_expr(bulk_row::Column::State, Expr::value(state))
        .col_expr(bulk_row::Column::AwardId, Expr::value(award_id))
        .col_expr(
            bulk_row::Column::Message,
            Expr::value(message.chars().take(1000).collect::<String>()),
        )
        .filter(bulk_row::Column::Id.eq(row_id))
        .exec(&*txn)
        .await?;
    txn.commit().await?;
    Ok(outcome)
}

/// What a worker did to a run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    pub awarded: u32,
    pub duplicate: u32,
    pub failed: u32,
    /// Rows another worker had processed.
    pub taken: u32,
    /// Whether the run was finished.
    pub finished: bool,
}

/// Awards the pending rows of a claimed run, renewing its lease as it goes, and marks
/// it finished when none is left. Safe to run on the same run from several workers at
/// once (each row is awarded once).
///
/// # Errors
/// Database errors (the rows not reached stay pending; the lease lapses and the run is
/// resumed later).
pub async fn work_run(
    db: &DatabaseConnection,
    settings: &Settings,
    run: &bulk_run::Model,
    config: &WorkerConfig,
) -> ServerResult<Tally> {
    let mut tally = Tally::default();
    let renew_every = config.lease / 3;
    let mut renewed = Instant::now();
    let mut after_line = 0;
    loop {
        let rows = bulk_row::Entity::find()
            .filter(bulk_row::Column::RunId.eq(run.id))
            .filter(bulk_row::Column::State.eq(bulk_row::STATE_PENDING))
            .filter(bulk_row::Column::Line.gt(after_line))
            .order_by_asc(bulk_row::Column::Line)
            .limit(config.batch)
            .all(db)
            .await?;
        let Some(last) = rows.last() else { break };
        after_line = last.line;
        let emails: Vec<String> = rows.iter().map(|r| r.email.clone()).collect();
        let accounts = users_by_email(db, &emails).await?;
        for row in &rows {
            match process_row(db, settings, run, row, accounts.get(&row.email)).await? {
                RowOutcome::Awarded => tally.awarded += 1,
                RowOutcome::Duplicate => tally.duplicate += 1,
                RowOutcome::Failed => tally.failed += 1,
                RowOutcome::Taken => tally.taken += 1,
            }
            if renewed.elapsed() >= renew_every {
                renew(db, run.id, config.lease).await?;
                renewed = Instant::now();
            }
        }
    }
    tally.finished = finish(db, run.id).await?;
    Ok(tally)
}

/// Claims and works runs until none is due; returns how many it worked on.
///
/// # Errors
/// Database errors.
pub async fn work_due(
    db: &DatabaseConnection,
    settings: &Settings,
    config: &WorkerConfig,
) -> ServerResult<usize> {
    let mut worked = 0;
    while let Some(run) = claim_next(db, config.lease).await? {
        let tally = work_run(db, settings, &run, config).await?;
        tracing::info!(
            run_id = run.id,
            awarded = tally.awarded,
            duplicate = tally.duplicate,
            failed = tally.failed,
            finished = tally.finished,
            "bulk award run worked"
        );
        worked += 1;
    }
    Ok(worked)
}

/// The worker loop: works due runs when woken ([`wake`]), every `sweep_every`, and at
/// once on start (runs a stopped server left running). Never returns.
pub async fn run(db: DatabaseConnection, settings: Settings, config: WorkerConfig) {
    loop {
        if let Err(e) = work_due(&db, &settings, &config).await {
            tracing::warn!(error = %e, "bulk award worker: error, will retry");
        }
        tokio::select! {
            () = WAKE.notified() => {}
            () = tokio::time::sleep(config.sweep_every) => {}
        }
    }
}

/// Starts the worker on the current Tokio runtime.
pub fn spawn(
    db: DatabaseConnection,
    settings: Settings,
    config: WorkerConfig,
) -> tokio::task::JoinHandle<()> {
    tracing::info!("bulk award worker started");
    tokio::spawn(run(db, settings, config))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn msg(e: ServerError) -> String {
        match e {
            ServerError::User(e) => e.to_string(),
            other => panic!("{other}"),
        }
    }

    #[test]
    fn files_are_read_by_their_header() {
        let rows = parse(
            "\u{feff}Badge, EMAIL ,narrative\nTeamwork,ada@example.org,\"Led, well\"\n\n,,\nX,bob@example.org,,extra\n"
                .as_bytes(),
        )
        .unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].line, 2);
        assert_eq!(rows[0].email, "ada@example.org");
        assert_eq!(rows[0].badge, "Teamwork");
        assert_eq!(rows[0].narrative, "Led, well");
        assert_eq!(rows[1].line, 5);
        assert!(rows[1].problem.as_deref().unwrap().contains("4 fields"));
    }

    #[test]
    fn unusable_files_are_refused_with_a_reason() {
        assert!(msg(parse(b"").unwrap_err()).contains("empty"));
        assert!(
            msg(parse(b"email\nada@example.org\n").unwrap_err()).contains("\"badge\" is missing")
        );
        assert!(
            msg(parse(b"email,badge,color\n").unwrap_err()).contains("unknown column \"color\"")
        );
        assert!(msg(parse(b"email,badge,email\n").unwrap_err()).contains("twice"));
        assert!(msg(parse(b"email,badge\n").unwrap_err()).contains("no rows"));
        assert!(msg(parse(b"email,badge\n\xff\xfe,x\n").unwrap_err()).contains("UTF-8"));
        let big = vec![b'a'; MAX_FILE_BYTES + 1];
        assert!(msg(parse(&big).unwrap_err()).contains("larger than 5 MB"));
        let mut many = String::from("email,badge\n");
        for i in 0..=MAX_ROWS {
            many.push_str(&format!("u{i}@example.org,B\n"));
        }
        assert!(msg(parse(many.as_bytes()).unwrap_err()).contains("more than 50,000 rows"));
    }

    #[test]
    fn evidence_links_are_web_addresses() {
        assert_eq!(evidence_url(""), Ok(None));
        assert_eq!(
            evidence_url("https://example.org/x"),
            Ok(Some("https://example.org/x".into()))
        );
        assert!(evidence_url("javascript:alert(1)").is_err());
        assert!(evidence_url("JAVASCRIPT:alert(1)").is_err());
        assert!(evidence_url("ftp://example.org").is_err());
        assert!(evidence_url("https:///path").is_err());
        assert!(evidence_url("https://exa mple.org").is_err());
    }

    #[test]
    fn report_cells_cannot_become_formulas() {
        assert_eq!(defuse("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(defuse("ada@example.org"), "ada@example.org");
    }
}
