//! The rules file (规则文件): every number the platform checks, with its citation,
//! versioned and shipped in the binary (`rules/default.toml`), overridable per
//! deployment. Parsing is pure; reading the file is the caller's business.

use serde::Deserialize;
use toml::Spanned;

/// The rules shipped with this build.
pub const DEFAULT_RULES: &str = include_str!("../rules/default.toml");
/// The schema this build reads.
pub const SCHEMA: u32 = 1;

/// A number with the text that justifies it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cited<T> {
    value: Spanned<T>,
    pub citation: Spanned<String>,
}

impl<T: Copy> Cited<T> {
    pub fn get(&self) -> T {
        *self.value.get_ref()
    }
}

/// How often something is required (要求频次).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Period {
    Month,
    Quarter,
    Year,
}

/// A required frequency: at least `min` in every `per`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Frequency {
    pub per: Period,
    pub min: Spanned<u32>,
    pub citation: Spanned<String>,
}

/// One dues bracket: up to and including `up_to` (none = no upper bound).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bracket {
    pub up_to: Option<f64>,
    pub rate: f64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DuesTable {
    pub brackets: Spanned<Vec<Bracket>>,
    pub citation: Spanned<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrganisationRules {
    pub branch_min_full_members: Cited<u32>,
    pub joint_branch_max_units: Cited<u32>,
    pub project_branch_min_months: Cited<u32>,
    pub branch_max_members: Cited<u32>,
    pub committee_min_members: Cited<u32>,
    pub branch_committee_min_full_members: Cited<u32>,
    pub branch_committee_size_min: Cited<u32>,
    pub branch_committee_size_max: Cited<u32>,
    pub branch_committee_size_absolute_max: Cited<u32>,
    pub term_years_village_community: Cited<u32>,
    pub term_years_grassroots_committee: Cited<u32>,
    pub term_years_other: Cited<u32>,
    pub election_quorum: Cited<f64>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MeetingRules {
    pub general_meeting: Frequency,
    pub committee_meeting: Frequency,
    pub group_meeting: Frequency,
    pub party_lesson: Frequency,
    pub themed_party_day: Frequency,
    pub life_meeting: Frequency,
    pub democratic_evaluation: Frequency,
    pub heart_to_heart_talks: Frequency,
    pub secretary_lessons_per_year: Cited<u32>,
    pub absence_lapse_months: Cited<u32>,
    pub committee_quorum: Cited<f64>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DevelopmentRules {
    pub min_age: Cited<u32>,
    pub talk_within_days: Cited<u32>,
    pub activist_min_days: Cited<u32>,
    pub activist_review_months: Cited<u32>,
    pub training_contacts_max: Cited<u32>,
    pub sponsors: Cited<u32>,
    pub intensive_training_days: Cited<u32>,
    pub intensive_training_hours: Cited<u32>,
    pub leave_within_months: Cited<u32>,
    pub vote_present_ratio: Cited<f64>,
    pub vote_favour_ratio: Cited<f64>,
    pub approval_within_months: Cited<u32>,
    pub approval_max_months: Cited<u32>,
    pub probation_months: Cited<u32>,
    pub extension_min_months: Cited<u32>,
    pub extension_max_months: Cited<u32>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DuesRules {
    pub working: DuesTable,
    pub retired: DuesTable,
    pub farmer_monthly_min: Cited<f64>,
    pub farmer_monthly_max: Cited<f64>,
    pub student_monthly: Cited<f64>,
    pub lapse_months: Cited<u32>,
    pub voluntary_to_centre: Cited<f64>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TransferRules {
    pub letter_validity_days: Cited<u32>,
    pub formal_transfer_after_months: Cited<u32>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrainingRules {
    pub member_hours: Cited<u32>,
    pub cadre_hours: Cited<u32>,
    pub hours_per_day: Cited<u32>,
    pub hours_per_half_day: Cited<u32>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FundingRules {
    pub enterprise_wage_bill_ratio: Cited<f64>,
}

/// The whole rules file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rules {
    pub schema: Spanned<u32>,
    pub version: String,
    pub organisation: OrganisationRules,
    pub meetings: MeetingRules,
    pub development: DevelopmentRules,
    pub dues: DuesRules,
    pub transfers: TransferRules,
    pub training: TrainingRules,
    pub funding: FundingRules,
}

/// A refused rules file: where and why, in Chinese.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("规则文件 {source_name} 第 {line} 行：{reason}")]
pub struct RulesError {
    pub source_name: String,
    pub line: usize,
    pub reason: String,
}

/// Who pays dues at which rate (党费交纳类别).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DuesCategory {
    /// 在职党员: by bracket of the monthly pay after tax.
    Working,
    /// 离退休党员: by bracket of the monthly pension.
    Retired,
    /// 农民党员: a fixed amount within the range.
    Farmer,
    /// 学生、下岗失业、领取最低生活保障金的党员.
    Student,
}

impl Rules {
    /// The rules shipped with this build.
    pub fn default_rules() -> Rules {
        Rules::parse(DEFAULT_RULES, "内置默认规则").expect("the shipped rules file is valid (tested)")
    }

    /// Parses and checks a rules file; `source_name` names it in errors.
    pub fn parse(text: &str, source_name: &str) -> Result<Rules, RulesError> {
        let at = |span: Option<std::ops::Range<usize>>, reason: String| RulesError {
            source_name: source_name.to_string(),
            line: span.map_or(1, |s| line_of(text, s.start)),
            reason,
        };
        let rules: Rules = toml::from_str(text).map_err(|e| at(e.span(), format!("格式错误：{}", e.message().trim())))?;
        rules.check().map_err(|(span, reason)| at(Some(span), reason))?;
        Ok(rules)
    }

    /// Checks that the numbers make sense together; the error points at the value.
    fn check(&self) -> Result<(), (std::ops::Range<usize>, String)> {
        if *self.schema.get_ref() != SCHEMA {
            return Err((self.schema.span(), format!("schema = {}，本程序只支持 schema = {SCHEMA}", self.schema.get_ref())));
        }
        let o = &self.organisation;
        let m = &self.meetings;
        let d = &self.development;
        let mut cited: Vec<&Spanned<String>> = Vec::new();
        macro_rules! positive {
            ($($c:expr),+) => {$(
                cited.push(&$c.citation);
                if !($c.get() as f64 > 0.0) {
                    return Err(($c.value.span(), format!("{} 必须大于0", stringify!($c).trim_start_matches("o.").trim_start_matches("d.").trim_start_matches("m."))));
                }
            )+};
        }
        positive!(o.branch_min_full_members, o.joint_branch_max_units, o.project_branch_min_months, o.branch_max_members, o.committee_min_members,
            o.branch_committee_min_full_members, o.branch_committee_size_min, o.branch_committee_size_max, o.branch_committee_size_absolute_max,
            o.term_years_village_community, o.term_years_grassroots_committee, o.term_years_other, o.election_quorum, m.secretary_lessons_per_year, m.absence_lapse_months, m.committee_quorum,
            d.min_age, d.talk_within_days, d.activist_min_days, d.activist_review_months, d.training_contacts_max, d.sponsors,
            d.intensive_training_days, d.intensive_training_hours, d.leave_within_months, d.vote_present_ratio, d.vote_favour_ratio,
            d.approval_within_months, d.approval_max_months, d.probation_months, d.extension_min_months, d.extension_max_months);
        let (t, du, f) = (&self.training, &self.dues, &self.funding);
        positive!(t.member_hours, t.cadre_hours, t.hours_per_day, t.hours_per_half_day, du.farmer_monthly_min, du.farmer_monthly_max,
            du.student_monthly, du.lapse_months, du.voluntary_to_centre, self.transfers.letter_validity_days,
            self.transfers.formal_transfer_after_months, f.enterprise_wage_bill_ratio);
        for ratio in [&o.election_quorum, &m.committee_quorum, &d.vote_present_ratio, &d.vote_favour_ratio, &f.enterprise_wage_bill_ratio] {
            if ratio.get() > 1.0 {
                return Err((ratio.value.span(), format!("比例 {} 应在0到1之间（例如五分之四写作0.8）", ratio.get())));
            }
        }
        let order = |lo: &Cited<u32>, hi: &Cited<u32>, what: &str| {
            if lo.get() > hi.get() { Err((hi.value.span(), format!("{what}：上限 {} 小于下限 {}", hi.get(), lo.get()))) } else { Ok(()) }
        };
        order(&o.branch_committee_size_min, &o.branch_committee_size_max, "支部委员会人数")?;
        order(&o.branch_committee_size_max, &o.branch_committee_size_absolute_max, "支部委员会人数")?;
        order(&d.approval_within_months, &d.approval_max_months, "审批期限")?;
        order(&d.extension_min_months, &d.extension_max_months, "延长预备期")?;
        if o.branch_max_members.get() >= o.committee_min_members.get() {
            return Err((o.committee_min_members.value.span(), "设立基层党委的人数应大于党支部人数上限".into()));
        }
        if du.farmer_monthly_min.get() > du.farmer_monthly_max.get() {
            return Err((du.farmer_monthly_max.value.span(), "农民党员党费上限小于下限".into()));
        }
        for fr in [&m.general_meeting, &m.committee_meeting, &m.group_meeting, &m.party_lesson, &m.themed_party_day, &m.life_meeting, &m.democratic_evaluation, &m.heart_to_heart_talks] {
            cited.push(&fr.citation);
            if *fr.min.get_ref() == 0 {
                return Err((fr.min.span(), "要求次数 min 至少为1；不作要求的会议请在规则中删去".into()));
            }
        }
        for table in [&du.working, &du.retired] {
            cited.push(&table.citation);
            let b = table.brackets.get_ref();
            let mut last = 0.0;
            for (i, br) in b.iter().enumerate() {
                if !(br.rate > 0.0 && br.rate <= 0.05) {
                    return Err((table.brackets.span(), format!("第{}档比例 {} 不合理，应在0到0.05之间（如0.5%写作0.005）", i + 1, br.rate)));
                }
                match (br.up_to, i + 1 == b.len()) {
                    (Some(u), false) if u > last => last = u,
                    (None, true) => {}
                    (Some(_), true) => return Err((table.brackets.span(), "最后一档不能有上限 up_to（它覆盖所有更高的收入）".into())),
                    (None, false) => return Err((table.brackets.span(), format!("第{}档缺少上限 up_to；只有最后一档可以没有", i + 1))),
                    (Some(u), false) => return Err((table.brackets.span(), format!("第{}档上限 {u} 不大于前一档 {last}：各档须按收入从低到高排列", i + 1))),
                }
            }
        }
        for c in cited {
            if c.get_ref().trim().is_empty() {
                return Err((c.span(), "每条规则都必须写明依据（citation）".into()));
            }
        }
        Ok(())
    }

    /// Monthly dues in yuan, rounded to the fen. Bracket upper bounds are inclusive:
    /// exactly 3000 pays 0.5 %. Farmers pay the minimum unless they choose more.
    pub fn monthly_dues(&self, category: DuesCategory, base: f64) -> f64 {
        let table = match category {
            DuesCategory::Working => &self.dues.working,
            DuesCategory::Retired => &self.dues.retired,
            DuesCategory::Farmer => return self.dues.farmer_monthly_min.get(),
            DuesCategory::Student => return self.dues.student_monthly.get(),
        };
        let brackets = table.brackets.get_ref();
        let rate = brackets.iter().find(|b| b.up_to.is_none_or(|u| base <= u)).map_or(0.0, |b| b.rate);
        (base.max(0.0) * rate * 100.0).round() / 100.0
    }

    /// Term in years of an organisation's committee: grassroots committees, then village
    /// and community organisations, then the others.
    pub fn term_years(&self, level: crate::org::OrgLevel, sector: crate::org::Sector) -> u32 {
        use crate::org::Sector::*;
        let o = &self.organisation;
        match (level, sector) {
            (crate::org::OrgLevel::GrassrootsCommittee | crate::org::OrgLevel::LocalCommittee, _) => o.term_years_grassroots_committee.get(),
            (_, Village | Community) => o.term_years_village_community.get(),
            _ => o.term_years_other.get(),
        }
    }
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].bytes().filter(|b| *b == b'\n').count() + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_rules_parse_and_cite_everything() {
        let r = Rules::default_rules();
        assert_eq!(r.organisation.branch_min_full_members.get(), 3);
        assert_eq!(r.meetings.general_meeting.per, Period::Quarter);
        assert_eq!(r.training.cadre_hours.get(), 56);
        assert!(r.organisation.term_years_village_community.citation.get_ref().contains("支部工作条例"));
    }

    #[test]
    fn dues_brackets_include_their_upper_bound() {
        let r = Rules::default_rules();
        let w = |x| r.monthly_dues(DuesCategory::Working, x);
        assert_eq!(w(3000.0), 15.0); // 0.5 %
        assert_eq!(w(3000.01), 30.0); // 1 %
        assert_eq!(w(5000.0), 50.0);
        assert_eq!(w(5000.01), 75.0); // 1.5 %
        assert_eq!(w(10000.0), 150.0);
        assert_eq!(w(10000.01), 200.0); // 2 %
        assert_eq!(r.monthly_dues(DuesCategory::Retired, 5000.0), 25.0);
        assert_eq!(r.monthly_dues(DuesCategory::Retired, 6000.0), 60.0);
        assert_eq!(r.monthly_dues(DuesCategory::Student, 0.0), 0.2);
        assert_eq!(r.monthly_dues(DuesCategory::Farmer, 0.0), 0.2);
    }

    #[test]
    fn a_changed_number_changes_the_rules() {
        let text = DEFAULT_RULES.replace("branch_max_members = { value = 50,", "branch_max_members = { value = 40,");
        let r = Rules::parse(&text, "test.toml").unwrap();
        assert_eq!(r.organisation.branch_max_members.get(), 40);
    }

    #[test]
    fn bad_files_are_refused_with_line_and_reason() {
        let wrong_type = DEFAULT_RULES.replace("sponsors = { value = 2,", "sponsors = { value = \"两名\",");
        let e = Rules::parse(&wrong_type, "bad.toml").unwrap_err();
        let line = DEFAULT_RULES.lines().position(|l| l.starts_with("sponsors =")).unwrap() + 1;
        assert_eq!(e.line, line, "{e}");
        assert!(e.to_string().starts_with("规则文件 bad.toml 第"), "{e}");

        let ratio = DEFAULT_RULES.replace("election_quorum = { value = 0.8,", "election_quorum = { value = 80.0,");
        let e = Rules::parse(&ratio, "bad.toml").unwrap_err();
        assert!(e.reason.contains("0到1之间"), "{e}");
        assert_eq!(e.line, DEFAULT_RULES.lines().position(|l| l.starts_with("election_quorum")).unwrap() + 1);

        let unordered = DEFAULT_RULES.replace("{ up_to = 5000, rate = 0.01 }", "{ up_to = 2000, rate = 0.01 }");
        let e = Rules::parse(&unordered, "bad.toml").unwrap_err();
        assert!(e.reason.contains("从低到高"), "{e}");

        let uncited = DEFAULT_RULES.replace("citation = \"《中国共产党章程》：有两名正式党员作介绍人\"", "citation = \" \"");
        assert!(Rules::parse(&uncited, "bad.toml").unwrap_err().reason.contains("依据"));

        let unknown = format!("{DEFAULT_RULES}\n[extra]\nx = 1\n");
        let e = Rules::parse(&unknown, "bad.toml").unwrap_err();
        assert!(e.reason.contains("格式错误"), "{e}");

        let zero = DEFAULT_RULES.replace("themed_party_day = { per = \"month\", min = 1,", "themed_party_day = { per = \"month\", min = 0,");
        assert!(Rules::parse(&zero, "bad.toml").unwrap_err().reason.contains("至少为1"));
    }
}

/// One entry of a rules file: `section.key` and the citation that justifies it, so
/// that literature can point at the rule a requirement sets.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RuleEntry {
    pub key: String,
    pub citation: String,
}

/// Every cited entry of a rules file's text, in file order of sections.
pub fn entries(text: &str) -> Vec<RuleEntry> {
    let Ok(table) = text.parse::<toml::Table>() else { return Vec::new() };
    let mut out = Vec::new();
    for (section, v) in &table {
        let Some(t) = v.as_table() else { continue };
        for (key, e) in t {
            if let Some(c) = e.get("citation").and_then(|c| c.as_str()) {
                out.push(RuleEntry { key: format!("{section}.{key}"), citation: c.to_string() });
            }
        }
    }
    out
}
