//! Consents and retrieval by an agency ([`crate::service::consent`]).
//!
//! The signed-in holder: `POST /v1/holder/consents` (grant), `GET /v1/holder/consents`,
//! `POST /v1/holder/consents/{id}/revoke`, `GET /v1/holder/accesses` (every access made
//! under their consents).
//!
//! An agency, with its request token: `GET /v1/holders/{holder_code}/licenses?type=…&
//! consent=…[&claims=a,b]`. Its node asks the node that keeps the consent (named by the
//! consent id's province) over the signed federation route `POST
//! /v1/federation/consents/retrieve`, or answers itself when it keeps it; then verifies
//! every presentation handed over with the engine and answers each with its verdict.
//! Refusals are `403` problem+json, each with its own code (the keeping node's refusal
//! is relayed as it gave it).

use super::auth::AuthenticatedAgency;
use super::error::ApiError;
use super::extract::{ApiJson, ApiPath};
use super::holder::Holder;
use super::holder_licenses::{problem_detail, NodePeers};
use super::node_call::SignedCall;
use super::state::AppState;
use crate::consent::{self, Access, Consent, Grant, Refusal};
use crate::pki::Province;
use crate::service::consent::{
    self as consents, Ask, GrantingHolder, Keeper, Presented, Retrieved,
};
use crate::service::trust_list::CurrentTrustList;
use crate::verify::Verdict;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};

/// The federation route's path.
pub const FEDERATION_PATH: &str = "/v1/federation/consents/retrieve";

/// `POST /v1/holder/consents`.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GrantBody {
    /// The agency's USCC (an issuing agency of the trust list, of any province).
    pub agency: String,
    /// Every license of this type; or give `license`.
    #[serde(default)]
    pub type_code: Option<String>,
    /// One license of the holder's (its identifier).
    #[serde(default)]
    pub license: Option<String>,
    /// The matter (事项) the agency handles.
    pub purpose: String,
    /// The claims the agency may see.
    pub claims: Vec<String>,
    /// Until when, RFC 3339.
    pub until: String,
}

/// `POST /v1/holder/consents`: grant a consent.
pub async fn grant(
    State(node): State<AppState>,
    holder: Holder,
    ApiJson(body): ApiJson<GrantBody>,
) -> Result<(StatusCode, Json<Consent>), ApiError> {
    let until =
        time::OffsetDateTime::parse(&body.until, &time::format_description::well_known::Rfc3339)
            .map_err(|_| ApiError::InvalidRequest("until must be an RFC 3339 time".into()))?
            .unix_timestamp();
    let (type_code, license) = match (body.type_code, body.license) {
        (Some(t), None) => {
            if t.is_empty() || t.len() > 64 {
                return Err(ApiError::InvalidRequest(
                    "type_code must be 1-64 characters".into(),
                ));
            }
            (t, None)
        }
        (None, Some(id)) => {
            let l = super::holder_licenses::holder_license(&node, &holder, &id).await?;
            (l.type_code, Some(l.identifier))
        }
        _ => {
            return Err(ApiError::InvalidRequest(
                "give either type_code (every license of a type) or license (one license)".into(),
            ))
        }
    };
    let current = node.trust_list_for_verify().await?;
    let c = consents::grant(
        &node.store,
        &current.verified.list,
        node.show_service().map(|(p, _)| p),
        GrantingHolder {
            code: &holder.holder_code,
            kind: holder.holder_code_type,
        },
        Grant {
            agency_uscc: body.agency,
            type_code,
            license,
            purpose: body.purpose,
            claims: body.claims,
            until,
        },
        node.now().unix_timestamp(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(c)))
}

/// `GET /v1/holder/consents`.
pub async fn list(
    State(node): State<AppState>,
    holder: Holder,
) -> Result<Json<serde_json::Value>, ApiError> {
    let now = node.now().unix_timestamp();
    let cs = consents::list(&node.store, &holder.holder_code).await?;
    let shown: Vec<serde_json::Value> = cs
        .iter()
        .map(|c| {
            let mut v = serde_json::to_value(c).unwrap_or_default();
            v["active"] = c.active(now).into();
            v
        })
        .collect();
    Ok(Json(serde_json::json!({ "consents": shown })))
}

/// `POST /v1/holder/consents/{id}/revoke`.
pub async fn revoke(
    State(node): State<AppState>,
    holder: Holder,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Consent>, ApiError> {
    let c = consents::revoke(
        &node.store,
        &holder.holder_code,
        &id,
        node.now().unix_timestamp(),
    )
    .await?;
    Ok(Json(c))
}

/// `GET /v1/holder/accesses`.
pub async fn accesses(
    State(node): State<AppState>,
    holder: Holder,
) -> Result<Json<serde_json::Value>, ApiError> {
    let a: Vec<Access> = consents::accesses(&node.store, &holder.holder_code).await?;
    Ok(Json(serde_json::json!({ "accesses": a })))
}

/// The query of the agency's route.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FetchQuery {
    #[serde(rename = "type")]
    type_code: String,
    consent: String,
    #[serde(default)]
    claims: Option<String>,
}

/// One license as the agency receives it: the presentation and its verdict.
#[derive(Debug, Serialize)]
pub struct Fetched {
    /// What the consent's node handed over.
    #[serde(flatten)]
    pub license: Presented,
    /// The engine's verdict on the presentation, on this node.
    pub verdict: Verdict,
}

