//! How complete the registry's member records are (信息完整性): per organisation of a
//! subtree, how many active members hold each field as 未登记 or a date known only to the
//! month. Imports accept such rows; this is where they are found again and completed.

use crate::scope::path_range;
use crate::query::Sql;
use crate::rows::RowExt;
use crate::{Scope, Store, StoreError};

/// The gaps counted, in column order: [`domain::member::GAPS`] (the SQL below counts each
/// in that order, as `g0`…`g5`).
pub const COMPLETENESS_FIELDS: [&str; 6] = domain::member::GAPS;

/// One organisation's members and, per gap of [`COMPLETENESS_FIELDS`], how many have it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Completeness {
    pub org_id: i64,
    pub org_name: String,
    pub members: i64,
    pub gaps: [i64; 6],
}

/// A member with at least one gap, for the list to complete (脱敏: no citizen ID).
#[derive(Debug, Clone, serde::Serialize)]
pub struct IncompleteMember {
    pub member_id: i64,
    pub name: String,
    pub org_name: String,
    /// Which of [`COMPLETENESS_FIELDS`] this member has.
    pub gaps: Vec<&'static str>,
}

/// The SQL condition of each gap, in [`COMPLETENESS_FIELDS`] order.
const GAP_SQL: [&str; 6] = [
    "m.ethnicity = '未登记'",
    "m.education = 'unregistered'",
    "m.occupation = 'unregistered'",
    "(m.phone IS NULL OR m.phone = '')",
    "m.joined_precision = 'month'",
    "(m.full_on IS NOT NULL AND m.full_precision = 'month')",
];

impl Store {
    /// Members of `root`'s subtree with a gap, in path and name order, at most `limit`.
    /// `only` restricts to one gap (an index into [`COMPLETENESS_FIELDS`]).
    pub async fn incomplete_members(&self, scope: &Scope, root: i64, only: Option<usize>, limit: i64) -> Result<Vec<IncompleteMember>, StoreError> {
        let org = self.org(scope, root).await?;
        let (lo, hi) = path_range(&org.path);
        let flags: Vec<String> = GAP_SQL.iter().enumerate().map(|(i, c)| format!("CAST(CASE WHEN {c} THEN 1 ELSE 0 END AS BIGINT) AS g{i}")).collect();
        let mut q = Sql::new(&format!("SELECT m.id, m.name, o.name AS org_name, {} FROM members m JOIN orgs o ON o.id = m.org_id WHERE m.left_on IS NULL AND o.path >= ", flags.join(", ")));
        q.arg(lo).push(" AND o.path < ").arg(hi);
        scope.orgs(&mut q, "o");
        let any = match only.and_then(|i| GAP_SQL.get(i)) {
            Some(c) => c.to_string(),
            None => GAP_SQL.join(" OR "),
        };
        q.push(&format!(" AND ({any}) ORDER BY o.path, m.name LIMIT ")).arg(limit);
        let rows = q.query().fetch_all(&self.pool).await?;
        rows.iter()
            .map(|r| {
                let mut gaps = Vec::new();
                for (i, g) in COMPLETENESS_FIELDS.iter().enumerate() {
                    if r.i(&format!("g{i}"))? == 1 {
                        gaps.push(*g);
                    }
                }
                Ok(IncompleteMember { member_id: r.i("id")?, name: r.s("name")?, org_name: r.s("org_name")?, gaps })
            })
            .collect()
    }

    /// Organisations of `root`'s subtree that hold members, in path order, with their gaps.
    pub async fn member_completeness(&self, scope: &Scope, root: i64) -> Result<Vec<Completeness>, StoreError> {
        let org = self.org(scope, root).await?;
        let (lo, hi) = path_range(&org.path);
        let sums: Vec<String> = GAP_SQL.iter().enumerate().map(|(i, c)| format!("CAST(SUM(CASE WHEN {c} THEN 1 ELSE 0 END) AS BIGINT) AS g{i}")).collect();
        let mut q = Sql::new(&format!(
            "SELECT o.id, o.name, o.path, COUNT(*) AS members, {} FROM members m JOIN orgs o ON o.id = m.org_id WHERE m.left_on IS NULL AND o.path >= ",
            sums.join(", ")
        ));
        q.arg(lo).push(" AND o.path < ").arg(hi);
        scope.orgs(&mut q, "o");
        q.push(" GROUP BY o.id, o.name, o.path ORDER BY o.path");
        let rows = q.query().fetch_all(&self.pool).await?;
        rows.iter()
            .map(|r| {
                let mut gaps = [0i64; 6];
                for (i, g) in gaps.iter_mut().enumerate() {
                    *g = r.oi(&format!("g{i}"))?.unwrap_or(0);
                }
                Ok(Completeness { org_id: r.i("id")?, org_name: r.s("name")?, members: r.i("members")?, gaps })
            })
            .collect()
    }
}
