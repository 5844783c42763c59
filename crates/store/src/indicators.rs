//! Indicator measures cached per run (指标度量): each organisation's own count and its
//! subtree's total of every measure, written by crate `indicators` in batches, read back
//! for any organisation in one lookup, grouped by sector over a subtree, and the
//! organisations behind a measure (the evidence).

use crate::query::{Arg, Sql};
use crate::rows::RowExt;
use crate::scope::path_range;
use crate::{Scope, Store, StoreError};
use domain::org::Sector;
use domain::Date;
use std::collections::HashMap;

/// One computation of the measures for a year.
#[derive(Debug, Clone)]
pub struct IndicatorRun {
    pub id: i64,
    pub year: i32,
    pub as_of: Date,
    pub root_id: i64,
    pub rules_version: String,
    pub catalogue_version: String,
    pub orgs: i64,
    pub finished_at: Option<String>,
    pub seconds: Option<f64>,
}

/// The measures of one organisation in one family (part 0: the compliance engine's walk,
/// part 1: survey, registry statistics and interviews): measure number in the run's
/// [`MeasureDictionary`], own count, subtree total.
#[derive(Debug, Clone)]
pub struct OrgMeasures {
    pub org_id: i64,
    pub part: i64,
    pub measures: Vec<(u32, f64, f64)>,
}

/// A run's measure names (指标度量名称表), numbered as they are first met; a stored
/// vector refers to a measure by its number.
#[derive(Debug, Default)]
pub struct MeasureDictionary {
    names: Vec<String>,
    index: HashMap<String, u32>,
}

impl MeasureDictionary {
    /// The number of a measure name, numbering it when it is new.
    pub fn number(&mut self, name: &str) -> u32 {
        if let Some(i) = self.index.get(name) {
            return *i;
        }
        let i = self.names.len() as u32;
        self.names.push(name.to_string());
        self.index.insert(name.to_string(), i);
        i
    }

    /// The name numbered `n`.
    pub fn name(&self, n: u32) -> &str {
        &self.names[n as usize]
    }

    /// [`encode`] of measures given by name, numbering new names.
    fn encode(&mut self, measures: &[(String, f64, f64)]) -> String {
        let numbered: Vec<(u32, f64, f64)> = measures.iter().map(|(name, own, total)| (self.number(name), *own, *total)).collect();
        encode(&numbered)
    }

    /// The dictionary a run was stored with.
    fn from_names(names: Vec<String>) -> MeasureDictionary {
        let index = names.iter().enumerate().map(|(i, n)| (n.clone(), i as u32)).collect();
        MeasureDictionary { names, index }
    }

    /// One name per line, as stored with the run.
    fn text(&self) -> String {
        self.names.join("\n")
    }
}

/// ",i:own:total,…," of the measures that are not zero (numbers in their shortest exact
/// form): a stored vector.
fn encode(measures: &[(u32, f64, f64)]) -> String {
    use std::fmt::Write;
    let mut out = String::from(",");
    // Counts are most values: written as integers they skip the float formatting and
    // read the same (an integral f64 prints without a fraction either way).
    let number = |out: &mut String, v: f64| {
        if v.fract() == 0.0 && v.abs() < 1e15 {
            let _ = write!(out, "{}", v as i64);
        } else {
            let _ = write!(out, "{v}");
        }
    };
    for (i, own, total) in measures.iter().filter(|(_, o, t)| *o != 0.0 || *t != 0.0) {
        let _ = write!(out, "{i}:");
        number(&mut out, *own);
        out.push(':');
        number(&mut out, *total);
        out.push(',');
    }
    out
}

/// The own count and total of the first entry of `tail`, a stored vector from one of its
/// entries on ("i:own:total,…"); zeros when it is empty.
fn first_entry(names: &[String], tail: &str) -> Result<(f64, f64), StoreError> {
    match decode(names, tail.split(',').next().unwrap_or_default()).next() {
        Some(e) => e.map(|(_, own, total)| (own, total)),
        None => Ok((0.0, 0.0)),
    }
}

/// A run's dictionary as stored: one name per line.
fn names_of(text: &str) -> Vec<String> {
    text.split('\n').filter(|n| !n.is_empty()).map(str::to_string).collect()
}

/// A stored vector as a map: name → (own, total).
fn vector(names: &[String], text: &str) -> Result<HashMap<String, (f64, f64)>, StoreError> {
    decode(names, text).map(|e| e.map(|(n, own, total)| (n.to_string(), (own, total)))).collect()
}

/// A stored vector read against its run's names: (name, own, total) for each entry.
fn decode<'a>(names: &'a [String], text: &'a str) -> impl Iterator<Item = Result<(&'a str, f64, f64), StoreError>> + 'a {
    text.split(',').filter(|e| !e.is_empty()).map(move |e| {
        let bad = || StoreError::Corrupt(format!("indicator_vectors: {e}"));
        let mut it = e.split(':');
        let i: usize = it.next().and_then(|x| x.parse().ok()).ok_or_else(bad)?;
        let own: f64 = it.next().and_then(|x| x.parse().ok()).ok_or_else(bad)?;
        let total: f64 = it.next().and_then(|x| x.parse().ok()).ok_or_else(bad)?;
        Ok((names.get(i).ok_or_else(bad)?.as_str(), own, total))
    })
}

/// A subtree's total of one measure within one group (sector or county-level division).
pub struct GroupRow {
    pub org_id: i64,
    /// "sector" or "region".
    pub grouping: &'static str,
    pub key: String,
    pub measure: String,
    pub total: f64,
}

/// How many organisations a subtree's stored leaders keep per count measure: a report
/// names five (`indicator_leaders`).
pub const LEADERS: usize = 5;

