//! Reading what a certificate says about its holder: [`CertInfo::from_der`], and the
//! fuller [`CertSummary`] that `deltaseal cert show` prints.
//!
//! Owns: the mapping certificate → role (EKU and basicConstraints), province and license
//! types (project extensions), demo flag (demo policy).
//! Must not touch: validation (see `validate`).

use super::ext::{decode_license_types, decode_province};
use super::oids::{AT_ORGANIZATION_IDENTIFIER, EXT_LICENSE_TYPES, EXT_PROVINCE, POLICY_DEMO};
use super::template::KeyUsageBit;
use super::{CertInfo, PkiError, Role};
use crate::crypto::{Algorithm, PublicKey};
use const_oid::ObjectIdentifier;
use x509_parser::prelude::*;

/// Parse one DER certificate, refusing trailing bytes.
pub(super) fn parse(der: &[u8]) -> Result<X509Certificate<'_>, PkiError> {
    let (rest, cert) = X509Certificate::from_der(der)
        .map_err(|_| PkiError::MalformedCertificate("cannot parse DER certificate"))?;
    if !rest.is_empty() {
        return Err(PkiError::MalformedCertificate(
            "trailing bytes after certificate",
        ));
    }
    Ok(cert)
}

fn oid_of(o: &x509_parser::oid_registry::Oid<'_>) -> Option<ObjectIdentifier> {
    ObjectIdentifier::from_bytes(o.as_bytes()).ok()
}

fn attr(name: &X509Name<'_>, oid: &ObjectIdentifier) -> Option<String> {
    name.iter_attributes()
        .find(|a| oid_of(a.attr_type()).as_ref() == Some(oid))
        .and_then(|a| a.as_str().ok().map(str::to_owned))
}

impl CertInfo {
    /// Read CN, O, USCC (organizationIdentifier), province and license types (project
    /// extensions), role (EKU, or basicConstraints CA for a province root) and the demo
    /// flag (demo policy in certificatePolicies).
    pub fn from_der(der: &[u8]) -> Result<CertInfo, PkiError> {
        let cert = parse(der)?;
        let subject = cert.subject();
        let mut info = CertInfo {
            common_name: attr(subject, &const_oid::db::rfc4519::CN),
            organisation: attr(subject, &const_oid::db::rfc4519::O),
            uscc: attr(subject, &AT_ORGANIZATION_IDENTIFIER),
            province: None,
            role: None,
            license_types: Vec::new(),
            demo: false,
        };
        let mut is_ca = false;
        let mut ekus = Vec::new();
        for ext in cert.extensions() {
            let oid = oid_of(&ext.oid);
            match ext.parsed_extension() {
                ParsedExtension::BasicConstraints(bc) => is_ca = bc.ca,
                ParsedExtension::ExtendedKeyUsage(eku) => {
                    ekus.extend(eku.other.iter().filter_map(oid_of));
                }
                ParsedExtension::CertificatePolicies(p) => {
                    info.demo |= p
                        .iter()
                        .any(|pi| oid_of(&pi.policy_id) == Some(POLICY_DEMO));
                }
                _ if oid == Some(EXT_PROVINCE) => info.province = Some(decode_province(ext.value)?),
                _ if oid == Some(EXT_LICENSE_TYPES) => {
                    info.license_types = decode_license_types(ext.value)?
                }
                _ => {}
            }
        }
        info.role = if is_ca {
            Some(Role::ProvinceRoot)
        } else {
            Role::ALL
                .into_iter()
                .find(|r| r.eku().is_some_and(|e| ekus.contains(&e)))
        };
        Ok(info)
    }
}

/// Everything `cert show` prints.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CertSummary {
    /// Subject DN (RFC 4514 text).
    pub subject: String,
    /// Issuer DN.
    pub issuer: String,
    /// Serial number, hex.
    pub serial: String,
    /// Key algorithm (`P-256` / `SM2`), if recognised.
    pub key_algorithm: Option<Algorithm>,
    /// Signature algorithm (`P-256` / `SM2`), if recognised, else the OID.
    pub signature_algorithm: String,
    /// notBefore, RFC 3339.
    pub not_before: String,
    /// notAfter, RFC 3339.
    pub not_after: String,
    /// basicConstraints: CA flag and pathLen.
    pub is_ca: bool,
    /// pathLenConstraint.
    pub path_len: Option<u32>,
    /// keyUsage bit names.
    pub key_usage: Vec<&'static str>,
    /// extKeyUsage OIDs.
    pub extended_key_usage: Vec<String>,
    /// What the certificate says about its holder.
    pub info: CertInfo,
}

impl CertSummary {
    /// Summarise a DER certificate.
    pub fn from_der(der: &[u8]) -> Result<CertSummary, PkiError> {
        let info = CertInfo::from_der(der)?;
        let cert = parse(der)?;
        let sig_oid = oid_of(&cert.signature_algorithm.algorithm);
        let rfc3339 = |t: ASN1Time| {
            t.to_datetime()
                .format(&::time::format_description::well_known::Rfc3339)
                .unwrap_or_else(|_| t.to_string())
        };
        let mut s = CertSummary {
            subject: cert.subject().to_string(),
            issuer: cert.issuer().to_string(),
            serial: cert.raw_serial_as_string(),
            key_algorithm: PublicKey::from_spki_der(cert.public_key().raw)
                .ok()
                .map(|k| k.algorithm()),
            signature_algorithm: sig_oid
                .as_ref()
                .and_then(Algorithm::from_signature_oid)
                .map(|a| a.name().to_owned())
                .unwrap_or_else(|| cert.signature_algorithm.algorithm.to_id_string()),
            not_before: rfc3339(cert.validity().not_before),
            not_after: rfc3339(cert.validity().not_after),
            is_ca: false,
            path_len: None,
            key_usage: Vec::new(),
            extended_key_usage: Vec::new(),
            info,
        };
        for ext in cert.extensions() {
            match ext.parsed_extension() {
                ParsedExtension::BasicConstraints(bc) => {
                    s.is_ca = bc.ca;
                    s.path_len = bc.path_len_constraint;
                }
                ParsedExtension::KeyUsage(ku) => {
                    s.key_usage = KeyUsageBit::ALL
                        .into_iter()
                        .filter(|b| ku.flags & (1 << (*b as u16)) != 0)
                        .map(KeyUsageBit::name)
                        .collect();
                }
                ParsedExtension::ExtendedKeyUsage(eku) => {
                    s.extended_key_usage = eku.other.iter().map(|o| o.to_id_string()).collect();
                }
                _ => {}
            }
        }
        Ok(s)
    }
}
