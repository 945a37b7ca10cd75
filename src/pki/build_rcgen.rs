//! The rcgen builder: P-256 certificates under P-256 issuers, and P-256 CRLs.
//!
//! rcgen serialises the to-be-signed bytes; the signature is made by the issuer's
//! [`Signer`] afterwards (prepare / complete): rcgen is handed a key pair that only records
//! what it was asked to sign, and the recorded TBS is then signed through the trait and
//! put in place of the placeholder.
//!
//! Owns: mapping a [`CertTemplate`] onto rcgen's parameters.
//! Must not touch: SM2 (rcgen's algorithm set is closed; see `build_x509`).

use super::build_x509::demo_policies;
use super::ext::{encode_license_types, encode_province, key_identifier};
use super::issue::IssuerFacts;
use super::oids::{AT_ORGANIZATION_IDENTIFIER, EXT_LICENSE_TYPES, EXT_PROVINCE};
use super::template::{CertTemplate, KeyUsageBit, SubjectName};
use super::PkiError;
use crate::crypto::{PublicKey, SignatureEncoding, Signer};
use const_oid::ObjectIdentifier;
use der::asn1::{AnyRef, BitStringRef};
use der::{Decode, Encode};
use rcgen::{
    CertificateParams, CustomExtension, DistinguishedName, DnType, DnValue,
    ExtendedKeyUsagePurpose, IsCa, KeyIdMethod, KeyPair, KeyUsagePurpose, SerialNumber,
};
use std::sync::{Arc, Mutex};

/// Where the recorded to-be-signed bytes land.
pub(super) type TbsSlot = Arc<Mutex<Option<Vec<u8>>>>;

/// A key pair that records the bytes rcgen wants signed and returns a placeholder.
struct Recorder {
    public: Vec<u8>,
    tbs: TbsSlot,
}

impl rcgen::RemoteKeyPair for Recorder {
    fn public_key(&self) -> &[u8] {
        &self.public
    }
    fn sign(&self, msg: &[u8]) -> Result<Vec<u8>, rcgen::Error> {
        if let Ok(mut slot) = self.tbs.lock() {
            *slot = Some(msg.to_vec());
        }
        Ok(vec![0u8; 8])
    }
    fn algorithm(&self) -> &'static rcgen::SignatureAlgorithm {
        &rcgen::PKCS_ECDSA_P256_SHA256
    }
}

/// A recording key pair for `public` and the slot where the TBS lands.
pub(super) fn recorder(public: &PublicKey) -> Result<(KeyPair, TbsSlot), PkiError> {
    let slot = Arc::new(Mutex::new(None));
    let kp = KeyPair::from_remote(Box::new(Recorder {
        public: public.sec1_uncompressed().to_vec(),
        tbs: slot.clone(),
    }))
    .map_err(rcgen_err)?;
    Ok((kp, slot))
}

pub(super) fn rcgen_err(e: rcgen::Error) -> PkiError {
    PkiError::Builder(format!("rcgen: {e}"))
}

/// `SEQUENCE { tbs, signatureAlgorithm, signatureValue }` of a certificate or CRL, with
/// the first two kept as they are.
#[derive(der::Sequence)]
struct Signed<'a> {
    tbs: AnyRef<'a>,
    algorithm: AnyRef<'a>,
    signature: BitStringRef<'a>,
}

/// Replace the placeholder signature of `der` by the signer's signature over the recorded TBS.
pub(super) fn complete(
    der: &[u8],
    slot: &Mutex<Option<Vec<u8>>>,
    signer: &dyn Signer,
) -> Result<Vec<u8>, PkiError> {
    let tbs = slot
        .lock()
        .ok()
        .and_then(|mut s| s.take())
        .ok_or_else(|| PkiError::Builder("rcgen asked for no signature".into()))?;
    let placeholder = Signed::from_der(der)?;
    if placeholder.tbs.to_der()? != tbs {
        return Err(PkiError::Builder(
            "rcgen signed other bytes than its TBS".into(),
        ));
    }
    let sig = signer.sign(&tbs, SignatureEncoding::Der)?;
    Ok(Signed {
        tbs: placeholder.tbs,
        algorithm: placeholder.algorithm,
        signature: BitStringRef::from_bytes(&sig)?,
    }
    .to_der()?)
}

/// rcgen's subject name for `s`, in the same order and string types as `build_x509`.
pub(super) fn distinguished_name(s: &SubjectName) -> Result<DistinguishedName, PkiError> {
    let printable = |v: &str| -> Result<DnValue, PkiError> {
        Ok(DnValue::PrintableString(v.try_into().map_err(|_| {
            PkiError::InvalidTemplate("not a PrintableString")
        })?))
    };
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CountryName, printable(&s.country)?);
    if let Some(p) = s.province {
        dn.push(
            DnType::StateOrProvinceName,
            DnValue::Utf8String(p.name_zh().into()),
        );
    }
    dn.push(
        DnType::OrganizationName,
        DnValue::Utf8String(s.organisation.clone()),
    );
    if let Some(u) = &s.uscc {
        dn.push(
            DnType::CustomDnType(arcs(&AT_ORGANIZATION_IDENTIFIER)),
            printable(u)?,
        );
    }
    dn.push(
        DnType::CommonName,
        DnValue::Utf8String(s.common_name.clone()),
    );
    Ok(dn)
}

fn arcs(oid: &ObjectIdentifier) -> Vec<u64> {
    oid.arcs().map(u64::from).collect()
}

