//! The `dangjian` command: demo, serve, generate, import/export, statistics, users, migrations.

use anyhow::{bail, Context, Result};
use clap::{Args, Parser, Subcommand};
use domain::user::Role;
use domain::Labelled;
use std::io::IsTerminal;
use store::{Scope, Store};

mod excel;
mod backups;
mod report_cmd;
mod research_cmd;
mod survey_cmd;

pub(crate) const HELP: &str = "{before-help}{about-with-newline}\n用法：{usage}\n\n{all-args}{after-help}";

/// 党建（dangjian）：基层党建工作登记、调研与报告平台
#[derive(Parser)]
#[command(name = "dangjian", version, help_template = HELP, disable_help_subcommand = true,
    subcommand_help_heading = "命令", subcommand_value_name = "命令", next_help_heading = "选项",
    disable_help_flag = true, disable_version_flag = true)]
struct Cli {
    /// 显示帮助
    #[arg(short = 'h', long = "help", global = true, action = clap::ArgAction::Help)]
    help: Option<bool>,
    /// 显示版本
    #[arg(short = 'V', long = "version", action = clap::ArgAction::Version)]
    version: Option<bool>,
    /// 数据库地址：sqlite://文件路径 或 postgres://用户:密码@主机/库名
    #[arg(long, global = true, env = "DANGJIAN_DATABASE_URL", default_value = store::DEFAULT_DATABASE_URL)]
    db: String,
    /// 规则文件（默认使用内置规则；用 dangjian rules export 导出后修改）；所有判定规则的命令都使用它
    #[arg(long, global = true, env = "DANGJIAN_RULES")]
    rules: Option<std::path::PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// 演示：数据库为空时生成一个示范县，然后启动网页服务并打印登录账号
    #[command(help_template = HELP, next_help_heading = "选项")]
    Demo {
        /// 监听地址
        #[arg(long, default_value = "127.0.0.1:8080")]
        bind: String,
        /// 数据库为空时生成的规模：small、county
        #[arg(long, default_value = "county")]
        scale: String,
    },
    /// 启动网页服务和接口（API）
    #[command(help_template = HELP, next_help_heading = "选项")]
    Serve {
        /// 监听地址
        #[arg(long, default_value = "127.0.0.1:8080")]
        bind: String,
        /// 定时备份的目录（不设则不定时备份）
        #[arg(long)]
        backup_dir: Option<std::path::PathBuf>,
        /// 定时备份的间隔（小时）
        #[arg(long, default_value_t = 24.0)]
        backup_every: f64,
        /// 保留最近几份定时备份（更早的自动删除）
        #[arg(long, default_value_t = 7)]
        backup_keep: usize,
        /// 用户访问的地址，例如 https://dangjian.example.gov.cn：以 https:// 开头时 Cookie 只经加密连接发送，并启用 HSTS
        #[arg(long, env = "DANGJIAN_PUBLIC_URL")]
        public_url: Option<String>,
        /// 会话空闲多少分钟后失效
        #[arg(long, default_value_t = 120)]
        session_idle_minutes: i64,
        /// 会话最长多少小时（到时须重新登录）
        #[arg(long, default_value_t = 12)]
        session_hours: i64,
    },
    /// 备份：在服务运行时也能做出一致的副本（SQLite 用 VACUUM INTO，PostgreSQL 用 pg_dump），旁边写出清单（各表行数和摘要）
    #[command(help_template = HELP, next_help_heading = "选项")]
    Backup {
        /// 备份文件（不能已存在）；清单写在 文件.manifest.json
        #[arg(long)]
        out: std::path::PathBuf,
    },
    /// 恢复：把备份恢复到 --db 指定的数据库，之后按清单核对各表行数和摘要
    #[command(help_template = HELP, next_help_heading = "选项")]
    Restore {
        /// 备份文件（旁边须有 .manifest.json 清单）
        file: std::path::PathBuf,
        /// 目标数据库已有数据时仍然覆盖
        #[arg(long)]
        force: bool,
    },
    /// 审计日志：登录、账号变更、每一次写入、导入和导出（只追加，全部保留）
    #[command(help_template = HELP, next_help_heading = "选项")]
    Audit {
        /// 从这一天（或时刻）起，例如 2026-12-01
        #[arg(long)]
        since: Option<String>,
        /// 只看这个用户（用户名；命令行操作记为“命令行（系统用户）”）
        #[arg(long)]
        user: Option<String>,
        /// 最多显示多少条（最新的在前）
        #[arg(long, default_value_t = 200)]
        limit: i64,
        /// 输出格式：table 或 json
        #[arg(long, default_value = "table")]
        format: String,
    },
    /// 数据密钥：身份证号、手机号和附件加密存储所用的密钥（查看、轮换）
    #[command(subcommand, help_template = HELP, next_help_heading = "选项")]
    Keys(KeysCommand),
    /// 生成模拟辖区数据（只写入空数据库；同一种子与日期生成完全相同的数据）
    #[command(help_template = HELP, next_help_heading = "选项")]
    Generate(GenerateArgs),
    /// 用户管理
    #[command(subcommand, help_template = HELP, next_help_heading = "选项")]
    User(UserCommand),
    /// 合规检查：某党组织及下级在某年的组织生活是否达到规则要求
    #[command(help_template = HELP, next_help_heading = "选项")]
    Compliance {
        /// 党组织代码
        #[arg(long)]
        org: String,
        /// 年份（当年只按已结束的月份、季度判定）
        #[arg(long)]
        year: i32,
        /// 输出格式：table 或 json
        #[arg(long, default_value = "table")]
        format: String,
        /// 同时列出未达标的党组织及缺少的周期
        #[arg(long)]
        failing: bool,
        /// 判定截止日期（YYYY-MM-DD），默认今天
        #[arg(long)]
        as_of: Option<String>,
    },
    /// 规则文件：导出生效的规则、检查规则文件
    #[command(subcommand, help_template = HELP, next_help_heading = "选项")]
    Rules(RulesCommand),
    /// 从Excel（.xlsx/.xls）或CSV（UTF-8或GBK）导入；任何一行有错误时不写入任何数据
    #[command(help_template = HELP, next_help_heading = "选项")]
    Import {
        /// 要导入的文件
        file: std::path::PathBuf,
        /// 导入类别：orgs（党组织）、members（党员花名册）、committee（班子成员）、meetings（会议记录）、dues（党费）、training（培训学时）
        #[arg(long)]
        kind: String,
        /// 只预览：检查全部数据并显示将新增、更新、不变的条数，不写入
        #[arg(long)]
        dry_run: bool,
        /// 有错误时把错误报告（标出错误单元格）写到这个.xlsx文件；默认写在导入文件旁边
        #[arg(long)]
        report: Option<std::path::PathBuf>,
        /// 工作簿中有多张名册时，要导入的工作表名
        #[arg(long)]
        sheet: Option<String>,
    },
    /// 导出某党组织及下级的数据为 .xlsx 或 .csv（可直接再导入）
    #[command(help_template = HELP, next_help_heading = "选项")]
    Export {
        /// 导出类别：orgs、members、committee、meetings、dues、training
        kind: String,
        /// 党组织代码
        #[arg(long)]
        org: String,
        /// 输出文件（.xlsx 或 .csv）
        #[arg(long)]
        out: std::path::PathBuf,
        /// 只导出这一年的会议（仅 meetings）
        #[arg(long)]
        year: Option<i32>,
        /// 导出完整的身份证号和电话（默认脱敏）；须同时用 --purpose 写明用途，记入导出记录
        #[arg(long, requires = "purpose")]
        full_ids: bool,
        /// 导出完整身份证号的用途
        #[arg(long)]
        purpose: Option<String>,
    },
    /// 生成空白导入模板（带下拉选项和填写说明）
    #[command(help_template = HELP, next_help_heading = "选项")]
    Template {
        /// 模板类别：orgs、members、committee、meetings、dues、training
        #[arg(long)]
        kind: String,
        /// 输出文件（.xlsx）
        #[arg(long)]
        out: std::path::PathBuf,
    },
    /// 生成模拟党员花名册（.xlsx/.csv），党员随机分布在数据库中某党组织下的各党支部，用于导入测试和性能测量
    #[command(help_template = HELP, next_help_heading = "选项")]
    Roster {
        /// 行数
        #[arg(long, default_value_t = 1000)]
        rows: u64,
        /// 党组织代码（取其下各党支部）
        #[arg(long)]
        org: String,
        /// 输出文件（.xlsx 或 .csv）
        #[arg(long)]
        out: std::path::PathBuf,
        /// 随机种子
        #[arg(long, default_value_t = 2026)]
        seed: u64,
    },
    /// 统计报表
    #[command(subcommand, help_template = HELP, next_help_heading = "选项")]
    Stats(StatsCommand),
    /// 问卷调查：导入问卷（XLSForm）、统计回收情况、导出答卷
    #[command(subcommand, help_template = HELP, next_help_heading = "选项")]
    Survey(SurveyCommand),
    /// 调研报告：按调研报告的结构用真实数据写出（Word 按 GB/T 9704 排版、HTML、Markdown）
    #[command(help_template = HELP, next_help_heading = "选项")]
    Report(report_cmd::ReportArgs),
    /// 指标：各项指标的数值（按指标目录计算并缓存），可重新计算
    #[command(help_template = HELP, next_help_heading = "选项")]
    Indicators(report_cmd::IndicatorArgs),
    /// 调研资料：实地访谈、编码、典型案例、政策文献、全文检索
    #[command(subcommand, help_template = HELP, next_help_heading = "选项")]
    Research(research_cmd::ResearchCommand),
    /// 执行数据库迁移（启动时也会自动执行）
    #[command(help_template = HELP, next_help_heading = "选项")]
    Migrate,
    /// 写入时汇总（每名党员每年的参加活动月份、最近一次参加、按时交纳党费的月份、各方式培训学时）：核对（verify）或重建（rebuild）
    #[command(help_template = HELP, next_help_heading = "选项")]
    Summaries {
        /// verify：与原始记录重新计算的结果逐行核对；rebuild：按原始记录全部重建
        action: String,
    },
    /// 性能测量：根组织与一个末级党支部的下级党员数查询耗时（取中位数）；加 --incremental 时测量登记一次会议后该组织及其上级的指标更新耗时
    #[command(help_template = HELP, next_help_heading = "选项")]
    Bench {
        /// 重复次数
        #[arg(long, default_value_t = 51)]
        repeat: usize,
        /// 测量指标的增量更新：在末级党支部中逐次登记主题党日（会写入数据库，只在测试数据上使用），每次之后更新该支部及其各级上级的指标
        #[arg(long)]
        incremental: bool,
    },
}

