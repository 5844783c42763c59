//! Writes the report in the seed's structure from the data: 标题, 引言, 一、调研方法,
//! 二、现状与成效, 三、存在的问题, 四、对策与建议, 附件.
//!
//! Every claim follows the figures:
//! - a subsection of 二 takes the achievement heading only when each of its indicators
//!   meets its line; otherwise a neutral heading, with the shortfall stated;
//! - 三 holds every indicator that breaks its line, under the problem it evidences
//!   (`Indicator::problem`), with only breaching figures and corroboration (interviews,
//!   quotes, cases) as evidence; within-line figures never appear there;
//! - changes are written in the indicator's unit; comparisons across groups only where the
//!   catalogue declares them and the groups are large enough.
//!
//! Where a figure is missing the text says the data is lacking; nothing is invented.

use crate::choices::{Choices, Fieldwork};
use crate::model::{Block, Report};
use crate::ReportError;
use domain::indicators::{recommendations, Breakdown, Catalogue, Indicator, Value, RECOMMENDATIONS};
use domain::org::{place_name, short_name, Org, OrgLevel, Sector};
use domain::research::{CaseKind, CategoryKind, Codebook, IntervieweeRole};
use domain::rules::Rules;
use domain::{Date, Labelled};
use indicators::Figure;
use std::collections::{HashMap, HashSet};
use store::{IndicatorRun, Scope, Store};

/// What to write about.
pub struct Request<'a> {
    pub org: i64,
    pub year: i32,
    /// The data's cut-off (数据截至), the end of the 调研期.
    pub as_of: Date,
    pub rules: &'a Rules,
    pub rules_text: &'a str,
    /// Recompute the measures even if a run of the year exists.
    pub refresh: bool,
    /// The researcher's choices (campaigns, interviews, cases, period start, byline, date).
    pub choices: Choices,
}

const NUM: [&str; 10] = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十"];

fn cn(n: usize) -> String {
    match n {
        1..=10 => NUM[n - 1].to_string(),
        11..=19 => format!("十{}", NUM[n - 11]),
        _ => n.to_string(),
    }
}

pub fn pct(r: f64) -> String {
    format!("{:.1}%", r * 100.0)
}

fn count(v: f64) -> String {
    format!("{}", v.round() as i64)
}

/// 94.7%（36/38）, or that the data is lacking.
fn value_text(i: &Indicator, v: &Value) -> String {
    match i.format_against_line(v) {
        Some(x) => format!("{x}（{}/{}）", count(v.numerator), count(v.denominator)),
        None => "数据缺乏（没有可统计的对象）".into(),
    }
}

pub(crate) fn format_date(d: Date) -> String {
    use chrono::Datelike;
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
}

/// A group of the jurisdiction an indicator may be compared across, with its totals.
struct Group {
    label: String,
    totals: HashMap<String, f64>,
}

/// The level a division breakdown compares, in the field's words.
fn division_words(children: &[Org]) -> &'static str {
    if children.iter().any(|o| o.level == OrgLevel::LocalCommittee) {
        "分县（市、区）看"
    } else if children.iter().any(|o| matches!(o.sector, Sector::Township | Sector::Street)) {
        "分乡镇（街道）看"
    } else {
        "分下级党组织看"
    }
}

/// 县直单位: the group of organisations directly under a local committee that sit in no
/// division below it, named after the committee's level (县直、市直、区直…).
fn directly_under(root: &str) -> String {
    match place_name(root).and_then(|p| p.chars().last()) {
        Some(c @ ('县' | '市' | '区' | '旗' | '州' | '省')) => format!("{c}直单位"),
        _ => "直属单位".into(),
    }
}

/// Whether an indicator is the share of interviews touching a problem: it is written as a
/// qualitative finding ("在21次访谈中，有10次谈到……"), not as a statistic.
fn is_interview_share(i: &Indicator) -> bool {
    i.numerator.measures().all(|m| m.starts_with("codes.")) && i.denominator.measures().all(|m| m == "interviews.total")
}

/// A rules-file citation without its trailing note in brackets (kept in 附件4).
fn short_citation(c: &str) -> &str {
    let Some(colon) = c.find('：') else { return c };
    match c.rfind('（') {
        Some(i) if i > colon && c.ends_with('）') => &c[..i],
        _ => c,
    }
}

struct Ctx<'a> {
    store: &'a Store,
    sub: Scope,
    run: IndicatorRun,
    catalogue: &'static Catalogue,
    figs: Vec<Figure>,
    totals: HashMap<String, f64>,
    prev: Option<Vec<Figure>>,
    sectors: Vec<Group>,
    divisions: Vec<Group>,
    division_words: String,
    org: Org,
    year: i32,
    rules_text: &'a str,
    field: Fieldwork,
    /// Quote texts already used: no identical quote twice in a report.
    used_quotes: std::sync::Mutex<HashSet<String>>,
}

