//! The per-link and per-certificate checks of a candidate path, in report order.

use super::{CheckKind, ParsedCert, Policy, Purpose};
use crate::report::{Reason, ReportBuilder, SubIndication};

/// Run every structural check on `chain` (leaf first, anchor last).
pub(crate) fn run_all(b: &mut ReportBuilder, chain: &[&ParsedCert], policy: &Policy<'_>) {
    before_validity(b, chain);
    validity(b, chain, policy.at.unix_timestamp());
    after_validity(b, chain, policy);
}

/// The checks before `chain.validity`: signatures and issuer chaining of every link.
pub(crate) fn before_validity(b: &mut ReportBuilder, chain: &[&ParsedCert]) {
    signatures(b, chain);
    issuer_chaining(b, chain);
}

/// The time-independent checks after `chain.validity`: critical extensions, CA
/// constraints, path length, the leaf's usage and license types.
pub(crate) fn after_validity(b: &mut ReportBuilder, chain: &[&ParsedCert], policy: &Policy<'_>) {
    critical_extensions(b, chain);
    ca_constraints(b, chain);
    path_length(b, chain);
    leaf_usage(b, chain[0], policy.purpose);
    if let Some(t) = policy.license_type {
        license_type(b, chain[0], t);
    }
}

fn signatures(b: &mut ReportBuilder, chain: &[&ParsedCert]) {
    let code = CheckKind::Signature.code();
    for pair in chain.windows(2) {
        let (child, parent) = (pair[0], pair[1]);
        let subject = Some(child.label());
        let Some(alg) = child.sig_alg else {
            b.fail(
                code,
                subject,
                SubIndication::CryptoConstraintsFailure,
                Reason::new(
                    format!("不支持的签名算法 {}", child.sig_alg_oid),
                    format!("unsupported signature algorithm {}", child.sig_alg_oid),
                ),
            );
            continue;
        };
        if !child.tbs_sig_alg_matches {
            b.fail(
                code,
                subject,
                SubIndication::FormatFailure,
                Reason::new(
                    "证书内外签名算法不一致",
                    "signatureAlgorithm differs from the TBSCertificate signature field",
                ),
            );
            continue;
        }
        let key = match &parent.public_key {
            Ok(k) => k,
            Err(why) => {
                b.fail(
                    code,
                    subject,
                    SubIndication::CryptoConstraintsFailure,
                    Reason::new(
                        format!("签发者公钥不可用：{why}"),
                        format!("issuer public key unusable: {why}"),
                    ),
                );
                continue;
            }
        };
        if key.algorithm() != alg {
            b.fail(
                code,
                subject,
                SubIndication::SigCryptoFailure,
                Reason::new(
                    format!("签名算法 {alg} 与签发者密钥算法 {} 不符", key.algorithm()),
                    format!(
                        "signature algorithm {alg} does not match the issuer's {} key",
                        key.algorithm()
                    ),
                ),
            );
            continue;
        }
        match key.verify(child.tbs(), &child.signature) {
            Ok(()) => b.pass(
                code,
                subject,
                Reason::new(
                    format!("{alg} 签名由 {} 验证通过", parent.label()),
                    format!("{alg} signature verifies under {}", parent.label()),
                ),
            ),
            Err(_) => b.fail(
                code,
                subject,
                SubIndication::SigCryptoFailure,
                Reason::new(
                    format!("证书签名无法用 {} 的公钥验证", parent.label()),
                    format!(
                        "certificate signature does not verify under {}",
                        parent.label()
                    ),
                ),
            ),
        };
    }
}

fn issuer_chaining(b: &mut ReportBuilder, chain: &[&ParsedCert]) {
    for pair in chain.windows(2) {
        let (child, parent) = (pair[0], pair[1]);
        let by_key = matches!((&child.aki, &parent.ski), (Some(a), Some(s)) if a == s);
        let how_zh = if by_key {
            "签发者名称与密钥标识符均匹配"
        } else {
            "签发者名称匹配"
        };
        let how_en = if by_key {
            "issuer name and authority key identifier match"
        } else {
            "issuer name matches (no key identifiers to compare)"
        };
        b.pass(
            CheckKind::IssuerChaining.code(),
            Some(child.label()),
            Reason::new(
                format!("{how_zh}：{}", parent.label()),
                format!("{how_en}: {}", parent.label()),
            ),
        );
    }
}

