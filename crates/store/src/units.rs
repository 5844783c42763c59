//! Grassroots units (基层单位) and their sub-units (村民小组, 网格).

use crate::query::Sql;
use crate::rows::RowExt;
use crate::{Scope, Store, StoreError};
use domain::unit::{SubUnit, Unit};

impl Store {
    /// Units in the jurisdiction of organisations in scope, optionally only those owned by `owner`.
    pub async fn units(&self, scope: &Scope, owner: Option<i64>) -> Result<Vec<Unit>, StoreError> {
        let mut q = Sql::new(
            "SELECT u.id, u.code, u.name, u.kind, u.region_code, u.owner_org_id, u.employees, u.party_members, u.full_members, \
             u.new_field, u.coverage, u.covering_org_id, u.instructor FROM units u JOIN orgs o ON o.id = u.owner_org_id WHERE 1 = 1",
        );
        if let Some(o) = owner {
            q.push(" AND u.owner_org_id = ").arg(o);
        }
        scope.orgs(&mut q, "o");
        q.push(" ORDER BY u.code");
        let rows = q.query().fetch_all(&self.pool).await?;
        rows.iter()
            .map(|r| {
                Ok(Unit {
                    id: r.i("id")?,
                    code: r.s("code")?,
                    name: r.s("name")?,
                    kind: r.e("kind")?,
                    region_code: r.s("region_code")?,
                    owner_org_id: r.i("owner_org_id")?,
                    employees: r.i("employees")?,
                    party_members: r.i("party_members")?,
                    full_members: r.i("full_members")?,
                    new_field: r.oe("new_field")?,
                    coverage: r.e("coverage")?,
                    covering_org_id: r.oi("covering_org_id")?,
                    instructor: r.os("instructor")?,
                })
            })
            .collect()
    }

    /// Village groups or grids of a unit in scope.
    pub async fn sub_units(&self, scope: &Scope, unit_id: i64) -> Result<Vec<SubUnit>, StoreError> {
        let mut q = Sql::new(
            "SELECT s.id, s.unit_id, s.kind, s.name, s.org_id FROM sub_units s JOIN units u ON u.id = s.unit_id \
             JOIN orgs o ON o.id = u.owner_org_id WHERE s.unit_id = ",
        );
        q.arg(unit_id);
        scope.orgs(&mut q, "o");
        q.push(" ORDER BY s.id");
        let rows = q.query().fetch_all(&self.pool).await?;
        rows.iter()
            .map(|r| Ok(SubUnit { id: r.i("id")?, unit_id: r.i("unit_id")?, kind: r.e("kind")?, name: r.s("name")?, org_id: r.oi("org_id")? }))
            .collect()
    }
}
