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
    // One pass: every byte base64url or a separator, two dots before the first `~`.
    let mut dots = 0;
    let mut in_jwt = true;
    for &c in text {
        match JWS_CHARS[c as usize] {
            0 => return false,
            DOT if in_jwt => dots += 1,
            TILDE => in_jwt = false,
            _ => {}
        }
    }
    dots == 2
}

const DOT: u8 = 2;
const TILDE: u8 = 3;

/// Per byte: 0 not allowed, 1 base64url or `=`, [`DOT`], [`TILDE`].
const JWS_CHARS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut c = 0;
    while c < 256 {
        let b = c as u8;
        if b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'=' {
            t[c] = 1;
        }
        c += 1;
    }
    t[b'.' as usize] = DOT;
    t[b'~' as usize] = TILDE;
    t
};
