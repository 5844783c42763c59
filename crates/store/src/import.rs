//! Imports (导入): one transaction for a whole file, so a file lands whole or not at all.
//! Records are matched to what is already stored (members by citizen ID, organisations
//! by code, the other records by their natural key): a re-import of the same file
//! changes nothing. The caller commits, or rolls back for a preview (`--dry-run`).

use crate::query::{bind_all, Arg, Sql};
use crate::rows::RowExt;
use crate::{Backend, Scope, Store, StoreError};
use domain::dues::Month;
use domain::life::TrainingChannel;
use domain::member::NewMember;
use domain::org::{CommitteeRole, NewOrg, OrgLevel};
use domain::{Date, Labelled};
use serde::Serialize;
use std::collections::HashMap;

/// What an import did (or, in a preview, would do).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ImportCounts {
    pub inserted: u64,
    pub updated: u64,
    pub unchanged: u64,
}

/// One stored value an import changes (shown in the preview).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    pub row: u32,
    /// Whose record: a member's name or an organisation's.
    pub who: String,
    /// The stored column.
    pub field: &'static str,
    pub old: String,
    pub new: String,
}

/// An entry of the exchange log (操作日志): who imported or exported what.
#[derive(Debug, Clone)]
pub struct ExchangeLog {
    /// `import` or `export`.
    pub direction: &'static str,
    pub kind: &'static str,
    /// The organisation exported (its subtree); none for imports.
    pub org_id: Option<i64>,
    /// The user; none for the command line.
    pub user_id: Option<i64>,
    pub file_name: String,
    pub rows: u64,
    /// Why full citizen IDs and phones were exported (none: they were masked).
    pub purpose: Option<String>,
}

async fn write_log<'e>(e: impl sqlx::Executor<'e, Database = sqlx::Any>, log: &ExchangeLog, counts: ImportCounts) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO data_exchanges (direction, kind, org_id, user_id, file_name, rows_total, inserted, updated, at, purpose) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)")
        .bind(log.direction)
        .bind(log.kind)
        .bind(log.org_id)
        .bind(log.user_id)
        .bind(&log.file_name)
        .bind(log.rows as i64)
        .bind(counts.inserted as i64)
        .bind(counts.updated as i64)
        .bind(crate::now_text())
        .bind(log.purpose.as_deref())
        .execute(e)
        .await?;
    Ok(())
}

impl Store {
    /// Logs an export (or any exchange outside an import's transaction).
    /// An export is also an audit entry: one with full IDs as `full_export`, with its purpose.
    pub async fn log_exchange(&self, log: &ExchangeLog) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        write_log(&mut *tx, log, ImportCounts::default()).await?;
        let action = match (log.direction, &log.purpose) {
            ("export", Some(_)) => "full_export",
            (d, _) => d,
        };
        let detail = serde_json::json!({"文件": log.file_name, "类别": log.kind, "党组织": log.org_id, "行数": log.rows, "用途": log.purpose});
        match log.user_id {
            Some(_) => self.audit_by_user(&mut tx, log.user_id, action, ("data_exchanges", 0), detail).await?,
            None => crate::audit::log(&mut tx, Some(&crate::Actor::command_line()), action, None, detail).await?,
        }
        tx.commit().await?;
        Ok(())
    }

    /// The latest exchanges, newest first: (at, direction, kind, file name, rows, user
    /// name); of one user, or everyone's for the whole jurisdiction.
    pub async fn recent_exchanges(&self, scope: &Scope, user_id: i64, limit: i64) -> Result<Vec<(String, String, String, String, i64, Option<String>)>, StoreError> {
        let mut q = Sql::new("SELECT x.at, x.direction, x.kind, x.file_name, x.rows_total, u.username FROM data_exchanges x LEFT JOIN users u ON u.id = x.user_id WHERE 1 = 1");
        if !scope.is_jurisdiction() {
            q.push(" AND x.user_id = ").arg(user_id);
        }
        q.push(" ORDER BY x.id DESC LIMIT ").arg(limit);
        let rows = q.query().fetch_all(&self.pool).await?;
        rows.iter().map(|r| Ok((r.s("at")?, r.s("direction")?, r.s("kind")?, r.s("file_name")?, r.i("rows_total")?, r.os("username")?))).collect()
    }
}

/// Changes kept for the preview (the counts cover all).
const MAX_CHANGES: usize = 500;

/// A row the store refused, with the field and the reason in Chinese.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Refusal {
    pub row: u32,
    pub field: &'static str,
    pub message: String,
}

impl Refusal {
    fn new(row: u32, field: &'static str, message: impl Into<String>) -> Self {
        Refusal { row, field, message: message.into() }
    }
}

/// An organisation an import may refer to.
#[derive(Debug, Clone)]
pub struct OrgRef {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub level: OrgLevel,
    pub parent_id: Option<i64>,
    path: String,
    depth: i64,
}

/// The organisations in the importer's scope, by code and by name.
#[derive(Debug, Default, Clone)]
pub struct OrgDirectory {
    orgs: Vec<OrgRef>,
    by_code: HashMap<String, usize>,
    by_name: HashMap<String, Vec<usize>>,
    by_id: HashMap<i64, usize>,
}

