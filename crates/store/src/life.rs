//! Records beside meetings, read and written within the caller's scope: a member's dues,
//! training, evaluation grades, transfers and mobile record; an organisation's
//! party-affairs workers, funding and carriers; grades of a democratic evaluation.

use crate::query::Sql;
use crate::rows::RowExt;
use crate::{Scope, Store, StoreError};
use domain::dues::{DuesPayment, Month};
use domain::life::{EvaluationGrade, MobileRecord, Transfer, TransferDirection, WorkerKind};
use domain::meeting::MeetingKind;
use domain::member::LeaveReason;
use domain::rules::Rules;
use domain::{Date, Labelled};
use serde::Serialize;

/// A training record (培训记录): the domain's checked record.
pub type TrainingRecord = domain::life::Training;

/// A party-affairs worker (党务工作者).
#[derive(Debug, Clone, Serialize)]
pub struct Worker {
    pub name: String,
    pub member_id: Option<i64>,
    pub kind: WorkerKind,
    pub appointed_on: Date,
    pub left_on: Option<Date>,
}

/// Working funds of a year from one source (党建工作经费): the domain's checked record.
pub type Funding = domain::life::Funding;

/// A carrier of Party work (党建工作载体): the domain's checked record.
pub type Carrier = domain::life::NewCarrier;

fn month(r: &sqlx::any::AnyRow, c: &str) -> Result<Month, StoreError> {
    let v = r.s(c)?;
    Month::parse(&v).ok_or_else(|| StoreError::Corrupt(format!("{c} = {v}")))
}

