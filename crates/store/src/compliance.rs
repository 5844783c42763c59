//! Gathers the facts the compliance engine judges, for a subtree, in batches of
//! organisations that are consecutive in path order (so each batch is one path range and
//! every query a range scan), and hands each organisation's verdicts to the caller.
//! Memory is bounded by one batch.

use crate::query::Sql;
use crate::rows::RowExt;
use crate::{Scope, Store, StoreError};
use domain::compliance::{dues_window, judge, reference_date, MemberFact, OrgYear, RuleVerdict, TransferFact, UnitFact, Verdict};
use crate::development::{development_from, DEVELOPMENT_COLS};
use domain::development::DevelopmentRecord;
use domain::dues::Month;
use domain::meeting::MeetingKind;
use domain::org::Org;
use domain::rules::Rules;
use domain::unit::Coverage;
use domain::{Date, Labelled};
use std::collections::HashMap;

/// Organisations per batch.
const BATCH: usize = 2_000;

/// One batch's facts, by organisation id.
#[derive(Default)]
struct Facts {
    meetings: HashMap<i64, Vec<(MeetingKind, Date)>>,
    committee_attendance: HashMap<i64, Vec<(Date, u32)>>,
    posts: HashMap<i64, usize>,
    units: HashMap<i64, Vec<UnitFact>>,
    members: HashMap<i64, Vec<MemberFact>>,
    full: HashMap<i64, u32>,
    transfers: HashMap<i64, Vec<TransferFact>>,
    development: HashMap<i64, Vec<DevelopmentRecord>>,
}

impl Facts {
    /// What the rules judge of `org`, from the facts read for its batch.
    fn of<'a>(&'a self, org: &Org) -> OrgYear<'a> {
        OrgYear {
            level: org.level,
            committee_posts: self.posts.get(&org.id).copied().unwrap_or(0),
            elected_on: org.elected_on,
            term_years: org.term_years.map(|t| t as u32),
            members: self.members.get(&org.id).map_or(0, |m| m.len() as u32),
            full_members: self.full.get(&org.id).copied().unwrap_or(0),
            meetings: self.meetings.get(&org.id).map_or(&[], Vec::as_slice),
            committee_attendance: self.committee_attendance.get(&org.id).map_or(&[], Vec::as_slice),
            units: self.units.get(&org.id).map_or(&[], Vec::as_slice),
            member_facts: self.members.get(&org.id).map_or(&[], Vec::as_slice),
            transfers_out: self.transfers.get(&org.id).map_or(&[], Vec::as_slice),
            development: self.development.get(&org.id).map_or(&[], Vec::as_slice),
        }
    }
}

/// An organisation that breaks a rule, with the evidence.
#[derive(Debug, Clone, serde::Serialize)]
pub struct FailingOrg {
    pub id: i64,
    pub code: String,
    pub name: String,
    /// The part of the subtree it is in (index into [`ComplianceSummary::parts`]); `None`
    /// for the root itself.
    pub part: Option<usize>,
    pub sector: domain::org::Sector,
    pub required: String,
    pub found: String,
    pub evidence: Vec<String>,
}

/// One rule over a subtree: where it applies, where it is broken.
#[derive(Debug, Clone, serde::Serialize)]
pub struct RuleSummary {
    pub id: &'static str,
    pub title: &'static str,
    pub citation: String,
    /// Judged for (达标 or 未达标).
    pub orgs_applicable: u64,
    pub orgs_failing: u64,
    /// Applying, but with no complete period yet (未到判定时间).
    pub orgs_pending: u64,
    /// The failing organisations, when asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failing: Option<Vec<FailingOrg>>,
    /// (judged, failing) per part of the subtree, in the order of `parts`.
    pub by_part: Vec<(u64, u64)>,
    /// (sector, judged, failing) for each sector with organisations judged.
    pub by_sector: Vec<(domain::org::Sector, u64, u64)>,
}

/// A part of the subtree for breakdowns: a child of the root (乡镇/街道 under a county).
#[derive(Debug, Clone, serde::Serialize)]
pub struct Part {
    pub id: i64,
    pub name: String,
    pub members: i64,
}

/// An organisation with the most rules broken (最需关注的党组织).
#[derive(Debug, Clone, serde::Serialize)]
pub struct WorstOrg {
    pub id: i64,
    pub name: String,
    pub part: Option<usize>,
    pub failing_rules: u32,
    pub judged_rules: u32,
}

