//! Field research over the generated jurisdiction: about 20 interviews per county across
//! unit types, their notes mentioning the unit's real shortcomings (from its compliance
//! verdicts) and the seed's problems in varied wording, most of them coded as a
//! researcher would; about 10 cases per county; and the core policy documents, built
//! from the rules file's citations so that each requirement points at its rule.
//! Research samples do not grow with the jurisdiction: at most three counties get them.

use crate::GenError;
use domain::org::{Org, OrgLevel, Sector};
use domain::research::{passages, CaseForm, DocumentForm, IntervieweeForm, InterviewForm, RequirementForm};
use domain::rules::Rules;
use domain::Date;
use qualitative::interviews::Code;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::HashMap;
use store::{Scope, Store};

pub const INTERVIEWS_PER_COUNTY: usize = 20;
pub const CASES_PER_COUNTY: usize = 10;
const MAX_COUNTIES: usize = 3;

/// What was written.
#[derive(Debug, Default, Clone, Copy)]
pub struct Fieldwork {
    pub interviews: usize,
    pub codes: usize,
    pub cases: usize,
    pub documents: usize,
}

/// Which problem category a broken compliance rule shows up as in what people say.
const RULE_PROBLEM: &[(&str, &str)] = &[
    ("meetings.general_meeting", "meeting_quality"),
    ("meetings.committee_meeting", "meeting_quality"),
    ("meetings.party_lesson", "meeting_quality"),
    ("meetings.life_meeting", "meeting_quality"),
    ("meetings.democratic_evaluation", "meeting_quality"),
    ("members.absence", "member_management"),
    ("transfers.letter_validity_days", "member_management"),
    ("dues.lapse_months", "member_management"),
    ("organisation.term_overdue", "committee"),
    ("organisation.branch_committee_required", "committee"),
    ("training.member_hours", "methods"),
    ("training.cadre_hours", "staff"),
];

/// Passages per category, in the voices of interviewees ({u}: the unit's short name).
const SAYINGS: &[(&str, &[&str])] = &[
    ("attention", &[
        "说实话，大家的精力主要放在项目和招商上，党建是软任务，上面催了才抓一抓。",
        "负责人觉得党建见效慢，“说起来重要、做起来次要、忙起来不要”，这种情况在{u}确实存在。",
        "年度考核里党建分值低，书记述职讲党建就几句话，重业务轻党建的思想比较普遍。",
    ]),
    ("two_skins", &[
        "支部活动和生产经营是两码事，搞活动的时候大家觉得是额外负担，党建和业务“两张皮”。",
        "党建工作计划和业务目标分开写、分开考核，没有结合起来。",
        "我们的党建基本就是开会学习，和中心工作没什么关系。",
    ]),
    ("committee", &[
        "{u}的班子成员平均年龄五十七岁，年轻人都外出务工了，不愿意回村任职，后继乏人。",
        "支委里有两位已经六十多岁，文化程度不高，班子换届时想找年轻人接班，可没有合适人选。",
        "四十岁以下的党员只有三个，还常年在外地打工，后备干部很难培养，班子力量薄弱。",
    ]),
    ("meeting_quality", &[
        "“三会一课”有时候是应付检查，会议记录是事后补的，内容也比较空洞。",
        "党课基本是念报纸、读文件，党员听着没意思，讨论交流很少。",
        "支委会主要是传达上级文件精神，很少研究{u}自己的具体问题。",
        "组织生活会上批评与自我批评不够深入，大家说好话多，民主评议有点走过场。",
    ]),
    ("member_management", &[
        "有几名流动党员在外地打工，电话打不通，长期不参加组织生活。",
        "组织关系转接不及时，有的党员换了单位半年多，关系还挂在原支部。",
        "党员档案有的缺材料，转正时间和系统里对不上，档案管理不够规范。",
        "外出党员的党费是家属代交的，人一年多没回来过，联系不上。",
    ]),
    ("funding", &[
        "{u}一年的党建经费只有几千块钱，组织一次培训都紧张，主要靠上级拨款。",
        "集体经济薄弱，没有自己的收入，活动经费拿不出来，活动室设施也没钱更新。",
        "想组织党员外出参观学习，讲课费、车费都没有着落，经费短缺是大问题。",
    ]),
    ("staff", &[
        "我是兼职做党务的，同时还管着财务和综治，党务只能挤时间做。",
        "这几年党务干事换了好几个，刚熟悉业务就调走了，工作接不上。",
        "党务工作者没参加过系统培训，很多程序要问老同志，待遇低、积极性不高。",
    ]),
    ("methods", &[
        "学习还是老一套，集中起来念材料，互动式、体验式的活动很少。",
        "活动形式单一，年年一个样，年轻党员提不起兴趣。",
        "教育培训以灌输为主，坐着听讲座，缺乏吸引力。",
    ]),
    ("new_fields", &[
        "附近的快递员、外卖骑手里有党员，但流动性大，支部不知道怎么把他们组织起来。",
        "园区里的互联网企业和直播电商公司，党建怎么开展还没有摸到规律。",
        "平台企业总部不在本地，站点建支部没有明确的办法，新就业群体党建还是空白。",
    ]),
];

