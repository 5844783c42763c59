//! Compliance verdicts (合规判定) for organisational-life rules: for one organisation and
//! one year, each meeting rule of the rules file is met, not met or not applicable, with
//! the evidence. A year still running is judged only on its complete months and quarters;
//! a yearly rule only once the year is over.

use crate::meeting::MeetingKind;
use crate::org::OrgLevel;
use crate::rules::{Frequency, Period, Rules};
use crate::Date;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Met,
    NotMet,
    NotApplicable,
}

/// One rule's verdict for one organisation, with its evidence.
#[derive(Debug, Clone, Serialize)]
pub struct RuleVerdict {
    pub rule_id: &'static str,
    pub title: &'static str,
    pub citation: String,
    pub verdict: Verdict,
    /// Periods judged (complete months / quarters / years).
    pub periods_judged: u32,
    /// Meetings required in each period.
    pub required_per_period: u32,
    /// Meetings of this kind held in the judged periods.
    pub held: u32,
    /// Periods short of the requirement, e.g. `2026年3月`, `2026年第2季度`.
    pub short_periods: Vec<String>,
}

/// What the verdicts need to know about the organisation.
#[derive(Debug, Clone, Copy)]
pub struct OrgFacts {
    pub level: OrgLevel,
    /// Current committee posts (a 支委会 is required to meet only where a committee exists).
    pub committee_posts: usize,
}

