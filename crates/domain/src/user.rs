//! Users and their roles (用户与角色).

use serde::Serialize;

labelled_enum!(
    /// What a user may see: the role fixes the kind of scope, the user's org or member fixes where.
    Role, "角色", {
    /// 组织部管理员: the whole jurisdiction or a subtree.
    Admin = ("admin", "组织部管理员"),
    /// 党组织书记 / 党务工作者: own organisation and below.
    Secretary = ("secretary", "党组织书记/党务工作者"),
    /// 党小组长: the members of one 党小组 (their relationship stays in the branch), and
    /// the group's own meetings.
    GroupLeader = ("group_leader", "党小组长"),
    /// 党员: own record.
    Member = ("member", "党员"),
});

#[derive(Debug, Clone, Serialize)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub role: Role,
    /// Root of the scope for admin/secretary; `None` for an admin = whole jurisdiction.
    pub org_id: Option<i64>,
    /// The member's own record, for the member role.
    pub member_id: Option<i64>,
}

/// Shortest password accepted.
pub const PASSWORD_MIN_CHARS: usize = 10;

const COMMON: &str = include_str!("../rules/common_passwords.txt");

/// The password policy (密码要求): at least 10 characters, not one of the common passwords
/// (rules/common_passwords.txt), not the username nor containing it, not one character
/// repeated. The reason is said in Chinese.
pub fn check_password(username: &str, password: &str) -> Result<(), String> {
    if password.chars().count() < PASSWORD_MIN_CHARS {
        return Err(format!("密码至少{PASSWORD_MIN_CHARS}位"));
    }
    let lower = password.to_lowercase();
    let name = username.trim().to_lowercase();
    if !name.is_empty() && lower.contains(&name) {
        return Err("密码不能包含用户名".into());
    }
    let mut chars = lower.chars();
    let first = chars.next();
    if chars.all(|c| Some(c) == first) {
        return Err("密码不能是同一个字符重复".into());
    }
    if COMMON.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')).any(|c| c == lower) {
        return Err("这个密码太常见，容易被猜中，请换一个".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn weak_passwords_are_refused_with_the_reason() {
        use super::check_password as c;
        assert!(c("zhang", "12345678").unwrap_err().contains("至少10位"));
        assert!(c("zhang", "1234567890").unwrap_err().contains("太常见"));
        assert!(c("zhang", "Password123").unwrap_err().contains("太常见"));
        assert!(c("zhangsan01", "zhangsan01").unwrap_err().contains("用户名"));
        assert!(c("li", "xx-LI-2026-abc").unwrap_err().contains("用户名"));
        assert!(c("zhang", "aaaaaaaaaaaa").unwrap_err().contains("重复"));
        assert!(c("zhang", "correct-horse").is_ok());
    }
}
