//! The x509-cert builder: certificates whenever SM2 is involved (and any template),
//! assembled from x509-cert's DER types and signed through the issuer's [`Signer`].
//!
//! Owns: the DER of names, validity and extensions for that builder; shared helpers the
//! CRL maker uses (names, times, algorithm identifiers).
//! Must not touch: choosing the builder (see `issue`).

use super::ext::{encode_license_types, encode_province, key_identifier};
use super::issue::IssuerFacts;
use super::oids::{AT_ORGANIZATION_IDENTIFIER, EXT_LICENSE_TYPES, EXT_PROVINCE, POLICY_DEMO};
use super::template::{CertTemplate, KeyUsageBit, SubjectName};
use super::PkiError;
use crate::crypto::{Algorithm, PublicKey, SignatureEncoding, Signer};
use const_oid::db::rfc4519::{COMMON_NAME, COUNTRY_NAME, ORGANIZATION_NAME, ST};
use const_oid::{AssociatedOid, ObjectIdentifier};
use der::asn1::{Any, BitString, OctetString, PrintableStringRef, SetOfVec, Utf8StringRef};
use der::{Decode, Encode};
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};
use x509_cert::attr::AttributeTypeAndValue;
use x509_cert::certificate::{Certificate, TbsCertificate, Version};
use x509_cert::ext::pkix::certpolicy::PolicyInformation;
use x509_cert::ext::pkix::{
    AuthorityKeyIdentifier, BasicConstraints, CertificatePolicies, ExtendedKeyUsage, KeyUsage,
    KeyUsages, SubjectKeyIdentifier,
};
use x509_cert::ext::Extension;
use x509_cert::name::{Name, RdnSequence, RelativeDistinguishedName};
use x509_cert::serial_number::SerialNumber;
use x509_cert::time::{Time, Validity};

/// Build and sign the certificate.
pub(super) fn build(
    t: &CertTemplate,
    subject_key: &PublicKey,
    facts: &IssuerFacts,
    signer: &dyn Signer,
) -> Result<Vec<u8>, PkiError> {
    let subject = subject_name(&t.subject)?;
    let issuer = match &facts.name_der {
        Some(der) => Name::from_der(der)?,
        None => subject.clone(),
    };
    let tbs = TbsCertificate {
        version: Version::V3,
        serial_number: SerialNumber::new(&t.serial)?,
        signature: signature_algorithm(signer.algorithm()),
        issuer,
        validity: Validity {
            not_before: to_time(t.not_before)?,
            not_after: to_time(t.not_after)?,
        },
        subject,
        subject_public_key_info: SubjectPublicKeyInfoOwned::from_der(&subject_key.to_spki_der())?,
        issuer_unique_id: None,
        subject_unique_id: None,
        extensions: Some(extensions(t, subject_key, &facts.key_id)?),
    };
    let tbs_der = tbs.to_der()?;
    let sig = signer.sign(&tbs_der, SignatureEncoding::Der)?;
    let cert = Certificate {
        signature_algorithm: tbs.signature.clone(),
        tbs_certificate: tbs,
        signature: BitString::from_bytes(&sig)?,
    };
    Ok(cert.to_der()?)
}

/// The signatureAlgorithm of `alg` (parameters absent for both).
pub(super) fn signature_algorithm(alg: Algorithm) -> AlgorithmIdentifierOwned {
    AlgorithmIdentifierOwned {
        oid: alg.signature_oid(),
        parameters: None,
    }
}

/// UTCTime before 2050, GeneralizedTime from 2050 (RFC 5280 section 4.1.2.5).
pub(super) fn to_time(t: time::OffsetDateTime) -> Result<Time, PkiError> {
    let secs = u64::try_from(t.unix_timestamp())
        .map_err(|_| PkiError::InvalidTemplate("times before 1970 are not supported"))?;
    let dt = der::DateTime::from_unix_duration(std::time::Duration::from_secs(secs))?;
    Ok(if dt.year() < 2050 {
        Time::UtcTime(der::asn1::UtcTime::from_date_time(dt)?)
    } else {
        Time::GeneralTime(der::asn1::GeneralizedTime::from_date_time(dt))
    })
}

