//! The development pipeline (发展党员) in the registry: applicants, and each step taken
//! after the rules have been checked. A step is one transaction: the record, the step log
//! and, on admission, the new probationary member (on confirmation, the member turns full).

use crate::query::Sql;
use crate::rows::RowExt;
use crate::{Scope, Store, StoreError};
use domain::development::{apply, check_application, check_step, DevelopmentRecord, Stage, Step, Vote};
use domain::member::{ArchiveMaterial, MemberStatus, NewMemberInput};
use domain::rules::Rules;
use domain::{Date, FieldError, Labelled, ValidationError};

/// One logged step: what, when, the details as entered.
#[derive(Debug, Clone, serde::Serialize)]
pub struct StepLog {
    pub step: String,
    pub taken_on: Date,
    pub detail: String,
}

/// Columns of a development record, as [`development_from`] reads them.
pub(crate) const DEVELOPMENT_COLS: &str = "d.id, d.org_id, d.name, d.birth_date, d.stage, d.applied_on, d.talked_on, d.activist_on, d.contacts, \
    d.candidate_on, d.review_on, d.training_hours, d.sponsors, d.admitted_on, d.admission_eligible, d.admission_present, d.admission_favour, \
    d.approved_on, d.extension_months, d.full_on, d.full_eligible, d.full_present, d.full_favour";

fn names(s: String) -> Vec<String> {
    s.split('、').map(str::trim).filter(|x| !x.is_empty()).map(String::from).collect()
}

pub(crate) fn development_from(r: &impl RowExt) -> Result<DevelopmentRecord, StoreError> {
    let vote = |p: &str| -> Result<Option<Vote>, StoreError> {
        Ok(match (r.oi(&format!("{p}_eligible"))?, r.oi(&format!("{p}_present"))?, r.oi(&format!("{p}_favour"))?) {
            (Some(e), Some(pr), Some(f)) => Some(Vote { eligible: e as u32, present: pr as u32, favour: f as u32 }),
            _ => None,
        })
    };
    Ok(DevelopmentRecord {
        id: r.i("id")?,
        org_id: r.i("org_id")?,
        name: r.s("name")?,
        birth_date: r.d("birth_date")?,
        stage: r.e("stage")?,
        applied_on: r.d("applied_on")?,
        talked_on: r.od("talked_on")?,
        activist_on: r.od("activist_on")?,
        contacts: names(r.s("contacts")?),
        candidate_on: r.od("candidate_on")?,
        review_on: r.od("review_on")?,
        training_hours: r.of("training_hours")?.unwrap_or(0.0),
        sponsors: names(r.s("sponsors")?),
        admitted_on: r.od("admitted_on")?,
        admission_vote: vote("admission")?,
        approved_on: r.od("approved_on")?,
        extension_months: r.oi("extension_months")?.map(|m| m as u32),
        full_on: r.od("full_on")?,
        full_vote: vote("full")?,
    })
}

fn refused(breaches: Vec<domain::development::Breach>) -> StoreError {
    StoreError::Invalid(ValidationError { errors: breaches.into_iter().map(|b| FieldError::new("step", b.to_string())).collect() })
}

impl Store {
    /// The records of an organisation (its own, not its subtree), newest application first.
    pub async fn development_records(&self, scope: &Scope, org_id: i64) -> Result<Vec<DevelopmentRecord>, StoreError> {
        self.org(scope, org_id).await?;
        let mut q = Sql::new(&format!("SELECT {DEVELOPMENT_COLS} FROM development d WHERE d.org_id = "));
        q.arg(org_id).push(" ORDER BY d.applied_on DESC, d.id DESC");
        q.query().fetch_all(&self.pool).await?.iter().map(development_from).collect()
    }

    /// One record, if its organisation is in scope.
    pub async fn development_record(&self, scope: &Scope, id: i64) -> Result<DevelopmentRecord, StoreError> {
        let mut q = Sql::new(&format!("SELECT {DEVELOPMENT_COLS} FROM development d JOIN orgs o ON o.id = d.org_id WHERE d.id = "));
        q.arg(id);
        scope.orgs(&mut q, "o");
        let row = q.query().fetch_optional(&self.pool).await?.ok_or(StoreError::NotFound { what: "发展党员记录" })?;
        development_from(&row)
    }

