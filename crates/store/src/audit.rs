//! The audit log (审计日志): sign-ins and sign-outs with the address, account changes,
//! every write with the record and, for updates, old → new values, and every import and
//! export. Entries are written in the transaction of what they record (a write that rolls
//! back leaves no entry) and are never changed or deleted: triggers refuse to.
//!
//! Retention: everything is kept. 《网络安全法》第二十一条 requires network logs to be
//! kept for at least six months; dangjian offers no way to delete them sooner or later.

use crate::query::Sql;
use crate::rows::RowExt;
use crate::scope::Actor;
use crate::{Store, StoreError};
use serde::Serialize;
use serde_json::Value;

/// What an entry records, with its Chinese label.
pub const ACTIONS: &[(&str, &str)] = &[
    ("login", "登录"),
    ("login_failed", "登录失败"),
    ("logout", "退出登录"),
    ("logout_all", "退出全部登录"),
    ("password_changed", "修改密码"),
    ("password_reset", "重置密码"),
    ("user_created", "新建用户"),
    ("user_disabled", "停用用户"),
    ("user_enabled", "启用用户"),
    ("insert", "新增"),
    ("update", "修改"),
    ("import", "导入"),
    ("export", "导出"),
    ("full_export", "导出完整身份证号"),
    ("key_rotated", "更换数据密钥"),
];

/// The Chinese label of an action code.
pub fn action_label(code: &str) -> &str {
    ACTIONS.iter().find(|(c, _)| *c == code).map(|(_, l)| *l).unwrap_or(code)
}

/// The Chinese name of a table an entry names.
pub fn target_label(table: &str) -> &str {
    match table {
        "members" => "党员",
        "orgs" => "党组织",
        "meetings" => "会议",
        "dues_payments" => "党费",
        "training_records" => "培训",
        "development" => "发展党员",
        "transfers" => "组织关系转接",
        "mobile_members" => "流动党员",
        "evaluations" => "民主评议",
        "party_workers" => "党务工作者",
        "funding" => "党建经费",
        "carriers" => "活动载体",
        "interviews" => "访谈",
        "codings" => "编码",
        "cases" => "案例",
        "documents" => "文献",
        "attachments" => "附件",
        "lexicon" => "词表",
        "campaigns" => "问卷调查",
        "questionnaires" => "问卷",
        "saved_reports" => "调研报告",
        "users" => "用户",
        "sessions" => "会话",
        other => other,
    }
}

/// One entry, as read back.
#[derive(Debug, Clone, Serialize)]
pub struct AuditEntry {
    pub id: i64,
    pub at: String,
    pub user_id: Option<i64>,
    pub actor: String,
    pub ip: Option<String>,
    pub action: String,
    pub target: Option<String>,
    pub target_id: Option<i64>,
    pub detail: Value,
}

/// Writes an entry on `conn` (normally the transaction of the write it records). Without
/// an actor (tests, the generator) the entry names no one: "系统".
pub(crate) async fn log(conn: &mut sqlx::AnyConnection, actor: Option<&Actor>, action: &str, target: Option<(&str, i64)>, detail: Value) -> Result<(), StoreError> {
    log_from(conn, actor, None, action, target, detail).await
}

pub(crate) async fn log_from(conn: &mut sqlx::AnyConnection, actor: Option<&Actor>, ip: Option<&str>, action: &str, target: Option<(&str, i64)>, detail: Value) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO audit_log (at, user_id, actor, ip, action, target, target_id, detail) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
        .bind(crate::now_text())
        .bind(actor.and_then(|a| a.user_id))
        .bind(actor.map(|a| a.name.as_str()).unwrap_or("系统"))
        .bind(ip)
        .bind(action)
        .bind(target.map(|t| t.0))
        .bind(target.map(|t| t.1))
        .bind(detail.to_string())
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// The changed fields of an update: `{field: [old, new]}` for each pair that differs.
pub fn changes<'a>(pairs: impl IntoIterator<Item = (&'a str, Option<String>, Option<String>)>) -> Value {
    let mut m = serde_json::Map::new();
    for (f, old, new) in pairs {
        if old != new {
            m.insert(f.to_string(), serde_json::json!([old, new]));
        }
    }
    Value::Object(m)
}

impl Store {
    /// Records a write made outside a transaction of its own.
    pub(crate) async fn audit_write(&self, scope: &crate::Scope, action: &str, target: (&str, i64), detail: Value) -> Result<(), StoreError> {
        self.audit(scope.actor(), None, action, Some(target), detail).await
    }

    /// Records a write by a user known only by id (documents and the lexicon are not
    /// scoped): the entry names the user.
    pub(crate) async fn audit_by_user(&self, conn: &mut sqlx::AnyConnection, user: Option<i64>, action: &str, target: (&str, i64), detail: Value) -> Result<(), StoreError> {
        let name: Option<String> = match user {
            Some(u) => sqlx::query_scalar("SELECT username FROM users WHERE id = $1").bind(u).fetch_optional(&mut *conn).await?,
            None => None,
        };
        let actor = name.map(|name| Actor { user_id: user, name });
        log(conn, actor.as_ref(), action, Some(target), detail).await
    }

    /// Records an event that is not a write of its own: a sign-in, a failed one, a
    /// sign-out, an export.
    pub async fn audit(&self, actor: Option<&Actor>, ip: Option<&str>, action: &str, target: Option<(&str, i64)>, detail: Value) -> Result<(), StoreError> {
        let mut conn = self.pool.acquire().await?;
        log_from(&mut conn, actor, ip, action, target, detail).await
    }

    /// Entries at or after `since` (a date or time), of one actor if given, newest first.
    pub async fn audit_entries(&self, since: Option<&str>, actor: Option<&str>, limit: i64) -> Result<Vec<AuditEntry>, StoreError> {
        let mut q = Sql::new("SELECT id, at, user_id, actor, ip, action, target, target_id, detail FROM audit_log WHERE 1 = 1");
        if let Some(s) = since {
            q.push(" AND at >= ").arg(s);
        }
        if let Some(a) = actor {
            q.push(" AND actor = ").arg(a);
        }
        q.push(" ORDER BY id DESC LIMIT ").arg(limit.clamp(1, 100_000));
        let rows = q.query().fetch_all(&self.pool).await?;
        rows.iter()
            .map(|r| {
                Ok(AuditEntry {
                    id: r.i("id")?,
                    at: r.s("at")?,
                    user_id: r.oi("user_id")?,
                    actor: r.s("actor")?,
                    ip: r.os("ip")?,
                    action: r.s("action")?,
                    target: r.os("target")?,
                    target_id: r.oi("target_id")?,
                    detail: serde_json::from_str(&r.s("detail")?).unwrap_or(Value::Null),
                })
            })
            .collect()
    }
}
