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

/// A training record as entered by a form, the API or an import (培训学时登记).
/// Read from a form or JSON; a field left out is empty, and the check says so.
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize)]
#[serde(default)]
pub struct TrainingInput {
    pub taken_on: String,
    #[serde(deserialize_with = "crate::numbers::text", default)]
    pub hours: Option<String>,
    pub channel: String,
    #[serde(default)]
    pub topic: String,
}

/// A checked training record.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Training {
    pub taken_on: Date,
    pub hours: f64,
    pub channel: TrainingChannel,
    pub topic: String,
}

impl TrainingInput {
    /// Every field checked, all errors at once: a day not after today, finite hours in
    /// (0, 80], a known channel and a topic (培训内容 is what the hours were for).
    pub fn validate(&self, today: Date) -> Result<Training, crate::ValidationError> {
        use crate::Labelled;
        let mut c = crate::error::Collector::default();
        let taken_on = c.check(crate::dates::parse_past_day("taken_on", "培训日期", &self.taken_on, today));
        let hours = c.check(crate::numbers::TRAINING_HOURS.parse("hours", self.hours.as_deref().unwrap_or("")));
        let channel = c.check(TrainingChannel::parse_field("channel", &self.channel));
        let topic = c.text("topic", "培训内容", &self.topic, 200);
        if topic.is_empty() {
            c.push(crate::FieldError::new("topic", "培训内容未填写：请写明学习的内容或课程名称"));
        }
        c.finish()?;
        Ok(Training { taken_on: taken_on.expect("checked"), hours: hours.expect("checked"), channel: channel.expect("checked"), topic })
    }
}

/// Working funds as entered (党建工作经费).
/// Read from a form or JSON; a field left out is empty, and the check says so.
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize)]
#[serde(default)]
pub struct FundingInput {
    #[serde(deserialize_with = "crate::numbers::text", default)]
    pub year: Option<String>,
    pub source: String,
    #[serde(deserialize_with = "crate::numbers::text", default)]
    pub amount: Option<String>,
    #[serde(default)]
    pub purpose: String,
}

/// Checked working funds.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Funding {
    pub year: i32,
    pub source: FundingSource,
    pub amount: f64,
    pub purpose: String,
}

impl FundingInput {
    pub fn validate(&self, today: Date) -> Result<Funding, crate::ValidationError> {
        use crate::Labelled;
        let mut c = crate::error::Collector::default();
        let this_year = chrono::Datelike::year(&today);
        let year_text = self.year.as_deref().unwrap_or("").trim().to_string();
        let year = match year_text.parse::<i32>() {
            Ok(y) if (1949..=this_year).contains(&y) => Some(y),
            Ok(y) => {
                c.push(crate::FieldError::new("year", format!("年度{y}不合理：应在1949到{this_year}年之间")));
                None
            }
            Err(_) if year_text.is_empty() => {
                c.push(crate::FieldError::new("year", "年度未填写，请填写4位年份，如2026"));
                None
            }
            Err(_) => {
                c.push(crate::FieldError::new("year", format!("年度“{year_text}”应为4位年份，如2026")));
                None
            }
        };
        let source = c.check(FundingSource::parse_field("source", &self.source));
        let amount = c.check(crate::numbers::FUNDING_AMOUNT.parse("amount", self.amount.as_deref().unwrap_or("")));
        let purpose = c.text("purpose", "用途", &self.purpose, 200);
        if purpose.is_empty() {
            c.push(crate::FieldError::new("purpose", "经费用途未填写"));
        }
        c.finish()?;
        Ok(Funding { year: year.expect("checked"), source: source.expect("checked"), amount: amount.expect("checked"), purpose })
    }
}

/// A party-affairs worker as entered (党务工作者).
/// Read from a form or JSON; a field left out is empty, and the check says so.
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize)]
#[serde(default)]
pub struct WorkerInput {
    pub name: String,
    pub kind: String,
    pub appointed_on: String,
}

/// A checked party-affairs worker.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NewWorker {
    pub name: String,
    pub kind: WorkerKind,
    pub appointed_on: Date,
}

impl WorkerInput {
    pub fn validate(&self, today: Date) -> Result<NewWorker, crate::ValidationError> {
        use crate::Labelled;
        let mut c = crate::error::Collector::default();
        let name = c.text("name", "姓名", &self.name, 30);
        if name.is_empty() {
            c.push(crate::FieldError::new("name", "姓名不能为空，且不超过30个字"));
        }
        let kind = c.check(WorkerKind::parse_field("kind", &self.kind));
        let on = c.check(crate::dates::parse_past_day("appointed_on", "任职日期", &self.appointed_on, today));
        c.finish()?;
        Ok(NewWorker { name, kind: kind.expect("checked"), appointed_on: on.expect("checked") })
    }
}

