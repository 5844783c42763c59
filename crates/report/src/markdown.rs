//! Markdown (for review and version control).

use crate::model::{Block, Report};

fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

pub fn render(r: &Report) -> String {
    let mut out = format!("# {}\n\n{}\n\n", r.title, r.byline);
    for b in &r.blocks {
        match b {
            Block::Heading { level, text } => out.push_str(&format!("{} {}\n\n", "#".repeat(*level as usize + 1), text)),
            Block::Para(t) => out.push_str(&format!("{t}\n\n")),
            Block::Quote { text, source } => out.push_str(&format!("> {}（{source}）\n\n", crate::model::quoted(text))),
            Block::Table { caption, header, rows } => {
                out.push_str(&format!("**{caption}**\n\n| {} |\n|{}|\n", header.iter().map(|h| cell(h)).collect::<Vec<_>>().join(" | "), vec!["---"; header.len()].join("|")));
                for row in rows {
                    out.push_str(&format!("| {} |\n", row.iter().map(|c| cell(c)).collect::<Vec<_>>().join(" | ")));
                }
                out.push('\n');
            }
            Block::Chart { caption, rows, .. } => {
                out.push_str(&format!("**{caption}**\n\n| 分组 | 数值 |\n|---|---|\n"));
                for (k, v) in rows {
                    out.push_str(&format!("| {} | {} |\n", cell(k), cell(v)));
                }
                out.push('\n');
            }
            Block::PageBreak => out.push_str("---\n\n"),
        }
    }
    out
}
