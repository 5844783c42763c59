//! What a caller may read: the whole jurisdiction, an organisation subtree, or one
//! member's own record. Only the store can make a subtree scope (from a stored path), so
//! a handler cannot widen what it reads.

use crate::query::Sql;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Kind {
    Jurisdiction,
    Subtree { root_id: i64, path: String },
    /// A 党小组: the group itself, and the members whose `group_id` it is.
    Group { group_id: i64, path: String },
    OwnRecord { member_id: i64 },
}

/// Who acts through a scope (操作人), for the audit log: a user, or the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub user_id: Option<i64>,
    pub name: String,
}

impl Actor {
    /// The command line (an operator on the server).
    pub fn command_line() -> Actor {
        let who = std::env::var("USER").or_else(|_| std::env::var("LOGNAME")).unwrap_or_default();
        Actor { user_id: None, name: if who.is_empty() { "命令行".into() } else { format!("命令行（{who}）") } }
    }
}

/// The part of the registry a caller may read and write, and who the caller is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope(Kind, Option<Actor>);

impl Scope {
    /// The whole jurisdiction (全辖区): the CLI and an admin without an organisation.
    pub fn jurisdiction() -> Scope {
        Scope(Kind::Jurisdiction, None)
    }
    pub(crate) fn subtree(root_id: i64, path: String) -> Scope {
        Scope(Kind::Subtree { root_id, path }, None)
    }
    pub(crate) fn group(group_id: i64, path: String) -> Scope {
        Scope(Kind::Group { group_id, path }, None)
    }
    pub(crate) fn own_record(member_id: i64) -> Scope {
        Scope(Kind::OwnRecord { member_id }, None)
    }
    /// The same scope, acted in by `actor`.
    pub fn by(mut self, actor: Actor) -> Scope {
        self.1 = Some(actor);
        self
    }
    /// Who acts (none: not said, e.g. tests and the generator).
    pub fn actor(&self) -> Option<&Actor> {
        self.1.as_ref()
    }
    /// The root organisation of a subtree scope.
    pub fn root_org(&self) -> Option<i64> {
        match &self.0 {
            Kind::Subtree { root_id, .. } => Some(*root_id),
            Kind::Group { group_id, .. } => Some(*group_id),
            _ => None,
        }
    }
    /// The member of an own-record scope.
    pub fn own_member(&self) -> Option<i64> {
        match &self.0 {
            Kind::OwnRecord { member_id } => Some(*member_id),
            _ => None,
        }
    }
    /// A 党小组 scope (党小组长): members of the group, not the branch's other records.
    pub fn is_group(&self) -> bool {
        matches!(self.0, Kind::Group { .. })
    }
    pub fn is_jurisdiction(&self) -> bool {
        self.0 == Kind::Jurisdiction
    }

    /// Appends ` AND (…)` restricting organisation alias `o` to the scope.
    pub(crate) fn orgs(&self, sql: &mut Sql, o: &str) {
        match &self.0 {
            Kind::Jurisdiction => {}
            Kind::Subtree { path, .. } | Kind::Group { path, .. } => {
                let (lo, hi) = path_range(path);
                sql.push(&format!(" AND {o}.path >= ")).arg(lo).push(&format!(" AND {o}.path < ")).arg(hi);
            }
            Kind::OwnRecord { .. } => {
                sql.push(" AND 1 = 0");
            }
        }
    }

    /// Appends ` AND (…)` restricting member alias `m`, whose organisation is joined as `o`.
    pub(crate) fn members(&self, sql: &mut Sql, m: &str, o: &str) {
        match &self.0 {
            Kind::OwnRecord { member_id } => {
                sql.push(&format!(" AND {m}.id = ")).arg(*member_id);
            }
            // The members' relationship sits in the branch, outside the group's path.
            Kind::Group { group_id, .. } => {
                sql.push(&format!(" AND {m}.group_id = ")).arg(*group_id);
            }
            _ => self.orgs(sql, o),
        }
    }
}

impl Scope {
    /// Appends ` AND (…)` restricting meeting alias `mt`, held by organisation `o`: a
    /// member reads the meetings on their own attendance record; a 党小组 the group's
    /// meetings and those its members were on the roll of.
    pub(crate) fn meetings(&self, sql: &mut Sql, mt: &str, o: &str) {
        match &self.0 {
            Kind::OwnRecord { member_id } => {
                sql.push(&format!(" AND EXISTS (SELECT 1 FROM attendance sa WHERE sa.meeting_id = {mt}.id AND sa.member_id = ")).arg(*member_id).push(")");
            }
            Kind::Group { group_id, .. } => {
                sql.push(&format!(" AND ({o}.id = ")).arg(*group_id);
                sql.push(&format!(" OR EXISTS (SELECT 1 FROM attendance sa JOIN members sm ON sm.id = sa.member_id WHERE sa.meeting_id = {mt}.id AND sm.group_id = ")).arg(*group_id).push("))");
            }
            _ => self.orgs(sql, o),
        }
    }
}

/// The half-open range of paths in the subtree of `path` (`/1/5/` → [`/1/5/`, `/1/50`)):
/// `/` + 1 is `0`, so every descendant sorts inside it, byte-wise.
pub(crate) fn path_range(path: &str) -> (String, String) {
    let mut hi = path[..path.len() - 1].to_string();
    hi.push('0');
    (path.to_string(), hi)
}

#[cfg(test)]
mod tests {
    #[test]
    fn path_range_excludes_siblings_with_longer_ids() {
        let (lo, hi) = super::path_range("/1/5/");
        for inside in ["/1/5/", "/1/5/7/", "/1/5/99/3/"] {
            assert!(inside >= lo.as_str() && inside < hi.as_str(), "{inside}");
        }
        for outside in ["/1/50/", "/1/4/", "/1/6/", "/1/"] {
            assert!(!(outside >= lo.as_str() && outside < hi.as_str()), "{outside}");
        }
    }
}
