//! The development pipeline (发展党员): 入党申请人 → 入党积极分子 → 发展对象 → 预备党员 →
//! 正式党员. Every step is dated and checked against the rules file before it is recorded;
//! a step that breaks a rule is refused with the rule and its citation. [`audit`] re-checks
//! a whole record (for data that arrived by import or from before the checks existed).

use crate::member::age_on;
use crate::rules::{Cited, Rules};
use crate::Labelled;
use crate::Date;
use serde::Serialize;

labelled_enum!(
    /// Stage in the pipeline (发展阶段).
    Stage, "发展阶段", {
    /// 入党申请人
    Applicant = ("applicant", "入党申请人"),
    /// 入党积极分子
    Activist = ("activist", "入党积极分子"),
    /// 发展对象
    Candidate = ("candidate", "发展对象"),
    /// 支部大会已讨论接收，待上级党委审批: not yet a member (审批后才成为预备党员).
    AwaitingApproval = ("awaiting_approval", "待上级党委审批"),
    /// 预备党员
    Probationary = ("probationary", "预备党员"),
    /// 正式党员
    Full = ("full", "正式党员"),
});

/// A branch meeting's vote (表决): counted against those entitled to vote (应到).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Vote {
    /// 应到会有表决权的党员
    pub eligible: u32,
    /// 实到
    pub present: u32,
    /// 赞成
    pub favour: u32,
}

/// One person's record in the pipeline, with the date of every step taken.
#[derive(Debug, Clone, Serialize)]
pub struct DevelopmentRecord {
    pub id: i64,
    pub org_id: i64,
    pub name: String,
    pub birth_date: Date,
    pub stage: Stage,
    /// 递交入党申请书
    pub applied_on: Date,
    /// 党组织派人谈话
    pub talked_on: Option<Date>,
    /// 确定为入党积极分子
    pub activist_on: Option<Date>,
    /// 培养联系人
    pub contacts: Vec<String>,
    /// 确定为发展对象
    pub candidate_on: Option<Date>,
    /// 政治审查结论
    pub review_on: Option<Date>,
    /// 短期集中培训学时
    pub training_hours: f64,
    /// 入党介绍人
    pub sponsors: Vec<String>,
    /// 支部大会讨论接收为预备党员
    pub admitted_on: Option<Date>,
    pub admission_vote: Option<Vote>,
    /// 上级党委审批
    pub approved_on: Option<Date>,
    /// 延长预备期（月）
    pub extension_months: Option<u32>,
    /// 转为正式党员
    pub full_on: Option<Date>,
    pub full_vote: Option<Vote>,
}

/// A step to take next, with what the step requires.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    /// 确定为入党积极分子, with 1–2 培养联系人.
    Activist { on: Date, talked_on: Option<Date>, contacts: Vec<String> },
    /// 确定为发展对象.
    Candidate { on: Date },
    /// 接收为预备党员: sponsors, review, training, the branch vote and, if already given,
    /// the approval (without it the person waits for 上级党委审批).
    Admit { on: Date, sponsors: Vec<String>, review_on: Option<Date>, training_hours: f64, vote: Vote, approved_on: Option<Date> },
    /// 上级党委审批: the person becomes 预备党员 (the probation counts from the branch meeting).
    Approve { on: Date },
    /// 预备期满按期转正.
    Confirm { on: Date, vote: Vote },
    /// 延长预备期 (6–12 months, once).
    Extend { on: Date, months: u32, vote: Vote },
}

impl Step {
    pub fn label(&self) -> &'static str {
        match self {
            Step::Activist { .. } => "确定为入党积极分子",
            Step::Candidate { .. } => "确定为发展对象",
            Step::Admit { .. } => "接收为预备党员",
            Step::Approve { .. } => "上级党委审批",
            Step::Confirm { .. } => "转为正式党员",
            Step::Extend { .. } => "延长预备期",
        }
    }
}

/// A broken rule: its id in the rules file, its citation and what is wrong, in Chinese.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{message}（规则 {rule_id}，依据：{citation}）")]
pub struct Breach {
    pub rule_id: &'static str,
    pub citation: String,
    pub message: String,
}

fn breach<T>(rule_id: &'static str, c: &Cited<T>, message: String) -> Breach {
    Breach { rule_id, citation: c.citation.get_ref().clone(), message }
}

/// Date `months` calendar months after `d` (clamped to the month's end).
pub fn add_months(d: Date, months: u32) -> Date {
    d.checked_add_months(chrono::Months::new(months)).expect("date in range")
}