#[derive(Args)]
#[command(next_help_heading = "选项")]
struct GenerateArgs {
    /// 规模：small（小型县，约5千党员，用于测试）、county（县，约4万党员）、city（市，约40万）、province（省，约300万）
    #[arg(long, default_value = "county")]
    scale: String,
    /// 随机种子
    #[arg(long, default_value_t = 2026)]
    seed: u64,
    /// 数据截止日期（YYYY-MM-DD），默认今天；会议覆盖上一整年和今年截至该日
    #[arg(long)]
    as_of: Option<String>,
    /// 工作状况：typical（按调研报告描述的分布）、compliant（各项规定全部落实）、meetings-collapsed（“三会一课”大多未开）
    #[arg(long, default_value = "typical")]
    climate: String,
}

#[derive(Subcommand)]
#[command(subcommand_help_heading = "命令")]
enum RulesCommand {
    /// 打印生效的规则文件（每个数字都附依据）
    #[command(help_template = HELP, next_help_heading = "选项")]
    Export,
    /// 检查规则文件，有误时指出行号和原因
    #[command(help_template = HELP, next_help_heading = "选项")]
    Check {
        /// 规则文件
        file: std::path::PathBuf,
    },
}

#[derive(Subcommand)]
#[command(subcommand_help_heading = "命令")]
enum SurveyCommand {
    /// 导入 XLSForm 问卷（.xlsx），打印问卷编号
    #[command(help_template = HELP, next_help_heading = "选项")]
    Import {
        /// XLSForm 文件
        file: std::path::PathBuf,
    },
    /// 写出内置的基层党建调研问卷（XLSForm，可在 Excel/WPS 中修改后导入）
    #[command(help_template = HELP, next_help_heading = "选项")]
    Builtin {
        /// 输出文件（.xlsx）
        #[arg(long)]
        out: std::path::PathBuf,
    },
    /// 调研的发放、回收、有效数和有效回收率（总体、按单位、按领域）
    #[command(help_template = HELP, next_help_heading = "选项")]
    Stats {
        /// 调研编号
        #[arg(long)]
        campaign: i64,
        /// 输出格式：json 或 table
        #[arg(long, default_value = "table")]
        format: String,
    },
    /// 问卷统计分析：每题各选项的人数和百分比、“其他”填写内容、量表题均值（默认只统计有效问卷）
    #[command(help_template = HELP, next_help_heading = "选项")]
    Analysis {
        /// 调研编号
        #[arg(long)]
        campaign: i64,
        /// 统计全部回收问卷（默认只统计有效问卷）
        #[arg(long)]
        all: bool,
        /// 输出格式：json 或 table
        #[arg(long, default_value = "table")]
        format: String,
    },
    /// 导出答卷：csv（UTF-8带BOM）、xlsx、sav（SPSS）、dta（Stata）
    #[command(help_template = HELP, next_help_heading = "选项")]
    Export {
        /// 调研编号
        #[arg(long)]
        campaign: i64,
        /// 格式：csv、xlsx、sav、dta
        #[arg(long)]
        format: String,
        /// 输出文件
        #[arg(long)]
        out: std::path::PathBuf,
        /// 只导出有效问卷
        #[arg(long)]
        valid: bool,
    },
    /// 导入问卷星、腾讯问卷导出的答卷（.xlsx/.xls/.csv），建成一次调研：问卷由文件推断，或对应到已有问卷
    #[command(name = "import-results", help_template = HELP, next_help_heading = "选项")]
    ImportResults {
        /// 答卷文件；问卷星可同时给出同一批答卷的“按文本”和“按序号”两个文件
        #[arg(required = true, num_args = 1..=2)]
        files: Vec<std::path::PathBuf>,
        /// 对应到已有问卷（问卷编号）；不指定则由文件推断题目和选项
        #[arg(long)]
        questionnaire: Option<i64>,
        /// 调研名称（默认“问卷星导入：文件名”）
        #[arg(long)]
        title: Option<String>,
        /// 组织调研的党组织代码（默认辖区最上级党组织）
        #[arg(long)]
        org: Option<String>,
        /// 输出格式：json 或 table
        #[arg(long, default_value = "table")]
        format: String,
    },
    /// 性能测试数据：生成一份多题问卷和大量答卷（用于导出基准测试）
    #[command(help_template = HELP, next_help_heading = "选项")]
    Synthetic {
        /// 答卷份数
        #[arg(long, default_value_t = 100000)]
        responses: usize,
        /// 题目数
        #[arg(long, default_value_t = 60)]
        questions: usize,
    },
}

