//! Compliance verdicts (合规判定): for one organisation and one year, every rule of the
//! rules file that can be judged from the registry is met, not met or not applicable, with
//! the evidence (required against found, the periods, the dates, the people) and its
//! citation. A year still running is judged only on its complete months and quarters; a
//! yearly rule only once the year is over. Pure: the store gathers the [`OrgYear`] facts.

use crate::development::{audit, DevelopmentRecord};
use crate::dues::{longest_unpaid_run, Month};
use crate::meeting::MeetingKind;
use crate::org::{add_years, OrgLevel};
use crate::rules::{Cited, Frequency, Period, Rules};
use crate::Date;
use chrono::Datelike;
use serde::Serialize;
use std::sync::Arc;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Met,
    NotMet,
    /// The rule applies, but no period it is judged on is over yet (未到判定时间): an
    /// annual rule in a running year, a quarterly one in the first quarter.
    NotYet,
    NotApplicable,
}

impl Verdict {
    /// Judged either way (达标 or 未达标).
    pub fn is_judged(self) -> bool {
        matches!(self, Verdict::Met | Verdict::NotMet)
    }
    /// The word for one organisation's verdict.
    pub fn label(self) -> &'static str {
        match self {
            Verdict::Met => "达标",
            Verdict::NotMet => "未达标",
            Verdict::NotYet => "未到判定时间",
            Verdict::NotApplicable => "不适用",
        }
    }
}

/// One rule's verdict for one organisation, with its evidence.
#[derive(Debug, Clone, Serialize)]
pub struct RuleVerdict {
    pub rule_id: &'static str,
    pub title: &'static str,
    /// Shared with the [`Catalogue`] it was judged by: a subtree's verdicts do not each
    /// copy it.
    pub citation: Arc<str>,
    pub verdict: Verdict,
    /// What the rule requires, e.g. `每季度至少1次（已判定4个季度）`.
    pub required: String,
    /// What was found, e.g. `共3次`.
    pub found: String,
    /// The failing periods, dates, records or people, e.g. `2026年第2季度`, `张三：近6个月未参加`.
    pub evidence: Vec<String>,
}

/// A rule the engine judges: id, title and citation.
#[derive(Debug, Clone, Serialize)]
pub struct RuleInfo {
    pub id: &'static str,
    pub title: &'static str,
    pub citation: Arc<str>,
}

/// A unit owned by the organisation with enough full members for an organisation of its own.
#[derive(Debug, Clone)]
pub struct UnitFact {
    pub name: String,
    pub full_members: u32,
    /// Covered by an organisation of its own (单独组建).
    pub own_org: bool,
}

/// What the member rules need to know about one active member of a branch.
#[derive(Debug, Clone)]
pub struct MemberFact {
    pub name: String,
    pub joined_on: Date,
    /// Last meeting attended on or before the reference date (see [`absence_window`]).
    pub last_present: Option<Date>,
    /// Dues payments (months covered) touching the dues window.
    pub paid: Vec<(Month, Month)>,
    /// Training hours in the year.
    pub training_hours: f64,
    /// Holds a committee post (书记、班子成员: 56 hours).
    pub cadre: bool,
    /// What the member indicators count beside the rules: 出生日期, 流动党员 and 失去联系,
    /// and whether the archive holds every material the status requires (档案材料).
    pub birth_date: Date,
    pub mobile: bool,
    pub lost_contact: bool,
    pub archive_complete: bool,
}

/// An outgoing transfer letter of a member of the organisation.
#[derive(Debug, Clone)]
pub struct TransferFact {
    pub member_name: String,
    pub letter_no: String,
    pub issued_on: Date,
    pub valid_until: Date,
    pub received_on: Option<Date>,
}

/// The year's meetings up to the reference date by form and recorded content (会议内容类别),
/// from the 会议日历: what the meeting-quality indicators count.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MeetingContent {
    pub all: u32,
    /// In an interactive form ([`crate::meeting::MeetingForm::is_interactive`]).
    pub interactive: u32,
    pub themed_days: u32,
    /// 主题党日 that only relayed documents (传达文件).
    pub themed_documents_only: u32,
    /// 三会一课 with their content recorded, and those that only relayed documents.
    pub three_one_with_content: u32,
    pub three_one_documents_only: u32,
}

