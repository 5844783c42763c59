//! Users and their roles (用户与角色).

use serde::Serialize;

labelled_enum!(
    /// What a user may see: the role fixes the kind of scope, the user's org or member fixes where.
    Role, "角色", {
    /// 组织部管理员: the whole jurisdiction or a subtree.
    Admin = ("admin", "组织部管理员"),
    /// 党组织书记 / 党务工作者: own organisation and below.
    Secretary = ("secretary", "党组织书记/党务工作者"),
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