impl Ctx<'_> {
    fn t(&self, m: &str) -> f64 {
        self.totals.get(m).copied().unwrap_or(0.0)
    }

    fn fig(&self, id: &str) -> Option<&Figure> {
        self.figs.iter().find(|f| f.indicator.id == id)
    }

    /// ，较上年下降28.6个百分点 — in the indicator's unit; nothing when it did not move or
    /// last year is unknown.
    fn change(&self, f: &Figure) -> String {
        let Some(prev) = self.prev.as_ref().and_then(|p| p.iter().find(|x| x.indicator.id == f.indicator.id)) else { return String::new() };
        match (f.value.ratio, prev.value.ratio) {
            (Some(a), Some(b)) => f.indicator.change(a, b).map(|c| format!("，较上年{}", c.text)).unwrap_or_default(),
            _ => String::new(),
        }
    }

    /// ；分乡镇（街道）看，松岭镇最高（100.0%，45/45），寨坊街道最低（62.1%，18/29）: the
    /// first breakdown the catalogue declares for the indicator that has at least two
    /// groups of the stated minimum size and a spread.
    fn spread(&self, f: &Figure) -> String {
        for b in &f.indicator.breakdown {
            let (groups, words) = match b {
                Breakdown::Division => (&self.divisions, self.division_words.as_str()),
                Breakdown::Sector => (&self.sectors, "分领域看"),
            };
            let vals: Vec<(&str, Value)> = groups
                .iter()
                .map(|g| (g.label.as_str(), f.indicator.evaluate(&g.totals)))
                .filter(|(_, v)| v.ratio.is_some() && v.denominator >= f.indicator.min_group.unwrap_or(self.catalogue.min_group))
                .collect();
            if vals.len() < 2 {
                continue;
            }
            let r = |v: &Value| v.ratio.unwrap_or(0.0);
            let hi = vals.iter().max_by(|a, b| r(&a.1).total_cmp(&r(&b.1))).expect("non-empty");
            let lo = vals.iter().min_by(|a, b| r(&a.1).total_cmp(&r(&b.1))).expect("non-empty");
            if (r(&hi.1) - r(&lo.1)).abs() < 0.001 {
                continue;
            }
            let show = |v: &Value| format!("{}，{}/{}", f.indicator.format(r(v)), count(v.numerator), count(v.denominator));
            return format!("；{words}，{}最高（{}），{}最低（{}）", hi.0, show(&hi.1), lo.0, show(&lo.1));
        }
        String::new()
    }

    /// A bar chart of an indicator by sector (sectors of at least the minimum size), or nothing.
    fn sector_chart(&self, id: &str, caption: String) -> Option<Block> {
        let f = self.fig(id)?;
        let items: Vec<(String, f64)> = self
            .sectors
            .iter()
            .filter_map(|g| {
                let v = f.indicator.evaluate(&g.totals);
                (v.denominator >= self.catalogue.min_group).then_some(v.ratio).flatten().map(|r| (g.label.clone(), (r * 1000.0).round() / 10.0))
            })
            .collect();
        if items.len() < 2 {
            return None;
        }
        let svg = survey::chart::bar(&f.indicator.name, &items, "%");
        Some(Block::Chart { caption, svg, rows: items.iter().map(|(k, v)| (k.clone(), format!("{v:.1}%"))).collect() })
    }

    fn citation(&self, rule: &str) -> Option<String> {
        domain::rules::entries(self.rules_text).into_iter().find(|e| e.key == rule).map(|e| e.citation)
    }

    /// Up to `n` quotes of a category from the chosen interviews: quotes first, at most one
    /// per unit, and never a text the report has already quoted.
    fn quotes(&self, b: &mut Vec<Block>, cat: &str, n: usize) {
        let mut ps: Vec<&store::CodedPassage> = self.field.passages.iter().filter(|p| p.coding.category == cat).collect();
        ps.sort_by_key(|p| (!p.coding.quote, p.coding.interview_id));
        let mut units = HashSet::new();
        let mut used = self.used_quotes.lock().unwrap_or_else(|e| e.into_inner());
        let mut shown = 0;
        for p in ps {
            if shown == n {
                break;
            }
            let key: String = p.coding.excerpt.chars().filter(|c| !c.is_whitespace()).collect();
            if used.contains(&key) || !units.insert(p.org_name.clone()) {
                continue;
            }
            used.insert(key);
            shown += 1;
            b.push(Block::Quote { text: p.coding.excerpt.clone(), source: format!("{}访谈记录，{}", short_name(&p.org_name), format_date(p.held_on)) });
        }
    }

    /// 在21次访谈中，有10次谈到…: interviews of the chosen set coded to a category.
    fn interview_finding(&self, cat: &str, topic: &str) -> Option<String> {
        let total = self.t("interviews.total");
        let n = self.t(&format!("codes.{cat}.interviews"));
        (total > 0.0 && n > 0.0).then(|| format!("在{}次访谈中，有{}次谈到{topic}", count(total), count(n)))
    }
}

