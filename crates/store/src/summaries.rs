//! Write-time summaries (写入时汇总):
//! - per member and year (`member_year`): the months with participation (a bit per
//!   month), the last participation, the months of dues paid (补交 aside) and the training
//!   hours by channel — what the member rules judge, one row per member-year instead of
//!   every attendance, dues and training row;
//! - per meeting (`meetings.present_count`, 到会人数): the attendees marked present — what
//!   the committee quorum rule judges, instead of every attendance row of every 支委会;
//! - per organisation and year (`org_year.meeting_days`, 会议日历): every meeting of the
//!   year in one text — what the meeting rules judge, one row per organisation-year
//!   instead of each meeting (a city: 58 724 rows instead of 852 353).
//!
//! Invariant: `member_year` equals [`MEMBER_YEAR_SELECT`] over the raw tables,
//! `present_count` equals [`MEETING_PRESENT`], and `org_year` equals [`org_year_select`]
//! over the meetings (after their 到会人数). Every write path keeps them in the
//! transaction that writes the raw rows, by recomputing the members and meetings it
//! touched with that one SQL text (`refresh`, `refresh_meetings`); the bulk loader
//! rebuilds them whole with the same text (`rebuild`); `verify` compares them with a
//! recomputation.

use crate::{Backend, Store, StoreError};
use domain::life::ThemeCategory;
use domain::meeting::{MeetingForm, MeetingKind};
use domain::{Date, Labelled};

/// Columns of `member_year`, in the order the SELECT yields them.
pub const COLUMNS: [&str; 11] =
    ["member_id", "year", "present_months", "last_present", "paid_months", "training_hours", "hours_classroom", "hours_distance", "hours_online_lesson", "hours_xuexi_qiangguo", "hours_other"];

/// The summaries computed from the raw rows; `{a}`, `{d}`, `{t}` are filters on
/// attendance, dues and training (empty for all members).
const MEMBER_YEAR_SELECT: &str = "SELECT member_id, year, CAST(SUM(present_months) AS BIGINT) AS present_months, MAX(last_present) AS last_present, \
 CAST(SUM(paid_months) AS BIGINT) AS paid_months, CAST(SUM(hours) AS DOUBLE PRECISION) AS training_hours, \
 CAST(SUM(h_classroom) AS DOUBLE PRECISION) AS hours_classroom, CAST(SUM(h_distance) AS DOUBLE PRECISION) AS hours_distance, \
 CAST(SUM(h_online) AS DOUBLE PRECISION) AS hours_online_lesson, CAST(SUM(h_xuexi) AS DOUBLE PRECISION) AS hours_xuexi_qiangguo, \
 CAST(SUM(h_other) AS DOUBLE PRECISION) AS hours_other FROM ( \
 SELECT member_id, year, SUM(DISTINCT bit) AS present_months, MAX(held_on) AS last_present, 0 AS paid_months, \
   CAST(0 AS DOUBLE PRECISION) AS hours, CAST(0 AS DOUBLE PRECISION) AS h_classroom, CAST(0 AS DOUBLE PRECISION) AS h_distance, \
   CAST(0 AS DOUBLE PRECISION) AS h_online, CAST(0 AS DOUBLE PRECISION) AS h_xuexi, CAST(0 AS DOUBLE PRECISION) AS h_other \
 FROM (SELECT a.member_id, CAST(substr(a.held_on, 1, 4) AS INTEGER) AS year, (1 << (CAST(substr(a.held_on, 6, 2) AS INTEGER) - 1)) AS bit, a.held_on \
   FROM attendance a WHERE a.present = 1{a}) x GROUP BY member_id, year \
 UNION ALL \
 SELECT d.member_id, c.year, 0, NULL, SUM(DISTINCT (1 << (c.month - 1))), 0, 0, 0, 0, 0, 0 \
 FROM dues_payments d JOIN calendar_months c ON c.ym >= d.from_month AND c.ym <= d.to_month WHERE d.catch_up = 0{d} GROUP BY d.member_id, c.year \
 UNION ALL \
 SELECT t.member_id, CAST(substr(t.taken_on, 1, 4) AS INTEGER), 0, NULL, 0, SUM(t.hours), \
   SUM(CASE WHEN t.channel = 'classroom' THEN t.hours ELSE 0 END), SUM(CASE WHEN t.channel = 'distance' THEN t.hours ELSE 0 END), \
   SUM(CASE WHEN t.channel = 'online_lesson' THEN t.hours ELSE 0 END), SUM(CASE WHEN t.channel = 'xuexi_qiangguo' THEN t.hours ELSE 0 END), \
   SUM(CASE WHEN t.channel NOT IN ('classroom', 'distance', 'online_lesson', 'xuexi_qiangguo') THEN t.hours ELSE 0 END) \
 FROM training_records t WHERE 1 = 1{t} GROUP BY t.member_id, CAST(substr(t.taken_on, 1, 4) AS INTEGER) \
 ) u GROUP BY member_id, year";

