//! Showing a license (亮证) and redeeming an online show token.
//!
//! [`make_show`]: the holder's node, for a holder whose code it has authenticated,
//! signs a show token with its province's show-license service and renders the QR
//! code. [`redeem`]: the license's issuing node checks an online token, records its
//! token id as used in the shared store (single use across the province's nodes) and
//! answers with the SD-JWT presentation of the chosen claims (and the holder's name and
//! code, for the clerk's comparison).

use super::store::{LicenseStore, ShowUseStore, StoreError};
use super::ServiceError;
use crate::crypto::Signer;
use crate::license::sdjwt::{self, SdJwt, StatusRef};
use crate::pki::Province;
use crate::qr::image::Qr;
use crate::show::{
    pack_offline, sign_token, Body, Mode, ShowToken, DEFAULT_TTL_S, HOLDER_CLAIMS, MAX_DISCLOSE,
    MAX_TTL_S, TOKEN_ID_LEN,
};
use crate::trust_list::VerifiedTrustList;
use crate::verify::{Context, OnlineAnswer, Policy};
use time::OffsetDateTime;

/// The province's show-license service: its signer and certificate.
#[derive(Clone, Copy)]
pub struct ShowService<'a> {
    /// The province.
    pub province: Province,
    /// The service's key.
    pub signer: &'a dyn Signer,
    /// Its certificate (DER): the token's kid names it.
    pub cert_der: &'a [u8],
}

/// A credential the holder's node holds (its own store, or gathered from the issuing
/// province's node).
#[derive(Debug, Clone)]
pub struct HeldCredential {
    /// GB/T 36904 identifier.
    pub identifier: String,
    /// National type code.
    pub type_code: String,
    /// The holder's code.
    pub holder_code: String,
    /// The SD-JWT with every disclosure (`jwt~d1~…~dn~`).
    pub sd_jwt: String,
}

/// `POST /v1/show`.
#[derive(Debug, Clone, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ShowRequest {
    /// The license identifier.
    pub license: String,
    /// The claim names to show (1-32).
    pub disclose: Vec<String>,
    /// Time to live, seconds (default 120, at most 600).
    #[serde(default)]
    pub ttl_s: Option<u32>,
    /// `online` (default) or `offline`.
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub mode: Option<Mode>,
    /// The verifier the token is for (a province code or a verifier's name).
    #[serde(default)]
    pub audience: Option<String>,
}

/// A made show token.
#[derive(Debug, Clone)]
pub struct Shown {
    /// The QR text.
    pub text: String,
    /// The QR code as PNG.
    pub png: Vec<u8>,
    /// The QR code as SVG.
    pub svg: String,
    /// The QR version (1-40).
    pub version: i16,
    /// When the token expires.
    pub expires_at: OffsetDateTime,
    /// The token id, hex.
    pub token_id: String,
}

/// A fresh random token id.
pub fn new_token_id() -> [u8; TOKEN_ID_LEN] {
    rand::random()
}

fn invalid(m: impl Into<String>) -> ServiceError {
    ServiceError::InvalidRequest(m.into())
}

/// The status reference a credential's payload names.
fn status_of(sd: &SdJwt) -> Result<StatusRef, ServiceError> {
    let s = sd
        .jws
        .payload
        .get("status")
        .and_then(|s| s.get("status_list"))
        .ok_or_else(|| ServiceError::Internal("the credential has no status reference".into()))?;
    let idx = s.get("idx").and_then(serde_json::Value::as_u64);
    let uri = s.get("uri").and_then(serde_json::Value::as_str);
    match (idx, uri) {
        (Some(idx), Some(uri)) => Ok(StatusRef {
            idx: usize::try_from(idx).map_err(|_| invalid("status index out of range"))?,
            uri: uri.to_string(),
        }),
        _ => Err(ServiceError::Internal(
            "the credential's status reference is malformed".into(),
        )),
    }
}

