//! Errors of the license domain.

use crate::catalog::ClaimsError;
use crate::crypto::CryptoError;

/// What went wrong issuing, parsing, presenting or updating a license, proof or
/// status list.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LicenseError {
    /// An identifier is malformed; the text says which part.
    #[error("bad identifier: {0}")]
    BadIdentifier(&'static str),
    /// An identifier's check character is wrong.
    #[error("identifier check character is {found:?}, MOD 37,36 gives {expected:?}")]
    CheckCharacterMismatch {
        /// The character found.
        found: char,
        /// The character the fields give.
        expected: char,
    },
    /// The type code is not in the catalogue.
    #[error("license type {0} is not in the catalogue")]
    UnknownType(String),
    /// The claims do not fit the type's schema.
    #[error("claims do not fit the type's schema: {0}")]
    Claims(#[from] ClaimsError),
    /// Metadata is inconsistent (dates out of order, wrong type code…).
    #[error("bad metadata: {0}")]
    BadMetadata(&'static str),
    /// The agency certificate chain is missing, unparsable, or its leaf does not hold
    /// the signer's public key.
    #[error("agency certificate: {0}")]
    AgencyCertificate(&'static str),
    /// The agency's certificate does not authorise this license type.
    #[error("the agency certificate does not authorise license type {0}")]
    TypeNotAuthorised(String),
    /// The type code is another province's local code: an agency issues with the
    /// national code or its own province's.
    #[error("license type {code} is the local code of {}, not of the agency's province {}", province.abbrev(), agency.abbrev())]
    LocalCodeOfOtherProvince {
        /// The code asked for.
        code: String,
        /// The province whose local code it is.
        province: crate::pki::Province,
        /// The agency's province.
        agency: crate::pki::Province,
    },
    /// A cryptographic operation failed (signing, key decoding).
    #[error(transparent)]
    Crypto(#[from] CryptoError),
    /// A signature given to `complete` has the wrong length.
    #[error("signature is not a raw r||s value of 64 bytes")]
    BadSignature,
    /// Input is larger than the limit.
    #[error("{what} is larger than the limit of {limit} bytes")]
    TooLarge {
        /// What was too large.
        what: &'static str,
        /// The limit.
        limit: usize,
    },
    /// A compact SD-JWT, JWT or disclosure is malformed.
    #[error("malformed {what}: {problem}")]
    Malformed {
        /// What was being parsed (`SD-JWT`, `disclosure`, `status list`…).
        what: &'static str,
        /// What is wrong.
        problem: &'static str,
    },
    /// A presentation asked for a claim the credential does not carry.
    #[error("the credential has no disclosable claim {0:?}")]
    NoSuchClaim(String),
    /// A status list index is beyond the list.
    #[error("status index {index} is beyond the list of {len} entries")]
    IndexOutOfRange {
        /// The index asked for.
        index: usize,
        /// The list's length.
        len: usize,
    },
    /// A status change not allowed from the current status (e.g. reinstating a revoked
    /// license).
    #[error("cannot {action} a license whose status is {from}")]
    IllegalStatusChange {
        /// The action tried.
        action: &'static str,
        /// The current status.
        from: &'static str,
    },
    /// An e-proof request transition not allowed from its current state.
    #[error("cannot {action} a proof request that is {state}")]
    IllegalProofTransition {
        /// The action tried.
        action: &'static str,
        /// The current state.
        state: &'static str,
    },
    /// A proof request is incomplete (no purpose, a type that is not a proof…).
    #[error("bad proof request: {0}")]
    BadProofRequest(&'static str),
    /// A holder's (or applicant's) code does not fit its code type.
    #[error("holder code: {0}")]
    HolderCode(#[from] super::HolderCodeError),
}

/// JWS problems keep the license domain's own variants, so callers match one error type.
impl From<crate::jose::JoseError> for LicenseError {
    fn from(e: crate::jose::JoseError) -> Self {
        use crate::jose::JoseError;
        match e {
            JoseError::TooLarge { what, limit } => LicenseError::TooLarge { what, limit },
            JoseError::Malformed { what, problem } => LicenseError::Malformed { what, problem },
            JoseError::Certificate(why) => LicenseError::AgencyCertificate(why),
            JoseError::Crypto(c) => LicenseError::Crypto(c),
        }
    }
}
