//! The researcher's choices (调研设计) and the fieldwork they select: which questionnaire
//! campaigns, interviews and cases count, the period, the byline and the date. The choices
//! are saved with the report (JSON), and the method section states them.

use crate::ReportError;
use domain::org::{short_name, Org, OrgLevel, Sector};
use domain::{Date, Labelled};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use store::{Campaign, CaseRow, CodedPassage, InterviewRow, Scope, Store};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Choices {
    /// Questionnaire campaigns that count; `None`: every campaign that opened in the period.
    pub campaigns: Option<Vec<i64>>,
    /// Interviews that count; `None`: every interview held in the period.
    pub interviews: Option<Vec<i64>>,
    /// Cases that count; `None`: every case of the organisations reported on.
    pub cases: Option<Vec<i64>>,
    /// Start of the 调研期; `None`: 1 January of the year. It ends at the cut-off.
    pub from: Option<Date>,
    /// 调研单位 (the byline); `None`: the reporting committee's 组织部调研组.
    pub unit: Option<String>,
    /// 成文日期; `None`: the cut-off.
    pub dated: Option<Date>,
}

/// What the choices select, for one report.
pub(crate) struct Fieldwork {
    pub from: Date,
    pub to: Date,
    pub unit: String,
    pub dated: Date,
    /// The chosen campaigns, each with its valid responses in the organisations reported on.
    pub campaigns: Vec<(Campaign, f64)>,
    /// Campaigns of the period the researcher left out.
    pub left_out_campaigns: Vec<Campaign>,
    /// Units surveyed in the subtree, by sector.
    pub survey_units: Vec<(Sector, usize)>,
    pub interviews: Vec<InterviewRow>,
    pub left_out_interviews: usize,
    pub left_out_cases: usize,
    pub passages: Vec<CodedPassage>,
    pub cases: Vec<CaseRow>,
    /// The chosen campaigns' and interviews' measures per organisation of the subtree.
    measures: Vec<(Org, HashMap<String, f64>)>,
}

/// Measures the chosen fieldwork gives, replacing those of the cached run.
use indicators::is_fieldwork;

fn chosen<T>(what: &str, all: Vec<T>, ids: &Option<Vec<i64>>, id: impl Fn(&T) -> i64, in_period: impl Fn(&T) -> bool) -> Result<(Vec<T>, Vec<T>), ReportError> {
    match ids {
        None => Ok(all.into_iter().partition(|x| in_period(x))),
        Some(ids) => {
            if let Some(missing) = ids.iter().find(|i| !all.iter().any(|x| id(x) == **i)) {
                return Err(ReportError::Choice(format!("{what}编号 {missing} 不存在或不在您的管辖范围内")));
            }
            let (mut yes, mut no) = (Vec::new(), Vec::new());
            for x in all {
                if ids.contains(&id(&x)) {
                    yes.push(x);
                } else if in_period(&x) {
                    no.push(x);
                }
            }
            Ok((yes, no))
        }
    }
}

impl Fieldwork {
    pub async fn gather(store: &Store, scope: &Scope, sub: &Scope, org: &Org, req: &crate::Request<'_>) -> Result<Fieldwork, ReportError> {
        let ch = &req.choices;
        let from = ch.from.unwrap_or_else(|| Date::from_ymd_opt(req.year, 1, 1).expect("a valid date"));
        let to = req.as_of;
        if from > to {
            return Err(ReportError::Choice(format!("调研期开始日期 {from} 晚于数据截止日期 {to}：请把开始日期改早，或把截止日期改晚")));
        }
        let within = |d: Date| d >= from && d <= to;
        let (campaigns, left_out_campaigns) = chosen("问卷调查", store.campaigns(scope).await?, &ch.campaigns, |k| k.id, |k| within(k.opens_on))?;
        let (interviews, left_out) = chosen("访谈", store.interviews(sub).await?, &ch.interviews, |i| i.id, |i| within(i.held_on))?;
        let (cases, left_out_cases) = chosen("案例", store.cases(sub).await?, &ch.cases, |k| k.id, |_| true)?;
        let ids: Vec<i64> = interviews.iter().map(|i| i.id).collect();
        let passages = store.coded_passages(sub, None).await?.into_iter().filter(|p| ids.contains(&p.coding.interview_id)).collect();
        // Campaign by campaign, so the method section can give each one's valid responses
        // (a pilot of 11 is then seen, not silently merged). Each organisation is looked up
        // once: in the subtree reported on, or not.
        let mut place: HashMap<i64, Option<Org>> = HashMap::new();
        let mut per_org: HashMap<i64, HashMap<String, f64>> = HashMap::new();
        let mut counted = Vec::new();
        for k in campaigns {
            let mut valid = 0.0;
            let found = indicators::measures::survey_of(store, &[k.id]).await?;
            let unknown: Vec<i64> = found.keys().filter(|o| !place.contains_key(o)).copied().collect();
            let mut known = store.orgs_by_id(sub, &unknown).await?;
            for o in unknown {
                place.insert(o, known.remove(&o));
            }
            for (o, m) in found {
                if place[&o].is_some() {
                    valid += m.get("survey.responses.valid").copied().unwrap_or(0.0);
                }
                let e = per_org.entry(o).or_default();
                for (key, v) in m {
                    *e.entry(key).or_insert(0.0) += v;
                }
            }
            counted.push((k, valid));
        }
        let campaigns = counted;
        for (o, m) in indicators::measures::interviews_of(store, &ids).await? {
            let e = per_org.entry(o).or_default();
            for (k, v) in m {
                *e.entry(k).or_insert(0.0) += v;
            }
        }
        // Only what was gathered in the organisations reported on counts.
        let mut measures = Vec::new();
        for (id, m) in per_org {
            let o = match place.remove(&id) {
                Some(known) => known,
                None => store.org(sub, id).await.ok(),
            };
            if let Some(o) = o {
                measures.push((o, m));
            }
        }
        let mut survey_units: Vec<(Sector, usize)> = Vec::new();
        for (o, m) in &measures {
            if m.get("survey.responses.issued").copied().unwrap_or(0.0) > 0.0 {
                match survey_units.iter_mut().find(|(s, _)| *s == o.sector) {
                    Some((_, n)) => *n += 1,
                    None => survey_units.push((o.sector, 1)),
                }
            }
        }
        survey_units.sort_by_key(|(s, n)| (std::cmp::Reverse(*n), Sector::ALL.iter().position(|x| x == s)));
        let unit = match &ch.unit {
            Some(u) if !u.trim().is_empty() => u.trim().to_string(),
            _ if org.level == OrgLevel::LocalCommittee => format!("{}组织部调研组", short_name(&org.name)),
            _ => format!("{}调研组", short_name(&org.name)),
        };
        Ok(Fieldwork { from, to, unit, dated: ch.dated.unwrap_or(to), campaigns, left_out_campaigns, survey_units, interviews, left_out_interviews: left_out.len(), left_out_cases: left_out_cases.len(), passages, cases, measures })
    }

    /// Replaces the questionnaire and interview measures in `totals` with the chosen
    /// fieldwork's, summed over the organisations `pick` keeps.
    pub fn replace(&self, totals: &mut HashMap<String, f64>, pick: impl Fn(&Org) -> bool) {
        totals.retain(|k, _| !is_fieldwork(k));
        for (_, m) in self.measures.iter().filter(|(o, _)| pick(o)) {
            for (k, v) in m {
                *totals.entry(k.clone()).or_insert(0.0) += v;
            }
        }
    }
}
