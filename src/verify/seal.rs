//! Seals, detached stamps and stamped OFD documents under the trust list: the seal
//! module's checks, then for every seal met `seal_authority.listed` and
//! `policy.province` (the maker's province).

use super::{check_province, province_info, Context, Found, Input, PartyInfo};
use crate::pki::{CertInfo, Province, TrustAnchors};
use crate::report::{Reason, ReportBuilder, SubIndication};
use crate::seal::ofd::{self, model, Limits, OfdPackage};
use crate::seal::{Seal, SealTrust, Stamp};
use crate::trust_list::{fingerprint, PartyEntry};

fn trust<'a>(ctx: &Context<'a>, anchors: &'a TrustAnchors) -> SealTrust<'a> {
    SealTrust {
        anchors,
        intermediates: ctx.intermediates,
        crls: ctx.crls,
        revoked_seals: ctx.revoked_seals,
    }
}

pub(super) fn verify_seal(
    b: &mut ReportBuilder,
    found: &mut Found,
    bytes: &[u8],
    ctx: &Context<'_>,
) {
    let anchors = ctx.trust.list.anchors();
    b.extend(crate::seal::verify_seal(
        bytes,
        &trust(ctx, &anchors),
        ctx.at,
    ));
    if let Ok(seal) = Seal::from_der(bytes) {
        authority(b, found, ctx, &seal.maker_cert, None);
    }
}

pub(super) fn verify_stamp(
    b: &mut ReportBuilder,
    found: &mut Found,
    input: &Input<'_>,
    ctx: &Context<'_>,
) {
    let Some(document) = input.document else {
        b.fail(
            "stamp.document",
            None,
            SubIndication::SignedDataNotFound,
            Reason::new(
                "分离签章需要给出被签署的原文",
                "a detached stamp needs the document it signs",
            ),
        );
        return;
    };
    let anchors = ctx.trust.list.anchors();
    b.extend(crate::seal::verify_stamp(
        input.bytes,
        document,
        &trust(ctx, &anchors),
        ctx.at,
    ));
    if let Ok(stamp) = Stamp::from_der(input.bytes) {
        authority(b, found, ctx, &stamp.seal.maker_cert, None);
    }
}

pub(super) fn verify_ofd(
    b: &mut ReportBuilder,
    found: &mut Found,
    bytes: &[u8],
    ctx: &Context<'_>,
) {
    let refused = |b: &mut ReportBuilder, e: ofd::OfdError| {
        b.fail(
            "ofd.container",
            None,
            SubIndication::FormatFailure,
            Reason::new(format!("OFD 文档无法安全读取：{e}"), e.to_string()),
        );
    };
    let pkg = match OfdPackage::read(bytes, Limits::default()) {
        Ok(p) => p,
        Err(e) => return refused(b, e),
    };
    let mut opts = ofd::VerifyOptions::new(ctx.at);
    opts.trust_anchors = ctx.trust.list.anchors();
    opts.intermediates = ctx.intermediates.to_vec();
    opts.crls = ctx.crls.to_vec();
    opts.revoked_seals = ctx.revoked_seals.cloned();
    match ofd::verify_package(&pkg, &opts) {
        Ok(r) => b.extend(r),
        Err(e) => return refused(b, e),
    };
    for (label, _, maker) in seal_makers(&pkg) {
        authority(b, found, ctx, &maker, Some(label));
    }
}

/// The esID and seal maker certificate of every seal stamp of the OFD document `bytes`
/// (nothing when it cannot be read).
pub(super) fn ofd_seal_makers(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    match OfdPackage::read(bytes, Limits::default()) {
        Ok(pkg) => seal_makers(&pkg)
            .into_iter()
            .map(|(_, es_id, maker)| (es_id, maker))
            .collect(),
        Err(_) => Vec::new(),
    }
}

/// The seal maker certificate of every seal stamp (`Type="Seal"`) in the package, with
/// the signature's folder name (`Sign_0`) and the seal's esID. What cannot be read is
/// skipped: the OFD verifier has reported it.
fn seal_makers(pkg: &OfdPackage) -> Vec<(String, String, Vec<u8>)> {
    let mut out = Vec::new();
    let Ok(bodies) = model::doc_bodies(pkg) else {
        return out;
    };
    for body in &bodies {
        let Some(list) = &body.signatures else {
            continue;
        };
        let Ok((entries, _)) = model::signature_list(pkg, list) else {
            continue;
        };
        for e in entries
            .iter()
            .filter(|e| e.kind == model::SignatureKind::Seal)
        {
            let Ok(sig) = model::signature_file(pkg, &e.base_loc) else {
                continue;
            };
            let Some(stamp) = pkg
                .file(&sig.signed_value)
                .ok()
                .and_then(|v| Stamp::from_der(v).ok())
            else {
                continue;
            };
            let label = e
                .base_loc
                .rsplit('/')
                .nth(1)
                .filter(|s| !s.is_empty())
                .unwrap_or(e.id.as_str())
                .to_string();
            let es_id = stamp.seal.es_id().to_string();
            out.push((label, es_id, stamp.seal.maker_cert));
        }
    }
    out
}

/// `seal_authority.listed` and `policy.province` for a seal's maker.
fn authority(
    b: &mut ReportBuilder,
    found: &mut Found,
    ctx: &Context<'_>,
    maker: &[u8],
    label: Option<String>,
) {
    let fp = fingerprint(maker);
    let listed: Option<(Province, &PartyEntry)> = ctx.trust.list.provinces.iter().find_map(|p| {
        p.seal_authorities
            .iter()
            .find(|a| a.cert_sha256.contains(&fp))
            .map(|a| (p.code, a))
    });
    let subject = Some(match &label {
        Some(l) => format!("{l} sha256:{}", &fp[..16]),
        None => format!("sha256:{}", &fp[..16]),
    });
    let (province, party) = match listed {
        Some((p, a)) => {
            b.pass(
                "seal_authority.listed",
                subject.clone(),
                Reason::new(
                    format!(
                        "制章人是信任列表中{}的印章制作单位：{}",
                        p.name_zh(),
                        a.name_zh
                    ),
                    format!(
                        "the seal maker is a listed seal authority of {}: {}",
                        p.name_en(),
                        a.name_en
                    ),
                ),
            );
            (
                Some(p),
                PartyInfo {
                    uscc: a.uscc.clone(),
                    name_zh: a.name_zh.clone(),
                    name_en: a.name_en.clone(),
                    listed: true,
                },
            )
        }
        None => {
            b.indeterminate(
                "seal_authority.listed",
                subject.clone(),
                SubIndication::NoCertificateChainFound,
                Reason::new(
                    "制章人证书不属于信任列表中的任何印章制作单位",
                    "the seal maker's certificate belongs to no seal authority in the trust list",
                ),
            );
            let info = CertInfo::from_der(maker).ok();
            (
                info.as_ref().and_then(|i| i.province),
                PartyInfo {
                    uscc: info.as_ref().and_then(|i| i.uscc.clone()),
                    name_zh: info
                        .as_ref()
                        .and_then(|i| i.organisation.clone())
                        .unwrap_or_default(),
                    name_en: info
                        .as_ref()
                        .and_then(|i| i.common_name.clone())
                        .unwrap_or_default(),
                    listed: false,
                },
            )
        }
    };
    if found.agency.is_none() {
        found.agency = Some(party);
        found.province = province.map(|p| province_info(ctx.trust, p));
    }
    check_province(b, ctx, label, province);
}
