//! Certificate chains of the seal authority and of the stamping signer, checked by
//! `crate::pki::validate` against the explicit trust anchors; nothing is trusted by default.

use super::SealTrust;
use crate::pki::validate::{validate, Policy, Purpose};
use crate::report::{Reason, ReportBuilder, SubIndication};
use time::OffsetDateTime;

/// Validate `leaf` for `purpose` at `at` and add the checks to `b`, their codes prefixed
/// with `prefix` (`seal_authority.` or `signer.`). Returns whether the chain passed.
pub(crate) fn check_chain(
    b: &mut ReportBuilder,
    prefix: &str,
    who: (&str, &str),
    leaf: &[u8],
    purpose: Purpose,
    trust: &SealTrust<'_>,
    at: OffsetDateTime,
) {
    let code = format!("{prefix}.chain");
    if trust.anchors.is_empty() {
        b.indeterminate(
            &code,
            None,
            SubIndication::NoCertificateChainFound,
            Reason::new(
                format!("未给出受信任根证书，无法确认{}证书链", who.0),
                format!(
                    "no trust anchors given: the {} certificate chain cannot be established",
                    who.1
                ),
            ),
        );
        return;
    }
    let policy = Policy {
        at,
        purpose,
        license_type: None,
        crls: trust.crls,
        require_revocation_info: false,
    };
    let v = validate(leaf, trust.intermediates, trust.anchors, &policy);
    for c in &v.report.checks {
        b.push(
            &format!("{prefix}.{}", c.code),
            c.subject.clone(),
            c.outcome,
            c.sub_indication,
            c.reason.clone(),
        );
    }
}
