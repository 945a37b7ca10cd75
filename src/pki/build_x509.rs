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
    let d = &t.deviations;
    let subject = if d.empty_subject {
        RdnSequence(Vec::new())
    } else {
        subject_name(&t.subject)?
    };
    let issuer = match &facts.name_der {
        Some(der) => Name::from_der(der)?,
        None => subject.clone(),
    };
    let serial_number = if d.raw_serial {
        let len = u8::try_from(t.serial.len())
            .map_err(|_| PkiError::InvalidTemplate("serial too long"))?;
        let mut enc = vec![0x02, len];
        enc.extend_from_slice(&t.serial);
        SerialNumber::from_der(&enc)?
    } else {
        SerialNumber::new(&t.serial)?
    };
    let spki = match &d.subject_public_key_info {
        Some(raw) => SubjectPublicKeyInfoOwned::from_der(raw)?,
        None => SubjectPublicKeyInfoOwned::from_der(&subject_key.to_spki_der())?,
    };
    let tbs = TbsCertificate {
        version: if d.version_v1 {
            Version::V1
        } else {
            Version::V3
        },
        serial_number,
        signature: signature_algorithm(signer.algorithm()),
        issuer,
        validity: Validity {
            not_before: to_time(t.not_before)?,
            not_after: to_time(t.not_after)?,
        },
        subject,
        subject_public_key_info: spki,
        issuer_unique_id: None,
        subject_unique_id: None,
        extensions: Some(extensions(t, subject_key, facts)?),
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

/// DER of the basicConstraints value. `cA` is DEFAULT FALSE, so DER omits it when false
/// (X.690 §11.5): a non-CA gets the empty SEQUENCE `30 00`; `explicit_false` writes the
/// non-DER `30 03 01 01 00` for tests.
pub(super) fn basic_constraints(
    ca: bool,
    path_len: Option<u8>,
    explicit_false: bool,
) -> Result<Vec<u8>, PkiError> {
    if !ca {
        return Ok(if explicit_false {
            vec![0x30, 0x03, 0x01, 0x01, 0x00]
        } else {
            vec![0x30, 0x00]
        });
    }
    Ok(BasicConstraints {
        ca: true,
        path_len_constraint: path_len,
    }
    .to_der()?)
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
    facts: &IssuerFacts,
) -> Result<Vec<Extension>, PkiError> {
    let d = &t.deviations;
    let mut out = Vec::new();
    out.push(ext(
        BasicConstraints::OID,
        !d.basic_constraints_non_critical,
        basic_constraints(t.is_ca, t.path_len, d.explicit_ca_false)?,
    )?);
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
        let key_id = d.authority_key_id.as_deref().unwrap_or(&facts.key_id);
        let mut aki = AuthorityKeyIdentifier {
            key_identifier: Some(OctetString::new(key_id)?),
            ..Default::default()
        };
        if d.authority_key_id_issuer_serial {
            let issuer = match &facts.name_der {
                Some(der) => Name::from_der(der)?,
                None => subject_name(&t.subject)?,
            };
            aki.authority_cert_issuer = Some(vec![
                x509_cert::ext::pkix::name::GeneralName::DirectoryName(issuer),
            ]);
            aki.authority_cert_serial_number = Some(SerialNumber::new(&[1])?);
        }
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
