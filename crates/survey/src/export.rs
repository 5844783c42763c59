//! Exports of a campaign's responses: CSV (UTF-8 with BOM, so Excel opens it), XLSX
//! (codes with labels beside them, and a sheet describing every variable), SPSS .sav and
//! Stata .dta (value and variable labels). All stream: memory does not grow with the
//! number of responses.

use crate::campaign::{load, SurveyError};
use crate::columns::{columns, row, Cell, ColKind, Flavour};
use std::path::Path;
use store::{Scope, Store};

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Format {
    Csv,
    Xlsx,
    Sav,
    Dta,
}

impl Format {
    pub fn parse(s: &str) -> Option<Format> {
        Some(match s.to_lowercase().as_str() {
            "csv" => Format::Csv,
            "xlsx" => Format::Xlsx,
            "sav" | "spss" => Format::Sav,
            "dta" | "stata" => Format::Dta,
            _ => return None,
        })
    }
    pub fn ext(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Xlsx => "xlsx",
            Format::Sav => "sav",
            Format::Dta => "dta",
        }
    }
    pub fn mime(self) -> &'static str {
        match self {
            Format::Csv => "text/csv; charset=utf-8",
            Format::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            Format::Sav => "application/x-spss-sav",
            Format::Dta => "application/x-stata-dta",
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct Exported {
    pub rows: u64,
    /// Text values cut to the format's limit (SAV 32 767 bytes, DTA 2 045 bytes).
    pub truncated: u64,
}

fn io(e: impl std::fmt::Display) -> SurveyError {
    SurveyError::Io(e.to_string())
}

/// Writes the campaign's responses (only valid ones when `valid_only`) to `path`.
pub async fn export(store: &Store, scope: &Scope, campaign_id: i64, format: Format, valid_only: bool, path: &Path) -> Result<Exported, SurveyError> {
    let l = load(store, scope, campaign_id).await?;
    let flavour = if matches!(format, Format::Sav | Format::Dta) { Flavour::Statistical } else { Flavour::Spreadsheet };
    let cols = columns(&l.form, flavour);
    let mut out = Exported::default();
    let title = l.campaign.title.clone();
    match format {
        Format::Csv => {
            let mut f = std::io::BufWriter::new(std::fs::File::create(path)?);
            std::io::Write::write_all(&mut f, b"\xEF\xBB\xBF")?;
            let mut w = csv::Writer::from_writer(f);
            w.write_record(cols.iter().map(|c| c.name.as_str())).map_err(io)?;
            out.rows = each_row(&l, store, scope, &cols, valid_only, |cells| {
                w.write_record(cells.iter().zip(&cols).map(|(c, col)| match c {
                    Cell::Num(Some(n)) if col.kind == ColKind::DateTime => crate::columns::datetime_text(*n),
                    Cell::Num(Some(n)) => fmt_num(*n),
                    Cell::Num(None) => String::new(),
                    Cell::Str(s) => domain::spreadsheet::csv_safe(s).into_owned(),
                }))
                .map_err(io)
            })
            .await?;
            w.flush()?;
        }
        Format::Xlsx => {
            use rust_xlsxwriter::{Format as XF, Workbook};
            let mut wb = Workbook::new();
            // ZIP64 only when the sheet may pass 4 GiB before compression (about a million
            // responses): LibreOffice up to 7.4 cannot open a ZIP64 file, so a campaign of
            // ordinary size is written as a plain ZIP. The estimate is generous (200 bytes
            // of XML per cell), so a large file never lacks it.
            let responses = store.campaign_response_count(scope, campaign_id).await?;
            wb.use_zip_large_file(responses.max(0) as u64 * (cols.len() as u64 + 2) * 200 > 3 << 30);
            let bold = XF::new().set_bold();
            // A formula-like answer is marked as text the way Excel marks '=1+2.
            let quoted = XF::new().set_quote_prefix();
            let when = XF::new().set_num_format("yyyy-mm-dd hh:mm:ss");
            let ws = wb.add_worksheet_with_constant_memory().map_err(io)?.set_name("答卷").map_err(io)?;
            // Constant-memory sheets take rows in order: a row is flushed once the next starts.
            for (i, c) in cols.iter().enumerate() {
                ws.write_string_with_format(0, i as u16, &c.name, &bold).map_err(io)?;
            }
            for (i, c) in cols.iter().enumerate() {
                ws.write_string(1, i as u16, &c.label).map_err(io)?;
            }
            let mut r_i = 2u32;
            out.rows = each_row(&l, store, scope, &cols, valid_only, |cells| {
                for (i, c) in cells.iter().enumerate() {
                    match c {
                        // Excel's serial day count: 25 569 days from 1899-12-30 to 1970-01-01.
                        Cell::Num(Some(n)) if cols[i].kind == ColKind::DateTime => {
                            ws.write_number_with_format(r_i, i as u16, n / 86_400.0 + 25_569.0, &when).map_err(io)?;
                        }
                        Cell::Num(Some(n)) => {
                            ws.write_number(r_i, i as u16, *n).map_err(io)?;
                        }
                        Cell::Num(None) => {}
                        Cell::Str(s) if s.is_empty() => {}
                        Cell::Str(s) if domain::spreadsheet::formula_like(s) => {
                            ws.write_string_with_format(r_i, i as u16, s, &quoted).map_err(io)?;
                        }
                        Cell::Str(s) => {
                            ws.write_string(r_i, i as u16, s).map_err(io)?;
                        }
                    }
                }
                r_i += 1;
                Ok(())
            })
            .await?;
            ws.set_freeze_panes(2, 0).map_err(io)?;
            let d = wb.add_worksheet_with_constant_memory().map_err(io)?.set_name("变量说明").map_err(io)?;
            for (i, h) in ["变量名", "题目", "类型", "取值说明"].iter().enumerate() {
                d.write_string_with_format(0, i as u16, *h, &bold).map_err(io)?;
            }
            for (i, c) in cols.iter().enumerate() {
                let r = i as u32 + 1;
                d.write_string(r, 0, &c.name).map_err(io)?;
                d.write_string(r, 1, &c.label).map_err(io)?;
                d.write_string(r, 2, match c.kind { ColKind::Str => "文本", ColKind::DateTime => "日期时间", ColKind::Num { .. } => "数值" }).map_err(io)?;
                let labels: Vec<String> = c.labels.iter().map(|(v, l)| format!("{}={l}", fmt_num(*v))).collect();
                d.write_string(r, 3, labels.join("；")).map_err(io)?;
            }
            d.set_column_width(1, 50).map_err(io)?;
            d.set_column_width(3, 60).map_err(io)?;
            wb.save(path).map_err(io)?;
        }
        Format::Sav | Format::Dta => {
            // First pass: the longest value of each text column (fixed widths in both formats).
            let mut widths = vec![0usize; cols.len()];
            out.rows = each_row(&l, store, scope, &cols, valid_only, |cells| {
                for (i, c) in cells.iter().enumerate() {
                    if let Cell::Str(s) = c {
                        widths[i] = widths[i].max(s.len());
                    }
                }
                Ok(())
            })
            .await?;
            let f = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(path)?);
            if format == Format::Sav {
                let mut w = crate::sav::SavWriter::new(f, &title, &cols, &widths)?;
                out.rows = each_row(&l, store, scope, &cols, valid_only, |cells| Ok(w.row(&cells)?)).await?;
                out.truncated = w.truncated;
                w.finish()?;
            } else {
                let mut w = crate::dta::DtaWriter::new(f, &title, &cols, &widths)?;
                out.rows = each_row(&l, store, scope, &cols, valid_only, |cells| Ok(w.row(&cells)?)).await?;
                out.truncated = w.truncated;
                w.finish()?;
            }
        }
    }
    Ok(out)
}

/// Streams the rows of the responses to export (only the valid ones when `valid_only`).
async fn each_row(
    l: &crate::campaign::Loaded,
    store: &Store,
    scope: &Scope,
    cols: &[crate::columns::Column],
    valid_only: bool,
    mut f: impl FnMut(Vec<Cell>) -> Result<(), SurveyError>,
) -> Result<u64, SurveyError> {
    let mut n = 0;
    l.judge_each(store, scope, |r, a, v| {
        if valid_only && !v.valid {
            return Ok(());
        }
        n += 1;
        f(row(cols, &l.form, r, l.unit(r.unit_id), a, v))
    })
    .await?;
    Ok(n)
}

fn fmt_num(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}
