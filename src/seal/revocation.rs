//! Seal revocation: which esIDs are no longer to be stamped with, since when and why.
//!
//! A seal is revoked when the organisation's authorisation changes (a new seal version
//! supersedes it) or when it is withdrawn. The service stores the list; verifiers are
//! handed it. A stamp made before the revocation time stays valid; one made at or after
//! it is REVOKED.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// Why a seal was revoked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RevocationReason {
    /// A new version of the seal (other signers authorised) replaces it.
    Superseded {
        /// esID of the new version.
        by: String,
    },
    /// The seal was withdrawn (organisation dissolved, key compromise, …).
    Withdrawn,
}

/// One revoked seal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SealRevocation {
    /// The revoked seal's esID.
    pub es_id: String,
    /// From when stamps with it are no longer valid.
    #[serde(with = "time::serde::rfc3339")]
    pub revoked_at: OffsetDateTime,
    /// Why.
    pub reason: RevocationReason,
}

/// The revoked seals a verifier consults.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SealRevocationList {
    /// The entries, in the order they were added.
    pub entries: Vec<SealRevocation>,
}

impl SealRevocationList {
    /// An empty list.
    pub fn new() -> Self {
        Self::default()
    }

    /// Add an entry; an esID already listed keeps its earliest revocation.
    pub fn add(&mut self, entry: SealRevocation) {
        match self.entries.iter_mut().find(|e| e.es_id == entry.es_id) {
            Some(e) if e.revoked_at <= entry.revoked_at => {}
            Some(e) => *e = entry,
            None => self.entries.push(entry),
        }
    }

    /// The entry for `es_id`, if it is revoked.
    pub fn find(&self, es_id: &str) -> Option<&SealRevocation> {
        self.entries.iter().find(|e| e.es_id == es_id)
    }
}