/// Compliance of a subtree in a year, rule by rule.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ComplianceSummary {
    pub org: String,
    pub year: i32,
    pub as_of: Date,
    pub rules_version: String,
    pub orgs: usize,
    pub rules: Vec<RuleSummary>,
    /// The root's children, the parts the breakdowns are by.
    pub parts: Vec<Part>,
    /// The branches breaking the most rules, worst first (at most [`WORST_SHOWN`]).
    pub worst: Vec<WorstOrg>,
}

/// Worst organisations kept in a summary.
pub const WORST_SHOWN: usize = 30;

impl Store {
    /// Per rule of the catalogue, how many organisations of the subtree of `root` it applies
    /// to and how many break it; with `failing`, which ones and why.
    pub async fn compliance_summary(&self, scope: &Scope, root: i64, rules: &Rules, year: i32, as_of: Date, failing: bool) -> Result<ComplianceSummary, StoreError> {
        self.compliance_summary_tracked(scope, root, rules, year, as_of, failing, &std::sync::atomic::AtomicUsize::new(0)).await
    }

    /// The same, counting the organisations judged so far into `progress` (for a
    /// background job's progress bar).
    #[allow(clippy::too_many_arguments)]
    pub async fn compliance_summary_tracked(&self, scope: &Scope, root: i64, rules: &Rules, year: i32, as_of: Date, failing: bool, progress: &std::sync::atomic::AtomicUsize) -> Result<ComplianceSummary, StoreError> {
        let top = self.org(scope, root).await?;
        let children = self.org_children(scope, Some(root)).await?;
        let parts: Vec<Part> = children.iter().map(|c| Part { id: c.org.id, name: c.org.name.clone(), members: c.member_count }).collect();
        let part_of: HashMap<i64, usize> = parts.iter().enumerate().map(|(i, p)| (p.id, i)).collect();
        // The child of the root an organisation is in: the id after the root's in its path.
        let part_for = |path: &str| -> Option<usize> {
            let rest = path.strip_prefix(top.path.as_str())?;
            let id: i64 = rest.split('/').next()?.parse().ok()?;
            part_of.get(&id).copied()
        };
        let mut out: Vec<RuleSummary> = domain::compliance::rule_catalogue(rules)
            .into_iter()
            .map(|r| RuleSummary {
                id: r.id,
                title: r.title,
                citation: r.citation,
                orgs_applicable: 0,
                orgs_failing: 0,
                orgs_pending: 0,
                failing: failing.then(Vec::new),
                by_part: vec![(0, 0); parts.len()],
                by_sector: Vec::new(),
            })
            .collect();
        let mut worst: Vec<WorstOrg> = Vec::new();
        let orgs = self
            .judge_subtree(scope, root, rules, year, as_of, |org, _, verdicts| {
                progress.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let part = part_for(&org.path);
                let (mut judged, mut failed) = (0u32, 0u32);
                for (r, v) in out.iter_mut().zip(verdicts) {
                    if v.verdict.is_judged() {
                        r.orgs_applicable += 1;
                        judged += 1;
                        if let Some(p) = part {
                            r.by_part[p].0 += 1;
                        }
                        match r.by_sector.iter_mut().find(|x| x.0 == org.sector) {
                            Some(x) => x.1 += 1,
                            None => r.by_sector.push((org.sector, 1, 0)),
                        }
                    }
                    if v.verdict == Verdict::NotYet {
                        r.orgs_pending += 1;
                    }
                    if v.verdict == Verdict::NotMet {
                        r.orgs_failing += 1;
                        failed += 1;
                        if let Some(p) = part {
                            r.by_part[p].1 += 1;
                        }
                        if let Some(x) = r.by_sector.iter_mut().find(|x| x.0 == org.sector) {
                            x.2 += 1;
                        }
                        if let Some(list) = r.failing.as_mut() {
                            list.push(FailingOrg { id: org.id, code: org.code.clone(), name: org.name.clone(), part, sector: org.sector, required: v.required, found: v.found, evidence: v.evidence });
                        }
                    }
                }
                if failed > 0 && org.level == domain::org::OrgLevel::Branch {
                    worst.push(WorstOrg { id: org.id, name: org.name.clone(), part, failing_rules: failed, judged_rules: judged });
                    // Keep the list short as it grows: the most failing first, then path order.
                    if worst.len() > 4 * WORST_SHOWN {
                        worst.sort_by(|a, b| b.failing_rules.cmp(&a.failing_rules));
                        worst.truncate(WORST_SHOWN);
                    }
                }
            })
            .await?;
        worst.sort_by(|a, b| b.failing_rules.cmp(&a.failing_rules));
        worst.truncate(WORST_SHOWN);
        for r in &mut out {
            r.by_sector.sort_by_key(|x| x.0);
        }
        Ok(ComplianceSummary { org: top.code, year, as_of, rules_version: rules.version.clone(), orgs, rules: out, parts, worst })
    }

