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

/// An organisation's name as the field writes it in running text (简称): "中共" dropped and
/// the formal suffix replaced by its short form, never cut mid-name:
/// 中共三永村第1支部委员会 → 三永村第1党支部, 中共凤湾村总支部委员会 → 凤湾村党总支,
/// 中共寨坊街道工作委员会 → 寨坊街道党工委, 中共县教育局委员会 → 县教育局党委,
/// 中共西鹿县委员会 → 西鹿县委.
pub fn short_name(name: &str) -> String {
    let n = name.trim().trim_start_matches("中共");
    // Longest suffix first, so 总支部委员会 is not read as 支部委员会.
    const SUFFIXES: &[(&str, &str)] = &[
        ("党总支部委员会", "党总支"),
        ("总支部委员会", "党总支"),
        ("党支部委员会", "党支部"),
        ("支部委员会", "党支部"),
        ("工作委员会", "工委"),
        ("委员会", "委"),
    ];
    for (long, short) in SUFFIXES {
        if let Some(stem) = n.strip_suffix(long) {
            if stem.is_empty() {
                break;
            }
            // A county, city or province committee is 县委/市委/省委; a township's or a
            // bureau's is 党委; a street's 党工委, other working committees 工委.
            return match *short {
                "委" if ends_with_place(stem) && !stem.ends_with('镇') && !stem.ends_with('乡') => format!("{stem}委"),
                "委" => format!("{stem}党委"),
                "工委" if stem.ends_with("街道") => format!("{stem}党工委"),
                s => format!("{stem}{s}"),
            };
        }
    }
    n.to_string()
}

/// The place a local or township committee leads (西鹿县, 松岭镇, 寨坊街道), if the name
/// is such a committee's; `None` for branches and committees of units.
pub fn place_name(name: &str) -> Option<String> {
    let n = name.trim().trim_start_matches("中共");
    let stem = n.strip_suffix("工作委员会").or_else(|| n.strip_suffix("委员会"))?;
    ends_with_place(stem).then(|| stem.to_string())
}

fn ends_with_place(s: &str) -> bool {
    let not_a_place = ["社区", "小区", "园区", "景区", "片区"].iter().any(|p| s.ends_with(p));
    !not_a_place && ["省", "自治区", "市", "州", "盟", "县", "旗", "区", "镇", "乡", "街道"].iter().any(|p| s.ends_with(p)) && s.chars().count() >= 2
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
    #[test]
    fn names_are_shortened_as_the_field_writes_them_never_cut() {
        for (full, short) in [
            ("中共三永村第1支部委员会", "三永村第1党支部"),
            ("中共凤湾村总支部委员会", "凤湾村党总支"),
            ("中共华永社区第10网格支部委员会", "华永社区第10网格党支部"),
            ("中共寨坊街道工作委员会", "寨坊街道党工委"),
            ("中共县直机关工作委员会", "县直机关工委"),
            ("中共县教育局委员会", "县教育局党委"),
            ("中共松岭镇委员会", "松岭镇党委"),
            ("中共西鹿县委员会", "西鹿县委"),
            ("中共丰坝机械有限公司第3支部委员会", "丰坝机械有限公司第3党支部"),
            ("青松村党支部", "青松村党支部"),
            ("中共华永社区委员会", "华永社区党委"),
            ("中共西湖区委员会", "西湖区委"),
            ("委员会", "委员会"),
        ] {
            assert_eq!(super::short_name(full), short, "{full}");
        }
        assert_eq!(super::place_name("中共西鹿县委员会").as_deref(), Some("西鹿县"));
        assert_eq!(super::place_name("中共寨坊街道工作委员会").as_deref(), Some("寨坊街道"));
        assert_eq!(super::place_name("中共松岭镇委员会").as_deref(), Some("松岭镇"));
        assert_eq!(super::place_name("中共县教育局委员会"), None);
        assert_eq!(super::place_name("中共三永村第1支部委员会"), None);
    }

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
