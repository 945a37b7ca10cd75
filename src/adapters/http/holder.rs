//! The signed-in holder: [`Holder`] reads `Authorization: Bearer <ID token>`, checks it
//! with the node's identity provider ([`crate::adapters::idp`], the checks are
//! [`crate::holder::id_token`]'s) at the node's clock, and names the holder. No token,
//! a refused one, or a node without an identity provider: `401` problem+json
//! (`unauthenticated`, the reason in `detail`).

use super::auth::bearer_token;
use super::error::ApiError;
use super::state::AppState;
use crate::license::HolderCodeType;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use serde::Serialize;

/// The holder an ID token signs in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Holder {
    /// The provider's identifier of the holder (`sub`).
    pub subject: String,
    /// Citizen identity number or USCC: the holder code of their licenses.
    pub holder_code: String,
    /// `111` (citizen identity number) or `001` (USCC); [`HolderCodeType::code`].
    pub holder_code_type: HolderCodeType,
    /// Name.
    pub name: String,
}

impl FromRequestParts<AppState> for Holder {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, node: &AppState) -> Result<Self, ApiError> {
        let token = bearer_token(&parts.headers)?;
        sign_in(node, token).await
    }
}

/// Check `token` as a holder's ID token at the node's clock.
pub async fn sign_in(node: &AppState, token: &str) -> Result<Holder, ApiError> {
    let idp = node.identity_provider().ok_or_else(|| {
        ApiError::Unauthenticated("this node has no identity provider for holders".into())
    })?;
    let id = idp
        .sign_in(token, node.now().unix_timestamp())
        .await
        .map_err(|e| ApiError::Unauthenticated(e.to_string()))?;
    Ok(Holder {
        subject: id.subject,
        holder_code: id.holder_code,
        holder_code_type: id.holder_code_type,
        name: id.name,
    })
}

/// `GET /v1/holder/me`: who the token signs in.
pub async fn me(holder: Holder) -> axum::Json<Holder> {
    axum::Json(holder)
}
