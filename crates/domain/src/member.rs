//! Party members (党员): identity, status, flags, archive (档案) and leaving (减少).

use crate::dates::{Precision, Written};
use crate::{error::Collector, CitizenId, Date, FieldError, Labelled, ValidationError};
use serde::Serialize;

labelled_enum!(Sex, "性别", { Male = ("male", "男"), Female = ("female", "女") });

labelled_enum!(
    /// Education (学历), as in the national statistics.
    Education, "学历", {
    Postgraduate = ("postgraduate", "研究生"),
    Bachelor = ("bachelor", "大学本科"),
    College = ("college", "大学专科"),
    Secondary = ("secondary_vocational", "中专"),
    HighSchool = ("high_school", "高中"),
    JuniorOrBelow = ("junior_or_below", "初中及以下"),
    /// Not recorded (未登记): a roster without the column or with the cell empty.
    Unregistered = ("unregistered", "未登记"),
});

impl Education {
    /// 大专及以上.
    pub fn is_college_or_above(self) -> bool {
        matches!(self, Self::Postgraduate | Self::Bachelor | Self::College)
    }
}

labelled_enum!(
    /// Occupation (职业), the 8 national categories.
    Occupation, "职业", {
    Worker = ("worker", "工人"),
    Farmer = ("farmer", "农牧渔民"),
    Professional = ("professional", "专业技术人员"),
    Manager = ("manager", "企事业单位管理人员"),
    OfficialStaff = ("official", "党政机关工作人员"),
    Student = ("student", "学生"),
    Other = ("other", "其他职业人员"),
    Retired = ("retired", "离退休人员"),
    /// Not recorded (未登记).
    Unregistered = ("unregistered", "未登记"),
});

/// 民族 not recorded (未登记), as stored.
pub const UNREGISTERED: &str = "未登记";

labelled_enum!(
    /// Membership status (党员类别).
    MemberStatus, "党员类别", {
    /// 预备党员
    Probationary = ("probationary", "预备党员"),
    /// 正式党员
    Full = ("full", "正式党员"),
});

labelled_enum!(
    /// Materials in a member's archive (档案材料).
    ArchiveMaterial, "档案材料", {
    Application = ("application", "入党申请书"),
    VolunteerForm = ("volunteer_form", "入党志愿书"),
    PoliticalReview = ("political_review", "政审材料"),
    TrainingRecords = ("training_records", "培养考察材料"),
    FullMembershipApplication = ("full_application", "转正申请"),
    TransferLetter = ("transfer_letter", "组织关系介绍信"),
});

labelled_enum!(
    /// Why a member left the organisation's roll (党员减少原因). Never a deletion.
    LeaveReason, "减少原因", {
    TransferredOut = ("transferred_out", "转出"),
    Expelled = ("expelled", "出党"),
    Deceased = ("deceased", "去世"),
    MembershipStopped = ("membership_stopped", "停止党籍"),
    Other = ("other", "其他"),
});

/// The 56 ethnic groups (民族), for validation.
pub const ETHNICITIES: &[&str] = &[
    "汉族", "蒙古族", "回族", "藏族", "维吾尔族", "苗族", "彝族", "壮族", "布依族", "朝鲜族", "满族", "侗族",
    "瑶族", "白族", "土家族", "哈尼族", "哈萨克族", "傣族", "黎族", "傈僳族", "佤族", "畲族", "高山族",
    "拉祜族", "水族", "东乡族", "纳西族", "景颇族", "柯尔克孜族", "土族", "达斡尔族", "仫佬族", "羌族",
    "布朗族", "撒拉族", "毛南族", "仡佬族", "锡伯族", "阿昌族", "普米族", "塔吉克族", "怒族", "乌孜别克族",
    "俄罗斯族", "鄂温克族", "德昂族", "保安族", "裕固族", "京族", "塔塔尔族", "独龙族", "鄂伦春族", "赫哲族",
    "门巴族", "珞巴族", "基诺族",
];

