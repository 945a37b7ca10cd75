//! The one check of a federation call between nodes, for every federation route:
//! [`SignedCall`] reads `Authorization: Bearer <node-call token>` and the body (at most
//! [`MAX_CALL_BODY`]), checks the token against the node's current trust list
//! ([`crate::federation::verify_node_call`]: listed show service, chain to that
//! province's root, the caller's node URL, this node as `aud`, the method, path and body
//! signed) and refuses a replayed `jti` through the replay record in the store (shared
//! by every node of a province). Refused: `401` problem+json (`unauthenticated` with
//! the reason, or `token_replayed`); no usable trust list: `503`.

use super::auth::bearer_token;
use super::error::ApiError;
use super::state::{AppState, Node};
use crate::federation::{verify_node_call, CallTarget, NodeCaller};
use crate::jose::CLOCK_SKEW;
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::HeaderMap;

/// Largest body of a federation call, bytes.
pub const MAX_CALL_BODY: usize = 64 * 1024;

/// A checked federation call: who called, and the body they signed.
#[derive(Debug)]
pub struct SignedCall {
    /// The calling node.
    pub caller: NodeCaller,
    /// The request body (empty for none).
    pub body: Bytes,
}

impl FromRequest<AppState> for SignedCall {
    type Rejection = ApiError;

    async fn from_request(req: Request, node: &AppState) -> Result<Self, ApiError> {
        let (parts, body) = req.into_parts();
        let token = bearer_token(&parts.headers)?.to_string();
        let path = parts
            .uri
            .path_and_query()
            .map(|p| p.as_str().to_string())
            .unwrap_or_else(|| parts.uri.path().to_string());
        let body = super::extract::read_body(
            &parts.headers,
            body,
            MAX_CALL_BODY,
            node.settings.limits.body_read_timeout,
        )
        .await?;
        let caller = check_node_call(node, &token, parts.method.as_str(), &path, &body).await?;
        Ok(SignedCall { caller, body })
    }
}

/// Check the node-call `token` of a request (`method`, `path` with its query, `body`)
/// at the node's clock and record its `jti`: the calling node, or why it is refused.
pub async fn check_node_call(
    node: &Node,
    token: &str,
    method: &str,
    path: &str,
    body: &[u8],
) -> Result<NodeCaller, ApiError> {
    let current = node.trust_list_for_verify().await?;
    let now = node.now();
    let target = CallTarget { method, path, body };
    let caller = verify_node_call(
        token,
        &current.verified.list,
        node.audiences(),
        &target,
        now,
    )
    .map_err(|e| ApiError::Unauthenticated(e.to_string()))?;
    let first = node
        .store
        .first_use(
            &format!("node:{}", caller.service_sha256),
            &caller.jti,
            caller.exp + CLOCK_SKEW,
            now.unix_timestamp(),
        )
        .await?;
    if !first {
        return Err(ApiError::TokenReplayed);
    }
    Ok(caller)
}

/// The node-call token of `headers` (`Authorization: Bearer …`).
pub fn node_call_token(headers: &HeaderMap) -> Result<&str, ApiError> {
    bearer_token(headers)
}
