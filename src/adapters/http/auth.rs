//! The one bearer extractor. [`Bearer<P>`] checks the request token for the purpose
//! `P` names (claims, then the `x5c` chain against the node's trust anchors for that
//! purpose, then the signature — [`crate::jose::verify_request_token`]), maps the leaf
//! certificate to the hosted party `P` acts for, and refuses a replayed `jti` through the
//! one replay record, which lives in the database so that every node of a province and
//! every restart share it. It reads only the headers, so a route authenticates before
//! its body is read.

use super::error::ApiError;
use super::state::{AppState, Node, Party};
use crate::jose::{verify_request_token_for, CLOCK_SKEW};
use crate::license::Agency;
use crate::pki::validate::Purpose;
use crate::pki::Role;
use axum::extract::FromRequestParts;
use axum::http::{header, request::Parts, HeaderMap};
use std::marker::PhantomData;
use std::sync::Arc;

/// What a route needs its caller to be: the certificate purpose the token's chain must
/// validate for, and how the leaf certificate names a hosted party.
pub trait Need: Send + Sync + 'static {
    /// The purpose the `x5c` chain is validated for.
    const PURPOSE: Purpose;
    /// The hosted party the caller acts as.
    type Caller: Clone + Send + Sync;
    /// The hosted party whose certificate is `leaf`: `Err` when the node hosts it in
    /// another role, `Ok(None)` when it does not host it at all.
    fn find(node: &Node, leaf: &[u8]) -> Result<Option<Self::Caller>, ApiError>;
    /// The caller's id, the scope of its `jti`s.
    fn id(caller: &Self::Caller) -> &str;
}

/// Issuing and managing licenses and proofs: a hosted issuing agency.
#[derive(Debug)]
pub enum IssueLicenses {}
/// Making and re-issuing seals: a hosted seal authority.
#[derive(Debug)]
pub enum MakeSeals {}
/// Stamping documents: a hosted organisation signer.
#[derive(Debug)]
pub enum StampDocuments {}

impl Need for IssueLicenses {
    const PURPOSE: Purpose = Purpose::LicenseSigning;
    type Caller = Arc<Agency>;
    fn find(node: &Node, leaf: &[u8]) -> Result<Option<Arc<Agency>>, ApiError> {
        Ok(node
            .agencies
            .values()
            .find(|a| a.chain().first().map(Vec::as_slice) == Some(leaf))
            .cloned())
    }
    fn id(caller: &Arc<Agency>) -> &str {
        caller.uscc()
    }
}

fn party_in_role(node: &Node, leaf: &[u8], role: Role) -> Result<Option<Arc<Party>>, ApiError> {
    match node.parties.iter().find(|p| p.cert == leaf) {
        Some(p) if p.role == role => Ok(Some(p.clone())),
        Some(_) => Err(ApiError::NotOwner),
        None => Ok(None),
    }
}

impl Need for MakeSeals {
    const PURPOSE: Purpose = Purpose::SealMaking;
    type Caller = Arc<Party>;
    fn find(node: &Node, leaf: &[u8]) -> Result<Option<Arc<Party>>, ApiError> {
        party_in_role(node, leaf, Role::SealAuthority)
    }
    fn id(caller: &Arc<Party>) -> &str {
        &caller.id
    }
}

impl Need for StampDocuments {
    const PURPOSE: Purpose = Purpose::DocumentStamping;
    type Caller = Arc<Party>;
    fn find(node: &Node, leaf: &[u8]) -> Result<Option<Arc<Party>>, ApiError> {
        party_in_role(node, leaf, Role::OrganisationSigner)
    }
    fn id(caller: &Arc<Party>) -> &str {
        &caller.id
    }
}

/// The authenticated caller of a route that needs `N`.
pub struct Bearer<N: Need>(pub N::Caller, pub PhantomData<N>);

impl<N: Need> std::fmt::Debug for Bearer<N> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Bearer").field(&N::id(&self.0)).finish()
    }
}

/// The agency that signed the request token.
pub type AuthenticatedAgency = Bearer<IssueLicenses>;

impl<N: Need> FromRequestParts<AppState> for Bearer<N> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, node: &AppState) -> Result<Self, ApiError> {
        let token = bearer_token(&parts.headers)?;
        authenticate::<N>(node, token)
            .await
            .map(|c| Bearer(c, PhantomData))
    }
}

/// The token of an `Authorization: Bearer …` header.
pub fn bearer_token(headers: &HeaderMap) -> Result<&str, ApiError> {
    let value = headers
        .get(header::AUTHORIZATION)
        .ok_or_else(|| ApiError::Unauthenticated("no Authorization header".into()))?
        .to_str()
        .map_err(|_| ApiError::Unauthenticated("Authorization is not ASCII".into()))?;
    Ok(value
        .strip_prefix("Bearer ")
        .ok_or_else(|| ApiError::Unauthenticated("Authorization must be Bearer".into()))?
        .trim())
}

/// Authenticate a request token for `N` at the node's current time.
pub async fn authenticate<N: Need>(node: &Node, token: &str) -> Result<N::Caller, ApiError> {
    let now = node.now();
    let v = verify_request_token_for(token, &node.audiences, &node.anchors, N::PURPOSE, now)?;
    let caller = N::find(node, &v.leaf)?.ok_or(ApiError::AgencyNotHosted)?;
    // kept until the token could no longer pass the time check
    let keep_until = v.claims.exp + CLOCK_SKEW;
    let first = node
        .store
        .first_use(
            N::id(&caller),
            &v.claims.jti,
            keep_until,
            now.unix_timestamp(),
        )
        .await?;
    if !first {
        return Err(ApiError::TokenReplayed);
    }
    Ok(caller)
}
