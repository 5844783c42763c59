//! Writes the report in the seed's structure from the data: 标题, 引言, 一、调研方法,
//! 二、现状与成效, 三、存在的问题 (only what the indicators show, ranked by severity, with
//! evidence), 四、对策与建议 (from the library, tied to the evidence), 附件. Where a figure
//! is missing the text says the data is lacking; nothing is invented.

use crate::model::{Block, Report};
use crate::ReportError;
use domain::indicators::{recommendations, Direction, RECOMMENDATIONS};
use domain::research::{CaseKind, CategoryKind, Codebook, IntervieweeRole};
use domain::rules::Rules;
use domain::{Date, Labelled};
use indicators::Figure;
use std::collections::HashMap;
use store::{IndicatorRun, Scope, Store};

/// What to write about.
pub struct Request<'a> {
    pub org: i64,
    pub year: i32,
    pub as_of: Date,
    pub rules: &'a Rules,
    pub rules_text: &'a str,
    /// Recompute the measures even if a run of the year exists.
    pub refresh: bool,
    /// 调研组 (the byline).
    pub team: String,
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
fn value_text(f: &Figure) -> String {
    match f.value.ratio {
        Some(r) => format!("{}（{}/{}）", f.indicator.format(r), count(f.value.numerator), count(f.value.denominator)),
        None => "数据缺乏（没有可统计的对象）".into(),
    }
}

fn short_name(name: &str) -> String {
    let n = name.trim_start_matches("中共");
    for s in ["委员会", "党委", "党工委"] {
        if let Some(x) = n.strip_suffix(s) {
            if !x.is_empty() {
                return x.to_string();
            }
        }
    }
    n.to_string()
}

struct Ctx<'a> {
    store: &'a Store,
    sub: Scope,
    run: IndicatorRun,
    figs: Vec<Figure>,
    totals: HashMap<String, f64>,
    prev: Option<Vec<Figure>>,
    sectors: Vec<(domain::org::Sector, Vec<domain::indicators::Value>)>,
    regions: Vec<(String, Option<String>, Vec<domain::indicators::Value>)>,
    org: domain::org::Org,
    year: i32,
    rules_text: &'a str,
}

impl Ctx<'_> {
    fn t(&self, m: &str) -> f64 {
        self.totals.get(m).copied().unwrap_or(0.0)
    }

    fn fig(&self, id: &str) -> Option<&Figure> {
        self.figs.iter().find(|f| f.indicator.id == id)
    }

    /// 较上年提高2.1个百分点, when last year's run exists and both have a value.
    fn change(&self, f: &Figure) -> String {
        let Some(prev) = self.prev.as_ref().and_then(|p| p.iter().find(|x| x.indicator.id == f.indicator.id)) else { return String::new() };
        match (f.value.ratio, prev.value.ratio) {
            (Some(a), Some(b)) => {
                let d = (a - b) * 100.0;
                if d.abs() < 0.05 {
                    "，与上年持平".into()
                } else {
                    format!("，较上年{}{:.1}个百分点", if d > 0.0 { "提高" } else { "下降" }, d.abs())
                }
            }
            _ => String::new(),
        }
    }

    /// 各领域中，行政村最高（98.0%），非公有制企业最低（71.0%）.
    fn spread(&self, f: &Figure) -> String {
        let vals: Vec<(domain::org::Sector, f64, f64)> = self
            .sectors
            .iter()
            .filter_map(|(s, v)| v.iter().find(|x| x.id == f.indicator.id).and_then(|x| x.ratio.map(|r| (*s, r, x.denominator))))
            .filter(|(_, _, d)| *d >= 5.0)
            .collect();
        if vals.len() < 2 {
            return String::new();
        }
        let hi = vals.iter().max_by(|a, b| a.1.total_cmp(&b.1)).expect("non-empty");
        let lo = vals.iter().min_by(|a, b| a.1.total_cmp(&b.1)).expect("non-empty");
        if (hi.1 - lo.1).abs() < 0.001 {
            return String::new();
        }
        format!("；分领域看，{}最高（{}），{}最低（{}）", hi.0.label(), f.indicator.format(hi.1), lo.0.label(), f.indicator.format(lo.1))
    }

    /// A bar chart of an indicator by sector (sectors with at least 5 counted), or nothing.
    fn sector_chart(&self, id: &str, caption: String) -> Option<Block> {
        let f = self.fig(id)?;
        let items: Vec<(String, f64)> = self
            .sectors
            .iter()
            .filter_map(|(s, v)| v.iter().find(|x| x.id == id).filter(|x| x.denominator >= 5.0).and_then(|x| x.ratio).map(|r| (s.label().to_string(), (r * 1000.0).round() / 10.0)))
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
}

