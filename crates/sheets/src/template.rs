//! Blank import templates (导入模板): the header of each kind with its required columns
//! marked, drop-down lists for every enumeration, identifier columns formatted as text
//! and a sheet of filling instructions.

use crate::columns::Kind;
use crate::write::{xerr, Formats};
use crate::SheetError;
use rust_xlsxwriter::{DataValidation, DataValidationErrorStyle, Format, Formula, Workbook};

/// Rows prepared with validation and formats below the header.
const TEMPLATE_ROWS: u32 = 5000;

/// The template of `kind` as XLSX bytes.
pub fn template_xlsx(kind: Kind) -> Result<Vec<u8>, SheetError> {
    let mut wb = Workbook::new();
    let f = Formats::new();
    let required = f.header.clone().set_font_color(rust_xlsxwriter::Color::RGB(0xC00000));
    let cols = kind.columns();
    // Long lists (56 民族) go to a hidden sheet and are referenced by range.
    let mut lists: Vec<(usize, Vec<&'static str>)> = Vec::new();
    {
        let ws = wb.add_worksheet();
        ws.set_name(kind.label()).map_err(xerr)?;
        for (c, col) in cols.iter().enumerate() {
            let c16 = c as u16;
            ws.set_column_width(c16, col.width).map_err(xerr)?;
            let head = if col.required { format!("*{}", col.label) } else { col.label.to_string() };
            ws.write_string_with_format(0, c16, &head, if col.required { &required } else { &f.header }).map_err(xerr)?;
            if !col.hint.is_empty() {
                ws.insert_note(0, c16, &rust_xlsxwriter::Note::new(col.hint).set_author("dangjian")).map_err(xerr)?;
            }
            let choices = (col.choices)();
            if choices.is_empty() {
                if is_text_column(col.key) {
                    ws.set_column_format(c16, &f.text).map_err(xerr)?;
                }
                continue;
            }
            lists.push((c, choices));
        }
        ws.set_freeze_panes(1, 0).map_err(xerr)?;
    }
    {
        let ls = wb.add_worksheet();
        ls.set_name("_选项").map_err(xerr)?;
        for (i, (c, choices)) in lists.iter().enumerate() {
            ls.write_string(0, i as u16, cols[*c].label).map_err(xerr)?;
            for (r, v) in choices.iter().enumerate() {
                ls.write_string(r as u32 + 1, i as u16, *v).map_err(xerr)?;
            }
        }
        ls.set_hidden(true);
    }
    for (i, (c, choices)) in lists.iter().enumerate() {
        let letter = crate::columns::column_letter(i);
        let formula = Formula::new(format!("='_选项'!${letter}$2:${letter}${}", choices.len() + 1));
        let dv = DataValidation::new()
            .allow_list_formula(formula)
            .set_error_style(DataValidationErrorStyle::Stop)
            .set_error_title(format!("{}填写有误", cols[*c].label))
            .map_err(xerr)?
            .set_error_message(format!("请从下拉列表中选择{}", cols[*c].label))
            .map_err(xerr)?;
        wb.worksheet_from_index(0).map_err(xerr)?.add_data_validation(1, *c as u16, TEMPLATE_ROWS, *c as u16, &dv).map_err(xerr)?;
    }
    {
        let ws = wb.add_worksheet();
        ws.set_name("填写说明").map_err(xerr)?;
        let wrap = Format::new().set_text_wrap();
        ws.set_column_width(0, 18.0).map_err(xerr)?;
        ws.set_column_width(1, 10.0).map_err(xerr)?;
        ws.set_column_width(2, 70.0).map_err(xerr)?;
        ws.write_string_with_format(0, 0, "列名", &f.header).map_err(xerr)?;
        ws.write_string_with_format(0, 1, "是否必填", &f.header).map_err(xerr)?;
        ws.write_string_with_format(0, 2, "填写要求", &f.header).map_err(xerr)?;
        for (r, col) in cols.iter().enumerate() {
            let r = r as u32 + 1;
            ws.write_string(r, 0, col.label).map_err(xerr)?;
            ws.write_string(r, 1, if col.required { "必填" } else { "选填" }).map_err(xerr)?;
            let mut note = col.hint.to_string();
            if !col.aliases.is_empty() {
                note.push_str(&format!("（也可写作：{}）", col.aliases.join("、")));
            }
            ws.write_string_with_format(r, 2, &note, &wrap).map_err(xerr)?;
        }
        let n = cols.len() as u32 + 2;
        ws.write_string(n, 0, "通用说明").map_err(xerr)?;
        ws.write_string_with_format(
            n,
            2,
            "表头上方可以有标题行；列的顺序不限；日期可写成2020-01-05、2020/1/5、2020.1.5或2020年1月5日；身份证号请设为文本格式；\
             导入是整体的：任何一行有错误时都不会导入，请按错误报告修改后重新导入；同一文件重复导入不会产生重复数据。",
            &wrap,
        )
        .map_err(xerr)?;
    }
    wb.save_to_buffer().map_err(xerr)
}

fn is_text_column(key: &str) -> bool {
    matches!(key, "citizen_id" | "phone" | "code" | "org_code" | "region_code")
}
