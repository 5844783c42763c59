//! dangjian's domain: the types of grassroots Party-building work (基层党建工作) and the
//! pure checks on them. No IO, no async: everything here is testable without a database.

#[macro_use]
mod labelled;
pub mod citizen_id;
pub mod compliance;
pub mod dates;
pub mod development;
pub mod dues;
pub mod error;
pub mod indicators;
pub mod life;
pub mod meeting;
pub mod member;
pub mod numbers;
pub mod org;
pub mod region;
pub mod research;
pub mod rules;
pub mod spreadsheet;
pub mod statistics;
pub mod unit;
pub mod user;
pub mod vocabulary;
pub mod xml;

pub use citizen_id::CitizenId;
pub use error::{FieldError, ValidationError};
pub use labelled::Labelled;

/// Dates are kept as `chrono::NaiveDate`; they travel to the store as ISO `YYYY-MM-DD`.
pub type Date = chrono::NaiveDate;

/// Parse a date that names the day, in any form users write (see [`dates::written`]),
/// naming the field in the Chinese error; an empty value is "未填写", never quoted.
pub fn parse_date(field: &'static str, label: &str, value: &str) -> Result<Date, FieldError> {
    dates::parse_day(field, label, value)
}
