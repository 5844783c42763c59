//! Exports (导出): the records of an organisation's subtree, streamed row by row in a
//! stable order (so that two exports of the same data are identical), each with the
//! codes and names an import needs to read it back.

use crate::members::{member_from, MEMBER_COLS};
use crate::orgs::{org_from, ORG_COLS};
use crate::query::Sql;
use crate::rows::RowExt;
use crate::scope::path_range;
use crate::{Scope, Store, StoreError};
use domain::dues::Month;
use domain::life::{ThemeCategory, TrainingChannel};
use domain::meeting::{MeetingForm, MeetingKind};
use domain::member::Member;
use domain::org::{CommitteeRole, Org};
use domain::Date;
use futures_util::TryStreamExt;

/// An organisation with its parent's code.
pub struct OrgExport {
    pub org: Org,
    pub parent_code: Option<String>,
}

/// An active member with the codes and names of their organisation and 党小组.
pub struct MemberExport {
    pub member: Member,
    pub org_code: String,
    pub org_name: String,
    pub group_name: Option<String>,
}

pub struct CommitteeExport {
    pub org_code: String,
    pub org_name: String,
    pub role: CommitteeRole,
    pub person_name: String,
    /// The member holding the post, when linked (full number: exports are for the
    /// organisation's own records).
    pub citizen_id: Option<String>,
    pub start_on: Date,
    pub end_on: Option<Date>,
}

pub struct MeetingExport {
    pub org_code: String,
    pub org_name: String,
    pub kind: MeetingKind,
    pub held_on: Date,
    pub topic: String,
    pub form: MeetingForm,
    pub theme: Option<ThemeCategory>,
    pub host: Option<String>,
    pub recorder: Option<String>,
    pub summary: Option<String>,
    pub present: Vec<String>,
    /// Absent members with their reason.
    pub absent: Vec<(String, Option<String>)>,
}

pub struct DuesExport {
    pub citizen_id: String,
    pub name: String,
    pub from: Month,
    pub to: Month,
    pub base: Option<f64>,
    pub amount: f64,
    pub paid_on: Date,
}

pub struct TrainingExport {
    pub citizen_id: String,
    pub name: String,
    pub taken_on: Date,
    pub hours: f64,
    pub channel: TrainingChannel,
    pub topic: String,
}

impl Store {
    /// The path range of `root`'s subtree, if `root` is in scope.
    async fn subtree_range(&self, scope: &Scope, root: i64) -> Result<(String, String), StoreError> {
        let org = self.org(scope, root).await?;
        Ok(path_range(&org.path))
    }

    /// Organisations of the subtree, parents before children.
    pub async fn export_orgs<E: From<StoreError>>(&self, scope: &Scope, root: i64, mut each: impl FnMut(OrgExport) -> Result<(), E>) -> Result<(), E> {
        let (lo, hi) = self.subtree_range(scope, root).await?;
        let mut q = Sql::new(&format!("SELECT {ORG_COLS}, p.code AS parent_code FROM orgs o LEFT JOIN orgs p ON p.id = o.parent_id WHERE o.dissolved_on IS NULL AND o.path >= "));
        q.arg(lo).push(" AND o.path < ").arg(hi).push(" ORDER BY o.depth, o.code");
        let mut rows = q.query().fetch(&self.pool);
        while let Some(r) = rows.try_next().await.map_err(StoreError::from)? {
            each(OrgExport { org: org_from(&r)?, parent_code: r.os("parent_code")? })?;
        }
        Ok(())
    }

