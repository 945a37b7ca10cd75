//! The validation data kept at issuance (`archive_evidence`): read and kept inside an
//! issuance's transaction, and looked up for a license's archive evidence.

use super::status::full_list_bits;
use super::{IssueTx, StorageError, Store};
use crate::archive::ltv;
use crate::service::store::KeptEvidence;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use sqlx::Row;

const SELECT_KEPT: &str =
    "SELECT digest, list_id, status_version, basis, at, body FROM archive_evidence";

fn kept_from_row(row: &sqlx::any::AnyRow) -> Result<KeptEvidence, StorageError> {
    Ok(KeptEvidence {
        digest: row.try_get("digest")?,
        list: row.try_get("list_id")?,
        status_version: row.try_get("status_version")?,
        basis: row.try_get("basis")?,
        at: row.try_get("at")?,
        text: row.try_get("body")?,
    })
}

impl IssueTx {
    /// The bits (the whole list's capacity) and version of this agency's status list
    /// `list`, as this transaction sees them.
    pub async fn status_list_state(&mut self, list: i64) -> Result<(Vec<u8>, i64), StorageError> {
        let row = sqlx::query(
            "SELECT bits, version FROM status_lists WHERE agency_id = $1 AND list_id = $2",
        )
        .bind(&self.agency)
        .bind(list)
        .fetch_optional(&mut *self.tx)
        .await?
        .ok_or(StorageError::NotFound)?;
        let bits: String = row.try_get("bits")?;
        let bits = STANDARD
            .decode(bits)
            .map_err(|_| StorageError::Corrupt("status list bits"))?;
        Ok((full_list_bits(bits)?, row.try_get("version")?))
    }

    /// The newest validation data kept for this agency's status list `list`.
    pub async fn latest_evidence(
        &mut self,
        list: i64,
    ) -> Result<Option<KeptEvidence>, StorageError> {
        let row = sqlx::query(&format!(
            "{SELECT_KEPT} WHERE agency_id = $1 AND list_id = $2 ORDER BY at DESC LIMIT 1"
        ))
        .bind(&self.agency)
        .bind(list)
        .fetch_optional(&mut *self.tx)
        .await?;
        row.as_ref().map(kept_from_row).transpose()
    }

    /// Keep validation data; its entry goes into the log ahead of the licenses
    /// written after it. Nothing when the same bundle is kept already (by a concurrent
    /// issuance of the same second, say).
    pub async fn keep_evidence(&mut self, k: &KeptEvidence) -> Result<(), StorageError> {
        let done = sqlx::query(
            "INSERT INTO archive_evidence (digest, agency_id, list_id, status_version, basis, at, body) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (digest) DO NOTHING",
        )
        .bind(&k.digest)
        .bind(&self.agency)
        .bind(k.list)
        .bind(k.status_version)
        .bind(&k.basis)
        .bind(k.at)
        .bind(&k.text)
        .execute(&mut *self.tx)
        .await?;
        if done.rows_affected() == 1 {
            self.archived.push(ltv::entry(&self.agency, &k.text, k.at));
        }
        Ok(())
    }
}

impl Store {
    /// The digest (hex) and text of the validation data the license `identifier` was
    /// issued under.
    pub async fn license_evidence(
        &self,
        identifier: &str,
    ) -> Result<Option<(String, String)>, StorageError> {
        let row = sqlx::query(
            "SELECT e.digest, e.body FROM licenses l JOIN archive_evidence e ON e.digest = l.evidence \
             WHERE l.identifier = $1",
        )
        .bind(identifier)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| Ok((r.try_get("digest")?, r.try_get("body")?)))
            .transpose()
    }

    /// The text of the validation data kept under `digest` (hex).
    pub async fn evidence_text(&self, digest: &str) -> Result<Option<String>, StorageError> {
        let row = sqlx::query("SELECT body FROM archive_evidence WHERE digest = $1")
            .bind(digest)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| r.try_get("body"))
            .transpose()
            .map_err(StorageError::from)
    }
}