/// Everything the verdicts need about one organisation in one year.
#[derive(Debug, Clone, Copy)]
pub struct OrgYear<'a> {
    pub level: OrgLevel,
    /// Current committee posts.
    pub committee_posts: usize,
    pub elected_on: Option<Date>,
    pub term_years: Option<u32>,
    /// Active members held directly, and how many of them are full members.
    pub members: u32,
    pub full_members: u32,
    pub meetings: &'a [(MeetingKind, Date)],
    pub meeting_content: MeetingContent,
    /// Each 支委会 of the year: date and committee members present.
    pub committee_attendance: &'a [(Date, u32)],
    pub units: &'a [UnitFact],
    pub member_facts: &'a [MemberFact],
    pub transfers_out: &'a [TransferFact],
    /// Development records with a step in the year.
    pub development: &'a [DevelopmentRecord],
}

impl<'a> OrgYear<'a> {
    /// An organisation with no records: the facts start here.
    pub fn new(level: OrgLevel) -> Self {
        OrgYear {
            level, committee_posts: 0, elected_on: None, term_years: None, members: 0, full_members: 0, meetings: &[],
            meeting_content: MeetingContent::default(), committee_attendance: &[], units: &[], member_facts: &[], transfers_out: &[], development: &[],
        }
    }
}

/// The date the year is judged at: its last day, or the as-of date in a running year.
pub fn reference_date(year: i32, as_of: Date) -> Date {
    let end = Date::from_ymd_opt(year, 12, 31).expect("valid date");
    end.min(as_of)
}

/// The months a member must have attended in (absence lapse): the last `absence_lapse_months`
/// months up to the reference date, as (first day, last day).
pub fn absence_window(rules: &Rules, year: i32, as_of: Date) -> (Date, Date) {
    let end = reference_date(year, as_of);
    let months = rules.meetings.absence_lapse_months.get();
    let start = end.checked_sub_months(chrono::Months::new(months)).expect("date in range") + chrono::Duration::days(1);
    (start, end)
}

/// The months in which unpaid dues are looked for: the twelve complete months up to the
/// reference date.
pub fn dues_window(year: i32, as_of: Date) -> (Month, Month) {
    let r = reference_date(year, as_of);
    let last = if r.month() == 12 && r.day() == 31 { Month::of(r) } else { Month(Month::of(r).0 - 1) };
    (Month(last.0 - 11), last)
}

type Applies = fn(&OrgYear) -> bool;

/// The meeting rules: id, title, kind, the frequency in the rules, and where it applies.
fn meeting_rules(r: &Rules) -> [(&'static str, &'static str, MeetingKind, &Frequency, Applies); 7] {
    let m = &r.meetings;
    let branch: Applies = |o| o.level == OrgLevel::Branch;
    [
        ("meetings.general_meeting", "支部党员大会按期召开", MeetingKind::GeneralMeeting, &m.general_meeting, branch),
        ("meetings.committee_meeting", "支委会按期召开", MeetingKind::CommitteeMeeting, &m.committee_meeting, |o| o.level == OrgLevel::Branch && o.committee_posts >= 3),
        ("meetings.group_meeting", "党小组会按期召开", MeetingKind::GroupMeeting, &m.group_meeting, |o| o.level == OrgLevel::Group),
        ("meetings.party_lesson", "党课按期开展", MeetingKind::PartyLesson, &m.party_lesson, branch),
        ("meetings.themed_party_day", "主题党日每月开展", MeetingKind::ThemedPartyDay, &m.themed_party_day, branch),
        ("meetings.life_meeting", "组织生活会每年召开", MeetingKind::LifeMeeting, &m.life_meeting, branch),
        ("meetings.democratic_evaluation", "民主评议党员每年开展", MeetingKind::DemocraticEvaluation, &m.democratic_evaluation, branch),
    ]
}

fn cite<T>(c: &Cited<T>) -> String {
    c.citation.get_ref().clone()
}

