//! Agency authentication: the [`AuthenticatedAgency`] extractor checks the bearer
//! request token (claims, then the `x5c` chain against the trusted province roots with
//! `pki::validate`, then the signature) and maps the leaf certificate to a hosted agency.

use super::error::ApiError;
use super::state::AppState;
use super::token::check_claims;
use crate::license::jose::cert_public_key;
use crate::license::Agency;
use crate::pki::validate::{validate, Policy, Purpose};
use axum::extract::FromRequestParts;
use axum::http::{header, request::Parts};
use std::sync::Arc;

/// The agency that signed the request token.
#[derive(Debug, Clone)]
pub struct AuthenticatedAgency(pub Arc<Agency>);

impl FromRequestParts<AppState> for AuthenticatedAgency {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, node: &AppState) -> Result<Self, ApiError> {
        let value = parts
            .headers
            .get(header::AUTHORIZATION)
            .ok_or_else(|| ApiError::Unauthenticated("no Authorization header".into()))?
            .to_str()
            .map_err(|_| ApiError::Unauthenticated("Authorization is not ASCII".into()))?;
        let token = value
            .strip_prefix("Bearer ")
            .ok_or_else(|| ApiError::Unauthenticated("Authorization must be Bearer".into()))?
            .trim();
        authenticate(node, token).map(AuthenticatedAgency)
    }
}

/// Authenticate a request token at the node's current time.
pub fn authenticate(node: &AppState, token: &str) -> Result<Arc<Agency>, ApiError> {
    let now = node.now();
    let claims = check_claims(token, &node.settings.audience, now.unix_timestamp())?;
    let chain = claims
        .jws
        .x5c()
        .map_err(|e| ApiError::Unauthenticated(e.to_string()))?;
    let (leaf, intermediates) = chain
        .split_first()
        .ok_or_else(|| ApiError::Unauthenticated("empty x5c".into()))?;
    let policy = Policy {
        purpose: Purpose::LicenseSigning,
        ..Policy::at(now)
    };
    let v = validate(leaf, intermediates, &node.anchors, &policy);
    if !v.passed() {
        let why = v
            .failed
            .map(|k| k.code())
            .unwrap_or("no path to a trusted province root");
        return Err(ApiError::UntrustedKey(why.to_string()));
    }
    let key = cert_public_key(leaf).map_err(|e| ApiError::UntrustedKey(e.to_string()))?;
    if !claims.jws.verify_with(&key) {
        return Err(ApiError::Unauthenticated(
            "request token signature does not verify".into(),
        ));
    }
    let agency = node
        .agencies
        .values()
        .find(|a| a.chain().first().map(Vec::as_slice) == Some(leaf.as_slice()))
        .cloned()
        .ok_or(ApiError::AgencyNotHosted)?;
    let mut seen = node
        .seen_jti
        .lock()
        .map_err(|_| ApiError::Internal("replay cache poisoned".into()))?;
    let t = now.unix_timestamp();
    if seen.len() > 100_000 {
        seen.retain(|_, exp| *exp + super::token::CLOCK_SKEW > t);
    }
    let key = format!("{}:{}", agency.uscc(), claims.jti);
    if seen.insert(key, claims.exp).is_some() {
        return Err(ApiError::TokenReplayed);
    }
    Ok(agency)
}
