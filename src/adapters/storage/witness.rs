//! Witnessing: the peers' checkpoints this node cosigned and the conflicts it refused,
//! and the peers' cosignatures of this node's own checkpoints.

use super::archive::to_i64;
use super::{StorageError, Store};
use crate::archive::checkpoint::StoredCheckpoint;
use crate::service::store::ForkRecord;
use sqlx::Row;

fn hex32(s: &str) -> Result<[u8; 32], StorageError> {
    super::archive::hex32(s, "a witnessed root is not hex")
}

impl Store {
    /// The last checkpoint of the log `origin` this node cosigned.
    pub async fn archive_witnessed(
        &self,
        origin: &str,
    ) -> Result<Option<StoredCheckpoint>, StorageError> {
        let row = sqlx::query("SELECT size, root, note FROM archive_witnessed WHERE origin = $1")
            .bind(origin)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| {
            let size: i64 = r.try_get("size")?;
            Ok(StoredCheckpoint {
                size: size as u64,
                root: hex32(&r.try_get::<String, _>("root")?)?,
                note: r.try_get("note")?,
            })
        })
        .transpose()
    }

    /// Keep `cp` as the last checkpoint of `origin` cosigned, unless a larger one is
    /// kept already (another node of this province witnessed further meanwhile).
    pub async fn put_archive_witnessed(
        &self,
        origin: &str,
        cp: &StoredCheckpoint,
        now: i64,
    ) -> Result<(), StorageError> {
        sqlx::query(
            "INSERT INTO archive_witnessed (origin, size, root, note, at) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (origin) DO UPDATE SET size = excluded.size, root = excluded.root, \
             note = excluded.note, at = excluded.at WHERE archive_witnessed.size <= excluded.size",
        )
        .bind(origin)
        .bind(to_i64(cp.size)?)
        .bind(hex::encode(cp.root))
        .bind(&cp.note)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Record a conflicting checkpoint of a peer log.
    pub async fn record_archive_fork(&self, f: &ForkRecord) -> Result<(), StorageError> {
        sqlx::query(
            "INSERT INTO archive_forks (origin, size, seen_size, seen_root, other_note, reason, at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&f.origin)
        .bind(to_i64(f.size)?)
        .bind(to_i64(f.seen_size)?)
        .bind(hex::encode(f.seen_root))
        .bind(&f.other_note)
        .bind(&f.reason)
        .bind(f.at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The conflicts recorded against the log `origin`, oldest first.
    pub async fn archive_forks(&self, origin: &str) -> Result<Vec<ForkRecord>, StorageError> {
        let rows = sqlx::query(
            "SELECT origin, size, seen_size, seen_root, other_note, reason, at FROM archive_forks \
             WHERE origin = $1 ORDER BY at LIMIT 100",
        )
        .bind(origin)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let size: i64 = r.try_get("size")?;
                let seen_size: i64 = r.try_get("seen_size")?;
                Ok(ForkRecord {
                    origin: r.try_get("origin")?,
                    size: size as u64,
                    seen_size: seen_size as u64,
                    seen_root: hex32(&r.try_get::<String, _>("seen_root")?)?,
                    other_note: r.try_get("other_note")?,
                    reason: r.try_get("reason")?,
                    at: r.try_get("at")?,
                })
            })
            .collect()
    }

    /// Keep a peer's cosignature line of this node's checkpoint of `size`.
    pub async fn put_archive_cosignature(
        &self,
        size: u64,
        witness: &str,
        line: &str,
        now: i64,
    ) -> Result<(), StorageError> {
        sqlx::query(
            "INSERT INTO archive_cosignatures (size, witness, line, at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (size, witness) DO NOTHING",
        )
        .bind(to_i64(size)?)
        .bind(witness)
        .bind(line)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The cosignature lines kept for this node's checkpoint of `size`.
    pub async fn archive_cosignatures(&self, size: u64) -> Result<Vec<String>, StorageError> {
        let rows = sqlx::query(
            "SELECT line FROM archive_cosignatures WHERE size = $1 ORDER BY witness LIMIT 16",
        )
        .bind(to_i64(size)?)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(|r| Ok(r.try_get("line")?)).collect()
    }
}
