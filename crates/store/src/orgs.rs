//! Organisations: the tree, subtree counts, committees and venues.

use crate::query::Sql;
use crate::rows::RowExt;
use crate::{Scope, Store, StoreError};
use domain::org::{CommitteePost, NewOrg, Org, Venue};
use domain::{Labelled, ValidationError};
use serde::Serialize;

/// An organisation with the active member count of its whole subtree.
#[derive(Debug, Clone, Serialize)]
pub struct OrgSummary {
    #[serde(flatten)]
    pub org: Org,
    pub member_count: i64,
    pub child_count: i64,
}

pub(crate) const ORG_COLS: &str = "o.id, o.code, o.name, o.level, o.sector, o.parent_id, o.path, o.depth, o.region_code, \
    o.grid_id, o.unit_id, o.founded_on, o.elected_on, o.term_years, o.member_count, o.dissolved_on";

pub(crate) fn org_from(r: &impl RowExt) -> Result<Org, StoreError> {
    Ok(Org {
        id: r.i("id")?,
        code: r.s("code")?,
        name: r.s("name")?,
        level: r.e("level")?,
        sector: r.e("sector")?,
        parent_id: r.oi("parent_id")?,
        path: r.s("path")?,
        depth: r.i("depth")?,
        region_code: r.s("region_code")?,
        grid_id: r.oi("grid_id")?,
        unit_id: r.oi("unit_id")?,
        founded_on: r.od("founded_on")?,
        elected_on: r.od("elected_on")?,
        term_years: r.oi("term_years")?,
        direct_members: r.i("member_count")?,
        dissolved_on: r.od("dissolved_on")?,
    })
}

impl Store {
    /// The organisation `id`, if it is in scope.
    pub async fn org(&self, scope: &Scope, id: i64) -> Result<Org, StoreError> {
        let mut q = Sql::new(&format!("SELECT {ORG_COLS} FROM orgs o WHERE o.id = "));
        q.arg(id);
        scope.orgs(&mut q, "o");
        let row = q.query().fetch_optional(&self.pool).await?;
        row.as_ref().map(org_from).transpose()?.ok_or(StoreError::NotFound { what: "党组织" })
    }

    /// The organisations among `ids` that are in scope, by id: one query (a report's
    /// survey units are thousands of organisations at province scale).
    pub async fn orgs_by_id(&self, scope: &Scope, ids: &[i64]) -> Result<std::collections::HashMap<i64, Org>, StoreError> {
        let mut out = std::collections::HashMap::new();
        for chunk in ids.chunks(5_000) {
            let list: Vec<String> = chunk.iter().map(i64::to_string).collect();
            let mut q = Sql::new(&format!("SELECT {} AS list FROM orgs o WHERE o.id IN ({})", crate::records::aggregate(self.backend, ORG_COLS, None), list.join(", ")));
            scope.orgs(&mut q, "o");
            for o in crate::compliance::decode_orgs(&self.fetch_records(q).await?)? {
                out.insert(o.id, o);
            }
        }
        Ok(out)
    }

    /// The organisation with `code`, if it is in scope.
    pub async fn org_by_code(&self, scope: &Scope, code: &str) -> Result<Org, StoreError> {
        let mut q = Sql::new(&format!("SELECT {ORG_COLS} FROM orgs o WHERE o.code = "));
        q.arg(code.trim());
        scope.orgs(&mut q, "o");
        let row = q.query().fetch_optional(&self.pool).await?;
        row.as_ref().map(org_from).transpose()?.ok_or(StoreError::NotFound { what: "党组织" })
    }

