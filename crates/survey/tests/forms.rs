//! XLSForm files written by others (pyxform's public fixtures, copied with their licence
//! into tests/xlsform), the built-in questionnaire, and submissions checked on the server.

use survey::answers::{check, Raw};
use survey::xlsform::{read_bytes, write};
use survey::Kind;

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!("{}/tests/xlsform/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

#[test]
fn pyxform_fixtures_load_or_are_refused_by_name() {
    // Good forms load, in .xlsx and in pyxform's Markdown alike.
    for f in ["group", "specify_other", "text_and_integer", "yes_or_no_question"] {
        let x = read_bytes(&fixture(&format!("{f}.xlsx"))).unwrap_or_else(|e| panic!("{f}.xlsx: {e}")).form;
        let m = read_bytes(&fixture(&format!("{f}.md"))).unwrap_or_else(|e| panic!("{f}.md: {e}")).form;
        assert_eq!(x.items, m.items, "{f}: the .xlsx and the .md mean the same form");
    }
    let g = read_bytes(&fixture("group.xlsx")).unwrap().form;
    assert_eq!(g.languages, vec!["English (en)".to_string()]);
    assert_eq!(g.items[1].kind, Kind::Group);
    assert_eq!(g.items[1].children.len(), 2, "phone number and age sit inside the group");
    let o = read_bytes(&fixture("specify_other.xlsx")).unwrap().form;
    assert_eq!(o.items[0].kind, Kind::SelectOne { list: "sexes".into(), or_other: true });
    let y = read_bytes(&fixture("yes_or_no_question.xlsx")).unwrap().form;
    assert_eq!(y.items[0].kind, Kind::SelectOne { list: "yes_or_no".into(), or_other: false });
    let or = read_bytes(&fixture("or_other.xlsx")).unwrap().form;
    assert!(or.walk().iter().any(|(i, _)| i.kind.or_other()));
    let fl = read_bytes(&fixture("field-list.xlsx")).unwrap().form;
    assert_eq!(fl.items[0].children[0].name, "table_list_question");
    // choice_filter with duplicate choice names allowed by its settings.
    let cf = read_bytes(&fixture("choice_filter_test.xlsx")).unwrap().form;
    assert_eq!(cf.choices("counties").len(), 4);
    assert_eq!(cf.items[1].choice_filter.as_ref().unwrap().source, "${state}=cf");

    // Bad ones: refused, naming what and where.
    let refused = |f: &str| read_bytes(&fixture(f)).err().unwrap_or_else(|| panic!("{f} must be refused")).to_string();
    let e = refused("survey_no_name.xlsx");
    assert!(e.contains("找不到 survey 工作表") && e.contains("Sheet1"), "{e}");
    let e = refused("duplicate_columns.xlsx");
    assert!(e.contains("列 “label” 与 D 列 “label” 重复"), "{e}");
    let e = refused("xlsform_spec_test.xlsx");
    for what in ["geopoint", "barcode", "image", "audio", "video", "public_key", "phonenumber"] {
        assert!(e.contains(what), "the refusal names {what}: {e}");
    }
    assert!(e.contains("第 37 行"), "rows are named as Excel shows them: {e}");
    let e = refused("loop.xlsx");
    assert!(e.contains("begin loop over toilet_type") && e.contains("begin_repeat"), "{e}");
    let e = refused("case_insensitivity.xlsx");
    assert!(e.contains("select_one_external") && e.contains("osm"), "{e}");
    assert!(e.contains("EXTERNAL_CHOICES") && e.contains("ENTITIES"), "{e}");
}

#[test]
fn case_insensitive_sheets_and_headers_still_read() {
    // The case_insensitivity fixture without the features dangjian refuses.
    let md = "| SURVEY |\n| | TYPE | NAME | LABEL::EN | RELEVANCE |\n| | select_one c1 | q1 | Are you good? | |\n| | TEXT | q2 | Why? | ${q1} = 'n2' |\n| CHOICES |\n| | LIST NAME | NAME | LABEL::EN |\n| | c1 | n1 | l1 |\n| | c1 | n2 | l2 |\n| SETTINGS |\n| | FORM_TITLE | FORM_ID | DEFAULT_LANGUAGE |\n| | Yes or no | YesNo | EN |\n";
    let f = read_bytes(md.as_bytes()).unwrap().form;
    assert_eq!(f.form_id, "YesNo");
    assert_eq!(f.language(), "EN");
    assert_eq!(f.items[1].kind, Kind::Text);
    assert_eq!(f.items[1].relevant.as_ref().unwrap().source, "${q1} = 'n2'");
}

#[test]
fn malformed_forms_get_every_error_with_its_place() {
    let md = "| survey |\n| | type | name | label | relevant | constraint | required |\n\
              | | select_one nolist | q1 | A | | | |\n\
              | | integer | q1 | B | ${nope} > 1 | . > | |\n\
              | | begin_group | g | G | | | |\n\
              | | text | 1bad | C | | | maybe |\n\
              | | wibble | q4 | D | | | |\n";
    let e = read_bytes(md.as_bytes()).unwrap_err();
    let s = e.to_string();
    for want in ["选项列表 “nolist”", "与第 2 行重复", "${nope}", "constraint 表达式 “. >”", "没有对应的 end_group", "“1bad” 不合规", "required 应填 yes 或 no", "不认识的题型 “wibble”"] {
        assert!(s.contains(want), "{want} in {s}");
    }
    assert!(e.0.iter().all(|x| x.sheet == "survey" && x.row >= 2), "{s}");
}

#[test]
fn the_builtin_questionnaire_round_trips_through_xlsx() {
    let loaded = survey::xlsform::read(&survey::xlsform::Book::from_markdown(survey::builtin::SOURCE)).unwrap();
    assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
    let f = loaded.form;
    assert_eq!(f.language(), "中文 (zh)");
    assert!(f.walk().len() > 35);
    let again = read_bytes(&write(&f).unwrap()).unwrap().form;
    assert_eq!(again, f);
    assert_eq!(survey::validity::form_attention(&f), vec![("attention_check".to_string(), "4".to_string())]);
    let blocks = survey::validity::likert_blocks(&f);
    assert!(blocks.iter().any(|b| b.len() >= 8), "{blocks:?}");
}

fn raw(pairs: &[(&str, &str)]) -> Raw {
    Raw(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect())
}

#[test]
fn submissions_are_checked_on_the_server() {
    let f = survey::builtin::questionnaire();
    let mut good: Vec<(&str, &str)> = vec![
        ("role", "member"), ("sex", "female"), ("age_band", "a2"), ("education", "e4"), ("party_years", "12"),
        ("has_fulltime_staff", "no"), ("funding_sources", "budget"), ("funding_sources", "dues_return"),
        ("lessons_frequency", "quarterly"), ("meeting_forms", "discussion"), ("life_count", "14"),
        ("attention_check", "4"), ("has_mobile", "no"), ("top_problems", "funding"), ("suggestion", "希望多开展实践活动"),
    ];
    for q in ["lead_attention", "lead_accountability", "integration", "committee_strength", "successor", "venue", "funding_enough", "staff_capacity", "meetings_quality", "themed_day", "education_effect", "transfer_timely", "archives_tidy", "development_quality", "carriers", "online_use", "new_fields", "methods_new"] {
        good.push((q, "4"));
    }
    let c = check(&f, &raw(&good), false, "2026-11-27");
    assert!(c.errors.is_empty(), "{:?}", c.errors);
    assert_eq!(c.answers["funding_sources"], "budget dues_return");
    assert!(!c.answers.contains_key("mobile_participation"));

    // The relevant question becomes required once it applies.
    let mut v = good.clone();
    v.retain(|(k, _)| *k != "has_mobile");
    v.push(("has_mobile", "yes"));
    let c = check(&f, &raw(&v), false, "2026-11-27");
    assert_eq!(c.errors.get("mobile_participation").map(String::as_str), Some("此题必答"));
    // An answer to a question that does not apply is cleared, as ODK does.
    let mut v = good.clone();
    v.push(("mobile_participation", "never"));
    assert!(!check(&f, &raw(&v), false, "2026-11-27").answers.contains_key("mobile_participation"));

    // Constraint with its message; answers outside the choices; oversized text; forged keys.
    let bad = |k: &'static str, val: String| {
        let mut v: Vec<(String, String)> = good.iter().filter(|(x, _)| *x != k).map(|(a, b)| (a.to_string(), b.to_string())).collect();
        v.push((k.to_string(), val));
        check(&f, &Raw(v), false, "2026-11-27").errors
    };
    assert_eq!(bad("party_years", "95".into())["party_years"], "党龄应在 0 到 80 年之间");
    assert!(bad("party_years", "十二".into())["party_years"].contains("请填写整数"));
    assert!(bad("sex", "other".into())["sex"].contains("不是本题的选项"));
    assert!(bad("suggestion", "很".repeat(600)).contains_key("suggestion"));
    assert!(bad("suggestion", "很".repeat(6000))["suggestion"].contains("内容过长"));
    assert!(bad("salary", "1".into())["salary"].contains("没有"));
    assert_eq!(bad("top_problems", "a".into()).len(), 1);
    let mut three = good.clone();
    three.retain(|(k, _)| *k != "top_problems");
    for p in ["funding", "staff", "methods", "attention"] {
        three.push(("top_problems", p));
    }
    assert_eq!(check(&f, &raw(&three), false, "2026-11-27").errors["top_problems"], "最多选择3项");

    // Rank: a full permutation or nothing.
    let mut r = good.clone();
    r.push(("problem_rank.rank.funding", "1"));
    assert!(check(&f, &raw(&r), false, "2026-11-27").errors["problem_rank"].contains("请给全部 8 个选项排序"));

    // Paper: missing required answers are recorded, not refused.
    let c = check(&f, &raw(&good[..4]), true, "2026-11-27");
    assert!(c.errors.is_empty(), "{:?}", c.errors);
    assert!(c.missing.len() > 10);
}

