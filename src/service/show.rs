//! Showing a license (亮证) and redeeming an online show token.
//!
//! Making a token takes both nodes. The holder's node, for a holder whose code it has
//! authenticated, plans the token ([`plan_show`]: the request checked, token id and
//! times fixed). The license's issuing node prepares it ([`prepare`]): for an online
//! token it records the token id with the license and the chosen claims (in the
//! shared store, for every node of its province); for an offline token its agency
//! signs the attestation of the chosen claims ([`attest`]). The holder's node then
//! signs the token with its province's show-license service and renders the QR code
//! ([`finish_show`]). [`redeem`]: the issuing node checks an online token, records its
//! token id as used (single use across the province's nodes) and answers with the
//! SD-JWT presentation of the chosen claims (and the holder's name and code, for the
//! clerk's comparison).

use super::store::{LicenseStore, ShowUseStore, StoreError};
use super::ServiceError;
use crate::crypto::Signer;
use crate::license::sdjwt::{self, SdJwt, StatusRef};
use crate::license::Agency;
use crate::pki::Province;
use crate::qr::image::Qr;
use crate::show::{
    sign_token, Attestation, Body, Mode, ShowToken, DEFAULT_TTL_S, HOLDER_CLAIMS, MAX_DISCLOSE,
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

/// What the holder's node asks the license's issuing node to prepare for a token.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrepareRequest {
    /// The license identifier.
    pub license: String,
    /// The holder's code, as the holder's node authenticated it.
    pub holder_code: String,
    /// The chosen claims.
    pub claims: Vec<String>,
    /// `online` or `offline`.
    pub mode: Mode,
    /// The token id, hex.
    pub token_id: String,
    /// The token's expiry, Unix seconds.
    pub expires_at: i64,
}

/// A token planned at the holder's node, waiting for the issuing node's part.
#[derive(Debug, Clone)]
pub struct ShowPlan {
    /// What to ask the issuing node.
    pub prepare: PrepareRequest,
    issued_at: i64,
    audience: Option<String>,
    token_id: [u8; TOKEN_ID_LEN],
}

/// What the issuing node prepared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Prepared {
    /// The token id is recorded at the issuing node of `province`.
    Online {
        /// The issuing node's province.
        province: Province,
    },
    /// The agency's attestation (COSE_Sign1), made at the issuing node of `province`.
    Offline {
        /// The issuing node's province.
        province: Province,
        /// its bytes
        attestation: Vec<u8>,
    },
}

fn check_claims(sd: &SdJwt, claims: &[String]) -> Result<(), ServiceError> {
    if claims.is_empty() || claims.len() > MAX_DISCLOSE {
        return Err(invalid(format!("disclose 1-{MAX_DISCLOSE} claims")));
    }
    for (i, name) in claims.iter().enumerate() {
        if claims[..i].contains(name) {
            return Err(invalid(format!("{name:?} is chosen twice")));
        }
        if !sd.disclosures.iter().any(|d| d.name == *name) {
            return Err(invalid(format!("the license has no claim {name:?}")));
        }
    }
    Ok(())
}

/// At the holder's node: check `req` for `holder_code` (authenticated by the caller)
/// over `cred`, at `now`, with token id `token_id` ([`new_token_id`]).
pub fn plan_show(
    cred: &HeldCredential,
    holder_code: &str,
    req: &ShowRequest,
    now: OffsetDateTime,
    token_id: [u8; TOKEN_ID_LEN],
) -> Result<ShowPlan, ServiceError> {
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
    check_claims(&sd, &req.disclose)?;
    let issued_at = now.unix_timestamp();
    Ok(ShowPlan {
        prepare: PrepareRequest {
            license: cred.identifier.clone(),
            holder_code: holder_code.to_string(),
            claims: req.disclose.clone(),
            mode: req.mode.unwrap_or(Mode::Online),
            token_id: hex::encode(token_id),
            expires_at: issued_at + i64::from(ttl),
        },
        issued_at,
        audience: req.audience.as_ref().map(|a| a.to_ascii_uppercase()),
        token_id,
    })
}

/// At the holder's node: sign the planned token with `service` around what the issuing
/// node `prepared`, and render its QR code.
pub fn finish_show(
    service: ShowService<'_>,
    plan: &ShowPlan,
    prepared: Prepared,
) -> Result<Shown, ServiceError> {
    let body = match (plan.prepare.mode, prepared) {
        (Mode::Online, Prepared::Online { province }) => Body::Online { province },
        (Mode::Offline, Prepared::Offline { attestation, .. }) => Body::Offline { attestation },
        _ => {
            return Err(ServiceError::Internal(
                "the issuing node prepared another mode".into(),
            ))
        }
    };
    let token = ShowToken {
        issuer: service.province,
        audience: plan.audience.clone(),
        issued_at: plan.issued_at,
        expires_at: plan.prepare.expires_at,
        token_id: plan.token_id.to_vec(),
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
        expires_at: OffsetDateTime::from_unix_timestamp(token.expires_at)
            .map_err(|e| ServiceError::Internal(e.to_string()))?,
        token_id: hex::encode(plan.token_id),
    })
}

