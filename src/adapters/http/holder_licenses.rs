//! A holder's licenses from every province: `GET /v1/holder/licenses` (the signed-in
//! holder; [`crate::service::holder_licenses::gather`]) and the signed federation route
//! the other provinces' nodes answer it with, `POST /v1/federation/holder-licenses`
//! (body `{"holder_code", "holder_code_type"}`; the caller checked by
//! [`super::node_call::SignedCall`]). The holder code travels in the body, not the path,
//! so it is in no access log.

use super::error::ApiError;
use super::holder::Holder;
use super::node_call::SignedCall;
use super::state::AppState;
use crate::holder::HolderLicense;
use crate::license::HolderCodeType;
use crate::pki::Province;
use crate::service::holder_licenses::{self, Gathered, Peer, PeerNodes};
use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};

/// The federation route's path.
pub const FEDERATION_PATH: &str = "/v1/federation/holder-licenses";

/// The federation request body.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HolderQuery {
    /// The holder code.
    pub holder_code: String,
    /// Its type (`111`, `001`).
    pub holder_code_type: HolderCodeType,
}

/// The federation answer.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct HolderAnswer {
    /// The answering node's province (none: a node of every province).
    pub province: Option<Province>,
    /// The holder's licenses in its store, with their credentials.
    pub licenses: Vec<HolderLicense>,
}

/// The other nodes, asked all at once over signed calls.
pub(crate) struct NodePeers(pub(crate) AppState);

impl PeerNodes for NodePeers {
    async fn ask_all(
        &self,
        peers: &[Peer],
        code: &str,
        kind: HolderCodeType,
    ) -> Vec<(Province, Result<Vec<HolderLicense>, String>)> {
        let body = serde_json::to_vec(&HolderQuery {
            holder_code: code.to_string(),
            holder_code_type: kind,
        })
        .unwrap_or_default();
        let mut set = tokio::task::JoinSet::new();
        for p in peers {
            let node = self.0.clone();
            let (province, url, body) = (p.province, p.node_url.clone(), body.clone());
            set.spawn(async move {
                let r = crate::adapters::signed_calls::call(
                    &node,
                    &url,
                    reqwest::Method::POST,
                    FEDERATION_PATH,
                    Some(body),
                )
                .await;
                let r = match r {
                    Err(e) => Err(e.to_string()),
                    Ok(a) if a.status != 200 => Err(format!(
                        "{url} answered HTTP {}: {}",
                        a.status,
                        problem_detail(&a.body)
                    )),
                    Ok(a) => serde_json::from_slice::<HolderAnswer>(&a.body)
                        .map(|h| h.licenses)
                        .map_err(|_| {
                            format!("{url} answered something that is not a holder-license answer")
                        }),
                };
                (province, r)
            });
        }
        let mut out = Vec::new();
        while let Some(r) = set.join_next().await {
            if let Ok(r) = r {
                out.push(r);
            }
        }
        out
    }
}

pub(crate) fn problem_detail(body: &[u8]) -> String {
    serde_json::from_slice::<serde_json::Value>(body)
        .ok()
        .and_then(|v| v.get("detail").and_then(|d| d.as_str()).map(str::to_string))
        .unwrap_or_default()
        .chars()
        .take(300)
        .collect()
}

/// Every license of `holder` from every province, credentials included.
pub async fn gather_for(node: &AppState, holder: &Holder) -> Result<Gathered, ApiError> {
    let current = node.trust_list_for_verify().await?;
    let own = node.show_service().map(|(p, _)| p);
    Ok(holder_licenses::gather(
        &node.store,
        &NodePeers(node.clone()),
        &current.verified.list,
        own,
        &node.settings.public_base_url,
        &holder.holder_code,
        holder.holder_code_type,
    )
    .await?)
}

/// The license `identifier` of `holder`, wherever it was issued, with its credential
/// (for presenting it): `404 not_found` when it is not one of theirs.
pub async fn holder_license(
    node: &AppState,
    holder: &Holder,
    identifier: &str,
) -> Result<HolderLicense, ApiError> {
    gather_for(node, holder)
        .await?
        .licenses
        .into_iter()
        .find(|l| l.identifier == identifier)
        .ok_or(ApiError::NotFound)
}

/// `GET /v1/holder/licenses`.
pub async fn list(
    State(node): State<AppState>,
    holder: Holder,
) -> Result<Json<serde_json::Value>, ApiError> {
    let mut g = gather_for(&node, &holder).await?;
    for l in &mut g.licenses {
        l.credential = None;
    }
    Ok(Json(serde_json::json!({
        "holder": holder,
        "licenses": g.licenses,
        "provinces": g.provinces,
    })))
}

/// `POST /v1/federation/holder-licenses`.
pub async fn federation(
    State(node): State<AppState>,
    call: SignedCall,
) -> Result<Json<HolderAnswer>, ApiError> {
    let q: HolderQuery =
        serde_json::from_slice(&call.body).map_err(|e| ApiError::InvalidBody(e.to_string()))?;
    crate::license::check_holder_code(q.holder_code_type, &q.holder_code)
        .map_err(|e| ApiError::InvalidHolderCode(e.to_string()))?;
    let current = node.trust_list_for_verify().await?;
    let licenses = holder_licenses::own_licenses(
        &node.store,
        &current.verified.list,
        &q.holder_code,
        q.holder_code_type,
    )
    .await?;
    tracing::info!(
        caller = call.caller.province.abbrev(),
        count = licenses.len(),
        "holder licenses asked"
    );
    Ok(Json(HolderAnswer {
        province: node.show_service().map(|(p, _)| p),
        licenses,
    }))
}
