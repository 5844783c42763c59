//! Region codes: GB/T 2260 (6 digits: province, prefecture, county) and the statistics
//! code of 12 digits (adds township and village).

use crate::FieldError;

/// Province-level prefixes of GB/T 2260 (2023 edition), with their names.
pub const PROVINCES: &[(&str, &str)] = &[
    ("11", "北京市"), ("12", "天津市"), ("13", "河北省"), ("14", "山西省"), ("15", "内蒙古自治区"),
    ("21", "辽宁省"), ("22", "吉林省"), ("23", "黑龙江省"), ("31", "上海市"), ("32", "江苏省"),
    ("33", "浙江省"), ("34", "安徽省"), ("35", "福建省"), ("36", "江西省"), ("37", "山东省"),
    ("41", "河南省"), ("42", "湖北省"), ("43", "湖南省"), ("44", "广东省"), ("45", "广西壮族自治区"),
    ("46", "海南省"), ("50", "重庆市"), ("51", "四川省"), ("52", "贵州省"), ("53", "云南省"),
    ("54", "西藏自治区"), ("61", "陕西省"), ("62", "甘肃省"), ("63", "青海省"), ("64", "宁夏回族自治区"),
    ("65", "新疆维吾尔自治区"), ("71", "台湾省"), ("81", "香港特别行政区"), ("82", "澳门特别行政区"),
];

pub fn province_name(code: &str) -> Option<&'static str> {
    let p = code.get(..2)?;
    PROVINCES.iter().find(|(c, _)| *c == p).map(|(_, n)| *n)
}

/// Checks the form of a region code: 6 or 12 digits, a known province prefix.
pub fn check_region_code(code: &str) -> Result<(), FieldError> {
    let c = code.trim();
    let err = |why: &str| FieldError::new("region_code", format!("行政区划代码“{c}”{why}"));
    if c.is_empty() {
        return Err(FieldError::new("region_code", "行政区划代码未填写：应为6位（GB/T 2260）或12位（统计用区划代码）数字"));
    }
    if !(c.len() == 6 || c.len() == 12) || !c.bytes().all(|b| b.is_ascii_digit()) {
        return Err(err("应为6位（GB/T 2260）或12位（统计用区划代码）数字"));
    }
    if province_name(c).is_none() {
        return Err(err("的前两位不是有效的省级代码"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn region_codes() {
        assert!(super::check_region_code("330122").is_ok());
        assert!(super::check_region_code("330122101001").is_ok());
        assert!(super::check_region_code("990122").is_err());
        assert!(super::check_region_code("33012").is_err());
    }
}
