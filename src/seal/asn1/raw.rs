//! The DER shapes of GM/T 0031-2014 (v1), GB/T 38540-2020 (v4) and GM/T 0031-2025 (v5),
//! as `der` derive structures borrowing from the input.
//!
//! Fields whose type varies between versions or between real files (times, strings,
//! certList, optional tails) are kept as [`AnyRef`] and read by `parse.rs`; signed parts
//! are kept as [`AnyRef`] too, so their exact original bytes can be re-emitted.

use der::asn1::{AnyRef, BitStringRef, GeneralizedTime, Ia5StringRef, ObjectIdentifier};
use der::asn1::{OctetStringRef, Utf8StringRef};
use der::Sequence;

/// SES_Header ::= SEQUENCE { ID IA5String, version INTEGER, Vid IA5String }
#[derive(Sequence, Debug, Clone, Copy)]
pub(crate) struct HeaderRaw<'a> {
    pub id: AnyRef<'a>,
    pub version: i64,
    pub vid: AnyRef<'a>,
}

/// SES_SealInfo ::= SEQUENCE { header, esID, property, picture, extDatas OPTIONAL }
#[derive(Sequence, Debug, Clone, Copy)]
pub(crate) struct SealInfoRaw<'a> {
    pub header: HeaderRaw<'a>,
    pub es_id: AnyRef<'a>,
    pub property: AnyRef<'a>,
    pub picture: PictureRaw<'a>,
    #[asn1(optional = "true")]
    pub ext_datas: Option<AnyRef<'a>>,
}

/// SES_ESPictrueInfo ::= SEQUENCE { type IA5String, data OCTET STRING, width INTEGER, height INTEGER }
#[derive(Sequence, Debug, Clone, Copy)]
pub(crate) struct PictureRaw<'a> {
    pub kind: AnyRef<'a>,
    pub data: OctetStringRef<'a>,
    pub width: i64,
    pub height: i64,
}

/// ExtData ::= SEQUENCE { extnID OID, critical BOOLEAN DEFAULT FALSE, extnValue OCTET STRING }
#[derive(Sequence, Debug, Clone, Copy)]
pub(crate) struct ExtDataRaw<'a> {
    pub id: ObjectIdentifier,
    #[asn1(default = "Default::default")]
    pub critical: bool,
    pub value: OctetStringRef<'a>,
}

/// CertDigestObj ::= SEQUENCE { type PrintableString, value OCTET STRING }
#[derive(Sequence, Debug, Clone, Copy)]
pub(crate) struct CertDigestRaw<'a> {
    pub kind: AnyRef<'a>,
    pub value: OctetStringRef<'a>,
}

/// v1 SESeal ::= SEQUENCE { esealInfo SES_SealInfo, signInfo SES_SignInfo }
#[derive(Sequence, Debug, Clone, Copy)]
pub(crate) struct SealV1Raw<'a> {
    pub seal_info: AnyRef<'a>,
    pub sign_info: SignInfoV1Raw<'a>,
}

/// v1 SES_SignInfo ::= SEQUENCE { cert OCTET STRING, signatureAlgorithm OID, signData BIT STRING }
#[derive(Sequence, Debug, Clone, Copy)]
pub(crate) struct SignInfoV1Raw<'a> {
    pub cert: OctetStringRef<'a>,
    pub algorithm: ObjectIdentifier,
    pub signature: BitStringRef<'a>,
}

/// What a v1 seal maker signs: SEQUENCE { esealInfo, cert, signatureAlgorithm }.
#[derive(Sequence, Debug, Clone, Copy)]
pub(crate) struct SealV1Tbs<'a> {
    pub seal_info: AnyRef<'a>,
    pub cert: OctetStringRef<'a>,
    pub algorithm: ObjectIdentifier,
}

/// v4/v5 SESeal ::= SEQUENCE { eSealInfo, cert OCTET STRING, signAlgID OID,
/// signedValue BIT STRING, timeStamp [0] EXPLICIT BIT STRING OPTIONAL (v5) }
#[derive(Sequence, Debug, Clone, Copy)]
pub(crate) struct SealV4Raw<'a> {
    pub seal_info: AnyRef<'a>,
    pub cert: OctetStringRef<'a>,
    pub algorithm: ObjectIdentifier,
    pub signature: BitStringRef<'a>,
    #[asn1(optional = "true")]
    pub time_stamp: Option<AnyRef<'a>>,
}

/// v1 SES_Signature ::= SEQUENCE { toSign TBS_Sign, signature BIT STRING }
#[derive(Sequence, Debug, Clone, Copy)]
pub(crate) struct SignatureV1Raw<'a> {
    pub tbs: AnyRef<'a>,
    pub signature: BitStringRef<'a>,
}