/// The subject Name, one attribute per RDN.
pub(super) fn subject_name(s: &SubjectName) -> Result<Name, PkiError> {
    let mut rdns = Vec::new();
    let mut push = |oid: ObjectIdentifier, value: Any| -> Result<(), PkiError> {
        let atv = AttributeTypeAndValue { oid, value };
        rdns.push(RelativeDistinguishedName(SetOfVec::try_from(vec![atv])?));
        Ok(())
    };
    push(
        COUNTRY_NAME,
        Any::encode_from(&PrintableStringRef::new(&s.country)?)?,
    )?;
    if let Some(p) = s.province {
        push(ST, Any::encode_from(&Utf8StringRef::new(p.name_zh())?)?)?;
    }
    push(
        ORGANIZATION_NAME,
        Any::encode_from(&Utf8StringRef::new(&s.organisation)?)?,
    )?;
    if let Some(u) = &s.uscc {
        push(
            AT_ORGANIZATION_IDENTIFIER,
            Any::encode_from(&PrintableStringRef::new(u)?)?,
        )?;
    }
    push(
        COMMON_NAME,
        Any::encode_from(&Utf8StringRef::new(&s.common_name)?)?,
    )?;
    Ok(RdnSequence(rdns))
}

fn ext(oid: ObjectIdentifier, critical: bool, value: Vec<u8>) -> Result<Extension, PkiError> {
    Ok(Extension {
        extn_id: oid,
        critical,
        extn_value: OctetString::new(value)?,
    })
}

/// DER of the demo certificatePolicies value.
pub(super) fn demo_policies() -> Result<Vec<u8>, PkiError> {
    Ok(CertificatePolicies(vec![PolicyInformation {
        policy_identifier: POLICY_DEMO,
        policy_qualifiers: None,
    }])
    .to_der()?)
}

/// The template's extensions, in the documented order.
fn extensions(
    t: &CertTemplate,
    subject_key: &PublicKey,
    issuer_key_id: &[u8],
) -> Result<Vec<Extension>, PkiError> {
    let mut out = Vec::new();
    let bc = BasicConstraints {
        ca: t.is_ca,
        path_len_constraint: t.path_len,
    };
    out.push(ext(BasicConstraints::OID, true, bc.to_der()?)?);
    if !t.key_usage.is_empty() {
        let mut flags = der::flagset::FlagSet::<KeyUsages>::default();
        for bit in &t.key_usage {
            flags |= match bit {
                KeyUsageBit::DigitalSignature => KeyUsages::DigitalSignature,
                KeyUsageBit::NonRepudiation => KeyUsages::NonRepudiation,
                KeyUsageBit::KeyEncipherment => KeyUsages::KeyEncipherment,
                KeyUsageBit::DataEncipherment => KeyUsages::DataEncipherment,
                KeyUsageBit::KeyAgreement => KeyUsages::KeyAgreement,
                KeyUsageBit::KeyCertSign => KeyUsages::KeyCertSign,
                KeyUsageBit::CrlSign => KeyUsages::CRLSign,
            };
        }
        out.push(ext(KeyUsage::OID, true, KeyUsage(flags).to_der()?)?);
    }
    if !t.extended_key_usage.is_empty() {
        let eku = ExtendedKeyUsage(t.extended_key_usage.clone());
        out.push(ext(ExtendedKeyUsage::OID, false, eku.to_der()?)?);
    }
    if t.subject_key_id {
        let ski = SubjectKeyIdentifier(OctetString::new(key_identifier(subject_key))?);
        out.push(ext(SubjectKeyIdentifier::OID, false, ski.to_der()?)?);
    }
    if t.authority_key_id {
        let aki = AuthorityKeyIdentifier {
            key_identifier: Some(OctetString::new(issuer_key_id)?),
            ..Default::default()
        };
        out.push(ext(AuthorityKeyIdentifier::OID, false, aki.to_der()?)?);
    }
    if t.demo {
        out.push(ext(CertificatePolicies::OID, false, demo_policies()?)?);
    }
    if let Some(p) = t.province_extension {
        out.push(ext(EXT_PROVINCE, false, encode_province(p)?)?);
    }
    if !t.license_types.is_empty() {
        out.push(ext(
            EXT_LICENSE_TYPES,
            false,
            encode_license_types(&t.license_types)?,
        )?);
    }
    for e in &t.extra_extensions {
        out.push(ext(e.oid, e.critical, e.value.clone())?);
    }
    Ok(out)
}
