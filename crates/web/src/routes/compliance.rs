//! Compliance pages: the administrator's overview of a subtree (per rule, how many
//! organisations break it, drilling down to each organisation's evidence), and a
//! secretary's 待办 (what is due this period, what is overdue, one click to record it).

use crate::auth::{page_viewer, Viewer};
use crate::error::PageError;
use crate::view::{page, today};
use crate::AppState;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use chrono::Datelike;
use domain::compliance::{due_now, rule_catalogue, RuleVerdict, Verdict};
use domain::development::Stage;
use domain::org::Org;
use domain::Labelled;
use axum::response::IntoResponse;
use maud::{html, Markup};
use serde::Deserialize;

type PageResult = Result<Response, PageError>;

#[derive(Deserialize)]
pub struct CompliancePick {
    pub org: Option<i64>,
    pub year: Option<i32>,
    pub rule: Option<String>,
    /// `xlsx` or `csv`: the table as a file instead of the page.
    pub format: Option<String>,
    /// Drill-down filters: one part of the subtree (乡镇/街道), one sector, words in the name.
    pub part: Option<i64>,
    pub sector: Option<String>,
    pub q: Option<String>,
    /// `name`, `part` or `code` (the default: path order).
    pub sort: Option<String>,
    pub page: Option<usize>,
}

/// The organisation a page is about: the one asked for, else the viewer's own, else the
/// jurisdiction's top. Members have no such pages.
pub(crate) async fn subject(st: &AppState, v: &Viewer, org: Option<i64>) -> Result<Org, PageError> {
    if v.scope.own_member().is_some() {
        return Err(PageError::Status(StatusCode::FORBIDDEN, "党员账号没有此页面的权限".into()));
    }
    let id = match org.or(v.scope.root_org()) {
        Some(id) => id,
        None => st.store.org_children(&v.scope, None).await?.first().map(|o| o.org.id).ok_or(PageError::Status(StatusCode::NOT_FOUND, "还没有党组织".into()))?,
    };
    Ok(st.store.org(&v.scope, id).await?)
}

/// A subtree's judgement for a page: the current one for a small subtree; for a large one
/// the last one computed by a background job, or the page that starts one.
pub(crate) enum Judged {
    Ready(crate::jobs::Done, Option<crate::jobs::Progress>),
    Pending(Markup),
}

pub(crate) async fn judged(st: &AppState, v: &Viewer, org: &Org, year: i32, back: &str) -> Result<Judged, PageError> {
    let total = st.store.subtree_org_count(&v.scope, org.id).await?;
    if total <= crate::jobs::INLINE_ORGS {
        return Ok(Judged::Ready(crate::jobs::judge_now(st.store.clone(), st.rules.clone(), org.id, year, today()).await?, None));
    }
    let (done, running, failed) = st.jobs.look(org.id, year);
    if let Some(d) = done {
        return Ok(Judged::Ready(d, running));
    }
    Ok(Judged::Pending(html! {
        div.crumbs { a href={ "/orgs/" (org.id) } { (org.name) } " › 合规检查" }
        section {
            h1 { (org.name) " " (year) "年合规检查" }
            p { "下辖 " (total) " 个党组织，需在后台计算（约需数秒到数分钟），计算期间可以离开本页。" }
            @if let Some(f) = failed { div.error role="alert" { p { "上次计算失败：" (f) } } }
            (job_status(v, org.id, year, running.as_ref(), back))
            @if back.starts_with("/compliance?") { (year_links("/compliance?", org.id, year)) }
        }
    }))
}

/// The job line of a compliance page: progress (the page reloads itself), or the button.
fn job_status(v: &Viewer, org: i64, year: i32, running: Option<&crate::jobs::Progress>, back: &str) -> Markup {
    html! {
        @if let Some(p) = running {
            meta http-equiv="refresh" content="3";
            p role="status" { "正在计算：已判定 " (p.judged) " / " (p.total) " 个党组织（" (p.since.elapsed().as_secs()) " 秒）；本页每3秒刷新。" }
        } @else {
            form method="post" action="/compliance/refresh" {
                input type="hidden" name="csrf" value=(v.session.csrf_token);
                input type="hidden" name="org" value=(org);
                input type="hidden" name="year" value=(year);
                input type="hidden" name="back" value=(back);
                button.primary type="submit" { "开始计算" }
            }
        }
    }
}

