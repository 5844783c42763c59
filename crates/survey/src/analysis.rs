//! Analysis of a campaign (问卷分析): frequencies and percentages per question, Likert
//! means, cross-tabs by sector, region, unit or any single-choice question (respondent
//! role, age band…) with χ², and keyword counts of open answers segmented by jieba. On
//! valid responses by default.

use crate::campaign::{load, SurveyError};
use crate::model::{Item, Kind, Questionnaire};
use crate::stats::{chi_square, ChiSquare};
use domain::Labelled;
use serde::Serialize;
use serde_json::{Map, Value as Json};
use std::collections::{BTreeMap, HashMap};
use store::{Scope, Store};

/// One answered questionnaire as the analysis needs it.
pub struct Answered {
    pub unit: usize,
    pub answers: Map<String, Json>,
}

/// Responses of a campaign in memory (a county's campaign is ~1 200 rows).
pub struct Data {
    pub form: Questionnaire,
    /// (unit name, sector label, region code) per unit index
    pub units: Vec<(String, String, String)>,
    pub rows: Vec<Answered>,
    pub valid_only: bool,
}

pub async fn data(store: &Store, scope: &Scope, id: i64, valid_only: bool) -> Result<Data, SurveyError> {
    let l = load(store, scope, id).await?;
    let index: HashMap<i64, usize> = l.units.iter().enumerate().map(|(i, u)| (u.id, i)).collect();
    let mut rows = Vec::new();
    l.judge_each(store, scope, |r, a, v| {
        if !valid_only || v.valid {
            rows.push(Answered { unit: index.get(&r.unit_id).copied().unwrap_or(0), answers: a.clone() });
        }
        Ok(())
    })
    .await?;
    let units = l.units.iter().map(|u| (u.org_name.clone(), u.sector.label().to_string(), u.region_code.clone())).collect();
    Ok(Data { form: l.form, units, rows, valid_only })
}

