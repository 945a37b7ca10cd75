//! Accepting a trust list, as a report with every check named.

use super::verify::{verify, VerifiedTrustList, VerifyOptions};
use super::TrustListError;
use crate::report::{Reason, Report, ReportBuilder, SubIndication};

/// The checks, in the order they are made.
const CHECKS: [&str; 5] = [
    "trust_list.format",
    "trust_list.signer",
    "trust_list.signature",
    "trust_list.sequence",
    "trust_list.freshness",
];

/// Which check an error is decided by, and how.
fn decided_by(e: &TrustListError) -> (usize, bool, SubIndication) {
    match e {
        TrustListError::UnknownSigner => (1, false, SubIndication::NoSignerCertificateFound),
        TrustListError::BadSignature => (2, true, SubIndication::SigCryptoFailure),
        TrustListError::Rollback { .. } => (3, true, SubIndication::PolicyProcessingError),
        TrustListError::Expired { .. } => (4, false, SubIndication::TryLater),
        TrustListError::NotYetValid => (4, false, SubIndication::NotYetValid),
        _ => (0, true, SubIndication::FormatFailure),
    }
}

fn passed_reason(i: usize, v: Option<&VerifiedTrustList>) -> Reason {
    match i {
        0 => Reason::new(
            "信任列表格式正确",
            "the trust list is a well-formed signed document",
        ),
        1 => Reason::new(
            "由固定的信任列表签名人签发",
            "signed by the pinned trust-list signer",
        ),
        2 => Reason::new("签名有效", "the signature verifies"),
        3 => {
            let s = v.map(|v| v.list.sequence).unwrap_or_default();
            Reason::new(
                format!("序号 {s}，未回退"),
                format!("sequence {s}, not rolled back"),
            )
        }
        _ => Reason::new(
            "信任列表在有效期内",
            "the trust list is within its update period",
        ),
    }
}

/// Accept `text` and report every check; the list when it was accepted.
pub fn verify_report(text: &str, opts: &VerifyOptions<'_>) -> (Report, Option<VerifiedTrustList>) {
    let mut b = ReportBuilder::new("trust list", opts.at);
    match verify(text, opts) {
        Ok(v) => {
            for (i, code) in CHECKS.iter().enumerate() {
                if i == 4 && v.overdue {
                    b.warn(
                        code,
                        None,
                        Reason::new(
                            "信任列表已过下次更新时间，仍在宽限期内",
                            "the trust list is past its next update, within the grace",
                        ),
                    );
                } else {
                    b.pass(code, None, passed_reason(i, Some(&v)));
                }
            }
            (b.finish(), Some(v))
        }
        Err(e) => {
            let (at, failed, sub) = decided_by(&e);
            for (i, code) in CHECKS.iter().enumerate().take(at) {
                b.pass(code, None, passed_reason(i, None));
            }
            let reason = Reason::new(zh(&e), e.to_string());
            if failed {
                b.fail(CHECKS[at], None, sub, reason);
            } else {
                b.indeterminate(CHECKS[at], None, sub, reason);
            }
            (b.finish(), None)
        }
    }
}

fn zh(e: &TrustListError) -> String {
    match e {
        TrustListError::UnknownSigner => "信任列表不是由固定的信任列表签名人签发的".into(),
        TrustListError::BadSignature => "信任列表签名无效（内容可能被篡改）".into(),
        TrustListError::Rollback { held, got } => {
            format!("信任列表序号 {got} 低于已持有的序号 {held}（回退）")
        }
        TrustListError::Expired {
            next_update,
            grace_s,
        } => format!("信任列表已过期：下次更新时间 {next_update}，宽限 {grace_s} 秒，请稍后重试"),
        TrustListError::NotYetValid => "信任列表的签发时间晚于验证时间".into(),
        other => format!("信任列表格式错误：{other}"),
    }
}
