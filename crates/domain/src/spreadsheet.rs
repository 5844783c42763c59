//! Text that goes into a spreadsheet cell (CSV/XLSX exports): a value a spreadsheet would
//! take for a formula (starting with = + - @, a tab or a carriage return) is neutralised,
//! so opening an export never runs what someone typed into a form (CSV injection). CSV
//! gets Excel's own escape, a leading apostrophe; the import takes it off again, so an
//! export re-imports unchanged. (XLSX cells are written as text with Excel's quote-prefix
//! style instead: the value itself stays as typed.)

use std::borrow::Cow;

/// Whether a spreadsheet would read the text as a formula.
pub fn formula_like(s: &str) -> bool {
    s.starts_with(['=', '+', '-', '@', '\t', '\r'])
}

/// The text for a CSV cell: a formula-like value behind an apostrophe.
pub fn csv_safe(s: &str) -> Cow<'_, str> {
    if formula_like(s) { Cow::Owned(format!("'{s}")) } else { Cow::Borrowed(s) }
}

/// A cell's text as imported: the apostrophe [`csv_safe`] put before a formula-like value
/// taken off (an apostrophe before anything else is the user's own and stays).
pub fn unescape(s: &str) -> &str {
    match s.strip_prefix('\'') {
        Some(rest) if formula_like(rest) => rest,
        _ => s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralised_and_come_back_unchanged() {
        for s in ["=1+2", "+8613800000000", "-5", "@SUM(A1)", "\tx", "\rx", "=HYPERLINK(\"http://x\")"] {
            assert!(formula_like(s));
            let safe = csv_safe(s);
            assert!(safe.starts_with('\''), "{s}");
            assert_eq!(unescape(&safe), s);
        }
        for s in ["张三", "1+2", "'引用", "", "a=b"] {
            assert_eq!(csv_safe(s), s);
            assert_eq!(unescape(s), s);
        }
    }
}
