//! The report over generated jurisdictions, on SQLite and PostgreSQL: figures recomputed
//! from the raw tables, no invented problems where everything complies, the collapsed
//! 三会一课 first where it collapsed, and the Word file checked in its XML and opened by
//! LibreOffice.

use report::{build, Block, Request};
use sqlx::Row;
use store::{Scope, Store};
use testkit::{both, Db};

fn rules() -> domain::rules::Rules {
    domain::rules::Rules::default_rules()
}

async fn county(db: Db, climate: generator::Climate, research: bool) -> Option<(Store, String)> {
    let (store, url) = testkit::generated_in(db, 3, climate).await?;
    if research {
        generator::survey::campaign(&store, &rules(), 3, testkit::as_of(), 1).await.unwrap();
        generator::research::fieldwork(&store, &rules(), domain::rules::DEFAULT_RULES, 3, testkit::as_of()).await.unwrap();
    }
    Some((store, url))
}

async fn report_for(store: &Store) -> report::Report {
    let all = Scope::jurisdiction();
    let root = store.org_children(&all, None).await.unwrap()[0].org.id;
    let r = rules();
    let req = Request { org: root, year: 2026, as_of: testkit::as_of(), rules: &r, rules_text: domain::rules::DEFAULT_RULES, refresh: false, choices: report::Choices { unit: Some("县委组织部调研组".into()), ..Default::default() } };
    build(store, &all, &req).await.unwrap()
}

async fn raw(url: &str, sql: &str) -> i64 {
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(url).await.unwrap();
    let v: i64 = sqlx::query(sql).fetch_one(&pool).await.unwrap().try_get(0).unwrap();
    pool.close().await;
    v
}

fn section<'a>(r: &'a report::Report, heading: &str) -> Vec<&'a Block> {
    let start = r.blocks.iter().position(|b| matches!(b, Block::Heading { level: 1, text } if text.starts_with(heading))).unwrap_or_else(|| panic!("section {heading}"));
    r.blocks[start + 1..].iter().take_while(|b| !matches!(b, Block::Heading { level: 1, .. })).collect()
}

fn text(blocks: &[&Block]) -> String {
    blocks.iter().map(|b| match b {
        Block::Para(t) | Block::Heading { text: t, .. } => t.clone(),
        Block::Quote { text, .. } => text.clone(),
        _ => String::new(),
    }).collect::<Vec<_>>().join("\n")
}

