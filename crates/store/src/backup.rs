//! Backup and restore (备份与恢复). A backup is a consistent copy taken while the server
//! runs — SQLite's `VACUUM INTO` (one read transaction: a snapshot that includes what the
//! WAL holds), PostgreSQL's `pg_dump` in custom format run on a snapshot exported from an
//! open REPEATABLE READ transaction — and a manifest beside it (`FILE.manifest.json`):
//! every table's row count and content digest in that same snapshot. A restore refuses a
//! target that already holds data unless forced, and afterwards recomputes the counts and
//! digests of the restored database and compares them with the manifest.

use crate::{Backend, Store, StoreError};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use sqlx::{Executor, Row};
use std::path::{Path, PathBuf};

/// One table in a manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableDigest {
    pub table: String,
    pub rows: i64,
    pub sha256: String,
}

/// What a backup holds, written beside it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Manifest {
    /// "sqlite" or "postgres": a backup restores into a database of the same kind.
    pub backend: String,
    pub created_at: String,
    /// The highest migration applied.
    pub schema_version: i64,
    pub tables: Vec<TableDigest>,
    /// The key the personal data in the backup is sealed with: restoring is possible
    /// without it, opening the restored database is not.
    #[serde(default)]
    pub key_id: Option<String>,
}

/// The manifest's path for a backup file.
pub fn manifest_path(file: &Path) -> PathBuf {
    let mut s = file.as_os_str().to_owned();
    s.push(".manifest.json");
    PathBuf::from(s)
}

fn fail(what: impl Into<String>) -> StoreError {
    StoreError::Backup(what.into())
}

/// The kind of a backup file, from its first bytes.
fn kind_of(file: &Path) -> Result<Backend, StoreError> {
    let mut head = [0u8; 16];
    let n = std::io::Read::read(&mut std::fs::File::open(file).map_err(|e| fail(format!("无法打开备份文件 {}：{e}", file.display())))?, &mut head).unwrap_or(0);
    if n >= 16 && &head == b"SQLite format 3\0" {
        Ok(Backend::Sqlite)
    } else if n >= 5 && &head[..5] == b"PGDMP" {
        Ok(Backend::Postgres)
    } else {
        Err(fail(format!("{} 不是 dangjian 的备份文件（既不是 SQLite 数据库，也不是 pg_dump 自定义格式）", file.display())))
    }
}

fn backend_name(b: Backend) -> &'static str {
    match b {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    }
}

/// The URL with the password left out (for pg_dump's environment), and the password.
fn pg_parts(url: &str) -> (String, Option<String>) {
    let Some((scheme, rest)) = url.split_once("://") else { return (url.to_string(), None) };
    let Some((userinfo, host)) = rest.rsplit_once('@') else { return (url.to_string(), None) };
    match userinfo.split_once(':') {
        Some((user, pw)) => (format!("{scheme}://{user}@{host}"), Some(pw.to_string())),
        None => (url.to_string(), None),
    }
}

fn run_tool(tool: &str, args: &[&str], url: &str) -> Result<(), StoreError> {
    let (clean, pw) = pg_parts(url);
    let mut cmd = std::process::Command::new(tool);
    cmd.args(args).arg("--dbname").arg(&clean);
    if let Some(pw) = pw {
        cmd.env("PGPASSWORD", pw);
    }
    let out = cmd.output().map_err(|e| fail(format!("无法运行 {tool}（PostgreSQL 客户端工具，随 PostgreSQL 安装）：{e}")))?;
    if !out.status.success() {
        return Err(fail(format!("{tool} 失败：{}", String::from_utf8_lossy(&out.stderr).trim())));
    }
    Ok(())
}

impl Store {
    /// Every table's row count and digest, on one connection (inside whatever transaction
    /// the caller opened on it). Derived full-text tables are left out.
    /// The tables a backup holds: every table but SQLite's own and the derived full-text ones.
    async fn tables_on(&self, conn: &mut sqlx::AnyConnection) -> Result<Vec<String>, StoreError> {
        Ok(match self.backend {
            Backend::Sqlite => sqlx::query("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'search_fts%' ORDER BY name").fetch_all(&mut *conn).await?,
            Backend::Postgres => sqlx::query("SELECT CAST(table_name AS TEXT) AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY 1").fetch_all(&mut *conn).await?,
        }
        .iter()
        .map(|r| r.try_get::<String, _>("name"))
        .collect::<Result<_, _>>()?)
    }

