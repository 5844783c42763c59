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
use store::{GroupRow, IndicatorRun, LeaderRow, MeasureDictionary, OrgMeasures, Scope, Store, StoreError};

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

/// A background task of a run that ended without finishing or panicking: the runtime
/// cancelled it (the program is shutting down). tokio's own text is English.
fn cancelled(task: &str) -> String {
    format!("{task}的任务在完成前被取消（程序正在退出），本次计算没有保存；请重新计算")
}

/// Subtrees at least this large get their by-sector and by-division sums stored with the
/// run, so a report on them reads those instead of grouping every organisation's rows.
const GROUPED_FROM: usize = 500;

/// Measures by their number in the run's dictionary (计数向量): the walks add these up
/// the tree, where maps keyed by name cost a hash and an allocation per measure and level.
#[derive(Debug, Clone, Default)]
struct Tally(Vec<f64>);

impl Tally {
    /// An organisation's measures, numbered in `names`.
    fn of(names: &mut MeasureDictionary, measures: &HashMap<String, f64>) -> Tally {
        let mut t = Tally::default();
        for (name, v) in measures {
            t.add_named(names, name, *v);
        }
        t
    }

    /// Adds `v` to the measure called `name`, numbering it in `names` when new.
    fn add_named(&mut self, names: &mut MeasureDictionary, name: &str, v: f64) {
        let i = names.number(name) as usize;
        if self.0.len() <= i {
            self.0.resize(i + 1, 0.0);
        }
        self.0[i] += v;
    }

    fn add(&mut self, other: &Tally) {
        if self.0.len() < other.0.len() {
            self.0.resize(other.0.len(), 0.0);
        }
        for (a, b) in self.0.iter_mut().zip(&other.0) {
            *a += b;
        }
    }

    fn get(&self, i: usize) -> f64 {
        self.0.get(i).copied().unwrap_or(0.0)
    }
}