pub(crate) fn validity(b: &mut ReportBuilder, chain: &[&ParsedCert], at: i64) {
    let code = CheckKind::Validity.code();
    for c in chain {
        let from = fmt_time(c.not_before);
        let to = fmt_time(c.not_after);
        if at < c.not_before {
            b.fail(
                code,
                Some(c.label()),
                SubIndication::NotYetValid,
                Reason::new(
                    format!("证书尚未生效（生效时间 {from}）"),
                    format!("certificate not valid before {from}"),
                ),
            );
        } else if at > c.not_after {
            b.fail(
                code,
                Some(c.label()),
                SubIndication::Expired,
                Reason::new(
                    format!("证书已于 {to} 过期"),
                    format!("certificate expired at {to}"),
                ),
            );
        } else {
            b.pass(
                code,
                Some(c.label()),
                Reason::new(
                    format!("在有效期内（{from} 至 {to}）"),
                    format!("within validity {from} to {to}"),
                ),
            );
        }
    }
}

fn critical_extensions(b: &mut ReportBuilder, chain: &[&ParsedCert]) {
    let code = CheckKind::CriticalExtension.code();
    for c in chain {
        if c.unknown_critical.is_empty() {
            b.pass(
                code,
                Some(c.label()),
                Reason::new("无未知的关键扩展", "no unknown critical extensions"),
            );
        } else {
            let list = c.unknown_critical.join(", ");
            b.fail(
                code,
                Some(c.label()),
                SubIndication::ChainConstraintsFailure,
                Reason::new(
                    format!("含有无法处理的关键扩展：{list}"),
                    format!("unknown critical extension(s): {list}"),
                ),
            );
        }
    }
}

fn ca_constraints(b: &mut ReportBuilder, chain: &[&ParsedCert]) {
    for c in chain.iter().skip(1) {
        match c.basic_constraints {
            Some((true, _)) => b.pass(
                CheckKind::BasicConstraints.code(),
                Some(c.label()),
                Reason::new("基本约束表明是 CA", "basicConstraints cA=TRUE"),
            ),
            _ => b.fail(
                CheckKind::BasicConstraints.code(),
                Some(c.label()),
                SubIndication::ChainConstraintsFailure,
                Reason::new(
                    "签发者证书不是 CA（基本约束缺失或 cA=FALSE）",
                    "issuer is not a CA (basicConstraints absent or cA=FALSE)",
                ),
            ),
        };
        match &c.key_usage {
            Some(ku) if !ku.key_cert_sign() => b.fail(
                CheckKind::KeyCertSign.code(),
                Some(c.label()),
                SubIndication::ChainConstraintsFailure,
                Reason::new(
                    "CA 证书的密钥用法缺少 keyCertSign（证书签名）",
                    "CA keyUsage lacks keyCertSign",
                ),
            ),
            Some(_) => b.pass(
                CheckKind::KeyCertSign.code(),
                Some(c.label()),
                Reason::new(
                    "CA 密钥用法包含 keyCertSign",
                    "CA keyUsage includes keyCertSign",
                ),
            ),
            None => b.pass(
                CheckKind::KeyCertSign.code(),
                Some(c.label()),
                Reason::new(
                    "CA 无密钥用法扩展（不限制）",
                    "CA has no keyUsage extension (unrestricted)",
                ),
            ),
        };
    }
}

