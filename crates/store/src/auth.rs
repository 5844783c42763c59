//! Users, password hashes (argon2id), sessions, and the scope each user reads with.

use crate::query::Sql;
use crate::rows::RowExt;
use crate::{Scope, Store, StoreError};
use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use domain::user::{Role, User};
use domain::Labelled;
use rand::RngCore;
use sha2::{Digest, Sha256};
use sqlx::any::AnyRow;

/// How long a session lasts without logging in again.
const SESSION_HOURS: i64 = 12;

/// A live session: its user and the CSRF token its forms must carry.
#[derive(Debug, Clone)]
pub struct SessionInfo {
    pub user: User,
    pub csrf_token: String,
}

fn user_from(r: &AnyRow) -> Result<User, StoreError> {
    Ok(User { id: r.i("id")?, username: r.s("username")?, role: r.e("role")?, org_id: r.oi("org_id")?, member_id: r.oi("member_id")? })
}

/// 32 random bytes, hex: session tokens, CSRF tokens.
pub fn random_token() -> String {
    let mut b = [0u8; 32];
    OsRng.fill_bytes(&mut b);
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn token_hash(token: &str) -> String {
    Sha256::digest(token.as_bytes()).iter().map(|x| format!("{x:02x}")).collect()
}

impl Store {
    /// Creates a user. Admins and secretaries are bound to an organisation (`None` for an
    /// admin = whole jurisdiction); members to their own record.
    pub async fn create_user(&self, username: &str, password: &str, role: Role, org_id: Option<i64>, member_id: Option<i64>) -> Result<User, StoreError> {
        let username = username.trim();
        if username.is_empty() || username.chars().count() > 50 || username.chars().any(char::is_whitespace) {
            return Err(StoreError::invalid("username", "用户名不能为空、不能含空格，且不超过50个字符"));
        }
        if password.chars().count() < 8 {
            return Err(StoreError::invalid("password", "密码至少8位"));
        }
        let all = Scope::jurisdiction();
        match role {
            Role::Secretary if org_id.is_none() => return Err(StoreError::invalid("org", "党组织书记/党务工作者账号必须指定所在党组织（--org）")),
            Role::Member if member_id.is_none() => return Err(StoreError::invalid("member", "党员账号必须指定党员本人的记录（--member）")),
            _ => {}
        }
        if let Some(o) = org_id {
            self.org(&all, o).await.map_err(|_| crate::orgs::org_field_error("org", o))?;
        }
        if let Some(m) = member_id {
            self.member(&all, m).await.map_err(|_| StoreError::invalid("member", format!("党员（编号{m}）不存在")))?;
        }
        let taken: Option<i64> = sqlx::query_scalar("SELECT id FROM users WHERE username = $1").bind(username).fetch_optional(&self.pool).await?;
        if taken.is_some() {
            return Err(StoreError::invalid("username", format!("用户名“{username}”已存在")));
        }
        let salt = SaltString::generate(&mut OsRng);
        let hash = Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map_err(|e| StoreError::invalid("password", format!("无法处理该密码：{e}")))?
            .to_string();
        let mut q = Sql::new("INSERT INTO users (username, password_hash, role, org_id, member_id, created_at) VALUES (");
        q.arg(username).push(", ").arg(hash).push(", ").arg(role.code()).push(", ").arg(org_id).push(", ").arg(member_id);
        q.push(", ").arg(crate::now_text()).push(") RETURNING id, username, role, org_id, member_id");
        user_from(&q.query().fetch_one(&self.pool).await?)
    }

    /// Checks a username and password; `None` for either wrong (indistinguishably).
    pub async fn authenticate(&self, username: &str, password: &str) -> Result<Option<User>, StoreError> {
        let row = sqlx::query("SELECT id, username, role, org_id, member_id, password_hash FROM users WHERE username = $1 AND disabled = 0")
            .bind(username.trim())
            .fetch_optional(&self.pool)
            .await?;
        let Some(row) = row else {
            // Same work as a real check, so timing does not reveal which usernames exist.
            let _ = Argon2::default().hash_password(password.as_bytes(), &SaltString::generate(&mut OsRng));
            return Ok(None);
        };
        let stored = row.s("password_hash")?;
        let parsed = PasswordHash::new(&stored).map_err(|e| StoreError::Corrupt(format!("password_hash: {e}")))?;
        if Argon2::default().verify_password(password.as_bytes(), &parsed).is_err() {
            return Ok(None);
        }
        Ok(Some(user_from(&row)?))
    }

    /// Starts a session; returns the secret token (cookie or bearer) and the session.
    pub async fn create_session(&self, user: &User) -> Result<(String, SessionInfo), StoreError> {
        let token = random_token();
        let csrf = random_token();
        let now = chrono::Utc::now();
        let expires = (now + chrono::Duration::hours(SESSION_HOURS)).format("%Y-%m-%dT%H:%M:%SZ").to_string();
        sqlx::query("INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(token_hash(&token))
            .bind(user.id)
            .bind(&csrf)
            .bind(crate::now_text())
            .bind(expires)
            .execute(&self.pool)
            .await?;
        Ok((token, SessionInfo { user: user.clone(), csrf_token: csrf }))
    }

    /// The live session for a token, if any.
    pub async fn session(&self, token: &str) -> Result<Option<SessionInfo>, StoreError> {
        let row = sqlx::query(
            "SELECT u.id, u.username, u.role, u.org_id, u.member_id, s.csrf_token FROM sessions s JOIN users u ON u.id = s.user_id \
             WHERE s.token_hash = $1 AND s.revoked_at IS NULL AND s.expires_at > $2 AND u.disabled = 0",
        )
        .bind(token_hash(token))
        .bind(crate::now_text())
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| Ok(SessionInfo { user: user_from(&r)?, csrf_token: r.s("csrf_token")? })).transpose()
    }

    /// Ends a session (kept, marked revoked).
    pub async fn revoke_session(&self, token: &str) -> Result<(), StoreError> {
        sqlx::query("UPDATE sessions SET revoked_at = $1 WHERE token_hash = $2")
            .bind(crate::now_text())
            .bind(token_hash(token))
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The scope a user reads and writes with; the only way to a subtree scope.
    pub async fn scope_for(&self, user: &User) -> Result<Scope, StoreError> {
        match (user.role, user.org_id, user.member_id) {
            (Role::Admin, None, _) => Ok(Scope::jurisdiction()),
            (Role::Admin | Role::Secretary, Some(o), _) => self.subtree_scope(o).await,
            (Role::Member, _, Some(m)) => Ok(Scope::own_record(m)),
            _ => Err(StoreError::NotFound { what: "账号的权限范围" }),
        }
    }

    /// The subtree of organisation `org_id` (for the CLI acting on one organisation).
    pub async fn subtree_scope(&self, org_id: i64) -> Result<Scope, StoreError> {
        let org = self.org(&Scope::jurisdiction(), org_id).await?;
        Ok(Scope::subtree(org.id, org.path))
    }
}
