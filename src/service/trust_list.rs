//! The node's trust list: accept a list (from the configured file at start-up, or
//! fetched from another node) against the pinned signer and the newest list already
//! stored, store it when newer, and pick the list the node serves — the newest stored
//! one, as long as it is still within its next update plus the grace.
//!
//! The database is the truth: every node on one database sees the same newest list, a
//! rollback is refused across restarts and between nodes, and a node's in-memory copy
//! ([`CurrentTrustList`]) is only a cache of the newest stored row.
//!
//! Owns: the order of the steps (read the held sequence, verify, store, re-read) and the
//! start-up rule (a refused file is fatal unless a valid list is already stored).
//! Must not touch: files, network, clocks — callers pass the text and the time.

use super::store::{StoreError, TrustListInsert, TrustListRecord, TrustListStore};
use super::ServiceError;
use crate::trust_list::{self, TrustListError, VerifiedTrustList, VerifyOptions};
use std::sync::Arc;
use time::{Duration, OffsetDateTime};

/// What a trust list is accepted against.
#[derive(Debug, Clone)]
pub struct TrustListPolicy {
    /// The pinned trust-list signer certificate (DER).
    pub signer_cert: Vec<u8>,
    /// How long past its next update a list may still be used.
    pub grace: Duration,
}

impl TrustListPolicy {
    fn options(&self, at: OffsetDateTime, held_sequence: Option<u64>) -> VerifyOptions<'_> {
        VerifyOptions {
            signer_cert: &self.signer_cert,
            at,
            held_sequence,
            grace: self.grace,
        }
    }
}

/// The list a node serves: its JWS text and what verifying it found.
#[derive(Debug, Clone)]
pub struct CurrentTrustList {
    /// The compact JWS, as stored and served (trimmed).
    pub jws: String,
    /// The accepted document, its digest and whether it is overdue.
    pub verified: VerifiedTrustList,
}

impl CurrentTrustList {
    /// Its sequence number.
    pub fn sequence(&self) -> u64 {
        self.verified.list.sequence
    }

    /// SHA-256 of the JWS text, lowercase hex (the HTTP `ETag`).
    pub fn digest(&self) -> &str {
        &self.verified.digest
    }

    /// Whether it may still be relied on at `at` (not past next update + `grace`).
    pub fn usable_at(&self, at: OffsetDateTime, grace: Duration) -> Result<(), TrustListError> {
        let next = self.verified.list.next_update;
        if at > next.saturating_add(grace) {
            return Err(TrustListError::Expired {
                next_update: next
                    .format(&time::format_description::well_known::Rfc3339)
                    .unwrap_or_default(),
                grace_s: grace.whole_seconds(),
            });
        }
        Ok(())
    }
}

/// What became of a list offered to [`accept`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Acceptance {
    /// Newer than every stored list: stored, and now the newest.
    Stored,
    /// The very list already stored (same sequence, same digest).
    AlreadyHeld,
}

/// What [`start`] did with the configured list.
#[derive(Debug)]
pub enum Offered {
    /// It was accepted ([`Acceptance`]).
    Accepted(Acceptance),
    /// It was refused; the node uses the newer valid list already stored.
    Refused(ServiceError),
    /// None was offered (no readable file); the node uses the stored list.
    Missing,
}

/// The outcome of [`start`].
#[derive(Debug)]
pub struct Startup {
    /// The list the node serves.
    pub current: Arc<CurrentTrustList>,
    /// What became of the offered list.
    pub offered: Offered,
}

fn sequence_i64(seq: u64) -> Result<i64, ServiceError> {
    i64::try_from(seq).map_err(|_| {
        ServiceError::TrustList(TrustListError::Malformed(format!(
            "sequence {seq} is out of range"
        )))
    })
}

/// The newest stored sequence, if any.
pub async fn held_sequence<S: TrustListStore>(store: &S) -> Result<Option<u64>, ServiceError> {
    Ok(store
        .newest_trust_list()
        .await?
        .map(|r| u64::try_from(r.sequence).unwrap_or(0)))
}

