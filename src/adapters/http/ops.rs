//! Operations endpoints: `GET /healthz`, `GET /readyz`, `GET /metrics`,
//! `GET /openapi.json`, and the SD-JWT VC issuer metadata of each hosted agency
//! (`GET /.well-known/jwt-vc-issuer/agencies/{uscc}`).

use super::error::ApiError;
use super::extract::ApiPath;
use super::state::AppState;
use crate::service::ServiceError;
use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use utoipa::OpenApi;

/// Liveness and database reachability.
#[utoipa::path(get, path = "/healthz",
    responses((status = 200, description = "ok"), (status = 503, description = "database unreachable")))]
pub async fn healthz(State(node): State<AppState>) -> Response {
    match node.store.ping().await {
        Ok(()) => (StatusCode::OK, Json(serde_json::json!({"status": "ok"}))).into_response(),
        Err(e) => super::error::ApiError::Unavailable(e.to_string()).into_response(),
    }
}

/// Readiness: the database answers and, when the node holds a trust list, the list it
/// would serve is current (within its grace). 503 problem+json otherwise, so a balancer
/// takes the node out of rotation until it is ready.
#[utoipa::path(get, path = "/readyz",
    responses((status = 200, description = "ready: `{\"status\": \"ready\", \"database\": \"ok\", \"trust_list\": {\"sequence\", \"digest\"} | null}`"),
        (status = 503, description = "problem+json `unavailable` (database) or `trust_list_unavailable`")))]
pub async fn readyz(State(node): State<AppState>) -> Response {
    if let Err(e) = node.store.ping().await {
        return ApiError::Unavailable(e.to_string()).into_response();
    }
    let trust_list = if node.trust_list_poll_interval().is_some() {
        match node.current_trust_list().await {
            Ok(c) => serde_json::json!({"sequence": c.sequence(), "digest": c.digest()}),
            Err(e @ ServiceError::Storage(_)) => return ApiError::from(e).into_response(),
            Err(e) => {
                tracing::warn!(error = %e, "not ready: no current trust list");
                return ApiError::TrustListUnavailable.into_response();
            }
        }
    } else {
        serde_json::Value::Null
    };
    Json(serde_json::json!({"status": "ready", "database": "ok", "trust_list": trust_list}))
        .into_response()
}

/// The SD-JWT VC issuer metadata of a hosted agency: where the credentials' `iss`
/// (`{public_base_url}/agencies/{uscc}`) resolves, per draft-ietf-oauth-sd-jwt-vc
/// (the well-known segment goes between the host and the issuer's path).
#[utoipa::path(get, path = "/.well-known/jwt-vc-issuer/agencies/{uscc}",
    params(("uscc" = String, Path, description = "the agency's USCC")),
    responses((status = 200, content_type = "application/json",
            description = "`{\"issuer\": \"<the credentials' iss>\", \"jwks\": {\"keys\": [JWK with alg, kid, x5c]}}`"),
        (status = 404, description = "problem+json not_found: no such hosted agency")))]
pub async fn issuer_metadata(
    State(node): State<AppState>,
    ApiPath(uscc): ApiPath<String>,
) -> Result<Response, ApiError> {
    let agency = node.agency(&uscc).ok_or(ApiError::NotFound)?;
    let mut resp = Json(crate::license::sdjwt::issuer_metadata(&agency)).into_response();
    resp.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("max-age=3600"),
    );
    Ok(resp)
}

/// Prometheus text exposition.
#[utoipa::path(get, path = "/metrics",
    responses((status = 200, description = "Prometheus text format", content_type = "text/plain")))]
pub async fn metrics(State(node): State<AppState>) -> Response {
    let mut resp = node.metrics.render().into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
    );
    resp
}

/// The OpenAPI document of this API (generated from the handlers).
#[derive(OpenApi)]
#[openapi(
    info(title = "deltaseal issuance API", description = "E-licenses and e-proofs as SD-JWT VC; every error is application/problem+json (RFC 9457) with a stable `code`."),
    paths(
        super::licenses::issue_one,
        super::licenses::issue_batch,
        super::licenses::get_license,
        super::licenses::suspend,
        super::licenses::reinstate,
        super::licenses::revoke,
        super::proofs::create,
        super::proofs::approve,
        super::proofs::refuse,
        super::proofs::issue,
        super::status::status_list,
        super::status::catalog,
        super::trust_list::trust_list,
        super::archive::checkpoint,
        super::archive::entries,
        super::archive::records,
        super::archive::inclusion,
        super::archive::consistency,
        super::verify::verify,
        super::verify::verify_batch,
        super::verify::validate_certificate,
        super::seals::make::create,
        super::seals::make::get_seal,
        super::seals::make::change_signers,
        super::seals::make::revocations,
        super::seals::make::signed_revocations,
        super::seals::stamp::stamp,
        healthz,
        readyz,
        metrics,
        issuer_metadata,
    ),
    modifiers(&AgencyToken)
)]
pub struct ApiDoc;

struct AgencyToken;

impl utoipa::Modify for AgencyToken {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let comps = openapi.components.get_or_insert_with(Default::default);
        comps.add_security_scheme(
            "agency_token",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT signed by the agency key, x5c to a province root, aud = node, exp ≤ 5 min")
                    .build(),
            ),
        );
    }
}

/// `GET /openapi.json`.
pub async fn openapi() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