    async fn digests_on(&self, conn: &mut sqlx::AnyConnection) -> Result<Vec<TableDigest>, StoreError> {
        let mut out = Vec::new();
        for t in self.tables_on(conn).await? {
            let cols: Vec<(String, bool)> = match self.backend {
                Backend::Sqlite => sqlx::query(&format!("SELECT name, type FROM pragma_table_info('{t}') ORDER BY cid")).fetch_all(&mut *conn).await?.iter().map(|r| Ok((r.try_get::<String, _>("name")?, r.try_get::<String, _>("type")?.eq_ignore_ascii_case("BLOB")))).collect::<Result<_, sqlx::Error>>()?,
                Backend::Postgres => sqlx::query("SELECT CAST(column_name AS TEXT) AS name, CAST(data_type AS TEXT) AS type FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position").bind(&t).fetch_all(&mut *conn).await?.iter().map(|r| Ok((r.try_get::<String, _>("name")?, r.try_get::<String, _>("type")? == "bytea"))).collect::<Result<_, sqlx::Error>>()?,
            };
            let expr: Vec<String> = cols
                .iter()
                .map(|(c, blob)| match (blob, self.backend) {
                    (true, Backend::Sqlite) => format!("COALESCE(hex(\"{c}\"), '-')"),
                    (true, Backend::Postgres) => format!("COALESCE(encode(\"{c}\", 'hex'), '-')"),
                    (false, _) => format!("COALESCE(CAST(\"{c}\" AS TEXT), '-')"),
                })
                .collect();
            let order: Vec<String> = (1..=cols.len()).map(|i| i.to_string()).collect();
            let sql = format!("SELECT {} FROM \"{t}\" ORDER BY {}", expr.join(", "), order.join(", "));
            let mut h = Sha256::new();
            let mut rows = 0i64;
            for r in sqlx::query(&sql).fetch_all(&mut *conn).await? {
                rows += 1;
                for i in 0..cols.len() {
                    h.update(r.try_get::<String, _>(i)?.as_bytes());
                    h.update([0x1f]);
                }
                h.update([0x1e]);
            }
            out.push(TableDigest { table: t, rows, sha256: format!("{:x}", h.finalize()) });
        }
        Ok(out)
    }

    async fn schema_version_on(conn: &mut sqlx::AnyConnection) -> Result<i64, StoreError> {
        Ok(sqlx::query_scalar::<_, i64>("SELECT CAST(COALESCE(MAX(version), 0) AS BIGINT) FROM schema_migrations").fetch_one(&mut *conn).await?)
    }