async fn the_report_reads_like_the_seed_with_real_figures(db: Db) {
    let Some((store, url)) = county(db, generator::Climate::Typical, true).await else { return };
    let r = report_for(&store).await;
    let all = r.plain_text();
    assert!(r.title.starts_with("关于") && r.title.ends_with("基层党建工作的调研报告"), "{}", r.title);
    assert!(!all.contains("xx") && !all.contains("XX") && !all.contains("NaN"), "no placeholder or non-number");
    for h in ["一、调研方法", "二、基层党建工作的现状与成效", "三、存在的问题", "四、对策与建议", "附件"] {
        section(&r, h);
    }
    // 引言: members counted from the raw table.
    let members = raw(&url, "SELECT COUNT(*) FROM members WHERE left_on IS NULL").await;
    let intro = match &r.blocks[0] { Block::Para(t) => t.clone(), _ => panic!("intro first") };
    assert!(intro.contains(&format!("党员{members}名")), "{intro}");
    // 一: questionnaires issued and returned from the raw tables; interviews too.
    let issued = raw(&url, "SELECT CAST(SUM(issued) AS BIGINT) FROM campaign_units").await;
    let returned = raw(&url, "SELECT COUNT(*) FROM survey_responses").await;
    let methods = text(&section(&r, "一、"));
    assert!(methods.contains(&format!("发放问卷{issued}份，回收{returned}份，其中有效问卷")), "{methods}");
    let interviews = raw(&url, "SELECT COUNT(*) FROM interviews").await;
    let units = raw(&url, "SELECT COUNT(DISTINCT org_id) FROM interviews").await;
    assert!(methods.contains(&format!("选取了{units}个具有代表性的基层单位")) && methods.contains(&format!("共访谈{interviews}次")), "{methods}");
    // 二: themed party days held in the year, from the raw table.
    let days = raw(&url, "SELECT COUNT(*) FROM meetings m JOIN orgs o ON o.id = m.org_id WHERE m.kind = 'themed_party_day' AND m.held_on >= '2026-01-01' AND m.held_on <= '2026-11-27' AND o.dissolved_on IS NULL").await;
    let status = text(&section(&r, "二、"));
    assert!(status.contains(&format!("开展主题党日{days}次")), "{status}");
    // 三: problems ranked by severity; the 三会一课 figure recomputed from the compliance engine.
    let problems = section(&r, "三、");
    let s = store.compliance_summary(&Scope::jurisdiction(), store.org_children(&Scope::jurisdiction(), None).await.unwrap()[0].org.id, &rules(), 2026, testkit::as_of(), false).await.unwrap();
    let (mut met, mut app) = (0, 0);
    for x in s.rules.iter().filter(|x| ["meetings.general_meeting", "meetings.committee_meeting", "meetings.party_lesson"].contains(&x.id)) {
        met += x.orgs_applicable - x.orgs_failing;
        app += x.orgs_applicable;
    }
    let three = format!("“三会一课”按规定召开的比例为{:.1}%（{met}/{app}）", met as f64 / app as f64 * 100.0);
    assert!(text(&problems).contains(&three), "{three}\n{}", text(&problems));
    // Last year (computed for the comparison, as of its 31 December) beside it in 附件1.
    let root = store.org_children(&Scope::jurisdiction(), None).await.unwrap()[0].org.id;
    let last = store.compliance_summary(&Scope::jurisdiction(), root, &rules(), 2025, domain::Date::from_ymd_opt(2025, 12, 31).unwrap(), false).await.unwrap();
    let (mut met, mut app) = (0, 0);
    for x in last.rules.iter().filter(|x| ["meetings.general_meeting", "meetings.committee_meeting", "meetings.party_lesson"].contains(&x.id)) {
        met += x.orgs_applicable - x.orgs_failing;
        app += x.orgs_applicable;
    }
    let annex = r.blocks.iter().find_map(|b| match b { Block::Table { caption, header, rows } if caption.starts_with("附件1") => Some((header, rows)), _ => None }).unwrap();
    assert_eq!(annex.0[3], "上年");
    let row = annex.1.iter().find(|row| row[0] == "“三会一课”按规定召开的比例").unwrap();
    assert_eq!(row[3], format!("{:.1}%", met as f64 / app as f64 * 100.0), "{row:?}");
    assert!(all.contains("较上年"), "comparisons with last year in the text");
    let headings: Vec<&str> = problems.iter().filter_map(|b| match b { Block::Heading { level: 2, text } => Some(text.as_str()), _ => None }).collect();
    assert!(!headings.is_empty());
    assert!(problems.iter().any(|b| matches!(b, Block::Quote { .. })), "interview quotes as evidence");
    // 四: a recommendation for every problem shown, with its evidence and source.
    let advice = section(&r, "四、");
    let n = advice.iter().filter(|b| matches!(b, Block::Heading { level: 2, .. })).count();
    assert!(n >= headings.len(), "{n} recommendations for {} problems", headings.len());
    assert!(text(&advice).contains("针对：") && text(&advice).contains("依据："));

    breakdowns_names_and_quotes_follow_the_field(&r);

    // Every format renders; the Word file follows GB/T 9704 and LibreOffice opens it.
    let md = report::markdown::render(&r);
    assert!(md.starts_with("# 关于") && md.contains("## 三、存在的问题"));
    let html = report::html::render(&r, &Default::default());
    assert!(html.contains("@page{size:A4;margin:37mm 26mm 35mm 28mm}") && html.contains("<h2>四、对策与建议</h2>"));
    assert!(html.contains("<figure><svg") && html.contains("图1　各领域"), "charts inline in HTML");
    let docx = report::docx::render(&r, &Default::default()).unwrap();
    check_docx(&docx);
    libreoffice_opens(&docx);
}
both!(the_report_reads_like_the_seed_with_real_figures);

fn part(docx: &[u8], name: &str) -> String {
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(docx)).unwrap();
    let mut s = String::new();
    std::io::Read::read_to_string(&mut z.by_name(name).unwrap(), &mut s).unwrap();
    s
}

