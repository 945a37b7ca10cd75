//! The narrow storage the use cases need, as traits over plain records. The storage
//! adapter implements them for its `Store`; tests implement them in memory.
//!
//! Meant for static dispatch (generics, never `dyn`). Each method is an async fn
//! whose future is declared `Send`, so generic use cases stay `Send` for any store;
//! implementations write them as plain `async fn`.

use crate::license::{ProofState, Status};
use std::future::Future;

/// Why a store operation failed, whatever the engine.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// No such row.
    #[error("not found")]
    NotFound,
    /// The row belongs to another agency.
    #[error("owned by another agency")]
    NotOwner,
    /// The state change is not allowed from the row's current state.
    #[error("not allowed from state {current}")]
    InvalidTransition {
        /// the state the row is in
        current: String,
    },
    /// A unique key (identifier, idempotency key, esID) is already taken.
    #[error("already exists")]
    Duplicate,
    /// The store cannot be reached just now (connection, pool exhausted).
    #[error("storage unavailable: {0}")]
    Unavailable(String),
    /// An index or size beyond what the store holds, or a request no answer fits.
    #[error("out of range: {0}")]
    OutOfRange(String),
    /// Any other failure (statement, corrupt data); the text is for the log.
    #[error("storage failed: {0}")]
    Failed(String),
}

/// A status-list slot reserved for one license.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Slot {
    /// Per-agency sequence number (1, 2, …), usable as the identifier serial.
    pub seq: i64,
    /// Which of the agency's status lists.
    pub list: i64,
    /// Index within that list.
    pub index: i64,
}

/// A license to write.
#[derive(Debug, Clone)]
pub struct NewLicense {
    /// GB/T 36904 identifier.
    pub identifier: String,
    /// National type code.
    pub type_code: String,
    /// Holder's code (citizen ID, USCC).
    pub holder_code: String,
    /// The serialized credential (SD-JWT with all disclosures).
    pub credential: String,
    /// The slot reserved for it.
    pub slot: Slot,
    /// The digest (hex) of the validation data kept for it at issuance, if any.
    pub evidence: Option<String>,
}

/// Validation data kept at issuance ([`crate::archive::ltv::Bundle`]) as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeptEvidence {
    /// SHA-256 (hex) of `text`.
    pub digest: String,
    /// The agency's status list it holds.
    pub list: i64,
    /// That list's version then.
    pub status_version: i64,
    /// SHA-256 (hex) of the chain, trust-list version and CRLs it holds.
    pub basis: String,
    /// When it was made (Unix seconds).
    pub at: i64,
    /// The bundle's text.
    pub text: String,
}

/// A stored license.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LicenseRecord {
    /// GB/T 36904 identifier.
    pub identifier: String,
    /// The issuing agency's id.
    pub agency_id: String,
    /// National type code.
    pub type_code: String,
    /// Holder's code.
    pub holder_code: String,
    /// The serialized credential.
    pub credential: String,
    /// Status list number.
    pub status_list: i64,
    /// Index in that list.
    pub status_index: i64,
    /// Current status.
    pub status: Status,
    /// Reason given for the last status change.
    pub reason: Option<String>,
    /// Bumped on every change.
    pub version: i64,
    /// Unix seconds.
    pub issued_at: i64,
    /// Unix seconds.
    pub updated_at: i64,
}

/// A stored proof request.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ProofRequestRecord {
    /// Request id (UUID).
    pub id: String,
    /// The agency asked to issue the proof.
    pub agency_id: String,
    /// Proof type code.
    pub type_code: String,
    /// The request document (JSON text, as the domain serialises it).
    pub request: String,
    /// Current state.
    pub state: ProofState,
    /// Identifier of the issued proof.
    pub identifier: Option<String>,
    /// Unix seconds.
    pub created_at: i64,
    /// Unix seconds.
    pub updated_at: i64,
}

/// A stored seal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SealRecord {
    /// esID (`<base>-<nn>`).
    pub es_id: String,
    /// Manifest id of the seal authority that made it.
    pub authority_id: String,
    /// The seal's name.
    pub name: String,
    /// DER of the SESeal (.esl).
    pub esl: Vec<u8>,
    /// The picture as SVG.
    pub picture_svg: String,
    /// Start of validity, Unix seconds.
    pub valid_from: i64,
    /// End of validity, Unix seconds.
    pub valid_to: i64,
    /// esID of the version that replaced this one, if any.
    pub superseded_by: Option<String>,
    /// Unix seconds.
    pub created_at: i64,
}

