//! `/v1/proofs/requests…`: the e-proof flow (request → approve | refuse; approved →
//! issue). The state machine is the license domain's [`ProofRequest`]; this file
//! loads, applies and stores it.

use super::auth::AuthenticatedAgency;
use super::error::ApiError;
use super::extract::{ApiJson, OptionalJson};
use super::issue::{serial_for, IssuedLicense, StatusListRef};
use super::state::AppState;
use crate::adapters::storage::{NewLicense, ProofRequestRecord, ProofState as Stored};
use crate::license::sdjwt::key_of_jwk;
use crate::license::{HolderCodeType, ProofRequest, ProofState, StatusRef};
use axum::extract::{Path, State};
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

fn stored_state(s: ProofState) -> Stored {
    match s {
        ProofState::Requested => Stored::Requested,
        ProofState::Approved => Stored::Approved,
        ProofState::Refused => Stored::Refused,
        ProofState::Issued => Stored::Issued,
    }
}

fn view(rec: &ProofRequestRecord) -> ProofRequestView {
    ProofRequestView {
        id: rec.id.clone(),
        state: rec.state.as_str().to_string(),
        request: serde_json::from_str(&rec.request).unwrap_or(Value::Null),
    }
}

fn code_type(s: &Option<String>) -> Result<HolderCodeType, ApiError> {
    match s.as_deref() {
        None | Some("111") => Ok(HolderCodeType::CitizenId),
        Some("001") => Ok(HolderCodeType::Uscc),
        Some("414") => Ok(HolderCodeType::Passport),
        Some(_) => Err(ApiError::InvalidRequest(
            "applicant_code_type must be 111, 001 or 414".into(),
        )),
    }
}

fn to_json(p: &ProofRequest) -> Result<String, ApiError> {
    serde_json::to_string(p).map_err(|e| ApiError::Internal(e.to_string()))
}

async fn load(
    node: &AppState,
    agency: &AuthenticatedAgency,
    id: &str,
) -> Result<(ProofRequestRecord, ProofRequest), ApiError> {
    if uuid::Uuid::parse_str(id).is_err() {
        return Err(ApiError::NotFound);
    }
    let rec = node.store.proof_request(id).await?;
    if rec.agency_id != agency.0.uscc() {
        return Err(ApiError::NotOwner);
    }
    let doc: ProofRequest = serde_json::from_str(&rec.request)
        .map_err(|e| ApiError::Internal(format!("stored proof request: {e}")))?;
    Ok((rec, doc))
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
    let now = node.now();
    let doc = ProofRequest::new(
        &node.catalog,
        &b.type_code,
        &b.applicant,
        &b.applicant_code,
        code_type(&b.applicant_code_type)?,
        &b.purpose,
        now,
    )?;
    if !agency.0.authorises(&b.type_code) {
        return Err(ApiError::TypeNotAuthorised(b.type_code));
    }
    let id = uuid::Uuid::new_v4().to_string();
    let rec = node
        .store
        .create_proof_request(
            &id,
            agency.0.uscc(),
            &b.type_code,
            &to_json(&doc)?,
            now.unix_timestamp(),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(view(&rec))))
}

/// Approve a request.
#[utoipa::path(post, path = "/v1/proofs/requests/{id}/approve", params(("id" = String, Path)),
    responses((status = 200, body = ProofRequestView), (status = "4XX", description = "problem+json")),
    security(("agency_token" = [])))]
pub async fn approve(
    State(node): State<AppState>,
    agency: AuthenticatedAgency,
    Path(id): Path<String>,
) -> Result<Json<ProofRequestView>, ApiError> {
    let (rec, mut doc) = load(&node, &agency, &id).await?;
    let now = node.now();
    doc.approve(now)?;
    save_decision(&node, &id, &rec, &doc, now).await
}

/// Refuse a request (reason required).
#[utoipa::path(post, path = "/v1/proofs/requests/{id}/refuse", request_body = RefuseBody,
    params(("id" = String, Path)),
    responses((status = 200, body = ProofRequestView), (status = "4XX", description = "problem+json")),
    security(("agency_token" = [])))]
pub async fn refuse(
    State(node): State<AppState>,
    agency: AuthenticatedAgency,
    Path(id): Path<String>,
    OptionalJson(b): OptionalJson<RefuseBody>,
) -> Result<Json<ProofRequestView>, ApiError> {
    let (rec, mut doc) = load(&node, &agency, &id).await?;
    let now = node.now();
    doc.refuse(b.reason.as_deref().unwrap_or(""), now)?;
    save_decision(&node, &id, &rec, &doc, now).await
}

/// Store the request's new state after an approve or refuse decision.
async fn save_decision(
    node: &AppState,
    id: &str,
    rec: &ProofRequestRecord,
    doc: &ProofRequest,
    now: time::OffsetDateTime,
) -> Result<Json<ProofRequestView>, ApiError> {
    let rec = node
        .store
        .set_proof_state(
            id,
            &rec.agency_id,
            rec.state,
            stored_state(doc.state),
            &to_json(doc)?,
            now.unix_timestamp(),
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
    Path(id): Path<String>,
    OptionalJson(b): OptionalJson<ProofIssueBody>,
) -> Result<(StatusCode, Json<IssuedLicense>), ApiError> {
    let (_, doc) = load(&node, &agency, &id).await?;
    if doc.state != ProofState::Approved {
        return Err(ApiError::IllegalTransition(format!(
            "cannot issue a proof request that is {}",
            doc.state.name()
        )));
    }
    let holder_key = b
        .holder_key
        .as_ref()
        .map(|j| {
            key_of_jwk(j).ok_or_else(|| {
                ApiError::InvalidRequest("holder_key is not a P-256 or SM2 JWK".into())
            })
        })
        .transpose()?;
    let now = node.now();
    let t = now.unix_timestamp();
    let uscc = agency.0.uscc().to_string();
    let mut tx = node.store.begin_issue(&uscc, 1, t).await?;
    let slot = tx.slots()[0];
    let status = StatusRef {
        idx: usize::try_from(slot.index).map_err(|_| ApiError::Internal("slot".into()))?,
        uri: node.status_list_uri(&uscc, slot.list),
    };
    let req = doc.issue_request(b.claims, &serial_for(slot.seq), status, holder_key);
    // The domain checks the request, signs and records the issuance; on the blocking
    // pool because signing is CPU work.
    let (catalog, signer_agency) = (node.catalog.clone(), agency.0.clone());
    let (doc, cred) = tokio::task::spawn_blocking(move || {
        let mut doc = doc;
        doc.issue(&signer_agency, &catalog, &req, now)
            .map(|c| (doc, c))
    })
    .await
    .map_err(|e| ApiError::Internal(e.to_string()))??;
    let row = NewLicense {
        identifier: cred.identifier().to_string(),
        type_code: cred.metadata.type_code.clone(),
        holder_code: cred.metadata.holder_code.clone(),
        credential: cred.sd_jwt.clone(),
        slot,
    };
    tx.insert_licenses(std::slice::from_ref(&row)).await?;
    tx.mark_proof_issued(&id, &row.identifier, &to_json(&doc)?)
        .await?;
    tx.commit().await?;
    node.metrics.issued(1);
    Ok((
        StatusCode::CREATED,
        Json(IssuedLicense {
            identifier: row.identifier,
            type_code: row.type_code,
            status: "valid".into(),
            status_list: StatusListRef {
                uri: node.status_list_uri(&uscc, slot.list),
                idx: slot.index,
            },
            credential: row.credential,
            issued_at: t,
        }),
    ))
}
