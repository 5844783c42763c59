//! A generated campaign on SQLite and PostgreSQL: counts that agree with the responses,
//! verdicts with reasons, overrides, replays that are not second responses, and exports
//! read back by other programs (pyreadstat for .sav/.dta, calamine for .xlsx).

use store::{NewResponse, Scope};
use survey::campaign::{load, stats};
use survey::export::{export, Format};
use testkit::{both, Db};

async fn campaign_counts_verdicts_and_exports(db: Db) {
    let Some(store) = testkit::generated(db, 7).await else { return };
    let rules = domain::rules::Rules::default_rules();
    let (id, written) = generator::survey::campaign(&store, &rules, 7, testkit::as_of(), 1).await.unwrap();
    assert_eq!(written, generator::survey::PER_COUNTY);
    let all = Scope::jurisdiction();
    let s = stats(&store, &all, id).await.unwrap();
    assert_eq!(s.returned as usize, written);
    assert!(s.issued >= s.returned && s.valid < s.returned && s.valid as f64 > 0.85 * s.returned as f64, "{s:?}");
    assert_eq!(s.units.iter().map(|u| u.returned).sum::<i64>(), s.returned);
    assert_eq!(s.sectors.iter().map(|g| g.valid).sum::<i64>(), s.valid);
    for flaw in ["答题过快", "量表题答案全部相同", "同一设备重复作答", "未通过注意力检测题", "未答完必答题"] {
        assert!(s.flaws.get(flaw).copied().unwrap_or(0) > 0, "the generator plants {flaw}: {:?}", s.flaws);
    }
    assert!(s.sentence.starts_with(&format!("共发放问卷{}份，回收{}份，其中有效问卷{}份，有效回收率", s.issued, s.returned, s.valid)));

    // Recount independently: valid = returned minus those failing any rule.
    let l = load(&store, &all, id).await.unwrap();
    let mut invalid = 0;
    let mut first_invalid = None;
    l.judge_each(&store, &all, |r, _, v| {
        assert_eq!(v.valid, v.flaws.is_empty());
        if !v.valid {
            invalid += 1;
            first_invalid.get_or_insert(r.id);
        }
        Ok(())
    })
    .await
    .unwrap();
    assert_eq!(s.returned - s.valid, invalid);

    // A staff override needs a reason and moves the count by one.
    let rid = first_invalid.unwrap();
    assert!(store.override_response(&all, rid, Some(true), " ", 1).await.is_err());
    let admin = store.create_user("researcher", "a-long-password-1", domain::user::Role::Admin, None, None).await.unwrap().id;
    store.override_response(&all, rid, Some(true), "经核实为认真作答", admin).await.unwrap();
    assert_eq!(stats(&store, &all, id).await.unwrap().valid, s.valid + 1);
    store.override_response(&all, rid, None, "", admin).await.unwrap();

    // A replayed submission is not a second response.
    let mut w = store.response_writer().await.unwrap();
    let unit = l.units[0].id;
    let r = |sub: &str| NewResponse { campaign_id: id, unit_id: unit, submission_id: sub.into(), device: "d".into(), channel: "online".into(), entered_by: None, started_at: "2026-11-01T00:00:00Z".into(), submitted_at: "2026-11-01T00:10:00Z".into(), duration_s: 600.0, answers: "{}".into(), missing: 0, passages: vec![] };
    assert_eq!(w.write(&[r("replay-1"), r("replay-1"), r("replay-2")]).await.unwrap(), vec![true, false, true]);
    assert_eq!(w.write(&[r("replay-1")]).await.unwrap(), vec![false]);
    // A long open answer (600 characters, 1 800 bytes): SPSS keeps it whole as a very long string.
    let long = NewResponse { answers: serde_json::json!({"suggestion": "建议加强经费保障".repeat(75)}).to_string(), ..r("long-1") };
    assert_eq!(w.write(&[long]).await.unwrap(), vec![true]);
    assert_eq!(stats(&store, &all, id).await.unwrap().returned, s.returned + 3);

    // Exports: every response, or the valid ones.
    let dir = std::env::temp_dir().join(testkit::unique("export"));
    std::fs::create_dir_all(&dir).unwrap();
    let s = stats(&store, &all, id).await.unwrap();
    for f in [Format::Csv, Format::Xlsx, Format::Sav, Format::Dta] {
        let p = dir.join(format!("all.{}", f.ext()));
        let e = export(&store, &all, id, f, false, &p).await.unwrap();
        assert_eq!(e.rows as i64, s.returned, "{f:?}");
        let v = export(&store, &all, id, f, true, &dir.join(format!("valid.{}", f.ext()))).await.unwrap();
        assert_eq!(v.rows as i64, s.valid, "{f:?}");
    }
    let csv = std::fs::read(dir.join("all.csv")).unwrap();
    assert!(csv.starts_with(b"\xEF\xBB\xBF"));
    assert_eq!(String::from_utf8_lossy(&csv).lines().count() as i64, s.returned + 1);
    {
        use calamine::{Reader, Xlsx};
        let mut x: Xlsx<_> = calamine::open_workbook(dir.join("valid.xlsx")).unwrap();
        let sheet = x.worksheet_range("答卷").unwrap();
        assert_eq!(sheet.height() as i64, s.valid + 2);
        assert_eq!(sheet.get((1, 0)).unwrap().to_string(), "答卷编号");
        let heads: Vec<String> = sheet.rows().next().unwrap().iter().map(|c| c.to_string()).collect();
        assert!(heads.contains(&"role_label".to_string()) && heads.contains(&"funding_sources_budget".to_string()), "{heads:?}");
    }
    read_back_with_pyreadstat(&dir, s.returned);
    // A campaign of ordinary size is a plain ZIP (no ZIP64 records), and LibreOffice Calc
    // opens the .xlsx and the .csv with every row.
    let xlsx = std::fs::read(dir.join("all.xlsx")).unwrap();
    // A ZIP64 entry needs version 4.5 to extract (45 = 0x2d after each local header's signature).
    assert!(!xlsx.windows(6).any(|w| w == b"PK\x03\x04\x2d\x00"), "no ZIP64 entries");
    for (file, rows) in [("all.xlsx", s.returned + 2), ("all.csv", s.returned + 1)] {
        let conv = dir.join(format!("calc-{}", file.replace('.', "-")));
        std::fs::create_dir_all(&conv).unwrap();
        if let Some(out) = testkit::libreoffice_convert(&dir.join(file), "csv:Text - txt - csv (StarCalc):44,34,76,1", &conv) {
            let text = std::fs::read_to_string(&out).unwrap();
            let n = csv::ReaderBuilder::new().has_headers(false).from_reader(text.as_bytes()).records().count() as i64;
            assert_eq!(n, rows, "{file}: rows as LibreOffice reads them");
        }
    }

    // Analysis on valid responses: frequencies add up, cross-tabs carry χ² or say why not.
    let d = survey::analysis::data(&store, &all, id, true).await.unwrap();
    assert_eq!(d.rows.len() as i64, s.valid);
    let freqs = survey::analysis::frequencies(&d);
    // The attention check feeds validity only: no frequency, no mean, no menu entry.
    assert!(!freqs.iter().any(|f| f.name == "attention_check"));
    assert!(!survey::analysis::dimensions(&d.form).iter().any(|(b, _)| matches!(b, survey::analysis::By::Question(q) if q == "attention_check")));
    assert!(survey::analysis::crosstab(&d, "attention_check", &survey::analysis::By::Sector).is_err());
    // Recognised by its wording too, whatever its name.
    let mut renamed = d.form.clone();
    let q9 = renamed.items.iter_mut().flat_map(|g| g.children.iter_mut()).find(|i| i.name == "attention_check").unwrap();
    q9.name = "q9".into();
    assert!(survey::validity::is_attention_check(&renamed, renamed.find("q9").unwrap()));
    assert!(!survey::validity::is_attention_check(&renamed, renamed.find("meetings_quality").unwrap()));
    let mq = freqs.iter().find(|f| f.name == "meetings_quality").unwrap();
    assert_eq!(mq.rows.iter().map(|r| r.count).sum::<u64>(), mq.answered);
    assert!((mq.rows.iter().map(|r| r.percent).sum::<f64>() - 100.0).abs() < 1e-6);
    assert!(mq.mean.unwrap() > 1.0 && mq.mean.unwrap() < 5.0);
    let by_role = survey::analysis::crosstab(&d, "lessons_frequency", &survey::analysis::By::Question("role".into())).unwrap();
    assert_eq!(by_role.groups, vec!["党组织书记", "党务工作者", "普通党员", "群众"]);
    assert_eq!(by_role.counts.iter().flatten().sum::<u64>(), freqs.iter().find(|f| f.name == "lessons_frequency").unwrap().answered);
    assert!(by_role.test.p.is_some(), "{:?}", by_role.test);
    let by_unit = survey::analysis::crosstab(&d, "meetings_quality", &survey::analysis::By::Unit).unwrap();
    assert!(by_unit.test.p.is_none() && by_unit.test.note.as_deref().unwrap().contains("期望频数"), "60 units × 5 answers is too sparse for χ²");
    let kw = survey::analysis::keywords(&d, 200);
    let words: Vec<&str> = kw[0].words.iter().map(|(w, _)| w.as_str()).collect();
    for w in ["经费", "党员", "两张皮", "流动党员", "三会一课", "两委"] {
        assert!(words.contains(&w), "{w} in {words:?}");
    }
    assert!(!words.contains(&"的") && !words.contains(&"，"));
    let svg = survey::chart::stacked("t", &by_role.groups, &by_role.columns, &by_role.counts);
    assert!(svg.starts_with("<svg") && svg.contains("党组织书记"));
    // A scale's cross-tab carries its scores, and its chart diverges red to blue.
    let scale = survey::analysis::crosstab(&d, "meetings_quality", &survey::analysis::By::Sector).unwrap();
    let colors = survey::chart::diverging(scale.scores.as_ref().expect("a Likert item has scores"));
    let svg = survey::chart::stacked_in("t", &scale.groups, &scale.columns, &scale.counts, &colors);
    assert!(svg.contains("#2166ac") && svg.contains("#b2182b") && svg.contains("#bdbdbd"), "diverging palette");
    assert!(by_role.scores.is_none(), "a question of categories has no scores");
}
both!(campaign_counts_verdicts_and_exports);

