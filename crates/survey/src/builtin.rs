//! The built-in questionnaire (内置问卷) for grassroots Party-building research: the
//! seed's three areas and every problem it lists, respondent role and demographics, one
//! attention check. Kept as pyxform Markdown so that changes read well in review; users
//! get it as an XLSForm workbook.

use crate::model::Questionnaire;

pub const SOURCE: &str = include_str!("../builtin/party_building.md");

/// The built-in questionnaire, parsed (it is tested to parse without warnings).
pub fn questionnaire() -> Questionnaire {
    crate::xlsform::read(&crate::xlsform::Book::from_markdown(SOURCE)).expect("the built-in questionnaire is valid").form
}
