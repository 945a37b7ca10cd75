//! The accepted trust lists: one row per sequence, only ever a higher one added.

use super::{StorageError, Store};
use crate::service::store::{TrustListInsert, TrustListRecord};
use sqlx::any::AnyRow;
use sqlx::Row;

fn record(r: AnyRow) -> Result<TrustListRecord, StorageError> {
    Ok(TrustListRecord {
        sequence: r.try_get("sequence")?,
        jws: r.try_get("jws")?,
        digest: r.try_get("digest")?,
        accepted_at: r.try_get("accepted_at")?,
    })
}

impl Store {
    /// The accepted trust list with the highest sequence.
    pub async fn newest_trust_list(&self) -> Result<Option<TrustListRecord>, StorageError> {
        sqlx::query(
            "SELECT sequence, jws, digest, accepted_at FROM trust_lists \
             ORDER BY sequence DESC LIMIT 1",
        )
        .fetch_optional(&self.pool)
        .await?
        .map(record)
        .transpose()
    }

    /// Store `list` if its sequence is higher than every stored one (in one statement,
    /// so two nodes cannot both add a lower one); otherwise say what is there.
    pub async fn insert_trust_list(
        &self,
        list: &TrustListRecord,
    ) -> Result<TrustListInsert, StorageError> {
        let done = sqlx::query(
            "INSERT INTO trust_lists (sequence, jws, digest, accepted_at) \
             SELECT $1, $2, $3, $4 \
             WHERE NOT EXISTS (SELECT 1 FROM trust_lists WHERE sequence >= $5)",
        )
        .bind(list.sequence)
        .bind(&list.jws)
        .bind(&list.digest)
        .bind(list.accepted_at)
        .bind(list.sequence)
        .execute(&self.pool)
        .await;
        match done {
            Ok(d) if d.rows_affected() == 1 => return Ok(TrustListInsert::Inserted),
            Ok(_) => {}
            Err(e) => match StorageError::from_insert(e) {
                StorageError::Duplicate => {}
                other => return Err(other),
            },
        }
        let same = sqlx::query("SELECT digest FROM trust_lists WHERE sequence = $1")
            .bind(list.sequence)
            .fetch_optional(&self.pool)
            .await?;
        if let Some(row) = same {
            let digest: String = row.try_get("digest")?;
            return Ok(if digest == list.digest {
                TrustListInsert::Same
            } else {
                TrustListInsert::Conflict
            });
        }
        let held = self
            .newest_trust_list()
            .await?
            .map(|r| r.sequence)
            .ok_or(StorageError::Corrupt("trust list refused with none stored"))?;
        Ok(TrustListInsert::NotNewer { held })
    }
}
