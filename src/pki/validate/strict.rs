//! The strict RFC 5280 §4.1/§4.2 profile of every certificate of a candidate path:
//! version, serial number, duplicate extensions, keyCertSign only on CAs, a CA's subject,
//! critical basicConstraints and subjectKeyIdentifier, authorityKeyIdentifier below the
//! root (and a root's AKI agreeing with its SKI), a well-formed authorityInfoAccess, no CA
//! in the leaf position, and a leaf key of a supported algorithm and size.

use super::{CheckKind, ParsedCert};
use crate::report::{Reason, ReportBuilder, SubIndication};

/// Largest serial number content, in octets (RFC 5280 §4.1.2.2).
const MAX_SERIAL_OCTETS: usize = 20;

/// Run the profile checks on `chain` (leaf first, anchor last).
pub(crate) fn run_all(b: &mut ReportBuilder, chain: &[&ParsedCert]) {
    let last = chain.len() - 1;
    for (k, c) in chain.iter().enumerate() {
        let mut found = Found::new();
        profile(&mut found, c, k, k == last);
        let clean = found.is_empty();
        for (kind, sub, reason) in found {
            b.fail(kind.code(), Some(c.label()), sub, reason);
        }
        if clean {
            b.pass(
                CheckKind::Profile.code(),
                Some(c.label()),
                Reason::new(
                    "符合 RFC 5280 证书格式要求（版本、序列号、扩展、密钥标识符）",
                    "meets the RFC 5280 profile (version, serial, extensions, key identifiers)",
                ),
            );
        }
    }
    leaf_not_ca(b, chain[0]);
    leaf_key(b, chain[0]);
}

/// The failures found on one certificate.
type Found = Vec<(CheckKind, SubIndication, Reason)>;

fn fail(b: &mut Found, kind: CheckKind, _c: &ParsedCert, sub: SubIndication, r: Reason) {
    b.push((kind, sub, r));
}

fn is_ca(c: &ParsedCert) -> bool {
    matches!(c.basic_constraints, Some((true, _)))
}

fn profile(b: &mut Found, c: &ParsedCert, k: usize, anchor: bool) {
    let f = &c.facts;
    let fmt = SubIndication::FormatFailure;
    if f.version != 2 && (f.has_extensions || !anchor) {
        let v = f.version + 1;
        let (zh, en) = if f.has_extensions {
            ("含有扩展", "extensions are present")
        } else {
            ("本系统的证书格式要求 v3", "the profile requires v3")
        };
        fail(
            b,
            CheckKind::Version,
            c,
            fmt,
            Reason::new(
                format!("证书版本为 v{v}，但{zh}"),
                format!("certificate is v{v} but {en}"),
            ),
        );
    }
    let serial = &c.serial;
    let why = if serial.iter().all(|x| *x == 0) {
        Some(("序列号为零", "serial number is zero"))
    } else if serial[0] & 0x80 != 0 {
        Some(("序列号为负数", "serial number is negative"))
    } else if serial.len() > MAX_SERIAL_OCTETS {
        Some((
            "序列号超过 20 个八位组",
            "serial number is longer than 20 octets",
        ))
    } else {
        None
    };
    if let Some((zh, en)) = why {
        fail(b, CheckKind::Serial, c, fmt, Reason::new(zh, en));
    }
    if !f.duplicates.is_empty() {
        let list = f.duplicates.join(", ");
        fail(
            b,
            CheckKind::DuplicateExtension,
            c,
            fmt,
            Reason::new(
                format!("扩展重复出现：{list}"),
                format!("extension(s) present more than once: {list}"),
            ),
        );
    }
    if c.key_usage.is_some_and(|ku| ku.key_cert_sign()) && !is_ca(c) {
        fail(
            b,
            CheckKind::KeyCertSignNonCa,
            c,
            fmt,
            Reason::new(
                "非 CA 证书（基本约束缺失或 cA=FALSE）设置了 keyCertSign",
                "keyCertSign set on a certificate that is not a CA (basicConstraints absent or cA=FALSE)",
            ),
        );
    }
    if k > 0 {
        ca_profile(b, c);
    }
    if let Some(why) = f.aia_malformed {
        fail(
            b,
            CheckKind::AuthorityInfoAccess,
            c,
            fmt,
            Reason::new(
                format!("authorityInfoAccess 扩展格式错误：{why}"),
                format!("malformed authorityInfoAccess: {why}"),
            ),
        );
    }
    authority_key_id(b, c, anchor);
}