#[derive(Debug, Clone, Serialize)]
pub struct FreqRow {
    pub code: String,
    pub label: String,
    pub count: u64,
    /// Percent of those who answered the question (select_multiple: of respondents, so
    /// the column adds up to more than 100).
    pub percent: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Frequency {
    pub name: String,
    pub label: String,
    pub kind: &'static str,
    pub answered: u64,
    pub unanswered: u64,
    pub rows: Vec<FreqRow>,
    /// Likert / numeric questions: mean and standard deviation.
    pub mean: Option<f64>,
    pub sd: Option<f64>,
}

fn text(a: &Map<String, Json>, k: &str) -> String {
    a.get(k).and_then(|v| v.as_str()).unwrap_or("").to_string()
}

fn choice_label(form: &Questionnaire, it: &Item, code: &str) -> String {
    if code == crate::answers::OTHER {
        return "其他".into();
    }
    it.kind.list().and_then(|l| form.choices(l).iter().find(|c| c.name == code)).map(|c| form.text(&c.label).to_string()).unwrap_or_else(|| code.to_string())
}

fn mean_sd(xs: &[f64]) -> (Option<f64>, Option<f64>) {
    if xs.is_empty() {
        return (None, None);
    }
    let m = xs.iter().sum::<f64>() / xs.len() as f64;
    let sd = if xs.len() > 1 { Some((xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (xs.len() - 1) as f64).sqrt()) } else { None };
    (Some(m), sd)
}

/// Frequencies of every question outside repeats, in questionnaire order.
pub fn frequencies(d: &Data) -> Vec<Frequency> {
    let f = &d.form;
    let n = d.rows.len() as u64;
    let mut out = Vec::new();
    for it in f.variables() {
        // An attention check says whether a respondent read; it is no finding.
        if crate::validity::is_attention_check(f, it) {
            continue;
        }
        let vals: Vec<String> = d.rows.iter().map(|r| text(&r.answers, &it.name)).collect();
        let answered = vals.iter().filter(|v| !v.is_empty()).count() as u64;
        let pct = |c: u64| if answered == 0 { 0.0 } else { c as f64 * 100.0 / answered as f64 };
        let (kind, rows, nums): (&'static str, Vec<FreqRow>, Vec<f64>) = match &it.kind {
            Kind::SelectOne { list, or_other } | Kind::SelectMultiple { list, or_other } => {
                let multiple = matches!(it.kind, Kind::SelectMultiple { .. });
                let mut codes: Vec<String> = f.choices(list).iter().map(|c| c.name.clone()).collect();
                if *or_other {
                    codes.push(crate::answers::OTHER.into());
                }
                let rows = codes
                    .iter()
                    .map(|code| {
                        let c = vals.iter().filter(|v| if multiple { v.split(' ').any(|x| x == code) } else { *v == code }).count() as u64;
                        FreqRow { code: code.clone(), label: choice_label(f, it, code), count: c, percent: pct(c) }
                    })
                    .collect();
                let numeric = !multiple && codes.iter().all(|c| c.parse::<f64>().is_ok());
                let nums = if numeric { vals.iter().filter_map(|v| v.parse().ok()).collect() } else { vec![] };
                (if multiple { "多选" } else { "单选" }, rows, nums)
            }
            Kind::Integer | Kind::Decimal | Kind::Range { .. } => ("数值", vec![], vals.iter().filter_map(|v| v.parse().ok()).collect()),
            Kind::Text => ("文本", vec![], vec![]),
            _ => continue,
        };
        let (mean, sd) = mean_sd(&nums);
        out.push(Frequency { name: it.name.clone(), label: f.text(&it.label).to_string(), kind, answered, unanswered: n - answered, rows, mean, sd });
    }
    out
}

/// What a cross-tab groups respondents by.
#[derive(Debug, Clone, PartialEq)]
pub enum By {
    Sector,
    Region,
    Unit,
    /// A single-choice question (respondent role, age band…).
    Question(String),
}

impl By {
    pub fn parse(s: &str) -> By {
        match s {
            "sector" => By::Sector,
            "region" => By::Region,
            "unit" => By::Unit,
            q => By::Question(q.to_string()),
        }
    }
    pub fn code(&self) -> String {
        match self {
            By::Sector => "sector".into(),
            By::Region => "region".into(),
            By::Unit => "unit".into(),
            By::Question(q) => q.clone(),
        }
    }
}

/// The grouping dimensions a campaign offers: sector, region, unit, then its
/// single-choice questions.
pub fn dimensions(form: &Questionnaire) -> Vec<(By, String)> {
    let mut v = vec![(By::Sector, "领域".to_string()), (By::Region, "行政区划".to_string()), (By::Unit, "单位".to_string())];
    for it in form.variables() {
        if matches!(it.kind, Kind::SelectOne { .. }) && !crate::validity::is_attention_check(form, it) {
            v.push((By::Question(it.name.clone()), form.text(&it.label).to_string()));
        }
    }
    v
}

#[derive(Debug, Clone, Serialize)]
pub struct CrossTab {
    pub question: String,
    pub question_label: String,
    pub by_label: String,
    pub groups: Vec<String>,
    pub columns: Vec<String>,
    /// The columns' scores when the question is a scale (Likert 1–5), for a diverging chart.
    pub scores: Option<Vec<f64>>,
    /// counts[group][column]
    pub counts: Vec<Vec<u64>>,
    pub test: ChiSquare,
    /// Mean of a numeric-coded question per group.
    pub means: Vec<Option<f64>>,
}

pub fn crosstab(d: &Data, question: &str, by: &By) -> Result<CrossTab, String> {
    let f = &d.form;
    let it = f
        .variables()
        .into_iter()
        .find(|i| i.name == question && !crate::validity::is_attention_check(f, i))
        .ok_or_else(|| format!("问卷中没有可分析的题目 {question}（注意力检测题只用于判定有效问卷，不做分析）"))?;
    let list = it.kind.list().ok_or_else(|| format!("{} 不是选择题，不能做交叉分析", it.name))?;
    let multiple = matches!(it.kind, Kind::SelectMultiple { .. });
    let mut codes: Vec<String> = f.choices(list).iter().map(|c| c.name.clone()).collect();
    if it.kind.or_other() {
        codes.push(crate::answers::OTHER.into());
    }
    let (by_label, group_of): (String, Box<dyn Fn(&Answered) -> Option<String>>) = match by {
        By::Sector => ("领域".into(), Box::new(|r: &Answered| d.units.get(r.unit).map(|u| u.1.clone()))),
        By::Region => ("行政区划".into(), Box::new(|r: &Answered| d.units.get(r.unit).map(|u| u.2.clone()))),
        By::Unit => ("单位".into(), Box::new(|r: &Answered| d.units.get(r.unit).map(|u| u.0.clone()))),
        By::Question(q) => {
            let bq = f
                .variables()
                .into_iter()
                .find(|i| i.name == *q && matches!(i.kind, Kind::SelectOne { .. }) && !crate::validity::is_attention_check(f, i))
                .ok_or_else(|| format!("分组依据 {q} 不是本问卷的单选题"))?;
            let bq = bq.clone();
            (f.text(&bq.label).to_string(), Box::new(move |r: &Answered| Some(text(&r.answers, &bq.name)).filter(|v| !v.is_empty()).map(|v| choice_label(f, &bq, &v))))
        }
    };
    // Groups in the order of their choices (questions) or by name (units, sectors).
    let mut table: BTreeMap<String, Vec<u64>> = BTreeMap::new();
    let mut nums: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    let numeric = !multiple && codes.iter().all(|c| c.parse::<f64>().is_ok());
    for r in &d.rows {
        let Some(g) = group_of(r) else { continue };
        let v = text(&r.answers, &it.name);
        if v.is_empty() {
            continue;
        }
        let row = table.entry(g.clone()).or_insert_with(|| vec![0; codes.len()]);
        for (j, c) in codes.iter().enumerate() {
            if if multiple { v.split(' ').any(|x| x == c) } else { v == *c } {
                row[j] += 1;
            }
        }
        if numeric {
            if let Ok(x) = v.parse() {
                nums.entry(g).or_default().push(x);
            }
        }
    }
    let mut groups: Vec<String> = table.keys().cloned().collect();
    if let By::Question(q) = by {
        if let Some(bq) = f.find(q) {
            let order: Vec<String> = bq.kind.list().map(|l| f.choices(l).iter().map(|c| f.text(&c.label).to_string()).collect()).unwrap_or_default();
            groups.sort_by_key(|g| order.iter().position(|o| o == g).unwrap_or(usize::MAX));
        }
    }
    let counts: Vec<Vec<u64>> = groups.iter().map(|g| table[g].clone()).collect();
    // χ² assumes each respondent in one cell: not for multiple choice.
    let test = if multiple {
        ChiSquare { chi2: 0.0, df: 0, p: None, note: Some("多选题一人可选多项，不适用χ²独立性检验".into()) }
    } else {
        chi_square(&counts)
    };
    let means = groups.iter().map(|g| mean_sd(nums.get(g).map(|v| v.as_slice()).unwrap_or(&[])).0).collect();
    Ok(CrossTab {
        question: it.name.clone(),
        question_label: f.text(&it.label).to_string(),
        by_label,
        groups,
        columns: codes.iter().map(|c| choice_label(f, it, c)).collect(),
        scores: numeric.then(|| codes.iter().filter_map(|c| c.parse().ok()).collect()),
        counts,
        test,
        means,
    })
}

#[derive(Debug, Clone, Serialize)]
pub struct Keywords {
    pub name: String,
    pub label: String,
    pub answers: u64,
    pub words: Vec<(String, u64)>,
}

pub use segment::jieba;
use segment::STOP;

/// Words of open answers, counted once per answer, most frequent first.
pub fn keywords(d: &Data, top: usize) -> Vec<Keywords> {
    let f = &d.form;
    let mut out = Vec::new();
    for it in f.variables().into_iter().filter(|i| i.kind == Kind::Text) {
        let mut counts: HashMap<String, u64> = HashMap::new();
        let mut answers = 0;
        for r in &d.rows {
            let t = text(&r.answers, &it.name);
            if t.trim().is_empty() {
                continue;
            }
            answers += 1;
            let mut seen = std::collections::HashSet::new();
            for w in jieba().cut(&t, true) {
                let w = w.word.trim();
                if w.chars().count() < 2 || STOP.contains(&w) || !w.chars().any(|c| c.is_alphabetic()) {
                    continue;
                }
                if seen.insert(w.to_string()) {
                    *counts.entry(w.to_string()).or_default() += 1;
                }
            }
        }
        let mut words: Vec<(String, u64)> = counts.into_iter().collect();
        words.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        words.truncate(top);
        out.push(Keywords { name: it.name.clone(), label: f.text(&it.label).to_string(), answers, words });
    }
    out
}

/// One option's count, as the summary lists it.
#[derive(Debug, Clone, Serialize)]
pub struct OptionCount {
    pub label: String,
    pub count: u64,
    pub percent: f64,
}

/// A question as the analysis page shows it: options with counts and percentages, the
/// "其他" texts written in, and the mean of a scale or number.
#[derive(Debug, Clone, Serialize)]
pub struct QuestionSummary {
    pub name: String,
    pub label: String,
    pub kind: &'static str,
    pub answered: u64,
    pub options: Vec<OptionCount>,
    /// The texts written beside "其他", in response order.
    pub other: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mean: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sd: Option<f64>,
}

/// Every analysed question (attention checks left out), in questionnaire order.
pub fn summary(d: &Data) -> Vec<QuestionSummary> {
    frequencies(d)
        .into_iter()
        .map(|f| {
            let other_key = format!("{}_other", f.name);
            let other = d.rows.iter().map(|r| text(&r.answers, &other_key)).filter(|t| !t.trim().is_empty()).collect();
            QuestionSummary {
                options: f.rows.iter().map(|r| OptionCount { label: r.label.clone(), count: r.count, percent: (r.percent * 10.0).round() / 10.0 }).collect(),
                name: f.name,
                label: f.label,
                kind: f.kind,
                answered: f.answered,
                other,
                mean: f.mean.map(|m| (m * 100.0).round() / 100.0),
                sd: f.sd.map(|s| (s * 100.0).round() / 100.0),
            }
        })
        .collect()
}
