//! Planned meetings (活动预告) and sign-in by QR code (扫码签到).

use crate::query::Sql;
use crate::rows::RowExt;
use crate::{Scope, Store, StoreError};
use domain::meeting::{NewPlan, Plan};
use domain::org::OrgLevel;
use domain::{Date, Labelled};
use sqlx::any::AnyRow;

const PLAN_COLS: &str = "p.id, p.org_id, o.name AS org_name, p.kind, p.planned_on, p.topic, p.place, p.meeting_id, \
    (SELECT COUNT(*) FROM plan_checkins c WHERE c.plan_id = p.id) AS checked_in";

fn plan_from(r: &AnyRow) -> Result<Plan, StoreError> {
    Ok(Plan {
        id: r.i("id")?,
        org_id: r.i("org_id")?,
        org_name: r.s("org_name")?,
        kind: r.e("kind")?,
        planned_on: r.d("planned_on")?,
        topic: r.s("topic")?,
        place: r.os("place")?,
        meeting_id: r.oi("meeting_id")?,
        checked_in: r.i("checked_in")?,
    })
}

/// Who signed in: the member, their name, when.
#[derive(Debug, Clone, serde::Serialize)]
pub struct CheckIn {
    pub member_id: i64,
    pub name: String,
    pub checked_at: String,
}

impl Store {
    /// Announces a meeting of `org_id` (in scope; an organisation that holds members, or a
    /// 党小组), with a fresh one-time sign-in code.
    pub async fn create_plan(&self, scope: &Scope, org_id: i64, new: &NewPlan) -> Result<Plan, StoreError> {
        let org = self.org(scope, org_id).await?;
        if !(org.level.holds_members() || org.level == OrgLevel::Group) {
            return Err(StoreError::invalid("org_id", format!("“{}”没有直属党员，请在其党支部预告活动", org.name)));
        }
        let code = crate::random_token()[..20].to_string();
        let mut tx = self.pool.begin().await?;
        let mut q = Sql::new("INSERT INTO meeting_plans (org_id, kind, planned_on, topic, place, checkin_code, created_at) VALUES (");
        q.arg(org.id).push(", ").arg(new.kind.code()).push(", ").arg(new.planned_on).push(", ").arg(new.topic.clone());
        q.push(", ").arg(new.place.clone()).push(", ").arg(code).push(", ").arg(crate::now_text()).push(") RETURNING id");
        let id = q.query().fetch_one(&mut *tx).await?.i("id")?;
        crate::audit::log(&mut tx, scope.actor(), "insert", Some(("meeting_plans", id)), serde_json::json!({"党组织": org.id, "类型": new.kind.label(), "日期": new.planned_on.to_string(), "主题": new.topic})).await?;
        tx.commit().await?;
        self.plan(scope, id).await
    }

    /// A plan, if its organisation is in scope (a member: their branch's or group's).
    pub async fn plan(&self, scope: &Scope, id: i64) -> Result<Plan, StoreError> {
        let mut q = Sql::new(&format!("SELECT {PLAN_COLS} FROM meeting_plans p JOIN orgs o ON o.id = p.org_id WHERE p.id = "));
        q.arg(id);
        self.plan_scope(scope, &mut q).await?;
        let row = q.query().fetch_optional(&self.pool).await?.ok_or(StoreError::NotFound { what: "活动预告" })?;
        plan_from(&row)
    }

    /// The sign-in code of a plan in scope (for its QR code; staff only).
    pub async fn plan_code(&self, scope: &Scope, id: i64) -> Result<String, StoreError> {
        if scope.own_member().is_some() {
            return Err(StoreError::NotFound { what: "活动预告" });
        }
        let p = self.plan(scope, id).await?;
        Ok(sqlx::query_scalar("SELECT checkin_code FROM meeting_plans WHERE id = $1").bind(p.id).fetch_one(&self.pool).await?)
    }

