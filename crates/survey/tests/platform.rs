//! Results exported by 问卷星 and 腾讯问卷, written by a script from the platforms'
//! public descriptions (tests/fixtures/platform_exports.py, openpyxl and Python's csv in
//! GBK; the .xls made by LibreOffice), imported as campaigns: the questionnaire inferred
//! or mapped onto an existing one, counts equal to what the script wrote, fill-ins and
//! times kept, the validity rules applied, and bad files refused naming the column.

use domain::org::{NewOrg, OrgLevel, Sector};
use serde_json::Value as Json;
use std::path::{Path, PathBuf};
use store::{Scope, Store};
use survey::analysis::{data, summary, QuestionSummary};
use survey::campaign::{import_results, ImportedResults, ResultsFile};
use survey::campaign::SurveyError;
use testkit::{both, Db};

fn files() -> Option<(PathBuf, Json)> {
    let py = testkit::python(&["openpyxl"])?;
    let dir = std::env::temp_dir().join(testkit::unique("dj_platform"));
    std::fs::create_dir_all(&dir).unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/platform_exports.py");
    let out = std::process::Command::new(py).arg(script).arg(&dir).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let expected: Json = serde_json::from_str(&std::fs::read_to_string(dir.join("expected.json")).unwrap()).unwrap();
    Some((dir, expected))
}

fn file(dir: &Path, name: &str) -> ResultsFile {
    ResultsFile { path: dir.join(name), shown: name.to_string() }
}

async fn org(store: &Store) -> i64 {
    let new = NewOrg { code: "TEST-TOWN".into(), name: "测试镇党委".into(), level: OrgLevel::GrassrootsCommittee, sector: Sector::Village, parent_id: None, region_code: "330122".into(), grid_id: None, unit_id: None, founded_on: None, elected_on: None, term_years: None };
    store.insert_org(&Scope::jurisdiction(), &new).await.unwrap().id
}

async fn questions(store: &Store, campaign: i64, valid_only: bool) -> Vec<QuestionSummary> {
    summary(&data(store, &Scope::jurisdiction(), campaign, valid_only).await.unwrap())
}

fn find<'a>(qs: &'a [QuestionSummary], label: &str) -> &'a QuestionSummary {
    qs.iter().find(|q| q.label.contains(label)).unwrap_or_else(|| panic!("no question {label}: {:?}", qs.iter().map(|q| &q.label).collect::<Vec<_>>()))
}

fn count(q: &QuestionSummary, option: &str) -> u64 {
    q.options.iter().find(|o| o.label == option).map(|o| o.count).unwrap_or_else(|| panic!("{}: no option {option} in {:?}", q.label, q.options))
}

/// The figures every import of the same responses must give.
async fn check_counts(store: &Store, r: &ImportedResults, want: &Json) {
    let n = want["responses"].as_u64().unwrap();
    assert_eq!(r.responses as u64, n, "{r:?}");
    assert_eq!(r.valid as u64, n - want["invalid"].as_u64().unwrap(), "the speeder, the straight-liner and the failed attention check are invalid: {r:?}");
    let all = questions(store, r.campaign, false).await;
    for (option, c) in want["sex"].as_object().unwrap() {
        assert_eq!(count(find(&all, "性别"), option), c.as_u64().unwrap(), "性别 {option}");
    }
    for (option, c) in want["role"].as_object().unwrap() {
        assert_eq!(count(find(&all, "身份"), option), c.as_u64().unwrap(), "身份 {option}");
    }
    let life = find(&all, "组织生活");
    for (option, c) in want["life"].as_object().unwrap() {
        assert_eq!(count(life, option), c.as_u64().unwrap(), "组织生活 {option}");
    }
    let mut other = life.other.clone();
    other.sort();
    let want_other: Vec<String> = want["life_other"].as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_string()).collect();
    assert_eq!(other, want_other, "the fill-ins of 其他 are kept");
    assert_eq!(find(&all, "单位类型").other.len() as u64, want["unit_other"].as_u64().unwrap());
    let quality = find(&all, "三会一课");
    let mean = quality.mean.expect("a scale has a mean");
    assert!((mean - want["quality_mean"].as_f64().unwrap()).abs() < 0.005, "{mean} (the summary rounds to 2 places)");
    assert_eq!(quality.options.len(), 5, "every point of the scale is an option, chosen or not: {:?}", quality.options);
    assert!(!all.iter().any(|q| q.label.contains("本题请选择")), "the attention check is left out of the analysis");
}

