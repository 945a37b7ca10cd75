//! Reading seals and stamps of any version from DER.
//!
//! Bounded: the input size, the number of elements of every list and the depth of the
//! structures are limited; every failure is a typed [`SealError`].

use super::model::*;
use super::raw::*;
use super::time::{parse_time, parse_v1_time_info};
use crate::seal::SealError;
use der::asn1::{AnyRef, BitStringRef, OctetStringRef};
use der::{Decode, Encode, Reader, SliceReader, Tag, TagNumber, Tagged};

/// Largest seal or stamp accepted (pictures included).
pub const MAX_DER_LEN: usize = 16 * 1024 * 1024;
/// Most certificates a certList may carry.
const MAX_CERTS: usize = 256;
/// Most ExtData entries read.
const MAX_EXTS: usize = 64;

fn check_size(bytes: &[u8]) -> Result<(), SealError> {
    if bytes.len() > MAX_DER_LEN {
        return Err(SealError::TooLarge {
            size: bytes.len(),
            limit: MAX_DER_LEN,
        });
    }
    Ok(())
}

/// The elements of a SEQUENCE, each undecoded, at most `max` of them.
fn elements<'a>(
    any: AnyRef<'a>,
    max: usize,
    what: &'static str,
) -> Result<Vec<AnyRef<'a>>, SealError> {
    if any.tag() != Tag::Sequence {
        return Err(SealError::malformed(what, "not a SEQUENCE"));
    }
    let mut reader = SliceReader::new(any.value()).map_err(SealError::der(what))?;
    let mut out = Vec::new();
    while !reader.is_finished() {
        if out.len() == max {
            return Err(SealError::malformed(what, "too many elements"));
        }
        out.push(AnyRef::decode(&mut reader).map_err(SealError::der(what))?);
    }
    Ok(out)
}

/// A character string of any of the string types real files use.
fn text(any: AnyRef<'_>, what: &'static str) -> Result<String, SealError> {
    match any.tag() {
        Tag::Utf8String
        | Tag::Ia5String
        | Tag::PrintableString
        | Tag::VisibleString
        | Tag::TeletexString => Ok(String::from_utf8_lossy(any.value()).into_owned()),
        Tag::BmpString => {
            let v = any.value();
            if v.len() % 2 != 0 {
                return Err(SealError::malformed(what, "odd-length BMPString"));
            }
            let units: Vec<u16> = v
                .chunks_exact(2)
                .map(|c| u16::from_be_bytes([c[0], c[1]]))
                .collect();
            Ok(String::from_utf16_lossy(&units))
        }
        _ => Err(SealError::malformed(what, "not a character string")),
    }
}

/// The bytes of a BIT STRING holding whole octets (signatures, digests): unused bits
/// other than zero are rejected.
fn octets(bits: BitStringRef<'_>, what: &'static str) -> Result<Vec<u8>, SealError> {
    bits.as_bytes()
        .map(<[u8]>::to_vec)
        .ok_or(SealError::malformed(what, "BIT STRING with unused bits"))
}

/// A BIT STRING's bytes, or an OCTET STRING's (some writers use one for the other).
fn bits_or_octets(any: AnyRef<'_>, what: &'static str) -> Result<Vec<u8>, SealError> {
    match any.tag() {
        Tag::BitString => octets(
            any.decode_as::<BitStringRef<'_>>()
                .map_err(SealError::der(what))?,
            what,
        ),
        Tag::OctetString => Ok(any.value().to_vec()),
        _ => Err(SealError::malformed(what, "not a BIT STRING")),
    }
}

fn is_context0(any: &AnyRef<'_>) -> bool {
    matches!(any.tag(), Tag::ContextSpecific { number, .. } if number == TagNumber::N0)
}

/// ExtensionDatas, bare or inside an explicit `[0]`.
fn ext_datas(any: Option<AnyRef<'_>>) -> Result<Vec<ExtData>, SealError> {
    let Some(mut any) = any else {
        return Ok(Vec::new());
    };
    if is_context0(&any) {
        any = AnyRef::from_der(any.value()).map_err(SealError::der("extDatas"))?;
    }
    elements(any, MAX_EXTS, "extDatas")?
        .into_iter()
        .map(|e| {
            let raw: ExtDataRaw<'_> = e.decode_as().map_err(SealError::der("ExtData"))?;
            Ok(ExtData {
                id: raw.id,
                critical: raw.critical,
                value: raw.value.as_bytes().to_vec(),
            })
        })
        .collect()
}

