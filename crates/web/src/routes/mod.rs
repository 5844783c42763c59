//! The pages, one module per resource; each reads as its routes. Handlers are thin: a
//! typed extractor (`Signed`, `Staff`, `CsrfForm<T>`) says who asks and what they sent,
//! the store answers within the caller's scope, `view` renders.

pub mod account;
pub mod admin;
pub mod compliance;
pub mod development;
pub mod exchange;
pub mod me;
pub mod meetings;
pub mod members;
pub mod orgs;
pub mod overview;
pub mod plans;
pub mod reports;
pub mod research;
pub mod session;
pub mod survey_form;
pub mod surveys;
