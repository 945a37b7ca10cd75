//! HTTP seal endpoints (GB/T 38540): seal authorities make seals, organisations stamp
//! documents with them, anyone fetches a seal and the list of superseded seals.
//!
//! - `POST /v1/seals` — a hosted seal authority makes a seal (request token of a seal
//!   authority); `201` with the esID.
//! - `GET /v1/seals/{esID}` — the .esl (base64) and its picture (PNG base64 and SVG).
//! - `POST /v1/seals/{esID}/signers` — change who may stamp: the next seal version, the
//!   old one superseded (法人多级授权).
//! - `POST /v1/seals/{esID}/stamp` — an organisation signer listed in the seal uploads a
//!   document and gets the stamped OFD (`application/ofd`) or a detached SES_Signature.
//! - `GET /v1/seals/revocations` — superseded seals as a `SealRevocationList` (JSON).
//!
//! Owns: routing, the parties whose keys this node holds, request-token checks for the
//! seal purposes. Must not touch: seal formats and OFD — `crate::seal` does those.

pub(crate) mod make;
pub(crate) mod stamp;

use super::auth::{remember_jti, verify_request_token};
use super::error::ApiError;
use super::state::Clock;
use crate::adapters::keystore::KeyStore;
use crate::adapters::storage::Store;
use crate::crypto::Signer;
use crate::pki::validate::Purpose;
use crate::pki::Role;
use axum::extract::DefaultBodyLimit;
use axum::http::{header, HeaderMap};
use axum::routing::{get, post};
use axum::Router;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use time::OffsetDateTime;
use tower_http::trace::TraceLayer;

/// Largest document accepted for stamping, bytes.
pub const MAX_DOCUMENT_BYTES: usize = 64 * 1024 * 1024;

/// A seal authority or organisation signer whose key this node holds.
pub struct Party {
    /// Manifest id.
    pub id: String,
    /// Its role.
    pub role: Role,
    /// Its certificate (DER).
    pub cert: Vec<u8>,
    /// Its key.
    pub signer: Arc<dyn Signer>,
}

/// The state of the seal endpoints.
pub struct SealNode {
    store: Store,
    parties: Vec<Party>,
    anchors: Vec<Vec<u8>>,
    audience: String,
    clock: Clock,
    seen_jti: Mutex<HashMap<String, i64>>,
}

impl SealNode {
    /// A seal node over `store` hosting `parties`, trusting request tokens that chain to
    /// `anchors`, expecting `audience` in them.
    pub fn new(
        store: Store,
        parties: Vec<Party>,
        anchors: Vec<Vec<u8>>,
        audience: String,
        clock: Clock,
    ) -> Arc<SealNode> {
        Arc::new(SealNode {
            store,
            parties,
            anchors,
            audience,
            clock,
            seen_jti: Mutex::new(HashMap::new()),
        })
    }

    /// The seal authorities and organisation signers of a key store; province roots are
    /// the anchors.
    pub fn from_keys(
        store: Store,
        keys: &KeyStore,
        audience: String,
        clock: Clock,
    ) -> Arc<SealNode> {
        let parties = keys
            .entries()
            .iter()
            .filter_map(|e| {
                let role = e.info.role?;
                matches!(role, Role::SealAuthority | Role::OrganisationSigner).then(|| Party {
                    id: e.id().to_string(),
                    role,
                    cert: e.cert_der.clone(),
                    signer: e.signer.clone(),
                })
            })
            .collect();
        let anchors = keys
            .by_role(Role::ProvinceRoot)
            .map(|e| e.cert_der.clone())
            .collect();
        Self::new(store, parties, anchors, audience, clock)
    }

    fn now(&self) -> OffsetDateTime {
        (self.clock)()
    }

    fn party_by_cert(&self, cert: &[u8]) -> Option<&Party> {
        self.parties.iter().find(|p| p.cert == cert)
    }

    fn party_by_id(&self, id: &str) -> Option<&Party> {
        self.parties.iter().find(|p| p.id == id)
    }

    /// The hosted party that signed the bearer token, for `purpose`.
    fn authenticate(&self, headers: &HeaderMap, purpose: Purpose) -> Result<&Party, ApiError> {
        let token = headers
            .get(header::AUTHORIZATION)
            .ok_or_else(|| ApiError::Unauthenticated("no Authorization header".into()))?
            .to_str()
            .map_err(|_| ApiError::Unauthenticated("Authorization is not ASCII".into()))?
            .strip_prefix("Bearer ")
            .ok_or_else(|| ApiError::Unauthenticated("Authorization must be Bearer".into()))?
            .trim();
        let now = self.now();
        let (leaf, claims) =
            verify_request_token(token, &self.audience, &self.anchors, purpose, now)?;
        let party = self.party_by_cert(&leaf).ok_or(ApiError::AgencyNotHosted)?;
        remember_jti(&self.seen_jti, &party.id, &claims, now)?;
        Ok(party)
    }
}

/// The seal routes over `node`; merge them into the node's router.
pub fn router(node: Arc<SealNode>) -> Router {
    Router::new()
        .route("/v1/seals", post(make::create))
        .route("/v1/seals/revocations", get(make::revocations))
        .route("/v1/seals/{es_id}", get(make::get_seal))
        .route("/v1/seals/{es_id}/signers", post(make::change_signers))
        .route("/v1/seals/{es_id}/stamp", post(stamp::stamp))
        .layer(DefaultBodyLimit::max(MAX_DOCUMENT_BYTES))
        .layer(TraceLayer::new_for_http())
        .with_state(node)
}
