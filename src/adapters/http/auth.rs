//! Agency authentication: the [`AuthenticatedAgency`] extractor checks the bearer
//! request token (claims, then the `x5c` chain against the trusted province roots with
//! `pki::validate`, then the signature) and maps the leaf certificate to a hosted agency.

use super::error::ApiError;
use super::state::AppState;
use super::token::{check_claims, CheckedClaims};
use crate::license::jose::cert_public_key;
use crate::license::Agency;
use crate::pki::validate::{validate, Policy, Purpose};
use axum::extract::FromRequestParts;
use axum::http::{header, request::Parts};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

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
    let (leaf, claims) = verify_request_token(
        token,
        &node.settings.audience,
        &node.anchors,
        Purpose::LicenseSigning,
        now,
    )?;
    let agency = node
        .agencies
        .values()
        .find(|a| a.chain().first() == Some(&leaf))
        .cloned()
        .ok_or(ApiError::AgencyNotHosted)?;
    remember_jti(&node.seen_jti, agency.uscc(), &claims, now)?;
    Ok(agency)
}

/// Check a request token: time and audience claims, the `x5c` chain against `anchors`
/// for `purpose`, then the signature with the leaf's key. Returns the leaf certificate
/// (DER) and the claims.
pub fn verify_request_token(
    token: &str,
    audience: &str,
    anchors: &[Vec<u8>],
    purpose: Purpose,
    now: time::OffsetDateTime,
) -> Result<(Vec<u8>, CheckedClaims), ApiError> {
    let claims = check_claims(token, audience, now.unix_timestamp())?;
    let mut chain = claims
        .jws
        .x5c()
        .map_err(|e| ApiError::Unauthenticated(e.to_string()))?;
    if chain.is_empty() {
        return Err(ApiError::Unauthenticated("empty x5c".into()));
    }
    let leaf = chain.remove(0);
    let policy = Policy {
        purpose,
        ..Policy::at(now)
    };
    let v = validate(&leaf, &chain, anchors, &policy);
    if !v.passed() {
        let why = v
            .failed
            .map(|k| k.code())
            .unwrap_or("no path to a trusted province root");
        return Err(ApiError::UntrustedKey(why.to_string()));
    }
    let key = cert_public_key(&leaf).map_err(|e| ApiError::UntrustedKey(e.to_string()))?;
    if !claims.jws.verify_with(&key) {
        return Err(ApiError::Unauthenticated(
            "request token signature does not verify".into(),
        ));
    }
    Ok((leaf, claims))
}

/// Refuse a `jti` already seen from `who` (replay), remembering it until it expires.
pub fn remember_jti(
    seen: &Mutex<HashMap<String, i64>>,
    who: &str,
    claims: &CheckedClaims,
    now: time::OffsetDateTime,
) -> Result<(), ApiError> {
    let mut seen = seen
        .lock()
        .map_err(|_| ApiError::Internal("replay cache poisoned".into()))?;
    let t = now.unix_timestamp();
    if seen.len() > 100_000 {
        seen.retain(|_, exp| *exp + super::token::CLOCK_SKEW > t);
    }
    if seen
        .insert(format!("{who}:{}", claims.jti), claims.exp)
        .is_some()
    {
        return Err(ApiError::TokenReplayed);
    }
    Ok(())
}
