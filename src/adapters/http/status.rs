//! Public reads: `GET /v1/status/{agency}/{list}` (the agency's Token Status List as a
//! signed `statuslist+jwt`, re-signed only when the list changed) and `GET /v1/catalog`.

use super::error::ApiError;
use super::extract::ApiPath;
use super::state::{AppState, Node};
use crate::adapters::storage::full_list_bits;
use crate::license::{StatusList, StatusListToken};
use axum::extract::State;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Json;
use time::Duration;

/// Media type of a status list token.
pub const STATUSLIST_JWT: &str = "application/statuslist+jwt";
/// Seconds verifiers may cache a status list.
pub const STATUS_TTL: u64 = 300;
/// A cached token is re-signed after this many seconds even if unchanged.
const RESIGN_AFTER: i64 = 3600;

/// The status list token of an agency.
#[utoipa::path(get, path = "/v1/status/{agency}/{list}",
    params(("agency" = String, Path, description = "agency USCC"), ("list" = i64, Path)),
    responses((status = 200, content_type = "application/statuslist+jwt", body = String),
        (status = 404, description = "problem+json")))]
pub async fn status_list(
    State(node): State<AppState>,
    ApiPath((agency, list)): ApiPath<(String, String)>,
) -> Result<Response, ApiError> {
    let list: i64 = list.parse().map_err(|_| ApiError::NotFound)?;
    let token = own_status_token(&node, &agency, list).await?;
    let mut resp = token.into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(STATUSLIST_JWT),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=300"),
    );
    Ok(resp)
}

/// The signed status list token of hosted agency `agency`'s list `list`, re-signed only
/// when the list changed (or after an hour).
pub(crate) async fn own_status_token(
    node: &Node,
    agency: &str,
    list: i64,
) -> Result<String, ApiError> {
    let signer = node
        .agencies
        .get(agency)
        .cloned()
        .ok_or(ApiError::NotFound)?;
    let rec = node.store.status_list(agency, list).await?;
    let now = node.now();
    let key = (agency.to_owned(), list);
    let cached = node
        .status_cache
        .lock()
        .ok()
        .and_then(|c| c.get(&key).cloned())
        .filter(|(v, at, _)| *v == rec.version && now.unix_timestamp() - at < RESIGN_AFTER)
        .map(|(_, _, t)| t);
    let token = match cached {
        Some(t) => t,
        None => {
            let bytes = full_list_bits(rec.bits.clone())?;
            let token = StatusListToken {
                uri: node.status_list_uri(agency, list),
                iat: now,
                exp: Some(now + Duration::days(1)),
                ttl: Some(STATUS_TTL),
                list: StatusList::from_bytes(bytes)?,
            };
            let s2 = signer.clone();
            let token = tokio::task::spawn_blocking(move || token.sign(s2.signer(), s2.chain()))
                .await
                .map_err(|e| ApiError::Internal(e.to_string()))??;
            if let Ok(mut c) = node.status_cache.lock() {
                c.insert(key, (rec.version, now.unix_timestamp(), token.clone()));
            }
            token
        }
    };
    Ok(token)
}

/// The catalogue of license and proof types.
#[utoipa::path(get, path = "/v1/catalog",
    responses((status = 200, description = "the catalogue", body = Object)))]
pub async fn catalog(State(node): State<AppState>) -> Json<serde_json::Value> {
    Json(serde_json::json!({
        "version": node.catalog.version(),
        "types": node.catalog.types(),
        "authorities": node.catalog.authorities(),
    }))
}
