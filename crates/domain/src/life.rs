//! The records of organisational life and Party work beside meetings: 民主评议 grades,
//! 主题党日 themes, training, transfers of the organisational relationship, mobile members,
//! party-affairs workers, funding and work carriers (载体).

use crate::Date;
use serde::Serialize;

labelled_enum!(
    /// Grade in the yearly democratic evaluation (民主评议党员等次).
    EvaluationGrade, "评议等次", {
    Excellent = ("excellent", "优秀"),
    Qualified = ("qualified", "合格"),
    BasicallyQualified = ("basically_qualified", "基本合格"),
    Unqualified = ("unqualified", "不合格"),
});

labelled_enum!(
    /// What a meeting was about (内容类别): a themed party day's theme, or, for any
    /// meeting, that it only relayed documents from above (传达文件).
    ThemeCategory, "主题类别", {
    Study = ("study", "理论学习"),
    Volunteer = ("volunteer", "志愿服务"),
    RedEducation = ("red_education", "红色教育"),
    PovertyRelief = ("poverty_relief", "扶贫帮困"),
    CivilisationPractice = ("civilisation_practice", "文明实践"),
    Development = ("development", "服务发展"),
    DocumentsOnly = ("documents_only", "传达文件"),
    Other = ("other", "其他"),
});

labelled_enum!(
    /// How training hours were earned (培训方式).
    TrainingChannel, "培训方式", {
    Classroom = ("classroom", "集中学习"),
    Distance = ("distance", "远程教育"),
    OnlineLesson = ("online_lesson", "网上党课"),
    XuexiQiangguo = ("xuexi_qiangguo", "学习强国"),
    Other = ("other", "其他"),
});

labelled_enum!(
    /// Direction of a transfer of the organisational relationship (组织关系转接).
    TransferDirection, "转接方向", {
    Out = ("out", "转出"),
    In = ("in", "转入"),
});

labelled_enum!(
    /// Direction of a mobile member (流动党员).
    MobileDirection, "流动方向", {
    Out = ("out", "流出"),
    In = ("in", "流入"),
});

labelled_enum!(
    /// Party-affairs worker's post (党务工作者).
    WorkerKind, "岗位性质", {
    FullTime = ("full_time", "专职"),
    PartTime = ("part_time", "兼职"),
});

labelled_enum!(
    /// Where an organisation's working funds come from (党建工作经费来源).
    FundingSource, "经费来源", {
    Allocation = ("allocation", "上级拨款"),
    DuesReturn = ("dues_return", "党费返还"),
    Budget = ("budget", "财政保障"),
    SelfRaised = ("self_raised", "自筹"),
});

labelled_enum!(
    /// A carrier of Party work (党建工作载体).
    CarrierKind, "载体类型", {
    ModelPost = ("model_post", "党员示范岗"),
    ResponsibilityZone = ("responsibility_zone", "党员责任区"),
    WechatAccount = ("wechat_account", "党建公众号"),
    OnlineLesson = ("online_lesson", "网上党课"),
});

/// A transfer letter (组织关系介绍信).
#[derive(Debug, Clone, Serialize)]
pub struct Transfer {
    pub id: i64,
    pub member_id: i64,
    pub member_name: String,
    pub org_id: i64,
    pub direction: TransferDirection,
    pub letter_no: String,
    pub issued_on: Date,
    /// 有效期（天）
    pub valid_days: u32,
    /// 党费交至（YYYY-MM）
    pub dues_paid_to: String,
    /// 对方党组织
    pub counterpart: String,
    /// 回执 / 报到日期
    pub received_on: Option<Date>,
}

impl Transfer {
    /// Last day the letter is valid.
    pub fn valid_until(&self) -> Date {
        self.issued_on + chrono::Duration::days(self.valid_days as i64)
    }
    /// An outgoing letter past its validity with no receipt: a 口袋党员 at risk.
    pub fn is_lapsed(&self, as_of: Date) -> bool {
        self.direction == TransferDirection::Out && self.received_on.is_none() && self.valid_until() < as_of
    }
}

/// A mobile member's record (流动党员).
#[derive(Debug, Clone, Serialize)]
pub struct MobileRecord {
    pub id: i64,
    pub member_id: i64,
    pub member_name: String,
    pub direction: MobileDirection,
    /// 流出（入）地
    pub place: String,
    /// 流动党员活动证编号
    pub certificate_no: Option<String>,
    pub since: Date,
    pub until: Option<Date>,
}
