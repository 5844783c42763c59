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

/// How long sessions last (会话时限): unused for `idle_minutes` or older than
/// `absolute_hours`, a session ends and the user logs in again.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SessionPolicy {
    pub idle_minutes: i64,
    pub absolute_hours: i64,
}

impl Default for SessionPolicy {
    fn default() -> Self {
        SessionPolicy { idle_minutes: 120, absolute_hours: 12 }
    }
}

fn utc(t: chrono::DateTime<chrono::Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// A live session: its user and the CSRF token its forms must carry.
#[derive(Debug, Clone)]
pub struct SessionInfo {
    pub user: User,
    pub csrf_token: String,
}

fn user_from(r: &AnyRow) -> Result<User, StoreError> {
    Ok(User { id: r.i("id")?, username: r.s("username")?, role: r.e("role")?, org_id: r.oi("org_id")?, member_id: r.oi("member_id")? })
}

/// An argon2id hash, computed on a blocking thread (tens of milliseconds of CPU that
/// must not hold up the async workers serving everyone else).
async fn hash_password(password: &str) -> Result<String, StoreError> {
    let password = password.to_string();
    tokio::task::spawn_blocking(move || {
        Argon2::default()
            .hash_password(password.as_bytes(), &SaltString::generate(&mut OsRng))
            .map(|h| h.to_string())
            .map_err(|e| StoreError::invalid("password", format!("无法处理该密码：{e}")))
    })
    .await
    .unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic()))
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
        domain::user::check_password(username, password).map_err(|m| StoreError::invalid("password", m))?;
        let all = Scope::jurisdiction();
        match role {
            Role::Secretary if org_id.is_none() => return Err(StoreError::invalid("org", "党组织书记/党务工作者账号必须指定所在党组织（--org）")),
            Role::GroupLeader if org_id.is_none() => return Err(StoreError::invalid("org", "党小组长账号必须指定所在党小组（--org）")),
            Role::Member if member_id.is_none() => return Err(StoreError::invalid("member", "党员账号必须指定党员本人的记录（--member）")),
            _ => {}
        }
        if let Some(o) = org_id {
            let org = self.org(&all, o).await.map_err(|_| crate::orgs::org_field_error("org", o))?;
            // A group's members sit in the branch: only the group role reads them right.
            match (role, org.level == domain::org::OrgLevel::Group) {
                (Role::GroupLeader, false) => return Err(StoreError::invalid("org", format!("“{}”不是党小组：党小组长账号须指定一个党小组", org.name))),
                (Role::Admin | Role::Secretary, true) => {
                    return Err(StoreError::invalid("org", format!("“{}”是党小组：党小组的账号请用角色 group_leader（党小组长）", org.name)))
                }
                _ => {}
            }
        }
        if let Some(m) = member_id {
            self.member(&all, m).await.map_err(|_| StoreError::invalid("member", format!("党员（编号{m}）不存在")))?;
        }
        let taken: Option<i64> = sqlx::query_scalar("SELECT id FROM users WHERE username = $1").bind(username).fetch_optional(&self.pool).await?;
        if taken.is_some() {
            return Err(StoreError::invalid("username", format!("用户名“{username}”已存在")));
        }
        let hash = hash_password(password).await?;
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
            let _ = hash_password(password).await;
            return Ok(None);
        };
        let stored = row.s("password_hash")?;
        PasswordHash::new(&stored).map_err(|e| StoreError::Corrupt(format!("password_hash: {e}")))?;
        let given = password.to_string();
        let matches = tokio::task::spawn_blocking(move || {
            let parsed = PasswordHash::new(&stored).expect("parsed above");
            Argon2::default().verify_password(given.as_bytes(), &parsed).is_ok()
        })
        .await
        .unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic()));
        if !matches {
            return Ok(None);
        }
        Ok(Some(user_from(&row)?))
    }

    /// Starts a session; returns the secret token (cookie or bearer) and the session.
    pub async fn create_session(&self, user: &User) -> Result<(String, SessionInfo), StoreError> {
        let token = random_token();
        let csrf = random_token();
        let now = chrono::Utc::now();
        let expires = utc(now + chrono::Duration::hours(self.sessions.absolute_hours));
        sqlx::query("INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at, last_seen_at) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(token_hash(&token))
            .bind(user.id)
            .bind(&csrf)
            .bind(crate::now_text())
            .bind(expires)
            .bind(utc(now))
            .execute(&self.pool)
            .await?;
        Ok((token, SessionInfo { user: user.clone(), csrf_token: csrf }))
    }

    /// The live session for a token, if any.
    /// The live session for a token, if any: not revoked, not past its absolute end, used
    /// within the idle time, its user not disabled. Using it keeps it alive.
    pub async fn session(&self, token: &str) -> Result<Option<SessionInfo>, StoreError> {
        let now = chrono::Utc::now();
        let idle_since = utc(now - chrono::Duration::minutes(self.sessions.idle_minutes));
        let hash = token_hash(token);
        let row = sqlx::query(
            "SELECT u.id, u.username, u.role, u.org_id, u.member_id, s.csrf_token, s.last_seen_at FROM sessions s JOIN users u ON u.id = s.user_id \
             WHERE s.token_hash = $1 AND s.revoked_at IS NULL AND s.expires_at > $2 AND u.disabled = 0 AND (s.last_seen_at IS NULL OR s.last_seen_at > $3)",
        )
        .bind(&hash)
        .bind(utc(now))
        .bind(&idle_since)
        .fetch_optional(&self.pool)
        .await?;
        let Some(r) = row else { return Ok(None) };
        // Written at most once a minute, not on every request.
        let seen = r.os("last_seen_at")?.unwrap_or_default();
        if seen < utc(now - chrono::Duration::minutes(1)) {
            sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2").bind(utc(now)).bind(&hash).execute(&self.pool).await?;
        }
        Ok(Some(SessionInfo { user: user_from(&r)?, csrf_token: r.s("csrf_token")? }))
    }

    /// Ends every session of a user (退出所有设备), but `keep` if given.
    pub async fn revoke_user_sessions(&self, user_id: i64, keep: Option<&str>) -> Result<u64, StoreError> {
        let keep = keep.map(token_hash).unwrap_or_default();
        let r = sqlx::query("UPDATE sessions SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL AND token_hash <> $3").bind(crate::now_text()).bind(user_id).bind(keep).execute(&self.pool).await?;
        Ok(r.rows_affected())
    }

    /// Changes a user's password under the policy; the current one must be given unless an
    /// administrator resets it (`current = None`). Every other session of the user ends.
    pub async fn set_password(&self, user: &User, current: Option<&str>, new: &str, keep_session: Option<&str>) -> Result<(), StoreError> {
        if let Some(c) = current {
            if self.authenticate(&user.username, c).await?.is_none() {
                return Err(StoreError::invalid("current", "当前密码不正确"));
            }
        }
        domain::user::check_password(&user.username, new).map_err(|m| StoreError::invalid("password", m))?;
        let hash = hash_password(new).await?;
        sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2").bind(hash).bind(user.id).execute(&self.pool).await?;
        self.revoke_user_sessions(user.id, keep_session).await?;
        Ok(())
    }

    /// A user by name (administration from the CLI).
    pub async fn user_by_name(&self, username: &str) -> Result<User, StoreError> {
        let row = sqlx::query("SELECT id, username, role, org_id, member_id FROM users WHERE username = $1").bind(username.trim()).fetch_optional(&self.pool).await?;
        row.map(|r| user_from(&r)).transpose()?.ok_or(StoreError::NotFound { what: "用户" })
    }

    /// Every user with whether they are disabled, by name (user administration).
    pub async fn users(&self) -> Result<Vec<(User, bool)>, StoreError> {
        let rows = sqlx::query("SELECT id, username, role, org_id, member_id, disabled FROM users ORDER BY username").fetch_all(&self.pool).await?;
        rows.iter().map(|r| Ok((user_from(r)?, r.b("disabled")?))).collect()
    }

    /// A user by id.
    pub async fn user_by_id(&self, id: i64) -> Result<User, StoreError> {
        let row = sqlx::query("SELECT id, username, role, org_id, member_id FROM users WHERE id = $1").bind(id).fetch_optional(&self.pool).await?;
        row.map(|r| user_from(&r)).transpose()?.ok_or(StoreError::NotFound { what: "用户" })
    }

    /// Disables (停用) or enables a user; a disabled user's sessions end at once.
    pub async fn set_user_disabled(&self, user: &User, disabled: bool) -> Result<(), StoreError> {
        sqlx::query("UPDATE users SET disabled = $1 WHERE id = $2").bind(i64::from(disabled)).bind(user.id).execute(&self.pool).await?;
        if disabled {
            self.revoke_user_sessions(user.id, None).await?;
        }
        Ok(())
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
        let scope = match (user.role, user.org_id, user.member_id) {
            (Role::Admin, None, _) => Scope::jurisdiction(),
            (Role::Admin | Role::Secretary, Some(o), _) => self.subtree_scope(o).await?,
            (Role::GroupLeader, Some(o), _) => {
                let org = self.org(&Scope::jurisdiction(), o).await?;
                Scope::group(org.id, org.path)
            }
            (Role::Member, _, Some(m)) => Scope::own_record(m),
            _ => return Err(StoreError::NotFound { what: "账号的权限范围" }),
        };
        Ok(scope.by(crate::Actor { user_id: Some(user.id), name: user.username.clone() }))
    }

    /// The subtree of organisation `org_id` (for the CLI acting on one organisation).
    pub async fn subtree_scope(&self, org_id: i64) -> Result<Scope, StoreError> {
        let org = self.org(&Scope::jurisdiction(), org_id).await?;
        Ok(Scope::subtree(org.id, org.path))
    }
}
