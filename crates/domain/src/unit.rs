//! Grassroots units (基层单位) of a jurisdiction, with or without a Party organisation,
//! so that organisation coverage (组织覆盖) and work coverage (工作覆盖) can be measured.

use serde::Serialize;

labelled_enum!(
    /// Kind of unit (单位类型).
    UnitKind, "单位类型", {
    Village = ("village", "行政村"),
    Community = ("community", "社区"),
    Organ = ("organ", "机关"),
    PublicInstitution = ("public_institution", "事业单位"),
    StateEnterprise = ("state_enterprise", "国有企业"),
    NonPublicEnterprise = ("non_public_enterprise", "非公有制企业"),
    SocialOrganisation = ("social_organisation", "社会组织"),
    School = ("school", "学校"),
});

labelled_enum!(
    /// New fields (新兴领域) flagged on a unit.
    NewField, "新兴领域", {
    Internet = ("internet", "互联网企业"),
    Platform = ("platform", "平台企业"),
    NewEmployment = ("new_employment", "新就业群体"),
});

labelled_enum!(
    /// How the Party covers a unit (覆盖方式).
    Coverage, "覆盖方式", {
    /// Own organisation (单独组建).
    Own = ("own", "单独组建党组织"),
    /// Joint branch with other units (联合党支部).
    Joint = ("joint", "联合组建党支部"),
    /// Work coverage only, through a Party-building instructor (选派党建指导员).
    WorkOnly = ("work_only", "工作覆盖（党建指导员）"),
    None = ("none", "未覆盖"),
});

labelled_enum!(
    /// Sub-units: 村民小组 of a village, 网格 of a community.
    SubUnitKind, "下级单元类型", {
    VillageGroup = ("village_group", "村民小组"),
    Grid = ("grid", "网格"),
});

/// A stored unit.
#[derive(Debug, Clone, Serialize)]
pub struct Unit {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub kind: UnitKind,
    pub region_code: String,
    /// The organisation in whose jurisdiction the unit lies (scope of who may see it).
    pub owner_org_id: i64,
    pub employees: i64,
    /// Party members working in the unit (wherever their relationship sits).
    pub party_members: i64,
    /// Of which full members (正式党员): ≥ 3 means it must form its own branch.
    pub full_members: i64,
    pub new_field: Option<NewField>,
    pub coverage: Coverage,
    /// The organisation covering it (own or joint), if any.
    pub covering_org_id: Option<i64>,
    /// Party-building instructor (党建指导员) for work-only coverage.
    pub instructor: Option<String>,
}

/// A village group or a community grid.
#[derive(Debug, Clone, Serialize)]
pub struct SubUnit {
    pub id: i64,
    pub unit_id: i64,
    pub kind: SubUnitKind,
    pub name: String,
    /// The organisation (e.g. grid branch) set on it, if any.
    pub org_id: Option<i64>,
}