impl OrgDirectory {
    fn add(&mut self, o: OrgRef) {
        let i = self.orgs.len();
        self.by_code.insert(o.code.clone(), i);
        self.by_name.entry(o.name.clone()).or_default().push(i);
        self.by_id.insert(o.id, i);
        self.orgs.push(o);
    }

    /// An organisation by its code or full name, with a Chinese reason when it is
    /// unknown or the name is ambiguous.
    pub fn resolve(&self, text: &str) -> Result<&OrgRef, String> {
        let t = text.trim();
        if let Some(&i) = self.by_code.get(t) {
            return Ok(&self.orgs[i]);
        }
        match self.by_name.get(t).map(Vec::as_slice) {
            Some([i]) => Ok(&self.orgs[*i]),
            Some(many) => Err(format!(
                "有{}个党组织都叫“{t}”（代码：{}），请改填组织代码",
                many.len(),
                many.iter().map(|&i| self.orgs[i].code.as_str()).collect::<Vec<_>>().join("、")
            )),
            None => Err(format!("找不到党组织“{t}”：系统中（您的权限范围内）没有这个代码或全称的党组织，请核对名称或先导入党组织")),
        }
    }

    /// A 党小组 of `branch` by code or name.
    pub fn group_of(&self, branch: i64, text: &str) -> Result<&OrgRef, String> {
        let t = text.trim();
        let found = self.orgs.iter().find(|o| o.parent_id == Some(branch) && o.level == OrgLevel::Group && (o.code == t || o.name == t));
        found.ok_or_else(|| format!("所在党支部下没有名为“{t}”的党小组"))
    }

    pub fn by_id(&self, id: i64) -> Option<&OrgRef> {
        self.by_id.get(&id).map(|&i| &self.orgs[i])
    }
}

/// Everyone who has been on an organisation's roll, by name: (member id, last four
/// characters of the citizen ID, joined on, left on).
pub type Roster = HashMap<String, Vec<(i64, String, Date, Option<Date>)>>;

/// An import in progress: one open transaction.
pub struct Import {
    tx: sqlx::Transaction<'static, sqlx::Any>,
    backend: Backend,
    /// Seals citizen IDs and phones on their way in, opens them on their way out.
    vault: std::sync::Arc<vault::Keyring>,
    scope: Scope,
    /// Organisations the rows may refer to (grows as organisations are imported). Shared,
    /// so that rows can be checked while the previous batch is being written.
    pub orgs: std::sync::Arc<OrgDirectory>,
    /// Active-member count changes per organisation, applied at the end.
    delta: HashMap<i64, i64>,
    pub counts: ImportCounts,
    /// The first values an import changes, for the preview.
    pub changes: Vec<Change>,
    /// Members whose attendance, dues or training the import wrote: their summaries are
    /// recomputed before the commit.
    touched: std::collections::HashSet<i64>,
    /// Meetings whose attendance this import wrote (their 到会人数 is refreshed at commit).
    meetings_touched: Vec<i64>,
}

/// A member on the roll that a dues or training row names by citizen ID.
#[derive(Debug, Clone)]
pub struct RecordHolder {
    pub id: i64,
    pub org_id: i64,
    pub name: String,
    pub joined_on: Date,
    pub occupation: domain::member::Occupation,
}

/// Member columns written by an import, in this order.
pub const MEMBER_COLUMNS: [&str; 18] = MEMBER_WRITE_COLS;
const MEMBER_WRITE_COLS: [&str; 18] = [
    "org_id", "group_id", "name", "sex", "ethnicity", "birth_date", "citizen_id", "education", "occupation", "phone", "joined_on",
    "joined_precision", "full_on", "full_precision", "status", "is_mobile", "archive_location", "archive_materials",
];

/// A value the file leaves 未登记: it never overwrites what the registry already holds.
fn is_unregistered(col: &str, value: &Option<String>) -> bool {
    matches!(col, "ethnicity" | "education" | "occupation")
        && value.as_deref().is_some_and(|v| v == "unregistered" || v == domain::member::UNREGISTERED)
}

fn member_values(m: &NewMember) -> [Arg; 18] {
    [
        Arg::I(m.org_id),
        Arg::OI(m.group_id),
        Arg::S(m.name.clone()),
        Arg::S(m.sex.code().into()),
        Arg::S(m.ethnicity.clone()),
        m.birth_date.into(),
        Arg::S(m.citizen_id.reveal().into()),
        Arg::S(m.education.code().into()),
        Arg::S(m.occupation.code().into()),
        Arg::OS(m.phone.clone()),
        m.joined_on.into(),
        Arg::S(m.joined_precision.code().into()),
        m.full_on.into(),
        Arg::S(m.full_precision.code().into()),
        Arg::S(m.status.code().into()),
        Arg::I(m.is_mobile as i64),
        Arg::OS(m.archive_location.clone()),
        Arg::S(crate::materials_text(&m.archive_materials)),
    ]
}

