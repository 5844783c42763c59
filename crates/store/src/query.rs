//! A small dynamic query: SQL text with `$n` placeholders and the values to bind, so that
//! scope conditions can be appended to any query.

use sqlx::any::AnyArguments;
use sqlx::query::Query;
use sqlx::Any;

/// A value bound to a placeholder.
#[derive(Debug, Clone)]
pub enum Arg {
    I(i64),
    OI(Option<i64>),
    S(String),
    OS(Option<String>),
    OF(Option<f64>),
}

impl From<i64> for Arg { fn from(v: i64) -> Self { Arg::I(v) } }
impl From<Option<i64>> for Arg { fn from(v: Option<i64>) -> Self { Arg::OI(v) } }
impl From<String> for Arg { fn from(v: String) -> Self { Arg::S(v) } }
impl From<&str> for Arg { fn from(v: &str) -> Self { Arg::S(v.to_string()) } }
impl From<Option<String>> for Arg { fn from(v: Option<String>) -> Self { Arg::OS(v) } }
impl From<bool> for Arg { fn from(v: bool) -> Self { Arg::I(v as i64) } }
impl From<Option<f64>> for Arg { fn from(v: Option<f64>) -> Self { Arg::OF(v) } }
impl From<domain::Date> for Arg { fn from(v: domain::Date) -> Self { Arg::S(v.to_string()) } }
impl From<Option<domain::Date>> for Arg { fn from(v: Option<domain::Date>) -> Self { Arg::OS(v.map(|d| d.to_string())) } }

/// SQL under construction with its arguments.
#[derive(Default)]
pub(crate) struct Sql {
    pub text: String,
    pub args: Vec<Arg>,
}

impl Sql {
    pub fn new(text: &str) -> Self {
        Sql { text: text.to_string(), args: Vec::new() }
    }
    /// Appends text.
    pub fn push(&mut self, s: &str) -> &mut Self {
        self.text.push_str(s);
        self
    }
    /// Appends a placeholder bound to `v`.
    pub fn arg(&mut self, v: impl Into<Arg>) -> &mut Self {
        self.args.push(v.into());
        let n = self.args.len();
        self.text.push_str(&format!("${n}"));
        self
    }
    pub fn query(&self) -> Query<'_, Any, AnyArguments<'_>> {
        bind_all(sqlx::query(&self.text), &self.args)
    }
}

pub(crate) fn bind_all<'q>(mut q: Query<'q, Any, AnyArguments<'q>>, args: &'q [Arg]) -> Query<'q, Any, AnyArguments<'q>> {
    for a in args {
        q = match a {
            Arg::I(v) => q.bind(*v),
            Arg::OI(v) => q.bind(*v),
            Arg::S(v) => q.bind(v.as_str()),
            Arg::OS(v) => q.bind(v.as_deref()),
            Arg::OF(v) => q.bind(*v),
        };
    }
    q
}