pub async fn build(store: &Store, scope: &Scope, req: &Request<'_>) -> Result<Report, ReportError> {
    let org = store.org(scope, req.org).await?;
    let sub = store.subtree_scope(org.id).await?;
    let run = indicators::run_for(store, req.rules, req.year, req.as_of, req.refresh).await?;
    let field = Fieldwork::gather(store, scope, &sub, &org, req).await?;
    let catalogue = Catalogue::builtin();
    let measures = catalogue.measures();
    // Registry measures come from the run; questionnaire and interview measures from the
    // researcher's chosen campaigns and interviews.
    let mut totals = store.measure_totals(scope, run.id, org.id).await?;
    field.replace(&mut totals, |_| true);
    let mut sectors: Vec<Group> = Vec::new();
    for (s, mut t) in store.measures_by_sector(scope, run.id, org.id, &measures).await? {
        field.replace(&mut t, |o| o.sector == s);
        sectors.push(Group { label: s.label().to_string(), totals: t });
    }
    let children = store.child_measure_totals(scope, run.id, org.id).await?;
    let kids: Vec<Org> = children.iter().map(|(o, _)| o.clone()).collect();
    let division_words = division_words(&kids);
    let keep = |o: &Org| match division_words {
        "分县（市、区）看" => o.level == OrgLevel::LocalCommittee,
        "分乡镇（街道）看" => matches!(o.sector, Sector::Township | Sector::Street),
        _ => true,
    };
    let (places, rest): (Vec<_>, Vec<_>) = children.into_iter().partition(|(o, _)| keep(o));
    let mut divisions = Vec::new();
    for (child, mut t) in places {
        field.replace(&mut t, |o| o.path.starts_with(&child.path));
        divisions.push(Group { label: place_name(&child.name).unwrap_or_else(|| short_name(&child.name)), totals: t });
    }
    // The organisations directly under the root that belong to no township or county
    // (县直机关、县属企事业单位) are one group of their own: left out, a township could rank
    // "lowest" above the jurisdiction's own figure.
    if !divisions.is_empty() && !rest.is_empty() {
        let mut t: HashMap<String, f64> = HashMap::new();
        for (_, m) in &rest {
            for (k, v) in m {
                *t.entry(k.clone()).or_insert(0.0) += v;
            }
        }
        field.replace(&mut t, |o| rest.iter().any(|(r, _)| o.path.starts_with(&r.path)));
        divisions.push(Group { label: directly_under(&org.name), totals: t });
    }
    // 分乡镇（街道）和县直单位看: the words name every kind of group compared.
    let division_words = match divisions.last() {
        Some(g) if !rest.is_empty() && divisions.len() > 1 => format!("{}和{}看", division_words.trim_end_matches('看'), g.label),
        _ => division_words.to_string(),
    };
    let figs: Vec<Figure> = catalogue.indicators.iter().map(|i| Figure { indicator: i.clone(), value: i.evaluate(&totals) }).collect();
    // Last year's figures for the comparisons: its cached run, computed once (for the
    // whole year) when the registry holds that year but no current run of it exists.
    let last = req.year - 1;
    let prev_run = match indicators::cached_run(store, req.rules, last).await? {
        Some(p) => Some(p),
        None if store.year_has_meetings(last).await? => {
            let dec31 = Date::from_ymd_opt(last, 12, 31).expect("a valid date");
            Some(indicators::run_for(store, req.rules, last, dec31, false).await?)
        }
        None => None,
    };
    let prev = match prev_run {
        Some(p) => Some(indicators::figures(store, scope, &p, org.id).await?.1),
        None => None,
    };
    let c = Ctx { store, sub, run, catalogue, figs, totals, prev, sectors, divisions, division_words, org, year: req.year, rules_text: req.rules_text, field, used_quotes: std::sync::Mutex::new(HashSet::new()) };
    let mut b: Vec<Block> = Vec::new();
    let name = place_name(&c.org.name).unwrap_or_else(|| short_name(&c.org.name));
    intro(&c, &mut b, &name);
    methods(&c, &mut b).await?;
    let achievements = status(&c, &mut b);
    let shown = problems(&c, &mut b).await?;
    advice(&c, &mut b, &shown)?;
    annexes(&c, &mut b, &shown);
    let problems: Vec<String> = shown.iter().flat_map(|s| s.indicators.iter().cloned()).collect();
    let byline = format!("{}　{}", c.field.unit, format_date(c.field.dated));
    Ok(Report { title: format!("关于{name}基层党建工作的调研报告"), byline, blocks: b, problems, achievements })
}

