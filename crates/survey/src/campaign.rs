//! Campaigns (调研) over the store: importing questionnaires, judging every response
//! against the campaign's rules in one streamed pass, and the counts per unit and
//! sector (发放 / 回收 / 有效 / 有效回收率).

use crate::model::Questionnaire;
use crate::validity::{Counts, Facts, Flaw, Judge, Rules, Verdict};
use crate::xlsform::FormErrors;
use domain::Labelled;
use serde::Serialize;
use serde_json::{Map, Value as Json};
use std::collections::{BTreeMap, HashMap};
use store::{Campaign, CampaignUnit, ResponseRow, Scope, Store, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum SurveyError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{0}")]
    Form(#[from] FormErrors),
    #[error("数据库中的问卷或答卷无法解析（{0}）")]
    Corrupt(String),
    #[error("写出文件失败：{0}")]
    Io(String),
    #[error("{0}")]
    Platform(#[from] crate::platform::PlatformError),
}

impl From<std::io::Error> for SurveyError {
    fn from(e: std::io::Error) -> Self {
        SurveyError::Io(e.to_string())
    }
}

/// Imports an XLSForm (.xlsx / pyxform Markdown); returns its id and the notes on what
/// was accepted without effect.
pub async fn import_questionnaire(store: &Store, bytes: &[u8], user: Option<i64>) -> Result<(i64, Vec<String>), SurveyError> {
    let loaded = crate::xlsform::read_bytes(bytes)?;
    let id = save_questionnaire(store, &loaded.form, user).await?;
    Ok((id, loaded.warnings))
}

pub async fn save_questionnaire(store: &Store, form: &Questionnaire, user: Option<i64>) -> Result<i64, SurveyError> {
    let def = serde_json::to_string(form).map_err(|e| SurveyError::Corrupt(e.to_string()))?;
    Ok(store.insert_questionnaire(&form.form_id, &form.version, &form.title, &def, user).await?)
}

/// The built-in questionnaire's id, storing it the first time.
pub async fn builtin_id(store: &Store) -> Result<i64, SurveyError> {
    let f = crate::builtin::questionnaire();
    match store.questionnaire_by_form(&f.form_id, &f.version).await? {
        Some(q) => Ok(q.id),
        None => save_questionnaire(store, &f, None).await,
    }
}

pub async fn questionnaire(store: &Store, id: i64) -> Result<Questionnaire, SurveyError> {
    let row = store.questionnaire(id).await?;
    serde_json::from_str(&row.definition).map_err(|e| SurveyError::Corrupt(format!("问卷 {id}：{e}")))
}

pub fn rules_of(c: &Campaign) -> Result<Rules, SurveyError> {
    serde_json::from_str(&c.rules).map_err(|e| SurveyError::Corrupt(format!("调研 {} 的有效规则：{e}", c.id)))
}

pub fn answers_of(r: &ResponseRow) -> Result<Map<String, Json>, SurveyError> {
    serde_json::from_str(&r.answers).map_err(|e| SurveyError::Corrupt(format!("答卷 {}：{e}", r.id)))
}

/// A campaign with its questionnaire, units and rules, ready to judge responses.
pub struct Loaded {
    pub campaign: Campaign,
    pub form: Questionnaire,
    pub units: Vec<CampaignUnit>,
    pub rules: Rules,
}

pub async fn load(store: &Store, scope: &Scope, id: i64) -> Result<Loaded, SurveyError> {
    let campaign = store.campaign(scope, id).await?;
    let form = questionnaire(store, campaign.questionnaire_id).await?;
    let units = store.campaign_units(scope, id).await?;
    let rules = rules_of(&campaign)?;
    Ok(Loaded { campaign, form, units, rules })
}

impl Loaded {
    pub fn unit(&self, id: i64) -> Option<&CampaignUnit> {
        self.units.iter().find(|u| u.id == id)
    }

    /// Streams every response with its answers and verdict, in submission order. The
    /// median duration and the repeated devices come from the database first, so memory
    /// does not grow with the number of responses (only with the duplicates).
    pub async fn judge_each(&self, store: &Store, scope: &Scope, mut each: impl FnMut(&ResponseRow, &Map<String, Json>, &Verdict) -> Result<(), SurveyError>) -> Result<Judge, SurveyError> {
        let median = store.campaign_median_duration(scope, self.campaign.id).await?;
        let repeated = store.repeated_device_responses(scope, self.campaign.id).await?;
        let judge = Judge::new(&self.form, &self.rules, median);
        store
            .campaign_responses(scope, self.campaign.id, |r| {
                let answers = answers_of(&r)?;
                let paper = r.channel == "paper";
                let seen = !paper && repeated.contains(&r.id);
                let v = judge.verdict(&Facts { id: r.id, device: &r.device, paper, duration_s: r.duration_s, answers: &answers, missing: r.missing as usize, override_valid: r.override_valid }, seen);
                each(&r, &answers, &v)
            })
            .await?;
        Ok(judge)
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct UnitCounts {
    pub unit_id: i64,
    pub org_id: i64,
    pub org_code: String,
    pub org_name: String,
    pub sector: String,
    pub region_code: String,
    /// The unit's public link token (staff only: anyone holding it can answer).
    pub token: String,
    pub issued: i64,
    pub returned: i64,
    pub valid: i64,
    pub valid_rate: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct GroupCounts {
    pub group: String,
    pub issued: i64,
    pub returned: i64,
    pub valid: i64,
    pub valid_rate: Option<f64>,
}

/// The counts of a campaign: overall, per unit, per sector, and why responses failed.
#[derive(Debug, Clone, Serialize)]
pub struct Stats {
    pub campaign_id: i64,
    pub title: String,
    pub issued: i64,
    pub returned: i64,
    pub valid: i64,
    /// 有效回收率 in percent (valid / issued), null when nothing was issued.
    pub valid_rate: Option<f64>,
    pub sentence: String,
    pub median_duration_s: f64,
    pub speeder_cutoff_s: f64,
    pub paper: i64,
    pub overridden: i64,
    /// Responses failing each rule (a response may fail several).
    pub flaws: BTreeMap<String, i64>,
    pub units: Vec<UnitCounts>,
    pub sectors: Vec<GroupCounts>,
}

pub async fn stats(store: &Store, scope: &Scope, id: i64) -> Result<Stats, SurveyError> {
    let l = load(store, scope, id).await?;
    let mut per_unit: HashMap<i64, Counts> = l.units.iter().map(|u| (u.id, Counts { issued: u.issued, ..Counts::default() })).collect();
    let mut flaws: BTreeMap<Flaw, i64> = BTreeMap::new();
    let (mut paper, mut overridden) = (0, 0);
    let judge = l
        .judge_each(store, scope, |r, _, v| {
            let c = per_unit.entry(r.unit_id).or_default();
            c.returned += 1;
            c.valid += v.valid as i64;
            paper += (r.channel == "paper") as i64;
            overridden += v.overridden as i64;
            for f in &v.flaws {
                *flaws.entry(*f).or_default() += 1;
            }
            Ok(())
        })
        .await?;
    let mut total = Counts::default();
    let mut sectors: BTreeMap<String, Counts> = BTreeMap::new();
    let units: Vec<UnitCounts> = l
        .units
        .iter()
        .map(|u| {
            let c = per_unit.get(&u.id).cloned().unwrap_or_default();
            total.add(&c);
            sectors.entry(u.sector.label().to_string()).or_default().add(&c);
            UnitCounts { unit_id: u.id, org_id: u.org_id, org_code: u.org_code.clone(), org_name: u.org_name.clone(), sector: u.sector.label().into(), region_code: u.region_code.clone(), token: u.token.clone(), issued: c.issued, returned: c.returned, valid: c.valid, valid_rate: c.valid_rate() }
        })
        .collect();
    Ok(Stats {
        campaign_id: id,
        title: l.campaign.title.clone(),
        issued: total.issued,
        returned: total.returned,
        valid: total.valid,
        valid_rate: total.valid_rate().map(|r| (r * 10.0).round() / 10.0),
        sentence: total.sentence(),
        median_duration_s: judge.median_duration,
        speeder_cutoff_s: judge.speeder_cutoff,
        paper,
        overridden,
        flaws: flaws.into_iter().map(|(f, n)| (f.label().to_string(), n)).collect(),
        units,
        sectors: sectors.into_iter().map(|(g, c)| GroupCounts { group: g, issued: c.issued, returned: c.returned, valid: c.valid, valid_rate: c.valid_rate() }).collect(),
    })
}

/// A file exported by another platform, with the name to show in messages.
pub struct ResultsFile {
    pub path: std::path::PathBuf,
    pub shown: String,
}

/// What an import of another platform's results made.
#[derive(Debug, Clone, Serialize)]
pub struct ImportedResults {
    pub files: Vec<crate::platform::Described>,
    /// Whether the questionnaire was inferred from the file (false: mapped onto one).
    pub inferred: bool,
    pub valid: i64,
    /// Rows already imported before (the same file again): not counted twice.
    pub repeated: usize,
    pub notes: Vec<String>,
    // Last, so that the json line ends with them (the command's documented output).
    pub campaign: i64,
    pub questionnaire: i64,
    pub responses: usize,
}

/// Imports results exported by 问卷星 or 腾讯问卷 as a new campaign of `org_id`: one
/// file, or the 按文本 and 按序号 files of the same responses. The questionnaire is
/// inferred from the file unless `onto` names one to map the columns onto. Every row is
/// checked by [`crate::answers::check`] before anything is written; nothing is written
/// when any row is refused.
pub async fn import_results(store: &Store, scope: &Scope, org_id: i64, files: &[ResultsFile], onto: Option<i64>, title: Option<&str>, user: Option<i64>, today: domain::Date) -> Result<ImportedResults, SurveyError> {
    use crate::platform::{self, Coding, PlatformError};
    let mut read = Vec::new();
    for f in files {
        read.push(platform::read(&f.path, &f.shown)?);
    }
    let (main, numbers) = match read.len() {
        1 => (read.remove(0), None),
        2 => {
            let (a, b) = (read.remove(0), read.remove(0));
            match (a.coding, b.coding) {
                (Coding::Text, Coding::Numbers) => (a, Some(b)),
                (Coding::Numbers, Coding::Text) => (b, Some(a)),
                _ => return Err(PlatformError(vec![format!("{} 和 {} 都是{}文件；同时给出两个文件时，应是同一批答卷的按文本文件和按序号文件", a.file, b.file, a.coding.label())]).into()),
            }
        }
        _ => return Err(PlatformError(vec!["请给出一个答卷文件，或同一批答卷的按文本、按序号两个文件".into()]).into()),
    };
    let org = store.org(scope, org_id).await?;
    let stem = std::path::Path::new(&main.file).file_stem().map(|s| s.to_string_lossy().to_string()).unwrap_or_default();
    let title = title.map(str::to_string).filter(|t| !t.trim().is_empty()).unwrap_or_else(|| format!("{}导入：{stem}", main.platform.label()));
    let plan = match onto {
        Some(id) => platform::map_onto(&main, &questionnaire(store, id).await?)?,
        None => platform::infer(&main, numbers.as_ref(), &title)?,
    };
    let rows = platform::rows(&main, &plan)?;
    let today_s = today.to_string();
    let mut checked = Vec::with_capacity(rows.len());
    let mut errors = Vec::new();
    for r in &rows {
        let c = crate::answers::check(&plan.form, &r.raw, true, &today_s);
        for (key, msg) in &c.errors {
            errors.push(format!("{} 第{}行 {}：{msg}", main.file, r.line, platform::column_of(&main, &plan, key)));
        }
        checked.push(c);
    }
    if !errors.is_empty() {
        return Err(PlatformError(errors).into());
    }
    let qid = match onto {
        Some(id) => id,
        None => save_questionnaire(store, &plan.form, user).await?,
    };
    let days: Vec<domain::Date> = rows.iter().filter_map(|r| r.submitted_at.as_deref()).filter_map(|t| chrono::DateTime::parse_from_rfc3339(t).ok()).map(|t| t.with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).unwrap()).date_naive()).collect();
    let opens_on = days.iter().min().copied().unwrap_or(today);
    let closes_on = days.iter().max().copied().unwrap_or(today);
    let rules = serde_json::to_string(&Rules::default()).map_err(|e| SurveyError::Corrupt(e.to_string()))?;
    let campaign = store
        .insert_campaign(scope, &store::NewCampaign { questionnaire_id: qid, org_id: org.id, title: title.clone(), opens_on, closes_on, rules, units: vec![(org.id, rows.len() as i64)], created_by: user })
        .await?;
    let unit = store.campaign_units(scope, campaign).await?.into_iter().next().ok_or_else(|| SurveyError::Corrupt(format!("调研 {campaign} 没有发放单位")))?;
    let now = chrono::Utc::now().format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string();
    let batch: Vec<store::NewResponse> = rows
        .iter()
        .zip(checked)
        .map(|(r, c)| {
            let submitted = r.submitted_at.clone().unwrap_or_else(|| now.clone());
            let started = r.started_at.clone().or_else(|| {
                let t = chrono::DateTime::parse_from_rfc3339(&submitted).ok()?;
                Some((t - chrono::Duration::milliseconds((r.duration_s? * 1000.0) as i64)).with_timezone(&chrono::Utc).format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string())
            });
            let id = platform::submission_id(&main, r);
            store::NewResponse {
                campaign_id: campaign,
                unit_id: unit.id,
                // The platforms' exports name no device; each response is its own.
                device: id.clone(),
                submission_id: id,
                channel: "online".into(),
                entered_by: user,
                started_at: started.unwrap_or_else(|| submitted.clone()),
                submitted_at: submitted,
                duration_s: r.duration_s.unwrap_or(0.0),
                passages: crate::search::answer_passages(&plan.form, &title, &c.answers),
                answers: Json::Object(c.answers).to_string(),
                missing: c.missing.len() as i64,
            }
        })
        .collect();
    let mut writer = store.response_writer().await?;
    let new = writer.write(&batch).await?;
    let written = new.iter().filter(|n| **n).count();
    let st = stats(store, scope, campaign).await?;
    let mut described = vec![platform::describe(&main, &plan)];
    if let Some(n) = &numbers {
        described.push(platform::describe(n, &plan));
    }
    let mut notes = plan.notes.clone();
    if rows.iter().all(|r| r.duration_s.is_none()) {
        notes.push("文件没有作答时长，答题过快的规则无法判断".into());
    }
    Ok(ImportedResults { campaign, questionnaire: qid, responses: written, repeated: batch.len() - written, valid: st.valid, files: described, inferred: plan.inferred, notes })
}
