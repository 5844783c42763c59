//! The indicator catalogue (指标目录): every status and problem of the seed report as a
//! ratio of two sums of measures. Measures are counts per organisation that add up the
//! tree, so an indicator rolls up as Σnumerator / Σdenominator at any level, sector or
//! region. The catalogue is data (`catalogue/indicators.toml`); this module parses and
//! checks it and evaluates an indicator from measure totals.

use crate::research::{CategoryKind, Codebook};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

pub const CATALOGUE: &str = include_str!("../catalogue/indicators.toml");

/// Which way is better.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    Higher,
    Lower,
}

/// A sum of measures, each added or subtracted.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Formula(pub Vec<(f64, String)>);

impl Formula {
    pub fn parse(text: &str) -> Result<Formula, String> {
        let mut out = Vec::new();
        let mut sign = 1.0;
        for tok in text.split_whitespace() {
            match tok {
                "+" => sign = 1.0,
                "-" => sign = -1.0,
                m => {
                    check_measure(m)?;
                    out.push((sign, m.to_string()));
                    sign = 1.0;
                }
            }
        }
        if out.is_empty() {
            return Err(format!("公式“{text}”中没有度量"));
        }
        Ok(Formula(out))
    }

    pub fn eval(&self, totals: &HashMap<String, f64>) -> f64 {
        self.0.iter().map(|(s, m)| s * totals.get(m).copied().unwrap_or(0.0)).sum()
    }

    pub fn measures(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(|(_, m)| m.as_str())
    }
}

/// The measure families computed by crate `indicators` (see the catalogue's header).
const FAMILIES: &[(&str, &[&str])] = &[
    ("orgs", &["total", "branches", "general_branches", "committees", "groups", "primary", "standard_branch", "branch_no_secretary", "unit_tops", "with_venue", "with_carrier"]),
    ("members", &["active", "full", "trained", "cadres", "cadres_trained", "absent", "dues_lapsed", "young", "village", "village_young", "mobile", "mobile_lost", "archive_incomplete"]),
    ("transfers", &["out", "late"]),
    ("development", &["records", "irregular", "admitted", "admitted_young", "admitted_college", "admitted_frontline", "activists"]),
    ("units", &["total", "own_org"]),
    ("interviews", &["total"]),
    ("committee", &["members", "over60", "college"]),
    ("workers", &["full_time", "part_time", "active", "left", "members", "trained"]),
    ("leaders", &["secretary_present", "secretary_expected"]),
    ("funding", &["total", "allocation", "dues_return", "budget", "self_raised"]),
    ("meetings", &["all", "interactive", "themed_days", "themed_documents_only", "three_one_with_content", "three_one_documents_only"]),
];

/// Checks that a measure name belongs to a family the engine computes.
pub fn check_measure(m: &str) -> Result<(), String> {
    let bad = || format!("度量“{m}”无法识别：应为 rule.<规则>.applicable|met|failing、survey.<题目>.answered|agree|disagree、codes.<类别>.interviews|passages|quotes、meetings.<会议类型> 或 {}", FAMILIES.iter().flat_map(|(f, ms)| ms.iter().map(move |x| format!("{f}.{x}"))).collect::<Vec<_>>().join("、"));
    let parts: Vec<&str> = m.split('.').collect();
    let ok = match parts.as_slice() {
        ["rule", .., last] if parts.len() >= 4 => matches!(*last, "applicable" | "met" | "failing"),
        ["survey", "responses", w] => matches!(*w, "issued" | "returned" | "valid"),
        ["survey", _, w] => matches!(*w, "answered" | "agree" | "disagree"),
        ["codes", c, w] => Codebook::builtin().category(c).is_some() && matches!(*w, "interviews" | "passages" | "quotes"),
        ["meetings", k] if <crate::meeting::MeetingKind as crate::Labelled>::parse(k).is_some() => true,
        ["units", k, w] => (*k == "new_field" || <crate::unit::UnitKind as crate::Labelled>::parse(k).is_some()) && matches!(*w, "total" | "org_covered" | "work_covered"),
        ["subunits", k, w] => <crate::unit::SubUnitKind as crate::Labelled>::parse(k).is_some() && matches!(*w, "total" | "with_org"),
        ["carriers", k] | ["orgs", "with_carrier", k] => <crate::life::CarrierKind as crate::Labelled>::parse(k).is_some(),
        [f, x] => FAMILIES.iter().any(|(ff, ms)| ff == f && ms.contains(x)),
        _ => false,
    };
    if ok { Ok(()) } else { Err(bad()) }
}

