//! Errors of the crypto module.

/// Why a key, signature or algorithm could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CryptoError {
    /// The signature does not verify under the key.
    #[error("signature does not verify")]
    BadSignature,
    /// The signature bytes are neither DER `SEQUENCE{r,s}` nor raw `r||s` of the right size.
    #[error("malformed signature encoding: {0}")]
    MalformedSignature(&'static str),
    /// The key could not be read.
    #[error("malformed key: {0}")]
    MalformedKey(&'static str),
    /// The PEM envelope is missing, damaged or has an unexpected label.
    #[error("malformed PEM: {0}")]
    MalformedPem(&'static str),
    /// The key or signature names an algorithm or curve this project does not support.
    #[error("unsupported algorithm or curve: {0}")]
    UnsupportedAlgorithm(String),
    /// The key and the requested algorithm do not match.
    #[error("key is for {key}, not {wanted}")]
    AlgorithmMismatch {
        /// algorithm of the key
        key: &'static str,
        /// algorithm asked for
        wanted: &'static str,
    },
    /// Signing failed inside the cryptographic library.
    #[error("signing failed")]
    SigningFailed,
}
