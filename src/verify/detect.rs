//! Telling an artifact's kind from its bytes: zip magic → OFD; compact JWS text →
//! SD-JWT; a PEM certificate → certificate; DER that the seal module reads as SESeal →
//! seal, as SES_Signature → stamp, else DER X.509 → certificate.

use super::Kind;
use crate::seal::{Seal, Stamp};

/// Largest input examined as text (SD-JWT, PEM): larger text is no credential.
const MAX_TEXT: usize = 1 << 20;

/// The kind `bytes` hold, or `None` when they are none of them.
pub fn detect(bytes: &[u8]) -> Option<Kind> {
    if bytes.starts_with(b"PK\x03\x04") {
        return Some(Kind::Ofd);
    }
    let text = bytes.trim_ascii();
    if text.starts_with(b"-----BEGIN CERTIFICATE-----") {
        return Some(Kind::Certificate);
    }
    if looks_like_sd_jwt(text) {
        return Some(Kind::SdJwt);
    }
    if bytes.first() != Some(&0x30) {
        return None;
    }
    if Seal::from_der(bytes).is_ok() {
        Some(Kind::Seal)
    } else if Stamp::from_der(bytes).is_ok() {
        Some(Kind::Stamp)
    } else if crate::pki::CertInfo::from_der(bytes).is_ok() {
        Some(Kind::Certificate)
    } else {
        None
    }
}

/// `<header>.<payload>.<signature>[~…]`: base64url and the separators only, the
/// header a base64url JSON object (`eyJ`).
fn looks_like_sd_jwt(text: &[u8]) -> bool {
    text.len() <= MAX_TEXT
        && text.starts_with(b"eyJ")
        && text
            .iter()
            .all(|&c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.' | b'~' | b'='))
        && text
            .split(|&c| c == b'~')
            .next()
            .is_some_and(|jwt| jwt.iter().filter(|&&c| c == b'.').count() == 2)
}
