//! Meetings of organisational life (组织生活): 三会一课, 主题党日, 组织生活会, 民主评议, with attendance.

use crate::{error::Collector, Date, FieldError, ValidationError};
use serde::Serialize;

labelled_enum!(
    /// Kind of meeting (会议类型).
    MeetingKind, "会议类型", {
    /// 支部党员大会
    GeneralMeeting = ("general_meeting", "支部党员大会"),
    /// 支部委员会会议
    CommitteeMeeting = ("committee_meeting", "支委会"),
    /// 党小组会
    GroupMeeting = ("group_meeting", "党小组会"),
    /// 党课
    PartyLesson = ("party_lesson", "党课"),
    /// 主题党日
    ThemedPartyDay = ("themed_party_day", "主题党日"),
    /// 组织生活会
    LifeMeeting = ("life_meeting", "组织生活会"),
    /// 民主评议党员
    DemocraticEvaluation = ("democratic_evaluation", "民主评议党员"),
    Other = ("other", "其他"),
});

labelled_enum!(
    /// Form of a meeting or activity (活动形式).
    MeetingForm, "活动形式", {
    Study = ("study", "集中学习"),
    Discussion = ("discussion", "研讨交流"),
    Volunteer = ("volunteer", "志愿服务"),
    RedEducation = ("red_education", "红色教育"),
    FieldTeaching = ("field_teaching", "现场教学"),
    Online = ("online", "线上"),
    Other = ("other", "其他"),
});

impl MeetingForm {
    /// The forms beyond sitting and listening (互动式): discussion, service, red education,
    /// field teaching and online — what the indicator 活动形式多样 counts.
    pub const INTERACTIVE: [MeetingForm; 5] = [MeetingForm::Discussion, MeetingForm::Volunteer, MeetingForm::RedEducation, MeetingForm::FieldTeaching, MeetingForm::Online];

    pub fn is_interactive(self) -> bool {
        Self::INTERACTIVE.contains(&self)
    }
}

/// A stored meeting.
#[derive(Debug, Clone, Serialize)]
pub struct Meeting {
    pub id: i64,
    pub org_id: i64,
    pub kind: MeetingKind,
    pub held_on: Date,
    pub topic: String,
    pub summary: Option<String>,
    pub form: MeetingForm,
    pub theme: Option<crate::life::ThemeCategory>,
    pub host: Option<String>,
    pub recorder: Option<String>,
    /// Present / expected, from the attendance records.
    pub present: i64,
    pub expected: i64,
}

/// One member's attendance at a meeting (出席 / 缺席 with reason).
#[derive(Debug, Clone, Serialize)]
pub struct Attendance {
    pub member_id: i64,
    pub member_name: String,
    pub present: bool,
    pub absence_reason: Option<String>,
}

/// Attendance as entered.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct AttendanceInput {
    pub member_id: i64,
    pub present: bool,
    #[serde(default)]
    pub absence_reason: Option<String>,
}

/// A meeting as entered by the form, the API or an import (会议登记): every field as text,
/// read by [`MeetingInput::validate`] into a [`NewMeeting`].
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct MeetingInput {
    pub org_id: i64,
    pub kind: String,
    pub held_on: String,
    #[serde(default)]
    pub topic: String,
    #[serde(default)]
    pub summary: Option<String>,
    pub form: String,
    /// 内容类别; empty when not recorded.
    #[serde(default)]
    pub theme: Option<String>,
    #[serde(default)]
    pub host: Option<String>,
    #[serde(default)]
    pub recorder: Option<String>,
    #[serde(default)]
    pub attendance: Vec<AttendanceInput>,
}

impl MeetingInput {
    /// Reads every field (kinds and forms in any accepted word, dates in any common form)
    /// and checks the meeting, reporting all problems at once.
    pub fn validate(&self, today: Date) -> Result<NewMeeting, ValidationError> {
        use crate::Labelled;
        let mut c = Collector::default();
        let kind = c.check(MeetingKind::parse_field("kind", &self.kind));
        let held_on = c.check(crate::parse_date("held_on", "会议日期", &self.held_on));
        let form = c.check(MeetingForm::parse_field("form", &self.form));
        let theme = match self.theme.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            Some(t) => c.check(crate::life::ThemeCategory::parse_field("theme", t)),
            None => None,
        };
        let opt = |s: &Option<String>| s.as_deref().map(str::trim).filter(|x| !x.is_empty()).map(str::to_string);
        let new = match (kind, held_on, form) {
            (Some(kind), Some(held_on), Some(form)) => Some(NewMeeting {
                org_id: self.org_id,
                kind,
                held_on,
                topic: self.topic.trim().to_string(),
                summary: opt(&self.summary),
                form,
                theme,
                host: opt(&self.host),
                recorder: opt(&self.recorder),
                attendance: self.attendance.clone(),
            }),
            _ => None,
        };
        match &new {
            Some(n) => {
                if let Err(e) = n.validate(today) {
                    e.errors.into_iter().for_each(|f| c.push(f));
                }
            }
            // The checks that need no parsed field still run, so that all errors come at once.
            None if self.topic.trim().is_empty() => c.push(FieldError::new("topic", "会议主题不能为空")),
            None => {}
        }
        c.finish()?;
        Ok(new.expect("checked"))
    }
}