pub async fn build(store: &Store, scope: &Scope, req: &Request<'_>) -> Result<Report, ReportError> {
    let org = store.org(scope, req.org).await?;
    let sub = store.subtree_scope(org.id).await?;
    let run = indicators::run_for(store, req.rules, req.year, req.as_of, req.refresh).await?;
    let (totals, figs) = indicators::figures(store, scope, &run, org.id).await?;
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
    let sectors = indicators::by_sector(store, scope, &run, org.id).await?;
    let regions = indicators::by_region(store, scope, &run, org.id).await?;
    let c = Ctx { store, sub, run, figs, totals, prev, sectors, regions, org, year: req.year, rules_text: req.rules_text };
    let mut b: Vec<Block> = Vec::new();
    let name = short_name(&c.org.name);
    intro(&c, &mut b, &name);
    methods(&c, &mut b).await?;
    status(&c, &mut b).await?;
    let shown = problems(&c, &mut b).await?;
    advice(&c, &mut b, &shown)?;
    annexes(&c, &mut b);
    Ok(Report { title: format!("关于{name}基层党建工作的调研报告"), byline: format!("{}　{}", req.team, format_date(req.as_of)), blocks: b })
}

fn format_date(d: Date) -> String {
    use chrono::Datelike;
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
}

fn intro(c: &Ctx, b: &mut Vec<Block>, name: &str) {
    b.push(Block::Para(format!(
        "基层党建工作是党在基层组织中的战斗堡垒和基础保障。为深入了解{name}基层党建工作的实际情况，发现存在的问题并提出针对性的建议，我们以{}年为调研期，依据党组织和党员台账、组织生活记录、问卷调查、实地访谈、典型案例和政策文献开展了此次调研。调研范围覆盖{}个党组织（其中党支部{}个）、党员{}名，数据截至{}。",
        c.year,
        count(c.t("orgs.total")),
        count(c.t("orgs.branches")),
        count(c.t("members.active")),
        format_date(c.run.as_of)
    )));
}

