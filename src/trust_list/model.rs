//! The trust list document.

use crate::crypto::DigestAlgorithm;
use crate::pki::{Province, TrustAnchor, TrustAnchors};
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use serde::{Deserialize, Serialize};

/// The document format version this module writes and reads.
pub const FORMAT_VERSION: u32 = 1;

/// The SHA-256 fingerprint of a DER certificate, lowercase hex.
pub fn fingerprint(der: &[u8]) -> String {
    hex::encode(DigestAlgorithm::Sha256.digest(der))
}

/// The regional trust list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrustList {
    /// Document format version ([`FORMAT_VERSION`]).
    pub version: u32,
    /// Monotonically increasing sequence number.
    pub sequence: u64,
    /// Issue time (RFC 3339).
    #[serde(with = "time::serde::rfc3339")]
    pub issued_at: time::OffsetDateTime,
    /// When the next list is due (RFC 3339).
    #[serde(with = "time::serde::rfc3339")]
    pub next_update: time::OffsetDateTime,
    /// The four provinces.
    pub provinces: Vec<ProvinceEntry>,
    /// The regional catalogue: each common type and the local codes that map onto it.
    pub catalogue: Vec<TypeMapping>,
}

/// What a province vouches for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProvinceEntry {
    /// `SH`, `JS`, `ZJ`, `AH`.
    pub code: Province,
    /// Administrative division code (`310000` …).
    pub division: String,
    /// Chinese name.
    pub name_zh: String,
    /// English name.
    pub name_en: String,
    /// Root certificates (more than one while a root is rotated).
    pub roots: Vec<CertEntry>,
    /// The province node's public base URL.
    pub node_url: String,
    /// Issuing agencies and the types each may issue.
    pub issuing_agencies: Vec<AgencyEntry>,
    /// Seal authorities.
    pub seal_authorities: Vec<PartyEntry>,
    /// Show-license services.
    pub show_services: Vec<PartyEntry>,
}

/// A certificate carried whole.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CertEntry {
    /// SHA-256 of the DER, lowercase hex.
    pub sha256: String,
    /// The certificate, standard base64 DER.
    pub der: String,
}

impl CertEntry {
    /// An entry for a DER certificate.
    pub fn new(der: &[u8]) -> Self {
        CertEntry {
            sha256: fingerprint(der),
            der: B64.encode(der),
        }
    }

    /// The DER, checked against the fingerprint.
    pub fn to_der(&self) -> Option<Vec<u8>> {
        let der = B64.decode(&self.der).ok()?;
        (fingerprint(&der) == self.sha256).then_some(der)
    }
}

/// An issuing agency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgencyEntry {
    /// Its unified social credit code.
    pub uscc: String,
    /// Chinese name.
    pub name_zh: String,
    /// English name.
    pub name_en: String,
    /// SHA-256 fingerprints of its certificates (several while a key is rotated).
    pub cert_sha256: Vec<String>,
    /// The type codes it may issue.
    pub license_types: Vec<String>,
    /// The certificates themselves, so a QR token can name one by its kid instead of
    /// carrying it (lists without them still parse).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub certs: Vec<CertEntry>,
}

/// A seal authority or show-license service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PartyEntry {
    /// Its unified social credit code, when it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uscc: Option<String>,
    /// Chinese name.
    pub name_zh: String,
    /// English name.
    pub name_en: String,
    /// SHA-256 fingerprints of its certificates.
    pub cert_sha256: Vec<String>,
    /// The certificates themselves, so a QR token can name one by its kid instead of
    /// carrying it (lists without them still parse).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub certs: Vec<CertEntry>,
}

/// One common type and its local codes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TypeMapping {
    /// The common (national) type code.
    pub code: String,
    /// Chinese name.
    pub name_zh: String,
    /// English name.
    pub name_en: String,
    /// The provinces' own codes for it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub local: Vec<LocalCode>,
}

/// A province's own code for a common type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LocalCode {
    /// The province.
    pub province: Province,
    /// Its code.
    pub code: String,
}