/// A checked meeting ([`MeetingInput::validate`], or built by the generator); the store checks that the
/// organisation is in the caller's scope and the attendees belong to it.
#[derive(Debug, Clone)]
pub struct NewMeeting {
    pub org_id: i64,
    pub kind: MeetingKind,
    pub held_on: Date,
    pub topic: String,
    pub summary: Option<String>,
    pub form: MeetingForm,
    /// 主题党日的主题类别.
    pub theme: Option<crate::life::ThemeCategory>,
    pub host: Option<String>,
    pub recorder: Option<String>,
    pub attendance: Vec<AttendanceInput>,
}

impl NewMeeting {
    /// A 主题党日 that only relayed documents (主题类别“仅传达文件”), held as study with
    /// every one of `members` present: the write the incremental-update test and
    /// `dangjian bench --incremental` record.
    pub fn documents_only_day(org_id: i64, held_on: Date, topic: String, members: impl IntoIterator<Item = i64>) -> NewMeeting {
        NewMeeting {
            org_id,
            kind: MeetingKind::ThemedPartyDay,
            held_on,
            topic,
            summary: None,
            form: MeetingForm::Study,
            theme: Some(crate::life::ThemeCategory::DocumentsOnly),
            host: None,
            recorder: None,
            attendance: members.into_iter().map(|member_id| AttendanceInput { member_id, present: true, absence_reason: None }).collect(),
        }
    }

    pub fn validate(&self, today: Date) -> Result<(), ValidationError> {
        let mut c = Collector::default();
        if self.topic.trim().is_empty() {
            c.push(FieldError::new("topic", "会议主题不能为空"));
        }
        if self.held_on > today {
            c.push(FieldError::new("held_on", format!("会议日期 {} 晚于今天，不能登记尚未召开的会议", self.held_on)));
        }
        let mut seen = std::collections::HashSet::new();
        for a in &self.attendance {
            if !seen.insert(a.member_id) {
                c.push(FieldError::new("attendance", format!("党员（编号{}）的出勤被登记了两次", a.member_id)).at(a.member_id));
            }
            if !a.present && a.absence_reason.as_deref().is_none_or(|s| s.trim().is_empty()) {
                c.push(FieldError::new("attendance", format!("党员（编号{}）缺席，请填写缺席原因", a.member_id)).at(a.member_id));
            }
        }
        c.finish()
    }
}

/// How far ahead a meeting can be announced (活动预告): a year.
pub const PLAN_AHEAD_DAYS: i64 = 366;

/// A planned meeting (活动预告) as entered: kind, day, topic and place as text.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct PlanInput {
    pub kind: String,
    pub planned_on: String,
    #[serde(default)]
    pub topic: String,
    #[serde(default)]
    pub place: Option<String>,
}

/// A checked plan: announced for today or a day within [`PLAN_AHEAD_DAYS`].
#[derive(Debug, Clone, Serialize)]
pub struct NewPlan {
    pub kind: MeetingKind,
    pub planned_on: Date,
    pub topic: String,
    pub place: Option<String>,
}

impl PlanInput {
    /// Reads and checks every field, reporting all problems at once.
    pub fn validate(&self, today: Date) -> Result<NewPlan, ValidationError> {
        use crate::Labelled;
        let mut c = Collector::default();
        let kind = c.check(MeetingKind::parse_field("kind", &self.kind));
        let planned_on = c.check(crate::parse_date("planned_on", "活动日期", &self.planned_on));
        let topic = c.text("topic", "活动主题", &self.topic, 200);
        if topic.is_empty() {
            c.push(FieldError::new("topic", "活动主题不能为空：请写明学什么、做什么"));
        }
        let place = c.text("place", "活动地点", self.place.as_deref().unwrap_or(""), 100);
        if let Some(d) = planned_on {
            if d < today {
                c.push(FieldError::new("planned_on", format!("活动日期 {d} 已经过去：已开过的会议请直接登记")));
            } else if (d - today).num_days() > PLAN_AHEAD_DAYS {
                c.push(FieldError::new("planned_on", format!("活动日期 {d} 超过一年以后，请在临近时再预告")));
            }
        }
        c.finish()?;
        Ok(NewPlan { kind: kind.expect("checked"), planned_on: planned_on.expect("checked"), topic, place: (!place.is_empty()).then_some(place) })
    }
}

/// A stored plan (活动预告) with its sign-ins so far.
#[derive(Debug, Clone, Serialize)]
pub struct Plan {
    pub id: i64,
    pub org_id: i64,
    pub org_name: String,
    pub kind: MeetingKind,
    pub planned_on: Date,
    pub topic: String,
    pub place: Option<String>,
    /// The meeting recorded from it, once recorded.
    pub meeting_id: Option<i64>,
    pub checked_in: i64,
}

#[cfg(test)]
mod plan_tests {
    use super::*;
    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }
    #[test]
    fn a_plan_is_for_today_or_the_coming_year_and_all_errors_come_at_once() {
        let today = d("2026-12-06");
        let ok = PlanInput { kind: "主题党日".into(), planned_on: "2026年12月10日".into(), topic: " 学习党章 ".into(), place: Some("".into()) }.validate(today).unwrap();
        assert_eq!((ok.kind, ok.planned_on, ok.topic.as_str(), ok.place), (MeetingKind::ThemedPartyDay, d("2026-12-10"), "学习党章", None));
        let e = PlanInput { kind: "座谈".into(), planned_on: "2026-12-01".into(), topic: "".into(), place: None }.validate(today).unwrap_err();
        let fields: Vec<_> = e.errors.iter().map(|f| f.field).collect();
        assert_eq!(fields, ["kind", "topic", "planned_on"], "{e:?}");
        assert!(PlanInput { kind: "党课".into(), planned_on: "2028-01-01".into(), topic: "x".into(), place: None }.validate(today).is_err());
    }
}
