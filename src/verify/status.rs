//! Revocation status of SD-JWT licenses, from status lists the verifier holds.
//!
//! A verifier holds other provinces' status lists (Token Status Lists, `statuslist+jwt`)
//! fetched from their nodes. [`accept_status_list`] judges a fetched token once, when it
//! arrives: its `x5c` chain validates to a province root of the trust list, its signer
//! is a listed issuing agency, its signature verifies, it has not expired, and its `sub`
//! equals the URI the credential references. What passes becomes a [`HeldStatusList`];
//! the caller keeps it (in its store, so every node of a province shares it) and
//! answers lookups through a [`StatusSource`].
//!
//! The engine's `sdjwt.status` check then needs no signature: the held list must be
//! signed by the credential's own agency, be younger than the policy's maximum age, and
//! hold the credential's index. Stale, unavailable or refused data is INDETERMINATE /
//! TRY_LATER — never a guess.
//!
//! Owns: what makes a fetched list acceptable, and the status check.
//! Must not touch: the network, the store, the clock.

use super::Context;
use crate::jose::{self, CompactJws};
use crate::license::{Status, StatusList, StatusListToken};
use crate::pki::validate::{validate, Policy as ChainPolicy, Purpose};
use crate::report::{Reason, ReportBuilder, SubIndication};
use crate::trust_list::{fingerprint, VerifiedTrustList};
use serde::Serialize;
use std::sync::Arc;
use time::OffsetDateTime;

/// A status list accepted by [`accept_status_list`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeldStatusList {
    /// The URI it is served at (`sub`).
    pub uri: String,
    /// SHA-256 (lowercase hex) of the certificate that signed it.
    pub signer: String,
    /// When the issuing node produced it (`iat`).
    pub issued_at: OffsetDateTime,
    /// When it expires (`exp`), if it says.
    pub expires_at: Option<OffsetDateTime>,
    /// Seconds it may be cached (`ttl`), if it says.
    pub ttl: Option<u64>,
    /// When this verifier fetched it.
    pub fetched_at: OffsetDateTime,
    /// The entries.
    pub list: StatusList,
}

impl HeldStatusList {
    /// Whether it should be fetched again at `now`: past its `ttl` (default
    /// `default_ttl` seconds) since it was fetched, or past its expiry.
    pub fn due(&self, now: OffsetDateTime, default_ttl: u64) -> bool {
        refetch_due(self.fetched_at, self.ttl, self.expires_at, now, default_ttl)
    }
}

/// Whether a list fetched at `fetched_at`, held for `ttl` seconds (default
/// `default_ttl`) and expiring at `expires_at`, should be fetched again at `now`.
pub(crate) fn refetch_due(
    fetched_at: OffsetDateTime,
    ttl: Option<u64>,
    expires_at: Option<OffsetDateTime>,
    now: OffsetDateTime,
    default_ttl: u64,
) -> bool {
    let ttl = ttl.unwrap_or(default_ttl).min(i64::MAX as u64) as i64;
    expires_at.is_some_and(|e| now >= e)
        || match fetched_at.checked_add(time::Duration::seconds(ttl)) {
            Some(refetch) => now >= refetch,
            // A ttl past the calendar: only the expiry and the policy's age bound it.
            None => false,
        }
}

/// What a verifier knows of a status list URI.
#[derive(Debug, Clone)]
pub enum StatusLookup {
    /// An accepted list (possibly old: the engine judges its age).
    Held(Arc<HeldStatusList>),
    /// A list was fetched and refused; why.
    Refused(String),
    /// No list could be had (not fetched, unreachable, not at a listed node); why.
    Unavailable(String),
}

/// Where the engine finds status lists.
pub trait StatusSource: Sync + std::fmt::Debug {
    /// What is known of the list at `uri`.
    fn lookup(&self, uri: &str) -> StatusLookup;
}

/// Lookups already made, by URI (what a caller gathered before verifying).
impl StatusSource for std::collections::HashMap<String, StatusLookup> {
    fn lookup(&self, uri: &str) -> StatusLookup {
        self.get(uri)
            .cloned()
            .unwrap_or_else(|| StatusLookup::Unavailable("the status list was not fetched".into()))
    }
}

/// The freshness of the revocation data a verdict relied on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Freshness {
    /// The status list URI.
    pub uri: String,
    /// When the issuing node produced the list.
    #[serde(with = "time::serde::rfc3339")]
    pub issued_at: OffsetDateTime,
    /// When this verifier fetched it.
    #[serde(with = "time::serde::rfc3339")]
    pub fetched_at: OffsetDateTime,
    /// Age of the list at the validation time, seconds.
    pub age_s: i64,
}