/// Member values as stored: the citizen ID and phone sealed.
fn sealed_values(vault: &vault::Keyring, values: [Arg; 18]) -> [Arg; 18] {
    values.into_iter().zip(MEMBER_WRITE_COLS).map(|(v, c)| match (c, v) {
        ("citizen_id", Arg::S(id)) => Arg::S(vault.seal(&id)),
        ("phone", Arg::OS(p)) => Arg::OS(crate::sealed::seal_optional(vault, p.as_deref())),
        (_, v) => v,
    }).collect::<Vec<_>>().try_into().expect("18 values in, 18 out")
}

/// An argument as comparable text (NULL is `None`).
fn arg_text(a: &Arg) -> Option<String> {
    match a {
        Arg::I(v) => Some(v.to_string()),
        Arg::OI(v) => v.map(|v| v.to_string()),
        Arg::S(v) => Some(v.clone()),
        Arg::OS(v) => v.clone(),
        Arg::OF(v) => v.map(|v| format!("{:.2}", v)),
    }
}

/// Rows per prepared multi-row INSERT of an import.
const INSERT_CHUNK: usize = 250;

/// `n` placeholders separated by commas, in the backend's style.
fn placeholders(backend: Backend, n: usize) -> String {
    (1..=n).map(|i| if backend == Backend::Sqlite { "?".to_string() } else { format!("${i}") }).collect::<Vec<_>>().join(", ")
}

/// `INSERT INTO table (cols) VALUES (…), (…)` for `rows` rows: anonymous `?` on SQLite
/// (SQLite looks parameter names up linearly, as sqlx asks for each one's name, which is
/// quadratic in a long statement; `?` has no name to look up), `$n` on PostgreSQL.
pub(crate) fn multi_insert_sql(backend: Backend, table: &str, cols: &[&str], rows: usize) -> String {
    let mut sql = format!("INSERT INTO {table} ({}) VALUES ", cols.join(", "));
    let mut p = 0;
    for r in 0..rows {
        sql.push_str(if r == 0 { "(" } else { ", (" });
        for c in 0..cols.len() {
            p += 1;
            if c > 0 {
                sql.push_str(", ");
            }
            if backend == Backend::Sqlite {
                sql.push('?');
            } else {
                sql.push_str(&format!("${p}"));
            }
        }
        sql.push(')');
    }
    sql
}

impl Store {
    /// Starts an import into `scope`: opens the transaction and reads the organisations
    /// the rows may name. Member accounts cannot import.
    pub async fn begin_import(&self, scope: &Scope) -> Result<Import, StoreError> {
        if scope.own_member().is_some() {
            return Err(StoreError::invalid("file", "党员账号不能导入数据，请由党组织管理员导入"));
        }
        let mut tx = self.pool.begin().await?;
        if self.backend == Backend::Sqlite {
            // A file is one transaction: a larger page cache keeps its index pages in memory
            // instead of spilling them to the WAL and reading them back (bounded: 64 MiB).
            sqlx::query("PRAGMA cache_size = -65536").execute(&mut *tx).await?;
        }
        let mut q = Sql::new("SELECT o.id, o.code, o.name, o.level, o.parent_id, o.path, o.depth FROM orgs o WHERE o.dissolved_on IS NULL");
        scope.orgs(&mut q, "o");
        let rows = q.query().fetch_all(&mut *tx).await?;
        let mut orgs = OrgDirectory::default();
        for r in &rows {
            orgs.add(OrgRef {
                id: r.i("id")?,
                code: r.s("code")?,
                name: r.s("name")?,
                level: r.e("level")?,
                parent_id: r.oi("parent_id")?,
                path: r.s("path")?,
                depth: r.i("depth")?,
            });
        }
        Ok(Import { tx, backend: self.backend, vault: self.vault.clone().expect("a store opened for use has its key ring"), scope: scope.clone(), orgs: std::sync::Arc::new(orgs), delta: HashMap::new(), counts: ImportCounts::default(), changes: Vec::new(), touched: Default::default(), meetings_touched: Vec::new() })
    }
}

impl Import {
    /// Commits (or, for a preview, rolls back) and returns what was done.
    /// A committed import is logged in the same transaction.
    pub async fn finish(mut self, commit: bool, log: &ExchangeLog) -> Result<(ImportCounts, Vec<Change>), StoreError> {
        if !commit {
            self.tx.rollback().await?;
            return Ok((self.counts, self.changes));
        }
        for (org, d) in std::mem::take(&mut self.delta) {
            if d != 0 {
                sqlx::query("UPDATE orgs SET member_count = member_count + $1 WHERE id = $2").bind(d).bind(org).execute(&mut *self.tx).await?;
            }
        }
        let touched: Vec<i64> = self.touched.drain().collect();
        crate::summaries::refresh(&mut self.tx, &touched).await?;
        crate::summaries::refresh_meetings(&mut self.tx, self.backend, &std::mem::take(&mut self.meetings_touched)).await?;
        write_log(&mut *self.tx, log, self.counts).await?;
        let detail = serde_json::json!({
            "文件": log.file_name, "类别": log.kind, "行数": log.rows,
            "新增": self.counts.inserted, "修改": self.counts.updated,
            "修改内容": self.changes.iter().map(|c| serde_json::json!([c.row, c.who, c.field, c.old, c.new])).collect::<Vec<_>>(),
        });
        crate::audit::log(&mut self.tx, self.scope.actor(), "import", None, detail).await?;
        self.tx.commit().await?;
        Ok((self.counts, self.changes))
    }

