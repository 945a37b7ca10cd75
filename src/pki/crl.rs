//! Making CRLs: [`issue_crl`]. rcgen for P-256 issuers; x509-cert's `TbsCertList` for SM2
//! issuers; signed through the issuer's [`Signer`] either way. (Checking CRLs belongs to
//! `validate`.)
//!
//! Owns: CRL encoding (v2, authorityKeyIdentifier and cRLNumber extensions, reason codes).
//! Must not touch: validation, files, clocks.

use super::build_rcgen::{complete, issuer_certificate, rcgen_err, recorder};
use super::build_x509::{signature_algorithm, to_time};
use super::ext::key_identifier;
use super::issue::IssuerFacts;
use super::PkiError;
use crate::crypto::{Algorithm, PublicKey, SignatureEncoding, Signer};
use const_oid::AssociatedOid;
use der::asn1::{BitString, OctetString};
use der::{Decode, Encode};
use time::OffsetDateTime;
use x509_cert::crl::{CertificateList, RevokedCert, TbsCertList};
use x509_cert::ext::pkix::{AuthorityKeyIdentifier, CrlNumber, CrlReason};
use x509_cert::ext::Extension;
use x509_cert::serial_number::SerialNumber;

/// Why a certificate was revoked (RFC 5280 CRLReason).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RevocationReason {
    /// unspecified (0)
    Unspecified,
    /// keyCompromise (1)
    KeyCompromise,
    /// cACompromise (2)
    CaCompromise,
    /// affiliationChanged (3)
    AffiliationChanged,
    /// superseded (4)
    Superseded,
    /// cessationOfOperation (5)
    CessationOfOperation,
    /// certificateHold (6)
    CertificateHold,
    /// privilegeWithdrawn (9)
    PrivilegeWithdrawn,
}

/// One revoked certificate: serial (big-endian bytes), revocation time, reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RevokedEntry {
    /// Serial number of the revoked certificate, big-endian.
    pub serial: Vec<u8>,
    /// When it was revoked.
    pub revoked_at: OffsetDateTime,
    /// Why (None: no reasonCode entry extension).
    pub reason: Option<RevocationReason>,
}

/// Departures from the CRL profile, for testing validators; none by default. With any
/// set, the x509-cert encoder is used for either algorithm.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CrlDeviations {
    /// Leave out the cRLNumber extension.
    pub omit_number: bool,
    /// Mark cRLNumber critical.
    pub critical_number: bool,
    /// Add a critical deltaCRLIndicator naming this base CRL number.
    pub delta_of: Option<u64>,
    /// Encode with x509-cert for a P-256 issuer too (rcgen refuses an issuer whose
    /// keyUsage lacks cRLSign).
    pub x509_cert_encoder: bool,
}

/// Make a DER CRL signed by the holder of `issuer_cert_der`.
pub fn issue_crl(
    issuer_cert_der: &[u8],
    signer: &dyn Signer,
    revoked: &[RevokedEntry],
    this_update: OffsetDateTime,
    next_update: OffsetDateTime,
    crl_number: u64,
) -> Result<Vec<u8>, PkiError> {
    issue_crl_with(
        issuer_cert_der,
        signer,
        revoked,
        this_update,
        next_update,
        crl_number,
        &CrlDeviations::default(),
    )
}

/// [`issue_crl`] with departures from the profile.
pub fn issue_crl_with(
    issuer_cert_der: &[u8],
    signer: &dyn Signer,
    revoked: &[RevokedEntry],
    this_update: OffsetDateTime,
    next_update: OffsetDateTime,
    crl_number: u64,
    deviations: &CrlDeviations,
) -> Result<Vec<u8>, PkiError> {
    if next_update <= this_update {
        return Err(PkiError::InvalidTemplate(
            "nextUpdate must be after thisUpdate",
        ));
    }
    let cert = super::info::parse(issuer_cert_der)?;
    let issuer_key = PublicKey::from_spki_der(cert.public_key().raw)?;
    if &issuer_key != signer.public_key() {
        return Err(PkiError::IssuerKeyMismatch);
    }
    let ski = cert
        .extensions()
        .iter()
        .find_map(|e| match e.parsed_extension() {
            x509_parser::extensions::ParsedExtension::SubjectKeyIdentifier(k) => Some(k.0.to_vec()),
            _ => None,
        });
    let facts = IssuerFacts {
        name_der: Some(cert.subject().as_raw().to_vec()),
        key_id: ski.unwrap_or_else(|| key_identifier(&issuer_key)),
        cert_der: Some(issuer_cert_der.to_vec()),
    };
    let der = match signer.algorithm() {
        Algorithm::EcdsaP256Sha256 if *deviations == CrlDeviations::default() => rcgen_crl(
            &facts,
            signer,
            revoked,
            this_update,
            next_update,
            crl_number,
        )?,
        _ => x509_crl(
            &facts,
            signer,
            revoked,
            this_update,
            next_update,
            crl_number,
            deviations,
        )?,
    };
    // Parse back and check the signature before handing it out.
    let (_, crl) = x509_parser::revocation_list::CertificateRevocationList::from_der(&der)
        .map_err(|_| PkiError::Builder("the CRL builder's output does not parse".into()))?;
    issuer_key
        .verify(crl.tbs_cert_list.as_ref(), &crl.signature_value.data)
        .map_err(|_| PkiError::Builder("the CRL does not verify".into()))?;
    Ok(der)
}

use x509_parser::prelude::FromDer as _;

