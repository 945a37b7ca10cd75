//! Every domain, use-case and storage error into the one [`ApiError`], each through a
//! typed `From` that keeps the problem code of what went wrong. Status codes are not
//! decided here: `ApiError::status_and_code` alone does that.

use super::ApiError;
use crate::adapters::storage::StorageError;
use crate::crypto::CryptoError;
use crate::jose::{JoseError, RequestTokenError};
use crate::license::LicenseError;
use crate::pki::PkiError;
use crate::seal::ofd::OfdError;
use crate::seal::SealError;
use crate::service::{ServiceError, StoreError};

impl From<LicenseError> for ApiError {
    fn from(e: LicenseError) -> Self {
        match e {
            LicenseError::UnknownType(t) => ApiError::UnknownType(t),
            LicenseError::TypeNotAuthorised(t) => ApiError::TypeNotAuthorised(t),
            e @ LicenseError::LocalCodeOfOtherProvince { .. } => {
                ApiError::LocalCodeOfOtherProvince(e.to_string())
            }
            LicenseError::Claims(c) => ApiError::InvalidClaims(c.to_string()),
            e @ LicenseError::HolderCode(_) => ApiError::InvalidHolderCode(e.to_string()),
            e @ (LicenseError::BadIdentifier(_) | LicenseError::CheckCharacterMismatch { .. }) => {
                ApiError::BadIdentifier(e.to_string())
            }
            e @ (LicenseError::IllegalStatusChange { .. }
            | LicenseError::IllegalProofTransition { .. }) => {
                ApiError::IllegalTransition(e.to_string())
            }
            e @ (LicenseError::BadMetadata(_)
            | LicenseError::BadProofRequest(_)
            | LicenseError::TooLarge { .. }
            | LicenseError::Malformed { .. }
            | LicenseError::NoSuchClaim(_)) => ApiError::InvalidRequest(e.to_string()),
            other => ApiError::Internal(other.to_string()),
        }
    }
}

impl From<StorageError> for ApiError {
    fn from(e: StorageError) -> Self {
        match e {
            StorageError::NotFound => ApiError::NotFound,
            StorageError::NotOwner => ApiError::NotOwner,
            StorageError::InvalidTransition { current } => {
                ApiError::IllegalTransition(format!("not allowed while {current}"))
            }
            e if e.is_unavailable() => ApiError::Unavailable(e.to_string()),
            other => ApiError::Internal(other.to_string()),
        }
    }
}

impl From<RequestTokenError> for ApiError {
    fn from(e: RequestTokenError) -> Self {
        match e {
            RequestTokenError::WrongAudience { expected } => ApiError::WrongAudience(expected),
            RequestTokenError::LifetimeTooLong(s) => ApiError::TokenLifetimeTooLong(s),
            RequestTokenError::Expired => ApiError::TokenExpired,
            RequestTokenError::UntrustedKey(why) => ApiError::UntrustedKey(why),
            e @ (RequestTokenError::Malformed(_)
            | RequestTokenError::BadSignature
            | RequestTokenError::WrongIssuer { .. }) => ApiError::Unauthenticated(e.to_string()),
            RequestTokenError::Signing(j) => j.into(),
        }
    }
}

impl From<JoseError> for ApiError {
    fn from(e: JoseError) -> Self {
        match e {
            JoseError::Crypto(c) => c.into(),
            JoseError::Certificate(_) => ApiError::BadCertificate(e.to_string()),
            e @ (JoseError::TooLarge { .. } | JoseError::Malformed { .. }) => {
                ApiError::InvalidRequest(e.to_string())
            }
        }
    }
}

impl From<CryptoError> for ApiError {
    fn from(e: CryptoError) -> Self {
        match e {
            CryptoError::BadSignature | CryptoError::MalformedSignature(_) => {
                ApiError::BadSignature(e.to_string())
            }
            CryptoError::MalformedKey(_) | CryptoError::MalformedPem(_) => {
                ApiError::BadKey(e.to_string())
            }
            CryptoError::UnsupportedAlgorithm(_) | CryptoError::AlgorithmMismatch { .. } => {
                ApiError::UnsupportedAlgorithm(e.to_string())
            }
            other => ApiError::Internal(other.to_string()),
        }
    }
}