const ACHIEVEMENTS: &[(&str, &[&str])] = &[
    ("coverage", &["{u}按照“两个覆盖”要求，今年新成立了党支部，基本实现应建尽建。", "党组织建在网格上，每个网格都有党员联系户，空白点基本消除了。"]),
    ("standardisation", &["按照标准化规范化建设要求，制度上墙、台账统一，党群服务中心功能齐全。", "新建的党员活动室有投影和图书角，开会学习有了固定场所。"]),
    ("education", &["党员都用学习强国，每月统计学习积分；主题教育期间组织了多次集中学习。", "通过远程教育站点，老党员在家门口就能看党课视频。"]),
    ("development", &["发展党员严格走程序，入党积极分子每半年考察一次，今年发展的都是青年。", "建立了入党积极分子库，发展对象都经过一年以上培养考察。"]),
    ("themed_day", &["每月固定一天开展主题党日，上个月组织党员开展环境整治志愿服务。", "主题党日去了烈士陵园重温入党誓词，党员很受教育。"]),
    ("carriers", &["开通了党建微信公众号，开设网上党课，外出党员也能参加学习。", "设立党员示范岗和党员责任区，党员亮身份、作表率。"]),
];

const SUGGESTIONS: &[&str] = &[
    "建议上级加大党建经费保障，建立稳定的经费投入机制。",
    "希望多培养年轻党员，把返乡青年纳入后备干部队伍。",
    "建议配备专职党务工作者，定期开展业务培训。",
    "希望建立线上支部，方便流动党员参加组织生活。",
    "建议把党建考核和业务考核结合起来，防止“两张皮”。",
    "希望多开展现场教学、案例研讨，丰富党课形式。",
];

fn say(rng: &mut ChaCha8Rng, table: &[(&str, &[&str])], cat: &str, unit: &str) -> String {
    let lines = table.iter().find(|(c, _)| *c == cat).map(|(_, l)| *l).unwrap_or(&[]);
    lines.choose(rng).map(|l| l.replace("{u}", unit)).unwrap_or_default()
}

/// Leaf county committees of the jurisdiction (the root itself for a county).
async fn counties(store: &Store, root: &Org) -> Result<Vec<Org>, GenError> {
    let all = store.subtree_orgs(&Scope::jurisdiction(), root.id).await?;
    let locals: Vec<&Org> = all.iter().filter(|o| o.level == OrgLevel::LocalCommittee).collect();
    Ok(locals.iter().filter(|o| !locals.iter().any(|c| c.parent_id == Some(o.id))).map(|o| (*o).clone()).collect())
}

/// Interviews, cases and documents for the generated jurisdiction.
pub async fn fieldwork(store: &Store, rules: &Rules, rules_text: &str, seed: u64, as_of: Date) -> Result<Fieldwork, GenError> {
    fieldwork_in(store, rules, rules_text, seed, as_of, crate::Climate::Typical).await
}