fn intro(c: &Ctx, b: &mut Vec<Block>, name: &str) {
    b.push(Block::Para(format!(
        "党的基层组织是党在社会基层组织中的战斗堡垒，是党的全部工作和战斗力的基础。为深入了解{name}基层党建工作的实际情况，发现存在的问题并提出针对性的建议，我们于{}至{}，依据党组织和党员台账、组织生活记录、问卷调查、实地访谈、典型案例和政策文献开展了此次调研。调研范围覆盖基层党组织{}个（基层党委{}个、党总支{}个、党支部{}个）、党小组{}个，党员{}名，台账数据截至{}。",
        format_date(c.field.from),
        format_date(c.field.to),
        count(c.t("orgs.primary")),
        count(c.t("orgs.committees")),
        count(c.t("orgs.general_branches")),
        count(c.t("orgs.branches")),
        count(c.t("orgs.groups")),
        count(c.t("members.active")),
        format_date(c.run.as_of)
    )));
}

async fn methods(c: &Ctx<'_>, b: &mut Vec<Block>) -> Result<(), ReportError> {
    b.push(Block::Heading { level: 1, text: "一、调研方法".into() });
    let (issued, returned, valid) = (c.t("survey.responses.issued"), c.t("survey.responses.returned"), c.t("survey.responses.valid"));
    let survey = if issued > 0.0 {
        let units = &c.field.survey_units;
        let list: Vec<String> = units.iter().map(|(s, n)| format!("{}{n}个", s.label())).collect();
        let titles: Vec<String> = c.field.campaigns.iter().filter(|(_, n)| *n > 0.0).map(|(k, n)| format!("《{}》（有效问卷{}份）", k.title, count(*n))).collect();
        let unit_total: usize = units.iter().map(|(_, n)| n).sum();
        format!(
            "1.问卷调查。采用{}，就基层党组织建设、党员教育管理、党建活动开展等方面，向{}个基层党组织（{}）的党员和群众发放问卷{}份，回收{}份，其中有效问卷{}份，有效回收率{}。",
            titles.join("、"),
            unit_total,
            list.join("、"),
            count(issued),
            count(returned),
            count(valid),
            pct(valid / issued)
        )
    } else {
        "1.问卷调查。调研期内没有纳入本报告的问卷调查，本报告不引用问卷数据。".to_string()
    };
    let mut survey = survey;
    if !c.field.left_out_campaigns.is_empty() {
        let left: Vec<String> = c.field.left_out_campaigns.iter().map(|k| format!("《{}》", k.title)).collect();
        survey.push_str(&format!("调研期内另有{}未纳入统计（由调研组选定）。", left.join("")));
    }
    b.push(Block::Para(survey));
    let list = &c.field.interviews;
    let mut counts = store::InterviewCounts { interviews: list.len() as i64, ..Default::default() };
    let mut seen = HashSet::new();
    for i in list {
        if seen.insert(i.org_id) {
            counts.units += 1;
            match counts.units_by_sector.iter_mut().find(|(s, _)| *s == i.sector) {
                Some((_, n)) => *n += 1,
                None => counts.units_by_sector.push((i.sector, 1)),
            }
        }
        for (r, _, _) in &i.people {
            counts.people += 1;
            match counts.people_by_role.iter_mut().find(|(x, _)| x == r) {
                Some((_, n)) => *n += 1,
                None => counts.people_by_role.push((*r, 1)),
            }
        }
    }
    counts.units_by_sector.sort_by_key(|(s, _)| Sector::ALL.iter().position(|x| x == s));
    counts.people_by_role.sort_by_key(|(r, _)| IntervieweeRole::ALL.iter().position(|x| x == r));
    let mut sentence = if counts.interviews > 0 {
        format!("2.实地访谈。{}访谈深入了解了基层党建工作的具体做法、存在问题及意见建议。", qualitative::interviews::method_sentence(&counts))
    } else {
        "2.实地访谈。调研期内没有纳入本报告的实地访谈记录。".to_string()
    };
    if c.field.left_out_interviews > 0 {
        sentence.push_str(&format!("另有{}次访谈未纳入（由调研组选定）。", c.field.left_out_interviews));
    }
    b.push(Block::Para(sentence));
    let cases = &c.field.cases;
    let good = cases.iter().filter(|k| k.kind == CaseKind::Good).count();
    b.push(Block::Para(if cases.is_empty() {
        "3.案例分析。本报告没有纳入典型案例。".into()
    } else {
        format!("3.案例分析。收集整理了基层党建工作典型案例{}个，其中成效显著的{}个、存在问题较为突出的{}个，进行深入剖析，总结经验教训。", cases.len(), good, cases.len() - good)
    }));
    if c.field.left_out_cases > 0 {
        if let Some(Block::Para(p)) = b.last_mut() {
            p.push_str(&format!("另有{}个案例未纳入（由调研组选定）。", c.field.left_out_cases));
        }
    }
    let docs = c.store.documents().await?;
    let reqs: usize = docs.iter().map(|d| d.requirements.len()).sum();
    let linked: std::collections::BTreeSet<&str> = docs.iter().flat_map(|d| d.requirements.iter().filter_map(|(_, k)| k.as_deref())).collect();
    b.push(Block::Para(if docs.is_empty() {
        "4.文献研究。文献库中尚无政策文件。".into()
    } else {
        let titles: Vec<String> = docs.iter().take(4).map(|d| format!("《{}》", d.title)).collect();
        let checked = if linked.len() >= reqs {
            "逐条作为对照检查台账和组织生活记录的依据".to_string()
        } else {
            format!("其中{}条可用台账和组织生活记录逐项核查，其余通过访谈和案例了解", linked.len())
        };
        format!("4.文献研究。查阅了{}等政策文件和资料{}篇，梳理出工作要求{}条，{}。", titles.join(""), docs.len(), reqs, checked)
    }));
    Ok(())
}

