//! SVG charts as PNG for Word (resvg; Chinese labels need a CJK font on the machine —
//! scripts/install-deps.sh installs WenQuanYi Micro Hei; any of the usual CJK families is used).

use std::sync::OnceLock;

const CJK: &[&str] = &["WenQuanYi Micro Hei", "WenQuanYi Zen Hei", "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Microsoft YaHei", "SimHei", "PingFang SC", "Droid Sans Fallback"];

fn options() -> &'static resvg::usvg::Options<'static> {
    static O: OnceLock<resvg::usvg::Options<'static>> = OnceLock::new();
    O.get_or_init(|| {
        let mut o = resvg::usvg::Options::default();
        let db = o.fontdb_mut();
        db.load_system_fonts();
        let family = db.faces().flat_map(|f| f.families.iter().map(|(n, _)| n.clone())).find(|n| CJK.iter().any(|c| n.eq_ignore_ascii_case(c)));
        if let Some(f) = family {
            db.set_sans_serif_family(f);
        }
        o
    })
}

/// The chart at `scale` × its SVG size: (PNG bytes, width px, height px of the SVG).
pub fn png(svg: &str, scale: f32) -> Result<(Vec<u8>, u32, u32), String> {
    let tree = resvg::usvg::Tree::from_str(svg, options()).map_err(|e| format!("图表无法解析：{e}"))?;
    let size = tree.size();
    let (w, h) = ((size.width() * scale).ceil() as u32, (size.height() * scale).ceil() as u32);
    let mut pixmap = resvg::tiny_skia::Pixmap::new(w.max(1), h.max(1)).ok_or("图表尺寸无效")?;
    pixmap.fill(resvg::tiny_skia::Color::WHITE);
    resvg::render(&tree, resvg::tiny_skia::Transform::from_scale(scale, scale), &mut pixmap.as_mut());
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, w.max(1), h.max(1));
        enc.set_color(png::ColorType::Rgba);
        enc.set_depth(png::BitDepth::Eight);
        let mut wr = enc.write_header().map_err(|e| e.to_string())?;
        // Opaque white background: premultiplied equals straight alpha.
        wr.write_image_data(pixmap.data()).map_err(|e| e.to_string())?;
    }
    Ok((out, size.width().ceil() as u32, size.height().ceil() as u32))
}
