//! Validation errors that name the field and say, in Chinese, what to do.

use serde::Serialize;

/// One refused field: its API name and a Chinese message naming it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: &'static str,
    pub message: String,
    /// The row of a list field the error concerns (e.g. the member in an attendance
    /// list), so that a form can show it at that row.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub row: Option<i64>,
}

impl FieldError {
    pub fn new(field: &'static str, message: impl Into<String>) -> Self {
        Self { field, message: message.into(), row: None }
    }
    /// The same error, at row `row` of its list.
    pub fn at(mut self, row: i64) -> Self {
        self.row = Some(row);
        self
    }
}

/// All refused fields of one record; nothing is written when this is returned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{}", self.summary())]
pub struct ValidationError {
    pub errors: Vec<FieldError>,
}

impl ValidationError {
    pub fn one(field: &'static str, message: impl Into<String>) -> Self {
        Self { errors: vec![FieldError::new(field, message)] }
    }
    pub fn summary(&self) -> String {
        self.errors.iter().map(|e| e.message.as_str()).collect::<Vec<_>>().join("；")
    }
}

impl From<FieldError> for ValidationError {
    fn from(e: FieldError) -> Self {
        Self { errors: vec![e] }
    }
}

/// Collects field errors while a record is checked.
#[derive(Default)]
pub struct Collector(Vec<FieldError>);

impl Collector {
    pub fn check<T>(&mut self, r: Result<T, FieldError>) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(e) => {
                self.0.push(e);
                None
            }
        }
    }
    pub fn push(&mut self, e: FieldError) {
        self.0.push(e);
    }
    /// Free text as typed, trimmed: refused when longer than `max` characters or holding
    /// control characters (a NUL or an escape sequence is never something a person typed;
    /// line breaks and tabs are). Whether it may be empty is the caller's rule.
    pub fn text(&mut self, field: &'static str, label: &str, v: &str, max: usize) -> String {
        let v = v.trim();
        let n = v.chars().count();
        if n > max {
            self.push(FieldError::new(field, format!("{label}共{n}字，超过{max}字的上限")));
        }
        if v.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t')) {
            self.push(FieldError::new(field, format!("{label}含有不可见的控制字符（可能是从别处复制时带入的），请删去后重新输入")));
        }
        v.to_string()
    }
    pub fn finish(self) -> Result<(), ValidationError> {
        if self.0.is_empty() { Ok(()) } else { Err(ValidationError { errors: self.0 }) }
    }
}