#[derive(Debug, Clone, Serialize)]
pub struct Indicator {
    pub id: String,
    pub name: String,
    /// Where the seed report puts it, e.g. 三（二）2.
    pub section: String,
    /// The code book category it measures (achievement or problem).
    pub category: String,
    pub definition: String,
    pub numerator: Formula,
    pub denominator: Formula,
    pub direction: Direction,
    pub target: f64,
    /// Beyond this the problem shows in the report.
    pub alert: f64,
    /// The rules-file entry that sets the requirement, if any.
    pub rule: Option<String>,
    /// None: a share shown as a percentage; otherwise the unit of the ratio (元/人).
    pub unit: Option<String>,
    /// The problem of section 三 it evidences when it breaks its line: its own category
    /// for a problem's indicator, the catalogue's `problem` for an achievement's.
    pub problem: String,
    /// The groups it may be compared across in the report.
    pub breakdown: Vec<Breakdown>,
    /// Its own minimum group size, when larger than the catalogue's.
    pub min_group: Option<f64>,
    /// Sums up other rules' verdicts: it does not rank its problem (see the catalogue).
    pub summary: bool,
}

/// A grouping an indicator may be compared across (分组).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Breakdown {
    /// The next level of the tree: 乡镇/街道 in a county, 县（市、区） in a city.
    Division,
    /// 领域, only where several sectors have the measure.
    Sector,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    schema: u32,
    version: String,
    min_group: f64,
    indicator: Vec<Entry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    id: String,
    name: String,
    section: String,
    category: String,
    definition: String,
    numerator: String,
    denominator: String,
    direction: Direction,
    target: f64,
    alert: f64,
    rule: Option<String>,
    unit: Option<String>,
    problem: Option<String>,
    breakdown: Option<Vec<Breakdown>>,
    min_group: Option<f64>,
    #[serde(default)]
    summary: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Catalogue {
    pub version: String,
    /// A group is named highest or lowest only with at least this denominator.
    pub min_group: f64,
    pub indicators: Vec<Indicator>,
}

impl Catalogue {
    pub fn builtin() -> &'static Catalogue {
        static C: std::sync::OnceLock<Catalogue> = std::sync::OnceLock::new();
        C.get_or_init(|| Catalogue::parse(CATALOGUE, crate::rules::DEFAULT_RULES).expect("the shipped catalogue is valid (tested)"))
    }

    /// Parses and checks a catalogue against the code book and the rules file's entries.
    pub fn parse(text: &str, rules_text: &str) -> Result<Catalogue, String> {
        let f: File = toml::from_str(text).map_err(|e| format!("指标目录格式错误：{}", e.message().trim()))?;
        if f.schema != 1 {
            return Err(format!("指标目录 schema = {}，本程序只支持 1", f.schema));
        }
        let keys: Vec<String> = crate::rules::entries(rules_text).into_iter().map(|e| e.key).collect();
        let mut out: Vec<Indicator> = Vec::new();
        for e in f.indicator {
            let at = |m: String| format!("指标 {}：{m}", e.id);
            if out.iter().any(|i| i.id == e.id) {
                return Err(at("编号重复".into()));
            }
            if Codebook::builtin().category(&e.category).is_none() {
                return Err(at(format!("类别“{}”不在编码本中", e.category)));
            }
            if let Some(r) = &e.rule {
                if !keys.contains(r) {
                    return Err(at(format!("规则“{r}”不在规则文件中")));
                }
            }
            if e.unit.is_none() && (!(0.0..=1.0).contains(&e.alert) || !(0.0..=1.0).contains(&e.target)) {
                return Err(at("target 和 alert 是比例，应在0到1之间（不是比例的指标请写明 unit）".into()));
            }
            let book = Codebook::builtin();
            let kind = book.category(&e.category).map(|c| c.kind);
            let problem = match (kind, e.problem) {
                (Some(CategoryKind::Problem), None) => e.category.clone(),
                (Some(CategoryKind::Problem), Some(_)) => return Err(at("问题类别的指标不写 problem（它说明的就是本类别）".into())),
                (_, None) => return Err(at("成效类别的指标需要 problem：未达标时它说明第三部分的哪个问题".into())),
                (_, Some(p)) => match book.category(&p) {
                    Some(c) if c.kind == CategoryKind::Problem => p,
                    _ => return Err(at(format!("problem“{p}”不是编码本中的问题类别"))),
                },
            };
            out.push(Indicator {
                numerator: Formula::parse(&e.numerator).map_err(at)?,
                denominator: Formula::parse(&e.denominator).map_err(at)?,
                id: e.id,
                name: e.name,
                section: e.section,
                category: e.category,
                definition: e.definition,
                direction: e.direction,
                target: e.target,
                alert: e.alert,
                rule: e.rule,
                unit: e.unit,
                problem,
                breakdown: e.breakdown.unwrap_or_else(|| vec![Breakdown::Division, Breakdown::Sector]),
                min_group: e.min_group,
                summary: e.summary,
            });
        }
        if !(f.min_group >= 1.0) {
            return Err("指标目录 min_group 应不小于1".into());
        }
        Ok(Catalogue { version: f.version, min_group: f.min_group, indicators: out })
    }

    /// Every measure any indicator uses.
    pub fn measures(&self) -> Vec<&str> {
        let mut m: Vec<&str> = self.indicators.iter().flat_map(|i| i.numerator.measures().chain(i.denominator.measures())).collect();
        m.sort();
        m.dedup();
        m
    }
}