/// Section 二. Returns the achievement categories it claims.
fn status(c: &Ctx<'_>, b: &mut Vec<Block>) -> Vec<String> {
    b.push(Block::Heading { level: 1, text: "二、基层党建工作的现状与成效".into() });
    b.push(Block::Para(format!(
        "截至{}，{}共有基层党组织{}个，其中党支部{}个；党员{}名，其中正式党员{}名。{}年各党组织共召开支部党员大会{}次、支委会{}次、党小组会{}次，上党课{}次，开展主题党日{}次，召开组织生活会{}次。",
        format_date(c.run.as_of),
        place_name(&c.org.name).unwrap_or_else(|| short_name(&c.org.name)),
        count(c.t("orgs.primary")),
        count(c.t("orgs.branches")),
        count(c.t("members.active")),
        count(c.t("members.full")),
        c.year,
        count(c.t("meetings.general_meeting")),
        count(c.t("meetings.committee_meeting")),
        count(c.t("meetings.group_meeting")),
        count(c.t("meetings.party_lesson")),
        count(c.t("meetings.themed_party_day")),
        count(c.t("meetings.life_meeting")),
    )));
    let mut figure = 0;
    for (id, name) in [("three_meetings_one_lesson", "“三会一课”按规定召开的比例"), ("members_trained", "年度培训学时达标的党员比例")] {
        if let Some(chart) = c.sector_chart(id, format!("图{}　各领域{}", figure + 1, name)) {
            figure += 1;
            b.push(chart);
        }
    }
    let book = Codebook::builtin();
    let achieved = |cat: &str| {
        let figs: Vec<&Figure> = c.figs.iter().filter(|f| f.indicator.category == cat && f.value.ratio.is_some()).collect();
        !figs.is_empty() && figs.iter().all(|f| !f.value.alert)
    };
    let mut claimed = Vec::new();
    let mut headings: Vec<&str> = Vec::new();
    for cat in book.categories.iter().filter(|c| c.kind == CategoryKind::Achievement) {
        if !headings.contains(&cat.heading.as_str()) {
            headings.push(&cat.heading);
        }
    }
    for (hi, heading) in headings.iter().enumerate() {
        let cats: Vec<_> = book.categories.iter().filter(|x| x.kind == CategoryKind::Achievement && x.heading == *heading).collect();
        let all = cats.iter().all(|x| achieved(&x.id));
        let title = if all { heading.to_string() } else { cats[0].neutral_heading.clone() };
        b.push(Block::Heading { level: 2, text: format!("（{}）{}", cn(hi + 1), title) });
        for (ci, cat) in cats.iter().enumerate() {
            let ok = achieved(&cat.id);
            let figs: Vec<&Figure> = c.figs.iter().filter(|f| f.indicator.category == cat.id && f.value.ratio.is_some()).collect();
            let mut text = format!("{}.{}。", ci + 1, if ok { &cat.name } else { &cat.neutral_name });
            if figs.is_empty() {
                text.push_str("现有台账和调研数据中没有衡量此项的指标，数据缺乏。");
            }
            // Shortfalls first, in the words of the line they break.
            let mut short: Vec<&Figure> = figs.iter().copied().filter(|f| f.value.alert).collect();
            short.sort_by(|a, b| b.value.severity.total_cmp(&a.value.severity));
            for f in &short {
                text.push_str(&format!("{}为{}，{}{}{}。", f.indicator.name, value_text(&f.indicator, &f.value), f.indicator.against_line(&f.value), c.change(f), c.spread(f)));
            }
            for f in figs.iter().filter(|f| !f.value.alert) {
                text.push_str(&format!("{}为{}{}{}。", f.indicator.name, value_text(&f.indicator, &f.value), c.change(f), c.spread(f)));
            }
            if !short.is_empty() {
                let problems: Vec<String> = short.iter().map(|f| book.name(&f.indicator.problem).to_string()).collect::<std::collections::BTreeSet<_>>().into_iter().map(|p| format!("“{p}”")).collect();
                text.push_str(&format!("未达到目标值的情况在第三部分{}中分析。", problems.join("、")));
            }
            b.push(Block::Para(text));
            if ok {
                claimed.push(cat.id.clone());
                c.quotes(b, &cat.id, 1);
            }
        }
    }
    claimed
}

