//! The service layer's error: what a use case refuses or fails with, independent of
//! how it is reached (HTTP maps it once in `adapters::http::error`, the CLI prints it).

use super::store::StoreError;
use crate::license::LicenseError;
use crate::seal::ofd::OfdError;
use crate::seal::SealError;

/// Why a use case failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServiceError {
    /// The license domain refused (unknown or unauthorised type, claims, identifier,
    /// status or proof transition…).
    #[error(transparent)]
    License(#[from] LicenseError),
    /// The seal domain refused or failed (bad request, picture, signing).
    #[error(transparent)]
    Seal(SealError),
    /// Stamping an OFD document failed.
    #[error(transparent)]
    Ofd(OfdError),
    /// The document to stamp is not a readable OFD package.
    #[error("{0}")]
    UnreadableDocument(OfdError),
    /// Reading a document to stamp failed.
    #[error("reading the document: {0}")]
    Read(std::io::Error),
    /// The store failed or refused.
    #[error(transparent)]
    Storage(#[from] StoreError),
    /// A request value is out of range or inconsistent (dates, codes, keys, signers).
    #[error("{0}")]
    InvalidRequest(String),
    /// One item of a batch is refused; nothing in the batch was issued.
    #[error("item {index}: {source}")]
    BatchItem {
        /// zero-based item index
        index: usize,
        /// why it was refused
        source: Box<ServiceError>,
    },
    /// The idempotency key was used before for a different request.
    #[error("the idempotency key was already used for a different request")]
    IdempotencyKeyReused,
    /// The object belongs to another agency or seal authority.
    #[error("the object belongs to another agency")]
    NotOwner,
    /// No such object.
    #[error("not found")]
    NotFound,
    /// The state of the object does not allow the action (e.g. a superseded seal).
    #[error("{0}")]
    IllegalTransition(String),
    /// The stamping signer's certificate is not listed in the seal.
    #[error("the signer certificate is not listed in the seal")]
    SignerNotListed,
    /// A trust list is refused (signer, signature, rollback, freshness, format).
    #[error(transparent)]
    TrustList(crate::trust_list::TrustListError),
    /// Another list with the same sequence number is already accepted.
    #[error("another trust list with sequence {sequence} is already accepted")]
    TrustListConflict {
        /// the sequence both lists carry
        sequence: u64,
    },
    /// An agency's use of a holder's consent is refused.
    #[error(transparent)]
    Consent(crate::consent::Refusal),
    /// No trust list is offered or stored.
    #[error("no trust list is held")]
    NoTrustList,
    /// An invariant broke: stored data unreadable, a worker panicked, a value out of
    /// range. The text is for the log.
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<SealError> for ServiceError {
    fn from(e: SealError) -> Self {
        match e {
            SealError::SignerNotListed => ServiceError::SignerNotListed,
            other => ServiceError::Seal(other),
        }
    }
}

impl From<OfdError> for ServiceError {
    /// A seal-layer failure inside OFD stamping (signer not listed, signing) is the
    /// seal's error; anything else is the OFD layer's.
    fn from(e: OfdError) -> Self {
        match e {
            OfdError::Sign(inner) => match inner.downcast::<SealError>() {
                Ok(se) => (*se).into(),
                Err(other) => ServiceError::Ofd(OfdError::Sign(other)),
            },
            other => ServiceError::Ofd(other),
        }
    }
}

impl ServiceError {
    /// `self` as the refusal of batch item `index` when `batch`, else unchanged.
    pub fn in_item(self, batch: bool, index: usize) -> Self {
        if batch {
            ServiceError::BatchItem {
                index,
                source: Box::new(self),
            }
        } else {
            self
        }
    }
}
