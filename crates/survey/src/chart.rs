//! Charts as SVG (bar, stacked bar, pie), drawn directly: no font files needed, Chinese
//! labels measured as one em per character.

use std::fmt::Write;

const COLORS: &[&str] = &["#b71c1c", "#e57373", "#ffb74d", "#81c784", "#4fc3f7", "#7986cb", "#ba68c8", "#a1887f", "#90a4ae", "#4db6ac"];

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// Width of a label in px at font size `fs` (CJK one em, ASCII about half).
fn text_w(s: &str, fs: f64) -> f64 {
    s.chars().map(|c| if c.is_ascii() { 0.55 } else { 1.0 }).sum::<f64>() * fs
}

fn short(s: &str, n: usize) -> String {
    if s.chars().count() <= n { s.to_string() } else { format!("{}…", s.chars().take(n).collect::<String>()) }
}

/// Horizontal bars: (label, value); `unit` follows each value ("%", "人").
pub fn bar(title: &str, items: &[(String, f64)], unit: &str) -> String {
    let fs = 13.0;
    let label_w = items.iter().map(|(l, _)| text_w(&short(l, 14), fs)).fold(40.0, f64::max) + 10.0;
    let (bar_w, row_h) = (320.0, 24.0);
    let max = items.iter().map(|(_, v)| *v).fold(0.0, f64::max).max(1e-9);
    let h = 30.0 + row_h * items.len() as f64 + 10.0;
    let w = label_w + bar_w + 70.0;
    let mut s = format!(r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w:.0}" height="{h:.0}" viewBox="0 0 {w:.0} {h:.0}" font-family="sans-serif" font-size="{fs}" role="img"><title>{}</title>"#, esc(title));
    let _ = write!(s, r#"<text x="0" y="16" font-weight="bold">{}</text>"#, esc(&short(title, 40)));
    for (i, (l, v)) in items.iter().enumerate() {
        let y = 30.0 + row_h * i as f64;
        let bw = bar_w * v / max;
        let _ = write!(s, r#"<text x="{:.0}" y="{:.0}" text-anchor="end">{}</text><rect x="{label_w:.0}" y="{:.0}" width="{bw:.1}" height="{:.0}" fill="{}"/><text x="{:.1}" y="{:.0}">{}{}</text>"#,
            label_w - 6.0, y + 16.0, esc(&short(l, 14)), y + 4.0, row_h - 8.0, COLORS[0], label_w + bw + 4.0, y + 16.0, fmt(*v), unit);
    }
    s.push_str("</svg>");
    s
}

/// The colours of a scale's answers, diverging from its middle: disagreement in reds
/// (darker further from the middle), agreement in blues, the middle grey.
pub fn diverging(scores: &[f64]) -> Vec<String> {
    const REDS: [&str; 3] = ["#f4a582", "#d6604d", "#b2182b"];
    const BLUES: [&str; 3] = ["#92c5de", "#4393c3", "#2166ac"];
    let (lo, hi) = scores.iter().fold((f64::MAX, f64::MIN), |(a, b), x| (a.min(*x), b.max(*x)));
    let mid = (lo + hi) / 2.0;
    // On each side the answer nearest the middle is lightest, the extreme darkest.
    let side: Vec<f64> = {
        let mut v: Vec<f64> = scores.iter().map(|x| (x - mid).abs()).filter(|d| *d > 1e-9).collect();
        v.sort_by(|a, b| a.total_cmp(b));
        v.dedup_by(|a, b| (*a - *b).abs() < 1e-9);
        v
    };
    scores
        .iter()
        .map(|x| {
            let d = x - mid;
            if d.abs() < 1e-9 {
                return "#bdbdbd".to_string();
            }
            let k = side.len();
            let pos = side.iter().position(|v| (v - d.abs()).abs() < 1e-9).unwrap_or(0);
            let step = if k <= 1 { 2 } else { (pos * 2 + (k - 1) / 2) / (k - 1) };
            if d < 0.0 { REDS[step] } else { BLUES[step] }.to_string()
        })
        .collect()
}

/// Stacked horizontal bars of percentages: one bar per group, one segment per column.
pub fn stacked(title: &str, groups: &[String], columns: &[String], counts: &[Vec<u64>]) -> String {
    let colors: Vec<String> = (0..columns.len()).map(|j| COLORS[j % COLORS.len()].to_string()).collect();
    stacked_in(title, groups, columns, counts, &colors)
}

/// The same, in the colours given (one per column), e.g. [`diverging`] for a scale.
pub fn stacked_in(title: &str, groups: &[String], columns: &[String], counts: &[Vec<u64>], colors: &[String]) -> String {
    let fs = 12.0;
    let label_w = groups.iter().map(|g| text_w(&short(g, 12), fs)).fold(40.0, f64::max) + 10.0;
    let (bar_w, row_h) = (360.0, 24.0);
    let legend_h = 20.0 * columns.len().div_ceil(4) as f64;
    let h = 30.0 + row_h * groups.len() as f64 + legend_h + 14.0;
    let w = label_w + bar_w + 20.0;
    let mut s = format!(r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w:.0}" height="{h:.0}" viewBox="0 0 {w:.0} {h:.0}" font-family="sans-serif" font-size="{fs}" role="img"><title>{}</title>"#, esc(title));
    let _ = write!(s, r#"<text x="0" y="16" font-weight="bold">{}</text>"#, esc(&short(title, 44)));
    for (i, (g, row)) in groups.iter().zip(counts).enumerate() {
        let y = 30.0 + row_h * i as f64;
        let total: u64 = row.iter().sum();
        let _ = write!(s, r#"<text x="{:.0}" y="{:.0}" text-anchor="end">{}</text>"#, label_w - 6.0, y + 16.0, esc(&short(g, 12)));
        let mut x = label_w;
        for (j, c) in row.iter().enumerate() {
            if total == 0 || *c == 0 {
                continue;
            }
            let seg = bar_w * *c as f64 / total as f64;
            let _ = write!(s, r#"<rect x="{x:.1}" y="{:.0}" width="{seg:.1}" height="{:.0}" fill="{}"><title>{}：{}（{:.1}%）</title></rect>"#, y + 4.0, row_h - 8.0, colors[j], esc(&columns[j]), c, *c as f64 * 100.0 / total as f64);
            x += seg;
        }
    }
    let ly = 30.0 + row_h * groups.len() as f64 + 8.0;
    for (j, c) in columns.iter().enumerate() {
        let (lx, lyy) = (label_w + (j % 4) as f64 * 90.0, ly + 20.0 * (j / 4) as f64);
        let _ = write!(s, r#"<rect x="{lx:.0}" y="{lyy:.0}" width="10" height="10" fill="{}"/><text x="{:.0}" y="{:.0}">{}</text>"#, colors[j], lx + 14.0, lyy + 10.0, esc(&short(c, 6)));
    }
    s.push_str("</svg>");
    s
}

/// A pie of (label, count).
pub fn pie(title: &str, items: &[(String, f64)]) -> String {
    let total: f64 = items.iter().map(|(_, v)| v).sum();
    let (cx, cy, r) = (90.0, 110.0, 80.0);
    let h = (40.0 + 20.0 * items.len() as f64).max(200.0);
    let mut s = format!(r#"<svg xmlns="http://www.w3.org/2000/svg" width="420" height="{h:.0}" viewBox="0 0 420 {h:.0}" font-family="sans-serif" font-size="12" role="img"><title>{}</title>"#, esc(title));
    let _ = write!(s, r#"<text x="0" y="16" font-weight="bold">{}</text>"#, esc(&short(title, 30)));
    let mut a0 = -std::f64::consts::FRAC_PI_2;
    for (i, (l, v)) in items.iter().enumerate() {
        let color = COLORS[i % COLORS.len()];
        if total > 0.0 && *v > 0.0 {
            let a1 = a0 + v / total * std::f64::consts::TAU;
            if (v / total - 1.0).abs() < 1e-9 {
                let _ = write!(s, r#"<circle cx="{cx}" cy="{cy}" r="{r}" fill="{color}"/>"#);
            } else {
                let large = if a1 - a0 > std::f64::consts::PI { 1 } else { 0 };
                let _ = write!(s, r#"<path d="M{cx},{cy} L{:.2},{:.2} A{r},{r} 0 {large} 1 {:.2},{:.2} Z" fill="{color}"><title>{}：{}</title></path>"#,
                    cx + r * a0.cos(), cy + r * a0.sin(), cx + r * a1.cos(), cy + r * a1.sin(), esc(l), fmt(*v));
            }
            a0 = a1;
        }
        let y = 36.0 + 20.0 * i as f64;
        let pct = if total > 0.0 { v * 100.0 / total } else { 0.0 };
        let _ = write!(s, r#"<rect x="190" y="{:.0}" width="10" height="10" fill="{color}"/><text x="206" y="{:.0}">{} {:.1}%</text>"#, y - 9.0, y, esc(&short(l, 14)), pct);
    }
    s.push_str("</svg>");
    s
}

fn fmt(v: f64) -> String {
    if v.fract() == 0.0 { format!("{}", v as i64) } else { format!("{v:.1}") }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_five_point_scale_runs_from_red_through_grey_to_blue() {
        // agree5 lists 5 (非常同意) first.
        let c = super::diverging(&[5.0, 4.0, 3.0, 2.0, 1.0]);
        assert_eq!(c, ["#2166ac", "#92c5de", "#bdbdbd", "#f4a582", "#b2182b"].map(String::from));
        let four = super::diverging(&[1.0, 2.0, 3.0, 4.0]);
        assert!(!four.contains(&"#bdbdbd".to_string()), "an even scale has no middle: {four:?}");
        assert!(four[0] == "#b2182b" && four[3] == "#2166ac", "{four:?}");
    }
}
