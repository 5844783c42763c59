//! dangjian's store: one API over SQLite (embedded default) and PostgreSQL (scale-out),
//! chosen by the database URL. SQL lives only here. Every read takes a [`Scope`]; the
//! scope's condition is added to each query here, so no caller can read outside it.

mod audit;
mod auth;
mod backup;
mod bulk;
mod compliance;
mod completeness;
mod development;
mod life;
mod error;
mod export;
mod import;
mod indicators;
mod meetings;
mod members;
mod migrate;
mod orgs;
mod plans;
mod query;
mod records;
mod reports;
mod rows;
mod research;
mod scope;
mod sealed;
mod statistics;
pub mod summaries;
mod survey;
mod units;

pub use audit::{action_label, target_label, AuditEntry, ACTIONS};
pub use auth::{random_token, SessionInfo, SessionPolicy};
pub use backup::{manifest_path, Manifest, TableDigest};
pub use bulk::{BulkLoader, Row, Table};
pub use compliance::{ComplianceSummary, FailingOrg, Part, RuleSummary, WorstOrg, WORST_SHOWN};
pub use completeness::{Completeness, IncompleteMember, COMPLETENESS_FIELDS};
pub use development::StepLog;
pub use life::{Carrier, Funding, MemberStanding, TrainingRecord, Worker};
pub use error::StoreError;
pub use export::{CommitteeExport, DuesExport, MeetingExport, MemberExport, OrgExport, TrainingExport};
pub use import::{Change, ExchangeLog, Import, ImportCounts, OrgDirectory, OrgRef, RecordHolder, Refusal, Roster, MEMBER_COLUMNS};
pub use indicators::{GroupRow, IndicatorRun, LeaderRow, MeasureDictionary, MeasureOrg, OrgMeasures, LEADERS};
pub use meetings::MeetingDetail;
pub use members::materials_text;
pub use orgs::OrgSummary;
pub use plans::CheckIn;
pub use query::Arg;
pub use reports::SavedReport;
pub use research::{AttachmentRow, CaseRow, CodedPassage, CodingCount, CodingRow, DocumentRow, InterviewCounts, InterviewRow, LexiconChange, NewAttachment, NewCoding, PassageCode, SearchPassage, SearchRow};
pub use scope::{Actor, Scope};
pub use sealed::{default_key_file, Resealed};
pub use vault::{KeySource, Keyring};
pub use survey::{Campaign, CampaignUnit, NewCampaign, OpenSurvey, NewResponse, QuestionnaireRow, ResponseRow, ResponseWriter};

use sqlx::any::{AnyPoolOptions, AnyConnectOptions};
use sqlx::{AnyPool, ConnectOptions, Executor};
use std::str::FromStr;

/// Which database a store talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The registry store. Cheap to clone (a pool handle).
#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    /// How long sessions last.
    sessions: auth::SessionPolicy,
    /// The URL as given (bulk loads into PostgreSQL open their own COPY connection).
    url: String,
    /// The key ring personal data is sealed with (none only for a backup being checked).
    vault: Option<std::sync::Arc<Keyring>>,
}

/// Default database URL: one SQLite file in the working directory.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://dangjian.db";

impl Store {
    /// Opens (creating an SQLite file if needed) and migrates the database at `url`:
    /// `sqlite://PATH` or `postgres://…`.
    /// Personal data is sealed with the database's key (see [`default_key_file`]).
    pub async fn open(url: &str) -> Result<Store, StoreError> {
        Store::open_keyed(url, None).await
    }

    /// Opens with a given key ring instead of the environment or the key file.
    pub async fn open_with_key(url: &str, ring: Keyring) -> Result<Store, StoreError> {
        Store::open_keyed(url, Some(ring)).await
    }

    async fn open_keyed(url: &str, ring: Option<Keyring>) -> Result<Store, StoreError> {
        let mut store = Store::open_plain(url).await?;
        migrate::run(&store).await?;
        store.bind_key(ring).await?;
        Ok(store)
    }

