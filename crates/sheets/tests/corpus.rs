//! The roster corpus: files written by other hands and other tools (openpyxl, xlwt as WPS
//! and Excel 2003 save, LibreOffice, CSV in four encodings; `tests/corpus/make_corpus.py`),
//! each imported into a clean county and checked against its expected outcome in
//! `tests/corpus/MANIFEST.tsv`: what is stored, or exactly which refusal, with nothing
//! written. The reader is independent of the database, so this runs on SQLite.

use sheets::Kind;
use std::path::{Path, PathBuf};
use store::{Scope, Store};
use testkit::{as_of, fresh, unique, Db};

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests").join("corpus")
}

async fn county_with_branch() -> Store {
    let store = fresh(Db::Sqlite).await.expect("SQLite is always available");
    let dir = std::env::temp_dir().join(unique("corpus"));
    std::fs::create_dir_all(&dir).unwrap();
    let orgs = dir.join("orgs.csv");
    std::fs::write(&orgs, "组织代码,组织名称,组织层级,所属领域,上级党组织,行政区划代码\nTC,中共测试县委员会,地方党委,机关,,330122\nXH-01,中共西湖村支部委员会,党支部,行政村,TC,330122\n").unwrap();
    let r = import(&store, &orgs).await.unwrap();
    assert_eq!(r.counts.inserted, 2, "{:?}", r.errors);
    store
}

async fn import(store: &Store, path: &Path) -> Result<sheets::ImportReport, sheets::SheetError> {
    let kind = if path.file_name().unwrap().to_string_lossy().starts_with("orgs") { Kind::Orgs } else { Kind::Members };
    sheets::import_file(store, &Scope::jurisdiction(), path, kind, (as_of(), &domain::rules::Rules::default_rules()), false, (None, None, None, None), |_| {}).await
}