/// Accept `text` as the trust list at `now`: it must verify against the pinned signer
/// with the newest stored sequence as the held one (a lower sequence is a rollback),
/// and is stored when newer. The same sequence with another digest is refused
/// ([`ServiceError::TrustListConflict`]): two different lists cannot share a number.
pub async fn accept<S: TrustListStore>(
    store: &S,
    text: &str,
    policy: &TrustListPolicy,
    now: OffsetDateTime,
) -> Result<(Arc<CurrentTrustList>, Acceptance), ServiceError> {
    let held = held_sequence(store).await?;
    let verified =
        trust_list::verify(text, &policy.options(now, held)).map_err(ServiceError::TrustList)?;
    let current = CurrentTrustList {
        jws: text.trim().to_string(),
        verified,
    };
    let record = TrustListRecord {
        sequence: sequence_i64(current.sequence())?,
        jws: current.jws.clone(),
        digest: current.digest().to_string(),
        accepted_at: now.unix_timestamp(),
    };
    let acceptance = match store.insert_trust_list(&record).await? {
        TrustListInsert::Inserted => Acceptance::Stored,
        TrustListInsert::Same => Acceptance::AlreadyHeld,
        TrustListInsert::Conflict => {
            return Err(ServiceError::TrustListConflict {
                sequence: current.sequence(),
            })
        }
        // another node stored a newer one meanwhile
        TrustListInsert::NotNewer { held } => {
            return Err(ServiceError::TrustList(TrustListError::Rollback {
                held: u64::try_from(held).unwrap_or(0),
                got: current.sequence(),
            }))
        }
    };
    Ok((Arc::new(current), acceptance))
}

/// The list to serve at `now`: the newest stored one. `cached` (the caller's copy)
/// is reused when it is still the newest, otherwise the stored row is verified again
/// against the pinned signer. `Ok(None)`: nothing stored. A newest list that no longer
/// verifies or is past its grace is an error: fail closed, never an older one.
pub async fn current<S: TrustListStore>(
    store: &S,
    cached: Option<&Arc<CurrentTrustList>>,
    policy: &TrustListPolicy,
    now: OffsetDateTime,
) -> Result<Option<Arc<CurrentTrustList>>, ServiceError> {
    let Some(newest) = store.newest_trust_list().await? else {
        return Ok(None);
    };
    if let Some(c) = cached.filter(|c| c.digest() == newest.digest) {
        c.usable_at(now, policy.grace)
            .map_err(ServiceError::TrustList)?;
        // past its next update since it was cached: the same list, now overdue
        let overdue = now > c.verified.list.next_update;
        if overdue != c.verified.overdue {
            let mut c = CurrentTrustList::clone(c);
            c.verified.overdue = overdue;
            return Ok(Some(Arc::new(c)));
        }
        return Ok(Some(c.clone()));
    }
    let verified = trust_list::verify(&newest.jws, &policy.options(now, None))
        .map_err(ServiceError::TrustList)?;
    if verified.digest != newest.digest {
        return Err(ServiceError::Storage(StoreError::Failed(
            "a stored trust list does not match its digest".into(),
        )));
    }
    Ok(Some(Arc::new(CurrentTrustList {
        jws: newest.jws,
        verified,
    })))
}

/// Start-up: accept the `offered` list (the configured file's text; `None` when it
/// could not be read) and pick the current one. A refused or missing list is fatal
/// unless the store already holds a valid newer one, which is then used
/// ([`Offered::Refused`], [`Offered::Missing`]); with nothing usable the error is the
/// offered list's refusal, or [`ServiceError::NoTrustList`].
pub async fn start<S: TrustListStore>(
    store: &S,
    offered: Option<&str>,
    policy: &TrustListPolicy,
    now: OffsetDateTime,
) -> Result<Startup, ServiceError> {
    let outcome = match offered {
        Some(text) => match accept(store, text, policy, now).await {
            Ok((_, a)) => Offered::Accepted(a),
            Err(e @ ServiceError::Storage(_)) => return Err(e),
            Err(e) => Offered::Refused(e),
        },
        None => Offered::Missing,
    };
    match (current(store, None, policy, now).await, outcome) {
        (Ok(Some(current)), offered) => Ok(Startup { current, offered }),
        (_, Offered::Refused(e)) => Err(e),
        (Err(e), _) => Err(e),
        (Ok(None), _) => Err(ServiceError::NoTrustList),
    }
}