/// Which members' (or organisations') summaries a statement computes.
#[derive(Clone, Copy)]
enum Only<'a> {
    All,
    Ids(&'a [i64]),
    /// Ids from the first up to, not including, the second.
    Range(i64, i64),
}

impl Only<'_> {
    /// The filter on `column` of table `alias` (`" AND …"`, empty for all).
    fn on(self, alias: &str, column: &str) -> String {
        let dot = if alias.is_empty() { String::new() } else { format!("{alias}.") };
        match self {
            Only::All => String::new(),
            Only::Ids(ids) => format!(" AND {dot}{column} IN ({})", ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")),
            Only::Range(from, to) => format!(" AND {dot}{column} >= {from} AND {dot}{column} < {to}"),
        }
    }
}

fn select(members: Only) -> String {
    MEMBER_YEAR_SELECT.replace("{a}", &members.on("a", "member_id")).replace("{d}", &members.on("d", "member_id")).replace("{t}", &members.on("t", "member_id"))
}

/// Inserts the `member_year` rows of `members` (which must have none).
fn member_year_insert(members: Only) -> String {
    format!("INSERT INTO member_year ({}) {}", COLUMNS.join(", "), select(members))
}

/// Fills `member_year` for every member (it must be empty).
pub(crate) fn fill_sql() -> String {
    member_year_insert(Only::All)
}

/// Members refreshed per statement (their ids are written into the SQL as numbers).
const CHUNK: usize = 500;

/// Ids per statement of a whole fill: a province's 2.8 M members in one aggregate spill
/// to disk on PostgreSQL; 50 000 at a time (their raw rows read in key order) do not.
const RANGE: i64 = 50_000;

/// The id ranges of `table` that together cover every row.
async fn ranges(conn: &mut sqlx::AnyConnection, table: &str) -> Result<Vec<Only<'static>>, StoreError> {
    let (lo, hi): (Option<i64>, Option<i64>) = sqlx::query_as(&format!("SELECT MIN(id), MAX(id) FROM {table}")).fetch_one(&mut *conn).await?;
    let (Some(lo), Some(hi)) = (lo, hi) else { return Ok(Vec::new()) };
    Ok((lo..=hi).step_by(RANGE as usize).map(|from| Only::Range(from, from + RANGE)).collect())
}

/// Recomputes the summaries of `members` from their raw rows, inside the caller's
/// transaction (the one that wrote those rows).
pub(crate) async fn refresh(conn: &mut sqlx::AnyConnection, members: &[i64]) -> Result<(), StoreError> {
    let mut ids: Vec<i64> = members.to_vec();
    ids.sort_unstable();
    ids.dedup();
    for chunk in ids.chunks(CHUNK) {
        let list = chunk.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
        sqlx::query(&format!("DELETE FROM member_year WHERE member_id IN ({list})")).execute(&mut *conn).await?;
        sqlx::query(&member_year_insert(Only::Ids(chunk))).execute(&mut *conn).await?;
    }
    Ok(())
}