    /// The organisations at the top of the scope (`parent = None`) or the children of `parent`.
    pub async fn org_children(&self, scope: &Scope, parent: Option<i64>) -> Result<Vec<OrgSummary>, StoreError> {
        let mut q = Sql::new(&format!("SELECT {ORG_COLS} FROM orgs o WHERE o.dissolved_on IS NULL"));
        match (parent, scope.root_org()) {
            (Some(p), _) => {
                q.push(" AND o.parent_id = ").arg(p);
            }
            (None, Some(root)) => {
                q.push(" AND o.id = ").arg(root);
            }
            (None, None) => {
                q.push(" AND o.parent_id IS NULL");
            }
        }
        scope.orgs(&mut q, "o");
        q.push(" ORDER BY o.code");
        let rows = q.query().fetch_all(&self.pool).await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let org = org_from(r)?;
            let member_count = self.org_member_count(&org).await?;
            let child_count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM orgs WHERE parent_id = $1 AND dissolved_on IS NULL")
                .bind(org.id)
                .fetch_one(&self.pool)
                .await?;
            out.push(OrgSummary { org, member_count, child_count });
        }
        Ok(out)
    }

    /// The organisation with the member count of its whole subtree.
    pub async fn org_summary(&self, scope: &Scope, id: i64) -> Result<OrgSummary, StoreError> {
        let org = self.org(scope, id).await?;
        let member_count = self.org_member_count(&org).await?;
        let child_count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM orgs WHERE parent_id = $1 AND dissolved_on IS NULL")
            .bind(org.id)
            .fetch_one(&self.pool)
            .await?;
        Ok(OrgSummary { org, member_count, child_count })
    }

    /// Active organisations in the subtree of `id` (itself included): what a judgement of
    /// the subtree has to read.
    pub async fn subtree_org_count(&self, scope: &Scope, id: i64) -> Result<i64, StoreError> {
        let org = self.org(scope, id).await?;
        let (lo, hi) = crate::scope::path_range(&org.path);
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM orgs WHERE dissolved_on IS NULL AND path >= $1 AND path < $2").bind(lo).bind(hi).fetch_one(&self.pool).await?;
        Ok(n)
    }

    /// Active members in the subtree of `id` (the organisation and everything below it).
    pub async fn subtree_member_count(&self, scope: &Scope, id: i64) -> Result<i64, StoreError> {
        let org = self.org(scope, id).await?;
        self.org_member_count(&org).await
    }

    /// Active members of the subtree; for a 党小组, of the group (members' relationship
    /// sits in the branch, so the group has no direct members of its own).
    async fn org_member_count(&self, org: &Org) -> Result<i64, StoreError> {
        if org.level == domain::org::OrgLevel::Group {
            let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM members WHERE group_id = $1 AND left_on IS NULL")
                .bind(org.id)
                .fetch_one(&self.pool)
                .await?;
            return Ok(n);
        }
        self.path_member_count(&org.path).await
    }

    /// Sums the per-organisation counts over the path range: an index range scan of the
    /// orgs table, independent of the number of members.
    async fn path_member_count(&self, path: &str) -> Result<i64, StoreError> {
        let (lo, hi) = crate::scope::path_range(path);
        let n: i64 = sqlx::query_scalar("SELECT CAST(COALESCE(SUM(member_count), 0) AS BIGINT) FROM orgs WHERE path >= $1 AND path < $2")
            .bind(lo)
            .bind(hi)
            .fetch_one(&self.pool)
            .await?;
        Ok(n)
    }

    /// Ancestors of `id` that lie inside the scope, from the top down (for breadcrumbs).
    pub async fn org_ancestors(&self, scope: &Scope, id: i64) -> Result<Vec<Org>, StoreError> {
        let org = self.org(scope, id).await?;
        let ids: Vec<i64> = org.path.trim_matches('/').split('/').filter_map(|s| s.parse().ok()).filter(|x| *x != id).collect();
        let mut out = Vec::new();
        for a in ids {
            if let Ok(o) = self.org(scope, a).await {
                out.push(o);
            }
        }
        Ok(out)
    }

    /// Creates an organisation under `parent_id` (which must be in scope); a root
    /// organisation only with the jurisdiction scope. Refuses a code already used.
    pub async fn insert_org(&self, scope: &Scope, new: &NewOrg) -> Result<Org, StoreError> {
        new.validate()?;
        let mut tx = self.pool.begin().await?;
        let code = new.code.trim().to_string();
        let taken: Option<String> = sqlx::query_scalar("SELECT name FROM orgs WHERE code = $1").bind(&code).fetch_optional(&mut *tx).await?;
        if taken.is_some() {
            return Err(StoreError::invalid("code", format!("组织代码“{code}”已被其他党组织使用，请换一个代码")));
        }
        let (parent_path, depth) = match new.parent_id {
            Some(p) => {
                let parent = self.org(scope, p).await.map_err(|_| {
                    StoreError::invalid("parent_id", format!("上级党组织（编号{p}）不存在或不在您的权限范围内"))
                })?;
                if !parent.level.may_contain(new.level) {
                    return Err(StoreError::invalid(
                        "level",
                        format!("{}下不能设立{}，请检查组织层级", parent.level.label(), new.level.label()),
                    ));
                }
                (parent.path, parent.depth + 1)
            }
            None if scope.is_jurisdiction() => ("/".to_string(), 0),
            None => return Err(StoreError::invalid("parent_id", "请选择上级党组织：只有全辖区管理员可以建立顶层党组织")),
        };
        let id = insert_org_tx(&mut tx, new, &parent_path, depth).await?;
        crate::audit::log(&mut tx, scope.actor(), "insert", Some(("orgs", id)), serde_json::json!({"名称": new.name.trim(), "代码": new.code.trim(), "层级": new.level.label()})).await?;
        tx.commit().await?;
        self.org(&Scope::jurisdiction(), id).await
    }

    /// Committee posts of an organisation, current ones first.
    pub async fn committee_posts(&self, scope: &Scope, org_id: i64) -> Result<Vec<CommitteePost>, StoreError> {
        let mut q = Sql::new(
            "SELECT c.id, c.org_id, c.role, c.member_id, c.person_name, c.start_on, c.end_on \
             FROM committee_posts c JOIN orgs o ON o.id = c.org_id WHERE c.org_id = ",
        );
        q.arg(org_id);
        scope.orgs(&mut q, "o");
        q.push(" ORDER BY c.end_on IS NOT NULL, c.role DESC, c.id");
        let rows = q.query().fetch_all(&self.pool).await?;
        rows.iter()
            .map(|r| {
                Ok(CommitteePost {
                    id: r.i("id")?,
                    org_id: r.i("org_id")?,
                    role: r.e("role")?,
                    member_id: r.oi("member_id")?,
                    person_name: r.s("person_name")?,
                    start_on: r.d("start_on")?,
                    end_on: r.od("end_on")?,
                })
            })
            .collect()
    }

    /// Venues (阵地) of an organisation.
    pub async fn venues(&self, scope: &Scope, org_id: i64) -> Result<Vec<Venue>, StoreError> {
        let mut q = Sql::new("SELECT v.id, v.org_id, v.kind, v.name, v.area_m2 FROM venues v JOIN orgs o ON o.id = v.org_id WHERE v.org_id = ");
        q.arg(org_id);
        scope.orgs(&mut q, "o");
        q.push(" ORDER BY v.id");
        let rows = q.query().fetch_all(&self.pool).await?;
        rows.iter()
            .map(|r| Ok(Venue { id: r.i("id")?, org_id: r.i("org_id")?, kind: r.e("kind")?, name: r.s("name")?, area_m2: r.of("area_m2")? }))
            .collect()
    }
}