type Groups = HashMap<(&'static str, String), Tally>;

/// The organisations with the largest own counts (前几名) of each count measure in a
/// subtree, as (measure number, own, organisation), by measure, then largest first, ties
/// in path order; at most [`store::LEADERS`] per measure. Stored for large subtrees, so a
/// report names who is behind a figure from one row (`Store::measure_orgs`).
#[derive(Debug, Clone, Default)]
struct Leaders(Vec<(u32, f64, i64)>);

impl Leaders {
    /// An organisation's own counts; a rule's verdicts (0 or 1 each) are not counts.
    fn of(names: &MeasureDictionary, id: i64, own: &Tally) -> Leaders {
        Leaders(own.0.iter().enumerate().filter(|(i, v)| **v != 0.0 && !names.name(*i as u32).starts_with("rule.")).map(|(i, v)| (i as u32, *v, id)).collect())
    }

    /// Adds `later`'s leaders, all of whose organisations come after this one's in path order.
    fn merge(&mut self, later: &Leaders) {
        let (a, b) = (&self.0, &later.0);
        let mut out = Vec::with_capacity(a.len() + b.len());
        let (mut i, mut j, mut measure, mut n) = (0, 0, u32::MAX, 0);
        while i < a.len() || j < b.len() {
            let first = match (a.get(i), b.get(j)) {
                (Some(x), Some(y)) => x.0 < y.0 || (x.0 == y.0 && x.1 >= y.1),
                (x, _) => x.is_some(),
            };
            let e = if first { a[i] } else { b[j] };
            if first { i += 1 } else { j += 1 }
            if e.0 != measure {
                (measure, n) = (e.0, 0);
            }
            if n < store::LEADERS {
                out.push(e);
                n += 1;
            }
        }
        self.0 = out;
    }

    /// One row per measure: "org:own,…".
    fn rows(&self, names: &MeasureDictionary, org_id: i64) -> Vec<LeaderRow> {
        let mut rows: Vec<LeaderRow> = Vec::new();
        for (i, own, org) in &self.0 {
            let entry = format!("{org}:{own}");
            match rows.last_mut() {
                Some(r) if r.measure == names.name(*i) => r.leaders = format!("{},{entry}", r.leaders),
                _ => rows.push(LeaderRow { org_id, measure: names.name(*i).to_string(), leaders: entry }),
            }
        }
        rows
    }
}

/// One organisation on the way down the tree: its own measures and its subtree's so far.
struct Frame {
    id: i64,
    path: String,
    own: Tally,
    total: Tally,
    /// The subtree's totals by sector and by county-level division (region code's first six digits).
    groups: Groups,
    leaders: Leaders,
    size: usize,
}

#[derive(Default)]
struct Walk {
    /// The family of measures this walk rolls up (the part its vectors are stored as).
    part: i64,
    stack: Vec<Frame>,
    rows: Vec<OrgMeasures>,
    grouped: Vec<GroupRow>,
    leaders: Vec<LeaderRow>,
}

impl Walk {
    /// Closes the top frame: its rows are final and its total joins its parent's.
    fn pop(&mut self, names: &MeasureDictionary) {
        let f = self.stack.pop().expect("non-empty");
        let measures: Vec<(u32, f64, f64)> = (0..f.total.0.len()).map(|i| (i as u32, f.own.get(i), f.total.get(i))).filter(|(_, o, t)| *o != 0.0 || *t != 0.0).collect();
        if !measures.is_empty() {
            self.rows.push(OrgMeasures { org_id: f.id, part: self.part, measures });
        }
        if f.size >= GROUPED_FROM {
            for ((grouping, key), ms) in &f.groups {
                for (i, total) in ms.0.iter().enumerate().filter(|(_, v)| **v != 0.0) {
                    self.grouped.push(GroupRow { org_id: f.id, grouping, key: key.clone(), measure: names.name(i as u32).to_string(), total: *total });
                }
            }
            // The first walk also marks the subtree as one whose leaders are stored.
            if self.part == 0 {
                self.leaders.push(LeaderRow { org_id: f.id, measure: String::new(), leaders: String::new() });
            }
            self.leaders.extend(f.leaders.rows(names, f.id));
        }
        if let Some(parent) = self.stack.last_mut() {
            parent.size += f.size;
            parent.total.add(&f.total);
            parent.leaders.merge(&f.leaders);
            for (g, ms) in f.groups {
                match parent.groups.get_mut(&g) {
                    Some(into) => into.add(&ms),
                    None => {
                        parent.groups.insert(g, ms);
                    }
                }
            }
        }
    }

    /// Closes every frame left.
    fn finish(&mut self, names: &MeasureDictionary) {
        while !self.stack.is_empty() {
            self.pop(names);
        }
    }

    fn push(&mut self, names: &MeasureDictionary, p: &Place, own: Tally) {
        while self.stack.last().is_some_and(|top| !p.path.starts_with(&top.path)) {
            self.pop(names);
        }
        let groups = Groups::from([(("sector", p.sector.to_string()), own.clone()), (("region", p.division.clone()), own.clone())]);
        let leaders = Leaders::of(names, p.id, &own);
        self.stack.push(Frame { id: p.id, path: p.path.clone(), total: own.clone(), own, groups, leaders, size: 1 });
    }
}

/// Where an organisation sits: what the walks need of it.
struct Place {
    id: i64,
    path: String,
    sector: &'static str,
    /// The county-level division: the region code's first six digits.
    division: String,
}

impl Place {
    fn of(org: &domain::org::Org) -> Place {
        Place { id: org.id, path: org.path.clone(), sector: org.sector.code(), division: org.region_code.chars().take(6).collect() }
    }
}

/// Computes every measure for `year` over the whole jurisdiction and caches it as a new run.
pub async fn compute(store: &Store, rules: &Rules, year: i32, as_of: Date) -> Result<Computed, IndicatorError> {
    let started = std::time::Instant::now();
    let all = Scope::jurisdiction();
    let root = store.org_children(&all, None).await?.into_iter().next().ok_or(IndicatorError::Empty)?.org;
    let run = store.begin_indicator_run(year, as_of, root.id, &rules.version, &Catalogue::builtin().version).await?;
    // Finished rows go to a writer task while the walk goes on, so memory holds a batch.
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<Vec<OrgMeasures>>();
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
    // The survey, registry and interview measures are read in a task of their own while
    // the compliance engine walks the tree (on the same task, the walk's judging would
    // hold their finished queries unread); they are rolled up afterwards in a second walk
    // over the same organisations (their measure names differ from the engine's).
    let others = {
        let (store, hours) = (store.clone(), f64::from(rules.training.member_hours.get()));
        tokio::spawn(async move {
            let t = std::time::Instant::now();
            let mut extra = measures::survey(&store, year).await?;
            for (org, k, v) in store.registry_measures(year, as_of, hours, None).await? {
                *extra.entry(org).or_default().entry(k).or_insert(0.0) += v;
            }
            for (org, m) in measures::interviews(&store, year).await? {
                let e = extra.entry(org).or_default();
                for (k, v) in m {
                    *e.entry(k).or_insert(0.0) += v;
                }
            }
            Ok::<_, IndicatorError>((extra, t.elapsed().as_secs_f64()))
        })
    };
    // The measure names of the run, numbered as the walks meet them.
    let mut names = MeasureDictionary::default();
    let mut walk = Walk::default();
    let mut order: Vec<Place> = Vec::new();
    let each = |org: &domain::org::Org, facts: &domain::compliance::OrgYear, verdicts: Vec<domain::compliance::RuleVerdict>| {
        let place = Place::of(org);
        let mut own = Tally::default();
        measures::registry_into(rules, org, facts, &verdicts, as_of, &mut |name, v| own.add_named(&mut names, name, v));
        walk.push(&names, &place, own);
        order.push(place);
        if walk.rows.len() >= 500 {
            // The receiver lives until the sender is dropped below.
            let _ = tx.send(std::mem::take(&mut walk.rows));
        }
    };
    let judging = async {
        let t = std::time::Instant::now();
        let r = store.judge_subtree(&all, root.id, rules, year, as_of, each).await;
        (r, t.elapsed().as_secs_f64())
    };
    let (judged, judge_secs) = judging.await;
    let orgs = judged?;
    let (mut extra, other_secs) = match others.await {
        Ok(r) => r?,
        Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
        Err(_) => return Err(IndicatorError::Survey(cancelled("计算问卷、登记统计和访谈"))),
    };
    let mut phases = vec![("合规判定与汇总", judge_secs), ("问卷、登记统计和访谈（与判定并行）", other_secs)];
    let t = std::time::Instant::now();
    walk.finish(&names);
    let mut second = Walk { part: 1, ..Walk::default() };
    for place in &order {
        let own = extra.remove(&place.id).map(|m| Tally::of(&mut names, &m)).unwrap_or_default();
        second.push(&names, place, own);
        if second.rows.len() >= 500 {
            let _ = tx.send(std::mem::take(&mut second.rows));
        }
    }
    second.finish(&names);
    let _ = tx.send(std::mem::take(&mut walk.rows));
    let _ = tx.send(std::mem::take(&mut second.rows));
    drop(tx);
    walk.grouped.append(&mut second.grouped);
    store.write_group_measures(run, &walk.grouped).await?;
    walk.leaders.append(&mut second.leaders);
    store.write_leaders(run, &walk.leaders).await?;
    let (written, busy) = match writer.await {
        Ok(r) => r?,
        Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
        Err(_) => return Err(IndicatorError::Survey(cancelled("写入指标"))),
    };
    phases.push(("汇总其余度量并写完结果", t.elapsed().as_secs_f64()));
    phases.push(("写入结果（与判定并行，合计）", busy));
    let seconds = started.elapsed().as_secs_f64();
    store.finish_indicator_run(run, &names, orgs as i64, seconds).await?;
    Ok(Computed { run, orgs, rows: written, seconds, phases })
}

/// Whether a measure comes from the field research (questionnaires, interviews) rather
/// than the registry.
pub fn is_fieldwork(measure: &str) -> bool {
    measure.starts_with("survey.") || measure.starts_with("codes.") || measure.starts_with("interviews.")
}

/// Brings the year's current run up to date for one organisation after a write to the
/// registry (a meeting recorded, say): its own measures are computed again (the
/// compliance engine's for it alone, and its registry statistics) and the differences
/// carried up to its ancestors' totals. Survey and interview measures stay as they are:
/// a registry write does not touch them. Nothing to do when the year has no current run.
/// Returns how many measures changed.
pub async fn update_org(store: &Store, rules: &Rules, year: i32, org_id: i64) -> Result<usize, IndicatorError> {
    let Some(run) = cached_run(store, rules, year).await? else { return Ok(0) };
    let org = store.org(&Scope::jurisdiction(), org_id).await?;
    if org.dissolved_on.is_some() {
        // Runs count active organisations only.
        return Ok(0);
    }
    let engine = store.judge_one(&org, rules, year, run.as_of, |facts, verdicts| measures::registry(rules, &org, facts, &verdicts, run.as_of)).await?;
    let mut changed = store.update_org_measures(run.id, &org, 0, &engine).await?;
    let mut other: HashMap<String, f64> =
        store.org_measures(run.id, org.id, 1).await?.into_iter().filter(|(n, (own, _))| is_fieldwork(n) && *own != 0.0).map(|(n, (own, _))| (n, own)).collect();
    for (_, k, v) in store.registry_measures(year, run.as_of, f64::from(rules.training.member_hours.get()), Some(org.id)).await? {
        *other.entry(k).or_insert(0.0) += v;
    }
    changed += store.update_org_measures(run.id, &org, 1, &other).await?;
    Ok(changed)
}

/// The newest run of the year that was computed under the rules and the catalogue in
/// effect. A run of another catalogue or rules version does not count: the measures a
/// newer catalogue added would read as zero, and its verdicts judged other rules.
pub async fn cached_run(store: &Store, rules: &Rules, year: i32) -> Result<Option<IndicatorRun>, IndicatorError> {
    Ok(store.latest_indicator_run(year).await?.filter(|r| r.rules_version == rules.version && r.catalogue_version == Catalogue::builtin().version))
}

/// The year's current run (see [`cached_run`]), computing one first if there is none (or
/// `refresh`).
pub async fn run_for(store: &Store, rules: &Rules, year: i32, as_of: Date, refresh: bool) -> Result<IndicatorRun, IndicatorError> {
    if !refresh {
        if let Some(r) = cached_run(store, rules, year).await? {
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