    /// Active members of the subtree, by organisation code and name.
    pub async fn export_members<E: From<StoreError>>(&self, scope: &Scope, root: i64, mut each: impl FnMut(MemberExport) -> Result<(), E>) -> Result<(), E> {
        let org = self.org(scope, root).await?;
        let mut q = Sql::new(&format!(
            "SELECT {MEMBER_COLS}, o.code AS org_code, o.name AS org_name, g.name AS group_name FROM members m \
             JOIN orgs o ON o.id = m.org_id LEFT JOIN orgs g ON g.id = m.group_id WHERE m.left_on IS NULL"
        ));
        if org.level == domain::org::OrgLevel::Group {
            // A group's members: their relationship sits in the branch, as the group page lists them.
            q.push(" AND m.group_id = ").arg(org.id);
        } else {
            let (lo, hi) = path_range(&org.path);
            q.push(" AND o.path >= ").arg(lo).push(" AND o.path < ").arg(hi);
        }
        scope.members(&mut q, "m", "o");
        q.push(" ORDER BY o.code, m.name, m.id");
        let mut rows = q.query().fetch(&self.pool);
        while let Some(r) = rows.try_next().await.map_err(StoreError::from)? {
            each(MemberExport { member: member_from(&r, self.vault())?, org_code: r.s("org_code")?, org_name: r.s("org_name")?, group_name: r.os("group_name")? })?;
        }
        Ok(())
    }

    pub async fn export_committee<E: From<StoreError>>(&self, scope: &Scope, root: i64, mut each: impl FnMut(CommitteeExport) -> Result<(), E>) -> Result<(), E> {
        let (lo, hi) = self.subtree_range(scope, root).await?;
        let mut q = Sql::new(
            "SELECT o.code AS org_code, o.name AS org_name, c.role, c.person_name, m.citizen_id, c.start_on, c.end_on \
             FROM committee_posts c JOIN orgs o ON o.id = c.org_id LEFT JOIN members m ON m.id = c.member_id WHERE o.path >= ",
        );
        q.arg(lo).push(" AND o.path < ").arg(hi).push(" ORDER BY o.code, c.start_on, c.role, c.person_name");
        let mut rows = q.query().fetch(&self.pool);
        while let Some(r) = rows.try_next().await.map_err(StoreError::from)? {
            each(CommitteeExport {
                org_code: r.s("org_code")?,
                org_name: r.s("org_name")?,
                role: r.e("role")?,
                person_name: r.s("person_name")?,
                citizen_id: r.osealed("citizen_id", self.vault())?,
                start_on: r.d("start_on")?,
                end_on: r.od("end_on")?,
            })?;
        }
        Ok(())
    }

    /// Meetings of the subtree held in `year` (all years when `None`) with who attended.
    pub async fn export_meetings<E: From<StoreError>>(&self, scope: &Scope, root: i64, year: Option<i32>, mut each: impl FnMut(MeetingExport) -> Result<(), E>) -> Result<(), E> {
        let (lo, hi) = self.subtree_range(scope, root).await?;
        let mut q = Sql::new(
            "SELECT mt.id, o.code AS org_code, o.name AS org_name, mt.kind, mt.held_on, mt.topic, mt.form, mt.theme, mt.host, mt.recorder, mt.summary, \
             m.name AS member_name, m.citizen_id, a.present, a.absence_reason, \
             (SELECT COUNT(*) FROM members n WHERE (n.org_id = mt.org_id OR n.group_id = mt.org_id) AND n.name = m.name) AS namesakes \
             FROM meetings mt JOIN orgs o ON o.id = mt.org_id LEFT JOIN attendance a ON a.meeting_id = mt.id LEFT JOIN members m ON m.id = a.member_id \
             WHERE o.path >= ",
        );
        q.arg(lo).push(" AND o.path < ").arg(hi);
        if let Some(y) = year {
            q.push(" AND mt.held_on >= ").arg(format!("{y}-01-01")).push(" AND mt.held_on <= ").arg(format!("{y}-12-31"));
        }
        q.push(" ORDER BY o.code, mt.held_on, mt.kind, mt.topic, mt.id, m.id");
        let mut rows = q.query().fetch(&self.pool);
        let mut current: Option<(i64, MeetingExport)> = None;
        while let Some(r) = rows.try_next().await.map_err(StoreError::from)? {
            let id = r.i("id")?;
            if current.as_ref().is_none_or(|(c, _)| *c != id) {
                if let Some((_, done)) = current.take() {
                    each(done)?;
                }
                current = Some((
                    id,
                    MeetingExport {
                        org_code: r.s("org_code")?,
                        org_name: r.s("org_name")?,
                        kind: r.e("kind")?,
                        held_on: r.d("held_on")?,
                        topic: r.s("topic")?,
                        form: r.e("form")?,
                        theme: r.oe("theme")?,
                        host: r.os("host")?,
                        recorder: r.os("recorder")?,
                        summary: r.os("summary")?,
                        present: Vec::new(),
                        absent: Vec::new(),
                    },
                ));
            }
            let m = &mut current.as_mut().expect("set above").1;
            if let Some(mut name) = r.os("member_name")? {
                // Namesakes in the organisation are told apart by the ID's last four characters.
                if r.i("namesakes")? > 1 {
                    let id = r.sealed("citizen_id", self.vault())?;
                    name = format!("{name}[{}]", &id[id.len().saturating_sub(4)..]);
                }
                if r.b("present")? {
                    m.present.push(name);
                } else {
                    m.absent.push((name, r.os("absence_reason")?));
                }
            }
        }
        if let Some((_, done)) = current {
            each(done)?;
        }
        Ok(())
    }

