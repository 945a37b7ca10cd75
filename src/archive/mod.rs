//! The archive log: an append-only, tamper-evident record of every act — what was
//! issued, changed, stamped, shown and fetched — whose entries can be proven to be in
//! it, and whose later states can be proven to extend the earlier ones.
//!
//! - [`merkle`]: the RFC 9162 tree hashing and proofs it rests on;
//! - [`entry`]: an entry (act, subject, digest of the act's record, time) and its leaf;
//! - [`note`]: C2SP signed notes with the project's P-256 and SM2 keys;
//! - [`checkpoint`]: the signed checkpoints a node publishes and the cosignatures
//!   its peers add as witnesses;
//! - [`frontier`]: the perfect subtrees that appending entries completes;
//! - [`audit`]: judging a log from outside (checkpoints against the last one seen,
//!   entries against the root);
//! - [`wire`]: the log's answers as the API serves them;
//! - [`export`]: the package an export writes and its signed manifest;
//! - [`ltv`]: the validation data kept at issuance for long-term validation.

pub mod audit;
pub mod checkpoint;
pub mod entry;
pub mod evidence;
pub mod export;
pub mod frontier;
pub mod ltv;
pub mod merkle;
pub mod note;
pub mod wire;
