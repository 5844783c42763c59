//! `dangjian research …`: interviews, coded passages, cases, documents, search, and the
//! lexicon's measured precision and recall.

use anyhow::{bail, Context, Result};
use clap::Subcommand;
use domain::research::{Codebook, IntervieweeForm, InterviewForm};
use domain::Labelled;
use store::{Scope, Store};

#[derive(Subcommand)]
#[command(subcommand_help_heading = "命令")]
pub enum ResearchCommand {
    /// 访谈列表和“选取了xx个具有代表性的基层单位”的计数
    #[command(help_template = crate::HELP, next_help_heading = "选项")]
    Interviews {
        /// 只列此党组织（组织代码）及下级的访谈
        #[arg(long)]
        org: Option<String>,
        /// 输出格式：table 或 json
        #[arg(long, default_value = "table")]
        format: String,
    },
    /// 录入一次访谈：记录来自 Markdown 或纯文本文件（空行分段）
    #[command(help_template = crate::HELP, next_help_heading = "选项")]
    AddInterview {
        /// 访谈单位的组织代码
        #[arg(long)]
        org: String,
        /// 访谈日期 YYYY-MM-DD
        #[arg(long)]
        date: String,
        /// 访谈人
        #[arg(long)]
        interviewers: String,
        /// 受访者，写作 类别:称呼[:职务]，类别为 leader/worker/member/public 或 党组织负责人/党务工作者/普通党员/群众；可重复
        #[arg(long = "interviewee", required = true)]
        interviewees: Vec<String>,
        /// 访谈地点
        #[arg(long, default_value = "")]
        place: String,
        /// 访谈记录文件（UTF-8）
        #[arg(long)]
        notes: std::path::PathBuf,
        /// 附件（PDF、Word、Excel、图片、录音、文本），可重复
        #[arg(long = "attach")]
        attachments: Vec<std::path::PathBuf>,
    },
    /// 各编码类别的段落（或一个类别的全部段落）
    #[command(help_template = crate::HELP, next_help_heading = "选项")]
    Codes {
        /// 类别编号，如 meeting_quality；不填则列出各类别的段落数
        #[arg(long)]
        category: Option<String>,
    },
    /// 典型案例列表
    #[command(help_template = crate::HELP, next_help_heading = "选项")]
    Cases,
    /// 政策文献及其要求（对应的规则文件条目）
    #[command(help_template = crate::HELP, next_help_heading = "选项")]
    Documents,
    /// 全文检索访谈、案例和文献（忽略标点和空格）
    #[command(help_template = crate::HELP, next_help_heading = "选项")]
    Search {
        /// 检索词
        query: String,
        /// 只在此党组织（组织代码）及下级范围内检索
        #[arg(long)]
        org: Option<String>,
        /// 最多显示条数
        #[arg(long, default_value_t = 20)]
        limit: usize,
    },
    /// 关键词词表建议编码的准确率和召回率（默认用内置的留出样本和调词样本）
    #[command(help_template = crate::HELP, next_help_heading = "选项")]
    Evaluate {
        /// 自备的标注样本：每行 类别,类别<TAB>文字
        #[arg(long)]
        set: Option<std::path::PathBuf>,
    },
    /// 导出为 REFI-QDA 交换格式（NVivo、ATLAS.ti、MAXQDA、QualCoder 可读）：qdpx 含访谈、案例、编码本和编码；qdc 只含编码本
    #[command(help_template = crate::HELP, next_help_heading = "选项")]
    Export {
        /// 格式：qdpx 或 qdc
        #[arg(long)]
        format: String,
        /// 输出文件
        #[arg(long)]
        out: std::path::PathBuf,
        /// 只导出某党组织及下级的资料（组织代码）
        #[arg(long)]
        org: Option<String>,
    },
    /// 导入其他质性分析软件导出的 REFI-QDA 项目（.qdpx）：按字符位置把编码放到访谈段落上，列出放不上的编码及原因
    #[command(help_template = crate::HELP, next_help_heading = "选项")]
    Import {
        /// .qdpx 文件（或单独的 project.qde）
        file: std::path::PathBuf,
        /// 输出格式：table 或 json
        #[arg(long, default_value = "table")]
        format: String,
    },
    /// 编码一致性：第二编码人盲编（复核编码）的访谈，逐类别的 Cohen's κ、一致百分比和混淆计数，并列出不一致之处
    #[command(help_template = crate::HELP, next_help_heading = "选项")]
    Agreement {
        /// 输出格式：table 或 json
        #[arg(long, default_value = "table")]
        format: String,
    },
}

async fn scope(store: &Store, org: Option<&str>) -> Result<Scope> {
    Ok(match org {
        Some(code) => {
            let o = store.org_by_code(&crate::operator(), code).await.with_context(|| format!("找不到组织代码 {code}"))?;
            store.subtree_scope(o.id).await?
        }
        None => crate::operator(),
    })
}

