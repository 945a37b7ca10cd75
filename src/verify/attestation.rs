//! An offline show token's attestation: the issuing agency's COSE_Sign1 over the chosen
//! claims ([`crate::show::attest`]).
//!
//! Checks, in order: `issuer.format` (COSE_Sign1 and its claims decode),
//! `issuer.signer` (the kid names a certificate of the trust list whose path validates
//! for signing licenses of the attested type), `issuer.signature`, `issuer.expiry`
//! (`exp`, with the policy's show clock skew); then the issuer checks every license
//! gets ([`super::license::judge_issuer`]: listed agency, authorised type, status from
//! the status lists held, policy).

use super::license::{judge_issuer, Signed};
use super::{Context, Found};
use crate::pki::validate::{Policy as ChainPolicy, Purpose};
use crate::report::{Reason, ReportBuilder, SubIndication};
use crate::show::Attestation;
use crate::trust_list::fingerprint;

/// Check the attestation `bytes`; on success (whatever the issuer checks then say)
/// the attestation, its claims and the holder's in `found.claims`.
pub(super) fn verify(
    b: &mut ReportBuilder,
    found: &mut Found,
    bytes: &[u8],
    ctx: &Context<'_>,
) -> Option<Attestation> {
    let parsed = crate::qr::cose::parse(bytes)
        .map_err(|e| e.to_string())
        .and_then(|s| {
            Attestation::from_cbor(s.payload())
                .map(|a| (s, a))
                .map_err(|e| e.to_string())
        });
    let (signed, a) = match parsed {
        Ok(x) => x,
        Err(e) => {
            b.fail(
                "issuer.format",
                None,
                SubIndication::FormatFailure,
                Reason::new(
                    format!("签发机构的核证无法解码：{e}"),
                    format!("the issuer's attestation does not decode: {e}"),
                ),
            );
            return None;
        }
    };
    b.pass(
        "issuer.format",
        Some(a.type_code.clone()),
        Reason::new(
            format!("签发机构核证了 {} 项信息", a.claims.len()),
            format!("the issuer attests {} claims", a.claims.len()),
        ),
    );

    let kid_hex = hex::encode(&signed.kid);
    let Some(der) = ctx.trust.list.cert_by_kid(&signed.kid) else {
        b.fail(
            "issuer.signer",
            Some(format!("kid {kid_hex}")),
            SubIndication::NoSignerCertificateFound,
            Reason::new(
                "核证的签名密钥不属于信任列表中的任何证书",
                "the attestation's key belongs to no certificate in the trust list",
            ),
        );
        return None;
    };
    let anchors = ctx.anchors();
    let policy = ChainPolicy {
        at: ctx.at,
        purpose: Purpose::LicenseSigning,
        license_type: Some(&a.type_code),
        crls: ctx.crls,
        require_revocation_info: false,
    };
    let v = ctx.validate_path(&der, &anchors, &policy);
    let fp = fingerprint(&der);
    if !v.passed() {
        let sub = v
            .report
            .sub_indication
            .unwrap_or(SubIndication::NoCertificateChainFound);
        b.extend(v.report);
        b.fail(
            "issuer.signer",
            Some(format!("sha256:{}", &fp[..16])),
            sub,
            Reason::new(
                "核证签名证书的路径未通过验证",
                "the attestation's certificate path does not validate for signing licenses",
            ),
        );
        return None;
    }
    b.pass(
        "issuer.signer",
        Some(format!("kid {kid_hex}")),
        Reason::new(
            "核证签名证书可用于签发该类证照",
            "the attestation's certificate validates for signing this license type",
        ),
    );

    match crate::qr::cose::cert_public_key(&der).map(|k| signed.verify(&k)) {
        Some(Ok(())) => {
            b.pass(
                "issuer.signature",
                Some(signed.alg.name()),
                Reason::new(
                    "签发机构核证签名有效",
                    "the issuer's attestation signature verifies",
                ),
            );
        }
        _ => {
            b.fail(
                "issuer.signature",
                Some(signed.alg.name()),
                SubIndication::SigCryptoFailure,
                Reason::new(
                    "签发机构核证签名无效：内容被篡改",
                    "the issuer's attestation signature does not verify: it was altered",
                ),
            );
            return None;
        }
    }

    let skew = i64::from(ctx.policy.show_clock_skew_s);
    if ctx.at.unix_timestamp() > a.expires_at.saturating_add(skew) {
        b.fail(
            "issuer.expiry",
            Some(a.expires_at.to_string()),
            SubIndication::Expired,
            Reason::new(
                format!("签发机构核证已过期（允许时钟偏差 {skew} 秒）"),
                format!("the issuer's attestation has expired (clock skew allowed: {skew} s)"),
            ),
        );
        return None;
    }
    b.pass(
        "issuer.expiry",
        Some(a.expires_at.to_string()),
        Reason::new(
            "签发机构核证在有效期内",
            "the issuer's attestation is current",
        ),
    );

    found.claims = a.claims.clone();
    found
        .claims
        .extend(a.holder.iter().map(|(k, v)| (k.clone(), v.clone())));
    let s = Signed {
        leaf: &der,
        info: crate::pki::CertInfo::from_der(&der).ok(),
        type_code: &a.type_code,
        local_code: a.local_type_code.as_deref(),
        status: Some(&a.status),
    };
    judge_issuer(b, found, &s, ctx);
    Some(a)
}
