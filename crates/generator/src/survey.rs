//! A questionnaire campaign over the generated jurisdiction: the built-in questionnaire
//! sent to branches across sectors, about 1 200 responses per county, answers that follow
//! each unit's real compliance (a branch that skips 三会一课 rates meeting quality lower),
//! with speeders, straight-liners, duplicates, failed attention checks and paper
//! questionnaires at plausible rates.

use crate::GenError;
use domain::org::OrgLevel;
use domain::rules::Rules;
use domain::{Date, Labelled};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{Map, Value as Json};
use std::collections::HashMap;
use store::{NewCampaign, NewResponse, Scope, Store};

/// Responses per county.
pub const PER_COUNTY: usize = 1200;

/// Which questions each compliance rule's failure pulls down.
const RULE_ITEMS: &[(&str, &[&str])] = &[
    ("meetings.general_meeting", &["meetings_quality", "lead_attention"]),
    ("meetings.committee_meeting", &["committee_strength", "meetings_quality"]),
    ("meetings.party_lesson", &["meetings_quality", "education_effect"]),
    ("meetings.themed_party_day", &["themed_day", "carriers"]),
    ("meetings.life_meeting", &["lead_accountability"]),
    ("meetings.democratic_evaluation", &["lead_accountability"]),
    ("members.absence", &["meetings_quality", "archives_tidy"]),
    ("dues.lapse_months", &["archives_tidy", "funding_enough"]),
    ("training.member_hours", &["education_effect", "staff_capacity"]),
    ("training.cadre_hours", &["staff_capacity"]),
    ("transfers.letter_validity_days", &["transfer_timely"]),
    ("organisation.term_overdue", &["successor", "committee_strength"]),
    ("organisation.branch_committee_required", &["committee_strength"]),
    ("development.procedure", &["development_quality"]),
];

const SUGGESTIONS: &[&str] = &[
    "希望上级加大党建经费保障力度，活动经费太紧张。",
    "三会一课有时就是念念文件，建议多搞交流研讨和现场教学。",
    "村里年轻人都外出了，两委班子年龄偏大，后继乏人，建议多培养年轻党员。",
    "流动党员联系不上，建议建立线上支部，方便外出党员参加组织生活。",
    "党务工作者都是兼职，精力不够，希望配备专职人员并加强业务培训。",
    "党建和业务两张皮，希望把党建考核和业务考核结合起来。",
    "建议多用微信公众号、网上党课等新方式，年轻党员更愿意参加。",
    "组织关系转接手续繁琐，希望简化流程、及时办理。",
    "党员档案有些不全，建议统一规范档案管理。",
    "领导重视程度不够，党建工作部署多、落实少。",
    "希望多组织志愿服务等实践活动，发挥党员先锋模范作用。",
    "新业态企业和快递骑手等新就业群体党建覆盖还不够。",
    "经费紧张，活动场所设施陈旧，需要改善。",
    "建议减少形式主义的材料报送，让支部把精力放在活动上。",
];

