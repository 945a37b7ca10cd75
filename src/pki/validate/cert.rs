//! A parsed certificate with the few facts path validation needs, read once.

use crate::crypto::{Algorithm, PublicKey};
use const_oid::ObjectIdentifier;
use x509_parser::certificate::X509Certificate;
use x509_parser::extensions::ParsedExtension;
use x509_parser::prelude::FromDer;

/// A certificate parsed by x509-parser, owning its DER.
pub struct ParsedCert {
    der: Vec<u8>,
    /// Subject DN, DER.
    pub(crate) subject: Vec<u8>,
    /// Issuer DN, DER.
    pub(crate) issuer: Vec<u8>,
    pub(crate) subject_text: String,
    pub(crate) issuer_text: String,
    pub(crate) serial: Vec<u8>,
    pub(crate) not_before: i64,
    pub(crate) not_after: i64,
    pub(crate) tbs: std::ops::Range<usize>,
    pub(crate) signature: Vec<u8>,
    pub(crate) sig_alg: Option<Algorithm>,
    pub(crate) sig_alg_oid: String,
    pub(crate) tbs_sig_alg_matches: bool,
    pub(crate) public_key: Result<PublicKey, &'static str>,
    pub(crate) ski: Option<Vec<u8>>,
    pub(crate) aki: Option<Vec<u8>>,
    pub(crate) basic_constraints: Option<(bool, Option<u32>)>,
    /// keyUsage bits as x509-parser's flags, when present.
    pub(crate) key_usage: Option<x509_parser::extensions::KeyUsage>,
    /// Extended key usages (dotted OIDs) when present; `any` included as 2.5.29.37.0.
    pub(crate) eku: Option<Vec<String>>,
    pub(crate) unknown_critical: Vec<String>,
    pub(crate) license_types: Vec<String>,
    /// What the strict profile checks read.
    pub(crate) facts: super::facts::Facts,
}

/// Critical extensions this validator processes (RFC 5280 §4.2).
const PROCESSED: [&str; 10] = [
    "2.5.29.15",         // keyUsage
    "2.5.29.19",         // basicConstraints
    "2.5.29.37",         // extKeyUsage
    "2.5.29.17",         // subjectAltName
    "2.5.29.32",         // certificatePolicies (policy OIDs are informational here)
    "2.5.29.14",         // subjectKeyIdentifier
    "2.5.29.30",         // nameConstraints (see names.rs)
    "2.5.29.36",         // policyConstraints (refused when critical, see names.rs)
    "2.5.29.54",         // inhibitAnyPolicy (refused when critical, see names.rs)
    "1.3.6.1.5.5.7.1.1", // authorityInfoAccess (critical is malformed, see strict.rs)
];