/// A stored member. The citizen ID is masked whenever it is shown or serialized.
#[derive(Debug, Clone, Serialize)]
pub struct Member {
    pub id: i64,
    /// Organisation holding the formal relationship (组织关系所在党组织).
    pub org_id: i64,
    /// Party group (党小组) within the branch, if any.
    pub group_id: Option<i64>,
    pub name: String,
    pub sex: Sex,
    pub ethnicity: String,
    pub birth_date: Date,
    pub citizen_id: CitizenId,
    pub education: Education,
    pub occupation: Occupation,
    /// Serialized masked (138****5678), as the pages show it: JSON never carries the number.
    #[serde(serialize_with = "serialize_masked_phone")]
    pub phone: Option<String>,
    /// 入党时间 (admitted as probationary member); the month's first day when only the
    /// month is known (`joined_precision`).
    pub joined_on: Date,
    pub joined_precision: Precision,
    /// 转正时间.
    pub full_on: Option<Date>,
    pub full_precision: Precision,
    pub status: MemberStatus,
    /// 流动党员
    pub is_mobile: bool,
    /// 失联党员
    pub is_lost_contact: bool,
    /// 出国（境）
    pub is_abroad: bool,
    /// Where the archive is kept (档案存放单位).
    pub archive_location: Option<String>,
    pub archive_materials: Vec<ArchiveMaterial>,
    pub left_on: Option<Date>,
    pub left_reason: Option<LeaveReason>,
    pub left_note: Option<String>,
}

impl Member {
    pub fn is_active(&self) -> bool {
        self.left_on.is_none()
    }
    /// Required materials missing from the archive.
    pub fn missing_archive_materials(&self) -> Vec<ArchiveMaterial> {
        missing_archive_materials(self.status, &self.archive_materials)
    }
}

/// The materials [`required_archive_materials`] asks of `status` that `held` lacks.
pub fn missing_archive_materials(status: MemberStatus, held: &[ArchiveMaterial]) -> Vec<ArchiveMaterial> {
    let mut need = required_archive_materials(status);
    need.retain(|m| !held.contains(m));
    need
}

/// Materials a member's archive must hold (入党申请书, 志愿书, 政审, 培养考察; 转正申请 once full).
pub fn required_archive_materials(status: MemberStatus) -> Vec<ArchiveMaterial> {
    let mut need = vec![
        ArchiveMaterial::Application,
        ArchiveMaterial::VolunteerForm,
        ArchiveMaterial::PoliticalReview,
        ArchiveMaterial::TrainingRecords,
    ];
    if status == MemberStatus::Full {
        need.push(ArchiveMaterial::FullMembershipApplication);
    }
    need
}

/// A member as entered (form, API, import). Strings are checked by [`NewMemberInput::validate`].
/// Only the name, the citizen ID and the organisation are needed to hold a member, with
/// the 入党时间: an empty 民族, 学历 or 职业 is held as 未登记, an empty 性别 or 出生日期 is
/// read from the citizen ID, an empty 党员类别 follows 转正时间. Dates may be written in any
/// common form; 出生年月, 入党时间 and 转正时间 may give only the month.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct NewMemberInput {
    pub org_id: Option<i64>,
    pub group_id: Option<i64>,
    pub name: String,
    #[serde(default)]
    pub sex: String,
    #[serde(default)]
    pub ethnicity: String,
    #[serde(default)]
    pub birth_date: String,
    pub citizen_id: String,
    #[serde(default)]
    pub education: String,
    #[serde(default)]
    pub occupation: String,
    #[serde(default)]
    pub phone: Option<String>,
    pub joined_on: String,
    #[serde(default)]
    pub full_on: Option<String>,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub is_mobile: bool,
    #[serde(default)]
    pub archive_location: Option<String>,
    #[serde(default)]
    pub archive_materials: Vec<String>,
}

/// A checked new member, ready for the store.
#[derive(Debug, Clone)]
pub struct NewMember {
    pub org_id: i64,
    pub group_id: Option<i64>,
    pub name: String,
    pub sex: Sex,
    pub ethnicity: String,
    pub birth_date: Date,
    pub citizen_id: CitizenId,
    pub education: Education,
    pub occupation: Occupation,
    pub phone: Option<String>,
    pub joined_on: Date,
    pub joined_precision: Precision,
    pub full_on: Option<Date>,
    pub full_precision: Precision,
    pub status: MemberStatus,
    pub is_mobile: bool,
    pub archive_location: Option<String>,
    pub archive_materials: Vec<ArchiveMaterial>,
}

/// What a member record may lack (信息不全), by its Chinese name: a field held as 未登记,
/// or a date known only to the month. The import's preview, the completeness page and the
/// 待办 all count these.
pub const GAPS: [&str; 6] = ["民族", "学历", "职业", "联系电话", "入党时间只有年月", "转正时间只有年月"];

