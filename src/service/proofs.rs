//! The e-proof flow (request → approve | refuse; approved → issue). The state machine
//! is the license domain's [`ProofRequest`]; this loads, applies and stores it.

use super::blocking::Blocking;
use super::issue::{
    holder_key, issued_view, row_of, serial_for, status_ref, IssuedLicense, Issuer,
};
use super::store::{Issuance, ProofRequestRecord, ProofStore};
use super::ServiceError;
use crate::catalog::Catalog;
use crate::license::{Agency, HolderCodeType, ProofRequest};
use serde_json::{Map, Value};
use time::OffsetDateTime;

/// An applicant's request for a proof.
#[derive(Debug, Clone)]
pub struct ProofApplication<'a> {
    /// Proof type code (a type of class `proof`).
    pub type_code: &'a str,
    /// Applicant (the future holder).
    pub applicant: &'a str,
    /// Applicant's code.
    pub applicant_code: &'a str,
    /// Kind of the applicant's code.
    pub applicant_code_type: HolderCodeType,
    /// Stated purpose (用途).
    pub purpose: &'a str,
}

fn to_json(p: &ProofRequest) -> Result<String, ServiceError> {
    serde_json::to_string(p).map_err(|e| ServiceError::Internal(e.to_string()))
}

/// The request `id` of `agency`, stored and as the domain reads it.
async fn load<S: ProofStore>(
    store: &S,
    agency: &str,
    id: &str,
) -> Result<(ProofRequestRecord, ProofRequest), ServiceError> {
    if uuid::Uuid::parse_str(id).is_err() {
        return Err(ServiceError::NotFound);
    }
    let rec = store.proof_request(id).await?;
    if rec.agency_id != agency {
        return Err(ServiceError::NotOwner);
    }
    let doc: ProofRequest = serde_json::from_str(&rec.request)
        .map_err(|e| ServiceError::Internal(format!("stored proof request: {e}")))?;
    Ok((rec, doc))
}

/// Register an application for a proof `agency` issues; the new request gets a fresh
/// UUID.
pub async fn create_request<S: ProofStore>(
    store: &S,
    catalog: &Catalog,
    agency: &Agency,
    app: &ProofApplication<'_>,
    now: OffsetDateTime,
) -> Result<ProofRequestRecord, ServiceError> {
    let doc = ProofRequest::new(
        catalog,
        app.type_code,
        app.applicant,
        app.applicant_code,
        app.applicant_code_type,
        app.purpose,
        now,
    )?;
    agency.may_issue(catalog, app.type_code)?;
    let id = uuid::Uuid::new_v4().to_string();
    Ok(store
        .create_proof_request(
            &id,
            agency.uscc(),
            app.type_code,
            &to_json(&doc)?,
            now.unix_timestamp(),
        )
        .await?)
}

/// Store the request's new state after a decision.
async fn save_decision<S: ProofStore>(
    store: &S,
    rec: &ProofRequestRecord,
    doc: &ProofRequest,
    now: OffsetDateTime,
) -> Result<ProofRequestRecord, ServiceError> {
    Ok(store
        .set_proof_state(
            &rec.id,
            &rec.agency_id,
            rec.state,
            doc.state,
            &to_json(doc)?,
            now.unix_timestamp(),
        )
        .await?)
}

/// Approve the request `id` of `agency`.
pub async fn approve<S: ProofStore>(
    store: &S,
    agency: &str,
    id: &str,
    now: OffsetDateTime,
) -> Result<ProofRequestRecord, ServiceError> {
    let (rec, mut doc) = load(store, agency, id).await?;
    doc.approve(now)?;
    save_decision(store, &rec, &doc, now).await
}

/// Refuse the request `id` of `agency` (reason required).
pub async fn refuse<S: ProofStore>(
    store: &S,
    agency: &str,
    id: &str,
    reason: Option<&str>,
    now: OffsetDateTime,
) -> Result<ProofRequestRecord, ServiceError> {
    let (rec, mut doc) = load(store, agency, id).await?;
    doc.refuse(reason.unwrap_or(""), now)?;
    save_decision(store, &rec, &doc, now).await
}

/// Issue the proof of the approved request `id`: reserve a slot, sign through `run`,
/// write the license and mark the request issued in one transaction.
pub async fn issue_proof<S: ProofStore, B: Blocking>(
    store: &S,
    run: &B,
    issuer: &Issuer<'_>,
    id: &str,
    claims: Map<String, Value>,
    jwk: Option<&Value>,
    now: OffsetDateTime,
) -> Result<IssuedLicense, ServiceError> {
    let uscc = issuer.agency.uscc();
    let (_, doc) = load(store, uscc, id).await?;
    doc.may_issue()?;
    let holder_key = holder_key(jwk)?;
    let t = now.unix_timestamp();
    let mut tx = store.begin_issue(uscc, 1, t).await?;
    let slot = tx.slots()[0];
    let req = doc.issue_request(
        claims,
        &serial_for(slot.seq),
        status_ref(issuer, slot)?,
        holder_key,
    );
    let (catalog, agency) = (issuer.catalog.clone(), issuer.agency.clone());
    let (doc, cred) = run
        .run(move || {
            let mut doc = doc;
            doc.issue(&agency, &catalog, &req, now).map(|c| (doc, c))
        })
        .await??;
    let kept = super::ltv::keep_for(&mut tx, run, issuer, &[slot], now).await?;
    let row = row_of(&cred, slot, &kept);
    tx.insert_licenses(std::slice::from_ref(&row)).await?;
    tx.mark_proof_issued(id, &row.identifier, &to_json(&doc)?)
        .await?;
    tx.commit().await?;
    Ok(issued_view(issuer, &cred, row, t))
}
