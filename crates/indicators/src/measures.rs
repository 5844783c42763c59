//! The measures of one organisation (see the header of catalogue/indicators.toml).

use crate::IndicatorError;
use domain::compliance::{MemberFact, OrgYear, RuleVerdict, Verdict};
use domain::org::{Org, OrgLevel, Sector};
use domain::Date;
use domain::rules::Rules;
use domain::Labelled;
use std::collections::HashMap;
use store::{Scope, Store};

type Measures = HashMap<String, f64>;

/// Adds `v` to measure `k`; the name is copied only the first time (a province's
/// campaign adds 5 M answers to the same few hundred names).
fn add(m: &mut Measures, k: impl AsRef<str>, v: f64) {
    if v != 0.0 {
        let k = k.as_ref();
        match m.get_mut(k) {
            Some(x) => *x += v,
            None => {
                m.insert(k.to_string(), v);
            }
        }
    }
}

/// From the registry facts the compliance engine gathered, and its verdicts.
pub fn registry(rules: &Rules, org: &Org, f: &OrgYear, verdicts: &[RuleVerdict], as_of: Date) -> Measures {
    let mut m = Measures::new();
    registry_into(rules, org, f, verdicts, as_of, &mut |k, v| add(&mut m, k, v));
    m
}

/// [`registry`] given to `put` measure by measure (name, value; zeros skipped): the walk
/// numbers them straight into its tally, without a map of names per organisation.
pub fn registry_into(rules: &Rules, org: &Org, f: &OrgYear, verdicts: &[RuleVerdict], as_of: Date, put: &mut dyn FnMut(&str, f64)) {
    let mut add = |k: &str, v: f64| {
        if v != 0.0 {
            put(k, v)
        }
    };
    add("orgs.total", 1.0);
    add("orgs.branches", f64::from(u8::from(org.level == OrgLevel::Branch)));
    add("orgs.general_branches", f64::from(u8::from(org.level == OrgLevel::GeneralBranch)));
    add("orgs.committees", f64::from(u8::from(org.level == OrgLevel::GrassrootsCommittee)));
    add("orgs.groups", f64::from(u8::from(org.level == OrgLevel::Group)));
    add("orgs.primary", f64::from(u8::from(matches!(org.level, OrgLevel::Branch | OrgLevel::GeneralBranch | OrgLevel::GrassrootsCommittee))));
    add("members.active", f64::from(f.members));
    add("members.full", f64::from(f.full_members));
    let (member_h, cadre_h) = (f64::from(rules.training.member_hours.get()), f64::from(rules.training.cadre_hours.get()));
    add("members.trained", f.member_facts.iter().filter(|x| x.training_hours >= member_h).count() as f64);
    add("members.cadres", f.member_facts.iter().filter(|x| x.cadre).count() as f64);
    add("members.cadres_trained", f.member_facts.iter().filter(|x| x.cadre && x.training_hours >= cadre_h).count() as f64);
    // Young members (under 35 on the as-of date), in villages too; mobile, lost, and
    // archives missing a material their status requires.
    let count = |p: &dyn Fn(&MemberFact) -> bool| f.member_facts.iter().filter(|x| p(x)).count() as f64;
    let young = |x: &MemberFact| domain::member::age_on(x.birth_date, as_of) < domain::member::YOUNG_UNDER;
    add("members.young", count(&young));
    if org.sector == Sector::Village {
        add("members.village", f.member_facts.len() as f64);
        add("members.village_young", count(&young));
    }
    add("members.mobile", count(&|x| x.mobile));
    add("members.mobile_lost", count(&|x| x.mobile && x.lost_contact));
    add("members.archive_incomplete", count(&|x| !x.archive_complete));
    for (kind, _) in f.meetings {
        add(meeting_measure(*kind), 1.0);
    }
    let c = &f.meeting_content;
    add("meetings.all", f64::from(c.all));
    add("meetings.interactive", f64::from(c.interactive));
    add("meetings.themed_days", f64::from(c.themed_days));
    add("meetings.themed_documents_only", f64::from(c.themed_documents_only));
    add("meetings.three_one_with_content", f64::from(c.three_one_with_content));
    add("meetings.three_one_documents_only", f64::from(c.three_one_documents_only));
    add("transfers.out", f.transfers_out.len() as f64);
    add("development.records", f.development.len() as f64);
    add("development.irregular", f.development.iter().filter(|r| !domain::development::audit(rules, r).is_empty()).count() as f64);
    add("units.total", f.units.len() as f64);
    add("units.own_org", f.units.iter().filter(|u| u.own_org).count() as f64);
    // 标准化规范化: a branch that every rule applying to it finds met.
    let judged = verdicts.iter().any(|v| v.verdict.is_judged());
    let standard = org.level == OrgLevel::Branch && judged && !verdicts.iter().any(|v| v.verdict == Verdict::NotMet);
    add("orgs.standard_branch", f64::from(u8::from(standard)));
    for v in verdicts {
        let id = v.rule_id;
        match v.verdict {
            Verdict::NotApplicable | Verdict::NotYet => continue,
            Verdict::Met => add(rule_measure(id, "met"), 1.0),
            Verdict::NotMet => {
                add(rule_measure(id, "failing"), 1.0);
                // The evidence lists one line per member or letter concerned.
                match id {
                    "members.absence" => add("members.absent", v.evidence.len() as f64),
                    "dues.lapse_months" => add("members.dues_lapsed", v.evidence.len() as f64),
                    "transfers.letter_validity_days" => add("transfers.late", v.evidence.len() as f64),
                    _ => {}
                }
            }
        }
        add(rule_measure(id, "applicable"), 1.0);
    }
}

