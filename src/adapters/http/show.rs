//! Show-license routes: `POST /v1/show` (a signed-in holder makes a QR code for one of
//! their licenses), `POST /v1/federation/show-tokens:prepare` (the license's issuing
//! node prepares a token for the holder's node: records an online token's id, or signs
//! an offline token's attestation), `POST /v1/federation/show-tokens:redeem` (the
//! issuing node redeems an online token for a verifying node), both over signed
//! node-to-node calls, and the verifying side of an online token
//! ([`redeem_at_issuer`]).
//! Must not touch: token formats or checks — those are [`crate::show`],
//! [`crate::verify`] and [`crate::service::show`].

use super::error::ApiError;
use super::extract::ApiJson;
use super::holder::Holder;
use super::holder_licenses::holder_license;
use super::node_call::SignedCall;
use super::state::{AppState, Node};
use crate::service::show::{
    finish_show, new_token_id, plan_show, prepare, redeem, HeldCredential, PrepareRequest,
    Prepared, RedeemError, ShowRequest, ShowService,
};
use crate::service::trust_list::CurrentTrustList;
use crate::service::ServiceError;
use crate::show::{read_token, Body};
use crate::verify::{OnlineAnswer, Policy};
use axum::extract::State;
use axum::Json;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde::{Deserialize, Serialize};

/// The federation path an online token is redeemed at.
pub const REDEEM_PATH: &str = "/v1/federation/show-tokens:redeem";
/// The federation path a token is prepared at.
pub const PREPARE_PATH: &str = "/v1/federation/show-tokens:prepare";

/// `POST /v1/show`'s answer.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ShowAnswer {
    /// The QR text (`DS1:` …).
    pub text: String,
    /// The QR code, PNG, base64.
    pub png: String,
    /// The QR code, SVG.
    pub svg: String,
    /// When the token expires (RFC 3339).
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub expires_at: time::OffsetDateTime,
    /// The QR version (1-40).
    pub version: i16,
    /// The token id, hex.
    pub token_id: String,
}

/// Make a show token (QR code) for one of the signed-in holder's licenses.
#[utoipa::path(post, path = "/v1/show", request_body = ShowRequest,
    responses((status = 200, description = "text, png (base64), svg, expires_at, version, token_id"),
        (status = 401, description = "problem+json unauthenticated"),
        (status = 404, description = "problem+json not_found: no such license of this holder"),
        (status = 422, description = "problem+json invalid_request: ttl_s, disclose, audience")))]
pub async fn show(
    State(node): State<AppState>,
    holder: Holder,
    ApiJson(req): ApiJson<ShowRequest>,
) -> Result<Json<ShowAnswer>, ApiError> {
    let license = holder_license(&node, &holder, &req.license).await?;
    let credential = license.credential.clone().ok_or(ApiError::NotFound)?;
    let current = node.trust_list_for_verify().await?;
    let held = HeldCredential {
        identifier: license.identifier.clone(),
        type_code: license.type_code.clone(),
        holder_code: holder.holder_code.clone(),
        sd_jwt: credential,
    };
    let claims_holder = crate::holder::licenses::disclosed_claims(&held.sd_jwt)
        .ok()
        .and_then(|c| {
            c.get("holder_code")
                .and_then(|v| v.as_str())
                .map(str::to_string)
        });
    if claims_holder.as_deref() != Some(holder.holder_code.as_str()) {
        return Err(ApiError::NotFound);
    }
    let plan = plan_show(&held, &holder.holder_code, &req, node.now(), new_token_id())?;
    let uscc = license
        .identifier
        .parse::<crate::license::Identifier>()
        .ok();
    let uscc = uscc
        .map(|i| i.issuer_code().to_string())
        .ok_or(ApiError::NotFound)?;
    let prepared = prepare_at_issuer(&node, &current, &uscc, &plan.prepare).await?;
    let n = node.clone();
    let shown = tokio::task::spawn_blocking(move || {
        let (province, party) = n
            .show_signer()
            .ok_or_else(|| ApiError::Unavailable("this node has no show-license service".into()))?;
        let service = ShowService {
            province,
            signer: party.signer.as_ref(),
            cert_der: &party.cert,
        };
        finish_show(service, &plan, prepared).map_err(ApiError::from)
    })
    .await
    .map_err(|e| ApiError::Internal(e.to_string()))??;
    Ok(Json(ShowAnswer {
        text: shown.text,
        png: STANDARD.encode(&shown.png),
        svg: shown.svg,
        expires_at: shown.expires_at,
        version: shown.version,
        token_id: shown.token_id,
    }))
}