#[test]
fn choice_filters_and_repeats() {
    let cf = read_bytes(&fixture("choice_filter_test.xlsx")).unwrap().form;
    let ok = check(&cf, &raw(&[("state", "texas"), ("county", "cameron"), ("city", "harlingen")]), false, "2026-01-01");
    assert!(ok.errors.is_empty(), "{:?}", ok.errors);
    let bad = check(&cf, &raw(&[("state", "texas"), ("county", "pierce")]), false, "2026-01-01");
    assert!(bad.errors["county"].contains("不是本题的选项"));

    let md = "| survey |\n| | type | name | label | repeat_count | constraint |\n| | integer | n | How many | | . <= 5 |\n| | begin_repeat | kid | Child | ${n} | |\n| | text | kname | Name | | |\n| | integer | kage | Age | | . < 18 |\n| | end_repeat | | | | |\n";
    let f = read_bytes(md.as_bytes()).unwrap().form;
    let c = check(&f, &raw(&[("n", "2"), ("kid.0.kname", "小明"), ("kid.0.kage", "7"), ("kid.1.kname", "小红"), ("kid.1.kage", "30")]), false, "2026-01-01");
    assert!(c.errors.contains_key("kid.1.kage"), "{:?}", c.errors);
    let c = check(&f, &raw(&[("n", "2"), ("kid.0.kname", "小明"), ("kid.0.kage", "7"), ("kid.1.kname", "小红")]), false, "2026-01-01");
    assert!(c.errors.is_empty());
    assert_eq!(c.answers["kid"].as_array().unwrap().len(), 2);
    assert_eq!(c.answers["kid"][0]["kname"], "小明");
}