impl NewMember {
    /// Which of [`GAPS`] this record has.
    pub fn gaps(&self) -> Vec<&'static str> {
        let has = [
            self.ethnicity == UNREGISTERED,
            self.education == Education::Unregistered,
            self.occupation == Occupation::Unregistered,
            self.phone.is_none(),
            self.joined_precision == Precision::Month,
            self.full_on.is_some() && self.full_precision == Precision::Month,
        ];
        GAPS.iter().zip(has).filter(|(_, h)| *h).map(|(g, _)| *g).collect()
    }
}

impl NewMemberInput {
    /// Checks every field and reports all problems at once, each naming its field.
    pub fn validate(&self) -> Result<NewMember, ValidationError> {
        let mut c = Collector::default();
        let org_id = self.org_id;
        if org_id.is_none() {
            c.push(FieldError::new("org_id", "所在党组织不能为空：每名党员都必须有组织关系所在的党组织"));
        }
        let name = c.text("name", "姓名", &self.name, 30);
        if name.is_empty() {
            c.push(FieldError::new("name", "姓名不能为空，且不超过30个字"));
        }
        let id = c.check(CitizenId::parse(&self.citizen_id));
        // Sex and birth date may be left out: the citizen ID carries them.
        let sex = match (self.sex.trim(), &id) {
            ("", Some(i)) => Some(i.sex()),
            ("", None) => None, // the ID's own error says what to fix
            (s, _) => c.check(Sex::parse_field("sex", s)),
        };
        let birth = match (self.birth_date.trim(), &id) {
            ("", Some(i)) => Some(i.birth_date()),
            ("", None) => None,
            (b, _) => match crate::dates::written(b) {
                Ok(Written::Day(d)) => Some(d),
                // 出生年月: the day comes from the ID when the month agrees.
                Ok(Written::Month(m)) => match &id {
                    Some(i) if crate::dates::YearMonth::of(i.birth_date()) == m => Some(i.birth_date()),
                    Some(i) => {
                        c.push(FieldError::new("birth_date", format!("出生年月{}年{}月与身份证号中的出生日期{}不一致，请核对", m.year, m.month, i.birth_date())));
                        None
                    }
                    None => None,
                },
                Err(e) => {
                    c.push(FieldError::new("birth_date", format!("出生日期{e}")));
                    None
                }
            },
        };
        if let (Some(i), Some(b)) = (&id, birth) {
            c.check(i.check_matches(Some(b), sex));
        }
        let ethnicity = match self.ethnicity.trim() {
            "" => UNREGISTERED.to_string(),
            e if e == UNREGISTERED => UNREGISTERED.to_string(),
            e => c.check(crate::vocabulary::ethnicity(e).map_err(|m| FieldError::new("ethnicity", m))).unwrap_or_default().to_string(),
        };
        let education = match self.education.trim() {
            "" => Some(Education::Unregistered),
            e => c.check(Education::parse_field("education", e)),
        };
        let occupation = match self.occupation.trim() {
            "" => Some(Occupation::Unregistered),
            o => c.check(Occupation::parse_field("occupation", o)),
        };
        let phone = self.phone.as_deref().map(str::trim).filter(|p| !p.is_empty()).map(str::to_string);
        if let Some(p) = &phone {
            let digits = p.chars().filter(char::is_ascii_digit).count();
            if !(7..=15).contains(&digits) || !p.chars().all(|ch| ch.is_ascii_digit() || ch == '-' || ch == ' ') {
                c.push(FieldError::new("phone", format!("联系电话“{p}”格式不正确，请填写手机号或带区号的固定电话")));
            }
        }
        let joined = c.check(crate::dates::parse_partial("joined_on", "入党时间", &self.joined_on));
        let full_on = match self.full_on.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            Some(s) => c.check(crate::dates::parse_partial("full_on", "转正时间", s)),
            None => None,
        };
        let status = match self.status.trim() {
            "" if full_on.is_some() => Some(MemberStatus::Full),
            "" => Some(MemberStatus::Probationary),
            s => c.check(MemberStatus::parse_field("status", s)),
        };
        // A date known only to the month is judged by the day that favours the member and
        // the message says so: only a certain breach is refused.
        if let (Some(b), Some(j)) = (birth, joined) {
            if crate::org::add_years(b, 18).is_some_and(|adult| j.latest() < adult) {
                let note = if j.precision == Precision::Month { "（入党时间只填了年月，按该月最后一天判断）" } else { "" };
                c.push(FieldError::new("joined_on", format!("入党时间{j}早于年满18周岁的日期{}，请核对{note}", crate::org::add_years(b, 18).expect("checked"))));
            }
        }
        if let (Some(j), Some(f)) = (joined, full_on) {
            if f.latest() < j.earliest() {
                c.push(FieldError::new("full_on", format!("转正时间{f}早于入党时间{j}，请核对")));
            }
        }
        if status == Some(MemberStatus::Probationary) && full_on.is_some() {
            c.push(FieldError::new("full_on", "预备党员不应有转正时间；已转正的请把党员类别改为正式党员"));
        }
        let mut materials = Vec::new();
        for m in &self.archive_materials {
            if let Some(v) = c.check(ArchiveMaterial::parse_field("archive_materials", m)) {
                if !materials.contains(&v) {
                    materials.push(v);
                }
            }
        }
        c.finish()?;
        Ok(NewMember {
            org_id: org_id.expect("checked"),
            group_id: self.group_id,
            name,
            sex: sex.expect("checked"),
            ethnicity,
            birth_date: birth.expect("checked"),
            citizen_id: id.expect("checked"),
            education: education.expect("checked"),
            occupation: occupation.expect("checked"),
            phone,
            joined_on: joined.expect("checked").date,
            joined_precision: joined.expect("checked").precision,
            full_on: full_on.map(|f| f.date),
            full_precision: full_on.map(|f| f.precision).unwrap_or_default(),
            status: status.expect("checked"),
            is_mobile: self.is_mobile,
            archive_location: self.archive_location.clone().filter(|s| !s.trim().is_empty()),
            archive_materials: materials,
        })
    }
}