/// The stored answer to an earlier idempotent request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotentResponse {
    /// Hash of the request it answered.
    pub request_hash: String,
    /// The response sent.
    pub response: String,
}

/// An open issuance: slots reserved, nothing visible to others until
/// [`Issuance::commit`]; dropping it rolls everything back.
pub trait Issuance: Send {
    /// The reserved slots, one per license requested.
    fn slots(&self) -> &[Slot];
    /// Write licenses, each in one of the reserved slots.
    fn insert_licenses(
        &mut self,
        licenses: &[NewLicense],
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// Record the response to an idempotent request; a concurrent request that
    /// recorded the same key first makes this fail with [`StoreError::Duplicate`].
    fn put_idempotency(
        &mut self,
        key: &str,
        request_hash: &str,
        response: &str,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// Mark an approved proof request as issued with `identifier`, storing its new
    /// document.
    fn mark_proof_issued(
        &mut self,
        request_id: &str,
        identifier: &str,
        request: &str,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// The bits and version of the agency's status list `list`, as this transaction
    /// sees them.
    fn status_list_state(
        &mut self,
        list: i64,
    ) -> impl Future<Output = Result<(Vec<u8>, i64), StoreError>> + Send;
    /// The newest validation data kept for the agency's status list `list`.
    fn latest_evidence(
        &mut self,
        list: i64,
    ) -> impl Future<Output = Result<Option<KeptEvidence>, StoreError>> + Send;
    /// Keep validation data, its `evidence.kept` entry going into the log ahead of the
    /// licenses written after it (nothing when the same bundle is kept already).
    fn keep_evidence(
        &mut self,
        kept: &KeptEvidence,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// Make everything durable; only then may the issuance be acknowledged.
    fn commit(self) -> impl Future<Output = Result<(), StoreError>> + Send;
}

/// Licenses, their status and idempotency records.
pub trait LicenseStore: Sync {
    /// The open-issuance type.
    type Issuance: Issuance;
    /// Open an issuance for `count` licenses of `agency`, reserving a slot for each.
    fn begin_issue(
        &self,
        agency: &str,
        count: usize,
        now: i64,
    ) -> impl Future<Output = Result<Self::Issuance, StoreError>> + Send;
    /// The stored answer to an earlier request of `agency` with idempotency `key`.
    fn idempotent_response(
        &self,
        agency: &str,
        key: &str,
    ) -> impl Future<Output = Result<Option<IdempotentResponse>, StoreError>> + Send;
    /// A license by identifier.
    fn license(
        &self,
        identifier: &str,
    ) -> impl Future<Output = Result<LicenseRecord, StoreError>> + Send;
    /// Change a license's status if it belongs to `agency` and is currently one of
    /// `from`, its status-list entry in the same transaction.
    fn set_status(
        &self,
        identifier: &str,
        agency: &str,
        from: &[Status],
        to: Status,
        reason: Option<&str>,
        now: i64,
    ) -> impl Future<Output = Result<LicenseRecord, StoreError>> + Send;
}

/// Proof requests (issuing a proof goes through [`LicenseStore::begin_issue`]).
pub trait ProofStore: LicenseStore {
    /// Store a new request in state `requested`.
    fn create_proof_request(
        &self,
        id: &str,
        agency: &str,
        type_code: &str,
        request: &str,
        now: i64,
    ) -> impl Future<Output = Result<ProofRequestRecord, StoreError>> + Send;
    /// A request by id.
    fn proof_request(
        &self,
        id: &str,
    ) -> impl Future<Output = Result<ProofRequestRecord, StoreError>> + Send;
    /// Move a request of `agency` from `from` to `to`, storing its new document.
    fn set_proof_state(
        &self,
        id: &str,
        agency: &str,
        from: ProofState,
        to: ProofState,
        request: &str,
        now: i64,
    ) -> impl Future<Output = Result<ProofRequestRecord, StoreError>> + Send;
}

/// Seals made through this node.
pub trait SealStore: Sync {
    /// Store a new seal; an existing esID is [`StoreError::Duplicate`].
    fn insert_seal(&self, seal: &SealRecord)
        -> impl Future<Output = Result<(), StoreError>> + Send;
    /// Store `new` and mark `old_es_id` superseded by it, in one transaction;
    /// [`StoreError::NotFound`] if the old seal is missing or already superseded.
    fn supersede_seal(
        &self,
        old_es_id: &str,
        new: &SealRecord,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// A seal by esID.
    fn seal(&self, es_id: &str) -> impl Future<Output = Result<SealRecord, StoreError>> + Send;
}

/// A trust list the node accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustListRecord {
    /// Its sequence number.
    pub sequence: i64,
    /// The compact JWS text.
    pub jws: String,
    /// SHA-256 of the JWS text, lowercase hex.
    pub digest: String,
    /// When it was accepted, Unix seconds.
    pub accepted_at: i64,
}

/// What [`TrustListStore::insert_trust_list`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrustListInsert {
    /// Stored: its sequence is higher than every stored one.
    Inserted,
    /// The same list (sequence and digest) is already stored; nothing changed.
    Same,
    /// A list with the same sequence but another digest is stored; refused.
    Conflict,
    /// A higher sequence is stored; refused.
    NotNewer {
        /// the newest stored sequence
        held: i64,
    },
}

/// The accepted trust lists, shared by every node on the database.
pub trait TrustListStore: Sync {
    /// The accepted list with the highest sequence.
    fn newest_trust_list(
        &self,
    ) -> impl Future<Output = Result<Option<TrustListRecord>, StoreError>> + Send;
    /// Store `list` if its sequence is higher than every stored one.
    fn insert_trust_list(
        &self,
        list: &TrustListRecord,
    ) -> impl Future<Output = Result<TrustListInsert, StoreError>> + Send;
}

/// What the node holds of another node's signed list (status list, seal revocations): the last token accepted and when
/// it was fetched, and the last attempt and its failure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeldListRow {
    /// The list's URI.
    pub uri: String,
    /// The last accepted token, if any.
    pub token: Option<String>,
    /// When that token was fetched (Unix seconds).
    pub fetched_at: Option<i64>,
    /// When a fetch was last tried (Unix seconds).
    pub attempted_at: i64,
    /// Why the last attempt failed, if it did.
    pub failure: Option<String>,
    /// Whether that failure was a refusal of what was fetched (not a network failure).
    pub refused: bool,
}

/// Other nodes' signed lists as held, shared by every node on the database.
pub trait HeldListStore: Sync {
    /// The row for `uri`, if any.
    fn held_list(
        &self,
        uri: &str,
    ) -> impl Future<Output = Result<Option<HeldListRow>, StoreError>> + Send;
    /// Insert or replace the row for `row.uri`.
    fn put_held_list(
        &self,
        row: &HeldListRow,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
}

/// The single-use record of online show tokens, shared by every node of a province.
pub trait ShowUseStore: Sync {
    /// Record that the online token `token_id` signed for `province` stands for
    /// `claims` of `license_id`, expires at `expires_at` and is kept until `keep_until`
    /// (Unix seconds); `Ok(false)`: the token id is recorded already.
    #[allow(clippy::too_many_arguments)]
    fn register_show_token(
        &self,
        province: &str,
        token_id: &str,
        license_id: &str,
        claims: &[String],
        expires_at: i64,
        keep_until: i64,
        now: i64,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
    /// The license and claims the token `token_id` signed for `province` stands for.
    fn show_token(
        &self,
        province: &str,
        token_id: &str,
    ) -> impl Future<Output = Result<Option<(String, Vec<String>)>, StoreError>> + Send;
    /// Record the redemption of `token_id` signed for `province` until `expires_at`
    /// (Unix seconds); `Ok(false)`: redeemed before (a replay).
    fn first_show_use(
        &self,
        province: &str,
        token_id: &str,
        license_id: &str,
        expires_at: i64,
        now: i64,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
}

/// A peer log's checkpoint this node refused as conflicting with what it witnessed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForkRecord {
    /// The peer log's origin.
    pub origin: String,
    /// The size of the conflicting checkpoint.
    pub size: u64,
    /// The size of the checkpoint witnessed before.
    pub seen_size: u64,
    /// Its root.
    pub seen_root: crate::archive::merkle::Hash,
    /// The conflicting signed note, as served.
    pub other_note: String,
    /// Why it conflicts.
    pub reason: String,
    /// When it was seen (Unix seconds).
    pub at: i64,
}

/// The node's archive log (see [`crate::archive`]).
pub trait ArchiveStore: Sync {
    /// The number of entries.
    fn archive_size(&self) -> impl Future<Output = Result<u64, StoreError>> + Send;
    /// Append entries of acts that write nothing else, in a transaction of their own →
    /// the index of the first.
    fn archive_append(
        &self,
        entries: &[crate::archive::entry::Entry],
    ) -> impl Future<Output = Result<u64, StoreError>> + Send;
    /// Entries `[from, from + count)`, in order (at most a page).
    fn archive_entries(
        &self,
        from: u64,
        count: u64,
    ) -> impl Future<Output = Result<Vec<crate::archive::entry::LoggedEntry>, StoreError>> + Send;
    /// The first entry `lookup` names whose digest is `digest` (a license's issuance
    /// entry: also of its time).
    fn archive_entry_by_digest(
        &self,
        lookup: crate::archive::entry::Lookup,
        digest: &crate::archive::merkle::Hash,
    ) -> impl Future<Output = Result<Option<crate::archive::entry::LoggedEntry>, StoreError>> + Send;
    /// The digest (hex) and text of the validation data kept when the license
    /// `identifier` was issued.
    fn license_evidence(
        &self,
        identifier: &str,
    ) -> impl Future<Output = Result<Option<(String, String)>, StoreError>> + Send;
    /// The text of the validation data kept under `digest` (hex).
    fn evidence_text(
        &self,
        digest: &str,
    ) -> impl Future<Output = Result<Option<String>, StoreError>> + Send;
    /// The root of the first `size` entries.
    fn archive_root(
        &self,
        size: u64,
    ) -> impl Future<Output = Result<crate::archive::merkle::Hash, StoreError>> + Send;
    /// The inclusion proof of `index` in the tree of `size` entries.
    fn archive_inclusion(
        &self,
        index: u64,
        size: u64,
    ) -> impl Future<Output = Result<Vec<crate::archive::merkle::Hash>, StoreError>> + Send;
    /// The consistency proof from `size1` entries to `size2`.
    fn archive_consistency(
        &self,
        size1: u64,
        size2: u64,
    ) -> impl Future<Output = Result<Vec<crate::archive::merkle::Hash>, StoreError>> + Send;
    /// The latest checkpoint kept, or the one of `size`.
    fn archive_checkpoint(
        &self,
        size: Option<u64>,
    ) -> impl Future<Output = Result<Option<crate::archive::checkpoint::StoredCheckpoint>, StoreError>>
           + Send;
    /// Keep a signed checkpoint (the first one of a size stays).
    fn put_archive_checkpoint(
        &self,
        checkpoint: &crate::archive::checkpoint::StoredCheckpoint,
        now: i64,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// The last checkpoint of the peer log `origin` this node cosigned.
    fn archive_witnessed(
        &self,
        origin: &str,
    ) -> impl Future<Output = Result<Option<crate::archive::checkpoint::StoredCheckpoint>, StoreError>>
           + Send;
    /// Keep `checkpoint` as the last one of `origin` cosigned (never moving back).
    fn put_archive_witnessed(
        &self,
        origin: &str,
        checkpoint: &crate::archive::checkpoint::StoredCheckpoint,
        now: i64,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// Record a conflicting checkpoint of a peer log.
    fn record_archive_fork(
        &self,
        fork: &ForkRecord,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// Keep a peer's cosignature line of this node's checkpoint of `size`.
    fn put_archive_cosignature(
        &self,
        size: u64,
        witness: &str,
        line: &str,
        now: i64,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// The cosignature lines kept for this node's checkpoint of `size`.
    fn archive_cosignatures(
        &self,
        size: u64,
    ) -> impl Future<Output = Result<Vec<String>, StoreError>> + Send;
}