    fn note_change(&mut self, row: u32, who: &str, field: &'static str, old: Option<String>, new: Option<String>) {
        if self.changes.len() < MAX_CHANGES {
            self.changes.push(Change { row, who: who.to_string(), field, old: old.unwrap_or_default(), new: new.unwrap_or_default() });
        }
    }

    fn in_scope(&self, path: &str) -> bool {
        match self.scope.root_org() {
            None => true,
            Some(root) => self.orgs.by_id(root).is_some_and(|r| path.starts_with(&r.path)),
        }
    }

    /// An organisation by code: inserted under its parent (already in the directory),
    /// updated when its name, sector, region, dates or term changed, else unchanged.
    /// Moving an organisation to another parent is refused (隶属关系调整 is its own procedure).
    pub async fn org(&mut self, row: u32, new: &NewOrg) -> Result<Option<Refusal>, StoreError> {
        if let Err(e) = new.validate() {
            let f = &e.errors[0];
            return Ok(Some(Refusal::new(row, f.field, e.summary())));
        }
        let code = new.code.trim().to_string();
        let existing = sqlx::query("SELECT id, name, level, sector, parent_id, path, region_code, founded_on, elected_on, term_years FROM orgs WHERE code = $1")
            .bind(&code)
            .fetch_optional(&mut *self.tx)
            .await?;
        let parent = match new.parent_id {
            Some(p) => match self.orgs.by_id(p) {
                Some(o) => Some(o.clone()),
                None => return Ok(Some(Refusal::new(row, "parent", "上级党组织不在您的权限范围内"))),
            },
            None => None,
        };
        if let Some(r) = existing {
            let id = r.i("id")?;
            if !self.in_scope(&r.s("path")?) {
                return Ok(Some(Refusal::new(row, "code", format!("组织代码“{code}”已被您权限范围以外的党组织使用，请换一个代码"))));
            }
            if r.oi("parent_id")? != new.parent_id {
                return Ok(Some(Refusal::new(row, "parent", format!("“{}”已在系统中，但上级党组织与文件不同；调整隶属关系请在系统中单独办理", new.name.trim()))));
            }
            if r.s("level")? != new.level.code() {
                return Ok(Some(Refusal::new(row, "level", format!("“{}”在系统中是{}，与文件中的{}不同；组织层级不能通过导入修改", new.name.trim(), r.e::<OrgLevel>("level")?.label(), new.level.label()))));
            }
            let same = r.s("name")? == new.name.trim()
                && r.s("sector")? == new.sector.code()
                && r.s("region_code")? == new.region_code.trim()
                && r.od("founded_on")? == new.founded_on
                && r.od("elected_on")? == new.elected_on
                && r.oi("term_years")? == new.term_years;
            if same {
                self.counts.unchanged += 1;
            } else {
                let pairs = [
                    ("name", Some(r.s("name")?), Some(new.name.trim().to_string())),
                    ("sector", Some(r.s("sector")?), Some(new.sector.code().to_string())),
                    ("region_code", Some(r.s("region_code")?), Some(new.region_code.trim().to_string())),
                    ("founded_on", r.os("founded_on")?, new.founded_on.map(|d| d.to_string())),
                    ("elected_on", r.os("elected_on")?, new.elected_on.map(|d| d.to_string())),
                    ("term_years", r.oi("term_years")?.map(|t| t.to_string()), new.term_years.map(|t| t.to_string())),
                ];
                for (f, a, b) in pairs {
                    if a != b {
                        self.note_change(row, new.name.trim(), f, a, b);
                    }
                }
                let mut q = Sql::new("UPDATE orgs SET name = ");
                q.arg(new.name.trim()).push(", sector = ").arg(new.sector.code()).push(", region_code = ").arg(new.region_code.trim());
                q.push(", founded_on = ").arg(new.founded_on).push(", elected_on = ").arg(new.elected_on).push(", term_years = ").arg(new.term_years);
                q.push(" WHERE id = ").arg(id);
                q.query().execute(&mut *self.tx).await?;
                self.counts.updated += 1;
            }
            return Ok(None);
        }
        let (parent_path, depth) = match &parent {
            Some(p) => {
                if !p.level.may_contain(new.level) {
                    return Ok(Some(Refusal::new(row, "level", format!("{}“{}”下不能设立{}，请检查组织层级", p.level.label(), p.name, new.level.label()))));
                }
                (p.path.clone(), p.depth + 1)
            }
            None if self.scope.is_jurisdiction() => ("/".to_string(), 0),
            None => return Ok(Some(Refusal::new(row, "parent", "请填写上级党组织：只有全辖区管理员可以建立顶层党组织"))),
        };
        let id = crate::orgs::insert_org_tx(&mut self.tx, new, &parent_path, depth).await?;
        std::sync::Arc::make_mut(&mut self.orgs).add(OrgRef {
            id,
            code,
            name: new.name.trim().to_string(),
            level: new.level,
            parent_id: new.parent_id,
            path: format!("{parent_path}{id}/"),
            depth,
        });
        self.counts.inserted += 1;
        Ok(None)
    }

