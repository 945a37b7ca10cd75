//! Show tokens (QR text) under the trust list: the token's own checks, then the
//! license's.
//!
//! Checks, in order, each failing with its own reason: `show.prefix` (the text prefix),
//! `show.decode` (base45, zlib, COSE_Sign1, claims: a truncated or garbled text),
//! `show.signer` (the kid names a show-license service of the trust list, of the
//! province the token names, whose certificate path validates), `show.signature`
//! (tampered), `show.expiry` (`iat` / `exp` with the policy's show clock skew, stated in
//! the reason), `show.audience`. Then an offline token's attestation by the issuing
//! agency ([`super::attestation`]), or an online token's disclosures fetched from the
//! issuing node (`show.single_use`: a token used before is replayed) through the SD-JWT
//! license checks ([`super::license`]); `show.disclosed` checks the claims are the
//! ones chosen. The verdict's claims are only the chosen ones; the holder's name and a
//! masked ID number go beside them ([`super::Shown`]).

use super::{Context, Found, Shown};
use crate::pki::validate::{Policy as ChainPolicy, Purpose};
use crate::qr::{self, cose::Signed, QrError};
use crate::report::{Reason, ReportBuilder, SubIndication};
use crate::show::{self, Body, ShowError, ShowToken};
use crate::trust_list::fingerprint;

/// What the license's issuing node answered for an online token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OnlineAnswer {
    /// Redeemed now: the SD-JWT presentation of the chosen and holder disclosures.
    Redeemed {
        /// The license.
        license_id: String,
        /// The chosen claims.
        claims: Vec<String>,
        /// `jwt~d1~…~dn~`
        presentation: String,
    },
    /// The token id was used before.
    Replayed,
    /// The issuing node refused the token (unknown license, not a valid token…).
    Refused(String),
    /// The issuing node could not be asked.
    Unreachable(String),
}

/// Whether bytes look like QR text: `<1-8 alphanumerics>:` then base45 characters.
pub fn looks_like_qr_text(bytes: &[u8]) -> bool {
    let t = bytes.trim_ascii();
    if t.len() < 4 || t.len() > qr::MAX_TEXT + 16 {
        return false;
    }
    // the prefix is 1 to 8 characters: its colon is within the first 9 bytes
    let Some(colon) = t.iter().take(9).position(|c| *c == b':') else {
        return false;
    };
    (1..=8).contains(&colon)
        && t[..colon]
            .iter()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
        && t[colon + 1..]
            .iter()
            .all(|c| c.is_ascii_digit() || c.is_ascii_uppercase() || b" $%*+-./:".contains(c))
}

