//! Revocation by CRL: each non-anchor certificate of the path against the CRLs given.

use super::checks::fmt_time;
use super::{CheckKind, ParsedCert, Policy};
use crate::report::{Reason, ReportBuilder, SubIndication};
use x509_parser::prelude::FromDer;
use x509_parser::revocation_list::CertificateRevocationList;

/// CRL extensions understood when critical: cRLNumber, authorityKeyIdentifier.
const CRL_PROCESSED: [&str; 2] = ["2.5.29.20", "2.5.29.35"];

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
            match usable(crl, issuer, at) {
                Ok(()) => {
                    current = Some(crl);
                    break;
                }
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

/// Whether a CRL from `issuer` can be relied on at `at`.
fn usable(crl: &Crl<'_>, issuer: &ParsedCert, at: i64) -> Result<(), &'static str> {
    if let Some(ku) = &issuer.key_usage {
        if !ku.crl_sign() {
            return Err("issuer keyUsage lacks cRLSign");
        }
    }
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
