//! dangjian's domain: the types of grassroots Party-building work (基层党建工作) and the
//! pure checks on them. No IO, no async: everything here is testable without a database.

#[macro_use]
mod labelled;
pub mod citizen_id;
pub mod compliance;
pub mod development;
pub mod dues;
pub mod error;
pub mod indicators;
pub mod life;
pub mod meeting;
pub mod member;
pub mod org;
pub mod region;
pub mod research;
pub mod rules;
pub mod statistics;
pub mod unit;
pub mod user;

pub use citizen_id::CitizenId;
pub use error::{FieldError, ValidationError};
pub use labelled::Labelled;

/// Dates are kept as `chrono::NaiveDate`; they travel to the store as ISO `YYYY-MM-DD`.
pub type Date = chrono::NaiveDate;

/// Parse an ISO date, naming the field in the Chinese error.
pub fn parse_date(field: &'static str, label: &str, value: &str) -> Result<Date, FieldError> {
    Date::parse_from_str(value.trim(), "%Y-%m-%d").map_err(|_| {
        FieldError::new(field, format!("{label}“{value}”不是有效日期，请按 YYYY-MM-DD 填写，例如 2024-07-01"))
    })
}
