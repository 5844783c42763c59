//! Bulk loading for the generator: rows with explicit ids, buffered per table and written
//! as multi-row INSERTs in dependency order. Memory stays bounded by the batch size.

use crate::query::{bind_all, Arg};
use crate::{Backend, Store, StoreError};

/// One row: values in the column order of its table in [`TABLES`].
pub type Row = Vec<Arg>;

/// Tables the loader writes, in foreign-key order, with their columns.
pub(crate) const TABLES: &[(&str, &[&str])] = &[
    ("units", &["id", "code", "name", "kind", "region_code", "owner_org_id", "employees", "party_members", "full_members", "new_field", "coverage", "covering_org_id", "instructor", "created_at"]),
    ("sub_units", &["id", "unit_id", "kind", "name", "org_id"]),
    ("orgs", &["id", "code", "name", "level", "sector", "parent_id", "path", "depth", "region_code", "grid_id", "unit_id", "founded_on", "elected_on", "term_years", "member_count", "created_at"]),
    ("members", &["id", "org_id", "group_id", "name", "sex", "ethnicity", "birth_date", "citizen_id", "education", "occupation", "phone", "joined_on", "full_on", "status", "is_mobile", "is_lost_contact", "is_abroad", "archive_location", "archive_materials", "left_on", "left_reason", "left_note", "created_at", "citizen_idx"]),
    ("committee_posts", &["id", "org_id", "role", "member_id", "person_name", "start_on", "end_on"]),
    ("venues", &["id", "org_id", "kind", "name", "area_m2"]),
    ("meetings", &["id", "org_id", "kind", "held_on", "topic", "summary", "form", "host", "recorder", "created_at", "theme", "present_count"]),
    ("attendance", &["meeting_id", "member_id", "present", "absence_reason", "held_on"]),
    ("evaluations", &["org_id", "member_id", "year", "grade", "meeting_id"]),
    ("development", &["id", "org_id", "name", "sex", "ethnicity", "birth_date", "citizen_id", "phone", "education", "occupation", "stage", "applied_on", "talked_on", "activist_on", "contacts", "candidate_on", "review_on", "training_hours", "sponsors", "admitted_on", "admission_eligible", "admission_present", "admission_favour", "approved_on", "extension_months", "full_on", "full_eligible", "full_present", "full_favour", "member_id", "created_at", "citizen_idx"]),
    ("transfers", &["id", "member_id", "org_id", "direction", "letter_no", "issued_on", "valid_days", "dues_paid_to", "counterpart", "received_on"]),
    ("mobile_members", &["id", "member_id", "org_id", "direction", "place", "certificate_no", "since", "until"]),
    ("dues_payments", &["id", "member_id", "org_id", "from_month", "to_month", "base", "amount", "paid_on", "catch_up"]),
    ("training_records", &["id", "member_id", "org_id", "taken_on", "hours", "channel", "topic"]),
    ("party_workers", &["id", "org_id", "member_id", "name", "kind", "appointed_on", "left_on"]),
    ("funding", &["id", "org_id", "year", "source", "amount", "purpose"]),
    ("carriers", &["id", "org_id", "kind", "name", "established_on"]),
];

/// Floating-point columns: the content digest compares them in fen (×100, rounded), since
/// the databases print floats differently.
pub(crate) const FLOAT_COLUMNS: &[&str] = &["area_m2", "training_hours", "base", "amount", "hours"];

/// Values per INSERT statement: under SQLite's 32 766 and PostgreSQL's 65 535 limits.
const MAX_PARAMS: usize = 30_000;

/// Which table a row goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Table {
    Units = 0,
    SubUnits = 1,
    Orgs = 2,
    Members = 3,
    CommitteePosts = 4,
    Venues = 5,
    Meetings = 6,
    Attendance = 7,
    Evaluations = 8,
    Development = 9,
    Transfers = 10,
    MobileMembers = 11,
    DuesPayments = 12,
    TrainingRecords = 13,
    PartyWorkers = 14,
    Funding = 15,
    Carriers = 16,
}

pub struct BulkLoader<'a> {
    store: &'a Store,
    /// PostgreSQL only: a connection of its own for COPY, far faster than INSERT there.
    pg: Option<sqlx::PgConnection>,
    buffers: Vec<Vec<Arg>>,
    rows: Vec<u64>,
    /// Rows written so far (for progress).
    pub written: u64,
}

impl<'a> BulkLoader<'a> {
    pub fn new(store: &'a Store) -> Self {
        BulkLoader { store, pg: None, buffers: vec![Vec::new(); TABLES.len()], rows: vec![0; TABLES.len()], written: 0 }
    }

    /// Buffers a row; writes everything buffered when one table's batch is full.
    ///
    /// Rows of members and development come with citizen ID and phone in clear and without
    /// the last column, `citizen_idx`: the loader seals them and adds the blind index.
    /// A meeting's row carries its 到会人数 (`present_count`: its attendance rows marked
    /// present, NULL when it has none); `finish` keeps it as given, and
    /// `dangjian summaries verify` checks it.
    pub async fn add(&mut self, table: Table, mut row: Row) -> Result<(), StoreError> {
        let (name, cols) = TABLES[table as usize];
        if cols.last() == Some(&"citizen_idx") {
            self.seal(cols, &mut row);
        }
        assert_eq!(row.len(), cols.len(), "row for {name} has the wrong number of values");
        self.buffers[table as usize].extend(row);
        self.rows[table as usize] += 1;
        // COPY has no parameter limit: larger batches, fewer round trips.
        let max = if self.store.backend == Backend::Postgres { 10 * MAX_PARAMS } else { MAX_PARAMS };
        if self.buffers[table as usize].len() + cols.len() > max {
            self.flush().await?;
        }
        Ok(())
    }

