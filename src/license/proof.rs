//! The e-proof (电子证明) flow: an applicant requests a proof for a stated purpose, the
//! agency approves or refuses it, and an approved request is issued once as a
//! short-lived credential carrying the purpose.
//!
//! ```text
//! requested ──approve──▶ approved ──issue──▶ issued
//!     └──────refuse────▶ refused
//! ```
//! Any other transition is [`LicenseError::IllegalProofTransition`].

use super::metadata::HolderCodeType;
use super::metadata::MAX_TEXT_BYTES;
use super::sdjwt::{Credential, IssueRequest, StatusRef, MAX_PURPOSE_BYTES};
use super::{Agency, Identifier, LicenseError};
use crate::catalog::{Catalog, LicenseClass};
use crate::crypto::PublicKey;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use time::OffsetDateTime;

/// Where a proof request stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ProofState {
    /// Waiting for the agency.
    Requested,
    /// Approved, not yet issued.
    Approved,
    /// Refused (final).
    Refused,
    /// Issued (final).
    Issued,
}

impl ProofState {
    /// Lowercase name.
    pub fn name(self) -> &'static str {
        match self {
            ProofState::Requested => "requested",
            ProofState::Approved => "approved",
            ProofState::Refused => "refused",
            ProofState::Issued => "issued",
        }
    }
}

/// A request for an e-proof.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProofRequest {
    /// Proof type code (a type of class `proof`).
    pub type_code: String,
    /// Applicant (the future holder).
    pub applicant: String,
    /// Applicant's code.
    pub applicant_code: String,
    /// Kind of applicant code.
    pub applicant_code_type: HolderCodeType,
    /// Stated purpose (用途), carried in the proof.
    pub purpose: String,
    /// Current state.
    pub state: ProofState,
    /// When requested.
    #[serde(with = "time::serde::rfc3339")]
    pub requested_at: OffsetDateTime,
    /// When approved or refused.
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub decided_at: Option<OffsetDateTime>,
    /// Why refused.
    #[serde(default)]
    pub refusal_reason: Option<String>,
    /// The identifier of the issued proof.
    #[serde(default)]
    pub identifier: Option<Identifier>,
}

impl ProofRequest {
    /// A new request. The type must be a proof in the catalogue; the purpose 1–512 bytes;
    /// the applicant and their code 1–1024 bytes each, the limits the issued proof's
    /// metadata has, so a request that could never be issued is refused when made.
    pub fn new(
        catalog: &Catalog,
        type_code: &str,
        applicant: &str,
        applicant_code: &str,
        applicant_code_type: HolderCodeType,
        purpose: &str,
        now: OffsetDateTime,
    ) -> Result<Self, LicenseError> {
        let ty = catalog
            .get(type_code)
            .ok_or_else(|| LicenseError::UnknownType(type_code.to_owned()))?;
        if ty.class != LicenseClass::Proof {
            return Err(LicenseError::BadProofRequest(
                "the type is a license, not a proof",
            ));
        }
        if purpose.trim().is_empty() || purpose.len() > MAX_PURPOSE_BYTES {
            return Err(LicenseError::BadProofRequest("purpose must be 1-512 bytes"));
        }
        if applicant.trim().is_empty() || applicant_code.trim().is_empty() {
            return Err(LicenseError::BadProofRequest(
                "applicant and applicant code are required",
            ));
        }
        if applicant.len() > MAX_TEXT_BYTES || applicant_code.len() > MAX_TEXT_BYTES {
            return Err(LicenseError::BadProofRequest(
                "applicant and applicant code must be at most 1024 bytes",
            ));
        }
        super::check_holder_code(applicant_code_type, applicant_code)?;
        Ok(ProofRequest {
            type_code: type_code.to_owned(),
            applicant: applicant.to_owned(),
            applicant_code: applicant_code.to_owned(),
            applicant_code_type,
            purpose: purpose.to_owned(),
            state: ProofState::Requested,
            requested_at: now,
            decided_at: None,
            refusal_reason: None,
            identifier: None,
        })
    }

    fn expect(&self, state: ProofState, action: &'static str) -> Result<(), LicenseError> {
        if self.state == state {
            Ok(())
        } else {
            Err(LicenseError::IllegalProofTransition {
                action,
                state: self.state.name(),
            })
        }
    }

    /// requested → approved.
    pub fn approve(&mut self, now: OffsetDateTime) -> Result<(), LicenseError> {
        self.expect(ProofState::Requested, "approve")?;
        self.state = ProofState::Approved;
        self.decided_at = Some(now);
        Ok(())
    }

    /// requested → refused, with a reason.
    pub fn refuse(&mut self, reason: &str, now: OffsetDateTime) -> Result<(), LicenseError> {
        self.expect(ProofState::Requested, "refuse")?;
        if reason.trim().is_empty() || reason.len() > MAX_PURPOSE_BYTES {
            return Err(LicenseError::BadProofRequest(
                "refusal reason must be 1-512 bytes",
            ));
        }
        self.state = ProofState::Refused;
        self.decided_at = Some(now);
        self.refusal_reason = Some(reason.to_owned());
        Ok(())
    }

    /// The issuance request for this proof: the type's default (short) validity, the
    /// stated purpose, the given fields, serial and status entry.
    pub fn issue_request(
        &self,
        claims: Map<String, Value>,
        serial: &str,
        status: StatusRef,
        holder_key: Option<PublicKey>,
    ) -> IssueRequest {
        IssueRequest {
            type_code: self.type_code.clone(),
            serial: serial.to_owned(),
            version: 1,
            license_number: None,
            holder: self.applicant.clone(),
            holder_code: self.applicant_code.clone(),
            holder_code_type: self.applicant_code_type,
            claims,
            valid_from: None,
            valid_to: None,
            purpose: Some(self.purpose.clone()),
            holder_key,
            status,
        }
    }

    /// Whether the proof may be issued now (the request is approved): the check
    /// [`ProofRequest::issue`] starts with, for callers that reserve resources first.
    pub fn may_issue(&self) -> Result<(), LicenseError> {
        self.expect(ProofState::Approved, "issue")
    }

    /// approved → issued: issue the proof with `agency` and record its identifier.
    pub fn issue(
        &mut self,
        agency: &Agency,
        catalog: &Catalog,
        req: &IssueRequest,
        now: OffsetDateTime,
    ) -> Result<Credential, LicenseError> {
        self.may_issue()?;
        if req.type_code != self.type_code || req.purpose.as_deref() != Some(self.purpose.as_str())
        {
            return Err(LicenseError::BadProofRequest(
                "the issuance does not match the request's type and purpose",
            ));
        }
        let credential = agency.issue(catalog, req, now)?;
        self.state = ProofState::Issued;
        self.identifier = Some(credential.identifier().clone());
        Ok(credential)
    }
}