#[derive(Subcommand)]
#[command(subcommand_help_heading = "命令")]
enum StatsCommand {
    /// 党内统计年报：某党组织及下级某年的统计表（每表一个工作表）
    #[command(help_template = HELP, next_help_heading = "选项")]
    Annual {
        /// 党组织代码
        #[arg(long)]
        org: String,
        /// 统计年度（截至当年12月31日）
        #[arg(long)]
        year: i32,
        /// 输出文件（.xlsx）
        #[arg(long)]
        out: std::path::PathBuf,
    },
}

#[derive(Subcommand)]
#[command(subcommand_help_heading = "命令")]
enum KeysCommand {
    /// 显示数据库使用的密钥编号和密钥所在位置
    #[command(help_template = HELP, next_help_heading = "选项")]
    Show,
    /// 换用新密钥：生成新密钥，在一个事务中把全部加密数据改用新密钥加密；旧密钥另存为 .retired 文件（恢复旧备份时要用）
    #[command(help_template = HELP, next_help_heading = "选项")]
    Rotate,
}

#[derive(Subcommand)]
enum UserCommand {
    /// 新建用户（密码从标准输入读取）
    #[command(help_template = HELP, next_help_heading = "选项")]
    Create {
        /// 用户名（登录名）
        #[arg(long)]
        username: String,
        /// admin（组织部管理员）、secretary（党组织书记/党务工作者）、member（党员）
        #[arg(long)]
        role: String,
        /// 所在党组织代码；admin 不填表示全辖区
        #[arg(long)]
        org: Option<String>,
        /// 党员账号对应的党员编号
        #[arg(long)]
        member: Option<i64>,
    },
    /// 重置用户的密码（新密码从标准输入读取），并结束该用户的所有会话
    #[command(help_template = HELP, next_help_heading = "选项")]
    ResetPassword {
        #[arg(long)]
        username: String,
    },
    /// 停用用户：不能再登录，已登录的会话立即结束
    #[command(help_template = HELP, next_help_heading = "选项")]
    Disable {
        #[arg(long)]
        username: String,
    },
    /// 重新启用已停用的用户
    #[command(help_template = HELP, next_help_heading = "选项")]
    Enable {
        #[arg(long)]
        username: String,
    },
}