/// `GET /v1/holders/{holder_code}/licenses`.
pub async fn fetch(
    State(node): State<AppState>,
    agency: AuthenticatedAgency,
    ApiPath(holder_code): ApiPath<String>,
    RawQuery(q): RawQuery,
) -> Result<Json<serde_json::Value>, ApiError> {
    let q: FetchQuery = serde_urlencoded::from_str(q.as_deref().unwrap_or(""))
        .map_err(|e| ApiError::InvalidRequest(format!("the query needs type and consent: {e}")))?;
    let claims = q.claims.map(|c| {
        c.split(',')
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect::<Vec<_>>()
    });
    if claims
        .as_ref()
        .is_some_and(|c| c.is_empty() || c.len() > consent::MAX_CLAIMS)
    {
        return Err(ApiError::InvalidRequest(format!(
            "claims must name 1-{} claims",
            consent::MAX_CLAIMS
        )));
    }
    let uscc = agency.0.uscc().to_string();
    let current = node.trust_list_for_verify().await?;
    let list = &current.verified.list;
    let own = node.show_service().map(|(p, _)| p);
    let listed = list
        .provinces
        .iter()
        .find(|p| p.issuing_agencies.iter().any(|a| a.uscc == uscc))
        .map(|p| p.code);
    let Some(agency_province) = listed.filter(|p| own.map_or(true, |o| o == *p)) else {
        return Err(ApiError::Consent(Refusal::AgencyNotTrusted(uscc)));
    };
    let keeper = consent::keeper(&q.consent).map_err(ApiError::Consent)?;
    let ask = Ask {
        consent: q.consent,
        agency_uscc: uscc,
        holder_code,
        type_code: q.type_code,
        claims,
    };
    let local = match (own, keeper) {
        (None, _) => true,
        (Some(o), Some(k)) => o == k,
        (Some(_), None) => false,
    };
    let got = if local {
        answer(&node, &current, agency_province, &ask).await?
    } else {
        let Some(k) = keeper else {
            return Err(ApiError::Consent(Refusal::NoConsent(ask.consent)));
        };
        let entry = list
            .province(k)
            .ok_or_else(|| ApiError::Consent(Refusal::NoConsent(ask.consent.clone())))?;
        ask_keeper(&node, &entry.node_url, &ask).await?
    };
    let mut fetched = Vec::new();
    for l in got.licenses {
        let verdict = super::verify::verify_presentation(&node, &current, &l.presentation).await?;
        fetched.push(Fetched {
            license: l,
            verdict,
        });
    }
    Ok(Json(serde_json::json!({
        "holder_code": ask.holder_code,
        "consent": got.consent,
        "purpose": got.purpose,
        "claims": got.claims,
        "licenses": fetched,
        "provinces": got.provinces,
    })))
}

/// Answer `ask` from this node's own consents, for an agency of `caller`, under the
/// trust list `current`.
async fn answer(
    node: &AppState,
    current: &CurrentTrustList,
    caller: Province,
    ask: &Ask,
) -> Result<Retrieved, ApiError> {
    Ok(consents::retrieve(
        &node.store,
        &NodePeers(node.clone()),
        &current.verified.list,
        Keeper {
            province: node.show_service().map(|(p, _)| p),
            url: &node.settings.public_base_url,
        },
        caller,
        ask,
        node.now().unix_timestamp(),
    )
    .await?)
}

/// Ask the node at `url` that keeps the consent; its refusal relayed as given.
async fn ask_keeper(node: &AppState, url: &str, ask: &Ask) -> Result<Retrieved, ApiError> {
    let body = serde_json::to_vec(ask).map_err(|e| ApiError::Internal(e.to_string()))?;
    let a = crate::adapters::signed_calls::call(
        node,
        url,
        reqwest::Method::POST,
        FEDERATION_PATH,
        Some(body),
    )
    .await
    .map_err(|e| ApiError::ConsentNodeUnavailable(e.to_string()))?;
    if a.status == 200 {
        return serde_json::from_slice(&a.body).map_err(|_| {
            ApiError::ConsentNodeUnavailable(format!(
                "{url} answered something that is not a retrieval"
            ))
        });
    }
    let refusal = serde_json::from_slice::<serde_json::Value>(&a.body)
        .ok()
        .and_then(|v| v.get("refusal").cloned())
        .and_then(|r| serde_json::from_value::<Refusal>(r).ok());
    match refusal {
        Some(r) if a.status == 403 => Err(ApiError::Consent(r)),
        _ => Err(ApiError::ConsentNodeUnavailable(format!(
            "{url} answered HTTP {}: {}",
            a.status,
            problem_detail(&a.body)
        ))),
    }
}

/// `POST /v1/federation/consents/retrieve`.
pub async fn federation(
    State(node): State<AppState>,
    call: SignedCall,
) -> Result<Json<Retrieved>, ApiError> {
    let ask: Ask =
        serde_json::from_slice(&call.body).map_err(|e| ApiError::InvalidBody(e.to_string()))?;
    let current = node.trust_list_for_verify().await?;
    let got = answer(&node, &current, call.caller.province, &ask).await?;
    tracing::info!(
        caller = call.caller.province.abbrev(),
        count = got.licenses.len(),
        "licenses retrieved under a consent"
    );
    Ok(Json(got))
}
