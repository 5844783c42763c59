//! Questionnaire research (问卷调查): the questionnaire model and XLSForm in and out,
//! checking submissions, valid-response rules, statistics and exports. No IO beyond the
//! writers it is handed; storage lives in `store`.

pub mod analysis;
pub mod answers;
pub mod chart;
pub mod builtin;
pub mod campaign;
pub mod columns;
pub mod dta;
pub mod export;
pub mod sav;
pub mod search;
pub mod stats;
pub mod expr;
pub mod model;
pub mod platform;
pub mod validity;
pub mod xlsform;

pub use model::{Choice, Item, Kind, Questionnaire};
