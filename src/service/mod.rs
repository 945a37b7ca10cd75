//! Use cases: issue licenses, change their status, decide and issue proofs, make,
//! re-version and stamp seals, accept and pick the node's trust list — each once, over the domain and narrow storage traits,
//! called by the HTTP handlers and, where it does the same job, the CLI.
//!
//! Owns: the order of each use case's steps (check, reserve, sign, write, commit),
//! idempotency, the storage traits ([`store`]) and the error ([`ServiceError`]).
//! Must not touch: transport, database drivers or an async runtime, nor
//! any node state — callers pass the store, the catalogue, the agency or signatory
//! and the time (`now`) explicitly.
//!
//! CPU-heavy work (signing, rendering, hashing) runs through [`Blocking`], a small
//! runner the adapter supplies: the HTTP adapter hands in its blocking thread pool, so
//! nothing here depends on a runtime; synchronous callers use [`Inline`]. Inside one
//! such call a batch is split with `std::thread::scope` over at most one thread per
//! core ([`blocking::parallel_map`]), so a batch uses both cores and the pool stays
//! bounded.

pub mod archive;
pub mod archive_export;
pub mod blocking;
pub mod consent;
mod error;
pub mod held_lists;
pub mod holder_licenses;
pub mod issue;
pub mod ltv;
pub mod proofs;
pub mod seal_make;
pub mod seal_stamp;
pub mod show;
pub mod status;
pub mod store;
pub mod trust_list;

pub use blocking::{Blocking, Inline};
pub use error::ServiceError;
pub use store::{
    HeldListStore, LicenseStore, ProofStore, SealStore, ShowUseStore, StoreError, TrustListStore,
};

#[cfg(test)]
mod tests;
