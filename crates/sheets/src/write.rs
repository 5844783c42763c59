//! Writing tables users open in Excel or WPS: XLSX (bold frozen header, filters, widths,
//! identifiers as text, real dates) and CSV with a BOM so that Excel reads UTF-8.
//! Rows are written as they come (constant-memory worksheets), so exports of any size
//! stay flat in memory.

use crate::SheetError;
use rust_xlsxwriter::{Color, Format, FormatAlign, FormatBorder, Workbook, Worksheet};
use std::io::Write;
use std::path::Path;

/// A cell to write.
#[derive(Debug, Clone, PartialEq)]
pub enum Out {
    Empty,
    Text(String),
    Number(f64),
    Date(chrono::NaiveDate),
}

impl From<&str> for Out {
    fn from(s: &str) -> Self {
        Out::Text(s.to_string())
    }
}
impl From<String> for Out {
    fn from(s: String) -> Self {
        Out::Text(s)
    }
}
impl From<Option<String>> for Out {
    fn from(s: Option<String>) -> Self {
        s.map(Out::Text).unwrap_or(Out::Empty)
    }
}
impl From<i64> for Out {
    fn from(n: i64) -> Self {
        Out::Number(n as f64)
    }
}
impl From<f64> for Out {
    fn from(n: f64) -> Self {
        Out::Number(n)
    }
}
impl From<chrono::NaiveDate> for Out {
    fn from(d: chrono::NaiveDate) -> Self {
        Out::Date(d)
    }
}
impl From<Option<chrono::NaiveDate>> for Out {
    fn from(d: Option<chrono::NaiveDate>) -> Self {
        d.map(Out::Date).unwrap_or(Out::Empty)
    }
}

impl Out {
    /// As text for CSV.
    pub fn text(&self) -> String {
        match self {
            Out::Empty => String::new(),
            Out::Text(s) => domain::spreadsheet::csv_safe(s).into_owned(),
            Out::Number(n) if n.fract() == 0.0 => format!("{}", *n as i64),
            Out::Number(n) => format!("{n}"),
            Out::Date(d) => d.to_string(),
        }
    }
}

/// A header cell: its text and width in characters.
#[derive(Debug, Clone)]
pub struct Head {
    pub text: String,
    pub width: f64,
}

impl Head {
    pub fn new(text: impl Into<String>, width: f64) -> Self {
        Head { text: text.into(), width }
    }
}

/// The shared cell formats of one workbook.
pub struct Formats {
    pub header: Format,
    pub text: Format,
    pub date: Format,
    pub number: Format,
    pub title: Format,
    pub bad: Format,
    /// Text marked as such (Excel's quote prefix), for formula-like values.
    pub quoted: Format,
    pub bad_quoted: Format,
}

impl Formats {
    pub fn new() -> Self {
        let border = FormatBorder::Thin;
        Formats {
            header: Format::new().set_bold().set_background_color(Color::RGB(0xDDEBF7)).set_border(border).set_align(FormatAlign::Center).set_text_wrap(),
            text: Format::new().set_num_format("@"),
            date: Format::new().set_num_format("yyyy-mm-dd"),
            number: Format::new(),
            title: Format::new().set_bold().set_font_size(16).set_align(FormatAlign::Center),
            quoted: Format::new().set_num_format("@").set_quote_prefix(),
            bad: Format::new().set_background_color(Color::RGB(0xFFC7CE)).set_font_color(Color::RGB(0x9C0006)).set_num_format("@"),
            bad_quoted: Format::new().set_background_color(Color::RGB(0xFFC7CE)).set_font_color(Color::RGB(0x9C0006)).set_num_format("@").set_quote_prefix(),
        }
    }
}

impl Default for Formats {
    fn default() -> Self {
        Self::new()
    }
}

pub(crate) fn xerr(e: rust_xlsxwriter::XlsxError) -> SheetError {
    SheetError::Write(e.to_string())
}

/// Writes the header row at `row` with widths, a frozen pane below it and a filter.
pub fn write_header(ws: &mut Worksheet, f: &Formats, row: u32, heads: &[Head]) -> Result<(), SheetError> {
    for (c, h) in heads.iter().enumerate() {
        ws.set_column_width(c as u16, h.width).map_err(xerr)?;
        ws.write_string_with_format(row, c as u16, &h.text, &f.header).map_err(xerr)?;
    }
    ws.set_freeze_panes(row + 1, 0).map_err(xerr)?;
    Ok(())
}