/// The show token's own checks; on success the token, for the caller to go on.
fn token_checks(
    b: &mut ReportBuilder,
    text: &str,
    ctx: &Context<'_>,
    check_audience: bool,
) -> Option<ShowToken> {
    let parsed = show::read_token(text);
    let (signed, token): (Signed, ShowToken) = match parsed {
        Ok(x) => x,
        Err(ShowError::Qr(QrError::Prefix { .. } | QrError::TooLong { .. })) => {
            b.fail(
                "show.prefix",
                None,
                SubIndication::FormatFailure,
                Reason::new(
                    format!("不是亮证码：文本不以 {} 开头", qr::PREFIX),
                    format!(
                        "not a show token: the text does not start with {}",
                        qr::PREFIX
                    ),
                ),
            );
            return None;
        }
        Err(e) => {
            b.pass(
                "show.prefix",
                Some(qr::PREFIX.into()),
                Reason::new("亮证码前缀正确", "the show-token prefix is right"),
            );
            let layer = match &e {
                ShowError::Qr(q) => q.layer().map_or("cose", |l| l.name()),
                _ => "claims",
            };
            b.fail(
                "show.decode",
                Some(layer.into()),
                SubIndication::FormatFailure,
                Reason::new(
                    format!("亮证码无法解码（{layer} 层）：可能被截断或损坏"),
                    format!("the show token does not decode at the {layer} layer (truncated or damaged?): {e}"),
                ),
            );
            return None;
        }
    };
    b.pass(
        "show.prefix",
        Some(qr::PREFIX.into()),
        Reason::new("亮证码前缀正确", "the show-token prefix is right"),
    );
    b.pass(
        "show.decode",
        Some(token.mode().name().into()),
        Reason::new(
            format!(
                "已解码{}亮证码",
                if token.mode() == show::Mode::Online {
                    "在线"
                } else {
                    "离线"
                }
            ),
            format!("decoded an {} show token", token.mode().name()),
        ),
    );

    // show.signer: the kid names a listed show service of the token's province.
    let kid_hex = hex::encode(&signed.kid);
    let Some((province, service, der)) = ctx.trust.list.show_service_by_kid(&signed.kid) else {
        b.fail(
            "show.signer",
            Some(format!("kid {kid_hex}")),
            SubIndication::NoSignerCertificateFound,
            Reason::new(
                "签名密钥不属于信任列表中的任何亮证服务",
                "the signing key belongs to no show-license service in the trust list",
            ),
        );
        return None;
    };
    if province != token.issuer {
        b.fail(
            "show.signer",
            Some(format!("kid {kid_hex}")),
            SubIndication::SigConstraintsFailure,
            Reason::new(
                format!(
                    "亮证码自称由{}签发，签名服务却属于{}",
                    token.issuer.name_zh(),
                    province.name_zh()
                ),
                format!(
                    "the token names {} as its issuer but the signing service is {}'s",
                    token.issuer.name_en(),
                    province.name_en()
                ),
            ),
        );
        return None;
    }
    let anchors = ctx.anchors();
    let policy = ChainPolicy {
        at: ctx.at,
        purpose: Purpose::ShowTokenSigning,
        license_type: None,
        crls: ctx.crls,
        require_revocation_info: false,
    };
    let v = ctx.validate_path(&der, &anchors, &policy);
    if !v.passed() {
        let sub = v
            .report
            .sub_indication
            .unwrap_or(SubIndication::NoCertificateChainFound);
        b.extend(v.report);
        b.fail(
            "show.signer",
            Some(format!("sha256:{}", &fingerprint(&der)[..16])),
            sub,
            Reason::new(
                format!("{}的证书路径未通过验证", service.name_zh),
                format!(
                    "the certificate path of {} does not validate",
                    service.name_en
                ),
            ),
        );
        return None;
    }
    b.pass(
        "show.signer",
        Some(format!("kid {kid_hex}")),
        Reason::new(
            format!("由信任列表中的{}签名", service.name_zh),
            format!("signed by {}, listed in the trust list", service.name_en),
        ),
    );

    // show.signature
    let key = crate::qr::cose::cert_public_key(&der);
    match key.map(|k| signed.verify(&k)) {
        Some(Ok(())) => {
            b.pass(
                "show.signature",
                Some(signed.alg.name()),
                Reason::new("亮证码签名有效", "the show token's signature verifies"),
            );
        }
        _ => {
            b.fail(
                "show.signature",
                Some(signed.alg.name()),
                SubIndication::SigCryptoFailure,
                Reason::new(
                    "亮证码签名无效：内容被篡改",
                    "the show token's signature does not verify: it was altered",
                ),
            );
            return None;
        }
    }

    // show.expiry
    let skew = i64::from(ctx.policy.show_clock_skew_s);
    let at = ctx.at.unix_timestamp();
    let life = token.expires_at.saturating_sub(token.issued_at);
    if life <= 0 || life > i64::from(show::MAX_TTL_S) {
        b.fail(
            "show.expiry",
            None,
            SubIndication::SigConstraintsFailure,
            Reason::new(
                format!("有效期 {life} 秒不在 1–{} 秒之内", show::MAX_TTL_S),
                format!(
                    "its lifetime of {life} s is outside 1-{} s",
                    show::MAX_TTL_S
                ),
            ),
        );
        return None;
    }
    if at > token.expires_at.saturating_add(skew) {
        b.fail(
            "show.expiry",
            Some(rfc3339(token.expires_at)),
            SubIndication::Expired,
            Reason::new(
                format!(
                    "亮证码已于 {} 过期（允许时钟偏差 {skew} 秒）",
                    rfc3339(token.expires_at)
                ),
                format!(
                    "the show token expired at {} (clock skew allowed: {skew} s)",
                    rfc3339(token.expires_at)
                ),
            ),
        );
        return None;
    }
    if at < token.issued_at.saturating_sub(skew) {
        b.fail(
            "show.expiry",
            Some(rfc3339(token.issued_at)),
            SubIndication::NotYetValid,
            Reason::new(
                format!(
                    "亮证码签发于将来 {}（允许时钟偏差 {skew} 秒）",
                    rfc3339(token.issued_at)
                ),
                format!(
                    "the show token is issued in the future, {} (clock skew allowed: {skew} s)",
                    rfc3339(token.issued_at)
                ),
            ),
        );
        return None;
    }
    b.pass(
        "show.expiry",
        Some(rfc3339(token.expires_at)),
        Reason::new(
            format!(
                "亮证码在有效期内，至 {}（允许时钟偏差 {skew} 秒）",
                rfc3339(token.expires_at)
            ),
            format!(
                "the show token is current until {} (clock skew allowed: {skew} s)",
                rfc3339(token.expires_at)
            ),
        ),
    );

    // show.audience (the issuing node redeeming a token is not its audience)
    if !check_audience {
        return Some(token);
    }
    match &token.audience {
        None => {
            b.pass(
                "show.audience",
                None,
                Reason::new("亮证码未限定验证方", "the token names no audience"),
            );
        }
        Some(aud)
            if ctx
                .policy
                .audiences
                .iter()
                .any(|a| a.eq_ignore_ascii_case(aud)) =>
        {
            b.pass(
                "show.audience",
                Some(aud.clone()),
                Reason::new(
                    format!("亮证码出示给本验证方（{aud}）"),
                    format!("the token is for this verifier ({aud})"),
                ),
            );
        }
        Some(aud) => {
            b.fail(
                "show.audience",
                Some(aud.clone()),
                SubIndication::SigConstraintsFailure,
                Reason::new(
                    format!("亮证码只出示给 {aud}，不是本验证方"),
                    format!("the token is for {aud}, not for this verifier"),
                ),
            );
            return None;
        }
    }
    Some(token)
}