/// `POST /compliance/refresh`: starts judging a subtree in the background (one job per
/// organisation and year), then back to the page it came from.
pub async fn refresh(State(st): State<AppState>, headers: HeaderMap, axum::extract::Form(raw): axum::extract::Form<Vec<(String, String)>>) -> PageResult {
    let v = page_viewer(&st, &headers).await?;
    let f = crate::auth::checked_form(&v, raw)?;
    let org_id = f.get("org").and_then(|o| o.parse().ok());
    let org = subject(&st, &v, org_id).await?;
    let year = f.get("year").and_then(|y| y.parse().ok()).filter(|y| (1921..=today().year()).contains(y)).unwrap_or(today().year());
    let total = st.store.subtree_org_count(&v.scope, org.id).await?;
    st.jobs.start(st.store.clone(), st.rules.clone(), org.id, year, today(), total as usize);
    let back = f.get("back").filter(|b| b.starts_with("/compliance") || b.starts_with("/overview")).cloned().unwrap_or_else(|| format!("/compliance?org={}&year={year}", org.id));
    Ok(axum::response::Redirect::to(&back).into_response())
}

pub(crate) fn year_links(base: &str, org: i64, year: i32) -> maud::Markup {
    html! {
        p.pager {
            a href={ (base) "org=" (org) "&year=" (year - 1) } { "‹ " (year - 1) "年" }
            @if year < today().year() { a href={ (base) "org=" (org) "&year=" (year + 1) } { (year + 1) "年 ›" } }
        }
    }
}

/// `/compliance`: per rule, how many organisations of the subtree it applies to and how many break it.
pub async fn overview(State(st): State<AppState>, headers: HeaderMap, Query(q): Query<CompliancePick>) -> PageResult {
    let v = page_viewer(&st, &headers).await?;
    let org = subject(&st, &v, q.org).await?;
    let year = q.year.unwrap_or(today().year());
    let back = format!("/compliance?org={}&year={year}", org.id);
    let (done, job) = match judged(&st, &v, &org, year, &back).await? {
        Judged::Ready(d, job) => (d, job),
        Judged::Pending(body) => return Ok(page(&v, "合规检查", body)),
    };
    let summary = &done.summary;
    let running = year == today().year();
    if let Some(fmt) = q.format.as_deref() {
        let heads = [("规则", 30.0), ("适用党组织数", 12.0), ("未达标党组织数", 14.0), ("未达标率（%）", 12.0), ("依据", 60.0)];
        let rows = summary.rules.iter().map(|r| {
            let rate = if r.orgs_applicable > 0 { sheets::write::Out::Number((1000.0 * r.orgs_failing as f64 / r.orgs_applicable as f64).round() / 10.0) } else { sheets::write::Out::Empty };
            vec![r.title.into(), (r.orgs_applicable as i64).into(), (r.orgs_failing as i64).into(), rate, r.citation.clone().into()]
        });
        return crate::routes::exchange::table_download(&v, &format!("{}_{year}年合规检查", org.name), fmt, &heads, rows);
    }
    let body = html! {
        div.crumbs { a href={ "/orgs/" (org.id) } { (org.name) } " › 合规检查" }
        section {
            h1 { (org.name) " " (year) "年合规检查" }
            p.muted {
                "共 " (summary.orgs) " 个党组织；规则文件版本 " (summary.rules_version) "。"
                @if running { "本年尚未结束：按月、按季度的规则只判定已结束的月份和季度，按年的规则年末后判定。" }
            }
            (computed(&v, &org, year, &done, job.as_ref(), &back))
            (year_links("/compliance?", org.id, year))
            p { "导出：" a href={ "/compliance?org=" (org.id) "&year=" (year) "&format=xlsx" } { "Excel" } " · " a href={ "/compliance?org=" (org.id) "&year=" (year) "&format=csv" } { "CSV" } }
            div.table-wrap { table {
                @if summary.orgs == 1 {
                    // One organisation: a plain verdict per rule, not rates over one.
                    thead { tr { th { "规则" } th { "结论" } th.hide-sm { "依据" } } }
                    tbody { @for r in &summary.rules {
                        tr {
                            td { a href={ "/compliance/rule?org=" (org.id) "&year=" (year) "&rule=" (r.id) } { (r.title) } }
                            td { @if r.orgs_failing > 0 { span.tag.bad { "未达标" } } @else if r.orgs_applicable > 0 { span.tag.ok { "达标" } } @else if r.orgs_pending > 0 { span.tag { "未到判定时间" } } @else { span.muted { "不适用" } } }
                            td.hide-sm { span.muted { (r.citation) } }
                        }
                    } }
                } @else {
                thead { tr { th { "规则" } th { "适用" } th { "未达标" } th { "未达标率" } th.hide-sm { "依据" } } }
                tbody { @for r in &summary.rules {
                    tr {
                        td { a href={ "/compliance/rule?org=" (org.id) "&year=" (year) "&rule=" (r.id) } { (r.title) } }
                        td { (r.orgs_applicable) }
                        // A rule judged for nobody yet is not a pass: no green zero.
                        td { @if r.orgs_failing > 0 { span.tag.bad { (r.orgs_failing) } } @else if r.orgs_applicable > 0 { span.tag.ok { "0" } } @else if r.orgs_pending > 0 { span.tag { "未到判定时间" } } @else { span.muted { "不适用" } } }
                        td { @if r.orgs_applicable > 0 { (format!("{:.1}%", 100.0 * r.orgs_failing as f64 / r.orgs_applicable as f64)) } @else { "—" } }
                        td.hide-sm { span.muted { (r.citation) } }
                    }
                } }
                }
            } }
        }
    };
    Ok(page(&v, "合规检查", body))
}

