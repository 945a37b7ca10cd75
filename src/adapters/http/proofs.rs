//! `/v1/proofs/requests…`: the e-proof flow (request → approve | refuse; approved →
//! issue). The state machine is the license domain's `ProofRequest`; the use cases
//! in [`crate::service::proofs`] load, apply and store it; this file maps bodies and
//! views.

use super::auth::AuthenticatedAgency;
use super::blocking::TokioBlocking;
use super::error::ApiError;
use super::extract::{ApiJson, ApiPath, OptionalJson};
use super::issue::IssuedLicense;
use super::state::AppState;
use crate::adapters::storage::ProofRequestRecord;
use crate::service::issue::{holder_code_type, Issuer};
use crate::service::proofs::{self, ProofApplication};
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;

/// `POST /v1/proofs/requests` body.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProofRequestBody {
    /// Proof type code (a type of class `proof`).
    pub type_code: String,
    /// Applicant (the future holder).
    pub applicant: String,
    /// Applicant's code.
    pub applicant_code: String,
    /// `111` citizen ID (default), `001` USCC, `414` passport.
    #[serde(default)]
    pub applicant_code_type: Option<String>,
    /// Stated purpose (用途).
    pub purpose: String,
}

/// `POST /v1/proofs/requests/{id}/refuse` body.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefuseBody {
    /// Why (1–512 bytes).
    #[serde(default)]
    pub reason: Option<String>,
}

/// `POST /v1/proofs/requests/{id}/issue` body.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProofIssueBody {
    /// The proof type's fields.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub claims: Map<String, Value>,
    /// Holder public key (JWK) for key binding.
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub holder_key: Option<Value>,
}

/// A proof request as the API shows it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ProofRequestView {
    /// Request id.
    pub id: String,
    /// `requested`, `approved`, `refused` or `issued`.
    pub state: String,
    /// The request document.
    #[schema(value_type = Object)]
    pub request: Value,
}

fn view(rec: &ProofRequestRecord) -> ProofRequestView {
    ProofRequestView {
        id: rec.id.clone(),
        state: rec.state.name().to_string(),
        request: serde_json::from_str(&rec.request).unwrap_or(Value::Null),
    }
}

/// Register an applicant's request for a proof of the calling agency.
#[utoipa::path(post, path = "/v1/proofs/requests", request_body = ProofRequestBody,
    responses((status = 201, body = ProofRequestView), (status = "4XX", description = "problem+json")),
    security(("agency_token" = [])))]
pub async fn create(
    State(node): State<AppState>,
    agency: AuthenticatedAgency,
    ApiJson(b): ApiJson<ProofRequestBody>,
) -> Result<(StatusCode, Json<ProofRequestView>), ApiError> {
    let app = ProofApplication {
        type_code: &b.type_code,
        applicant: &b.applicant,
        applicant_code: &b.applicant_code,
        applicant_code_type: holder_code_type(
            b.applicant_code_type.as_deref(),
            "applicant_code_type",
        )?,
        purpose: &b.purpose,
    };
    let rec =
        proofs::create_request(&node.store, &node.catalog, &agency.0, &app, node.now()).await?;
    Ok((StatusCode::CREATED, Json(view(&rec))))
}

/// Approve a request.
#[utoipa::path(post, path = "/v1/proofs/requests/{id}/approve", params(("id" = String, Path)),
    responses((status = 200, body = ProofRequestView), (status = "4XX", description = "problem+json")),
    security(("agency_token" = [])))]
pub async fn approve(
    State(node): State<AppState>,
    agency: AuthenticatedAgency,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<ProofRequestView>, ApiError> {
    let rec = proofs::approve(&node.store, agency.0.uscc(), &id, node.now()).await?;
    Ok(Json(view(&rec)))
}

/// Refuse a request (reason required).
#[utoipa::path(post, path = "/v1/proofs/requests/{id}/refuse", request_body = RefuseBody,
    params(("id" = String, Path)),
    responses((status = 200, body = ProofRequestView), (status = "4XX", description = "problem+json")),
    security(("agency_token" = [])))]
pub async fn refuse(
    State(node): State<AppState>,
    agency: AuthenticatedAgency,
    ApiPath(id): ApiPath<String>,
    OptionalJson(b): OptionalJson<RefuseBody>,
) -> Result<Json<ProofRequestView>, ApiError> {
    let rec = proofs::refuse(
        &node.store,
        agency.0.uscc(),
        &id,
        b.reason.as_deref(),
        node.now(),
    )
    .await?;
    Ok(Json(view(&rec)))
}

/// Issue the proof of an approved request.
#[utoipa::path(post, path = "/v1/proofs/requests/{id}/issue", request_body = ProofIssueBody,
    params(("id" = String, Path)),
    responses((status = 201, body = IssuedLicense), (status = "4XX", description = "problem+json")),
    security(("agency_token" = [])))]
pub async fn issue(
    State(node): State<AppState>,
    agency: AuthenticatedAgency,
    ApiPath(id): ApiPath<String>,
    OptionalJson(b): OptionalJson<ProofIssueBody>,
) -> Result<(StatusCode, Json<IssuedLicense>), ApiError> {
    let uscc = agency.0.uscc();
    let status_uri = |list: i64| node.status_list_uri(uscc, list);
    let ltv = node.ltv_basis();
    let issuer = Issuer {
        catalog: &node.catalog,
        agency: &agency.0,
        status_uri: &status_uri,
        ltv: Some(&ltv),
    };
    let issued = proofs::issue_proof(
        &node.store,
        &TokioBlocking,
        &issuer,
        &id,
        b.claims,
        b.holder_key.as_ref(),
        node.now(),
    )
    .await?;
    node.metrics.issued(1);
    Ok((StatusCode::CREATED, Json(issued)))
}