/// 青年党员: under this age on the day counted (the indicators of young members and of
/// young new members).
pub const YOUNG_UNDER: i32 = 35;

/// Age in whole years on a date.
pub fn age_on(birth: Date, on: Date) -> i32 {
    use chrono::Datelike;
    let mut a = on.year() - birth.year();
    if (on.month(), on.day()) < (birth.month(), birth.day()) {
        a -= 1;
    }
    a
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> NewMemberInput {
        NewMemberInput {
            org_id: Some(1),
            name: "张三".into(),
            sex: "女".into(),
            ethnicity: "汉族".into(),
            birth_date: "1949-12-31".into(),
            citizen_id: "11010519491231002X".into(),
            education: "大学本科".into(),
            occupation: "离退休人员".into(),
            joined_on: "1975-07-01".into(),
            full_on: Some("1976-07-01".into()),
            status: "正式党员".into(),
            ..Default::default()
        }
    }

    #[test]
    fn valid_member_passes() {
        let m = input().validate().unwrap();
        assert_eq!(m.sex, Sex::Female);
    }

    #[test]
    fn every_bad_field_is_named() {
        let mut i = input();
        i.org_id = None;
        i.sex = "男".into();
        i.joined_on = "1960-01-01".into();
        let e = i.validate().unwrap_err();
        let fields: Vec<_> = e.errors.iter().map(|f| f.field).collect();
        assert_eq!(fields, vec!["org_id", "sex", "joined_on"]);
        assert!(e.summary().contains("所在党组织"));
    }

    #[test]
    fn age() {
        let b = Date::from_ymd_opt(2000, 6, 15).unwrap();
        assert_eq!(age_on(b, Date::from_ymd_opt(2018, 6, 14).unwrap()), 17);
        assert_eq!(age_on(b, Date::from_ymd_opt(2018, 6, 15).unwrap()), 18);
    }
}

/// A phone number with its middle digits hidden (个人信息): 138****5678.
pub fn mask_phone(p: &str) -> String {
    let c: Vec<char> = p.chars().collect();
    if c.len() < 7 {
        return p.to_string();
    }
    c.iter().enumerate().map(|(i, ch)| if i >= 3 && i < c.len() - 4 { '*' } else { *ch }).collect()
}

fn serialize_masked_phone<S: serde::Serializer>(p: &Option<String>, s: S) -> Result<S::Ok, S::Error> {
    match p {
        Some(p) => s.serialize_some(&mask_phone(p)),
        None => s.serialize_none(),
    }
}

#[cfg(test)]
mod phone_tests {
    #[test]
    fn phones_are_masked_in_json() {
        assert_eq!(super::mask_phone("13812345678"), "138****5678");
        assert_eq!(super::mask_phone("0571-8765432"), "057*****5432");
    }
}
