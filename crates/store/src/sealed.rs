//! Personal data sealed at rest (个人信息加密存储): the store seals citizen IDs, phone
//! numbers and attachment contents with the database's key (crates/vault) on every write
//! and opens them on every read, so nothing above the store sees a sealed value and
//! nothing below it sees a clear one. Equality on citizen IDs goes through the blind index
//! column `citizen_idx`.
//!
//! Which key: the database names it (table `vault_state`); the key ring comes from
//! DANGJIAN_KEY, DANGJIAN_KEY_FILE or [`default_key_file`]. A database that names no key
//! yet (new, or written before sealing) is sealed under the ring's newest key when first
//! opened, and a key file is created for it if there is none.

use crate::rows::RowExt;
use crate::{Backend, Store, StoreError};
use sqlx::Executor;
use std::path::PathBuf;
use std::sync::Arc;
use vault::Keyring;

/// The tables holding sealed citizen IDs and phones.
const SEALED_TABLES: [&str; 2] = ["members", "development"];

/// The default key file of a database: beside an SQLite file (`dangjian.db` →
/// `dangjian.key`), `dangjian.key` in the working directory for PostgreSQL.
pub fn default_key_file(url: &str) -> PathBuf {
    match url.strip_prefix("sqlite://") {
        Some(path) => PathBuf::from(path.split('?').next().unwrap_or(path)).with_extension("key"),
        None => PathBuf::from("dangjian.key"),
    }
}

/// Seals an optional value (a phone); an empty one is stored as NULL. Every write path
/// seals phones through this.
pub(crate) fn seal_optional(vault: &Keyring, plain: Option<&str>) -> Option<String> {
    plain.map(str::trim).filter(|p| !p.is_empty()).map(|p| vault.seal(p))
}

impl From<vault::VaultError> for StoreError {
    fn from(e: vault::VaultError) -> Self {
        StoreError::Key(e.to_string())
    }
}

/// What a re-sealing touched.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Resealed {
    pub people: u64,
    pub attachments: u64,
}

impl Store {
    pub(crate) fn vault(&self) -> &Keyring {
        self.vault.as_deref().expect("a store opened for use has its key ring")
    }

    /// The id of the key the database is sealed with.
    pub fn key_id(&self) -> &str {
        self.vault().active_id()
    }

    /// Where the key ring came from.
    pub fn key_source(&self) -> &vault::KeySource {
        self.vault().source()
    }

    /// Seals a citizen ID or phone for storage.
    pub(crate) fn seal(&self, plain: &str) -> String {
        self.vault().seal(plain)
    }


    /// The blind index of a citizen ID.
    pub(crate) fn id_index(&self, citizen_id: &str) -> String {
        self.vault().blind_index(citizen_id)
    }

    /// Binds the store to its key after migrations (see the module comment).
    pub(crate) async fn bind_key(&mut self, given: Option<Keyring>) -> Result<(), StoreError> {
        let named: Option<String> = sqlx::query_scalar("SELECT key_id FROM vault_state").fetch_optional(&self.pool).await?;
        let default = default_key_file(&self.url);
        let mut ring = match given {
            Some(r) => r,
            None => Keyring::from_env_or_file(&default, named.is_none())?.0,
        };
        match named {
            Some(id) => ring.activate(&id)?,
            None => {
                let id = ring.newest_id().to_string();
                ring.activate(&id)?;
                // Under the write lock: two processes opening a new database at once seal it once.
                let mut conn = self.pool.acquire().await?;
                let lock: &[&str] = match self.backend {
                    Backend::Sqlite => &["BEGIN IMMEDIATE"],
                    Backend::Postgres => &["BEGIN", "LOCK TABLE vault_state IN EXCLUSIVE MODE"],
                };
                for stmt in lock {
                    conn.execute(*stmt).await?;
                }
                let sealed = first_seal(&mut conn, &mut ring, &id).await;
                match sealed {
                    Ok(()) => conn.execute("COMMIT").await.map(|_| ())?,
                    Err(e) => {
                        let _ = conn.execute("ROLLBACK").await;
                        return Err(e);
                    }
                }
            }
        }
        self.vault = Some(Arc::new(ring));
        Ok(())
    }