/// Each meeting's attendees marked present, by meeting; a meeting with no attendance
/// recorded has no row (its `present_count` is NULL, not 0: nobody is known absent).
const MEETING_PRESENT: &str = "SELECT meeting_id, CAST(SUM(present) AS BIGINT) AS n FROM attendance WHERE 1 = 1{a} GROUP BY meeting_id";

/// The meetings whose stored 到会人数 differs from their attendance (`id`), with the
/// right one (`n`).
fn meetings_differing() -> String {
    format!("SELECT m.id, c.n FROM meetings m LEFT JOIN ({}) c ON c.meeting_id = m.id WHERE m.present_count IS DISTINCT FROM c.n", MEETING_PRESENT.replace("{a}", ""))
}

/// Sets `present_count` of every meeting with attendance (the others keep NULL).
pub(crate) fn meeting_present_fill() -> String {
    format!("UPDATE meetings SET present_count = c.n FROM ({}) c WHERE c.meeting_id = meetings.id", MEETING_PRESENT.replace("{a}", ""))
}

/// Recomputes `present_count` of `meetings` from their attendance, then the 会议日历 of
/// their organisations, inside the caller's transaction (the one that wrote them).
pub(crate) async fn refresh_meetings(conn: &mut sqlx::AnyConnection, backend: Backend, meetings: &[i64]) -> Result<(), StoreError> {
    for chunk in meetings.chunks(CHUNK) {
        let list = chunk.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
        let select = MEETING_PRESENT.replace("{a}", &format!(" AND meeting_id IN ({list})"));
        sqlx::query(&format!("UPDATE meetings SET present_count = (SELECT c.n FROM ({select}) c WHERE c.meeting_id = meetings.id) WHERE id IN ({list})"))
            .execute(&mut *conn)
            .await?;
        // Every year of those organisations: a handful of rows each, and no year is missed.
        let orgs = format!("org_id IN (SELECT org_id FROM meetings WHERE id IN ({list}))");
        sqlx::query(&format!("DELETE FROM org_year WHERE {orgs}")).execute(&mut *conn).await?;
        sqlx::query(&org_year_insert(backend, &format!(" AND {orgs}"))).execute(&mut *conn).await?;
    }
    Ok(())
}

/// The 会议日历 of each organisation and year with meetings: per meeting, in date order and
/// separated by commas, the kind's letter ([`kind_letter`]), month and day (`MMDD`), `*`
/// for an interactive form ([`MeetingForm::is_interactive`]), its recorded content (`~`
/// only relayed documents, `+` any other theme, nothing when none is recorded), and for a
/// 支委会 with attendance `=` and its 到会人数 — `e0105*+,b0112=3,d0320~`. `filter`
/// narrows the meetings (`" AND …"`, empty for all).
fn org_year_select(backend: Backend, filter: &str) -> String {
    let letters: String = MeetingKind::ALL.iter().map(|k| format!(" WHEN '{}' THEN '{}'", k.code(), kind_letter(*k))).collect();
    let interactive = MeetingForm::INTERACTIVE.iter().map(|f| format!("'{}'", f.code())).collect::<Vec<_>>().join(", ");
    let documents = ThemeCategory::DocumentsOnly.code();
    let entry = format!(
        "CASE kind{letters} ELSE '?' END || substr(held_on, 6, 2) || substr(held_on, 9, 2) || \
         CASE WHEN form IN ({interactive}) THEN '*' ELSE '' END || \
         CASE WHEN theme IS NULL THEN '' WHEN theme = '{documents}' THEN '~' ELSE '+' END || \
         CASE WHEN kind = 'committee_meeting' AND present_count IS NOT NULL THEN '=' || CAST(present_count AS TEXT) ELSE '' END"
    );
    let agg = match backend {
        Backend::Sqlite => "group_concat",
        Backend::Postgres => "string_agg",
    };
    let year = "CAST(substr(held_on, 1, 4) AS INTEGER)";
    format!("SELECT org_id, {year} AS year, {agg}({entry}, ',' ORDER BY held_on, kind, id) AS meeting_days FROM meetings WHERE 1 = 1{filter} GROUP BY org_id, {year}")
}

