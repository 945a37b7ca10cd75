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

/// Runs service CPU work on tokio's blocking pool, at most as many jobs at once as the
/// semaphore has permits (a signing batch spreads over the cores by itself, so two
/// at once keep both cores busy; more wait instead of crowding them).
#[derive(Debug, Clone, Copy)]
pub struct BoundedBlocking<'a>(pub &'a tokio::sync::Semaphore);

impl Blocking for BoundedBlocking<'_> {
    async fn run<T, F>(&self, f: F) -> Result<T, ServiceError>
    where
        T: Send + 'static,
        F: FnOnce() -> T + Send + 'static,
    {
        let _permit = self
            .0
            .acquire()
            .await
            .map_err(|_| ServiceError::Internal("signing pool closed".into()))?;
        tokio::task::spawn_blocking(f)
            .await
            .map_err(|e| ServiceError::Internal(format!("worker failed: {e}")))
    }
}
