//! The service layer's [`Blocking`] runner over tokio's blocking pool.

use crate::service::{Blocking, ServiceError};

/// Runs service CPU work on tokio's blocking pool.
#[derive(Debug, Clone, Copy, Default)]
pub struct TokioBlocking;

impl Blocking for TokioBlocking {
    async fn run<T, F>(&self, f: F) -> Result<T, ServiceError>
    where
        T: Send + 'static,
        F: FnOnce() -> T + Send + 'static,
    {
        tokio::task::spawn_blocking(f)
            .await
            .map_err(|e| ServiceError::Internal(format!("worker failed: {e}")))
    }
}