/// A password from standard input (one line).
fn read_password() -> Result<String> {
    let mut password = String::new();
    if std::io::stdin().is_terminal() {
        eprint!("请输入密码（至少10位，不能太常见，不能包含用户名），回车结束：");
    }
    std::io::stdin().read_line(&mut password).context("无法从标准输入读取密码")?;
    Ok(password.trim_end_matches(['\r', '\n']).to_string())
}

#[tokio::main]
async fn main() {
    // Output piped into `head` and the like: end quietly when the reader goes away, as
    // command-line tools do, instead of panicking on the broken pipe.
    #[cfg(unix)]
    // SAFETY: restoring the default disposition of one signal before any thread writes.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) if matches!(e.kind(), clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion) => e.exit(),
        Err(e) => {
            eprintln!("命令参数有误（运行 dangjian --help 查看用法）：\n{}", e.render());
            std::process::exit(2);
        }
    };
    let result = run(cli).await;
    // Every database a command opened is closed cleanly (SQLite's log folded into the
    // file), whether the command succeeded or not.
    for store in OPENED.lock().map(|mut v| std::mem::take(&mut *v)).unwrap_or_default() {
        store.close_cleanly().await;
    }
    if let Err(e) = result {
        eprintln!("错误：{e:#}");
        std::process::exit(1);
    }
}

/// The scope every command acts in: the whole jurisdiction, by the operator at the
/// command line (so the audit log names them).
pub(crate) fn operator() -> Scope {
    Scope::jurisdiction().by(store::Actor::command_line())
}

/// The stores the command opened, closed cleanly when it ends.
static OPENED: std::sync::Mutex<Vec<Store>> = std::sync::Mutex::new(Vec::new());

async fn open(db: &str) -> Result<Store> {
    let store = Store::open(db).await?;
    if let Ok(mut v) = OPENED.lock() {
        v.push(store.clone());
    }
    Ok(store)
}

