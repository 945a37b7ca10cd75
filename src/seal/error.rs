//! Errors of the seal module.

use crate::crypto::CryptoError;

/// Why a seal or stamp could not be read, made or used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SealError {
    /// The input is larger than the module accepts.
    #[error("input of {size} bytes exceeds the limit of {limit} bytes")]
    TooLarge {
        /// size of the input
        size: usize,
        /// the limit
        limit: usize,
    },
    /// A structure is not valid DER of the expected shape.
    #[error("malformed {what}: {source}")]
    Der {
        /// the structure being read, e.g. `SESeal`
        what: &'static str,
        /// what the DER decoder reported
        source: der::Error,
    },
    /// A structure has the right encoding but the wrong shape or content.
    #[error("malformed {what}: {detail}")]
    Malformed {
        /// the structure being read
        what: &'static str,
        /// what is wrong with it
        detail: &'static str,
    },
    /// The header names a version this project does not read.
    #[error("unsupported seal version {0}")]
    UnsupportedVersion(i64),
    /// A time value could not be read.
    #[error("malformed time in {0}")]
    BadTime(&'static str),
    /// A certificate inside the seal or stamp could not be read.
    #[error("malformed certificate: {0}")]
    Certificate(&'static str),
    /// The signer's certificate is not listed in the seal's certList.
    #[error("the signer certificate is not listed in the seal")]
    SignerNotListed,
    /// The seal is not valid at the signing time.
    #[error("the seal is not valid at the signing time")]
    SealNotValidAt,
    /// A request to make a seal or stamp is incomplete or inconsistent.
    #[error("invalid request: {0}")]
    InvalidRequest(&'static str),
    /// The seal picture could not be rendered.
    #[error("picture: {0}")]
    Picture(String),
    /// Signing or key handling failed.
    #[error(transparent)]
    Crypto(#[from] CryptoError),
}

impl SealError {
    pub(crate) fn der(what: &'static str) -> impl FnOnce(der::Error) -> SealError {
        move |source| SealError::Der { what, source }
    }
    pub(crate) fn malformed(what: &'static str, detail: &'static str) -> SealError {
        SealError::Malformed { what, detail }
    }
}
