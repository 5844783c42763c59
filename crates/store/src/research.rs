//! Qualitative research (访谈、案例、文献): interviews with interviewees, attachments
//! and coded passages, the lexicon's edits, cases, documents, and the passage search
//! index (SQLite FTS5 / PostgreSQL GIN over segmented terms). The caller segments the
//! text (crate `segment`); the store writes an item and its index in one transaction.

use crate::query::Sql;
use crate::rows::RowExt;
use crate::{Backend, Scope, Store, StoreError};
use domain::org::{OrgLevel, Sector};
use domain::research::{CaseInput, CaseKind, DocumentInput, DocumentKind, IntervieweeRole, InterviewInput};
use domain::Date;
use sqlx::any::AnyRow;
use sqlx::{Any, Transaction};

/// One passage of an item as indexed for search.
#[derive(Debug, Clone)]
pub struct SearchPassage {
    pub part: i64,
    pub title: String,
    pub body: String,
    /// Segmented terms, space-separated (segment::index_terms).
    pub terms: String,
}

/// A file checked by the caller (domain::research::sniff_attachment).
pub struct NewAttachment {
    pub file_name: String,
    pub media_type: String,
    pub bytes: Vec<u8>,
}

#[derive(Debug, Clone)]
pub struct AttachmentRow {
    pub id: i64,
    pub owner_kind: String,
    pub owner_id: i64,
    pub file_name: String,
    pub media_type: String,
    pub size: i64,
    pub sha256: String,
    pub created_at: String,
}

#[derive(Debug, Clone)]
pub struct InterviewRow {
    pub id: i64,
    pub org_id: i64,
    pub org_code: String,
    pub org_name: String,
    pub level: OrgLevel,
    pub sector: Sector,
    pub held_on: Date,
    pub place: String,
    pub interviewers: String,
    pub notes: String,
    pub created_at: String,
    pub updated_at: String,
    /// e.g. 党组织负责人1人、普通党员2人
    pub people: Vec<(IntervieweeRole, String, String)>,
}

#[derive(Debug, Clone)]
pub struct CodingRow {
    pub id: i64,
    pub interview_id: i64,
    pub passage: i64,
    pub excerpt: String,
    pub category: String,
    pub quote: bool,
    pub status: String,
    pub origin: String,
    pub created_at: String,
}

pub struct NewCoding<'a> {
    pub interview_id: i64,
    pub passage: i64,
    pub excerpt: &'a str,
    pub category: &'a str,
    pub quote: bool,
    /// accepted | rejected
    pub status: &'a str,
    /// manual | suggested
    pub origin: &'a str,
}

/// An accepted code with where its passage was said.
#[derive(Debug, Clone)]
pub struct CodedPassage {
    pub coding: CodingRow,
    pub org_name: String,
    pub sector: Sector,
    pub held_on: Date,
}

/// Per category: accepted passages, interviews they come from, quotes among them.
#[derive(Debug, Clone)]
pub struct CodingCount {
    pub category: String,
    pub passages: i64,
    pub interviews: i64,
    pub quotes: i64,
}

/// 选取了 xx 个具有代表性的基层单位: interviews, distinct units by sector, people by role.
#[derive(Debug, Clone, Default)]
pub struct InterviewCounts {
    pub interviews: i64,
    pub units: i64,
    pub units_by_sector: Vec<(Sector, i64)>,
    pub people: i64,
    pub people_by_role: Vec<(IntervieweeRole, i64)>,
}

#[derive(Debug, Clone)]
pub struct LexiconChange {
    pub keyword: String,
    pub category: String,
    pub weight: f64,
    /// add | remove
    pub action: String,
    pub created_at: String,
}

#[derive(Debug, Clone)]
pub struct CaseRow {
    pub id: i64,
    pub org_id: i64,
    pub org_name: String,
    pub sector: Sector,
    pub title: String,
    pub kind: CaseKind,
    pub period: String,
    pub background: String,
    pub actions: String,
    pub result: String,
    pub lessons: String,
    pub sources: String,
    pub categories: Vec<String>,
    pub created_at: String,
}

#[derive(Debug, Clone)]
pub struct DocumentRow {
    pub id: i64,
    pub title: String,
    pub kind: DocumentKind,
    pub issuer: String,
    pub doc_number: String,
    pub issued_on: Option<Date>,
    pub url: String,
    pub summary: String,
    /// (text, rules-file entry)
    pub requirements: Vec<(String, Option<String>)>,
    pub created_at: String,
}

/// A passage that matched a search.
#[derive(Debug, Clone)]
pub struct SearchRow {
    pub kind: String,
    pub item_id: i64,
    pub part: i64,
    pub title: String,
    pub body: String,
}

