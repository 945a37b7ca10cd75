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

use super::super::jose;
use super::super::status::{Status, StatusList};
use super::present::sd_hash;
use super::{key_of_jwk, type_code_of, SdJwt, StatusRef, KB_TYP, SD_ALG, TYP};
use crate::crypto::Algorithm;
use crate::pki::validate::{validate, Policy, Purpose};
use crate::report::{Reason, Report, ReportBuilder, SubIndication};
use serde_json::{Map, Value};
use std::collections::HashSet;
use time::{Duration, OffsetDateTime};

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
    /// Trust anchors (DER province root certificates). Empty: the chain is INDETERMINATE.
    pub anchors: &'a [Vec<u8>],
    /// CRLs (DER) for the chain.
    pub crls: &'a [Vec<u8>],
    /// The agency's status list, already fetched and verified by the caller, for the
    /// credential's `status.status_list.uri`; `None`: status not checked (a warning).
    pub status_list: Option<(&'a str, &'a StatusList)>,
    /// When set, a key binding JWT is required and must match.
    pub key_binding: Option<KeyBindingCheck<'a>>,
}

impl<'a> VerifyOptions<'a> {
    /// Verify at `at` against `anchors`, nothing else.
    pub fn new(at: OffsetDateTime, anchors: &'a [Vec<u8>]) -> Self {
        VerifyOptions {
            at,
            anchors,
            crls: &[],
            status_list: None,
            key_binding: None,
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
}

fn r(zh: impl Into<String>, en: impl Into<String>) -> Reason {
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
    let sd = match SdJwt::parse(text) {
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

    // Issuer signature with the x5c leaf key.
    match jose::cert_public_key(&chain[0]) {
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

    // Chain to a trust anchor.
    if opts.anchors.is_empty() {
        b.indeterminate(
            "sdjwt.chain",
            None,
            SubIndication::NoCertificateChainFound,
            r(
                "未提供信任锚，无法验证证书链",
                "no trust anchors given: the chain cannot be validated",
            ),
        );
    } else {
        let policy = Policy {
            at: opts.at,
            purpose: Purpose::LicenseSigning,
            license_type: Some(type_code),
            crls: opts.crls,
            require_revocation_info: false,
        };
        let v = validate(&chain[0], &chain[1..], opts.anchors, &policy);
        b.extend(&v.report);
    }

    // Disclosures.
    check_disclosures(&mut b, &sd, &sd_digests, p, type_code, &mut out.claims);
    out.payload = p
        .iter()
        .filter(|(k, _)| k.as_str() != "_sd" && k.as_str() != "_sd_alg")
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();

    check_validity(&mut b, p, opts.at);
    check_key_binding(&mut b, &sd, opts);
    check_status(&mut b, out.status.as_ref(), opts);
    out.chain = chain;
    out.report = b.finish();
    out
}

fn check_disclosures(
    b: &mut ReportBuilder,
    sd: &SdJwt,
    digests: &[&str],
    payload: &Map<String, Value>,
    type_code: &str,
    claims: &mut Map<String, Value>,
) {
    let mut in_sd = HashSet::new();
    if !digests.iter().all(|d| in_sd.insert(*d)) {
        b.fail(
            "sdjwt.disclosures",
            None,
            SubIndication::FormatFailure,
            r("_sd 中有重复摘要", "_sd holds a digest twice"),
        );
        return;
    }
    let mut seen = HashSet::new();
    for d in &sd.disclosures {
        let digest = d.digest();
        let problem = if !in_sd.contains(digest.as_str()) {
            Some((
                SubIndication::HashFailure,
                "its digest is not in the signed _sd",
            ))
        } else if !seen.insert(digest) {
            Some((SubIndication::FormatFailure, "it is given twice"))
        } else if payload.contains_key(&d.name) || claims.contains_key(&d.name) {
            Some((
                SubIndication::FormatFailure,
                "its claim name is already present",
            ))
        } else if d.name == "license_type_code" && d.value.as_str() != Some(type_code) {
            Some((
                SubIndication::FormatFailure,
                "its type code differs from vct",
            ))
        } else {
            None
        };
        if let Some((sub, why)) = problem {
            claims.clear();
            b.fail(
                "sdjwt.disclosures",
                Some(d.name.clone()),
                sub,
                r(
                    format!("披露项 {} 无效", d.name),
                    format!("disclosure of {}: {why}", d.name),
                ),
            );
            return;
        }
        claims.insert(d.name.clone(), d.value.clone());
    }
    b.pass(
        "sdjwt.disclosures",
        None,
        r(
            format!("{} 项披露的摘要均在签名的 _sd 中", claims.len()),
            format!(
                "all {} disclosures match digests in the signed _sd",
                claims.len()
            ),
        ),
    );
}

fn numeric_date(p: &Map<String, Value>, k: &str) -> Result<Option<OffsetDateTime>, ()> {
    match p.get(k) {
        None => Ok(None),
        Some(v) => v
            .as_i64()
            .and_then(|t| OffsetDateTime::from_unix_timestamp(t).ok())
            .map(Some)
            .ok_or(()),
    }
}

fn check_validity(b: &mut ReportBuilder, p: &Map<String, Value>, at: OffsetDateTime) {
    let skew = Duration::minutes(5);
    let (Ok(iat), Ok(nbf), Ok(exp)) = (
        numeric_date(p, "iat"),
        numeric_date(p, "nbf"),
        numeric_date(p, "exp"),
    ) else {
        b.fail(
            "sdjwt.validity",
            None,
            SubIndication::FormatFailure,
            r("时间声明格式错误", "iat/nbf/exp is not a NumericDate"),
        );
        return;
    };
    if iat.is_some_and(|t| t > at + skew) || nbf.is_some_and(|t| t > at + skew) {
        b.fail(
            "sdjwt.validity",
            None,
            SubIndication::NotYetValid,
            r("凭证尚未生效", "the credential is not yet valid"),
        );
    } else if exp.is_some_and(|t| t <= at) {
        b.fail(
            "sdjwt.validity",
            None,
            SubIndication::Expired,
            r("凭证已过期", "the credential has expired"),
        );
    } else {
        b.pass(
            "sdjwt.validity",
            None,
            r(
                "凭证在有效期内",
                "the credential is within its validity period",
            ),
        );
    }
}

fn check_key_binding(b: &mut ReportBuilder, sd: &SdJwt, opts: &VerifyOptions<'_>) {
    let code = "sdjwt.key_binding";
    let Some(kb) = &sd.kb_jwt else {
        if opts.key_binding.is_some() {
            b.fail(
                code,
                None,
                SubIndication::SigConstraintsFailure,
                r(
                    "缺少持有人绑定签名",
                    "a key binding JWT is required but absent",
                ),
            );
        }
        return;
    };
    let fail = |b: &mut ReportBuilder, sub, en: &str| {
        b.fail(
            code,
            None,
            sub,
            r(format!("持有人绑定无效：{en}"), en.to_owned()),
        );
    };
    let jws = match jose::CompactJws::parse(kb, "KB-JWT", 16 * 1024) {
        Ok(j) => j,
        Err(e) => return fail(b, SubIndication::FormatFailure, &e.to_string()),
    };
    if jws.header.get("typ").and_then(Value::as_str) != Some(KB_TYP) {
        return fail(b, SubIndication::FormatFailure, "typ is not kb+jwt");
    }
    let Some(key) = sd
        .jws
        .payload
        .get("cnf")
        .and_then(|c| c.get("jwk"))
        .and_then(key_of_jwk)
    else {
        return fail(
            b,
            SubIndication::FormatFailure,
            "the credential has no usable cnf.jwk",
        );
    };
    if !jws.verify_with(&key) {
        return fail(
            b,
            SubIndication::SigCryptoFailure,
            "signature does not verify with cnf.jwk",
        );
    }
    let p = &jws.payload;
    if p.get("sd_hash").and_then(Value::as_str) != Some(&sd_hash(&sd.serialize_without_kb())) {
        return fail(
            b,
            SubIndication::HashFailure,
            "sd_hash does not match the presentation",
        );
    }
    let Ok(Some(iat)) = numeric_date(p, "iat") else {
        return fail(b, SubIndication::FormatFailure, "no iat");
    };
    if let Some(want) = opts.key_binding {
        if p.get("aud").and_then(Value::as_str) != Some(want.aud) {
            return fail(
                b,
                SubIndication::SigConstraintsFailure,
                "aud is not this verifier",
            );
        }
        if p.get("nonce").and_then(Value::as_str) != Some(want.nonce) {
            return fail(
                b,
                SubIndication::SigConstraintsFailure,
                "nonce does not match",
            );
        }
        if iat > opts.at + Duration::minutes(5) || iat + want.max_age < opts.at {
            return fail(
                b,
                SubIndication::Expired,
                "iat is outside the accepted window",
            );
        }
        b.pass(
            code,
            None,
            r(
                "持有人绑定有效",
                "key binding JWT verifies (aud, nonce, sd_hash, iat)",
            ),
        );
    } else {
        b.warn(
            code,
            None,
            r(
                "持有人绑定签名有效，但未核对受众和随机数",
                "key binding JWT verifies, but aud and nonce were not checked",
            ),
        );
    }
}

fn check_status(b: &mut ReportBuilder, status: Option<&StatusRef>, opts: &VerifyOptions<'_>) {
    let code = "sdjwt.status";
    let Some(sref) = status else {
        b.warn(
            code,
            None,
            r(
                "凭证未引用状态列表",
                "the credential has no status reference",
            ),
        );
        return;
    };
    let subject = Some(format!("{}#{}", sref.uri, sref.idx));
    let Some((uri, list)) = opts.status_list else {
        b.warn(
            code,
            subject,
            r("未检查状态列表", "status list not checked"),
        );
        return;
    };
    if uri != sref.uri {
        b.indeterminate(
            code,
            subject,
            SubIndication::TryLater,
            r(
                "提供的状态列表不是凭证引用的列表",
                "the status list given is not the one referenced",
            ),
        );
        return;
    }
    match list.get(sref.idx) {
        Ok(Status::Valid) => {
            b.pass(code, subject, r("状态：有效", "status: valid"));
        }
        Ok(Status::Revoked) => {
            b.fail(
                code,
                subject,
                SubIndication::Revoked,
                r("凭证已被撤销", "the credential is revoked"),
            );
        }
        Ok(Status::Suspended) => {
            b.indeterminate(
                code,
                subject,
                SubIndication::TryLater,
                r("凭证已被暂停", "the credential is suspended"),
            );
        }
        Err(e) => {
            b.indeterminate(
                code,
                subject,
                SubIndication::TryLater,
                r("无法读取状态", e.to_string()),
            );
        }
    }
}
