//! Verifying an SD-JWT VC credential or presentation at library level.
//!
//! Checks, in order, each recorded in the [`Report`]: `sdjwt.format` (parsing, `typ`,
//! `alg`, `vct`, `_sd_alg`), `sdjwt.signature` (issuer signature with the `x5c` leaf
//! key), the certificate path checks of [`crate::pki::validate`] (leaf for license
//! signing, authorised for the `vct` type; INDETERMINATE when no trust anchor is
//! given — nothing is trusted by default), `sdjwt.disclosures` (each disclosure's digest
//! in `_sd`, no duplicates, no clash with signed claims), `sdjwt.validity` (`iat`,
//! `nbf`, `exp` at the validation time), `sdjwt.key_binding`, `sdjwt.status` (entry in
//! the agency status list the caller fetched and verified).

mod checks;

use super::super::status::StatusList;
use super::{type_code_of, SdJwt, StatusRef, SD_ALG, TYP};
use crate::crypto::Algorithm;
use crate::jose;
use crate::pki::validate::{validate, CacheScope, Policy, Purpose};
use crate::pki::TrustAnchors;
use crate::report::{Reason, Report, ReportBuilder, SubIndication};
use checks::{check_disclosures, check_key_binding, check_status, check_validity};
use serde_json::{Map, Value};
use time::{Duration, OffsetDateTime};

/// The clock skew [`VerifyOptions::new`] allows: five minutes.
pub const DEFAULT_CLOCK_SKEW: Duration = Duration::minutes(5);

/// What a key binding JWT must say.
#[derive(Debug, Clone, Copy)]
pub struct KeyBindingCheck<'a> {
    /// Expected `aud`.
    pub aud: &'a str,
    /// Expected `nonce`.
    pub nonce: &'a str,
    /// How old its `iat` may be.
    pub max_age: Duration,
}

/// How to verify.
#[derive(Debug, Clone, Copy)]
pub struct VerifyOptions<'a> {
    /// Validation time.
    pub at: OffsetDateTime,
    /// Trust anchors (province roots, for license signing). Empty: the chain is
    /// INDETERMINATE.
    pub anchors: &'a TrustAnchors,
    /// CRLs (DER) for the chain.
    pub crls: &'a [Vec<u8>],
    /// The agency's status list, already fetched and verified by the caller, for the
    /// credential's `status.status_list.uri`; `None`: status not checked (a warning).
    pub status_list: Option<(&'a str, &'a StatusList)>,
    /// When set, the caller checks the status itself after this verification (the
    /// verification engine, with the status lists it holds): no `sdjwt.status` check
    /// is made here.
    pub status_by_caller: bool,
    /// When set, a key binding JWT is required and must match.
    pub key_binding: Option<KeyBindingCheck<'a>>,
    /// How far `iat` / `nbf` may lie after the validation time (clocks of two nodes).
    pub clock_skew: Duration,
    /// Checked paths to reuse (the anchors' scope, e.g. the trust-list digest); `None`:
    /// the path is validated from scratch. The report is the same either way.
    pub chains: Option<CacheScope<'a>>,
    /// A time the credential is proven to have existed at (an archive log entry), no
    /// later than `at`: the certificate chain is validated at it instead of at `at`
    /// (past-signature validation); the credential's own times are still judged at
    /// `at`.
    pub poe: Option<OffsetDateTime>,
}

impl<'a> VerifyOptions<'a> {
    /// Verify at `at` against `anchors`, nothing else.
    pub fn new(at: OffsetDateTime, anchors: &'a TrustAnchors) -> Self {
        VerifyOptions {
            at,
            anchors,
            crls: &[],
            status_list: None,
            status_by_caller: false,
            key_binding: None,
            clock_skew: DEFAULT_CLOCK_SKEW,
            chains: None,
            poe: None,
        }
    }
}

/// The outcome of verification.
#[derive(Debug, Clone)]
pub struct Verified {
    /// Every check and the indication.
    pub report: Report,
    /// The disclosed claims (name → value), only those whose digest checked.
    pub claims: Map<String, Value>,
    /// The signed payload's plain claims (`iss`, `vct`, `iat`, …) without `_sd`.
    pub payload: Map<String, Value>,
    /// The type code named by `vct`.
    pub type_code: Option<String>,
    /// The status reference.
    pub status: Option<StatusRef>,
    /// The `x5c` chain, leaf first.
    pub chain: Vec<Vec<u8>>,
    /// The issuer's algorithm.
    pub algorithm: Option<Algorithm>,
    /// What the signing certificate (`x5c` leaf) names, when it reads.
    pub signer: Option<crate::pki::CertInfo>,
}

pub(super) fn r(zh: impl Into<String>, en: impl Into<String>) -> Reason {
    Reason::new(zh, en)
}