async fn run(cli: Cli) -> Result<()> {
    // Every command that judges anything reads the same rules; a bad file stops them all.
    let (rules, rules_text) = load_rules(cli.rules.as_deref())?;
    match cli.command {
        Command::Migrate => {
            open(&cli.db).await?;
            println!("数据库迁移完成：{}", store::redact(&cli.db));
        }
        Command::Summaries { action } => {
            let store = open(&cli.db).await?;
            match action.as_str() {
                "verify" => {
                    let c = store.verify_summaries().await?;
                    if c.ok() {
                        println!("写入时汇总与原始记录一致：党员年度汇总 {} 行，各次会议的到会人数，各党组织的年度会议日历", c.rows);
                    } else {
                        println!(
                            "写入时汇总与原始记录不一致：党员年度汇总缺 {} 行、多 {} 行、不同 {} 行（如党员编号 {:?}），到会人数不同的会议 {} 次（如会议编号 {:?}），会议日历不同的党组织年度 {} 个（如党组织编号 {:?}）；运行 dangjian summaries rebuild 重建",
                            c.missing, c.extra, c.different, c.examples, c.meetings_different, c.meeting_examples, c.org_years_different, c.org_year_examples
                        );
                        std::process::exit(1);
                    }
                }
                "rebuild" => {
                    let t = std::time::Instant::now();
                    let n = store.rebuild_summaries().await?;
                    println!("已按原始记录重建写入时汇总：{n} 行，用时 {:.1} 秒", t.elapsed().as_secs_f64());
                }
                other => anyhow::bail!("“{other}”无法识别，可选 verify（核对）或 rebuild（重建）"),
            }
        }
        Command::Compliance { org, year, format, failing, as_of } => {
            let store = open(&cli.db).await?;
            compliance(&store, &org, year, &rules, &format, failing, as_of.as_deref()).await?;
        }
        Command::Import { file, kind, dry_run, report, sheet } => {
            let store = open(&cli.db).await?;
            excel::import(&store, &file, (&kind, sheet.as_deref()), &rules, dry_run, report.as_deref()).await?;
        }
        Command::Export { kind, org, out, year, full_ids, purpose } => {
            let store = open(&cli.db).await?;
            let disclosure = match (full_ids, purpose) {
                (true, Some(p)) if p.trim().chars().count() >= 4 => sheets::export::Disclosure::Full { purpose: p.trim().to_string() },
                (true, _) => bail!("导出完整身份证号和电话须用 --purpose 写明用途（至少4个字）"),
                (false, _) => sheets::export::Disclosure::Masked,
            };
            excel::export(&store, &kind, &org, &out, year, &disclosure).await?;
        }
        Command::Template { kind, out } => excel::template(&kind, &out)?,
        Command::Roster { rows, org, out, seed } => {
            let store = open(&cli.db).await?;
            excel::roster(&store, rows, &org, &out, seed).await?;
        }
        Command::Stats(StatsCommand::Annual { org, year, out }) => {
            let store = open(&cli.db).await?;
            excel::annual(&store, &org, year, &out, &rules).await?;
        }
        Command::Report(args) => report_cmd::report(&open(&cli.db).await?, &rules, &rules_text, args).await?,
        Command::Indicators(args) => report_cmd::indicators(&open(&cli.db).await?, &rules, args).await?,
        Command::Research(cmd) => research_cmd::run(&open(&cli.db).await?, cmd).await?,
        Command::Survey(SurveyCommand::Import { file }) => survey_cmd::import(&open(&cli.db).await?, &file).await?,
        Command::Survey(SurveyCommand::Builtin { out }) => survey_cmd::builtin(&out)?,
        Command::Survey(SurveyCommand::Stats { campaign, format }) => survey_cmd::stats(&open(&cli.db).await?, campaign, &format).await?,
        Command::Survey(SurveyCommand::Analysis { campaign, all, format }) => survey_cmd::analysis(&open(&cli.db).await?, campaign, all, &format).await?,
        Command::Survey(SurveyCommand::Export { campaign, format, out, valid }) => survey_cmd::export(&open(&cli.db).await?, campaign, &format, &out, valid).await?,
        Command::Survey(SurveyCommand::ImportResults { files, questionnaire, title, org, format }) => survey_cmd::import_results(&open(&cli.db).await?, &files, questionnaire, title.as_deref(), org.as_deref(), &format).await?,
        Command::Survey(SurveyCommand::Synthetic { responses, questions }) => {
            let store = open(&cli.db).await?;
            let started = std::time::Instant::now();
            let id = generator::survey::synthetic(&store, responses, questions, 2026, chrono::Local::now().date_naive()).await?;
            println!("{id}");
            eprintln!("已生成调研 {id}：{responses} 份答卷 × {questions} 题（{:.1} 秒）", started.elapsed().as_secs_f64());
        }
        Command::Rules(RulesCommand::Export) => print!("{rules_text}"),
        Command::Rules(RulesCommand::Check { file }) => {
            let (rules, _) = load_rules(Some(&file))?;
            println!("规则文件 {} 有效（版本 {}）", file.display(), rules.version);
        }
        Command::Bench { repeat, incremental } => {
            let store = open(&cli.db).await?;
            if incremental {
                bench_incremental(&store, &rules, repeat.max(1)).await?;
            } else {
                bench_subtree(&store, repeat.max(1)).await?;
            }
        }
        Command::Generate(args) => {
            let store = open(&cli.db).await?;
            generate(&store, &args, &rules, &rules_text).await?;
        }
        Command::Serve { bind, backup_dir, backup_every, backup_keep, public_url, session_idle_minutes, session_hours } => {
            if session_idle_minutes < 1 || session_hours < 1 {
                bail!("会话空闲时限和最长时限都应至少为1");
            }
            let store = open(&cli.db).await?.with_sessions(store::SessionPolicy { idle_minutes: session_idle_minutes, absolute_hours: session_hours });
            if let Some(dir) = backup_dir {
                backups::schedule(store.clone(), dir, backup_every, backup_keep)?;
            }
            serve(store, rules, rules_text.clone(), &bind, &web::Options { public_url, work_dir: Some(work_dir(&cli.db)) }).await?;
        }
        Command::Backup { out } => {
            let store = open(&cli.db).await?;
            let started = std::time::Instant::now();
            let m = store.backup(&out).await?;
            let rows: i64 = m.tables.iter().map(|t| t.rows).sum();
            println!("已备份到 {}（{} 张表，{rows} 行，用时 {:.1} 秒）；清单 {}。两个文件要一起保存。", out.display(), m.tables.len(), started.elapsed().as_secs_f64(), store::manifest_path(&out).display());
            println!("备份中的身份证号、手机号和附件用密钥 {} 加密（{}）：请把密钥与备份分开妥善保存，没有它恢复后的数据无法解密。", store.key_id(), store.key_source());
        }
        Command::Restore { file, force } => {
            let started = std::time::Instant::now();
            let m = Store::restore(&file, &cli.db, force).await?;
            let rows: i64 = m.tables.iter().map(|t| t.rows).sum();
            println!("已恢复到 {}：{} 张表、{rows} 行，行数和内容摘要与备份清单一致（备份于 {}，用时 {:.1} 秒）", store::redact(&cli.db), m.tables.len(), m.created_at, started.elapsed().as_secs_f64());
            if let Some(id) = &m.key_id {
                println!("打开它需要密钥 {id}：把当时的密钥文件放在 {}，或用环境变量 DANGJIAN_KEY_FILE 指定。", store::default_key_file(&cli.db).display());
            }
        }
        Command::Demo { bind, scale } => {
            let store = open(&cli.db).await?;
            if store.is_empty().await? {
                println!("数据库为空，正在生成示范数据（示范县约4万名党员，首次约需半分钟）……");
                generate(&store, &GenerateArgs { scale, seed: 2026, as_of: None, climate: "typical".into() }, &rules, &rules_text).await?;
            }
            let logins = demo_users(&store).await?;
            println!("\n演示账号（密码均为 {DEMO_PASSWORD}）：");
            for (user, what) in &logins {
                println!("  {user:<10} {what}");
            }
            serve(store, rules, rules_text.clone(), &bind, &web::Options { work_dir: Some(work_dir(&cli.db)), ..Default::default() }).await?;
        }
        Command::User(UserCommand::Create { username, role, org, member }) => {
            let store = open(&cli.db).await?;
            let role = Role::parse(&role).with_context(|| format!("角色“{role}”无法识别，可选 admin、secretary、group_leader、member"))?;
            let org_id = match org {
                Some(code) => Some(store.org_by_code(&crate::operator(), &code).await.with_context(|| format!("找不到组织代码为“{code}”的党组织"))?.id),
                None => None,
            };
            let password = read_password()?;
            let user = store.create_user(&username, &password, role, org_id, member).await?;
            store.audit(operator().actor(), None, "user_created", Some(("users", user.id)), serde_json::json!({"用户名": user.username, "角色": user.role.label(), "党组织": org_id, "党员": member})).await?;
            println!("已创建用户“{}”（{}，编号{}）", user.username, user.role.label(), user.id);
        }
        Command::User(UserCommand::ResetPassword { username }) => {
            let store = open(&cli.db).await?;
            let user = store.user_by_name(&username).await.with_context(|| format!("找不到用户“{username}”"))?;
            let password = read_password()?;
            store.set_password(&user, None, &password, None).await?;
            store.audit(operator().actor(), None, "password_reset", Some(("users", user.id)), serde_json::json!({"用户名": user.username})).await?;
            println!("已重置用户“{username}”的密码，该用户原有的登录会话都已结束");
        }
        Command::Audit { since, user, limit, format } => {
            let store = open(&cli.db).await?;
            if let Some(s) = &since {
                domain::Date::parse_from_str(s.get(..10).unwrap_or(s), "%Y-%m-%d").with_context(|| format!("--since “{s}” 不是日期，应写作 2026-12-01"))?;
            }
            let entries = store.audit_entries(since.as_deref(), user.as_deref(), limit).await?;
            match format.as_str() {
                "json" => println!("{}", serde_json::to_string_pretty(&entries)?),
                "table" => {
                    println!("{:<20} {:<16} {:<16} {:<10} {:<14} 内容", "时间", "操作人", "来源地址", "操作", "对象");
                    for e in &entries {
                        let target = match (&e.target, e.target_id) {
                            (Some(t), Some(id)) if id > 0 => format!("{}#{id}", store::target_label(t)),
                            (Some(t), _) => store::target_label(t).to_string(),
                            _ => String::new(),
                        };
                        println!("{:<20} {:<16} {:<16} {:<10} {:<14} {}", e.at, e.actor, e.ip.as_deref().unwrap_or("-"), store::action_label(&e.action), target, e.detail);
                    }
                    println!("共 {} 条（最新的在前）", entries.len());
                }
                other => bail!("--format 应为 table 或 json，而不是“{other}”"),
            }
        }
        Command::Keys(KeysCommand::Show) => {
            let store = open(&cli.db).await?;
            println!("数据库 {} 使用密钥 {}（{}）", store::redact(&cli.db), store.key_id(), store.key_source());
        }
        Command::Keys(KeysCommand::Rotate) => rotate_key(&cli.db).await?,
        Command::User(UserCommand::Disable { username }) => set_disabled(&cli.db, &username, true).await?,
        Command::User(UserCommand::Enable { username }) => set_disabled(&cli.db, &username, false).await?,
    }
    Ok(())
}

