//! A show token as QR text: signing it, reading it back layer by layer.

use super::{ShowError, ShowToken};
use crate::crypto::Signer;
use crate::qr::{self, cose::Signed, kid_of};

/// The token as QR text (`DS1:` + base45(zlib(COSE_Sign1))), signed by the show
/// service `signer` whose certificate is `cert_der` (the kid names it).
pub fn sign_token(
    token: &ShowToken,
    signer: &dyn Signer,
    cert_der: &[u8],
) -> Result<String, ShowError> {
    let cose = qr::sign(signer, &kid_of(cert_der), token.to_cbor())?;
    Ok(qr::wrap_text(qr::PREFIX, &cose))
}

/// Read QR text: prefix, base45, zlib, COSE_Sign1, then the claims; the signature is
/// not checked here (see [`Signed::verify`]).
pub fn read_token(text: &str) -> Result<(Signed, ShowToken), ShowError> {
    let u = qr::unwrap_text(text, qr::PREFIX)?;
    let signed = qr::cose::parse(&u.cose)?;
    let token = ShowToken::from_cbor(signed.payload())?;
    Ok((signed, token))
}
