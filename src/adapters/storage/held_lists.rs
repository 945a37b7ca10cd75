//! Other provinces' status lists as held: one row per URI, replaced on every fetch.

use super::{StorageError, Store};
use crate::service::store::{HeldListRow, HeldListStore, StoreError};
use sqlx::Row;

impl HeldListStore for Store {
    async fn held_list(&self, uri: &str) -> Result<Option<HeldListRow>, StoreError> {
        let row = sqlx::query(
            "SELECT uri, token, fetched_at, attempted_at, failure, refused \
             FROM held_lists WHERE uri = $1",
        )
        .bind(uri)
        .fetch_optional(&self.pool)
        .await
        .map_err(StorageError::from)?;
        let Some(r) = row else { return Ok(None) };
        let get = || -> Result<HeldListRow, sqlx::Error> {
            Ok(HeldListRow {
                uri: r.try_get("uri")?,
                token: r.try_get("token")?,
                fetched_at: r.try_get("fetched_at")?,
                attempted_at: r.try_get("attempted_at")?,
                failure: r.try_get("failure")?,
                refused: r.try_get::<i64, _>("refused")? != 0,
            })
        };
        Ok(Some(get().map_err(StorageError::from)?))
    }

    async fn put_held_list(&self, row: &HeldListRow) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO held_lists \
             (uri, token, fetched_at, attempted_at, failure, refused) \
             VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (uri) DO UPDATE SET token = excluded.token, \
             fetched_at = excluded.fetched_at, attempted_at = excluded.attempted_at, \
             failure = excluded.failure, refused = excluded.refused",
        )
        .bind(&row.uri)
        .bind(row.token.as_deref())
        .bind(row.fetched_at)
        .bind(row.attempted_at)
        .bind(row.failure.as_deref())
        .bind(i64::from(row.refused))
        .execute(&self.pool)
        .await
        .map_err(StorageError::from)?;
        Ok(())
    }
}