/// `keys rotate`: the new key is added to the key file first (so a crash at any point
/// leaves a file that opens the database), everything is re-sealed in one transaction,
/// then the old key moves to a `.retired` file beside it.
async fn rotate_key(db: &str) -> Result<()> {
    let mut store = open(db).await?;
    let store::KeySource::File(path) = store.key_source().clone() else {
        bail!("密钥来自环境变量 DANGJIAN_KEY，无法在此轮换：请改用密钥文件（DANGJIAN_KEY_FILE），或自行生成新密钥后用文件方式轮换");
    };
    let old = store.key_id().to_string();
    store::Keyring::load(&path)?.rotated().save(&path)?;
    let started = std::time::Instant::now();
    let n = store.reseal(store::Keyring::load(&path)?).await?;
    let mut ring_now = store::Keyring::load(&path)?;
    ring_now.activate(store.key_id())?;
    if let Some(retired) = ring_now.retired() {
        let mut name = path.as_os_str().to_owned();
        name.push(format!(".{old}.retired"));
        retired.save(std::path::Path::new(&name))?;
        println!("旧密钥 {old} 已另存为 {}：恢复轮换前的备份时要用它，请与备份一起（与数据库分开）保存。", std::path::Path::new(&name).display());
    }
    ring_now.only_active().save(&path)?;
    store.audit(operator().actor(), None, "key_rotated", None, serde_json::json!({"旧密钥": old, "新密钥": store.key_id(), "人员记录": n.people, "附件": n.attachments})).await?;
    println!("已换用新密钥 {}：重新加密 {} 条人员记录和 {} 个附件，用时 {:.1} 秒；密钥文件 {}", store.key_id(), n.people, n.attachments, started.elapsed().as_secs_f64(), path.display());
    Ok(())
}

/// The server's private work folder: beside an SQLite database, else in the current one.
fn work_dir(db: &str) -> std::path::PathBuf {
    let base = db.strip_prefix("sqlite://").map(|p| std::path::Path::new(p.split('?').next().unwrap_or(p)).parent().map(|d| d.to_path_buf()).unwrap_or_default()).unwrap_or_default();
    let base = if base.as_os_str().is_empty() { std::path::PathBuf::from(".") } else { base };
    base.join("dangjian-work")
}

