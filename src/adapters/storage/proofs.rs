//! Proof requests (电子证明申请): requested → approved | refused; approved → issued.

use super::{StorageError, Store};
use sqlx::any::AnyRow;
use sqlx::Row;

/// Where a proof request stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ProofState {
    /// Waiting for the agency.
    Requested,
    /// Approved; the proof may be issued.
    Approved,
    /// Refused (final).
    Refused,
    /// The proof was issued (final).
    Issued,
}

impl ProofState {
    /// Stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            ProofState::Requested => "requested",
            ProofState::Approved => "approved",
            ProofState::Refused => "refused",
            ProofState::Issued => "issued",
        }
    }
    /// From the stored name.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "requested" => Some(ProofState::Requested),
            "approved" => Some(ProofState::Approved),
            "refused" => Some(ProofState::Refused),
            "issued" => Some(ProofState::Issued),
            _ => None,
        }
    }
}

/// A stored proof request.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ProofRequestRecord {
    /// Request id (UUID).
    pub id: String,
    /// The agency asked to issue the proof.
    pub agency_id: String,
    /// Proof type code.
    pub type_code: String,
    /// The request document (JSON text, as the domain serialises it).
    pub request: String,
    /// Current state.
    pub state: ProofState,
    /// Identifier of the issued proof.
    pub identifier: Option<String>,
    /// Unix seconds.
    pub created_at: i64,
    /// Unix seconds.
    pub updated_at: i64,
}

const COLUMNS: &str =
    "id, agency_id, type_code, request, state, identifier, created_at, updated_at";

fn from_row(r: &AnyRow) -> Result<ProofRequestRecord, StorageError> {
    let state: String = r.try_get("state")?;
    Ok(ProofRequestRecord {
        id: r.try_get("id")?,
        agency_id: r.try_get("agency_id")?,
        type_code: r.try_get("type_code")?,
        request: r.try_get("request")?,
        state: ProofState::parse(&state).ok_or(StorageError::Corrupt("proof state"))?,
        identifier: r.try_get("identifier")?,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
    })
}

impl Store {
    /// Store a new request in state `requested`.
    pub async fn create_proof_request(
        &self,
        id: &str,
        agency: &str,
        type_code: &str,
        request: &str,
        now: i64,
    ) -> Result<ProofRequestRecord, StorageError> {
        sqlx::query(&format!(
            "INSERT INTO proof_requests ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
        ))
        .bind(id)
        .bind(agency)
        .bind(type_code)
        .bind(request)
        .bind(ProofState::Requested.as_str())
        .bind(None::<String>)
        .bind(now)
        .bind(now)
        .execute(&self.pool)
        .await
        .map_err(StorageError::from_insert)?;
        self.proof_request(id).await
    }

    /// A request by id.
    pub async fn proof_request(&self, id: &str) -> Result<ProofRequestRecord, StorageError> {
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM proof_requests WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StorageError::NotFound)?;
        from_row(&row)
    }

    /// Move a request of `agency` from `from` to `to`, storing its new document.
    pub async fn set_proof_state(
        &self,
        id: &str,
        agency: &str,
        from: ProofState,
        to: ProofState,
        request: &str,
        now: i64,
    ) -> Result<ProofRequestRecord, StorageError> {
        let current = self.proof_request(id).await?;
        if current.agency_id != agency {
            return Err(StorageError::NotOwner);
        }
        let done = sqlx::query(
            "UPDATE proof_requests SET state = $1, request = $2, updated_at = $3 \
             WHERE id = $4 AND state = $5",
        )
        .bind(to.as_str())
        .bind(request)
        .bind(now)
        .bind(id)
        .bind(from.as_str())
        .execute(&self.pool)
        .await?;
        if done.rows_affected() != 1 {
            let now_state = self.proof_request(id).await?.state;
            return Err(StorageError::InvalidTransition {
                current: now_state.as_str().to_string(),
            });
        }
        self.proof_request(id).await
    }
}
