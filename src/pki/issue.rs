//! Issuing certificates: [`issue`] turns a [`CertTemplate`] into a signed DER certificate.
//!
//! P-256 issuer with P-256 subject: rcgen (`build_rcgen`). Whenever SM2 is the issuer's or
//! the subject's algorithm: x509-cert's types (`build_x509`). Either way the signature is
//! made by the issuer's [`Signer`], and the result is parsed back and its signature checked
//! before it is returned.
//!
//! Owns: choosing the builder, reading what is needed from the issuer certificate.
//! Must not touch: files or clocks (validity comes from the template).

use super::ext::key_identifier;
use super::template::CertTemplate;
use super::PkiError;
use crate::crypto::{Algorithm, PublicKey, Signer};

/// Who signs the certificate.
#[derive(Clone, Copy)]
pub enum Issuer<'a> {
    /// Self-signed: the signer's key is the subject key.
    SelfSigned(&'a dyn Signer),
    /// Signed by the holder of `cert_der` (DER certificate) through `signer`.
    Cert {
        /// the issuer's certificate (DER)
        cert_der: &'a [u8],
        /// the issuer's key
        signer: &'a dyn Signer,
    },
}

impl Issuer<'_> {
    /// The signer.
    pub fn signer(&self) -> &dyn Signer {
        match self {
            Issuer::SelfSigned(s) | Issuer::Cert { signer: s, .. } => *s,
        }
    }
}

/// Which builder to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CertBuilder {
    /// rcgen (P-256 issuer and P-256 subject only).
    Rcgen,
    /// x509-cert's DER types (any algorithm pair).
    X509Cert,
}

/// What the builders need to know about the issuer.
pub(super) struct IssuerFacts {
    /// DER of the issuer Name (the subject of the issuer's certificate), None if self-signed.
    pub name_der: Option<Vec<u8>>,
    /// Key identifier for authorityKeyIdentifier.
    pub key_id: Vec<u8>,
    /// The issuer certificate DER, None if self-signed.
    pub cert_der: Option<Vec<u8>>,
}

/// Issue a certificate for `subject_key` from `template`, signed by `issuer`, with the
/// builder the algorithms call for (rcgen for P-256 → P-256 when the template is one rcgen
/// can express, i.e. it has a subjectKeyIdentifier; x509-cert otherwise).
pub fn issue(
    template: &CertTemplate,
    subject_key: &PublicKey,
    issuer: Issuer<'_>,
) -> Result<Vec<u8>, PkiError> {
    let issuer_alg = issuer.signer().algorithm();
    let builder = if issuer_alg == Algorithm::EcdsaP256Sha256
        && subject_key.algorithm() == Algorithm::EcdsaP256Sha256
        && template.subject_key_id
        && !template.deviations.any()
    {
        CertBuilder::Rcgen
    } else {
        CertBuilder::X509Cert
    };
    issue_with(builder, template, subject_key, issuer)
}

/// [`issue`] with an explicit builder (tests compare the two on P-256).
pub fn issue_with(
    builder: CertBuilder,
    template: &CertTemplate,
    subject_key: &PublicKey,
    issuer: Issuer<'_>,
) -> Result<Vec<u8>, PkiError> {
    template.check()?;
    let signer = issuer.signer();
    let facts = issuer_facts(&issuer, subject_key)?;
    let der = match builder {
        CertBuilder::Rcgen => {
            if signer.algorithm() != Algorithm::EcdsaP256Sha256
                || subject_key.algorithm() != Algorithm::EcdsaP256Sha256
            {
                return Err(PkiError::InvalidTemplate(
                    "rcgen builds only P-256 certificates under P-256 issuers",
                ));
            }
            if !template.subject_key_id {
                return Err(PkiError::InvalidTemplate(
                    "rcgen always writes subjectKeyIdentifier",
                ));
            }
            if template.deviations.any() {
                return Err(PkiError::InvalidTemplate(
                    "profile deviations are written by the x509-cert builder only",
                ));
            }
            super::build_rcgen::build(template, subject_key, &facts, signer)?
        }
        CertBuilder::X509Cert => super::build_x509::build(template, subject_key, &facts, signer)?,
    };
    check_issued(&der, signer.public_key())?;
    Ok(der)
}

/// Read the issuer's name and key identifier; check the signer holds the issuer's key.
fn issuer_facts(issuer: &Issuer<'_>, subject_key: &PublicKey) -> Result<IssuerFacts, PkiError> {
    use x509_parser::prelude::*;
    match issuer {
        Issuer::SelfSigned(s) => {
            if s.public_key() != subject_key {
                return Err(PkiError::IssuerKeyMismatch);
            }
            Ok(IssuerFacts {
                name_der: None,
                key_id: key_identifier(subject_key),
                cert_der: None,
            })
        }
        Issuer::Cert { cert_der, signer } => {
            let (rest, cert) = X509Certificate::from_der(cert_der)
                .map_err(|_| PkiError::MalformedCertificate("issuer certificate"))?;
            if !rest.is_empty() {
                return Err(PkiError::MalformedCertificate(
                    "trailing bytes after issuer certificate",
                ));
            }
            let issuer_key = PublicKey::from_spki_der(cert.public_key().raw)?;
            if &issuer_key != signer.public_key() {
                return Err(PkiError::IssuerKeyMismatch);
            }
            let ski = cert
                .extensions()
                .iter()
                .find_map(|e| match e.parsed_extension() {
                    ParsedExtension::SubjectKeyIdentifier(k) => Some(k.0.to_vec()),
                    _ => None,
                });
            Ok(IssuerFacts {
                name_der: Some(cert.subject().as_raw().to_vec()),
                key_id: ski.unwrap_or_else(|| key_identifier(&issuer_key)),
                cert_der: Some(cert_der.to_vec()),
            })
        }
    }
}

/// Parse what was made and check its signature under the issuer's key.
fn check_issued(der: &[u8], issuer_key: &PublicKey) -> Result<(), PkiError> {
    use x509_parser::prelude::*;
    let (_, cert) = X509Certificate::from_der(der)
        .map_err(|_| PkiError::Builder("the builder's output does not parse".into()))?;
    issuer_key
        .verify(cert.tbs_certificate.as_ref(), &cert.signature_value.data)
        .map_err(|_| PkiError::Builder("the issued certificate does not verify".into()))
}
