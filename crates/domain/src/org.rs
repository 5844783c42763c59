//! Party organisations (党组织): the tree, committees (支部委员会) and venues (阵地).

use crate::Date;
use chrono::{Datelike, NaiveDate};
use serde::Serialize;

labelled_enum!(
    /// Level of an organisation in the tree (组织层级).
    OrgLevel, "组织层级", {
    /// 地方党委 / 工委: the county, city or province committee at the top of a jurisdiction.
    LocalCommittee = ("local_committee", "地方党委"),
    /// 基层党委
    GrassrootsCommittee = ("grassroots_committee", "基层党委"),
    /// 党总支
    GeneralBranch = ("general_branch", "党总支"),
    /// 党支部
    Branch = ("branch", "党支部"),
    /// 党小组
    Group = ("group", "党小组"),
});

impl OrgLevel {
    /// Which levels may sit directly below this one.
    pub fn may_contain(self, child: OrgLevel) -> bool {
        use OrgLevel::*;
        match self {
            LocalCommittee => matches!(child, LocalCommittee | GrassrootsCommittee | GeneralBranch | Branch),
            GrassrootsCommittee => matches!(child, GrassrootsCommittee | GeneralBranch | Branch),
            GeneralBranch => matches!(child, Branch),
            Branch => matches!(child, Group),
            Group => false,
        }
    }
    /// Organisations that hold members' formal relationship (组织关系).
    pub fn holds_members(self) -> bool {
        !matches!(self, OrgLevel::Group | OrgLevel::LocalCommittee)
    }
}

labelled_enum!(
    /// Sector of an organisation (所在单位类别), as in the national statistics.
    Sector, "所属领域", {
    Organ = ("organ", "机关"),
    PublicInstitution = ("public_institution", "事业单位"),
    StateEnterprise = ("state_enterprise", "国有企业"),
    NonPublicEnterprise = ("non_public_enterprise", "非公有制企业"),
    SocialOrganisation = ("social_organisation", "社会组织"),
    Township = ("township", "乡镇"),
    Village = ("village", "行政村"),
    Street = ("street", "街道"),
    Community = ("community", "社区"),
    School = ("school", "学校"),
    Other = ("other", "其他"),
});

labelled_enum!(
    /// Committee post (支部委员会职务).
    CommitteeRole, "职务", {
    Secretary = ("secretary", "书记"),
    DeputySecretary = ("deputy_secretary", "副书记"),
    Member = ("member", "委员"),
});

labelled_enum!(
    /// Kind of venue (阵地).
    VenueKind, "阵地类型", {
    ActivityRoom = ("activity_room", "党员活动室"),
    ServiceCenter = ("service_center", "党群服务中心"),
    Other = ("other", "其他场所"),
});

/// A stored organisation.
#[derive(Debug, Clone, Serialize)]
pub struct Org {
    pub id: i64,
    /// Stable code (组织代码), unique in the jurisdiction.
    pub code: String,
    pub name: String,
    pub level: OrgLevel,
    pub sector: Sector,
    pub parent_id: Option<i64>,
    /// Materialized path of ids, `/1/5/23/`: the subtree of X is every path starting with X's.
    #[serde(skip)]
    pub path: String,
    pub depth: i64,
    /// GB/T 2260 (6 digits) or statistics code (12 digits).
    pub region_code: String,
    /// Community grid (网格) the organisation is set on, if any.
    pub grid_id: Option<i64>,
    /// The unit (基层单位) this organisation is formed in, if any.
    pub unit_id: Option<i64>,
    pub founded_on: Option<Date>,
    /// Date of the last committee election (换届选举).
    pub elected_on: Option<Date>,
    /// Term in years of the elected committee.
    pub term_years: Option<i64>,
    /// Direct active members (not the subtree); see `Store::subtree_member_count`.
    pub direct_members: i64,
    pub dissolved_on: Option<Date>,
}

impl Org {
    /// When the next election (换届) is due: the last election plus the term.
    pub fn next_election_due(&self) -> Option<Date> {
        let (e, t) = (self.elected_on?, self.term_years?);
        add_years(e, t as i32)
    }
}

/// Adds whole years; 29 February becomes 28 February in a common year.
pub fn add_years(d: Date, years: i32) -> Option<Date> {
    let y = d.year() + years;
    NaiveDate::from_ymd_opt(y, d.month(), d.day()).or_else(|| NaiveDate::from_ymd_opt(y, d.month(), 28))
}

