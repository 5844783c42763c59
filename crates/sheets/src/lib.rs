//! Spreadsheets in and out (Excel/WPS): rosters imported as users keep them, with an
//! error report that names row, column, value, reason and fix; blank templates with
//! drop-downs; exports of every list; and the annual internal statistics tables
//! (党内统计年报).

pub mod annual;
pub mod cells;
pub mod columns;
pub mod error_report;
pub mod export;
pub mod import;
pub mod read;
pub mod template;
pub mod write;

pub use columns::Kind;
pub use import::{import_file, ImportReport, RowError};

/// A file that cannot be read or written at all (as opposed to refused rows).
/// Data rows one upload through the web may hold (a county roster has ~40 000; the
/// command line has no limit).
pub const WEB_MAX_ROWS: u64 = 200_000;

#[derive(Debug, thiserror::Error)]
pub enum SheetError {
    #[error("{file}：{reason}")]
    File { file: String, reason: String },
    #[error("无法读写文件 {file}：{reason}")]
    Io { file: String, reason: String },
    #[error("写入表格失败：{0}")]
    Write(String),
    #[error(transparent)]
    Store(#[from] store::StoreError),
}