/// A problem the data shows: its category, the indicators breaking their line, its worst
/// severity and the evidence as section 四 names it.
pub struct Shown {
    pub category: String,
    pub severity: f64,
    pub indicators: Vec<String>,
    pub evidence: Vec<String>,
}

async fn problems(c: &Ctx<'_>, b: &mut Vec<Block>) -> Result<Vec<Shown>, ReportError> {
    b.push(Block::Heading { level: 1, text: "三、存在的问题".into() });
    let book = Codebook::builtin();
    let mut shown: Vec<Shown> = Vec::new();
    for cat in book.categories.iter().filter(|x| x.kind == CategoryKind::Problem) {
        let mut breached: Vec<&Figure> = c.figs.iter().filter(|f| f.indicator.problem == cat.id && f.value.alert).collect();
        breached.sort_by(|a, b| b.value.severity.total_cmp(&a.value.severity));
        // A summary indicator (各项制度全部达标) shows but ranks its problem only at half
        // weight: it counts again the rule failures that other problems rank by.
        let worst = breached.iter().map(|f| if f.indicator.summary { f.value.severity / 2.0 } else { f.value.severity }).max_by(f64::total_cmp);
        if let Some(worst) = worst {
            let evidence = breached
                .iter()
                .map(|f| match (is_interview_share(&f.indicator), f.value.ratio) {
                    (true, _) => format!("{}次访谈中有{}次谈到{}", count(f.value.denominator), count(f.value.numerator), cat.name),
                    (false, Some(r)) => format!("{}{}", f.indicator.name, f.indicator.format(r)),
                    (false, None) => f.indicator.name.clone(),
                })
                .collect();
            shown.push(Shown { category: cat.id.clone(), severity: worst, indicators: breached.iter().map(|f| f.indicator.id.clone()).collect(), evidence });
        }
    }
    shown.sort_by(|a, b| b.severity.total_cmp(&a.severity).then(a.category.cmp(&b.category)));
    if shown.is_empty() {
        b.push(Block::Para("从台账、合规检查、问卷和访谈数据看，各项指标均达到目标值、未超过警戒线，调研没有发现需要专门指出的突出问题。".into()));
        return Ok(shown);
    }
    b.push(Block::Para(format!("对照规则要求和各项指标的目标值、警戒线，数据显示以下{}方面的问题，按严重程度排列。", cn(shown.len()))));
    for (i, s) in shown.iter().enumerate() {
        let cat = book.category(&s.category).expect("from the book");
        b.push(Block::Heading { level: 2, text: format!("（{}）{}", cn(i + 1), cat.name) });
        let topic = format!("“{}”方面的问题", cat.name);
        let mut n = 0;
        let mut interviews_said = false;
        for id in &s.indicators {
            let f = c.fig(id).expect("a catalogue indicator");
            n += 1;
            let mut text = if is_interview_share(&f.indicator) {
                interviews_said = true;
                format!("{}.{}。", n, c.interview_finding(&cat.id, &topic).unwrap_or_default())
            } else {
                format!("{}.{}为{}，{}{}{}。", n, f.indicator.name, value_text(&f.indicator, &f.value), f.indicator.against_line(&f.value), c.change(f), c.spread(f))
            };
            if let Some(cite) = f.indicator.rule.as_deref().and_then(|r| c.citation(r)) {
                text.push_str(&format!("依据：{}。", short_citation(&cite).trim_end_matches('。')));
            }
            if let Some(m) = naming_measure(&f.indicator) {
                let orgs = c.store.measure_orgs(&c.sub, c.run.id, c.org.id, &m, 5).await?;
                if !orgs.is_empty() {
                    let names: Vec<String> = orgs.iter().map(|o| short_name(&o.name)).collect();
                    text.push_str(&format!("涉及{}等。", names.join("、")));
                }
            }
            b.push(Block::Para(text));
        }
        // Corroboration: what the interviews and cases say about the same problem.
        if !interviews_said {
            if let Some(said) = c.interview_finding(&cat.id, "这方面的问题") {
                b.push(Block::Para(format!("{said}。")));
            }
        }
        c.quotes(b, &cat.id, 2);
        for k in c.field.cases.iter().filter(|k| k.kind == CaseKind::Problem && k.categories.contains(&cat.id)).take(1) {
            b.push(Block::Para(format!("典型案例：{}。{}{}", k.title, k.background, k.result)));
        }
    }
    Ok(shown)
}