impl Store {
    /// A member's dues payments, latest first.
    pub async fn member_dues(&self, scope: &Scope, member_id: i64) -> Result<Vec<DuesPayment>, StoreError> {
        self.member(scope, member_id).await?;
        let rows = sqlx::query("SELECT member_id, from_month, to_month, base, amount, paid_on, catch_up FROM dues_payments WHERE member_id = $1 ORDER BY to_month DESC, id DESC")
            .bind(member_id)
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                Ok(DuesPayment {
                    member_id: r.i("member_id")?,
                    from: month(r, "from_month")?,
                    to: month(r, "to_month")?,
                    base: r.of("base")?,
                    amount: r.of("amount")?.unwrap_or(0.0),
                    paid_on: r.d("paid_on")?,
                    catch_up: r.b("catch_up")?,
                })
            })
            .collect()
    }

    /// Records a dues payment for months `from..=to`; the amount is computed from the
    /// monthly base by the rules' brackets (farmers and students pay the fixed amount).
    pub async fn insert_dues(&self, scope: &Scope, member_id: i64, input: &domain::dues::DuesInput, rules: &Rules, today: Date) -> Result<DuesPayment, StoreError> {
        let (m, _) = self.member(scope, member_id).await?;
        if scope.own_member().is_some() {
            return Err(StoreError::invalid("member_id", "党员账号不能登记党费，请由党支部登记"));
        }
        let payer = domain::dues::Payer { name: m.name.clone(), occupation: m.occupation, joined_on: m.joined_on, active: m.is_active() };
        let p = input.validate(&payer, rules, today)?;
        let (from, to) = (p.from, p.to);
        let twice = || StoreError::invalid("from_month", format!("{}至{}已有党费记录，不能重复登记（可能是重复提交）", from.label(), to.label()));
        // Check and insert in one transaction that first writes the member's row: a
        // second submission for the same member waits for the first and then sees it
        // (a row lock on PostgreSQL, the write lock on SQLite).
        let mut tx = self.pool.begin().await?;
        sqlx::query("UPDATE members SET id = id WHERE id = $1").bind(member_id).execute(&mut *tx).await?;
        let overlap: Option<i64> = sqlx::query_scalar("SELECT id FROM dues_payments WHERE member_id = $1 AND from_month <= $2 AND to_month >= $3")
            .bind(member_id)
            .bind(to.text())
            .bind(from.text())
            .fetch_optional(&mut *tx)
            .await?;
        // A refusal rolls back now: the transaction holds SQLite's write lock (it began with
        // an UPDATE), and a dropped one would release it only when its connection is next
        // used, so the next writer elsewhere would find the database locked.
        if overlap.is_some() {
            tx.rollback().await?;
            return Err(twice());
        }
        let p = DuesPayment { member_id, ..p };
        // The unique index (member, first month) is the last word if anything slips by.
        match insert_dues(&mut *tx, &p, m.org_id).await {
            Err(StoreError::Db(e)) if e.as_database_error().is_some_and(|d| d.is_unique_violation()) => {
                tx.rollback().await?;
                return Err(twice());
            }
            other => other?,
        }
        crate::summaries::refresh(&mut tx, &[member_id]).await?;
        crate::audit::log(&mut tx, scope.actor(), "insert", Some(("dues_payments", member_id)), serde_json::json!({"党员": m.name, "起": from.label(), "止": to.label(), "金额": p.amount})).await?;
        tx.commit().await?;
        Ok(p)
    }

    /// A member's training records of a year.
    pub async fn member_training(&self, scope: &Scope, member_id: i64, year: i32) -> Result<Vec<TrainingRecord>, StoreError> {
        self.member(scope, member_id).await?;
        let rows = sqlx::query("SELECT taken_on, hours, channel, topic FROM training_records WHERE member_id = $1 AND taken_on >= $2 AND taken_on <= $3 ORDER BY taken_on")
            .bind(member_id)
            .bind(format!("{year:04}-01-01"))
            .bind(format!("{year:04}-12-31"))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(|r| Ok(TrainingRecord { taken_on: r.d("taken_on")?, hours: r.of("hours")?.unwrap_or(0.0), channel: r.e("channel")?, topic: r.s("topic")? })).collect()
    }

    /// Records training hours of a member.
    /// Records checked training hours of a member ([`domain::life::TrainingInput::validate`]).
    pub async fn insert_training(&self, scope: &Scope, member_id: i64, rec: &TrainingRecord) -> Result<(), StoreError> {
        let (m, _) = self.member(scope, member_id).await?;
        if scope.own_member().is_some() {
            return Err(StoreError::invalid("member_id", "党员账号不能登记培训学时，请由党支部登记"));
        }
        if !m.is_active() {
            return Err(StoreError::invalid("member_id", format!("{}已不在本组织名册中，不能登记培训", m.name)));
        }
        let mut tx = self.pool.begin().await?;
        sqlx::query("INSERT INTO training_records (member_id, org_id, taken_on, hours, channel, topic) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(member_id)
            .bind(m.org_id)
            .bind(rec.taken_on.to_string())
            .bind(rec.hours)
            .bind(rec.channel.code())
            .bind(rec.topic.trim())
            .execute(&mut *tx)
            .await?;
        crate::summaries::refresh(&mut tx, &[member_id]).await?;
        crate::audit::log(&mut tx, scope.actor(), "insert", Some(("training_records", member_id)), serde_json::json!({"党员": m.name, "日期": rec.taken_on.to_string(), "学时": rec.hours, "主题": rec.topic.trim()})).await?;
        tx.commit().await?;
        Ok(())
    }

    /// A member's democratic-evaluation grades by year.
    pub async fn member_evaluations(&self, scope: &Scope, member_id: i64) -> Result<Vec<(i32, EvaluationGrade)>, StoreError> {
        self.member(scope, member_id).await?;
        let rows = sqlx::query("SELECT year, grade FROM evaluations WHERE member_id = $1 ORDER BY year DESC").bind(member_id).fetch_all(&self.pool).await?;
        rows.iter().map(|r| Ok((r.i("year")? as i32, r.e("grade")?))).collect()
    }

    /// Grades of a democratic evaluation (民主评议党员), one per member of the meeting's
    /// attendance list; all or nothing. A grade already given that year is replaced.
    pub async fn record_grades(&self, scope: &Scope, meeting_id: i64, grades: &[(i64, EvaluationGrade)]) -> Result<(), StoreError> {
        let d = self.meeting(scope, meeting_id).await?;
        if scope.own_member().is_some() {
            return Err(StoreError::invalid("grades", "党员账号不能登记评议结果"));
        }
        if d.meeting.kind != MeetingKind::DemocraticEvaluation {
            return Err(StoreError::invalid("grades", "只有“民主评议党员”会议可以登记评议等次"));
        }
        for (m, _) in grades {
            if !d.attendance.iter().any(|a| a.member_id == *m) {
                return Err(StoreError::invalid("grades", format!("党员（编号{m}）不在本次评议的名单中")));
            }
        }
        let year = chrono::Datelike::year(&d.meeting.held_on) as i64;
        let mut tx = self.pool.begin().await?;
        for (m, g) in grades {
            let n = sqlx::query("UPDATE evaluations SET grade = $1, meeting_id = $2 WHERE member_id = $3 AND year = $4")
                .bind(g.code())
                .bind(meeting_id)
                .bind(*m)
                .bind(year)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if n == 0 {
                sqlx::query("INSERT INTO evaluations (org_id, member_id, year, grade, meeting_id) VALUES ($1, $2, $3, $4, $5)")
                    .bind(d.meeting.org_id)
                    .bind(*m)
                    .bind(year)
                    .bind(g.code())
                    .bind(meeting_id)
                    .execute(&mut *tx)
                    .await?;
            }
        }
        let given: serde_json::Map<String, serde_json::Value> = grades.iter().map(|(m, g)| (m.to_string(), serde_json::Value::from(g.label()))).collect();
        crate::audit::log(&mut tx, scope.actor(), "update", Some(("evaluations", meeting_id)), serde_json::json!({"年度": year, "等次": given})).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Transfer letters of a member, or of every member of an organisation, latest first.
    pub async fn transfers(&self, scope: &Scope, member_id: Option<i64>, org_id: Option<i64>) -> Result<Vec<Transfer>, StoreError> {
        let mut q = Sql::new(
            "SELECT t.id, t.member_id, m.name, t.org_id, t.direction, t.letter_no, t.issued_on, t.valid_days, t.dues_paid_to, t.counterpart, t.received_on \
             FROM transfers t JOIN members m ON m.id = t.member_id JOIN orgs o ON o.id = t.org_id WHERE 1 = 1",
        );
        if let Some(m) = member_id {
            q.push(" AND t.member_id = ").arg(m);
        }
        if let Some(o) = org_id {
            q.push(" AND t.org_id = ").arg(o);
        }
        scope.members(&mut q, "m", "o");
        q.push(" ORDER BY t.issued_on DESC, t.id DESC");
        let rows = q.query().fetch_all(&self.pool).await?;
        rows.iter()
            .map(|r| {
                Ok(Transfer {
                    id: r.i("id")?,
                    member_id: r.i("member_id")?,
                    member_name: r.s("name")?,
                    org_id: r.i("org_id")?,
                    direction: r.e("direction")?,
                    letter_no: r.s("letter_no")?,
                    issued_on: r.d("issued_on")?,
                    valid_days: r.i("valid_days")? as u32,
                    dues_paid_to: r.s("dues_paid_to")?,
                    counterpart: r.s("counterpart")?,
                    received_on: r.od("received_on")?,
                })
            })
            .collect()
    }

    /// Issues a transfer-out letter (组织关系介绍信): the member leaves the roll the same
    /// day, in the same transaction; the letter's validity comes from the rules and the
    /// dues-paid-to month from the member's payments.
    pub async fn transfer_out(&self, scope: &Scope, member_id: i64, letter: &domain::life::NewTransfer, rules: &Rules) -> Result<i64, StoreError> {
        let (letter_no, issued_on, counterpart) = (letter.letter_no.as_str(), letter.issued_on, letter.counterpart.as_str());
        let (m, _) = self.member(scope, member_id).await?;
        if scope.own_member().is_some() {
            return Err(StoreError::invalid("member_id", "党员账号不能开具介绍信"));
        }
        if !m.is_active() {
            return Err(StoreError::invalid("member_id", format!("{}已于{}减少，不能再开具介绍信", m.name, m.left_on.map(|d| d.to_string()).unwrap_or_default())));
        }
        if issued_on < m.joined_on {
            return Err(StoreError::invalid("issued_on", format!("开具日期 {issued_on} 早于入党时间 {}", m.joined_on)));
        }
        let mut tx = self.pool.begin().await?;
        let paid_to: Option<String> = sqlx::query_scalar("SELECT MAX(to_month) FROM dues_payments WHERE member_id = $1").bind(member_id).fetch_one(&mut *tx).await?;
        let id = sqlx::query(
            "INSERT INTO transfers (member_id, org_id, direction, letter_no, issued_on, valid_days, dues_paid_to, counterpart) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(member_id)
        .bind(m.org_id)
        .bind(TransferDirection::Out.code())
        .bind(letter_no.trim())
        .bind(issued_on.to_string())
        .bind(rules.transfers.letter_validity_days.get() as i64)
        .bind(paid_to.unwrap_or_else(|| "未交".into()))
        .bind(counterpart.trim())
        .fetch_one(&mut *tx)
        .await?
        .i("id")?;
        sqlx::query("UPDATE members SET left_on = $1, left_reason = $2, left_note = $3 WHERE id = $4 AND left_on IS NULL")
            .bind(issued_on.to_string())
            .bind(LeaveReason::TransferredOut.code())
            .bind(format!("转往{}，介绍信{}", counterpart.trim(), letter_no.trim()))
            .bind(member_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("UPDATE orgs SET member_count = member_count - 1 WHERE id = $1").bind(m.org_id).execute(&mut *tx).await?;
        crate::audit::log(&mut tx, scope.actor(), "insert", Some(("transfers", id)), serde_json::json!({"党员": m.name, "介绍信": letter_no.trim(), "转往": counterpart.trim(), "开具日期": issued_on.to_string()})).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Records the receipt (回执) of a letter: the member reported at the receiving organisation.
    pub async fn receive_transfer(&self, scope: &Scope, transfer_id: i64, on: Date, today: Date) -> Result<(), StoreError> {
        let mut q = Sql::new("SELECT t.issued_on, t.received_on FROM transfers t JOIN members m ON m.id = t.member_id JOIN orgs o ON o.id = t.org_id WHERE t.id = ");
        q.arg(transfer_id);
        scope.orgs(&mut q, "o");
        let r = q.query().fetch_optional(&self.pool).await?.ok_or(StoreError::NotFound { what: "介绍信" })?;
        if let Some(d) = r.od("received_on")? {
            return Err(StoreError::invalid("received_on", format!("该介绍信已于 {d} 登记回执")));
        }
        let issued = r.d("issued_on")?;
        if on < issued || on > today {
            return Err(StoreError::invalid("received_on", format!("回执日期 {on} 应在开具日期 {issued} 与今天之间")));
        }
        sqlx::query("UPDATE transfers SET received_on = $1 WHERE id = $2 AND received_on IS NULL").bind(on.to_string()).bind(transfer_id).execute(&self.pool).await?;
        self.audit_write(scope, "update", ("transfers", transfer_id), crate::audit::changes([("回执日期", None, Some(on.to_string()))])).await
    }

    /// A member's mobile-member records (流动党员).
    pub async fn member_mobile(&self, scope: &Scope, member_id: i64) -> Result<Vec<MobileRecord>, StoreError> {
        let (m, _) = self.member(scope, member_id).await?;
        let rows = sqlx::query("SELECT id, member_id, direction, place, certificate_no, since, until FROM mobile_members WHERE member_id = $1 ORDER BY since DESC")
            .bind(member_id)
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                Ok(MobileRecord {
                    id: r.i("id")?,
                    member_id: r.i("member_id")?,
                    member_name: m.name.clone(),
                    direction: r.e("direction")?,
                    place: r.s("place")?,
                    certificate_no: r.os("certificate_no")?,
                    since: r.d("since")?,
                    until: r.od("until")?,
                })
            })
            .collect()
    }

    /// Party-affairs workers of an organisation, current first.
    pub async fn org_workers(&self, scope: &Scope, org_id: i64) -> Result<Vec<Worker>, StoreError> {
        self.org(scope, org_id).await?;
        let rows = sqlx::query("SELECT name, member_id, kind, appointed_on, left_on FROM party_workers WHERE org_id = $1 ORDER BY left_on IS NOT NULL, appointed_on DESC")
            .bind(org_id)
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| Ok(Worker { name: r.s("name")?, member_id: r.oi("member_id")?, kind: r.e("kind")?, appointed_on: r.d("appointed_on")?, left_on: r.od("left_on")? }))
            .collect()
    }

    /// Working funds of an organisation, latest year first.
    pub async fn org_funding(&self, scope: &Scope, org_id: i64) -> Result<Vec<Funding>, StoreError> {
        self.org(scope, org_id).await?;
        let rows = sqlx::query("SELECT year, source, amount, purpose FROM funding WHERE org_id = $1 ORDER BY year DESC, id").bind(org_id).fetch_all(&self.pool).await?;
        rows.iter().map(|r| Ok(Funding { year: r.i("year")? as i32, source: r.e("source")?, amount: r.of("amount")?.unwrap_or(0.0), purpose: r.s("purpose")? })).collect()
    }

    /// Records working funds received.
    /// Records checked working funds ([`domain::life::FundingInput::validate`]).
    pub async fn insert_funding(&self, scope: &Scope, org_id: i64, f: &Funding) -> Result<(), StoreError> {
        self.org(scope, org_id).await?;
        if scope.own_member().is_some() {
            return Err(StoreError::invalid("amount", "党员账号不能登记经费"));
        }
        sqlx::query("INSERT INTO funding (org_id, year, source, amount, purpose) VALUES ($1, $2, $3, $4, $5)")
            .bind(org_id)
            .bind(f.year as i64)
            .bind(f.source.code())
            .bind(f.amount)
            .bind(f.purpose.trim())
            .execute(&self.pool)
            .await?;
        self.audit_write(scope, "insert", ("funding", org_id), serde_json::json!({"年度": f.year, "来源": f.source.label(), "金额": f.amount, "用途": f.purpose.trim()})).await
    }

    /// Carriers of an organisation.
    pub async fn org_carriers(&self, scope: &Scope, org_id: i64) -> Result<Vec<Carrier>, StoreError> {
        self.org(scope, org_id).await?;
        let rows = sqlx::query("SELECT kind, name, established_on FROM carriers WHERE org_id = $1 ORDER BY kind, established_on").bind(org_id).fetch_all(&self.pool).await?;
        rows.iter().map(|r| Ok(Carrier { kind: r.e("kind")?, name: r.s("name")?, established_on: r.d("established_on")? })).collect()
    }

    /// Records a party-affairs worker (党务工作者) appointed to an organisation.
    /// Records a checked party-affairs worker ([`domain::life::WorkerInput::validate`]).
    pub async fn insert_worker(&self, scope: &Scope, org_id: i64, w: &domain::life::NewWorker) -> Result<(), StoreError> {
        self.org(scope, org_id).await?;
        if scope.own_member().is_some() {
            return Err(StoreError::invalid("name", "党员账号不能登记党务工作者"));
        }
        sqlx::query("INSERT INTO party_workers (org_id, member_id, name, kind, appointed_on) VALUES ($1, $2, $3, $4, $5)")
            .bind(org_id)
            .bind(None::<i64>)
            .bind(w.name.trim())
            .bind(w.kind.code())
            .bind(w.appointed_on.to_string())
            .execute(&self.pool)
            .await?;
        self.audit_write(scope, "insert", ("party_workers", org_id), serde_json::json!({"姓名": w.name.trim(), "类别": w.kind.label(), "任职日期": w.appointed_on.to_string()})).await
    }

    /// Records a carrier of Party work (党员示范岗、责任区、公众号、网上党课).
    /// Records a checked carrier ([`domain::life::CarrierInput::validate`]).
    pub async fn insert_carrier(&self, scope: &Scope, org_id: i64, c: &Carrier) -> Result<(), StoreError> {
        self.org(scope, org_id).await?;
        if scope.own_member().is_some() {
            return Err(StoreError::invalid("name", "党员账号不能登记工作载体"));
        }
        sqlx::query("INSERT INTO carriers (org_id, kind, name, established_on) VALUES ($1, $2, $3, $4)")
            .bind(org_id)
            .bind(c.kind.code())
            .bind(c.name.trim())
            .bind(c.established_on.to_string())
            .execute(&self.pool)
            .await?;
        self.audit_write(scope, "insert", ("carriers", org_id), serde_json::json!({"名称": c.name.trim(), "类别": c.kind.label(), "建立日期": c.established_on.to_string()})).await
    }

    /// Records that a member went away (流出) with the place and the 活动证; the member is
    /// marked mobile in the same transaction.
    pub async fn insert_mobile(&self, scope: &Scope, member_id: i64, input: &domain::life::MobileInput, today: Date) -> Result<(), StoreError> {
        let (m, _) = self.member(scope, member_id).await?;
        if scope.own_member().is_some() {
            return Err(StoreError::invalid("place", "党员账号不能登记流动党员"));
        }
        if !m.is_active() {
            return Err(StoreError::invalid("member_id", format!("{}已不在本组织名册中", m.name)));
        }
        let x = input.validate(m.joined_on, today)?;
        let (place, certificate_no, since) = (x.place.as_str(), x.certificate_no.as_deref(), x.since);
        let mut tx = self.pool.begin().await?;
        sqlx::query("INSERT INTO mobile_members (member_id, org_id, direction, place, certificate_no, since) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(member_id)
            .bind(m.org_id)
            .bind(domain::life::MobileDirection::Out.code())
            .bind(place.trim())
            .bind(certificate_no.map(str::trim).filter(|c| !c.is_empty()))
            .bind(since.to_string())
            .execute(&mut *tx)
            .await?;
        sqlx::query("UPDATE members SET is_mobile = 1 WHERE id = $1").bind(member_id).execute(&mut *tx).await?;
        crate::audit::log(&mut tx, scope.actor(), "insert", Some(("mobile_members", member_id)), serde_json::json!({"党员": m.name, "流往": place.trim(), "外出日期": since.to_string()})).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// Writes one dues payment (the caller has checked it).
pub(crate) async fn insert_dues<'e>(e: impl sqlx::Executor<'e, Database = sqlx::Any>, p: &DuesPayment, org_id: i64) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO dues_payments (member_id, org_id, from_month, to_month, base, amount, paid_on, catch_up) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
        .bind(p.member_id)
        .bind(org_id)
        .bind(p.from.text())
        .bind(p.to.text())
        .bind(p.base)
        .bind(p.amount)
        .bind(p.paid_on.to_string())
        .bind(p.catch_up as i64)
        .execute(e)
        .await?;
    Ok(())
}

/// A member's standing in a year (党费与学习): the dues months covered and the training
/// hours, for a secretary's 待办.
#[derive(Debug, Clone, Serialize)]
pub struct MemberStanding {
    pub member_id: i64,
    pub name: String,
    pub joined_on: Date,
    pub paid: Vec<(Month, Month)>,
    pub hours: f64,
}

impl Store {
    /// Every active member directly in `org_id` (a 党小组: its members) with their dues
    /// coverage reaching into `year` and their training hours in `year`: three queries,
    /// whatever the roll's size.
    pub async fn member_standing(&self, scope: &Scope, org_id: i64, year: i32) -> Result<Vec<MemberStanding>, StoreError> {
        let org = self.org(scope, org_id).await?;
        let col = if org.level == domain::org::OrgLevel::Group { "m.group_id" } else { "m.org_id" };
        let rows = sqlx::query(&format!("SELECT m.id, m.name, m.joined_on FROM members m WHERE m.left_on IS NULL AND {col} = $1 ORDER BY m.id"))
            .bind(org.id)
            .fetch_all(&self.pool)
            .await?;
        let mut out: Vec<MemberStanding> = rows
            .iter()
            .map(|r| Ok(MemberStanding { member_id: r.i("id")?, name: r.s("name")?, joined_on: r.d("joined_on")?, paid: Vec::new(), hours: 0.0 }))
            .collect::<Result<_, StoreError>>()?;
        let index: std::collections::HashMap<i64, usize> = out.iter().enumerate().map(|(i, s)| (s.member_id, i)).collect();
        let dues = sqlx::query(&format!(
            "SELECT d.member_id, d.from_month, d.to_month FROM dues_payments d JOIN members m ON m.id = d.member_id WHERE m.left_on IS NULL AND {col} = $1 AND d.to_month >= $2"
        ))
        .bind(org.id)
        .bind(Month::new(year, 1).text())
        .fetch_all(&self.pool)
        .await?;
        for r in &dues {
            if let Some(&i) = index.get(&r.i("member_id")?) {
                out[i].paid.push((month(r, "from_month")?, month(r, "to_month")?));
            }
        }
        let hours = sqlx::query(&format!(
            "SELECT t.member_id, SUM(t.hours) AS h FROM training_records t JOIN members m ON m.id = t.member_id \
             WHERE m.left_on IS NULL AND {col} = $1 AND t.taken_on >= $2 AND t.taken_on <= $3 GROUP BY t.member_id"
        ))
        .bind(org.id)
        .bind(format!("{year:04}-01-01"))
        .bind(format!("{year:04}-12-31"))
        .fetch_all(&self.pool)
        .await?;
        for r in &hours {
            if let Some(&i) = index.get(&r.i("member_id")?) {
                out[i].hours = r.of("h")?.unwrap_or(0.0);
            }
        }
        Ok(out)
    }
}
