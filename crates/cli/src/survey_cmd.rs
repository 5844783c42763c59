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
