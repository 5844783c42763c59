//! Gathers the facts the compliance engine judges, for a subtree, in batches of
//! organisations that are consecutive in path order (so each batch is one path range and
//! every query a range scan), and hands each organisation's verdicts to the caller.
//! Memory is bounded by the batches in flight (see `judge_subtree`) and the subtree's
//! sparse facts ([`SubtreeFacts`]), read once.

use crate::query::Sql;
use crate::records::{aggregate, names, Records};
use crate::rows::RowExt;
use crate::{Scope, Store, StoreError};
use domain::compliance::{dues_window, judge, judge_in, reference_date, Catalogue, MeetingContent, MemberFact, OrgYear, RuleVerdict, TransferFact, UnitFact, Verdict};
use crate::development::{development_from, DEVELOPMENT_COLS};
use domain::development::DevelopmentRecord;
use domain::dues::Month;
use domain::meeting::MeetingKind;
use domain::org::Org;
use domain::rules::Rules;
use domain::unit::Coverage;
use domain::Date;
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

/// Organisations per batch.
const BATCH: usize = 2_000;

/// Batches read ahead of the one being judged.
const IN_FLIGHT: usize = 3;

/// One batch's facts, by organisation id: the dense kinds, a record or more for nearly
/// every organisation and member.
#[derive(Default)]
struct Facts {
    meetings: HashMap<i64, Vec<(MeetingKind, Date)>>,
    content: HashMap<i64, MeetingContent>,
    committee_attendance: HashMap<i64, Vec<(Date, u32)>>,
    members: HashMap<i64, Vec<MemberFact>>,
    full: HashMap<i64, u32>,
}

/// The facts read once for a whole subtree, by organisation id: the sparse kinds, fewer
/// records than organisations (a province: 71 000 units, 43 000 transfers and 400 000
/// development records for 440 000 organisations). Per batch, each of them cost an index
/// probe per organisation whether it had records or not: PostgreSQL spent 8.3 s of a
/// province's 22 s on them, and 0.8 s reading them once.
#[derive(Default)]
struct SubtreeFacts {
    /// Members holding a committee post at the reference date (in any organisation),
    /// whom the training rule holds to the cadres' hours: at least the subtree's, and
    /// possibly others, never looked up.
    cadres: HashSet<i64>,
    posts: HashMap<i64, usize>,
    units: HashMap<i64, Vec<UnitFact>>,
    transfers: HashMap<i64, Vec<TransferFact>>,
    development: HashMap<i64, Vec<DevelopmentRecord>>,
}

