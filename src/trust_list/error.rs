//! Why a trust list cannot be built, signed or accepted.

/// A trust-list problem.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TrustListError {
    /// The document or its JWS is malformed.
    #[error("malformed trust list: {0}")]
    Malformed(String),
    /// The JWS is not signed by the pinned trust-list signer.
    #[error("the trust list is not signed by the pinned trust-list signer")]
    UnknownSigner,
    /// The signature does not verify.
    #[error("the trust list signature does not verify")]
    BadSignature,
    /// A lower sequence than the one already held: a rollback.
    #[error("trust list sequence {got} is lower than the held sequence {held} (rollback)")]
    Rollback {
        /// The sequence held.
        held: u64,
        /// The sequence offered.
        got: u64,
    },
    /// Past its next update plus the grace: verification must not rely on it.
    #[error("the trust list expired: next update was {next_update}, grace {grace_s} s")]
    Expired {
        /// Its next update (RFC 3339).
        next_update: String,
        /// The grace allowed, seconds.
        grace_s: i64,
    },
    /// Issued after the validation time.
    #[error("the trust list is issued after the validation time")]
    NotYetValid,
    /// Building: an entry cannot be listed.
    #[error("cannot list {id}: {why}")]
    Build {
        /// The manifest id.
        id: String,
        /// Why.
        why: String,
    },
    /// Signing failed.
    #[error(transparent)]
    Jose(#[from] crate::jose::JoseError),
}