    /// Active organisations in the subtree of `root` (itself included), in path order.
    pub async fn subtree_orgs(&self, scope: &Scope, root: i64) -> Result<Vec<Org>, StoreError> {
        let top = self.org(scope, root).await?;
        let (lo, hi) = crate::scope::path_range(&top.path);
        let mut q = Sql::new(&format!("SELECT {} FROM orgs o WHERE o.dissolved_on IS NULL AND o.path >= ", crate::orgs::ORG_COLS));
        q.arg(lo).push(" AND o.path < ").arg(hi);
        scope.orgs(&mut q, "o");
        q.push(" ORDER BY o.path");
        // Streamed: a province has ~440 000 organisations, and holding every row at once
        // costs far more than the organisations themselves.
        use futures_util::TryStreamExt;
        let mut rows = q.query().fetch(&self.pool);
        let mut out = Vec::new();
        while let Some(r) = rows.try_next().await? {
            out.push(crate::orgs::org_from(&r)?);
        }
        Ok(out)
    }

    /// Judges every rule for every organisation of the subtree of `root` in `year`, calling
    /// `each` with the organisation, the facts judged and its verdicts, in path order.
    pub async fn judge_subtree(
        &self,
        scope: &Scope,
        root: i64,
        rules: &Rules,
        year: i32,
        as_of: Date,
        mut each: impl FnMut(&Org, &OrgYear, Vec<RuleVerdict>),
    ) -> Result<usize, StoreError> {
        use futures_util::stream::{self, StreamExt, TryStreamExt};
        let orgs = self.subtree_orgs(scope, root).await?;
        let top_hi = crate::scope::path_range(&orgs.first().ok_or(StoreError::NotFound { what: "党组织" })?.path).1;
        let ranges: Vec<(usize, String, String)> = orgs
            .chunks(BATCH)
            .enumerate()
            .map(|(i, chunk)| (i, chunk[0].path.clone(), orgs.get((i + 1) * BATCH).map_or(top_hi.clone(), |o| o.path.clone())))
            .collect();
        // Two batches in flight on two connections: one is read while the other is judged
        // (a province on SQLite: 257 s with one, 215 s with two).
        let mut batches = stream::iter(ranges).map(|(i, lo, hi)| async move { self.facts(&lo, &hi, rules, year, as_of).await.map(|f| (i, f)) }).buffered(2);
        while let Some((i, f)) = batches.try_next().await? {
            for org in &orgs[i * BATCH..((i + 1) * BATCH).min(orgs.len())] {
                let facts = f.of(org);
                let verdicts = judge(rules, &facts, year, as_of);
                each(org, &facts, verdicts);
            }
        }
        Ok(orgs.len())
    }

    /// Judges one organisation alone (not its subtree), for an update after a write:
    /// `each` gets its facts and verdicts.
    pub async fn judge_one<R>(&self, org: &Org, rules: &Rules, year: i32, as_of: Date, each: impl FnOnce(&OrgYear, Vec<RuleVerdict>) -> R) -> Result<R, StoreError> {
        // [path, path + "!"): the organisation itself; its descendants continue the path
        // with a digit, which sorts after '!'.
        let f = self.facts(&org.path, &format!("{}!", org.path), rules, year, as_of).await?;
        let facts = f.of(org);
        let verdicts = judge(rules, &facts, year, as_of);
        Ok(each(&facts, verdicts))
    }

    /// The text aggregate joining `expr` with commas, in this database's dialect.
    fn concat(&self, expr: &str) -> String {
        match self.backend {
            crate::Backend::Sqlite => format!("group_concat({expr}, ',')"),
            crate::Backend::Postgres => format!("string_agg({expr}, ',')"),
        }
    }

