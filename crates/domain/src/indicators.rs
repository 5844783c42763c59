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
    ("orgs", &["total", "branches", "primary", "standard_branch", "branch_no_secretary", "unit_tops", "with_venue", "with_carrier"]),
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
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    schema: u32,
    version: String,
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
}

#[derive(Debug, Clone, Serialize)]
pub struct Catalogue {
    pub version: String,
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
            });
        }
        Ok(Catalogue { version: f.version, indicators: out })
    }

    /// Every measure any indicator uses.
    pub fn measures(&self) -> Vec<&str> {
        let mut m: Vec<&str> = self.indicators.iter().flat_map(|i| i.numerator.measures().chain(i.denominator.measures())).collect();
        m.sort();
        m.dedup();
        m
    }
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
            let n = c.indicators.iter().filter(|i| i.category == cat.id).count();
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