/// The other rules, in the order they are reported: id, title, citation.
fn other_rules(r: &Rules) -> Vec<RuleInfo> {
    let o = &r.organisation;
    let info = |id, title, citation: String| RuleInfo { id, title, citation: citation.into() };
    vec![
        info("meetings.committee_quorum", "支委会半数以上委员到会", cite(&r.meetings.committee_quorum)),
        info("organisation.term_overdue", "按期换届", format!("{}；{}", cite(&o.term_years_village_community), cite(&o.term_years_other))),
        info("organisation.branch_max_members", "党支部人数不超过上限", cite(&o.branch_max_members)),
        info("organisation.branch_min_full_members", "党支部正式党员不少于3人", cite(&o.branch_min_full_members)),
        info("organisation.branch_committee_required", "正式党员7人以上的党支部设支委会", cite(&o.branch_committee_min_full_members)),
        info("organisation.unit_without_org", "正式党员3人以上的单位单独建立党组织", cite(&o.branch_min_full_members)),
        info("members.absence", "党员按时参加组织生活", cite(&r.meetings.absence_lapse_months)),
        info("dues.lapse_months", "党员按月交纳党费", cite(&r.dues.lapse_months)),
        info("training.member_hours", "党员年度集中学习培训学时", cite(&r.training.member_hours)),
        info("training.cadre_hours", "书记和班子成员年度培训学时", cite(&r.training.cadre_hours)),
        info("transfers.letter_validity_days", "组织关系介绍信在有效期内报到", cite(&r.transfers.letter_validity_days)),
        info("development.procedure", "发展党员程序合规", "《中国共产党发展党员工作细则》（各环节的具体规定见规则文件 [development] 节）".into()),
    ]
}

/// Every rule [`judge`] judges, in the order of its verdicts.
pub fn rule_catalogue(r: &Rules) -> Vec<RuleInfo> {
    let mut v: Vec<RuleInfo> = meeting_rules(r).iter().map(|(id, title, _, f, _)| RuleInfo { id, title, citation: f.citation.get_ref().as_str().into() }).collect();
    v.extend(other_rules(r));
    v
}

/// The rules' titles and citations ([`rule_catalogue`]), made once for the many
/// organisations of a subtree instead of once for each.
pub struct Catalogue(Vec<RuleInfo>);

impl Catalogue {
    pub fn new(rules: &Rules) -> Self {
        Catalogue(rule_catalogue(rules))
    }

    fn info(&self, id: &str) -> &RuleInfo {
        self.0.iter().find(|i| i.id == id).expect("every rule judged is in the catalogue")
    }
}

/// The complete periods of `year` as of `as_of`: (number in the year, first day, last day).
fn periods(per: Period, year: i32, as_of: Date) -> impl Iterator<Item = (u32, Date, Date)> {
    // Only periods over by the as-of date are judged.
    all_periods(per, year).filter(move |(_, _, end)| *end < as_of)
}

/// Every period of `year`: (its number in the year, first day, last day). Its label is
/// made only for a period that is reported ([`period_label`]): making every period with its
/// label was about a fifth of `judge_in`'s time (city, PostgreSQL, perf).
fn all_periods(per: Period, year: i32) -> impl Iterator<Item = (u32, Date, Date)> {
    let d = move |m: u32, day: u32| Date::from_ymd_opt(year, m, day).expect("valid date");
    let month_end = move |m: u32| if m == 12 { d(12, 31) } else { d(m + 1, 1).pred_opt().expect("valid") };
    let (count, months) = match per {
        Period::Month => (12, 1),
        Period::Quarter => (4, 3),
        Period::Year => (1, 12),
    };
    (1..=count).map(move |n| (n, d((n - 1) * months + 1, 1), month_end(n * months)))
}

/// A period's label: `2026年3月`, `2026年第2季度`, `2026年`.
fn period_label(per: Period, year: i32, n: u32) -> String {
    match per {
        Period::Month => format!("{year}年{n}月"),
        Period::Quarter => format!("{year}年第{n}季度"),
        Period::Year => format!("{year}年"),
    }
}

fn per_label(p: Period) -> &'static str {
    match p {
        Period::Month => "月",
        Period::Quarter => "季度",
        Period::Year => "年",
    }
}

