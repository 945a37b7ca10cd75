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
    if super::show::looks_like_qr_text(text) {
        return Some(Kind::ShowToken);
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
    if text.len() > MAX_TEXT || !text.starts_with(b"eyJ") {
        return false;
    }
    // Every byte base64url or a separator, tested without an early exit so that the
    // loop is vectorised; two dots before the first `~`.
    let foreign = text
        .iter()
        .fold(false, |foreign, &c| foreign | !jws_char(c));
    let jwt_end = memchr::memchr(b'~', text).unwrap_or(text.len());
    !foreign && memchr::memchr_iter(b'.', &text[..jwt_end]).count() == 2
}

/// base64url (with `=`), `.` or `~`.
fn jws_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() | (c == b'-') | (c == b'_') | (c == b'=') | (c == b'.') | (c == b'~')
}