const INTERVIEW_SELECT: &str = "SELECT i.id, i.org_id, o.code, o.name, o.level, o.sector, i.held_on, i.place, i.interviewers, i.notes, i.created_at, i.updated_at \
     FROM interviews i JOIN orgs o ON o.id = i.org_id";
const CODING_COLS: &str = "c.id, c.interview_id, c.passage, c.excerpt, c.category, c.quote, c.status, c.origin, c.created_at";
const CASE_SELECT: &str = "SELECT k.id, k.org_id, o.name, o.sector, k.title, k.kind, k.period, k.background, k.actions, k.result, k.lessons, k.sources, k.created_at \
     FROM cases k JOIN orgs o ON o.id = k.org_id";

fn interview_from(r: &AnyRow) -> Result<InterviewRow, StoreError> {
    Ok(InterviewRow {
        id: r.i("id")?,
        org_id: r.i("org_id")?,
        org_code: r.s("code")?,
        org_name: r.s("name")?,
        level: r.e("level")?,
        sector: r.e("sector")?,
        held_on: r.d("held_on")?,
        place: r.s("place")?,
        interviewers: r.s("interviewers")?,
        notes: r.s("notes")?,
        created_at: r.s("created_at")?,
        updated_at: r.s("updated_at")?,
        people: Vec::new(),
    })
}

fn coding_from(r: &AnyRow) -> Result<CodingRow, StoreError> {
    Ok(CodingRow {
        id: r.i("id")?,
        interview_id: r.i("interview_id")?,
        passage: r.i("passage")?,
        excerpt: r.s("excerpt")?,
        category: r.s("category")?,
        quote: r.b("quote")?,
        status: r.s("status")?,
        origin: r.s("origin")?,
        created_at: r.s("created_at")?,
    })
}

fn case_from(r: &AnyRow) -> Result<CaseRow, StoreError> {
    Ok(CaseRow {
        id: r.i("id")?,
        org_id: r.i("org_id")?,
        org_name: r.s("name")?,
        sector: r.e("sector")?,
        title: r.s("title")?,
        kind: r.e("kind")?,
        period: r.s("period")?,
        background: r.s("background")?,
        actions: r.s("actions")?,
        result: r.s("result")?,
        lessons: r.s("lessons")?,
        sources: r.s("sources")?,
        categories: Vec::new(),
        created_at: r.s("created_at")?,
    })
}

fn attachment_from(r: &AnyRow) -> Result<AttachmentRow, StoreError> {
    Ok(AttachmentRow {
        id: r.i("id")?,
        owner_kind: r.s("owner_kind")?,
        owner_id: r.i("owner_id")?,
        file_name: r.s("file_name")?,
        media_type: r.s("media_type")?,
        size: r.i("size")?,
        sha256: r.s("sha256")?,
        created_at: r.s("created_at")?,
    })
}

fn sha256_hex(b: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(b).iter().map(|x| format!("{x:02x}")).collect()
}

