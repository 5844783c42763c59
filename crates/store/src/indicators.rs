//! Indicator measures cached per run (指标度量): each organisation's own count and its
//! subtree's total of every measure, written by crate `indicators` in batches, read back
//! for any organisation in one lookup, grouped by sector over a subtree, and the
//! organisations behind a measure (the evidence).

use crate::import::multi_insert_sql;
use crate::query::Sql;
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

/// A measure of one organisation: its own count and its subtree's total.
#[derive(Debug, Clone)]
pub struct MeasureRow {
    pub org_id: i64,
    pub measure: String,
    pub own: f64,
    pub total: f64,
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

/// Rows per INSERT statement.
const CHUNK: usize = 500;

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

    /// Writes measure rows of a run in one transaction.
    pub async fn write_measures(&self, run: i64, rows: &[MeasureRow]) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        for chunk in rows.chunks(CHUNK) {
            let sql = multi_insert_sql(self.backend, "indicator_facts", &["run_id", "org_id", "measure", "own", "total"], chunk.len());
            let mut q = sqlx::query(&sql);
            for r in chunk {
                q = q.bind(run).bind(r.org_id).bind(r.measure.as_str()).bind(r.own).bind(r.total);
            }
            q.execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    pub async fn finish_indicator_run(&self, run: i64, orgs: i64, seconds: f64) -> Result<(), StoreError> {
        sqlx::query("UPDATE indicator_runs SET orgs = $1, seconds = $2, finished_at = $3 WHERE id = $4").bind(orgs).bind(seconds).bind(crate::now_text()).bind(run).execute(&self.pool).await?;
        Ok(())
    }

    /// The newest finished run of `year`.
    pub async fn latest_indicator_run(&self, year: i32) -> Result<Option<IndicatorRun>, StoreError> {
        let r = sqlx::query("SELECT * FROM indicator_runs WHERE year = $1 AND finished_at IS NOT NULL ORDER BY id DESC LIMIT 1").bind(year as i64).fetch_optional(&self.pool).await?;
        r.as_ref().map(run_from).transpose()
    }

    /// The subtree totals of an organisation in scope.
    pub async fn measure_totals(&self, scope: &Scope, run: i64, org: i64) -> Result<HashMap<String, f64>, StoreError> {
        self.org(scope, org).await?;
        let rows = sqlx::query("SELECT measure, total FROM indicator_facts WHERE run_id = $1 AND org_id = $2").bind(run).bind(org).fetch_all(&self.pool).await?;
        rows.iter().map(|r| Ok((r.s("measure")?, r.of("total")?.unwrap_or(0.0)))).collect()
    }

    /// Own counts summed by sector over the subtree of `org`.
    pub async fn measures_by_sector(&self, scope: &Scope, run: i64, org: i64) -> Result<Vec<(Sector, HashMap<String, f64>)>, StoreError> {
        let top = self.org(scope, org).await?;
        let (lo, hi) = path_range(&top.path);
        let mut q = Sql::new("SELECT o.sector, f.measure, SUM(f.own) AS v FROM indicator_facts f JOIN orgs o ON o.id = f.org_id WHERE f.run_id = ");
        q.arg(run).push(" AND o.path >= ").arg(lo).push(" AND o.path < ").arg(hi);
        scope.orgs(&mut q, "o");
        q.push(" GROUP BY o.sector, f.measure");
        let mut by: Vec<(Sector, HashMap<String, f64>)> = Vec::new();
        for r in q.query().fetch_all(&self.pool).await? {
            let s: Sector = r.e("sector")?;
            let v = r.of("v")?.unwrap_or(0.0);
            match by.iter_mut().find(|(x, _)| *x == s) {
                Some((_, m)) => {
                    m.insert(r.s("measure")?, v);
                }
                None => by.push((s, HashMap::from([(r.s("measure")?, v)]))),
            }
        }
        by.sort_by_key(|(s, _)| <Sector as domain::Labelled>::ALL.iter().position(|x| x == s));
        Ok(by)
    }

    /// Organisations of the subtree of `org` whose own count of `measure` is not zero,
    /// largest first: who is behind a figure.
    pub async fn measure_orgs(&self, scope: &Scope, run: i64, org: i64, measure: &str, limit: i64) -> Result<Vec<MeasureOrg>, StoreError> {
        let top = self.org(scope, org).await?;
        let (lo, hi) = path_range(&top.path);
        let mut q = Sql::new("SELECT o.id, o.code, o.name, o.sector, f.own FROM indicator_facts f JOIN orgs o ON o.id = f.org_id WHERE f.run_id = ");
        q.arg(run).push(" AND f.measure = ").arg(measure).push(" AND f.own <> 0 AND o.path >= ").arg(lo).push(" AND o.path < ").arg(hi);
        scope.orgs(&mut q, "o");
        q.push(" ORDER BY f.own DESC, o.path LIMIT ").arg(limit);
        let mut out = Vec::new();
        for r in q.query().fetch_all(&self.pool).await? {
            out.push(MeasureOrg { id: r.i("id")?, code: r.s("code")?, name: r.s("name")?, sector: r.e("sector")?, own: r.of("own")?.unwrap_or(0.0) });
        }
        Ok(out)
    }
}