/// The leaders of one count measure in a large subtree: "org:own,…", largest first.
pub struct LeaderRow {
    pub org_id: i64,
    /// Empty for the row that marks the subtree's leaders as stored.
    pub measure: String,
    pub leaders: String,
}

/// An organisation behind a measure, with its own count.
#[derive(Debug, Clone, serde::Serialize)]
pub struct MeasureOrg {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub sector: Sector,
    pub own: f64,
}

fn run_from(r: &sqlx::any::AnyRow) -> Result<IndicatorRun, StoreError> {
    Ok(IndicatorRun {
        id: r.i("id")?,
        year: r.i("year")? as i32,
        as_of: r.d("as_of")?,
        root_id: r.i("root_id")?,
        rules_version: r.s("rules_version")?,
        catalogue_version: r.s("catalogue_version")?,
        orgs: r.i("orgs")?,
        finished_at: r.os("finished_at")?,
        seconds: r.of("seconds")?,
    })
}

impl Store {
    pub async fn begin_indicator_run(&self, year: i32, as_of: Date, root_id: i64, rules_version: &str, catalogue_version: &str) -> Result<i64, StoreError> {
        let id: i64 = sqlx::query_scalar("INSERT INTO indicator_runs (year, as_of, root_id, rules_version, catalogue_version, started_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id")
            .bind(year as i64)
            .bind(as_of.to_string())
            .bind(root_id)
            .bind(rules_version)
            .bind(catalogue_version)
            .bind(crate::now_text())
            .fetch_one(&self.pool)
            .await?;
        Ok(id)
    }

    /// Writes organisations' measure vectors of a run (one statement, so all or nothing);
    /// their numbers are those of the dictionary [`Self::finish_indicator_run`] stores.
    pub async fn write_measures(&self, run: i64, rows: &[OrgMeasures]) -> Result<(), StoreError> {
        let doc: Vec<_> = rows.iter().map(|r| (r.org_id, r.part, encode(&r.measures))).collect();
        self.insert_json(run, "indicator_vectors (run_id, org_id, part, measures)", &["BIGINT", "BIGINT", "TEXT"], &doc).await
    }

    /// Writes the stored by-sector and by-division sums of a run.
    pub async fn write_group_measures(&self, run: i64, rows: &[GroupRow]) -> Result<(), StoreError> {
        for chunk in rows.chunks(20_000) {
            let doc: Vec<_> = chunk.iter().map(|r| (r.org_id, r.grouping, r.key.as_str(), r.measure.as_str(), r.total)).collect();
            self.insert_json(run, "indicator_group_facts (run_id, org_id, grouping, group_key, measure, total)", &["BIGINT", "TEXT", "TEXT", "TEXT", "DOUBLE PRECISION"], &doc).await?;
        }
        Ok(())
    }

    /// Writes the stored leaders of a run's large subtrees.
    pub async fn write_leaders(&self, run: i64, rows: &[LeaderRow]) -> Result<(), StoreError> {
        for chunk in rows.chunks(20_000) {
            let doc: Vec<_> = chunk.iter().map(|r| (r.org_id, r.measure.as_str(), r.leaders.as_str())).collect();
            self.insert_json(run, "indicator_leaders (run_id, org_id, measure, leaders)", &["BIGINT", "TEXT", "TEXT"], &doc).await?;
        }
        Ok(())
    }

    /// Inserts `run` followed by each row of `rows` (JSON arrays whose elements have the
    /// PostgreSQL `types`) into `target` ("table (columns)"). The batch goes as one JSON
    /// document the database unpacks itself: one statement and one parameter instead of
    /// a bind per value (3–5× faster on SQLite).
    async fn insert_json<T: serde::Serialize>(&self, run: i64, target: &str, types: &[&str], rows: &[T]) -> Result<(), StoreError> {
        let doc = serde_json::to_string(rows).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let sql = match self.backend {
            crate::Backend::Sqlite => {
                let cols: Vec<String> = (0..types.len()).map(|i| format!("value ->> {i}")).collect();
                format!("INSERT INTO {target} SELECT $1, {} FROM json_each($2)", cols.join(", "))
            }
            crate::Backend::Postgres => {
                let cols: Vec<String> = types.iter().enumerate().map(|(i, t)| format!("(e ->> {i})::{t}")).collect();
                format!("INSERT INTO {target} SELECT $1, {} FROM jsonb_array_elements($2::jsonb) e", cols.join(", "))
            }
        };
        sqlx::query(&sql).bind(run).bind(doc).execute(&self.pool).await?;
        Ok(())
    }