/// pyxform (the reference XLSForm converter) accepts what dangjian writes: the built-in
/// questionnaire and the fixtures written back.
#[test]
fn pyxform_converts_the_forms_dangjian_writes() {
    let Some(py) = testkit::python(&["pyxform"]) else { return };
    let dir = std::env::temp_dir().join(testkit::unique("pyxform"));
    std::fs::create_dir_all(&dir).unwrap();
    let mut forms = vec![("builtin".to_string(), survey::builtin::questionnaire())];
    for f in ["group", "specify_other", "choice_filter_test", "or_other", "field-list"] {
        forms.push((f.to_string(), read_bytes(&fixture(&format!("{f}.xlsx"))).unwrap().form));
    }
    for (name, f) in forms {
        let x = dir.join(format!("{name}.xlsx"));
        std::fs::write(&x, write(&f).unwrap()).unwrap();
        let o = std::process::Command::new(&py).args(["-m", "pyxform.xls2xform", x.to_str().unwrap(), dir.join(format!("{name}.xml")).to_str().unwrap()]).output().unwrap();
        assert!(o.status.success(), "{name}: {}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
        let xml = std::fs::read_to_string(dir.join(format!("{name}.xml"))).unwrap();
        for it in f.variables() {
            assert!(xml.contains(&format!("/{}", it.name)), "{name}: {} in the XForm", it.name);
        }
    }
}

/// Forms that could only hurt: nesting past 10 levels, a choice_filter naming a column
/// the choices do not have. Both are refused with the row and the reason.
#[test]
fn deep_nesting_and_unknown_filter_columns_are_refused() {
    let mut md = String::from("| survey |\n| | type | name | label |\n");
    for i in 0..12 {
        md.push_str(&format!("| | begin_group | g{i} | G{i} |\n"));
    }
    md.push_str("| | text | t | T |\n");
    for _ in 0..12 {
        md.push_str("| | end_group | | |\n");
    }
    let s = read_bytes(md.as_bytes()).unwrap_err().to_string();
    assert!(s.contains("最多嵌套 10 层") && s.contains("g10"), "{s}");
    let ten: String = (0..10).map(|i| format!("| | begin_group | h{i} | H |\n")).collect::<String>() + "| | text | t | T |\n" + &"| | end_group | | |\n".repeat(10);
    assert!(read_bytes(format!("| survey |\n| | type | name | label |\n{ten}").as_bytes()).is_ok(), "ten levels are fine");
    let md = "| survey |\n| | type | name | label | choice_filter |\n| | select_one s | state | State | |\n| | select_one c | county | County | provnce=${state} |\n\
              | choices |\n| | list_name | name | label | state |\n| | s | tx | Texas | |\n| | c | harris | Harris | tx |\n";
    let s = read_bytes(md.as_bytes()).unwrap_err().to_string();
    assert!(s.contains("choice_filter 中的 “provnce” 不是选项列表 c 的列"), "{s}");
    let fixed = md.replace("provnce", "state");
    assert!(read_bytes(fixed.as_bytes()).is_ok());
}

/// A workbook whose shared strings unpack to far more than they pack (here 24 MB of
/// repeated text, as a "zip bomb" would) is refused before calamine unpacks it, with the
/// roster reader's check and a Chinese reason; an .xls whose structure is broken too.
#[test]
fn an_upload_that_unpacks_to_far_more_is_refused_before_reading() {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet().set_name("survey").unwrap();
    sheet.write(0, 0, "type").unwrap();
    for r in 1..=760u32 {
        sheet.write(r, 0, format!("{r}{}", "党".repeat(10_900))).unwrap();
    }
    let bytes = book.save_to_buffer().unwrap();
    assert!(bytes.len() < 2_000_000, "{}", bytes.len());
    let e = survey::xlsform::read_bytes(&bytes).unwrap_err().to_string();
    assert!(e.contains("压缩炸弹") && e.contains("sharedStrings"), "{e}");

    let mut xls = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    xls.resize(600, 0xFF);
    let e = survey::xlsform::read_bytes(&xls).unwrap_err().to_string();
    assert!(e.contains("Excel 97-2003") && !e.contains("rror"), "{e}");
}
