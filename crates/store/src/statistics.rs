//! Facts for the annual internal statistics report (党内统计年报): every member of a
//! subtree who was on the roll at some point of the year or the end of the year before,
//! streamed with their year's evaluation grade, training hours and transfer-in.

use crate::query::Sql;
use crate::rows::RowExt;
use crate::scope::path_range;
use crate::{Scope, Store, StoreError};
use domain::org::Sector;
use domain::statistics::{MemberFact, OrgCounts};
use futures_util::TryStreamExt;

impl Store {
    /// Streams the member facts of `root`'s subtree for `year`.
    pub async fn annual_facts(&self, scope: &Scope, root: i64, year: i32, mut each: impl FnMut(MemberFact)) -> Result<(), StoreError> {
        let org = self.org(scope, root).await?;
        let (lo, hi) = path_range(&org.path);
        let (start, end, prev_end) = (format!("{year}-01-01"), format!("{year}-12-31"), format!("{}-12-31", year - 1));
        let mut q = Sql::new(
            "SELECT m.sex, m.ethnicity, m.birth_date, m.education, m.occupation, m.joined_on, m.full_on, m.left_on, m.left_reason, o.sector, \
             (SELECT e.grade FROM evaluations e WHERE e.member_id = m.id AND e.year = ",
        );
        q.arg(year as i64).push(") AS grade, (SELECT CAST(SUM(t.hours * 100) AS BIGINT) FROM training_records t WHERE t.member_id = m.id AND t.taken_on >= ");
        q.arg(start.clone()).push(" AND t.taken_on <= ").arg(end.clone()).push(") AS hours_x100, ");
        q.push("(SELECT COUNT(*) FROM transfers x WHERE x.member_id = m.id AND x.direction = 'in' AND x.received_on >= ").arg(start);
        q.push(" AND x.received_on <= ").arg(end.clone()).push(") AS transfers_in, ");
        q.push("(SELECT MAX(d.extension_months) FROM development d WHERE d.member_id = m.id) AS extension_months ");
        q.push("FROM members m JOIN orgs o ON o.id = m.org_id WHERE o.path >= ").arg(lo).push(" AND o.path < ").arg(hi);
        q.push(" AND m.joined_on <= ").arg(end).push(" AND (m.left_on IS NULL OR m.left_on > ").arg(prev_end).push(")");
        let mut rows = q.query().fetch(&self.pool);
        while let Some(r) = rows.try_next().await? {
            each(MemberFact {
                sex: r.e("sex")?,
                ethnicity: r.s("ethnicity")?,
                birth_date: r.d("birth_date")?,
                education: r.e("education")?,
                occupation: r.e("occupation")?,
                joined_on: r.d("joined_on")?,
                full_on: r.od("full_on")?,
                left_on: r.od("left_on")?,
                left_reason: r.oe("left_reason")?,
                sector: r.e("sector")?,
                grade: r.oe("grade")?,
                training_hours: r.oi("hours_x100")?.unwrap_or(0) as f64 / 100.0,
                transferred_in: r.i("transfers_in")? > 0,
                extension_months: r.oi("extension_months")?.map(|x| x as u32),
            });
        }
        Ok(())
    }

    /// Organisations of `root`'s subtree (not dissolved at the end of `year`) by sector.
    pub async fn org_counts_by_sector(&self, scope: &Scope, root: i64, year: i32) -> Result<OrgCounts, StoreError> {
        let org = self.org(scope, root).await?;
        let (lo, hi) = path_range(&org.path);
        let mut q = Sql::new("SELECT o.sector, COUNT(*) AS n FROM orgs o WHERE o.level <> 'group' AND o.path >= ");
        q.arg(lo).push(" AND o.path < ").arg(hi).push(" AND (o.dissolved_on IS NULL OR o.dissolved_on > ").arg(format!("{year}-12-31")).push(") GROUP BY o.sector");
        let rows = q.query().fetch_all(&self.pool).await?;
        let mut by_sector: Vec<(Sector, i64)> = Vec::new();
        for r in rows {
            by_sector.push((r.e("sector")?, r.i("n")?));
        }
        Ok(OrgCounts { by_sector })
    }
}