/// When the figures were computed, and the way to recompute a large subtree.
pub(crate) fn computed(v: &Viewer, org: &Org, year: i32, done: &crate::jobs::Done, job: Option<&crate::jobs::Progress>, back: &str) -> Markup {
    html! {
        p.muted { "计算于 " (done.at) "（用时 " (format!("{:.1}", done.took.as_secs_f64())) " 秒）。" }
        @if done.summary.orgs as i64 > crate::jobs::INLINE_ORGS { (job_status(v, org.id, year, job, back)) }
    }
}

/// `/compliance/rule`: the organisations breaking one rule, each with its evidence.
pub async fn rule_detail(State(st): State<AppState>, headers: HeaderMap, Query(q): Query<CompliancePick>) -> PageResult {
    let v = page_viewer(&st, &headers).await?;
    let org = subject(&st, &v, q.org).await?;
    let year = q.year.unwrap_or(today().year());
    let id = q.rule.unwrap_or_default();
    if !rule_catalogue(&st.rules).iter().any(|r| r.id == id) {
        return Err(PageError::Status(StatusCode::NOT_FOUND, format!("规则“{id}”不存在")));
    }
    let back = format!("/compliance/rule?org={}&year={year}&rule={id}", org.id);
    let (done, job) = match judged(&st, &v, &org, year, &back).await? {
        Judged::Ready(d, job) => (d, job),
        Judged::Pending(body) => return Ok(page(&v, "合规检查", body)),
    };
    let rule = done.summary.rules.iter().find(|r| r.id == id).cloned().expect("listed in the catalogue");
    let parts = &done.summary.parts;
    let part_name = |p: Option<usize>| p.and_then(|i| parts.get(i)).map(|p| p.name.as_str()).unwrap_or("本级");
    let sector = q.sector.as_deref().and_then(domain::org::Sector::parse);
    let words = q.q.as_deref().map(str::trim).unwrap_or("");
    let part_ix = q.part.and_then(|id| parts.iter().position(|p| p.id == id));
    let mut fails: Vec<store::FailingOrg> = rule
        .failing
        .clone()
        .unwrap_or_default()
        .into_iter()
        .filter(|x| part_ix.is_none() || x.part == part_ix)
        .filter(|x| sector.is_none_or(|s| x.sector == s))
        .filter(|x| words.is_empty() || x.name.contains(words) || x.code.contains(words))
        .collect();
    match q.sort.as_deref() {
        Some("name") => fails.sort_by(|a, b| a.name.cmp(&b.name)),
        Some("code") => fails.sort_by(|a, b| a.code.cmp(&b.code)),
        Some("part") => fails.sort_by_key(|x| x.part.map_or(0, |p| p + 1)),
        _ => {}
    }
    const PER_PAGE: usize = 100;
    let pages = fails.len().div_ceil(PER_PAGE).max(1);
    let pageno = q.page.unwrap_or(1).clamp(1, pages);
    if let Some(fmt) = q.format.as_deref() {
        let heads = [("组织代码", 16.0), ("党组织", 36.0), ("所属", 20.0), ("领域", 14.0), ("要求", 24.0), ("实际", 24.0), ("证据", 80.0)];
        let rows = fails.iter().map(|x| {
            vec![x.code.clone().into(), x.name.clone().into(), part_name(x.part).to_string().into(), x.sector.label().into(), x.required.to_string().into(), x.found.to_string().into(), x.evidence.join("；").into()]
        });
        return crate::routes::exchange::table_download(&v, &format!("{}_{year}年_{}_未达标党组织", org.name, rule.title), fmt, &heads, rows);
    }
    // The same filters, for the links that change one of them.
    let link = |part: Option<i64>, sector: Option<&str>, sort: Option<&str>, page: usize| {
        let mut u = format!("/compliance/rule?org={}&year={year}&rule={}", org.id, rule.id);
        if let Some(p) = part { u.push_str(&format!("&part={p}")); }
        if let Some(s) = sector { u.push_str(&format!("&sector={s}")); }
        if !words.is_empty() { u.push_str(&format!("&q={}", url_text(words))); }
        if let Some(s) = sort { u.push_str(&format!("&sort={s}")); }
        if page > 1 { u.push_str(&format!("&page={page}")); }
        u
    };
    let sector_code = sector.map(|s| s.code());
    let body = html! {
        div.crumbs { a href={ "/orgs/" (org.id) } { (org.name) } " › " a href={ "/compliance?org=" (org.id) "&year=" (year) } { "合规检查" } " › " (rule.title) }
        section {
            h1 { (rule.title) }
            p { "依据：" (rule.citation) }
            (computed(&v, &org, year, &done, job.as_ref(), &back))
            p { (org.name) " " (year) "年：适用 " b { (rule.orgs_applicable) } " 个党组织，未达标 " b { (rule.orgs_failing) } " 个"
                @if rule.orgs_pending > 0 { "，另有 " (rule.orgs_pending) " 个未到判定时间" } "。" }
            form.filters method="get" action="/compliance/rule" {
                input type="hidden" name="org" value=(org.id);
                input type="hidden" name="year" value=(year);
                input type="hidden" name="rule" value=(rule.id);
                label for="f-part" { "所属" }
                select id="f-part" name="part" {
                    option value="" { "全部" }
                    @for (i, p) in parts.iter().enumerate() { option value=(p.id) selected[part_ix == Some(i)] { (p.name) "（" (rule.by_part.get(i).map_or(0, |x| x.1)) "）" } }
                }
                label for="f-sector" { "领域" }
                select id="f-sector" name="sector" {
                    option value="" { "全部" }
                    @for (s, _, f) in &rule.by_sector { option value=(s.code()) selected[sector == Some(*s)] { (s.label()) "（" (f) "）" } }
                }
                label for="f-q" { "名称或代码" }
                input id="f-q" type="search" name="q" value=(words);
                label for="f-sort" { "排序" }
                select id="f-sort" name="sort" {
                    @for (k, l) in [("", "按组织层级"), ("part", "按所属"), ("name", "按名称"), ("code", "按组织代码")] { option value=(k) selected[q.sort.as_deref().unwrap_or("") == k] { (l) } }
                }
                button type="submit" { "筛选" }
            }
            p { "符合条件的 " b { (fails.len()) } " 个。导出（按当前筛选）："
                a href={ (link(q.part, sector_code, q.sort.as_deref(), 1)) "&format=xlsx" } { "Excel" } " · "
                a href={ (link(q.part, sector_code, q.sort.as_deref(), 1)) "&format=csv" } { "CSV" } }
            @if fails.is_empty() { p.muted { "没有未达标的党组织。" } }
            @else {
                div.table-wrap { table {
                    thead { tr { th { "党组织" } th { "所属" } th.hide-sm { "领域" } th { "要求" } th { "实际" } th { "证据" } } }
                    tbody { @for x in fails.iter().skip((pageno - 1) * PER_PAGE).take(PER_PAGE) { tr {
                        td { a href={ "/orgs/" (x.id) } { (x.name) } br; span.muted { (x.code) } }
                        td { (part_name(x.part)) }
                        td.hide-sm { (x.sector.label()) }
                        td { (x.required) }
                        td { (x.found) }
                        td { ul { @for e in x.evidence.iter().take(12) { li { (e) } } @if x.evidence.len() > 12 { li.muted { "等共 " (x.evidence.len()) " 项" } } } }
                    } } }
                } }
                @if pages > 1 {
                    p.pager {
                        @if pageno > 1 { a href=(link(q.part, sector_code, q.sort.as_deref(), pageno - 1)) { "上一页" } }
                        "第 " (pageno) " / " (pages) " 页"
                        @if pageno < pages { " " a href=(link(q.part, sector_code, q.sort.as_deref(), pageno + 1)) { "下一页" } }
                    }
                }
            }
        }
    };
    Ok(page(&v, rule.title, body))
}