/// `user disable` / `user enable`.
async fn set_disabled(db: &str, username: &str, disable: bool) -> Result<()> {
    let store = open(db).await?;
    let user = store.user_by_name(username).await.with_context(|| format!("找不到用户“{username}”"))?;
    store.set_user_disabled(&user, disable).await?;
    let action = if disable { "user_disabled" } else { "user_enabled" };
    store.audit(operator().actor(), None, action, Some(("users", user.id)), serde_json::json!({"用户名": user.username})).await?;
    println!("{}", if disable { format!("已停用用户“{username}”，其登录会话已结束") } else { format!("已重新启用用户“{username}”") });
    Ok(())
}

async fn generate(store: &Store, args: &GenerateArgs, rules: &domain::rules::Rules, rules_text: &str) -> Result<()> {
    let Some(scale) = generator::Scale::parse(&args.scale) else {
        bail!("规模“{}”无法识别，可选 small、county、city、province", args.scale);
    };
    let as_of = match &args.as_of {
        Some(s) => domain::parse_date("as_of", "截止日期", s).map_err(|e| anyhow::anyhow!(e.message))?,
        None => chrono::Local::now().date_naive(),
    };
    let bar = indicatif::ProgressBar::new(scale.counties() as u64);
    bar.set_style(indicatif::ProgressStyle::with_template("{spinner} [{elapsed_precise}] {bar:30} {pos}/{len} 个县  {msg}").expect("valid template"));
    let started = std::time::Instant::now();
    let mut report = |rows: u64, done: u32, _total: u32| {
        bar.set_position(done as u64);
        bar.set_message(format!("已写入 {rows} 行"));
    };
    let climate = match args.climate.as_str() {
        "typical" => generator::Climate::Typical,
        "compliant" => generator::Climate::Compliant,
        "meetings-collapsed" => generator::Climate::MeetingsCollapsed,
        other => bail!("工作状况“{other}”无法识别，可选 typical、compliant、meetings-collapsed"),
    };
    let summary = generator::generate(store, &generator::Options { scale, seed: args.seed, as_of, rules: rules.clone(), climate }, &mut report).await?;
    bar.finish_and_clear();
    let secs = started.elapsed().as_secs_f64();
    println!("生成完成：{} 个县，共 {} 行，用时 {:.1} 秒（{:.0} 行/秒），数据截止 {as_of}", summary.counties, summary.rows, secs, summary.rows as f64 / secs);
    survey_cmd::generate(store, rules, args.seed, as_of, summary.counties as usize).await?;
    let started = std::time::Instant::now();
    let f = generator::research::fieldwork_in(store, rules, rules_text, args.seed, as_of, climate).await?;
    println!("实地访谈 {} 次（编码 {} 处），案例 {} 个，政策文献 {} 篇（{:.1} 秒）", f.interviews, f.codes, f.cases, f.documents, started.elapsed().as_secs_f64());
    for (table, n) in store.table_counts().await? {
        println!("  {table:<16} {n}");
    }
    Ok(())
}

/// Median time of `subtree_member_count` at the root and at the last leaf branch.
async fn bench_subtree(store: &Store, repeat: usize) -> Result<()> {
    let all = crate::operator();
    let root = store.org_children(&all, None).await?.into_iter().next().context("数据库中没有党组织，请先运行 generate")?;
    let leaf = store.branches_with_members(&all, None, 1, i64::MAX).await?.pop().context("没有带党员的党支部")?;
    for (label, org) in [("根组织", &root.org), ("末级党支部", &leaf)] {
        let mut times = Vec::with_capacity(repeat);
        let mut count = 0;
        for _ in 0..repeat {
            let t = std::time::Instant::now();
            count = store.subtree_member_count(&all, org.id).await?;
            times.push(t.elapsed().as_secs_f64() * 1000.0);
        }
        times.sort_by(|a, b| a.total_cmp(b));
        println!("{label}（{}）：党员 {count} 名，查询中位数 {:.3} 毫秒（{repeat} 次）", org.name, times[times.len() / 2]);
    }
    Ok(())
}

/// Records a 主题党日 in branches across the tree, one after another, and times bringing
/// each branch's and its ancestors' figures up to date in the year's indicator run.
async fn bench_incremental(store: &Store, rules: &domain::rules::Rules, repeat: usize) -> Result<()> {
    use domain::meeting::NewMeeting;
    let all = crate::operator();
    let today = chrono::Local::now().date_naive();
    let year = chrono::Datelike::year(&today);
    let t = std::time::Instant::now();
    let run = indicators::run_for(store, rules, year, today, false).await?;
    println!("{year}年指标计算编号 {}（{} 个党组织；取得用时 {:.1} 秒）", run.id, run.orgs, t.elapsed().as_secs_f64());
    let branches = store.branches_with_members(&all, None, 1, i64::MAX).await?;
    let (mut insert, mut update) = (Vec::new(), Vec::new());
    let mut changed = 0;
    for i in 0..repeat {
        let branch = &branches[i * branches.len() / repeat];
        let (members, _) = store.org_members(&all, branch.id, 0, 500).await?;
        let meeting = NewMeeting::documents_only_day(branch.id, today, format!("增量更新测量{}", i + 1), members.iter().map(|m| m.id));
        let t = std::time::Instant::now();
        store.insert_meeting(&all, &meeting, today).await?;
        insert.push(t.elapsed().as_secs_f64() * 1000.0);
        let t = std::time::Instant::now();
        changed += indicators::update_org(store, rules, year, branch.id).await?;
        update.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(|a, b| a.total_cmp(b));
        (v[v.len() / 2], v[v.len() - 1])
    };
    let ((im, ix), (um, ux)) = (median(&mut insert), median(&mut update));
    println!("登记会议：中位数 {im:.1} 毫秒，最长 {ix:.1} 毫秒；更新该支部及各级上级的指标：中位数 {um:.1} 毫秒，最长 {ux:.1} 毫秒（{repeat} 次，共 {changed} 项度量变化）");
    Ok(())
}

