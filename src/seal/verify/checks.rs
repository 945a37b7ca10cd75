//! The individual checks of seal and stamp verification, each adding to a report.

use crate::crypto::{Algorithm, DigestAlgorithm};
use crate::report::{Reason, ReportBuilder, SubIndication};
use crate::seal::cert::CertFacts;
use crate::seal::{Seal, SealRevocationList};
use const_oid::ObjectIdentifier;
use time::OffsetDateTime;

pub(crate) fn fmt_time(t: OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| t.to_string())
}

/// Read the certificate and check a signature made with it over `signed`.
/// Returns the certificate facts when it could be read.
pub(crate) fn signature(
    b: &mut ReportBuilder,
    code: &str,
    who: (&str, &str),
    cert_der: &[u8],
    algorithm: &ObjectIdentifier,
    signed: &[u8],
    value: &[u8],
) -> Option<CertFacts> {
    let cert = match CertFacts::parse(cert_der) {
        Ok(c) => c,
        Err(e) => {
            b.fail(
                code,
                None,
                SubIndication::NoSignerCertificateFound,
                Reason::new(
                    format!("{}证书无法解析：{e}", who.0),
                    format!("the {} certificate cannot be read: {e}", who.1),
                ),
            );
            return None;
        }
    };
    let subject = Some(cert.subject.clone());
    let Some(alg) = Algorithm::from_signature_oid(algorithm) else {
        b.fail(
            code,
            subject,
            SubIndication::CryptoConstraintsFailure,
            Reason::new(
                format!("不支持的签名算法 {algorithm}"),
                format!("unsupported signature algorithm {algorithm}"),
            ),
        );
        return Some(cert);
    };
    if alg != cert.algorithm() {
        b.fail(
            code,
            subject,
            SubIndication::CryptoConstraintsFailure,
            Reason::new(
                format!("签名算法 {alg} 与证书密钥 {} 不符", cert.algorithm()),
                format!(
                    "signature algorithm {alg} does not match the certificate key ({})",
                    cert.algorithm()
                ),
            ),
        );
        return Some(cert);
    }
    match cert.public_key.verify(signed, value) {
        Ok(()) => b.pass(
            code,
            subject,
            Reason::new(
                format!("{}签名有效（{alg}）", who.0),
                format!("the {} signature verifies ({alg})", who.1),
            ),
        ),
        Err(e) => b.fail(
            code,
            subject,
            SubIndication::SigCryptoFailure,
            Reason::new(
                format!("{}签名无效：{e}", who.0),
                format!("the {} signature does not verify: {e}", who.1),
            ),
        ),
    };
    Some(cert)
}

/// Structural checks of a seal beyond parsing: header ID, algorithm, certList present.
pub(crate) fn seal_format(b: &mut ReportBuilder, seal: &Seal) {
    let subject = Some(format!("esID {}", seal.es_id()));
    if seal.info.header.id != "ES" {
        b.fail(
            "seal.format",
            subject,
            SubIndication::FormatFailure,
            Reason::new(
                format!("印章头标识应为 ES，实为 {}", seal.info.header.id),
                format!("header ID must be ES, is {:?}", seal.info.header.id),
            ),
        );
        return;
    }
    if seal.info.property.cert_list.is_empty() {
        b.fail(
            "seal.format",
            subject,
            SubIndication::FormatFailure,
            Reason::new(
                "印章未列出任何签章人证书",
                "the seal lists no signer certificate",
            ),
        );
        return;
    }
    b.pass(
        "seal.format",
        subject.clone(),
        Reason::new(
            format!(
                "印章结构正确（{}，{}）",
                seal.version, seal.info.property.name
            ),
            format!(
                "seal structure is well formed ({}, {})",
                seal.version, seal.info.property.name
            ),
        ),
    );
    if Algorithm::from_signature_oid(&seal.signature_algorithm) == Some(Algorithm::EcdsaP256Sha256)
    {
        b.warn(
            "seal.algorithm",
            subject,
            Reason::new(
                "该印章使用 P-256 而非 SM2，国内印章软件可能不接受",
                "this seal uses P-256, not SM2: Chinese seal software may not accept it",
            ),
        );
    }
}

