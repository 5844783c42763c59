//! `dangjian survey …`: questionnaires in (XLSForm), campaign counts, exports.

use anyhow::{bail, Result};
use store::Store;
use survey::campaign::SurveyError;
use survey::export::Format;

fn plain(e: SurveyError) -> anyhow::Error {
    anyhow::anyhow!("{e}")
}

pub async fn import(store: &Store, file: &std::path::Path) -> Result<()> {
    let bytes = std::fs::read(file).map_err(|e| anyhow::anyhow!("无法读取 {}：{e}", file.display()))?;
    let (id, warnings) = survey::campaign::import_questionnaire(store, &bytes, None).await.map_err(plain)?;
    for w in warnings {
        eprintln!("提示：{w}");
    }
    println!("{id}");
    Ok(())
}

/// `survey import-results`: 问卷星 / 腾讯问卷 results as a new campaign. The json form is
/// one line ending with the campaign, questionnaire and response count.
pub async fn import_results(store: &Store, files: &[std::path::PathBuf], questionnaire: Option<i64>, title: Option<&str>, org: Option<&str>, format: &str) -> Result<()> {
    if !matches!(format, "json" | "table") {
        bail!("输出格式“{format}”无法识别，可选 json 或 table");
    }
    let scope = crate::operator();
    let org_id = match org {
        Some(code) => store.org_by_code(&scope, code).await.map_err(|_| anyhow::anyhow!("找不到组织代码为“{code}”的党组织"))?.id,
        None => store.org_children(&scope, None).await?.into_iter().next().map(|c| c.org.id).ok_or_else(|| anyhow::anyhow!("数据库中还没有党组织：请先导入组织名册，或用 --org 指定"))?,
    };
    let shown: Vec<survey::campaign::ResultsFile> = files.iter().map(|p| survey::campaign::ResultsFile { path: p.clone(), shown: p.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_else(|| p.display().to_string()) }).collect();
    let r = survey::campaign::import_results(store, &scope, org_id, &shown, questionnaire, title, None, chrono::Local::now().date_naive()).await.map_err(plain)?;
    if format == "json" {
        println!("{}", serde_json::to_string(&r)?);
        return Ok(());
    }
    for f in &r.files {
        println!("{}：{}{}文件，{}份答卷，{}道题", f.file, f.platform, f.coding, f.rows, f.questions);
    }
    println!("问卷：{}（编号 {}）", if r.inferred { "由文件推断" } else { "对应到已有问卷" }, r.questionnaire);
    println!("调研编号 {}：导入答卷 {} 份，其中有效 {} 份{}", r.campaign, r.responses, r.valid, if r.repeated > 0 { format!("（{}份重复，未计）", r.repeated) } else { String::new() });
    for n in &r.notes {
        println!("提示：{n}");
    }
    Ok(())
}

pub fn builtin(out: &std::path::Path) -> Result<()> {
    let b = survey::xlsform::write(&survey::builtin::questionnaire())?;
    std::fs::write(out, b)?;
    println!("已写出内置问卷（XLSForm）：{}", out.display());
    Ok(())
}

pub async fn stats(store: &Store, campaign: i64, format: &str) -> Result<()> {
    let s = survey::campaign::stats(store, &crate::operator(), campaign).await.map_err(plain)?;
    match format {
        "json" => println!("{}", serde_json::to_string_pretty(&s)?),
        "table" => {
            println!("{}", s.title);
            println!("{}。", s.sentence);
            println!("\n{:<28} {:>6} {:>6} {:>6} {:>10}", "单位", "发放", "回收", "有效", "有效回收率");
            for u in &s.units {
                println!("{:<28} {:>6} {:>6} {:>6} {:>10}", u.org_name, u.issued, u.returned, u.valid, u.valid_rate.map(|r| format!("{r:.1}%")).unwrap_or("—".into()));
            }
            println!("\n{:<28} {:>6} {:>6} {:>6} {:>10}", "领域", "发放", "回收", "有效", "有效回收率");
            for g in &s.sectors {
                println!("{:<28} {:>6} {:>6} {:>6} {:>10}", g.group, g.issued, g.returned, g.valid, g.valid_rate.map(|r| format!("{r:.1}%")).unwrap_or("—".into()));
            }
            if !s.flaws.is_empty() {
                println!("\n无效原因：");
                for (f, n) in &s.flaws {
                    println!("  {f} {n}");
                }
            }
        }
        other => bail!("输出格式“{other}”无法识别，可选 json 或 table"),
    }
    Ok(())
}

/// `survey analysis`: each question's options with counts and percentages, the "其他"
/// texts and the means of scales, on valid responses (all returned with `--all`).
pub async fn analysis(store: &Store, campaign: i64, all: bool, format: &str) -> Result<()> {
    if !matches!(format, "json" | "table") {
        bail!("输出格式“{format}”无法识别，可选 json 或 table");
    }
    let d = survey::analysis::data(store, &crate::operator(), campaign, !all).await.map_err(plain)?;
    let questions = survey::analysis::summary(&d);
    let base = if all { "全部回收问卷" } else { "有效问卷" };
    if format == "json" {
        println!("{}", serde_json::to_string_pretty(&serde_json::json!({"campaign": campaign, "base": base, "responses": d.rows.len(), "questions": questions}))?);
        return Ok(());
    }
    println!("统计基数：{base} {} 份", d.rows.len());
    for q in &questions {
        println!("
{}（{}，作答 {} 人）", q.label, q.kind, q.answered);
        for o in &q.options {
            println!("  {:<24} {:>6}  {:>6.1}%", o.label, o.count, o.percent);
        }
        if let Some(m) = q.mean {
            println!("  均值 {m:.2}{}", q.sd.map(|s| format!("，标准差 {s:.2}")).unwrap_or_default());
        }
        if !q.other.is_empty() {
            println!("  其他（{}条）：{}", q.other.len(), q.other.iter().take(10).cloned().collect::<Vec<_>>().join("；"));
        }
    }
    Ok(())
}

pub async fn export(store: &Store, campaign: i64, format: &str, out: &std::path::Path, valid_only: bool) -> Result<()> {
    let Some(f) = Format::parse(format) else { bail!("导出格式“{format}”无法识别，可选 csv、xlsx、sav、dta") };
    let started = std::time::Instant::now();
    let e = survey::export::export(store, &crate::operator(), campaign, f, valid_only, out).await.map_err(plain)?;
    println!("已导出 {} 份答卷到 {}（用时 {:.1} 秒）", e.rows, out.display(), started.elapsed().as_secs_f64());
    if e.truncated > 0 {
        eprintln!("提示：{} 个文本答案超过该格式的长度上限（SAV 32767 字节、DTA 2045 字节）已截断；完整文本请导出 CSV 或 XLSX", e.truncated);
    }
    Ok(())
}

/// The demo campaign over a freshly generated jurisdiction.
pub async fn generate(store: &Store, rules: &domain::rules::Rules, seed: u64, as_of: domain::Date, counties: usize) -> Result<()> {
    let started = std::time::Instant::now();
    let (id, n) = generator::survey::campaign(store, rules, seed, as_of, counties).await?;
    println!("问卷调查：调研 {id}，生成 {n} 份答卷（{:.1} 秒）", started.elapsed().as_secs_f64());
    Ok(())
}