/// One stored member's field as the manifest names it.
fn field(m: &domain::member::Member, f: &str) -> String {
    use domain::Labelled;
    match f {
        "education" => m.education.code().into(),
        "occupation" => m.occupation.code().into(),
        "ethnicity" => m.ethnicity.clone(),
        "sex" => m.sex.code().into(),
        "status" => m.status.code().into(),
        "joined_on" => m.joined_on.to_string(),
        "joined_precision" => m.joined_precision.code().into(),
        "birth_date" => m.birth_date.to_string(),
        "phone" => m.phone.clone().unwrap_or_default(),
        other => panic!("unknown field {other} in MANIFEST.tsv"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_file_of_the_corpus_has_its_expected_outcome() {
    let manifest = std::fs::read_to_string(corpus().join("MANIFEST.tsv")).unwrap();
    let lines: Vec<&str> = manifest.lines().skip(1).filter(|l| !l.trim().is_empty()).collect();
    assert!(lines.len() >= 30, "the corpus has {} files", lines.len());
    let mut failures = Vec::new();
    for line in lines {
        let cols: Vec<&str> = line.split('\t').collect();
        let (file, tool, layout, expect, checks) = (cols[0], cols[1], cols[2], cols[3], cols.get(4).copied().unwrap_or(""));
        let store = county_with_branch().await;
        let before = store.content_digest().await.unwrap();
        let result = import(&store, &corpus().join(file)).await;
        let mut fail = |why: String| failures.push(format!("{file}（{tool}，{layout}）：{why}"));
        match (expect.split_once(':').expect("expect is kind:detail"), result) {
            (("ok", n), Ok(r)) => {
                if r.error_count() > 0 || r.counts.inserted != n.parse::<u64>().unwrap() {
                    fail(format!("expected {n} inserted, got {} with errors {:?}", r.counts.inserted, r.errors));
                    continue;
                }
                let all = Scope::jurisdiction();
                let branch = store.org_by_code(&all, "XH-01").await.unwrap();
                let (members, _) = store.org_members(&all, branch.id, 0, 50).await.unwrap();
                for check in checks.split(';').filter(|c| !c.is_empty()) {
                    let (lhs, want) = check.split_once('=').unwrap();
                    let got = match lhs.split_once('.') {
                        Some((name, f)) => match members.iter().find(|m| m.name == name) {
                            Some(m) => field(m, f),
                            None => format!("（没有{name}）"),
                        },
                        None => match lhs {
                            "unused" => r.unused_columns.join(","),
                            "hidden_rows" => r.hidden_rows.iter().map(|n| n.to_string()).collect::<Vec<_>>().join(","),
                            "hidden_columns" => r.hidden_columns.join(","),
                            "missing" => r.missing_columns.join(","),
                            "gap" => {
                                let (g, _) = want.split_once(':').unwrap();
                                r.gaps.iter().find(|x| x.0 == g).map(|x| format!("{}:{}", x.0, x.1)).unwrap_or_default()
                            }
                            other => panic!("unknown check {other}"),
                        },
                    };
                    let ok = match lhs {
                        "unused" | "missing" => got.split(',').any(|x| x == want),
                        _ => got == want,
                    };
                    if !ok {
                        fail(format!("{lhs}: expected {want}, got {got}"));
                    }
                }
            }
            (("header", text), Err(e)) => {
                let msg = e.to_string();
                eprintln!("{file}：{msg}");
                if !msg.contains(text) {
                    fail(format!("expected a refusal naming “{text}”, got: {msg}"));
                }
                if store.content_digest().await.unwrap() != before {
                    fail("a refused file changed the data".into());
                }
            }
            (("rows", detail), Ok(r)) => {
                let (n, text) = detail.split_once(':').unwrap();
                for e in &r.errors {
                    eprintln!("{file} 第{}行 {}列 {}：{}｜{}", e.row, e.letter.as_deref().unwrap_or(""), e.column, e.reason, e.fix);
                }
                let n: u64 = n.parse().unwrap();
                if r.committed || store.content_digest().await.unwrap() != before {
                    fail("a file with refused rows wrote data".into());
                }
                if r.error_count() != n || !r.errors.iter().all(|e| e.reason.contains(text)) {
                    fail(format!("expected {n} error(s) with “{text}”, got {:?}", r.errors));
                }
                // An error never quotes an empty value, and IDs are masked in reports.
                for e in &r.errors {
                    if e.reason.contains("“”") || e.value.chars().filter(char::is_ascii_digit).count() >= 15 {
                        fail(format!("error quotes nothing or an unmasked ID: {e:?}"));
                    }
                    if e.letter.is_none() || e.column.is_empty() || e.fix.is_empty() {
                        fail(format!("error without its column or fix: {e:?}"));
                    }
                }
            }
            ((kind, _), Ok(r)) => fail(format!("expected {kind}, imported {} with errors {:?}", r.counts.inserted, r.errors)),
            ((kind, _), Err(e)) => fail(format!("expected {kind}, refused: {e}")),
        }
    }
    assert!(failures.is_empty(), "{} corpus file(s) failed:\n{}", failures.len(), failures.join("\n"));
}

/// Converts `input` with LibreOffice Calc (headless) into `dir` as `format`; `None` when
/// soffice is missing and not required (CI sets DANGJIAN_REQUIRE_LIBREOFFICE=1).
fn calc(input: &Path, format: &str, dir: &Path) -> Option<PathBuf> {
    testkit::libreoffice_convert(input, format, dir)
}

/// LibreOffice Calc, run now: a roster it saves as Excel 97–2003 imports like the original,
/// and the error report dangjian writes opens in Calc with every reason and no full ID.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn libreoffice_calc_saves_rosters_we_read_and_opens_reports_we_write() {
    let dir = std::env::temp_dir().join(unique("calc"));
    std::fs::create_dir_all(&dir).unwrap();
    let src = dir.join("o03_two_row_header.xlsx");
    std::fs::copy(corpus().join("o03_two_row_header.xlsx"), &src).unwrap();
    let Some(xls) = calc(&src, "xls", &dir) else { return };
    let store = county_with_branch().await;
    let r = import(&store, &xls).await.unwrap();
    assert_eq!((r.counts.inserted, r.error_count()), (6, 0), "{:?}", r.errors);

    let store = county_with_branch().await;
    let r = import(&store, &corpus().join("o19_unknown_words.xlsx")).await.unwrap();
    assert_eq!(r.error_count(), 2);
    let report = dir.join("错误报告.xlsx");
    std::fs::write(&report, sheets::error_report::error_report_xlsx(&r).unwrap()).unwrap();
    let csv = calc(&report, "csv:Text - txt - csv (StarCalc):44,34,76", &dir).unwrap();
    let text = std::fs::read_to_string(&csv).unwrap();
    assert!(text.contains("大学肄业") && text.contains("最接近的是“大学本科”") && text.contains("飞行员"), "{text}");
    assert!(!text.chars().collect::<Vec<_>>().windows(15).any(|w| w.iter().all(char::is_ascii_digit)), "an unmasked ID in the report: {text}");
}
