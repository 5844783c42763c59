//! Reads for compliance: the organisations of a subtree with their committee sizes, and
//! the year's meetings of the subtree as (organisation, kind, date).

use crate::query::Sql;
use crate::rows::RowExt;
use crate::{Scope, Store, StoreError};
use domain::meeting::MeetingKind;
use domain::org::Org;
use domain::Date;
use std::collections::HashMap;

impl Store {
    /// Active organisations in the subtree of `root` (itself included), each with the
    /// number of its current committee posts.
    pub async fn subtree_orgs_with_committees(&self, scope: &Scope, root: i64) -> Result<Vec<(Org, usize)>, StoreError> {
        let top = self.org(scope, root).await?;
        let (lo, hi) = crate::scope::path_range(&top.path);
        let mut q = Sql::new(&format!("SELECT {} FROM orgs o WHERE o.dissolved_on IS NULL AND o.path >= ", crate::orgs::ORG_COLS));
        q.arg(lo.clone()).push(" AND o.path < ").arg(hi.clone());
        scope.orgs(&mut q, "o");
        q.push(" ORDER BY o.path");
        let orgs: Vec<Org> = q.query().fetch_all(&self.pool).await?.iter().map(crate::orgs::org_from).collect::<Result<_, _>>()?;
        let rows = sqlx::query(
            "SELECT c.org_id, COUNT(*) AS n FROM committee_posts c JOIN orgs o ON o.id = c.org_id \
             WHERE c.end_on IS NULL AND o.path >= $1 AND o.path < $2 GROUP BY c.org_id",
        )
        .bind(lo)
        .bind(hi)
        .fetch_all(&self.pool)
        .await?;
        let mut posts = HashMap::new();
        for r in &rows {
            posts.insert(r.i("org_id")?, r.i("n")? as usize);
        }
        Ok(orgs.into_iter().map(|o| {
            let n = posts.get(&o.id).copied().unwrap_or(0);
            (o, n)
        }).collect())
    }

    /// Every meeting of `year` held by an organisation in the subtree of `root`.
    pub async fn subtree_meeting_dates(&self, scope: &Scope, root: i64, year: i32) -> Result<Vec<(i64, MeetingKind, Date)>, StoreError> {
        let top = self.org(scope, root).await?;
        let (lo, hi) = crate::scope::path_range(&top.path);
        let mut q = Sql::new("SELECT mt.org_id, mt.kind, mt.held_on FROM meetings mt JOIN orgs o ON o.id = mt.org_id WHERE o.path >= ");
        q.arg(lo).push(" AND o.path < ").arg(hi).push(" AND mt.held_on >= ").arg(format!("{year:04}-01-01")).push(" AND mt.held_on <= ").arg(format!("{year:04}-12-31"));
        scope.orgs(&mut q, "o");
        let rows = q.query().fetch_all(&self.pool).await?;
        rows.iter().map(|r| Ok((r.i("org_id")?, r.e("kind")?, r.d("held_on")?))).collect()
    }
}
