//! Spreadsheets in and out, against SQLite always and PostgreSQL when
//! `DANGJIAN_TEST_PG_URL` is set: round trips, files written by openpyxl and LibreOffice,
//! the bad-input corpus (nothing written), error reports, templates and the annual tables.

use calamine::{Data, Reader};
use domain::Date;
use sheets::Kind;
use std::path::{Path, PathBuf};
use store::{Scope, Store};

use testkit::{as_of, both, fresh, unique, Db};

fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(unique("sheets"));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

async fn generated(db: Db) -> Option<Store> {
    testkit::generated(db, 5).await
}

async fn import(store: &Store, path: &Path, kind: Kind, dry_run: bool) -> Result<sheets::ImportReport, sheets::SheetError> {
    sheets::import_file(store, &Scope::jurisdiction(), path, kind, (as_of(), &domain::rules::Rules::default_rules()), dry_run, (None, None, None, None), |_| {}).await
}

/// Every cell of the first sheet, as text.
fn cells(path: &Path) -> Vec<Vec<String>> {
    let mut wb = calamine::open_workbook_auto(path).unwrap();
    let name = wb.sheet_names()[0].clone();
    let range = wb.worksheet_range(&name).unwrap();
    range.rows().map(|r| r.iter().map(|c| if *c == Data::Empty { String::new() } else { c.to_string() }).collect()).collect()
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests").join(name)
}

fn root_code() -> &'static str {
    "330122-00000"
}

// ---- round trip ---------------------------------------------------------------------------

/// Exports that must re-import carry the full numbers, for a stated purpose.
fn full() -> sheets::export::Disclosure {
    sheets::export::Disclosure::Full { purpose: "测试导出后再导入".into() }
}

async fn round_trip_is_exact(db: Db) {
    let Some(a) = generated(db).await else { return };
    let b = fresh(db).await.unwrap();
    let all = Scope::jurisdiction();
    let root_a = a.org_by_code(&all, root_code()).await.unwrap().id;
    // What someone typed that a spreadsheet would run as a formula travels as text.
    let first_member: i64 = raw_scalar(&a, "SELECT MIN(id) FROM members WHERE left_on IS NULL").await;
    raw_exec(&a, &format!("UPDATE members SET name = '=1+2', archive_location = '@SUM(A1)' WHERE id = {first_member}")).await;
    for kind in [Kind::Orgs, Kind::Members, Kind::Committee, Kind::Dues, Kind::Training] {
        let first = temp(&format!("{}.xlsx", kind.code()));
        let n = sheets::export::export_file(&a, &all, kind, root_a, None, &first, None, &full()).await.unwrap();
        assert!(n > 0, "{kind:?} exported nothing");
        let r = import(&b, &first, kind, false).await.unwrap();
        assert_eq!(r.error_count(), 0, "{kind:?}: {:?}", &r.errors[..r.errors.len().min(3)]);
        assert_eq!(r.counts.inserted, n, "{kind:?}");
        let root_b = b.org_by_code(&all, root_code()).await.unwrap().id;
        let second = temp(&format!("{}-again.xlsx", kind.code()));
        sheets::export::export_file(&b, &all, kind, root_b, None, &second, None, &full()).await.unwrap();
        assert_eq!(cells(&first), cells(&second), "{kind:?} round trip differs");
        // Importing the same file again changes nothing.
        let before = b.content_digest().await.unwrap();
        let again = import(&b, &first, kind, false).await.unwrap();
        assert_eq!((again.counts.inserted, again.counts.updated, again.counts.unchanged), (0, 0, n), "{kind:?}");
        assert_eq!(before, b.content_digest().await.unwrap(), "{kind:?} re-import changed data");
    }
    // CSV with BOM round-trips too.
    let csv = temp("members.csv");
    sheets::export::export_file(&a, &all, Kind::Members, root_a, None, &csv, None, &full()).await.unwrap();
    assert!(std::fs::read(&csv).unwrap().starts_with(b"\xEF\xBB\xBF"));
    let text = std::fs::read_to_string(&csv).unwrap();
    let line = text.lines().find(|l| l.contains("=1+2")).unwrap_or_else(|| panic!("the member is exported: {}", &text[..300]));
    assert!(line.split(',').any(|c| c == "'=1+2") && line.split(',').any(|c| c == "'@SUM(A1)") && !line.split(',').any(|c| c == "=1+2"), "formulas neutralised in CSV: {line}");
    let xlsx = temp("members-formula.xlsx");
    sheets::export::export_file(&a, &all, Kind::Members, root_a, None, &xlsx, None, &full()).await.unwrap();
    let mut z = zip::ZipArchive::new(std::fs::File::open(&xlsx).unwrap()).unwrap();
    let mut styles = String::new();
    std::io::Read::read_to_string(&mut z.by_name("xl/styles.xml").unwrap(), &mut styles).unwrap();
    assert!(styles.contains("quotePrefix=\"1\""), "formula-like cells marked as text in XLSX");
    let r = import(&b, &csv, Kind::Members, true).await.unwrap();
    assert_eq!((r.counts.inserted, r.counts.updated), (0, 0));
}
both!(round_trip_is_exact);

