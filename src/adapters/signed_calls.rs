//! Calling another province's node over a signed federation route: each call carries a
//! fresh node-call token ([`crate::federation::sign_node_call`]) signed by this node's
//! show-license service key, for the target node's URL, the method, path and body.
//! Bounded: a timeout, no redirects, a response of at most [`MAX_RESPONSE_BYTES`].
//!
//! Owns: the client side of signed calls. Must not touch: what the called route does,
//! or how tokens are checked (the called node's [`crate::adapters::http::node_call`]).

use crate::adapters::http::Node;
use crate::federation::{sign_node_call, CallTarget};
use std::time::Duration;

/// How long one signed call may take, connect to last byte.
pub const CALL_TIMEOUT: Duration = Duration::from_secs(10);
/// Lifetime of the node-call token of one call, seconds.
pub const CALL_TOKEN_LIFETIME: i64 = 60;
/// Largest response read, bytes.
pub const MAX_RESPONSE_BYTES: usize = 8 * 1024 * 1024;

/// Why a signed call brought no answer.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CallError {
    /// This node has no show-license service key to sign with.
    #[error(
        "this node serves no province's show-license service; it cannot sign federation calls"
    )]
    NoServiceKey,
    /// Signing failed.
    #[error("signing the call: {0}")]
    Signing(String),
    /// The request failed (connect, timeout, read) or the answer was too large.
    #[error("{url}: {why}")]
    Transport {
        /// The URL called.
        url: String,
        /// What went wrong.
        why: String,
    },
}

/// A signed call's answer.
#[derive(Debug, Clone)]
pub struct Answer {
    /// HTTP status.
    pub status: u16,
    /// Body.
    pub body: Vec<u8>,
}

fn client() -> &'static reqwest::Client {
    static CLIENT: std::sync::OnceLock<reqwest::Client> = std::sync::OnceLock::new();
    CLIENT.get_or_init(|| {
        reqwest::Client::builder()
            .timeout(CALL_TIMEOUT)
            .connect_timeout(Duration::from_secs(3))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap_or_default()
    })
}

/// The node-call token for `method path` with `body` to the node at `target_url`, at
/// the node's clock.
pub fn call_token(
    node: &Node,
    target_url: &str,
    method: &str,
    path: &str,
    body: &[u8],
) -> Result<String, CallError> {
    let (_, service) = node.show_service().ok_or(CallError::NoServiceKey)?;
    sign_node_call(
        service.signer.as_ref(),
        std::slice::from_ref(&service.cert),
        &node.settings.public_base_url,
        target_url,
        &CallTarget { method, path, body },
        node.now(),
        CALL_TOKEN_LIFETIME,
    )
    .map_err(|e| CallError::Signing(e.to_string()))
}

/// Call `method path` on the node at `target_url` (its base URL from the trust list),
/// with a JSON `body` if given, signed by this node.
pub async fn call(
    node: &Node,
    target_url: &str,
    method: reqwest::Method,
    path: &str,
    body: Option<Vec<u8>>,
) -> Result<Answer, CallError> {
    let base = target_url.trim_end_matches('/');
    let url = format!("{base}{path}");
    let bytes = body.unwrap_or_default();
    let token = call_token(node, base, method.as_str(), path, &bytes)?;
    let transport = |why: String| CallError::Transport {
        url: url.clone(),
        why,
    };
    let mut req = client().request(method, &url).bearer_auth(token);
    if !bytes.is_empty() {
        req = req
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(bytes);
    }
    let mut resp = req.send().await.map_err(|e| transport(e.to_string()))?;
    let status = resp.status().as_u16();
    let mut out = Vec::new();
    while let Some(chunk) = resp.chunk().await.map_err(|e| transport(e.to_string()))? {
        if out.len() + chunk.len() > MAX_RESPONSE_BYTES {
            return Err(transport(format!(
                "the answer is larger than {MAX_RESPONSE_BYTES} bytes"
            )));
        }
        out.extend_from_slice(&chunk);
    }
    Ok(Answer { status, body: out })
}