/// Whether a vote passes: present and in favour each more than the ratio of those entitled.
fn check_vote(r: &Rules, v: &Vote, what: &str, out: &mut Vec<Breach>) {
    let d = &r.development;
    if v.present > v.eligible || v.favour > v.present {
        out.push(breach("development.vote_present_ratio", &d.vote_present_ratio, format!("{what}表决人数有误：应到{}人、实到{}人、赞成{}人（实到不能多于应到，赞成不能多于实到）", v.eligible, v.present, v.favour)));
        return;
    }
    if v.present as f64 <= v.eligible as f64 * d.vote_present_ratio.get() {
        out.push(breach("development.vote_present_ratio", &d.vote_present_ratio, format!("{what}到会{}人，未超过应到会有表决权党员{}人的半数，会议无效", v.present, v.eligible)));
    }
    if v.favour as f64 <= v.eligible as f64 * d.vote_favour_ratio.get() {
        out.push(breach("development.vote_favour_ratio", &d.vote_favour_ratio, format!("{what}赞成{}人，未超过应到会有表决权党员{}人的半数，决议不成立", v.favour, v.eligible)));
    }
}

/// The approval (上级党委审批) lies after the branch meeting and within the longest time allowed.
fn check_approval(r: &Rules, meeting: Date, approved: Date, out: &mut Vec<Breach>) {
    let d = &r.development;
    let max = add_months(meeting, d.approval_max_months.get());
    if approved < meeting || approved > max {
        out.push(breach("development.approval_max_months", &d.approval_max_months, format!("上级党委审批日期{approved}应在支部大会（{meeting}）之后{}个月内", d.approval_max_months.get())));
    }
}

/// Checks the age at application (年满十八岁).
pub fn check_application(r: &Rules, birth_date: Date, applied_on: Date) -> Result<(), Vec<Breach>> {
    let min = r.development.min_age.get() as i32;
    let age = age_on(birth_date, applied_on);
    if age < min {
        return Err(vec![breach("development.min_age", &r.development.min_age, format!("递交入党申请时（{applied_on}）年龄为{age}岁，未满{min}周岁"))]);
    }
    Ok(())
}