/// An optional `[0] EXPLICIT BIT STRING` time stamp.
fn time_stamp(any: Option<AnyRef<'_>>) -> Result<Option<Vec<u8>>, SealError> {
    match any {
        None => Ok(None),
        Some(a) if is_context0(&a) => {
            let inner = AnyRef::from_der(a.value()).map_err(SealError::der("timeStamp"))?;
            bits_or_octets(inner, "timeStamp").map(Some)
        }
        Some(_) => Err(SealError::malformed(
            "SESeal",
            "unexpected trailing element",
        )),
    }
}

fn cert_list(list_type: Option<i64>, any: AnyRef<'_>) -> Result<CertList, SealError> {
    let items = elements(any, MAX_CERTS, "certList")?;
    match list_type {
        None | Some(1) => items
            .into_iter()
            .map(|c| {
                let o: OctetStringRef<'_> = c.decode_as().map_err(SealError::der("certList"))?;
                Ok(o.as_bytes().to_vec())
            })
            .collect::<Result<_, _>>()
            .map(CertList::Certificates),
        Some(2) => items
            .into_iter()
            .map(|c| {
                let d: CertDigestRaw<'_> =
                    c.decode_as().map_err(SealError::der("CertDigestObj"))?;
                Ok(CertDigest {
                    algorithm: text(d.kind, "CertDigestObj.type")?,
                    value: d.value.as_bytes().to_vec(),
                })
            })
            .collect::<Result<_, _>>()
            .map(CertList::Digests),
        Some(_) => Err(SealError::malformed(
            "SES_ESPropertyInfo",
            "certListType is neither 1 nor 2",
        )),
    }
}

fn property(any: AnyRef<'_>) -> Result<PropertyInfo, SealError> {
    const W: &str = "SES_ESPropertyInfo";
    let e = elements(any, 16, W)?;
    let int = |a: AnyRef<'_>| a.decode_as::<i64>().map_err(SealError::der(W));
    let (list_type, list, times) = match e.len() {
        // v1: type, name, certList, createDate, validStart, validEnd
        6 => (None, e[2], &e[3..6]),
        // v4/v5: type, name, certListType, certList, createDate, validStart, validEnd
        7 => (Some(int(e[2])?), e[3], &e[4..7]),
        _ => return Err(SealError::malformed(W, "wrong number of fields")),
    };
    Ok(PropertyInfo {
        seal_type: int(e[0])?,
        name: text(e[1], "SES_ESPropertyInfo.name")?,
        cert_list: cert_list(list_type, list)?,
        create_date: parse_time(times[0], "createDate")?,
        valid_start: parse_time(times[1], "validStart")?,
        valid_end: parse_time(times[2], "validEnd")?,
    })
}

fn seal_info(any: AnyRef<'_>) -> Result<SealInfo, SealError> {
    let raw: SealInfoRaw<'_> = any.decode_as().map_err(SealError::der("SES_SealInfo"))?;
    Ok(SealInfo {
        header: Header {
            id: text(raw.header.id, "SES_Header.ID")?,
            version: raw.header.version,
            vid: text(raw.header.vid, "SES_Header.Vid")?,
        },
        es_id: text(raw.es_id, "esID")?,
        property: property(raw.property)?,
        picture: Picture {
            kind: text(raw.picture.kind, "SES_ESPictrueInfo.type")?,
            data: raw.picture.data.as_bytes().to_vec(),
            width_mm: raw.picture.width,
            height_mm: raw.picture.height,
        },
        ext_datas: ext_datas(raw.ext_datas)?,
    })
}

fn any_der(any: AnyRef<'_>, what: &'static str) -> Result<Vec<u8>, SealError> {
    any.to_der().map_err(SealError::der(what))
}

