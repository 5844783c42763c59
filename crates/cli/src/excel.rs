//! `dangjian import | export | template | stats annual`: spreadsheets in and out.

use anyhow::{bail, Context, Result};
use sheets::Kind;
use std::io::IsTerminal;
use std::path::Path;
use store::Store;

fn kind(s: &str) -> Result<Kind> {
    Kind::parse(s).with_context(|| {
        let all: Vec<String> = Kind::ALL.iter().map(|k| format!("{}（{}）", k.code(), k.label())).collect();
        format!("类别“{s}”无法识别，可选：{}", all.join("、"))
    })
}

pub async fn import(store: &Store, file: &Path, (kind_text, sheet): (&str, Option<&str>), rules: &domain::rules::Rules, dry_run: bool, report_path: Option<&Path>) -> Result<()> {
    let kind = kind(kind_text)?;
    let today = chrono::Local::now().date_naive();
    let bar = if std::io::stderr().is_terminal() {
        let b = indicatif::ProgressBar::new_spinner();
        b.set_style(indicatif::ProgressStyle::with_template("{spinner} 已读取 {pos} 行（{per_sec}）{elapsed}").expect("valid template"));
        Some(b)
    } else {
        None
    };
    let started = std::time::Instant::now();
    let report = sheets::import_file(store, &crate::operator(), file, kind, (today, rules), dry_run, (None, None, sheet, None), |n| {
        if let Some(b) = &bar {
            b.set_position(n);
        }
    })
    .await?;
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "{}：{}，工作表“{}”，表头在第{}行，共{}行数据（{:.1}秒，{:.0}行/秒）",
        kind.label(),
        report.file,
        if report.sheet.is_empty() { "CSV" } else { &report.sheet },
        report.header_row,
        report.rows,
        secs,
        report.rows as f64 / secs.max(1e-9)
    );
    if !report.hidden_rows.is_empty() || !report.hidden_columns.is_empty() {
        let rows: Vec<String> = report.hidden_rows.iter().take(20).map(|n| format!("第{n}行")).collect();
        let cols: Vec<String> = report.hidden_columns.iter().map(|c| format!("{c}列")).collect();
        println!("注意：文件中有在Excel里隐藏的{}，已与其他内容一样读取；如不应导入，请取消隐藏后删除再导入", rows.into_iter().chain(cols).collect::<Vec<_>>().join("、"));
    }
    if !report.missing_columns.is_empty() {
        println!("文件中没有这些列：{}（新登记的记录中民族、学历、职业记为“未登记”，其余留空或按其他列推定；已有记录保留系统中的内容）", report.missing_columns.join("、"));
    }
    if !report.gaps.is_empty() {
        let g: Vec<String> = report.gaps.iter().map(|(f, n)| if f.contains("只有年月") { format!("{n}人{f}") } else { format!("{n}人缺少{f}") }).collect();
        let done = if report.committed { "已导入" } else { "可以导入" };
        println!("信息不全（{done}，导入后可在“信息完整性”中补齐）：{}", g.join("；"));
    }
    if !report.unused_columns.is_empty() {
        println!("注意：以下列不属于{}，其内容没有导入：{}", kind.label(), report.unused_columns.join("、"));
    }
    if report.error_count() > 0 {
        for line in sheets::error_report::error_lines(&report) {
            eprintln!("{line}");
        }
        let out = match report_path {
            Some(p) => p.to_path_buf(),
            None => {
                let stem = file.file_stem().map(|s| s.to_string_lossy().to_string()).unwrap_or_else(|| "导入".into());
                file.with_file_name(format!("{stem}_错误报告.xlsx"))
            }
        };
        let bytes = sheets::error_report::error_report_xlsx(&report)?;
        std::fs::write(&out, bytes).with_context(|| format!("无法写入错误报告 {}", out.display()))?;
        bail!("{}处错误，未导入任何数据；错误报告（出错单元格标红）已保存到 {}", report.error_count(), out.display());
    }
    let c = report.counts;
    for ch in report.changes.iter().take(20) {
        println!("  第{}行 {}：{} {} → {}", ch.row, ch.who, ch.column, ch.old, ch.new);
    }
    if report.changes.len() > 20 {
        println!("  ……等共{}项更改", report.changes.len());
    }
    if report.dry_run {
        println!("预览（未写入）：将新增{}条，更新{}条，{}条与系统中一致", c.inserted, c.updated, c.unchanged);
    } else {
        println!("导入完成：新增{}条，更新{}条，{}条与系统中一致未改动", c.inserted, c.updated, c.unchanged);
    }
    Ok(())
}

async fn root(store: &Store, code: &str) -> Result<i64> {
    Ok(store.org_by_code(&crate::operator(), code).await.with_context(|| format!("找不到组织代码为“{code}”的党组织"))?.id)
}

pub async fn export(store: &Store, kind_text: &str, org: &str, out: &Path, year: Option<i32>, disclosure: &sheets::export::Disclosure) -> Result<()> {
    let kind = kind(kind_text)?;
    let root = root(store, org).await?;
    let n = sheets::export::export_file(store, &crate::operator(), kind, root, year, out, None, disclosure).await?;
    println!("已导出{}{}条到 {}", kind.label(), n, out.display());
    Ok(())
}

pub fn template(kind_text: &str, out: &Path) -> Result<()> {
    let kind = kind(kind_text)?;
    std::fs::write(out, sheets::template::template_xlsx(kind)?).with_context(|| format!("无法写入 {}", out.display()))?;
    println!("已生成{}导入模板：{}", kind.label(), out.display());
    Ok(())
}

pub async fn annual(store: &Store, org: &str, year: i32, out: &Path, rules: &domain::rules::Rules) -> Result<()> {
    let root = root(store, org).await?;
    let tables = sheets::annual::annual_tables(store, &crate::operator(), root, year, rules).await?;
    std::fs::write(out, sheets::annual::annual_xlsx(&tables)?).with_context(|| format!("无法写入 {}", out.display()))?;
    println!("已生成{year}年党内统计年报（{}张表）：{}", tables.tables.len(), out.display());
    Ok(())
}

pub async fn roster(store: &Store, rows: u64, org: &str, out: &Path, seed: u64) -> Result<()> {
    let root = root(store, org).await?;
    let mut branches = Vec::new();
    store
        .export_orgs(&crate::operator(), root, |o| {
            if o.org.level.holds_members() {
                branches.push(generator::roster::Branch { code: o.org.code, name: o.org.name, sector: o.org.sector });
            }
            Ok::<(), store::StoreError>(())
        })
        .await?;
    if branches.is_empty() {
        bail!("“{org}”下没有党支部，无法生成花名册");
    }
    let as_of = chrono::Local::now().date_naive();
    let mut w = sheets::export::writer(Kind::Members, out)?;
    for (p, b) in generator::roster::roster(rows, seed, as_of, &branches) {
        w.row(&sheets::export::member_cells(&sheets::export::MemberLine {
            name: &p.name,
            sex: p.sex,
            ethnicity: p.ethnicity,
            birth_date: p.birth,
            citizen_id: p.citizen_id.reveal(),
            education: p.education,
            occupation: p.occupation,
            joined_on: p.joined_on,
            full_on: p.full_on,
            status: p.status,
            org_name: &b.name,
            org_code: &b.code,
            group_name: None,
            phone: Some(&p.phone),
            is_mobile: p.is_mobile,
            archive_location: None,
            materials: &p.materials,
        }))?;
    }
    w.finish()?;
    println!("已生成{rows}行模拟花名册：{}", out.display());
    Ok(())
}
