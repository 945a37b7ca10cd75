//! The single-use record of online show tokens: one row per (signing province, token
//! id) until the token has expired, shared by every node on the database.

use super::{StorageError, Store};

/// How often (one insert in this many, on average) expired rows are swept.
const SWEEP_ONE_IN: u8 = 64;

impl Store {
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
        if rand::random::<u8>() % SWEEP_ONE_IN == 0 {
            sqlx::query("DELETE FROM show_token_uses WHERE expires_at < $1")
                .bind(now)
                .execute(&self.pool)
                .await?;
        }
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