fn rcgen_crl(
    facts: &IssuerFacts,
    signer: &dyn Signer,
    revoked: &[RevokedEntry],
    this_update: OffsetDateTime,
    next_update: OffsetDateTime,
    crl_number: u64,
) -> Result<Vec<u8>, PkiError> {
    use rcgen::{CertificateRevocationListParams, KeyIdMethod, RevokedCertParams, SerialNumber};
    let (kp, slot) = recorder(signer.public_key())?;
    let issuer = issuer_certificate(facts, &kp)?.ok_or(PkiError::InvalidTemplate(
        "a CRL needs an issuer certificate",
    ))?;
    if let Ok(mut s) = slot.lock() {
        *s = None;
    }
    let params = CertificateRevocationListParams {
        this_update,
        next_update,
        crl_number: SerialNumber::from_slice(&crl_number.to_be_bytes()),
        issuing_distribution_point: None,
        revoked_certs: revoked
            .iter()
            .map(|r| RevokedCertParams {
                serial_number: SerialNumber::from_slice(&r.serial),
                revocation_time: r.revoked_at,
                reason_code: r.reason.map(rcgen_reason),
                invalidity_date: None,
            })
            .collect(),
        key_identifier_method: KeyIdMethod::PreSpecified(facts.key_id.clone()),
    };
    let crl = params.signed_by(&issuer, &kp).map_err(rcgen_err)?;
    complete(crl.der(), &slot, signer)
}

fn rcgen_reason(r: RevocationReason) -> rcgen::RevocationReason {
    use rcgen::RevocationReason as R;
    match r {
        RevocationReason::Unspecified => R::Unspecified,
        RevocationReason::KeyCompromise => R::KeyCompromise,
        RevocationReason::CaCompromise => R::CaCompromise,
        RevocationReason::AffiliationChanged => R::AffiliationChanged,
        RevocationReason::Superseded => R::Superseded,
        RevocationReason::CessationOfOperation => R::CessationOfOperation,
        RevocationReason::CertificateHold => R::CertificateHold,
        RevocationReason::PrivilegeWithdrawn => R::PrivilegeWithdrawn,
    }
}

fn x509_reason(r: RevocationReason) -> CrlReason {
    match r {
        RevocationReason::Unspecified => CrlReason::Unspecified,
        RevocationReason::KeyCompromise => CrlReason::KeyCompromise,
        RevocationReason::CaCompromise => CrlReason::CaCompromise,
        RevocationReason::AffiliationChanged => CrlReason::AffiliationChanged,
        RevocationReason::Superseded => CrlReason::Superseded,
        RevocationReason::CessationOfOperation => CrlReason::CessationOfOperation,
        RevocationReason::CertificateHold => CrlReason::CertificateHold,
        RevocationReason::PrivilegeWithdrawn => CrlReason::PrivilegeWithdrawn,
    }
}

fn x509_crl(
    facts: &IssuerFacts,
    signer: &dyn Signer,
    revoked: &[RevokedEntry],
    this_update: OffsetDateTime,
    next_update: OffsetDateTime,
    crl_number: u64,
    d: &CrlDeviations,
) -> Result<Vec<u8>, PkiError> {
    let name_der = facts.name_der.as_ref().ok_or(PkiError::InvalidTemplate(
        "a CRL needs an issuer certificate",
    ))?;
    let mut entries = Vec::with_capacity(revoked.len());
    for r in revoked {
        let crl_entry_extensions = match r.reason {
            None => None,
            Some(reason) => Some(vec![Extension {
                extn_id: CrlReason::OID,
                critical: false,
                extn_value: OctetString::new(x509_reason(reason).to_der()?)?,
            }]),
        };
        entries.push(RevokedCert {
            serial_number: SerialNumber::new(&r.serial)?,
            revocation_date: to_time(r.revoked_at)?,
            crl_entry_extensions,
        });
    }
    let aki = AuthorityKeyIdentifier {
        key_identifier: Some(OctetString::new(facts.key_id.clone())?),
        ..Default::default()
    };
    let number = CrlNumber(der::asn1::Uint::new(&crl_number.to_be_bytes())?);
    let mut crl_extensions = vec![Extension {
        extn_id: AuthorityKeyIdentifier::OID,
        critical: false,
        extn_value: OctetString::new(aki.to_der()?)?,
    }];
    if !d.omit_number {
        crl_extensions.push(Extension {
            extn_id: CrlNumber::OID,
            critical: d.critical_number,
            extn_value: OctetString::new(number.to_der()?)?,
        });
    }
    if let Some(base) = d.delta_of {
        let base = CrlNumber(der::asn1::Uint::new(&base.to_be_bytes())?);
        crl_extensions.push(Extension {
            extn_id: const_oid::db::rfc5280::ID_CE_DELTA_CRL_INDICATOR,
            critical: true,
            extn_value: OctetString::new(base.to_der()?)?,
        });
    }
    let tbs = TbsCertList {
        version: x509_cert::Version::V2,
        signature: signature_algorithm(signer.algorithm()),
        issuer: x509_cert::name::Name::from_der(name_der)?,
        this_update: to_time(this_update)?,
        next_update: Some(to_time(next_update)?),
        revoked_certificates: (!entries.is_empty()).then_some(entries),
        crl_extensions: Some(crl_extensions),
    };
    let tbs_der = tbs.to_der()?;
    let sig = signer.sign(&tbs_der, SignatureEncoding::Der)?;
    Ok(CertificateList {
        signature_algorithm: tbs.signature.clone(),
        tbs_cert_list: tbs,
        signature: BitString::from_bytes(&sig)?,
    }
    .to_der()?)
}
