//! Background computations (后台计算): judging a large subtree takes seconds to minutes,
//! so it runs as a job, never inside a page request. One job at a time per
//! (organisation, year); a job is started by a CSRF-checked POST; pages show the last
//! result with its time, and a running job's progress.
//!
//! A job runs on a blocking thread that drives its database future (`Handle::block_on`):
//! its CPU work never occupies the async workers that answer everyone else.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use store::{ComplianceSummary, Scope, Store};

/// Subtrees up to this many organisations (a township, a branch) are judged when their page
/// is opened: under a second, and a secretary expects a current figure.
pub const INLINE_ORGS: i64 = 300;

/// A finished judgement.
#[derive(Clone)]
pub struct Done {
    pub summary: Arc<ComplianceSummary>,
    /// When it finished (local time, to the minute).
    pub at: String,
    pub took: Duration,
}

/// A running job: organisations judged of the total.
#[derive(Clone)]
pub struct Progress {
    pub judged: usize,
    pub total: usize,
    pub since: Instant,
}

#[derive(Default)]
struct Entry {
    last: Option<Done>,
    running: Option<(Arc<AtomicUsize>, usize, Instant)>,
    failed: Option<String>,
}

/// The jobs of one server.
#[derive(Default)]
pub struct Jobs {
    entries: Mutex<HashMap<(i64, i32), Entry>>,
}

impl Jobs {
    /// The last result, the job running now, and the last failure, for an organisation's year.
    pub fn look(&self, org: i64, year: i32) -> (Option<Done>, Option<Progress>, Option<String>) {
        let map = self.entries.lock().expect("jobs lock");
        match map.get(&(org, year)) {
            None => (None, None, None),
            Some(e) => (
                e.last.clone(),
                e.running.as_ref().map(|(n, total, since)| Progress { judged: n.load(Ordering::Relaxed), total: *total, since: *since }),
                e.failed.clone(),
            ),
        }
    }

    /// Starts judging the subtree of `org` in `year`, unless a job for it is running
    /// (then `false`). The caller has checked that the viewer may see `org`.
    pub fn start(self: &Arc<Self>, store: Store, rules: Arc<domain::rules::Rules>, org: i64, year: i32, as_of: domain::Date, total: usize) -> bool {
        let progress = Arc::new(AtomicUsize::new(0));
        {
            let mut map = self.entries.lock().expect("jobs lock");
            let e = map.entry((org, year)).or_default();
            if e.running.is_some() {
                return false;
            }
            e.running = Some((progress.clone(), total, Instant::now()));
        }
        let jobs = self.clone();
        let handle = tokio::runtime::Handle::current();
        tokio::task::spawn_blocking(move || {
            let started = Instant::now();
            let result = handle.block_on(store.compliance_summary_tracked(&Scope::jurisdiction(), org, &rules, year, as_of, true, &progress));
            let mut map = jobs.entries.lock().expect("jobs lock");
            let e = map.entry((org, year)).or_default();
            e.running = None;
            match result {
                Ok(summary) => {
                    e.last = Some(Done::now(summary, started));
                    e.failed = None;
                }
                Err(err) => {
                    tracing::error!(org, year, error = %err, "compliance job failed");
                    e.failed = Some(err.to_string());
                }
            }
        });
        true
    }

}

impl Done {
    fn now(summary: ComplianceSummary, started: Instant) -> Done {
        Done { summary: Arc::new(summary), at: chrono::Local::now().format("%Y-%m-%d %H:%M").to_string(), took: started.elapsed() }
    }
}

/// Judges a small subtree now, on a blocking thread (not kept: it is judged afresh on
/// every view).
pub async fn judge_now(store: Store, rules: Arc<domain::rules::Rules>, org: i64, year: i32, as_of: domain::Date) -> Result<Done, store::StoreError> {
    let started = Instant::now();
    let summary = off_workers(async move { store.compliance_summary(&Scope::jurisdiction(), org, &rules, year, as_of, true).await }).await?;
    Ok(Done::now(summary, started))
}

/// Runs a database future on a blocking thread: for work whose CPU share is large (judging
/// a subtree), so that it never holds an async worker.
pub async fn off_workers<T: Send + 'static>(fut: impl std::future::Future<Output = T> + Send + 'static) -> T {
    let handle = tokio::runtime::Handle::current();
    match tokio::task::spawn_blocking(move || handle.block_on(fut)).await {
        Ok(v) => v,
        Err(e) => std::panic::resume_unwind(e.into_panic()),
    }
}

/// After a write to one organisation's records (a meeting recorded), its figures and its
/// ancestors' in the year's cached indicator run are brought up to date in the
/// background (`indicators::update_org`, tens of milliseconds); the write itself never
/// waits on it or fails by it. A failure is logged, and the next full computation puts
/// the figures right.
pub fn update_figures(st: &crate::AppState, org: i64, year: i32) {
    let (store, rules) = (st.store.clone(), st.rules.clone());
    tokio::spawn(async move {
        if let Err(err) = indicators::update_org(&store, &rules, year, org).await {
            tracing::error!(org, year, error = %err, "indicator update failed");
        }
    });
}

/// The same after a write to one member's records (dues, training, a transfer): the
/// figures of the organisation the member belongs to, for this year.
pub fn update_member_figures(st: &crate::AppState, member: i64) {
    let (store, rules) = (st.store.clone(), st.rules.clone());
    let year = chrono::Datelike::year(&chrono::Local::now().date_naive());
    tokio::spawn(async move {
        let done = match store.member(&Scope::jurisdiction(), member).await {
            Ok((m, _)) => indicators::update_org(&store, &rules, year, m.org_id).await.map(|_| ()),
            Err(e) => Err(e.into()),
        };
        if let Err(err) = done {
            tracing::error!(member, year, error = %err, "indicator update failed");
        }
    });
}
