//! The replay record of request tokens: one row per (caller, `jti`) until the token has
//! expired, shared by every node on the database.

use super::{StorageError, Store};

/// How often (one insert in this many, on average) expired rows are swept.
const SWEEP_ONE_IN: u8 = 64;

impl Store {
    /// Record the first use of `jti` by `caller`, kept until `expires_at` (Unix
    /// seconds). `Ok(false)`: it was used before — a replay.
    pub async fn first_use(
        &self,
        caller: &str,
        jti: &str,
        expires_at: i64,
        now: i64,
    ) -> Result<bool, StorageError> {
        if rand::random::<u8>() % SWEEP_ONE_IN == 0 {
            sqlx::query("DELETE FROM request_token_uses WHERE expires_at < $1")
                .bind(now)
                .execute(&self.pool)
                .await?;
        }
        let done = sqlx::query(
            "INSERT INTO request_token_uses (caller, jti, expires_at) VALUES ($1, $2, $3) \
             ON CONFLICT (caller, jti) DO NOTHING",
        )
        .bind(caller)
        .bind(jti)
        .bind(expires_at)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }
}