impl Seal {
    /// Read a seal of any version; the version is detected from the structure
    /// (SES_SignInfo SEQUENCE → v1; flat → v4, or v5 when the header says 5 or more).
    pub fn from_der(bytes: &[u8]) -> Result<Self, SealError> {
        check_size(bytes)?;
        let outer = AnyRef::from_der(bytes).map_err(SealError::der("SESeal"))?;
        let e = elements(outer, 8, "SESeal")?;
        if e.len() == 2 && e[1].tag() == Tag::Sequence {
            let raw = SealV1Raw::from_der(bytes).map_err(SealError::der("SESeal"))?;
            let tbs = SealV1Tbs {
                seal_info: raw.seal_info,
                cert: raw.sign_info.cert,
                algorithm: raw.sign_info.algorithm,
            };
            Ok(Seal {
                version: SealVersion::V1,
                info: seal_info(raw.seal_info)?,
                maker_cert: raw.sign_info.cert.as_bytes().to_vec(),
                signature_algorithm: raw.sign_info.algorithm,
                signature: octets(raw.sign_info.signature, "signData")?,
                time_stamp: None,
                signed_bytes: tbs.to_der().map_err(SealError::der("SESeal"))?,
                der: bytes.to_vec(),
            })
        } else {
            let raw = SealV4Raw::from_der(bytes).map_err(SealError::der("SESeal"))?;
            let info = seal_info(raw.seal_info)?;
            let version = if info.header.version >= 5 {
                SealVersion::V5
            } else {
                SealVersion::V4
            };
            Ok(Seal {
                version,
                info,
                maker_cert: raw.cert.as_bytes().to_vec(),
                signature_algorithm: raw.algorithm,
                signature: octets(raw.signature, "signature")?,
                time_stamp: time_stamp(raw.time_stamp)?,
                signed_bytes: any_der(raw.seal_info, "SES_SealInfo")?,
                der: bytes.to_vec(),
            })
        }
    }
}

impl Stamp {
    /// Read a stamp (SES_Signature) of any version.
    pub fn from_der(bytes: &[u8]) -> Result<Self, SealError> {
        check_size(bytes)?;
        let outer = AnyRef::from_der(bytes).map_err(SealError::der("SES_Signature"))?;
        let e = elements(outer, 8, "SES_Signature")?;
        if e.len() == 2 {
            let raw = SignatureV1Raw::from_der(bytes).map_err(SealError::der("SES_Signature"))?;
            let tbs: TbsV1Raw<'_> = raw.tbs.decode_as().map_err(SealError::der("TBS_Sign"))?;
            let time_bits = bits_or_octets(tbs.time_info, "timeInfo")?;
            Ok(Stamp {
                version: SealVersion::V1,
                tbs_version: tbs.version,
                seal: Seal::from_der(&any_der(tbs.eseal, "eseal")?)?,
                time_info: parse_v1_time_info(&time_bits),
                data_hash: bits_or_octets(tbs.data_hash, "dataHash")?,
                property_info: text(tbs.property_info, "propertyInfo")?,
                ext_datas: Vec::new(),
                signer_cert: tbs.cert.as_bytes().to_vec(),
                signature_algorithm: tbs.algorithm,
                signature: octets(raw.signature, "signature")?,
                time_stamp: None,
                signed_bytes: any_der(raw.tbs, "TBS_Sign")?,
                der: bytes.to_vec(),
            })
        } else {
            let raw = SignatureV4Raw::from_der(bytes).map_err(SealError::der("SES_Signature"))?;
            let tbs: TbsV4Raw<'_> = raw.tbs.decode_as().map_err(SealError::der("TBS_Sign"))?;
            let time_info = match tbs.time_info.tag() {
                Tag::BitString | Tag::OctetString => {
                    parse_v1_time_info(&bits_or_octets(tbs.time_info, "timeInfo")?)
                }
                _ => Some(parse_time(tbs.time_info, "timeInfo")?),
            };
            let version = if tbs.version >= 5 {
                SealVersion::V5
            } else {
                SealVersion::V4
            };
            Ok(Stamp {
                version,
                tbs_version: tbs.version,
                seal: Seal::from_der(&any_der(tbs.eseal, "eseal")?)?,
                time_info,
                data_hash: bits_or_octets(tbs.data_hash, "dataHash")?,
                property_info: text(tbs.property_info, "propertyInfo")?,
                ext_datas: ext_datas(tbs.ext_datas)?,
                signer_cert: raw.cert.as_bytes().to_vec(),
                signature_algorithm: raw.algorithm,
                signature: octets(raw.signature, "signature")?,
                time_stamp: time_stamp(raw.time_stamp)?,
                signed_bytes: any_der(raw.tbs, "TBS_Sign")?,
                der: bytes.to_vec(),
            })
        }
    }
}