/// [`fieldwork`] under a climate: in a compliant jurisdiction interviewees voice only
/// the unit's real shortcomings (none) and rarely one of the seed's soft problems, so
/// no problem reaches its line from the interviews alone.
pub async fn fieldwork_in(store: &Store, rules: &Rules, rules_text: &str, seed: u64, as_of: Date, climate: crate::Climate) -> Result<Fieldwork, GenError> {
    let scope = Scope::jurisdiction();
    let root = store.org_children(&scope, None).await?.into_iter().next().ok_or(GenError::Empty)?.org;
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x7u64.wrapping_mul(0x9E37_79B9_7F4A_7C15));
    let mut done = Fieldwork { documents: documents(store, rules_text, as_of).await?, ..Default::default() };
    let year = chrono::Datelike::year(&as_of);
    for county in counties(store, &root).await?.into_iter().take(MAX_COUNTIES) {
        let summary = store.compliance_summary(&scope, county.id, rules, year, as_of, true).await?;
        let mut failing: HashMap<i64, Vec<&'static str>> = HashMap::new();
        for r in &summary.rules {
            for f in r.failing.iter().flatten() {
                if let Some((_, p)) = RULE_PROBLEM.iter().find(|(rule, _)| *rule == r.id) {
                    failing.entry(f.id).or_default().push(p);
                }
            }
        }
        let orgs = store.subtree_orgs(&scope, county.id).await?;
        let units = pick_units(&orgs, &mut rng);
        for (n, unit) in units.iter().enumerate() {
            let mut problems: Vec<&str> = failing.get(&unit.id).cloned().unwrap_or_default();
            problems.sort();
            problems.dedup();
            let (i, codes) = interview(store, &scope, unit, &problems, n, &mut rng, as_of, climate).await?;
            done.interviews += i;
            done.codes += codes;
        }
        done.cases += cases(store, &scope, &units, &mut rng, as_of).await?;
    }
    Ok(done)
}

/// Interview units by type: villages, communities, enterprises, social organisations,
/// townships, streets, and one organ or school.
fn pick_units(orgs: &[Org], rng: &mut ChaCha8Rng) -> Vec<Org> {
    let plan: &[(&[Sector], &[OrgLevel], usize)] = &[
        (&[Sector::Village], &[OrgLevel::Branch, OrgLevel::GeneralBranch], 6),
        (&[Sector::Community], &[OrgLevel::Branch, OrgLevel::GeneralBranch], 4),
        (&[Sector::NonPublicEnterprise], &[OrgLevel::Branch, OrgLevel::GeneralBranch], 3),
        (&[Sector::SocialOrganisation], &[OrgLevel::Branch, OrgLevel::GeneralBranch], 2),
        (&[Sector::Township], &[OrgLevel::GrassrootsCommittee], 2),
        (&[Sector::Street], &[OrgLevel::GrassrootsCommittee], 2),
        (&[Sector::Organ, Sector::School, Sector::PublicInstitution], &[OrgLevel::Branch], 1),
    ];
    let mut out = Vec::new();
    for (sectors, levels, n) in plan {
        let mut pool: Vec<&Org> = orgs.iter().filter(|o| sectors.contains(&o.sector) && levels.contains(&o.level)).collect();
        pool.shuffle(rng);
        out.extend(pool.into_iter().take(*n).cloned());
    }
    out.truncate(INTERVIEWS_PER_COUNTY);
    out
}

