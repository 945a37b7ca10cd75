//! The QR layers and the error naming the first one that fails.

use serde::Serialize;

/// One layer of a QR text, outermost first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Layer {
    /// The text prefix.
    Prefix,
    /// base45 (RFC 9285).
    Base45,
    /// zlib (RFC 1950).
    Zlib,
    /// The CBOR / COSE_Sign1 structure.
    Cose,
    /// The CWT claims set in the payload.
    Claims,
    /// The `kid` against the certificate.
    Kid,
    /// The signature.
    Signature,
    /// The certificate validity and `iat` / `exp` at the validation time.
    Times,
}

impl Layer {
    /// Every layer, in decoding order.
    pub const ALL: [Layer; 8] = [
        Layer::Prefix,
        Layer::Base45,
        Layer::Zlib,
        Layer::Cose,
        Layer::Claims,
        Layer::Kid,
        Layer::Signature,
        Layer::Times,
    ];

    /// The name used in reports: `prefix`, `base45`, `zlib`, `cose`, `claims`, `kid`,
    /// `signature`, `times`.
    pub fn name(self) -> &'static str {
        match self {
            Layer::Prefix => "prefix",
            Layer::Base45 => "base45",
            Layer::Zlib => "zlib",
            Layer::Cose => "cose",
            Layer::Claims => "claims",
            Layer::Kid => "kid",
            Layer::Signature => "signature",
            Layer::Times => "times",
        }
    }
}

/// Why a QR text could not be decoded or checked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum QrError {
    /// The text is longer than a QR code holds.
    #[error("the text is longer than {limit} characters")]
    TooLong {
        /// the limit
        limit: usize,
    },
    /// The text does not start with the expected prefix.
    #[error("the text does not start with {expected:?}")]
    Prefix {
        /// the prefix expected
        expected: String,
    },
    /// The text after the prefix is not base45.
    #[error("not base45: {0}")]
    Base45(String),
    /// The bytes are not a zlib stream, or inflate past the limit.
    #[error("not zlib: {0}")]
    Zlib(String),
    /// The inflated bytes are not a COSE_Sign1.
    #[error("not a COSE_Sign1: {0}")]
    Cose(String),
    /// The payload is not a CWT claims set (or misses a claim the token needs).
    #[error("not a CWT claims set: {0}")]
    Claims(String),
    /// The COSE algorithm is not one this project verifies.
    #[error("unsupported COSE algorithm {0}")]
    UnsupportedAlgorithm(String),
    /// The kid does not name the certificate.
    #[error("the kid does not match the certificate")]
    Kid,
    /// The signature does not verify.
    #[error("the signature does not verify")]
    Signature,
    /// Signing failed.
    #[error("signing failed: {0}")]
    Signing(String),
}

impl QrError {
    /// The layer this error belongs to (`None` for signing failures).
    pub fn layer(&self) -> Option<Layer> {
        Some(match self {
            QrError::TooLong { .. } | QrError::Prefix { .. } => Layer::Prefix,
            QrError::Base45(_) => Layer::Base45,
            QrError::Zlib(_) => Layer::Zlib,
            QrError::Cose(_) | QrError::UnsupportedAlgorithm(_) => Layer::Cose,
            QrError::Claims(_) => Layer::Claims,
            QrError::Kid => Layer::Kid,
            QrError::Signature => Layer::Signature,
            QrError::Signing(_) => return None,
        })
    }
}