pub async fn run(store: &Store, cmd: ResearchCommand) -> Result<()> {
    match cmd {
        ResearchCommand::Interviews { org, format } => {
            let s = scope(store, org.as_deref()).await?;
            let list = store.interviews(&s).await?;
            let counts = store.interview_counts(&s).await?;
            match format.as_str() {
                "json" => {
                    let items: Vec<serde_json::Value> = list
                        .iter()
                        .map(|i| serde_json::json!({"id": i.id, "org_code": i.org_code, "org_name": i.org_name, "unit_type": i.sector.label(), "held_on": i.held_on, "interviewees": i.people.iter().map(|(r, n, _)| format!("{}：{n}", r.label())).collect::<Vec<_>>()}))
                        .collect();
                    println!("{}", serde_json::to_string_pretty(&serde_json::json!({"interviews": items, "sentence": qualitative::interviews::method_sentence(&counts)}))?);
                }
                "table" => {
                    for i in &list {
                        println!("{:>5}  {}  {}（{}）  受访 {} 人", i.id, i.held_on, i.org_name, i.sector.label(), i.people.len());
                    }
                    println!("\n{}", qualitative::interviews::method_sentence(&counts));
                }
                other => bail!("输出格式“{other}”无法识别，可选 table 或 json"),
            }
        }
        ResearchCommand::AddInterview { org, date, interviewers, interviewees, place, notes, attachments } => {
            let all = crate::operator();
            let unit = store.org_by_code(&all, &org).await.with_context(|| format!("找不到组织代码 {org}"))?;
            let text = std::fs::read_to_string(&notes).with_context(|| format!("无法读取访谈记录 {}（须为 UTF-8 文本）", notes.display()))?;
            let people = interviewees
                .iter()
                .map(|p| {
                    let mut parts = p.splitn(3, [':', '：']);
                    IntervieweeForm { role: parts.next().unwrap_or("").into(), name: parts.next().unwrap_or("").into(), position: parts.next().unwrap_or("").into() }
                })
                .collect();
            let mut files = Vec::new();
            for a in &attachments {
                let bytes = std::fs::read(a).with_context(|| format!("无法读取附件 {}", a.display()))?;
                files.push(qualitative::Upload { file_name: a.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(), bytes });
            }
            let form = InterviewForm { org_id: unit.id.to_string(), held_on: date, place, interviewers, interviewees: people, notes: text };
            match qualitative::interviews::create(store, &all, &form, files, None, chrono::Local::now().date_naive()).await {
                Ok(id) => println!("{id}"),
                Err(qualitative::ResearchError::Invalid(v)) => {
                    for e in &v.errors {
                        eprintln!("错误：{}", e.message);
                    }
                    bail!("访谈未保存（{} 处错误）", v.errors.len());
                }
                Err(e) => return Err(e.into()),
            }
        }
        ResearchCommand::Codes { category } => {
            let all = crate::operator();
            let book = Codebook::builtin();
            match category {
                Some(c) => {
                    let v = qualitative::interviews::category(store, &all, &c).await?;
                    println!("{} {}：{} 段", v.section, v.name, v.passages.len());
                    for p in &v.passages {
                        println!("- {}{}（{}，{}）", if p.quote { "★" } else { "" }, p.excerpt, p.unit, p.held_on);
                    }
                }
                None => {
                    let counts = store.coding_counts(&all).await?;
                    for c in &book.categories {
                        let n = counts.iter().find(|x| x.category == c.id);
                        println!("{:<8} {:<18} {:<14} 段落 {:>4}  访谈 {:>3}  引语 {:>3}", c.section, c.id, c.name, n.map_or(0, |x| x.passages), n.map_or(0, |x| x.interviews), n.map_or(0, |x| x.quotes));
                    }
                }
            }
        }
        ResearchCommand::Cases => {
            let book = Codebook::builtin();
            for c in store.cases(&crate::operator()).await? {
                let cats: Vec<&str> = c.categories.iter().map(|k| book.name(k)).collect();
                println!("{:>4}  [{}] {}（{}，{}）  {}", c.id, c.kind.label(), c.title, c.org_name, c.period, cats.join("、"));
            }
        }
        ResearchCommand::Documents => {
            for d in store.documents().await? {
                println!("{:>4}  《{}》 {} {} {}", d.id, d.title, d.issuer, d.doc_number, d.issued_on.map(|x| x.to_string()).unwrap_or_default());
                for (t, k) in &d.requirements {
                    println!("        - {t}{}", k.as_ref().map(|k| format!("  → {k}")).unwrap_or_default());
                }
            }
        }
        ResearchCommand::Search { query, org, limit } => {
            let s = scope(store, org.as_deref()).await?;
            let hits = qualitative::search::search(store, &s, &query, limit).await?;
            println!("检索词：{}；找到 {} 处", segment::query_terms(&query).join(" + "), hits.len());
            for h in hits {
                println!("[{}] {} #{}\n    {}", h.kind, h.title, h.part, h.snippet);
            }
        }
        ResearchCommand::Export { format, out, org } => {
            let scope = scope(store, org.as_deref()).await?;
            let book = domain::research::Codebook::builtin();
            match format.as_str() {
                "qdc" => {
                    std::fs::write(&out, qualitative::refi::codebook_qdc(book)).with_context(|| format!("无法写出 {}", out.display()))?;
                    println!("已写出编码本（{}个类别）：{}", book.categories.len(), out.display());
                }
                "qdpx" => {
                    let mut f = std::fs::File::create(&out).with_context(|| format!("无法写出 {}", out.display()))?;
                    let e = qualitative::refi::export_qdpx(store, &scope, book, &mut f).await?;
                    println!("已写出 REFI-QDA 项目：{}（访谈 {} 次、案例 {} 个、编码类别 {} 个、编码 {} 处）", out.display(), e.interviews, e.cases, e.codes, e.codings);
                }
                f => anyhow::bail!("格式“{f}”无法识别，可选 qdpx（完整项目）或 qdc（编码本）"),
            }
        }
        ResearchCommand::Import { file, format } => {
            if !matches!(format.as_str(), "table" | "json") {
                anyhow::bail!("输出格式“{format}”无法识别，可选 table 或 json");
            }
            let bytes = std::fs::read(&file).with_context(|| format!("无法读取 {}", file.display()))?;
            let r = qualitative::refi::import_qdpx(store, &crate::operator(), domain::research::Codebook::builtin(), &bytes, None).await?;
            if format == "json" {
                println!("{}", serde_json::to_string_pretty(&r)?);
                return Ok(());
            }
            println!("对应上的访谈 {} 次；新写入编码 {} 处，已有 {} 处；未能放置 {} 处", r.sources_matched, r.placed, r.present, r.unplaced.len());
            if !r.unknown_codes.is_empty() {
                println!("编码本中没有的编码（未导入，如需使用请先在编码本 catalogue/codebook.toml 中增加）：{}", r.unknown_codes.join("、"));
            }
            if !r.sources_unmatched.is_empty() {
                println!("找不到对应访谈的资料：{}", r.sources_unmatched.join("、"));
            }
            for u in &r.unplaced {
                let at = match (u.start, u.end) {
                    (Some(a), Some(b)) => format!("第{a}–{b}字"),
                    _ => "未知位置".into(),
                };
                println!("  {} {} “{}”：{}", u.source, at, u.code, u.reason);
            }
        }
        ResearchCommand::Agreement { format } => {
            if !matches!(format.as_str(), "table" | "json") {
                anyhow::bail!("输出格式“{format}”无法识别，可选 table 或 json");
            }
            let a = qualitative::agreement::agreement(store, &crate::operator()).await?;
            if format == "json" {
                println!("{}", serde_json::to_string_pretty(&a)?);
                return Ok(());
            }
            println!("双人编码的访谈 {} 次，可编码段落 {} 段", a.interviews, a.passages);
            println!("{:<20} {:>6} {:>6} {:>6} {:>6} {:>8} {:>7}", "类别", "都编", "仅一", "仅二", "都未编", "一致率", "κ");
            for c in a.categories.iter().filter(|c| c.both + c.first_only + c.second_only > 0) {
                let k = c.kappa.map(|k| format!("{k:.3}")).unwrap_or_else(|| "—".into());
                println!("{:<20} {:>6} {:>6} {:>6} {:>6} {:>7.1}% {:>7}", c.name, c.both, c.first_only, c.second_only, c.neither, c.percent, k);
            }
            if !a.disagreements.is_empty() {
                println!("\n不一致（{} 处，请两位编码人商定）：", a.disagreements.len());
                for d in &a.disagreements {
                    println!("  访谈{} 第{}段 {}：只有{}编了 —— {}", d.interview_id, d.passage + 1, d.name, d.coded_by, d.text);
                }
            }
        }
        ResearchCommand::Evaluate { set } => {
            let lex = qualitative::interviews::lexicon(store).await?;
            let sets: Vec<(String, String)> = match set {
                Some(p) => vec![(p.display().to_string(), std::fs::read_to_string(&p).with_context(|| format!("无法读取 {}", p.display()))?)],
                None => vec![("留出样本（未用于调词）".into(), qualitative::HELD_OUT_SET.into()), ("调词样本".into(), qualitative::TUNING_SET.into())],
            };
            for (name, text) in sets {
                let labelled = qualitative::lexicon::read_labelled(&text).map_err(|e| anyhow::anyhow!("{name}：{e}"))?;
                let e = qualitative::lexicon::evaluate(&lex, &labelled);
                println!("{name}：{} 段，准确率 {:.1}%，召回率 {:.1}%，F1 {:.3}（TP {} / FP {} / FN {}）", e.passages, e.precision * 100.0, e.recall * 100.0, e.f1, e.true_positives, e.false_positives, e.false_negatives);
                for (c, tp, fp, fnn) in &e.per_category {
                    println!("    {c:<18} TP {tp:>2}  FP {fp:>2}  FN {fnn:>2}");
                }
            }
        }
    }
    Ok(())
}