/// Used by validation paths that need a typed error for a missing organisation field.
pub(crate) fn org_field_error(field: &'static str, id: i64) -> StoreError {
    StoreError::Invalid(ValidationError::one(field, format!("党组织（编号{id}）不存在或不在您的权限范围内")))
}

impl Store {
    /// Branches in scope with at least `min_members` direct members, optionally of one
    /// sector, by id (used to pick demo accounts and test subjects).
    pub async fn branches_with_members(&self, scope: &Scope, sector: Option<domain::org::Sector>, min_members: i64, limit: i64) -> Result<Vec<Org>, StoreError> {
        let mut q = Sql::new(&format!("SELECT {ORG_COLS} FROM orgs o WHERE o.level = 'branch' AND o.member_count >= "));
        q.arg(min_members);
        if let Some(s) = sector {
            q.push(" AND o.sector = ").arg(s.code());
        }
        scope.orgs(&mut q, "o");
        q.push(" ORDER BY o.id LIMIT ").arg(limit);
        let rows = q.query().fetch_all(&self.pool).await?;
        rows.iter().map(org_from).collect()
    }
}

/// Writes a checked organisation under a parent whose path and depth the caller has
/// looked up, in the caller's transaction; its path ends with its own id.
pub(crate) async fn insert_org_tx(tx: &mut sqlx::Transaction<'_, sqlx::Any>, new: &NewOrg, parent_path: &str, depth: i64) -> Result<i64, StoreError> {
    let mut q = Sql::new(
        "INSERT INTO orgs (code, name, level, sector, parent_id, path, depth, region_code, grid_id, unit_id, \
         founded_on, elected_on, term_years, member_count, created_at) VALUES (",
    );
    q.arg(new.code.trim()).push(", ").arg(new.name.trim()).push(", ").arg(new.level.code()).push(", ").arg(new.sector.code());
    q.push(", ").arg(new.parent_id).push(", ").arg("").push(", ").arg(depth).push(", ").arg(new.region_code.trim());
    q.push(", ").arg(new.grid_id).push(", ").arg(new.unit_id).push(", ").arg(new.founded_on).push(", ").arg(new.elected_on);
    q.push(", ").arg(new.term_years).push(", 0, ").arg(crate::now_text()).push(") RETURNING id");
    let id = q.query().fetch_one(&mut **tx).await?.i("id")?;
    sqlx::query("UPDATE orgs SET path = $1 WHERE id = $2").bind(format!("{parent_path}{id}/")).bind(id).execute(&mut **tx).await?;
    Ok(id)
}