/// Whether `t` is within the seal's validity.
pub(crate) fn seal_validity(
    b: &mut ReportBuilder,
    seal: &Seal,
    t: OffsetDateTime,
    what: (&str, &str),
) {
    let p = &seal.info.property;
    let subject = Some(format!("esID {}", seal.es_id()));
    let range = format!("{} .. {}", fmt_time(p.valid_start), fmt_time(p.valid_end));
    if t < p.valid_start {
        b.fail(
            "seal.validity",
            subject,
            SubIndication::NotYetValid,
            Reason::new(
                format!("{}（{}）早于印章有效期 {range}", what.0, fmt_time(t)),
                format!(
                    "{} ({}) is before the seal's validity {range}",
                    what.1,
                    fmt_time(t)
                ),
            ),
        );
    } else if t > p.valid_end {
        b.fail(
            "seal.validity",
            subject,
            SubIndication::Expired,
            Reason::new(
                format!("{}（{}）晚于印章有效期 {range}", what.0, fmt_time(t)),
                format!(
                    "{} ({}) is after the seal's validity {range}",
                    what.1,
                    fmt_time(t)
                ),
            ),
        );
    } else {
        b.pass(
            "seal.validity",
            subject,
            Reason::new(
                format!("{}在印章有效期 {range} 内", what.0),
                format!("{} is within the seal's validity {range}", what.1),
            ),
        );
    }
}

/// Whether the seal is revoked at `t`, when a revocation list is given.
pub(crate) fn seal_revocation(
    b: &mut ReportBuilder,
    seal: &Seal,
    list: Option<&SealRevocationList>,
    t: OffsetDateTime,
) {
    let Some(list) = list else { return };
    let subject = Some(format!("esID {}", seal.es_id()));
    match list.find(seal.es_id()) {
        Some(r) if t >= r.revoked_at => {
            b.fail(
                "seal.revocation",
                subject,
                SubIndication::Revoked,
                Reason::new(
                    format!("印章已于 {} 撤销（{:?}）", fmt_time(r.revoked_at), r.reason),
                    format!(
                        "the seal was revoked at {} ({:?})",
                        fmt_time(r.revoked_at),
                        r.reason
                    ),
                ),
            );
        }
        Some(r) => {
            b.warn(
                "seal.revocation",
                subject,
                Reason::new(
                    format!("印章于 {} 撤销，签章时间在撤销之前", fmt_time(r.revoked_at)),
                    format!(
                        "the seal was revoked at {}, after the signing time",
                        fmt_time(r.revoked_at)
                    ),
                ),
            );
        }
        None => {
            b.pass(
                "seal.revocation",
                subject,
                Reason::new("印章未被撤销", "the seal is not revoked"),
            );
        }
    }
}

/// The certificate's own validity at `t` (checked even when no chain can be built).
pub(crate) fn cert_validity(
    b: &mut ReportBuilder,
    code: &str,
    cert: &CertFacts,
    t: OffsetDateTime,
    who: (&str, &str),
) {
    let subject = Some(cert.subject.clone());
    let range = format!(
        "{} .. {}",
        fmt_time(cert.not_before),
        fmt_time(cert.not_after)
    );
    let (sub, zh, en) = if t < cert.not_before {
        (SubIndication::NotYetValid, "尚未生效", "is not yet valid")
    } else if t > cert.not_after {
        (SubIndication::Expired, "已过期", "has expired")
    } else {
        b.pass(
            code,
            subject,
            Reason::new(
                format!("{}证书在 {} 有效（{range}）", who.0, fmt_time(t)),
                format!(
                    "the {} certificate is valid at {} ({range})",
                    who.1,
                    fmt_time(t)
                ),
            ),
        );
        return;
    };
    b.fail(
        code,
        subject,
        sub,
        Reason::new(
            format!("{}证书在 {} {zh}（{range}）", who.0, fmt_time(t)),
            format!(
                "the {} certificate {en} at {} ({range})",
                who.1,
                fmt_time(t)
            ),
        ),
    );
}

/// The digest the stamp's dataHash is expected to use: SM3 for SM2 stamps, SHA-256 for
/// P-256 stamps, SM3 when the algorithm is unknown.
pub(crate) fn data_hash_algorithm(signature_algorithm: &ObjectIdentifier) -> DigestAlgorithm {
    Algorithm::from_signature_oid(signature_algorithm)
        .map(Algorithm::digest)
        .unwrap_or(DigestAlgorithm::Sm3)
}