    /// Re-seals every sealed value under `ring`'s newest key in one transaction
    /// (`dangjian keys rotate`): the ring must still hold the key the database uses. The
    /// store keeps working with the new key afterwards.
    pub async fn reseal(&mut self, mut ring: Keyring) -> Result<Resealed, StoreError> {
        let old = self.key_id().to_string();
        ring.activate(&old)?;
        let new = ring.newest_id().to_string();
        ring.activate(&new)?;
        let mut tx = self.pool.begin().await?;
        let n = seal_all(&mut tx, &ring, true).await?;
        sqlx::query("UPDATE vault_state SET key_id = $1, sealed_at = $2").bind(&new).bind(crate::now_text()).execute(&mut *tx).await?;
        tx.commit().await?;
        self.vault = Some(Arc::new(ring));
        Ok(n)
    }
}

/// Seals a database that names no key yet, unless another process just did.
async fn first_seal(conn: &mut sqlx::AnyConnection, ring: &mut Keyring, id: &str) -> Result<(), StoreError> {
    match sqlx::query_scalar::<_, String>("SELECT key_id FROM vault_state").fetch_optional(&mut *conn).await? {
        Some(other) => ring.activate(&other)?,
        None => {
            seal_all(conn, ring, false).await?;
            sqlx::query("INSERT INTO vault_state (key_id, sealed_at) VALUES ($1, $2)").bind(id).bind(crate::now_text()).execute(&mut *conn).await?;
        }
    }
    Ok(())
}

/// Seals what is not sealed yet (rows without a blind index, attachments not marked
/// sealed), or with `all`, re-seals everything: sealed values are opened with whichever
/// key of `ring` sealed them and sealed again under its active key.
async fn seal_all(conn: &mut sqlx::AnyConnection, ring: &Keyring, all: bool) -> Result<Resealed, StoreError> {
    let mut n = Resealed::default();
    for table in SEALED_TABLES {
        let filter = if !all { " WHERE citizen_idx IS NULL" } else { "" };
        let rows = sqlx::query(&format!("SELECT id, citizen_id, phone FROM {table}{filter}")).fetch_all(&mut *conn).await?;
        for r in rows {
            let (id, phone) = if !all { (r.s("citizen_id")?, r.os("phone")?) } else { (r.sealed("citizen_id", ring)?, r.osealed("phone", ring)?) };
            let phone = seal_optional(ring, phone.as_deref());
            sqlx::query(&format!("UPDATE {table} SET citizen_id = $1, phone = $2, citizen_idx = $3 WHERE id = $4"))
                .bind(ring.seal(&id))
                .bind(phone)
                .bind(ring.blind_index(&id))
                .bind(r.i("id")?)
                .execute(&mut *conn)
                .await?;
            n.people += 1;
        }
    }
    let filter = if !all { " WHERE sealed = 0" } else { "" };
    let ids: Vec<i64> = sqlx::query_scalar(&format!("SELECT id FROM attachments{filter}")).fetch_all(&mut *conn).await?;
    for id in ids {
        // One at a time: attachments can be large.
        let content: Vec<u8> = sqlx::query_scalar("SELECT content FROM attachments WHERE id = $1").bind(id).fetch_one(&mut *conn).await?;
        let plain = if !all { content } else { ring.open_bytes(&content)? };
        sqlx::query("UPDATE attachments SET content = $1, sealed = 1 WHERE id = $2").bind(ring.seal_bytes(&plain)).bind(id).execute(&mut *conn).await?;
        n.attachments += 1;
    }
    Ok(n)
}