async fn methods(c: &Ctx<'_>, b: &mut Vec<Block>) -> Result<(), ReportError> {
    b.push(Block::Heading { level: 1, text: "一、调研方法".into() });
    let (issued, returned, valid) = (c.t("survey.responses.issued"), c.t("survey.responses.returned"), c.t("survey.responses.valid"));
    let units = c.store.measure_orgs(&c.sub, c.run.id, c.org.id, "survey.responses.issued", 1_000_000).await?;
    let survey = if issued > 0.0 {
        let mut by: Vec<(domain::org::Sector, usize)> = Vec::new();
        for u in &units {
            match by.iter_mut().find(|(s, _)| *s == u.sector) {
                Some((_, n)) => *n += 1,
                None => by.push((u.sector, 1)),
            }
        }
        let list: Vec<String> = by.iter().map(|(s, n)| format!("{}{n}个", s.label())).collect();
        format!(
            "1.问卷调查。设计涵盖基层党组织建设、党员教育管理、党建活动开展等方面的问卷，发放给{}个基层党组织（{}）的党员和群众，共发放问卷{}份，回收{}份，其中有效问卷{}份，有效回收率{}。",
            units.len(),
            list.join("、"),
            count(issued),
            count(returned),
            count(valid),
            pct(valid / issued)
        )
    } else {
        format!("1.问卷调查。{}年本辖区没有开展问卷调查，本报告不引用问卷数据。", c.year)
    };
    b.push(Block::Para(survey));
    let list: Vec<store::InterviewRow> = c.store.interviews(&c.sub).await?.into_iter().filter(|i| chrono::Datelike::year(&i.held_on) == c.year).collect();
    let mut counts = store::InterviewCounts { interviews: list.len() as i64, ..Default::default() };
    let mut seen = std::collections::HashSet::new();
    for i in &list {
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
    counts.units_by_sector.sort_by_key(|(s, _)| domain::org::Sector::ALL.iter().position(|x| x == s));
    counts.people_by_role.sort_by_key(|(r, _)| IntervieweeRole::ALL.iter().position(|x| x == r));
    let sentence = if counts.interviews > 0 {
        format!("2.实地访谈。{}访谈深入了解了基层党建工作的具体做法、存在问题及意见建议。", qualitative::interviews::method_sentence(&counts))
    } else {
        format!("2.实地访谈。{}年本辖区没有录入实地访谈记录。", c.year)
    };
    b.push(Block::Para(sentence));
    let cases = c.store.cases(&c.sub).await?;
    let good = cases.iter().filter(|k| k.kind == CaseKind::Good).count();
    b.push(Block::Para(if cases.is_empty() {
        "3.案例分析。本辖区尚未收集典型案例。".into()
    } else {
        format!("3.案例分析。收集整理了基层党建工作典型案例{}个，其中成效显著的{}个、存在问题较为突出的{}个，进行深入剖析，总结经验教训。", cases.len(), good, cases.len() - good)
    }));
    let docs = c.store.documents().await?;
    let reqs: usize = docs.iter().map(|d| d.requirements.len()).sum();
    let linked: std::collections::BTreeSet<&str> = docs.iter().flat_map(|d| d.requirements.iter().filter_map(|(_, k)| k.as_deref())).collect();
    b.push(Block::Para(if docs.is_empty() {
        "4.文献研究。文献库中尚无政策文件。".into()
    } else {
        let titles: Vec<String> = docs.iter().take(4).map(|d| format!("《{}》", d.title)).collect();
        format!("4.文献研究。查阅了{}等政策文件和资料{}篇，梳理出工作要求{}条，其中{}条已对应为本报告检查所用的规则。", titles.join(""), docs.len(), reqs, linked.len())
    }));
    Ok(())
}

async fn status(c: &Ctx<'_>, b: &mut Vec<Block>) -> Result<(), ReportError> {
    b.push(Block::Heading { level: 1, text: "二、基层党建工作的现状与成效".into() });
    b.push(Block::Para(format!(
        "截至{}，{}共有党组织{}个，其中党支部{}个；党员{}名，其中正式党员{}名。{}年各党组织共召开支部党员大会{}次、支委会{}次、党小组会{}次，上党课{}次，开展主题党日{}次，召开组织生活会{}次。",
        format_date(c.run.as_of),
        short_name(&c.org.name),
        count(c.t("orgs.total")),
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
    let mut headings: Vec<&str> = Vec::new();
    for cat in book.categories.iter().filter(|c| c.kind == CategoryKind::Achievement) {
        if !headings.contains(&cat.heading.as_str()) {
            headings.push(&cat.heading);
        }
    }
    for (hi, heading) in headings.iter().enumerate() {
        b.push(Block::Heading { level: 2, text: format!("（{}）{}", cn(hi + 1), heading) });
        let cats: Vec<_> = book.categories.iter().filter(|x| x.kind == CategoryKind::Achievement && x.heading == *heading).collect();
        for (ci, cat) in cats.iter().enumerate() {
            let figs: Vec<&Figure> = c.figs.iter().filter(|f| f.indicator.category == cat.id).collect();
            let mut text = format!("{}.{}。", ci + 1, cat.name);
            if figs.is_empty() {
                text.push_str("现有台账和调研数据中没有衡量此项的指标，数据缺乏。");
            }
            for f in figs {
                text.push_str(&format!("{}为{}{}{}", f.indicator.name, value_text(f), c.change(f), c.spread(f)));
                if f.value.alert {
                    text.push_str(&format!("，尚未达到{}的预警线", f.indicator.format(f.indicator.alert)));
                }
                text.push('。');
            }
            b.push(Block::Para(text));
            quotes(c, b, &cat.id, 1).await?;
        }
    }
    Ok(())
}

/// Up to `n` interview passages of a category from the year, quotes first.
async fn quotes(c: &Ctx<'_>, b: &mut Vec<Block>, cat: &str, n: usize) -> Result<(), ReportError> {
    let mut ps: Vec<store::CodedPassage> = c.store.coded_passages(&c.sub, Some(cat)).await?.into_iter().filter(|p| chrono::Datelike::year(&p.held_on) == c.year).collect();
    ps.sort_by_key(|p| (!p.coding.quote, p.coding.interview_id));
    for p in ps.iter().take(n) {
        b.push(Block::Quote { text: p.coding.excerpt.clone(), source: format!("{}访谈记录，{}", p.org_name, format_date(p.held_on)) });
    }
    Ok(())
}

/// A problem the data shows, with its worst severity.
pub struct Shown {
    pub category: String,
    pub severity: f64,
    pub evidence: Vec<String>,
}

async fn problems(c: &Ctx<'_>, b: &mut Vec<Block>) -> Result<Vec<Shown>, ReportError> {
    b.push(Block::Heading { level: 1, text: "三、存在的问题".into() });
    let book = Codebook::builtin();
    let mut shown: Vec<Shown> = Vec::new();
    for cat in book.categories.iter().filter(|x| x.kind == CategoryKind::Problem) {
        let alerts: Vec<&Figure> = c.figs.iter().filter(|f| f.indicator.category == cat.id && f.value.alert).collect();
        if let Some(worst) = alerts.iter().map(|f| f.value.severity).max_by(f64::total_cmp) {
            shown.push(Shown { category: cat.id.clone(), severity: worst, evidence: alerts.iter().map(|f| format!("{}{}", f.indicator.name, f.value.ratio.map(|r| f.indicator.format(r)).unwrap_or_default())).collect() });
        }
    }
    // Achievement indicators in alert are problems too (e.g. 主题党日 not monthly).
    shown.sort_by(|a, b| b.severity.total_cmp(&a.severity).then(a.category.cmp(&b.category)));
    if shown.is_empty() {
        b.push(Block::Para("从台账、合规检查、问卷和访谈数据看，各项指标均未超过预警线，调研没有发现需要专门指出的突出问题。".into()));
        return Ok(shown);
    }
    b.push(Block::Para(format!("对照规则要求和预警线，数据显示以下{}方面的问题，按严重程度排列。", cn(shown.len()))));
    for (i, s) in shown.iter().enumerate() {
        let cat = book.category(&s.category).expect("from the book");
        b.push(Block::Heading { level: 2, text: format!("（{}）{}", cn(i + 1), cat.name) });
        let figs: Vec<&Figure> = c.figs.iter().filter(|f| f.indicator.category == cat.id && f.value.ratio.is_some()).collect();
        let mut n = 0;
        for f in figs.iter().filter(|f| f.value.alert).chain(figs.iter().filter(|f| !f.value.alert)) {
            n += 1;
            let side = match f.indicator.direction {
                Direction::Higher if f.value.alert => format!("低于{}的预警线", f.indicator.format(f.indicator.alert)),
                Direction::Lower if f.value.alert => format!("高于{}的预警线", f.indicator.format(f.indicator.alert)),
                _ => "在预警线以内".into(),
            };
            let mut text = format!("{}.{}为{}，{}{}{}。", n, f.indicator.name, value_text(f), side, c.change(f), c.spread(f));
            if let Some(cite) = f.indicator.rule.as_deref().and_then(|r| c.citation(r)) {
                text.push_str(&format!("依据：{cite}。"));
            }
            if let Some(m) = failing_measure(f) {
                let orgs = c.store.measure_orgs(&c.sub, c.run.id, c.org.id, &m, 5).await?;
                if !orgs.is_empty() {
                    let names: Vec<String> = orgs.iter().map(|o| short_name(&o.name)).collect();
                    text.push_str(&format!("涉及{}等。", names.join("、")));
                }
            }
            b.push(Block::Para(text));
        }
        quotes(c, b, &cat.id, 2).await?;
        for k in c.store.cases(&c.sub).await?.iter().filter(|k| k.kind == CaseKind::Problem && k.categories.contains(&cat.id)).take(1) {
            b.push(Block::Para(format!("典型案例：{}。{}{}", k.title, k.background, k.result)));
        }
    }
    Ok(shown)
}

/// The measure naming the organisations behind a rule-based figure.
fn failing_measure(f: &Figure) -> Option<String> {
    let m = f.indicator.numerator.measures().chain(f.indicator.denominator.measures()).find(|m| m.starts_with("rule."))?;
    let base = m.rsplit_once('.')?.0;
    Some(format!("{base}.failing"))
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
            let rules: Vec<String> = r.rules.iter().filter_map(|k| c.citation(k)).collect();
            let basis = if rules.is_empty() { format!("《{}》", r.source) } else { rules.join("；") };
            let text = format!("{}针对：{}。依据：{}。", r.text, s.evidence.join("；"), basis.trim_end_matches('。'));
            b.push(Block::Para(text));
        }
    }
    Ok(())
}

/// A table of the key indicators, one row per group (sector, division).
fn key_table<'v>(caption: &str, first: &str, figs: &[&Figure], groups: impl Iterator<Item = (String, &'v [domain::indicators::Value])>) -> Block {
    let mut header = vec![first.to_string()];
    header.extend(figs.iter().map(|f| f.indicator.name.clone()));
    let rows = groups
        .map(|(label, vals)| {
            let mut row = vec![label];
            row.extend(figs.iter().map(|f| vals.iter().find(|v| v.id == f.indicator.id).and_then(|v| v.ratio).map(|r| f.indicator.format(r)).unwrap_or_else(|| "—".into())));
            row
        })
        .collect();
    Block::Table { caption: caption.into(), header, rows }
}