impl Facts {
    /// What the rules judge of `org`, from the facts read for its batch and its subtree.
    fn of<'a>(&'a self, subtree: &'a SubtreeFacts, org: &Org) -> OrgYear<'a> {
        OrgYear {
            level: org.level,
            committee_posts: subtree.posts.get(&org.id).copied().unwrap_or(0),
            elected_on: org.elected_on,
            term_years: org.term_years.map(|t| t as u32),
            members: self.members.get(&org.id).map_or(0, |m| m.len() as u32),
            full_members: self.full.get(&org.id).copied().unwrap_or(0),
            meetings: self.meetings.get(&org.id).map_or(&[], Vec::as_slice),
            meeting_content: self.content.get(&org.id).copied().unwrap_or_default(),
            committee_attendance: self.committee_attendance.get(&org.id).map_or(&[], Vec::as_slice),
            units: subtree.units.get(&org.id).map_or(&[], Vec::as_slice),
            member_facts: self.members.get(&org.id).map_or(&[], Vec::as_slice),
            transfers_out: subtree.transfers.get(&org.id).map_or(&[], Vec::as_slice),
            development: subtree.development.get(&org.id).map_or(&[], Vec::as_slice),
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
                citation: r.citation.to_string(),
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
        self.orgs_in_range(scope, &lo, &hi).await
    }

    /// Active organisations with paths in [lo, hi) that `scope` may read, in path order.
    async fn orgs_in_range(&self, scope: &Scope, lo: &str, hi: &str) -> Result<Vec<Org>, StoreError> {
        decode_orgs(&self.fetch_records(self.orgs_query(scope, lo, hi)).await?)
    }

    /// The query of [`Store::orgs_in_range`]: one text (crate::records); a province's
    /// ~440 000 organisations are about 50 MB of it, where as many rows cost far more
    /// than the organisations themselves.
    fn orgs_query(&self, scope: &Scope, lo: &str, hi: &str) -> Sql {
        let mut q = Sql::new(&format!("SELECT {} AS list FROM orgs o WHERE o.dissolved_on IS NULL AND o.path >= ", aggregate(self.backend, crate::orgs::ORG_COLS, None)));
        q.arg(lo).push(" AND o.path < ").arg(hi);
        scope.orgs(&mut q, "o");
        q
    }

    /// Where the batches of [lo, hi) begin: the path of every `BATCH`-th active
    /// organisation `scope` may read (an index scan; the organisations themselves are read
    /// with each batch's facts).
    async fn batch_starts(&self, scope: &Scope, lo: &str, hi: &str) -> Result<Vec<String>, StoreError> {
        let mut q = Sql::new("SELECT path FROM (SELECT o.path, ROW_NUMBER() OVER (ORDER BY o.path) AS n FROM orgs o WHERE o.dissolved_on IS NULL AND o.path >= ");
        q.arg(lo).push(" AND o.path < ").arg(hi);
        scope.orgs(&mut q, "o");
        q.push(&format!(") x WHERE (n - 1) % {BATCH} = 0 ORDER BY path"));
        q.query().fetch_all(&self.pool).await?.iter().map(|r| r.s("path")).collect()
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
        use futures_util::stream::{self, StreamExt};
        let top = self.org(scope, root).await?;
        let (lo, hi) = crate::scope::path_range(&top.path);
        let starts = self.batch_starts(scope, &lo, &hi).await?;
        if starts.is_empty() {
            return Err(StoreError::NotFound { what: "党组织" });
        }
        let ranges: Vec<(String, String)> = starts.iter().enumerate().map(|(i, s)| (s.clone(), starts.get(i + 1).unwrap_or(&hi).clone())).collect();
        // Batches in flight (IN_FLIGHT): read while another is judged (a province on
        // SQLite: 257 s with one, 215 s with two; on PostgreSQL 21–23 s with two, 19–20 s
        // with three). A batch's three queries (its organisations, meetings and members)
        // run side by side in a task of their own,
        // so that their results are taken off the connections while this thread decodes
        // and judges the batch before: PostgreSQL otherwise waited with full sockets
        // (a city: 2.0 s → 1.4 s).
        let mut batches = stream::iter(ranges)
            .map(|(lo, hi)| {
                let mut queries = vec![self.orgs_query(scope, &lo, &hi)];
                queries.extend(self.batch_queries(&lo, &hi, year, as_of));
                let store = self.clone();
                tokio::spawn(async move { store.fetch_all(queries).await })
            })
            .buffered(IN_FLIGHT);
        let catalogue = Catalogue::new(rules);
        let mut judged = 0;
        // The subtree's facts are read while the first batches are: read before them, the
        // cadres alone held a province's walk up by 2–3 s with one core idle (PostgreSQL
        // reads every member row to find the posts' members).
        let (subtree, mut next) = futures_util::join!(self.subtree_facts(&lo, &hi, top.parent_id.is_none(), rules, year, as_of), batches.next());
        let subtree = subtree?;
        while let Some(texts) = next.take() {
            // A panic in a batch's task is the caller's, as if it had happened here.
            let texts = texts.unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic()))?;
            let orgs = decode_orgs(&texts[0])?;
            let f = decode_batch(&texts[1..], year, as_of, &subtree.cadres)?;
            for org in &orgs {
                let facts = f.of(&subtree, org);
                let verdicts = judge_in(&catalogue, rules, &facts, year, as_of);
                each(org, &facts, verdicts);
            }
            judged += orgs.len();
            next = batches.next().await;
        }
        Ok(judged)
    }

    /// Judges one organisation alone (not its subtree), for an update after a write:
    /// `each` gets its facts and verdicts.
    pub async fn judge_one<R>(&self, org: &Org, rules: &Rules, year: i32, as_of: Date, each: impl FnOnce(&OrgYear, Vec<RuleVerdict>) -> R) -> Result<R, StoreError> {
        // [path, path + "!"): the organisation itself; its descendants continue the path
        // with a digit, which sorts after '!'.
        let (lo, hi) = (org.path.clone(), format!("{}!", org.path));
        let (subtree, texts) = futures_util::try_join!(self.subtree_facts(&lo, &hi, false, rules, year, as_of), self.fetch_all(self.batch_queries(&lo, &hi, year, as_of)))?;
        let f = decode_batch(&texts, year, as_of, &subtree.cadres)?;
        let facts = f.of(&subtree, org);
        let verdicts = judge(rules, &facts, year, as_of);
        Ok(each(&facts, verdicts))
    }

    /// The sparse facts of the organisations with paths in [lo, hi), read once for them
    /// all ([`SubtreeFacts`]); `top` when [lo, hi) is the subtree of a root with no
    /// parent (a jurisdiction's top).
    async fn subtree_facts(&self, lo: &str, hi: &str, top: bool, rules: &Rules, year: i32, as_of: Date) -> Result<SubtreeFacts, StoreError> {
        decode_subtree(&self.fetch_all(self.subtree_queries(lo, hi, top, rules, year, as_of)).await?)
    }

    /// The queries of [`SubtreeFacts`] over the organisations with paths in [lo, hi), in
    /// the order [`decode_subtree`] reads their texts.
    fn subtree_queries(&self, lo: &str, hi: &str, top: bool, rules: &Rules, year: i32, as_of: Date) -> Vec<Sql> {
        let jan1 = format!("{year:04}-01-01");
        let reference = reference_date(year, as_of).to_string();
        // The cadres are members of the subtree holding a post in any organisation, so
        // the path is the member's organisation's, not the post's: PostgreSQL reads every
        // member row to find the posts' members (a province: 1.5–3 s). Under a root with
        // no parent nearly every member is in the subtree, and the set may hold more
        // members than the subtree's: there every post's member is read, with no member
        // row (a province: 0.1 s; a city: 0.24 s → 0.02 s).
        let mut q_cadres = if top {
            Sql::new(&format!("SELECT {} AS list FROM committee_posts c WHERE (c.end_on IS NULL OR c.end_on > ", aggregate(self.backend, CADRE_COLS, None)))
        } else {
            let mut q = Sql::new(&format!(
                "SELECT {} AS list FROM committee_posts c JOIN members m ON m.id = c.member_id JOIN orgs o ON o.id = m.org_id WHERE o.path >= ",
                aggregate(self.backend, CADRE_COLS, None)
            ));
            q.arg(lo).push(" AND o.path < ").arg(hi).push(" AND (c.end_on IS NULL OR c.end_on > ");
            q
        };
        q_cadres.arg(reference.as_str()).push(")");

        // The committee as it stood at the reference date (see registry_measures), counted
        // by the database: a province has 430 000 posts.
        let mut q_posts = Sql::new(&format!("SELECT {} AS list FROM (SELECT c.org_id, COUNT(*) AS posts FROM orgs o CROSS JOIN committee_posts c WHERE c.org_id = o.id AND o.path >= ", aggregate(self.backend, POST_COLS, None)));
        q_posts.arg(lo).push(" AND o.path < ").arg(hi);
        q_posts.push(" AND (c.end_on IS NULL OR c.end_on > ").arg(reference.as_str()).push(") GROUP BY c.org_id) c");

        let min_full = rules.organisation.branch_min_full_members.get() as i64;
        let mut q_units = in_range(lo, hi, &aggregate(self.backend, UNIT_COLS, None), "units u", "u.owner_org_id = o.id");
        q_units.push(" AND u.full_members >= ").arg(min_full);

        let mut q_transfers = in_range(lo, hi, &aggregate(self.backend, TRANSFER_COLS, None), "transfers t JOIN members m ON m.id = t.member_id", "t.org_id = o.id");
        q_transfers.push(" AND t.direction = 'out' AND t.issued_on <= ").arg(reference.as_str());
        q_transfers.push(" AND (t.received_on IS NULL OR t.received_on >= ").arg(jan1.as_str()).push(")");

        let mut q_development = in_range(lo, hi, &aggregate(self.backend, DEVELOPMENT_COLS, None), "development d", "d.org_id = o.id");
        q_development.push(" AND (");
        for (i, c) in ["applied_on", "activist_on", "candidate_on", "admitted_on", "full_on"].iter().enumerate() {
            if i > 0 {
                q_development.push(" OR ");
            }
            q_development.push(&format!("(d.{c} >= ")).arg(jan1.as_str()).push(&format!(" AND d.{c} <= ")).arg(reference.as_str()).push(")");
        }
        q_development.push(")");
        vec![q_cadres, q_posts, q_units, q_transfers, q_development]
    }

    /// The queries of a batch's [`Facts`], the organisations with paths in [lo, hi), in
    /// the order [`decode_batch`] reads their texts.
    fn batch_queries(&self, lo: &str, hi: &str, year: i32, as_of: Date) -> Vec<Sql> {
        let reference = reference_date(year, as_of).to_string();
        // Each query returns the whole batch as one text (crate::records): a row crosses
        // sqlx's driver boundary at several microseconds, and a city has 2 M of them.
        // The meetings come from the 会议日历, one write-time summary per organisation and
        // year (store::summaries), with each 支委会's 到会人数.
        let mut q_meetings = in_range(lo, hi, &aggregate(self.backend, MEETING_COLS, None), "org_year y", "y.org_id = o.id");
        q_meetings.push(" AND y.year = ").arg(year as i64);

        // One record per member on the roll at the reference date, carrying what the
        // member rules need from the write-time summaries (store::summaries: one row per
        // member and year) instead of every attendance, dues and training row of the year.
        // The raw attendance is read only for a member whose year's last participation
        // lies after the reference date (a year judged before its end). The dues window
        // spans one or two calendar years: each is a join on member_year.
        let (d_from, d_to) = dues_window(year, as_of);
        let (ya, yb) = (d_from.year(), d_to.year());
        let mut q_members = Sql::new(&format!("SELECT {} AS list FROM (SELECT m.id, m.org_id, m.name, m.joined_on, m.joined_precision, m.full_on, m.birth_date, m.status, m.is_mobile, m.is_lost_contact, m.archive_materials, ", aggregate(self.backend, MEMBER_COLS, None)));
        q_members.push("CASE WHEN y.last_present IS NULL THEN (SELECT MAX(p.last_present) FROM member_year p WHERE p.member_id = m.id AND p.year < ").arg(year as i64);
        q_members.push(") WHEN y.last_present <= ").arg(reference.as_str());
        q_members.push(" THEN y.last_present ELSE (SELECT a.held_on FROM attendance a WHERE a.member_id = m.id AND a.held_on <= ").arg(reference.as_str());
        q_members.push(" AND a.present = 1 ORDER BY a.held_on DESC LIMIT 1) END AS last_present, ");
        // The judged year's row serves a dues year that is the same year (usually the
        // window's last, often both): a second lookup of the same row costs a city 0.15 s.
        let dues_year = |y: i32, alias: &str| if y == year { "y".to_string() } else { alias.to_string() };
        let (a, b) = (dues_year(ya, "pa"), dues_year(yb, "pb"));
        q_members.push(&if ya == yb { format!("{a}.paid_months AS paid_a, NULL AS paid_b, ") } else { format!("{a}.paid_months AS paid_a, {b}.paid_months AS paid_b, ") });
        q_members.push("y.training_hours AS hours FROM orgs o CROSS JOIN members m LEFT JOIN member_year y ON y.member_id = m.id AND y.year = ").arg(year as i64);
        if a == "pa" {
            q_members.push(" LEFT JOIN member_year pa ON pa.member_id = m.id AND pa.year = ").arg(ya as i64);
        }
        if ya != yb && b == "pb" {
            q_members.push(" LEFT JOIN member_year pb ON pb.member_id = m.id AND pb.year = ").arg(yb as i64);
        }
        q_members.push(" WHERE m.org_id = o.id AND o.path >= ").arg(lo).push(" AND o.path < ").arg(hi);
        q_members.push(" AND m.joined_on <= ").arg(reference.as_str()).push(" AND (m.left_on IS NULL OR m.left_on > ").arg(reference.as_str()).push(")) mm");

        vec![q_meetings, q_members]
    }

    /// The texts of `queries`, read side by side, each on a connection of its own: the
    /// database works on one while the others' texts travel.
    async fn fetch_all(&self, queries: Vec<Sql>) -> Result<Vec<String>, StoreError> {
        futures_util::future::try_join_all(queries.into_iter().map(|q| self.fetch_records(q))).await
    }
}

