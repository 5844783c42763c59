//! Forward-only plain-SQL migrations, run at start-up, one file for both databases.

use crate::{Backend, Store, StoreError};
use sqlx::Executor;

/// (version, name, SQL for both, SQL for SQLite only, SQL for PostgreSQL only)
type Migration = (i64, &'static str, &'static str, &'static str, &'static str);

const MIGRATIONS: &[Migration] = &[
    (1, "0001_registry", include_str!("../migrations/0001_registry.sql"), "", ""),
    (2, "0002_organisational_life", include_str!("../migrations/0002_organisational_life.sql"), "", ""),
    (3, "0003_exchange", include_str!("../migrations/0003_exchange.sql"), "", ""),
    (4, "0004_exchange_log", include_str!("../migrations/0004_exchange_log.sql"), "", ""),
    (5, "0005_survey", include_str!("../migrations/0005_survey.sql"), "", ""),
    (6, "0006_survey_devices", include_str!("../migrations/0006_survey_devices.sql"), "", ""),
    (
        7,
        "0007_research",
        include_str!("../migrations/0007_research.sql"),
        include_str!("../migrations/0007_research.sqlite.sql"),
        include_str!("../migrations/0007_research.postgres.sql"),
    ),
    (8, "0008_indicators", include_str!("../migrations/0008_indicators.sql"), "", ""),
    (9, "0009_indicator_measures", include_str!("../migrations/0009_indicator_measures.sql"), "", ""),
    (
        10,
        "0010_indicator_facts_compact",
        "",
        include_str!("../migrations/0010_indicator_facts_compact.sqlite.sql"),
        include_str!("../migrations/0010_indicator_facts_compact.postgres.sql"),
    ),
    (11, "0011_indicator_groups", include_str!("../migrations/0011_indicator_groups.sql"), "", ""),
    (12, "0012_date_precision", include_str!("../migrations/0012_date_precision.sql"), "", ""),
    (13, "0013_saved_reports", include_str!("../migrations/0013_saved_reports.sql"), "", ""),
    (14, "0014_dues_unique", include_str!("../migrations/0014_dues_unique.sql"), "", ""),
    (15, "0015_session_activity", include_str!("../migrations/0015_session_activity.sql"), "", ""),
    (16, "0016_export_purpose", include_str!("../migrations/0016_export_purpose.sql"), "", ""),
    (17, "0017_sealed_personal_data", include_str!("../migrations/0017_sealed_personal_data.sql"), "", ""),
    (
        18,
        "0018_audit_log",
        include_str!("../migrations/0018_audit_log.sql"),
        include_str!("../migrations/0018_audit_log.sqlite.sql"),
        include_str!("../migrations/0018_audit_log.postgres.sql"),
    ),
    (19, "0019_meeting_plans", include_str!("../migrations/0019_meeting_plans.sql"), "", ""),
    (20, "0020_review_codings", include_str!("../migrations/0020_review_codings.sql"), "", ""),
    (21, "0021_member_year", include_str!("../migrations/0021_member_year.sql"), "", ""),
    (22, "0022_no_unique_on_sealed", "", "", include_str!("../migrations/0022_no_unique_on_sealed.postgres.sql")),
    (23, "0023_indicator_vectors", include_str!("../migrations/0023_indicator_vectors.sql"), "", ""),
    (24, "0024_meeting_present", include_str!("../migrations/0024_meeting_present.sql"), "", ""),
    (25, "0025_meetings_covering", include_str!("../migrations/0025_meetings_covering.sql"), "", ""),
    (26, "0026_org_year", "", include_str!("../migrations/0026_org_year.sqlite.sql"), include_str!("../migrations/0026_org_year.postgres.sql")),
    (27, "0027_member_year_covering", "", "", include_str!("../migrations/0027_member_year_covering.postgres.sql")),
    (28, "0028_covering_reads", include_str!("../migrations/0028_covering_reads.sql"), "", ""),
    (29, "0029_org_year_content", include_str!("../migrations/0029_org_year_content.sql"), "", ""),
    (30, "0030_indicator_leaders", include_str!("../migrations/0030_indicator_leaders.sql"), "", ""),
    (31, "0031_meetings_ids", "", "", include_str!("../migrations/0031_meetings_ids.postgres.sql")),
];

