//! Reading typed values out of rows, with errors that say which column was wrong.

use crate::StoreError;
use domain::{Date, Labelled};
use sqlx::any::AnyRow;
use sqlx::Row;

pub(crate) trait RowExt {
    fn i(&self, c: &str) -> Result<i64, StoreError>;
    fn oi(&self, c: &str) -> Result<Option<i64>, StoreError>;
    fn s(&self, c: &str) -> Result<String, StoreError>;
    fn os(&self, c: &str) -> Result<Option<String>, StoreError>;
    fn of(&self, c: &str) -> Result<Option<f64>, StoreError>;
    fn b(&self, c: &str) -> Result<bool, StoreError> {
        Ok(self.i(c)? != 0)
    }
    fn d(&self, c: &str) -> Result<Date, StoreError> {
        parse_date(c, &self.s(c)?)
    }
    fn od(&self, c: &str) -> Result<Option<Date>, StoreError> {
        self.os(c)?.map(|v| parse_date(c, &v)).transpose()
    }
    fn e<T: Labelled>(&self, c: &str) -> Result<T, StoreError> {
        let v = self.s(c)?;
        T::parse(&v).ok_or_else(|| StoreError::Corrupt(format!("{c} = {v}")))
    }
    /// A sealed text column, opened (see crates/vault).
    fn sealed(&self, c: &str, vault: &vault::Keyring) -> Result<String, StoreError> {
        vault.open(&self.s(c)?).map_err(|e| StoreError::Corrupt(format!("{c}: {e}")))
    }
    fn osealed(&self, c: &str, vault: &vault::Keyring) -> Result<Option<String>, StoreError> {
        self.os(c)?.map(|v| vault.open(&v).map_err(|e| StoreError::Corrupt(format!("{c}: {e}")))).transpose()
    }
    fn oe<T: Labelled>(&self, c: &str) -> Result<Option<T>, StoreError> {
        match self.os(c)? {
            None => Ok(None),
            Some(v) => T::parse(&v).map(Some).ok_or_else(|| StoreError::Corrupt(format!("{c} = {v}"))),
        }
    }
}

fn parse_date(c: &str, v: &str) -> Result<Date, StoreError> {
    domain::dates::parse_stored(v).ok_or_else(|| StoreError::Corrupt(format!("{c} = {v}")))
}

fn col(c: &str, e: sqlx::Error) -> StoreError {
    StoreError::Corrupt(format!("{c}: {e}"))
}

impl RowExt for AnyRow {
    fn i(&self, c: &str) -> Result<i64, StoreError> {
        self.try_get::<i64, _>(c).map_err(|e| col(c, e))
    }
    fn oi(&self, c: &str) -> Result<Option<i64>, StoreError> {
        self.try_get::<Option<i64>, _>(c).map_err(|e| col(c, e))
    }
    fn s(&self, c: &str) -> Result<String, StoreError> {
        self.try_get::<String, _>(c).map_err(|e| col(c, e))
    }
    fn os(&self, c: &str) -> Result<Option<String>, StoreError> {
        self.try_get::<Option<String>, _>(c).map_err(|e| col(c, e))
    }
    fn of(&self, c: &str) -> Result<Option<f64>, StoreError> {
        self.try_get::<Option<f64>, _>(c).map_err(|e| col(c, e))
    }
}