fn normal(rng: &mut ChaCha8Rng, mean: f64, sd: f64) -> f64 {
    // Box–Muller
    let u1: f64 = rng.gen_range(1e-9..1.0);
    let u2: f64 = rng.gen();
    mean + sd * (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

fn likert(rng: &mut ChaCha8Rng, mean: f64) -> String {
    (normal(rng, mean, 0.8).round().clamp(1.0, 5.0) as i64).to_string()
}

/// Creates the campaign and its responses; returns (campaign id, responses written).
pub async fn campaign(store: &Store, rules: &Rules, seed: u64, as_of: Date, counties: usize) -> Result<(i64, usize), GenError> {
    let scope = Scope::jurisdiction();
    let root = store.org_children(&scope, None).await?.into_iter().next().ok_or(GenError::Empty)?.org;
    let year = chrono::Datelike::year(&as_of);
    let summary = store.compliance_summary(&scope, root.id, rules, year, as_of, true).await?;
    let mut failing: HashMap<i64, Vec<&'static str>> = HashMap::new();
    for r in &summary.rules {
        for f in r.failing.iter().flatten() {
            failing.entry(f.id).or_default().push(r.id);
        }
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x5u64.wrapping_mul(0x9E37_79B9_7F4A_7C15));
    let mut branches: Vec<domain::org::Org> = store.subtree_orgs(&scope, root.id).await?.into_iter().filter(|o| o.level == OrgLevel::Branch).collect();
    branches.sort_by(|a, b| (a.sector.code(), &a.code).cmp(&(b.sector.code(), &b.code)));
    // Every k-th branch in sector order: all sectors, in proportion.
    let want_units = 60 * counties.max(1);
    let step = (branches.len() / want_units).max(1);
    let units: Vec<domain::org::Org> = branches.into_iter().step_by(step).take(want_units).collect();
    if units.is_empty() {
        return Err(GenError::Empty);
    }
    let target = PER_COUNTY * counties.max(1);
    // Returned per unit: the target shared out; issued: a few more (not all come back).
    let returned: Vec<usize> = (0..units.len()).map(|i| target / units.len() + usize::from(i < target % units.len())).collect();
    let issued: Vec<i64> = returned.iter().map(|r| (*r + rng.gen_range(0..=(r / 12).max(1))) as i64).collect();
    let qid = survey::campaign::builtin_id(store).await.map_err(|e| GenError::Other(e.to_string()))?;
    let builtin = survey::builtin::questionnaire();
    let campaign_title = format!("{}年基层党建工作问卷调查", year);
    let rules_json = serde_json::to_string(&survey::validity::Rules::default()).unwrap();
    let opens = as_of - chrono::Duration::days(30);
    let id = store
        .insert_campaign(&scope, &NewCampaign {
            questionnaire_id: qid,
            org_id: root.id,
            title: campaign_title.clone(),
            opens_on: opens,
            closes_on: as_of + chrono::Duration::days(30),
            rules: rules_json,
            units: units.iter().zip(&issued).map(|(u, n)| (u.id, *n)).collect(),
            created_by: None,
        })
        .await?;
    let cunits = store.campaign_units(&scope, id).await?;
    let mut writer = store.response_writer().await?;
    let mut batch = Vec::new();
    let mut written = 0;
    let mut devices: Vec<String> = Vec::new();
    let mut n = 0u64;
    let by_org: HashMap<i64, usize> = units.iter().enumerate().map(|(i, u)| (u.id, returned[i])).collect();
    for u in &cunits {
        let problems = failing.get(&u.org_id).cloned().unwrap_or_default();
        for _ in 0..by_org[&u.org_id] {
            n += 1;
            let paper = rng.gen_bool(0.10);
            let mut a = Map::new();
            let s = |v: &str| Json::String(v.to_string());
            let role = *["secretary", "worker", "member", "member", "member", "member", "public"].choose(&mut rng).unwrap();
            a.insert("role".into(), s(role));
            a.insert("sex".into(), s(if rng.gen_bool(0.32) { "female" } else { "male" }));
            let age = *["a1", "a2", "a2", "a3", "a3", "a3", "a4", "a4"].choose(&mut rng).unwrap();
            a.insert("age_band".into(), s(age));
            a.insert("education".into(), s(["e1", "e2", "e3", "e4"][rng.gen_range(0..4)]));
            let years = if role == "public" { 0 } else { rng.gen_range(1..=match age { "a1" => 15, "a2" => 25, "a3" => 40, _ => 60 }) };
            a.insert("party_years".into(), s(&years.to_string()));
            // The unit's mean rating falls with each rule it breaks.
            let base = 4.3 - 0.25 * problems.len() as f64;
            let straight = rng.gen_bool(0.012);
            let straight_v = likert(&mut rng, 4.5);
            for q in ["lead_attention", "lead_accountability", "integration", "committee_strength", "successor", "venue", "funding_enough", "staff_capacity", "meetings_quality", "themed_day", "education_effect", "transfer_timely", "archives_tidy", "development_quality", "carriers", "online_use", "new_fields", "methods_new"] {
                let hit = RULE_ITEMS.iter().filter(|(r, items)| problems.contains(r) && items.contains(&q)).count() as f64;
                let mut mean = base - 0.8 * hit;
                if q == "successor" && matches!(u.sector, domain::org::Sector::Village) {
                    mean -= 0.7;
                }
                if q == "new_fields" || q == "funding_enough" || q == "methods_new" {
                    mean -= 0.4;
                }
                a.insert(q.into(), s(&if straight { straight_v.clone() } else { likert(&mut rng, mean) }));
            }
            a.insert("has_fulltime_staff".into(), s(if rng.gen_bool(0.3) { "yes" } else if rng.gen_bool(0.85) { "no" } else { "unknown" }));
            let mut fs: Vec<&str> = ["budget", "dues_return", "unit_budget", "collective"].into_iter().filter(|_| rng.gen_bool(0.45)).collect();
            if fs.is_empty() {
                fs.push("none");
            }
            a.insert("funding_sources".into(), s(&fs.join(" ")));
            let lessons_failed = problems.contains(&"meetings.party_lesson");
            a.insert("lessons_frequency".into(), s(if lessons_failed { ["rarely", "never", "quarterly"][rng.gen_range(0..3)] } else { ["monthly", "quarterly", "quarterly"][rng.gen_range(0..3)] }));
            let mut forms: Vec<&str> = ["read_docs", "discussion", "visit", "service", "online"].into_iter().filter(|f| rng.gen_bool(if *f == "read_docs" { 0.7 } else { 0.35 })).collect();
            if forms.is_empty() {
                forms.push("read_docs");
            }
            a.insert("meeting_forms".into(), s(&forms.join(" ")));
            a.insert("life_count".into(), s(&rng.gen_range(if problems.contains(&"members.absence") { 0..8 } else { 6..24 }).to_string()));
            a.insert("attention_check".into(), s(if rng.gen_bool(0.02) { "5" } else { "4" }));
            let mobile = rng.gen_bool(0.4);
            a.insert("has_mobile".into(), s(if mobile { "yes" } else { "no" }));
            if mobile {
                a.insert("mobile_participation".into(), s(["regular", "sometimes", "never"][rng.gen_range(0..3)]));
            }
            let mut probs = vec!["attention", "two_skins", "succession", "formality", "management", "funding", "staff", "methods"];
            probs.shuffle(&mut rng);
            a.insert("top_problems".into(), s(&probs[..rng.gen_range(1..=3)].join(" ")));
            if rng.gen_bool(0.3) {
                a.insert("suggestion".into(), s(SUGGESTIONS.choose(&mut rng).unwrap()));
            }
            let mut missing = 0;
            if paper && rng.gen_bool(0.2) {
                for q in ["education", "life_count", "funding_sources"].iter().take(rng.gen_range(1..=3)) {
                    a.remove(*q);
                    missing += 1;
                }
            }
            let speeder = !paper && rng.gen_bool(0.02);
            let duration = if speeder { rng.gen_range(40.0..140.0) } else { normal(&mut rng, 480.0, 100.0).max(250.0) };
            let device = if !paper && !devices.is_empty() && rng.gen_bool(0.015) {
                devices.choose(&mut rng).unwrap().clone()
            } else {
                let d = format!("gen-{seed}-{n}");
                devices.push(d.clone());
                d
            };
            let submitted = chrono::NaiveDateTime::new(opens + chrono::Duration::days(rng.gen_range(0..30)), chrono::NaiveTime::from_hms_opt(rng.gen_range(8..22), rng.gen_range(0..60), rng.gen_range(0..60)).unwrap());
            let started = submitted - chrono::Duration::milliseconds((duration * 1000.0) as i64);
            batch.push(NewResponse {
                campaign_id: id,
                unit_id: u.id,
                submission_id: format!("gen-{seed}-{n}"),
                device: if paper { "paper:generator".into() } else { device },
                channel: if paper { "paper" } else { "online" }.into(),
                entered_by: None,
                started_at: started.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string(),
                submitted_at: submitted.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string(),
                duration_s: if paper { 0.0 } else { (duration * 10.0_f64).round() / 10.0 },
                passages: survey::search::answer_passages(&builtin, &campaign_title, &a),
                answers: Json::Object(a).to_string(),
                missing,
            });
            if batch.len() == 500 {
                writer.write(&batch).await?;
                written += batch.len();
                batch.clear();
            }
        }
    }
    if !batch.is_empty() {
        writer.write(&batch).await?;
        written += batch.len();
    }
    Ok((id, written))
}

/// A synthetic questionnaire of `questions` questions (mostly five-point scales, some
/// multiple choice, numbers and open text) and a campaign with `responses` answers spread
/// over the first branches: the data of the export benchmark.
pub async fn synthetic(store: &Store, responses: usize, questions: usize, seed: u64, as_of: Date) -> Result<i64, GenError> {
    use survey::model::{Choice, Item, Kind, Questionnaire, Text};
    let scope = Scope::jurisdiction();
    let root = store.org_children(&scope, None).await?.into_iter().next().ok_or(GenError::Empty)?.org;
    let units: Vec<i64> = store.subtree_orgs(&scope, root.id).await?.into_iter().filter(|o| o.level == OrgLevel::Branch).take(50).map(|o| o.id).collect();
    let zh = |s: &str| Text::from([("中文 (zh)".to_string(), s.to_string())]);
    let list = |names: &[&str]| names.iter().enumerate().map(|(i, l)| Choice { name: (i + 1).to_string(), label: zh(l), extra: Default::default() }).collect::<Vec<_>>();
    let mut lists = std::collections::BTreeMap::new();
    lists.insert("agree5".to_string(), list(&["很不同意", "不太同意", "一般", "比较同意", "非常同意"]));
    lists.insert("forms".to_string(), list(&["读文件", "交流研讨", "参观学习", "志愿服务", "线上学习", "其他形式"]));
    let mut items = Vec::new();
    for i in 0..questions {
        let name = format!("q{:02}", i + 1);
        let kind = match i % 10 {
            7 => Kind::SelectMultiple { list: "forms".into(), or_other: false },
            8 => Kind::Integer,
            9 if i % 20 == 19 => Kind::Text,
            _ => Kind::SelectOne { list: "agree5".into(), or_other: false },
        };
        let mut it = Item::new(kind, &name, i as u32 + 2);
        it.label = zh(&format!("第{}题：本支部党建工作情况评价", i + 1));
        items.push(it);
    }
    let form = Questionnaire { form_id: format!("bench_{questions}"), title: format!("性能测试问卷（{questions}题）"), version: "1".into(), default_language: None, languages: vec!["中文 (zh)".into()], style: None, items, lists };
    let qid = survey::campaign::save_questionnaire(store, &form, None).await.map_err(|e| GenError::Other(e.to_string()))?;
    let per = responses.div_ceil(units.len().max(1)) as i64;
    let id = store
        .insert_campaign(&scope, &NewCampaign {
            questionnaire_id: qid,
            org_id: root.id,
            title: format!("性能测试：{responses}份×{questions}题"),
            opens_on: as_of - chrono::Duration::days(30),
            closes_on: as_of + chrono::Duration::days(30),
            rules: serde_json::to_string(&survey::validity::Rules::default()).unwrap(),
            units: units.iter().map(|u| (*u, per)).collect(),
            created_by: None,
        })
        .await?;
    let cunits = store.campaign_units(&scope, id).await?;
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut writer = store.response_writer().await?;
    let mut batch = Vec::with_capacity(1000);
    for n in 0..responses {
        let mut a = Map::new();
        let base: f64 = rng.gen_range(2.5..4.8);
        for (i, it) in form.items.iter().enumerate() {
            let v = match it.kind {
                Kind::SelectMultiple { .. } => (1..=6).filter(|_| rng.gen_bool(0.35)).map(|x| x.to_string()).collect::<Vec<_>>().join(" "),
                Kind::Integer => rng.gen_range(0..30).to_string(),
                Kind::Text => if rng.gen_bool(0.3) { SUGGESTIONS[(n + i) % SUGGESTIONS.len()].to_string() } else { String::new() },
                _ => likert(&mut rng, base),
            };
            if !v.is_empty() {
                a.insert(it.name.clone(), Json::String(v));
            }
        }
        let u = &cunits[n % cunits.len()];
        batch.push(NewResponse {
            campaign_id: id,
            unit_id: u.id,
            submission_id: format!("bench-{n}"),
            device: format!("bench-{n}"),
            channel: "online".into(),
            entered_by: None,
            started_at: "2026-11-01T09:00:00.000Z".into(),
            submitted_at: "2026-11-01T09:08:00.000Z".into(),
            duration_s: normal(&mut rng, 480.0, 100.0).max(60.0).round(),
            answers: Json::Object(a).to_string(),
            missing: 0,
            // Benchmark data: measured for write and export speed, not searched.
            passages: Vec::new(),
        });
        if batch.len() == 1000 {
            writer.write(&batch).await?;
            batch.clear();
        }
    }
    if !batch.is_empty() {
        writer.write(&batch).await?;
    }
    Ok(id)
}
