//! QR codes for questionnaire links, as SVG and PNG (respondents scan them with a phone).

use qrcode::{Color, EcLevel, QrCode};

pub fn svg(text: &str) -> Result<String, String> {
    let code = QrCode::with_error_correction_level(text, EcLevel::M).map_err(|e| format!("无法生成二维码：{e}"))?;
    Ok(code.render::<qrcode::render::svg::Color>().min_dimensions(240, 240).quiet_zone(true).build())
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