/// Fills `org_year` for every organisation (it must be empty; `present_count` filled).
pub(crate) fn org_year_fill(backend: Backend) -> String {
    org_year_insert(backend, "")
}

/// Inserts the 会议日历 of the meetings `filter` narrows (their organisation-years must
/// have none).
fn org_year_insert(backend: Backend, filter: &str) -> String {
    format!("INSERT INTO org_year (org_id, year, meeting_days) {}", org_year_select(backend, filter))
}

/// A meeting kind's letter in the 会议日历: `a` for the first of `MeetingKind::ALL`, on.
fn kind_letter(kind: MeetingKind) -> char {
    let i = MeetingKind::ALL.iter().position(|k| *k == kind).expect("every kind is in ALL");
    char::from(b'a' + i as u8)
}

/// One meeting of a 会议日历.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct MeetingDay {
    pub kind: MeetingKind,
    pub on: Date,
    /// 到会人数 of a 支委会 with attendance.
    pub present: Option<u32>,
    pub interactive: bool,
    pub content: Content,
}

/// A meeting's recorded content, as the 会议日历 keeps it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Content {
    None,
    DocumentsOnly,
    Other,
}

/// The meetings of a 会议日历 of `year`.
pub(crate) fn meeting_days(text: &str, year: i32) -> impl Iterator<Item = Result<MeetingDay, StoreError>> + '_ {
    text.split(',').filter(|e| !e.is_empty()).map(move |e| {
        let bad = || StoreError::Corrupt(format!("会议日历中的“{e}”，应为类型字母加月日，如e0105；可运行 dangjian summaries rebuild 重建汇总"));
        let b = e.as_bytes();
        if b.len() < 5 || !b[1..5].iter().all(u8::is_ascii_digit) {
            return Err(bad());
        }
        let kind = b[0].checked_sub(b'a').and_then(|i| MeetingKind::ALL.get(i as usize)).copied().ok_or_else(bad)?;
        let num = |s: &[u8]| s.iter().fold(0u32, |n, d| n * 10 + u32::from(d - b'0'));
        let on = Date::from_ymd_opt(year, num(&b[1..3]), num(&b[3..5])).ok_or_else(bad)?;
        let mut rest = &e[5..];
        let interactive = match rest.strip_prefix('*') {
            Some(r) => {
                rest = r;
                true
            }
            None => false,
        };
        let content = match rest.as_bytes().first() {
            Some(b'~') => Content::DocumentsOnly,
            Some(b'+') => Content::Other,
            _ => Content::None,
        };
        if content != Content::None {
            rest = &rest[1..];
        }
        let present = match rest {
            "" => None,
            _ => Some(rest.strip_prefix('=').and_then(|n| n.parse().ok()).ok_or_else(bad)?),
        };
        Ok(MeetingDay { kind, on, present, interactive, content })
    })
}

/// What `verify` found.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct SummaryCheck {
    pub rows: u64,
    pub missing: u64,
    pub extra: u64,
    pub different: u64,
    /// Up to 20 member ids whose summary disagrees with their raw rows.
    pub examples: Vec<i64>,
    /// Meetings whose 到会人数 disagrees with their attendance, and up to 20 of their ids.
    pub meetings_different: u64,
    pub meeting_examples: Vec<i64>,
    /// Organisation-years whose 会议日历 disagrees with their meetings (missing, extra or
    /// different), and up to 20 of their organisations' ids.
    pub org_years_different: u64,
    pub org_year_examples: Vec<i64>,
}

impl SummaryCheck {
    pub fn ok(&self) -> bool {
        self.missing == 0 && self.extra == 0 && self.different == 0 && self.meetings_different == 0 && self.org_years_different == 0
    }
}