#[allow(clippy::too_many_arguments)]
async fn interview(store: &Store, scope: &Scope, unit: &Org, failing: &[&str], n: usize, rng: &mut ChaCha8Rng, as_of: Date, climate: crate::Climate) -> Result<(usize, usize), GenError> {
    let quiet = climate == crate::Climate::Compliant;
    let u = domain::org::short_name(&unit.name);
    // The unit's own shortcomings first, then one or two the seed names that the
    // registry cannot see (attention, 两张皮, funding, staff, methods, new fields).
    let mut problems: Vec<&str> = failing.iter().copied().take(3).collect();
    let mut soft = vec!["attention", "two_skins", "funding", "staff", "methods"];
    if matches!(unit.sector, Sector::Village) {
        // The seed: in rural organisations the committee ages with no one to take over.
        if rng.gen_bool(if quiet { 0.1 } else { 0.7 }) && !problems.contains(&"committee") {
            problems.push("committee");
        }
        soft.push("funding");
    }
    if matches!(unit.sector, Sector::NonPublicEnterprise | Sector::Street) {
        soft.push("new_fields");
        soft.push("two_skins");
    }
    let soft_voiced = if quiet { usize::from(rng.gen_bool(0.25)) } else { rng.gen_range(1..=2) };
    for _ in 0..soft_voiced {
        let p = *soft.choose(rng).expect("non-empty");
        if !problems.contains(&p) {
            problems.push(p);
        }
    }
    let mut good: Vec<&str> = ACHIEVEMENTS.iter().map(|(c, _)| *c).collect();
    good.shuffle(rng);
    good.truncate(rng.gen_range(1..=2));
    let mut notes = String::new();
    let mut gold: Vec<(String, &str)> = Vec::new();
    let leader = match unit.sector {
        Sector::Village => "村党支部书记",
        Sector::Community => "社区党组织书记",
        Sector::NonPublicEnterprise => "企业党支部书记",
        Sector::SocialOrganisation => "社会组织党支部书记",
        Sector::Township => "乡镇党委副书记",
        Sector::Street => "街道党工委副书记",
        _ => "党支部书记",
    };
    let members = rng.gen_range(1..=3);
    let mut people = vec![IntervieweeForm { role: "leader".into(), name: leader.into(), position: "书记".into() }];
    if rng.gen_bool(0.7) {
        people.push(IntervieweeForm { role: "worker".into(), name: "党务工作者".into(), position: "组织委员".into() });
    }
    for k in 0..members {
        people.push(IntervieweeForm { role: "member".into(), name: format!("党员{}", ["甲", "乙", "丙"][k]), position: String::new() });
    }
    if rng.gen_bool(0.3) {
        people.push(IntervieweeForm { role: "public".into(), name: "群众代表".into(), position: String::new() });
    }
    notes.push_str(&format!("## 基本情况\n\n访谈在{u}进行，{leader}介绍了基层党建工作的总体情况，{}名党员参加座谈。\n\n## 主要做法\n\n", members));
    for g in &good {
        let t = say(rng, ACHIEVEMENTS, g, &u);
        notes.push_str(&t);
        notes.push_str("\n\n");
        gold.push((t, g));
    }
    notes.push_str("## 存在问题\n\n");
    for p in &problems {
        let t = say(rng, SAYINGS, p, &u);
        notes.push_str(&t);
        notes.push_str("\n\n");
        gold.push((t, p));
    }
    notes.push_str("## 意见建议\n\n");
    notes.push_str(SUGGESTIONS.choose(rng).expect("non-empty"));
    notes.push('\n');
    let held_on = as_of - chrono::Duration::days(rng.gen_range(5..60));
    let form = InterviewForm {
        org_id: unit.id.to_string(),
        held_on: held_on.to_string(),
        place: format!("{u}党员活动室"),
        interviewers: "县委组织部调研组".into(),
        interviewees: people,
        notes,
    };
    let id = qualitative::interviews::create(store, scope, &form, Vec::new(), None, as_of).await.map_err(|e| GenError::Other(e.to_string()))?;
    // Three interviews in four are coded, as a researcher working through them would;
    // the rest are left for the suggestions.
    let mut codes = 0;
    if n % 4 != 3 {
        let ps = passages(&form.notes);
        for (k, (text, cat)) in gold.iter().enumerate() {
            let Some(p) = ps.iter().position(|x| x == text) else { continue };
            let quote = k % 3 == 0 && cat_is_problem(cat);
            let c = Code { passage: p, category: cat, excerpt: "", quote, accepted: true, suggested: false };
            qualitative::interviews::code(store, scope, id, &c, None).await.map_err(|e| GenError::Other(e.to_string()))?;
            codes += 1;
        }
        // One coded interview in three is coded again, blind, by a second coder who
        // agrees mostly: misses about one code in seven, and now and then files a passage
        // under a neighbouring category or codes one the first coder left. Its own random
        // stream, so the rest of the county is generated as before.
        if n % 3 == 0 {
            let mut r2 = <ChaCha8Rng as rand::SeedableRng>::seed_from_u64(0x5eed_c0de ^ id as u64);
            let cats: Vec<&str> = SAYINGS.iter().map(|(c, _)| *c).collect();
            for (text, cat) in gold.iter() {
                let Some(p) = ps.iter().position(|x| x == text) else { continue };
                let category = if r2.gen_bool(0.08) { cats[(cats.iter().position(|c| c == cat).unwrap_or(0) + 1) % cats.len()] } else { cat };
                if r2.gen_bool(0.86) {
                    store.add_review_coding(scope, id, p as i64, category, "复核员（示范数据）", None).await?;
                }
            }
            let coded: Vec<usize> = gold.iter().filter_map(|(t, _)| ps.iter().position(|x| x == t)).collect();
            for (p, text) in ps.iter().enumerate() {
                if !coded.contains(&p) && !text.starts_with('#') && r2.gen_bool(0.06) {
                    store.add_review_coding(scope, id, p as i64, cats.choose(&mut r2).expect("non-empty"), "复核员（示范数据）", None).await?;
                }
            }
        }
    }
    Ok((1, codes))
}

