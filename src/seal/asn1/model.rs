//! The seal and stamp as the rest of the project sees them: owned, version-independent
//! values, each keeping the exact DER bytes that were signed.

use const_oid::ObjectIdentifier;
use serde::Serialize;
use time::OffsetDateTime;

/// Which standard a seal or stamp follows, detected from its structure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum SealVersion {
    /// GM/T 0031-2014 (SES_SignInfo inside the seal; UTCTime; signature inside TBS).
    V1,
    /// GB/T 38540-2020 (flat SESeal; certListType; GeneralizedTime). Written by default.
    V4,
    /// GM/T 0031-2025 (header version 5; optional time stamps and `[0]` extensions).
    V5,
}

impl SealVersion {
    /// The number written in SES_Header.version / TBS_Sign.version.
    pub fn number(self) -> i64 {
        match self {
            SealVersion::V1 => 1,
            SealVersion::V4 => 4,
            SealVersion::V5 => 5,
        }
    }
}

impl std::fmt::Display for SealVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "v{}", self.number())
    }
}

/// SES_Header.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Header {
    /// Always `ES` in a conforming seal.
    pub id: String,
    /// Version number as written.
    pub version: i64,
    /// The seal software vendor's identifier.
    pub vid: String,
}

/// A digest of a certificate in a certList of type 2.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CertDigest {
    /// The digest algorithm as written (e.g. `SM3`, `SHA256`, or an OID in dotted form).
    pub algorithm: String,
    /// The digest of the certificate's DER.
    #[serde(with = "hex_bytes")]
    pub value: Vec<u8>,
}

/// The certificates allowed to stamp with a seal (SES_CertList).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CertList {
    /// certListType 1 (and v1): the DER certificates themselves.
    Certificates(#[serde(with = "hex_list")] Vec<Vec<u8>>),
    /// certListType 2: digests of the certificates.
    Digests(Vec<CertDigest>),
}

impl CertList {
    /// The certListType number (1 certificates, 2 digests).
    pub fn list_type(&self) -> i64 {
        match self {
            CertList::Certificates(_) => 1,
            CertList::Digests(_) => 2,
        }
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        match self {
            CertList::Certificates(v) => v.len(),
            CertList::Digests(v) => v.len(),
        }
    }

    /// Whether the list is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether the DER certificate `cert` is listed: byte-equal for type 1, digest-equal
    /// for type 2 (SM3 or SHA-256, named by text or OID).
    pub fn contains(&self, cert: &[u8]) -> bool {
        match self {
            CertList::Certificates(v) => v.iter().any(|c| c.as_slice() == cert),
            CertList::Digests(v) => v.iter().any(|d| {
                crate::crypto::DigestAlgorithm::from_name_or_oid(&d.algorithm)
                    .map(|alg| alg.digest(cert) == d.value)
                    .unwrap_or(false)
            }),
        }
    }
}

/// SES_ESPropertyInfo.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PropertyInfo {
    /// Seal type: 1 organisation seal (单位印章), 2 personal seal (个人印章); other values
    /// are kept as read.
    pub seal_type: i64,
    /// The seal's name, e.g. `某某公司合同专用章`.
    pub name: String,
    /// Who may stamp with the seal.
    pub cert_list: CertList,
    /// When the seal was made.
    #[serde(with = "time::serde::rfc3339")]
    pub create_date: OffsetDateTime,
    /// Start of validity.
    #[serde(with = "time::serde::rfc3339")]
    pub valid_start: OffsetDateTime,
    /// End of validity.
    #[serde(with = "time::serde::rfc3339")]
    pub valid_end: OffsetDateTime,
}

/// SES_ESPictrueInfo (the standard's spelling): the seal picture and its size.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Picture {
    /// Picture format: `PNG`, `SVG`, `OFD`, `GIF`, `JPG`, `BMP` …
    pub kind: String,
    /// The picture file.
    #[serde(skip)]
    pub data: Vec<u8>,
    /// Display width in millimetres.
    pub width_mm: i64,
    /// Display height in millimetres.
    pub height_mm: i64,
}

/// One ExtData of ExtensionDatas.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExtData {
    /// Extension identifier.
    #[serde(serialize_with = "oid_str")]
    pub id: ObjectIdentifier,
    /// Whether a reader that does not know it must reject the object.
    pub critical: bool,
    /// The extension value.
    #[serde(with = "hex_bytes")]
    pub value: Vec<u8>,
}

