//! The report as a document (文档模型), independent of the output format.

use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// 关于…的调研报告
    pub title: String,
    /// Who wrote it and when, under the title.
    pub byline: String,
    pub blocks: Vec<Block>,
    /// The indicators section 三 reports as breaking their line (ids), and the achievement
    /// categories section 二 claims (ids): what the validity tests compare with the plants.
    pub problems: Vec<String>,
    pub achievements: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub enum Block {
    /// Level 1: 一、 (黑体); 2: （一） (楷体); 3: 1. (仿宋). The numbering is in the text.
    Heading { level: u8, text: String },
    Para(String),
    /// A quotation from an interview, with where it was said.
    Quote { text: String, source: String },
    Table { caption: String, header: Vec<String>, rows: Vec<Vec<String>> },
    /// A chart (SVG) with its data as rows, so text formats can show the figures.
    Chart { caption: String, svg: String, rows: Vec<(String, String)> },
    /// 附件 starts on a new page.
    PageBreak,
}

/// A quotation in Chinese quotation marks, quotes inside it turned to single marks
/// (“……‘三会一课’……”), as Chinese typography nests them.
pub fn quoted(text: &str) -> String {
    let inner: String = text.trim().chars().map(|c| match c {
        '“' => '‘',
        '”' => '’',
        c => c,
    }).collect();
    format!("“{inner}”")
}

/// A table cell that is a figure (12.5%, 646/1480, 478.4元/人, 目标≥90%, —): written on
/// one line in every format; anything else may wrap.
pub fn is_figure(cell: &str) -> bool {
    cell.chars().all(|c| c.is_ascii() || "—%％≥≤元人目标警戒".contains(c))
}

impl Report {
    /// All text, for checks (no "xx", figures present).
    pub fn plain_text(&self) -> String {
        let mut s = format!("{}\n{}\n", self.title, self.byline);
        for b in &self.blocks {
            match b {
                Block::Heading { text, .. } | Block::Para(text) => s.push_str(text),
                Block::Quote { text, source } => s.push_str(&format!("{}（{source}）", quoted(text))),
                Block::Table { caption, header, rows } => {
                    s.push_str(caption);
                    s.push('\n');
                    s.push_str(&header.join("\t"));
                    for r in rows {
                        s.push('\n');
                        s.push_str(&r.join("\t"));
                    }
                }
                Block::Chart { caption, rows, .. } => {
                    s.push_str(caption);
                    for (k, v) in rows {
                        s.push_str(&format!("\n{k}\t{v}"));
                    }
                }
                Block::PageBreak => {}
            }
            s.push('\n');
        }
        s
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn quotes_inside_quotes_use_single_marks() {
        assert_eq!(super::quoted("“三会一课”有时候是应付检查"), "“‘三会一课’有时候是应付检查”");
        assert_eq!(super::quoted(" 按月开展 "), "“按月开展”");
    }
}
