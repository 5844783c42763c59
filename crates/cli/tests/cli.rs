//! The `dangjian` command as a user runs it: messages in Chinese, non-zero exit on refusal.

use std::io::Write;
use std::process::{Command, Output, Stdio};

/// A database file of its own for each call (tests run in parallel).
fn db() -> String {
    static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    testkit::sweep_stale();
    let p = std::env::temp_dir().join(format!("dj_cli_{}_{n}.db", std::process::id()));
    let _ = std::fs::remove_file(&p);
    format!("sqlite://{}", p.display())
}

fn run(args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_dangjian"))
        .args(args)
        .env_remove("DANGJIAN_DATABASE_URL")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(s) = stdin {
        child.stdin.take().unwrap().write_all(s.as_bytes()).unwrap();
    }
    child.wait_with_output().unwrap()
}

fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

#[test]
fn generate_users_and_refusals() {
    let db = db();
    let o = run(&["--db", &db, "generate", "--scale", "small", "--as-of", "2026-11-27"], None);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("生成完成"));

    // Into a database that already holds data: refused, explained.
    let o = run(&["--db", &db, "generate", "--scale", "small"], None);
    assert!(!o.status.success());
    assert!(text(&o).contains("数据库中已有数据"), "{}", text(&o));

    // Users: password from stdin; bad role, unknown organisation and short password explained.
    let o = run(&["--db", &db, "user", "create", "--username", "zz", "--role", "boss"], Some("long-enough-pw\n"));
    assert!(!o.status.success());
    assert!(text(&o).contains("角色“boss”无法识别"), "{}", text(&o));
    let o = run(&["--db", &db, "user", "create", "--username", "zz", "--role", "secretary", "--org", "NO-SUCH"], Some("long-enough-pw\n"));
    assert!(!o.status.success());
    assert!(text(&o).contains("找不到组织代码为“NO-SUCH”的党组织"), "{}", text(&o));
    let o = run(&["--db", &db, "user", "create", "--username", "zz", "--role", "admin"], Some("short\n"));
    assert!(!o.status.success());
    assert!(text(&o).contains("密码至少10位"), "{}", text(&o));
    let o = run(&["--db", &db, "user", "create", "--username", "zz", "--role", "secretary", "--org", "330122-00002"], Some("long-enough-pw\n"));
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("已创建用户“zz”"));

    // Bad arguments: a bad scale, a bad date, a bad database URL.
    let o = run(&["--db", &db, "generate", "--scale", "planet"], None);
    assert!(text(&o).contains("规模“planet”无法识别"));
    let o = run(&["--db", "mysql://x", "migrate"], None);
    assert!(!o.status.success());
    assert!(text(&o).contains("sqlite:// 或 postgres://"), "{}", text(&o));
    let o = run(&["--db", &db, "bench", "--repeat", "3"], None);
    assert!(o.status.success() && text(&o).contains("中位数"), "{}", text(&o));
}

#[test]
fn rules_export_check_and_override() {
    let dir = std::env::temp_dir().join(format!("dj_rules_{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let o = run(&["rules", "export"], None);
    assert!(o.status.success());
    let rules = String::from_utf8(o.stdout).unwrap();
    assert!(rules.contains("branch_max_members") && rules.contains("citation"));

    // A bad file: the line and the reason, in Chinese; non-zero exit.
    let bad = dir.join("bad.toml");
    std::fs::write(&bad, rules.replace("term_years_other = { value = 3,", "term_years_other = { value = -3,")).unwrap();
    let o = run(&["rules", "check", bad.to_str().unwrap()], None);
    assert!(!o.status.success());
    let line = rules.lines().position(|l| l.starts_with("term_years_other")).unwrap() + 1;
    assert!(text(&o).contains(&format!("第 {line} 行")), "{}", text(&o));

    // A changed number changes what the generator does, without a rebuild.
    let good = dir.join("good.toml");
    std::fs::write(&good, rules.replace("term_years_other = { value = 3,", "term_years_other = { value = 4,")).unwrap();
    assert!(run(&["rules", "check", good.to_str().unwrap()], None).status.success());
    let db = format!("sqlite://{}", dir.join("r.db").display());
    let o = run(&["--db", &db, "generate", "--scale", "small", "--as-of", "2026-11-27", "--rules", good.to_str().unwrap()], None);
    assert!(o.status.success(), "{}", text(&o));
    let conn_path = dir.join("r.db");
    let terms = std::process::Command::new("python3")
        .args(["-c", &format!("import sqlite3;print(sorted({{r[0] for r in sqlite3.connect('{}').execute(\"select term_years from orgs where level='branch' and sector='school'\")}}))", conn_path.display())])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&terms.stdout).trim(), "[4]");
}

