//! The archive log's answers as the HTTP API serves them and auditors read them
//! (hashes base64, as in checkpoints).

use super::entry::LoggedEntry;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde::{Deserialize, Serialize};

/// What the node holds of the license a `license.issued` entry logged: its
/// issuer-signed JWT (the record the entry digests; no disclosure, so no personal data),
/// or none when the node no longer holds the license.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct RecordView {
    /// The entry's index.
    pub index: u64,
    /// The license identifier (the entry's subject).
    pub subject: String,
    /// The issuer-signed JWT held now.
    pub record: Option<String>,
}

/// An entry as served.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct EntryView {
    /// Its index.
    pub index: u64,
    /// The act (`license.issued`, `license.status`, …).
    pub act: String,
    /// The artifact it refers to.
    pub subject: String,
    /// SHA-256 of the act's record, hex.
    pub digest: String,
    /// When (Unix seconds).
    pub at: i64,
    /// Its RFC 9162 leaf hash, base64.
    pub leaf_hash: String,
}

impl From<&LoggedEntry> for EntryView {
    fn from(e: &LoggedEntry) -> Self {
        EntryView {
            index: e.index,
            act: e.entry.act.name().to_string(),
            subject: e.entry.subject.clone(),
            digest: hex::encode(e.entry.digest),
            at: e.entry.at,
            leaf_hash: STANDARD.encode(e.leaf),
        }
    }
}

/// `GET /v1/archive/proofs/inclusion`'s answer.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct InclusionView {
    /// The entry.
    pub entry: EntryView,
    /// The tree size the proof is for.
    pub size: u64,
    /// The proof's hashes, base64, leaf to root.
    pub proof: Vec<String>,
    /// The checkpoint the proof is against, as served (asked for by subject).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checkpoint: Option<String>,
    /// For a license's issuance entry: the validation data kept when it was issued,
    /// proven against the same checkpoint (asked for by digest).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ltv: Option<super::ltv::LtvView>,
}

/// `GET /v1/archive/proofs/consistency`'s answer.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ConsistencyView {
    /// The smaller tree size.
    pub from: u64,
    /// The larger tree size.
    pub to: u64,
    /// The proof's hashes, base64.
    pub proof: Vec<String>,
}

/// Hashes as served (base64) → the hashes; `None` if one is not 32 bytes of base64.
pub fn decode_hashes(b64: &[String]) -> Option<Vec<super::merkle::Hash>> {
    b64.iter()
        .map(|h| STANDARD.decode(h).ok().and_then(|b| b.try_into().ok()))
        .collect()
}

/// Hashes → as served (base64).
pub fn encode_hashes(hashes: &[super::merkle::Hash]) -> Vec<String> {
    hashes.iter().map(|h| STANDARD.encode(h)).collect()
}