/// The prepare call's answer: for an offline token, the agency's attestation (base64).
#[derive(Debug, Serialize, Deserialize)]
pub struct PrepareAnswer {
    /// The province of the issuing node.
    pub province: crate::pki::Province,
    /// The attestation, base64 (offline tokens).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attestation: Option<String>,
}

/// Have the issuing node of the agency `uscc` — this node, when it hosts the agency,
/// or its province's node in the trust list — prepare the token.
async fn prepare_at_issuer(
    node: &Node,
    current: &CurrentTrustList,
    uscc: &str,
    req: &PrepareRequest,
) -> Result<Prepared, ApiError> {
    let (caller, _) = node
        .show_signer()
        .ok_or_else(|| ApiError::Unavailable("this node has no show-license service".into()))?;
    if node.agency(uscc).is_some() {
        return prepare_here(node, caller, req)
            .await
            .map_err(ApiError::from);
    }
    let Some(p) = current
        .verified
        .list
        .provinces
        .iter()
        .find(|p| p.issuing_agencies.iter().any(|a| a.uscc == uscc))
    else {
        return Err(ApiError::Unavailable(
            "the license's issuing agency is not in the trust list".into(),
        ));
    };
    let body = serde_json::to_vec(req).map_err(|e| ApiError::Internal(e.to_string()))?;
    let a = crate::adapters::signed_calls::call(
        node,
        &p.node_url,
        reqwest::Method::POST,
        PREPARE_PATH,
        Some(body),
    )
    .await
    .map_err(|e| ApiError::Unavailable(format!("the issuing node: {e}")))?;
    if a.status != 200 {
        return Err(ApiError::Unavailable(format!(
            "the issuing node answered {}: {}",
            a.status,
            String::from_utf8_lossy(&a.body[..a.body.len().min(300)])
        )));
    }
    let answer: PrepareAnswer = serde_json::from_slice(&a.body)
        .map_err(|e| ApiError::Unavailable(format!("the issuing node's answer: {e}")))?;
    if answer.province != p.code {
        return Err(ApiError::Unavailable(
            "the issuing node answered for another province".into(),
        ));
    }
    match (req.mode, answer.attestation) {
        (crate::show::Mode::Online, None) => Ok(Prepared::Online {
            province: answer.province,
        }),
        (crate::show::Mode::Offline, Some(b64)) => Ok(Prepared::Offline {
            province: answer.province,
            attestation: STANDARD.decode(b64).map_err(|_| {
                ApiError::Unavailable("the issuing node's attestation is not base64".into())
            })?,
        }),
        _ => Err(ApiError::Unavailable(
            "the issuing node prepared another mode".into(),
        )),
    }
}

async fn prepare_here(
    node: &Node,
    caller: crate::pki::Province,
    req: &PrepareRequest,
) -> Result<Prepared, ServiceError> {
    prepare(
        &node.store,
        |uscc| node.agency(uscc),
        caller,
        req,
        node.now(),
        Policy::default().show_clock_skew_s,
    )
    .await
}

/// `POST /v1/federation/show-tokens:prepare`: the holder's node (signed call) has this
/// node, the license's issuing node, prepare a token: record an online token's id with
/// the license and the chosen claims, or sign an offline token's attestation.
pub async fn prepare_route(
    State(node): State<AppState>,
    call: SignedCall,
) -> Result<Json<PrepareAnswer>, ApiError> {
    let req: PrepareRequest =
        serde_json::from_slice(&call.body).map_err(|e| ApiError::InvalidBody(e.to_string()))?;
    let prepared = prepare_here(&node, call.caller.province, &req).await?;
    tracing::info!(
        caller = call.caller.province.abbrev(),
        mode = req.mode.name(),
        "show token prepared"
    );
    Ok(Json(match prepared {
        Prepared::Online { province } => PrepareAnswer {
            province,
            attestation: None,
        },
        Prepared::Offline {
            province,
            attestation,
        } => PrepareAnswer {
            province,
            attestation: Some(STANDARD.encode(attestation)),
        },
    }))
}

/// The redeem call's body.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RedeemBody {
    /// The QR text.
    pub token: String,
}

