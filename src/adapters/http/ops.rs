//! Operations endpoints: `GET /healthz`, `GET /metrics`, `GET /openapi.json`.

use super::state::AppState;
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
        metrics,
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
