//! Proof requests (电子证明申请): requested → approved | refused; approved → issued.

use super::{StorageError, Store};
use crate::archive::entry::{Act, Entry};
pub use crate::license::ProofState;
pub use crate::service::store::ProofRequestRecord;
use sqlx::any::AnyRow;
use sqlx::Row;

/// A proof state from its stored name (the domain's [`ProofState::name`]).
fn state_from_text(s: &str) -> Option<ProofState> {
    use ProofState::*;
    [Requested, Approved, Refused, Issued]
        .into_iter()
        .find(|v| v.name() == s)
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
        state: state_from_text(&state).ok_or(StorageError::Corrupt("proof state"))?,
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
        .bind(ProofState::Requested.name())
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
        let mut tx = self.pool.begin().await?;
        let done = sqlx::query(
            "UPDATE proof_requests SET state = $1, request = $2, updated_at = $3 \
             WHERE id = $4 AND state = $5",
        )
        .bind(to.name())
        .bind(request)
        .bind(now)
        .bind(id)
        .bind(from.name())
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 1 {
            let record = format!("{id}\n{}\n{request}", to.name());
            let entry = Entry::of(Act::ProofDecided, id, record.as_bytes(), now);
            super::archive::append(&mut tx, &[entry]).await?;
        }
        tx.commit().await?;
        if done.rows_affected() != 1 {
            let now_state = self.proof_request(id).await?.state;
            return Err(StorageError::InvalidTransition {
                current: now_state.name().to_string(),
            });
        }
        self.proof_request(id).await
    }
}
