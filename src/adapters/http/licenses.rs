//! `/v1/licenses…`: issue one, issue a batch, look one up, suspend, reinstate, revoke.

use super::auth::AuthenticatedAgency;
use super::error::ApiError;
use super::extract::{ApiJson, ApiPath, IdempotencyKey, OptionalJson};
use super::issue::{request_hash, run_issue, IssueBody, IssuedLicense, StatusListRef};
use super::state::AppState;
use crate::adapters::storage::LicenseRecord;
use crate::service::issue::Idempotency;
use crate::service::status::{change_status, owned_license, StatusAction};
use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// `POST /v1/licenses:batch` body.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BatchBody {
    /// The licenses to issue, all or none.
    pub items: Vec<IssueBody>,
}

/// `POST /v1/licenses:batch` answer.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct BatchIssued {
    /// Every license issued, in request order.
    pub issued: Vec<IssuedLicense>,
}

/// Reason for a status change.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReasonBody {
    /// Why (required to suspend or revoke; 1–512 bytes).
    #[serde(default)]
    pub reason: Option<String>,
}

/// A stored license as the API shows it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct LicenseView {
    /// GB/T 36904 identifier.
    pub identifier: String,
    /// Type code.
    pub type_code: String,
    /// `valid`, `suspended` or `revoked`.
    pub status: String,
    /// Reason of the last status change.
    pub reason: Option<String>,
    /// Bumped on every change.
    pub version: i64,
    /// The status list entry.
    pub status_list: StatusListRef,
    /// The SD-JWT VC with every disclosure.
    pub credential: String,
    /// When it was issued (RFC 3339, UTC).
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub issued_at: time::OffsetDateTime,
    /// When its status last changed, or when it was issued (RFC 3339, UTC).
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: time::OffsetDateTime,
}

fn view(node: &AppState, r: LicenseRecord) -> LicenseView {
    LicenseView {
        status_list: StatusListRef {
            uri: node.status_list_uri(&r.agency_id, r.status_list),
            idx: r.status_index,
        },
        identifier: r.identifier,
        type_code: r.type_code,
        status: r.status.name().to_string(),
        reason: r.reason,
        version: r.version,
        credential: r.credential,
        issued_at: crate::service::issue::api_time(r.issued_at),
        updated_at: crate::service::issue::api_time(r.updated_at),
    }
}

fn created(response: String, replayed: bool) -> Response {
    let mut resp = (StatusCode::CREATED, response).into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    if replayed {
        h.insert("idempotent-replayed", HeaderValue::from_static("true"));
    }
    resp
}

async fn issue_idempotent(
    node: &AppState,
    agency: &AuthenticatedAgency,
    route: &str,
    key: IdempotencyKey,
    bodies: &[IssueBody],
    hash_of: &impl Serialize,
    batch: bool,
) -> Result<Response, ApiError> {
    let hash = request_hash(route, hash_of);
    let idem = key.0.as_deref().map(|k| Idempotency {
        key: k,
        request_hash: &hash,
    });
    let out = run_issue(node, &agency.0, bodies, batch, idem).await?;
    Ok(created(out.response, out.replayed))
}

/// Issue one license.
#[utoipa::path(post, path = "/v1/licenses", request_body = IssueBody,
    params(("Idempotency-Key" = Option<String>, Header, description = "retry-safe key")),
    responses((status = 201, body = IssuedLicense), (status = "4XX", description = "problem+json")),
    security(("agency_token" = [])))]
pub async fn issue_one(
    State(node): State<AppState>,
    agency: AuthenticatedAgency,
    key: IdempotencyKey,
    ApiJson(body): ApiJson<IssueBody>,
) -> Result<Response, ApiError> {
    issue_idempotent(
        &node,
        &agency,
        "licenses",
        key,
        std::slice::from_ref(&body),
        &body,
        false,
    )
    .await
}