/// `SELECT select AS list FROM orgs o CROSS JOIN from WHERE link` for the organisations
/// with paths in [lo, hi). Driven by the organisations (an order SQLite keeps): with the
/// path range a bound parameter, its planner otherwise chose to scan whole tables for
/// half of a city's batches. PostgreSQL plans each range as it is (a province's subtree:
/// the table scanned, the organisations looked up; a batch: the other way round).
fn in_range(lo: &str, hi: &str, select: &str, from: &str, link: &str) -> Sql {
    let mut q = Sql::new(&format!("SELECT {select} AS list FROM orgs o CROSS JOIN {from} WHERE {link} AND o.path >= "));
    q.arg(lo).push(" AND o.path < ").arg(hi);
    q
}

/// Columns of the fact queries, by kind of fact.
const MEETING_COLS: &str = "y.org_id, y.meeting_days";
const POST_COLS: &str = "c.org_id, c.posts";
const CADRE_COLS: &str = "c.member_id";
const UNIT_COLS: &str = "u.owner_org_id, u.id, u.name, u.full_members, u.coverage";
const MEMBER_COLS: &str = "id, org_id, name, joined_on, joined_precision, full_on, birth_date, status, is_mobile, is_lost_contact, archive_materials, last_present, paid_a, paid_b, hours";
const TRANSFER_COLS: &str = "t.org_id, t.id, m.name, t.letter_no, t.issued_on, t.valid_days, t.received_on";

