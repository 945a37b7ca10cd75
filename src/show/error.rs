//! Why a show token cannot be made or read.

use crate::qr::QrError;

/// Why a show token cannot be made or read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ShowError {
    /// A QR layer does not decode.
    #[error(transparent)]
    Qr(#[from] QrError),
    /// The claims decode but are not a show token.
    #[error("not a show token: {0}")]
    Format(String),
    /// The time to live is 0 or above the maximum.
    #[error("ttl_s must be 1-{max} seconds")]
    Ttl {
        /// the maximum
        max: u32,
    },
    /// A chosen claim is not in the license (or is chosen twice, or too many are).
    #[error("cannot disclose {0:?}")]
    Disclose(String),
}