fn check_docx(docx: &[u8]) {
    let doc = part(docx, "word/document.xml");
    assert!(doc.contains(r#"<w:pgSz w:w="11906" w:h="16838"/>"#), "A4");
    assert!(doc.contains(r#"<w:pgMar w:top="2098" w:right="1474" w:bottom="1984" w:left="1587""#), "37/26/35/28 mm");
    assert!(doc.contains(r#"<w:docGrid w:type="lines" w:linePitch="579"/>"#), "22 lines in 225 mm");
    // The annexes: a landscape section of their own, tables with columns sized to content.
    assert!(doc.contains(r#"<w:pgSz w:w="16838" w:h="11906" w:orient="landscape"/>"#), "landscape annexes");
    assert!(doc.contains(r#"<w:tblLayout w:type="fixed"/>"#) && doc.contains("<w:gridCol w:w="));
    assert!(!part(docx, "word/styles.xml").contains(r#"<w:jc w:val="both"/>"#), "no justified body lines stretched across the line");
    assert!(doc.contains(r#"w:type="default" r:id="rIdFooterOdd""#) && doc.contains(r#"w:type="even" r:id="rIdFooterEven""#));
    assert!(doc.contains(r#"<w:pStyle w:val="Heading1"/></w:pPr><w:r><w:t xml:space="preserve">一、调研方法"#));
    let styles = part(docx, "word/styles.xml");
    let style = |id: &str| {
        let i = styles.find(&format!(r#"w:styleId="{id}""#)).unwrap_or_else(|| panic!("style {id}"));
        styles[i..i + styles[i..].find("</w:style>").unwrap()].to_string()
    };
    assert!(style("Title").contains(r#"w:eastAsia="方正小标宋简体""#) && style("Title").contains(r#"<w:sz w:val="44"/>"#) && style("Title").contains(r#"<w:jc w:val="center"/>"#));
    assert!(style("Normal").contains(r#"w:eastAsia="仿宋_GB2312""#) && style("Normal").contains(r#"<w:sz w:val="32"/>"#) && style("Normal").contains(r#"w:firstLineChars="200""#));
    assert!(style("Heading1").contains(r#"w:eastAsia="黑体""#));
    assert!(style("Heading2").contains(r#"w:eastAsia="楷体_GB2312""#));
    assert!(styles.contains(r#"<w:spacing w:val="-5"/>"#), "28 characters a line");
    assert!(style("Footer").contains(r#"w:eastAsia="宋体""#) && style("Footer").contains(r#"<w:sz w:val="28"/>"#));
    assert!(part(docx, "word/settings.xml").contains("<w:evenAndOddHeaders/>"));
    // Charts are pictures: a PNG part, its relationship and an inline drawing.
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(docx)).unwrap();
    let mut png = Vec::new();
    std::io::Read::read_to_end(&mut z.by_name("word/media/chart1.png").unwrap(), &mut png).unwrap();
    assert!(png.starts_with(b"\x89PNG") && png.len() > 2000);
    assert!(part(docx, "word/_rels/document.xml.rels").contains(r#"Target="media/chart1.png""#) && doc.contains(r#"<a:blip r:embed="rIdImg1"/>"#));
    let odd = part(docx, "word/footer1.xml");
    let even = part(docx, "word/footer2.xml");
    assert!(odd.contains(r#"<w:jc w:val="right"/>"#) && odd.contains("PAGE") && odd.contains(">— <") && odd.contains("> —<"));
    assert!(even.contains(r#"<w:jc w:val="left"/>"#) && even.contains("PAGE"));
}

/// Converts the .docx to PDF with LibreOffice (CI installs it and sets
/// DANGJIAN_REQUIRE_LIBREOFFICE=1; elsewhere the check is skipped when it is missing).
fn libreoffice_opens(docx: &[u8]) {
    let dir = std::env::temp_dir().join(testkit::unique("docx"));
    std::fs::create_dir_all(&dir).unwrap();
    let input = dir.join("report.docx");
    std::fs::write(&input, docx).unwrap();
    let Some(pdf) = testkit::libreoffice_convert(&input, "pdf", &dir) else { return };
    let pdf = std::fs::read(pdf).unwrap();
    assert!(pdf.starts_with(b"%PDF"));
    let pages = pdf.windows(10).filter(|w| w == b"/Type/Page" || w == b"/Type /Pag").count();
    assert!(pages >= 5, "a report of several pages ({pages})");
    let _ = std::fs::remove_dir_all(&dir);
}

async fn a_compliant_jurisdiction_gets_no_invented_problems(db: Db) {
    let Some((store, _)) = county(db, generator::Climate::Compliant, false).await else { return };
    let r = report_for(&store).await;
    let problems = section(&r, "三、");
    assert!(!problems.iter().any(|b| matches!(b, Block::Heading { .. })), "no problem sections: {}", text(&problems));
    assert!(text(&problems).contains("没有发现需要专门指出的突出问题"));
    // Without questionnaires or interviews the report says so rather than inventing figures.
    let methods = text(&section(&r, "一、"));
    assert!(methods.contains("没有纳入本报告的问卷调查") && methods.contains("没有纳入本报告的实地访谈记录"), "{methods}");
    assert!(!r.plain_text().contains("NaN"));
}
both!(a_compliant_jurisdiction_gets_no_invented_problems);

async fn where_three_meetings_collapsed_it_comes_first(db: Db) {
    let Some((store, _)) = county(db, generator::Climate::MeetingsCollapsed, false).await else { return };
    let r = report_for(&store).await;
    let first = section(&r, "三、").into_iter().find_map(|b| match b { Block::Heading { level: 2, text } => Some(text.clone()), _ => None });
    assert_eq!(first.as_deref(), Some("（一）组织生活质量不高"));
    let advice = section(&r, "四、").into_iter().find_map(|b| match b { Block::Heading { level: 2, text } => Some(text.clone()), _ => None });
    assert_eq!(advice.as_deref(), Some("（一）严格落实“三会一课”等组织生活制度"));
}
both!(where_three_meetings_collapsed_it_comes_first);

/// Highest and lowest come with their denominators and never for a group below the
/// catalogue's minimum; indicators of one sector are not split by sector; names are the
/// field's short forms; no quote twice, at most one per unit under a problem.
fn breakdowns_names_and_quotes_follow_the_field(r: &report::Report) {
    let cat = domain::indicators::Catalogue::builtin();
    let body = format!("{}\n{}", text(&section(r, "二、")), text(&section(r, "三、")));
    let mut compared = 0;
    for sentence in body.split('。') {
        let Some(ind) = cat.indicators.iter().filter(|i| sentence.contains(&i.name)).max_by_key(|i| i.name.len()) else { continue };
        if ind.breakdown == [domain::indicators::Breakdown::Division] {
            assert!(!sentence.contains("分领域看"), "{} is not split by sector: {sentence}", ind.id);
        }
        for mark in ["最高（", "最低（"] {
            for (at, _) in sentence.match_indices(mark) {
                let inside = &sentence[at + mark.len()..];
                let inside = &inside[..inside.find('）').unwrap()];
                let (_, frac) = inside.rsplit_once('，').unwrap_or_else(|| panic!("a denominator beside the value: {sentence}"));
                let d: f64 = frac.split('/').nth(1).unwrap().parse().unwrap();
                assert!(d >= ind.min_group.unwrap_or(cat.min_group), "group of {d} compared: {sentence}");
                compared += 1;
            }
        }
    }
    assert!(compared > 0, "some comparisons across groups");
    // The county's own agencies sit in no township: they are compared as 县直单位, not
    // left out (which let a township rank "lowest" above the county's own figure).
    if body.contains("分乡镇（街道）") {
        assert!(body.contains("分乡镇（街道）和县直单位看") && !body.contains("分乡镇（街道）看"), "county agencies compared as a group: {body}");
    }
    let mut seen = std::collections::HashSet::new();
    let mut units = std::collections::HashSet::new();
    let mut in_problems = false;
    for b in &r.blocks {
        match b {
            Block::Heading { level: 1, text } => in_problems = text.starts_with("三、"),
            Block::Heading { .. } => units.clear(),
            Block::Quote { text, source } => {
                assert!(seen.insert(text.clone()), "quoted twice: {text}");
                let unit = source.split("访谈记录").next().unwrap().to_string();
                assert!(!in_problems || units.insert(unit.clone()), "two quotes of {unit} under one problem");
                assert!(!source.contains("中共") && !source.contains("委员会"), "short name: {source}");
            }
            _ => {}
        }
    }
    assert!(!body.contains("““"), "nested quotes use ‘’");
}