    /// The aggregate joining the columns `cols` of each row into one record of a text (see
    /// `Records`), in this database's dialect. A NULL column becomes an empty field.
    fn records(&self, cols: &[&str]) -> String {
        let (chr, agg) = match self.backend {
            crate::Backend::Sqlite => ("char", "group_concat"),
            crate::Backend::Postgres => ("chr", "string_agg"),
        };
        let fields = cols.iter().map(|c| format!("COALESCE(CAST({c} AS TEXT), '')")).collect::<Vec<_>>().join(&format!(" || {chr}(31) || "));
        format!("{agg}({fields}, {chr}(30))")
    }

    /// The one text a `records` query returns (empty when no row matched).
    async fn batch_text(&self, q: Sql) -> Result<String, StoreError> {
        let row = q.query().fetch_one(&self.pool).await?;
        Ok(row.os("list")?.unwrap_or_default())
    }

    /// The facts of the organisations with paths in [lo, hi).
    async fn facts(&self, lo: &str, hi: &str, rules: &Rules, year: i32, as_of: Date) -> Result<Facts, StoreError> {
        let mut f = Facts::default();
        let jan1 = format!("{year:04}-01-01");
        let dec31 = format!("{year:04}-12-31");
        let reference = reference_date(year, as_of).to_string();
        let in_range = |sql: &str| {
            let mut q = Sql::new(sql);
            q.push(" o.path >= ").arg(lo).push(" AND o.path < ").arg(hi);
            q
        };

        // Each query returns the whole batch as one text of records (see `Records`): rows,
        // not bytes, are what cost. A row crosses sqlx's driver boundary at several
        // microseconds; a city is 2 M of them one per fact, and 100 one per batch.
        // A 支委会's attendance is its 到会人数, the write-time summary on the meeting.
        let mut q = Sql::new(&format!("SELECT {} AS list FROM meetings mt JOIN orgs o ON o.id = mt.org_id WHERE", self.records(&["mt.org_id", "mt.kind", "mt.held_on", "mt.present_count"])));
        q.push(" o.path >= ").arg(lo).push(" AND o.path < ").arg(hi);
        q.push(" AND mt.held_on >= ").arg(jan1.as_str()).push(" AND mt.held_on <= ").arg(dec31.as_str());
        let list = self.batch_text(q).await?;
        for r in Records::new(&list, "meetings") {
            let [org, kind, on, present] = r.fields()?;
            let (org, kind, on) = (r.int(org)?, MeetingKind::parse(kind).ok_or_else(|| r.corrupt())?, r.date(on)?);
            f.meetings.entry(org).or_default().push((kind, on));
            // A 支委会 with no attendance recorded has no 到会人数 and is not judged for quorum.
            if kind == MeetingKind::CommitteeMeeting && !present.is_empty() {
                f.committee_attendance.entry(org).or_default().push((on, r.int(present)? as u32));
            }
        }
        // The aggregate's order is the database's; evidence is listed by date.
        f.committee_attendance.values_mut().for_each(|v| v.sort());

        let mut q = in_range("SELECT c.org_id, COUNT(*) AS n FROM committee_posts c JOIN orgs o ON o.id = c.org_id WHERE");
        // The committee as it stood at the reference date (see registry_measures).
        q.push(" AND (c.end_on IS NULL OR c.end_on > ").arg(reference.as_str()).push(") GROUP BY c.org_id");
        for r in q.query().fetch_all(&self.pool).await? {
            f.posts.insert(r.i("org_id")?, r.i("n")? as usize);
        }

        let min_full = rules.organisation.branch_min_full_members.get() as i64;
        let mut q = in_range("SELECT u.owner_org_id, u.name, u.full_members, u.coverage FROM units u JOIN orgs o ON o.id = u.owner_org_id WHERE");
        q.push(" AND u.full_members >= ").arg(min_full);
        for r in q.query().fetch_all(&self.pool).await? {
            let own = r.e::<Coverage>("coverage")? == Coverage::Own;
            f.units.entry(r.i("owner_org_id")?).or_default().push(UnitFact { name: r.s("name")?, full_members: r.i("full_members")? as u32, own_org: own });
        }

        // One row per member on the roll at the reference date, carrying what the member
        // rules need from the write-time summaries (store::summaries: one row per member
        // and year) instead of every attendance, dues and training row of the year. The
        // raw attendance is read only for a member whose year's last participation lies
        // after the reference date (a year judged before its end).
        let (d_from, d_to) = dues_window(year, as_of);
        let concat = self.concat("CAST(s.year AS TEXT) || ':' || CAST(s.paid_months AS TEXT)");
        let mut q = Sql::new("SELECT ");
        q.push(&self.records(&["id", "org_id", "joined_on", "joined_precision", "full_on", "last_present", "paid", "hours", "posts", "name"]));
        q.push(" AS list FROM (SELECT m.id, m.org_id, m.name, m.joined_on, m.joined_precision, m.full_on, CASE WHEN y.last_present IS NULL THEN ");
        q.push("(SELECT MAX(p.last_present) FROM member_year p WHERE p.member_id = m.id AND p.year < ").arg(year as i64).push(") WHEN y.last_present <= ").arg(reference.as_str());
        q.push(" THEN y.last_present ELSE (SELECT a.held_on FROM attendance a WHERE a.member_id = m.id AND a.held_on <= ").arg(reference.as_str());
        q.push(" AND a.present = 1 ORDER BY a.held_on DESC LIMIT 1) END AS last_present, ");
        q.push(&format!("(SELECT {concat} FROM member_year s WHERE s.member_id = m.id AND s.year >= ")).arg(d_from.year() as i64);
        q.push(" AND s.year <= ").arg(d_to.year() as i64).push(") AS paid, y.training_hours AS hours, ");
        q.push("(SELECT COUNT(*) FROM committee_posts c WHERE c.member_id = m.id AND (c.end_on IS NULL OR c.end_on > ").arg(reference.as_str()).push(")) AS posts ");
        q.push("FROM members m JOIN orgs o ON o.id = m.org_id LEFT JOIN member_year y ON y.member_id = m.id AND y.year = ").arg(year as i64);
        q.push(" WHERE o.path >= ").arg(lo).push(" AND o.path < ").arg(hi);
        q.push(" AND m.joined_on <= ").arg(reference.as_str()).push(" AND (m.left_on IS NULL OR m.left_on > ").arg(reference.as_str()).push(")) mm");
        let list = self.batch_text(q).await?;
        let mut members = Vec::new();
        for r in Records::new(&list, "members") {
            let [id, org, joined_on, precision, full_on, last_present, paid, hours, posts, name] = r.fields()?;
            let org = r.int(org)?;
            if !full_on.is_empty() && full_on <= reference.as_str() {
                *f.full.entry(org).or_default() += 1;
            }
            // 入党时间 known only to the month: the member rules see the month's last day, so
            // that nobody is judged for a window they may not yet have been a member in.
            let joined = domain::dates::PartialDate { date: r.date(joined_on)?, precision: domain::dates::Precision::from_code(precision) };
            let fact = MemberFact {
                name: name.to_string(),
                joined_on: joined.latest(),
                last_present: if last_present.is_empty() { None } else { Some(r.date(last_present)?) },
                paid: paid_months(paid)?,
                training_hours: if hours.is_empty() { 0.0 } else { hours.parse().map_err(|_| r.corrupt())? },
                cadre: r.int(posts)? > 0,
            };
            members.push((r.int(id)?, org, fact));
        }
        // Evidence lists members in the order they were registered.
        members.sort_unstable_by_key(|(id, _, _)| *id);
        for (_, org, fact) in members {
            f.members.entry(org).or_default().push(fact);
        }

        let mut q = in_range(
            "SELECT t.org_id, m.name, t.letter_no, t.issued_on, t.valid_days, t.received_on FROM transfers t JOIN members m ON m.id = t.member_id \
             JOIN orgs o ON o.id = t.org_id WHERE",
        );
        q.push(" AND t.direction = 'out' AND t.issued_on <= ").arg(reference.as_str());
        q.push(" AND (t.received_on IS NULL OR t.received_on >= ").arg(jan1.as_str()).push(") ORDER BY t.issued_on, t.id");
        for r in q.query().fetch_all(&self.pool).await? {
            let issued = r.d("issued_on")?;
            f.transfers.entry(r.i("org_id")?).or_default().push(TransferFact {
                member_name: r.s("name")?,
                letter_no: r.s("letter_no")?,
                issued_on: issued,
                valid_until: issued + chrono::Duration::days(r.i("valid_days")?),
                received_on: r.od("received_on")?,
            });
        }

        let mut q = in_range(&format!("SELECT {DEVELOPMENT_COLS} FROM development d JOIN orgs o ON o.id = d.org_id WHERE"));
        q.push(" AND (");
        for (i, c) in ["applied_on", "activist_on", "candidate_on", "admitted_on", "full_on"].iter().enumerate() {
            if i > 0 {
                q.push(" OR ");
            }
            q.push(&format!("(d.{c} >= ")).arg(jan1.as_str()).push(&format!(" AND d.{c} <= ")).arg(reference.as_str()).push(")");
        }
        q.push(") ORDER BY d.id");
        for r in q.query().fetch_all(&self.pool).await? {
            let rec = development_from(&r)?;
            f.development.entry(rec.org_id).or_default().push(rec);
        }
        Ok(f)
    }
}