    /// A batch of checked members, matched by citizen ID: new ones inserted in one
    /// statement, changed ones updated, identical ones left alone. A member registered
    /// outside the scope, or who has left the roll, is refused.
    ///
    /// `given` names the member columns the file has (see [`MEMBER_COLUMNS`]): a stored
    /// value whose column is not in the file is kept, never overwritten with a default.
    pub async fn members(&mut self, batch: &[(u32, NewMember)], given: &[&str]) -> Result<Vec<Refusal>, StoreError> {
        let mut refusals = Vec::new();
        if batch.is_empty() {
            return Ok(refusals);
        }
        let mut sql = "SELECT m.id, m.org_id, m.group_id, m.name, m.sex, m.ethnicity, m.birth_date, m.citizen_id, m.education, m.occupation, \
             m.phone, m.joined_on, m.joined_precision, m.full_on, m.full_precision, m.status, m.is_mobile, m.archive_location, m.archive_materials, m.left_on, o.path \
             FROM members m JOIN orgs o ON o.id = m.org_id WHERE m.citizen_idx IN ("
            .to_string();
        sql.push_str(&placeholders(self.backend, batch.len()));
        sql.push(')');
        let ids: Vec<Arg> = batch.iter().map(|(_, m)| Arg::S(self.vault.blind_index(m.citizen_id.reveal()))).collect();
        let rows = bind_all(sqlx::query(&sql).persistent(false), &ids).fetch_all(&mut *self.tx).await?;
        let mut existing = HashMap::new();
        for r in &rows {
            existing.insert(r.sealed("citizen_id", &self.vault)?, r);
        }
        let mut fresh: Vec<Arg> = Vec::new();
        let mut fresh_rows = 0;
        for ((row, m), idx) in batch.iter().zip(ids) {
            let values = member_values(m);
            let Some(r) = existing.get(m.citizen_id.reveal()) else {
                fresh.extend(sealed_values(&self.vault, values));
                fresh.push(idx);
                fresh_rows += 1;
                *self.delta.entry(m.org_id).or_default() += 1;
                continue;
            };
            if !self.in_scope(&r.s("path")?) {
                refusals.push(Refusal::new(*row, "citizen_id", format!("{}（{}）已在您权限范围以外的党组织登记；如确属本组织党员，请办理组织关系转接", m.name, m.citizen_id)));
                continue;
            }
            if let Some(left) = r.os("left_on")? {
                refusals.push(Refusal::new(*row, "citizen_id", format!("{}已于{left}减少（不在名册中）；如重新转入，请办理组织关系接收", m.name)));
                continue;
            }
            let stored: Vec<Option<String>> = MEMBER_WRITE_COLS
                .iter()
                .map(|c| match *c {
                    "org_id" | "group_id" | "is_mobile" => r.oi(c).map(|v| v.map(|v| v.to_string())),
                    "citizen_id" | "phone" => r.osealed(c, &self.vault),
                    _ => r.os(c),
                })
                .collect::<Result<_, _>>()?;
            let from_file: Vec<Option<String>> = values.iter().map(arg_text).collect();
            let keep: Vec<bool> = MEMBER_WRITE_COLS.iter().zip(&from_file).map(|(c, v)| given.contains(c) && !is_unregistered(c, v)).collect();
            if stored.iter().zip(&from_file).zip(&keep).all(|((a, b), k)| !k || a == b) {
                self.counts.unchanged += 1;
                continue;
            }
            let id = r.i("id")?;
            let old_org = r.i("org_id")?;
            // A member's organisational relationship moves only by 组织关系转接 (with its
            // letter and receipt), never as a side effect of a roster.
            if old_org != m.org_id {
                let was = self.orgs.by_id(old_org).map(|o| o.name.clone()).unwrap_or_else(|| format!("编号{old_org}"));
                refusals.push(Refusal::new(*row, "org_id", format!("{}的组织关系在系统中属于“{was}”，与文件不同；调整组织关系请办理组织关系转接，不能通过导入修改", m.name)));
                continue;
            }
            for ((c, (a, b)), k) in MEMBER_WRITE_COLS.iter().zip(stored.iter().zip(&from_file)).zip(&keep) {
                if *k && a != b {
                    let shown = |v: &Option<String>| if *c == "phone" { v.as_deref().map(domain::member::mask_phone) } else { v.clone() };
                    self.note_change(*row, &m.name, c, shown(a), shown(b));
                }
            }
            let mut u = Sql::new("UPDATE members SET ");
            for (i, (c, v)) in MEMBER_WRITE_COLS.iter().zip(sealed_values(&self.vault, values)).zip(&keep).filter(|(_, k)| **k).map(|(cv, _)| cv).enumerate() {
                if i > 0 {
                    u.push(", ");
                }
                u.push(&format!("{c} = ")).arg(v);
            }
            u.push(" WHERE id = ").arg(id);
            u.query().execute(&mut *self.tx).await?;
            self.counts.updated += 1;
        }
        if fresh_rows > 0 {
            let mut cols = MEMBER_WRITE_COLS.to_vec();
            cols.extend(["citizen_idx", "created_at"]);
            let now = crate::now_text();
            let mut args = Vec::with_capacity(fresh.len() + fresh_rows);
            for chunk in fresh.chunks(MEMBER_WRITE_COLS.len() + 1) {
                args.extend(chunk.iter().cloned());
                args.push(Arg::S(now.clone()));
            }
            // Full chunks share one prepared statement; only the last, shorter one is parsed anew.
            for chunk in args.chunks(cols.len() * INSERT_CHUNK) {
                let rows = chunk.len() / cols.len();
                let sql = multi_insert_sql(self.backend, "members", &cols, rows);
                bind_all(sqlx::query(&sql).persistent(rows == INSERT_CHUNK), chunk).execute(&mut *self.tx).await?;
            }
            self.counts.inserted += fresh_rows as u64;
        }
        Ok(refusals)
    }