/// A new organisation as entered; checked by [`NewOrg::validate`] and by the store
/// (parent in scope, code unique).
#[derive(Debug, Clone, serde::Deserialize)]
pub struct NewOrg {
    pub code: String,
    pub name: String,
    pub level: OrgLevel,
    pub sector: Sector,
    pub parent_id: Option<i64>,
    pub region_code: String,
    #[serde(default)]
    pub grid_id: Option<i64>,
    #[serde(default)]
    pub unit_id: Option<i64>,
    #[serde(default, deserialize_with = "crate::dates::de_opt_day")]
    pub founded_on: Option<Date>,
    #[serde(default, deserialize_with = "crate::dates::de_opt_day")]
    pub elected_on: Option<Date>,
    #[serde(default)]
    pub term_years: Option<i64>,
}

impl NewOrg {
    pub fn validate(&self) -> Result<(), crate::ValidationError> {
        let mut c = crate::error::Collector::default();
        let code = self.code.trim();
        if code.is_empty() {
            c.push(crate::FieldError::new("code", "组织代码未填写：须为1–40位字母、数字、“-”或“_”"));
        } else if code.len() > 40 || !code.chars().all(|ch| ch.is_ascii_alphanumeric() || ch == '-' || ch == '_') {
            c.push(crate::FieldError::new("code", format!("组织代码“{}”无效：须为1–40位字母、数字、“-”或“_”", self.code)));
        }
        if self.name.trim().is_empty() {
            c.push(crate::FieldError::new("name", "组织名称不能为空"));
        }
        c.check(crate::region::check_region_code(&self.region_code));
        if let Some(t) = self.term_years {
            if !(1..=10).contains(&t) {
                c.push(crate::FieldError::new("term_years", format!("任期“{t}”年不合理，应为1–10年")));
            }
        }
        c.finish()
    }
}

/// A committee post held by a person (支部委员会成员).
#[derive(Debug, Clone, Serialize)]
pub struct CommitteePost {
    pub id: i64,
    pub org_id: i64,
    pub role: CommitteeRole,
    pub member_id: Option<i64>,
    pub person_name: String,
    pub start_on: Date,
    pub end_on: Option<Date>,
}

/// A committee post as entered (班子成员): the role, the holder's name and the term.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct CommitteePostInput {
    pub role: String,
    pub person_name: String,
    pub start_on: String,
    #[serde(default)]
    pub end_on: Option<String>,
}

/// A checked committee post (its organisation and member link are the store's business).
#[derive(Debug, Clone, PartialEq)]
pub struct NewCommitteePost {
    pub role: CommitteeRole,
    pub person_name: String,
    pub start_on: Date,
    pub end_on: Option<Date>,
}

impl CommitteePostInput {
    /// Every field checked, all errors at once: a known role, a name, a start not after
    /// today and an end not before the start.
    pub fn validate(&self, today: Date) -> Result<NewCommitteePost, crate::ValidationError> {
        use crate::Labelled;
        let mut c = crate::error::Collector::default();
        let role = c.check(CommitteeRole::parse_field("role", &self.role));
        let person_name = self.person_name.trim().to_string();
        if person_name.is_empty() || person_name.chars().count() > 30 {
            c.push(crate::FieldError::new("person_name", "姓名不能为空，且不超过30个字"));
        }
        let start = c.check(crate::dates::parse_past_day("start_on", "任职日期", &self.start_on, today));
        let end = match self.end_on.as_deref().map(str::trim).filter(|e| !e.is_empty()) {
            Some(e) => c.check(crate::parse_date("end_on", "离任日期", e)),
            None => None,
        };
        if let (Some(s), Some(x)) = (start, end) {
            if x < s {
                c.push(crate::FieldError::new("end_on", format!("离任日期{x}早于任职日期{s}")));
            }
        }
        c.finish()?;
        Ok(NewCommitteePost { role: role.expect("checked"), person_name, start_on: start.expect("checked"), end_on: end })
    }
}

/// A venue (阵地): activity room or party-mass service centre.
#[derive(Debug, Clone, Serialize)]
pub struct Venue {
    pub id: i64,
    pub org_id: i64,
    pub kind: VenueKind,
    pub name: String,
    /// Floor area in square metres.
    pub area_m2: Option<f64>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Labelled;

    #[test]
    fn next_election_and_leap_days() {
        let d = NaiveDate::from_ymd_opt(2024, 2, 29).unwrap();
        assert_eq!(add_years(d, 3), NaiveDate::from_ymd_opt(2027, 2, 28));
        assert!(OrgLevel::Branch.may_contain(OrgLevel::Group));
        assert!(!OrgLevel::Group.may_contain(OrgLevel::Branch));
        assert_eq!(Sector::parse("行政村"), Some(Sector::Village));
        assert_eq!(Sector::parse("village"), Some(Sector::Village));
        assert!(Sector::parse_field("sector", "农村").unwrap_err().message.contains("所属领域"));
    }
}
