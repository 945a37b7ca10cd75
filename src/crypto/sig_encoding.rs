//! Signature encodings: DER `SEQUENCE{r INTEGER, s INTEGER}` and raw fixed-size `r||s`.

use super::CryptoError;
use der::{asn1::UintRef, Decode, Encode, Sequence};

/// The form of a signature value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignatureEncoding {
    /// DER `SEQUENCE{r, s}` — X.509, CMS, GB/T 38540.
    Der,
    /// Raw big-endian `r||s`, 32 bytes each — JOSE, COSE.
    Raw,
}

#[derive(Sequence)]
struct EcdsaSigValue<'a> {
    r: UintRef<'a>,
    s: UintRef<'a>,
}

const SCALAR_LEN: usize = 32;

/// Convert a strict-DER `SEQUENCE{r,s}` into 64 raw bytes. Rejects BER, trailing data,
/// negative or oversized integers.
pub fn der_to_raw(der_sig: &[u8]) -> Result<[u8; 64], CryptoError> {
    let v = EcdsaSigValue::from_der(der_sig)
        .map_err(|_| CryptoError::MalformedSignature("not a DER SEQUENCE{r,s}"))?;
    let mut out = [0u8; 64];
    for (i, int) in [v.r, v.s].iter().enumerate() {
        let b = int.as_bytes();
        if b.len() > SCALAR_LEN {
            return Err(CryptoError::MalformedSignature(
                "integer longer than 32 bytes",
            ));
        }
        let start = i * SCALAR_LEN + (SCALAR_LEN - b.len());
        out[start..(i + 1) * SCALAR_LEN].copy_from_slice(b);
    }
    Ok(out)
}

/// Convert 64 raw bytes `r||s` into DER `SEQUENCE{r,s}`.
pub fn raw_to_der(raw: &[u8]) -> Result<Vec<u8>, CryptoError> {
    if raw.len() != 2 * SCALAR_LEN {
        return Err(CryptoError::MalformedSignature(
            "raw signature is not 64 bytes",
        ));
    }
    let v = EcdsaSigValue {
        r: UintRef::new(&raw[..SCALAR_LEN])
            .map_err(|_| CryptoError::MalformedSignature("bad r"))?,
        s: UintRef::new(&raw[SCALAR_LEN..])
            .map_err(|_| CryptoError::MalformedSignature("bad s"))?,
    };
    v.to_der()
        .map_err(|_| CryptoError::MalformedSignature("cannot encode"))
}

/// Interpret signature bytes in either form: strict DER first, then 64-byte raw.
/// Returns the candidates in the order they should be tried.
pub(crate) fn candidates(sig: &[u8]) -> Result<Vec<[u8; 64]>, CryptoError> {
    let mut out = Vec::with_capacity(2);
    if let Ok(raw) = der_to_raw(sig) {
        out.push(raw);
    }
    if sig.len() == 64 {
        let mut raw = [0u8; 64];
        raw.copy_from_slice(sig);
        out.push(raw);
    }
    if out.is_empty() {
        return Err(CryptoError::MalformedSignature(
            "neither DER SEQUENCE{r,s} nor 64-byte r||s",
        ));
    }
    Ok(out)
}
