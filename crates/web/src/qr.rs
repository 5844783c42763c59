//! QR codes for questionnaire links and meeting sign-in, as SVG and PNG (people scan them
//! with a phone), and the public address they carry.

use crate::AppState;
use axum::http::{header, HeaderMap};
use qrcode::{Color, EcLevel, QrCode};

/// The address handed out on paper and phones for `path`: under the configured public
/// address (`--public-url`) when there is one, else the address this request came to.
pub fn public_address(st: &AppState, headers: &HeaderMap, path: &str) -> String {
    match st.public_url.as_deref() {
        Some(base) => format!("{}{path}", base.trim_end_matches('/')),
        None => {
            let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("localhost");
            format!("http://{host}{path}")
        }
    }
}

/// A note for staff when links are not on a configured https address (shown beside them).
pub fn address_note(st: &AppState) -> Option<&'static str> {
    match st.public_url.as_deref() {
        Some(u) if u.starts_with("https://") => None,
        Some(_) => Some("公开地址不是 https：手机扫码后的填写内容未加密传输，请配置 https 的公开地址（--public-url）"),
        None => Some("未配置公开地址（--public-url）：链接和二维码用的是您当前访问的地址，外网的手机可能打不开；请配置单位对外的 https 地址"),
    }
}

/// An SVG QR code with caption lines under it (a unit's name, a survey's title), for
/// printing and posting.
pub fn svg_captioned(text: &str, caption: &[&str]) -> Result<String, String> {
    let code = QrCode::with_error_correction_level(text, EcLevel::M).map_err(|e| format!("无法生成二维码：{e}"))?;
    let n = code.width();
    let colors = code.to_colors();
    let unit = 8;
    let side = (n + 8) * unit;
    let line_h = 28;
    let height = side + caption.len() * line_h + 12;
    let mut out = format!(r##"<svg xmlns="http://www.w3.org/2000/svg" width="{side}" height="{height}" viewBox="0 0 {side} {height}"><rect width="{side}" height="{height}" fill="#fff"/><path fill="#000" d=""##);
    for y in 0..n {
        for x in 0..n {
            if colors[y * n + x] == Color::Dark {
                out.push_str(&format!("M{} {}h{unit}v{unit}h-{unit} z", (x + 4) * unit, (y + 4) * unit));
            }
        }
    }
    out.push_str("\"/>");
    for (i, line) in caption.iter().enumerate() {
        let esc = line.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;");
        let size = if i == 0 { 20 } else { 16 };
        out.push_str(&format!(
            r#"<text x="{}" y="{}" font-size="{size}" text-anchor="middle" font-family="Noto Sans CJK SC, Microsoft YaHei, sans-serif">{esc}</text>"#,
            side / 2,
            side + i * line_h + 16
        ));
    }
    out.push_str("</svg>");
    Ok(out)
}

/// A PNG with `scale` pixels per module and a 4-module quiet zone, black on white.
pub fn png(text: &str, scale: u32) -> Result<Vec<u8>, String> {
    let code = QrCode::with_error_correction_level(text, EcLevel::M).map_err(|e| format!("无法生成二维码：{e}"))?;
    let n = code.width() as u32;
    let colors = code.to_colors();
    let side = (n + 8) * scale;
    let mut pixels = vec![255u8; (side * side) as usize];
    for y in 0..n {
        for x in 0..n {
            if colors[(y * n + x) as usize] == Color::Dark {
                for dy in 0..scale {
                    let row = ((y + 4) * scale + dy) * side;
                    for dx in 0..scale {
                        pixels[(row + (x + 4) * scale + dx) as usize] = 0;
                    }
                }
            }
        }
    }
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, side, side);
        enc.set_color(png::ColorType::Grayscale);
        enc.set_depth(png::BitDepth::Eight);
        let mut w = enc.write_header().map_err(|e| e.to_string())?;
        w.write_image_data(&pixels).map_err(|e| e.to_string())?;
    }
    Ok(out)
}