/// How a change is counted.
enum ChangeKind {
    Points,
    Amount(String),
    Count(String),
}

/// A change from last year: 提高2.1个百分点, 减少3.0元（下降0.6%）, 增加12人.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    pub text: String,
    /// In the indicator's good direction.
    pub better: bool,
}

/// An indicator's value over some totals.
#[derive(Debug, Clone, Serialize)]
pub struct Value {
    pub id: String,
    pub numerator: f64,
    pub denominator: f64,
    /// None when the denominator is 0: the data is lacking, not zero.
    pub ratio: Option<f64>,
    /// Beyond the alert threshold in the bad direction.
    pub alert: bool,
    /// How far beyond the threshold, as a share of the room between threshold and the
    /// worst value (0 when not in alert): what ranks problems.
    pub severity: f64,
}

impl Indicator {
    pub fn evaluate(&self, totals: &HashMap<String, f64>) -> Value {
        let (n, d) = (self.numerator.eval(totals), self.denominator.eval(totals));
        let ratio = (d > 0.0).then(|| n / d);
        let (alert, severity) = match (ratio, self.direction) {
            (Some(r), Direction::Higher) if r < self.alert => (true, (self.alert - r) / self.alert.max(1e-9)),
            // A share cannot pass 1; other ratios are measured against the threshold itself.
            (Some(r), Direction::Lower) if r > self.alert => (true, ((r - self.alert) / if self.unit.is_some() { self.alert.max(1e-9) } else { (1.0 - self.alert).max(1e-9) }).min(1.0)),
            _ => (false, 0.0),
        };
        Value { id: self.id.clone(), numerator: n, denominator: d, ratio, alert, severity }
    }

    /// The value as the report writes it: 94.7%, or 85.2元/人.
    pub fn format(&self, ratio: f64) -> String {
        match &self.unit {
            None => format!("{:.1}%", ratio * 100.0),
            Some(u) => format!("{ratio:.1}{u}"),
        }
    }

    /// The value as the text writes it beside its line: one more decimal where one would
    /// round a breach onto the line (9.97% is not written "10.0%, below 10%").
    pub fn format_against_line(&self, v: &Value) -> Option<String> {
        let r = v.ratio?;
        let one = self.format(r);
        if v.alert && one == self.format(self.alert) {
            return Some(match &self.unit {
                None => format!("{:.2}%", r * 100.0),
                Some(u) => format!("{r:.2}{u}"),
            });
        }
        Some(one)
    }

    /// A threshold as the text writes it: 90%, 5%, 100元/人 (no trailing ".0").
    pub fn format_line(&self, v: f64) -> String {
        let trim = |x: f64| {
            let t = format!("{x:.1}");
            t.strip_suffix(".0").map(str::to_string).unwrap_or(t)
        };
        match &self.unit {
            None => format!("{}%", trim(v * 100.0)),
            Some(u) => format!("{}{u}", trim(v)),
        }
    }

    /// Where a value stands against the line, in words that fit the direction:
    /// 低于90%的目标值 / 超过5%的警戒线 when it breaks it; 达到90%的目标值 /
    /// 在5%的警戒线以内 when it does not.
    pub fn against_line(&self, v: &Value) -> String {
        let line = self.format_line(self.alert);
        match (self.direction, v.alert) {
            (Direction::Higher, true) => format!("低于{line}的目标值"),
            (Direction::Higher, false) => format!("达到{line}的目标值"),
            (Direction::Lower, true) => format!("超过{line}的警戒线"),
            (Direction::Lower, false) => format!("在{line}的警戒线以内"),
        }
    }

