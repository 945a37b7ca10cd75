//! Signed lists for verification — license status lists and seal revocation lists:
//! this node's own, produced on the spot, and other provinces', fetched from their
//! nodes and held in the store.
//!
//! [`HeldLists::lookup`] answers what the verification engine needs for one list URI
//! ([`Lookup`]):
//! - a URI not at a node the trust list names is never fetched (Unavailable);
//! - this node's own lists ([`StatusFetcher::is_local`]) are produced every time, so a
//!   revocation here shows at once;
//! - another node's list is fetched when the one held is past its `ttl` (or none is
//!   held), judged by [`Held::accept`] (e.g. [`crate::verify::accept_status_list`]), and
//!   stored with its fetch
//!   time so every node on the database shares it and it survives restarts. When the
//!   fetch fails, the list held is used as it is (the engine reports its age and refuses
//!   it when too old); a failed attempt is not repeated for [`RETRY_AFTER_FAILURE_S`].
//!
//! Accepted lists are remembered in memory by the SHA-256 of their token, so a list is
//! judged (its signature verified) once per process, not once per verification; the
//! memory is rebuilt from the store after a restart.
//!
//! Must not touch: HTTP, sqlx, tokio (the fetcher and the store are the adapter's).

use super::store::{HeldListRow, HeldListStore};
use super::ServiceError;
use crate::trust_list::VerifiedTrustList;
use crate::verify::{
    accept_seal_revocations, accept_status_list, HeldSealRevocations, HeldStatusList, StatusLookup,
};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use time::OffsetDateTime;

/// Seconds a list is held when its token sets no `ttl`.
pub const DEFAULT_TTL_S: u64 = 300;
/// Seconds before a failed fetch of a URI is tried again.
pub const RETRY_AFTER_FAILURE_S: i64 = 30;

/// A list as accepted: how it is judged on arrival and when it is due again.
pub trait Held: Sized + Send + Sync + 'static {
    /// Judge `token`, fetched from `uri` at `fetched_at`, under `trust`.
    fn accept(
        token: &str,
        uri: &str,
        trust: &VerifiedTrustList,
        fetched_at: OffsetDateTime,
    ) -> Result<Self, String>;
    /// Whether it should be fetched again at `now`.
    fn due(&self, now: OffsetDateTime, default_ttl: u64) -> bool;
}

impl Held for HeldStatusList {
    fn accept(
        token: &str,
        uri: &str,
        trust: &VerifiedTrustList,
        fetched_at: OffsetDateTime,
    ) -> Result<Self, String> {
        accept_status_list(token, uri, trust, fetched_at).map_err(|e| e.to_string())
    }
    fn due(&self, now: OffsetDateTime, default_ttl: u64) -> bool {
        HeldStatusList::due(self, now, default_ttl)
    }
}

impl Held for HeldSealRevocations {
    fn accept(
        token: &str,
        uri: &str,
        trust: &VerifiedTrustList,
        fetched_at: OffsetDateTime,
    ) -> Result<Self, String> {
        accept_seal_revocations(token, uri, trust, fetched_at)
    }
    fn due(&self, now: OffsetDateTime, default_ttl: u64) -> bool {
        HeldSealRevocations::due(self, now, default_ttl)
    }
}

/// What is known of one list.
#[derive(Debug, Clone)]
pub enum Lookup<T> {
    /// An accepted list (possibly old: the engine judges its age).
    Held(Arc<T>),
    /// A list was fetched and refused; why.
    Refused(String),
    /// No list could be had; why.
    Unavailable(String),
}

impl From<Lookup<HeldStatusList>> for StatusLookup {
    fn from(l: Lookup<HeldStatusList>) -> Self {
        match l {
            Lookup::Held(h) => StatusLookup::Held(h),
            Lookup::Refused(w) => StatusLookup::Refused(w),
            Lookup::Unavailable(w) => StatusLookup::Unavailable(w),
        }
    }
}

/// Fetches a signed list.
pub trait StatusFetcher: Sync {
    /// Whether `uri` is one of this node's own lists (produced, never held).
    fn is_local(&self, uri: &str) -> bool;
    /// The token at `uri`, or why it could not be had.
    fn fetch(&self, uri: &str) -> impl Future<Output = Result<String, String>> + Send;
}

