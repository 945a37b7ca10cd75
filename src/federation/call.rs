//! The node-call token: a compact JWS, header `{"alg": "ES256"|"SM2", "typ":
//! "node-call+jwt", "x5c": [show-service certificate, …]}`, claims `iss` (the calling
//! node's URL, as the trust list gives it), `aud` (the called node's URL), `iat`, `exp`
//! (at most [`MAX_NODE_CALL_LIFETIME`] seconds later), a unique `jti`, and what it
//! authorises: `htm` (the HTTP method), `htu` (the path and query) and `bh` (base64url
//! SHA-256 of the body; of the empty string for none) — so a token cannot be replayed
//! against another route or with another body.

use crate::crypto::{DigestAlgorithm, Signer};
use crate::jose::{
    b64, cert_public_key, check_claims_for, normalise_audience, sign_compact, x5c_value, Audiences,
    JoseError, RequestTokenError,
};
use crate::pki::validate::{validate, Policy, Purpose};
use crate::pki::{Province, TrustAnchor, TrustAnchors};
use crate::trust_list::{fingerprint, TrustList};
use serde_json::{Map, Value};
use time::OffsetDateTime;

/// The `typ` of node-call tokens.
pub const NODE_CALL_TYP: &str = "node-call+jwt";
/// Longest lifetime (`exp − iat`) accepted, seconds.
pub const MAX_NODE_CALL_LIFETIME: i64 = 120;

/// The request a token authorises.
#[derive(Debug, Clone, Copy)]
pub struct CallTarget<'a> {
    /// The HTTP method (`GET`, `POST`).
    pub method: &'a str,
    /// The path and query, as sent (`/v1/federation/holder-licenses`).
    pub path: &'a str,
    /// The body (empty for none).
    pub body: &'a [u8],
}

impl CallTarget<'_> {
    /// base64url SHA-256 of the body.
    pub fn body_hash(&self) -> String {
        b64(&DigestAlgorithm::Sha256.digest(self.body))
    }
}

/// The calling node a token proves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeCaller {
    /// Its province.
    pub province: Province,
    /// Its node URL (the trust list's).
    pub node_url: String,
    /// SHA-256 of its show-service certificate, lowercase hex.
    pub service_sha256: String,
    /// The token's `jti` (to be remembered against replay until `exp` + skew).
    pub jti: String,
    /// The token's `exp` (Unix seconds).
    pub exp: i64,
}

/// Why a node-call token is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NodeCallError {
    /// Not a well-formed node-call token.
    #[error("the node-call token is malformed: {0}")]
    Malformed(String),
    /// `aud` is not this node.
    #[error("the node-call token is for another node")]
    WrongAudience,
    /// Past `exp` or issued in the future, beyond the clock skew.
    #[error("the node-call token has expired or is not yet valid")]
    Expired,
    /// `exp − iat` too long.
    #[error("a node-call token may live at most {0} seconds")]
    LifetimeTooLong(i64),
    /// The certificate is not listed as any province's show service.
    #[error("the node-call certificate is not a show service of the trust list")]
    NotListed,
    /// `iss` is not the node URL of the province whose show service signed.
    #[error("the node-call issuer {iss:?} is not {province}'s node {expected:?}")]
    WrongNode {
        /// The province whose service signed.
        province: &'static str,
        /// Its node URL in the trust list.
        expected: String,
        /// The token's `iss`.
        iss: String,
    },
    /// The chain does not validate to that province's root; the decisive check's code.
    #[error("the node-call certificate is not trusted: {0}")]
    UntrustedKey(String),
    /// The signature does not verify.
    #[error("the node-call token's signature does not verify")]
    BadSignature,
    /// The token authorises another method, path or body.
    #[error("the node-call token was signed for another {0}")]
    WrongRequest(&'static str),
}