/// A batch's rows as one text: records separated by U+001E, fields by U+001F. Stored
/// text cannot hold these control characters (`domain::error` refuses them in every
/// field), so they never occur inside a field.
struct Records<'a> {
    parts: std::str::Split<'a, char>,
    what: &'static str,
}

impl<'a> Records<'a> {
    fn new(text: &'a str, what: &'static str) -> Self {
        let mut parts = text.split('\u{1e}');
        if text.is_empty() {
            parts.next();
        }
        Records { parts, what }
    }
}

impl<'a> Iterator for Records<'a> {
    type Item = Record<'a>;
    fn next(&mut self) -> Option<Record<'a>> {
        self.parts.next().map(|text| Record { text, what: self.what })
    }
}

/// One record of a `Records` text.
struct Record<'a> {
    text: &'a str,
    what: &'static str,
}

impl<'a> Record<'a> {
    fn corrupt(&self) -> StoreError {
        StoreError::Corrupt(format!("{} = {}", self.what, self.text.replace('\u{1f}', " | ")))
    }

    /// Exactly N fields.
    fn fields<const N: usize>(&self) -> Result<[&'a str; N], StoreError> {
        let mut out = [""; N];
        let mut it = self.text.split('\u{1f}');
        for slot in out.iter_mut() {
            *slot = it.next().ok_or_else(|| self.corrupt())?;
        }
        if it.next().is_some() {
            return Err(self.corrupt());
        }
        Ok(out)
    }