/// Why a fetched status list token is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StatusListRefusal {
    /// It is not a status list token (JWS, `x5c`, `typ`, `bits`, `lst`).
    #[error("not a status list token: {0}")]
    Malformed(String),
    /// Its signing certificate does not validate to a province root of the trust list.
    #[error("its signing certificate does not validate to a listed province root: {0}")]
    Chain(String),
    /// Its signer is no issuing agency of the trust list.
    #[error("it is signed by a certificate of no listed issuing agency")]
    NotListed,
    /// Its `sub` is not the URI the credential references.
    #[error("its sub {found:?} is not the URI referenced, {expected:?}")]
    SubMismatch {
        /// The URI the credential references.
        expected: String,
        /// The token's `sub`.
        found: String,
    },
}

/// Judge a status list token fetched from `expected_uri` at `fetched_at` (see the
/// module documentation).
pub fn accept_status_list(
    token: &str,
    expected_uri: &str,
    trust: &VerifiedTrustList,
    fetched_at: OffsetDateTime,
) -> Result<HeldStatusList, StatusListRefusal> {
    let malformed = |e: &dyn std::fmt::Display| StatusListRefusal::Malformed(e.to_string());
    let jws = CompactJws::parse(
        token,
        "status list token",
        crate::license::status::MAX_TOKEN_BYTES,
    )
    .map_err(|e| malformed(&e))?;
    let chain = jws.x5c().map_err(|e| malformed(&e))?;
    let anchors = trust.list.anchors();
    let policy = ChainPolicy {
        purpose: Purpose::LicenseSigning,
        ..ChainPolicy::at(fetched_at)
    };
    let v = validate(&chain[0], &chain[1..], &anchors, &policy);
    if !v.passed() {
        let why = v
            .report
            .checks
            .iter()
            .find(|c| c.outcome != crate::report::Outcome::Passed)
            .map_or_else(|| "path validation failed".into(), |c| c.reason.en.clone());
        return Err(StatusListRefusal::Chain(why));
    }
    let signer = fingerprint(&chain[0]);
    if trust.list.agencies_with_cert(&signer).is_empty() {
        return Err(StatusListRefusal::NotListed);
    }
    let key = jose::cert_public_key(&chain[0]).map_err(|e| malformed(&e))?;
    let t = StatusListToken::verify(token, &key, Some(fetched_at)).map_err(|e| malformed(&e))?;
    if t.uri != expected_uri {
        return Err(StatusListRefusal::SubMismatch {
            expected: expected_uri.to_owned(),
            found: t.uri,
        });
    }
    Ok(HeldStatusList {
        uri: t.uri,
        signer,
        issued_at: t.iat,
        expires_at: t.exp,
        ttl: t.ttl,
        fetched_at,
        list: t.list,
    })
}

fn r(zh: impl Into<String>, en: impl Into<String>) -> Reason {
    Reason::new(zh, en)
}