fn custom(oid: &ObjectIdentifier, critical: bool, value: Vec<u8>) -> CustomExtension {
    let mut e = CustomExtension::from_oid_content(&arcs(oid), value);
    e.set_criticality(critical);
    e
}

/// An rcgen `Certificate` standing for the issuer: its name and key identifier.
pub(super) fn issuer_certificate(
    facts: &IssuerFacts,
    issuer_key: &KeyPair,
) -> Result<Option<rcgen::Certificate>, PkiError> {
    let Some(cert_der) = &facts.cert_der else {
        return Ok(None);
    };
    // rcgen reads only single-attribute RDNs and panics on empty ones: check first.
    let (_, parsed) = x509_parser::parse_x509_certificate(cert_der)
        .map_err(|_| PkiError::MalformedCertificate("issuer certificate"))?;
    if parsed.subject().iter().any(|rdn| rdn.iter().count() != 1) {
        return Err(PkiError::InvalidTemplate(
            "rcgen needs an issuer name with one attribute per RDN",
        ));
    }
    let mut params =
        CertificateParams::from_ca_cert_der(&cert_der.as_slice().into()).map_err(rcgen_err)?;
    params.key_identifier_method = KeyIdMethod::PreSpecified(facts.key_id.clone());
    Ok(Some(params.self_signed(issuer_key).map_err(rcgen_err)?))
}

/// Build and sign the certificate.
pub(super) fn build(
    t: &CertTemplate,
    subject_key: &PublicKey,
    facts: &IssuerFacts,
    signer: &dyn Signer,
) -> Result<Vec<u8>, PkiError> {
    let mut params = CertificateParams::default();
    params.distinguished_name = distinguished_name(&t.subject)?;
    params.serial_number = Some(SerialNumber::from_slice(&t.serial));
    params.not_before = t.not_before;
    params.not_after = t.not_after;
    params.is_ca = match (t.is_ca, t.path_len) {
        (true, Some(n)) => IsCa::Ca(rcgen::BasicConstraints::Constrained(n)),
        (true, None) => IsCa::Ca(rcgen::BasicConstraints::Unconstrained),
        // rcgen's ExplicitNoCa writes `cA FALSE`, which DER forbids (a DEFAULT value is
        // omitted), and with NoCa it writes neither basicConstraints nor the SKI: both
        // are added as custom extensions.
        (false, _) => IsCa::NoCa,
    };
    if !t.is_ca {
        params.custom_extensions.push(custom(
            &<x509_cert::ext::pkix::BasicConstraints as const_oid::AssociatedOid>::OID,
            true,
            super::build_x509::basic_constraints(false, None, false)?,
        ));
        let ski = der::asn1::OctetString::new(key_identifier(subject_key))?;
        params.custom_extensions.push(custom(
            &<x509_cert::ext::pkix::SubjectKeyIdentifier as const_oid::AssociatedOid>::OID,
            false,
            ski.to_der()?,
        ));
    }
    params.key_usages = t
        .key_usage
        .iter()
        .map(|b| match b {
            KeyUsageBit::DigitalSignature => KeyUsagePurpose::DigitalSignature,
            KeyUsageBit::NonRepudiation => KeyUsagePurpose::ContentCommitment,
            KeyUsageBit::KeyEncipherment => KeyUsagePurpose::KeyEncipherment,
            KeyUsageBit::DataEncipherment => KeyUsagePurpose::DataEncipherment,
            KeyUsageBit::KeyAgreement => KeyUsagePurpose::KeyAgreement,
            KeyUsageBit::KeyCertSign => KeyUsagePurpose::KeyCertSign,
            KeyUsageBit::CrlSign => KeyUsagePurpose::CrlSign,
        })
        .collect();
    params.extended_key_usages = t
        .extended_key_usage
        .iter()
        .map(|o| ExtendedKeyUsagePurpose::Other(arcs(o)))
        .collect();
    params.key_identifier_method = KeyIdMethod::PreSpecified(key_identifier(subject_key));
    params.use_authority_key_identifier_extension = t.authority_key_id;
    if t.demo {
        params.custom_extensions.push(custom(
            &<x509_cert::ext::pkix::CertificatePolicies as const_oid::AssociatedOid>::OID,
            false,
            demo_policies()?,
        ));
    }
    if let Some(p) = t.province_extension {
        params
            .custom_extensions
            .push(custom(&EXT_PROVINCE, false, encode_province(p)?));
    }
    if !t.license_types.is_empty() {
        params.custom_extensions.push(custom(
            &EXT_LICENSE_TYPES,
            false,
            encode_license_types(&t.license_types)?,
        ));
    }
    for e in &t.extra_extensions {
        params
            .custom_extensions
            .push(custom(&e.oid, e.critical, e.value.clone()));
    }

    let (issuer_kp, slot) = recorder(signer.public_key())?;
    let subject_kp;
    let cert = match issuer_certificate(facts, &issuer_kp)? {
        None => params.self_signed(&issuer_kp).map_err(rcgen_err)?,
        Some(issuer_cert) => {
            let (kp, _) = recorder(subject_key)?;
            subject_kp = kp;
            if let Ok(mut s) = slot.lock() {
                *s = None;
            }
            params
                .signed_by(&subject_kp, &issuer_cert, &issuer_kp)
                .map_err(rcgen_err)?
        }
    };
    complete(cert.der(), &slot, signer)
}