fn cat_is_problem(cat: &str) -> bool {
    SAYINGS.iter().any(|(c, _)| *c == cat)
}

/// Good-practice and problem cases at the interviewed units.
async fn cases(store: &Store, scope: &Scope, units: &[Org], rng: &mut ChaCha8Rng, as_of: Date) -> Result<usize, GenError> {
    let year = chrono::Datelike::year(&as_of);
    type Case = (&'static str, &'static str, &'static str, &'static str, &'static str, &'static str, &'static str);
    // (kind, category, title, background, actions, result, lessons)
    const CASES: &[Case] = &[
        ("good", "coverage", "{u}“两个覆盖”攻坚：小微企业联合建支部", "{u}辖区小微企业多、党员少，多数企业达不到单独组建条件，党员长期没有组织生活。", "按照地域相邻、行业相近的原则，由{u}牵头组建联合党支部，选派党建指导员，统一开展“三会一课”和主题党日。", "新覆盖企业12家、党员37名，党员全部编入支部，按月参加组织生活。", "联合组建要明确牵头单位和活动场所，党建指导员要相对稳定。"),
        ("good", "themed_day", "{u}主题党日“固定日+志愿服务”", "过去主题党日多是集中学习，党员参与积极性不高。", "每月固定一天，把学习与环境整治、走访慰问等志愿服务结合，党员认领服务项目。", "党员参与率由六成提高到九成以上，群众满意度明显提升。", "主题党日要有固定日期和实际内容，与群众需求对接。"),
        ("good", "carriers", "{u}党员示范岗带动生产一线", "企业一线党员分散在各班组，先锋作用发挥不明显。", "在关键岗位设立党员示范岗和党员责任区，挂牌亮身份，开展技术攻关。", "一年内解决技术难题8项，示范岗所在班组质量事故下降。", "把党建载体与生产任务结合，避免“两张皮”。"),
        ("good", "standardisation", "{u}党支部标准化建设", "支部台账不全、制度不健全，活动场所简陋。", "对照标准化建设清单逐项整改，统一台账模板，改造党员活动室。", "支部通过县级标准化验收，党员活动室成为村民议事和学习场所。", "标准化建设要与日常工作结合，防止只为验收。"),
        ("good", "development", "{u}从返乡青年中发展党员", "{u}党员老龄化严重，三十五岁以下党员很少。", "把返乡创业青年纳入入党积极分子库，指定培养联系人，每半年考察一次。", "两年发展青年党员5名，其中2名进入村“两委”后备干部队伍。", "发展党员要严把质量关，注重在致富带头人中培养。"),
        ("problem", "meeting_quality", "{u}“三会一课”记录事后补写问题", "上级检查发现{u}会议记录字迹、笔墨一致，多次会议记录为事后集中补写。", "约谈支部书记，责令整改，组织支委参加组织生活专题培训。", "整改后按月召开支委会，但会议内容仍以传达文件为主。", "“三会一课”不能应付检查，要把会议开实、把问题议透。"),
        ("problem", "member_management", "{u}流动党员长期失联问题", "{u}有多名党员外出务工，部分党员两年以上未参加组织生活、未交纳党费。", "逐一电话联系、上门走访家属，对能联系上的建立线上学习群。", "联系上大部分党员，仍有少数党员失联。", "流动党员要建立台账、定期联系，流入地和流出地共同管理。"),
        ("problem", "funding", "{u}党建经费短缺影响活动开展", "{u}集体经济薄弱，党建经费全靠上级拨款，每年仅数千元。", "压缩其他开支，争取共建单位支持，部分活动与其他部门联合开展。", "基本活动得以维持，但培训和外出学习仍难以开展。", "应建立稳定的经费保障机制，提高自我造血能力。"),
        ("problem", "committee", "{u}班子后继乏人问题", "{u}两委班子平均年龄偏大，年轻党员大多外出务工，换届时人选难产。", "镇党委牵头摸排在外人才，动员返乡青年回村任职。", "吸引1名返乡青年进入村两委，但后备力量仍然不足。", "要长期培养后备干部，把年轻人留住、用好。"),
        ("problem", "staff", "{u}党务工作者频繁调整问题", "{u}三年内更换党务干事4人，党务工作者均为兼职。", "明确一名专职党务工作者，组织参加业务培训。", "台账和程序逐步规范，但兼职人员仍难以保证精力。", "党务工作者队伍要保持稳定，落实待遇和培训。"),
    ];
    let mut made = 0;
    for (k, (kind, cat, title, bg, act, res, les)) in CASES.iter().enumerate().take(CASES_PER_COUNTY) {
        // Villages and communities for most; enterprises for the carrier case.
        let pool: Vec<&Org> = units.iter().filter(|o| if *cat == "carriers" { o.sector == Sector::NonPublicEnterprise } else { matches!(o.sector, Sector::Village | Sector::Community | Sector::Township | Sector::Street) }).collect();
        let Some(unit) = pool.get(k % pool.len().max(1)).copied().or(units.first()) else { continue };
        let u = domain::org::short_name(&unit.name);
        let f = |s: &str| s.replace("{u}", &u);
        let form = CaseForm {
            org_id: unit.id.to_string(),
            title: f(title),
            kind: (*kind).into(),
            period: format!("{}年{}月至{}年{}月", year - 1, rng.gen_range(1..=6), year, rng.gen_range(1..=9)),
            background: f(bg),
            actions: f(act),
            result: f(res),
            lessons: f(les),
            categories: vec![(*cat).into()],
            sources: "县委组织部调研组实地走访、查阅台账".into(),
        };
        qualitative::library::create_case(store, scope, &form, Vec::new(), None).await.map_err(|e| GenError::Other(e.to_string()))?;
        made += 1;
    }
    Ok(made)
}

/// Known issuers, 文号 and dates of the documents the rules file cites. A 文号 or date is
/// given only where the public texts agree; otherwise it is left empty.
const DOCS: &[(&str, &str, &str, &str)] = &[
    ("中国共产党章程", "中国共产党全国代表大会", "", "2022-10-22"),
    ("中国共产党支部工作条例（试行）", "中共中央", "", "2018-10-28"),
    ("中国共产党发展党员工作细则", "中共中央办公厅", "", "2014-05-28"),
    ("关于中国共产党党费收缴、使用和管理的规定", "中共中央组织部", "中组发〔2008〕3号", ""),
    ("中国共产党基层组织选举工作条例", "中共中央", "", ""),
    ("关于加强和改进流动党员管理工作的意见", "中共中央组织部", "", ""),
    ("2019—2023年全国党员教育培训工作规划", "中共中央", "", ""),
    ("中国共产党党员组织关系介绍信", "中共中央组织部", "", ""),
    ("关于非公有制企业党组织工作经费问题的通知", "中共中央组织部、财政部、国家税务总局", "", ""),
    ("关于新形势下党内政治生活的若干准则", "中国共产党第十八届中央委员会第六次全体会议", "", "2016-10-27"),
];

/// One document per title the rules file cites, each requirement linked to its rule.
async fn documents(store: &Store, rules_text: &str, as_of: Date) -> Result<usize, GenError> {
    let mut by_title: Vec<(String, Vec<RequirementForm>)> = Vec::new();
    for e in domain::rules::entries(rules_text) {
        let Some(start) = e.citation.find('《') else { continue };
        let Some(len) = e.citation[start..].find('》') else { continue };
        let title = e.citation[start + '《'.len_utf8()..start + len].to_string();
        let text = e.citation.split_once('：').map_or(e.citation.as_str(), |(_, t)| t).to_string();
        let req = RequirementForm { text, rule_key: e.key };
        match by_title.iter_mut().find(|(t, _)| *t == title) {
            Some((_, v)) => v.push(req),
            None => by_title.push((title, vec![req])),
        }
    }
    let mut n = 0;
    for (title, requirements) in by_title {
        let (issuer, number, date) = DOCS.iter().find(|d| d.0 == title).map_or(("", "", ""), |d| (d.1, d.2, d.3));
        let form = DocumentForm {
            title: title.clone(),
            kind: "policy".into(),
            issuer: if issuer.is_empty() { "（待核实）".into() } else { issuer.into() },
            doc_number: number.into(),
            issued_on: date.into(),
            url: String::new(),
            summary: format!("规则文件中引用的政策依据，共{}条要求。", requirements.len()),
            requirements,
        };
        qualitative::library::create_document(store, &form, Vec::new(), rules_text, None, as_of).await.map_err(|e| GenError::Other(e.to_string()))?;
        n += 1;
    }
    Ok(n)
}