    pub async fn export_dues<E: From<StoreError>>(&self, scope: &Scope, root: i64, mut each: impl FnMut(DuesExport) -> Result<(), E>) -> Result<(), E> {
        let (lo, hi) = self.subtree_range(scope, root).await?;
        let mut q = Sql::new(
            "SELECT m.citizen_id, m.name, d.from_month, d.to_month, d.base, d.amount, d.paid_on FROM dues_payments d \
             JOIN members m ON m.id = d.member_id JOIN orgs o ON o.id = m.org_id WHERE m.left_on IS NULL AND o.path >= ",
        );
        q.arg(lo).push(" AND o.path < ").arg(hi).push(" ORDER BY o.code, m.name, m.id, d.from_month");
        let mut rows = q.query().fetch(&self.pool);
        while let Some(r) = rows.try_next().await.map_err(StoreError::from)? {
            let month = |c: &str| -> Result<Month, StoreError> {
                let s = r.s(c)?;
                Month::parse(&s).ok_or_else(|| StoreError::Corrupt(format!("{c} “{s}”")))
            };
            each(DuesExport {
                citizen_id: r.sealed("citizen_id", self.vault())?,
                name: r.s("name")?,
                from: month("from_month")?,
                to: month("to_month")?,
                base: r.of("base")?,
                amount: r.of("amount")?.unwrap_or(0.0),
                paid_on: r.d("paid_on")?,
            })?;
        }
        Ok(())
    }

    pub async fn export_training<E: From<StoreError>>(&self, scope: &Scope, root: i64, mut each: impl FnMut(TrainingExport) -> Result<(), E>) -> Result<(), E> {
        let (lo, hi) = self.subtree_range(scope, root).await?;
        let mut q = Sql::new(
            "SELECT m.citizen_id, m.name, t.taken_on, t.hours, t.channel, t.topic FROM training_records t \
             JOIN members m ON m.id = t.member_id JOIN orgs o ON o.id = m.org_id WHERE m.left_on IS NULL AND o.path >= ",
        );
        q.arg(lo).push(" AND o.path < ").arg(hi).push(" ORDER BY o.code, m.name, m.id, t.taken_on, t.topic");
        let mut rows = q.query().fetch(&self.pool);
        while let Some(r) = rows.try_next().await.map_err(StoreError::from)? {
            each(TrainingExport {
                citizen_id: r.sealed("citizen_id", self.vault())?,
                name: r.s("name")?,
                taken_on: r.d("taken_on")?,
                hours: r.of("hours")?.unwrap_or(0.0),
                channel: r.e("channel")?,
                topic: r.s("topic")?,
            })?;
        }
        Ok(())
    }
}