    fn int(&self, v: &str) -> Result<i64, StoreError> {
        v.parse().map_err(|_| self.corrupt())
    }

    fn date(&self, v: &str) -> Result<Date, StoreError> {
        Date::parse_from_str(v, "%Y-%m-%d").map_err(|_| self.corrupt())
    }
}

/// The months covered by dues from the summaries' "year:bits" list (a bit per month), as
/// runs of months: what `domain::dues::longest_unpaid_run` reads.
fn paid_months(list: &str) -> Result<Vec<(Month, Month)>, StoreError> {
    let mut out = Vec::new();
    for item in list.split(',').filter(|p| !p.is_empty()) {
        let bad = || StoreError::Corrupt(format!("member_year paid_months = {item}"));
        let (y, bits) = item.split_once(':').ok_or_else(bad)?;
        let (y, bits): (i32, u32) = (y.parse().map_err(|_| bad())?, bits.parse().map_err(|_| bad())?);
        let mut run: Option<u32> = None;
        for m in 1..=13u32 {
            let set = m <= 12 && bits & (1 << (m - 1)) != 0;
            match (set, run) {
                (true, None) => run = Some(m),
                (false, Some(start)) => {
                    out.push((Month::new(y, start), Month::new(y, m - 1)));
                    run = None;
                }
                _ => {}
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    #[test]
    fn paid_bits_become_runs_of_months() {
        use domain::dues::Month;
        let runs = super::paid_months("2025:3075,2026:1").unwrap();
        // 3075 = months 1, 2, 11, 12
        assert_eq!(runs, [(Month::new(2025, 1), Month::new(2025, 2)), (Month::new(2025, 11), Month::new(2025, 12)), (Month::new(2026, 1), Month::new(2026, 1))]);
        assert!(super::paid_months("2025").is_err());
    }
}
