//! Indicators (指标): the catalogue's measures counted per organisation — from the
//! compliance verdicts and the facts they judge, the year's questionnaire campaigns
//! (valid responses only) and the coded interviews — summed up the tree in one pass in
//! path order, and cached as a run (own count and subtree total per organisation). Any
//! organisation's indicators are then a lookup of its totals, not a rescan of records.

pub mod measures;

use domain::indicators::{Catalogue, Indicator, Value};
use domain::org::Sector;
use domain::Labelled;
use domain::rules::Rules;
use domain::Date;
use serde::Serialize;
use std::collections::HashMap;
use store::{GroupRow, IndicatorRun, MeasureRow, Scope, Store, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum IndicatorError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{0}")]
    Survey(String),
    #[error("数据库中没有党组织：请先导入或生成数据")]
    Empty,
    #[error("{year}年的指标尚未计算：请运行 dangjian indicators --refresh --year {year}（或在报告中选择重新计算）")]
    NotComputed { year: i32 },
}

/// What a computation did.
#[derive(Debug, Clone, Serialize)]
pub struct Computed {
    pub run: i64,
    pub orgs: usize,
    pub rows: usize,
    pub seconds: f64,
    /// Where the time went: (phase, seconds). Phases overlap where they run concurrently.
    pub phases: Vec<(&'static str, f64)>,
}

/// Subtrees at least this large get their by-sector and by-division sums stored with the
/// run, so a report on them reads those instead of grouping every organisation's rows.
const GROUPED_FROM: usize = 500;

type Groups = HashMap<(&'static str, String), HashMap<String, f64>>;

/// One organisation on the way down the tree: its own measures and its subtree's so far.
struct Frame {
    id: i64,
    path: String,
    own: HashMap<String, f64>,
    total: HashMap<String, f64>,
    /// The subtree's totals by sector and by county-level division (region code's first six digits).
    groups: Groups,
    size: usize,
}

#[derive(Default)]
struct Walk {
    stack: Vec<Frame>,
    rows: Vec<MeasureRow>,
    grouped: Vec<GroupRow>,
    orgs: usize,
}

impl Walk {
    /// Closes the top frame: its rows are final and its total joins its parent's.
    fn pop(&mut self) {
        let f = self.stack.pop().expect("non-empty");
        let mut keys: Vec<&String> = f.total.keys().collect();
        keys.sort();
        for m in keys {
            let total = f.total[m];
            let own = f.own.get(m).copied().unwrap_or(0.0);
            if total != 0.0 || own != 0.0 {
                self.rows.push(MeasureRow { org_id: f.id, measure: m.clone(), own, total });
            }
        }
        if f.size >= GROUPED_FROM {
            for ((grouping, key), ms) in &f.groups {
                for (m, total) in ms.iter().filter(|(_, v)| **v != 0.0) {
                    self.grouped.push(GroupRow { org_id: f.id, grouping, key: key.clone(), measure: m.clone(), total: *total });
                }
            }
        }
        if let Some(parent) = self.stack.last_mut() {
            parent.size += f.size;
            for (m, v) in f.total {
                *parent.total.entry(m).or_insert(0.0) += v;
            }
            for (g, ms) in f.groups {
                let into = parent.groups.entry(g).or_default();
                for (m, v) in ms {
                    *into.entry(m).or_insert(0.0) += v;
                }
            }
        }
    }

    fn push(&mut self, org: &domain::org::Org, own: HashMap<String, f64>) {
        while self.stack.last().is_some_and(|top| !org.path.starts_with(&top.path)) {
            self.pop();
        }
        self.orgs += 1;
        let division: String = org.region_code.chars().take(6).collect();
        let groups = Groups::from([(("sector", org.sector.code().to_string()), own.clone()), (("region", division), own.clone())]);
        self.stack.push(Frame { id: org.id, path: org.path.clone(), total: own.clone(), own, groups, size: 1 });
    }
}

/// Computes every measure for `year` over the whole jurisdiction and caches it as a new run.
pub async fn compute(store: &Store, rules: &Rules, year: i32, as_of: Date) -> Result<Computed, IndicatorError> {
    let started = std::time::Instant::now();
    let all = Scope::jurisdiction();
    let root = store.org_children(&all, None).await?.into_iter().next().ok_or(IndicatorError::Empty)?.org;
    let mut phases = Vec::new();
    let mut clock = std::time::Instant::now();
    let mut lap = |name: &'static str, phases: &mut Vec<(&'static str, f64)>| {
        phases.push((name, clock.elapsed().as_secs_f64()));
        clock = std::time::Instant::now();
    };
    let mut extra = measures::survey(store, year).await?;
    lap("问卷", &mut phases);
    let registry = store.registry_measures(year, as_of, f64::from(rules.training.member_hours.get())).await?;
    lap("登记统计", &mut phases);
    for (org, k, v) in registry {
        *extra.entry(org).or_default().entry(k).or_insert(0.0) += v;
    }
    for (org, m) in measures::interviews(store, year).await? {
        let e = extra.entry(org).or_default();
        for (k, v) in m {
            *e.entry(k).or_insert(0.0) += v;
        }
    }
    lap("访谈", &mut phases);
    let run = store.begin_indicator_run(year, as_of, root.id, &rules.version, &Catalogue::builtin().version).await?;
    // Finished rows go to a writer task while the walk goes on, so memory holds a batch.
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<Vec<MeasureRow>>();
    let writer = {
        let store = store.clone();
        tokio::spawn(async move {
            let (mut n, mut busy) = (0, 0.0);
            while let Some(rows) = rx.recv().await {
                n += rows.len();
                let t = std::time::Instant::now();
                store.write_measures(run, &rows).await?;
                busy += t.elapsed().as_secs_f64();
            }
            Ok::<(usize, f64), StoreError>((n, busy))
        })
    };
    let mut walk = Walk::default();
    let each = |org: &domain::org::Org, facts: &domain::compliance::OrgYear, verdicts: Vec<domain::compliance::RuleVerdict>| {
        let mut own = measures::registry(rules, org, facts, &verdicts);
        if let Some(e) = extra.remove(&org.id) {
            for (k, v) in e {
                *own.entry(k).or_insert(0.0) += v;
            }
        }
        walk.push(org, own);
        if walk.rows.len() >= 5_000 {
            // The receiver lives until the sender is dropped below.
            let _ = tx.send(std::mem::take(&mut walk.rows));
        }
    };
    let judged = store.judge_subtree(&all, root.id, rules, year, as_of, each).await;
    while !walk.stack.is_empty() {
        walk.pop();
    }
    let _ = tx.send(std::mem::take(&mut walk.rows));
    drop(tx);
    let orgs = judged?;
    lap("合规判定与汇总", &mut phases);
    store.write_group_measures(run, &walk.grouped).await?;
    let (written, busy) = writer.await.map_err(|e| IndicatorError::Survey(format!("写入指标的任务失败：{e}")))??;
    lap("写入剩余结果", &mut phases);
    phases.push(("写入结果（与判定并行，合计）", busy));
    let seconds = started.elapsed().as_secs_f64();
    store.finish_indicator_run(run, orgs as i64, seconds).await?;
    Ok(Computed { run, orgs, rows: written, seconds, phases })
}

/// The newest run of the year, computing one first if there is none (or `refresh`).
pub async fn run_for(store: &Store, rules: &Rules, year: i32, as_of: Date, refresh: bool) -> Result<IndicatorRun, IndicatorError> {
    if !refresh {
        if let Some(r) = store.latest_indicator_run(year).await? {
            return Ok(r);
        }
    }
    compute(store, rules, year, as_of).await?;
    store.latest_indicator_run(year).await?.ok_or(IndicatorError::NotComputed { year })
}

/// An indicator's value with its definition.
#[derive(Debug, Clone, Serialize)]
pub struct Figure {
    pub indicator: Indicator,
    pub value: Value,
}

/// Every indicator of the catalogue for the subtree of `org`.
pub async fn figures(store: &Store, scope: &Scope, run: &IndicatorRun, org: i64) -> Result<(HashMap<String, f64>, Vec<Figure>), IndicatorError> {
    let totals = store.measure_totals(scope, run.id, org).await?;
    let figs = Catalogue::builtin().indicators.iter().map(|i| Figure { indicator: i.clone(), value: i.evaluate(&totals) }).collect();
    Ok((totals, figs))
}

/// Every indicator for each county-level division of the subtree of `org`: (region code,
/// name of its local committee, values).
pub async fn by_region(store: &Store, scope: &Scope, run: &IndicatorRun, org: i64) -> Result<Vec<(String, Option<String>, Vec<Value>)>, IndicatorError> {
    let groups = store.measures_by_region(scope, run.id, org, &Catalogue::builtin().measures()).await?;
    Ok(groups.into_iter().map(|(c, n, t)| (c, n, Catalogue::builtin().indicators.iter().map(|i| i.evaluate(&t)).collect())).collect())
}

/// Every indicator for each sector of the subtree of `org`.
pub async fn by_sector(store: &Store, scope: &Scope, run: &IndicatorRun, org: i64) -> Result<Vec<(Sector, Vec<Value>)>, IndicatorError> {
    let groups = store.measures_by_sector(scope, run.id, org, &Catalogue::builtin().measures()).await?;
    Ok(groups.into_iter().map(|(s, t)| (s, Catalogue::builtin().indicators.iter().map(|i| i.evaluate(&t)).collect())).collect())
}