use crate::report::unix_rfc3339 as rfc3339;

/// The show token's own checks alone (prefix through expiry, and the audience when
/// `check_audience`), as a report, and the token when they pass: what the issuing node
/// checks before it redeems an online token.
pub fn check_token(
    text: &str,
    ctx: &Context<'_>,
    check_audience: bool,
) -> (crate::report::Report, Option<ShowToken>) {
    let mut b = ReportBuilder::new("show-token", ctx.at);
    let t = token_checks(&mut b, text, ctx, check_audience);
    (b.finish(), t)
}

/// Verify a show token: its own checks, then the license's; for an online token,
/// `answer` is what the issuing node said (`None`: not asked, INDETERMINATE).
pub(super) fn verify(
    b: &mut ReportBuilder,
    found: &mut Found,
    bytes: &[u8],
    ctx: &Context<'_>,
    answer: Option<&OnlineAnswer>,
) {
    let Ok(text) = std::str::from_utf8(bytes) else {
        b.fail(
            "show.prefix",
            None,
            SubIndication::FormatFailure,
            Reason::new("亮证码不是文本", "the show token is not text"),
        );
        return;
    };
    let Some(token) = token_checks(b, text, ctx, true) else {
        return;
    };
    let (license_id, chosen) = match &token.body {
        Body::Offline { attestation } => {
            let Some(a) = super::attestation::verify(b, found, attestation, ctx) else {
                return;
            };
            let chosen = a.claims.keys().cloned().collect::<Vec<_>>();
            (a.license_id, chosen)
        }
        Body::Online { .. } => match answer {
            None => {
                b.indeterminate(
                    "show.single_use",
                    Some(hex::encode(&token.token_id)),
                    SubIndication::TryLater,
                    Reason::new(
                        "在线亮证码须向签发地节点核验，本次未核验",
                        "an online show token must be redeemed at the issuing node; it was not",
                    ),
                );
                return;
            }
            Some(OnlineAnswer::Replayed) => {
                b.fail(
                    "show.single_use",
                    Some(hex::encode(&token.token_id)),
                    SubIndication::SigConstraintsFailure,
                    Reason::new(
                        "亮证码已被使用过（重放）",
                        "the show token was used before: replayed",
                    ),
                );
                return;
            }
            Some(OnlineAnswer::Refused(why)) => {
                b.fail(
                    "show.single_use",
                    Some(hex::encode(&token.token_id)),
                    SubIndication::SigConstraintsFailure,
                    Reason::new(
                        format!("签发地节点拒绝了亮证码：{why}"),
                        format!("the issuing node refused the token: {why}"),
                    ),
                );
                return;
            }
            Some(OnlineAnswer::Unreachable(why)) => {
                b.indeterminate(
                    "show.single_use",
                    Some(hex::encode(&token.token_id)),
                    SubIndication::TryLater,
                    Reason::new(
                        format!("无法联系签发地节点：{why}"),
                        format!("the issuing node cannot be reached: {why}"),
                    ),
                );
                return;
            }
            Some(OnlineAnswer::Redeemed {
                license_id,
                claims,
                presentation,
            }) => {
                b.pass(
                    "show.single_use",
                    Some(hex::encode(&token.token_id)),
                    Reason::new(
                        "签发地节点已核销该亮证码（首次使用）",
                        "the issuing node redeemed the token (first use)",
                    ),
                );
                super::license::verify(b, found, presentation.as_bytes(), ctx);
                (license_id.clone(), claims.clone())
            }
        },
    };
    // Only the chosen claims are shown; the holder's name and masked code beside them.
    let holder = found
        .claims
        .get("holder")
        .and_then(|v| v.as_str())
        .map(str::to_string);
    let code = found
        .claims
        .get("holder_code")
        .and_then(|v| v.as_str())
        .map(show::mask_code);
    let missing: Vec<&str> = chosen
        .iter()
        .filter(|n| !found.claims.contains_key(n.as_str()))
        .map(String::as_str)
        .collect();
    found.claims.retain(|k, _| chosen.contains(k));
    if missing.is_empty() {
        b.pass(
            "show.disclosed",
            Some(chosen.join(",")),
            Reason::new(
                format!("出示了持证人选择的 {} 项信息", chosen.len()),
                format!("the {} claims the holder chose are disclosed", chosen.len()),
            ),
        );
    } else {
        b.fail(
            "show.disclosed",
            Some(missing.join(",")),
            SubIndication::SignedDataNotFound,
            Reason::new(
                format!("亮证码所列信息未能核验：{}", missing.join("、")),
                format!(
                    "claims the token names did not check: {}",
                    missing.join(", ")
                ),
            ),
        );
    }
    found.shown = Some(Shown {
        mode: token.mode(),
        token_id: hex::encode(&token.token_id),
        license_id,
        expires_at: token.expires_at,
        audience: token.audience.clone(),
        chosen,
        holder_name: holder,
        holder_code_masked: code,
    });
}