    /// The steps logged for a record, in order.
    pub async fn development_steps(&self, scope: &Scope, id: i64) -> Result<Vec<StepLog>, StoreError> {
        self.development_record(scope, id).await?;
        let rows = sqlx::query("SELECT step, taken_on, detail FROM development_steps WHERE development_id = $1 ORDER BY taken_on, id")
            .bind(id)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(|r| Ok(StepLog { step: r.s("step")?, taken_on: r.d("taken_on")?, detail: r.s("detail")? })).collect()
    }

    /// Enters a person who has applied (入党申请人). The personal fields are checked as a
    /// member's would be; the age at application against the rules.
    pub async fn insert_applicant(&self, scope: &Scope, input: &NewMemberInput, applied_on: Date, rules: &Rules, today: Date) -> Result<i64, StoreError> {
        // The person's fields are checked as a member's; no joining date yet (the age rule
        // for applicants is the rules file's, checked below), so a placeholder far ahead.
        let p = NewMemberInput { joined_on: "2199-12-31".into(), full_on: None, status: MemberStatus::Probationary.code().into(), ..input.clone() }.validate()?;
        let org = self.org(scope, p.org_id).await.map_err(|_| crate::orgs::org_field_error("org_id", p.org_id))?;
        if !org.level.holds_members() {
            return Err(StoreError::invalid("org_id", format!("入党申请应由党支部受理，{}不能直接受理", org.level.label())));
        }
        if applied_on > today {
            return Err(StoreError::invalid("applied_on", format!("递交申请日期 {applied_on} 晚于今天")));
        }
        check_application(rules, p.birth_date, applied_on).map_err(refused)?;
        let mut tx = self.pool.begin().await?;
        let index = self.id_index(p.citizen_id.reveal());
        for (table, what) in [("development", "已在发展党员名单中"), ("members", "已是党员")] {
            let dup: Option<i64> = sqlx::query_scalar(&format!("SELECT id FROM {table} WHERE citizen_idx = $1")).bind(&index).fetch_optional(&mut *tx).await?;
            if dup.is_some() {
                return Err(StoreError::invalid("citizen_id", format!("身份证号 {} {what}，不能重复登记", p.citizen_id)));
            }
        }
        let mut q = Sql::new(
            "INSERT INTO development (org_id, name, sex, ethnicity, birth_date, citizen_id, citizen_idx, phone, education, occupation, stage, applied_on, created_at) VALUES (",
        );
        q.arg(p.org_id).push(", ").arg(p.name.clone()).push(", ").arg(p.sex.code()).push(", ").arg(p.ethnicity.clone());
        q.push(", ").arg(p.birth_date).push(", ").arg(self.seal(p.citizen_id.reveal())).push(", ").arg(index);
        q.push(", ").arg(crate::sealed::seal_optional(self.vault(), p.phone.as_deref())).push(", ").arg(p.education.code());
        q.push(", ").arg(p.occupation.code()).push(", ").arg(Stage::Applicant.code()).push(", ").arg(applied_on).push(", ").arg(crate::now_text());
        q.push(") RETURNING id");
        let id = q.query().fetch_one(&mut *tx).await?.i("id")?;
        log_step(&mut tx, id, "递交入党申请书", applied_on, &format!("{}递交入党申请书", p.name), None).await?;
        crate::audit::log(&mut tx, scope.actor(), "insert", Some(("development", id)), serde_json::json!({"姓名": p.name, "身份证号": p.citizen_id.masked(), "申请日期": applied_on.to_string()})).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Takes the next step of a record after checking it against the rules; refused with
    /// each broken rule and its citation, and then nothing is written.
    pub async fn record_development_step(&self, scope: &Scope, id: i64, step: &Step, rules: &Rules, today: Date, user_id: Option<i64>) -> Result<Stage, StoreError> {
        let mut rec = self.development_record(scope, id).await?;
        let on = step_date(step);
        if on > today {
            return Err(StoreError::invalid("on", format!("日期 {on} 晚于今天，不能登记尚未发生的环节")));
        }
        let stage = check_step(rules, &rec, step).map_err(refused)?;
        // 培养联系人 and 入党介绍人 are full members of the branch (正式党员).
        let people: Option<(&'static str, &str, &Vec<String>)> = match step {
            Step::Activist { contacts, .. } => Some(("contacts", "培养联系人", contacts)),
            Step::Admit { sponsors, .. } => Some(("sponsors", "入党介绍人", sponsors)),
            _ => None,
        };
        if let Some((field, what, names)) = people {
            let full = self.full_member_names(rec.org_id).await?;
            let outside: Vec<&str> = names.iter().map(|n| n.trim()).filter(|n| !n.is_empty() && !full.iter().any(|f| f == n)).collect();
            if !outside.is_empty() {
                return Err(StoreError::invalid(field, format!("{what}应为本支部的正式党员：{}不在本支部正式党员名单中（预备党员不能担任）", outside.join("、"))));
            }
        }
        let before = rec.stage;
        apply(&mut rec, step, stage);
        let mut tx = self.pool.begin().await?;
        let mut member_id: Option<i64> = sqlx::query_scalar("SELECT member_id FROM development WHERE id = $1").bind(id).fetch_one(&mut *tx).await?;
        if stage == Stage::Probationary && matches!(step, Step::Admit { .. } | Step::Approve { .. }) {
            // Approved (上级党委审批): the new probationary member (预备党员) joins the
            // branch's roll, the probation counted from the branch meeting.
            let joined = rec.admitted_on.unwrap_or(on);
            let r = sqlx::query("SELECT org_id, name, sex, ethnicity, birth_date, citizen_id, phone, education, occupation FROM development WHERE id = $1")
                .bind(id)
                .fetch_one(&mut *tx)
                .await?;
            let input = NewMemberInput {
                org_id: Some(r.i("org_id")?),
                group_id: None,
                name: r.s("name")?,
                sex: r.s("sex")?,
                ethnicity: r.s("ethnicity")?,
                birth_date: r.s("birth_date")?,
                citizen_id: r.sealed("citizen_id", self.vault())?,
                education: r.s("education")?,
                occupation: r.s("occupation")?,
                phone: r.osealed("phone", self.vault())?,
                joined_on: joined.to_string(),
                full_on: None,
                status: MemberStatus::Probationary.code().into(),
                is_mobile: false,
                archive_location: None,
                archive_materials: [ArchiveMaterial::Application, ArchiveMaterial::VolunteerForm, ArchiveMaterial::PoliticalReview, ArchiveMaterial::TrainingRecords]
                    .iter()
                    .map(|a| a.code().to_string())
                    .collect(),
            };
            member_id = Some(crate::members::insert_member_tx(&mut tx, self.vault(), &input.validate()?).await?);
        }
        if let (Step::Confirm { on, .. }, Some(m)) = (step, member_id) {
            sqlx::query("UPDATE members SET full_on = $1, status = $2, archive_materials = archive_materials || $3 WHERE id = $4")
                .bind(on.to_string())
                .bind(MemberStatus::Full.code())
                .bind(format!(",{}", ArchiveMaterial::FullMembershipApplication.code()))
                .bind(m)
                .execute(&mut *tx)
                .await?;
        }
        let vote = |v: Option<Vote>| v.map(|v| (v.eligible as i64, v.present as i64, v.favour as i64));
        let (ae, ap, af) = vote(rec.admission_vote).map_or((None, None, None), |(a, b, c)| (Some(a), Some(b), Some(c)));
        let (fe, fp, ff) = vote(rec.full_vote).map_or((None, None, None), |(a, b, c)| (Some(a), Some(b), Some(c)));
        let mut q = Sql::new("UPDATE development SET stage = ");
        q.arg(rec.stage.code()).push(", talked_on = ").arg(rec.talked_on).push(", activist_on = ").arg(rec.activist_on);
        q.push(", contacts = ").arg(rec.contacts.join("、")).push(", candidate_on = ").arg(rec.candidate_on).push(", review_on = ").arg(rec.review_on);
        q.push(", training_hours = ").arg(Some(rec.training_hours)).push(", sponsors = ").arg(rec.sponsors.join("、"));
        q.push(", admitted_on = ").arg(rec.admitted_on).push(", admission_eligible = ").arg(ae).push(", admission_present = ").arg(ap);
        q.push(", admission_favour = ").arg(af).push(", approved_on = ").arg(rec.approved_on).push(", extension_months = ").arg(rec.extension_months.map(i64::from));
        q.push(", full_on = ").arg(rec.full_on).push(", full_eligible = ").arg(fe).push(", full_present = ").arg(fp).push(", full_favour = ").arg(ff);
        q.push(", member_id = ").arg(member_id).push(" WHERE id = ").arg(id).push(" AND stage = ").arg(before.code());
        // The stage condition: two people recording the same step at once cannot both succeed.
        if q.query().execute(&mut *tx).await?.rows_affected() != 1 {
            return Err(StoreError::invalid("step", "该记录刚被他人更新，请刷新页面后重试"));
        }
        log_step(&mut tx, id, step.label(), on, &step_detail(step), user_id).await?;
        let mut detail = crate::audit::changes([("阶段", Some(before.label().to_string()), Some(rec.stage.label().to_string()))]);
        detail["环节"] = serde_json::json!([step.label(), on.to_string(), step_detail(step)]);
        crate::audit::log(&mut tx, scope.actor(), "update", Some(("development", id)), detail).await?;
        tx.commit().await?;
        Ok(stage)
    }
}

impl Store {
    /// Names of the full members (正式党员) on a branch's roll: who may be 介绍人 or 培养联系人.
    pub async fn full_member_names(&self, org_id: i64) -> Result<Vec<String>, StoreError> {
        let names: Vec<String> = sqlx::query_scalar("SELECT name FROM members WHERE org_id = $1 AND left_on IS NULL AND status = $2 ORDER BY name")
            .bind(org_id)
            .bind(MemberStatus::Full.code())
            .fetch_all(&self.pool)
            .await?;
        Ok(names)
    }
}

fn step_date(step: &Step) -> Date {
    match step {
        Step::Activist { on, .. } | Step::Candidate { on } | Step::Admit { on, .. } | Step::Approve { on } | Step::Confirm { on, .. } | Step::Extend { on, .. } => *on,
    }
}

fn step_detail(step: &Step) -> String {
    let vote = |v: &domain::development::Vote| format!("应到{}人，实到{}人，赞成{}人", v.eligible, v.present, v.favour);
    match step {
        Step::Activist { contacts, .. } => format!("培养联系人：{}", contacts.join("、")),
        Step::Candidate { .. } => "经支委会研究确定为发展对象".into(),
        Step::Admit { sponsors, training_hours, vote: v, approved_on, .. } => format!(
            "入党介绍人：{}；集中培训{training_hours}学时；支部大会表决：{}；上级党委审批：{}",
            sponsors.join("、"),
            vote(v),
            approved_on.map(|d| d.to_string()).unwrap_or_else(|| "待审批".into())
        ),
        Step::Approve { on } => format!("上级党委于{on}审批同意，接收为预备党员"),
        Step::Confirm { vote: v, .. } => format!("支部大会表决：{}", vote(v)),
        Step::Extend { months, vote: v, .. } => format!("延长预备期{months}个月；支部大会表决：{}", vote(v)),
    }
}

async fn log_step(tx: &mut sqlx::Transaction<'_, sqlx::Any>, id: i64, step: &str, on: Date, detail: &str, user: Option<i64>) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO development_steps (development_id, step, taken_on, detail, recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(id)
        .bind(step)
        .bind(on.to_string())
        .bind(detail)
        .bind(user)
        .bind(crate::now_text())
        .execute(&mut **tx)
        .await?;
    Ok(())
}