// ---- files written by others ---------------------------------------------------------------

/// A county with the branch the fixtures name, created through an organisations CSV.
async fn county_with_branch(db: Db) -> Option<Store> {
    let store = fresh(db).await?;
    let orgs = temp("orgs.csv");
    // Child before parent: the importer orders them.
    std::fs::write(&orgs, "组织代码,组织名称,组织层级,所属领域,上级党组织,行政区划代码\nXH-01,中共西湖村支部委员会,党支部,行政村,中共测试县委员会,330122\nTC,中共测试县委员会,地方党委,机关,,330122\n").unwrap();
    let r = import(&store, &orgs, Kind::Orgs, false).await.unwrap();
    assert_eq!(r.counts.inserted, 2, "{:?}", r.errors);
    Some(store)
}

async fn files_written_by_others(db: Db) {
    let Some(store) = county_with_branch(db).await else { return };
    // A preview writes nothing.
    let before = store.content_digest().await.unwrap();
    let p = import(&store, &fixture("files/openpyxl_roster.xlsx"), Kind::Members, true).await.unwrap();
    assert_eq!((p.counts.inserted, p.header_row, p.committed), (5, 3, false));
    assert_eq!(before, store.content_digest().await.unwrap());
    let r = import(&store, &fixture("files/openpyxl_roster.xlsx"), Kind::Members, false).await.unwrap();
    assert_eq!((r.counts.inserted, r.committed), (5, true));
    // The same people written by LibreOffice (.xlsx, .xls) and as GBK CSV read identically.
    for f in ["files/libreoffice_roster.xlsx", "files/libreoffice_roster.xls", "files/roster_gbk.csv"] {
        let r = import(&store, &fixture(f), Kind::Members, false).await.unwrap();
        assert_eq!((r.counts.inserted, r.counts.updated, r.counts.unchanged), (0, 0, 5), "{f}: {:?}", r.errors);
    }
    let all = Scope::jurisdiction();
    let branch = store.org_by_code(&all, "XH-01").await.unwrap();
    let (members, _) = store.org_members(&all, branch.id, 0, 50).await.unwrap();
    let find = |n: &str| members.iter().find(|m| m.name == n).unwrap().clone();
    let d = |s: &str| Date::parse_from_str(s, "%Y-%m-%d").unwrap();
    // 出生年月 "1975.11" took its day from the ID; "2001/6/28", "2012.12.20", "2025年10月8日" and a serial.
    assert_eq!(find("李秀英").birth_date, d("1975-11-02"));
    assert_eq!(find("李秀英").joined_on, d("2001-06-28"));
    assert_eq!(find("马文").joined_on, d("2012-12-20"));
    assert_eq!(find("马文").ethnicity, "回族");
    assert_eq!(find("张丽").joined_on, d("2025-10-08"));
    assert_eq!(find("张丽").status, domain::member::MemberStatus::Probationary);
    assert_eq!(find("陈国强").joined_on, d("1976-05-04"));
    assert_eq!(find("王建国").phone.as_deref(), Some("13800138001"));
    // A roster without some columns leaves what they would hold alone: no phone, no
    // 转正时间 or 党员类别 column means the stored phone and status stay.
    let id = find("王建国").citizen_id.reveal().to_string();
    let partial = temp("partial.csv");
    std::fs::write(&partial, format!("姓名,公民身份号码,民族,学历,职业,入党时间,所在党支部\n王建国,{id},汉族,高中、中技,农牧渔民,1990-07-01,中共西湖村支部委员会\n")).unwrap();
    let r = import(&store, &partial, Kind::Members, false).await.unwrap();
    assert_eq!((r.counts.updated, r.counts.unchanged), (0, 1), "{:?}", r.errors);
    std::fs::write(&partial, format!("姓名,公民身份号码,民族,学历,职业,入党时间,所在党支部,手机号\n王建国,{id},汉族,高中、中技,农牧渔民,1990-07-01,中共西湖村支部委员会,13900000000\n")).unwrap();
    let preview = import(&store, &partial, Kind::Members, true).await.unwrap();
    assert_eq!(preview.changes.len(), 1);
    // The preview shows the change with both numbers masked (脱敏).
    assert_eq!((preview.changes[0].column.as_str(), preview.changes[0].old.as_str(), preview.changes[0].new.as_str()), ("联系电话", "138****8001", "139****0000"));
    let r = import(&store, &partial, Kind::Members, false).await.unwrap();
    assert_eq!(r.counts.updated, 1);
    let (members, _) = store.org_members(&all, branch.id, 0, 50).await.unwrap();
    let w = members.iter().find(|m| m.name == "王建国").unwrap();
    assert_eq!((w.phone.as_deref(), w.status, w.full_on), (Some("13900000000"), domain::member::MemberStatus::Full, Some(d("1991-07-01"))));
    // A roster cannot move a member to another branch: that is 组织关系转接.
    let other = temp("orgs2.csv");
    std::fs::write(&other, "组织代码,组织名称,组织层级,所属领域,上级党组织,行政区划代码\nDH-01,中共东湖村支部委员会,党支部,行政村,TC,330122\n").unwrap();
    import(&store, &other, Kind::Orgs, false).await.unwrap();
    std::fs::write(&partial, format!("姓名,公民身份号码,民族,学历,职业,入党时间,所在党支部\n王建国,{id},汉族,高中、中技,农牧渔民,1990-07-01,DH-01\n")).unwrap();
    let before = store.content_digest().await.unwrap();
    let r = import(&store, &partial, Kind::Members, false).await.unwrap();
    assert!(r.errors[0].reason.contains("组织关系转接") && r.errors[0].column == "所在党支部", "{:?}", r.errors);
    assert_eq!(before, store.content_digest().await.unwrap());
}
both!(files_written_by_others);