/// Checks `step` against the record's current stage and the rules; `Ok` gives the new stage.
pub fn check_step(r: &Rules, rec: &DevelopmentRecord, step: &Step) -> Result<Stage, Vec<Breach>> {
    let d = &r.development;
    let mut out = Vec::new();
    let order = |need: Stage| -> Result<(), Vec<Breach>> {
        if rec.stage == need {
            Ok(())
        } else {
            Err(vec![Breach {
                rule_id: "development.order",
                citation: "《中国共产党发展党员工作细则》：发展党员须按入党申请、确定积极分子、确定发展对象、接收预备党员、预备党员转正的程序进行".into(),
                message: format!("“{}”只能在“{}”阶段办理，{}目前是“{}”", step.label(), need.label(), rec.name, rec.stage.label()),
            }])
        }
    };
    let not_before = |on: Date, prev: Option<Date>, what: &str, out: &mut Vec<Breach>| {
        if let Some(p) = prev.filter(|p| on < *p) {
            out.push(Breach { rule_id: "development.order", citation: "《中国共产党发展党员工作细则》".into(), message: format!("日期{on}早于{what}（{p}）") });
        }
    };
    let next = match step {
        Step::Activist { on, talked_on, contacts } => {
            order(Stage::Applicant)?;
            not_before(*on, Some(rec.applied_on), "递交入党申请书的日期", &mut out);
            if let Some(t) = talked_on {
                not_before(*t, Some(rec.applied_on), "递交入党申请书的日期", &mut out);
            }
            let max = d.training_contacts_max.get() as usize;
            if contacts.is_empty() || contacts.len() > max {
                out.push(breach("development.training_contacts_max", &d.training_contacts_max, format!("应指定1至{max}名正式党员作培养联系人，现为{}名", contacts.len())));
            }
            Stage::Activist
        }
        Step::Candidate { on } => {
            order(Stage::Activist)?;
            let since = rec.activist_on.unwrap_or(rec.applied_on);
            let days = (*on - since).num_days();
            let min = d.activist_min_days.get() as i64;
            if days < min {
                out.push(breach("development.activist_min_days", &d.activist_min_days, format!("确定为积极分子（{since}）至今{days}天，不足{min}天，培养考察期未满1年")));
            }
            Stage::Candidate
        }
        Step::Admit { on, sponsors, review_on, training_hours, vote, approved_on } => {
            order(Stage::Candidate)?;
            not_before(*on, rec.candidate_on, "确定为发展对象的日期", &mut out);
            let min_age = d.min_age.get() as i32;
            if age_on(rec.birth_date, *on) < min_age {
                out.push(breach("development.min_age", &d.min_age, format!("接收时未满{min_age}周岁")));
            }
            let need = d.sponsors.get() as usize;
            if sponsors.iter().filter(|s| !s.trim().is_empty()).count() != need {
                out.push(breach("development.sponsors", &d.sponsors, format!("应有{need}名正式党员作入党介绍人，现为{}名", sponsors.len())));
            }
            match review_on {
                None => out.push(Breach { rule_id: "development.political_review", citation: "《中国共产党发展党员工作细则》：对发展对象进行政治审查，未经政治审查或政治审查不合格的，不能发展入党".into(), message: "缺少政治审查结论".into() }),
                Some(rv) if rv > on => out.push(Breach { rule_id: "development.political_review", citation: "《中国共产党发展党员工作细则》：政治审查须在接收前完成".into(), message: format!("政治审查日期{rv}晚于支部大会日期{on}") }),
                _ => {}
            }
            let hours = d.intensive_training_hours.get() as f64;
            if *training_hours < hours {
                out.push(breach("development.intensive_training_hours", &d.intensive_training_hours, format!("短期集中培训{training_hours}学时，不足{hours}学时")));
            }
            check_vote(r, vote, "接收预备党员的支部大会", &mut out);
            match approved_on {
                Some(a) => {
                    check_approval(r, *on, *a, &mut out);
                    Stage::Probationary
                }
                None => Stage::AwaitingApproval,
            }
        }
        Step::Approve { on } => {
            order(Stage::AwaitingApproval)?;
            check_approval(r, rec.admitted_on.unwrap_or(*on), *on, &mut out);
            Stage::Probationary
        }
        Step::Confirm { on, vote } => {
            order(Stage::Probationary)?;
            let admitted = rec.admitted_on.unwrap_or(rec.applied_on);
            let months = d.probation_months.get() + rec.extension_months.unwrap_or(0);
            let due = add_months(admitted, months);
            if *on < due {
                out.push(breach("development.probation_months", &d.probation_months, format!("预备期自{admitted}起{months}个月，{due}期满，{on}尚未期满")));
            }
            check_vote(r, vote, "讨论转正的支部大会", &mut out);
            Stage::Full
        }
        Step::Extend { on, months, vote } => {
            order(Stage::Probationary)?;
            if rec.extension_months.is_some() {
                out.push(breach("development.extension_max_months", &d.extension_max_months, "预备期只能延长一次".into()));
            }
            let (lo, hi) = (d.extension_min_months.get(), d.extension_max_months.get());
            if *months < lo || *months > hi {
                out.push(breach("development.extension_min_months", &d.extension_min_months, format!("延长预备期{months}个月，应不少于{lo}个月、不超过{hi}个月")));
            }
            not_before(*on, rec.admitted_on, "接收为预备党员的日期", &mut out);
            check_vote(r, vote, "讨论延长预备期的支部大会", &mut out);
            Stage::Probationary
        }
    };
    if out.is_empty() { Ok(next) } else { Err(out) }
}

/// Applies a checked step to the record.
pub fn apply(rec: &mut DevelopmentRecord, step: &Step, stage: Stage) {
    match step {
        Step::Activist { on, talked_on, contacts } => {
            rec.activist_on = Some(*on);
            rec.talked_on = talked_on.or(rec.talked_on);
            rec.contacts = contacts.clone();
        }
        Step::Candidate { on } => rec.candidate_on = Some(*on),
        Step::Admit { on, sponsors, review_on, training_hours, vote, approved_on } => {
            rec.admitted_on = Some(*on);
            rec.sponsors = sponsors.clone();
            rec.review_on = *review_on;
            rec.training_hours = *training_hours;
            rec.admission_vote = Some(*vote);
            rec.approved_on = *approved_on;
        }
        Step::Approve { on } => rec.approved_on = Some(*on),
        Step::Confirm { on, vote } => {
            rec.full_on = Some(*on);
            rec.full_vote = Some(*vote);
        }
        Step::Extend { months, .. } => rec.extension_months = Some(*months),
    }
    rec.stage = stage;
}