/// A certificate in an issuer position.
fn ca_profile(b: &mut Found, c: &ParsedCert) {
    let f = &c.facts;
    if f.subject_empty {
        fail(
            b,
            CheckKind::CaSubject,
            c,
            SubIndication::FormatFailure,
            Reason::new(
                "CA 证书的主体名称为空",
                "CA certificate has an empty subject",
            ),
        );
    }
    if c.basic_constraints.is_some() && !f.bc_critical {
        fail(
            b,
            CheckKind::BasicConstraintsCritical,
            c,
            SubIndication::ChainConstraintsFailure,
            Reason::new(
                "CA 证书的基本约束扩展未标记为关键",
                "basicConstraints of a CA is not critical",
            ),
        );
    }
    if c.ski.is_none() {
        fail(
            b,
            CheckKind::SubjectKeyId,
            c,
            SubIndication::FormatFailure,
            Reason::new(
                "CA 证书缺少主体密钥标识符",
                "CA certificate lacks subjectKeyIdentifier",
            ),
        );
    }
}

fn authority_key_id(b: &mut Found, c: &ParsedCert, anchor: bool) {
    let fmt = SubIndication::FormatFailure;
    let root = anchor && c.self_issued();
    let why = if !root {
        c.aki.is_none().then_some((
            "缺少授权密钥标识符",
            "authorityKeyIdentifier keyIdentifier is missing",
        ))
    } else if c.facts.aki_issuer_serial {
        Some((
            "根证书的授权密钥标识符含有签发者名称或序列号",
            "the root's authorityKeyIdentifier carries authorityCertIssuer or serial",
        ))
    } else {
        match (&c.aki, &c.ski) {
            (Some(a), Some(s)) if a != s => Some((
                "根证书的授权密钥标识符与其主体密钥标识符不一致",
                "the root's authorityKeyIdentifier disagrees with its subjectKeyIdentifier",
            )),
            (Some(_), None) => Some((
                "根证书有授权密钥标识符却无主体密钥标识符",
                "the root has an authorityKeyIdentifier but no subjectKeyIdentifier",
            )),
            _ => None,
        }
    };
    if let Some((zh, en)) = why {
        fail(b, CheckKind::AuthorityKeyId, c, fmt, Reason::new(zh, en));
    }
}

fn leaf_not_ca(b: &mut ReportBuilder, leaf: &ParsedCert) {
    let cert_sign = leaf.key_usage.is_some_and(|ku| ku.key_cert_sign());
    if is_ca(leaf) || cert_sign {
        let (zh, en) = if is_ca(leaf) {
            ("基本约束 cA=TRUE", "basicConstraints cA=TRUE")
        } else {
            ("密钥用法含 keyCertSign", "keyUsage has keyCertSign")
        };
        b.fail(
            CheckKind::LeafNotCa.code(),
            Some(leaf.label()),
            SubIndication::ChainConstraintsFailure,
            Reason::new(
                format!("CA 证书（{zh}）不能作为终端证书使用"),
                format!("a CA certificate ({en}) is not accepted as the leaf"),
            ),
        );
    }
}

fn leaf_key(b: &mut ReportBuilder, leaf: &ParsedCert) {
    let what = &leaf.facts.key_description;
    match &leaf.public_key {
        Ok(k) => b.pass(
            CheckKind::LeafKey.code(),
            Some(leaf.label()),
            Reason::new(
                format!("终端证书公钥为支持的算法：{what}（{}）", k.algorithm()),
                format!("leaf public key is a supported {what} key ({})", k.algorithm()),
            ),
        ),
        Err(_) => b.fail(
            CheckKind::LeafKey.code(),
            Some(leaf.label()),
            SubIndication::CryptoConstraintsFailure,
            Reason::new(
                format!("终端证书公钥 {what} 不是本系统支持的算法或长度（仅支持 P-256、SM2）"),
                format!(
                    "leaf public key {what} is not an algorithm and size supported here (P-256 or SM2 only)"
                ),
            ),
        ),
    };
}