    /// The change from last year in the indicator's own unit: 个百分点 for shares, 元 (and
    /// the relative change) for amounts, 人/个 for counts. `None` when it did not move.
    pub fn change(&self, now: f64, before: f64) -> Option<Change> {
        let unit = self.unit.as_deref().unwrap_or("");
        let kind = if self.unit.is_none() {
            ChangeKind::Points
        } else if unit.starts_with('元') {
            ChangeKind::Amount(unit.split('/').next().unwrap_or(unit).to_string())
        } else {
            ChangeKind::Count(unit.split('/').next().unwrap_or(unit).to_string())
        };
        let d = match kind {
            ChangeKind::Points => (now - before) * 100.0,
            ChangeKind::Amount(_) => now - before,
            ChangeKind::Count(_) => (now - before).round(),
        };
        if d.abs() < 0.05 {
            return None;
        }
        let better = match self.direction {
            Direction::Higher => d > 0.0,
            Direction::Lower => d < 0.0,
        };
        let text = match &kind {
            ChangeKind::Points => format!("{}{:.1}个百分点", if d > 0.0 { "提高" } else { "下降" }, d.abs()),
            ChangeKind::Amount(u) => {
                let rel = (before > 0.0).then(|| format!("（{}{:.1}%）", if d > 0.0 { "增长" } else { "下降" }, d.abs() / before * 100.0)).unwrap_or_default();
                format!("{}{:.1}{u}{rel}", if d > 0.0 { "增加" } else { "减少" }, d.abs())
            }
            ChangeKind::Count(u) => format!("{}{}{u}", if d > 0.0 { "增加" } else { "减少" }, d.abs() as i64),
        };
        Some(Change { text, better })
    }