/// The organisations of a text of [`Store::orgs_query`], in path order (sorted here, not
/// by the aggregate: the database would sort the whole batch first).
pub(crate) fn decode_orgs(text: &str) -> Result<Vec<Org>, StoreError> {
    let mut orgs: Vec<Org> = Records::new(text, &names(crate::orgs::ORG_COLS)).map(|r| crate::orgs::org_from(&r?)).collect::<Result<_, _>>()?;
    orgs.sort_unstable_by(|a, b| a.path.cmp(&b.path));
    Ok(orgs)
}

/// Adds one meeting of the 会议日历 to its organisation's counts by form and content.
fn count_content(c: &mut MeetingContent, m: &crate::summaries::MeetingDay) {
    use crate::summaries::Content;
    let three_one = matches!(m.kind, MeetingKind::GeneralMeeting | MeetingKind::CommitteeMeeting | MeetingKind::GroupMeeting | MeetingKind::PartyLesson);
    let themed = m.kind == MeetingKind::ThemedPartyDay;
    let documents = m.content == Content::DocumentsOnly;
    c.all += 1;
    c.interactive += u32::from(m.interactive);
    c.themed_days += u32::from(themed);
    c.themed_documents_only += u32::from(themed && documents);
    c.three_one_with_content += u32::from(three_one && m.content != Content::None);
    c.three_one_documents_only += u32::from(three_one && documents);
}