impl ParsedCert {
    /// Parse DER; the error says what is wrong.
    pub fn parse(der: &[u8]) -> Result<Self, &'static str> {
        let (rest, cert) =
            X509Certificate::from_der(der).map_err(|_| "not a DER X.509 certificate")?;
        if !rest.is_empty() {
            return Err("trailing bytes after the certificate");
        }
        let tbs_raw: &[u8] = cert.tbs_certificate.as_ref();
        let start = tbs_raw.as_ptr() as usize - der.as_ptr() as usize;
        let tbs = start..start + tbs_raw.len();
        let sig_oid = oid_of(&cert.signature_algorithm.algorithm);
        let sig_alg = sig_oid.as_ref().and_then(Algorithm::from_signature_oid);
        let tbs_sig_alg_matches =
            cert.signature_algorithm.algorithm == cert.tbs_certificate.signature.algorithm;
        let mut ski = None;
        let mut aki = None;
        let mut basic_constraints = None;
        let mut key_usage = None;
        let mut eku = None;
        let mut unknown_critical = Vec::new();
        let mut license_types = Vec::new();
        let types_oid = crate::pki::oids::EXT_LICENSE_TYPES.to_string();
        for ext in cert.extensions() {
            let id = ext.oid.to_id_string();
            match ext.parsed_extension() {
                ParsedExtension::SubjectKeyIdentifier(k) => ski = Some(k.0.to_vec()),
                ParsedExtension::AuthorityKeyIdentifier(a) => {
                    aki = a.key_identifier.as_ref().map(|k| k.0.to_vec())
                }
                ParsedExtension::BasicConstraints(bc) => {
                    basic_constraints = Some((bc.ca, bc.path_len_constraint))
                }
                ParsedExtension::KeyUsage(ku) => key_usage = Some(*ku),
                ParsedExtension::ExtendedKeyUsage(e) => {
                    let mut v: Vec<String> = e.other.iter().map(|o| o.to_id_string()).collect();
                    for (flag, oid) in [
                        (e.any, "2.5.29.37.0"),
                        (e.server_auth, "1.3.6.1.5.5.7.3.1"),
                        (e.client_auth, "1.3.6.1.5.5.7.3.2"),
                        (e.code_signing, "1.3.6.1.5.5.7.3.3"),
                        (e.email_protection, "1.3.6.1.5.5.7.3.4"),
                        (e.time_stamping, "1.3.6.1.5.5.7.3.8"),
                        (e.ocsp_signing, "1.3.6.1.5.5.7.3.9"),
                    ] {
                        if flag {
                            v.push(oid.to_string());
                        }
                    }
                    eku = Some(v)
                }
                ParsedExtension::ParseError { .. }
                    if ext.critical && id != "2.5.29.30" && id != "1.3.6.1.5.5.7.1.1" =>
                {
                    return Err("a critical extension does not parse")
                }
                _ => {}
            }
            if id == types_oid {
                license_types = decode_license_types(ext.value);
            }
            if ext.critical && !PROCESSED.contains(&id.as_str()) {
                unknown_critical.push(id);
            }
        }
        Ok(ParsedCert {
            subject: cert.subject().as_raw().to_vec(),
            issuer: cert.issuer().as_raw().to_vec(),
            subject_text: name_text(cert.subject()),
            issuer_text: name_text(cert.issuer()),
            serial: cert.raw_serial().to_vec(),
            not_before: cert.validity().not_before.timestamp(),
            not_after: cert.validity().not_after.timestamp(),
            tbs,
            signature: cert.signature_value.data.to_vec(),
            sig_alg,
            sig_alg_oid: cert.signature_algorithm.algorithm.to_id_string(),
            tbs_sig_alg_matches,
            public_key: PublicKey::from_spki_der(cert.public_key().raw)
                .map_err(|_| "unsupported or malformed public key"),
            ski,
            aki,
            basic_constraints,
            key_usage,
            eku,
            unknown_critical,
            license_types,
            facts: super::facts::read(&cert),
            der: der.to_vec(),
        })
    }

    /// The DER.
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// The to-be-signed bytes.
    pub(crate) fn tbs(&self) -> &[u8] {
        &self.der[self.tbs.clone()]
    }

    /// Short label for reports: `CN=…` (or the whole subject).
    pub fn label(&self) -> String {
        self.subject_text.clone()
    }

    /// Short label of the issuer.
    pub fn issuer_label(&self) -> String {
        self.issuer_text.clone()
    }

    /// Whether subject == issuer.
    pub(crate) fn self_issued(&self) -> bool {
        self.subject == self.issuer
    }

    /// License type codes of the license-types extension (empty when absent or malformed).
    pub fn license_types(&self) -> &[String] {
        &self.license_types
    }

    /// Serial number bytes (DER INTEGER content).
    pub fn serial(&self) -> &[u8] {
        &self.serial
    }
}

fn oid_of(oid: &x509_parser::der_parser::oid::Oid<'_>) -> Option<ObjectIdentifier> {
    ObjectIdentifier::from_bytes(oid.as_bytes()).ok()
}

/// `CN=…, O=…` for reports, falling back to the full DN text.
fn name_text(name: &x509_parser::x509::X509Name<'_>) -> String {
    let cn = name
        .iter_common_name()
        .next()
        .and_then(|a| a.as_str().ok())
        .map(str::to_string);
    match cn {
        Some(cn) => format!("CN={cn}"),
        None => name.to_string(),
    }
}

/// `SEQUENCE OF PrintableString` → codes; malformed values give an empty list.
fn decode_license_types(value: &[u8]) -> Vec<String> {
    use der::Decode;
    Vec::<der::asn1::PrintableString>::from_der(value)
        .map(|v| v.into_iter().map(|s| s.to_string()).collect())
        .unwrap_or_default()
}