/// SQLite cannot drop a column's UNIQUE constraint: migration 22 rebuilds these tables
/// without the one on the sealed citizen ID (the copy keeps every row, id and index).
const SQLITE_REBUILDS: &[(i64, &str, &str, &str)] = &[
    (22, "members", "citizen_id TEXT NOT NULL UNIQUE", "citizen_id TEXT NOT NULL"),
    (22, "development", "citizen_id TEXT NOT NULL UNIQUE", "citizen_id TEXT NOT NULL"),
];

/// Rebuilds a SQLite table with one fragment of its definition replaced, by SQLite's own
/// recipe (new table, copy, drop, rename, indexes again); foreign keys are off on this
/// connection meanwhile and checked before the commit.
async fn rebuild_sqlite_table(conn: &mut sqlx::AnyConnection, table: &str, from: &str, to: &str) -> Result<(), sqlx::Error> {
    let create: String = sqlx::query_scalar("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = $1").bind(table).fetch_one(&mut *conn).await?;
    if !create.contains(from) {
        return Ok(());
    }
    let indexes: Vec<String> = sqlx::query_scalar("SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = $1 AND sql IS NOT NULL").bind(table).fetch_all(&mut *conn).await?;
    let rebuilt = format!("{table}_rebuilt");
    // The columns start at the first parenthesis (a renamed table's name is quoted).
    let body = &create[create.find('(').ok_or_else(|| sqlx::Error::Protocol(format!("{table}表的定义无法识别")))?..];
    conn.execute(format!("CREATE TABLE {rebuilt} {}", body.replacen(from, to, 1)).as_str()).await?;
    conn.execute(format!("INSERT INTO {rebuilt} SELECT * FROM {table}").as_str()).await?;
    conn.execute(format!("DROP TABLE {table}").as_str()).await?;
    conn.execute(format!("ALTER TABLE {rebuilt} RENAME TO {table}").as_str()).await?;
    for index in indexes {
        conn.execute(index.as_str()).await?;
    }
    Ok(())
}

/// The two dialect tokens of the migration files, per backend.
fn dialect(sql: &str, backend: Backend) -> String {
    let (id, path, blob) = match backend {
        Backend::Sqlite => ("INTEGER PRIMARY KEY", "TEXT", "BLOB"),
        Backend::Postgres => ("BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY", "TEXT COLLATE \"C\"", "BYTEA"),
    };
    sql.replace("{id}", id).replace("{path}", path).replace("{blob}", blob)
}

/// A migration's checksum: SHA-256 of its three texts as compiled in.
fn checksum(common: &str, sqlite: &str, postgres: &str) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    for part in [common, sqlite, postgres] {
        h.update(part.as_bytes());
        h.update([0]);
    }
    format!("{:x}", h.finalize())
}

/// Key of the PostgreSQL advisory lock that serialises migrations between processes.
const MIGRATION_LOCK: i64 = 0x6461_6e67_6a69_616e; // "dangjian"

/// Applies the migrations not yet applied, each in its own transaction, on one
/// connection: on PostgreSQL under an advisory lock (two servers starting at once migrate
/// one after the other), on SQLite in `BEGIN IMMEDIATE` transactions (the write lock first,
/// then the check). A migration applied earlier whose text has since changed is refused:
/// its checksum no longer matches.
pub(crate) async fn run(store: &Store) -> Result<(), StoreError> {
    let fail = |name: &str, e: sqlx::Error| StoreError::Migration { name: name.to_string(), reason: crate::error::explain(&e) };
    let mut conn = store.pool.acquire().await.map_err(|e| fail("schema_migrations", e))?;
    if store.backend == Backend::Postgres {
        sqlx::query("SELECT pg_advisory_lock($1)").bind(MIGRATION_LOCK).execute(&mut *conn).await.map_err(|e| fail("schema_migrations", e))?;
    }
    let result = apply(store.backend, &mut conn).await;
    if store.backend == Backend::Postgres {
        let _ = sqlx::query("SELECT pg_advisory_unlock($1)").bind(MIGRATION_LOCK).execute(&mut *conn).await;
    }
    result
}