/// `sdjwt.status`: the credential's status in the list its reference names, signed by
/// the same agency (`signer_agencies`: the USCCs listed for the credential's signing
/// certificate), no older than the policy allows. Returns the freshness relied on.
pub(super) fn check(
    b: &mut ReportBuilder,
    sref: Option<&crate::license::StatusRef>,
    signer: &str,
    ctx: &Context<'_>,
) -> Option<Freshness> {
    let code = "sdjwt.status";
    let Some(sref) = sref else {
        b.warn(
            code,
            None,
            r(
                "凭证未引用状态列表",
                "the credential has no status reference",
            ),
        );
        return None;
    };
    let subject = Some(format!("{}#{}", sref.uri, sref.idx));
    let Some(source) = ctx.status else {
        b.warn(
            code,
            subject,
            r("未检查状态列表", "status list not checked"),
        );
        return None;
    };
    let later = |b: &mut ReportBuilder, zh: String, en: String| {
        b.indeterminate(code, subject.clone(), SubIndication::TryLater, r(zh, en));
    };
    let held = match source.lookup(&sref.uri) {
        StatusLookup::Held(h) => h,
        StatusLookup::Refused(why) => {
            later(
                b,
                format!("状态列表被拒绝：{why}"),
                format!("the status list is refused: {why}"),
            );
            return None;
        }
        StatusLookup::Unavailable(why) => {
            later(
                b,
                format!("无法获取状态列表：{why}"),
                format!("the status list is unavailable: {why}"),
            );
            return None;
        }
    };
    let same_agency = held.signer == signer || {
        let list = &ctx.trust.list;
        let of = |fp: &str| -> Vec<String> {
            list.agencies_with_cert(fp)
                .into_iter()
                .map(|(_, a)| a.uscc.clone())
                .collect()
        };
        let theirs = of(&held.signer);
        of(signer).iter().any(|u| theirs.contains(u))
    };
    if !same_agency {
        later(
            b,
            "状态列表不是由签发该凭证的机构签名".into(),
            "the status list is not signed by the agency that issued the credential".into(),
        );
        return None;
    }
    let age = (ctx.at - held.issued_at).whole_seconds();
    let fresh = Freshness {
        uri: held.uri.clone(),
        issued_at: held.issued_at,
        fetched_at: held.fetched_at,
        age_s: age,
    };
    if held.expires_at.is_some_and(|e| ctx.at >= e) {
        later(
            b,
            format!("持有的状态列表已过期（生成于 {age} 秒前）"),
            format!("the status list held has expired (produced {age} s ago)"),
        );
        return Some(fresh);
    }
    let max = i64::from(ctx.policy.max_status_age_s);
    if age > max {
        later(
            b,
            format!("状态列表已 {age} 秒未更新，超过策略允许的 {max} 秒"),
            format!("the status list is {age} s old, older than the policy's {max} s"),
        );
        return Some(fresh);
    }
    let idx = sref.idx;
    match held.list.value(idx).map(Status::from_value) {
        Ok(Some(Status::Valid)) => {
            b.pass(
                code,
                subject,
                r(
                    format!("状态：有效（状态列表生成于 {age} 秒前）"),
                    format!("status: valid (status list produced {age} s ago)"),
                ),
            );
        }
        Ok(Some(Status::Revoked)) => {
            b.fail(
                code,
                subject,
                SubIndication::Revoked,
                r("凭证已被撤销", "the credential is revoked"),
            );
        }
        Ok(Some(Status::Suspended)) => later(
            b,
            "凭证已被暂停".into(),
            "the credential is suspended".into(),
        ),
        Ok(None) => later(
            b,
            "状态列表中的值未定义".into(),
            "the status list holds an undefined value for the credential".into(),
        ),
        Err(_) => {
            b.fail(
                code,
                subject,
                SubIndication::FormatFailure,
                r(
                    format!("状态索引 {idx} 超出状态列表范围（{} 项）", held.list.len()),
                    format!(
                        "status index {idx} is out of the list's bounds ({} entries)",
                        held.list.len()
                    ),
                ),
            );
        }
    }
    Some(fresh)
}

/// The status list URI an SD-JWT input references, read without verifying anything
/// (so a caller can fetch the list before verifying); `None` for other kinds.
pub fn status_uri(input: &super::Input<'_>) -> Option<String> {
    let kind = input.kind.or_else(|| super::detect(input.bytes))?;
    if kind == super::Kind::ShowToken {
        // An offline show token names the status its issuer's attestation carries.
        let text = std::str::from_utf8(input.bytes).ok()?;
        let (_, token) = crate::show::read_token(text.trim()).ok()?;
        return match token.body {
            crate::show::Body::Offline { attestation } => {
                let signed = crate::qr::cose::parse(&attestation).ok()?;
                let a = crate::show::Attestation::from_cbor(signed.payload()).ok()?;
                Some(a.status.uri)
            }
            crate::show::Body::Online { .. } => None,
        };
    }
    if kind != super::Kind::SdJwt {
        return None;
    }
    let text = std::str::from_utf8(input.bytes).ok()?;
    let jwt = text.trim().split('~').next()?;
    let jws = CompactJws::parse(jwt, "credential", crate::license::status::MAX_TOKEN_BYTES).ok()?;
    let uri = jws.payload.get("status")?.get("status_list")?.get("uri")?;
    uri.as_str().map(str::to_owned)
}

/// Judge a status list token the caller holds as a file (no URI asked for: its own
/// `sub` is the URI it answers for), as [`accept_status_list`] does, at `at`.
pub fn accept_held_status_list(
    token: &str,
    trust: &VerifiedTrustList,
    at: OffsetDateTime,
) -> Result<HeldStatusList, StatusListRefusal> {
    let jws = CompactJws::parse(
        token.trim(),
        "status list token",
        crate::license::status::MAX_TOKEN_BYTES,
    )
    .map_err(|e| StatusListRefusal::Malformed(e.to_string()))?;
    let sub = jws
        .payload
        .get("sub")
        .and_then(serde_json::Value::as_str)
        .ok_or_else(|| StatusListRefusal::Malformed("no sub".into()))?
        .to_owned();
    accept_status_list(token.trim(), &sub, trust, at)
}
