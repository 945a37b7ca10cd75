//! Online show tokens at the license's issuing node: what each token id stands for
//! (recorded when the token is made), and the single-use record (written when it is
//! redeemed); one row per (signing province, token id) in each, until the token has
//! expired, shared by every node on the database. Recording a token appends its
//! archive entry in the same transaction.

use super::{StorageError, Store};
use crate::archive::entry::{show_record, Act, Entry};

/// How often (one insert in this many, on average) expired rows are swept.
const SWEEP_ONE_IN: u8 = 64;

/// The two tables of short-lived rows, each with its `expires_at`.
#[derive(Clone, Copy)]
enum Table {
    Tokens,
    Uses,
}

impl Store {
    /// Now and then (one call in [`SWEEP_ONE_IN`]), delete the rows of `table` that
    /// expired before `now`.
    async fn sometimes_sweep(&self, table: Table, now: i64) -> Result<(), StorageError> {
        if rand::random::<u8>() % SWEEP_ONE_IN != 0 {
            return Ok(());
        }
        let sql = match table {
            Table::Tokens => "DELETE FROM show_tokens WHERE expires_at < $1",
            Table::Uses => "DELETE FROM show_token_uses WHERE expires_at < $1",
        };
        sqlx::query(sql).bind(now).execute(&self.pool).await?;
        Ok(())
    }

    /// Record what the online token `token_id` signed for `province` stands for, until
    /// `keep_until`, and log it (the record names the token's expiry, `expires_at`).
    /// `Ok(false)`: the token id is recorded already.
    #[allow(clippy::too_many_arguments)]
    pub async fn register_show_token(
        &self,
        province: &str,
        token_id: &str,
        license_id: &str,
        claims: &[String],
        expires_at: i64,
        keep_until: i64,
        now: i64,
    ) -> Result<bool, StorageError> {
        self.sometimes_sweep(Table::Tokens, now).await?;
        let listed = serde_json::to_string(claims).expect("a list of strings serialises");
        let mut tx = self.pool.begin().await?;
        let done = sqlx::query(
            "INSERT INTO show_tokens (province, token_id, license_id, claims, expires_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (province, token_id) DO NOTHING",
        )
        .bind(province)
        .bind(token_id)
        .bind(license_id)
        .bind(listed)
        .bind(keep_until)
        .execute(&mut *tx)
        .await?;
        let fresh = done.rows_affected() == 1;
        if fresh {
            let record = show_record("online", province, token_id, claims, expires_at);
            let entry = Entry::of(Act::ShowTokenIssued, license_id, &record, now);
            super::archive::append(&mut tx, &[entry]).await?;
        }
        tx.commit().await?;
        Ok(fresh)
    }

    /// The license and claims the online token `token_id` signed for `province` stands
    /// for, if it was recorded (and not yet swept).
    pub async fn show_token(
        &self,
        province: &str,
        token_id: &str,
    ) -> Result<Option<(String, Vec<String>)>, StorageError> {
        let row: Option<(String, String)> = sqlx::query_as(
            "SELECT license_id, claims FROM show_tokens WHERE province = $1 AND token_id = $2",
        )
        .bind(province)
        .bind(token_id)
        .fetch_optional(&self.pool)
        .await?;
        match row {
            None => Ok(None),
            Some((license, claims)) => {
                let claims = serde_json::from_str(&claims).map_err(|_| {
                    StorageError::Corrupt("show_tokens.claims is not a list of names")
                })?;
                Ok(Some((license, claims)))
            }
        }
    }

    /// Record the redemption of show token `token_id` signed for `province`, kept until
    /// `expires_at` (Unix seconds). `Ok(false)`: it was redeemed before — a replay.
    pub async fn first_show_use(
        &self,
        province: &str,
        token_id: &str,
        license_id: &str,
        expires_at: i64,
        now: i64,
    ) -> Result<bool, StorageError> {
        self.sometimes_sweep(Table::Uses, now).await?;
        let done = sqlx::query(
            "INSERT INTO show_token_uses (province, token_id, license_id, expires_at) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (province, token_id) DO NOTHING",
        )
        .bind(province)
        .bind(token_id)
        .bind(license_id)
        .bind(expires_at)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }
}