/// Replaces an item's passages in the search index (a derived table: rows are rebuilt).
async fn reindex(tx: &mut Transaction<'_, Any>, kind: &str, item_id: i64, org_id: Option<i64>, index: &[SearchPassage]) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM search_passages WHERE kind = $1 AND item_id = $2").bind(kind).bind(item_id).execute(&mut **tx).await?;
    for p in index {
        sqlx::query("INSERT INTO search_passages (kind, item_id, part, org_id, title, body, terms) VALUES ($1, $2, $3, $4, $5, $6, $7)")
            .bind(kind)
            .bind(item_id)
            .bind(p.part)
            .bind(org_id)
            .bind(&p.title)
            .bind(&p.body)
            .bind(&p.terms)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// Stores files sealed (their size and digest are of the clear content).
async fn insert_attachments(tx: &mut Transaction<'_, Any>, vault: &vault::Keyring, kind: &str, owner: i64, files: &[NewAttachment], user: Option<i64>) -> Result<(), StoreError> {
    for f in files {
        sqlx::query("INSERT INTO attachments (owner_kind, owner_id, file_name, media_type, size, sha256, content, created_by, created_at, sealed) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 1)")
            .bind(kind)
            .bind(owner)
            .bind(&f.file_name)
            .bind(&f.media_type)
            .bind(f.bytes.len() as i64)
            .bind(sha256_hex(&f.bytes))
            .bind(vault.seal_bytes(&f.bytes))
            .bind(user)
            .bind(crate::now_text())
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

async fn insert_people(tx: &mut Transaction<'_, Any>, id: i64, i: &InterviewInput) -> Result<(), StoreError> {
    for p in &i.interviewees {
        sqlx::query("INSERT INTO interviewees (interview_id, role, name, position) VALUES ($1, $2, $3, $4)")
            .bind(id)
            .bind(domain::Labelled::code(p.role))
            .bind(&p.name)
            .bind(&p.position)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

impl Store {
    /// Stores an interview at a unit in scope with its interviewees, attachments and
    /// search passages, all or nothing.
    pub async fn insert_interview(&self, scope: &Scope, i: &InterviewInput, files: &[NewAttachment], index: &[SearchPassage], user: Option<i64>) -> Result<i64, StoreError> {
        self.org(scope, i.org_id).await.map_err(|_| StoreError::invalid("org_id", "访谈单位不存在或不在您的权限范围内"))?;
        let now = crate::now_text();
        let mut tx = self.pool.begin().await?;
        let id: i64 = sqlx::query_scalar("INSERT INTO interviews (org_id, held_on, place, interviewers, notes, created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id")
            .bind(i.org_id)
            .bind(i.held_on.to_string())
            .bind(&i.place)
            .bind(&i.interviewers)
            .bind(&i.notes)
            .bind(user)
            .bind(&now)
            .fetch_one(&mut *tx)
            .await?;
        insert_people(&mut tx, id, i).await?;
        insert_attachments(&mut tx, self.vault(), "interview", id, files, user).await?;
        reindex(&mut tx, "interview", id, Some(i.org_id), index).await?;
        crate::audit::log(&mut tx, scope.actor(), "insert", Some(("interviews", id)), serde_json::json!({"单位": i.org_id, "日期": i.held_on.to_string(), "地点": i.place, "附件": files.len()})).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Replaces an interview's fields, interviewees and index; `anchors` moves each code
    /// to its passage in the new notes (-1: passage gone, excerpt kept).
    pub async fn update_interview(&self, scope: &Scope, id: i64, i: &InterviewInput, index: &[SearchPassage], anchors: &[(i64, i64)]) -> Result<(), StoreError> {
        let was = self.interview(scope, id).await?;
        self.org(scope, i.org_id).await.map_err(|_| StoreError::invalid("org_id", "访谈单位不存在或不在您的权限范围内"))?;
        let mut tx = self.pool.begin().await?;
        sqlx::query("UPDATE interviews SET org_id = $1, held_on = $2, place = $3, interviewers = $4, notes = $5, updated_at = $6 WHERE id = $7")
            .bind(i.org_id)
            .bind(i.held_on.to_string())
            .bind(&i.place)
            .bind(&i.interviewers)
            .bind(&i.notes)
            .bind(crate::now_text())
            .bind(id)
            .execute(&mut *tx)
            .await?;
        // Interviewees are part of the record as entered: the form lists them all again.
        sqlx::query("DELETE FROM interviewees WHERE interview_id = $1").bind(id).execute(&mut *tx).await?;
        insert_people(&mut tx, id, i).await?;
        for (coding, passage) in anchors {
            sqlx::query("UPDATE codings SET passage = $1 WHERE id = $2 AND interview_id = $3").bind(*passage).bind(*coding).bind(id).execute(&mut *tx).await?;
        }
        reindex(&mut tx, "interview", id, Some(i.org_id), index).await?;
        let changed = crate::audit::changes([
            ("单位", Some(was.org_id.to_string()), Some(i.org_id.to_string())),
            ("日期", Some(was.held_on.to_string()), Some(i.held_on.to_string())),
            ("地点", Some(was.place), Some(i.place.clone())),
            ("访谈人", Some(was.interviewers), Some(i.interviewers.clone())),
            ("记录", Some(was.notes), Some(i.notes.clone())),
        ]);
        crate::audit::log(&mut tx, scope.actor(), "update", Some(("interviews", id)), changed).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Interviews at units in scope, newest first, with their interviewees.
    pub async fn interviews(&self, scope: &Scope) -> Result<Vec<InterviewRow>, StoreError> {
        let mut q = Sql::new(&format!("{INTERVIEW_SELECT} WHERE 1 = 1"));
        scope.orgs(&mut q, "o");
        q.push(" ORDER BY i.held_on DESC, i.id DESC");
        let mut out: Vec<InterviewRow> = q.query().fetch_all(&self.pool).await?.iter().map(interview_from).collect::<Result<_, _>>()?;
        let mut q = Sql::new("SELECT p.interview_id, p.role, p.name, p.position FROM interviewees p JOIN interviews i ON i.id = p.interview_id JOIN orgs o ON o.id = i.org_id WHERE 1 = 1");
        scope.orgs(&mut q, "o");
        q.push(" ORDER BY p.id");
        let mut by_id: std::collections::HashMap<i64, usize> = out.iter().enumerate().map(|(n, r)| (r.id, n)).collect();
        for r in q.query().fetch_all(&self.pool).await? {
            if let Some(n) = by_id.get_mut(&r.i("interview_id")?) {
                out[*n].people.push((r.e("role")?, r.s("name")?, r.s("position")?));
            }
        }
        Ok(out)
    }

    pub async fn interview(&self, scope: &Scope, id: i64) -> Result<InterviewRow, StoreError> {
        let mut q = Sql::new(&format!("{INTERVIEW_SELECT} WHERE i.id = "));
        q.arg(id);
        scope.orgs(&mut q, "o");
        let mut row = q.query().fetch_optional(&self.pool).await?.as_ref().map(interview_from).transpose()?.ok_or(StoreError::NotFound { what: "访谈记录" })?;
        for r in sqlx::query("SELECT role, name, position FROM interviewees WHERE interview_id = $1 ORDER BY id").bind(id).fetch_all(&self.pool).await? {
            row.people.push((r.e("role")?, r.s("name")?, r.s("position")?));
        }
        Ok(row)
    }

    /// How many interviews, units (by sector) and people (by role) in scope.
    pub async fn interview_counts(&self, scope: &Scope) -> Result<InterviewCounts, StoreError> {
        let mut c = InterviewCounts::default();
        let mut q = Sql::new("SELECT o.sector, COUNT(DISTINCT i.org_id) AS units, COUNT(*) AS n FROM interviews i JOIN orgs o ON o.id = i.org_id WHERE 1 = 1");
        scope.orgs(&mut q, "o");
        q.push(" GROUP BY o.sector ORDER BY o.sector");
        for r in q.query().fetch_all(&self.pool).await? {
            let (units, n) = (r.i("units")?, r.i("n")?);
            c.units += units;
            c.interviews += n;
            c.units_by_sector.push((r.e("sector")?, units));
        }
        c.units_by_sector.sort_by_key(|(s, _)| <Sector as domain::Labelled>::ALL.iter().position(|x| x == s));
        let mut q = Sql::new("SELECT p.role, COUNT(*) AS n FROM interviewees p JOIN interviews i ON i.id = p.interview_id JOIN orgs o ON o.id = i.org_id WHERE 1 = 1");
        scope.orgs(&mut q, "o");
        q.push(" GROUP BY p.role");
        for r in q.query().fetch_all(&self.pool).await? {
            let n = r.i("n")?;
            c.people += n;
            c.people_by_role.push((r.e("role")?, n));
        }
        c.people_by_role.sort_by_key(|(r, _)| *r);
        Ok(c)
    }

    /// Adds files to an interview or case in scope, or to a document.
    pub async fn add_attachments(&self, scope: &Scope, kind: &str, owner: i64, files: &[NewAttachment], user: Option<i64>) -> Result<(), StoreError> {
        self.owner_in_scope(scope, kind, owner).await?;
        if kind == "meeting" {
            // A meeting's photos and minutes are added by those who keep its organisation's
            // records, not by everyone who may read it.
            let m = self.meeting(scope, owner).await?;
            if scope.own_member().is_some() {
                return Err(StoreError::NotFound { what: "会议记录" });
            }
            self.org(scope, m.meeting.org_id).await.map_err(|_| StoreError::NotFound { what: "会议记录" })?;
        }
        let mut tx = self.pool.begin().await?;
        insert_attachments(&mut tx, self.vault(), kind, owner, files, user).await?;
        let names: Vec<&str> = files.iter().map(|f| f.file_name.as_str()).collect();
        crate::audit::log(&mut tx, scope.actor(), "insert", Some(("attachments", owner)), serde_json::json!({"所属": kind, "文件": names})).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn owner_in_scope(&self, scope: &Scope, kind: &str, owner: i64) -> Result<(), StoreError> {
        match kind {
            "interview" => self.interview(scope, owner).await.map(|_| ()),
            "case" => self.case(scope, owner).await.map(|_| ()),
            "document" => self.document(owner).await.map(|_| ()),
            // 会议照片、记录: whoever may read the meeting.
            "meeting" => self.meeting(scope, owner).await.map(|_| ()),
            _ => Err(StoreError::NotFound { what: "附件" }),
        }
    }

    pub async fn attachments(&self, scope: &Scope, kind: &str, owner: i64) -> Result<Vec<AttachmentRow>, StoreError> {
        self.owner_in_scope(scope, kind, owner).await?;
        let rows = sqlx::query("SELECT id, owner_kind, owner_id, file_name, media_type, size, sha256, created_at FROM attachments WHERE owner_kind = $1 AND owner_id = $2 ORDER BY id")
            .bind(kind)
            .bind(owner)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(attachment_from).collect()
    }

    /// An attachment and its bytes, if its owner is in scope.
    pub async fn attachment(&self, scope: &Scope, id: i64) -> Result<(AttachmentRow, Vec<u8>), StoreError> {
        let r = sqlx::query("SELECT id, owner_kind, owner_id, file_name, media_type, size, sha256, created_at, content FROM attachments WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound { what: "附件" })?;
        let a = attachment_from(&r)?;
        self.owner_in_scope(scope, &a.owner_kind, a.owner_id).await.map_err(|_| StoreError::NotFound { what: "附件" })?;
        let sealed: Vec<u8> = sqlx::Row::try_get(&r, "content").map_err(|e| StoreError::Corrupt(format!("content: {e}")))?;
        Ok((a, self.vault().open_bytes(&sealed)?))
    }

    /// Codes of an interview in scope (all statuses), in passage order.
    pub async fn codings(&self, scope: &Scope, interview_id: i64) -> Result<Vec<CodingRow>, StoreError> {
        self.interview(scope, interview_id).await?;
        let rows = sqlx::query(&format!("SELECT {CODING_COLS} FROM codings c WHERE c.interview_id = $1 ORDER BY c.passage, c.id")).bind(interview_id).fetch_all(&self.pool).await?;
        rows.iter().map(coding_from).collect()
    }

    pub async fn insert_coding(&self, scope: &Scope, c: &NewCoding<'_>, user: Option<i64>) -> Result<i64, StoreError> {
        self.interview(scope, c.interview_id).await?;
        if c.excerpt.trim().is_empty() {
            return Err(StoreError::invalid("excerpt", "编码的文字不能为空"));
        }
        let id: i64 = sqlx::query_scalar("INSERT INTO codings (interview_id, passage, excerpt, category, quote, status, origin, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id")
            .bind(c.interview_id)
            .bind(c.passage)
            .bind(c.excerpt.trim())
            .bind(c.category)
            .bind(c.quote as i64)
            .bind(c.status)
            .bind(c.origin)
            .bind(user)
            .bind(crate::now_text())
            .fetch_one(&self.pool)
            .await?;
        self.audit_write(scope, "insert", ("codings", id), serde_json::json!({"访谈": c.interview_id, "类目": c.category, "状态": c.status})).await?;
        Ok(id)
    }

    /// Marks a code removed (kept, not deleted) or flips its quote mark.
    pub async fn update_coding(&self, scope: &Scope, interview_id: i64, coding_id: i64, status: Option<&str>, quote: Option<bool>) -> Result<(), StoreError> {
        self.interview(scope, interview_id).await?;
        let n = sqlx::query("UPDATE codings SET status = COALESCE($1, status), quote = COALESCE($2, quote) WHERE id = $3 AND interview_id = $4")
            .bind(status)
            .bind(quote.map(|q| q as i64))
            .bind(coding_id)
            .bind(interview_id)
            .execute(&self.pool)
            .await?
            .rows_affected();
        if n == 0 {
            return Err(StoreError::NotFound { what: "编码" });
        }
        self.audit_write(scope, "update", ("codings", coding_id), serde_json::json!({"状态": status, "引用": quote})).await
    }

    /// Accepted codes in scope (of one category, or all), with their interview's unit.
    pub async fn coded_passages(&self, scope: &Scope, category: Option<&str>) -> Result<Vec<CodedPassage>, StoreError> {
        let mut q = Sql::new(&format!("SELECT {CODING_COLS}, o.name AS org_name, o.sector, i.held_on FROM codings c JOIN interviews i ON i.id = c.interview_id JOIN orgs o ON o.id = i.org_id WHERE c.status = 'accepted'"));
        if let Some(cat) = category {
            q.push(" AND c.category = ").arg(cat);
        }
        scope.orgs(&mut q, "o");
        q.push(" ORDER BY c.category, i.held_on DESC, c.interview_id, c.passage, c.id");
        let mut out = Vec::new();
        for r in q.query().fetch_all(&self.pool).await? {
            out.push(CodedPassage { coding: coding_from(&r)?, org_name: r.s("org_name")?, sector: r.e("sector")?, held_on: r.d("held_on")? });
        }
        Ok(out)
    }

    pub async fn coding_counts(&self, scope: &Scope) -> Result<Vec<CodingCount>, StoreError> {
        let mut q = Sql::new("SELECT c.category, COUNT(*) AS n, COUNT(DISTINCT c.interview_id) AS k, SUM(c.quote) AS qn FROM codings c JOIN interviews i ON i.id = c.interview_id JOIN orgs o ON o.id = i.org_id WHERE c.status = 'accepted'");
        scope.orgs(&mut q, "o");
        q.push(" GROUP BY c.category ORDER BY c.category");
        let mut out = Vec::new();
        for r in q.query().fetch_all(&self.pool).await? {
            out.push(CodingCount { category: r.s("category")?, passages: r.i("n")?, interviews: r.i("k")?, quotes: r.oi("qn")?.unwrap_or(0) });
        }
        Ok(out)
    }

    /// The lexicon's edits in the order they were made.
    pub async fn lexicon_changes(&self) -> Result<Vec<LexiconChange>, StoreError> {
        let rows = sqlx::query("SELECT keyword, category, weight, action, created_at FROM lexicon_changes ORDER BY id").fetch_all(&self.pool).await?;
        rows.iter()
            .map(|r| Ok(LexiconChange { keyword: r.s("keyword")?, category: r.s("category")?, weight: r.of("weight")?.unwrap_or(1.0), action: r.s("action")?, created_at: r.s("created_at")? }))
            .collect()
    }

    pub async fn insert_lexicon_change(&self, keyword: &str, category: &str, weight: f64, action: &str, user: Option<i64>) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO lexicon_changes (keyword, category, weight, action, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(keyword)
            .bind(category)
            .bind(weight)
            .bind(action)
            .bind(user)
            .bind(crate::now_text())
            .execute(&self.pool)
            .await?;
        let mut conn = self.pool.acquire().await?;
        self.audit_by_user(&mut conn, user, "insert", ("lexicon", 0), serde_json::json!({"词": keyword, "类目": category, "权重": weight, "操作": action})).await
    }

    pub async fn insert_case(&self, scope: &Scope, c: &CaseInput, files: &[NewAttachment], index: &[SearchPassage], user: Option<i64>) -> Result<i64, StoreError> {
        self.org(scope, c.org_id).await.map_err(|_| StoreError::invalid("org_id", "案例所在单位不存在或不在您的权限范围内"))?;
        let now = crate::now_text();
        let mut tx = self.pool.begin().await?;
        let id: i64 = sqlx::query_scalar("INSERT INTO cases (org_id, title, kind, period, background, actions, result, lessons, sources, created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) RETURNING id")
            .bind(c.org_id)
            .bind(&c.title)
            .bind(domain::Labelled::code(c.kind))
            .bind(&c.period)
            .bind(&c.background)
            .bind(&c.actions)
            .bind(&c.result)
            .bind(&c.lessons)
            .bind(&c.sources)
            .bind(user)
            .bind(&now)
            .fetch_one(&mut *tx)
            .await?;
        for cat in &c.categories {
            sqlx::query("INSERT INTO case_categories (case_id, category) VALUES ($1, $2)").bind(id).bind(cat).execute(&mut *tx).await?;
        }
        insert_attachments(&mut tx, self.vault(), "case", id, files, user).await?;
        reindex(&mut tx, "case", id, Some(c.org_id), index).await?;
        crate::audit::log(&mut tx, scope.actor(), "insert", Some(("cases", id)), serde_json::json!({"单位": c.org_id, "标题": c.title, "附件": files.len()})).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Cases at units in scope, newest first, with their categories.
    pub async fn cases(&self, scope: &Scope) -> Result<Vec<CaseRow>, StoreError> {
        let mut q = Sql::new(&format!("{CASE_SELECT} WHERE 1 = 1"));
        scope.orgs(&mut q, "o");
        q.push(" ORDER BY k.id DESC");
        let mut out: Vec<CaseRow> = q.query().fetch_all(&self.pool).await?.iter().map(case_from).collect::<Result<_, _>>()?;
        let mut q = Sql::new("SELECT cc.case_id, cc.category FROM case_categories cc JOIN cases k ON k.id = cc.case_id JOIN orgs o ON o.id = k.org_id WHERE 1 = 1");
        scope.orgs(&mut q, "o");
        q.push(" ORDER BY cc.case_id, cc.category");
        let by_id: std::collections::HashMap<i64, usize> = out.iter().enumerate().map(|(n, r)| (r.id, n)).collect();
        for r in q.query().fetch_all(&self.pool).await? {
            if let Some(n) = by_id.get(&r.i("case_id")?) {
                out[*n].categories.push(r.s("category")?);
            }
        }
        Ok(out)
    }

    pub async fn case(&self, scope: &Scope, id: i64) -> Result<CaseRow, StoreError> {
        let mut q = Sql::new(&format!("{CASE_SELECT} WHERE k.id = "));
        q.arg(id);
        scope.orgs(&mut q, "o");
        let mut c = q.query().fetch_optional(&self.pool).await?.as_ref().map(case_from).transpose()?.ok_or(StoreError::NotFound { what: "案例" })?;
        c.categories = sqlx::query_scalar("SELECT category FROM case_categories WHERE case_id = $1 ORDER BY category").bind(id).fetch_all(&self.pool).await?;
        Ok(c)
    }

    pub async fn insert_document(&self, d: &DocumentInput, files: &[NewAttachment], index: &[SearchPassage], user: Option<i64>) -> Result<i64, StoreError> {
        let mut tx = self.pool.begin().await?;
        let id: i64 = sqlx::query_scalar("INSERT INTO documents (title, kind, issuer, doc_number, issued_on, url, summary, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id")
            .bind(&d.title)
            .bind(domain::Labelled::code(d.kind))
            .bind(&d.issuer)
            .bind(&d.doc_number)
            .bind(d.issued_on.map(|x| x.to_string()))
            .bind(&d.url)
            .bind(&d.summary)
            .bind(user)
            .bind(crate::now_text())
            .fetch_one(&mut *tx)
            .await?;
        for r in &d.requirements {
            sqlx::query("INSERT INTO document_requirements (document_id, text, rule_key) VALUES ($1, $2, $3)").bind(id).bind(&r.text).bind(r.rule_key.as_deref()).execute(&mut *tx).await?;
        }
        insert_attachments(&mut tx, self.vault(), "document", id, files, user).await?;
        reindex(&mut tx, "document", id, None, index).await?;
        self.audit_by_user(&mut tx, user, "insert", ("documents", id), serde_json::json!({"标题": d.title, "附件": files.len()})).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Every document (literature is public to staff), newest issue first.
    pub async fn documents(&self) -> Result<Vec<DocumentRow>, StoreError> {
        let rows = sqlx::query("SELECT * FROM documents ORDER BY issued_on DESC, id DESC").fetch_all(&self.pool).await?;
        let mut out: Vec<DocumentRow> = rows.iter().map(document_from).collect::<Result<_, _>>()?;
        let by_id: std::collections::HashMap<i64, usize> = out.iter().enumerate().map(|(n, r)| (r.id, n)).collect();
        for r in sqlx::query("SELECT document_id, text, rule_key FROM document_requirements ORDER BY id").fetch_all(&self.pool).await? {
            if let Some(n) = by_id.get(&r.i("document_id")?) {
                out[*n].requirements.push((r.s("text")?, r.os("rule_key")?));
            }
        }
        Ok(out)
    }

    pub async fn document(&self, id: i64) -> Result<DocumentRow, StoreError> {
        let r = sqlx::query("SELECT * FROM documents WHERE id = $1").bind(id).fetch_optional(&self.pool).await?.ok_or(StoreError::NotFound { what: "文献" })?;
        let mut d = document_from(&r)?;
        for r in sqlx::query("SELECT text, rule_key FROM document_requirements WHERE document_id = $1 ORDER BY id").bind(id).fetch_all(&self.pool).await? {
            d.requirements.push((r.s("text")?, r.os("rule_key")?));
        }
        Ok(d)
    }

    /// Passages holding every term, within scope (literature is visible to all staff),
    /// at most `limit`, best first on SQLite (bm25), newest first on PostgreSQL.
    pub async fn search_passages(&self, scope: &Scope, terms: &[String], limit: i64) -> Result<Vec<SearchRow>, StoreError> {
        if terms.is_empty() {
            return Ok(Vec::new());
        }
        let mut q = match self.backend {
            Backend::Sqlite => {
                let expr: Vec<String> = terms.iter().map(|t| format!("\"{}\"", t.replace('"', "\"\""))).collect();
                let mut q = Sql::new("SELECT p.kind, p.item_id, p.part, p.title, p.body FROM search_fts f JOIN search_passages p ON p.id = f.rowid LEFT JOIN orgs o ON o.id = p.org_id WHERE search_fts MATCH ");
                q.arg(expr.join(" AND "));
                q
            }
            Backend::Postgres => {
                let mut q = Sql::new("SELECT p.kind, p.item_id, p.part, p.title, p.body FROM search_passages p LEFT JOIN orgs o ON o.id = p.org_id WHERE string_to_array(p.terms, ' ') @> string_to_array(");
                q.arg(terms.join(" ")).push(", ' ')");
                q
            }
        };
        q.push(" AND (p.org_id IS NULL OR (1 = 1");
        scope.orgs(&mut q, "o");
        q.push("))");
        q.push(if self.backend == Backend::Sqlite { " ORDER BY bm25(search_fts) LIMIT " } else { " ORDER BY p.id DESC LIMIT " });
        q.arg(limit);
        let mut out = Vec::new();
        for r in q.query().fetch_all(&self.pool).await? {
            out.push(SearchRow { kind: r.s("kind")?, item_id: r.i("item_id")?, part: r.i("part")?, title: r.s("title")?, body: r.s("body")? });
        }
        Ok(out)
    }
}

fn document_from(r: &AnyRow) -> Result<DocumentRow, StoreError> {
    Ok(DocumentRow {
        id: r.i("id")?,
        title: r.s("title")?,
        kind: r.e("kind")?,
        issuer: r.s("issuer")?,
        doc_number: r.s("doc_number")?,
        issued_on: r.od("issued_on")?,
        url: r.s("url")?,
        summary: r.s("summary")?,
        requirements: Vec::new(),
        created_at: r.s("created_at")?,
    })
}

/// One passage coded to one category, by the first (report) or the second (review) coder.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
pub struct PassageCode {
    pub interview_id: i64,
    pub passage: i64,
    pub category: String,
}

impl Store {
    /// Adds a second coder's code (复核编码) to a passage of an interview in scope; the same
    /// code twice is one.
    pub async fn add_review_coding(&self, scope: &Scope, interview_id: i64, passage: i64, category: &str, coder: &str, user: Option<i64>) -> Result<(), StoreError> {
        self.interview(scope, interview_id).await?;
        let mut tx = self.pool.begin().await?;
        let n = sqlx::query("INSERT INTO review_codings (interview_id, passage, category, coder, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING")
            .bind(interview_id)
            .bind(passage)
            .bind(category)
            .bind(coder)
            .bind(user)
            .bind(crate::now_text())
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if n == 1 {
            crate::audit::log(&mut tx, scope.actor(), "insert", Some(("review_codings", interview_id)), serde_json::json!({"段落": passage, "类别": category})).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Removes a second coder's code.
    pub async fn remove_review_coding(&self, scope: &Scope, interview_id: i64, passage: i64, category: &str) -> Result<(), StoreError> {
        self.interview(scope, interview_id).await?;
        let mut tx = self.pool.begin().await?;
        sqlx::query("DELETE FROM review_codings WHERE interview_id = $1 AND passage = $2 AND category = $3").bind(interview_id).bind(passage).bind(category).execute(&mut *tx).await?;
        crate::audit::log(&mut tx, scope.actor(), "delete", Some(("review_codings", interview_id)), serde_json::json!({"段落": passage, "类别": category})).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The second coder's codes of an interview in scope.
    pub async fn review_codings(&self, scope: &Scope, interview_id: i64) -> Result<Vec<PassageCode>, StoreError> {
        self.interview(scope, interview_id).await?;
        let rows = sqlx::query("SELECT interview_id, passage, category FROM review_codings WHERE interview_id = $1 ORDER BY passage, category").bind(interview_id).fetch_all(&self.pool).await?;
        rows.iter().map(|r| Ok(PassageCode { interview_id: r.i("interview_id")?, passage: r.i("passage")?, category: r.s("category")? })).collect()
    }

    /// For agreement: the interviews in scope that a second coder coded, with their notes;
    /// the first coder's accepted codes and the second coder's codes of those interviews.
    pub async fn double_coded(&self, scope: &Scope) -> Result<(Vec<(i64, String, String)>, Vec<PassageCode>, Vec<PassageCode>), StoreError> {
        let mut q = Sql::new("SELECT i.id, i.notes, o.name FROM interviews i JOIN orgs o ON o.id = i.org_id WHERE EXISTS (SELECT 1 FROM review_codings r WHERE r.interview_id = i.id)");
        scope.orgs(&mut q, "o");
        q.push(" ORDER BY i.id");
        let interviews: Vec<(i64, String, String)> = q.query().fetch_all(&self.pool).await?.iter().map(|r| Ok((r.i("id")?, r.s("notes")?, r.s("name")?))).collect::<Result<_, StoreError>>()?;
        let (mut first, mut second) = (Vec::new(), Vec::new());
        for (id, _, _) in &interviews {
            for r in sqlx::query("SELECT DISTINCT passage, category FROM codings WHERE interview_id = $1 AND status = 'accepted'").bind(id).fetch_all(&self.pool).await? {
                first.push(PassageCode { interview_id: *id, passage: r.i("passage")?, category: r.s("category")? });
            }
            for r in sqlx::query("SELECT passage, category FROM review_codings WHERE interview_id = $1").bind(id).fetch_all(&self.pool).await? {
                second.push(PassageCode { interview_id: *id, passage: r.i("passage")?, category: r.s("category")? });
            }
        }
        Ok((interviews, first, second))
    }
}
