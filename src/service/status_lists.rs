//! Status lists for verification: this node's own, produced on the spot, and other
//! provinces', fetched from their nodes and held in the store.
//!
//! [`StatusLists::lookup`] answers what the verification engine needs for one status
//! list URI ([`crate::verify::StatusLookup`]):
//! - a URI not at a node the trust list names is never fetched (Unavailable);
//! - this node's own lists ([`StatusFetcher::is_local`]) are produced every time, so a
//!   revocation here shows at once;
//! - another node's list is fetched when the one held is past its `ttl` (or none is
//!   held), judged by [`crate::verify::accept_status_list`], and stored with its fetch
//!   time so every node on the database shares it and it survives restarts. When the
//!   fetch fails, the list held is used as it is (the engine reports its age and refuses
//!   it when too old); a failed attempt is not repeated for [`RETRY_AFTER_FAILURE_S`].
//!
//! Accepted lists are remembered in memory by the SHA-256 of their token, so a list is
//! judged (its signature verified) once per process, not once per verification; the
//! memory is rebuilt from the store after a restart.
//!
//! Must not touch: HTTP, sqlx, tokio (the fetcher and the store are the adapter's).

use super::store::{HeldStatusRow, HeldStatusStore};
use super::ServiceError;
use crate::trust_list::VerifiedTrustList;
use crate::verify::{accept_status_list, HeldStatusList, StatusLookup};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use time::OffsetDateTime;

/// Seconds a list is held when its token sets no `ttl`.
pub const DEFAULT_TTL_S: u64 = 300;
/// Seconds before a failed fetch of a URI is tried again.
pub const RETRY_AFTER_FAILURE_S: i64 = 30;

/// Fetches a status list token.
pub trait StatusFetcher: Sync {
    /// Whether `uri` is one of this node's own lists (produced, never held).
    fn is_local(&self, uri: &str) -> bool;
    /// The token at `uri`, or why it could not be had.
    fn fetch(&self, uri: &str) -> impl Future<Output = Result<String, String>> + Send;
}

/// An accepted list and the SHA-256 of the token it came from.
type Accepted = ([u8; 32], Arc<HeldStatusList>);

/// What the node remembers of accepted lists (see the module documentation).
#[derive(Debug, Default)]
pub struct StatusLists {
    accepted: Mutex<HashMap<String, Accepted>>,
}

fn token_digest(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

/// Whether `uri` is a status list path under a node the trust list names.
fn at_listed_node(trust: &VerifiedTrustList, uri: &str) -> bool {
    trust.list.provinces.iter().any(|p| {
        let base = p.node_url.trim_end_matches('/');
        !base.is_empty()
            && uri
                .strip_prefix(base)
                .and_then(|rest| rest.strip_prefix("/v1/status/"))
                .is_some_and(|rest| !rest.is_empty() && !rest.contains(['?', '#']))
    })
}

impl StatusLists {
    /// Nothing remembered yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Forget every accepted list (the trust list changed).
    pub fn clear(&self) {
        if let Ok(mut m) = self.accepted.lock() {
            m.clear();
        }
    }

    fn remembered(&self, uri: &str) -> Option<Arc<HeldStatusList>> {
        self.accepted
            .lock()
            .ok()
            .and_then(|m| m.get(uri).map(|(_, h)| h.clone()))
    }

    /// Judge `token` (fetched at `fetched_at`), or reuse the judgement of the same token.
    fn accept(
        &self,
        token: &str,
        uri: &str,
        trust: &VerifiedTrustList,
        fetched_at: OffsetDateTime,
    ) -> Result<Arc<HeldStatusList>, String> {
        let digest = token_digest(token);
        if let Some(h) = self.accepted.lock().ok().and_then(|m| {
            m.get(uri)
                .filter(|(d, _)| *d == digest)
                .map(|(_, h)| h.clone())
        }) {
            return Ok(h);
        }
        let held =
            Arc::new(accept_status_list(token, uri, trust, fetched_at).map_err(|e| e.to_string())?);
        if let Ok(mut m) = self.accepted.lock() {
            m.insert(uri.to_owned(), (digest, held.clone()));
        }
        Ok(held)
    }

    /// What is known of the list at `uri` at `now` (see the module documentation).
    pub async fn lookup<S: HeldStatusStore, F: StatusFetcher>(
        &self,
        store: &S,
        fetcher: &F,
        trust: &VerifiedTrustList,
        uri: &str,
        now: OffsetDateTime,
    ) -> Result<StatusLookup, ServiceError> {
        if fetcher.is_local(uri) {
            return Ok(match fetcher.fetch(uri).await {
                Ok(token) => match self.accept(&token, uri, trust, now) {
                    Ok(h) => StatusLookup::Held(h),
                    Err(why) => StatusLookup::Refused(why),
                },
                Err(why) => StatusLookup::Unavailable(why),
            });
        }
        if !at_listed_node(trust, uri) {
            return Ok(StatusLookup::Unavailable(
                "its URL is not at a node the trust list names".into(),
            ));
        }
        if let Some(h) = self.remembered(uri).filter(|h| !h.due(now, DEFAULT_TTL_S)) {
            return Ok(StatusLookup::Held(h));
        }
        let row = store.held_status_list(uri).await?;
        let held = row.as_ref().and_then(|r| {
            let token = r.token.as_deref()?;
            let at = OffsetDateTime::from_unix_timestamp(r.fetched_at?).ok()?;
            self.accept(token, uri, trust, at).ok()
        });
        if let Some(h) = held.as_ref().filter(|h| !h.due(now, DEFAULT_TTL_S)) {
            return Ok(StatusLookup::Held(h.clone()));
        }
        let t = now.unix_timestamp();
        if let Some(r) = row
            .as_ref()
            .filter(|r| r.failure.is_some() && t - r.attempted_at < RETRY_AFTER_FAILURE_S)
        {
            return Ok(match (held, r.refused) {
                (_, true) => StatusLookup::Refused(r.failure.clone().unwrap_or_default()),
                (Some(h), false) => StatusLookup::Held(h),
                (None, false) => StatusLookup::Unavailable(r.failure.clone().unwrap_or_default()),
            });
        }
        let mut next = HeldStatusRow {
            uri: uri.to_owned(),
            token: row.as_ref().and_then(|r| r.token.clone()),
            fetched_at: row.as_ref().and_then(|r| r.fetched_at),
            attempted_at: t,
            failure: None,
            refused: false,
        };
        let outcome = match fetcher.fetch(uri).await {
            Ok(token) => match self.accept(&token, uri, trust, now) {
                Ok(h) => {
                    next.token = Some(token);
                    next.fetched_at = Some(t);
                    StatusLookup::Held(h)
                }
                Err(why) => {
                    next.failure = Some(why.clone());
                    next.refused = true;
                    StatusLookup::Refused(why)
                }
            },
            Err(why) => {
                next.failure = Some(why.clone());
                match held {
                    Some(h) => StatusLookup::Held(h),
                    None => StatusLookup::Unavailable(why),
                }
            }
        };
        store.put_held_status_list(&next).await?;
        Ok(outcome)
    }
}
