//! Seals (电子印章) made through this node: the SESeal DER, its SVG picture, and which
//! newer version superseded it.

use super::{StorageError, Store};
use crate::archive::entry::{Act, Entry};
pub use crate::service::store::SealRecord;
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use sqlx::any::AnyRow;
use sqlx::Row;

const COLUMNS: &str = "es_id, authority_id, name, esl, picture_svg, valid_from, valid_to, \
                       superseded_by, created_at";

const INSERT: &str = "INSERT INTO seals (es_id, authority_id, name, esl, picture_svg, valid_from, \
                      valid_to, superseded_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";

type AnyQuery<'q> = sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>;

/// Bind a record's values in [`INSERT`]'s order.
fn bind_record<'q>(q: AnyQuery<'q>, s: &'q SealRecord) -> AnyQuery<'q> {
    q.bind(&s.es_id)
        .bind(&s.authority_id)
        .bind(&s.name)
        .bind(B64.encode(&s.esl))
        .bind(&s.picture_svg)
        .bind(s.valid_from)
        .bind(s.valid_to)
        .bind(s.superseded_by.as_deref())
        .bind(s.created_at)
}

fn from_row(row: &AnyRow) -> Result<SealRecord, StorageError> {
    Ok(SealRecord {
        es_id: row.try_get("es_id")?,
        authority_id: row.try_get("authority_id")?,
        name: row.try_get("name")?,
        esl: B64
            .decode(row.try_get::<String, _>("esl")?)
            .map_err(|_| StorageError::Corrupt("seal DER is not base64"))?,
        picture_svg: row.try_get("picture_svg")?,
        valid_from: row.try_get("valid_from")?,
        valid_to: row.try_get("valid_to")?,
        superseded_by: row.try_get("superseded_by")?,
        created_at: row.try_get("created_at")?,
    })
}

/// The archive entry of a seal made or re-issued: the digest of its DER.
fn seal_entry(s: &SealRecord) -> Entry {
    Entry::of(Act::SealMade, &s.es_id, &s.esl, s.created_at)
}

impl Store {
    /// Store a new seal (and its archive entry, in the same transaction); an existing
    /// esID is [`StorageError::Duplicate`].
    pub async fn insert_seal(&self, s: &SealRecord) -> Result<(), StorageError> {
        let sql = format!("{INSERT} ON CONFLICT (es_id) DO NOTHING");
        let mut tx = self.pool.begin().await?;
        let done = bind_record(sqlx::query(&sql), s).execute(&mut *tx).await?;
        if done.rows_affected() == 0 {
            return Err(StorageError::Duplicate);
        }
        super::archive::append(&mut tx, &[seal_entry(s)]).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Store `new` and mark `old_es_id` superseded by it, in one transaction. Fails with
    /// [`StorageError::NotFound`] if the old seal is missing or already superseded.
    pub async fn supersede_seal(
        &self,
        old_es_id: &str,
        new: &SealRecord,
    ) -> Result<(), StorageError> {
        let mut tx = self.pool.begin().await?;
        let done = sqlx::query(
            "UPDATE seals SET superseded_by = $1 WHERE es_id = $2 AND superseded_by IS NULL",
        )
        .bind(&new.es_id)
        .bind(old_es_id)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            return Err(StorageError::NotFound);
        }
        bind_record(sqlx::query(INSERT), new)
            .execute(&mut *tx)
            .await?;
        super::archive::append(&mut tx, &[seal_entry(new)]).await?;
        tx.commit().await?;
        Ok(())
    }

    /// A seal by esID.
    pub async fn seal(&self, es_id: &str) -> Result<SealRecord, StorageError> {
        let row = sqlx::query(&format!("SELECT {COLUMNS} FROM seals WHERE es_id = $1"))
            .bind(es_id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StorageError::NotFound)?;
        from_row(&row)
    }

    /// Every superseded seal: (old esID, new esID, when the new one was made).
    pub async fn superseded_seals(
        &self,
    ) -> Result<Vec<(String, String, i64, String)>, StorageError> {
        let rows = sqlx::query(
            "SELECT old.es_id AS es_id, old.superseded_by AS by_id, new.created_at AS at, \
             old.authority_id AS authority_id \
             FROM seals old JOIN seals new ON new.es_id = old.superseded_by",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    r.try_get("es_id")?,
                    r.try_get("by_id")?,
                    r.try_get("at")?,
                    r.try_get("authority_id")?,
                ))
            })
            .collect()
    }
}