/// The facts of a batch from the texts of [`Store::batch_queries`]; `cadres` holds at
/// least the batch's members who are cadres ([`SubtreeFacts::cadres`]).
fn decode_batch(texts: &[String], year: i32, as_of: Date, cadres: &HashSet<i64>) -> Result<Facts, StoreError> {
    let [t_meetings, t_members] = texts else {
        return Err(StoreError::Corrupt(format!("合规判定每批应读到2类记录，读到{}类", texts.len())));
    };
    let mut f = Facts::default();
    let reference_day = reference_date(year, as_of);
    let reference = reference_day.to_string();
    let (d_from, d_to) = dues_window(year, as_of);
    let (ya, yb) = (d_from.year(), d_to.year());
    for r in Records::new(t_meetings, &names(MEETING_COLS)) {
        let r = r?;
        let org = r.i("org_id")?;
        let (meetings, attendance) = (f.meetings.entry(org).or_default(), f.committee_attendance.entry(org).or_default());
        let content = f.content.entry(org).or_default();
        for m in crate::summaries::meeting_days(r.text("meeting_days")?, year) {
            let m = m?;
            meetings.push((m.kind, m.on));
            // Only a 支委会 with attendance recorded carries a 到会人数; one without is
            // not judged for quorum. The calendar is in date order, as evidence is listed.
            if let Some(n) = m.present {
                attendance.push((m.on, n));
            }
            if m.on <= reference_day {
                count_content(content, &m);
            }
        }
    }

    let mut members = Vec::new();
    for r in Records::new(t_members, &names(MEMBER_COLS)) {
        let r = r?;
        let (id, org) = (r.i("id")?, r.i("org_id")?);
        if r.get("full_on")?.is_some_and(|d| d <= reference.as_str()) {
            *f.full.entry(org).or_default() += 1;
        }
        // 入党时间 known only to the month: the member rules see the month's last day, so
        // that nobody is judged for a window they may not yet have been a member in.
        let joined = domain::dates::PartialDate { date: r.d("joined_on")?, precision: domain::dates::Precision::from_code(r.get("joined_precision")?.unwrap_or_default()) };
        let bits = |c: &str| -> Result<u32, StoreError> { Ok(r.oi(c)?.unwrap_or(0) as u32) };
        let paid = if ya == yb { paid_runs(&[(ya, bits("paid_a")?)]) } else { paid_runs(&[(ya, bits("paid_a")?), (yb, bits("paid_b")?)]) };
        members.push((org, id, MemberFact {
            name: r.s("name")?,
            joined_on: joined.latest(),
            last_present: r.od("last_present")?,
            paid,
            training_hours: r.of("hours")?.unwrap_or(0.0),
            cadre: cadres.contains(&id),
            birth_date: r.d("birth_date")?,
            mobile: r.i("is_mobile")? != 0,
            lost_contact: r.i("is_lost_contact")? != 0,
            archive_complete: domain::member::missing_archive_materials(r.e("status")?, &crate::members::materials_from(r.text("archive_materials")?)).is_empty(),
        }));
    }
    f.members = by_org(members);

    Ok(f)
}