/// Compliance of every organisation under `code` for `year`, per rule.
async fn compliance(store: &Store, code: &str, year: i32, rules: &domain::rules::Rules, format: &str, failing: bool, as_of: Option<&str>) -> Result<()> {
    if format != "table" && format != "json" {
        bail!("输出格式“{format}”无法识别，可选 table、json");
    }
    let as_of = match as_of {
        Some(s) => domain::parse_date("as_of", "判定截止日期", s).map_err(|e| anyhow::anyhow!(e.message))?,
        None => chrono::Local::now().date_naive(),
    };
    let all = crate::operator();
    let root = store.org_by_code(&all, code).await.with_context(|| format!("找不到组织代码为“{code}”的党组织"))?;
    let summary = store.compliance_summary(&all, root.id, rules, year, as_of, failing).await?;
    if format == "json" {
        println!("{}", serde_json::to_string_pretty(&summary)?);
        return Ok(());
    }
    println!("{} {year}年合规情况（判定截止 {as_of}，规则版本 {}，共 {} 个党组织）", root.name, summary.rules_version, summary.orgs);
    println!("{:<36} {:<26} {:>8} {:>8} {:>7}", "规则", "名称", "适用", "未达标", "未达标率");
    for r in &summary.rules {
        let rate = if r.orgs_applicable > 0 { 100.0 * r.orgs_failing as f64 / r.orgs_applicable as f64 } else { 0.0 };
        println!("{:<36} {:<26} {:>8} {:>8} {rate:>6.1}%", r.id, r.title, r.orgs_applicable, r.orgs_failing);
        println!("    依据：{}", r.citation);
        for f in r.failing.iter().flatten() {
            println!("    ✗ {} {}：{}", f.code, f.name, f.evidence.join("；"));
        }
    }
    Ok(())
}

/// The rules in effect and their text: the file given, or the shipped defaults.
fn load_rules(path: Option<&std::path::Path>) -> Result<(domain::rules::Rules, String)> {
    use domain::rules::{Rules, DEFAULT_RULES};
    match path {
        None => Ok((Rules::default_rules(), DEFAULT_RULES.to_string())),
        Some(p) => {
            let text = std::fs::read_to_string(p).with_context(|| format!("无法读取规则文件 {}（文件须为 UTF-8 文本）", p.display()))?;
            let rules = Rules::parse(&text, &p.display().to_string())?;
            Ok((rules, text))
        }
    }
}

const DEMO_PASSWORD: &str = "dangjian2026";

/// Creates the demo accounts if missing: an administrator of the whole county, the
/// secretary of a village branch, and a member of that branch.
async fn demo_users(store: &Store) -> Result<Vec<(String, String)>> {
    let all = crate::operator();
    let branch = store
        .branches_with_members(&all, Some(domain::org::Sector::Village), 20, 1)
        .await?
        .into_iter()
        .next()
        .context("演示数据中找不到村党支部")?;
    let (members, _) = store.org_members(&all, branch.id, 0, 1).await?;
    let member = members.first().context("演示党支部没有党员")?;
    // A 党小组 of the same branch, when it has one, for the 党小组长 account.
    let group = store.org_children(&all, Some(branch.id)).await?.into_iter().find(|c| c.org.level == domain::org::OrgLevel::Group && c.member_count > 0);
    let mut wanted = vec![
        ("admin", Role::Admin, None, None, "组织部管理员，全县".to_string()),
        ("shuji", Role::Secretary, Some(branch.id), None, format!("党支部书记，{}", branch.name)),
        ("dangyuan", Role::Member, None, Some(member.id), format!("党员 {}，只能查看本人信息", member.name)),
    ];
    if let Some(g) = group {
        wanted.push(("zuzhang", Role::GroupLeader, Some(g.org.id), None, format!("党小组长，{}", g.org.name)));
    }
    let mut out = Vec::new();
    for (name, role, org, mem, what) in wanted {
        if store.authenticate(name, DEMO_PASSWORD).await?.is_none() {
            match store.create_user(name, DEMO_PASSWORD, role, org, mem).await {
                Ok(_) => {}
                Err(store::StoreError::Invalid(e)) if e.errors.iter().any(|f| f.field == "username") => {
                    out.push((name.to_string(), format!("{what}（该用户名已存在且密码已被修改）")));
                    continue;
                }
                Err(e) => return Err(e.into()),
            }
        }
        out.push((name.to_string(), what));
    }
    Ok(out)
}

async fn serve(store: Store, rules: domain::rules::Rules, rules_text: String, bind: &str, options: &web::Options) -> Result<()> {
    // The server's log: failed requests with their id, internal errors with their cause.
    let _ = tracing_subscriber::fmt().with_target(false).with_max_level(tracing_subscriber::filter::LevelFilter::INFO).try_init();
    let listener = tokio::net::TcpListener::bind(bind).await.with_context(|| format!("无法监听 {bind}：端口可能已被占用，请用 --bind 换一个地址"))?;
    let addr = listener.local_addr()?;
    println!("\n党建平台已启动：http://{addr}/  （按 Ctrl+C 停止）");
    web::serve(listener, store, rules, rules_text, options).await.context("网页服务异常退出")?;
    Ok(())
}