async fn apply(backend: Backend, conn: &mut sqlx::AnyConnection) -> Result<(), StoreError> {
    let fail = |name: &str, e: sqlx::Error| StoreError::Migration { name: name.to_string(), reason: crate::error::explain(&e) };
    let (begin, commit) = match backend {
        Backend::Sqlite => ("BEGIN IMMEDIATE", "COMMIT"),
        Backend::Postgres => ("BEGIN", "COMMIT"),
    };
    // The log table, and the checksum column for databases migrated before checksums were
    // kept, under the same lock as the migrations.
    conn.execute(begin).await.map_err(|e| fail("schema_migrations", e))?;
    let log = async {
        conn.execute("CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL, checksum TEXT)").await?;
        let has: i64 = match backend {
            Backend::Sqlite => sqlx::query_scalar("SELECT COUNT(*) FROM pragma_table_info('schema_migrations') WHERE name = 'checksum'").fetch_one(&mut *conn).await?,
            Backend::Postgres => sqlx::query_scalar("SELECT COUNT(*) FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = 'schema_migrations' AND column_name = 'checksum'").fetch_one(&mut *conn).await?,
        };
        if has == 0 {
            conn.execute("ALTER TABLE schema_migrations ADD COLUMN checksum TEXT").await?;
        }
        Ok::<(), sqlx::Error>(())
    }
    .await;
    match log {
        Ok(()) => conn.execute(commit).await.map(|_| ()),
        Err(e) => {
            let _ = conn.execute("ROLLBACK").await;
            Err(e)
        }
    }
    .map_err(|e| fail("schema_migrations", e))?;
    // A database a newer dangjian migrated holds what this program cannot read (a
    // summary in a newer format, tables it does not know): refused before any is read.
    let newest: Option<i64> = sqlx::query_scalar("SELECT MAX(version) FROM schema_migrations").fetch_one(&mut *conn).await.map_err(|e| fail("schema_migrations", e))?;
    let known = MIGRATIONS.last().map_or(0, |m| m.0);
    if let Some(v) = newest.filter(|v| *v > known) {
        return Err(StoreError::Migration {
            name: "schema_migrations".into(),
            reason: format!("数据库已由较新版本的 dangjian 迁移到第{v}版，本程序只认识到第{known}版，读不懂其中的数据：请改用新版本的 dangjian，或从本版本时做的备份恢复"),
        });
    }
    for (version, name, common, sqlite, postgres) in MIGRATIONS {
        let sum = checksum(common, sqlite, postgres);
        let rebuilds: Vec<_> = SQLITE_REBUILDS.iter().filter(|r| r.0 == *version && backend == Backend::Sqlite).collect();
        if !rebuilds.is_empty() {
            // Outside the transaction: SQLite ignores this pragma inside one.
            conn.execute("PRAGMA foreign_keys = OFF").await.map_err(|e| fail(name, e))?;
        }
        conn.execute(begin).await.map_err(|e| fail(name, e))?;
        let step = async {
            let done: Option<Option<String>> = sqlx::query_scalar("SELECT checksum FROM schema_migrations WHERE version = $1").bind(*version).fetch_optional(&mut *conn).await.map_err(|e| fail(name, e))?;
            match done {
                Some(Some(stored)) if stored == sum => return Ok(()),
                Some(Some(_)) => {
                    return Err(StoreError::Migration {
                        name: name.to_string(),
                        reason: "这个迁移在数据库中应用之后，程序里的迁移文本被改过（校验和不一致）：已应用的迁移不能修改，请把改动写成新的迁移".into(),
                    })
                }
                Some(None) => {
                    // Applied before checksums were kept: record it now.
                    sqlx::query("UPDATE schema_migrations SET checksum = $1 WHERE version = $2").bind(&sum).bind(*version).execute(&mut *conn).await.map_err(|e| fail(name, e))?;
                    return Ok(());
                }
                None => {}
            }
            let own = if backend == Backend::Sqlite { sqlite } else { postgres };
            for stmt in statements(&dialect(common, backend)).into_iter().chain(statements(own)) {
                conn.execute(stmt.as_str()).await.map_err(|e| fail(name, e))?;
            }
            for (_, table, from, to) in &rebuilds {
                rebuild_sqlite_table(&mut *conn, table, from, to).await.map_err(|e| fail(name, e))?;
            }
            if !rebuilds.is_empty() {
                let broken: Vec<(String,)> = sqlx::query_as("SELECT \"table\" FROM pragma_foreign_key_check").fetch_all(&mut *conn).await.map_err(|e| fail(name, e))?;
                if let Some((t,)) = broken.first() {
                    return Err(StoreError::Migration { name: name.to_string(), reason: format!("重建表之后{t}表的外键引用不完整") });
                }
            }
            if *version == 21 {
                // The summaries of a database that already holds records.
                conn.execute(crate::summaries::fill_sql().as_str()).await.map_err(|e| fail(name, e))?;
            }
            if *version == 24 {
                conn.execute(crate::summaries::meeting_present_fill().as_str()).await.map_err(|e| fail(name, e))?;
            }
            if *version == 26 || *version == 29 {
                conn.execute(crate::summaries::org_year_fill(backend).as_str()).await.map_err(|e| fail(name, e))?;
                // Statistics of the refilled calendars, as `summaries rebuild` leaves them.
                conn.execute("ANALYZE org_year").await.map_err(|e| fail(name, e))?;
            }
            sqlx::query("INSERT INTO schema_migrations (version, name, applied_at, checksum) VALUES ($1, $2, $3, $4)")
                .bind(*version)
                .bind(*name)
                .bind(crate::now_text())
                .bind(&sum)
                .execute(&mut *conn)
                .await
                .map_err(|e| fail(name, e))?;
            Ok(())
        }
        .await;
        let ended = match step {
            Ok(()) => conn.execute(commit).await.map(|_| ()).map_err(|e| fail(name, e)),
            Err(e) => {
                let _ = conn.execute("ROLLBACK").await;
                Err(e)
            }
        };
        if !rebuilds.is_empty() {
            conn.execute("PRAGMA foreign_keys = ON").await.map_err(|e| fail(name, e))?;
        }
        ended?;
    }
    Ok(())
}