    /// Opens without migrating: a backup or a restore target is read as it is.
    pub(crate) async fn open_plain(url: &str) -> Result<Store, StoreError> {
        sqlx::any::install_default_drivers();
        let open_err = |reason: String| StoreError::Open { url: redact(url), reason };
        let (backend, conn_url) = if let Some(path) = url.strip_prefix("sqlite://") {
            if path.is_empty() {
                return Err(open_err("缺少数据库文件路径，例如 sqlite://dangjian.db".into()));
            }
            // A file that is not a database (a roster saved as .db, a truncated copy) would
            // otherwise fail inside the pool's connection set-up, which retries until it
            // times out and then reports a busy database.
            let file = path.split('?').next().unwrap_or(path);
            if let Ok(mut f) = std::fs::File::open(file) {
                let mut head = [0u8; 16];
                let n = std::io::Read::read(&mut f, &mut head).unwrap_or(0);
                if n > 0 && head[..n] != b"SQLite format 3\0"[..n] {
                    return Err(open_err("这个文件不是 SQLite 数据库（或已损坏）；请检查 --db 指向的文件，或从备份恢复（dangjian restore）".into()));
                }
            }
            let sep = if path.contains('?') { '&' } else { '?' };
            (Backend::Sqlite, format!("sqlite://{path}{sep}mode=rwc"))
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            (Backend::Postgres, url.to_string())
        } else {
            return Err(open_err("数据库地址应以 sqlite:// 或 postgres:// 开头".into()));
        };
        let opts = AnyConnectOptions::from_str(&conn_url)
            .map_err(|e| open_err(crate::error::explain(&e)))?
            .disable_statement_logging();
        let pool = AnyPoolOptions::new()
            .max_connections(if backend == Backend::Sqlite { 4 } else { 8 })
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        // WAL: readers do not block the writer; busy_timeout: writers queue instead of failing.
                        conn.execute("PRAGMA journal_mode = WAL").await?;
                        conn.execute("PRAGMA synchronous = NORMAL").await?;
                        conn.execute("PRAGMA foreign_keys = ON").await?;
                        conn.execute("PRAGMA busy_timeout = 10000").await?;
                        // Reads map the file instead of copying each page (a city's
                        // compliance walk: 10.5 s → 7.3 s). Up to 256 GB: the bundled
                        // SQLite is built to allow it (.cargo/config.toml), and address
                        // space is not memory.
                        conn.execute("PRAGMA mmap_size = 274877906944").await?;
                    } else {
                        // PostgreSQL compiles a query whose estimated cost is high (the
                        // compliance batches, the grouped measures) before running it: 50 ms
                        // of compilation for a batch that then runs in 80 ms.
                        conn.execute("SET jit = off").await?;
                        // The store runs its heavy reads side by side itself (two compliance
                        // batches in flight, the indicator run's second stream): per-query
                        // workers would only compete with them for the same cores (a city's
                        // compliance: 3.9 s with them, 3.3 s without).
                        conn.execute("SET max_parallel_workers_per_gather = 0").await?;
                        // A random read costs about what a sequential one does here (SSD, the
                        // working set in memory); at the default 4× the planner scanned the
                        // whole development table for every compliance batch of 2 000
                        // organisations instead of looking their records up.
                        conn.execute("SET random_page_cost = 1.1").await?;
                    }
                    Ok(())
                })
            })
            .connect_with(opts)
            .await
            .map_err(|e| open_err(crate::error::explain(&e)))?;
        Ok(Store { pool, backend, sessions: Default::default(), url: url.to_string(), vault: None })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The same store with another session policy (`serve --session-idle-minutes …`).
    pub fn with_sessions(mut self, policy: auth::SessionPolicy) -> Store {
        self.sessions = policy;
        self
    }

    /// The URL the store was opened with (tests reach behind the store with it).
    pub fn url(&self) -> &str {
        &self.url
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// True when the registry holds no organisation yet.
    pub async fn is_empty(&self) -> Result<bool, StoreError> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM orgs").fetch_one(&self.pool).await?;
        Ok(n == 0)
    }

    /// Row counts per table, for the generator's summary and determinism checks.
    pub async fn table_counts(&self) -> Result<Vec<(&'static str, i64)>, StoreError> {
        let mut out = Vec::new();
        for t in bulk::TABLES.iter().map(|(t, _)| *t).chain(["users"]) {
            let n: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {t}")).fetch_one(&self.pool).await?;
            out.push((t, n));
        }
        Ok(out)
    }
}

impl Store {
    /// A SHA-256 digest of every generated table's content, rows in key order, values as
    /// text: equal digests mean identical data, whichever database holds it.
    pub async fn content_digest(&self) -> Result<Vec<(&'static str, String)>, StoreError> {
        use sha2::{Digest, Sha256};
        let mut out = Vec::new();
        for (table, cols) in bulk::TABLES {
            let expr: Vec<String> = cols
                .iter()
                .map(|c| {
                    let v = if bulk::FLOAT_COLUMNS.contains(c) { format!("CAST(ROUND({c} * 100) AS BIGINT)") } else { (*c).to_string() };
                    format!("COALESCE(CAST({v} AS TEXT), '-')")
                })
                .collect();
            let key = match *table {
                "attendance" => "meeting_id, member_id",
                "evaluations" => "member_id, year",
                _ => "id",
            };
            let sql = format!("SELECT {} AS r FROM {table} ORDER BY {key}", expr.join(" || '|' || "));
            let rows: Vec<String> = sqlx::query_scalar(&sql).fetch_all(&self.pool).await?;
            let mut h = Sha256::new();
            for r in rows {
                h.update(r.as_bytes());
                h.update(b"\n");
            }
            out.push((*table, h.finalize().iter().map(|b| format!("{b:02x}")).collect()));
        }
        Ok(out)
    }
}

/// Hides a password in a database URL before it is shown.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.find(':') {
                Some(c) => format!("{}://{}:***{}", &url[..s], &creds[..c], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

pub(crate) fn now_text() -> String {
    chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string()
}