/// Verify a credential or presentation (compact SD-JWT). Never panics on hostile input:
/// a malformed one gives a FORMAT_FAILURE report.
pub fn verify(text: &str, opts: &VerifyOptions<'_>) -> Verified {
    let mut b = ReportBuilder::new("license", opts.at);
    let mut out = Verified {
        report: ReportBuilder::new("license", opts.at).finish(),
        claims: Map::new(),
        payload: Map::new(),
        type_code: None,
        status: None,
        chain: Vec::new(),
        algorithm: None,
        signer: None,
    };
    let fail_format = |mut b: ReportBuilder, out: Verified, en: String| -> Verified {
        b.fail(
            "sdjwt.format",
            None,
            SubIndication::FormatFailure,
            r(format!("凭证格式错误：{en}"), en),
        );
        Verified {
            report: b.finish(),
            ..out
        }
    };
    let mut sd = match SdJwt::parse(text) {
        Ok(sd) => sd,
        Err(e) => return fail_format(b, out, e.to_string()),
    };
    let h = &sd.jws.header;
    if h.get("typ").and_then(Value::as_str) != Some(TYP) {
        return fail_format(b, out, "typ is not dc+sd-jwt".into());
    }
    let Some(alg) = sd.jws.algorithm() else {
        return fail_format(b, out, "alg is not ES256 or SM2".into());
    };
    out.algorithm = Some(alg);
    let p = &sd.jws.payload;
    let Some(type_code) = p.get("vct").and_then(Value::as_str).and_then(type_code_of) else {
        return fail_format(b, out, "vct does not name a license type".into());
    };
    out.type_code = Some(type_code.to_owned());
    if p.get("_sd_alg").and_then(Value::as_str) != Some(SD_ALG) {
        return fail_format(b, out, "_sd_alg is not sha-256".into());
    }
    let Some(sd_digests) = p.get("_sd").and_then(Value::as_array) else {
        return fail_format(b, out, "no _sd array".into());
    };
    let Some(sd_digests) = sd_digests
        .iter()
        .map(Value::as_str)
        .collect::<Option<Vec<_>>>()
    else {
        return fail_format(b, out, "_sd holds a non-string".into());
    };
    let chain = match sd.jws.x5c() {
        Ok(c) => c,
        Err(e) => return fail_format(b, out, e.to_string()),
    };
    out.status = p
        .get("status")
        .and_then(|s| s.get("status_list"))
        .and_then(|s| serde_json::from_value(s.clone()).ok());
    b.pass(
        "sdjwt.format",
        Some(type_code.to_owned()),
        r(
            format!("SD-JWT VC 格式正确（{} 项披露）", sd.disclosures.len()),
            format!(
                "well-formed SD-JWT VC with {} disclosures",
                sd.disclosures.len()
            ),
        ),
    );

    // The chain to a trust anchor (reported after the signature); through the cache,
    // it also yields the leaf's key.
    let policy = Policy {
        at: opts.poe.filter(|t| *t <= opts.at).unwrap_or(opts.at),
        purpose: Purpose::LicenseSigning,
        license_type: Some(type_code),
        crls: opts.crls,
        require_revocation_info: false,
    };
    let (chain_check, cached) = if opts.anchors.is_empty() {
        (None, None)
    } else {
        match opts.chains {
            Some(c) => {
                let (v, k) =
                    c.cache
                        .validate_keyed(c.scope, &chain[0], &chain[1..], opts.anchors, &policy);
                (Some(v), k)
            }
            None => (
                Some(validate(&chain[0], &chain[1..], opts.anchors, &policy)),
                None,
            ),
        }
    };

    // Issuer signature with the x5c leaf key.
    let key = match cached.as_ref().and_then(|p| p.leaf_key()) {
        Some(k) => Ok(k),
        None => jose::cert_public_key(&chain[0]),
    };
    match key {
        Ok(key) if sd.jws.verify_with(&key) => {
            b.pass(
                "sdjwt.signature",
                Some(alg.jose_alg().into()),
                r(
                    "签发机构签名有效",
                    "issuer signature verifies with the x5c leaf key",
                ),
            );
        }
        Ok(_) => {
            b.fail(
                "sdjwt.signature",
                Some(alg.jose_alg().into()),
                SubIndication::SigCryptoFailure,
                r(
                    "签发机构签名无效",
                    "issuer signature does not verify with the x5c leaf key",
                ),
            );
        }
        Err(e) => {
            b.fail(
                "sdjwt.signature",
                None,
                SubIndication::NoSignerCertificateFound,
                r("无法读取签名证书", e.to_string()),
            );
        }
    }

    match chain_check {
        None => {
            b.indeterminate(
                "sdjwt.chain",
                None,
                SubIndication::NoCertificateChainFound,
                r(
                    "未提供信任锚，无法验证证书链",
                    "no trust anchors given: the chain cannot be validated",
                ),
            );
        }
        Some(v) => {
            b.extend(v.report);
        }
    }

    // Disclosures.
    out.signer = match &cached {
        Some(p) => p.leaf_info().cloned(),
        None => crate::pki::CertInfo::from_der(&chain[0]).ok(),
    };
    let signer_uscc = out.signer.as_ref().and_then(|i| i.uscc.clone());
    check_disclosures(
        &mut b,
        &mut sd.disclosures,
        &sd_digests,
        p,
        type_code,
        signer_uscc.as_deref(),
        &mut out.claims,
    );
    check_validity(&mut b, p, opts.at, opts.clock_skew);
    check_key_binding(&mut b, &sd, opts);
    // The payload is moved into the outcome, not copied.
    let mut payload = std::mem::take(&mut sd.jws.payload);
    payload.remove("_sd");
    payload.remove("_sd_alg");
    out.payload = payload;
    if !opts.status_by_caller {
        check_status(&mut b, out.status.as_ref(), opts);
    }
    out.chain = chain;
    out.report = b.finish();
    out
}
