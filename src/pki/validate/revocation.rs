//! Revocation by CRL: each non-anchor certificate of the path against the CRLs given.

use super::checks::fmt_time;
use super::{CheckKind, ParsedCert, Policy};
use crate::report::{Reason, ReportBuilder, SubIndication};
use x509_parser::prelude::FromDer;
use x509_parser::revocation_list::CertificateRevocationList;

/// CRL extensions understood when critical: authorityKeyIdentifier (a critical cRLNumber
/// is refused on its own, a delta-CRL indicator always).
const CRL_PROCESSED: [&str; 3] = ["2.5.29.35", "2.5.29.20", "2.5.29.27"];
const OID_CRL_NUMBER: &str = "2.5.29.20";
const OID_DELTA_CRL: &str = "2.5.29.27";

struct Crl<'a> {
    index: usize,
    parsed: CertificateRevocationList<'a>,
    raw: &'a [u8],
}

/// Add one revocation check per certificate below the anchor.
pub(crate) fn check(b: &mut ReportBuilder, chain: &[&ParsedCert], policy: &Policy<'_>) {
    let code = CheckKind::Revocation.code();
    let mut crls = Vec::new();
    for (index, der) in policy.crls.iter().enumerate() {
        match CertificateRevocationList::from_der(der) {
            Ok(([], parsed)) => {
                let tbs_raw: &[u8] = parsed.tbs_cert_list.as_ref();
                let start = tbs_raw.as_ptr() as usize - der.as_ptr() as usize;
                let range = start..start + tbs_raw.len();
                crls.push(Crl {
                    index,
                    raw: &der[range],
                    parsed,
                })
            }
            _ => {
                b.fail(
                    code,
                    Some(format!("crl[{index}]")),
                    SubIndication::FormatFailure,
                    Reason::new("CRL 无法解析", "CRL does not parse as DER X.509 CRL"),
                );
            }
        }
    }
    let at = policy.at.unix_timestamp();
    for pair in chain.windows(2) {
        let (cert, issuer) = (pair[0], pair[1]);
        let subject = Some(cert.label());
        let mut current = None;
        let mut reasons = Vec::new();
        for crl in &crls {
            if crl.parsed.issuer().as_raw() != cert.issuer.as_slice() {
                continue;
            }
            // The profile is judged only on CRLs whose signature verifies under the
            // issuer's key, so a stray CRL of the same name cannot fail a path.
            match usable(crl, issuer, at) {
                Ok(()) => match profile(crl, issuer) {
                    Ok(()) => {
                        current = Some(crl);
                        break;
                    }
                    Err((kind, zh, en)) => {
                        b.fail(
                            kind.code(),
                            Some(format!("crl[{}]", crl.index)),
                            SubIndication::FormatFailure,
                            Reason::new(format!("CRL 被拒绝：{zh}"), format!("CRL refused: {en}")),
                        );
                        reasons.push(format!("crl[{}]: {en}", crl.index));
                    }
                },
                Err(why) => reasons.push(format!("crl[{}]: {why}", crl.index)),
            }
        }
        let Some(crl) = current else {
            let (zh, en) = if reasons.is_empty() {
                (
                    "未提供签发者的 CRL，未检查撤销状态".to_string(),
                    "no CRL from the issuer was given; revocation not checked".to_string(),
                )
            } else {
                (
                    format!("签发者的 CRL 不可用：{}", reasons.join("; ")),
                    format!("no usable CRL from the issuer: {}", reasons.join("; ")),
                )
            };
            if policy.require_revocation_info {
                b.indeterminate(code, subject, SubIndication::TryLater, Reason::new(zh, en));
            } else {
                b.warn(code, subject, Reason::new(zh, en));
            }
            continue;
        };
        let hit = crl
            .parsed
            .iter_revoked_certificates()
            .find(|r| r.raw_serial() == cert.serial());
        match hit {
            Some(r) if r.revocation_date.timestamp() <= at => {
                let when = fmt_time(r.revocation_date.timestamp());
                let why = r
                    .reason_code()
                    .map(|(_, c)| format!(" ({c})"))
                    .unwrap_or_default();
                b.fail(
                    code,
                    subject,
                    SubIndication::Revoked,
                    Reason::new(
                        format!("证书已于 {when} 被撤销{why}（CRL #{}）", crl.index),
                        format!("certificate revoked at {when}{why} (crl[{}])", crl.index),
                    ),
                );
            }
            _ => {
                b.pass(
                    code,
                    subject,
                    Reason::new(
                        format!(
                            "未被撤销（CRL 本次更新 {}）",
                            fmt_time(crl.parsed.last_update().timestamp())
                        ),
                        format!(
                            "not revoked (CRL thisUpdate {})",
                            fmt_time(crl.parsed.last_update().timestamp())
                        ),
                    ),
                );
            }
        }
    }
}

type Refusal = (CheckKind, &'static str, &'static str);

/// The strict CRL profile (RFC 5280 §5, §6.3.3): signed by an issuer whose keyUsage
/// includes cRLSign, a non-critical CRL number, no delta-CRL indicator.
fn profile(crl: &Crl<'_>, issuer: &ParsedCert) -> Result<(), Refusal> {
    if !issuer.key_usage.is_some_and(|ku| ku.crl_sign()) {
        return Err((
            CheckKind::CrlSigner,
            "签发者的密钥用法不含 cRLSign",
            "the issuer's keyUsage does not include cRLSign",
        ));
    }
    let mut number = None;
    for ext in crl.parsed.extensions() {
        match ext.oid.to_id_string().as_str() {
            OID_CRL_NUMBER => number = Some(ext.critical),
            OID_DELTA_CRL => {
                return Err((
                    CheckKind::DeltaCrl,
                    "增量 CRL（deltaCRLIndicator）不被处理",
                    "delta CRLs (deltaCRLIndicator) are not processed",
                ))
            }
            _ => {}
        }
    }
    match number {
        None => Err((
            CheckKind::CrlNumber,
            "CRL 缺少 CRL 编号",
            "the CRL has no CRL number",
        )),
        Some(true) => Err((
            CheckKind::CrlNumber,
            "CRL 编号扩展被标记为关键",
            "the CRL number extension is critical",
        )),
        Some(false) => Ok(()),
    }
}

/// Whether a CRL from `issuer` can be relied on at `at`.
fn usable(crl: &Crl<'_>, issuer: &ParsedCert, at: i64) -> Result<(), &'static str> {
    for ext in crl.parsed.extensions() {
        if ext.critical && !CRL_PROCESSED.contains(&ext.oid.to_id_string().as_str()) {
            return Err("unknown critical CRL extension");
        }
    }
    let key = issuer.public_key.as_ref().map_err(|e| *e)?;
    let alg_oid = const_oid::ObjectIdentifier::from_bytes(
        crl.parsed.signature_algorithm.algorithm.as_bytes(),
    )
    .map_err(|_| "bad signature algorithm")?;
    let alg = crate::crypto::Algorithm::from_signature_oid(&alg_oid)
        .ok_or("unsupported signature algorithm")?;
    if alg != key.algorithm() {
        return Err("signature algorithm does not match the issuer key");
    }
    key.verify(crl.raw, &crl.parsed.signature_value.data)
        .map_err(|_| "CRL signature does not verify")?;
    if crl.parsed.last_update().timestamp() > at {
        return Err("thisUpdate is after the validation time");
    }
    match crl.parsed.next_update() {
        Some(n) if n.timestamp() < at => Err("CRL is stale (nextUpdate passed)"),
        _ => Ok(()),
    }
}