    pub async fn finish_indicator_run(&self, run: i64, names: &MeasureDictionary, orgs: i64, seconds: f64) -> Result<(), StoreError> {
        sqlx::query("UPDATE indicator_runs SET measures = $1, orgs = $2, seconds = $3, finished_at = $4 WHERE id = $5")
            .bind(names.text())
            .bind(orgs)
            .bind(seconds)
            .bind(crate::now_text())
            .bind(run)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// One organisation's own count and subtree total of each measure of one part.
    pub async fn org_measures(&self, run: i64, org: i64, part: i64) -> Result<HashMap<String, (f64, f64)>, StoreError> {
        let names = self.measure_names(run).await?;
        let text: Option<String> = sqlx::query_scalar("SELECT measures FROM indicator_vectors WHERE run_id = $1 AND org_id = $2 AND part = $3").bind(run).bind(org).bind(part).fetch_optional(&self.pool).await?;
        vector(&names, &text.unwrap_or_default())
    }

    /// Replaces one organisation's own measures of one part in a run and carries the
    /// difference up: its total and every ancestor's total, and the by-sector and
    /// by-division sums stored for an ancestor's large subtree. One transaction, which
    /// first locks the run's row, so concurrent updates apply one after the other.
    /// Returns how many measures changed.
    pub async fn update_org_measures(&self, run: i64, org: &domain::org::Org, part: i64, own: &HashMap<String, f64>) -> Result<usize, StoreError> {
        let mut tx = self.pool.begin().await?;
        // The write lock on SQLite, the run's row on PostgreSQL.
        sqlx::query("UPDATE indicator_runs SET id = id WHERE id = $1").bind(run).execute(&mut *tx).await?;
        let text: Option<String> = sqlx::query_scalar("SELECT measures FROM indicator_runs WHERE id = $1").bind(run).fetch_optional(&mut *tx).await?;
        let mut names = MeasureDictionary::from_names(names_of(&text.unwrap_or_default()));
        let known = names.names.len();
        // The chain from the root down to the organisation, by id.
        let chain: Vec<i64> = org.path.split('/').filter(|x| !x.is_empty()).map(|x| x.parse().map_err(|_| StoreError::Corrupt(format!("orgs.path = {}", org.path)))).collect::<Result<_, _>>()?;
        let mut delta: HashMap<String, f64> = HashMap::new();
        for id in chain.iter().rev() {
            let text: Option<String> = sqlx::query_scalar("SELECT measures FROM indicator_vectors WHERE run_id = $1 AND org_id = $2 AND part = $3").bind(run).bind(*id).bind(part).fetch_optional(&mut *tx).await?;
            let mut m = vector(&names.names, &text.unwrap_or_default())?;
            if *id == org.id {
                for name in m.keys().chain(own.keys()) {
                    let d = own.get(name).copied().unwrap_or(0.0) - m.get(name).map_or(0.0, |x| x.0);
                    if d != 0.0 {
                        delta.insert(name.clone(), d);
                    }
                }
                if delta.is_empty() {
                    return Ok(0);
                }
                for name in own.keys() {
                    m.entry(name.clone()).or_insert((0.0, 0.0));
                }
                for (name, v) in m.iter_mut() {
                    v.0 = own.get(name).copied().unwrap_or(0.0);
                }
            }
            for (name, d) in &delta {
                m.entry(name.clone()).or_insert((0.0, 0.0)).1 += d;
            }
            let mut list: Vec<(String, f64, f64)> = m.into_iter().map(|(n, (o, t))| (n, o, t)).collect();
            list.sort_by(|a, b| a.0.cmp(&b.0));
            sqlx::query("INSERT INTO indicator_vectors (run_id, org_id, part, measures) VALUES ($1, $2, $3, $4) ON CONFLICT (run_id, org_id, part) DO UPDATE SET measures = excluded.measures")
                .bind(run)
                .bind(*id)
                .bind(part)
                .bind(names.encode(&list))
                .execute(&mut *tx)
                .await?;
            // The stored group sums of this organisation's subtree, when it has them.
            let grouped: Option<i64> = sqlx::query_scalar("SELECT 1 FROM indicator_group_facts WHERE run_id = $1 AND org_id = $2 LIMIT 1").bind(run).bind(*id).fetch_optional(&mut *tx).await?;
            if grouped.is_some() {
                // The subtree's stored leaders of a changed count are no longer known: the
                // next report finds them by the scan (NULL, see indicator_leaders).
                for name in delta.keys().filter(|n| !n.starts_with("rule.")) {
                    sqlx::query("INSERT INTO indicator_leaders (run_id, org_id, measure, leaders) VALUES ($1, $2, $3, NULL) ON CONFLICT (run_id, org_id, measure) DO UPDATE SET leaders = NULL")
                        .bind(run)
                        .bind(*id)
                        .bind(name)
                        .execute(&mut *tx)
                        .await?;
                }
                let division: String = org.region_code.chars().take(6).collect();
                for (grouping, key) in [("sector", domain::Labelled::code(org.sector).to_string()), ("region", division)] {
                    for (name, d) in &delta {
                        sqlx::query(
                            "INSERT INTO indicator_group_facts (run_id, org_id, grouping, group_key, measure, total) VALUES ($1, $2, $3, $4, $5, $6) \
                             ON CONFLICT (run_id, org_id, grouping, group_key, measure) DO UPDATE SET total = indicator_group_facts.total + excluded.total",
                        )
                        .bind(run)
                        .bind(*id)
                        .bind(grouping)
                        .bind(&key)
                        .bind(name)
                        .bind(*d)
                        .execute(&mut *tx)
                        .await?;
                    }
                }
            }
        }
        if names.names.len() > known {
            sqlx::query("UPDATE indicator_runs SET measures = $1 WHERE id = $2").bind(names.text()).bind(run).execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(delta.len())
    }

    /// The measure names of a run, by number.
    async fn measure_names(&self, run: i64) -> Result<Vec<String>, StoreError> {
        let text: Option<String> = sqlx::query_scalar("SELECT measures FROM indicator_runs WHERE id = $1").bind(run).fetch_optional(&self.pool).await?;
        Ok(names_of(&text.unwrap_or_default()))
    }

    /// Whether the registry holds any meeting of `year` (so that year's indicators mean something).
    pub async fn year_has_meetings(&self, year: i32) -> Result<bool, StoreError> {
        let r = sqlx::query("SELECT id FROM meetings WHERE held_on >= $1 AND held_on <= $2 LIMIT 1").bind(format!("{year:04}-01-01")).bind(format!("{year:04}-12-31")).fetch_optional(&self.pool).await?;
        Ok(r.is_some())
    }

    /// The newest finished run of `year`.
    pub async fn latest_indicator_run(&self, year: i32) -> Result<Option<IndicatorRun>, StoreError> {
        let r = sqlx::query("SELECT * FROM indicator_runs WHERE year = $1 AND finished_at IS NOT NULL ORDER BY id DESC LIMIT 1").bind(year as i64).fetch_optional(&self.pool).await?;
        r.as_ref().map(run_from).transpose()
    }

    /// The subtree totals of an organisation in scope.
    pub async fn measure_totals(&self, scope: &Scope, run: i64, org: i64) -> Result<HashMap<String, f64>, StoreError> {
        self.org(scope, org).await?;
        let names = self.measure_names(run).await?;
        let rows = sqlx::query("SELECT measures FROM indicator_vectors WHERE run_id = $1 AND org_id = $2").bind(run).bind(org).fetch_all(&self.pool).await?;
        let mut out = HashMap::new();
        for r in &rows {
            for e in decode(&names, &r.s("measures")?) {
                let (name, _, total) = e?;
                out.insert(name.to_string(), total);
            }
        }
        Ok(out)
    }

    /// The subtree totals of each child of an organisation in scope (the next level of the
    /// tree: 乡镇/街道 under a county), in code order.
    pub async fn child_measure_totals(&self, scope: &Scope, run: i64, org: i64) -> Result<Vec<(domain::org::Org, HashMap<String, f64>)>, StoreError> {
        let children: Vec<domain::org::Org> = self.org_children(scope, Some(org)).await?.into_iter().map(|c| c.org).filter(|o| o.dissolved_on.is_none()).collect();
        let names = self.measure_names(run).await?;
        let rows = sqlx::query("SELECT v.org_id, v.measures FROM indicator_vectors v JOIN orgs o ON o.id = v.org_id WHERE v.run_id = $1 AND o.parent_id = $2").bind(run).bind(org).fetch_all(&self.pool).await?;
        let mut by: HashMap<i64, HashMap<String, f64>> = HashMap::new();
        for r in &rows {
            let into = by.entry(r.i("org_id")?).or_default();
            for e in decode(&names, &r.s("measures")?) {
                let (name, _, total) = e?;
                into.insert(name.to_string(), total);
            }
        }
        Ok(children.into_iter().map(|o| {
            let t = by.remove(&o.id).unwrap_or_default();
            (o, t)
        }).collect())
    }

    /// Own counts of `measures` over the subtree of `org`, summed by `grouping` ("sector" or
    /// "region"): the sums stored with the run for a large subtree, otherwise one grouped
    /// scan of the run's rows by the SQL expression `group` over organisation `o`.
    async fn measures_grouped(&self, scope: &Scope, run: i64, org: i64, measures: &[&str], grouping: &str, group: &str) -> Result<Vec<(String, HashMap<String, f64>)>, StoreError> {
        let top = self.org(scope, org).await?;
        // A large subtree's groups were summed when the run was computed (a scope holding
        // an organisation holds its whole subtree, so nothing outside the scope is in them).
        let stored = sqlx::query("SELECT group_key, measure, total FROM indicator_group_facts WHERE run_id = $1 AND org_id = $2 AND grouping = $3 ORDER BY group_key")
            .bind(run)
            .bind(org)
            .bind(grouping)
            .fetch_all(&self.pool)
            .await?;
        if !stored.is_empty() {
            let rows = stored.iter().map(|r| Ok((r.s("group_key")?, r.s("measure")?, r.of("total")?.unwrap_or(0.0)))).collect::<Result<Vec<_>, StoreError>>()?;
            return Ok(by_group(rows.into_iter().filter(|(_, m, _)| measures.contains(&m.as_str()))));
        }
        // A small subtree: its organisations' own counts summed here, by group.
        let names = self.measure_names(run).await?;
        let (lo, hi) = path_range(&top.path);
        let mut q = Sql::new(&format!("SELECT {group} AS g, v.measures FROM indicator_vectors v JOIN orgs o ON o.id = v.org_id WHERE v.run_id = "));
        q.arg(run).push(" AND o.path >= ").arg(lo).push(" AND o.path < ").arg(hi);
        scope.orgs(&mut q, "o");
        let mut sums: std::collections::BTreeMap<String, HashMap<String, f64>> = std::collections::BTreeMap::new();
        for r in q.query().fetch_all(&self.pool).await? {
            let text = r.s("measures")?;
            let into = sums.entry(r.s("g")?).or_default();
            for e in decode(&names, &text) {
                let (name, own, _) = e?;
                if own != 0.0 && measures.contains(&name) {
                    *into.entry(name.to_string()).or_insert(0.0) += own;
                }
            }
        }
        Ok(sums.into_iter().filter(|(_, m)| !m.is_empty()).collect())
    }

    /// Own counts of `measures` summed by sector over the subtree of `org`.
    pub async fn measures_by_sector(&self, scope: &Scope, run: i64, org: i64, measures: &[&str]) -> Result<Vec<(Sector, HashMap<String, f64>)>, StoreError> {
        let mut by = Vec::new();
        for (g, m) in self.measures_grouped(scope, run, org, measures, "sector", "o.sector").await? {
            let s = <Sector as domain::Labelled>::parse(&g).ok_or_else(|| StoreError::Corrupt(format!("sector = {g}")))?;
            by.push((s, m));
        }
        by.sort_by_key(|(s, _)| <Sector as domain::Labelled>::ALL.iter().position(|x| x == s));
        Ok(by)
    }

    /// Own counts of `measures` summed by county-level division (the first six digits of
    /// the region code) over the subtree of `org`, with the name of the division's local
    /// committee where there is one.
    pub async fn measures_by_region(&self, scope: &Scope, run: i64, org: i64, measures: &[&str]) -> Result<Vec<(String, Option<String>, HashMap<String, f64>)>, StoreError> {
        let mut out: Vec<(String, Option<String>, HashMap<String, f64>)> =
            self.measures_grouped(scope, run, org, measures, "region", "substr(o.region_code, 1, 6)").await?.into_iter().map(|(g, m)| (g, None, m)).collect();
        let names = sqlx::query("SELECT region_code, name FROM orgs WHERE level = 'local_committee' AND dissolved_on IS NULL").fetch_all(&self.pool).await?;
        for n in names {
            let code = n.s("region_code")?;
            if let Some(x) = out.iter_mut().find(|(c, _, _)| *c == code) {
                x.1 = Some(n.s("name")?);
            }
        }
        Ok(out)
    }

    /// Organisations of the subtree of `org` whose own count of `measure` is not zero,
    /// largest first: who is behind a figure.
    pub async fn measure_orgs(&self, scope: &Scope, run: i64, org: i64, measure: &str, limit: i64) -> Result<Vec<MeasureOrg>, StoreError> {
        let top = self.org(scope, org).await?;
        let names = self.measure_names(run).await?;
        let Some(i) = names.iter().position(|n| n == measure) else { return Ok(Vec::new()) };
        if !measure.starts_with("rule.") {
            if let Some(found) = self.stored_leaders(scope, run, top.id, measure, limit).await? {
                return Ok(found);
            }
            let (lo, hi) = path_range(&top.path);
            return self.largest_own(scope, run, (&lo, &hi), &names, i, limit).await;
        }
        // A rule's verdict counts 1 per organisation, so largest first is path order. The
        // subtree is walked depth first in path order, going down only where the subtree's
        // total of the measure exceeds the organisation's own count, and stops at the
        // limit: a rule failing in a few branches of a province is found by reading their
        // ancestors' children, not by walking every organisation's vector in path order.
        let key = format!(",{i}:");
        let own_total = |text: &str| first_entry(&names, text.find(&key).map_or("", |at| &text[at + 1..]));
        let mut q = Sql::new("SELECT measures FROM indicator_vectors WHERE run_id = ");
        q.arg(run).push(" AND org_id = ").arg(top.id).push(" AND measures LIKE ").arg(format!("%{key}%"));
        let Some(text) = q.query().fetch_optional(&self.pool).await?.map(|r| r.s("measures")).transpose()? else { return Ok(Vec::new()) };
        let (own, total) = own_total(&text)?;
        let mut stack = vec![(MeasureOrg { id: top.id, code: top.code.clone(), name: top.name.clone(), sector: top.sector, own }, total)];
        let mut out = Vec::new();
        while let Some((org, total)) = stack.pop() {
            if total != org.own {
                let mut q = Sql::new("SELECT o.id, o.code, o.name, o.sector, v.measures FROM orgs o JOIN indicator_vectors v ON v.org_id = o.id WHERE o.parent_id = ");
                q.arg(org.id).push(" AND v.run_id = ").arg(run).push(" AND v.measures LIKE ").arg(format!("%{key}%"));
                scope.orgs(&mut q, "o");
                q.push(" ORDER BY o.path DESC");
                for r in q.query().fetch_all(&self.pool).await? {
                    let (own, total) = own_total(&r.s("measures")?)?;
                    stack.push((MeasureOrg { id: r.i("id")?, code: r.s("code")?, name: r.s("name")?, sector: r.e("sector")?, own }, total));
                }
            }
            if org.own != 0.0 {
                out.push(org);
                if out.len() as i64 >= limit {
                    break;
                }
            }
        }
        Ok(out)
    }

    /// [`Self::measure_orgs`] of a count from the leaders stored with the run for the subtree
    /// of `org`; None when they are not stored (a small subtree, a run from before them, an
    /// update since, or more than [`LEADERS`] asked for).
    async fn stored_leaders(&self, scope: &Scope, run: i64, org: i64, measure: &str, limit: i64) -> Result<Option<Vec<MeasureOrg>>, StoreError> {
        if limit > LEADERS as i64 {
            return Ok(None);
        }
        let rows = sqlx::query("SELECT measure, leaders FROM indicator_leaders WHERE run_id = $1 AND org_id = $2 AND measure IN ('', $3)").bind(run).bind(org).bind(measure).fetch_all(&self.pool).await?;
        if !rows.iter().any(|r| r.s("measure").is_ok_and(|m| m.is_empty())) {
            return Ok(None);
        }
        let Some(row) = rows.iter().find(|r| r.s("measure").is_ok_and(|m| m == measure)) else { return Ok(Some(Vec::new())) };
        let Some(text) = row.os("leaders")? else { return Ok(None) };
        let bad = || StoreError::Corrupt(format!("指标结果中“{measure}”的前几名“{text}”，应为“组织:数量,…”；请重新计算指标"));
        let mut leaders: Vec<(i64, f64)> = Vec::new();
        for entry in text.split(',').take(limit as usize) {
            let (id, own) = entry.split_once(':').ok_or_else(bad)?;
            leaders.push((id.parse().map_err(|_| bad())?, own.parse().map_err(|_| bad())?));
        }
        let ids: Vec<i64> = leaders.iter().map(|(id, _)| *id).collect();
        let mut orgs = self.orgs_by_id(scope, &ids).await?;
        Ok(Some(leaders.into_iter().filter_map(|(id, own)| orgs.remove(&id).map(|o| MeasureOrg { id, code: o.code, name: o.name, sector: o.sector, own })).collect()))
    }

    /// [`Self::measure_orgs`] of a count (not a rule's verdict): the `limit` organisations
    /// of the path range with the largest own count of measure number `i`, then in path
    /// order. Every organisation concerned must be looked at, so the database cuts each
    /// vector down to that one entry and sends them as one text, skipping the vectors
    /// whose own count is 0 (ancestors holding only the total), instead of every whole
    /// vector row by row.
    async fn largest_own(&self, scope: &Scope, run: i64, (lo, hi): (&str, &str), names: &[String], i: usize, limit: i64) -> Result<Vec<MeasureOrg>, StoreError> {
        let find = match self.backend {
            crate::Backend::Sqlite => "instr",
            crate::Backend::Postgres => "strpos",
        };
        let key = format!(",{i}:");
        let mut q = Sql::new(&format!("SELECT {} AS list FROM (SELECT o.id, o.path, substr(v.measures, {find}(v.measures, ", crate::records::aggregate(self.backend, "id, path, entry", None)));
        q.arg(key.as_str()).push(") + 1, 80) AS entry FROM indicator_vectors v JOIN orgs o ON o.id = v.org_id WHERE v.run_id = ").arg(run);
        q.push(" AND v.measures LIKE ").arg(format!("%{key}%")).push(" AND v.measures NOT LIKE ").arg(format!("%{key}0:%"));
        q.push(" AND o.path >= ").arg(lo).push(" AND o.path < ").arg(hi);
        scope.orgs(&mut q, "o");
        q.push(") x");
        let text = self.fetch_records(q).await?;
        let mut found: Vec<(f64, String, i64)> = Vec::new();
        for r in crate::records::Records::new(&text, &["id", "path", "entry"]) {
            let r = r?;
            let entry = r.get("entry")?.unwrap_or_default();
            let (own, _) = first_entry(names, entry)?;
            if own != 0.0 {
                found.push((own, r.get("path")?.unwrap_or_default().to_string(), r.i("id")?));
            }
        }
        found.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
        let mut out = Vec::new();
        for (own, _, id) in found.into_iter().take(limit.max(0) as usize) {
            let o = self.org(scope, id).await?;
            out.push(MeasureOrg { id, code: o.code, name: o.name, sector: o.sector, own });
        }
        Ok(out)
    }
}

/// (group, measure, value) rows ordered by group, as one map of measures per group.
fn by_group(rows: impl Iterator<Item = (String, String, f64)>) -> Vec<(String, HashMap<String, f64>)> {
    let mut out: Vec<(String, HashMap<String, f64>)> = Vec::new();
    for (g, m, v) in rows {
        match out.last_mut() {
            Some((x, map)) if *x == g => {
                map.insert(m, v);
            }
            _ => out.push((g, HashMap::from([(m, v)]))),
        }
    }
    out
}

/// Years before `d` (29 February falls back to the 28th), as ISO text for comparisons.
fn years_before(d: Date, years: i32) -> String {
    use chrono::Datelike;
    Date::from_ymd_opt(d.year() - years, d.month(), d.day()).or_else(|| Date::from_ymd_opt(d.year() - years, d.month(), 28)).expect("valid").to_string()
}

impl Store {
    /// Registry measures the compliance facts do not carry, per organisation, for the whole
    /// jurisdiction: coverage of units and sub-units, venues, carriers, funding, party-affairs
    /// staff, committee age and education, development quality, branches without a
    /// secretary and the secretary's attendance. One grouped query each.
    /// `worker_hours`: the year's training hours a party-affairs worker who is a member
    /// should reach (the rules file's member requirement). `only`: one organisation's
    /// measures alone (an update after a write).
    pub async fn registry_measures(&self, year: i32, as_of: Date, worker_hours: f64, only: Option<i64>) -> Result<Vec<(i64, String, f64)>, StoreError> {
        let (jan1, dec31) = (format!("{year:04}-01-01"), format!("{year:04}-12-31"));
        // The day the year is judged on: the as-of date, or 31 December for a past year.
        let reference = domain::compliance::reference_date(year, as_of).to_string();
        let (over60, under35) = (years_before(as_of, 60), years_before(as_of, domain::member::YOUNG_UNDER));
        let college = "('postgraduate', 'bachelor', 'college')";
        let mut out: Vec<(i64, String, f64)> = Vec::new();
        // Each grouped query's rows come back as one text (crate::records): a row per
        // organisation through sqlx costs more than the query itself.
        let backend = self.backend;
        let cols = |names: &[(&str, &str)]| {
            let mut cols = vec!["org", "k"];
            for (c, _) in names {
                if !cols.contains(c) {
                    cols.push(c);
                }
            }
            cols.join(", ")
        };
        // One organisation's rows only (an update after a write): the filter on the grouped
        // column is pushed into each query by both databases.
        let records = |sql: &str, names: &[(&str, &str)]| {
            let sql = match only {
                Some(id) => format!("SELECT * FROM ({sql}) s WHERE s.org = {id}"),
                None => sql.to_string(),
            };
            format!("SELECT {} AS list FROM ({sql}) x", crate::records::aggregate(backend, &cols(names), None))
        };
        // The queries are gathered first and run two at a time below: each is one scan on
        // its own connection, so the two cores share them (and the compliance walk beside).
        type Names = &'static [(&'static str, &'static str)];
        let mut queries: Vec<(Sql, Names)> = Vec::new();
        let mut ask = |text: String, args: Vec<Arg>, names: Names| queries.push((Sql { text, args }, names));
        let f = |e: &str| format!("CAST({e} AS DOUBLE PRECISION)");
        // Units by kind: 组织覆盖 (own or joint organisation) and 工作覆盖 (also instructors).
        let sql = format!(
            "SELECT owner_org_id AS org, kind AS k, {} AS n, {} AS own, {} AS work FROM units GROUP BY owner_org_id, kind",
            f("COUNT(*)"),
            f("SUM(CASE WHEN coverage IN ('own', 'joint') THEN 1 ELSE 0 END)"),
            f("SUM(CASE WHEN coverage <> 'none' THEN 1 ELSE 0 END)")
        );
        let names: Names = &[("n", "units.{k}.total"), ("own", "units.{k}.org_covered"), ("work", "units.{k}.work_covered")];
        ask(records(&sql, names), vec![], names);
        let sql = format!(
            "SELECT owner_org_id AS org, 'new_field' AS k, {} AS n, {} AS own, {} AS work FROM units WHERE new_field IS NOT NULL GROUP BY owner_org_id",
            f("COUNT(*)"),
            f("SUM(CASE WHEN coverage IN ('own', 'joint') THEN 1 ELSE 0 END)"),
            f("SUM(CASE WHEN coverage <> 'none' THEN 1 ELSE 0 END)")
        );
        let names: Names = &[("n", "units.{k}.total"), ("own", "units.{k}.org_covered"), ("work", "units.{k}.work_covered")];
        ask(records(&sql, names), vec![], names);
        // 村民小组 and 网格 with a Party organisation set on them.
        let sql = format!("SELECT u.owner_org_id AS org, s.kind AS k, {} AS n, {} AS with_org FROM sub_units s JOIN units u ON u.id = s.unit_id GROUP BY u.owner_org_id, s.kind", f("COUNT(*)"), f("COUNT(s.org_id)"));
        let names: Names = &[("n", "subunits.{k}.total"), ("with_org", "subunits.{k}.with_org")];
        ask(records(&sql, names), vec![], names);
        // The organisation at the top of each unit (where its venue is registered), and
        // whether it has one: the venues of township and street committees, which stand
        // for no unit, are not counted against the units.
        let sql = format!(
            "SELECT o.id AS org, '' AS k, {} AS one, {} AS venue FROM orgs o LEFT JOIN orgs p ON p.id = o.parent_id \
             WHERE o.unit_id IS NOT NULL AND o.level <> 'group' AND o.dissolved_on IS NULL AND (p.unit_id IS NULL OR p.unit_id <> o.unit_id)",
            f("1"),
            f("CASE WHEN EXISTS (SELECT 1 FROM venues v WHERE v.org_id = o.id) THEN 1 ELSE 0 END")
        );
        let names: Names = &[("one", "orgs.unit_tops"), ("venue", "orgs.with_venue")];
        ask(records(&sql, names), vec![], names);
        // Carriers: by kind, and the primary organisations (支部、总支、基层党委) with one.
        let primary = "o.level IN ('branch', 'general_branch', 'grassroots_committee')";
        let sql = format!("SELECT c.org_id AS org, c.kind AS k, {} AS n, {} AS one FROM carriers c JOIN orgs o ON o.id = c.org_id WHERE c.established_on <= $1 GROUP BY c.org_id, c.kind", f("COUNT(*)"), f(&format!("MAX(CASE WHEN {primary} THEN 1 ELSE 0 END)")));
        let names: Names = &[("n", "carriers.{k}"), ("one", "orgs.with_carrier.{k}")];
        ask(records(&sql, names), vec![Arg::from(dec31.clone())], names);
        let sql = format!("SELECT c.org_id AS org, '' AS k, {} AS one FROM carriers c JOIN orgs o ON o.id = c.org_id WHERE c.established_on <= $1 AND {primary} GROUP BY c.org_id", f("1"));
        let names: Names = &[("one", "orgs.with_carrier")];
        ask(records(&sql, names), vec![Arg::from(dec31.clone())], names);
        // Funding of the year by source (元).
        let sql = format!("SELECT org_id AS org, source AS k, {} AS v FROM funding WHERE year = $1 GROUP BY org_id, source", f("SUM(amount)"));
        let names: Names = &[("v", "funding.{k}"), ("v", "funding.total")];
        ask(records(&sql, names), vec![Arg::from(year as i64)], names);
        // Party-affairs staff in post, and those who left in the year.
        let sql = format!(
            "SELECT org_id AS org, kind AS k, {} AS active, {} AS left_ FROM party_workers WHERE appointed_on <= $1 GROUP BY org_id, kind",
            f("SUM(CASE WHEN left_on IS NULL OR left_on > $1 THEN 1 ELSE 0 END)"),
            f("SUM(CASE WHEN left_on >= $2 AND left_on <= $1 THEN 1 ELSE 0 END)")
        );
        let names: Names = &[("active", "workers.{k}"), ("active", "workers.active"), ("left_", "workers.left")];
        ask(records(&sql, names), vec![Arg::from(as_of.to_string()), Arg::from(jan1.clone())], names);
        // Workers in post who are members, and those whose year's training reached the
        // hours: the year's hours from the member's write-time summary (store::summaries),
        // not a sum over the training records (a province on PostgreSQL: 5.8 s).
        let sql = format!(
            "SELECT w.org_id AS org, '' AS k, {} AS n, {} AS trained FROM party_workers w WHERE w.member_id IS NOT NULL AND w.appointed_on <= $1 AND (w.left_on IS NULL OR w.left_on > $1) GROUP BY w.org_id",
            f("COUNT(*)"),
            f("SUM(CASE WHEN COALESCE((SELECT y.training_hours FROM member_year y WHERE y.member_id = w.member_id AND y.year = $2), 0) >= $3 THEN 1 ELSE 0 END)")
        );
        let names: Names = &[("n", "workers.members"), ("trained", "workers.trained")];
        ask(records(&sql, names), vec![Arg::from(as_of.to_string()), Arg::from(year as i64), Arg::from(Some(worker_hours))], names);
        // Leaders' attention seen in the minutes: the secretary (not yet left that day) at
        // the organisation's own meetings. SQLite looks each attendance row's meeting up by
        // rowid. PostgreSQL, joining every attendance row to its meeting, hashed the whole
        // meetings table instead (a province: 42.5 s of a 51 s indicator run): there, per
        // secretary, the year's attendance and the organisation's meetings of the year are
        // two short date-ordered index ranges, merged on the date (an attendance row
        // carries its meeting's date; migration 31 puts the id in the meetings' index).
        // A city: 1.8 s → 0.4 s.
        let sql = match backend {
            crate::Backend::Sqlite => format!(
                "SELECT c.org_id AS org, '' AS k, {} AS expected, {} AS present FROM committee_posts c JOIN attendance a ON a.member_id = c.member_id \
                 JOIN meetings mt ON mt.id = a.meeting_id AND mt.org_id = c.org_id WHERE c.role = 'secretary' \
                 AND (c.end_on IS NULL OR c.end_on > a.held_on) AND a.held_on >= $1 AND a.held_on <= $2 GROUP BY c.org_id",
                f("COUNT(*)"),
                f("SUM(a.present)")
            ),
            crate::Backend::Postgres => format!(
                "SELECT c.org_id AS org, '' AS k, {} AS expected, {} AS present FROM committee_posts c CROSS JOIN LATERAL \
                 (SELECT COUNT(*) AS n, SUM(a.present) AS p FROM attendance a JOIN meetings mt ON mt.id = a.meeting_id AND mt.held_on = a.held_on \
                 WHERE a.member_id = c.member_id AND a.held_on >= $1 AND a.held_on <= $2 AND (c.end_on IS NULL OR c.end_on > a.held_on) \
                 AND mt.org_id = c.org_id AND mt.held_on >= $1 AND mt.held_on <= $2) x \
                 WHERE c.role = 'secretary' GROUP BY c.org_id HAVING SUM(x.n) > 0",
                f("SUM(x.n)"),
                f("SUM(x.p)")
            ),
        };
        let names: Names = &[("expected", "leaders.secretary_expected"), ("present", "leaders.secretary_present")];
        ask(records(&sql, names), vec![Arg::from(jan1.clone()), Arg::from(reference.clone())], names);
        // Committees as they stood at the reference date: a post that ended since still
        // counts for last year. A post's start
        // is not checked: registries keep the current term's posts, not earlier terms', so
        // a re-elected secretary would otherwise leave last year vacant.
        let in_post = |c: &str| format!("({c}.end_on IS NULL OR {c}.end_on > $1)");
        // Branches with no secretary in post (书记空缺).
        let sql = format!(
            "SELECT o.id AS org, '' AS k, {} AS vacant FROM orgs o WHERE o.level = 'branch' AND o.dissolved_on IS NULL \
             AND NOT EXISTS (SELECT 1 FROM committee_posts c WHERE c.org_id = o.id AND c.role = 'secretary' AND {})",
            f("1"),
            in_post("c")
        );
        let names: Names = &[("vacant", "orgs.branch_no_secretary")];
        ask(records(&sql, names), vec![Arg::from(reference.clone())], names);
        // Committee members in post: aged over 60, with college education.
        let sql = format!(
            "SELECT p.org_id AS org, '' AS k, {} AS n, {} AS old, {} AS edu FROM committee_posts p JOIN members m ON m.id = p.member_id WHERE {} GROUP BY p.org_id",
            f("COUNT(*)"),
            f("SUM(CASE WHEN m.birth_date <= $2 THEN 1 ELSE 0 END)"),
            f(&format!("SUM(CASE WHEN m.education IN {college} THEN 1 ELSE 0 END)")),
            in_post("p")
        );
        let names: Names = &[("n", "committee.members"), ("old", "committee.over60"), ("edu", "committee.college")];
        ask(records(&sql, names), vec![Arg::from(reference.clone()), Arg::from(over60.clone())], names);
        // Young, mobile and lost members and archives come with the compliance facts.
        // New members admitted in the year: 35 and under at admission, college; the activist pool.
        let sql = format!(
            "SELECT org_id AS org, '' AS k, {} AS n, {} AS young, {} AS edu, {} AS front FROM development WHERE admitted_on >= $1 AND admitted_on <= $2 GROUP BY org_id",
            f("COUNT(*)"),
            f("SUM(CASE WHEN birth_date > $3 THEN 1 ELSE 0 END)"),
            f(&format!("SUM(CASE WHEN education IN {college} THEN 1 ELSE 0 END)")),
            // 生产、工作第一线: workers, farmers and professionals.
            f("SUM(CASE WHEN occupation IN ('worker', 'farmer', 'professional') THEN 1 ELSE 0 END)")
        );
        let names: Names = &[("n", "development.admitted"), ("young", "development.admitted_young"), ("edu", "development.admitted_college"), ("front", "development.admitted_frontline")];
        ask(records(&sql, names), vec![Arg::from(jan1.clone()), Arg::from(dec31.clone()), Arg::from(under35.clone())], names);
        let sql = format!("SELECT org_id AS org, '' AS k, {} AS n FROM development WHERE activist_on IS NOT NULL AND admitted_on IS NULL GROUP BY org_id", f("COUNT(*)"));
        let names: Names = &[("n", "development.activists")];
        ask(records(&sql, names), vec![], names);
        // The year's meetings by form and content come with the compliance facts (会议日历).
        use futures_util::stream::{self, StreamExt, TryStreamExt};
        // Collected before they are streamed: a closure inside the stream would keep the
        // future from being `Send` (rust-lang/rust#102211).
        let asks: Vec<_> = queries.iter().map(|(q, _)| self.fetch_text(q.query())).collect();
        let texts: Vec<String> = stream::iter(asks).buffered(2).try_collect().await?;
        for ((_, names), text) in queries.iter().zip(&texts) {
            let cols = cols(names);
            for r in crate::records::Records::new(text, &crate::records::names(&cols)) {
                let r = r?;
                let org = r.i("org")?;
                let prefix = r.get("k")?.unwrap_or_default();
                for (col, name) in names.iter() {
                    let v = r.of(col)?.unwrap_or(0.0);
                    if v != 0.0 {
                        out.push((org, name.replace("{k}", prefix), v));
                    }
                }
            }
        }
        Ok(out)
    }
}
