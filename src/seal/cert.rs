//! The few facts about a certificate inside a seal or stamp that seal checks need:
//! its public key, validity and names. Path validation is `crate::pki::validate`'s job.

use super::SealError;
use crate::crypto::{Algorithm, PublicKey};
use time::OffsetDateTime;
use x509_parser::prelude::FromDer;

/// A certificate carried by a seal or stamp.
#[derive(Debug, Clone)]
pub struct CertFacts {
    /// The subject public key.
    pub public_key: PublicKey,
    /// notBefore.
    pub not_before: OffsetDateTime,
    /// notAfter.
    pub not_after: OffsetDateTime,
    /// Subject DN as text.
    pub subject: String,
    /// Issuer DN as text.
    pub issuer: String,
}

impl CertFacts {
    /// Read a DER certificate.
    pub fn parse(der: &[u8]) -> Result<Self, SealError> {
        let (rest, cert) = x509_parser::certificate::X509Certificate::from_der(der)
            .map_err(|_| SealError::Certificate("not a DER X.509 certificate"))?;
        if !rest.is_empty() {
            return Err(SealError::Certificate(
                "trailing bytes after the certificate",
            ));
        }
        let public_key = PublicKey::from_spki_der(cert.tbs_certificate.subject_pki.raw)
            .map_err(|_| SealError::Certificate("public key is neither P-256 nor SM2"))?;
        Ok(CertFacts {
            public_key,
            not_before: cert.validity().not_before.to_datetime(),
            not_after: cert.validity().not_after.to_datetime(),
            subject: cert.subject().to_string(),
            issuer: cert.issuer().to_string(),
        })
    }

    /// The key's algorithm.
    pub fn algorithm(&self) -> Algorithm {
        self.public_key.algorithm()
    }

    /// Whether `t` is within notBefore..=notAfter.
    pub fn valid_at(&self, t: OffsetDateTime) -> bool {
        self.not_before <= t && t <= self.not_after
    }
}