    /// Whether it measures an achievement (section 二) or a problem (section 三).
    pub fn kind(&self) -> CategoryKind {
        Codebook::builtin().category(&self.category).map_or(CategoryKind::Problem, |c| c.kind)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_catalogue_is_valid_and_covers_every_category() {
        let c = Catalogue::builtin();
        for cat in &Codebook::builtin().categories {
            let n = c.indicators.iter().filter(|i| i.category == cat.id || i.problem == cat.id).count();
            assert!(n > 0 || matches!(cat.id.as_str(), "standardisation"), "category {} has an indicator", cat.id);
        }
    }

    #[test]
    fn bad_catalogues_are_refused_with_the_reason() {
        let rules = crate::rules::DEFAULT_RULES;
        let bad = CATALOGUE.replacen("numerator = \"rule.meetings.themed_party_day.met\"", "numerator = \"members.happy\"", 1);
        assert!(Catalogue::parse(&bad, rules).unwrap_err().contains("度量“members.happy”无法识别"));
        let bad = CATALOGUE.replacen("category = \"themed_day\"", "category = \"fun\"", 1);
        assert!(Catalogue::parse(&bad, rules).unwrap_err().contains("类别“fun”不在编码本中"));
        let bad = CATALOGUE.replacen("rule = \"meetings.themed_party_day\"", "rule = \"meetings.nothing\"", 1);
        assert!(Catalogue::parse(&bad, rules).unwrap_err().contains("规则“meetings.nothing”不在规则文件中"));
    }

    fn with_unit(id: &str, unit: Option<&str>) -> Indicator {
        let mut i = Catalogue::builtin().indicators.iter().find(|i| i.id == id).unwrap().clone();
        i.unit = unit.map(str::to_string);
        i
    }

    #[test]
    fn changes_are_written_in_the_indicators_unit() {
        let share = with_unit("themed_day_monthly", None);
        assert_eq!(share.change(0.714, 1.0).unwrap(), Change { text: "下降28.6个百分点".into(), better: false });
        assert_eq!(share.change(0.5, 0.5), None, "no change is not written");
        let money = Catalogue::builtin().indicators.iter().find(|i| i.id == "funding_per_member").unwrap();
        assert_eq!(money.change(478.4, 481.4).unwrap().text, "减少3.0元（下降0.6%）");
        assert_eq!(money.change(481.4, 478.4).unwrap(), Change { text: "增加3.0元（增长0.6%）".into(), better: true });
        let count = with_unit("secretary_vacant", Some("人"));
        assert_eq!(count.change(15.0, 3.0).unwrap(), Change { text: "增加12人".into(), better: false }, "more vacancies is worse");
        let lower = with_unit("dues_lapsed", None);
        assert!(lower.change(0.01, 0.03).unwrap().better, "a lower share of lapsed dues is better");
    }

    #[test]
    fn the_line_is_named_in_words_that_fit_the_direction() {
        let c = Catalogue::builtin();
        let higher = c.indicators.iter().find(|i| i.id == "themed_day_monthly").unwrap();
        let lower = c.indicators.iter().find(|i| i.id == "dues_lapsed").unwrap();
        let t = |m: &str, v: f64| HashMap::from([(m.to_string(), v)]);
        let mut totals = t("rule.meetings.themed_party_day.met", 5.0);
        totals.insert("rule.meetings.themed_party_day.applicable".into(), 7.0);
        assert_eq!(higher.against_line(&higher.evaluate(&totals)), "低于90%的目标值");
        totals.insert("rule.meetings.themed_party_day.met".into(), 7.0);
        assert_eq!(higher.against_line(&higher.evaluate(&totals)), "达到90%的目标值");
        let mut totals = t("members.dues_lapsed", 3.0);
        totals.insert("members.active".into(), 50.0);
        assert_eq!(lower.against_line(&lower.evaluate(&totals)), "超过2%的警戒线");
        totals.insert("members.dues_lapsed".into(), 0.0);
        assert_eq!(lower.against_line(&lower.evaluate(&totals)), "在2%的警戒线以内");
        let money = c.indicators.iter().find(|i| i.id == "funding_per_member").unwrap();
        assert_eq!(money.format_line(money.alert), "100元/人");
    }

    #[test]
    fn every_indicator_evidences_a_problem() {
        for i in &Catalogue::builtin().indicators {
            assert_eq!(Codebook::builtin().category(&i.problem).map(|c| c.kind), Some(CategoryKind::Problem), "{}", i.id);
        }
        let bad = CATALOGUE.replacen("problem = \"meeting_quality\"\n", "", 1);
        assert!(Catalogue::parse(&bad, crate::rules::DEFAULT_RULES).unwrap_err().contains("需要 problem"));
    }

    #[test]
    fn values_roll_up_as_ratios_of_sums_and_rank_by_severity() {
        let c = Catalogue::builtin();
        let i = c.indicators.iter().find(|i| i.id == "development_regular").unwrap();
        let t: HashMap<String, f64> = [("development.records".to_string(), 40.0), ("development.irregular".to_string(), 4.0)].into();
        let v = i.evaluate(&t);
        assert_eq!((v.numerator, v.denominator, v.ratio), (36.0, 40.0, Some(0.9)));
        assert!(v.alert && (v.severity - 0.05 / 0.95).abs() < 1e-9);
        assert_eq!(i.evaluate(&HashMap::new()).ratio, None, "no records: lacking, not zero");
    }
}

pub const RECOMMENDATIONS: &str = include_str!("../catalogue/recommendations.toml");

/// A recommendation of the library (对策建议库), keyed by problem category.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Recommendation {
    pub category: String,
    pub title: String,
    pub text: String,
    /// The policy document (title as the rules file cites it).
    pub source: String,
    /// Rules-file entries it rests on.
    pub rules: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RecommendationFile {
    schema: u32,
    version: String,
    recommendation: Vec<Recommendation>,
}

/// Parses and checks the library: categories are problems of the code book, rules exist.
pub fn recommendations(text: &str, rules_text: &str) -> Result<(String, Vec<Recommendation>), String> {
    let f: RecommendationFile = toml::from_str(text).map_err(|e| format!("对策建议库格式错误：{}", e.message().trim()))?;
    if f.schema != 1 {
        return Err(format!("对策建议库 schema = {}，本程序只支持 1", f.schema));
    }
    let keys: Vec<String> = crate::rules::entries(rules_text).into_iter().map(|e| e.key).collect();
    for r in &f.recommendation {
        match Codebook::builtin().category(&r.category) {
            Some(c) if c.kind == CategoryKind::Problem => {}
            _ => return Err(format!("建议“{}”：类别“{}”不是编码本中的问题类别", r.title, r.category)),
        }
        if let Some(k) = r.rules.iter().find(|k| !keys.contains(k)) {
            return Err(format!("建议“{}”：规则“{k}”不在规则文件中", r.title));
        }
    }
    Ok((f.version, f.recommendation))
}

#[cfg(test)]
mod recommendation_tests {
    #[test]
    fn every_problem_has_a_recommendation() {
        let (_, recs) = super::recommendations(super::RECOMMENDATIONS, crate::rules::DEFAULT_RULES).unwrap();
        for c in super::Codebook::builtin().categories.iter().filter(|c| c.kind == super::CategoryKind::Problem) {
            assert!(recs.iter().any(|r| r.category == c.id), "{}", c.id);
        }
    }
}