/// A verdict from "applies" and the evidence of failure.
fn verdict(info: &RuleInfo, applies: bool, required: String, found: String, evidence: Vec<String>) -> RuleVerdict {
    let verdict = match (applies, evidence.is_empty()) {
        (false, _) => Verdict::NotApplicable,
        (true, true) => Verdict::Met,
        (true, false) => Verdict::NotMet,
    };
    RuleVerdict { rule_id: info.id, title: info.title, citation: info.citation.clone(), verdict, required, found, evidence }
}

/// A rule that applies but has no complete period yet: not judged, and no evidence.
fn not_yet(mut v: RuleVerdict) -> RuleVerdict {
    v.verdict = Verdict::NotYet;
    v.evidence.clear();
    v
}

/// A meeting due in the period running today (本期待办): required, held so far, deadline.
#[derive(Debug, Clone, Serialize)]
pub struct Due {
    pub rule_id: &'static str,
    pub title: &'static str,
    pub kind: MeetingKind,
    pub period: String,
    pub required: u32,
    pub held: u32,
    pub ends_on: Date,
}

/// The meetings still owed in the periods running on `today` (this month, quarter, year).
pub fn due_now(rules: &Rules, org: &OrgYear, today: Date) -> Vec<Due> {
    let mut out = Vec::new();
    for (id, title, kind, freq, applies) in meeting_rules(rules) {
        if !applies(org) {
            continue;
        }
        let Some((n, start, end)) = all_periods(freq.per, today.year()).find(|(_, s, e)| *s <= today && today <= *e) else { continue };
        let held = org.meetings.iter().filter(|(k, on)| *k == kind && *on >= start && *on <= end).count() as u32;
        let min = *freq.min.get_ref();
        if held < min {
            out.push(Due { rule_id: id, title, kind, period: period_label(freq.per, today.year(), n), required: min, held, ends_on: end });
        }
    }
    out.sort_by_key(|d| d.ends_on);
    out
}

/// Judges every rule of [`rule_catalogue`] for one organisation and year.
pub fn judge(rules: &Rules, org: &OrgYear, year: i32, as_of: Date) -> Vec<RuleVerdict> {
    judge_in(&Catalogue::new(rules), rules, org, year, as_of)
}