    /// Plans not yet recorded as meetings, from `from` on, of organisation `org_id` (in
    /// scope) or, for a member's own scope, of the member's branch and group.
    pub async fn upcoming_plans(&self, scope: &Scope, org_id: Option<i64>, from: Date) -> Result<Vec<Plan>, StoreError> {
        let mut q = Sql::new(&format!("SELECT {PLAN_COLS} FROM meeting_plans p JOIN orgs o ON o.id = p.org_id WHERE p.meeting_id IS NULL AND p.planned_on >= "));
        q.arg(from);
        if let Some(o) = org_id {
            self.org(scope, o).await?;
            q.push(" AND p.org_id = ").arg(o);
        }
        self.plan_scope(scope, &mut q).await?;
        q.push(" ORDER BY p.planned_on, p.id LIMIT 50");
        q.query().fetch_all(&self.pool).await?.iter().map(plan_from).collect()
    }

    /// Restricts plans `p` (organisation `o`) to the scope; a member reads their branch's
    /// and group's plans.
    async fn plan_scope(&self, scope: &Scope, q: &mut Sql) -> Result<(), StoreError> {
        match scope.own_member() {
            Some(m) => {
                let (me, _) = self.member(scope, m).await?;
                q.push(" AND (p.org_id = ").arg(me.org_id).push(" OR p.org_id = ").arg(me.group_id.unwrap_or(-1)).push(")");
            }
            None => scope.orgs(q, "o"),
        }
        Ok(())
    }

    /// The plan a sign-in code opens, whoever asks (the code is the secret a member scans).
    pub async fn plan_by_code(&self, code: &str) -> Result<Plan, StoreError> {
        let mut q = Sql::new(&format!("SELECT {PLAN_COLS} FROM meeting_plans p JOIN orgs o ON o.id = p.org_id WHERE p.checkin_code = "));
        q.arg(code.trim());
        let row = q.query().fetch_optional(&self.pool).await?.ok_or(StoreError::NotFound { what: "签到码" })?;
        plan_from(&row)
    }

    /// Signs the member of an own-record scope in to the plan of `code`: only on the day,
    /// only a member of the plan's organisation, only before the meeting is recorded. A
    /// second scan is accepted and changes nothing. Returns the plan and whether this scan
    /// was the first.
    pub async fn check_in(&self, scope: &Scope, code: &str, today: Date) -> Result<(Plan, bool), StoreError> {
        let me = scope.own_member().ok_or_else(|| StoreError::invalid("member", "扫码签到请用党员本人的账号登录"))?;
        let plan = self.plan_by_code(code).await?;
        let (m, _) = self.member(scope, me).await?;
        if !m.is_active() || (m.org_id != plan.org_id && m.group_id != Some(plan.org_id)) {
            return Err(StoreError::invalid("member", format!("您不是“{}”的在册党员，不能在这次活动签到", plan.org_name)));
        }
        if plan.meeting_id.is_some() {
            return Err(StoreError::invalid("plan", "这次活动的会议记录已经登记，签到已结束；如有出入请联系书记更正"));
        }
        if plan.planned_on != today {
            return Err(StoreError::invalid("plan", format!("这次活动在{}，只能在当天签到", plan.planned_on)));
        }
        let mut tx = self.pool.begin().await?;
        let n = sqlx::query("INSERT INTO plan_checkins (plan_id, member_id, checked_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING")
            .bind(plan.id)
            .bind(me)
            .bind(crate::now_text())
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if n == 1 {
            crate::audit::log(&mut tx, scope.actor(), "insert", Some(("plan_checkins", plan.id)), serde_json::json!({"党员": me})).await?;
        }
        tx.commit().await?;
        Ok((self.plan(scope, plan.id).await?, n == 1))
    }

    /// Who has signed in to a plan in scope, in order of signing in.
    pub async fn plan_checkins(&self, scope: &Scope, id: i64) -> Result<Vec<CheckIn>, StoreError> {
        let p = self.plan(scope, id).await?;
        let rows = sqlx::query("SELECT c.member_id, m.name, c.checked_at FROM plan_checkins c JOIN members m ON m.id = c.member_id WHERE c.plan_id = $1 ORDER BY c.checked_at, c.member_id")
            .bind(p.id)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(|r| Ok(CheckIn { member_id: r.i("member_id")?, name: r.s("name")?, checked_at: r.s("checked_at")? })).collect()
    }
}