/// The measure naming the organisations behind a figure: a rule's failing organisations,
/// or the organisations counted in a problem's numerator.
fn naming_measure(i: &Indicator) -> Option<String> {
    if let Some(m) = i.numerator.measures().chain(i.denominator.measures()).find(|m| m.starts_with("rule.")) {
        let base = m.rsplit_once('.')?.0;
        return Some(format!("{base}.failing"));
    }
    let ms: Vec<&str> = i.numerator.measures().collect();
    match (i.direction, ms.as_slice()) {
        (domain::indicators::Direction::Lower, [m]) if m.starts_with("members.") || m.starts_with("transfers.") || m.starts_with("orgs.") => Some(m.to_string()),
        _ => None,
    }
}

fn advice(c: &Ctx, b: &mut Vec<Block>, shown: &[Shown]) -> Result<(), ReportError> {
    b.push(Block::Heading { level: 1, text: "四、对策与建议".into() });
    let (_, recs) = recommendations(RECOMMENDATIONS, c.rules_text).map_err(ReportError::Catalogue)?;
    if shown.is_empty() {
        b.push(Block::Para("调研数据没有显示突出问题，建议保持现有工作机制，继续按规则文件要求开展组织生活和党员教育管理，定期复核各项指标。".into()));
        return Ok(());
    }
    let mut n = 0;
    for s in shown {
        for r in recs.iter().filter(|r| r.category == s.category) {
            n += 1;
            b.push(Block::Heading { level: 2, text: format!("（{}）{}", cn(n), r.title) });
            let rules: Vec<String> = r.rules.iter().filter_map(|k| c.citation(k)).map(|x| short_citation(&x).to_string()).collect();
            let basis = if rules.is_empty() { format!("《{}》", r.source) } else { rules.join("；") };
            let text = format!("{}针对：{}。依据：{}。", r.text, s.evidence.join("；"), basis.trim_end_matches('。'));
            b.push(Block::Para(text));
        }
    }
    Ok(())
}

/// A table of the key indicators, one row per group (sector, division).
fn key_table(caption: &str, first: &str, figs: &[&Figure], groups: &[Group], min: f64) -> Block {
    let mut header = vec![first.to_string()];
    header.extend(figs.iter().map(|f| f.indicator.name.clone()));
    let rows = groups
        .iter()
        .map(|g| {
            let mut row = vec![g.label.clone()];
            row.extend(figs.iter().map(|f| {
                let v = f.indicator.evaluate(&g.totals);
                match v.ratio {
                    Some(r) if v.denominator >= min => f.indicator.format(r),
                    Some(_) => "—（过少）".into(),
                    None => "—".into(),
                }
            }));
            row
        })
        .collect();
    Block::Table { caption: caption.into(), header, rows }
}

