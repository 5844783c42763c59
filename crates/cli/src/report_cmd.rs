//! `dangjian report` and `dangjian indicators`.

use anyhow::{bail, Context, Result};
use clap::Args;
use store::Store;

#[derive(Args)]
pub struct ReportArgs {
    /// 报告对象：党组织代码（其本级及全部下级）；用 --saved 时可省略
    #[arg(long, required_unless_present = "saved")]
    org: Option<String>,
    /// 调研年度；用 --saved 时可省略
    #[arg(long, required_unless_present = "saved")]
    period: Option<i32>,
    /// 格式：docx、html 或 md
    #[arg(long, default_value = "docx")]
    format: String,
    /// 输出文件
    #[arg(long)]
    out: std::path::PathBuf,
    /// 数据截止日期，即调研期的结束（YYYY-MM-DD），默认今天与年底中较早者
    #[arg(long)]
    as_of: Option<String>,
    /// 调研期开始日期（YYYY-MM-DD），默认该年1月1日
    #[arg(long)]
    from: Option<String>,
    /// 纳入报告的问卷调查编号（可重复或用逗号分隔），默认调研期内开始的全部问卷调查
    #[arg(long = "campaign", value_delimiter = ',')]
    campaigns: Vec<i64>,
    /// 纳入报告的访谈编号（可重复或用逗号分隔），默认调研期内的全部访谈
    #[arg(long = "interview", value_delimiter = ',')]
    interviews: Vec<i64>,
    /// 纳入报告的案例编号（可重复或用逗号分隔），默认全部案例
    #[arg(long = "case", value_delimiter = ',')]
    cases: Vec<i64>,
    /// 调研单位（署名），默认“某县委组织部调研组”
    #[arg(long, alias = "team")]
    unit: Option<String>,
    /// 成文日期（YYYY-MM-DD），默认数据截止日期
    #[arg(long)]
    date: Option<String>,
    /// 按已保存的报告记录（编号）的选择再次生成
    #[arg(long)]
    saved: Option<i64>,
    /// 重新计算指标（默认使用该年度最近一次计算的结果）
    #[arg(long)]
    refresh: bool,
    /// 标题字体
    #[arg(long, default_value = "方正小标宋简体")]
    font_title: String,
    /// 正文字体
    #[arg(long, default_value = "仿宋_GB2312")]
    font_body: String,
    /// 一级标题字体
    #[arg(long, default_value = "黑体")]
    font_heading1: String,
    /// 二级标题字体
    #[arg(long, default_value = "楷体_GB2312")]
    font_heading2: String,
    /// 页码字体
    #[arg(long, default_value = "宋体")]
    font_page_number: String,
    /// 三级标题（1.）加粗
    #[arg(long)]
    heading3_bold: bool,
}

#[derive(Args)]
pub struct IndicatorArgs {
    /// 党组织代码
    #[arg(long)]
    org: String,
    /// 年度
    #[arg(long)]
    year: i32,
    /// 重新计算
    #[arg(long)]
    refresh: bool,
    /// 数据截止日期（YYYY-MM-DD）
    #[arg(long)]
    as_of: Option<String>,
    /// 输出格式：table 或 json
    #[arg(long, default_value = "table")]
    format: String,
}

fn as_of(s: Option<&str>, year: i32) -> Result<domain::Date> {
    match s {
        Some(s) => domain::parse_date("as_of", "截止日期", s).map_err(|e| anyhow::anyhow!(e.message)),
        None => {
            let today = chrono::Local::now().date_naive();
            let end = domain::Date::from_ymd_opt(year, 12, 31).context("年度无效")?;
            Ok(today.min(end))
        }
    }
}

fn day(what: &str, s: Option<&str>) -> Result<Option<domain::Date>> {
    s.map(|s| domain::parse_date("date", what, s).map_err(|e| anyhow::anyhow!(e.message))).transpose()
}