    /// Row counts and digests of every table as they stand now.
    pub async fn table_digests(&self) -> Result<Vec<TableDigest>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        self.digests_on(&mut conn).await
    }

    /// Writes a consistent backup of the database to `out` (which must not exist) and its
    /// manifest beside it, while other connections go on writing.
    pub async fn backup(&self, out: &Path) -> Result<Manifest, StoreError> {
        if out.exists() {
            return Err(fail(format!("{} 已存在：备份不覆盖已有文件，请换一个文件名", out.display())));
        }
        let created_at = crate::now_text();
        let manifest = match self.backend {
            Backend::Sqlite => {
                let target = out.to_str().ok_or_else(|| fail("备份文件路径应为 UTF-8"))?.replace('\'', "''");
                let mut conn = self.pool.acquire().await?;
                conn.execute(format!("VACUUM INTO '{target}'").as_str()).await.map_err(|e| fail(format!("无法写出备份 {}：{e}", out.display())))?;
                drop(conn);
                // The manifest is read from the copy itself: exactly what it holds.
                let copy = Store::open_plain(&format!("sqlite://{}", out.display())).await?;
                let mut c = copy.pool.acquire().await?;
                let tables = copy.digests_on(&mut c).await?;
                let schema_version = Store::schema_version_on(&mut c).await?;
                drop(c);
                copy.close().await;
                Manifest { backend: "sqlite".into(), created_at, schema_version, tables, key_id: Some(self.key_id().to_string()) }
            }
            Backend::Postgres => {
                // pg_dump reads the snapshot this transaction exported, so the dump and the
                // digests below see the same data.
                let mut conn = self.pool.acquire().await?;
                conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY").await?;
                let snapshot: String = sqlx::query_scalar("SELECT pg_export_snapshot()").fetch_one(&mut *conn).await?;
                let path = out.to_str().ok_or_else(|| fail("备份文件路径应为 UTF-8"))?.to_string();
                let url = self.url.clone();
                let dump = tokio::task::spawn_blocking(move || run_tool("pg_dump", &["--format=custom", "--no-owner", "--snapshot", &snapshot, "--file", &path], &url));
                let tables = self.digests_on(&mut conn).await;
                let schema_version = Store::schema_version_on(&mut conn).await;
                let dumped = dump.await.map_err(|e| fail(format!("pg_dump 任务失败：{e}")))?;
                conn.execute("COMMIT").await?;
                dumped?;
                Manifest { backend: "postgres".into(), created_at, schema_version: schema_version?, tables: tables?, key_id: Some(self.key_id().to_string()) }
            }
        };
        let json = serde_json::to_string_pretty(&manifest).map_err(|e| fail(e.to_string()))?;
        std::fs::write(manifest_path(out), json).map_err(|e| fail(format!("无法写出备份清单：{e}")))?;
        Ok(manifest)
    }

    /// Whether the database holds any row in any table but the migration log.
    pub async fn holds_data(&self) -> Result<bool, StoreError> {
        let mut conn = self.pool.acquire().await?;
        for t in self.tables_on(&mut conn).await?.into_iter().filter(|t| t != "schema_migrations") {
            let any: Option<i64> = sqlx::query_scalar(&format!("SELECT 1 FROM \"{t}\" LIMIT 1")).fetch_optional(&mut *conn).await?;
            if any.is_some() {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// Restores the backup `file` into the database at `url`, then checks every table's
    /// count and digest against the backup's manifest. A target holding data is refused
    /// unless `force` (its contents are then replaced).
    pub async fn restore(file: &Path, url: &str, force: bool) -> Result<Manifest, StoreError> {
        let manifest: Manifest = serde_json::from_str(&std::fs::read_to_string(manifest_path(file)).map_err(|_| fail(format!("找不到备份清单 {}：备份文件和它旁边的 .manifest.json 要一起保存", manifest_path(file).display())))?)
            .map_err(|e| fail(format!("备份清单无法读取：{e}")))?;
        let kind = kind_of(file)?;
        let target_kind = if url.starts_with("sqlite://") { Backend::Sqlite } else { Backend::Postgres };
        if kind != target_kind || backend_name(kind) != manifest.backend {
            return Err(fail(format!("这是 {} 的备份，只能恢复到同类数据库（目标是 {}）", backend_name(kind), backend_name(target_kind))));
        }
        match kind {
            Backend::Sqlite => {
                let path = PathBuf::from(url.trim_start_matches("sqlite://").split('?').next().unwrap_or(""));
                if path.exists() {
                    let existing = Store::open_plain(url).await?;
                    let busy = existing.holds_data().await?;
                    existing.close().await;
                    if busy && !force {
                        return Err(fail(format!("目标数据库 {} 已有数据：恢复会覆盖它，确需覆盖请加 --force", path.display())));
                    }
                    for suffix in ["", "-wal", "-shm"] {
                        let mut p = path.as_os_str().to_owned();
                        p.push(suffix);
                        let _ = std::fs::remove_file(PathBuf::from(p));
                    }
                }
                // Copied through SQLite, so a torn file is refused rather than copied.
                let source = Store::open_plain(&format!("sqlite://{}", file.display())).await?;
                let target = path.to_str().ok_or_else(|| fail("数据库路径应为 UTF-8"))?.replace('\'', "''");
                source.pool.execute(format!("VACUUM INTO '{target}'").as_str()).await.map_err(|e| fail(format!("无法恢复到 {}：{e}", path.display())))?;
                source.close().await;
            }
            Backend::Postgres => {
                let existing = Store::open_plain(url).await?;
                let busy = existing.holds_data().await?;
                existing.close().await;
                if busy && !force {
                    return Err(fail("目标数据库已有数据：恢复会覆盖它，确需覆盖请加 --force".to_string()));
                }
                let path = file.to_str().ok_or_else(|| fail("备份文件路径应为 UTF-8"))?.to_string();
                let url = url.to_string();
                tokio::task::spawn_blocking(move || run_tool("pg_restore", &["--clean", "--if-exists", "--no-owner", "--single-transaction", "--exit-on-error", &path], &url))
                    .await
                    .map_err(|e| fail(format!("pg_restore 任务失败：{e}")))??;
            }
        }
        let restored = Store::open_plain(url).await?;
        let got = restored.table_digests().await?;
        restored.close().await;
        let differs: Vec<String> = manifest
            .tables
            .iter()
            .filter(|t| got.iter().find(|g| g.table == t.table) != Some(*t))
            .map(|t| {
                let g = got.iter().find(|g| g.table == t.table);
                format!("{}（备份 {} 行，恢复后 {} 行{}）", t.table, t.rows, g.map_or(0, |g| g.rows), if g.is_some_and(|g| g.rows == t.rows) { "，内容不同" } else { "" })
            })
            .collect();
        if !differs.is_empty() {
            return Err(fail(format!("恢复后的数据与备份清单不一致：{}", differs.join("；"))));
        }
        Ok(manifest)
    }

    /// Closes the pool; SQLite first folds its write-ahead log into the database file, so
    /// the file alone holds everything (a copy of it then loses nothing).
    pub async fn close_cleanly(&self) {
        if self.backend == Backend::Sqlite {
            let _ = self.pool.execute("PRAGMA wal_checkpoint(TRUNCATE)").await;
        }
        self.pool.close().await;
    }
}
