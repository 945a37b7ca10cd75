//! The embedded demo identity provider (a node run with the demo keys): its discovery
//! document, its JWKS, the demo holders, and a demo sign-in that hands out an ID token
//! for a demo holder without any password. **Demo only** — a node given its own identity
//! provider (or a production node) does not serve these routes' tokens.

use super::error::ApiError;
use super::extract::ApiJson;
use super::state::AppState;
use crate::holder::{demo_holder, make_id_token, DEMO_HOLDERS};
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

fn demo(node: &AppState) -> Result<&crate::adapters::idp::IdentityProvider, ApiError> {
    node.identity_provider()
        .filter(|i| i.demo.is_some())
        .map(|i| i.as_ref())
        .ok_or(ApiError::NoSuchRoute)
}

/// `GET /demo-idp/.well-known/openid-configuration`.
pub async fn discovery(State(node): State<AppState>) -> Result<Json<Value>, ApiError> {
    let idp = demo(&node)?;
    let iss = &idp.policy.issuer;
    Ok(Json(json!({
        "issuer": iss,
        "jwks_uri": format!("{iss}/jwks.json"),
        "authorization_endpoint": format!("{iss}/sign-in"),
        "response_types_supported": ["id_token"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["ES256"],
        "claims_supported": ["sub", "name", "holder_code", "holder_code_type"],
    })))
}

/// `GET /demo-idp/jwks.json`.
pub async fn jwks(State(node): State<AppState>) -> Result<Response, ApiError> {
    let idp = demo(&node)?;
    let keys = idp
        .keys()
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok((
        [(axum::http::header::CONTENT_TYPE, "application/jwk-set+json")],
        keys.to_json().to_string(),
    )
        .into_response())
}

/// `GET /demo-idp/holders`: who can sign in (name and sign-in id; no holder codes).
pub async fn holders(State(node): State<AppState>) -> Result<Json<Value>, ApiError> {
    demo(&node)?;
    let list: Vec<Value> = DEMO_HOLDERS
        .iter()
        .map(|h| {
            json!({
                "holder": h.id,
                "name": h.name,
                "name_en": h.name_en,
                "holder_code_type": h.holder_code_type.code(),
            })
        })
        .collect();
    Ok(Json(json!({ "holders": list })))
}

/// The demo sign-in body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignIn {
    /// A demo holder's sign-in id (`GET /demo-idp/holders`).
    pub holder: String,
}

/// `POST /demo-idp/sign-in {"holder": "zhang-wei"}` → `{id_token, token_type, expires_in}`.
pub async fn sign_in(
    State(node): State<AppState>,
    ApiJson(body): ApiJson<SignIn>,
) -> Result<Json<Value>, ApiError> {
    let idp = demo(&node)?;
    let who = demo_holder(&body.holder).ok_or_else(|| {
        ApiError::InvalidRequest(format!(
            "no demo holder {:?}; see GET /demo-idp/holders",
            body.holder.chars().take(64).collect::<String>()
        ))
    })?;
    let signer = &idp.demo.as_ref().ok_or(ApiError::NoSuchRoute)?.signer;
    let lifetime = crate::holder::demo::DEMO_TOKEN_LIFETIME;
    let token = make_id_token(
        signer.as_ref(),
        crate::holder::demo::DEMO_KID,
        &idp.policy.issuer,
        &idp.policy.audience,
        who,
        node.now().unix_timestamp(),
        lifetime,
    )
    .map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok(Json(json!({
        "id_token": token,
        "token_type": "Bearer",
        "expires_in": lifetime,
    })))
}
