//! The archive log, read-only and public:
//! - `GET /v1/archive/checkpoint`: the signed checkpoint (C2SP signed note, text/plain);
//! - `GET /v1/archive/entries?from=&count=`: a page of entries (at most 1,000);
//! - `GET /v1/archive/proofs/inclusion?index=&size=`: an entry and its inclusion proof;
//! - `GET /v1/archive/proofs/consistency?from=&to=`: a consistency proof;
//! - `POST /v1/federation/archive/cosignatures` (signed call between nodes): a peer's
//!   cosignature of this node's checkpoint, kept and served with it.
//!
//! Hashes are base64, as in the checkpoint.

use super::error::ApiError;
use super::node_call::SignedCall;
use super::state::AppState;
use crate::archive::checkpoint::{origin, witness_name};
use crate::archive::entry::{Act, Lookup};
use crate::archive::wire::{ConsistencyView, EntryView, InclusionView};
use crate::service::archive as uc;
use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;

/// The federation route a witness hands its cosignature to.
pub const COSIGN_PATH: &str = "/v1/federation/archive/cosignatures";

/// Media type of a checkpoint.
pub const CHECKPOINT_TYPE: &str = "text/plain; charset=utf-8";

/// The value of `name` in a query string (a bare `name` is an empty value).
fn value<'q>(query: &'q Option<String>, name: &str) -> Option<&'q str> {
    query.as_deref().unwrap_or("").split('&').find_map(|kv| {
        let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
        (k == name).then_some(v)
    })
}

/// The unsigned integer `name` of a query string, if given.
fn number(query: &Option<String>, name: &str) -> Result<Option<u64>, ApiError> {
    value(query, name)
        .map(|v| {
            v.parse::<u64>().map_err(|_| {
                ApiError::InvalidRequest(format!("{name} must be an unsigned integer, not {v:?}"))
            })
        })
        .transpose()
}

/// The unsigned integer `name` of a query string, which must be given.
fn required(query: &Option<String>, name: &str) -> Result<u64, ApiError> {
    number(query, name)?.ok_or_else(|| ApiError::InvalidRequest(format!("{name} is required")))
}

/// The signer and origin of this node's log.
fn log_signer(
    node: &AppState,
) -> Result<(String, std::sync::Arc<dyn crate::crypto::Signer>), ApiError> {
    let (province, party) = node
        .show_signer()
        .ok_or_else(|| ApiError::Unavailable("this node has no key to sign checkpoints".into()))?;
    Ok((origin(province), party.signer.clone()))
}

/// `GET /v1/archive/checkpoint`: the signed note and the peers' cosignatures.
#[utoipa::path(get, path = "/v1/archive/checkpoint",
    responses((status = 200, content_type = "text/plain", body = String,
        description = "the log's checkpoint (C2SP tlog-checkpoint) as a signed note, with the peers' cosignature lines")))]
pub async fn checkpoint(State(node): State<AppState>) -> Result<Response, ApiError> {
    let (origin, signer) = log_signer(&node)?;
    let (_, text) = uc::served_checkpoint(
        node.store(),
        signer.as_ref(),
        &origin,
        node.now().unix_timestamp(),
    )
    .await?;
    let mut resp = text.into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(CHECKPOINT_TYPE),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    Ok(resp)
}

/// The cosignature call's body.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct CosignBody {
    size: u64,
    line: String,
}