/// The facts of a subtree from the texts of [`Store::subtree_queries`].
fn decode_subtree(texts: &[String]) -> Result<SubtreeFacts, StoreError> {
    let [t_cadres, t_posts, t_units, t_transfers, t_development] = texts else {
        return Err(StoreError::Corrupt(format!("合规判定应读到5类全辖区记录，读到{}类", texts.len())));
    };
    let mut f = SubtreeFacts { cadres: Records::new(t_cadres, &names(CADRE_COLS)).map(|r| r?.i("member_id")).collect::<Result<_, _>>()?, ..Default::default() };
    for r in Records::new(t_posts, &names(POST_COLS)) {
        let r = r?;
        f.posts.insert(r.i("org_id")?, r.i("posts")? as usize);
    }

    // The aggregates leave the order to the database; each organisation's records are
    // put in a fixed order here (by_org), which costs less than a sort in the database.
    let units_names = names(UNIT_COLS);
    let units = Records::new(t_units, &units_names).map(|r| {
        let r = r?;
        let own = r.e::<Coverage>("coverage")? == Coverage::Own;
        Ok((r.i("owner_org_id")?, r.i("id")?, UnitFact { name: r.s("name")?, full_members: r.i("full_members")? as u32, own_org: own }))
    });
    f.units = by_org(units.collect::<Result<_, StoreError>>()?);

    let transfers_names = names(TRANSFER_COLS);
    let transfers = Records::new(t_transfers, &transfers_names).map(|r| {
        let r = r?;
        let issued = r.d("issued_on")?;
        let t = TransferFact {
            member_name: r.s("name")?,
            letter_no: r.s("letter_no")?,
            issued_on: issued,
            valid_until: issued + chrono::Duration::days(r.i("valid_days")?),
            received_on: r.od("received_on")?,
        };
        Ok((r.i("org_id")?, (issued, r.i("id")?), t))
    });
    f.transfers = by_org(transfers.collect::<Result<_, StoreError>>()?);

    let development_names = names(DEVELOPMENT_COLS);
    let development = Records::new(t_development, &development_names).map(|r| {
        let rec = development_from(&r?)?;
        Ok((rec.org_id, rec.id, rec))
    });
    f.development = by_org(development.collect::<Result<_, StoreError>>()?);
    Ok(f)
}

/// Records grouped by organisation, each group in the order of its key.
fn by_org<K: Ord, T>(mut rows: Vec<(i64, K, T)>) -> HashMap<i64, Vec<T>> {
    rows.sort_unstable_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
    let mut out: HashMap<i64, Vec<T>> = HashMap::default();
    for (org, _, t) in rows {
        out.entry(org).or_default().push(t);
    }
    out
}

/// The months covered by dues from the summaries' bits (a bit per month, per year), as
/// runs of months: what `domain::dues::longest_unpaid_run` reads.
fn paid_runs(years: &[(i32, u32)]) -> Vec<(Month, Month)> {
    let mut out = Vec::new();
    for &(y, bits) in years {
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
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn paid_bits_become_runs_of_months() {
        use domain::dues::Month;
        let runs = super::paid_runs(&[(2025, 3075), (2026, 1)]);
        // 3075 = months 1, 2, 11, 12
        assert_eq!(runs, [(Month::new(2025, 1), Month::new(2025, 2)), (Month::new(2025, 11), Month::new(2025, 12)), (Month::new(2026, 1), Month::new(2026, 1))]);
    }
}