impl ProvinceEntry {
    /// The public keys of its show-license services' certificates (P-256 or SM2; the
    /// ones that do not decode are left out): the keys that sign the province node's
    /// show tokens, signed calls and archive checkpoints.
    pub fn show_service_keys(&self) -> Vec<crate::crypto::PublicKey> {
        self.show_services
            .iter()
            .flat_map(|s| &s.certs)
            .filter_map(|c| B64.decode(&c.der).ok())
            .filter_map(|der| {
                let (_, cert) = x509_parser::parse_x509_certificate(&der).ok()?;
                crate::crypto::PublicKey::from_spki_der(cert.tbs_certificate.subject_pki.raw).ok()
            })
            .collect()
    }
}

impl TrustList {
    /// A province's entry.
    pub fn province(&self, p: Province) -> Option<&ProvinceEntry> {
        self.provinces.iter().find(|e| e.code == p)
    }

    /// Every province root, trusted for the leaf roles a province certifies.
    pub fn anchors(&self) -> TrustAnchors {
        let mut t = TrustAnchors::none();
        for p in &self.provinces {
            for r in &p.roots {
                if let Some(der) = r.to_der() {
                    t.push(TrustAnchor::new(
                        der,
                        crate::pki::trust::PROVINCE_ROOT_PURPOSES,
                    ));
                }
            }
        }
        t
    }

    /// The listed agencies whose certificate has this fingerprint (several may share a
    /// key), with their province.
    pub fn agencies_with_cert(&self, sha256: &str) -> Vec<(Province, &AgencyEntry)> {
        self.provinces
            .iter()
            .flat_map(|p| p.issuing_agencies.iter().map(move |a| (p.code, a)))
            .filter(|(_, a)| a.cert_sha256.iter().any(|f| f == sha256))
            .collect()
    }

    /// The show-license service whose certificate has this kid (first 8 bytes of its
    /// SHA-256), with its province and the certificate's DER.
    pub fn show_service_by_kid(&self, kid: &[u8]) -> Option<(Province, &PartyEntry, Vec<u8>)> {
        self.provinces.iter().find_map(|p| {
            p.show_services
                .iter()
                .find_map(|s| cert_with_kid(&s.certs, kid).map(|der| (p.code, s, der)))
        })
    }

    /// A listed certificate (province root, issuing agency, seal authority or show
    /// service) whose SHA-256 starts with `prefix` (at least 8 bytes), as DER.
    pub fn cert_by_kid(&self, kid: &[u8]) -> Option<Vec<u8>> {
        if kid.len() < 8 {
            return None;
        }
        self.provinces.iter().find_map(|p| {
            cert_with_kid(&p.roots, kid)
                .or_else(|| {
                    p.issuing_agencies
                        .iter()
                        .find_map(|a| cert_with_kid(&a.certs, kid))
                })
                .or_else(|| {
                    p.show_services
                        .iter()
                        .find_map(|s| cert_with_kid(&s.certs, kid))
                })
                .or_else(|| {
                    p.seal_authorities
                        .iter()
                        .find_map(|s| cert_with_kid(&s.certs, kid))
                })
        })
    }

    /// The common type a code names: the code itself when it is common, else the type
    /// that lists it as a province's local code (with that province).
    pub fn common_type(&self, code: &str) -> Option<(&TypeMapping, Option<Province>)> {
        self.catalogue.iter().find_map(|t| {
            if t.code == code {
                Some((t, None))
            } else {
                t.local
                    .iter()
                    .find(|l| l.code == code)
                    .map(|l| (t, Some(l.province)))
            }
        })
    }
}

/// The certificate among `certs` whose SHA-256 starts with `kid`, checked.
fn cert_with_kid(certs: &[CertEntry], kid: &[u8]) -> Option<Vec<u8>> {
    let want = hex::encode(kid);
    certs
        .iter()
        .filter(|c| c.sha256.starts_with(&want))
        .find_map(CertEntry::to_der)
}
