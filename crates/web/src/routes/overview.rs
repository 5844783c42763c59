//! 概览: the organisation department's home — key rules by 乡镇/街道 and by sector with a
//! ranking, the branches needing attention most, each figure a link to its records.
//! Served from the same judged run as the compliance pages (cached for large subtrees).

use crate::auth::Staff;
use crate::routes::compliance::{computed, judged, subject, year_links, CompliancePick, Judged};
use crate::error::PageError;
use crate::view::{page, today};
use crate::AppState;
use axum::extract::{Query, State};
use axum::response::Response;
use chrono::Datelike;
use domain::Labelled;
use maud::html;
use store::RuleSummary;

/// The rules shown as columns: the 三会一课 and 主题党日, dues, attendance, elections.
const KEY_RULES: [&str; 7] = [
    "meetings.general_meeting",
    "meetings.committee_meeting",
    "meetings.party_lesson",
    "meetings.themed_party_day",
    "members.absence",
    "dues.lapse_months",
    "organisation.term_overdue",
];

/// 达标率 of judged organisations, as a percentage.
fn rate(judged: u64, failing: u64) -> Option<f64> {
    (judged > 0).then(|| 100.0 * (judged - failing) as f64 / judged as f64)
}

fn pct(r: Option<f64>) -> String {
    r.map(|r| format!("{r:.1}%")).unwrap_or_else(|| "—".into())
}

/// A row of the breakdown: name, link, the overall rate and each key rule's (judged, failing).
struct Row {
    name: String,
    part: Option<i64>,
    sector: Option<&'static str>,
    overall: Option<f64>,
    failing: u64,
    cells: Vec<(u64, u64)>,
}

