//! `GET /v1/trust-list`: the regional trust list this node holds, as the signed JWS
//! text it accepted, for verifiers and for other nodes polling it. `ETag` is the
//! SHA-256 of the text; `If-None-Match` with it answers `304`.

use super::error::ApiError;
use super::state::AppState;
use crate::service::ServiceError;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

/// Media type of the trust list (its JWS `typ` is `trust-list+jwt`).
pub const TRUST_LIST_JWT: &str = "application/trust-list+jwt";

/// Whether an `If-None-Match` value names `etag` (or is `*`); weak tags compare equal.
fn matches(if_none_match: &str, etag: &str) -> bool {
    if_none_match
        .split(',')
        .map(|t| t.trim())
        .any(|t| t == "*" || t.strip_prefix("W/").unwrap_or(t) == etag)
}

/// The trust list the node holds.
#[utoipa::path(get, path = "/v1/trust-list",
    params(("If-None-Match" = Option<String>, Header, description = "the ETag of the list held")),
    responses((status = 200, content_type = "application/trust-list+jwt", body = String,
            description = "the compact JWS; ETag = \"<SHA-256 of the text>\""),
        (status = 304, description = "the list named by If-None-Match is still current"),
        (status = 503, description = "problem+json trust_list_unavailable: no valid list held")))]
pub async fn trust_list(State(node): State<AppState>, headers: HeaderMap) -> Response {
    let current = match node.current_trust_list().await {
        Ok(c) => c,
        Err(e @ ServiceError::Storage(_)) => return ApiError::from(e).into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "no trust list to serve");
            return ApiError::TrustListUnavailable.into_response();
        }
    };
    let etag = format!("\"{}\"", current.digest());
    let max_age = node
        .trust_list_poll_interval()
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let not_modified = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| matches(v, &etag));
    let mut resp = if not_modified {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        let mut r = current.jws.clone().into_response();
        r.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(TRUST_LIST_JWT),
        );
        r
    };
    let h = resp.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&etag) {
        h.insert(header::ETAG, v);
    }
    if let Ok(v) = HeaderValue::from_str(&format!("max-age={max_age}")) {
        h.insert(header::CACHE_CONTROL, v);
    }
    resp
}

#[cfg(test)]
mod tests {
    use super::matches;

    #[test]
    fn if_none_match_names_the_etag_strong_weak_or_any() {
        assert!(matches("\"ab\"", "\"ab\""));
        assert!(matches("W/\"ab\"", "\"ab\""));
        assert!(matches("\"x\", \"ab\"", "\"ab\""));
        assert!(matches("*", "\"ab\""));
        assert!(!matches("\"abc\"", "\"ab\""));
        assert!(!matches("ab", "\"ab\""));
    }
}