/// Splits a migration into statements at a `;` that ends a line, dropping `--`
/// comments; a `;` or `--` inside a quoted string ('…', "…") belongs to the string.
fn statements(sql: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quote: Option<char> = None;
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some(q), c) if c == q => {
                cur.push(c);
                // A doubled quote is an escaped one: stay inside.
                if chars.peek() == Some(&q) {
                    cur.push(chars.next().unwrap_or(q));
                } else {
                    quote = None;
                }
            }
            (Some(_), c) => cur.push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                cur.push(c);
            }
            (None, '-') if chars.peek() == Some(&'-') => {
                for d in chars.by_ref() {
                    if d == '\n' {
                        cur.push('\n');
                        break;
                    }
                }
            }
            (None, ';') => {
                cur.push(';');
                // A statement ends at a `;` that ends its line (a trigger's body keeps
                // its inner `;` on the line).
                let rest: String = chars.clone().take_while(|d| *d != '\n').collect();
                let rest = rest.trim();
                if rest.is_empty() || rest.starts_with("--") {
                    out.push(std::mem::take(&mut cur).trim().to_string());
                }
            }
            (None, c) => cur.push(c),
        }
    }
    if !cur.trim().is_empty() {
        out.push(cur.trim().to_string());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::statements;

    #[test]
    fn strings_keep_their_dashes_and_semicolons() {
        let sql = "-- header\nINSERT INTO t VALUES ('a -- b;\n c', 'it''s;'); -- trailing\nCREATE TABLE \"x;y\" (a TEXT);\nCREATE TRIGGER g AFTER INSERT ON t BEGIN SELECT 1; END;\n-- only a comment\n";
        assert_eq!(statements(sql), vec!["INSERT INTO t VALUES ('a -- b;\n c', 'it''s;');", "CREATE TABLE \"x;y\" (a TEXT);", "CREATE TRIGGER g AFTER INSERT ON t BEGIN SELECT 1; END;"]);
    }

    #[test]
    fn every_shipped_migration_splits_into_statements() {
        for (_, name, common, sqlite, postgres) in super::MIGRATIONS {
            for text in [common, sqlite, postgres] {
                for s in statements(text) {
                    assert!(s.ends_with(';'), "{name}: {s}");
                }
            }
        }
    }
}