fn path_length(b: &mut ReportBuilder, chain: &[&ParsedCert]) {
    let code = CheckKind::PathLength.code();
    for (k, c) in chain.iter().enumerate().skip(1) {
        let Some((_, Some(max))) = c.basic_constraints else {
            continue;
        };
        // Non-self-issued intermediates between this CA and the leaf.
        let below = chain[1..k].iter().filter(|x| !x.self_issued()).count();
        if below > max as usize {
            b.fail(
                code,
                Some(c.label()),
                SubIndication::ChainConstraintsFailure,
                Reason::new(
                    format!("路径长度约束 {max} 被超出（其下有 {below} 个中间 CA）"),
                    format!("pathLenConstraint {max} exceeded ({below} intermediate CA(s) below)"),
                ),
            );
        } else {
            b.pass(
                code,
                Some(c.label()),
                Reason::new(
                    format!("路径长度约束 {max} 满足"),
                    format!("pathLenConstraint {max} satisfied"),
                ),
            );
        }
    }
}

const PROJECT_EKU_ARC: &str = "1.3.6.1.4.1.61234.2026.2.";
const ANY_EKU: &str = "2.5.29.37.0";

fn leaf_usage(b: &mut ReportBuilder, leaf: &ParsedCert, purpose: Purpose) {
    let code = CheckKind::LeafUsage.code();
    let Some(role) = purpose.role() else {
        return;
    };
    let subject = Some(leaf.label());
    if let Some(ku) = &leaf.key_usage {
        if !ku.digital_signature() && !ku.non_repudiation() {
            b.fail(
                code,
                subject,
                SubIndication::ChainConstraintsFailure,
                Reason::new(
                    "证书密钥用法不允许数字签名",
                    "keyUsage allows neither digitalSignature nor nonRepudiation",
                ),
            );
            return;
        }
    }
    let wanted = role.eku().map(|o| o.to_string()).unwrap_or_default();
    match &leaf.eku {
        Some(list) if list.iter().any(|e| *e == wanted || e == ANY_EKU) => b.pass(
            code,
            subject,
            Reason::new(
                format!("扩展密钥用法允许用于{}", role_zh(role)),
                format!("extended key usage allows {}", role.name()),
            ),
        ),
        Some(list) if list.iter().any(|e| e.starts_with(PROJECT_EKU_ARC)) => b.fail(
            code,
            subject,
            SubIndication::ChainConstraintsFailure,
            Reason::new(
                format!(
                    "证书用于其他用途（{}），不可用于{}",
                    list.join(", "),
                    role_zh(role)
                ),
                format!(
                    "certificate is for another purpose ({}), not {}",
                    list.join(", "),
                    role.name()
                ),
            ),
        ),
        _ => b.warn(
            code,
            subject,
            Reason::new(
                "证书无本系统的扩展密钥用法，仅依据密钥用法接受",
                "no deltaseal extended key usage; accepted on keyUsage alone",
            ),
        ),
    };
}

fn role_zh(role: super::super::Role) -> &'static str {
    use super::super::Role;
    match role {
        Role::TrustListSigner => "信任列表签名",
        Role::ProvinceRoot => "根 CA",
        Role::IssuingAgency => "电子证照签发",
        Role::SealAuthority => "电子印章制作",
        Role::OrganisationSigner => "电子签章",
        Role::ShowService => "亮证令牌签名",
    }
}

fn license_type(b: &mut ReportBuilder, leaf: &ParsedCert, wanted: &str) {
    let code = CheckKind::LicenseType.code();
    let types = leaf.license_types();
    if types.iter().any(|t| t == wanted) {
        b.pass(
            code,
            Some(leaf.label()),
            Reason::new(
                format!("签发机构被授权签发证照类型 {wanted}"),
                format!("agency is authorised for license type {wanted}"),
            ),
        );
    } else {
        b.fail(
            code,
            Some(leaf.label()),
            SubIndication::SigConstraintsFailure,
            Reason::new(
                format!(
                    "签发机构未被授权签发证照类型 {wanted}（授权类型：{}）",
                    types.join(", ")
                ),
                format!(
                    "agency is not authorised for license type {wanted} (authorised: {})",
                    types.join(", ")
                ),
            ),
        );
    }
}

/// `2026-01-01T00:00:00Z`
pub(crate) fn fmt_time(ts: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(ts)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_else(|| ts.to_string())
}
