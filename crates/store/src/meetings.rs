//! Meetings of organisational life and their attendance.

use crate::query::Sql;
use crate::rows::RowExt;
use crate::{Scope, Store, StoreError};
use domain::meeting::{Attendance, Meeting, NewMeeting};
use domain::org::OrgLevel;
use domain::{Date, Labelled};
use serde::Serialize;
use sqlx::any::AnyRow;

/// A meeting with its organisation and attendance list.
#[derive(Debug, Clone, Serialize)]
pub struct MeetingDetail {
    #[serde(flatten)]
    pub meeting: Meeting,
    pub org_name: String,
    pub attendance: Vec<Attendance>,
}

const MEETING_COLS: &str = "mt.id, mt.org_id, mt.kind, mt.held_on, mt.topic, mt.summary, mt.form, mt.theme, mt.host, mt.recorder, \
    (SELECT COUNT(*) FROM attendance a WHERE a.meeting_id = mt.id AND a.present = 1) AS present, \
    (SELECT COUNT(*) FROM attendance a WHERE a.meeting_id = mt.id) AS expected";

fn meeting_from(r: &AnyRow) -> Result<Meeting, StoreError> {
    Ok(Meeting {
        id: r.i("id")?,
        org_id: r.i("org_id")?,
        kind: r.e("kind")?,
        held_on: r.d("held_on")?,
        topic: r.s("topic")?,
        summary: r.os("summary")?,
        form: r.e("form")?,
        theme: r.oe("theme")?,
        host: r.os("host")?,
        recorder: r.os("recorder")?,
        present: r.i("present")?,
        expected: r.i("expected")?,
    })
}

impl Store {
    /// Meetings held by `org_id` in `year`, by date.
    pub async fn meetings(&self, scope: &Scope, org_id: i64, year: i32) -> Result<Vec<Meeting>, StoreError> {
        self.org(scope, org_id).await?;
        let mut q = Sql::new(&format!("SELECT {MEETING_COLS} FROM meetings mt WHERE mt.org_id = "));
        q.arg(org_id).push(" AND mt.held_on >= ").arg(format!("{year:04}-01-01")).push(" AND mt.held_on <= ").arg(format!("{year:04}-12-31"));
        q.push(" ORDER BY mt.held_on, mt.id");
        let rows = q.query().fetch_all(&self.pool).await?;
        rows.iter().map(meeting_from).collect()
    }

    /// A meeting already recorded for the organisation with the same kind, date and topic
    /// (a likely double entry), if any.
    pub async fn similar_meeting(&self, scope: &Scope, org_id: i64, kind: domain::meeting::MeetingKind, held_on: domain::Date, topic: &str) -> Result<Option<i64>, StoreError> {
        self.org(scope, org_id).await?;
        let id: Option<i64> = sqlx::query_scalar("SELECT id FROM meetings WHERE org_id = $1 AND kind = $2 AND held_on = $3 AND topic = $4 ORDER BY id LIMIT 1")
            .bind(org_id)
            .bind(domain::Labelled::code(kind))
            .bind(held_on.to_string())
            .bind(topic.trim())
            .fetch_optional(&self.pool)
            .await?;
        Ok(id)
    }

    /// One meeting with its attendance, if its organisation is in scope.
    /// The attendance listed is the part in scope: a member sees their own line, a
    /// 党小组 its members' lines; the counts are the whole meeting's.
    pub async fn meeting(&self, scope: &Scope, id: i64) -> Result<MeetingDetail, StoreError> {
        let mut q = Sql::new(&format!("SELECT {MEETING_COLS}, o.name AS org_name FROM meetings mt JOIN orgs o ON o.id = mt.org_id WHERE mt.id = "));
        q.arg(id);
        scope.meetings(&mut q, "mt", "o");
        let row = q.query().fetch_optional(&self.pool).await?.ok_or(StoreError::NotFound { what: "会议记录" })?;
        let meeting = meeting_from(&row)?;
        let mut q = Sql::new(
            "SELECT a.member_id, m.name, a.present, a.absence_reason FROM attendance a JOIN members m ON m.id = a.member_id \
             JOIN orgs o ON o.id = m.org_id WHERE a.meeting_id = ",
        );
        q.arg(id);
        if scope.own_member().is_some() || scope.is_group() {
            scope.members(&mut q, "m", "o");
        }
        q.push(" ORDER BY a.present DESC, m.id");
        let rows = q.query().fetch_all(&self.pool).await?;
        let attendance = rows
            .iter()
            .map(|r| Ok(Attendance { member_id: r.i("member_id")?, member_name: r.s("name")?, present: r.b("present")?, absence_reason: r.os("absence_reason")? }))
            .collect::<Result<_, StoreError>>()?;
        Ok(MeetingDetail { meeting, org_name: row.s("org_name")?, attendance })
    }

