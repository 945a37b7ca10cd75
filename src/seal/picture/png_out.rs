//! Rendering the SVG to PNG with resvg and the committed font, with a pHYs chunk.

use super::svg::FONT_FAMILY;
use crate::seal::SealError;
use resvg::{tiny_skia, usvg};
use std::sync::{Arc, OnceLock};

static FONT: &[u8] = include_bytes!("../../../fixtures/fonts/DroidSansFallback-GB2312.ttf");

fn fonts() -> Arc<usvg::fontdb::Database> {
    static DB: OnceLock<Arc<usvg::fontdb::Database>> = OnceLock::new();
    DB.get_or_init(|| {
        let mut db = usvg::fontdb::Database::new();
        db.load_font_data(FONT.to_vec());
        Arc::new(db)
    })
    .clone()
}

/// Render `svg` to a square PNG `size_mm` wide at `dpi` (72..=1200), transparent
/// background, with its resolution in a pHYs chunk.
pub fn render_png(svg: &str, size_mm: u32, dpi: u32) -> Result<Vec<u8>, SealError> {
    if !(72..=1200).contains(&dpi) {
        return Err(SealError::InvalidRequest("the DPI must be 72 to 1200"));
    }
    if !(1..=200).contains(&size_mm) {
        return Err(SealError::InvalidRequest("the size must be 1 to 200 mm"));
    }
    let opt = usvg::Options {
        font_family: FONT_FAMILY.to_string(),
        fontdb: fonts(),
        ..usvg::Options::default()
    };
    let tree = usvg::Tree::from_str(svg, &opt).map_err(|e| SealError::Picture(e.to_string()))?;
    let px = ((size_mm as f64) / 25.4 * dpi as f64).round() as u32;
    let mut pixmap = tiny_skia::Pixmap::new(px, px)
        .ok_or_else(|| SealError::Picture("cannot allocate the picture".into()))?;
    let s = tree.size();
    let transform = tiny_skia::Transform::from_scale(px as f32 / s.width(), px as f32 / s.height());
    resvg::render(&tree, transform, &mut pixmap.as_mut());
    let mut rgba = Vec::with_capacity((px * px * 4) as usize);
    for p in pixmap.pixels() {
        let c = p.demultiply();
        rgba.extend_from_slice(&[c.red(), c.green(), c.blue(), c.alpha()]);
    }
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, px, px);
        enc.set_color(png::ColorType::Rgba);
        enc.set_depth(png::BitDepth::Eight);
        let ppm = (dpi as f64 / 0.0254).round() as u32;
        enc.set_pixel_dims(Some(png::PixelDimensions {
            xppu: ppm,
            yppu: ppm,
            unit: png::Unit::Meter,
        }));
        let mut w = enc
            .write_header()
            .map_err(|e| SealError::Picture(e.to_string()))?;
        w.write_image_data(&rgba)
            .map_err(|e| SealError::Picture(e.to_string()))?;
    }
    Ok(out)
}
