//! deltaseal — electronic licenses, proofs and seals for the Yangtze River Delta.
//!
//! Domain modules (no transport, no storage, no async runtime):
//! - [`crypto`]: signature algorithms (P-256, SM2), digests, keys, the [`crypto::Signer`] trait.
//! - [`report`]: the one verification report model every verifier returns.
//!
//! Use cases live in [`service`], over the domain and narrow storage traits.
//!
//! Adapters (CLI, HTTP, storage) live under [`adapters`] and call the use cases and the domain.
#![forbid(unsafe_code)]

pub mod adapters;
pub mod catalog;
pub mod crypto;
pub mod license;
pub mod pki;
pub mod report;
pub mod seal;
pub mod service;