fn annexes(c: &Ctx, b: &mut Vec<Block>) {
    b.push(Block::PageBreak);
    b.push(Block::Heading { level: 1, text: "附件".into() });
    b.push(Block::Table {
        caption: "附件1　指标一览表".into(),
        header: ["章节", "指标", "数值", "上年", "分子/分母", "预警线", "状态"].map(String::from).to_vec(),
        rows: c
            .figs
            .iter()
            .map(|f| {
                let last = c.prev.as_ref().and_then(|p| p.iter().find(|x| x.indicator.id == f.indicator.id)).and_then(|x| x.value.ratio);
                vec![
                    f.indicator.section.clone(),
                    f.indicator.name.clone(),
                    f.value.ratio.map(|r| f.indicator.format(r)).unwrap_or_else(|| "数据缺乏".into()),
                    last.map(|r| f.indicator.format(r)).unwrap_or_else(|| "—".into()),
                    format!("{}/{}", count(f.value.numerator), count(f.value.denominator)),
                    format!("{}{}", if f.indicator.direction == Direction::Higher { "≥" } else { "≤" }, f.indicator.format(f.indicator.alert)),
                    if f.value.ratio.is_none() { "—".into() } else if f.value.alert { "预警".into() } else { "正常".into() },
                ]
            })
            .collect(),
    });
    let key = ["three_meetings_one_lesson", "themed_day_monthly", "members_trained", "members_absent", "dues_lapsed"];
    let figs: Vec<&Figure> = key.iter().filter_map(|k| c.fig(k)).collect();
    let sectors = c.sectors.iter().map(|(s, v)| (s.label().to_string(), v.as_slice()));
    b.push(key_table("附件2　分领域主要指标", "领域", &figs, sectors));
    if c.regions.len() >= 2 {
        let regions = c.regions.iter().map(|(code, name, v)| (name.as_deref().map(short_name).unwrap_or_else(|| code.clone()), v.as_slice()));
        b.push(key_table("附件2-1　分县（市、区）主要指标", "县（市、区）", &figs, regions));
    }
    let form = survey::builtin::questionnaire();
    let items: Vec<Vec<String>> = form.variables().iter().enumerate().map(|(i, it)| vec![(i + 1).to_string(), form.text(&it.label).to_string()]).collect();
    b.push(Block::Table { caption: format!("附件3　调查问卷题目（{}）", form.title), header: vec!["序号".into(), "题目".into()], rows: items });
    b.push(Block::Heading { level: 2, text: "附件4　方法说明".into() });
    b.push(Block::Para(format!(
        "指标按《指标目录》（版本{}）计算，规则按规则文件（版本{}）判定；每个指标为两类计数之比，逐级汇总为各级党组织的数值。问卷数据只计有效问卷；访谈数据为当年访谈中经研究人员确认的编码段落。本报告数据于{}计算（计算编号{}，用时{:.1}秒）。",
        domain::indicators::Catalogue::builtin().version,
        c.run.rules_version,
        c.run.finished_at.clone().unwrap_or_default(),
        c.run.id,
        c.run.seconds.unwrap_or(0.0)
    )));
    for f in &c.figs {
        b.push(Block::Para(format!("{}：{}", f.indicator.name, f.indicator.definition)));
    }
}