    /// Active members of the scope by citizen ID: (member id, organisation id, name, joined on).
    pub async fn members_by_citizen_id(&mut self, ids: &[String]) -> Result<HashMap<String, RecordHolder>, StoreError> {
        let mut out = HashMap::new();
        for chunk in ids.chunks(1000) {
            let mut q = Sql::new("SELECT m.id, m.org_id, m.name, m.joined_on, m.occupation, m.citizen_id FROM members m JOIN orgs o ON o.id = m.org_id WHERE m.left_on IS NULL");
            self.scope.orgs(&mut q, "o");
            q.push(" AND m.citizen_idx IN (");
            for (i, id) in chunk.iter().enumerate() {
                if i > 0 {
                    q.push(", ");
                }
                q.arg(self.vault.blind_index(id));
            }
            q.push(")");
            for r in q.query().fetch_all(&mut *self.tx).await? {
                let holder = RecordHolder { id: r.i("id")?, org_id: r.i("org_id")?, name: r.s("name")?, joined_on: r.d("joined_on")?, occupation: r.e("occupation")? };
                out.insert(r.sealed("citizen_id", &self.vault)?, holder);
            }
        }
        Ok(out)
    }

    /// Full citizen IDs for masked ones (a roster exported masked and filled in): by name
    /// and mask, among the members in scope; a pair that fits no member, or more than one,
    /// is left out (the row is then refused with the reason).
    /// Returns the full ID and the stored phone.
    pub async fn unmask_citizen_ids(&mut self, pairs: &[(String, String)]) -> Result<HashMap<(String, String), (String, Option<String>)>, StoreError> {
        let mut names: Vec<&str> = pairs.iter().map(|(n, _)| n.as_str()).collect();
        names.sort();
        names.dedup();
        let mut found: HashMap<(String, String), Vec<(String, Option<String>)>> = HashMap::new();
        for chunk in names.chunks(1000) {
            let mut q = Sql::new("SELECT m.name, m.citizen_id, m.phone FROM members m JOIN orgs o ON o.id = m.org_id WHERE m.left_on IS NULL");
            self.scope.orgs(&mut q, "o");
            q.push(" AND m.name IN (");
            for (i, n) in chunk.iter().enumerate() {
                if i > 0 {
                    q.push(", ");
                }
                q.arg(*n);
            }
            q.push(")");
            for r in q.query().fetch_all(&mut *self.tx).await? {
                let (name, id) = (r.s("name")?, r.sealed("citizen_id", &self.vault)?);
                found.entry((name, domain::citizen_id::mask_text(&id))).or_default().push((id, r.osealed("phone", &self.vault)?));
            }
        }
        Ok(pairs.iter().filter_map(|p| match found.get(p).map(Vec::as_slice) {
            Some([one]) => Some((p.clone(), one.clone())),
            _ => None,
        }).collect())
    }

    /// Everyone who has been on one organisation's roll, by name (for attendance lists):
    /// name → (member id, last four characters of the citizen ID, joined on, left on).
    pub async fn members_by_name(&mut self, org_id: i64) -> Result<Roster, StoreError> {
        // A 党小组 meets with the members of its group, whose relationship sits in the branch.
        let rows = sqlx::query("SELECT id, name, citizen_id, joined_on, left_on FROM members WHERE org_id = $1 OR group_id = $1 ORDER BY id")
            .bind(org_id)
            .fetch_all(&mut *self.tx)
            .await?;
        let mut out: HashMap<String, Vec<(i64, String, Date, Option<Date>)>> = HashMap::new();
        for r in rows {
            let id = r.sealed("citizen_id", &self.vault)?;
            out.entry(r.s("name")?).or_default().push((r.i("id")?, id[id.len().saturating_sub(4)..].to_string(), r.d("joined_on")?, r.od("left_on")?));
        }
        Ok(out)
    }

    /// A member of the scope by citizen ID, whether or not still on the roll: (id, organisation id).
    pub async fn member_in_scope(&mut self, citizen_id: &str) -> Result<Option<(i64, i64)>, StoreError> {
        let mut q = Sql::new("SELECT m.id, m.org_id FROM members m JOIN orgs o ON o.id = m.org_id WHERE m.citizen_idx = ");
        q.arg(self.vault.blind_index(citizen_id));
        self.scope.orgs(&mut q, "o");
        let r = q.query().fetch_optional(&mut *self.tx).await?;
        r.map(|r| Ok((r.i("id")?, r.i("org_id")?))).transpose()
    }