fn annexes(c: &Ctx, b: &mut Vec<Block>, shown: &[Shown]) {
    b.push(Block::PageBreak);
    b.push(Block::Heading { level: 1, text: "附件".into() });
    b.push(Block::Table {
        caption: "附件1　指标一览表".into(),
        header: ["指标", "数值", "分子/分母", "上年", "目标值/警戒线", "状态"].map(String::from).to_vec(),
        rows: c
            .figs
            .iter()
            .map(|f| {
                let last = c.prev.as_ref().and_then(|p| p.iter().find(|x| x.indicator.id == f.indicator.id)).and_then(|x| x.value.ratio);
                let line = match f.indicator.direction {
                    domain::indicators::Direction::Higher => format!("目标≥{}", f.indicator.format_line(f.indicator.alert)),
                    domain::indicators::Direction::Lower => format!("警戒≤{}", f.indicator.format_line(f.indicator.alert)),
                };
                vec![
                    f.indicator.name.clone(),
                    f.value.ratio.map(|r| f.indicator.format(r)).unwrap_or_else(|| "数据缺乏".into()),
                    format!("{}/{}", count(f.value.numerator), count(f.value.denominator)),
                    last.map(|r| f.indicator.format(r)).unwrap_or_else(|| "—".into()),
                    line,
                    if f.value.ratio.is_none() { "—".into() } else if f.value.alert { "未达标".into() } else { "达标".into() },
                ]
            })
            .collect(),
    });
    let key = ["three_meetings_one_lesson", "themed_day_monthly", "members_trained", "members_absent", "dues_lapsed"];
    let figs: Vec<&Figure> = key.iter().filter_map(|k| c.fig(k)).collect();
    b.push(key_table("附件2　分领域主要指标", "领域", &figs, &c.sectors, c.catalogue.min_group));
    if c.divisions.len() >= 2 {
        let first = c.division_words.trim_start_matches('分').trim_end_matches('看');
        b.push(key_table(&format!("附件2-1　分{first}主要指标"), first, &figs, &c.divisions, c.catalogue.min_group));
    }
    if c.t("survey.responses.issued") > 0.0 {
        let form = survey::builtin::questionnaire();
        let items: Vec<Vec<String>> = form.variables().iter().enumerate().map(|(i, it)| vec![(i + 1).to_string(), form.text(&it.label).to_string()]).collect();
        b.push(Block::Table { caption: format!("附件3　调查问卷题目（{}）", form.title), header: vec!["序号".into(), "题目".into()], rows: items });
    }
    b.push(Block::Heading { level: 2, text: "附件4　方法说明".into() });
    b.push(Block::Para(format!(
        "调研期为{}至{}。指标按《指标目录》（版本{}）计算，规则按规则文件（版本{}）判定；每个指标为两类计数之比，逐级汇总为各级党组织的数值；分组比较只在分母不少于{}的组之间进行{}。问卷数据只计纳入本报告的问卷中的有效问卷；访谈数据为纳入本报告的访谈中经研究人员确认的编码段落。本报告数据于{}计算（计算编号{}，用时{:.1}秒）。",
        format_date(c.field.from),
        format_date(c.field.to),
        c.catalogue.version,
        c.run.rules_version,
        count(c.catalogue.min_group),
        {
            // Indicators that ask for larger groups (the questionnaire shares) say so.
            let larger: std::collections::BTreeSet<i64> = c.catalogue.indicators.iter().filter_map(|i| i.min_group).filter(|m| *m > c.catalogue.min_group).map(|m| m as i64).collect();
            larger.iter().map(|m| format!("（问卷类指标不少于{m}份有效问卷）")).collect::<String>()
        },
        c.run.finished_at.clone().unwrap_or_default(),
        c.run.id,
        c.run.seconds.unwrap_or(0.0)
    )));
    // The full citations of the rules behind the problems shown, notes included.
    let mut cited: Vec<String> = Vec::new();
    for s in shown {
        for id in &s.indicators {
            if let Some(cite) = c.fig(id).and_then(|f| f.indicator.rule.as_deref()).and_then(|r| c.citation(r)) {
                if !cited.contains(&cite) {
                    cited.push(cite);
                }
            }
        }
    }
    if !cited.is_empty() {
        b.push(Block::Para(format!("第三部分引用的规则依据：{}。", cited.iter().map(|x| x.trim_end_matches('。')).collect::<Vec<_>>().join("；"))));
    }
    b.push(Block::Table {
        caption: "指标定义".into(),
        header: vec!["指标".into(), "定义".into()],
        rows: c.figs.iter().map(|f| vec![f.indicator.name.clone(), f.indicator.definition.clone()]).collect(),
    });
}

#[cfg(test)]
mod tests {
    #[test]
    fn citations_lose_only_a_trailing_note() {
        assert_eq!(super::short_citation("《2019—2023年全国党员教育培训工作规划》：党员每年集中学习培训时间一般不少于32学时（该规划期已满）"), "《2019—2023年全国党员教育培训工作规划》：党员每年集中学习培训时间一般不少于32学时");
        assert_eq!(super::short_citation("《中国共产党支部工作条例（试行）》：支部党员大会一般每季度召开1次"), "《中国共产党支部工作条例（试行）》：支部党员大会一般每季度召开1次");
    }

    #[test]
    fn organisations_under_no_division_are_named_by_the_roots_level() {
        assert_eq!(super::directly_under("中共西鹿县委员会"), "县直单位");
        assert_eq!(super::directly_under("中共临江市委员会"), "市直单位");
        assert_eq!(super::directly_under("中共某某党委"), "直属单位");
    }
}