type Line = (i64, i64, i64, Option<String>, i64, [f64; 6]);

fn line(r: &sqlx::any::AnyRow) -> Result<Line, StoreError> {
    use crate::rows::RowExt;
    let f = |c: &str| r.of(c).map(|v| v.unwrap_or(0.0));
    Ok((r.i("member_id")?, r.i("year")?, r.i("present_months")?, r.os("last_present")?, r.i("paid_months")?, [f("training_hours")?, f("hours_classroom")?, f("hours_distance")?, f("hours_online_lesson")?, f("hours_xuexi_qiangguo")?, f("hours_other")?]))
}

impl Store {
    /// Rebuilds every summary from the raw rows (by hand, or after rows were changed
    /// behind the store's back). Only the 到会人数 that differ from the attendance are
    /// written: rewriting every meeting is what makes a province's rebuild crawl.
    pub async fn rebuild_summaries(&self) -> Result<u64, StoreError> {
        self.fill_summaries(true).await
    }

    /// The member summaries and 会议日历 of a bulk load; its meetings came with their
    /// 到会人数 ([`crate::bulk::BulkLoader`]).
    pub(crate) async fn fill_loaded_summaries(&self) -> Result<u64, StoreError> {
        self.fill_summaries(false).await
    }

    async fn fill_summaries(&self, meetings_too: bool) -> Result<u64, StoreError> {
        let mut tx = self.pool.begin().await?;
        if self.backend == Backend::Postgres {
            // One range's aggregate in memory instead of spilled to disk.
            sqlx::query("SET LOCAL work_mem = '256MB'").execute(&mut *tx).await?;
        }
        if meetings_too {
            sqlx::query(&format!("UPDATE meetings SET present_count = d.n FROM ({}) d WHERE d.id = meetings.id", meetings_differing())).execute(&mut *tx).await?;
        }
        sqlx::query("DELETE FROM member_year").execute(&mut *tx).await?;
        let mut n = 0;
        for only in ranges(&mut tx, "members").await? {
            n += sqlx::query(&member_year_insert(only)).execute(&mut *tx).await?.rows_affected();
        }
        sqlx::query("DELETE FROM org_year").execute(&mut *tx).await?;
        for only in ranges(&mut tx, "orgs").await? {
            sqlx::query(&org_year_insert(self.backend, &only.on("", "org_id"))).execute(&mut *tx).await?;
        }
        tx.commit().await?;
        // Fresh statistics for the planner; on PostgreSQL a vacuum too, so that the member
        // rules read member_year from its covering key alone (migration 27).
        let tidy = match self.backend {
            Backend::Sqlite => "ANALYZE member_year; ANALYZE org_year",
            Backend::Postgres => "VACUUM ANALYZE member_year, org_year",
        };
        sqlx::raw_sql(tidy).execute(&self.pool).await?;
        Ok(n)
    }