/// v1 TBS_Sign ::= SEQUENCE { version, eseal, timeInfo BIT STRING, dataHash BIT STRING,
/// propertyInfo IA5String, cert OCTET STRING, signatureAlgorithm OID }
#[derive(Sequence, Debug, Clone, Copy)]
pub(crate) struct TbsV1Raw<'a> {
    pub version: i64,
    pub eseal: AnyRef<'a>,
    pub time_info: AnyRef<'a>,
    pub data_hash: AnyRef<'a>,
    pub property_info: AnyRef<'a>,
    pub cert: OctetStringRef<'a>,
    pub algorithm: ObjectIdentifier,
}

/// v4/v5 SES_Signature ::= SEQUENCE { toSign TBS_Sign, cert OCTET STRING,
/// signatureAlgorithm OID, signature BIT STRING, timeStamp [0] EXPLICIT BIT STRING OPTIONAL }
#[derive(Sequence, Debug, Clone, Copy)]
pub(crate) struct SignatureV4Raw<'a> {
    pub tbs: AnyRef<'a>,
    pub cert: OctetStringRef<'a>,
    pub algorithm: ObjectIdentifier,
    pub signature: BitStringRef<'a>,
    #[asn1(optional = "true")]
    pub time_stamp: Option<AnyRef<'a>>,
}

/// v4/v5 TBS_Sign ::= SEQUENCE { version INTEGER, eseal SESeal, timeInfo GeneralizedTime,
/// dataHash BIT STRING, propertyInfo IA5String, extDatas [0] EXPLICIT ExtensionDatas OPTIONAL }
#[derive(Sequence, Debug, Clone, Copy)]
pub(crate) struct TbsV4Raw<'a> {
    pub version: i64,
    pub eseal: AnyRef<'a>,
    pub time_info: AnyRef<'a>,
    pub data_hash: AnyRef<'a>,
    pub property_info: AnyRef<'a>,
    #[asn1(optional = "true")]
    pub ext_datas: Option<AnyRef<'a>>,
}

// ---- shapes written (v4) ----

/// SES_Header as written.
#[derive(Sequence, Debug, Clone, Copy)]
pub(crate) struct HeaderOut<'a> {
    pub id: Ia5StringRef<'a>,
    pub version: i64,
    pub vid: Ia5StringRef<'a>,
}

/// SES_ESPropertyInfo (v4) as written; `cert_list` is the pre-encoded SES_CertList.
#[derive(Sequence, Debug, Clone, Copy)]
pub(crate) struct PropertyOut<'a> {
    pub seal_type: i64,
    pub name: Utf8StringRef<'a>,
    pub cert_list_type: i64,
    pub cert_list: AnyRef<'a>,
    pub create_date: GeneralizedTime,
    pub valid_start: GeneralizedTime,
    pub valid_end: GeneralizedTime,
}

/// SES_ESPictrueInfo as written.
#[derive(Sequence, Debug, Clone, Copy)]
pub(crate) struct PictureOut<'a> {
    pub kind: Ia5StringRef<'a>,
    pub data: OctetStringRef<'a>,
    pub width: i64,
    pub height: i64,
}

/// CertDigestObj as written.
#[derive(Sequence, Debug, Clone, Copy)]
pub(crate) struct CertDigestOut<'a> {
    pub kind: der::asn1::PrintableStringRef<'a>,
    pub value: OctetStringRef<'a>,
}

/// ExtData as written.
#[derive(Sequence, Debug, Clone, Copy)]
pub(crate) struct ExtDataOut<'a> {
    pub id: ObjectIdentifier,
    #[asn1(default = "Default::default")]
    pub critical: bool,
    pub value: OctetStringRef<'a>,
}

/// SES_SealInfo (v4) as written.
#[derive(Sequence, Debug, Clone)]
pub(crate) struct SealInfoOut<'a> {
    pub header: HeaderOut<'a>,
    pub es_id: Ia5StringRef<'a>,
    pub property: PropertyOut<'a>,
    pub picture: PictureOut<'a>,
    #[asn1(optional = "true")]
    pub ext_datas: Option<Vec<ExtDataOut<'a>>>,
}

/// TBS_Sign (v4) as written.
#[derive(Sequence, Debug, Clone)]
pub(crate) struct TbsOut<'a> {
    pub version: i64,
    pub eseal: AnyRef<'a>,
    pub time_info: GeneralizedTime,
    pub data_hash: BitStringRef<'a>,
    pub property_info: Ia5StringRef<'a>,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    pub ext_datas: Option<Vec<ExtDataOut<'a>>>,
}

/// SESeal / SES_Signature (v4) outer shape as written: signed part, cert, algorithm, value.
#[derive(Sequence, Debug, Clone, Copy)]
pub(crate) struct SignedOut<'a> {
    pub signed: AnyRef<'a>,
    pub cert: OctetStringRef<'a>,
    pub algorithm: ObjectIdentifier,
    pub signature: BitStringRef<'a>,
}
