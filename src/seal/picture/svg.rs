//! The seal as SVG, drawn in a 200×200 user space and sized in millimetres.

use super::PictureSpec;
use crate::seal::SealError;
use std::fmt::Write;

/// Seal red.
pub(crate) const RED: &str = "#E60012";
/// The font family of the committed font.
pub(crate) const FONT_FAMILY: &str = "Droid Sans Fallback";

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

/// The seal picture as an SVG document.
pub fn seal_svg(spec: &PictureSpec) -> Result<String, SealError> {
    spec.check()?;
    let d = spec.diameter_mm;
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{d}mm" height="{d}mm" viewBox="0 0 200 200">"#
    );
    // The ring.
    let _ = write!(
        s,
        r#"<circle cx="100" cy="100" r="95" fill="none" stroke="{RED}" stroke-width="6"/>"#
    );
    // The five-pointed star.
    let mut pts = Vec::with_capacity(10);
    for k in 0..10 {
        let r = if k % 2 == 0 { 30.0 } else { 30.0 * 0.382 };
        let a = std::f64::consts::PI * (k as f64) / 5.0;
        pts.push(format!(
            "{:.2},{:.2}",
            100.0 + r * a.sin(),
            100.0 - r * a.cos()
        ));
    }
    let _ = write!(s, r#"<polygon points="{}" fill="{RED}"/>"#, pts.join(" "));
    // The name along the upper arc, each character upright towards the centre.
    let chars: Vec<char> = spec.organisation.chars().collect();
    let n = chars.len() as f64;
    let span = (n * 22.0).clamp(60.0, 250.0);
    let radius = 66.0;
    let arc_len = radius * span.to_radians();
    let size = (arc_len / n * 0.92).min(28.0);
    let _ = write!(
        s,
        r#"<g fill="{RED}" font-family="{FONT_FAMILY}" font-size="{size:.2}" text-anchor="middle">"#
    );
    for (i, c) in chars.iter().enumerate() {
        let a = -span / 2.0 + span * (i as f64 + 0.5) / n;
        let _ = write!(
            s,
            r#"<text x="100" y="{:.2}" transform="rotate({a:.2} 100 100)">{}</text>"#,
            100.0 - radius,
            escape(&c.to_string())
        );
    }
    s.push_str("</g>");
    // The code below the star.
    if !spec.code.is_empty() {
        let m = spec.code.chars().count() as f64;
        let size = (120.0 / m).min(18.0);
        let _ = write!(
            s,
            r#"<text x="100" y="158" fill="{RED}" font-family="{FONT_FAMILY}" font-size="{size:.2}" text-anchor="middle">{}</text>"#,
            escape(&spec.code)
        );
    }
    s.push_str("</svg>");
    Ok(s)
}