/// An accepted list and the SHA-256 of the token it came from.
type Accepted<T> = ([u8; 32], Arc<T>);

/// What the node remembers of accepted lists of one kind (see the module documentation).
#[derive(Debug)]
pub struct HeldLists<T> {
    accepted: Mutex<HashMap<String, Accepted<T>>>,
}

impl<T> Default for HeldLists<T> {
    fn default() -> Self {
        HeldLists {
            accepted: Mutex::new(HashMap::new()),
        }
    }
}

/// License status lists.
pub type StatusLists = HeldLists<HeldStatusList>;
/// Seal revocation lists.
pub type SealRevocationLists = HeldLists<HeldSealRevocations>;

fn token_digest(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

/// Whether `uri` is an API path under a node the trust list names.
fn at_listed_node(trust: &VerifiedTrustList, uri: &str) -> bool {
    trust.list.provinces.iter().any(|p| {
        let base = p.node_url.trim_end_matches('/');
        !base.is_empty()
            && uri
                .strip_prefix(base)
                .and_then(|rest| rest.strip_prefix("/v1/"))
                .is_some_and(|rest| !rest.is_empty() && !rest.contains(['?', '#', '@']))
    })
}

impl<T: Held> HeldLists<T> {
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

    fn remembered(&self, uri: &str) -> Option<Arc<T>> {
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
    ) -> Result<Arc<T>, String> {
        let digest = token_digest(token);
        if let Some(h) = self.accepted.lock().ok().and_then(|m| {
            m.get(uri)
                .filter(|(d, _)| *d == digest)
                .map(|(_, h)| h.clone())
        }) {
            return Ok(h);
        }
        let held = Arc::new(T::accept(token, uri, trust, fetched_at)?);
        if let Ok(mut m) = self.accepted.lock() {
            m.insert(uri.to_owned(), (digest, held.clone()));
        }
        Ok(held)
    }

    /// What is known of the list at `uri` at `now` (see the module documentation).
    pub async fn lookup<S: HeldListStore, F: StatusFetcher>(
        &self,
        store: &S,
        fetcher: &F,
        trust: &VerifiedTrustList,
        uri: &str,
        now: OffsetDateTime,
    ) -> Result<Lookup<T>, ServiceError> {
        if fetcher.is_local(uri) {
            return Ok(match fetcher.fetch(uri).await {
                Ok(token) => match self.accept(&token, uri, trust, now) {
                    Ok(h) => Lookup::Held(h),
                    Err(why) => Lookup::Refused(why),
                },
                Err(why) => Lookup::Unavailable(why),
            });
        }
        if !at_listed_node(trust, uri) {
            return Ok(Lookup::Unavailable(
                "its URL is not at a node the trust list names".into(),
            ));
        }
        if let Some(h) = self.remembered(uri).filter(|h| !h.due(now, DEFAULT_TTL_S)) {
            return Ok(Lookup::Held(h));
        }
        let row = store.held_list(uri).await?;
        let held = row.as_ref().and_then(|r| {
            let token = r.token.as_deref()?;
            let at = OffsetDateTime::from_unix_timestamp(r.fetched_at?).ok()?;
            self.accept(token, uri, trust, at).ok()
        });
        if let Some(h) = held.as_ref().filter(|h| !h.due(now, DEFAULT_TTL_S)) {
            return Ok(Lookup::Held(h.clone()));
        }
        let t = now.unix_timestamp();
        if let Some(r) = row
            .as_ref()
            .filter(|r| r.failure.is_some() && t - r.attempted_at < RETRY_AFTER_FAILURE_S)
        {
            return Ok(match (held, r.refused) {
                (_, true) => Lookup::Refused(r.failure.clone().unwrap_or_default()),
                (Some(h), false) => Lookup::Held(h),
                (None, false) => Lookup::Unavailable(r.failure.clone().unwrap_or_default()),
            });
        }
        let mut next = HeldListRow {
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
                    Lookup::Held(h)
                }
                Err(why) => {
                    next.failure = Some(why.clone());
                    next.refused = true;
                    Lookup::Refused(why)
                }
            },
            Err(why) => {
                next.failure = Some(why.clone());
                match held {
                    Some(h) => Lookup::Held(h),
                    None => Lookup::Unavailable(why),
                }
            }
        };
        store.put_held_list(&next).await?;
        Ok(outcome)
    }
}
