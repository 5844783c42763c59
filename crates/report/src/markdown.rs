//! Markdown (for review and version control). Text from the data (names, quotes, case
//! titles) is escaped: HTML in it stays text in any Markdown viewer, and it cannot open
//! links or start Markdown structure of its own.

use crate::model::{Block, Report};

/// Text with HTML and Markdown's inline markup characters escaped.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '#' | '!' => {
                out.push('\\');
                out.push(c);
            }
            '\n' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

fn cell(s: &str) -> String {
    esc(s).replace('|', "\\|")
}

pub fn render(r: &Report) -> String {
    let mut out = format!("# {}\n\n{}\n\n", esc(&r.title), esc(&r.byline));
    for b in &r.blocks {
        match b {
            Block::Heading { level, text } => out.push_str(&format!("{} {}\n\n", "#".repeat(*level as usize + 1), esc(text))),
            Block::Para(t) => out.push_str(&format!("{}\n\n", esc(t))),
            Block::Quote { text, source } => out.push_str(&format!("> {}（{}）\n\n", esc(&crate::model::quoted(text)), esc(source))),
            Block::Table { caption, header, rows } => {
                out.push_str(&format!("**{}**\n\n| {} |\n|{}|\n", esc(caption), header.iter().map(|h| cell(h)).collect::<Vec<_>>().join(" | "), vec!["---"; header.len()].join("|")));
                for row in rows {
                    out.push_str(&format!("| {} |\n", row.iter().map(|c| cell(c)).collect::<Vec<_>>().join(" | ")));
                }
                out.push('\n');
            }
            Block::Chart { caption, rows, .. } => {
                out.push_str(&format!("**{}**\n\n| 分组 | 数值 |\n|---|---|\n", esc(caption)));
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

#[cfg(test)]
mod tests {
    use crate::model::{Block, Report};

    #[test]
    fn html_and_markup_from_the_data_stay_text() {
        let r = Report {
            title: "关于<script>alert(1)</script>的调研报告".into(),
            byline: "调研组".into(),
            blocks: vec![Block::Para("[点我](javascript:alert(1)) ![x](http://evil/x.png)".into()), Block::Quote { text: "<img src=x onerror=alert(1)>".into(), source: "某村".into() }],
            problems: vec![],
            achievements: vec![],
        };
        let md = super::render(&r);
        assert!(!md.contains("<script>") && md.contains("&lt;script&gt;"), "{md}");
        assert!(!md.contains("<img") && md.contains("\\[点我\\](javascript") && md.contains("\\!\\[x\\]("), "links and images escaped: {md}");
        assert!(md.starts_with("# 关于"));
    }
}
