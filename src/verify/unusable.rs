//! The verdict when no trust list can be relied on (none held, or the one held is past
//! its next update and the grace): nothing is judged, the answer is INDETERMINATE /
//! TRY_LATER — fail closed, never open.

use super::{detect, Kind, TrustListCited, Verdict};
use crate::report::{Reason, ReportBuilder, SubIndication};
use serde_json::Map;
use time::OffsetDateTime;

/// The verdict on `bytes` (of `kind`, or detected) at `at` when no trust list is usable:
/// one check, `trust_list.cited`, INDETERMINATE / TRY_LATER with `why`; `cited` names
/// the list held, if any.
pub fn without_trust_list(
    bytes: &[u8],
    kind: Option<Kind>,
    at: OffsetDateTime,
    cited: Option<TrustListCited>,
    why: &str,
) -> Verdict {
    let kind = kind.or_else(|| detect(bytes));
    let mut b = ReportBuilder::new(kind.map_or("unknown", Kind::object), at);
    let subject = cited.as_ref().map(|c| {
        let short = c.digest.get(..16).unwrap_or(&c.digest);
        format!("#{} sha256:{short}", c.sequence)
    });
    b.indeterminate(
        "trust_list.cited",
        subject,
        SubIndication::TryLater,
        Reason::new(
            format!("没有可依据的信任列表（{why}），请稍后再试"),
            format!("no trust list can be relied on ({why}): try later"),
        ),
    );
    Verdict {
        kind,
        province: None,
        agency: None,
        license_type: None,
        claims: Map::new(),
        revocation: None,
        show: None,
        trust_list: cited.unwrap_or(TrustListCited {
            sequence: 0,
            digest: String::new(),
        }),
        report: b.finish(),
        archive: None,
    }
}