// ---- bad input --------------------------------------------------------------------------------

/// A file that is refused as a whole (not a spreadsheet, no header …).
async fn refused_file(store: &Store, path: &Path, expect: &str) {
    match import(store, path, Kind::Members, false).await {
        Err(e) => assert!(e.to_string().contains(expect), "{}: {e}", path.display()),
        Ok(r) => panic!("{}: expected the file to be refused, got {:?}", path.display(), r.errors),
    }
}

/// A file whose rows are refused: the report names row, column, value and reason.
async fn refused_rows(store: &Store, path: &Path, row: u32, letter: &str, expect: &str) -> sheets::ImportReport {
    let r = import(store, path, Kind::Members, false).await.unwrap();
    assert!(!r.committed);
    let e = r.errors.iter().find(|e| e.reason.contains(expect)).unwrap_or_else(|| panic!("{}: no error “{expect}” in {:?}", path.display(), r.errors));
    assert_eq!((e.row, e.letter.as_deref()), (row, Some(letter)), "{}", path.display());
    assert!(!e.fix.is_empty());
    r
}

async fn bad_input_changes_nothing(db: Db) {
    let Some(store) = county_with_branch(db).await else { return };
    let before = store.content_digest().await.unwrap();
    let bad = |f: &str| fixture(&format!("bad/{f}"));
    refused_rows(&store, &bad("wrong_check_character.xlsx"), 3, "F", "校验位不正确").await;
    let r = refused_rows(&store, &bad("impossible_date.xlsx"), 4, "I", "只有28天").await;
    assert_eq!(r.errors[0].value, "2023年2月30日");
    refused_rows(&store, &bad("unknown_branch.xlsx"), 5, "K", "找不到党组织").await;
    refused_rows(&store, &bad("duplicate_id.xlsx"), 7, "F", "与第3行的身份证号重复").await;
    refused_rows(&store, &bad("id_as_number.xlsx"), 2, "F", "超过15位").await;
    refused_file(&store, &bad("missing_column.xlsx"), "缺少必填列：身份证号").await;
    refused_file(&store, &bad("empty.xlsx"), "文件是空的").await;
    refused_file(&store, &bad("header_only.xlsx"), "没有数据行").await;
    refused_file(&store, &bad("word_renamed.xlsx"), "这是一个Word文档").await;
    // 50 MB that is not a spreadsheet, whatever its name says.
    let big = temp("big.xlsx");
    let mut x: u64 = 0x9E3779B97F4A7C15;
    let bytes: Vec<u8> = (0..50 * 1024 * 1024)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect();
    std::fs::write(&big, bytes).unwrap();
    refused_file(&store, &big, "无法识别的文件格式").await;
    // 50 MB of text on one line is not a roster either.
    let line = temp("line.csv");
    std::fs::write(&line, "姓名,身份证号\n".to_string() + &"党".repeat(17 * 1024 * 1024)).unwrap();
    refused_file(&store, &line, "超过32767个字符").await;
    // One 100 MB cell packed into a small .xlsx (a "zip bomb"): refused from the zip's
    // directory, before anything is unpacked.
    let bomb = temp("bomb.xlsx");
    {
        use std::io::Write;
        let mut z = zip::ZipWriter::new(std::fs::File::create(&bomb).unwrap());
        let o = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        z.start_file("[Content_Types].xml", o).unwrap();
        z.write_all(br#"<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>"#).unwrap();
        z.start_file("xl/workbook.xml", o).unwrap();
        z.write_all(br#"<workbook><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"#).unwrap();
        z.start_file("xl/sharedStrings.xml", o).unwrap();
        z.write_all(b"<sst><si><t>").unwrap();
        let chunk = vec![b'a'; 1024 * 1024];
        for _ in 0..100 {
            z.write_all(&chunk).unwrap();
        }
        z.write_all(b"</t></si></sst>").unwrap();
        z.finish().unwrap();
    }
    assert!(std::fs::metadata(&bomb).unwrap().len() < 1024 * 1024);
    let started = std::time::Instant::now();
    refused_file(&store, &bomb, "压缩炸弹").await;
    assert!(started.elapsed().as_secs() < 5, "refused without unpacking");
    assert_eq!(before, store.content_digest().await.unwrap(), "a refused import wrote something");
}
both!(bad_input_changes_nothing);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn error_report_highlights_bad_cells() {
    let store = county_with_branch(Db::Sqlite).await.unwrap();
    let r = import(&store, &fixture("bad/impossible_date.xlsx"), Kind::Members, false).await.unwrap();
    let bytes = sheets::error_report::error_report_xlsx(&r).unwrap();
    let path = temp("report.xlsx");
    std::fs::write(&path, &bytes).unwrap();
    let mut wb = calamine::open_workbook_auto(&path).unwrap();
    assert_eq!(wb.sheet_names(), vec!["错误清单".to_string(), "出错的行（红色为错误）".to_string()]);
    let list = wb.worksheet_range("错误清单").unwrap();
    let row: Vec<String> = list.rows().nth(2).unwrap().iter().map(|c| c.to_string()).collect();
    assert_eq!(row[0], "4");
    assert_eq!(row[1], "I");
    assert_eq!(row[3], "2023年2月30日");
    assert!(row[4].contains("只有28天"));
    // The bad cell carries its reason as a note and a fill of its own.
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut comments = String::new();
    std::io::Read::read_to_string(&mut zip.by_name("xl/comments1.xml").unwrap(), &mut comments).unwrap();
    assert!(comments.contains("只有28天"));
    let mut styles = String::new();
    std::io::Read::read_to_string(&mut zip.by_name("xl/styles.xml").unwrap(), &mut styles).unwrap();
    assert!(styles.contains("FFFFC7CE"), "no highlight fill");
    // The refused rows keep Excel's row numbers, each cell under its own header, and
    // citizen IDs masked like everywhere else.
    let rows = wb.worksheet_range("出错的行（红色为错误）").unwrap();
    let cells: Vec<Vec<String>> = rows.rows().map(|r| r.iter().map(|c| c.to_string()).collect()).collect();
    let id_col = cells[0].iter().position(|h| h.contains("身份")).expect("an ID column");
    assert_eq!(cells[1][0], "4");
    let id = &cells[1][id_col];
    assert!(id.contains("**********") && id.len() == 18, "{id}");
    for line in &cells {
        for c in line {
            assert!(c.chars().filter(char::is_ascii_digit).count() < 15, "unmasked ID in the report: {c}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn error_report_of_a_two_row_header_keeps_cells_under_their_headers() {
    let store = county_with_branch(Db::Sqlite).await.unwrap();
    // The two-row header of the corpus with one 入党时间 made impossible.
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/c32_utf8.csv");
    let text = std::fs::read_to_string(&src).unwrap().replacen("1990-07-01", "1990-02-30", 1);
    let path = temp("two_row.csv");
    std::fs::write(&path, format!("基本情况,,,,,,,,入党情况,,,\n{text}")).unwrap();
    let r = import(&store, &path, Kind::Members, false).await.unwrap();
    assert_eq!(r.error_count(), 1, "{:?}", r.errors);
    assert_eq!((r.errors[0].row, r.errors[0].letter.as_deref()), (3, Some("I")), "{:?} header row {}", r.errors, r.header_row);
    let bytes = sheets::error_report::error_report_xlsx(&r).unwrap();
    let out = temp("two_row_report.xlsx");
    std::fs::write(&out, &bytes).unwrap();
    let mut wb = calamine::open_workbook_auto(&out).unwrap();
    let rows = wb.worksheet_range("出错的行（红色为错误）").unwrap();
    let cells: Vec<Vec<String>> = rows.rows().map(|r| r.iter().map(|c| c.to_string()).collect()).collect();
    let at = cells[0].iter().position(|h| h == "入党时间").unwrap();
    assert_eq!(cells[1][at], "1990-02-30");
    let name = cells[0].iter().position(|h| h == "姓名").unwrap();
    assert_eq!(cells[1][name], "王建国");
}

#[test]
fn templates_have_dropdowns_and_instructions() {
    for kind in Kind::ALL {
        let bytes = sheets::template::template_xlsx(kind).unwrap();
        let path = temp(&format!("{}.xlsx", kind.code()));
        std::fs::write(&path, &bytes).unwrap();
        let wb = calamine::open_workbook_auto(&path).unwrap();
        assert_eq!(wb.sheet_names()[0], kind.label());
        assert!(wb.sheet_names().contains(&"填写说明".to_string()));
        let head = cells(&path)[0].clone();
        for c in kind.columns() {
            assert!(head.iter().any(|h| h.trim_start_matches('*') == c.label), "{kind:?} template lacks {}", c.label);
        }
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let mut sheet = String::new();
        std::io::Read::read_to_string(&mut zip.by_name("xl/worksheets/sheet1.xml").unwrap(), &mut sheet).unwrap();
        let enums = kind.columns().iter().filter(|c| !(c.choices)().is_empty()).count();
        assert_eq!(sheet.matches("<dataValidation ").count(), enums, "{kind:?}");
    }
    // The members template offers every education label in its drop-down list.
    let path = temp("m.xlsx");
    std::fs::write(&path, sheets::template::template_xlsx(Kind::Members).unwrap()).unwrap();
    let mut wb = calamine::open_workbook_auto(&path).unwrap();
    let lists = wb.worksheet_range("_选项").unwrap();
    let all: Vec<String> = lists.cells().map(|(_, _, c)| c.to_string()).collect();
    for e in ["研究生", "大学本科", "初中及以下", "回族", "预备党员"] {
        assert!(all.iter().any(|x| x == e), "{e}");
    }
}

// ---- annual statistics ------------------------------------------------------------------------

async fn annual_tables_agree(db: Db) {
    let Some(store) = generated(db).await else { return };
    let all = Scope::jurisdiction();
    let root = store.org_by_code(&all, root_code()).await.unwrap().id;
    let rules = domain::rules::Rules::default_rules();
    for year in [2025, 2026] {
        let r = sheets::annual::annual_tables(&store, &all, root, year, &rules).await.unwrap();
        let t = |n: &str| r.table(n).unwrap_or_else(|| panic!("{n}"));
        let total = t("第二表").cell("总计", "合计").unwrap();
        assert!(total > 1000.0);
        let end = t("第一表").row(&format!("{year}年底党员总数")).unwrap()[0];
        assert_eq!(end, total);
        for n in ["第三表", "第四表"] {
            assert_eq!(t(n).cell("总计", "合计"), Some(total), "{n}");
            let parts: f64 = t(n).rows.iter().skip(1).map(|(_, v)| v[0]).sum();
            assert_eq!(parts, total, "{n} rows do not add up");
        }
        for prefix in ["年龄：", "职业："] {
            let parts: f64 = t("第二表").rows.iter().filter(|(l, _)| l.starts_with(prefix)).map(|(_, v)| v[0]).sum();
            assert_eq!(parts, total, "第二表 {prefix}");
        }
        // Women, minorities and probationary members agree across tables too.
        for col in ["女", "少数民族", "预备党员", "35岁及以下"] {
            let parts: f64 = t("第四表").rows.iter().skip(1).map(|(_, v)| v[t("第四表").columns.iter().position(|c| c == col).unwrap()]).sum();
            assert_eq!(Some(parts), t("第二表").cell("总计", col), "{col}");
        }
        assert_eq!(t("第十三表").row("年底预备党员").unwrap()[0], t("第二表").cell("总计", "预备党员").unwrap());
        // Balance: last year's total + increases − decreases = this year's total.
        let first = t("第一表");
        let v = |l: &str| first.rows.iter().find(|(x, _)| x.starts_with(l)).unwrap().1[0];
        assert_eq!(v(&format!("{}年底", year - 1)) + v("本年增加：发展") + v("本年增加：组织关系转入") - v("本年减少合计"), end, "第一表 balance");
        assert_eq!(t("第十四表").cell("发展党员总数", "合计"), Some(v("本年增加：发展")));
        let fifteen: f64 = t("第十五表").rows.iter().skip(1).map(|(_, v)| v[0]).sum();
        assert_eq!(fifteen, v("本年增加：发展"));
        let eight = t("第八表");
        let graded: f64 = eight.rows.iter().filter(|(l, _)| l.starts_with("评议等次")).map(|(_, v)| v[0]).sum();
        assert_eq!(eight.row("参加评议的党员").unwrap()[0], graded);
        let nine = t("第九表");
        assert_eq!(nine.row("本年参加培训的党员").unwrap()[0] + nine.row("未参加培训").unwrap()[0], total);
        if year == 2026 {
            // Independently: the store's count of members on the roll today (no one has a
            // future leaving date, so the year-end roll is today's roll).
            assert_eq!(total, store.subtree_member_count(&all, root).await.unwrap() as f64);
            assert!(graded == 0.0 || graded <= total);
        }
        let bytes = sheets::annual::annual_xlsx(&r).unwrap();
        let path = temp("annual.xlsx");
        std::fs::write(&path, bytes).unwrap();
        let wb = calamine::open_workbook_auto(&path).unwrap();
        assert_eq!(wb.sheet_names().len(), r.tables.len());
        assert_eq!(wb.sheet_names()[0], "第一表");
    }
}
both!(annual_tables_agree);

/// Rows are numbered as Excel and text editors number lines, whatever the line endings:
/// CRLF (as Excel saves CSV), blank lines, a cell holding a line break, no final newline.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn csv_rows_keep_their_line_numbers() {
    let store = county_with_branch(Db::Sqlite).await.unwrap();
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/c32_utf8.csv");
    let lines: Vec<String> = std::fs::read_to_string(&src).unwrap().lines().map(String::from).collect();
    // Line 1 header, 2 王建国, 3 blank, 4 李秀英 whose 学历 cell holds a line break (unknown), 5 (its second line),
    // 6 blank, 7 马文 with an impossible 入党时间, last line 张丽 without a final newline.
    let with_note = lines[2].replacen("大专", "\"大专\r\n（函授）\"", 1);
    let bad = lines[3].replacen("2012-12-20", "2012-02-30", 1);
    let text = format!("{}\r\n{}\r\n\r\n{with_note}\r\n\r\n{bad}\r\n{}", lines[0], lines[1], lines[4]);
    let path = temp("crlf.csv");
    std::fs::write(&path, text).unwrap();
    let r = import(&store, &path, Kind::Members, true).await.unwrap();
    let rows: Vec<u32> = r.errors.iter().map(|e| e.row).collect();
    assert_eq!(rows, vec![4, 7], "{:?}", r.errors);
    assert!(r.errors[0].reason.contains("学历"), "{:?}", r.errors[0]);
    // The last line, without a newline, is line 8.
    let short = format!("{}\n{}\n{}", lines[0], lines[1], lines[3].replacen("2012-12-20", "2012-02-30", 1));
    std::fs::write(&path, short).unwrap();
    let r = import(&store, &path, Kind::Members, true).await.unwrap();
    assert_eq!(r.errors.iter().map(|e| e.row).collect::<Vec<_>>(), vec![3], "{:?}", r.errors);
}

async fn raw_scalar(store: &Store, sql: &str) -> i64 {
    let url = store.url().to_string();
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&url).await.unwrap();
    let v: i64 = sqlx::Row::try_get(&sqlx::query(sql).fetch_one(&pool).await.unwrap(), 0).unwrap();
    pool.close().await;
    v
}

async fn raw_exec(store: &Store, sql: &str) {
    let url = store.url().to_string();
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&url).await.unwrap();
    sqlx::query(sql).execute(&pool).await.unwrap();
    pool.close().await;
}

/// An upload larger than the web's row limit is stopped while it is read: refused with the
/// reason and the way out, nothing written.
async fn an_upload_over_the_row_limit_stops_early(db: Db) {
    let Some(store) = county_with_branch(db).await else { return };
    let before = store.content_digest().await.unwrap();
    let r = sheets::import_file(&store, &Scope::jurisdiction(), &fixture("files/openpyxl_roster.xlsx"), Kind::Members, (as_of(), &domain::rules::Rules::default_rules()), false, (None, None, None, Some(3)), |_| {}).await;
    let e = r.err().expect("refused").to_string();
    assert!(e.contains("最多3行") && e.contains("dangjian import"), "{e}");
    assert_eq!(before, store.content_digest().await.unwrap(), "nothing written");
}
both!(an_upload_over_the_row_limit_stops_early);