/// SES_SealInfo: everything the seal maker signs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SealInfo {
    /// The header.
    pub header: Header,
    /// The seal's unique identifier (esID).
    pub es_id: String,
    /// Type, name, certList and validity.
    pub property: PropertyInfo,
    /// The picture.
    pub picture: Picture,
    /// Extension data.
    pub ext_datas: Vec<ExtData>,
}

/// An electronic seal (SESeal), any version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Seal {
    /// The version detected from the structure.
    pub version: SealVersion,
    /// What the seal maker signed.
    pub info: SealInfo,
    /// The seal maker's (seal authority's) DER certificate.
    #[serde(skip)]
    pub maker_cert: Vec<u8>,
    /// The seal maker's signature algorithm.
    #[serde(serialize_with = "oid_str")]
    pub signature_algorithm: ObjectIdentifier,
    /// The seal maker's signature value (DER `SEQUENCE{r,s}` or raw `r||s`).
    #[serde(with = "hex_bytes")]
    pub signature: Vec<u8>,
    /// A time-stamp token over the signature (v5), when present.
    #[serde(skip)]
    pub time_stamp: Option<Vec<u8>>,
    #[serde(skip)]
    pub(crate) signed_bytes: Vec<u8>,
    #[serde(skip)]
    pub(crate) der: Vec<u8>,
}

impl Seal {
    /// The exact bytes the seal maker signed: DER(SES_SealInfo) for v4/v5, DER of
    /// SEQUENCE{SES_SealInfo, cert, signatureAlgorithm} for v1.
    pub fn signed_bytes(&self) -> &[u8] {
        &self.signed_bytes
    }

    /// The seal's DER encoding, as read or written.
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// The esID.
    pub fn es_id(&self) -> &str {
        &self.info.es_id
    }
}

/// An electronic stamp (SES_Signature): a signer's signature over a document digest,
/// carrying the seal it was made with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Stamp {
    /// The version detected from the structure.
    pub version: SealVersion,
    /// TBS_Sign.version as written.
    pub tbs_version: i64,
    /// The seal used (TBS_Sign.eseal).
    pub seal: Seal,
    /// The signing time (TBS_Sign.timeInfo), when it can be read as a time.
    #[serde(with = "time::serde::rfc3339::option")]
    pub time_info: Option<OffsetDateTime>,
    /// The digest of the signed data (TBS_Sign.dataHash).
    #[serde(with = "hex_bytes")]
    pub data_hash: Vec<u8>,
    /// Property information, e.g. the path of the signed Signature.xml in an OFD.
    pub property_info: String,
    /// TBS_Sign extension data.
    pub ext_datas: Vec<ExtData>,
    /// The signer's DER certificate.
    #[serde(skip)]
    pub signer_cert: Vec<u8>,
    /// The signature algorithm.
    #[serde(serialize_with = "oid_str")]
    pub signature_algorithm: ObjectIdentifier,
    /// The signature value over [`Stamp::signed_bytes`].
    #[serde(with = "hex_bytes")]
    pub signature: Vec<u8>,
    /// A time-stamp token over the signature, when present.
    #[serde(skip)]
    pub time_stamp: Option<Vec<u8>>,
    #[serde(skip)]
    pub(crate) signed_bytes: Vec<u8>,
    #[serde(skip)]
    pub(crate) der: Vec<u8>,
}

impl Stamp {
    /// The exact bytes the signer signed: DER(TBS_Sign).
    pub fn signed_bytes(&self) -> &[u8] {
        &self.signed_bytes
    }

    /// The stamp's DER encoding (the content of a `.dat` / `SignedValue.dat`).
    pub fn der(&self) -> &[u8] {
        &self.der
    }
}

fn oid_str<S: serde::Serializer>(oid: &ObjectIdentifier, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&oid.to_string())
}

mod hex_bytes {
    pub fn serialize<S: serde::Serializer>(b: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&hex::encode(b))
    }
}

mod hex_list {
    use serde::ser::SerializeSeq;
    pub fn serialize<S: serde::Serializer>(v: &[Vec<u8>], s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(v.len()))?;
        for b in v {
            seq.serialize_element(&hex::encode(b))?;
        }
        seq.end()
    }
}