pub async fn report(store: &Store, rules: &domain::rules::Rules, rules_text: &str, a: ReportArgs) -> Result<()> {
    let Some(format) = report::Format::parse(&a.format) else { bail!("报告格式“{}”无法识别，可选 docx、html、md", a.format) };
    let all = crate::operator();
    let (org, year, as_of, choices) = match a.saved {
        Some(id) => {
            let s = store.saved_report(&all, id).await.with_context(|| format!("找不到报告记录 {id}"))?;
            let choices: report::Choices = serde_json::from_str(&s.choices).context("报告记录中的选择无法读取")?;
            (store.org(&all, s.org_id).await?, s.year, s.as_of, choices)
        }
        None => {
            let code = a.org.as_deref().context("请用 --org 指定党组织代码")?;
            let year = a.period.context("请用 --period 指定调研年度")?;
            let org = store.org_by_code(&all, code).await.with_context(|| format!("找不到组织代码 {code}"))?;
            let some = |v: Vec<i64>| (!v.is_empty()).then_some(v);
            let choices = report::Choices {
                campaigns: some(a.campaigns),
                interviews: some(a.interviews),
                cases: some(a.cases),
                from: day("调研期开始日期", a.from.as_deref())?,
                unit: a.unit,
                dated: day("成文日期", a.date.as_deref())?,
            };
            (org, year, as_of(a.as_of.as_deref(), year)?, choices)
        }
    };
    let started = std::time::Instant::now();
    let req = report::Request { org: org.id, year, as_of, rules, rules_text, refresh: a.refresh, choices: choices.clone() };
    let r = report::build(store, &all, &req).await?;
    let fonts = report::docx::Fonts { title: a.font_title, body: a.font_body, heading1: a.font_heading1, heading2: a.font_heading2, page_number: a.font_page_number, heading3_bold: a.heading3_bold };
    let bytes = report::render(&r, format, &fonts)?;
    std::fs::write(&a.out, bytes).with_context(|| format!("无法写入 {}", a.out.display()))?;
    let saved = match a.saved {
        Some(id) => id,
        None => store.save_report(&all, org.id, year, as_of, &serde_json::to_string(&choices)?, &r.title, "命令行").await?,
    };
    println!("已写出《{}》到 {}（用时 {:.1} 秒；报告记录 {saved}，可用 --saved {saved} 按同样的选择再次生成）", r.title, a.out.display(), started.elapsed().as_secs_f64());
    Ok(())
}

pub async fn indicators(store: &Store, rules: &domain::rules::Rules, a: IndicatorArgs) -> Result<()> {
    let all = crate::operator();
    let org = store.org_by_code(&all, &a.org).await.with_context(|| format!("找不到组织代码 {}", a.org))?;
    let started = std::time::Instant::now();
    let as_of = as_of(a.as_of.as_deref(), a.year)?;
    if a.refresh {
        let c = indicators::compute(store, rules, a.year, as_of).await?;
        let phases: Vec<String> = c.phases.iter().map(|(p, s)| format!("{p} {s:.2} 秒")).collect();
        eprintln!("重新计算：{} 个党组织，{} 行结果，用时 {:.2} 秒（{}）", c.orgs, c.rows, c.seconds, phases.join("，"));
    }
    let run = indicators::run_for(store, rules, a.year, as_of, false).await?;
    let (_, figs) = indicators::figures(store, &all, &run, org.id).await?;
    match a.format.as_str() {
        "json" => println!("{}", serde_json::to_string_pretty(&figs)?),
        "table" => {
            println!("{}（{}年，计算编号 {}，数据截至 {}）", org.name, a.year, run.id, run.as_of);
            for f in &figs {
                let v = f.value.ratio.map(|r| f.indicator.format(r)).unwrap_or_else(|| "数据缺乏".into());
                println!("{:<10} {:<36} {:>9}  {:>8}/{:<8} {}", f.indicator.section, f.indicator.name, v, f.value.numerator, f.value.denominator, if f.value.alert { "预警" } else { "" });
            }
            eprintln!("用时 {:.2} 秒", started.elapsed().as_secs_f64());
        }
        other => bail!("输出格式“{other}”无法识别，可选 table 或 json"),
    }
    Ok(())
}