/// A carrier of Party work as entered (工作载体).
/// Read from a form or JSON; a field left out is empty, and the check says so.
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize)]
#[serde(default)]
pub struct CarrierInput {
    pub kind: String,
    pub name: String,
    pub established_on: String,
}

/// A checked carrier.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NewCarrier {
    pub kind: CarrierKind,
    pub name: String,
    pub established_on: Date,
}

impl CarrierInput {
    pub fn validate(&self, today: Date) -> Result<NewCarrier, crate::ValidationError> {
        use crate::Labelled;
        let mut c = crate::error::Collector::default();
        let kind = c.check(CarrierKind::parse_field("kind", &self.kind));
        let name = c.text("name", "载体名称", &self.name, 100);
        if name.is_empty() {
            c.push(crate::FieldError::new("name", "载体名称不能为空，且不超过100个字"));
        }
        let on = c.check(crate::dates::parse_past_day("established_on", "设立日期", &self.established_on, today));
        c.finish()?;
        Ok(NewCarrier { kind: kind.expect("checked"), name, established_on: on.expect("checked") })
    }
}

/// A member going away as entered (流动党员外出登记).
/// Read from a form or JSON; a field left out is empty, and the check says so.
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize)]
#[serde(default)]
pub struct MobileInput {
    pub place: String,
    #[serde(default)]
    pub certificate_no: Option<String>,
    pub since: String,
}

/// A checked mobile-member record.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NewMobile {
    pub place: String,
    pub certificate_no: Option<String>,
    pub since: Date,
}

impl MobileInput {
    /// `joined_on` is the member's 入党时间: nobody goes away as a member before it.
    pub fn validate(&self, joined_on: Date, today: Date) -> Result<NewMobile, crate::ValidationError> {
        let mut c = crate::error::Collector::default();
        let place = c.text("place", "流出地", &self.place, 100);
        if place.is_empty() {
            c.push(crate::FieldError::new("place", "流出地不能为空，请写到县（市、区）"));
        }
        let since = c.check(crate::parse_date("since", "外出日期", &self.since));
        if since.is_some_and(|s| s > today || s < joined_on) {
            c.push(crate::FieldError::new("since", format!("外出日期{}应在入党时间{joined_on}之后、今天之前", since.expect("checked"))));
        }
        c.finish()?;
        let certificate_no = self.certificate_no.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string);
        Ok(NewMobile { place, certificate_no, since: since.expect("checked") })
    }
}

/// An outgoing transfer letter as entered (开具组织关系介绍信).
/// Read from a form or JSON; a field left out is empty, and the check says so.
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize)]
#[serde(default)]
pub struct TransferInput {
    pub letter_no: String,
    pub issued_on: String,
    pub counterpart: String,
}

/// A checked transfer letter.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NewTransfer {
    pub letter_no: String,
    pub issued_on: Date,
    pub counterpart: String,
}

impl TransferInput {
    pub fn validate(&self, today: Date) -> Result<NewTransfer, crate::ValidationError> {
        let mut c = crate::error::Collector::default();
        let letter_no = c.text("letter_no", "介绍信编号", &self.letter_no, 50);
        if letter_no.is_empty() {
            c.push(crate::FieldError::new("letter_no", "介绍信编号不能为空，且不超过50个字"));
        }
        let counterpart = c.text("counterpart", "接收党组织", &self.counterpart, 100);
        if counterpart.is_empty() {
            c.push(crate::FieldError::new("counterpart", "接收党组织不能为空：请填写对方党组织全称"));
        }
        let on = c.check(crate::dates::parse_past_day("issued_on", "开具日期", &self.issued_on, today));
        c.finish()?;
        Ok(NewTransfer { letter_no, issued_on: on.expect("checked"), counterpart })
    }
}

/// Grades of one democratic evaluation as entered (民主评议等次): member id → grade word.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct EvaluationInput {
    pub grades: Vec<(i64, String)>,
}

impl EvaluationInput {
    /// Each grade must be a known word; every refused one is named.
    pub fn validate(&self) -> Result<Vec<(i64, EvaluationGrade)>, crate::ValidationError> {
        use crate::Labelled;
        let mut c = crate::error::Collector::default();
        let mut out = Vec::new();
        for (m, g) in &self.grades {
            if g.trim().is_empty() {
                continue;
            }
            if let Some(v) = c.check(EvaluationGrade::parse_field("grades", g)) {
                out.push((*m, v));
            }
        }
        c.finish()?;
        Ok(out)
    }
}
