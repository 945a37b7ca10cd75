//! The checks after the issuer signature and the chain: disclosures, validity, key
//! binding, status.

use super::super::super::status::Status;
use super::super::super::Identifier;
use super::super::present::sd_hash;
use super::super::{key_of_jwk, Disclosure, SdJwt, StatusRef, KB_TYP};
use super::{r, VerifyOptions};
use crate::jose;
use crate::report::ReportBuilder;
use crate::report::SubIndication;
use serde_json::{Map, Value};
use std::collections::HashSet;
use time::{Duration, OffsetDateTime};

/// Check every disclosure against the signed `_sd` digests; the claims of those that
/// check are moved into `claims` (each disclosure keeps its encoded text).
pub(super) fn check_disclosures(
    b: &mut ReportBuilder,
    disclosures: &mut [Disclosure],
    digests: &[&str],
    payload: &Map<String, Value>,
    type_code: &str,
    signer_uscc: Option<&str>,
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
    for d in disclosures.iter_mut() {
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
        } else {
            consistency(&d.name, &d.value, type_code, signer_uscc)
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
        claims.insert(std::mem::take(&mut d.name), d.value.take());
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

/// A disclosed metadata claim that contradicts the signed `vct` or the signing
/// certificate: an agency cannot speak for another agency or another type.
fn consistency(
    name: &str,
    value: &Value,
    type_code: &str,
    signer_uscc: Option<&str>,
) -> Option<(SubIndication, &'static str)> {
    let other_issuer = |code: &str| signer_uscc.is_some_and(|u| u != code);
    match name {
        "license_type_code" if value.as_str() != Some(type_code) => Some((
            SubIndication::FormatFailure,
            "its type code differs from vct",
        )),
        "issuer_code" if value.as_str().map_or(true, other_issuer) => Some((
            SubIndication::SigConstraintsFailure,
            "it names another issuer than the signing certificate",
        )),
        "license_id" => match value.as_str().map(str::parse::<Identifier>) {
            Some(Ok(id)) if id.type_code() != type_code => Some((
                SubIndication::FormatFailure,
                "its type code differs from vct",
            )),
            Some(Ok(id)) if other_issuer(id.issuer_code()) => Some((
                SubIndication::SigConstraintsFailure,
                "it names another issuer than the signing certificate",
            )),
            Some(Ok(_)) => None,
            _ => Some((
                SubIndication::FormatFailure,
                "it is not a valid GB/T 36904 identifier",
            )),
        },
        _ => None,
    }
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

pub(super) fn check_validity(
    b: &mut ReportBuilder,
    p: &Map<String, Value>,
    at: OffsetDateTime,
    skew: Duration,
) {
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

pub(super) fn check_key_binding(b: &mut ReportBuilder, sd: &SdJwt, opts: &VerifyOptions<'_>) {
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
        if iat > opts.at + Duration::minutes(5) || iat < opts.at - want.max_age {
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

pub(super) fn check_status(
    b: &mut ReportBuilder,
    status: Option<&StatusRef>,
    opts: &VerifyOptions<'_>,
) {
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