/// Percent-encodes search words for a link.
pub(crate) fn url_text(s: &str) -> String {
    s.bytes().map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") }).collect()
}

/// `/todo`: a secretary's list: meetings due this period, rules broken this year, people
/// in the pipeline whose next step is due, letters awaiting a receipt.
pub async fn todo(State(st): State<AppState>, headers: HeaderMap, Query(q): Query<CompliancePick>) -> PageResult {
    let v = page_viewer(&st, &headers).await?;
    let org = subject(&st, &v, q.org).await?;
    let now = today();
    let year = now.year();
    // A township's or a county's 待办 would hold thousands of items: it is kept by each
    // organisation below; here are the ways to them, and the 概览 that ranks them.
    let total = st.store.subtree_org_count(&v.scope, org.id).await?;
    if total > crate::jobs::INLINE_ORGS {
        let children = st.store.org_children(&v.scope, Some(org.id)).await?;
        return Ok(page(&v, "待办", html! {
            div.crumbs { a href={ "/orgs/" (org.id) } { (org.name) } " › 待办" }
            section {
                h1 { "待办：" (org.name) }
                p { "下辖 " (total) " 个党组织，待办由各党组织分别办理。全辖区哪里落后、落后在哪，请看 " a href={ "/overview?org=" (org.id) } { "概览" } "。" }
                ul.cards { @for c in &children { li { a href={ "/todo?org=" (c.org.id) } { (c.org.name) "的待办" } " " span.muted { "党员" (c.member_count) "名" } } } }
            }
        }));
    }
    // One pass over the subtree: what is due now (from the same facts), what is broken.
    let (store, rules, scope, root) = (st.store.clone(), st.rules.clone(), v.scope.clone(), org.id);
    let (due, broken) = crate::jobs::off_workers(async move {
        let mut due = Vec::new();
        let mut broken: Vec<(Org, RuleVerdict)> = Vec::new();
        store
            .judge_subtree(&scope, root, &rules, year, now, |o, facts, verdicts| {
                due.extend(due_now(&rules, facts, now).into_iter().map(|d| (o.clone(), d)));
                broken.extend(verdicts.into_iter().filter(|x| x.verdict == Verdict::NotMet).map(|x| (o.clone(), x)));
            })
            .await
            .map(|_| (due, broken))
    })
    .await?;
    let records = st.store.development_records(&v.scope, org.id).await.unwrap_or_default();
    let d = &st.rules.development;
    let pipeline: Vec<(String, String, i64)> = records
        .iter()
        .filter_map(|r| {
            let next = match r.stage {
                Stage::Activist => r.activist_on.map(|a| a + chrono::Duration::days(d.activist_min_days.get() as i64)).filter(|x| *x <= now).map(|_| "培养考察已满1年，可确定为发展对象".to_string()),
                Stage::Probationary => r.admitted_on.map(|a| domain::development::add_months(a, d.probation_months.get() + r.extension_months.unwrap_or(0))).filter(|x| *x <= now + chrono::Duration::days(30)).map(|x| format!("预备期{x}期满，应及时讨论转正")),
                Stage::Applicant if r.talked_on.is_none() => Some(format!("{}递交申请，应在{}天内派人谈话", r.applied_on, d.talk_within_days.get())),
                Stage::AwaitingApproval => r
                    .admitted_on
                    .filter(|a| domain::development::add_months(*a, d.approval_within_months.get()) <= now)
                    .map(|a| format!("支部大会{a}讨论接收，上级党委审批已超过{}个月，应督促审批（最长{}个月）", d.approval_within_months.get(), d.approval_max_months.get())),
                _ => None,
            };
            // Stalled: no step for longer than the half-year review interval (每半年考察一次).
            let last = [Some(r.applied_on), r.talked_on, r.activist_on, r.candidate_on, r.admitted_on].into_iter().flatten().max().unwrap_or(r.applied_on);
            let waiting = matches!(r.stage, Stage::Applicant | Stage::Activist | Stage::Candidate | Stage::AwaitingApproval);
            // An activist's year of observation is not a stall: count from its end.
            let from = if r.stage == Stage::Activist { last + chrono::Duration::days(d.activist_min_days.get() as i64) } else { last };
            let stalled = (waiting && domain::development::add_months(from, d.activist_review_months.get()) < now)
                .then(|| format!("自{last}起已超过{}个月没有进展（{}），请跟进", d.activist_review_months.get(), r.stage.label()));
            let next = match (next, stalled) {
                (Some(n), Some(s)) => format!("{n}；{s}"),
                (n, s) => n.or(s)?,
            };
            Some((r.name.clone(), next, r.id))
        })
        .collect();
    let letters: Vec<_> = st.store.transfers(&v.scope, None, Some(org.id)).await?.into_iter().filter(|t| t.received_on.is_none()).collect();
    // The organisation's own roll: plans announced, dues and training behind.
    let own_roll = org.level.holds_members() || org.level == domain::org::OrgLevel::Group;
    let plans = if own_roll { st.store.upcoming_plans(&v.scope, Some(org.id), now).await? } else { Vec::new() };
    let standing = if own_roll { st.store.member_standing(&v.scope, org.id, year).await? } else { Vec::new() };
    let this_month = domain::dues::Month::of(now);
    // Dues: unpaid months this year up to last month (the current month is still open).
    let dues_behind: Vec<(&store::MemberStanding, usize)> = standing
        .iter()
        .filter_map(|s| {
            let from = domain::dues::Month::of(s.joined_on).max(domain::dues::Month::new(year, 1));
            let to = domain::dues::Month(this_month.0 - 1);
            let n = if from <= to { domain::dues::unpaid_months(&s.paid, (from, to)).len() } else { 0 };
            (n > 0).then_some((s, n))
        })
        .collect();
    // Training: the year's hours against the requirement, pro rata to the months gone.
    let need = st.rules.training.member_hours.get() as f64;
    let pace = need * now.month() as f64 / 12.0;
    let training_behind: Vec<&store::MemberStanding> = standing.iter().filter(|s| s.hours < pace).collect();
    // Records to complete: "12名党员缺少职业", from the same count as the completeness page.
    let gaps: Vec<String> = match v.scope.own_member() {
        Some(_) => Vec::new(),
        None => {
            let rows = st.store.member_completeness(&v.scope, org.id).await?;
            store::COMPLETENESS_FIELDS
                .iter()
                .enumerate()
                .filter_map(|(i, f)| {
                    let n: i64 = rows.iter().map(|r| r.gaps[i]).sum();
                    (n > 0).then(|| if f.contains("只有年月") { format!("{n}名党员的{f}") } else { format!("{n}名党员缺少{f}") })
                })
                .collect()
        }
    };
    let body = html! {
        div.crumbs { a href={ "/orgs/" (org.id) } { (org.name) } " › 待办" }
        section {
            h1 { "待办：" (org.name) }
            p.muted { "截至 " (now) "。点击“登记”直接填写。" }
        }
        @if own_roll {
            section id="todo-plans" {
                h2 { "活动预告（" (plans.len()) "）" }
                @if plans.is_empty() { p.muted { "没有待开的活动。预告后党员在“我的”中能看到，当天可扫码签到。" } }
                @else {
                    ul.cards { @for p in &plans { li {
                        b { (p.planned_on) } " " (p.kind.label()) "：" a href={ "/plans/" (p.id) } { (p.topic) }
                        " " span.muted { "已签到" (p.checked_in) "人" }
                        @if p.planned_on <= now { " " a.button href={ "/orgs/" (p.org_id) "/meetings/new?plan=" (p.id) } { "登记会议" } }
                    } } }
                }
                (crate::routes::plans::plan_form(org.id, &v.session.csrf_token, None, &[]))
            }
            section id="todo-standing" {
                h2 { "党费与学习" }
                @if dues_behind.is_empty() { p { span.tag.ok { "党费" } " 本年截至上月都已交纳。" } }
                @else {
                    p { span.tag.warn { (dues_behind.len()) "名党员党费未交齐" } " 截至上月：" }
                    ul { @for (s, n) in dues_behind.iter().take(50) { li { a href={ "/members/" (s.member_id) } { (s.name) } "：" (n) "个月未交" } } }
                }
                @if training_behind.is_empty() { p { span.tag.ok { "学习" } " 每人学时都达到了本年应有的进度。" } }
                @else {
                    p { span.tag.warn { (training_behind.len()) "名党员学时落后" } " 按全年" (need) "学时、到本月应有约" (format!("{pace:.0}")) "学时计：" }
                    ul { @for s in training_behind.iter().take(50) { li { a href={ "/members/" (s.member_id) } { (s.name) } "：已学" (s.hours) "学时" } } }
                }
            }
        }
        section {
            h2 { "本期应开展（" (due.len()) "）" }
            @if due.len() > 300 { p.muted { "只列出前300项；请进入下级党组织的待办查看其余。" } }
            @if due.is_empty() { p.muted { "本月、本季度、本年要求的会议都已开展。" } }
            @else {
                // Cards, not a table: one line each on a phone, the button at hand.
                ul.cards.due { @for (o, x) in due.iter().take(300) { li {
                    a.button href={ "/orgs/" (o.id) "/meetings/new?kind=" (x.kind.code()) } { "登记" }
                    b { (x.kind.label()) } " " (x.period) "：已开" (x.held) "次，要求" (x.required) "次，" (x.ends_on) "前"
                    @if o.id != org.id { br; span.muted { (o.name) } }
                } } }
            }
        }
        section {
            h2 { "本年已逾期或未达标（" (broken.len()) "）" }
            @if broken.is_empty() { p.muted { "没有。" } }
            @else {
                div.table-wrap { table {
                    thead { tr { th { "党组织" } th { "规则" } th { "情况" } } }
                    tbody { @for (o, x) in broken.iter().take(300) { tr {
                        td { a href={ "/orgs/" (o.id) } { (o.name) } }
                        td { (x.title) }
                        td { ul { @for e in x.evidence.iter().take(6) { li { (e) } } @if x.evidence.len() > 6 { li.muted { "等共 " (x.evidence.len()) " 项" } } } }
                    } } }
                } }
            }
        }
        @if !pipeline.is_empty() {
            section {
                h2 { "发展党员（" (pipeline.len()) "）" }
                ul { @for (name, what, id) in &pipeline { li { a href={ "/development/" (id) } { (name) } "：" (what) } } }
            }
        }
        @if !gaps.is_empty() {
            section id="todo-gaps" {
                h2 { "党员信息待补齐（" (gaps.len()) "）" }
                ul { @for g in &gaps { li { (g) } } }
                p { a href={ "/orgs/" (org.id) "/completeness" } { "逐个党组织查看并补齐" } }
            }
        }
        @if !letters.is_empty() {
            section {
                h2 { "介绍信待回执（" (letters.len()) "）" }
                ul { @for t in &letters { li {
                    (t.member_name) "，" (t.letter_no) "，转往" (t.counterpart) "，有效期至 " (t.valid_until())
                    @if t.is_lapsed(now) { " " span.tag.bad { "已逾期（口袋党员风险）" } }
                    " " a href={ "/members/" (t.member_id) } { "登记回执" }
                } } }
            }
        }
    };
    Ok(page(&v, "待办", body))
}