/// Issue many licenses in one transaction (all or none).
#[utoipa::path(post, path = "/v1/licenses:batch", request_body = BatchBody,
    params(("Idempotency-Key" = Option<String>, Header, description = "retry-safe key")),
    responses((status = 201, body = BatchIssued), (status = "4XX", description = "problem+json")),
    security(("agency_token" = [])))]
pub async fn issue_batch(
    State(node): State<AppState>,
    agency: AuthenticatedAgency,
    key: IdempotencyKey,
    ApiJson(body): ApiJson<BatchBody>,
) -> Result<Response, ApiError> {
    if body.items.is_empty() {
        return Err(ApiError::EmptyBatch);
    }
    if body.items.len() > node.settings.limits.max_batch {
        return Err(ApiError::BatchTooLarge(node.settings.limits.max_batch));
    }
    issue_idempotent(
        &node,
        &agency,
        "licenses:batch",
        key,
        &body.items,
        &body,
        true,
    )
    .await
}

/// Look up a license the calling agency issued.
#[utoipa::path(get, path = "/v1/licenses/{identifier}",
    params(("identifier" = String, Path, description = "GB/T 36904 identifier")),
    responses((status = 200, body = LicenseView), (status = "4XX", description = "problem+json")),
    security(("agency_token" = [])))]
pub async fn get_license(
    State(node): State<AppState>,
    agency: AuthenticatedAgency,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<LicenseView>, ApiError> {
    let rec = owned_license(&node.store, agency.0.uscc(), &id).await?;
    Ok(Json(view(&node, rec)))
}

async fn change(
    node: AppState,
    agency: AuthenticatedAgency,
    id: String,
    reason: Option<String>,
    action: StatusAction,
) -> Result<Json<LicenseView>, ApiError> {
    let rec = change_status(
        &node.store,
        agency.0.uscc(),
        &id,
        action,
        reason.as_deref(),
        node.now(),
    )
    .await?;
    node.metrics.status_changed();
    Ok(Json(view(&node, rec)))
}

/// Suspend a valid license (reason required).
#[utoipa::path(post, path = "/v1/licenses/{identifier}/suspend", request_body = ReasonBody,
    params(("identifier" = String, Path)),
    responses((status = 200, body = LicenseView), (status = "4XX", description = "problem+json")),
    security(("agency_token" = [])))]
pub async fn suspend(
    State(node): State<AppState>,
    agency: AuthenticatedAgency,
    ApiPath(id): ApiPath<String>,
    OptionalJson(b): OptionalJson<ReasonBody>,
) -> Result<Json<LicenseView>, ApiError> {
    change(node, agency, id, b.reason, StatusAction::Suspend).await
}

/// Reinstate a suspended license.
#[utoipa::path(post, path = "/v1/licenses/{identifier}/reinstate", request_body = ReasonBody,
    params(("identifier" = String, Path)),
    responses((status = 200, body = LicenseView), (status = "4XX", description = "problem+json")),
    security(("agency_token" = [])))]
pub async fn reinstate(
    State(node): State<AppState>,
    agency: AuthenticatedAgency,
    ApiPath(id): ApiPath<String>,
    OptionalJson(b): OptionalJson<ReasonBody>,
) -> Result<Json<LicenseView>, ApiError> {
    change(node, agency, id, b.reason, StatusAction::Reinstate).await
}

/// Revoke a license for good (reason required).
#[utoipa::path(post, path = "/v1/licenses/{identifier}/revoke", request_body = ReasonBody,
    params(("identifier" = String, Path)),
    responses((status = 200, body = LicenseView), (status = "4XX", description = "problem+json")),
    security(("agency_token" = [])))]
pub async fn revoke(
    State(node): State<AppState>,
    agency: AuthenticatedAgency,
    ApiPath(id): ApiPath<String>,
    OptionalJson(b): OptionalJson<ReasonBody>,
) -> Result<Json<LicenseView>, ApiError> {
    change(node, agency, id, b.reason, StatusAction::Revoke).await
}