/// The same with the catalogue made beforehand (`catalogue` must be of `rules`).
pub fn judge_in(catalogue: &Catalogue, rules: &Rules, org: &OrgYear, year: i32, as_of: Date) -> Vec<RuleVerdict> {
    let mut out: Vec<RuleVerdict> = meeting_rules(rules)
        .iter()
        .map(|(id, _, kind, freq, applies)| {
            let min = *freq.min.get_ref();
            let mut judged = 0;
            let mut held = 0;
            let mut short = Vec::new();
            if applies(org) {
                for (p, start, end) in periods(freq.per, year, as_of) {
                    let n = org.meetings.iter().filter(|(k, on)| k == kind && *on >= start && *on <= end).count() as u32;
                    judged += 1;
                    held += n;
                    if n < min {
                        short.push(period_label(freq.per, year, p));
                    }
                }
            }
            let v = verdict(catalogue.info(id), judged > 0, format!("每{}至少{min}次（已判定{judged}个{}）", per_label(freq.per), per_label(freq.per)), format!("共{held}次"), short);
            if applies(org) && judged == 0 { not_yet(v) } else { v }
        })
        .collect();
    let info = |id: &str| catalogue.info(id);
    let o = &rules.organisation;
    let reference = reference_date(year, as_of);
    let branch = org.level == OrgLevel::Branch;
    let year_over = as_of > Date::from_ymd_opt(year, 12, 31).expect("valid");

    // 支委会 quorum: more than half of the committee present.
    let posts = org.committee_posts as u32;
    let q = rules.meetings.committee_quorum.get();
    let short: Vec<String> = org.committee_attendance.iter().filter(|(on, p)| on.year() == year && *on < as_of && (*p as f64) <= posts as f64 * q).map(|(on, p)| format!("{on}：到会{p}人/委员{posts}人")).collect();
    out.push(verdict(info("meetings.committee_quorum"), posts >= 3 && !org.committee_attendance.is_empty(), format!("到会委员超过{}%", (q * 100.0).round()), format!("{}次支委会", org.committee_attendance.len()), short));

    // 换届: the term from the election date.
    let due = match (org.elected_on, org.term_years) {
        (Some(e), Some(t)) if org.level != OrgLevel::Group => add_years(e, t as i32),
        _ => None,
    };
    let ev = due.filter(|d| *d < reference).map(|d| format!("{}年任期，上次选举{}，应于{d}前换届，已逾期{}天", org.term_years.unwrap_or(0), org.elected_on.map(|e| e.to_string()).unwrap_or_default(), (reference - d).num_days())).into_iter().collect();
    out.push(verdict(info("organisation.term_overdue"), due.is_some(), format!("每届{}年", org.term_years.unwrap_or(0)), due.map(|d| format!("应于{d}前换届")).unwrap_or_default(), ev));

    let max = o.branch_max_members.get();
    let ev = (org.members > max).then(|| format!("党员{}人，超过{max}人，应分设党支部或成立党总支", org.members)).into_iter().collect();
    out.push(verdict(info("organisation.branch_max_members"), branch, format!("不超过{max}人"), format!("{}人", org.members), ev));

    let min = o.branch_min_full_members.get();
    let ev = (org.full_members < min).then(|| format!("正式党员{}人，不足{min}人", org.full_members)).into_iter().collect();
    out.push(verdict(info("organisation.branch_min_full_members"), branch && org.members > 0, format!("至少{min}名正式党员"), format!("{}人", org.full_members), ev));

    let need = o.branch_committee_min_full_members.get();
    let size = o.branch_committee_size_min.get() as usize;
    let ev = (org.committee_posts < size).then(|| format!("正式党员{}人，支委会委员{}人，应设{}至{}人的支部委员会", org.full_members, org.committee_posts, size, o.branch_committee_size_max.get())).into_iter().collect();
    out.push(verdict(info("organisation.branch_committee_required"), branch && org.full_members >= need, format!("正式党员{need}人以上设支委会"), format!("委员{}人", org.committee_posts), ev));

    let ev: Vec<String> = org.units.iter().filter(|u| !u.own_org && u.full_members >= min).map(|u| format!("{}：正式党员{}人，未单独建立党组织", u.name, u.full_members)).collect();
    out.push(verdict(info("organisation.unit_without_org"), org.units.iter().any(|u| u.full_members >= min), format!("正式党员{min}人以上的单位单独建立党组织"), format!("{}个单位", org.units.len()), ev));

    // Member rules: members who joined before the window are judged.
    let (a_start, a_end) = absence_window(rules, year, as_of);
    let judged: Vec<&MemberFact> = org.member_facts.iter().filter(|m| m.joined_on < a_start).collect();
    let ev: Vec<String> = judged
        .iter()
        .filter(|m| m.last_present.is_none_or(|d| d < a_start))
        .map(|m| match m.last_present {
            Some(d) => format!("{}：{a_start}至{a_end}未参加组织生活（最后一次参加：{d}）", m.name),
            None => format!("{}：{a_start}至{a_end}未参加组织生活（无参加记录）", m.name),
        })
        .collect();
    out.push(verdict(info("members.absence"), branch && !judged.is_empty(), format!("连续{}个月内至少参加1次", rules.meetings.absence_lapse_months.get()), format!("{}名党员中{}名未参加", judged.len(), ev.len()), ev));

    let (d_from, d_to) = dues_window(year, as_of);
    let lapse = rules.dues.lapse_months.get();
    let mut judged = 0;
    let mut ev = Vec::new();
    for m in org.member_facts {
        let from = d_from.max(Month(Month::of(m.joined_on).0 + 1));
        if from.0 + lapse as i32 - 1 > d_to.0 {
            continue; // too short a membership in the window to judge
        }
        judged += 1;
        let (run, start) = longest_unpaid_run(&m.paid, (from, d_to));
        if run >= lapse {
            ev.push(format!("{}：自{}起连续{run}个月未交纳党费", m.name, start.map(Month::label).unwrap_or_default()));
        }
    }
    out.push(verdict(info("dues.lapse_months"), branch && judged > 0, format!("不得连续{lapse}个月未交"), format!("{judged}名党员中{}名", ev.len()), ev));

    // Training: a yearly rule, judged once the year is over, on members of the whole year.
    let jan1 = Date::from_ymd_opt(year, 1, 1).expect("valid");
    for (id, cadre, hours) in [("training.member_hours", false, rules.training.member_hours.get()), ("training.cadre_hours", true, rules.training.cadre_hours.get())] {
        let who: Vec<&MemberFact> = org.member_facts.iter().filter(|m| m.cadre == cadre && m.joined_on < jan1).collect();
        let ev: Vec<String> = who.iter().filter(|m| m.training_hours < hours as f64).map(|m| format!("{}：{}学时", m.name, m.training_hours)).collect();
        let v = verdict(info(id), branch && year_over && !who.is_empty(), format!("每年不少于{hours}学时"), format!("{}人中{}人不足", who.len(), ev.len()), ev);
        out.push(if branch && !year_over && !who.is_empty() { not_yet(v) } else { v });
    }

    let issued: Vec<&TransferFact> = org.transfers_out.iter().filter(|t| t.issued_on <= reference).collect();
    let ev: Vec<String> = issued
        .iter()
        .filter(|t| t.valid_until < reference && t.received_on.is_none_or(|r| r > t.valid_until))
        .map(|t| match t.received_on {
            Some(r) => format!("{}（介绍信{}）：有效期至{}，{r}才报到", t.member_name, t.letter_no, t.valid_until),
            None => format!("{}（介绍信{}）：有效期至{}，逾期未报到（口袋党员）", t.member_name, t.letter_no, t.valid_until),
        })
        .collect();
    out.push(verdict(info("transfers.letter_validity_days"), !issued.is_empty(), format!("{}天内报到", rules.transfers.letter_validity_days.get()), format!("{}份介绍信", issued.len()), ev));

    let ev: Vec<String> = org.development.iter().flat_map(|r| audit(rules, r).into_iter().map(move |b| format!("{}：{}", r.name, b.message))).collect();
    out.push(verdict(info("development.procedure"), !org.development.is_empty(), "各环节符合细则".into(), format!("{}人", org.development.len()), ev));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::DEFAULT_RULES;

    fn d(s: &str) -> Date {
        Date::parse_from_str(s, "%Y-%m-%d").unwrap()
    }
    fn branch(meetings: &[(MeetingKind, Date)]) -> OrgYear<'_> {
        OrgYear { committee_posts: 3, members: 10, full_members: 10, meetings, ..OrgYear::new(OrgLevel::Branch) }
    }
    fn verdict<'a>(v: &'a [RuleVerdict], id: &str) -> &'a RuleVerdict {
        v.iter().find(|x| x.rule_id == id).unwrap()
    }
    fn member(name: &str) -> MemberFact {
        MemberFact { name: name.into(), joined_on: d("2010-01-01"), last_present: Some(d("2025-12-20")), paid: vec![(Month::new(2024, 1), Month::new(2026, 12))], training_hours: 40.0, cadre: false, birth_date: d("1980-05-01"), mobile: false, lost_contact: false, archive_complete: true }
    }
    const LATER: &str = "2026-11-27";

    #[test]
    fn a_quarter_with_zero_or_one_general_meeting() {
        let r = Rules::default_rules();
        let three = [(MeetingKind::GeneralMeeting, d("2025-02-10")), (MeetingKind::GeneralMeeting, d("2025-05-10")), (MeetingKind::GeneralMeeting, d("2025-08-10"))];
        let v = judge(&r, &branch(&three), 2025, d(LATER));
        let g = verdict(&v, "meetings.general_meeting");
        assert_eq!((g.verdict, g.found.as_str()), (Verdict::NotMet, "共3次"));
        assert_eq!(g.evidence, vec!["2025年第4季度"]);
        let mut four = three.to_vec();
        four.push((MeetingKind::GeneralMeeting, d("2025-12-31")));
        assert_eq!(verdict(&judge(&r, &branch(&four), 2025, d(LATER)), "meetings.general_meeting").verdict, Verdict::Met);
    }

    #[test]
    fn a_running_year_is_judged_on_complete_periods_only() {
        let r = Rules::default_rules();
        let m = [(MeetingKind::GeneralMeeting, d("2026-02-01"))];
        let facts = [member("张三")];
        let v = judge(&r, &OrgYear { member_facts: &facts, ..branch(&m) }, 2026, d("2026-05-15"));
        let g = verdict(&v, "meetings.general_meeting");
        assert_eq!(g.verdict, Verdict::Met, "Q2 is still running");
        assert!(g.required.contains("已判定1个季度"), "{}", g.required);
        assert_eq!(verdict(&v, "meetings.themed_party_day").evidence.len(), 4, "January to April");
        assert_eq!(verdict(&v, "meetings.life_meeting").verdict, Verdict::NotYet, "the year is not over");
        assert_eq!(verdict(&v, "training.member_hours").verdict, Verdict::NotYet, "yearly hours wait for the year's end");
        assert_eq!(verdict(&v, "training.cadre_hours").verdict, Verdict::NotApplicable, "no cadre on the roll");
        // A quarterly rule in the first quarter: applies, nothing judged yet.
        let early = judge(&r, &branch(&[]), 2026, d("2026-02-15"));
        assert_eq!(verdict(&early, "meetings.general_meeting").verdict, Verdict::NotYet);
        assert!(verdict(&early, "meetings.general_meeting").evidence.is_empty());
    }

    #[test]
    fn rules_decide_applicability_and_frequency() {
        let r = Rules::default_rules();
        let small = OrgYear { committee_posts: 1, ..branch(&[]) };
        let v = judge(&r, &small, 2025, d(LATER));
        assert_eq!(verdict(&v, "meetings.committee_meeting").verdict, Verdict::NotApplicable);
        assert_eq!(verdict(&v, "meetings.themed_party_day").evidence.len(), 12);
        let group = OrgYear::new(OrgLevel::Group);
        assert_eq!(verdict(&judge(&r, &group, 2025, d(LATER)), "meetings.general_meeting").verdict, Verdict::NotApplicable);
        // A changed frequency in the file changes the verdict, no rebuild.
        let quarterly: Vec<_> = (0..4).map(|q| (MeetingKind::ThemedPartyDay, d(&format!("2025-{:02}-05", q * 3 + 1)))).collect();
        assert_eq!(verdict(&judge(&r, &branch(&quarterly), 2025, d(LATER)), "meetings.themed_party_day").verdict, Verdict::NotMet);
        let relaxed = Rules::parse(&DEFAULT_RULES.replace("themed_party_day = { per = \"month\"", "themed_party_day = { per = \"quarter\""), "t.toml").unwrap();
        assert_eq!(verdict(&judge(&relaxed, &branch(&quarterly), 2025, d(LATER)), "meetings.themed_party_day").verdict, Verdict::Met);
        assert_eq!(rule_catalogue(&r).len(), judge(&r, &group, 2025, d(LATER)).len());
    }

    #[test]
    fn what_is_due_in_the_running_periods() {
        let r = Rules::default_rules();
        let m = [(MeetingKind::ThemedPartyDay, d("2026-11-05")), (MeetingKind::GeneralMeeting, d("2026-10-20"))];
        let due: Vec<_> = due_now(&r, &branch(&m), d("2026-11-27")).into_iter().map(|x| (x.rule_id, x.period)).collect();
        assert_eq!(due, vec![
            ("meetings.committee_meeting", "2026年11月".to_string()),
            ("meetings.party_lesson", "2026年第4季度".to_string()),
            ("meetings.life_meeting", "2026年".to_string()),
            ("meetings.democratic_evaluation", "2026年".to_string()),
        ]);
    }

    #[test]
    fn six_or_seven_full_members_and_a_committee() {
        let r = Rules::default_rules();
        let six = OrgYear { committee_posts: 1, members: 6, full_members: 6, ..OrgYear::new(OrgLevel::Branch) };
        assert_eq!(verdict(&judge(&r, &six, 2025, d(LATER)), "organisation.branch_committee_required").verdict, Verdict::NotApplicable);
        let seven = OrgYear { full_members: 7, members: 7, ..six };
        assert_eq!(verdict(&judge(&r, &seven, 2025, d(LATER)), "organisation.branch_committee_required").verdict, Verdict::NotMet);
        let two = OrgYear { full_members: 2, members: 3, ..six };
        assert_eq!(verdict(&judge(&r, &two, 2025, d(LATER)), "organisation.branch_min_full_members").verdict, Verdict::NotMet);
        let big = OrgYear { members: 51, full_members: 50, ..six };
        assert_eq!(verdict(&judge(&r, &big, 2025, d(LATER)), "organisation.branch_max_members").verdict, Verdict::NotMet);
        assert_eq!(verdict(&judge(&r, &OrgYear { members: 50, ..big }, 2025, d(LATER)), "organisation.branch_max_members").verdict, Verdict::Met);
    }

    #[test]
    fn committee_quorum_and_term() {
        let r = Rules::default_rules();
        let att = [(d("2025-03-05"), 2), (d("2025-04-05"), 1)];
        let o = OrgYear { committee_posts: 3, committee_attendance: &att, elected_on: Some(d("2022-06-30")), term_years: Some(3), ..branch(&[]) };
        let v = judge(&r, &o, 2025, d(LATER));
        assert_eq!(verdict(&v, "meetings.committee_quorum").evidence, vec!["2025-04-05：到会1人/委员3人"], "2 of 3 is more than half");
        let t = verdict(&v, "organisation.term_overdue");
        assert_eq!(t.verdict, Verdict::NotMet, "due 2025-06-30");
        assert_eq!(verdict(&judge(&r, &OrgYear { elected_on: Some(d("2023-01-01")), ..o }, 2025, d(LATER)), "organisation.term_overdue").verdict, Verdict::Met);
    }

    #[test]
    fn units_members_dues_training_transfers() {
        let r = Rules::default_rules();
        let units = [UnitFact { name: "甲公司".into(), full_members: 3, own_org: false }, UnitFact { name: "乙公司".into(), full_members: 2, own_org: false }];
        let mut absent = member("王五");
        absent.last_present = Some(d("2025-06-30"));
        let mut five = member("赵六");
        five.paid = vec![(Month::new(2024, 1), Month::new(2025, 6)), (Month::new(2025, 12), Month::new(2025, 12))];
        let mut six = member("孙七");
        six.paid = vec![(Month::new(2024, 1), Month::new(2025, 5)), (Month::new(2025, 12), Month::new(2025, 12))];
        let mut cadre = member("书记");
        cadre.cadre = true;
        let mut newcomer = member("新党员");
        newcomer.joined_on = d("2025-10-01");
        newcomer.last_present = None;
        newcomer.paid = vec![];
        let facts = [absent, five, six, cadre, newcomer];
        let transfers = [
            TransferFact { member_name: "周八".into(), letter_no: "001".into(), issued_on: d("2025-01-01"), valid_until: d("2025-04-01"), received_on: None },
            TransferFact { member_name: "吴九".into(), letter_no: "002".into(), issued_on: d("2025-01-01"), valid_until: d("2025-04-01"), received_on: Some(d("2025-04-01")) },
        ];
        let o = OrgYear { units: &units, member_facts: &facts, transfers_out: &transfers, ..branch(&[]) };
        let v = judge(&r, &o, 2025, d(LATER));
        assert_eq!(verdict(&v, "organisation.unit_without_org").evidence, vec!["甲公司：正式党员3人，未单独建立党组织"]);
        assert_eq!(verdict(&v, "members.absence").evidence, vec!["王五：2025-07-01至2025-12-31未参加组织生活（最后一次参加：2025-06-30）"], "the newcomer is not judged");
        assert_eq!(verdict(&v, "dues.lapse_months").evidence, vec!["孙七：自2025年6月起连续6个月未交纳党费"], "five months is not yet a lapse");
        assert_eq!(verdict(&v, "training.cadre_hours").evidence, vec!["书记：40学时"]);
        assert_eq!(verdict(&v, "training.member_hours").verdict, Verdict::Met);
        assert_eq!(verdict(&v, "transfers.letter_validity_days").evidence.len(), 1);
        assert!(verdict(&v, "transfers.letter_validity_days").evidence[0].contains("口袋党员"));
    }
}
