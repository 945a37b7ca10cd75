//! The text layers: prefix, base45 (RFC 9285), zlib (RFC 1950).

use super::{QrError, MAX_INFLATED, MAX_TEXT};
use flate2::{read::ZlibDecoder, write::ZlibEncoder, Compression};
use std::io::{Read, Write};

/// `prefix` + base45(zlib(`cose`)), the QR text of a COSE value.
pub fn wrap_text(prefix: &str, cose: &[u8]) -> String {
    let mut z = ZlibEncoder::new(Vec::with_capacity(cose.len() + 16), Compression::best());
    z.write_all(cose).expect("writing into a Vec cannot fail");
    let compressed = z.finish().expect("finishing into a Vec cannot fail");
    let mut text = String::with_capacity(prefix.len() + compressed.len() * 3 / 2 + 2);
    text.push_str(prefix);
    text.push_str(&base45::encode(&compressed));
    text
}

/// The three text layers undone, each kept: the base45 text, the compressed bytes, the
/// inflated bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unwrapped {
    /// The base45 text after the prefix.
    pub base45: String,
    /// The zlib stream.
    pub compressed: Vec<u8>,
    /// The inflated bytes (the COSE value).
    pub cose: Vec<u8>,
}

/// Strip `prefix` (after trimming surrounding whitespace), base45-decode and inflate, each
/// bounded; the error names the first layer that fails.
pub fn unwrap_text(text: &str, prefix: &str) -> Result<Unwrapped, QrError> {
    let rest = strip_prefix(text, prefix)?;
    let compressed = decode_base45(rest)?;
    let cose = inflate(&compressed)?;
    Ok(Unwrapped {
        base45: rest.to_string(),
        compressed,
        cose,
    })
}

/// The text after `prefix`.
pub fn strip_prefix<'t>(text: &'t str, prefix: &str) -> Result<&'t str, QrError> {
    let text = text.trim_matches(|c: char| c.is_ascii_whitespace() || c == '\u{feff}');
    if text.len() > MAX_TEXT + prefix.len() {
        return Err(QrError::TooLong { limit: MAX_TEXT });
    }
    text.strip_prefix(prefix).ok_or_else(|| QrError::Prefix {
        expected: prefix.to_string(),
    })
}

/// base45-decode (RFC 9285: every character of the 45-character set, groups of 3 below
/// 65536, a trailing group of 2).
pub fn decode_base45(text: &str) -> Result<Vec<u8>, QrError> {
    if text.is_empty() {
        return Err(QrError::Base45("empty".into()));
    }
    base45::decode(text).map_err(|e| QrError::Base45(e.to_string()))
}

/// Inflate a zlib stream, at most [`MAX_INFLATED`] bytes, the whole stream required.
pub fn inflate(compressed: &[u8]) -> Result<Vec<u8>, QrError> {
    let mut out = Vec::new();
    let mut d = ZlibDecoder::new(compressed);
    let limit = u64::try_from(MAX_INFLATED).unwrap_or(u64::MAX) + 1;
    d.by_ref()
        .take(limit)
        .read_to_end(&mut out)
        .map_err(|e| QrError::Zlib(e.to_string()))?;
    if out.len() > MAX_INFLATED {
        return Err(QrError::Zlib(format!("inflates past {MAX_INFLATED} bytes")));
    }
    if out.is_empty() {
        return Err(QrError::Zlib("empty stream".into()));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 9285 section 4.3 examples.
    #[test]
    fn base45_matches_rfc_9285_examples() {
        assert_eq!(base45::encode(b"AB"), "BB8");
        assert_eq!(base45::encode(b"Hello!!"), "%69 VD92EX0");
        assert_eq!(base45::encode(b"base-45"), "UJCLQE7W581");
        assert_eq!(decode_base45("QED8WEX0").unwrap(), b"ietf!");
        // Section 6: a triple above 65535 and a character outside the set are refused.
        assert!(matches!(decode_base45("GGW"), Err(QrError::Base45(_))));
        assert!(matches!(decode_base45("ab"), Err(QrError::Base45(_))));
    }

    #[test]
    fn layers_round_trip_and_fail_in_order() {
        let cose = b"\xd2\x84not really cose but bytes".to_vec();
        let text = wrap_text("DS1:", &cose);
        assert!(text.starts_with("DS1:"));
        let u = unwrap_text(&text, "DS1:").unwrap();
        assert_eq!(u.cose, cose);
        assert_eq!(
            unwrap_text(&text, "HC1:").unwrap_err().layer(),
            Some(super::super::Layer::Prefix)
        );
        let bad45 = format!("DS1:{}a", &text[4..]);
        assert!(matches!(
            unwrap_text(&bad45, "DS1:"),
            Err(QrError::Base45(_))
        ));
        let notz = format!("DS1:{}", base45::encode(b"plain bytes"));
        assert!(matches!(unwrap_text(&notz, "DS1:"), Err(QrError::Zlib(_))));
    }

    #[test]
    fn zlib_bomb_is_refused() {
        let mut z = ZlibEncoder::new(Vec::new(), Compression::best());
        z.write_all(&vec![0u8; MAX_INFLATED * 4]).unwrap();
        let bomb = z.finish().unwrap();
        assert!(matches!(inflate(&bomb), Err(QrError::Zlib(_))));
    }
}