/// Re-checks every step a record holds, replaying it from the application; also flags a
/// talk later than the rules allow. Used for records that did not come through [`check_step`].
pub fn audit(r: &Rules, rec: &DevelopmentRecord) -> Vec<Breach> {
    let mut out = Vec::new();
    if let Err(e) = check_application(r, rec.birth_date, rec.applied_on) {
        out.extend(e);
    }
    let d = &r.development;
    if let Some(t) = rec.talked_on {
        let days = (t - rec.applied_on).num_days();
        if days > d.talk_within_days.get() as i64 {
            out.push(breach("development.talk_within_days", &d.talk_within_days, format!("收到入党申请书（{}）后{days}天才谈话，超过{}天", rec.applied_on, d.talk_within_days.get())));
        }
    }
    let mut replay = DevelopmentRecord { stage: Stage::Applicant, activist_on: None, candidate_on: None, admitted_on: None, extension_months: None, full_on: None, ..rec.clone() };
    let mut steps = Vec::new();
    if let Some(on) = rec.activist_on {
        steps.push(Step::Activist { on, talked_on: rec.talked_on, contacts: rec.contacts.clone() });
    }
    if let Some(on) = rec.candidate_on {
        steps.push(Step::Candidate { on });
    }
    if let (Some(on), Some(vote)) = (rec.admitted_on, rec.admission_vote) {
        // A legacy record that went on to 转正 without an approval date on file was
        // approved; only the approval's date is missing, which is not a breach.
        let went_on = rec.full_on.is_some() || rec.extension_months.is_some();
        let approved_on = rec.approved_on.or(went_on.then_some(on));
        steps.push(Step::Admit { on, sponsors: rec.sponsors.clone(), review_on: rec.review_on, training_hours: rec.training_hours, vote, approved_on });
    }
    if let Some(months) = rec.extension_months {
        let on = add_months(rec.admitted_on.unwrap_or(rec.applied_on), d.probation_months.get());
        steps.push(Step::Extend { on, months, vote: rec.full_vote.unwrap_or(Vote { eligible: 1, present: 1, favour: 1 }) });
    }
    if let (Some(on), Some(vote)) = (rec.full_on, rec.full_vote) {
        steps.push(Step::Confirm { on, vote });
    }
    for step in steps {
        match check_step(r, &replay, &step) {
            Ok(stage) => apply(&mut replay, &step, stage),
            Err(e) => {
                out.extend(e);
                // Continue the replay so that later steps are judged on their own.
                let stage = match step {
                    Step::Activist { .. } => Stage::Activist,
                    Step::Candidate { .. } => Stage::Candidate,
                    Step::Admit { approved_on: None, .. } => Stage::AwaitingApproval,
                    Step::Admit { .. } | Step::Approve { .. } | Step::Extend { .. } => Stage::Probationary,
                    Step::Confirm { .. } => Stage::Full,
                };
                apply(&mut replay, &step, stage);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::DEFAULT_RULES;

    fn d(s: &str) -> Date {
        Date::parse_from_str(s, "%Y-%m-%d").unwrap()
    }
    fn record(stage: Stage) -> DevelopmentRecord {
        DevelopmentRecord {
            id: 1, org_id: 1, name: "张三".into(), birth_date: d("2000-05-01"), stage, applied_on: d("2023-01-10"), talked_on: Some(d("2023-01-20")),
            activist_on: Some(d("2023-03-01")), contacts: vec!["李四".into()], candidate_on: None, review_on: None, training_hours: 0.0, sponsors: vec![],
            admitted_on: None, admission_vote: None, approved_on: None, extension_months: None, full_on: None, full_vote: None,
        }
    }
    const GOOD_VOTE: Vote = Vote { eligible: 20, present: 18, favour: 17 };

    #[test]
    fn an_activist_of_364_days_is_not_yet_a_candidate() {
        let r = Rules::default_rules();
        let rec = record(Stage::Activist);
        let e = check_step(&r, &rec, &Step::Candidate { on: d("2024-02-28") }).unwrap_err();
        assert_eq!(e[0].rule_id, "development.activist_min_days");
        assert!(e[0].message.contains("364天"), "{}", e[0]);
        assert!(e[0].to_string().contains("发展党员工作细则"), "citation in the message: {}", e[0]);
        assert_eq!(check_step(&r, &rec, &Step::Candidate { on: d("2024-02-29") }), Ok(Stage::Candidate), "365 days");
    }

    #[test]
    fn age_at_application_must_be_eighteen() {
        let r = Rules::default_rules();
        assert!(check_application(&r, d("2005-06-02"), d("2023-06-01")).is_err(), "one day short of 18");
        assert!(check_application(&r, d("2005-06-01"), d("2023-06-01")).is_ok());
    }

    #[test]
    fn admission_needs_sponsors_training_review_and_a_majority() {
        let r = Rules::default_rules();
        let mut rec = record(Stage::Candidate);
        rec.candidate_on = Some(d("2024-03-10"));
        let bad = Step::Admit { on: d("2024-09-01"), sponsors: vec!["甲".into()], review_on: None, training_hours: 16.0, vote: Vote { eligible: 20, present: 10, favour: 10 }, approved_on: None };
        let ids: Vec<_> = check_step(&r, &rec, &bad).unwrap_err().iter().map(|b| b.rule_id).collect();
        assert_eq!(ids, ["development.sponsors", "development.political_review", "development.intensive_training_hours", "development.vote_present_ratio", "development.vote_favour_ratio"]);
        let good = Step::Admit { on: d("2024-09-01"), sponsors: vec!["甲".into(), "乙".into()], review_on: Some(d("2024-08-01")), training_hours: 24.0, vote: Vote { eligible: 20, present: 11, favour: 11 }, approved_on: Some(d("2024-10-15")) };
        assert_eq!(check_step(&r, &rec, &good), Ok(Stage::Probationary));
    }

    #[test]
    fn probation_is_a_year_and_an_extension_six_to_twelve_months() {
        let r = Rules::default_rules();
        let mut rec = record(Stage::Probationary);
        rec.admitted_on = Some(d("2024-09-01"));
        assert!(check_step(&r, &rec, &Step::Confirm { on: d("2025-08-31"), vote: GOOD_VOTE }).is_err());
        assert_eq!(check_step(&r, &rec, &Step::Confirm { on: d("2025-09-01"), vote: GOOD_VOTE }), Ok(Stage::Full));
        assert!(check_step(&r, &rec, &Step::Extend { on: d("2025-09-01"), months: 5, vote: GOOD_VOTE }).is_err());
        assert!(check_step(&r, &rec, &Step::Extend { on: d("2025-09-01"), months: 13, vote: GOOD_VOTE }).is_err());
        assert!(check_step(&r, &rec, &Step::Extend { on: d("2025-09-01"), months: 6, vote: GOOD_VOTE }).is_ok());
        rec.extension_months = Some(6);
        assert!(check_step(&r, &rec, &Step::Confirm { on: d("2026-02-28"), vote: GOOD_VOTE }).is_err(), "extended to 2026-03-01");
        assert!(check_step(&r, &rec, &Step::Confirm { on: d("2026-03-01"), vote: GOOD_VOTE }).is_ok());
        assert!(check_step(&r, &rec, &Step::Extend { on: d("2026-03-01"), months: 6, vote: GOOD_VOTE }).is_err(), "only once");
    }

    #[test]
    fn steps_out_of_order_are_refused_and_the_rules_file_decides() {
        let r = Rules::default_rules();
        let e = check_step(&r, &record(Stage::Applicant), &Step::Candidate { on: d("2025-01-01") }).unwrap_err();
        assert_eq!(e[0].rule_id, "development.order");
        let short = Rules::parse(&DEFAULT_RULES.replace("activist_min_days = { value = 365,", "activist_min_days = { value = 180,"), "t.toml").unwrap();
        assert!(check_step(&short, &record(Stage::Activist), &Step::Candidate { on: d("2023-09-01") }).is_ok());
    }

    #[test]
    fn audit_finds_what_a_legacy_record_broke() {
        let r = Rules::default_rules();
        let mut rec = record(Stage::Full);
        rec.talked_on = Some(d("2023-04-01"));
        rec.candidate_on = Some(d("2023-12-01"));
        rec.sponsors = vec!["甲".into(), "乙".into()];
        rec.review_on = Some(d("2024-05-01"));
        rec.training_hours = 24.0;
        rec.admitted_on = Some(d("2024-06-01"));
        rec.admission_vote = Some(GOOD_VOTE);
        rec.full_on = Some(d("2025-03-01"));
        rec.full_vote = Some(GOOD_VOTE);
        let ids: Vec<_> = audit(&r, &rec).iter().map(|b| b.rule_id).collect();
        assert_eq!(ids, ["development.talk_within_days", "development.activist_min_days", "development.probation_months"]);
    }
}
