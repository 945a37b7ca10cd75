//! `/v1/licenses…`: issue one, issue a batch, look one up, suspend, reinstate, revoke.

use super::auth::AuthenticatedAgency;
use super::error::ApiError;
use super::extract::{ApiJson, IdempotencyKey, OptionalJson};
use super::issue::{issue_many, replay, request_hash, IssueBody, IssuedLicense, StatusListRef};
use super::state::AppState;
use crate::adapters::storage::{LicenseRecord, LicenseStatus};
use crate::license::{Identifier, Status, StatusList};
use axum::extract::{Path, State};
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
    /// Unix seconds.
    pub issued_at: i64,
    /// Unix seconds.
    pub updated_at: i64,
}

fn view(node: &AppState, r: LicenseRecord) -> LicenseView {
    LicenseView {
        status_list: StatusListRef {
            uri: node.status_list_uri(&r.agency_id, r.status_list),
            idx: r.status_index,
        },
        identifier: r.identifier,
        type_code: r.type_code,
        status: r.status.as_str().to_string(),
        reason: r.reason,
        version: r.version,
        credential: r.credential,
        issued_at: r.issued_at,
        updated_at: r.updated_at,
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
    if let Some(k) = &key.0 {
        if node
            .store
            .idempotent_response(agency.0.uscc(), k)
            .await?
            .is_some()
        {
            let (_, response) = replay(node, agency.0.uscc(), k, &hash).await?;
            return Ok(created(response, true));
        }
    }
    let idem = key.0.as_deref().map(|k| (k, hash.as_str()));
    let (issued, response) = issue_many(node, &agency.0, bodies, batch, idem).await?;
    Ok(created(response, issued.is_empty()))
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

fn parse_identifier(s: &str) -> Result<Identifier, ApiError> {
    s.parse::<Identifier>().map_err(ApiError::from)
}

async fn owned(
    node: &AppState,
    agency: &AuthenticatedAgency,
    id: &str,
) -> Result<LicenseRecord, ApiError> {
    parse_identifier(id)?;
    let rec = node.store.license(id).await?;
    if rec.agency_id != agency.0.uscc() {
        return Err(ApiError::NotOwner);
    }
    Ok(rec)
}

/// Look up a license the calling agency issued.
#[utoipa::path(get, path = "/v1/licenses/{identifier}",
    params(("identifier" = String, Path, description = "GB/T 36904 identifier")),
    responses((status = 200, body = LicenseView), (status = "4XX", description = "problem+json")),
    security(("agency_token" = [])))]
pub async fn get_license(
    State(node): State<AppState>,
    agency: AuthenticatedAgency,
    Path(id): Path<String>,
) -> Result<Json<LicenseView>, ApiError> {
    let rec = owned(&node, &agency, &id).await?;
    Ok(Json(view(&node, rec)))
}

#[derive(Clone, Copy)]
enum Action {
    Suspend,
    Reinstate,
    Revoke,
}

fn to_domain(s: LicenseStatus) -> Status {
    match s {
        LicenseStatus::Valid => Status::Valid,
        LicenseStatus::Suspended => Status::Suspended,
        LicenseStatus::Revoked => Status::Revoked,
    }
}

fn to_stored(s: Status) -> LicenseStatus {
    match s {
        Status::Valid => LicenseStatus::Valid,
        Status::Suspended => LicenseStatus::Suspended,
        Status::Revoked => LicenseStatus::Revoked,
    }
}

async fn change(
    node: AppState,
    agency: AuthenticatedAgency,
    id: String,
    reason: Option<String>,
    action: Action,
) -> Result<Json<LicenseView>, ApiError> {
    let rec = owned(&node, &agency, &id).await?;
    // The domain decides whether the change is allowed (and checks the reason).
    let mut one = StatusList::new(1)?;
    one.set(0, to_domain(rec.status))?;
    let r = reason.as_deref().unwrap_or("");
    let change = match action {
        Action::Suspend => one.suspend(0, r)?,
        Action::Reinstate => one.reinstate(0)?,
        Action::Revoke => one.revoke(0, r)?,
    };
    let t = node.now().unix_timestamp();
    let rec = node
        .store
        .set_status(
            &id,
            agency.0.uscc(),
            &[to_stored(change.from)],
            to_stored(change.to),
            change.reason.as_deref(),
            t,
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
    Path(id): Path<String>,
    OptionalJson(b): OptionalJson<ReasonBody>,
) -> Result<Json<LicenseView>, ApiError> {
    change(node, agency, id, b.reason, Action::Suspend).await
}

/// Reinstate a suspended license.
#[utoipa::path(post, path = "/v1/licenses/{identifier}/reinstate", request_body = ReasonBody,
    params(("identifier" = String, Path)),
    responses((status = 200, body = LicenseView), (status = "4XX", description = "problem+json")),
    security(("agency_token" = [])))]
pub async fn reinstate(
    State(node): State<AppState>,
    agency: AuthenticatedAgency,
    Path(id): Path<String>,
    OptionalJson(b): OptionalJson<ReasonBody>,
) -> Result<Json<LicenseView>, ApiError> {
    change(node, agency, id, b.reason, Action::Reinstate).await
}

/// Revoke a license for good (reason required).
#[utoipa::path(post, path = "/v1/licenses/{identifier}/revoke", request_body = ReasonBody,
    params(("identifier" = String, Path)),
    responses((status = 200, body = LicenseView), (status = "4XX", description = "problem+json")),
    security(("agency_token" = [])))]
pub async fn revoke(
    State(node): State<AppState>,
    agency: AuthenticatedAgency,
    Path(id): Path<String>,
    OptionalJson(b): OptionalJson<ReasonBody>,
) -> Result<Json<LicenseView>, ApiError> {
    change(node, agency, id, b.reason, Action::Revoke).await
}