    /// Compares the stored summaries with a recomputation from the raw rows, row by row
    /// in (member, year) order; hours agree within a thousandth.
    pub async fn verify_summaries(&self) -> Result<SummaryCheck, StoreError> {
        use futures_util::TryStreamExt;
        let expected_sql = format!("SELECT * FROM ({}) e ORDER BY member_id, year", select(Only::All));
        let stored_sql = format!("SELECT {} FROM member_year ORDER BY member_id, year", COLUMNS.join(", "));
        let mut c1 = self.pool.acquire().await?;
        let mut c2 = self.pool.acquire().await?;
        let mut expected = sqlx::query(&expected_sql).fetch(&mut *c1);
        let mut stored = sqlx::query(&stored_sql).fetch(&mut *c2);
        let mut out = SummaryCheck::default();
        let mut e = expected.try_next().await?.map(|r| line(&r)).transpose()?;
        let mut s = stored.try_next().await?.map(|r| line(&r)).transpose()?;
        let note = |out: &mut SummaryCheck, id: i64| {
            if out.examples.len() < 20 && !out.examples.contains(&id) {
                out.examples.push(id);
            }
        };
        loop {
            match (&e, &s) {
                (None, None) => break,
                (Some(x), None) => {
                    out.missing += 1;
                    note(&mut out, x.0);
                    e = expected.try_next().await?.map(|r| line(&r)).transpose()?;
                }
                (None, Some(y)) => {
                    out.extra += 1;
                    note(&mut out, y.0);
                    s = stored.try_next().await?.map(|r| line(&r)).transpose()?;
                }
                (Some(x), Some(y)) => match (x.0, x.1).cmp(&(y.0, y.1)) {
                    std::cmp::Ordering::Less => {
                        out.missing += 1;
                        note(&mut out, x.0);
                        e = expected.try_next().await?.map(|r| line(&r)).transpose()?;
                    }
                    std::cmp::Ordering::Greater => {
                        out.extra += 1;
                        note(&mut out, y.0);
                        s = stored.try_next().await?.map(|r| line(&r)).transpose()?;
                    }
                    std::cmp::Ordering::Equal => {
                        out.rows += 1;
                        let same = x.2 == y.2 && x.3 == y.3 && x.4 == y.4 && x.5.iter().zip(&y.5).all(|(a, b)| (a - b).abs() < 1e-3);
                        if !same {
                            out.different += 1;
                            note(&mut out, x.0);
                        }
                        e = expected.try_next().await?.map(|r| line(&r)).transpose()?;
                        s = stored.try_next().await?.map(|r| line(&r)).transpose()?;
                    }
                },
            }
        }
        drop((expected, stored));
        let differ = format!("SELECT id FROM ({}) d ORDER BY id", meetings_differing());
        let ids: Vec<i64> = sqlx::query_scalar(&differ).fetch_all(&mut *c1).await?;
        out.meetings_different = ids.len() as u64;
        out.meeting_examples = ids.into_iter().take(20).collect();
        let differ = format!(
            "SELECT COALESCE(y.org_id, e.org_id) AS org_id FROM org_year y FULL JOIN ({}) e ON e.org_id = y.org_id AND e.year = y.year \
             WHERE y.meeting_days IS DISTINCT FROM e.meeting_days ORDER BY 1",
            org_year_select(self.backend, "")
        );
        let ids: Vec<i64> = sqlx::query_scalar(&differ).fetch_all(&mut *c1).await?;
        out.org_years_different = ids.len() as u64;
        out.org_year_examples = ids.into_iter().take(20).collect();
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_meeting_calendar_reads_back_kind_day_form_content_and_attendance() {
        let d = |m, day| Date::from_ymd_opt(2025, m, day).unwrap();
        let days: Vec<MeetingDay> = meeting_days("e0105*+,b0112=3,c0301~,b0302*~=4,d1231", 2025).collect::<Result<_, _>>().unwrap();
        let day = |kind, on, present, interactive, content| MeetingDay { kind, on, present, interactive, content };
        assert_eq!(
            days,
            [
                day(MeetingKind::ThemedPartyDay, d(1, 5), None, true, Content::Other),
                day(MeetingKind::CommitteeMeeting, d(1, 12), Some(3), false, Content::None),
                day(MeetingKind::GroupMeeting, d(3, 1), None, false, Content::DocumentsOnly),
                day(MeetingKind::CommitteeMeeting, d(3, 2), Some(4), true, Content::DocumentsOnly),
                day(MeetingKind::PartyLesson, d(12, 31), None, false, Content::None),
            ]
        );
        assert_eq!(kind_letter(MeetingKind::GeneralMeeting), 'a');
        assert!(meeting_days("", 2025).next().is_none());
        for bad in ["z0105", "e0230", "e01", "b0112=", "b0112=x", "e0105x", "e0105+*", "e0105**", "e0105~+"] {
            let e = meeting_days(bad, 2025).next().unwrap().unwrap_err().to_string();
            assert!(e.contains(bad) && e.contains("summaries rebuild"), "{bad}: {e}");
        }
    }
}