    /// A member's attendance records in `year`: (meeting, present, absence reason).
    pub async fn member_attendance(&self, scope: &Scope, member_id: i64, year: i32) -> Result<Vec<(Meeting, bool, Option<String>)>, StoreError> {
        self.member(scope, member_id).await?;
        let mut q = Sql::new(&format!(
            "SELECT {MEETING_COLS}, at.present AS me_present, at.absence_reason AS me_reason FROM attendance at \
             JOIN meetings mt ON mt.id = at.meeting_id WHERE at.member_id = "
        ));
        q.arg(member_id).push(" AND mt.held_on >= ").arg(format!("{year:04}-01-01")).push(" AND mt.held_on <= ").arg(format!("{year:04}-12-31"));
        q.push(" ORDER BY mt.held_on, mt.id");
        let rows = q.query().fetch_all(&self.pool).await?;
        rows.iter().map(|r| Ok((meeting_from(r)?, r.b("me_present")?, r.os("me_reason")?))).collect()
    }

    /// Records a meeting with its attendance, all or nothing. The organisation must be in
    /// scope and every attendee an active member of it (for a 党小组, of the group).
    pub async fn insert_meeting(&self, scope: &Scope, new: &NewMeeting, today: Date) -> Result<MeetingDetail, StoreError> {
        self.insert_meeting_planned(scope, new, today, None).await
    }

    /// Records a meeting as [`Store::insert_meeting`]; when it was announced as plan
    /// `plan`, the plan is marked recorded in the same transaction.
    pub async fn insert_meeting_planned(&self, scope: &Scope, new: &NewMeeting, today: Date, plan: Option<i64>) -> Result<MeetingDetail, StoreError> {
        new.validate(today)?;
        let org = self.org(scope, new.org_id).await.map_err(|_| {
            StoreError::invalid("org_id", format!("党组织（编号{}）不存在或不在您的权限范围内，不能为其登记会议", new.org_id))
        })?;
        let mut tx = self.pool.begin().await?;
        // Every attendee outside the roll is named at once, at its row.
        let mut outside = Vec::new();
        for a in &new.attendance {
            let row = sqlx::query("SELECT m.name, m.org_id, m.group_id, m.left_on, o.path FROM members m JOIN orgs o ON o.id = m.org_id WHERE m.id = $1")
                .bind(a.member_id)
                .fetch_optional(&mut *tx)
                .await?;
            let belongs = match &row {
                Some(r) if r.os("left_on")?.is_none() => match org.level {
                    OrgLevel::Group => r.oi("group_id")? == Some(org.id),
                    _ => r.s("path")?.starts_with(&org.path),
                },
                _ => false,
            };
            if !belongs {
                outside.push(domain::FieldError::new("attendance", format!("出勤名单中的党员（编号{}）不是“{}”的在册党员，请核对名单", a.member_id, org.name)).at(a.member_id));
            }
        }
        if !outside.is_empty() {
            return Err(StoreError::Invalid(domain::ValidationError { errors: outside }));
        }
        let mut q = Sql::new("INSERT INTO meetings (org_id, kind, held_on, topic, summary, form, theme, host, recorder, created_at) VALUES (");
        q.arg(new.org_id).push(", ").arg(new.kind.code()).push(", ").arg(new.held_on).push(", ").arg(new.topic.trim());
        q.push(", ").arg(new.summary.clone()).push(", ").arg(new.form.code()).push(", ").arg(new.theme.map(|t| t.code().to_string()));
        q.push(", ").arg(new.host.clone());
        q.push(", ").arg(new.recorder.clone()).push(", ").arg(crate::now_text()).push(") RETURNING id");
        let id = q.query().fetch_one(&mut *tx).await?.i("id")?;
        for a in &new.attendance {
            sqlx::query("INSERT INTO attendance (meeting_id, member_id, present, absence_reason, held_on) VALUES ($1, $2, $3, $4, $5)")
                .bind(id)
                .bind(a.member_id)
                .bind(a.present as i64)
                .bind(if a.present { None } else { a.absence_reason.as_deref().map(str::trim) })
                .bind(new.held_on.to_string())
                .execute(&mut *tx)
                .await?;
        }
        // The attendees' summaries, in the same transaction.
        let attendees: Vec<i64> = new.attendance.iter().map(|a| a.member_id).collect();
        crate::summaries::refresh(&mut tx, &attendees).await?;
        crate::summaries::refresh_meetings(&mut tx, self.backend, &[id]).await?;
        if let Some(p) = plan {
            let n = sqlx::query("UPDATE meeting_plans SET meeting_id = $1 WHERE id = $2 AND org_id = $3 AND meeting_id IS NULL").bind(id).bind(p).bind(new.org_id).execute(&mut *tx).await?.rows_affected();
            if n != 1 {
                return Err(StoreError::invalid("plan", "这次活动预告已经登记过会议，或不属于本组织；请从待办重新打开"));
            }
        }
        crate::audit::log(&mut tx, scope.actor(), "insert", Some(("meetings", id)), serde_json::json!({"党组织": new.org_id, "类型": new.kind.label(), "日期": new.held_on.to_string(), "主题": new.topic, "活动预告": plan})).await?;
        tx.commit().await?;
        self.meeting(scope, id).await
    }
}