/// pyreadstat (ReadStat, as used by pandas) reads both files: the same rows, variable
/// names, labels and value labels as written.
fn read_back_with_pyreadstat(dir: &std::path::Path, rows: i64) {
    let Some(py) = testkit::python(&["pyreadstat", "pandas"]) else { return };
    let script = r#"
import sys, json, pyreadstat
out = {}
for kind in ("sav", "dta"):
    path = sys.argv[1] + "/all." + kind
    df, meta = (pyreadstat.read_sav if kind == "sav" else pyreadstat.read_dta)(path)
    labels = dict(zip(meta.column_names, meta.column_labels))
    out[kind] = {
        "rows": int(df.shape[0]),
        "names": list(meta.column_names),
        "role_label": labels.get("role"),
        "role_values": {str(int(k)): v for k, v in meta.variable_value_labels.get("role", {}).items()},
        "agree_values": {str(int(k)): v for k, v in meta.variable_value_labels.get("meetings_quality", {}).items()},
        "first_unit": str(df["unit_name"].iloc[0]),
        "valid_sum": int(df["valid"].sum()),
        "mq_mean": float(df["meetings_quality"].mean()),
        "encoding": getattr(meta, "file_encoding", None),
        "longest_suggestion": int(df["suggestion"].astype(str).str.len().max()),
        "submitted_type": str(df["submitted_at"].dtype),
        "first_submitted": str(df["submitted_at"].iloc[0])[:19],
        "rank_columns": [c for c in meta.column_names if c.startswith("problem_rank_")],
        "rank_numeric": all(str(df[c].dtype).startswith("float") for c in meta.column_names if c.startswith("problem_rank_")),
    }
print(json.dumps(out, ensure_ascii=False))
"#;
    let o = std::process::Command::new(py).args(["-c", script, dir.to_str().unwrap()]).output().unwrap();
    assert!(o.status.success(), "pyreadstat failed: {}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let csv = std::fs::read_to_string(dir.join("all.csv")).unwrap();
    let mut rdr = csv::Reader::from_reader(csv.trim_start_matches('\u{feff}').as_bytes());
    let heads = rdr.headers().unwrap().clone();
    let col = |n: &str| heads.iter().position(|h| h == n).unwrap();
    let recs: Vec<csv::StringRecord> = rdr.records().map(|r| r.unwrap()).collect();
    let valid: i64 = recs.iter().map(|r| r[col("valid")].parse::<i64>().unwrap()).sum();
    let mq: Vec<f64> = recs.iter().filter_map(|r| r[col("meetings_quality")].parse().ok()).collect();
    let mq_mean = mq.iter().sum::<f64>() / mq.len() as f64;
    for kind in ["sav", "dta"] {
        let k = &v[kind];
        assert_eq!(k["rows"], rows, "{kind}");
        assert_eq!(k["role_label"], "您的身份是", "{kind}");
        assert_eq!(k["role_values"]["1"], "党组织书记", "{kind}");
        assert_eq!(k["role_values"]["4"], "群众", "{kind}");
        assert_eq!(k["agree_values"]["5"], "非常同意", "{kind}");
        assert_eq!(k["first_unit"].as_str().unwrap(), &recs[0][col("unit_name")], "{kind}: Chinese text survives");
        assert_eq!(k["valid_sum"], valid, "{kind}");
        assert!((k["mq_mean"].as_f64().unwrap() - mq_mean).abs() < 1e-9, "{kind}");
        assert!(k["names"].as_array().unwrap().iter().any(|n| n == "funding_sources_dues_return"), "{kind}: long names kept");
        assert_eq!(k["longest_suggestion"], 600, "{kind}: a 600-character answer is kept whole");
        // Timestamps are datetimes, the same instant the CSV writes as text.
        assert!(k["submitted_type"].as_str().unwrap().starts_with("datetime64"), "{kind}: {}", k["submitted_type"]);
        assert_eq!(k["first_submitted"].as_str().unwrap().replace('T', " "), recs[0][col("submitted_at")], "{kind}");
        // A ranking is one numeric variable per option.
        assert!(k["rank_columns"].as_array().unwrap().len() >= 5 && k["rank_numeric"] == true, "{kind}: {}", k["rank_columns"]);
        assert!(!k["names"].as_array().unwrap().iter().any(|n| n == "problem_rank"), "{kind}: no ordered-codes text");
    }
    assert_eq!(v["sav"]["encoding"], "UTF-8");
}