    /// A dues payment (党费) keyed by member and first month: same → unchanged, different
    /// amount/base/date → updated; a period overlapping another payment is refused.
    #[allow(clippy::too_many_arguments)]
    pub async fn dues(&mut self, row: u32, member_id: i64, org_id: i64, from: Month, to: Month, base: Option<f64>, amount: f64, paid_on: Date) -> Result<Option<Refusal>, StoreError> {
        self.touched.insert(member_id);
        let catch_up = domain::dues::is_catch_up(to, paid_on);
        let same_start = sqlx::query("SELECT id, to_month, base, amount, paid_on FROM dues_payments WHERE member_id = $1 AND from_month = $2")
            .bind(member_id)
            .bind(from.text())
            .fetch_optional(&mut *self.tx)
            .await?;
        if let Some(r) = same_start {
            let same = r.s("to_month")? == to.text()
                && r.of("base")?.map(|b| (b * 100.0).round()) == base.map(|b| (b * 100.0).round())
                && r.of("amount")?.map(|a| (a * 100.0).round()) == Some((amount * 100.0).round())
                && r.s("paid_on")? == paid_on.to_string();
            if same {
                self.counts.unchanged += 1;
                return Ok(None);
            }
            sqlx::query("UPDATE dues_payments SET to_month = $1, base = $2, amount = $3, paid_on = $4, catch_up = $5 WHERE id = $6")
                .bind(to.text())
                .bind(base)
                .bind(amount)
                .bind(paid_on.to_string())
                .bind(catch_up as i64)
                .bind(r.i("id")?)
                .execute(&mut *self.tx)
                .await?;
            self.counts.updated += 1;
            return Ok(None);
        }
        let overlap: Option<String> = sqlx::query_scalar("SELECT from_month FROM dues_payments WHERE member_id = $1 AND from_month <= $2 AND to_month >= $3")
            .bind(member_id)
            .bind(to.text())
            .bind(from.text())
            .fetch_optional(&mut *self.tx)
            .await?;
        if let Some(f) = overlap {
            return Ok(Some(Refusal::new(row, "from_month", format!("{}至{}与已登记的党费（自{f}起）重叠，不能重复登记", from.label(), to.label()))));
        }
        let p = domain::dues::DuesPayment { member_id, from, to, base, amount, paid_on, catch_up };
        crate::life::insert_dues(&mut *self.tx, &p, org_id).await?;
        self.counts.inserted += 1;
        Ok(None)
    }

    /// A training record keyed by member, date and topic.
    pub async fn training(&mut self, member_id: i64, org_id: i64, taken_on: Date, hours: f64, channel: TrainingChannel, topic: &str) -> Result<(), StoreError> {
        self.touched.insert(member_id);
        let r = sqlx::query("SELECT id, hours, channel FROM training_records WHERE member_id = $1 AND taken_on = $2 AND topic = $3")
            .bind(member_id)
            .bind(taken_on.to_string())
            .bind(topic)
            .fetch_optional(&mut *self.tx)
            .await?;
        match r {
            Some(r) if r.of("hours")?.map(|h| (h * 100.0).round()) == Some((hours * 100.0).round()) && r.s("channel")? == channel.code() => {
                self.counts.unchanged += 1
            }
            Some(r) => {
                sqlx::query("UPDATE training_records SET hours = $1, channel = $2 WHERE id = $3").bind(hours).bind(channel.code()).bind(r.i("id")?).execute(&mut *self.tx).await?;
                self.counts.updated += 1;
            }
            None => {
                sqlx::query("INSERT INTO training_records (member_id, org_id, taken_on, hours, channel, topic) VALUES ($1, $2, $3, $4, $5, $6)")
                    .bind(member_id)
                    .bind(org_id)
                    .bind(taken_on.to_string())
                    .bind(hours)
                    .bind(channel.code())
                    .bind(topic)
                    .execute(&mut *self.tx)
                    .await?;
                self.counts.inserted += 1;
            }
        }
        Ok(())
    }

    /// A committee post keyed by organisation, role, person and start date; a changed
    /// end date or member link is an update.
    pub async fn committee_post(&mut self, org_id: i64, role: CommitteeRole, person: &str, member_id: Option<i64>, start_on: Date, end_on: Option<Date>) -> Result<(), StoreError> {
        let r = sqlx::query("SELECT id, member_id, end_on FROM committee_posts WHERE org_id = $1 AND role = $2 AND person_name = $3 AND start_on = $4")
            .bind(org_id)
            .bind(role.code())
            .bind(person)
            .bind(start_on.to_string())
            .fetch_optional(&mut *self.tx)
            .await?;
        match r {
            Some(r) if r.oi("member_id")? == member_id && r.od("end_on")? == end_on => self.counts.unchanged += 1,
            Some(r) => {
                sqlx::query("UPDATE committee_posts SET member_id = $1, end_on = $2 WHERE id = $3")
                    .bind(member_id)
                    .bind(end_on.map(|d| d.to_string()))
                    .bind(r.i("id")?)
                    .execute(&mut *self.tx)
                    .await?;
                self.counts.updated += 1;
            }
            None => {
                sqlx::query("INSERT INTO committee_posts (org_id, role, member_id, person_name, start_on, end_on) VALUES ($1, $2, $3, $4, $5, $6)")
                    .bind(org_id)
                    .bind(role.code())
                    .bind(member_id)
                    .bind(person)
                    .bind(start_on.to_string())
                    .bind(end_on.map(|d| d.to_string()))
                    .execute(&mut *self.tx)
                    .await?;
                self.counts.inserted += 1;
            }
        }
        Ok(())
    }

