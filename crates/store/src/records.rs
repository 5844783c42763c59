//! A batch of rows as one text (整批读取). A query aggregates its rows into a single
//! text of records (`group_concat` / `string_agg`) and one row crosses the driver.
//!
//! Why: rows, not bytes, are what cost. sqlx hands each SQLite row from its worker
//! thread to the caller through a channel, a wake-up and an `AnyRow` of owned values;
//! a city's compliance run read about 2 M rows that way (10.5 s), and reads about 100
//! texts now. Records are separated by U+001E, fields by U+001F, and NULL is U+0015.
//! Stored text cannot hold these control characters (`domain::error` refuses them in
//! every field; sealed values are base64), so they never occur inside a field.
//!
//! A record reads like a row: [`Fields`] implements `RowExt` by column name, so one
//! decoder (`org_from`, `development_from`) serves both.

use crate::query::Sql;
use crate::rows::RowExt;
use crate::{Backend, Store, StoreError};
use domain::{Date, Labelled};

const RECORD: char = '\u{1e}';
const FIELD: char = '\u{1f}';
const NULL: &str = "\u{15}";

/// The column names of a select list (`o.id, o.code, x AS n` → id, code, n).
pub(crate) fn names(cols: &str) -> Vec<&str> {
    cols.split(',')
        .map(|c| {
            let c = c.trim();
            let c = c.rsplit_once(" AS ").map_or(c, |(_, n)| n);
            c.rsplit_once('.').map_or(c, |(_, n)| n).trim()
        })
        .collect()
}

/// The aggregate of `cols` (a select list without aliases inside expressions) as one
/// text of records, in `order` when given, in this database's dialect.
pub(crate) fn aggregate(backend: Backend, cols: &str, order: Option<&str>) -> String {
    let (chr, agg) = match backend {
        Backend::Sqlite => ("char", "group_concat"),
        Backend::Postgres => ("chr", "string_agg"),
    };
    let fields = cols.split(',').map(|c| {
        let c = c.trim();
        let expr = c.rsplit_once(" AS ").map_or(c, |(e, _)| e);
        format!("COALESCE(CAST({expr} AS TEXT), {chr}(21))")
    });
    let order = order.map(|o| format!(" ORDER BY {o}")).unwrap_or_default();
    // One concatenation per record, not a chain of ||: each || builds a new text, and a
    // city's members were 0.4 s of that in SQLite alone. Every field is coalesced, so no
    // NULL is left to skip. SQLite: concat with the separators as arguments (its concat_ws
    // also skips empty texts with their separator). PostgreSQL: concat_ws, whose separator
    // is not an argument converted for every record (a province's members: 11.3–12.7 s of
    // the server's time → 10.3 s).
    let record = match backend {
        Backend::Sqlite => format!("concat({})", fields.collect::<Vec<_>>().join(&format!(", {chr}(31), "))),
        Backend::Postgres => format!("concat_ws({chr}(31), {})", fields.collect::<Vec<_>>().join(", ")),
    };
    format!("{agg}({record}, {chr}(30){order})")
}

impl Store {
    /// The one text a query built around [`aggregate`] (as column `list`) returns; empty
    /// when no row matched.
    pub(crate) async fn fetch_records(&self, q: Sql) -> Result<String, StoreError> {
        self.fetch_text(q.query()).await
    }

    /// The same for a query bound by hand.
    pub(crate) async fn fetch_text<'q>(&self, q: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>) -> Result<String, StoreError> {
        Ok(q.fetch_one(&self.pool).await?.os("list")?.unwrap_or_default())
    }
}

/// The records of a text, each read by the column names of its select list.
pub(crate) struct Records<'a> {
    parts: std::str::Split<'a, char>,
    names: &'a [&'a str],
}