/// `POST /v1/federation/archive/cosignatures` (signed call): another province's node,
/// as a witness, hands over its cosignature of this node's checkpoint of `size`.
pub async fn cosignature(
    State(node): State<AppState>,
    call: SignedCall,
) -> Result<StatusCode, ApiError> {
    let body: CosignBody =
        serde_json::from_slice(&call.body).map_err(|e| ApiError::InvalidBody(e.to_string()))?;
    let list = node.current_trust_list().await?;
    let der = list
        .verified
        .list
        .provinces
        .iter()
        .filter(|p| p.code == call.caller.province)
        .flat_map(|p| &p.show_services)
        .flat_map(|s| &s.certs)
        .find(|c| c.sha256 == call.caller.service_sha256)
        .and_then(|c| STANDARD.decode(&c.der).ok())
        .ok_or_else(|| {
            ApiError::Unavailable("the caller's certificate is not in the trust list".into())
        })?;
    let key = crate::qr::cose::cert_public_key(&der).ok_or_else(|| {
        ApiError::Unavailable("the caller's certificate has no usable key".into())
    })?;
    uc::accept_cosignature(
        node.store(),
        &witness_name(call.caller.province),
        &key,
        body.size,
        &body.line,
        node.now().unix_timestamp(),
    )
    .await?;
    tracing::info!(
        witness = call.caller.province.abbrev(),
        size = body.size,
        "checkpoint cosigned"
    );
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /v1/archive/entries?from=&count=`.
#[utoipa::path(get, path = "/v1/archive/entries",
    params(("from" = Option<u64>, Query, description = "first index, default 0"),
        ("count" = Option<u64>, Query, description = "at most 1000, default 100")),
    responses((status = 200, description = "the entries: index, act, subject, digest (hex), at, leaf_hash (base64); none beyond the log"),
        (status = "4XX", description = "problem+json invalid_request")))]
pub async fn entries(
    State(node): State<AppState>,
    RawQuery(q): RawQuery,
) -> Result<Json<Vec<EntryView>>, ApiError> {
    let from = number(&q, "from")?.unwrap_or(0);
    let count = number(&q, "count")?.unwrap_or(100);
    let page = uc::entries(node.store(), from, count).await?;
    Ok(Json(page.iter().map(EntryView::from).collect()))
}

/// `GET /v1/archive/records?from=&count=`: for each `license.issued` entry among
/// those, the issuer-signed JWT the node holds of its license now (`null`: none).
#[utoipa::path(get, path = "/v1/archive/records",
    params(("from" = Option<u64>, Query, description = "first index, default 0"),
        ("count" = Option<u64>, Query, description = "at most 1000, default 100")),
    responses((status = 200, description = "for each license.issued entry the issuer-signed JWT held now (null: none), for each evidence.kept entry the validation data held"),
        (status = "4XX", description = "problem+json invalid_request")))]
pub async fn records(
    State(node): State<AppState>,
    RawQuery(q): RawQuery,
) -> Result<Json<Vec<crate::archive::wire::RecordView>>, ApiError> {
    let from = number(&q, "from")?.unwrap_or(0);
    let count = number(&q, "count")?.unwrap_or(100);
    Ok(Json(uc::issued_records(node.store(), from, count).await?))
}

/// The acts an artifact's evidence is looked up by (`?digest=…&act=`).
const EVIDENT: [Act; 4] = [
    Act::LicenseIssued,
    Act::SealMade,
    Act::DocumentStamped,
    Act::ShowTokenIssued,
];

/// `GET /v1/archive/proofs/inclusion?index=&size=` (size: the whole log), or
/// `?digest=HEX&at=IAT` (a license issued: the SHA-256 of its issuer-signed JWT and
/// that JWT's `iat`) or `?digest=HEX&act=seal.made|document.stamped|show.issued` (the
/// SHA-256 of a seal's DER, a stamp or stamped document, a show token's record): the
/// entry of that act, its proof against the
/// checkpoint as served now, and that checkpoint (with its cosignatures).
#[utoipa::path(get, path = "/v1/archive/proofs/inclusion",
    params(("index" = Option<u64>, Query, description = "the entry's index (or digest)"),
        ("size" = Option<u64>, Query, description = "with index: the tree size, default the whole log"),
        ("digest" = Option<String>, Query, description = "hex SHA-256 of the act's record: the entry of that act, against the checkpoint served now"),
        ("act" = Option<String>, Query, description = "with digest: license.issued (default), seal.made, document.stamped, show.issued"),
        ("at" = Option<i64>, Query, description = "with digest, for license.issued (required): the issuer-signed JWT's iat")),
    responses((status = 200, description = "entry, size, proof (base64); by digest also the checkpoint and, for a license, ltv (the validation data kept at issuance with its entry and proof)"),
        (status = "4XX", description = "problem+json: invalid_request, or not_found (no entry of that digest)")))]
pub async fn inclusion(
    State(node): State<AppState>,
    RawQuery(q): RawQuery,
) -> Result<Json<InclusionView>, ApiError> {
    if let Some(digest) = value(&q, "digest") {
        let digest: crate::archive::merkle::Hash = hex::decode(digest)
            .ok()
            .and_then(|d| d.try_into().ok())
            .ok_or_else(|| ApiError::InvalidRequest("digest is not a hex SHA-256".into()))?;
        let act = match value(&q, "act") {
            None => Act::LicenseIssued,
            Some(a) => Act::from_name(a)
                .filter(|a| EVIDENT.contains(a))
                .ok_or_else(|| {
                    ApiError::InvalidRequest(
                        "act must be license.issued, seal.made, document.stamped or show.issued"
                            .into(),
                    )
                })?,
        };
        let at = match value(&q, "at") {
            None => None,
            Some(t) => Some(t.parse::<i64>().map_err(|_| {
                ApiError::InvalidRequest("at is not a time in Unix seconds".into())
            })?),
        };
        let lookup = Lookup::of(act, at).map_err(|why| ApiError::InvalidRequest(why.into()))?;
        let (origin, signer) = log_signer(&node)?;
        let view = uc::issued_inclusion(
            node.store(),
            signer.as_ref(),
            &origin,
            lookup,
            &digest,
            node.now().unix_timestamp(),
        )
        .await?;
        return Ok(Json(view));
    }
    let index = required(&q, "index")?;
    let size = number(&q, "size")?;
    let inc = uc::inclusion(node.store(), index, size).await?;
    Ok(Json(InclusionView {
        entry: EntryView::from(&inc.entry),
        size: inc.size,
        proof: crate::archive::wire::encode_hashes(&inc.proof),
        checkpoint: None,
        ltv: None,
    }))
}

/// `GET /v1/archive/proofs/consistency?from=&to=`.
#[utoipa::path(get, path = "/v1/archive/proofs/consistency",
    params(("from" = u64, Query, description = "the smaller tree size, at least 1"),
        ("to" = u64, Query, description = "the larger tree size, at most the log's")),
    responses((status = 200, description = "from, to and the consistency proof (base64)"),
        (status = "4XX", description = "problem+json invalid_request")))]
pub async fn consistency(
    State(node): State<AppState>,
    RawQuery(q): RawQuery,
) -> Result<Json<ConsistencyView>, ApiError> {
    let from = required(&q, "from")?;
    let to = required(&q, "to")?;
    let proof = uc::consistency(node.store(), from, to).await?;
    Ok(Json(ConsistencyView {
        from,
        to,
        proof: crate::archive::wire::encode_hashes(&proof),
    }))
}
