//! The node's one replay cache: every request-token `jti`, per caller, until the token
//! has expired (plus the clock skew), whatever route it was presented to.

use super::error::ApiError;
use crate::jose::{CheckedClaims, CLOCK_SKEW};
use std::collections::HashMap;
use std::sync::Mutex;

/// Entries kept before expired ones are swept.
const SWEEP_AT: usize = 100_000;

/// Seen `who:jti` → `exp`.
#[derive(Debug, Default)]
pub struct ReplayCache {
    seen: Mutex<HashMap<String, i64>>,
}

impl ReplayCache {
    /// Refuse a `jti` already seen from `who`; remember it until it expires.
    pub fn first_use(&self, who: &str, claims: &CheckedClaims, now: i64) -> Result<(), ApiError> {
        let mut seen = self
            .seen
            .lock()
            .map_err(|_| ApiError::Internal("replay cache poisoned".into()))?;
        if seen.len() > SWEEP_AT {
            seen.retain(|_, exp| *exp + CLOCK_SKEW > now);
        }
        if seen
            .insert(format!("{who}:{}", claims.jti), claims.exp)
            .is_some()
        {
            return Err(ApiError::TokenReplayed);
        }
        Ok(())
    }
}
