//! Errors of the PKI module (certificate making, reading, CRLs, manifests).

use crate::crypto::CryptoError;

/// Why a certificate, CRL or manifest could not be made or read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PkiError {
    /// The bytes are not a DER X.509 certificate.
    #[error("not a DER X.509 certificate: {0}")]
    MalformedCertificate(&'static str),
    /// The bytes are not a DER X.509 CRL.
    #[error("not a DER X.509 CRL: {0}")]
    MalformedCrl(&'static str),
    /// A project extension (province, license types) has a malformed value.
    #[error("malformed extension {oid}: {reason}")]
    MalformedExtension {
        /// the extension's OID
        oid: String,
        /// what is wrong
        reason: &'static str,
    },
    /// The template cannot be turned into a certificate.
    #[error("invalid certificate template: {0}")]
    InvalidTemplate(&'static str),
    /// The signer's key is not the issuer certificate's key (or, self-signed, not the subject's).
    #[error("the signer's public key does not match the issuer")]
    IssuerKeyMismatch,
    /// A certificate or CRL builder failed.
    #[error("certificate builder failed: {0}")]
    Builder(String),
    /// Signing through the [`crate::crypto::Signer`] failed, or a key was unusable.
    #[error(transparent)]
    Crypto(#[from] CryptoError),
    /// A DER encoding step failed.
    #[error("DER encoding failed: {0}")]
    Encoding(String),
    /// The certificate carries the demo policy but the configuration is production.
    #[error("demo certificate refused in production: {subject}")]
    DemoRefused {
        /// subject of the refused certificate
        subject: String,
    },
    /// The key manifest is malformed or inconsistent.
    #[error("key manifest: {0}")]
    Manifest(String),
}

impl From<der::Error> for PkiError {
    fn from(e: der::Error) -> Self {
        PkiError::Encoding(e.to_string())
    }
}
