//! Writing seals and stamps as GB/T 38540-2020 (v4) DER.
//!
//! Signing is split in two so a remote signer or HSM fits: `*_tbs` returns the bytes to
//! sign, `*_complete` wraps them with the signature.

use super::model::*;
use super::raw::*;
use super::time::generalized;
use crate::seal::SealError;
use const_oid::ObjectIdentifier;
use der::asn1::Utf8StringRef;
use der::asn1::{AnyRef, BitStringRef, Ia5StringRef, OctetStringRef, PrintableStringRef};
use der::{Decode, Encode};
use time::OffsetDateTime;

fn ia5<'a>(s: &'a str, what: &'static str) -> Result<Ia5StringRef<'a>, SealError> {
    Ia5StringRef::new(s).map_err(|_| SealError::malformed(what, "must be ASCII (IA5String)"))
}

fn enc<T: Encode>(v: &T, what: &'static str) -> Result<Vec<u8>, SealError> {
    v.to_der().map_err(SealError::der(what))
}

/// DER(SES_SealInfo) as v4: the bytes the seal maker signs.
pub fn seal_info_v4(info: &SealInfo) -> Result<Vec<u8>, SealError> {
    let p = &info.property;
    let list_der = match &p.cert_list {
        CertList::Certificates(certs) => {
            let v = certs
                .iter()
                .map(|c| OctetStringRef::new(c).map_err(SealError::der("certList")))
                .collect::<Result<Vec<_>, _>>()?;
            enc(&v, "certList")?
        }
        CertList::Digests(ds) => {
            let v = ds
                .iter()
                .map(|d| {
                    Ok(CertDigestOut {
                        kind: PrintableStringRef::new(&d.algorithm).map_err(|_| {
                            SealError::malformed("CertDigestObj", "type must be printable")
                        })?,
                        value: OctetStringRef::new(&d.value).map_err(SealError::der("certList"))?,
                    })
                })
                .collect::<Result<Vec<_>, SealError>>()?;
            enc(&v, "certList")?
        }
    };
    let exts = info
        .ext_datas
        .iter()
        .map(|e| {
            Ok(ExtDataOut {
                id: e.id,
                critical: e.critical,
                value: OctetStringRef::new(&e.value).map_err(SealError::der("ExtData"))?,
            })
        })
        .collect::<Result<Vec<_>, SealError>>()?;
    let out = SealInfoOut {
        header: HeaderOut {
            id: ia5(&info.header.id, "SES_Header.ID")?,
            version: info.header.version,
            vid: ia5(&info.header.vid, "SES_Header.Vid")?,
        },
        es_id: ia5(&info.es_id, "esID")?,
        property: PropertyOut {
            seal_type: p.seal_type,
            name: Utf8StringRef::new(&p.name).map_err(SealError::der("name"))?,
            cert_list_type: p.cert_list.list_type(),
            cert_list: AnyRef::from_der(&list_der).map_err(SealError::der("certList"))?,
            create_date: generalized(p.create_date)?,
            valid_start: generalized(p.valid_start)?,
            valid_end: generalized(p.valid_end)?,
        },
        picture: PictureOut {
            kind: ia5(&info.picture.kind, "SES_ESPictrueInfo.type")?,
            data: OctetStringRef::new(&info.picture.data).map_err(SealError::der("picture"))?,
            width: info.picture.width_mm,
            height: info.picture.height_mm,
        },
        ext_datas: if exts.is_empty() { None } else { Some(exts) },
    };
    enc(&out, "SES_SealInfo")
}

/// SEQUENCE { signed, cert OCTET STRING, algorithm OID, signature BIT STRING } — the outer
/// shape of both SESeal and SES_Signature in v4.
fn signed_v4(
    signed: &[u8],
    cert: &[u8],
    algorithm: ObjectIdentifier,
    signature: &[u8],
    what: &'static str,
) -> Result<Vec<u8>, SealError> {
    let out = SignedOut {
        signed: AnyRef::from_der(signed).map_err(SealError::der(what))?,
        cert: OctetStringRef::new(cert).map_err(SealError::der(what))?,
        algorithm,
        signature: BitStringRef::from_bytes(signature).map_err(SealError::der(what))?,
    };
    enc(&out, what)
}

/// Finish a v4 seal: wrap DER(SES_SealInfo) with the maker's certificate and signature,
/// and read the result back.
pub fn seal_complete_v4(
    seal_info_der: &[u8],
    maker_cert: &[u8],
    algorithm: ObjectIdentifier,
    signature: &[u8],
) -> Result<Seal, SealError> {
    let der = signed_v4(seal_info_der, maker_cert, algorithm, signature, "SESeal")?;
    Seal::from_der(&der)
}

/// DER(TBS_Sign) as v4: the bytes the stamping signer signs.
pub fn tbs_sign_v4(
    seal: &Seal,
    time_info: OffsetDateTime,
    data_hash: &[u8],
    property_info: &str,
) -> Result<Vec<u8>, SealError> {
    let out = TbsOut {
        version: SealVersion::V4.number(),
        eseal: AnyRef::from_der(seal.der()).map_err(SealError::der("eseal"))?,
        time_info: generalized(time_info)?,
        data_hash: BitStringRef::from_bytes(data_hash).map_err(SealError::der("dataHash"))?,
        property_info: ia5(property_info, "propertyInfo")?,
        ext_datas: None,
    };
    enc(&out, "TBS_Sign")
}

/// Finish a v4 stamp: wrap DER(TBS_Sign) with the signer's certificate and signature, and
/// read the result back.
pub fn stamp_complete_v4(
    tbs_der: &[u8],
    signer_cert: &[u8],
    algorithm: ObjectIdentifier,
    signature: &[u8],
) -> Result<Stamp, SealError> {
    let der = signed_v4(tbs_der, signer_cert, algorithm, signature, "SES_Signature")?;
    Stamp::from_der(&der)
}