#[test]
fn compliance_reports_every_rule_and_follows_the_rules_file() {
    let dir = std::env::temp_dir().join(format!("dj_comp_{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let db = format!("sqlite://{}", dir.join("c.db").display());
    let _ = std::fs::remove_file(dir.join("c.db"));
    assert!(run(&["--db", &db, "generate", "--scale", "small", "--as-of", "2026-11-27"], None).status.success());
    let judge = |extra: &[&str]| {
        let mut args = vec!["--db", &db, "compliance", "--org", "330122-00000", "--year", "2025", "--as-of", "2026-11-27", "--format", "json", "--failing"];
        args.extend_from_slice(extra);
        let o = run(&args, None);
        assert!(o.status.success(), "{}", text(&o));
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        v["rules"].as_array().unwrap().clone()
    };
    let rules = judge(&[]);
    assert_eq!(rules.len(), 19);
    for r in &rules {
        let (app, fail) = (r["orgs_applicable"].as_u64().unwrap(), r["orgs_failing"].as_u64().unwrap());
        assert!(app > 0 && fail < app, "varied non-compliance: {r}");
        // A small county has only a handful of units with three full members.
        assert!(fail > 0 || r["id"] == "organisation.unit_without_org", "some organisation breaks {r}");
        assert!(!r["citation"].as_str().unwrap().is_empty());
        let failing = r["failing"].as_array().unwrap();
        assert_eq!(failing.len() as u64, fail);
        assert!(failing.iter().all(|f| !f["evidence"].as_array().unwrap().is_empty()), "evidence for every failure: {r}");
    }
    let failing = |rules: &[serde_json::Value], id: &str| rules.iter().find(|r| r["id"] == id).unwrap()["orgs_failing"].as_u64().unwrap();

    // A relaxed frequency in a rules file changes the verdicts, no rebuild.
    let text_rules = String::from_utf8(run(&["rules", "export"], None).stdout).unwrap();
    let relaxed = dir.join("quarterly.toml");
    std::fs::write(&relaxed, text_rules.replace("themed_party_day = { per = \"month\"", "themed_party_day = { per = \"quarter\"")).unwrap();
    let with_relaxed = judge(&["--rules", relaxed.to_str().unwrap()]);
    assert!(failing(&with_relaxed, "meetings.themed_party_day") < failing(&rules, "meetings.themed_party_day"));
    assert_eq!(failing(&with_relaxed, "dues.lapse_months"), failing(&rules, "dues.lapse_months"));

    let o = run(&["--db", &db, "compliance", "--org", "NOPE", "--year", "2025"], None);
    assert!(!o.status.success() && text(&o).contains("找不到组织代码"));
    let o = run(&["--db", &db, "compliance", "--org", "330122-00000", "--year", "2025", "--format", "xml"], None);
    assert!(text(&o).contains("输出格式“xml”无法识别"));
}

#[test]
fn survey_import_stats_and_export() {
    let db = db();
    let o = run(&["--db", &db, "generate", "--scale", "small", "--as-of", "2026-11-27"], None);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("份答卷"), "generate answers the demo campaign: {}", text(&o));
    let dir = std::env::temp_dir().join(format!("dj_cli_survey_{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();

    // The built-in questionnaire as XLSForm, imported back: prints the new id.
    let x = dir.join("builtin.xlsx");
    assert!(run(&["survey", "builtin", "--out", x.to_str().unwrap()], None).status.success());
    let o = run(&["--db", &db, "survey", "import", x.to_str().unwrap()], None);
    assert!(o.status.success(), "{}", text(&o));
    let id: i64 = String::from_utf8_lossy(&o.stdout).trim().parse().expect("the questionnaire id alone on stdout");
    assert!(id >= 2);
    // A malformed form: refused with the place of each problem, exit non-zero.
    let bad = dir.join("bad.md");
    std::fs::write(&bad, "| survey |\n| | type | name | label |\n| | geopoint | where | 位置 |\n| | integer | n | 人数 |\n| | integer | n | 重复 |\n").unwrap();
    let o = run(&["--db", &db, "survey", "import", bad.to_str().unwrap()], None);
    assert!(!o.status.success());
    let t = text(&o);
    assert!(t.contains("survey 工作表第 2 行") && t.contains("geopoint") && t.contains("与第 3 行重复"), "{t}");

    // Stats as JSON: the fields the issue names.
    let o = run(&["--db", &db, "survey", "stats", "--campaign", "1", "--format", "json"], None);
    assert!(o.status.success(), "{}", text(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["returned"], 1200);
    assert!(v["issued"].as_i64().unwrap() >= 1200 && v["valid"].as_i64().unwrap() < 1200);
    let rate = v["valid"].as_f64().unwrap() * 100.0 / v["issued"].as_f64().unwrap();
    assert!((v["valid_rate"].as_f64().unwrap() - rate).abs() < 0.051);
    let units = v["units"].as_array().unwrap();
    assert_eq!(units.iter().map(|u| u["returned"].as_i64().unwrap()).sum::<i64>(), 1200);
    let o = run(&["--db", &db, "survey", "stats", "--campaign", "1"], None);
    assert!(text(&o).contains("有效回收率"));
    let o = run(&["--db", &db, "survey", "stats", "--campaign", "99"], None);
    assert!(!o.status.success() && text(&o).contains("调研不存在"), "{}", text(&o));

    // Analysis as JSON: each question {label, options: [{label, count}]}, counts adding up
    // to those who answered; means for scales; the attention check left out; --all counts
    // every returned questionnaire.
    let o = run(&["--db", &db, "survey", "analysis", "--campaign", "1", "--format", "json"], None);
    assert!(o.status.success(), "{}", text(&o));
    let a: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let valid = v["valid"].as_u64().unwrap();
    assert_eq!(a["responses"].as_u64().unwrap(), valid);
    let qs = a["questions"].as_array().unwrap();
    let q = |name: &str| qs.iter().find(|q| q["name"] == name).unwrap_or_else(|| panic!("{name}"));
    let role = q("role");
    assert_eq!(role["label"], "您的身份是");
    let counted: u64 = role["options"].as_array().unwrap().iter().map(|o| o["count"].as_u64().unwrap()).sum();
    assert_eq!(counted, role["answered"].as_u64().unwrap());
    assert!(role["options"].as_array().unwrap().iter().any(|o| o["label"] == "党组织书记"));
    assert!(q("meetings_quality")["mean"].as_f64().is_some_and(|m| (1.0..=5.0).contains(&m)));
    assert!(!qs.iter().any(|q| q["name"] == "attention_check"));
    let o = run(&["--db", &db, "survey", "analysis", "--campaign", "1", "--all", "--format", "json"], None);
    let all: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(all["responses"], 1200);
    let o = run(&["--db", &db, "survey", "analysis", "--campaign", "1"], None);
    assert!(text(&o).contains("您的身份是") && text(&o).contains("均值"), "{}", text(&o));

    for f in ["csv", "xlsx", "sav", "dta"] {
        let out = dir.join(format!("a.{f}"));
        let o = run(&["--db", &db, "survey", "export", "--campaign", "1", "--format", f, "--out", out.to_str().unwrap()], None);
        assert!(o.status.success(), "{}", text(&o));
        assert!(text(&o).contains("已导出 1200 份答卷"), "{}", text(&o));
    }
    assert!(std::fs::read(dir.join("a.sav")).unwrap().starts_with(b"$FL2"));
    assert!(std::fs::read(dir.join("a.dta")).unwrap().starts_with(b"<stata_dta><header><release>118</release>"));
    let o = run(&["--db", &db, "survey", "export", "--campaign", "1", "--format", "pdf", "--out", "x.pdf"], None);
    assert!(!o.status.success() && text(&o).contains("导出格式“pdf”无法识别"));
}

#[test]
fn research_interviews_search_and_lexicon_figures() {
    let db = db();
    let o = run(&["--db", &db, "generate", "--scale", "small", "--as-of", "2026-11-27"], None);
    assert!(o.status.success() && text(&o).contains("实地访谈"), "{}", text(&o));
    let o = run(&["--db", &db, "research", "interviews"], None);
    assert!(o.status.success() && text(&o).contains("个具有代表性的基层单位"), "{}", text(&o));

    // An interview from a notes file, with an attachment; a bad attachment is refused.
    let dir = std::env::temp_dir().join(format!("dj_cli_research_{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let notes = dir.join("访谈.md");
    std::fs::write(&notes, "## 情况\n\n村里的“两张皮”问题：支部开展活动和合作社经营各干各的。\n").unwrap();
    let exe = dir.join("a.pdf");
    std::fs::write(&exe, b"\x7fELF\x02\x01").unwrap();
    let base = ["--db", &db, "research", "add-interview", "--org", "330122-00002", "--date", "2026-11-01", "--interviewers", "调研组", "--interviewee", "党组织负责人:村党支部书记", "--notes", notes.to_str().unwrap()];
    let o = run(&[&base[..], &["--attach", exe.to_str().unwrap()]].concat(), None);
    assert!(!o.status.success() && text(&o).contains("附件“a.pdf”是可执行程序"), "{}", text(&o));
    let o = run(&["--db", &db, "research", "search", "合作社"], None);
    assert!(text(&o).contains("找到 0 处"), "nothing was saved: {}", text(&o));
    let o = run(&base, None);
    assert!(o.status.success(), "{}", text(&o));
    let o = run(&["--db", &db, "research", "search", "两张 皮 合作社"], None);
    assert!(o.status.success() && text(&o).contains("各干各的"), "{}", text(&o));

    let o = run(&["--db", &db, "research", "codes", "--category", "meeting_quality"], None);
    assert!(o.status.success() && text(&o).contains("组织生活质量不高"), "{}", text(&o));
    let o = run(&["--db", &db, "research", "documents"], None);
    assert!(text(&o).contains("中组发〔2008〕3号") && text(&o).contains("→ dues.working"), "{}", text(&o));
    // Agreement between the generated coders, as JSON: κ per category, in range.
    let o = run(&["--db", &db, "research", "agreement", "--format", "json"], None);
    assert!(o.status.success(), "{}", text(&o));
    let a: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(a["interviews"].as_u64().unwrap() > 0);
    assert!(a["categories"].as_array().unwrap().iter().filter_map(|c| c["kappa"].as_f64()).all(|k| (-1.0..=1.0).contains(&k)));
    let o = run(&["--db", &db, "research", "agreement"], None);
    assert!(text(&o).contains("κ") && text(&o).contains("双人编码的访谈"), "{}", text(&o));
    let o = run(&["--db", &db, "research", "evaluate"], None);
    assert!(o.status.success() && text(&o).contains("留出样本（未用于调词）：40 段，准确率"), "{}", text(&o));
}

/// `keys show|rotate`: a new database gets a private key file beside it; rotation moves
/// to a new key, keeps the old one in a .retired file, and is in the audit log.
#[test]
fn keys_rotate_and_the_audit_log() {
    let db = db();
    let path = db.trim_start_matches("sqlite://").to_string();
    let key = std::path::Path::new(&path).with_extension("key");
    let _ = std::fs::remove_file(&key);
    assert!(run(&["--db", &db, "migrate"], None).status.success());
    let o = run(&["--db", &db, "user", "create", "--username", "li", "--role", "admin"], Some("a-long-password-9"));
    assert!(o.status.success(), "{}", text(&o));
    let shown = text(&run(&["--db", &db, "keys", "show"], None));
    assert!(shown.contains("使用密钥") && shown.contains(&key.display().to_string()), "{shown}");
    let old = shown.split("使用密钥 ").nth(1).unwrap().split('（').next().unwrap().trim().to_string();
    let o = run(&["--db", &db, "keys", "rotate"], None);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("已换用新密钥"));
    let now = text(&run(&["--db", &db, "keys", "show"], None));
    assert!(!now.contains(&old), "a new key: {now}");
    let mut retired = key.as_os_str().to_owned();
    retired.push(format!(".{old}.retired"));
    assert!(std::path::Path::new(&retired).exists(), "the old key is kept for old backups");
    let audit = run(&["--db", &db, "audit", "--format", "json"], None);
    let entries: serde_json::Value = serde_json::from_slice(&audit.stdout).unwrap();
    let actions: Vec<&str> = entries.as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert!(actions.contains(&"key_rotated") && actions.contains(&"user_created"), "{actions:?}");
    let bad = run(&["--db", &db, "audit", "--since", "昨天"], None);
    assert!(!bad.status.success() && text(&bad).contains("不是日期"));
}