/// "rule.<id>.<what>", made once per rule and count: the walk names three per verdict of
/// every organisation. Leaked: a few dozen short names for the life of the process.
fn rule_measure(id: &'static str, what: &'static str) -> &'static str {
    static NAMES: std::sync::OnceLock<std::sync::Mutex<HashMap<(&'static str, &'static str), &'static str>>> = std::sync::OnceLock::new();
    let mut names = NAMES.get_or_init(Default::default).lock().unwrap_or_else(|e| e.into_inner());
    names.entry((id, what)).or_insert_with(|| Box::leak(format!("rule.{id}.{what}").into_boxed_str()))
}

/// "meetings.<kind>", made once per kind.
fn meeting_measure(kind: domain::meeting::MeetingKind) -> &'static str {
    static NAMES: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    let names = NAMES.get_or_init(|| domain::meeting::MeetingKind::ALL.iter().map(|k| format!("meetings.{}", k.code())).collect());
    let i = domain::meeting::MeetingKind::ALL.iter().position(|k| *k == kind).expect("every kind is in ALL");
    &names[i]
}

/// From the campaigns that opened in `year`: per unit, 发放/回收/有效 and, over valid
/// responses, each Likert item answered / agreed (4–5) / disagreed (1–2).
pub async fn survey(store: &Store, year: i32) -> Result<HashMap<i64, Measures>, IndicatorError> {
    let ids: Vec<i64> = store.campaigns(&Scope::jurisdiction()).await?.into_iter().filter(|c| chrono::Datelike::year(&c.opens_on) == year).map(|c| c.id).collect();
    survey_of(store, &ids).await
}

/// [`survey`] over the chosen campaigns (a report's selection).
pub async fn survey_of(store: &Store, campaigns: &[i64]) -> Result<HashMap<i64, Measures>, IndicatorError> {
    let all = Scope::jurisdiction();
    let mut out: HashMap<i64, Measures> = HashMap::new();
    let err = |e: survey::campaign::SurveyError| IndicatorError::Survey(e.to_string());
    for c in store.campaigns(&all).await? {
        if !campaigns.contains(&c.id) {
            continue;
        }
        let l = survey::campaign::load(store, &all, c.id).await.map_err(err)?;
        // Each item's three measure names, made once per campaign.
        let items: Vec<(String, [String; 3])> = survey::validity::likert_blocks(&l.form)
            .into_iter()
            .flatten()
            .map(|q| {
                let names = [format!("survey.{q}.answered"), format!("survey.{q}.agree"), format!("survey.{q}.disagree")];
                (q, names)
            })
            .collect();
        let org_of: HashMap<i64, i64> = l.units.iter().map(|u| (u.id, u.org_id)).collect();
        for u in &l.units {
            add(out.entry(u.org_id).or_default(), "survey.responses.issued", u.issued as f64);
        }
        l.judge_each(store, &all, |r, answers, v| {
            let Some(org) = org_of.get(&r.unit_id) else { return Ok(()) };
            let m = out.entry(*org).or_default();
            add(m, "survey.responses.returned", 1.0);
            if v.valid {
                add(m, "survey.responses.valid", 1.0);
                for (q, [answered, agree, disagree]) in &items {
                    let Some(x) = answers.get(q).and_then(|x| x.as_str()).and_then(|x| x.parse::<u8>().ok()) else { continue };
                    add(m, answered, 1.0);
                    add(m, agree, f64::from(u8::from(x >= 4)));
                    add(m, disagree, f64::from(u8::from(x <= 2)));
                }
            }
            Ok(())
        })
        .await
        .map_err(err)?;
    }
    Ok(out)
}

/// From the interviews held in `year`: per unit, interviews, and per category the
/// interviews with an accepted code, coded passages and quotes.
pub async fn interviews(store: &Store, year: i32) -> Result<HashMap<i64, Measures>, IndicatorError> {
    let ids: Vec<i64> = store.interviews(&Scope::jurisdiction()).await?.into_iter().filter(|i| chrono::Datelike::year(&i.held_on) == year).map(|i| i.id).collect();
    interviews_of(store, &ids).await
}

/// [`interviews`] over the chosen interviews (a report's selection).
pub async fn interviews_of(store: &Store, chosen: &[i64]) -> Result<HashMap<i64, Measures>, IndicatorError> {
    let all = Scope::jurisdiction();
    let mut out: HashMap<i64, Measures> = HashMap::new();
    let held: HashMap<i64, i64> = store.interviews(&all).await?.into_iter().filter(|i| chosen.contains(&i.id)).map(|i| (i.id, i.org_id)).collect();
    for org in held.values() {
        add(out.entry(*org).or_default(), "interviews.total", 1.0);
    }
    let mut seen = std::collections::HashSet::new();
    for p in store.coded_passages(&all, None).await? {
        let Some(org) = held.get(&p.coding.interview_id) else { continue };
        let c = &p.coding.category;
        let m = out.entry(*org).or_default();
        add(m, format!("codes.{c}.passages"), 1.0);
        add(m, format!("codes.{c}.quotes"), f64::from(u8::from(p.coding.quote)));
        if seen.insert((p.coding.interview_id, c.clone())) {
            add(m, format!("codes.{c}.interviews"), 1.0);
        }
    }
    Ok(out)
}