impl From<PkiError> for ApiError {
    fn from(e: PkiError) -> Self {
        match e {
            PkiError::Crypto(c) => c.into(),
            e @ (PkiError::MalformedCertificate(_)
            | PkiError::MalformedCrl(_)
            | PkiError::MalformedExtension { .. }) => ApiError::BadCertificate(e.to_string()),
            other => ApiError::Internal(other.to_string()),
        }
    }
}

impl From<SealError> for ApiError {
    fn from(e: SealError) -> Self {
        match e {
            SealError::SignerNotListed => ApiError::NotOwner,
            SealError::SealNotValidAt => ApiError::SealNotValid,
            SealError::Crypto(c) => c.into(),
            SealError::Certificate(_) => ApiError::BadCertificate(e.to_string()),
            SealError::Picture(_) => ApiError::BadPicture(e.to_string()),
            SealError::InvalidRequest(_) => ApiError::InvalidRequest(e.to_string()),
            e @ (SealError::TooLarge { .. }
            | SealError::Der { .. }
            | SealError::Malformed { .. }
            | SealError::UnsupportedVersion(_)
            | SealError::BadTime(_)) => ApiError::BadSeal(e.to_string()),
        }
    }
}

impl From<OfdError> for ApiError {
    fn from(e: OfdError) -> Self {
        match e {
            OfdError::Sign(inner) => match inner.downcast::<SealError>() {
                Ok(se) => (*se).into(),
                Err(other) => ApiError::Internal(other.to_string()),
            },
            OfdError::Placement(_) => ApiError::BadPlacement(e.to_string()),
            e @ (OfdError::MissingFile { .. }
            | OfdError::MissingElement { .. }
            | OfdError::BadValue { .. }
            | OfdError::TooManySignatures { .. }) => ApiError::BadDocument(e.to_string()),
            // The package itself does not read safely: the body is not a usable OFD.
            other => ApiError::InvalidBody(format!("not a usable OFD package: {other}")),
        }
    }
}

impl From<ServiceError> for ApiError {
    fn from(e: ServiceError) -> Self {
        match e {
            ServiceError::License(e) => e.into(),
            ServiceError::Seal(e) => e.into(),
            ServiceError::SignerNotListed => ApiError::NotOwner,
            ServiceError::Ofd(e) => e.into(),
            ServiceError::UnreadableDocument(e) => {
                ApiError::InvalidBody(format!("not a usable OFD package: {e}"))
            }
            e @ ServiceError::Read(_) => ApiError::Internal(e.to_string()),
            ServiceError::Storage(e) => match e {
                StoreError::NotFound => ApiError::NotFound,
                StoreError::NotOwner => ApiError::NotOwner,
                StoreError::InvalidTransition { current } => {
                    ApiError::IllegalTransition(format!("not allowed while {current}"))
                }
                StoreError::Unavailable(d) => ApiError::Unavailable(d),
                StoreError::OutOfRange(d) => ApiError::InvalidRequest(d),
                other => ApiError::Internal(other.to_string()),
            },
            ServiceError::InvalidRequest(d) => ApiError::InvalidRequest(d),
            ServiceError::BatchItem { index, source } => ApiError::BatchItem {
                index,
                source: Box::new((*source).into()),
            },
            ServiceError::IdempotencyKeyReused => ApiError::IdempotencyKeyReused,
            ServiceError::NotOwner => ApiError::NotOwner,
            ServiceError::NotFound => ApiError::NotFound,
            ServiceError::IllegalTransition(d) => ApiError::IllegalTransition(d),
            ServiceError::Consent(r) => ApiError::Consent(r),
            // no list the node may rely on (the reason is the log's)
            ServiceError::TrustList(_)
            | ServiceError::TrustListConflict { .. }
            | ServiceError::NoTrustList => ApiError::TrustListUnavailable,
            other => ApiError::Internal(other.to_string()),
        }
    }
}