impl<'a> Records<'a> {
    pub(crate) fn new(text: &'a str, names: &'a [&'a str]) -> Self {
        let mut parts = text.split(RECORD);
        if text.is_empty() {
            parts.next();
        }
        Records { parts, names }
    }
}

impl<'a> Iterator for Records<'a> {
    type Item = Result<Fields<'a>, StoreError>;
    fn next(&mut self) -> Option<Self::Item> {
        let text = self.parts.next()?;
        let values: Vec<Option<&str>> = text.split(FIELD).map(|v| (v != NULL).then_some(v)).collect();
        if values.len() != self.names.len() {
            return Some(Err(StoreError::Corrupt(format!("{} 个字段的记录有 {} 个值：{}", self.names.len(), values.len(), text.replace(FIELD, " | ")))));
        }
        Some(Ok(Fields { names: self.names, values }))
    }
}

/// One record: its values by column name.
pub(crate) struct Fields<'a> {
    names: &'a [&'a str],
    values: Vec<Option<&'a str>>,
}

impl<'a> Fields<'a> {
    /// The value of column `c` (None for NULL) without copying it.
    pub(crate) fn get(&self, c: &str) -> Result<Option<&'a str>, StoreError> {
        let i = self.names.iter().position(|n| *n == c).ok_or_else(|| StoreError::Corrupt(format!("{c}: 记录中没有这一列")))?;
        Ok(self.values[i])
    }

    /// The value of column `c`, which must not be NULL, without copying it.
    pub(crate) fn text(&self, c: &str) -> Result<&'a str, StoreError> {
        self.get(c)?.ok_or_else(|| StoreError::Corrupt(format!("{c}: 不应为空")))
    }

    fn parse<T: std::str::FromStr>(c: &str, v: &str) -> Result<T, StoreError> {
        v.parse().map_err(|_| StoreError::Corrupt(format!("{c} = {v}")))
    }
}

impl RowExt for Fields<'_> {
    fn i(&self, c: &str) -> Result<i64, StoreError> {
        Self::parse(c, self.text(c)?)
    }
    fn oi(&self, c: &str) -> Result<Option<i64>, StoreError> {
        self.get(c)?.map(|v| Self::parse(c, v)).transpose()
    }
    fn s(&self, c: &str) -> Result<String, StoreError> {
        Ok(self.text(c)?.to_string())
    }
    fn os(&self, c: &str) -> Result<Option<String>, StoreError> {
        Ok(self.get(c)?.map(str::to_string))
    }
    fn of(&self, c: &str) -> Result<Option<f64>, StoreError> {
        self.get(c)?.map(|v| Self::parse(c, v)).transpose()
    }
    fn d(&self, c: &str) -> Result<Date, StoreError> {
        let v = self.text(c)?;
        domain::dates::parse_stored(v).ok_or_else(|| StoreError::Corrupt(format!("{c} = {v}")))
    }
    fn od(&self, c: &str) -> Result<Option<Date>, StoreError> {
        self.get(c)?.map(|v| domain::dates::parse_stored(v).ok_or_else(|| StoreError::Corrupt(format!("{c} = {v}")))).transpose()
    }
    fn e<T: Labelled>(&self, c: &str) -> Result<T, StoreError> {
        let v = self.text(c)?;
        T::parse(v).ok_or_else(|| StoreError::Corrupt(format!("{c} = {v}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_values_of_a_select_list() {
        let cols = "o.id, o.name, CAST(x AS TEXT) AS label, d.on";
        let names = names(cols);
        assert_eq!(names, ["id", "name", "label", "on"]);
        let text = format!("1{FIELD}党支部{FIELD}{NULL}{FIELD}2025-03-01{RECORD}2{FIELD}{FIELD}a{FIELD}{NULL}");
        let rows: Vec<Fields> = Records::new(&text, &names).collect::<Result<_, _>>().unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].i("id").unwrap(), 1);
        assert_eq!(rows[0].os("label").unwrap(), None);
        assert_eq!(rows[0].d("on").unwrap(), Date::from_ymd_opt(2025, 3, 1).unwrap());
        assert_eq!(rows[1].os("name").unwrap(), Some(String::new()), "an empty text is not NULL");
        assert_eq!(rows[1].od("on").unwrap(), None);
        assert!(Records::new("", &names).next().is_none());
        assert!(Records::new("1", &names).next().unwrap().is_err(), "a record with too few fields is refused");
        assert!(aggregate(Backend::Sqlite, cols, Some("o.id")).ends_with("char(30) ORDER BY o.id)"));
        assert!(aggregate(Backend::Postgres, cols, None).starts_with("string_agg(concat_ws(chr(31), COALESCE(CAST(o.id AS TEXT), chr(21)), "));
    }
}