/// The redeem call's answer: `redeemed` with the presentation, `replayed`, or
/// `refused` with the reason.
#[derive(Debug, Serialize, Deserialize)]
pub struct RedeemAnswer {
    /// `redeemed`, `replayed` or `refused`.
    pub outcome: String,
    /// The presentation (`redeemed`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub presentation: Option<String>,
    /// The license (`redeemed`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub license: Option<String>,
    /// The chosen claims (`redeemed`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claims: Option<Vec<String>>,
    /// Why (`refused`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// `POST /v1/federation/show-tokens:redeem`: a verifying node (signed call) redeems an
/// online token of a license this node issued; single use across the province's nodes.
pub async fn redeem_route(
    State(node): State<AppState>,
    call: SignedCall,
) -> Result<Json<RedeemAnswer>, ApiError> {
    let body: RedeemBody =
        serde_json::from_slice(&call.body).map_err(|e| ApiError::InvalidBody(e.to_string()))?;
    let current = node.trust_list_for_verify().await?;
    let answer = redeem_here(&node, &current, &body.token).await;
    tracing::info!(
        caller = call.caller.province.abbrev(),
        outcome = answer.outcome.as_str(),
        "show token redeemed"
    );
    Ok(Json(answer))
}

async fn redeem_here(node: &Node, current: &CurrentTrustList, token: &str) -> RedeemAnswer {
    match redeem(
        &node.store,
        &current.verified,
        &Policy::default(),
        token,
        node.now(),
    )
    .await
    {
        Ok(r) => RedeemAnswer {
            outcome: "redeemed".into(),
            presentation: Some(r.presentation),
            license: Some(r.license_id),
            claims: Some(r.claims),
            reason: None,
        },
        Err(RedeemError::Replayed) => RedeemAnswer {
            outcome: "replayed".into(),
            presentation: None,
            license: None,
            claims: None,
            reason: None,
        },
        Err(e) => RedeemAnswer {
            outcome: "refused".into(),
            presentation: None,
            license: None,
            claims: None,
            reason: Some(e.to_string()),
        },
    }
}

/// For an online token whose own checks pass (audience included): ask the license's
/// issuing node to redeem it — this node itself when it hosts the issuing agency —
/// and say what it answered. `None` for anything that is no online token.
pub async fn redeem_at_issuer(
    node: &Node,
    current: &CurrentTrustList,
    text: &str,
    policy: &Policy,
) -> Option<OnlineAnswer> {
    let (_, token) = read_token(text).ok()?;
    let Body::Online { province } = token.body else {
        return None;
    };
    let ctx = crate::verify::Context::new(&current.verified, node.now(), policy);
    let (_, checked) = crate::verify::show::check_token(text, &ctx, true);
    checked.as_ref()?;
    if node.hosts_province(province) {
        let a = redeem_here(node, current, text).await;
        return Some(to_answer(a));
    }
    let list = &current.verified.list;
    let Some(p) = list.provinces.iter().find(|p| p.code == province) else {
        return Some(OnlineAnswer::Refused(
            "the issuing province is not in the trust list".into(),
        ));
    };
    let body = serde_json::to_vec(&RedeemBody {
        token: text.to_string(),
    })
    .ok()?;
    match crate::adapters::signed_calls::call(
        node,
        &p.node_url,
        reqwest::Method::POST,
        REDEEM_PATH,
        Some(body),
    )
    .await
    {
        Err(e) => Some(OnlineAnswer::Unreachable(e.to_string())),
        Ok(a) if a.status != 200 => Some(OnlineAnswer::Unreachable(format!(
            "the issuing node answered {}",
            a.status
        ))),
        Ok(a) => match serde_json::from_slice::<RedeemAnswer>(&a.body) {
            Ok(r) => Some(to_answer(r)),
            Err(e) => Some(OnlineAnswer::Unreachable(format!("unreadable answer: {e}"))),
        },
    }
}

fn to_answer(a: RedeemAnswer) -> OnlineAnswer {
    match (a.outcome.as_str(), a.presentation, a.license, a.claims) {
        ("redeemed", Some(presentation), Some(license_id), Some(claims)) => {
            OnlineAnswer::Redeemed {
                license_id,
                claims,
                presentation,
            }
        }
        ("replayed", ..) => OnlineAnswer::Replayed,
        _ => OnlineAnswer::Refused(a.reason.unwrap_or_else(|| "refused".into())),
    }
}
