//! Saved reports (调研报告记录): what the researcher chose for a report, kept so that it
//! can be written again and its method section can state the choices.

use crate::query::Sql;
use crate::rows::RowExt;
use crate::{Scope, Store, StoreError};
use domain::Date;

/// A report as saved: its organisation, year, cut-off and the choices as JSON.
#[derive(Debug, Clone)]
pub struct SavedReport {
    pub id: i64,
    pub org_id: i64,
    pub org_name: String,
    pub year: i32,
    pub as_of: Date,
    /// The report crate's `Choices`, as JSON.
    pub choices: String,
    pub title: String,
    pub created_by: String,
    pub created_at: String,
}

const SELECT: &str = "SELECT r.id, r.org_id, o.name AS org_name, r.year, r.as_of, r.choices, r.title, r.created_by, r.created_at FROM saved_reports r JOIN orgs o ON o.id = r.org_id";

fn from_row(r: &sqlx::any::AnyRow) -> Result<SavedReport, StoreError> {
    Ok(SavedReport {
        id: r.i("id")?,
        org_id: r.i("org_id")?,
        org_name: r.s("org_name")?,
        year: r.i("year")? as i32,
        as_of: r.d("as_of")?,
        choices: r.s("choices")?,
        title: r.s("title")?,
        created_by: r.s("created_by")?,
        created_at: r.s("created_at")?,
    })
}

impl Store {
    /// Saves a report's choices for an organisation in scope; returns its number.
    pub async fn save_report(&self, scope: &Scope, org: i64, year: i32, as_of: Date, choices: &str, title: &str, created_by: &str) -> Result<i64, StoreError> {
        self.org(scope, org).await?;
        let id: i64 = sqlx::query_scalar("INSERT INTO saved_reports (org_id, year, as_of, choices, title, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id")
            .bind(org)
            .bind(year as i64)
            .bind(as_of.to_string())
            .bind(choices)
            .bind(title)
            .bind(created_by)
            .bind(crate::now_text())
            .fetch_one(&self.pool)
            .await?;
        self.audit_write(scope, "insert", ("saved_reports", id), serde_json::json!({"标题": title, "年度": year})).await?;
        Ok(id)
    }

    /// The saved reports on organisations in scope, newest first.
    pub async fn saved_reports(&self, scope: &Scope, limit: i64) -> Result<Vec<SavedReport>, StoreError> {
        let mut q = Sql::new(&format!("{SELECT} WHERE 1 = 1"));
        scope.orgs(&mut q, "o");
        q.push(" ORDER BY r.id DESC LIMIT ");
        q.arg(limit);
        q.query().fetch_all(&self.pool).await?.iter().map(from_row).collect()
    }

    /// One saved report on an organisation in scope.
    pub async fn saved_report(&self, scope: &Scope, id: i64) -> Result<SavedReport, StoreError> {
        let mut q = Sql::new(&format!("{SELECT} WHERE r.id = "));
        q.arg(id);
        scope.orgs(&mut q, "o");
        let row = q.query().fetch_optional(&self.pool).await?.ok_or(StoreError::NotFound { what: "调研报告记录" })?;
        from_row(&row)
    }
}
