//! Name constraints (RFC 5280 §4.2.1.10, §6.1.3 b–c, §6.1.4 g) over directoryName, the
//! one name form the project's profiles use; and policyConstraints / inhibitAnyPolicy,
//! which are not processed (certificate policies are informational here) and so are
//! refused when critical and named in a warning otherwise.

use super::facts::within;
use super::{CheckKind, ParsedCert};
use crate::report::{Reason, ReportBuilder, SubIndication};

/// Check every nameConstraints extension of the path's CAs against the certificates
/// below them (self-issued intermediates excepted, the leaf always included).
pub(crate) fn name_constraints(b: &mut ReportBuilder, chain: &[&ParsedCert]) {
    let code = CheckKind::NameConstraints.code();
    for (k, ca) in chain.iter().enumerate().skip(1) {
        let Some(nc) = &ca.facts.name_constraints else {
            continue;
        };
        if !nc.unsupported.is_empty() {
            let forms = nc.unsupported.join(", ");
            if nc.critical {
                b.fail(
                    code,
                    Some(ca.label()),
                    SubIndication::ChainConstraintsFailure,
                    Reason::new(
                        format!("关键的名称约束含有不支持的名称形式：{forms}（拒绝）"),
                        format!(
                            "critical nameConstraints use name forms not supported here: {forms} (refused)"
                        ),
                    ),
                );
                continue;
            }
            b.warn(
                code,
                Some(ca.label()),
                Reason::new(
                    format!("非关键的名称约束中未处理的名称形式：{forms}"),
                    format!("name forms not processed in non-critical nameConstraints: {forms}"),
                ),
            );
        }
        for (j, c) in chain[..k].iter().enumerate() {
            if j > 0 && c.self_issued() {
                continue;
            }
            let subject = (&c.facts.subject_rdns, "主体名称", "subject name");
            let alt = c
                .facts
                .san_directory_names
                .iter()
                .map(|n| (n, "主体备用名称中的目录名", "subjectAltName directoryName"));
            for (name, what_zh, what_en) in std::iter::once(subject).chain(alt) {
                if name.is_empty() {
                    continue;
                }
                check_name(b, code, ca, c, name, (what_zh, what_en), nc);
            }
        }
    }
}

/// One name of `c` against the nameConstraints `nc` of `ca`.
fn check_name(
    b: &mut ReportBuilder,
    code: &str,
    ca: &ParsedCert,
    c: &ParsedCert,
    name: &[super::facts::Rdn],
    (what_zh, what_en): (&str, &str),
    nc: &super::facts::NameConstraints,
) {
    let outside = !nc.permitted.is_empty() && !nc.permitted.iter().any(|p| within(name, p));
    let excluded = nc.excluded.iter().any(|e| within(name, e));
    if outside || excluded {
        let (zh, en) = if excluded {
            ("位于被排除的子树中", "lies in an excluded subtree")
        } else {
            ("不在允许的子树中", "lies outside every permitted subtree")
        };
        b.fail(
            code,
            Some(c.label()),
            SubIndication::ChainConstraintsFailure,
            Reason::new(
                format!("{what_zh}{zh}（名称约束来自 {}）", ca.label()),
                format!("{what_en} {en} (nameConstraints of {})", ca.label()),
            ),
        );
    } else {
        b.pass(
            code,
            Some(c.label()),
            Reason::new(
                format!("{what_zh}满足 {} 的名称约束", ca.label()),
                format!("{what_en} satisfies the nameConstraints of {}", ca.label()),
            ),
        );
    }
}

/// Refuse critical policyConstraints / inhibitAnyPolicy; name non-critical ones.
pub(crate) fn policy_extensions(b: &mut ReportBuilder, chain: &[&ParsedCert]) {
    for c in chain {
        for pe in &c.facts.policy_extensions {
            let kind = if pe.name == "policyConstraints" {
                CheckKind::PolicyConstraints
            } else {
                CheckKind::InhibitAnyPolicy
            };
            if pe.critical {
                b.fail(
                    kind.code(),
                    Some(c.label()),
                    SubIndication::PolicyProcessingError,
                    Reason::new(
                        format!("关键扩展 {} 不被处理（不进行证书策略处理），拒绝", pe.name),
                        format!(
                            "critical {} is not processed (no certificate policy processing here): refused",
                            pe.name
                        ),
                    ),
                );
            } else {
                b.warn(
                    kind.code(),
                    Some(c.label()),
                    Reason::new(
                        format!("非关键扩展 {} 未被处理（证书策略仅供参考）", pe.name),
                        format!(
                            "non-critical {} not processed (certificate policies are informational)",
                            pe.name
                        ),
                    ),
                );
            }
        }
    }
}
