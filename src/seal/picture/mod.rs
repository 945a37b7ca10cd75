//! The seal picture: the classic round red seal — a red ring, the organisation's name
//! along the upper arc, a five-pointed star in the centre and the seal code (or the seal
//! type, e.g. 合同专用章) below — as SVG (its size in mm) and as PNG (rendered from the
//! SVG by resvg, with a pHYs chunk giving the DPI, so the size in mm is kept).
//!
//! Text is rendered with the committed font `fixtures/fonts/DroidSansFallback-GB2312.ttf`
//! (the GB 2312 hanzi of Droid Sans Fallback, Apache-2.0, and the printable ASCII of DejaVu
//! Sans, for codes and Latin names), compiled into the binary, so no system font is needed.
//! Must not touch: files, the seal structures beyond [`super::asn1::Picture`].

mod png_out;
mod svg;

pub use png_out::render_png;
pub use svg::seal_svg;

use super::asn1::Picture;
use super::SealError;

/// Longest organisation name drawn along the arc, in characters.
pub const MAX_NAME_CHARS: usize = 40;
/// Longest text drawn below the star, in characters.
pub const MAX_CODE_CHARS: usize = 30;

/// What to draw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PictureSpec {
    /// The organisation's name, along the upper arc.
    pub organisation: String,
    /// The seal code or type, below the star (may be empty).
    pub code: String,
    /// Diameter in millimetres (10..=100; 42 is usual for a company seal, 40 for
    /// special-purpose seals).
    pub diameter_mm: u32,
}

impl PictureSpec {
    /// A 42 mm seal.
    pub fn new(organisation: impl Into<String>, code: impl Into<String>) -> Self {
        PictureSpec {
            organisation: organisation.into(),
            code: code.into(),
            diameter_mm: 42,
        }
    }

    pub(crate) fn check(&self) -> Result<(), SealError> {
        let n = self.organisation.chars().count();
        if n == 0 || n > MAX_NAME_CHARS {
            return Err(SealError::InvalidRequest(
                "the organisation name must have 1 to 40 characters",
            ));
        }
        if self.code.chars().count() > MAX_CODE_CHARS {
            return Err(SealError::InvalidRequest(
                "the seal code must have at most 30 characters",
            ));
        }
        if !(10..=100).contains(&self.diameter_mm) {
            return Err(SealError::InvalidRequest(
                "the diameter must be 10 to 100 mm",
            ));
        }
        if self
            .organisation
            .chars()
            .chain(self.code.chars())
            .any(char::is_control)
        {
            return Err(SealError::InvalidRequest(
                "control characters are not drawn",
            ));
        }
        Ok(())
    }
}

/// Default resolution of PNG pictures.
pub const DEFAULT_DPI: u32 = 300;

/// The picture as a PNG [`Picture`] for a seal (the usual choice; OFD readers show it).
pub fn png_picture(spec: &PictureSpec, dpi: u32) -> Result<Picture, SealError> {
    let svg = seal_svg(spec)?;
    Ok(Picture {
        kind: "PNG".into(),
        data: render_png(&svg, spec.diameter_mm, dpi)?,
        width_mm: spec.diameter_mm.into(),
        height_mm: spec.diameter_mm.into(),
    })
}

/// The picture as an SVG [`Picture`].
pub fn svg_picture(spec: &PictureSpec) -> Result<Picture, SealError> {
    Ok(Picture {
        kind: "SVG".into(),
        data: seal_svg(spec)?.into_bytes(),
        width_mm: spec.diameter_mm.into(),
        height_mm: spec.diameter_mm.into(),
    })
}
