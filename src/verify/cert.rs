//! A certificate under the trust list: path validation to a province root for the
//! purpose asked for, or the one its role implies, then the listing of its role (`issuer.listed` for an
//! issuing agency, `seal_authority.listed` for a seal authority) and `policy.province`.

use super::{check_province, province_info, Context, Found, PartyInfo};
use crate::pki::validate::{Policy, Purpose};
use crate::pki::{CertInfo, Province, Role};
use crate::report::{Reason, ReportBuilder, SubIndication};
use crate::trust_list::fingerprint;

/// The DER of a PEM `CERTIFICATE` block, or the bytes themselves.
fn der_of(bytes: &[u8]) -> Result<Vec<u8>, String> {
    let text = bytes.trim_ascii();
    if !text.starts_with(b"-----BEGIN") {
        return Ok(bytes.to_vec());
    }
    let end = b"-----END CERTIFICATE-----";
    let stop = text
        .windows(end.len())
        .position(|w| w == end)
        .ok_or("unterminated PEM block")?
        + end.len();
    match der::pem::decode_vec(&text[..stop]) {
        Ok(("CERTIFICATE", der)) => Ok(der),
        Ok((label, _)) => Err(format!("a PEM {label} block, not a CERTIFICATE")),
        Err(e) => Err(format!("bad PEM: {e}")),
    }
}

pub(super) fn verify(
    b: &mut ReportBuilder,
    found: &mut Found,
    bytes: &[u8],
    purpose: Option<Purpose>,
    ctx: &Context<'_>,
) {
    let der = match der_of(bytes) {
        Ok(d) => d,
        Err(why) => {
            b.fail(
                "cert.format",
                None,
                SubIndication::FormatFailure,
                Reason::new(format!("证书无法读取：{why}"), why),
            );
            return;
        }
    };
    let info = CertInfo::from_der(&der).ok();
    let role = info.as_ref().and_then(|i| i.role);
    let purpose = purpose.unwrap_or(match role {
        Some(Role::IssuingAgency) => Purpose::LicenseSigning,
        Some(Role::SealAuthority) => Purpose::SealMaking,
        Some(Role::OrganisationSigner) => Purpose::DocumentStamping,
        Some(Role::ShowService) => Purpose::ShowTokenSigning,
        _ => Purpose::Any,
    });
    let anchors = ctx.anchors();
    let policy = Policy {
        at: ctx.at,
        purpose,
        license_type: None,
        crls: ctx.crls,
        require_revocation_info: false,
    };
    let v = ctx.validate_path(&der, &anchors, &policy);
    b.extend(v.report);
    let Some(info) = info else {
        return;
    };
    let fp = fingerprint(&der);
    let subject = Some(format!("sha256:{}", &fp[..16]));
    let list = &ctx.trust.list;
    let listed: Option<(Province, PartyInfo)> = match role {
        Some(Role::IssuingAgency) => list.agencies_with_cert(&fp).first().map(|(p, a)| {
            (
                *p,
                PartyInfo {
                    uscc: Some(a.uscc.clone()),
                    name_zh: a.name_zh.clone(),
                    name_en: a.name_en.clone(),
                    listed: true,
                },
            )
        }),
        Some(Role::SealAuthority) => list.provinces.iter().find_map(|p| {
            p.seal_authorities
                .iter()
                .find(|a| a.cert_sha256.contains(&fp))
                .map(|a| {
                    (
                        p.code,
                        PartyInfo {
                            uscc: a.uscc.clone(),
                            name_zh: a.name_zh.clone(),
                            name_en: a.name_en.clone(),
                            listed: true,
                        },
                    )
                })
        }),
        _ => None,
    };
    let code = match role {
        Some(Role::IssuingAgency) => Some("issuer.listed"),
        Some(Role::SealAuthority) => Some("seal_authority.listed"),
        _ => None,
    };
    if let Some(code) = code {
        match &listed {
            Some((p, party)) => {
                b.pass(
                    code,
                    subject,
                    Reason::new(
                        format!("证书属于信任列表中{}的 {}", p.name_zh(), party.name_zh),
                        format!(
                            "the certificate belongs to {} of {} in the trust list",
                            party.name_en,
                            p.name_en()
                        ),
                    ),
                );
            }
            None => {
                b.indeterminate(
                    code,
                    subject,
                    SubIndication::NoCertificateChainFound,
                    Reason::new(
                        "证书不在信任列表中",
                        "the certificate is not in the trust list",
                    ),
                );
            }
        }
    }
    let province = listed.as_ref().map(|(p, _)| *p).or(info.province);
    found.province = province.map(|p| province_info(ctx.trust, p));
    found.agency = Some(match listed {
        Some((_, party)) => party,
        None => PartyInfo {
            uscc: info.uscc.clone(),
            name_zh: info.organisation.clone().unwrap_or_default(),
            name_en: info.common_name.clone().unwrap_or_default(),
            listed: false,
        },
    });
    check_province(b, ctx, None, province);
}
