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

impl Store {
    /// Organisations of `root`'s subtree that hold members, in path order, with their gaps.
    pub async fn member_completeness(&self, scope: &Scope, root: i64) -> Result<Vec<Completeness>, StoreError> {
        let org = self.org(scope, root).await?;
        let (lo, hi) = path_range(&org.path);
        let mut q = Sql::new(
            "SELECT o.id, o.name, o.path, COUNT(*) AS members, \
             SUM(CASE WHEN m.ethnicity = '未登记' THEN 1 ELSE 0 END) AS g0, \
             SUM(CASE WHEN m.education = 'unregistered' THEN 1 ELSE 0 END) AS g1, \
             SUM(CASE WHEN m.occupation = 'unregistered' THEN 1 ELSE 0 END) AS g2, \
             SUM(CASE WHEN m.phone IS NULL OR m.phone = '' THEN 1 ELSE 0 END) AS g3, \
             SUM(CASE WHEN m.joined_precision = 'month' THEN 1 ELSE 0 END) AS g4, \
             SUM(CASE WHEN m.full_on IS NOT NULL AND m.full_precision = 'month' THEN 1 ELSE 0 END) AS g5 \
             FROM members m JOIN orgs o ON o.id = m.org_id WHERE m.left_on IS NULL AND o.path >= ",
        );
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
