//! SD-JWT VC licenses and proofs under the trust list: the credential verifier's checks,
//! then `issuer.listed`, `issuer.type_authorised`, `sdjwt.status` (from the status lists
//! held, [`super::status`]), `policy.province`, `policy.type`, `policy.disclosures`.

use super::{check_province, province_info, Context, Found, PartyInfo, TypeInfo};
use crate::license::sdjwt;
use crate::pki::Province;
use crate::report::{Reason, ReportBuilder, SubIndication};
use crate::trust_list::{fingerprint, AgencyEntry, TypeMapping};

pub(super) fn verify(b: &mut ReportBuilder, found: &mut Found, bytes: &[u8], ctx: &Context<'_>) {
    let Ok(text) = std::str::from_utf8(bytes) else {
        b.fail(
            "sdjwt.format",
            None,
            SubIndication::FormatFailure,
            Reason::new("凭证不是 UTF-8 文本", "the credential is not UTF-8 text"),
        );
        return;
    };
    let anchors = ctx.anchors();
    let mut opts = sdjwt::VerifyOptions::new(ctx.at, &anchors);
    opts.crls = ctx.crls;
    opts.clock_skew = ctx.policy.clock_skew();
    opts.status_by_caller = true;
    opts.chains = ctx.chain_scope();
    let poe = ctx.poe.as_ref().filter(|p| p.at <= ctx.at);
    opts.poe = poe.map(|p| p.at);
    let mut v = sdjwt::verify(text, &opts);
    b.extend(v.report);
    if let Some(p) = poe {
        let when =
            p.at.format(&time::format_description::well_known::Rfc3339)
                .unwrap_or_default();
        b.pass(
            "archive.poe",
            None,
            Reason::new(
                format!(
                    "存在性证明：{}存档日志第 {} 条，{when}；证书链按该时间验证",
                    p.province.name_zh(),
                    p.index
                ),
                format!(
                    "proof of existence: entry {} of {}'s archive log, {when}; the certificate chain is validated at that time",
                    p.index,
                    p.province.name_en()
                ),
            ),
        );
    }
    found.claims = v.claims;
    // Without a signing certificate and a type, the format check has already failed.
    let (Some(leaf), Some(vct_code)) = (v.chain.first(), v.type_code.as_deref()) else {
        return;
    };
    let local_code = v.payload.get(sdjwt::LOCAL_TYPE_CODE).map(|c| match c {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    });
    let signed = Signed {
        leaf,
        info: v.signer.take(),
        type_code: vct_code,
        local_code: local_code.as_deref(),
        status: v.status.as_ref(),
    };
    judge_issuer(b, found, &signed, ctx);
}

/// What an issuer signed, as the issuer checks need it.
pub(super) struct Signed<'a> {
    /// The signing certificate (DER).
    pub leaf: &'a [u8],
    /// What it says of its holder.
    pub info: Option<crate::pki::CertInfo>,
    /// The national type code signed.
    pub type_code: &'a str,
    /// The province's local code it was issued under, if any.
    pub local_code: Option<&'a str>,
    /// The status reference signed.
    pub status: Option<&'a crate::license::StatusRef>,
}

/// The checks of who signed a license, for what, and its status, once its signature
/// and chain are checked: `issuer.listed`, `issuer.type_authorised`, `sdjwt.status`,
/// `policy.province`, `policy.type`, `policy.disclosures` (over `found.claims`).
pub(super) fn judge_issuer(
    b: &mut ReportBuilder,
    found: &mut Found,
    s: &Signed<'_>,
    ctx: &Context<'_>,
) {
    let vct_code = s.type_code;
    // Issued under a province's local code: that code beside the national type, which
    // it must map onto through the regional catalogue.
    let code = s.local_code.unwrap_or(vct_code);
    let list = &ctx.trust.list;
    let mapped = list.common_type(code).filter(|(t, _)| t.code == vct_code);
    found.license_type = mapped.map(|(t, local)| TypeInfo {
        code: t.code.clone(),
        name_zh: t.name_zh.clone(),
        name_en: t.name_en.clone(),
        local_code: local.map(|_| code.to_string()),
        local_province: local,
    });
    let info = s.info.as_ref();
    let fp = fingerprint(s.leaf);
    let subject = Some(format!("sha256:{}", &fp[..16]));

    // issuer.listed: the agencies holding this certificate, the one it names first.
    let mut candidates = list.agencies_with_cert(&fp);
    let cert_uscc = info.and_then(|i| i.uscc.as_deref());
    candidates.sort_by_key(|(_, a)| Some(a.uscc.as_str()) != cert_uscc);
    let chosen = if candidates.is_empty() {
        b.indeterminate(
            "issuer.listed",
            subject.clone(),
            SubIndication::NoCertificateChainFound,
            Reason::new(
                "签名证书不属于信任列表中的任何签发机构",
                "the signing certificate belongs to no issuing agency in the trust list",
            ),
        );
        found.agency = info.map(|i| PartyInfo {
            uscc: i.uscc.clone(),
            name_zh: i.organisation.clone().unwrap_or_default(),
            name_en: i.common_name.clone().unwrap_or_default(),
            listed: false,
        });
        None
    } else {
        let names: Vec<&str> = candidates.iter().map(|(_, a)| a.name_zh.as_str()).collect();
        let names_en: Vec<&str> = candidates.iter().map(|(_, a)| a.name_en.as_str()).collect();
        b.pass(
            "issuer.listed",
            subject.clone(),
            Reason::new(
                format!("签名证书属于信任列表中的签发机构：{}", names.join("、")),
                format!(
                    "the signing certificate belongs to listed issuing agency: {}",
                    names_en.join(", ")
                ),
            ),
        );
        let chosen = authorised(b, &candidates, code, mapped);
        found.agency = Some(PartyInfo {
            uscc: Some(chosen.1.uscc.clone()),
            name_zh: chosen.1.name_zh.clone(),
            name_en: chosen.1.name_en.clone(),
            listed: true,
        });
        Some(chosen)
    };

    let province = chosen
        .map(|(p, _)| p)
        .or_else(|| info.and_then(|i| i.province));
    found.province = province.map(|p| province_info(ctx.trust, p));
    found.revocation = super::status::check(b, s.status, &fp, ctx);
    check_province(b, ctx, None, province);
    check_type(b, ctx, code, mapped);
    check_disclosures(b, ctx, found);
}