/// Writes one data row.
pub fn write_cells(ws: &mut Worksheet, f: &Formats, row: u32, cells: &[Out]) -> Result<(), SheetError> {
    for (c, v) in cells.iter().enumerate() {
        let c = c as u16;
        match v {
            Out::Empty => {}
            Out::Text(s) => {
                // A formula-like value is marked as text the way Excel marks '=1+2.
                let format = if domain::spreadsheet::formula_like(s) { &f.quoted } else { &f.text };
                ws.write_string_with_format(row, c, s, format).map_err(xerr)?;
            }
            Out::Number(n) => {
                ws.write_number_with_format(row, c, *n, &f.number).map_err(xerr)?;
            }
            Out::Date(d) => {
                let dt = rust_xlsxwriter::ExcelDateTime::from_ymd(chrono::Datelike::year(d) as u16, chrono::Datelike::month(d) as u8, chrono::Datelike::day(d) as u8)
                    .map_err(xerr)?;
                ws.write_datetime_with_format(row, c, &dt, &f.date).map_err(xerr)?;
            }
        }
    }
    Ok(())
}

/// A streaming table writer: XLSX (one constant-memory sheet) or CSV with BOM, chosen
/// by the file extension.
pub enum TableWriter {
    Xlsx { wb: Box<Workbook>, f: Formats, row: u32, cols: u16, path: std::path::PathBuf },
    Csv(csv::Writer<std::io::BufWriter<std::fs::File>>),
}

impl TableWriter {
    pub fn create(path: &Path, sheet: &str, heads: &[Head]) -> Result<TableWriter, SheetError> {
        let io = |e: std::io::Error| SheetError::Io { file: path.display().to_string(), reason: e.to_string() };
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
        match ext.as_str() {
            "csv" => {
                let mut file = std::io::BufWriter::new(std::fs::File::create(path).map_err(io)?);
                file.write_all(b"\xEF\xBB\xBF").map_err(io)?;
                let mut w = csv::Writer::from_writer(file);
                w.write_record(heads.iter().map(|h| h.text.as_str())).map_err(|e| SheetError::Write(e.to_string()))?;
                Ok(TableWriter::Csv(w))
            }
            "xlsx" => {
                let mut wb = Box::new(Workbook::new());
                let f = Formats::new();
                let ws = wb.add_worksheet_with_constant_memory().map_err(xerr)?;
                ws.set_name(sheet).map_err(xerr)?;
                write_header(ws, &f, 0, heads)?;
                Ok(TableWriter::Xlsx { wb, f, row: 1, cols: heads.len() as u16, path: path.to_path_buf() })
            }
            other => Err(SheetError::File {
                file: path.display().to_string(),
                reason: format!("不支持导出为“.{other}”文件，请用 .xlsx 或 .csv 作为文件扩展名"),
            }),
        }
    }

    pub fn row(&mut self, cells: &[Out]) -> Result<(), SheetError> {
        match self {
            TableWriter::Csv(w) => w.write_record(cells.iter().map(Out::text)).map_err(|e| SheetError::Write(e.to_string())),
            TableWriter::Xlsx { wb, f, row, .. } => {
                let ws = wb.worksheet_from_index(0).map_err(xerr)?;
                write_cells(ws, f, *row, cells)?;
                *row += 1;
                Ok(())
            }
        }
    }

    /// Finishes the file; returns the number of data rows.
    pub fn finish(self) -> Result<u64, SheetError> {
        match self {
            TableWriter::Csv(mut w) => {
                w.flush().map_err(|e| SheetError::Write(e.to_string()))?;
                Ok(0)
            }
            TableWriter::Xlsx { mut wb, row, cols, path, .. } => {
                let ws = wb.worksheet_from_index(0).map_err(xerr)?;
                if row > 1 && cols > 0 {
                    ws.autofilter(0, 0, row - 1, cols - 1).map_err(xerr)?;
                }
                wb.save(&path).map_err(xerr)?;
                Ok(row as u64 - 1)
            }
        }
    }
}