    fn seal(&self, cols: &[&str], row: &mut Row) {
        let vault = self.store.vault();
        let at = |c: &str| cols.iter().position(|x| *x == c).expect("sealed tables have citizen_id and phone");
        let Arg::S(id) = &row[at("citizen_id")] else { panic!("citizen_id is text") };
        let (sealed, index) = (vault.seal(id), vault.blind_index(id));
        row[at("citizen_id")] = Arg::S(sealed);
        let phone = &mut row[at("phone")];
        if let Arg::OS(p) = phone {
            *p = crate::sealed::seal_optional(vault, p.as_deref());
        }
        row.push(Arg::S(index));
    }

    /// Writes all buffers, parents before children, in one transaction.
    pub async fn flush(&mut self) -> Result<(), StoreError> {
        if self.store.backend == Backend::Postgres {
            return self.flush_copy().await;
        }
        let mut tx = self.store.pool.begin().await?;
        for (i, (name, cols)) in TABLES.iter().enumerate() {
            let vals = std::mem::take(&mut self.buffers[i]);
            if vals.is_empty() {
                continue;
            }
            let n = vals.len() / cols.len();
            let sql = crate::import::multi_insert_sql(self.store.backend, name, cols, n);
            // Not kept in the statement cache: a batch's text depends on its row count, and a
            // prepared 30 000-value INSERT is megabytes.
            bind_all(sqlx::query(&sql).persistent(false), &vals).execute(&mut *tx).await?;
            self.written += n as u64;
        }
        tx.commit().await?;
        Ok(())
    }

    /// PostgreSQL: one `COPY … FROM STDIN` (text format) per table, in one transaction.
    async fn flush_copy(&mut self) -> Result<(), StoreError> {
        use sqlx::Connection;
        if self.pg.is_none() {
            let mut conn = sqlx::PgConnection::connect(&self.store.url).await?;
            // Row-by-row foreign-key checks and index inserts dominate a load of attendance
            // (90 % of the rows); they are rebuilt, and the whole table checked, in `finish`.
            sqlx::raw_sql(
                "ALTER TABLE attendance DROP CONSTRAINT IF EXISTS attendance_meeting_id_fkey, \
                 DROP CONSTRAINT IF EXISTS attendance_member_id_fkey; DROP INDEX IF EXISTS attendance_member",
            )
            .execute(&mut conn)
            .await?;
            self.pg = Some(conn);
        }
        let conn = self.pg.as_mut().expect("connected above");
        let mut tx = conn.begin().await?;
        for (i, (name, cols)) in TABLES.iter().enumerate() {
            let vals = std::mem::take(&mut self.buffers[i]);
            if vals.is_empty() {
                continue;
            }
            let mut text = String::with_capacity(vals.len() * 12);
            for row in vals.chunks(cols.len()) {
                for (c, v) in row.iter().enumerate() {
                    if c > 0 {
                        text.push('\t');
                    }
                    copy_value(&mut text, v);
                }
                text.push('\n');
            }
            let mut copy = tx.copy_in_raw(&format!("COPY {name} ({}) FROM STDIN", cols.join(", "))).await?;
            copy.send(text.into_bytes()).await?;
            copy.finish().await?;
            self.written += (vals.len() / cols.len()) as u64;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Flushes, recomputes the per-organisation member counts and moves PostgreSQL's id
    /// sequences past the explicit ids.
    pub async fn finish(mut self) -> Result<u64, StoreError> {
        self.flush().await?;
        if let Some(mut c) = self.pg.take() {
            use sqlx::Connection;
            sqlx::raw_sql(
                "ALTER TABLE attendance ADD CONSTRAINT attendance_meeting_id_fkey FOREIGN KEY (meeting_id) REFERENCES meetings (id), \
                 ADD CONSTRAINT attendance_member_id_fkey FOREIGN KEY (member_id) REFERENCES members (id); \
                 CREATE INDEX attendance_member ON attendance (member_id, held_on, present, meeting_id)",
            )
            .execute(&mut c)
            .await?;
            c.close().await?;
        }
        let pool = &self.store.pool;
        sqlx::query("UPDATE orgs SET member_count = (SELECT COUNT(*) FROM members m WHERE m.org_id = orgs.id AND m.left_on IS NULL)")
            .execute(pool)
            .await?;
        if self.store.backend == Backend::Postgres {
            for (t, _) in TABLES.iter().filter(|(_, cols)| cols[0] == "id") {
                sqlx::query(&format!("SELECT setval(pg_get_serial_sequence('{t}', 'id'), COALESCE((SELECT MAX(id) FROM {t}), 0) + 1, false)"))
                    .execute(pool)
                    .await?;
            }
            // VACUUM sets the visibility map, so subtree counts become index-only scans.
            sqlx::raw_sql("VACUUM ANALYZE").execute(pool).await?;
        } else {
            sqlx::query("ANALYZE").execute(pool).await?;
        }
        // The write-time summaries of everything just loaded (store::summaries), after the
        // statistics: without them SQLite plans the fill's joins badly (a county: 33 s
        // instead of 1.5 s).
        self.store.fill_loaded_summaries().await?;
        Ok(self.written)
    }
}

/// One value in COPY text format: `\N` for NULL; backslash, tab, newline, CR escaped.
fn copy_value(out: &mut String, v: &Arg) {
    let text = match v {
        Arg::I(x) | Arg::OI(Some(x)) => return out.push_str(&x.to_string()),
        Arg::OF(Some(x)) => return out.push_str(&x.to_string()),
        Arg::S(s) | Arg::OS(Some(s)) => s,
        Arg::OI(None) | Arg::OS(None) | Arg::OF(None) => return out.push_str("\\N"),
    };
    for ch in text.chars() {
        match ch {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
}