/// `issuer.type_authorised`: the first candidate listed for the type, else a failure
/// naming the first.
fn authorised<'l>(
    b: &mut ReportBuilder,
    candidates: &[(Province, &'l AgencyEntry)],
    code: &str,
    mapped: Option<(&TypeMapping, Option<Province>)>,
) -> (Province, &'l AgencyEntry) {
    let code_name = "issuer.type_authorised";
    let Some((t, local)) = mapped else {
        b.fail(
            code_name,
            Some(code.to_string()),
            SubIndication::SigConstraintsFailure,
            Reason::new(
                format!("类型 {code} 不在区域目录中"),
                format!("type {code} is not in the regional catalogue"),
            ),
        );
        return candidates[0];
    };
    let ok = candidates
        .iter()
        .find(|(p, a)| lists_type(*p, a, code, t, local));
    match ok {
        Some(&(p, a)) => {
            b.pass(
                code_name,
                Some(code.to_string()),
                Reason::new(
                    format!("{} 获准签发{}", a.name_zh, t.name_zh),
                    format!("{} is listed for {}", a.name_en, t.name_en),
                ),
            );
            (p, a)
        }
        None => {
            let (p, a) = candidates[0];
            b.fail(
                code_name,
                Some(code.to_string()),
                SubIndication::SigConstraintsFailure,
                Reason::new(
                    format!("信任列表未授权 {} 签发{}", a.name_zh, t.name_zh),
                    format!(
                        "the trust list does not list {} for {} ({})",
                        a.name_en, t.name_en, t.code
                    ),
                ),
            );
            (p, a)
        }
    }
}

/// Whether agency `a` of province `p` is listed for the type the credential names by
/// `code`: that code itself, or — when `code` is a province's local code — the common
/// code, for an agency of that province; or — when `code` is common — the agency
/// province's local code for it.
fn lists_type(
    p: Province,
    a: &AgencyEntry,
    code: &str,
    t: &TypeMapping,
    local: Option<Province>,
) -> bool {
    let listed = |c: &str| a.license_types.iter().any(|l| l == c);
    if listed(code) {
        return true;
    }
    match local {
        Some(lp) => lp == p && listed(&t.code),
        None => t.local.iter().any(|l| l.province == p && listed(&l.code)),
    }
}

/// `policy.type`.
fn check_type(
    b: &mut ReportBuilder,
    ctx: &Context<'_>,
    code: &str,
    mapped: Option<(&TypeMapping, Option<Province>)>,
) {
    let common = mapped.map_or(code, |(t, _)| t.code.as_str());
    let local = mapped.and_then(|(_, l)| l).map(|_| code);
    let (zh, en) = mapped.map_or((code, code), |(t, _)| {
        (t.name_zh.as_str(), t.name_en.as_str())
    });
    if ctx.policy.accepts_type(common, local) {
        b.pass(
            "policy.type",
            Some(common.to_string()),
            Reason::new(
                format!("验证策略接受{zh}"),
                format!("the policy accepts {en}"),
            ),
        );
    } else {
        b.fail(
            "policy.type",
            Some(common.to_string()),
            SubIndication::PolicyProcessingError,
            Reason::new(
                format!("验证策略不接受{zh}"),
                format!("the policy does not accept {en}"),
            ),
        );
    }
}

/// `policy.disclosures`.
fn check_disclosures(b: &mut ReportBuilder, ctx: &Context<'_>, found: &Found) {
    let missing: Vec<&str> = ctx
        .policy
        .required_disclosures
        .iter()
        .filter(|n| !found.claims.contains_key(n.as_str()))
        .map(String::as_str)
        .collect();
    if missing.is_empty() {
        b.pass(
            "policy.disclosures",
            None,
            Reason::new(
                format!(
                    "已披露验证策略要求的 {} 项声明",
                    ctx.policy.required_disclosures.len()
                ),
                format!(
                    "the {} claims the policy requires are disclosed",
                    ctx.policy.required_disclosures.len()
                ),
            ),
        );
    } else {
        let list = missing.join(", ");
        b.fail(
            "policy.disclosures",
            Some(list.clone()),
            SubIndication::SignedDataNotFound,
            Reason::new(
                format!("未披露验证策略要求的声明：{list}"),
                format!("claims the policy requires are not disclosed: {list}"),
            ),
        );
    }
}