/// At the issuing node: `agency`'s attestation of the claims `req` names (and the
/// holder's name and code) of `credential`, valid until the token expires.
pub fn attest(
    agency: &Agency,
    credential: &str,
    req: &PrepareRequest,
) -> Result<Vec<u8>, ServiceError> {
    let sd = SdJwt::parse(credential).map_err(|e| ServiceError::Internal(e.to_string()))?;
    check_claims(&sd, &req.claims)?;
    let status = status_of(&sd)?;
    let type_code = sd
        .jws
        .payload
        .get("vct")
        .and_then(serde_json::Value::as_str)
        .and_then(sdjwt::type_code_of)
        .ok_or_else(|| ServiceError::Internal("the credential names no type".into()))?
        .to_string();
    let local_type_code = sd
        .jws
        .payload
        .get(sdjwt::LOCAL_TYPE_CODE)
        .and_then(serde_json::Value::as_str)
        .map(str::to_string);
    let value = |name: &str| {
        sd.disclosures
            .iter()
            .find(|d| d.name == name)
            .map(|d| (name.to_string(), d.value.clone()))
    };
    let claims = req.claims.iter().filter_map(|n| value(n)).collect();
    let holder = HOLDER_CLAIMS
        .into_iter()
        .filter(|h| !req.claims.iter().any(|c| c == h))
        .filter_map(value)
        .collect();
    let a = Attestation {
        license_id: req.license.clone(),
        type_code,
        local_type_code,
        status,
        expires_at: req.expires_at,
        claims,
        holder,
    };
    let leaf = agency
        .chain()
        .first()
        .ok_or_else(|| ServiceError::Internal("the agency has no certificate".into()))?;
    a.sign(agency.signer(), leaf)
        .map_err(|e| ServiceError::Internal(e.to_string()))
}

/// At the license's issuing node: prepare the token `req` describes for the show
/// service of `caller`, at `now`: the license must be here and the holder's; an online
/// token's id is recorded with the license and the claims until it expires (plus
/// `skew_s`); an offline token gets the attestation of the agency `agency_of` finds by
/// USCC.
pub async fn prepare<S: LicenseStore + ShowUseStore + super::store::ArchiveStore>(
    store: &S,
    agency_of: impl Fn(&str) -> Option<std::sync::Arc<Agency>>,
    caller: Province,
    req: &PrepareRequest,
    now: OffsetDateTime,
    skew_s: u32,
) -> Result<Prepared, ServiceError> {
    let life = req.expires_at - now.unix_timestamp();
    if life <= 0 || life > i64::from(MAX_TTL_S) + i64::from(skew_s) {
        return Err(invalid(format!(
            "expires_at must be within {MAX_TTL_S} s from now"
        )));
    }
    if req.token_id.len() != 2 * TOKEN_ID_LEN || hex::decode(&req.token_id).is_err() {
        return Err(invalid("token_id is not 8 bytes of hex"));
    }
    let record = match store.license(&req.license).await {
        Ok(r) => r,
        Err(StoreError::NotFound) => return Err(ServiceError::NotFound),
        Err(e) => return Err(e.into()),
    };
    if record.holder_code != req.holder_code {
        return Err(ServiceError::NotOwner);
    }
    let uscc = record
        .identifier
        .parse::<crate::license::Identifier>()
        .map_err(|e| ServiceError::Internal(e.to_string()))?
        .issuer_code()
        .to_string();
    let agency = agency_of(&uscc).ok_or(ServiceError::SignerNotListed)?;
    match req.mode {
        Mode::Online => {
            let sd = SdJwt::parse(&record.credential)
                .map_err(|e| ServiceError::Internal(e.to_string()))?;
            check_claims(&sd, &req.claims)?;
            let fresh = store
                .register_show_token(
                    caller.abbrev(),
                    &req.token_id,
                    &record.identifier,
                    &req.claims,
                    req.expires_at,
                    req.expires_at + i64::from(skew_s),
                    now.unix_timestamp(),
                )
                .await?;
            if !fresh {
                return Err(invalid("the token id is taken"));
            }
            Ok(Prepared::Online {
                province: agency.province(),
            })
        }
        Mode::Offline => {
            let attestation = attest(&agency, &record.credential, req)?;
            // on the record before the attestation is handed out
            let entry = crate::archive::entry::Entry::of(
                crate::archive::entry::Act::ShowTokenIssued,
                &record.identifier,
                &crate::archive::entry::show_record(
                    "offline",
                    caller.abbrev(),
                    &req.token_id,
                    &req.claims,
                    req.expires_at,
                ),
                now.unix_timestamp(),
            );
            store.archive_append(&[entry]).await?;
            Ok(Prepared::Offline {
                province: agency.province(),
                attestation,
            })
        }
    }
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
) -> Result<Redeemed, RedeemError> {
    let ctx = Context::new(trust, now, policy);
    let (report, token) = crate::verify::show::check_token(text, &ctx, false);
    let Some(token) = token else {
        let why = report.decisive_check().map_or_else(
            || "the token does not verify".to_string(),
            |c| format!("{}: {}", c.code, c.reason.en),
        );
        return Err(RedeemError::Refused(why));
    };
    if !matches!(token.body, Body::Online { .. }) {
        return Err(RedeemError::Refused(
            "an offline token is not redeemed".into(),
        ));
    }
    let token_hex = hex::encode(&token.token_id);
    let Some((license_id, claims)) = store.show_token(token.issuer.abbrev(), &token_hex).await?
    else {
        return Err(RedeemError::Refused(
            "no such token was made for a license of this node".into(),
        ));
    };
    let record = match store.license(&license_id).await {
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
            &token_hex,
            &license_id,
            keep_until,
            now.unix_timestamp(),
        )
        .await?;
    if !first {
        return Err(RedeemError::Replayed);
    }
    Ok(Redeemed {
        license_id,
        claims,
        presentation,
    })
}

/// What redeeming an online token gives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redeemed {
    /// The license.
    pub license_id: String,
    /// The chosen claims.
    pub claims: Vec<String>,
    /// The SD-JWT presentation of the chosen claims and the holder's name and code.
    pub presentation: String,
}