/// Make a show token for `holder_code` (authenticated by the caller) over `cred`,
/// signed by `service`, at `now`, with token id `token_id` ([`new_token_id`]).
pub fn make_show(
    service: ShowService<'_>,
    trust: &VerifiedTrustList,
    cred: &HeldCredential,
    holder_code: &str,
    req: &ShowRequest,
    now: OffsetDateTime,
    token_id: [u8; TOKEN_ID_LEN],
) -> Result<Shown, ServiceError> {
    if cred.holder_code != holder_code {
        return Err(ServiceError::NotOwner);
    }
    if req.license != cred.identifier {
        return Err(ServiceError::NotFound);
    }
    if !cred.identifier.starts_with("1.2.156.3005.2.") {
        return Err(ServiceError::Internal("not a GB/T 36904 identifier".into()));
    }
    let ttl = req.ttl_s.unwrap_or(DEFAULT_TTL_S);
    if ttl == 0 || ttl > MAX_TTL_S {
        return Err(invalid(format!("ttl_s must be 1-{MAX_TTL_S} seconds")));
    }
    if req.disclose.is_empty() || req.disclose.len() > MAX_DISCLOSE {
        return Err(invalid(format!("disclose 1-{MAX_DISCLOSE} claims")));
    }
    if let Some(a) = &req.audience {
        if a.is_empty()
            || a.len() > 64
            || !crate::qr::image::is_alphanumeric(&a.to_ascii_uppercase())
        {
            return Err(invalid(
                "audience: 1-64 letters, digits or - . : characters",
            ));
        }
    }
    let sd = SdJwt::parse(&cred.sd_jwt).map_err(|e| ServiceError::Internal(e.to_string()))?;
    for (i, name) in req.disclose.iter().enumerate() {
        if req.disclose[..i].contains(name) {
            return Err(invalid(format!("{name:?} is chosen twice")));
        }
        if !sd.disclosures.iter().any(|d| d.name == *name) {
            return Err(invalid(format!("the license has no claim {name:?}")));
        }
    }
    let mode = req.mode.unwrap_or(Mode::Online);
    let body = match mode {
        Mode::Online => Body::Online {
            claims: req.disclose.clone(),
        },
        Mode::Offline => {
            let status = status_of(&sd)?;
            let packed = pack_offline(
                &cred.sd_jwt,
                &req.disclose,
                &cred.type_code,
                status,
                &trust.list,
            )
            .map_err(|e| invalid(e.to_string()))?;
            Body::Offline(Box::new(packed))
        }
    };
    let issued_at = now.unix_timestamp();
    let expires_at = issued_at + i64::from(ttl);
    let token = ShowToken {
        issuer: service.province,
        audience: req.audience.as_ref().map(|a| a.to_ascii_uppercase()),
        issued_at,
        expires_at,
        token_id: token_id.to_vec(),
        license_id: cred.identifier.clone(),
        body,
    };
    let text = sign_token(&token, service.signer, service.cert_der)
        .map_err(|e| ServiceError::Internal(e.to_string()))?;
    let qr =
        Qr::new(&text).map_err(|e| invalid(format!("the token does not fit a QR code: {e}")))?;
    Ok(Shown {
        png: qr.png(),
        svg: qr.svg(),
        version: qr.version(),
        text,
        expires_at: OffsetDateTime::from_unix_timestamp(expires_at)
            .map_err(|e| ServiceError::Internal(e.to_string()))?,
        token_id: hex::encode(token_id),
    })
}

/// Why the issuing node refuses to redeem an online token.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RedeemError {
    /// The token id was redeemed before.
    #[error("the show token was used before")]
    Replayed,
    /// The token is not one this node redeems (does not verify, expired, offline, a
    /// license of another node…); the text says which check.
    #[error("{0}")]
    Refused(String),
    /// The store failed.
    #[error(transparent)]
    Storage(#[from] StoreError),
}

impl RedeemError {
    /// As the verifying node records it.
    pub fn to_answer(&self) -> OnlineAnswer {
        match self {
            RedeemError::Replayed => OnlineAnswer::Replayed,
            RedeemError::Refused(why) => OnlineAnswer::Refused(why.clone()),
            RedeemError::Storage(e) => OnlineAnswer::Unreachable(e.to_string()),
        }
    }
}

/// At the license's issuing node: check the online token `text` (show service,
/// signature, expiry with `policy`'s skew), find the license in `store`, record the
/// token id as used until it expires, and answer the presentation of the chosen claims
/// plus the holder's name and code.
pub async fn redeem<S: LicenseStore + ShowUseStore>(
    store: &S,
    trust: &VerifiedTrustList,
    policy: &Policy,
    text: &str,
    now: OffsetDateTime,
) -> Result<String, RedeemError> {
    let ctx = Context::new(trust, now, policy);
    let (report, token) = crate::verify::show::check_token(text, &ctx, false);
    let Some(token) = token else {
        let why = report.decisive_check().map_or_else(
            || "the token does not verify".to_string(),
            |c| format!("{}: {}", c.code, c.reason.en),
        );
        return Err(RedeemError::Refused(why));
    };
    let Body::Online { claims } = &token.body else {
        return Err(RedeemError::Refused(
            "an offline token is not redeemed".into(),
        ));
    };
    let record = match store.license(&token.license_id).await {
        Ok(r) => r,
        Err(StoreError::NotFound) => {
            return Err(RedeemError::Refused("no such license at this node".into()))
        }
        Err(e) => return Err(e.into()),
    };
    let mut reveal: Vec<&str> = claims.iter().map(String::as_str).collect();
    for h in HOLDER_CLAIMS {
        if !reveal.contains(&h) {
            reveal.push(h);
        }
    }
    let presentation = sdjwt::present(&record.credential, &reveal)
        .map_err(|e| RedeemError::Refused(e.to_string()))?;
    let keep_until = token.expires_at + i64::from(policy.show_clock_skew_s);
    let first = store
        .first_show_use(
            token.issuer.abbrev(),
            &hex::encode(&token.token_id),
            &token.license_id,
            keep_until,
            now.unix_timestamp(),
        )
        .await?;
    if !first {
        return Err(RedeemError::Replayed);
    }
    Ok(presentation)
}