/// The meeting rules: id, title, kind, the frequency in the rules, and where it applies.
fn meeting_rules(r: &Rules) -> [(&'static str, &'static str, MeetingKind, &Frequency, fn(&OrgFacts) -> bool); 7] {
    let m = &r.meetings;
    let branch: fn(&OrgFacts) -> bool = |o| o.level == OrgLevel::Branch;
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

/// Ids and titles of the rules [`judge_meetings`] judges, in order.
pub fn meeting_rule_ids(r: &Rules) -> Vec<(&'static str, &'static str, String)> {
    meeting_rules(r).iter().map(|(id, t, _, f, _)| (*id, *t, f.citation.get_ref().clone())).collect()
}

/// The complete periods of `year` as of `as_of`: (label, first day, last day).
fn periods(per: Period, year: i32, as_of: Date) -> Vec<(String, Date, Date)> {
    let d = |y, m, day| Date::from_ymd_opt(y, m, day).expect("valid date");
    let month_end = |m: u32| if m == 12 { d(year, 12, 31) } else { d(year, m + 1, 1).pred_opt().expect("valid") };
    let spans: Vec<(String, Date, Date)> = match per {
        Period::Month => (1..=12).map(|m| (format!("{year}年{m}月"), d(year, m, 1), month_end(m))).collect(),
        Period::Quarter => (1..=4).map(|q| (format!("{year}年第{q}季度"), d(year, q * 3 - 2, 1), month_end(q * 3))).collect(),
        Period::Year => vec![(format!("{year}年"), d(year, 1, 1), d(year, 12, 31))],
    };
    // Only periods over by the as-of date are judged.
    spans.into_iter().filter(|(_, _, end)| *end < as_of).collect()
}

/// Judges every meeting rule for one organisation and year from its meetings' kinds and dates.
pub fn judge_meetings(rules: &Rules, org: &OrgFacts, year: i32, as_of: Date, meetings: &[(MeetingKind, Date)]) -> Vec<RuleVerdict> {
    meeting_rules(rules)
        .iter()
        .map(|(id, title, kind, freq, applies)| {
            let min = *freq.min.get_ref();
            let mut v = RuleVerdict {
                rule_id: id,
                title,
                citation: freq.citation.get_ref().clone(),
                verdict: Verdict::NotApplicable,
                periods_judged: 0,
                required_per_period: min,
                held: 0,
                short_periods: Vec::new(),
            };
            if !applies(org) {
                return v;
            }
            for (label, start, end) in periods(freq.per, year, as_of) {
                let n = meetings.iter().filter(|(k, on)| k == kind && *on >= start && *on <= end).count() as u32;
                v.periods_judged += 1;
                v.held += n;
                if n < min {
                    v.short_periods.push(label);
                }
            }
            if v.periods_judged > 0 {
                v.verdict = if v.short_periods.is_empty() { Verdict::Met } else { Verdict::NotMet };
            }
            v
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::DEFAULT_RULES;

    fn d(s: &str) -> Date {
        Date::parse_from_str(s, "%Y-%m-%d").unwrap()
    }
    const BRANCH: OrgFacts = OrgFacts { level: OrgLevel::Branch, committee_posts: 3 };

    fn verdict<'a>(v: &'a [RuleVerdict], id: &str) -> &'a RuleVerdict {
        v.iter().find(|x| x.rule_id == id).unwrap()
    }

    #[test]
    fn a_quarter_with_zero_or_one_general_meeting() {
        let r = Rules::default_rules();
        let three = [(MeetingKind::GeneralMeeting, d("2025-02-10")), (MeetingKind::GeneralMeeting, d("2025-05-10")), (MeetingKind::GeneralMeeting, d("2025-08-10"))];
        let v = judge_meetings(&r, &BRANCH, 2025, d("2026-11-27"), &three);
        let g = verdict(&v, "meetings.general_meeting");
        assert_eq!((g.verdict, g.periods_judged, g.held), (Verdict::NotMet, 4, 3));
        assert_eq!(g.short_periods, vec!["2025年第4季度"]);
        let mut four = three.to_vec();
        four.push((MeetingKind::GeneralMeeting, d("2025-12-31")));
        assert_eq!(verdict(&judge_meetings(&r, &BRANCH, 2025, d("2026-11-27"), &four), "meetings.general_meeting").verdict, Verdict::Met);
    }

    #[test]
    fn a_running_year_is_judged_on_complete_periods_only() {
        let r = Rules::default_rules();
        let v = judge_meetings(&r, &BRANCH, 2026, d("2026-05-15"), &[(MeetingKind::GeneralMeeting, d("2026-02-01"))]);
        let g = verdict(&v, "meetings.general_meeting");
        assert_eq!((g.verdict, g.periods_judged), (Verdict::Met, 1), "Q2 is still running");
        assert_eq!(verdict(&v, "meetings.themed_party_day").periods_judged, 4, "January to April");
        assert_eq!(verdict(&v, "meetings.life_meeting").verdict, Verdict::NotApplicable, "the year is not over");
    }

    #[test]
    fn rules_decide_applicability_and_frequency() {
        let r = Rules::default_rules();
        let small = OrgFacts { level: OrgLevel::Branch, committee_posts: 1 };
        let v = judge_meetings(&r, &small, 2025, d("2026-11-27"), &[]);
        assert_eq!(verdict(&v, "meetings.committee_meeting").verdict, Verdict::NotApplicable);
        assert_eq!(verdict(&v, "meetings.themed_party_day").short_periods.len(), 12);
        let group = OrgFacts { level: OrgLevel::Group, committee_posts: 0 };
        assert_eq!(verdict(&judge_meetings(&r, &group, 2025, d("2026-11-27"), &[]), "meetings.general_meeting").verdict, Verdict::NotApplicable);
        // A changed frequency in the file changes the verdict, no rebuild.
        let quarterly: Vec<_> = (0..4).map(|q| (MeetingKind::ThemedPartyDay, d(&format!("2025-{:02}-05", q * 3 + 1)))).collect();
        assert_eq!(verdict(&judge_meetings(&r, &BRANCH, 2025, d("2026-11-27"), &quarterly), "meetings.themed_party_day").verdict, Verdict::NotMet);
        let relaxed = Rules::parse(&DEFAULT_RULES.replace("themed_party_day = { per = \"month\"", "themed_party_day = { per = \"quarter\""), "t.toml").unwrap();
        assert_eq!(verdict(&judge_meetings(&relaxed, &BRANCH, 2025, d("2026-11-27"), &quarterly), "meetings.themed_party_day").verdict, Verdict::Met);
    }
}