/// Sign a call from the node at `caller_url` to `target_url` (the called node's base
/// URL, as the trust list names it), valid `lifetime` seconds from `now`.
#[allow(clippy::too_many_arguments)]
pub fn sign_node_call(
    signer: &dyn Signer,
    chain: &[Vec<u8>],
    caller_url: &str,
    target_url: &str,
    target: &CallTarget<'_>,
    now: OffsetDateTime,
    lifetime: i64,
) -> Result<String, JoseError> {
    let mut header = Map::new();
    header.insert("typ".into(), NODE_CALL_TYP.into());
    header.insert("x5c".into(), x5c_value(chain));
    let iat = now.unix_timestamp();
    let mut c = Map::new();
    c.insert("iss".into(), caller_url.trim_end_matches('/').into());
    c.insert("aud".into(), target_url.trim_end_matches('/').into());
    c.insert("iat".into(), iat.into());
    c.insert("exp".into(), (iat + lifetime).into());
    c.insert("jti".into(), uuid::Uuid::new_v4().to_string().into());
    c.insert("htm".into(), target.method.to_ascii_uppercase().into());
    c.insert("htu".into(), target.path.into());
    c.insert("bh".into(), target.body_hash().into());
    sign_compact(signer, header, &c)
}

/// Check a node-call token for `target` on a node accepting `audiences`, at `now`,
/// under the trust list `list`.
pub fn verify_node_call(
    token: &str,
    list: &TrustList,
    audiences: &Audiences,
    target: &CallTarget<'_>,
    now: OffsetDateTime,
) -> Result<NodeCaller, NodeCallError> {
    let claims = check_claims_for(token, audiences, now.unix_timestamp()).map_err(|e| match e {
        RequestTokenError::WrongAudience { .. } => NodeCallError::WrongAudience,
        RequestTokenError::Expired => NodeCallError::Expired,
        RequestTokenError::LifetimeTooLong(_) => {
            NodeCallError::LifetimeTooLong(MAX_NODE_CALL_LIFETIME)
        }
        e => NodeCallError::Malformed(e.to_string()),
    })?;
    let p = &claims.jws.payload;
    let iat = p.get("iat").and_then(Value::as_i64).unwrap_or(i64::MAX);
    if claims.exp.saturating_sub(iat) > MAX_NODE_CALL_LIFETIME {
        return Err(NodeCallError::LifetimeTooLong(MAX_NODE_CALL_LIFETIME));
    }
    if claims.jws.header.get("typ").and_then(Value::as_str) != Some(NODE_CALL_TYP) {
        return Err(NodeCallError::Malformed(format!(
            "typ must be {NODE_CALL_TYP}"
        )));
    }
    let mut chain = claims
        .jws
        .x5c()
        .map_err(|e| NodeCallError::Malformed(e.to_string()))?;
    let leaf = chain.remove(0);
    let fp = fingerprint(&leaf);
    let entry = list
        .provinces
        .iter()
        .find(|e| e.show_services.iter().any(|s| s.cert_sha256.contains(&fp)))
        .ok_or(NodeCallError::NotListed)?;
    if normalise_audience(&claims.iss) != normalise_audience(&entry.node_url) {
        return Err(NodeCallError::WrongNode {
            province: entry.code.abbrev(),
            expected: entry.node_url.clone(),
            iss: claims.iss.chars().take(128).collect(),
        });
    }
    let mut anchors = TrustAnchors::none();
    for r in &entry.roots {
        if let Some(der) = r.to_der() {
            anchors.push(TrustAnchor::new(der, &[Purpose::ShowTokenSigning]));
        }
    }
    let policy = Policy {
        purpose: Purpose::ShowTokenSigning,
        ..Policy::at(now)
    };
    let v = validate(&leaf, &chain, &anchors, &policy);
    if !v.passed() {
        let why = v
            .failed
            .map(|k| k.code())
            .unwrap_or("no path to the province root");
        return Err(NodeCallError::UntrustedKey(why.to_string()));
    }
    let key = cert_public_key(&leaf).map_err(|e| NodeCallError::UntrustedKey(e.to_string()))?;
    if !claims.jws.verify_with(&key) {
        return Err(NodeCallError::BadSignature);
    }
    let s = |k: &str| p.get(k).and_then(Value::as_str).unwrap_or_default();
    if !s("htm").eq_ignore_ascii_case(target.method) {
        return Err(NodeCallError::WrongRequest("method"));
    }
    if s("htu") != target.path {
        return Err(NodeCallError::WrongRequest("path"));
    }
    if s("bh") != target.body_hash() {
        return Err(NodeCallError::WrongRequest("body"));
    }
    Ok(NodeCaller {
        province: entry.code,
        node_url: entry.node_url.trim_end_matches('/').to_string(),
        service_sha256: fp,
        jti: claims.jti,
        exp: claims.exp,
    })
}