    /// A meeting keyed by organisation, kind, date and topic, with its attendance
    /// (member id, present, absence reason). An existing meeting's details (summary, form,
    /// theme, host, recorder) may be updated; a different attendance list is refused
    /// (attendance is a record of the day and is never rewritten by an import).
    pub async fn meeting(&mut self, m: &domain::meeting::NewMeeting) -> Result<Option<String>, StoreError> {
        let existing = sqlx::query("SELECT id, summary, form, theme, host, recorder FROM meetings WHERE org_id = $1 AND kind = $2 AND held_on = $3 AND topic = $4")
            .bind(m.org_id)
            .bind(m.kind.code())
            .bind(m.held_on.to_string())
            .bind(m.topic.trim())
            .fetch_optional(&mut *self.tx)
            .await?;
        let mut wanted: Vec<(i64, bool, Option<String>)> =
            m.attendance.iter().map(|a| (a.member_id, a.present, a.absence_reason.clone().filter(|s| !s.trim().is_empty()))).collect();
        wanted.sort_by_key(|a| a.0);
        let id = match existing {
            Some(r) => {
                let id = r.i("id")?;
                let rows = sqlx::query("SELECT member_id, present, absence_reason FROM attendance WHERE meeting_id = $1 ORDER BY member_id")
                    .bind(id)
                    .fetch_all(&mut *self.tx)
                    .await?;
                let stored: Vec<(i64, bool, Option<String>)> =
                    rows.iter().map(|a| Ok((a.i("member_id")?, a.b("present")?, a.os("absence_reason")?))).collect::<Result<_, StoreError>>()?;
                if stored != wanted {
                    return Ok(Some(format!(
                        "这次会议已登记，登记的出席名单（出席{}人、缺席{}人）与文件不同；出席记录不能通过导入改写，如确需更正请在系统中办理",
                        stored.iter().filter(|a| a.1).count(),
                        stored.iter().filter(|a| !a.1).count()
                    )));
                }
                let same = r.os("summary")? == m.summary.clone().filter(|s| !s.trim().is_empty())
                    && r.s("form")? == m.form.code()
                    && r.os("theme")? == m.theme.map(|t| t.code().to_string())
                    && r.os("host")? == m.host.clone().filter(|s| !s.trim().is_empty())
                    && r.os("recorder")? == m.recorder.clone().filter(|s| !s.trim().is_empty());
                if same {
                    self.counts.unchanged += 1;
                    return Ok(None);
                }
                sqlx::query("UPDATE meetings SET summary = $1, form = $2, theme = $3, host = $4, recorder = $5 WHERE id = $6")
                    .bind(m.summary.clone().filter(|s| !s.trim().is_empty()))
                    .bind(m.form.code())
                    .bind(m.theme.map(|t| t.code()))
                    .bind(m.host.clone().filter(|s| !s.trim().is_empty()))
                    .bind(m.recorder.clone().filter(|s| !s.trim().is_empty()))
                    .bind(id)
                    .execute(&mut *self.tx)
                    .await?;
                // Form and content are in the 会议日历.
                self.meetings_touched.push(id);
                self.counts.updated += 1;
                return Ok(None);
            }
            None => {
                let r = sqlx::query(
                    "INSERT INTO meetings (org_id, kind, held_on, topic, summary, form, theme, host, recorder, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
                )
                .bind(m.org_id)
                .bind(m.kind.code())
                .bind(m.held_on.to_string())
                .bind(m.topic.trim())
                .bind(m.summary.clone().filter(|s| !s.trim().is_empty()))
                .bind(m.form.code())
                .bind(m.theme.map(|t| t.code()))
                .bind(m.host.clone().filter(|s| !s.trim().is_empty()))
                .bind(m.recorder.clone().filter(|s| !s.trim().is_empty()))
                .bind(crate::now_text())
                .fetch_one(&mut *self.tx)
                .await?;
                self.counts.inserted += 1;
                r.i("id")?
            }
        };
        if !wanted.is_empty() {
            self.touched.extend(wanted.iter().map(|w| w.0));
            self.meetings_touched.push(id);
            let cols = ["meeting_id", "member_id", "present", "absence_reason", "held_on"];
            let mut args = Vec::with_capacity(wanted.len() * cols.len());
            for (member, present, reason) in &wanted {
                args.extend([Arg::I(id), Arg::I(*member), Arg::I(*present as i64), Arg::OS(reason.clone()), m.held_on.into()]);
            }
            let sql = multi_insert_sql(self.backend, "attendance", &cols, wanted.len());
            bind_all(sqlx::query(&sql).persistent(false), &args).execute(&mut *self.tx).await?;
        }
        Ok(None)
    }
}
