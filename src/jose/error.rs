//! Why a JWS could not be made or read.

use crate::crypto::CryptoError;

/// A JWS problem.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum JoseError {
    /// Input is larger than the limit.
    #[error("{what} is larger than the limit of {limit} bytes")]
    TooLarge {
        /// What was too large.
        what: &'static str,
        /// The limit.
        limit: usize,
    },
    /// A compact JWS, its header, payload or `x5c` is malformed.
    #[error("malformed {what}: {problem}")]
    Malformed {
        /// What was being parsed (`request token`, `KB-JWT`, `x5c`…).
        what: &'static str,
        /// What is wrong.
        problem: &'static str,
    },
    /// A certificate does not parse, or its key is not one the project speaks.
    #[error("certificate: {0}")]
    Certificate(&'static str),
    /// Signing failed.
    #[error(transparent)]
    Crypto(#[from] CryptoError),
}