async fn wjx_and_tencent_results_import(db: Db) {
    let Some((dir, want)) = files() else { return };
    let Some(store) = testkit::fresh(db).await else { return };
    let all = Scope::jurisdiction();
    let org = org(&store).await;
    let today = testkit::as_of();

    // 问卷星 按文本 .xlsx: the questionnaire inferred from the file.
    let r = import_results(&store, &all, org, &[file(&dir, "wjx_text.xlsx")], None, Some("2026年党建工作问卷（问卷星）"), None, today).await.unwrap();
    assert!(r.inferred);
    assert_eq!((r.files[0].platform, r.files[0].coding), ("问卷星", "按文本"));
    check_counts(&store, &r, &want).await;
    let form = survey::campaign::questionnaire(&store, r.questionnaire).await.unwrap();
    let kinds: Vec<String> = form.variables().iter().map(|i| i.kind.xlsform_type()).collect();
    assert!(kinds.contains(&"select_multiple q4 or_other".to_string()) && kinds.contains(&"rank q7".to_string()) && kinds.contains(&"integer".to_string()) && kinds.contains(&"text".to_string()), "{kinds:?}");
    assert_eq!(form.variables().iter().filter(|i| i.name.starts_with("q6_")).count(), 5, "a matrix becomes one question per row");
    // Times and durations as the platform wrote them (Beijing time, kept as UTC).
    let mut first = None;
    store.campaign_responses(&all, r.campaign, |row| -> Result<(), store::StoreError> {
        first.get_or_insert(row);
        Ok(())
    })
    .await
    .unwrap();
    let first = first.unwrap();
    assert_eq!(first.submitted_at, want["first_submitted_utc"].as_str().unwrap());
    assert_eq!(first.duration_s, want["first_duration"].as_f64().unwrap());
    // Rankings: one rank per option.
    let answers: serde_json::Map<String, Json> = serde_json::from_str(&first.answers).unwrap();
    assert!(answers.get("q7").and_then(Json::as_str).is_some_and(|v| v.split(' ').count() == 4), "{answers:?}");

    // The same file again is the same responses: nothing counted twice.
    let again = import_results(&store, &all, org, &[file(&dir, "wjx_text.xlsx")], Some(r.questionnaire), None, None, today).await.unwrap();
    assert_eq!(again.responses, 48, "a new campaign holds its own copy");

    // The CSV download (GBK) and the .xls, as Excel 97 files are still sent around.
    let csv = import_results(&store, &all, org, &[file(&dir, "wjx_text.csv")], None, None, None, today).await.unwrap();
    check_counts(&store, &csv, &want).await;
    if let Some(xls) = testkit::libreoffice_convert(&dir.join("wjx_text.xlsx"), "xls", &dir.join("xls")) {
        let x = import_results(&store, &all, org, &[ResultsFile { path: xls, shown: "wjx_text.xls".into() }], None, None, None, today).await.unwrap();
        check_counts(&store, &x, &want).await;
    }

    // 按文本 and 按序号 together: the options take the platform's order and numbers.
    let pair = import_results(&store, &all, org, &[file(&dir, "wjx_numbers.xlsx"), file(&dir, "wjx_text.xlsx")], None, None, None, today).await.unwrap();
    check_counts(&store, &pair, &want).await;
    let pq = questions(&store, pair.campaign, false).await;
    let roles: Vec<&str> = find(&pq, "身份").options.iter().map(|o| o.label.as_str()).collect();
    assert_eq!(roles, ["党支部书记", "党务工作者", "普通党员", "群众"]);
    let life: Vec<&str> = find(&pq, "组织生活").options.iter().map(|o| o.label.as_str()).take(4).collect();
    assert_eq!(life, ["三会一课", "主题党日", "组织生活会", "民主评议党员"]);

    // 按序号 alone: option numbers, said so.
    let numbers = import_results(&store, &all, org, &[file(&dir, "wjx_numbers.xlsx")], None, None, None, today).await.unwrap();
    assert_eq!(numbers.files[0].coding, "按序号");
    assert_eq!(numbers.responses, 48);
    assert!(numbers.notes.iter().any(|n| n.contains("选项序号")), "{:?}", numbers.notes);
    let nq = questions(&store, numbers.campaign, false).await;
    assert_eq!(count(find(&nq, "第4题"), "三会一课"), want["life"]["三会一课"].as_u64().unwrap(), "0/1 columns headed 第N题(选项)");

    // 腾讯问卷, mapped onto the questionnaire inferred from the 问卷星 file.
    let tx = import_results(&store, &all, org, &[file(&dir, "tencent.xlsx")], Some(r.questionnaire), None, None, today).await.unwrap();
    assert!(!tx.inferred);
    assert_eq!(tx.files[0].platform, "腾讯问卷");
    check_counts(&store, &tx, &want).await;
    // and inferred on its own.
    let txi = import_results(&store, &all, org, &[file(&dir, "tencent.xlsx")], None, None, None, today).await.unwrap();
    check_counts(&store, &txi, &want).await;

    // Refusals name the file, row and column, and write nothing.
    let before = store.campaigns(&all).await.unwrap().len();
    let refused = |e: SurveyError| e.to_string();
    let e = refused(import_results(&store, &all, org, &[file(&dir, "wjx_extra_column.xlsx")], None, None, None, today).await.unwrap_err());
    assert!(e.contains("第") && e.contains("列“备注”") && e.contains("认不出"), "{e}");
    let e = refused(import_results(&store, &all, org, &[file(&dir, "wjx_bad_time.xlsx")], None, None, None, today).await.unwrap_err());
    assert!(e.contains("第8行") && e.contains("提交答卷时间") && e.contains("昨天上午"), "{e}");
    let e = refused(import_results(&store, &all, org, &[file(&dir, "tencent_odd_option.xlsx")], Some(r.questionnaire), None, None, today).await.unwrap_err());
    assert!(e.contains("第5行") && e.contains("1.您的身份") && e.contains("入党积极分子") && e.contains("党支部书记"), "{e}");
    let e = refused(import_results(&store, &all, org, &[file(&dir, "tencent_bad_start.xlsx")], None, None, None, today).await.unwrap_err());
    assert!(e.contains("第4行 第B列“开始答题时间”") && e.contains("开始后"), "{e}");
    let e = refused(import_results(&store, &all, org, &[file(&dir, "wjx_text.xlsx"), file(&dir, "wjx_text.csv")], None, None, None, today).await.unwrap_err());
    assert!(e.contains("都是按文本文件"), "{e}");
    assert_eq!(store.campaigns(&all).await.unwrap().len(), before, "a refused file creates no campaign");
    let _ = std::fs::remove_dir_all(&dir);
}
both!(wjx_and_tencent_results_import);
