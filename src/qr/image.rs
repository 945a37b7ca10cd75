//! QR images: the text as a QR code in alphanumeric mode at error-correction level Q
//! (the `qrcode` crate), rendered as PNG or SVG; and photos or screenshots of QR codes
//! read back (the `rqrr` crate), bounded in size.

use qrcode::bits::Bits;
use qrcode::{EcLevel, QrCode, Version};
use std::io::Cursor;

/// Pixels per module in the PNG.
const MODULE_PX: u32 = 4;
/// Largest picture accepted for decoding, per side (pixels).
pub const MAX_SIDE: u32 = 4_096;
/// Largest picture file accepted for decoding (bytes).
pub const MAX_IMAGE_BYTES: usize = 8 * 1024 * 1024;

/// Why a QR code could not be made or read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ImageError {
    /// The text has characters outside the QR alphanumeric set.
    #[error("the text is not QR alphanumeric")]
    NotAlphanumeric,
    /// The text does not fit a version 40 code at level Q.
    #[error("the text does not fit a QR code at level Q")]
    TooLong,
    /// The picture is not a PNG or JPEG that decodes, or is too large.
    #[error("the picture cannot be read: {0}")]
    Picture(String),
    /// No QR code was found in the picture.
    #[error("no QR code found in the picture")]
    NoCode,
    /// A QR code was found but does not decode.
    #[error("the QR code does not decode: {0}")]
    Undecodable(String),
}

/// A QR code for one text.
pub struct Qr {
    code: QrCode,
}

impl std::fmt::Debug for Qr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Qr")
            .field("version", &self.version())
            .finish()
    }
}

/// Whether every character is in the QR alphanumeric set (`0-9 A-Z space $%*+-./:`).
pub fn is_alphanumeric(text: &str) -> bool {
    text.bytes()
        .all(|c| c.is_ascii_digit() || c.is_ascii_uppercase() || b" $%*+-./:".contains(&c))
}

impl Qr {
    /// The smallest code holding `text` in one alphanumeric segment at level Q.
    pub fn new(text: &str) -> Result<Qr, ImageError> {
        if !is_alphanumeric(text) {
            return Err(ImageError::NotAlphanumeric);
        }
        for v in 1..=40 {
            let mut bits = Bits::new(Version::Normal(v));
            if bits.push_alphanumeric_data(text.as_bytes()).is_err()
                || bits.push_terminator(EcLevel::Q).is_err()
            {
                continue;
            }
            if let Ok(code) = QrCode::with_bits(bits, EcLevel::Q) {
                return Ok(Qr { code });
            }
        }
        Err(ImageError::TooLong)
    }

    /// The version (1–40).
    pub fn version(&self) -> i16 {
        match self.code.version() {
            Version::Normal(v) | Version::Micro(v) => v,
        }
    }

    /// A PNG, 4 pixels per module, with the quiet zone.
    pub fn png(&self) -> Vec<u8> {
        let img = self
            .code
            .render::<image::Luma<u8>>()
            .quiet_zone(true)
            .module_dimensions(MODULE_PX, MODULE_PX)
            .build();
        let mut out = Cursor::new(Vec::new());
        img.write_to(&mut out, image::ImageFormat::Png)
            .expect("encoding a PNG into memory cannot fail");
        out.into_inner()
    }

    /// An SVG document.
    pub fn svg(&self) -> String {
        self.code
            .render::<qrcode::render::svg::Color<'_>>()
            .quiet_zone(true)
            .min_dimensions(256, 256)
            .build()
    }
}

/// A QR code read from a picture: its text and version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    /// The text.
    pub text: String,
    /// The version (1–40).
    pub version: usize,
    /// The error-correction level as rqrr numbers it (0 M, 1 L, 2 H, 3 Q).
    pub ecc_level: u16,
}

/// Read the QR codes in a PNG or JPEG picture (bounded: file size, sides, memory).
pub fn decode_picture(bytes: &[u8]) -> Result<Vec<Decoded>, ImageError> {
    if bytes.len() > MAX_IMAGE_BYTES {
        return Err(ImageError::Picture(format!(
            "larger than {MAX_IMAGE_BYTES} bytes"
        )));
    }
    let format = image::guess_format(bytes).map_err(|e| ImageError::Picture(e.to_string()))?;
    if !matches!(format, image::ImageFormat::Png | image::ImageFormat::Jpeg) {
        return Err(ImageError::Picture("neither PNG nor JPEG".into()));
    }
    let mut reader = image::ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(128 * 1024 * 1024);
    reader.limits(limits);
    let img = reader
        .decode()
        .map_err(|e| ImageError::Picture(e.to_string()))?
        .to_luma8();
    let mut prepared = rqrr::PreparedImage::prepare(img);
    let grids = prepared.detect_grids();
    if grids.is_empty() {
        return Err(ImageError::NoCode);
    }
    let mut out = Vec::with_capacity(grids.len());
    let mut last_err = None;
    for g in grids.iter().take(8) {
        match g.decode() {
            Ok((meta, text)) => out.push(Decoded {
                text,
                version: meta.version.0,
                ecc_level: meta.ecc_level,
            }),
            Err(e) => last_err = Some(e.to_string()),
        }
    }
    if out.is_empty() {
        return Err(ImageError::Undecodable(last_err.unwrap_or_default()));
    }
    Ok(out)
}