pub async fn overview(State(st): State<AppState>, Staff(v): Staff, Query(q): Query<CompliancePick>) -> Result<Response, PageError> {
    let org = subject(&st, &v, q.org).await?;
    let year = q.year.unwrap_or(today().year());
    let back = format!("/overview?org={}&year={year}", org.id);
    let (done, job) = match judged(&st, &v, &org, year, &back).await? {
        Judged::Ready(d, job) => (d, job),
        Judged::Pending(body) => return Ok(page(&v, "概览", body)),
    };
    let s = &done.summary;
    let key: Vec<&RuleSummary> = KEY_RULES.iter().filter_map(|id| s.rules.iter().find(|r| r.id == *id)).collect();
    // Parts (乡镇/街道): over every rule, and per key rule.
    let mut parts: Vec<Row> = s
        .parts
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let (j, f) = s.rules.iter().map(|r| r.by_part[i]).fold((0, 0), |a, x| (a.0 + x.0, a.1 + x.1));
            Row { name: p.name.clone(), part: Some(p.id), sector: None, overall: rate(j, f), failing: f, cells: key.iter().map(|r| r.by_part[i]).collect() }
        })
        .filter(|r| r.overall.is_some())
        .collect();
    let mut sectors: Vec<Row> = domain::org::Sector::ALL
        .iter()
        .map(|sec| {
            let of = |r: &RuleSummary| r.by_sector.iter().find(|x| x.0 == *sec).map_or((0, 0), |x| (x.1, x.2));
            let (j, f) = s.rules.iter().map(of).fold((0, 0), |a, x| (a.0 + x.0, a.1 + x.1));
            Row { name: sec.label().to_string(), part: None, sector: Some(sec.code()), overall: rate(j, f), failing: f, cells: key.iter().map(|r| of(r)).collect() }
        })
        .filter(|r| r.overall.is_some())
        .collect();
    let by_name = q.sort.as_deref() == Some("name");
    for rows in [&mut parts, &mut sectors] {
        if by_name {
            rows.sort_by(|a, b| a.name.cmp(&b.name));
        } else {
            // Ranked: the lowest 达标率 first, where attention is needed.
            rows.sort_by(|a, b| a.overall.partial_cmp(&b.overall).unwrap_or(std::cmp::Ordering::Equal));
        }
    }
    if let Some(fmt) = q.format.as_deref() {
        let mut heads: Vec<(&str, f64)> = vec![("乡镇/街道或领域", 24.0), ("综合达标率（%）", 14.0), ("未达标项次", 12.0)];
        heads.extend(key.iter().map(|r| (r.title, 16.0)));
        let rows = parts.iter().chain(sectors.iter()).map(|r| {
            let mut out: Vec<sheets::write::Out> = vec![r.name.clone().into(), r.overall.map(|x| sheets::write::Out::Number((x * 10.0).round() / 10.0)).unwrap_or(sheets::write::Out::Empty), (r.failing as i64).into()];
            out.extend(r.cells.iter().map(|(j, f)| rate(*j, *f).map(|x| sheets::write::Out::Number((x * 10.0).round() / 10.0)).unwrap_or(sheets::write::Out::Empty)));
            out
        });
        return crate::routes::exchange::table_download(&v, &format!("{}_{year}年概览", org.name), fmt, &heads, rows);
    }
    let cell_link = |r: &Row, rule: &str| match (r.part, r.sector) {
        (Some(p), _) => format!("/compliance/rule?org={}&year={year}&rule={rule}&part={p}", org.id),
        (_, Some(sec)) => format!("/compliance/rule?org={}&year={year}&rule={rule}&sector={sec}", org.id),
        _ => format!("/compliance/rule?org={}&year={year}&rule={rule}", org.id),
    };
    let table = |rows: &[Row], head: &str| {
        html! {
            div.table-wrap { table.ranking {
                thead { tr {
                    th { "排名" } th { (head) } th { "综合达标率" }
                    @for r in &key { th { (r.title) } }
                } }
                tbody { @for (i, r) in rows.iter().enumerate() { tr {
                    td { (i + 1) }
                    td { @match r.part { Some(p) => a href={ "/overview?org=" (p) "&year=" (year) } { (r.name) }, None => (r.name) } }
                    td { b { (pct(r.overall)) } }
                    @for (k, (j, f)) in key.iter().zip(&r.cells) {
                        td { @if *f > 0 { a href=(cell_link(r, k.id)) { (pct(rate(*j, *f))) } " " span.muted { (f) "个未达标" } } @else { (pct(rate(*j, *f))) } }
                    }
                } } }
            } }
        }
    };
    let body = html! {
        div.crumbs { a href={ "/orgs/" (org.id) } { (org.name) } " › 概览" }
        section {
            h1 { (org.name) " " (year) "年概览" }
            p.muted { "共 " (s.orgs) " 个党组织。达标率 = 已判定的党组织中达标的比例；本年尚未结束时只判定已结束的月份和季度。" }
            (computed(&v, &org, year, &done, job.as_ref(), &back))
            (year_links("/overview?", org.id, year))
            p { "排序：" a href={ "/overview?org=" (org.id) "&year=" (year) } { "按达标率（低的在前）" } " · " a href={ "/overview?org=" (org.id) "&year=" (year) "&sort=name" } { "按名称" }
                " · 导出：" a href={ "/overview?org=" (org.id) "&year=" (year) "&format=xlsx" } { "Excel" } }
        }
        @if !parts.is_empty() {
            section id="by-part" { h2 { "按下级党组织（乡镇/街道）" } (table(&parts, "下级党组织")) }
        }
        section id="by-sector" { h2 { "按领域" } (table(&sectors, "领域")) }
        section id="worst" {
            h2 { "最需关注的党支部" }
            @if s.worst.is_empty() { p.muted { "没有未达标的党支部。" } }
            @else {
                div.table-wrap { table.wide {
                    thead { tr { th { "党支部" } th { "所属" } th { "未达标规则" } } }
                    tbody { @for w in &s.worst { tr {
                        td { a href={ "/compliance?org=" (w.id) "&year=" (year) } { (w.name) } }
                        td { (w.part.and_then(|p| s.parts.get(p)).map(|p| p.name.as_str()).unwrap_or("本级")) }
                        td { (w.failing_rules) " / " (w.judged_rules) " 项" }
                    } } }
                } }
            }
        }
    };
    Ok(page(&v, "概览", body))
}
